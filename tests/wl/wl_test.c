// SPDX-License-Identifier: GPL-2.0-only
/*
 * wl_test.c - host test of the workload parser (plain TAP)
 *
 * Usage: wl_test WORKLOAD_DIR
 * Parses every canned workload and a table of bad inputs, each of which
 * must fail with the exact "file:line:col: message" given.
 */
#include <stdio.h>
#include <string.h>

#include "wl.h"

static const char *const canned[] = {
	"idle", "scanout", "render", "compute", "random-write",
	"cloud-gaming-60fps", "resident",
};

static const struct {
	const char *text;
	const char *err;	/* expected prefix of the message */
} bad[] = {
	{ "frobnicate 1\n", "t:1:1: unknown directive 'frobnicate'" },
	{ "buffer a 4K gtt\n  step fill dst=b\n", "t:2:13: no buffer named 'b'" },
	{ "buffer a 4K gtt\nbuffer a 8K gtt\n", "t:2:8: buffer 'a' defined twice" },
	{ "buffer a 1000 gtt\n", "t:1:10: size must be a non-zero multiple" },
	{ "buffer a 4K pinned\n", "t:1:13: expected 'gtt' or 'nogtt'" },
	{ "buffer a 4X gtt\n", "t:1:10: bad number '4X'" },
	{ "buffer a 4K gtt\nstep fill dst=a frac=2\n", "t:2:22: frac must be in (0, 1]" },
	{ "buffer a 4K gtt\nstep blit dst=a\n", "t:2:6: unknown step 'blit'" },
	{ "buffer a 4K gtt\nstep fill dst=a at=middle\n", "t:2:20: at= takes seq or rand" },
	{ "buffer a 4K nogtt\nstep fill dst=a\n", "t:2:1: device step writes 'a': not gtt" },
	{ "buffer a 4K gtt\nstep copy dst=a\n", "t:2:1: copy needs src=" },
	{ "buffer a 4K gtt\nstep copy src=a dst=a\n", "t:2:1: copy src and dst are one buffer" },
	{ "buffer a 4K gtt\nstep fill dst=a colour=red\n", "t:2:17: unknown key 'colour'" },
	{ "buffer a 4K gtt\nstep fill\n", "t:2:10: 'step' needs 2 arguments" },
	{ "frames 0\n", "t:1:8: frames must be 1..1000000" },
	{ "period -1\n", "t:1:8: period must be 0..10000 ms" },
	{ "seed 1 2\n", "t:1:8: unexpected '2'" },
	{ "# nothing\n", "t:1:1: no buffer defined" },
	{ "buffer a 4K gtt\nstep write dst=a count=0\n", "t:2:24: count must be 1..4096" },
	{ "scale 0\n", "t:1:7: scale must be 1..1024" },
	{ "pinned 1G\nbuffer a 4K gtt\n", "t:1:1: 'pinned' needs a buffer of size 'rest'" },
	{ "buffer a 4K gtt\nbuffer b rest gtt\n", "t:2:1: buffer 'b' is 'rest' of a 'pinned' size that is not given" },
	{ "pinned 12K\nbuffer a 8K gtt\nbuffer b rest gtt\n", "t:3:1: pinned 12 KiB leaves nothing for buffer 'b'" },
	{ "pinned 1G\nbuffer a rest gtt\nbuffer b rest gtt\n", "t:3:10: a second 'rest' buffer" },
	{ "pinned 1G\nbuffer a rest nogtt\n", "t:2:15: a 'rest' buffer is gtt" },
	{ "pinned 1000\n", "t:1:8: pinned must be a non-zero multiple of 4K" },
};

static int test_canned(int n, const char *dir, const char *name)
{
	char path[512], err[256];
	struct wl w;
	int ok;

	snprintf(path, sizeof(path), "%s/%s.wl", dir, name);
	ok = !wl_parse_file(path, &w, err, sizeof(err)) &&
	     !strcmp(w.name, name) && w.frames && w.period_ms > 16;
	if (!ok)
		printf("# %s\n", err);
	printf("%sok %d canned %s (%d buffers, %d steps, %llu KiB)\n",
	       ok ? "" : "not ", n, name, w.nbufs, w.nsteps,
	       (unsigned long long)wl_total_bytes(&w, false) >> 10);
	return ok;
}

