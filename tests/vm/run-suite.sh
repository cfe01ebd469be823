#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM part of `make check`: each selftest prints TAP, framed as one
# part of the log (part.sh); the host counts each part against
# tests/manifest.  Tests that compare the patched backend with the
# stock one (the oracle) run their stock half first in the same boot.
# TEST_PHASE tells the tests which configuration is loaded, so that they
# know what to expect: stock, fine (patched, fine-grained vGPU) or baseline
# (patched, fine_dirty=0).
# "run-suite.sh stock" runs only what needs no series (phase 1 and the
# stock QEMU migration): for a kernel the series is not carried for yet.
# vfio-mods reports its own failures to the count ("# === status").
parts=${1:-all}
cd /tests || exit 2
. ./part.sh

# Phase 1: stock Debian modules: oracle recordings, and the sample vGPU
# built for stock VFIO (baseline pinning, every pinned page dirty).
export TEST_PHASE=stock
vfio-mods stock
part oracle-stock ./dirty_oracle_test record /tmp/oracle.stock
part vgpu-cmd-stock ./vgpu_cmd_test
part vgpu-mig-stock ./vgpu_mig_test
vfio-mods unload
if [ "$parts" = stock ]; then
	part qemu-migrate-stock env SCOPES=stock sh ./qemu-migrate.sh
	exit $fail
fi

# The stock half of dirty_fixes_test: the stock 6.12 behaviour each fix at
# the head of the series changes (its expectations are 6.12's).
vfio-mods stock
part dirty_fixes-stock ./dirty_fixes_test
vfio-mods unload

# Phase 2: patched modules, fine-grained vGPU.
export TEST_PHASE=fine
vfio-mods patched
part oracle-patched ./dirty_oracle_test compare /tmp/oracle.stock
part dirty_scope ./dirty_scope_test
part dirty_fixes ./dirty_fixes_test
part dirty_intent ./dirty_intent_test
part dirty_attach ./dirty_attach_test
part unmap_race ./unmap_race_test
part dirty_stress ./dirty_stress_test
part dirty_model ./dirty_model_test -t "${MODEL_TIME:-30}" -s "${MODEL_SEED:-1}"
part unmap_deadlock ./unmap_deadlock_test
part vgpu-deadlock ./vgpu_deadlock_test
part vgpu-lifecycle ./vgpu_lifecycle_test
part vgpu-cmd ./vgpu_cmd_test
part vgpu-mig ./vgpu_mig_test
part vgpu-dmalog ./vgpu_dmalog_test
part vgpu-scale ./vgpu_scale_test
part vgpu-hostile ./vgpu_hostile_test
part vgpu-torture ./vgpu_torture -t "${TORTURE_TIME:-60}" -s "${TORTURE_SEED:-1}"
part vgpu-display ./vgpu_display_test
part vgpu-rules ./vgpu_rules_test
vfio-mods unload

# Phase 3: patched modules, vGPU with the capability off (baseline).
export TEST_PHASE=baseline
MODARGS_sample_vgpu=fine_dirty=0 vfio-mods patched
part vgpu-cmd-baseline ./vgpu_cmd_test
vfio-mods unload
part vgpu-migrate sh ./mig_test.sh
part qemu-migrate sh ./qemu-migrate.sh
exit $fail
