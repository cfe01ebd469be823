// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_hostile_test.c - the sample vGPU under a hostile guest or VMM, in
 * the real kernel: regression tests of the audit of issue 15
 * (docs/hardening.rst) that need VFIO, type1 and the real kernel around
 * the driver.  device_test (host) checks the same rules on the driver's
 * code alone; under KASAN (make check-debug) these also show that nothing
 * touches freed memory.
 *
 *  1  a new high half of a GTT entry takes it out of use, and the entry
 *     migrates as the device uses it;
 *  2  a migration data fd kept after the device fds are closed and the
 *     mdev removed fails with ENODEV (and touches no freed memory);
 *  5  a stopped device signals no interrupt and refuses BAR0 writes, so
 *     the state STOP_COPY saved stays the state;
 *  6  a rejected stream leaves the device cleared;
 *  7  a data fd read or written into a stalled (userfaultfd) buffer does
 *     not hold up reset, close or mdev removal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "vgpu_test_common.h"
#include "../../drivers/gpu/sample-vgpu/mig_stream.h"

#define HDR_LEN		sizeof(struct vgpu_mig_hdr)
#define STREAM_CAP	(1 << 20)
#define STALL_WAIT_S	20	/* what a stalled buffer may hold up: nothing */

FIXTURE(h) {
	struct vgpu src;
	struct vgpu dst;
	char us[VFIO_UUID_LEN];
	char ud[VFIO_UUID_LEN];
	char *buf;
};

FIXTURE_SETUP(h)
{
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	self->buf = calloc(1, STREAM_CAP);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, vgpu_test_setup(&self->src, VGPU_TYPE_SMALL, self->us));
	ASSERT_EQ(0, vgpu_test_setup(&self->dst, VGPU_TYPE_SMALL, self->ud));
}

FIXTURE_TEARDOWN(h)
{
	vgpu_test_teardown(&self->src, self->us);
	vgpu_test_teardown(&self->dst, self->ud);
	free(self->buf);
}

static long pinned(const char *uuid)
{
	return vgpu_counter(uuid, "pages_pinned");
}

/* ---- item 1: the high half of a GTT entry ---- */

TEST_F(h, gtt_high_half_takes_entry_out_of_use)
{
	struct vgpu *s = &self->src, *d = &self->dst;
	__u32 off = VGPU_GTT_WINDOW + 8 * 200, c[8], n;
	long before = pinned(self->us);
	__u64 e;
	int wr_err = -1;
	long len;

	test_vgpu_gtt_map(s, 200, DATA_IOVA + 0x10000, 1);
	ASSERT_EQ(before + 1, pinned(self->us));
	/* the high half of an address the destination has not mapped */
	test_vgpu_wr(s, off + 4, 0x7);
	EXPECT_EQ(before, pinned(self->us));
	ASSERT_EQ(0, vgpu_rd64(s, off, &e));
	EXPECT_EQ(0x700000000ull | (DATA_IOVA + 0x10000), e);
	/* the device no longer uses the old page */
	n = vgpu_cmd_fill(c, 200 * VGPU_PAGE_SIZE, 64, 0x33333333);
	EXPECT_EQ(VGPU_ERR_UNMAPPED, test_vgpu_run(s, c, n));
	EXPECT_EQ(0, *(__u32 *)vgpu_iova_ptr(s, DATA_IOVA + 0x10000));
	/* and it migrates as it is: out of use, pinned nowhere */
	len = vgpu_test_save(s, self->buf, STREAM_CAP);
	ASSERT_LT(0, len);
	ASSERT_EQ(0, vgpu_test_resume(d, self->buf, len, &wr_err));
	EXPECT_EQ(0, wr_err);
	ASSERT_EQ(0, vgpu_rd64(d, off, &e));
	EXPECT_EQ(0x700000000ull | (DATA_IOVA + 0x10000), e);
	EXPECT_EQ(pinned(self->us), pinned(self->ud));
	test_vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_RUNNING, NULL);
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_RUNNING, NULL);
	/* the low half commits the entry */
	test_vgpu_wr(s, off + 4, 0);
	test_vgpu_wr(s, off, (DATA_IOVA + 0x10000) | VGPU_GTT_VALID);
	EXPECT_EQ(before + 1, pinned(self->us));
}

/* ---- item 2: a data fd that outlives the device ---- */

