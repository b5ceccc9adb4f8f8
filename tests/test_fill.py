"""``selfeval fill``: the corrected copy of the sample workbooks, cell by cell.

Every test works on copies in a temporary folder (sample_workbooks/ is never
written).  The expected values come from sample_workbooks/README.md; the
outputs are read back with openpyxl (values, cached values, formulas,
styles), with the project's own reader, compared zip member by zip member
with the input, and opened by LibreOffice.
"""

from __future__ import annotations

import copy
import csv
import os
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx.api import validate_file
from selfeval_xlsx.fill import backup_path, default_output, fill_path
from selfeval_xlsx.reader import read_workbook
from selfeval_xlsx.rules import title
from selfeval_xlsx.writer import MARK_BORDER_RGB, MARK_FILL_RGB

from conftest import ROOT, sample, without_dac_override
REPORT = "校验结果"
ARITHMETIC = {"S101", "S102", "S103", "F101", "F102", "T101", "C101"}

D = "附件3-1"
P2 = "项目2-耕地地力保护补贴"

# The cells fill must write (sample_workbooks/README.md, "Deliberate defects"), and
# the rule that asks for each.  Sample 01: the README's "computed 94.752" is written
# rounded to profile.rounding (2 decimals) — the project README documents T101 with
# "计算总分 94.75"; the difference is inside the 0.01 tolerance.
EXPECTED: dict[str, dict[tuple[str, str], tuple[object, str]]] = {
    "01": {(D, "H32"): (94.75, "T101")},
    "03": {},
    "04": {
        (D, "H7"): (0.95, "F101"),
        (D, "I7"): (9.5, "F102"),
        (D, "H15"): (4, "S103"),
        (D, "H18"): (5, "S102"),
        (D, "H21"): (5, "E101"),
        (D, "H29"): (88.5, "T101"),
        (D, "D30"): ("良好", "C101"),
    },
    "05": {},
    "06": {(P2, "H15"): (9.75, "S103"), (P2, "H24"): (99.75, "T101")},
    "09": {(D, "I7"): (9.7, "F102"), (D, "H24"): (99.3, "T101")},
    "10": {(D, "H23"): (99.9, "T101")},
}
# Key cells that must come through as they were (README "Key cells").
KEPT: dict[str, dict[tuple[str, str], object]] = {
    "01": {(D, "H7"): 0.9752, (D, "I7"): 9.752, (D, "D33"): "优秀", (D, "E7"): 777.68},
    "03": {("附件3-2", "E8"): 912, ("附件3-2", "F8"): 893.76},
    "04": {(D, "D7"): 1850, (D, "F9"): 1230, (D, "H20"): 4.5, (D, "H24"): 4.5, (D, "H26"): 6},
    "05": {("Sheet1", "J10"): "98.50%", ("Sheet1", "K10"): "9.85", ("Sheet1", "J20"): "4.8",
           ("Sheet1", "J33"): 99.65, ("Sheet1", "F34"): "优秀"},
    "06": {("部门整体支出", "H25"): 98.9, ("项目1-高标准农田建设", "H24"): 99.9, (P2, "D25"): "优秀"},
    "09": {(D, "H7"): 0.97, (D, "H21"): 9.6, (D, "D25"): "优秀"},
    "10": {(D, "I7"): 9.9, (D, "D24"): "优秀"},
}
PREFIXES = sorted(EXPECTED)
# What the project's reader computes on the output (rate, budget score, total, grade per form).
READER: dict[str, dict[str, tuple]] = {
    "01": {D: (0.9752, 9.752, 94.75, "优秀")},
    "03": {"附件3-2": (0.98, 9.8, 99.6, None)},
    "04": {D: (0.95, 9.5, 88.5, "良好")},
    "05": {"Sheet1": ("98.50%", "9.85", 99.65, "优秀")},
    "06": {"部门整体支出": (0.99, 9.9, 98.9, "优秀"), "项目1-高标准农田建设": (0.99, 9.9, 99.9, "优秀"),
           P2: (1, 10, 99.75, "优秀")},
    "09": {D: (0.97, 9.7, 99.3, "优秀")},
    "10": {D: (0.99, 9.9, 99.9, "优秀")},
}


