#!/usr/bin/env python3
"""What goaop adds to a cold build, part by part: scripts/bench's `added`.

A whole cold build on a shared 2-core VM varies by +-15% from one run to the
next, far more than the 2% a user cares about, so whole-build A/Bs
(bench_ab.py) cannot show that goaop stays under 2%. This adds up what a
-toolexec build does beyond the plain build instead, each part measured
where it is repeatable:

  goaop's calls   every goaop process of the build and every nested go
                  command it ran (closures listed or built): CPU time from
                  getrusage, logged by each call (GOAOP_LOG `cpu_us`,
                  `nested_cpu_us`; calls of a nested go command have their
                  own lines, told apart by `ppid`, and are counted in the
                  nested command's time, once)
  the extra exec  one more exec in front of every tool call (measured here:
                  /usr/bin/env in front of /bin/true, against /bin/true)
  the compiler    the woven packages compile more code: each one's compile,
                  as the woven build ran it (`#goaop ran`) and as the plain
                  build ran it, run again one at a time, paired, over ROUNDS
                  rounds in alternating order
  the linker      likewise, the woven build's link against the plain one's

Driver mode runs no tool calls of its own: its work up front (listings,
weave, overlay; GOAOP_LOG `kind=driver`) takes the place of goaop's calls,
and it compiles and links the same woven files.

Everything else the two builds run is the same command with the same
inputs (the same compiler on the same files), so it costs the same. Each
replayed command's output is compared byte for byte with what the build
wrote, which proves the replay ran exactly the build's command.

usage: bench_replay.py ROUNDS
environment: PLAIN_LOG (the tool calls of a cold plain `go build -work`,
  one `TOOL ARGS...` line each, from a logging -toolexec), WOVEN_LOG (the
  GOAOP_LOG of a cold `go build -work -toolexec=goaop`), DRIVER_LOG (if
  set: that of a cold `goaop go build`), PLAIN_OUT and WOVEN_OUT (the first two
  builds' -o directories), PLAIN_CPU_MS and PLAIN_WALL_MS (a cold plain
  build's CPU and wall time).
"""

import collections
import os
import statistics
import subprocess
import sys
import time

from bench_ab import median_ci, timed


def decode(line):
    """cmd/internal/objabi's DecodeArg (a response file's line)."""
    out, i = [], 0
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line):
            i += 1
            out.append("\n" if line[i] == "n" else line[i])
        else:
            out.append(c)
        i += 1
    return "".join(out)


def expand(args):
    """The arguments with @response files read in, as the tools read them."""
    out = []
    for a in args:
        if a.startswith("@"):
            with open(a[1:]) as f:
                out += [decode(l) for l in f.read().split("\n") if l]
        else:
            out.append(a)
    return out


def value(args, flag):
    args = expand(args)
    return args[args.index(flag) + 1] if flag in args else None


def compile_key(args):
    """A compile's package and files: the same in both builds."""
    args = expand(args)
    return value(args, "-p"), tuple(a for a in args if a.endswith(".go"))


def tool_calls(lines, tooldir):
    """(tool path, args) of every real compile and link of a log."""
    calls = []
    for line in lines:
        if not line or line.startswith("#"):
            continue
        words = line.split(" ")
        tool, args = os.path.basename(words[0]), words[1:]
        if tool in ("compile", "link") and args != ["-V=full"]:
            calls.append((os.path.join(tooldir, tool), args))
    return calls


def plain_calls(path, tooldir):
    with open(path) as f:
        calls = tool_calls(f.read().split("\n"), tooldir)
    compiles = {compile_key(a): (t, a) for t, a in calls if t.endswith("/compile")}
    links = [(t, a) for t, a in calls if t.endswith("/link")]
    return compiles, links


def woven_calls(path, tooldir):
    """The woven build's compiles goaop changed, each as (what goaop ran,
    the call it was given), its links as goaop ran them, each compile's
    package by its output, and goaop's own cost: (calls, CPU ms of them and
    of what they ran, wall ms summed)."""
    with open(path) as f:
        lines = f.read().split("\n")
    given = {value(a, "-o"): (t, a) for t, a in tool_calls(lines, tooldir)}
    ran = {}
    for line in lines:
        if line.startswith("#goaop ran "):
            words = line.split(" ")[2:]
            ran[value(words[1:], "-o")] = (words[0], words[1:])
    woven = [(ran[o], given[o]) for o in ran if o in given and given[o][0].endswith("/compile")]
    links = [ran.get(o, given[o]) for o in given if given[o][0].endswith("/link")]
    outs = {o: compile_key(a) for o, (t, a) in given.items() if t.endswith("/compile")}
    costs = [dict(kv.split("=", 1) for kv in l.split(" ")[1:] if "=" in kv)
             for l in lines if l.startswith("#goaop kind=")]
    # The outer build's calls: those of the parent with the most (a nested
    # go command runs few, the closure of the advice's imports).
    outer = collections.Counter(c["ppid"] for c in costs).most_common(1)[0][0]
    mine = [c for c in costs if c["ppid"] == outer]
    cpu = sum(int(c["cpu_us"]) + int(c["nested_cpu_us"]) for c in mine) / 1000
    wall = sum(int(c["us"]) for c in mine) / 1000
    return woven, links, outs, (len(mine), cpu, wall)


