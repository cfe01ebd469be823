// SPDX-License-Identifier: GPL-2.0-only
/*
 * parser_test.c - host-side unit tests of the sample vGPU command parser
 *
 * The parser (drivers/gpu/sample-vgpu/cmd_parser.c) is linked in as is and
 * driven against a model device: a flat array standing in for the GTT
 * aperture, with fetch and exec callbacks that do what the kernel driver
 * does with pinned pages.  Table-driven: one variant per error class, plus
 * functional tests of each command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_parser.h"
#include "kselftest_harness.h"

#define APERTURE	(64 * 4096)
#define MAX_DW		32

struct model {
	u8 mem[APERTURE];
	u32 regs[VGPU_REG_END / 4];
	u32 batch0[VGPU_MAX_BATCH_BYTES / 4];
	u32 batch1[VGPU_MAX_BATCH_BYTES / 4];
	u32 fences;
	u32 fence_irqs;
	u32 fetches;
	u32 fail_exec_at;	/* 1-based exec call to fail with UNMAPPED */
	u32 execs;
	struct vgpu_parser p;
};

static u32 model_fetch(void *priv, u32 addr, void *dst, u32 bytes)
{
	struct model *m = priv;

	if ((u64)addr + bytes > APERTURE)
		return VGPU_ERR_BAD_ADDRESS;
	m->fetches++;
	memcpy(dst, m->mem + addr, bytes);
	return VGPU_ERR_NONE;
}

static u32 model_exec(void *priv, const struct vgpu_cmd *cmd)
{
	struct model *m = priv;
	u32 i;

	if (++m->execs == m->fail_exec_at)
		return VGPU_ERR_UNMAPPED;
	/* the parser promises these bounds: check them independently */
	if (cmd->writes && (u64)cmd->addr + cmd->writes > APERTURE)
		abort();
	switch (cmd->opcode) {
	case VGPU_OP_NOOP:
		break;
	case VGPU_OP_FILL:
		for (i = 0; i < cmd->bytes; i += 4)
			memcpy(m->mem + cmd->addr + i, &cmd->value, 4);
		break;
	case VGPU_OP_COPY:
		memcpy(m->mem + cmd->addr, m->mem + cmd->src, cmd->bytes);
		break;
	case VGPU_OP_WRITE_DATA:
		memcpy(m->mem + cmd->addr, cmd->data, cmd->bytes);
		break;
	case VGPU_OP_FENCE:
		memcpy(m->mem + cmd->addr, &cmd->value, 4);
		m->fences++;
		if (cmd->flags & VGPU_FENCE_FLAG_IRQ)
			m->fence_irqs++;
		break;
	case VGPU_OP_LOAD_REGISTER:
		m->regs[cmd->reg / 4] = cmd->value;
		break;
	default:
		abort();	/* BATCH_START or unknown must never get here */
	}
	return VGPU_ERR_NONE;
}

static const struct vgpu_parser_ops model_ops = {
	.fetch = model_fetch,
	.exec = model_exec,
};

static struct model *model_new(void)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->p.ops = &model_ops;
	m->p.priv = m;
	m->p.aperture = APERTURE;
	m->p.max_cmds = VGPU_MAX_CMDS_PER_SUBMIT;
	m->p.max_bytes = VGPU_MAX_BYTES_PER_SUBMIT;
	m->p.batch[0] = m->batch0;
	m->p.batch[1] = m->batch1;
	return m;
}

static void put_dw(struct model *m, u32 addr, const u32 *dw, u32 n)
{
	memcpy(m->mem + addr, dw, 4 * n);
}

static u32 get_dw(struct model *m, u32 addr)
{
	u32 v;

	memcpy(&v, m->mem + addr, 4);
	return v;
}

#define H(op, fl, len)	VGPU_CMD_HDR(VGPU_OP_##op, fl, len)

/* ---- table-driven error classes ---- */

FIXTURE(errors) {
	struct model *m;
};

