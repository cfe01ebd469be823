// SPDX-License-Identifier: GPL-2.0-only
/*
 * svgpu_ring.c - the command ring of the sample vGPU: submissions, their
 * fences, completion by interrupt, hang detection and ring reset
 *
 * A submission is copied into the ring followed by a FENCE command that
 * writes its sequence number into the status page and raises the FENCE
 * interrupt; the doorbell starts the device.  The interrupt handler reads
 * the status page and signals the fences of every submission up to that
 * number (the ring runs in order), then a work item drops their buffer
 * references.
 *
 * The device runs whatever lies between its HEAD and TAIL at each
 * doorbell within one budget (4096 commands, 16 MiB written), so the
 * driver never has more than that outstanding: a submitter waits for
 * ring space and budget, without the ring lock (a reset may need it).
 *
 * The device drops the rest of a run after an error, so a device error
 * (which the command checks should make impossible) or a submission that
 * makes no progress within hang_timeout_ms means the ring is hung: it is
 * reset.  The submission that failed completes with -EIO, those behind it
 * with -ECANCELED; the ring then takes new work from offset 0.
 *
 * Locks: ring.lock (mutex: ring contents, tail, RING_* registers, seqno)
 * before ring.job_lock (spinlock, also the fences' lock and taken in the
 * interrupt handler: the list of submissions, head, budget).
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "svgpu_drv.h"

static unsigned int hang_timeout_ms = 10000;
module_param(hang_timeout_ms, uint, 0644);
MODULE_PARM_DESC(hang_timeout_ms,
		 "Reset the ring when submissions make no progress for this long (ms, default 10000)");

static struct svgpu_job *to_job(struct dma_fence *fence)
{
	return container_of(fence, struct svgpu_job, fence);
}

static const char *svgpu_fence_driver(struct dma_fence *fence)
{
	return SVGPU_NAME;
}

static const char *svgpu_fence_timeline(struct dma_fence *fence)
{
	return "ring";
}

static void svgpu_fence_release(struct dma_fence *fence)
{
	kfree(to_job(fence)->bos);
	dma_fence_free(fence);	/* the fence is the job's first member */
}

static const struct dma_fence_ops svgpu_fence_ops = {
	.get_driver_name = svgpu_fence_driver,
	.get_timeline_name = svgpu_fence_timeline,
	.release = svgpu_fence_release,
};

/**
 * svgpu_job_alloc() - a submission with room for @nbos buffers
 * @nbos: buffers it will reference
 *
 * Return: the job or NULL.
 */
struct svgpu_job *svgpu_job_alloc(u32 nbos)
{
	struct svgpu_job *job = kzalloc(sizeof(*job), GFP_KERNEL);

	if (!job)
		return NULL;
	job->bos = kcalloc(nbos, sizeof(*job->bos), GFP_KERNEL);
	if (nbos && !job->bos) {
		kfree(job);
		return NULL;
	}
	INIT_LIST_HEAD(&job->link);
	return job;
}

static void svgpu_job_put_bos(struct svgpu_job *job)
{
	u32 i;

	for (i = 0; i < job->nbos; i++)
		drm_gem_object_put(job->bos[i]);
	job->nbos = 0;
}

/**
 * svgpu_job_put() - drop a job: its buffers, and its fence reference once
 * it was submitted, the job itself if it never was
 * @job: job
 */
void svgpu_job_put(struct svgpu_job *job)
{
	if (job->fence.ops) {
		dma_fence_put(&job->fence);
		return;
	}
	svgpu_job_put_bos(job);
	kfree(job->bos);
	kfree(job);
}

/* Complete @job: its fence, the ring space and budget it held. */
static void svgpu_job_done_locked(struct svgpu_ring *r, struct svgpu_job *job,
				  int error)
{
	lockdep_assert_held(&r->job_lock);
	if (error)
		dma_fence_set_error(&job->fence, error);
	dma_fence_signal_locked(&job->fence);
	r->head = job->tail;
	r->busy_cmds -= job->cmds;
	r->busy_bytes -= job->bytes;
	r->completed = job->fence.seqno;
	list_move_tail(&job->link, &r->retired);
}

