"""The counterpoint build benchmark (issue 7).

    python bench/run.py                     # N = 100, 1,000, 10,000
    python bench/run.py --sizes 100         # quick run

It first waits if the previous run deleted its trees less than four minutes ago
(``_settle``: file creation stays slow for minutes after a mass delete on some disks), and
byte-compiles ``src/counterpoint`` (``__pycache__``, git-ignored), as installing the package does.
For each N it

1. generates the deterministic corpus (``bench/corpus.py``) into ``bench/out/N/site``
   (``bench/out/`` is git-ignored; the folder is regenerated on every run, and the previous
   run's is set aside and deleted only after the measurements, see ``_set_aside``);
2. runs the lower bound, ``bench/baseline.py`` (one process, markdown-it-py + one Jinja2
   template, see ``baseline.plain_loop``), in a fresh subprocess, and the cold build (below)
   right after it, ``--repeat`` times (default 3) in turn, after ``--warmup`` untimed runs of
   both (default 1); the seconds are the medians, and the
   cold build's "x loop" is the median of the ratios of each cold build to the loop run just
   before it (a pair measured seconds apart, so a drift of the machine's speed cancels out);
3. if ``counterpoint.build.engine`` imports, runs ``python -m counterpoint build SITE --out OUT`` in a
   fresh subprocess per measurement:

   * ``cold build``      - ``SITE/.counterpoint`` (the cache) set aside, into a new ``OUT`` (step 2);
     the built-in theme's compiled templates stay in the user's cache folder, as the
     package's own compiled modules stay in ``__pycache__``;
   * ``no-op rebuild``   - the same command again, nothing changed;
   * ``rebuild, 1 edit`` - after appending a sentence (a new paragraph) to one essay;

4. measures the ``serve`` path in this process: ``Engine(SITE, out=OUT)``, one
   ``build(None)`` (warm disk cache: this is ``serve`` starting up), then ``--edits`` times:
   append a sentence to one essay and time ``engine.build(frozenset({path}))`` - the
   edit-to-rebuilt latency ``serve`` sees after the file event (browser reload not included).
5. runs the real dev loop: ``python -m counterpoint serve SITE --port P``, the SSE channel read
   over a socket, and for ``--edits`` appends to one essay the time from the file write to the
   ``reload`` event and to a GET returning the new text (plus the server's own "rebuilt in N ms"
   line), and until its search index has followed the last edit; then stops it and starts it
   again on the same port (its pages name the address): the warm start, to "serving" and to
   "search index ready", with how many essays and shards it did again;
6. with search on (the default; every figure above is ``--no-search``): a cold build (cache set
   aside, a new folder), a no-op and one edit via ``build --timings``, each with Pagefind's share
   of the time (its "search" stage) and of the memory (its processes, sampled);
7. when ``hugo`` is on PATH (Debian's ``hugo`` package), ``hugo`` and then ``pagefind`` over the
   same essays in Hugo's layout (``bench/hugo.py``; without the critiques); otherwise says so.

Timing.  Every subprocess figure is the wall-clock time of a fresh ``python`` process, from
spawn to exit, as a user typing the command sees it: interpreter start-up and imports are
included, for the baseline as for the engine.  "x loop" divides by the baseline *process*
wall time (same measuring method on both sides); the time ``plain_loop`` reports for its own
loop (no start-up, no imports) is printed on its own row for reference.  The
``startup + imports`` row is ``python -c "import counterpoint.cli, counterpoint.build.uptodate"``,
what a no-op build loads: the part of every subprocess figure that no cache can remove.
Before each measurement the benchmark calls ``sync``, so that no file written before it (the
corpus, the previous measurement's output) is written back to disk while it runs.

Memory.  Each subprocess is started by a tiny wrapper (``python -c WRAPPER``), a fresh process
per measurement, which reports two figures:

* ``largest process``: ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` of the wrapper after it
  has waited for the build.  The kernel keeps this high-water mark exactly (no sampling) and it
  covers every descendant that was waited for (pool workers included), but it is the peak RSS
  of the single largest process, not a sum.  It is per measurement because the wrapper is new
  each time (in this long-lived script RUSAGE_CHILDREN would be a maximum over all earlier
  children).  ``/usr/bin/time -v`` reports the same number but is not installed everywhere.
* ``whole tree``: the sum of PSS (proportional set size: shared pages split between the
  processes that share them, so forked workers are not double counted) over the build process
  and all its descendants, sampled every 100 ms from ``/proc`` by a thread in the wrapper; the
  peak of that sum is the memory a parallel build really occupies.  Linux only; sampling costs
  about 1-2 % of one core and can miss a spike shorter than 100 ms (so it means little for
  builds that last well under a second).  ``--no-sample`` turns it off.

No timed run is sampled: the sampler's reads of ``/proc`` take CPU that a parallel build on
two cores shares with it (a few per cent of its time, while the one-process loop leaves it a
free core).  The whole-tree figure comes from one more cold build, made only to be sampled
(``cold build, memory sampled``); the largest-process figure from the timed cold build.

The "peak memory" target figure is the larger of the two for the cold build.  The serve rows
show, instead, how much this process's RSS grew when the engine was created and built once
(the parsed state ``serve`` keeps in memory).

The figures the issue's targets ask for are printed after the table.  Nothing is asserted.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
SRC = REPO / "src"
for _p in (str(SRC), str(BENCH)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import corpus  # noqa: E402  (bench/corpus.py)

WRAPPER = r"""
import json, os, resource, subprocess, sys, threading, time
cmd, log, sample = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

