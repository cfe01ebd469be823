// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu_scale_test.c - sample vGPU types up to a 4 GiB aperture: the GTT's
 * kernel memory follows the entries in use, contiguous mappings pin and
 * unpin in bulk, and bad input (a type larger than the pool left, a GTT
 * access past the type's entries, an out-of-range pool parameter, pins
 * failing halfway through a run) gets a clear errno with nothing leaked
 *
 * Runs inside the test VM with the patched modules and sample-vgpu loaded
 * and no instance present.  The pool test reloads sample-vgpu.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "vgpu_test_common.h"

#define ENTRIES_4G	(1u << 20)
#define LEAF_BYTES	4096	/* one leaf: 256 entries of 16 bytes */
#define SCRATCH_IOVA	0x10000000ull
#define SCRATCH_PAGES	2048

static long counter(const char *uuid, const char *name)
{
	return vgpu_counter(uuid, name);
}

static __u64 bar0_size(struct vgpu *g)
{
	struct vfio_region_info info;

	if (vfio_region_info(&g->dev, VFIO_PCI_BAR0_REGION_INDEX, &info))
		return 0;
	return info.size;
}

/* write @n GTT entries from @first in one write(); entry k = vals[k] */
static ssize_t gtt_write(struct vgpu *g, __u32 first, const __u64 *vals,
			 __u32 n)
{
	ssize_t r = pwrite(g->dev.fd, vals, 8 * (size_t)n,
			   g->bar0_off + VGPU_GTT_WINDOW + 8 * (__u64)first);

	return r < 0 ? -errno : r;
}

/* @n entries mapping @iova.. contiguously, or every other page if @gap */
static __u64 *gtt_vals(__u64 iova, __u32 n, bool gap)
{
	__u64 *v = malloc(8 * (size_t)n);
	__u32 i;

	for (i = 0; v && i < n; i++)
		v[i] = (iova + (__u64)i * (gap ? 2 : 1) * VGPU_PAGE_SIZE) |
		       VGPU_GTT_VALID;
	return v;
}

FIXTURE(big) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
};

FIXTURE_VARIANT(big) {
	const char *type;
	__u32 entries;
	__u64 bar0;
};

FIXTURE_VARIANT_ADD(big, t256m) {
	.type = VGPU_TYPE_256M, .entries = 65536, .bar0 = 1 << 20,
};

FIXTURE_VARIANT_ADD(big, t1g) {
	.type = VGPU_TYPE_1G, .entries = 262144, .bar0 = 4 << 20,
};

FIXTURE_VARIANT_ADD(big, t4g) {
	.type = VGPU_TYPE_4G, .entries = ENTRIES_4G, .bar0 = 16 << 20,
};

/* an instance of @type, opened, @pages of scratch memory mapped if any */
static int scratch_open(struct vgpu *g, char *uuid, const char *type,
			__u32 pages)
{
	int ret = vgpu_mdev_create(type, uuid);

	if (!ret)
		ret = vgpu_open(g, uuid);
	if (!ret && pages)
		ret = vgpu_map_mem(g, SCRATCH_IOVA, pages * VGPU_PAGE_SIZE);
	if (ret)
		vgpu_test_teardown(g, uuid);
	return ret;
}

FIXTURE_SETUP(big)
{
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_EQ(0, scratch_open(&self->g, self->uuid, variant->type,
				  SCRATCH_PAGES));
}

FIXTURE_TEARDOWN(big)
{
	vgpu_test_teardown(&self->g, self->uuid);
}

/* The type's size shows in sysfs, the BAR and the registers. */
TEST_F(big, type_shape)
{
	char buf[256], want[64];

	ASSERT_LT(0, mdev_type_attr(VGPU_PARENT, variant->type, "description",
				    buf, sizeof(buf)));
	snprintf(want, sizeof(want), "gtt_entries=%u ", variant->entries);
	EXPECT_NE(NULL, strstr(buf, want));
	EXPECT_EQ(variant->entries, self->g.gtt_entries);
	EXPECT_EQ(variant->entries, counter(self->uuid, "gtt_entries"));
	EXPECT_EQ(variant->bar0, bar0_size(&self->g));
	EXPECT_EQ(0, counter(self->uuid, "gtt_table_bytes"));
	/* the last entry is there */
	ASSERT_EQ(0, vgpu_gtt_map(&self->g, variant->entries - 1,
				  SCRATCH_IOVA, 1));
	EXPECT_EQ(SCRATCH_IOVA | VGPU_GTT_VALID,
		  vgpu_reg(&self->g, VGPU_GTT_WINDOW + 8 * (variant->entries - 1)));
	EXPECT_EQ(1, counter(self->uuid, "pages_pinned"));
}

