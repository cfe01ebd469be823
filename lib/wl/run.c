// SPDX-License-Identifier: GPL-2.0-only
/*
 * run.c - run a workload on a sample vGPU (see wl_run.h)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_run.h"

#define XFER_MAX	VGPU_MAX_XFER_BYTES

int wl_layout(const struct wl *w, uint64_t base, uint64_t size,
	      uint32_t ring_size, struct wl_layout *l, char *err,
	      size_t errlen)
{
	uint64_t iova = base + ring_size;
	uint32_t gtt = ring_size / WL_PAGE;
	int i;

	memset(l, 0, sizeof(*l));
	l->base = base;
	l->size = size;
	l->ring_iova = base;
	l->ring_size = ring_size;
	for (i = 0; i < w->nbufs; i++) {
		l->buf_iova[i] = iova;
		iova += w->bufs[i].size;
		if (!w->bufs[i].gtt)
			continue;
		l->buf_gtt[i] = gtt * WL_PAGE;
		gtt += w->bufs[i].size / WL_PAGE;
	}
	l->gtt_pages = gtt;
	if (iova - base > size) {
		snprintf(err, errlen,
			 "workload %s needs %llu KiB of guest memory, have %llu",
			 w->name, (unsigned long long)(iova - base) >> 10,
			 (unsigned long long)size >> 10);
		return -ENOSPC;
	}
	return 0;
}

/* Map the ring and the gtt buffers in the GTT and enable the ring. */
int wl_program(struct vgpu *g, const struct wl *w, const struct wl_layout *l)
{
	int i, ret;

	ret = vgpu_gtt_map(g, 0, l->ring_iova, l->ring_size / WL_PAGE);
	for (i = 0; !ret && i < w->nbufs; i++)
		if (w->bufs[i].gtt)
			ret = vgpu_gtt_map(g, l->buf_gtt[i] / WL_PAGE,
					   l->buf_iova[i],
					   w->bufs[i].size / WL_PAGE);
	if (!ret)
		ret = vgpu_ring_setup(g, 0, l->ring_size);
	return ret;
}

int wl_run_init(struct wl_run *r, const struct wl *w,
		const struct wl_layout *l, struct vgpu *g)
{
	uint64_t maxbuf = 1;
	int i;

	memset(r, 0, sizeof(*r));
	r->w = w;
	r->l = l;
	r->g = g;
	r->rng = w->seed ? w->seed : 1;
	r->npages = l->size / WL_PAGE;
	for (i = 0; i < w->nbufs; i++)
		if (w->bufs[i].size / WL_PAGE > maxbuf)
			maxbuf = w->bufs[i].size / WL_PAGE;
	r->cap_dw = l->ring_size / 4 - 8;
	r->dev_bm = calloc(bm_words(r->npages), 8);
	r->cpu_bm = calloc(bm_words(r->npages), 8);
	r->sel = calloc(bm_words(maxbuf), 8);
	r->cmds = calloc(r->cap_dw, 4);
	if (!r->dev_bm || !r->cpu_bm || !r->sel || !r->cmds) {
		wl_run_free(r);
		return -ENOMEM;
	}
	return 0;
}

void wl_run_free(struct wl_run *r)
{
	free(r->dev_bm);
	free(r->cpu_bm);
	free(r->sel);
	free(r->cmds);
	r->dev_bm = r->cpu_bm = r->sel = NULL;
	r->cmds = NULL;
}

/* Record the ring pages the next @ndw dwords at the tail land in. */
static void mark_ring(struct wl_run *r, uint32_t ndw)
{
	uint32_t tail = r->g->ring_tail, i;

	for (i = 0; i < ndw; i += 1024 / 4) {
		bm_set_bytes(r->cpu_bm, r->l->base, r->l->ring_iova + tail, 4);
		tail = (tail + 1024) & (r->l->ring_size - 1);
	}
	tail = (r->g->ring_tail + 4 * (ndw - 1)) & (r->l->ring_size - 1);
	bm_set_bytes(r->cpu_bm, r->l->base, r->l->ring_iova + tail, 4);
}

/* Submit the queued commands and wait; 0, -errno, or a device error. */
static int flush(struct wl_run *r)
{
	int ret;

	if (!r->ndw)
		return 0;
	mark_ring(r, r->ndw);
	ret = vgpu_run(r->g, r->cmds, r->ndw, &r->error);
	r->ndw = r->ncmds = 0;
	r->wbytes = 0;
	if (ret)
		return ret;
	return r->error ? -EPROTO : 0;
}

/* Queue one command that writes [off, off + len) of buffer @b. */
static int queue_cmd(struct wl_run *r, const uint32_t *c, uint32_t ndw,
		     int b, uint32_t off, uint32_t len)
{
	int ret = 0;

	if (r->ndw + ndw > r->cap_dw ||
	    r->ncmds + 1 > VGPU_MAX_CMDS_PER_SUBMIT / 2 ||
	    r->wbytes + len > VGPU_MAX_BYTES_PER_SUBMIT)
		ret = flush(r);
	if (ret)
		return ret;
	memcpy(r->cmds + r->ndw, c, 4 * ndw);
	r->ndw += ndw;
	r->ncmds++;
	r->wbytes += len;
	if (len)
		bm_set_bytes(r->dev_bm, r->l->base, r->l->buf_iova[b] + off,
			     len);
	return 0;
}

