/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mig_stream.h - the sample vGPU's migration stream, private to the driver
 *
 * VFIO migration data is opaque to user space (<linux/vfio.h>): a VMM only
 * moves it from the source's data fd to the destination's.  The layout is
 * the driver's alone; the user-space readers are tests that take streams
 * apart: the selftest tests/vgpu/vgpu_mig_test.c and the stream fuzzer
 * tests/fuzz/stream_fuzz.c (which builds the driver itself on
 * tests/kshim).  Fixed-size types only, so
 * that it builds in both.
 */
#ifndef _SAMPLE_VGPU_MIG_STREAM_H
#define _SAMPLE_VGPU_MIG_STREAM_H

#include <linux/const.h>
#include <linux/types.h>
#include <linux/sample_vgpu.h>

/*
 * Migration stream: a sequence of records, each a struct vgpu_mig_hdr
 * followed by hdr.length payload bytes.  hdr.crc is the CRC-32 (IEEE 802.3,
 * as crc32_le(~0, ...) ^ ~0) of the payload.  PRECOPY records carry a GTT
 * snapshot; the FULL record (last in the stream) carries the device state
 * and is the one applied on RESUMING -> STOP.  A DISPLAY record (minor
 * version 1) carries the display engine's state; it comes just before the
 * FULL record, and only when that state differs from reset, so that a
 * device whose display was never used still migrates to a 2.0 destination.
 */
#define VGPU_MIG_MAGIC			0x47494d55504756ull	/* "VGPUMIG" */
#define VGPU_MIG_VERSION_MAJOR		2
#define VGPU_MIG_VERSION_MINOR		1
#define VGPU_MIG_REC_PRECOPY		1
#define VGPU_MIG_REC_FULL		2
#define VGPU_MIG_REC_DISPLAY		3

struct vgpu_mig_hdr {
	__u64 magic;
	__u16 version_major;
	__u16 version_minor;
	__u32 kind;		/* VGPU_MIG_REC_* */
	__u32 type_id;		/* mdev type index, must match */
	__u32 gtt_entries;	/* must match the destination type */
	__u32 length;		/* payload bytes */
	__u32 crc;		/* CRC-32 of the payload */
	__u64 reserved;		/* must be zero */
};

/* Guest-visible register state, payload start of a FULL record */
struct vgpu_mig_regs {
	__u32 ring_base;
	__u32 ring_size;
	__u32 ring_head;
	__u32 ring_tail;
	__u32 ring_ctl;
	__u32 irq_status;
	__u32 irq_enable;
	__u32 last_seqno;
	__u32 error;
	__u32 error_head;
	__u32 error_cmd;
	__u32 error_depth;
	__u32 cmds_executed;
	__u32 cmds_rejected;
	__u32 submissions;
	__u32 doorbell_pending;
	__u32 scratch[VGPU_NUM_SCRATCH];
};

/*
 * Display engine state, the payload of a DISPLAY record: the registers as
 * the guest wrote them (mode, plane, writeback), the latched plane, the
 * vblank counter as it was when the device stopped, and the pending flip
 * and writeback with the vblank each is due at.  All fields little-endian.
 */
struct vgpu_mig_display {
	__u32 ctl;
	__u32 hactive;
	__u32 vactive;
	__u32 htotal;
	__u32 vtotal;
	__u32 clock;
	__u32 vblank;
	__u32 plane_ctl;
	__u32 plane_base;
	__u32 plane_stride;
	__u32 live_ctl;
	__u32 live_base;
	__u32 live_stride;
	__u32 wb_base;
	__u32 wb_stride;
	__u32 pending;		/* VGPU_DISP_STATUS_FLIP/WB_PENDING */
	__u32 flip_seq;		/* vblank that latches the pending flip */
	__u32 wb_seq;		/* vblank that writes the pending frame */
	__u32 error;		/* DISP_ERROR */
	__u32 reserved;		/* zero */
};

/*
 * A GTT in a stream is a list of runs, so that its size follows the
 * mappings' layout rather than the aperture: entry first + k (k < count)
 * holds val + k * VGPU_PAGE_SIZE.  Runs are in ascending entry order and do
 * not overlap; entries in no run are zero.  val holds only address bits,
 * VGPU_GTT_VALID and VGPU_MIG_GTT_REVOKED (the source had lost the entry's
 * pin to an unmap: it is restored without a pin); the last entry's address
 * must not wrap.  All fields little-endian.
 */
struct vgpu_mig_gtt_run {
	__u32 first;
	__u32 count;		/* >= 1 */
	__u64 val;
};

#define VGPU_MIG_GTT_REVOKED		_BITULL(1)

/*
 * FULL payload: struct vgpu_mig_regs, VGPU_CFG_SIZE bytes of config space,
 * then GTT runs.  PRECOPY payload: GTT runs.  At most one run per entry.
 */
#define VGPU_MIG_FULL_FIXED		(sizeof(struct vgpu_mig_regs) + \
					 VGPU_CFG_SIZE)
#define VGPU_MIG_FULL_LEN(runs)		(VGPU_MIG_FULL_FIXED + \
					 sizeof(struct vgpu_mig_gtt_run) * (runs))
#define VGPU_MIG_PRECOPY_LEN(runs)	(sizeof(struct vgpu_mig_gtt_run) * (runs))
/* DISPLAY payload: struct vgpu_mig_display, nothing else */
#define VGPU_MIG_DISPLAY_LEN		sizeof(struct vgpu_mig_display)

#ifndef __KERNEL__
/* a record's CRC (hdr.crc), for the tests that take streams apart */
static inline __u32 vgpu_mig_crc(const void *payload, __u64 len)
{
	const unsigned char *p = (const unsigned char *)payload;
	__u32 crc = ~0u;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}
#endif

#endif /* _SAMPLE_VGPU_MIG_STREAM_H */
