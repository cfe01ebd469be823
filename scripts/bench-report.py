# SPDX-License-Identifier: GPL-2.0
"""bench-report.py RAW RAW-COST OUT: turn scripts/bench.sh's two VM logs
(@@RESULT blocks: vgpu-migrate JSON, dirty-cost JSON lines) into
OUT/results.json, OUT/results.md, gnuplot data (OUT/*.dat) and plots (PNG +
SVG).  A missing log leaves its tables out.  RAW.run and RAW-COST.run (one
JSON object each, written by bench.sh) name the run that produced the log;
every result carries its run's id.  With MERGE=1 the results of
OUT/results.json that this invocation did not measure again (another pinned
size, another workload, another cost measurement) are kept, with their
runs."""
import json
import os
import re
import subprocess
import sys

raw, rawc, out = sys.argv[1:4]
GBITS = (10, 25)


def blocks(path):
    """(kind, [lines]) for every @@RESULT KIND ... @@END block."""
    if not os.path.exists(path):
        return
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


def run_of(path):
    """the run descriptor beside log @path, or None"""
    try:
        return json.load(open(path + ".run"))
    except (OSError, ValueError):
        return None


def tagged(recs, run):
    for d in recs:
        d["run"] = run["id"] if run else "-"
    return recs


def mig_key(d):
    return (d["label"], d["workload"], d["pinned_pages"])


def cost_key(d):
    """a dirty-cost record's identity: everything but its figures"""
    return tuple(d.get(k) for k in ("test", "label", "key", "type", "series", "tracking",
                                    "workload", "mem_bytes", "pinned", "pages"))


runs = [r for r in (run_of(raw), run_of(rawc)) if r]
mig = tagged([json.loads("\n".join(b)) for k, b in blocks(raw) if k == "mig"], run_of(raw))
cost = tagged([json.loads(l) for k, b in blocks(rawc) if k == "cost"
               for l in b if l.startswith("{")], run_of(rawc))
if os.environ.get("MERGE") and os.path.exists(out + "/results.json"):
    old = json.load(open(out + "/results.json"))
    have = {mig_key(d) for d in mig}
    mig = [d for d in old.get("migrations", []) if mig_key(d) not in have] + mig
    have = {cost_key(d) for d in cost}
    cost = [d for d in old.get("cost", []) if cost_key(d) not in have] + cost
    runs = old.get("runs", []) + runs
used = {d["run"] for d in mig + cost}    # a run that measured nothing here is left out
runs = list({r["id"]: r for r in runs if r["id"] in used}.values())
json.dump({"runs": runs, "migrations": mig, "cost": cost},
          open(out + "/results.json", "w"), indent=1)
# plot data and plots are written anew: none may outlive the results it showed
for f in ["%s.dat" % d for d in ("pages", "resident", "stopcopy", "precision", "scaling", "bitmap-pins", "pins", "tput")] + \
        ["%s.%s" % (p, e) for p in ("pages-per-round", "resident", "downtime", "stopcopy", "precision", "scaling",
                                    "scaling-pins") for e in ("png", "svg")]:
    if os.path.exists(os.path.join(out, f)):
        os.remove(os.path.join(out, f))

RES = sorted({d["pinned_pages"] for d in mig if d["workload"] == "resident"})
WLS = []
for d in mig:
    if d["workload"] not in WLS and d["workload"] != "resident":
        WLS.append(d["workload"])


def find(label, wl, pinned=None):
    for d in mig:
        if d["label"] == label and d["workload"] == wl and \
                (pinned is None or d["pinned_pages"] == pinned):
            return d
    return None


def mib(b):
    return "%.1f" % (b / 1048576)


def size(b):
    return "%g GiB" % (b / (1 << 30)) if b >= 1 << 30 else "%d MiB" % (b >> 20)


def ratio(a, b):
    return "%.1f" % (a / b) if b else ("inf" if a else "-")


def link_ms(nbytes, gbit):
    """the time @nbytes take on a @gbit Gbit/s link, in ms"""
    return nbytes * 8 / (gbit * 1e9) * 1e3


def prec(p, reported, none="-"):
    """vgpu-migrate's precision @p (None without truth) for a table."""
    if p is not None:
        return "%.2f" % p
    return none if not reported else "inf"


