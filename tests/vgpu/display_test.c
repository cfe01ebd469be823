// SPDX-License-Identifier: GPL-2.0-only
/*
 * display_test.c - host-side unit tests of the sample vGPU's display
 * engine (drivers/gpu/sample-vgpu/display.c) with the rest of the device
 * code, on tests/kshim: a clock the tests move, the vblank work run when
 * they say, the fake type1 counting pins and dirty marks.
 *
 * What they pin down: the vblank counter follows the mode's period and
 * stops while the pipe is off or the device is stopped; a flip latches at
 * the first vblank after its commit; a writeback writes exactly the
 * composed frame's bytes and reports exactly their pages before WB_DONE;
 * bad modes, planes and surfaces are device errors that change nothing;
 * the state migrates in a DISPLAY record (only when not at reset), is
 * checked on arrival, and the counter continues on the destination.
 */
#include <stdlib.h>
#include <string.h>

#include "vgpu_host.h"
#include "kselftest_harness.h"

#define MEM_IOVA	0x100000ull
#define MEM_PAGES	64
/* a 128x64 mode at 62.5 Hz: 160 x 80 total, 800 kHz, 16 ms per frame */
#define W		128
#define H		64
#define HT		160
#define VT		80
#define CLK		800
#define FRAME_NS	16000000ull
#define ROW		(W * 4)
/* surfaces: the plane at GTT entry 8 (IOVA page 8), writeback at 24 */
#define PLANE_GTT	(8 * VGPU_PAGE_SIZE)
#define PLANE_IOVA	(MEM_IOVA + 8 * PAGE_SIZE)
#define WB_GTT		(24 * VGPU_PAGE_SIZE)
#define WB_IOVA		(MEM_IOVA + 24 * PAGE_SIZE)
#define WB_STRIDE	(ROW + 256)	/* gaps the device must not touch */
#define SURF_PAGES	16

FIXTURE(disp) {
	struct vgpu_dev *v;
	struct eventfd_ctx *msi;
};

FIXTURE_SETUP(disp)
{
	struct vgpu_dev *v;
	u32 i;

	kshim_unmap_all();
	kshim_now_ns = 1000000000ull;
	ASSERT_EQ(0, kshim_map(MEM_IOVA, MEM_PAGES * PAGE_SIZE));
	v = vh_create(0);
	ASSERT_NE(NULL, v);
	self->v = v;
	self->msi = calloc(1, sizeof(*self->msi));
	ASSERT_NE(NULL, self->msi);
	mutex_lock(&v->lock);
	v->msi_trigger = self->msi;
	v->irq_index = VFIO_PCI_MSI_IRQ_INDEX;
	mutex_unlock(&v->lock);
	for (i = 8; i < 8 + 2 * SURF_PAGES; i++)
		ASSERT_EQ(0, vh_gtt_set(v, i, (MEM_IOVA + i * PAGE_SIZE) |
					VGPU_GTT_VALID));
	kshim_dirty_clear();
}

FIXTURE_TEARDOWN(disp)
{
	EXPECT_TRUE(vh_teardown(self->v));
}

static int set_mode(struct vgpu_dev *v, u32 w, u32 h, u32 ht, u32 vt,
		    u32 clk)
{
	return vh_wr(v, VGPU_REG_DISP_HACTIVE, w) ?:
	       vh_wr(v, VGPU_REG_DISP_VACTIVE, h) ?:
	       vh_wr(v, VGPU_REG_DISP_HTOTAL, ht) ?:
	       vh_wr(v, VGPU_REG_DISP_VTOTAL, vt) ?:
	       vh_wr(v, VGPU_REG_DISP_CLOCK, clk);
}

static int pipe_on(struct vgpu_dev *v)
{
	return set_mode(v, W, H, HT, VT, CLK) ?:
	       vh_wr(v, VGPU_REG_DISP_CTL, VGPU_DISP_CTL_ENABLE);
}

