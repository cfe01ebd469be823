// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu-migrate - a small VMM that live-migrates a sample vGPU workload
 *
 * The source process maps guest memory, programs a sample vGPU instance as
 * its guest driver would (GTT, ring) and runs a workload (lib/wl).  It
 * forks a destination process that opens a second instance; the two talk
 * over a unix socket (mig_proto.h).  Migration: dirty tracking on, device
 * to PRE_COPY, round 0 sends all memory, each later round sends the pages
 * VFIO_IOMMU_DIRTY_PAGES reports plus the pages the VMM's own CPU wrote,
 * and the device's PRE_COPY data, until a round's dirty bytes fall under
 * a threshold or the round limit is reached.  Then STOP_COPY, the final
 * bitmap, RESUMING -> STOP -> RUNNING on the destination, verification and
 * a few more frames there.  See docs/tools.rst.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli.h"
#include "mig_proto.h"
#include "wl_run.h"

#define MEM_BASE	0x100000ull
#define DEV_BUF		(1u << 20)
#define MAX_ROUNDS	64
#define PAGES_PER_MSG	256
#define RING_BYTES	(64u << 20)

/*
 * Page payloads go through a ring of memory shared by the two processes;
 * the socket carries the messages only.  Under TCG a unix socket moves
 * 10-20 MB/s, a memory copy 150-250 MB/s: GiB-sized pinned sets migrate in
 * minutes, not hours.  The source copies a page into the ring when it
 * sends it, as it would onto a wire, so the destination sees the page as
 * it was then.  @head and @tail count bytes ever produced and consumed.
 */
struct xfer_ring {
	_Atomic uint64_t head;
	_Atomic uint64_t tail;
	char data[RING_BYTES];
};

static struct xfer_ring *ring;

struct opts {
	const char *wl_path;
	uint64_t mem;			/* 0: what the workload needs */
	uint64_t pinned;		/* 0: the workload's own */
	unsigned int scale;
	unsigned int rounds;
	uint64_t threshold;
	unsigned int per_round;
	unsigned int warmup;
	unsigned int after;
	const char *src_uuid, *dst_uuid, *type;
	const char *json, *label;
	bool pace;
	bool pick;			/* print the type to create, exit */
	int fail_after;
};

struct row {
	int round;			/* -1: stop-copy */
	uint64_t vfio, truth, missed, cpu, sent, dev;
	uint64_t extra;			/* reported beyond the scope */
	uint64_t zero;			/* bytes sent as ZERO ranges */
	double bm_us, ms;
};

struct src {
	struct opts *o;
	struct wl w;
	struct wl_layout l;
	struct vgpu g;
	struct wl_run r;
	int sock, data_fd, scope, memfd;
	uint64_t zstart, zlen;		/* ZERO range not sent yet */
	uint64_t *vbm;
	uint64_t *pin_bm;		/* pages behind GTT entries (pinned) */
	char *devbuf;
	struct row rows[MAX_ROUNDS + 1];
	int nrows;
	bool converged;
	double stopcopy_ms;		/* STOP_COPY until the stream's end */
	struct mig_result res;
};

const char *prog = "vgpu-migrate";

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- socket I/O ---- */

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static int recv_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static int send_msg(int fd, uint32_t type, uint64_t a, const void *data,
		    uint64_t len)
{
	struct mig_msg m = { MIG_MAGIC, type, a, len };
	int ret = send_all(fd, &m, sizeof(m));

	if (!ret && len)
		ret = send_all(fd, data, len);
	return ret;
}

/* copy @len bytes between @p and the ring at byte count @pos (wrapping) */
static void ring_copy(char *p, uint64_t pos, uint64_t len, bool in)
{
	uint64_t off = pos % RING_BYTES;
	uint64_t n = len < RING_BYTES - off ? len : RING_BYTES - off;

	if (in) {
		memcpy(ring->data + off, p, n);
		memcpy(ring->data, p + n, len - n);
	} else {
		memcpy(p, ring->data + off, n);
		memcpy(p + n, ring->data, len - n);
	}
}

/* PAGES: @len bytes at IOVA @iova; the payload goes through the ring */
static int send_pages_msg(int fd, uint64_t iova, const char *p, uint64_t len)
{
	struct mig_msg m = { MIG_MAGIC, MIG_PAGES, iova, len };
	uint64_t head = atomic_load(&ring->head);

	while (head + len - atomic_load(&ring->tail) > RING_BYTES)
		usleep(100);
	ring_copy((char *)p, head, len, true);
	atomic_store(&ring->head, head + len);
	return send_all(fd, &m, sizeof(m));
}

/* Is the page at @p all zero? */
static bool page_zero(const char *p)
{
	return !p[0] && !memcmp(p, p + 1, WL_PAGE - 1);
}

/*
 * The extent of @fd at @pos (< @size): *data tells whether it holds data or
 * is a hole, *end where it ends (at most @size).  Reads nothing.
 */
static int next_extent(int fd, uint64_t pos, uint64_t size, bool *data,
		       uint64_t *end)
{
	off_t o = lseek(fd, pos, SEEK_DATA);

	if (o < 0 && errno != ENXIO)
		return -errno;
	*data = o == (off_t)pos;
	if (!*data) {
		*end = o < 0 || (uint64_t)o > size ? size : (uint64_t)o;
		return 0;
	}
	o = lseek(fd, pos, SEEK_HOLE);
	if (o < 0)
		return -errno;
	*end = (uint64_t)o > size ? size : (uint64_t)o;
	return 0;
}

/* ---- environment checks with clear messages ---- */

static void check_env(void)
{
	if (access("/dev/vfio/vfio", F_OK))
		die("VFIO is not loaded (/dev/vfio/vfio missing; try: vfio-mods patched)");
	if (!vgpu_present())
		die("module sample_vgpu not loaded (no /sys/class/mdev_bus/%s; try: vfio-mods patched)",
		    VGPU_PARENT);
}

