// SPDX-License-Identifier: GPL-2.0-only
/*
 * stream_fuzz.c - libFuzzer target over the sample vGPU's migration stream
 * parser and state load: the driver's own resume write() and RESUMING ->
 * STOP (drivers/gpu/sample-vgpu/migration.c, gtt.c, mmio.c), built in user
 * space on tests/kshim with its fake type1 as the destination's IOMMU.
 *
 * Input: a control block (struct fuzz_ctl) then a stream.  The custom
 * mutator keeps the stream well formed most of the time (records, lengths
 * and CRCs fixed after each mutation) so that inputs get past the CRC to
 * the field checks, and mutates fields with hostile values: GTT run flags,
 * junk high bits, IOVAs the destination has not mapped, registers out of
 * range, runs out of order or overlapping, display states the device
 * cannot be in, records truncated, duplicated or of the wrong kind.  The control block picks the type, the
 * destination's mappings and prior state, where the chunks of write()
 * split the stream (across headers too), a user copy that faults, and an
 * allocation that fails during the load.
 *
 * Oracles, per input:
 *  - a reference reader of the format docs/sample-vgpu.rst documents,
 *    written independently of the driver, predicts write()'s errno and
 *    whether RESUMING -> STOP must succeed; the driver must agree;
 *  - accepted: registers are within their documented ranges, the GTT
 *    and the display registers read back as the stream said, pages_pinned
 *    equals the valid non-revoked entries and equals the pins the fake
 *    type1 holds, saving the state again gives the same GTT and display
 *    state, and a pending doorbell, flip and writeback run on the loaded
 *    state without harm, every page they write reported;
 *  - rejected: the device is in RESUMING with reset registers and an
 *    empty GTT, and after VFIO_DEVICE_RESET it runs a submission;
 *  - always: no WARN (kshim aborts), no pin or file or instance left after
 *    close, no leak (LeakSanitizer), no ASan/UBSan report.
 *
 * STREAM_FUZZ_SEEDS=DIR writes the seed corpus (streams saved from real
 * device states) into DIR and exits.  At exit, a line of counters: streams
 * tried, accepted, rejected by errno.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu_host.h"

#define HDR_LEN		sizeof(struct vgpu_mig_hdr)
#define RUN_LEN		sizeof(struct vgpu_mig_gtt_run)
#define REGS_LEN	sizeof(struct vgpu_mig_regs)
#define DISP_LEN	VGPU_MIG_DISPLAY_LEN
#define MAX_PAGES_MAPPED 2048
#define NTYPES		3	/* small, medium, large: whole-GTT checks stay fast */
#define MAX_RECS	16

/* destination mappings: one bit of fuzz_ctl.maps each */
static const struct {
	u64 iova;
	u64 pages;
} windows[] = {
	{ 0x100000, 64 },			/* always mapped: the ring */
	{ 0x400000, 128 },
	{ 0x1000000, 512 },
	{ 0x100000000ull, 16 },			/* needs the high half */
	{ 0x40000000, 8 },
	{ 0xffffffffffff0000ull, 16 },		/* the top of the IOVA space */
	{ 0x7ffff000ull, 2 },			/* straddles 2 GiB */
	{ 0xffff000000000000ull, 4 },		/* junk high bits */
};

struct fuzz_ctl {
	u8 type;
	u8 maps;	/* windows mapped at the destination (bit 0 forced) */
	u8 chunk_seed;	/* where write() splits the stream */
	u8 prestate;	/* the destination's state before RESUMING */
	u8 fail_alloc;	/* n > 0: the n-th allocation of the load fails */
	u8 fault_chunk;	/* n > 0: the n-th write() faults (then retried) */
	u8 close_early;	/* bit 0: close the data file before STOP */
	u8 rsv[9];
};

static struct {
	u64 inputs, accepted, rejected, wr_rejected, alloc_failed, ran, vblanks;
	u64 by_errno[5];	/* EINVAL, EOPNOTSUPP, EBADMSG, ENOMEM, other */
} stats;

static void count_errno(int err)
{
	static const int e[] = { -EINVAL, -EOPNOTSUPP, -EBADMSG, -ENOMEM };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(e) && e[i] != err; i++)
		;
	stats.by_errno[i]++;
}

static void print_stats(void)
{
	fprintf(stderr, "stream_fuzz: %llu streams: %llu accepted, %llu rejected (%llu by write(); EINVAL %llu, EOPNOTSUPP %llu, EBADMSG %llu, ENOMEM %llu, other %llu); %llu loaded submissions run, %llu vblanks\n",
		(unsigned long long)stats.inputs,
		(unsigned long long)stats.accepted,
		(unsigned long long)stats.rejected,
		(unsigned long long)stats.wr_rejected,
		(unsigned long long)stats.by_errno[0],
		(unsigned long long)stats.by_errno[1],
		(unsigned long long)stats.by_errno[2],
		(unsigned long long)stats.by_errno[3],
		(unsigned long long)stats.by_errno[4],
		(unsigned long long)stats.ran,
		(unsigned long long)stats.vblanks);
}

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "stream_fuzz: invariant violated: %s\n", what);
		abort();
	}
}

static u32 crc32_ieee(const u8 *p, size_t len)
{
	return crc32_le(~0u, p, len) ^ ~0u;
}

/* ---- the reference reader: the format as docs/sample-vgpu.rst says ---- */

struct ref {
	int wr_err;		/* errno of write(), 0 if none */
	int stop_err;		/* errno of RESUMING -> STOP, 0: must load */
	const u8 *full;		/* payload of the last FULL record */
	size_t full_len;
	const u8 *disp;		/* payload of the last DISPLAY record */
};

static size_t fixed_len(u32 kind)
{
	if (kind == VGPU_MIG_REC_DISPLAY)
		return DISP_LEN;
	return kind == VGPU_MIG_REC_FULL ? VGPU_MIG_FULL_FIXED : 0;
}

