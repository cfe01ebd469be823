#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Minimal QMP client for the QEMU migration tests (standard library only).

  qmp.py SOCK cmd NAME [JSON-ARGS]     run one command, print its return
  qmp.py SOCK migrate URI [--timeout S] [--param K=V]... [--cap NAME=on]...
                [--converge-after S --converge-downtime MS] [--kill-when-active PID]
                [--counter FILE]
        set parameters/capabilities, start `migrate`, poll `query-migrate`
        every 0.2 s until completed/failed/cancelled (or timeout, then
        migrate_cancel); still active after --converge-after seconds and
        past the first pass over RAM (dirty-sync-count >= 2): raise
        downtime-limit to --converge-downtime (reported as forced=1);
        --kill-when-active: SIGKILL PID once RAM is being sent (error test);
        --counter: read the number in FILE just before `migrate` and when
        the migration has ended (a device's counter over the migration),
        reported as counter_before= and counter_after=.  Prints `status ...`
        lines while it runs, a final line `RESULT {json of query-migrate}`
        and a `SUMMARY key=value...` line; exit 0 if completed.
  qmp.py SOCK status                   print query-status's "status"
  qmp.py SOCK wait-connect [S]         wait until the socket accepts
"""
import json
import os
import signal
import socket
import sys
import time


class QMP:
    def __init__(self, path, timeout=30.0):
        end = time.time() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.time() > end:
                    raise
                time.sleep(0.2)
        self.s.settimeout(max(timeout, 60.0))
        self.buf = b""
        self._read()            # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            data = self.s.recv(65536)
            if not data:
                raise EOFError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.s.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self._read()
            if "event" in r:
                continue
            if "error" in r:
                raise RuntimeError("%s: %s" % (name, r["error"].get("desc")))
            return r.get("return")


def parse_val(v):
    if v in ("on", "true"):
        return True
    if v in ("off", "false"):
        return False
    try:
        return int(v)
    except ValueError:
        return v


def read_counter(path):
    if not path:
        return None
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return -1


def migrate(q, uri, argv):
    timeout, params, caps = 120.0, {}, []
    conv_after, conv_downtime, forced = None, None, 0
    kill_pid, killed = None, False
    counter, before, after = None, None, None
    i = 0
    while i < len(argv):
        if argv[i] == "--timeout":
            timeout = float(argv[i + 1]) * float(os.environ.get("TSCALE", "1"))
        elif argv[i] == "--param":
            k, v = argv[i + 1].split("=", 1)
            params[k] = parse_val(v)
        elif argv[i] == "--converge-after":
            conv_after = float(argv[i + 1])
        elif argv[i] == "--converge-downtime":
            conv_downtime = int(argv[i + 1])
        elif argv[i] == "--kill-when-active":
            kill_pid = int(argv[i + 1])
        elif argv[i] == "--counter":
            counter = argv[i + 1]
        elif argv[i] == "--cap":
            k, v = argv[i + 1].split("=", 1)
            caps.append({"capability": k, "state": parse_val(v)})
        i += 2
    # QEMU answers no QMP command while the guest is stopped, and how long
    # it stays stopped is not bounded by downtime-limit: that only gates
    # QEMU's estimate before the switch-over, made from the bandwidth of
    # precopy.  At 1 GiB pinned a forced stock migration (limit 61.2 s)
    # stayed stopped 113.9 s on a loaded 2-core machine.  So an answer may
    # take as long as the migration may (--timeout), plus a minute for
    # migrate_cancel after it.
    q.s.settimeout(timeout + 60.0)
    if caps:
        q.cmd("migrate-set-capabilities", {"capabilities": caps})
    if params:
        q.cmd("migrate-set-parameters", params)
    t0 = time.time()
    before = read_counter(counter)
    q.cmd("migrate", {"uri": uri})
    last = None
    while True:
        r = q.cmd("query-migrate")
        st = r.get("status")
        if st != last:
            print("status %s at %.2fs" % (st, time.time() - t0), flush=True)
            last = st
        if st in ("completed", "failed", "cancelled"):
            after = read_counter(counter)
            break
        if kill_pid and not killed and st == "active" and \
                r.get("ram", {}).get("transferred", 0) > 0:
            # error-path test: the destination dies mid-migration
            print("killing pid %d mid-migration" % kill_pid, flush=True)
            os.kill(kill_pid, signal.SIGKILL)
            killed = True
        if (conv_after is not None and not forced and st == "active" and
                time.time() - t0 > conv_after and
                r.get("ram", {}).get("dirty-sync-count", 0) >= 2):
            # what a management layer does when precopy does not converge;
            # not before the first pass over guest RAM has ended (QEMU's
            # second dirty sync): forced within it, QEMU switches over with
            # the rest of that pass still to send, while the guest is stopped
            print("not converged after %.0fs, first pass done: "
                  "downtime-limit %d ms" % (time.time() - t0, conv_downtime),
                  flush=True)
            q.cmd("migrate-set-parameters", {"downtime-limit": conv_downtime})
            forced = 1
        if time.time() - t0 > timeout:
            print("timeout after %.0fs: migrate_cancel" % timeout, flush=True)
            q.cmd("migrate_cancel")
            timeout = float("inf")
        time.sleep(0.2)
    print("RESULT " + json.dumps(r), flush=True)
    ram = r.get("ram", {})
    summary = [
        ("status", st),
        ("total_ms", r.get("total-time", 0)),
        ("downtime_ms", r.get("downtime", 0)),
        ("setup_ms", r.get("setup-time", 0)),
        ("ram_bytes", ram.get("transferred", 0)),
        ("precopy_bytes", ram.get("precopy-bytes", 0)),
        ("downtime_bytes", ram.get("downtime-bytes", 0)),
        ("dirty_syncs", ram.get("dirty-sync-count", 0)),
        ("dirty_rate", ram.get("dirty-pages-rate", 0)),
        ("vfio_bytes", r.get("vfio", {}).get("transferred", 0)),
        ("forced", forced),
    ]
    if counter:
        summary += [("counter_before", before), ("counter_after", after)]
    if r.get("error-desc"):
        summary.append(("error", json.dumps(r["error-desc"])))
    print("SUMMARY " + " ".join("%s=%s" % kv for kv in summary), flush=True)
    return 0 if st == "completed" else 1


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    sock, op = sys.argv[1], sys.argv[2]
    if op == "wait-connect":
        QMP(sock, float(sys.argv[3]) if len(sys.argv) > 3 else 30.0)
        return 0
    q = QMP(sock)
    if op == "cmd":
        args = json.loads(sys.argv[4]) if len(sys.argv) > 4 else None
        print(json.dumps(q.cmd(sys.argv[3], args)))
        return 0
    if op == "status":
        print(q.cmd("query-status")["status"])
        return 0
    if op == "migrate":
        return migrate(q, sys.argv[3], sys.argv[4:])
    print("unknown operation " + op, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, EOFError, RuntimeError) as e:
        print("qmp: %s" % e, file=sys.stderr)
        sys.exit(1)
