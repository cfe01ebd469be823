// SPDX-License-Identifier: GPL-2.0-only
/*
 * parse.c - workload file parser (format: docs/workloads.rst)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl.h"

#define WL_MAX_TOKENS	16
#define WL_MAX_TEXT	(1 << 20)

struct tok {
	const char *s;
	int len;
	int col;
};

struct pctx {
	const char *file;
	int line;
	char *err;
	size_t errlen;
	struct wl *w;
	int pinned_line;	/* line of the pinned directive */
};

static int perr(struct pctx *c, int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s:%d:%d: ", c->file, c->line, col);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return (int)strlen(s) == t->len && !strncmp(t->s, s, t->len);
}

/* Split one line (without '\n') into tokens; '#' starts a comment. */
static int tokenize(struct pctx *c, const char *line, int len,
		    struct tok *t)
{
	int i = 0, n = 0;

	while (i < len) {
		if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++;
			continue;
		}
		if (line[i] == '#')
			break;
		if (n == WL_MAX_TOKENS)
			return perr(c, i + 1, "too many words on a line");
		t[n].s = line + i;
		t[n].col = i + 1;
		while (i < len && line[i] != ' ' && line[i] != '\t' &&
		       line[i] != '\r' && line[i] != '#')
			i++;
		t[n].len = line + i - t[n].s;
		n++;
	}
	return n;
}

