// SPDX-License-Identifier: GPL-2.0-only
/*
 * device_test.c - host-side unit tests of the sample vGPU's device code
 *
 * The driver's gtt.c, dirty.c, migration.c, mmio.c, irq.c, shadow.c,
 * exec.c and cmd_parser.c run in user space on tests/kshim, whose fake
 * type1 counts pins and marks on its own: the tests compare the driver's
 * counters and reports with that ground truth, under ASan and UBSan.
 * They pin down arithmetic and lifetimes that the VM cannot reach or
 * cannot see without KASAN: a write to the highest IOVA page, a migration
 * file that outlives its device, a user copy that faults, and the audit's
 * rules for a stopped device and a rejected stream.
 */
#include <stdlib.h>
#include <string.h>
#include <sanitizer/lsan_interface.h>

#include <linux/interval_tree.h>
#include <linux/iova_bitmap.h>

#include "vgpu_host.h"
#include "kselftest_harness.h"

#define TOP_PAGE	0xfffffffffffff000ull
#define MEM_IOVA	0x100000ull
#define MEM_PAGES	64
#define LOG_PAGES_MAX	64

FIXTURE(dev) {
	struct vgpu_dev *v;
};

FIXTURE_SETUP(dev)
{
	kshim_unmap_all();
	ASSERT_EQ(0, kshim_map(MEM_IOVA, MEM_PAGES * PAGE_SIZE));
	self->v = vh_create(0);
	ASSERT_NE(NULL, self->v);
}

FIXTURE_TEARDOWN(dev)
{
	/* nothing pinned, no file and no instance left behind */
	EXPECT_TRUE(vh_teardown(self->v));
	/* the harness's child ends in _exit(): no leak check of its own */
	EXPECT_EQ(0, __lsan_do_recoverable_leak_check());
}

/* record writes, then flush, as a submission does */
static void record(struct vgpu_dev *v, u64 iova, u32 len)
{
	mutex_lock(&v->lock);
	vgpu_dirty_record(v, iova, len);
	mutex_unlock(&v->lock);
}

static void flush(struct vgpu_dev *v)
{
	mutex_lock(&v->lock);
	vgpu_dirty_flush(v);
	mutex_unlock(&v->lock);
}

/* Audit item 3: the exclusive end of the top page wrapped to 0. */
TEST_F(dev, dirty_top_page_after_lower)
{
	ASSERT_EQ(0, kshim_map(TOP_PAGE, PAGE_SIZE));
	record(self->v, MEM_IOVA + 8, 4);
	record(self->v, TOP_PAGE + 0xffc, 4);
	flush(self->v);
	EXPECT_TRUE(kshim_dirty(MEM_IOVA));
	EXPECT_TRUE(kshim_dirty(TOP_PAGE));
	EXPECT_EQ(2, kshim_dirty_pages());
	EXPECT_EQ(2, kshim_marks());
	EXPECT_EQ(2, atomic64_read(&self->v->cnt.dirty_pages));
	EXPECT_EQ(0, atomic64_read(&self->v->cnt.mark_errors));
}

TEST_F(dev, dirty_top_page_first)
{
	ASSERT_EQ(0, kshim_map(TOP_PAGE, PAGE_SIZE));
	record(self->v, TOP_PAGE, 1);
	record(self->v, TOP_PAGE + 0x800, 0x800);
	record(self->v, MEM_IOVA, 4);
	flush(self->v);
	EXPECT_TRUE(kshim_dirty(TOP_PAGE));
	EXPECT_TRUE(kshim_dirty(MEM_IOVA));
	EXPECT_EQ(2, kshim_dirty_pages());
	EXPECT_EQ(2, atomic64_read(&self->v->cnt.dirty_pages));
}

/* adjacent pages below the top merge into one range, one mark */
TEST_F(dev, dirty_top_ranges_merge)
{
	ASSERT_EQ(0, kshim_map(TOP_PAGE - 2 * PAGE_SIZE, 3 * PAGE_SIZE));
	record(self->v, TOP_PAGE, 4);
	record(self->v, TOP_PAGE - 2 * PAGE_SIZE, 4);
	record(self->v, TOP_PAGE - PAGE_SIZE + 100, 8);
	flush(self->v);
	EXPECT_EQ(3, kshim_dirty_pages());
	EXPECT_EQ(1, kshim_marks());
	EXPECT_EQ(3, atomic64_read(&self->v->cnt.dirty_pages));
}

