// SPDX-License-Identifier: GPL-2.0-only
/*
 * ring.c - sample vGPU command ring: commands, submission, completion
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libvgpu.h"

int vgpu_ring_setup(struct vgpu *g, __u32 gtt_addr, __u32 size)
{
	int ret;

	g->ring_base = gtt_addr;
	g->ring_size = size;
	g->ring_tail = 0;
	ret = vgpu_wr(g, VGPU_REG_RING_BASE, gtt_addr);
	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_RING_SIZE, size);
	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_RING_HEAD, 0);
	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_RING_TAIL, 0);
	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_RING_CTL, VGPU_RING_CTL_ENABLE);
	return ret;
}

int vgpu_ring_write(struct vgpu *g, const __u32 *cmds, __u32 ndw)
{
	__u32 i;

	if (!g->ring_size || 4 * ndw >= g->ring_size)
		return -E2BIG;
	for (i = 0; i < ndw; i++) {
		__u32 *slot = vgpu_gtt_ptr(g, g->ring_base + g->ring_tail);

		if (!slot)
			return -EFAULT;
		*slot = cmds[i];
		g->ring_tail = (g->ring_tail + 4) & (g->ring_size - 1);
	}
	__sync_synchronize();
	return 0;
}

int vgpu_submit(struct vgpu *g, const __u32 *cmds, __u32 ndw)
{
	int ret = vgpu_ring_write(g, cmds, ndw);

	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_RING_TAIL, g->ring_tail);
	if (!ret)
		ret = vgpu_wr(g, VGPU_REG_DOORBELL, 1);
	return ret;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vgpu_wait_idle(struct vgpu *g, int timeout_ms)
{
	long end = now_ms() + timeout_ms;

	do {
		__u32 st = vgpu_reg(g, VGPU_REG_STATUS);

		if (st == ~0u)
			return -EIO;
		if (!(st & VGPU_STATUS_BUSY))
			return 0;
		usleep(1000);
	} while (now_ms() < end);
	return -ETIME;
}

int vgpu_run(struct vgpu *g, const __u32 *cmds, __u32 ndw, __u32 *error)
{
	int ret;

	ret = vgpu_wr(g, VGPU_REG_ERROR, 0);
	if (!ret)
		ret = vgpu_submit(g, cmds, ndw);
	if (!ret)
		ret = vgpu_wait_idle(g, 10000);
	if (!ret)
		*error = vgpu_reg(g, VGPU_REG_ERROR);
	return ret;
}

/* ---- command builders ---- */

/* a command of @op with three operand dwords */
static __u32 vgpu_cmd3(__u32 *p, __u32 op, __u32 a, __u32 b, __u32 c)
{
	p[0] = VGPU_CMD_HDR(op, 0, 3);
	p[1] = a;
	p[2] = b;
	p[3] = c;
	return 4;
}

__u32 vgpu_cmd_fill(__u32 *p, __u32 dst, __u32 bytes, __u32 pattern)
{
	return vgpu_cmd3(p, VGPU_OP_FILL, dst, bytes, pattern);
}

__u32 vgpu_cmd_copy(__u32 *p, __u32 src, __u32 dst, __u32 bytes)
{
	return vgpu_cmd3(p, VGPU_OP_COPY, src, dst, bytes);
}

__u32 vgpu_cmd_write(__u32 *p, __u32 dst, const __u32 *data, __u32 ndw)
{
	p[0] = VGPU_CMD_HDR(VGPU_OP_WRITE_DATA, 0, 1 + ndw);
	p[1] = dst;
	memcpy(p + 2, data, 4 * ndw);
	return 2 + ndw;
}

__u32 vgpu_cmd_fence(__u32 *p, __u32 dst, __u32 seqno, bool irq)
{
	p[0] = VGPU_CMD_HDR(VGPU_OP_FENCE, irq ? VGPU_FENCE_FLAG_IRQ : 0, 2);
	p[1] = dst;
	p[2] = seqno;
	return 3;
}

__u32 vgpu_cmd_batch(__u32 *p, __u32 addr, __u32 bytes)
{
	p[0] = VGPU_CMD_HDR(VGPU_OP_BATCH_START, 0, 2);
	p[1] = addr;
	p[2] = bytes;
	return 3;
}

__u32 vgpu_cmd_lri(__u32 *p, __u32 reg, __u32 val)
{
	p[0] = VGPU_CMD_HDR(VGPU_OP_LOAD_REGISTER, 0, 2);
	p[1] = reg;
	p[2] = val;
	return 3;
}
