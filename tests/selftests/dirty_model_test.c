// SPDX-License-Identifier: GPL-2.0-only
/*
 * dirty_model_test.c - random sequences over type1 and the test mdev,
 * every dirty report checked against a reference model of BRIEF section 3
 *
 *   dirty_model_test [-s SEED] [-t SECONDS] [-n STEPS] [-v]
 *
 * Two type1 containers with three test mdev instances each (reporting and
 * plain kinds mixed), four IOVA windows per container (one read-only at
 * times, one above 4 GiB).  Random steps: map and unmap (with and without
 * GET_DIRTY_BITMAP), pin and unpin with either intent and read-only,
 * marks, vfio_dma_rw() writes and reads, writes the way a reporting device
 * makes them (pin clean, write, mark, unpin; or kept pinned and marked
 * later, at a flush, at dma_unmap or at close), tracking on and off,
 * reports, device close and reopen.
 *
 * The model is a test oracle, written from BRIEF section 3 and the v2
 * rules (docs/design.rst), not from type1: per container, the pages
 * dirtied since the last report, and per page and device the pins that
 * make it dirty (a pin with IOMMU_WRITE, unless the device reports its
 * writes and asked for a clean pin) and the others; an unpin releases one
 * of the device's own pins, a clean one first.  It predicts every call's
 * result and every report's exact bitmap:
 *   report = pages dirtied since the last report (marks, vfio_dma_rw()
 *            writes, dirtying pins taken while tracking)
 *          + pages a dirtying pin holds now;
 * after a report only the second part stays.  Marks and writes while
 * tracking is off record nothing.  The container's advisory flag says
 * DEVICE scope exactly while every attached device reports its writes.
 * Any difference fails, with the seed and the last steps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "libdtm.h"
#include "libvfio.h"
#include "../vgpu/randrun.h"

#define NCONT		2
#define NDEV		3
#define NWIN		4
#define WPAGES		64
#define PG		4096ull
#define MAXPIN		8

static const __u64 wbase[NWIN] = {
	0x100000, 0x1000000, 0x40000000, 0x100000000ull,
};

struct deferred {	/* a DTM_DEV_WRITE_DEFER: pinned, marked later */
	int w;		/* -1: none */
	__u32 first, n;
};

struct mdev {
	char uuid[VFIO_UUID_LEN];
	char name[8];		/* C<container>D<device>, in the trace */
	bool reports;
	bool open;
	struct vfio_dev dev;
	/* type1's accounting of this device's pins, per page */
	__u16 dirtying[NWIN][WPAGES], clean[NWIN][WPAGES];
	/* the test mdev's pin records: taken with and without DTM_CLEAN */
	__u16 own[2][NWIN][WPAGES];
	/* its one deferred write (pinned clean, not in the records) */
	struct deferred defer;
};

struct cont {
	struct vfio_iommu io;
	bool tracking;
	bool mapped[NWIN], ro[NWIN];
	void *mem[NWIN];
	uint64_t pend[NWIN];		/* dirtied since the last report */
	struct mdev dev[NDEV];
};

static struct cont conts[NCONT];
#define CI(c)	((int)((c) - conts))

static struct {
	long steps, reports, bits, maps, unmaps, pins, unpins, marks, rws,
	     dev_writes, deferred, flushes, tracking, reopens, refused;
} cov;

/* ---- the model ---- */

/* does a pin of @dev with @flags make its page dirty while held? */
static bool makes_dirty(const struct mdev *dev, __u32 flags)
{
	if (flags & DTM_READONLY)
		return false;	/* no IOMMU_WRITE: never dirty */
	return !(dev->reports && (flags & DTM_CLEAN));
}

static bool held_dirty(const struct cont *c, int w, __u32 p)
{
	int d;

	for (d = 0; d < NDEV; d++)
		if (c->dev[d].dirtying[w][p])
			return true;
	return false;
}

/* a page dirtied now: recorded only while tracking */
static void dirty(struct cont *c, int w, __u32 p)
{
	if (c->tracking)
		bm_set(&c->pend[w], p);
}

/*
 * The pages of [@first, @first + @n) of window @w all mapped (writable):
 * type1 checks them in order, so the first page's problem wins (the
 * window's, since @first is in it), then a page past the window.
 */
