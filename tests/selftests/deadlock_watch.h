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
 * - fine, baseline (patched type1): with both threads running, each must
 *   do DL_TOGETHER iterations, DL_OVERLAP of them while the other thread
 *   completed one of its own (so the two really ran into each other), and
 *   the child must then stop when told to.  Counts, not rates: a loaded
 *   host only makes this take longer.  (A per-second rate floor flaked at
 *   load 12.)  The one timer is the hang guard: a thread that completes no
 *   iteration for DL_HANG_S is stuck.  If the threads never overlap, the
 *   run ends at DL_TOGETHER * DL_NO_OVERLAP iterations and fails.
 *
 * Include after kselftest_harness.h; declare the test with
 * TEST_F_TIMEOUT(..., DL_TIMEOUT_S): the harness's default 30 s leaves no
 * room for the hang guard.
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

#define DL_TOGETHER	300	/* iterations per thread, both running */
#define DL_OVERLAP	30	/* of them, the other thread completed one */
#define DL_NO_OVERLAP	50	/* give up after DL_TOGETHER * this */
#define DL_HANG_S	30	/* no iteration by a thread: stuck */
#define DL_TIMEOUT_S	120	/* the harness's, for TEST_F_TIMEOUT() */
#define DL_STALL_MS	2000	/* no iteration at all: stalled */
#define DL_DEADLINE_S	15	/* stock must stall within this */

/* one iteration of worker @id (0 or 1); 0 or -errno, @step says where */
typedef int (*dl_iter_fn)(void *ctx, int id, unsigned long n,
			  const char **step);

struct dl_shared {
	atomic_ulong iters[2];
	atomic_ulong overlap[2];	/* the other one completed one meanwhile */
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
		unsigned long other = sh->iters[!w->id];

		err = w->fn(w->ctx, w->id, n++, &step);
		if (err)
			break;
		if (sh->iters[!w->id] != other)
			sh->overlap[w->id]++;
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
 * fine: until each worker has done DL_TOGETHER iterations, DL_OVERLAP of
 * them overlapping the other's, or one of them hangs.  0 once the counts
 * are reached, -1 on a hang, 1 if they never overlapped.  @base holds the
 * counts when the second worker started.
 */
static inline int dl_watch_progress(struct dl_shared *sh,
				    const unsigned long base[2], int *hung)
{
	unsigned long last[2] = { sh->iters[0], sh->iters[1] };
	double changed[2] = { dl_now(), dl_now() };
	bool done;
	int i;

	for (;;) {
		usleep(10000);
		done = true;
		for (i = 0; i < 2; i++) {
			if (sh->iters[i] != last[i]) {
				last[i] = sh->iters[i];
				changed[i] = dl_now();
			} else if (dl_now() - changed[i] >= DL_HANG_S) {
				*hung = i;
				return -1;
			}
			if (last[i] - base[i] >= DL_TOGETHER * DL_NO_OVERLAP)
				return 1;
			done &= last[i] - base[i] >= DL_TOGETHER &&
				sh->overlap[i] >= DL_OVERLAP;
		}
		if (done)
			return 0;
	}
}

/*
 * Run the two-thread loop of @fn in a child and check what the phase
 * expects.  Sets *@stuck when the child is stuck (stock, or a patched
 * deadlock): the caller must then leave the device alone (no remove).
 */
static inline void dl_run(struct __test_metadata *_metadata, dl_iter_fn fn,
			  void *ctx, bool *stuck)
{
	bool stall = dl_expect_stall(_metadata);
	unsigned long solo, base[2];
	struct dl_shared *sh;
	double t0;
	int hung = -1, rc;
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

	base[0] = sh->iters[0];
	base[1] = sh->iters[1];
	t0 = dl_now();
	rc = dl_watch_progress(sh, base, &hung);
	sh->stop = true;
	if (rc < 0) {
		*stuck = dl_reap(pid, DL_HANG_S) == -1;
		ASSERT_TRUE(false)
			TH_LOG("thread %d did no iteration for %d s (%lu + %lu since both started; steps %s, %s): stuck",
			       hung, DL_HANG_S, sh->iters[0] - base[0],
			       sh->iters[1] - base[1], sh->step[0], sh->step[1]);
	}
	TH_LOG("one thread alone: %lu in 1 s; two threads: %lu + %lu, %lu + %lu overlapping, in %.1f s",
	       solo, sh->iters[0] - base[0], sh->iters[1] - base[1],
	       (unsigned long)sh->overlap[0], (unsigned long)sh->overlap[1],
	       dl_now() - t0);
	EXPECT_EQ(0, rc)
		TH_LOG("the threads never overlapped in %d iterations each",
		       DL_TOGETHER * DL_NO_OVERLAP);
	rc = dl_reap(pid, DL_HANG_S);
	*stuck = rc == -1;
	ASSERT_NE(-1, rc)
		TH_LOG("the workers did not stop within %d s: stuck", DL_HANG_S);
	ASSERT_EQ(0, rc)
		TH_LOG("worker errors: %d at %s, %d at %s", sh->err[0],
		       sh->step[0], sh->err[1], sh->step[1]);
	munmap(sh, sizeof(*sh));
}

#endif
