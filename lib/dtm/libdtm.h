/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libdtm.h - the test mdev (tests/mdev, module dirty_test_mdev): instances
 * and its private ioctls on the VFIO device fd (dirty_test_mdev.h), which
 * pin, unpin, mark and write exact IOVA ranges
 *
 * Raw functions return 0 or -errno; test_X() / test_err_X() assert inside
 * kselftest-harness tests, as in libvfio.h.
 */
#ifndef _LIBDTM_H
#define _LIBDTM_H

#include <stdbool.h>
#include "libvfio.h"
#include "dirty_test_mdev.h"

#define DTM_PARENT	"vfio_dirty_test"

bool dtm_present(void);
/* an instance of type vfio_dirty_test-@kind ("reporting" or "plain") */
int dtm_create(const char *kind, char uuid[VFIO_UUID_LEN]);

int dtm_pin(struct vfio_dev *d, __u64 iova, __u64 npages, __u32 flags);
int dtm_unpin(struct vfio_dev *d, __u64 iova, __u64 npages, __u32 flags);
int dtm_mark_flags(struct vfio_dev *d, __u64 iova, __u64 length,
		   __u32 flags);
int dtm_mark(struct vfio_dev *d, __u64 iova, __u64 length);
int dtm_rw(struct vfio_dev *d, __u64 iova, void *data, __u64 length,
	   bool write);
/* DTM_DEV_WRITE: pin clean, write, mark (DTM_DEV_WRITE_DEFER: later), unpin */
int dtm_dev_write(struct vfio_dev *d, __u64 iova, const void *data,
		  __u64 length, __u32 flags);
/* DTM_CONFIG: every dma_unmap callback of the device sleeps @ms first */
int dtm_unmap_delay(struct vfio_dev *d, __u32 ms);
/*
 * DTM_CONFIG_UNMAP_HOLD: every dma_unmap callback waits for the release
 * (dtm_unmap_delay(d, 0)), at most @max_ms
 */
int dtm_unmap_hold(struct vfio_dev *d, __u32 max_ms);
int dtm_info(struct vfio_dev *d, struct dtm_info *info);

#ifdef __KSELFTEST_HARNESS_H
#define test_dtm_create(...)	__vfio_ok(dtm_create(__VA_ARGS__))
#define test_dtm_pin(...)	__vfio_ok(dtm_pin(__VA_ARGS__))
#define test_err_dtm_pin(_e, ...) __vfio_err(_e, dtm_pin(__VA_ARGS__))
#define test_dtm_unpin(...)	__vfio_ok(dtm_unpin(__VA_ARGS__))
#define test_err_dtm_unpin(_e, ...) __vfio_err(_e, dtm_unpin(__VA_ARGS__))
#define test_dtm_mark(...)	__vfio_ok(dtm_mark(__VA_ARGS__))
#define test_err_dtm_mark(_e, ...) __vfio_err(_e, dtm_mark(__VA_ARGS__))
#define test_dtm_rw(...)	__vfio_ok(dtm_rw(__VA_ARGS__))
#define test_err_dtm_rw(_e, ...) __vfio_err(_e, dtm_rw(__VA_ARGS__))
#define test_dtm_info(...)	__vfio_ok(dtm_info(__VA_ARGS__))
#define test_dtm_dev_write(...)	__vfio_ok(dtm_dev_write(__VA_ARGS__))
#define test_dtm_unmap_delay(...) __vfio_ok(dtm_unmap_delay(__VA_ARGS__))
#define test_dtm_unmap_hold(...) __vfio_ok(dtm_unmap_hold(__VA_ARGS__))
#endif

#endif /* _LIBDTM_H */