/* more disjoint ranges than the tracker keeps: an early flush, none lost */
TEST_F(dev, dirty_ranges_overflow)
{
	int i;

	ASSERT_EQ(0, kshim_map(TOP_PAGE, PAGE_SIZE));
	for (i = 0; i < 2 * VGPU_DIRTY_RANGES; i++)
		record(self->v, MEM_IOVA + 2 * i * PAGE_SIZE, 4);
	record(self->v, TOP_PAGE + 4, 4);
	flush(self->v);
	EXPECT_EQ(2 * VGPU_DIRTY_RANGES + 1, kshim_dirty_pages());
	EXPECT_EQ(2 * VGPU_DIRTY_RANGES + 1, kshim_marks());
	for (i = 0; i < 2 * VGPU_DIRTY_RANGES; i++) {
		EXPECT_TRUE(kshim_dirty(MEM_IOVA + 2 * i * PAGE_SIZE));
		EXPECT_FALSE(kshim_dirty(MEM_IOVA + (2 * i + 1) * PAGE_SIZE));
	}
	EXPECT_TRUE(kshim_dirty(TOP_PAGE));
}

/*
 * DMA logging (logops.c, built here as on a kernel with IOMMUFD_DRIVER):
 * the ranges user space asks for, in ascending order, as VFIO core passes
 * them to log_start().
 */
#define LOG_MAX	4

struct log_ranges {
	struct rb_root_cached root;
	struct interval_tree_node node[LOG_MAX];
	u32 n;
};

static void log_add(struct log_ranges *l, u64 start, u64 pages)
{
	struct interval_tree_node *n = &l->node[l->n];

	n->start = start;
	n->last = start + pages * PAGE_SIZE - 1;
	if (l->n)
		l->node[l->n - 1].next = n;
	else
		l->root.first = n;
	l->n++;
}

static int log_start(struct vgpu_dev *v, struct log_ranges *l, u32 nnodes)
{
	u64 page_size = 0;
	int ret = v->vdev.log_ops->log_start(&v->vdev, &l->root, nnodes,
					      &page_size);

	if (!ret && page_size != PAGE_SIZE)
		return -EPROTO;
	return ret;
}

/* read and clear the log of @pages pages from @iova: the first 64 bits */
static int log_report(struct vgpu_dev *v, u64 iova, u64 pages, u64 *bits)
{
	unsigned long map[BITS_TO_LONGS(LOG_PAGES_MAX)] = { 0 };
	struct iova_bitmap b = { .iova = iova, .length = pages * PAGE_SIZE,
				 .bits = map };
	int ret;

	ret = v->vdev.log_ops->log_read_and_clear(&v->vdev, iova,
						  pages * PAGE_SIZE, &b);
	*bits = map[0];
	return ret;
}

/*
 * Audit items 8 and 3 in the DMA log: the log holds one bitmap per range
 * (r[] __counted_by(nr), the count set before an element is filled), a
 * write is logged in the range that holds it, the top page of the IOVA
 * space included, and a read clears what it returned.
 */
TEST_F(dev, dma_log_ranges)
{
	struct log_ranges l = { 0 };
	u64 bits;

	ASSERT_EQ(0, kshim_map(TOP_PAGE - PAGE_SIZE, 2 * PAGE_SIZE));
	log_add(&l, MEM_IOVA, 16);
	log_add(&l, MEM_IOVA + 32 * PAGE_SIZE, 32);
	log_add(&l, TOP_PAGE - PAGE_SIZE, 2);
	ASSERT_EQ(0, log_start(self->v, &l, l.n));
	EXPECT_EQ(-EBUSY, log_start(self->v, &l, l.n));
	record(self->v, MEM_IOVA + 3 * PAGE_SIZE + 8, 4);
	record(self->v, MEM_IOVA + 40 * PAGE_SIZE - 2, 4);	/* 39 and 40 */
	record(self->v, TOP_PAGE + 0xffc, 4);
	flush(self->v);
	ASSERT_EQ(0, log_report(self->v, MEM_IOVA, 16, &bits));
	EXPECT_EQ(1ull << 3, bits);
	ASSERT_EQ(0, log_report(self->v, MEM_IOVA + 32 * PAGE_SIZE, 32, &bits));
	EXPECT_EQ(3ull << 7, bits);
	ASSERT_EQ(0, log_report(self->v, TOP_PAGE - PAGE_SIZE, 2, &bits));
	EXPECT_EQ(2ull, bits);
	/* read and clear: nothing the second time */
	ASSERT_EQ(0, log_report(self->v, MEM_IOVA, 16, &bits));
	EXPECT_EQ(0, bits);
	ASSERT_EQ(0, log_report(self->v, TOP_PAGE - PAGE_SIZE, 2, &bits));
	EXPECT_EQ(0, bits);
	EXPECT_EQ(0, self->v->vdev.log_ops->log_stop(&self->v->vdev));
	EXPECT_EQ(-EINVAL, log_report(self->v, MEM_IOVA, 16, &bits));
}