static int plane_set(struct vgpu_dev *v, u32 ctl, u32 base, u32 stride)
{
	return vh_wr(v, VGPU_REG_PLANE_CTL, ctl) ?:
	       vh_wr(v, VGPU_REG_PLANE_BASE, base) ?:
	       vh_wr(v, VGPU_REG_PLANE_STRIDE, stride) ?:
	       vh_wr(v, VGPU_REG_PLANE_COMMIT, 1);
}

static u32 take_irqs(struct vgpu_dev *v)
{
	u32 st = vh_reg(v, VGPU_REG_IRQ_STATUS);

	vh_wr(v, VGPU_REG_IRQ_STATUS, st);
	return st;
}

/* the clock @frames frames on, then the vblank work if it is queued */
static int tick(struct vgpu_dev *v, u64 frames)
{
	kshim_now_ns += frames * FRAME_NS;
	return vh_run_display(v);
}

/* a plane of W x H pixels, pixel (x, y) = y << 16 | x, stride ROW */
static void plane_fill(void)
{
	u32 x, y;

	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			u32 px = htole32(y << 16 | x);

			memcpy(kshim_mem(PLANE_IOVA + y * ROW + x * 4), &px, 4);
		}
}

TEST_F(disp, identity)
{
	struct vgpu_dev *v = self->v;
	u32 caps = vh_reg(v, VGPU_REG_CAPS);

	EXPECT_EQ(VGPU_VERSION, vh_reg(v, VGPU_REG_VERSION));
	EXPECT_EQ(VGPU_CAP_DISPLAY | VGPU_CAP_WRITEBACK,
		  caps & (VGPU_CAP_DISPLAY | VGPU_CAP_WRITEBACK));
	EXPECT_EQ(VGPU_DISP_SIZE(VGPU_DISP_MAX_WIDTH, VGPU_DISP_MAX_HEIGHT),
		  vh_reg(v, VGPU_REG_DISP_MAX_SIZE));
	EXPECT_EQ(VGPU_DISP_SIZE(1024, 768), vh_reg(v, VGPU_REG_DISP_PREF_SIZE));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_STATUS));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_VBLANK));
}

/* invalid modes leave the pipe off with an error; a valid one runs */
TEST_F(disp, mode_checks)
{
	static const u32 bad[][5] = {
		{ 0, H, HT, VT, CLK },			/* no width */
		{ W, 32, HT, VT, CLK },			/* below the minimum */
		{ VGPU_DISP_MAX_WIDTH + 1, H, 3000, VT, 2000000 },
		{ W, H, W - 1, VT, CLK },		/* htotal < hactive */
		{ W, H, HT, VT, 0 },			/* no clock */
		{ W, H, HT, VT, 1 },			/* 12.8 s per frame */
		{ W, H, HT, VT, 1000000 },		/* 12.8 us per frame */
		{ W, H, 0x10000, VT, CLK },		/* htotal > 16 bits */
	};
	struct vgpu_dev *v = self->v;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(0, set_mode(v, bad[i][0], bad[i][1], bad[i][2],
				      bad[i][3], bad[i][4]));
		ASSERT_EQ(0, vh_wr(v, VGPU_REG_DISP_CTL, VGPU_DISP_CTL_ENABLE));
		EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_CTL));
		EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_STATUS));
		EXPECT_EQ(VGPU_ERR_MALFORMED, vh_reg(v, VGPU_REG_DISP_ERROR));
		EXPECT_EQ(VGPU_IRQ_DISP_ERROR, take_irqs(v));
		ASSERT_EQ(0, vh_wr(v, VGPU_REG_DISP_ERROR, 0));
		EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_ERROR));
	}
	ASSERT_EQ(0, pipe_on(v));
	EXPECT_EQ(VGPU_DISP_STATUS_ACTIVE, vh_reg(v, VGPU_REG_DISP_STATUS));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_ERROR));
	/* the mode is read-only while the pipe runs */
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_DISP_HACTIVE, 640));
	EXPECT_EQ(W, vh_reg(v, VGPU_REG_DISP_HACTIVE));
}

