// SPDX-License-Identifier: GPL-2.0-only
/*
 * dirty.c - the sample vGPU's own dirty tracker
 *
 * Every byte range a command writes is recorded by guest IOVA, rounded out
 * to whole pages and merged with the pending range when they touch.  A flush
 * (at the end of each command, before any interrupt for it) reports the
 * pending range through vfio_mark_dirty() when the instance declared the
 * fine-grained capability, and counts the pages either way, so the counters
 * are the device's own ground truth of what it wrote.
 *
 * Runs with v->lock held, so no dma_unmap can remove a mapping between the
 * write and its report.
 */
#include <linux/lockdep.h>

#include "dirty.h"
#include "vgpu.h"

#define VGPU_HOST_PAGE_MASK	(~((u64)PAGE_SIZE - 1))

/**
 * vgpu_dirty_flush() - report the pending range, if any
 * @v: device
 */
void vgpu_dirty_flush(struct vgpu_dev *v)
{
	struct vgpu_dirty *d = &v->dirty;
	u64 len = d->end - d->start;
	int ret;

	lockdep_assert_held(&v->lock);
	if (!d->end)
		return;
	atomic64_add(len >> PAGE_SHIFT, &v->cnt.dirty_pages);
	vgpu_log_record(v, d->start, d->end);
	if (v->fine_dirty) {
		ret = vgpu_vfio_mark_dirty(v, d->start, len);
		atomic64_inc(&v->cnt.dirty_marks);
		if (ret) {
			atomic64_inc(&v->cnt.mark_errors);
			dev_warn_ratelimited(v->vdev.dev,
					     "mark dirty %#llx+%#llx: %d\n",
					     d->start, len, ret);
		}
	}
	d->start = 0;
	d->end = 0;
}

/**
 * vgpu_dirty_record() - record bytes written at a guest IOVA
 * @v: device
 * @iova: first byte written
 * @len: bytes written, non-zero
 */
void vgpu_dirty_record(struct vgpu_dev *v, dma_addr_t iova, u32 len)
{
	struct vgpu_dirty *d = &v->dirty;
	u64 start = iova & VGPU_HOST_PAGE_MASK;
	u64 end = ((u64)iova + len + PAGE_SIZE - 1) & VGPU_HOST_PAGE_MASK;

	lockdep_assert_held(&v->lock);
	if (d->end && start <= d->end && end >= d->start) {
		d->start = min(d->start, start);
		d->end = max(d->end, end);
		return;
	}
	vgpu_dirty_flush(v);
	d->start = start;
	d->end = end;
}