static void open_or_die(struct vgpu *g, const char *uuid, const char *who)
{
	int ret;

	if (!mdev_exists(uuid))
		die("%s: no such mdev %s", who, uuid);
	ret = vgpu_open(g, uuid);
	if (ret == -EBUSY)
		die("%s: device busy: mdev %s is open in another process",
		    who, uuid);
	if (ret)
		die("%s: cannot open mdev %s: %s", who, uuid, strerror(-ret));
	if (!(g->caps & VGPU_CAP_MIGRATION))
		die("%s: mdev %s does not support migration", who, uuid);
}

static void mig_set_or_die(struct vgpu *g, uint32_t st, int *fd,
			   const char *who)
{
	int ret = vfio_mig_set(&g->dev, st, fd);

	if (ret)
		die("%s: migration refused by the device (-> %s): %s", who,
		    vfio_mig_state_name(st), strerror(-ret));
}

static void pick_type(uint32_t gtt_pages, int need,
		      struct vgpu_type_info *type)
{
	uint32_t largest;
	int ret = vgpu_pick_type(gtt_pages, need, type, &largest);

	if (ret == -ENOSPC)
		die("the workload needs %u GTT pages: no type with %d free instance(s) of that size (largest: %u pages; try --scale, or a larger gtt_pool)",
		    gtt_pages, need, largest);
	if (ret)
		die("reading the sample vGPU's types: %s", strerror(-ret));
}

/* ---- device state snapshot ---- */

static const uint32_t cmp_regs[MIG_NREGS - VGPU_NUM_SCRATCH] = {
	VGPU_REG_RING_BASE, VGPU_REG_RING_SIZE, VGPU_REG_RING_HEAD,
	VGPU_REG_RING_TAIL, VGPU_REG_RING_CTL, VGPU_REG_IRQ_STATUS,
	VGPU_REG_IRQ_ENABLE, VGPU_REG_LAST_SEQNO, VGPU_REG_ERROR,
	VGPU_REG_CMDS_EXECUTED, VGPU_REG_SUBMISSIONS,
};

static uint32_t reg_off(int i)
{
	int n = MIG_NREGS - VGPU_NUM_SCRATCH;

	return i < n ? cmp_regs[i] : VGPU_REG_SCRATCH0 + 4 * (i - n);
}

/* registers and the whole GTT (one read()) into @sw */
static int snapshot(struct vgpu *g, struct mig_switch *sw)
{
	uint32_t i;
	int ret;

	for (i = 0; i < MIG_NREGS; i++) {
		ret = vgpu_rd(g, reg_off(i), &sw->regs[i]);
		if (ret)
			return ret;
	}
	sw->gtt_entries = g->gtt_entries;
	return vgpu_gtt_read(g, 0, g->gtt_entries, (__u64 *)sw->gtt);
}

/* ---- source ---- */

static int send_bitmap_pages(struct src *s, const uint64_t *bm,
			     uint64_t *sent)
{
	uint64_t pg = 0, n, len, npages = s->r.npages;
	int ret;

	while (pg < npages) {
		if (!bm_test(bm, pg)) {
			pg++;
			continue;
		}
		for (n = 1; n < PAGES_PER_MSG && pg + n < npages &&
		     bm_test(bm, pg + n); n++)
			;
		len = n * WL_PAGE;
		ret = send_pages_msg(s->sock, s->l.base + pg * WL_PAGE,
				     vgpu_iova_ptr(&s->g,
						   s->l.base + pg * WL_PAGE),
				     len);
		if (ret)
			return ret;
		*sent += len;
		pg += n;
	}
	return 0;
}

/* Send the pending ZERO range, if any. */
static int zero_flush(struct src *s)
{
	struct mig_msg m = { MIG_MAGIC, MIG_ZERO, s->zstart, s->zlen };

	if (!s->zlen)
		return 0;
	s->zlen = 0;
	return send_all(s->sock, &m, sizeof(m));
}

/* Add @len bytes at offset @off to the pending ZERO range. */
static int zero_add(struct src *s, struct row *rw, uint64_t off,
		    uint64_t len)
{
	int ret = 0;

	if (s->zlen && s->zstart + s->zlen != s->l.base + off)
		ret = zero_flush(s);
	if (!s->zlen)
		s->zstart = s->l.base + off;
	s->zlen += len;
	rw->zero += len;
	return ret;
}

static int send_pages(struct src *s, struct row *rw, uint64_t off,
		      const char *p, uint64_t len)
{
	int ret = zero_flush(s);

	if (!ret)
		ret = send_pages_msg(s->sock, s->l.base + off, p, len);
	if (!ret)
		rw->sent += len;
	return ret;
}

/* A data extent [off, end) of the memfd: zero pages as ZERO, others PAGES. */
static int send_data(struct src *s, struct row *rw, uint64_t off,
		     uint64_t end)
{
	const char *p = vgpu_iova_ptr(&s->g, s->l.base);
	uint64_t n;
	bool z;
	int ret;

	for (; off < end; off += n) {
		z = page_zero(p + off);
		for (n = WL_PAGE; off + n < end &&
		     (z || n < PAGES_PER_MSG * WL_PAGE) &&
		     page_zero(p + off + n) == z; n += WL_PAGE)
			;
		if (z)
			ret = zero_add(s, rw, off, n);
		else
			ret = send_pages(s, rw, off, p + off, n);
		if (ret)
			return ret;
	}
	return 0;
}

/* Round 0: all guest memory, holes of the memfd as ZERO without reading. */
static int send_all_mem(struct src *s, struct row *rw)
{
	uint64_t off, end;
	bool data;
	int ret;

	for (off = 0; off < s->l.size; off = end) {
		ret = next_extent(s->memfd, off, s->l.size, &data, &end);
		if (ret)
			die("source: SEEK_DATA/SEEK_HOLE on guest memory: %s",
			    strerror(-ret));
		if (data)
			ret = send_data(s, rw, off, end);
		else
			ret = zero_add(s, rw, off, end - off);
		if (ret)
			return ret;
	}
	return zero_flush(s);
}

