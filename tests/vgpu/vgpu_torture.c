// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_torture.c - stateful random torture of the sample vGPU, in the VM
 *
 *   vgpu_torture [-s SEED] [-t SECONDS] [-n STEPS] [-v]
 *
 * From a seed, random steps over up to three small instances, each in its
 * own type1 container: region reads and writes (config space, registers,
 * the GTT window: whole entries, halves, bulk), the display engine (a
 * pipe, a flip and a writeback, completed by disabling the pipe so that
 * the model knows when the frame is written), SET_IRQS, DMA map and
 * unmap (with and without GET_DIRTY_BITMAP), submissions (known commands
 * and garbage), dirty tracking on, off and reports, migration state
 * changes to any state (illegal ones included), reads, writes and ioctls
 * on data fds (kept after their session or device is gone), reset, close
 * and reopen, mdev create and remove, and whole migrations from one
 * instance to another.
 *
 * A model of each instance predicts what each step must do, and after
 * every step the invariants are checked:
 *  - no WARN, BUG, Oops, KASAN or lockdep line in the kernel log;
 *  - the migration state is the model's, and a call that must fail fails
 *    with the errno the model expects;
 *  - pins match the GTT: vendor/pages_pinned equals the model's pinned
 *    entries, and the GTT reads back as programmed;
 *  - a stopped device signals no interrupt;
 *  - with tracking on, every page the device wrote (ground truth: the
 *    model of the commands, and the pages whose bytes changed) is
 *    reported, and in DEVICE scope nothing else is;
 *  - a migration that completes is byte-exact: the destination's
 *    registers and GTT are the source's, and its guest memory, built
 *    only from the dirty reports, equals the source's.
 *
 * It prints TAP (one test) with steps/s and the migration states, FSM
 * arcs and state changes it covered.  A failure prints the seed and the
 * last steps, so that a run can be repeated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "libvgpu.h"
#include "randrun.h"
#include "../../drivers/gpu/sample-vgpu/mig_stream.h"
#include "mig_fsm.h"

#define NSLOT		3
#define NWIN		4
#define NENT		256		/* the small type */
#define RING_ENT	16		/* entries 0..15: W0, ring and spare */
#define NSTATE		MIG_NSTATE
#define STREAM_CAP	(1 << 20)

static const struct {
	__u64 iova;
	__u32 pages;
} win[NWIN] = {
	{ 0x100000, 16 },		/* the ring: always mapped */
	{ 0x400000, 64 },
	{ 0x1000000, 32 },
	{ 0x100000000ull, 8 },		/* needs the high half */
};

struct slot {
	char uuid[VFIO_UUID_LEN];	/* "" when there is no instance */
	bool open;
	struct vgpu g;
	/* model */
	bool mapped[NWIN];
	__u64 gtt[NENT];
	bool pin[NENT];
	__u32 state;
	__u32 scratch[VGPU_NUM_SCRATCH];
	int save_fd, res_fd;
	bool save_live, res_live;
	bool res_valid;		/* a whole, loadable stream was written */
	__u64 res_gtt[NENT];	/* ... of this GTT (REVOKED in bit 1) */
	__u32 res_scratch[VGPU_NUM_SCRATCH];
	bool tracking;
	bool exact;		/* every device write since the report known */
	uint64_t written[NWIN][1];	/* pages written, since the report */
	int irq;		/* active index, or -1 */
	bool ring_ok;
};

static struct slot slots[NSLOT];
static int kmsg = -1;
static bool device_scope;
static char *stream;

static struct {
	long steps, submissions, commands, migrations, migrations_ok, resets, reopens,
	     creates, removes, reports, fd_ops, gtt_writes, reg_io, irq_ops,
	     maps, unmaps, mig_requests, mig_refused, disp_ops, writebacks;
	bool state_seen[NSTATE];
	bool arc_seen[NSTATE][NSTATE];
	bool req_seen[NSTATE][NSTATE + 1];	/* [cur][target], +1: invalid */
} cov;

/* printed after the trace of a failure */
static void print_counters(void)
{
	int i;

	for (i = 0; i < NSLOT; i++)
		if (slots[i].uuid[0])
			printf("# %s: pinned %ld, dirty pages %ld, marks %ld, mark errors %ld, gtt_revoked %ld\n",
			       slots[i].uuid,
			       vgpu_counter(slots[i].uuid, "pages_pinned"),
			       vgpu_counter(slots[i].uuid, "dirty_pages"),
			       vgpu_counter(slots[i].uuid, "dirty_marks"),
			       vgpu_counter(slots[i].uuid, "mark_errors"),
			       vgpu_counter(slots[i].uuid, "gtt_revoked"));
}

/* ---- the kernel log ---- */

static void kmsg_open(void)
{
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
}

static void kmsg_check(void)
{
	static const char *bad[] = { "WARNING:", "BUG:", "Oops", "KASAN",
		"possible circular locking", "possible recursive locking",
		"inconsistent lock state", "list_del corruption",
		"list_add corruption", "UBSAN:", "refcount_t:",
		"general protection fault" };
	char rec[2048];
	ssize_t n;
	size_t i;

	while (kmsg >= 0 && (n = read(kmsg, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0) {
			if (errno == EPIPE)	/* overrun: records lost */
				continue;
			break;
		}
		rec[n] = 0;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			rr_check(!strstr(rec, bad[i]), "kernel log: %s", rec);
	}
}

/* ---- model helpers ---- */

static int win_of(__u64 iova)
{
	int w;

	for (w = 0; w < NWIN; w++)
		if (iova >= win[w].iova &&
		    iova < win[w].iova + (__u64)win[w].pages * VGPU_PAGE_SIZE)
			return w;
	return -1;
}

static bool page_mapped(struct slot *s, __u64 iova)
{
	int w = win_of(iova);

	return w >= 0 && s->mapped[w];
}

static long model_pins(struct slot *s)
{
	long n = 0;
	int i;

	for (i = 0; i < NENT; i++)
		n += s->pin[i];
	return n;
}

static void model_clear(struct slot *s)
{
	memset(s->gtt, 0, sizeof(s->gtt));
	memset(s->pin, 0, sizeof(s->pin));
	memset(s->scratch, 0, sizeof(s->scratch));
	s->ring_ok = false;
}

/* a page the device wrote (tracking on): to be reported */
static void model_written(struct slot *s, __u64 iova)
{
	int w = win_of(iova);

	if (s->tracking && w >= 0)
		bm_set(s->written[w], (iova - win[w].iova) / VGPU_PAGE_SIZE);
}

static void drain_irq(struct slot *s)
{
	__u64 cnt;

	if (s->g.irq_fd >= 0)
		while (read(s->g.irq_fd, &cnt, sizeof(cnt)) == sizeof(cnt))
			;
}

static void fd_close(int *fd, bool *live)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	*live = false;
}

/* ---- invariants after every step ---- */

