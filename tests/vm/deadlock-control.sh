#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The negative control of the deadlock tests, in a VM boot of its own
# (make check boots it after the suite): on Debian's stock modules, where
# the unmap deadlock is real, each deadlock test must see its two threads
# stall (TEST_PHASE=stock, tests/selftests/deadlock_watch.h).  The stuck
# processes stay behind until the VM powers off; nothing else runs here.
cd /tests || exit 2
. ./part.sh
export TEST_PHASE=stock
vfio-mods stock
part unmap_deadlock-stock ./unmap_deadlock_test
part vgpu-deadlock-stock ./vgpu_deadlock_test
exit $fail