md = []


def w(line):
    """a line of results.md; a figure not measured (NaN) shows as -"""
    md.append(re.sub(r"(?<=\| )[+-]?nan(?= \|)", "-", line))


class Missing(dict):
    """the result of a module set that was not measured: NaN figures"""
    def __missing__(self, key):
        return float("nan")


def target(pinned_bytes, r):
    """the stop-copy ratio target at this pinned size, and whether met"""
    need = 1000 if pinned_bytes >= 4 << 30 else 100 if pinned_bytes >= 1 << 30 else None
    if need is None:
        return "-"
    return ">= %dx: %s" % (need, "met" if r >= need else "NOT met")


def mig_row(name, s, f):
    rounds = " / ".join(str(x["precopy_rounds"]) + ("" if x["converged"] else "*") for x in (s, f))
    links = " | ".join("%.1f / %.2f" % (link_ms(s["stopcopy_bytes"], g), link_ms(f["stopcopy_bytes"], g)) for g in GBITS)
    return "| %s | %s | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %.0f / %.0f | %s | %s/%s | %s |" % (
        name, rounds, s["total_reported_pages"], f["total_reported_pages"],
        f["total_truth_pages"], prec(s["precision"], s["total_reported_pages"]),
        prec(f["precision"], f["total_reported_pages"]),
        mib(s["total_bytes"]), mib(f["total_bytes"]),
        mib(s["stopcopy_bytes"]), mib(f["stopcopy_bytes"]),
        ratio(s["stopcopy_bytes"], f["stopcopy_bytes"]),
        s["downtime_ms"], f["downtime_ms"], links, s["verdict"], f["verdict"],
        " / ".join(sorted({s.get("run", "-"), f.get("run", "-")})))


MIG_HEAD = ("| %s | rounds stock / fine | reported stock | reported fine | truth | precision stock | precision fine | "
            "total MiB stock | total MiB fine | stop-copy MiB stock | stop-copy MiB fine | stop-copy stock / fine | "
            "downtime ms, measured, stock / fine | at 10 Gbit/s ms stock / fine | at 25 Gbit/s ms stock / fine | verdicts | run |")
MIG_SEP = "|---" * 17 + "|"


def resident_table():
    w("## Migration against the pinned working set (resident)\n")
    w("`resident` keeps its pinned set mapped in the GTT and mostly read: about 1.3 MiB written per frame, 2 frames per round, "
      "whatever the size (`vgpu-migrate -p SIZE`).  Stock sends the whole pinned set in every round and in the stop-copy.")
    w("Target: stop-copy bytes stock / fine >= 100x at >= 1 GiB pinned, >= 1000x at 4 GiB.\n")
    w("| pinned | stop-copy stock / fine | target | run |")
    w("|---|---|---|---|")
    rows = []
    for p in RES:
        s, f = find("stock", "resident", p), find("fine-grained", "resident", p)
        if s and f:
            r = s["stopcopy_bytes"] / f["stopcopy_bytes"] if f["stopcopy_bytes"] else float("inf")
            w("| %s | %.1fx | %s | %s |" % (size(p * 4096), r, target(p * 4096, r), f.get("run", "-")))
            rows.append((p, s, f, r))
    w("")
    w(MIG_HEAD % "pinned")
    w(MIG_SEP)
    for p, s, f, r in rows:
        w(mig_row(size(p * 4096), s, f))
    w("\n`*` = stopped by the round limit (did not converge).  Pages are counted in rounds >= 1 (round 0 is the initial copy).  "
      "Measured downtime: the source from STOP_COPY to the stream's end plus the destination's RESUMING -> STOP -> RUNNING "
      "(vgpu-migrate; wall time under TCG on a loaded machine, the stop-copy bytes moved through shared memory).  "
      "At 10/25 Gbit/s: the stop-copy bytes on such a link, nothing else.\n")
    with open(out + "/resident.dat", "w") as d:
        d.write("# pinned_mib stopcopy_mib_stock stopcopy_mib_fine total_mib_stock total_mib_fine downtime_ms_stock downtime_ms_fine ms10_stock ms10_fine ms25_stock ms25_fine\n")
        for p, s, f, r in rows:
            d.write("%d %.3f %.3f %.1f %.1f %.1f %.1f %.2f %.3f %.2f %.3f\n" % (
                p >> 8, s["stopcopy_bytes"] / 1048576, f["stopcopy_bytes"] / 1048576,
                s["total_bytes"] / 1048576, f["total_bytes"] / 1048576,
                s["downtime_ms"], f["downtime_ms"],
                link_ms(s["stopcopy_bytes"], 10), link_ms(f["stopcopy_bytes"], 10),
                link_ms(s["stopcopy_bytes"], 25), link_ms(f["stopcopy_bytes"], 25)))


