// SPDX-License-Identifier: GPL-2.0-only
/*
 * svgpu_submit.c - DRM_IOCTL_SVGPU_SUBMIT: check user commands, run them
 *
 * The device has one GTT for everyone, so the kernel decides what a
 * submission may touch: every command is decoded with the device's own
 * decoder (cmd_parser.c, the same checks the device makes), and every byte
 * range it reads must lie within one buffer the submission lists, every
 * range it writes within one it lists as written.  Only NOOP, FILL, COPY,
 * WRITE_DATA and FENCE without an interrupt are allowed: no batch buffers
 * (the kernel copies the commands it checked into the ring, nothing the
 * device fetches later), no register loads.  A submission the kernel
 * accepts thus cannot make the device fail, and cannot reach another
 * client's memory or the ring.
 */
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/sample_vgpu_drm.h>

#include "cmd_parser.h"
#include "svgpu_drv.h"

/**
 * struct svgpu_span - GTT range of a listed buffer
 * @start: first byte
 * @end: byte after the last
 * @write: commands may write it
 */
struct svgpu_span {
	u64 start;
	u64 end;
	bool write;
};

/* [@addr, @addr + @bytes) within one listed buffer (writable if @write)? */
static bool svgpu_span_ok(const struct svgpu_span *span, u32 n, u32 addr,
			  u32 bytes, bool write)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (addr >= span[i].start && (u64)addr + bytes <= span[i].end &&
		    (span[i].write || !write))
			return true;
	return false;
}

static int svgpu_check_cmd(const struct vgpu_cmd *cmd,
			   const struct svgpu_span *span, u32 n)
{
	switch (cmd->opcode) {
	case VGPU_OP_NOOP:
		return 0;
	case VGPU_OP_COPY:
		if (!svgpu_span_ok(span, n, cmd->src, cmd->bytes, false))
			return -EINVAL;
		fallthrough;
	case VGPU_OP_FILL:
	case VGPU_OP_WRITE_DATA:
		return svgpu_span_ok(span, n, cmd->addr, cmd->bytes, true) ?
		       0 : -EINVAL;
	case VGPU_OP_FENCE:
		if (cmd->flags)
			return -EINVAL;	/* interrupts are the kernel's */
		return svgpu_span_ok(span, n, cmd->addr, 4, true) ? 0 : -EINVAL;
	}
	return -EINVAL;		/* BATCH_START, LOAD_REGISTER */
}

/*
 * Decode and check every command; count them (the kernel's FENCE
 * included) and the bytes they write into @job's budget.
 */
static int svgpu_check_cmds(struct svgpu_device *sdev, struct svgpu_job *job,
			    const u32 *cmds, u32 ndw,
			    const struct svgpu_span *span, u32 n)
{
	u32 aperture = min_t(u64, (u64)sdev->gtt_entries * SVGPU_PAGE, U32_MAX);
	u32 pos = 0, ncmds = 1, bytes = 4;
	struct vgpu_cmd cmd;
	int ret;

	while (pos < ndw) {
		if (vgpu_decode_cmd(cmds + pos, ndw - pos, aperture, &cmd))
			return -EINVAL;
		ret = svgpu_check_cmd(&cmd, span, n);
		if (ret)
			return ret;
		ncmds++;
		bytes += cmd.writes;
		if (ncmds > VGPU_MAX_CMDS_PER_SUBMIT ||
		    bytes > VGPU_MAX_BYTES_PER_SUBMIT)
			return -E2BIG;
		pos += cmd.ndw;
	}
	job->cmds = ncmds;
	job->bytes = bytes;
	return 0;
}

/*
 * Look the listed handles up into @job (references), bind them, and note
 * their GTT ranges.  A handle listed twice is an error.
 */
static int svgpu_lookup_bos(struct drm_file *file, struct svgpu_job *job,
			    const struct drm_svgpu_bo *bos, u32 n,
			    struct svgpu_span *span)
{
	struct svgpu_bo *bo;
	u32 i, j;
	int ret;

	for (i = 0; i < n; i++) {
		if (bos[i].flags & ~SVGPU_BO_FLAGS)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (bos[j].handle == bos[i].handle)
				return -EINVAL;
		job->bos[i] = drm_gem_object_lookup(file, bos[i].handle);
		if (!job->bos[i])
			return -ENOENT;
		job->nbos++;
		bo = to_svgpu_bo(job->bos[i]);
		ret = svgpu_bo_bind(bo);
		if (ret)
			return ret;
		span[i].start = svgpu_bo_gtt(bo);
		span[i].end = span[i].start + job->bos[i]->size;
		span[i].write = bos[i].flags & SVGPU_BO_WRITE;
	}
	return 0;
}

/*
 * Wait for the fences of other contexts (another device, the CPU) on the
 * buffers: what they write must be done before the device reads, and
 * what they read before the device writes.  The ring's own fences need no
 * wait: it runs in order.
 */
