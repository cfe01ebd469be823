// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_mig_test.c - sample vGPU migration v2: save/resume between two
 * instances, PRE_COPY, invalid streams, state machine arcs
 *
 * Runs inside the test VM with sample-vgpu loaded.  The test plays the VMM:
 * it copies guest memory from source to destination itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vgpu_test_common.h"
/* the stream's layout, private to the driver: this test takes it apart */
#include "../../drivers/gpu/sample-vgpu/mig_stream.h"

#define HDR_LEN		sizeof(struct vgpu_mig_hdr)
#define RUN_LEN		sizeof(struct vgpu_mig_gtt_run)
/* records of a GTT in @runs runs (vgpu_test_setup() maps two) */
#define FULL_LEN(runs)	(HDR_LEN + VGPU_MIG_FULL_LEN(runs))
#define PRE_LEN(runs)	(HDR_LEN + VGPU_MIG_PRECOPY_LEN(runs))
#define SETUP_RUNS	2
#define STREAM_CAP	VGPU_STREAM_CAP

VGPU_PAIR_FIXTURE(mig)

static void copy_memory(struct vgpu *dst, struct vgpu *src)
{
	int i;

	for (i = 0; i < VGPU_MAX_MAPS; i++)
		if (src->mem[i].host && dst->mem[i].host)
			memcpy(dst->mem[i].host, src->mem[i].host,
			       src->mem[i].size);
}

static __u32 rd32(struct vgpu *g, __u32 gtt)
{
	__u32 *p = vgpu_gtt_ptr(g, gtt);

	return p ? *p : 0xbadbad;
}

TEST_F(mig, data_size)
{
	__u64 size = 0;

	ASSERT_EQ(0, vfio_mig_data_size(&self->p.src.dev, &size));
	EXPECT_EQ(FULL_LEN(SETUP_RUNS), size);
}

TEST_F(mig, save_resume)
{
	struct vgpu *s = &self->p.src, *d = &self->p.dst;
	__u32 c[32], n = 0, v = 0x600d;
	int wr_err = 0;
	long len;

	n += vgpu_cmd_fill(c + n, DATA_GTT + 0x1000, 0x800, 0x11111111);
	n += vgpu_cmd_fence(c + n, DATA_GTT + 0x2000, 41, false);
	n += vgpu_cmd_lri(c + n, VGPU_REG_SCRATCH0 + 8, 99);
	test_vgpu_run_ok(s, c, n);
	test_vgpu_wr(s, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_FENCE);
	test_vgpu_wr(s, VGPU_REG_SCRATCH0, 0xcafe);
	/* an entry the destination gets only from the stream */
	test_vgpu_map_mem(s, 0x800000, VGPU_PAGE_SIZE);
	test_vgpu_map_mem(d, 0x800000, VGPU_PAGE_SIZE);
	test_vgpu_gtt_map(s, 250, 0x800000, 1);

	len = vgpu_test_save(s, self->p.buf, STREAM_CAP);
	ASSERT_EQ(FULL_LEN(SETUP_RUNS + 1), len);
	copy_memory(d, s);
	ASSERT_EQ(0, vgpu_test_resume(d, self->p.buf, len, &wr_err));
	ASSERT_EQ(0, wr_err);
	test_vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_RUNNING, NULL);

	EXPECT_EQ(99, vgpu_reg(d, VGPU_REG_SCRATCH0 + 8));
	EXPECT_EQ(0xcafe, vgpu_reg(d, VGPU_REG_SCRATCH0));
	EXPECT_EQ(41, vgpu_reg(d, VGPU_REG_LAST_SEQNO));
	EXPECT_EQ(VGPU_IRQ_FENCE, vgpu_reg(d, VGPU_REG_IRQ_ENABLE));
	EXPECT_EQ(vgpu_reg(s, VGPU_REG_RING_HEAD),
		  vgpu_reg(d, VGPU_REG_RING_HEAD));
	EXPECT_EQ(s->ring_tail, vgpu_reg(d, VGPU_REG_RING_TAIL));
	EXPECT_EQ(0x800000 | VGPU_GTT_VALID,
		  vgpu_reg(d, VGPU_GTT_WINDOW + 8 * 250));
	EXPECT_EQ(CMD_PAGES + DATA_PAGES + 1,
		  vgpu_counter(self->p.ud, "pages_pinned"));
	EXPECT_EQ(0x11111111, rd32(d, DATA_GTT + 0x1000));

	/* the destination continues the ring where the source stopped */
	d->ring_tail = s->ring_tail;
	d->gtt_host[250] = vgpu_iova_ptr(d, 0x800000);
	n = vgpu_cmd_write(c, 250 * VGPU_PAGE_SIZE + 4, &v, 1);
	test_vgpu_run_ok(d, c, n);
	EXPECT_EQ(0x600d, rd32(d, 250 * VGPU_PAGE_SIZE + 4));
	EXPECT_LT(0, vgpu_counter(self->p.us, "mig_bytes"));
	EXPECT_LT(0, vgpu_counter(self->p.ud, "mig_bytes"));
}