static int send_device(struct src *s, struct row *rw)
{
	long n = vfio_mig_read(s->data_fd, s->devbuf, DEV_BUF);

	if (n < 0) {
		fprintf(stderr, "%s: reading device data: %s\n", prog,
			strerror(-n));
		return n;
	}
	rw->dev += n;
	rw->sent += n;
	return n ? send_msg(s->sock, MIG_DEVICE, 0, s->devbuf, n) : 0;
}

/*
 * The pages a report may hold under the container's scope: those the
 * device wrote since the last report (device), every pinned page (pinned,
 * also stock type1).  A reported page outside this set is over-reporting.
 */
static const uint64_t *scope_allows(const struct src *s)
{
	if (s->scope == VFIO_DIRTY_SCOPE_DEVICE)
		return s->r.dev_bm;
	return s->pin_bm;
}

/* One dirty sync: GET_BITMAP, ground truth, send pages and device data. */
static int sync_round(struct src *s, struct row *rw, bool all)
{
	uint64_t i, words = bm_words(s->r.npages);
	const uint64_t *allow = scope_allows(s);
	double t0 = now_ms(), t1;
	int ret;

	ret = vfio_dirty_get_pages(&s->g.iommu, s->l.base, s->l.size, s->vbm);
	t1 = now_ms();
	if (ret)
		die("source: VFIO_IOMMU_DIRTY_PAGES GET_BITMAP: %s",
		    strerror(-ret));
	rw->bm_us = (t1 - t0) * 1e3;
	rw->vfio = bm_count(s->vbm, s->r.npages);
	rw->truth = bm_count(s->r.dev_bm, s->r.npages);
	rw->cpu = bm_count(s->r.cpu_bm, s->r.npages);
	for (i = 0; i < words; i++) {
		rw->missed += __builtin_popcountll(s->r.dev_bm[i] &
						   ~s->vbm[i]);
		if (allow)
			rw->extra += __builtin_popcountll(s->vbm[i] &
							  ~allow[i]);
		s->vbm[i] |= s->r.cpu_bm[i];
	}
	memset(s->r.dev_bm, 0, words * 8);
	memset(s->r.cpu_bm, 0, words * 8);
	if (all)
		ret = send_all_mem(s, rw);
	else
		ret = send_bitmap_pages(s, s->vbm, &rw->sent);
	if (!ret)
		ret = send_device(s, rw);
	rw->ms = now_ms() - t0;
	return ret;
}

static void run_frames(struct src *s, unsigned int n, const char *when)
{
	double period = s->o->pace ? s->w.period_ms : 0, next = now_ms();
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = wl_frame(&s->r);
		if (ret)
			die("source: frame %u (%s) failed: %s (device error %u)",
			    s->r.frame, when, strerror(-ret), s->r.error);
		next += period;
		while (period > 0 && now_ms() < next)
			usleep(1000);
	}
}

/* The destination went away: back to RUNNING, prove the source works. */
static void src_abort(struct src *s, int round, int err)
{
	uint32_t st = 0, seq;
	int ret;

	if (round < 0)
		fprintf(stderr,
			"%s: socket closed mid-stream in stop-copy (%s): migration aborted\n",
			prog, strerror(-err));
	else
		fprintf(stderr,
			"%s: socket closed mid-stream in round %d (%s): migration aborted\n",
			prog, round, strerror(-err));
	vfio_mig_get(&s->g.dev, &st);
	if (st == VFIO_DEVICE_STATE_STOP_COPY)
		vfio_mig_set(&s->g.dev, VFIO_DEVICE_STATE_STOP, NULL);
	ret = vfio_mig_set(&s->g.dev, VFIO_DEVICE_STATE_RUNNING, NULL);
	if (s->data_fd >= 0)
		close(s->data_fd);
	vfio_dirty_stop(&s->g.iommu);
	seq = s->r.seqno;
	if (!ret)
		ret = wl_frame(&s->r);
	printf("source: resumed RUNNING from %s; one more frame: %s (seqno %u -> %u)\n",
	       vfio_mig_state_name(st), ret ? strerror(-ret) : "ok", seq,
	       vgpu_reg(&s->g, VGPU_REG_LAST_SEQNO));
	printf("verdict: ABORTED (source intact: %s)\n", ret ? "no" : "yes");
	exit(ret ? 1 : 3);	/* cleanup() closes and removes the mdevs */
}

static void print_row(const struct row *rw)
{
	char r[16];

	if (rw->round < 0)
		snprintf(r, sizeof(r), "stop");
	else
		snprintf(r, sizeof(r), "%d", rw->round);
	printf("%5s %10llu %10llu %7llu %8llu %12llu %12llu %10.0f %9.1f\n",
	       r, (unsigned long long)rw->vfio, (unsigned long long)rw->truth,
	       (unsigned long long)rw->missed, (unsigned long long)rw->cpu,
	       (unsigned long long)rw->sent, (unsigned long long)rw->zero,
	       rw->bm_us, rw->ms);
	fflush(stdout);
}

static void precopy(struct src *s)
{
	struct row *rw;
	int ret, k;

	printf("%5s %10s %10s %7s %8s %12s %12s %10s %9s\n", "round",
	       "vfio_pages", "dev_truth", "missed", "cpu_pgs", "bytes_sent",
	       "zero_bytes", "bitmap_us", "ms");
	for (k = 0; k <= (int)s->o->rounds; k++) {
		rw = &s->rows[s->nrows++];
		rw->round = k;
		ret = sync_round(s, rw, k == 0);
		if (!ret)
			ret = send_msg(s->sock, MIG_ROUND, k, NULL, 0);
		if (ret)
			src_abort(s, k, ret);
		print_row(rw);
		run_frames(s, s->o->per_round, "precopy");
		if (k && rw->sent <= s->o->threshold) {
			s->converged = true;
			break;
		}
	}
}

/*
 * The downtime's source part: STOP_COPY until the stream's last byte is
 * sent.  Then, for verification only, the source's state (SWITCH).
 */
