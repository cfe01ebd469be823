// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking in the ALL_MAPPED scope: a container holding a real
 * device behind an IOMMU (the igb on vfio-pci), then also a plain test
 * mdev that pins and writes, then the mdev alone once the igb's group has
 * left.  Nothing in it declares reports_dirty, so the patched type1 must
 * report bit for bit what stock reports: run as "record FILE" on the stock
 * modules, then as "compare FILE" on the patched ones, in one VM boot (the
 * method of dirty_oracle_test.c).  Each round's bitmap is also checked
 * against what the scope implies (every mapped page while the igb is in
 * and once more when it leaves, the pinned pages after), in both modes,
 * and the scope type1 reports (the series' flag stays clear: PINNED, as
 * stock, in both phases).  The igb DMAs between rounds; under
 * ALL_MAPPED that changes nothing.
 *
 * Layout: A (70 pages) and B (45) adjacent from IOVA_A, so B starts at
 * bit 70 of a report over both; H, 2 MiB of hugetlbfs memory; the igb's
 * rings (4 pages at IGB_RING_IOVA).  B is unmapped with its bitmap during
 * tracking and C (30 pages) mapped in its place.
 */
#include "pci_utils.h"
#include "dirty_utils.h"

#define IOVA_A		0x200000UL
#define NPG_A		70
#define NPG_B		45
#define NPG_C		30
#define IOVA_B		(IOVA_A + NPG_A * PAGE)
#define IOVA_H		0x800000UL
#define NPG_H		512
#define NPG_R		(IGB_RING_BYTES / PAGE)
#define PA(i)		(IOVA_A + (uint64_t)(i) * PAGE)
#define WORDS		(NPG_H / 64)

struct rec {
	struct vfio_iommu *io;
	FILE *out;
	int round;
};

static void mask_bits(uint64_t *w, unsigned int nbits)
{
	unsigned int i;

	for (i = nbits; i < WORDS * 64; i++)
		w[i / 64] &= ~(1ULL << (i % 64));
}

static unsigned int count_bits(const uint64_t *w)
{
	unsigned int i, n = 0;

	for (i = 0; i < WORDS; i++)
		n += __builtin_popcountll(w[i]);
	return n;
}

/*
 * GET_BITMAP of @npages from @iova, recorded as "<tag><round> <words>";
 * only the bits of the range count (the series clears stock's strays).
 */
static int report(struct rec *r, const char *tag, uint64_t iova,
		  unsigned int npages, uint64_t *w)
{
	unsigned int i;
	int ret;

	memset(w, 0, WORDS * 8);
	ret = vfio_dirty_get(r->io, iova, npages * PAGE, PAGE, w, WORDS * 8);
	if (ret)
		return ret;
	mask_bits(w, npages);
	fprintf(r->out, "%s%d", tag, r->round);
	for (i = 0; i < (npages + 63) / 64; i++)
		fprintf(r->out, " %016llx", (unsigned long long)w[i]);
	fprintf(r->out, "\n");
	return 0;
}

/* errno of a call, recorded (both kernels must refuse alike) */
static void record_errno(struct rec *r, const char *what, int ret)
{
	fprintf(r->out, "E %s %d\n", what, ret);
}

static bool all_set(const uint64_t *w, unsigned int n)
{
	return count_bits(w) == n;
}

/* the igb's container, a plain test mdev in it, A, B and H mapped */
FIXTURE(pdirty) {
	struct pci_igb p;
	struct vfio_dev mdev;
	char uuid[VFIO_UUID_LEN];
	uint8_t *mem, *hmem;
};

