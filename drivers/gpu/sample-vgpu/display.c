// SPDX-License-Identifier: GPL-2.0-only
/*
 * display.c - the sample vGPU's display engine: a pipe that counts
 * vblanks at its mode's rate, a scanout plane latched at vblank, and a
 * writeback unit that writes the composed frame into guest memory
 *
 * Nothing is scanned out for real: the pipe is a clock.  The vblank
 * counter follows from the time since the pipe started (ktime), so it
 * needs no timer; a delayed work runs at the vblanks only while something
 * needs them: VBLANK events enabled in IRQ_ENABLE, a PLANE_COMMIT not yet
 * latched, or a WB_COMMIT not yet written.  At a vblank the work latches
 * the plane registers into the live ones (FLIP_DONE) and, for a pending
 * writeback, copies the live plane (black where it is disabled) row by row
 * through the GTT into the writeback surface (WB_DONE).  Those writes go
 * to the dirty tracker like any command's and are reported before the
 * events are raised.
 *
 * The counter stops while the device does not run (stopped for migration,
 * closed) and continues from where it stopped: a migration carries it in
 * the DISPLAY record, with the registers, the latched plane and the
 * pending work.
 *
 * Everything runs under vgpu_dev::lock, as the execution worker does: the
 * work and the register accesses share the bounce page and the tracker.
 */
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "vgpu.h"

#define VGPU_DISP_PREF_W	1024
#define VGPU_DISP_PREF_H	768
#define VGPU_DISP_MAX_STRIDE	0x10000
#define VGPU_DISP_PENDING	(VGPU_DISP_STATUS_FLIP_PENDING | \
				 VGPU_DISP_STATUS_WB_PENDING)

/* whole frames since the counter started */
static u64 vgpu_disp_frames(const struct vgpu_display *d, u64 now)
{
	return now > d->t0 ? div64_u64(now - d->t0, d->frame_ns) : 0;
}

static u32 vgpu_disp_count(const struct vgpu_display *d, u64 now)
{
	if (!d->ticking)
		return d->r.vblank;
	return d->r.vblank + (u32)vgpu_disp_frames(d, now);
}

/*
 * The line being scanned out: a frame starts with the vertical blank, at
 * line VACTIVE, and wraps to line 0 for the active area.
 */
static u32 vgpu_disp_scanline(const struct vgpu_display *d, u64 now)
{
	u64 phase;

	if (!d->ticking || now < d->t0)
		return 0;
	div64_u64_rem(now - d->t0, d->frame_ns, &phase);
	return (d->r.vactive +
		div64_u64(phase * d->r.vtotal, d->frame_ns)) % d->r.vtotal;
}

/* Frame period of the mode in @r, or 0 if the mode is not valid. */
static u64 vgpu_disp_mode_ns(const struct vgpu_mig_display *r)
{
	u64 ns;

	if (r->hactive < VGPU_DISP_MIN_SIZE || r->hactive > VGPU_DISP_MAX_WIDTH ||
	    r->vactive < VGPU_DISP_MIN_SIZE || r->vactive > VGPU_DISP_MAX_HEIGHT)
		return 0;
	if (r->htotal < r->hactive || r->htotal > VGPU_DISP_MAX_TOTAL ||
	    r->vtotal < r->vactive || r->vtotal > VGPU_DISP_MAX_TOTAL ||
	    !r->clock)
		return 0;
	ns = div64_u64((u64)r->htotal * r->vtotal * 1000000, r->clock);
	if (ns < VGPU_DISP_MIN_FRAME_NS || ns > VGPU_DISP_MAX_FRAME_NS)
		return 0;
	return ns;
}

static void vgpu_disp_error(struct vgpu_dev *v, u32 err, u32 *events)
{
	v->disp.r.error = err;
	*events |= VGPU_IRQ_DISP_ERROR;
}

