#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM part of `make check`: each selftest prints TAP; the host counts
# the "ok"/"not ok" lines.  Tests that compare the patched backend with the
# stock one (the oracle) run their stock half first in the same boot.
# TEST_PHASE tells the tests which configuration is loaded, so that they
# know what to expect: stock, fine (patched, fine-grained vGPU) or baseline
# (patched, fine_dirty=0).
# "run-suite.sh stock" runs only what needs no series (phase 1 and the
# stock QEMU migration): for a kernel the series is not carried for yet.
parts=${1:-all}
cd /tests
fail=0
run() {	# NAME CMD...: run one TAP test binary, keep going on failure
	echo "# === $1"
	shift
	"$@" || fail=1
}

# Phase 1: stock Debian modules: oracle recordings, and the sample vGPU
# built for stock VFIO (baseline pinning, every pinned page dirty).
export TEST_PHASE=stock
vfio-mods stock
run oracle-stock ./dirty_oracle_test record /tmp/oracle.stock
run vgpu-cmd-stock ./vgpu_cmd_test
run vgpu-mig-stock ./vgpu_mig_test
vfio-mods unload
if [ "$parts" = stock ]; then
	[ -e qemu-migrate.sh ] && run qemu-migrate-stock env SCOPES=stock sh ./qemu-migrate.sh
	exit $fail
fi

# Phase 2: patched modules, fine-grained vGPU.
export TEST_PHASE=fine
vfio-mods patched
run oracle-patched ./dirty_oracle_test compare /tmp/oracle.stock
run dirty_scope ./dirty_scope_test
run dirty_stress ./dirty_stress_test
run unmap_deadlock ./unmap_deadlock_test
run vgpu-deadlock ./vgpu_deadlock_test
run vgpu-lifecycle ./vgpu_lifecycle_test
run vgpu-cmd ./vgpu_cmd_test
run vgpu-mig ./vgpu_mig_test
run vgpu-dmalog ./vgpu_dmalog_test
run vgpu-scale ./vgpu_scale_test
vfio-mods unload

# Phase 3: patched modules, vGPU with the capability off (baseline).
export TEST_PHASE=baseline
MODARGS_sample_vgpu=fine_dirty=0 vfio-mods patched
run vgpu-cmd-baseline ./vgpu_cmd_test
vfio-mods unload
run vgpu-migrate sh ./mig_test.sh
[ -e qemu-migrate.sh ] && run qemu-migrate sh ./qemu-migrate.sh
exit $fail
