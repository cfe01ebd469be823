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
 * one call, not one per command or per page.  Ranges are kept as [start,
 * last], inclusive, so that one may end at the top of the IOVA space.
 *
 * Runs with v->lock held, so no dma_unmap can remove a mapping between the
 * write and its report, and the device cannot stop (STOP drains the worker)
 * before its writes are reported.
 */
#include <linux/lockdep.h>

#include "dirty.h"
#include "vgpu.h"

#define VGPU_HOST_PAGE_MASK	(~((u64)PAGE_SIZE - 1))

/* vfio_mark_dirty() of [start, start + len), counted */
static void vgpu_dirty_mark(struct vgpu_dev *v, u64 start, u64 len)
{
	int ret = vgpu_vfio_mark_dirty(v, start, len);

	atomic64_inc(&v->cnt.dirty_marks);
	if (ret) {
		atomic64_inc(&v->cnt.mark_errors);
		dev_warn_ratelimited(v->vdev.dev, "mark dirty %#llx+%#llx: %d\n",
				     start, len, ret);
	}
}

static void vgpu_dirty_report(struct vgpu_dev *v,
			      const struct vgpu_dirty_range *r)
{
	u64 len = r->last - r->start + 1;	/* 0: all of the IOVA space */

	atomic64_add(((r->last - r->start) >> PAGE_SHIFT) + 1,
		     &v->cnt.dirty_pages);
	vgpu_log_record(v, r->start, r->last);
	if (!v->fine_dirty)
		return;
	if (len) {
		vgpu_dirty_mark(v, r->start, len);
		return;
	}
	vgpu_dirty_mark(v, 0, 1ull << 63);
	vgpu_dirty_mark(v, 1ull << 63, 1ull << 63);
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

/* [start, last] overlaps or adjoins @r (no sum may wrap at 2^64) */
static bool vgpu_dirty_touch(const struct vgpu_dirty_range *r, u64 start,
			     u64 last)
{
	return (r->last == U64_MAX || start <= r->last + 1) &&
	       (last == U64_MAX || last + 1 >= r->start);
}

/* Grow range @i by [start, last], then absorb the ranges it now touches. */
static void vgpu_dirty_merge(struct vgpu_dirty *d, unsigned int i, u64 start,
			     u64 last)
{
	struct vgpu_dirty_range *r = &d->r[i];
	unsigned int j = 0;

	r->start = min(r->start, start);
	r->last = max(r->last, last);
	while (j < d->n) {
		if (j == i || !vgpu_dirty_touch(&d->r[j], r->start, r->last)) {
			j++;
			continue;
		}
		r->start = min(r->start, d->r[j].start);
		r->last = max(r->last, d->r[j].last);
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
	u64 last = (u64)iova + len - 1;
	unsigned int i;

	lockdep_assert_held(&v->lock);
	last = last < iova ? U64_MAX : last | ~VGPU_HOST_PAGE_MASK;
	/* streaming writes extend the range of the previous write */
	if (d->n && start >= d->r[d->last].start && last <= d->r[d->last].last)
		return;
	if (d->n && vgpu_dirty_touch(&d->r[d->last], start, last)) {
		vgpu_dirty_merge(d, d->last, start, last);
		return;
	}
	for (i = 0; i < d->n; i++) {
		if (vgpu_dirty_touch(&d->r[i], start, last)) {
			vgpu_dirty_merge(d, i, start, last);
			return;
		}
	}
	if (d->n == VGPU_DIRTY_RANGES)
		vgpu_dirty_flush(v);
	d->r[d->n].start = start;
	d->r[d->n].last = last;
	d->last = d->n++;
}
