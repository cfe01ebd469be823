/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cmd_parser.h - command decoder and parser of the sample vGPU
 *
 * Plain C over fixed-width types: builds in the kernel and in user space.
 * The parser only ever reads host memory (shadow copies); guest memory is
 * reached through the fetch and exec callbacks.
 */
#ifndef _SAMPLE_VGPU_CMD_PARSER_H
#define _SAMPLE_VGPU_CMD_PARSER_H

#include "vgpu_compat.h"
#include <linux/sample_vgpu.h>

/**
 * struct vgpu_cmd - one decoded and validated command
 * @hdr: header dword
 * @opcode: VGPU_OP_*
 * @flags: header flags
 * @ndw: dwords taken by the command, header included
 * @addr: destination (or batch) GTT address
 * @src: COPY source GTT address
 * @bytes: size of the batch, fill, copy, inline data or fence write
 * @value: FILL pattern, FENCE seqno or LOAD_REGISTER value
 * @reg: LOAD_REGISTER register offset
 * @data: WRITE_DATA payload (points into the parsed buffer)
 * @writes: bytes of guest memory the command writes
 */
struct vgpu_cmd {
	u32 hdr;
	u32 opcode;
	u32 flags;
	u32 ndw;
	u32 addr;
	u32 src;
	u32 bytes;
	u32 value;
	u32 reg;
	const u32 *data;
	u32 writes;
};

/**
 * struct vgpu_parser_ops - callbacks of the parser into the device model
 * @fetch: copy @bytes of guest memory at GTT address @addr into @dst;
 *         return VGPU_ERR_NONE or a VGPU_ERR_* code
 * @exec: execute one validated command other than BATCH_START;
 *        return VGPU_ERR_NONE or a VGPU_ERR_* code
 */
struct vgpu_parser_ops {
	u32 (*fetch)(void *priv, u32 addr, void *dst, u32 bytes);
	u32 (*exec)(void *priv, const struct vgpu_cmd *cmd);
};

/**
 * struct vgpu_parser - one submission being parsed
 * @ops: callbacks
 * @priv: argument of the callbacks
 * @aperture: bytes of GTT address space (entries * 4096)
 * @max_cmds: command budget of this submission
 * @max_bytes: budget of bytes written by this submission
 * @batch: one shadow buffer of VGPU_MAX_BATCH_BYTES per nesting level
 * @cmds: commands started so far, counts against @max_cmds (out)
 * @done: commands completed without error (out)
 * @bytes: bytes written so far (out)
 * @err: first error, VGPU_ERR_* (out)
 * @err_pos: byte offset of the failing top-level command (out)
 * @err_hdr: header dword of the failing command (out)
 * @err_depth: nesting level of the failing command, 0 = ring (out)
 * @top_pos: byte offset of the top-level command being run (internal)
 */
struct vgpu_parser {
	const struct vgpu_parser_ops *ops;
	void *priv;
	u64 aperture;
	u32 max_cmds;
	u32 max_bytes;
	u32 *batch[VGPU_MAX_BATCH_DEPTH];
	u32 cmds;
	u32 done;
	u32 bytes;
	u32 err;
	u32 err_pos;
	u32 err_hdr;
	u32 err_depth;
	u32 top_pos;
};

u32 vgpu_decode_cmd(const u32 *buf, u32 ndw, u64 aperture,
		    struct vgpu_cmd *cmd);
u32 vgpu_parse(struct vgpu_parser *p, const u32 *buf, u32 ndw);
const char *vgpu_err_name(u32 err);

#endif /* _SAMPLE_VGPU_CMD_PARSER_H */