/* DISPLAY payload fields, by index (struct vgpu_mig_display) */
enum { D_CTL, D_HACT, D_VACT, D_HTOT, D_VTOT, D_CLOCK, D_VBLANK, D_PCTL,
       D_PBASE, D_PSTRIDE, D_LCTL, D_LBASE, D_LSTRIDE, D_WBASE, D_WSTRIDE,
       D_PENDING, D_FLIPSEQ, D_WBSEQ, D_ERROR, D_RSV, D_N };

static u32 dfield(const u8 *p, int i)
{
	return vh_get32(p + 4 * i);
}

/* the docs' display checks: a state the device can be in */
static int ref_display(const u8 *p)
{
	u32 pend = dfield(p, D_PENDING), vb = dfield(p, D_VBLANK);
	u64 frame;

	if (dfield(p, D_RSV) || dfield(p, D_CTL) > 1 ||
	    (dfield(p, D_PCTL) & ~0xff01u) || (dfield(p, D_LCTL) & ~0xff01u) ||
	    (pend & ~6u) || dfield(p, D_ERROR) > VGPU_ERR_MAX)
		return -EINVAL;
	if (!dfield(p, D_CTL))
		return pend ? -EINVAL : 0;
	if (dfield(p, D_HACT) < 64 || dfield(p, D_HACT) > 2560 ||
	    dfield(p, D_VACT) < 64 || dfield(p, D_VACT) > 1600 ||
	    dfield(p, D_HTOT) < dfield(p, D_HACT) || dfield(p, D_HTOT) > 65535 ||
	    dfield(p, D_VTOT) < dfield(p, D_VACT) || dfield(p, D_VTOT) > 65535 ||
	    !dfield(p, D_CLOCK))
		return -EINVAL;
	frame = (u64)dfield(p, D_HTOT) * dfield(p, D_VTOT) * 1000000 /
		dfield(p, D_CLOCK);
	if (frame < 4000000 || frame > 1000000000)
		return -EINVAL;
	if (((pend & 2) && (int32_t)(dfield(p, D_FLIPSEQ) - vb) > 1) ||
	    ((pend & 4) && (int32_t)(dfield(p, D_WBSEQ) - vb) > 1))
		return -EINVAL;
	if ((dfield(p, D_LCTL) & 1) && ((dfield(p, D_LCTL) >> 8) ||
					((dfield(p, D_LBASE) | dfield(p, D_LSTRIDE)) & 3)))
		return -EINVAL;
	return 0;
}

static int ref_hdr(const u8 *h, const struct vgpu_type *t)
{
	u32 kind = vh_get32(h + 12), len = vh_get32(h + 24);

	if (vh_get64(h) != VGPU_MIG_MAGIC)
		return -EINVAL;
	if ((vh_get32(h + 8) & 0xffff) != VGPU_MIG_VERSION_MAJOR)
		return -EOPNOTSUPP;
	if (vh_get64(h + 32) || (kind != VGPU_MIG_REC_PRECOPY &&
			     kind != VGPU_MIG_REC_FULL &&
			     kind != VGPU_MIG_REC_DISPLAY))
		return -EINVAL;
	if (vh_get32(h + 16) != t->id || vh_get32(h + 20) != t->gtt_entries)
		return -EINVAL;
	if (kind == VGPU_MIG_REC_DISPLAY)
		return len == DISP_LEN ? 0 : -EINVAL;
	if (len < fixed_len(kind) ||
	    len > fixed_len(kind) + (u64)RUN_LEN * t->gtt_entries ||
	    (len - fixed_len(kind)) % RUN_LEN)
		return -EINVAL;
	return 0;
}

static int ref_runs(const u8 *p, size_t len, const struct vgpu_type *t)
{
	u64 next = 0, i;

	for (i = 0; i < len / RUN_LEN; i++) {
		u32 first = vh_get32(p + i * RUN_LEN), count = vh_get32(p + i * RUN_LEN + 4);
		u64 val = vh_get64(p + i * RUN_LEN + 8);

		if (!count || first < next || (u64)first + count > t->gtt_entries)
			return -EINVAL;
		if (val & ~(VGPU_GTT_ADDR_MASK | VGPU_GTT_VALID |
			    VGPU_MIG_GTT_REVOKED))
			return -EINVAL;
		if ((val >> 12) + count - 1 > (VGPU_GTT_ADDR_MASK >> 12))
			return -EINVAL;
		next = (u64)first + count;
	}
	return 0;
}

/* Is every page a valid, non-revoked entry of @full maps mapped? */
static bool ref_pins_ok(const u8 *full, size_t len)
{
	const u8 *p = full + VGPU_MIG_FULL_FIXED;
	size_t i, k;

	for (i = 0; i < (len - VGPU_MIG_FULL_FIXED) / RUN_LEN; i++) {
		u32 count = vh_get32(p + i * RUN_LEN + 4);
		u64 val = vh_get64(p + i * RUN_LEN + 8);

		if (!(val & VGPU_GTT_VALID) || (val & VGPU_MIG_GTT_REVOKED))
			continue;
		for (k = 0; k < count; k++)
			if (!kshim_mem((val & VGPU_GTT_ADDR_MASK) + (k << 12)))
				return false;
	}
	return true;
}