static int range_ok(const struct cont *c, int w, __u32 first, __u32 n,
		    bool write)
{
	if (!c->mapped[w])
		return -EINVAL;
	if (write && c->ro[w])
		return -EPERM;
	return first + n > WPAGES ? -EINVAL : 0;
}

/* what a report of window @w must hold, and what stays dirty after it */
static uint64_t expect_report(struct cont *c, int w)
{
	uint64_t want = c->pend[w];
	__u32 p;

	for (p = 0; p < WPAGES; p++)
		if (held_dirty(c, w, p))
			bm_set(&want, p);
	return want;
}

static void after_report(struct cont *c, int w)
{
	__u32 p;

	c->pend[w] = 0;
	for (p = 0; p < WPAGES; p++)
		if (held_dirty(c, w, p))
			dirty(c, w, p);
}

/* type1 takes a pin of @m on a page, dirtying or not */
static void t1_pin(struct cont *c, struct mdev *m, int w, __u32 p,
		   bool dirtying)
{
	if (dirtying) {
		m->dirtying[w][p]++;
		dirty(c, w, p);
	} else {
		m->clean[w][p]++;
	}
}

/* and releases one of @m's pins of the page: a clean one first */
static void t1_unpin(struct mdev *m, int w, __u32 p)
{
	if (m->clean[w][p])
		m->clean[w][p]--;
	else
		m->dirtying[w][p]--;
}

/* DTM_PIN of pages [first, first + n) that all pin */
static void model_pin(struct cont *c, struct mdev *m, int w, __u32 first,
		      __u32 n, __u32 flags)
{
	__u32 p;

	for (p = first; p < first + n; p++) {
		t1_pin(c, m, w, p, makes_dirty(m, flags));
		m->own[!!(flags & DTM_CLEAN)][w][p]++;
	}
}

/* a record of the device goes: its own count, and type1's pin */
static void model_unpin_page(struct mdev *m, int w, __u32 p, bool flag_clean)
{
	m->own[flag_clean][w][p]--;
	t1_unpin(m, w, p);
}

/*
 * Pins taken one page after another until one fails, then undone: the
 * pages pinned meanwhile were dirtied if the pins made them dirty
 * (unpinning clears no bit), and each unpin released one of the device's
 * pins of the page, a clean one first: where the device already held a
 * clean pin, type1 now holds the dirtying one in its place.  @ok: the
 * pages that pinned.
 */
static void model_pins_undone(struct cont *c, struct mdev *m, int w,
			      __u32 first, __u32 ok, bool dirtying)
{
	__u32 p;

	for (p = first; p < first + ok; p++) {
		t1_pin(c, m, w, p, dirtying);
		t1_unpin(m, w, p);
	}
}

/* the deferred write is marked, then its pins go */
static void model_flush(struct cont *c, struct mdev *m)
{
	struct deferred *d = &m->defer;
	__u32 p;

	if (d->w < 0)
		return;
	for (p = d->first; p < d->first + d->n; p++) {
		dirty(c, d->w, p);
		t1_unpin(m, d->w, p);
	}
	d->w = -1;
}

/* dma_unmap of window @w: the devices mark what they deferred, unpin */
static void model_unmap_devices(struct cont *c, int w)
{
	int d;
	__u32 p;

	for (d = 0; d < NDEV; d++) {
		struct mdev *m = &c->dev[d];

		if (m->defer.w == w)
			model_flush(c, m);
		for (p = 0; p < WPAGES; p++) {
			while (m->own[0][w][p])
				model_unpin_page(m, w, p, false);
			while (m->own[1][w][p])
				model_unpin_page(m, w, p, true);
		}
	}
}

/* ---- invariants after every step ---- */

static int attached(const struct cont *c, bool *all_report)
{
	int d, n = 0;

	*all_report = true;
	for (d = 0; d < NDEV; d++) {
		if (!c->dev[d].open)
			continue;
		n++;
		*all_report &= c->dev[d].reports;
	}
	return n;
}

