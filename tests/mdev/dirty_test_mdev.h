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
 * vfio_pin_pages() call per page.  DTM_CLEAN selects clean intent
 * (vfio_pin_pages_clean()), DTM_READONLY pins with IOMMU_READ only.  An
 * unpin must match pins this device holds with the same intent (-EINVAL
 * otherwise, nothing unpinned).  A failed pin unwinds and pins nothing.
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

/* DTM_INFO: what the device holds now. */
struct dtm_info {
	__u32	argsz;
	__u32	flags;
#define DTM_INFO_REPORTS_DIRTY	(1 << 0)	/* declared reports_dirty */
#define DTM_INFO_STOCK		(1 << 1)	/* built for stock VFIO */
	__u64	pinned_dirty;	/* dirty-intent pins held */
	__u64	pinned_clean;	/* clean-intent pins held */
	__u64	unmap_unpins;	/* pins released from dma_unmap */
};

#define DTM_PIN		_IOW(DTM_IOC_TYPE, 0, struct dtm_pin)
#define DTM_UNPIN	_IOW(DTM_IOC_TYPE, 1, struct dtm_pin)
#define DTM_MARK	_IOW(DTM_IOC_TYPE, 2, struct dtm_mark)
#define DTM_RW		_IOW(DTM_IOC_TYPE, 3, struct dtm_rw)
#define DTM_INFO	_IOR(DTM_IOC_TYPE, 4, struct dtm_info)

#endif /* _UAPI_DIRTY_TEST_MDEV_H */
