// SPDX-License-Identifier: GPL-2.0-only
/*
 * parser_fuzz.c - libFuzzer target over the sample vGPU command parser
 *
 * Input layout (all little-endian):
 *   byte 0      aperture = (1 + (b0 & 63)) pages
 *   byte 1      command budget = 1 + 16 * b1
 *   byte 2      byte budget = 4096 * (1 + b2)
 *   byte 3      ring segment = first 4 * b3 bytes after the header (clamped)
 *   bytes 4..   ring segment, then the rest of the input
 * The whole input after the header is also the content of the aperture
 * (zero padded), so BATCH_START can point into it.  Commands execute into
 * the aperture, so later batches can see earlier writes.
 *
 * Each executed command is checked against what the parser promises: inside
 * the aperture, within budget, known opcode, scratch-only register writes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_parser.h"

#define MAX_PAGES	64

struct fuzz_dev {
	u8 mem[MAX_PAGES * VGPU_PAGE_SIZE];
	u32 aperture;
	u32 batch0[VGPU_MAX_BATCH_BYTES / 4];
	u32 batch1[VGPU_MAX_BATCH_BYTES / 4];
	u32 scratch[VGPU_NUM_SCRATCH];
	u64 written;
};

static struct fuzz_dev dev;

static void check(int cond)
{
	if (!cond)
		abort();
}

static u32 fuzz_fetch(void *priv, u32 addr, void *dst, u32 bytes)
{
	struct fuzz_dev *d = priv;

	check((u64)addr + bytes <= d->aperture);
	check(bytes && bytes <= VGPU_MAX_BATCH_BYTES && !(bytes & 3));
	memcpy(dst, d->mem + addr, bytes);
	return VGPU_ERR_NONE;
}

static u32 fuzz_exec(void *priv, const struct vgpu_cmd *cmd)
{
	struct fuzz_dev *d = priv;
	u32 i;

	if (cmd->writes)
		check((u64)cmd->addr + cmd->writes <= d->aperture);
	d->written += cmd->writes;
	switch (cmd->opcode) {
	case VGPU_OP_NOOP:
		break;
	case VGPU_OP_FILL:
		for (i = 0; i < cmd->bytes; i += 4)
			memcpy(d->mem + cmd->addr + i, &cmd->value, 4);
		break;
	case VGPU_OP_COPY:
		check((u64)cmd->src + cmd->bytes <= d->aperture);
		memmove(d->mem + cmd->addr, d->mem + cmd->src, cmd->bytes);
		break;
	case VGPU_OP_WRITE_DATA:
		check(cmd->bytes <= 4 * VGPU_MAX_INLINE_DW);
		memcpy(d->mem + cmd->addr, cmd->data, cmd->bytes);
		break;
	case VGPU_OP_FENCE:
		memcpy(d->mem + cmd->addr, &cmd->value, 4);
		break;
	case VGPU_OP_LOAD_REGISTER:
		check(cmd->reg >= VGPU_REG_SCRATCH0 &&
		      cmd->reg < VGPU_REG_SCRATCH_END);
		d->scratch[(cmd->reg - VGPU_REG_SCRATCH0) / 4] = cmd->value;
		break;
	default:
		abort();
	}
	/* a deliberately small "device fault" so exec errors get fuzzed too */
	if (cmd->opcode == VGPU_OP_FENCE && cmd->value == 0xdead0001)
		return VGPU_ERR_UNMAPPED;
	return VGPU_ERR_NONE;
}

static const struct vgpu_parser_ops fuzz_ops = {
	.fetch = fuzz_fetch,
	.exec = fuzz_exec,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vgpu_parser p = { 0 };
	size_t body, ring_bytes;
	u32 *ring;
	u32 err;

	if (size < 4)
		return 0;
	body = size - 4;
	dev.aperture = (1 + (data[0] & (MAX_PAGES - 1))) * VGPU_PAGE_SIZE;
	memset(dev.mem, 0, dev.aperture);
	memcpy(dev.mem, data + 4, body < dev.aperture ? body : dev.aperture);
	dev.written = 0;

	ring_bytes = 4 * (size_t)data[3];
	if (ring_bytes > body)
		ring_bytes = body & ~(size_t)3;
	/* exact-size heap copy so ASan catches any over-read of the ring */
	ring = malloc(ring_bytes ? ring_bytes : 1);
	if (!ring)
		return 0;
	memcpy(ring, data + 4, ring_bytes);

	p.ops = &fuzz_ops;
	p.priv = &dev;
	p.aperture = dev.aperture;
	p.max_cmds = 1 + 16 * (u32)data[1];
	p.max_bytes = VGPU_PAGE_SIZE * (1 + (u32)data[2]);
	p.batch[0] = dev.batch0;
	p.batch[1] = dev.batch1;

	err = vgpu_parse(&p, ring, ring_bytes / 4);

	check(err <= VGPU_ERR_MAX);
	check(err == p.err);
	check(p.cmds <= p.max_cmds);
	check(p.done <= p.cmds);
	check(p.bytes <= p.max_bytes);
	check(dev.written <= p.max_bytes);
	check(p.err_depth <= VGPU_MAX_BATCH_DEPTH);
	if (err)
		check(p.err_pos < ring_bytes);
	check(vgpu_err_name(err) != NULL);
	free(ring);
	return 0;
}