/* Signal what the status page says completed; any context. */
static void svgpu_ring_retire(struct svgpu_device *sdev)
{
	struct svgpu_ring *r = &sdev->ring;
	u32 done = READ_ONCE(r->status[0]);
	struct svgpu_job *job, *tmp;
	unsigned long flags;
	bool any = false;

	spin_lock_irqsave(&r->job_lock, flags);
	list_for_each_entry_safe(job, tmp, &r->jobs, link) {
		if ((s32)(done - (u32)job->fence.seqno) < 0)
			break;
		svgpu_job_done_locked(r, job, 0);
		any = true;
	}
	spin_unlock_irqrestore(&r->job_lock, flags);
	if (any) {
		wake_up_all(&r->space_wq);
		queue_work(system_unbound_wq, &r->retire_work);
	}
}

static void svgpu_retire_work(struct work_struct *work)
{
	struct svgpu_ring *r = container_of(work, struct svgpu_ring,
					    retire_work);
	struct svgpu_job *job, *tmp;
	LIST_HEAD(list);

	spin_lock_irq(&r->job_lock);
	list_splice_init(&r->retired, &list);
	spin_unlock_irq(&r->job_lock);
	list_for_each_entry_safe(job, tmp, &list, link) {
		list_del_init(&job->link);
		svgpu_job_put_bos(job);
		dma_fence_put(&job->fence);
	}
}

/**
 * svgpu_ring_irq() - ring events from the interrupt handler
 * @sdev: device
 * @status: IRQ_STATUS bits, acknowledged
 */
void svgpu_ring_irq(struct svgpu_device *sdev, u32 status)
{
	if (status & (VGPU_IRQ_FENCE | VGPU_IRQ_IDLE | VGPU_IRQ_ERROR))
		svgpu_ring_retire(sdev);
	if (status & VGPU_IRQ_ERROR)
		queue_work(system_unbound_wq, &sdev->ring.reset_work);
}

static void svgpu_ring_start(struct svgpu_device *sdev)
{
	struct svgpu_ring *r = &sdev->ring;

	svgpu_wr(sdev, VGPU_REG_RING_BASE, r->gtt_node.start << PAGE_SHIFT);
	svgpu_wr(sdev, VGPU_REG_RING_SIZE, r->size);
	svgpu_wr(sdev, VGPU_REG_RING_HEAD, 0);
	svgpu_wr(sdev, VGPU_REG_RING_TAIL, 0);
	svgpu_wr(sdev, VGPU_REG_RING_CTL, VGPU_RING_CTL_ENABLE);
}

/*
 * Stop the ring, fail what did not complete (@first the oldest, then
 * -ECANCELED), start it again empty.  ring.lock held.
 */
static void svgpu_ring_restart(struct svgpu_device *sdev, int first)
{
	struct svgpu_ring *r = &sdev->ring;
	struct svgpu_job *job, *tmp;
	u32 st;

	lockdep_assert_held(&r->lock);
	svgpu_wr(sdev, VGPU_REG_RING_CTL, 0);
	/* a queued doorbell runs (and fails: ring disabled) within a moment */
	if (readl_poll_timeout(sdev->mmio + VGPU_REG_STATUS, st,
			       !(st & VGPU_STATUS_BUSY), 1000, 1000000))
		drm_err(&sdev->drm, "ring still busy after disable\n");
	svgpu_wr(sdev, VGPU_REG_ERROR, 0);
	svgpu_wr(sdev, VGPU_REG_IRQ_STATUS, VGPU_IRQ_ERROR);
	svgpu_ring_retire(sdev);
	spin_lock_irq(&r->job_lock);
	list_for_each_entry_safe(job, tmp, &r->jobs, link) {
		svgpu_job_done_locked(r, job, first);
		first = -ECANCELED;
	}
	r->head = 0;
	spin_unlock_irq(&r->job_lock);
	r->tail = 0;
	svgpu_ring_start(sdev);
	r->resets++;
	wake_up_all(&r->space_wq);
	queue_work(system_unbound_wq, &r->retire_work);
}