/* the counter follows the mode's period and stops with the pipe */
TEST_F(disp, vblank_counter)
{
	struct vgpu_dev *v = self->v;

	ASSERT_EQ(0, pipe_on(v));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_VBLANK));
	EXPECT_EQ(H, vh_reg(v, VGPU_REG_DISP_SCANLINE));
	kshim_now_ns += FRAME_NS / 2;
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_VBLANK));
	EXPECT_EQ((H + VT / 2) % VT, vh_reg(v, VGPU_REG_DISP_SCANLINE));
	kshim_now_ns += 2 * FRAME_NS;
	EXPECT_EQ(2, vh_reg(v, VGPU_REG_DISP_VBLANK));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_DISP_CTL, 0));
	kshim_now_ns += 10 * FRAME_NS;
	EXPECT_EQ(2, vh_reg(v, VGPU_REG_DISP_VBLANK));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_SCANLINE));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_DISP_CTL, VGPU_DISP_CTL_ENABLE));
	kshim_now_ns += 3 * FRAME_NS;
	EXPECT_EQ(5, vh_reg(v, VGPU_REG_DISP_VBLANK));
	/* nothing enabled or pending: no work, no events */
	EXPECT_EQ(0, vh_run_display(v));
	EXPECT_EQ(0, take_irqs(v));
}

/* VBLANK events while enabled, one work per frame, MSIs with them */
TEST_F(disp, vblank_events)
{
	struct vgpu_dev *v = self->v;
	u64 msis;

	ASSERT_EQ(0, pipe_on(v));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_VBLANK));
	/* queued for the next vblank: a frame's worth of 4 ms jiffies */
	EXPECT_EQ(FRAME_NS / 4000000 + 1, v->disp.work.delay);
	msis = self->msi->count;
	EXPECT_EQ(1, vh_run_display(v));	/* early: no vblank yet */
	EXPECT_EQ(0, take_irqs(v));
	EXPECT_EQ(1, tick(v, 1));
	EXPECT_EQ(VGPU_IRQ_VBLANK, take_irqs(v));
	EXPECT_EQ(msis + 1, self->msi->count);
	EXPECT_EQ(1, tick(v, 3));		/* late: one event for three */
	EXPECT_EQ(VGPU_IRQ_VBLANK, take_irqs(v));
	EXPECT_EQ(4, vh_reg(v, VGPU_REG_DISP_VBLANK));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_IRQ_ENABLE, 0));
	EXPECT_EQ(1, tick(v, 1));		/* the last one, not requeued */
	EXPECT_EQ(0, tick(v, 1));
}

/* a flip latches at the first vblank after its commit, not before */
TEST_F(disp, flip_latches_at_vblank)
{
	struct vgpu_dev *v = self->v;

	ASSERT_EQ(0, pipe_on(v));
	kshim_now_ns += FRAME_NS / 2;
	ASSERT_EQ(0, plane_set(v, VGPU_PLANE_CTL_ENABLE, PLANE_GTT, ROW));
	EXPECT_EQ(VGPU_DISP_STATUS_ACTIVE | VGPU_DISP_STATUS_FLIP_PENDING,
		  vh_reg(v, VGPU_REG_DISP_STATUS));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_PLANE_LIVE_CTL));
	kshim_now_ns += FRAME_NS / 4;
	EXPECT_EQ(1, vh_run_display(v));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_PLANE_LIVE_CTL));
	EXPECT_EQ(1, tick(v, 1));
	EXPECT_EQ(VGPU_PLANE_CTL_ENABLE, vh_reg(v, VGPU_REG_PLANE_LIVE_CTL));
	EXPECT_EQ(PLANE_GTT, vh_reg(v, VGPU_REG_PLANE_LIVE_BASE));
	EXPECT_EQ(ROW, vh_reg(v, VGPU_REG_PLANE_LIVE_STRIDE));
	EXPECT_EQ(VGPU_DISP_STATUS_ACTIVE, vh_reg(v, VGPU_REG_DISP_STATUS));
	EXPECT_EQ(VGPU_IRQ_VBLANK | VGPU_IRQ_FLIP_DONE, take_irqs(v));
	/* with the pipe off a commit latches at once */
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_DISP_CTL, 0));
	ASSERT_EQ(0, plane_set(v, 0, 0, 0));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_PLANE_LIVE_CTL));
	EXPECT_EQ(VGPU_IRQ_FLIP_DONE, take_irqs(v));
}