static void ref_read(struct ref *r, const u8 *s, size_t len,
		     const struct vgpu_type *t)
{
	size_t pos = 0;

	memset(r, 0, sizeof(*r));
	while (pos < len && !r->wr_err) {
		u32 plen;

		if (len - pos < HDR_LEN)
			break;
		r->wr_err = ref_hdr(s + pos, t);
		if (r->wr_err)
			break;
		plen = vh_get32(s + pos + 24);
		if (len - pos - HDR_LEN < plen)
			break;
		if (crc32_ieee(s + pos + HDR_LEN, plen) != vh_get32(s + pos + 28)) {
			r->wr_err = -EBADMSG;
			break;
		}
		if (vh_get32(s + pos + 12) == VGPU_MIG_REC_DISPLAY) {
			r->wr_err = ref_display(s + pos + HDR_LEN);
			if (!r->wr_err)
				r->disp = s + pos + HDR_LEN;
			pos += HDR_LEN + plen;
			continue;
		}
		r->wr_err = ref_runs(s + pos + HDR_LEN + fixed_len(vh_get32(s + pos + 12)),
				     plen - fixed_len(vh_get32(s + pos + 12)), t);
		if (!r->wr_err && vh_get32(s + pos + 12) == VGPU_MIG_REC_FULL) {
			r->full = s + pos + HDR_LEN;
			r->full_len = plen;
		}
		pos += HDR_LEN + plen;
	}
	if (r->wr_err)
		r->stop_err = r->wr_err;
	else if (pos != len || !r->full)
		r->stop_err = -EINVAL;		/* truncated, or no FULL */
	else if (!ref_pins_ok(r->full, r->full_len))
		r->stop_err = -EINVAL;		/* the fake type1's pin errno */
}

/* ---- the destination ---- */

static int map_windows(u8 maps)
{
	unsigned int i;

	kshim_unmap_all();
	for (i = 0; i < ARRAY_SIZE(windows); i++)
		if ((maps | 1) & (1u << i))
			if (kshim_map(windows[i].iova, windows[i].pages << 12))
				return -1;
	return 0;
}

/* a state the stream must replace: pins, registers, a doorbell */
static void prestate(struct vgpu_dev *v, u8 how)
{
	u32 i;

	if (!how)
		return;
	for (i = 0; i < (how & 15u); i++)
		vh_gtt_set(v, 3 * i, (windows[0].iova + ((u64)i << 12)) |
			   VGPU_GTT_VALID);
	vh_wr(v, VGPU_REG_SCRATCH0, how);
	vh_wr(v, VGPU_REG_IRQ_ENABLE, how >> 4);
	vh_wr(v, VGPU_REG_RING_CTL, VGPU_RING_CTL_ENABLE);
}

/* split @len into chunks: sizes that cut headers, runs and records */
static size_t chunk_len(u32 *rng, size_t left)
{
	static const size_t sizes[] = { 1, 2, 3, 5, 16, 39, 40, 41, 79, 80,
					81, 424, 4096, 65536, 65537 };
	size_t n;

	*rng = *rng * 1103515245u + 12345u;
	n = sizes[(*rng >> 16) % ARRAY_SIZE(sizes)];
	return n < left ? n : left;
}

/*
 * write() the stream as a VMM would: chunk by chunk, retrying a fault.
 * PRECOPY records pin as they come; once write() refuses the stream, none
 * of their pins is left.
 */
static int feed(struct vgpu_dev *v, struct file *f, const u8 *s, size_t len,
		const struct fuzz_ctl *c)
{
	u32 rng = c->chunk_seed, nwrite = 0;
	size_t pos = 0, n;
	int err = 0;
	ssize_t ret;

	while (pos < len) {
		n = chunk_len(&rng, len - pos);
		if (++nwrite == c->fault_chunk) {
			kshim_user_fault = true;
			ret = vh_write(f, s + pos, n);
			kshim_user_fault = false;
			check(ret == -EFAULT || ret == err, "faulting write");
		}
		ret = vh_write(f, s + pos, n);
		if (ret < 0) {
			check(!err || ret == err, "sticky write error");
			check(!kshim_pins() && !vh_counter_pinned(v),
			      "a refused stream's pins dropped at once");
			err = ret;
		} else {
			check((size_t)ret == n && !err, "short or late write");
		}
		pos += n;
	}
	return err;
}

/* registers within their documented ranges (docs/sample-vgpu.rst) */
static void check_regs(struct vgpu_dev *v)
{
	u32 st = vh_reg(v, VGPU_REG_STATUS), err = vh_reg(v, VGPU_REG_ERROR);

	check(!(vh_reg(v, VGPU_REG_RING_CTL) & ~VGPU_RING_CTL_ENABLE),
	      "RING_CTL has only ENABLE");
	check(!(vh_reg(v, VGPU_REG_IRQ_STATUS) & ~VGPU_IRQ_ALL),
	      "IRQ_STATUS has only event bits");
	check(!(vh_reg(v, VGPU_REG_IRQ_ENABLE) & ~VGPU_IRQ_ALL),
	      "IRQ_ENABLE has only event bits");
	check(err <= VGPU_ERR_MAX, "ERROR is a VGPU_ERR_* code");
	check(vh_reg(v, VGPU_REG_ERROR_DEPTH) <= VGPU_MAX_BATCH_DEPTH,
	      "ERROR_DEPTH is 0..2");
	check(!(st & ~(VGPU_STATUS_BUSY | VGPU_STATUS_ERROR)), "STATUS bits");
	check(!!(st & VGPU_STATUS_ERROR) == !!err, "STATUS.ERROR iff ERROR");
	check(vh_reg(v, VGPU_REG_ID) == VGPU_ID_MAGIC, "ID");
	check(vh_reg(v, VGPU_REG_DISP_CTL) <= VGPU_DISP_CTL_ENABLE,
	      "DISP_CTL has only ENABLE");
	check(!(vh_reg(v, VGPU_REG_DISP_STATUS) & ~7u), "DISP_STATUS bits");
	check(vh_reg(v, VGPU_REG_DISP_ERROR) <= VGPU_ERR_MAX,
	      "DISP_ERROR is a VGPU_ERR_* code");
}

