"""Benchmark ``selfeval batch``: files per second, peak memory, per-file profile.

    python benchmarks/bench_batch.py                 # 2,000 files in a temp folder
    python benchmarks/bench_batch.py --path /tmp/b   # generate (or reuse) there
    python benchmarks/bench_batch.py --one-core      # only the one-CPU runs (the target)
    python benchmarks/bench_batch.py --no-wait       # measure even if the disk is busy (see below)
    python benchmarks/bench_batch.py --compare ../main   # and another checkout's, side by side
    python benchmarks/bench_batch.py --profile       # where a worker's time goes, per file
    python benchmarks/bench_batch.py --big           # also 5,000 files (memory)
    SELFEVAL_BENCH_QUICK=1 python benchmarks/bench_batch.py   # a few seconds (CI's slow set)

The folder is the benchmark corpus of ``benchmarks/corpus.py`` (varied sample
and field workbooks, blank templates, 9 % ``.xls``; deterministic, over 20
county subfolders).

Then measures, each run in a fresh process (the package byte-compiled first,
as an installed copy is):

* a plain loop of ``openpyxl.load_workbook`` over the corpus's .xlsx/.xlsm
  files on one CPU -- the yardstick (it cannot read the .xls files, which
  ``batch`` converts, so they count against ``batch`` only);
* ``batch`` without and with fill: "1 core" is one job pinned to one CPU,
  parent included; unless ``--one-core``, also one job unpinned and all
  cores; with ``--compare PATH`` (repeatable) also the package at PATH (a copy of it,
  byte-compiled) with fill on one core;

in ``--repeat`` rounds (default 3; every configuration once a round, so a
change in the machine's load touches them all alike), and prints the median
files per second with the range, and the peak resident memory of the batch
parent process and of its largest worker (``resource.getrusage`` SELF and
CHILDREN).  With ``--big`` the no-fill and fill runs are repeated on 5,000
files to show that peak memory does not grow with the folder.

"CPU s" is user plus system time of the run's processes, "sys s" the system
part of it.  Batch with fill makes a file for each workbook; on Linux ext4
making files soon after many were deleted costs far more system time (the
allocator passes over every inode freed in the last one to six minutes), so
measure on a quiet disk: the script waits for one (up to seven minutes,
unless ``--no-wait``), the runs' outputs are only removed at the end (see
``OUTPUTS``), and the "creating a file costs" figures, taken before and
after the runs, show the state (a few hundredths of a millisecond on a
quiet disk).

``--profile`` runs the fill worker's per-file function in this process over
the corpus under cProfile and prints the top entries by own and by
cumulative time: what is left to cut, by module.

Targets: 1 core, batch without fill ≥ 10× the openpyxl loop, with fill
≥ 5×; all cores (2) ≥ 1.7× the 1-core rate; the same peak memory for
2,000 and 5,000 files.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import corpus  # noqa: E402 - benchmarks/corpus.py, beside this script

QUICK = os.environ.get("SELFEVAL_BENCH_QUICK") == "1"


def _ensure(folder: Path, count: int) -> Path:
    started = time.perf_counter()
    if corpus.ensure(folder, count):
        print(f"generated {count} workbooks in {folder} ({time.perf_counter() - started:.1f} s)", flush=True)
    return folder


# -- measurements, each in a fresh interpreter --------------------------------

_OPENPYXL = r"""
import json, os, resource, sys, time, warnings
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from pathlib import Path
import openpyxl
warnings.simplefilter("ignore")
files = sorted(p for p in Path(sys.argv[1]).rglob("*") if p.suffix in (".xlsx", ".xlsm")
               and not p.name.startswith("."))
started = time.perf_counter()
for path in files:
    openpyxl.load_workbook(path).close()
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"files": len(files), "seconds": seconds, "self_kb": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime, "system_cpu": usage.ru_stime}))
"""

_BATCH = r"""
import json, os, resource, sys, time
if sys.argv[5] == "1":  # one CPU for the parent and its workers
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from selfeval_xlsx.batch import batch_folder
src, out, fill, jobs = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
started = time.perf_counter()
stats = batch_folder(src, out, fill=fill, jobs=jobs)
seconds = time.perf_counter() - started
# workers are children of the fork server: reap it so their peak shows in CHILDREN
from multiprocessing import forkserver
forkserver._forkserver._stop()
print(json.dumps({"files": stats.files, "forms": stats.forms, "unreadable": stats.unreadable,
                  "seconds": seconds,
                  "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "self_cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
                  "children_cpu": sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]),
                  "system_cpu": resource.getrusage(resource.RUSAGE_SELF).ru_stime
                                + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime}))
