// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_dmalog_test.c - VFIO DMA logging (vfio_log_ops) of the sample vGPU
 *
 * Where the kernel can report DMA logs (CONFIG_IOMMUFD_DRIVER, which comes
 * with iommufd: /dev/iommu exists) the device offers log_ops fed by the
 * same tracker as vfio_mark_dirty(), and a report holds exactly the pages
 * the commands wrote.  Where it cannot (Debian's 6.12), the device must not
 * offer log_ops at all: DMA_LOGGING_START fails with ENOTTY, so that a VMM
 * keeps to type1 dirty tracking.  The report test cannot run there and
 * says SKIP (make check's manifest declares that skip for such a kernel).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vgpu_test_common.h"

#define NBM	((DATA_PAGES + 63) / 64)

FIXTURE(dmalog) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
};

FIXTURE_SETUP(dmalog)
{
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_EQ(0, vgpu_test_setup(&self->g, VGPU_TYPE_SMALL, self->uuid));
}

FIXTURE_TEARDOWN(dmalog)
{
	vgpu_test_teardown(&self->g, self->uuid);
}

static bool dmalog_reports_work(void)
{
	return !access("/dev/iommu", F_OK);
}

TEST_F(dmalog, offered_only_where_reports_work)
{
	int ret = vfio_dma_log_start(&self->g.dev, DATA_IOVA,
				     DATA_PAGES * VGPU_PAGE_SIZE);

	if (!dmalog_reports_work()) {
		/* no IOMMUFD_DRIVER: no log_ops, type1 tracking only */
		ASSERT_EQ(-ENOTTY, ret);
		return;
	}
	ASSERT_EQ(0, ret);
	test_vfio_dma_log_stop(&self->g.dev);
}

TEST_F(dmalog, report_holds_exactly_the_written_pages)
{
	uint64_t bm[NBM] = {}, want[NBM] = {};
	__u32 c[32], n = 0, d = 1;
	int i;

	if (!dmalog_reports_work())
		SKIP(return, "no /dev/iommu: this kernel has no IOMMUFD_DRIVER, DMA-logging reports cannot run");
	test_vfio_dma_log_start(&self->g.dev, DATA_IOVA,
				DATA_PAGES * VGPU_PAGE_SIZE);
	/* a second start without a stop is refused */
	test_err_vfio_dma_log_start(EBUSY, &self->g.dev, DATA_IOVA,
				    VGPU_PAGE_SIZE);

	n += vgpu_cmd_fill(c + n, DATA_GTT + 0x1ff0, 0x20, 3);
	bm_set_bytes(want, DATA_IOVA, data_iova(DATA_GTT + 0x1ff0), 0x20);
	n += vgpu_cmd_write(c + n, DATA_GTT + 0x7f000, &d, 1);
	bm_set_bytes(want, DATA_IOVA, data_iova(DATA_GTT + 0x7f000), 1);
	test_vgpu_run_ok(&self->g, c, n);

	test_vfio_dma_log_report(&self->g.dev, DATA_IOVA,
				 DATA_PAGES * VGPU_PAGE_SIZE, bm);
	for (i = 0; i < NBM; i++)
		ASSERT_EQ(want[i], bm[i]);
	/* read and clear */
	memset(bm, 0, sizeof(bm));
	test_vfio_dma_log_report(&self->g.dev, DATA_IOVA,
				 DATA_PAGES * VGPU_PAGE_SIZE, bm);
	for (i = 0; i < NBM; i++)
		ASSERT_EQ(0, bm[i]);
	test_vfio_dma_log_stop(&self->g.dev);
}

TEST_HARNESS_MAIN