FIXTURE_VARIANT(errors) {
	u32 ring[MAX_DW];
	u32 ndw;
	u32 batch_addr;		/* where @batch goes in the aperture */
	u32 batch[MAX_DW];
	u32 batch_ndw;
	u32 batch2_addr;
	u32 batch2[MAX_DW];
	u32 batch2_ndw;
	u32 max_cmds;		/* 0: default budget */
	u32 max_bytes;
	u32 fail_exec_at;
	u32 err;
	u32 err_pos;
	u32 err_depth;
	u32 done;
};

FIXTURE_SETUP(errors)
{
	self->m = model_new();
	ASSERT_NE(NULL, self->m);
	if (variant->batch_ndw)
		put_dw(self->m, variant->batch_addr, variant->batch,
		       variant->batch_ndw);
	if (variant->batch2_ndw)
		put_dw(self->m, variant->batch2_addr, variant->batch2,
		       variant->batch2_ndw);
	if (variant->max_cmds)
		self->m->p.max_cmds = variant->max_cmds;
	if (variant->max_bytes)
		self->m->p.max_bytes = variant->max_bytes;
	self->m->fail_exec_at = variant->fail_exec_at;
}

FIXTURE_TEARDOWN(errors)
{
	free(self->m);
}

FIXTURE_VARIANT_ADD(errors, ok_all_commands) {
	.ring = { H(NOOP, 0, 0), H(FILL, 0, 3), 0x1000, 64, 0xdeadbeef,
		  H(COPY, 0, 3), 0x1000, 0x2000, 64,
		  H(WRITE_DATA, 0, 3), 0x3000, 1, 2,
		  H(FENCE, VGPU_FENCE_FLAG_IRQ, 2), 0x4000, 7,
		  H(LOAD_REGISTER, 0, 2), VGPU_REG_SCRATCH0, 5 },
	.ndw = 19, .err = VGPU_ERR_NONE, .done = 6,
};

FIXTURE_VARIANT_ADD(errors, unknown_opcode) {
	.ring = { H(NOOP, 0, 0), VGPU_CMD_HDR(0x7f, 0, 0), H(NOOP, 0, 0) },
	.ndw = 3, .err = VGPU_ERR_UNKNOWN_OPCODE, .err_pos = 4, .done = 1,
};

FIXTURE_VARIANT_ADD(errors, truncated) {
	.ring = { H(NOOP, 0, 0), H(FILL, 0, 3), 0x1000, 64 },
	.ndw = 4, .err = VGPU_ERR_TRUNCATED, .err_pos = 4, .done = 1,
};

FIXTURE_VARIANT_ADD(errors, truncated_in_batch) {
	.ring = { H(BATCH_START, 0, 2), 0x8000, 8 },
	.ndw = 3, .batch_addr = 0x8000,
	.batch = { H(NOOP, 0, 0), H(WRITE_DATA, 0, 2) }, .batch_ndw = 2,
	.err = VGPU_ERR_TRUNCATED, .err_depth = 1, .done = 2,
};

FIXTURE_VARIANT_ADD(errors, oversize_len_field) {
	.ring = { H(FILL, 0, 4), 0x1000, 64, 0, 0 },
	.ndw = 5, .err = VGPU_ERR_OVERSIZE,
};

FIXTURE_VARIANT_ADD(errors, oversize_inline) {
	.ring = { H(WRITE_DATA, 0, 1 + VGPU_MAX_INLINE_DW + 1) },
	.ndw = 1, .err = VGPU_ERR_OVERSIZE,
};

FIXTURE_VARIANT_ADD(errors, oversize_fill) {
	.ring = { H(FILL, 0, 3), 0, VGPU_MAX_XFER_BYTES + 4, 0 },
	.ndw = 4, .err = VGPU_ERR_OVERSIZE,
};

FIXTURE_VARIANT_ADD(errors, oversize_batch) {
	.ring = { H(BATCH_START, 0, 2), 0, VGPU_MAX_BATCH_BYTES + 4 },
	.ndw = 3, .err = VGPU_ERR_OVERSIZE,
};

FIXTURE_VARIANT_ADD(errors, out_of_gtt_fill) {
	.ring = { H(NOOP, 0, 0), H(FILL, 0, 3), APERTURE - 4, 8, 0 },
	.ndw = 5, .err = VGPU_ERR_BAD_ADDRESS, .err_pos = 4, .done = 1,
};

