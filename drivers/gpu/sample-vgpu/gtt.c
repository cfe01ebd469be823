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
 * The table is two-level (vgpu.h): an xarray of one-page leaves, allocated
 * on first use and freed when they are all zero again, so an idle 4 GiB
 * aperture costs nothing and a mapped one 16 bytes per entry in use.
 *
 * Pins and unpins go to VFIO in runs: entries with consecutive indexes and
 * consecutive IOVAs are pinned with one vfio_pin_pages() call of up to
 * VGPU_GTT_BATCH pages, and pins are dropped the same way.  Only when a run
 * fails to pin are its entries pinned one by one, to find exactly which
 * entries fail.  Under iommufd runs are one page long (vgpu_pin_batch()).
 *
 * All functions run with v->lock held.
 */
#include <linux/highmem.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/slab.h>

#include "dirty.h"
#include "vgpu.h"

#define VGPU_GTT_LEAF_MASK	(VGPU_GTT_LEAF_ENTRIES - 1)
#define VGPU_GTT_ENTRY_MASK	(VGPU_GTT_ADDR_MASK | VGPU_GTT_VALID)
#define VGPU_GTT_STREAM_MASK	(VGPU_GTT_ENTRY_MASK | VGPU_MIG_GTT_REVOKED)

/**
 * struct vgpu_run - entries pinned or unpinned with one call into VFIO
 * @first: first entry index (pin runs only)
 * @n: entries, at most VGPU_GTT_BATCH
 * @iova: IOVA of the first entry's page; entry k maps @iova + k pages
 */
struct vgpu_run {
	u32 first;
	u32 n;
	dma_addr_t iova;
};

/*
 * Entries per pin or unpin run.  type1 drops the pins of any subrange of
 * earlier pins, so runs of pins and unpins need not match.  iommufd keeps
 * each vfio_pin_pages() range of an emulated device as one access and
 * takes back only exactly such a range (anything else WARNs and leaves the
 * pages pinned), while the vGPU unpins whichever entries change: under
 * iommufd every entry is pinned and unpinned on its own.
 */
static u32 vgpu_pin_batch(struct vgpu_dev *v)
{
	return v->vdev.iommufd_access ? 1 : VGPU_GTT_BATCH;
}

/*
 * The entry, or NULL if its leaf does not exist.  Commands walk the GTT
 * page by page, so the last leaf found is kept at hand (v->gtt_last).
 */
static struct vgpu_gtt_entry *vgpu_gtt_entry(struct vgpu_dev *v, u32 index)
{
	unsigned long li = index >> VGPU_GTT_LEAF_SHIFT;
	struct vgpu_gtt_entry *leaf = v->gtt_last;

	if (!leaf || v->gtt_last_li != li) {
		leaf = xa_load(&v->gtt, li);
		if (!leaf)
			return NULL;
		v->gtt_last = leaf;
		v->gtt_last_li = li;
	}
	return &leaf[index & VGPU_GTT_LEAF_MASK];
}

static void vgpu_gtt_free_leaf(struct vgpu_dev *v, unsigned long li,
			       struct vgpu_gtt_entry *leaf)
{
	xa_erase(&v->gtt, li);
	if (v->gtt_last == leaf)
		v->gtt_last = NULL;
	kfree(leaf);
	atomic64_dec(&v->cnt.gtt_leaves);
}

/* The entry, its leaf allocated if need be; NULL when out of memory. */
static struct vgpu_gtt_entry *vgpu_gtt_entry_alloc(struct vgpu_dev *v,
						   u32 index)
{
	unsigned long li = index >> VGPU_GTT_LEAF_SHIFT;
	struct vgpu_gtt_entry *leaf = xa_load(&v->gtt, li);

	if (!leaf) {
		leaf = kcalloc(VGPU_GTT_LEAF_ENTRIES, sizeof(*leaf),
			       GFP_KERNEL_ACCOUNT);
		if (!leaf)
			return NULL;
		if (xa_is_err(xa_store(&v->gtt, li, leaf, GFP_KERNEL_ACCOUNT))) {
			kfree(leaf);
			return NULL;
		}
		atomic64_inc(&v->cnt.gtt_leaves);
	}
	return &leaf[index & VGPU_GTT_LEAF_MASK];
}

