// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmio.c - PCI config space and BAR0 registers of the sample vGPU
 *
 * Region accesses arrive through read()/write() on the device file at
 * VFIO_PCI_INDEX_TO_OFFSET(index) + offset.  Config space takes any size;
 * BAR0 takes aligned 4- and 8-byte accesses, and an access of whole GTT
 * entries takes up to VGPU_GTT_BATCH entries per hold of the device lock,
 * so that contiguous mappings are pinned in bulk.  Nothing here executes
 * commands: a doorbell only queues the worker.
 *
 * While the device does not run (stopped for migration), BAR0 is
 * read-only: a write fails with -EBUSY and changes nothing, so a stopped
 * device neither pins nor raises interrupts, and the state that STOP_COPY
 * saved is the state the device has.  Config space stays writable, as the
 * migration uAPI requires of a stopped device.
 */
#include <linux/log2.h>
#include <linux/pci_regs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vgpu.h"

#define VGPU_OFFSET_SHIFT	40
#define VGPU_OFFSET_MASK	((1ull << VGPU_OFFSET_SHIFT) - 1)

/* bytes of config space the guest may change: value is the bit mask */
static u8 vgpu_cfg_wmask[VGPU_CFG_SIZE];

/**
 * vgpu_bar0_size() - size of BAR0 for a type
 * @t: type
 *
 * Return: the smallest power of two, at least VGPU_BAR0_MIN_SIZE, that
 * holds the registers and the type's GTT window.
 */
u32 vgpu_bar0_size(const struct vgpu_type *t)
{
	return max_t(u32, VGPU_BAR0_MIN_SIZE,
		     roundup_pow_of_two(VGPU_GTT_WINDOW + 8 * t->gtt_entries));
}

static void vgpu_wmask_set(unsigned int off, u32 mask, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		vgpu_cfg_wmask[off + i] = mask >> (8 * i);
}

static void vgpu_put32(u8 *cfg, unsigned int off, u32 val)
{
	__le32 le = cpu_to_le32(val);

	memcpy(cfg + off, &le, 4);
}

static void vgpu_put16(u8 *cfg, unsigned int off, u16 val)
{
	__le16 le = cpu_to_le16(val);

	memcpy(cfg + off, &le, 2);
}

/**
 * vgpu_cfg_init() - build the config space of a fresh device
 * @v: device
 */