def canned_table():
    if not WLS:
        return
    w("## Migration of the canned workloads at natural size\n")
    w(MIG_HEAD.replace("| %s |", "| workload (pinned) |"))
    w(MIG_SEP)
    for wl in WLS:
        s, f = find("stock", wl), find("fine-grained", wl)
        if s and f:
            w(mig_row("%s (%s)" % (wl, mib(f["pinned_pages"] * 4096) + " MiB"), s, f))


def precision_table():
    w("\n## Precision per round (fine-grained, reported / truly written)\n")
    w("| workload | pinned | per round (1..n, stop) |")
    w("|---|---|---|")
    for d in mig:
        if d["label"] != "fine-grained":
            continue
        v = [prec(r["precision"], r["vfio_pages"], "0/0") for r in d["rounds"] if r["round"] != 0]
        w("| %s | %s | %s |" % (d["workload"], size(d["pinned_pages"] * 4096), " ".join(v)))


def c(test, label, **kv):
    return [d for d in cost if d["test"] == test and d["label"] == label
            and all(d.get(k) == v for k, v in kv.items())]


def bitmap_target(pinned, r_stock, r_none):
    """issue 12's verdicts at >= 256k pinned: <= 0.05 x stock, within 10%
    of the query with nothing pinned"""
    if pinned < 262144:
        return "-"

    def v(ok):
        return "-" if ok is None else "met" if ok else "NOT met"
    return "<= 0.05 x stock: %s; within 10%% of 0 pinned: %s" % (
        v(None if r_stock != r_stock else r_stock <= 0.05),
        v(None if r_none is None else r_none <= 1.10))


def bitmap_tables():
    pins = sorted({d["pinned"] for d in c("bitmap", "fine-grained", series="pins")})
    if not pins:
        return
    w("\n## Cost: GET_BITMAP per query with clean pins\n")
    w("Reporting test mdev (DEVICE scope on the patched modules), a 4 GiB mapping, N pages pinned with clean intent "
      "(stock has no intent: its pins are plain), tracking on; median of the per-query times in virtual us "
      "(ICOUNT: 8 ns per guest instruction, independent of the host's load).")
    w("Targets: patched / stock <= 0.05 at >= 256k pinned; patched within 10% of the same query with nothing pinned.")
    w(run_note(c("bitmap", "fine-grained")))
    w("| pinned | stock us | patched us | patched / stock | patched / patched with 0 pinned | clean pins | target |")
    w("|---|---|---|---|---|---|---|")
    base = c("bitmap", "fine-grained", series="pins", pinned=0)
    base = base[0]["med_us"] if base else None
    with open(out + "/bitmap-pins.dat", "w") as d:
        d.write("# pinned stock_us patched_us (4 GiB mapped, reporting test mdev, clean pins)\n")
        for p in pins:
            f = c("bitmap", "fine-grained", series="pins", pinned=p)[0]
            s = c("bitmap", "stock", series="pins", pinned=p)
            s = s[0]["med_us"] if s else float("nan")
            w("| %d | %.1f | %.1f | %.4f | %s | %s | %s |" % (
                p, s, f["med_us"], f["med_us"] / s,
                "%.3f" % (f["med_us"] / base) if base else "-", "yes" if f.get("clean") else "no",
                bitmap_target(p, f["med_us"] / s, f["med_us"] / base if base else None)))
            d.write("%d %.1f %.1f\n" % (max(p, 1), s, f["med_us"]))
    w("\nAgainst the mapped size (256 pins, clean on patched), same device:\n")
    w("| mapped | stock us | patched us | patched / stock |")
    w("|---|---|---|---|")
    with open(out + "/scaling.dat", "w") as d:
        d.write("# mem_mib stock_us patched_us (256 pins, clean on patched)\n")
        for f in sorted(c("bitmap", "fine-grained", series="mem"), key=lambda x: x["mem_bytes"]):
            s = (c("bitmap", "stock", series="mem", mem_bytes=f["mem_bytes"]) or [Missing()])[0]["med_us"]
            w("| %s | %.1f | %.1f | %.3f |" % (size(f["mem_bytes"]), s, f["med_us"], f["med_us"] / s))
            d.write("%d %.1f %.1f\n" % (f["mem_bytes"] >> 20, s, f["med_us"]))