static void stop_copy(struct src *s)
{
	uint64_t swlen = mig_switch_len(s->g.gtt_entries);
	struct mig_switch *sw = calloc(1, swlen);
	struct row *rw = &s->rows[s->nrows++];
	double t0 = now_ms();
	int ret;

	if (!sw)
		die("out of memory");
	rw->round = -1;
	mig_set_or_die(&s->g, VFIO_DEVICE_STATE_STOP_COPY, NULL, "source");
	ret = sync_round(s, rw, false);
	if (ret)
		src_abort(s, -1, ret);
	mig_set_or_die(&s->g, VFIO_DEVICE_STATE_STOP, NULL, "source");
	s->stopcopy_ms = now_ms() - t0;
	close(s->data_fd);
	s->data_fd = -1;
	sw->frame = s->r.frame;
	sw->seqno = s->r.seqno;
	sw->rng = s->r.rng;
	sw->ring_tail = s->g.ring_tail;
	if (snapshot(&s->g, sw))
		die("source: register read-back failed");
	ret = send_msg(s->sock, MIG_SWITCH, 0, sw, swlen);
	free(sw);
	if (ret)
		src_abort(s, -1, ret);
	print_row(rw);
}

/* what the guest sees: the source's part and the destination's resume */
static double downtime_ms(const struct src *s)
{
	return s->stopcopy_ms + s->res.resume_ms;
}

/* ---- destination ---- */

struct dst {
	struct opts *o;
	const struct wl *w;
	const struct wl_layout *l;
	struct vgpu g;
	int sock, data_fd;
	int memfd;			/* the source's, for verification */
	int own_fd;			/* our guest memory */
	char *buf;
	struct mig_switch *sw;		/* the source's state, from SWITCH */
	struct mig_result res;
};

static void dst_recv(struct dst *d, void *p, uint64_t len)
{
	if (recv_all(d->sock, p, len)) {
		fprintf(stderr,
			"%s: destination: source closed the socket mid-stream\n",
			prog);
		exit(4);
	}
}

static void dst_pages(struct dst *d, const struct mig_msg *m)
{
	char *p = vgpu_iova_ptr(&d->g, m->a);

	uint64_t tail = atomic_load(&ring->tail);

	if (!p || m->len % WL_PAGE || m->len > RING_BYTES ||
	    m->a + m->len > d->l->base + d->l->size ||
	    atomic_load(&ring->head) - tail < m->len)
		die("destination: bad PAGES message %#llx+%#llx",
		    (unsigned long long)m->a, (unsigned long long)m->len);
	ring_copy(p, tail, m->len, false);
	atomic_store(&ring->tail, tail + m->len);
}

/* Make a ZERO range read as zero: clear its data extents, skip holes. */
static void dst_zero(struct dst *d, const struct mig_msg *m)
{
	char *p = vgpu_iova_ptr(&d->g, d->l->base);
	uint64_t off = m->a - d->l->base, end = off + m->len, e;
	bool data;
	int ret;

	if (m->a < d->l->base || m->a % WL_PAGE || m->len % WL_PAGE ||
	    off > d->l->size || m->len > d->l->size - off)
		die("destination: bad ZERO message %#llx+%#llx",
		    (unsigned long long)m->a, (unsigned long long)m->len);
	for (; off < end; off = e) {
		ret = next_extent(d->own_fd, off, end, &data, &e);
		if (ret)
			die("destination: SEEK_DATA/SEEK_HOLE: %s",
			    strerror(-ret));
		if (data)
			memset(p + off, 0, e - off);
	}
}

static void dst_device(struct dst *d, const struct mig_msg *m)
{
	int ret;

	if (m->len > DEV_BUF)
		die("destination: device chunk of %llu bytes",
		    (unsigned long long)m->len);
	dst_recv(d, d->buf, m->len);
	ret = vfio_mig_write(d->data_fd, d->buf, m->len);
	if (ret && !d->res.state_err)
		d->res.state_err = ret;
}

/* Receive until SWITCH. */
static void dst_stream(struct dst *d)
{
	struct mig_msg m;

	for (;;) {
		dst_recv(d, &m, sizeof(m));
		if (m.magic != MIG_MAGIC)
			die("destination: corrupt stream (magic %#x)", m.magic);
		if (m.type == MIG_PAGES) {
			dst_pages(d, &m);
		} else if (m.type == MIG_ZERO) {
			dst_zero(d, &m);
		} else if (m.type == MIG_DEVICE) {
			dst_device(d, &m);
		} else if (m.type == MIG_ROUND) {
			if (d->o->fail_after >= 0 &&
			    m.a == (uint64_t)d->o->fail_after) {
				fprintf(stderr,
					"%s: destination: closing the socket after round %d (--fail-after-round)\n",
					prog, d->o->fail_after);
				exit(5);
			}
		} else if (m.type == MIG_SWITCH &&
			   m.len == mig_switch_len(d->g.gtt_entries)) {
			d->sw = malloc(m.len);
			if (!d->sw)
				die("destination: out of memory");
			dst_recv(d, d->sw, m.len);
			return;
		} else {
			die("destination: unexpected message %u", m.type);
		}
	}
}

/*
 * First differing page in [off, end), where each side is all data or all
 * hole (a hole reads as zero; only data is read), or -1.
 */
static int64_t cmp_extent(const char *a, bool ad, const char *b, bool bd,
			  uint64_t off, uint64_t end)
{
	for (; off < end; off += WL_PAGE) {
		if (ad && bd ? memcmp(a + off, b + off, WL_PAGE) :
		    !page_zero(ad ? a + off : b + off))
			return off / WL_PAGE;
	}
	return -1;
}

/*
 * Byte for byte against the source's memory (shared read-only), extent by
 * extent: where both memfds have a hole, both read as zero and nothing is
 * read (reading would allocate shmem pages).
 */
