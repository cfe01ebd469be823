/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two-thread loop of the unmap deadlock tests, run where a deadlock
 * cannot hang the test: the threads loop in a child process and count
 * their iterations in shared memory; the test itself only watches the
 * counts.  What it must see comes from TEST_PHASE (set by run-suite.sh
 * and by make check's deadlock control boot), never from the modules:
 *
 * - stock (Debian's type1, which deadlocks here): both threads must stop
 *   for DL_STALL_MS within DL_DEADLINE_S of the second one starting.  The
 *   stuck child is left behind (it can no longer exit); the VM is powered
 *   off after the run, so this runs in a VM boot of its own.
 * - fine, baseline (patched type1): the child must stop when told to, and
 *   in every second of the run each thread must do at least DL_FLOOR
 *   iterations, and at least 1/DL_FACTOR of what one thread alone did in
 *   the second before (same machine, similar load).  Observed on 2 shared
 *   cores: 2,600-69,000 for one thread alone, slowest thread-seconds of
 *   two threads down to 1/17 of the solo second; the host's load swings
 *   these several-fold from one second to the next, hence the wide
 *   factor.
 *
 * Include after kselftest_harness.h.
 */
#ifndef __DEADLOCK_WATCH_H
#define __DEADLOCK_WATCH_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DL_SECONDS	3	/* both threads, patched */
#define DL_FACTOR	100	/* a thread's rate vs one thread alone */
#define DL_FLOOR	100	/* iterations per thread and second */
#define DL_STALL_MS	2000	/* no iteration at all: stalled */
#define DL_DEADLINE_S	15	/* stock must stall within this */

/* one iteration of worker @id (0 or 1); 0 or -errno, @step says where */
typedef int (*dl_iter_fn)(void *ctx, int id, unsigned long n,
			  const char **step);

struct dl_shared {
	atomic_ulong iters[2];
	atomic_int go;		/* 1: worker 0 runs, 2: both run */
	atomic_bool stop;
	int err[2];
	char step[2][32];
};

struct dl_worker {
	struct dl_shared *sh;
	dl_iter_fn fn;
	void *ctx;
	int id;
};

static inline bool dl_expect_stall(struct __test_metadata *_metadata)
{
	const char *p = getenv("TEST_PHASE");

	ASSERT_NE(NULL, p)
		TH_LOG("set TEST_PHASE=stock|fine|baseline (run-suite.sh does)");
	if (!strcmp(p, "stock"))
		return true;
	ASSERT_TRUE(!strcmp(p, "fine") || !strcmp(p, "baseline"))
		TH_LOG("TEST_PHASE=%s: want stock, fine or baseline", p);
	return false;
}

static inline double dl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *dl_thread(void *arg)
{
	struct dl_worker *w = arg;
	struct dl_shared *sh = w->sh;
	const char *step = "";
	unsigned long n = 0;
	int err = 0;

	while (sh->go <= w->id && !sh->stop)
		usleep(1000);
	while (!sh->stop) {
		err = w->fn(w->ctx, w->id, n++, &step);
		if (err)
			break;
		sh->iters[w->id]++;
	}
	sh->err[w->id] = err;
	snprintf(sh->step[w->id], sizeof(sh->step[w->id]), "%s", step);
	return NULL;
}

/* the child: run both workers until told to stop */
static inline void dl_child(struct dl_shared *sh, dl_iter_fn fn, void *ctx)
{
	struct dl_worker w[2];
	pthread_t th[2];
	int i;

	for (i = 0; i < 2; i++) {
		w[i] = (struct dl_worker){ .sh = sh, .fn = fn, .ctx = ctx,
					   .id = i };
		if (pthread_create(&th[i], NULL, dl_thread, &w[i]))
			_exit(3);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	_exit(sh->err[0] || sh->err[1] ? 1 : 0);
}

/* wait up to @secs for the child; its exit status, or -1 if it is stuck */
static inline int dl_reap(pid_t pid, int secs)
{
	double end = dl_now() + secs;
	int status;

	while (dl_now() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		usleep(10000);
	}
	return -1;
}

/* stock: both workers must stop making progress; true once they have */
static inline bool dl_watch_stall(struct __test_metadata *_metadata,
				  struct dl_shared *sh, pid_t pid)
{
	unsigned long last[2] = { sh->iters[0], sh->iters[1] };
	double start = dl_now(), changed = start, t;
	int status;

	while ((t = dl_now()) < start + DL_DEADLINE_S) {
		usleep(100000);
		ASSERT_EQ(0, waitpid(pid, &status, WNOHANG))
			TH_LOG("loop child exited (status %#x): worker errors %d (%s), %d (%s)",
			       status, sh->err[0], sh->step[0], sh->err[1],
			       sh->step[1]);
		if (sh->iters[0] != last[0] || sh->iters[1] != last[1]) {
			last[0] = sh->iters[0];
			last[1] = sh->iters[1];
			changed = dl_now();
		} else if ((dl_now() - changed) * 1000 >= DL_STALL_MS) {
			TH_LOG("stalled %.1f s after the second thread started: %lu + %lu iterations, none for %d ms",
			       changed - start, last[0], last[1], DL_STALL_MS);
			return true;
		}
	}
	TH_LOG("no stall within %d s: %lu + %lu iterations", DL_DEADLINE_S,
	       last[0], last[1]);
	return false;
}

/*
 * Run the two-thread loop of @fn in a child and check what the phase
 * expects.  Sets *@stuck when the child is stuck (stock, or a patched
 * deadlock): the caller must then leave the device alone (no remove).
 */
static inline void dl_run(struct __test_metadata *_metadata, dl_iter_fn fn,
			  void *ctx, bool *stuck)
{
	struct dl_shared *sh;
	unsigned long solo, seen[DL_SECONDS + 1][2], min, d, slowest = ~0UL;
	bool stall = dl_expect_stall(_metadata);
	int s, i, rc;
	pid_t pid;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		dl_child(sh, fn, ctx);

	/* one thread alone for a second: the rate this machine gives now */
	sh->go = 1;
	sleep(1);
	solo = sh->iters[0];
	sh->go = 2;
	if (stall) {
		*stuck = dl_watch_stall(_metadata, sh, pid);
		if (*stuck) {
			TH_LOG("stock: one thread alone did %lu iterations in 1 s; two deadlock",
			       solo);
			return;
		}
		sh->stop = true;
		*stuck = dl_reap(pid, 10) == -1;
		ASSERT_TRUE(false)
			TH_LOG("stock type1 did not deadlock: this test cannot detect the deadlock");
	}

	seen[0][0] = sh->iters[0];
	seen[0][1] = sh->iters[1];
	for (s = 1; s <= DL_SECONDS; s++) {
		sleep(1);
		seen[s][0] = sh->iters[0];
		seen[s][1] = sh->iters[1];
	}
	sh->stop = true;
	rc = dl_reap(pid, 10);
	*stuck = rc == -1;
	ASSERT_NE(-1, rc)
		TH_LOG("the workers did not stop within 10 s: stuck");
	ASSERT_EQ(0, rc)
		TH_LOG("worker errors: %d at %s, %d at %s", sh->err[0],
		       sh->step[0], sh->err[1], sh->step[1]);
	min = solo / DL_FACTOR > DL_FLOOR ? solo / DL_FACTOR : DL_FLOOR;
	for (i = 0; i < 2; i++)
		for (s = 1; s <= DL_SECONDS; s++) {
			d = seen[s][i] - seen[s - 1][i];
			slowest = d < slowest ? d : slowest;
			EXPECT_LE(min, d)
				TH_LOG("thread %d slowed in second %d: %lu iterations",
				       i, s, d);
		}
	TH_LOG("one thread alone: %lu/s; two threads: %lu + %lu in %d s, slowest thread-second %lu (at least %lu)",
	       solo, seen[DL_SECONDS][0] - seen[0][0],
	       seen[DL_SECONDS][1] - seen[0][1], DL_SECONDS, slowest, min);
	munmap(sh, sizeof(*sh));
}

#endif