void vgpu_cfg_init(struct vgpu_dev *v)
{
	u8 *cfg = v->cfg;
	unsigned int msi = VGPU_CFG_MSI_CAP;

	memset(cfg, 0, VGPU_CFG_SIZE);
	vgpu_put16(cfg, PCI_VENDOR_ID, VGPU_PCI_VENDOR_ID);
	vgpu_put16(cfg, PCI_DEVICE_ID, VGPU_PCI_DEVICE_ID);
	vgpu_put16(cfg, PCI_STATUS, PCI_STATUS_CAP_LIST);
	vgpu_put32(cfg, PCI_CLASS_REVISION,
		   VGPU_PCI_CLASS << 8 | VGPU_PCI_REVISION);
	vgpu_put32(cfg, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_MEM_TYPE_32);
	vgpu_put16(cfg, PCI_SUBSYSTEM_VENDOR_ID, VGPU_PCI_VENDOR_ID);
	vgpu_put16(cfg, PCI_SUBSYSTEM_ID, v->type->id + 1);
	cfg[PCI_CAPABILITY_LIST] = msi;
	cfg[PCI_INTERRUPT_PIN] = 1;
	cfg[msi + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSI;
	cfg[msi + PCI_CAP_LIST_NEXT] = 0;
	vgpu_put16(cfg, msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT);
}

/**
 * vgpu_mmio_setup() - build the config space write mask, once at load
 */
void vgpu_mmio_setup(void)
{
	unsigned int msi = VGPU_CFG_MSI_CAP;

	vgpu_wmask_set(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		       PCI_COMMAND_INTX_DISABLE, 2);
	/* BAR0's mask depends on the type: vgpu_cfg_mask() */
	vgpu_wmask_set(PCI_INTERRUPT_LINE, 0xff, 1);
	vgpu_wmask_set(msi + PCI_MSI_FLAGS,
		       PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE, 2);
	vgpu_wmask_set(msi + PCI_MSI_ADDRESS_LO, ~3u, 4);
	vgpu_wmask_set(msi + PCI_MSI_ADDRESS_HI, ~0u, 4);
	vgpu_wmask_set(msi + PCI_MSI_DATA_64, 0xffff, 2);
}

/**
 * vgpu_regs_reset() - registers to their reset values
 * @v: device, v->lock held
 */
void vgpu_regs_reset(struct vgpu_dev *v)
{
	memset(&v->regs, 0, sizeof(v->regs));
	vgpu_display_reset(v);
}

static u8 vgpu_cfg_mask(struct vgpu_dev *v, u32 off)
{
	u32 bar = off - PCI_BASE_ADDRESS_0;

	if (bar < 4)
		return ~(vgpu_bar0_size(v->type) - 1) >> (8 * bar);
	return vgpu_cfg_wmask[off];
}

static void vgpu_cfg_write(struct vgpu_dev *v, u32 off, const u8 *buf,
			   u32 len)
{
	u32 i;

	for (i = 0; i < len; i++) {
		u8 m = vgpu_cfg_mask(v, off + i);

		v->cfg[off + i] = (v->cfg[off + i] & ~m) | (buf[i] & m);
	}
}

/**
 * vgpu_cfg_load() - config space from a migration stream
 * @v: device with a fresh config space, v->lock held
 * @src: VGPU_CFG_SIZE bytes; only guest-writable bits are taken
 */
void vgpu_cfg_load(struct vgpu_dev *v, const u8 *src)
{
	vgpu_cfg_write(v, 0, src, VGPU_CFG_SIZE);
}

static u32 vgpu_status(const struct vgpu_dev *v)
{
	u32 s = 0;

	if (v->regs.doorbell_pending)
		s |= VGPU_STATUS_BUSY;
	if (v->regs.error)
		s |= VGPU_STATUS_ERROR;
	return s;
}

static u32 vgpu_caps(const struct vgpu_dev *v)
{
	return VGPU_CAP_MIGRATION | VGPU_CAP_DISPLAY | VGPU_CAP_WRITEBACK |
	       (v->fine_dirty ? VGPU_CAP_FINE_DIRTY : 0);
}

static u32 vgpu_reg_read(struct vgpu_dev *v, u32 off)
{
	const struct vgpu_mig_regs *r = &v->regs;

	if (off >= VGPU_REG_SCRATCH0 && off < VGPU_REG_SCRATCH_END)
		return r->scratch[(off - VGPU_REG_SCRATCH0) / 4];
	if (off >= VGPU_REG_DISP_START && off < VGPU_REG_DISP_END)
		return vgpu_display_reg_read(v, off);
	switch (off) {
	case VGPU_REG_ID:		return VGPU_ID_MAGIC;
	case VGPU_REG_VERSION:		return VGPU_VERSION;
	case VGPU_REG_CAPS:		return vgpu_caps(v);
	case VGPU_REG_GTT_ENTRIES:	return v->type->gtt_entries;
	case VGPU_REG_RING_MAX:		return v->type->ring_max;
	case VGPU_REG_RING_BASE:	return r->ring_base;
	case VGPU_REG_RING_SIZE:	return r->ring_size;
	case VGPU_REG_RING_HEAD:	return r->ring_head;
	case VGPU_REG_RING_TAIL:	return r->ring_tail;
	case VGPU_REG_RING_CTL:		return r->ring_ctl;
	case VGPU_REG_STATUS:		return vgpu_status(v);
	case VGPU_REG_IRQ_STATUS:	return r->irq_status;
	case VGPU_REG_IRQ_ENABLE:	return r->irq_enable;
	case VGPU_REG_LAST_SEQNO:	return r->last_seqno;
	case VGPU_REG_ERROR:		return r->error;
	case VGPU_REG_ERROR_HEAD:	return r->error_head;
	case VGPU_REG_ERROR_CMD:	return r->error_cmd;
	case VGPU_REG_ERROR_DEPTH:	return r->error_depth;
	case VGPU_REG_CMDS_EXECUTED:	return r->cmds_executed;
	case VGPU_REG_CMDS_REJECTED:	return r->cmds_rejected;
	case VGPU_REG_SUBMISSIONS:	return r->submissions;
	}
	return 0;
}

static void vgpu_reg_write(struct vgpu_dev *v, u32 off, u32 val)
{
	struct vgpu_mig_regs *r = &v->regs;

	if (off >= VGPU_REG_SCRATCH0 && off < VGPU_REG_SCRATCH_END) {
		r->scratch[(off - VGPU_REG_SCRATCH0) / 4] = val;
		return;
	}
	if (off >= VGPU_REG_DISP_START && off < VGPU_REG_DISP_END) {
		vgpu_display_reg_write(v, off, val);
		return;
	}
	switch (off) {
	case VGPU_REG_RING_BASE:
		r->ring_base = val;
		break;
	case VGPU_REG_RING_SIZE:
		r->ring_size = val;
		break;
	case VGPU_REG_RING_HEAD:
		if (!r->doorbell_pending)	/* device-owned while busy */
			r->ring_head = val;
		break;
	case VGPU_REG_RING_TAIL:
		r->ring_tail = val;
		break;
	case VGPU_REG_RING_CTL:
		r->ring_ctl = val & VGPU_RING_CTL_ENABLE;
		break;
	case VGPU_REG_DOORBELL:
		r->doorbell_pending = 1;
		vgpu_kick(v);
		break;
	case VGPU_REG_IRQ_STATUS:
		r->irq_status &= ~val;
		break;
	case VGPU_REG_IRQ_ENABLE:
		r->irq_enable = val & VGPU_IRQ_ALL;
		vgpu_update_irq(v);
		vgpu_display_irq_enabled(v);
		break;
	case VGPU_REG_ERROR:
		r->error = 0;
		r->error_head = 0;
		r->error_cmd = 0;
		r->error_depth = 0;
		break;
	}
}

static u32 vgpu_gtt_index(u32 off)
{
	return (off - VGPU_GTT_WINDOW) / 8;
}

/* A GTT entry could not be mapped: ERROR names its BAR offset. */
static void vgpu_gtt_error(struct vgpu_dev *v, u32 index)
{
	v->regs.error = VGPU_ERR_DMA;
	v->regs.error_head = VGPU_GTT_WINDOW + 8 * index;
	vgpu_raise_irq(v, VGPU_IRQ_ERROR);
}

/*
 * Program entries from little-endian values (converted in place).  A
 * failure is reported unless @quiet (an earlier batch of the same write
 * failed: ERROR names the write's first failing entry).  Returns true if
 * an entry could not be mapped.
 */
static bool vgpu_gtt_write_entries(struct vgpu_dev *v, u32 first, void *buf,
				   u32 n, bool quiet)
{
	u64 *vals = buf;
	u32 i, failed;

	for (i = 0; i < n; i++) {
		__le64 le;

		memcpy(&le, &vals[i], 8);
		vals[i] = le64_to_cpu(le);
	}
	if (!vgpu_gtt_set_range(v, first, vals, n, &failed))
		return false;
	if (!quiet)
		vgpu_gtt_error(v, failed);
	return true;
}

/*
 * 4-byte writes: a new high half takes the entry out of use
 * (vgpu_gtt_write_high()), the low half commits the entry.
 */
static int vgpu_gtt_write_entry(struct vgpu_dev *v, u32 off, u64 val,
				u32 size)
{
	u32 index = vgpu_gtt_index(off), failed;

	if (size == 4 && (off & 4))
		return vgpu_gtt_write_high(v, index, val);
	if (size == 4)
		val = (vgpu_gtt_get(v, index) & ~0xffffffffull) | val;
	if (vgpu_gtt_set_range(v, index, &val, 1, &failed))
		vgpu_gtt_error(v, failed);
	return 0;
}

static bool vgpu_is_gtt(struct vgpu_dev *v, u32 off)
{
	return off >= VGPU_GTT_WINDOW &&
	       off < VGPU_GTT_WINDOW + 8 * v->type->gtt_entries;
}

/*
 * Whole GTT entries, VGPU_GTT_BATCH per hold of v->lock; stops at the
 * type's last entry.  Returns bytes done or a negative errno.
 */
static ssize_t vgpu_gtt_bulk_rw(struct vgpu_dev *v, char __user *ubuf,
				size_t count, u32 off, bool write)
{
	u32 first = vgpu_gtt_index(off), done, n, i;
	u32 total = min_t(u64, count / 8, v->type->gtt_entries - first);
	__le64 *buf = kmalloc_array(VGPU_GTT_BATCH, 8, GFP_KERNEL);
	bool failed = false;
	ssize_t ret = 0;

	if (!buf)
		return -ENOMEM;
	for (done = 0; done < total; done += n) {
		n = min_t(u32, total - done, VGPU_GTT_BATCH);
		if (write && copy_from_user(buf, ubuf + 8 * done, 8 * n)) {
			ret = -EFAULT;
			break;
		}
		mutex_lock(&v->lock);
		if (write && !v->running) {
			mutex_unlock(&v->lock);
			ret = -EBUSY;	/* stopped: BAR0 is read-only */
			break;
		}
		if (write)
			failed |= vgpu_gtt_write_entries(v, first + done, buf,
							 n, failed);
		for (i = 0; !write && i < n; i++)
			buf[i] = cpu_to_le64(vgpu_gtt_get(v, first + done + i));
		mutex_unlock(&v->lock);
		if (!write && copy_to_user(ubuf + 8 * done, buf, 8 * n)) {
			ret = -EFAULT;
			break;
		}
	}
	kfree(buf);
	return done ? 8 * (ssize_t)done : ret;
}

static int vgpu_bar0_rw(struct vgpu_dev *v, u32 off, u8 *buf, u32 size,
			bool write)
{
	u64 val = 0;

	if ((size != 4 && size != 8) || (off & (size - 1)))
		return -EINVAL;
	if (vgpu_is_gtt(v, off)) {
		if (write) {
			memcpy(&val, buf, size);
			return vgpu_gtt_write_entry(v, off, le64_to_cpu(val),
						    size);
		}
		val = vgpu_gtt_get(v, vgpu_gtt_index(off));
		if (size == 4)
			val = (u32)(val >> (off & 4 ? 32 : 0));
		val = cpu_to_le64(val);
		memcpy(buf, &val, size);
		return 0;
	}
	if (off >= VGPU_GTT_WINDOW)	/* past the type's last entry */
		return -EINVAL;
	if (off >= VGPU_REG_END) {	/* unused register space */
		if (!write)
			memset(buf, 0, size);
		return 0;
	}
	if (size == 8) {		/* two registers */
		if (vgpu_bar0_rw(v, off, buf, 4, write))
			return -EINVAL;
		return vgpu_bar0_rw(v, off + 4, buf + 4, 4, write);
	}
	if (write) {
		__le32 le;

		memcpy(&le, buf, 4);
		vgpu_reg_write(v, off, le32_to_cpu(le));
	} else {
		__le32 le = cpu_to_le32(vgpu_reg_read(v, off));

		memcpy(buf, &le, 4);
	}
	return 0;
}

static int vgpu_access(struct vgpu_dev *v, u64 pos, u8 *buf, u32 size,
		       bool write)
{
	unsigned int index = pos >> VGPU_OFFSET_SHIFT;
	u64 off = pos & VGPU_OFFSET_MASK;

	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		if (off + size > VGPU_CFG_SIZE)
			return -EINVAL;
		if (write)
			vgpu_cfg_write(v, off, buf, size);
		else
			memcpy(buf, v->cfg + off, size);
		return 0;
	case VFIO_PCI_BAR0_REGION_INDEX:
		if (off + size > vgpu_bar0_size(v->type))
			return -EINVAL;
		if (write && !v->running)
			return -EBUSY;	/* stopped: BAR0 is read-only */
		return vgpu_bar0_rw(v, off, buf, size, write);
	}
	return -EINVAL;
}

