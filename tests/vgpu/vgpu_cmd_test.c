// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_cmd_test.c - sample vGPU commands, errors, dirty reports, interrupts
 *
 * Runs inside the test VM with sample-vgpu loaded.  Each command is checked
 * for the bytes it leaves in guest memory and for the dirty bitmap type1
 * reports: under the fine-grained scope exactly the written pages (never
 * the ring, batches or GTT-mapped-but-unwritten pages); under the baseline
 * (module parameter fine_dirty=N, or stock modules) every pinned page.
 *
 * What to expect comes from the configuration run-suite.sh loaded, never
 * from what the device says about itself: TEST_PHASE=stock (Debian's
 * modules, the vGPU built for them), fine (patched modules, fine-grained
 * vGPU) or baseline (patched modules, fine_dirty=0).  The device's
 * capability bit, its fine_dirty counter and the container's dirty scope
 * must then agree with the phase.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "vgpu_test_common.h"

#define NBM	((DATA_PAGES + 63) / 64)

enum phase { PHASE_NONE, PHASE_STOCK, PHASE_FINE, PHASE_BASELINE };

static enum phase test_phase(void)
{
	const char *p = getenv("TEST_PHASE");

	if (!p)
		return PHASE_NONE;
	if (!strcmp(p, "stock"))
		return PHASE_STOCK;
	if (!strcmp(p, "fine"))
		return PHASE_FINE;
	if (!strcmp(p, "baseline"))
		return PHASE_BASELINE;
	return PHASE_NONE;
}

/* the container's dirty scope in each phase (stock never sets the flag) */
static int phase_scope(enum phase ph)
{
	switch (ph) {
	case PHASE_FINE:
		return VFIO_DIRTY_SCOPE_DEVICE;
	default:
		return VFIO_DIRTY_SCOPE_PINNED;
	}
}

FIXTURE(vgpu) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
	enum phase phase;
	bool fine;
};

FIXTURE_SETUP(vgpu)
{
	self->phase = test_phase();
	ASSERT_NE(PHASE_NONE, self->phase)
		TH_LOG("set TEST_PHASE=stock|fine|baseline (run-suite.sh does)");
	self->fine = self->phase == PHASE_FINE;
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_EQ(0, vgpu_test_setup(&self->g, VGPU_TYPE_SMALL, self->uuid));
	ASSERT_EQ(self->fine, !!(self->g.caps & VGPU_CAP_FINE_DIRTY));
	ASSERT_EQ(self->fine, vgpu_counter(self->uuid, "fine_dirty"));
}

FIXTURE_TEARDOWN(vgpu)
{
	vgpu_test_teardown(&self->g, self->uuid);
}

static __u32 rd32(struct vgpu *g, __u32 gtt)
{
	__u32 *p = vgpu_gtt_ptr(g, gtt);

	return p ? *p : 0xbadbad;
}

TEST_F(vgpu, identity)
{
	__u16 ids[2];

	ASSERT_EQ(0, vgpu_cfg_rd(&self->g, 0, ids, sizeof(ids)));
	EXPECT_EQ(VGPU_PCI_VENDOR_ID, ids[0]);
	EXPECT_EQ(VGPU_PCI_DEVICE_ID, ids[1]);
	EXPECT_EQ(VGPU_VERSION, vgpu_reg(&self->g, VGPU_REG_VERSION));
	EXPECT_EQ(256, self->g.gtt_entries);
	EXPECT_EQ(CMD_PAGES + DATA_PAGES,
		  vgpu_counter(self->uuid, "pages_pinned"));
}

