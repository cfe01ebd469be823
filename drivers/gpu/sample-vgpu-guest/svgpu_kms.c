// SPDX-License-Identifier: GPL-2.0-only
/*
 * svgpu_kms.c - KMS of the sample vGPU: one CRTC on the device's pipe, its
 * primary plane, a virtual connector with a few fixed modes, and a
 * writeback connector on the device's writeback unit
 *
 * The plane scans out from framebuffers bound into the GTT.  A commit
 * programs the plane registers and writes PLANE_COMMIT (and WB_COMMIT for a
 * writeback) in the CRTC's flush; the device latches them at the next
 * vblank and raises FLIP_DONE (and WB_DONE once the frame is written),
 * where the commit's event is sent and the writeback job signalled.  The
 * commit tail enables CRTCs before it touches planes, so that the plane
 * and writeback of a commit that enables the pipe latch at its first
 * vblank.  Vblanks come from the device's counter (DISP_VBLANK) and
 * interrupt; timestamps from its scanline register.
 */
#include <linux/math64.h>
#include <linux/module.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_edid.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_vblank.h>

#include "svgpu_compat.h"
#include "svgpu_drv.h"

#define SVGPU_FB_MAX		4096
#define SVGPU_MAX_STRIDE	0x10000

/*
 * The device scans out 32-bit B, G, R, X pixels.  The plane is the only
 * one and lies on black: an ARGB8888 framebuffer of premultiplied pixels
 * (the blend mode of a plane without the property) composes to its R, G,
 * B bytes, which is what the device shows.  Writeback frames are XRGB8888.
 */
static const u32 svgpu_plane_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
};

static const u32 svgpu_wb_formats[] = { DRM_FORMAT_XRGB8888 };
static const u64 svgpu_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID,
};

static unsigned int refresh = 60;
module_param(refresh, uint, 0444);
MODULE_PARM_DESC(refresh,
		 "Refresh rate of the modes offered (Hz, 1-250, default 60)");

/* the fixed modes offered, CVT at @refresh, the preferred one marked */
static const struct {
	u16 w, h;
} svgpu_sizes[] = {
	{ 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1280, 720 },
	{ 1280, 1024 }, { 1920, 1080 },
};

/* GTT address of the framebuffer's pixel (@x, @y) */
static u32 svgpu_fb_gtt(struct drm_framebuffer *fb, u32 x, u32 y)
{
	struct svgpu_bo *bo = to_svgpu_bo(drm_gem_fb_get_obj(fb, 0));

	return svgpu_bo_gtt(bo) + fb->offsets[0] + y * fb->pitches[0] +
	       x * fb->format->cpp[0];
}

static int svgpu_fb_bind(struct drm_framebuffer *fb)
{
	return svgpu_bo_bind(to_svgpu_bo(drm_gem_fb_get_obj(fb, 0)));
}

static bool svgpu_pitch_ok(const struct drm_framebuffer *fb)
{
	return fb->pitches[0] <= SVGPU_MAX_STRIDE && !(fb->pitches[0] & 3);
}

/* ---- plane ---- */

static int svgpu_plane_atomic_check(struct drm_plane *plane,
				    struct svgpu_atomic_commit *state)
{
	struct drm_plane_state *ps = drm_atomic_get_new_plane_state(state,
								    plane);
	struct drm_crtc_state *cs = NULL;
	int ret;

	if (ps->crtc)
		cs = drm_atomic_get_new_crtc_state(state, ps->crtc);
	ret = drm_atomic_helper_check_plane_state(ps, cs,
						  DRM_PLANE_NO_SCALING,
						  DRM_PLANE_NO_SCALING,
						  false, true);
	if (ret || !ps->visible)
		return ret;
	if (!svgpu_pitch_ok(ps->fb))
		return -EINVAL;
	return 0;
}

static int svgpu_plane_prepare_fb(struct drm_plane *plane,
				  struct drm_plane_state *ps)
{
	int ret;

	if (!ps->fb)
		return 0;
	ret = svgpu_fb_bind(ps->fb);
	if (ret)
		return ret;
	return drm_gem_plane_helper_prepare_fb(plane, ps);
}