TEST_F(mig, precopy)
{
	struct vgpu *s = &self->p.src, *d = &self->p.dst;
	struct vfio_precopy_info info;
	__u32 c[8], n, one = 1;
	long len, total = 0;
	int fd = -1, wr_err = 0;

	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_PRE_COPY, &fd);
	ASSERT_LE(0, fd);
	test_vfio_precopy_info(fd, &info);
	EXPECT_EQ(PRE_LEN(SETUP_RUNS), info.initial_bytes);
	EXPECT_EQ(0, info.dirty_bytes);
	len = vfio_mig_read(fd, self->p.buf, STREAM_CAP);
	ASSERT_EQ(PRE_LEN(SETUP_RUNS), len);
	total += len;
	test_vfio_precopy_info(fd, &info);
	EXPECT_EQ(0, info.initial_bytes);
	EXPECT_EQ(0, info.dirty_bytes);
	EXPECT_EQ(-1, read(fd, self->p.buf + total, 16));
	EXPECT_EQ(ENOMSG, errno);

	/* the device keeps running in PRE_COPY; a GTT change is dirty */
	n = vgpu_cmd_write(c, DATA_GTT, &one, 1);
	test_vgpu_run_ok(s, c, n);
	test_vgpu_gtt_map(s, 200, DATA_IOVA, 1);
	test_vfio_precopy_info(fd, &info);
	EXPECT_EQ(PRE_LEN(SETUP_RUNS + 1), info.dirty_bytes);
	len = vfio_mig_read(fd, self->p.buf + total, STREAM_CAP - total);
	ASSERT_EQ(PRE_LEN(SETUP_RUNS + 1), len);
	total += len;

	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP_COPY, NULL);
	test_err_vfio_precopy_info(EINVAL, fd, &info);
	len = vfio_mig_read(fd, self->p.buf + total, STREAM_CAP - total);
	ASSERT_EQ(FULL_LEN(SETUP_RUNS + 1), len);
	total += len;
	EXPECT_EQ(0, read(fd, self->p.buf, 16));	/* end of stream */
	close(fd);
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP, NULL);

	copy_memory(d, s);
	ASSERT_EQ(0, vgpu_test_resume(d, self->p.buf, total, &wr_err));
	ASSERT_EQ(0, wr_err);
	EXPECT_EQ(DATA_IOVA | VGPU_GTT_VALID,
		  vgpu_reg(d, VGPU_GTT_WINDOW + 8 * 200));
	test_vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_RUNNING, NULL);
}

/*
 * Stopped, BAR0 is read-only: a doorbell is refused and nothing runs; the
 * device takes work again once it runs.
 */
TEST_F(mig, stop_refuses_writes)
{
	struct vgpu *s = &self->p.src;
	__u32 c[8], n, v = 5;

	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP, NULL);
	n = vgpu_cmd_write(c, DATA_GTT + 0x40, &v, 1);
	EXPECT_EQ(-EBUSY, vgpu_submit(s, c, n));
	EXPECT_EQ(0, vgpu_reg(s, VGPU_REG_STATUS) & VGPU_STATUS_BUSY);
	EXPECT_EQ(0, vgpu_reg(s, VGPU_REG_RING_TAIL));
	EXPECT_EQ(0, rd32(s, DATA_GTT + 0x40));
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_RUNNING, NULL);
	s->ring_tail = 0;
	test_vgpu_run_ok(s, c, n);
	EXPECT_EQ(5, rd32(s, DATA_GTT + 0x40));
}

/*
 * The destination pins from a PRECOPY record while the source still runs;
 * the FULL record then has nothing left to pin in the downtime.
 */
