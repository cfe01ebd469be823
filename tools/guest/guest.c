// SPDX-License-Identifier: GPL-2.0
/*
 * guest.c - freestanding guest payload that drives the sample vGPU
 *
 * Booted by QEMU (-kernel, multiboot v1, 32-bit protected mode, no paging:
 * virtual == physical == the IOVA QEMU maps for the device).  It finds the
 * vGPU in PCI config space (ports 0xcf8/0xcfc), enables memory decoding and
 * bus mastering, points every GTT entry at a page of its own RAM (from
 * DATA_BASE up), sets up the ring, enables MSI (LAPIC, vector 0x41) and
 * then runs frames forever:
 *
 *   FILL a range with a per-frame pattern, COPY a range to another,
 *   WRITE_DATA a few dwords, LOAD_REGISTER SCRATCH0 = seqno, FENCE (IRQ)
 *
 * every other frame from a batch buffer (BATCH_START).  It keeps a checksum
 * of every data page (sum of dword[i] * (2i + 1), linear so that partial
 * writes update it exactly), verifies each page before the device writes
 * it and every written byte afterwards, sweeps all data pages round robin
 * against their checksums, and checks the fence value in memory,
 * LAST_SEQNO, SCRATCH0, CMDS_EXECUTED and SUBMISSIONS against its own
 * counts after every frame.  Progress is polled (the fence in RAM, then
 * IRQ_STATUS.IDLE) while sleeping in hlt between MSIs and a 1 ms LAPIC
 * timer tick; MSIs are counted and reported, not waited for.
 *
 * Serial (COM1) output, one line each:
 *   vgpu-guest: start ...        configuration
 *   init ok pages N seq S        all data pages filled and verified
 *   frame N ok seq S irqs I ...  every `every` frames
 *   sweep N ok                   a full pass over all data pages
 *   FAIL ...                     any mismatch; the payload then halts
 *
 * Command line (QEMU -append), key=value:
 *   pages=N   pages per FILL and per COPY (default 1)
 *   sweep=N   data pages verified per frame (default 64)
 *   every=N   print every N-th frame (default 1)
 *   frames=N  stop after N frames (default 0: never)
 *   irq=msi|poll  (default msi)
 *   pace=N    at least N ms (LAPIC timer ticks) per frame (default 5)
 *   seed=N    workload random seed
 *   precheck=1  workload files: also verify pages a fill or copy is about
 *             to overwrite whole (default 0: the sweep covers them)
 *
 * Workload file mode: given a packed workload (tools/wl-pack, layout in
 * wlpack.h) as a multiboot module (QEMU -initrd FILE.wlp), it runs that
 * workload's frames in a loop instead: the buffers are laid out from the
 * first data page on (GTT-mapped ones first, through consecutive GTT
 * entries, then the CPU-only ones in RAM after them), fill/copy/write/fence
 * steps become vGPU commands and cpu steps its own stores, with the same
 * page choices as the VMM's runner (tools/wl_run.c: seeded xorshift64*,
 * moving windows or random pages).  The same checks apply: a page is
 * verified against its checksum before a partial write (write, fence,
 * cpu; fill and copy targets only with precheck=1), every byte the device
 * wrote is verified after (commands are submitted in groups without
 * read/write overlaps between steps, so that each can be checked exactly;
 * a copy's destination must also have the checksum its source had),
 * checksums follow every write, all pages (CPU-only ones too) are swept,
 * and each frame ends with LOAD_REGISTER SCRATCH0 and the workload's
 * fence (or the payload's own if the workload has none).
 * The frame pace defaults to the workload's period; pages= does not apply.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <linux/sample_vgpu.h>
#include "wlpack.h"

#define DATA_BASE	0x01000000u	/* GTT entry i -> DATA_BASE + 4096 i */
#define MSI_VECTOR	0x41
#define TIMER_VECTOR	0x42
#define LAPIC_BASE	0xfee00000u
#define TIMEOUT_TSC	(1ull << 35)	/* ~10-20 s of TSC under TCG */
#define PAGE_DW		(VGPU_PAGE_SIZE / 4)
#define BATCH_PAGES	4
#define MAX_DATA_PAGES	65536u	/* workload buffers: at most 256 MiB */

/* ---- port and memory access ------------------------------------------ */

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void mmio_w32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_r32(uintptr_t a) { return *(volatile uint32_t *)a; }

/* ---- serial console and printing ------------------------------------- */

static void serial_init(void)
{
	outb(0x3f9, 0x00);
	outb(0x3fb, 0x80);
	outb(0x3f8, 0x01);	/* 115200 */
	outb(0x3f9, 0x00);
	outb(0x3fb, 0x03);	/* 8N1 */
	outb(0x3fa, 0xc7);
	outb(0x3fc, 0x03);
}

static void putch(char c)
{
	int n = 100000;

	while (!(inb(0x3fd) & 0x20) && --n)
		;
	outb(0x3f8, c);
}

static void put_u32(uint32_t v, unsigned int base, int width)
{
	char buf[12];
	int i = 0;

	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i < width)
		buf[i++] = '0';
	while (i)
		putch(buf[--i]);
}

/* %u %d %x %08x %s %c only */
static void gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int width = 0;

		if (*fmt != '%') {
			if (*fmt == '\n')
				putch('\r');
			putch(*fmt);
			continue;
		}
		fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		switch (*fmt) {
		case 'u':
			put_u32(va_arg(ap, uint32_t), 10, width);
			break;
		case 'd': {
			int32_t v = va_arg(ap, int32_t);

			if (v < 0) {
				putch('-');
				v = -v;
			}
			put_u32((uint32_t)v, 10, width);
			break;
		}
		case 'x':
			put_u32(va_arg(ap, uint32_t), 16, width);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			while (*s)
				putch(*s++);
			break;
		}
		case 'c':
			putch((char)va_arg(ap, int));
			break;
		default:
			putch(*fmt);
		}
	}
	va_end(ap);
}