def up_front(path):
    """Driver mode's work before it starts the go command: (CPU ms, wall ms)."""
    with open(path) as f:
        for line in f:
            if line.startswith("#goaop kind=driver "):
                c = dict(kv.split("=", 1) for kv in line.split()[2:])
                return (int(c["cpu_us"]) + int(c["nested_cpu_us"])) / 1000, int(c["us"]) / 1000
    sys.exit("%s has no `#goaop kind=driver` line" % path)


def link_main(args):
    """The main package's archive a link is given (its last argument)."""
    return expand(args)[-1]


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def same_output(built, replayed, args):
    """Whether a replay wrote what the build did. The tool writes the
    build ID it is given (`actionID/actionID`); cmd/go then rewrites each
    occurrence in place with the final `actionID/contentID`, of the same
    length: those bytes are taken from the build's file, all others must
    match."""
    args = expand(args)
    given = value(args, "-buildid") or next(
        (a[len("-buildid="):] for a in args if a.startswith("-buildid=")), None)
    if built is None or replayed is None or len(built) != len(replayed):
        return False
    if given:
        needle, out, at = given.encode(), bytearray(replayed), 0
        while (at := replayed.find(needle, at)) >= 0:
            out[at:at + len(needle)] = built[at:at + len(needle)]
            at += len(needle)
        replayed = bytes(out)
    return replayed == built


def exec_us(n=300):
    """Median cost of one more exec: /usr/bin/env /bin/true against /bin/true."""
    def once(argv):
        t = time.perf_counter()
        os.waitpid(os.posix_spawn(argv[0], argv, os.environ), 0)
        return (time.perf_counter() - t) * 1e6
    bare, env = [], []
    for _ in range(n):
        bare.append(once(["/bin/true"]))
        env.append(once(["/usr/bin/env", "/bin/true"]))
    return max(0.0, statistics.median(env) - statistics.median(bare))


