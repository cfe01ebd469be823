#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job (`make run`): boot the test VM once, create two sample vGPU
# instances through sysfs, run a workload (default: resident, a 1 GiB
# pinned working set of which about 1.3 MiB is written per frame) and
# live-migrate it with vgpu-migrate twice: patched VFIO modules with the
# fine-grained vGPU, then the stock Debian modules with the vGPU's baseline
# pinning.  Print a side-by-side table and plot pages reported per round
# (stock vs fine-grained vs ground truth) with gnuplot to PNG and SVG.
# What runs in the VM is tests/vm/main-job.sh.  -k 7.3 runs it on Debian's
# Linux 7.3 with the v7.3 series (the build of `make all-7.3`, build/k7.3)
# instead of 6.12.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
WL=resident MEM= PINNED= ROUNDS=8 SCALE= FPR=2 out=$BUILD/main-job
usage() {
	cat >&2 <<EOT
usage: scripts/main-job.sh [-w WORKLOAD] [-p PINNED] [-m GUEST_MEM]
                           [-r ROUNDS] [-s SCALE] [-f FRAMES_PER_ROUND]
                           [-o OUTDIR] [-k 6.12|7.3]
Defaults: resident, its pinned set (1G), the guest memory the workload
needs, 8 rounds, the workload's scale, 2 frames per round, build/main-job
(build/k7.3/main-job with -k 7.3), Linux 6.12.
WORKLOAD is a name from tools/workloads/ or a path; -p sets the pinned
working set of a workload with a 'rest' buffer (resident: 16M .. 4G).
EOT
	exit 2
}
while getopts "w:p:m:r:s:f:o:k:h" opt; do
	case $opt in
	w) WL=$OPTARG ;; p) PINNED=$OPTARG ;; m) MEM=$OPTARG ;;
	r) ROUNDS=$OPTARG ;; s) SCALE=$OPTARG ;; f) FPR=$OPTARG ;;
	o) out=$OPTARG ;;
	k) case $OPTARG in
	   6.12) ;;
	   7.3) [ "$out" != "$BUILD/main-job" ] || out=$BUILD/k7.3/main-job
		BUILD=$BUILD/k7.3 ;;
	   *) usage ;;
	   esac ;;
	*) usage ;;
	esac
