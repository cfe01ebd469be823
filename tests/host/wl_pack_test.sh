#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP test of wl-pack, the workload packer for the QEMU guest payload:
# every canned workload packs and reads back with its buffers and steps; a
# damaged file, a bad workload and a bad scale are refused with a message;
# a 1 GiB pinned set fits the payload, 4 GiB is past its 3 GiB limit.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
P=$BUILD/host/wl-pack
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
n=0
tap() {	# STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
echo "TAP version 13"
if [ ! -x "$P" ]; then
	echo "1..0 # SKIP $P not built (make)"
	exit 0
fi
wls=("$TOP"/tools/workloads/*.wl)
echo "1..$(( ${#wls[@]} + 6 ))"
for f in "${wls[@]}"; do
	name=$(basename "$f" .wl)
	# packed at the scale the file names (1 if none)
	s=$(sed -n 's/^scale[[:space:]]*\([0-9]*\).*/\1/p' "$f"); s=${s:-1}
	nb=$(grep -c '^buffer' "$f"); ns=$(grep -c '^step' "$f")
	"$P" -o "$t/$name.wlp" "$f" 2> "$t/err" &&
		"$P" -d "$t/$name.wlp" > "$t/out" &&
		grep -q "^workload $name .* scale $s$" "$t/out" &&
		[ "$(grep -c '^buffer ' "$t/out")" = "$nb" ] &&
		[ "$(grep -c '^step ' "$t/out")" = "$ns" ]
	tap $? "$name: packs and reads back ($nb buffers, $ns steps)"
done
# one byte of the render pack flipped: the checksum must catch it
cp "$t/render.wlp" "$t/bad.wlp"
printf '\xff' | dd of="$t/bad.wlp" bs=1 seek=100 conv=notrunc 2>/dev/null
! "$P" -d "$t/bad.wlp" > /dev/null 2> "$t/err" && grep -q checksum "$t/err"
tap $? "damaged pack refused: $(head -1 "$t/err")"
head -c 40 "$t/render.wlp" > "$t/short.wlp"
! "$P" -d "$t/short.wlp" > /dev/null 2> "$t/err" && [ -s "$t/err" ]
tap $? "truncated pack refused: $(head -1 "$t/err")"
printf 'workload x\nbuffer a 4K gtt\nstep fill dst=b\n' > "$t/x.wl"
! "$P" -o "$t/x.wlp" "$t/x.wl" 2> "$t/err" && grep -q "x.wl:3:" "$t/err"
tap $? "parse error names file:line: $(head -1 "$t/err")"
! "$P" -s 0 -o "$t/y.wlp" "$TOP/tools/workloads/render.wl" 2> "$t/err"
tap $? "scale 0 refused: $(head -1 "$t/err")"
# the payload holds 786432 data pages (WLP_MAX_PAGES, 3 GiB): resident
# with 1 GiB pinned packs without a warning, its GTT buffers and the
# one-page ring are exactly 1 GiB; 4 GiB gets the payload's limit
r=$TOP/tools/workloads/resident.wl
"$P" -p 1G -o "$t/r1g.wlp" "$r" 2> "$t/err" && [ ! -s "$t/err" ] &&
	[ "$("$P" -d "$t/r1g.wlp" | awk '/^buffer .* gtt$/ { s += $4 } END { print s + 1 }')" = 262144 ]
tap $? "resident -p 1G: 262143 GTT pages + ring, no warning"
"$P" -p 4G -o "$t/r4g.wlp" "$r" 2> "$t/err" && grep -q "at most 786432 " "$t/err"
tap $? "resident -p 4G: $(head -1 "$t/err" | sed 's/.*: \([0-9]* GTT pages\)/\1/')"