int wl_size(const char *s, bool suffix, uint64_t *out)
{
	uint64_t v, mul = 1;
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (suffix && end != s && *end && !end[1] && strchr("KMG", *end)) {
		mul = *end == 'K' ? 1ull << 10 :
		      *end == 'M' ? 1ull << 20 : 1ull << 30;
		end++;
	}
	if (errno || end == s || *end || v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_u64(struct pctx *c, const struct tok *t, const char *s,
		     int len, bool suffix, uint64_t *out)
{
	char buf[32];

	if (len <= 0 || len >= (int)sizeof(buf))
		return perr(c, t->col, "expected a number");
	memcpy(buf, s, len);
	buf[len] = 0;
	if (buf[0] == '-' || (suffix && len == 1 && strchr("KMG", buf[0])))
		return perr(c, t->col, "expected a number, got '%.*s'",
			    t->len, t->s);
	if (wl_size(buf, suffix, out))
		return perr(c, t->col, "bad number '%.*s'", t->len, t->s);
	return 0;
}

static int parse_double(struct pctx *c, const struct tok *t, const char *s,
			int len, double *out)
{
	char buf[32], *end;

	if (len <= 0 || len >= (int)sizeof(buf))
		return perr(c, t->col, "expected a number");
	memcpy(buf, s, len);
	buf[len] = 0;
	errno = 0;
	*out = strtod(buf, &end);
	if (errno || *end || *out != *out)
		return perr(c, t->col, "bad number '%.*s'", t->len, t->s);
	return 0;
}

static int find_buf(struct pctx *c, const struct tok *t, const char *s,
		    int len)
{
	int i;

	for (i = 0; i < c->w->nbufs; i++)
		if ((int)strlen(c->w->bufs[i].name) == len &&
		    !strncmp(c->w->bufs[i].name, s, len))
			return i;
	return perr(c, t->col, "no buffer named '%.*s'", len, s) - 1;
}

static int want_args(struct pctx *c, const struct tok *t, int n, int min,
		     int max)
{
	if (n < min)
		return perr(c, t[n - 1].col + t[n - 1].len,
			    "'%.*s' needs %d argument%s", t[0].len, t[0].s,
			    min - 1, min == 2 ? "" : "s");
	if (n > max)
		return perr(c, t[max].col, "unexpected '%.*s'", t[max].len,
			    t[max].s);
	return 0;
}

static int do_name(struct pctx *c, struct tok *t, int n)
{
	if (want_args(c, t, n, 2, 2))
		return -1;
	if (t[1].len >= WL_NAME_LEN)
		return perr(c, t[1].col, "name longer than %d", WL_NAME_LEN - 1);
	snprintf(c->w->name, WL_NAME_LEN, "%.*s", t[1].len, t[1].s);
	return 0;
}

static int do_number(struct pctx *c, struct tok *t, int n)
{
	uint64_t v;

	if (want_args(c, t, n, 2, 2))
		return -1;
	if (tok_is(&t[0], "period"))
		return parse_double(c, &t[1], t[1].s, t[1].len,
				    &c->w->period_ms) ? -1 :
		       c->w->period_ms < 0 || c->w->period_ms > 10000 ?
		       perr(c, t[1].col, "period must be 0..10000 ms") : 0;
	if (parse_u64(c, &t[1], t[1].s, t[1].len, false, &v))
		return -1;
	if (tok_is(&t[0], "seed")) {
		c->w->seed = v;
		return 0;
	}
	if (tok_is(&t[0], "scale")) {
		if (!v || v > WL_MAX_SCALE)
			return perr(c, t[1].col, "scale must be 1..%d",
				    WL_MAX_SCALE);
		c->w->scale = v;
		return 0;
	}
	if (!v || v > 1000000)
		return perr(c, t[1].col, "frames must be 1..1000000");
	c->w->frames = v;
	return 0;
}

/* pinned SIZE: what the gtt buffers take together, with a "rest" buffer */
static int do_pinned(struct pctx *c, struct tok *t, int n)
{
	uint64_t v;

	if (want_args(c, t, n, 2, 2) ||
	    parse_u64(c, &t[1], t[1].s, t[1].len, true, &v))
		return -1;
	if (!v || v % WL_PAGE || v > (64ull << 30))
		return perr(c, t[1].col,
			    "pinned must be a non-zero multiple of 4K up to 64G");
	c->w->pinned = v;
	c->pinned_line = c->line;
	return 0;
}

static int do_buffer(struct pctx *c, struct tok *t, int n)
{
	struct wl_buf *b = &c->w->bufs[c->w->nbufs];
	uint64_t size = 0;

	if (want_args(c, t, n, 4, 4))
		return -1;
	if (c->w->nbufs == WL_MAX_BUFS)
		return perr(c, t[0].col, "more than %d buffers", WL_MAX_BUFS);
	if (t[1].len >= WL_NAME_LEN || strchr("0123456789", t[1].s[0]))
		return perr(c, t[1].col, "bad buffer name '%.*s'", t[1].len,
			    t[1].s);
	if (find_buf(c, &t[1], t[1].s, t[1].len) >= 0)
		return perr(c, t[1].col, "buffer '%.*s' defined twice",
			    t[1].len, t[1].s);
	if (tok_is(&t[2], "rest")) {
		if (c->w->rest >= 0)
			return perr(c, t[2].col, "a second 'rest' buffer");
		if (!tok_is(&t[3], "gtt"))
			return perr(c, t[3].col, "a 'rest' buffer is gtt");
		c->w->rest = c->w->nbufs;
	} else if (parse_u64(c, &t[2], t[2].s, t[2].len, true, &size)) {
		return -1;
	} else if (!size || size % WL_PAGE || size > (64ull << 30)) {
		return perr(c, t[2].col,
			    "size must be a non-zero multiple of 4K up to 64G");
	}
	if (!tok_is(&t[3], "gtt") && !tok_is(&t[3], "nogtt"))
		return perr(c, t[3].col, "expected 'gtt' or 'nogtt'");
	snprintf(b->name, WL_NAME_LEN, "%.*s", t[1].len, t[1].s);
	b->size = size;
	b->gtt = tok_is(&t[3], "gtt");
	b->line = c->line;
	c->w->nbufs++;
	return 0;
}

static const char *const op_names[] = {
	[WL_FILL] = "fill", [WL_COPY] = "copy", [WL_WRITE] = "write",
	[WL_FENCE] = "fence", [WL_CPU] = "cpu",
};

const char *wl_op_name(enum wl_op op)
{
	return op_names[op];
}

/* One key=value of a step. */
static int step_kv(struct pctx *c, struct wl_step *s, const struct tok *t)
{
	const char *eq = memchr(t->s, '=', t->len);
	int klen, vlen;
	const char *v;
	uint64_t u;

	if (!eq)
		return perr(c, t->col, "expected key=value, got '%.*s'",
			    t->len, t->s);
	klen = eq - t->s;
	v = eq + 1;
	vlen = t->len - klen - 1;
	if (klen == 3 && !strncmp(t->s, "src", 3))
		return (s->src = find_buf(c, t, v, vlen)) < 0 ? -1 : 0;
	if (klen == 3 && !strncmp(t->s, "dst", 3))
		return (s->dst = find_buf(c, t, v, vlen)) < 0 ? -1 : 0;
	if (klen == 4 && !strncmp(t->s, "frac", 4)) {
		if (parse_double(c, t, v, vlen, &s->frac))
			return -1;
		return s->frac > 0 && s->frac <= 1 ? 0 :
		       perr(c, t->col + 5, "frac must be in (0, 1]");
	}
	if (klen == 2 && !strncmp(t->s, "at", 2)) {
		if (vlen == 4 && !strncmp(v, "rand", 4))
			s->rand = true;
		else if (vlen != 3 || strncmp(v, "seq", 3))
			return perr(c, t->col + 3, "at= takes seq or rand");
		return 0;
	}
	if (klen == 5 && !strncmp(t->s, "count", 5)) {
		if (parse_u64(c, t, v, vlen, false, &u))
			return -1;
		if (!u || u > 4096)
			return perr(c, t->col + 6, "count must be 1..4096");
		s->count = u;
		return 0;
	}
	if (klen == 7 && !strncmp(t->s, "pattern", 7)) {
		if (parse_u64(c, t, v, vlen, false, &u))
			return -1;
		if (u > UINT32_MAX)
			return perr(c, t->col + 8, "pattern is 32 bits");
		s->pattern = u;
		return 0;
	}
	return perr(c, t->col, "unknown key '%.*s'", klen, t->s);
}

static int check_step(struct pctx *c, struct wl_step *s, struct tok *t)
{
	struct wl_buf *b = c->w->bufs;

	if (s->dst < 0)
		return perr(c, t[0].col, "%s needs dst=", op_names[s->op]);
	if (s->op == WL_COPY && s->src < 0)
		return perr(c, t[0].col, "copy needs src=");
	if (s->op != WL_COPY && s->src >= 0)
		return perr(c, t[0].col, "only copy takes src=");
	if (s->op == WL_COPY && s->src == s->dst)
		return perr(c, t[0].col, "copy src and dst are one buffer");
	if (s->op != WL_CPU && !b[s->dst].gtt)
		return perr(c, t[0].col, "device step writes '%s': not gtt",
			    b[s->dst].name);
	if (s->op == WL_COPY && !b[s->src].gtt)
		return perr(c, t[0].col, "device step reads '%s': not gtt",
			    b[s->src].name);
	return 0;
}

static int do_step(struct pctx *c, struct tok *t, int n)
{
	struct wl_step *s = &c->w->steps[c->w->nsteps];
	int i;

	if (want_args(c, t, n, 3, WL_MAX_TOKENS))
		return -1;
	if (c->w->nsteps == WL_MAX_STEPS)
		return perr(c, t[0].col, "more than %d steps", WL_MAX_STEPS);
	memset(s, 0, sizeof(*s));
	for (i = 0; i <= WL_CPU; i++)
		if (tok_is(&t[1], op_names[i]))
			break;
	if (i > WL_CPU)
		return perr(c, t[1].col,
			    "unknown step '%.*s' (fill copy write fence cpu)",
			    t[1].len, t[1].s);
	s->op = i;
	s->src = s->dst = -1;
	s->frac = 1;
	s->count = 1;
	s->pattern = 0x5a5a0000u | c->w->nsteps;
	s->line = c->line;
	for (i = 2; i < n; i++)
		if (step_kv(c, s, &t[i]))
			return -1;
	if (check_step(c, s, t))
		return -1;
	c->w->nsteps++;
	return 0;
}

static int parse_line(struct pctx *c, const char *line, int len)
{
	struct tok t[WL_MAX_TOKENS];
	int n = tokenize(c, line, len, t);

	if (n <= 0)
		return n;
	if (tok_is(&t[0], "workload"))
		return do_name(c, t, n);
	if (tok_is(&t[0], "seed") || tok_is(&t[0], "frames") ||
	    tok_is(&t[0], "period") || tok_is(&t[0], "scale"))
		return do_number(c, t, n);
	if (tok_is(&t[0], "buffer"))
		return do_buffer(c, t, n);
	if (tok_is(&t[0], "pinned"))
		return do_pinned(c, t, n);
	if (tok_is(&t[0], "step"))
		return do_step(c, t, n);
	return perr(c, t[0].col, "unknown directive '%.*s'", t[0].len,
		    t[0].s);
}

/* Size the rest buffer from the pinned set (errors at its line). */
static int size_rest(struct pctx *c)
{
	struct wl *w = c->w;

	/* the tools put a one-page ring in front of the buffers */
	uint64_t others = WL_PAGE;
	int i;

	for (i = 0; i < w->nbufs; i++)
		if (w->bufs[i].gtt && i != w->rest)
			others += w->bufs[i].size;
	if (w->pinned <= others)
		return perr(c, 1,
			    "pinned %llu KiB leaves nothing for buffer '%s' (the ring and the other gtt buffers take %llu KiB)",
			    (unsigned long long)w->pinned >> 10,
			    w->bufs[w->rest].name,
			    (unsigned long long)others >> 10);
	w->bufs[w->rest].size = w->pinned - others;
	return 0;
}

static int finish_pinned(struct pctx *c)
{
	struct wl *w = c->w;

	if (w->rest < 0 && w->pinned) {
		c->line = c->pinned_line;
		return perr(c, 1, "'pinned' needs a buffer of size 'rest'");
	}
	if (w->rest < 0)
		return 0;
	c->line = w->bufs[w->rest].line;
	if (!w->pinned)
		return perr(c, 1, "buffer '%s' is 'rest' of a 'pinned' size that is not given",
			    w->bufs[w->rest].name);
	return size_rest(c);
}

int wl_set_pinned(struct wl *w, uint64_t bytes, char *err, size_t errlen)
{
	struct pctx c = { .file = w->name, .err = err, .errlen = errlen,
			  .w = w };

	if (w->rest < 0) {
		snprintf(err, errlen,
			 "workload %s has no 'rest' buffer: its pinned set is fixed",
			 w->name);
		return -1;
	}
	if (!bytes || bytes % WL_PAGE) {
		snprintf(err, errlen,
			 "pinned set must be a non-zero multiple of 4K");
		return -1;
	}
	w->pinned = bytes;
	c.line = w->bufs[w->rest].line;
	return size_rest(&c);
}

int wl_parse_text(const char *file, const char *text, struct wl *w,
		  char *err, size_t errlen)
{
	struct pctx c = { .file = file, .err = err, .errlen = errlen, .w = w };
	const char *p = text, *nl;

	memset(w, 0, sizeof(*w));
	snprintf(w->name, WL_NAME_LEN, "unnamed");
	w->seed = 1;
	w->frames = 10;
	w->scale = 1;
	w->rest = -1;
	while (*p) {
		c.line++;
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (parse_line(&c, p, nl - p))
			return -1;
		p = *nl ? nl + 1 : nl;
	}
	if (!w->nbufs) {
		c.line = c.line ? c.line : 1;
		return perr(&c, 1, "no buffer defined");
	}
	return finish_pinned(&c);
}

int wl_parse_file(const char *path, struct wl *w, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;
	int ret;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(WL_MAX_TEXT + 1);
	if (!text) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(text, 1, WL_MAX_TEXT, f);
	fclose(f);
	text[n] = 0;
	if (n == WL_MAX_TEXT || memchr(text, 0, n)) {
		free(text);
		snprintf(err, errlen, "%s: not a workload (binary or > 1 MiB)",
			 path);
		return -1;
	}
	ret = wl_parse_text(path, text, w, err, errlen);
	free(text);
	return ret;
}

void wl_scale(struct wl *w, unsigned int div)
{
	int i;

	if (!div)
		div = w->scale;
	w->scale = div;
	if (div <= 1)
		return;
	for (i = 0; i < w->nbufs; i++) {
		uint64_t pages = w->bufs[i].size / WL_PAGE;

		pages = (pages + div - 1) / div;
		w->bufs[i].size = pages * WL_PAGE;
	}
	if (w->pinned)
		w->pinned = WL_PAGE + wl_total_bytes(w, true);
}

uint64_t wl_total_bytes(const struct wl *w, bool gtt_only)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < w->nbufs; i++)
		if (w->bufs[i].gtt || !gtt_only)
			sum += w->bufs[i].size;
	return sum;
}

uint32_t wl_step_pages(const struct wl *w, const struct wl_step *s)
{
	uint64_t pages = w->bufs[s->dst].size / WL_PAGE, n;

	if (s->op == WL_COPY && w->bufs[s->src].size / WL_PAGE < pages)
		pages = w->bufs[s->src].size / WL_PAGE;
	n = (uint64_t)(s->frac * pages + 0.5);
	return n ? n : 1;
}
