/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kshim.h - just enough of the kernel API to build the sample vGPU's
 * device code (gtt.c, dirty.c, migration.c, mmio.c, irq.c, shadow.c,
 * exec.c, cmd_parser.c, types.c, display.c, logops.c: all of it but
 * main.c, see DEV_SRC in tests/vgpu/Makefile.host) in user space, for host
 * unit tests and fuzzing.
 *
 * Not a kernel: one thread, locks that only record that they are held (so
 * lockdep_assert_held() still checks), a work queue that runs when the
 * test says so, and a fake type1 behind vfio_pin_pages()/vfio_mark_dirty()
 * (kshim.c) that keeps its own count of pins and marks, the ground truth
 * the tests check the driver against.  WARN_ON*() and lockdep failures
 * abort(), so the fuzzer counts them as crashes.
 *
 * It stands in for every kernel header that code includes, through
 * tests/kshim/linux/: anon_inodes, atomic, bits, build_bug, crc32, eventfd,
 * file, fs, highmem, jiffies, kernel, lockdep, log2, math64, minmax,
 * module, mutex, sizes, slab, string, timekeeping, uaccess, vmalloc,
 * workqueue and xarray.h each only include this file; interval_tree.h,
 * iommu.h, iova_bitmap.h, mdev.h and vfio.h (over the real 6.12 uAPI
 * <linux/vfio.h> that Makefile.host installs) add their own part.  The
 * other headers it includes are real: <linux/types.h>, <linux/const.h>,
 * <linux/pci_regs.h> and <linux/version.h> from the system's uAPI headers,
 * <linux/sample_vgpu.h> from include/uapi.
 */
#ifndef _KSHIM_H
#define _KSHIM_H

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <sys/types.h>
#include <linux/types.h>

/* as the kernel's (and vgpu_compat.h's): u64 is unsigned long long */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s32 s32;
typedef __s64 s64;
typedef u64 dma_addr_t;

#ifndef KSHIM_PAGE_SHIFT
#define KSHIM_PAGE_SHIFT	12
#endif
#define PAGE_SHIFT		KSHIM_PAGE_SHIFT
#define PAGE_SIZE		(1ul << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))

#define __user
#define __force
#define __counted_by(m)
#define __must_check
#define __init
#define __exit
#define fallthrough		__attribute__((__fallthrough__))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define READ_ONCE(x)		(x)
#define WRITE_ONCE(x, v)	((x) = (v))

#define U32_MAX			((u32)~0u)
#define U64_MAX			((u64)~0ull)
#define INT_MAX			0x7fffffff
#define ULONG_MAX		(~0ul)
#define SZ_4K			0x1000
#define SZ_64K			0x10000
#define BIT(n)			(1ul << (n))
#define BIT_ULL(n)		(1ull << (n))
#define BITS_PER_LONG		64
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
#define container_of(p, t, m)	((t *)((char *)(p) - offsetof(t, m)))
#define offsetofend(t, m)	(offsetof(t, m) + sizeof(((t *)0)->m))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))
#define upper_32_bits(n)	((u32)((u64)(n) >> 32))

#define min(a, b)		({ typeof(a) _a = (a); typeof(b) _b = (b); \
				   _a < _b ? _a : _b; })
#define max(a, b)		({ typeof(a) _a = (a); typeof(b) _b = (b); \
				   _a > _b ? _a : _b; })
#define min_t(t, a, b)		min((t)(a), (t)(b))
#define max_t(t, a, b)		max((t)(a), (t)(b))
#define min3(a, b, c)		min(min(a, b), c)

#define le16_to_cpu(x)		le16toh(x)
#define le32_to_cpu(x)		le32toh(x)
#define le64_to_cpu(x)		le64toh(x)
#define cpu_to_le16(x)		htole16(x)
#define cpu_to_le32(x)		htole32(x)
#define cpu_to_le64(x)		htole64(x)

/* a WARN is a bug the tests must see: fail hard */
void kshim_bug(const char *what, const char *file, int line);
#define WARN_ON_ONCE(c)		({ bool _c = !!(c); \
				   if (_c) kshim_bug("WARN_ON_ONCE(" #c ")", \
						     __FILE__, __LINE__); _c; })
#define WARN_ON(c)		WARN_ON_ONCE(c)
#define BUG_ON(c)		WARN_ON_ONCE(c)

extern int kshim_verbose;
#define pr_info(...)		do { if (kshim_verbose) fprintf(stderr, __VA_ARGS__); } while (0)
#define pr_err(...)		pr_info(__VA_ARGS__)
#define dev_dbg(d, ...)		pr_info(__VA_ARGS__)
#define dev_warn_ratelimited(d, ...) pr_info(__VA_ARGS__)

/* errors in pointers */
#define MAX_ERRNO		4095
#define IS_ERR_VALUE(x)		((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long e) { return (void *)e; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p) { return IS_ERR_VALUE(p); }
static inline void *ERR_CAST(const void *p) { return (void *)p; }

