// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_parser.c - command decoder and parser of the sample vGPU
 *
 * Every command is decoded and checked against the opcode table before it
 * runs: length against the table, flags, alignment, sizes and GTT aperture
 * bounds.  The parser walks a shadow copy (never guest memory), recurses into
 * batch buffers up to VGPU_MAX_BATCH_DEPTH and stops at the first error.
 * Work is bounded by the command and byte budgets of the submission.
 *
 * No kernel headers here: this file also builds in user space.
 */
#include "cmd_parser.h"

/**
 * struct vgpu_op_desc - opcode table entry
 * @opcode: VGPU_OP_*
 * @min_len: fewest payload dwords
 * @max_len: most payload dwords
 * @flags: header flags the command accepts
 * @check: opcode-specific decoding and checks, may be NULL
 */
struct vgpu_op_desc {
	u8 opcode;
	u8 min_len;
	u8 max_len;
	u8 flags;
	u32 (*check)(const u32 *payload, u32 len, u64 aperture,
		     struct vgpu_cmd *cmd);
};

static bool vgpu_range_ok(u32 addr, u32 bytes, u64 aperture)
{
	return (u64)addr + bytes <= aperture;
}

/* Common checks of a dword-aligned guest range of @bytes at @addr. */
static u32 vgpu_check_range(u32 addr, u32 bytes, u32 max, u64 aperture)
{
	if (!bytes || (addr & 3) || (bytes & 3))
		return VGPU_ERR_MALFORMED;
	if (bytes > max)
		return VGPU_ERR_OVERSIZE;
	if (!vgpu_range_ok(addr, bytes, aperture))
		return VGPU_ERR_BAD_ADDRESS;
	return VGPU_ERR_NONE;
}

static u32 vgpu_check_batch(const u32 *pl, u32 len, u64 aperture,
			    struct vgpu_cmd *cmd)
{
	cmd->addr = vgpu_le32(pl[0]);
	cmd->bytes = vgpu_le32(pl[1]);
	return vgpu_check_range(cmd->addr, cmd->bytes, VGPU_MAX_BATCH_BYTES,
				aperture);
}

static u32 vgpu_check_fill(const u32 *pl, u32 len, u64 aperture,
			   struct vgpu_cmd *cmd)
{
	cmd->addr = vgpu_le32(pl[0]);
	cmd->bytes = vgpu_le32(pl[1]);
	cmd->value = vgpu_le32(pl[2]);
	cmd->writes = cmd->bytes;
	return vgpu_check_range(cmd->addr, cmd->bytes, VGPU_MAX_XFER_BYTES,
				aperture);
}

static u32 vgpu_check_copy(const u32 *pl, u32 len, u64 aperture,
			   struct vgpu_cmd *cmd)
{
	u32 err;

	cmd->src = vgpu_le32(pl[0]);
	cmd->addr = vgpu_le32(pl[1]);
	cmd->bytes = vgpu_le32(pl[2]);
	cmd->writes = cmd->bytes;
	err = vgpu_check_range(cmd->src, cmd->bytes, VGPU_MAX_XFER_BYTES,
			       aperture);
	if (!err)
		err = vgpu_check_range(cmd->addr, cmd->bytes,
				       VGPU_MAX_XFER_BYTES, aperture);
	if (err)
		return err;
	/* overlapping ranges in device address space */
	if (cmd->src < cmd->addr + cmd->bytes &&
	    cmd->addr < cmd->src + cmd->bytes)
		return VGPU_ERR_MALFORMED;
	return VGPU_ERR_NONE;
}

static u32 vgpu_check_write_data(const u32 *pl, u32 len, u64 aperture,
				 struct vgpu_cmd *cmd)
{
	cmd->addr = vgpu_le32(pl[0]);
	cmd->bytes = 4 * (len - 1);
	cmd->data = pl + 1;
	cmd->writes = cmd->bytes;
	return vgpu_check_range(cmd->addr, cmd->bytes, 4 * VGPU_MAX_INLINE_DW,
				aperture);
}