/*
 * A log_start() that fails half-way frees what it allocated (LeakSanitizer
 * and ASan watch the slots past the ones filled), and leaves no log.
 */
TEST_F(dev, dma_log_start_fails_clean)
{
	struct log_ranges l = { 0 };
	u64 bits;
	int i;

	log_add(&l, MEM_IOVA, 16);
	log_add(&l, MEM_IOVA + 32 * PAGE_SIZE, 16);
	log_add(&l, 1ull << 40, LOG_PAGES_MAX);
	EXPECT_EQ(-E2BIG, log_start(self->v, &l, 0));
	EXPECT_EQ(-E2BIG, log_start(self->v, &l, 257));
	/* the third range passes the cap of pages: two bitmaps to free */
	l.node[2].last = (1ull << 40) + (1ull << 38) - 1;
	EXPECT_EQ(-E2BIG, log_start(self->v, &l, 3));
	l.node[2].last = (1ull << 40) + LOG_PAGES_MAX * PAGE_SIZE - 1;
	for (i = 1; i <= 4; i++) {	/* the log, then each bitmap */
		kshim_fail_alloc = i;
		EXPECT_EQ(-ENOMEM, log_start(self->v, &l, 3)) {
			TH_LOG("allocation %d failed", i);
		}
		EXPECT_EQ(-EINVAL, log_report(self->v, MEM_IOVA, 16, &bits));
	}
	kshim_fail_alloc = 0;
	/* fewer nodes than asked for: the count shrinks to those filled */
	ASSERT_EQ(0, log_start(self->v, &l, LOG_MAX));
	record(self->v, (1ull << 40) + 5 * PAGE_SIZE, 1);
	flush(self->v);
	ASSERT_EQ(0, log_report(self->v, 1ull << 40, LOG_PAGES_MAX, &bits));
	EXPECT_EQ(1ull << 5, bits);
	/* the log goes with the device (vh_destroy, as close does) */
}

/* the ring in GTT entry 0, page MEM_IOVA */
static void ring_setup(struct __test_metadata *_metadata, struct vgpu_dev *v)
{
	ASSERT_EQ(0, vh_gtt_set(v, 0, MEM_IOVA | VGPU_GTT_VALID));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_RING_BASE, 0));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_RING_SIZE, VGPU_RING_MIN_SIZE));
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_RING_CTL, VGPU_RING_CTL_ENABLE));
}

/* put @n dwords in the ring at its tail and ring the doorbell */
static int submit(struct vgpu_dev *v, const u32 *cmd, u32 n)
{
	u32 tail = vh_reg(v, VGPU_REG_RING_TAIL), i;
	u8 *ring = kshim_mem(MEM_IOVA);

	for (i = 0; i < n; i++) {
		memcpy(ring + tail, &cmd[i], 4);
		tail = (tail + 4) % VGPU_RING_MIN_SIZE;
	}
	if (vh_wr(v, VGPU_REG_RING_TAIL, tail))
		return -EIO;
	return vh_wr(v, VGPU_REG_DOORBELL, 1);
}

