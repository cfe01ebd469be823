/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw helpers of the VFIO dirty tracking selftests, without the
 * kselftest harness, so that tools (tools/dirty-cost.c) use them too: mdev
 * lifecycle through sysfs, container/group/device setup through the real
 * VFIO uAPI, and the test mdev's private ioctls.  Each returns 0 (or a
 * value) on success and -errno on failure.
 */
#ifndef __DIRTY_RAW_H
#define __DIRTY_RAW_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>
#include "dirty_test_mdev.h"

#define PAGE		4096UL
#define DTM_TYPES	"/sys/class/mdev_bus/vfio_dirty_test/mdev_supported_types"

static inline int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Create a test mdev of @type ("reporting" or "plain"); fills @uuid. */
static inline int dtm_create_raw(const char *type, char uuid[37])
{
	static unsigned int seq;
	char path[256];

	snprintf(uuid, 37, "%08x-0000-4000-8000-%012x", getpid(), ++seq);
	snprintf(path, sizeof(path), DTM_TYPES "/vfio_dirty_test-%s/create",
		 type);
	return sysfs_write(path, uuid);
}

static inline int mdev_remove_raw(const char *uuid)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", uuid);
	return sysfs_write(path, "1");
}

static inline int mdev_group_raw(const char *uuid)
{
	char path[256], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	return atoi(strrchr(link, '/') + 1);
}

/* Open the mdev's group into @container (type1 v2 set on first use). */
static inline int vfio_open_device_raw(int container, const char *uuid,
				       int *group_fd, int *device_fd)
{
	char path[64];
	int group = mdev_group_raw(uuid), fd;

	if (group < 0)
		return group;
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	*group_fd = open(path, O_RDWR);
	if (*group_fd < 0)
		return -errno;
	if (ioctl(*group_fd, VFIO_GROUP_SET_CONTAINER, &container))
		return -errno;
	/* The second group of a container finds the IOMMU already set. */
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) &&
	    errno != EINVAL && errno != EBUSY)
		return -errno;
	fd = ioctl(*group_fd, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (fd < 0)
		return -errno;
	*device_fd = fd;
	return 0;
}

static inline int map_dma_raw(int container, uint64_t iova, void *va,
			      uint64_t size, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = flags,
		.vaddr = (uintptr_t)va, .iova = iova, .size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static inline int unmap_dma_raw(int container, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = iova, .size = size,
	};

	return ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
}

/* UNMAP_DMA with GET_DIRTY_BITMAP into @bitmap (one bit per page). */
static inline int unmap_dma_dirty_raw(int container, uint64_t iova,
				      uint64_t size, uint64_t *bitmap,
				      uint64_t bitmap_bytes)
{
	char buf[sizeof(struct vfio_iommu_type1_dma_unmap) +
		 sizeof(struct vfio_bitmap)] = {};
	struct vfio_iommu_type1_dma_unmap *unmap = (void *)buf;
	struct vfio_bitmap *bm = (void *)unmap->data;

	unmap->argsz = sizeof(buf);
	unmap->flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	unmap->iova = iova;
	unmap->size = size;
	bm->pgsize = PAGE;
	bm->size = bitmap_bytes;
	bm->data = (__u64 *)bitmap;
	return ioctl(container, VFIO_IOMMU_UNMAP_DMA, unmap) ? -errno : 0;
}

static inline int dirty_ctl_raw(int container, uint32_t flag)
{
	struct vfio_iommu_type1_dirty_bitmap d = {
		.argsz = sizeof(d), .flags = flag,
	};

	return ioctl(container, VFIO_IOMMU_DIRTY_PAGES, &d) ? -errno : 0;
}

static inline int get_bitmap_raw(int container, uint64_t iova, uint64_t size,
				 uint64_t pgsize, uint64_t *bitmap,
				 uint64_t bitmap_bytes)
{
	char buf[sizeof(struct vfio_iommu_type1_dirty_bitmap) +
		 sizeof(struct vfio_iommu_type1_dirty_bitmap_get)] = {};
	struct vfio_iommu_type1_dirty_bitmap *d = (void *)buf;
	struct vfio_iommu_type1_dirty_bitmap_get *g = (void *)d->data;

	d->argsz = sizeof(buf);
	d->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	g->iova = iova;
	g->size = size;
	g->bitmap.pgsize = pgsize;
	g->bitmap.size = bitmap_bytes;
	g->bitmap.data = (__u64 *)bitmap;
	return ioctl(container, VFIO_IOMMU_DIRTY_PAGES, buf) ? -errno : 0;
}

/* The container's dirty scope from GET_INFO, or -errno / 0 if absent. */
static inline int get_scope_raw(int container)
{
	uint64_t buf[512] = {};
	struct vfio_iommu_type1_info *info = (void *)buf;
	struct vfio_info_cap_header *hdr;
	uint32_t off;

	info->argsz = sizeof(buf);
	if (ioctl(container, VFIO_IOMMU_GET_INFO, info))
		return -errno;
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS))
		return 0;
	for (off = info->cap_offset; off; off = hdr->next) {
		if (off + sizeof(*hdr) > sizeof(buf))
			return -E2BIG;
		hdr = (void *)((char *)buf + off);
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_DIRTY_SCOPE) {
			struct vfio_iommu_type1_info_cap_dirty_scope *c =
				(void *)hdr;

			if (hdr->version != 1 || c->reserved)
				return -EPROTO;
			return c->scope;
		}
	}
	return 0;
}

static inline int dtm_pin_raw(int dev, uint64_t iova, uint64_t npages,
			      uint32_t flags)
{
	struct dtm_pin p = { .argsz = sizeof(p), .flags = flags,
			     .iova = iova, .npages = npages };

	return ioctl(dev, DTM_PIN, &p) ? -errno : 0;
}

static inline int dtm_unpin_raw(int dev, uint64_t iova, uint64_t npages,
				uint32_t flags)
{
	struct dtm_pin p = { .argsz = sizeof(p), .flags = flags,
			     .iova = iova, .npages = npages };

	return ioctl(dev, DTM_UNPIN, &p) ? -errno : 0;
}

static inline int dtm_mark_raw(int dev, uint64_t iova, uint64_t length)
{
	struct dtm_mark m = { .argsz = sizeof(m), .iova = iova,
			      .length = length };

	return ioctl(dev, DTM_MARK, &m) ? -errno : 0;
}

static inline int dtm_rw_raw(int dev, uint64_t iova, void *data,
			     uint64_t length, bool write)
{
	struct dtm_rw rw = { .argsz = sizeof(rw),
			     .flags = write ? DTM_WRITE : 0, .iova = iova,
			     .length = length, .data = (uintptr_t)data };

	return ioctl(dev, DTM_RW, &rw) ? -errno : 0;
}

static inline int dtm_info_raw(int dev, struct dtm_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return ioctl(dev, DTM_INFO, info) ? -errno : 0;
}

#endif
