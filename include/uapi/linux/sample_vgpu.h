/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * sample_vgpu.h - device interface of the sample vGPU mediated device
 *
 * Register map, command encoding and error codes of drivers/gpu/sample-vgpu.
 * Shared by the kernel driver, its command parser (also built in user space
 * for unit tests and fuzzing) and user-space drivers.  See
 * docs/sample-vgpu.rst for the prose description.  The migration stream is
 * opaque to user space, as VFIO migration data is (<linux/vfio.h>): its
 * layout is the driver's own (drivers/gpu/sample-vgpu/mig_stream.h).
 *
 * All registers are little-endian.  Device ("GTT") addresses are 32 bits:
 * GTT entry i translates device addresses [i * 4096, (i + 1) * 4096) to the
 * guest IOVA page stored in the entry.
 */
#ifndef _UAPI_LINUX_SAMPLE_VGPU_H
#define _UAPI_LINUX_SAMPLE_VGPU_H

#include <linux/types.h>

/* PCI identity */
#define VGPU_PCI_VENDOR_ID		0x1b36
#define VGPU_PCI_DEVICE_ID		0x10f0
#define VGPU_PCI_CLASS			0x038000	/* display, other */
#define VGPU_PCI_REVISION		0x01
#define VGPU_CFG_SIZE			256
#define VGPU_CFG_MSI_CAP		0x50

/*
 * BAR0: registers at 0, GTT window at VGPU_GTT_WINDOW.  The BAR is the
 * smallest power of two of at least VGPU_BAR0_MIN_SIZE that holds the
 * type's GTT window (VFIO_DEVICE_GET_REGION_INFO reports it); accesses
 * past the type's last GTT entry fail with EINVAL.
 */
#define VGPU_BAR0_MIN_SIZE		0x10000
#define VGPU_GTT_WINDOW			0x8000
#define VGPU_GTT_MAX_ENTRIES		(1u << 20)	/* 4 GiB aperture */
#define VGPU_PAGE_SHIFT			12
#define VGPU_PAGE_SIZE			(1u << VGPU_PAGE_SHIFT)

/* GTT entry (64 bits, at VGPU_GTT_WINDOW + 8 * index) */
#define VGPU_GTT_VALID			(1ull << 0)
#define VGPU_GTT_ADDR_MASK		(~0xfffull)

/* Register offsets in BAR0 (all 32 bits wide) */
#define VGPU_REG_ID			0x000	/* RO: VGPU_ID_MAGIC */
#define VGPU_REG_VERSION		0x004	/* RO: VGPU_VERSION */
#define VGPU_REG_CAPS			0x008	/* RO: VGPU_CAP_* */
#define VGPU_REG_GTT_ENTRIES		0x00c	/* RO: GTT entries of this type */
#define VGPU_REG_RING_MAX		0x010	/* RO: largest ring in bytes */
#define VGPU_REG_RING_BASE		0x020	/* RW: GTT address, page aligned */
#define VGPU_REG_RING_SIZE		0x024	/* RW: bytes, power of two */
#define VGPU_REG_RING_HEAD		0x028	/* RW while idle: byte offset */
#define VGPU_REG_RING_TAIL		0x02c	/* RW: byte offset, dword aligned */
#define VGPU_REG_RING_CTL		0x030	/* RW: VGPU_RING_CTL_* */
#define VGPU_REG_DOORBELL		0x034	/* WO: any value starts execution */
#define VGPU_REG_STATUS			0x038	/* RO: VGPU_STATUS_* */
#define VGPU_REG_IRQ_STATUS		0x040	/* RW1C: VGPU_IRQ_* */
#define VGPU_REG_IRQ_ENABLE		0x044	/* RW: VGPU_IRQ_* */
#define VGPU_REG_LAST_SEQNO		0x048	/* RO: seqno of the last FENCE */
#define VGPU_REG_ERROR			0x050	/* RO, any write clears: VGPU_ERR_* */
#define VGPU_REG_ERROR_HEAD		0x054	/* RO: ring offset of bad command */
#define VGPU_REG_ERROR_CMD		0x058	/* RO: header dword of bad command */
#define VGPU_REG_ERROR_DEPTH		0x05c	/* RO: 0 ring, 1..2 batch level */
#define VGPU_REG_CMDS_EXECUTED		0x060	/* RO: counter */
#define VGPU_REG_CMDS_REJECTED		0x064	/* RO: counter */
#define VGPU_REG_SUBMISSIONS		0x068	/* RO: counter */
#define VGPU_REG_SCRATCH0		0x100	/* RW: 16 scratch registers */
#define VGPU_NUM_SCRATCH		16
#define VGPU_REG_SCRATCH_END		(VGPU_REG_SCRATCH0 + 4 * VGPU_NUM_SCRATCH)

