// SPDX-License-Identifier: GPL-2.0
/*
 * workload.c - the payload's workload-file engine
 *
 * A packed workload (tools/wl-pack, lib/wl/wlpack.h) comes as a multiboot
 * module.  Its buffers are laid out from the first data page on
 * (GTT-mapped ones first, through consecutive GTT entries, then the
 * CPU-only ones in RAM after them); fill/copy/write/fence steps become vGPU
 * commands and cpu steps the payload's own stores, with the page choices
 * of lib/wl (wl_select.h, compiled from the same source as the VMM's
 * runner).  A page is verified against its checksum before a partial write
 * (write, fence, cpu; fill and copy targets only with precheck=1), every
 * byte the device wrote is verified after: commands are submitted in
 * groups without read/write overlaps between steps, so that each can be
 * checked exactly, and a copy's destination must also have the checksum
 * its source had.  Each frame ends with LOAD_REGISTER SCRATCH0 and the
 * workload's fence (or the payload's own if the workload has none).
 */
#include "guest.h"

#define XFER_PAGES	(VGPU_MAX_XFER_BYTES / VGPU_PAGE_SIZE)
#define TAIL_DW		8	/* LOAD_REGISTER + our own FENCE at frame end */

static int step_ok(const struct wl_state *w, const struct wlp_step *s)
{
	const struct wlp_buf *b = w->bufs;
	uint32_t pages;

	if (s->op > WL_CPU || s->dst >= w->hdr->nbufs)
		return 0;
	if (s->op == WL_COPY) {
		if (s->src >= w->hdr->nbufs || s->src == s->dst ||
		    !(b[s->src].flags & WLP_BUF_GTT))
			return 0;
	} else if (s->src != WLP_NO_BUF) {
		return 0;
	}
	if (s->op != WL_CPU && !(b[s->dst].flags & WLP_BUF_GTT))
		return 0;
	if (s->op == WL_FILL || s->op == WL_COPY || s->op == WL_CPU) {
		pages = b[s->dst].pages;
		if (s->op == WL_COPY && b[s->src].pages < pages)
			pages = b[s->src].pages;
		return s->npages && s->npages <= pages;
	}
	return s->op != WL_WRITE || (s->count && s->count <= 4096);
}

static void check_header(const struct wl_state *w, uint32_t size,
			 uint32_t copied)
{
	const struct wlp_hdr *h = w->hdr;

	if (h->magic != WLP_MAGIC)
		FAIL("workload module: magic 0x%08x, not a packed workload (wl-pack)\n",
		     h->magic);
	if (h->version >> 8 != WLP_VERSION >> 8 || h->hdr_size != WLP_HDR_SIZE)
		FAIL("workload module: version 0x%x header %u, this payload reads 0x%x\n",
		     h->version, h->hdr_size, WLP_VERSION);
	if (!h->nbufs || h->nbufs > WL_MAX_BUFS || h->nsteps > WL_MAX_STEPS ||
	    h->total_size != wlp_size(h->nbufs, h->nsteps) ||
	    h->total_size > copied)
		FAIL("workload module: %u buffers %u steps, size %u of %u bytes\n",
		     h->nbufs, h->nsteps, h->total_size, size);
	if (wlp_csum(w->img, h->total_size) != h->csum)
		FAIL("workload module: checksum 0x%08x want 0x%08x\n",
		     wlp_csum(w->img, h->total_size), h->csum);
}

void workload_load(struct guest *g, uint32_t start, uint32_t end)
{
	struct wl_state *w = &g->wl;
	const uint32_t *src = (const uint32_t *)(uintptr_t)start;
	uint32_t size = end - start, i, n;

	if (end < start || size < WLP_HDR_SIZE)
		FAIL("workload module at 0x%x: %u bytes, not a packed workload\n",
		     start, size);
	n = size < sizeof(w->img) ? size : sizeof(w->img);
	for (i = 0; i < (n + 3) / 4; i++)
		w->img[i] = src[i];
	w->hdr = (const struct wlp_hdr *)w->img;
	check_header(w, size, n);
	/* the name's last byte: NUL */
	w->img[WLP_HDR_SIZE / 4 - 1] &= 0x00ffffff;
	w->bufs = (const struct wlp_buf *)((const char *)w->img + WLP_HDR_SIZE);
	w->steps = (const struct wlp_step *)(w->bufs + w->hdr->nbufs);
	for (i = 0; i < w->hdr->nbufs; i++)
		if (!w->bufs[i].pages)
			FAIL("workload %s: buffer %u is empty\n", w->hdr->name, i);
	for (i = 0; i < w->hdr->nsteps; i++) {
		const struct wlp_step *s = &w->steps[i];

		if (!step_ok(w, s))
			FAIL("workload %s: bad step %u (op %u src %u dst %u npages %u count %u)\n",
			     w->hdr->name, i, s->op, s->src, s->dst, s->npages,
			     s->count);
		if (s->op == WL_FENCE)
			w->fences++;
	}
	w->rng = (uint64_t)w->hdr->seed_hi << 32 | w->hdr->seed_lo;
	if (!w->rng)
		w->rng = 1;
	g->engine = &workload_engine;
}