TEST_F(mig, precopy_prepins)
{
	struct vgpu *s = &self->p.src, *d = &self->p.dst;
	int sfd = -1, dfd = -1;
	long len, calls;

	ASSERT_EQ(0, vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_PRE_COPY, &sfd));
	len = vfio_mig_read(sfd, self->p.buf, STREAM_CAP);
	ASSERT_EQ(PRE_LEN(SETUP_RUNS), len);
	ASSERT_EQ(0, vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_EQ(0, vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_RESUMING, &dfd));
	EXPECT_EQ(0, vgpu_counter(self->p.ud, "pages_pinned"));
	ASSERT_EQ(0, vfio_mig_write(dfd, self->p.buf, len));
	EXPECT_EQ(CMD_PAGES + DATA_PAGES,
		  vgpu_counter(self->p.ud, "pages_pinned"));
	calls = vgpu_counter(self->p.ud, "pin_calls");

	ASSERT_EQ(0, vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	len = vfio_mig_read(sfd, self->p.buf, STREAM_CAP);
	ASSERT_EQ(FULL_LEN(SETUP_RUNS), len);
	close(sfd);
	ASSERT_EQ(0, vfio_mig_write(dfd, self->p.buf, len));
	close(dfd);
	copy_memory(d, s);
	ASSERT_EQ(0, vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_STOP, NULL));
	EXPECT_EQ(calls, vgpu_counter(self->p.ud, "pin_calls"));
	EXPECT_EQ(CMD_PAGES + DATA_PAGES,
		  vgpu_counter(self->p.ud, "pages_pinned"));
	ASSERT_EQ(0, vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(rd32(s, DATA_GTT + 0x100), rd32(d, DATA_GTT + 0x100));
}

TEST_F(mig, arcs)
{
	static const __u32 path[] = {
		VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_STOP,
		VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_RUNNING,
		VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY_P2P,
		VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_RUNNING,
		VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RESUMING,
		VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RUNNING,
	};
	struct vgpu *s = &self->p.src;
	__u32 i;
	int fd;

	test_vfio_mig_state(&s->dev, VFIO_DEVICE_STATE_RUNNING);
	for (i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
		fd = -1;
		if (path[i] == VFIO_DEVICE_STATE_STOP &&
		    path[i - 1] == VFIO_DEVICE_STATE_RESUMING) {
			/* nothing written: an empty stream is refused */
			test_err_vfio_mig_set(EINVAL, &s->dev, path[i], NULL);
			test_vgpu_reset(s);
			test_vfio_mig_state(&s->dev, VFIO_DEVICE_STATE_RUNNING);
			break;
		}
		test_vfio_mig_set(&s->dev, path[i], &fd);
		if (fd >= 0)
			close(fd);
		test_vfio_mig_state(&s->dev, path[i]);
	}
	/* not a state, and arcs the uAPI does not allow */
	test_err_vfio_mig_set(EINVAL, &s->dev, VFIO_DEVICE_STATE_ERROR, NULL);
	test_err_vfio_mig_set(EINVAL, &s->dev, 42, NULL);
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP, NULL);
	fd = -1;
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP_COPY, &fd);
	EXPECT_NE(0, vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_PRE_COPY, NULL));
	close(fd);
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_RUNNING, NULL);
}

/* ---- invalid streams, one variant per class ---- */

VGPU_PAIR_FIXTURE(bad)

FIXTURE_VARIANT(bad) {
	size_t off;		/* byte to change */
	__u8 xor;
	long trim;		/* bytes removed from the end (<0: added) */
	bool empty;
	bool patch_run;		/* replace the data run, then fix the CRC */
	struct vgpu_mig_gtt_run run;
	int wr_err;		/* expected write() result */
	int stop_err;		/* expected RESUMING -> STOP result */
};

FIXTURE_VARIANT_ADD(bad, magic) {
	.off = 0, .xor = 0x01, .wr_err = -EINVAL, .stop_err = -EINVAL,
};

FIXTURE_VARIANT_ADD(bad, future_version) {
	.off = 8, .xor = 0x03, .wr_err = -EOPNOTSUPP,
	.stop_err = -EOPNOTSUPP,
};

FIXTURE_VARIANT_ADD(bad, foreign_type) {
	.off = 16, .xor = 0x01, .wr_err = -EINVAL, .stop_err = -EINVAL,
};

FIXTURE_VARIANT_ADD(bad, gtt_size) {
	.off = 20, .xor = 0x80, .wr_err = -EINVAL, .stop_err = -EINVAL,
};

FIXTURE_VARIANT_ADD(bad, length) {
	.off = 24, .xor = 0x08, .wr_err = -EINVAL, .stop_err = -EINVAL,
};