def copy_sample(prefix: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    src = sample(prefix)
    dst = folder / src.name
    shutil.copyfile(src, dst)
    return dst


class Filled:
    def __init__(self, prefix: str, folder: Path):
        self.prefix = prefix
        self.src = copy_sample(prefix, folder / "in")
        self.original = sample(prefix).read_bytes()
        self.out = folder / "marked" / default_output(self.src).name
        self.plain = folder / "plain" / default_output(self.src).name
        self.out.parent.mkdir()
        self.plain.parent.mkdir()
        self.result = fill_path(self.src, self.out)
        self.result_plain = fill_path(self.src, self.plain, mark=False)
        assert self.result["status"] != "unreadable", self.result["error"]
        assert self.result_plain["status"] != "unreadable", self.result_plain["error"]

    def changed(self) -> set[tuple[str, str]]:
        return {(c["sheet"], c["cell"]) for c in self.result["changes"]}


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> dict[str, Filled]:
    base = tmp_path_factory.mktemp("fill")
    return {prefix: Filled(prefix, base / prefix) for prefix in PREFIXES}


def get(filled: dict[str, Filled], prefix: str) -> Filled:
    return filled[prefix]


HEADERS = ["序号", "单元格", "级别", "问题", "原值", "更正值/应为", "处理"]


def report_table(ws, headers: list[str] = HEADERS) -> list[dict[str, object]]:
    """The rows of the 审核意见单's table (under its header row), by column name;
    each also carries "_row" (the cells, for styles and links)."""
    rows = list(ws.iter_rows())
    start = next(i for i, r in enumerate(rows) if [c.value for c in r[:7]] == headers)
    out = []
    for r in rows[start + 1:]:
        if not isinstance(r[0].value, int):
            break
        item: dict[str, object] = dict(zip(headers, (c.value for c in r[:7])))
        item["_row"] = r
        out.append(item)
    return out


def close(a: object, b: object) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    return a == b


def grid(path: Path, data_only: bool) -> dict[str, dict[str, object]]:
    """Every non-empty cell of every sheet: {sheet: {ref: value}}."""
    wb = openpyxl.load_workbook(path, data_only=data_only, keep_vba=path.suffix == ".xlsm")
    try:
        return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
                for ws in wb.worksheets}
    finally:
        wb.close()


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → its worksheet part inside the package."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        from xml.etree import ElementTree as ET

        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for s in wb.find("m:sheets", ns):
        t = targets[s.get(rid)]
        out[s.get("name")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return out


# --------------------------------------------------------------------------
# the values written


@pytest.mark.parametrize("prefix", PREFIXES)
def test_changes_are_the_expected_cells(filled, prefix: str) -> None:
    f = get(filled, prefix)
    expected = EXPECTED[prefix]
    assert f.changed() == set(expected)
    for change in f.result["changes"]:
        value, code = expected[(change["sheet"], change["cell"])]
        assert close(change["new"], value), change
        assert change["code"] == code, change
    assert f.result_plain["changes"] == f.result["changes"]
    assert f.result["output"] == str(f.out)


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("mark", [True, False], ids=["marked", "no-mark"])
def test_written_values_openpyxl(filled, prefix: str, mark: bool) -> None:
    f = get(filled, prefix)
    out = f.out if mark else f.plain
    values = grid(out, data_only=True)
    formulas = grid(out, data_only=False)
    for (sheet, ref), (value, _code) in EXPECTED[prefix].items():
        assert close(values[sheet].get(ref), value), (sheet, ref, values[sheet].get(ref))
        before = grid(f.src, data_only=False)[sheet].get(ref)
        if isinstance(before, str) and before.startswith("="):
            assert formulas[sheet][ref] == before  # a formula stays a formula
        else:
            assert close(formulas[sheet].get(ref), value)
    for (sheet, ref), value in KEPT[prefix].items():
        assert close(values[sheet].get(ref), value), (sheet, ref, values[sheet].get(ref))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_written_values_own_reader(filled, prefix: str) -> None:
    f = get(filled, prefix)
    workbook = read_workbook(f.out)
    forms = {form.sheet: form for form in workbook.forms}
    assert set(forms) == set(READER[prefix])
    for sheet, (rate, score, total, conclusion) in READER[prefix].items():
        form = forms[sheet]
        funds = form.funds_row("total")
        assert close(funds.rate.value, rate), (sheet, funds.rate)
        assert close(funds.score.value, score), (sheet, funds.score)
        assert close(form.total.value, total), (sheet, form.total)
        if conclusion is None:
            assert form.conclusion is None
        else:
            assert form.conclusion.value == conclusion
    for (sheet, ref), (value, _code) in EXPECTED[prefix].items():
        cells = {c.ref: c for form in workbook.forms if form.sheet == sheet for c in _form_cells(form)}
        assert close(cells[ref].value, value), (sheet, ref, cells[ref])


def _form_cells(form):
    for row in form.indicators:
        yield from (c for c in (row.target, row.actual, row.weight, row.score, row.reason) if c is not None)
    for row in form.funds:
        yield from (c for c in (row.budget, row.executed, row.rate, row.score) if c is not None)
    yield from (c for c in (form.total, form.conclusion) if c is not None)


def test_sample_01_total_is_within_tolerance_of_readme(filled) -> None:
    """README: computed 94.752 (三级 85 + budget 9.752); fill writes it to 2 decimals."""
    f = get(filled, "01")
    (change,) = f.result["changes"]
    assert abs(Decimal(str(change["new"])) - Decimal("94.752")) <= Decimal("0.01")


# --------------------------------------------------------------------------
# nothing else changes


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("mark", [True, False], ids=["marked", "no-mark"])
@pytest.mark.parametrize("data_only", [True, False], ids=["values", "formulas"])
def test_every_other_cell_unchanged(filled, prefix: str, mark: bool, data_only: bool) -> None:
    f = get(filled, prefix)
    before = grid(f.src, data_only)
    after = grid(f.out if mark else f.plain, data_only)
    expected_sheets = list(before) + ([REPORT] if mark else [])
    assert list(after) == expected_sheets
    edited = set(EXPECTED[prefix])
    for sheet, cells in before.items():
        refs = set(cells) | set(after[sheet])
        for ref in sorted(refs):
            if (sheet, ref) in edited:
                continue
            assert close(after[sheet].get(ref), cells.get(ref)), (sheet, ref, cells.get(ref), after[sheet].get(ref))


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("mark", [True, False], ids=["marked", "no-mark"])
def test_zip_members_byte_identical_except_expected(filled, prefix: str, mark: bool) -> None:
    f = get(filled, prefix)
    out = f.out if mark else f.plain
    parts = sheet_parts(f.src)
    edited_parts = {parts[sheet] for sheet, _ in EXPECTED[prefix]}
    allowed = set(edited_parts) | {"xl/workbook.xml"}
    # the notes on the marked cells: the sheet's comments, its VML drawing and relationships
    notes = {f"xl/worksheets/_rels/{p.rsplit('/', 1)[1]}.rels" for p in edited_parts}
    with zipfile.ZipFile(f.src) as a:
        notes |= {n for n in a.namelist() if re.fullmatch(r"xl/comments\d+\.xml|xl/drawings/vmlDrawing\d+\.vml", n)}
    if mark:
        allowed |= {"xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "docProps/app.xml"}
        allowed |= notes
    with zipfile.ZipFile(f.src) as a, zipfile.ZipFile(out) as b:
        names_a, names_b = a.namelist(), b.namelist()
        assert names_b[: len(names_a)] == names_a  # same members, same order
        added = names_b[len(names_a):]
        diff = {n for n in names_a if a.read(n) != b.read(n)}
        assert diff <= allowed, diff - allowed
        assert edited_parts <= diff  # every sheet with a change was written
        if mark:
            assert added[-1:] == [sheet_parts(out)[REPORT]]
            for name in added[:-1]:
                assert re.fullmatch(r"xl/comments\d+\.xml|xl/drawings/vmlDrawing\d+\.vml|"
                                    r"xl/worksheets/_rels/sheet\d+\.xml\.rels", name), name
            assert bool(EXPECTED[prefix]) == bool((set(added[:-1]) | diff) & notes)
            assert "xl/styles.xml" in diff and "xl/workbook.xml" in diff
        else:
            assert added == []
            assert "xl/styles.xml" not in diff
        for n in names_a:
            ia, ib = a.getinfo(n), b.getinfo(n)
            if n not in diff:
                assert ib.CRC == ia.CRC and ib.file_size == ia.file_size
        assert b.testzip() is None
        if EXPECTED[prefix] or mark:
            assert re.search(rb'<calcPr\b[^>]*fullCalcOnLoad="(1|true)"', b.read("xl/workbook.xml"))
        if not EXPECTED[prefix] and not mark:
            assert diff == set()


@pytest.mark.parametrize("prefix", ["02", "03", "06"])
def test_formula_cells_keep_their_formula(tmp_path: Path, prefix: str) -> None:
    src = copy_sample(prefix, tmp_path)
    out = tmp_path / "out.xlsx"
    assert fill_path(src, out)["status"] != "unreadable"
    before, after = grid(src, False), grid(out, False)
    formulas = [(s, r, v) for s, cells in before.items() for r, v in cells.items()
                if isinstance(v, str) and v.startswith("=")]
    assert formulas
    for sheet, ref, formula in formulas:
        assert after[sheet][ref] == formula


def _rewrite_member(path: Path, member: str, edit) -> None:
    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == member:
                new = edit(data)
                assert new != data
                data = new
            z.writestr(info, data)
    os.replace(tmp, path)


def test_formula_cached_value_updated(tmp_path: Path) -> None:
    """Sample 02 with 附件3-1!H15 scored 6 of 5: the 总分 formula keeps its <f>,
    its cached value becomes the corrected 99.1, the workbook recalculates on load."""
    src = copy_sample("02", tmp_path)
    _rewrite_member(src, "xl/worksheets/sheet1.xml",
                    lambda d: re.sub(rb'(<c r="H15"[^>]*>)<v>5</v>', rb"\g<1><v>6</v>", d, count=1))
    out = tmp_path / "out.xlsx"
    result = fill_path(src, out)
    changes = {(c["cell"], c["code"]): c for c in result["changes"]}
    assert set(changes) == {("H15", "S102"), ("H29", "T101")}
    assert close(changes[("H29", "T101")]["old"], 100.1)
    assert close(changes[("H29", "T101")]["new"], 99.1)
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        workbook = z.read("xl/workbook.xml")
    cached = re.search(r'<c r="H29"[^>]*><f>SUM\(H14:H28\)\+I7</f><v>([^<]*)</v></c>', sheet)
    assert cached and float(cached.group(1)) == 99.1
    assert re.search(rb'fullCalcOnLoad="1"', workbook)
    values = grid(out, True)[D]
    assert values["H15"] == 5 and close(values["H29"], 99.1)
    assert grid(out, False)[D]["H29"] == "=SUM(H14:H28)+I7"
    again = fill_path(out, tmp_path / "again.xlsx")
    assert again["changes"] == []

def test_a_wrong_formula_is_reported_not_papered_over(tmp_path: Path) -> None:
    """A 总分 formula that misses a row: writing the right value would come
    back wrong on recalculation, so fill leaves the cell to a person (T102)
    and stays idempotent."""
    src = copy_sample("02", tmp_path)
    _rewrite_member(src, "xl/worksheets/sheet1.xml",
                    lambda d: d.replace(b"<f>SUM(H14:H28)+I7</f>", b"<f>SUM(H14:H27)+I7</f>", 1))
    out = tmp_path / "out.xlsx"
    first = fill_path(src, out)
    assert first["changes"] == []
    (form,) = first["forms"]
    assert [(f["code"], f["cell"]) for f in form["findings"]] == [("T102", "H29")]
    assert "SUM(H14:H27)+I7" in form["findings"][0]["message"]
    assert form["findings"][0]["expected"] == 99.1
    again = fill_path(out, tmp_path / "again.xlsx")
    assert again["changes"] == []
    assert [(f["code"], f["cell"]) for f in again["forms"][0]["findings"]] == [("T102", "H29")]


# --------------------------------------------------------------------------
# marking and the report sheet


@pytest.mark.parametrize("prefix", PREFIXES)
def test_report_sheet_lists_every_finding(filled, prefix: str) -> None:
    """The 审核意见单: one numbered row per finding, its cell a link, the problem
    with code and rule name, 已更正为 X for what fill wrote, 需单位修改 for the rest."""
    f = get(filled, prefix)
    forms = f.result["forms"]
    findings = [(form["sheet"], x) for form in forms for x in form["findings"]]
    changes = {(c["sheet"], c["cell"]): c for c in f.result["changes"]}
    wb = openpyxl.load_workbook(f.out, keep_vba=f.out.suffix == ".xlsm")
    ws = wb[REPORT]
    body = report_table(ws)
    assert len(body) == len(findings)
    several = len(forms) > 1
    for seq, (row, (sheet, x)) in enumerate(zip(body, findings), start=1):
        assert row["序号"] == seq
        assert row["级别"] in ("错误", "警告")
        problem = row["问题"]
        assert problem.startswith(f"{x['code']} {title(x['code'])}：")
        ref = x["cell"]
        if ref:
            # with several forms the cell says which: 表2 H15 (the lines above the table number the forms)
            label = f"表{[form['sheet'] for form in forms].index(sheet) + 1} "
            assert row["单元格"] == (f"{label}{ref}" if several else ref)
            link = row["_row"][1].hyperlink
            assert link is not None and link.location == f"'{sheet}'!{ref}"
        change = changes.get((sheet, ref))
        if change is not None:
            assert close(row["更正值/应为"], change["new"])
            assert close(row["原值"], change["old"])
            assert str(row["处理"]).startswith("已更正为 ")
            assert "请更正" not in problem and "correct it" not in problem
        else:
            assert row["处理"] == "需单位修改"
            assert x["message"] in problem
    # the title names the unit, the form and the year; the totals are stated
    heading = ws["A1"].value
    if len(forms) == 1:
        assert heading.endswith("审核意见单") and forms[0]["unit"] in heading and str(forms[0]["year"]) in heading
    text = "\n".join(str(c.value) for r in ws.iter_rows(max_row=8) for c in r if c.value)
    for form in forms:
        assert f"计算 {format(Decimal(str(form['total']['computed'])).normalize(), 'f')}" in text
        assert f"计算 {form['conclusion']['computed']}" in text
    footer = [c.value for r in ws.iter_rows(min_row=body[-1]["_row"][0].row + 1 if body else 1) for c in r if c.value]
    assert any(str(v).startswith("审核意见") for v in footer) and any("审核人" in str(v) and "日期" in str(v)
                                                                     for v in footer)
    wb.close()


def test_report_sheet_values_are_typed(filled) -> None:
    """Sample 04: a number stays a number, shown with its cell's number format
    (the rate as 96.50%, not 0.965); an S201 row has no 应为 (it wants a reason)."""
    f = get(filled, "04")
    ws = openpyxl.load_workbook(f.out)[REPORT]
    rows = {(r["问题"].split()[0], r["单元格"]): r for r in report_table(ws)}
    assert rows[("F103", "D7")]["原值"] == 1850 and rows[("F201", "F9")]["原值"] == 1230
    assert rows[("F103", "D7")]["更正值/应为"] == 1830 and rows[("F103", "D7")]["处理"] == "需单位修改"
    rate = rows[("F101", "H7")]
    assert close(rate["原值"], 0.965) and close(rate["更正值/应为"], 0.95)
    assert rate["_row"][4].number_format == "0.00%" and rate["_row"][5].number_format == "0.00%"
    assert rate["处理"] == "已更正为 95.00%"
    assert rows[("E101", "H21")]["原值"] is None and close(rows[("E101", "H21")]["更正值/应为"], 5)
    conclusion = rows[("C101", "D30")]
    assert (conclusion["原值"], conclusion["更正值/应为"], conclusion["处理"]) == ("优秀", "良好", "已更正为 良好")
    assert rows[("Q201", "E25")]["原值"] == "有效提升" and rows[("Q201", "E25")]["更正值/应为"] is None
    for key, row in rows.items():
        if key[0] == "S201":
            assert row["更正值/应为"] is None and row["处理"] == "需单位修改", key


def test_report_sheet_prints_on_a4_landscape_one_page_wide(filled) -> None:
    """Page setup read back from the sheet: A4 landscape, fit to one page wide
    (any number tall), the table's header row repeated, borders, 11-pt text."""
    f = get(filled, "04")
    wb = openpyxl.load_workbook(f.out)
    ws = wb[REPORT]
    body = report_table(ws)
    header_row = body[0]["_row"][0].row - 1
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    for row in body:
        for c in row["_row"][:7]:
            assert c.border.left.style == "thin" and c.border.bottom.style == "thin", c.coordinate
            assert c.font.sz >= 10, c.coordinate
    assert ws["A1"].font.sz >= 14 and ws["A1"].font.b
    with zipfile.ZipFile(f.out) as z:
        xml = z.read(sheet_parts(f.out)[REPORT]).decode()
    assert '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>' in xml
    wb.close()


@pytest.mark.parametrize("prefix", [p for p in PREFIXES if EXPECTED[p]])
def test_marked_cells_get_a_fill_and_keep_the_rest(filled, prefix: str) -> None:
    f = get(filled, prefix)
    vba = f.src.suffix == ".xlsm"
    a = openpyxl.load_workbook(f.src, keep_vba=vba)
    b = openpyxl.load_workbook(f.out, keep_vba=vba)
    c = openpyxl.load_workbook(f.plain, keep_vba=vba)
    for sheet, ref in EXPECTED[prefix]:
        old, new, plain = a[sheet][ref], b[sheet][ref], c[sheet][ref]
        assert copy.copy(new.fill) != copy.copy(old.fill)
        assert new.fill.fgColor.rgb == MARK_FILL_RGB
        # and a medium frame, which a black-and-white print keeps
        for side in (new.border.left, new.border.right, new.border.top, new.border.bottom):
            assert side.style == "medium" and side.color.rgb == MARK_BORDER_RGB, ref
        for attr in ("font", "border", "alignment", "protection"):
            if attr != "border":
                assert copy.copy(getattr(new, attr)) == copy.copy(getattr(old, attr)), (ref, attr)
            assert copy.copy(getattr(plain, attr)) == copy.copy(getattr(old, attr)), (ref, attr)
        assert new.number_format == old.number_format
    for wb in (a, b, c):
        wb.close()
    # in the XML: every cell keeps its s= index except the written ones (marked: a new
    # xf; --no-mark: the same xf), and the input's xfs come through as the first ones
    parts = sheet_parts(f.src)
    with zipfile.ZipFile(f.src) as za, zipfile.ZipFile(f.out) as zb, zipfile.ZipFile(f.plain) as zc:
        for sheet, part in parts.items():
            sa, sb, sc = (_cell_styles(z.read(part)) for z in (za, zb, zc))
            assert set(sb) == set(sa) | {ref for s, ref in EXPECTED[prefix] if s == sheet}
            for ref, style in sa.items():
                written = (sheet, ref) in EXPECTED[prefix]
                assert (sb[ref] != style) if written else (sb[ref] == style), (sheet, ref)
                assert sc[ref] == style, (sheet, ref)
        xfs_a, xfs_b = (_xfs(z.read("xl/styles.xml")) for z in (za, zb))
        assert xfs_b[: len(xfs_a)] == xfs_a and len(xfs_b) > len(xfs_a)


def _cell_styles(xml: bytes) -> dict[str, str]:
    return {m.group(1).decode(): (m.group(2) or b"0").decode()
            for m in re.finditer(rb'<c r="([A-Z]+\d+)"(?:[^>]*?\bs="(\d+)")?[^>]*?/?>', xml)}


def _xfs(styles: bytes) -> list[bytes]:
    block = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    return re.findall(rb"<xf\b[^>]*/>|<xf\b.*?</xf>", block, re.S)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_no_mark_leaves_styles_and_adds_no_sheet(filled, prefix: str) -> None:
    f = get(filled, prefix)
    with zipfile.ZipFile(f.src) as a, zipfile.ZipFile(f.plain) as b:
        assert b.read("xl/styles.xml") == a.read("xl/styles.xml")
        assert b.namelist() == a.namelist()
        assert b.read("[Content_Types].xml") == a.read("[Content_Types].xml")
    assert list(sheet_parts(f.plain)) == list(sheet_parts(f.src))


# --------------------------------------------------------------------------
# what 09 and 10 carry besides the form


def _block(xml: bytes, tag: bytes) -> list[bytes]:
    return re.findall(rb"<" + tag + rb"\b.*?</" + tag + rb">", xml, re.S)


@pytest.mark.parametrize("mark", [True, False], ids=["marked", "no-mark"])
def test_seal_chart_comment_validation_survive(filled, mark: bool) -> None:
    f = get(filled, "09")
    out = f.out if mark else f.plain
    with zipfile.ZipFile(f.src) as a, zipfile.ZipFile(out) as b:
        for name in a.namelist():
            if name.startswith(("xl/media/", "xl/charts/", "xl/drawings/", "xl/comments",
                                "xl/worksheets/_rels/", "xl/theme/", "xl/sharedStrings", "docProps/core")) \
                    or name == "xl/worksheets/sheet2.xml":
                if mark and name in ("xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"):
                    continue  # the notes merge into them: checked below
                assert b.read(name) == a.read(name), name
        if mark:
            # the user's comment on I7 stays byte for byte (no note on a commented cell)
            ca, cb = a.read("xl/comments1.xml"), b.read("xl/comments1.xml")
            for comment in re.findall(rb"<comment .*?</comment>", ca, re.S):
                assert comment in cb
            assert cb.count(b"<comment ") == ca.count(b"<comment ") + 1  # H24's note
            va, vb = a.read("xl/drawings/vmlDrawing1.vml"), b.read("xl/drawings/vmlDrawing1.vml")
            assert vb.startswith(va[: va.rindex(b"</xml>")]) and vb.count(b"<v:shape ") == 2
        assert any(n.startswith("xl/media/") and n.endswith(".png") for n in b.namelist())
        sa, sb = a.read("xl/worksheets/sheet1.xml"), b.read("xl/worksheets/sheet1.xml")
        for tag in (b"dataValidations", b"conditionalFormatting", b"extLst", b"pageSetup", b"mergeCells",
                    b"cols", b"sheetViews"):
            assert _block(sa, tag) == _block(sb, tag), tag
        for tag in (b"drawing", b"legacyDrawing", b"printOptions", b"pageMargins"):
            assert re.findall(rb"<" + tag + rb"\b[^>]*/>", sa) == re.findall(rb"<" + tag + rb"\b[^>]*/>", sb)
        assert _block(sa, b"dataValidations")
        wa, wb_ = a.read("xl/workbook.xml"), b.read("xl/workbook.xml")
        names = re.findall(rb"<definedName\b[^>]*>[^<]*</definedName>", wa)
        assert len(names) == 3  # print area, 自评总分, 预算执行率
        for n in names:
            assert n in wb_
    wb = openpyxl.load_workbook(out)
    ws = wb[D]
    original = openpyxl.load_workbook(f.src)[D]["I7"].comment
    assert ws["I7"].comment is not None and ws["I7"].comment.author == original.author
    assert ws["I7"].comment.text == original.text
    if mark:
        assert ws["H24"].comment.text == "原值 99.8；按各三级指标得分 + 预算执行得分 更正为 99.3"
        assert ws["H24"].comment.author == "自动校验"
    else:
        assert ws["H24"].comment is None
    assert [dv.formula1 for dv in ws.data_validations.dataValidation] == ['"优秀,良好,中,差"']
    assert set(wb.defined_names) >= {"自评总分", "预算执行率"}
    assert wb[D].print_area
    wb.close()


@pytest.mark.parametrize("mark", [True, False], ids=["marked", "no-mark"])
def test_macro_workbook_keeps_vba(filled, mark: bool) -> None:
    f = get(filled, "10")
    out = f.out if mark else f.plain
    assert out.suffix == ".xlsm"
    with zipfile.ZipFile(f.src) as a, zipfile.ZipFile(out) as b:
        assert b.read("xl/vbaProject.bin") == a.read("xl/vbaProject.bin")
        ct = b.read("[Content_Types].xml")
        assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in ct
        assert b"vbaProject" in ct
        assert b.read("xl/_rels/workbook.xml.rels").count(b'Target="vbaProject.bin"') == 1
        wb_a, wb_b = a.read("xl/workbook.xml"), b.read("xl/workbook.xml")
        assert re.search(rb'codeName="ThisWorkbook"', wb_b) or not re.search(rb'codeName="ThisWorkbook"', wb_a)
        assert re.findall(rb"codeName=\"[^\"]*\"", a.read("xl/worksheets/sheet1.xml")) == \
            re.findall(rb"codeName=\"[^\"]*\"", b.read("xl/worksheets/sheet1.xml"))


# --------------------------------------------------------------------------
# LibreOffice opens every output


@pytest.fixture(scope="module")
def libreoffice_csv(filled, soffice, tmp_path_factory) -> dict[Path, dict[str, list[list[str]]]]:
    base = tmp_path_factory.mktemp("lo")
    outputs = [p for f in filled.values() for p in (f.out, f.plain)]
    result: dict[Path, dict[str, list[list[str]]]] = {}
    for i, path in enumerate(outputs):
        # each output under its own folder name, so the sheet CSVs do not collide
        outdir = base / f"csv{i}"
        profile = base / f"profile-{uuid.uuid4().hex}"
        proc = subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
             "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
             "--outdir", str(outdir), str(path)],
            capture_output=True, text=True, timeout=240)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        sheets = {}
        for csv_file in outdir.glob("*.csv"):
            sheet = csv_file.stem[len(path.stem) + 1:]
            sheets[sheet] = list(csv.reader(csv_file.read_text(encoding="utf-8").splitlines()))
        assert sheets, proc.stdout + proc.stderr
        result[path] = sheets
    return result