/* A surface of the pipe's size at @base inside the aperture? */
static u32 vgpu_disp_surface(struct vgpu_dev *v, u32 base, u32 stride)
{
	const struct vgpu_mig_display *r = &v->disp.r;
	u64 row = (u64)r->hactive * VGPU_DISP_CPP;

	if ((base | stride) & 3 || stride < row ||
	    stride > VGPU_DISP_MAX_STRIDE)
		return VGPU_ERR_MALFORMED;
	if ((u64)base + (u64)(r->vactive - 1) * stride + row >
	    vgpu_aperture(v))
		return VGPU_ERR_BAD_ADDRESS;
	return VGPU_ERR_NONE;
}

/* Every row of a checked surface mapped? */
static u32 vgpu_disp_mapped(struct vgpu_dev *v, u32 base, u32 stride)
{
	const struct vgpu_mig_display *r = &v->disp.r;
	u32 y, err = VGPU_ERR_NONE;

	for (y = 0; y < r->vactive && !err; y++)
		err = vgpu_gtt_check(v, base + y * stride,
				     r->hactive * VGPU_DISP_CPP);
	return err;
}

/*
 * A plane configuration the device can latch: a known format, aligned, and
 * while the pipe runs, inside the aperture for the pipe's size.
 */
static u32 vgpu_disp_plane_check(struct vgpu_dev *v, u32 ctl, u32 base,
				 u32 stride)
{
	if (!(ctl & VGPU_PLANE_CTL_ENABLE))
		return VGPU_ERR_NONE;
	if (VGPU_PLANE_CTL_FORMAT(ctl) != VGPU_PLANE_FMT_XRGB8888)
		return VGPU_ERR_MALFORMED;
	if (!(v->disp.r.ctl & VGPU_DISP_CTL_ENABLE))
		return (base | stride) & 3 ? VGPU_ERR_MALFORMED : VGPU_ERR_NONE;
	return vgpu_disp_surface(v, base, stride);
}

/* PLANE_* into PLANE_LIVE_*; a plane that cannot be latched is not. */
static void vgpu_disp_latch(struct vgpu_dev *v, u32 *events)
{
	struct vgpu_mig_display *r = &v->disp.r;
	u32 err = vgpu_disp_plane_check(v, r->plane_ctl, r->plane_base,
					r->plane_stride);

	r->pending &= ~VGPU_DISP_STATUS_FLIP_PENDING;
	*events |= VGPU_IRQ_FLIP_DONE;
	if (err) {
		vgpu_disp_error(v, err, events);
		return;
	}
	r->live_ctl = r->plane_ctl;
	r->live_base = r->plane_base;
	r->live_stride = r->plane_stride;
}

/*
 * The composed frame (the live plane, black if it is disabled) into the
 * writeback surface, row by row through the bounce page.  Both surfaces
 * are checked whole first: a frame is written completely or not at all.
 */
static u32 vgpu_disp_writeback(struct vgpu_dev *v)
{
	const struct vgpu_mig_display *r = &v->disp.r;
	bool plane = r->live_ctl & VGPU_PLANE_CTL_ENABLE;
	u32 row = r->hactive * VGPU_DISP_CPP;
	u32 err, x, y, n;

	err = vgpu_disp_surface(v, r->wb_base, r->wb_stride);
	if (!err && plane)
		err = vgpu_disp_surface(v, r->live_base, r->live_stride);
	if (!err)
		err = vgpu_disp_mapped(v, r->wb_base, r->wb_stride);
	if (!err && plane)
		err = vgpu_disp_mapped(v, r->live_base, r->live_stride);
	if (err)
		return err;
	if (!plane)
		memset(v->bounce, 0, PAGE_SIZE);
	for (y = 0; y < r->vactive && !err; y++) {
		for (x = 0; x < row && !err; x += n) {
			n = min_t(u32, row - x, PAGE_SIZE);
			if (plane)
				err = vgpu_gtt_read(v, r->live_base +
						    y * r->live_stride + x,
						    v->bounce, n);
			err = err ?: vgpu_gtt_write(v, r->wb_base +
						    y * r->wb_stride + x,
						    v->bounce, n);
		}
	}
	return err;
}

