/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libvfio.h - VFIO from user space: mdev instances, IOMMU backends, devices,
 * dirty page tracking and migration, through the real uAPI
 *
 * An IOMMU backend (struct vfio_iommu) is a type1 container
 * (/dev/vfio/vfio) or an iommufd (/dev/iommu) that groups are attached to
 * in place of a container.  A device (struct vfio_dev) is an mdev's group,
 * or a PCI function's on vfio-pci, attached to one backend and the device
 * fd opened from it; several devices can share a backend.
 *
 * Raw functions return 0 (or a count) on success and -errno on failure,
 * and leave nothing behind when they fail.  Inside a kselftest-harness
 * test (include kselftest_harness.h first) each has asserting wrappers
 * beside it, in the style of tools/testing/selftests/iommu/iommufd_utils.h:
 * test_X(...) asserts that X(...) succeeds, test_err_X(E, ...) that it
 * fails with errno E.
 */
#ifndef _LIBVFIO_H
#define _LIBVFIO_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <linux/vfio.h>

#include "bitmap.h"

#define VFIO_UUID_LEN		37	/* an mdev UUID string and its NUL */

/* -errno of the call that just failed (-EIO if it set no errno) */
static inline int vfio_errno(void)
{
	return errno ? -errno : -EIO;
}

/* ---- mdev instances (sysfs) ---- */

int vfio_sysfs_read(const char *path, char *buf, size_t len);
int vfio_sysfs_write(const char *path, const char *val);
/* a number from a sysfs file (the first word of it) */
long vfio_sysfs_long(const char *path);

void mdev_uuid(char uuid[VFIO_UUID_LEN]);	/* a random (v4) UUID */
/* create an instance of @type (full type name) of @parent as @uuid */
int mdev_create_uuid(const char *parent, const char *type, const char *uuid);
/* the same with a fresh UUID, written to @uuid */
int mdev_create(const char *parent, const char *type,
		char uuid[VFIO_UUID_LEN]);
int mdev_remove(const char *uuid);
bool mdev_exists(const char *uuid);
long mdev_available(const char *parent, const char *type);
/* a type attribute: /sys/class/mdev_bus/PARENT/mdev_supported_types/TYPE/ */
int mdev_type_attr(const char *parent, const char *type, const char *attr,
		   char *buf, size_t len);
/* an instance attribute: /sys/bus/mdev/devices/UUID/ATTR (a number) */
long mdev_attr_long(const char *uuid, const char *attr);
int mdev_group(const char *uuid);	/* IOMMU group number */

/* ---- IOMMU backends ---- */

enum vfio_mode {
	VFIO_MODE_TYPE1,	/* container, VFIO_TYPE1v2_IOMMU */
	VFIO_MODE_IOMMUFD,	/* iommufd bound to the groups (compat IOAS) */
};

struct vfio_iommu {
	enum vfio_mode mode;
	int fd;			/* the container or the iommufd */
	__u32 ioas;		/* iommufd: the IOAS the groups are attached to */
	int groups;		/* groups attached */
};

int vfio_iommu_open(struct vfio_iommu *io, enum vfio_mode mode);
void vfio_iommu_close(struct vfio_iommu *io);

/* VFIO_DMA_MAP_FLAG_READ / _WRITE in @flags, for either mode */
int vfio_dma_map(struct vfio_iommu *io, __u64 iova, void *va, __u64 size,
		 __u32 flags);
/* exactly [@iova, @iova + @size): -EIO if the kernel unmapped otherwise */
int vfio_dma_unmap(struct vfio_iommu *io, __u64 iova, __u64 size);
#define VFIO_DMA_RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* ---- dirty page tracking (type1) ---- */

/* VFIO_IOMMU_DIRTY_PAGES with @flags (START, STOP, anything) */
int vfio_dirty_ctl(struct vfio_iommu *io, __u32 flags);
int vfio_dirty_start(struct vfio_iommu *io);
int vfio_dirty_stop(struct vfio_iommu *io);
/*
 * GET_BITMAP of [@iova, @iova + @size) at @pgsize into @bitmap of @bytes
 * bytes, as given (nothing is cleared or checked here).
 */
int vfio_dirty_get(struct vfio_iommu *io, __u64 iova, __u64 size,
		   __u64 pgsize, uint64_t *bitmap, __u64 bytes);
/* the same for BM_PAGE pages, into @bitmap cleared first */
int vfio_dirty_get_pages(struct vfio_iommu *io, __u64 iova, __u64 size,
			 uint64_t *bitmap);
/* UNMAP_DMA with GET_DIRTY_BITMAP (BM_PAGE pages) into @bitmap of @bytes */
int vfio_dma_unmap_dirty(struct vfio_iommu *io, __u64 iova, __u64 size,
			 uint64_t *bitmap, __u64 bytes);