/* GTT kernel memory follows the entries in use, not the aperture. */
TEST_F(big, table_follows_use)
{
	struct vgpu *g = &self->g;
	__u32 last = variant->entries - 1;

	ASSERT_EQ(0, vgpu_gtt_map(g, last, SCRATCH_IOVA, 1));
	EXPECT_EQ(LEAF_BYTES, counter(self->uuid, "gtt_table_bytes"));
	ASSERT_EQ(0, vgpu_gtt_map(g, 0, SCRATCH_IOVA, 1024));
	EXPECT_EQ(5 * LEAF_BYTES, counter(self->uuid, "gtt_table_bytes"));
	/* all-zero leaves are freed again */
	ASSERT_EQ(0, vgpu_gtt_invalidate(g, last, 1));
	EXPECT_EQ(4 * LEAF_BYTES, counter(self->uuid, "gtt_table_bytes"));
	ASSERT_EQ(0, vgpu_gtt_invalidate(g, 0, 1000));
	EXPECT_EQ(LEAF_BYTES, counter(self->uuid, "gtt_table_bytes"));
	EXPECT_EQ(24, counter(self->uuid, "pages_pinned"));
	test_vgpu_reset(g);
	EXPECT_EQ(0, counter(self->uuid, "gtt_table_bytes"));
	EXPECT_EQ(0, counter(self->uuid, "pages_pinned"));
}

/* One pin call per 512 contiguous entries of a write; unpins alike. */
TEST_F(big, bulk_pins)
{
	struct vgpu *g = &self->g;
	__u64 *vals = gtt_vals(SCRATCH_IOVA, SCRATCH_PAGES, false);
	__u64 *zero = calloc(SCRATCH_PAGES, 8);
	long pins, unpins;
	__u64 val = 0;

	ASSERT_NE(NULL, vals);
	ASSERT_NE(NULL, zero);
	pins = counter(self->uuid, "pin_calls");
	unpins = counter(self->uuid, "unpin_calls");
	/* from entry 256 to cross a leaf boundary mid-run */
	ASSERT_EQ(8 * SCRATCH_PAGES, gtt_write(g, 256, vals, SCRATCH_PAGES));
	EXPECT_EQ(SCRATCH_PAGES, counter(self->uuid, "pages_pinned"));
	EXPECT_EQ(pins + SCRATCH_PAGES / 512, counter(self->uuid, "pin_calls"));
	EXPECT_EQ(0, vgpu_reg(g, VGPU_REG_ERROR));
	ASSERT_EQ(0, vgpu_rd64(g, VGPU_GTT_WINDOW + 8 * 1256, &val));
	EXPECT_EQ(vals[1000], val);
	/* rewriting the same mappings pins nothing */
	ASSERT_EQ(8 * SCRATCH_PAGES, gtt_write(g, 256, vals, SCRATCH_PAGES));
	EXPECT_EQ(pins + SCRATCH_PAGES / 512, counter(self->uuid, "pin_calls"));
	EXPECT_EQ(unpins, counter(self->uuid, "unpin_calls"));
	ASSERT_EQ(8 * SCRATCH_PAGES, gtt_write(g, 256, zero, SCRATCH_PAGES));
	EXPECT_EQ(0, counter(self->uuid, "pages_pinned"));
	EXPECT_EQ(unpins + SCRATCH_PAGES / 512,
		  counter(self->uuid, "unpin_calls"));
	EXPECT_EQ(0, counter(self->uuid, "gtt_table_bytes"));
	free(vals);
	free(zero);
}