/* Free the leaves of entries [first, last] that hold only zero entries. */
static void vgpu_gtt_trim(struct vgpu_dev *v, u32 first, u32 last)
{
	unsigned long li;

	for (li = first >> VGPU_GTT_LEAF_SHIFT;
	     li <= last >> VGPU_GTT_LEAF_SHIFT; li++) {
		struct vgpu_gtt_entry *leaf = xa_load(&v->gtt, li);
		u32 i;

		if (!leaf)
			continue;
		for (i = 0; i < VGPU_GTT_LEAF_ENTRIES; i++)
			if (leaf[i].val)
				break;
		if (i == VGPU_GTT_LEAF_ENTRIES)
			vgpu_gtt_free_leaf(v, li, leaf);
	}
}

static void vgpu_unpin_run(struct vgpu_dev *v, struct vgpu_run *r)
{
	if (!r->n)
		return;
	vgpu_unpin_pages(v, r->iova, r->n);
	atomic64_sub(r->n, &v->cnt.pages_pinned);
	atomic64_inc(&v->cnt.unpin_calls);
	r->n = 0;
}

/* Drop the pin of @e, batched into @r with pins of the following pages. */
static void vgpu_gtt_drop_pin(struct vgpu_dev *v, struct vgpu_run *r,
			      struct vgpu_gtt_entry *e)
{
	dma_addr_t iova = e->val & VGPU_GTT_ADDR_MASK;

	if (!r->n || r->n == vgpu_pin_batch(v) ||
	    iova != r->iova + ((dma_addr_t)r->n << PAGE_SHIFT)) {
		vgpu_unpin_run(v, r);
		r->iova = iova;
	}
	r->n++;
	e->page = NULL;
}

/*
 * Slow path after a run failed to pin: pin its entries one by one; those
 * that fail lose VGPU_GTT_VALID.  Returns the first errno, its entry in
 * @failed.
 */
static int vgpu_pin_each(struct vgpu_dev *v, const struct vgpu_run *r,
			 u32 *failed)
{
	int err = 0;
	u32 i;

	for (i = 0; i < r->n; i++) {
		struct vgpu_gtt_entry *e = vgpu_gtt_entry(v, r->first + i);
		int ret = -ENODEV;

		if (v->open) {
			ret = vgpu_pin_pages(v, r->iova + ((u64)i << PAGE_SHIFT),
					     1, v->pin_pages);
			atomic64_inc(&v->cnt.pin_calls);
		}
		if (ret == 1) {
			e->page = v->pin_pages[0];
			atomic64_inc(&v->cnt.pages_pinned);
			continue;
		}
		e->val &= ~VGPU_GTT_VALID;
		if (!err) {
			err = ret < 0 ? ret : -EFAULT;
			*failed = r->first + i;
		}
	}
	return err;
}

static int vgpu_pin_run(struct vgpu_dev *v, struct vgpu_run *r, u32 *failed)
{
	int ret = -ENODEV;
	u32 i;

	if (!r->n)
		return 0;
	if (v->open) {
		ret = vgpu_pin_pages(v, r->iova, r->n, v->pin_pages);
		atomic64_inc(&v->cnt.pin_calls);
	}
	if (ret == r->n) {
		for (i = 0; i < r->n; i++)
			vgpu_gtt_entry(v, r->first + i)->page = v->pin_pages[i];
		atomic64_add(r->n, &v->cnt.pages_pinned);
	} else {
		ret = vgpu_pin_each(v, r, failed);
	}
	r->n = 0;
	return ret < 0 ? ret : 0;
}

/* Keep the error of the lowest failing entry of a range: @f if lower. */
static void vgpu_gtt_failure(int *err, u32 *failed, int ret, u32 f)
{
	if (ret && (!*err || f < *failed)) {
		*err = ret;
		*failed = f;
	}
}

/* Pin @r; a failure counts if its entry is the lowest one yet. */
static void vgpu_pin_run_first(struct vgpu_dev *v, struct vgpu_run *r,
			       int *err, u32 *failed)
{
	u32 f = 0;
	int ret = vgpu_pin_run(v, r, &f);

	vgpu_gtt_failure(err, failed, ret, f);
}