/* "{1,5,100}": the set bits of the first @nbits of @bitmap, for messages */
const char *vfio_bitmap_str(const uint64_t *bitmap, uint64_t nbits,
			    char *buf, size_t len);

/*
 * The container's dirty scope, from the advisory flag
 * VFIO_IOMMU_TYPE1_MIGRATION_DEVICE_DIRTY of the migration capability:
 * VFIO_DIRTY_SCOPE_DEVICE while it is set (every device reports the pages
 * it writes), VFIO_DIRTY_SCOPE_PINNED while it is clear (pinned or mapped
 * pages are reported too; stock type1, which has no flag, always), or
 * -errno (-EPROTO: a malformed report).  This is the one place that knows
 * how the kernel reports the scope.
 */
int vfio_dirty_scope(struct vfio_iommu *io);
#define VFIO_DIRTY_SCOPE_DEVICE	1
#define VFIO_DIRTY_SCOPE_PINNED	2
/* "device", "pinned"; "unknown" else */
const char *vfio_dirty_scope_name(int scope);
/* VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL: DMA mappings the container may add */
long vfio_dma_avail(struct vfio_iommu *io);

/*
 * VFIO_IOMMU_GET_INFO: its fixed part into @info and capability @id (at
 * most @len bytes of it) into @cap; -ENOENT without it, -EPROTO if the
 * chain is malformed.
 */
int vfio_iommu_info_cap(struct vfio_iommu *io, __u16 id,
			struct vfio_iommu_type1_info *info, void *cap,
			size_t len);

/* ---- devices ---- */

struct vfio_dev {
	struct vfio_iommu *iommu;	/* attached to, NULL before */
	int group;
	int fd;
	char uuid[VFIO_UUID_LEN];
};

/* the three steps of vfio_dev_open(), for callers that need them apart */
int vfio_group_open(struct vfio_dev *d, const char *uuid);
int vfio_group_attach(struct vfio_dev *d, struct vfio_iommu *io);
int vfio_dev_get_fd(struct vfio_dev *d);
/* open mdev @uuid's group, attach it to @io, open the device */
int vfio_dev_open(struct vfio_dev *d, struct vfio_iommu *io,
		  const char *uuid);
/* the same for PCI function @bdf ("0000:00:01.0"), bound to vfio-pci */
int vfio_pci_group_open(struct vfio_dev *d, const char *bdf);
int vfio_pci_open(struct vfio_dev *d, struct vfio_iommu *io, const char *bdf);
/* closing the device and its group detaches the group from its backend */
void vfio_dev_close(struct vfio_dev *d);

/* ---- PCI functions (sysfs) ---- */

/* the first function @vendor:@device, as "0000:00:02.0" */
int pci_find(__u16 vendor, __u16 device, char bdf[VFIO_UUID_LEN]);
/* the driver bound to @bdf into @drv ("" if none) */
int pci_driver(const char *bdf, char *drv, size_t len);
/* bind @bdf to vfio-pci (driver_override, then a probe), as an admin does */
int pci_bind_vfio(const char *bdf);
int pci_group(const char *bdf);		/* IOMMU group number */

int vfio_region_info(struct vfio_dev *d, __u32 index,
		     struct vfio_region_info *info);
int vfio_region_offset(struct vfio_dev *d, __u32 index, __u64 *offset);
/* exactly @len bytes at @offset of the device fd (-EIO if short) */
int vfio_dev_read(struct vfio_dev *d, __u64 offset, void *buf, size_t len);
int vfio_dev_write(struct vfio_dev *d, __u64 offset, const void *buf,
		   size_t len);
int vfio_dev_reset(struct vfio_dev *d);

/* VFIO_DEVICE_SET_IRQS for IRQs start 0 .. @count - 1 of @index */
int vfio_irq_set(struct vfio_dev *d, __u32 index, __u32 flags, __u32 count,
		 const void *data, size_t len);
int vfio_irq_trigger(struct vfio_dev *d, __u32 index, int eventfd);
int vfio_irq_disable(struct vfio_dev *d, __u32 index);
int vfio_irq_unmask(struct vfio_dev *d, __u32 index);

/* ---- migration (v2) ---- */

/* SET to @state; the data fd in @data_fd if one is given back, else -1 */
int vfio_mig_set(struct vfio_dev *d, __u32 state, int *data_fd);
int vfio_mig_get(struct vfio_dev *d, __u32 *state);
int vfio_mig_data_size(struct vfio_dev *d, __u64 *stop_copy_length);
int vfio_precopy_info(int data_fd, struct vfio_precopy_info *info);
/* read until end of stream (STOP_COPY), ENOMSG (PRE_COPY) or @cap bytes */
long vfio_mig_read(int data_fd, void *buf, size_t cap);
int vfio_mig_write(int data_fd, const void *buf, size_t len);
const char *vfio_mig_state_name(__u32 state);

