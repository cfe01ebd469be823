#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [WHAT...]: `make check` (WHAT: host 6.12 7.3), `make check-7.3`
# (WHAT: 7.3), `make check-iommufd` (WHAT: iommufd, 6.12 built from
# linux-source with iommufd and DMA-logging reports: docs/modern.rst).
# "host" runs the host-side tests; a kernel label runs that kernel's VM
# boots: the selftest suite (tests/vm/run-suite.sh: stock
# oracle first, then the patched modules; only the stock parts on a kernel
# the series is not carried for), the deadlock control
# (tests/vm/deadlock-control.sh: stock type1 must deadlock, and the
# deadlock tests must see it) and, on Debian's 6.12 and 7.3, the
# passthrough boot (scripts/vm/passthrough.sh, tests/vm/run-passthrough.sh).
# Adding a kernel to make check: its label in the Makefile's check target,
# a case in kernel_build below, its rows in tests/manifest.
#
# Every test program's TAP is one part of build/check/tap.log, framed by
# "# === begin NAME" / "# === end NAME rc=N"; steps without TAP (a VM
# boot, its kernel log) write "# === status NAME rc=N".
# scripts/tap-count.py counts the log against the rows of tests/manifest
# (expected results and skips per part) for exactly WHAT, and prints the
# summary ("summary: N passed, N failed, N skipped" when there are skips)
# and, last, "N passed, N failed".
# Exit status is non-zero on any failure: a failing test, a plan not met,
# a non-zero exit, a missing or unlisted part, an undeclared skip, a bad
# line in the guest kernel log, a VM that did not finish.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
what=${*:-host 6.12 7.3}
out=$BUILD/check
[ "$what" = "host 6.12 7.3" ] || out=$BUILD/check-${what// /-}
log=$out/tap.log
rm -rf "$out"; mkdir -p "$out"
start=$(date +%s)
: > "$log"

part() {	# NAME CMD...: one TAP part of the log (output to stdout)
	local name=$1 rc
	shift
	echo "# === begin $name"
	"$@" 2>&1
	rc=$?
	echo "# === end $name rc=$rc"
}

host_test() {	# SCRIPT: a host test script, which must be executable
	if [ ! -x "$1" ]; then
		echo "check: $1 is not executable" >&2
		return 126
	fi
	"$1"
}

# The fuzz smoke run as a TAP part: replays the corpus and the kept
# crash inputs, then 20,000 runs with seed 1.
fuzz_smoke() {
	echo "1..1"
	if $hm fuzz-check > "$out/fuzz.log" 2>&1; then
		echo "ok 1 host parser_fuzz: $(grep -o 'Done [0-9]* runs' "$out/fuzz.log" | tail -1)"
	else
		tail -20 "$out/fuzz.log" | sed 's/^/# /'
		echo "not ok 1 host parser_fuzz (see $out/fuzz.log)"
		return 1
	fi
}

# The migration stream fuzzer's smoke run: the kept corpus and crash
# inputs replayed, then a bounded run with seed 1 (tests/fuzz/stream_fuzz.c).
stream_fuzz_smoke() {
	echo "1..1"
	if $hm stream-fuzz-check > "$out/stream-fuzz.log" 2>&1; then
		echo "ok 1 host stream_fuzz: $(grep 'stream_fuzz: [0-9]* streams' "$out/stream-fuzz.log" | tail -1 | sed 's/^stream_fuzz: //')"
	else
		tail -20 "$out/stream-fuzz.log" | sed 's/^/# /'
		echo "not ok 1 host stream_fuzz (see $out/stream-fuzz.log)"
		return 1
	fi
}

# One boot of the test VM: its output into the log, then its exit status
# and its kernel log check as statuses.  run-suite.sh exits 1 when a part
# failed: that failure is already counted in the part.  $runner (default
# run.sh) is the script under scripts/vm that boots it.
vm_boot() {	# NAME COMMAND [run.sh OPTIONS...]
	local name=$1 cmd=$2 dir=$out/$kernel-$1 rc
	shift 2
	BUILD=$kb KERNEL=$kimg INITRAMFS=$kb/vm/initramfs.cpio \
		"$TOP/scripts/vm/${runner:-run.sh}" "$@" -l "$dir" -- "$cmd" 2>&1 |
		tee -a "$log"
	rc=${PIPESTATUS[0]}
	[ "$rc" = 1 ] && rc=0
	[ "$rc" = 125 ] && rc=0	# the kernel log status below says it
	{
		echo "# === status vm-$name rc=$rc"
		[ -s "$dir/bad-lines.log" ] && sed 's/^/# bad kernel log line: /' "$dir/bad-lines.log" | head -20
		echo "# === status vm-$name-kernel-log rc=$([ -s "$dir/bad-lines.log" ] && echo 1 || echo 0)"
	} | tee -a "$log"
}

# The host-side tests: scripts (tests/host), the vGPU command parser
# (unit tests and the fuzz smoke run), the vGPU's device code in user
# space (device_test, display_test), the workload file parser.
host_tests() {
	hm="make -s -C $TOP -f tests/vgpu/Makefile.host TOP=$TOP O=$BUILD/host"
	for t in "$TOP"/tests/host/*_test.sh; do
		part "$(basename "$t")" host_test "$t"
	done
	part parser_test $hm check
	part device_test $hm device-check
	part display_test $hm display-check
	part parser_fuzz fuzz_smoke
	part stream_fuzz stream_fuzz_smoke
	part wl_test make -s -C "$TOP/tests/wl" BUILD="$BUILD" TOP="$TOP" check
}

# Each kernel's build directory, image and what of the suite runs there.
# The passthrough boot (pt) runs on Debian's kernels, whose consumers of
# vfio scripts/vfio-consumers.sh rebuilds with each kernel's series.
kernel_build() {	# LABEL: sets kb, kimg, krel, suite, pt
	local ser=$1
	pt=
	case $1 in
	6.12)	kb=$BUILD suite= pt=1 ;;
	7.3)	kb=$BUILD/k7.3 suite= pt=1 ;;
	iommufd) # scripts/modern/build.sh
		kb=${IOMMUFD_DIR:-$TOP/build-iommufd}/out suite= ser=6.12
		kimg=$(dirname "$kb")/linux/arch/x86/boot/bzImage
		krel=$(cat "$(dirname "$kb")/linux/include/config/kernel.release" 2>/dev/null) ;;
	*)	echo "check: no kernel $1" >&2; exit 2 ;;
	esac
	[ "$1" = iommufd ] || { kimg=$kb/kernel/vmlinuz; krel=$(cat "$kb/kver" 2>/dev/null); }
	if [ "$(cut -d. -f1,2 "$kb/kver" 2>/dev/null)" != "$ser" ] || [ ! -e "$kimg" ]; then
		echo "check: $kb is not a build for Linux $1" >&2
		exit 2
	fi
}

for w in $what; do
	if [ "$w" = host ]; then
		host_tests | tee -a "$log"
		continue
	fi
	# The suite boot, then the deadlock control boot: that one leaves
	# deadlocked processes behind, so it never shares a boot.
	kernel_build "$w"
	kernel=$w
	echo "# === kernel $kernel ($krel)" | tee -a "$log"
	vm_boot suite "sh /tests/run-suite.sh $suite" -H -m 3G -t 840
	vm_boot deadlock-control 'sh /tests/deadlock-control.sh' -m 1G -t 120
	# A host that also passes a device through: q35, intel-iommu, an igb
	# on vfio-pci, the in-tree consumers of vfio of both module sets
	# (docs/passthrough.rst); on Debian's 6.12 and 7.3.
	[ -z "$pt" ] ||
		runner=passthrough.sh vm_boot passthrough \
			'sh /tests/run-passthrough.sh' -m 2G -t 600
done

echo "# suite took $(( $(date +%s) - start ))s; logs in $out"
"$TOP/scripts/tap-count.py" -m "$TOP/tests/manifest" -k "${what// /,}" "$log" |
	tee "$out/summary.txt"