/* Work due by vblank @count (all of it if @all): returns the events. */
static u32 vgpu_disp_due(struct vgpu_dev *v, u32 count, bool all)
{
	struct vgpu_mig_display *r = &v->disp.r;
	u32 events = 0, err;

	if ((r->pending & VGPU_DISP_STATUS_FLIP_PENDING) &&
	    (all || (s32)(count - r->flip_seq) >= 0))
		vgpu_disp_latch(v, &events);
	if ((r->pending & VGPU_DISP_STATUS_WB_PENDING) &&
	    (all || (s32)(count - r->wb_seq) >= 0)) {
		r->pending &= ~VGPU_DISP_STATUS_WB_PENDING;
		events |= VGPU_IRQ_WB_DONE;
		err = vgpu_disp_writeback(v);
		if (err)
			vgpu_disp_error(v, err, &events);
	}
	return events;
}

/* Report the frame's writes, then signal: the guest sees both or none. */
static void vgpu_disp_finish(struct vgpu_dev *v, u32 events)
{
	if (!events)
		return;
	vgpu_dirty_flush(v);
	vgpu_raise_irq(v, events);
}

/* Queue the work for the next vblank, if anything needs it. */
static void vgpu_disp_schedule(struct vgpu_dev *v, u64 now)
{
	struct vgpu_display *d = &v->disp;
	u64 next;

	if (!d->ticking || (!(v->regs.irq_enable & VGPU_IRQ_VBLANK) &&
			    !(d->r.pending & VGPU_DISP_PENDING)))
		return;
	next = d->t0 + (vgpu_disp_frames(d, now) + 1) * d->frame_ns;
	mod_delayed_work(vgpu_wq, &d->work, nsecs_to_jiffies(next - now) + 1);
}

static void vgpu_display_work(struct work_struct *work)
{
	struct vgpu_display *d = container_of(to_delayed_work(work),
					      struct vgpu_display, work);
	struct vgpu_dev *v = container_of(d, struct vgpu_dev, disp);
	u32 count, events = 0;
	u64 now;

	mutex_lock(&v->lock);
	if (d->ticking) {
		now = ktime_get_ns();
		count = vgpu_disp_count(d, now);
		if (count != d->seen)
			events |= VGPU_IRQ_VBLANK;
		d->seen = count;
		events |= vgpu_disp_due(v, count, false);
		vgpu_disp_finish(v, events);
		vgpu_disp_schedule(v, now);
	}
	mutex_unlock(&v->lock);
}

/**
 * vgpu_display_init() - set up the display engine of a new instance
 * @v: device
 */
void vgpu_display_init(struct vgpu_dev *v)
{
	INIT_DELAYED_WORK(&v->disp.work, vgpu_display_work);
}

/**
 * vgpu_display_reset() - display registers to their reset values, pipe off
 * @v: device, v->lock held
 *
 * A queued work finds the pipe stopped and does nothing.
 */
void vgpu_display_reset(struct vgpu_dev *v)
{
	struct vgpu_display *d = &v->disp;

	lockdep_assert_held(&v->lock);
	memset(&d->r, 0, sizeof(d->r));
	d->ticking = false;
	d->frame_ns = 0;
	d->seen = 0;
}

/**
 * vgpu_display_freeze() - stop the vblank counter where it is
 * @v: device, v->lock held, about to stop running or close
 */
void vgpu_display_freeze(struct vgpu_dev *v)
{
	struct vgpu_display *d = &v->disp;

	lockdep_assert_held(&v->lock);
	if (!d->ticking)
		return;
	d->r.vblank = vgpu_disp_count(d, ktime_get_ns());
	d->ticking = false;
}

/**
 * vgpu_display_thaw() - start the counter again if the pipe is enabled
 * @v: device, v->lock held, open and running
 */
void vgpu_display_thaw(struct vgpu_dev *v)
{
	struct vgpu_display *d = &v->disp;

	lockdep_assert_held(&v->lock);
	if (d->ticking || !(d->r.ctl & VGPU_DISP_CTL_ENABLE) || !v->open ||
	    !v->running)
		return;
	d->ticking = true;
	d->t0 = ktime_get_ns();
	d->seen = d->r.vblank;
	vgpu_disp_schedule(v, d->t0);
}

