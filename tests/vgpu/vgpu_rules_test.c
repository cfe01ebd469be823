// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_rules_test - the sample vGPU follows the rules of vfio_mark_dirty():
 * a write is marked before its page is unpinned, and before the device
 * leaves RUNNING.  A write immediately followed by UNMAP_DMA (whose
 * dma_unmap callback unpins the GTT pages) with GET_DIRTY_BITMAP, or by the
 * switch to STOP and the final report, is in that report, exactly.
 *
 * Fine-grained instances only (run-suite.sh's phase with fine_dirty=1).
 */
#include "kselftest_harness.h"
#include "vgpu_test_common.h"

#define NBM	(DATA_PAGES / 64)

FIXTURE(rules) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
};

FIXTURE_SETUP(rules)
{
	uint64_t bm[NBM];

	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_EQ(0, vgpu_test_setup(&self->g, VGPU_TYPE_SMALL, self->uuid));
	ASSERT_NE(0, self->g.caps & VGPU_CAP_FINE_DIRTY)
		TH_LOG("the instance does not report its writes (fine_dirty=0?)");
	test_vfio_dirty_start(&self->g.iommu);
	test_vfio_dirty_get_pages(&self->g.iommu, DATA_IOVA,
				  DATA_PAGES * VGPU_PAGE_SIZE, bm);
}

FIXTURE_TEARDOWN(rules)
{
	vgpu_test_teardown(&self->g, self->uuid);
}

TEST_F(rules, write_then_unmap_is_reported)
{
	uint64_t bm[NBM] = { 0 }, want[NBM] = { 0 };
	__u32 c[16], n = 0, d = 0x600d;
	int i;

	n += vgpu_cmd_write(c + n, DATA_GTT + 5 * VGPU_PAGE_SIZE + 12, &d, 1);
	n += vgpu_cmd_fill(c + n, DATA_GTT + 70 * VGPU_PAGE_SIZE, 0x1800, 3);
	test_vgpu_run_ok(&self->g, c, n);
	bm_set_bytes(want, DATA_IOVA, DATA_IOVA + 5 * VGPU_PAGE_SIZE + 12, 4);
	bm_set_bytes(want, DATA_IOVA, DATA_IOVA + 70 * VGPU_PAGE_SIZE, 0x1800);

	test_vfio_dma_unmap_dirty(&self->g.iommu, DATA_IOVA,
				  DATA_PAGES * VGPU_PAGE_SIZE, bm, sizeof(bm));
	for (i = 0; i < NBM; i++)
		ASSERT_EQ(want[i], bm[i]) TH_LOG("word %d", i);
	EXPECT_EQ(CMD_PAGES, vgpu_counter(self->uuid, "pages_pinned"));
	EXPECT_EQ(0, vgpu_counter(self->uuid, "mark_errors"));
}

TEST_F(rules, write_then_stop_is_in_the_final_report)
{
	uint64_t bm[NBM] = { 0 }, want[NBM] = { 0 };
	__u32 c[16], n = 0;
	int i;

	n += vgpu_cmd_fill(c + n, DATA_GTT + 17 * VGPU_PAGE_SIZE - 8, 16, 9);
	n += vgpu_cmd_fence(c + n, DATA_GTT + 90 * VGPU_PAGE_SIZE, 3, false);
	test_vgpu_run_ok(&self->g, c, n);
	bm_set_bytes(want, DATA_IOVA, DATA_IOVA + 17 * VGPU_PAGE_SIZE - 8, 16);
	bm_set_bytes(want, DATA_IOVA, DATA_IOVA + 90 * VGPU_PAGE_SIZE, 4);
	test_vfio_mig_set(&self->g.dev, VFIO_DEVICE_STATE_STOP, NULL);

	test_vfio_dirty_get_pages(&self->g.iommu, DATA_IOVA,
				  DATA_PAGES * VGPU_PAGE_SIZE, bm);
	for (i = 0; i < NBM; i++)
		ASSERT_EQ(want[i], bm[i]) TH_LOG("word %d", i);
	test_vfio_mig_set(&self->g.dev, VFIO_DEVICE_STATE_RUNNING, NULL);
}

TEST_HARNESS_MAIN
