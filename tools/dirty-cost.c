// SPDX-License-Identifier: GPL-2.0-only
/*
 * dirty-cost - robust cost measurements of VFIO dirty page tracking
 *
 * Four tests, each printing one JSON object per measurement on stdout
 * (fields: docs/tools.rst):
 *
 *  bitmap  VFIO_IOMMU_DIRTY_PAGES GET_BITMAP time per query, against the
 *          mapped size (pinned count fixed) and against the pinned count
 *          (mapped size fixed).  One test mdev and container per point, all
 *          alive at once; rounds visit every point in turn (rotated start)
 *          so that drift of the machine's load hits all points alike.
 *          --clean pins with clean intent where VFIO has it (patched).
 *  mark    DTM_MARK (vfio_mark_dirty()) of 1..4096 contiguous pages on a
 *          "reporting" test mdev, tracking on and off, minus a null ioctl
 *          on the same fd (DTM_MARK with a bad flag: same copy-in and
 *          dispatch, rejected before vfio_mark_dirty()); least-squares fit
 *          of per-call and per-page cost.  Skipped under stock VFIO.
 *  tput    a workload on a sample vGPU, batches of K frames with tracking
 *          off and on alternating (off-on, on-off, ...): the median of the
 *          per-pair ratios cancels slow drift.
 *  pins    a sample vGPU's GTT populated and cleared in bulk at 4k..1M
 *          entries: pins/s, unpins/s, and the kernel memory (Slab +
 *          VmallocUsed of /proc/meminfo) the pins take per pinned page.
 *
 * Timed with CLOCK_MONOTONIC around each call (and CLOCK_THREAD_CPUTIME_ID
 * for the ioctls, whose work runs in the calling thread).  The patched /
 * stock ratio comes from two runs in one boot: --compare.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "cli.h"
#include "libdtm.h"
#include "wl_run.h"

#define PG		BM_PAGE
#define MAX_LIST	8
#define MAX_POINTS	(2 * 2 * MAX_LIST)
#define BM_IOVA		(1ull << 32)
#define MARK_MEM	(32ull << 20)
#define TPUT_BASE	0x100000ull

struct opts {
	const char *label, *wl_path, *types;
	bool bitmap, mark, tput, gtt_pins, clean;
	unsigned int rounds, batch, pairs, frames, scale, warmup;
	uint64_t mem[MAX_LIST], pins[MAX_LIST], pin_mem, mem_pins, tput_mem;
	uint64_t gtt_counts[MAX_LIST];
	int nmem, npins, ngtt;
};

struct stats {
	unsigned int n;
	double med, min, p10, p90, mean;
	double lo, hi;		/* distribution-free 95% CI of the median */
};

struct samples {
	double *v;
	unsigned int n, cap;
};

/* a test mdev in a container of its own */
struct tdev {
	char uuid[VFIO_UUID_LEN];
	const char *type;
	struct vfio_iommu io;
	struct vfio_dev d;
	int memfd;
	uint64_t size, pinned;
	bool clean;			/* the pins have clean intent */
	uint64_t *bm;
};

const char *prog = "dirty-cost";
static const char *modules = "unknown";
static struct opts o;
static char created[MAX_POINTS + 4][VFIO_UUID_LEN];
static int ncreated;

static double now_us(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* ---- statistics ---- */

static void sample_add(struct samples *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(double));
		if (!s->v)
			die("out of memory");
	}
	s->v[s->n++] = v;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* linear interpolation between closest ranks, @q in [0, 1] */
static double quantile(const double *v, unsigned int n, double q)
{
	double pos = q * (n - 1);
	unsigned int i = pos;

	return i + 1 < n ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[i];
}

/*
 * Order statistics j < k with P(x(j) <= median <= x(k)) ~ 95%: the
 * binomial(n, 1/2) normal approximation, n/2 -+ 0.98 sqrt(n) (1-based).
 */
static void median_ci(struct stats *st, const double *v, unsigned int n)
{
	double h = 0.98 * sqrt(n);
	long j = (long)(n / 2.0 - h), k = (long)(n / 2.0 + h + 1);

	if (j < 1)
		j = 1;
	if (k > n)
		k = n;
	st->lo = v[j - 1];
	st->hi = v[k - 1];
}

static struct stats stats_of(struct samples *s)
{
	struct stats st = { .n = s->n };
	unsigned int i;

	if (!s->n)
		return st;
	qsort(s->v, s->n, sizeof(double), cmp_dbl);
	for (i = 0; i < s->n; i++)
		st.mean += s->v[i] / s->n;
	st.min = s->v[0];
	st.med = quantile(s->v, s->n, 0.5);
	st.p10 = quantile(s->v, s->n, 0.1);
	st.p90 = quantile(s->v, s->n, 0.9);
	median_ci(&st, s->v, s->n);
	return st;
}

static void print_stats(const char *pfx, const struct stats *st)
{
	printf("\"%smed_us\": %.3f, \"%smin_us\": %.3f, \"%sp10_us\": %.3f, \"%sp90_us\": %.3f, \"%smean_us\": %.3f, \"%sci_lo_us\": %.3f, \"%sci_hi_us\": %.3f",
	       pfx, st->med, pfx, st->min, pfx, st->p10, pfx, st->p90, pfx,
	       st->mean, pfx, st->lo, pfx, st->hi);
}