static bool svgpu_ring_pending(struct svgpu_ring *r)
{
	bool pending;

	spin_lock_irq(&r->job_lock);
	pending = !list_empty(&r->jobs);
	spin_unlock_irq(&r->job_lock);
	return pending;
}

/*
 * ERROR interrupt: a GTT entry the host could not map is only reported;
 * an error in a run means the rest of it was dropped: reset.
 */
static void svgpu_reset_work(struct work_struct *work)
{
	struct svgpu_ring *r = container_of(work, struct svgpu_ring,
					    reset_work);
	struct svgpu_device *sdev = container_of(r, struct svgpu_device, ring);
	u32 err, head, cmd;

	mutex_lock(&r->lock);
	err = svgpu_rd(sdev, VGPU_REG_ERROR);
	head = svgpu_rd(sdev, VGPU_REG_ERROR_HEAD);
	cmd = svgpu_rd(sdev, VGPU_REG_ERROR_CMD);
	if (err == VGPU_ERR_DMA && head >= VGPU_GTT_WINDOW) {
		drm_err(&sdev->drm, "GTT entry %u could not be mapped\n",
			(head - VGPU_GTT_WINDOW) / 8);
		svgpu_wr(sdev, VGPU_REG_ERROR, 0);
	} else if (err) {
		drm_err(&sdev->drm,
			"device error %u at ring offset %#x (command %#010x): ring reset\n",
			err, head, cmd);
		svgpu_ring_restart(sdev, -EIO);
	}
	mutex_unlock(&r->lock);
}

static void svgpu_hangcheck_arm(struct svgpu_ring *r)
{
	queue_delayed_work(system_unbound_wq, &r->hangcheck,
			   msecs_to_jiffies(READ_ONCE(hang_timeout_ms)));
}

/*
 * A submission starts the check unless it runs: progress is measured from
 * now, and a stream of submissions does not push the check back.
 * ring.lock held.
 */
static void svgpu_hangcheck_start(struct svgpu_ring *r)
{
	if (delayed_work_pending(&r->hangcheck))
		return;
	spin_lock_irq(&r->job_lock);
	r->hang_seqno = r->completed;
	spin_unlock_irq(&r->job_lock);
	svgpu_hangcheck_arm(r);
}

static void svgpu_hangcheck(struct work_struct *work)
{
	struct svgpu_ring *r = container_of(to_delayed_work(work),
					    struct svgpu_ring, hangcheck);
	struct svgpu_device *sdev = container_of(r, struct svgpu_device, ring);
	bool progress;
	u32 seqno;

	svgpu_ring_retire(sdev);	/* a lost interrupt is no hang */
	spin_lock_irq(&r->job_lock);
	progress = r->completed != r->hang_seqno;
	r->hang_seqno = r->completed;
	seqno = r->completed + 1;
	spin_unlock_irq(&r->job_lock);
	if (!svgpu_ring_pending(r))
		return;
	if (progress) {
		svgpu_hangcheck_arm(r);
		return;
	}
	mutex_lock(&r->lock);
	if (svgpu_ring_pending(r)) {
		drm_err(&sdev->drm,
			"submission %u made no progress in %u ms: ring reset\n",
			seqno, hang_timeout_ms);
		svgpu_ring_restart(sdev, -EIO);
	}
	mutex_unlock(&r->lock);
}

