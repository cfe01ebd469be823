// SPDX-License-Identifier: GPL-2.0-only
/*
 * dirty.c - the sample vGPU's own dirty tracker
 *
 * Every byte range a command writes is recorded by guest IOVA, rounded out
 * to whole pages, and merged with a pending range it touches; up to
 * VGPU_DIRTY_RANGES disjoint ranges are kept.  A flush (once per
 * submission, before the worker releases the device, or earlier when the
 * ranges run out) reports each pending range with one vfio_mark_dirty()
 * call when the instance declared the fine-grained capability, and counts
 * the pages either way, so the counters are the device's own ground truth
 * of what it wrote.  A submission that streams through a buffer thus costs
 * one call, not one per command or per page.
 *
 * Runs with v->lock held, so no dma_unmap can remove a mapping between the
 * write and its report, and the device cannot stop (STOP drains the worker)
 * before its writes are reported.
 */
#include <linux/lockdep.h>

#include "dirty.h"
#include "vgpu.h"

#define VGPU_HOST_PAGE_MASK	(~((u64)PAGE_SIZE - 1))

static void vgpu_dirty_report(struct vgpu_dev *v,
			      const struct vgpu_dirty_range *r)
{
	u64 len = r->end - r->start;
	int ret;

	atomic64_add(len >> PAGE_SHIFT, &v->cnt.dirty_pages);
	vgpu_log_record(v, r->start, r->end);
	if (!v->fine_dirty)
		return;
	ret = vgpu_vfio_mark_dirty(v, r->start, len);
	atomic64_inc(&v->cnt.dirty_marks);
	if (ret) {
		atomic64_inc(&v->cnt.mark_errors);
		dev_warn_ratelimited(v->vdev.dev, "mark dirty %#llx+%#llx: %d\n",
				     r->start, len, ret);
	}
}

/**
 * vgpu_dirty_flush() - report the pending ranges, if any
 * @v: device
 */
void vgpu_dirty_flush(struct vgpu_dev *v)
{
	struct vgpu_dirty *d = &v->dirty;
	unsigned int i;

	lockdep_assert_held(&v->lock);
	for (i = 0; i < d->n; i++)
		vgpu_dirty_report(v, &d->r[i]);
	d->n = 0;
	d->last = 0;
}

static bool vgpu_dirty_touch(const struct vgpu_dirty_range *r, u64 start,
			     u64 end)
{
	return start <= r->end && end >= r->start;
}

/* Grow range @i by [start, end), then absorb the ranges it now touches. */
static void vgpu_dirty_merge(struct vgpu_dirty *d, unsigned int i, u64 start,
			     u64 end)
{
	struct vgpu_dirty_range *r = &d->r[i];
	unsigned int j = 0;

	r->start = min(r->start, start);
	r->end = max(r->end, end);
	while (j < d->n) {
		if (j == i || !vgpu_dirty_touch(&d->r[j], r->start, r->end)) {
			j++;
			continue;
		}
		r->start = min(r->start, d->r[j].start);
		r->end = max(r->end, d->r[j].end);
		/* move the last range into slot j */
		d->r[j] = d->r[--d->n];
		if (i == d->n) {
			i = j;
			r = &d->r[i];
		}
	}
	d->last = i;
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
	unsigned int i;

	lockdep_assert_held(&v->lock);
	/* streaming writes extend the range of the previous write */
	if (d->n && start >= d->r[d->last].start && end <= d->r[d->last].end)
		return;
	if (d->n && vgpu_dirty_touch(&d->r[d->last], start, end)) {
		vgpu_dirty_merge(d, d->last, start, end);
		return;
	}
	for (i = 0; i < d->n; i++) {
		if (vgpu_dirty_touch(&d->r[i], start, end)) {
			vgpu_dirty_merge(d, i, start, end);
			return;
		}
	}
	if (d->n == VGPU_DIRTY_RANGES)
		vgpu_dirty_flush(v);
	d->r[d->n].start = start;
	d->r[d->n].end = end;
	d->last = d->n++;
}