/* Entries of [first, first + n) whose new value changes the pinned page */
static void vgpu_gtt_unpin_changed(struct vgpu_dev *v, u32 first,
				   const u64 *vals, u32 n)
{
	struct vgpu_run un = {};
	u32 i;

	for (i = 0; i < n; i++) {
		struct vgpu_gtt_entry *e = vgpu_gtt_entry(v, first + i);

		if (e && e->page && (vals[i] & VGPU_GTT_ENTRY_MASK) != e->val)
			vgpu_gtt_drop_pin(v, &un, e);
	}
	vgpu_unpin_run(v, &un);
}

/**
 * vgpu_gtt_set_range() - program consecutive GTT entries
 * @v: device
 * @first: first entry; @first + @n is at most the type's entry count
 * @vals: new values; VGPU_GTT_VALID set means map and pin the IOVA page
 * @n: entries, at most VGPU_GTT_BATCH
 * @failed: set to the first entry that could not be mapped, on error
 *
 * Entries whose value does not change their pinned page keep their pin.
 * Pins dropped and taken go to VFIO in runs of consecutive IOVAs.  An entry
 * whose pin fails reads back without VGPU_GTT_VALID; the others are set.
 *
 * Return: 0, or the negative errno of the first entry that failed.
 */
int vgpu_gtt_set_range(struct vgpu_dev *v, u32 first, const u64 *vals,
		       u32 n, u32 *failed)
{
	struct vgpu_run pin = {};
	bool zeroed = false;
	int err = 0;
	u32 i;

	lockdep_assert_held(&v->lock);
	vgpu_gtt_unpin_changed(v, first, vals, n);
	for (i = 0; i < n; i++) {
		u64 val = vals[i] & VGPU_GTT_ENTRY_MASK;
		dma_addr_t iova = val & VGPU_GTT_ADDR_MASK;
		struct vgpu_gtt_entry *e;

		e = val ? vgpu_gtt_entry_alloc(v, first + i) :
			  vgpu_gtt_entry(v, first + i);
		if (!e) {
			if (val)
				vgpu_gtt_failure(&err, failed, -ENOMEM, first + i);
			continue;
		}
		zeroed |= e->val && !val;
		e->val = val;
		if (!(val & VGPU_GTT_VALID) || e->page)
			continue;
		if (pin.n == vgpu_pin_batch(v) ||
		    first + i != pin.first + pin.n ||
		    iova != pin.iova + ((dma_addr_t)pin.n << PAGE_SHIFT)) {
			vgpu_pin_run_first(v, &pin, &err, failed);
			pin.first = first + i;
			pin.iova = iova;
		}
		pin.n++;
	}
	vgpu_pin_run_first(v, &pin, &err, failed);
	if (zeroed)
		vgpu_gtt_trim(v, first, first + n - 1);
	v->gtt_gen++;
	return err;
}

/**
 * vgpu_gtt_get() - guest-visible value of a GTT entry
 * @v: device
 * @index: entry, below the type's entry count
 *
 * Return: the entry's value; while it has a page, its address is the
 * pinned IOVA.
 */
u64 vgpu_gtt_get(struct vgpu_dev *v, u32 index)
{
	struct vgpu_gtt_entry *e = vgpu_gtt_entry(v, index);

	lockdep_assert_held(&v->lock);
	return e ? e->val : 0;
}

/**
 * vgpu_gtt_write_high() - a 4-byte write to the high half of an entry
 * @v: device
 * @index: entry
 * @hi: new high half
 *
 * A high half that differs from the entry's takes the entry out of use:
 * it loses VGPU_GTT_VALID and its pin, so the device never uses a page
 * other than the one the entry names, and a migration saves exactly what
 * the device uses.  Writing the low half then commits the entry.  The
 * same high half changes nothing.
 *
 * Return: 0 or -ENOMEM.
 */
