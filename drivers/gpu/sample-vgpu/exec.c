// SPDX-License-Identifier: GPL-2.0-only
/*
 * exec.c - execution of validated commands
 *
 * Called by the parser for each command that passed its checks.  Each
 * command first checks that its whole range is mapped, so a command either
 * runs completely or not at all.  Written ranges go to the dirty tracker,
 * which reports them once per submission (dirty.c).
 */
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "vgpu.h"

static u32 vgpu_exec_fill(struct vgpu_dev *v, const struct vgpu_cmd *cmd)
{
	__le32 pattern = cpu_to_le32(cmd->value);
	u32 addr = cmd->addr, left = cmd->bytes;
	u32 err = vgpu_gtt_check(v, addr, left);
	u32 i;

	if (err)
		return err;
	for (i = 0; i < PAGE_SIZE; i += 4)
		memcpy(v->bounce + i, &pattern, 4);
	while (left && !err) {
		u32 chunk = min_t(u32, left, PAGE_SIZE);

		err = vgpu_gtt_write(v, addr, v->bounce, chunk);
		addr += chunk;
		left -= chunk;
	}
	return err;
}

static u32 vgpu_exec_copy(struct vgpu_dev *v, const struct vgpu_cmd *cmd)
{
	u32 src = cmd->src, dst = cmd->addr, left = cmd->bytes;
	u32 err = vgpu_gtt_check(v, src, left);

	if (!err)
		err = vgpu_gtt_check(v, dst, left);
	while (left && !err) {
		u32 chunk = min_t(u32, left, PAGE_SIZE);

		err = vgpu_gtt_read(v, src, v->bounce, chunk);
		if (!err)
			err = vgpu_gtt_write(v, dst, v->bounce, chunk);
		src += chunk;
		dst += chunk;
		left -= chunk;
	}
	return err;
}

static u32 vgpu_exec_fence(struct vgpu_dev *v, const struct vgpu_cmd *cmd)
{
	__le32 seqno = cpu_to_le32(cmd->value);
	u32 err = vgpu_gtt_write(v, cmd->addr, &seqno, sizeof(seqno));

	if (err)
		return err;
	v->regs.last_seqno = cmd->value;
	if (cmd->flags & VGPU_FENCE_FLAG_IRQ)
		vgpu_raise_irq(v, VGPU_IRQ_FENCE);
	return VGPU_ERR_NONE;
}

/**
 * vgpu_exec_cmd() - parser callback: execute one validated command
 * @priv: the struct vgpu_dev
 * @cmd: decoded command, not BATCH_START
 *
 * Runs in the execution worker with v->lock held.
 *
 * Return: VGPU_ERR_NONE or a VGPU_ERR_* code.
 */
u32 vgpu_exec_cmd(void *priv, const struct vgpu_cmd *cmd)
{
	struct vgpu_dev *v = priv;
	u32 err = VGPU_ERR_NONE;

	lockdep_assert_held(&v->lock);
	switch (cmd->opcode) {
	case VGPU_OP_NOOP:
		break;
	case VGPU_OP_FILL:
		err = vgpu_exec_fill(v, cmd);
		break;
	case VGPU_OP_COPY:
		err = vgpu_exec_copy(v, cmd);
		break;
	case VGPU_OP_WRITE_DATA:
		/* inline data is little-endian in the shadow: copy as is */
		err = vgpu_gtt_write(v, cmd->addr, cmd->data, cmd->bytes);
		break;
	case VGPU_OP_FENCE:
		err = vgpu_exec_fence(v, cmd);
		break;
	case VGPU_OP_LOAD_REGISTER:
		v->regs.scratch[(cmd->reg - VGPU_REG_SCRATCH0) / 4] = cmd->value;
		break;
	default:
		err = VGPU_ERR_UNKNOWN_OPCODE;	/* not reached */
		break;
	}
	return err;
}
