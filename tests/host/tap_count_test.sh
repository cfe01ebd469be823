#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP test of make check's count (scripts/tap-count.py): synthetic logs,
# one per kind of failure the count must catch, each must turn the run
# red (non-zero exit, "N failed" with N > 0); clean logs must stay green
# with the exact summary line; the committed manifest must parse and
# accept a log that meets it.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
COUNT=$TOP/scripts/tap-count.py
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
n=0
tap() {	# STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

cat > "$t/manifest" <<'EOF'
# kernel part tests skips
host   wl_test           3     0
host   wl_pack_test.sh   2     0
6.12   vgpu-dmalog       2     1     declared skip
EOF

part() {	# NAME RC LINES...: a part with its framing
	local name=$1 rc=$2
	shift 2
	echo "# === begin $name"
	printf '%s\n' "$@"
	echo "# === end $name rc=$rc"
}
part_a() { part wl_test 0 "TAP version 13" "1..3" "ok 1 x" "# a comment" "ok 2 y" "ok 3 z"; }
part_b() { part wl_pack_test.sh 0 "1..2" "ok 1 - p" "ok 2 - q"; }
part_c() { part vgpu-dmalog 0 "1..2" "ok 1 c.one" "ok 2 c.two # SKIP no /dev/iommu"; }
vm() {	# the kernel line, part vgpu-dmalog and the VM statuses
	echo "# === kernel 6.12"
	part_c
	echo "# === status vm-suite rc=0"
	echo "# === status vm-suite-kernel-log rc=0"
}
clean() { part_a; part_b; vm; }

count() {	# LOGFILE [MANIFEST [KERNELS]]: exit status; the output in $t/out
	"$COUNT" -m "${2:-$t/manifest}" ${3:+-k "$3"} "$1" > "$t/out" 2>&1
}

# The summary of the last count: its "summary:" line (there are skips) or
# else its last line.  The last line itself is always "N passed, N failed",
# which is what CI reads; a last line of any other form is a failure.
summary() {
	local last
	last=$(tail -1 "$t/out")
	echo "$last" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$' || {
		echo "BAD LAST LINE: $last"; return; }
	grep -m1 '^summary: ' "$t/out" | sed 's/^summary: //' | grep . || echo "$last"
}

# (the log comes in by redirection, not a pipe: the count of tests $n
# must survive the call)
green() {	# DESCRIPTION WANT_LAST_LINE: the log on stdin must pass
	cat > "$t/log"
	count "$t/log"
	local rc=$? last
	last=$(summary)
	[ $rc = 0 ] && [ "$last" = "$2" ]
	tap $? "green: $1 ($last)"
}

red() {	# DESCRIPTION WHY_REGEX: the log on stdin must fail, saying why
	cat > "$t/log"
	count "$t/log"
	local rc=$? last
	last=$(summary)
	[ $rc != 0 ] && echo "$last" | grep -Eq '^[0-9]+ passed, [1-9][0-9]* failed' &&
		grep -Eq "^FAIL .*$2" "$t/out"
	local ok=$?
	[ $ok = 0 ] || sed 's/^/#   /' "$t/out"
	tap $ok "red: $1 ($(grep -m1 '^FAIL' "$t/out" | cut -c1-60); $last)"
}

echo "TAP version 13"
echo "1..32"

green "every part as the manifest says" "6 passed, 0 failed, 1 skipped" < <(clean)
green "CRLF lines from the VM's serial port" "6 passed, 0 failed, 1 skipped" \
	< <(clean | sed 's/$/\r/')

# the issue's three: a killed program, one that does not build, one not built
red "killed by a sanitizer after test 2" "wl_test: exit status 1" < <(
	{ part wl_test 1 "1..3" "ok 1 x" "ok 2 y" "==123==ERROR: AddressSanitizer: heap-use-after-free"
  part_b; vm; })
red "plan not met, exit status 0" "wl_test: plan 1..3 but 2 results" < <(
	{ part wl_test 0 "1..3" "ok 1 x" "ok 2 y"; part_b; vm; })
red "fails to compile: no plan" "wl_test: no TAP plan" < <(
	{ part wl_test 2 "x.c:1:1: error: expected ';'" "make: *** [x] Error 1"; part_b; vm; })
red "a 1..0 SKIP plan nobody expected" "wl_pack_test.sh: 0 results, the manifest expects 2" < <(
	{ part_a; part wl_pack_test.sh 0 "1..0 # SKIP wl-pack not built"; vm; })
{ part_a; part wl_pack_test.sh 0 "1..0 # SKIP wl-pack not built"; vm; } > "$t/skiplog"
count "$t/skiplog"
summary | grep -q '^4 passed, 1 failed, 2 skipped$'
tap $? "a skipped part is counted as skipped: $(summary)"

red "all ok, exit status non-zero (crash at exit)" "wl_test: exit status 139" < <(
	{ part wl_test 139 "1..3" "ok 1 x" "ok 2 y" "ok 3 z"; part_b; vm; })
red "no end line: the VM stopped in the middle" "vgpu-dmalog: did not finish" < <(
	{ part_a; part_b; echo "# === kernel 6.12"; echo "# === begin vgpu-dmalog"; echo "1..2"; echo "ok 1 c.one"; })