TEST_F(vgpu, fill_copy_write_fence)
{
	__u32 c[64], n = 0, data[3] = { 7, 8, 9 };
	__u32 i;

	n += vgpu_cmd_fill(c + n, DATA_GTT + 0x100, 0x2000, 0x5a5a5a5a);
	n += vgpu_cmd_copy(c + n, DATA_GTT + 0x100, DATA_GTT + 0x10000, 64);
	n += vgpu_cmd_write(c + n, DATA_GTT + 0x20004, data, 3);
	n += vgpu_cmd_fence(c + n, DATA_GTT + 0x30000, 1234, false);
	n += vgpu_cmd_lri(c + n, VGPU_REG_SCRATCH0 + 4, 77);
	test_vgpu_run_ok(&self->g, c, n);

	EXPECT_EQ(0, rd32(&self->g, DATA_GTT + 0xfc));
	for (i = 0; i < 0x2000; i += 4)
		ASSERT_EQ(0x5a5a5a5a, rd32(&self->g, DATA_GTT + 0x100 + i));
	EXPECT_EQ(0, rd32(&self->g, DATA_GTT + 0x2100));
	EXPECT_EQ(0x5a5a5a5a, rd32(&self->g, DATA_GTT + 0x10000));
	EXPECT_EQ(0x5a5a5a5a, rd32(&self->g, DATA_GTT + 0x1003c));
	EXPECT_EQ(0, rd32(&self->g, DATA_GTT + 0x10040));
	EXPECT_EQ(0, rd32(&self->g, DATA_GTT + 0x20000));
	EXPECT_EQ(7, rd32(&self->g, DATA_GTT + 0x20004));
	EXPECT_EQ(9, rd32(&self->g, DATA_GTT + 0x2000c));
	EXPECT_EQ(1234, rd32(&self->g, DATA_GTT + 0x30000));
	EXPECT_EQ(1234, vgpu_reg(&self->g, VGPU_REG_LAST_SEQNO));
	EXPECT_EQ(77, vgpu_reg(&self->g, VGPU_REG_SCRATCH0 + 4));
	EXPECT_EQ(5, vgpu_reg(&self->g, VGPU_REG_CMDS_EXECUTED));
	EXPECT_EQ(5, vgpu_counter(self->uuid, "cmds_executed"));
	EXPECT_EQ(self->g.ring_tail, vgpu_reg(&self->g, VGPU_REG_RING_HEAD));
}

TEST_F(vgpu, nested_batches)
{
	__u32 *b1 = vgpu_gtt_ptr(&self->g, BATCH_GTT);
	__u32 *b2 = vgpu_gtt_ptr(&self->g, BATCH_GTT + 0x1000);
	__u32 c[8], n1 = 0, n2 = 0, n = 0, one = 1, two = 2;

	ASSERT_NE(NULL, b1);
	ASSERT_NE(NULL, b2);
	n2 += vgpu_cmd_write(b2 + n2, DATA_GTT + 8, &two, 1);
	n1 += vgpu_cmd_write(b1 + n1, DATA_GTT + 4, &one, 1);
	n1 += vgpu_cmd_batch(b1 + n1, BATCH_GTT + 0x1000, 4 * n2);
	n += vgpu_cmd_batch(c, BATCH_GTT, 4 * n1);
	test_vgpu_run_ok(&self->g, c, n);
	EXPECT_EQ(1, rd32(&self->g, DATA_GTT + 4));
	EXPECT_EQ(2, rd32(&self->g, DATA_GTT + 8));
}

/*
 * Dirty bitmap of the data mapping after a workload equals the written
 * pages (fine-grained), or covers every pinned page (baseline).  The command
 * mapping (ring and batches, only read) is never reported when fine.
 */
