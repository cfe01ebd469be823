// SPDX-License-Identifier: GPL-2.0-only
/*
 * device.c - a device's group and fd (an mdev, or a PCI function on
 * vfio-pci): open, regions, reset, IRQs
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "libvfio.h"

/* Open group @id for the device named @name (an mdev UUID, a PCI address). */
static int group_open(struct vfio_dev *d, int id, const char *name)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];

	memset(d, 0, sizeof(*d));
	d->group = d->fd = -1;
	snprintf(d->uuid, sizeof(d->uuid), "%s", name);
	if (id < 0)
		return id;
	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	d->group = open(path, O_RDWR);
	if (d->group < 0)
		return vfio_errno();
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status)) {
		id = vfio_errno();
		vfio_dev_close(d);
		return id;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		vfio_dev_close(d);
		return -EBUSY;
	}
	return 0;
}

int vfio_group_open(struct vfio_dev *d, const char *uuid)
{
	return group_open(d, mdev_group(uuid), uuid);
}

int vfio_pci_group_open(struct vfio_dev *d, const char *bdf)
{
	return group_open(d, pci_group(bdf), bdf);
}

int vfio_dev_get_fd(struct vfio_dev *d)
{
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->uuid);
	return d->fd < 0 ? vfio_errno() : 0;
}

/* the group already open in @d: attach it to @io, open the device */
static int dev_attach_open(struct vfio_dev *d, struct vfio_iommu *io)
{
	int ret = vfio_group_attach(d, io);

	if (!ret)
		ret = vfio_dev_get_fd(d);
	if (ret)
		vfio_dev_close(d);
	return ret;
}

int vfio_dev_open(struct vfio_dev *d, struct vfio_iommu *io,
		  const char *uuid)
{
	int ret = vfio_group_open(d, uuid);

	return ret ? ret : dev_attach_open(d, io);
}

int vfio_pci_open(struct vfio_dev *d, struct vfio_iommu *io, const char *bdf)
{
	int ret = vfio_pci_group_open(d, bdf);

	return ret ? ret : dev_attach_open(d, io);
}

void vfio_dev_close(struct vfio_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->group >= 0)
		close(d->group);
	if (d->iommu)
		d->iommu->groups--;
	d->iommu = NULL;
	d->fd = d->group = -1;
}

int vfio_region_info(struct vfio_dev *d, __u32 index,
		     struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, info) ?
	       vfio_errno() : 0;
}

int vfio_region_offset(struct vfio_dev *d, __u32 index, __u64 *offset)
{
	struct vfio_region_info info;
	int ret = vfio_region_info(d, index, &info);

	if (!ret)
		*offset = info.offset;
	return ret;
}

int vfio_dev_read(struct vfio_dev *d, __u64 offset, void *buf, size_t len)
{
	ssize_t n = pread(d->fd, buf, len, offset);

	if (n < 0)
		return vfio_errno();
	return (size_t)n == len ? 0 : -EIO;
}

int vfio_dev_write(struct vfio_dev *d, __u64 offset, const void *buf,
		   size_t len)
{
	ssize_t n = pwrite(d->fd, buf, len, offset);

	if (n < 0)
		return vfio_errno();
	return (size_t)n == len ? 0 : -EIO;
}

int vfio_dev_reset(struct vfio_dev *d)
{
	return ioctl(d->fd, VFIO_DEVICE_RESET) ? vfio_errno() : 0;
}

int vfio_irq_set(struct vfio_dev *d, __u32 index, __u32 flags, __u32 count,
		 const void *data, size_t len)
{
	__u64 buf[(sizeof(struct vfio_irq_set) + 8) / 8] = {};
	struct vfio_irq_set *set = (void *)buf;

	if (len > 8)
		return -EINVAL;
	set->argsz = sizeof(*set) + len;
	set->flags = flags;
	set->index = index;
	set->start = 0;
	set->count = count;
	if (len)
		memcpy(set->data, data, len);
	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set) ? vfio_errno() : 0;
}

int vfio_irq_trigger(struct vfio_dev *d, __u32 index, int eventfd)
{
	__s32 fd = eventfd;

	return vfio_irq_set(d, index, VFIO_IRQ_SET_DATA_EVENTFD |
			    VFIO_IRQ_SET_ACTION_TRIGGER, 1, &fd, sizeof(fd));
}

int vfio_irq_disable(struct vfio_dev *d, __u32 index)
{
	return vfio_irq_set(d, index, VFIO_IRQ_SET_DATA_NONE |
			    VFIO_IRQ_SET_ACTION_TRIGGER, 0, NULL, 0);
}

int vfio_irq_unmask(struct vfio_dev *d, __u32 index)
{
	return vfio_irq_set(d, index, VFIO_IRQ_SET_DATA_NONE |
			    VFIO_IRQ_SET_ACTION_UNMASK, 1, NULL, 0);
}
