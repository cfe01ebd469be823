// SPDX-License-Identifier: GPL-2.0-only
/*
 * kshim.c - the user-space stand-ins declared in kshim.h, and a fake type1:
 * DMA mappings of guest memory, pins counted per page and per intent, and
 * dirty marks, kept independently of the driver so that tests can compare
 * the driver's own counters with what it really did.
 */
#include <sys/mman.h>
#include <linux/iommu.h>
#include <linux/vfio.h>

#include "../vgpu/mig_fsm.h"

int kshim_verbose;
bool kshim_user_fault;
long kshim_fail_alloc;
long kshim_allocs;
long kshim_files;

/* the driver's work queue (main.c in the kernel) */
struct workqueue_struct *vgpu_wq;

void kshim_bug(const char *what, const char *file, int line)
{
	fprintf(stderr, "kshim: %s at %s:%d\n", what, file, line);
	abort();
}

void *kshim_alloc(size_t n, bool zero)
{
	kshim_allocs++;
	if (kshim_fail_alloc && !--kshim_fail_alloc)
		return NULL;
	return zero ? calloc(1, n ? n : 1) : malloc(n ? n : 1);
}

void *memdup_user(const void *src, size_t n)
{
	void *p = kshim_alloc(n, false);

	if (!p)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(p, src, n)) {
		free(p);
		return ERR_PTR(-EFAULT);
	}
	return p;
}

int kshim_mutexes_held;

/* the one lock migration.c may hold across a user copy */
bool kshim_uaccess_lock(const struct mutex *m)
{
	return m->name && !strcmp(m->name, "&migf->io_lock");
}

unsigned long copy_from_user(void *to, const void *from, unsigned long n)
{
	WARN_ON(kshim_mutexes_held);
	if (kshim_user_fault)
		return n;
	memcpy(to, from, n);
	return 0;
}

unsigned long copy_to_user(void *to, const void *from, unsigned long n)
{
	WARN_ON(kshim_mutexes_held);
	if (kshim_user_fault)
		return n;
	memcpy(to, from, n);
	return 0;
}

/* ---- xarray ---- */

void *xa_load(struct xarray *xa, unsigned long index)
{
	return index < xa->nr ? xa->slot[index] : NULL;
}

void *xa_store(struct xarray *xa, unsigned long index, void *p, int gfp)
{
	void *old;

	if (index >= xa->nr) {
		unsigned long nr = index + 1 > 2 * xa->nr ? index + 1 : 2 * xa->nr;
		void **slot = kshim_alloc(nr * sizeof(*slot), true);

		if (!slot)
			return ERR_PTR(-ENOMEM);
		if (xa->nr)
			memcpy(slot, xa->slot, xa->nr * sizeof(*slot));
		free(xa->slot);
		xa->slot = slot;
		xa->nr = nr;
	}
	old = xa->slot[index];
	xa->slot[index] = p;
	return old;
}

void *xa_erase(struct xarray *xa, unsigned long index)
{
	void *old = xa_load(xa, index);

	if (old)
		xa->slot[index] = NULL;
	return old;
}

void *kshim_xa_find(struct xarray *xa, unsigned long *index)
{
	for (; *index < xa->nr; (*index)++)
		if (xa->slot[*index])
			return xa->slot[*index];
	return NULL;
}

bool xa_empty(struct xarray *xa)
{
	unsigned long i = 0;

	return !kshim_xa_find(xa, &i);
}

void xa_destroy(struct xarray *xa)
{
	free(xa->slot);
	xa->slot = NULL;
	xa->nr = 0;
}

/* ---- work, eventfd ---- */

bool queue_work(struct workqueue_struct *wq, struct work_struct *w)
{
	bool was = w->pending;

	w->pending = true;
	return !was;
}

bool cancel_work_sync(struct work_struct *w)
{
	bool was = w->pending;

	w->pending = false;
	return was;
}

bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
		      unsigned long delay)
{
	dw->delay = delay;
	return !queue_work(wq, &dw->work);
}

u64 kshim_now_ns;

/* Run @w if it is queued, as the workqueue would; 1 if it ran. */
int kshim_run_work(struct work_struct *w)
{
	if (!w->pending)
		return 0;
	w->pending = false;
	w->func(w);
	return 1;
}

void eventfd_signal(struct eventfd_ctx *ctx)
{
	ctx->count++;
}

void eventfd_ctx_put(struct eventfd_ctx *ctx)
{
	free(ctx);
}

struct eventfd_ctx *eventfd_ctx_fdget(int fd)
{
	struct eventfd_ctx *ctx;