TEST_F(vgpu, dirty_exact)
{
	uint64_t bm[NBM], want[NBM] = { 0 }, cmd_bm[1];
	__u32 c[64], n = 0, d = 0xabcd;
	int i;

	test_vfio_dirty_start(&self->g.iommu);
	ASSERT_EQ(phase_scope(self->phase), vfio_dirty_scope(&self->g.iommu));
	/* first report: whatever was pinned before; clears the interval */
	test_vfio_dirty_get_pages(&self->g.iommu, DATA_IOVA, DATA_PAGES * VGPU_PAGE_SIZE,
				  bm);
	test_vfio_dirty_get_pages(&self->g.iommu, CMD_IOVA, CMD_PAGES * VGPU_PAGE_SIZE,
				  cmd_bm);

	/* 1 page + 2 partial pages + a single dword + a fence */
	n += vgpu_cmd_fill(c + n, DATA_GTT + 0x3ff0, 0x1020, 1);
	bm_set_bytes(want, DATA_IOVA, data_iova(DATA_GTT + 0x3ff0), 0x1020);
	n += vgpu_cmd_write(c + n, DATA_GTT + 0x40000, &d, 1);
	bm_set_bytes(want, DATA_IOVA, data_iova(DATA_GTT + 0x40000), 1);
	n += vgpu_cmd_copy(c + n, DATA_GTT + 0x3ff0, DATA_GTT + 0x5fff0, 32);
	bm_set_bytes(want, DATA_IOVA, data_iova(DATA_GTT + 0x5fff0), 32);
	n += vgpu_cmd_fence(c + n, DATA_GTT + 0x50000, 5, false);
	bm_set_bytes(want, DATA_IOVA, data_iova(DATA_GTT + 0x50000), 1);
	test_vgpu_run_ok(&self->g, c, n);

	test_vfio_dirty_get_pages(&self->g.iommu, DATA_IOVA, DATA_PAGES * VGPU_PAGE_SIZE,
				  bm);
	test_vfio_dirty_get_pages(&self->g.iommu, CMD_IOVA, CMD_PAGES * VGPU_PAGE_SIZE,
				  cmd_bm);
	TH_LOG("fine=%d reported %u data pages, %u command pages",
	       self->fine, (unsigned int)bm_count(bm, DATA_PAGES),
	       (unsigned int)bm_count(cmd_bm, CMD_PAGES));
	if (self->fine) {
		for (i = 0; i < NBM; i++)
			ASSERT_EQ(want[i], bm[i]);
		ASSERT_EQ(0, cmd_bm[0]);
		/* 3 + 1 + 2 + 1 pages, one mark per written range */
		EXPECT_EQ(7, vgpu_counter(self->uuid, "dirty_pages"));
		EXPECT_EQ(0, vgpu_counter(self->uuid, "mark_errors"));
	} else {
		EXPECT_EQ(DATA_PAGES, bm_count(bm, DATA_PAGES));
		EXPECT_EQ(CMD_PAGES, bm_count(cmd_bm, CMD_PAGES));
	}

	/* nothing written since: fine reports nothing, baseline all pinned */
	test_vfio_dirty_get_pages(&self->g.iommu, DATA_IOVA, DATA_PAGES * VGPU_PAGE_SIZE,
				  bm);
	EXPECT_EQ(self->fine ? 0 : DATA_PAGES,
		  bm_count(bm, DATA_PAGES));
	test_vfio_dirty_stop(&self->g.iommu);
}

/*
 * Written ranges are reported once per submission, one vfio_mark_dirty()
 * per contiguous range however the commands interleave; a range that
 * bridges two pending ones merges them.
 */
TEST_F(vgpu, marks_coalesced)
{
	uint64_t bm[NBM], want[NBM] = { 0 };
	__u32 c[64], n = 0, d = 1, pg = VGPU_PAGE_SIZE;
	long marks, pages;

	test_vfio_dirty_start(&self->g.iommu);
	test_vfio_dirty_get_pages(&self->g.iommu, DATA_IOVA, DATA_PAGES * pg, bm);
	marks = vgpu_counter(self->uuid, "dirty_marks");
	pages = vgpu_counter(self->uuid, "dirty_pages");

	/* pages 0, 10, 1, 11, fence on 20: three ranges */
	n += vgpu_cmd_fill(c + n, DATA_GTT, pg, 1);
	n += vgpu_cmd_fill(c + n, DATA_GTT + 10 * pg, pg, 2);
	n += vgpu_cmd_fill(c + n, DATA_GTT + pg, 16, 3);
	n += vgpu_cmd_write(c + n, DATA_GTT + 11 * pg + 8, &d, 1);
	n += vgpu_cmd_fence(c + n, DATA_GTT + 20 * pg, 9, false);
	test_vgpu_run_ok(&self->g, c, n);
	EXPECT_EQ(5, vgpu_counter(self->uuid, "dirty_pages") - pages);
	EXPECT_EQ(self->fine ? 3 : 0,
		  vgpu_counter(self->uuid, "dirty_marks") - marks);

	/* pages 2, 12, then 3..11 joins them: one range of 11 pages */
	n = 0;
	n += vgpu_cmd_fill(c + n, DATA_GTT + 2 * pg, pg, 4);
	n += vgpu_cmd_fill(c + n, DATA_GTT + 12 * pg, pg, 5);
	n += vgpu_cmd_fill(c + n, DATA_GTT + 3 * pg, 9 * pg, 6);
	test_vgpu_run_ok(&self->g, c, n);
	EXPECT_EQ(16, vgpu_counter(self->uuid, "dirty_pages") - pages);
	EXPECT_EQ(self->fine ? 4 : 0,
		  vgpu_counter(self->uuid, "dirty_marks") - marks);

	test_vfio_dirty_get_pages(&self->g.iommu, DATA_IOVA, DATA_PAGES * pg, bm);
	if (self->fine) {
		bm_set_bytes(want, DATA_IOVA, DATA_IOVA, 13 * pg);
		bm_set_bytes(want, DATA_IOVA, DATA_IOVA + 20 * pg, 1);
		for (n = 0; n < NBM; n++)
			ASSERT_EQ(want[n], bm[n]);
	} else {
		EXPECT_EQ(DATA_PAGES, bm_count(bm, DATA_PAGES));
	}
	test_vfio_dirty_stop(&self->g.iommu);
}

