/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * randrun.h - what the randomized testers share (vgpu_torture,
 * dirty_model_test): a seeded xorshift generator, a trace of the last
 * steps, and a failure that prints them with the seed, as TAP.
 *
 * A tester takes its options with rr_args(), sets randrun.name, then
 * rr_run()s its steps; each step is noted with rr_note() and checks with
 * rr_check().  randrun.on_fail, if set, prints the tester's own state
 * after the trace of a failure.
 */
#ifndef _RANDRUN_H
#define _RANDRUN_H

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <linux/types.h>

#define RR_TRACE	32

static struct {
	const char *name;	/* for "not ok 1 NAME" */
	unsigned int seed;
	double secs;		/* -t: how long to run */
	long max_steps;		/* -n: at most this many steps (-1: any) */
	bool keep;		/* -k: leave the instances behind */
	__u32 rng;
	long step;
	bool verbose;		/* every step on stderr */
	void (*on_fail)(void);
	char trace[RR_TRACE][160];
} randrun;

static inline void rr_seed(unsigned int seed)
{
	randrun.seed = seed;
	randrun.rng = seed ? seed : 1;
}

static inline __u32 rr_rnd(void)
{
	__u32 x = randrun.rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return randrun.rng = x;
}

static inline __u32 rr_pick(__u32 n)
{
	return rr_rnd() % n;
}

static inline bool rr_chance(__u32 percent)
{
	return rr_pick(100) < percent;
}

static inline __attribute__((format(printf, 1, 2)))
void rr_note(const char *fmt, ...)
{
	char *line = randrun.trace[randrun.step % RR_TRACE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(randrun.trace[0]), fmt, ap);
	va_end(ap);
	if (randrun.verbose)
		fprintf(stderr, "# %ld %s\n", randrun.step, line);
}

static inline __attribute__((noreturn, format(printf, 1, 2)))
void rr_fail(const char *fmt, ...)
{
	va_list ap;
	long i;

	printf("# FAILED at step %ld: ", randrun.step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# last steps:\n");
	for (i = randrun.step - RR_TRACE + 1; i <= randrun.step; i++)
		if (i >= 0)
			printf("#  %ld %s\n", i, randrun.trace[i % RR_TRACE]);
	if (randrun.on_fail)
		randrun.on_fail();
	printf("not ok 1 %s (seed %u: rerun with -s %u)\n", randrun.name,
	       randrun.seed, randrun.seed);
	fflush(stdout);
	exit(1);
}

#define rr_check(cond, ...) \
	do { if (!(cond)) rr_fail(__VA_ARGS__); } while (0)

static inline double rr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * [-s SEED] [-t SECONDS] [-n STEPS] [-v] [-k] (-k only if @keep_ok):
 * 0, or 2 after a usage message.  The seed defaults to the time.
 */
static inline int rr_args(int argc, char **argv, double secs, bool keep_ok)
{
	unsigned int seed = time(NULL);
	int opt;

	randrun.secs = secs;
	randrun.max_steps = -1;
	while ((opt = getopt(argc, argv, keep_ok ? "s:t:n:vk" : "s:t:n:v")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 't':
			randrun.secs = atof(optarg);
			break;
		case 'n':
			randrun.max_steps = atol(optarg);
			break;
		case 'v':
			randrun.verbose = true;
			break;
		case 'k':
			randrun.keep = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-t SECONDS] [-n STEPS] [-v]%s\n",
				argv[0], keep_ok ? " [-k]" : "");
			return 2;
		}
	}
	rr_seed(seed);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return 0;
}

/*
 * One @step after another, each followed by @check, until -t seconds or
 * -n steps: returns the seconds it took and the steps in *@steps.
 */
static inline double rr_run(void (*step)(void), void (*check)(void),
			    long *steps)
{
	double t0 = rr_now();

	printf("# seed %u (repeat: -s %u)\n", randrun.seed, randrun.seed);
	for (randrun.step = 0; randrun.max_steps < 0 ||
	     randrun.step < randrun.max_steps; randrun.step++) {
		if (!(randrun.step % 64) && rr_now() - t0 > randrun.secs)
			break;
		step();
		check();
	}
	*steps = randrun.step;
	return rr_now() - t0;
}

#endif /* _RANDRUN_H */