def run_note(recs):
    """the line that names the run(s) of @recs"""
    ids = sorted({d.get("run", "-") for d in recs})
    return "Run: %s (see \"Runs\").\n" % ", ".join(ids)


def paired_table(test, key, title, intro, head, dat, row, dat_row, order=None):
    """a section of @test's fine-grained results, each beside the stock
    (and baseline, when measured) result of the same @key: a markdown row
    row(f, s, b) and a line dat_row(f, s, b) of OUT/dat[0] (header dat[1])"""
    rows = c(test, "fine-grained")
    if not rows:
        return
    w("\n## %s\n" % title)
    w(intro)
    w(run_note(rows))
    w(head)
    w("|---" * (head.count("|") - 1) + "|")
    with open(out + "/" + dat[0], "w") as d:
        d.write("# %s\n" % dat[1])
        for f in sorted(rows, key=order) if order else rows:
            s = c(test, "stock", **{key: f[key]}) or [Missing()]
            b = c(test, "baseline", **{key: f[key]})
            w(row(f, s[0], b[0] if b else None))
            d.write(dat_row(f, s[0], b[0] if b else None) + "\n")


def pins_table():
    paired_table(
        "pins", "pinned", "Cost: pinning a GTT in bulk, and the memory of a pin",
        "A sample vGPU of the smallest type with N GTT entries; N contiguous entries written (the vGPU pins runs of up to 512 pages "
        "per vfio_pin_pages call), then cleared (bulk unpins); median over rounds, virtual time (ICOUNT).  Kernel memory: "
        "Slab + VmallocUsed of /proc/meminfo after the pins minus before, per pinned page: type1's vfio_pfn and the vGPU's GTT "
        "leaves.  Patched minus stock is what the per-page intent counting costs.",
        "| pinned | type | pin calls | pins/s stock | pins/s patched | unpins/s stock | unpins/s patched | kernel bytes/page stock | patched | patched - stock |",
        ("pins.dat", "pinned pins_per_s_stock pins_per_s_patched unpins_per_s_stock unpins_per_s_patched bytes_per_page_stock bytes_per_page_patched"),
        lambda f, s, b: "| %d | %s | %d | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f | %+.1f |" % (
            f["pinned"], f["type"], f["pin_calls"], s["pins_per_s"], f["pins_per_s"],
            s["unpins_per_s"], f["unpins_per_s"], s["kmem_bytes_per_page"],
            f["kmem_bytes_per_page"], f["kmem_bytes_per_page"] - s["kmem_bytes_per_page"]),
        lambda f, s, b: "%d %.0f %.0f %.0f %.0f %.2f %.2f" % (
            f["pinned"], s["pins_per_s"], f["pins_per_s"], s["unpins_per_s"],
            f["unpins_per_s"], s["kmem_bytes_per_page"], f["kmem_bytes_per_page"]),
        order=lambda x: x["pinned"])


def tput_row(f, s, b):
    b = b or {"fps_off_med": float("nan"), "fps_on_med": float("nan")}
    ro, rn = f["fps_off_med"] / s["fps_off_med"], f["fps_on_med"] / s["fps_on_med"]
    return "| %s | %s | %.1f / %.1f / %.1f | %.1f / %.1f / %.1f | %.3f | %.3f | %s | %.3f [%.3f, %.3f] |" % (
        f["workload"], mib(f["pinned_pages"] * 4096), s["fps_off_med"], b["fps_off_med"], f["fps_off_med"],
        s["fps_on_med"], b["fps_on_med"], f["fps_on_med"], ro, rn,
        "met" if min(ro, rn) >= 0.99 else "NOT met", f["ratio_med"], f["ratio_ci_lo"], f["ratio_ci_hi"])