static void dst_verify_mem(struct dst *d)
{
	const char *src = mmap(NULL, d->l->size, PROT_READ, MAP_SHARED,
			       d->memfd, 0);
	const char *dst = vgpu_iova_ptr(&d->g, d->l->base);
	uint64_t off, se, de, end, size = d->l->size;
	bool sd, dd;

	d->res.first_bad_page = -1;
	d->res.pages = size / WL_PAGE;
	if (src == MAP_FAILED)
		die("destination: cannot map the source's memory: %s",
		    strerror(errno));
	for (off = 0; off < size && d->res.first_bad_page < 0; off = end) {
		if (next_extent(d->memfd, off, size, &sd, &se) ||
		    next_extent(d->own_fd, off, size, &dd, &de))
			die("destination: SEEK_DATA/SEEK_HOLE: %s",
			    strerror(errno));
		end = se < de ? se : de;
		if (!sd && !dd)
			continue;
		d->res.first_bad_page = cmp_extent(src, sd, dst, dd, off, end);
		d->res.cmp_pages += (end - off) / WL_PAGE;
	}
	d->res.mem_ok = d->res.first_bad_page < 0;
	munmap((void *)src, size);
}

static void dst_verify_dev(struct dst *d)
{
	struct mig_switch *sw = calloc(1, mig_switch_len(d->g.gtt_entries));
	uint32_t i;

	d->res.bad_reg = -1;
	if (!sw || snapshot(&d->g, sw) ||
	    d->g.gtt_entries != d->sw->gtt_entries) {
		free(sw);
		return;
	}
	for (i = 0; i < MIG_NREGS && d->res.bad_reg < 0; i++) {
		if (sw->regs[i] != d->sw->regs[i]) {
			d->res.bad_reg = reg_off(i);
			d->res.bad_src = d->sw->regs[i];
			d->res.bad_dst = sw->regs[i];
		}
	}
	for (i = 0; i < d->g.gtt_entries && d->res.bad_reg < 0; i++) {
		if (sw->gtt[i] != d->sw->gtt[i]) {
			d->res.bad_reg = VGPU_GTT_WINDOW + 8 * i;
			d->res.bad_src = d->sw->gtt[i];
			d->res.bad_dst = sw->gtt[i];
		}
	}
	d->res.regs_ok = d->res.bad_reg < 0;
	free(sw);
}

/* The guest driver's view after switchover: GTT and ring as resumed. */
static void dst_continue(struct dst *d)
{
	struct wl_run r;
	uint32_t i, want;
	int ret;

	d->g.ring_base = 0;
	d->g.ring_size = d->l->ring_size;
	d->g.ring_tail = d->sw->ring_tail;
	for (i = 0; i < d->g.gtt_entries; i++)
		if (d->sw->gtt[i] & VGPU_GTT_VALID)
			d->g.gtt_host[i] = vgpu_iova_ptr(&d->g, d->sw->gtt[i] &
							 VGPU_GTT_ADDR_MASK);
	if (wl_run_init(&r, d->w, d->l, &d->g))
		die("destination: out of memory");
	r.frame = d->sw->frame;
	r.seqno = d->sw->seqno;
	r.rng = d->sw->rng;
	for (i = 0; i < d->o->after; i++) {
		ret = wl_frame(&r);
		if (ret) {
			d->res.frames_err = ret == -EPROTO ? (int)r.error : ret;
			break;
		}
		d->res.frames_run++;
	}
	want = r.seqno;
	if (!d->res.frames_err && vgpu_reg(&d->g, VGPU_REG_LAST_SEQNO) != want)
		d->res.frames_err = -EBADE;
	wl_run_free(&r);
}

static int dst_main(struct opts *o, const struct wl *w,
		    const struct wl_layout *l, int sock, int memfd)
{
	struct dst d = { .o = o, .w = w, .l = l, .sock = sock,
			 .memfd = memfd, .data_fd = -1 };
	double t0;
	int ret;

	prog = "vgpu-migrate[dst]";
	d.buf = malloc(DEV_BUF);
	open_or_die(&d.g, o->dst_uuid, "destination");
	d.own_fd = memfd_create("dst-guest-memory", 0);
	if (d.own_fd < 0 || ftruncate(d.own_fd, l->size) ||
	    vgpu_map_mem_fd(&d.g, l->base, l->size, d.own_fd))
		die("destination: cannot map %llu MiB of guest memory",
		    (unsigned long long)l->size >> 20);
	mig_set_or_die(&d.g, VFIO_DEVICE_STATE_STOP, NULL, "destination");
	mig_set_or_die(&d.g, VFIO_DEVICE_STATE_RESUMING, &d.data_fd,
		       "destination");
	dst_stream(&d);
	close(d.data_fd);
	t0 = now_ms();
	ret = vfio_mig_set(&d.g.dev, VFIO_DEVICE_STATE_STOP, NULL);
	d.res.resume_ms = now_ms() - t0;
	if (!d.res.state_err)
		d.res.state_err = ret;
	dst_verify_mem(&d);
	if (!d.res.state_err) {
		dst_verify_dev(&d);
		t0 = now_ms();
		d.res.state_err = vfio_mig_set(&d.g.dev,
					       VFIO_DEVICE_STATE_RUNNING, NULL);
		d.res.resume_ms += now_ms() - t0;
	}
	if (!d.res.state_err)
		dst_continue(&d);
	ret = send_msg(sock, MIG_RESULT, 0, &d.res, sizeof(d.res));
	vgpu_close(&d.g);
	return ret ? 4 : 0;
}

/* ---- results ---- */

static void report_errors(const struct src *s, uint64_t *missed,
			  uint64_t *extra)
{
	int i;

	*missed = *extra = 0;
	for (i = 0; i < s->nrows; i++) {
		*missed += s->rows[i].missed;
		*extra += s->rows[i].extra;
	}
}

/* PASS: identical state, and every report exact for its scope */
static bool verdict(const struct src *s)
{
	const struct mig_result *r = &s->res;
	uint64_t missed, extra;

	report_errors(s, &missed, &extra);
	return !r->state_err && r->mem_ok && r->regs_ok && !r->frames_err &&
	       r->frames_run == (int)s->o->after && !missed && !extra;
}

/*
 * Precision of a dirty report: pages reported per page the device truly
 * wrote; undefined (negative) when it wrote none.  The reports (make run's
 * table, make bench's) take it from the JSON and compute none themselves.
 */
