#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM part of `make series-build`: the selftests that apply to the
# fixes at the head of the series alone (its leading patches with a Fixes:
# tag), whose modules series-build.sh puts in /lib/mods/fixes with the
# stock-API builds of the test mdev and the sample vGPU.  The stock
# Debian modules run first: the oracle recording and the stock half of
# dirty_fixes_test.  To tests that read TEST_PHASE the fixes are a patched
# type1 without fine-grained devices (baseline).
cd /tests || exit 2
. ./part.sh

export TEST_PHASE=stock
vfio-mods stock
part oracle-stock ./dirty_oracle_test record /tmp/oracle.stock
part dirty_fixes-stock ./dirty_fixes_test
vfio-mods unload

export TEST_PHASE=baseline
vfio-mods fixes
part oracle-fixes ./dirty_oracle_test compare /tmp/oracle.stock
part dirty_fixes-fixes ./dirty_fixes_test
part unmap_deadlock-fixes ./unmap_deadlock_test
part unmap_race-fixes ./unmap_race_test
part vgpu-deadlock-fixes ./vgpu_deadlock_test
vfio-mods unload
exit $fail