/* Room for @bytes of commands and the job's budget?  job_lock held. */
static bool svgpu_ring_room_locked(struct svgpu_ring *r, u32 tail, u32 bytes,
				   const struct svgpu_job *job)
{
	u32 used = (tail - r->head) & (r->size - 1);

	return used + bytes + 4 <= r->size &&
	       r->busy_cmds + job->cmds <= VGPU_MAX_CMDS_PER_SUBMIT &&
	       r->busy_bytes + job->bytes <= VGPU_MAX_BYTES_PER_SUBMIT;
}

static bool svgpu_ring_room(struct svgpu_ring *r, u32 bytes,
			    const struct svgpu_job *job)
{
	bool room;

	spin_lock_irq(&r->job_lock);
	room = svgpu_ring_room_locked(r, READ_ONCE(r->tail), bytes, job);
	spin_unlock_irq(&r->job_lock);
	return room;
}

/* Take ring.lock with room for the job; the lock is dropped to wait. */
static int svgpu_ring_lock_room(struct svgpu_ring *r, u32 bytes,
				const struct svgpu_job *job)
{
	int ret;

	for (;;) {
		ret = mutex_lock_interruptible(&r->lock);
		if (ret)
			return ret;
		if (svgpu_ring_room(r, bytes, job))
			return 0;
		mutex_unlock(&r->lock);
		ret = wait_event_interruptible(r->space_wq,
					       svgpu_ring_room(r, bytes, job));
		if (ret)
			return ret;
	}
}

static void svgpu_ring_emit(struct svgpu_ring *r, const u32 *dw, u32 n)
{
	u32 i, at = r->tail / 4, mask = r->size / 4 - 1;

	for (i = 0; i < n; i++)
		r->vaddr[(at + i) & mask] = cpu_to_le32(dw[i]);
	r->tail = ((at + n) & mask) * 4;
}

static int __svgpu_ring_submit(struct svgpu_device *sdev,
			       struct svgpu_job *job, const u32 *cmds,
			       u32 ndw, bool fence)
{
	struct svgpu_ring *r = &sdev->ring;
	u32 bytes = (ndw + (fence ? SVGPU_FENCE_DW : 0)) * 4;
	u32 fdw[SVGPU_FENCE_DW];
	int ret;

	if (bytes + 4 > r->size || job->cmds > VGPU_MAX_CMDS_PER_SUBMIT ||
	    job->bytes > VGPU_MAX_BYTES_PER_SUBMIT)
		return -E2BIG;
	ret = svgpu_ring_lock_room(r, bytes, job);
	if (ret)
		return ret;
	dma_fence_init(&job->fence, &svgpu_fence_ops, &r->job_lock,
		       r->fence_context, r->next_seqno++);
	fdw[0] = VGPU_CMD_HDR(VGPU_OP_FENCE, VGPU_FENCE_FLAG_IRQ, 2);
	fdw[1] = r->status_gtt;
	fdw[2] = job->fence.seqno;
	svgpu_ring_emit(r, cmds, ndw);
	if (fence)
		svgpu_ring_emit(r, fdw, SVGPU_FENCE_DW);
	job->tail = r->tail;
	dma_fence_get(&job->fence);	/* the ring's reference */
	spin_lock_irq(&r->job_lock);
	list_add_tail(&job->link, &r->jobs);
	r->busy_cmds += job->cmds;
	r->busy_bytes += job->bytes;
	spin_unlock_irq(&r->job_lock);
	svgpu_wr(sdev, VGPU_REG_RING_TAIL, r->tail);
	svgpu_wr(sdev, VGPU_REG_DOORBELL, 1);
	r->submitted++;
	svgpu_hangcheck_start(r);
	mutex_unlock(&r->lock);
	return 0;
}

/**
 * svgpu_ring_submit() - copy checked commands into the ring and start them
 * @sdev: device
 * @job: the submission: @job->cmds and @job->bytes count the commands
 *       and their writes, the kernel's FENCE included
 * @cmds: commands, checked
 * @ndw: their dwords
 *
 * Waits (interruptibly) for ring space and budget.  On success the job's
 * fence is initialised and the caller holds a reference on it.
 *
 * Return: 0, -E2BIG if the job could never fit, or -ERESTARTSYS.
 */
