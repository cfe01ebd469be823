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

static int dmalog_start(int dev, __u64 iova, __u64 len)
{
	struct vfio_device_feature_dma_logging_range range = {
		.iova = iova, .length = len,
	};
	__u64 buf[(sizeof(struct vfio_device_feature) +
		   sizeof(struct vfio_device_feature_dma_logging_control) + 7) / 8] = {};
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_dma_logging_control *c = (void *)f->data;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_LOGGING_START;
	c->page_size = 4096;
	c->num_ranges = 1;
	c->ranges = (uintptr_t)&range;
	return ioctl(dev, VFIO_DEVICE_FEATURE, f) ? -errno : 0;
}

static int dmalog_report(int dev, __u64 iova, __u64 len, __u64 *bm)
{
	__u64 buf[(sizeof(struct vfio_device_feature) +
		   sizeof(struct vfio_device_feature_dma_logging_report) + 7) / 8] = {};
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_dma_logging_report *r = (void *)f->data;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT;
	r->iova = iova;
	r->length = len;
	r->page_size = 4096;
	r->bitmap = (uintptr_t)bm;
	return ioctl(dev, VFIO_DEVICE_FEATURE, f) ? -errno : 0;
}

FIXTURE(dmalog) {
	struct vgpu g;
	char uuid[VGPU_UUID_LEN];
};

FIXTURE_SETUP(dmalog)
{
	memset(self->uuid, 0, sizeof(self->uuid));
	self->g.device = -1;
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

static int dmalog_stop(int dev)
{
	struct vfio_device_feature f = {
		.argsz = sizeof(f),
		.flags = VFIO_DEVICE_FEATURE_SET |
			 VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP,
	};

	return ioctl(dev, VFIO_DEVICE_FEATURE, &f) ? -errno : 0;
}

TEST_F(dmalog, offered_only_where_reports_work)
{
	int ret = dmalog_start(self->g.device, DATA_IOVA,
			       DATA_PAGES * VGPU_PAGE_SIZE);

	if (!dmalog_reports_work()) {
		/* no IOMMUFD_DRIVER: no log_ops, type1 tracking only */
		ASSERT_EQ(-ENOTTY, ret);
		return;
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, dmalog_stop(self->g.device));
}

TEST_F(dmalog, report_holds_exactly_the_written_pages)
{
	__u64 bm[NBM] = {}, want[NBM] = {};
	__u32 c[32], n = 0, d = 1;
	int i;

	if (!dmalog_reports_work())
		SKIP(return, "no /dev/iommu: this kernel has no IOMMUFD_DRIVER, DMA-logging reports cannot run");
	ASSERT_EQ(0, dmalog_start(self->g.device, DATA_IOVA,
				  DATA_PAGES * VGPU_PAGE_SIZE));
	/* a second start without a stop is refused */
	ASSERT_EQ(-EBUSY, dmalog_start(self->g.device, DATA_IOVA, VGPU_PAGE_SIZE));

	n += vgpu_cmd_fill(c + n, DATA_GTT + 0x1ff0, 0x20, 3);
	bm_set_range(want, DATA_IOVA, data_iova(DATA_GTT + 0x1ff0), 0x20);
	n += vgpu_cmd_write(c + n, DATA_GTT + 0x7f000, &d, 1);
	bm_set(want, DATA_IOVA, data_iova(DATA_GTT + 0x7f000));
	test_vgpu_run_ok(&self->g, c, n);

	ASSERT_EQ(0, dmalog_report(self->g.device, DATA_IOVA,
				   DATA_PAGES * VGPU_PAGE_SIZE, bm));
	for (i = 0; i < NBM; i++)
		ASSERT_EQ(want[i], bm[i]);
	/* read and clear */
	memset(bm, 0, sizeof(bm));
	ASSERT_EQ(0, dmalog_report(self->g.device, DATA_IOVA,
				   DATA_PAGES * VGPU_PAGE_SIZE, bm));
	for (i = 0; i < NBM; i++)
		ASSERT_EQ(0, bm[i]);
	ASSERT_EQ(0, dmalog_stop(self->g.device));
}

TEST_HARNESS_MAIN