static int pdirty_acquire(FIXTURE_DATA(pdirty) *self)
{
	struct vfio_iommu *io = self->p.io;
	int ret;

	ret = dtm_create("plain", self->uuid);
	if (!ret)
		ret = vfio_dev_open(&self->mdev, io, self->uuid);
	if (ret)
		return ret;
	self->mem = mmap(NULL, (NPG_A + NPG_B) * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	self->hmem = mmap(NULL, NPG_H * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (self->mem == MAP_FAILED || self->hmem == MAP_FAILED)
		return -ENOMEM;	/* no 2 MiB page: vm.nr_hugepages */
	ret = vfio_dma_map(io, IOVA_A, self->mem, NPG_A * PAGE, VFIO_DMA_RW);
	if (!ret)
		ret = vfio_dma_map(io, IOVA_B, self->mem + NPG_A * PAGE,
				   NPG_B * PAGE, VFIO_DMA_RW);
	if (!ret)
		ret = vfio_dma_map(io, IOVA_H, self->hmem, NPG_H * PAGE,
				   VFIO_DMA_RW);
	return ret;
}

/* everything closed and the instance removed: 0 or -errno of the removal */
static int pdirty_release(FIXTURE_DATA(pdirty) *self)
{
	int ret = 0;

	vfio_dev_close(&self->mdev);
	pci_igb_close(&self->p);
	if (self->uuid[0])
		ret = mdev_remove(self->uuid);
	self->uuid[0] = 0;
	if (self->mem != MAP_FAILED)
		munmap(self->mem, (NPG_A + NPG_B) * PAGE);
	if (self->hmem != MAP_FAILED)
		munmap(self->hmem, NPG_H * PAGE);
	self->mem = self->hmem = MAP_FAILED;
	return ret;
}

FIXTURE_SETUP(pdirty)
{
	int ret;

	self->mdev.group = self->mdev.fd = -1;
	self->p.dev.group = self->p.dev.fd = -1;
	self->mem = self->hmem = MAP_FAILED;
	if (!oracle_mode || !oracle_file)
		SKIP(return, "usage: record|compare FILE");
	ASSERT_NE(PCI_PHASE_NONE, pci_test_phase()) TH_LOG("TEST_PHASE=stock|fine");
	ret = pci_igb_open(&self->p, NULL);
	if (!ret)
		ret = pdirty_acquire(self);
	if (ret)
		pdirty_release(self);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(pdirty)
{
	EXPECT_EQ(0, pdirty_release(self));
}

TEST_F(pdirty, all_mapped_reports_match_stock)
{
	/* the series' flag is clear: not every device reports its writes */
	int scope_all = VFIO_DIRTY_SCOPE_PINNED;
	int scope_pinned = VFIO_DIRTY_SCOPE_PINNED;
	struct vfio_iommu_type1_info_cap_migration mig;
	struct vfio_iommu_type1_info info;
	struct vfio_dev *md = &self->mdev;
	struct rec r = { .io = self->p.io };
	uint64_t w[WORDS], ubm[2] = {};
	uint8_t buf[PAGE];
	char *got = NULL;
	size_t len = 0;
	int i;

	r.out = open_memstream(&got, &len);
	ASSERT_NE(NULL, r.out);
	memset(buf, 0x33, sizeof(buf));
	test_vfio_iommu_info_cap(r.io, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
				 &info, &mig, sizeof(mig));
	/* (not the flags: the series may report its scope there) */
	fprintf(r.out, "I %#llx %#llx\n", (unsigned long long)mig.pgsize_bitmap,
		(unsigned long long)mig.max_dirty_bitmap_size);
	record_errno(&r, "get-before-start",
		     vfio_dirty_get(r.io, IOVA_A, NPG_A * PAGE, PAGE, w,
				    sizeof(w)));

	test_vfio_dirty_start(r.io);
	ASSERT_EQ(scope_all, vfio_dirty_scope(r.io));
	/* every round, every mapped page, whatever happened */
	for (r.round = 0; r.round < 3; r.round++) {
		ASSERT_EQ(0, report(&r, "AB", IOVA_A, NPG_A + NPG_B, w));
		ASSERT_TRUE(all_set(w, NPG_A + NPG_B));
		ASSERT_EQ(0, report(&r, "H", IOVA_H, NPG_H, w));
		ASSERT_TRUE(all_set(w, NPG_H));
		ASSERT_EQ(0, report(&r, "R", IGB_RING_IOVA, NPG_R, w));
		ASSERT_TRUE(all_set(w, NPG_R));
		if (r.round == 0) {
			/* the device writes A and H, the mdev pins A 20-22 */
			test_dma_lands(&self->p, PA(5) + 100,
				       self->mem + 5 * PAGE + 100,
				       IGB_MAX_FRAME, 0);
			test_dma_lands(&self->p, IOVA_H + 2 * PAGE - 700,
				       self->hmem + 2 * PAGE - 700,
				       IGB_MAX_FRAME, 0);
			test_dtm_pin(md, PA(20), 3, 0);
		} else if (r.round == 1) {
			test_dtm_rw(md, PA(60) + 9, buf, PAGE, true);
		}
	}
	/* refusals */
	record_errno(&r, "pgsize-8k", vfio_dirty_get(r.io, IOVA_A, NPG_A * PAGE,
						     2 * PAGE, w, sizeof(w)));
	record_errno(&r, "inside-a", vfio_dirty_get(r.io, PA(1), 10 * PAGE,
						    PAGE, w, sizeof(w)));
	record_errno(&r, "small-bitmap", vfio_dirty_get(r.io, IOVA_H,
							NPG_H * PAGE, PAGE,
							w, 8));
	/* B goes with its bitmap; C comes in its place, tracked at once */
	test_vfio_dma_unmap_dirty(r.io, IOVA_B, NPG_B * PAGE, ubm, sizeof(ubm));
	mask_bits(ubm, NPG_B);
	fprintf(r.out, "U %016llx\n", (unsigned long long)ubm[0]);
	ASSERT_EQ(NPG_B, __builtin_popcountll(ubm[0]));
	ASSERT_EQ(0, vfio_dma_map(r.io, IOVA_B, self->mem + NPG_A * PAGE,
				  NPG_C * PAGE, VFIO_DMA_RW));
	ASSERT_EQ(0, report(&r, "AC", IOVA_A, NPG_A + NPG_C, w));
	ASSERT_TRUE(all_set(w, NPG_A + NPG_C));
	r.round++;

	/*
	 * The igb's group leaves: it may have written since the last report,
	 * so every mapped page is reported once more; then the mdev's pins
	 * are the scope.
	 */
	pci_igb_detach(&self->p);
	ASSERT_EQ(scope_pinned, vfio_dirty_scope(r.io));
	ASSERT_EQ(0, report(&r, "AC", IOVA_A, NPG_A + NPG_C, w));
	ASSERT_TRUE(all_set(w, NPG_A + NPG_C));
	ASSERT_EQ(0, report(&r, "H", IOVA_H, NPG_H, w));
	ASSERT_TRUE(all_set(w, NPG_H));
	for (r.round++, i = 0; i < 2; i++, r.round++) {
		ASSERT_EQ(0, report(&r, "AC", IOVA_A, NPG_A + NPG_C, w));
		ASSERT_EQ(7ULL << 20, w[0]);
		ASSERT_EQ(3, count_bits(w));
		ASSERT_EQ(0, report(&r, "H", IOVA_H, NPG_H, w));
		ASSERT_EQ(0, count_bits(w));
	}
	/* stop, start again: re-populated from the pins held */
	test_vfio_dirty_stop(r.io);
	test_vfio_dirty_start(r.io);
	test_dtm_rw(md, PA(75), buf, 1, true);
	test_dtm_unpin(md, PA(20), 3, 0);
	ASSERT_EQ(0, report(&r, "AC", IOVA_A, NPG_A + NPG_C, w));
	ASSERT_EQ(7ULL << 20, w[0]);
	ASSERT_EQ(1ULL << (75 - 64), w[1]);
	r.round++;
	ASSERT_EQ(0, report(&r, "AC", IOVA_A, NPG_A + NPG_C, w));
	ASSERT_EQ(0, count_bits(w));
	fclose(r.out);

	test_oracle(oracle_mode, oracle_file, got);
	TH_LOG("%s", got);
	free(got);
}

ORACLE_HARNESS_MAIN