static double precision(uint64_t reported, uint64_t truth)
{
	return truth ? (double)reported / truth : -1;
}

static void json_precision(FILE *f, uint64_t reported, uint64_t truth)
{
	if (truth)
		fprintf(f, "%.6f", precision(reported, truth));
	else
		fprintf(f, "null");
}

static void totals(const struct src *s, uint64_t *sent, uint64_t *vfio,
		   uint64_t *truth)
{
	int i;

	*sent = *vfio = *truth = 0;
	for (i = 0; i < s->nrows; i++) {
		*sent += s->rows[i].sent;
		if (s->rows[i].round > 0) {
			*vfio += s->rows[i].vfio;
			*truth += s->rows[i].truth;
		}
	}
}

static void print_result(const struct src *s)
{
	const struct mig_result *r = &s->res;
	const struct row *st = &s->rows[s->nrows - 1];
	uint64_t sent, vfio, truth, missed, extra;
	char prec[16] = "-";

	totals(s, &sent, &vfio, &truth);
	report_errors(s, &missed, &extra);
	if (truth)
		snprintf(prec, sizeof(prec), "%.2f", precision(vfio, truth));
	printf("precopy: %d rounds after the initial copy, %s\n",
	       s->nrows - 2, s->converged ? "converged" : "round limit");
	printf("total: %llu bytes sent; rounds 1..n reported %llu pages, device wrote %llu (precision %s)\n",
	       (unsigned long long)sent, (unsigned long long)vfio,
	       (unsigned long long)truth, prec);
	printf("stop-copy: %llu bytes (%llu pages, %llu device state bytes)\n",
	       (unsigned long long)st->sent,
	       (unsigned long long)((st->sent - st->dev) / WL_PAGE),
	       (unsigned long long)st->dev);
	printf("downtime: %.1f ms (source %.1f ms to the stream's end, destination %.1f ms to resume the device)\n",
	       downtime_ms(s), s->stopcopy_ms, r->resume_ms);
	if (r->state_err)
		printf("destination: device state refused: %s\n",
		       strerror(-r->state_err));
	if (r->mem_ok)
		printf("memory: identical (%llu pages, %llu read, the rest holes on both sides)\n",
		       (unsigned long long)r->pages,
		       (unsigned long long)r->cmp_pages);
	else
		printf("memory: MISMATCH, first differing page %lld (IOVA %#llx)\n",
		       (long long)r->first_bad_page,
		       (unsigned long long)(s->l.base +
					    r->first_bad_page * WL_PAGE));
	if (r->regs_ok)
		printf("device: registers, fences and %u GTT entries identical\n",
		       s->g.gtt_entries);
	else if (!r->state_err)
		printf("device: MISMATCH at %#x: source %#llx destination %#llx\n",
		       r->bad_reg, (unsigned long long)r->bad_src,
		       (unsigned long long)r->bad_dst);
	printf("destination: ran %d frames after switchover: %s\n",
	       r->frames_run, r->frames_err ? "FAILED" : "ok");
	printf("reports: %llu written pages missed, %llu pages beyond %s\n",
	       (unsigned long long)missed, (unsigned long long)extra,
	       !scope_allows(s) ? "the mapping" :
	       scope_allows(s) == s->pin_bm ? "the pinned set" :
	       "the pages written");
	printf("verdict: %s\n", verdict(s) ? "PASS" : "FAIL");
}

static void json_rows(FILE *f, const struct src *s)
{
	const struct row *rw;
	int i;

	for (i = 0; i < s->nrows; i++) {
		rw = &s->rows[i];
		fprintf(f, "    {\"round\": %d, \"vfio_pages\": %llu, \"truth_pages\": %llu, \"precision\": ",
			rw->round, (unsigned long long)rw->vfio,
			(unsigned long long)rw->truth);
		json_precision(f, rw->vfio, rw->truth);
		fprintf(f, ", \"missed\": %llu, \"extra\": %llu, \"cpu_pages\": %llu, \"bytes\": %llu, \"device_bytes\": %llu, \"zero_bytes\": %llu, \"bitmap_us\": %.1f, \"ms\": %.2f}%s\n",
			(unsigned long long)rw->missed,
			(unsigned long long)rw->extra,
			(unsigned long long)rw->cpu,
			(unsigned long long)rw->sent,
			(unsigned long long)rw->dev,
			(unsigned long long)rw->zero, rw->bm_us, rw->ms,
			i + 1 < s->nrows ? "," : "");
	}
}

static void write_json(const struct src *s)
{
	const struct row *st = &s->rows[s->nrows - 1];
	uint64_t sent, vfio, truth, missed, extra;
	FILE *f;

	if (!s->o->json)
		return;
	f = fopen(s->o->json, "w");
	if (!f)
		die("%s: %s", s->o->json, strerror(errno));
	totals(s, &sent, &vfio, &truth);
	fprintf(f, "{\n  \"workload\": \"%s\", \"label\": \"%s\", \"scope\": \"%s\",\n",
		s->w.name, s->o->label, vfio_dirty_scope_name(s->scope));
	fprintf(f, "  \"scale\": %u, \"mem_bytes\": %llu, \"pinned_pages\": %u, \"frames_per_round\": %u,\n",
		s->w.scale, (unsigned long long)s->l.size, s->l.gtt_pages,
		s->o->per_round);
	fprintf(f, "  \"rounds\": [\n");
	json_rows(f, s);
	fprintf(f, "  ],\n  \"precopy_rounds\": %d, \"converged\": %s,\n",
		s->nrows - 2, s->converged ? "true" : "false");
	fprintf(f, "  \"total_bytes\": %llu, \"total_reported_pages\": %llu, \"total_truth_pages\": %llu, \"precision\": ",
		(unsigned long long)sent, (unsigned long long)vfio,
		(unsigned long long)truth);
	json_precision(f, vfio, truth);
	fprintf(f, ",\n");
	fprintf(f, "  \"stopcopy_bytes\": %llu, \"stopcopy_device_bytes\": %llu, \"downtime_ms\": %.2f, \"stopcopy_ms\": %.2f, \"resume_ms\": %.2f,\n",
		(unsigned long long)st->sent, (unsigned long long)st->dev,
		downtime_ms(s), s->stopcopy_ms, s->res.resume_ms);
	report_errors(s, &missed, &extra);
	fprintf(f, "  \"missed_pages\": %llu, \"extra_pages\": %llu,\n",
		(unsigned long long)missed, (unsigned long long)extra);
	fprintf(f, "  \"memory_identical\": %s, \"memory_pages_read\": %llu, \"device_identical\": %s, \"verdict\": \"%s\"\n}\n",
		s->res.mem_ok ? "true" : "false",
		(unsigned long long)s->res.cmp_pages,
		s->res.regs_ok ? "true" : "false",
		verdict(s) ? "PASS" : "FAIL");
	fclose(f);
}