static void svgpu_plane_atomic_update(struct drm_plane *plane,
				      struct svgpu_atomic_commit *state)
{
	struct svgpu_device *sdev = to_svgpu(plane->dev);
	struct drm_plane_state *ps = drm_atomic_get_new_plane_state(state,
								    plane);

	if (!ps->visible) {
		svgpu_wr(sdev, VGPU_REG_PLANE_CTL, 0);
		return;
	}
	svgpu_wr(sdev, VGPU_REG_PLANE_BASE,
		 svgpu_fb_gtt(ps->fb, ps->src.x1 >> 16, ps->src.y1 >> 16));
	svgpu_wr(sdev, VGPU_REG_PLANE_STRIDE, ps->fb->pitches[0]);
	svgpu_wr(sdev, VGPU_REG_PLANE_CTL, VGPU_PLANE_CTL_ENABLE |
		 VGPU_PLANE_FMT_XRGB8888 << 8);
}

static void svgpu_plane_atomic_disable(struct drm_plane *plane,
				       struct svgpu_atomic_commit *state)
{
	svgpu_wr(to_svgpu(plane->dev), VGPU_REG_PLANE_CTL, 0);
}

static bool svgpu_format_mod_supported(struct drm_plane *plane, u32 format,
				       u64 modifier)
{
	return modifier == DRM_FORMAT_MOD_LINEAR;
}

static const struct drm_plane_helper_funcs svgpu_plane_helper_funcs = {
	.atomic_check = svgpu_plane_atomic_check,
	.prepare_fb = svgpu_plane_prepare_fb,
	.atomic_update = svgpu_plane_atomic_update,
	.atomic_disable = svgpu_plane_atomic_disable,
};

static const struct drm_plane_funcs svgpu_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.destroy = drm_plane_cleanup,
	.reset = drm_atomic_helper_plane_reset,
	.atomic_duplicate_state = drm_atomic_helper_plane_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_plane_destroy_state,
	.format_mod_supported = svgpu_format_mod_supported,
};

/* ---- CRTC ---- */

static enum drm_mode_status svgpu_mode_check(const struct drm_display_mode *m)
{
	u64 frame_ns;

	if (m->flags & DRM_MODE_FLAG_INTERLACE)
		return MODE_NO_INTERLACE;
	if (m->flags & DRM_MODE_FLAG_DBLSCAN)
		return MODE_NO_DBLESCAN;
	if (m->hdisplay < VGPU_DISP_MIN_SIZE ||
	    m->hdisplay > VGPU_DISP_MAX_WIDTH)
		return MODE_BAD_HVALUE;
	if (m->vdisplay < VGPU_DISP_MIN_SIZE ||
	    m->vdisplay > VGPU_DISP_MAX_HEIGHT)
		return MODE_BAD_VVALUE;
	if (m->htotal < m->hdisplay || m->htotal > VGPU_DISP_MAX_TOTAL)
		return MODE_H_ILLEGAL;
	if (m->vtotal < m->vdisplay || m->vtotal > VGPU_DISP_MAX_TOTAL)
		return MODE_V_ILLEGAL;
	if (m->clock <= 0)
		return MODE_CLOCK_LOW;
	frame_ns = div_u64((u64)m->htotal * m->vtotal * 1000000, m->clock);
	if (frame_ns < VGPU_DISP_MIN_FRAME_NS)
		return MODE_CLOCK_HIGH;
	if (frame_ns > VGPU_DISP_MAX_FRAME_NS)
		return MODE_CLOCK_LOW;
	return MODE_OK;
}

static enum drm_mode_status svgpu_crtc_mode_valid(struct drm_crtc *crtc,
						  const struct drm_display_mode *m)
{
	return svgpu_mode_check(m);
}

static int svgpu_crtc_atomic_check(struct drm_crtc *crtc,
				   struct svgpu_atomic_commit *state)
{
	struct drm_crtc_state *cs = drm_atomic_get_new_crtc_state(state, crtc);

	if (cs->enable && svgpu_mode_check(&cs->mode) != MODE_OK)
		return -EINVAL;
	if (cs->mode_changed)
		drm_mode_set_crtcinfo(&cs->adjusted_mode, 0);
	return 0;
}

