// SPDX-License-Identifier: GPL-2.0
/*
 * builtin.c - the payload's built-in frame: FILL a range with a per-frame
 * pattern, COPY a range to another, WRITE_DATA a few dwords,
 * LOAD_REGISTER SCRATCH0 = seqno, FENCE (IRQ); every other frame from a
 * batch buffer (BATCH_START).  Every page the device will touch is
 * verified first, every byte it wrote afterwards.
 */
#include "guest.h"

/* one frame's choices: disjoint pages to fill, copy from and to, write */
struct plan {
	uint32_t n;		/* pages per fill and copy */
	uint32_t a, b, c;	/* fill a, copy b -> c */
	uint32_t d, off, cnt;	/* write cnt dwords at dword off of page d */
	uint32_t pat;
	uint32_t seqno;
	uint32_t vals[VGPU_MAX_INLINE_DW];
	uint32_t old[VGPU_MAX_INLINE_DW];	/* what the write replaces */
};

static uint32_t rand32(struct guest *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 17;
	g->rng ^= g->rng << 5;
	return g->rng;
}

static int overlaps(uint32_t a, uint32_t an, uint32_t b, uint32_t bn)
{
	return a < b + bn && b < a + an;
}

static void plan_frame(struct guest *g, struct plan *p)
{
	uint32_t n = g->opt.pages, i, pages = g->data_pages;

	p->n = n;
	do {
		p->a = rand32(g) % (pages - n + 1);
		p->b = rand32(g) % (pages - n + 1);
		p->c = rand32(g) % (pages - n + 1);
		p->d = rand32(g) % pages;
	} while (overlaps(p->a, n, p->b, n) || overlaps(p->a, n, p->c, n) ||
		 overlaps(p->b, n, p->c, n) || overlaps(p->d, 1, p->a, n) ||
		 overlaps(p->d, 1, p->b, n) || overlaps(p->d, 1, p->c, n));
	p->cnt = 1 + rand32(g) % VGPU_MAX_INLINE_DW;
	p->off = rand32(g) % (PAGE_DW - p->cnt + 1);
	p->pat = rand32(g);
	for (i = 0; i < p->cnt; i++)
		p->vals[i] = rand32(g);
}

/* everything the device will touch must be as we left it */
static void check_before(struct guest *g, struct plan *p)
{
	uint32_t *wd = data_page(g, p->d), i;

	for (i = 0; i < p->n; i++) {
		check_page(g, p->a + i, "before-fill");
		check_page(g, p->b + i, "copy-source");
		check_page(g, p->c + i, "before-copy");
	}
	check_page(g, p->d, "before-write");
	for (i = 0; i < p->cnt; i++)
		p->old[i] = wd[p->off + i];
}

/* fill, copy, write-data, LOAD_REGISTER: into the ring or a batch */
static void emit_body(struct guest *g, const struct plan *p)
{
	uint32_t i;

	emit_cmd(g, VGPU_OP_FILL, 0, 3);
	emit(g, page_dev(g, p->a));
	emit(g, p->n * VGPU_PAGE_SIZE);
	emit(g, p->pat);
	emit_cmd(g, VGPU_OP_COPY, 0, 3);
	emit(g, page_dev(g, p->b));
	emit(g, page_dev(g, p->c));
	emit(g, p->n * VGPU_PAGE_SIZE);
	emit_cmd(g, VGPU_OP_WRITE_DATA, 0, 1 + p->cnt);
	emit(g, page_dev(g, p->d) + p->off * 4);
	for (i = 0; i < p->cnt; i++)
		emit(g, p->vals[i]);
	emit_cmd(g, VGPU_OP_LOAD_REGISTER, 0, 2);
	emit(g, VGPU_REG_SCRATCH0);
	emit(g, p->seqno);
}