static int test_bad(int n, int i)
{
	char err[256] = "";
	struct wl w;
	int ret, ok;

	ret = wl_parse_text("t", bad[i].text, &w, err, sizeof(err));
	ok = ret == -1 && !strncmp(err, bad[i].err, strlen(bad[i].err));
	if (!ok)
		printf("# got '%s', want '%s'\n", err, bad[i].err);
	printf("%sok %d error %s\n", ok ? "" : "not ", n, bad[i].err);
	return ok;
}

static int test_semantics(int n, const char *dir)
{
	char path[512], err[256];
	struct wl w;
	int ok;

	snprintf(path, sizeof(path), "%s/cloud-gaming-60fps.wl", dir);
	ok = !wl_parse_file(path, &w, err, sizeof(err)) && w.nbufs == 13 &&
	     w.bufs[0].size == 8u << 20 && w.period_ms == 16.7 &&
	     w.scale == 1;
	wl_scale(&w, 0);	/* the workload's own scale: natural size */
	ok = ok && w.bufs[0].size == 8u << 20 &&
	     wl_total_bytes(&w, true) == (96u << 20) + 4096 &&
	     w.steps[2].op == WL_COPY && w.steps[1].rand && !w.steps[0].rand;
	wl_scale(&w, 8);
	ok = ok && w.bufs[0].size == 1u << 20 &&
	     wl_total_bytes(&w, true) == (12u << 20) + 4096;
	printf("%sok %d cloud-gaming at natural size and at scale 8\n",
	       ok ? "" : "not ", n);
	return ok;
}

/* resident: the surfaces take what the pinned set leaves, at any size */
static int test_pinned(int n, const char *dir)
{
	/* the ring page and the other gtt buffers */
	const uint64_t others = 4096 + (12u << 20) + (64u << 10) + 4096;
	char path[512], err[256];
	struct wl w;
	int ok;

	snprintf(path, sizeof(path), "%s/resident.wl", dir);
	ok = !wl_parse_file(path, &w, err, sizeof(err)) && w.rest == 0 &&
	     w.pinned == 1u << 30 && w.bufs[0].size == (1u << 30) - others &&
	     wl_total_bytes(&w, true) == (1u << 30) - 4096;
	ok = ok && !wl_set_pinned(&w, 4ull << 30, err, sizeof(err)) &&
	     w.bufs[0].size == (4ull << 30) - others &&
	     wl_total_bytes(&w, true) == (4ull << 30) - 4096;
	ok = ok && wl_set_pinned(&w, 8u << 20, err, sizeof(err)) == -1 &&
	     strstr(err, "leaves nothing for buffer 'surfaces'");
	snprintf(path, sizeof(path), "%s/render.wl", dir);
	ok = ok && !wl_parse_file(path, &w, err, sizeof(err)) &&
	     wl_set_pinned(&w, 1u << 30, err, sizeof(err)) == -1 &&
	     strstr(err, "has no 'rest' buffer");
	printf("%sok %d resident: -p sizes the surfaces, render refuses it\n",
	       ok ? "" : "not ", n);
	return ok;
}

int main(int argc, char **argv)
{
	int nc = sizeof(canned) / sizeof(canned[0]);
	int nb = sizeof(bad) / sizeof(bad[0]);
	int i, n = 0, fails = 0;
	const char *dir = argc > 1 ? argv[1] : "workloads";

	printf("TAP version 13\n1..%d\n", nc + nb + 2);
	for (i = 0; i < nc; i++)
		fails += !test_canned(++n, dir, canned[i]);
	for (i = 0; i < nb; i++)
		fails += !test_bad(++n, i);
	fails += !test_semantics(++n, dir);
	fails += !test_pinned(++n, dir);
	printf("# %d failed\n", fails);
	return fails != 0;
}
