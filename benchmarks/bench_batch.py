"""Benchmark ``selfeval batch``: files per second and peak memory.

    python benchmarks/bench_batch.py                 # 1,000 files in a temp folder
    python benchmarks/bench_batch.py --path /tmp/b   # generate (or reuse) there
    python benchmarks/bench_batch.py --big           # also 5,000 files (memory)

Generates a folder of varied workbooks -- the sample workbooks with their
numbers changed at random (so scores, findings and file bytes differ) and
blank official templates from ``selfeval_xlsx.template.write_template`` with
varied years, units and row counts -- spread over 20 county subfolders.

Then measures, each run in a fresh process (the package byte-compiled first,
as an installed copy is):

* a plain loop of ``openpyxl.load_workbook`` over the same files (1 core),
* ``batch`` without and with fill, at 1 job and at all cores,

in ``--repeat`` rounds (default 3; every configuration once a round, so a
change in the machine's load touches them all alike), and prints the median
files per second with the range, and the peak resident memory of the batch
parent process and of its largest worker (``resource.getrusage`` SELF and
CHILDREN).  With ``--big`` the no-fill and fill runs are repeated on 5,000
files to show that peak memory does not grow with the folder.

Targets: 1 core, batch without fill ≥ 10× the openpyxl loop, with fill
≥ 5×; all cores (2) ≥ 1.7× the 1-core rate; the same peak memory for
1,000 and 5,000 files.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT / "sample_workbooks"
COUNTIES = [f"{i:02d}县" for i in range(1, 21)]

_NUM_CELL = re.compile(rb'(<c r="[A-Z]+\d+"(?: s="\d+")?>)<v>(-?\d+(?:\.\d+)?)</v>(</c>)')


def _vary(sheet: bytes, rng: random.Random) -> bytes:
    def repl(m: re.Match) -> bytes:
        if rng.random() > 0.4:
            return m.group(0)
        value = float(m.group(2)) * rng.uniform(0.7, 1.15)
        text = f"{value:.2f}".rstrip("0").rstrip(".") or "0"
        return m.group(1) + b"<v>" + text.encode() + b"</v>" + m.group(3)

    return _NUM_CELL.sub(repl, sheet)


def generate(folder: Path, count: int, seed: int = 20240601) -> list[Path]:
    """Write ``count`` varied workbooks under ``folder`` (20 county subfolders)."""
    from selfeval_xlsx.template import write_template

    rng = random.Random(seed)
    samples = []
    for path in sorted(SAMPLES.glob("*.xlsx")):
        with zipfile.ZipFile(path) as z:
            samples.append([(info, z.read(info.filename)) for info in z.infolist()])
    if not samples:
        raise SystemExit(f"no sample workbooks in {SAMPLES}")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(count):
        county = folder / COUNTIES[i % len(COUNTIES)]
        county.mkdir(exist_ok=True)
        if i % 5 == 4:  # a blank official template (xlsxwriter)
            path = county / f"{i:05d}_模板.xlsx"
            write_template(path, form=rng.choice(["department", "project"]), year=rng.randint(2020, 2025),
                           unit=f"{county.name}第{i}单位", rows=rng.randint(1, 5))
        else:  # a sample with its numbers changed
            parts = samples[i % len(samples)]
            path = county / f"{i:05d}_自评表.xlsx"
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                for info, data in parts:
                    if info.filename.startswith("xl/worksheets/sheet"):
                        data = _vary(data, rng)
                    elif info.filename == "xl/sharedStrings.xml":
                        data = data.replace("某县".encode(), f"{county.name}".encode())
                    z.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
        written.append(path)
    (folder / ".bench-count").write_text(str(count))
    return written


def _ensure(folder: Path, count: int) -> Path:
    marker = folder / ".bench-count"
    if marker.exists() and marker.read_text().strip() == str(count):
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    generate(folder, count)
    print(f"generated {count} workbooks in {folder} ({time.perf_counter() - started:.1f} s)", flush=True)
    return folder


# -- measurements, each in a fresh interpreter --------------------------------

_OPENPYXL = r"""
import json, os, resource, sys, time, warnings
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from pathlib import Path
import openpyxl
warnings.simplefilter("ignore")
files = sorted(p for p in Path(sys.argv[1]).rglob("*.xlsx") if not p.name.startswith("."))
started = time.perf_counter()
for path in files:
    openpyxl.load_workbook(path).close()
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"files": len(files), "seconds": seconds, "self_kb": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime}))
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
                  "children_cpu": sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])}))
