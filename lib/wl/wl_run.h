/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wl_run.h - run a workload on a sample vGPU as its guest driver would
 *
 * Lays the workload's buffers out in guest memory (ring first, then the
 * buffers), maps the GTT ones, and runs frames: each step becomes device
 * commands written into the ring by the CPU.  Every byte range a command
 * tells the device to write is recorded in a page bitmap (the ground
 * truth); the CPU's own stores (ring contents, "cpu" steps) go in a second
 * bitmap, since VFIO never sees them.  Page choices come from wl_select.h,
 * shared with the guest payload.
 */
#ifndef _WL_RUN_H
#define _WL_RUN_H

#include "libvgpu.h"
#include "wl.h"

struct wl_layout {
	uint64_t base;			/* IOVA of guest memory */
	uint64_t size;			/* bytes of guest memory */
	uint64_t ring_iova;
	uint32_t ring_size;
	uint64_t buf_iova[WL_MAX_BUFS];
	uint32_t buf_gtt[WL_MAX_BUFS];	/* GTT address, gtt buffers only */
	uint32_t gtt_pages;		/* GTT entries used, ring included */
};

struct wl_run {
	const struct wl *w;
	const struct wl_layout *l;
	struct vgpu *g;
	uint64_t rng;
	uint32_t frame;
	uint32_t seqno;
	uint64_t npages;		/* pages of guest memory */
	uint64_t *dev_bm;		/* pages the device was told to write */
	uint64_t *cpu_bm;		/* pages the CPU wrote */
	uint64_t *sel;			/* scratch: pages chosen in a buffer */
	uint32_t *cmds;
	uint32_t ndw, cap_dw, ncmds;
	uint64_t wbytes;		/* bytes written by queued commands */
	uint32_t error;			/* device error of the last frame */
};

int wl_layout(const struct wl *w, uint64_t base, uint64_t size,
	      uint32_t ring_size, struct wl_layout *l, char *err,
	      size_t errlen);
int wl_program(struct vgpu *g, const struct wl *w, const struct wl_layout *l);
int wl_run_init(struct wl_run *r, const struct wl *w,
		const struct wl_layout *l, struct vgpu *g);
void wl_run_free(struct wl_run *r);
int wl_frame(struct wl_run *r);
void wl_cpu_init(struct wl_run *r);

#endif /* _WL_RUN_H */
