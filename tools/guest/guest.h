/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest.h - the freestanding guest payload that drives the sample vGPU
 * (see main.c): its context and the interfaces between its parts
 *
 *   console.c   serial console, printing, FAIL
 *   irq.c       IDT, LAPIC (MSI vector, 1 ms timer), interrupt handlers
 *   pci.c       PCI configuration space
 *   vgpu.c      the device: BAR0, GTT, ring, MSI; emitting and submitting
 *               commands and checking what the device did
 *   pages.c     data pages and their checksums
 *   builtin.c   engine: the built-in frame (fill, copy, write, batches)
 *   workload.c  engine: a packed workload file (lib/wl, wlpack.h)
 *   main.c      options, multiboot, the frame loop
 */
#ifndef _GUEST_H
#define _GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/sample_vgpu.h>

#include "wlpack.h"

#define DATA_BASE	0x01000000u	/* GTT entry i -> DATA_BASE + 4096 i */
#define LAPIC_BASE	0xfee00000u
#define MSI_VECTOR	0x41
#define TIMER_VECTOR	0x42
#define TIMEOUT_TSC	(1ull << 35)	/* ~10-20 s of TSC under TCG */
#define PAGE_DW		(VGPU_PAGE_SIZE / 4)
#define BATCH_PAGES	4		/* the built-in frame's batch buffer */
#define PEND_MAX	1024	/* queued workload commands (ring-bound) */

/* ---- port and memory access ---- */

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void mmio_w32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_r32(uintptr_t a) { return *(volatile uint32_t *)a; }

/* ---- console.c ---- */

void serial_init(void);
void gprintf(const char *fmt, ...);	/* %u %d %x %08x %s %c only */
void __attribute__((noreturn)) halt(void);
#define FAIL(...) do { gprintf("FAIL " __VA_ARGS__); halt(); } while (0)

/* ---- the context ---- */

struct guest_opts {
	uint32_t pages;		/* built-in: pages per FILL and COPY */
	uint32_t sweep;		/* data pages verified per frame */
	uint32_t every;		/* print every N-th frame */
	uint32_t frames;	/* stop after N frames, 0: never */
	uint32_t seed;		/* built-in: random seed */
	uint32_t pace;		/* ms (timer ticks) per frame at least */
	int msi;		/* MSI (1) or polling */
	int pace_set;		/* pace given (else the workload's period) */
	int precheck;		/* workload: verify whole-page targets too */
};

/* interrupt counts, written by the handlers */
struct guest_irqs {
	volatile uint32_t msi;		/* MSIs taken */
	volatile uint32_t msi_empty;	/* MSIs with nothing pending */
	volatile uint32_t stray;	/* unexpected vectors */
	volatile uint32_t ticks;	/* 1 ms timer ticks */
};

/* commands being written into the ring or a batch buffer */
struct emitter {
	uint32_t *buf;
	uint32_t pos;		/* bytes from buf (wraps with mask) */
	uint32_t mask;		/* dwords - 1 */
	uint32_t count;		/* commands since the last submission */
};

/* a queued workload command, verified after its submission */
struct pend {
	uint8_t kind, dead;	/* dead: a write overwritten by a later one */
	uint16_t step;
	uint32_t dst;		/* data page; PK_WRITE: data dword index */
	uint32_t src;		/* PK_COPY: source data page */
	uint32_t n;		/* pages (fill, copy) */
	uint32_t val;		/* fill pattern, fence seqno */
};

enum { PK_FILL, PK_COPY, PK_WRITE, PK_FENCE };

/* the workload engine's state */
struct wl_state {
	uint32_t img[1024];		/* the module, copied (<= 4 KiB) */
	const struct wlp_hdr *hdr;	/* all in img */
	const struct wlp_buf *bufs;
	const struct wlp_step *steps;
	uint32_t buf_page[WL_MAX_BUFS];	/* first data page of each buffer */
	uint64_t rng;
	int fences;			/* fence steps per frame */
	struct pend pend[PEND_MAX];
	uint32_t npend, pend_bytes;
	uint32_t wd_data[PEND_MAX][WL_WRITE_DW];
	uint8_t pend_w[WLP_MAX_PAGES];	/* step + 1 of a queued writer */
	uint64_t pend_r[WLP_MAX_PAGES / 64];	/* read by a queued copy */
	uint64_t sel[WLP_MAX_PAGES / 64];	/* pages a step chose */
	volatile uint32_t *pend_fence;	/* fence queued in this submission */
};