/* Scattered IOVAs cannot be pinned in bulk: one call per entry. */
TEST_F(big, scattered_pins)
{
	struct vgpu *g = &self->g;
	__u64 *vals = gtt_vals(SCRATCH_IOVA, SCRATCH_PAGES / 2, true);
	long pins = counter(self->uuid, "pin_calls");

	ASSERT_NE(NULL, vals);
	ASSERT_EQ(4 * SCRATCH_PAGES, gtt_write(g, 0, vals, SCRATCH_PAGES / 2));
	EXPECT_EQ(SCRATCH_PAGES / 2, counter(self->uuid, "pages_pinned"));
	EXPECT_EQ(pins + SCRATCH_PAGES / 2, counter(self->uuid, "pin_calls"));
	free(vals);
}

/* Past the type's last entry: EINVAL, a straddling write stops short. */
TEST_F(big, past_last_entry)
{
	struct vgpu *g = &self->g;
	__u64 off = g->bar0_off + VGPU_GTT_WINDOW + 8 * (__u64)variant->entries;
	__u64 vals[2] = {
		SCRATCH_IOVA | VGPU_GTT_VALID,
		(SCRATCH_IOVA + VGPU_PAGE_SIZE) | VGPU_GTT_VALID,
	};
	__u32 v32 = 0;

	if (VGPU_GTT_WINDOW + 8 * (__u64)variant->entries < variant->bar0) {
		EXPECT_EQ(-1, pwrite(g->dev.fd, vals, 8, off));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, pwrite(g->dev.fd, &v32, 4, off + 4));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, pread(g->dev.fd, vals, 8, off));
		EXPECT_EQ(EINVAL, errno);
	}
	/* the end of the BAR */
	EXPECT_EQ(-1, pwrite(g->dev.fd, vals, 8, g->bar0_off + variant->bar0));
	EXPECT_EQ(EINVAL, errno);
	/* entries last and last + 1 in one write: only the first is taken */
	EXPECT_EQ(8, gtt_write(g, variant->entries - 1, vals, 2));
	EXPECT_EQ(1, counter(self->uuid, "pages_pinned"));
	EXPECT_EQ(0, vgpu_reg(g, VGPU_REG_ERROR));
}

/* Unmapped IOVAs in the middle of a run: exactly those entries fail. */
TEST_F(big, hole_in_run)
{
	struct vgpu *g = &self->g;
	__u32 mapped = SCRATCH_PAGES / 2, island = 1536, i;
	__u64 *vals = gtt_vals(SCRATCH_IOVA + mapped * (__u64)VGPU_PAGE_SIZE,
			       SCRATCH_PAGES, false);

	ASSERT_NE(NULL, vals);
	/*
	 * Entries 0..1023 map the scratch's upper half, 1024.. run past its
	 * end, where only the 16 pages of entries 1536..1551 are mapped.
	 */
	ASSERT_EQ(0, vgpu_map_mem(g, vals[island] & VGPU_GTT_ADDR_MASK,
				  16 * VGPU_PAGE_SIZE));
	ASSERT_EQ(8 * SCRATCH_PAGES, gtt_write(g, 0, vals, SCRATCH_PAGES));
	EXPECT_EQ(mapped + 16, counter(self->uuid, "pages_pinned"));
	EXPECT_EQ(VGPU_ERR_DMA, vgpu_reg(g, VGPU_REG_ERROR));
	EXPECT_EQ(VGPU_GTT_WINDOW + 8 * mapped,
		  vgpu_reg(g, VGPU_REG_ERROR_HEAD));
	for (i = 0; i < SCRATCH_PAGES; i++) {
		bool ok = i < mapped || (i >= island && i < island + 16);

		ASSERT_EQ(ok ? (__u32)vals[i] : (__u32)vals[i] & ~1u,
			  vgpu_reg(g, VGPU_GTT_WINDOW + 8 * i))
			TH_LOG("entry %u", i);
	}
	free(vals);
	vgpu_close(g);
	EXPECT_EQ(0, counter(self->uuid, "pages_pinned"));
}

/* ---- pins that fail halfway: RLIMIT_MEMLOCK without CAP_IPC_LOCK ---- */

