// SPDX-License-Identifier: GPL-2.0
/*
 * dirty_faults - fault injection over the fine-grained dirty tracking paths
 *
 * Runs inside the debug-kernel VM (scripts/debug/check-debug.sh) with the
 * patched modules, the test mdev and the sample vGPU loaded.  For each
 * operation it walks /proc/thread-self/fail-nth = 1, 2, ... N until the
 * call succeeds without an injected fault (failslab, fail_page_alloc and
 * fail_usercopy all count).  After every injected fault it checks:
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
 * and, after each operation's walk, asks kmemleak for a scan (KMEMLEAK=1).
 * TAP output, one line per operation; "# faults injected: N" at the end.
 *
 * Not a *_test.c: it is not part of `make check`.  FAULTS_DRY=1 on a
 * kernel without fault injection runs each call once (the checks only).
 * FAULTS_VERBOSE=1 prints every step.  Argument: all (default), dtm, vgpu,
 * iommufd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>
#include <linux/iommufd.h>
#include "dirty_test_mdev.h"
#include "vgpu_test_common.h"

#define PAGE		4096UL
#define IOVA_A		0x100000UL
#define PAGES_A		100		/* B's first page lands on bit 100 */
#define PAGES_B		37
#define IOVA_B		(IOVA_A + PAGES_A * PAGE)
#define NPAGES		(PAGES_A + PAGES_B)
#define PG(i)		(IOVA_A + (uint64_t)(i) * PAGE)
#define NW		((NPAGES + 63) / 64 + 1)	/* +1: catch stray bits */
#define MAX_NTH		4000
#define DTM_TYPES	"/sys/class/mdev_bus/vfio_dirty_test/mdev_supported_types"

typedef struct { uint64_t w[NW]; } bm_t;

static int fail_fd = -1;
static unsigned long total_faults, total_ops, failed_ops;
static int tap_no;
static bool verbose;

/* --- helpers ------------------------------------------------------------ */

static int neg(void) { return -errno; }

static void pg_set(bm_t *b, unsigned int pg) { b->w[pg / 64] |= 1ULL << (pg % 64); }
static void bm_range(bm_t *b, unsigned int first, unsigned int n)
{
	while (n--)
		pg_set(b, first++);
}
static bool bm_sub(const bm_t *a, const bm_t *b)	/* a subset of b */
{
	for (int i = 0; i < NW; i++)
		if (a->w[i] & ~b->w[i])
			return false;
	return true;
}
static bm_t bm_or(bm_t a, const bm_t *b)
{
	for (int i = 0; i < NW; i++)
		a.w[i] |= b->w[i];
	return a;
}
static bool bm_empty(const bm_t *a)
{
	for (int i = 0; i < NW; i++)
		if (a->w[i])
			return false;
	return true;
}
static const char *bm_str(const bm_t *b)
{
	static char s[4][1024];
	static int k;
	char *p = s[k++ % 4];
	size_t o = 0;

	o += snprintf(p, 1024, "{");
	for (int i = 0; i < NW * 64 && o < 1000; i++)
		if (b->w[i / 64] >> (i % 64) & 1)
			o += snprintf(p + o, 1024 - o, "%d,", i);
	snprintf(p + o - (o > 1), 4, "}");
	return p;
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return neg();
	if (write(fd, val, strlen(val)) < 0)
		ret = neg();
	close(fd);
	return ret;
}

/* --- fail-nth --------------------------------------------------------------- */

static void arm(int nth)
{
	char b[16];
	int n = snprintf(b, sizeof(b), "%d", nth);

	if (fail_fd < 0)	/* dry run */
		return;
	if (pwrite(fail_fd, b, n, 0) != n) {
		perror("fail-nth");
		exit(2);
	}
}

/*
 * Did the armed fault fire?  fail-nth reads 0 once it has; a value left
 * over means the call made fewer calls to injection points.  (If the read's
 * own copy-out consumes the last count, the read fails: not injected.)
 */
static bool disarm(void)
{
	char b[16] = "";
	ssize_t n;
	bool fired;

	if (fail_fd < 0)
		return false;
	n = pread(fail_fd, b, sizeof(b) - 1, 0);
	fired = n > 0 && b[0] == '0';
	/*
	 * Writing 0 copies from user space: with a count left, that copy can
	 * be the injected fault (-EFAULT), which leaves the count at 0 anyway.
	 */
	for (int i = 0; pwrite(fail_fd, "0", 1, 0) != 1; i++) {
		if (errno != EFAULT || i == 2) {
			perror("fail-nth");
			exit(2);
		}
	}
	return fired;
}

/* --- a failing check inside a walk ---------------------------------------- */

static char why[2048];
static bool bad;

static void flag(const char *fmt, ...)
{
	va_list ap;
	size_t o = strlen(why);

	bad = true;
	if (o > sizeof(why) - 200)
		return;
	va_start(ap, fmt);
	vsnprintf(why + o, sizeof(why) - o, fmt, ap);
	va_end(ap);
	strcat(why, "; ");
}

/* --- the test mdev setup ------------------------------------------------- */

struct dctx {
	int container, group, dev;
	char uuid[37];
	void *mem;
	bool mapped_a, mapped_b;
	bm_t canary;
};

static int dtm_create(const char *type, char uuid[37])
{
	static unsigned int seq;
	char path[256];

	snprintf(uuid, 37, "%08x-0000-4000-8000-%012x", getpid(), ++seq);
	snprintf(path, sizeof(path), DTM_TYPES "/vfio_dirty_test-%s/create", type);
	return sysfs_write(path, uuid);
}

static int mdev_remove(const char *uuid)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", uuid);
	return sysfs_write(path, "1");
}

static int mdev_group(const char *uuid)
{
	char path[256], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return neg();
	link[n] = 0;
	return atoi(strrchr(link, '/') + 1);
}

static int map_dma(int c, uint64_t iova, void *va, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .vaddr = (uintptr_t)va, .iova = iova, .size = size,
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	};

	return ioctl(c, VFIO_IOMMU_MAP_DMA, &m) ? neg() : 0;
}

static int unmap_dma(int c, uint64_t iova, uint64_t size, bm_t *bits)
{
	char buf[sizeof(struct vfio_iommu_type1_dma_unmap) +
		 sizeof(struct vfio_bitmap)] = {};
	struct vfio_iommu_type1_dma_unmap *u = (void *)buf;
	struct vfio_bitmap *b = (void *)u->data;

	u->argsz = bits ? sizeof(buf) : sizeof(*u);
	u->iova = iova;
	u->size = size;
	if (bits) {
		u->flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
		b->pgsize = PAGE;
		b->size = (size / PAGE + 63) / 64 * 8;
		b->data = (__u64 *)bits->w;
	}
	return ioctl(c, VFIO_IOMMU_UNMAP_DMA, u) ? neg() : 0;
}