static void svgpu_crtc_atomic_enable(struct drm_crtc *crtc,
				     struct svgpu_atomic_commit *state)
{
	struct svgpu_device *sdev = to_svgpu(crtc->dev);
	const struct drm_display_mode *m = &crtc->state->adjusted_mode;

	svgpu_wr(sdev, VGPU_REG_DISP_HACTIVE, m->hdisplay);
	svgpu_wr(sdev, VGPU_REG_DISP_VACTIVE, m->vdisplay);
	svgpu_wr(sdev, VGPU_REG_DISP_HTOTAL, m->htotal);
	svgpu_wr(sdev, VGPU_REG_DISP_VTOTAL, m->vtotal);
	svgpu_wr(sdev, VGPU_REG_DISP_CLOCK, m->clock);
	svgpu_wr(sdev, VGPU_REG_DISP_CTL, VGPU_DISP_CTL_ENABLE);
	if (!(svgpu_rd(sdev, VGPU_REG_DISP_CTL) & VGPU_DISP_CTL_ENABLE))
		drm_err(&sdev->drm, "the device refused mode " DRM_MODE_FMT "\n",
			DRM_MODE_ARG(m));
	drm_crtc_vblank_on(crtc);
}

/* Send @event now (the pipe is off or the event's flip is done). */
static void svgpu_send_event(struct drm_crtc *crtc,
			     struct drm_pending_vblank_event *event)
{
	unsigned long flags;

	spin_lock_irqsave(&crtc->dev->event_lock, flags);
	drm_crtc_send_vblank_event(crtc, event);
	spin_unlock_irqrestore(&crtc->dev->event_lock, flags);
}

static void svgpu_crtc_atomic_disable(struct drm_crtc *crtc,
				      struct svgpu_atomic_commit *state)
{
	struct svgpu_device *sdev = to_svgpu(crtc->dev);

	drm_crtc_vblank_off(crtc);
	/* completes a pending flip and writeback: FLIP_DONE, WB_DONE */
	svgpu_wr(sdev, VGPU_REG_DISP_CTL, 0);
	svgpu_wr(sdev, VGPU_REG_PLANE_CTL, 0);
	svgpu_wr(sdev, VGPU_REG_PLANE_COMMIT, 1);
	if (crtc->state->event && !crtc->state->active) {
		svgpu_send_event(crtc, crtc->state->event);
		crtc->state->event = NULL;
	}
}

/*
 * The commit's plane (and writeback) go to the device here.  The event
 * waits for FLIP_DONE: it is stored and PLANE_COMMIT written under the
 * event lock, so that the interrupt of an earlier flip cannot take it.
 */
static void svgpu_crtc_atomic_flush(struct drm_crtc *crtc,
				    struct svgpu_atomic_commit *state)
{
	struct svgpu_device *sdev = to_svgpu(crtc->dev);
	struct drm_pending_vblank_event *event = crtc->state->event;
	struct drm_pending_vblank_event *stale;
	bool vblank;

	if (!crtc->state->active) {
		if (event) {
			svgpu_send_event(crtc, event);
			crtc->state->event = NULL;
		}
		return;
	}
	crtc->state->event = NULL;
	vblank = event && !drm_crtc_vblank_get(crtc);
	spin_lock_irq(&sdev->drm.event_lock);
	stale = sdev->flip_event;
	if (stale) {
		drm_crtc_send_vblank_event(crtc, stale);
		if (sdev->flip_vblank)
			drm_crtc_vblank_put(crtc);
	}
	sdev->flip_event = event;
	sdev->flip_vblank = vblank;
	svgpu_wr(sdev, VGPU_REG_PLANE_COMMIT, 1);
	spin_unlock_irq(&sdev->drm.event_lock);
	if (stale)
		drm_warn(&sdev->drm, "a flip event was still pending\n");
	/* after the plane: the frame written back is this commit's */
	if (sdev->wb_armed) {
		sdev->wb_armed = false;
		WRITE_ONCE(sdev->wb_busy, true);
		svgpu_wr(sdev, VGPU_REG_WB_COMMIT, 1);
	}
}