/* a plane the device cannot scan out is not latched: an error */
TEST_F(disp, bad_plane_not_latched)
{
	static const u32 bad[][4] = {
		/* ctl, base, stride, error */
		{ VGPU_PLANE_CTL_ENABLE | 1 << 8, PLANE_GTT, ROW,
		  VGPU_ERR_MALFORMED },			/* unknown format */
		{ VGPU_PLANE_CTL_ENABLE, PLANE_GTT + 2, ROW, VGPU_ERR_MALFORMED },
		{ VGPU_PLANE_CTL_ENABLE, PLANE_GTT, ROW - 4, VGPU_ERR_MALFORMED },
		{ VGPU_PLANE_CTL_ENABLE, 256 * VGPU_PAGE_SIZE - ROW * H + 4,
		  ROW, VGPU_ERR_BAD_ADDRESS },		/* past the aperture */
		{ VGPU_PLANE_CTL_ENABLE, 0xfffff000, ROW, VGPU_ERR_BAD_ADDRESS },
	};
	struct vgpu_dev *v = self->v;
	unsigned int i;

	ASSERT_EQ(0, pipe_on(v));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(0, plane_set(v, bad[i][0], bad[i][1], bad[i][2]));
		EXPECT_EQ(1, tick(v, 1));
		EXPECT_EQ(bad[i][3], vh_reg(v, VGPU_REG_DISP_ERROR));
		EXPECT_EQ(VGPU_IRQ_VBLANK | VGPU_IRQ_FLIP_DONE |
			  VGPU_IRQ_DISP_ERROR, take_irqs(v));
		EXPECT_EQ(0, vh_reg(v, VGPU_REG_PLANE_LIVE_CTL));
		ASSERT_EQ(0, vh_wr(v, VGPU_REG_DISP_ERROR, 0));
	}
	/* the last byte of the aperture is fine */
	ASSERT_EQ(0, plane_set(v, VGPU_PLANE_CTL_ENABLE,
			       256 * VGPU_PAGE_SIZE - ROW * H, ROW));
	EXPECT_EQ(1, tick(v, 1));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_ERROR));
	EXPECT_EQ(VGPU_PLANE_CTL_ENABLE, vh_reg(v, VGPU_REG_PLANE_LIVE_CTL));
}

/*
 * Writeback: exactly the frame's bytes at the surface's stride, the gaps
 * untouched, exactly those pages reported, before WB_DONE.
 */