/*
 * Display engine (VGPU_CAP_DISPLAY): one pipe with a timing generator,
 * one scanout plane and a writeback unit.  The pipe counts vblanks at the
 * rate of the mode programmed in DISP_HACTIVE..DISP_CLOCK (taken when
 * DISP_CTL.ENABLE is set).  PLANE_CTL/BASE/STRIDE are latched into the
 * PLANE_LIVE_* registers at the first vblank after a PLANE_COMMIT write
 * (FLIP_DONE); a WB_COMMIT makes the device write the composed frame (the
 * live plane, black where it is disabled) into WB_BASE at the first vblank
 * after it (WB_DONE).  Failures set DISP_ERROR (a VGPU_ERR_* code).
 */
#define VGPU_REG_DISP_CTL		0x200	/* RW: VGPU_DISP_CTL_* */
#define VGPU_REG_DISP_STATUS		0x204	/* RO: VGPU_DISP_STATUS_* */
#define VGPU_REG_DISP_HACTIVE		0x208	/* RW: visible pixels per line */
#define VGPU_REG_DISP_VACTIVE		0x20c	/* RW: visible lines */
#define VGPU_REG_DISP_HTOTAL		0x210	/* RW: pixels per line, blanking incl. */
#define VGPU_REG_DISP_VTOTAL		0x214	/* RW: lines per frame, blanking incl. */
#define VGPU_REG_DISP_CLOCK		0x218	/* RW: pixel clock in kHz */
#define VGPU_REG_DISP_VBLANK		0x21c	/* RO: vblank counter */
#define VGPU_REG_DISP_SCANLINE		0x220	/* RO: line being scanned out */
#define VGPU_REG_DISP_MAX_SIZE		0x224	/* RO: VGPU_DISP_SIZE(max w, max h) */
#define VGPU_REG_DISP_PREF_SIZE		0x228	/* RO: size of the preferred mode */
#define VGPU_REG_DISP_ERROR		0x22c	/* RO, any write clears: VGPU_ERR_* */
#define VGPU_REG_PLANE_CTL		0x240	/* RW: VGPU_PLANE_CTL_* */
#define VGPU_REG_PLANE_BASE		0x244	/* RW: GTT address of pixel (0, 0) */
#define VGPU_REG_PLANE_STRIDE		0x248	/* RW: bytes per line */
#define VGPU_REG_PLANE_COMMIT		0x24c	/* WO: latch the plane at vblank */
#define VGPU_REG_PLANE_LIVE_CTL		0x250	/* RO: PLANE_CTL scanned out */
#define VGPU_REG_PLANE_LIVE_BASE	0x254	/* RO: PLANE_BASE scanned out */
#define VGPU_REG_PLANE_LIVE_STRIDE	0x258	/* RO: PLANE_STRIDE scanned out */
#define VGPU_REG_WB_BASE		0x260	/* RW: GTT address of the frame */
#define VGPU_REG_WB_STRIDE		0x264	/* RW: bytes per line */
#define VGPU_REG_WB_COMMIT		0x268	/* WO: write back the next frame */
#define VGPU_REG_DISP_START		0x200
#define VGPU_REG_DISP_END		0x280
#define VGPU_REG_END			0x1000

#define VGPU_ID_MAGIC			0x56475055	/* "VGPU" */
#define VGPU_VERSION			0x00010001	/* 1.1: display engine */

#define VGPU_CAP_FINE_DIRTY		(1u << 0)	/* reports exact writes */
#define VGPU_CAP_MIGRATION		(1u << 1)
#define VGPU_CAP_DISPLAY		(1u << 2)	/* pipe, plane, vblank */
#define VGPU_CAP_WRITEBACK		(1u << 3)	/* writeback unit */

#define VGPU_DISP_CTL_ENABLE		(1u << 0)

#define VGPU_DISP_STATUS_ACTIVE		(1u << 0)	/* the pipe runs */
#define VGPU_DISP_STATUS_FLIP_PENDING	(1u << 1)	/* PLANE_COMMIT not latched */
#define VGPU_DISP_STATUS_WB_PENDING	(1u << 2)	/* WB_COMMIT not done */

#define VGPU_PLANE_CTL_ENABLE		(1u << 0)
#define VGPU_PLANE_CTL_FORMAT(ctl)	(((ctl) >> 8) & 0xff)
#define VGPU_PLANE_FMT_XRGB8888		0	/* 32 bpp, little-endian B, G, R, X */
#define VGPU_PLANE_CTL_MASK		(VGPU_PLANE_CTL_ENABLE | (0xffu << 8))

/* DISP_MAX_SIZE, DISP_PREF_SIZE: width in bits 15:0, height in 31:16 */
#define VGPU_DISP_SIZE(w, h)		((__u32)(w) | (__u32)(h) << 16)
#define VGPU_DISP_WIDTH(size)		((size) & 0xffff)
#define VGPU_DISP_HEIGHT(size)		((size) >> 16)
#define VGPU_DISP_MIN_SIZE		64	/* smallest hactive, vactive */
#define VGPU_DISP_MAX_WIDTH		2560
#define VGPU_DISP_MAX_HEIGHT		1600
#define VGPU_DISP_MAX_TOTAL		0xffff	/* htotal, vtotal */
#define VGPU_DISP_MIN_FRAME_NS		4000000ull	/* 250 Hz */
#define VGPU_DISP_MAX_FRAME_NS		1000000000ull	/* 1 Hz */
#define VGPU_DISP_CPP			4	/* bytes per pixel */