/* the display registers as the DISPLAY payload @p says (reset if NULL) */
static void check_display(struct vgpu_dev *v, const u8 *p)
{
	static const u8 zero[DISP_LEN];
	static const struct {
		u32 reg;
		int field;
	} map[] = {
		{ VGPU_REG_DISP_CTL, D_CTL }, { VGPU_REG_DISP_HACTIVE, D_HACT },
		{ VGPU_REG_DISP_VACTIVE, D_VACT },
		{ VGPU_REG_DISP_HTOTAL, D_HTOT }, { VGPU_REG_DISP_VTOTAL, D_VTOT },
		{ VGPU_REG_DISP_CLOCK, D_CLOCK }, { VGPU_REG_DISP_VBLANK, D_VBLANK },
		{ VGPU_REG_PLANE_CTL, D_PCTL }, { VGPU_REG_PLANE_BASE, D_PBASE },
		{ VGPU_REG_PLANE_STRIDE, D_PSTRIDE },
		{ VGPU_REG_PLANE_LIVE_CTL, D_LCTL },
		{ VGPU_REG_PLANE_LIVE_BASE, D_LBASE },
		{ VGPU_REG_PLANE_LIVE_STRIDE, D_LSTRIDE },
		{ VGPU_REG_WB_BASE, D_WBASE }, { VGPU_REG_WB_STRIDE, D_WSTRIDE },
		{ VGPU_REG_DISP_ERROR, D_ERROR },
	};
	unsigned int i;

	p = p ?: zero;
	for (i = 0; i < ARRAY_SIZE(map); i++)
		check(vh_reg(v, map[i].reg) == dfield(p, map[i].field),
		      "a display register reads back as streamed");
	check(vh_reg(v, VGPU_REG_DISP_STATUS) ==
	      (dfield(p, D_CTL) | dfield(p, D_PENDING)), "DISP_STATUS as streamed");
}

/*
 * The GTT as the runs of a FULL payload say: entry values (REVOKED folded
 * in) and whether each entry must be pinned; returns the pinned count.
 */
static long expand(const u8 *full, size_t len, u32 entries, u64 *val,
		   bool *pin)
{
	const u8 *p = full + VGPU_MIG_FULL_FIXED;
	long pinned = 0;
	size_t r;
	u32 k;

	memset(val, 0, entries * sizeof(*val));
	memset(pin, 0, entries * sizeof(*pin));
	for (r = 0; r < (len - VGPU_MIG_FULL_FIXED) / RUN_LEN; r++) {
		u32 first = vh_get32(p + r * RUN_LEN), count = vh_get32(p + r * RUN_LEN + 4);
		u64 v = vh_get64(p + r * RUN_LEN + 8);
		bool pinned_run = (v & VGPU_GTT_VALID) &&
				  !(v & VGPU_MIG_GTT_REVOKED);

		for (k = 0; k < count && first + k < entries; k++) {
			val[first + k] = (v & ~VGPU_MIG_GTT_REVOKED) + ((u64)k << 12);
			pin[first + k] = pinned_run;
			pinned += pinned_run;
		}
	}
	return pinned;
}

static u64 gtt_val[VGPU_GTT_MAX_ENTRIES], gtt_val2[VGPU_GTT_MAX_ENTRIES];
static bool gtt_pin[VGPU_GTT_MAX_ENTRIES], gtt_pin2[VGPU_GTT_MAX_ENTRIES];

/* the GTT reads back as @full says; pins are the valid, non-revoked */
static void check_gtt(struct vgpu_dev *v, const u8 *full, size_t len)
{
	u32 n = v->type->gtt_entries;
	long pinned = expand(full, len, n, gtt_val, gtt_pin);

	check(!vh_gtt_all(v, gtt_val2) &&
	      !memcmp(gtt_val, gtt_val2, n * sizeof(*gtt_val)),
	      "the GTT reads back as streamed");
	check(vh_counter_pinned(v) == pinned,
	      "pages_pinned == valid non-revoked entries");
	check(kshim_pins() == pinned, "type1's pins == pages_pinned");
}

/* saving the loaded state again gives the same GTT and display state */
static void check_resave(struct vgpu_dev *v, const struct ref *r)
{
	static const u8 zero[DISP_LEN];
	u32 n = v->type->gtt_entries;
	size_t slen, plen, pos = 0;
	struct file *f;
	u8 *s;

	check(!vh_set_state(v, VFIO_DEVICE_STATE_STOP_COPY, &f), "STOP_COPY");
	s = vh_read_all(f, &slen);
	fput(f);
	if (r->disp && memcmp(r->disp, zero, DISP_LEN)) {
		check(slen >= HDR_LEN + DISP_LEN &&
		      vh_get32(s + 12) == VGPU_MIG_REC_DISPLAY &&
		      vh_get32(s + 24) == DISP_LEN &&
		      !memcmp(s + HDR_LEN, r->disp, DISP_LEN),
		      "resaved: the same DISPLAY record");
		pos = HDR_LEN + DISP_LEN;
	}
	check(slen >= pos + HDR_LEN && vh_get32(s + pos + 12) == VGPU_MIG_REC_FULL,
	      "resaved");
	plen = vh_get32(s + pos + 24);
	check(slen == pos + HDR_LEN + plen, "one FULL record last");
	expand(r->full, r->full_len, n, gtt_val, gtt_pin);
	expand(s + pos + HDR_LEN, plen, n, gtt_val2, gtt_pin2);
	check(!memcmp(gtt_val, gtt_val2, n * sizeof(*gtt_val)) &&
	      !memcmp(gtt_pin, gtt_pin2, n * sizeof(*gtt_pin)),
	      "saved again, the same GTT");
	check(!vh_set_state(v, VFIO_DEVICE_STATE_STOP, NULL), "back to STOP");
	free(s);
}

/* the device cleared: reset registers, empty GTT, nothing pinned */
static void check_cleared(struct vgpu_dev *v)
{
	u32 i;

	check(vh_state(v) == VFIO_DEVICE_STATE_RESUMING, "stays RESUMING");
	for (i = 0; i < VGPU_NUM_SCRATCH; i++)
		check(!vh_reg(v, VGPU_REG_SCRATCH0 + 4 * i), "scratch reset");
	check(!vh_reg(v, VGPU_REG_RING_CTL) && !vh_reg(v, VGPU_REG_IRQ_ENABLE) &&
	      !vh_reg(v, VGPU_REG_STATUS), "registers reset");
	check_display(v, NULL);
	check(!vh_gtt_all(v, gtt_val), "GTT read");
	for (i = 0; i < v->type->gtt_entries; i++)
		check(!gtt_val[i], "GTT empty");
	check(!vh_counter_pinned(v) && !kshim_pins(), "nothing pinned");
}

