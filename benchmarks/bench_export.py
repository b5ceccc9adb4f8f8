"""Benchmark ``selfeval export`` beside ``batch --no-fill``: files per second and peak memory.

    python benchmarks/bench_export.py                 # 1,000 files in a temp folder
    python benchmarks/bench_export.py --path /tmp/b   # generate (or reuse) there
    python benchmarks/bench_export.py --big           # also 5,000 files (memory)

The corpus is ``bench_batch.py``'s (the sample workbooks with their numbers
changed and blank templates, in 20 county folders; the same generator and
the same folder layout, so ``--path`` can share one corpus between both
scripts).  Each run is a fresh process using all cores, the package
byte-compiled first; in ``--repeat`` rounds (default 3) every
configuration runs once, and the median files/s is printed with the range
and the peak resident memory of the parent process and of its largest
worker: ``batch --no-fill`` (the reference), ``export`` to .xlsx, to .csv
and to .parquet.  With ``--big`` the .xlsx export and batch are repeated on
5,000 files to show that memory does not grow with the number of files.

Target: export in the same time class as ``batch --no-fill``; the same peak
memory for 1,000 and 5,000 files.

``SELFEVAL_BENCH_QUICK=1``: 40 files and one round by default (CI's slow set
runs every benchmark that way so none can rot; the figures then mean little).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import ROOT, _ensure, _mb, _run, measure_batch  # noqa: E402

_EXPORT = r"""
import json, resource, sys, time
from selfeval_xlsx.export import export
src, out = sys.argv[1], sys.argv[2]
started = time.perf_counter()
stats = export([src], out)
seconds = time.perf_counter() - started
from multiprocessing import forkserver
forkserver._forkserver._stop()  # reap the workers so their peak shows in CHILDREN
print(json.dumps({"files": stats.files, "forms": stats.forms, "indicators": stats.indicators,
                  "unreadable": stats.unreadable, "seconds": seconds,
                  "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def measure_export(folder: Path, suffix: str) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        result = _run(_EXPORT, str(folder), str(out / f"export{suffix}"))
        result["bytes"] = sum(p.stat().st_size for p in out.iterdir())
        return result
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", type=Path, help="folder for the generated workbooks (kept)")
    quick = os.environ.get("SELFEVAL_BENCH_QUICK") == "1"
    parser.add_argument("--files", type=int, default=40 if quick else 1000, help="number of workbooks (default 1000)")
    parser.add_argument("--big", action="store_true", help="also measure memory on 5,000 files")
    parser.add_argument("--repeat", type=int, default=1 if quick else 3,
                        help="rounds of runs; figures are medians (default 3)")
    args = parser.parse_args(argv)

    cores = os.cpu_count() or 1
    compileall.compile_dir(ROOT / "selfeval_xlsx", quiet=1)
    base = args.path or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        folder = _ensure(base / f"n{args.files}", args.files)
        configs = ["batch --no-fill", ".xlsx", ".csv", ".parquet"]
        runs: dict[str, list[dict]] = {}
        for _round in range(args.repeat):
            for config in configs:
                result = (measure_batch(folder, False, cores) if config == "batch --no-fill"
                          else measure_export(folder, config))
                runs.setdefault(config, []).append(result)

        def rate(r: dict) -> float:
            return r["files"] / r["seconds"]

        reference = sorted(runs["batch --no-fill"], key=rate)[len(runs["batch --no-fill"]) // 2]
        print(f"\n{args.files} files, {cores} jobs (load average now {os.getloadavg()[0]:.1f}); "
              f"median of {args.repeat} run(s), range of files/s in brackets")
        print(f"{'run':<24}{'files/s':>9}{'range':>14}{'×batch':>8}{'parent':>9}{'worker':>9}{'rows':>9}{'output':>10}")
        for config in configs:
            ordered = sorted(runs[config], key=rate)
            r = ordered[len(ordered) // 2]
            span = f"{rate(ordered[0]):.0f}–{rate(ordered[-1]):.0f}"
            name = config if config.startswith("batch") else f"export {config}"
            rows = f"{r['indicators']:,}" if "indicators" in r else "-"
            size = f"{r['bytes'] / 1e6:.1f} MB" if "bytes" in r else "-"
            parent = max(x["self_kb"] for x in runs[config])
            worker = max(x["children_kb"] for x in runs[config])
            print(f"{name:<24}{rate(r):>9.1f}{span:>14}{rate(r) / rate(reference):>8.2f}{_mb(parent):>9}"
                  f"{_mb(worker):>9}{rows:>9}{size:>10}")

        if args.big:
            big = _ensure(base / "n5000", 5000)
            print(f"\npeak memory, {args.files} vs 5000 files ({cores} jobs)")
            for config in ("batch --no-fill", ".xlsx", ".csv"):
                small = sorted(runs[config], key=rate)[len(runs[config]) // 2]
                r = measure_batch(big, False, cores) if config.startswith("batch") else measure_export(big, config)
                name = config if config.startswith("batch") else f"export {config}"
                print(f"{name:<18} parent {_mb(small['self_kb'])} → {_mb(r['self_kb'])}, "
                      f"worker {_mb(small['children_kb'])} → {_mb(r['children_kb'])}, "
                      f"{r['files'] / r['seconds']:.1f} files/s")
    finally:
        if args.path is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