FIXTURE_VARIANT_ADD(errors, out_of_gtt_wrap) {
	.ring = { H(FILL, 0, 3), 0xfffffffc, 8, 0 },
	.ndw = 4, .err = VGPU_ERR_BAD_ADDRESS,
};

FIXTURE_VARIANT_ADD(errors, out_of_gtt_copy_src) {
	.ring = { H(COPY, 0, 3), APERTURE, 0, 4 },
	.ndw = 4, .err = VGPU_ERR_BAD_ADDRESS,
};

FIXTURE_VARIANT_ADD(errors, out_of_gtt_fence) {
	.ring = { H(FENCE, 0, 2), APERTURE, 1 },
	.ndw = 3, .err = VGPU_ERR_BAD_ADDRESS,
};

FIXTURE_VARIANT_ADD(errors, out_of_gtt_batch) {
	.ring = { H(BATCH_START, 0, 2), APERTURE - 4, 8 },
	.ndw = 3, .err = VGPU_ERR_BAD_ADDRESS,
};

FIXTURE_VARIANT_ADD(errors, forbidden_register) {
	.ring = { H(LOAD_REGISTER, 0, 2), VGPU_REG_RING_BASE, 0 },
	.ndw = 3, .err = VGPU_ERR_FORBIDDEN,
};

FIXTURE_VARIANT_ADD(errors, forbidden_past_scratch) {
	.ring = { H(LOAD_REGISTER, 0, 2), VGPU_REG_SCRATCH_END, 0 },
	.ndw = 3, .err = VGPU_ERR_FORBIDDEN,
};

FIXTURE_VARIANT_ADD(errors, forbidden_in_batch) {
	.ring = { H(NOOP, 0, 0), H(BATCH_START, 0, 2), 0x8000, 12 },
	.ndw = 4, .batch_addr = 0x8000,
	.batch = { H(LOAD_REGISTER, 0, 2), VGPU_REG_GTT_ENTRIES, 0 },
	.batch_ndw = 3,
	.err = VGPU_ERR_FORBIDDEN, .err_pos = 4, .err_depth = 1, .done = 2,
};

FIXTURE_VARIANT_ADD(errors, nesting_ok_two_levels) {
	.ring = { H(BATCH_START, 0, 2), 0x8000, 12 },
	.ndw = 3, .batch_addr = 0x8000,
	.batch = { H(BATCH_START, 0, 2), 0x9000, 4 }, .batch_ndw = 3,
	.batch2_addr = 0x9000, .batch2 = { H(NOOP, 0, 0) }, .batch2_ndw = 1,
	.err = VGPU_ERR_NONE, .done = 3,
};

FIXTURE_VARIANT_ADD(errors, nesting_too_deep) {
	.ring = { H(BATCH_START, 0, 2), 0x8000, 12 },
	.ndw = 3, .batch_addr = 0x8000,
	.batch = { H(BATCH_START, 0, 2), 0x9000, 12 }, .batch_ndw = 3,
	.batch2_addr = 0x9000,
	.batch2 = { H(BATCH_START, 0, 2), 0x8000, 12 }, .batch2_ndw = 3,
	.err = VGPU_ERR_BATCH_DEPTH, .err_depth = 2, .done = 2,
};

FIXTURE_VARIANT_ADD(errors, self_loop_batch) {
	.ring = { H(BATCH_START, 0, 2), 0x8000, 12 },
	.ndw = 3, .batch_addr = 0x8000,
	.batch = { H(BATCH_START, 0, 2), 0x8000, 12 }, .batch_ndw = 3,
	.err = VGPU_ERR_BATCH_DEPTH, .err_depth = 2, .done = 2,
};

FIXTURE_VARIANT_ADD(errors, budget_cmds) {
	.ring = { H(NOOP, 0, 0), H(NOOP, 0, 0), H(NOOP, 0, 0) },
	.ndw = 3, .max_cmds = 2,
	.err = VGPU_ERR_BUDGET, .err_pos = 8, .done = 2,
};