def tput_table():
    paired_table(
        "tput", "workload", "Cost: frames per second, fine-grained vs stock",
        "Sample vGPU, each workload at its natural size, pairs of batches with tracking off and on, interleaved; virtual "
        "(ICOUNT) frames per second, medians.  Target: fine-grained >= 0.99 x stock, tracking off and on.",
        "| workload | pinned MiB | fps off stock / baseline / fine | fps on stock / baseline / fine | fine / stock, off | fine / stock, on | target | fine on/off [95% CI] |",
        ("tput.dat", "workload fine_over_stock_off fine_over_stock_on"),
        tput_row,
        lambda f, s, b: "%s %.4f %.4f" % (f["workload"], f["fps_off_med"] / s["fps_off_med"],
                                          f["fps_on_med"] / s["fps_on_med"]))


def mark_table():
    fits = c("mark_fit", "fine-grained")
    if not fits:
        return
    w("\n## Cost: vfio_mark_dirty()\n")
    w("Test mdev `DTM_MARK` of 1..4096 contiguous pages minus a null ioctl on the same path; per call / per page from a")
    w("least-squares fit (virtual time under ICOUNT: 8 ns per instruction).")
    w(run_note(fits))
    w("| tracking | 1 page us | 16 pages us | 256 pages us | 4096 pages us | per call us | per page ns |")
    w("|---|---|---|---|---|---|---|")
    for t in ("on", "off"):
        fit = c("mark_fit", "fine-grained", tracking=t)
        net = {d["pages"]: d["net_us"] for d in c("mark", "fine-grained", tracking=t)}
        if fit:
            w("| %s | %s | %.3f | %.3f |" % (t, " | ".join("%.3f" % net.get(p, float("nan")) for p in (1, 16, 256, 4096)),
                                          fit[0]["per_call_us"], fit[0]["per_page_ns"]))