def _cell(rows: list[list[str]], ref: str) -> str:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    row = int(m.group(2))
    if row > len(rows) or col > len(rows[row - 1]):
        return ""
    return rows[row - 1][col - 1]


def _csv_matches(text: str, value: object) -> bool:
    if isinstance(value, str):
        return text == value
    t = text.replace(",", "").strip()
    if t.endswith("%"):
        return abs(float(t[:-1]) / 100 - float(value)) < 1e-6
    return t != "" and abs(float(t) - float(value)) < 1e-6


@pytest.mark.libreoffice
@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("mark", [True, False], ids=["marked", "no-mark"])
def test_libreoffice_opens_output_and_shows_new_values(filled, libreoffice_csv, prefix: str, mark: bool) -> None:
    f = get(filled, prefix)
    sheets = libreoffice_csv[f.out if mark else f.plain]
    before = grid(f.src, True)
    assert set(sheets) == set(before) | ({REPORT} if mark else set())
    for (sheet, ref), (value, _code) in EXPECTED[prefix].items():
        assert _csv_matches(_cell(sheets[sheet], ref), value), (sheet, ref, _cell(sheets[sheet], ref))
    for (sheet, ref), value in KEPT[prefix].items():
        if isinstance(value, str):
            assert _cell(sheets[sheet], ref) == value
    if mark:
        rows = sheets[REPORT]
        start = next(i for i, r in enumerate(rows) if r[:2] == ["序号", "单元格"])
        codes = [r[3].split()[0] for r in rows[start + 1:] if r and r[0].isdigit()]
        assert codes == [x["code"] for form in f.result["forms"] for x in form["findings"]]


