// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommu.c - IOMMU backends (type1 container, iommufd), DMA mappings, dirty
 * page tracking and the dirty scope
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>

#include "libvfio.h"

int vfio_iommu_open(struct vfio_iommu *io, enum vfio_mode mode)
{
	memset(io, 0, sizeof(*io));
	io->mode = mode;
	io->fd = open(mode == VFIO_MODE_IOMMUFD ? "/dev/iommu" :
		      "/dev/vfio/vfio", O_RDWR);
	if (io->fd < 0)
		return vfio_errno();
	if (mode == VFIO_MODE_TYPE1 &&
	    (ioctl(io->fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	     ioctl(io->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0)) {
		vfio_iommu_close(io);
		return -ENODEV;
	}
	return 0;
}

void vfio_iommu_close(struct vfio_iommu *io)
{
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
	io->groups = 0;
	io->ioas = 0;
}

/*
 * Attach @d's group to @io in place of a container.  The first group sets
 * the backend up: type1 needs its IOMMU model, an iommufd tells the IOAS
 * it attached the group to.
 */
int vfio_group_attach(struct vfio_dev *d, struct vfio_iommu *io)
{
	struct iommu_vfio_ioas v = { .size = sizeof(v),
				     .op = IOMMU_VFIO_IOAS_GET };
	int ret = 0;

	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &io->fd))
		return vfio_errno();
	if (!io->groups && io->mode == VFIO_MODE_TYPE1 &&
	    ioctl(io->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		ret = vfio_errno();
	if (!io->groups && io->mode == VFIO_MODE_IOMMUFD) {
		if (ioctl(io->fd, IOMMU_VFIO_IOAS, &v))
			ret = vfio_errno();
		io->ioas = v.ioas_id;
	}
	if (ret) {
		ioctl(d->group, VFIO_GROUP_UNSET_CONTAINER);
		return ret;
	}
	d->iommu = io;
	io->groups++;
	return 0;
}

static int ioas_map(struct vfio_iommu *io, __u64 iova, void *va,
		    __u64 size, __u32 flags)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA |
			 (flags & VFIO_DMA_MAP_FLAG_READ ?
			  IOMMU_IOAS_MAP_READABLE : 0) |
			 (flags & VFIO_DMA_MAP_FLAG_WRITE ?
			  IOMMU_IOAS_MAP_WRITEABLE : 0),
		.ioas_id = io->ioas,
		.user_va = (uintptr_t)va,
		.length = size,
		.iova = iova,
	};

	return ioctl(io->fd, IOMMU_IOAS_MAP, &m) ? vfio_errno() : 0;
}

int vfio_dma_map(struct vfio_iommu *io, __u64 iova, void *va, __u64 size,
		 __u32 flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	if (io->mode == VFIO_MODE_IOMMUFD)
		return ioas_map(io, iova, va, size, flags);
	return ioctl(io->fd, VFIO_IOMMU_MAP_DMA, &map) ? vfio_errno() : 0;
}

