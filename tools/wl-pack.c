// SPDX-License-Identifier: GPL-2.0-only
/*
 * wl-pack - pack a workload file for the QEMU guest payload
 *
 *   wl-pack [-s DIV] [-p PINNED] -o OUT.wlp FILE.wl
 *                                           parse, scale, write the binary
 *   wl-pack -d FILE.wlp                     print a packed file
 *
 * The binary layout is lib/wl/wlpack.h (little-endian, versioned,
 * checksummed); the payload gets it as a multiboot module (QEMU -initrd).
 * Parse errors name FILE:LINE:COL like every user of wl_parse_file().
 * Without -s the workload's own scale applies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sample_vgpu.h>

#include "cli.h"
#include "wl.h"
#include "wlpack.h"

/* GTT pages the payload can give buffers on the largest vGPU type */
#define GTT_BUF_PAGES	(VGPU_GTT_MAX_ENTRIES - WLP_GTT_RESERVED < WLP_MAX_PAGES ? \
			 VGPU_GTT_MAX_ENTRIES - WLP_GTT_RESERVED : WLP_MAX_PAGES)

const char *prog = "wl-pack";

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint8_t *pack(const struct wl *w, uint32_t *len)
{
	uint32_t size = wlp_size(w->nbufs, w->nsteps);
	uint8_t *b = calloc(1, size), *p;
	int i;

	if (!b)
		return NULL;
	put32(b + 0, WLP_MAGIC);
	put16(b + 4, WLP_VERSION);
	put16(b + 6, WLP_HDR_SIZE);
	put32(b + 8, size);
	put32(b + 16, (uint32_t)w->seed);
	put32(b + 20, (uint32_t)(w->seed >> 32));
	put32(b + 24, (uint32_t)(w->period_ms * 1000 + 0.5));
	put32(b + 28, w->frames);
	put32(b + 32, w->scale);
	put16(b + 36, w->nbufs);
	put16(b + 38, w->nsteps);
	snprintf((char *)b + 40, WLP_NAME_LEN, "%s", w->name);
	p = b + WLP_HDR_SIZE;
	for (i = 0; i < w->nbufs; i++, p += WLP_BUF_SIZE) {
		put32(p, w->bufs[i].size / WL_PAGE);
		put32(p + 4, w->bufs[i].gtt ? WLP_BUF_GTT : 0);
		snprintf((char *)p + 8, 24, "%s", w->bufs[i].name);
	}
	for (i = 0; i < w->nsteps; i++, p += WLP_STEP_SIZE) {
		const struct wl_step *s = &w->steps[i];
		int paged = s->op == WL_FILL || s->op == WL_COPY ||
			    s->op == WL_CPU;

		p[0] = s->op;
		p[1] = s->rand ? WLP_STEP_RAND : 0;
		p[2] = s->src >= 0 ? (uint8_t)s->src : WLP_NO_BUF;
		p[3] = s->dst;
		put32(p + 4, (uint32_t)(s->frac * WLP_FRAC_ONE + 0.5));
		put32(p + 8, paged ? wl_step_pages(w, s) : 0);
		put32(p + 12, s->count);
		put32(p + 16, s->pattern);
	}
	put32(b + WLP_CSUM_OFF, wlp_csum(b, size));
	*len = size;
	return b;
}

static int dump(const char *path)
{
	uint8_t buf[65536], *p;
	uint32_t size, nb, ns, i, pages = 0, gtt = 0;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "wl-pack: %s: %s\n", path, strerror(errno));
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n < WLP_HDR_SIZE || get32(buf) != WLP_MAGIC) {
		fprintf(stderr, "wl-pack: %s: not a packed workload\n", path);
		return 1;
	}
	size = get32(buf + 8);
	nb = get16(buf + 36);
	ns = get16(buf + 38);
	if (get16(buf + 4) >> 8 != WLP_VERSION >> 8 || size != n ||
	    size != wlp_size(nb, ns) || get32(buf + 12) != wlp_csum(buf, size)) {
		fprintf(stderr, "wl-pack: %s: bad version, size or checksum\n",
			path);
		return 1;
	}
	printf("workload %.32s version %u.%u size %u seed %llu period_us %u frames %u scale %u\n",
	       (char *)buf + 40, get16(buf + 4) >> 8, get16(buf + 4) & 0xff,
	       size, (unsigned long long)get32(buf + 16) |
	       (unsigned long long)get32(buf + 20) << 32, get32(buf + 24),
	       get32(buf + 28), get32(buf + 32));
	p = buf + WLP_HDR_SIZE;
	for (i = 0; i < nb; i++, p += WLP_BUF_SIZE) {
		printf("buffer %u %-23.23s %6u pages %s\n", i, (char *)p + 8,
		       get32(p), get32(p + 4) & WLP_BUF_GTT ? "gtt" : "nogtt");
		pages += get32(p);
		if (get32(p + 4) & WLP_BUF_GTT)
			gtt += get32(p);
	}
	for (i = 0; i < ns; i++, p += WLP_STEP_SIZE)
		printf("step %u %-5s src %d dst %u frac %u/65536 npages %u count %u pattern 0x%08x%s\n",
		       i, p[0] <= WL_CPU ? wl_op_name(p[0]) : "?",
		       p[2] == WLP_NO_BUF ? -1 : p[2], p[3], get32(p + 4),
		       get32(p + 8), get32(p + 12), get32(p + 16),
		       p[1] & WLP_STEP_RAND ? " rand" : "");
	printf("pages %u gtt %u\n", pages, gtt);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: wl-pack [-s DIV] [-p PINNED] -o OUT.wlp FILE.wl\n"
		"       wl-pack -d FILE.wlp\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	unsigned int scale = 0;
	uint64_t gtt, k, pinned = 0;
	char err[512];
	uint32_t len;
	uint8_t *bin;
	struct wl *w;
	FILE *f;
	int c;

	while ((c = getopt(argc, argv, "s:p:o:d:h")) != -1) {
		switch (c) {
		case 's':
			scale = num_arg(optarg, 1, WL_MAX_SCALE);
			break;
		case 'p':
			pinned = size_arg(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 'd':
			return dump(optarg);
		default:
			usage();
		}
	}
	if (optind != argc - 1 || !out)
		usage();
	w = malloc(sizeof(*w));
	if (!w)
		return 1;
	if (wl_parse_file(argv[optind], w, err, sizeof(err)) ||
	    (pinned && wl_set_pinned(w, pinned, err, sizeof(err)))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	wl_scale(w, scale);
	gtt = wl_total_bytes(w, true) / WL_PAGE;
	if (gtt > GTT_BUF_PAGES) {
		/* ceil(ceil(p / s) / k) = ceil(p / (s k)): scale s k fits */
		for (k = 2; k < 4096; k++) {
			uint64_t sum = 0;
			int i;

			for (i = 0; i < w->nbufs; i++)
				if (w->bufs[i].gtt)
					sum += (w->bufs[i].size / WL_PAGE +
						k - 1) / k;
			if (sum <= GTT_BUF_PAGES)
				break;
		}
		fprintf(stderr,
			"wl-pack: warning: %s: %llu GTT pages, the payload maps at most %u (pack with -s %llu)\n",
			argv[optind], (unsigned long long)gtt, GTT_BUF_PAGES,
			(unsigned long long)k * w->scale);
	}
	bin = pack(w, &len);
	if (!bin)
		return 1;
	f = fopen(out, "wb");
	if (!f || fwrite(bin, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "wl-pack: %s: %s\n", out, strerror(errno));
		return 1;
	}
	free(bin);
	free(w);
	return 0;
}