TEST_F(h, data_fd_outlives_device_and_mdev)
{
	struct vfio_precopy_info info;
	char buf[64] = { 0 };
	int sfd = -1, rfd = -1;
	long avail;

	test_vfio_mig_set(&self->src.dev, VFIO_DEVICE_STATE_PRE_COPY, &sfd);
	test_vfio_mig_set(&self->dst.dev, VFIO_DEVICE_STATE_STOP, NULL);
	test_vfio_mig_set(&self->dst.dev, VFIO_DEVICE_STATE_RESUMING, &rfd);
	ASSERT_LE(0, sfd);
	ASSERT_LE(0, rfd);
	avail = vgpu_available(VGPU_TYPE_SMALL);
	vgpu_test_teardown(&self->src, self->us);
	vgpu_test_teardown(&self->dst, self->ud);
	/* the files keep the instances' memory, not the instances */
	EXPECT_EQ(-ENODEV, vfio_precopy_info(sfd, &info));
	EXPECT_EQ(-1, read(sfd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, write(rfd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	close(sfd);
	close(rfd);
	/* their share of the pool is back once the files are gone */
	EXPECT_EQ(avail + 2, vgpu_available(VGPU_TYPE_SMALL));
}

/* ---- item 5: a stopped device ---- */

TEST_F(h, stopped_msi_quiet)
{
	struct vgpu *s = &self->src;
	__u32 c[8], n;

	ASSERT_EQ(0, vgpu_irq_enable(s, VFIO_PCI_MSI_IRQ_INDEX));
	/* FENCE pending in IRQ_STATUS, not enabled: no signal */
	n = vgpu_cmd_fence(c, DATA_GTT + 0x100, 7, true);
	test_vgpu_run_ok(s, c, n);
	EXPECT_EQ(-ETIME, vgpu_wait_irq(s, 100));
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP, NULL);
	EXPECT_EQ(-EBUSY, vgpu_wr(s, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_FENCE));
	EXPECT_EQ(-ETIME, vgpu_wait_irq(s, 300));
	EXPECT_EQ(0, vgpu_reg(s, VGPU_REG_IRQ_ENABLE));
	/* a pin that fails raises nothing either: the write is refused */
	EXPECT_EQ(-EBUSY, vgpu_wr64(s, VGPU_GTT_WINDOW + 8 * 210,
				    0x70000000 | VGPU_GTT_VALID));
	EXPECT_EQ(0, vgpu_reg(s, VGPU_REG_ERROR));
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_RUNNING, NULL);
	test_vgpu_wr(s, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_FENCE);
	EXPECT_LE(1, vgpu_wait_irq(s, 5000));
}

TEST_F(h, stopped_intx_unmask_waits)
{
	struct vgpu *s = &self->src;
	__u32 c[8], n;

	ASSERT_EQ(0, vgpu_irq_enable(s, VFIO_PCI_INTX_IRQ_INDEX));
	test_vgpu_wr(s, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_FENCE);
	n = vgpu_cmd_fence(c, DATA_GTT + 0x100, 8, true);
	test_vgpu_run_ok(s, c, n);
	ASSERT_LE(1, vgpu_wait_irq(s, 5000));	/* INTx now masked */
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP, NULL);
	ASSERT_EQ(0, vgpu_irq_unmask_intx(s));
	EXPECT_EQ(-ETIME, vgpu_wait_irq(s, 300));
	/* the level is still there: asserted once the device runs */
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_RUNNING, NULL);
	EXPECT_LE(1, vgpu_wait_irq(s, 5000));
}

TEST_F(h, stop_copy_state_stays)
{
	struct vgpu *s = &self->src;
	__u64 two[2] = { (DATA_IOVA + 0x3000) | VGPU_GTT_VALID,
			 (DATA_IOVA + 0x4000) | VGPU_GTT_VALID };
	char *again = malloc(STREAM_CAP);
	long before = pinned(self->us), a, b;
	int fd = -1;

	ASSERT_NE(NULL, again);
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP, NULL);
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP_COPY, &fd);
	a = vfio_mig_read(fd, self->buf, STREAM_CAP);
	ASSERT_LT(0, a);
	/* GTT writes, one entry and in bulk, a doorbell: all refused */
	EXPECT_EQ(-EBUSY, vgpu_wr64(s, VGPU_GTT_WINDOW + 8 * 220, two[0]));
	EXPECT_EQ(-EBUSY, vfio_dev_write(&s->dev, s->bar0_off +
					 VGPU_GTT_WINDOW + 8 * 221, two,
					 sizeof(two)));
	EXPECT_EQ(-EBUSY, vgpu_wr64(s, VGPU_GTT_WINDOW + 8 * DATA_ENTRY, 0));
	EXPECT_EQ(-EBUSY, vgpu_wr(s, VGPU_REG_DOORBELL, 1));
	EXPECT_EQ(before, pinned(self->us));
	close(fd);
	test_vfio_mig_set(&s->dev, VFIO_DEVICE_STATE_STOP, NULL);
	b = vgpu_test_save(s, again, STREAM_CAP);
	ASSERT_EQ(a, b);
	EXPECT_EQ(0, memcmp(self->buf, again, a));
	free(again);
}