FIXTURE_VARIANT_ADD(errors, budget_bytes) {
	.ring = { H(FILL, 0, 3), 0, 4096, 0, H(FILL, 0, 3), 0, 4096, 0 },
	.ndw = 8, .max_bytes = 6000,
	.err = VGPU_ERR_BUDGET, .err_pos = 16, .done = 1,
};

FIXTURE_VARIANT_ADD(errors, malformed_flags) {
	.ring = { H(FILL, 0x80, 3), 0, 4, 0 },
	.ndw = 4, .err = VGPU_ERR_MALFORMED,
};

FIXTURE_VARIANT_ADD(errors, malformed_unaligned) {
	.ring = { H(FILL, 0, 3), 2, 4, 0 },
	.ndw = 4, .err = VGPU_ERR_MALFORMED,
};

FIXTURE_VARIANT_ADD(errors, malformed_zero_len) {
	.ring = { H(COPY, 0, 3), 0, 4096, 0 },
	.ndw = 4, .err = VGPU_ERR_MALFORMED,
};

FIXTURE_VARIANT_ADD(errors, malformed_overlap) {
	.ring = { H(COPY, 0, 3), 0, 8, 16 },
	.ndw = 4, .err = VGPU_ERR_MALFORMED,
};

FIXTURE_VARIANT_ADD(errors, malformed_short) {
	.ring = { H(FENCE, 0, 1), 0 },
	.ndw = 2, .err = VGPU_ERR_MALFORMED,
};

FIXTURE_VARIANT_ADD(errors, exec_error_propagates) {
	.ring = { H(NOOP, 0, 0), H(NOOP, 0, 0), H(NOOP, 0, 0) },
	.ndw = 3, .fail_exec_at = 2,
	.err = VGPU_ERR_UNMAPPED, .err_pos = 4, .done = 1,
};

TEST_F(errors, parse)
{
	struct vgpu_parser *p = &self->m->p;
	u32 err = vgpu_parse(p, variant->ring, variant->ndw);

	TH_LOG("err %s at %u depth %u", vgpu_err_name(err), p->err_pos,
	       p->err_depth);
	ASSERT_EQ(variant->err, err);
	ASSERT_EQ(variant->err, p->err);
	if (err) {
		EXPECT_EQ(variant->err_pos, p->err_pos);
		EXPECT_EQ(variant->err_depth, p->err_depth);
	}
	EXPECT_EQ(variant->done, p->done);
	EXPECT_LE(p->cmds, p->max_cmds);
	EXPECT_LE(p->bytes, p->max_bytes);
}

/* ---- functional tests over the model ---- */

FIXTURE(cmds) {
	struct model *m;
};

FIXTURE_SETUP(cmds)
{
	self->m = model_new();
	ASSERT_NE(NULL, self->m);
}

FIXTURE_TEARDOWN(cmds)
{
	free(self->m);
}

TEST_F(cmds, fill_copy_write_fence)
{
	u32 ring[] = {
		H(FILL, 0, 3), 0x1000, 4096, 0xa5a5a5a5,
		H(COPY, 0, 3), 0x1000, 0x3000, 4096,
		H(WRITE_DATA, 0, 4), 0x5004, 11, 22, 33,
		H(FENCE, VGPU_FENCE_FLAG_IRQ, 2), 0x6000, 99,
		H(FENCE, 0, 2), 0x6004, 100,
	};
	struct model *m = self->m;
	u32 i;

	ASSERT_EQ(0, vgpu_parse(&m->p, ring, sizeof(ring) / 4));
	for (i = 0; i < 4096; i += 4) {
		ASSERT_EQ(0xa5a5a5a5, get_dw(m, 0x1000 + i));
		ASSERT_EQ(0xa5a5a5a5, get_dw(m, 0x3000 + i));
	}
	EXPECT_EQ(0, get_dw(m, 0x2000));
	EXPECT_EQ(0, get_dw(m, 0x5000));
	EXPECT_EQ(11, get_dw(m, 0x5004));
	EXPECT_EQ(33, get_dw(m, 0x500c));
	EXPECT_EQ(0, get_dw(m, 0x5010));
	EXPECT_EQ(99, get_dw(m, 0x6000));
	EXPECT_EQ(100, get_dw(m, 0x6004));
	EXPECT_EQ(2, m->fences);
	EXPECT_EQ(1, m->fence_irqs);
	EXPECT_EQ(5, m->p.done);
	EXPECT_EQ(4096 * 2 + 12 + 8, m->p.bytes);
}