static void check_slot(struct slot *s)
{
	__u64 vals[NENT];
	__u32 st = ~0u;
	long pinned;
	int i;

	if (!s->uuid[0] || !s->open)
		return;
	rr_check(!vfio_mig_get(&s->g.dev, &st) && st == s->state,
	      "%s: state %u, model %u", s->uuid, st, s->state);
	pinned = vgpu_counter(s->uuid, "pages_pinned");
	rr_check(pinned == model_pins(s), "%s: pages_pinned %ld, model %ld",
	      s->uuid, pinned, model_pins(s));
	rr_check(!vfio_dev_read(&s->g.dev, s->g.bar0_off + VGPU_GTT_WINDOW, vals,
			     sizeof(vals)), "GTT read");
	for (i = 0; i < NENT; i++)
		rr_check(vals[i] == s->gtt[i], "%s: GTT[%d] %#llx, model %#llx",
		      s->uuid, i, (unsigned long long)vals[i],
		      (unsigned long long)s->gtt[i]);
	if (!mig_running(s->state) && s->g.irq_fd >= 0) {
		__u64 cnt;

		rr_check(read(s->g.irq_fd, &cnt, sizeof(cnt)) < 0 &&
		      errno == EAGAIN, "%s: an interrupt while stopped (%s)",
		      s->uuid, vfio_mig_state_name(s->state));
	}
}

static void check_all(void)
{
	int i;

	kmsg_check();
	for (i = 0; i < NSLOT; i++)
		check_slot(&slots[i]);
}

/* ---- instances ---- */

static int map_win(struct slot *s, int w)
{
	int ret = vgpu_map_mem(&s->g, win[w].iova,
			       (__u64)win[w].pages * VGPU_PAGE_SIZE);

	if (!ret)
		s->mapped[w] = true;
	return ret;
}

/* open, W0 and W1 mapped, the ring in entries 0..15 */
static void slot_open(struct slot *s)
{
	int i;

	rr_check(!vgpu_open(&s->g, s->uuid), "open %s", s->uuid);
	s->open = true;
	memset(s->mapped, 0, sizeof(s->mapped));
	model_clear(s);
	s->state = VFIO_DEVICE_STATE_RUNNING;
	s->tracking = false;
	s->exact = true;
	memset(s->written, 0, sizeof(s->written));
	s->irq = -1;
	rr_check(!map_win(s, 0) && !map_win(s, 1), "map");
	rr_check(!vgpu_gtt_map(&s->g, 0, win[0].iova, RING_ENT), "ring GTT");
	for (i = 0; i < RING_ENT; i++) {
		s->gtt[i] = (win[0].iova + (__u64)i * VGPU_PAGE_SIZE) |
			    VGPU_GTT_VALID;
		s->pin[i] = true;
	}
	device_scope = vfio_dirty_scope(&s->g.iommu) ==
		       VFIO_DIRTY_SCOPE_DEVICE;
}

static void slot_create(struct slot *s)
{
	s->save_fd = s->res_fd = -1;
	rr_check(!vgpu_mdev_create(VGPU_TYPE_SMALL, s->uuid), "mdev create");
	cov.creates++;
	slot_open(s);
}

/* the ring usable again after a reset, a resume or register writes */
static int ring_ready(struct slot *s)
{
	int i, ret;

	if (s->ring_ok)
		return 0;
	ret = vgpu_gtt_map(&s->g, 0, win[0].iova, RING_ENT);
	if (!ret)
		ret = vgpu_ring_setup(&s->g, 0, VGPU_RING_MIN_SIZE);
	if (ret)
		return ret;
	for (i = 0; i < RING_ENT; i++) {
		s->gtt[i] = (win[0].iova + (__u64)i * VGPU_PAGE_SIZE) |
			    VGPU_GTT_VALID;
		s->pin[i] = true;
	}
	s->ring_ok = true;
	return 0;
}

static struct slot *any_open(void)
{
	int i = rr_pick(NSLOT), k;

	for (k = 0; k < NSLOT; k++, i = (i + 1) % NSLOT)
		if (slots[i].uuid[0] && slots[i].open)
			return &slots[i];
	return NULL;
}

/* ---- dirty reports ---- */

/* a bitmap from the kernel against the model's written pages of @w */
static void judge_report(struct slot *s, int w, const uint64_t *bm)
{
	__u32 p;

	for (p = 0; p < win[w].pages; p++) {
		bool r = bm_test(bm, p), m = bm_test(s->written[w], p);

		rr_check(!m || r, "%s: page %#llx written, not reported", s->uuid,
		      (unsigned long long)(win[w].iova + p * VGPU_PAGE_SIZE));
		rr_check(!r || m || !s->exact || !device_scope,
		      "%s: page %#llx reported, never written", s->uuid,
		      (unsigned long long)(win[w].iova + p * VGPU_PAGE_SIZE));
	}
	memset(s->written[w], 0, sizeof(s->written[w]));
}

static void op_report(struct slot *s)
{
	uint64_t bm[1];
	int w, ret;

	for (w = 0; w < NWIN; w++) {
		if (!s->mapped[w])
			continue;
		ret = vfio_dirty_get_pages(&s->g.iommu, win[w].iova,
					   (__u64)win[w].pages * VGPU_PAGE_SIZE, bm);
		if (!s->tracking) {
			rr_check(ret == -EINVAL, "report with tracking off: %d", ret);
			continue;
		}
		rr_check(!ret, "GET_BITMAP: %d", ret);
		judge_report(s, w, bm);
	}
	if (s->tracking)
		s->exact = true;
	cov.reports++;
	rr_note("report %s", s->uuid);
}

static void op_tracking(struct slot *s)
{
	bool on = rr_chance(60);
	int ret = on ? vfio_dirty_start(&s->g.iommu) :
		       vfio_dirty_stop(&s->g.iommu);

	rr_check(!ret, "dirty %s: %d", on ? "start" : "stop", ret);
	if (on != s->tracking) {
		memset(s->written, 0, sizeof(s->written));
		s->exact = true;
	}
	s->tracking = on;
	rr_note("tracking %s %s", s->uuid, on ? "on" : "off");
}

/* ---- DMA map and unmap ---- */

static struct vgpu_mem *mem_slot(struct vgpu *g, __u64 iova)
{
	int i;

	for (i = 0; i < VGPU_MAX_MAPS; i++)
		if (g->mem[i].host && g->mem[i].iova == iova)
			return &g->mem[i];
	return NULL;
}

/* the pins of the entries in window @w are revoked (they stay valid) */
static void model_unmap(struct slot *s, int w)
{
	int i;

	for (i = 0; i < NENT; i++)
		if (s->pin[i] && win_of(s->gtt[i] & VGPU_GTT_ADDR_MASK) == w)
			s->pin[i] = false;
	s->mapped[w] = false;
}