static void print_head(const char *test)
{
	printf("{\"test\": \"%s\", \"label\": \"%s\", \"modules\": \"%s\", ",
	       test, o.label, modules);
}

/* ---- the test mdev, through the VFIO group/container uAPI ---- */

/*
 * atexit: an mdev cannot be removed while its device is open, so close
 * every descriptor this process holds (devices, groups, containers, memfds)
 * first.
 */
static void mdev_remove_all(void)
{
	int fd;

	fflush(stdout);
	for (fd = 3; fd < 4096; fd++)
		close(fd);
	while (ncreated--)
		if (mdev_remove(created[ncreated]))
			fprintf(stderr, "%s: cannot remove mdev %s\n", prog,
				created[ncreated]);
}

static void tdev_create(struct tdev *t, const char *type)
{
	int ret;

	if (ncreated == (int)(sizeof(created) / sizeof(created[0])))
		die("too many test mdevs");
	ret = dtm_create(type, t->uuid);
	if (ret)
		die("creating a vfio_dirty_test-%s mdev: %s (module dirty_test_mdev loaded?)",
		    type, strerror(-ret));
	memcpy(created[ncreated++], t->uuid, sizeof(t->uuid));
	t->type = type;
}

static void tdev_open(struct tdev *t, const char *type)
{
	int ret;

	tdev_create(t, type);
	ret = vfio_iommu_open(&t->io, VFIO_MODE_TYPE1);
	if (ret)
		die("opening /dev/vfio/vfio: %s", strerror(-ret));
	ret = vfio_dev_open(&t->d, &t->io, t->uuid);
	if (ret)
		die("opening mdev %s in a container: %s", t->uuid,
		    strerror(-ret));
}

/* memfd of @size at @iova: pages are touched only where pinned */
static void tdev_map(struct tdev *t, uint64_t iova, uint64_t size)
{
	void *va;
	int ret;

	t->memfd = memfd_create("guest-memory", 0);
	if (t->memfd < 0 || ftruncate(t->memfd, size))
		die("guest memory of %llu MiB: %s",
		    (unsigned long long)size >> 20, strerror(errno));
	va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, t->memfd, 0);
	if (va == MAP_FAILED)
		die("mmap of %llu MiB: %s", (unsigned long long)size >> 20,
		    strerror(errno));
	ret = vfio_dma_map(&t->io, iova, va, size, VFIO_DMA_RW);
	if (ret)
		die("VFIO_IOMMU_MAP_DMA of %llu MiB: %s",
		    (unsigned long long)size >> 20, strerror(-ret));
	t->size = size;
}

static bool tdev_is_stock(struct tdev *t);

/* pins of the first @npages pages from @iova: dirty intent, or --clean */
static void tdev_pin(struct tdev *t, uint64_t iova, uint64_t npages)
{
	uint32_t flags = o.clean && !tdev_is_stock(t) ? DTM_CLEAN : 0;
	uint64_t done, n;
	int ret;

	for (done = 0; done < npages; done += n) {
		n = npages - done;
		if (n > DTM_MAX_PIN_PAGES)
			n = DTM_MAX_PIN_PAGES;
		ret = dtm_pin(&t->d, iova + done * PG, n, flags);
		if (ret)
			die("DTM_PIN of %llu pages: %s",
			    (unsigned long long)n, strerror(-ret));
	}
	t->pinned = npages;
	t->clean = flags & DTM_CLEAN;
}

/* GET_BITMAP into a pre-faulted bitmap, as given (not cleared) */
static int get_bitmap(struct vfio_iommu *io, uint64_t iova, uint64_t size,
		      uint64_t *bm)
{
	return vfio_dirty_get(io, iova, size, PG, bm,
			      bm_words(size / PG) * 8);
}

static bool tdev_is_stock(struct tdev *t)
{
	struct dtm_info info;
	int ret = dtm_info(&t->d, &info);

	if (ret)
		die("DTM_INFO: %s", strerror(-ret));
	return info.flags & DTM_INFO_STOCK;
}

/* ---- bitmap: GET_BITMAP per query ---- */

struct bm_point {
	struct tdev td;
	const char *series;
	struct samples wall, cpu;
	uint64_t dirty;
};

static void bm_point_setup(struct bm_point *pt, const char *type,
			   const char *series, uint64_t size, uint64_t pins)
{
	uint64_t words = bm_words(size / PG);

	pt->series = series;
	tdev_open(&pt->td, type);
	tdev_map(&pt->td, BM_IOVA, size);
	if (pins > size / PG)
		die("%llu pins do not fit in %llu MiB",
		    (unsigned long long)pins, (unsigned long long)size >> 20);
	if (pins)
		tdev_pin(&pt->td, BM_IOVA, pins);
	pt->td.bm = malloc(words * 8);
	if (!pt->td.bm)
		die("out of memory");
	memset(pt->td.bm, 0, words * 8);	/* no faults in timed copies */
	if (vfio_dirty_start(&pt->td.io))
		die("VFIO_IOMMU_DIRTY_PAGES START: %s", strerror(errno));
}