/* the smallest k with sum(ceil(pages / k)) <= limit over the (gtt) buffers */
static uint32_t scale_for(const struct wl_state *w, uint32_t limit,
			  int gtt_only)
{
	uint32_t k, i;

	for (k = 2; k < 65536; k++) {
		uint32_t sum = 0;

		for (i = 0; i < w->hdr->nbufs; i++)
			if (!gtt_only || (w->bufs[i].flags & WLP_BUF_GTT))
				sum += (w->bufs[i].pages + k - 1) / k;
		if (sum <= limit)
			return k;
	}
	return 0;
}

/* the buffers with GTT flag @gtt, one after the other from data page @p */
static uint32_t place_bufs(struct wl_state *w, uint32_t p, uint32_t gtt)
{
	uint32_t i;

	for (i = 0; i < w->hdr->nbufs; i++)
		if ((w->bufs[i].flags & WLP_BUF_GTT) == gtt) {
			w->buf_page[i] = p;
			p += w->bufs[i].pages;
		}
	return p;
}

/* buffers from data page 0: GTT-mapped ones first, then the others */
static void workload_layout(struct guest *g, uint32_t avail)
{
	struct wl_state *w = &g->wl;
	uint64_t gtt = 0, all = 0;
	uint32_t i;

	for (i = 0; i < w->hdr->nbufs; i++) {
		all += w->bufs[i].pages;
		if (w->bufs[i].flags & WLP_BUF_GTT)
			gtt += w->bufs[i].pages;
	}
	if (gtt > avail)
		FAIL("workload %s does not fit: %u GTT pages, the vGPU has %u for buffers (%u entries); pack it with wl-pack -s %u\n",
		     w->hdr->name, (uint32_t)gtt, avail, g->gtt_entries,
		     w->hdr->scale * scale_for(w, avail, 1));
	if (all > WLP_MAX_PAGES)
		FAIL("workload %s does not fit: %u pages, the payload takes %u; pack it with wl-pack -s %u\n",
		     w->hdr->name, (uint32_t)all, WLP_MAX_PAGES,
		     w->hdr->scale * scale_for(w, WLP_MAX_PAGES, 0));
	place_bufs(w, place_bufs(w, 0, WLP_BUF_GTT), 0);
	g->gtt_data_pages = (uint32_t)gtt;
	g->data_pages = (uint32_t)all;
	g->gtt_used = g->data_dev / VGPU_PAGE_SIZE + g->gtt_data_pages;
	if (!g->opt.pace_set)
		g->opt.pace = (w->hdr->period_us + 500) / 1000;
}

static void workload_describe(struct guest *g, uint32_t bdf)
{
	gprintf("vgpu-guest: start workload %s bdf %x bar0 0x%x caps 0x%x gtt %u ring %u data_pages %u gtt_pages %u irq %s need_mem 0x%x\n",
		g->wl.hdr->name, bdf, g->bar0, reg_r(g, VGPU_REG_CAPS),
		g->gtt_entries, g->ring_size, g->data_pages, g->gtt_used,
		g->opt.msi ? "msi" : "poll", g->mem_needed);
}

static void workload_ram_too_small(struct guest *g)
{
	uint32_t base = DATA_BASE + g->data_dev;
	uint32_t room = g->ram_end > base ? g->ram_end - base : 0;

	FAIL("guest RAM too small for workload %s: need 0x%x, have 0x%x; a bigger -m or wl-pack -s %u\n",
	     g->wl.hdr->name, g->mem_needed, g->ram_end,
	     g->wl.hdr->scale * scale_for(&g->wl, room / VGPU_PAGE_SIZE, 0));
}

static void workload_started(struct guest *g)
{
	const struct wlp_hdr *h = g->wl.hdr;

	gprintf("workload %s seed %u pace %u buffers %u steps %u pages %u gtt_pages %u scale %u init seq %u\n",
		h->name, h->seed_lo, g->opt.pace, h->nbufs, h->nsteps,
		g->data_pages, g->gtt_data_pages, h->scale, g->seq);
}

