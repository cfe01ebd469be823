#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: the whole test suite on a debug kernel (KASAN,
# lockdep, kmemleak, DEBUG_LIST, fault injection; IOMMUFD=y with the legacy
# VFIO container), then fault injection over the new paths, then a
# kmemleak scan.  Any test failure, WARN/BUG/KASAN/lockdep/list corruption
# line or kmemleak report fails it.  Ends with "N passed, N failed".
#
#   1. scripts/debug/build-kernel.sh: build or reuse build-debug/linux
#   2. the stock oracle for that kernel: its own vfio.ko and
#      vfio_iommu_type1.ko, plus mdev.ko built out of tree from its pristine
#      drivers/vfio/mdev (VFIO_MDEV has no prompt)
#   3. scripts/build.sh with BUILD=build-debug/out, KDIR=<debug tree>
#      (2 and 3: scripts/debug/build-on.sh)
#   4. the fault injection walk (tests/faults/dirty_faults.c, on lib/)
#   5. scripts/vm/run.sh on the debug bzImage
#
# Environment: DEBUG_DIR (default build-debug), FAULTS=0 (skip the fault
# injection walk), VM_TIMEOUT (s, default 3000), VM_MEM (default 4G),
# SKIP_SETUP=1 (passed to build.sh).  The main build (`make`) must have run.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
D=${DEBUG_DIR:-$TOP/build-debug}
mkdir -p "$D"
D=$(cd "$D" && pwd)
OUT=$D/out
log() { echo "check-debug: $*" >&2; }
t_start=$(date +%s)

# --- 1. the debug kernel -------------------------------------------------
K=$(DEBUG_DIR=$D "$TOP/scripts/debug/build-kernel.sh" | tail -1) || {
	log "debug kernel build failed (see above)"; exit 1; }
KREL=$(cat "$K/include/config/kernel.release")
t_kernel=$(date +%s)

# --- 2, 3. the stock oracle for the debug kernel, the project against it --
"$TOP/scripts/debug/build-on.sh" "$K" "$OUT" || exit 1

# --- 4. the guest-side extras ---------------------------------------------
X=$D/vm/extra
rm -rf "$X"
mkdir -p "$X/debug"
make -s -C "$TOP/tests/faults" BUILD="$OUT" TOP="$TOP" OUT="$X/debug" ||
	{ log "dirty_faults build failed"; exit 1; }
install -m755 "$TOP/scripts/debug/guest-debug.sh" "$X/debug/guest-debug.sh"
(cd "$X" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$D/vm/extra.cpio"
t_build=$(date +%s)

# --- 5. the suite on the debug kernel, two boots ------------------------
# (see guest-debug.sh: every patched run precedes any stock run in its boot,
# since lockdep stops after reporting the stock inversion)
res=$D/check
rm -rf "$res"
mkdir -p "$res"
: > "$res/tap.log"

# Kernel log lines that fail the run: scripts/vm/check-log.sh's, minus
# lockdep's report of the stock 6.12 inversion (iommu->lock vs
# device_list_lock, the deadlock patch 0001 fixes), when it comes while
# the stock modules are loaded; it is counted in figures instead.
classify() {	# GUEST-KERNEL-LOG OUT-FILTERED OUT-EXPECTED
	python3 - "$@" <<'PY'
import re, sys
log, out, exp = sys.argv[1:4]
lines = open(log, errors="replace").read().splitlines()
mode, keep, expected, i = "", [], [], 0
while i < len(lines):
    l = lines[i]
    m = re.search(r"check-debug: vfio-mods (\w+)", l)
    if m:
        mode = m.group(1)
    if "@@DMESG-BEGIN" in l:
        mode = ""
    if "possible circular locking dependency detected" in l and mode == "stock":
        # the whole report: up to the end of its stack trace
        j = i + 1
        while j < len(lines) and "</TASK>" not in lines[j] and j < i + 200:
            j += 1
        block = lines[max(i - 2, 0):j + 1]
        text = "\n".join(block)
        if "&iommu->device_list_lock" in text and "vfio_iommu_type1" in text:
            expected.append(text)
            i = j + 1
            continue
    keep.append(l)
    i += 1
open(out, "w").write("\n".join(keep) + "\n")
open(exp, "w").write("\n\n".join(expected) + ("\n" if expected else ""))
PY
}

vm_boot() {	# NAME GUEST-MODE EXTRA-CPIO...
	local name=$1 mode=$2 rc
	shift 2
	log "boot '$name' on $KREL (TCG; KASAN + lockdep + kmemleak are slow)"
	KERNEL=$K/arch/x86/boot/bzImage INITRAMFS=$OUT/vm/initramfs.cpio \
	APPEND="log_buf_len=8M no5lvl ${APPEND:-}" EXTRA_INITRD="$*" BUILD=$OUT \
		"$TOP/scripts/vm/run.sh" -H -m "${VM_MEM:-4G}" -t "${VM_TIMEOUT:-3000}" \
		-l "$res/$name" -- "FAULTS=${FAULTS:-1} sh /debug/guest-debug.sh $mode" \
		2>&1 | sed -u '/^@@ORACLE-BEGIN/,/^@@ORACLE-END/d' | tee -a "$res/tap.log"
	rc=${PIPESTATUS[0]}
	classify "$res/$name/guest-kernel.log" "$res/$name/filtered.log" \
		"$res/$name/expected-stock-lockdep.log"
	"$TOP/scripts/vm/check-log.sh" "$res/$name/filtered.log" "$res/$name/unexpected.log"
	# run.sh fails a run with bad log lines (125); our filter decides here
	if [ "$rc" = 125 ] && [ ! -s "$res/$name/unexpected.log" ]; then
		rc=0
	fi
	if [ -s "$res/$name/unexpected.log" ]; then
		echo "not ok - boot $name: guest kernel log has WARN/BUG/KASAN/lockdep/kmemleak lines:" |
			tee -a "$res/tap.log"
		head -20 "$res/$name/unexpected.log" | sed 's/^/#   /' | tee -a "$res/tap.log"
	fi
	if [ -s "$res/$name/expected-stock-lockdep.log" ]; then
		echo "# boot $name: lockdep reported the stock 6.12 inversion (expected;" \
		     "fixed by patch 0001): $res/$name/expected-stock-lockdep.log" | tee -a "$res/tap.log"
	fi
	# a failing test has printed its "not ok" already: count only what
	# printed none (timeout 124, VM failure 126, ...), as check.sh does
	echo "$rc" > "$res/$name/rc"
	case "$rc" in
	0|1|125) ;;
	*)	echo "not ok - boot $name: exit $rc (timeout or VM failure; see $res/$name)" |
			tee -a "$res/tap.log" ;;
	esac
	return 0
}