static void bm_query(struct bm_point *pt, bool keep)
{
	double c0 = now_us(CLOCK_THREAD_CPUTIME_ID), w0, w1;
	int ret;

	w0 = now_us(CLOCK_MONOTONIC);
	ret = get_bitmap(&pt->td.io, BM_IOVA, pt->td.size, pt->td.bm);
	w1 = now_us(CLOCK_MONOTONIC);
	if (ret)
		die("GET_BITMAP of %llu MiB: %s",
		    (unsigned long long)pt->td.size >> 20, strerror(-ret));
	if (!keep)
		return;
	sample_add(&pt->cpu, now_us(CLOCK_THREAD_CPUTIME_ID) - c0);
	sample_add(&pt->wall, w1 - w0);
}

static void bm_print(struct bm_point *pt)
{
	struct stats w = stats_of(&pt->wall), c = stats_of(&pt->cpu);

	pt->dirty = bm_count(pt->td.bm, pt->td.size / PG);
	print_head("bitmap");
	printf("\"type\": \"%s\", \"series\": \"%s\", \"scope\": \"%s\", \"mem_bytes\": %llu, \"pinned\": %llu, \"clean\": %s, \"dirty_bits\": %llu, \"samples\": %u, ",
	       pt->td.type, pt->series, vfio_dirty_scope_name(vfio_dirty_scope(&pt->td.io)),
	       (unsigned long long)pt->td.size,
	       (unsigned long long)pt->td.pinned,
	       pt->td.clean ? "true" : "false",
	       (unsigned long long)pt->dirty, w.n);
	print_stats("", &w);
	printf(", \"cpu_med_us\": %.3f, \"cpu_min_us\": %.3f}\n", c.med,
	       c.min);
}

static bool in_mem_series(uint64_t size, uint64_t pins)
{
	int i;

	for (i = 0; i < o.nmem; i++)
		if (o.mem[i] == size && o.mem_pins == pins)
			return true;
	return false;
}

static int bm_points(struct bm_point *pts, const char *type)
{
	int i, n = 0;

	for (i = 0; i < o.nmem; i++)
		bm_point_setup(&pts[n++], type, "mem", o.mem[i], o.mem_pins);
	for (i = 0; i < o.npins; i++)
		if (!in_mem_series(o.pin_mem, o.pins[i]))
			bm_point_setup(&pts[n++], type, "pins", o.pin_mem,
				       o.pins[i]);
	return n;
}

static void test_bitmap(void)
{
	static struct bm_point pts[MAX_POINTS];
	char types[64], *t, *save;
	unsigned int r, b;
	int n = 0, i, k;

	snprintf(types, sizeof(types), "%s", o.types);
	for (t = strtok_r(types, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n + o.nmem + o.npins > MAX_POINTS)
			die("--types: at most two types");
		n += bm_points(pts + n, strdup(t));
	}
	fprintf(stderr, "bitmap: %d points, %u rounds of %u queries each\n",
		n, o.rounds, o.batch);
	for (k = 0; k < n; k++)			/* one untimed pass */
		for (b = 0; b < o.batch; b++)
			bm_query(&pts[k], false);
	for (r = 0; r < o.rounds; r++) {
		for (k = 0; k < n; k++) {
			i = (k + r) % n;
			bm_query(&pts[i], false);	/* warm caches */
			for (b = 0; b < o.batch; b++)
				bm_query(&pts[i], true);
		}
	}
	for (i = 0; i < n; i++)
		bm_print(&pts[i]);
}

/* ---- mark: vfio_mark_dirty() per call and per page ---- */

static const uint64_t mark_pages[] = { 0, 1, 16, 256, 4096 };	/* 0: null */
#define NMARK	(sizeof(mark_pages) / sizeof(mark_pages[0]))

struct mark_dev {
	struct tdev td;
	bool tracking;
	struct samples wall[NMARK], cpu[NMARK];
	struct stats w[NMARK], c[NMARK];
};

static void mark_call(struct mark_dev *m, unsigned int k)
{
	struct dtm_mark mk = { .argsz = sizeof(mk), .iova = BM_IOVA,
			       .length = mark_pages[k] * PG,
			       .flags = k ? 0 : ~0u };
	double c0 = now_us(CLOCK_THREAD_CPUTIME_ID), w0, w1;
	int ret;

	w0 = now_us(CLOCK_MONOTONIC);
	ret = ioctl(m->td.d.fd, DTM_MARK, &mk);
	w1 = now_us(CLOCK_MONOTONIC);
	sample_add(&m->cpu[k], now_us(CLOCK_THREAD_CPUTIME_ID) - c0);
	sample_add(&m->wall[k], w1 - w0);
	if (!k && (!ret || errno != EINVAL))
		die("null DTM_MARK: expected EINVAL, got %s",
		    ret ? strerror(errno) : "success");
	if (k && ret)
		die("DTM_MARK of %llu pages: %s",
		    (unsigned long long)mark_pages[k], strerror(errno));
}

/* least squares y = a + b x over the marked sizes */
static void fit(const double *y, double *a, double *b)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, x, n = NMARK - 1;
	unsigned int k;

	for (k = 1; k < NMARK; k++) {
		x = mark_pages[k];
		sx += x;
		sy += y[k];
		sxx += x * x;
		sxy += x * y[k];
	}
	*b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
	*a = (sy - *b * sx) / n;
}

