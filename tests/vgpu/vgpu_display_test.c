// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_display_test.c - the sample vGPU's display engine through the real
 * VFIO uAPI: vblank counter and interrupts, flips, writeback with its dirty
 * report, and the display state across a migration between two instances
 *
 * Runs inside the test VM with sample-vgpu loaded.  The dirty expectations
 * come from TEST_PHASE, as in vgpu_cmd_test: under the fine-grained scope
 * a writeback reports exactly the pages of the frame it wrote, under the
 * baseline every pinned page.  Timing assertions compare the counter only
 * with clock readings taken around its reads, so load cannot break them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vgpu_test_common.h"
/* the stream's layout, private to the driver: this test takes it apart */
#include "../../drivers/gpu/sample-vgpu/mig_stream.h"

/* 128x64 at 62.5 Hz: 160 x 80 total, 800 kHz pixel clock, 16 ms frames */
#define W		128
#define H		64
#define FRAME_NS	16000000ll
#define ROW		(W * 4)
/* the plane in the data pages, the writeback surface 16 pages on */
#define PLANE_GTT	DATA_GTT
#define PLANE_IOVA	DATA_IOVA
#define WB_GTT		(DATA_GTT + 16 * VGPU_PAGE_SIZE)
#define WB_IOVA		(DATA_IOVA + 16 * VGPU_PAGE_SIZE)
#define FRAME_PAGES	(ROW * H / VGPU_PAGE_SIZE)
#define NBM		((DATA_PAGES + 63) / 64)
#define STREAM_CAP	VGPU_STREAM_CAP
#define HDR_LEN		sizeof(struct vgpu_mig_hdr)

FIXTURE(disp) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
	bool fine;
};

FIXTURE_SETUP(disp)
{
	const char *ph = getenv("TEST_PHASE");

	ASSERT_NE(NULL, ph) TH_LOG("set TEST_PHASE (run-suite.sh does)");
	self->fine = !strcmp(ph, "fine");
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_EQ(0, vgpu_test_setup(&self->g, VGPU_TYPE_SMALL, self->uuid));
	ASSERT_EQ(0, vgpu_irq_enable(&self->g, VFIO_PCI_MSI_IRQ_INDEX));
}