int vgpu_gtt_write_high(struct vgpu_dev *v, u32 index, u32 hi)
{
	struct vgpu_gtt_entry *e = vgpu_gtt_entry(v, index);
	u64 val = e ? e->val : 0;
	struct vgpu_run un = {};

	lockdep_assert_held(&v->lock);
	if (hi == upper_32_bits(val))
		return 0;
	val = ((u64)hi << 32 | lower_32_bits(val)) & ~VGPU_GTT_VALID;
	e = e ?: vgpu_gtt_entry_alloc(v, index);
	if (!e)
		return -ENOMEM;
	if (e->page) {
		vgpu_gtt_drop_pin(v, &un, e);
		vgpu_unpin_run(v, &un);
	}
	e->val = val;
	if (!val)
		vgpu_gtt_trim(v, index, index);
	v->gtt_gen++;
	return 0;
}

/**
 * vgpu_gtt_clear() - unpin and invalidate every GTT entry, free the table
 * @v: device
 */
void vgpu_gtt_clear(struct vgpu_dev *v)
{
	struct vgpu_gtt_entry *leaf;
	struct vgpu_run un = {};
	unsigned long li;
	u32 i;

	lockdep_assert_held(&v->lock);
	xa_for_each(&v->gtt, li, leaf) {
		for (i = 0; i < VGPU_GTT_LEAF_ENTRIES; i++)
			if (leaf[i].page)
				vgpu_gtt_drop_pin(v, &un, &leaf[i]);
		vgpu_gtt_free_leaf(v, li, leaf);
	}
	vgpu_unpin_run(v, &un);
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
	u64 last = iova + length - 1, revoked = 0;
	struct vgpu_gtt_entry *leaf;
	struct vgpu_run un = {};
	unsigned long li;
	u32 i;

	lockdep_assert_held(&v->lock);
	xa_for_each(&v->gtt, li, leaf) {
		for (i = 0; i < VGPU_GTT_LEAF_ENTRIES; i++) {
			u64 a = leaf[i].val & VGPU_GTT_ADDR_MASK;

			if (!leaf[i].page || a < iova || a > last)
				continue;
			vgpu_gtt_drop_pin(v, &un, &leaf[i]);
			revoked++;
		}
	}
	vgpu_unpin_run(v, &un);
	if (revoked) {
		atomic64_add(revoked, &v->cnt.gtt_revoked);
		v->gtt_gen++;
	}
}

/* ---- migration stream form: runs (struct vgpu_mig_gtt_run) ---- */

static u64 vgpu_gtt_stream_val(const struct vgpu_gtt_entry *e)
{
	if ((e->val & VGPU_GTT_VALID) && !e->page)
		return e->val | VGPU_MIG_GTT_REVOKED;
	return e->val;
}

static void vgpu_put_run(u8 *dst, size_t i, const struct vgpu_mig_gtt_run *r)
{
	struct vgpu_mig_gtt_run le = {
		.first = (__force __u32)cpu_to_le32(r->first),
		.count = (__force __u32)cpu_to_le32(r->count),
		.val = (__force __u64)cpu_to_le64(r->val),
	};

	if (dst)
		memcpy(dst + i * sizeof(le), &le, sizeof(le));
}

/* Walk the GTT as runs; store them at @dst if not NULL.  Returns the count. */
static size_t vgpu_gtt_walk_runs(struct vgpu_dev *v, u8 *dst)
{
	struct vgpu_mig_gtt_run cur = {};
	struct vgpu_gtt_entry *leaf;
	unsigned long li;
	size_t n = 0;
	u32 i;

	xa_for_each(&v->gtt, li, leaf) {
		for (i = 0; i < VGPU_GTT_LEAF_ENTRIES; i++) {
			u32 index = li << VGPU_GTT_LEAF_SHIFT | i;
			u64 val;

			if (!leaf[i].val)
				continue;
			val = vgpu_gtt_stream_val(&leaf[i]);
			if (cur.count && index == cur.first + cur.count &&
			    val > cur.val &&
			    val == cur.val + ((u64)cur.count << PAGE_SHIFT)) {
				cur.count++;
				continue;
			}
			if (cur.count)
				vgpu_put_run(dst, n++, &cur);
			cur.first = index;
			cur.count = 1;
			cur.val = val;
		}
	}
	if (cur.count)
		vgpu_put_run(dst, n++, &cur);
	return n;
}

