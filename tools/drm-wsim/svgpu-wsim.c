// SPDX-License-Identifier: GPL-2.0-only
/*
 * svgpu-wsim.c - play a workload file (docs/workloads.rst) on the sample
 * vGPU through its guest DRM driver, checking every result: the gem_wsim
 * role, in a Linux guest.
 *
 *   svgpu-wsim [-s SCALE] [-f FRAMES] [-w SWEEP] [-e EVERY] [-n]
 *              [--shared] [-d DEVICE] FILE.wl
 *
 * The file is parsed and scaled by lib/wl (the parser of the VMM's runner
 * and of wl-pack), and each frame's page choices come from lib/wl's
 * wl_select.h, as in the VMM's runner and the freestanding payload: from
 * the same seed, the same pages.  Each GTT buffer is a GEM buffer of the
 * driver (bound into the GTT, mapped into this process); CPU-only buffers
 * are plain memory.  Fill, copy, write and fence steps become device
 * commands in submissions (DRM_IOCTL_SVGPU_SUBMIT) that list the buffers
 * they read and write; cpu steps are this program's own stores.
 *
 * The checks are the payload's (docs/qemu.rst): every page has an expected
 * checksum, sum of dword[i] * (2i + 1), kept up to date through every
 * device and CPU write; a page is verified before a partial write,
 * every byte the device wrote after its submission completed (fill: the
 * pattern; copy: the source's bytes, and the checksum the source had;
 * write: the data; fence: the seqno), SWEEP pages per frame are verified
 * round robin (all buffers), and each submission must add exactly its
 * commands (and the kernel's fence) to the device's CMDS_EXECUTED unless
 * --shared says other clients submit too.  Commands go in as few
 * submissions as possible: a new one starts when a step would write pages
 * a queued command of another step writes or reads, so that each can be
 * checked byte by byte.
 *
 * Runs FRAMES frames (default: the file's; 0: until SIGTERM or SIGINT),
 * stopping early at one of those signals; then all pages are verified
 * once more.  Lines on stdout:
 *   wsim: start workload NAME ...       the layout
 *   frame N ok seq S subs U cmds C      every EVERY frames
 *   sweep N ok                          a full pass over all pages
 *   FAIL ...                            a check failed (exit 1)
 *   wsim: done frames N ...             the end (exit 0)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/sample_vgpu_drm.h>
#include <linux/sample_vgpu.h>

#include "wl.h"

#define PAGE		4096u
#define PAGE_DW		(PAGE / 4)
#define XFER_PAGES	(VGPU_MAX_XFER_BYTES / PAGE)
#define SUB_DW		(SVGPU_SUBMIT_MAX_BYTES / 4)
#define PEND_MAX	1024
#define WAIT_NS		120000000000ll	/* 2 min: nested TCG, migration */

enum pk { PK_FILL, PK_COPY, PK_WRITE, PK_FENCE };

/* a queued command, verified once its submission completed */
struct pend {
	enum pk kind;
	uint32_t step;
	uint32_t dst;		/* page; dword index for a write */
	uint32_t src;		/* page (copy) */
	uint32_t n;		/* pages (fill, copy) */
	uint32_t val;		/* pattern or seqno */
	uint32_t data[WL_WRITE_DW];
	bool dead;		/* overwritten by a later queued write */
};

struct wbuf {
	uint8_t *map;
	uint32_t pages;
	uint32_t first;		/* global page index of page 0 */
	uint32_t handle;	/* GEM handle, GTT buffers only */
	uint32_t gtt;		/* GTT address */
	bool written;		/* device steps write it */
};