int svgpu_ring_submit(struct svgpu_device *sdev, struct svgpu_job *job,
		      const u32 *cmds, u32 ndw)
{
	return __svgpu_ring_submit(sdev, job, cmds, ndw, true);
}

/**
 * svgpu_ring_inject_hang() - debugfs test hook: make the ring hang
 * @sdev: device
 * @stall: true: a submission without its FENCE (never completes: the
 *         hang check resets the ring); false: a command the device
 *         rejects (the ERROR interrupt resets it)
 *
 * Return: 0 or a negative errno.
 */
int svgpu_ring_inject_hang(struct svgpu_device *sdev, bool stall)
{
	u32 bad = stall ? VGPU_CMD_HDR(VGPU_OP_NOOP, 0, 0) :
			  VGPU_CMD_HDR(0xff, 0, 0);
	struct svgpu_job *job = svgpu_job_alloc(0);
	int ret;

	if (!job)
		return -ENOMEM;
	job->cmds = 2;
	job->bytes = 4;
	ret = __svgpu_ring_submit(sdev, job, &bad, 1, !stall);
	svgpu_job_put(job);
	return ret;
}

/**
 * svgpu_ring_init() - allocate and start the ring
 * @sdev: device, GTT ready, interrupts not yet enabled
 *
 * Return: 0 or a negative errno.
 */
int svgpu_ring_init(struct svgpu_device *sdev)
{
	struct svgpu_ring *r = &sdev->ring;
	u32 max = svgpu_rd(sdev, VGPU_REG_RING_MAX);
	struct device *dev = sdev->drm.dev;
	int ret;

	if (max < VGPU_RING_MIN_SIZE || !is_power_of_2(max))
		return -ENODEV;
	r->size = min_t(u32, max, SVGPU_RING_MAX);
	/* the ring, then the status page */
	r->vaddr = dmam_alloc_coherent(dev, r->size + SVGPU_PAGE, &r->dma,
				       GFP_KERNEL);
	if (!r->vaddr)
		return -ENOMEM;
	r->status = r->vaddr + r->size / 4;
	r->status_dma = r->dma + r->size;
	ret = svgpu_gtt_map_dma(sdev, &r->gtt_node, r->dma,
				r->size / SVGPU_PAGE + 1);
	if (ret)
		return ret;
	r->status_gtt = (r->gtt_node.start << PAGE_SHIFT) + r->size;
	mutex_init(&r->lock);
	spin_lock_init(&r->job_lock);
	INIT_LIST_HEAD(&r->jobs);
	INIT_LIST_HEAD(&r->retired);
	init_waitqueue_head(&r->space_wq);
	INIT_WORK(&r->retire_work, svgpu_retire_work);
	INIT_WORK(&r->reset_work, svgpu_reset_work);
	INIT_DELAYED_WORK(&r->hangcheck, svgpu_hangcheck);
	r->fence_context = dma_fence_context_alloc(1);
	r->next_seqno = 1;
	WRITE_ONCE(r->status[0], 0);
	svgpu_ring_start(sdev);
	return 0;
}

/**
 * svgpu_ring_fini() - stop the ring; what did not complete fails
 * @sdev: device, interrupts off
 */
void svgpu_ring_fini(struct svgpu_device *sdev)
{
	struct svgpu_ring *r = &sdev->ring;

	cancel_delayed_work_sync(&r->hangcheck);
	cancel_work_sync(&r->reset_work);
	mutex_lock(&r->lock);
	svgpu_ring_restart(sdev, -ENODEV);
	svgpu_wr(sdev, VGPU_REG_RING_CTL, 0);
	mutex_unlock(&r->lock);
	flush_work(&r->retire_work);
	cancel_delayed_work_sync(&r->hangcheck);
	svgpu_gtt_unmap(sdev, &r->gtt_node);
	mutex_destroy(&r->lock);
}