static void op_unmap(struct slot *s)
{
	int w = 1 + rr_pick(NWIN - 1);
	__u64 size = (__u64)win[w].pages * VGPU_PAGE_SIZE;
	struct vgpu_mem *m = mem_slot(&s->g, win[w].iova);
	bool with_bm = s->tracking && rr_chance(50);
	uint64_t bm[1] = { 0 };
	int ret;

	if (!s->mapped[w])
		return;
	rr_note("unmap %s W%d%s", s->uuid, w, with_bm ? " with bitmap" : "");
	ret = with_bm ? vfio_dma_unmap_dirty(&s->g.iommu, win[w].iova, size,
					     bm, sizeof(bm)) :
			vfio_dma_unmap(&s->g.iommu, win[w].iova, size);
	rr_check(!ret, "unmap: %d", ret);
	if (with_bm)
		judge_report(s, w, bm);
	memset(s->written[w], 0, sizeof(s->written[w]));
	munmap(m->host, m->size);
	m->host = NULL;
	model_unmap(s, w);
	cov.unmaps++;
}

static void op_map(struct slot *s)
{
	int w = 1 + rr_pick(NWIN - 1);

	if (s->mapped[w])
		return;
	rr_note("map %s W%d", s->uuid, w);
	rr_check(!map_win(s, w), "map W%d", w);
	cov.maps++;
}

/* ---- GTT writes ---- */

/* a value worth writing: a page of a window (mostly mapped), or junk */
static __u64 gtt_value(struct slot *s)
{
	int w = 1 + rr_pick(NWIN - 1), k;

	for (k = 0; k < 4 && !s->mapped[w] && rr_chance(80); k++)
		w = 1 + rr_pick(NWIN - 1);
	__u64 v = win[w].iova + (__u64)rr_pick(win[w].pages) * VGPU_PAGE_SIZE;

	switch (rr_pick(10)) {
	case 0:
		return 0;
	case 1:
		return ((__u64)rr_rnd() << 32 | rr_rnd()) & ~0xffeull;
	case 2:
		return v;				/* not valid */
	default:
		return v | VGPU_GTT_VALID;
	}
}

/*
 * Commit @val to entry @e as the driver does; returns false if the entry
 * wanted a pin that failed (it then loses VALID).
 */
static bool model_commit(struct slot *s, int e, __u64 val)
{
	val &= VGPU_GTT_ADDR_MASK | VGPU_GTT_VALID;
	if (s->pin[e] && val != s->gtt[e])
		s->pin[e] = false;
	s->gtt[e] = val;
	if (!(val & VGPU_GTT_VALID) || s->pin[e])
		return true;
	if (page_mapped(s, val & VGPU_GTT_ADDR_MASK)) {
		s->pin[e] = true;
		return true;
	}
	s->gtt[e] &= ~VGPU_GTT_VALID;
	return false;
}

static void expect_dma_error(struct slot *s, int first_failed)
{
	if (first_failed < 0)
		return;
	rr_check(vgpu_reg(&s->g, VGPU_REG_ERROR) == VGPU_ERR_DMA &&
	      vgpu_reg(&s->g, VGPU_REG_ERROR_HEAD) ==
	      VGPU_GTT_WINDOW + 8 * (__u32)first_failed,
	      "%s: ERROR after a failed pin of entry %d", s->uuid,
	      first_failed);
	vgpu_wr(&s->g, VGPU_REG_ERROR, 0);
}

static void op_gtt(struct slot *s)
{
	bool run = mig_running(s->state);
	int e = RING_ENT + rr_pick(NENT - RING_ENT), how = rr_pick(4), ret;
	int n = how == 3 ? 2 + rr_pick(24) : 1, i, failed = -1;
	__u64 vals[32];
	__u32 off = VGPU_GTT_WINDOW + 8 * e, half;

	if (e + n > NENT)
		n = NENT - e;
	for (i = 0; i < n; i++)
		vals[i] = gtt_value(s);
	cov.gtt_writes++;
	switch (how) {
	case 0:			/* low half */
		half = (__u32)vals[0];
		rr_note("gtt %s [%d].lo = %#x", s->uuid, e, half);
		ret = vgpu_wr(&s->g, off, half);
		if (!run)
			break;
		if (!model_commit(s, e, (s->gtt[e] & ~0xffffffffull) | half))
			failed = e;
		break;
	case 1:			/* high half */
		half = vals[0] >> 32;
		rr_note("gtt %s [%d].hi = %#x", s->uuid, e, half);
		ret = vgpu_wr(&s->g, off + 4, half);
		if (!run || half == s->gtt[e] >> 32)
			break;
		s->gtt[e] = ((__u64)half << 32 | (__u32)s->gtt[e]) &
			    ~VGPU_GTT_VALID;
		s->pin[e] = false;
		break;
	case 2:			/* the whole entry */
		rr_note("gtt %s [%d] = %#llx", s->uuid, e,
		     (unsigned long long)vals[0]);
		ret = vgpu_wr64(&s->g, off, vals[0]);
		if (run && !model_commit(s, e, vals[0]))
			failed = e;
		break;
	default:		/* bulk */
		rr_note("gtt %s [%d..%d] bulk", s->uuid, e, e + n - 1);
		ret = vfio_dev_write(&s->g.dev, s->g.bar0_off + off, vals,
				     8 * n);
		for (i = 0; run && i < n; i++)
			if (!model_commit(s, e + i, vals[i]) && failed < 0)
				failed = e + i;
		break;
	}
	rr_check(ret == (run ? 0 : -EBUSY), "GTT write: %d (%s)", ret,
	      vfio_mig_state_name(s->state));
	expect_dma_error(s, failed);
}

/* ---- registers and config space ---- */