/* An aligned access of two or more whole entries inside the GTT window */
static bool vgpu_is_gtt_bulk(struct vgpu_dev *v, u64 pos, size_t count)
{
	u64 off = pos & VGPU_OFFSET_MASK;

	return pos >> VGPU_OFFSET_SHIFT == VFIO_PCI_BAR0_REGION_INDEX &&
	       off < U32_MAX && vgpu_is_gtt(v, off) && !(off & 7) &&
	       count >= 16 && !(count & 7);
}

static u32 vgpu_chunk(u64 pos, size_t count)
{
	if (count >= 8 && !(pos & 7))
		return 8;
	if (count >= 4 && !(pos & 3))
		return 4;
	if (count >= 2 && !(pos & 1))
		return 2;
	return 1;
}

/**
 * vgpu_region_rw() - read()/write() on the device file
 * @v: device
 * @ubuf: user buffer
 * @count: bytes
 * @ppos: file position: region index << 40 | offset
 * @write: direction
 *
 * Splits the access into naturally aligned pieces of up to 8 bytes, except
 * an aligned access of whole GTT entries, done in batches of entries.
 *
 * Return: bytes transferred or a negative errno.
 */
ssize_t vgpu_region_rw(struct vgpu_dev *v, char __user *ubuf, size_t count,
		       loff_t *ppos, bool write)
{
	size_t done = 0;
	ssize_t ret = 0;
	u8 buf[8];

	if (vgpu_is_gtt_bulk(v, *ppos, count)) {
		ret = vgpu_gtt_bulk_rw(v, ubuf, count,
				       *ppos & VGPU_OFFSET_MASK, write);
		if (ret > 0)
			*ppos += ret;
		return ret;
	}
	while (done < count) {
		u64 pos = *ppos + done;
		u32 size = vgpu_chunk(pos, count - done);

		if (write && copy_from_user(buf, ubuf + done, size))
			return -EFAULT;
		mutex_lock(&v->lock);
		ret = vgpu_access(v, pos, buf, size, write);
		mutex_unlock(&v->lock);
		if (ret)
			break;
		if (!write && copy_to_user(ubuf + done, buf, size))
			return -EFAULT;
		done += size;
	}
	if (!done)
		return ret;
	*ppos += done;
	return done;
}