/* ---- item 6: a rejected stream ---- */

static void check_cleared(struct __test_metadata *_metadata, struct vgpu *d,
			  const char *uuid)
{
	__u64 e;

	test_vfio_mig_state(&d->dev, VFIO_DEVICE_STATE_RESUMING);
	EXPECT_EQ(0, vgpu_reg(d, VGPU_REG_SCRATCH0));
	EXPECT_EQ(0, vgpu_reg(d, VGPU_REG_RING_CTL));
	EXPECT_EQ(0, vgpu_reg(d, VGPU_REG_IRQ_ENABLE));
	ASSERT_EQ(0, vgpu_rd64(d, VGPU_GTT_WINDOW + 8 * DATA_ENTRY, &e));
	EXPECT_EQ(0, e);
	EXPECT_EQ(0, pinned(uuid));
}

TEST_F(h, rejected_stream_clears)
{
	struct vgpu *s = &self->src, *d = &self->dst;
	int wr_err = 0;
	long len;

	test_vgpu_wr(d, VGPU_REG_SCRATCH0, 0xcafe);
	test_vgpu_wr(d, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_ALL);
	len = vgpu_test_save(s, self->buf, STREAM_CAP);
	ASSERT_LT(0, len);
	self->buf[len - 1] ^= 0x40;		/* payload CRC mismatch */
	EXPECT_EQ(-EBADMSG, vgpu_test_resume(d, self->buf, len, &wr_err));
	EXPECT_EQ(-EBADMSG, wr_err);
	check_cleared(_metadata, d, self->ud);
	test_vgpu_reset(d);
	test_vfio_mig_state(&d->dev, VFIO_DEVICE_STATE_RUNNING);
}

/* a well-formed stream whose pages the destination has not mapped */
TEST_F(h, failed_pin_clears)
{
	struct vgpu *s = &self->src, *d = &self->dst;
	int wr_err = -1;
	long len;

	test_vgpu_map_mem(s, 0x40000000, VGPU_PAGE_SIZE);
	test_vgpu_gtt_map(s, 250, 0x40000000, 1);
	test_vgpu_wr(d, VGPU_REG_SCRATCH0, 0xcafe);
	len = vgpu_test_save(s, self->buf, STREAM_CAP);
	ASSERT_LT(0, len);
	EXPECT_EQ(-EINVAL, vgpu_test_resume(d, self->buf, len, &wr_err));
	EXPECT_EQ(0, wr_err);
	check_cleared(_metadata, d, self->ud);
}

/* a doorbell pending in the stream runs on the destination */
TEST_F(h, pending_doorbell_migrates)
{
	struct vgpu *s = &self->src, *d = &self->dst;
	struct vgpu_mig_hdr *hdr = (void *)self->buf;
	__u32 c[8], n, v = 0xd00d;
	__u32 *pending;
	int wr_err = -1;
	long len;

	/* commands in the source's ring, the tail set, no doorbell */
	n = vgpu_cmd_write(c, DATA_GTT + 0x80, &v, 1);
	ASSERT_EQ(0, vgpu_ring_write(s, c, n));
	test_vgpu_wr(s, VGPU_REG_RING_TAIL, s->ring_tail);
	len = vgpu_test_save(s, self->buf, STREAM_CAP);
	ASSERT_LT(0, len);
	pending = (__u32 *)(self->buf + HDR_LEN +
			    offsetof(struct vgpu_mig_regs, doorbell_pending));
	*pending = 1;
	hdr->crc = vgpu_mig_crc(self->buf + HDR_LEN, hdr->length);
	memcpy(vgpu_iova_ptr(d, CMD_IOVA), vgpu_iova_ptr(s, CMD_IOVA),
	       CMD_PAGES * VGPU_PAGE_SIZE);
	ASSERT_EQ(0, vgpu_test_resume(d, self->buf, len, &wr_err));
	ASSERT_EQ(0, wr_err);
	EXPECT_TRUE(vgpu_reg(d, VGPU_REG_STATUS) & VGPU_STATUS_BUSY);
	test_vfio_mig_set(&d->dev, VFIO_DEVICE_STATE_RUNNING, NULL);
	ASSERT_EQ(0, vgpu_wait_idle(d, 5000));
	EXPECT_EQ(0, vgpu_reg(d, VGPU_REG_ERROR));
	EXPECT_EQ(0xd00d, *(__u32 *)vgpu_gtt_ptr(d, DATA_GTT + 0x80));
}

/* ---- item 7: a data fd I/O stalled in a user buffer ---- */

struct stall {
	int fd;
	void *buf;
	size_t len;
	bool write;
	ssize_t ret;
	int err;
	volatile bool done;
};