static void op_reg(struct slot *s)
{
	static const __u32 regs[] = { VGPU_REG_ID, VGPU_REG_CAPS,
		VGPU_REG_STATUS, VGPU_REG_IRQ_STATUS, VGPU_REG_IRQ_ENABLE,
		VGPU_REG_LAST_SEQNO, VGPU_REG_ERROR, VGPU_REG_CMDS_EXECUTED,
		0x200, 0xffc, 0x7ff8 };
	bool run = mig_running(s->state);
	__u32 off, val = rr_rnd(), r = rr_pick(3);
	__u8 buf[8];
	int ret;

	cov.reg_io++;
	if (r == 0) {			/* a read anywhere, any size */
		off = rr_pick(2) ? rr_pick(0x9000) : rr_pick(300);
		ret = vfio_dev_read(&s->g.dev, (rr_pick(2) ? s->g.bar0_off :
				    s->g.cfg_off) + off, buf, 1 + rr_pick(8));
		rr_note("read %s %#x: %d", s->uuid, off, ret);
		return;
	}
	if (r == 1) {			/* config space: any bytes */
		off = rr_pick(VGPU_CFG_SIZE - 4);
		ret = vfio_dev_write(&s->g.dev, s->g.cfg_off + off, &val, 4);
		rr_check(!ret, "config write %#x: %d", off, ret);
		rr_note("cfg %s %#x = %#x", s->uuid, off, val);
		return;
	}
	if (rr_pick(4) == 0) {		/* a scratch register */
		__u32 i = rr_pick(VGPU_NUM_SCRATCH);

		ret = vgpu_wr(&s->g, VGPU_REG_SCRATCH0 + 4 * i, val);
		if (run)
			s->scratch[i] = val;
		off = VGPU_REG_SCRATCH0 + 4 * i;
	} else {
		off = regs[rr_pick(sizeof(regs) / sizeof(regs[0]))];
		if (off == VGPU_REG_IRQ_ENABLE || off == VGPU_REG_IRQ_STATUS)
			val &= VGPU_IRQ_ALL;
		ret = vgpu_wr(&s->g, off, val);
	}
	rr_note("reg %s %#x = %#x", s->uuid, off, val);
	rr_check(ret == (run ? 0 : -EBUSY), "register write %#x: %d", off, ret);
	/* an odd size or alignment is refused in any state */
	ret = vfio_dev_write(&s->g.dev, s->g.bar0_off + VGPU_REG_SCRATCH0 + 2,
			     &val, 2);
	rr_check(ret == (run ? -EINVAL : -EBUSY), "unaligned register write: %d",
	      ret);
}

/* ---- interrupts ---- */

static void op_irq(struct slot *s)
{
	__u32 idx = rr_pick(2) ? VFIO_PCI_MSI_IRQ_INDEX : VFIO_PCI_INTX_IRQ_INDEX;
	int ret, r = rr_pick(5);

	cov.irq_ops++;
	if (r == 0) {
		ret = vgpu_irq_enable(&s->g, idx);
		rr_note("irq %s enable %u: %d", s->uuid, idx, ret);
		rr_check(ret == (s->irq < 0 || s->irq == (int)idx ? 0 : -EINVAL),
		      "SET_IRQS trigger: %d", ret);
		if (!ret)
			s->irq = idx;
		drain_irq(s);	/* an enable may signal a pending event */
	} else if (r == 1) {
		ret = vgpu_irq_disable(&s->g, idx);
		rr_check(!ret, "SET_IRQS disable: %d", ret);
		if (s->irq == (int)idx)
			s->irq = -1;
		rr_note("irq %s disable %u", s->uuid, idx);
	} else if (r == 2) {
		ret = vgpu_irq_unmask_intx(&s->g);
		rr_note("irq %s unmask", s->uuid);
		rr_check(ret == (s->irq == VFIO_PCI_INTX_IRQ_INDEX ? 0 : -EINVAL),
		      "unmask: %d", ret);
		if (mig_running(s->state))
			drain_irq(s);
	} else {			/* refused: another index, start, count */
		ret = vfio_irq_set(&s->g.dev, r == 3 ? 2 : idx,
				   VFIO_IRQ_SET_DATA_NONE |
				   VFIO_IRQ_SET_ACTION_TRIGGER, 2, NULL, 0);
		rr_check(ret == -EINVAL, "bad SET_IRQS: %d", ret);
		rr_note("irq %s bad", s->uuid);
	}
}

/* ---- submissions ---- */

/* the entries a GTT range covers are all pinned */
static bool range_pinned(struct slot *s, __u32 addr, __u32 len)
{
	__u32 e;

	for (e = addr / VGPU_PAGE_SIZE; e <= (addr + len - 1) / VGPU_PAGE_SIZE;
	     e++)
		if (e >= NENT || !s->pin[e])
			return false;
	return true;
}

/* the GTT ranges the commands of a submission write, if it runs */
static struct {
	__u32 addr, len;
} writes[16];
static int nwrites;

static void range_written(__u32 addr, __u32 len)
{
	writes[nwrites].addr = addr;
	writes[nwrites++].len = len;
}

static void apply_writes(struct slot *s)
{
	__u32 e;
	int i;

	for (i = 0; i < nwrites; i++)
		for (e = writes[i].addr / VGPU_PAGE_SIZE;
		     e <= (writes[i].addr + writes[i].len - 1) / VGPU_PAGE_SIZE;
		     e++)
			model_written(s, s->gtt[e] & VGPU_GTT_ADDR_MASK);
	nwrites = 0;
}

/*
 * A dword-aligned GTT address outside the ring's entries for @len bytes:
 * mostly in a run of pinned entries (so that commands run), else anywhere.
 */
static __u32 pick_addr(struct slot *s, __u32 len)
{
	__u32 lo = RING_ENT * VGPU_PAGE_SIZE, span = NENT * VGPU_PAGE_SIZE - lo;
	__u32 e, k, room, tries = rr_chance(75) ? 0 : 32;

	for (; tries < 32; tries++) {
		e = RING_ENT + rr_pick(NENT - RING_ENT);
		for (k = e; k < NENT && s->pin[k]; k++)
			;
		room = (k - e) * VGPU_PAGE_SIZE;
		if (room >= len)
			return e * VGPU_PAGE_SIZE + 4 * rr_pick((room - len) / 4 + 1);
	}
	return lo + 4 * rr_pick((span - len) / 4);
}

/* mostly a range inside a run of pinned entries, sized to fit in it */
static void pick_range(struct slot *s, __u32 *addr, __u32 *len)
{
	__u32 e, k, tries;

	*len = 4 * (1 + rr_pick(rr_pick(4) ? 64 : 3000));
	for (tries = rr_chance(80) ? 0 : 32; tries < 32; tries++) {
		e = RING_ENT + rr_pick(NENT - RING_ENT);
		for (k = e; k < NENT && s->pin[k]; k++)
			;
		if (k == e)
			continue;
		*addr = e * VGPU_PAGE_SIZE + 4 * rr_pick(VGPU_PAGE_SIZE / 4);
		if (*len > k * VGPU_PAGE_SIZE - *addr)
			*len = k * VGPU_PAGE_SIZE - *addr;
		return;
	}
	*addr = pick_addr(s, *len);
}

/*
 * Up to @max dwords of commands whose outcome the model knows; *err is
 * the device error they end with.
 */
