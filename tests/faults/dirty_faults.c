// SPDX-License-Identifier: GPL-2.0
/*
 * dirty_faults - fault injection over the fine-grained dirty tracking paths
 *
 * Runs inside the debug-kernel VM (scripts/debug/check-debug.sh) with the
 * patched modules, the test mdev and the sample vGPU loaded.  Each
 * TEST_FAIL_NTH() runs its operation again and again with
 * /proc/thread-self/fail-nth = 0 (no fault), 1, 2, ... until the armed
 * fault no longer fires: every allocation and user copy on the path
 * (failslab, fail_page_alloc, fail_usercopy) fails once.  This is the
 * idiom of tools/testing/selftests/iommu/iommufd_fail_nth.c, except that
 * only the operation itself runs armed (fail_nth_enable() ..
 * fail_nth_disable()), and that the fixture stays up across the
 * iterations: each pass restores the state it starts from, so that what
 * one fault leaves behind meets the next.  After every fault:
 *
 *  - the call failed with an errno (or absorbed the fault and succeeded);
 *  - no dirty bit was lost: a canary set of pages marked dirty before the
 *    call is still reported by the next GET_BITMAP, nothing outside the
 *    canary and the call's own range is reported, and a second report is
 *    empty (no stray or misplaced bits);
 *  - the test mdev holds no pins after a failed pin, the range is either
 *    mapped or not after a failed MAP_DMA, tracking is on or off after a
 *    failed START, a vGPU instance exists or not after a failed create,
 *    a device is usable after a failed open / migration step;
 *
 * and after each group of walks a kmemleak scan must be empty (KMEMLEAK=1).
 * Each walk logs "# NAME: N faults injected (M absorbed), errors: ..."; the
 * run ends with "# faults injected: N over M walks".
 *
 * Not a *_test.c: it is not part of `make check`.  FAULTS_DRY=1 on a
 * kernel without fault injection runs each operation once (the checks
 * only).  Select walks with the harness's -f FIXTURE / -t TEST options.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "libdtm.h"
#include "../vgpu/vgpu_test_common.h"

#define IOVA_A		0x100000UL
#define PAGES_A		100		/* B's first page lands on bit 100 */
#define PAGES_B		37
#define IOVA_B		(IOVA_A + PAGES_A * BM_PAGE)
#define NPAGES		(PAGES_A + PAGES_B)
#define PG(i)		(IOVA_A + (uint64_t)(i) * BM_PAGE)
#define NW		((NPAGES + 63) / 64 + 1)	/* +1: catch stray bits */
#define MAX_NTH		4000
#define STREAM_CAP	(1 << 22)

/* ---- fail-nth ---- */

/* what the walks injected, over all of them (shared by the test forks) */
static struct fault_totals {
	unsigned long faults, walks;
} *totals;

struct fail_nth_state {
	int proc_fd;		/* /proc/thread-self/fail-nth, -1: dry run */
	unsigned int iteration;	/* 0: the operation without a fault */
	bool fired;		/* the armed fault fired in this iteration */
	unsigned int faults, absorbed;
	int err_val[8], err_cnt[8], nerr;
};

static bool dry_run(void)
{
	return getenv("FAULTS_DRY") != NULL;
}

static void fail_nth_first(struct __test_metadata *_metadata,
			   struct fail_nth_state *st)
{
	char path[64];

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	st->proc_fd = open(path, O_RDWR);
	if (!dry_run())
		ASSERT_LE(0, st->proc_fd) TH_LOG("%s", path);
}

/* arm the fault of this iteration: the @iteration-th injection point */
static void __fail_nth_enable(struct __test_metadata *_metadata,
			      struct fail_nth_state *st)
{
	char buf[16];
	int len;

	if (!st->iteration || st->proc_fd < 0)
		return;
	len = snprintf(buf, sizeof(buf), "%u", st->iteration);
	ASSERT_EQ(len, pwrite(st->proc_fd, buf, len, 0));
}

/*
 * Disarm, and note whether the fault fired: fail-nth reads 0 once it has;
 * a count left over means the operation passed fewer injection points.
 * (A read or a write of "0" copies to or from user space and can take
 * the last count itself, failing with EFAULT: then it fired there, not
 * in the operation.)
 */
static void __fail_nth_disable(struct __test_metadata *_metadata,
			       struct fail_nth_state *st)
{
	char buf[16] = "";
	ssize_t n;
	int i;

	st->fired = false;
	if (!st->iteration || st->proc_fd < 0)
		return;
	n = pread(st->proc_fd, buf, sizeof(buf) - 1, 0);
	st->fired = n > 0 && buf[0] == '0';
	for (i = 0; pwrite(st->proc_fd, "0", 1, 0) != 1; i++)
		ASSERT_TRUE(errno == EFAULT && i < 2);
}

#define fail_nth_enable()	__fail_nth_enable(_metadata, _nth_state)
#define fail_nth_disable()	__fail_nth_disable(_metadata, _nth_state)
#define nth()			(_nth_state->iteration)

static void count_error(struct fail_nth_state *st, int err)
{
	int k;

	for (k = 0; k < st->nerr && st->err_val[k] != err; k++)
		;
	if (k == st->nerr && st->nerr < 8)
		st->err_val[st->nerr++] = err;
	if (k < 8)
		st->err_cnt[k]++;
}

/* after iteration @st->iteration, which returned @result: go on? */
static bool fail_nth_next(struct __test_metadata *_metadata,
			  struct fail_nth_state *st, int result)
{
	if (!__test_passed(_metadata)) {
		TH_LOG("a check failed at nth=%u", st->iteration);
		return false;
	}
	ASSERT_GE(0, result) TH_LOG("nth=%u returned %d, not an errno",
				    st->iteration, result);
	if (st->iteration && st->fired) {
		st->faults++;
		if (result)
			count_error(st, result);
		else
			st->absorbed++;
	} else {
		ASSERT_EQ(0, result) TH_LOG("fails without an injected fault (nth=%u): %d",
					    st->iteration, result);
	}
	if (st->iteration && !st->fired)
		return false;
	if (st->proc_fd < 0)	/* dry run: the operation once */
		return false;
	ASSERT_GT(MAX_NTH, st->iteration)
		TH_LOG("still failing after %d faults", MAX_NTH);
	st->iteration++;
	return true;
}