red "missing binary" "wl_pack_test.sh: exit status 127" < <(
	{ part_a; part wl_pack_test.sh 127 "sh: ./wl_pack_test.sh: not found"; vm; })
red "a part missing from the log" "host/wl_pack_test.sh: missing" < <({ part_a; vm; })
red "a part the manifest does not list" "new_test: not in the manifest" < <(
	{ clean; part new_test 0 "1..1" "ok 1 new"; })
red "a SKIP nobody declared" "wl_test: 1 skipped, the manifest expects 0" < <(
	{ part wl_test 0 "1..3" "ok 1 x" "ok 2 y # SKIP no device" "ok 3 z"; part_b; vm; })
red "a declared skip that ran (wrong configuration)" \
	"vgpu-dmalog: 0 skipped, the manifest expects 1" < <(
	{ part_a; part_b; echo "# === kernel 6.12"; part vgpu-dmalog 0 "1..2" "ok 1 c.one" "ok 2 c.two"
  echo "# === status vm-suite rc=0"; })
red "a test vanished, plan and results agree" \
	"wl_test: 2 results, the manifest expects 3" < <(
	{ part wl_test 0 "1..2" "ok 1 x" "ok 2 y"; part_b; vm; })
red "more results than the plan" "wl_test: plan 1..3 but 4 results" < <(
	{ part wl_test 0 "1..3" "ok 1 x" "ok 2 y" "ok 3 z" "ok 4 w"; part_b; vm; })
red "two plans" "wl_test: 2 TAP plans" < <(
	{ part wl_test 0 "1..3" "ok 1 x" "ok 2 y" "ok 3 z" "1..3"; part_b; vm; })
red "results numbered out of order" "wl_test: results not numbered" < <(
	{ part wl_test 0 "1..3" "ok 1 x" "ok 1 y" "ok 3 z"; part_b; vm; })
red "a failing test" "wl_test: 1 not ok" < <(
	{ part wl_test 1 "1..3" "ok 1 x" "not ok 2 y" "ok 3 z"; part_b; vm; })
red "Bail out!" "wl_test: Bail out" < <(
	{ part wl_test 0 "1..3" "ok 1 x" "Bail out! no VFIO" "ok 2 y" "ok 3 z"; part_b; vm; })
red "vfio-mods failed (its own status line)" \
	"vfio-mods-stock: exit status 1" < <(
	{ clean; echo "# === status vfio-mods-stock rc=1"; })
red "VM timeout" "vm-suite: exit status 124" < <(
	{ part_a; part_b; echo "# === kernel 6.12"; part_c; echo "# === status vm-suite rc=124"; })
red "a bad line in the guest kernel log" \
	"vm-suite-kernel-log: exit status 1" < <(
	{ part_a; part_b; echo "# === kernel 6.12"; part_c; echo "# === status vm-suite-kernel-log rc=1"; })
red "a result outside any part" "outside any part" < <(
	{ clean; echo "ok 1 - stray"; })
red "a part run twice" "wl_pack_test.sh: ran twice" < <({ part_a; part_b; part_b; vm; })
red "a part that never ended, the next one began" "wl_test: no end line" < <(
	{ echo "# === begin wl_test"; echo "1..3"; echo "ok 1 x"; part_b; vm; })
red "a part on a kernel the manifest does not list" \
	"7.3/vgpu-dmalog: not in the manifest" < <(
	{ part_a; part_b; echo "# === kernel 7.3"; part_c; })
red "kernel parts run without their kernel line" \
	"host/vgpu-dmalog: not in the manifest" < <(
	{ part_a; part_b; part_c; })

# a run covers the kernels it names (-k): another kernel's rows are not
# needed, another kernel's parts are not allowed
{ cat "$t/manifest"; echo "7.3 vgpu-dmalog 2 1 declared"; } > "$t/manifest2"
clean > "$t/log"
count "$t/log" "$t/manifest2" host,6.12
tap $? "-k host,6.12: the 7.3 rows are not needed ($(summary))"
count "$t/log" "$t/manifest2" host
[ $? != 0 ] && grep -q "^FAIL 6.12/vgpu-dmalog: kernel 6.12 is not part of this run" "$t/out"
tap $? "-k host: a 6.12 part fails the run ($(summary))"

# the summary line keeps CI's words when the run is red
clean > "$t/log"; echo "# === status x rc=1" >> "$t/log"
count "$t/log"
summary | grep -Eq '^6 passed, 1 failed, 1 skipped$'
tap $? "red summary line: $(summary)"

# the committed manifest parses, and a log that meets it is green
awk '!/^#/ && NF >= 4 { k[$1] = k[$1] " " $2 ":" $3 ":" $4 }
	END { for (kern in k) { print "# === kernel " kern
		n = split(k[kern], ps, " ")
		for (i = 1; i <= n; i++) { split(ps[i], f, ":")
			print "# === begin " f[1]; print "1.." f[2]
			for (j = 1; j <= f[2]; j++)
				print "ok " j " t" (j <= f[3] ? " # SKIP declared" : "")
			print "# === end " f[1] " rc=0" } } }' "$TOP/tests/manifest" > "$t/mlog"
count "$t/mlog" "$TOP/tests/manifest"
rc=$?
[ $rc = 0 ] && summary | grep -Eq '^[1-9][0-9]* passed, 0 failed'
tap $? "tests/manifest parses and a log meeting it passes ($(summary))"
