#!/usr/bin/env python3
"""Interleaved A/B builds for scripts/bench: is goaop's build cost beyond noise?

One scenario (`cold`: a fresh GOCACHE per build; `noop`: the same build
again in one warm GOCACHE), several modes:

  plain      go build
  bare-exec  go build -toolexec=/usr/bin/env: one bare exec in front of
             every tool call and nothing else, the floor of any -toolexec
             program (its tool IDs are plain's, so it shares plain's cache)
  toolexec   go build -toolexec=goaop
  driver     goaop go build

Each round runs every mode once (`noop`: BUILDS times in a row), the order
rotated by one every round, so over as many rounds as there are modes each
mode runs once in every position (first after the previous round, ..., last)
and a machine that slows down or speeds up weighs on all modes alike. Every build is timed (wall, and the
CPU time of its whole process tree from wait4), and compared with the plain
build *of the same round*: a paired ratio, which takes out what drifts from
round to round. The table gives each mode's median, spread, and the median
of its paired ratios, for wall and for CPU time, with a distribution-free
confidence interval (order statistics of the ratios; the coverage is
printed, >= 90% when there are enough rounds), so "1.05x [1.03-1.08]" says
the mode is slower than plain beyond the noise, and "1.00x [0.96-1.05]" that
this machine cannot tell the two apart at that level (more rounds narrow
the interval; a 2-core VM shared with others may not get it under 2%).

Before each timed cold build the previous one's files are synced to disk
and its cache removed, so no build pays for another's writeback.

usage: bench_ab.py SCENARIO ROUNDS  (in the module's directory; environment:
       GOAOP, PKG, OUT, CACHE (the directory caches go in), BUILDS (noop,
       default 3), MODES (default: all four))
"""

import math
import os
import shutil
import statistics
import subprocess
import sys
import time


def modes(goaop, pkg, out):
    return {
        "plain": ["go", "build", "-o", out + "/plain/", pkg],
        "bare-exec": ["go", "build", "-toolexec=/usr/bin/env", "-o", out + "/bare-exec/", pkg],
        "toolexec": ["go", "build", "-toolexec=" + goaop, "-o", out + "/toolexec/", pkg],
        "driver": [goaop, "go", "build", "-o", out + "/driver/", pkg],
    }


def timed(argv, env, what):
    """Run argv: (wall ms, CPU ms of its process tree, from wait4). A
    failure prints its stderr and ends the script (`what failed: argv`)."""
    t = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t) * 1000
    if status != 0:
        sys.stderr.write(err.decode(errors="replace"))
        sys.exit("%s failed: %s" % (what, " ".join(argv)))
    return wall, (ru.ru_utime + ru.ru_stime) * 1000


def run(argv, cache):
    """One build in GOCACHE `cache`."""
    return timed(argv, dict(os.environ, GOCACHE=cache), "build")


def median_ci(xs):
    """The median of xs and a distribution-free interval around it: the
    k-th smallest and k-th largest values, k the largest for which the
    interval still covers the true median with probability >= 90%
    (binomial, p = 1/2). Returns (median, lo, hi, coverage)."""
    xs = sorted(xs)
    n = len(xs)
    med = statistics.median(xs)
    def coverage(k):  # P(x_(k) <= median <= x_(n+1-k))
        return 1 - 2 * sum(math.comb(n, i) for i in range(k)) / 2 ** n
    k = 1
    while k + 1 <= (n + 1) // 2 and coverage(k + 1) >= 0.90:
        k += 1
    return med, xs[k - 1], xs[n - k], coverage(k)


def settle():
    os.sync()
    time.sleep(1)


def main():
    scenario, rounds = sys.argv[1], int(sys.argv[2])
    goaop, pkg, out, caches = (os.environ[k] for k in ("GOAOP", "PKG", "OUT", "CACHE"))
    builds = int(os.environ.get("BUILDS", "3")) if scenario == "noop" else 1
    all_modes = modes(goaop, pkg, out)
    chosen = (os.environ.get("MODES") or " ".join(all_modes)).split()
    if "plain" not in chosen:
        chosen.insert(0, "plain")
    argvs = {m: all_modes[m] for m in chosen}
    wall = {m: [] for m in argvs}
    cpu = {m: [] for m in argvs}
    ratio = {m: [] for m in argvs}
    cpu_ratio = {m: [] for m in argvs}
    warm = os.path.join(caches, "warm")
    if scenario == "noop":
        for argv in argvs.values():
            run(argv, warm), run(argv, warm)  # built, then kept
    for r in range(rounds):
        names = list(argvs)
        k = r % len(names)
        order = names[k:] + names[:k]
        this = {}
        for m in order:
            if scenario == "cold":
                cache = os.path.join(caches, "cold-" + m)
                shutil.rmtree(cache, ignore_errors=True)
                settle()
                w, c = run(argvs[m], cache)
                shutil.rmtree(cache, ignore_errors=True)
                ws, cs = [w], [c]
            else:
                ws, cs = zip(*(run(argvs[m], warm) for _ in range(builds)))
            wall[m] += ws
            cpu[m] += cs
            this[m] = (statistics.median(ws), statistics.median(cs))
        for m in argvs:
            ratio[m].append(this[m][0] / this["plain"][0])
            cpu_ratio[m].append(this[m][1] / this["plain"][1])
        print("  round %d (wall/CPU ms): %s" % (r + 1, "  ".join("%s %.0f/%.0f" % (m, *this[m]) for m in order)),
              file=sys.stderr, flush=True)
    per = " x %d builds" % builds if builds > 1 else ""
    print("%s A/B (%d rounds%s, interleaved; ratios paired with the same round's plain build)"
          % (scenario, rounds, per))
    print("  %-10s %10s %19s %22s %10s %22s" % ("mode", "median_ms", "spread", "wall_x_plain", "cpu_ms", "cpu_x_plain"))
    for m in argvs:
        w, c = median_ci(ratio[m]), median_ci(cpu_ratio[m])
        print("  %-10s %10.1f %19s %22s %10.0f %22s" % (
            m, statistics.median(wall[m]), "%.1f-%.1f" % (min(wall[m]), max(wall[m])),
            "%.3f [%.3f-%.3f]" % w[:3], statistics.median(cpu[m]), "%.3f [%.3f-%.3f]" % c[:3]))
    if rounds > 1:
        print("  (interval: %.0f%% coverage of the median paired ratio)" % (100 * median_ci(ratio["plain"])[3]))


if __name__ == "__main__":
    main()