/* ---- queued commands ---- */

static void verify_fill(struct guest *g, const struct pend *pe)
{
	volatile uint32_t *p;
	uint32_t k, j;

	/* every dword is the pattern: the checksum is too */
	for (k = 0; k < pe->n; k++) {
		p = data_page(g, pe->dst + k);
		j = page_diff_val(p, pe->val);
		if (j != PAGE_DW)
			FAIL("fill step %u page %u dword %u got 0x%08x want 0x%08x seq %u\n",
			     pe->step, pe->dst + k, j, p[j], pe->val, g->seq);
		g->wl.pend_w[pe->dst + k] = 0;
	}
}

/*
 * The destination equals the source byte for byte, and its checksum is
 * the one the source had to have (no queued command wrote the source):
 * checks both.
 */
static void verify_copy(struct guest *g, const struct pend *pe)
{
	volatile uint32_t *p, *q;
	uint32_t k, j, c;

	for (k = 0; k < pe->n; k++) {
		p = data_page(g, pe->dst + k);
		q = data_page(g, pe->src + k);
		c = page_cmp_csum(p, q, &j);
		if (j != PAGE_DW)
			FAIL("copy step %u page %u->%u dword %u got 0x%08x want 0x%08x seq %u\n",
			     pe->step, pe->src + k, pe->dst + k, j, p[j], q[j],
			     g->seq);
		if (c != g->csum_exp[pe->dst + k])
			FAIL("checksum copy-source page %u->%u got 0x%08x want 0x%08x seq %u\n",
			     pe->src + k, pe->dst + k, c,
			     g->csum_exp[pe->dst + k], g->seq);
		g->wl.pend_w[pe->dst + k] = 0;
		bm_clear(g->wl.pend_r, pe->src + k);
	}
}

static void verify_write(struct guest *g, const struct pend *pe,
			 const uint32_t *data)
{
	volatile uint32_t *p = data_page(g, 0) + pe->dst;
	uint32_t j;

	for (j = 0; !pe->dead && j < WL_WRITE_DW; j++)
		if (p[j] != data[j])
			FAIL("write step %u page %u dword %u got 0x%08x want 0x%08x seq %u\n",
			     pe->step, pe->dst / PAGE_DW,
			     pe->dst % PAGE_DW + j, p[j], data[j], g->seq);
	check_page(g, pe->dst / PAGE_DW, "after-write");
	g->wl.pend_w[pe->dst / PAGE_DW] = 0;
}

static void verify_fence(struct guest *g, const struct pend *pe)
{
	volatile uint32_t *p = data_page(g, pe->dst);

	if (p[0] != pe->val)
		FAIL("fence step %u page %u got %u want %u\n", pe->step,
		     pe->dst, p[0], pe->val);
	check_page(g, pe->dst, "after-fence");
	g->wl.pend_w[pe->dst] = 0;
}

/* verify the queued commands' writes, forget them */
static void verify_queued(struct guest *g)
{
	struct wl_state *w = &g->wl;
	uint32_t i;

	for (i = 0; i < w->npend; i++) {
		const struct pend *pe = &w->pend[i];

		if (pe->kind == PK_FILL)
			verify_fill(g, pe);
		else if (pe->kind == PK_COPY)
			verify_copy(g, pe);
		else if (pe->kind == PK_WRITE)
			verify_write(g, pe, w->wd_data[i]);
		else
			verify_fence(g, pe);
	}
	w->npend = w->pend_bytes = 0;
}

/* submit what is queued, wait, verify; start a new submission */
static void flush_queued(struct guest *g)
{
	if (!g->em.count)
		return;
	submit_and_wait(g, g->wl.pend_fence, g->seq);
	g->wl.pend_fence = NULL;
	verify_queued(g);
	emit_ring_begin(g);
}

/* room for a command of @ndw dwords writing @bytes in this submission */
static void make_room(struct guest *g, uint32_t ndw, uint32_t bytes)
{
	struct wl_state *w = &g->wl;
	uint32_t used = (g->em.pos - g->ring_tail) / 4;

	if (used + ndw + TAIL_DW + 4 > g->ring_size / 4 ||
	    w->npend == PEND_MAX ||
	    w->pend_bytes + bytes + 16 > VGPU_MAX_BYTES_PER_SUBMIT)
		flush_queued(g);
}