static struct {
	int fd;
	struct wl w;
	struct wbuf b[WL_MAX_BUFS];
	uint32_t npages;
	uint8_t **page;		/* page pointers, global index */
	uint32_t *gtt;		/* GTT address of each page (GTT buffers) */
	uint32_t *csum;		/* expected checksum of each page */
	uint8_t *pend_w;	/* step + 1 of a queued command writing it */
	uint64_t *pend_r;	/* pages a queued copy reads */
	uint64_t *sel;
	uint32_t cmd[SUB_DW], ndw, ncmds;
	uint64_t wbytes;
	struct pend pend[PEND_MAX];
	uint32_t npend;
	struct drm_svgpu_bo bos[WL_MAX_BUFS];
	uint32_t nbos;
	uint64_t rng;
	uint32_t seq;
	uint32_t frame;
	uint32_t fences;	/* fence steps per frame */
	uint32_t sweep_at, sweeps;
	uint64_t subs, cmds, bytes;
	uint32_t executed;	/* CMDS_EXECUTED expected */
	bool shared;
	/* options */
	uint32_t sweep, every;
	int64_t frames;		/* -1: the file's */
	bool pace;
} r = { .sweep = 64, .every = 10, .pace = true, .frames = -1 };

static volatile sig_atomic_t stop;

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (frame %u seq %u)\n", r.frame, r.seq);
	fflush(stdout);
	exit(1);
}