static void check_cont(struct cont *c, int ci)
{
	bool all;
	int d, w, scope;
	__u32 p;

	if (attached(c, &all)) {
		scope = vfio_dirty_scope(&c->io);
		rr_check(scope == (all ? VFIO_DIRTY_SCOPE_DEVICE :
				  VFIO_DIRTY_SCOPE_PINNED),
		      "container %d: scope %s, model %s", ci,
		      vfio_dirty_scope_name(scope), all ? "device" : "pinned");
	}
	for (d = 0; d < NDEV; d++) {
		struct mdev *m = &c->dev[d];
		struct dtm_info info;
		__u64 own[2] = { 0, 0 };

		if (!m->open)
			continue;
		for (w = 0; w < NWIN; w++)
			for (p = 0; p < WPAGES; p++) {
				own[0] += m->own[0][w][p];
				own[1] += m->own[1][w][p];
			}
		rr_check(!dtm_info(&m->dev, &info) &&
		      info.pinned_dirty == own[0] && info.pinned_clean == own[1],
		      "%s: pins %llu/%llu, model %llu/%llu", m->uuid,
		      (unsigned long long)info.pinned_dirty,
		      (unsigned long long)info.pinned_clean,
		      (unsigned long long)own[0], (unsigned long long)own[1]);
	}
}

/* ---- steps ---- */

static struct cont *pick_cont(void)
{
	return &conts[rr_pick(NCONT)];
}

static struct mdev *pick_open(struct cont *c)
{
	int d = rr_pick(NDEV), k;

	for (k = 0; k < NDEV; k++, d = (d + 1) % NDEV)
		if (c->dev[d].open)
			return &c->dev[d];
	return NULL;
}