# --------------------------------------------------------------------------
# idempotence


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("mark", [True, False], ids=["marked", "no-mark"])
def test_fill_twice_changes_nothing(filled, tmp_path: Path, prefix: str, mark: bool) -> None:
    f = get(filled, prefix)
    first = f.out if mark else f.plain
    second_out = tmp_path / ("second" + first.suffix)
    second = fill_path(first, second_out, mark=mark)
    assert second["status"] != "unreadable", second["error"]
    assert second["changes"] == []
    again, once = grid(second_out, True), grid(first, True)
    again.pop(REPORT, None)
    once.pop(REPORT, None)
    assert again == once
    # validate: no arithmetic finding, and no E101 on a cell fill wrote
    validated = validate_file(first)
    written = {(s, r) for s, r in EXPECTED[prefix]}
    for form in validated["forms"]:
        for x in form["findings"]:
            assert x["code"] not in ARITHMETIC, (form["sheet"], x)
            if x["code"] == "E101":
                assert (form["sheet"], x["cell"]) not in written, x
    # the findings that need a person are still there, and still listed
    before = {(form["sheet"], x["code"], x["cell"]) for form in f.result["forms"] for x in form["findings"]
              if x["code"] not in ARITHMETIC and not (x["code"] == "E101" and (form["sheet"], x["cell"]) in written)}
    after = {(form["sheet"], x["code"], x["cell"]) for form in validated["forms"] for x in form["findings"]}
    assert before <= after
    if mark:
        # a second marked run replaces the report sheet (now listing what is left), it does not add another
        assert list(grid(second_out, False)) == list(grid(first, False))
        rows = report_table(openpyxl.load_workbook(second_out)[REPORT])
        several = len(second["forms"]) > 1
        sheets = [form["sheet"] for form in second["forms"]]
        assert [(r["问题"].split()[0], r["单元格"]) for r in rows] == [
            (x["code"], (f"表{sheets.index(form['sheet']) + 1} {x['cell']}" if several else x["cell"]) if x["cell"]
             else (f"表{sheets.index(form['sheet']) + 1}" if several else None))
            for form in second["forms"] for x in form["findings"]]
        assert all(r["处理"] == "需单位修改" for r in rows)  # nothing was written the second time
        # and the second run's report is the first one's without what was corrected
        first_rows = report_table(openpyxl.load_workbook(first)[REPORT])
        assert [r["问题"] for r in first_rows if r["处理"] == "需单位修改"] == [r["问题"] for r in rows]