/* ---- source main ---- */

/* The pages wl_program() put behind GTT entries: ring and gtt buffers. */
static void pinned_pages(struct src *s)
{
	int i;

	bm_set_bytes(s->pin_bm, s->l.base, s->l.ring_iova, s->l.ring_size);
	for (i = 0; i < s->w.nbufs; i++)
		if (s->w.bufs[i].gtt)
			bm_set_bytes(s->pin_bm, s->l.base, s->l.buf_iova[i],
				     s->w.bufs[i].size);
	if (bm_count(s->pin_bm, s->r.npages) != s->l.gtt_pages)
		die("source: %llu pinned pages, layout says %u",
		    (unsigned long long)bm_count(s->pin_bm, s->r.npages),
		    s->l.gtt_pages);
}

static void src_setup(struct src *s, int memfd)
{
	int ret;

	s->memfd = memfd;
	open_or_die(&s->g, s->o->src_uuid, "source");
	if (s->l.gtt_pages > s->g.gtt_entries)
		die("source: workload needs %u GTT pages, mdev has %u",
		    s->l.gtt_pages, s->g.gtt_entries);
	ret = vgpu_map_mem_fd(&s->g, s->l.base, s->l.size, memfd);
	if (ret)
		die("source: mapping %llu MiB of guest memory: %s",
		    (unsigned long long)s->l.size >> 20, strerror(-ret));
	ret = wl_program(&s->g, &s->w, &s->l);
	if (!ret)
		ret = wl_run_init(&s->r, &s->w, &s->l, &s->g);
	if (ret)
		die("source: programming the vGPU: %s", strerror(-ret));
	s->vbm = calloc(bm_words(s->r.npages), 8);
	s->pin_bm = calloc(bm_words(s->r.npages), 8);
	s->devbuf = malloc(DEV_BUF);
	if (!s->vbm || !s->pin_bm || !s->devbuf)
		die("out of memory");
	pinned_pages(s);
	wl_cpu_init(&s->r);
}

static void src_start(struct src *s)
{
	int ret = vfio_dirty_start(&s->g.iommu);

	/* round 0 sends everything: the truth starts with tracking */
	memset(s->r.dev_bm, 0, bm_words(s->r.npages) * 8);
	if (ret)
		die("source: VFIO_IOMMU_DIRTY_PAGES START: %s", strerror(-ret));
	s->scope = vfio_dirty_scope(&s->g.iommu);
	if (s->scope < 0)
		die("source: reading the dirty scope: %s", strerror(-s->scope));
	printf("dirty scope: %s\n", vfio_dirty_scope_name(s->scope));
	mig_set_or_die(&s->g, VFIO_DEVICE_STATE_PRE_COPY, &s->data_fd,
		       "source");
}

static int src_main(struct src *s, int memfd)
{
	struct mig_msg m;
	int ret;

	src_setup(s, memfd);
	printf("workload %s (scale 1/%u): guest memory %llu MiB, %u GTT pages pinned, %u frames per round, mdev %s -> %s\n",
	       s->w.name, s->w.scale, (unsigned long long)s->l.size >> 20,
	       s->l.gtt_pages, s->o->per_round, s->o->src_uuid,
	       s->o->dst_uuid);
	run_frames(s, s->o->warmup, "warm-up");
	src_start(s);
	precopy(s);
	stop_copy(s);
	ret = recv_all(s->sock, &m, sizeof(m));
	if (!ret && (m.type != MIG_RESULT || m.len != sizeof(s->res)))
		ret = -EPROTO;
	if (!ret)
		ret = recv_all(s->sock, &s->res, sizeof(s->res));
	if (ret)	/* nothing confirmed the switch: the source runs on */
		src_abort(s, -1, ret);
	print_result(s);
	write_json(s);
	vgpu_close(&s->g);
	return verdict(s) ? 0 : 1;
}

/* ---- options and main ---- */

static void usage(void)
{
	fprintf(stderr,
"usage: %s [options] WORKLOAD.wl\n"
"  -m, --mem SIZE          guest memory (default: what the workload needs,\n"
"                          rounded up to 64M; K/M/G suffixes)\n"
"  -p, --pinned SIZE       pinned working set of a workload with a 'rest'\n"
"                          buffer (default: its 'pinned' line)\n"
"  -s, --scale N           divide buffer sizes by N (default: the\n"
"                          workload's scale, else 1)\n"
"  -r, --rounds N          precopy round limit (default 8)\n"
"  -T, --threshold SIZE    converge when a round sends <= SIZE (default 4M)\n"
"  -f, --frames-per-round N  frames the workload runs per round (default 2)\n"
"  -w, --warmup N          frames before migration (default 2)\n"
"  -a, --after N           frames on the destination afterwards (default 2)\n"
"      --src UUID, --dst UUID  existing mdevs (default: create, remove)\n"
"      --type TYPE         mdev type to create (default: smallest fitting)\n"
"      --pick-type         print the type it would create for two\n"
"                          instances, then exit\n"
"  -j, --json PATH         write the results as JSON\n"
"  -l, --label NAME        label in the JSON (default: the dirty scope)\n"
"      --no-pace           ignore the frame period\n"
"      --fail-after-round N  destination closes the socket after round N\n",
		prog);
	exit(2);
}