"""


def _run(code: str, *args: str, root: Path = ROOT) -> dict:
    # cwd is the package's root too: the fork server puts its cwd first on sys.path
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)})
    if proc.returncode:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_openpyxl(folder: Path) -> dict:
    return _run(_OPENPYXL, str(folder))


#: Where the runs' outputs stay until the benchmark ends (``main`` sets it).
#: Removing a run's 2,000 outputs straight after it would slow the next run:
#: ext4 passes over inodes freed in the last minute or so when it makes a new
#: file (``recently_deleted`` in its allocator), and each run makes 2,000 --
#: a cost no real batch meets, which made file creation swing from 0.02 to
#: 0.9 ms a file between rounds.
OUTPUTS: Path | None = None


def measure_batch(folder: Path, fill: bool, jobs: int, one_cpu: bool = False, root: Path = ROOT) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-out-", dir=OUTPUTS))
    try:
        return _run(_BATCH, str(folder), str(out), "1" if fill else "0", str(jobs), "1" if one_cpu else "0",
                    root=root)
    finally:
        if OUTPUTS is None:
            shutil.rmtree(out, ignore_errors=True)


def _copy_package(source: Path, into: Path) -> Path:
    """A byte-compiled copy of the package at ``source`` (nothing written there)."""
    shutil.copytree(source / "selfeval_xlsx", into / "selfeval_xlsx",
                    ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(into / "selfeval_xlsx", quiet=1)
    return into


def profile_worker(folder: Path, limit: int = 25) -> None:
    """cProfile of the fill worker's per-file function over the corpus, in this process."""
    import cProfile
    import pstats

    from selfeval_xlsx import batch, loading

    loading.ISOLATE_BINARY = False  # as in a worker
    files = batch.discover(folder)
    out = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    try:
        job = batch.FileJob(in_dir=str(folder), out_dir=str(out))
        for rel in files[:20]:  # warm: imports and first-use compilation are not per-file costs
            batch.process_file(job, rel.as_posix())
        shutil.rmtree(out)
        out.mkdir()
        profiler = cProfile.Profile()
        started = time.process_time()
        profiler.enable()
        for rel in files:
            try:
                batch.process_file(job, rel.as_posix())
            except Exception:  # noqa: BLE001,S112 - the pool reports it; here only time counts
                continue
        profiler.disable()
        cpu = time.process_time() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)
    xls = sum(1 for rel in files if rel.suffix.lower() == ".xls")
    print(f"\nper-file worker profile: {len(files)} files ({xls} .xls), {cpu:.2f} s CPU "
          f"= {1000 * cpu / len(files):.2f} ms a file (profiler overhead included)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)


def file_creation_ms(count: int = 500) -> float:
    """CPU milliseconds this machine spends creating one empty file in a fresh
    folder where ``measure_batch`` writes its outputs: printed with the
    figures, because batch with fill creates one file per workbook and the
    openpyxl loop none, and the cost differs widely between machines and file
    systems."""
    folder = Path(tempfile.mkdtemp(prefix="bench-create-", dir=OUTPUTS))
    try:
        started = time.process_time()
        for number in range(count):
            os.close(os.open(folder / f"f{number}.xlsx", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return 1000 * (time.process_time() - started) / count
    finally:
        if OUTPUTS is None:
            shutil.rmtree(folder, ignore_errors=True)


#: File creation dearer than this (ms of CPU) means a busy disk (a quiet one: ~0.02).
SLOW_CREATION_MS = 0.05
#: How long to wait for a quiet disk before the runs (ext4 passes over freed
#: inodes for up to six minutes; a previous invocation frees some 12,000).
QUIET_WAIT_S = 420


#: Written in ``--path`` when an invocation has removed its outputs: the time.
DELETED_MARK = ".bench-outputs-deleted"
#: How long ext4 passes over freed inodes (60 s, plus 300 s while their inode
#: table is not yet written back), with a margin.
FREED_RECENTLY_S = 400


def quiet_disk(wait_s: float, base: Path) -> float:
    """The cost of creating a file now, after waiting up to ``wait_s`` seconds
    for the disk to be quiet (said when it is not): first until the outputs
    an earlier invocation removed from ``base`` are :data:`FREED_RECENTLY_S`
    old (a probe of 500 files does not reach the ten thousands of inodes they
    freed), then until file creation costs less than :data:`SLOW_CREATION_MS`.
    The figures with fill are then those of a disk in normal use, not of one
    still busy with the files a previous run deleted."""
    waited = 0.0
    with contextlib.suppress(OSError, ValueError):
        since = time.time() - float((base / DELETED_MARK).read_text())
        if 0 <= since < FREED_RECENTLY_S and wait_s > 0:
            pause = min(FREED_RECENTLY_S - since, wait_s)
            print(f"the previous invocation removed its outputs {since:.0f} s ago; waiting {pause:.0f} s "
                  "for the disk to be quiet (--no-wait: measure anyway)", flush=True)
            time.sleep(pause)
            waited = pause
    cost = file_creation_ms()
    if cost > SLOW_CREATION_MS and wait_s > 0:
        print(f"creating a file costs {cost:.2f} ms of CPU here now, against ~0.02 on a quiet disk: files were "
              f"deleted near the output folder in the last minutes; waiting up to {wait_s / 60:.0f} min "
              "(--no-wait: measure anyway)", flush=True)
    while cost > SLOW_CREATION_MS and waited < wait_s:
        time.sleep(30)
        waited += 30
        cost = file_creation_ms()
    if cost > SLOW_CREATION_MS:
        print(f"note: creating a file costs {cost:.2f} ms of CPU here; the figures with fill will be lower "
              "than on a quiet disk", flush=True)
    elif waited:
        print(f"quiet after {waited / 60:.1f} min ({cost:.2f} ms a file)", flush=True)
    return cost


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", type=Path, help="folder for the generated workbooks (kept)")
    parser.add_argument("--files", type=int, default=2000, help="number of workbooks (default 2000)")
    parser.add_argument("--big", action="store_true", help="also measure memory on 5,000 files")
    parser.add_argument("--skip-openpyxl", action="store_true", help="skip the openpyxl loop")
    parser.add_argument("--one-core", action="store_true", help="only the one-CPU runs")
    parser.add_argument("--compare", type=Path, metavar="PATH", action="append", default=[],
                        help="also another checkout of the repository (batch with fill, 1 core); repeatable")
    parser.add_argument("--profile", action="store_true", help="profile the fill worker per file, then stop")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of runs; figures are medians (default 3)")
    parser.add_argument("--no-wait", action="store_true", help="do not wait for a quiet disk before the runs")
    args = parser.parse_args(argv)
    if QUICK:  # a few seconds: that it runs, not what it measures
        args.files, args.repeat, args.one_core, args.big = min(args.files, 40), 1, True, False

    cores = os.cpu_count() or 1
    # byte-compile the package, as `pip install` does: the runs below import it
    # from the source tree, and with PYTHONDONTWRITEBYTECODE set every fresh
    # process (the fork server included) would compile it again
    compileall.compile_dir(ROOT / "selfeval_xlsx", quiet=1)
    base = args.path or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    scratch = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    global OUTPUTS
    # removed at the end (see OUTPUTS); beside the corpus rather than in the
    # system's temporary folder, where test suites make and delete files by
    # the thousand and so slow the making of new ones there for minutes
    base.mkdir(parents=True, exist_ok=True)
    OUTPUTS = Path(tempfile.mkdtemp(prefix="bench-outputs-", dir=base))
    try:
        folder = _ensure(base / f"corpus{args.files}", args.files)
        if args.profile:
            profile_worker(folder)
            return 0
        others = [(path, _copy_package(path.resolve(), scratch / str(number)))
                  for number, path in enumerate(args.compare)]
        # (label, jobs, pinned to one CPU): "1 core" is one job on one CPU, parent
        # included; "1 job" lets the parent run on a second CPU
        configs = [("1 core", 1, True)]
        if not args.one_core:
            configs += [("1 job", 1, False), (f"{cores} jobs", cores, False)]
        runs: dict[tuple[bool | None, str], list[dict]] = {}
        # rounds: every configuration once per round, so a change in the
        # machine's load touches all of them alike; each figure is the median
        # and every other round in reverse order (a run leaves the disk busy
        # writing back its outputs: the next one pays for it)
        plan: list[tuple[tuple[bool | None, str], Any]] = []
        if not args.skip_openpyxl:
            plan.append(((None, "openpyxl"), lambda: measure_openpyxl(folder)))
        for fill in (False, True):
            for label, jobs, pinned in configs:
                plan.append(((fill, label), functools.partial(measure_batch, folder, fill, jobs, pinned)))
        for path, other in others:
            plan.append(((True, f"1 core, {path}"),
                         functools.partial(measure_batch, folder, True, 1, True, root=other)))
        creating_before = quiet_disk(0 if QUICK or args.no_wait else QUIET_WAIT_S, base)
        for number in range(args.repeat):
            for key, measure in plan if number % 2 == 0 else reversed(plan):
                runs.setdefault(key, []).append(measure())
        runs = {key: runs[key] for key, _measure in plan}  # printed in plan order

        def rate(r: dict) -> float:
            return r["files"] / r["seconds"]

        def median(key) -> dict:
            ordered = sorted(runs[key], key=rate)
            return ordered[len(ordered) // 2]

        results = {key: median(key) for key in runs}
        reference = rate(results[(None, "openpyxl")]) if (None, "openpyxl") in results else None
        some = next(r for (fill, _label), r in results.items() if fill is not None)

        print(f"\n{some['files']} files, {cores} CPUs (load average now {os.getloadavg()[0]:.1f}); "
              f"median of {args.repeat} run(s), range of files/s in brackets; creating a file costs "
              f"{creating_before:.2f} ms of CPU here before the runs, {file_creation_ms():.2f} ms after "
              f"(one per workbook with fill)")
        print(f"{'run':<56}{'files/s':>9}{'range':>14}{'×openpyxl':>11}{'×1 core':>9}{'CPU s':>8}{'sys s':>7}"
              f"{'parent':>9}{'worker':>9}")
        for (fill, label), r in results.items():
            name = (f"openpyxl.load_workbook loop ({r['files']} .xlsx/.xlsm), 1 core" if fill is None
                    else f"batch {'with fill' if fill else 'no fill'}, {label}")
            rates = sorted(rate(x) for x in runs[(fill, label)])
            span = f"{rates[0]:.0f}–{rates[-1]:.0f}"
            vs = f"{rate(r) / reference:.1f}" if reference else "-"
            one = results.get((fill, "1 core")) if fill is not None else None
            speedup = f"{rate(r) / rate(one):.2f}" if one else "-"
            cpu = r.get("self_cpu", 0) + r.get("children_cpu", 0) if "self_cpu" in r else r.get("cpu", 0)
            parent = max(x["self_kb"] for x in runs[(fill, label)])
            worker = _mb(max(x["children_kb"] for x in runs[(fill, label)])) if "children_kb" in r else "-"
            print(f"{name:<56}{rate(r):>9.1f}{span:>14}{vs:>11}{speedup:>9}{cpu:>8.1f}{r.get('system_cpu', 0):>7.1f}"
                  f"{_mb(parent):>9}{worker:>9}")
        if any(r.get("unreadable") for (fill, _label), r in results.items() if fill is not None):
            print("(unreadable files: " + ", ".join(f"{label} {r['unreadable']}" for (fill, label), r
                                                     in results.items() if fill is not None) + ")")

        if args.big:
            big = _ensure(base / "corpus5000", 5000)
            print(f"\npeak memory, {args.files} vs 5000 files ({cores} jobs)")
            for fill in (False, True):
                small = results.get((fill, f"{cores} jobs")) or results[(fill, "1 core")]
                r = measure_batch(big, fill, cores)
                print(f"batch {'with fill' if fill else 'no fill':<10} parent {_mb(small['self_kb'])} → "
                      f"{_mb(r['self_kb'])}, worker {_mb(small['children_kb'])} → {_mb(r['children_kb'])}, "
                      f"{r['files'] / r['seconds']:.1f} files/s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(OUTPUTS, ignore_errors=True)
        with contextlib.suppress(OSError):
            (base / DELETED_MARK).write_text(f"{time.time():.0f}")
        if args.path is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