# --------------------------------------------------------------------------
# where the output goes


def test_default_output_never_touches_input(tmp_path: Path) -> None:
    src = copy_sample("04", tmp_path)
    past = 1_600_000_000
    os.utime(src, (past, past))
    data = src.read_bytes()
    result = fill_path(src)
    assert Path(result["output"]) == tmp_path / (src.stem + ".checked.xlsx")
    assert src.read_bytes() == data and src.read_bytes() == sample("04").read_bytes()
    assert src.stat().st_mtime == past
    assert not backup_path(src).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([src.name, src.stem + ".checked.xlsx"])


def test_default_output_xlsm(tmp_path: Path) -> None:
    src = copy_sample("10", tmp_path)
    result = fill_path(src)
    assert Path(result["output"]).name == src.stem + ".checked.xlsm"


def test_in_place_keeps_backup(tmp_path: Path) -> None:
    src = copy_sample("04", tmp_path)
    original = src.read_bytes()
    result = fill_path(src, in_place=True)
    assert Path(result["output"]) == src
    bak = tmp_path / (src.stem + ".bak.xlsx")
    assert bak.read_bytes() == original
    values = grid(src, True)[D]
    assert close(values["H7"], 0.95) and close(values["H29"], 88.5) and values["D30"] == "良好"
    assert REPORT in openpyxl.load_workbook(src).sheetnames
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([src.name, bak.name])