static void mark_print(struct mark_dev *m)
{
	double net[NMARK], cnet[NMARK], a, b, ca, cb;
	const char *trk = m->tracking ? "on" : "off";
	unsigned int k;

	for (k = 0; k < NMARK; k++) {
		m->w[k] = stats_of(&m->wall[k]);
		m->c[k] = stats_of(&m->cpu[k]);
		net[k] = m->w[k].med - m->w[0].med;
		cnet[k] = m->c[k].med - m->c[0].med;
	}
	for (k = 0; k < NMARK; k++) {
		print_head(k ? "mark" : "mark_null");
		printf("\"tracking\": \"%s\", \"pages\": %llu, \"samples\": %u, ",
		       trk, (unsigned long long)mark_pages[k], m->w[k].n);
		print_stats("", &m->w[k]);
		printf(", \"cpu_med_us\": %.3f, \"net_us\": %.3f, \"cpu_net_us\": %.3f}\n",
		       m->c[k].med, net[k], cnet[k]);
	}
	fit(net, &a, &b);
	fit(cnet, &ca, &cb);
	print_head("mark_fit");
	printf("\"tracking\": \"%s\", \"per_call_us\": %.3f, \"per_page_ns\": %.3f, \"cpu_per_call_us\": %.3f, \"cpu_per_page_ns\": %.3f, \"null_med_us\": %.3f}\n",
	       trk, a, b * 1e3, ca, cb * 1e3, m->w[0].med);
}

static bool mark_setup(struct mark_dev *m, bool tracking)
{
	tdev_open(&m->td, "reporting");
	if (tdev_is_stock(&m->td))
		return false;
	tdev_map(&m->td, BM_IOVA, MARK_MEM);
	m->tracking = tracking;
	if (tracking &&
	    vfio_dirty_start(&m->td.io))
		die("VFIO_IOMMU_DIRTY_PAGES START: %s", strerror(errno));
	return true;
}

static void test_mark(void)
{
	static struct mark_dev m[2];
	unsigned int r, b, i, k, j, n = 2 * NMARK;

	if (!mark_setup(&m[0], true)) {
		fprintf(stderr, "mark: skipped: stock VFIO has no vfio_mark_dirty() (test mdev built with VFIO_STOCK_API)\n");
		print_head("mark");
		printf("\"skipped\": \"stock VFIO: no vfio_mark_dirty\"}\n");
		return;
	}
	mark_setup(&m[1], false);
	fprintf(stderr, "mark: %u sizes + null, tracking on/off, %u rounds of %u calls\n",
		(unsigned int)NMARK - 1, 4 * o.rounds, 8 * o.batch);
	for (r = 0; r <= 4 * o.rounds; r++) {	/* round 0: warm-up */
		for (j = 0; j < n; j++) {
			i = (j + r) % n;
			k = i % NMARK;
			for (b = 0; b < 8 * o.batch; b++)
				mark_call(&m[i / NMARK], k);
		}
		for (k = 0; !r && k < 2 * NMARK; k++) {
			m[k / NMARK].wall[k % NMARK].n = 0;
			m[k / NMARK].cpu[k % NMARK].n = 0;
		}
	}
	mark_print(&m[0]);
	mark_print(&m[1]);
}

/* ---- tput: frames/s with tracking off vs on, interleaved ---- */

struct tp {
	struct wl w;
	struct wl_layout l;
	struct vgpu g;
	struct wl_run r;
	char uuid[VFIO_UUID_LEN];
	uint64_t *vbm;
	struct samples off, on, ratio, bitmap;
};

static void pick_type(uint32_t gtt_pages, struct vgpu_type_info *type)
{
	uint32_t largest;
	int ret = vgpu_pick_type(gtt_pages, 1, type, &largest);

	if (ret == -ENOSPC)
		die("the workload needs %u GTT pages: no free sample vGPU type that large (largest: %u pages; try --scale)",
		    gtt_pages, largest);
	if (ret)
		die("reading the sample vGPU's types: %s", strerror(-ret));
}

static void tp_load(struct tp *t)
{
	char err[512];

	if (wl_parse_file(o.wl_path, &t->w, err, sizeof(err)))
		die("%s", err);
	wl_scale(&t->w, o.scale);
	if (!o.tput_mem)	/* what the workload needs, at least 256M */
		o.tput_mem = (VGPU_RING_MIN_SIZE + wl_total_bytes(&t->w, false) +
			      (64 << 20) - 1) & ~((64ull << 20) - 1);
	if (o.tput_mem < 256 << 20)
		o.tput_mem = 256 << 20;
	if (wl_layout(&t->w, TPUT_BASE, o.tput_mem, VGPU_RING_MIN_SIZE, &t->l,
		      err, sizeof(err)))
		die("%s", err);
}