static __u32 build_known(struct slot *s, __u32 *c, __u32 max, __u32 *err,
			 __u32 *done)
{
	__u32 n = 0, addr, len, src, data[8], k, i;

	*err = VGPU_ERR_NONE;
	*done = 0;
	nwrites = 0;
	for (k = 1 + rr_pick(4); k && n + 12 < max && !*err; k--) {
		pick_range(s, &addr, &len);
		switch (rr_pick(4)) {
		case 0:
			n += vgpu_cmd_fill(c + n, addr, len, rr_rnd());
			break;
		case 1:
			len = 4 * (1 + rr_pick(8));
			for (i = 0; i < len / 4; i++)
				data[i] = rr_rnd();
			n += vgpu_cmd_write(c + n, addr, data, len / 4);
			break;
		case 2:
			len = 4;
			n += vgpu_cmd_fence(c + n, addr, rr_rnd(), rr_pick(2));
			break;
		default:
			src = pick_addr(s, len);
			if (addr < src + len && src < addr + len) {
				n += vgpu_cmd_lri(c + n, VGPU_REG_SCRATCH0,
						  rr_rnd());
				(*done)++;
				continue;
			}
			n += vgpu_cmd_copy(c + n, src, addr, len);
			if (!range_pinned(s, src, len)) {
				*err = VGPU_ERR_UNMAPPED;
				continue;
			}
			break;
		}
		if (!range_pinned(s, addr, len)) {
			*err = VGPU_ERR_UNMAPPED;
		} else {
			range_written(addr, len);
			(*done)++;
		}
	}
	return n;
}

static __u32 build_garbage(__u32 *c, __u32 max)
{
	__u32 n = 1 + rr_pick(max - 1), i;

	for (i = 0; i < n; i++)
		c[i] = rr_pick(3) ? rr_rnd() : VGPU_CMD_HDR(rr_pick(0x40), rr_pick(4),
						       rr_pick(8));
	return n;
}

/* guest memory of windows 1..3, to see what the device changed */
static void snapshot(struct slot *s, char *snap)
{
	int w;

	for (w = 1; w < NWIN; w++, snap += win[w - 1].pages * VGPU_PAGE_SIZE)
		if (s->mapped[w])
			memcpy(snap, vgpu_iova_ptr(&s->g, win[w].iova),
			       win[w].pages * VGPU_PAGE_SIZE);
}

/* pages whose bytes changed: written, whatever the model says */
static void changed_pages(struct slot *s, const char *snap, bool known)
{
	__u32 p;
	int w;

	for (w = 1; w < NWIN; w++, snap += win[w - 1].pages * VGPU_PAGE_SIZE) {
		const char *mem = s->mapped[w] ?
				  vgpu_iova_ptr(&s->g, win[w].iova) : NULL;

		for (p = 0; mem && p < win[w].pages; p++) {
			if (!memcmp(mem + p * VGPU_PAGE_SIZE,
				    snap + p * VGPU_PAGE_SIZE, VGPU_PAGE_SIZE))
				continue;
			rr_check(!known || !s->tracking ||
			      bm_test(s->written[w], p),
			      "%s: page %#llx changed, not in the model",
			      s->uuid, (unsigned long long)(win[w].iova +
			      p * VGPU_PAGE_SIZE));
			model_written(s, win[w].iova + p * VGPU_PAGE_SIZE);
		}
	}
}

static char *snap_buf;

static void op_submit(struct slot *s)
{
	bool known = rr_chance(85);
	__u32 c[256], n, want = 0, err = ~0u, done = 0, before;
	int ret;

	if (mig_running(s->state) && ring_ready(s))
		rr_fail("ring set-up");
	before = vgpu_reg(&s->g, VGPU_REG_CMDS_EXECUTED);
	n = known ? build_known(s, c, 200, &want, &done) :
		    build_garbage(c, 200);
	rr_note("submit %s %u dwords%s (%s)", s->uuid, n,
	     known ? "" : " (garbage)", vfio_mig_state_name(s->state));
	snapshot(s, snap_buf);
	ret = vgpu_run(&s->g, c, n, &err);
	cov.submissions++;
	if (!mig_running(s->state)) {
		rr_check(ret == -EBUSY, "a stopped device took a submission: %d",
		      ret);
		nwrites = 0;
		return;
	}
	apply_writes(s);
	cov.commands += vgpu_reg(&s->g, VGPU_REG_CMDS_EXECUTED) - before;
	rr_check(!ret, "submission: %d", ret);
	if (known)
		rr_check(err == want && vgpu_reg(&s->g, VGPU_REG_CMDS_EXECUTED) -
		      before == done, "%s: device error %u, model %u; %u commands done, model %u",
		      s->uuid, err, want,
		      vgpu_reg(&s->g, VGPU_REG_CMDS_EXECUTED) - before, done);
	else
		s->exact = false;
	if (randrun.verbose) {
		__u32 i;

		fprintf(stderr, "#   err %u want %u done %u executed %u; dirty_pages %ld marks %ld:",
			err, want, done,
			vgpu_reg(&s->g, VGPU_REG_CMDS_EXECUTED) - before,
			vgpu_counter(s->uuid, "dirty_pages"),
			vgpu_counter(s->uuid, "dirty_marks"));
		for (i = 0; i < n; i++)
			fprintf(stderr, " %x", c[i]);
		fprintf(stderr, "\n");
	}
	changed_pages(s, snap_buf, known);
	/* LOAD_REGISTER of scratch 0 is in the known commands */
	s->scratch[0] = vgpu_reg(&s->g, VGPU_REG_SCRATCH0);
	drain_irq(s);
}

/* ---- the display engine ---- */

#define DISP_W		64
#define DISP_H		64
#define DISP_ROW	(DISP_W * 4)

/* the device error a writeback of a DISP_H-line surface at @base gets */
static __u32 surface_err(struct slot *s, __u32 base)
{
	__u32 y;

	if ((__u64)base + (DISP_H - 1) * DISP_ROW + DISP_ROW >
	    NENT * VGPU_PAGE_SIZE)
		return VGPU_ERR_BAD_ADDRESS;
	for (y = 0; y < DISP_H; y++)
		if (!range_pinned(s, base + y * DISP_ROW, DISP_ROW))
			return VGPU_ERR_UNMAPPED;
	return VGPU_ERR_NONE;
}

/*
 * A 64x64 pipe, a flip and a writeback, then the pipe disabled: that
 * completes the flip and the writeback at once (a vblank would too, but
 * when is up to the clock), so the frame's pages are written, and the
 * error is known, by the end of the step.
 */