/* FLIP_DONE: the flip of the stored event latched (not an older one). */
static void svgpu_flip_done(struct svgpu_device *sdev)
{
	struct drm_crtc *crtc = &sdev->crtc;
	unsigned long flags;

	spin_lock_irqsave(&sdev->drm.event_lock, flags);
	if (sdev->flip_event && !(svgpu_rd(sdev, VGPU_REG_DISP_STATUS) &
				  VGPU_DISP_STATUS_FLIP_PENDING)) {
		drm_crtc_send_vblank_event(crtc, sdev->flip_event);
		if (sdev->flip_vblank)
			drm_crtc_vblank_put(crtc);
		sdev->flip_event = NULL;
	}
	spin_unlock_irqrestore(&sdev->drm.event_lock, flags);
}

static int svgpu_enable_vblank(struct drm_crtc *crtc)
{
	svgpu_irq_enable(to_svgpu(crtc->dev), VGPU_IRQ_VBLANK, true);
	return 0;
}

static void svgpu_disable_vblank(struct drm_crtc *crtc)
{
	svgpu_irq_enable(to_svgpu(crtc->dev), VGPU_IRQ_VBLANK, false);
}

static u32 svgpu_get_vblank_counter(struct drm_crtc *crtc)
{
	return svgpu_rd(to_svgpu(crtc->dev), VGPU_REG_DISP_VBLANK);
}

/*
 * DISP_SCANLINE counts from the start of the active area; lines from
 * VACTIVE on are the vertical blank, negative here as DRM wants them.
 */
static bool svgpu_get_scanout_position(struct drm_crtc *crtc,
				       bool in_vblank_irq, int *vpos,
				       int *hpos, ktime_t *stime,
				       ktime_t *etime,
				       const struct drm_display_mode *mode)
{
	struct svgpu_device *sdev = to_svgpu(crtc->dev);
	u32 line;

	if (stime)
		*stime = ktime_get();
	line = svgpu_rd(sdev, VGPU_REG_DISP_SCANLINE);
	if (etime)
		*etime = ktime_get();
	if (line >= mode->crtc_vtotal)
		return false;
	*vpos = line >= mode->crtc_vdisplay ? (int)line - mode->crtc_vtotal :
					      (int)line;
	*hpos = 0;
	return true;
}

static const struct drm_crtc_helper_funcs svgpu_crtc_helper_funcs = {
	.mode_valid = svgpu_crtc_mode_valid,
	.atomic_check = svgpu_crtc_atomic_check,
	.atomic_flush = svgpu_crtc_atomic_flush,
	.atomic_enable = svgpu_crtc_atomic_enable,
	.atomic_disable = svgpu_crtc_atomic_disable,
	.get_scanout_position = svgpu_get_scanout_position,
};

static const struct drm_crtc_funcs svgpu_crtc_funcs = {
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.destroy = drm_crtc_cleanup,
	.reset = drm_atomic_helper_crtc_reset,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
	.enable_vblank = svgpu_enable_vblank,
	.disable_vblank = svgpu_disable_vblank,
	.get_vblank_counter = svgpu_get_vblank_counter,
	.get_vblank_timestamp = drm_crtc_vblank_helper_get_vblank_timestamp,
};

/* ---- connectors ---- */

static int svgpu_get_modes(struct drm_connector *connector)
{
	struct svgpu_device *sdev = to_svgpu(connector->dev);
	struct drm_display_mode *mode;
	unsigned int i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(svgpu_sizes); i++) {
		mode = drm_cvt_mode(connector->dev, svgpu_sizes[i].w,
				    svgpu_sizes[i].h, clamp(refresh, 1U, 250U),
				    false, false, false);
		if (!mode)
			continue;
		if (svgpu_mode_check(mode) != MODE_OK) {
			drm_mode_destroy(connector->dev, mode);
			continue;
		}
		mode->type |= DRM_MODE_TYPE_DRIVER;
		if (mode->hdisplay == sdev->pref_w &&
		    mode->vdisplay == sdev->pref_h)
			mode->type |= DRM_MODE_TYPE_PREFERRED;
		drm_mode_probed_add(connector, mode);
		n++;
	}
	return n;
}

