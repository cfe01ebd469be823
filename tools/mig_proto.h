/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mig_proto.h - the stream between vgpu-migrate's source and destination
 *
 * Every message is a struct mig_msg, then msg.len payload bytes (except
 * ZERO, which has none):
 *   PAGES   a = IOVA of the first page; payload = whole pages
 *   ZERO    a = IOVA of the first page, len = bytes (whole pages) that read
 *           as zero on the source: round 0 sends the memfd's holes and its
 *           all-zero pages this way; no payload follows
 *   DEVICE  payload = bytes read from the source's migration data fd
 *   ROUND   a = round just finished (no payload)
 *   SWITCH  payload = struct mig_switch (source stopped, stream complete)
 *   RESULT  destination -> source: payload = struct mig_result
 */
#ifndef _MIG_PROTO_H
#define _MIG_PROTO_H

#include <stdint.h>
#include <linux/sample_vgpu.h>

#define MIG_MAGIC	0x4d475056u	/* "VPGM" */

enum {
	MIG_PAGES = 1, MIG_DEVICE, MIG_ROUND, MIG_SWITCH, MIG_RESULT, MIG_ZERO,
};

struct mig_msg {
	uint32_t magic;
	uint32_t type;
	uint64_t a;
	uint64_t len;
};

/* registers compared between source and destination after switchover */
#define MIG_NREGS	(11 + VGPU_NUM_SCRATCH)
/* GTT entries compared: the largest type vgpu-migrate picks (16 MiB) */
#define MIG_GTT_MAX	4096

struct mig_switch {
	uint32_t frame;
	uint32_t seqno;
	uint64_t rng;
	uint32_t ring_tail;
	uint32_t gtt_entries;
	uint32_t regs[MIG_NREGS];
	uint64_t gtt[MIG_GTT_MAX];
};

struct mig_result {
	int32_t state_err;	/* RESUMING -> STOP -> RUNNING, 0 or -errno */
	int32_t mem_ok;
	int64_t first_bad_page;	/* -1 when identical */
	int32_t regs_ok;
	int32_t bad_reg;	/* register offset or GTT entry, -1 if none */
	uint64_t bad_src, bad_dst;
	int32_t frames_run;
	int32_t frames_err;	/* 0, -errno or a device error */
	uint64_t pages;
	uint64_t cmp_pages;	/* pages read; the rest are holes on both */
};

#endif /* _MIG_PROTO_H */