/* BATCH_START in the ring; the body in the batch buffer, then sized */
static void emit_batch(struct guest *g, const struct plan *p)
{
	uint32_t *ring = g->em.buf, pos, mask = g->em.mask, bytes;

	emit_cmd(g, VGPU_OP_BATCH_START, 0, 2);
	emit(g, g->batch_dev);
	pos = g->em.pos;
	g->em.buf = dev_ptr(g->batch_dev);
	g->em.pos = 0;
	g->em.mask = BATCH_PAGES * PAGE_DW - 1;
	emit_body(g, p);
	bytes = g->em.pos;
	g->em.buf = ring;
	g->em.pos = pos;
	g->em.mask = mask;
	emit(g, bytes);
}

/* every byte written, and the checksums it changed */
static void check_after(struct guest *g, const struct plan *p)
{
	uint32_t *wd = data_page(g, p->d), i, j;

	for (i = 0; i < p->n; i++) {
		volatile uint32_t *f = data_page(g, p->a + i);
		volatile uint32_t *src = data_page(g, p->b + i);
		volatile uint32_t *dst = data_page(g, p->c + i);

		for (j = 0; j < PAGE_DW; j++) {
			if (f[j] != p->pat)
				FAIL("fill page %u dword %u got 0x%08x want 0x%08x seq %u\n",
				     p->a + i, j, f[j], p->pat, p->seqno);
			if (dst[j] != src[j])
				FAIL("copy page %u->%u dword %u got 0x%08x want 0x%08x seq %u\n",
				     p->b + i, p->c + i, j, dst[j], src[j],
				     p->seqno);
		}
		g->csum_exp[p->a + i] = p->pat << 20;
		g->csum_exp[p->c + i] = g->csum_exp[p->b + i];
		check_page(g, p->c + i, "after-copy");
	}
	for (i = 0; i < p->cnt; i++) {
		if (wd[p->off + i] != p->vals[i])
			FAIL("write-data page %u dword %u got 0x%08x want 0x%08x seq %u\n",
			     p->d, p->off + i, wd[p->off + i], p->vals[i],
			     p->seqno);
		g->csum_exp[p->d] += (p->vals[i] - p->old[i]) *
				     (2 * (p->off + i) + 1);
	}
	check_page(g, p->d, "after-write");
	if (reg_r(g, VGPU_REG_SCRATCH0) != p->seqno)
		FAIL("scratch0 %u want %u\n", reg_r(g, VGPU_REG_SCRATCH0),
		     p->seqno);
}

static void builtin_frame(struct guest *g, uint32_t f)
{
	struct plan p;

	plan_frame(g, &p);
	check_before(g, &p);
	p.seqno = ++g->seq;
	emit_ring_begin(g);
	if (f & 1)
		emit_batch(g, &p);
	else
		emit_body(g, &p);
	emit_fence(g, p.seqno);
	submit_and_wait(g, dev_ptr(g->fence_dev), p.seqno);
	check_after(g, &p);
}

/* the GTT entries left after ring, fence page and batch hold data */
static void builtin_layout(struct guest *g, uint32_t avail)
{
	if (avail > WLP_MAX_PAGES)
		avail = WLP_MAX_PAGES;
	g->data_pages = g->gtt_data_pages = avail;
	if (g->opt.pages * 4 > g->data_pages)
		g->opt.pages = g->data_pages / 4;
	g->gtt_used = g->data_dev / VGPU_PAGE_SIZE + avail;
}

static void builtin_describe(struct guest *g, uint32_t bdf)
{
	gprintf("vgpu-guest: start bdf %x bar0 0x%x caps 0x%x gtt %u ring %u data_pages %u pages %u irq %s need_mem 0x%x\n",
		bdf, g->bar0, reg_r(g, VGPU_REG_CAPS), g->gtt_entries,
		g->ring_size, g->data_pages, g->opt.pages,
		g->opt.msi ? "msi" : "poll", g->mem_needed);
}

static void builtin_ram_too_small(struct guest *g)
{
	FAIL("guest RAM too small: %u KiB above 1 MiB\n",
	     (g->ram_end - 0x100000u) / 1024);
}

static void builtin_started(struct guest *g)
{
}

const struct engine builtin_engine = {
	.batch_pages = BATCH_PAGES,
	.layout = builtin_layout,
	.describe = builtin_describe,
	.ram_too_small = builtin_ram_too_small,
	.started = builtin_started,
	.frame = builtin_frame,
};
