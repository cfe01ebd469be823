#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-log.sh LOG [OUT]: exit 1 if the guest kernel log LOG has a line
# that must fail a run (WARN, BUG, Oops, KASAN, lockdep, list corruption,
# hung task, RCU stall, lockup, kmemleak report, panic); the lines go to
# OUT (default stdout).
# Lockdep's reports start with "WARNING:" or "BUG:"; the word "lockdep"
# alone is not a failure (a debug kernel prints "RCU lockdep checking is
# enabled." at every boot).
bad='WARNING:|BUG:|Oops|KASAN|kernel BUG|possible circular locking|possible recursive locking|inconsistent lock state|DEBUG_LOCKS_WARN_ON|turning off the locking correctness validator|list_del corruption|list_add corruption|general protection fault|Kernel panic|INFO: task .* blocked|kmemleak: .* new suspected|UBSAN:|refcount_t:|detected (expedited )?stall|rcu_.* kthread starved|hard LOCKUP'
if grep -E -n "$bad" "$1" > "${2:-/dev/stdout}"; then
	exit 1
fi
exit 0