static int xfer_run(struct wl_run *r, const struct wl_step *s, uint32_t pg,
		    uint32_t len)
{
	uint32_t c[4], off, bytes, dst = r->l->buf_gtt[s->dst];
	uint64_t done, total = (uint64_t)len * WL_PAGE;
	int ret;

	for (done = 0; done < total; done += bytes) {
		off = (uint64_t)pg * WL_PAGE + done;
		bytes = total - done;
		if (bytes > XFER_MAX)
			bytes = XFER_MAX;
		if (s->op == WL_FILL)
			vgpu_cmd_fill(c, dst + off, bytes,
				      s->pattern ^ r->frame);
		else
			vgpu_cmd_copy(c, r->l->buf_gtt[s->src] + off,
				      dst + off, bytes);
		ret = queue_cmd(r, c, 4, s->dst, off, bytes);
		if (ret)
			return ret;
	}
	return 0;
}

static void cpu_run(struct wl_run *r, const struct wl_step *s, uint32_t pg,
		    uint32_t len)
{
	uint64_t start = r->l->buf_iova[s->dst] + (uint64_t)pg * WL_PAGE;
	uint64_t iova = start, i;

	for (i = 0; i < len; i++, iova += WL_PAGE) {
		uint64_t *p = vgpu_iova_ptr(r->g, iova);

		if (p)
			*p = wl_rand(&r->rng);
	}
	bm_set_bytes(r->cpu_bm, r->l->base, start, (uint64_t)len * WL_PAGE);
}

/* fill, copy, cpu: a fraction of the destination's pages */
static int step_pages(struct wl_run *r, const struct wl_step *s)
{
	uint32_t pages = r->w->bufs[s->dst].size / WL_PAGE, pg = 0, len;
	int ret;

	if (s->op == WL_COPY && r->w->bufs[s->src].size / WL_PAGE < pages)
		pages = r->w->bufs[s->src].size / WL_PAGE;
	wl_select(r->sel, pages, wl_step_pages(r->w, s), s->rand, r->frame,
		  &r->rng);
	while ((len = wl_next_run(r->sel, pages, &pg))) {
		if (s->op == WL_CPU) {
			cpu_run(r, s, pg, len);
		} else {
			ret = xfer_run(r, s, pg, len);
			if (ret)
				return ret;
		}
		pg += len;
	}
	return 0;
}

static int step_write(struct wl_run *r, const struct wl_step *s)
{
	uint32_t c[2 + WL_WRITE_DW], data[WL_WRITE_DW], i, off;
	uint32_t slots = r->w->bufs[s->dst].size / (4 * WL_WRITE_DW);
	int ret;

	for (i = 0; i < s->count; i++) {
		off = wl_write_pick(&r->rng, slots, data) * 4 * WL_WRITE_DW;
		vgpu_cmd_write(c, r->l->buf_gtt[s->dst] + off, data,
			       WL_WRITE_DW);
		ret = queue_cmd(r, c, 2 + WL_WRITE_DW, s->dst, off,
				4 * WL_WRITE_DW);
		if (ret)
			return ret;
	}
	return 0;
}

static int step_fence(struct wl_run *r, const struct wl_step *s)
{
	uint32_t c[3];

	vgpu_cmd_fence(c, r->l->buf_gtt[s->dst], ++r->seqno, false);
	return queue_cmd(r, c, 3, s->dst, 0, 4);
}

/* One frame: every step, then submit and wait until the device is idle. */
int wl_frame(struct wl_run *r)
{
	const struct wl_step *s;
	int i, ret = 0;

	for (i = 0; !ret && i < r->w->nsteps; i++) {
		s = &r->w->steps[i];
		if (s->op == WL_WRITE)
			ret = step_write(r, s);
		else if (s->op == WL_FENCE)
			ret = step_fence(r, s);
		else
			ret = step_pages(r, s);
	}
	if (!ret)
		ret = flush(r);
	r->frame++;
	return ret;
}

/* Pages from the start of guest memory to the end of the last buffer. */
static uint64_t used_pages(const struct wl_run *r)
{
	uint64_t end = r->l->ring_iova + r->l->ring_size, e;
	int i;

	for (i = 0; i < r->w->nbufs; i++) {
		e = r->l->buf_iova[i] + r->w->bufs[i].size;
		if (e > end)
			end = e;
	}
	return (end - r->l->base + WL_PAGE - 1) / WL_PAGE;
}

/*
 * The guest's initial contents, written by the CPU: a random word in every
 * page of the ring and the buffers and in one page per MiB of the rest (as
 * a guest touches some of its free memory).  Other pages stay untouched:
 * holes in the memfd, reading as zero.
 */
void wl_cpu_init(struct wl_run *r)
{
	uint64_t pg, v, used = used_pages(r), stride = (1 << 20) / WL_PAGE;
	uint64_t *p = vgpu_iova_ptr(r->g, r->l->base);
	uint64_t s = r->w->seed ^ 0x9e3779b97f4a7c15ull;

	for (pg = 0; pg < r->npages; pg++) {
		v = wl_rand(&s);
		if (pg >= used && pg % stride)
			continue;
		p[pg * (WL_PAGE / 8)] = v;
		bm_set(r->cpu_bm, pg);
	}
}
