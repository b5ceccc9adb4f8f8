"""Fuzz: a few hundred seeded mutations of the sample workbooks.

For every case (``mutations.Mutator``: cell addresses out of bounds, numbers
no cell can hold, 40,000- and 200,000-character texts, 32,000 digits in a
label, formulas nested 5,000 deep, unknown XML encodings, dimension and row
numbers out of bounds, swapped cells, a truncated zip, flipped bits; and
byte-level damage to the .xls sample):

- ``validate`` (in-process) returns ok / errors / unreadable — exit 0, 1 or 2
  — with a one-line message when unreadable, and takes bounded time;
- a handful of the cases go through the real CLI: exit 0/1/2, no traceback,
  no panic or abort of the native reader;
- ``fill`` of each readable case writes a workbook openpyxl opens (when it
  opened the input), in which
  every zip member fill had no reason to touch is byte-identical.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from mutations import Mutator
from selfeval_xlsx.ooxml.package import Package, Workbook
from selfeval_xlsx.api import fill_file, validate_file

from conftest import ROOT, samples

SAMPLES = samples(".xlsx", ".xlsm")
XLS = samples(".xls")[0]
PER_SAMPLE = 28
XLS_CASES = 40
CLI_CASES = 8
EXIT = {"ok": 0, "errors": 1, "unreadable": 2}
# what fill may rewrite besides the sheets it edits (the report sheet, its styles, the calc flag)
MAY_CHANGE = {"xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels",
              "docProps/app.xml"}


def _cases(tmp_path: Path) -> list[tuple[str, Path]]:
    out = []
    for k, sample in enumerate(SAMPLES):
        mutator = Mutator(sample, seed=1000 + k)
        for i in range(PER_SAMPLE):
            kind, data = mutator.case()
            path = tmp_path / f"{sample.stem[:2]}_{i:02d}_{kind}{sample.suffix}"
            path.write_bytes(data)
            out.append((kind, path))
    rng = random.Random(7)
    original = XLS.read_bytes()
    for i in range(XLS_CASES):
        data = bytearray(original)
        if i % 3 == 0:
            data = data[: rng.randrange(512, len(data))]
        else:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(512, len(data))] = rng.randrange(256)
        path = tmp_path / f"xls_{i:02d}.xls"
        path.write_bytes(bytes(data))
        out.append(("xls_bytes", path))
    return out


def _opens(path: Path) -> bool:
    try:
        openpyxl.load_workbook(path)
        return True
    except Exception:  # noqa: BLE001 - whatever openpyxl makes of a damaged file
        return False


def _untouched_members(src: Path, out: Path, changes: list[dict]) -> None:
    with zipfile.ZipFile(src) as a:
        names = a.namelist()
        by_sheet = {s.name: s.part for s in Workbook(Package(a, src.read_bytes())).sheets}
        edited = {by_sheet.get(change["sheet"]) for change in changes} - {None}
        # the notes on marked cells: the edited sheets' relationships, comments and VML drawings
        edited |= {f"xl/worksheets/_rels/{p.rsplit('/', 1)[1]}.rels" for p in edited}
        edited |= {n for n in names if re.fullmatch(r"xl/comments\d+\.xml|xl/drawings/vmlDrawing\d+\.vml", n)}
        with zipfile.ZipFile(out) as b:
            assert b.namelist()[: len(names)] == names
            for name in names:
                if name in edited or name in MAY_CHANGE:
                    continue
                assert a.read(name) == b.read(name), f"{out.name}: {name} changed"


@pytest.mark.slow
def test_fuzz_validate_and_fill(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    cases = _cases(tmp_path / "in")
    assert len(cases) >= 250
    kinds: dict[str, int] = {}
    readable = 0
    for kind, path in cases:
        kinds[kind] = kinds.get(kind, 0) + 1
        start = time.perf_counter()
        result = validate_file(path)
        took = time.perf_counter() - start
        assert took < 10, (path.name, took)  # a hang guard: the slowest case takes well under a second
        assert result["status"] in EXIT, path.name
        if result["status"] == "unreadable":
            error = result["error"]
            assert error and "\n" not in error and "Traceback" not in error, (path.name, error)
            continue
        readable += 1
        if path.suffix == ".xls":
            continue  # fill converts .xls to a new .xlsx: no member to compare
        out = tmp_path / "out" / path.name
        out.parent.mkdir(exist_ok=True)
        start = time.perf_counter()
        filled = fill_file(path, out)
        assert time.perf_counter() - start < 20, path.name
        assert filled["status"] in EXIT, path.name
        if filled["status"] == "unreadable":
            assert "\n" not in filled["error"], (path.name, filled["error"])
            continue
        if _opens(path):  # fill never makes a workbook openpyxl could read unreadable
            assert _opens(out), path.name
        _untouched_members(path, out, filled["changes"])
    assert readable > len(cases) // 3  # most mutations leave a form to check
    assert {"address", "number", "long_text", "deep_formula", "encoding", "truncate", "bitflip"} <= set(kinds)


@pytest.mark.slow
def test_fuzz_through_the_cli(tmp_path: Path) -> None:
    """A few cases through the real process: what the native reader does to
    a file shows here (an abort is exit 134 and a Rust backtrace)."""
    (tmp_path / "in").mkdir()
    cases = _cases(tmp_path / "in")
    picked = random.Random(3).sample(cases, CLI_CASES)
    # and the two addresses that used to abort the process
    for ref in (b"XFD1048576", b"ZZZZZ99999999"):
        mutator = Mutator(SAMPLES[0], seed=0)
        sheet = mutator._member(mutator.sheet)
        data = mutator._zip({mutator.sheet: sheet.replace(b'r="H32"', b'r="' + ref + b'"')})
        path = tmp_path / f"abort_{ref.decode()}.xlsx"
        path.write_bytes(data)
        picked.append(("address", path))
    run = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "validate", *[str(p) for _, p in picked]],
                         capture_output=True, cwd=ROOT, timeout=600)
    err = run.stderr.decode("utf-8", "replace")
    assert run.returncode in (0, 1, 2), err[-2000:]
    assert "Traceback" not in err and "panicked" not in err and "memory allocation" not in err
    for _, path in picked:  # every file got its lines (none was lost to a crash)
        assert path.name in run.stdout.decode() + err, path.name
