"""The converted .xlsx carries what the openpyxl-built conversion carried.

Until the converter wrote the package itself it built an openpyxl Workbook
and saved it; ``tests/xls_reference/*.old.xlsx`` are that converter's copies
of the .xls files beside them (made by ``make_inputs.py`` there: a styled
form, a workbook with every kind of cell, style and sheet setting xlwt can
write, a 1904 workbook, and one LibreOffice saved with comments, links,
validations, names, print area and titles) and of the sample and field .xls
files.  Each is read back with openpyxl and compared with today's copy
(``tests/xls_compare.py``: values, types, styles, merges, dimensions, view,
page setup, names ...).  The only differences are the ones listed in
``INTENDED``, where the old copy was wrong.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import FIELD, ROOT, SAMPLES
from xls_compare import differences
from selfeval_xlsx.xls import xlsx_bytes

REFERENCE = Path(__file__).parent / "xls_reference"
SOURCES = sorted(REFERENCE.glob("*.xls")) + sorted(SAMPLES.glob("*.xls")) + sorted(FIELD.glob("*.xls"))

INTENDED = {
    "kinds": [
        # a text cell reading "#N/A" stays text (openpyxl turned any text
        # that looks like an error code into an error value)
        "/per_sheet/各种/cells/(14, 1)/type: 'e' != 's'",
        "/per_sheet/各种/cells/(14, 2)/type: 'e' != 's'",
        # the outline level of the grouped column C is written (openpyxl
        # dropped it: it computed the level after writing the sheet format)
        "/per_sheet/各种/format/outlineLevelCol: None != 1",
    ],
}


def test_every_reference_is_there():
    assert len(SOURCES) == 9
    for src in SOURCES:
        assert (REFERENCE / f"{src.stem}.old.xlsx").exists(), src.name


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_carries_what_the_openpyxl_conversion_carried(src: Path, tmp_path: Path):
    new = tmp_path / "new.xlsx"
    new.write_bytes(xlsx_bytes(src))
    assert differences(REFERENCE / f"{src.stem}.old.xlsx", new, limit=100) == INTENDED.get(src.stem, [])


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_package_is_complete_and_deterministic(src: Path):
    """Every part has a content type, every relationship a target, and the
    same .xls gives the same bytes."""
    data = xlsx_bytes(src)
    assert xlsx_bytes(src) == data
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    types = zf.read("[Content_Types].xml").decode()
    for name in names:
        if name.endswith((".rels", "[Content_Types].xml")):
            continue
        assert f'PartName="/{name}"' in types or name.endswith(".vml"), name
    for name in names:
        if not name.endswith(".rels"):
            continue
        base = name.replace("_rels/", "").removesuffix(".rels")
        folder = base.rsplit("/", 1)[0] if "/" in base else ""
        for target, mode in _targets(zf.read(name).decode()):
            if mode == "External":
                continue
            part = target[1:] if target.startswith("/") else (f"{folder}/{target}" if folder else target)
            assert part in names, (name, target)
    styles = zf.read("xl/styles.xml").decode()
    for collection in ("fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles"):
        assert f"<{collection} count=" in styles
    assert {i.date_time for i in zf.infolist()} == {zf.infolist()[0].date_time}


def _targets(rels: str) -> list[tuple[str, str]]:
    import re

    out = []
    for tag in re.findall(r"<Relationship [^>]*>", rels):
        target = re.search(r'Target="([^"]*)"', tag).group(1)
        mode = re.search(r'TargetMode="([^"]*)"', tag)
        out.append((target, mode.group(1) if mode else ""))
    return out


def test_conversion_does_not_import_openpyxl():
    """A batch worker converting .xls files never loads openpyxl (memory)."""
    src = next(SAMPLES.glob("*.xls"))
    code = ("import sys; from pathlib import Path; from selfeval_xlsx.xls import xlsx_bytes; "
            f"xlsx_bytes(Path({str(src)!r})); print('openpyxl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "False"
