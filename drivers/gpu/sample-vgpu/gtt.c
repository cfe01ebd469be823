// SPDX-License-Identifier: GPL-2.0-only
/*
 * gtt.c - the sample vGPU's graphics translation table
 *
 * GTT entry i maps device addresses [i * 4 KiB, (i + 1) * 4 KiB) to a guest
 * IOVA page.  A valid entry keeps its page pinned (clean intent when the
 * instance reports its writes) for as long as it is mapped; dma_unmap from
 * VFIO drops exactly the pins of the affected entries, and later use of
 * such an entry is a device error (VGPU_ERR_UNMAPPED).
 *
 * All functions run with v->lock held.
 */
#include <linux/highmem.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>

#include "dirty.h"
#include "vgpu.h"

static void vgpu_gtt_unpin(struct vgpu_dev *v, struct vgpu_gtt_entry *e)
{
	if (!e->page)
		return;
	vgpu_unpin_page(v, e->iova);
	e->page = NULL;
	atomic64_dec(&v->cnt.pages_pinned);
}

static int vgpu_gtt_pin(struct vgpu_dev *v, struct vgpu_gtt_entry *e)
{
	dma_addr_t iova = e->val & VGPU_GTT_ADDR_MASK;
	struct page *page;
	int ret;

	if (!v->open)
		return -ENODEV;
	ret = vgpu_pin_page(v, iova, &page);
	if (ret < 0)
		return ret;
	if (ret != 1)
		return -EFAULT;
	e->iova = iova;
	e->page = page;
	atomic64_inc(&v->cnt.pages_pinned);
	return 0;
}

/**
 * vgpu_gtt_set() - program one GTT entry
 * @v: device
 * @index: entry, below the type's entry count
 * @val: new value; VGPU_GTT_VALID set means map and pin the IOVA page
 *
 * The old page, if any, is unpinned first.  If pinning the new page fails
 * the entry reads back without VGPU_GTT_VALID.
 *
 * Return: 0 or the negative errno of the failed pin.
 */
int vgpu_gtt_set(struct vgpu_dev *v, u32 index, u64 val)
{
	struct vgpu_gtt_entry *e = &v->gtt[index];
	int ret = 0;

	lockdep_assert_held(&v->lock);
	val &= VGPU_GTT_ADDR_MASK | VGPU_GTT_VALID;
	/* rewriting the pinned mapping: nothing to do */
	if (e->page && val == (e->iova | VGPU_GTT_VALID)) {
		e->val = val;
		return 0;
	}
	vgpu_gtt_unpin(v, e);
	e->val = val;
	if (val & VGPU_GTT_VALID) {
		ret = vgpu_gtt_pin(v, e);
		if (ret)
			e->val &= ~VGPU_GTT_VALID;
	}
	v->gtt_gen++;
	return ret;
}

/**
 * vgpu_gtt_restore() - load one GTT entry from a migration stream
 * @v: device, all entries clear
 * @index: entry
 * @val: entry value as saved
 * @revoked: the source had lost the pin to dma_unmap: do not pin
 *
 * Return: 0 or the negative errno of the failed pin.
 */
int vgpu_gtt_restore(struct vgpu_dev *v, u32 index, u64 val, bool revoked)
{
	struct vgpu_gtt_entry *e = &v->gtt[index];

	lockdep_assert_held(&v->lock);
	e->val = val & (VGPU_GTT_ADDR_MASK | VGPU_GTT_VALID);
	v->gtt_gen++;
	if (!(e->val & VGPU_GTT_VALID) || revoked)
		return 0;
	return vgpu_gtt_pin(v, e);
}

/**
 * vgpu_gtt_clear() - unpin and invalidate every GTT entry
 * @v: device
 */
void vgpu_gtt_clear(struct vgpu_dev *v)
{
	u32 i;

	lockdep_assert_held(&v->lock);
	for (i = 0; i < v->type->gtt_entries; i++) {
		vgpu_gtt_unpin(v, &v->gtt[i]);
		v->gtt[i].val = 0;
	}
	v->gtt_gen++;
}