#define VGPU_RING_CTL_ENABLE		(1u << 0)

#define VGPU_STATUS_BUSY		(1u << 0)	/* submission queued/running */
#define VGPU_STATUS_ERROR		(1u << 1)	/* ERROR register is non-zero */

#define VGPU_IRQ_FENCE			(1u << 0)
#define VGPU_IRQ_ERROR			(1u << 1)
#define VGPU_IRQ_IDLE			(1u << 2)	/* a submission finished */
#define VGPU_IRQ_VBLANK			(1u << 3)	/* the pipe passed a vblank */
#define VGPU_IRQ_FLIP_DONE		(1u << 4)	/* a PLANE_COMMIT latched */
#define VGPU_IRQ_WB_DONE		(1u << 5)	/* a WB_COMMIT completed */
#define VGPU_IRQ_DISP_ERROR		(1u << 6)	/* DISP_ERROR was set */
#define VGPU_IRQ_DISPLAY		(VGPU_IRQ_VBLANK | VGPU_IRQ_FLIP_DONE | \
					 VGPU_IRQ_WB_DONE | VGPU_IRQ_DISP_ERROR)
#define VGPU_IRQ_ALL			(VGPU_IRQ_FENCE | VGPU_IRQ_ERROR | \
					 VGPU_IRQ_IDLE | VGPU_IRQ_DISPLAY)

#define VGPU_RING_MIN_SIZE		4096

/*
 * Command encoding.  A command is a header dword followed by "len" payload
 * dwords:  [31:24] opcode  [23:16] flags  [15:0] len (payload dwords).
 */
#define VGPU_CMD_OPCODE(hdr)		(((hdr) >> 24) & 0xff)
#define VGPU_CMD_FLAGS(hdr)		(((hdr) >> 16) & 0xff)
#define VGPU_CMD_LEN(hdr)		((hdr) & 0xffff)
#define VGPU_CMD_HDR(op, flags, len)	((((__u32)(op) & 0xff) << 24) | \
					 (((__u32)(flags) & 0xff) << 16) | \
					 ((__u32)(len) & 0xffff))

#define VGPU_OP_NOOP			0x00	/* len 0 */
#define VGPU_OP_BATCH_START		0x01	/* len 2: addr, bytes */
#define VGPU_OP_FILL			0x10	/* len 3: dst, bytes, pattern */
#define VGPU_OP_COPY			0x11	/* len 3: src, dst, bytes */
#define VGPU_OP_WRITE_DATA		0x12	/* len 1+n: dst, n data dwords */
#define VGPU_OP_FENCE			0x20	/* len 2: dst, seqno */
#define VGPU_OP_LOAD_REGISTER		0x30	/* len 2: reg offset, value */

#define VGPU_FENCE_FLAG_IRQ		0x01	/* raise VGPU_IRQ_FENCE */

/* Limits enforced by the parser */
#define VGPU_MAX_BATCH_DEPTH		2	/* ring -> batch -> batch */
#define VGPU_MAX_BATCH_BYTES		16384
#define VGPU_MAX_INLINE_DW		64	/* WRITE_DATA data dwords */
#define VGPU_MAX_XFER_BYTES		(4u << 20)	/* FILL / COPY bytes */
#define VGPU_MAX_CMDS_PER_SUBMIT	4096
#define VGPU_MAX_BYTES_PER_SUBMIT	(16u << 20)	/* bytes written */

/* Error codes (VGPU_REG_ERROR) */
#define VGPU_ERR_NONE			0
#define VGPU_ERR_UNKNOWN_OPCODE		1	/* opcode not in the table */
#define VGPU_ERR_TRUNCATED		2	/* command runs past the end */
#define VGPU_ERR_OVERSIZE		3	/* length field or size too big */
#define VGPU_ERR_BAD_ADDRESS		4	/* outside the GTT aperture */
#define VGPU_ERR_FORBIDDEN		5	/* privileged command/register */
#define VGPU_ERR_BATCH_DEPTH		6	/* batch nesting too deep */
#define VGPU_ERR_RING			7	/* ring registers out of range */
#define VGPU_ERR_BUDGET			8	/* work per doorbell exceeded */
#define VGPU_ERR_MALFORMED		9	/* bad flags, alignment, length */
#define VGPU_ERR_UNMAPPED		10	/* GTT entry invalid or revoked */
#define VGPU_ERR_DMA			11	/* pinning or access failed */
#define VGPU_ERR_MAX			11

#endif /* _UAPI_LINUX_SAMPLE_VGPU_H */
