// SPDX-License-Identifier: GPL-2.0-only
/*
 * select.c - a workload frame's page choices (see wl_select.h); built
 * hosted into lib/wl and freestanding into the guest payload
 */
#include "wl_select.h"

void wl_select(uint64_t *sel, uint32_t pages, uint32_t n, bool rand,
	       uint32_t frame, uint64_t *rng)
{
	uint32_t i, start, left;

	for (i = 0; i < bm_words(pages); i++)
		sel[i] = 0;
	if (!rand) {
		start = wl_mod((uint64_t)frame * n, pages);
		for (i = 0; i < n; i++)
			bm_set(sel, start + i < pages ? start + i :
				    start + i - pages);
		return;
	}
	if (n > pages / 2) {
		for (i = 0; i < pages; i++)
			bm_set(sel, i);
		for (left = pages - n; left;) {
			i = wl_mod(wl_rand(rng), pages);
			if (bm_test(sel, i)) {
				bm_clear(sel, i);
				left--;
			}
		}
		return;
	}
	for (left = n; left;) {
		i = wl_mod(wl_rand(rng), pages);
		if (!bm_test(sel, i)) {
			bm_set(sel, i);
			left--;
		}
	}
}

uint32_t wl_next_run(const uint64_t *sel, uint32_t pages, uint32_t *pg)
{
	uint32_t end;

	while (*pg < pages && !bm_test(sel, *pg))
		(*pg)++;
	for (end = *pg; end < pages && bm_test(sel, end); end++)
		;
	return end - *pg;
}

uint32_t wl_write_pick(uint64_t *rng, uint32_t slots,
		       uint32_t data[WL_WRITE_DW])
{
	uint32_t slot = wl_mod(wl_rand(rng), slots), j;

	for (j = 0; j < WL_WRITE_DW; j++)
		data[j] = (uint32_t)wl_rand(rng);
	return slot;
}