TEST_F(cmds, batch_contents_are_shadowed)
{
	u32 ring[] = { H(BATCH_START, 0, 2), 0x8000, 16 };
	u32 batch[] = { H(WRITE_DATA, 0, 2), 0x100, 1, H(NOOP, 0, 0) };
	struct model *m = self->m;

	put_dw(m, 0x8000, batch, 4);
	ASSERT_EQ(0, vgpu_parse(&m->p, ring, 3));
	EXPECT_EQ(1, m->fetches);
	EXPECT_EQ(1, get_dw(m, 0x100));
	EXPECT_EQ(3, m->p.done);
}

TEST_F(cmds, lri_scratch)
{
	u32 ring[] = { H(LOAD_REGISTER, 0, 2), VGPU_REG_SCRATCH0 + 60, 42 };
	struct model *m = self->m;

	ASSERT_EQ(0, vgpu_parse(&m->p, ring, 3));
	EXPECT_EQ(42, m->regs[(VGPU_REG_SCRATCH0 + 60) / 4]);
}

TEST_F(cmds, empty_submission)
{
	ASSERT_EQ(0, vgpu_parse(&self->m->p, NULL, 0));
	EXPECT_EQ(0, self->m->p.done);
}

TEST_F(cmds, max_budget_exact)
{
	u32 ring[8];
	u32 i;

	for (i = 0; i < 8; i++)
		ring[i] = H(NOOP, 0, 0);
	self->m->p.max_cmds = 8;
	ASSERT_EQ(0, vgpu_parse(&self->m->p, ring, 8));
	EXPECT_EQ(8, self->m->p.done);
}

/* ---- decoder corner cases ---- */

TEST(decode_every_opcode_byte)
{
	struct vgpu_cmd cmd;
	u32 buf[1 + 1 + VGPU_MAX_INLINE_DW] = { 0 };
	u32 op, known = 0;

	for (op = 0; op < 256; op++) {
		u32 err;

		buf[0] = VGPU_CMD_HDR(op, 0, 0);
		err = vgpu_decode_cmd(buf, 1 + 1 + VGPU_MAX_INLINE_DW,
				      APERTURE, &cmd);
		if (err != VGPU_ERR_UNKNOWN_OPCODE)
			known++;
		EXPECT_EQ(op, cmd.opcode);
	}
	EXPECT_EQ(7, known);
}

TEST(decode_zero_dwords)
{
	struct vgpu_cmd cmd;
	u32 buf[1] = { 0 };

	EXPECT_EQ(VGPU_ERR_TRUNCATED, vgpu_decode_cmd(buf, 0, APERTURE, &cmd));
}

/* a 4 GiB aperture (the 4g type) does not wrap to 0: its top page is usable */
TEST(decode_4g_aperture_top)
{
	const u64 ap = 1ull << 32;
	struct vgpu_cmd cmd;
	u32 buf[3] = { H(FENCE, 0, 2), 0xfffff000u, 1 };

	EXPECT_EQ(VGPU_ERR_NONE, vgpu_decode_cmd(buf, 3, ap, &cmd));
	buf[1] = 0xfffffffcu;
	EXPECT_EQ(VGPU_ERR_NONE, vgpu_decode_cmd(buf, 3, ap, &cmd));
	EXPECT_EQ(VGPU_ERR_BAD_ADDRESS,
		  vgpu_decode_cmd(buf, 3, ap - 4096, &cmd));
}

TEST(err_names)
{
	u32 e;

	for (e = 0; e <= VGPU_ERR_MAX; e++)
		EXPECT_NE(NULL, vgpu_err_name(e));
	EXPECT_STREQ("invalid", vgpu_err_name(VGPU_ERR_MAX + 1));
	EXPECT_STREQ("forbidden", vgpu_err_name(VGPU_ERR_FORBIDDEN));
}

TEST_HARNESS_MAIN
