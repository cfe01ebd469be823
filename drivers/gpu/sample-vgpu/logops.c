// SPDX-License-Identifier: GPL-2.0-only
/*
 * logops.c - VFIO DMA logging (vfio_log_ops) from the same dirty tracker
 *
 * Built only where the kernel can report DMA logs: CONFIG_IOMMUFD_DRIVER
 * built in (iova_bitmap_*() real, not stubs).  On a kernel without it the
 * driver offers no log_ops at all, since user space prefers DMA logging
 * when a device offers it and would then fail at report time.
 *
 * The log is one bitmap of PAGE_SIZE pages per range user space asked for.
 * vgpu_dirty_flush() sets the pages of every flushed range in it, under
 * v->lock, whether or not the instance reports through vfio_mark_dirty().
 */
#include <linux/interval_tree.h>
#include <linux/iova_bitmap.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "vgpu.h"

#if IS_BUILTIN(CONFIG_IOMMUFD_DRIVER)

/* iova_bitmap_set() is exported in the IOMMUFD namespace */
VGPU_IMPORT_NS(IOMMUFD);

#define VGPU_LOG_MAX_RANGES	256
#define VGPU_LOG_MAX_PAGES	BIT(26)	/* 256 GiB, 8 MiB of bitmap */

struct vgpu_log_range {
	unsigned long start;	/* page aligned */
	unsigned long last;
	unsigned long *bits;
};

struct vgpu_log {
	u32 nr;
	struct vgpu_log_range r[] __counted_by(nr);
};

static void vgpu_log_free(struct vgpu_log *log)
{
	u32 i;

	if (!log)
		return;
	for (i = 0; i < log->nr; i++)
		kvfree(log->r[i].bits);
	kfree(log);
}

static struct vgpu_log *vgpu_log_alloc(struct rb_root_cached *ranges,
				       u32 nnodes)
{
	struct interval_tree_node *node;
	unsigned long pages = 0;
	struct vgpu_log *log;
	u32 i = 0;

	if (!nnodes || nnodes > VGPU_LOG_MAX_RANGES)
		return ERR_PTR(-E2BIG);
	log = kzalloc(struct_size(log, r, nnodes), GFP_KERNEL_ACCOUNT);
	if (!log)
		return ERR_PTR(-ENOMEM);
	/* the count first: r[] is __counted_by(nr); unused slots stay empty */
	log->nr = nnodes;
	for (node = interval_tree_iter_first(ranges, 0, ULONG_MAX);
	     node && i < nnodes;
	     node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct vgpu_log_range *r = &log->r[i++];
		unsigned long n = (node->last - node->start) / PAGE_SIZE + 1;

		pages += n;
		if (pages > VGPU_LOG_MAX_PAGES) {
			vgpu_log_free(log);
			return ERR_PTR(-E2BIG);
		}
		r->start = node->start;
		r->last = node->last;
		r->bits = kvcalloc(BITS_TO_LONGS(n), sizeof(long),
				   GFP_KERNEL_ACCOUNT);
		if (!r->bits) {
			vgpu_log_free(log);
			return ERR_PTR(-ENOMEM);
		}
	}
	log->nr = i;
	return log;
}

static int vgpu_log_start(struct vfio_device *vdev,
			  struct rb_root_cached *ranges, u32 nnodes,
			  u64 *page_size)
{
	struct vgpu_dev *v = vdev_to_vgpu(vdev);
	struct vgpu_log *log;
	int ret = 0;

	/* The tracker works in host pages; tell user space so. */
	*page_size = PAGE_SIZE;
	log = vgpu_log_alloc(ranges, nnodes);
	if (IS_ERR(log))
		return PTR_ERR(log);
	mutex_lock(&v->lock);
	if (v->log)
		ret = -EBUSY;
	else
		v->log = log;
	mutex_unlock(&v->lock);
	if (ret)
		vgpu_log_free(log);
	return ret;
}

static int vgpu_log_stop(struct vfio_device *vdev)
{
	struct vgpu_dev *v = vdev_to_vgpu(vdev);
	struct vgpu_log *log;

	mutex_lock(&v->lock);
	log = v->log;
	v->log = NULL;
	mutex_unlock(&v->lock);
	vgpu_log_free(log);
	return 0;
}

static void vgpu_log_report_range(struct vgpu_log_range *r,
				  unsigned long iova, unsigned long last,
				  struct iova_bitmap *dirty)
{
	unsigned long bit = (max(iova, r->start) - r->start) / PAGE_SIZE;
	unsigned long end = (min(last, r->last) - r->start) / PAGE_SIZE + 1;

	for_each_set_bit_from(bit, r->bits, end) {
		iova_bitmap_set(dirty, r->start + bit * PAGE_SIZE, PAGE_SIZE);
		clear_bit(bit, r->bits);
	}
}

static int vgpu_log_read_and_clear(struct vfio_device *vdev,
				   unsigned long iova, unsigned long length,
				   struct iova_bitmap *dirty)
{
	struct vgpu_dev *v = vdev_to_vgpu(vdev);
	unsigned long last = iova + length - 1;
	int ret = 0;
	u32 i;

	mutex_lock(&v->lock);
	if (!v->log) {
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < v->log->nr; i++) {
		struct vgpu_log_range *r = &v->log->r[i];

		if (r->last >= iova && r->start <= last)
			vgpu_log_report_range(r, iova, last, dirty);
	}
out:
	mutex_unlock(&v->lock);
	return ret;
}

static const struct vfio_log_ops vgpu_log_ops = {
	.log_start = vgpu_log_start,
	.log_stop = vgpu_log_stop,
	.log_read_and_clear = vgpu_log_read_and_clear,
};

/**
 * vgpu_log_record() - set written pages in the DMA log, if logging
 * @v: device, v->lock held
 * @start: first byte, page aligned
 * @last: last byte of the range (inclusive), the end of a page
 */
void vgpu_log_record(struct vgpu_dev *v, u64 start, u64 last)
{
	u32 i;

	lockdep_assert_held(&v->lock);
	if (!v->log)
		return;
	for (i = 0; i < v->log->nr; i++) {
		struct vgpu_log_range *r = &v->log->r[i];
		unsigned long s, e;

		if (r->last < start || r->start > last)
			continue;
		s = max_t(u64, start, r->start);
		e = min_t(u64, last, r->last);
		bitmap_set(r->bits, (s - r->start) / PAGE_SIZE,
			   (e - s) / PAGE_SIZE + 1);
	}
}

/**
 * vgpu_log_declare() - offer DMA logging (static property, before
 * registration)
 * @v: device
 */
void vgpu_log_declare(struct vgpu_dev *v)
{
	v->vdev.log_ops = &vgpu_log_ops;
}

/**
 * vgpu_log_release() - drop the log on close
 * @v: device
 */
void vgpu_log_release(struct vgpu_dev *v)
{
	vgpu_log_stop(&v->vdev);
}

#endif /* IS_BUILTIN(CONFIG_IOMMUFD_DRIVER) */