/*
 * Pages [@pg, @pg + @n) are about to be written by step @si (read, if not
 * @write): submit first if a queued command of another step writes them
 * (or, for a write, a queued copy reads them), so that every queued
 * command can be verified byte by byte afterwards.
 */
static void order_after(struct guest *g, uint32_t pg, uint32_t n,
			uint32_t si, int write)
{
	struct wl_state *w = &g->wl;
	uint32_t i;

	for (i = 0; i < n; i++)
		if ((w->pend_w[pg + i] && (!write || w->pend_w[pg + i] != si + 1)) ||
		    (write && bm_test(w->pend_r, pg + i))) {
			flush_queued(g);
			return;
		}
}

static struct pend *queue_pend(struct guest *g, uint32_t kind, uint32_t si,
			       uint32_t dst)
{
	struct pend *pe = &g->wl.pend[g->wl.npend++];

	pe->kind = kind;
	pe->dead = 0;
	pe->step = si;
	pe->dst = dst;
	return pe;
}

/* ---- steps ---- */

/* fill or copy pages [@pg, @pg + @len) of the step's buffer(s) */
static void step_xfer(struct guest *g, const struct wlp_step *s, uint32_t si,
		      uint32_t pg, uint32_t len, uint32_t fr)
{
	struct wl_state *w = &g->wl;
	int copy = s->op == WL_COPY;
	uint32_t n, d, src = 0, i, pat = s->pattern ^ fr;
	struct pend *pe;

	for (; len; pg += n, len -= n) {
		n = len > XFER_PAGES ? XFER_PAGES : len;
		d = w->buf_page[s->dst] + pg;
		make_room(g, 4, n * VGPU_PAGE_SIZE);
		order_after(g, d, n, si, 1);
		if (copy) {
			src = w->buf_page[s->src] + pg;
			order_after(g, src, n, si, 0);
		}
		/*
		 * the destination is overwritten whole: its old contents
		 * only with precheck=1 (the sweep covers them); the source
		 * is checked with the copy (verify_copy())
		 */
		for (i = 0; g->opt.precheck && i < n; i++)
			if (!w->pend_w[d + i])
				check_page(g, d + i,
					   copy ? "before-copy" : "before-fill");
		if (copy) {
			emit_cmd(g, VGPU_OP_COPY, 0, 3);
			emit(g, page_dev(g, src));
			emit(g, page_dev(g, d));
			emit(g, n * VGPU_PAGE_SIZE);
		} else {
			emit_cmd(g, VGPU_OP_FILL, 0, 3);
			emit(g, page_dev(g, d));
			emit(g, n * VGPU_PAGE_SIZE);
			emit(g, pat);
		}
		for (i = 0; i < n; i++) {
			g->csum_exp[d + i] = copy ? g->csum_exp[src + i] :
						    pat << 20;
			w->pend_w[d + i] = si + 1;
			if (copy)
				bm_set(w->pend_r, src + i);
		}
		pe = queue_pend(g, copy ? PK_COPY : PK_FILL, si, d);
		pe->src = src;
		pe->n = n;
		pe->val = pat;
		w->pend_bytes += n * VGPU_PAGE_SIZE;
	}
}

/* cpu step: one qword store per chosen page, as the runner's cpu_run() */
static void step_cpu(struct guest *g, const struct wlp_step *s, uint32_t pg,
		     uint32_t len)
{
	struct wl_state *w = &g->wl;
	uint32_t p, lo, hi;
	volatile uint32_t *d;
	uint64_t r;

	for (; len; pg++, len--) {
		p = w->buf_page[s->dst] + pg;
		if (w->pend_w[p] || bm_test(w->pend_r, p))
			flush_queued(g);
		check_page(g, p, "before-cpu");
		d = data_page(g, p);
		r = wl_rand(&w->rng);
		lo = (uint32_t)r;
		hi = (uint32_t)(r >> 32);
		g->csum_exp[p] += (lo - d[0]) + (hi - d[1]) * 3;
		d[0] = lo;
		d[1] = hi;
		check_page(g, p, "after-cpu");
	}
}

static void step_pages(struct guest *g, const struct wlp_step *s,
		       uint32_t si, uint32_t fr)
{
	struct wl_state *w = &g->wl;
	uint32_t pages = w->bufs[s->dst].pages, pg = 0, len;

	if (s->op == WL_COPY && w->bufs[s->src].pages < pages)
		pages = w->bufs[s->src].pages;
	wl_select(w->sel, pages, s->npages, s->flags & WLP_STEP_RAND, fr,
		  &w->rng);
	while ((len = wl_next_run(w->sel, pages, &pg))) {
		if (s->op == WL_CPU)
			step_cpu(g, s, pg, len);
		else
			step_xfer(g, s, si, pg, len, fr);
		pg += len;
	}
}