/**
 * vgpu_gtt_runs() - runs the GTT takes in a migration stream now
 * @v: device
 *
 * Return: the number of struct vgpu_mig_gtt_run vgpu_gtt_save() writes.
 */
size_t vgpu_gtt_runs(struct vgpu_dev *v)
{
	lockdep_assert_held(&v->lock);
	return vgpu_gtt_walk_runs(v, NULL);
}

/**
 * vgpu_gtt_save() - the GTT in stream form
 * @v: device
 * @dst: room for @runs runs
 * @runs: vgpu_gtt_runs(), taken under the same hold of v->lock
 */
void vgpu_gtt_save(struct vgpu_dev *v, u8 *dst, size_t runs)
{
	lockdep_assert_held(&v->lock);
	WARN_ON_ONCE(vgpu_gtt_walk_runs(v, dst) != runs);
}

static void vgpu_get_run(const u8 *src, size_t i, struct vgpu_mig_gtt_run *r)
{
	struct vgpu_mig_gtt_run le;

	memcpy(&le, src + i * sizeof(le), sizeof(le));
	r->first = le32_to_cpu((__force __le32)le.first);
	r->count = le32_to_cpu((__force __le32)le.count);
	r->val = le64_to_cpu((__force __le64)le.val);
}

/**
 * vgpu_gtt_check_runs() - validate the GTT part of a stream record
 * @v: device the stream is for
 * @src: runs
 * @len: bytes
 *
 * Return: 0, or -EINVAL if the runs are not in the form the stream
 * documents (include/uapi/linux/sample_vgpu.h).
 */
int vgpu_gtt_check_runs(const struct vgpu_dev *v, const u8 *src, size_t len)
{
	const u64 max_pfn = VGPU_GTT_ADDR_MASK >> PAGE_SHIFT;
	struct vgpu_mig_gtt_run r;
	u64 next = 0;
	size_t i;

	if (len % sizeof(r))
		return -EINVAL;
	for (i = 0; i < len / sizeof(r); i++) {
		vgpu_get_run(src, i, &r);
		if (!r.count || r.first < next ||
		    (u64)r.first + r.count > v->type->gtt_entries ||
		    (r.val & ~VGPU_GTT_STREAM_MASK) ||
		    (r.val >> PAGE_SHIFT) + r.count - 1 > max_pfn)
			return -EINVAL;
		next = (u64)r.first + r.count;
	}
	return 0;
}

/*
 * Zero, and unpin, the entries that no run of @src covers.  Runs and
 * leaves are both in ascending order: one pass over each.
 */
static void vgpu_gtt_clear_gaps(struct vgpu_dev *v, const u8 *src,
				size_t nruns)
{
	struct vgpu_mig_gtt_run r = {};
	struct vgpu_gtt_entry *leaf;
	struct vgpu_run un = {};
	unsigned long li;
	size_t k = 0;
	u64 end = 0;
	u32 i;

	xa_for_each(&v->gtt, li, leaf) {
		for (i = 0; i < VGPU_GTT_LEAF_ENTRIES; i++) {
			u32 index = li << VGPU_GTT_LEAF_SHIFT | i;

			if (!leaf[i].val)
				continue;
			while (k < nruns && index >= end) {
				vgpu_get_run(src, k++, &r);
				end = (u64)r.first + r.count;
			}
			if (index >= r.first && index < end)
				continue;
			if (leaf[i].page)
				vgpu_gtt_drop_pin(v, &un, &leaf[i]);
			leaf[i].val = 0;
		}
	}
	vgpu_unpin_run(v, &un);
	vgpu_gtt_trim(v, 0, v->type->gtt_entries - 1);
}

/* Entries of a run whose pins were revoked at the source: no pins. */
static int vgpu_gtt_store_run(struct vgpu_dev *v,
			      const struct vgpu_mig_gtt_run *r)
{
	struct vgpu_run un = {};
	int ret = 0;
	u32 k;

	for (k = 0; k < r->count; k++) {
		struct vgpu_gtt_entry *e = vgpu_gtt_entry_alloc(v, r->first + k);

		if (!e) {
			ret = -ENOMEM;
			break;
		}
		if (e->page)
			vgpu_gtt_drop_pin(v, &un, e);
		e->val = (r->val & VGPU_GTT_ENTRY_MASK) + ((u64)k << PAGE_SHIFT);
	}
	vgpu_unpin_run(v, &un);
	return ret;
}