TEST_F(disp, writeback_exact)
{
	struct vgpu_dev *v = self->v;
	u8 *wb = kshim_mem(WB_IOVA);
	u32 x, y, px, pages;

	ASSERT_EQ(0, pipe_on(v));
	plane_fill();
	memset(wb, 0xee, SURF_PAGES * PAGE_SIZE);
	ASSERT_EQ(0, plane_set(v, VGPU_PLANE_CTL_ENABLE, PLANE_GTT, ROW));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_BASE, WB_GTT));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_STRIDE, WB_STRIDE));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_COMMIT, 1));
	EXPECT_EQ(VGPU_DISP_STATUS_ACTIVE | VGPU_DISP_STATUS_FLIP_PENDING |
		  VGPU_DISP_STATUS_WB_PENDING, vh_reg(v, VGPU_REG_DISP_STATUS));
	EXPECT_EQ(0, kshim_marks());
	EXPECT_EQ(1, tick(v, 1));
	EXPECT_EQ(VGPU_IRQ_VBLANK | VGPU_IRQ_FLIP_DONE | VGPU_IRQ_WB_DONE,
		  take_irqs(v));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_ERROR));
	for (y = 0; y < H; y++) {
		for (x = 0; x < W; x++) {
			memcpy(&px, wb + y * WB_STRIDE + x * 4, 4);
			ASSERT_EQ(y << 16 | x, le32toh(px));
		}
		for (x = ROW; x < WB_STRIDE && y < H - 1; x++)
			ASSERT_EQ(0xee, wb[y * WB_STRIDE + x]);
	}
	EXPECT_EQ(0xee, wb[(H - 1) * WB_STRIDE + ROW]);
	/* the pages of bytes [0, (H - 1) * WB_STRIDE + ROW), no others */
	pages = ((H - 1) * WB_STRIDE + ROW + PAGE_SIZE - 1) / PAGE_SIZE;
	EXPECT_EQ(pages, kshim_dirty_pages());
	for (y = 0; y < pages; y++)
		EXPECT_TRUE(kshim_dirty(WB_IOVA + y * PAGE_SIZE));
	EXPECT_FALSE(kshim_dirty(PLANE_IOVA));
	EXPECT_EQ(pages, atomic64_read(&v->cnt.dirty_pages));
	/* one writeback per commit: the next vblank writes nothing */
	kshim_dirty_clear();
	EXPECT_EQ(0, vh_run_display(v));
	EXPECT_EQ(0, kshim_dirty_pages());
}

/* the plane off, the frame is black */
TEST_F(disp, writeback_black)
{
	struct vgpu_dev *v = self->v;
	u8 *wb = kshim_mem(WB_IOVA);
	u32 i;

	ASSERT_EQ(0, pipe_on(v));
	memset(wb, 0xee, SURF_PAGES * PAGE_SIZE);
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_BASE, WB_GTT));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_STRIDE, ROW));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_COMMIT, 1));
	EXPECT_EQ(1, tick(v, 1));
	EXPECT_EQ(VGPU_IRQ_WB_DONE, take_irqs(v) & VGPU_IRQ_WB_DONE);
	for (i = 0; i < ROW * H; i++)
		ASSERT_EQ(0, wb[i]);
	EXPECT_EQ(0xee, wb[ROW * H]);
	EXPECT_EQ(ROW * H / PAGE_SIZE, kshim_dirty_pages());
}

/* a surface with an unmapped page: an error, nothing written or marked */
TEST_F(disp, writeback_unmapped)
{
	struct vgpu_dev *v = self->v;
	u8 *wb = kshim_mem(WB_IOVA);

	ASSERT_EQ(0, pipe_on(v));
	memset(wb, 0xee, SURF_PAGES * PAGE_SIZE);
	ASSERT_EQ(0, vh_gtt_set(v, 24 + 5, 0));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_BASE, WB_GTT));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_STRIDE, ROW));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_COMMIT, 1));
	EXPECT_EQ(1, tick(v, 1));
	EXPECT_EQ(VGPU_IRQ_VBLANK | VGPU_IRQ_WB_DONE | VGPU_IRQ_DISP_ERROR,
		  take_irqs(v));
	EXPECT_EQ(VGPU_ERR_UNMAPPED, vh_reg(v, VGPU_REG_DISP_ERROR));
	EXPECT_EQ(0xee, wb[0]);
	EXPECT_EQ(0, kshim_dirty_pages());
	EXPECT_EQ(0, kshim_marks());
	/* the pipe off: a writeback fails at once */
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_DISP_CTL, 0));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_DISP_ERROR, 0));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_COMMIT, 1));
	EXPECT_EQ(VGPU_IRQ_WB_DONE | VGPU_IRQ_DISP_ERROR, take_irqs(v));
	EXPECT_EQ(VGPU_ERR_MALFORMED, vh_reg(v, VGPU_REG_DISP_ERROR));
}