static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[0].effective &= ~(1u << CAP_IPC_LOCK);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static long vm_locked_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/*
 * A 1g instance; its memory is mapped by the test, after CAP_IPC_LOCK is
 * dropped (type1 records it at MAP_DMA).
 */
FIXTURE(halfway) {
	struct vgpu g;
	char uuid[VFIO_UUID_LEN];
};

FIXTURE_SETUP(halfway)
{
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_EQ(0, scratch_open(&self->g, self->uuid, VGPU_TYPE_1G, 0));
}

FIXTURE_TEARDOWN(halfway)
{
	vgpu_test_teardown(&self->g, self->uuid);
}

TEST_F(halfway, pins_fail_halfway)
{
	__u64 *vals = gtt_vals(SCRATCH_IOVA, 1024, false);
	struct vgpu *g = &self->g;
	char *uuid = self->uuid;
	struct rlimit lim;
	long locked;

	ASSERT_NE(NULL, vals);
	locked = vm_locked_kb();
	ASSERT_LE(0, locked);
	/* room for 256 more locked pages */
	lim.rlim_cur = lim.rlim_max = (locked << 10) + (1 << 20);
	ASSERT_EQ(0, drop_ipc_lock());
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &lim));
	test_vgpu_map_mem(g, SCRATCH_IOVA, 1024 * VGPU_PAGE_SIZE);

	ASSERT_EQ(8 * 1024, gtt_write(g, 0, vals, 1024));
	EXPECT_EQ(256, counter(uuid, "pages_pinned"));
	EXPECT_EQ(locked + 1024, vm_locked_kb());
	EXPECT_EQ(VGPU_ERR_DMA, vgpu_reg(g, VGPU_REG_ERROR));
	EXPECT_EQ(VGPU_GTT_WINDOW + 8 * 256, vgpu_reg(g, VGPU_REG_ERROR_HEAD));
	EXPECT_EQ((__u32)vals[255], vgpu_reg(g, VGPU_GTT_WINDOW + 8 * 255));
	EXPECT_EQ((__u32)vals[256] & ~1u,
		  vgpu_reg(g, VGPU_GTT_WINDOW + 8 * 256));

	/* device reset releases every pin and its accounting */
	test_vgpu_reset(g);
	EXPECT_EQ(0, counter(uuid, "pages_pinned"));
	EXPECT_EQ(locked, vm_locked_kb());
	/* pinned again, then the device closed: nothing left either */
	ASSERT_EQ(8 * 256, gtt_write(g, 0, vals, 256));
	EXPECT_EQ(256, counter(uuid, "pages_pinned"));
	vgpu_close(g);
	EXPECT_EQ(0, counter(uuid, "pages_pinned"));
	EXPECT_EQ(locked, vm_locked_kb());
	free(vals);
}

/* ---- the pool: a type larger than what is left ---- */

/* instances a test creates, removed by the teardown whatever failed */
FIXTURE(pool) {
	char uuid[17][VFIO_UUID_LEN];
};

FIXTURE_SETUP(pool)
{
	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
}

FIXTURE_TEARDOWN(pool)
{
	unsigned int i;

	for (i = 0; i < 17; i++)
		if (self->uuid[i][0] && mdev_exists(self->uuid[i]))
			EXPECT_EQ(0, mdev_remove(self->uuid[i]));
}

