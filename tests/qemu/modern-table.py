#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""modern-table.py RESULTS: the tables of `make e2e-modern` (docs/modern.rst).

RESULTS holds the QEMU-RESULT lines of tests/qemu/vm-modern.sh (keys of
tests/qemu/vm-migrate.sh plus path, qemu, backend, tracker, syncs, rounds,
reported, verified) and the LIBVIRT-RESULT lines of tests/qemu/vm-libvirt.sh.
Prints reStructuredText simple tables: one row per QEMU version and path,
then the libvirt migrations with libvirt's job statistics beside QEMU's.

  reported   pages the VFIO tracker reported over all rounds (QEMU's trace)
  written    pages the vGPU wrote during the migration (its dirty_pages
             counter: pages per flushed range, so a page written by two
             submissions counts twice; the ground truth's upper bound)
  ratio      reported / written: at most 1 when only written pages are
             reported; the stock type1 paths report the pinned set
"""
import sys

PATHS = ["iommufd-dmalog", "legacy-dmalog", "legacy-series", "stock-dmalog",
         "legacy-stock", "iommufd-nolog"]


def parse(path):
    rows = []
    for line in open(path):
        f = line.split()
        if not f or f[0] not in ("QEMU-RESULT", "LIBVIRT-RESULT"):
            continue
        kv = dict(x.split("=", 1) for x in f[1:] if "=" in x)
        kv["_kind"] = f[0]
        rows.append(kv)
    return rows


def kib(v):
    try:
        return str(int(v) // 1024)
    except (TypeError, ValueError):
        return "-"


def rounds(r, width):
    s = r.get("rounds", "") or "-"
    s = s.replace("/", " ")
    return s if len(s) <= width else s[:width - 3] + "..."


def ratio(r):
    try:
        rep, wr = int(r["reported"]), int(r["dev_written_mig"])
    except (KeyError, ValueError):
        return "-"
    if rep == 0 or wr == 0:
        return "-"
    return "%.2f" % (rep / wr)


def table(head, rows):
    w = [max(len(h[i]) for h in head + rows) for i in range(len(head[0]))]
    sep = " ".join("=" * x for x in w)
    out = [sep]
    for h in head:
        out.append(" ".join(c.ljust(x) for c, x in zip(h, w)).rstrip())
    out.append(sep)
    for r in rows:
        out.append(" ".join(c.ljust(x) for c, x in zip(r, w)).rstrip())
    out.append(sep)
    return "\n".join(out)


def qemu_rows(rows):
    def key(r):
        p = r.get("path", "")
        return (r.get("qemu", ""), PATHS.index(p) if p in PATHS else 99)
    out = []
    for r in sorted((r for r in rows if r["_kind"] == "QEMU-RESULT"), key=key):
        out.append([r.get("qemu", "-"), r.get("path", "-"), r.get("backend", "-"),
                    r.get("tracker", "-"), r.get("dirty_syncs", "-"),
                    rounds(r, 28), r.get("reported", "-"),
                    r.get("dev_written_mig", "-"), ratio(r),
                    kib(r.get("downtime_bytes")), r.get("downtime_ms", "-"),
                    kib(r.get("ram_bytes")), r.get("total_ms", "-"),
                    r.get("verified", "-")])
    head = [["QEMU", "path", "backend", "tracker", "syncs",
             "VFIO pages per round", "reported", "written", "ratio",
             "stop-copy", "downtime", "RAM sent", "total", "dest."],
            ["", "", "", "(trace)", "", "(trace)", "", "(vGPU)", "",
             "KiB", "ms", "KiB", "ms", "checks"]]
    return table(head, out) if out else ""


def libvirt_rows(rows):
    out = []
    for r in (r for r in rows if r["_kind"] == "LIBVIRT-RESULT"):
        out.append([r.get("libvirt", "-"), r.get("qemu", "-"), r.get("path", "-"),
                    r.get("tracker", "-"), rounds(r, 22), r.get("reported", "-"),
                    r.get("lv_time_ms", "-"), r.get("lv_downtime_ms", "-"),
                    kib(r.get("lv_memory_bytes")), r.get("lv_iterations", "-"),
                    r.get("syncs", "-"), r.get("verified", "-")])
    head = [["libvirt", "QEMU", "path", "tracker", "VFIO pages per round",
             "reported", "time", "downtime", "memory", "memory", "QEMU",
             "dest."],
            ["", "", "", "(trace)", "(QEMU trace)", "", "ms (lv)", "ms (lv)",
             "KiB (lv)", "iterations (lv)", "syncs", "checks"]]
    return table(head, out) if out else ""


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rows = parse(sys.argv[1])
    for t in (qemu_rows(rows), libvirt_rows(rows)):
        if t:
            print(t)
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
