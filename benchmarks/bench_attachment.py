"""What an attachment sheet costs: a form alone against the same form with a
data sheet of 100,000 and 300,000 rows (an export from a finance system).

    python benchmarks/bench_attachment.py

Prints the median time (and CPU time) of read + check (in-process) for each,
and its status (the same findings as the form alone).  Target: the attachment costs almost nothing (the sheet
is recognised from its first rows as one that cannot hold a form and is
never read) and is never a reason to refuse the workbook.

``SELFEVAL_BENCH_QUICK=1``: one 10,000-row attachment and 2 runs each (CI's
slow set runs every benchmark that way so none can rot; the figures then
mean little).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("SELFEVAL_BENCH_QUICK") == "1"
ROWS = (10_000,) if QUICK else (100_000, 300_000)
RUNS = 2 if QUICK else 9
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def median_ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    from mutations import add_sheet, attachment_rows, sst_count

    from selfeval_xlsx.api import validate_file

    form = ROOT / "sample_workbooks" / "01_黔南州驻京联络处_2023部门整体支出绩效自评表.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("form alone", form)]
        for rows in ROWS:
            path = add_sheet(form, Path(tmp) / f"attach{rows}.xlsx", "附件明细", attachment_rows(rows))
            cases.append((f"form + {rows:,}-row attachment ({path.stat().st_size // 1024} KB)", path))
            strings: list[str] = []
            sheet = attachment_rows(rows, shared=strings, sst_base=sst_count(form))
            path = add_sheet(form, Path(tmp) / f"attach{rows}s.xlsx", "附件明细", sheet, strings)
            cases.append((f"  same, text as shared strings ({path.stat().st_size // 1024} KB)", path))
        print(f"{'workbook':52} {'validate ms':>11} {'cpu ms':>8}  status")
        for label, path in cases:
            status = validate_file(path)["status"]
            ms = median_ms(lambda: validate_file(path), RUNS)
            cpu = []
            for _ in range(RUNS):
                start = time.process_time()
                validate_file(path)
                cpu.append(time.process_time() - start)
            print(f"{label:52} {ms:11.2f} {statistics.median(cpu) * 1000:8.2f}  {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
