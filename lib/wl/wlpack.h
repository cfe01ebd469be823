/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wlpack.h - packed workload files (.wlp), shared by the host-side packer
 * (tools/wl-pack.c) and the freestanding guest payload (tools/guest).
 *
 * A .wlp is a workload file (docs/workloads.rst) parsed, optionally scaled
 * and flattened into fixed-size little-endian records, so that the payload
 * needs no text parser and no floating point.  QEMU hands it to the payload
 * as a multiboot module (-initrd FILE).  Layout, all fields little-endian,
 * no padding:
 *
 *   struct wlp_hdr                      (WLP_HDR_SIZE bytes)
 *   struct wlp_buf  x nbufs             (WLP_BUF_SIZE bytes each)
 *   struct wlp_step x nsteps            (WLP_STEP_SIZE bytes each)
 *
 * total_size is the sum; csum is FNV-1a 32 over the whole file with the
 * csum field taken as 0.  Readers reject another magic, another major
 * version (version >> 8), a short file or a bad checksum.
 *
 * Steps, limits and page size are lib/wl's (wl_select.h): a packed file
 * holds what any workload file parses to.  Only <stdint.h>: builds
 * freestanding (gcc -ffreestanding -m32) and hosted.
 */
#ifndef _WLPACK_H
#define _WLPACK_H

#include <stdint.h>

#include "wl_select.h"

#define WLP_MAGIC	0x504c5756u	/* "VWLP" little-endian */
#define WLP_VERSION	0x0100u		/* major 1, minor 0 */
#define WLP_NAME_LEN	32		/* NUL-terminated, NUL-padded */
#define WLP_FRAC_ONE	65536u		/* frac_q16: 1.0 */

#define WLP_BUF_GTT	0x1u		/* wlp_buf.flags: mapped in the GTT */
#define WLP_STEP_RAND	0x1u		/* wlp_step.flags: at=rand */
#define WLP_NO_BUF	0xffu		/* wlp_step.src of a step without one */

struct wlp_hdr {
	uint32_t magic;			/* WLP_MAGIC */
	uint16_t version;		/* WLP_VERSION */
	uint16_t hdr_size;		/* WLP_HDR_SIZE */
	uint32_t total_size;		/* bytes of the whole file */
	uint32_t csum;			/* FNV-1a 32, this field as 0 */
	uint32_t seed_lo, seed_hi;	/* 64-bit seed of wl_rand() */
	uint32_t period_us;		/* frame period, 0: back to back */
	uint32_t frames;		/* frames of a standalone run */
	uint32_t scale;			/* divisor applied by the packer (>= 1) */
	uint16_t nbufs, nsteps;
	char name[WLP_NAME_LEN];	/* workload name */
};

struct wlp_buf {
	uint32_t pages;			/* size in 4 KiB pages (after scaling) */
	uint32_t flags;			/* WLP_BUF_GTT */
	char name[24];			/* truncated, NUL-terminated */
};

struct wlp_step {
	uint8_t op;			/* enum wl_op */
	uint8_t flags;			/* WLP_STEP_RAND */
	uint8_t src;			/* buffer index, WLP_NO_BUF if none */
	uint8_t dst;			/* buffer index */
	uint32_t frac_q16;		/* frac * 65536, rounded (informative) */
	uint32_t npages;		/* fill/copy/cpu: pages written per frame,
					 * round(frac * pages), at least 1 (the
					 * exact count the VMM's runner uses) */
	uint32_t count;			/* write: commands per frame */
	uint32_t pattern;		/* fill: value (XORed with the frame) */
};

#define WLP_HDR_SIZE	72
#define WLP_BUF_SIZE	32
#define WLP_STEP_SIZE	20

_Static_assert(sizeof(struct wlp_hdr) == WLP_HDR_SIZE, "wlp_hdr layout");
_Static_assert(sizeof(struct wlp_buf) == WLP_BUF_SIZE, "wlp_buf layout");
_Static_assert(sizeof(struct wlp_step) == WLP_STEP_SIZE, "wlp_step layout");

#define WLP_FNV_INIT	0x811c9dc5u
#define WLP_CSUM_OFF	12		/* offsetof(struct wlp_hdr, csum) */

/*
 * GTT entries the payload keeps for itself in workload mode: its ring (at
 * most WLP_RING_MAX bytes) and its fence page.  The rest hold buffers.
 */
#define WLP_RING_MAX	16384u
#define WLP_GTT_RESERVED	(WLP_RING_MAX / WL_PAGE + 1)
/*
 * Data pages the payload holds (buffers, GTT-mapped or not): 3 GiB.  It
 * runs flat 32-bit without paging, so its data (from 16 MiB on) must sit
 * in guest RAM below the PCI hole; QEMU's pc machine keeps RAM of up to
 * 3.5 GiB there.  The payload's tables take 5.25 bytes a page (4 MiB
 * of .bss at this limit).
 */
#define WLP_MAX_PAGES	786432u

/* FNV-1a 32 over @len bytes, the 4 bytes at WLP_CSUM_OFF taken as 0 */
static inline uint32_t wlp_csum(const void *data, uint32_t len)
{
	const uint8_t *p = (const uint8_t *)data;
	uint32_t h = WLP_FNV_INIT, i;

	for (i = 0; i < len; i++) {
		uint8_t c = i >= WLP_CSUM_OFF && i < WLP_CSUM_OFF + 4 ? 0 : p[i];

		h = (h ^ c) * 0x01000193u;
	}
	return h;
}

static inline uint32_t wlp_size(uint32_t nbufs, uint32_t nsteps)
{
	return WLP_HDR_SIZE + nbufs * WLP_BUF_SIZE + nsteps * WLP_STEP_SIZE;
}

#endif /* _WLPACK_H */