static const struct drm_connector_helper_funcs svgpu_conn_helper_funcs = {
	.get_modes = svgpu_get_modes,
};

static const struct drm_connector_funcs svgpu_conn_funcs = {
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

static const struct drm_encoder_funcs svgpu_encoder_funcs = {
	.destroy = drm_encoder_cleanup,
};

/* A writeback frame has the pipe's size; its CRTC joins the commit. */
static int svgpu_wb_atomic_check(struct drm_connector *connector,
				 struct svgpu_atomic_commit *state)
{
	struct drm_connector_state *cs =
		drm_atomic_get_new_connector_state(state, connector);
	struct drm_crtc_state *crtc_state;
	struct drm_framebuffer *fb;

	if (!cs->writeback_job || !cs->writeback_job->fb || !cs->crtc)
		return 0;
	crtc_state = drm_atomic_get_crtc_state(state, cs->crtc);
	if (IS_ERR(crtc_state))
		return PTR_ERR(crtc_state);
	fb = cs->writeback_job->fb;
	if (fb->width != crtc_state->mode.hdisplay ||
	    fb->height != crtc_state->mode.vdisplay || !svgpu_pitch_ok(fb))
		return -EINVAL;
	return drm_atomic_helper_check_wb_connector_state(connector, state);
}

static int svgpu_wb_prepare_job(struct drm_writeback_connector *wb,
				struct drm_writeback_job *job)
{
	return job->fb ? svgpu_fb_bind(job->fb) : 0;
}

/*
 * One writeback at a time: the device takes WB_BASE when it writes the
 * frame, and ignores a WB_COMMIT while one is pending.
 */
static void svgpu_wb_wait_idle(struct svgpu_device *sdev)
{
	if (!wait_event_timeout(sdev->wb_wq, !READ_ONCE(sdev->wb_busy), HZ))
		drm_err(&sdev->drm, "writeback did not complete\n");
}

/* Program the surface and queue the job; the CRTC's flush starts it. */
static void svgpu_wb_atomic_commit(struct drm_connector *connector,
				   struct svgpu_atomic_commit *state)
{
	struct svgpu_device *sdev = to_svgpu(connector->dev);
	struct drm_connector_state *cs =
		drm_atomic_get_new_connector_state(state, connector);
	struct drm_framebuffer *fb = cs->writeback_job->fb;

	svgpu_wb_wait_idle(sdev);
	svgpu_wr(sdev, VGPU_REG_WB_BASE, svgpu_fb_gtt(fb, 0, 0));
	svgpu_wr(sdev, VGPU_REG_WB_STRIDE, fb->pitches[0]);
	drm_writeback_queue_job(&sdev->wb, cs);
	sdev->wb_armed = true;
}

static const struct drm_connector_helper_funcs svgpu_wb_helper_funcs = {
	.get_modes = svgpu_get_modes,
	.atomic_check = svgpu_wb_atomic_check,
	.prepare_writeback_job = svgpu_wb_prepare_job,
	.atomic_commit = svgpu_wb_atomic_commit,
};

static const struct drm_connector_funcs svgpu_wb_funcs = {
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/* ---- interrupts, set-up ---- */

/**
 * svgpu_kms_irq() - display events from the interrupt handler
 * @sdev: device
 * @status: IRQ_STATUS bits, acknowledged
 */
void svgpu_kms_irq(struct svgpu_device *sdev, u32 status)
{
	u32 err = 0;

	if (status & VGPU_IRQ_DISP_ERROR) {
		err = svgpu_rd(sdev, VGPU_REG_DISP_ERROR);
		svgpu_wr(sdev, VGPU_REG_DISP_ERROR, 0);
		drm_err_ratelimited(&sdev->drm, "display error %u\n", err);
	}
	if (status & VGPU_IRQ_VBLANK)
		drm_crtc_handle_vblank(&sdev->crtc);
	if (status & VGPU_IRQ_FLIP_DONE)
		svgpu_flip_done(sdev);
	if (status & VGPU_IRQ_WB_DONE) {
		drm_writeback_signal_completion(&sdev->wb, err ? -EIO : 0);
		WRITE_ONCE(sdev->wb_busy, false);
		wake_up_all(&sdev->wb_wq);
	}
}

static const struct drm_mode_config_funcs svgpu_mode_config_funcs = {
	.fb_create = drm_gem_fb_create,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

/*
 * drm_atomic_helper_commit_tail_rpm(), but waiting for the commit's
 * FLIP_DONE (its event) rather than for any vblank within 100 ms: the
 * device latches the new plane at FLIP_DONE, after which the old
 * framebuffers are unused, and a frame may be longer than 100 ms (modes
 * down to 1 Hz, a loaded host).
 */
static void svgpu_commit_tail(struct svgpu_atomic_commit *old)
{
	struct drm_device *drm = old->dev;

	drm_atomic_helper_commit_modeset_disables(drm, old);
	drm_atomic_helper_commit_modeset_enables(drm, old);
	drm_atomic_helper_commit_planes(drm, old, DRM_PLANE_COMMIT_ACTIVE_ONLY);
	drm_atomic_helper_commit_hw_done(old);
	drm_atomic_helper_wait_for_flip_done(drm, old);
	drm_atomic_helper_cleanup_planes(drm, old);
}

static const struct drm_mode_config_helper_funcs svgpu_mode_config_helpers = {
	.atomic_commit_tail = svgpu_commit_tail,
};

/**
 * svgpu_kms_init() - CRTC, plane, connectors, vblank
 * @sdev: device with interrupts set up
 *
 * Return: 0 or a negative errno.
 */
int svgpu_kms_init(struct svgpu_device *sdev)
{
	struct drm_device *drm = &sdev->drm;
	u32 pref = svgpu_rd(sdev, VGPU_REG_DISP_PREF_SIZE);
	int ret;

	sdev->pref_w = VGPU_DISP_WIDTH(pref);
	sdev->pref_h = VGPU_DISP_HEIGHT(pref);
	init_waitqueue_head(&sdev->wb_wq);
	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = SVGPU_FB_MAX;
	drm->mode_config.max_height = SVGPU_FB_MAX;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.funcs = &svgpu_mode_config_funcs;
	drm->mode_config.helper_private = &svgpu_mode_config_helpers;

	ret = drm_universal_plane_init(drm, &sdev->plane, 1, &svgpu_plane_funcs,
				       svgpu_plane_formats,
				       ARRAY_SIZE(svgpu_plane_formats),
				       svgpu_modifiers, DRM_PLANE_TYPE_PRIMARY,
				       NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(&sdev->plane, &svgpu_plane_helper_funcs);
	ret = drm_crtc_init_with_planes(drm, &sdev->crtc, &sdev->plane, NULL,
					&svgpu_crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(&sdev->crtc, &svgpu_crtc_helper_funcs);

	ret = drm_encoder_init(drm, &sdev->encoder, &svgpu_encoder_funcs,
			       DRM_MODE_ENCODER_VIRTUAL, NULL);
	if (ret)
		return ret;
	sdev->encoder.possible_crtcs = drm_crtc_mask(&sdev->crtc);
	ret = drm_connector_init(drm, &sdev->connector, &svgpu_conn_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&sdev->connector, &svgpu_conn_helper_funcs);
	ret = drm_connector_attach_encoder(&sdev->connector, &sdev->encoder);
	if (ret)
		return ret;

	drm_connector_helper_add(&sdev->wb.base, &svgpu_wb_helper_funcs);
	ret = drm_writeback_connector_init(drm, &sdev->wb, &svgpu_wb_funcs, NULL,
					   svgpu_wb_formats,
					   ARRAY_SIZE(svgpu_wb_formats),
					   drm_crtc_mask(&sdev->crtc));
	if (ret)
		return ret;

	ret = drm_vblank_init(drm, 1);
	if (ret)
		return ret;
	/* the CRTC's reset puts its vblank in modeset, as this needs */
	drm_mode_config_reset(drm);
	drm_crtc_set_max_vblank_count(&sdev->crtc, U32_MAX);
	return 0;
}