static u32 vgpu_check_fence(const u32 *pl, u32 len, u64 aperture,
			    struct vgpu_cmd *cmd)
{
	cmd->addr = vgpu_le32(pl[0]);
	cmd->value = vgpu_le32(pl[1]);
	cmd->bytes = 4;
	cmd->writes = 4;
	return vgpu_check_range(cmd->addr, 4, 4, aperture);
}

static u32 vgpu_check_lri(const u32 *pl, u32 len, u64 aperture,
			  struct vgpu_cmd *cmd)
{
	cmd->reg = vgpu_le32(pl[0]);
	cmd->value = vgpu_le32(pl[1]);
	/* only the scratch registers are open to the command stream */
	if (cmd->reg < VGPU_REG_SCRATCH0 || cmd->reg >= VGPU_REG_SCRATCH_END ||
	    (cmd->reg & 3))
		return VGPU_ERR_FORBIDDEN;
	return VGPU_ERR_NONE;
}

static const struct vgpu_op_desc vgpu_op_table[] = {
	{ VGPU_OP_NOOP, 0, 0, 0, NULL },
	{ VGPU_OP_BATCH_START, 2, 2, 0, vgpu_check_batch },
	{ VGPU_OP_FILL, 3, 3, 0, vgpu_check_fill },
	{ VGPU_OP_COPY, 3, 3, 0, vgpu_check_copy },
	{ VGPU_OP_WRITE_DATA, 2, 1 + VGPU_MAX_INLINE_DW, 0,
	  vgpu_check_write_data },
	{ VGPU_OP_FENCE, 2, 2, VGPU_FENCE_FLAG_IRQ, vgpu_check_fence },
	{ VGPU_OP_LOAD_REGISTER, 2, 2, 0, vgpu_check_lri },
};

static const struct vgpu_op_desc *vgpu_find_op(u32 opcode)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vgpu_op_table); i++)
		if (vgpu_op_table[i].opcode == opcode)
			return &vgpu_op_table[i];
	return NULL;
}

/**
 * vgpu_decode_cmd() - decode and validate the command at the start of @buf
 * @buf: command dwords (host memory), at least one
 * @ndw: dwords available in @buf from the command on
 * @aperture: bytes of GTT address space
 * @cmd: decoded command (out); valid fields depend on the opcode
 *
 * Checks, in order: opcode known, payload length within the table's range,
 * command complete within @ndw, flags, then the opcode's own rules.
 *
 * Return: VGPU_ERR_NONE or the VGPU_ERR_* code of the first failed check.
 */
u32 vgpu_decode_cmd(const u32 *buf, u32 ndw, u64 aperture,
		    struct vgpu_cmd *cmd)
{
	const struct vgpu_op_desc *op;
	u32 len;

	*cmd = (struct vgpu_cmd){ 0 };
	if (!ndw)
		return VGPU_ERR_TRUNCATED;
	cmd->hdr = vgpu_le32(buf[0]);
	cmd->opcode = VGPU_CMD_OPCODE(cmd->hdr);
	cmd->flags = VGPU_CMD_FLAGS(cmd->hdr);
	len = VGPU_CMD_LEN(cmd->hdr);
	cmd->ndw = 1 + len;

	op = vgpu_find_op(cmd->opcode);
	if (!op)
		return VGPU_ERR_UNKNOWN_OPCODE;
	if (len > op->max_len)
		return VGPU_ERR_OVERSIZE;
	if (len < op->min_len)
		return VGPU_ERR_MALFORMED;
	if (cmd->ndw > ndw)
		return VGPU_ERR_TRUNCATED;
	if (cmd->flags & ~op->flags)
		return VGPU_ERR_MALFORMED;
	return op->check ? op->check(buf + 1, len, aperture, cmd) :
			   VGPU_ERR_NONE;
}

static u32 vgpu_parse_level(struct vgpu_parser *p, const u32 *buf, u32 ndw,
			    u32 depth);

static u32 vgpu_run_batch(struct vgpu_parser *p, const struct vgpu_cmd *cmd,
			  u32 depth)
{
	u32 *shadow;
	u32 err;

	if (depth >= VGPU_MAX_BATCH_DEPTH)
		return VGPU_ERR_BATCH_DEPTH;
	shadow = p->batch[depth];
	err = p->ops->fetch(p->priv, cmd->addr, shadow, cmd->bytes);
	if (err)
		return err;
	p->done++;
	return vgpu_parse_level(p, shadow, cmd->bytes / 4, depth + 1);
}