def test_in_place_on_xlsm_keeps_xlsm_backup(tmp_path: Path) -> None:
    src = copy_sample("10", tmp_path)
    original = src.read_bytes()
    fill_path(src, in_place=True, mark=False)
    assert (tmp_path / (src.stem + ".bak.xlsm")).read_bytes() == original
    with zipfile.ZipFile(src) as z:
        assert z.read("xl/vbaProject.bin") == zipfile.ZipFile(sample("10")).read("xl/vbaProject.bin")


def test_output_to_existing_folder(tmp_path: Path) -> None:
    src = copy_sample("04", tmp_path / "in")
    folder = tmp_path / "out"
    folder.mkdir()
    result = fill_path(src, folder)
    assert Path(result["output"]) == folder / (src.stem + ".checked.xlsx")
    assert close(grid(folder / (src.stem + ".checked.xlsx"), True)[D]["I7"], 9.5)
    assert src.read_bytes() == sample("04").read_bytes()


def run_cli(*args: str, cwd: Path | None = None, prefix: list[str] = ()) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               NO_COLOR="1", PYTHONIOENCODING="utf-8")
    return subprocess.run([*prefix, sys.executable, "-m", "selfeval_xlsx", "fill", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, env=env, timeout=120)


def _one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_output_equal_to_input_is_refused(tmp_path: Path) -> None:
    src = copy_sample("04", tmp_path)
    (tmp_path / "link.xlsx").symlink_to(src.name)  # another name for the very file
    for target in (str(src), f"./{src.name}", "link.xlsx"):
        proc = run_cli(src.name, "-o", target, cwd=tmp_path)
        assert "--in-place" in _one_line_error(proc)
    assert src.read_bytes() == sample("04").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["link.xlsx", src.name])


