/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * display.h - the sample vGPU's display engine: one pipe, one scanout
 * plane, a writeback unit (display.c, docs/sample-vgpu.rst "Display")
 */
#ifndef _SAMPLE_VGPU_DISPLAY_H
#define _SAMPLE_VGPU_DISPLAY_H

#include <linux/types.h>
#include <linux/workqueue.h>

#include "mig_stream.h"

struct vgpu_dev;

/**
 * struct vgpu_display - state of the display engine, under vgpu_dev::lock
 * @r: registers, latched plane and pending work, as in a migration stream;
 *     @r.vblank is the counter at @t0 while @ticking, the counter otherwise
 * @ticking: the counter runs (pipe enabled, device open and running)
 * @t0: ktime_get_ns() when the counter last started
 * @frame_ns: frame period of the pipe's mode
 * @seen: the last vblank the device processed (events, latches)
 * @work: processes vblanks while events are enabled or work is pending
 */
struct vgpu_display {
	struct vgpu_mig_display r;
	bool ticking;
	u64 t0;
	u64 frame_ns;
	u32 seen;
	struct delayed_work work;
};

void vgpu_display_init(struct vgpu_dev *v);
void vgpu_display_reset(struct vgpu_dev *v);
void vgpu_display_freeze(struct vgpu_dev *v);
void vgpu_display_thaw(struct vgpu_dev *v);
void vgpu_display_cancel(struct vgpu_dev *v);
void vgpu_display_irq_enabled(struct vgpu_dev *v);
u32 vgpu_display_reg_read(struct vgpu_dev *v, u32 off);
void vgpu_display_reg_write(struct vgpu_dev *v, u32 off, u32 val);
bool vgpu_display_save(struct vgpu_dev *v, u8 *dst);
int vgpu_display_check(const u8 *src);
void vgpu_display_load(struct vgpu_dev *v, const u8 *src);

#endif /* _SAMPLE_VGPU_DISPLAY_H */