static inline bool is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1 : 1ul << (64 - __builtin_clzl(n - 1));
}

/* memory: malloc, with an injectable failure (kshim_fail_alloc) */
#define GFP_KERNEL		0
#define GFP_KERNEL_ACCOUNT	0
void *kshim_alloc(size_t n, bool zero);
#define kmalloc(n, f)		kshim_alloc(n, false)
#define kzalloc(n, f)		kshim_alloc(n, true)
#define kvmalloc(n, f)		kshim_alloc(n, false)
#define kvzalloc(n, f)		kshim_alloc(n, true)
#define kcalloc(n, s, f)	kshim_alloc((size_t)(n) * (s), true)
#define kvcalloc(n, s, f)	kshim_alloc((size_t)(n) * (s), true)
#define kmalloc_array(n, s, f)	kshim_alloc((size_t)(n) * (s), false)
#define kfree(p)		free((void *)(p))
#define kvfree(p)		free((void *)(p))
#define struct_size(p, m, n)	(sizeof(*(p)) + sizeof((p)->m[0]) * (n))
void *memdup_user(const void *src, size_t n);

/*
 * user copies: plain copies, or a fault when the test asks for one.  A
 * user copy may stall for as long as the VMM likes (userfaultfd), so, as
 * lockdep's might_fault() would, each one WARNs if a mutex other than a
 * migration file's io_lock is held (audit item 7; see migration.c).
 */
unsigned long copy_from_user(void *to, const void *from, unsigned long n);
unsigned long copy_to_user(void *to, const void *from, unsigned long n);

/* locks: one thread; a mutex knows whether it is held, and its name */
struct mutex {
	int held;
	const char *name;	/* mutex_init()'s argument */
};

extern int kshim_mutexes_held;		/* of them, not a file's io_lock */
bool kshim_uaccess_lock(const struct mutex *m);
#define mutex_init(m)		((m)->held = 0, (m)->name = #m)
#define mutex_destroy(m)	WARN_ON_ONCE((m)->held)
#define mutex_lock(m)		do { WARN_ON_ONCE((m)->held); (m)->held = 1; \
				     kshim_mutexes_held += !kshim_uaccess_lock(m); } while (0)
#define mutex_unlock(m)		do { WARN_ON_ONCE(!(m)->held); (m)->held = 0; \
				     kshim_mutexes_held -= !kshim_uaccess_lock(m); } while (0)
#define lockdep_assert_held(m)	WARN_ON_ONCE(!(m)->held)

typedef struct {
	long long counter;
} atomic64_t;
typedef struct {
	int counter;
} atomic_t;
#define atomic64_read(a)	((a)->counter)
#define atomic64_set(a, v)	((a)->counter = (v))
#define atomic64_add(n, a)	((a)->counter += (n))
#define atomic64_sub(n, a)	((a)->counter -= (n))
#define atomic64_inc(a)		((a)->counter++)
#define atomic64_dec(a)		((a)->counter--)

/* xarray: a growable array of slots; values are tagged like the kernel's */
struct xarray {
	void **slot;
	unsigned long nr;
};
#define xa_init(xa)		((xa)->slot = NULL, (xa)->nr = 0)
void *xa_load(struct xarray *xa, unsigned long index);
void *xa_store(struct xarray *xa, unsigned long index, void *p, int gfp);
void *xa_erase(struct xarray *xa, unsigned long index);
void *kshim_xa_find(struct xarray *xa, unsigned long *index);
bool xa_empty(struct xarray *xa);
void xa_destroy(struct xarray *xa);
#define xa_for_each(xa, i, e) \
	for ((i) = 0; ((e) = kshim_xa_find(xa, &(i))); (i)++)
#define xa_is_err(p)		IS_ERR(p)
#define xa_err(p)		(IS_ERR(p) ? (int)PTR_ERR(p) : 0)
#define xa_mk_value(v)		((void *)(((unsigned long)(v) << 1) | 1))
#define xa_to_value(p)		((unsigned long)(p) >> 1)

/* pages: the fake type1's guest memory (kshim.c) */
struct page {
	u8 *data;
};
#define kmap_local_page(p)	((void *)(p)->data)
#define kunmap_local(a)		((void)(a))

/* work: queued until kshim_run_work() */
struct work_struct;
typedef void (*work_func_t)(struct work_struct *);
struct work_struct {
	work_func_t func;
	bool pending;
};
struct workqueue_struct {
	int unused;
};
#define INIT_WORK(w, f)		((w)->func = (f), (w)->pending = false)
bool queue_work(struct workqueue_struct *wq, struct work_struct *w);
bool cancel_work_sync(struct work_struct *w);
int kshim_run_work(struct work_struct *w);