/* the current contents of data dword @dw: a queued write's, or memory */
static const volatile uint32_t *slot_now(struct guest *g, uint32_t dw)
{
	struct wl_state *w = &g->wl;
	uint32_t k;

	for (k = w->npend; k--;)
		if (w->pend[k].kind == PK_WRITE && w->pend[k].dst == dw &&
		    !w->pend[k].dead) {
			w->pend[k].dead = 1;
			return w->wd_data[k];
		}
	return data_page(g, 0) + dw;
}

/* write step: count x 64 bytes at random 64-byte slots (lib/wl) */
static void step_write(struct guest *g, const struct wlp_step *s,
		       uint32_t si)
{
	struct wl_state *w = &g->wl;
	uint32_t slots = w->bufs[s->dst].pages * (VGPU_PAGE_SIZE / 64);
	uint32_t c, j, dw, p, off, vals[WL_WRITE_DW];
	const volatile uint32_t *old;

	for (c = 0; c < s->count; c++) {
		dw = w->buf_page[s->dst] * PAGE_DW +
		     wl_write_pick(&w->rng, slots, vals) * WL_WRITE_DW;
		p = dw / PAGE_DW;
		off = dw % PAGE_DW;
		make_room(g, 2 + WL_WRITE_DW, 64);
		order_after(g, p, 1, si, 1);
		if (!w->pend_w[p])
			check_page(g, p, "before-write");
		old = slot_now(g, dw);
		for (j = 0; j < WL_WRITE_DW; j++) {
			g->csum_exp[p] += (vals[j] - old[j]) *
					  (2 * (off + j) + 1);
			w->wd_data[w->npend][j] = vals[j];
		}
		emit_cmd(g, VGPU_OP_WRITE_DATA, 0, 1 + WL_WRITE_DW);
		emit(g, page_dev(g, p) + off * 4);
		for (j = 0; j < WL_WRITE_DW; j++)
			emit(g, vals[j]);
		w->pend_w[p] = si + 1;
		queue_pend(g, PK_WRITE, si, dw);
		w->pend_bytes += 64;
	}
}

static void step_fence(struct guest *g, const struct wlp_step *s,
		       uint32_t si)
{
	struct wl_state *w = &g->wl;
	uint32_t p = w->buf_page[s->dst];
	volatile uint32_t *d = data_page(g, p);
	struct pend *pe;

	make_room(g, 3, 4);
	order_after(g, p, 1, si, 1);
	if (!w->pend_w[p])
		check_page(g, p, "before-fence");
	++g->seq;
	g->csum_exp[p] += g->seq - d[0];
	emit_fence_at(g, page_dev(g, p), g->seq);
	w->pend_w[p] = si + 1;
	pe = queue_pend(g, PK_FENCE, si, p);
	pe->val = g->seq;
	w->pend_bytes += 4;
	w->pend_fence = d;
}

/* one frame of the workload; frame f (1..) is the runner's frame f - 1 */
static void workload_frame(struct guest *g, uint32_t f)
{
	struct wl_state *w = &g->wl;
	uint32_t si, fr = f - 1;

	emit_ring_begin(g);
	for (si = 0; si < w->hdr->nsteps; si++) {
		const struct wlp_step *s = &w->steps[si];

		if (s->op == WL_WRITE)
			step_write(g, s, si);
		else if (s->op == WL_FENCE)
			step_fence(g, s, si);
		else
			step_pages(g, s, si, fr);
	}
	/* room for these was kept by make_room() */
	emit_cmd(g, VGPU_OP_LOAD_REGISTER, 0, 2);
	emit(g, VGPU_REG_SCRATCH0);
	emit(g, w->fences ? g->seq : g->seq + 1);
	if (!w->fences) {
		emit_fence(g, ++g->seq);
		w->pend_fence = dev_ptr(g->fence_dev);
	}
	flush_queued(g);
	if (reg_r(g, VGPU_REG_SCRATCH0) != g->seq)
		FAIL("scratch0 %u want %u\n", reg_r(g, VGPU_REG_SCRATCH0),
		     g->seq);
}

const struct engine workload_engine = {
	.batch_pages = 0,
	.layout = workload_layout,
	.describe = workload_describe,
	.ram_too_small = workload_ram_too_small,
	.started = workload_started,
	.frame = workload_frame,
};