/* ---- one variant per error class ---- */

FIXTURE(errs) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
};

FIXTURE_VARIANT(errs) {
	__u32 cmds[16];
	__u32 ndw;
	__u32 batch[16];	/* at BATCH_GTT */
	__u32 batch_ndw;
	__u32 tail_adjust;	/* bytes subtracted from TAIL before doorbell */
	__u32 ring_size;	/* 0: RING_SIZE */
	__u32 err;
};

FIXTURE_SETUP(errs)
{
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_EQ(0, vgpu_test_setup(&self->g, VGPU_TYPE_SMALL, self->uuid));
}

FIXTURE_TEARDOWN(errs)
{
	vgpu_test_teardown(&self->g, self->uuid);
}

#define HDR(op, fl, len)	VGPU_CMD_HDR(VGPU_OP_##op, fl, len)
#define APER			(256 * VGPU_PAGE_SIZE)

FIXTURE_VARIANT_ADD(errs, unknown_opcode) {
	.cmds = { HDR(NOOP, 0, 0), 0x7e000000 }, .ndw = 2,
	.err = VGPU_ERR_UNKNOWN_OPCODE,
};

FIXTURE_VARIANT_ADD(errs, truncated) {
	.cmds = { HDR(NOOP, 0, 0), HDR(FILL, 0, 3), DATA_GTT, 4, 0 },
	.ndw = 5, .tail_adjust = 8, .err = VGPU_ERR_TRUNCATED,
};

FIXTURE_VARIANT_ADD(errs, oversize) {
	.cmds = { HDR(WRITE_DATA, 0, 2 + VGPU_MAX_INLINE_DW) }, .ndw = 1,
	.err = VGPU_ERR_OVERSIZE,
};

FIXTURE_VARIANT_ADD(errs, out_of_gtt) {
	.cmds = { HDR(FILL, 0, 3), APER - 4, 8, 0 }, .ndw = 4,
	.err = VGPU_ERR_BAD_ADDRESS,
};

FIXTURE_VARIANT_ADD(errs, unmapped_entry) {
	.cmds = { HDR(FILL, 0, 3), 200 * VGPU_PAGE_SIZE, 8, 0 }, .ndw = 4,
	.err = VGPU_ERR_UNMAPPED,
};

FIXTURE_VARIANT_ADD(errs, forbidden) {
	.cmds = { HDR(LOAD_REGISTER, 0, 2), VGPU_REG_RING_BASE, 0 }, .ndw = 3,
	.err = VGPU_ERR_FORBIDDEN,
};

FIXTURE_VARIANT_ADD(errs, nesting_too_deep) {
	.cmds = { HDR(BATCH_START, 0, 2), BATCH_GTT, 12 }, .ndw = 3,
	.batch = { HDR(BATCH_START, 0, 2), BATCH_GTT, 12 }, .batch_ndw = 3,
	.err = VGPU_ERR_BATCH_DEPTH,
};

FIXTURE_VARIANT_ADD(errs, ring_tail_unaligned) {
	.cmds = { HDR(NOOP, 0, 0) }, .ndw = 1, .tail_adjust = 2,
	.err = VGPU_ERR_RING,
};

FIXTURE_VARIANT_ADD(errs, ring_size_too_big) {
	.cmds = { HDR(NOOP, 0, 0) }, .ndw = 1, .ring_size = 1 << 20,
	.err = VGPU_ERR_RING,
};

FIXTURE_VARIANT_ADD(errs, malformed) {
	.cmds = { HDR(FILL, 0x40, 3), DATA_GTT, 4, 0 }, .ndw = 4,
	.err = VGPU_ERR_MALFORMED,
};