static int dirty_ctl(int c, uint32_t flag)
{
	struct vfio_iommu_type1_dirty_bitmap d = { .argsz = sizeof(d), .flags = flag };

	return ioctl(c, VFIO_IOMMU_DIRTY_PAGES, &d) ? neg() : 0;
}

static int get_bitmap(int c, uint64_t iova, uint64_t npages, bm_t *bits)
{
	char buf[sizeof(struct vfio_iommu_type1_dirty_bitmap) +
		 sizeof(struct vfio_iommu_type1_dirty_bitmap_get)] = {};
	struct vfio_iommu_type1_dirty_bitmap *d = (void *)buf;
	struct vfio_iommu_type1_dirty_bitmap_get *g = (void *)d->data;

	memset(bits, 0, sizeof(*bits));
	d->argsz = sizeof(buf);
	d->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	g->iova = iova;
	g->size = npages * PAGE;
	g->bitmap.pgsize = PAGE;
	g->bitmap.size = (npages + 63) / 64 * 8;
	g->bitmap.data = (__u64 *)bits->w;
	return ioctl(c, VFIO_IOMMU_DIRTY_PAGES, buf) ? neg() : 0;
}

static int dtm_pin(int dev, uint64_t iova, uint64_t n, uint32_t flags, bool unpin)
{
	struct dtm_pin p = { .argsz = sizeof(p), .flags = flags, .iova = iova, .npages = n };

	return ioctl(dev, unpin ? DTM_UNPIN : DTM_PIN, &p) ? neg() : 0;
}

static int dtm_mark(int dev, uint64_t iova, uint64_t len)
{
	struct dtm_mark m = { .argsz = sizeof(m), .iova = iova, .length = len };

	return ioctl(dev, DTM_MARK, &m) ? neg() : 0;
}

static int dtm_rw(int dev, uint64_t iova, void *data, uint64_t len)
{
	struct dtm_rw rw = { .argsz = sizeof(rw), .flags = DTM_WRITE, .iova = iova,
			     .length = len, .data = (uintptr_t)data };

	return ioctl(dev, DTM_RW, &rw) ? neg() : 0;
}

static int dtm_info(int dev, struct dtm_info *i)
{
	memset(i, 0, sizeof(*i));
	i->argsz = sizeof(*i);
	return ioctl(dev, DTM_INFO, i) ? neg() : 0;
}

