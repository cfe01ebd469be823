# SPDX-License-Identifier: GPL-2.0
"""bench-report.py RAW RAW-COST OUT: turn scripts/bench.sh's two VM logs
(@@RESULT blocks: vgpu-migrate JSON, dirty-cost JSON lines) into
OUT/results.json, OUT/results.md and gnuplot plots (PNG + SVG)."""
import json
import subprocess
import sys

raw, rawc, out = sys.argv[1:4]


def blocks(path):
    """(kind, [lines]) for every @@RESULT KIND ... @@END block."""
    cur, buf = None, []
    for line in open(path, errors="replace"):
        line = line.rstrip("\r\n")
        if line.startswith("@@RESULT "):
            cur, buf = line.split()[1], []
        elif line == "@@END" and cur:
            yield cur, buf
            cur = None
        elif cur:
            buf.append(line)


mig = [json.loads("\n".join(b)) for k, b in blocks(raw) if k == "mig"]
cost = [json.loads(l) for k, b in blocks(rawc) if k == "cost"
        for l in b if l.startswith("{")]
json.dump({"migrations": mig, "cost": cost},
          open(out + "/results.json", "w"), indent=1)

WLS = []
for d in mig:
    if d["workload"] not in WLS:
        WLS.append(d["workload"])
SIZES = sorted({d["mem_bytes"] for d in mig})
BIG = SIZES[-1] if SIZES else 0


def find(label, wl, mem):
    for d in mig:
        if d["label"] == label and d["workload"] == wl and d["mem_bytes"] == mem:
            return d
    return None


def mib(b):
    return "%.1f" % (b / 1048576)


def size(b):
    return "%d GiB" % (b >> 30) if b >= 1 << 30 else "%d MiB" % (b >> 20)


def ratio(a, b):
    return "%.1f" % (a / b) if b else ("inf" if a else "-")


def prec(p, reported, none="-"):
    """vgpu-migrate's precision @p (None without truth) for a table."""
    if p is not None:
        return "%.2f" % p
    return none if not reported else "inf"


md = []
w = md.append