static void op_display(struct slot *s)
{
	bool run = mig_running(s->state), plane = rr_chance(70);
	__u32 pbase = pick_addr(s, DISP_ROW * DISP_H) & ~3u;
	__u32 wbase = pick_addr(s, DISP_ROW * DISP_H) & ~3u;
	__u32 want = surface_err(s, wbase), err;
	int ret;

	cov.disp_ops++;
	if (!want && plane)
		want = surface_err(s, pbase);
	rr_note("display %s plane %d@%#x wb %#x (%s)", s->uuid, plane, pbase,
		wbase, vfio_mig_state_name(s->state));
	ret = vgpu_wr(&s->g, VGPU_REG_DISP_CTL, 0) ?:
	      vgpu_wr(&s->g, VGPU_REG_DISP_ERROR, 0) ?:
	      vgpu_wr(&s->g, VGPU_REG_DISP_HACTIVE, DISP_W) ?:
	      vgpu_wr(&s->g, VGPU_REG_DISP_VACTIVE, DISP_H) ?:
	      vgpu_wr(&s->g, VGPU_REG_DISP_HTOTAL, 80) ?:
	      vgpu_wr(&s->g, VGPU_REG_DISP_VTOTAL, 70) ?:
	      vgpu_wr(&s->g, VGPU_REG_DISP_CLOCK, 336) ?:
	      vgpu_wr(&s->g, VGPU_REG_DISP_CTL, VGPU_DISP_CTL_ENABLE) ?:
	      vgpu_wr(&s->g, VGPU_REG_PLANE_CTL, plane) ?:
	      vgpu_wr(&s->g, VGPU_REG_PLANE_BASE, pbase) ?:
	      vgpu_wr(&s->g, VGPU_REG_PLANE_STRIDE, DISP_ROW) ?:
	      vgpu_wr(&s->g, VGPU_REG_PLANE_COMMIT, 1) ?:
	      vgpu_wr(&s->g, VGPU_REG_WB_BASE, wbase) ?:
	      vgpu_wr(&s->g, VGPU_REG_WB_STRIDE, DISP_ROW) ?:
	      vgpu_wr(&s->g, VGPU_REG_WB_COMMIT, 1);
	if (!run) {
		rr_check(ret == -EBUSY,
			 "a stopped device took a display write: %d", ret);
		return;
	}
	rr_check(!ret, "display set-up: %d", ret);
	snapshot(s, snap_buf);
	rr_check(!vgpu_wr(&s->g, VGPU_REG_DISP_CTL, 0), "pipe off");
	err = vgpu_reg(&s->g, VGPU_REG_DISP_ERROR);
	/* a plane outside the aperture is not latched; the old one stays */
	if (plane && (__u64)pbase + DISP_ROW * DISP_H > NENT * VGPU_PAGE_SIZE)
		want = err;
	rr_check(err == want, "%s: writeback error %u, model %u", s->uuid,
		 err, want);
	rr_check(!(vgpu_reg(&s->g, VGPU_REG_DISP_STATUS) & 7u),
		 "the pipe off, nothing pending");
	if (!err) {
		cov.writebacks++;
		nwrites = 0;
		range_written(wbase, DISP_ROW * DISP_H);
		apply_writes(s);
	}
	changed_pages(s, snap_buf, !err || want == err);
	drain_irq(s);
}

/* ---- migration states ---- */

/* what each arc does to the model; false: RESUMING -> STOP refused */
static bool model_arc(struct slot *s, __u32 from, __u32 to)
{
	cov.arc_seen[from][to] = true;
	if (mig_saving(from) && !mig_saving(to))
		s->save_live = false;
	if (to == VFIO_DEVICE_STATE_RESUMING) {
		model_clear(s);
		s->res_valid = false;
	}
	if (from == VFIO_DEVICE_STATE_RESUMING) {
		if (!s->res_valid)
			return false;
		s->res_live = false;
		memcpy(s->scratch, s->res_scratch, sizeof(s->scratch));
		for (int i = 0; i < NENT; i++) {
			s->gtt[i] = s->res_gtt[i] & ~VGPU_MIG_GTT_REVOKED;
			s->pin[i] = (s->gtt[i] & VGPU_GTT_VALID) &&
				    !(s->res_gtt[i] & VGPU_MIG_GTT_REVOKED);
		}
		s->ring_ok = false;
	}
	return true;
}

static int mig_set(struct slot *s, __u32 target, int *fd)
{
	__u32 path[NSTATE];
	int n = mig_path(s->state, target, path), i, ret, want = 0;
	__u32 cur = s->state;

	cov.mig_requests++;
	cov.req_seen[s->state][target < NSTATE ? target : NSTATE] = true;
	if (fd)
		*fd = -1;
	ret = vfio_mig_set(&s->g.dev, target, fd);
	rr_note("mig %s %s -> %s: %d", s->uuid, vfio_mig_state_name(cur),
	     target < NSTATE ? vfio_mig_state_name(target) : "invalid", ret);
	if (n < 0) {
		rr_check(ret == -EINVAL, "illegal target %u: %d", target, ret);
		cov.mig_refused++;
		return ret;
	}
	drain_irq(s);
	for (i = 0; i < n; i++) {
		if (!model_arc(s, cur, path[i])) {
			want = -EINVAL;
			break;
		}
		cur = path[i];
	}
	s->state = cur;
	cov.state_seen[cur] = true;
	rr_check(ret == want, "%s -> %u: %d, model %d", s->uuid, target, ret, want);
	if (want)
		cov.mig_refused++;
	return ret;
}

static void take_fd(struct slot *s, int fd)
{
	if (fd < 0)
		return;
	if (s->state == VFIO_DEVICE_STATE_RESUMING) {
		fd_close(&s->res_fd, &s->res_live);
		s->res_fd = fd;
		s->res_live = true;
	} else {
		fd_close(&s->save_fd, &s->save_live);
		s->save_fd = fd;
		s->save_live = true;
	}
}

static void op_mig(struct slot *s)
{
	static const __u32 odd[] = { VFIO_DEVICE_STATE_ERROR, NSTATE, 42 };
	__u32 target = rr_pick(10) ? 1 + rr_pick(NSTATE - 1) : odd[rr_pick(3)];
	int fd = -1;

	if (!mig_running(s->state) && s->g.irq_fd >= 0)
		drain_irq(s);
	mig_set(s, target, &fd);
	take_fd(s, fd);
	if (!mig_running(s->state))
		drain_irq(s);
}

/* ---- data fds ---- */

static void op_fd(struct slot *s)
{
	struct vfio_precopy_info info;
	char buf[512];
	ssize_t n;
	int ret;

	cov.fd_ops++;
	switch (rr_pick(5)) {
	case 0:
		if (s->save_fd < 0)
			return;
		n = read(s->save_fd, buf, 1 + rr_pick(sizeof(buf) - 1));
		rr_note("read save fd %s: %zd", s->uuid, n);
		rr_check(s->save_live ? (n >= 0 || errno == ENOMSG) :
		      (n < 0 && errno == ENODEV), "save fd read: %zd %d", n,
		      errno);
		break;
	case 1:
		if (s->save_fd < 0)
			return;
		ret = vfio_precopy_info(s->save_fd, &info);
		rr_note("precopy info %s: %d", s->uuid, ret);
		rr_check(ret == (!s->save_live ? -ENODEV :
			      s->state == VFIO_DEVICE_STATE_PRE_COPY ||
			      s->state == VFIO_DEVICE_STATE_PRE_COPY_P2P ? 0 :
			      -EINVAL), "precopy info: %d", ret);
		break;
	case 2:
		if (s->res_fd < 0)
			return;
		for (n = 0; n < (ssize_t)sizeof(buf); n++)
			buf[n] = rr_rnd();
		n = write(s->res_fd, buf, 1 + rr_pick(sizeof(buf) - 1));
		rr_note("junk to resume fd %s: %zd", s->uuid, n);
		rr_check(s->res_live || (n < 0 && errno == ENODEV),
		      "resume fd write: %zd %d", n, errno);
		s->res_valid = false;
		break;
	case 3:
		fd_close(&s->save_fd, &s->save_live);
		rr_note("close save fd %s", s->uuid);
		break;
	default:
		fd_close(&s->res_fd, &s->res_live);
		rr_note("close resume fd %s", s->uuid);
		break;
	}
}