/**
 * vgpu_display_cancel() - wait until the work is neither queued nor running
 * @v: device, v->lock not held, counter frozen
 */
void vgpu_display_cancel(struct vgpu_dev *v)
{
	cancel_delayed_work_sync(&v->disp.work);
}

/**
 * vgpu_display_irq_enabled() - IRQ_ENABLE changed: VBLANK may need the work
 * @v: device, v->lock held
 */
void vgpu_display_irq_enabled(struct vgpu_dev *v)
{
	lockdep_assert_held(&v->lock);
	vgpu_disp_schedule(v, ktime_get_ns());
}

/* The field behind a plain display register, NULL for the others. */
static u32 *vgpu_disp_field(struct vgpu_mig_display *r, u32 off)
{
	switch (off) {
	case VGPU_REG_DISP_CTL:		return &r->ctl;
	case VGPU_REG_DISP_HACTIVE:	return &r->hactive;
	case VGPU_REG_DISP_VACTIVE:	return &r->vactive;
	case VGPU_REG_DISP_HTOTAL:	return &r->htotal;
	case VGPU_REG_DISP_VTOTAL:	return &r->vtotal;
	case VGPU_REG_DISP_CLOCK:	return &r->clock;
	case VGPU_REG_DISP_ERROR:	return &r->error;
	case VGPU_REG_PLANE_CTL:	return &r->plane_ctl;
	case VGPU_REG_PLANE_BASE:	return &r->plane_base;
	case VGPU_REG_PLANE_STRIDE:	return &r->plane_stride;
	case VGPU_REG_PLANE_LIVE_CTL:	return &r->live_ctl;
	case VGPU_REG_PLANE_LIVE_BASE:	return &r->live_base;
	case VGPU_REG_PLANE_LIVE_STRIDE: return &r->live_stride;
	case VGPU_REG_WB_BASE:		return &r->wb_base;
	case VGPU_REG_WB_STRIDE:	return &r->wb_stride;
	}
	return NULL;
}

/**
 * vgpu_display_reg_read() - read a display register
 * @v: device, v->lock held
 * @off: register offset in [VGPU_REG_DISP_START, VGPU_REG_DISP_END)
 *
 * Return: the value; 0 for unused offsets.
 */
u32 vgpu_display_reg_read(struct vgpu_dev *v, u32 off)
{
	struct vgpu_display *d = &v->disp;
	u32 *field = vgpu_disp_field(&d->r, off);

	if (field)
		return *field;
	switch (off) {
	case VGPU_REG_DISP_STATUS:
		return (d->r.ctl & VGPU_DISP_CTL_ENABLE ?
			VGPU_DISP_STATUS_ACTIVE : 0) | d->r.pending;
	case VGPU_REG_DISP_VBLANK:
		return vgpu_disp_count(d, ktime_get_ns());
	case VGPU_REG_DISP_SCANLINE:
		return vgpu_disp_scanline(d, ktime_get_ns());
	case VGPU_REG_DISP_MAX_SIZE:
		return VGPU_DISP_SIZE(VGPU_DISP_MAX_WIDTH, VGPU_DISP_MAX_HEIGHT);
	case VGPU_REG_DISP_PREF_SIZE:
		return VGPU_DISP_SIZE(VGPU_DISP_PREF_W, VGPU_DISP_PREF_H);
	}
	return 0;
}

/*
 * DISP_CTL.ENABLE: enabling takes the mode registers (an invalid mode
 * leaves the pipe off); disabling completes what is pending as a vblank
 * would, without counting one, and stops the counter.
 */
