"""``fill_path`` (read + check + patch) vs openpyxl load+save, per sample workbook.

    python benchmarks/bench_fill.py [--runs N] [--no-mark] [FILE ...]

For every .xlsx/.xlsm in sample_workbooks/ (or the files given), times the
median of N runs of ``selfeval_xlsx.fill.fill_path`` writing to a temporary
output (the whole fill: reader, checks, the package patch and the 校验结果
sheet), against ``openpyxl.load_workbook`` + ``save`` of the same file (what a
naive implementation would do — and it loses images, charts, x14 extensions).
Prints both figures (and, for reference, read + check alone) and the ratio;
the target is ≤ 0.2×.  The runs are interleaved so that load on a shared
machine slows both sides alike.  Exit status 1 when
any ratio is above the target.

``SELFEVAL_BENCH_QUICK=1``: the first two workbooks, 2 runs each, and the
target is not judged (CI's slow set runs every benchmark that way so none
can rot; two runs on a busy machine measure nothing).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfeval_xlsx.fill import fill_path  # noqa: E402

TARGET = 0.2
QUICK = os.environ.get("SELFEVAL_BENCH_QUICK") == "1"


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    while _width(text) > width:
        text = text[:-2] + "…"
    return text + " " * (width - _width(text))


def bench(path: Path, runs: int, mark: bool) -> tuple[float, float, float, int]:
    """Medians (seconds) of fill, of read+check alone, and of openpyxl load+save.

    The three are interleaved run by run, so a busy machine slows them alike."""
    import openpyxl

    from selfeval_xlsx.checks import check_workbook
    from selfeval_xlsx.reader import read_workbook

    with tempfile.TemporaryDirectory(prefix="bench-fill-") as tmp:
        out = Path(tmp) / f"out{path.suffix}"
        ref = Path(tmp) / f"ref{path.suffix}"

        def ours() -> dict:
            result = fill_path(path, out, mark=mark)
            assert result["status"] != "unreadable", result["error"]
            return result

        def analyse() -> None:
            check_workbook(read_workbook(path))

        def theirs() -> None:
            wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
            wb.save(ref)

        changes = len(ours()["changes"])
        analyse()
        theirs()
        times: tuple[list[float], list[float], list[float]] = ([], [], [])
        for _ in range(runs):
            for fn, bucket in zip((ours, analyse, theirs), times):
                gc.collect()
                start = time.perf_counter()
                fn()
                bucket.append(time.perf_counter() - start)
        fill_t, read_t, ref_t = (statistics.median(b) for b in times)
        return fill_t, read_t, ref_t, changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=2 if QUICK else 21)
    parser.add_argument("--no-mark", action="store_true", help="time fill without marking / report sheet")
    args = parser.parse_args(argv)
    files = args.files or sorted(p for p in (ROOT / "sample_workbooks").iterdir()
                                 if p.suffix.lower() in (".xlsx", ".xlsm"))
    if not files:
        print("no sample workbooks found", file=sys.stderr)
        return 2
    if QUICK and not args.files:
        files = files[:2]
    print(f"median of {args.runs} runs, {'--no-mark' if args.no_mark else 'marked + 校验结果 sheet'}")
    print(f"{_pad('file', 40)} {'size':>8} {'edits':>5} {'fill ms':>8} {'(read+check)':>12} "
          f"{'openpyxl ms':>11} {'ratio':>7}")
    worst = 0.0
    ratios = []
    for path in files:
        ours, analyse, theirs, changes = bench(path, args.runs, not args.no_mark)
        ratio = ours / theirs
        ratios.append(ratio)
        worst = max(worst, ratio)
        print(f"{_pad(path.name, 40)} {path.stat().st_size / 1024:>6.1f}KB {changes:>5} {ours * 1000:>8.2f} "
              f"{analyse * 1000:>12.2f} {theirs * 1000:>11.2f} {ratio:>6.3f}×")
    verdict = "not judged (quick run)" if QUICK else "OK" if worst <= TARGET else "ABOVE TARGET"
    print(f"median ratio {statistics.median(ratios):.3f}×, worst {worst:.3f}× (target ≤ {TARGET}×): {verdict}")
    return 0 if QUICK or worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