static void op_map(struct cont *c)
{
	int w = rr_pick(NWIN), ret;
	bool ro = w == 2 && rr_chance(50);

	if (c->mapped[w])
		return;
	c->mem[w] = mmap(NULL, WPAGES * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rr_check(c->mem[w] != MAP_FAILED, "mmap");
	ret = vfio_dma_map(&c->io, wbase[w], c->mem[w], WPAGES * PG,
			   ro ? VFIO_DMA_MAP_FLAG_READ : VFIO_DMA_RW);
	rr_note("C%d map W%d%s: %d", CI(c), w, ro ? " read-only" : "", ret);
	rr_check(!ret, "MAP_DMA: %d", ret);
	c->mapped[w] = true;
	c->ro[w] = ro;
	c->pend[w] = 0;
	cov.maps++;
}

static void judge(struct cont *c, int w, uint64_t got, const char *what)
{
	uint64_t want = expect_report(c, w);

	rr_check(got == want, "%s of W%d: %#llx, model %#llx (missing %#llx, extra %#llx)",
	      what, w, (unsigned long long)got, (unsigned long long)want,
	      (unsigned long long)(want & ~got),
	      (unsigned long long)(got & ~want));
	cov.bits += __builtin_popcountll(got);
	cov.reports++;
}

static void op_unmap(struct cont *c)
{
	int w = rr_pick(NWIN), ret;
	bool with_bm = c->tracking && rr_chance(50);
	uint64_t bm = 0;

	if (!c->mapped[w])
		return;
	rr_note("C%d unmap W%d%s", CI(c), w, with_bm ? " with bitmap" : "");
	/* type1 first has the devices unpin (and mark what they deferred) */
	model_unmap_devices(c, w);
	ret = with_bm ? vfio_dma_unmap_dirty(&c->io, wbase[w], WPAGES * PG,
					     &bm, sizeof(bm)) :
			vfio_dma_unmap(&c->io, wbase[w], WPAGES * PG);
	rr_check(!ret, "UNMAP_DMA: %d", ret);
	if (with_bm)
		judge(c, w, bm, "UNMAP_DMA bitmap");
	munmap(c->mem[w], WPAGES * PG);
	c->mapped[w] = false;
	c->pend[w] = 0;
	cov.unmaps++;
}

static void op_report(struct cont *c)
{
	int w = rr_pick(NWIN), ret;
	uint64_t bm = 0;

	if (!c->mapped[w])
		return;
	ret = vfio_dirty_get_pages(&c->io, wbase[w], WPAGES * PG, &bm);
	rr_note("C%d report W%d: %d %#llx", CI(c), w, ret, (unsigned long long)bm);
	if (!c->tracking) {
		rr_check(ret == -EINVAL, "GET_BITMAP with tracking off: %d", ret);
		return;
	}
	rr_check(!ret, "GET_BITMAP: %d", ret);
	judge(c, w, bm, "GET_BITMAP");
	after_report(c, w);
}

static void op_tracking(struct cont *c)
{
	bool on = rr_chance(65);
	int ret = on ? vfio_dirty_start(&c->io) : vfio_dirty_stop(&c->io);
	int w;
	__u32 p;

	rr_note("C%d tracking %s", CI(c), on ? "on" : "off");
	rr_check(!ret, "DIRTY_PAGES %s: %d", on ? "START" : "STOP", ret);
	cov.tracking++;
	if (on == c->tracking)
		return;
	c->tracking = on;
	for (w = 0; w < NWIN; w++) {
		c->pend[w] = 0;
		for (p = 0; on && c->mapped[w] && p < WPAGES; p++)
			if (held_dirty(c, w, p))
				dirty(c, w, p);
	}
}

/*
 * The pages of [@first, @first + @n) in window @w that a pin (with
 * IOMMU_WRITE if @write) or a write takes one after another before the
 * first that fails: all of them, or the ones before an unmapped page
 * (past the window) or a read-only one.
 */
static __u32 pages_ok(const struct cont *c, int w, __u32 first, __u32 n,
		      bool write)
{
	if (!c->mapped[w] || (write && c->ro[w]))
		return 0;
	return first + n <= WPAGES ? n : WPAGES - first;
}

static void op_pin(struct cont *c, struct mdev *m)
{
	static const __u32 fl[] = { 0, DTM_CLEAN, DTM_READONLY,
				    DTM_CLEAN | DTM_READONLY };
	int w = rr_pick(NWIN), want, ret;
	__u32 n = 1 + rr_pick(MAXPIN), first = rr_pick(WPAGES);
	__u32 flags = fl[rr_pick(4)];
	bool write = !(flags & DTM_READONLY);

	want = range_ok(c, w, first, n, write);
	ret = dtm_pin(&m->dev, wbase[w] + first * PG, n, flags);
	rr_note("pin %s W%d %u+%u %#x: %d", m->name, w, first, n, flags, ret);
	rr_check(ret == want, "DTM_PIN: %d, model %d", ret, want);
	cov.pins++;
	if (!ret) {
		model_pin(c, m, w, first, n, flags);
		return;
	}
	model_pins_undone(c, m, w, first, pages_ok(c, w, first, n, write),
			  makes_dirty(m, flags));
	cov.refused++;
}

static void op_unpin(struct cont *c, struct mdev *m)
{
	int w = rr_pick(NWIN), want = 0, ret;
	__u32 n = 1 + rr_pick(MAXPIN), first = rr_pick(WPAGES), p;
	bool flag_clean = rr_chance(50);

	/* mostly a range the device holds, so that unpins succeed */
	for (p = 0; p < WPAGES && rr_chance(90); p++) {
		__u32 q = (first + p) % WPAGES;

		if (m->own[flag_clean][w][q]) {
			first = q;
			break;
		}
	}
	for (p = first; p < first + n && !want; p++)
		if (p >= WPAGES || !m->own[flag_clean][w][p])
			want = -EINVAL;
	ret = dtm_unpin(&m->dev, wbase[w] + first * PG, n,
			flag_clean ? DTM_CLEAN : 0);
	rr_note("unpin %s W%d %u+%u%s: %d", m->name, w, first, n,
	     flag_clean ? " clean" : "", ret);
	rr_check(ret == want, "DTM_UNPIN: %d, model %d", ret, want);
	for (p = first; !ret && p < first + n; p++)
		model_unpin_page(m, w, p, flag_clean);
	cov.unpins++;
}

/* a byte range in a window (or past its end): partial pages round out */
static void pick_bytes(int *w, __u64 *iova, __u64 *len)
{
	*w = rr_pick(NWIN);
	*len = 1 + rr_pick(rr_chance(80) ? 3 * PG : 80 * PG);
	*iova = wbase[*w] + rr_pick(WPAGES * PG);
}

/* the pages of a byte range that starts in window @w */
static void byte_pages(int w, __u64 iova, __u64 len, __u32 *first, __u32 *n)
{
	__u64 off = iova - wbase[w];

	*first = off / PG;
	*n = (off + len - 1) / PG - *first + 1;
}

/*
 * A byte range of at most @max bytes for an access (a write if @write):
 * its window, pages, and the model's result.
 */
static int pick_access(const struct cont *c, __u64 max, bool write, int *w,
		       __u64 *iova, __u64 *len, __u32 *first, __u32 *n)
{
	pick_bytes(w, iova, len);
	if (*len > max)
		*len = max;
	byte_pages(*w, *iova, *len, first, n);
	return range_ok(c, *w, *first, *n, write);
}

static void op_mark(struct cont *c, struct mdev *m)
{
	__u64 iova, len;
	__u32 first, n, p;
	int w, want, ret;

	want = pick_access(c, ~0ull, true, &w, &iova, &len, &first, &n);
	if (!c->tracking)
		want = 0;	/* off: returns at once, records nothing */
	ret = dtm_mark(&m->dev, iova, len);
	rr_note("mark %s %#llx+%#llx: %d", m->name, (unsigned long long)iova,
	     (unsigned long long)len, ret);
	rr_check(ret == want, "DTM_MARK: %d, model %d", ret, want);
	for (p = first; !ret && c->tracking && p < first + n; p++)
		dirty(c, w, p);
	cov.marks++;
}

static void op_rw(struct cont *c, struct mdev *m)
{
	static char buf[3 * PG + 1];
	bool write = rr_chance(60);
	__u64 iova, len;
	__u32 first, n, p;
	int w, want, ret;

	want = pick_access(c, sizeof(buf), write, &w, &iova, &len, &first, &n);
	ret = dtm_rw(&m->dev, iova, buf, len, write);
	rr_note("rw %s %s %#llx+%#llx: %d", m->name, write ? "write" : "read",
	     (unsigned long long)iova, (unsigned long long)len, ret);
	/* the errno of an access outside the mappings is type1's to choose */
	rr_check(!want ? !ret : ret < 0, "DTM_RW: %d, model %d", ret, want);
	/* written chunk by chunk: what precedes a failure is written */
	if (write)
		n = pages_ok(c, w, first, n, true);
	for (p = first; write && p < first + n; p++)
		dirty(c, w, p);
	cov.rws++;
}

/*
 * A write the way a device that reports its writes makes it
 * (DTM_DEV_WRITE): the deferred one before it is flushed, the pages are
 * pinned clean one by one and written, the bytes written are marked, the
 * pins go; with DTM_DEV_WRITE_DEFER the mark and the unpins wait for a
 * flush, for dma_unmap of the range or for close.
 */
static void op_dev_write(struct cont *c, struct mdev *m)
{
	static char buf[3 * PG];
	bool defer = rr_chance(40);
	__u32 first, n, ok, p;
	__u64 iova, len;
	int w, want, ret;

	want = pick_access(c, sizeof(buf), true, &w, &iova, &len, &first, &n);
	ret = dtm_dev_write(&m->dev, iova, buf, len,
			    defer ? DTM_DEV_WRITE_DEFER : 0);
	rr_note("dev write %s%s %#llx+%#llx: %d", m->name,
		defer ? " defer" : "", (unsigned long long)iova,
		(unsigned long long)len, ret);
	rr_check(!want ? !ret : ret < 0, "DTM_DEV_WRITE: %d, model %d", ret,
		 want);
	cov.dev_writes++;
	model_flush(c, m);
	ok = ret ? pages_ok(c, w, first, n, true) : n;
	for (p = first; p < first + ok; p++)
		t1_pin(c, m, w, p, makes_dirty(m, DTM_CLEAN));
	m->defer = (struct deferred){ .w = w, .first = first, .n = ok };
	if (!ok)
		m->defer.w = -1;
	if (!ret && defer) {
		cov.deferred++;
		return;
	}
	model_flush(c, m);	/* marked (what was written), unpinned */
}

static void op_flush(struct cont *c, struct mdev *m)
{
	int ret = ioctl(m->dev.fd, DTM_FLUSH) ? -errno : 0;

	rr_note("flush %s: %d", m->name, ret);
	rr_check(!ret, "DTM_FLUSH: %d", ret);
	model_flush(c, m);
	cov.flushes++;
}

/*
 * Close the device (it flushes and unpins; its group leaves the
 * container), then maybe open it again.  The last group of a container
 * stays: without one, type1 would drop the container's mappings.
 */
static void op_reopen(struct cont *c, struct mdev *m)
{
	bool all;
	int w;
	__u32 p;

	if (m->open && attached(c, &all) == 1)
		return;
	if (!m->open) {
		rr_check(!vfio_dev_open(&m->dev, &c->io, m->uuid), "reopen %s",
		      m->uuid);
		m->open = true;
		rr_note("reopen %s", m->name);
		cov.reopens++;
		return;
	}
	rr_note("close %s", m->name);
	model_flush(c, m);
	for (w = 0; w < NWIN; w++)
		for (p = 0; p < WPAGES; p++)
			while (m->own[0][w][p] || m->own[1][w][p])
				model_unpin_page(m, w, p, !m->own[0][w][p]);
	vfio_dev_close(&m->dev);
	m->open = false;
}

static void one_step(void)
{
	struct cont *c = pick_cont();
	struct mdev *m = pick_open(c);
	__u32 r = rr_pick(100);

	if (r < 8)
		op_map(c);
	else if (r < 14)
		op_unmap(c);
	else if (r < 20)
		op_tracking(c);
	else if (r < 34)
		op_report(c);
	else if (!m || r >= 96)
		op_reopen(c, m && r < 98 ? m : &c->dev[rr_pick(NDEV)]);
	else if (r < 50)
		op_pin(c, m);
	else if (r < 62)
		op_unpin(c, m);
	else if (r < 72)
		op_mark(c, m);
	else if (r < 80)
		op_rw(c, m);
	else if (r < 92)
		op_dev_write(c, m);
	else
		op_flush(c, m);
}

/* ---- set-up, the run ---- */

static void setup(void)
{
	static const char *kinds[] = { "reporting", "plain" };
	int ci, d;

	for (ci = 0; ci < NCONT; ci++) {
		struct cont *c = &conts[ci];

		rr_check(!vfio_iommu_open(&c->io, VFIO_MODE_TYPE1), "container");
		for (d = 0; d < NDEV; d++) {
			struct mdev *m = &c->dev[d];

			/* container 0: mixed; container 1: all reporting */
			m->reports = ci == 1 || d != 2;
			snprintf(m->name, sizeof(m->name), "C%dD%d", ci, d);
			rr_check(!dtm_create(kinds[!m->reports], m->uuid),
			      "create %s", kinds[!m->reports]);
			rr_check(!vfio_dev_open(&m->dev, &c->io, m->uuid),
			      "open %s", m->uuid);
			m->open = true;
			m->defer.w = -1;
		}
	}
}

static void teardown(void)
{
	int ci, d, w;

	for (ci = 0; ci < NCONT; ci++) {
		struct cont *c = &conts[ci];

		for (d = 0; d < NDEV; d++) {
			vfio_dev_close(&c->dev[d].dev);
			mdev_remove(c->dev[d].uuid);
		}
		vfio_iommu_close(&c->io);
		for (w = 0; w < NWIN; w++)
			if (c->mapped[w])
				munmap(c->mem[w], WPAGES * PG);
	}
}

static void check_all(void)
{
	int ci;

	for (ci = 0; ci < NCONT; ci++)
		check_cont(&conts[ci], ci);
}

int main(int argc, char **argv)
{
	double t;

	if (rr_args(argc, argv, 30, false))
		return 2;
	printf("TAP version 13\n1..1\n");
	if (!dtm_present()) {
		printf("ok 1 # SKIP test mdev not loaded\n");
		return 0;
	}
	randrun.name = "dirty model";
	setup();
	t = rr_run(one_step, check_all, &cov.steps);
	teardown();
	printf("# %ld steps in %.1f s (%.0f steps/s): %ld reports (%ld dirty bits, all as the model says)\n",
	       cov.steps, t, cov.steps / t, cov.reports, cov.bits);
	printf("# maps %ld, unmaps %ld, pins %ld (%ld refused), unpins %ld, marks %ld, vfio_dma_rw %ld, device writes %ld (%ld deferred, %ld flushes), tracking changes %ld, reopens %ld\n",
	       cov.maps, cov.unmaps, cov.pins, cov.refused, cov.unpins,
	       cov.marks, cov.rws, cov.dev_writes, cov.deferred, cov.flushes,
	       cov.tracking, cov.reopens);
	printf("ok 1 dirty model: seed %u, %ld steps, %ld reports match\n",
	       randrun.seed, cov.steps, cov.reports);
	return 0;
}