TEST_F(pool, type_larger_than_pool_left)
{
	char (*uuids)[VFIO_UUID_LEN] = self->uuid, *extra = self->uuid[16];
	long n4g, n1g, small, i;

	n4g = vgpu_available(VGPU_TYPE_4G);
	n1g = vgpu_available(VGPU_TYPE_1G);
	small = vgpu_available(VGPU_TYPE_SMALL);
	ASSERT_LT(0, n4g);
	ASSERT_GE(16, n4g);
	EXPECT_EQ(4 * n4g, n1g);
	EXPECT_EQ(4096 * n4g, small);
	for (i = 0; i < n4g; i++)
		ASSERT_EQ(0, vgpu_mdev_create(VGPU_TYPE_4G, uuids[i]));
	EXPECT_EQ(0, vgpu_available(VGPU_TYPE_4G));
	EXPECT_EQ(0, vgpu_available(VGPU_TYPE_SMALL));
	EXPECT_EQ(-ENOSPC, vgpu_mdev_create(VGPU_TYPE_4G, extra));
	EXPECT_EQ(-ENOSPC, vgpu_mdev_create(VGPU_TYPE_SMALL, extra));
	/* one removed: a 1g fits, then a 4g no longer does */
	ASSERT_EQ(0, mdev_remove(uuids[--n4g]));
	EXPECT_EQ(4, vgpu_available(VGPU_TYPE_1G));
	ASSERT_EQ(0, vgpu_mdev_create(VGPU_TYPE_1G, extra));
	EXPECT_EQ(0, vgpu_available(VGPU_TYPE_4G));
	EXPECT_EQ(-ENOSPC, vgpu_mdev_create(VGPU_TYPE_4G, uuids[15]));
	EXPECT_EQ(0, mdev_remove(extra));
	for (i = 0; i < n4g; i++)
		EXPECT_EQ(0, mdev_remove(uuids[i]));
	EXPECT_EQ(small, vgpu_available(VGPU_TYPE_SMALL));
}

/* ---- the pool parameter: reload sample-vgpu with bad values ---- */

FIXTURE(reload) {
	char path[128];
	char keep[64];		/* fine_dirty to restore */
	char uuid[VFIO_UUID_LEN];	/* an instance to remove first */
};

static int unload(void)
{
	return syscall(SYS_delete_module, "sample_vgpu", O_NONBLOCK) ?
	       -errno : 0;
}

static int load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

FIXTURE_SETUP(reload)
{
	char mods[32] = "", fine[8] = "";

	if (!vgpu_present())
		SKIP(return, "sample_vgpu not loaded");
	ASSERT_LT(0, vfio_sysfs_read("/tmp/vfio-variant", mods, sizeof(mods)));
	mods[strcspn(mods, "\n")] = 0;
	snprintf(self->path, sizeof(self->path), "/lib/mods/%s/sample-vgpu.ko",
		 mods);
	ASSERT_LT(0, vfio_sysfs_read("/sys/module/sample_vgpu/parameters/fine_dirty",
				     fine, sizeof(fine)));
	snprintf(self->keep, sizeof(self->keep), "fine_dirty=%c", fine[0]);
	ASSERT_EQ(0, unload());
}

FIXTURE_TEARDOWN(reload)
{
	if (!self->path[0])
		return;
	if (self->uuid[0] && mdev_exists(self->uuid))
		EXPECT_EQ(0, mdev_remove(self->uuid));
	if (vgpu_present())
		unload();
	if (load(self->path, self->keep))
		fprintf(stderr, "# reload %s %s failed\n", self->path,
			self->keep);
}

TEST_F(reload, pool_param_range)
{
	static const char * const bad[] = {
		"gtt_pool=0", "gtt_pool=255", "gtt_pool=16777217",
		"gtt_pool=4294967296", "gtt_pool=-1", "gtt_pool=lots",
	};
	char extra[VFIO_UUID_LEN];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, load(self->path, bad[i]))
			TH_LOG("%s", bad[i]);
		EXPECT_FALSE(vgpu_present());
	}
	/* the bounds themselves load */
	ASSERT_EQ(0, load(self->path, "gtt_pool=16777216"));
	EXPECT_EQ(16, vgpu_available(VGPU_TYPE_4G));
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(self->path, "gtt_pool=256"));
	EXPECT_EQ(1, vgpu_available(VGPU_TYPE_SMALL));
	EXPECT_EQ(0, vgpu_available(VGPU_TYPE_MEDIUM));
	EXPECT_EQ(-ENOSPC, vgpu_mdev_create(VGPU_TYPE_MEDIUM, extra));
	ASSERT_EQ(0, vgpu_mdev_create(VGPU_TYPE_SMALL, self->uuid));
	EXPECT_EQ(-ENOSPC, vgpu_mdev_create(VGPU_TYPE_SMALL, extra));
	EXPECT_EQ(0, mdev_remove(self->uuid));
}

TEST_HARNESS_MAIN
