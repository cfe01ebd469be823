// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM-VFIO device against the VFIO modules loaded (stock or patched):
 * kvm.ko reaches vfio.ko only through symbol_get() (vfio_file_is_valid(),
 * vfio_file_set_kvm(), vfio_file_enforced_coherent()), and vfio.ko reaches
 * KVM the same way when a device opens (kvm_get_kvm_safe(),
 * kvm_put_kvm()); module versions check neither direction, so only calls
 * show that they work.  No vCPU runs: the VM exists to be handed over.
 *
 * What proves each direction: KVM_DEV_VFIO_FILE_ADD accepts a VFIO group
 * and refuses anything else (vfio_file_is_valid() answered); a device
 * opened after that holds the VM, which outlives its own file descriptors
 * until the device closes (vfio took and dropped the reference through
 * kvm's symbols).  The VM's debugfs directory shows whether it exists.
 */
#include <sys/stat.h>
#include <linux/kvm.h>
#include "pci_utils.h"

#ifndef KVM_DEV_VFIO_FILE
#define KVM_DEV_VFIO_FILE	KVM_DEV_VFIO_GROUP
#define KVM_DEV_VFIO_FILE_ADD	KVM_DEV_VFIO_GROUP_ADD
#define KVM_DEV_VFIO_FILE_DEL	KVM_DEV_VFIO_GROUP_DEL
#endif

FIXTURE(kvm_vfio) {
	int kvm, vm, kdev;
	char dir[96];
	struct vfio_iommu io;
	struct vfio_dev d;	/* the igb: its group, then its device */
	char bdf[VFIO_UUID_LEN];
};

static int kvm_vfio_file(int kdev, uint64_t op, int fd)
{
	struct kvm_device_attr attr = {
		.group = KVM_DEV_VFIO_FILE, .attr = op,
		.addr = (uint64_t)(uintptr_t)&fd,
	};

	return ioctl(kdev, KVM_SET_DEVICE_ATTR, &attr) ? vfio_errno() : 0;
}

/* open the igb's device from its group: it takes the group's VM, if any */
static int open_device(FIXTURE_DATA(kvm_vfio) *self)
{
	return vfio_dev_get_fd(&self->d);
}

/* close the VM's and the KVM-VFIO device's files */
static void close_vm(FIXTURE_DATA(kvm_vfio) *self)
{
	close(self->kdev);
	close(self->vm);
	self->kdev = self->vm = -1;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* a VM and its KVM-VFIO device; the igb's group open, not its device */
FIXTURE_SETUP(kvm_vfio)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };

	self->vm = self->kdev = -1;
	self->d.group = self->d.fd = self->io.fd = -1;
	self->kvm = open("/dev/kvm", O_RDWR);
	ASSERT_LE(0, self->kvm) TH_LOG("no /dev/kvm (kvm_amd/kvm_intel)");
	self->vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	snprintf(self->dir, sizeof(self->dir), "/sys/kernel/debug/kvm/%d-%d",
		 getpid(), self->vm);
	ASSERT_TRUE(exists(self->dir)) TH_LOG("%s", self->dir);
	ASSERT_EQ(0, ioctl(self->vm, KVM_CREATE_DEVICE, &cd));
	self->kdev = cd.fd;

	ASSERT_EQ(0, pci_find(IGB_VENDOR, IGB_DEVICE, self->bdf));
	test_pci_bind_vfio(self->bdf);
	test_vfio_iommu_open(&self->io, VFIO_MODE_TYPE1);
	ASSERT_EQ(0, vfio_pci_group_open(&self->d, self->bdf));
	ASSERT_EQ(0, vfio_group_attach(&self->d, &self->io));
}

FIXTURE_TEARDOWN(kvm_vfio)
{
	if (self->kdev >= 0)
		close(self->kdev);
	if (self->vm >= 0)
		close(self->vm);
	if (self->kvm >= 0)
		close(self->kvm);
	vfio_dev_close(&self->d);
	vfio_iommu_close(&self->io);
}

/* kvm asks vfio (vfio_file_is_valid()) what a file is. */
TEST_F(kvm_vfio, add_accepts_only_vfio_files)
{
	int null = open("/dev/null", O_RDWR);

	ASSERT_LE(0, null);
	ASSERT_EQ(-EINVAL, kvm_vfio_file(self->kdev, KVM_DEV_VFIO_FILE_ADD,
					 null));
	ASSERT_EQ(-EBADF, kvm_vfio_file(self->kdev, KVM_DEV_VFIO_FILE_ADD, -1));
	ASSERT_EQ(0, kvm_vfio_file(self->kdev, KVM_DEV_VFIO_FILE_ADD,
				   self->d.group));
	ASSERT_EQ(-EEXIST, kvm_vfio_file(self->kdev, KVM_DEV_VFIO_FILE_ADD,
					 self->d.group));
	ASSERT_EQ(0, kvm_vfio_file(self->kdev, KVM_DEV_VFIO_FILE_DEL,
				   self->d.group));
	ASSERT_EQ(-ENOENT, kvm_vfio_file(self->kdev, KVM_DEV_VFIO_FILE_DEL,
					 self->d.group));
	close(null);
}

/*
 * vfio_file_set_kvm() hands the VM to the group; the device opened then
 * takes a reference (kvm_get_kvm_safe()) and keeps the VM alive after its
 * own files close, until the device closes (kvm_put_kvm()).
 */
TEST_F(kvm_vfio, open_device_holds_the_vm)
{
	ASSERT_EQ(0, kvm_vfio_file(self->kdev, KVM_DEV_VFIO_FILE_ADD,
				   self->d.group));
	ASSERT_LE(0, open_device(self));
	close_vm(self);
	usleep(10000);
	ASSERT_TRUE(exists(self->dir)) TH_LOG("VM gone while the device holds it");
	close(self->d.fd);
	self->d.fd = -1;
	ASSERT_FALSE(exists(self->dir)) TH_LOG("VM outlived the device");
}

/* Without the KVM-VFIO device the VM goes with its files (the control). */
TEST_F(kvm_vfio, without_the_device_the_vm_goes_at_once)
{
	ASSERT_LE(0, open_device(self));
	close_vm(self);
	ASSERT_FALSE(exists(self->dir));
}

/* A group removed from the KVM-VFIO device no longer passes the VM on. */
TEST_F(kvm_vfio, deleted_group_does_not_hold_the_vm)
{
	ASSERT_EQ(0, kvm_vfio_file(self->kdev, KVM_DEV_VFIO_FILE_ADD,
				   self->d.group));
	ASSERT_EQ(0, kvm_vfio_file(self->kdev, KVM_DEV_VFIO_FILE_DEL,
				   self->d.group));
	ASSERT_LE(0, open_device(self));
	close_vm(self);
	ASSERT_FALSE(exists(self->dir));
}

TEST_HARNESS_MAIN