TEST_F(errs, rejected_then_usable)
{
	struct vgpu *g = &self->g;
	__u32 *b = vgpu_gtt_ptr(g, BATCH_GTT);
	__u32 good[8], n, one = 1;
	__u32 rejected = vgpu_counter(self->uuid, "cmds_rejected");

	memcpy(b, variant->batch, 4 * variant->batch_ndw);
	if (variant->ring_size)
		test_vgpu_wr(g, VGPU_REG_RING_SIZE, variant->ring_size);
	ASSERT_EQ(0, vgpu_irq_enable(g, VFIO_PCI_MSI_IRQ_INDEX));
	test_vgpu_wr(g, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_ERROR);

	ASSERT_EQ(0, vgpu_ring_write(g, variant->cmds, variant->ndw));
	test_vgpu_wr(g, VGPU_REG_RING_TAIL,
		     g->ring_tail - variant->tail_adjust);
	test_vgpu_wr(g, VGPU_REG_DOORBELL, 1);
	ASSERT_EQ(0, vgpu_wait_idle(g, 5000));
	EXPECT_EQ(variant->err, vgpu_reg(g, VGPU_REG_ERROR));
	EXPECT_TRUE(vgpu_reg(g, VGPU_REG_STATUS) & VGPU_STATUS_ERROR);
	EXPECT_LT(0, vgpu_wait_irq(g, 2000));
	EXPECT_EQ(rejected + 1, vgpu_counter(self->uuid, "cmds_rejected"));

	/* recover: clear the error, restore the ring, run a good command */
	test_vgpu_wr(g, VGPU_REG_IRQ_STATUS, VGPU_IRQ_ALL);
	ASSERT_EQ(0, vgpu_ring_setup(g, 0, RING_SIZE));
	n = vgpu_cmd_write(good, DATA_GTT, &one, 1);
	test_vgpu_run_ok(g, good, n);
	EXPECT_EQ(1, rd32(g, DATA_GTT));
	EXPECT_EQ(0, vgpu_reg(g, VGPU_REG_ERROR));
}

/* ---- interrupts and unmap ---- */

/* Interrupts on @index, the fence event enabled. */
static void fence_irq_on(struct __test_metadata *_metadata, struct vgpu *g,
			 int index)
{
	ASSERT_EQ(0, vgpu_irq_enable(g, index));
	test_vgpu_wr(g, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_FENCE);
}

/* Run a fence asking for an interrupt: vgpu_wait_irq(@ms)'s result. */
static int fence_irq(struct __test_metadata *_metadata, struct vgpu *g,
		     __u32 seqno, int ms)
{
	__u32 c[4], n = vgpu_cmd_fence(c, DATA_GTT, seqno, true);

	test_vgpu_run_ok(g, c, n);
	return vgpu_wait_irq(g, ms);
}

TEST_F(vgpu, msi_fence_and_mask)
{
	struct vgpu *g = &self->g;

	fence_irq_on(_metadata, g, VFIO_PCI_MSI_IRQ_INDEX);
	EXPECT_EQ(1, fence_irq(_metadata, g, 1, 2000));
	EXPECT_TRUE(vgpu_reg(g, VGPU_REG_IRQ_STATUS) & VGPU_IRQ_FENCE);
	test_vgpu_wr(g, VGPU_REG_IRQ_STATUS, VGPU_IRQ_FENCE);
	EXPECT_EQ(0, vgpu_reg(g, VGPU_REG_IRQ_STATUS) & VGPU_IRQ_FENCE);

	/* masked: no signal, status still records it */
	test_vgpu_wr(g, VGPU_REG_IRQ_ENABLE, 0);
	EXPECT_EQ(-ETIME, fence_irq(_metadata, g, 2, 200));
	EXPECT_TRUE(vgpu_reg(g, VGPU_REG_IRQ_STATUS) & VGPU_IRQ_FENCE);
	/* enabling with the event pending signals */
	test_vgpu_wr(g, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_FENCE);
	EXPECT_EQ(1, vgpu_wait_irq(g, 2000));
	ASSERT_EQ(0, vgpu_irq_disable(g, VFIO_PCI_MSI_IRQ_INDEX));
}

TEST_F(vgpu, intx_automask)
{
	struct vgpu *g = &self->g;

	fence_irq_on(_metadata, g, VFIO_PCI_INTX_IRQ_INDEX);
	EXPECT_EQ(1, fence_irq(_metadata, g, 1, 2000));
	/* automasked until unmask */
	EXPECT_EQ(-ETIME, fence_irq(_metadata, g, 1, 200));
	ASSERT_EQ(0, vgpu_irq_unmask_intx(g));
	EXPECT_EQ(1, vgpu_wait_irq(g, 2000));
}