/* after reset: map, set up a ring, FILL, see the bytes and the mark */
static void check_usable(struct vgpu_dev *v)
{
	u32 cmd[] = { VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3), 4096 + 16, 8,
		      0xa5a5a5a5 };
	u8 *ring = kshim_mem(windows[0].iova);

	check(!vgpu_reset(v) && vh_state(v) == VFIO_DEVICE_STATE_RUNNING,
	      "reset to RUNNING");
	check(!vh_gtt_set(v, 0, windows[0].iova | VGPU_GTT_VALID) &&
	      !vh_gtt_set(v, 1, (windows[0].iova + 4096) | VGPU_GTT_VALID) &&
	      !vh_wr(v, VGPU_REG_RING_BASE, 0) &&
	      !vh_wr(v, VGPU_REG_RING_SIZE, 4096) &&
	      !vh_wr(v, VGPU_REG_RING_HEAD, 0) &&
	      !vh_wr(v, VGPU_REG_RING_CTL, VGPU_RING_CTL_ENABLE), "set-up");
	memcpy(ring, cmd, sizeof(cmd));
	kshim_dirty_clear();
	check(!vh_wr(v, VGPU_REG_RING_TAIL, sizeof(cmd)) &&
	      !vh_wr(v, VGPU_REG_DOORBELL, 1) && vh_run(v) == 1, "submit");
	check(!vh_reg(v, VGPU_REG_ERROR), "the FILL ran");
	check(kshim_mem(windows[0].iova + 4096 + 16)[7] == 0xa5, "bytes written");
	check(kshim_dirty(windows[0].iova + 4096) && kshim_dirty_pages() == 1,
	      "exactly the written page reported");
}

/* guest memory before the device runs, to find what it wrote */
static u8 *snapshot(void)
{
	size_t total = 0, i;
	u8 *snap, *p;

	for (i = 0; i < ARRAY_SIZE(windows); i++)
		total += windows[i].pages << 12;
	snap = calloc(1, total);
	for (i = 0, p = snap; snap && i < ARRAY_SIZE(windows); i++) {
		if (kshim_mem(windows[i].iova))
			memcpy(p, kshim_mem(windows[i].iova), windows[i].pages << 12);
		p += windows[i].pages << 12;
	}
	return snap;
}

/* every page the device changed since @snap was reported dirty */
static void check_writes_reported(const u8 *snap)
{
	const u8 *p = snap;
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(windows); i++, p += windows[i - 1].pages << 12) {
		const u8 *mem = kshim_mem(windows[i].iova);

		for (k = 0; mem && k < windows[i].pages; k++)
			if (memcmp(mem + (k << 12), p + (k << 12), 4096))
				check(kshim_dirty(windows[i].iova + (k << 12)),
				      "a page the device wrote is reported");
	}
}

/* accepted: what was loaded, then run it (a pending doorbell executes) */
static void accepted(struct vgpu_dev *v, const struct ref *r)
{
	long pins;
	u8 *snap;

	check_regs(v);
	check_gtt(v, r->full, r->full_len);
	check_display(v, r->disp);
	check_resave(v, r);
	pins = kshim_pins();
	snap = snapshot();
	kshim_dirty_clear();
	check(snap && !vh_set_state(v, VFIO_DEVICE_STATE_RUNNING, NULL),
	      "RUNNING");
	stats.ran += vh_run(v);
	kshim_now_ns += 1000000000ull;	/* the next vblank, at the most */
	stats.vblanks += vh_run_display(v);
	check(!(vh_reg(v, VGPU_REG_DISP_STATUS) & 6),
	      "pending flip and writeback done at the next vblank");
	check_writes_reported(snap);
	free(snap);
	check_regs(v);
	check(kshim_pins() == pins && vh_counter_pinned(v) == pins,
	      "running the loaded state keeps the pins");
}

static void one_stream(const struct fuzz_ctl *c, const u8 *s, size_t len)
{
	const struct vgpu_type *t = &vgpu_types[c->type % NTYPES];
	struct vgpu_dev *v;
	struct file *f = NULL;
	struct ref r;
	int wr_err, ret;

	if (map_windows(c->maps))
		return;
	v = vh_create(t->id);
	prestate(v, c->prestate);
	ref_read(&r, s, len, t);
	check(!vh_set_state(v, VFIO_DEVICE_STATE_STOP, NULL) &&
	      !vh_set_state(v, VFIO_DEVICE_STATE_RESUMING, &f), "RESUMING");
	wr_err = feed(v, f, s, len, c);
	check(wr_err == r.wr_err, "write() errno as the format says");
	if (c->close_early & 1)
		fput(f);
	kshim_fail_alloc = c->fail_alloc;
	ret = vh_set_state(v, VFIO_DEVICE_STATE_STOP, NULL);
	if (kshim_fail_alloc)		/* no allocation failed */
		kshim_fail_alloc = 0;
	else if (c->fail_alloc && ret == -ENOMEM)
		r.stop_err = ret, stats.alloc_failed++;
	check(ret == r.stop_err, "RESUMING -> STOP as the format says");
	if (!(c->close_early & 1))
		fput(f);
	if (!ret) {
		stats.accepted++;
		accepted(v, &r);
	} else {
		stats.rejected++;
		stats.wr_rejected += !!wr_err;
		count_errno(ret);
		check_cleared(v);
		check_usable(v);
	}
	vh_destroy(v);
	check(!kshim_pins() && !kshim_files && !vh_live, "nothing left");
	kshim_unmap_all();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1,
				 const uint8_t *d2, size_t s2, uint8_t *out,
				 size_t max_out, unsigned int seed);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_ctl c;

	if (size < sizeof(c))
		return 0;
	memcpy(&c, data, sizeof(c));
	stats.inputs++;
	one_stream(&c, data + sizeof(c), size - sizeof(c));
	return 0;
}