/**
 * vgpu_gtt_unmap() - drop the pins inside an IOVA range being unmapped
 * @v: device
 * @iova: start of the range
 * @length: bytes
 *
 * Called from the dma_unmap callback.  Affected entries stay valid in the
 * guest's view but have no page: using them is a device error.
 */
void vgpu_gtt_unmap(struct vgpu_dev *v, u64 iova, u64 length)
{
	u64 last = iova + length - 1;
	u32 i;

	lockdep_assert_held(&v->lock);
	for (i = 0; i < v->type->gtt_entries; i++) {
		struct vgpu_gtt_entry *e = &v->gtt[i];

		if (!e->page || e->iova < iova || e->iova > last)
			continue;
		vgpu_gtt_unpin(v, e);
		atomic64_inc(&v->cnt.gtt_revoked);
		v->gtt_gen++;
	}
}

/**
 * vgpu_gtt_check() - check that a device address range is fully mapped
 * @v: device
 * @addr: GTT address
 * @len: bytes, non-zero
 *
 * Return: VGPU_ERR_NONE, VGPU_ERR_BAD_ADDRESS or VGPU_ERR_UNMAPPED.
 */
u32 vgpu_gtt_check(struct vgpu_dev *v, u32 addr, u32 len)
{
	u32 first = addr >> VGPU_PAGE_SHIFT;
	u32 last;
	u32 i;

	if (!len || (u64)addr + len > vgpu_aperture(v))
		return VGPU_ERR_BAD_ADDRESS;
	last = (addr + len - 1) >> VGPU_PAGE_SHIFT;
	for (i = first; i <= last; i++)
		if (!v->gtt[i].page)
			return VGPU_ERR_UNMAPPED;
	return VGPU_ERR_NONE;
}

/*
 * Copy between @buf and the pinned pages behind [addr, addr + len).
 * Writes go to the dirty tracker page by page.
 */
static u32 vgpu_gtt_rw(struct vgpu_dev *v, u32 addr, void *buf, u32 len,
		       bool write)
{
	u32 err = vgpu_gtt_check(v, addr, len);

	lockdep_assert_held(&v->lock);
	if (err)
		return err;
	while (len) {
		struct vgpu_gtt_entry *e = &v->gtt[addr >> VGPU_PAGE_SHIFT];
		u32 off = addr & (VGPU_PAGE_SIZE - 1);
		u32 chunk = min(len, VGPU_PAGE_SIZE - off);
		u8 *map = kmap_local_page(e->page);

		if (write) {
			memcpy(map + off, buf, chunk);
			vgpu_dirty_record(v, e->iova + off, chunk);
		} else {
			memcpy(buf, map + off, chunk);
		}
		kunmap_local(map);
		addr += chunk;
		buf += chunk;
		len -= chunk;
	}
	return VGPU_ERR_NONE;
}

/**
 * vgpu_gtt_read() - read guest memory through the GTT
 * @v: device
 * @addr: GTT address
 * @buf: destination, host memory
 * @len: bytes
 *
 * Return: VGPU_ERR_NONE or a VGPU_ERR_* code; nothing is read on error.
 */
u32 vgpu_gtt_read(struct vgpu_dev *v, u32 addr, void *buf, u32 len)
{
	return vgpu_gtt_rw(v, addr, buf, len, false);
}

/**
 * vgpu_gtt_write() - write guest memory through the GTT, record the range
 * @v: device
 * @addr: GTT address
 * @buf: source, host memory
 * @len: bytes
 *
 * The caller flushes the dirty tracker (vgpu_dirty_flush()).
 *
 * Return: VGPU_ERR_NONE or a VGPU_ERR_* code; nothing is written on error.
 */
u32 vgpu_gtt_write(struct vgpu_dev *v, u32 addr, const void *buf, u32 len)
{
	return vgpu_gtt_rw(v, addr, (void *)buf, len, true);
}