static void vgpu_disp_set_ctl(struct vgpu_dev *v, u32 enable, u32 *events)
{
	struct vgpu_display *d = &v->disp;
	u64 ns;

	if (enable == (d->r.ctl & VGPU_DISP_CTL_ENABLE))
		return;
	if (enable) {
		ns = vgpu_disp_mode_ns(&d->r);
		if (!ns) {
			vgpu_disp_error(v, VGPU_ERR_MALFORMED, events);
			return;
		}
		d->frame_ns = ns;
		d->r.ctl = VGPU_DISP_CTL_ENABLE;
		vgpu_display_thaw(v);
		return;
	}
	*events |= vgpu_disp_due(v, 0, true);
	vgpu_display_freeze(v);
	d->r.ctl = 0;
}

/* PLANE_COMMIT: latched at the next vblank, at once if the pipe is off */
static void vgpu_disp_commit_plane(struct vgpu_dev *v, u32 *events)
{
	struct vgpu_display *d = &v->disp;
	u64 now = ktime_get_ns();

	if (!(d->r.ctl & VGPU_DISP_CTL_ENABLE)) {
		vgpu_disp_latch(v, events);
		return;
	}
	if (d->r.pending & VGPU_DISP_STATUS_FLIP_PENDING)
		return;		/* the latch takes the registers as they are */
	d->r.pending |= VGPU_DISP_STATUS_FLIP_PENDING;
	d->r.flip_seq = vgpu_disp_count(d, now) + 1;
	vgpu_disp_schedule(v, now);
}

/* WB_COMMIT: the frame of the next vblank; fails if the pipe is off */
static void vgpu_disp_commit_wb(struct vgpu_dev *v, u32 *events)
{
	struct vgpu_display *d = &v->disp;
	u64 now = ktime_get_ns();

	if (!(d->r.ctl & VGPU_DISP_CTL_ENABLE)) {
		*events |= VGPU_IRQ_WB_DONE;
		vgpu_disp_error(v, VGPU_ERR_MALFORMED, events);
		return;
	}
	if (d->r.pending & VGPU_DISP_STATUS_WB_PENDING)
		return;
	d->r.pending |= VGPU_DISP_STATUS_WB_PENDING;
	d->r.wb_seq = vgpu_disp_count(d, now) + 1;
	vgpu_disp_schedule(v, now);
}

/**
 * vgpu_display_reg_write() - write a display register
 * @v: device, v->lock held, running
 * @off: register offset in [VGPU_REG_DISP_START, VGPU_REG_DISP_END)
 * @val: value
 *
 * The mode registers are taken when the pipe is enabled and are read-only
 * while it runs; the live plane and status registers are read-only.
 */
void vgpu_display_reg_write(struct vgpu_dev *v, u32 off, u32 val)
{
	struct vgpu_mig_display *r = &v->disp.r;
	u32 events = 0;

	lockdep_assert_held(&v->lock);
	switch (off) {
	case VGPU_REG_DISP_CTL:
		vgpu_disp_set_ctl(v, val & VGPU_DISP_CTL_ENABLE, &events);
		break;
	case VGPU_REG_DISP_HACTIVE:
	case VGPU_REG_DISP_VACTIVE:
	case VGPU_REG_DISP_HTOTAL:
	case VGPU_REG_DISP_VTOTAL:
	case VGPU_REG_DISP_CLOCK:
		if (!(r->ctl & VGPU_DISP_CTL_ENABLE))
			*vgpu_disp_field(r, off) = val;
		break;
	case VGPU_REG_DISP_ERROR:
		r->error = 0;
		break;
	case VGPU_REG_PLANE_CTL:
		r->plane_ctl = val & VGPU_PLANE_CTL_MASK;
		break;
	case VGPU_REG_PLANE_BASE:
	case VGPU_REG_PLANE_STRIDE:
	case VGPU_REG_WB_BASE:
	case VGPU_REG_WB_STRIDE:
		*vgpu_disp_field(r, off) = val;
		break;
	case VGPU_REG_PLANE_COMMIT:
		vgpu_disp_commit_plane(v, &events);
		break;
	case VGPU_REG_WB_COMMIT:
		vgpu_disp_commit_wb(v, &events);
		break;
	}
	vgpu_disp_finish(v, events);
}

/* ---- migration: the DISPLAY record's payload ---- */