FIXTURE_TEARDOWN(disp)
{
	vgpu_test_teardown(&self->g, self->uuid);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static int pipe_on(struct vgpu *g)
{
	return vgpu_wr(g, VGPU_REG_DISP_HACTIVE, W) ?:
	       vgpu_wr(g, VGPU_REG_DISP_VACTIVE, H) ?:
	       vgpu_wr(g, VGPU_REG_DISP_HTOTAL, 160) ?:
	       vgpu_wr(g, VGPU_REG_DISP_VTOTAL, 80) ?:
	       vgpu_wr(g, VGPU_REG_DISP_CLOCK, 800) ?:
	       vgpu_wr(g, VGPU_REG_DISP_CTL, VGPU_DISP_CTL_ENABLE);
}

static int plane_commit(struct vgpu *g, __u32 base)
{
	return vgpu_wr(g, VGPU_REG_PLANE_CTL, VGPU_PLANE_CTL_ENABLE) ?:
	       vgpu_wr(g, VGPU_REG_PLANE_BASE, base) ?:
	       vgpu_wr(g, VGPU_REG_PLANE_STRIDE, ROW) ?:
	       vgpu_wr(g, VGPU_REG_PLANE_COMMIT, 1);
}

/* poll IRQ_STATUS until @bits are all set (then clear them), or 5 s */
static int wait_status(struct vgpu *g, __u32 bits)
{
	long long end = now_ns() + 5000000000ll;
	__u32 st;

	do {
		st = vgpu_reg(g, VGPU_REG_IRQ_STATUS);
		if ((st & bits) == bits)
			return vgpu_wr(g, VGPU_REG_IRQ_STATUS, bits);
		usleep(2000);
	} while (now_ns() < end);
	return -ETIME;
}

/*
 * The counter against the clock: between two reads it advances by the
 * frames that surely passed between them (at least), and by no more than
 * the frames that may have passed (at most), whatever the load.
 */
TEST_F(disp, vblank_counter)
{
	struct vgpu *g = &self->g;
	long long t0, t1, t2, t3;
	__u32 c0, c1;

	ASSERT_EQ(0, pipe_on(g));
	EXPECT_EQ(VGPU_DISP_STATUS_ACTIVE, vgpu_reg(g, VGPU_REG_DISP_STATUS));
	t0 = now_ns();
	c0 = vgpu_reg(g, VGPU_REG_DISP_VBLANK);
	t1 = now_ns();
	usleep(300000);
	t2 = now_ns();
	c1 = vgpu_reg(g, VGPU_REG_DISP_VBLANK);
	t3 = now_ns();
	TH_LOG("%u vblanks in %lld ms", c1 - c0, (t2 - t1) / 1000000);
	EXPECT_LE((t2 - t1) / FRAME_NS - 1, (long long)(c1 - c0));
	EXPECT_GE((t3 - t0) / FRAME_NS + 1, (long long)(c1 - c0));
	ASSERT_EQ(0, vgpu_wr(g, VGPU_REG_DISP_CTL, 0));
	c0 = vgpu_reg(g, VGPU_REG_DISP_VBLANK);
	usleep(100000);
	EXPECT_EQ(c0, vgpu_reg(g, VGPU_REG_DISP_VBLANK));
}

/* VBLANK events arrive as MSIs while enabled, none once disabled */
TEST_F(disp, vblank_msi)
{
	struct vgpu *g = &self->g;
	int i, n = 0;

	ASSERT_EQ(0, pipe_on(g));
	ASSERT_EQ(0, vgpu_wr(g, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_VBLANK));
	for (i = 0; i < 3; i++) {
		int ret = vgpu_wait_irq(g, 5000);

		ASSERT_LT(0, ret);
		n += ret;
	}
	EXPECT_TRUE(vgpu_reg(g, VGPU_REG_IRQ_STATUS) & VGPU_IRQ_VBLANK);
	ASSERT_EQ(0, vgpu_wr(g, VGPU_REG_IRQ_ENABLE, 0));
	vgpu_wait_irq(g, 0);		/* drain */
	EXPECT_EQ(-ETIME, vgpu_wait_irq(g, 300));
	TH_LOG("%d MSIs", n);
}

/* a flip latches at a vblank: FLIP_DONE, the live registers follow */
TEST_F(disp, flip)
{
	struct vgpu *g = &self->g;

	ASSERT_EQ(0, pipe_on(g));
	ASSERT_EQ(0, plane_commit(g, PLANE_GTT));
	ASSERT_EQ(0, wait_status(g, VGPU_IRQ_FLIP_DONE));
	EXPECT_EQ(PLANE_GTT, vgpu_reg(g, VGPU_REG_PLANE_LIVE_BASE));
	ASSERT_EQ(0, plane_commit(g, PLANE_GTT + ROW));
	ASSERT_EQ(0, wait_status(g, VGPU_IRQ_FLIP_DONE));
	EXPECT_EQ(PLANE_GTT + ROW, vgpu_reg(g, VGPU_REG_PLANE_LIVE_BASE));
	EXPECT_EQ(VGPU_DISP_STATUS_ACTIVE, vgpu_reg(g, VGPU_REG_DISP_STATUS));
	EXPECT_EQ(0, vgpu_reg(g, VGPU_REG_DISP_ERROR));
}

/*
 * Writeback: the frame lands in guest memory byte for byte, and the
 * container's dirty bitmap holds exactly its pages (fine-grained) or every
 * pinned page (baseline, stock).
 */
TEST_F(disp, writeback_dirty)
{
	struct vgpu *g = &self->g;
	uint64_t bm[NBM], want[NBM] = { 0 };
	__u8 *plane = vgpu_iova_ptr(g, PLANE_IOVA);
	__u8 *wb = vgpu_iova_ptr(g, WB_IOVA);
	int i;

	ASSERT_NE(NULL, plane);
	ASSERT_NE(NULL, wb);
	for (i = 0; i < ROW * H; i++)
		plane[i] = i * 7 + 3;
	memset(wb, 0xee, 2 * ROW * H);
	ASSERT_EQ(0, pipe_on(g));
	ASSERT_EQ(0, plane_commit(g, PLANE_GTT));
	ASSERT_EQ(0, wait_status(g, VGPU_IRQ_FLIP_DONE));
	test_vfio_dirty_start(&g->iommu);
	test_vfio_dirty_get_pages(&g->iommu, DATA_IOVA,
				  DATA_PAGES * VGPU_PAGE_SIZE, bm);
	ASSERT_EQ(0, vgpu_wr(g, VGPU_REG_WB_BASE, WB_GTT));
	ASSERT_EQ(0, vgpu_wr(g, VGPU_REG_WB_STRIDE, ROW));
	ASSERT_EQ(0, vgpu_wr(g, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_WB_DONE));
	ASSERT_EQ(0, vgpu_wr(g, VGPU_REG_WB_COMMIT, 1));
	ASSERT_LT(0, vgpu_wait_irq(g, 5000));
	EXPECT_TRUE(vgpu_reg(g, VGPU_REG_IRQ_STATUS) & VGPU_IRQ_WB_DONE);
	EXPECT_EQ(0, vgpu_reg(g, VGPU_REG_DISP_ERROR));
	EXPECT_EQ(0, memcmp(plane, wb, ROW * H));
	EXPECT_EQ(0xee, wb[ROW * H]);
	test_vfio_dirty_get_pages(&g->iommu, DATA_IOVA,
				  DATA_PAGES * VGPU_PAGE_SIZE, bm);
	TH_LOG("fine=%d: %llu pages reported for a %d-page frame",
	       self->fine, (unsigned long long)bm_count(bm, DATA_PAGES),
	       FRAME_PAGES);
	if (self->fine) {
		bm_set_bytes(want, DATA_IOVA, WB_IOVA, ROW * H);
		for (i = 0; i < NBM; i++)
			ASSERT_EQ(want[i], bm[i]);
	} else {
		EXPECT_EQ(DATA_PAGES, bm_count(bm, DATA_PAGES));
	}
	test_vfio_dirty_stop(&g->iommu);
}

VGPU_PAIR_FIXTURE(mig)

static __u32 le32_at(const char *p)
{
	__u32 v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * Stopped with a flip pending: the stream carries a DISPLAY record before
 * the FULL one; on the destination the counter goes on from where the
 * source stopped and the flip latches at its first vblank.
 */
TEST_F(mig, display_state)
{
	struct vgpu *s = &self->p.src, *d = &self->p.dst;
	__u32 count;
	int fd = -1;
	long len;

	ASSERT_EQ(0, pipe_on(s));
	ASSERT_EQ(0, plane_commit(s, PLANE_GTT));
	ASSERT_EQ(0, wait_status(s, VGPU_IRQ_FLIP_DONE));
	ASSERT_EQ(0, vgpu_wr(s, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_FLIP_DONE));
	ASSERT_EQ(0, plane_commit(s, PLANE_GTT + ROW));
	ASSERT_EQ(0, vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP, NULL));
	count = vgpu_reg(s, VGPU_REG_DISP_VBLANK);
	if (vgpu_reg(s, VGPU_REG_DISP_STATUS) & VGPU_DISP_STATUS_FLIP_PENDING)
		TH_LOG("stopped with the flip pending at vblank %u", count);
	usleep(100000);
	EXPECT_EQ(count, vgpu_reg(s, VGPU_REG_DISP_VBLANK));
	ASSERT_EQ(0, vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP_COPY, &fd));
	len = vfio_mig_read(fd, self->p.buf, STREAM_CAP);
	close(fd);
	ASSERT_LT(2 * HDR_LEN + VGPU_MIG_DISPLAY_LEN, len);
	EXPECT_EQ(VGPU_MIG_REC_DISPLAY, le32_at(self->p.buf + 12));
	EXPECT_EQ(VGPU_MIG_REC_FULL,
		  le32_at(self->p.buf + HDR_LEN + VGPU_MIG_DISPLAY_LEN + 12));
	EXPECT_EQ(count, le32_at(self->p.buf + HDR_LEN +
				 offsetof(struct vgpu_mig_display, vblank)));

	ASSERT_EQ(0, vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_RESUMING, &fd));
	ASSERT_EQ(0, vfio_mig_write(fd, self->p.buf, len));
	close(fd);
	ASSERT_EQ(0, vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_STOP, NULL));
	EXPECT_EQ(count, vgpu_reg(d, VGPU_REG_DISP_VBLANK));
	ASSERT_EQ(0, vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_LE(count, vgpu_reg(d, VGPU_REG_DISP_VBLANK));
	ASSERT_EQ(0, vgpu_irq_enable(d, VFIO_PCI_MSI_IRQ_INDEX));
	ASSERT_EQ(0, wait_status(d, VGPU_IRQ_FLIP_DONE));
	EXPECT_EQ(PLANE_GTT + ROW, vgpu_reg(d, VGPU_REG_PLANE_LIVE_BASE));
	EXPECT_EQ(VGPU_DISP_STATUS_ACTIVE, vgpu_reg(d, VGPU_REG_DISP_STATUS));
	EXPECT_LT(count, vgpu_reg(d, VGPU_REG_DISP_VBLANK));
	EXPECT_EQ(W, vgpu_reg(d, VGPU_REG_DISP_HACTIVE));
}

TEST_HARNESS_MAIN