static int xioctl(unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(r.fd, req, arg);
	} while (ret && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

static uint64_t param(uint32_t p)
{
	struct drm_svgpu_getparam gp = { .param = p };

	if (xioctl(DRM_IOCTL_SVGPU_GETPARAM, &gp))
		fail("GETPARAM %u: %s", p, strerror(errno));
	return gp.value;
}

/* ---- pages and checksums ---- */

static uint32_t *pg(uint32_t p)
{
	return (uint32_t *)r.page[p];
}

static uint32_t csum(const uint32_t *d)
{
	uint32_t s = 0, i;

	for (i = 0; i < PAGE_DW; i++)
		s += d[i] * (2 * i + 1);
	return s;
}

static void check_page(uint32_t p, const char *why)
{
	uint32_t c = csum(pg(p));

	if (c != r.csum[p])
		fail("checksum %s page %u got 0x%08x want 0x%08x", why, p, c,
		     r.csum[p]);
}

/* ---- layout ---- */

static void bo_create(struct wbuf *b)
{
	struct drm_svgpu_gem_create c = { .size = (uint64_t)b->pages * PAGE };
	struct drm_svgpu_gem_info info = { 0 };
	struct drm_svgpu_gem_mmap_offset mo = { 0 };

	if (xioctl(DRM_IOCTL_SVGPU_GEM_CREATE, &c))
		fail("GEM_CREATE %u pages: %s", b->pages, strerror(errno));
	b->handle = info.handle = mo.handle = c.handle;
	if (xioctl(DRM_IOCTL_SVGPU_GEM_INFO, &info))
		fail("GEM_INFO: %s (the GTT is %llu MiB)", strerror(errno),
		     (unsigned long long)param(SVGPU_PARAM_GTT_SIZE) >> 20);
	if (xioctl(DRM_IOCTL_SVGPU_GEM_MMAP_OFFSET, &mo))
		fail("GEM_MMAP_OFFSET: %s", strerror(errno));
	b->gtt = info.gtt_addr;
	b->map = mmap(NULL, (size_t)b->pages * PAGE, PROT_READ | PROT_WRITE,
		      MAP_SHARED, r.fd, mo.offset);
	if (b->map == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
}

static void layout(void)
{
	uint32_t i, k, p = 0;

	for (i = 0; i < (uint32_t)r.w.nbufs; i++)
		r.npages += r.w.bufs[i].size / PAGE;
	r.page = calloc(r.npages, sizeof(*r.page));
	r.gtt = calloc(r.npages, sizeof(*r.gtt));
	r.csum = calloc(r.npages, sizeof(*r.csum));	/* zero pages */
	r.pend_w = calloc(r.npages, 1);
	r.pend_r = calloc(bm_words(r.npages), 8);
	r.sel = calloc(bm_words(r.npages), 8);
	if (!r.page || !r.gtt || !r.csum || !r.pend_w || !r.pend_r || !r.sel)
		fail("out of memory for %u pages", r.npages);
	for (i = 0; i < (uint32_t)r.w.nsteps; i++) {
		const struct wl_step *s = &r.w.steps[i];

		if (s->op != WL_CPU)
			r.b[s->dst].written = true;
		r.fences += s->op == WL_FENCE;
	}
	for (i = 0; i < (uint32_t)r.w.nbufs; i++) {
		struct wbuf *b = &r.b[i];

		b->pages = r.w.bufs[i].size / PAGE;
		b->first = p;
		if (r.w.bufs[i].gtt) {
			bo_create(b);
			r.bos[r.nbos].handle = b->handle;
			r.bos[r.nbos++].flags = b->written ? SVGPU_BO_WRITE : 0;
		} else {
			b->map = mmap(NULL, (size_t)b->pages * PAGE,
				      PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (b->map == MAP_FAILED)
				fail("mmap %u pages: %s", b->pages,
				     strerror(errno));
		}
		for (k = 0; k < b->pages; k++, p++) {
			r.page[p] = b->map + (size_t)k * PAGE;
			r.gtt[p] = r.w.bufs[i].gtt ? b->gtt + k * PAGE : 0;
		}
	}
}

/* ---- submissions ---- */

static void emit(uint32_t dw)
{
	r.cmd[r.ndw++] = dw;
}

static struct pend *queue(enum pk kind, uint32_t step, uint32_t dst)
{
	struct pend *pe = &r.pend[r.npend++];

	memset(pe, 0, sizeof(*pe));
	pe->kind = kind;
	pe->step = step;
	pe->dst = dst;
	return pe;
}

static void verify_fill(const struct pend *pe)
{
	uint32_t k, j;

	for (k = 0; k < pe->n; k++) {
		const uint32_t *d = pg(pe->dst + k);

		for (j = 0; j < PAGE_DW; j++)
			if (d[j] != pe->val)
				fail("fill step %u page %u dword %u got 0x%08x want 0x%08x",
				     pe->step, pe->dst + k, j, d[j], pe->val);
		r.pend_w[pe->dst + k] = 0;
	}
}

/* the bytes of the source, and the checksum the source had to have */
static void verify_copy(const struct pend *pe)
{
	uint32_t k, j;

	for (k = 0; k < pe->n; k++) {
		const uint32_t *d = pg(pe->dst + k), *s = pg(pe->src + k);

		for (j = 0; j < PAGE_DW; j++)
			if (d[j] != s[j])
				fail("copy step %u page %u->%u dword %u got 0x%08x want 0x%08x",
				     pe->step, pe->src + k, pe->dst + k, j,
				     d[j], s[j]);
		check_page(pe->dst + k, "copy-source");
		r.pend_w[pe->dst + k] = 0;
		bm_clear(r.pend_r, pe->src + k);
	}
}

static void verify_write(const struct pend *pe)
{
	const uint32_t *d = pg(pe->dst / PAGE_DW) + pe->dst % PAGE_DW;
	uint32_t j;

	for (j = 0; !pe->dead && j < WL_WRITE_DW; j++)
		if (d[j] != pe->data[j])
			fail("write step %u page %u dword %u got 0x%08x want 0x%08x",
			     pe->step, pe->dst / PAGE_DW,
			     pe->dst % PAGE_DW + j, d[j], pe->data[j]);
	check_page(pe->dst / PAGE_DW, "after-write");
	r.pend_w[pe->dst / PAGE_DW] = 0;
}

static void verify_fence(const struct pend *pe)
{
	if (pg(pe->dst)[0] != pe->val)
		fail("fence step %u page %u got %u want %u", pe->step, pe->dst,
		     pg(pe->dst)[0], pe->val);
	check_page(pe->dst, "after-fence");
	r.pend_w[pe->dst] = 0;
}

/* submit the queued commands, wait, verify every byte they wrote */
static void flush(void)
{
	struct drm_svgpu_submit s = {
		.cmds = (uintptr_t)r.cmd, .cmd_bytes = r.ndw * 4,
		.bos = (uintptr_t)r.bos, .bo_count = r.nbos,
	};
	struct drm_svgpu_gem_wait w = { .timeout_ns = WAIT_NS };
	uint32_t i, executed;
	int ret;

	if (!r.ndw)
		return;
	ret = xioctl(DRM_IOCTL_SVGPU_SUBMIT, &s);
	if (ret)
		fail("SUBMIT of %u commands: %s", r.ncmds, strerror(-ret));
	/* in order on one ring: the written buffers are done when it is */
	for (i = 0; i < r.nbos; i++) {
		if (!(r.bos[i].flags & SVGPU_BO_WRITE))
			continue;
		w.handle = r.bos[i].handle;
		ret = xioctl(DRM_IOCTL_SVGPU_GEM_WAIT, &w);
		if (ret)
			fail("GEM_WAIT submission %llu: %s",
			     (unsigned long long)s.seqno, strerror(-ret));
	}
	r.executed += r.ncmds + 1;	/* and the kernel's fence */
	executed = param(SVGPU_PARAM_CMDS_EXECUTED);
	if (!r.shared && executed != r.executed)
		fail("CMDS_EXECUTED %u want %u", executed, r.executed);
	r.subs++;
	r.cmds += r.ncmds;
	r.bytes += r.wbytes;
	for (i = 0; i < r.npend; i++) {
		const struct pend *pe = &r.pend[i];

		switch (pe->kind) {
		case PK_FILL:
			verify_fill(pe);
			break;
		case PK_COPY:
			verify_copy(pe);
			break;
		case PK_WRITE:
			verify_write(pe);
			break;
		case PK_FENCE:
			verify_fence(pe);
			break;
		}
	}
	r.ndw = r.ncmds = r.npend = 0;
	r.wbytes = 0;
}

/* room for a command of @ndw dwords writing @bytes */
static void make_room(uint32_t ndw, uint32_t bytes)
{
	if (r.ndw + ndw > SUB_DW || r.ncmds + 2 > VGPU_MAX_CMDS_PER_SUBMIT ||
	    r.npend == PEND_MAX ||
	    r.wbytes + bytes + 4 > VGPU_MAX_BYTES_PER_SUBMIT)
		flush();
}

/*
 * Pages [@p, @p + @n) are about to be written (read, if not @write) by
 * step @si: submit first if a queued command of another step writes them,
 * or, for a write, a queued copy reads them.
 */
static void order_after(uint32_t p, uint32_t n, uint32_t si, bool write)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if ((r.pend_w[p + i] && (!write || r.pend_w[p + i] != si + 1)) ||
		    (write && bm_test(r.pend_r, p + i))) {
			flush();
			return;
		}
}

/* ---- steps ---- */

static void step_xfer(const struct wl_step *s, uint32_t si, uint32_t off,
		      uint32_t len)
{
	bool copy = s->op == WL_COPY;
	uint32_t pat = s->pattern ^ r.frame, n, d, src = 0, i;
	struct pend *pe;

	for (; len; off += n, len -= n) {
		n = len < XFER_PAGES ? len : XFER_PAGES;
		d = r.b[s->dst].first + off;
		make_room(4, n * PAGE);
		order_after(d, n, si, true);
		if (copy) {
			src = r.b[s->src].first + off;
			order_after(src, n, si, false);
			emit(VGPU_CMD_HDR(VGPU_OP_COPY, 0, 3));
			emit(r.gtt[src]);
		} else {
			emit(VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3));
		}
		emit(r.gtt[d]);
		emit(n * PAGE);
		if (!copy)
			emit(pat);
		for (i = 0; i < n; i++) {
			/* sum of (2i + 1) over a page is 2^20 */
			r.csum[d + i] = copy ? r.csum[src + i] : pat << 20;
			r.pend_w[d + i] = si + 1;
			if (copy)
				bm_set(r.pend_r, src + i);
		}
		pe = queue(copy ? PK_COPY : PK_FILL, si, d);
		pe->src = src;
		pe->n = n;
		pe->val = pat;
		r.ncmds++;
		r.wbytes += n * PAGE;
	}
}

/* one qword per chosen page, as the VMM's runner and the payload do */
static void step_cpu(const struct wl_step *s, uint32_t off, uint32_t len)
{
	uint32_t p, *d, lo, hi;
	uint64_t v;

	for (; len; off++, len--) {
		p = r.b[s->dst].first + off;
		if (r.pend_w[p] || bm_test(r.pend_r, p))
			flush();
		check_page(p, "before-cpu");
		d = pg(p);
		v = wl_rand(&r.rng);
		lo = (uint32_t)v;
		hi = (uint32_t)(v >> 32);
		r.csum[p] += (lo - d[0]) + (hi - d[1]) * 3;
		d[0] = lo;
		d[1] = hi;
	}
}

static void step_pages(const struct wl_step *s, uint32_t si)
{
	uint32_t pages = r.b[s->dst].pages, off = 0, len;

	if (s->op == WL_COPY && r.b[s->src].pages < pages)
		pages = r.b[s->src].pages;
	wl_select(r.sel, pages, wl_step_pages(&r.w, s), s->rand, r.frame,
		  &r.rng);
	while ((len = wl_next_run(r.sel, pages, &off))) {
		if (s->op == WL_CPU)
			step_cpu(s, off, len);
		else
			step_xfer(s, si, off, len);
		off += len;
	}
}

/* the current contents of dword @dw: a queued write's, or memory */
static const uint32_t *slot_now(uint32_t dw)
{
	uint32_t k;

	for (k = r.npend; k--;)
		if (r.pend[k].kind == PK_WRITE && r.pend[k].dst == dw &&
		    !r.pend[k].dead) {
			r.pend[k].dead = true;
			return r.pend[k].data;
		}
	return pg(dw / PAGE_DW) + dw % PAGE_DW;
}

static void step_write(const struct wl_step *s, uint32_t si)
{
	uint32_t slots = r.b[s->dst].pages * (PAGE / 64), c, j, dw, p, off;
	uint32_t vals[WL_WRITE_DW];
	const uint32_t *old;
	struct pend *pe;

	for (c = 0; c < s->count; c++) {
		dw = r.b[s->dst].first * PAGE_DW +
		     wl_write_pick(&r.rng, slots, vals) * WL_WRITE_DW;
		p = dw / PAGE_DW;
		off = dw % PAGE_DW;
		make_room(2 + WL_WRITE_DW, 64);
		order_after(p, 1, si, true);
		if (!r.pend_w[p])
			check_page(p, "before-write");
		old = slot_now(dw);
		for (j = 0; j < WL_WRITE_DW; j++)
			r.csum[p] += (vals[j] - old[j]) * (2 * (off + j) + 1);
		emit(VGPU_CMD_HDR(VGPU_OP_WRITE_DATA, 0, 1 + WL_WRITE_DW));
		emit(r.gtt[p] + off * 4);
		for (j = 0; j < WL_WRITE_DW; j++)
			emit(vals[j]);
		r.pend_w[p] = si + 1;
		pe = queue(PK_WRITE, si, dw);
		memcpy(pe->data, vals, sizeof(vals));
		r.ncmds++;
		r.wbytes += 64;
	}
}

static void step_fence(const struct wl_step *s, uint32_t si)
{
	uint32_t p = r.b[s->dst].first;

	make_room(3, 4);
	order_after(p, 1, si, true);
	if (!r.pend_w[p])
		check_page(p, "before-fence");
	r.seq++;
	r.csum[p] += r.seq - pg(p)[0];
	emit(VGPU_CMD_HDR(VGPU_OP_FENCE, 0, 2));
	emit(r.gtt[p]);
	emit(r.seq);
	r.pend_w[p] = si + 1;
	queue(PK_FENCE, si, p)->val = r.seq;
	r.ncmds++;
	r.wbytes += 4;
}

static void frame(void)
{
	uint32_t si;

	for (si = 0; si < (uint32_t)r.w.nsteps; si++) {
		const struct wl_step *s = &r.w.steps[si];

		if (s->op == WL_WRITE)
			step_write(s, si);
		else if (s->op == WL_FENCE)
			step_fence(s, si);
		else
			step_pages(s, si);
	}
	flush();
	if (!r.fences)
		r.seq++;
}

static void sweep(uint32_t n)
{
	while (n--) {
		check_page(r.sweep_at, "sweep");
		if (++r.sweep_at == r.npages) {
			r.sweep_at = 0;
			printf("sweep %u ok\n", ++r.sweeps);
		}
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void on_signal(int sig __attribute__((unused)))
{
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: svgpu-wsim [-s SCALE] [-f FRAMES] [-w SWEEP] [-e EVERY] [-n] [--shared] [-d DEVICE] FILE.wl\n");
	exit(2);
}

static void options(int argc, char **argv, const char **dev,
		    unsigned int *scale)
{
	static const struct option lo[] = {
		{ "shared", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "s:f:w:e:nd:", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			*scale = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			r.frames = strtoul(optarg, NULL, 0);
			break;
		case 'w':
			r.sweep = strtoul(optarg, NULL, 0);
			break;
		case 'e':
			r.every = strtoul(optarg, NULL, 0) ?: 1;
			break;
		case 'n':
			r.pace = false;
			break;
		case 'd':
			*dev = optarg;
			break;
		case 'S':
			r.shared = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/dri/renderD128";
	unsigned int scale = 0;
	uint64_t next, period;
	char err[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	options(argc, argv, &dev, &scale);
	if (wl_parse_file(argv[optind], &r.w, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	wl_scale(&r.w, scale);
	if (r.frames < 0)
		r.frames = r.w.frames;
	r.fd = open(dev, O_RDWR | O_CLOEXEC);
	if (r.fd < 0)
		fail("%s: %s", dev, strerror(errno));
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	layout();
	r.rng = r.w.seed ?: 1;
	r.executed = param(SVGPU_PARAM_CMDS_EXECUTED);
	printf("wsim: start workload %s seed %llu scale %u buffers %d steps %d pages %u gtt %llu MiB device %#llx\n",
	       r.w.name, (unsigned long long)r.w.seed, r.w.scale, r.w.nbufs,
	       r.w.nsteps, r.npages,
	       (unsigned long long)param(SVGPU_PARAM_GTT_SIZE) >> 20,
	       (unsigned long long)param(SVGPU_PARAM_DEVICE_VERSION));
	period = r.pace ? (uint64_t)(r.w.period_ms * 1e6) : 0;
	next = now_ns();
	for (r.frame = 0; !stop && (!r.frames || r.frame < r.frames);
	     r.frame++) {
		frame();
		sweep(r.sweep < r.npages ? r.sweep : r.npages);
		if ((r.frame + 1) % r.every == 0)
			printf("frame %u ok seq %u subs %llu cmds %llu\n",
			       r.frame + 1, r.seq, (unsigned long long)r.subs,
			       (unsigned long long)r.cmds);
		next += period;
		if (period && now_ns() < next)
			usleep((next - now_ns()) / 1000);
		else
			next = now_ns();
	}
	sweep(r.npages);	/* everything, once more */
	printf("wsim: done frames %u seq %u subs %llu cmds %llu bytes %llu sweeps %u resets %llu\n",
	       r.frame, r.seq, (unsigned long long)r.subs,
	       (unsigned long long)r.cmds, (unsigned long long)r.bytes,
	       r.sweeps, (unsigned long long)param(SVGPU_PARAM_RESETS));
	return 0;
}
