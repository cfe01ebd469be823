// SPDX-License-Identifier: GPL-2.0
/*
 * "Unchanged for everyone else": the same pin/unpin/vfio_dma_rw/report
 * sequence on devices without the capability must yield the same bitmaps
 * under stock and patched type1.  Run as "record FILE" on the stock
 * modules, then as "compare FILE" on the patched ones, in one VM boot.
 * Only the bits of the requested ranges are compared (stock leaks shifted
 * bits past the end of a range; the series fixes that).  The recording
 * itself is checked too: stock type1 reports every pinned page and every
 * vfio_dma_rw() write, which gives the exact bitmaps of stock_bitmaps[].
 */
#include "dirty_utils.h"

#define IOVA0	0x200000UL
#define NPG0	70	/* B starts at bit 70 of a report over both */
#define NPG1	45
#define NPG	(NPG0 + NPG1)
#define PGA(i)	(IOVA0 + (uint64_t)(i) * PAGE)

/*
 * What stock type1 reports for the sequence below (page i of the range is
 * bit i; two words per round).  Every pinned page is dirty in every round
 * and stays dirty for the round in which it is unpinned; writes through
 * vfio_dma_rw() are dirty once; reads are not.
 */
static const char stock_bitmaps[] =
	/* pages 1-3 pinned before START: dirty from the first report */
	"R0 000000000000000e 0000000000000000\n"
	/* + page 2 again (second device), 69-70 pinned, 100-101 written */
	"R1 000000000000000e 0000003000000060\n"
	/* 1-3 unpinned in this interval: still reported once */
	"R2 000000000000000e 0000000000000060\n"
	/* pins held: 2, 69, 70 */
	"R3 0000000000000004 0000000000000060\n"
	/* + 63-64 written, 69-70 unpinned in this interval; 10-11 only read */
	"R4 8000000000000004 0000000000000061\n"
	"R5 0000000000000004 0000000000000000\n"
	/* STOP, pin 80, START: re-populated from the pins held (2, 80) */
	"R6 0000000000000004 0000000000010000\n"
	/* unmap of B (pages 70..114) reports its page 10 (80, pinned) and
	 * page 20 (90, written)
	 */
	"U 0000000000100400 0000000000000000\n"
	"R7 0000000000000004 0000000000000000\n";

static void mask_range(uint64_t *w, unsigned int nbits)
{
	unsigned int i;

	for (i = nbits; i < BM_WORDS * 64; i++)
		w[i / 64] &= ~(1ULL << (i % 64));
}

/* One round: report, print "R<round> <hex words>" into @out. */
static int report(struct vfio_iommu *io, FILE *out, int round)
{
	uint64_t w[BM_WORDS] = {};
	int i, ret;

	ret = vfio_dirty_get(io, IOVA0, NPG * PAGE, PAGE, w, sizeof(w));
	if (ret)
		return ret;
	mask_range(w, NPG);
	fprintf(out, "R%d", round);
	for (i = 0; i < (NPG + 63) / 64; i++)
		fprintf(out, " %016llx", (unsigned long long)w[i]);
	fprintf(out, "\n");
	return 0;
}

/* two plain test mdevs in a container, mappings of 70 and 45 pages */
FIXTURE(oracle) {
	struct dtm_set s;
	void *mem;
};

static int oracle_acquire(FIXTURE_DATA(oracle) *self)
{
	int ret = dtm_set_open(&self->s, "plain", 2);

	if (ret)
		return ret;
	self->mem = mmap(NULL, NPG * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (self->mem == MAP_FAILED)
		return -ENOMEM;
	ret = vfio_dma_map(&self->s.io, IOVA0, self->mem, NPG0 * PAGE,
			   VFIO_DMA_RW);
	return ret ? ret : vfio_dma_map(&self->s.io, PGA(NPG0),
					self->mem + NPG0 * PAGE, NPG1 * PAGE,
					VFIO_DMA_RW);
}

FIXTURE_SETUP(oracle)
{
	int ret;

	if (!oracle_mode || !oracle_file)
		SKIP(return, "usage: record|compare FILE");
	ret = oracle_acquire(self);
	if (ret)
		dtm_set_close(&self->s);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(oracle)
{
	EXPECT_EQ(0, dtm_set_close(&self->s));
}

TEST_F(oracle, stock_and_patched_bitmaps_match)
{
	struct vfio_iommu *io = &self->s.io;
	struct vfio_dev *d = self->s.dev;
	char *got = NULL;
	int round = 0;
	size_t len = 0;
	FILE *out;
	char buf[2 * PAGE];
	uint64_t ubm[2] = {};

	out = open_memstream(&got, &len);
	ASSERT_NE(NULL, out);
	memset(buf, 0x33, sizeof(buf));

	test_dtm_pin(&d[0], PGA(1), 3, 0);	/* pinned before tracking */
	test_vfio_dirty_start(io);
	ASSERT_EQ(0, report(io, out, round++));
	test_dtm_pin(&d[1], PGA(2), 1, 0);	/* same page, two devices */
	test_dtm_pin(&d[1], PGA(69), 2, 0);	/* across the boundary */
	test_dtm_rw(&d[0], PGA(100) + 7, buf, PAGE, true);
	ASSERT_EQ(0, report(io, out, round++));
	test_dtm_unpin(&d[0], PGA(1), 3, 0);
	ASSERT_EQ(0, report(io, out, round++));
	ASSERT_EQ(0, report(io, out, round++));
	test_dtm_rw(&d[1], PGA(63), buf, 2 * PAGE, true);
	test_dtm_rw(&d[1], PGA(10), buf, 2 * PAGE, false);
	test_dtm_unpin(&d[1], PGA(69), 2, 0);
	ASSERT_EQ(0, report(io, out, round++));
	ASSERT_EQ(0, report(io, out, round++));
	/* stop, restart: state re-populated from the pins held */
	test_vfio_dirty_stop(io);
	test_dtm_pin(&d[0], PGA(80), 1, 0);
	test_vfio_dirty_start(io);
	ASSERT_EQ(0, report(io, out, round++));
	test_dtm_rw(&d[0], PGA(90), buf, 1, true);
	test_vfio_dma_unmap_dirty(io, PGA(NPG0), NPG1 * PAGE, ubm,
				  sizeof(ubm));
	fprintf(out, "U %016llx %016llx\n", (unsigned long long)ubm[0],
		(unsigned long long)ubm[1]);
	ASSERT_EQ(0, report(io, out, round++));
	fclose(out);

	test_oracle(oracle_mode, oracle_file, got);
	/* the oracle itself behaves as stock type1 is known to */
	if (!strcmp(oracle_mode, "record")) {
		ASSERT_STREQ(stock_bitmaps, got);
	}
	TH_LOG("%s", got);
	free(got);
}

ORACLE_HARNESS_MAIN