/* the whole path: a FILL through a GTT entry that maps the top page */
TEST_F(dev, fill_top_page)
{
	u32 cmd[] = { VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3), 5 * VGPU_PAGE_SIZE +
		      0xff0, 16, 0x5a5a5a5a };

	ASSERT_EQ(0, kshim_map(TOP_PAGE, PAGE_SIZE));
	ring_setup(_metadata, self->v);
	ASSERT_EQ(0, vh_gtt_set(self->v, 5, TOP_PAGE | VGPU_GTT_VALID));
	EXPECT_EQ(2, vh_counter_pinned(self->v));
	ASSERT_EQ(0, submit(self->v, cmd, 4));
	ASSERT_EQ(1, vh_run(self->v));
	EXPECT_EQ(0, vh_reg(self->v, VGPU_REG_ERROR));
	EXPECT_EQ(0x5a, kshim_mem(TOP_PAGE)[0xfff]);
	EXPECT_TRUE(kshim_dirty(TOP_PAGE));
	EXPECT_EQ(1, kshim_dirty_pages());
}

/*
 * Audit item 1: a 4-byte write to the high half takes the entry out of
 * use at once: no pin, no device access, and a migration saves what the
 * device really uses.
 */
TEST_F(dev, gtt_high_half)
{
	u32 cmd[] = { VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3), 7 * VGPU_PAGE_SIZE,
		      4, 0x11111111 };
	struct vgpu_dev *v = self->v;
	u32 hi = 1;

	ring_setup(_metadata, v);
	ASSERT_EQ(0, vh_gtt_set(v, 7, (MEM_IOVA + PAGE_SIZE) | VGPU_GTT_VALID));
	EXPECT_EQ(2, kshim_pins());
	ASSERT_EQ(0, vh_bar0_write(v, VGPU_GTT_WINDOW + 8 * 7 + 4, &hi, 4));
	EXPECT_EQ(1ull << 32 | (MEM_IOVA + PAGE_SIZE), vh_gtt(v, 7));
	EXPECT_EQ(1, kshim_pins());
	EXPECT_EQ(1, vh_counter_pinned(v));
	ASSERT_EQ(0, submit(v, cmd, 4));
	ASSERT_EQ(1, vh_run(v));
	EXPECT_EQ(VGPU_ERR_UNMAPPED, vh_reg(v, VGPU_REG_ERROR));
	EXPECT_EQ(0, kshim_mem(MEM_IOVA + PAGE_SIZE)[0]);
	/* the same high half again changes nothing; the low half commits */
	hi = 0;
	ASSERT_EQ(0, vh_bar0_write(v, VGPU_GTT_WINDOW + 8 * 7 + 4, &hi, 4));
	hi = (MEM_IOVA + 2 * PAGE_SIZE) | VGPU_GTT_VALID;
	ASSERT_EQ(0, vh_bar0_write(v, VGPU_GTT_WINDOW + 8 * 7, &hi, 4));
	EXPECT_EQ(2, kshim_pins());
	EXPECT_EQ(hi, vh_gtt(v, 7));
}

/*
 * A bulk GTT write whose runs fail in two places: ERROR_HEAD names the
 * write's first failing entry (found by vgpu_torture: the last one won).
 */
TEST_F(dev, bulk_write_names_first_failure)
{
	__le64 vals[4] = {
		htole64(0x70000000 | VGPU_GTT_VALID),		/* not mapped */
		htole64((MEM_IOVA + PAGE_SIZE) | VGPU_GTT_VALID),
		htole64(0x90000000 | VGPU_GTT_VALID),		/* not mapped */
		htole64((MEM_IOVA + 5 * PAGE_SIZE) | VGPU_GTT_VALID),
	};

	ASSERT_EQ(0, vh_bar0_write(self->v, VGPU_GTT_WINDOW + 8 * 20, vals,
				   sizeof(vals)));
	EXPECT_EQ(VGPU_ERR_DMA, vh_reg(self->v, VGPU_REG_ERROR));
	EXPECT_EQ(VGPU_GTT_WINDOW + 8 * 20,
		  vh_reg(self->v, VGPU_REG_ERROR_HEAD));
	EXPECT_EQ(0x70000000, vh_gtt(self->v, 20));
	EXPECT_EQ(0x90000000, vh_gtt(self->v, 22));
	EXPECT_EQ(2, kshim_pins());
}

