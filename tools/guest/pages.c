// SPDX-License-Identifier: GPL-2.0
/*
 * pages.c - the data pages and their checksums
 *
 * Every data page has an expected checksum, sum of dword[i] * (2i + 1):
 * linear, so that a partial write updates it exactly.  A page is verified
 * against it before the device writes part of it, and swept round robin.
 *
 * The loops read device-written memory through plain pointers after a
 * compiler barrier (callers have waited for the device with volatile
 * accesses), unrolled: they are most of the payload's CPU time.
 */
#include "guest.h"

uint32_t page_csum(const volatile uint32_t *vp)
{
	const uint32_t *p = (const uint32_t *)vp;
	uint32_t s = 0, i, m = 1;

	__asm__ volatile("" ::: "memory");
	for (i = 0; i < PAGE_DW; i += 4, m += 8)
		s += p[i] * m + p[i + 1] * (m + 2) + p[i + 2] * (m + 4) +
		     p[i + 3] * (m + 6);
	return s;
}

/* the first dword of a page that is not @v, PAGE_DW if none */
uint32_t page_diff_val(const volatile uint32_t *vp, uint32_t v)
{
	const uint32_t *p = (const uint32_t *)vp;
	uint32_t acc = 0, i;

	__asm__ volatile("" ::: "memory");
	for (i = 0; i < PAGE_DW; i += 4)
		acc |= (p[i] ^ v) | (p[i + 1] ^ v) | (p[i + 2] ^ v) |
		       (p[i + 3] ^ v);
	if (!acc)
		return PAGE_DW;
	for (i = 0; p[i] == v; i++)
		;
	return i;
}

/*
 * Compare page @vd with page @vs (the first differing dword in *@diff,
 * PAGE_DW if none) and return @vd's checksum, in one pass.
 */
uint32_t page_cmp_csum(const volatile uint32_t *vd, const volatile uint32_t *vs,
		       uint32_t *diff)
{
	const uint32_t *d = (const uint32_t *)vd, *s = (const uint32_t *)vs;
	uint32_t c = 0, acc = 0, i, m = 1;

	__asm__ volatile("" ::: "memory");
	for (i = 0; i < PAGE_DW; i += 4, m += 8) {
		acc |= (d[i] ^ s[i]) | (d[i + 1] ^ s[i + 1]) |
		       (d[i + 2] ^ s[i + 2]) | (d[i + 3] ^ s[i + 3]);
		c += d[i] * m + d[i + 1] * (m + 2) + d[i + 2] * (m + 4) +
		     d[i + 3] * (m + 6);
	}
	*diff = PAGE_DW;
	if (acc)
		for (i = 0; i < PAGE_DW; i++)
			if (d[i] != s[i]) {
				*diff = i;
				break;
			}
	return c;
}

void check_page(struct guest *g, uint32_t pg, const char *why)
{
	uint32_t c = page_csum(data_page(g, pg));

	if (c != g->csum_exp[pg])
		FAIL("checksum %s page %u gpa 0x%x got 0x%08x want 0x%08x seq %u\n",
		     why, pg, DATA_BASE + page_dev(g, pg), c, g->csum_exp[pg],
		     g->seq);
}

static uint32_t fill_pattern(uint32_t pg)
{
	return 0x9e3779b9u * (pg + 1) ^ 0x5a5a0000u;
}

/*
 * The device fills every GTT-mapped data page with its own pattern, the
 * CPU the others (a workload's CPU-only buffers); then all are verified.
 */
void data_init(struct guest *g)
{
	uint32_t i = 0, n;

	while (i < g->gtt_data_pages) {
		emit_ring_begin(g);
		for (n = 0; n < 128 && i < g->gtt_data_pages; n++, i++) {
			emit_cmd(g, VGPU_OP_FILL, 0, 3);
			emit(g, page_dev(g, i));
			emit(g, VGPU_PAGE_SIZE);
			emit(g, fill_pattern(i));
			/* sum of (2i + 1) over a page = 2^20 */
			g->csum_exp[i] = fill_pattern(i) << 20;
		}
		emit_fence(g, ++g->seq);
		submit_and_wait(g, dev_ptr(g->fence_dev), g->seq);
	}
	for (; i < g->data_pages; i++) {
		volatile uint32_t *p = data_page(g, i);

		for (n = 0; n < PAGE_DW; n++)
			p[n] = fill_pattern(i);
		g->csum_exp[i] = fill_pattern(i) << 20;
	}
	for (i = 0; i < g->data_pages; i++)
		check_page(g, i, "init");
	gprintf("init ok pages %u seq %u\n", g->data_pages, g->seq);
}