/* ---- reset, close, reopen, create, remove ---- */

static void op_reset(struct slot *s)
{
	rr_note("reset %s", s->uuid);
	rr_check(!vgpu_reset(&s->g), "reset");
	s->state = VFIO_DEVICE_STATE_RUNNING;
	s->save_live = s->res_live = false;
	model_clear(s);
	cov.resets++;
}

static void op_close_reopen(struct slot *s)
{
	rr_note("close %s", s->uuid);
	vgpu_close(&s->g);
	s->open = false;
	/* data fds stay open: dead now, but kept to be used (ENODEV) */
	s->save_live = s->res_live = false;
	if (rr_chance(50)) {
		check_all();
		rr_note("reopen %s", s->uuid);
		slot_open(s);
		cov.reopens++;
	}
}

/* data fds kept past their device and mdev: ENODEV, then closed */
static void dead_fds(struct slot *s)
{
	struct vfio_precopy_info info;
	char buf[16] = { 0 };

	if (s->save_fd >= 0) {
		rr_check(read(s->save_fd, buf, sizeof(buf)) < 0 && errno == ENODEV,
		      "read on a removed device's data fd");
		rr_check(vfio_precopy_info(s->save_fd, &info) == -ENODEV,
		      "precopy info on a removed device's data fd");
	}
	if (s->res_fd >= 0)
		rr_check(write(s->res_fd, buf, sizeof(buf)) < 0 && errno == ENODEV,
		      "write to a removed device's data fd");
	fd_close(&s->save_fd, &s->save_live);
	fd_close(&s->res_fd, &s->res_live);
}

static void op_lifecycle(void)
{
	struct slot *s = &slots[rr_pick(NSLOT)];

	if (!s->uuid[0]) {
		rr_note("create");
		slot_create(s);
	} else if (!s->open) {
		if (rr_chance(50)) {
			rr_note("reopen %s", s->uuid);
			slot_open(s);
			cov.reopens++;
			return;
		}
		rr_note("remove %s", s->uuid);
		rr_check(!mdev_remove(s->uuid), "remove %s", s->uuid);
		s->uuid[0] = 0;
		cov.removes++;
		dead_fds(s);
	} else {
		op_close_reopen(s);
	}
}

/* ---- a whole migration, as a VMM does it ---- */

static void copy_pages(struct slot *d, struct slot *s, int w,
		       const uint64_t *bm)
{
	char *from = vgpu_iova_ptr(&s->g, win[w].iova);
	char *to = vgpu_iova_ptr(&d->g, win[w].iova);
	__u32 p;

	for (p = 0; from && to && p < win[w].pages; p++)
		if (!bm || bm_test(bm, p))
			memcpy(to + p * VGPU_PAGE_SIZE,
			       from + p * VGPU_PAGE_SIZE, VGPU_PAGE_SIZE);
}

/* a dirty round: report the source, copy what it reports */
static void mig_round(struct slot *d, struct slot *s)
{
	uint64_t bm[1];
	int w;

	for (w = 1; w < NWIN; w++) {
		if (!s->mapped[w])
			continue;
		rr_check(!vfio_dirty_get_pages(&s->g.iommu, win[w].iova,
				(__u64)win[w].pages * VGPU_PAGE_SIZE, bm),
		      "round report");
		judge_report(s, w, bm);
		copy_pages(d, s, w, bm);
	}
	s->exact = true;
}

/* the destination is the source: registers, GTT, memory of windows 1..3 */
static void mig_compare(struct slot *d, struct slot *s)
{
	__u64 a[NENT], b[NENT];
	__u32 off;
	int w;

	for (off = VGPU_REG_RING_BASE; off < VGPU_REG_SCRATCH_END; off += 4)
		rr_check(vgpu_reg(&d->g, off) == vgpu_reg(&s->g, off),
		      "migrated register %#x differs", off);
	/* both stopped: the vblank counters stand still, equal */
	for (off = VGPU_REG_DISP_START; off < VGPU_REG_DISP_END; off += 4)
		rr_check(vgpu_reg(&d->g, off) == vgpu_reg(&s->g, off),
			 "migrated display register %#x differs", off);
	rr_check(!vfio_dev_read(&s->g.dev, s->g.bar0_off + VGPU_GTT_WINDOW, a,
			     sizeof(a)) &&
	      !vfio_dev_read(&d->g.dev, d->g.bar0_off + VGPU_GTT_WINDOW, b,
			     sizeof(b)) && !memcmp(a, b, sizeof(a)),
	      "migrated GTT differs");
	for (w = 1; w < NWIN; w++)
		rr_check(!s->mapped[w] || !d->mapped[w] ||
		      !memcmp(vgpu_iova_ptr(&s->g, win[w].iova),
			      vgpu_iova_ptr(&d->g, win[w].iova),
			      win[w].pages * VGPU_PAGE_SIZE),
		      "a page written on the source is lost at the destination (W%d)",
		      w);
}

/* the stream's GTT, as the destination's model will load it */
static void mig_expect(struct slot *d, struct slot *s)
{
	int i;

	d->res_valid = true;
	for (i = 0; i < NENT; i++) {
		d->res_gtt[i] = s->gtt[i];
		if ((s->gtt[i] & VGPU_GTT_VALID) && !s->pin[i])
			d->res_gtt[i] |= VGPU_MIG_GTT_REVOKED;
		/* a valid pin the destination cannot take: refused */
		if ((s->gtt[i] & VGPU_GTT_VALID) && s->pin[i] &&
		    !page_mapped(d, s->gtt[i] & VGPU_GTT_ADDR_MASK))
			d->res_valid = false;
	}
	memcpy(d->res_scratch, s->scratch, sizeof(s->scratch));
}

static struct slot *mig_peer(struct slot *s)
{
	int i;

	for (i = 0; i < NSLOT; i++)
		if (&slots[i] != s && slots[i].uuid[0] && slots[i].open)
			return &slots[i];
	return NULL;
}

