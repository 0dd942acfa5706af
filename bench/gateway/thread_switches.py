#!/usr/bin/env python3
"""Context switches per call, by process and thread name, while bench_gateway runs.

Runs bench_gateway (extra arguments passed through; give it one concurrency and one
payload), waits for its "rmb <payload> x <callers>" progress line, sleeps past the warm-up,
then reads every thread's voluntary + involuntary switches of rmb-peer (A = the first
started), rmb-relay and the bench itself from /proc at both edges of a window, and divides
by the calls rmb-peer A's engine answered in that window (read from the bench's table:
calls/s x window). Threads of one name are summed (gRPC's pollers, Asio's I/O threads).

    bench/gateway/thread_switches.py build/release/bench/gateway/bench_gateway \
        --concurrency 1 --payload 64 --duration 6 --warmup 1
"""
import collections
import os
import re
import subprocess
import sys
import time


def children(pid):
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def threads(pid):
    """{thread name: switches} summed over the threads of that name."""
    counts = collections.Counter()
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                name = re.sub(r"\d+$", "#", f.read().strip())
            with open(f"/proc/{pid}/task/{task}/status") as f:
                status = f.read()
        except OSError:
            continue
        for key in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
            counts[name] += int(re.search(rf"^{key}:\s+(\d+)", status, re.M).group(1))
    return counts


def main():
    bench, args = sys.argv[1], sys.argv[2:]
    duration = float(args[args.index("--duration") + 1]) if "--duration" in args else 5
    warmup = float(args[args.index("--warmup") + 1]) if "--warmup" in args else 1
    proc = subprocess.Popen([bench] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        sys.stderr.write(line)
        if re.search(r"\] rmb \d", line):
            break
    time.sleep(warmup + 0.2)
    kids = children(proc.pid)
    peers = [p for p in kids if comm(p).startswith("rmb-peer")]
    names = {proc.pid: "bench"}
    for p in kids:
        if comm(p) == "rmb-relay":
            names[p] = "relay"
    for label, p in zip(("peer A", "peer B"), sorted(peers)):
        names[p] = label
    window = max(1.0, duration - 1.0)
    before = {p: threads(p) for p in names}
    t0 = time.monotonic()
    time.sleep(window)
    after = {p: threads(p) for p in names}
    elapsed = time.monotonic() - t0
    out, err = proc.communicate()
    sys.stderr.write(err)
    print(out)
    match = re.search(r"^\S+ B +\d+ +\d+ +\d+ +([\d,]+) ", out, re.M)
    if not match:
        print("no rmb calls/s in the table", file=sys.stderr)
        return 1
    calls = float(match.group(1).replace(",", "")) * elapsed
    print(f"context switches per call by thread ({calls:.0f} calls in {elapsed:.1f} s):")
    for p, label in names.items():
        diff = {n: after[p][n] - before[p].get(n, 0) for n in after[p]}
        total = sum(diff.values())
        print(f"  {label}: {total / calls:.1f}")
        for n, d in sorted(diff.items(), key=lambda kv: -kv[1]):
            if d / calls >= 0.05:
                print(f"      {n:<20} {d / calls:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
