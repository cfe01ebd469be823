#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP test of wl-pack, the workload packer for the QEMU guest payload:
# every canned workload packs and reads back with its buffers and steps; a
# damaged file, a bad workload and a bad scale are refused with a message.
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
echo "1..$(( ${#wls[@]} + 4 ))"
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