/* ---- structure: an input as records, for the mutator ---- */

struct rec {
	u8 hdr[HDR_LEN];
	u8 *pl;
	size_t len;
};

struct input {
	struct fuzz_ctl c;
	struct rec r[MAX_RECS];
	int n;
	u8 tail[64];		/* bytes after the last whole record */
	size_t ntail;
};

static void in_parse(struct input *in, const u8 *d, size_t size)
{
	size_t pos = sizeof(in->c);

	memset(in, 0, sizeof(*in));
	memcpy(&in->c, d, size < sizeof(in->c) ? size : sizeof(in->c));
	while (pos + HDR_LEN <= size && in->n < MAX_RECS) {
		struct rec *r = &in->r[in->n];
		size_t len = vh_get32(d + pos + 24);

		if (len > size - pos - HDR_LEN)
			break;
		memcpy(r->hdr, d + pos, HDR_LEN);
		r->pl = malloc(len + 1);
		memcpy(r->pl, d + pos + HDR_LEN, len);
		r->len = len;
		in->n++;
		pos += HDR_LEN + len;
	}
	if (pos < size) {
		in->ntail = size - pos < sizeof(in->tail) ? size - pos :
							    sizeof(in->tail);
		memcpy(in->tail, d + pos, in->ntail);
	}
}

static void in_free(struct input *in)
{
	int i;

	for (i = 0; i < in->n; i++)
		free(in->r[i].pl);
}

static void rec_fix(struct rec *r)
{
	vh_put32(r->hdr + 24, r->len);
	vh_put32(r->hdr + 28, crc32_ieee(r->pl, r->len));
}

static size_t in_write(const struct input *in, u8 *out, size_t max)
{
	size_t pos = sizeof(in->c);
	int i;

	if (max < pos)
		return 0;
	memcpy(out, &in->c, pos);
	for (i = 0; i < in->n; i++) {
		if (pos + HDR_LEN + in->r[i].len > max)
			return pos;
		memcpy(out + pos, in->r[i].hdr, HDR_LEN);
		memcpy(out + pos + HDR_LEN, in->r[i].pl, in->r[i].len);
		pos += HDR_LEN + in->r[i].len;
	}
	if (pos + in->ntail <= max) {
		memcpy(out + pos, in->tail, in->ntail);
		pos += in->ntail;
	}
	return pos;
}

