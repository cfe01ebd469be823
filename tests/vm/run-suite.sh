#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM part of `make check`: each selftest prints TAP; the host counts
# the "ok"/"not ok" lines.  Tests that compare the patched backend with the
# stock one (the oracle) run their stock half first in the same boot.
cd /tests
fail=0
run() {	# NAME CMD...: run one TAP test binary, keep going on failure
	echo "# === $1"
	shift
	"$@" || fail=1
}

# Phase 1: stock Debian modules, oracle recordings.
vfio-mods stock
run oracle-stock ./dirty_oracle_test record /tmp/oracle.stock
vfio-mods unload

# Phase 2: patched modules.
vfio-mods patched
run oracle-patched ./dirty_oracle_test compare /tmp/oracle.stock
run dirty_scope ./dirty_scope_test
run dirty_stress ./dirty_stress_test
run unmap_deadlock ./unmap_deadlock_test
for t in ./vgpu_*_test; do
	[ -x "$t" ] || continue
	run "$t" "$t"
done
vfio-mods unload
exit $fail
