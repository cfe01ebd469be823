/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mig_fsm.h - the VFIO migration state machine as <linux/vfio.h> describes
 * it, for a device with STOP_COPY | P2P | PRE_COPY: the arcs a driver
 * implements, and the path the VFIO core takes for any other request.
 * Written from the uAPI's text, for the tests: the user-space VFIO core of
 * tests/kshim and the model of vgpu_torture.
 *
 * Include after <linux/vfio.h>.
 */
#ifndef _MIG_FSM_H
#define _MIG_FSM_H

#include <stdbool.h>

#define MIG_NSTATE	(VFIO_DEVICE_STATE_PRE_COPY_P2P + 1)
#define MIG_NARCS	15

/* the "saving group": the states of a saving session */
static inline bool mig_saving(unsigned int s)
{
	return s == VFIO_DEVICE_STATE_STOP_COPY ||
	       s == VFIO_DEVICE_STATE_PRE_COPY ||
	       s == VFIO_DEVICE_STATE_PRE_COPY_P2P;
}

/* the device runs (executes, may DMA and interrupt) in these */
static inline bool mig_running(unsigned int s)
{
	return s == VFIO_DEVICE_STATE_RUNNING ||
	       s == VFIO_DEVICE_STATE_RUNNING_P2P ||
	       s == VFIO_DEVICE_STATE_PRE_COPY ||
	       s == VFIO_DEVICE_STATE_PRE_COPY_P2P;
}

/* an FSM arc of the uAPI ("The FSM takes actions on the arcs ...") */
static inline bool mig_arc(unsigned int a, unsigned int b)
{
	static const unsigned char arcs[MIG_NARCS][2] = {
		{ VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_RUNNING_P2P },
		{ VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_PRE_COPY },
		{ VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_RUNNING },
		{ VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_STOP },
		{ VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_PRE_COPY_P2P },
		{ VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RUNNING_P2P },
		{ VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_STOP_COPY },
		{ VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RESUMING },
		{ VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP },
		{ VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_STOP },
		{ VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_RUNNING },
		{ VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY_P2P },
		{ VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_PRE_COPY },
		{ VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_RUNNING_P2P },
		{ VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_STOP_COPY },
	};
	unsigned int i;

	for (i = 0; i < MIG_NARCS; i++)
		if (arcs[i][0] == a && arcs[i][1] == b)
			return true;
	return false;
}

/*
 * The path from @cur to @new, by the uAPI's rules: STOP_COPY -> PRE_COPY
 * and PRE_COPY_P2P are refused, ERROR cannot be requested; else the
 * shortest path whose interior leaves the saving group alone (a path may
 * stay inside it, from one saving state to another).  The states after
 * @cur go to @path; returns their number, or -1 for a refused request.
 */
static inline int mig_path(unsigned int cur, unsigned int new,
			   unsigned int *path)
{
	int prev[MIG_NSTATE], queue[MIG_NSTATE], head = 0, tail = 0, n = 0;
	bool inside = mig_saving(cur) && mig_saving(new);
	unsigned int rev[MIG_NSTATE];
	int s, t;

	if (cur == VFIO_DEVICE_STATE_ERROR || new == VFIO_DEVICE_STATE_ERROR ||
	    cur >= MIG_NSTATE || new >= MIG_NSTATE ||
	    (cur == VFIO_DEVICE_STATE_STOP_COPY &&
	     (new == VFIO_DEVICE_STATE_PRE_COPY ||
	      new == VFIO_DEVICE_STATE_PRE_COPY_P2P)))
		return -1;
	for (s = 0; s < MIG_NSTATE; s++)
		prev[s] = -1;
	prev[cur] = cur;
	queue[tail++] = cur;
	while (head < tail) {
		s = queue[head++];
		for (t = 0; t < MIG_NSTATE; t++) {
			if (prev[t] >= 0 || !mig_arc(s, t))
				continue;
			if (t != (int)new && mig_saving(t) && !inside)
				continue;
			prev[t] = s;
			queue[tail++] = t;
		}
	}
	if (prev[new] < 0)
		return -1;
	for (t = new; t != (int)cur; t = prev[t])
		rev[n++] = t;
	for (s = 0; s < n; s++)
		path[s] = rev[n - 1 - s];
	return n;
}

#endif /* _MIG_FSM_H */