static void fail_nth_report(const char *name, struct fail_nth_state *st)
{
	char hist[256] = "";
	int k;

	for (k = 0; k < st->nerr; k++)
		snprintf(hist + strlen(hist), sizeof(hist) - strlen(hist),
			 "%s%s x%d", k ? ", " : "", strerror(-st->err_val[k]),
			 st->err_cnt[k]);
	ksft_print_msg("%s: %u faults injected (%u absorbed)%s%s\n", name,
		       st->faults, st->absorbed, st->nerr ? ", errors: " : "",
		       hist);
	__sync_fetch_and_add(&totals->faults, st->faults);
	__sync_fetch_and_add(&totals->walks, 1);
	if (st->proc_fd >= 0)
		close(st->proc_fd);
}

/*
 * A test that runs its body for nth = 0, 1, 2, ... (see above).  The body
 * arms the fault with fail_nth_enable() just before the operation, ends
 * it with fail_nth_disable() just after, checks, and returns the
 * operation's result.
 */
#define TEST_FAIL_NTH(fixture_name, name)				\
	static int test_nth_##fixture_name##_##name(struct __test_metadata *_metadata,	\
				   FIXTURE_DATA(fixture_name) *self,	\
				   const FIXTURE_VARIANT(fixture_name) *variant, \
				   struct fail_nth_state *_nth_state);	\
	TEST_F_TIMEOUT(fixture_name, name, 1200)			\
	{								\
		struct fail_nth_state nth_state;			\
		int result;						\
									\
		fail_nth_first(_metadata, &nth_state);			\
		do {							\
			result = test_nth_##fixture_name##_##name(_metadata, self,	\
						 variant, &nth_state);	\
		} while (fail_nth_next(_metadata, &nth_state, result));	\
		fail_nth_report(#fixture_name "." #name, &nth_state);	\
	}								\
	static int test_nth_##fixture_name##_##name(					\
		struct __test_metadata __attribute__((unused)) *_metadata, \
		FIXTURE_DATA(fixture_name) __attribute__((unused)) *self, \
		const FIXTURE_VARIANT(fixture_name) __attribute__((unused)) \
			*variant,					\
		struct fail_nth_state *_nth_state)

/*
 * A kmemleak scan after a group of walks must find nothing (KMEMLEAK=1).
 * A scan of this VM's 4 GiB under KASAN and TCG takes longer than the
 * harness's default 30 s on a loaded host: the tests calling this declare
 * KMEMLEAK_TIMEOUT.
 */
#define KMEMLEAK_TIMEOUT	600
static void kmemleak_check(struct __test_metadata *_metadata)
{
	const char *kl = "/sys/kernel/debug/kmemleak";
	char buf[4096];
	ssize_t n;
	int fd;

	if (!getenv("KMEMLEAK"))
		SKIP(return, "KMEMLEAK not set");
	sleep(6);	/* kmemleak ignores objects younger than 5 s */
	ASSERT_EQ(0, vfio_sysfs_write(kl, "scan"));
	fd = open(kl, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		vfio_sysfs_write(kl, "clear");
	}
	ASSERT_GE(0, n) TH_LOG("kmemleak:\n%s", buf);
}

/* ---- bitmaps of the two mappings, page numbers from A ---- */

typedef struct { uint64_t w[NW]; } bm_t;

static const char *bstr(const bm_t *b, char *buf)
{
	return vfio_bitmap_str(b->w, NW * 64, buf, 1024);
}

static bm_t bm_of(unsigned int first, unsigned int n)
{
	bm_t b = {};

	bm_set_range(b.w, first, n);
	return b;
}

static bool bm_sub(const bm_t *a, const bm_t *b)	/* a subset of b */
{
	int i;

	for (i = 0; i < NW; i++)
		if (a->w[i] & ~b->w[i])
			return false;
	return true;
}

static bm_t bm_or(bm_t a, const bm_t *b)
{
	int i;

	for (i = 0; i < NW; i++)
		a.w[i] |= b->w[i];
	return a;
}

static bm_t bm_and(bm_t a, const bm_t *b)
{
	int i;

	for (i = 0; i < NW; i++)
		a.w[i] &= b->w[i];
	return a;
}

static bool bm_empty(const bm_t *a)
{
	return !bm_count(a->w, NW * 64);
}

/* ---- the test mdev: two adjacent mappings A and B, tracking on ---- */

FIXTURE(test_mdev) {
	struct vfio_iommu io;
	struct vfio_dev dev;
	char uuid[VFIO_UUID_LEN];
	void *mem;
	bool mapped_a, mapped_b;
	bm_t canary;		/* pages marked before each call */
	bm_t primed;		/* the canary pages marked (those mapped) */
	bm_t got;		/* what a GET_BITMAP call reported */
	uint64_t unmap_bits[NW];
	char rwbuf[3 * BM_PAGE];
};

FIXTURE_VARIANT(test_mdev) {
	const char *type;
	bool reports;		/* DEVICE scope */
};

FIXTURE_VARIANT_ADD(test_mdev, reporting) { .type = "reporting", .reports = true };
FIXTURE_VARIANT_ADD(test_mdev, plain) { .type = "plain", .reports = false };

static int map_a(FIXTURE_DATA(test_mdev) *self)
{
	int ret = vfio_dma_map(&self->io, IOVA_A, self->mem,
			       PAGES_A * BM_PAGE, VFIO_DMA_RW);

	self->mapped_a = !ret;
	return ret;
}