static void __attribute__((noreturn)) halt(void)
{
	gprintf("halted\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

#define FAIL(...) do { gprintf("FAIL " __VA_ARGS__); halt(); } while (0)

/* ---- interrupts ------------------------------------------------------- */

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_entry idt[256];
static volatile uint32_t msi_count, msi_empty, stray_count, ticks;
static uintptr_t bar0;

extern char exc_0[], exc_1[], exc_2[], exc_3[], exc_4[], exc_5[], exc_6[],
	exc_7[], exc_8[], exc_9[], exc_10[], exc_11[], exc_12[], exc_13[],
	exc_14[], exc_15[], exc_16[], exc_17[], exc_18[], exc_19[];
extern char msi_entry[], timer_entry[], stray_entry[], spurious_entry[];

static void idt_set(unsigned int vec, void *handler)
{
	uint32_t a = (uint32_t)(uintptr_t)handler;

	idt[vec].off_lo = a & 0xffff;
	idt[vec].off_hi = a >> 16;
	idt[vec].sel = 0x08;
	idt[vec].zero = 0;
	idt[vec].type = 0x8e;	/* present, ring 0, 32-bit interrupt gate */
}

void guest_exception(uint32_t vec)
{
	FAIL("exception %u\n", vec);
}

static void lapic_eoi(void)
{
	mmio_w32(LAPIC_BASE + 0xb0, 0);
}

void guest_msi(void)
{
	uint32_t st = mmio_r32(bar0 + VGPU_REG_IRQ_STATUS);

	/* acknowledge what we handle; IDLE is the main loop's */
	st &= VGPU_IRQ_FENCE | VGPU_IRQ_ERROR;
	if (st)
		mmio_w32(bar0 + VGPU_REG_IRQ_STATUS, st);
	else
		msi_empty++;	/* nothing pending: a late or repeated MSI */
	msi_count++;
	lapic_eoi();
}

void guest_timer(void)
{
	ticks++;
	lapic_eoi();
}

void guest_stray(void)
{
	stray_count++;
	lapic_eoi();
}

static void irq_init(void)
{
	static void *exc[] = {
		exc_0, exc_1, exc_2, exc_3, exc_4, exc_5, exc_6, exc_7, exc_8,
		exc_9, exc_10, exc_11, exc_12, exc_13, exc_14, exc_15, exc_16,
		exc_17, exc_18, exc_19,
	};
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d;
	unsigned int i;

	for (i = 0; i < 256; i++)
		idt_set(i, i < 20 ? exc[i] : stray_entry);
	idt_set(MSI_VECTOR, msi_entry);
	idt_set(TIMER_VECTOR, timer_entry);
	idt_set(0xff, spurious_entry);
	d.limit = sizeof(idt) - 1;
	d.base = (uint32_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" :: "m"(d));
	/* legacy PICs fully masked; LAPIC software-enabled, spurious 0xff */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	mmio_w32(LAPIC_BASE + 0xf0, 0x1ff);
	mmio_w32(LAPIC_BASE + 0x80, 0);	/* TPR: accept all */
	/* LAPIC timer, periodic ~1 ms (QEMU: 1 GHz / divide 1): wakes hlt */
	mmio_w32(LAPIC_BASE + 0x3e0, 0xb);
	mmio_w32(LAPIC_BASE + 0x320, 0x20000 | TIMER_VECTOR);
	mmio_w32(LAPIC_BASE + 0x380, 1000000);
	__asm__ volatile("sti");
}

/* sleep until the next interrupt (MSI or the 1 ms tick) */
static inline void idle(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

/* ---- PCI -------------------------------------------------------------- */

static uint32_t pci_r32(uint32_t bdf, uint32_t off)
{
	outl(0xcf8, 0x80000000u | bdf << 8 | (off & 0xfc));
	return inl(0xcfc);
}

static void pci_w32(uint32_t bdf, uint32_t off, uint32_t v)
{
	outl(0xcf8, 0x80000000u | bdf << 8 | (off & 0xfc));
	outl(0xcfc, v);
}

static void pci_w16(uint32_t bdf, uint32_t off, uint16_t v)
{
	outl(0xcf8, 0x80000000u | bdf << 8 | (off & 0xfc));
	outw(0xcfc + (off & 2), v);
}

static int pci_find(uint32_t *bdf_out)
{
	uint32_t bus, dev, fn;

	for (bus = 0; bus < 4; bus++)
		for (dev = 0; dev < 32; dev++)
			for (fn = 0; fn < 8; fn++) {
				uint32_t bdf = bus << 8 | dev << 3 | fn;
				uint32_t id = pci_r32(bdf, 0);

				if ((id & 0xffff) == 0xffff) {
					if (!fn)
						break;
					continue;
				}
				if (id == (VGPU_PCI_DEVICE_ID << 16 | VGPU_PCI_VENDOR_ID)) {
					*bdf_out = bdf;
					return 0;
				}
				/* not multi-function: skip functions 1..7 */
				if (!fn && !(pci_r32(bdf, 0x0c) & 0x00800000))
					break;
			}
	return -1;
}

static uint32_t pci_find_cap(uint32_t bdf, uint8_t id)
{
	uint32_t ptr, n = 48;

	if (!(pci_r32(bdf, 0x04) & (0x10u << 16)))
		return 0;
	ptr = pci_r32(bdf, 0x34) & 0xfc;
	while (ptr && n--) {
		uint32_t h = pci_r32(bdf, ptr);

		if ((h & 0xff) == id)
			return ptr;
		ptr = (h >> 8) & 0xfc;
	}
	return 0;
}

/* ---- options ---------------------------------------------------------- */

static struct {
	uint32_t pages, sweep, every, frames, seed, pace;
	int msi, pace_set, precheck;
} opt = { 1, 64, 1, 0, 1, 5, 1, 0, 0 };

static int str_eq_n(const char *a, const char *b, unsigned int n)
{
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

static uint32_t parse_u32(const char *s)
{
	uint32_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint32_t)(*s++ - '0');
	return v;
}

static void parse_cmdline(const char *s)
{
	while (s && *s) {
		while (*s == ' ')
			s++;
		if (str_eq_n(s, "pages=", 6))
			opt.pages = parse_u32(s + 6);
		else if (str_eq_n(s, "sweep=", 6))
			opt.sweep = parse_u32(s + 6);
		else if (str_eq_n(s, "every=", 6))
			opt.every = parse_u32(s + 6);
		else if (str_eq_n(s, "frames=", 7))
			opt.frames = parse_u32(s + 7);
		else if (str_eq_n(s, "pace=", 5))
			opt.pace = parse_u32(s + 5), opt.pace_set = 1;
		else if (str_eq_n(s, "seed=", 5))
			opt.seed = parse_u32(s + 5);
		else if (str_eq_n(s, "precheck=", 9))
			opt.precheck = parse_u32(s + 9);
		else if (str_eq_n(s, "irq=poll", 8))
			opt.msi = 0;
		else if (str_eq_n(s, "irq=msi", 7))
			opt.msi = 1;
		while (*s && *s != ' ')
			s++;
	}
	if (!opt.pages)
		opt.pages = 1;
	if (!opt.every)
		opt.every = 1;
}

/* ---- the device ------------------------------------------------------- */

static uint32_t gtt_entries, ring_size, ring_tail;
static uint32_t fence_dev, batch_dev, data_dev, data_pages;
static uint32_t gtt_data_pages;	/* data pages 0.. of these are GTT-mapped */
static uint32_t gtt_used, mem_needed, ram_end;
static uint32_t seq, exp_cmds, exp_subs;
static uint32_t csum_exp[MAX_DATA_PAGES];
static int wl_mode;		/* running a packed workload file */
static const struct wlp_hdr *wlh;	/* the workload (a copy of the module) */
static const struct wlp_buf *wlb;
static const struct wlp_step *wls;
static void wl_layout(uint32_t avail);
static uint32_t wl_scale_for(uint32_t limit, int gtt_only);
static uint32_t rng;

static inline uint32_t reg_r(uint32_t off) { return mmio_r32(bar0 + off); }
static inline void reg_w(uint32_t off, uint32_t v) { mmio_w32(bar0 + off, v); }
static inline uint32_t *dev_ptr(uint32_t dev_addr) { return (uint32_t *)(uintptr_t)(DATA_BASE + dev_addr); }
static inline uint32_t *data_page(uint32_t i) { return dev_ptr(data_dev + i * VGPU_PAGE_SIZE); }

static uint32_t rand32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/*
 * The page loops below read device-written memory through plain pointers
 * after a compiler barrier (callers have waited for the device with
 * volatile accesses), unrolled: they are most of the payload's CPU time.
 */
static uint32_t page_csum(const volatile uint32_t *vp)
{
	const uint32_t *p = (const uint32_t *)vp;
	uint32_t s = 0, i, m = 1;

	__asm__ volatile("" ::: "memory");
	for (i = 0; i < PAGE_DW; i += 4, m += 8)
		s += p[i] * m + p[i + 1] * (m + 2) + p[i + 2] * (m + 4) +
		     p[i + 3] * (m + 6);
	return s;
}

/* first dword of a page that is not `v`, PAGE_DW if none */
static uint32_t page_diff_val(const volatile uint32_t *vp, uint32_t v)
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

/* compare page d with page s (first differing dword in *diff, PAGE_DW if
 * none) and return d's checksum, in one pass */
static uint32_t page_cmp_csum(const volatile uint32_t *vd,
			      const volatile uint32_t *vs, uint32_t *diff)
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

static void check_page(uint32_t i, const char *why)
{
	uint32_t c = page_csum(data_page(i));

	if (c != csum_exp[i])
		FAIL("checksum %s page %u gpa 0x%x got 0x%08x want 0x%08x seq %u\n",
		     why, i, DATA_BASE + data_dev + i * VGPU_PAGE_SIZE, c,
		     csum_exp[i], seq);
}

/* command emission into the ring (or a batch buffer) */
static uint32_t *emit_buf;
static uint32_t emit_pos, emit_mask, emit_count;

static void emit(uint32_t dw)
{
	emit_buf[(emit_pos / 4) & emit_mask] = dw;
	emit_pos += 4;
}

static void emit_ring_begin(void)
{
	emit_buf = dev_ptr(0);
	emit_pos = ring_tail;
	emit_mask = ring_size / 4 - 1;
}

static void cmd(uint32_t op, uint32_t flags, uint32_t len)
{
	emit(VGPU_CMD_HDR(op, flags, len));
	emit_count++;
}

static uint64_t deadline(void)
{
	return rdtsc() + TIMEOUT_TSC;
}

/*
 * submit what was emitted into the ring, wait for fence `s` (at `fence`,
 * unless NULL: no fence in this submission) and IDLE
 */
static void submit_and_wait(volatile uint32_t *fence, uint32_t s)
{
	uint64_t end;
	uint32_t st, n;

	reg_w(VGPU_REG_IRQ_STATUS, VGPU_IRQ_IDLE);
	ring_tail = emit_pos & (ring_size - 1);
	__asm__ volatile("" ::: "memory");
	reg_w(VGPU_REG_RING_TAIL, ring_tail);
	reg_w(VGPU_REG_DOORBELL, 1);
	exp_subs++;
	exp_cmds += emit_count;
	emit_count = 0;
	end = deadline();
	while (fence && *fence != s) {
		if (opt.msi)
			idle();
		if (rdtsc() > end) {
			st = reg_r(VGPU_REG_STATUS);
			FAIL("timeout waiting for fence %u (memory %u last_seqno %u status 0x%x error %u)\n",
			     s, fence ? *fence : 0, reg_r(VGPU_REG_LAST_SEQNO), st,
			     reg_r(VGPU_REG_ERROR));
		}
		cpu_relax();
	}
	/*
	 * IDLE raises no interrupt: poll a little (it follows the fence at
	 * once), then sleep between polls (1 ms tick), so that a submission
	 * without a fence does not keep the CPU busy trapping on MMIO while
	 * the device's worker needs it
	 */
	end = deadline();
	n = 0;
	while (!((st = reg_r(VGPU_REG_IRQ_STATUS)) & VGPU_IRQ_IDLE)) {
		if (rdtsc() > end)
			FAIL("timeout waiting for idle after fence %u (irq_status 0x%x)\n",
			     s, st);
		if (++n > 32)
			idle();
		else
			cpu_relax();
	}
	if (reg_r(VGPU_REG_ERROR))
		FAIL("device error %u head 0x%x cmd 0x%08x depth %u seq %u\n",
		     reg_r(VGPU_REG_ERROR), reg_r(VGPU_REG_ERROR_HEAD),
		     reg_r(VGPU_REG_ERROR_CMD), reg_r(VGPU_REG_ERROR_DEPTH), s);
	if (reg_r(VGPU_REG_LAST_SEQNO) != s)
		FAIL("last_seqno %u want %u\n", reg_r(VGPU_REG_LAST_SEQNO), s);
	if (reg_r(VGPU_REG_RING_HEAD) != ring_tail)
		FAIL("ring head 0x%x want 0x%x seq %u\n",
		     reg_r(VGPU_REG_RING_HEAD), ring_tail, s);
	if (reg_r(VGPU_REG_CMDS_EXECUTED) != exp_cmds)
		FAIL("cmds_executed %u want %u seq %u\n",
		     reg_r(VGPU_REG_CMDS_EXECUTED), exp_cmds, s);
	if (reg_r(VGPU_REG_SUBMISSIONS) != exp_subs)
		FAIL("submissions %u want %u seq %u\n",
		     reg_r(VGPU_REG_SUBMISSIONS), exp_subs, s);
}

static void emit_fence_at(uint32_t dev_addr, uint32_t s)
{
	cmd(VGPU_OP_FENCE, opt.msi ? VGPU_FENCE_FLAG_IRQ : 0, 2);
	emit(dev_addr);
	emit(s);
}

static void emit_fence(uint32_t s)
{
	emit_fence_at(fence_dev, s);
}

static uint32_t fill_pattern(uint32_t page)
{
	return 0x9e3779b9u * (page + 1) ^ 0x5a5a0000u;
}

static void device_init(uint32_t bdf)
{
	uint32_t i, msi, ring_pages, batch;

	bar0 = pci_r32(bdf, 0x10) & ~0xfu;
	if (!bar0 || bar0 == ~0xfu) {
		bar0 = 0xe0000000u;	/* firmware did not assign it */
		pci_w32(bdf, 0x10, bar0);
	}
	pci_w16(bdf, 0x04, 0x0006 | (opt.msi ? 0x0400 : 0));	/* MEM | MASTER */
	if (reg_r(VGPU_REG_ID) != VGPU_ID_MAGIC)
		FAIL("BAR0 0x%x: ID 0x%08x\n", bar0, reg_r(VGPU_REG_ID));
	gtt_entries = reg_r(VGPU_REG_GTT_ENTRIES);
	ring_size = reg_r(VGPU_REG_RING_MAX);
	if (ring_size > 16384)
		ring_size = 16384;
	if (gtt_entries > VGPU_GTT_MAX_ENTRIES || ring_size < VGPU_RING_MIN_SIZE)
		FAIL("device: gtt %u ring_max %u\n", gtt_entries, ring_size);
	ring_pages = ring_size / VGPU_PAGE_SIZE;
	fence_dev = ring_pages * VGPU_PAGE_SIZE;
	batch_dev = fence_dev + VGPU_PAGE_SIZE;
	batch = wl_mode ? 0 : BATCH_PAGES;	/* workloads: no batches */
	data_dev = batch_dev + batch * VGPU_PAGE_SIZE;
	if (gtt_entries < ring_pages + 1 + batch + 8)
		FAIL("GTT too small: %u entries\n", gtt_entries);
	if (wl_mode) {
		wl_layout(gtt_entries - ring_pages - 1);
		gtt_used = ring_pages + 1 + gtt_data_pages;
	} else {
		data_pages = gtt_data_pages = gtt_entries - ring_pages - 1 - batch;
		if (opt.pages * 4 > data_pages)
			opt.pages = data_pages / 4;
		gtt_used = gtt_entries;
	}
	mem_needed = DATA_BASE + data_dev + data_pages * VGPU_PAGE_SIZE;

	if (wl_mode)
		gprintf("vgpu-guest: start workload %s bdf %x bar0 0x%x caps 0x%x gtt %u ring %u data_pages %u gtt_pages %u irq %s need_mem 0x%x\n",
			wlh->name,
			bdf, bar0, reg_r(VGPU_REG_CAPS), gtt_entries, ring_size,
			data_pages, gtt_used, opt.msi ? "msi" : "poll",
			mem_needed);
	else
		gprintf("vgpu-guest: start bdf %x bar0 0x%x caps 0x%x gtt %u ring %u data_pages %u pages %u irq %s need_mem 0x%x\n",
			bdf, bar0, reg_r(VGPU_REG_CAPS), gtt_entries, ring_size,
			data_pages, opt.pages, opt.msi ? "msi" : "poll",
			mem_needed);

	if (ram_end && ram_end < mem_needed) {
		if (wl_mode)
			FAIL("guest RAM too small for workload %s: need 0x%x, have 0x%x; a bigger -m or wl-pack -s %u\n",
			     wlh->name, mem_needed, ram_end,
			     wlh->scale * wl_scale_for((ram_end > DATA_BASE + data_dev ?
				ram_end - DATA_BASE - data_dev : 0) / VGPU_PAGE_SIZE, 0));
		FAIL("guest RAM too small: %u KiB above 1 MiB\n",
		     (ram_end - 0x100000u) / 1024);
	}

	/* GTT: entry i -> DATA_BASE + 4096 i (high halves are 0 after reset) */
	for (i = 0; i < gtt_used; i++)
		mmio_w32(bar0 + VGPU_GTT_WINDOW + 8 * i,
			 (DATA_BASE + i * VGPU_PAGE_SIZE) | (uint32_t)VGPU_GTT_VALID);
	if (reg_r(VGPU_REG_ERROR))
		FAIL("GTT setup: error %u at 0x%x\n", reg_r(VGPU_REG_ERROR),
		     reg_r(VGPU_REG_ERROR_HEAD));
	for (i = 0; i < gtt_used; i += 257)
		if (mmio_r32(bar0 + VGPU_GTT_WINDOW + 8 * i) !=
		    ((DATA_BASE + i * VGPU_PAGE_SIZE) | (uint32_t)VGPU_GTT_VALID))
			FAIL("GTT entry %u reads 0x%x\n", i,
			     mmio_r32(bar0 + VGPU_GTT_WINDOW + 8 * i));

	reg_w(VGPU_REG_RING_CTL, 0);
	reg_w(VGPU_REG_RING_BASE, 0);
	reg_w(VGPU_REG_RING_SIZE, ring_size);
	reg_w(VGPU_REG_RING_HEAD, 0);
	reg_w(VGPU_REG_RING_TAIL, 0);
	reg_w(VGPU_REG_RING_CTL, VGPU_RING_CTL_ENABLE);
	ring_tail = 0;
	exp_cmds = reg_r(VGPU_REG_CMDS_EXECUTED);
	exp_subs = reg_r(VGPU_REG_SUBMISSIONS);

	if (opt.msi) {
		msi = pci_find_cap(bdf, 0x05);
		if (!msi)
			FAIL("no MSI capability\n");
		pci_w32(bdf, msi + 4, LAPIC_BASE);	/* dest APIC 0 */
		pci_w32(bdf, msi + 8, 0);
		pci_w16(bdf, msi + 12, MSI_VECTOR);	/* fixed, edge */
		pci_w16(bdf, msi + 2, (uint16_t)(pci_r32(bdf, msi) >> 16) | 1);
		reg_w(VGPU_REG_IRQ_STATUS, VGPU_IRQ_ALL);
		reg_w(VGPU_REG_IRQ_ENABLE, VGPU_IRQ_FENCE | VGPU_IRQ_ERROR);
	}
}

/*
 * the device fills every GTT-mapped data page with its own pattern, the
 * CPU the others (a workload's CPU-only buffers)
 */
static void data_init(void)
{
	uint32_t i = 0, n;

	while (i < gtt_data_pages) {
		emit_ring_begin();
		for (n = 0; n < 128 && i < gtt_data_pages; n++, i++) {
			cmd(VGPU_OP_FILL, 0, 3);
			emit(data_dev + i * VGPU_PAGE_SIZE);
			emit(VGPU_PAGE_SIZE);
			emit(fill_pattern(i));
			csum_exp[i] = fill_pattern(i) << 20;	/* sum of (2i+1) = 2^20 */
		}
		emit_fence(++seq);
		submit_and_wait(dev_ptr(fence_dev), seq);
	}
	for (; i < data_pages; i++) {
		volatile uint32_t *p = data_page(i);

		for (n = 0; n < PAGE_DW; n++)
			p[n] = fill_pattern(i);
		csum_exp[i] = fill_pattern(i) << 20;
	}
	for (i = 0; i < data_pages; i++)
		check_page(i, "init");
	gprintf("init ok pages %u seq %u\n", data_pages, seq);
}

static int overlaps(uint32_t a, uint32_t an, uint32_t b, uint32_t bn)
{
	return a < b + bn && b < a + an;
}

static uint32_t wd_old[VGPU_MAX_INLINE_DW];

static void frame(uint32_t f)
{
	uint32_t n = opt.pages, a, b, c, d, off, cnt, i, pat, s;
	uint32_t vals[VGPU_MAX_INLINE_DW];
	int batched = f & 1;
	uint32_t *wd_page;

	/* disjoint page ranges: fill a, copy b -> c, write-data into page d */
	do {
		a = rand32() % (data_pages - n + 1);
		b = rand32() % (data_pages - n + 1);
		c = rand32() % (data_pages - n + 1);
		d = rand32() % data_pages;
	} while (overlaps(a, n, b, n) || overlaps(a, n, c, n) ||
		 overlaps(b, n, c, n) || overlaps(d, 1, a, n) ||
		 overlaps(d, 1, b, n) || overlaps(d, 1, c, n));
	cnt = 1 + rand32() % VGPU_MAX_INLINE_DW;
	off = rand32() % (PAGE_DW - cnt + 1);
	pat = rand32();
	for (i = 0; i < cnt; i++)
		vals[i] = rand32();

	/* everything the device will touch must be as we left it */
	for (i = 0; i < n; i++) {
		check_page(a + i, "before-fill");
		check_page(b + i, "copy-source");
		check_page(c + i, "before-copy");
	}
	check_page(d, "before-write");
	wd_page = data_page(d);
	for (i = 0; i < cnt; i++)
		wd_old[i] = wd_page[off + i];

	s = ++seq;
	emit_ring_begin();
	if (batched) {
		cmd(VGPU_OP_BATCH_START, 0, 2);
		emit(batch_dev);
		emit_count--;	/* counted below with the batch */
		/* the batch: built in its own buffer, then sized */
		{
			uint32_t *ring_buf = emit_buf, ring_pos = emit_pos,
				 ring_mask = emit_mask;

			emit_buf = dev_ptr(batch_dev);
			emit_pos = 0;
			emit_mask = BATCH_PAGES * PAGE_DW - 1;
			cmd(VGPU_OP_FILL, 0, 3);
			emit(data_dev + a * VGPU_PAGE_SIZE);
			emit(n * VGPU_PAGE_SIZE);
			emit(pat);
			cmd(VGPU_OP_COPY, 0, 3);
			emit(data_dev + b * VGPU_PAGE_SIZE);
			emit(data_dev + c * VGPU_PAGE_SIZE);
			emit(n * VGPU_PAGE_SIZE);
			cmd(VGPU_OP_WRITE_DATA, 0, 1 + cnt);
			emit(data_dev + d * VGPU_PAGE_SIZE + off * 4);
			for (i = 0; i < cnt; i++)
				emit(vals[i]);
			cmd(VGPU_OP_LOAD_REGISTER, 0, 2);
			emit(VGPU_REG_SCRATCH0);
			emit(s);
			i = emit_pos;	/* batch bytes */
			emit_buf = ring_buf;
			emit_pos = ring_pos;
			emit_mask = ring_mask;
			emit(i);
			emit_count++;	/* BATCH_START itself */
		}
	} else {
		cmd(VGPU_OP_FILL, 0, 3);
		emit(data_dev + a * VGPU_PAGE_SIZE);
		emit(n * VGPU_PAGE_SIZE);
		emit(pat);
		cmd(VGPU_OP_COPY, 0, 3);
		emit(data_dev + b * VGPU_PAGE_SIZE);
		emit(data_dev + c * VGPU_PAGE_SIZE);
		emit(n * VGPU_PAGE_SIZE);
		cmd(VGPU_OP_WRITE_DATA, 0, 1 + cnt);
		emit(data_dev + d * VGPU_PAGE_SIZE + off * 4);
		for (i = 0; i < cnt; i++)
			emit(vals[i]);
		cmd(VGPU_OP_LOAD_REGISTER, 0, 2);
		emit(VGPU_REG_SCRATCH0);
		emit(s);
	}
	emit_fence(s);
	submit_and_wait(dev_ptr(fence_dev), s);

	/* verify every byte written and update the checksums */
	for (i = 0; i < n; i++) {
		volatile uint32_t *p = data_page(a + i), *src = data_page(b + i),
				  *dst = data_page(c + i);
		uint32_t j;

		for (j = 0; j < PAGE_DW; j++) {
			if (p[j] != pat)
				FAIL("fill page %u dword %u got 0x%08x want 0x%08x seq %u\n",
				     a + i, j, p[j], pat, s);
			if (dst[j] != src[j])
				FAIL("copy page %u->%u dword %u got 0x%08x want 0x%08x seq %u\n",
				     b + i, c + i, j, dst[j], src[j], s);
		}
		csum_exp[a + i] = pat << 20;
		csum_exp[c + i] = csum_exp[b + i];
		check_page(c + i, "after-copy");
	}
	for (i = 0; i < cnt; i++) {
		if (wd_page[off + i] != vals[i])
			FAIL("write-data page %u dword %u got 0x%08x want 0x%08x seq %u\n",
			     d, off + i, wd_page[off + i], vals[i], s);
		csum_exp[d] += (vals[i] - wd_old[i]) * (2 * (off + i) + 1);
	}
	check_page(d, "after-write");
	if (reg_r(VGPU_REG_SCRATCH0) != s)
		FAIL("scratch0 %u want %u\n", reg_r(VGPU_REG_SCRATCH0), s);
}

/* ---- workload files (wlpack.h) ---------------------------------------- */

#define PEND_MAX	1024	/* commands per submission (ring-bound anyway) */
#define XFER_PAGES	(VGPU_MAX_XFER_BYTES / VGPU_PAGE_SIZE)
#define WL_TAIL_DW	8	/* LOAD_REGISTER + our own FENCE at frame end */

enum { PK_FILL, PK_COPY, PK_WRITE, PK_FENCE };

/* a queued command, verified after its submission */
struct pend {
	uint8_t kind, dead;	/* dead: a write overwritten by a later one */
	uint16_t step;
	uint32_t dst;		/* data page; PK_WRITE: data dword index */
	uint32_t src;		/* PK_COPY: source data page */
	uint32_t n;		/* pages (fill, copy) */
	uint32_t val;		/* fill pattern, fence seqno */
};

static uint32_t wl_img[1024];	/* the module, copied (<= 4 KiB) */
static uint32_t buf_page[WLP_MAX_BUFS];	/* first data page of each buffer */
static uint64_t wl_rng;
static int wl_fences;		/* fence steps per frame */
static struct pend pend[PEND_MAX];
static uint32_t npend, pend_bytes;
static uint32_t wd_data[PEND_MAX][WLP_WRITE_DW];
static uint8_t pend_w[MAX_DATA_PAGES];	/* step + 1 of a queued writer */
static uint32_t pend_r[MAX_DATA_PAGES / 32];	/* read by a queued copy */
static uint32_t sel[MAX_DATA_PAGES / 32];	/* pages a step chose */
static volatile uint32_t *pend_fence;	/* fence queued in this submission */

static inline void bit_set(uint32_t *bm, uint32_t i) { bm[i / 32] |= 1u << (i % 32); }
static inline void bit_clr(uint32_t *bm, uint32_t i) { bm[i / 32] &= ~(1u << (i % 32)); }
static inline int bit_test(const uint32_t *bm, uint32_t i) { return (bm[i / 32] >> (i % 32)) & 1; }

/* xorshift64*, exactly wl_rand() of tools/wl.h */
static uint64_t wl_rand(void)
{
	wl_rng ^= wl_rng >> 12;
	wl_rng ^= wl_rng << 25;
	wl_rng ^= wl_rng >> 27;
	return wl_rng * 0x2545f4914f6cdd1dull;
}

/* x % d without libgcc's __umoddi3 */
static uint32_t mod64(uint64_t x, uint32_t d)
{
	uint32_t q, r;

	__asm__("divl %4" : "=a"(q), "=d"(r)
		: "a"((uint32_t)x), "d"((uint32_t)(x >> 32) % d), "rm"(d));
	return r;
}

static void wl_load(uint32_t start, uint32_t end)
{
	const uint32_t *src = (const uint32_t *)(uintptr_t)start;
	uint32_t size = end - start, i, n;

	if (end < start || size < WLP_HDR_SIZE)
		FAIL("workload module at 0x%x: %u bytes, not a packed workload\n",
		     start, size);
	n = size < sizeof(wl_img) ? size : sizeof(wl_img);
	for (i = 0; i < (n + 3) / 4; i++)
		wl_img[i] = src[i];
	wlh = (const struct wlp_hdr *)wl_img;
	if (wlh->magic != WLP_MAGIC)
		FAIL("workload module: magic 0x%08x, not a packed workload (wl-pack)\n",
		     wlh->magic);
	if (wlh->version >> 8 != WLP_VERSION >> 8 || wlh->hdr_size != WLP_HDR_SIZE)
		FAIL("workload module: version 0x%x header %u, this payload reads 0x%x\n",
		     wlh->version, wlh->hdr_size, WLP_VERSION);
	if (!wlh->nbufs || wlh->nbufs > WLP_MAX_BUFS ||
	    wlh->nsteps > WLP_MAX_STEPS ||
	    wlh->total_size != wlp_size(wlh->nbufs, wlh->nsteps) ||
	    wlh->total_size > n)
		FAIL("workload module: %u buffers %u steps, size %u of %u bytes\n",
		     wlh->nbufs, wlh->nsteps, wlh->total_size, size);
	if (wlp_csum(wl_img, wlh->total_size) != wlh->csum)
		FAIL("workload module: checksum 0x%08x want 0x%08x\n",
		     wlp_csum(wl_img, wlh->total_size), wlh->csum);
	wl_img[(WLP_HDR_SIZE - WLP_NAME_LEN) / 4 + WLP_NAME_LEN / 4 - 1] &= 0x00ffffff;
	wlb = (const struct wlp_buf *)((const char *)wl_img + WLP_HDR_SIZE);
	wls = (const struct wlp_step *)(wlb + wlh->nbufs);
	for (i = 0; i < wlh->nbufs; i++)
		if (!wlb[i].pages)
			FAIL("workload %s: buffer %u is empty\n", wlh->name, i);
	for (i = 0; i < wlh->nsteps; i++) {
		const struct wlp_step *s = &wls[i];
		uint32_t pages;
		int bad = s->op > WLP_OP_CPU || s->dst >= wlh->nbufs;

		if (!bad && s->op == WLP_OP_COPY)
			bad = s->src >= wlh->nbufs || s->src == s->dst ||
			      !(wlb[s->src].flags & WLP_BUF_GTT);
		else if (!bad)
			bad = s->src != WLP_NO_BUF;
		if (!bad && s->op != WLP_OP_CPU)
			bad = !(wlb[s->dst].flags & WLP_BUF_GTT);
		if (!bad && (s->op == WLP_OP_FILL || s->op == WLP_OP_COPY ||
			     s->op == WLP_OP_CPU)) {
			pages = wlb[s->dst].pages;
			if (s->op == WLP_OP_COPY && wlb[s->src].pages < pages)
				pages = wlb[s->src].pages;
			bad = !s->npages || s->npages > pages;
		}
		if (!bad && s->op == WLP_OP_WRITE)
			bad = !s->count || s->count > 4096;
		if (bad)
			FAIL("workload %s: bad step %u (op %u src %u dst %u npages %u count %u)\n",
			     wlh->name, i, s->op, s->src, s->dst, s->npages,
			     s->count);
		if (s->op == WLP_OP_FENCE)
			wl_fences++;
	}
	wl_rng = (uint64_t)wlh->seed_hi << 32 | wlh->seed_lo;
	if (!wl_rng)
		wl_rng = 1;
	wl_mode = 1;
}

/* smallest k with sum(ceil(pages / k)) <= limit over the (gtt) buffers */
static uint32_t wl_scale_for(uint32_t limit, int gtt_only)
{
	uint32_t k, i;

	for (k = 2; k < 65536; k++) {
		uint32_t sum = 0;

		for (i = 0; i < wlh->nbufs; i++)
			if (!gtt_only || (wlb[i].flags & WLP_BUF_GTT))
				sum += (wlb[i].pages + k - 1) / k;
		if (sum <= limit)
			return k;
	}
	return 0;
}

/* buffers from data page 0: GTT-mapped ones first, then the others */
static void wl_layout(uint32_t avail)
{
	uint64_t gtt = 0, all = 0;
	uint32_t i, p = 0;

	for (i = 0; i < wlh->nbufs; i++) {
		all += wlb[i].pages;
		if (wlb[i].flags & WLP_BUF_GTT)
			gtt += wlb[i].pages;
	}
	if (gtt > avail)
		FAIL("workload %s does not fit: %u GTT pages, the vGPU has %u for buffers (%u entries); pack it with wl-pack -s %u\n",
		     wlh->name, (uint32_t)gtt, avail, gtt_entries,
		     wlh->scale * wl_scale_for(avail, 1));
	if (all > MAX_DATA_PAGES)
		FAIL("workload %s does not fit: %u pages, the payload takes %u; pack it with wl-pack -s %u\n",
		     wlh->name, (uint32_t)all, MAX_DATA_PAGES,
		     wlh->scale * wl_scale_for(MAX_DATA_PAGES, 0));
	for (i = 0; i < wlh->nbufs; i++)
		if (wlb[i].flags & WLP_BUF_GTT) {
			buf_page[i] = p;
			p += wlb[i].pages;
		}
	for (i = 0; i < wlh->nbufs; i++)
		if (!(wlb[i].flags & WLP_BUF_GTT)) {
			buf_page[i] = p;
			p += wlb[i].pages;
		}
	gtt_data_pages = (uint32_t)gtt;
	data_pages = (uint32_t)all;
	if (!opt.pace_set)
		opt.pace = (wlh->period_us + 500) / 1000;
}

static inline uint32_t page_dev(uint32_t pg)
{
	return data_dev + pg * VGPU_PAGE_SIZE;
}

/* verify the queued commands' writes, forget them */
static void wl_verify(void)
{
	uint32_t i, j, k, c;

	for (i = 0; i < npend; i++) {
		struct pend *pe = &pend[i];
		volatile uint32_t *p, *q;

		switch (pe->kind) {
		case PK_FILL:
			/* every dword is the pattern: the checksum is too */
			for (k = 0; k < pe->n; k++) {
				p = data_page(pe->dst + k);
				j = page_diff_val(p, pe->val);
				if (j != PAGE_DW)
					FAIL("fill step %u page %u dword %u got 0x%08x want 0x%08x seq %u\n",
					     pe->step, pe->dst + k, j, p[j],
					     pe->val, seq);
				pend_w[pe->dst + k] = 0;
			}
			break;
		case PK_COPY:
			/*
			 * destination == source byte for byte, and its
			 * checksum is the one the source had to have (no
			 * queued command wrote the source): checks both
			 */
			for (k = 0; k < pe->n; k++) {
				p = data_page(pe->dst + k);
				q = data_page(pe->src + k);
				c = page_cmp_csum(p, q, &j);
				if (j != PAGE_DW)
					FAIL("copy step %u page %u->%u dword %u got 0x%08x want 0x%08x seq %u\n",
					     pe->step, pe->src + k,
					     pe->dst + k, j, p[j], q[j],
					     seq);
				if (c != csum_exp[pe->dst + k])
					FAIL("checksum copy-source page %u->%u got 0x%08x want 0x%08x seq %u\n",
					     pe->src + k, pe->dst + k, c,
					     csum_exp[pe->dst + k], seq);
				pend_w[pe->dst + k] = 0;
				bit_clr(pend_r, pe->src + k);
			}
			break;
		case PK_WRITE:
			p = data_page(0) + pe->dst;
			for (j = 0; !pe->dead && j < WLP_WRITE_DW; j++)
				if (p[j] != wd_data[i][j])
					FAIL("write step %u page %u dword %u got 0x%08x want 0x%08x seq %u\n",
					     pe->step, pe->dst / PAGE_DW,
					     pe->dst % PAGE_DW + j, p[j],
					     wd_data[i][j], seq);
			check_page(pe->dst / PAGE_DW, "after-write");
			pend_w[pe->dst / PAGE_DW] = 0;
			break;
		case PK_FENCE:
			p = data_page(pe->dst);
			if (p[0] != pe->val)
				FAIL("fence step %u page %u got %u want %u\n",
				     pe->step, pe->dst, p[0], pe->val);
			check_page(pe->dst, "after-fence");
			pend_w[pe->dst] = 0;
			break;
		}
	}
	npend = pend_bytes = 0;
}

/* submit what is queued, wait, verify; start a new submission */
static void wl_flush(void)
{
	if (!emit_count)
		return;
	submit_and_wait(pend_fence, seq);
	pend_fence = NULL;
	wl_verify();
	emit_ring_begin();
}

/* room for a command of ndw dwords writing `bytes` in this submission */
static void wl_room(uint32_t ndw, uint32_t bytes)
{
	uint32_t used = (emit_pos - ring_tail) / 4;

	if (used + ndw + WL_TAIL_DW + 4 > ring_size / 4 || npend == PEND_MAX ||
	    pend_bytes + bytes + 16 > VGPU_MAX_BYTES_PER_SUBMIT)
		wl_flush();
}

/*
 * Pages [pg, pg + n) are about to be written by step si (read if !write):
 * submit first if a queued command of another step writes them (or, for
 * a write, a queued copy reads them), so that every queued command can be
 * verified byte by byte afterwards.
 */
static void wl_order(uint32_t pg, uint32_t n, uint32_t si, int write)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if ((pend_w[pg + i] && (!write || pend_w[pg + i] != si + 1)) ||
		    (write && bit_test(pend_r, pg + i))) {
			wl_flush();
			return;
		}
}

static struct pend *pend_add(uint32_t kind, uint32_t si, uint32_t dst)
{
	struct pend *pe = &pend[npend++];

	pe->kind = kind;
	pe->dead = 0;
	pe->step = si;
	pe->dst = dst;
	return pe;
}

/* choose s->npages of `pages` pages into sel[], as wl_run's select_pages */
static void wl_select(const struct wlp_step *s, uint32_t pages, uint32_t fr)
{
	uint32_t i, n = s->npages, left, start;

	for (i = 0; i < (pages + 31) / 32; i++)
		sel[i] = 0;
	if (!(s->flags & WLP_STEP_RAND)) {
		start = mod64((uint64_t)fr * n, pages);
		for (i = 0; i < n; i++)
			bit_set(sel, start + i < pages ? start + i : start + i - pages);
		return;
	}
	if (n > pages / 2) {
		for (i = 0; i < pages; i++)
			bit_set(sel, i);
		for (left = pages - n; left;) {
			i = mod64(wl_rand(), pages);
			if (bit_test(sel, i)) {
				bit_clr(sel, i);
				left--;
			}
		}
		return;
	}
	for (left = n; left;) {
		i = mod64(wl_rand(), pages);
		if (!bit_test(sel, i)) {
			bit_set(sel, i);
			left--;
		}
	}
}

static uint32_t next_run(uint32_t pages, uint32_t *pg)
{
	uint32_t end;

	while (*pg < pages && !bit_test(sel, *pg))
		(*pg)++;
	for (end = *pg; end < pages && bit_test(sel, end); end++)
		;
	return end - *pg;
}

/* fill or copy pages [pg, pg + len) of the step's buffer(s) */
static void wl_xfer(const struct wlp_step *s, uint32_t si, uint32_t pg,
		    uint32_t len, uint32_t fr)
{
	int copy = s->op == WLP_OP_COPY;
	uint32_t n, d, src = 0, i, pat = s->pattern ^ fr;
	struct pend *pe;

	for (; len; pg += n, len -= n) {
		n = len > XFER_PAGES ? XFER_PAGES : len;
		d = buf_page[s->dst] + pg;
		wl_room(4, n * VGPU_PAGE_SIZE);
		wl_order(d, n, si, 1);
		if (copy) {
			src = buf_page[s->src] + pg;
			wl_order(src, n, si, 0);
		}
		/*
		 * the destination is overwritten whole: its old contents
		 * only with precheck=1 (the sweep covers them); the source
		 * is checked with the copy (wl_verify)
		 */
		for (i = 0; opt.precheck && i < n; i++)
			if (!pend_w[d + i])
				check_page(d + i, copy ? "before-copy" : "before-fill");
		if (copy) {
			cmd(VGPU_OP_COPY, 0, 3);
			emit(page_dev(src));
			emit(page_dev(d));
			emit(n * VGPU_PAGE_SIZE);
		} else {
			cmd(VGPU_OP_FILL, 0, 3);
			emit(page_dev(d));
			emit(n * VGPU_PAGE_SIZE);
			emit(pat);
		}
		for (i = 0; i < n; i++) {
			csum_exp[d + i] = copy ? csum_exp[src + i] : pat << 20;
			pend_w[d + i] = si + 1;
			if (copy)
				bit_set(pend_r, src + i);
		}
		pe = pend_add(copy ? PK_COPY : PK_FILL, si, d);
		pe->src = src;
		pe->n = n;
		pe->val = pat;
		pend_bytes += n * VGPU_PAGE_SIZE;
	}
}

/* cpu step: one qword store per chosen page, as wl_run's cpu_run */
static void wl_cpu(const struct wlp_step *s, uint32_t si, uint32_t pg,
		   uint32_t len)
{
	uint32_t p, lo, hi;
	volatile uint32_t *d;
	uint64_t r;

	for (; len; pg++, len--) {
		p = buf_page[s->dst] + pg;
		if (pend_w[p] || bit_test(pend_r, p))
			wl_flush();
		check_page(p, "before-cpu");
		d = data_page(p);
		r = wl_rand();
		lo = (uint32_t)r;
		hi = (uint32_t)(r >> 32);
		csum_exp[p] += (lo - d[0]) + (hi - d[1]) * 3;
		d[0] = lo;
		d[1] = hi;
		check_page(p, "after-cpu");
	}
}

static void wl_pages(const struct wlp_step *s, uint32_t si, uint32_t fr)
{
	uint32_t pages = wlb[s->dst].pages, pg = 0, len;

	if (s->op == WLP_OP_COPY && wlb[s->src].pages < pages)
		pages = wlb[s->src].pages;
	wl_select(s, pages, fr);
	while ((len = next_run(pages, &pg))) {
		if (s->op == WLP_OP_CPU)
			wl_cpu(s, si, pg, len);
		else
			wl_xfer(s, si, pg, len, fr);
		pg += len;
	}
}

/* write step: count x 64 bytes at random 64-byte slots, as step_write */
static void wl_write(const struct wlp_step *s, uint32_t si)
{
	uint32_t slots = wlb[s->dst].pages * (VGPU_PAGE_SIZE / 64), c, j, k;
	uint32_t dw, p, off, *vals;
	const volatile uint32_t *old;

	for (c = 0; c < s->count; c++) {
		dw = buf_page[s->dst] * PAGE_DW + mod64(wl_rand(), slots) * WLP_WRITE_DW;
		p = dw / PAGE_DW;
		off = dw % PAGE_DW;
		wl_room(2 + WLP_WRITE_DW, 64);
		wl_order(p, 1, si, 1);
		if (!pend_w[p])
			check_page(p, "before-write");
		vals = wd_data[npend];
		for (j = 0; j < WLP_WRITE_DW; j++)
			vals[j] = (uint32_t)wl_rand();
		/* the slot's current contents: a queued write's, or memory */
		old = data_page(0) + dw;
		for (k = npend; k--;)
			if (pend[k].kind == PK_WRITE && pend[k].dst == dw &&
			    !pend[k].dead) {
				pend[k].dead = 1;
				old = wd_data[k];
				break;
			}
		for (j = 0; j < WLP_WRITE_DW; j++)
			csum_exp[p] += (vals[j] - old[j]) * (2 * (off + j) + 1);
		cmd(VGPU_OP_WRITE_DATA, 0, 1 + WLP_WRITE_DW);
		emit(page_dev(p) + off * 4);
		for (j = 0; j < WLP_WRITE_DW; j++)
			emit(vals[j]);
		pend_w[p] = si + 1;
		pend_add(PK_WRITE, si, dw);
		pend_bytes += 64;
	}
}

static void wl_fence(const struct wlp_step *s, uint32_t si)
{
	uint32_t p = buf_page[s->dst];
	volatile uint32_t *d = data_page(p);
	struct pend *pe;

	wl_room(3, 4);
	wl_order(p, 1, si, 1);
	if (!pend_w[p])
		check_page(p, "before-fence");
	++seq;
	csum_exp[p] += seq - d[0];
	emit_fence_at(page_dev(p), seq);
	pend_w[p] = si + 1;
	pe = pend_add(PK_FENCE, si, p);
	pe->val = seq;
	pend_bytes += 4;
	pend_fence = d;
}

/* one frame of the workload; frame f (1..) is the runner's frame f - 1 */
static void wl_frame(uint32_t f)
{
	uint32_t si, fr = f - 1;

	emit_ring_begin();
	for (si = 0; si < wlh->nsteps; si++) {
		const struct wlp_step *s = &wls[si];

		if (s->op == WLP_OP_WRITE)
			wl_write(s, si);
		else if (s->op == WLP_OP_FENCE)
			wl_fence(s, si);
		else
			wl_pages(s, si, fr);
	}
	/* room for these was kept by wl_room() */
	cmd(VGPU_OP_LOAD_REGISTER, 0, 2);
	emit(VGPU_REG_SCRATCH0);
	emit(wl_fences ? seq : seq + 1);
	if (!wl_fences) {
		emit_fence(++seq);
		pend_fence = dev_ptr(fence_dev);
	}
	wl_flush();
	if (reg_r(VGPU_REG_SCRATCH0) != seq)
		FAIL("scratch0 %u want %u\n", reg_r(VGPU_REG_SCRATCH0), seq);
}

struct multiboot_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
};

struct multiboot_mod {
	uint32_t start, end, string, reserved;
};

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint32_t bdf, f, sweep_pos = 0, sweeps = 0, i, last_msi = 0;
	uint64_t last_msi_tsc;

	serial_init();
	irq_init();
	if (magic != 0x2badb002)
		FAIL("not booted by a multiboot loader (0x%x)\n", magic);
	if (mbi->flags & 4)
		parse_cmdline((const char *)(uintptr_t)mbi->cmdline);
	rng = opt.seed ? opt.seed : 1;
	/* a packed workload as the first module (QEMU -initrd FILE.wlp) */
	if ((mbi->flags & 8) && mbi->mods_count) {
		const struct multiboot_mod *m =
			(const struct multiboot_mod *)(uintptr_t)mbi->mods_addr;

		wl_load(m->start, m->end);
	}
	if (mbi->flags & 1)
		ram_end = 0x100000u + mbi->mem_upper * 1024u;
	if (pci_find(&bdf))
		FAIL("no sample vGPU (%x:%x) in PCI config space\n",
		     VGPU_PCI_VENDOR_ID, VGPU_PCI_DEVICE_ID);
	device_init(bdf);
	data_init();
	if (wl_mode)
		gprintf("workload %s seed %u pace %u buffers %u steps %u pages %u gtt_pages %u scale %u init seq %u\n",
			wlh->name, wlh->seed_lo, opt.pace, wlh->nbufs,
			wlh->nsteps, data_pages, gtt_data_pages, wlh->scale,
			seq);
	last_msi_tsc = rdtsc();
	for (f = 1; !opt.frames || f <= opt.frames; f++) {
		uint32_t t0 = ticks;

		if (wl_mode)
			wl_frame(f);
		else
			frame(f);
		for (i = 0; i < opt.sweep; i++) {
			check_page(sweep_pos, "sweep");
			if (++sweep_pos == data_pages) {
				sweep_pos = 0;
				gprintf("sweep %u ok frame %u\n", ++sweeps, f);
			}
		}
		/*
		 * MSIs are delivered by QEMU's main loop, which can be held
		 * off while the vCPU keeps running: only a long silence fails.
		 */
		if (msi_count != last_msi) {
			last_msi = msi_count;
			last_msi_tsc = rdtsc();
		} else if (opt.msi && rdtsc() - last_msi_tsc > TIMEOUT_TSC) {
			FAIL("no MSI for a long time (irqs %u frame %u)\n",
			     msi_count, f);
		}
		if (f % opt.every == 0)
			gprintf("frame %u ok seq %u irqs %u empty %u stray %u ticks %u\n",
				f, seq, msi_count, msi_empty, stray_count, ticks);
		while (ticks - t0 < opt.pace)
			idle();
	}
	gprintf("done frames %u seq %u irqs %u stray %u\n", opt.frames, seq,
		msi_count, stray_count);
	halt();
}