/* disabling the pipe completes the pending flip and writeback */
TEST_F(disp, disable_completes)
{
	struct vgpu_dev *v = self->v;

	ASSERT_EQ(0, pipe_on(v));
	plane_fill();
	ASSERT_EQ(0, plane_set(v, VGPU_PLANE_CTL_ENABLE, PLANE_GTT, ROW));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_BASE, WB_GTT));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_STRIDE, ROW));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_COMMIT, 1));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_DISP_CTL, 0));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_STATUS));
	EXPECT_EQ(VGPU_IRQ_FLIP_DONE | VGPU_IRQ_WB_DONE, take_irqs(v));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_VBLANK));
	EXPECT_EQ(0, memcmp(kshim_mem(PLANE_IOVA), kshim_mem(WB_IOVA),
			    ROW * H));
	EXPECT_EQ(ROW * H / PAGE_SIZE, kshim_dirty_pages());
}

/* stopped for migration: the counter and the work stop, then continue */
TEST_F(disp, stop_freezes)
{
	struct vgpu_dev *v = self->v;

	ASSERT_EQ(0, pipe_on(v));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_VBLANK));
	kshim_now_ns += 3 * FRAME_NS;
	ASSERT_EQ(0, vh_set_state(v, VFIO_DEVICE_STATE_STOP, NULL));
	EXPECT_EQ(0, v->disp.work.work.pending);
	kshim_now_ns += 100 * FRAME_NS;
	EXPECT_EQ(3, vh_reg(v, VGPU_REG_DISP_VBLANK));
	EXPECT_EQ(-EBUSY, vh_wr(v, VGPU_REG_PLANE_COMMIT, 1));
	ASSERT_EQ(0, vh_set_state(v, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(1, v->disp.work.work.pending);
	EXPECT_EQ(3, vh_reg(v, VGPU_REG_DISP_VBLANK));
	EXPECT_EQ(1, tick(v, 1));
	EXPECT_EQ(4, vh_reg(v, VGPU_REG_DISP_VBLANK));
	EXPECT_EQ(VGPU_IRQ_VBLANK, take_irqs(v));
}

/* ---- migration ---- */

#define HDR	sizeof(struct vgpu_mig_hdr)
#define DLEN	VGPU_MIG_DISPLAY_LEN

/* kinds of the records of a stream, in order, as a number base 4 */
static u32 kinds(const u8 *s, size_t len)
{
	u32 k = 0;
	size_t pos;

	for (pos = 0; pos + HDR <= len; pos += HDR + vh_get32(s + pos + 24))
		k = k * 4 + vh_get32(s + pos + 12);
	return k;
}

/* a fresh device's stream has no DISPLAY record: a 2.0 reader takes it */
TEST_F(disp, no_record_at_reset)
{
	size_t len;
	u8 *s = vh_save(self->v, &len);

	ASSERT_NE(NULL, s);
	EXPECT_EQ(VGPU_MIG_REC_FULL, kinds(s, len));
	EXPECT_EQ(1, vh_get32(s + 8) >> 16);	/* minor 1 all the same */
	free(s);
}

/*
 * The whole state travels: registers, latched plane, a pending flip and
 * writeback, the counter; on the destination the counter continues and
 * the pending work completes at its first vblank.
 */
TEST_F(disp, migrates)
{
	struct vgpu_dev *v = self->v, *d = vh_create(0);
	struct eventfd_ctx *msi = calloc(1, sizeof(*msi));
	size_t len;
	ssize_t wr;
	u8 *s;

	ASSERT_NE(NULL, d);
	ASSERT_NE(NULL, msi);
	ASSERT_EQ(0, pipe_on(v));
	plane_fill();
	ASSERT_EQ(0, plane_set(v, VGPU_PLANE_CTL_ENABLE, PLANE_GTT, ROW));
	EXPECT_EQ(1, tick(v, 1));
	ASSERT_EQ(0, plane_set(v, VGPU_PLANE_CTL_ENABLE, PLANE_GTT + ROW, ROW));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_BASE, WB_GTT));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_STRIDE, ROW));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_WB_COMMIT, 1));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_WB_DONE));
	kshim_now_ns += 6 * FRAME_NS / 4;
	take_irqs(v);
	s = vh_save(v, &len);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(VGPU_MIG_REC_DISPLAY * 4 + VGPU_MIG_REC_FULL, kinds(s, len));
	EXPECT_EQ(DLEN, vh_get32(s + 24));
	EXPECT_EQ(2, vh_get32(s + HDR + offsetof(struct vgpu_mig_display, vblank)));
	/* the source holds its state after the save, as it does stopped */
	EXPECT_EQ(0, v->disp.work.work.pending);

	mutex_lock(&d->lock);
	d->msi_trigger = msi;
	d->irq_index = VFIO_PCI_MSI_IRQ_INDEX;
	mutex_unlock(&d->lock);
	ASSERT_EQ(0, vh_load(d, s, len, &wr));
	EXPECT_EQ(len, wr);
	ASSERT_EQ(0, vh_set_state(d, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(2, vh_reg(d, VGPU_REG_DISP_VBLANK));
	EXPECT_EQ(W, vh_reg(d, VGPU_REG_DISP_HACTIVE));
	EXPECT_EQ(PLANE_GTT, vh_reg(d, VGPU_REG_PLANE_LIVE_BASE));
	EXPECT_EQ(PLANE_GTT + ROW, vh_reg(d, VGPU_REG_PLANE_BASE));
	EXPECT_EQ(VGPU_DISP_STATUS_ACTIVE | VGPU_DISP_STATUS_FLIP_PENDING |
		  VGPU_DISP_STATUS_WB_PENDING, vh_reg(d, VGPU_REG_DISP_STATUS));
	kshim_dirty_clear();
	EXPECT_EQ(1, tick(d, 1));
	EXPECT_EQ(3, vh_reg(d, VGPU_REG_DISP_VBLANK));
	EXPECT_EQ(VGPU_IRQ_VBLANK | VGPU_IRQ_FLIP_DONE | VGPU_IRQ_WB_DONE,
		  take_irqs(d));
	EXPECT_EQ(1, msi->count);
	EXPECT_EQ(PLANE_GTT + ROW, vh_reg(d, VGPU_REG_PLANE_LIVE_BASE));
	/* the frame of the new plane: rows 1.. of the pattern */
	EXPECT_EQ(0, memcmp(kshim_mem(PLANE_IOVA + ROW), kshim_mem(WB_IOVA),
			    ROW * (H - 1)));
	EXPECT_EQ(ROW * H / PAGE_SIZE, kshim_dirty_pages());
	free(s);
	vh_destroy(d);
}

/* DISPLAY records with states the device cannot be in are refused */
TEST_F(disp, bad_records)
{
	static const struct {
		u32 off, val;
	} bad[] = {
		{ offsetof(struct vgpu_mig_display, reserved), 1 },
		{ offsetof(struct vgpu_mig_display, ctl), 3 },
		{ offsetof(struct vgpu_mig_display, clock), 0 },
		{ offsetof(struct vgpu_mig_display, hactive), 8 },
		{ offsetof(struct vgpu_mig_display, pending), 8 },
		{ offsetof(struct vgpu_mig_display, flip_seq), 1000 },
		{ offsetof(struct vgpu_mig_display, error), VGPU_ERR_MAX + 1 },
		{ offsetof(struct vgpu_mig_display, plane_ctl), 1 << 16 },
		{ offsetof(struct vgpu_mig_display, live_ctl), 0x101 },
		{ offsetof(struct vgpu_mig_display, live_base), 2 },
	};
	struct vgpu_dev *v = self->v, *d = vh_create(0);
	size_t len, i;
	u8 *s, *t;
	ssize_t wr;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, pipe_on(v));
	ASSERT_EQ(0, plane_set(v, VGPU_PLANE_CTL_ENABLE, PLANE_GTT, ROW));
	EXPECT_EQ(1, tick(v, 1));
	ASSERT_EQ(0, plane_set(v, VGPU_PLANE_CTL_ENABLE, PLANE_GTT, ROW));
	s = vh_save(v, &len);
	ASSERT_NE(NULL, s);
	t = malloc(len);
	ASSERT_NE(NULL, t);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memcpy(t, s, len);
		vh_put32(t + HDR + bad[i].off, bad[i].val);
		vh_put32(t + 28, crc32_le(~0u, t + HDR, DLEN) ^ ~0u);
		EXPECT_EQ(-EINVAL, vh_load(d, t, len, &wr));
		EXPECT_EQ(-EINVAL, wr);
		EXPECT_EQ(0, vgpu_reset(d));
	}
	/* pending work on a stopped pipe */
	memcpy(t, s, len);
	vh_put32(t + HDR + offsetof(struct vgpu_mig_display, ctl), 0);
	vh_put32(t + 28, crc32_le(~0u, t + HDR, DLEN) ^ ~0u);
	EXPECT_EQ(-EINVAL, vh_load(d, t, len, &wr));
	EXPECT_EQ(0, vgpu_reset(d));
	/* a CRC mismatch, a record of another length */
	memcpy(t, s, len);
	t[HDR] ^= 1;
	EXPECT_EQ(-EBADMSG, vh_load(d, t, len, &wr));
	EXPECT_EQ(0, vgpu_reset(d));
	memcpy(t, s, len);
	vh_put32(t + 24, DLEN + 16);
	EXPECT_EQ(-EINVAL, vh_load(d, t, len, &wr));
	EXPECT_EQ(0, vgpu_reset(d));
	/* a flip due at the vblank the stream stopped at is fine (overdue) */
	memcpy(t, s, len);
	vh_put32(t + HDR + offsetof(struct vgpu_mig_display, flip_seq),
	     vh_get32(t + HDR + offsetof(struct vgpu_mig_display, vblank)) - 5);
	vh_put32(t + 28, crc32_le(~0u, t + HDR, DLEN) ^ ~0u);
	EXPECT_EQ(0, vh_load(d, t, len, &wr));
	EXPECT_EQ(len, wr);
	/* the untouched stream loads */
	EXPECT_EQ(0, vgpu_reset(d));
	EXPECT_EQ(0, vh_load(d, s, len, &wr));
	EXPECT_EQ(VGPU_DISP_STATUS_ACTIVE | VGPU_DISP_STATUS_FLIP_PENDING,
		  vh_reg(d, VGPU_REG_DISP_STATUS));
	free(t);
	free(s);
	vh_destroy(d);
}