static int dctx_open(struct dctx *c, const char *type)
{
	char path[64];
	int ret;

	memset(c, 0, sizeof(*c));
	c->container = c->group = c->dev = -1;
	ret = dtm_create(type, c->uuid);
	if (ret)
		return ret;
	c->container = open("/dev/vfio/vfio", O_RDWR);
	snprintf(path, sizeof(path), "/dev/vfio/%d", mdev_group(c->uuid));
	c->group = open(path, O_RDWR);
	if (c->container < 0 || c->group < 0)
		return -ENODEV;
	if (ioctl(c->group, VFIO_GROUP_SET_CONTAINER, &c->container) ||
	    ioctl(c->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return neg();
	c->dev = ioctl(c->group, VFIO_GROUP_GET_DEVICE_FD, c->uuid);
	if (c->dev < 0)
		return neg();
	c->mem = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c->mem == MAP_FAILED)
		return -ENOMEM;
	memset(c->mem, 0x5a, NPAGES * PAGE);
	if ((ret = map_dma(c->container, IOVA_A, c->mem, PAGES_A * PAGE)) ||
	    (ret = map_dma(c->container, IOVA_B, (char *)c->mem + PAGES_A * PAGE,
			   PAGES_B * PAGE)))
		return ret;
	c->mapped_a = c->mapped_b = true;
	/* canary: both edges of both mappings and the word boundaries */
	static const unsigned int canary[] = { 0, 3, 63, 64, 99, 100, 101, 127, 128, 136 };
	for (size_t i = 0; i < sizeof(canary) / sizeof(canary[0]); i++)
		pg_set(&c->canary, canary[i]);
	return dirty_ctl(c->container, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
}

static void dctx_close(struct dctx *c)
{
	if (c->dev >= 0)
		close(c->dev);
	if (c->group >= 0)
		close(c->group);
	if (c->container >= 0)
		close(c->container);
	if (c->mem && c->mem != MAP_FAILED)
		munmap(c->mem, NPAGES * PAGE);
	if (c->uuid[0])
		mdev_remove(c->uuid);
}

static bm_t mapped_mask(struct dctx *c)
{
	bm_t m = {};

	if (c->mapped_a)
		bm_range(&m, 0, PAGES_A);
	if (c->mapped_b)
		bm_range(&m, PAGES_A, PAGES_B);
	return m;
}

/* Report over what is mapped (A, B or both) into @r, page numbers from A. */
static int report(struct dctx *c, bm_t *r)
{
	bm_t t;
	int ret;

	memset(r, 0, sizeof(*r));
	if (c->mapped_a && c->mapped_b)
		return get_bitmap(c->container, IOVA_A, NPAGES, r);
	if (c->mapped_a)
		return get_bitmap(c->container, IOVA_A, PAGES_A, r);
	if (c->mapped_b) {
		ret = get_bitmap(c->container, IOVA_B, PAGES_B, &t);
		for (unsigned int i = 0; !ret && i < PAGES_B; i++)
			if (t.w[i / 64] >> (i % 64) & 1)
				pg_set(r, PAGES_A + i);
		return ret;
	}
	return 0;
}

/* Start of an iteration: nothing pending, then the canary marked dirty. */
static bm_t primed;	/* the canary pages marked (those mapped) */
static int prime(struct dctx *c)
{
	bm_t r, m = mapped_mask(c);
	int ret = report(c, &r);

	primed = m;
	for (int i = 0; i < NW; i++)
		primed.w[i] &= c->canary.w[i];

	for (unsigned int p = 0; !ret && p < NPAGES; p++)
		if ((c->canary.w[p / 64] >> (p % 64) & 1) && (m.w[p / 64] >> (p % 64) & 1))
			ret = dtm_mark(c->dev, PG(p), 1);
	return ret;
}

/*
 * After the call: the next report holds every canary page still mapped,
 * plus @must, nothing outside canary | @may, and a second report is empty.
 */
static void verify_bits(struct dctx *c, const bm_t *must, const bm_t *may,
			const bm_t *extra_reported)
{
	bm_t r, r2, m = mapped_mask(c), want = primed, allow;
	int ret;

	for (int i = 0; i < NW; i++)
		want.w[i] &= m.w[i];
	want = bm_or(want, must);
	allow = bm_or(bm_or(c->canary, may), must);
	ret = report(c, &r);
	if (ret) {
		flag("report after the call failed: %d", ret);
		return;
	}
	if (extra_reported)
		r = bm_or(r, extra_reported);
	if (!bm_sub(&want, &r))
		flag("dirty bits lost: want %s, reported %s", bm_str(&want), bm_str(&r));
	if (!bm_sub(&r, &allow))
		flag("unexpected bits: reported %s, allowed %s", bm_str(&r), bm_str(&allow));
	if ((ret = report(c, &r2)) || !bm_empty(&r2))
		flag("second report not empty (%d): %s", ret, bm_str(&r2));
}

static void verify_no_pins(struct dctx *c)
{
	struct dtm_info i;
	int ret = dtm_info(c->dev, &i);

	if (ret || i.pinned_dirty || i.pinned_clean)
		flag("test mdev pin count after the call: %d dirty %llu clean %llu",
		     ret, (unsigned long long)i.pinned_dirty,
		     (unsigned long long)i.pinned_clean);
}

/* --- the walker ---------------------------------------------------------- */

struct op {
	const char *name;
	int (*setup)(void *ctx);			/* not injected */
	int (*call)(void *ctx);				/* injected */
	void (*after)(void *ctx, int ret, bool fired);	/* checks + undo */
};

/* After a group of walks: a kmemleak scan must find nothing (KMEMLEAK=1). */
static void kmemleak_check(const char *name)
{
	char buf[4096];
	int fd;
	ssize_t n;

	if (!getenv("KMEMLEAK"))
		return;
	why[0] = 0;
	bad = false;
	sleep(6);	/* kmemleak ignores objects younger than 5 s */
	if (sysfs_write("/sys/kernel/debug/kmemleak", "scan"))
		return;
	fd = open("/sys/kernel/debug/kmemleak", O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		printf("# kmemleak after %s:\n%s\n", name, buf);
		sysfs_write("/sys/kernel/debug/kmemleak", "clear");
		failed_ops++;
		printf("not ok %d kmemleak after the %s walks\n", ++tap_no, name);
	} else {
		printf("ok %d kmemleak after the %s walks: nothing\n", ++tap_no, name);
	}
}

static void walk(const struct op *op, void *ctx)
{
	unsigned long faults = 0, absorbed = 0;
	int errs[8] = {}, err_val[8] = {}, nerr = 0;
	int nth, ret = 0;
	bool fired = false;
	char hist[256] = "";

	why[0] = 0;
	bad = false;
	total_ops++;
	for (nth = 1; nth <= MAX_NTH; nth++) {
		if ((ret = op->setup(ctx))) {
			flag("setup failed at nth=%d: %d", nth, ret);
			break;
		}
		arm(nth);
		ret = op->call(ctx);
		fired = disarm();
		if (verbose)
			printf("#   %s nth=%d ret=%d fired=%d\n", op->name, nth, ret, fired);
		if (fired) {
			faults++;
			if (!ret) {
				absorbed++;
			} else {
				int k;

				for (k = 0; k < nerr && err_val[k] != ret; k++)
					;
				if (k == nerr && nerr < 8)
					err_val[nerr++] = ret;
				if (k < 8)
					errs[k]++;
				if (ret > 0)
					flag("nth=%d: returned %d, not an errno", nth, ret);
			}
		} else if (ret) {
			flag("fails without an injected fault: %d", ret);
		}
		op->after(ctx, ret, fired);
		if (bad && !strstr(why, "nth=")) {
			char tmp[32];

			snprintf(tmp, sizeof(tmp), "(at nth=%d) ", nth);
			strncat(why, tmp, sizeof(why) - strlen(why) - 1);
		}
		if (bad || !fired)
			break;
	}
	if (nth > MAX_NTH)
		flag("still failing after %d faults", MAX_NTH);
	total_faults += faults;
	for (int k = 0; k < nerr; k++)
		snprintf(hist + strlen(hist), sizeof(hist) - strlen(hist), "%s%s x%d",
			 k ? ", " : "", strerror(-err_val[k]), errs[k]);
	printf("# %s: %lu faults injected (%lu absorbed)%s%s\n", op->name, faults,
	       absorbed, nerr ? ", errors: " : "", hist);
	if (bad) {
		failed_ops++;
		printf("not ok %d fault %s # %s\n", ++tap_no, op->name, why);
	} else {
		printf("ok %d fault %s (%lu faults)\n", ++tap_no, op->name, faults);
	}
	fflush(stdout);
}

static void skip(const char *name, const char *reason)
{
	printf("ok %d fault %s # SKIP %s\n", ++tap_no, name, reason);
}

/* --- test mdev operations ------------------------------------------------- */

static struct dctx D;
static bool dev_reports;	/* "reporting" type: DEVICE scope */
static uint32_t op_flags;
static bm_t op_report;		/* what the call itself reported */

static int setup_prime(void *ctx) { return prime(ctx); }

/* pin 6 pages across the A/B boundary (one vfio_pin_pages() each) */
#define PIN_FIRST	97
#define PIN_N		6
static int call_pin(void *ctx)
{
	struct dctx *c = ctx;

	return dtm_pin(c->dev, PG(PIN_FIRST), PIN_N, op_flags, false);
}

static void after_pin(void *ctx, int ret, bool fired)
{
	struct dctx *c = ctx;
	bm_t none = {}, r = {};
	/* in DEVICE scope a clean pin never dirties; otherwise every pin does */
	bool clean = (op_flags & DTM_CLEAN) && dev_reports;

	bm_range(&r, PIN_FIRST, PIN_N);
	if (!ret) {
		int u = dtm_pin(c->dev, PG(PIN_FIRST), PIN_N, op_flags, true);

		if (u)
			flag("unpin after a successful pin: %d", u);
	}
	verify_no_pins(c);
	verify_bits(c, !ret && !clean ? &r : &none, clean ? &none : &r, NULL);
}

static int call_mark(void *ctx)
{
	struct dctx *c = ctx;

	/* pages 10..20, partial pages at both ends */
	return dtm_mark(c->dev, PG(10) + 100, 10 * PAGE);
}

static void after_mark(void *ctx, int ret, bool fired)
{
	bm_t r = {}, none = {};

	bm_range(&r, 10, 11);
	verify_bits(ctx, ret ? &none : &r, &r, NULL);
}

static char rwbuf[3 * PAGE];
static int call_rw(void *ctx)
{
	struct dctx *c = ctx;

	/* pages 98..100: crosses into B */
	return dtm_rw(c->dev, PG(98) + 8, rwbuf, 2 * PAGE);
}

static void after_rw(void *ctx, int ret, bool fired)
{
	bm_t r = {}, none = {};

	bm_range(&r, 98, 3);
	verify_bits(ctx, ret ? &none : &r, &r, NULL);
}

/* GET_BITMAP over A+B (B shifted by 36 bits in the user's bitmap) or A */
static uint64_t gb_pages;
static int call_getbitmap(void *ctx)
{
	struct dctx *c = ctx;

	return get_bitmap(c->container, IOVA_A, gb_pages, &op_report);
}

static void after_getbitmap(void *ctx, int ret, bool fired)
{
	struct dctx *c = ctx;
	bm_t none = {}, want = c->canary, m = {};

	bm_range(&m, 0, gb_pages);
	for (int i = 0; i < NW; i++)
		want.w[i] &= m.w[i];
	if (!ret) {
		/* this call was the report: exactly the canary */
		if (memcmp(&op_report, &want, sizeof(want)))
			flag("report %s, want %s", bm_str(&op_report), bm_str(&want));
		verify_bits(c, &none, &none, &want);
	} else {
		/*
		 * A failed report must leave every bit for the next one.
		 * (What it wrote into the user's buffer before failing is not
		 * a report: user space discards it on error.)
		 */
		verify_bits(c, &none, &none, NULL);
	}
}

/* DIRTY_PAGES START with tracking off (allocates every mapping's bitmap) */
static int setup_start(void *ctx)
{
	struct dctx *c = ctx;

	return dirty_ctl(c->container, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
}

static int call_start(void *ctx)
{
	struct dctx *c = ctx;

	return dirty_ctl(c->container, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
}

static void after_start(void *ctx, int ret, bool fired)
{
	struct dctx *c = ctx;
	bm_t r, none = {};
	int e;

	if (ret) {
		/* tracking must be off: a report is refused */
		e = get_bitmap(c->container, IOVA_A, NPAGES, &r);
		if (e != -EINVAL)
			flag("GET_BITMAP after a failed START: %d, want -EINVAL", e);
		e = dirty_ctl(c->container, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
		if (e)
			flag("START after a failed START: %d", e);
	}
	e = prime(c);
	if (e)
		flag("mark after START: %d", e);
	verify_bits(c, &none, &none, NULL);
}

/* MAP_DMA of B while tracking (allocates the vfio_dma and its bitmap) */
static int setup_map(void *ctx)
{
	struct dctx *c = ctx;
	int ret = 0;

	if (c->mapped_b) {
		ret = unmap_dma(c->container, IOVA_B, PAGES_B * PAGE, NULL);
		if (!ret)
			c->mapped_b = false;
	}
	return ret ? ret : prime(c);
}

static int call_map(void *ctx)
{
	struct dctx *c = ctx;

	return map_dma(c->container, IOVA_B, (char *)c->mem + PAGES_A * PAGE,
		       PAGES_B * PAGE);
}

static void after_map(void *ctx, int ret, bool fired)
{
	struct dctx *c = ctx;
	bm_t none = {};
	int e = dtm_mark(c->dev, IOVA_B, PAGE);

	if (!ret && e)
		flag("mark in B after a successful MAP_DMA: %d", e);
	if (ret && e != -EINVAL)
		flag("mark in B after a failed MAP_DMA: %d, want -EINVAL", e);
	c->mapped_b = !ret;
	if (!ret) {
		bm_t b0 = {};

		pg_set(&b0, PAGES_A);
		verify_bits(c, &b0, &none, NULL);
	} else {
		verify_bits(c, &none, &none, NULL);
	}
}

/*
 * UNMAP_DMA of A+B with GET_DIRTY_BITMAP while the device holds a dirty pin
 * in B: the unmap notifies the device, which unpins from dma_unmap.
 */
#define UNMAP_PIN	120
static bm_t unmap_bits;
static int setup_unmap(void *ctx)
{
	struct dctx *c = ctx;
	int ret = 0;

	if (!c->mapped_a && !(ret = map_dma(c->container, IOVA_A, c->mem, PAGES_A * PAGE)))
		c->mapped_a = true;
	if (!ret && !c->mapped_b &&
	    !(ret = map_dma(c->container, IOVA_B, (char *)c->mem + PAGES_A * PAGE,
			    PAGES_B * PAGE)))
		c->mapped_b = true;
	if (!ret)
		ret = prime(c);
	if (!ret)
		ret = dtm_pin(c->dev, PG(UNMAP_PIN), 1, 0, false);
	memset(&unmap_bits, 0, sizeof(unmap_bits));
	return ret;
}

static int call_unmap(void *ctx)
{
	struct dctx *c = ctx;

	return unmap_dma(c->container, IOVA_A, NPAGES * PAGE, &unmap_bits);
}

static void after_unmap(void *ctx, int ret, bool fired)
{
	struct dctx *c = ctx;
	bm_t want = c->canary, r2 = {};
	int e;

	pg_set(&want, UNMAP_PIN);
	if (ret) {
		/*
		 * Whatever the failed call removed was reported into the
		 * user's bitmap; what it left must be reported by a retry.
		 */
		bool a = dtm_mark(c->dev, IOVA_A, 1) != -EINVAL;
		bool b = dtm_mark(c->dev, IOVA_B + PAGE * 30, 1) != -EINVAL;

		/* the marks above dirtied pages 0 and 130 if still mapped */
		if (a)
			pg_set(&want, 0);
		if (b)
			pg_set(&want, 130);
		if (a && !b)
			flag("A still mapped but B unmapped");
		e = unmap_dma(c->container, IOVA_A, NPAGES * PAGE, &r2);
		if (e)
			flag("retried UNMAP_DMA: %d", e);
		if (!a && !b) {
			/* everything was removed; the call reported it all */
		}
		r2 = bm_or(r2, &unmap_bits);
	} else {
		r2 = unmap_bits;
	}
	c->mapped_a = c->mapped_b = false;
	if (!bm_sub(&want, &r2))
		flag("dirty bits lost over unmap: want %s, got %s", bm_str(&want), bm_str(&r2));
	pg_set(&want, 130);
	if (!bm_sub(&r2, &want))
		flag("unexpected bits over unmap: got %s", bm_str(&r2));
	verify_no_pins(c);
}

/* --- sample vGPU operations ---------------------------------------------- */

#define VGPU_TYPES	"/sys/class/mdev_bus/" VGPU_PARENT "/mdev_supported_types"
static char vuuid[VGPU_UUID_LEN];
static int create_fd = -1;
static long avail_before;

static int setup_vcreate(void *ctx)
{
	static unsigned int seq;

	snprintf(vuuid, sizeof(vuuid), "%08x-1111-4000-8000-%012x", getpid(), ++seq);
	avail_before = vgpu_available(VGPU_TYPE_SMALL);
	create_fd = open(VGPU_TYPES "/" VGPU_TYPE_SMALL "/create", O_WRONLY);
	return create_fd < 0 ? neg() : 0;
}

static int call_vcreate(void *ctx)
{
	return write(create_fd, vuuid, strlen(vuuid)) < 0 ? neg() : 0;
}

static void after_vcreate(void *ctx, int ret, bool fired)
{
	char path[256];
	bool exists;

	close(create_fd);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", vuuid);
	exists = access(path, F_OK) == 0;
	if (ret && exists)
		flag("instance exists after a failed create (%d)", ret);
	if (!ret && !exists)
		flag("no instance after a successful create");
	if (exists && vgpu_mdev_remove(vuuid))
		flag("remove failed");
	if (vgpu_available(VGPU_TYPE_SMALL) != avail_before)
		flag("available_instances %ld, was %ld",
		     vgpu_available(VGPU_TYPE_SMALL), avail_before);
}

/* open: VFIO_GROUP_GET_DEVICE_FD (first open of the instance) */
static struct vgpu G;
static int vgroup_fd = -1, vcont_fd = -1, vdev_fd = -1;
static char vdev_uuid[VGPU_UUID_LEN];

static int setup_vopen(void *ctx)
{
	char path[64];

	vcont_fd = open("/dev/vfio/vfio", O_RDWR);
	snprintf(path, sizeof(path), "/dev/vfio/%d", mdev_group(vdev_uuid));
	vgroup_fd = open(path, O_RDWR);
	if (vcont_fd < 0 || vgroup_fd < 0)
		return -ENODEV;
	if (ioctl(vgroup_fd, VFIO_GROUP_SET_CONTAINER, &vcont_fd) ||
	    ioctl(vcont_fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return neg();
	return 0;
}

static int call_vopen(void *ctx)
{
	vdev_fd = ioctl(vgroup_fd, VFIO_GROUP_GET_DEVICE_FD, vdev_uuid);
	return vdev_fd < 0 ? neg() : 0;
}

static void after_vopen(void *ctx, int ret, bool fired)
{
	if (vdev_fd >= 0)
		close(vdev_fd);
	close(vgroup_fd);
	close(vcont_fd);
	vdev_fd = vgroup_fd = vcont_fd = -1;
	/* the instance opens normally afterwards */
	if (vgpu_open(&G, vdev_uuid))
		flag("vgpu_open after the walk step failed");
	else if (vgpu_reg(&G, VGPU_REG_ID) != VGPU_ID_MAGIC)
		flag("vGPU ID register wrong after a failed open");
	vgpu_close(&G);
}

/* open with the group already in a container: SET_CONTAINER + SET_IOMMU */
static int setup_vattach(void *ctx)
{
	char path[64];

	vcont_fd = open("/dev/vfio/vfio", O_RDWR);
	snprintf(path, sizeof(path), "/dev/vfio/%d", mdev_group(vdev_uuid));
	vgroup_fd = open(path, O_RDWR);
	return vcont_fd < 0 || vgroup_fd < 0 ? -ENODEV : 0;
}

static int call_vattach(void *ctx)
{
	if (ioctl(vgroup_fd, VFIO_GROUP_SET_CONTAINER, &vcont_fd) ||
	    ioctl(vcont_fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return neg();
	return 0;
}

/* migration: with a set-up instance (memory, GTT, ring) */
static int mig_data_fd = -1;
static char *mig_stream;
static long mig_len;

static int mig_state(struct vgpu *g)
{
	__u32 s = ~0u;

	return vgpu_mig_get(g, &s) ? -1 : (int)s;
}

/*
 * Back to RUNNING: the natural transitions first (STOP_COPY/RESUMING ->
 * STOP -> RUNNING), VFIO_DEVICE_RESET (which returns a migratable device
 * to RUNNING) if one fails or the device is in ERROR.
 */
static int mig_recover(struct vgpu *g)
{
	for (int i = 0; i < 4; i++) {
		int s = mig_state(g), next;

		if (s == VFIO_DEVICE_STATE_RUNNING)
			return 0;
		if (s == VFIO_DEVICE_STATE_STOP_COPY || s == VFIO_DEVICE_STATE_RESUMING)
			next = VFIO_DEVICE_STATE_STOP;
		else if (s == VFIO_DEVICE_STATE_STOP || s == VFIO_DEVICE_STATE_PRE_COPY)
			next = VFIO_DEVICE_STATE_RUNNING;
		else
			next = -1;	/* ERROR or unreadable */
		if (next < 0 || vgpu_mig_set(g, next, NULL))
			if (vgpu_reset(g))
				return -EIO;
	}
	return mig_state(g) == VFIO_DEVICE_STATE_RUNNING ? 0 : -EIO;
}

static int mig_from, mig_to;

static int setup_mig_set(void *ctx)
{
	int ret = mig_recover(&G);

	if (!ret && mig_from == VFIO_DEVICE_STATE_STOP)
		ret = vgpu_mig_set(&G, VFIO_DEVICE_STATE_STOP, NULL);
	mig_data_fd = -1;
	return ret;
}

static int call_mig_set(void *ctx)
{
	return vgpu_mig_set(&G, mig_to, &mig_data_fd);
}

static void after_mig(void *ctx, int ret, bool fired)
{
	int s = mig_state(&G);

	/*
	 * A failed transition leaves the original state or ERROR, except
	 * that VFIO core copies the result out after the driver moved: a
	 * fault there (-EFAULT) leaves the new state (the uAPI allows "some
	 * other state along the transition path").
	 */
	if (ret && s != mig_from && s != VFIO_DEVICE_STATE_ERROR &&
	    !(ret == -EFAULT && s == mig_to))
		flag("state %d after a failed transition %d->%d (%d)", s, mig_from,
		     mig_to, ret);
	if (!ret && s != mig_to)
		flag("state %d after a successful transition to %d", s, mig_to);
	if (mig_data_fd >= 0) {
		if (!ret && mig_to == VFIO_DEVICE_STATE_STOP_COPY &&
		    vgpu_mig_read_all(mig_data_fd, mig_stream, 1 << 22) <= 0)
			flag("stream read after STOP_COPY failed");
		close(mig_data_fd);
		mig_data_fd = -1;
	}
	if (mig_recover(&G))
		flag("device does not return to RUNNING");
}

static int setup_mig_read(void *ctx)
{
	int ret = mig_recover(&G);

	if (!ret)
		ret = vgpu_mig_set(&G, VFIO_DEVICE_STATE_STOP, NULL);
	if (!ret)
		ret = vgpu_mig_set(&G, VFIO_DEVICE_STATE_STOP_COPY, &mig_data_fd);
	return ret;
}

static int call_mig_read(void *ctx)
{
	long n = vgpu_mig_read_all(mig_data_fd, mig_stream, 1 << 22);

	return n < 0 ? (int)n : 0;
}

static void after_mig_read(void *ctx, int ret, bool fired)
{
	close(mig_data_fd);
	mig_data_fd = -1;
	if (mig_recover(&G))
		flag("device does not return to RUNNING after a failed read");
}

/* RESUMING: write the saved stream, then RESUMING -> STOP loads it */
static int setup_mig_resume(void *ctx)
{
	int ret = mig_recover(&G);

	if (!ret)
		ret = vgpu_mig_set(&G, VFIO_DEVICE_STATE_STOP, NULL);
	if (!ret)
		ret = vgpu_mig_set(&G, VFIO_DEVICE_STATE_RESUMING, &mig_data_fd);
	return ret;
}

static int call_mig_resume(void *ctx)
{
	int ret = vgpu_mig_write_all(mig_data_fd, mig_stream, mig_len);

	if (ret < 0)
		return ret;
	return vgpu_mig_set(&G, VFIO_DEVICE_STATE_STOP, NULL);
}

static void after_mig_resume(void *ctx, int ret, bool fired)
{
	int s = mig_state(&G);

	close(mig_data_fd);
	mig_data_fd = -1;
	/* as in after_mig(): a fault copying the result out leaves STOP */
	if (ret && s != VFIO_DEVICE_STATE_RESUMING &&
	    s != VFIO_DEVICE_STATE_ERROR &&
	    !(ret == -EFAULT && s == VFIO_DEVICE_STATE_STOP))
		flag("state %d after a failed resume (%d)", s, ret);
	if (mig_recover(&G))
		flag("device does not return to RUNNING after a failed resume");
	else if (vgpu_reg(&G, VGPU_REG_ID) != VGPU_ID_MAGIC)
		flag("vGPU unusable after resume");
}

/* --- iommufd (IOMMUFD=y): the group bound to /dev/iommu, no type1 ------- */

struct ictx {
	int iommufd, group, dev;
	__u32 ioas;
	char uuid[VGPU_UUID_LEN];
};

static int ictx_open(struct ictx *c, const char *uuid)
{
	struct iommu_vfio_ioas v = { .size = sizeof(v), .op = IOMMU_VFIO_IOAS_GET };
	char path[64];

	c->iommufd = open("/dev/iommu", O_RDWR);
	snprintf(path, sizeof(path), "/dev/vfio/%d", mdev_group(uuid));
	c->group = open(path, O_RDWR);
	c->dev = -1;
	if (c->iommufd < 0 || c->group < 0)
		return -ENODEV;
	/* a group accepts an iommufd in place of a container */
	if (ioctl(c->group, VFIO_GROUP_SET_CONTAINER, &c->iommufd))
		return neg();
	c->dev = ioctl(c->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (c->dev < 0)
		return neg();
	if (ioctl(c->iommufd, IOMMU_VFIO_IOAS, &v))
		return neg();
	c->ioas = v.ioas_id;
	return 0;
}

static void ictx_close(struct ictx *c)
{
	if (c->dev >= 0)
		close(c->dev);
	if (c->group >= 0)
		close(c->group);
	if (c->iommufd >= 0)
		close(c->iommufd);
	c->dev = c->group = c->iommufd = -1;
}

static int ioas_map(struct ictx *c, uint64_t iova, void *va, uint64_t len)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m), .ioas_id = c->ioas, .user_va = (uintptr_t)va,
		.length = len, .iova = iova,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_READABLE,
	};

	return ioctl(c->iommufd, IOMMU_IOAS_MAP, &m) ? neg() : 0;
}

static int ioas_unmap(struct ictx *c, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = c->ioas,
				      .iova = iova, .length = len };

	return ioctl(c->iommufd, IOMMU_IOAS_UNMAP, &u) ? neg() : 0;
}

static struct ictx I;
static void *imem;

static int setup_ipin(void *ctx) { return 0; }
static int call_ipin(void *ctx)
{
	return dtm_pin(I.dev, PG(PIN_FIRST), PIN_N, op_flags, false);
}

static void after_ipin(void *ctx, int ret, bool fired)
{
	struct dtm_info i;

	if (!ret && dtm_pin(I.dev, PG(PIN_FIRST), PIN_N, op_flags, true))
		flag("unpin after a successful pin failed");
	if (dtm_info(I.dev, &i) || i.pinned_dirty || i.pinned_clean)
		flag("pins left: %llu dirty %llu clean",
		     (unsigned long long)i.pinned_dirty, (unsigned long long)i.pinned_clean);
}

/* IOAS_UNMAP with pins held: iommufd calls the device's dma_unmap */
static int setup_iunmap(void *ctx)
{
	int ret = ioas_map(&I, IOVA_A, imem, NPAGES * PAGE);

	if (!ret)
		ret = dtm_pin(I.dev, PG(UNMAP_PIN), 1, 0, false);
	if (!ret)
		ret = dtm_pin(I.dev, PG(3), 2, DTM_CLEAN, false);
	return ret;
}

static int call_iunmap(void *ctx)
{
	return ioas_unmap(&I, IOVA_A, NPAGES * PAGE);
}

static void after_iunmap(void *ctx, int ret, bool fired)
{
	struct dtm_info i;

	if (ret) {
		int e = ioas_unmap(&I, IOVA_A, NPAGES * PAGE);

		/*
		 * iommufd copies the result out after unmapping: a fault
		 * there (-EFAULT) leaves nothing to retry (-ENOENT).
		 */
		if (e && !(ret == -EFAULT && e == -ENOENT))
			flag("retried IOAS_UNMAP after %d: %d", ret, e);
	}
	if (dtm_info(I.dev, &i) || i.pinned_dirty || i.pinned_clean)
		flag("pins left after IOAS_UNMAP: %llu dirty %llu clean",
		     (unsigned long long)i.pinned_dirty, (unsigned long long)i.pinned_clean);
}

static void iommufd_ops(void)
{
	char uuid[37], buf[64] = "", back[64] = "";
	struct dtm_info info;
	struct op o;
	int n0 = tap_no, ret;

	if (access("/dev/iommu", F_OK)) {
		skip("iommufd", "no /dev/iommu (IOMMUFD off)");
		return;
	}
	/* the test mdev: pins, marks and vfio_dma_rw() through iommufd */
	if ((ret = dtm_create("reporting", uuid)) || (ret = ictx_open(&I, uuid))) {
		printf("not ok %d iommufd: test mdev bound to iommufd: %d\n", ++tap_no, ret);
		failed_ops++;
		ictx_close(&I);
		if (uuid[0])
			mdev_remove(uuid);
		return;
	}
	imem = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	why[0] = 0;
	bad = false;
	if ((ret = ioas_map(&I, IOVA_A, imem, NPAGES * PAGE)))
		flag("IOAS_MAP: %d", ret);
	if ((ret = dtm_pin(I.dev, PG(10), 4, 0, false)))
		flag("dirty pin: %d", ret);
	if ((ret = dtm_pin(I.dev, PG(10), 4, DTM_CLEAN, false)))
		flag("clean pin: %d", ret);
	/* iommufd tracks nothing for emulated devices: a mark is a no-op */
	if ((ret = dtm_mark(I.dev, PG(20), PAGE)))
		flag("mark: %d, want 0", ret);
	strcpy(buf, "written through iommufd_access_rw");
	if ((ret = dtm_rw(I.dev, PG(30) + 5, buf, sizeof(buf))))
		flag("rw write: %d", ret);
	else if (memcmp((char *)imem + 30 * PAGE + 5, buf, sizeof(buf)))
		flag("vfio_dma_rw() write did not reach memory");
	{
		struct dtm_rw rw = { .argsz = sizeof(rw), .iova = PG(30) + 5,
				     .length = sizeof(back), .data = (uintptr_t)back };

		if (ioctl(I.dev, DTM_RW, &rw) || memcmp(back, buf, sizeof(buf)))
			flag("rw read back failed");
	}
	if (dtm_info(I.dev, &info) || info.pinned_dirty != 4 || info.pinned_clean != 4)
		flag("pins held %llu/%llu, want 4/4",
		     (unsigned long long)info.pinned_dirty, (unsigned long long)info.pinned_clean);
	/* unmap with the pins held: the device unpins from dma_unmap */
	if ((ret = ioas_unmap(&I, IOVA_A, NPAGES * PAGE)))
		flag("IOAS_UNMAP with pins held: %d", ret);
	if (dtm_info(I.dev, &info) || info.pinned_dirty || info.pinned_clean ||
	    info.unmap_unpins != 8)
		flag("after unmap: pins %llu/%llu, unpinned from dma_unmap %llu (want 8)",
		     (unsigned long long)info.pinned_dirty,
		     (unsigned long long)info.pinned_clean,
		     (unsigned long long)info.unmap_unpins);
	if (bad) {
		failed_ops++;
		printf("not ok %d iommufd: test mdev # %s\n", ++tap_no, why);
	} else {
		printf("ok %d iommufd: test mdev pins, marks, rw, unmap with pins\n", ++tap_no);
	}

	if (fail_fd >= 0 || getenv("FAULTS_DRY")) {
		if (ioas_map(&I, IOVA_A, imem, NPAGES * PAGE) == 0) {
			op_flags = 0;
			o = (struct op){ "iommufd DTM_PIN dirty", setup_ipin, call_ipin, after_ipin };
			walk(&o, NULL);
			op_flags = DTM_CLEAN;
			o = (struct op){ "iommufd DTM_PIN clean", setup_ipin, call_ipin, after_ipin };
			walk(&o, NULL);
			ioas_unmap(&I, IOVA_A, NPAGES * PAGE);
		}
		o = (struct op){ "iommufd IOAS_UNMAP with pins", setup_iunmap, call_iunmap, after_iunmap };
		walk(&o, NULL);
	}
	ictx_close(&I);
	munmap(imem, NPAGES * PAGE);
	mdev_remove(uuid);

	/* the sample vGPU bound to iommufd: GTT pins, a command, its writes */
	if (access("/sys/class/mdev_bus/" VGPU_PARENT, F_OK)) {
		skip("iommufd vgpu", "sample_vgpu not loaded");
		return;
	}
	why[0] = 0;
	bad = false;
	memset(&G, 0, sizeof(G));
	G.container = G.group = G.device = G.irq_fd = -1;
	if ((ret = vgpu_mdev_create(VGPU_TYPE_SMALL, vdev_uuid)) ||
	    (ret = ictx_open(&I, vdev_uuid))) {
		flag("vGPU bound to iommufd: %d", ret);
	} else {
		struct vfio_region_info ri = { .argsz = sizeof(ri),
					       .index = VFIO_PCI_BAR0_REGION_INDEX };
		__u32 c[16], n = 0, err = ~0u;
		const struct { __u64 iova; __u32 pages; } m[2] = {
			{ CMD_IOVA, CMD_PAGES }, { DATA_IOVA, DATA_PAGES } };

		G.container = I.iommufd;
		G.group = I.group;
		G.device = I.dev;
		if (ioctl(G.device, VFIO_DEVICE_GET_REGION_INFO, &ri))
			flag("BAR0 region info: %d", -errno);
		G.bar0_off = ri.offset;
		G.gtt_entries = vgpu_reg(&G, VGPU_REG_GTT_ENTRIES);
		G.ring_max = vgpu_reg(&G, VGPU_REG_RING_MAX);
		G.caps = vgpu_reg(&G, VGPU_REG_CAPS);
		if (vgpu_reg(&G, VGPU_REG_ID) != VGPU_ID_MAGIC)
			flag("ID register through iommufd-bound device");
		for (int i = 0; i < 2 && !bad; i++) {
			G.mem[i].host = mmap(NULL, m[i].pages * PAGE, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
			G.mem[i].iova = m[i].iova;
			G.mem[i].size = m[i].pages * PAGE;
			if ((ret = ioas_map(&I, m[i].iova, G.mem[i].host, G.mem[i].size)))
				flag("IOAS_MAP: %d", ret);
		}
		if (!bad && ((ret = vgpu_gtt_map(&G, 0, CMD_IOVA, CMD_PAGES)) ||
			     (ret = vgpu_gtt_map(&G, DATA_ENTRY, DATA_IOVA, DATA_PAGES)) ||
			     (ret = vgpu_ring_setup(&G, 0, RING_SIZE))))
			flag("GTT/ring setup through iommufd pins: %d", ret);
		if (!bad) {
			n += vgpu_cmd_fill(c + n, DATA_GTT + 0x1000, 0x2000, 0x12345678);
			n += vgpu_cmd_fence(c + n, DATA_GTT + 0x8000, 77, false);
			if ((ret = vgpu_run(&G, c, n, &err)) || err)
				flag("command run: %d, error 0x%x", ret, err);
			else if (((__u32 *)G.mem[1].host)[0x1000 / 4] != 0x12345678 ||
				 ((__u32 *)G.mem[1].host)[0x2ffc / 4] != 0x12345678 ||
				 ((__u32 *)G.mem[1].host)[0x8000 / 4] != 77)
				flag("fill/fence did not reach guest memory");
		}
		/* unmap the data while the GTT holds its pages pinned */
		if (!bad && (ret = ioas_unmap(&I, DATA_IOVA, DATA_PAGES * PAGE)))
			flag("IOAS_UNMAP under GTT pins: %d", ret);
		if (!bad && vgpu_counter(vdev_uuid, "pages_pinned") != CMD_PAGES)
			flag("pages_pinned %ld after unmapping the data, want %d",
			     vgpu_counter(vdev_uuid, "pages_pinned"), CMD_PAGES);
	}
	vgpu_close(&G);		/* closes I's fds and unmaps G.mem */
	I.iommufd = I.group = I.dev = -1;
	if (vdev_uuid[0] && vgpu_mdev_remove(vdev_uuid))
		flag("remove");
	if (bad) {
		failed_ops++;
		printf("not ok %d iommufd: sample vGPU # %s\n", ++tap_no, why);
	} else {
		printf("ok %d iommufd: sample vGPU GTT pins, fill + fence, unmap under pins\n",
		       ++tap_no);
	}
	kmemleak_check("iommufd");
	(void)n0;
}

/* --- main ---------------------------------------------------------------- */

static void dtm_ops(const char *type)
{
	char name[64];
	int ret;

	dev_reports = !strcmp(type, "reporting");
	ret = dctx_open(&D, type);
	if (ret) {
		printf("not ok %d fault setup (%s): %d\n", ++tap_no, type, ret);
		failed_ops++;
		dctx_close(&D);
		return;
	}
#define OP(n, s, c, a) do {						\
		struct op o = { name, s, c, a };			\
		snprintf(name, sizeof(name), "%s %s", type, n);		\
		walk(&o, &D);						\
	} while (0)
	op_flags = 0;
	OP("DTM_PIN dirty", setup_prime, call_pin, after_pin);
	op_flags = DTM_CLEAN;
	OP("DTM_PIN clean", setup_prime, call_pin, after_pin);
	OP("DTM_MARK", setup_prime, call_mark, after_mark);
	OP("DTM_RW write", setup_prime, call_rw, after_rw);
	gb_pages = PAGES_A;
	OP("GET_BITMAP one mapping", setup_prime, call_getbitmap, after_getbitmap);
	gb_pages = NPAGES;
	OP("GET_BITMAP two mappings", setup_prime, call_getbitmap, after_getbitmap);
	OP("DIRTY_PAGES START", setup_start, call_start, after_start);
	OP("MAP_DMA tracking", setup_map, call_map, after_map);
	OP("UNMAP_DMA GET_DIRTY_BITMAP", setup_unmap, call_unmap, after_unmap);
#undef OP
	dctx_close(&D);
	snprintf(name, sizeof(name), "test mdev %s", type);
	kmemleak_check(name);
}

static void vgpu_ops(void)
{
	struct op o;

	if (access("/sys/class/mdev_bus/" VGPU_PARENT, F_OK)) {
		skip("vgpu", "sample_vgpu not loaded");
		return;
	}
	o = (struct op){ "vgpu create", setup_vcreate, call_vcreate, after_vcreate };
	walk(&o, NULL);

	if (vgpu_mdev_create(VGPU_TYPE_SMALL, vdev_uuid)) {
		printf("not ok %d fault vgpu setup\n", ++tap_no);
		failed_ops++;
		return;
	}
	o = (struct op){ "vgpu attach", setup_vattach, call_vattach, after_vopen };
	walk(&o, NULL);
	o = (struct op){ "vgpu open", setup_vopen, call_vopen, after_vopen };
	walk(&o, NULL);
	vgpu_mdev_remove(vdev_uuid);

	/* migration on an instance with memory, GTT and ring set up */
	if (vgpu_test_setup(&G, VGPU_TYPE_SMALL, vdev_uuid)) {
		printf("not ok %d fault vgpu migration setup\n", ++tap_no);
		failed_ops++;
		vgpu_test_teardown(&G, vdev_uuid);
		return;
	}
	mig_stream = malloc(1 << 22);
	if (!(G.caps & VGPU_CAP_MIGRATION)) {
		skip("vgpu migration", "no VGPU_CAP_MIGRATION");
	} else {
		mig_from = VFIO_DEVICE_STATE_RUNNING;
		mig_to = VFIO_DEVICE_STATE_STOP;
		o = (struct op){ "vgpu mig RUNNING->STOP", setup_mig_set, call_mig_set, after_mig };
		walk(&o, NULL);
		mig_from = VFIO_DEVICE_STATE_STOP;
		mig_to = VFIO_DEVICE_STATE_STOP_COPY;
		o = (struct op){ "vgpu mig STOP->STOP_COPY", setup_mig_set, call_mig_set, after_mig };
		walk(&o, NULL);
		o = (struct op){ "vgpu mig read stream", setup_mig_read, call_mig_read, after_mig_read };
		walk(&o, NULL);
		/* a good stream to resume from */
		if (setup_mig_read(NULL) ||
		    (mig_len = vgpu_mig_read_all(mig_data_fd, mig_stream, 1 << 22)) <= 0) {
			printf("not ok %d fault vgpu mig save\n", ++tap_no);
			failed_ops++;
		} else {
			after_mig_read(NULL, 0, false);
			o = (struct op){ "vgpu mig RESUMING+STOP", setup_mig_resume,
					 call_mig_resume, after_mig_resume };
			walk(&o, NULL);
		}
		if (mig_recover(&G))
			printf("# vgpu: device not RUNNING at the end\n");
	}
	vgpu_test_teardown(&G, vdev_uuid);
	free(mig_stream);
	kmemleak_check("sample vGPU");
}

static void fault_knobs(void)
{
	/* GFP_KERNEL allocations are skipped by default; count them all. */
	static const char *const w[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "1" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "1" },
		{ "/sys/kernel/debug/fail_usercopy/verbose", "1" },
	};

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (sysfs_write(w[i][0], w[i][1]))
			printf("# cannot set %s\n", w[i][0]);
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "all";

	setvbuf(stdout, NULL, _IOLBF, 0);
	verbose = getenv("FAULTS_VERBOSE");
	fail_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fail_fd < 0 && !getenv("FAULTS_DRY")) {
		printf("1..0 # SKIP no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)\n");
		return 0;
	}
	/* FAULTS_DRY=1 without fault injection: each call once, checks only */
	if (fail_fd >= 0)
		fault_knobs();
	printf("TAP version 13\n");
	if (!strcmp(only, "all") || !strcmp(only, "dtm")) {
		if (access(DTM_TYPES, F_OK)) {
			skip("dtm", "dirty_test_mdev not loaded");
		} else {
			dtm_ops("reporting");
			dtm_ops("plain");
		}
	}
	if (!strcmp(only, "all") || !strcmp(only, "vgpu"))
		vgpu_ops();
	if (!strcmp(only, "all") || !strcmp(only, "iommufd"))
		iommufd_ops();
	printf("1..%d\n", tap_no);
	printf("# faults injected: %lu over %lu operations, %lu failed\n",
	       total_faults, total_ops, failed_ops);
	return failed_ops ? 1 : 0;
}