FIXTURE_VARIANT_ADD(bad, reserved) {
	.off = 39, .xor = 0x40, .wr_err = -EINVAL, .stop_err = -EINVAL,
};

FIXTURE_VARIANT_ADD(bad, corrupt_payload) {
	.off = HDR_LEN + 100, .xor = 0x10, .wr_err = -EBADMSG,
	.stop_err = -EBADMSG,
};

FIXTURE_VARIANT_ADD(bad, corrupt_crc) {
	.off = 28, .xor = 0xff, .wr_err = -EBADMSG, .stop_err = -EBADMSG,
};

FIXTURE_VARIANT_ADD(bad, truncated) {
	.trim = 100, .stop_err = -EINVAL,
};

FIXTURE_VARIANT_ADD(bad, trailing_garbage) {
	.trim = -16, .stop_err = -EINVAL,
};

FIXTURE_VARIANT_ADD(bad, empty) {
	.empty = true, .stop_err = -EINVAL,
};

/* GTT runs that pass the CRC but not the stream's rules */
FIXTURE_VARIANT_ADD(bad, run_zero_count) {
	.patch_run = true, .run = { DATA_ENTRY, 0, DATA_IOVA | 1 },
	.wr_err = -EINVAL, .stop_err = -EINVAL,
};

FIXTURE_VARIANT_ADD(bad, run_overlap) {
	.patch_run = true, .run = { CMD_PAGES - 1, 8, DATA_IOVA | 1 },
	.wr_err = -EINVAL, .stop_err = -EINVAL,
};

FIXTURE_VARIANT_ADD(bad, run_past_gtt) {
	.patch_run = true, .run = { 250, 7, DATA_IOVA | 1 },
	.wr_err = -EINVAL, .stop_err = -EINVAL,
};

FIXTURE_VARIANT_ADD(bad, run_flags) {
	.patch_run = true, .run = { DATA_ENTRY, 8, DATA_IOVA | 5 },
	.wr_err = -EINVAL, .stop_err = -EINVAL,
};

FIXTURE_VARIANT_ADD(bad, run_wraps) {
	.patch_run = true, .run = { DATA_ENTRY, 2, 0xfffffffffffff001ull },
	.wr_err = -EINVAL, .stop_err = -EINVAL,
};

/* well formed, but the destination has no memory there: the pin fails */
FIXTURE_VARIANT_ADD(bad, run_unmapped) {
	.patch_run = true, .run = { DATA_ENTRY, 8, 0x40000000 | 1 },
	.stop_err = -EINVAL,
};

/* Replace the second GTT run of a FULL record and fix its CRC. */
static void patch_run(char *rec, const struct vgpu_mig_gtt_run *run)
{
	struct vgpu_mig_hdr *hdr = (void *)rec;

	memcpy(rec + HDR_LEN + VGPU_MIG_FULL_FIXED + RUN_LEN, run, RUN_LEN);
	hdr->crc = vgpu_mig_crc(rec + HDR_LEN, hdr->length);
}

TEST_F(bad, rejected_device_usable)
{
	struct vgpu *s = &self->p.src, *d = &self->p.dst;
	__u32 c[8], n, v = 77;
	int wr_err = 0;
	long len;

	len = vgpu_test_save(s, self->p.buf, STREAM_CAP);
	ASSERT_EQ(FULL_LEN(SETUP_RUNS), len);
	self->p.buf[variant->off] ^= variant->xor;
	if (variant->patch_run)
		patch_run(self->p.buf, &variant->run);
	len -= variant->trim;
	if (variant->empty)
		len = 0;
	EXPECT_EQ(variant->stop_err,
		  vgpu_test_resume(d, self->p.buf, len, &wr_err));
	EXPECT_EQ(variant->wr_err, wr_err);

	/* reset brings it back, nothing pinned; the device works */
	test_vgpu_reset(d);
	EXPECT_EQ(0, vgpu_counter(self->p.ud, "pages_pinned"));
	test_vgpu_gtt_map(d, 0, CMD_IOVA, CMD_PAGES);
	test_vgpu_gtt_map(d, DATA_ENTRY, DATA_IOVA, DATA_PAGES);
	test_vgpu_ring_setup(d, 0, RING_SIZE);
	n = vgpu_cmd_write(c, DATA_GTT, &v, 1);
	test_vgpu_run_ok(d, c, n);
	EXPECT_EQ(77, rd32(d, DATA_GTT));
}

TEST_HARNESS_MAIN