static int svgpu_wait_foreign(struct svgpu_device *sdev,
			      struct svgpu_job *job,
			      const struct svgpu_span *span)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	long ret = 0;
	u32 i;

	for (i = 0; i < job->nbos && ret >= 0; i++) {
		dma_resv_iter_begin(&cursor, job->bos[i]->resv,
				    dma_resv_usage_rw(span[i].write));
		dma_resv_for_each_fence_unlocked(&cursor, fence) {
			if (fence->context == sdev->ring.fence_context)
				continue;
			ret = dma_fence_wait(fence, true);
			if (ret < 0)
				break;
		}
		dma_resv_iter_end(&cursor);
	}
	return ret < 0 ? ret : 0;
}

/* Run the checked commands, fence the buffers. */
static int svgpu_run_job(struct svgpu_device *sdev, struct svgpu_job *job,
			 const u32 *cmds, u32 ndw,
			 const struct svgpu_span *span)
{
	struct ww_acquire_ctx ctx;
	u32 i;
	int ret;

	ret = drm_gem_lock_reservations(job->bos, job->nbos, &ctx);
	if (ret)
		return ret;
	for (i = 0; i < job->nbos && !ret; i++)
		ret = dma_resv_reserve_fences(job->bos[i]->resv, 1);
	if (!ret)
		ret = svgpu_ring_submit(sdev, job, cmds, ndw);
	for (i = 0; !ret && i < job->nbos; i++)
		dma_resv_add_fence(job->bos[i]->resv, &job->fence,
				   span[i].write ? DMA_RESV_USAGE_WRITE :
						   DMA_RESV_USAGE_READ);
	drm_gem_unlock_reservations(job->bos, job->nbos, &ctx);
	return ret;
}

/* The job's fence in the sync_file of the reserved descriptor @fd. */
static int svgpu_fence_fd(struct dma_fence *fence, int fd)
{
	struct sync_file *sf = sync_file_create(fence);

	if (!sf) {
		put_unused_fd(fd);
		return -ENOMEM;
	}
	fd_install(fd, sf->file);
	return fd;
}

static int svgpu_submit_args(const struct drm_svgpu_submit *args)
{
	if (args->flags & ~SVGPU_SUBMIT_FLAGS)
		return -EINVAL;
	if (!args->cmd_bytes || args->cmd_bytes % 4 ||
	    args->cmd_bytes > SVGPU_SUBMIT_MAX_BYTES)
		return -EINVAL;
	if (args->bo_count > SVGPU_SUBMIT_MAX_BOS)
		return -EINVAL;
	return 0;
}

/**
 * svgpu_submit_ioctl() - DRM_IOCTL_SVGPU_SUBMIT
 * @drm: DRM device
 * @data: struct drm_svgpu_submit
 * @file: DRM file
 *
 * Return: 0; -EINVAL for bad arguments or a command that is not allowed,
 * malformed or out of its buffers; -ENOENT for an unknown handle; -E2BIG
 * past the budget of a submission; -ENOSPC when the GTT is full; -EFAULT;
 * -ERESTARTSYS.
 */
int svgpu_submit_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct svgpu_device *sdev = to_svgpu(drm);
	struct drm_svgpu_submit *args = data;
	struct drm_svgpu_bo *bos = NULL;
	struct svgpu_span *span = NULL;
	struct svgpu_job *job;
	u32 *cmds;
	int ret, fd;

	ret = svgpu_submit_args(args);
	if (ret)
		return ret;
	cmds = memdup_user(u64_to_user_ptr(args->cmds), args->cmd_bytes);
	if (IS_ERR(cmds))
		return PTR_ERR(cmds);
	if (args->bo_count) {
		bos = memdup_array_user(u64_to_user_ptr(args->bos),
					args->bo_count, sizeof(*bos));
		span = kcalloc(args->bo_count, sizeof(*span), GFP_KERNEL);
		if (IS_ERR(bos) || !span) {
			ret = IS_ERR(bos) ? PTR_ERR(bos) : -ENOMEM;
			bos = IS_ERR(bos) ? NULL : bos;
			goto out;
		}
	}
	fd = -1;
	if (args->flags & SVGPU_SUBMIT_FENCE_OUT) {
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0) {
			ret = fd;
			goto out;
		}
	}
	job = svgpu_job_alloc(args->bo_count);
	if (!job) {
		ret = -ENOMEM;
		goto out_fd;
	}
	ret = svgpu_lookup_bos(file, job, bos, args->bo_count, span) ?:
	      svgpu_check_cmds(sdev, job, cmds, args->cmd_bytes / 4, span,
			       args->bo_count) ?:
	      svgpu_wait_foreign(sdev, job, span) ?:
	      svgpu_run_job(sdev, job, cmds, args->cmd_bytes / 4, span);
	if (!ret) {
		args->seqno = job->fence.seqno;
		args->fence_fd = fd < 0 ? -1 : svgpu_fence_fd(&job->fence, fd);
		fd = -1;
		/* no memory for the sync_file: the commands run all the same */
		if (args->fence_fd < -1) {
			ret = args->fence_fd;
			args->fence_fd = -1;
		}
	}
	svgpu_job_put(job);
out_fd:
	if (fd >= 0)
		put_unused_fd(fd);
out:
	kfree(span);
	kfree(bos);
	kfree(cmds);
	return ret;
}
