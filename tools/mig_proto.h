/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mig_proto.h - the stream between vgpu-migrate's source and destination
 *
 * Every message is a struct mig_msg, then msg.len payload bytes (except
 * ZERO and PAGES, which have none on the socket):
 *   PAGES   a = IOVA of the first page, len = bytes (whole pages); the
 *           payload is not on the socket but in the next len bytes of a
 *           ring of memory the two processes share (vgpu-migrate.c)
 *   ZERO    a = IOVA of the first page, len = bytes (whole pages) that read
 *           as zero on the source: round 0 sends the memfd's holes and its
 *           all-zero pages this way; no payload follows
 *   DEVICE  payload = bytes read from the source's migration data fd
 *   ROUND   a = round just finished (no payload)
 *   SWITCH  payload = struct mig_switch and its GTT (source stopped,
 *           stream complete; for verification, not part of the downtime)
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

/* the source's state after the stream, for the destination to compare */
struct mig_switch {
	uint32_t frame;
	uint32_t seqno;
	uint64_t rng;
	uint32_t ring_tail;
	uint32_t gtt_entries;
	uint32_t regs[MIG_NREGS];
	uint64_t gtt[];		/* gtt_entries entries */
};

static inline uint64_t mig_switch_len(uint32_t gtt_entries)
{
	return sizeof(struct mig_switch) + 8ull * gtt_entries;
}

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
	double resume_ms;	/* RESUMING -> STOP -> RUNNING, device part */
};

#endif /* _MIG_PROTO_H */