static void parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mem", 1, 0, 'm' }, { "pinned", 1, 0, 'p' },
		{ "scale", 1, 0, 's' },
		{ "rounds", 1, 0, 'r' }, { "threshold", 1, 0, 'T' },
		{ "frames-per-round", 1, 0, 'f' }, { "warmup", 1, 0, 'w' },
		{ "after", 1, 0, 'a' }, { "src", 1, 0, 1 }, { "dst", 1, 0, 2 },
		{ "type", 1, 0, 3 }, { "json", 1, 0, 'j' },
		{ "label", 1, 0, 'l' }, { "no-pace", 0, 0, 4 },
		{ "fail-after-round", 1, 0, 5 }, { "pick-type", 0, 0, 6 },
		{ "help", 0, 0, 'h' }, { 0 },
	};
	int c;

	*o = (struct opts){ .rounds = 8,
			    .threshold = 4 << 20, .per_round = 2, .warmup = 2,
			    .after = 2, .pace = true, .fail_after = -1 };
	while ((c = getopt_long(argc, argv, "m:p:s:r:T:f:w:a:j:l:h", lo,
				NULL)) != -1) {
		switch (c) {
		case 'm':
			o->mem = size_arg(optarg);
			break;
		case 'p':
			o->pinned = size_arg(optarg);
			break;
		case 's':
			o->scale = num_arg(optarg, 1, WL_MAX_SCALE);
			break;
		case 'r':
			o->rounds = num_arg(optarg, 0, MAX_ROUNDS - 1);
			break;
		case 'T':
			o->threshold = size_arg(optarg);
			break;
		case 'f':
			o->per_round = num_arg(optarg, 1, 100000);
			break;
		case 'w':
			o->warmup = num_arg(optarg, 0, 100000);
			break;
		case 'a':
			o->after = num_arg(optarg, 0, 100000);
			break;
		case 1:
			o->src_uuid = optarg;
			break;
		case 2:
			o->dst_uuid = optarg;
			break;
		case 3:
			o->type = optarg;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'l':
			o->label = optarg;
			break;
		case 4:
			o->pace = false;
			break;
		case 5:
			o->fail_after = num_arg(optarg, 0, MAX_ROUNDS);
			break;
		case 6:
			o->pick = true;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	o->wl_path = argv[optind];
	if (o->mem % (256 << 10))
		die("--mem must be a multiple of 256K");
}

static char created[2][VFIO_UUID_LEN];
static struct src s;
static pid_t main_pid, child_pid;

static void create_mdevs(struct opts *o, uint32_t gtt_pages)
{
	int i, ret, need = !o->src_uuid + !o->dst_uuid;
	struct vgpu_type_info t;
	const char *type = o->type;

	if (!need)
		return;
	if (!type) {
		pick_type(gtt_pages, need, &t);
		type = t.name;
	}
	for (i = 0; i < 2; i++) {
		if (i ? o->dst_uuid : o->src_uuid)
			continue;
		ret = vgpu_mdev_create(type, created[i]);
		if (ret)
			die("creating a %s mdev: %s", type, strerror(-ret));
		if (i)
			o->dst_uuid = created[i];
		else
			o->src_uuid = created[i];
	}
}

/* atexit: close our device, reap the destination, remove our mdevs */
static void cleanup(void)
{
	int i, ret;

	if (getpid() != main_pid)
		return;
	if (s.sock > 0)
		close(s.sock);
	s.sock = -1;
	vgpu_close(&s.g);
	if (child_pid > 0)
		waitpid(child_pid, NULL, 0);
	child_pid = 0;

	for (i = 0; i < 2; i++) {
		if (!created[i][0])
			continue;
		ret = mdev_remove(created[i]);
		if (ret)
			fprintf(stderr, "%s: removing mdev %s: %s\n", prog,
				created[i], strerror(-ret));
		created[i][0] = 0;
	}
}

static int run(struct src *s, int memfd)
{
	int sv[2], status = 0, ret;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair: %s", strerror(errno));
	ring = mmap(NULL, sizeof(*ring), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ring == MAP_FAILED)
		die("the transfer ring: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		close(sv[0]);
		_exit(dst_main(s->o, &s->w, &s->l, sv[1], memfd));
	}
	child_pid = pid;
	close(sv[1]);
	s->sock = sv[0];
	ret = src_main(s, memfd);
	close(s->sock);
	s->sock = -1;
	waitpid(pid, &status, 0);
	child_pid = 0;
	return ret;
}

int main(int argc, char **argv)
{
	static struct opts o;
	char err[512];
	int memfd, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_opts(&o, argc, argv);
	s.o = &o;
	s.data_fd = -1;
	s.sock = -1;
	main_pid = getpid();
	vgpu_close(&s.g);	/* all fds -1 */
	if (wl_parse_file(o.wl_path, &s.w, err, sizeof(err)))
		die("%s", err);
	if (o.pinned && wl_set_pinned(&s.w, o.pinned, err, sizeof(err)))
		die("%s", err);
	wl_scale(&s.w, o.scale);
	if (!o.mem)	/* ring, buffers, rounded up to 64M */
		o.mem = (VGPU_RING_MIN_SIZE + wl_total_bytes(&s.w, false) +
			 (64 << 20) - 1) & ~((64ull << 20) - 1);
	if (wl_layout(&s.w, MEM_BASE, o.mem, VGPU_RING_MIN_SIZE, &s.l, err,
		      sizeof(err)))
		die("%s", err);
	if (!o.label)
		o.label = "default";
	check_env();
	if (o.pick) {
		struct vgpu_type_info t;

		pick_type(s.l.gtt_pages, 2, &t);
		printf("%s\n", t.name);
		return 0;
	}
	atexit(cleanup);
	create_mdevs(&o, s.l.gtt_pages);
	memfd = memfd_create("guest-memory", 0);
	if (memfd < 0 || ftruncate(memfd, o.mem))
		die("guest memory: %s", strerror(errno));
	ret = run(&s, memfd);
	cleanup();
	return ret;
}
