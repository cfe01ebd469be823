/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wl.h - workload files for the sample vGPU (format: docs/workloads.rst)
 *
 * A workload names buffers (size, GTT-mapped or not) and the steps one
 * frame runs (fill, copy, write, fence on the device; cpu for guest CPU
 * stores), plus frame count, frame period, seed and default scale.  The
 * parser has no dependency on VFIO so it also builds on the host for tests
 * and for the packer (tools/wl-pack.c).
 */
#ifndef _WL_H
#define _WL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wl_select.h"

#define WL_NAME_LEN	32
#define WL_MAX_SCALE	1024

struct wl_buf {
	char name[WL_NAME_LEN];
	uint64_t size;		/* bytes, multiple of WL_PAGE */
	bool gtt;		/* mapped in the GTT (pinned) */
	int line;
};

struct wl_step {
	enum wl_op op;
	int src;		/* buffer index read, -1 if none */
	int dst;		/* buffer index written */
	double frac;		/* fraction of dst pages written per frame */
	bool rand;		/* random pages (else a window moving on) */
	uint32_t count;		/* write: commands per frame */
	uint32_t pattern;	/* fill value */
	int line;
};

struct wl {
	char name[WL_NAME_LEN];
	uint64_t seed;
	uint32_t frames;
	double period_ms;	/* 0: run frames back to back */
	unsigned int scale;	/* divisor of buffer sizes: wl_scale() */
	uint64_t pinned;	/* ring page + gtt buffers, 0: not given */
	int rest;		/* buffer sized "rest" of pinned, -1: none */
	int nbufs;
	int nsteps;
	struct wl_buf bufs[WL_MAX_BUFS];
	struct wl_step steps[WL_MAX_STEPS];
};

/* Parse: 0, or -1 with "FILE:LINE:COL: message" in @err. */
int wl_parse_text(const char *file, const char *text, struct wl *w,
		  char *err, size_t errlen);
int wl_parse_file(const char *path, struct wl *w, char *err, size_t errlen);

/*
 * A byte count: a number (strtoull base 0), with @suffix optionally one of
 * K, M, G (binary units).  0, or -1 if malformed or above UINT64_MAX.
 */
int wl_size(const char *s, bool suffix, uint64_t *out);

/*
 * Divide every buffer size by @div (rounded up to whole pages), or by the
 * workload's own "scale" if @div is 0; w->scale is then the divisor used.
 */
void wl_scale(struct wl *w, unsigned int div);

/*
 * Set the pinned working set of a workload with a "rest" buffer: the
 * tools' one-page ring and the gtt buffers together take @bytes (a
 * multiple of WL_PAGE), the rest buffer what the others leave.  0, or -1
 * with a message in @err.  Call before wl_scale(), which then scales it.
 */
int wl_set_pinned(struct wl *w, uint64_t bytes, char *err, size_t errlen);

uint64_t wl_total_bytes(const struct wl *w, bool gtt_only);
const char *wl_op_name(enum wl_op op);
/* pages a fill, copy or cpu step writes per frame: round(frac * pages) */
uint32_t wl_step_pages(const struct wl *w, const struct wl_step *s);

#endif /* _WL_H */
