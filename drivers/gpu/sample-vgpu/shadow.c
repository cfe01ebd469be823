// SPDX-License-Identifier: GPL-2.0-only
/*
 * shadow.c - submission: ring checks, shadowing and the execution worker
 *
 * A doorbell queues the execution worker; the MMIO write returns at once.
 * The worker checks the ring registers, copies the ring segment between
 * head and tail out of the pinned (GTT-mapped) ring pages into host memory,
 * and hands only that copy to the parser.  Batch buffers are copied the same
 * way, one host buffer per nesting level, before they are parsed: the guest
 * cannot change a command between its check and its execution.
 */
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/minmax.h>

#include "vgpu.h"

static u32 vgpu_fetch(void *priv, u32 addr, void *dst, u32 bytes)
{
	return vgpu_gtt_read(priv, addr, dst, bytes);
}

static const struct vgpu_parser_ops vgpu_parser_ops = {
	.fetch = vgpu_fetch,
	.exec = vgpu_exec_cmd,
};

/* Ring registers usable?  Validated at each doorbell, not at write time. */
static u32 vgpu_ring_check(struct vgpu_dev *v)
{
	const struct vgpu_mig_regs *r = &v->regs;

	if (!(r->ring_ctl & VGPU_RING_CTL_ENABLE))
		return VGPU_ERR_RING;
	if (!is_power_of_2(r->ring_size) || r->ring_size < VGPU_RING_MIN_SIZE ||
	    r->ring_size > v->type->ring_max)
		return VGPU_ERR_RING;
	if (r->ring_base & (VGPU_PAGE_SIZE - 1) ||
	    (u64)r->ring_base + r->ring_size > vgpu_aperture(v))
		return VGPU_ERR_RING;
	if (r->ring_head >= r->ring_size || r->ring_tail >= r->ring_size ||
	    (r->ring_head & 3) || (r->ring_tail & 3))
		return VGPU_ERR_RING;
	return VGPU_ERR_NONE;
}

/* Copy [head, tail) of the ring, wrapping, into v->ring_shadow. */
static u32 vgpu_shadow_ring(struct vgpu_dev *v, u32 *ndw)
{
	const struct vgpu_mig_regs *r = &v->regs;
	u32 len = (r->ring_tail - r->ring_head) & (r->ring_size - 1);
	u32 first = min(len, r->ring_size - r->ring_head);
	u8 *dst = (u8 *)v->ring_shadow;
	u32 err = VGPU_ERR_NONE;

	*ndw = len / 4;
	if (first)
		err = vgpu_gtt_read(v, r->ring_base + r->ring_head, dst, first);
	if (!err && len > first)
		err = vgpu_gtt_read(v, r->ring_base, dst + first, len - first);
	return err;
}

static void vgpu_report_error(struct vgpu_dev *v, u32 err, u32 pos, u32 hdr,
			      u32 depth)
{
	v->regs.error = err;
	v->regs.error_head = pos;
	v->regs.error_cmd = hdr;
	v->regs.error_depth = depth;
	atomic64_inc(&v->cnt.cmds_rejected);
	v->regs.cmds_rejected++;
	dev_dbg(v->vdev.dev, "submission error %s at %#x cmd %#x depth %u\n",
		vgpu_err_name(err), pos, hdr, depth);
	vgpu_raise_irq(v, VGPU_IRQ_ERROR);
}

static void vgpu_run_ring(struct vgpu_dev *v)
{
	struct vgpu_mig_regs *r = &v->regs;
	struct vgpu_parser p = {
		.ops = &vgpu_parser_ops,
		.priv = v,
		.aperture = vgpu_aperture(v),
		.max_cmds = VGPU_MAX_CMDS_PER_SUBMIT,
		.max_bytes = VGPU_MAX_BYTES_PER_SUBMIT,
		.batch = { v->batch_shadow[0], v->batch_shadow[1] },
	};
	u32 err, ndw;

	r->submissions++;
	atomic64_inc(&v->cnt.submissions);
	err = vgpu_ring_check(v);
	if (err) {
		vgpu_report_error(v, err, r->ring_head, 0, 0);
		return;
	}
	err = vgpu_shadow_ring(v, &ndw);
	if (err) {
		vgpu_report_error(v, err, r->ring_head, 0, 0);
		return;
	}
	err = vgpu_parse(&p, v->ring_shadow, ndw);
	vgpu_dirty_flush(v);
	r->cmds_executed += p.done;
	atomic64_add(p.done, &v->cnt.cmds_executed);
	if (err)
		vgpu_report_error(v, err,
				  (r->ring_head + p.err_pos) & (r->ring_size - 1),
				  p.err_hdr, p.err_depth);
	/* the rest of a failed submission is dropped */
	r->ring_head = r->ring_tail;
	vgpu_raise_irq(v, VGPU_IRQ_IDLE);
}

/**
 * vgpu_exec_work() - execution worker: run the pending submission
 * @work: the device's exec_work
 *
 * Does nothing while the device is closed or stopped for migration; the
 * doorbell stays pending and is re-queued when execution resumes.
 */
void vgpu_exec_work(struct work_struct *work)
{
	struct vgpu_dev *v = container_of(work, struct vgpu_dev, exec_work);

	mutex_lock(&v->lock);
	if (v->open && v->running && v->regs.doorbell_pending) {
		v->regs.doorbell_pending = 0;
		vgpu_run_ring(v);
	}
	mutex_unlock(&v->lock);
}

/**
 * vgpu_kick() - queue the worker if a doorbell is pending and allowed to run
 * @v: device, v->lock held
 */
void vgpu_kick(struct vgpu_dev *v)
{
	lockdep_assert_held(&v->lock);
	if (v->open && v->running && v->regs.doorbell_pending)
		queue_work(vgpu_wq, &v->exec_work);
}