static void load_stream(struct __test_metadata *_metadata, struct vgpu_dev *v,
			const u8 *s, size_t len, int wr_err, int stop_err)
{
	ssize_t wr;

	EXPECT_EQ(stop_err, vh_load(v, s, len, &wr));
	EXPECT_EQ(wr_err ? wr_err : (ssize_t)len, wr);
}

/* the high-half case migrates: the destination accepts what was saved */
TEST_F(dev, gtt_high_half_migrates)
{
	struct vgpu_dev *d = vh_create(0);
	u32 hi = 0x10;
	size_t len;
	u8 *s;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, vh_gtt_set(self->v, 3, MEM_IOVA | VGPU_GTT_VALID));
	ASSERT_EQ(0, vh_bar0_write(self->v, VGPU_GTT_WINDOW + 8 * 3 + 4, &hi, 4));
	s = vh_save(self->v, &len);
	ASSERT_NE(NULL, s);
	load_stream(_metadata, d, s, len, 0, 0);
	EXPECT_EQ(vh_gtt(self->v, 3), vh_gtt(d, 3));
	EXPECT_EQ(0, vh_counter_pinned(d));
	free(s);
	vh_destroy(d);
}

/*
 * Audit item 2: a data file keeps the device's memory.  Closed and
 * released by its creator, the instance lives until the file goes; the
 * file then fails every call with ENODEV.  (ASan sees the use after free
 * this prevents.)
 */
TEST_F(dev, data_file_outlives_device)
{
	struct vfio_precopy_info info = { .argsz = sizeof(info) };
	struct vgpu_dev *d = vh_create(0);
	struct file *save, *res;
	u8 buf[64] = { 0 };

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, vh_set_state(self->v, VFIO_DEVICE_STATE_PRE_COPY, &save));
	ASSERT_EQ(0, vh_set_state(d, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, vh_set_state(d, VFIO_DEVICE_STATE_RESUMING, &res));
	vh_destroy(self->v);
	vh_destroy(d);
	self->v = NULL;
	EXPECT_EQ(2, vh_live);
	EXPECT_EQ(-ENODEV, save->f_op->unlocked_ioctl(save,
			VFIO_MIG_GET_PRECOPY_INFO, (unsigned long)&info));
	EXPECT_EQ(-ENODEV, vh_read(save, buf, sizeof(buf)));
	EXPECT_EQ(-ENODEV, vh_write(res, buf, sizeof(buf)));
	fput(save);
	EXPECT_EQ(1, vh_live);
	fput(res);
}