def plots():
    big = min(RES, key=lambda p: abs(p - (1 << 18))) if RES else None   # the 1 GiB run, else the nearest
    s, f = (find("stock", "resident", big), find("fine-grained", "resident", big)) if big else (None, None)
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
            s2, f2 = find("stock", wl), find("fine-grained", wl)
            if s2 and f2:
                d.write("%s %.3f %.3f %d %d\n" % (wl, s2["stopcopy_bytes"] / 1048576, f2["stopcopy_bytes"] / 1048576,
                                                 s2["precopy_rounds"], f2["precopy_rounds"]))
    with open(out + "/precision.dat", "w") as d:
        for wl in WLS + ["resident"]:
            s2, f2 = find("stock", wl, big if wl == "resident" else None), find("fine-grained", wl, big if wl == "resident" else None)
            if s2 and f2 and s2["precision"] is not None and f2["precision"] is not None:
                d.write("%s %.3f %.3f\n" % (wl, s2["precision"], f2["precision"]))
    title = size(big * 4096) if big else ""
    cmds = {
        "pages-per-round": "set title 'resident, %s pinned: pages reported per round'; set style data linespoints; set logscale y; set key outside top center horizontal; set grid; plot 'pages.dat' using 0:2:xtic(1) t 'stock' lw 2 pt 7, '' using 0:3 t 'fine-grained' lw 2 pt 5, '' using 0:4 t 'truth (stock run)' dt 2 lc rgb 'black', '' using 0:5 t 'truth (fine run)' with points pt 6 ps 2 lc rgb 'black'" % title,
        "resident": "set title 'resident: stop-copy MiB against the pinned set'; set logscale xy 2; set xlabel 'pinned MiB'; set ylabel 'stop-copy MiB'; set grid; set style data linespoints; set key top left; plot 'resident.dat' using 1:2 t 'stock' lw 2 pt 7, '' using 1:3 t 'fine-grained' lw 2 pt 5",
        "downtime": "set title 'resident: stop-copy time implied on a link'; set logscale xy 2; set xlabel 'pinned MiB'; set ylabel 'ms'; set grid; set style data linespoints; set key top left; plot 'resident.dat' using 1:8 t 'stock, 10 Gbit/s' lw 2 pt 7, '' using 1:10 t 'stock, 25 Gbit/s' lw 2 pt 7 dt 2, '' using 1:9 t 'fine-grained, 10 Gbit/s' lw 2 pt 5, '' using 1:11 t 'fine-grained, 25 Gbit/s' lw 2 pt 5 dt 2",
        "stopcopy": "set title 'stop-copy MiB (downtime data), canned workloads at natural size'; set style data histograms; set style fill solid 0.8; set yrange [0:*]; set xtics rotate by -20; set grid y; plot 'stopcopy.dat' using 2:xtic(1) t 'stock', '' using 3 t 'fine-grained'",
        "precision": "set title 'precision: pages reported / pages written (rounds >= 1)'; set style data histograms; set style fill solid 0.8; set logscale y; set yrange [0.5:*]; set xtics rotate by -20; set grid y; plot 'precision.dat' using 2:xtic(1) t 'stock', '' using 3 t 'fine-grained (goal 1.00)'",
        "scaling": "set title 'GET_BITMAP per query against mapped size (256 pins, ICOUNT)'; set logscale xy 2; set xlabel 'mapped MiB'; set ylabel 'virtual us'; set grid; set style data linespoints; set key top left; plot 'scaling.dat' using 1:2 t 'stock' lw 2, '' using 1:3 t 'patched, DEVICE scope' dt 2",
        "scaling-pins": "set title 'GET_BITMAP per query against clean pins (4 GiB mapped, ICOUNT)'; set logscale xy 2; set xlabel 'pinned pages'; set ylabel 'virtual us'; set grid; set style data linespoints; set key top left; plot 'bitmap-pins.dat' using 1:2 t 'stock' lw 2, '' using 1:3 t 'patched, DEVICE scope, clean pins' lw 2",
    }
    for name, cmd in cmds.items():
        data = os.path.join(out, cmd.split("plot '", 1)[1].split("'", 1)[0])
        if not os.path.exists(data) or all(l.startswith("#") for l in open(data)):
            continue    # nothing measured for this plot
        for term, ext in (("pngcairo size 900,540", "png"), ("svg size 900,540", "svg")):
            subprocess.run(["gnuplot", "-e", "cd '%s'; set terminal %s noenhanced; set output '%s.%s'; %s"
                            % (out, term, name, ext, cmd)], check=False, stderr=subprocess.DEVNULL)


w("# Benchmark results\n")
w("Generated by `make bench` (scripts/bench.sh, scripts/bench-report.py); machine and host load in machine.txt, "
  "raw data in results.json, plot data in *.dat.")
w("stock = Debian's VFIO modules + the vGPU built for them (pins dirty, never reports);")
w("baseline = patched modules, vGPU with fine_dirty=0; fine-grained = patched modules, fine-grained vGPU.")
w("truth = pages the workload told the device to write.\n")
if runs:
    w("## Runs\n")
    w("Every result names the run that produced it (`run` column, \"Run:\" lines); load = the host's 1/5/15-minute load "
      "averages at the start and the end of the VM boot.\n")
    w("| run | boot | command | commit | test VM | wall s | load at start | load at end |")
    w("|---|---|---|---|---|---|---|---|")
    for r in runs:
        w("| %s | %s | `%s` | %s | %s | %s | %s | %s |" % (r["id"], r["boot"], r["command"], r["commit"], r["vm"],
                                                      r["wall_s"], r["load_start"], r["load_end"]))
    w("")
if mig:
    resident_table()
    canned_table()
    precision_table()
bitmap_tables()
pins_table()
tput_table()
mark_table()
w("\nPlots ({png,svg}): resident (stop-copy against the pinned set), downtime (implied on 10/25 Gbit/s), "
  "pages-per-round (resident, 1 GiB), stopcopy and precision (canned workloads), scaling, scaling-pins (GET_BITMAP).")
open(out + "/results.md", "w").write("\n".join(md) + "\n")
plots()