static void op_migrate(struct slot *s)
{
	struct slot *d = mig_peer(s);
	long len = 0, n;
	int fd = -1, k, w, ret;

	if (!d)
		return;
	rr_note("migrate %s -> %s", s->uuid, d->uuid);
	cov.migrations++;
	fd_close(&s->save_fd, &s->save_live);
	fd_close(&d->res_fd, &d->res_live);
	if (s->state != VFIO_DEVICE_STATE_RUNNING &&
	    mig_set(s, VFIO_DEVICE_STATE_RUNNING, NULL))
		op_reset(s);
	if (!s->tracking) {
		rr_check(!vfio_dirty_start(&s->g.iommu), "dirty start");
		s->tracking = true;
		memset(s->written, 0, sizeof(s->written));
	}
	/* round 0: everything; then the device runs while it is copied */
	for (w = 1; w < NWIN; w++)
		copy_pages(d, s, w, NULL);
	mig_round(d, s);
	rr_check(!mig_set(s, VFIO_DEVICE_STATE_PRE_COPY, &fd), "PRE_COPY");
	for (k = rr_pick(4); k; k--) {
		n = vfio_mig_read(fd, stream + len, STREAM_CAP - len);
		rr_check(n >= 0, "precopy read: %ld", n);
		len += n;
		op_submit(s);
		if (rr_chance(50))
			op_gtt(s);
		mig_round(d, s);
	}
	rr_check(!mig_set(s, VFIO_DEVICE_STATE_STOP_COPY, NULL), "STOP_COPY");
	n = vfio_mig_read(fd, stream + len, STREAM_CAP - len);
	rr_check(n > 0, "stop-copy read: %ld", n);
	len += n;
	close(fd);
	mig_round(d, s);
	rr_check(!mig_set(s, VFIO_DEVICE_STATE_STOP, NULL), "source STOP");
	/* the destination */
	if (d->state != VFIO_DEVICE_STATE_STOP &&
	    mig_set(d, VFIO_DEVICE_STATE_STOP, NULL))
		op_reset(d), mig_set(d, VFIO_DEVICE_STATE_STOP, NULL);
	rr_check(!mig_set(d, VFIO_DEVICE_STATE_RESUMING, &fd), "RESUMING");
	rr_check(!vfio_mig_write(fd, stream, len), "stream write");
	close(fd);
	mig_expect(d, s);
	ret = mig_set(d, VFIO_DEVICE_STATE_STOP, NULL);
	if (!ret) {
		mig_compare(d, s);
		cov.migrations_ok++;
		mig_set(d, VFIO_DEVICE_STATE_RUNNING, NULL);
	} else {
		op_reset(d);
	}
	mig_set(s, rr_chance(80) ? VFIO_DEVICE_STATE_RUNNING :
				VFIO_DEVICE_STATE_STOP, NULL);
}

/* ---- the run ---- */

static void one_step(void)
{
	struct slot *s = any_open();
	__u32 r = rr_pick(100);

	if (!s || r < 4) {
		op_lifecycle();
		return;
	}
	if (r < 24)
		op_gtt(s);
	else if (r < 40)
		op_submit(s);
	else if (r < 46)
		op_reg(s);
	else if (r < 48)
		op_display(s);
	else if (r < 52)
		op_irq(s);
	else if (r < 57)
		op_map(s);
	else if (r < 62)
		op_unmap(s);
	else if (r < 67)
		op_tracking(s);
	else if (r < 74)
		op_report(s);
	else if (r < 84)
		op_mig(s);
	else if (r < 92)
		op_fd(s);
	else if (r < 95)
		op_reset(s);
	else if (r < 98)
		op_migrate(s);
	else
		op_close_reopen(s);
}

static int count_true(const bool *b, int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += b[i];
	return k;
}

static void teardown(void)
{
	int i;

	for (i = 0; i < NSLOT; i++) {
		struct slot *s = &slots[i];

		fd_close(&s->save_fd, &s->save_live);
		fd_close(&s->res_fd, &s->res_live);
		if (!s->uuid[0])
			continue;
		vgpu_close(&s->g);
		rr_check(!mdev_remove(s->uuid), "remove %s", s->uuid);
		s->uuid[0] = 0;
	}
}

static void report(unsigned int seed, double secs)
{
	int arcs = 0, req = 0, a, b;

	for (a = 0; a < NSTATE; a++)
		for (b = 0; b < NSTATE; b++)
			arcs += cov.arc_seen[a][b];
	for (a = 1; a < NSTATE; a++)
		req += count_true(cov.req_seen[a], NSTATE + 1);
	printf("# seed %u: %ld steps in %.1f s (%.0f steps/s)\n", seed,
	       cov.steps, secs, cov.steps / secs);
	printf("# states %d/%d, FSM arcs %d/%d, requested changes %d/%d (%ld requests, %ld refused)\n",
	       count_true(cov.state_seen + 1, NSTATE - 1), NSTATE - 1, arcs,
	       MIG_NARCS, req, (NSTATE - 1) * (NSTATE + 1), cov.mig_requests,
	       cov.mig_refused);
	printf("# migrations %ld (%ld completed, byte-exact), submissions %ld (%ld commands run), GTT writes %ld, reports %ld\n",
	       cov.migrations, cov.migrations_ok, cov.submissions,
	       cov.commands, cov.gtt_writes, cov.reports);
	printf("# resets %ld, reopens %ld, mdevs created %ld / removed %ld, maps %ld / unmaps %ld, fd ops %ld, irq ops %ld, register I/O %ld, display steps %ld (%ld writebacks)\n",
	       cov.resets, cov.reopens, cov.creates, cov.removes, cov.maps,
	       cov.unmaps, cov.fd_ops, cov.irq_ops, cov.reg_io, cov.disp_ops,
	       cov.writebacks);
	printf("ok 1 vgpu torture: seed %u, %ld steps, %.0f steps/s, states %d/%d, arcs %d/%d\n",
	       seed, cov.steps, cov.steps / secs,
	       count_true(cov.state_seen + 1, NSTATE - 1), NSTATE - 1, arcs,
	       MIG_NARCS);
}

int main(int argc, char **argv)
{
	double secs;
	int i;

	if (rr_args(argc, argv, 60, true))
		return 2;
	printf("TAP version 13\n1..1\n");
	if (!vgpu_present()) {
		printf("ok 1 # SKIP sample_vgpu not loaded\n");
		return 0;
	}
	randrun.name = "vgpu torture";
	randrun.on_fail = print_counters;
	stream = malloc(STREAM_CAP);
	snap_buf = malloc(NWIN * 64 * VGPU_PAGE_SIZE);
	if (!stream || !snap_buf)
		return 1;
	for (i = 0; i < NSLOT; i++)
		slots[i].save_fd = slots[i].res_fd = -1;
	kmsg_open();
	slot_create(&slots[0]);
	slot_create(&slots[1]);
	cov.state_seen[VFIO_DEVICE_STATE_RUNNING] = true;
	secs = rr_run(one_step, check_all, &cov.steps);
	for (i = 0; i < NSLOT; i++)
		if (slots[i].open && slots[i].tracking)
			op_report(&slots[i]);
	if (randrun.keep)
		return 0;
	teardown();
	check_all();
	report(randrun.seed, secs);
	return 0;
}
