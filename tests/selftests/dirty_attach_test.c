// SPDX-License-Identifier: GPL-2.0
/*
 * The container's dirty scope is decided when a group is attached, before
 * any of its devices is opened (QEMU reads VFIO_IOMMU_GET_INFO before it
 * opens devices), and conservatively: VFIO_DIRTY_SCOPE_DEVICE (the
 * advisory VFIO_IOMMU_TYPE1_MIGRATION_DEVICE_DIRTY) only while every
 * attached group is an emulated IOMMU group whose device reports its
 * writes.  What a report holds is decided per pin: attaching a group whose
 * device does not report its writes leaves the clean pins of the others
 * clean, and that device's own writable pins are dirty.
 */
#include "dirty_utils.h"

#define IOVA	0x100000UL
#define PG(i)	(IOVA + (uint64_t)(i) * PAGE)

FIXTURE(attach) {
	struct vfio_iommu io;
	struct vfio_dev fine, plain;	/* groups of the two types */
	char fine_uuid[VFIO_UUID_LEN], plain_uuid[VFIO_UUID_LEN];
	void *mem;
};

static int attach_acquire(FIXTURE_DATA(attach) *self)
{
	int ret = vfio_iommu_open(&self->io, VFIO_MODE_TYPE1);

	if (!ret)
		ret = dtm_create("reporting", self->fine_uuid);
	if (!ret)
		ret = dtm_create("plain", self->plain_uuid);
	if (!ret)
		ret = vfio_group_open(&self->fine, self->fine_uuid);
	if (!ret)
		ret = vfio_group_open(&self->plain, self->plain_uuid);
	self->mem = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ret && self->mem == MAP_FAILED)
		ret = -ENOMEM;
	return ret;
}

static int attach_release(FIXTURE_DATA(attach) *self)
{
	int ret = 0, r;

	vfio_dev_close(&self->fine);
	vfio_dev_close(&self->plain);
	vfio_iommu_close(&self->io);
	r = self->fine_uuid[0] ? mdev_remove(self->fine_uuid) : 0;
	ret = ret ? ret : r;
	r = self->plain_uuid[0] ? mdev_remove(self->plain_uuid) : 0;
	ret = ret ? ret : r;
	if (self->mem != MAP_FAILED)
		munmap(self->mem, 64 * PAGE);
	return ret;
}

FIXTURE_SETUP(attach)
{
	int ret;

	if (vfio_variant_is("stock"))
		SKIP(return, "stock type1 has no dirty scope");
	memset(self, 0, sizeof(*self));
	self->io.fd = self->fine.group = self->fine.fd = -1;
	self->plain.group = self->plain.fd = -1;
	ret = attach_acquire(self);
	if (ret)
		attach_release(self);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(attach)
{
	EXPECT_EQ(0, attach_release(self));
}

TEST_F(attach, reporting_group_is_device_scope_before_open)
{
	ASSERT_EQ(0, vfio_group_attach(&self->fine, &self->io));
	ASSERT_EQ(VFIO_DIRTY_SCOPE_DEVICE, vfio_dirty_scope(&self->io));
}

/* A plain group on an empty container: never device scope. */
TEST_F(attach, plain_group_is_pinned_scope_before_open)
{
	ASSERT_EQ(0, vfio_group_attach(&self->plain, &self->io));
	ASSERT_EQ(VFIO_DIRTY_SCOPE_PINNED, vfio_dirty_scope(&self->io));
}

TEST_F(attach, plain_group_widens_at_attach_and_narrows_at_detach)
{
	ASSERT_EQ(0, vfio_group_attach(&self->fine, &self->io));
	ASSERT_EQ(VFIO_DIRTY_SCOPE_DEVICE, vfio_dirty_scope(&self->io));
	ASSERT_EQ(0, vfio_group_attach(&self->plain, &self->io));
	ASSERT_EQ(VFIO_DIRTY_SCOPE_PINNED, vfio_dirty_scope(&self->io));
	vfio_dev_close(&self->plain);
	ASSERT_EQ(VFIO_DIRTY_SCOPE_DEVICE, vfio_dirty_scope(&self->io));
}

/* Read-and-clear report of the 64 mapped pages; bit i is page i. */
#define EXPECT_BM(want) do {						\
	uint64_t __bm = 0;						\
	test_vfio_dirty_get(&self->io, IOVA, 64 * PAGE, PAGE, &__bm, 8);\
	ASSERT_EQ((uint64_t)(want), __bm)				\
		TH_LOG("want %#llx got %#llx",				\
		       (unsigned long long)(want),			\
		       (unsigned long long)__bm);			\
} while (0)

/*
 * While tracking: the reporting device's clean pins stay clean when a
 * plain device joins and pins; the plain device's writable pin is dirty,
 * its read-only pin is not, and its pin is reported once more after it
 * goes.
 */
TEST_F(attach, reports_are_decided_per_pin)
{
	ASSERT_EQ(0, vfio_group_attach(&self->fine, &self->io));
	ASSERT_EQ(0, vfio_dev_get_fd(&self->fine));
	test_vfio_dma_map(&self->io, IOVA, self->mem, 64 * PAGE);
	test_vfio_dirty_start(&self->io);
	test_dtm_pin(&self->fine, PG(20), 1, DTM_CLEAN);
	EXPECT_BM(0);

	ASSERT_EQ(0, vfio_group_attach(&self->plain, &self->io));
	ASSERT_EQ(0, vfio_dev_get_fd(&self->plain));
	ASSERT_EQ(VFIO_DIRTY_SCOPE_PINNED, vfio_dirty_scope(&self->io));
	EXPECT_BM(0);
	test_dtm_pin(&self->plain, PG(30), 1, 0);
	test_dtm_pin(&self->plain, PG(31), 1, DTM_READONLY);
	test_dtm_pin(&self->fine, PG(21), 1, DTM_CLEAN);
	EXPECT_BM(1ULL << 30);
	EXPECT_BM(1ULL << 30);
	test_dtm_mark(&self->fine, PG(21), 1);
	EXPECT_BM(1ULL << 21 | 1ULL << 30);

	/* the plain device goes (its close unpins): its page once more */
	vfio_dev_close(&self->plain);
	ASSERT_EQ(VFIO_DIRTY_SCOPE_DEVICE, vfio_dirty_scope(&self->io));
	EXPECT_BM(1ULL << 30);
	EXPECT_BM(0);
	test_dtm_unpin(&self->fine, PG(20), 1, DTM_CLEAN);
	test_dtm_unpin(&self->fine, PG(21), 1, DTM_CLEAN);
}

TEST_HARNESS_MAIN