/* ---- the device's own dirty tracking (DMA logging, BM_PAGE pages) ---- */

int vfio_dma_log_start(struct vfio_dev *d, __u64 iova, __u64 length);
int vfio_dma_log_stop(struct vfio_dev *d);
/* read and clear the pages of [@iova, @iova + @length) the device wrote */
int vfio_dma_log_report(struct vfio_dev *d, __u64 iova, __u64 length,
			uint64_t *bitmap);

/* ---- asserting wrappers, inside kselftest-harness tests ---- */
#ifdef __KSELFTEST_HARNESS_H
#define __vfio_ok(call)		ASSERT_EQ(0, call)
#define __vfio_err(_e, call)	ASSERT_EQ(-(_e), call)

#define test_mdev_create(...)	__vfio_ok(mdev_create(__VA_ARGS__))
#define test_mdev_remove(...)	__vfio_ok(mdev_remove(__VA_ARGS__))
#define test_vfio_iommu_open(...) __vfio_ok(vfio_iommu_open(__VA_ARGS__))
#define test_vfio_dev_open(...)	__vfio_ok(vfio_dev_open(__VA_ARGS__))
#define test_err_vfio_dev_open(_e, ...) \
	__vfio_err(_e, vfio_dev_open(__VA_ARGS__))
#define test_vfio_pci_open(...)	__vfio_ok(vfio_pci_open(__VA_ARGS__))
#define test_pci_bind_vfio(bdf)	__vfio_ok(pci_bind_vfio(bdf))
#define test_vfio_iommu_info_cap(...) \
	__vfio_ok(vfio_iommu_info_cap(__VA_ARGS__))
#define test_vfio_dma_map(io, iova, va, size) \
	__vfio_ok(vfio_dma_map(io, iova, va, size, VFIO_DMA_RW))
#define test_err_vfio_dma_map(_e, ...) \
	__vfio_err(_e, vfio_dma_map(__VA_ARGS__))
#define test_vfio_dma_unmap(...) __vfio_ok(vfio_dma_unmap(__VA_ARGS__))
#define test_err_vfio_dma_unmap(_e, ...) \
	__vfio_err(_e, vfio_dma_unmap(__VA_ARGS__))
#define test_vfio_dma_unmap_dirty(...) \
	__vfio_ok(vfio_dma_unmap_dirty(__VA_ARGS__))
#define test_vfio_dirty_ctl(...) __vfio_ok(vfio_dirty_ctl(__VA_ARGS__))
#define test_err_vfio_dirty_ctl(_e, ...) \
	__vfio_err(_e, vfio_dirty_ctl(__VA_ARGS__))
#define test_vfio_dirty_start(io) __vfio_ok(vfio_dirty_start(io))
#define test_vfio_dirty_stop(io) __vfio_ok(vfio_dirty_stop(io))
#define test_vfio_dirty_get(...) __vfio_ok(vfio_dirty_get(__VA_ARGS__))
#define test_vfio_dirty_get_pages(...) \
	__vfio_ok(vfio_dirty_get_pages(__VA_ARGS__))
#define test_err_vfio_dirty_get(_e, ...) \
	__vfio_err(_e, vfio_dirty_get(__VA_ARGS__))
#define test_vfio_dev_reset(d)	__vfio_ok(vfio_dev_reset(d))
#define test_vfio_mig_set(...)	__vfio_ok(vfio_mig_set(__VA_ARGS__))
#define test_err_vfio_mig_set(_e, ...) \
	__vfio_err(_e, vfio_mig_set(__VA_ARGS__))
#define test_vfio_mig_state(d, _state) ({				\
	__u32 __st = ~0u;						\
	ASSERT_EQ(0, vfio_mig_get(d, &__st));				\
	ASSERT_EQ(_state, __st);					\
})
#define test_vfio_dma_log_start(...) __vfio_ok(vfio_dma_log_start(__VA_ARGS__))
#define test_err_vfio_dma_log_start(_e, ...) \
	__vfio_err(_e, vfio_dma_log_start(__VA_ARGS__))
#define test_vfio_dma_log_stop(d) __vfio_ok(vfio_dma_log_stop(d))
#define test_vfio_dma_log_report(...) \
	__vfio_ok(vfio_dma_log_report(__VA_ARGS__))
#define test_vfio_precopy_info(...) __vfio_ok(vfio_precopy_info(__VA_ARGS__))
#define test_err_vfio_precopy_info(_e, ...) \
	__vfio_err(_e, vfio_precopy_info(__VA_ARGS__))
#endif

#endif /* _LIBVFIO_H */