/* A faulting user buffer takes nothing: the same bytes come again. */
TEST_F(dev, save_read_fault_consumes_nothing)
{
	u8 a[100], b[100];
	struct file *f;

	ASSERT_EQ(0, vh_gtt_set(self->v, 1, MEM_IOVA | VGPU_GTT_VALID));
	ASSERT_EQ(0, vh_set_state(self->v, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, vh_set_state(self->v, VFIO_DEVICE_STATE_STOP_COPY, &f));
	ASSERT_EQ(10, vh_read(f, a, 10));
	kshim_user_fault = true;
	EXPECT_EQ(-EFAULT, vh_read(f, b, sizeof(b)));
	kshim_user_fault = false;
	ASSERT_EQ(sizeof(b), vh_read(f, b, sizeof(b)));
	fput(f);
	ASSERT_EQ(0, vh_set_state(self->v, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, vh_set_state(self->v, VFIO_DEVICE_STATE_STOP_COPY, &f));
	ASSERT_EQ(sizeof(a), vh_read(f, a, sizeof(a)));
	fput(f);
	EXPECT_EQ(0, memcmp(a + 10, b, sizeof(a) - 10));
}

/*
 * Audit item 5: stopped, the device raises no interrupt and BAR0 is
 * read-only, so the state STOP_COPY saved is the state it has.
 */
TEST_F(dev, stopped_device_is_quiet)
{
	struct eventfd_ctx *msi = calloc(1, sizeof(*msi));
	struct vgpu_dev *v = self->v;
	size_t la, lb;
	u8 *a, *b;

	ASSERT_NE(NULL, msi);
	mutex_lock(&v->lock);
	v->msi_trigger = msi;
	v->irq_index = VFIO_PCI_MSI_IRQ_INDEX;
	vgpu_raise_irq(v, VGPU_IRQ_FENCE);	/* pending, not enabled */
	mutex_unlock(&v->lock);
	ASSERT_EQ(0, vh_gtt_set(v, 1, MEM_IOVA | VGPU_GTT_VALID));
	a = vh_save(v, &la);	/* leaves the device in STOP */
	ASSERT_NE(NULL, a);
	EXPECT_EQ(-EBUSY, vh_wr(v, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_ALL));
	EXPECT_EQ(-EBUSY, vh_gtt_set(v, 2, 0xdead000 | VGPU_GTT_VALID));
	EXPECT_EQ(-EBUSY, vh_gtt_set(v, 1, 0));
	EXPECT_EQ(-EBUSY, vh_wr(v, VGPU_REG_DOORBELL, 1));
	EXPECT_EQ(0, msi->count);
	EXPECT_EQ(1, kshim_pins());
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_ERROR));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_STATUS));
	b = vh_save(v, &lb);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(la, lb);
	EXPECT_EQ(0, memcmp(a, b, la));
	/* running again, the device takes writes and signals */
	ASSERT_EQ(0, vh_set_state(v, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(0, vh_wr(v, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_FENCE));
	EXPECT_EQ(1, msi->count);
	free(a);
	free(b);
}

/*
 * Audit item 6: a rejected stream leaves reset registers and an empty
 * GTT, whatever the device held before RESUMING; reset makes it usable.
 */
TEST_F(dev, rejected_stream_clears)
{
	struct vgpu_dev *v = self->v, *s = vh_create(0);
	u32 cmd[] = { VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3), 2 * VGPU_PAGE_SIZE,
		      8, 0x77777777 };
	size_t len;
	u8 *st;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, vh_gtt_set(s, 9, MEM_IOVA | VGPU_GTT_VALID));
	st = vh_save(s, &len);
	ASSERT_NE(NULL, st);
	vh_destroy(s);
	ring_setup(_metadata, v);
	ASSERT_EQ(0, vh_wr(v, VGPU_REG_SCRATCH0, 0xcafe));
	st[len - 1] ^= 1;			/* payload CRC mismatch */
	load_stream(_metadata, v, st, len, -EBADMSG, -EBADMSG);
	EXPECT_EQ(VFIO_DEVICE_STATE_RESUMING, vh_state(v));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_SCRATCH0));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_RING_CTL));
	EXPECT_EQ(0, vh_gtt(v, 0));
	EXPECT_EQ(0, vh_counter_pinned(v));
	EXPECT_EQ(0, kshim_pins());
	ASSERT_EQ(0, vgpu_reset(v));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, vh_state(v));
	ring_setup(_metadata, v);
	ASSERT_EQ(0, vh_gtt_set(v, 2, (MEM_IOVA + PAGE_SIZE) | VGPU_GTT_VALID));
	ASSERT_EQ(0, submit(v, cmd, 4));
	ASSERT_EQ(1, vh_run(v));
	EXPECT_EQ(0, vh_reg(v, VGPU_REG_ERROR));
	EXPECT_EQ(0x77, kshim_mem(MEM_IOVA + PAGE_SIZE)[7]);
	free(st);
}

/* A pin that fails at RESUMING -> STOP leaves the device cleared too. */
TEST_F(dev, failed_pin_clears)
{
	struct vgpu_dev *v = self->v, *s = vh_create(0);
	size_t len;
	u8 *st;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, kshim_map(0x40000000, PAGE_SIZE));
	ASSERT_EQ(0, vh_gtt_set(s, 9, 0x40000000 | VGPU_GTT_VALID));
	st = vh_save(s, &len);
	ASSERT_NE(NULL, st);
	vh_destroy(s);
	ASSERT_EQ(0, kshim_unmap(0x40000000, PAGE_SIZE));
	ASSERT_EQ(0, vh_gtt_set(v, 0, MEM_IOVA | VGPU_GTT_VALID));
	load_stream(_metadata, v, st, len, 0, -EINVAL);
	EXPECT_EQ(0, vh_gtt(v, 0));
	EXPECT_EQ(0, vh_gtt(v, 9));
	EXPECT_EQ(0, kshim_pins());
	EXPECT_EQ(0, vh_counter_pinned(v));
	free(st);
}

