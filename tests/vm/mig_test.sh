#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mig_test.sh - short live migrations of the sample vGPU with verification,
# under the patched modules (fine-grained) and the stock ones, plus the
# error paths of vgpu-migrate.  Runs inside the test VM from /tests; loads
# and unloads the module sets itself; prints TAP.
cd /tests || exit 1
M="./vgpu-migrate --no-pace -m 16M -s 2 -r 2 -f 1 -w 1 -a 2"
n=0 fail=0
ok() {	# RESULT DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fail=1; fi
}
jget() {	# KEY FILE: a number or word from vgpu-migrate's JSON
	sed -n "s/.*\"$1\": \"*\([^,\"}]*\).*/\1/p" "$2" | head -1
}
rows() {	# FILE: "round reported truth" per round (stop-copy: -1)
	sed -n 's/.*"round": \(-*[0-9]*\), "vfio_pages": \([0-9]*\), "truth_pages": \([0-9]*\).*/\1 \2 \3/p' "$1"
}
# every_round FILE WANT: every round, round 0 and stop-copy included,
# reported WANT pages (a number, or "truth"); prints reported/truth per round
every_round() {
	rows "$1" | awk -v want="$2" '
		{ w = want == "truth" ? $3 : want; s = s " " $2 "/" $3; n++ }
		$2 != w { bad = 1 }
		$1 == -1 { stop = 1 }
		END { print s; exit bad || n < 3 || !stop }'
}
mods() {	# SET: load a module set (or unload), as a test
	vfio-mods "$1"
	ok $? "vfio-mods $1"
}
migrate() {	# NAME ARGS...: one migration, PASS with verified memory
	name=$1; shift
	$M -j /tmp/mig-$name.json "$@" > /tmp/mig-$name.log 2>&1
	rc=$?
	sed 's/^/# /' /tmp/mig-$name.log
	[ $rc = 0 ] && grep -q '^verdict: PASS' /tmp/mig-$name.log
	ok $? "migrate $name: verdict PASS, memory and device identical"
}

echo "TAP version 13"
echo "1..16"
mods patched
migrate fine workloads/render.wl
# fine-grained: each report (round 0, precopy rounds, stop-copy) holds
# exactly the pages the device wrote since the previous one
fine_exact() {	# NAME
	r=$(every_round /tmp/mig-$1.json truth)
	rc=$?
	tru=$(jget total_truth_pages /tmp/mig-$1.json)
	[ $rc = 0 ] && [ "$(jget scope /tmp/mig-$1.json)" = device ] &&
		[ "$tru" -gt 0 ] && [ "$(jget extra_pages /tmp/mig-$1.json)" = 0 ] &&
		[ "$(jget missed_pages /tmp/mig-$1.json)" = 0 ]
	ok $? "$1: scope device, every round reported == truly written (reported/truth:$r)"
}
fine_exact fine
zb=$(jget zero_bytes /tmp/mig-fine.json)
rd=$(jget memory_pages_read /tmp/mig-fine.json)
pg=$(( $(jget mem_bytes /tmp/mig-fine.json) / 4096 ))
[ "$zb" -gt 0 ] && [ "$rd" -gt 0 ] && [ "$rd" -lt "$pg" ]
ok $? "round 0 sends holes as ZERO ($zb bytes), verify reads $rd of $pg pages"
migrate fine-compute workloads/compute.wl
fine_exact fine-compute

$M --fail-after-round 1 workloads/render.wl > /tmp/mig-abort.log 2>&1
rc=$?
sed 's/^/# /' /tmp/mig-abort.log
[ $rc = 3 ] && grep -q 'socket closed mid-stream' /tmp/mig-abort.log &&
	grep -q 'source intact: yes' /tmp/mig-abort.log
ok $? "socket closed mid-stream: source resumes RUNNING, intact"

$M --src 00000000-0000-0000-0000-000000000000 workloads/render.wl \
	> /tmp/mig-nodev.log 2>&1
rc=$?
sed 's/^/# /' /tmp/mig-nodev.log
[ $rc = 2 ] && grep -q 'no such mdev' /tmp/mig-nodev.log
ok $? "no such mdev: clear error"

U=$(cat /proc/sys/kernel/random/uuid)
echo "$U" > /sys/class/mdev_bus/sample_vgpu/mdev_supported_types/sample_vgpu-large/create
$M --src "$U" --dst "$U" workloads/render.wl > /tmp/mig-busy.log 2>&1
rc=$?
echo 1 > "/sys/bus/mdev/devices/$U/remove"
sed 's/^/# /' /tmp/mig-busy.log
[ $rc != 0 ] && grep -q "device busy: mdev $U is open in another process" /tmp/mig-busy.log
ok $? "device busy: clear error"

printf 'buffer a 4K gtt\nstep fill dst=b\n' > /tmp/bad.wl
$M /tmp/bad.wl > /tmp/mig-bad.log 2>&1
rc=$?
sed 's/^/# /' /tmp/mig-bad.log
[ $rc = 2 ] && grep -q '/tmp/bad.wl:2:11: no buffer named' /tmp/mig-bad.log
ok $? "workload parse error names file:line:col"
mods unload

mods stock
migrate stock workloads/render.wl
# stock type1: every report is exactly the pinned set, whatever was written
pin=$(jget pinned_pages /tmp/mig-stock.json)
r=$(every_round /tmp/mig-stock.json "$pin")
rc=$?
[ $rc = 0 ] && [ "$pin" -gt 0 ] && [ "$(jget missed_pages /tmp/mig-stock.json)" = 0 ]
ok $? "stock: every round reported exactly the $pin pinned pages (reported/truth:$r)"
mods unload

$M workloads/render.wl > /tmp/mig-nomod.log 2>&1
rc=$?
sed 's/^/# /' /tmp/mig-nomod.log
[ $rc = 2 ] && grep -q 'not loaded' /tmp/mig-nomod.log
ok $? "modules not loaded: clear error"
exit $fail