static int vgpu_gtt_load_run(struct vgpu_dev *v,
			     const struct vgpu_mig_gtt_run *r, u64 *vals,
			     bool strict)
{
	u32 done, k, n, failed;
	int ret, err = 0;

	if (r->val & VGPU_MIG_GTT_REVOKED)
		return vgpu_gtt_store_run(v, r);
	for (done = 0; done < r->count; done += n) {
		n = min_t(u32, r->count - done, VGPU_GTT_BATCH);
		for (k = 0; k < n; k++)
			vals[k] = r->val + ((u64)(done + k) << PAGE_SHIFT);
		ret = vgpu_gtt_set_range(v, r->first + done, vals, n, &failed);
		if (ret && !err)
			dev_dbg(v->vdev.dev, "resume: GTT %u pin: %d\n",
				failed, ret);
		err = err ?: ret;
		if (err && strict)
			break;
	}
	return err;
}

/**
 * vgpu_gtt_load() - make the GTT what a stream holds, pinning in bulk
 * @v: device
 * @src: runs, checked with vgpu_gtt_check_runs()
 * @len: bytes
 * @strict: stop at the first entry that cannot be mapped; otherwise map
 *          what can be (the entries that fail are left without VALID)
 *
 * Entries the stream does not hold are cleared.  An entry already pinned
 * to the page the stream names keeps its pin, so a destination that took
 * the PRECOPY records (non-strict) pins only what changed since when the
 * FULL record comes (strict).
 *
 * Return: 0 or the negative errno of the first failed pin (or -ENOMEM);
 * on error the caller clears the GTT if it must not keep a partial one.
 */
int vgpu_gtt_load(struct vgpu_dev *v, const u8 *src, size_t len, bool strict)
{
	struct vgpu_mig_gtt_run r;
	int ret = 0, err = 0;
	u64 *vals;
	size_t i;

	lockdep_assert_held(&v->lock);
	vals = kmalloc_array(VGPU_GTT_BATCH, sizeof(*vals), GFP_KERNEL);
	if (!vals)
		return -ENOMEM;
	vgpu_gtt_clear_gaps(v, src, len / sizeof(r));
	for (i = 0; i < len / sizeof(r) && !(err && strict); i++) {
		vgpu_get_run(src, i, &r);
		ret = vgpu_gtt_load_run(v, &r, vals, strict);
		err = err ?: ret;
	}
	kfree(vals);
	v->gtt_gen++;
	return err;
}

/* ---- device access to guest memory through the GTT ---- */

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
	last = ((u64)addr + len - 1) >> VGPU_PAGE_SHIFT;
	for (i = first; i <= last; i++) {
		struct vgpu_gtt_entry *e = vgpu_gtt_entry(v, i);

		if (!e || !e->page)
			return VGPU_ERR_UNMAPPED;
	}
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
		struct vgpu_gtt_entry *e = vgpu_gtt_entry(v, addr >> VGPU_PAGE_SHIFT);
		u32 off = addr & (VGPU_PAGE_SIZE - 1);
		u32 chunk = min(len, VGPU_PAGE_SIZE - off);
		u8 *map = kmap_local_page(e->page);

		if (write) {
			memcpy(map + off, buf, chunk);
			vgpu_dirty_record(v, (e->val & VGPU_GTT_ADDR_MASK) + off,
					  chunk);
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

/**
 * vgpu_gtt_init() - an empty GTT for a new instance
 * @v: device
 */
void vgpu_gtt_init(struct vgpu_dev *v)
{
	xa_init(&v->gtt);
}

/**
 * vgpu_gtt_destroy() - free the GTT of an instance being released
 * @v: device, closed (no pins left)
 */
void vgpu_gtt_destroy(struct vgpu_dev *v)
{
	struct vgpu_gtt_entry *leaf;
	unsigned long li;

	xa_for_each(&v->gtt, li, leaf)
		kfree(leaf);
	xa_destroy(&v->gtt);
	v->gtt_last = NULL;
}