	if (fd < 0)
		return ERR_PTR(-EBADF);
	ctx = kshim_alloc(sizeof(*ctx), true);
	return ctx ? ctx : ERR_PTR(-ENOMEM);
}

/* ---- files ---- */

struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, int flags)
{
	struct file *f = kshim_alloc(sizeof(*f), true);

	if (!f)
		return ERR_PTR(-ENOMEM);
	f->f_op = fops;
	f->private_data = priv;
	f->f_inode = &f->inode;
	f->refs = 1;
	kshim_files++;
	return f;
}

struct file *get_file(struct file *f)
{
	f->refs++;
	return f;
}

void fput(struct file *f)
{
	WARN_ON_ONCE(f->refs <= 0);
	if (--f->refs)
		return;
	if (f->f_op->release)
		f->f_op->release(f->f_inode, f);
	kshim_files--;
	free(f);
}

/* ---- CRC-32 ---- */

u32 crc32_le(u32 crc, const void *p, size_t len)
{
	static u32 table[256];
	const u8 *b = p;
	u32 i, k, c;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			for (c = i, k = 0; k < 8; k++)
				c = c >> 1 ^ (0xedb88320u & -(c & 1));
			table[i] = c;
		}
	}
	while (len--)
		crc = table[(crc ^ *b++) & 0xff] ^ crc >> 8;
	return crc;
}

/* ---- VFIO core: device references, migration FSM, IRQ header ---- */

void vfio_put_device(struct vfio_device *vdev)
{
	WARN_ON_ONCE(vdev->device.refs <= 0);
	if (!--vdev->device.refs && vdev->device.release)
		vdev->device.release(&vdev->device);
}

/* the first step of the path the uAPI defines (tests/vgpu/mig_fsm.h) */
int vfio_mig_get_next_state(struct vfio_device *vdev,
			    enum vfio_device_mig_state cur,
			    enum vfio_device_mig_state new,
			    enum vfio_device_mig_state *next)
{
	unsigned int path[MIG_NSTATE];
	int n = mig_path(cur, new, path);

	if (n < 0)
		return -EINVAL;
	*next = n ? path[0] : cur;
	return 0;
}

int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr, int num_irqs,
				       int max_irq_type, size_t *data_size)
{
	return -EINVAL;	/* no SET_IRQS in user space */
}

/* ---- fake type1: mappings, pins, marks ---- */

struct kshim_dma {
	u64 iova;
	u64 npages;
	u8 *mem;
	struct page *pages;
	u32 *pins;
	u32 *clean;
	u8 *dirty;
};

static struct kshim_dma kshim_dmas[KSHIM_MAPS];
static long kshim_npins, kshim_nclean, kshim_nmarks;

static struct kshim_dma *kshim_find(u64 iova)
{
	int i;

	for (i = 0; i < KSHIM_MAPS; i++) {
		struct kshim_dma *d = &kshim_dmas[i];

		if (d->npages && iova >= d->iova &&
		    (iova - d->iova) >> PAGE_SHIFT < d->npages)
			return d;
	}
	return NULL;
}

int kshim_map(u64 iova, u64 size)
{
	u64 n = size >> PAGE_SHIFT, last = iova + size - 1, k;
	struct kshim_dma *d = NULL;
	int i;

	if (!n || (iova | size) & (PAGE_SIZE - 1) || last < iova)
		return -EINVAL;
	for (i = 0; i < KSHIM_MAPS; i++) {
		struct kshim_dma *o = &kshim_dmas[i];

		if (!o->npages)
			d = d ?: o;
		else if (iova <= o->iova + ((o->npages << PAGE_SHIFT) - 1) &&
			 o->iova <= last)
			return -EEXIST;
	}
	if (!d)
		return -ENOSPC;
	/* guest memory: zero pages on demand, not touched until used */
	d->mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	d->pages = calloc(n, sizeof(*d->pages));
	d->pins = calloc(n, sizeof(*d->pins));
	d->clean = calloc(n, sizeof(*d->clean));
	d->dirty = calloc(n, 1);
	if (d->mem == MAP_FAILED || !d->pages || !d->pins || !d->clean ||
	    !d->dirty)
		abort();
	for (k = 0; k < n; k++)
		d->pages[k].data = d->mem + (k << PAGE_SHIFT);
	d->iova = iova;
	d->npages = n;
	return 0;
}

static void kshim_dma_free(struct kshim_dma *d)
{
	if (d->npages)
		munmap(d->mem, d->npages << PAGE_SHIFT);
	free(d->pages);
	free(d->pins);
	free(d->clean);
	free(d->dirty);
	memset(d, 0, sizeof(*d));
}

