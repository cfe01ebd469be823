/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Test-only mdev for VFIO dirty page tracking selftests: private ioctls on
 * the VFIO device fd that pin, unpin, mark and write exact IOVA ranges.
 * Never needed by users.
 */
#ifndef _UAPI_DIRTY_TEST_MDEV_H
#define _UAPI_DIRTY_TEST_MDEV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define DTM_IOC_TYPE	'D'

/*
 * DTM_PIN / DTM_UNPIN: pin or unpin @npages pages from @iova, one
 * vfio_pin_pages() / vfio_unpin_pages() call per page.  DTM_CLEAN pins with
 * VFIO_PIN_CLEAN, DTM_READONLY with IOMMU_READ only (else IOMMU_READ |
 * IOMMU_WRITE).  An unpin must match pins this device holds with the same
 * DTM_CLEAN flag (-EINVAL otherwise, nothing unpinned); VFIO itself is told
 * no intent.  A failed pin unwinds and pins nothing.
 */
struct dtm_pin {
	__u32	argsz;
	__u32	flags;
#define DTM_CLEAN	(1 << 0)
#define DTM_READONLY	(1 << 1)
	__u64	iova;
	__u64	npages;
};

#define DTM_MAX_PIN_PAGES	65536

/* DTM_MARK: vfio_mark_dirty(@iova, @length); returns its result. */
struct dtm_mark {
	__u32	argsz;
	__u32	flags;		/* zero */
	__u64	iova;
	__u64	length;
};

/*
 * DTM_RW: vfio_dma_rw() of @length bytes between @iova and the user
 * buffer @data; DTM_WRITE writes guest memory.
 */
struct dtm_rw {
	__u32	argsz;
	__u32	flags;
#define DTM_WRITE	(1 << 0)
	__u64	iova;
	__u64	length;
	__u64	data;
};

#define DTM_MAX_RW	(1 << 20)

/*
 * DTM_DEV_WRITE: copy @length bytes from the user buffer @data to guest memory
 * at @iova the way a device that reports its writes does: pin each page
 * clean, write it through the kernel mapping, then vfio_mark_dirty() the
 * range and unpin.  DTM_DEV_WRITE_DEFER keeps the pins and defers the mark: the
 * device then marks, and unpins, at DTM_FLUSH, in its dma_unmap callback
 * (before it unpins the range) or when closed.  At most DTM_MAX_RW bytes.
 */
struct dtm_dev_write {
	__u32	argsz;
	__u32	flags;
#define DTM_DEV_WRITE_DEFER	(1 << 0)
	__u64	iova;
	__u64	length;
	__u64	data;
};

/*
 * DTM_CONFIG: @unmap_delay_ms: every dma_unmap callback of this device first
 * sleeps that long (at most 10 s), holding none of its own locks.  For the
 * race tests.  With DTM_CONFIG_UNMAP_HOLD it waits instead until a later
 * DTM_CONFIG without the flag releases it, for at most @unmap_delay_ms;
 * dtm_info.unmap_calls tells the test that a callback has begun its wait.
 */
struct dtm_config {
	__u32	argsz;
	__u32	flags;
#define DTM_CONFIG_UNMAP_HOLD	(1 << 0)
	__u32	unmap_delay_ms;
	__u32	reserved;	/* zero */
};

/* DTM_INFO: what the device holds now. */
struct dtm_info {
	__u32	argsz;
	__u32	flags;
#define DTM_INFO_REPORTS_DIRTY	(1 << 0)	/* declared reports_dirty */
#define DTM_INFO_STOCK		(1 << 1)	/* built for stock VFIO */
	__u64	pinned_dirty;	/* dirty-intent pins held */
	__u64	pinned_clean;	/* clean-intent pins held */
	__u64	unmap_unpins;	/* pins released from dma_unmap */
	__u64	unmap_calls;	/* dma_unmap callbacks begun (non-empty) */
};

#define DTM_PIN		_IOW(DTM_IOC_TYPE, 0, struct dtm_pin)
#define DTM_UNPIN	_IOW(DTM_IOC_TYPE, 1, struct dtm_pin)
#define DTM_MARK	_IOW(DTM_IOC_TYPE, 2, struct dtm_mark)
#define DTM_RW		_IOW(DTM_IOC_TYPE, 3, struct dtm_rw)
#define DTM_INFO	_IOR(DTM_IOC_TYPE, 4, struct dtm_info)
#define DTM_DEV_WRITE	_IOW(DTM_IOC_TYPE, 5, struct dtm_dev_write)
#define DTM_FLUSH	_IO(DTM_IOC_TYPE, 6)
#define DTM_CONFIG	_IOW(DTM_IOC_TYPE, 7, struct dtm_config)

#endif /* _UAPI_DIRTY_TEST_MDEV_H */
