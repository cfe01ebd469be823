// SPDX-License-Identifier: GPL-2.0-only
/*
 * svgpu_gem.c - buffer objects of the sample vGPU: shmem GEM objects bound
 * into the device's GTT
 *
 * A buffer gets GTT addresses the first time the device needs it (a
 * submission lists it, it is scanned out or written back, or user space
 * asks where it is) and keeps them until it is freed: its pages stay
 * pinned and DMA-mapped as long as the GTT maps them, so the device never
 * sees a page that moved.  Freeing clears the entries first (the device
 * drops its pins) and only then releases the pages.  Submissions and
 * framebuffers hold references, so a buffer is never freed while the
 * device may still use it.
 *
 * GTT entries are written one 8-byte MMIO access each (the high half first
 * where the CPU splits it: io-64-nonatomic-hi-lo), which the device takes
 * as one entry each.
 */
#include <linux/dma-resv.h>
#include <linux/io-64-nonatomic-hi-lo.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/sample_vgpu_drm.h>

#include "svgpu_drv.h"

static_assert(PAGE_SIZE == VGPU_PAGE_SIZE,
	      "a GTT entry maps one 4 KiB page");

#define SVGPU_BO_MAX_SIZE	SZ_1G

static void svgpu_gtt_set(struct svgpu_device *sdev, u64 index, u64 val)
{
	writeq(val, sdev->mmio + VGPU_GTT_WINDOW + 8 * index);
}

/* Find GTT room for @pages pages; gtt_lock held. */
static int svgpu_gtt_insert(struct svgpu_device *sdev,
			    struct drm_mm_node *node, u64 pages)
{
	lockdep_assert_held(&sdev->gtt_lock);
	return drm_mm_insert_node(&sdev->gtt_mm, node, pages);
}

/**
 * svgpu_gtt_map_dma() - map contiguous DMA memory at a new GTT range
 * @sdev: device
 * @node: the range, not allocated yet
 * @dma: DMA address of the first page
 * @pages: pages
 *
 * Return: 0 or -ENOSPC.
 */
int svgpu_gtt_map_dma(struct svgpu_device *sdev, struct drm_mm_node *node,
		      dma_addr_t dma, u32 pages)
{
	u32 i;
	int ret;

	mutex_lock(&sdev->gtt_lock);
	ret = svgpu_gtt_insert(sdev, node, pages);
	for (i = 0; !ret && i < pages; i++)
		svgpu_gtt_set(sdev, node->start + i,
			      (dma + (u64)i * SVGPU_PAGE) | VGPU_GTT_VALID);
	mutex_unlock(&sdev->gtt_lock);
	return ret;
}

/* Free a GTT range, clearing its entries first if @clear. */
static void __svgpu_gtt_unmap(struct svgpu_device *sdev,
			      struct drm_mm_node *node, bool clear)
{
	u64 i;

	mutex_lock(&sdev->gtt_lock);
	for (i = 0; clear && i < node->size; i++)
		svgpu_gtt_set(sdev, node->start + i, 0);
	drm_mm_remove_node(node);
	mutex_unlock(&sdev->gtt_lock);
}

/**
 * svgpu_gtt_unmap() - clear a GTT range's entries and free the range
 * @sdev: device, BAR mapped
 * @node: an allocated range
 */
void svgpu_gtt_unmap(struct svgpu_device *sdev, struct drm_mm_node *node)
{
	__svgpu_gtt_unmap(sdev, node, true);
}

static void svgpu_gtt_release(struct drm_device *drm, void *arg)
{
	struct svgpu_device *sdev = to_svgpu(drm);

	drm_mm_takedown(&sdev->gtt_mm);
	mutex_destroy(&sdev->gtt_lock);
}

/**
 * svgpu_gtt_init() - the GTT allocator over the device's aperture
 * @sdev: device, GTT registers read
 *
 * The allocator lives as long as the DRM device: buffers may outlive the
 * PCI function (an open file after unbind).
 *
 * Return: 0 or -ENOMEM.
 */
int svgpu_gtt_init(struct svgpu_device *sdev)
{
	mutex_init(&sdev->gtt_lock);
	drm_mm_init(&sdev->gtt_mm, 0, sdev->gtt_entries);
	return drmm_add_action_or_reset(&sdev->drm, svgpu_gtt_release, NULL);
}

/**
 * svgpu_bo_bind() - give a buffer GTT addresses, if it has none yet
 * @bo: buffer
 *
 * Pins the buffer's pages and DMA-maps them (for as long as the buffer
 * lives), finds GTT room and programs an entry per page.  May sleep.
 *
 * Return: 0, -ENOSPC when the GTT is full, or the errno of getting pages.
 */
int svgpu_bo_bind(struct svgpu_bo *bo)
{
	struct svgpu_device *sdev = to_svgpu(bo->base.base.dev);
	struct sg_dma_page_iter it;
	struct sg_table *sgt;
	u64 i;
	int ret;

	if (READ_ONCE(bo->bound))
		return 0;
	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	mutex_lock(&sdev->gtt_lock);
	ret = 0;
	if (bo->bound)
		goto out;
	ret = svgpu_gtt_insert(sdev, &bo->node,
			       bo->base.base.size >> PAGE_SHIFT);
	if (ret)
		goto out;
	i = bo->node.start;
	for_each_sgtable_dma_page(sgt, &it, 0)
		svgpu_gtt_set(sdev, i++,
			      sg_page_iter_dma_address(&it) | VGPU_GTT_VALID);
	WRITE_ONCE(bo->bound, true);
out:
	mutex_unlock(&sdev->gtt_lock);
	return ret;
}