int kshim_unmap(u64 iova, u64 size)
{
	struct kshim_dma *d = kshim_find(iova);
	u64 k;

	if (!d || d->iova != iova || d->npages << PAGE_SHIFT != size)
		return -EINVAL;
	for (k = 0; k < d->npages; k++)
		if (d->pins[k])
			return -EBUSY;
	kshim_dma_free(d);
	return 0;
}

void kshim_unmap_all(void)
{
	int i;

	for (i = 0; i < KSHIM_MAPS; i++)
		kshim_dma_free(&kshim_dmas[i]);
	kshim_npins = kshim_nclean = kshim_nmarks = 0;
}

u8 *kshim_mem(u64 iova)
{
	struct kshim_dma *d = kshim_find(iova);

	return d ? d->mem + (iova - d->iova) : NULL;
}

static int kshim_pin(dma_addr_t iova, int npage, struct page **pages,
		     bool clean)
{
	int i;

	if (npage <= 0 || npage > 512 || (iova & (PAGE_SIZE - 1)))
		return -EINVAL;
	for (i = 0; i < npage; i++)
		if (!kshim_find(iova + ((u64)i << PAGE_SHIFT)))
			return -EINVAL;	/* type1: not mapped */
	for (i = 0; i < npage; i++) {
		u64 a = iova + ((u64)i << PAGE_SHIFT);
		struct kshim_dma *d = kshim_find(a);
		u64 k = (a - d->iova) >> PAGE_SHIFT;

		d->pins[k]++;
		d->clean[k] += clean;
		pages[i] = &d->pages[k];
	}
	kshim_npins += npage;
	kshim_nclean += clean ? npage : 0;
	return npage;
}

/* As type1: an unpin names no intent and releases a clean pin first. */
static void kshim_unpin(dma_addr_t iova, int npage)
{
	int i;

	for (i = 0; i < npage; i++) {
		u64 a = iova + ((u64)i << PAGE_SHIFT);
		struct kshim_dma *d = kshim_find(a);
		u64 k = d ? (a - d->iova) >> PAGE_SHIFT : 0;
		bool clean;

		/* an unpin of a page not pinned is a bug */
		if (!d || !d->pins[k])
			kshim_bug("unbalanced unpin", __FILE__, __LINE__);
		clean = d->clean[k];
		d->pins[k]--;
		d->clean[k] -= clean;
		kshim_npins--;
		kshim_nclean -= clean;
	}
}

/*
 * As the series: a pin without IOMMU_WRITE is clean, and so is one with
 * VFIO_PIN_CLEAN of a device that reports its writes.
 */
int vfio_pin_pages(struct vfio_device *vdev, dma_addr_t iova, int npage,
		   int prot, struct page **pages)
{
	bool clean = !(prot & IOMMU_WRITE) ||
		     ((prot & VFIO_PIN_CLEAN) && vdev->reports_dirty);

	return kshim_pin(iova, npage, pages, clean);
}

void vfio_unpin_pages(struct vfio_device *vdev, dma_addr_t iova, int npage)
{
	kshim_unpin(iova, npage);
}

/* BRIEF section 3: a mark outside any mapping fails and changes nothing */
int vfio_mark_dirty(struct vfio_device *vdev, dma_addr_t iova, size_t length)
{
	u64 first = iova & PAGE_MASK, last = iova + length - 1, a;

	kshim_nmarks++;
	if (!length || last < iova)
		return -EINVAL;
	for (a = first; a <= last && a >= first; a += PAGE_SIZE)
		if (!kshim_find(a))
			return -EINVAL;
	for (a = first; a <= last && a >= first; a += PAGE_SIZE) {
		struct kshim_dma *d = kshim_find(a);

		d->dirty[(a - d->iova) >> PAGE_SHIFT] = 1;
	}
	return 0;
}

long kshim_pins(void)
{
	return kshim_npins;
}

long kshim_pins_clean(void)
{
	return kshim_nclean;
}

long kshim_marks(void)
{
	return kshim_nmarks;
}

bool kshim_dirty(u64 iova)
{
	struct kshim_dma *d = kshim_find(iova);

	return d && d->dirty[(iova - d->iova) >> PAGE_SHIFT];
}

long kshim_dirty_pages(void)
{
	long n = 0;
	u64 k;
	int i;

	for (i = 0; i < KSHIM_MAPS; i++)
		for (k = 0; k < kshim_dmas[i].npages; k++)
			n += kshim_dmas[i].dirty[k];
	return n;
}

void kshim_dirty_clear(void)
{
	int i;

	for (i = 0; i < KSHIM_MAPS; i++)
		if (kshim_dmas[i].npages)
			memset(kshim_dmas[i].dirty, 0, kshim_dmas[i].npages);
}