TEST_F(vgpu, dma_unmap_revokes_gtt)
{
	struct vgpu *g = &self->g;
	long pinned = vgpu_counter(self->uuid, "pages_pinned");
	__u32 c[8], n, err;

	test_vgpu_map_mem(g, 0x800000, 4 * VGPU_PAGE_SIZE);
	test_vgpu_gtt_map(g, 220, 0x800000, 4);
	EXPECT_EQ(pinned + 4, vgpu_counter(self->uuid, "pages_pinned"));
	ASSERT_EQ(0, vgpu_unmap_mem(g, 0x800000, 4 * VGPU_PAGE_SIZE));
	EXPECT_EQ(pinned, vgpu_counter(self->uuid, "pages_pinned"));
	EXPECT_EQ(4, vgpu_counter(self->uuid, "gtt_revoked"));
	n = vgpu_cmd_fill(c, 221 * VGPU_PAGE_SIZE, 16, 0);
	err = test_vgpu_run(g, c, n);
	EXPECT_EQ(VGPU_ERR_UNMAPPED, err);
	/* the rest of the GTT is untouched */
	n = vgpu_cmd_fill(c, DATA_GTT, 16, 3);
	test_vgpu_run_ok(g, c, n);
	EXPECT_EQ(3, rd32(g, DATA_GTT));
}

/*
 * 4-byte GTT writes: a new high half takes the entry out of use (no pin,
 * no VALID), the low half commits it
 */
TEST_F(vgpu, gtt_split_write)
{
	struct vgpu *g = &self->g;
	__u64 iova = 0x100000000ull;
	__u32 off = VGPU_GTT_WINDOW + 8 * 201, c[4], n, v = 0x4242;
	long pinned = vgpu_counter(self->uuid, "pages_pinned");

	test_vgpu_map_mem(g, iova, VGPU_PAGE_SIZE);
	test_vgpu_gtt_map(g, 201, DATA_IOVA, 1);
	EXPECT_EQ(pinned + 1, vgpu_counter(self->uuid, "pages_pinned"));
	test_vgpu_wr(g, off + 4, iova >> 32);
	EXPECT_EQ(pinned, vgpu_counter(self->uuid, "pages_pinned"));
	EXPECT_EQ((__u32)DATA_IOVA, vgpu_reg(g, off));
	test_vgpu_wr(g, off, (__u32)iova | VGPU_GTT_VALID);
	EXPECT_EQ(pinned + 1, vgpu_counter(self->uuid, "pages_pinned"));
	EXPECT_EQ(1, vgpu_reg(g, off + 4));
	n = vgpu_cmd_write(c, 201 * VGPU_PAGE_SIZE + 8, &v, 1);
	test_vgpu_run_ok(g, c, n);
	EXPECT_EQ(0x4242, *(__u32 *)((char *)vgpu_iova_ptr(g, iova) + 8));
	EXPECT_EQ(0, *(__u32 *)((char *)vgpu_iova_ptr(g, DATA_IOVA) + 8));
}

TEST_F(vgpu, budget_bounds_work)
{
	struct vgpu *g = &self->g;
	__u32 *b = vgpu_gtt_ptr(g, BATCH_GTT);
	__u32 c[1024], n = 0, i, err;

	/* 4 batches of 1000 NOOPs + ring commands: over 4096 commands */
	for (i = 0; i < 1000; i++)
		b[i] = HDR(NOOP, 0, 0);
	for (i = 0; i < 5; i++)
		n += vgpu_cmd_batch(c + n, BATCH_GTT, 4000);
	err = test_vgpu_run(g, c, n);
	EXPECT_EQ(VGPU_ERR_BUDGET, err);
	/*
	 * Each BATCH_START counts as one command: 4 x (1 + 1000), then the
	 * fifth batch and 91 of its NOOPs reach the budget exactly; the
	 * command after them is refused.
	 */
	EXPECT_EQ(VGPU_MAX_CMDS_PER_SUBMIT,
		  vgpu_reg(g, VGPU_REG_CMDS_EXECUTED));
	EXPECT_EQ(VGPU_MAX_CMDS_PER_SUBMIT,
		  vgpu_counter(self->uuid, "cmds_executed"));
}

TEST_HARNESS_MAIN
