#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tap-count.py [-m MANIFEST] [-k KERNELS] [-q] LOG: count a `make check` log.

The log is a sequence of parts, each the TAP of one test program, framed
by lines the harness writes (check.sh on the host, tests/vm/part.sh in
the VM):

  # === kernel LABEL          the parts that follow ran on kernel LABEL
                              (before the first such line: "host")
  # === begin NAME            part NAME starts
  # === end NAME rc=N         part NAME ended, its program exited N
  # === status NAME rc=N      a step without TAP (a VM boot, a module load)

A part passes only if it ended with exit status 0, has exactly one plan
(1..N, or 1..0 # SKIP), N numbered results 1..N, no "not ok" and no
"Bail out!", and its (kernel, name) is in the manifest with exactly that
many results and skips.  A manifest row whose part is not in the log, a
part the manifest does not list, a status with rc != 0 and a result line
outside any part are failures too.  -k host,6.12 says which kernels the
run covers (default: every kernel of the manifest): only their rows must
be in the log, and a part of any other kernel is a failure.

Prints each failure, a line per kernel, the summary line
"summary: N passed, N failed, N skipped" when there are skips, and last,
always, "N passed, N failed" (the line CI reads); exits 0 only
when nothing failed.  Passed: "ok" results that are not skips; skipped:
"# SKIP" results and 1..0 # SKIP plans; failed: "not ok" results, plus
one for each part, status or manifest row that is wrong without a
"not ok" of its own.
"""
import argparse
import os
import re
import sys

MARK = re.compile(r'^# === (kernel|begin|end|status) (\S+)(?: rc=(-?\d+))?')
PLAN = re.compile(r'^1\.\.(\d+)\s*(#\s*(.*))?$')
RESULT = re.compile(r'^(not ok|ok)(?:\s+(\d+))?(?:\s+(.*))?$')
SKIP = re.compile(r'#\s*skip', re.I)


class Part:
    def __init__(self, kernel, name, line):
        self.kernel, self.name, self.line = kernel, name, line
        self.plans = []         # (count, skip reason or None)
        self.numbers = []       # result numbers, None if absent
        self.passed = self.failed = self.skipped = 0
        self.bail = False
        self.rc = None          # None: no end line
        self.problems = []

    @property
    def key(self):
        return '%s/%s' % (self.kernel, self.name)


def read_manifest(path):
    rows, order = {}, []
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.split('#', 1)[0].strip()
            if not line:
                continue
            w = line.split()
            if len(w) < 4 or not w[2].isdigit() or not w[3].isdigit():
                sys.exit('%s:%d: want "KERNEL PART TESTS SKIPS"' % (path, n))
            key = '%s/%s' % (w[0], w[1])
            if key in rows:
                sys.exit('%s:%d: %s listed twice' % (path, n, key))
            rows[key] = (int(w[2]), int(w[3]))
            order.append(key)
    return rows, order


def parse(lines):
    parts, statuses, stray = [], [], []
    kernel, cur = 'host', None
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip('\r\n').rstrip('\r')
        m = MARK.match(line)
        if m:
            what, name, rc = m.group(1), m.group(2), m.group(3)
            if what == 'kernel':
                kernel = name
            elif what == 'begin':
                if cur:
                    cur.problems.append('no end line (next part began)')
                cur = Part(kernel, name, n)
                parts.append(cur)
            elif what == 'end':
                if not cur or cur.name != name:
                    stray.append('line %d: end of %s, which had not begun'
                                 % (n, name))
                else:
                    cur.rc = int(rc) if rc is not None else -1
                    cur = None
            else:
                statuses.append(('%s/%s' % (kernel, name),
                                 int(rc) if rc is not None else -1))
            continue
        if line.startswith('Bail out!'):
            if cur:
                cur.bail = True
            else:
                stray.append('line %d: %s' % (n, line))
            continue
        m = PLAN.match(line)
        if m and cur:
            skip = None
            if m.group(2) and m.group(3).upper().startswith('SKIP'):
                skip = m.group(3)[4:].strip() or 'no reason given'
            cur.plans.append((int(m.group(1)), skip))
            continue
        m = RESULT.match(line)
        if not m:
            continue
        if not cur:
            stray.append('line %d: result outside any part: %s' % (n, line))
            continue
        cur.numbers.append(int(m.group(2)) if m.group(2) else None)
        if m.group(1) == 'not ok':
            cur.failed += 1
        elif SKIP.search(m.group(3) or ''):
            cur.skipped += 1
        else:
            cur.passed += 1
    return parts, statuses, stray


def check_part(p, manifest, kernels):
    results = len(p.numbers)
    skips = p.skipped
    if p.rc is None:
        p.problems.append('did not finish (no end line: crash, hang or '
                          'a VM that stopped)')
    elif p.rc != 0:
        p.problems.append('exit status %d' % p.rc)
    if p.bail:
        p.problems.append('Bail out!')
    if not p.plans:
        p.problems.append('no TAP plan (1..N)')
    elif len(p.plans) > 1:
        p.problems.append('%d TAP plans' % len(p.plans))
    else:
        planned, reason = p.plans[0]
        if reason is not None:
            skips += 1
            if planned or results:
                p.problems.append('1..%d # SKIP with %d results'
                                  % (planned, results))
        elif results != planned:
            p.problems.append('plan 1..%d but %d results' % (planned, results))
    if p.numbers and p.numbers != list(range(1, results + 1)):
        p.problems.append('results not numbered 1..%d in order' % results)
    if kernels is not None and p.kernel not in kernels:
        p.problems.append('kernel %s is not part of this run (%s)'
                          % (p.kernel, ','.join(sorted(kernels))))
    elif p.key not in manifest:
        p.problems.append('not in the manifest (%d results, %d skipped): '
                          'add it' % (results, skips))
    else:
        want, want_skip = manifest[p.key]
        if results != want:
            p.problems.append('%d results, the manifest expects %d'
                              % (results, want))
        if skips != want_skip:
            p.problems.append('%d skipped, the manifest expects %d'
                              % (skips, want_skip))
    return skips


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description='count a make check log')
    ap.add_argument('-m', '--manifest',
                    default=os.path.join(top, 'tests', 'manifest'))
    ap.add_argument('-k', '--kernels',
                    help='the kernels this run covers, e.g. host,6.12')
    ap.add_argument('-q', '--quiet', action='store_true',
                    help='print the last line only')
    ap.add_argument('log')
    a = ap.parse_args()
    manifest, order = read_manifest(a.manifest)
    kernels = set(a.kernels.split(',')) if a.kernels else None
    if kernels is not None:
        order = [k for k in order if k.split('/', 1)[0] in kernels]
    with open(a.log, errors='replace') as f:
        parts, statuses, stray = parse(f)

    out = []
    passed = failed = skipped = 0
    seen = {}
    per_kernel = {}
    for p in parts:
        skips = check_part(p, manifest, kernels)
        if p.key in seen:
            p.problems.append('ran twice (also at line %d)' % seen[p.key])
        seen.setdefault(p.key, p.line)
        bad = p.failed or (1 if p.problems else 0)
        passed += p.passed
        skipped += skips
        failed += bad
        k = per_kernel.setdefault(p.kernel, [0, 0, 0, []])
        k[0] += p.passed
        k[1] += bad
        k[2] += skips
        if skips and not p.problems:
            k[3].append('%s %d' % (p.name, skips))
        for why in p.problems:
            out.append('FAIL %s: %s' % (p.key, why))
        if p.failed:
            out.append('FAIL %s: %d not ok' % (p.key, p.failed))
    for key in order:
        if key not in seen:
            failed += 1
            want, want_skip = manifest[key]
            out.append('FAIL %s: missing (the manifest expects %d results)'
                       % (key, want))
    for key, rc in statuses:
        if rc != 0:
            failed += 1
            out.append('FAIL %s: exit status %d' % (key, rc))
    for s in stray:
        failed += 1
        out.append('FAIL %s' % s)
    if not a.quiet:
        for line in out:
            print(line)
        for kernel, (p, f, s, exp) in per_kernel.items():
            print('# %s: %d passed, %d failed, %d skipped%s'
                  % (kernel, p, f, s,
                     ' (expected: %s)' % ', '.join(exp) if exp else ''))
    line = '%d passed, %d failed' % (passed, failed)
    if skipped:
        print('summary: %s, %d skipped' % (line, skipped))
    print(line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