static void tp_setup(struct tp *t)
{
	struct vgpu_type_info type;
	int memfd, ret;

	tp_load(t);
	pick_type(t->l.gtt_pages, &type);
	ret = vgpu_mdev_create(type.name, t->uuid);
	if (ret)
		die("creating a sample vGPU mdev: %s", strerror(-ret));
	memcpy(created[ncreated++], t->uuid, sizeof(t->uuid));
	ret = vgpu_open(&t->g, t->uuid);
	if (ret)
		die("opening mdev %s: %s", t->uuid, strerror(-ret));
	memfd = memfd_create("guest-memory", 0);
	if (memfd < 0 || ftruncate(memfd, o.tput_mem))
		die("guest memory: %s", strerror(errno));
	ret = vgpu_map_mem_fd(&t->g, t->l.base, t->l.size, memfd);
	if (!ret)
		ret = wl_program(&t->g, &t->w, &t->l);
	if (!ret)
		ret = wl_run_init(&t->r, &t->w, &t->l, &t->g);
	if (ret)
		die("programming the vGPU: %s", strerror(-ret));
	t->vbm = calloc(bm_words(t->r.npages), 8);
	if (!t->vbm)
		die("out of memory");
	wl_cpu_init(&t->r);
}

/* wall time of @n frames (the device may work outside this thread) */
static double tp_frames(struct tp *t, unsigned int n)
{
	double t0 = now_us(CLOCK_MONOTONIC);
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = wl_frame(&t->r);
		if (ret)
			die("frame %u failed: %s (device error %u)", t->r.frame,
			    strerror(-ret), t->r.error);
	}
	return now_us(CLOCK_MONOTONIC) - t0;
}

/*
 * One batch: an untimed frame first in both conditions, so that the switch
 * (START allocates the bitmaps) costs neither side, then @o.frames timed.
 * With tracking on, a GET_BITMAP (timed apart) and STOP follow.
 */
static double tp_batch(struct tp *t, bool on)
{
	double us, t0;
	int ret;

	if (!on) {
		tp_frames(t, 1);
		return tp_frames(t, o.frames);
	}
	ret = vfio_dirty_start(&t->g.iommu);
	if (ret)
		die("VFIO_IOMMU_DIRTY_PAGES START: %s", strerror(-ret));
	tp_frames(t, 1);
	us = tp_frames(t, o.frames);
	t0 = now_us(CLOCK_MONOTONIC);
	ret = get_bitmap(&t->g.iommu, t->l.base, t->l.size, t->vbm);
	sample_add(&t->bitmap, now_us(CLOCK_MONOTONIC) - t0);
	if (!ret)
		ret = vfio_dirty_stop(&t->g.iommu);
	if (ret)
		die("GET_BITMAP / STOP: %s", strerror(-ret));
	return us;
}

static void tp_print(struct tp *t, long marks)
{
	struct stats ra = stats_of(&t->ratio), off = stats_of(&t->off);
	struct stats on = stats_of(&t->on), bm = stats_of(&t->bitmap);

	print_head("tput");
	printf("\"workload\": \"%s\", \"scale\": %u, \"mem_bytes\": %llu, \"pinned_pages\": %u, \"pairs\": %u, \"frames_per_batch\": %u, ",
	       t->w.name, t->w.scale, (unsigned long long)t->l.size,
	       t->l.gtt_pages, ra.n, o.frames);
	printf("\"ratio_med\": %.4f, \"ratio_ci_lo\": %.4f, \"ratio_ci_hi\": %.4f, \"ratio_min\": %.4f, \"ratio_p10\": %.4f, \"ratio_p90\": %.4f, \"ratio_mean\": %.4f, ",
	       ra.med, ra.lo, ra.hi, ra.min, ra.p10, ra.p90, ra.mean);
	printf("\"fps_off_med\": %.2f, \"fps_on_med\": %.2f, \"bitmap_med_us\": %.1f, \"dirty_marks\": %ld}\n",
	       o.frames * 1e6 / off.med, o.frames * 1e6 / on.med, bm.med,
	       marks);
}

static void test_tput(void)
{
	static struct tp t;
	double off, on;
	unsigned int i;
	long marks;

	if (!vgpu_present())
		die("tput: module sample_vgpu not loaded (try: vfio-mods patched)");
	tp_setup(&t);
	fprintf(stderr, "tput: %s, %u pairs of %u-frame batches\n", t.w.name,
		o.pairs, o.frames);
	tp_frames(&t, o.warmup);
	marks = vgpu_counter(t.uuid, "dirty_marks");
	for (i = 0; i < o.pairs; i++) {
		/* off-on, on-off, ...: linear drift cancels over two pairs */
		if (i & 1) {
			on = tp_batch(&t, true);
			off = tp_batch(&t, false);
		} else {
			off = tp_batch(&t, false);
			on = tp_batch(&t, true);
		}
		sample_add(&t.off, off);
		sample_add(&t.on, on);
		sample_add(&t.ratio, off / on);
	}
	marks = vgpu_counter(t.uuid, "dirty_marks") - marks;
	tp_print(&t, marks < 0 ? -1 : marks);
	vgpu_close(&t.g);
}

/* ---- pins: a GTT populated and cleared in bulk ---- */

/* kernel memory in bytes: Slab + VmallocUsed of /proc/meminfo */
static long long kmem_bytes(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	long long kb, sum = 0;
	char line[128];

	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lld kB", &kb) == 1 ||
		    sscanf(line, "VmallocUsed: %lld kB", &kb) == 1)
			sum += kb;
	fclose(f);
	return sum * 1024;
}

struct pin_point {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
	struct vgpu_type_info type;
	uint64_t n;
	int memfd;
	struct samples pin, unpin, bytes;
	long calls;
};