def migration_tables():
    w("## Migration: precision, reduction, convergence\n")
    w("| workload | guest mem | rounds stock / fine | reported stock | reported fine | truth | precision stock | precision fine | reduction (pages) | stop-copy MiB stock | stop-copy MiB fine | total MiB stock | total MiB fine | downtime ms stock / fine | verdicts |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for mem in SIZES:
        for wl in WLS:
            s, f = find("stock", wl, mem), find("fine-grained", wl, mem)
            if not (s and f):
                continue
            rounds = " / ".join(str(x["precopy_rounds"]) + ("" if x["converged"] else "*") for x in (s, f))
            w("| %s | %s | %s | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %.0f / %.0f | %s/%s |" % (
                wl, size(mem), rounds, s["total_reported_pages"],
                f["total_reported_pages"], f["total_truth_pages"],
                prec(s["precision"], s["total_reported_pages"]),
                prec(f["precision"], f["total_reported_pages"]), ratio(s["total_reported_pages"], f["total_reported_pages"]),
                mib(s["stopcopy_bytes"]), mib(f["stopcopy_bytes"]),
                mib(s["total_bytes"]), mib(f["total_bytes"]),
                s["downtime_ms"], f["downtime_ms"], s["verdict"], f["verdict"]))
    w("\n`*` = stopped by the round limit (did not converge).  Downtime = the tool's stop-copy phase (wall time under TCG, load-dependent).\n")
    w("## Precision per round (fine-grained, reported / truly written)\n")
    w("| workload | guest mem | per round (1..n, stop) |")
    w("|---|---|---|")
    for mem in SIZES:
        for wl in WLS:
            f = find("fine-grained", wl, mem)
            if not f:
                continue
            v = [prec(r["precision"], r["vfio_pages"], "0/0")
                 for r in f["rounds"] if r["round"] != 0]
            w("| %s | %s | %s |" % (wl, size(mem), " ".join(v)))
    w("\n## Scaling: migration bytes against guest memory (render)\n")
    w("| guest mem | total MiB stock | total MiB fine | round 0 MiB | stop-copy MiB stock | stop-copy MiB fine |")
    w("|---|---|---|---|---|---|")
    for mem in SIZES:
        s, f = find("stock", "render", mem), find("fine-grained", "render", mem)
        if s and f:
            r0 = [r["bytes"] for r in f["rounds"] if r["round"] == 0]
            w("| %s | %s | %s | %s | %s | %s |" % (
                size(mem), mib(s["total_bytes"]), mib(f["total_bytes"]),
                mib(r0[0]) if r0 else "-", mib(s["stopcopy_bytes"]),
                mib(f["stopcopy_bytes"])))


def c(test, label, **kv):
    return [d for d in cost if d["test"] == test and d["label"] == label
            and all(d.get(k) == v for k, v in kv.items())]


def bitmap_tables():
    w("\n## Cost: GET_BITMAP time per query, patched / stock\n")
    w("Test mdev, one container per point, pages pinned with dirty intent, tracking on; median of the per-query times")
    w("(virtual us under ICOUNT: 8 ns per guest instruction, deterministic).  `plain` devices put type1 in PINNED scope;")
    w("`reporting` devices in DEVICE scope on the patched modules (stock has no scope and treats both alike).")
    w("Target: patched / stock <= 1.0 at equal mapped size and pinned count.\n")
    w("| device type | series | guest mem | pinned | stock us | patched us | patched / stock |")
    w("|---|---|---|---|---|---|---|")
    rows = []
    for f in c("bitmap", "fine-grained"):
        s = c("bitmap", "stock", type=f["type"], mem_bytes=f["mem_bytes"], pinned=f["pinned"], series=f["series"])
        if s:
            rows.append((f["type"], f["series"], f["mem_bytes"], f["pinned"], s[0]["med_us"], f["med_us"]))
    for r in sorted(rows):
        w("| %s | %s | %s | %d | %.1f | %.1f | %.3f |" % (r[0], r[1], size(r[2]), r[3], r[4], r[5], r[5] / r[4]))
    with open(out + "/scaling.dat", "w") as d:
        d.write("# mem_mib stock_plain patched_plain stock_reporting patched_reporting (256 pins)\n")
        for m in sorted({r[2] for r in rows if r[1] == "mem"}):
            v = {(r[0]): (r[4], r[5]) for r in rows if r[1] == "mem" and r[2] == m}
            if "plain" in v and "reporting" in v:
                d.write("%d %.1f %.1f %.1f %.1f\n" % (m >> 20, *v["plain"], *v["reporting"]))
    with open(out + "/scaling-pins.dat", "w") as d:
        d.write("# pinned stock_plain patched_plain stock_reporting patched_reporting (256 MiB)\n")
        for p in sorted({r[3] for r in rows if r[1] == "pins"}):
            v = {(r[0]): (r[4], r[5]) for r in rows if r[1] == "pins" and r[3] == p}
            if "plain" in v and "reporting" in v:
                d.write("%d %.1f %.1f %.1f %.1f\n" % (max(p, 1), *v["plain"], *v["reporting"]))


def tput_table():
    w("\n## Cost: workload throughput, tracking on / off\n")
    w("Sample vGPU, pairs of batches with tracking off and on, interleaved; median of the per-pair ratios with its 95% CI.")
    w("Target: >= 0.95 (fine-grained).  fps are virtual (ICOUNT) frames per second with tracking off and on.\n")
    w("| workload | stock on/off | baseline on/off | fine-grained on/off [95% CI] | fps off stock / baseline / fine | fps on fine / stock |")
    w("|---|---|---|---|---|---|")
    for f in c("tput", "fine-grained"):
        s = c("tput", "stock", workload=f["workload"])
        b = c("tput", "baseline", workload=f["workload"])
        if not (s and b):
            continue
        s, b = s[0], b[0]
        w("| %s | %.3f | %.3f | %.3f [%.3f, %.3f] | %.1f / %.1f / %.1f | %.3f |" % (
            f["workload"], s["ratio_med"], b["ratio_med"], f["ratio_med"],
            f["ratio_ci_lo"], f["ratio_ci_hi"], s["fps_off_med"],
            b["fps_off_med"], f["fps_off_med"], f["fps_on_med"] / s["fps_on_med"]))


def mark_table():
    w("\n## Cost: vfio_mark_dirty()\n")
    w("Test mdev `DTM_MARK` of 1..4096 contiguous pages minus a null ioctl on the same path; per call / per page from a")
    w("least-squares fit (virtual time under ICOUNT: 8 ns per instruction).\n")
    w("| tracking | 1 page us | 16 pages us | 256 pages us | 4096 pages us | per call us | per page ns |")
    w("|---|---|---|---|---|---|---|")
    for t in ("on", "off"):
        fit = c("mark_fit", "fine-grained", tracking=t)
        net = {d["pages"]: d["net_us"] for d in c("mark", "fine-grained", tracking=t)}
        if fit:
            w("| %s | %s | %.3f | %.3f |" % (t, " | ".join("%.3f" % net.get(p, float("nan")) for p in (1, 16, 256, 4096)),
                                          fit[0]["per_call_us"], fit[0]["per_page_ns"]))


def plots():
    s, f = find("stock", "render", BIG), find("fine-grained", "render", BIG)
    if s and f:
        with open(out + "/pages.dat", "w") as d:
            fr = {r["round"]: r for r in f["rounds"]}
            for r in s["rounds"]:
                if r["round"] == 0:
                    continue
                k, g = r["round"], fr.get(r["round"])
                d.write("%s %d %s %d %s\n" % ("stop" if k < 0 else k, r["vfio_pages"],
                        g["vfio_pages"] if g else "NaN", r["truth_pages"],
                        g["truth_pages"] if g else "NaN"))
    with open(out + "/stopcopy.dat", "w") as d:
        for wl in WLS:
            s, f = find("stock", wl, BIG), find("fine-grained", wl, BIG)
            if s and f:
                d.write("%s %.3f %.3f %d %d\n" % (wl, s["stopcopy_bytes"] / 1048576, f["stopcopy_bytes"] / 1048576,
                                                 s["precopy_rounds"], f["precopy_rounds"]))
    with open(out + "/precision.dat", "w") as d:
        for wl in WLS:
            s, f = find("stock", wl, BIG), find("fine-grained", wl, BIG)
            if s and f and s["precision"] is not None and f["precision"] is not None:
                d.write("%s %.3f %.3f\n" % (wl, s["precision"], f["precision"]))
    big = size(BIG)
    cmds = {
        "pages-per-round": "set title 'render, %s: pages reported per round'; set style data linespoints; set yrange [0:*]; set key outside top center horizontal; set grid; plot 'pages.dat' using 0:2:xtic(1) t 'stock' lw 2 pt 7, '' using 0:3 t 'fine-grained' lw 2 pt 5, '' using 0:4 t 'truth (stock run)' dt 2 lc rgb 'black', '' using 0:5 t 'truth (fine run)' with points pt 6 ps 2 lc rgb 'black'" % big,
        "stopcopy": "set title 'stop-copy MiB (downtime data), %s guest'; set style data histograms; set style fill solid 0.8; set yrange [0:*]; set xtics rotate by -20; set grid y; plot 'stopcopy.dat' using 2:xtic(1) t 'stock', '' using 3 t 'fine-grained'" % big,
        "precision": "set title 'precision: pages reported / pages written (rounds >= 1), %s'; set style data histograms; set style fill solid 0.8; set logscale y; set yrange [0.5:*]; set xtics rotate by -20; set grid y; plot 'precision.dat' using 2:xtic(1) t 'stock', '' using 3 t 'fine-grained (goal 1.00)'" % big,
        "scaling": "set title 'GET_BITMAP per query against mapped size (256 pins, ICOUNT)'; set logscale xy 2; set xlabel 'guest memory MiB'; set ylabel 'virtual us'; set grid; set style data linespoints; set key top left; plot 'scaling.dat' using 1:2 t 'stock' lw 2, '' using 1:3 t 'patched, PINNED scope' dt 2, '' using 1:5 t 'patched, DEVICE scope (dirty pins)' dt 3",
        "scaling-pins": "set title 'GET_BITMAP per query against pinned pages (256 MiB, ICOUNT)'; set logscale xy 2; set xlabel 'pinned pages'; set ylabel 'virtual us'; set grid; set style data linespoints; set key top left; plot 'scaling-pins.dat' using 1:2 t 'stock' lw 2, '' using 1:3 t 'patched, PINNED scope' dt 2, '' using 1:5 t 'patched, DEVICE scope (dirty pins)' dt 3",
    }
    for name, cmd in cmds.items():
        for term, ext in (("pngcairo size 900,540", "png"), ("svg size 900,540", "svg")):
            subprocess.run(["gnuplot", "-e", "cd '%s'; set terminal %s noenhanced; set output '%s.%s'; %s"
                            % (out, term, name, ext, cmd)], check=False, stderr=subprocess.DEVNULL)


w("# Benchmark results\n")
w("Generated by `make bench` (scripts/bench.sh, scripts/bench-report.py); machine in machine.txt, raw data in results.json.")
w("stock = Debian's VFIO modules + the vGPU built for them (pins dirty, never reports);")
w("baseline = patched modules, vGPU with fine_dirty=0; fine-grained = patched modules, fine-grained vGPU.")
w("Pages counted in precopy rounds >= 1 (round 0 is the initial copy); truth = pages the workload told the device to write.\n")
migration_tables()
bitmap_tables()
tput_table()
mark_table()
w("\nPlots: pages-per-round, stopcopy, precision (largest size), scaling, scaling-pins ({png,svg}).")
open(out + "/results.md", "w").write("\n".join(md) + "\n")
plots()