static void *stall_io(void *arg)
{
	struct stall *st = arg;

	st->ret = st->write ? write(st->fd, st->buf, st->len) :
			      read(st->fd, st->buf, st->len);
	st->err = errno;
	st->done = true;
	return NULL;
}

struct action {
	struct vgpu *g;
	char *uuid;
	bool close;
	int ret;
	volatile bool done;
};

/* what a stalled buffer must not hold up: reset, or close and remove */
static void *act(void *arg)
{
	struct action *a = arg;

	if (a->close) {
		vgpu_close(a->g);
		a->ret = mdev_remove(a->uuid);
		a->uuid[0] = 0;
	} else {
		a->ret = vgpu_reset(a->g);
	}
	a->done = true;
	return NULL;
}

static bool wait_flag(volatile bool *flag, int seconds)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < seconds * 100 && !*flag; i++)
		nanosleep(&ts, NULL);
	return *flag;
}

/* a page that faults until UFFDIO_COPY fills it */
static int uffd_page(void **page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (uffd < 0)
		return -errno;
	*page = mmap(NULL, VGPU_PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (unsigned long)*page;
	reg.range.len = VGPU_PAGE_SIZE;
	if (*page == MAP_FAILED || ioctl(uffd, UFFDIO_API, &api) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		close(uffd);
		return -EIO;
	}
	return uffd;
}

static bool uffd_faulted(int uffd)
{
	struct pollfd p = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	return poll(&p, 1, STALL_WAIT_S * 1000) == 1 &&
	       read(uffd, &msg, sizeof(msg)) == sizeof(msg) &&
	       msg.event == UFFD_EVENT_PAGEFAULT;
}

static int uffd_fill(int uffd, void *page)
{
	static char src[VGPU_PAGE_SIZE] __attribute__((aligned(4096)));
	struct uffdio_copy copy = {
		.dst = (unsigned long)page,
		.src = (unsigned long)src,
		.len = VGPU_PAGE_SIZE,
	};

	return ioctl(uffd, UFFDIO_COPY, &copy) ? -errno : 0;
}

FIXTURE(stall) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
};

FIXTURE_VARIANT(stall) {
	bool write;	/* a resuming fd's write(), else a saving fd's read() */
	bool close;	/* close the device and remove the mdev, else reset */
};

FIXTURE_VARIANT_ADD(stall, read_reset) { .write = false, .close = false };
FIXTURE_VARIANT_ADD(stall, read_close) { .write = false, .close = true };
FIXTURE_VARIANT_ADD(stall, write_reset) { .write = true, .close = false };
FIXTURE_VARIANT_ADD(stall, write_close) { .write = true, .close = true };

FIXTURE_SETUP(stall)
{
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_EQ(0, vgpu_test_setup(&self->g, VGPU_TYPE_SMALL, self->uuid));
}

FIXTURE_TEARDOWN(stall)
{
	vgpu_test_teardown(&self->g, self->uuid);
}

TEST_F_TIMEOUT(stall, does_not_hold_up_the_device, 4 * STALL_WAIT_S)
{
	struct stall st = { .write = variant->write };
	struct action a = { .g = &self->g, .uuid = self->uuid,
			    .close = variant->close };
	pthread_t io, ac;
	bool in_time;
	int uffd;

	st.fd = -1;
	test_vfio_mig_set(&self->g.dev, VFIO_DEVICE_STATE_STOP, NULL);
	test_vfio_mig_set(&self->g.dev, variant->write ?
			  VFIO_DEVICE_STATE_RESUMING :
			  VFIO_DEVICE_STATE_STOP_COPY, &st.fd);
	ASSERT_LE(0, st.fd);
	uffd = uffd_page(&st.buf);
	ASSERT_LE(0, uffd);
	st.len = 64;
	ASSERT_EQ(0, pthread_create(&io, NULL, stall_io, &st));
	ASSERT_TRUE(uffd_faulted(uffd));	/* the I/O waits in the fault */
	ASSERT_FALSE(st.done);
	ASSERT_EQ(0, pthread_create(&ac, NULL, act, &a));
	in_time = wait_flag(&a.done, STALL_WAIT_S);
	/* let the stalled copy finish either way, then look */
	EXPECT_EQ(0, uffd_fill(uffd, st.buf));
	pthread_join(ac, NULL);
	pthread_join(io, NULL);
	EXPECT_TRUE(in_time);
	EXPECT_EQ(0, a.ret);
	/* the session ended under the stalled call: it says so */
	EXPECT_EQ(-1, st.ret);
	EXPECT_EQ(ENODEV, st.err);
	close(st.fd);
	close(uffd);
	munmap(st.buf, VGPU_PAGE_SIZE);
}

TEST_HARNESS_MAIN