static u32 rnd(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* IOVAs worth trying: in each window, just outside, at the edges */
static u64 pick_iova(u32 *s)
{
	unsigned int w = rnd(s) % ARRAY_SIZE(windows);
	u64 base = windows[w].iova, pages = windows[w].pages;

	switch (rnd(s) % 6) {
	case 0:
		return base - 4096;
	case 1:
		return base + (pages << 12);
	case 2:
		return base + ((pages - 1) << 12);
	case 3:
		return (u64)rnd(s) << 44 | (u64)rnd(s) << 12;	/* junk */
	default:
		return base + ((rnd(s) % pages) << 12);
	}
}

static u64 pick_flags(u32 *s)
{
	static const u64 f[] = { 0, VGPU_GTT_VALID, VGPU_MIG_GTT_REVOKED,
				 VGPU_GTT_VALID | VGPU_MIG_GTT_REVOKED, 4, 0x800,
				 0xffe, 0xfff, 0x3 | 0x400 };

	return f[rnd(s) % ARRAY_SIZE(f)];
}

static u32 pick_u32(u32 *s, u32 around)
{
	static const u32 v[] = { 0, 1, 2, 3, 4, 7, 11, 12, 255, 256, 511, 512,
				 1023, 1024, 4095, 4096, 0x7fffffff, 0x80000000,
				 0xfffffffe, 0xffffffff };

	if (rnd(s) & 1)
		return around + (rnd(s) % 5) - 2;
	return v[rnd(s) % ARRAY_SIZE(v)];
}

/* one GTT run: first, count, value */
static void mutate_run(u8 *run, u32 *s)
{
	switch (rnd(s) % 5) {
	case 0:
		vh_put32(run, pick_u32(s, vh_get32(run)));
		break;
	case 1:
		vh_put32(run + 4, pick_u32(s, vh_get32(run + 4)));
		break;
	case 2:
		vh_put64(run + 8, pick_iova(s) | pick_flags(s));
		break;
	case 3:
		vh_put64(run + 8, (vh_get64(run + 8) & VGPU_GTT_ADDR_MASK) | pick_flags(s));
		break;
	default:
		vh_put64(run + 8, vh_get64(run + 8) ^ (1ull << (rnd(s) % 64)));
		break;
	}
}

/* insert, drop or duplicate a run */
static void reshape_runs(struct rec *r, size_t fixed, u32 *s)
{
	size_t nruns = (r->len - fixed) / RUN_LEN, at;
	u8 *pl;

	at = nruns ? rnd(s) % (nruns + 1) : 0;
	if (nruns && rnd(s) % 2) {		/* drop one */
		at = at < nruns ? at : nruns - 1;
		memmove(r->pl + fixed + at * RUN_LEN,
			r->pl + fixed + (at + 1) * RUN_LEN,
			(nruns - at - 1) * RUN_LEN);
		r->len -= RUN_LEN;
		return;
	}
	if (nruns > 64)
		return;
	pl = malloc(r->len + RUN_LEN + 1);
	memcpy(pl, r->pl, fixed + at * RUN_LEN);
	if (nruns && rnd(s) % 2)		/* a copy of a neighbour */
		memcpy(pl + fixed + at * RUN_LEN,
		       r->pl + fixed + (at ? at - 1 : 0) * RUN_LEN, RUN_LEN);
	else {
		vh_put32(pl + fixed + at * RUN_LEN, rnd(s) % 4096);
		vh_put32(pl + fixed + at * RUN_LEN + 4, 1 + rnd(s) % 64);
		vh_put64(pl + fixed + at * RUN_LEN + 8, pick_iova(s) | VGPU_GTT_VALID);
	}
	memcpy(pl + fixed + (at + 1) * RUN_LEN, r->pl + fixed + at * RUN_LEN,
	       r->len - fixed - at * RUN_LEN);
	free(r->pl);
	r->pl = pl;
	r->len += RUN_LEN;
}

static void mutate_header(struct rec *r, u32 *s)
{
	static const u8 fields[] = { 0, 8, 10, 12, 16, 20, 24, 32, 36 };
	u8 f = fields[rnd(s) % ARRAY_SIZE(fields)];

	if (f == 8 || f == 10)
		r->hdr[f] ^= 1 + rnd(s) % 3;
	else
		vh_put32(r->hdr + f, pick_u32(s, vh_get32(r->hdr + f)));
}

static void mutate_rec(struct input *in, u32 *s)
{
	struct rec *r = &in->r[rnd(s) % in->n];
	size_t fixed = fixed_len(vh_get32(r->hdr + 12));
	size_t nruns = r->len >= fixed ? (r->len - fixed) / RUN_LEN : 0;

	switch (rnd(s) % 8) {
	case 0:				/* a register, out of range */
		if (vh_get32(r->hdr + 12) == VGPU_MIG_REC_DISPLAY && r->len >= fixed) {
			u32 f = rnd(s) % D_N;

			vh_put32(r->pl + 4 * f, pick_u32(s, dfield(r->pl, f)));
		} else if (fixed && r->len >= fixed) {
			vh_put32(r->pl + 4 * (rnd(s) % (REGS_LEN / 4)),
			     pick_u32(s, 0));
		}
		break;
	case 1:				/* config space */
		if (vh_get32(r->hdr + 12) == VGPU_MIG_REC_FULL && r->len >= fixed)
			r->pl[REGS_LEN + rnd(s) % VGPU_CFG_SIZE] = rnd(s);
		break;
	case 2:
	case 3:
		if (nruns)
			mutate_run(r->pl + fixed + (rnd(s) % nruns) * RUN_LEN, s);
		break;
	case 4:
		if (r->len >= fixed)
			reshape_runs(r, fixed, s);
		break;
	case 5:
		mutate_header(r, s);
		return;			/* header as mutated: length, CRC too */
	case 6:				/* another kind */
		vh_put32(r->hdr + 12, 1 + (vh_get32(r->hdr + 12) + rnd(s) % 2) % 3);
		break;
	default:
		r->len = r->len ? rnd(s) % r->len : 0;	/* truncate */
		break;
	}
	if (rnd(s) % 16)
		rec_fix(r);
}

/* drop, duplicate or reorder whole records, or cut the stream */
static void mutate_stream(struct input *in, u32 *s)
{
	int i = rnd(s) % in->n, j = rnd(s) % in->n;
	struct rec tmp;

	switch (rnd(s) % 4) {
	case 0:
		if (in->n > 1) {
			free(in->r[i].pl);
			in->r[i] = in->r[--in->n];
		}
		break;
	case 1:
		if (in->n < MAX_RECS) {
			in->r[in->n] = in->r[i];
			in->r[in->n].pl = malloc(in->r[i].len + 1);
			memcpy(in->r[in->n].pl, in->r[i].pl, in->r[i].len);
			in->n++;
		}
		break;
	case 2:
		tmp = in->r[i];
		in->r[i] = in->r[j];
		in->r[j] = tmp;
		break;
	default:
		in->ntail = rnd(s) % (HDR_LEN + 1);	/* a partial header */
		memcpy(in->tail, in->r[i].hdr, in->ntail);
		break;
	}
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	u32 s = seed | 1;
	struct input in;
	size_t n;

	if (size < sizeof(in.c) || rnd(&s) % 8 == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	in_parse(&in, data, size);
	switch (in.n ? rnd(&s) % 6 : 5) {
	case 0:
	case 1:
	case 2:
		mutate_rec(&in, &s);
		break;
	case 3:
		mutate_stream(&in, &s);
		break;
	case 4:				/* bytes, then lengths and CRCs fixed */
		n = in_write(&in, data, max_size);
		n = LLVMFuzzerMutate(data, n, max_size);
		in_free(&in);
		in_parse(&in, data, n);
		for (int i = 0; i < in.n; i++)
			rec_fix(&in.r[i]);
		break;
	default:			/* the control block */
		((u8 *)&in.c)[rnd(&s) % 7] = rnd(&s);
		break;
	}
	n = in_write(&in, data, max_size);
	in_free(&in);
	return n;
}

/* records of one input, then records of the other */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1,
				 const uint8_t *d2, size_t s2, uint8_t *out,
				 size_t max_out, unsigned int seed)
{
	struct input a, b;
	u32 s = seed | 1;
	size_t n;
	int i, keep;

	in_parse(&a, d1, s1);
	in_parse(&b, d2, s2);
	keep = a.n ? rnd(&s) % (a.n + 1) : 0;
	for (i = keep; i < a.n; i++)
		free(a.r[i].pl);
	a.n = keep;
	for (i = 0; i < b.n; i++) {
		if (a.n < MAX_RECS && rnd(&s) % 2)
			a.r[a.n++] = b.r[i];
		else
			free(b.r[i].pl);
	}
	a.ntail = 0;
	n = in_write(&a, out, max_out);
	in_free(&a);
	return n;
}

/* ---- seeds: streams saved from real device states ---- */

static void seed_write(const char *dir, const char *name, u8 type,
		       const u8 *s, size_t len)
{
	struct fuzz_ctl c = { .type = type, .maps = 0xff, .chunk_seed = 7 };
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&c, sizeof(c), 1, f) != 1 ||
	    fwrite(s, 1, len, f) != len)
		abort();
	fclose(f);
}

