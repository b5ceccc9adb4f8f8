"""The benchmark corpus: a folder of varied workbooks, the same every time.

    python benchmarks/corpus.py OUT [--files 2000]
    SELFEVAL_BENCH_QUICK=1 python benchmarks/corpus.py   # 40 files in a temporary folder (CI)

Builds ``--files`` workbooks (default 2,000) under OUT, spread over 20 county
subfolders, from what the repository ships, so that every run of
``bench_batch.py`` on any machine measures the same folder:

* the sample workbooks (``sample_workbooks/*.xlsx``, ``*.xlsm``) and the
  field workbooks (``tests/field/*.xlsx``, LibreOffice re-saves included)
  with their numbers changed at random (about 40 % of the numeric cells, by
  −30 % … +15 %), so scores, findings and file bytes differ;
* blank official templates from ``selfeval_xlsx.template.write_template``
  with varied years, units and row counts (every fifth file);
* 9 % ``.xls`` files (180 of 2,000), as they arrive from offices still on
  Excel 2003: the 23 field forms of ``tests/field/build.py`` with their
  numbers changed, written by xlwt as that script writes its ``.xls``
  copies, and the ``.xls`` sample as it is.

Deterministic: one seeded random generator, the sources in sorted order, the
zip entries keeping the sources' timestamps.  (Templates carry xlsxwriter's
fixed document dates.)  ``generate()`` is what ``bench_batch.py`` calls; it
leaves a ``.corpus`` marker (hidden, so ``batch`` skips it) with the count.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"
FIELD = ROOT / "tests" / "field"
COUNTIES = [f"{i:02d}县" for i in range(1, 21)]
MARKER = ".corpus"

#: One file in this many is an .xls (2,000 files: 182).
XLS_EVERY = 11
#: One file in this many (of the rest) is a blank template.
TEMPLATE_EVERY = 5

# a numeric cell as openpyxl, Excel and LibreOffice write it (t="n" optional)
_NUM_CELL = re.compile(rb'(<c r="[A-Z]+\d+"(?: s="\d+")?(?: t="n")?>)<v>(-?\d+(?:\.\d+)?)</v>(</c>)')


def _vary_number(value: float, rng: random.Random) -> float:
    return round(value * rng.uniform(0.7, 1.15), 2)


def _vary_sheet(sheet: bytes, rng: random.Random) -> bytes:
    def repl(m: re.Match) -> bytes:
        if rng.random() > 0.4:
            return m.group(0)
        text = f"{_vary_number(float(m.group(2)), rng):.2f}".rstrip("0").rstrip(".") or "0"
        return m.group(1) + b"<v>" + text.encode() + b"</v>" + m.group(3)

    return _NUM_CELL.sub(repl, sheet)


def _zip_sources() -> list[tuple[str, list[tuple[zipfile.ZipInfo, bytes]]]]:
    """(suffix, entries) of every .xlsx/.xlsm sample and field workbook."""
    paths = sorted([*SAMPLES.glob("*.xlsx"), *SAMPLES.glob("*.xlsm"), *FIELD.glob("*.xlsx")])
    sources = []
    for path in paths:
        with zipfile.ZipFile(path) as z:
            sources.append((path.suffix, [(info, z.read(info.filename)) for info in z.infolist()]))
    if not sources:
        raise SystemExit(f"no sample workbooks in {SAMPLES} or {FIELD}")
    return sources


def _field_builder():
    """tests/field/build.py as a module (its forms and its xlwt writer)."""
    spec = importlib.util.spec_from_file_location("selfeval_field_build", FIELD / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _write_zip(path: Path, entries, rng: random.Random, county: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename.startswith("xl/worksheets/sheet"):
                data = _vary_sheet(data, rng)
            elif info.filename == "xl/sharedStrings.xml":
                data = data.replace("某县".encode(), county.encode())
            z.writestr(info, data, zipfile.ZIP_DEFLATED)


def _write_xls(path: Path, build, make, rng: random.Random) -> None:
    form = make()
    for ref, value in list(form.cells.items()):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and rng.random() < 0.4:
            form.cells[ref] = _vary_number(float(value), rng)
    build._write_xls(form, path)


def generate(folder: Path, count: int = 2000, seed: int = 20240601) -> list[Path]:
    """Write ``count`` varied workbooks under ``folder`` (20 county subfolders)."""
    from selfeval_xlsx.template import write_template

    rng = random.Random(seed)
    sources = _zip_sources()
    build = _field_builder()
    forms = sorted(build.FORMS.items())
    xls_sample = sorted(SAMPLES.glob("*.xls"))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    n_xls = n_zip = 0
    for i in range(count):
        county = folder / COUNTIES[i % len(COUNTIES)]
        county.mkdir(exist_ok=True)
        if i % XLS_EVERY == XLS_EVERY - 1:  # an .xls: a field form through xlwt, now and then the sample
            if xls_sample and n_xls % 8 == 7:
                path = county / f"{i:05d}_{xls_sample[0].name}"
                path.write_bytes(xls_sample[0].read_bytes())
            else:
                name, make = forms[n_xls % len(forms)]
                path = county / f"{i:05d}_{Path(name).stem}.xls"
                _write_xls(path, build, make, rng)
            n_xls += 1
        elif i % TEMPLATE_EVERY == TEMPLATE_EVERY - 1:  # a blank official template (xlsxwriter)
            path = county / f"{i:05d}_模板.xlsx"
            write_template(path, form=rng.choice(["department", "project"]), year=rng.randint(2020, 2025),
                           unit=f"{county.name}第{i}单位", rows=rng.randint(1, 5))
        else:  # a sample or field workbook with its numbers changed
            suffix, entries = sources[n_zip % len(sources)]
            n_zip += 1
            path = county / f"{i:05d}_自评表{suffix}"
            _write_zip(path, entries, rng, county.name)
        written.append(path)
    (folder / MARKER).write_text(str(count))
    return written


def ensure(folder: Path, count: int) -> bool:
    """Generate the corpus in ``folder`` unless it holds one of ``count``
    files already; True when it was generated."""
    marker = folder / MARKER
    if marker.exists() and marker.read_text().strip() == str(count):
        return False
    if folder.exists():
        shutil.rmtree(folder)
    generate(folder, count)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?",
                        help="folder to write (replaced if it holds another corpus; default: a temporary one, "
                             "removed afterwards)")
    parser.add_argument("--files", type=int, default=2000, help="number of workbooks (default 2000)")
    args = parser.parse_args(argv)
    if os.environ.get("SELFEVAL_BENCH_QUICK") == "1":
        args.files = min(args.files, 40)
    sys.path.insert(0, str(ROOT))
    out = args.out or Path(tempfile.mkdtemp(prefix="selfeval-corpus-"))
    try:
        ensure(out, args.files)
        files = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
        xls = sum(1 for p in files if p.suffix == ".xls")
        print(f"{len(files)} workbooks in {out} ({xls} .xls)")
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