"""


def _run(code: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_openpyxl(folder: Path) -> dict:
    return _run(_OPENPYXL, str(folder))


def measure_batch(folder: Path, fill: bool, jobs: int, one_cpu: bool = False) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    try:
        return _run(_BATCH, str(folder), str(out), "1" if fill else "0", str(jobs), "1" if one_cpu else "0")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", type=Path, help="folder for the generated workbooks (kept)")
    parser.add_argument("--files", type=int, default=1000, help="number of workbooks (default 1000)")
    parser.add_argument("--big", action="store_true", help="also measure memory on 5,000 files")
    parser.add_argument("--skip-openpyxl", action="store_true", help="skip the openpyxl loop")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of runs; figures are medians (default 3)")
    args = parser.parse_args(argv)

    cores = os.cpu_count() or 1
    # byte-compile the package, as `pip install` does: the runs below import it
    # from the source tree, and with PYTHONDONTWRITEBYTECODE set every fresh
    # process (the fork server included) would compile it again
    compileall.compile_dir(ROOT / "selfeval_xlsx", quiet=1)
    base = args.path or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        folder = _ensure(base / f"n{args.files}", args.files)
        # (label, jobs, pinned to one CPU): "1 core" is one job on one CPU, parent
        # included; "1 job" lets the parent run on a second CPU
        configs = [("1 core", 1, True), ("1 job", 1, False), (f"{cores} jobs", cores, False)]
        runs: dict[tuple[bool | None, str], list[dict]] = {}
        # rounds: every configuration once per round, so a change in the
        # machine's load touches all of them alike; each figure is the median
        for _round in range(args.repeat):
            if not args.skip_openpyxl:
                runs.setdefault((None, "openpyxl"), []).append(measure_openpyxl(folder))
            for fill in (False, True):
                for label, jobs, pinned in configs:
                    runs.setdefault((fill, label), []).append(measure_batch(folder, fill, jobs, pinned))

        def rate(r: dict) -> float:
            return r["files"] / r["seconds"]

        def median(key) -> dict:
            ordered = sorted(runs[key], key=rate)
            return ordered[len(ordered) // 2]

        results = {key: median(key) for key in runs}
        reference = rate(results[(None, "openpyxl")]) if (None, "openpyxl") in results else None

        print(f"\n{args.files} files, {cores} CPUs (load average now {os.getloadavg()[0]:.1f}); "
              f"median of {args.repeat} run(s), range of files/s in brackets")
        print(f"{'run':<34}{'files/s':>9}{'range':>14}{'×openpyxl':>11}{'×1 core':>9}{'CPU s':>8}"
              f"{'parent':>9}{'worker':>9}")
        for (fill, label), r in results.items():
            name = ("openpyxl.load_workbook loop, 1 core" if fill is None
                    else f"batch {'with fill' if fill else 'no fill'}, {label}")
            rates = sorted(rate(x) for x in runs[(fill, label)])
            span = f"{rates[0]:.0f}–{rates[-1]:.0f}"
            vs = f"{rate(r) / reference:.1f}" if reference else "-"
            one = results.get((fill, "1 core")) if fill is not None else None
            speedup = f"{rate(r) / rate(one):.2f}" if one else "-"
            cpu = r.get("self_cpu", 0) + r.get("children_cpu", 0) if "self_cpu" in r else r.get("cpu", 0)
            parent = max(x["self_kb"] for x in runs[(fill, label)])
            worker = _mb(max(x["children_kb"] for x in runs[(fill, label)])) if "children_kb" in r else "-"
            print(f"{name:<34}{rate(r):>9.1f}{span:>14}{vs:>11}{speedup:>9}{cpu:>8.1f}{_mb(parent):>9}{worker:>9}")

        if args.big:
            big = _ensure(base / "n5000", 5000)
            print(f"\npeak memory, {args.files} vs 5000 files ({cores} jobs)")
            for fill in (False, True):
                small = results[(fill, f"{cores} jobs")]  # the median run
                r = measure_batch(big, fill, cores)
                print(f"batch {'with fill' if fill else 'no fill':<10} parent {_mb(small['self_kb'])} → "
                      f"{_mb(r['self_kb'])}, worker {_mb(small['children_kb'])} → {_mb(r['children_kb'])}, "
                      f"{r['files'] / r['seconds']:.1f} files/s")
    finally:
        if args.path is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