static void pin_setup(struct pin_point *p)
{
	char *mem;
	uint64_t i;
	int ret;

	pick_type(p->n, &p->type);
	ret = vgpu_mdev_create(p->type.name, p->uuid);
	if (ret)
		die("creating a %s mdev: %s", p->type.name, strerror(-ret));
	memcpy(created[ncreated++], p->uuid, sizeof(p->uuid));
	ret = vgpu_open(&p->g, p->uuid);
	if (ret)
		die("opening mdev %s: %s", p->uuid, strerror(-ret));
	p->memfd = memfd_create("guest-memory", 0);
	if (p->memfd < 0 || ftruncate(p->memfd, p->n * PG))
		die("guest memory: %s", strerror(errno));
	ret = vgpu_map_mem_fd(&p->g, TPUT_BASE, p->n * PG, p->memfd);
	if (ret)
		die("mapping guest memory: %s", strerror(-ret));
	mem = vgpu_iova_ptr(&p->g, TPUT_BASE);
	for (i = 0; i < p->n; i++)	/* allocated before any timing */
		mem[i * PG] = 1;
}

/* one round: map all @p->n entries (pins), then clear them (unpins) */
static void pin_round(struct pin_point *p, bool keep)
{
	long long k0 = kmem_bytes(), k1;
	long c0 = vgpu_counter(p->uuid, "pin_calls");
	double t0, t1, t2;
	int ret;

	t0 = now_us(CLOCK_MONOTONIC);
	ret = vgpu_gtt_map(&p->g, 0, TPUT_BASE, p->n);
	t1 = now_us(CLOCK_MONOTONIC);
	if (ret)
		die("mapping %llu GTT entries: %s", (unsigned long long)p->n,
		    strerror(-ret));
	k1 = kmem_bytes();
	if (vgpu_counter(p->uuid, "pages_pinned") != (long)p->n)
		die("%llu GTT entries mapped, the vGPU has %ld pages pinned",
		    (unsigned long long)p->n,
		    vgpu_counter(p->uuid, "pages_pinned"));
	p->calls = vgpu_counter(p->uuid, "pin_calls") - c0;
	t2 = now_us(CLOCK_MONOTONIC);
	ret = vgpu_gtt_invalidate(&p->g, 0, p->n);
	if (ret)
		die("clearing %llu GTT entries: %s", (unsigned long long)p->n,
		    strerror(-ret));
	if (!keep)
		return;
	sample_add(&p->pin, t1 - t0);
	sample_add(&p->unpin, now_us(CLOCK_MONOTONIC) - t2);
	sample_add(&p->bytes, (double)(k1 - k0) / p->n);
	if (vgpu_counter(p->uuid, "pages_pinned"))
		die("GTT cleared, %ld pages still pinned",
		    vgpu_counter(p->uuid, "pages_pinned"));
}

static void pin_print(struct pin_point *p)
{
	struct stats pin = stats_of(&p->pin), unpin = stats_of(&p->unpin);
	struct stats b = stats_of(&p->bytes);

	print_head("pins");
	printf("\"type\": \"%s\", \"pinned\": %llu, \"samples\": %u, \"pin_calls\": %ld, \"pin_med_us\": %.1f, \"unpin_med_us\": %.1f, \"pins_per_s\": %.0f, \"unpins_per_s\": %.0f, \"kmem_bytes_per_page\": %.2f, \"kmem_bytes_per_page_min\": %.2f, \"kmem_bytes_per_page_max\": %.2f}\n",
	       p->type.name, (unsigned long long)p->n, pin.n, p->calls,
	       pin.med, unpin.med, p->n * 1e6 / pin.med,
	       p->n * 1e6 / unpin.med, b.med, b.min, p->bytes.v[b.n - 1]);
}

/* one vGPU at a time: the largest takes 4 GiB of guest memory */
static void test_pins(void)
{
	static struct pin_point p;
	unsigned int r;
	int i;

	if (!vgpu_present())
		die("pins: module sample_vgpu not loaded (try: vfio-mods patched)");
	for (i = 0; i < o.ngtt; i++) {
		memset(&p, 0, sizeof(p));
		p.n = o.gtt_counts[i];
		pin_setup(&p);
		fprintf(stderr, "pins: %llu GTT entries on a %s vGPU, %u rounds\n",
			(unsigned long long)p.n, p.type.name, o.rounds);
		pin_round(&p, false);
		for (r = 0; r < o.rounds; r++)
			pin_round(&p, true);
		pin_print(&p);
		vgpu_close(&p.g);
		close(p.memfd);
		if (mdev_remove(p.uuid))
			die("cannot remove mdev %s", p.uuid);
		ncreated--;
		free(p.pin.v);
		free(p.unpin.v);
		free(p.bytes.v);
	}
}

/* ---- --compare: patched / stock ratios of two or more runs ---- */

static bool json_str(const char *line, const char *key, char *out, size_t n)
{
	char pat[64];
	const char *p;
	size_t i;

	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	p = strstr(line, pat);
	if (!p)
		return false;
	p += strlen(pat);
	for (i = 0; i + 1 < n && p[i] && p[i] != '"'; i++)
		out[i] = p[i];
	out[i] = 0;
	return true;
}