done
case $WL in
*/*) wlfile=$WL; WL=$(basename "$WL" .wl)
     mkdir -p "$BUILD/bin/workloads"; cp "$wlfile" "$BUILD/bin/workloads/$WL.wl"
     "$TOP/scripts/vm/mkinitramfs.sh" "$BUILD" "$BUILD/vm/initramfs.cpio" >/dev/null ;;
esac
[ -e "$BUILD/bin/workloads/$WL.wl" ] || { echo "no workload $WL" >&2; exit 2; }
mkdir -p "$out"
# Memory of the test VM: the migration's guest memory twice (source and
# destination; pinned and written pages are touched) plus room.  Without
# -m, vgpu-migrate sizes the guest to the workload: the pinned set (-p, or
# 1G for resident) and 64M for the rest is enough for the canned ones.
guest=${MEM:-$(( $(numfmt --from=iec "${PINNED:-1G}") + (64 << 20) ))}
guest=$(numfmt --from=iec "$guest")
vm_mem=$(( guest * 2 / 1048576 + 1024 ))M
# about 2 minutes per GiB pinned under TCG, most of it stock's rounds
timeout=$(( 600 + guest * ROUNDS / (1 << 30) * 60 ))

args="${MEM:+-m $MEM} ${PINNED:+-p $PINNED} -r $ROUNDS ${SCALE:+-s $SCALE} -f $FPR"
BUILD=$BUILD KERNEL=$BUILD/kernel/vmlinuz INITRAMFS=$BUILD/vm/initramfs.cpio \
	"$TOP/scripts/vm/run.sh" -m "$vm_mem" -t "$timeout" -l "$out/log" -- \
	"sh /tests/main-job.sh $WL $args" | tee "$out/raw.txt" |
	awk '/^@@JSON/ { skip = 1 } !skip && !/^@@VM/ { print } /^@@END/ { skip = 0 }' || true
for l in fine-grained stock; do
	sed -n "/^@@JSON $l/,/^@@END/p" "$out/raw.txt" | sed '1d;$d' | tr -d '\r' > "$out/$l.json"
	[ -s "$out/$l.json" ] || { echo "main job: no result for $l (see $out/log)" >&2; exit 1; }
done

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
f = json.load(open(out + "/fine-grained.json"))
s = json.load(open(out + "/stock.json"))
fr = {r["round"]: r for r in f["rounds"]}
sr = {r["round"]: r for r in s["rounds"]}
keys = sorted(set(fr) | set(sr), key=lambda k: (k < 0, k))
print()
print("workload %s, guest memory %d MiB, %d GTT pages (%d MiB) pinned, %d frames per round"
      % (f["workload"], f["mem_bytes"] >> 20, f["pinned_pages"],
         f["pinned_pages"] >> 8, f["frames_per_round"]))
print("pages reported by VFIO per round (round 0 = initial full copy, stop = stop-copy)")
hdr = "%-6s %12s %12s %12s %12s %14s %14s"
print(hdr % ("round", "stock", "fine-grained", "truth(stock)", "truth(fine)", "bytes stock", "bytes fine"))
def g(d, k, f):
    return str(d[k][f]) if k in d else "-"
with open(out + "/pages.dat", "w") as dat:
    dat.write("# round stock fine truth_stock truth_fine\n")
    for k in keys:
        name = "stop" if k < 0 else str(k)
        print(hdr % (name, g(sr, k, "vfio_pages"), g(fr, k, "vfio_pages"),
                     g(sr, k, "truth_pages"), g(fr, k, "truth_pages"),
                     g(sr, k, "bytes"), g(fr, k, "bytes")))
    x = 0
    for k in keys:
        if k == 0:
            continue
        x += 1
        dat.write("%s %s %s %s %s\n" % ("stop" if k < 0 else k,
                  g(sr, k, "vfio_pages").replace("-", "NaN"),
                  g(fr, k, "vfio_pages").replace("-", "NaN"),
                  g(sr, k, "truth_pages").replace("-", "NaN"),
                  g(fr, k, "truth_pages").replace("-", "NaN")))
row = "%-28s %16s %16s"
print()
print(row % ("", "stock", "fine-grained"))
print(row % ("dirty scope", s["scope"], f["scope"]))
print(row % ("precopy rounds", "%d%s" % (s["precopy_rounds"], "" if s["converged"] else " (limit)"),
             "%d%s" % (f["precopy_rounds"], "" if f["converged"] else " (limit)")))
print(row % ("pages reported (rounds>=1)", s["total_reported_pages"], f["total_reported_pages"]))
print(row % ("pages truly written", s["total_truth_pages"], f["total_truth_pages"]))
prec = lambda d: "-" if d["precision"] is None else "%.2f" % d["precision"]
print(row % ("precision (reported/truth)", prec(s), prec(f)))
print(row % ("total bytes sent", s["total_bytes"], f["total_bytes"]))
print(row % ("stop-copy bytes", s["stopcopy_bytes"], f["stopcopy_bytes"]))
print(row % ("downtime, measured (ms)", "%.1f" % s["downtime_ms"], "%.1f" % f["downtime_ms"]))
for gbit in (10, 25):
    ms = lambda d: "%.1f" % (d["stopcopy_bytes"] * 8 / (gbit * 1e9) * 1e3)
    print(row % ("stop-copy at %d Gbit/s (ms)" % gbit, ms(s), ms(f)))
print(row % ("verification", s["verdict"], f["verdict"]))
if f["stopcopy_bytes"]:
    print("reduction: stop-copy bytes %.1fx, total bytes %.1fx"
          % (s["stopcopy_bytes"] / f["stopcopy_bytes"], s["total_bytes"] / f["total_bytes"]))
PY

if command -v gnuplot >/dev/null; then
	for term in "pngcairo size 900,540:png" "svg size 900,540:svg"; do
		gnuplot -e "set terminal ${term%:*}; set output '$out/pages-per-round.${term#*:}'" \
			-e "set title 'VFIO dirty pages reported per precopy round: $WL, ${MEM} guest memory'" \
			-e "set xlabel 'round (stop = stop-copy)'; set ylabel 'pages'; set key outside top center horizontal" \
			-e "set style data linespoints; set yrange [0:*]; set grid" \
			-e "plot '$out/pages.dat' using 0:2:xtic(1) title 'stock type1 (all pinned)' lw 2 pt 7, \
			     '' using 0:3 title 'fine-grained (device-reported)' lw 2 pt 5, \
			     '' using 0:4 title 'ground truth, stock run' lw 1 dt 2 pt 1 lc rgb 'black', \
			     '' using 0:5 title 'ground truth, fine-grained run' with points pt 6 ps 2 lc rgb 'black'"
	done
	echo "plot: $out/pages-per-round.png $out/pages-per-round.svg"
else
	echo "gnuplot not installed: no plot (data in $out/pages.dat)"
fi
grep -q '"verdict": "PASS"' "$out/stock.json" && grep -q '"verdict": "PASS"' "$out/fine-grained.json"
