// SPDX-License-Identifier: GPL-2.0
/*
 * One container, two kinds of device: a sample vGPU (emulated IOMMU,
 * fine-grained on the patched modules) and the igb on vfio-pci behind the
 * real IOMMU, both writing the same guest memory.  While the igb's group
 * is in the container, type1 cannot know what it writes: the scope must
 * widen to ALL_MAPPED at once and every round report every mapped page.
 * When it leaves, the scope narrows back, and no page the vGPU wrote, in
 * any interval, may be missing from the reports.
 *
 * What to expect comes from TEST_PHASE (tests/vm/run-passthrough.sh):
 * "stock" (Debian's modules, the vGPU built for them: every pinned page
 * dirty, PINNED scope) or "fine" (patched modules, fine-grained vGPU:
 * DEVICE scope alone; with the igb, ALL_MAPPED, which user space sees as
 * PINNED: the series' flag is clear).
 */
#include "../selftests/pci_utils.h"
#include "vgpu_test_common.h"

#define NBM	((DATA_PAGES + 63) / 64)

FIXTURE(mix) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
	struct pci_igb p;
	bool fine;
};

FIXTURE_SETUP(mix)
{
	enum pci_phase ph = pci_test_phase();

	self->uuid[0] = 0;
	self->p.dev.group = self->p.dev.fd = -1;
	ASSERT_NE(PCI_PHASE_NONE, ph) TH_LOG("set TEST_PHASE=stock|fine");
	self->fine = ph == PCI_PHASE_FINE;
	ASSERT_TRUE(vgpu_present());
	ASSERT_EQ(0, vgpu_test_setup(&self->g, VGPU_TYPE_SMALL, self->uuid));
}

FIXTURE_TEARDOWN(mix)
{
	pci_igb_close(&self->p);
	vgpu_test_teardown(&self->g, self->uuid);
}

/*
 * The scope user space sees (vfio_dirty_scope()): the series' advisory
 * flag says only whether every device reports its writes, so the igb's
 * ALL_MAPPED reads as PINNED, as stock always does.
 */
static int scope_alone(bool fine)
{
	return fine ? VFIO_DIRTY_SCOPE_DEVICE : VFIO_DIRTY_SCOPE_PINNED;
}

static int scope_mixed(bool fine)
{
	return VFIO_DIRTY_SCOPE_PINNED;
}

/* Commands writing three ranges of the data window; their pages in @want. */
static __u32 writes(__u32 *c, uint64_t *want, __u32 salt)
{
	__u32 n = 0, d = 0xd00d0000 | salt;
	__u32 a = DATA_GTT + (salt % 8) * 0x3000;

	n += vgpu_cmd_fill(c + n, a + 0xff0, 0x1020, salt);
	bm_set_bytes(want, DATA_IOVA, data_iova(a + 0xff0), 0x1020);
	n += vgpu_cmd_write(c + n, DATA_GTT + 0x40000 + salt * 4, &d, 1);
	bm_set_bytes(want, DATA_IOVA, data_iova(DATA_GTT + 0x40000 + salt * 4),
		     4);
	n += vgpu_cmd_fence(c + n, DATA_GTT + 0x60000 + salt * 8, salt, false);
	bm_set_bytes(want, DATA_IOVA, data_iova(DATA_GTT + 0x60000 + salt * 8),
		     4);
	return n;
}

static bool subset(const uint64_t *a, const uint64_t *b)
{
	int i;

	for (i = 0; i < NBM; i++)
		if (a[i] & ~b[i])
			return false;
	return true;
}

TEST_F(mix, scope_widens_and_nothing_is_lost)
{
	struct vfio_iommu *io = &self->g.iommu;
	uint64_t bm[NBM], cmd_bm[1], want[NBM] = {};
	bool fine = self->fine;
	__u32 c[64], n;
	__u8 *data;
	int i;

	test_vfio_dirty_start(io);
	ASSERT_EQ(scope_alone(fine), vfio_dirty_scope(io));
	test_vfio_dirty_get_pages(io, DATA_IOVA, DATA_PAGES * PAGE, bm);
	test_vfio_dirty_get_pages(io, CMD_IOVA, CMD_PAGES * PAGE, cmd_bm);

	/* written while the vGPU is alone, not yet reported */
	n = writes(c, want, 1);
	test_vgpu_run_ok(&self->g, c, n);

	/* the igb's group joins the vGPU's container: ALL_MAPPED at once */
	test_pci_igb_open(&self->p, io);
	ASSERT_EQ(scope_mixed(fine), vfio_dirty_scope(io));
	for (i = 0; i < 3; i++) {
		/* both devices write the data window */
		n = writes(c, want, 2 + i);
		test_vgpu_run_ok(&self->g, c, n);
		data = vgpu_iova_ptr(&self->g, DATA_IOVA + (100 + i) * PAGE);
		ASSERT_NE(NULL, data);
		test_dma_lands(&self->p, DATA_IOVA + (100 + i) * PAGE + 300,
			       data + 300, IGB_MAX_FRAME, 64);
		test_vfio_dirty_get_pages(io, DATA_IOVA, DATA_PAGES * PAGE, bm);
		ASSERT_EQ(DATA_PAGES, bm_count(bm, DATA_PAGES));
		test_vfio_dirty_get_pages(io, CMD_IOVA, CMD_PAGES * PAGE,
					  cmd_bm);
		ASSERT_EQ(CMD_PAGES, bm_count(cmd_bm, CMD_PAGES));
		test_vfio_dirty_get_pages(io, IGB_RING_IOVA, IGB_RING_BYTES,
					  cmd_bm);
		ASSERT_EQ(IGB_RING_BYTES / PAGE,
			  bm_count(cmd_bm, IGB_RING_BYTES / PAGE));
	}

	/* written under ALL_MAPPED after its last report, then it leaves */
	memset(want, 0, sizeof(want));
	n = writes(c, want, 6);
	test_vgpu_run_ok(&self->g, c, n);
	pci_igb_detach(&self->p);
	ASSERT_EQ(scope_alone(fine), vfio_dirty_scope(io));
	test_vfio_dirty_get_pages(io, DATA_IOVA, DATA_PAGES * PAGE, bm);
	ASSERT_TRUE(subset(want, bm))
		TH_LOG("a page the vGPU wrote before the igb left is missing");

	/* alone again: exactly its writes (fine), every pinned page (stock) */
	for (i = 0; i < 2; i++) {
		memset(want, 0, sizeof(want));
		n = writes(c, want, 7 + i);
		test_vgpu_run_ok(&self->g, c, n);
		test_vfio_dirty_get_pages(io, DATA_IOVA, DATA_PAGES * PAGE, bm);
		if (fine) {
			ASSERT_EQ(0, memcmp(want, bm, sizeof(bm)));
		} else {
			ASSERT_EQ(DATA_PAGES, bm_count(bm, DATA_PAGES));
		}
	}
	TH_LOG("scope %d alone, %d with the igb; the fine vGPU's last round: %llu pages",
	       scope_alone(fine), scope_mixed(fine),
	       (unsigned long long)bm_count(want, DATA_PAGES));
	test_vfio_dirty_stop(io);
}

TEST_HARNESS_MAIN