static double json_num(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(line, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

/* identity of a measurement: everything but the figures */
static bool json_key(const char *line, char *key, size_t n)
{
	char test[32], type[32] = "", trk[32] = "", wl[64] = "";

	if (!json_str(line, "test", test, sizeof(test)) ||
	    strstr(line, "\"skipped\""))
		return false;
	json_str(line, "type", type, sizeof(type));
	json_str(line, "tracking", trk, sizeof(trk));
	json_str(line, "workload", wl, sizeof(wl));
	snprintf(key, n, "%s/%s%s%s/%.0f/%.0f/%.0f", test, type, trk, wl,
		 json_num(line, "mem_bytes"), json_num(line, "pinned"),
		 json_num(line, "pages"));
	return true;
}

/* the line of @path with identity @key, or NULL */
static char *find_line(const char *path, const char *key, char *buf, int n)
{
	FILE *f = fopen(path, "r");
	char k[256];

	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(buf, n, f)) {
		if (json_key(buf, k, sizeof(k)) && !strcmp(k, key)) {
			fclose(f);
			return buf;
		}
	}
	fclose(f);
	return NULL;
}

static const char *const cmp_fields[] = {
	"med_us", "p10_us", "min_us", "cpu_med_us", "net_us", "per_call_us",
	"per_page_ns", "fps_on_med", "fps_off_med", "ratio_med",
	"pins_per_s", "unpins_per_s", "kmem_bytes_per_page",
};

#define NCMP	(sizeof(cmp_fields) / sizeof(cmp_fields[0]))

/* ", NAME_ratio": median of @s, and its range over several pairs */
static void print_ratio(const char *name, struct samples *s)
{
	struct stats st;

	if (!s->n)
		return;
	st = stats_of(s);
	printf(", \"%s_ratio\": %.4f", name, st.med);
	if (s->n > 1)
		printf(", \"%s_ratio_min\": %.4f, \"%s_ratio_max\": %.4f",
		       name, st.min, name, s->v[s->n - 1]);
	free(s->v);
}

static void compare_line(const char *line, char **files, int nfiles)
{
	static char a[4096], b[4096];
	struct samples s[NCMP] = {};
	double x, y;
	char key[256];
	unsigned int f;
	int i, pairs = 0;

	json_key(line, key, sizeof(key));
	for (i = 0; i + 1 < nfiles; i += 2) {
		if (!find_line(files[i], key, a, sizeof(a)) ||
		    !find_line(files[i + 1], key, b, sizeof(b)))
			continue;
		pairs++;
		for (f = 0; f < NCMP; f++) {
			x = json_num(a, cmp_fields[f]);
			y = json_num(b, cmp_fields[f]);
			if (x > 0 && y > 0)
				sample_add(&s[f], x / y);
		}
	}
	if (!pairs)	/* e.g. mark, skipped under stock */
		return;
	printf("{\"test\": \"compare\", \"key\": \"%s\", \"pairs\": %d", key,
	       pairs);
	for (f = 0; f < NCMP; f++)
		print_ratio(cmp_fields[f], &s[f]);
	printf("}\n");
}

static int compare(char **files, int nfiles)
{
	char line[4096], key[256];
	FILE *f;

	if (nfiles < 2 || nfiles % 2)
		die("--compare needs pairs of files: A B [A B ...]");
	f = fopen(files[0], "r");
	if (!f)
		die("%s: %s", files[0], strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (json_key(line, key, sizeof(key)) &&
		    strncmp(key, "compare/", 8))
			compare_line(line, files, nfiles);
	fclose(f);
	return 0;
}

/* ---- options and main ---- */

static void usage(void)
{
	fprintf(stderr,
"usage: %s [options] [bitmap] [mark] [tput] [pins]   (default: bitmap mark)\n"
"       %s --compare A.jsonl B.jsonl [A2 B2 ...]   ratios A/B, median over pairs\n"
"  -l, --label NAME       label in the JSON (default: the module set)\n"
"  -r, --rounds N         rounds over all points (default 16; mark: 4N)\n"
"  -b, --batch N          timed calls per point and round (default 8;\n"
"                         mark: 8N)\n"
"      --mem LIST         bitmap: mapped sizes (default 64M,256M,1G,4G)\n"
"      --mem-pins N       bitmap: pins for the size series (default 256)\n"
"      --pins LIST        bitmap: pinned counts (default 0,16,4096,65536)\n"
"      --pin-mem SIZE     bitmap: mapped size for the pin series (256M)\n"
"      --types LIST       bitmap: test mdev types (default plain,reporting)\n"
"      --clean            bitmap: pins with clean intent (patched VFIO)\n"
"  -w, --workload FILE    tput: workload (default workloads/render.wl)\n"
"  -m, --tput-mem SIZE    tput: guest memory (default: what the workload\n"
"                         needs, at least 256M)\n"
"  -s, --scale N          tput: divide buffer sizes by N (default: the\n"
"                         workload's scale, else 1)\n"
"  -p, --pairs N          tput: off/on batch pairs (default 64)\n"
"  -k, --frames K         tput: frames per batch (default 4)\n"
"      --gtt LIST         pins: GTT entries (default 4096,65536,262144,\n"
"                         1048576); rounds: -r\n",
		prog, prog);
	exit(2);
}

static int list_arg(const char *s, uint64_t *v)
{
	char buf[256], *t, *save;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n == MAX_LIST)
			die("at most %d values in '%s'", MAX_LIST, s);
		v[n++] = size_arg(t);
	}
	if (!n)
		die("empty list");
	return n;
}