vm_boot vm1 first "$D/vm/extra.cpio"
# the stock oracle recording, for the second boot
O=$D/vm/oracle
rm -rf "$O"
mkdir -p "$O/debug"
sed -n '/^@@ORACLE-BEGIN/,/^@@ORACLE-END/p' "$res/vm1/guest-out.log" | sed '1d;$d' |
	tr -d '\r' |
	base64 -d > "$O/debug/oracle.stock" 2>/dev/null || rm -f "$O/debug/oracle.stock"
(cd "$O" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$D/vm/oracle.cpio"
vm_boot vm2 second "$D/vm/extra.cpio" "$D/vm/oracle.cpio"
t_end=$(date +%s)

pass=$(grep -cE '^ok [0-9]+' "$res/tap.log" | tr -d ' ')
skip=$(grep -E '^ok [0-9]+' "$res/tap.log" | grep -c '# SKIP' | tr -d ' ')
fail=$(grep -cE '^not ok( [0-9]+| -)' "$res/tap.log" | tr -d ' ')
pass=$((pass - skip))
if [ "$fail" = 0 ] && [ "$(cat "$res"/vm*/rc | sort -u)" != 0 ]; then
	echo "not ok - a boot exited non-zero without a failing test (see $res/vm*)"
	fail=1
fi
{
	echo "kernel=$KREL"
	[ -s "$D/kernel-build-seconds" ] && echo "kernel_build_seconds=$(cat "$D/kernel-build-seconds")"
	echo "kernel_step_seconds=$((t_kernel - t_start))"
	echo "project_build_seconds=$((t_build - t_kernel))"
	echo "vm_wall_seconds=$((t_end - t_build))"
	for b in vm1 vm2; do
		tr -d '\r' < "$res/$b/guest-out.log" | sed -n \
			-e "s/^@@VM-START \(.*\)/${b}_boot_to_init_seconds=\1/p" \
			-e "s/^@@SUITE-SECONDS \(.*\)/${b}_suite_guest_seconds=\1/p" \
			-e "s/^@@FAULTS-SECONDS \(.*\)/${b}_faults_guest_seconds=\1/p"
		# (console and dmesg both hold each report: count distinct ones)
		echo "${b}_expected_stock_lockdep_reports=$(grep 'possible circular locking' \
			"$res/$b/expected-stock-lockdep.log" | sort -u | wc -l)"
	done
	tr -d '\r' < "$res/tap.log" |
		sed -n 's/^# faults injected: \([0-9]*\).*/faults_injected=\1/p'
	echo "passed=$pass failed=$fail skipped=$skip"
} > "$res/figures"
sed 's/^/# /' "$res/figures"
echo "# check-debug took $((t_end - t_start))s; logs in $res"
if [ "$skip" != 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