int vfio_dma_unmap(struct vfio_iommu *io, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = io->ioas,
		.iova = iova,
		.length = size,
	};

	if (io->mode == VFIO_MODE_IOMMUFD) {
		if (ioctl(io->fd, IOMMU_IOAS_UNMAP, &u))
			return vfio_errno();
		return u.length == size ? 0 : -EIO;
	}
	if (ioctl(io->fd, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return vfio_errno();
	return unmap.size == size ? 0 : -EIO;
}

int vfio_dma_unmap_dirty(struct vfio_iommu *io, __u64 iova, __u64 size,
			 uint64_t *bitmap, __u64 bytes)
{
	char buf[sizeof(struct vfio_iommu_type1_dma_unmap) +
		 sizeof(struct vfio_bitmap)] = {};
	struct vfio_iommu_type1_dma_unmap *unmap = (void *)buf;
	struct vfio_bitmap *bm = (void *)unmap->data;

	if (io->mode != VFIO_MODE_TYPE1)
		return -EOPNOTSUPP;
	unmap->argsz = sizeof(buf);
	unmap->flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	unmap->iova = iova;
	unmap->size = size;
	bm->pgsize = BM_PAGE;
	bm->size = bytes;
	bm->data = (__u64 *)bitmap;
	return ioctl(io->fd, VFIO_IOMMU_UNMAP_DMA, unmap) ? vfio_errno() : 0;
}

int vfio_dirty_ctl(struct vfio_iommu *io, __u32 flags)
{
	struct vfio_iommu_type1_dirty_bitmap db = {
		.argsz = sizeof(db),
		.flags = flags,
	};

	if (io->mode != VFIO_MODE_TYPE1)
		return -EOPNOTSUPP;
	return ioctl(io->fd, VFIO_IOMMU_DIRTY_PAGES, &db) ? vfio_errno() : 0;
}

int vfio_dirty_start(struct vfio_iommu *io)
{
	return vfio_dirty_ctl(io, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
}

int vfio_dirty_stop(struct vfio_iommu *io)
{
	return vfio_dirty_ctl(io, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
}

int vfio_dirty_get(struct vfio_iommu *io, __u64 iova, __u64 size,
		   __u64 pgsize, uint64_t *bitmap, __u64 bytes)
{
	char buf[sizeof(struct vfio_iommu_type1_dirty_bitmap) +
		 sizeof(struct vfio_iommu_type1_dirty_bitmap_get)] = {};
	struct vfio_iommu_type1_dirty_bitmap *db = (void *)buf;
	struct vfio_iommu_type1_dirty_bitmap_get *range = (void *)db->data;

	if (io->mode != VFIO_MODE_TYPE1)
		return -EOPNOTSUPP;
	db->argsz = sizeof(buf);
	db->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	range->iova = iova;
	range->size = size;
	range->bitmap.pgsize = pgsize;
	range->bitmap.size = bytes;
	range->bitmap.data = (__u64 *)bitmap;
	return ioctl(io->fd, VFIO_IOMMU_DIRTY_PAGES, db) ? vfio_errno() : 0;
}

int vfio_dirty_get_pages(struct vfio_iommu *io, __u64 iova, __u64 size,
			 uint64_t *bitmap)
{
	__u64 bytes = bm_words(size / BM_PAGE) * 8;

	memset(bitmap, 0, bytes);
	return vfio_dirty_get(io, iova, size, BM_PAGE, bitmap, bytes);
}

const char *vfio_bitmap_str(const uint64_t *bitmap, uint64_t nbits,
			    char *buf, size_t len)
{
	size_t o = snprintf(buf, len, "{");
	uint64_t i;

	for (i = 0; i < nbits && o + 24 < len; i++)
		if (bm_test(bitmap, i))
			o += snprintf(buf + o, len - o, "%llu,",
				      (unsigned long long)i);
	snprintf(buf + o - (o > 1), len - o + (o > 1), "}");
	return buf;
}

int vfio_iommu_info_cap(struct vfio_iommu *io, __u16 id,
			struct vfio_iommu_type1_info *info, void *cap,
			size_t len)
{
	__u64 buf[512] = {};
	struct vfio_iommu_type1_info *i = (void *)buf;
	struct vfio_info_cap_header *hdr;
	__u32 off, n = 0;

	if (io->mode != VFIO_MODE_TYPE1)
		return -EOPNOTSUPP;
	i->argsz = sizeof(buf);
	if (ioctl(io->fd, VFIO_IOMMU_GET_INFO, i))
		return vfio_errno();
	if (i->argsz > sizeof(buf))
		return -E2BIG;
	*info = *i;
	if (!(i->flags & VFIO_IOMMU_INFO_CAPS))
		return -ENOENT;
	for (off = i->cap_offset; off; off = hdr->next) {
		if (off + sizeof(*hdr) > sizeof(buf) || ++n > 64)
			return -EPROTO;
		hdr = (void *)((char *)buf + off);
		if (hdr->id != id)
			continue;
		if (off + len > sizeof(buf))
			return -EPROTO;
		memcpy(cap, hdr, len);
		return 0;
	}
	return -ENOENT;
}

int vfio_dirty_scope(struct vfio_iommu *io)
{
	struct vfio_iommu_type1_info_cap_migration cap;
	struct vfio_iommu_type1_info info;
	int ret = vfio_iommu_info_cap(io, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
				      &info, &cap, sizeof(cap));

	if (ret)
		return ret;
	if (cap.header.version != 1 ||
	    cap.flags & ~VFIO_IOMMU_TYPE1_MIGRATION_DEVICE_DIRTY)
		return -EPROTO;
	return cap.flags & VFIO_IOMMU_TYPE1_MIGRATION_DEVICE_DIRTY ?
	       VFIO_DIRTY_SCOPE_DEVICE : VFIO_DIRTY_SCOPE_PINNED;
}

const char *vfio_dirty_scope_name(int scope)
{
	switch (scope) {
	case VFIO_DIRTY_SCOPE_DEVICE:
		return "device";
	case VFIO_DIRTY_SCOPE_PINNED:
		return "pinned";
	default:
		return "unknown";
	}
}

long vfio_dma_avail(struct vfio_iommu *io)
{
	struct vfio_iommu_type1_info_dma_avail cap;
	struct vfio_iommu_type1_info info;
	int ret = vfio_iommu_info_cap(io, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
				      &info, &cap, sizeof(cap));

	return ret ? ret : cap.avail;
}