static void check_opts(void)
{
	int i;

	for (i = 0; i < o.nmem; i++)
		if (!o.mem[i] || o.mem[i] % PG)
			die("--mem sizes must be non-zero multiples of 4K");
	for (i = 0; i < o.ngtt; i++)
		if (!o.gtt_counts[i] || o.gtt_counts[i] > 1u << 20)
			die("--gtt counts must be 1..1048576");
	if (!o.pin_mem || o.pin_mem % PG || o.tput_mem % (256 << 10))
		die("--pin-mem: multiple of 4K, --tput-mem: of 256K");
}

static void parse_tests(int argc, char **argv)
{
	int i;

	for (i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "bitmap"))
			o.bitmap = true;
		else if (!strcmp(argv[i], "mark"))
			o.mark = true;
		else if (!strcmp(argv[i], "tput"))
			o.tput = true;
		else if (!strcmp(argv[i], "pins"))
			o.gtt_pins = true;
		else
			usage();
	}
	if (optind == argc) {
		o.bitmap = true;
		o.mark = true;
	}
}

static const struct option lopts[] = {
	{ "label", 1, 0, 'l' }, { "rounds", 1, 0, 'r' },
	{ "batch", 1, 0, 'b' }, { "mem", 1, 0, 1 }, { "mem-pins", 1, 0, 2 },
	{ "pins", 1, 0, 3 }, { "pin-mem", 1, 0, 4 }, { "types", 1, 0, 5 },
	{ "workload", 1, 0, 'w' }, { "tput-mem", 1, 0, 'm' },
	{ "scale", 1, 0, 's' }, { "pairs", 1, 0, 'p' },
	{ "frames", 1, 0, 'k' }, { "compare", 0, 0, 6 }, { "clean", 0, 0, 7 },
	{ "gtt", 1, 0, 8 }, { "help", 0, 0, 'h' },
	{ 0 },
};

/* returns true for --compare */
static bool parse_opts(int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "l:r:b:w:m:s:p:k:h", lopts,
				NULL)) != -1) {
		switch (c) {
		case 'l':
			o.label = optarg;
			break;
		case 'r':
			o.rounds = num_arg(optarg, 1, 10000);
			break;
		case 'b':
			o.batch = num_arg(optarg, 1, 10000);
			break;
		case 1:
			o.nmem = list_arg(optarg, o.mem);
			break;
		case 2:
			o.mem_pins = size_arg(optarg);
			break;
		case 3:
			o.npins = list_arg(optarg, o.pins);
			break;
		case 4:
			o.pin_mem = size_arg(optarg);
			break;
		case 5:
			o.types = optarg;
			break;
		case 'w':
			o.wl_path = optarg;
			break;
		case 'm':
			o.tput_mem = size_arg(optarg);
			break;
		case 's':
			o.scale = num_arg(optarg, 1, WL_MAX_SCALE);
			break;
		case 'p':
			o.pairs = num_arg(optarg, 1, 100000);
			break;
		case 'k':
			o.frames = num_arg(optarg, 1, 100000);
			break;
		case 6:
			return true;
		case 7:
			o.clean = true;
			break;
		case 8:
			o.ngtt = list_arg(optarg, o.gtt_counts);
			break;
		default:
			usage();
		}
	}
	parse_tests(argc, argv);
	check_opts();
	return false;
}

static void defaults(void)
{
	static const uint64_t mem[] = { 64 << 20, 256 << 20, 1 << 30,
					4ull << 30 };
	static const uint64_t pins[] = { 0, 16, 4096, 65536 };
	static const uint64_t gtt[] = { 4096, 65536, 262144, 1048576 };

	o = (struct opts){ .rounds = 16, .batch = 8, .pairs = 64, .frames = 4,
			   .warmup = 2, .mem_pins = 256,
			   .pin_mem = 256 << 20,
			   .types = "plain,reporting",
			   .wl_path = "workloads/render.wl" };
	memcpy(o.mem, mem, sizeof(mem));
	memcpy(o.pins, pins, sizeof(pins));
	memcpy(o.gtt_counts, gtt, sizeof(gtt));
	o.nmem = 4;
	o.npins = 4;
	o.ngtt = 4;
}

static void read_modules(void)
{
	static char buf[32];
	FILE *f = fopen("/tmp/vfio-variant", "r");

	if (f && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = 0;
		modules = buf;
	}
	if (f)
		fclose(f);
	if (!o.label)
		o.label = modules;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	defaults();
	if (parse_opts(argc, argv))
		return compare(argv + optind, argc - optind);
	read_modules();
	if (access("/dev/vfio/vfio", F_OK))
		die("VFIO is not loaded (try: vfio-mods patched)");
	if ((o.bitmap || o.mark) &&
	    !dtm_present())
		die("module dirty_test_mdev not loaded (try: vfio-mods patched)");
	atexit(mdev_remove_all);
	if (o.bitmap)
		test_bitmap();
	if (o.mark)
		test_mark();
	if (o.tput)
		test_tput();
	if (o.gtt_pins)
		test_pins();
	return 0;
}
