/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wl_select.h - what a frame of a workload writes: the step operations,
 * the workload's limits, its PRNG and its page choices
 *
 * Shared by the VMM-side runner (run.c) and the freestanding guest payload
 * (tools/guest), which compiles select.c from this same source: from the
 * same seed both choose the same pages, slots and data.  Only <stdint.h>
 * and <stdbool.h> (through lib/bitmap.h), no 64-bit division: builds
 * freestanding (gcc -ffreestanding -m32) and hosted.
 */
#ifndef _WL_SELECT_H
#define _WL_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "bitmap.h"

#define WL_PAGE		BM_PAGE
#define WL_MAX_BUFS	64
#define WL_MAX_STEPS	64
#define WL_WRITE_DW	16	/* dwords one "write" step command writes */

/* step operations (numbers as recorded in packed workloads, wlpack.h) */
enum wl_op {
	WL_FILL = 0,
	WL_COPY = 1,
	WL_WRITE = 2,
	WL_FENCE = 3,
	WL_CPU = 4,
};

/* xorshift64*: the workload's only source of randomness */
static inline uint64_t wl_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* @x mod @d, without the 64-bit division a freestanding i386 lacks */
static inline uint32_t wl_mod(uint64_t x, uint32_t d)
{
#ifdef __i386__
	uint32_t q, r;

	__asm__("divl %4" : "=a"(q), "=d"(r)
		: "a"((uint32_t)x), "d"((uint32_t)(x >> 32) % d), "rm"(d));
	return r;
#else
	return x % d;
#endif
}

/*
 * Choose @n of @pages pages (1 <= n <= pages) into @sel, a bitmap of
 * bm_words(@pages) words: without @rand the window of frame @frame, which
 * moves on by @n every frame and wraps (streaming); with @rand @n distinct
 * pages drawn from @rng.
 */
void wl_select(uint64_t *sel, uint32_t pages, uint32_t n, bool rand,
	       uint32_t frame, uint64_t *rng);

/* the run of selected pages at or after *@pg: its length, 0 at the end */
uint32_t wl_next_run(const uint64_t *sel, uint32_t pages, uint32_t *pg);

/*
 * One "write" step command into a buffer of @slots 64-byte slots: its
 * slot (the return value) and its @data, drawn from @rng.
 */
uint32_t wl_write_pick(uint64_t *rng, uint32_t slots,
		       uint32_t data[WL_WRITE_DW]);

#endif /* _WL_SELECT_H */
