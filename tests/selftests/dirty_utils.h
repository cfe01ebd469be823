/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the VFIO dirty tracking selftests, on lib/ (libvfio.h,
 * libdtm.h): raw functions there return 0 or -errno, and test_X() /
 * test_err_X() beside them assert, as in iommufd_utils.h.  Here: a type1
 * container with test mdevs in it, the fixtures' common part (memory
 * filled with 0x5a, mapped, tracking on), and bitmaps of up to 1024
 * pages for exact comparisons.
 */
#ifndef __DIRTY_UTILS_H
#define __DIRTY_UTILS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "libdtm.h"

#define PAGE		BM_PAGE
#define DTM_SET_MAX	4

/* test mdevs in one type1 container */
struct dtm_set {
	struct vfio_iommu io;
	int n;
	struct vfio_dev dev[DTM_SET_MAX];
	char uuid[DTM_SET_MAX][VFIO_UUID_LEN];
};

/* one more instance of @kind ("reporting", "plain"), opened in the set */
static inline int dtm_set_add(struct dtm_set *s, const char *kind)
{
	int ret;

	if (s->n == DTM_SET_MAX)
		return -ENOSPC;
	ret = dtm_create(kind, s->uuid[s->n]);
	if (ret)
		return ret;
	s->n++;
	return vfio_dev_open(&s->dev[s->n - 1], &s->io, s->uuid[s->n - 1]);
}

/* close the devices and the container, remove every instance: 0/-errno */
static inline int dtm_set_close(struct dtm_set *s)
{
	int i, ret, err = 0;

	for (i = 0; i < s->n; i++)
		vfio_dev_close(&s->dev[i]);
	vfio_iommu_close(&s->io);
	for (i = 0; i < s->n; i++) {
		ret = s->uuid[i][0] ? mdev_remove(s->uuid[i]) : 0;
		if (ret && !err)
			err = ret;
	}
	s->n = 0;
	return err;
}

/* a container and @n instances of @kind; nothing left if it fails */
static inline int dtm_set_open(struct dtm_set *s, const char *kind, int n)
{
	int i, ret;

	memset(s, 0, sizeof(*s));
	ret = vfio_iommu_open(&s->io, VFIO_MODE_TYPE1);
	for (i = 0; !ret && i < n; i++)
		ret = dtm_set_add(s, kind);
	if (ret)
		dtm_set_close(s);
	return ret;
}

/* @size bytes of anonymous memory filled with 0x5a, or NULL */
static inline void *dirty_mem_alloc(size_t size)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		return NULL;
	memset(mem, 0x5a, size);
	return mem;
}

/* one mapping of a fixture's layout: @pages pages at @iova */
struct dirty_range {
	uint64_t iova;
	size_t pages;
	uint32_t flags;		/* VFIO_DMA_RW or VFIO_DMA_MAP_FLAG_READ */
};

/*
 * The fixtures' common setup: memory for the @n ranges of @layout, back
 * to back and filled with 0x5a, in *@mem; each range mapped into @io;
 * then dirty tracking started.  0 or -errno.
 */
static inline int dirty_mem_map(struct vfio_iommu *io, void **mem,
				const struct dirty_range *layout, int n)
{
	size_t pages = 0;
	int i, ret = 0;

	for (i = 0; i < n; i++)
		pages += layout[i].pages;
	*mem = dirty_mem_alloc(pages * PAGE);
	if (!*mem)
		return -ENOMEM;
	for (i = 0, pages = 0; !ret && i < n; i++) {
		ret = vfio_dma_map(io, layout[i].iova,
				   (char *)*mem + pages * PAGE,
				   layout[i].pages * PAGE, layout[i].flags);
		pages += layout[i].pages;
	}
	return ret ? ret : vfio_dirty_start(io);
}

/*
 * Whether vfio-mods loaded module set @name (/tmp/vfio-variant): "stock"
 * (Debian's), "patched" (the series) or "fixes" (its fixes part alone, in
 * make series-build).
 */
static inline bool vfio_variant_is(const char *name)
{
	char v[16] = "";
	FILE *f = fopen("/tmp/vfio-variant", "r");

	if (f) {
		if (!fgets(v, sizeof(v), f))
			v[0] = 0;
		fclose(f);
	}
	v[strcspn(v, "\n")] = 0;
	return !strcmp(v, name);
}

/* The running kernel's version, KV(major, minor), from uname(2). */
#define KV(major, minor)	((major) << 8 | (minor))
static inline int kernel_version(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return KV(major, minor);
}

/*
 * Whether type1 works with inclusive range ends (Alex Mastro's series
 * "vfio: handle DMA map/unmap up to the addressable limit", which 6.12
 * does not have and 7.3 has, stock or patched): it then serves a mapping
 * that ends at 2^64, and refuses a range that wraps with -EOVERFLOW
 * rather than -EINVAL.  The series for such a kernel drops its fix 4.
 */
static inline bool type1_inclusive_ends(void)
{
	return kernel_version() > KV(6, 12);
}

/* Bitmaps of up to 1024 pages. */
#define BM_WORDS 16
struct bm { uint64_t w[BM_WORDS]; };

static inline const char *bm_str(const struct bm *b, char *buf, size_t len)
{
	return vfio_bitmap_str(b->w, BM_WORDS * 64, buf, len);
}

/* an oracle test's mode and recording, from its command line */
static const char *oracle_mode __attribute__((unused));
static const char *oracle_file __attribute__((unused));

/* main() of an oracle test: "record FILE" or "compare FILE" */
#define ORACLE_HARNESS_MAIN						\
int main(int argc, char **argv)						\
{									\
	if (argc == 3) {						\
		oracle_mode = argv[1];					\
		oracle_file = argv[2];					\
	}								\
	return test_harness_run(1, argv);				\
}

/*
 * The two halves of an oracle test (dirty_oracle_test, pci_dirty_test),
 * run as "record FILE" on the stock modules and "compare FILE" on the
 * patched ones in one boot: record keeps the text @got in @file; compare
 * reads that recording into @buf (@len bytes, NUL-terminated).
 */
static inline int oracle_file_keep(const char *mode, const char *file,
				   const char *got, char *buf, size_t len)
{
	bool record = !strcmp(mode, "record");
	FILE *f = fopen(file, record ? "w" : "r");
	size_t n = 0;

	if (!f)
		return -errno;
	if (record)
		fputs(got, f);
	else
		n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
	return 0;
}

/* record @got, or compare it with the stock recording */
#define test_oracle(mode, file, got) do {				\
	static char __rec[16384];					\
	ASSERT_EQ(0, oracle_file_keep(mode, file, got, __rec,		\
				      sizeof(__rec)))			\
		TH_LOG("%s %s", mode, file);				\
	if (strcmp(mode, "record")) {					\
		ASSERT_STREQ(__rec, got);				\
	}								\
} while (0)

#endif