/* delayed work: queued like work; the delay is kept for the tests to see */
struct delayed_work {
	struct work_struct work;
	unsigned long delay;	/* jiffies of the last (re)queue */
};
#define INIT_DELAYED_WORK(dw, f) (INIT_WORK(&(dw)->work, f), (dw)->delay = 0)
#define to_delayed_work(w)	container_of(w, struct delayed_work, work)
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
		      unsigned long delay);
#define cancel_delayed_work_sync(dw) cancel_work_sync(&(dw)->work)

/* time: a clock the tests set and advance; HZ 250 as Debian's kernels */
extern u64 kshim_now_ns;
#define ktime_get_ns()		(kshim_now_ns)
#define HZ			250
#define nsecs_to_jiffies(ns)	((unsigned long)((ns) / (1000000000ull / HZ)))
#define div64_u64(a, b)		((u64)(a) / (u64)(b))
#define div64_u64_rem(a, b, r)	({ u64 _a = (a), _b = (b); \
				   *(r) = _a % _b; _a / _b; })

/* eventfd: a counter */
struct eventfd_ctx {
	u64 count;
};
void eventfd_signal(struct eventfd_ctx *ctx);
void eventfd_ctx_put(struct eventfd_ctx *ctx);
struct eventfd_ctx *eventfd_ctx_fdget(int fd);

/* files: the driver's anonymous migration files */
struct inode {
	int unused;
};
struct file;
struct file_operations {
	void *owner;
	ssize_t (*read)(struct file *f, char *buf, size_t n, loff_t *pos);
	ssize_t (*write)(struct file *f, const char *buf, size_t n,
			 loff_t *pos);
	long (*unlocked_ioctl)(struct file *f, unsigned int cmd,
			       unsigned long arg);
	long (*compat_ioctl)(struct file *f, unsigned int cmd,
			     unsigned long arg);
	int (*release)(struct inode *i, struct file *f);
};
struct file {
	const struct file_operations *f_op;
	void *private_data;
	struct inode *f_inode;
	struct inode inode;
	int refs;
};
#define THIS_MODULE		NULL
#define compat_ptr_ioctl	NULL
struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, int flags);
struct file *get_file(struct file *f);
void fput(struct file *f);
#define stream_open(i, f)	((void)(i), (void)(f))
extern long kshim_files;	/* files alive */

/* devices */
struct device {
	int refs;
	void (*release)(struct device *dev);
};
static inline struct device *get_device(struct device *dev)
{
	dev->refs++;
	return dev;
}

/* CRC-32 (IEEE), crc32_le(~0, ...) ^ ~0 as in the kernel */
u32 crc32_le(u32 crc, const void *p, size_t len);

/* as the kernel's kconfig.h: an option is on if defined to 1 (-D) */
#define __ARG_PLACEHOLDER_1	0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x)		___is_defined(x)
#define ___is_defined(val)	____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)
#define IS_BUILTIN(x)		__is_defined(x)
#define IS_ENABLED(x)		__is_defined(x)
#define MODULE_IMPORT_NS(ns)

/* bitmaps of unsigned long, as the kernel's */
static inline bool test_bit(unsigned long nr, const unsigned long *map)
{
	return map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG) & 1;
}

static inline void clear_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] &= ~(1ul << (nr % BITS_PER_LONG));
}

static inline void bitmap_set(unsigned long *map, unsigned long start,
			      unsigned long n)
{
	for (; n; n--, start++)
		map[start / BITS_PER_LONG] |= 1ul << (start % BITS_PER_LONG);
}

static inline unsigned long kshim_next_bit(const unsigned long *map,
					   unsigned long size,
					   unsigned long bit)
{
	while (bit < size && !test_bit(bit, map))
		bit++;
	return bit;
}

#define for_each_set_bit_from(bit, map, size) \
	for ((bit) = kshim_next_bit(map, size, bit); (bit) < (size); \
	     (bit) = kshim_next_bit(map, size, (bit) + 1))

/*
 * The test side of the fake type1 (kshim.c): guest memory mapped for DMA,
 * the pins and dirty marks the driver made in it, and injected failures.
 */
#define KSHIM_MAPS		16
int kshim_map(u64 iova, u64 size);	/* -EEXIST on overlap */
int kshim_unmap(u64 iova, u64 size);	/* -EBUSY while pages are pinned */
void kshim_unmap_all(void);
u8 *kshim_mem(u64 iova);		/* host address of an IOVA, or NULL */
long kshim_pins(void);			/* pins held now, all intents */
long kshim_pins_clean(void);		/* of which clean */
bool kshim_dirty(u64 iova);		/* page marked since the last clear */
long kshim_dirty_pages(void);
void kshim_dirty_clear(void);
long kshim_marks(void);			/* vfio_mark_dirty() calls */
extern bool kshim_user_fault;		/* copy_*_user() fail while set */
extern long kshim_fail_alloc;		/* fail the Nth allocation (1 = next) */
extern long kshim_allocs;		/* allocations so far */
#endif /* _KSHIM_H */