static int map_b(FIXTURE_DATA(test_mdev) *self)
{
	int ret = vfio_dma_map(&self->io, IOVA_B,
			       (char *)self->mem + PAGES_A * BM_PAGE,
			       PAGES_B * BM_PAGE, VFIO_DMA_RW);

	self->mapped_b = !ret;
	return ret;
}

static void dtm_release(FIXTURE_DATA(test_mdev) *self)
{
	vfio_dev_close(&self->dev);
	vfio_iommu_close(&self->io);
	if (self->mem)
		munmap(self->mem, NPAGES * BM_PAGE);
	if (self->uuid[0])
		mdev_remove(self->uuid);
	self->uuid[0] = 0;
	self->mem = NULL;
}

static int dtm_acquire(FIXTURE_DATA(test_mdev) *self, const char *type)
{
	/* both edges of both mappings and the word boundaries */
	static const unsigned int canary[] = {
		0, 3, 63, 64, 99, 100, 101, 127, 128, 136,
	};
	unsigned int i;
	int ret;

	ret = dtm_create(type, self->uuid);
	if (!ret)
		ret = vfio_iommu_open(&self->io, VFIO_MODE_TYPE1);
	if (!ret)
		ret = vfio_dev_open(&self->dev, &self->io, self->uuid);
	if (ret)
		return ret;
	self->mem = mmap(NULL, NPAGES * BM_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (self->mem == MAP_FAILED) {
		self->mem = NULL;
		return -ENOMEM;
	}
	memset(self->mem, 0x5a, NPAGES * BM_PAGE);
	ret = map_a(self);
	if (!ret)
		ret = map_b(self);
	for (i = 0; i < sizeof(canary) / sizeof(canary[0]); i++)
		bm_set(self->canary.w, canary[i]);
	return ret ? ret : vfio_dirty_start(&self->io);
}

FIXTURE_SETUP(test_mdev)
{
	int ret;

	self->dev.fd = self->dev.group = self->io.fd = -1;
	if (!dtm_present())
		SKIP(return, "dirty_test_mdev not loaded");
	ret = dtm_acquire(self, variant->type);
	if (ret)
		dtm_release(self);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(test_mdev)
{
	dtm_release(self);
}

static bm_t mapped_mask(FIXTURE_DATA(test_mdev) *self)
{
	bm_t m = {};

	if (self->mapped_a)
		bm_set_range(m.w, 0, PAGES_A);
	if (self->mapped_b)
		bm_set_range(m.w, PAGES_A, PAGES_B);
	return m;
}

/* GET_BITMAP of @npages pages from A into @b (cleared first) */
static int get_bitmap(FIXTURE_DATA(test_mdev) *self, uint64_t npages, bm_t *b)
{
	memset(b, 0, sizeof(*b));
	return vfio_dirty_get(&self->io, IOVA_A, npages * BM_PAGE, BM_PAGE,
			      b->w, bm_words(npages) * 8);
}

/* Report over what is mapped (A, B or both) into @r, page numbers from A. */
static int report(FIXTURE_DATA(test_mdev) *self, bm_t *r)
{
	bm_t t;
	unsigned int i;
	int ret;

	memset(r, 0, sizeof(*r));
	if (self->mapped_a)
		return get_bitmap(self, self->mapped_b ? NPAGES : PAGES_A, r);
	if (!self->mapped_b)
		return 0;
	memset(&t, 0, sizeof(t));
	ret = vfio_dirty_get(&self->io, IOVA_B, PAGES_B * BM_PAGE, BM_PAGE,
			     t.w, bm_words(PAGES_B) * 8);
	for (i = 0; !ret && i < PAGES_B; i++)
		if (bm_test(t.w, i))
			bm_set(r->w, PAGES_A + i);
	return ret;
}

/* Start of an iteration: nothing pending, then the canary marked dirty. */
static int prime(FIXTURE_DATA(test_mdev) *self)
{
	bm_t r, m = mapped_mask(self);
	unsigned int p;
	int ret = report(self, &r);

	self->primed = bm_and(m, &self->canary);
	for (p = 0; !ret && p < NPAGES; p++)
		if (bm_test(self->primed.w, p))
			ret = dtm_mark(&self->dev, PG(p), 1);
	return ret;
}

/*
 * After the call: the next report holds every canary page still mapped,
 * plus @must, nothing outside canary | @may | @must, and a second report
 * is empty.  @extra: bits the call itself reported (a GET_BITMAP).
 */
static void verify_bits(struct __test_metadata *_metadata,
			FIXTURE_DATA(test_mdev) *self, const bm_t *must,
			const bm_t *may, const bm_t *extra)
{
	bm_t r, r2, m = mapped_mask(self), want, allow;
	char b1[1024], b2[1024];

	want = bm_or(bm_and(self->primed, &m), must);
	allow = bm_or(bm_or(self->canary, may), must);
	ASSERT_EQ(0, report(self, &r));
	if (extra)
		r = bm_or(r, extra);
	EXPECT_TRUE(bm_sub(&want, &r))
		TH_LOG("dirty bits lost: want %s, reported %s",
		       bstr(&want, b1), bstr(&r, b2));
	EXPECT_TRUE(bm_sub(&r, &allow))
		TH_LOG("unexpected bits: reported %s, allowed %s",
		       bstr(&r, b1), bstr(&allow, b2));
	ASSERT_EQ(0, report(self, &r2));
	EXPECT_TRUE(bm_empty(&r2))
		TH_LOG("second report not empty: %s", bstr(&r2, b1));
}

static void verify_no_pins(struct __test_metadata *_metadata,
			   FIXTURE_DATA(test_mdev) *self)
{
	struct dtm_info i;

	ASSERT_EQ(0, dtm_info(&self->dev, &i));
	EXPECT_EQ(0, i.pinned_dirty + i.pinned_clean)
		TH_LOG("test mdev pins after the call: %llu dirty %llu clean",
		       (unsigned long long)i.pinned_dirty,
		       (unsigned long long)i.pinned_clean);
}

/* pin 6 pages across the A/B boundary (one vfio_pin_pages() each) */
#define PIN_FIRST	97
#define PIN_N		6

static int pin_walk(struct __test_metadata *_metadata,
		    FIXTURE_DATA(test_mdev) *self, bool reports, __u32 flags,
		    struct fail_nth_state *_nth_state)
{
	bm_t none = {}, r = bm_of(PIN_FIRST, PIN_N);
	/* in DEVICE scope a clean pin never dirties; otherwise every pin does */
	bool clean = (flags & DTM_CLEAN) && reports;
	int ret;

	ASSERT_EQ(0, prime(self));
	fail_nth_enable();
	ret = dtm_pin(&self->dev, PG(PIN_FIRST), PIN_N, flags);
	fail_nth_disable();
	if (!ret)
		EXPECT_EQ(0, dtm_unpin(&self->dev, PG(PIN_FIRST), PIN_N, flags));
	verify_no_pins(_metadata, self);
	verify_bits(_metadata, self, !ret && !clean ? &r : &none,
		    clean ? &none : &r, NULL);
	return ret;
}

TEST_FAIL_NTH(test_mdev, pin_dirty)
{
	return pin_walk(_metadata, self, variant->reports, 0, _nth_state);
}

TEST_FAIL_NTH(test_mdev, pin_clean)
{
	return pin_walk(_metadata, self, variant->reports, DTM_CLEAN,
			_nth_state);
}

TEST_FAIL_NTH(test_mdev, mark)
{
	bm_t none = {}, r = bm_of(10, 11);
	int ret;

	ASSERT_EQ(0, prime(self));
	fail_nth_enable();
	/* pages 10..20, partial pages at both ends */
	ret = dtm_mark(&self->dev, PG(10) + 100, 10 * BM_PAGE);
	fail_nth_disable();
	verify_bits(_metadata, self, ret ? &none : &r, &r, NULL);
	return ret;
}

TEST_FAIL_NTH(test_mdev, rw_write)
{
	bm_t none = {}, r = bm_of(98, 3);
	int ret;

	ASSERT_EQ(0, prime(self));
	fail_nth_enable();
	/* pages 98..100: crosses into B */
	ret = dtm_rw(&self->dev, PG(98) + 8, self->rwbuf, 2 * BM_PAGE, true);
	fail_nth_disable();
	verify_bits(_metadata, self, ret ? &none : &r, &r, NULL);
	return ret;
}

/* GET_BITMAP over A (@npages 100) or A+B (B shifted by 36 bits) */
static int get_bitmap_walk(struct __test_metadata *_metadata,
			   FIXTURE_DATA(test_mdev) *self, uint64_t npages,
			   struct fail_nth_state *_nth_state)
{
	bm_t none = {}, want, m = bm_of(0, npages);
	char b1[1024], b2[1024];
	int ret;

	ASSERT_EQ(0, prime(self));
	fail_nth_enable();
	ret = get_bitmap(self, npages, &self->got);
	fail_nth_disable();
	want = bm_and(self->canary, &m);
	if (!ret) {
		/* this call was the report: exactly the canary */
		EXPECT_EQ(0, memcmp(&self->got, &want, sizeof(want)))
			TH_LOG("report %s, want %s", bstr(&self->got, b1),
			       bstr(&want, b2));
		verify_bits(_metadata, self, &none, &none, &want);
	} else {
		/*
		 * A failed report must leave every bit for the next one.
		 * (What it wrote into the user's buffer before failing is
		 * not a report: user space discards it on error.)
		 */
		verify_bits(_metadata, self, &none, &none, NULL);
	}
	return ret;
}

TEST_FAIL_NTH(test_mdev, get_bitmap_one_mapping)
{
	return get_bitmap_walk(_metadata, self, PAGES_A, _nth_state);
}

TEST_FAIL_NTH(test_mdev, get_bitmap_two_mappings)
{
	return get_bitmap_walk(_metadata, self, NPAGES, _nth_state);
}

/* DIRTY_PAGES START with tracking off (allocates every mapping's bitmap) */
TEST_FAIL_NTH(test_mdev, dirty_pages_start)
{
	bm_t none = {}, r;
	int ret;

	ASSERT_EQ(0, vfio_dirty_stop(&self->io));
	fail_nth_enable();
	ret = vfio_dirty_start(&self->io);
	fail_nth_disable();
	if (ret) {
		/* tracking must be off: a report is refused */
		EXPECT_EQ(-EINVAL, get_bitmap(self, NPAGES, &r));
		EXPECT_EQ(0, vfio_dirty_start(&self->io))
			TH_LOG("START after a failed START");
	}
	ASSERT_EQ(0, prime(self));
	verify_bits(_metadata, self, &none, &none, NULL);
	return ret;
}

/* MAP_DMA of B while tracking (allocates the vfio_dma and its bitmap) */
TEST_FAIL_NTH(test_mdev, map_dma_tracking)
{
	bm_t none = {}, b0 = bm_of(PAGES_A, 1);
	int ret;

	if (self->mapped_b) {
		ASSERT_EQ(0, vfio_dma_unmap(&self->io, IOVA_B,
					    PAGES_B * BM_PAGE));
		self->mapped_b = false;
	}
	ASSERT_EQ(0, prime(self));
	fail_nth_enable();
	ret = map_b(self);
	fail_nth_disable();
	/* a mark in B works if and only if B is mapped */
	EXPECT_EQ(ret ? -EINVAL : 0, dtm_mark(&self->dev, IOVA_B, BM_PAGE));
	verify_bits(_metadata, self, ret ? &none : &b0, &none, NULL);
	return ret;
}

/*
 * UNMAP_DMA of A+B with GET_DIRTY_BITMAP while the device holds a dirty pin
 * in B: the unmap notifies the device, which unpins from dma_unmap.
 */
#define UNMAP_PIN	120

static bm_t unmap_retry(struct __test_metadata *_metadata,
			FIXTURE_DATA(test_mdev) *self, int ret, bm_t *want)
{
	/* the marks dirty pages 0 and 130 of what is still mapped */
	bool a = dtm_mark(&self->dev, IOVA_A, 1) != -EINVAL;
	bool b = dtm_mark(&self->dev, IOVA_B + BM_PAGE * 30, 1) != -EINVAL;
	bm_t r2 = {};

	/*
	 * A failed call removes nothing: everything must be reported by a
	 * retry.  Except when the fault hit the copy of the result (the
	 * unmapped size) back to user space, which the ioctl does after the
	 * whole unmap, as stock does and as IOAS_UNMAP does: then it removed
	 * everything, and the bitmap, copied out before, holds every bit (the
	 * caller checks).
	 */
	if (a)
		bm_set(want->w, 0);
	if (b)
		bm_set(want->w, 130);
	EXPECT_TRUE((a && b) || (!a && !b && ret == -EFAULT))
		TH_LOG("failed UNMAP_DMA (%d) removed %s", ret,
		       a ? "B" : b ? "A" : "A and B");
	EXPECT_EQ(0, vfio_dma_unmap_dirty(&self->io, IOVA_A,
					  NPAGES * BM_PAGE, r2.w,
					  bm_words(NPAGES) * 8))
		TH_LOG("retried UNMAP_DMA");
	return r2;
}

TEST_FAIL_NTH(test_mdev, unmap_get_dirty_bitmap)
{
	bm_t want, r2 = {}, got;
	char b1[1024], b2[1024];
	int ret;

	if (!self->mapped_a)
		ASSERT_EQ(0, map_a(self));
	if (!self->mapped_b)
		ASSERT_EQ(0, map_b(self));
	ASSERT_EQ(0, prime(self));
	ASSERT_EQ(0, dtm_pin(&self->dev, PG(UNMAP_PIN), 1, 0));
	memset(self->unmap_bits, 0, sizeof(self->unmap_bits));
	fail_nth_enable();
	ret = vfio_dma_unmap_dirty(&self->io, IOVA_A, NPAGES * BM_PAGE,
				   self->unmap_bits, bm_words(NPAGES) * 8);
	fail_nth_disable();
	want = self->canary;
	bm_set(want.w, UNMAP_PIN);
	if (ret)
		r2 = unmap_retry(_metadata, self, ret, &want);
	memcpy(got.w, self->unmap_bits, sizeof(got.w));
	r2 = bm_or(r2, &got);
	self->mapped_a = self->mapped_b = false;
	EXPECT_TRUE(bm_sub(&want, &r2))
		TH_LOG("dirty bits lost over unmap: want %s, got %s",
		       bstr(&want, b1), bstr(&r2, b2));
	bm_set(want.w, 130);
	EXPECT_TRUE(bm_sub(&r2, &want))
		TH_LOG("unexpected bits over unmap: got %s", bstr(&r2, b1));
	verify_no_pins(_metadata, self);
	return ret;
}

/* after the walks of each type */
TEST_F_TIMEOUT(test_mdev, kmemleak, KMEMLEAK_TIMEOUT)
{
	kmemleak_check(_metadata);
}

/* ---- the sample vGPU ---- */

FIXTURE(vgpu_create) {
	char uuid[VFIO_UUID_LEN];
	unsigned int seq;
};

FIXTURE_SETUP(vgpu_create)
{
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
}

FIXTURE_TEARDOWN(vgpu_create)
{
}

/* sysfs create of a small instance */
TEST_FAIL_NTH(vgpu_create, create)
{
	long before = vgpu_available(VGPU_TYPE_SMALL);
	bool exists;
	int ret;

	snprintf(self->uuid, sizeof(self->uuid),
		 "%08x-1111-4000-8000-%012x", getpid(), ++self->seq);
	fail_nth_enable();
	ret = mdev_create_uuid(VGPU_PARENT, VGPU_TYPE_SMALL, self->uuid);
	fail_nth_disable();
	exists = mdev_exists(self->uuid);
	EXPECT_EQ(!ret, exists) TH_LOG("create returned %d", ret);
	if (exists)
		EXPECT_EQ(0, mdev_remove(self->uuid));
	EXPECT_EQ(before, vgpu_available(VGPU_TYPE_SMALL));
	return ret;
}

/* an instance, opened by each iteration */
FIXTURE(vgpu_inst) {
	char uuid[VFIO_UUID_LEN];
	struct vfio_iommu io;
	struct vfio_dev dev;
	struct vgpu g;
};

FIXTURE_SETUP(vgpu_inst)
{
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_EQ(0, vgpu_mdev_create(VGPU_TYPE_SMALL, self->uuid));
}

FIXTURE_TEARDOWN(vgpu_inst)
{
	if (self->uuid[0])
		mdev_remove(self->uuid);
}

/* the instance opens normally afterwards */
static void reopen(struct __test_metadata *_metadata,
		   FIXTURE_DATA(vgpu_inst) *self)
{
	vfio_dev_close(&self->dev);
	vfio_iommu_close(&self->io);
	ASSERT_EQ(0, vgpu_open(&self->g, self->uuid));
	EXPECT_EQ(VGPU_ID_MAGIC, vgpu_reg(&self->g, VGPU_REG_ID));
	vgpu_close(&self->g);
}

/* SET_CONTAINER + SET_IOMMU of the group */
TEST_FAIL_NTH(vgpu_inst, attach)
{
	int ret;

	ASSERT_EQ(0, vfio_iommu_open(&self->io, VFIO_MODE_TYPE1));
	ASSERT_EQ(0, vfio_group_open(&self->dev, self->uuid));
	fail_nth_enable();
	ret = vfio_group_attach(&self->dev, &self->io);
	fail_nth_disable();
	reopen(_metadata, self);
	return ret;
}

/* GET_DEVICE_FD: the first open of the instance */
TEST_FAIL_NTH(vgpu_inst, open)
{
	int ret;

	ASSERT_EQ(0, vfio_iommu_open(&self->io, VFIO_MODE_TYPE1));
	ASSERT_EQ(0, vfio_group_open(&self->dev, self->uuid));
	ASSERT_EQ(0, vfio_group_attach(&self->dev, &self->io));
	fail_nth_enable();
	ret = vfio_dev_get_fd(&self->dev);
	fail_nth_disable();
	reopen(_metadata, self);
	return ret;
}

/* migration of an instance with memory, GTT and ring set up */
FIXTURE(vgpu_mig) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
	char *stream;
	long len;
	int data_fd;
};

FIXTURE_SETUP(vgpu_mig)
{
	self->data_fd = -1;
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	self->stream = malloc(STREAM_CAP);
	ASSERT_NE(NULL, self->stream);
	ASSERT_EQ(0, vgpu_test_setup(&self->g, VGPU_TYPE_SMALL, self->uuid));
	if (!(self->g.caps & VGPU_CAP_MIGRATION)) {
		vgpu_test_teardown(&self->g, self->uuid);
		SKIP(return, "no VGPU_CAP_MIGRATION");
	}
}

FIXTURE_TEARDOWN(vgpu_mig)
{
	if (self->data_fd >= 0)
		close(self->data_fd);
	vgpu_test_teardown(&self->g, self->uuid);
	free(self->stream);
}

static int mig_state(struct vgpu *g)
{
	__u32 s = ~0u;

	return vfio_mig_get(&g->dev, &s) ? -1 : (int)s;
}

/*
 * Back to RUNNING: the natural transitions first (STOP_COPY/RESUMING ->
 * STOP -> RUNNING), VFIO_DEVICE_RESET (which returns a migratable device
 * to RUNNING) if one fails or the device is in ERROR.
 */
static int mig_recover(struct vgpu *g)
{
	int i, s, next;

	for (i = 0; i < 4; i++) {
		s = mig_state(g);
		if (s == VFIO_DEVICE_STATE_RUNNING)
			return 0;
		if (s == VFIO_DEVICE_STATE_STOP_COPY ||
		    s == VFIO_DEVICE_STATE_RESUMING)
			next = VFIO_DEVICE_STATE_STOP;
		else if (s == VFIO_DEVICE_STATE_STOP ||
			 s == VFIO_DEVICE_STATE_PRE_COPY)
			next = VFIO_DEVICE_STATE_RUNNING;
		else
			next = -1;	/* ERROR or unreadable */
		if ((next < 0 || vfio_mig_set(&g->dev, next, NULL)) &&
		    vgpu_reset(g))
			return -EIO;
	}
	return mig_state(g) == VFIO_DEVICE_STATE_RUNNING ? 0 : -EIO;
}

/* from RUNNING to @from, set up for the walk */
static void mig_from(struct __test_metadata *_metadata,
		     FIXTURE_DATA(vgpu_mig) *self, __u32 from)
{
	if (self->data_fd >= 0)
		close(self->data_fd);
	self->data_fd = -1;
	ASSERT_EQ(0, mig_recover(&self->g));
	if (from != VFIO_DEVICE_STATE_RUNNING)
		ASSERT_EQ(0, vfio_mig_set(&self->g.dev, VFIO_DEVICE_STATE_STOP,
					  NULL));
	if (from == VFIO_DEVICE_STATE_STOP_COPY ||
	    from == VFIO_DEVICE_STATE_RESUMING)
		ASSERT_EQ(0, vfio_mig_set(&self->g.dev, from, &self->data_fd));
}

static void mig_back(struct __test_metadata *_metadata,
		     FIXTURE_DATA(vgpu_mig) *self)
{
	if (self->data_fd >= 0)
		close(self->data_fd);
	self->data_fd = -1;
	EXPECT_EQ(0, mig_recover(&self->g)) TH_LOG("device does not return to RUNNING");
	EXPECT_EQ(VGPU_ID_MAGIC, vgpu_reg(&self->g, VGPU_REG_ID));
}

/*
 * A failed transition leaves the original state or ERROR, except that
 * VFIO core copies the result out after the driver moved: a fault there
 * (-EFAULT) leaves the new state (the uAPI allows "some other state along
 * the transition path").
 */
static int mig_set_walk(struct __test_metadata *_metadata,
			FIXTURE_DATA(vgpu_mig) *self, __u32 from, __u32 to,
			struct fail_nth_state *_nth_state)
{
	int ret, s;

	mig_from(_metadata, self, from);
	fail_nth_enable();
	ret = vfio_mig_set(&self->g.dev, to, &self->data_fd);
	fail_nth_disable();
	s = mig_state(&self->g);
	if (ret) {
		EXPECT_TRUE(s == (int)from || s == VFIO_DEVICE_STATE_ERROR ||
			    (ret == -EFAULT && s == (int)to))
			TH_LOG("state %d after a failed transition %u->%u (%d)",
			       s, from, to, ret);
	} else {
		EXPECT_EQ((int)to, s);
	}
	if (!ret && to == VFIO_DEVICE_STATE_STOP_COPY)
		EXPECT_LT(0, vfio_mig_read(self->data_fd, self->stream,
					   STREAM_CAP));
	mig_back(_metadata, self);
	return ret;
}

TEST_FAIL_NTH(vgpu_mig, running_to_stop)
{
	return mig_set_walk(_metadata, self, VFIO_DEVICE_STATE_RUNNING,
			    VFIO_DEVICE_STATE_STOP, _nth_state);
}

TEST_FAIL_NTH(vgpu_mig, stop_to_stop_copy)
{
	return mig_set_walk(_metadata, self, VFIO_DEVICE_STATE_STOP,
			    VFIO_DEVICE_STATE_STOP_COPY, _nth_state);
}

TEST_FAIL_NTH(vgpu_mig, read_stream)
{
	long n;

	mig_from(_metadata, self, VFIO_DEVICE_STATE_STOP_COPY);
	fail_nth_enable();
	n = vfio_mig_read(self->data_fd, self->stream, STREAM_CAP);
	fail_nth_disable();
	mig_back(_metadata, self);
	return n < 0 ? (int)n : 0;
}

/* RESUMING: write a saved stream, then RESUMING -> STOP loads it */
TEST_FAIL_NTH(vgpu_mig, resume)
{
	int ret, s;

	if (!self->len) {	/* a good stream to resume from */
		mig_from(_metadata, self, VFIO_DEVICE_STATE_STOP_COPY);
		self->len = vfio_mig_read(self->data_fd, self->stream,
					  STREAM_CAP);
		ASSERT_LT(0, self->len);
	}
	mig_from(_metadata, self, VFIO_DEVICE_STATE_RESUMING);
	fail_nth_enable();
	ret = vfio_mig_write(self->data_fd, self->stream, self->len);
	if (!ret)
		ret = vfio_mig_set(&self->g.dev, VFIO_DEVICE_STATE_STOP, NULL);
	fail_nth_disable();
	s = mig_state(&self->g);
	/* as in mig_set_walk(): a fault copying the result out leaves STOP */
	if (ret)
		EXPECT_TRUE(s == VFIO_DEVICE_STATE_RESUMING ||
			    s == VFIO_DEVICE_STATE_ERROR ||
			    (ret == -EFAULT && s == VFIO_DEVICE_STATE_STOP))
			TH_LOG("state %d after a failed resume (%d)", s, ret);
	mig_back(_metadata, self);
	return ret;
}

/* after the vGPU walks */
TEST_F_TIMEOUT(vgpu_mig, kmemleak, KMEMLEAK_TIMEOUT)
{
	kmemleak_check(_metadata);
}

/* ---- iommufd (IOMMUFD=y): the group bound to /dev/iommu, no type1 ---- */

FIXTURE(iommufd_dtm) {
	struct vfio_iommu io;
	struct vfio_dev dev;
	char uuid[VFIO_UUID_LEN];
	void *mem;
};

FIXTURE_SETUP(iommufd_dtm)
{
	int ret;

	self->dev.fd = self->dev.group = self->io.fd = -1;
	if (access("/dev/iommu", F_OK))
		SKIP(return, "no /dev/iommu (IOMMUFD off)");
	if (!dtm_present())
		SKIP(return, "dirty_test_mdev not loaded");
	self->mem = mmap(NULL, NPAGES * BM_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	ret = dtm_create("reporting", self->uuid);
	if (!ret)
		ret = vfio_iommu_open(&self->io, VFIO_MODE_IOMMUFD);
	if (!ret)
		ret = vfio_dev_open(&self->dev, &self->io, self->uuid);
	if (ret) {
		vfio_iommu_close(&self->io);
		if (self->uuid[0])
			mdev_remove(self->uuid);
	}
	ASSERT_EQ(0, ret) TH_LOG("the test mdev bound to iommufd");
}

FIXTURE_TEARDOWN(iommufd_dtm)
{
	vfio_dev_close(&self->dev);
	vfio_iommu_close(&self->io);
	munmap(self->mem, NPAGES * BM_PAGE);
	mdev_remove(self->uuid);
}

static void ipins(struct __test_metadata *_metadata,
		  FIXTURE_DATA(iommufd_dtm) *self, __u64 dirty, __u64 clean)
{
	struct dtm_info i;

	ASSERT_EQ(0, dtm_info(&self->dev, &i));
	EXPECT_EQ(dirty, i.pinned_dirty);
	EXPECT_EQ(clean, i.pinned_clean);
}

/* pins, a mark (refused: iommufd keeps no dirty pages for emulated devices),
 * vfio_dma_rw() both ways, and an unmap with pins held */
TEST_F(iommufd_dtm, pins_mark_rw_unmap)
{
	char buf[64] = "written through iommufd_access_rw", back[64] = "";
	struct dtm_info info;

	ASSERT_EQ(0, vfio_dma_map(&self->io, IOVA_A, self->mem,
				  NPAGES * BM_PAGE, VFIO_DMA_RW));
	ASSERT_EQ(0, dtm_pin(&self->dev, PG(10), 4, 0));
	ASSERT_EQ(0, dtm_pin(&self->dev, PG(10), 4, DTM_CLEAN));
	EXPECT_EQ(-EOPNOTSUPP, dtm_mark(&self->dev, PG(20), BM_PAGE));
	ASSERT_EQ(0, dtm_rw(&self->dev, PG(30) + 5, buf, sizeof(buf), true));
	EXPECT_EQ(0, memcmp((char *)self->mem + 30 * BM_PAGE + 5, buf,
			    sizeof(buf)));
	ASSERT_EQ(0, dtm_rw(&self->dev, PG(30) + 5, back, sizeof(back),
			    false));
	EXPECT_EQ(0, memcmp(back, buf, sizeof(buf)));
	ipins(_metadata, self, 4, 4);
	/* unmap with the pins held: the device unpins from dma_unmap */
	ASSERT_EQ(0, vfio_dma_unmap(&self->io, IOVA_A, NPAGES * BM_PAGE));
	ASSERT_EQ(0, dtm_info(&self->dev, &info));
	EXPECT_EQ(0, info.pinned_dirty + info.pinned_clean);
	EXPECT_EQ(8, info.unmap_unpins);
}

static int ipin_walk(struct __test_metadata *_metadata,
		     FIXTURE_DATA(iommufd_dtm) *self, __u32 flags,
		     struct fail_nth_state *_nth_state)
{
	int ret;

	if (!nth())
		ASSERT_EQ(0, vfio_dma_map(&self->io, IOVA_A, self->mem,
					  NPAGES * BM_PAGE, VFIO_DMA_RW));
	fail_nth_enable();
	ret = dtm_pin(&self->dev, PG(PIN_FIRST), PIN_N, flags);
	fail_nth_disable();
	if (!ret)
		EXPECT_EQ(0, dtm_unpin(&self->dev, PG(PIN_FIRST), PIN_N,
				       flags));
	ipins(_metadata, self, 0, 0);
	return ret;
}

TEST_FAIL_NTH(iommufd_dtm, pin_dirty)
{
	return ipin_walk(_metadata, self, 0, _nth_state);
}

TEST_FAIL_NTH(iommufd_dtm, pin_clean)
{
	return ipin_walk(_metadata, self, DTM_CLEAN, _nth_state);
}

/* IOAS_UNMAP with pins held: iommufd calls the device's dma_unmap */
TEST_FAIL_NTH(iommufd_dtm, unmap_with_pins)
{
	int ret, e;

	ASSERT_EQ(0, vfio_dma_map(&self->io, IOVA_A, self->mem,
				  NPAGES * BM_PAGE, VFIO_DMA_RW));
	ASSERT_EQ(0, dtm_pin(&self->dev, PG(UNMAP_PIN), 1, 0));
	ASSERT_EQ(0, dtm_pin(&self->dev, PG(3), 2, DTM_CLEAN));
	fail_nth_enable();
	ret = vfio_dma_unmap(&self->io, IOVA_A, NPAGES * BM_PAGE);
	fail_nth_disable();
	if (ret) {
		/*
		 * iommufd copies the result out after unmapping: a fault
		 * there (-EFAULT) leaves nothing to retry (-ENOENT).
		 */
		e = vfio_dma_unmap(&self->io, IOVA_A, NPAGES * BM_PAGE);
		EXPECT_TRUE(!e || (ret == -EFAULT && e == -ENOENT))
			TH_LOG("retried IOAS_UNMAP after %d: %d", ret, e);
	}
	ipins(_metadata, self, 0, 0);
	return ret;
}

/* the sample vGPU bound to iommufd: GTT pins, a command, its writes */
FIXTURE(iommufd_vgpu) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
};

FIXTURE_SETUP(iommufd_vgpu)
{
	int ret;

	if (access("/dev/iommu", F_OK))
		SKIP(return, "no /dev/iommu (IOMMUFD off)");
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ret = vgpu_mdev_create(VGPU_TYPE_SMALL, self->uuid);
	if (!ret)
		ret = vgpu_open_mode(&self->g, self->uuid, VFIO_MODE_IOMMUFD);
	if (ret && self->uuid[0])
		mdev_remove(self->uuid);
	ASSERT_EQ(0, ret) TH_LOG("the vGPU bound to iommufd");
}

FIXTURE_TEARDOWN(iommufd_vgpu)
{
	vgpu_close(&self->g);
	mdev_remove(self->uuid);
}

TEST_F(iommufd_vgpu, gtt_pins_fill_fence_unmap)
{
	__u32 c[16], n = 0, *data;

	ASSERT_EQ(0, vgpu_map_mem(&self->g, CMD_IOVA,
				  CMD_PAGES * VGPU_PAGE_SIZE));
	ASSERT_EQ(0, vgpu_map_mem(&self->g, DATA_IOVA,
				  DATA_PAGES * VGPU_PAGE_SIZE));
	ASSERT_EQ(0, vgpu_gtt_map(&self->g, 0, CMD_IOVA, CMD_PAGES));
	ASSERT_EQ(0, vgpu_gtt_map(&self->g, DATA_ENTRY, DATA_IOVA,
				  DATA_PAGES));
	ASSERT_EQ(0, vgpu_ring_setup(&self->g, 0, RING_SIZE));
	n += vgpu_cmd_fill(c + n, DATA_GTT + 0x1000, 0x2000, 0x12345678);
	n += vgpu_cmd_fence(c + n, DATA_GTT + 0x8000, 77, false);
	test_vgpu_run_ok(&self->g, c, n);
	data = vgpu_iova_ptr(&self->g, DATA_IOVA);
	EXPECT_EQ(0x12345678, data[0x1000 / 4]);
	EXPECT_EQ(0x12345678, data[0x2ffc / 4]);
	EXPECT_EQ(77, data[0x8000 / 4]);
	/* unmap the data while the GTT holds its pages pinned */
	ASSERT_EQ(0, vfio_dma_unmap(&self->g.iommu, DATA_IOVA,
				    DATA_PAGES * VGPU_PAGE_SIZE));
	EXPECT_EQ(CMD_PAGES, vgpu_counter(self->uuid, "pages_pinned"));
}

/* after the iommufd checks and walks */
TEST_F_TIMEOUT(iommufd_vgpu, kmemleak, KMEMLEAK_TIMEOUT)
{
	kmemleak_check(_metadata);
}

/* GFP_KERNEL allocations are skipped by default; count them all. */
static void fault_knobs(void)
{
	static const char *const w[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "1" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "1" },
		{ "/sys/kernel/debug/fail_usercopy/verbose", "1" },
	};
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (vfio_sysfs_write(w[i][0], w[i][1]))
			ksft_print_msg("cannot set %s\n", w[i][0]);
}

static void print_totals(void)
{
	printf("# faults injected: %lu over %lu walks\n", totals->faults,
	       totals->walks);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (access("/proc/thread-self/fail-nth", F_OK) && !dry_run()) {
		printf("1..0 # SKIP no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)\n");
		return 0;
	}
	if (!dry_run())
		fault_knobs();
	totals = mmap(NULL, sizeof(*totals), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (totals == MAP_FAILED)
		return 1;
	atexit(print_totals);	/* the harness exits */
	return test_harness_run(argc, argv);
}
