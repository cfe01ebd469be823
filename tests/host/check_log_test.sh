#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP test of the VM runner's kernel log check: each bad line fails it, a
# clean Debian boot log passes.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CHECK=$TOP/scripts/vm/check-log.sh
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
clean='[    0.000000] Linux version 6.12.117+deb12-amd64
[    3.100000] dirty_test_mdev: loading out-of-tree module taints kernel.
[    3.200000] dirty_test_mdev: module verification failed: signature and/or required key missing - tainting kernel
[    2.219890] rcu: 	RCU lockdep checking is enabled.
[    9.000000] kmemleak: Automatic memory scanning thread ended'
bad=(
 "WARNING: CPU: 1 PID: 80 at drivers/vfio/vfio_iommu_type1.c:900 x+0x1/0x2"
 "BUG: KASAN: slab-use-after-free in vfio_dma_do_unmap+0x10/0x20"
 "BUG: kernel NULL pointer dereference, address: 0000000000000008"
 "Oops: 0000 [#1] PREEMPT SMP NOPTI"
 "WARNING: possible circular locking dependency detected"
 "list_del corruption. prev->next should be ffff, but was dead"
 "INFO: task vfio_test:123 blocked for more than 120 seconds."
 "kmemleak: 3 new suspected memory leaks (see /sys/kernel/debug/kmemleak)"
 "Kernel panic - not syncing: Fatal exception"
 "DEBUG_LOCKS_WARN_ON(lock->magic != lock)"
 "INFO: lockdep is turned off. turning off the locking correctness validator."
 "WARNING: bad unlock balance detected!"
 "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"
 "rcu: INFO: rcu_preempt self-detected stall on CPU"
 "rcu: INFO: rcu_sched detected expedited stalls on CPUs/tasks: { 1-... } 21003 jiffies s: 405 root: 0x2/."
 "rcu: rcu_preempt kthread starved for 10502 jiffies! g3949 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x0 ->cpu=1"
 "NMI watchdog: Watchdog detected hard LOCKUP on cpu 1"
)
echo "TAP version 13"
echo "1..$(( ${#bad[@]} + 1 ))"
n=1
printf '%s\n' "$clean" > "$t/clean"
if "$CHECK" "$t/clean" > /dev/null; then echo "ok $n - clean log passes"
else echo "not ok $n - clean log passes"; fi
for line in "${bad[@]}"; do
	n=$((n + 1))
	printf '%s\n[ 5.0] %s\n' "$clean" "$line" > "$t/bad"
	if "$CHECK" "$t/bad" > /dev/null; then echo "not ok $n - caught: $line"
	else echo "ok $n - caught: ${line:0:50}"; fi
done