static void vgpu_disp_get(struct vgpu_mig_display *r, const u8 *src)
{
	u32 *dst = (u32 *)r;
	unsigned int i;

	for (i = 0; i < sizeof(*r) / 4; i++) {
		__le32 le;

		memcpy(&le, src + 4 * i, 4);
		dst[i] = le32_to_cpu(le);
	}
}

/**
 * vgpu_display_save() - the DISPLAY payload, if the engine is not at reset
 * @v: device, v->lock held
 * @dst: VGPU_MIG_DISPLAY_LEN bytes, or NULL to ask only whether it is needed
 *
 * Return: true if a DISPLAY record is needed (and was written to @dst).
 */
bool vgpu_display_save(struct vgpu_dev *v, u8 *dst)
{
	static const struct vgpu_mig_display zero;
	struct vgpu_mig_display r = v->disp.r;
	const u32 *src = (const u32 *)&r;
	unsigned int i;

	lockdep_assert_held(&v->lock);
	if (!memcmp(&r, &zero, sizeof(r)))
		return false;
	r.vblank = vgpu_disp_count(&v->disp, ktime_get_ns());
	for (i = 0; dst && i < sizeof(r) / 4; i++) {
		__le32 le = cpu_to_le32(src[i]);

		memcpy(dst + 4 * i, &le, 4);
	}
	return true;
}

/* a due vblank at most one after the counter (earlier: overdue) */
static bool vgpu_disp_seq_ok(u32 seq, u32 vblank)
{
	return (s32)(seq - vblank) <= 1;
}

/**
 * vgpu_display_check() - check a DISPLAY payload from a stream
 * @src: VGPU_MIG_DISPLAY_LEN bytes
 *
 * Return: 0, or -EINVAL for a state the device cannot be in: unknown
 * bits, an enabled pipe with an invalid mode, work pending on a stopped
 * pipe or due later than the next vblank, a latched plane the device
 * would not have latched.
 */
int vgpu_display_check(const u8 *src)
{
	const u32 pending = VGPU_DISP_PENDING;
	struct vgpu_mig_display r;

	vgpu_disp_get(&r, src);
	if (r.reserved || (r.ctl & ~VGPU_DISP_CTL_ENABLE) ||
	    (r.plane_ctl & ~VGPU_PLANE_CTL_MASK) ||
	    (r.live_ctl & ~VGPU_PLANE_CTL_MASK) || (r.pending & ~pending) ||
	    r.error > VGPU_ERR_MAX)
		return -EINVAL;
	if (r.ctl & VGPU_DISP_CTL_ENABLE ? !vgpu_disp_mode_ns(&r) : r.pending)
		return -EINVAL;
	if (((r.pending & VGPU_DISP_STATUS_FLIP_PENDING) &&
	     !vgpu_disp_seq_ok(r.flip_seq, r.vblank)) ||
	    ((r.pending & VGPU_DISP_STATUS_WB_PENDING) &&
	     !vgpu_disp_seq_ok(r.wb_seq, r.vblank)))
		return -EINVAL;
	if ((r.live_ctl & VGPU_PLANE_CTL_ENABLE) &&
	    (VGPU_PLANE_CTL_FORMAT(r.live_ctl) != VGPU_PLANE_FMT_XRGB8888 ||
	     ((r.live_base | r.live_stride) & 3)))
		return -EINVAL;
	return 0;
}

/**
 * vgpu_display_load() - the display engine from a checked DISPLAY payload
 * @v: device, v->lock held, stopped; the counter starts when it runs
 * @src: VGPU_MIG_DISPLAY_LEN bytes, passed by vgpu_display_check()
 */
void vgpu_display_load(struct vgpu_dev *v, const u8 *src)
{
	struct vgpu_display *d = &v->disp;

	vgpu_display_reset(v);
	vgpu_disp_get(&d->r, src);
	if (d->r.ctl & VGPU_DISP_CTL_ENABLE)
		d->frame_ns = vgpu_disp_mode_ns(&d->r);
	d->seen = d->r.vblank;
}