static u32 vgpu_budget_check(const struct vgpu_parser *p,
			     const struct vgpu_cmd *cmd)
{
	if (p->cmds >= p->max_cmds)
		return VGPU_ERR_BUDGET;
	if (cmd->writes > p->max_bytes - p->bytes)
		return VGPU_ERR_BUDGET;
	return VGPU_ERR_NONE;
}

static void vgpu_record_error(struct vgpu_parser *p, u32 err, u32 hdr,
			      u32 depth)
{
	if (p->err)
		return;	/* keep the innermost (first) error */
	p->err = err;
	p->err_hdr = hdr;
	p->err_depth = depth;
	p->err_pos = p->top_pos;
}

static u32 vgpu_parse_level(struct vgpu_parser *p, const u32 *buf, u32 ndw,
			    u32 depth)
{
	struct vgpu_cmd cmd;
	u32 pos = 0;
	u32 err;

	while (pos < ndw) {
		if (!depth)
			p->top_pos = pos * 4;
		err = vgpu_decode_cmd(buf + pos, ndw - pos, p->aperture, &cmd);
		if (!err)
			err = vgpu_budget_check(p, &cmd);
		if (!err) {
			p->cmds++;
			p->bytes += cmd.writes;
			if (cmd.opcode == VGPU_OP_BATCH_START)
				err = vgpu_run_batch(p, &cmd, depth);
			else
				err = p->ops->exec(p->priv, &cmd);
			if (!err && cmd.opcode != VGPU_OP_BATCH_START)
				p->done++;
		}
		if (err) {
			vgpu_record_error(p, err, cmd.hdr, depth);
			return err;
		}
		pos += cmd.ndw;
	}
	return VGPU_ERR_NONE;
}

/**
 * vgpu_parse() - parse and execute one submission
 * @p: parser state; ops, priv, aperture, budgets and batch buffers set
 * @buf: shadow copy of the ring segment between head and tail
 * @ndw: dwords in @buf
 *
 * Commands run in order through @p->ops->exec until the end of @buf or the
 * first error.  Nested batches are fetched into @p->batch[level] first.
 * On error, @p->err, @p->err_pos, @p->err_hdr and @p->err_depth describe it;
 * commands before the failing one have run.
 *
 * Return: VGPU_ERR_NONE or the first VGPU_ERR_* code.
 */
u32 vgpu_parse(struct vgpu_parser *p, const u32 *buf, u32 ndw)
{
	p->cmds = 0;
	p->done = 0;
	p->bytes = 0;
	p->err = VGPU_ERR_NONE;
	p->err_pos = 0;
	p->err_hdr = 0;
	p->err_depth = 0;
	p->top_pos = 0;
	return vgpu_parse_level(p, buf, ndw, 0);
}

static const char * const vgpu_err_names[] = {
	[VGPU_ERR_NONE] = "none",
	[VGPU_ERR_UNKNOWN_OPCODE] = "unknown-opcode",
	[VGPU_ERR_TRUNCATED] = "truncated",
	[VGPU_ERR_OVERSIZE] = "oversize",
	[VGPU_ERR_BAD_ADDRESS] = "bad-address",
	[VGPU_ERR_FORBIDDEN] = "forbidden",
	[VGPU_ERR_BATCH_DEPTH] = "batch-depth",
	[VGPU_ERR_RING] = "ring",
	[VGPU_ERR_BUDGET] = "budget",
	[VGPU_ERR_MALFORMED] = "malformed",
	[VGPU_ERR_UNMAPPED] = "unmapped",
	[VGPU_ERR_DMA] = "dma",
};

/**
 * vgpu_err_name() - short name of a VGPU_ERR_* code
 * @err: error code
 *
 * Return: a static string, "invalid" for unknown codes.
 */
const char *vgpu_err_name(u32 err)
{
	if (err > VGPU_ERR_MAX)
		return "invalid";
	return vgpu_err_names[err];
}