/* the source maps entries 0..15; a destination takes its PRECOPY record */
static void prepin(struct __test_metadata *_metadata, struct vgpu_dev *s,
		   struct vgpu_dev *d, struct file **sf, struct file **df)
{
	size_t len;
	u8 *rec;
	u64 i;

	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, vh_gtt_set(s, i, (MEM_IOVA + i * PAGE_SIZE) |
					VGPU_GTT_VALID));
	ASSERT_EQ(0, vh_set_state(s, VFIO_DEVICE_STATE_PRE_COPY, sf));
	rec = vh_read_all(*sf, &len);
	ASSERT_NE(NULL, rec);
	ASSERT_EQ(0, vh_set_state(d, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, vh_set_state(d, VFIO_DEVICE_STATE_RESUMING, df));
	EXPECT_EQ((ssize_t)len, vh_write(*df, rec, len));
	free(rec);
	/* pinned while the source still runs: 16 pages, one call */
	EXPECT_EQ(16, vh_counter_pinned(d));
	EXPECT_EQ(1, atomic64_read(&d->cnt.pin_calls));
	EXPECT_EQ(32, kshim_pins());
}

/*
 * A destination pins from the PRECOPY records as they come; the FULL
 * record, applied in the downtime, pins and unpins only what changed.
 */
TEST_F(dev, precopy_records_prepin)
{
	struct vgpu_dev *s = self->v, *d = vh_create(0);
	struct file *sf, *df;
	long calls;
	size_t len;
	u8 *rec;

	ASSERT_NE(NULL, d);
	prepin(_metadata, s, d, &sf, &df);
	ASSERT_EQ(0, vh_gtt_set(s, 20, (MEM_IOVA + 40 * PAGE_SIZE) |
				VGPU_GTT_VALID));
	ASSERT_EQ(0, vh_gtt_set(s, 3, 0));
	ASSERT_EQ(0, vh_set_state(s, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	rec = vh_read_all(sf, &len);
	ASSERT_NE(NULL, rec);
	fput(sf);
	calls = atomic64_read(&d->cnt.pin_calls);
	/* PRECOPY (entry 20 new, 3 gone), then FULL: both take part */
	EXPECT_EQ((ssize_t)len, vh_write(df, rec, len));
	fput(df);
	ASSERT_EQ(0, vh_set_state(d, VFIO_DEVICE_STATE_STOP, NULL));
	EXPECT_EQ(1, atomic64_read(&d->cnt.pin_calls) - calls);
	EXPECT_EQ(16, vh_counter_pinned(d));
	EXPECT_EQ(0, vh_gtt(d, 3));
	EXPECT_EQ(vh_gtt(s, 20), vh_gtt(d, 20));
	EXPECT_EQ(vh_gtt(s, 15), vh_gtt(d, 15));
	ASSERT_EQ(0, vh_set_state(s, VFIO_DEVICE_STATE_STOP, NULL));
	free(rec);
	vh_destroy(d);
}

/*
 * What the PRECOPY records pinned goes when the stream is then rejected:
 * at once when write() refuses it.
 */
TEST_F(dev, precopy_pins_go_with_a_rejected_stream)
{
	struct vgpu_dev *s = self->v, *d = vh_create(0);
	struct file *sf, *df;
	size_t len;
	u8 *rec;

	ASSERT_NE(NULL, d);
	prepin(_metadata, s, d, &sf, &df);
	ASSERT_EQ(0, vh_set_state(s, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	rec = vh_read_all(sf, &len);
	ASSERT_NE(NULL, rec);
	fput(sf);
	rec[len - 1] ^= 1;
	EXPECT_EQ(-EBADMSG, vh_write(df, rec, len));
	/* dropped as soon as write() refuses the stream */
	EXPECT_EQ(0, vh_counter_pinned(d));
	EXPECT_EQ(16, kshim_pins());
	fput(df);
	EXPECT_EQ(-EBADMSG, vh_set_state(d, VFIO_DEVICE_STATE_STOP, NULL));
	EXPECT_EQ(0, vh_counter_pinned(d));
	EXPECT_EQ(0, vh_gtt(d, 0));
	EXPECT_EQ(16, kshim_pins());
	ASSERT_EQ(0, vh_set_state(s, VFIO_DEVICE_STATE_STOP, NULL));
	free(rec);
	vh_destroy(d);
}

TEST_HARNESS_MAIN
