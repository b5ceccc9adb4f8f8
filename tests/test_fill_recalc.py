"""Corrections that last: what fill writes still holds after the workbook
recalculates (Excel and WPS recalculate on open; fill asks them to).

fill writes a formula cell's cached value only.  When the formula itself
gives something else — a budget score formula without the 10-point cap on an
over-spent budget, an indicator formula without its cap, a 总分 over such a
cell — the written value would vanish on the next recalculation and a second
fill would make the same change again.  Each workbook here is built in the
test, filled, then recalculated by LibreOffice (every formula, not only the
dirty ones) and checked again: no arithmetic finding, and a second fill
changes nothing.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import samples
from recalc import recalculate
from test_reader import save, seed_grid

from selfeval_xlsx.api import validate_file
from selfeval_xlsx.fill import default_output, fill_path

ARITHMETIC = {"S101", "S102", "S103", "F101", "F102", "T101", "C101", "E101"}
needs_soffice = pytest.mark.usefixtures("soffice")  # fails, naming what to install, without it


def _overspent(g) -> None:
    g.cells[(7, 6)] = 900  # executed 900 of a 777.68 budget: rate 115.7 %, score capped at 10
    g.cells[(7, 8)] = "=F7/E7"
    g.cells[(7, 9)] = "=H7*10"  # no cap: 11.57
    g.cells[(32, 8)] = "=SUM(H14:H31)+I7"


def _indicator_formula(g) -> None:
    g.cells[(18, 5)] = 5  # target 5, actual 6, weight 3: B/A×分值 = 3.6 without the cap
    g.cells[(18, 6)] = 6
    g.cells[(18, 8)] = "=F18/E18*G18"
    g.cells[(32, 8)] = "=SUM(H14:H31)+I7"


def _date_cell(g) -> None:
    g.cells[(7, 9)] = 9.5  # a wrong budget score typed into a cell formatted as a date
    g.cells[(32, 8)] = "=SUM(H14:H31)+I7"


def _wrong_total_over_overspent(g) -> None:
    _overspent(g)
    g.cells[(32, 8)] = "=SUM(H14:H30)+I7"  # misses row 31


def _unknown_source(g) -> None:
    g.cells[(7, 9)] = "=数据!A1"  # a budget score taken from another sheet (12)
    g.cells[(32, 8)] = "=SUM(H14:H31)+I7"


def _helper_column(g) -> None:
    g.cells[(18, 10)] = 3  # a helper column beside the table, which the form model does not read
    g.cells[(18, 8)] = "=J18"
    g.cells[(32, 8)] = "=SUM(H14:H31)+I7"
    g.cells[(7, 9)] = 9.5  # wrong: the budget score is corrected


# name -> (mutation, number formats, what fill must write: ref -> (value, formula or None),
#          findings that stay for a person after recalculation)
CASES = {
    "overspent": (_overspent, {}, {"I7": (10, "=MIN(H7*10,G7)"), "H32": (95, None)}, set()),
    "indicator": (_indicator_formula, {}, {"H18": (3, "=MIN(F18/E18*G18,G18)"), "H32": (94.75, None)}, set()),
    "date-cell": (_date_cell, {"I7": "yyyy-mm-dd"}, {"I7": (9.75, None), "H32": (94.75, None)}, set()),
    "wrong-total": (_wrong_total_over_overspent, {}, {"I7": (10, "=MIN(H7*10,G7)")}, {("T102", "H32")}),
    "other-sheet": (_unknown_source, {}, {}, {("F102", "I7"), ("T101", "H32")}),
    # the 总分 formula cannot be followed through the helper column: not written (it recalculates right anyway)
    "helper-column": (_helper_column, {}, {"I7": (9.75, None)}, set()),
}


def build(folder: Path, name: str) -> Path:
    mutate, formats, _, _ = CASES[name]
    g = seed_grid()
    mutate(g)
    path = save(folder, g, name=f"{name}.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for ref, fmt in formats.items():
        ws[ref].number_format = fmt
    if name == "other-sheet":
        wb.create_sheet("数据")["A1"] = 12
    wb.save(path)
    return path


def _findings(result: dict) -> set[tuple[str, str]]:
    return {(f["code"], f["cell"]) for form in result["forms"] for f in form["findings"]
            if f["code"] in ARITHMETIC or f["code"] == "T102"}


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> dict[str, tuple[Path, Path, dict]]:
    folder = tmp_path_factory.mktemp("lasting")
    out = {}
    for name in CASES:
        src = build(folder, name)
        dst = default_output(src)
        result = fill_path(src, dst)
        assert result["status"] != "unreadable", result["error"]
        out[name] = (src, dst, result)
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_fill_writes_only_what_lasts(filled, name: str) -> None:
    src, dst, result = filled[name]
    want = CASES[name][2]
    changes = {c["cell"]: c for c in result["changes"]}
    assert set(changes) == set(want)
    formulas = openpyxl.load_workbook(dst).worksheets[0]
    values = openpyxl.load_workbook(dst, data_only=True).worksheets[0]
    for ref, (value, formula) in want.items():
        assert float(changes[ref]["new"]) == pytest.approx(value)
        assert changes[ref]["formula"] == formula
        assert values[ref].value == pytest.approx(value)  # the cached value
        if formula is not None:
            assert formulas[ref].value == formula  # the user's references, capped
        assert not formulas[ref].is_date, (ref, formulas[ref].number_format)
    # a cell fill does not write keeps its formula and its old value
    before = openpyxl.load_workbook(src).worksheets[0]
    for ref in ("I7", "H32", "H18"):
        if ref not in want:
            assert formulas[ref].value == before[ref].value


def test_rewritten_formula_is_named_in_the_report_sheet(filled) -> None:
    _, dst, _ = filled["overspent"]
    wb = openpyxl.load_workbook(dst)
    rows = list(wb["校验结果"].iter_rows(values_only=True))
    (row,) = [r for r in rows if len(r) > 5 and r[1] == "I7"]
    assert "公式已改为 =MIN(H7*10,G7)" in row[3]
    assert row[5] == 10
    assert "公式已改为 =MIN(H7*10,G7)" in wb.worksheets[0]["I7"].comment.text  # and in the cell's note


def test_date_cell_gets_a_number_format_derived_from_its_style(filled) -> None:
    src, dst, _ = filled["date-cell"]
    before = openpyxl.load_workbook(src).worksheets[0]["I7"]
    after = openpyxl.load_workbook(dst).worksheets[0]["I7"]
    assert before.is_date and not after.is_date
    assert after.number_format == "General"
    for part in ("font", "alignment", "protection"):  # only the format changed (and the mark: fill, frame)
        assert repr(getattr(after, part)) == repr(getattr(before, part)), part
    # and the project's own reader now reads a number, so a second fill has nothing to do
    assert fill_path(dst, dst.with_name("again.xlsx"))["changes"] == []


def _fill_shared(tmp_path: Path) -> tuple[Path, dict]:
    """Rows 18 and 19 share one formula (=F18/E18*G18, filled down), both over their cap."""
    g = seed_grid()
    for r in (18, 19):
        g.cells[(r, 5)], g.cells[(r, 6)], g.cells[(r, 8)] = 5, 25, f"=F{r}/E{r}*G{r}"
    src = save(tmp_path, g)
    with zipfile.ZipFile(src) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    shared = tmp_path / "shared.xlsx"
    with zipfile.ZipFile(shared, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>F18/E18*G18</f>", b'<f t="shared" ref="H18:H19" si="0">F18/E18*G18</f>')
                data = re.sub(rb"<f>F19/E19\*G19</f>", b'<f t="shared" si="0"/>', data)
                assert data.count(b'si="0"') == 2
            z.writestr(info, data)
    out = tmp_path / "out.xlsx"
    result = fill_path(shared, out)
    assert result["status"] != "unreadable", result["error"]
    return out, result


def test_shared_formula_master_is_not_rewritten(tmp_path: Path) -> None:
    """Other cells depend on the text of a shared formula's first cell: fill
    leaves it (T102) instead of rewriting it, and the dependants stay intact."""
    out, result = _fill_shared(tmp_path)
    changes = {c["cell"]: c for c in result["changes"]}
    assert "H18" not in changes and changes["H19"]["formula"] == "=MIN(F19/E19*G19,G19)"
    assert ("T102", "H18") in _findings(result)
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws["H18"].value == "=F18/E18*G18"
    assert ws["H19"].value == "=MIN(F19/E19*G19,G19)"


@pytest.mark.libreoffice
@needs_soffice
def test_shared_formula_case_survives_recalculation(tmp_path: Path) -> None:
    out, _ = _fill_shared(tmp_path)
    copy = recalculate([out], tmp_path / "lo")[out]
    values = openpyxl.load_workbook(copy, data_only=True).worksheets[0]
    assert values["H19"].value == pytest.approx(5) and values["H18"].value == pytest.approx(15)
    # only H18 is left for a person (LibreOffice saves it unshared, so a later fill may rewrite it)
    assert {x[1] for x in _findings(validate_file(copy))} == {"H18"}


@pytest.fixture(scope="module")
def recalculated(filled, soffice, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("recalc")
    copies = recalculate([filled[name][1] for name in CASES], folder)
    return {name: copies[filled[name][1]] for name in CASES}


@pytest.mark.libreoffice
@needs_soffice
@pytest.mark.parametrize("name", list(CASES))
def test_corrections_survive_recalculation(filled, recalculated, name: str) -> None:
    _, dst, result = filled[name]
    copy = recalculated[name]
    want, left = CASES[name][2], CASES[name][3]
    values = openpyxl.load_workbook(copy, data_only=True).worksheets[0]
    for ref, (value, _formula) in want.items():
        assert values[ref].value == pytest.approx(value, abs=0.01), ref  # what LibreOffice computed
    again = validate_file(copy)
    assert _findings(again) == left
    second = fill_path(copy, copy.with_name("second.xlsx"))
    assert second["changes"] == []


@pytest.mark.slow
@pytest.mark.libreoffice
@needs_soffice
def test_every_sample_fill_output_survives_recalculation(tmp_path: Path) -> None:
    """Every sample workbook, filled (marked and not), recalculated by
    LibreOffice: validates without arithmetic findings (T102 stays where a
    formula needs a person), and a second fill of the recalculated copy
    changes nothing."""
    outputs: list[tuple[Path, dict]] = []
    for mark in (True, False):
        folder = tmp_path / ("marked" if mark else "plain")
        folder.mkdir()
        for src in samples():
            dst = folder / default_output(src).name
            result = fill_path(src, dst, mark=mark)
            assert result["status"] != "unreadable", (src.name, result["error"])
            outputs.append((dst, result))
    copies = recalculate([dst for dst, _ in outputs], tmp_path / "lo")
    for dst, result in outputs:
        copy = copies[dst]
        again = validate_file(copy)
        assert again["status"] != "unreadable", (dst, again["error"])
        left = {x for x in _findings(again) if x[0] not in ("T102", "E101")}
        assert not left, (dst.name, left)
        written = {c["cell"] for c in result["changes"]}
        empty_before = {x for x in _findings(result) if x[0] == "E101" and x[1] not in written}
        assert {x for x in _findings(again) if x[0] == "E101"} <= empty_before, dst.name
        assert {x for x in _findings(again) if x[0] == "T102"} == {x for x in _findings(result) if x[0] == "T102"}
        second = fill_path(copy, copy.with_name(copy.stem + ".second.xlsx"))
        assert second["changes"] == [], (dst.name, second["changes"])