static void svgpu_bo_free(struct drm_gem_object *obj)
{
	struct svgpu_bo *bo = to_svgpu_bo(obj);
	int idx;

	/*
	 * The device lets go of the pages before they are released; a device
	 * already gone has no BAR left to clear its entries through.
	 */
	if (bo->bound) {
		if (drm_dev_enter(obj->dev, &idx)) {
			svgpu_gtt_unmap(to_svgpu(obj->dev), &bo->node);
			drm_dev_exit(idx);
		} else {
			__svgpu_gtt_unmap(to_svgpu(obj->dev), &bo->node, false);
		}
	}
	drm_gem_shmem_free(&bo->base);
}

static const struct drm_gem_object_funcs svgpu_bo_funcs = {
	.free = svgpu_bo_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * svgpu_gem_create_object() - drm_driver.gem_create_object: our buffer
 * @drm: DRM device
 * @size: bytes
 *
 * Return: the object, or an ERR_PTR.
 */
struct drm_gem_object *svgpu_gem_create_object(struct drm_device *drm,
					       size_t size)
{
	struct svgpu_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &svgpu_bo_funcs;
	bo->base.map_wc = false;	/* the device is coherent */
	return &bo->base.base;
}

/**
 * svgpu_gem_create_ioctl() - DRM_IOCTL_SVGPU_GEM_CREATE
 * @drm: DRM device
 * @data: struct drm_svgpu_gem_create
 * @file: DRM file
 *
 * Return: 0 or a negative errno.
 */
int svgpu_gem_create_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct drm_svgpu_gem_create *args = data;
	struct drm_gem_shmem_object *shmem;
	int ret;

	if (args->flags || args->pad || args->pad2)
		return -EINVAL;
	if (!args->size || args->size > SVGPU_BO_MAX_SIZE)
		return -EINVAL;
	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	drm_gem_object_put(&shmem->base);
	return ret;
}

/**
 * svgpu_gem_mmap_offset_ioctl() - DRM_IOCTL_SVGPU_GEM_MMAP_OFFSET
 * @drm: DRM device
 * @data: struct drm_svgpu_gem_mmap_offset
 * @file: DRM file
 *
 * Return: 0 or a negative errno.
 */
int svgpu_gem_mmap_offset_ioctl(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct drm_svgpu_gem_mmap_offset *args = data;

	if (args->pad)
		return -EINVAL;
	return drm_gem_dumb_map_offset(file, drm, args->handle, &args->offset);
}

/**
 * svgpu_gem_info_ioctl() - DRM_IOCTL_SVGPU_GEM_INFO: bind, say where
 * @drm: DRM device
 * @data: struct drm_svgpu_gem_info
 * @file: DRM file
 *
 * Return: 0 or a negative errno.
 */
int svgpu_gem_info_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_svgpu_gem_info *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = svgpu_bo_bind(to_svgpu_bo(obj));
	if (!ret) {
		args->gtt_addr = svgpu_bo_gtt(to_svgpu_bo(obj));
		args->size = obj->size;
	}
	drm_gem_object_put(obj);
	return ret;
}

/* The error of a signalled fence of ours on @obj, or 0. */
static int svgpu_resv_error(struct drm_gem_object *obj,
			    enum dma_resv_usage usage)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	int err = 0;

	dma_resv_iter_begin(&cursor, obj->resv, usage);
	dma_resv_for_each_fence_unlocked(&cursor, fence) {
		if (dma_fence_is_signaled(fence) && fence->error)
			err = fence->error;
	}
	dma_resv_iter_end(&cursor);
	return err;
}

/**
 * svgpu_gem_wait_ioctl() - DRM_IOCTL_SVGPU_GEM_WAIT
 * @drm: DRM device
 * @data: struct drm_svgpu_gem_wait
 * @file: DRM file
 *
 * Return: 0, -ETIME, -EIO or -ECANCELED (see the uAPI), or another
 * negative errno.
 */
int svgpu_gem_wait_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_svgpu_gem_wait *args = data;
	enum dma_resv_usage usage;
	struct drm_gem_object *obj;
	unsigned long timeout;
	long ret;

	if (args->flags & ~SVGPU_WAIT_WRITERS_ONLY || args->timeout_ns < 0)
		return -EINVAL;
	usage = args->flags & SVGPU_WAIT_WRITERS_ONLY ? DMA_RESV_USAGE_WRITE :
							 DMA_RESV_USAGE_READ;
	timeout = nsecs_to_jiffies(args->timeout_ns);
	if (args->timeout_ns && timeout < MAX_SCHEDULE_TIMEOUT)
		timeout++;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	if (args->timeout_ns)
		ret = dma_resv_wait_timeout(obj->resv, usage, true, timeout);
	else
		ret = dma_resv_test_signaled(obj->resv, usage);
	if (!ret)
		ret = -ETIME;
	else if (ret > 0)
		ret = svgpu_resv_error(obj, usage);
	drm_gem_object_put(obj);
	return ret;
}