def test_unwritable_output_folder(tmp_path: Path) -> None:
    src = copy_sample("04", tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    for target in (blocker / "out.xlsx", tmp_path / "missing" / "out.xlsx"):
        line = _one_line_error(run_cli(str(src), "-o", str(target)))
        assert str(target.parent) in line
    assert src.read_bytes() == sample("04").read_bytes()
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no temp file left


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_read_only_output_folder(tmp_path: Path) -> None:
    src = copy_sample("04", tmp_path)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:  # as root, without CAP_DAC_OVERRIDE: root would write into the folder otherwise
        _one_line_error(run_cli(str(src), "-o", str(ro / "out.xlsx"), prefix=without_dac_override()))
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize("content", [b"", b"not a workbook at all\n", b"PK\x03\x04" + b"\0" * 60])
def test_corrupt_input(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(content)
    line = _one_line_error(run_cli(str(bad)))
    assert "坏文件.xlsx" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == [bad.name]
    result = fill_path(bad)
    assert result["status"] == "unreadable" and result["output"] is None and result["changes"] == []


def test_truncated_input(tmp_path: Path) -> None:
    data = sample("04").read_bytes()
    bad = tmp_path / "截断.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    _one_line_error(run_cli(str(bad)))
    assert sorted(p.name for p in tmp_path.iterdir()) == [bad.name]


def test_missing_input(tmp_path: Path) -> None:
    _one_line_error(run_cli(str(tmp_path / "没有.xlsx")))


def test_xlsm_to_xlsx_output_is_refused(tmp_path: Path) -> None:
    """A macro-enabled package saved under .xlsx (or the reverse) is a file Excel will not open."""
    src = copy_sample("10", tmp_path)
    _one_line_error(run_cli(str(src), "-o", str(tmp_path / "out.xlsx")))
    src4 = copy_sample("04", tmp_path)
    _one_line_error(run_cli(str(src4), "-o", str(tmp_path / "out.xlsm")))
    assert not (tmp_path / "out.xlsx").exists() and not (tmp_path / "out.xlsm").exists()


def test_output_named_xls_is_written_as_xlsx(tmp_path: Path) -> None:
    """The output is never BIFF: -o x.xls writes x.xlsx — and never the input itself."""
    src = copy_sample("04", tmp_path)
    result = fill_path(src, tmp_path / "out.xls")
    assert result["output"] == str(tmp_path / "out.xlsx") and (tmp_path / "out.xlsx").is_file()
    assert not (tmp_path / "out.xls").exists()
    line = _one_line_error(run_cli(str(src), "-o", str(src.with_suffix(".xls"))))
    assert "--in-place" in line
    assert src.read_bytes() == sample("04").read_bytes()


def test_xls_input_becomes_checked_xlsx(tmp_path: Path) -> None:
    src = copy_sample("08", tmp_path)
    original = src.read_bytes()
    result = fill_path(src)
    assert result["status"] != "unreadable", result["error"]
    out = Path(result["output"])
    assert out == tmp_path / (src.stem + ".checked.xlsx")
    assert src.read_bytes() == original
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
    values = grid(out, True)
    assert list(values)[:1] == [D] and REPORT in values
    cells = values[D]
    assert cells["D5"] == "某县民政局"
    assert close(cells["E7"], 1680) and close(cells["F7"], 1612.8)
    assert close(cells["H24"], 98.5) and cells["D25"] == "优秀"
    assert close(cells["H22"], 9)
    assert result["changes"] == []
    codes = [(x["code"], x["cell"]) for form in result["forms"] for x in form["findings"]]
    assert codes == [("S201", "I22")]
    report = report_table(openpyxl.load_workbook(out)[REPORT])
    assert [(r["单元格"], r["级别"], r["问题"].split()[0], r["处理"]) for r in report] == [
        ("I22", "警告", "S201", "需单位修改")]
    named = fill_path(src, tmp_path / "named.xls", mark=False)
    assert named["output"] == str(tmp_path / "named.xlsx") and not (tmp_path / "named.xls").exists()
    # in place is refused for .xls
    assert fill_path(src, in_place=True)["status"] == "unreadable"
    assert src.read_bytes() == original
    assert fill_path(out, tmp_path / "again.xlsx")["changes"] == []


def test_xls_the_converter_refuses_is_one_line_and_no_output(tmp_path: Path) -> None:
    """An .xls that reads but cannot be converted without loss (here: a sheet
    with conditional formatting) is one line asking for an .xlsx, exit 2."""
    from selfeval_xlsx import biff

    src = copy_sample("08", tmp_path)
    mem = bytearray(src.read_bytes())
    doc = biff.Compound(bytes(mem))
    stream, base, size = doc.locate("Workbook")
    assert stream is not None and len(stream) == len(mem)  # the stream lies in the file as it is
    bofs = 0
    for rtype, body, _ in biff.records(stream, base, size):
        bofs += rtype == biff.BOF
        if bofs == 2 and rtype == 0x002A:  # the first sheet's PRINTHEADERS becomes a CONDFMT
            mem[body - 4:body - 2] = b"\xb0\x01"
            break
    else:
        raise AssertionError("no PRINTHEADERS record in the first sheet")
    src.write_bytes(bytes(mem))
    assert validate_file(src)["status"] != "unreadable"  # the reader takes it ...
    line = _one_line_error(run_cli(str(src)))  # ... the converter does not
    assert "条件格式" in line and ".xlsx" in line
    assert not (tmp_path / (src.stem + ".checked.xlsx")).exists()


# --------------------------------------------------------------------------
# the command line


SAMPLE_04_LINES = [
    "附件3-1!H7: 96.5% → 95%",
    "附件3-1!I7: 9.65 → 9.5",
    "附件3-1!H15: 5 → 4",
    "附件3-1!H18: 6 → 5",
    "附件3-1!H21: （空） → 5",
    "附件3-1!H29: 92.35 → 88.5",
    "附件3-1!D30: 优秀 → 良好",
]


def test_cli_prints_old_to_new(tmp_path: Path) -> None:
    src = copy_sample("04", tmp_path)
    proc = run_cli(src.name, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # errors were found
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    change_lines = [line for line in lines if "→" in line]
    assert change_lines == [f"{src.name}:{text}" for text in SAMPLE_04_LINES]
    assert lines[-1] == f"已写入：{src.stem}.checked.xlsx"
    assert (tmp_path / f"{src.stem}.checked.xlsx").exists()
    # the findings are printed too, one per line, with their codes
    for code in ("F103", "F201", "S201", "S202", "Q201", "Q202", "Q203", "Q204"):
        assert any(f" {code} " in line for line in lines), code


def test_cli_english(tmp_path: Path) -> None:
    src = copy_sample("04", tmp_path)
    out = tmp_path / "out.xlsx"
    proc = run_cli(str(src), "-o", str(out), "--lang", "en")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    english = [text.replace("（空）", "(empty)") for text in SAMPLE_04_LINES]
    assert [line for line in lines if "→" in line] == [f"{src}:{text}" for text in english]
    assert lines[-1] == f"written: {out}"
    assert not any("已写入" in line for line in lines)
    assert any("T101" in line and "total" in line.lower() for line in lines)
    headers = ["No.", "Cell", "Severity", "Problem", "Value", "Corrected / expected", "Action"]
    report = report_table(openpyxl.load_workbook(out)[REPORT], headers)
    assert {r["Severity"] for r in report} == {"error", "warning"}
    t101 = [r for r in report if r["Problem"].startswith("T101 ")]
    assert len(t101) == 1 and "total" in t101[0]["Problem"].lower()
    assert not re.search(r"[\u4e00-\u9fff]", t101[0]["Problem"] + t101[0]["Action"])
    assert t101[0]["Action"] == "corrected to 88.5"
    assert {r["Action"] for r in report} == {"corrected to 88.5", "corrected to 95.00%", "corrected to 9.5",
                                             "corrected to 4", "corrected to 5", "corrected to 良好",
                                             "to be corrected by the unit"}


def test_cli_no_changes(tmp_path: Path) -> None:
    src = copy_sample("02", tmp_path)
    proc = run_cli(str(src), "--no-mark")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "没有需要改动的单元格" in lines
    assert lines[-1] == f"已写入：{tmp_path / (src.stem + '.checked.xlsx')}"
    out = tmp_path / (src.stem + ".checked.xlsx")
    with zipfile.ZipFile(out) as zb, zipfile.ZipFile(src) as za:
        assert zb.namelist() == za.namelist()
        assert all(zb.read(n) == za.read(n) for n in za.namelist())


def test_cli_in_place(tmp_path: Path) -> None:
    src = copy_sample("09", tmp_path)
    proc = run_cli(str(src), "--in-place", "--no-mark")
    assert proc.returncode == 0, proc.stderr  # both errors were corrected: none left in the file
    assert "副本中已没有错误" in proc.stdout.splitlines()
    assert proc.stdout.splitlines()[-1] == f"已写入：{src}"
    assert (tmp_path / (src.stem + ".bak.xlsx")).read_bytes() == sample("09").read_bytes()
    assert close(grid(src, True)[D]["I7"], 9.7)


def test_form_on_a_sheet_named_like_the_report(tmp_path: Path) -> None:
    """Issue 12 item 6: a user's sheet called 校验结果 — here the form itself — is
    checked and filled like any other and never replaced: the report takes the
    next free name, and a second fill replaces only its own report."""
    src = tmp_path / "named.xlsx"
    with zipfile.ZipFile(sample("04")) as a, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            data = a.read(info)
            if info.filename in ("xl/workbook.xml", "docProps/app.xml"):
                data = data.replace(D.encode(), REPORT.encode())
            b.writestr(info, data)
    assert openpyxl.load_workbook(src).sheetnames == [REPORT]
    out = tmp_path / "out.xlsx"
    result = fill_path(src, out)
    assert [form["sheet"] for form in result["forms"]] == [REPORT]
    assert {(c["sheet"], c["cell"]) for c in result["changes"]} == {(REPORT, ref) for _s, ref in EXPECTED["04"]}
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [REPORT, f"{REPORT}(2)"]
    form = grid(out, True)[REPORT]
    assert close(form["H29"], 88.5) and form["D30"] == "良好" and form["D5"] == "某县卫生健康局"
    rows = report_table(wb[f"{REPORT}(2)"])
    assert len(rows) == len(result["forms"][0]["findings"])
    assert rows[0]["_row"][1].hyperlink.location == f"'{REPORT}'!{result['forms'][0]['findings'][0]['cell']}"
    # again: the form stays, the tool's own report is replaced, no third sheet
    again = tmp_path / "again.xlsx"
    second = fill_path(out, again)
    assert second["changes"] == [] and [form["sheet"] for form in second["forms"]] == [REPORT]
    assert openpyxl.load_workbook(again).sheetnames == [REPORT, f"{REPORT}(2)"]
    assert grid(again, True)[REPORT] == form


def test_report_of_an_earlier_version_is_replaced(tmp_path: Path) -> None:
    """A copy filled by a version before the 审核意见单 (its 校验结果 sheet starts
    代码 | 级别 …) gets the new sheet in its place, not beside it."""
    src = tmp_path / "old.xlsx"
    wb = openpyxl.load_workbook(sample("04"))
    old = wb.create_sheet(REPORT)
    old.append(["代码", "级别", "工作表", "单元格", "说明", "原值", "新值"])
    old.append(["F101", "错误", D, "H7", "执行率", 0.965, 0.95])
    wb.save(src)
    out = tmp_path / "out.xlsx"
    fill_path(src, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [D, REPORT] and wb[REPORT]["A1"].value.endswith("审核意见单")


@pytest.mark.libreoffice
@pytest.mark.usefixtures("soffice", "pdftotext")
def test_report_sheet_prints_at_ten_points(filled, tmp_path: Path) -> None:
    """Sample 04's 审核意见单 printed through LibreOffice: one page wide, its text
    at 10 pt or more (a word's box in the PDF is 1.3 times the font size)."""
    f = get(filled, "04")
    only = tmp_path / "report.xlsx"
    wb = openpyxl.load_workbook(f.out)
    del wb[D]  # print the report alone (openpyxl keeps its page setup)
    wb.save(only)
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(only)], capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "report.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stdout + proc.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+", info)  # A4 landscape
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', boxes)
    assert "审核人：" in "".join(w[4] for w in words) and "已更正为" in "".join(w[4] for w in words)
    assert min(float(w[3]) - float(w[1]) for w in words) >= 13.0
    assert max(float(w[2]) for w in words) <= 842  # nothing cut off at the right