/* a submission queued, not run: it travels in the stream as pending */
static void seed_doorbell(struct vgpu_dev *v)
{
	u32 cmd[] = { VGPU_CMD_HDR(VGPU_OP_FILL, 0, 3), 4096, 64, 0x12345678,
		      VGPU_CMD_HDR(VGPU_OP_FENCE, 1, 2), 4096 + 128, 9 };

	vh_gtt_set(v, 0, windows[0].iova | VGPU_GTT_VALID);
	vh_gtt_set(v, 1, (windows[0].iova + 4096) | VGPU_GTT_VALID);
	memcpy(kshim_mem(windows[0].iova), cmd, sizeof(cmd));
	vh_wr(v, VGPU_REG_RING_BASE, 0);
	vh_wr(v, VGPU_REG_RING_SIZE, 4096);
	vh_wr(v, VGPU_REG_RING_CTL, VGPU_RING_CTL_ENABLE);
	vh_wr(v, VGPU_REG_RING_TAIL, sizeof(cmd));
	vh_wr(v, VGPU_REG_DOORBELL, 1);
}

/*
 * A pipe running with a latched plane, then a flip and a writeback that
 * are still pending when the stream is taken: both travel, and run at the
 * destination's first vblank (within the windows the seed maps).
 */
static void seed_display(struct vgpu_dev *v)
{
	vh_wr(v, VGPU_REG_DISP_HACTIVE, 64);
	vh_wr(v, VGPU_REG_DISP_VACTIVE, 64);
	vh_wr(v, VGPU_REG_DISP_HTOTAL, 80);
	vh_wr(v, VGPU_REG_DISP_VTOTAL, 70);
	vh_wr(v, VGPU_REG_DISP_CLOCK, 336);
	vh_wr(v, VGPU_REG_DISP_CTL, VGPU_DISP_CTL_ENABLE);
	vh_wr(v, VGPU_REG_PLANE_CTL, VGPU_PLANE_CTL_ENABLE);
	vh_wr(v, VGPU_REG_PLANE_BASE, 0);
	vh_wr(v, VGPU_REG_PLANE_STRIDE, 256);
	vh_wr(v, VGPU_REG_PLANE_COMMIT, 1);
	kshim_now_ns += 20000000;
	vh_run_display(v);
	vh_wr(v, VGPU_REG_PLANE_BASE, 4 * 4096);
	vh_wr(v, VGPU_REG_PLANE_COMMIT, 1);
	vh_wr(v, VGPU_REG_WB_BASE, 8 * 4096);
	vh_wr(v, VGPU_REG_WB_STRIDE, 512);
	vh_wr(v, VGPU_REG_WB_COMMIT, 1);
	vh_wr(v, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_ALL);
}

/* a source state: contiguous runs, holes, a revoked range, odd entries */
static struct vgpu_dev *seed_source(u8 type, int shape)
{
	struct vgpu_dev *v;
	u32 i, hi = 1;

	map_windows(0xff);
	v = vh_create(type);
	for (i = 0; i < 64 && i < v->type->gtt_entries; i++)
		vh_gtt_set(v, i, (windows[1].iova + ((u64)i << 12)) |
			   VGPU_GTT_VALID);
	if (shape >= 1) {
		vh_gtt_set(v, 100, windows[5].iova | VGPU_GTT_VALID);
		vh_gtt_set(v, 101, windows[3].iova | VGPU_GTT_VALID);
		vh_gtt_set(v, 102, 0xabc000);		/* not valid */
		vh_bar0_write(v, VGPU_GTT_WINDOW + 8 * 5 + 4, &hi, 4);
		vh_wr(v, VGPU_REG_SCRATCH0 + 4, 0x5eed);
		vh_wr(v, VGPU_REG_IRQ_ENABLE, VGPU_IRQ_ALL);
	}
	if (shape == 2)
		vh_dma_unmap(v, windows[1].iova + (8 << 12), 8 << 12);
	if (shape == 3)
		seed_doorbell(v);
	if (shape == 4)
		seed_display(v);
	return v;
}

static void make_seeds(const char *dir)
{
	static const char *shapes[] = { "runs", "mixed", "revoked", "doorbell",
					"display" };
	struct file *f;
	char name[64];
	size_t len, l2;
	u8 *s, *p, *both;
	u8 type;
	int shape;

	for (type = 0; type < NTYPES; type++) {
		for (shape = 0; shape < (int)ARRAY_SIZE(shapes); shape++) {
			struct vgpu_dev *v = seed_source(type, shape);

			/* PRE_COPY then STOP_COPY: PRECOPY + FULL records */
			vh_set_state(v, VFIO_DEVICE_STATE_PRE_COPY, &f);
			p = vh_read_all(f, &len);
			vh_set_state(v, VFIO_DEVICE_STATE_PRE_COPY_P2P, NULL);
			vh_set_state(v, VFIO_DEVICE_STATE_STOP_COPY, NULL);
			s = vh_read_all(f, &l2);
			fput(f);
			both = malloc(len + l2);
			memcpy(both, p, len);
			memcpy(both + len, s, l2);
			snprintf(name, sizeof(name), "%s-%s-precopy",
				 vgpu_types[type].type.sysfs_name, shapes[shape]);
			seed_write(dir, name, type, both, len + l2);
			snprintf(name, sizeof(name), "%s-%s-full",
				 vgpu_types[type].type.sysfs_name, shapes[shape]);
			seed_write(dir, name, type, s, l2);
			free(p);
			free(s);
			free(both);
			vh_destroy(v);
			kshim_unmap_all();
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("STREAM_FUZZ_SEEDS");

	if (dir) {
		make_seeds(dir);
		exit(0);
	}
	atexit(print_stats);
	return 0;
}
