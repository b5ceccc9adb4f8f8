"""How long validation takes against openpyxl.load_workbook on the same file.

    python benchmarks/bench_validate.py [FILES...]     (default: sample_workbooks/*)

Prints, per file, the median time of read + check (in-process) next to the
median time of openpyxl.load_workbook alone, and their ratio (target ≤ 0.1);
then the wall time of one `selfeval validate FILE` process against a Python
process that only imports openpyxl and loads the file (target: no slower).

``SELFEVAL_BENCH_QUICK=1``: the first two workbooks, 2 runs each (CI's slow
set runs every benchmark that way so none can rot; the figures then mean
little).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUICK = os.environ.get("SELFEVAL_BENCH_QUICK") == "1"


def median_ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def process_ms(argv: list[str], repeat: int = 1 if QUICK else 5) -> float:
    def once():
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    once()  # warm the file cache
    return median_ms(once, repeat)


def main(argv: list[str]) -> int:
    import openpyxl

    from selfeval_xlsx.api import validate_file

    files = [Path(a) for a in argv] or sorted(
        p for p in (ROOT / "sample_workbooks").iterdir() if p.suffix.lower() in (".xlsx", ".xlsm")
    )
    if QUICK and not argv:
        files = files[:2]
    print(f"{'file':58} {'validate ms':>11} {'openpyxl ms':>11} {'ratio':>6}")
    ratios = []
    for path in files:
        validate = median_ms(lambda: validate_file(path), 2 if QUICK else 30)
        load = median_ms(lambda: openpyxl.load_workbook(path), 2 if QUICK else 10)
        ratios.append(validate / load)
        print(f"{path.name[:58]:58} {validate:11.2f} {load:11.2f} {validate / load:6.3f}")
    print(f"median ratio validate/openpyxl: {statistics.median(ratios):.3f} (target ≤ 0.1)")

    path = files[0]
    ours = process_ms([sys.executable, "-m", "selfeval_xlsx", "validate", str(path)])
    theirs = process_ms([sys.executable, "-c", f"import openpyxl; openpyxl.load_workbook({str(path)!r})"])
    print(f"process: selfeval validate {ours:.0f} ms, python+openpyxl load {theirs:.0f} ms "
          f"(ratio {ours / theirs:.2f}, target ≤ 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