def tree(root):
    kids = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/" + name + "/stat", "rb") as f:
                    data = f.read()
            except OSError:
                continue
            ppid = int(data[data.rindex(b")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(name))
    out = [root]
    for pid in out:
        out.extend(kids.get(pid, ()))
    return out

def mem_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open("/proc/%d/statm" % pid) as f:
            return int(f.read().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0

peak = [None]
pf_peak = [None]
done = threading.Event()

def is_pagefind(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return "pagefind" in f.read()
    except OSError:
        return False

def sampler(pid):
    best = pf_best = 0
    while not done.is_set():
        try:
            sizes = [(p, mem_kb(p)) for p in tree(pid)]
            best = max(best, sum(kb for _, kb in sizes))
            pf_best = max(pf_best, sum(kb for p, kb in sizes if is_pagefind(p)))
        except Exception:
            return
        peak[0], pf_peak[0] = best, pf_best
        done.wait(0.1)

with open(log, "wb") as out:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    thread = None
    if sample and os.path.isdir("/proc/self"):
        thread = threading.Thread(target=sampler, args=(proc.pid,), daemon=True)
        thread.start()
    rc = proc.wait()
    wall = time.perf_counter() - t0
    done.set()
    if thread:
        thread.join()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
maxrss = usage.ru_maxrss
if sys.platform == "darwin":
    maxrss //= 1024
print(json.dumps({"rc": rc, "wall": wall, "maxrss_kb": maxrss, "tree_kb": peak[0], "pf_kb": pf_peak[0],
                  "cpu": usage.ru_utime + usage.ru_stime}))
"""

TARGETS = {
    "cold_ratio": 1.3,
    "noop_pct": 5.0,
    "edit_ms": 100.0,
    "peak_mb": 400.0,
    "scale": 1.2,
    "search_edit_pct": 10.0,
    "pagefind_mb": 300.0,
    "hugo_ratio": 1.5,
    "warm_serve_s": 1.5,
}


class Measure:
    def __init__(self, rc: int, wall: float, maxrss_kb: int, tree_kb: int | None, log: Path, pf_kb: int | None = None):
        self.rc, self.wall, self.log = rc, wall, log
        self.maxrss_mb = maxrss_kb / 1024
        self.tree_mb = tree_kb / 1024 if tree_kb else None
        self.pf_mb = pf_kb / 1024 if pf_kb else None  # Pagefind's processes, sampled
        self.cpu: float | None = None  # seconds of CPU of the process and all it waited for

    def mem(self) -> str:
        tree = f"{self.tree_mb:.0f}" if self.tree_mb is not None else "-"
        return f"{self.maxrss_mb:.0f} / {tree}"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    return env


def measure(cmd: list[str], log: Path, *, sample: bool) -> Measure:
    log.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(os, "sync"):
        # the files the corpus generator or the previous run wrote, on disk now: otherwise the
        # kernel writes them back during this measurement, on a core a two-core build needs
        os.sync()
    res = subprocess.run(
        [sys.executable, "-c", WRAPPER, json.dumps(cmd), str(log), "1" if sample else "0"],
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if res.returncode != 0:
        raise RuntimeError(f"measuring wrapper failed: {res.stderr.strip()}")
    data = json.loads(res.stdout.strip().splitlines()[-1])
    m = Measure(data["rc"], data["wall"], data["maxrss_kb"], data["tree_kb"], log, data.get("pf_kb"))
    m.cpu = data.get("cpu")
    return m


def _median(runs: list[Measure]) -> Measure:
    """The run of median wall time (the lower middle one of an even count)."""
    return sorted(runs, key=lambda m: m.wall)[(len(runs) - 1) // 2]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join("    | " + line for line in text.splitlines()[-lines:])


def _rm(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


CLEANED = ".cleaned"  # touched when a run has deleted the trees it set aside
SETTLE_S = 240


def _settle(workdir: Path) -> None:
    """Wait until a few minutes have passed since the last run deleted its trees.

    On some disks creating files stays several times slower for minutes after tens of
    thousands were deleted (measured here: 1,000 folders and 3,000 files took 0.9-1.5 s in
    the minutes after a clean-up, 0.11 s four minutes later); a cold build creates over
    three times as many files as the plain loop, so a run started right after another
    would mostly time the disk's clean-up.  ``--no-wait`` skips this.
    """
    try:
        age = time.time() - (workdir / CLEANED).stat().st_mtime
    except OSError:
        return
    if age < SETTLE_S:
        print(
            f"waiting {SETTLE_S - age:.0f} s: the last run deleted its files {age:.0f} s ago, and file "
            "creation on some disks stays slow for minutes after that (--no-wait skips this)",
            flush=True,
        )
        time.sleep(SETTLE_S - age)


def _set_aside(path: Path, trash: Path) -> None:
    """Move a previous run's tree out of the way; it is deleted after the measurements.

    Deleting tens of thousands of files right before a measurement slows down every
    file created in the next minutes on some file systems (ext4 without a journal
    skips over recently freed inodes one by one), which would time the benchmark's
    own clean-up instead of the build.
    """
    if path.exists():
        trash.mkdir(parents=True, exist_ok=True)
        path.rename(trash / f"{path.name}-{time.time_ns()}")


_edit_counter = 0


def append_sentence(path: Path) -> None:
    """Append a new, never-repeated sentence as a paragraph at the end of an essay."""
    global _edit_counter
    _edit_counter += 1
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\nThis sentence was appended by the benchmark, edit number {_edit_counter}.\n")


def engine_status() -> str | None:
    """None if ``counterpoint.build.engine`` imports, else why not."""
    try:
        import counterpoint.build.engine  # noqa: F401
    except ImportError as exc:
        return f"counterpoint.build.engine does not import yet ({exc})"
    except Exception as exc:  # a broken engine must not kill the benchmark
        return f"counterpoint.build.engine failed to import: {type(exc).__name__}: {exc}"
    return None


class Row:
    def __init__(
        self, n: int, phase: str, seconds: float | None, ratio_to: float | None, mem: str = "", note: str = ""
    ):
        self.n, self.phase, self.seconds, self.mem, self.note = n, phase, seconds, mem, note
        self.ratio = seconds / ratio_to if (seconds is not None and ratio_to) else None

    def format(self) -> str:
        sec = f"{self.seconds:10.3f}" if self.seconds is not None else f"{'-':>10}"
        per = f"{self.seconds * 1000 / self.n:10.2f}" if self.seconds is not None else f"{'-':>10}"
        ratio = f"{self.ratio:7.2f}x" if self.ratio is not None else f"{'':>8}"
        return f"{self.n:>6}  {self.phase:<34}{sec}{per}  {ratio}  {self.mem:>13}" + (
            f"  {self.note}" if self.note else ""
        )


HEADER = (
    f"{'N':>6}  {'phase':<34}{'seconds':>10}{'ms/essay':>10}  {'x loop':>8}  "
    f"{'peak MB':>13}\n{'':>6}  {'':<34}{'':>10}{'':>10}  {'':>8}  "
    f"{'(proc / tree)':>13}"
)


def bench_size(n: int, args, engine_missing: str | None) -> dict:
    base = args.workdir / str(n)
    site, logs = base / "site", base / "logs"
    _set_aside(base, args.workdir / ".trash")
    base.mkdir(parents=True)
    rows: list[Row] = []
    res: dict = {"n": n}
    py = sys.executable

    t0 = time.perf_counter()
    corpus.generate_site(site, n, seed=args.seed)
    res["generate"] = time.perf_counter() - t0
    rows.append(Row(n, "generate corpus", res["generate"], None))

    # Loop and cold build alternate, --repeat times each (after --warmup untimed pairs): the
    # seconds are medians, the cold build's ratio the median of the pairs (see the module's
    # docstring).  Timed without the memory sampler, as every figure compared with them.
    out = base / "public"
    # the build itself; Pagefind (an external indexer) is timed on its own below
    build = [py, "-m", "counterpoint", "build", str(site), "--out", str(out), "--no-search"]
    trash = args.workdir / ".trash"
    loops: list[Measure] = []
    colds: list[Measure] = []
    for k in range(-args.warmup, max(1, args.repeat)):  # k < 0: untimed warm-up pairs
        tag = str(k) if k >= 0 else f"warmup{-k}"
        written = base / f"baseline-{tag}"  # a new folder each run, as for the cold build: both create their files
        m = measure(
            [py, str(BENCH / "baseline.py"), str(site), str(written)], logs / f"baseline-{tag}.log", sample=False
        )
        if m.rc != 0:
            print(f"baseline failed (rc={m.rc}):\n{_tail(m.log)}")
            return res
        if k >= 0:
            loops.append(m)
        if engine_missing is None:
            # a fresh output folder per run, and the cache set aside, not deleted (see _set_aside)
            _set_aside(site / ".counterpoint", trash)
            # OUT is built once, by the build the no-op and edit rebuilds below follow
            last = k == max(1, args.repeat) - 1 and not args.sample
            cold = build if last else [*build[:-2], str(base / f"public-{tag}"), "--no-search"]
            m = measure(cold, logs / f"cold-{tag}.log", sample=False)
            if m.rc != 0:
                print(f"`counterpoint build` failed in phase 'cold build' (rc={m.rc}):\n{_tail(m.log)}")
                engine_missing = "the cold build failed"
                rows.append(Row(n, "cold build", None, None, note=f"FAILED rc={m.rc}, see {m.log}"))
            elif k >= 0:
                colds.append(m)
    runs = f"median of {len(loops)}" if len(loops) > 1 else ""
    loop_m = _median(loops)
    loop = statistics.median(float(m.log.read_text().split()[-1]) for m in loops)
    res["loop"], res["loop_wall"], res["loop_mb"] = loop, loop_m.wall, loop_m.tree_mb or loop_m.maxrss_mb
    res["loop_cpu"] = loop_m.cpu
    rows.append(Row(n, "plain loop (its own timer)", loop, loop_m.wall))
    rows.append(Row(n, "plain loop (process wall)", loop_m.wall, loop_m.wall, loop_m.mem(), runs))

    if engine_missing is None:
        m = measure(
            [py, "-c", "import counterpoint.cli, counterpoint.build.uptodate"], logs / "startup.log", sample=False
        )
        rows.append(Row(n, "startup + imports (no-op path)", m.wall, res["loop_wall"]))
        res["startup"] = m.wall

        cold_m = _median(colds)
        # each cold build against the loop run just before it, seconds apart: a drift of the
        # machine's speed over the run cancels out in the pair, not in a ratio of two medians
        pairs = [c.wall / l.wall for l, c in zip(loops, colds)]
        note = f"{runs}; x loop: median of the pairs " + ", ".join(f"{r:.2f}x" for r in pairs) if len(colds) > 1 else ""
        if cold_m.cpu and loop_m.cpu:  # the build's two processes against the loop's one: not the goal, a check of it
            note += f"; CPU {statistics.median(c.cpu or 0 for c in colds):.1f} s against the loop's {loop_m.cpu:.1f} s"
        res["cold"] = cold_m.wall
        res["cold_ratio"] = statistics.median(pairs)
        res["peak_proc_mb"] = max(c.maxrss_mb for c in colds)
        row = Row(n, "cold build", cold_m.wall, res["loop_wall"], f"{res['peak_proc_mb']:.0f} / -", note)
        row.ratio = res["cold_ratio"]
        rows.append(row)

        phases = [("noop", "no-op rebuild"), ("edit", "rebuild, 1 edit")]
        essays = sorted(p for p in (site / "content" / "essays").iterdir() if p.is_dir())
        if args.sample:  # a cold build made only to sample the whole tree's memory, not timed
            phases.insert(0, ("cold_mem", "cold build, memory sampled"))
        for key, label in phases:
            if key == "cold_mem":
                _set_aside(site / ".counterpoint", trash)
            elif key == "edit":
                append_sentence(essays[len(essays) // 3] / "index.md")
            m = measure(build, logs / f"{key}.log", sample=key == "cold_mem")
            note = "" if m.rc == 0 else f"FAILED rc={m.rc}, see {m.log}"
            if key == "cold_mem":
                rows.append(Row(n, label, None, None, m.mem(), note or "its time is not a figure: sampling slows it"))
                res["peak_tree_mb"] = m.tree_mb
                continue
            rows.append(Row(n, label, m.wall, res["loop_wall"], m.mem(), note))
            res[key] = m.wall if m.rc == 0 else None
            if m.rc != 0:
                print(f"`counterpoint build` failed in phase {label!r} (rc={m.rc}):\n{_tail(m.log)}")

        m = measure(
            [py, "-m", "pagefind", "--site", str(out), "--output-subdir", "pagefind", "--quiet"],
            logs / "pagefind.log",
            sample=args.sample,
        )
        rows.append(
            Row(
                n,
                "search index (Pagefind, separate)",
                m.wall if m.rc == 0 else None,
                res["loop_wall"],
                m.mem(),
                "" if m.rc == 0 else f"FAILED rc={m.rc}",
            )
        )
        if m.rc == 0:  # the floor of a build with search: the plain loop, then one index of these pages
            res["floor_search"] = res["loop_wall"] + m.wall
            res["floor_search_cpu"] = (res.get("loop_cpu") or 0) + (m.cpu or 0)

        try:
            rows += serve_path(n, site, out, essays, args.edits, res)
        except Exception as exc:  # report, do not crash the remaining sizes
            rows.append(Row(n, "serve path", None, None, note=f"FAILED: {type(exc).__name__}: {exc}"))
            res["edit_ms"] = None
        try:  # the whole dev loop, over HTTP: edits, then a second (warm) start
            rows += serve_loop(n, site, essays, args.edits, res)
        except Exception as exc:
            rows.append(Row(n, "serve loop", None, None, note=f"FAILED: {type(exc).__name__}: {exc}"))
        try:
            rows += search_phases(n, site, base, essays, res, args)
        except Exception as exc:
            rows.append(Row(n, "search on", None, None, note=f"FAILED: {type(exc).__name__}: {exc}"))
        rows += hugo_phases(n, site, base, res, args)

    for row in rows:
        print(row.format(), flush=True)
    return res


def _timings(log: Path) -> tuple[dict[str, float], str]:
    """The stage times (ms) and the "essays rendered…" line that ``build --timings`` printed."""
    import re

    stages: dict[str, float] = {}
    detail = ""
    for line in log.read_text("utf-8", errors="replace").splitlines():
        if line.startswith("  essays rendered"):
            detail = line.strip()
        elif line.startswith("  ") and " ms" in line:
            stages.update((m.group(1), float(m.group(2))) for m in re.finditer(r"([a-z ]+?) (\d+) ms", line.strip()))
    return {k.strip(): v for k, v in stages.items()}, detail


def search_phases(n: int, site: Path, base: Path, essays: list[Path], res: dict, args) -> list[Row]:
    """The same site with search on (the default): cold, no-op and one edit via ``build``, each
    with Pagefind's share of the time (``--timings``' "search" stage) and, sampled, of the memory.
    Every run here is sampled for memory (``--no-sample`` aside): the whole tree and Pagefind's
    own processes; sampling costs a few per cent of one core."""
    py = sys.executable
    out = base / "public-search"
    logs = base / "logs"
    build = [py, "-m", "counterpoint", "build", str(site), "--out", str(out), "--timings"]
    _set_aside(site / ".counterpoint", args.workdir / ".trash")
    rows: list[Row] = []
    for key, label in (("cold", "search on: cold build"), ("noop", "search on: no-op"), ("edit", "search on: 1 edit")):
        if key == "edit":
            append_sentence(essays[len(essays) // 5] / "index.md")
        m = measure(build, logs / f"search-{key}.log", sample=args.sample)
        if m.rc != 0:
            rows.append(Row(n, label, None, None, note=f"FAILED rc={m.rc}, see {m.log}"))
            return rows
        stages, detail = _timings(m.log)
        share = stages.get("search", 0) / 1000 / m.wall if m.wall else 0
        pf = f"; Pagefind {m.pf_mb:.0f} MB" if m.pf_mb else ""
        mem = m.mem()
        rows.append(
            Row(
                n,
                label,
                m.wall,
                res["loop_wall"],
                mem,
                f"CPU {m.cpu:.1f} s; Pagefind {100 * share:.0f} % of the time{pf}" + (f"; {detail}" if detail else ""),
            )
        )
        res[f"search_{key}"] = m.wall
        res[f"search_{key}_cpu"] = m.cpu
        res[f"search_{key}_share"] = share
        if key == "cold":
            res["search_peak_proc_mb"], res["search_peak_tree_mb"], res["pagefind_mb"] = m.maxrss_mb, m.tree_mb, m.pf_mb
    return rows


def hugo_phases(n: int, site: Path, base: Path, res: dict, args) -> list[Row]:
    """``hugo && pagefind`` on the same essays (bench/hugo.py writes them in Hugo's layout),
    when ``hugo`` is on PATH."""
    import hugo

    if shutil.which("hugo") is None:
        return [
            Row(
                n,
                "hugo && pagefind",
                None,
                None,
                note="not measured: hugo is not on PATH (Debian: apt-get install hugo)",
            )
        ]
    hsite, hout, logs = base / "hugo-site", base / "hugo-public", base / "logs"
    hugo.write_hugo_site(site, hsite)
    version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1:2]
    h = measure(["hugo", "--quiet", "-s", str(hsite), "-d", str(hout)], logs / "hugo.log", sample=args.sample)
    p = measure(
        [sys.executable, "-m", "pagefind", "--site", str(hout), "--quiet"],
        logs / "hugo-pagefind.log",
        sample=args.sample,
    )
    if h.rc != 0 or p.rc != 0:
        return [Row(n, "hugo && pagefind", None, None, note=f"FAILED (hugo rc={h.rc}, pagefind rc={p.rc})")]
    res["hugo"], res["hugo_pagefind"] = h.wall, h.wall + p.wall
    res["hugo_cpu"], res["hugo_pagefind_cpu"] = h.cpu, (h.cpu or 0) + (p.cpu or 0)
    res["hugo_peak_mb"] = max(h.maxrss_mb, p.maxrss_mb)
    note = f"Hugo {' '.join(version)}, essays without critiques"
    return [
        Row(n, "hugo (same essays)", h.wall, res["loop_wall"], h.mem(), f"CPU {h.cpu:.1f} s; {note}"),
        Row(n, "pagefind on hugo's output", p.wall, res["loop_wall"], p.mem(), f"CPU {p.cpu:.1f} s"),
        Row(
            n,
            "hugo && pagefind",
            h.wall + p.wall,
            res["loop_wall"],
            note=f"sum of the two; CPU {res['hugo_pagefind_cpu']:.1f} s",
        ),
    ]


def _rss_mb() -> float | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return None


def serve_path(n: int, site: Path, out: Path, essays: list[Path], edits: int, res: dict) -> list[Row]:
    from counterpoint.build.engine import Engine
    from counterpoint.build.options import BuildOptions

    rows = []
    gc.collect()
    rss0 = _rss_mb()
    # as serve does: caches in memory, its search index made in the background; search off as in
    # the `build --no-search` runs before it, whose cache (of this output) makes this start warm
    engine = Engine(site, BuildOptions(out=out, persist=False, index_search=False, search=False))
    t0 = time.perf_counter()
    engine.build(None)
    first = time.perf_counter() - t0
    engine.prepare_here()  # as serve does once it serves: the first edit does not set up the renderer
    rss1 = _rss_mb()
    mem = f"+{rss1 - rss0:.0f} RSS" if rss0 is not None and rss1 is not None else ""
    rows.append(Row(n, "serve: start (warm cache)", first, res["loop_wall"], mem))
    lat = []
    for k in range(edits):
        path = (essays[(len(essays) // 2 + k * 7) % len(essays)] / "index.md").resolve()
        append_sentence(path)
        t0 = time.perf_counter()
        report = engine.build(frozenset({path}))
        lat.append(time.perf_counter() - t0)
        errors = getattr(report, "errors", None)
        if errors:
            rows.append(
                Row(n, "serve: edit reported errors", None, None, note=f"{len(errors)} error(s), first: {errors[0]}")
            )
    if lat:
        med = statistics.median(lat)
        rows.append(
            Row(
                n,
                f"serve: edit -> rebuilt (median/{edits})",
                med,
                res["loop_wall"],
                note=f"max {max(lat) * 1000:.0f} ms",
            )
        )
        res["edit_ms"] = med * 1000
        res["edit_max_ms"] = max(lat) * 1000
    del engine
    gc.collect()
    return rows


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_loop(n: int, site: Path, essays: list[Path], edits: int, res: dict) -> list[Row]:
    """``counterpoint serve`` in a subprocess: for ``edits`` appends to one essay, the time from
    the file write to (a) the ``reload`` event on the SSE channel and (b) a GET of the page
    returning the new text; the server's own "rebuilt in N ms" per rebuild; the time until its
    search index follows the last edit ("search index updated"); then a second start of the
    server on the same port (its pages name it), with the cache the first one left: the time
    to "serving" and to "search index ready"."""
    port = _free_port()
    rows = _serve_edits(n, site, essays, edits, res, port)
    rows += _serve_warm_start(n, site, res, port)
    return rows


def _default_sigint() -> None:
    # a benchmark started as a shell's background job (``python bench/run.py &``) has SIGINT
    # ignored, and so would the server it starts: _stop_serve's Ctrl-C would then do nothing,
    # the server would be killed after 60 s without saving its cache, and the second start
    # would render the edited essay again
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_serve(site: Path, port: int) -> subprocess.Popen:
    """``counterpoint serve`` on ``port``, its output a text stream, Ctrl-C reaching it."""
    return subprocess.Popen(
        [sys.executable, "-m", "counterpoint", "serve", str(site), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=_env(),
        preexec_fn=_default_sigint if os.name == "posix" else None,
    )


def _stop_serve(proc: subprocess.Popen) -> None:
    """Ctrl-C, and time to save its cache (the next start's warm cache), then kill."""
    import signal

    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            print("counterpoint serve did not stop on Ctrl-C within 60 s: killed, its cache not saved", file=sys.stderr)
            proc.kill()
            proc.wait()


def _serve_warm_start(n: int, site: Path, res: dict, port: int) -> list[Row]:
    import re

    proc = _start_serve(site, port)
    t0 = time.perf_counter()
    lines: list[str] = []
    serving = ready = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("serving ") and serving is None:
                serving = time.perf_counter() - t0
            if line.startswith("search index ready") or line.startswith("search index failed"):
                ready = time.perf_counter() - t0  # may come before "serving": it starts first
            if serving is not None and (ready is not None or not _search_on(site)):
                break
    finally:
        _stop_serve(proc)
    built = next((l for l in lines if l.startswith("built in")), "")
    rendered = re.search(r"\((\d+) of (\d+) essays rendered\)", built)
    res["warm_serve_s"] = serving
    note = f"{rendered.group(1)} of {rendered.group(2)} essays rendered" if rendered else built or "\n".join(lines[-5:])
    rows = [Row(n, "serve: second start -> serving", serving, res["loop_wall"], note=note)]
    if ready is not None:
        said = next((l for l in lines if l.startswith("search index")), "")
        shards = re.search(r"\((\d+ of \d+) shards indexed\)", said)
        rows.append(
            Row(
                n,
                "serve: second start -> search ready",
                ready,
                None,
                note=f"{shards.group(1)} shards indexed" if shards else said,
            )
        )
    return rows


def _search_on(site: Path) -> bool:
    try:
        return "search: false" not in (site / "site.yml").read_text("utf-8")
    except OSError:
        return True


def _serve_edits(n: int, site: Path, essays: list[Path], edits: int, res: dict, port: int) -> list[Row]:
    import contextlib
    import re
    import socket
    import threading
    import urllib.request

    proc = _start_serve(site, port)
    lines: list[str] = []
    reloads: list[float] = []  # perf_counter() at each reload event
    cond = threading.Condition()

    def pump(stream, sink, parse) -> None:
        for item in parse(stream):
            with cond:
                sink.append(item)
                cond.notify_all()
        with cond:
            sink.append(None)  # end of stream
            cond.notify_all()

    def wait(sink, start: int, test, timeout: float):
        """The first item of ``sink`` from ``start`` on that passes ``test``."""
        deadline = time.monotonic() + timeout
        with cond:
            while True:
                for item in sink[start:]:
                    if item is None:
                        raise RuntimeError("the server stopped:\n" + "\n".join(map(str, lines[-15:])))
                    if test(item):
                        return item
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RuntimeError("timed out; the server said:\n" + "\n".join(map(str, lines[-15:])))
                cond.wait(remaining)

    def events(sock):
        buf = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                buf += chunk
                while b"\n\n" in buf:
                    block, _, buf = buf.partition(b"\n\n")
                    if block.startswith(b"event: reload"):
                        yield time.perf_counter()

    threading.Thread(target=pump, args=(proc.stdout, lines, lambda s: (l.rstrip("\n") for l in s)), daemon=True).start()
    sock = None
    try:
        t0 = time.perf_counter()
        port = int(re.search(r":(\d+)/", wait(lines, 0, lambda l: l.startswith("serving "), 600)).group(1))
        rows = [Row(n, "serve loop: start + first build", time.perf_counter() - t0, res["loop_wall"])]
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(f"GET /__counterpoint/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        threading.Thread(target=pump, args=(sock, reloads, events), daemon=True).start()
        essay = essays[len(essays) // 4]
        url = f"http://127.0.0.1:{port}/essays/{essay.name}/"
        with urllib.request.urlopen(url, timeout=30) as page:
            page.read()
        to_event, to_page, rebuilt = [], [], []
        for _ in range(edits):
            with cond:
                seen_reloads, seen_lines = len(reloads), len(lines)
            t0 = time.perf_counter()
            append_sentence(essay / "index.md")
            text = f"edit number {_edit_counter}.".encode()
            while True:  # a GET waits while a build runs; until the change is seen, poll every 5 ms
                with urllib.request.urlopen(url, timeout=30) as page:
                    if text in page.read():
                        break
                time.sleep(0.005)  # not seen yet: do not steal the CPU from the build
            to_page.append(time.perf_counter() - t0)
            stamp = wait(reloads, seen_reloads, lambda t: True, 30)
            to_event.append(stamp - t0)
            line = wait(lines, seen_lines, lambda l: l.startswith("rebuilt in") and essay.name in l, 30)
            rebuilt.append(float(re.match(r"rebuilt in ([\d.]+) ms", line).group(1)))
        for label, values in (("serve: save -> reload event", to_event), ("serve: save -> new page served", to_page)):
            rows.append(
                Row(
                    n,
                    label,
                    statistics.median(values),
                    None,
                    note=f"median of {edits}, max {max(values) * 1000:.0f} ms",
                )
            )
        rows.append(
            Row(
                n,
                'serve: "rebuilt in" (its own line)',
                statistics.median(rebuilt) / 1000,
                None,
                note=f"median of {edits}, max {max(rebuilt):.0f} ms",
            )
        )
        res["serve_event_ms"] = statistics.median(to_event) * 1000
        res["serve_page_ms"] = statistics.median(to_page) * 1000
        res["serve_rebuilt_ms"] = statistics.median(rebuilt)
        if _search_on(site):  # the index follows the last edit in the background
            line = wait(lines, seen_lines, lambda l: l.startswith("search index updated"), 900)
            stamp = time.perf_counter() - t0
            rows.append(Row(n, "serve: last save -> search updated", stamp, None, note=line))
            res["serve_search_s"] = stamp
        return rows
    finally:
        _stop_serve(proc)  # it also ends the event stream
        if sock is not None:
            sock.close()


def _judge(value: float | None, limit: float, *, lower_is_better: bool = True) -> str:
    if value is None:
        return "n/a"
    return "meets" if (value <= limit if lower_is_better else value >= limit) else "MISSES"


def summary(results: list[dict]) -> None:
    print("\nFigures for the issue's targets (measured above, this run):")
    for r in results:
        if r.get("cold") is None:
            continue
        n = r["n"]
        cold_ratio = r.get("cold_ratio") or r["cold"] / r["loop_wall"]
        print(f"  N={n}:" + ("" if n == 1000 else "  (the targets are set for N=1000: no verdicts here)"))
        verdict = _judge if n == 1000 else (lambda *a, **k: "")
        print(
            f"    cold build / plain loop   {cold_ratio:8.2f}x    target <= "
            f"{TARGETS['cold_ratio']}x   {verdict(cold_ratio, TARGETS['cold_ratio'])}"
        )
        if r.get("noop") is not None:
            pct = 100 * r["noop"] / r["cold"]
            print(
                f"    no-op / cold build        {pct:8.1f} %   target < {TARGETS['noop_pct']:.0f} %"
                f"     {verdict(pct, TARGETS['noop_pct'])}"
                f"   (start-up + imports alone: {100 * r.get('startup', 0) / r['cold']:.1f} %)"
            )
        if r.get("edit_ms") is not None:
            print(
                f"    serve edit -> rebuilt     {r['edit_ms']:8.1f} ms  target < "
                f"{TARGETS['edit_ms']:.0f} ms    {verdict(r['edit_ms'], TARGETS['edit_ms'])}"
                f"   (median; max {r['edit_max_ms']:.0f} ms)"
            )
        if r.get("serve_event_ms") is not None:
            print(
                f"    serve: save -> reload event    {r['serve_event_ms']:8.1f} ms  (median; the server's "
                f'"rebuilt in" {r["serve_rebuilt_ms"]:.0f} ms)'
            )
            print(f"    serve: save -> new page served {r['serve_page_ms']:8.1f} ms  (median)")
        peak = max(r.get("peak_tree_mb") or 0, r["peak_proc_mb"])  # the larger, to be safe
        print(
            f"    peak memory, cold build   {peak:8.0f} MB  target < {TARGETS['peak_mb']:.0f} MB"
            f"    {verdict(peak, TARGETS['peak_mb'])}   (largest process "
            f"{r['peak_proc_mb']:.0f} MB; whole tree "
            + (f"{r['peak_tree_mb']:.0f} MB" if r.get("peak_tree_mb") else "not sampled")
            + ")"
        )
        if r.get("search_cold") is not None:
            cold_s, edit_s = r["search_cold"], r.get("search_edit")
            print(
                f"    search on: cold build     {cold_s:8.2f} s   (Pagefind {100 * r['search_cold_share']:.0f} % of it)"
            )
            if edit_s is not None:
                pct = 100 * edit_s / cold_s
                print(
                    f"    search on: 1 edit / cold  {pct:8.1f} %   target <= {TARGETS['search_edit_pct']:.0f} %"
                    f"    {verdict(pct, TARGETS['search_edit_pct'])}   (Pagefind {100 * r['search_edit_share']:.0f} % of the edit)"
                )
            if r.get("pagefind_mb"):
                print(
                    f"    Pagefind's peak memory    {r['pagefind_mb']:8.0f} MB  target <= {TARGETS['pagefind_mb']:.0f} MB"
                    f"    {verdict(r['pagefind_mb'], TARGETS['pagefind_mb'])}   (whole tree "
                    f"{r.get('search_peak_tree_mb') or 0:.0f} MB, largest process {r['search_peak_proc_mb']:.0f} MB)"
                )
            if r.get("hugo_pagefind"):
                ratio = cold_s / r["hugo_pagefind"]
                print(
                    f"    cold / hugo && pagefind   {ratio:8.2f}x    target <= {TARGETS['hugo_ratio']}x"
                    f"   {verdict(ratio, TARGETS['hugo_ratio'])}   (hugo {r['hugo']:.2f} s + pagefind "
                    f"{r['hugo_pagefind'] - r['hugo']:.2f} s)"
                )
                if r.get("search_cold_cpu") and r.get("hugo_pagefind_cpu"):
                    print(
                        f"      the same in CPU seconds {r['search_cold_cpu'] / r['hugo_pagefind_cpu']:8.2f}x"
                        f"    ({r['search_cold_cpu']:.1f} s against {r['hugo_pagefind_cpu']:.1f} s: what a busy"
                        " host inflates least)"
                    )
                if r.get("floor_search"):
                    # what no build of these pages goes under: the stack's Markdown parser alone, then
                    # Pagefind over pages that hold the critiques (Hugo's pages do not)
                    print(
                        f"      floor / hugo && pagefind {r['floor_search'] / r['hugo_pagefind']:7.2f}x"
                        f"    (the plain loop + one Pagefind index of this site's pages: {r['floor_search']:.2f} s"
                        + (
                            f"; CPU {r['floor_search_cpu']:.1f} s = {r['floor_search_cpu'] / r['hugo_pagefind_cpu']:.2f}x)"
                            if r.get("floor_search_cpu") and r.get("hugo_pagefind_cpu")
                            else ")"
                        )
                    )
        if r.get("warm_serve_s") is not None:
            print(
                f"    serve second start        {r['warm_serve_s']:8.2f} s   target <= {TARGETS['warm_serve_s']} s"
                f"    {verdict(r['warm_serve_s'], TARGETS['warm_serve_s'])}"
            )
    by_n = {r["n"]: r for r in results if r.get("cold") is not None}
    if len(by_n) >= 2:
        lo, hi = (1000, 10000) if {1000, 10000} <= by_n.keys() else (min(by_n), max(by_n))
        scale = (by_n[hi]["cold"] / hi) / (by_n[lo]["cold"] / lo)
        print(
            f"  cold cost per essay at {hi} vs {lo}: {scale:.2f}x   target <= "
            f"{TARGETS['scale']}x   {_judge(scale, TARGETS['scale'])}"
        )
    if not by_n:
        print("  (no engine figures: the engine part was skipped or its builds failed, see above)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="100,1000,10000", help="comma-separated corpus sizes (default 100,1000,10000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--workdir",
        type=Path,
        default=BENCH / "out",
        help="where corpora and outputs go (default bench/out, git-ignored); "
        "use 'tmp' for a temporary folder removed afterwards",
    )
    ap.add_argument("--edits", type=int, default=5, help="serve-path edits to time (default 5)")
    ap.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="untimed runs of the loop and the cold build first, as hyperfine's --warmup "
        "(default 1): the first run after the corpus is written pays for the "
        "operating system's caches",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of the plain loop and of the cold build, alternating; the seconds "
        "are medians, the ratio the median of the pairs (default 3)",
    )
    ap.add_argument(
        "--no-wait",
        dest="wait",
        action="store_false",
        help="start at once even if the last run deleted its files moments ago",
    )
    ap.add_argument(
        "--no-sample", dest="sample", action="store_false", help="do not sample whole-tree memory from /proc"
    )
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    tmp = None
    if str(args.workdir) == "tmp":
        tmp = tempfile.TemporaryDirectory(prefix="counterpoint-bench-")
        args.workdir = Path(tmp.name)
    args.workdir = args.workdir.resolve()

    if args.wait:
        _settle(args.workdir)
    # the package byte-compiled, as a normal install leaves it: with PYTHONDONTWRITEBYTECODE set
    # (some machines set it), an editable install would compile every module in every process
    compileall.compile_dir(str(SRC / "counterpoint"), quiet=1)
    missing = engine_status()
    print(
        f"counterpoint benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), "
        f"sizes {sizes}, seed {args.seed}, workdir {args.workdir}"
    )
    if missing:
        print(f"engine part skipped: {missing}; only the corpus and the plain loop are measured.")
    print()
    print(HEADER)
    results = []
    try:
        for n in sizes:
            results.append(bench_size(n, args, missing))
    finally:
        if (args.workdir / ".trash").exists():
            _rm(args.workdir / ".trash")
            (args.workdir / CLEANED).touch()
        if tmp is not None:
            tmp.cleanup()
    summary(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