def main():
    rounds = int(sys.argv[1])
    tooldir, goroot = subprocess.run(["go", "env", "GOTOOLDIR", "GOROOT"], capture_output=True,
                                     text=True, check=True).stdout.split("\n")[:2]
    # cmd/go runs its tools with GOROOT set (the linker writes it into the
    # binary).
    env = dict(os.environ, GOROOT=goroot)
    plain_compiles, plain_links = plain_calls(os.environ["PLAIN_LOG"], tooldir)
    woven, woven_links, woven_out, (calls, goaop_cpu, goaop_wall) = woven_calls(os.environ["WOVEN_LOG"], tooldir)
    plain_cpu, plain_wall = float(os.environ["PLAIN_CPU_MS"]), float(os.environ["PLAIN_WALL_MS"])

    # (part, plain call, woven call) to run again.
    pairs = []
    for ran, given in woven:
        k = compile_key(given[1])
        if k not in plain_compiles:
            sys.exit("the plain build has no compile of %s %s" % k)
        pairs.append(("compile", plain_compiles[k], ran))
    # A link is paired by the main package it links: its archive's compile.
    by_out = {value(a, "-o"): compile_key(a) for t, a in plain_compiles.values()}
    plain_by_main = {by_out.get(link_main(a)): (t, a) for t, a in plain_links}
    for t, a in woven_links:
        main_key = woven_out.get(link_main(a))
        if main_key not in plain_by_main:
            sys.exit("cannot pair the link of %s with a plain one" % link_main(a))
        pairs.append(("link", plain_by_main[main_key], (t, a)))
    if not pairs:
        sys.exit("nothing was woven: the woven build's log has no `#goaop ran` compile")

    # What each build wrote, to check the replays against. cmd/go moves a
    # link's output to the -o directory, named after the main package's
    # directory.
    expected = {}
    for part, p, w in pairs:
        for (t, a), outdir, keys in ((p, os.environ["PLAIN_OUT"], by_out),
                                     (w, os.environ["WOVEN_OUT"], woven_out)):
            out = value(a, "-o")
            if part == "link":
                files = keys.get(link_main(a), (None, ()))[1]
                name = os.path.basename(os.path.dirname(files[0])) if files else ""
                expected[out] = read(os.path.join(outdir, name)) if name else None
            else:
                expected[out] = read(out)

    added = {"compile": ([], []), "link": ([], [])}  # per round: (CPU, wall) added
    sums = {(part, side): [] for part in added for side in ("plain", "woven")}
    checked = 0
    for r in range(rounds):
        tot = {(part, side): [0.0, 0.0] for part in added for side in ("plain", "woven")}
        for i, (part, p, w) in enumerate(pairs):
            sides = [("plain", p), ("woven", w)]
            if (r + i) % 2:
                sides.reverse()
            for side, (t, a) in sides:
                wall, cpu = timed([t] + a, env, "replay")
                tot[(part, side)][0] += cpu
                tot[(part, side)][1] += wall
                out = value(a, "-o")
                if r == 0 and expected[out] is not None:
                    if not same_output(expected[out], read(out), a):
                        sys.exit("replay wrote another %s than the build did: %s" % (out, " ".join(a)))
                    checked += 1
                if part == "compile":
                    # The build's archive back (its final build ID), which
                    # the links read.
                    with open(out, "wb") as f:
                        f.write(expected[out])
        for part in added:
            for j in (0, 1):
                added[part][j].append(tot[(part, "woven")][j] - tot[(part, "plain")][j])
            for side in ("plain", "woven"):
                sums[(part, side)].append(tot[(part, side)][0])
        print("  round %d: compiler +%.0f ms CPU, linker +%.0f ms CPU" % (
            r + 1, added["compile"][0][-1], added["link"][0][-1]), file=sys.stderr, flush=True)

    n_compiles = sum(1 for p in pairs if p[0] == "compile")
    n_links = len(pairs) - n_compiles
    e_us = exec_us()
    pct = lambda x, of: 100 * x / of
    print("added: what a cold -toolexec build runs beyond the plain build, part by part")
    print("  (compiles and links replayed: %d rounds, one command at a time, the order alternating;"
          " %d of %d outputs checked byte for byte against the builds')" % (rounds, checked, 2 * len(pairs)))
    print("  %-48s %9s %9s %22s %12s" % ("part", "plain_ms", "woven_ms", "added CPU ms [interval]",
                                         "added wall"))
    # CPU: goaop's own (from its fork: the exec of goaop is in it) and its
    # nested go commands'. Wall, as an upper bound: each call from goaop's
    # start, plus the exec in front of it.
    cpu_total = [goaop_cpu] * rounds
    wall_total = [goaop_wall + calls * e_us / 1000] * rounds
    for part, label in (("compile", "the compiler, %d woven packages" % n_compiles),
                        ("link", "the linker, %d binaries" % n_links)):
        med, lo, hi, cov = median_ci(added[part][0])
        print("  %-48s %9.0f %9.0f %22s %+12.0f" % (
            label, statistics.median(sums[(part, "plain")]), statistics.median(sums[(part, "woven")]),
            "%+.0f [%+.0f %+.0f]" % (med, lo, hi), statistics.median(added[part][1])))
        cpu_total = [a + b for a, b in zip(cpu_total, added[part][0])]
        wall_total = [a + b for a, b in zip(wall_total, added[part][1])]
    print("  %-48s %9s %9s %22s %+12.0f" % (
        "goaop's %d calls, their nested go commands" % calls, "", "", "%+.0f" % goaop_cpu, goaop_wall))
    print("  %-48s %9s %9s %22s %+12.0f" % (
        "one more exec per call (%.0f us; in goaop's CPU)" % e_us, "", "", "", calls * e_us / 1000))
    driver = os.environ.get("DRIVER_LOG")
    driver_cpu, driver_wall = up_front(driver) if driver else (0, 0)
    if driver:
        print("  %-48s %9s %9s %22s %+12.0f" % (
            "driver mode instead: its work up front", "", "", "%+.0f" % driver_cpu, driver_wall))
    med, lo, hi, cov = median_ci(cpu_total)
    print("  -toolexec, total: %+.0f ms CPU [%+.0f %+.0f] = %.2f%% [%.2f-%.2f] of the plain build's CPU (%.1f s)"
          % (med, lo, hi, pct(med, plain_cpu), pct(lo, plain_cpu), pct(hi, plain_cpu), plain_cpu / 1000))
    w = median_ci(wall_total)
    print("    wall: at most %+.0f ms [%+.0f %+.0f] = %.2f%% [%.2f-%.2f] of the plain build's (%.1f s),"
          " were every added part alone on the critical path" % (
              w[0], w[1], w[2], pct(w[0], plain_wall), pct(w[1], plain_wall), pct(w[2], plain_wall),
              plain_wall / 1000))
    if rounds > 1:
        print("  (intervals: %.0f%% coverage of the median over rounds)" % (100 * cov))
    if not driver:
        return
    # Driver mode: the same woven files compiled and linked, no goaop in
    # front of the tools, its work up front instead (before the go command
    # starts: on the critical path).
    d = [c - goaop_cpu + driver_cpu for c in cpu_total]
    dw = [x - goaop_wall - calls * e_us / 1000 + driver_wall for x in wall_total]
    med, lo, hi, cov = median_ci(d)
    print("  driver mode, total: %+.0f ms CPU [%+.0f %+.0f] = %.2f%% [%.2f-%.2f] of the plain build's CPU"
          % (med, lo, hi, pct(med, plain_cpu), pct(lo, plain_cpu), pct(hi, plain_cpu)))
    w = median_ci(dw)
    print("    wall: at most %+.0f ms [%+.0f %+.0f] = %.2f%% [%.2f-%.2f] of the plain build's" % (
        w[0], w[1], w[2], pct(w[0], plain_wall), pct(w[1], plain_wall), pct(w[2], plain_wall)))


if __name__ == "__main__":
    main()
