// SPDX-License-Identifier: GPL-2.0-only
/*
 * dtm.c - the test mdev's instances and private ioctls
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "libdtm.h"

bool dtm_present(void)
{
	return access("/sys/class/mdev_bus/" DTM_PARENT, F_OK) == 0;
}

int dtm_create(const char *kind, char uuid[VFIO_UUID_LEN])
{
	char type[64];

	snprintf(type, sizeof(type), DTM_PARENT "-%s", kind);
	return mdev_create(DTM_PARENT, type, uuid);
}

static int dtm_pin_ioctl(struct vfio_dev *d, unsigned long cmd, __u64 iova,
			 __u64 npages, __u32 flags)
{
	struct dtm_pin p = { .argsz = sizeof(p), .flags = flags,
			     .iova = iova, .npages = npages };

	return ioctl(d->fd, cmd, &p) ? vfio_errno() : 0;
}

int dtm_pin(struct vfio_dev *d, __u64 iova, __u64 npages, __u32 flags)
{
	return dtm_pin_ioctl(d, DTM_PIN, iova, npages, flags);
}

int dtm_unpin(struct vfio_dev *d, __u64 iova, __u64 npages, __u32 flags)
{
	return dtm_pin_ioctl(d, DTM_UNPIN, iova, npages, flags);
}

int dtm_mark_flags(struct vfio_dev *d, __u64 iova, __u64 length,
		   __u32 flags)
{
	struct dtm_mark m = { .argsz = sizeof(m), .flags = flags,
			      .iova = iova, .length = length };

	return ioctl(d->fd, DTM_MARK, &m) ? vfio_errno() : 0;
}

int dtm_mark(struct vfio_dev *d, __u64 iova, __u64 length)
{
	return dtm_mark_flags(d, iova, length, 0);
}

int dtm_rw(struct vfio_dev *d, __u64 iova, void *data, __u64 length,
	   bool write)
{
	struct dtm_rw rw = { .argsz = sizeof(rw),
			     .flags = write ? DTM_WRITE : 0, .iova = iova,
			     .length = length, .data = (uintptr_t)data };

	return ioctl(d->fd, DTM_RW, &rw) ? vfio_errno() : 0;
}

int dtm_dev_write(struct vfio_dev *d, __u64 iova, const void *data,
		  __u64 length, __u32 flags)
{
	struct dtm_dev_write w = { .argsz = sizeof(w), .flags = flags,
				   .iova = iova, .length = length,
				   .data = (uintptr_t)data };

	return ioctl(d->fd, DTM_DEV_WRITE, &w) ? vfio_errno() : 0;
}

static int dtm_config(struct vfio_dev *d, __u32 flags, __u32 ms)
{
	struct dtm_config cfg = { .argsz = sizeof(cfg), .flags = flags,
				  .unmap_delay_ms = ms };

	return ioctl(d->fd, DTM_CONFIG, &cfg) ? vfio_errno() : 0;
}

int dtm_unmap_delay(struct vfio_dev *d, __u32 ms)
{
	return dtm_config(d, 0, ms);
}

int dtm_unmap_hold(struct vfio_dev *d, __u32 max_ms)
{
	return dtm_config(d, DTM_CONFIG_UNMAP_HOLD, max_ms);
}

int dtm_info(struct vfio_dev *d, struct dtm_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return ioctl(d->fd, DTM_INFO, info) ? vfio_errno() : 0;
}