struct guest;

/* what runs every frame: the built-in frame or a workload file */
struct engine {
	uint32_t batch_pages;	/* GTT pages for batch buffers */
	/* data pages from @avail GTT entries; gtt_used */
	void (*layout)(struct guest *g, uint32_t avail);
	void (*describe)(struct guest *g, uint32_t bdf);
	void (*ram_too_small)(struct guest *g);
	void (*started)(struct guest *g);
	void (*frame)(struct guest *g, uint32_t f);
};

struct guest {
	struct guest_opts opt;
	struct guest_irqs irqs;
	const struct engine *engine;
	uint32_t ram_end;	/* end of RAM from multiboot, 0: unknown */
	/* the device */
	uintptr_t bar0;
	uint32_t gtt_entries;
	uint32_t ring_size;
	uint32_t ring_tail;
	/* device (GTT) addresses: ring at 0, fence page, batches, data */
	uint32_t fence_dev;
	uint32_t batch_dev;
	uint32_t data_dev;
	uint32_t data_pages;	/* data pages, the GTT-mapped ones first */
	uint32_t gtt_data_pages;
	uint32_t gtt_used;	/* GTT entries in use */
	uint32_t mem_needed;	/* end of guest memory in use */
	/* what the device must have done */
	uint32_t seq;		/* last fence seqno */
	uint32_t exp_cmds;
	uint32_t exp_subs;
	struct emitter em;
	uint32_t csum_exp[WLP_MAX_PAGES];	/* each data page's checksum */
	/* engines */
	uint32_t rng;		/* built-in: xorshift32 state */
	struct wl_state wl;
};

/* ---- irq.c ---- */

void irq_init(struct guest *g);
void idle(void);	/* sleep until an interrupt (MSI or timer tick) */

/* ---- pci.c ---- */

uint32_t pci_r32(uint32_t bdf, uint32_t off);
void pci_w32(uint32_t bdf, uint32_t off, uint32_t v);
void pci_w16(uint32_t bdf, uint32_t off, uint16_t v);
int pci_find(uint16_t vendor, uint16_t device, uint32_t *bdf);
uint32_t pci_find_cap(uint32_t bdf, uint8_t id);

/* ---- vgpu.c ---- */

static inline uint32_t reg_r(struct guest *g, uint32_t off)
{
	return mmio_r32(g->bar0 + off);
}

static inline void reg_w(struct guest *g, uint32_t off, uint32_t v)
{
	mmio_w32(g->bar0 + off, v);
}

/* guest memory behind device address @dev_addr */
static inline uint32_t *dev_ptr(uint32_t dev_addr)
{
	return (uint32_t *)(uintptr_t)(DATA_BASE + dev_addr);
}

void device_init(struct guest *g, uint32_t bdf);
void emit(struct guest *g, uint32_t dw);
void emit_cmd(struct guest *g, uint32_t op, uint32_t flags, uint32_t len);
void emit_ring_begin(struct guest *g);
void emit_fence_at(struct guest *g, uint32_t dev_addr, uint32_t seqno);
void emit_fence(struct guest *g, uint32_t seqno);
void submit_and_wait(struct guest *g, volatile uint32_t *fence,
		     uint32_t seqno);

/* ---- pages.c ---- */

static inline uint32_t page_dev(struct guest *g, uint32_t pg)
{
	return g->data_dev + pg * VGPU_PAGE_SIZE;
}

static inline uint32_t *data_page(struct guest *g, uint32_t pg)
{
	return dev_ptr(page_dev(g, pg));
}

uint32_t page_csum(const volatile uint32_t *p);
uint32_t page_diff_val(const volatile uint32_t *p, uint32_t v);
uint32_t page_cmp_csum(const volatile uint32_t *d, const volatile uint32_t *s,
		       uint32_t *diff);
void check_page(struct guest *g, uint32_t pg, const char *why);
void data_init(struct guest *g);

/* ---- engines ---- */

extern const struct engine builtin_engine;
extern const struct engine workload_engine;
/* a packed workload (multiboot module [start, end)): validate, keep */
void workload_load(struct guest *g, uint32_t start, uint32_t end);

#endif /* _GUEST_H */