/* a stream without DISPLAY (a 2.0 source) leaves the display at reset */
TEST_F(disp, old_stream_resets_display)
{
	struct vgpu_dev *v = self->v, *d = vh_create(0);
	size_t len;
	u8 *s;
	ssize_t wr;

	ASSERT_NE(NULL, d);
	s = vh_save(v, &len);
	ASSERT_NE(NULL, s);
	vh_put32(s + 8, VGPU_MIG_VERSION_MAJOR);	/* minor 0 */
	ASSERT_EQ(0, pipe_on(d));
	ASSERT_EQ(0, vh_wr(d, VGPU_REG_WB_BASE, 0x1000));
	EXPECT_EQ(0, vh_load(d, s, len, &wr));
	EXPECT_EQ(len, wr);
	EXPECT_EQ(0, vh_reg(d, VGPU_REG_DISP_CTL));
	EXPECT_EQ(0, vh_reg(d, VGPU_REG_WB_BASE));
	EXPECT_EQ(0, vh_reg(d, VGPU_REG_DISP_VBLANK));
	free(s);
	vh_destroy(d);
}

/* VFIO_DEVICE_RESET turns the display off */
TEST_F(disp, reset_turns_off)
{
	struct vgpu_dev *v = self->v;

	ASSERT_EQ(0, pipe_on(v));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_VBLANK));
	ASSERT_EQ(0, vgpu_reset(v));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_CTL));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_DISP_HACTIVE));
	EXPECT_EQ(0, v->disp.work.work.pending);
	EXPECT_EQ(0, tick(v, 1));
}

TEST_HARNESS_MAIN
