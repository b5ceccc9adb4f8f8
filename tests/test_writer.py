"""selfeval_xlsx.writer: patch cells inside the package, losing nothing.

Real files throughout: rich sources built with xlsxwriter (image, chart,
formatted comment, data validation, x14 data bar, defined names, print
settings, formulas with cached values) and openpyxl (shared strings, formulas
without cached values); results read back with openpyxl, compared member by
member, and opened by LibreOffice.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlsxwriter

from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.writer import MARK_BORDER_RGB, MARK_FILL_RGB, Edit, Report, ReportRow, patch_workbook

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
FORM = "部门自评"
DATA = "O'Brien数据"


# --------------------------------------------------------------------------
# building sources


def red_seal_png(size: int = 48) -> bytes:
    """A red ring on a transparent background, pure zlib/struct."""
    rows = []
    c = (size - 1) / 2
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            d = ((x - c) ** 2 + (y - c) ** 2) ** 0.5
            on = c - 5 <= d <= c or d <= c / 4
            row += bytes((220, 20, 30, 255)) if on else bytes((0, 0, 0, 0))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def build_rich(path: Path, *, vba: bytes | None = None) -> None:
    wb = xlsxwriter.Workbook(str(path))
    if vba is not None:
        vba_path = path.with_name("vbaProject.bin")
        vba_path.write_bytes(vba)
        wb.add_vba_project(str(vba_path))
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7", "align": "center"})
    text = wb.add_format({"border": 1, "text_wrap": True, "font_name": "宋体"})
    num = wb.add_format({"border": 1, "num_format": "0.00", "font_color": "#1F4E78"})
    ws = wb.add_worksheet(FORM)
    ws.merge_range("A1:H1", "部门整体支出绩效自评表", title)
    ws.write_row("A3", ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "未完成原因分析"], head)
    ws.merge_range("A5:A8", "产出指标", text)
    rows = [
        ("数量指标", "调研次数", "≥5次", "≥5次", 10, 10),
        ("质量指标", "合格率", "100%", "98%", 10, 9.8),
        ("时效指标", "完成时间", "12月底", "按期", 10, None),
        ("成本指标", "成本", "≤90万元", "90", 10, None),
    ]
    for i, (b, c, d, e, f, g) in enumerate(rows, start=5):
        ws.write(f"B{i}", b, text)
        ws.write(f"C{i}", c, text)
        ws.write(f"D{i}", d, text)
        ws.write(f"E{i}", e, text)
        ws.write_number(f"F{i}", f, num)
        if g is None:
            ws.write_blank(f"G{i}", None, num)
        else:
            ws.write_number(f"G{i}", g, num)
        ws.write_blank(f"H{i}", None, text)
    ws.write("A14", "总分", head)
    ws.write_formula("F14", "=SUM(F5:F8)", num, 40)
    ws.write_formula("G14", "=SUM(G5:G8)", num, 19.8)
    ws.write("A16", "自评结论", text)
    ws.write("B16", "良", text)
    ws.write("A20", "左", text)
    ws.write("C20", "右", text)
    ws.write_comment("G14", "总分 = 各项得分之和", {"author": "财政局", "font_name": "Arial", "font_size": 12,
                                                   "color": "#FFFF99", "visible": True})
    ws.data_validation("B16", {"validate": "list", "source": ["优", "良", "中", "差"]})
    ws.conditional_format("G5:G8", {"type": "data_bar", "data_bar_2010": True})
    ws.conditional_format("F5:F8", {"type": "cell", "criteria": ">", "value": 9, "format": head})
    ws.insert_image("F16", "seal.png", {"image_data": io.BytesIO(red_seal_png()), "x_offset": 7, "y_offset": 3})
    ws.set_column("A:A", 12)
    ws.set_column("C:C", 20)
    ws.set_landscape()
    ws.set_paper(9)
    ws.print_area("A1:H20")
    ws.repeat_rows(2)
    ws.fit_to_pages(1, 0)
    wb.define_name("总分", f"='{FORM}'!$G$14")

    ws2 = wb.add_worksheet(DATA)
    ws2.write_column("A1", ["产出", "效益", "满意度", "预算"])
    ws2.write_column("B1", [50, 30, 10, 10])
    ws2.write_formula("B6", "=SUM(B1:B4)", None, 100)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": f"='{DATA}'!$A$1:$A$4", "values": f"='{DATA}'!$B$1:$B$4", "name": "权重"})
    ws2.insert_chart("D2", chart)
    wb.close()


RICH_EDITS = [
    Edit(FORM, "G7", Decimal("9.75")),  # number into a styled empty cell
    Edit(FORM, "G8", Decimal("10")),  # same original xf as G7
    Edit(FORM, "E5", Decimal("25")),  # number into a text cell
    Edit(FORM, "F6", "十分"),  # text into a numeric cell
    Edit(FORM, "G14", Decimal("39.55")),  # formula cell: cached value only
    Edit(FORM, "F14", "合计"),  # formula cell with a text result
    Edit(FORM, "B16", "优"),  # text over shared-string text
    Edit(FORM, "B18", 1),  # row 18 does not exist
    Edit(FORM, "J20", "tail <&> 'x'"),  # beyond the last cell of row 20
    Edit(FORM, "B20", Decimal("0.9752"), number_format="0.00%"),  # between A20 and C20
    Edit(FORM, "A40", "end"),  # after the last row
    Edit(DATA, "B2", 42),  # the chart's data, on a sheet named with ' and Chinese
]

RICH_REPORT = [
    ReportRow("S01", "error", FORM, "G14", "总分不等于各项得分之和", Decimal("19.8"), Decimal("39.55")),
    ReportRow("B02", "warning", FORM, "B20", "执行率", None, Decimal("0.9752")),
    ReportRow("X03", "error", DATA, "B2", "权重\n第二行", 30, 42),
]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def cell_el(xml: bytes, ref: str) -> ET.Element | None:
    root = ET.fromstring(xml)
    for c in root.iter(f"{MAIN}c"):
        if c.get("r") == ref:
            return c
    return None


@pytest.fixture()
def rich(tmp_path: Path) -> Path:
    src = tmp_path / "rich.xlsx"
    build_rich(src)
    return src


@pytest.fixture()
def patched(rich: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "out.xlsx"
    patch_workbook(rich, dst, RICH_EDITS, report=RICH_REPORT)
    return dst


# --------------------------------------------------------------------------
# values


def test_values_read_back(patched: Path) -> None:
    wb = openpyxl.load_workbook(patched, data_only=True)
    ws = wb[FORM]
    assert ws["G7"].value == 9.75
    assert ws["G8"].value == 10
    assert ws["E5"].value == 25
    assert ws["F6"].value == "十分"
    assert ws["G14"].value == 39.55
    assert ws["F14"].value == "合计"
    assert ws["B16"].value == "优"
    assert ws["B18"].value == 1
    assert ws["J20"].value == "tail <&> 'x'"
    assert ws["B20"].value == 0.9752
    assert ws["B20"].number_format == "0.00%"
    assert ws["A20"].value == "左" and ws["C20"].value == "右"
    assert ws["A40"].value == "end"
    assert wb[DATA]["B2"].value == 42
    # untouched cells
    assert ws["C5"].value == "调研次数"
    assert ws["G5"].value == 10
    assert wb[DATA]["B6"].value == 100

    wbf = openpyxl.load_workbook(patched)
    assert wbf[FORM]["G14"].value == "=SUM(G5:G8)"
    assert wbf[FORM]["F14"].value == "=SUM(F5:F8)"
    assert wbf[DATA]["B6"].value == "=SUM(B1:B4)"


def test_formula_cells_keep_formula_and_get_cached_value(patched: Path) -> None:
    xml = members(patched)["xl/worksheets/sheet1.xml"]
    g14 = cell_el(xml, "G14")
    assert g14.find(f"{MAIN}f").text == "SUM(G5:G8)"
    assert g14.find(f"{MAIN}v").text == "39.55"
    assert g14.get("t") is None
    f14 = cell_el(xml, "F14")
    assert f14.find(f"{MAIN}f").text == "SUM(F5:F8)"
    assert f14.get("t") == "str" and f14.find(f"{MAIN}v").text == "合计"
    wb_xml = members(patched)["xl/workbook.xml"].decode()
    assert re.search(r'<calcPr[^>]*fullCalcOnLoad="1"', wb_xml)
    assert 'calcId="' in wb_xml  # the other attributes stay


def rewrite_member(src: Path, dst: Path, name: str, fn) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, fn(data) if info.filename == name else data)


@pytest.mark.parametrize("calc, old, new", [
    ('<calcPr calcId="191029" iterate="1"/>', '<calcPr calcId="191029" iterate="1"/>',
     '<calcPr calcId="191029" iterate="1" fullCalcOnLoad="1"/>'),
    ('<calcPr calcId="191029" fullCalcOnLoad="0"/>', '<calcPr calcId="191029" fullCalcOnLoad="0"/>',
     '<calcPr calcId="191029" fullCalcOnLoad="1"/>'),
    ("", "</definedNames></workbook>", '</definedNames><calcPr fullCalcOnLoad="1"/></workbook>'),
])
def test_full_calc_on_load(rich: Path, tmp_path: Path, calc: str, old: str, new: str) -> None:
    """calcPr gets fullCalcOnLoad="1", other attributes and bytes stay."""
    src = tmp_path / "calc.xlsx"
    rewrite_member(rich, src, "xl/workbook.xml", lambda d: re.sub(rb"<calcPr[^>]*/>", calc.encode(), d))
    dst = tmp_path / "calc_out.xlsx"
    patch_workbook(src, dst, [Edit(FORM, "G7", 1)], mark=False)
    before = members(src)["xl/workbook.xml"].decode()
    assert old in before
    assert members(dst)["xl/workbook.xml"].decode() == before.replace(old, new)


def test_text_is_inline_and_shared_strings_untouched(rich: Path, patched: Path) -> None:
    before, after = members(rich), members(patched)
    assert before["xl/sharedStrings.xml"] == after["xl/sharedStrings.xml"]
    b16 = cell_el(after["xl/worksheets/sheet1.xml"], "B16")
    assert b16.get("t") == "inlineStr"
    assert b16.find(f"{MAIN}is/{MAIN}t").text == "优"


def test_cells_and_rows_stay_sorted(patched: Path) -> None:
    root = ET.fromstring(members(patched)["xl/worksheets/sheet1.xml"])
    rows = [int(r.get("r")) for r in root.iter(f"{MAIN}row")]
    assert rows == sorted(rows) and len(rows) == len(set(rows))
    assert 18 in rows and rows[-1] == 40
    for r in root.iter(f"{MAIN}row"):
        cols = [openpyxl.utils.cell.coordinate_from_string(c.get("r"))[0] for c in r.iter(f"{MAIN}c")]
        idx = [openpyxl.utils.column_index_from_string(c) for c in cols]
        assert idx == sorted(idx) and len(idx) == len(set(idx)), r.get("r")
    row20 = [c.get("r") for r in root.iter(f"{MAIN}row") if r.get("r") == "20" for c in r]
    assert row20 == ["A20", "B20", "C20", "J20"]
    dim = root.find(f"{MAIN}dimension").get("ref")
    assert dim == "A1:J40"
    spans = next(r.get("spans") for r in root.iter(f"{MAIN}row") if r.get("r") == "20")
    assert spans in (None, "1:10")


def test_decimal_plain_notation_exact(rich: Path, tmp_path: Path) -> None:
    dst = tmp_path / "d.xlsx"
    values = {"A30": Decimal("1E-7"), "B30": Decimal("123456789012345678.123456789"), "C30": Decimal("1E+3"),
              "D30": Decimal("-0.00"), "E30": 0.1 + 0.2, "F30": 1e-20, "G30": -12}
    patch_workbook(rich, dst, [Edit(FORM, k, v) for k, v in values.items()], mark=False)
    xml = members(dst)["xl/worksheets/sheet1.xml"]
    got = {k: cell_el(xml, k).find(f"{MAIN}v").text for k in values}
    assert got == {"A30": "0.0000001", "B30": "123456789012345678.123456789", "C30": "1000", "D30": "0.00",
                   "E30": "0.30000000000000004", "F30": "0.00000000000000000001", "G30": "-12"}
    assert float(got["E30"]) == 0.1 + 0.2


def test_text_escaping(rich: Path, tmp_path: Path) -> None:
    dst = tmp_path / "t.xlsx"
    texts = {"A31": "  leading and trailing  ", "B31": "a\nb\tc", "C31": "_x0041_ literal", "D31": "bell\x07",
             "E31": "]]> & <tag/> \"q\""}
    patch_workbook(rich, dst, [Edit(FORM, k, v) for k, v in texts.items()], mark=False)
    ws = openpyxl.load_workbook(dst)[FORM]
    assert ws["A31"].value == texts["A31"]
    assert ws["B31"].value == texts["B31"]
    assert ws["E31"].value == texts["E31"]
    xml = members(dst)["xl/worksheets/sheet1.xml"].decode()
    assert "_x005F_x0041_ literal" in xml  # ST_Xstring escape of a literal _x0041_
    assert "bell_x0007_" in xml


def test_clear_value(rich: Path, tmp_path: Path) -> None:
    dst = tmp_path / "c.xlsx"
    patch_workbook(rich, dst, [Edit(FORM, "G5", None), Edit(FORM, "G14", None), Edit(FORM, "C5", None)], mark=False)
    ws = openpyxl.load_workbook(dst)[FORM]
    assert ws["G5"].value is None and ws["C5"].value is None
    assert ws["G14"].value == "=SUM(G5:G8)"  # the formula stays
    g14 = cell_el(members(dst)["xl/worksheets/sheet1.xml"], "G14")
    assert g14.find(f"{MAIN}v") is None


# --------------------------------------------------------------------------
# nothing else changes


def test_other_members_byte_identical(rich: Path, patched: Path) -> None:
    before, after = members(rich), members(patched)
    changed = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/workbook.xml", "xl/styles.xml",
               "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "docProps/app.xml"}
    assert set(after) == set(before) | {"xl/worksheets/sheet3.xml"}
    for name, data in before.items():
        if name in changed:
            assert after[name] != data, name
        else:
            assert after[name] == data, name
    # zip metadata: order, compression, timestamps
    with zipfile.ZipFile(rich) as zb, zipfile.ZipFile(patched) as za:
        ib, ia = zb.infolist(), za.infolist()
        assert [i.filename for i in ia[: len(ib)]] == [i.filename for i in ib]
        for x, y in zip(ib, ia):
            assert (x.compress_type, x.date_time) == (y.compress_type, y.date_time), x.filename


def test_sheet_xml_outside_sheet_data_untouched(rich: Path, patched: Path) -> None:
    before = members(rich)["xl/worksheets/sheet1.xml"].decode()
    after = members(patched)["xl/worksheets/sheet1.xml"].decode()
    tail_b = before[before.index("</sheetData>"):]
    tail_a = after[after.index("</sheetData>"):]
    assert tail_a == tail_b  # mergeCells, dataValidations, conditionalFormatting, extLst, drawing, ...
    assert "x14:dataBar" in tail_a and "<dataValidations" in tail_a and "<legacyDrawing" in tail_a
    head_b = before[: before.index("<dimension")]
    assert after.startswith(head_b)
    assert after[after.index("<sheetViews"): after.index("<sheetData")] == \
        before[before.index("<sheetViews"): before.index("<sheetData")]
    # untouched rows are byte-identical
    for r in (3, 5, 6, 7, 16):
        pat = re.compile(rf'<row r="{r}"[^>]*>.*?</row>', re.S)
        if r in (5, 6, 7, 16):
            continue
        assert pat.search(before).group(0) == pat.search(after).group(0)
    row3 = re.search(r'<row r="3".*?</row>', before, re.S).group(0)
    assert row3 in after


def test_unmarked_keeps_styles(rich: Path, tmp_path: Path) -> None:
    dst = tmp_path / "plain.xlsx"
    edits = [e for e in RICH_EDITS if e.number_format is None]
    patch_workbook(rich, dst, edits, mark=False, report=RICH_REPORT)
    before, after = members(rich), members(dst)
    assert after.keys() == before.keys()  # no report sheet without mark
    # xlsxwriter already writes fullCalcOnLoad="1", so workbook.xml stays too
    changed = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"}
    for name in before:
        assert (after[name] == before[name]) == (name not in changed), name
    for e in edits:
        part = "xl/worksheets/sheet1.xml" if e.sheet == FORM else "xl/worksheets/sheet2.xml"
        old = cell_el(before[part], e.ref)
        new = cell_el(after[part], e.ref)
        assert new.get("s") == (old.get("s") if old is not None else None), e.ref


def test_marked_cells_get_derived_xf(rich: Path, patched: Path) -> None:
    src = openpyxl.load_workbook(rich)[FORM]
    out = openpyxl.load_workbook(patched)[FORM]
    for ref in ("G7", "E5", "F6", "G14", "B16", "B20"):
        a, b = src[ref], out[ref]
        # (cell.font etc. are proxies that do not compare with ==; repr shows the target)
        assert repr(a.font) == repr(b.font), ref
        # a medium frame besides the fill: the mark survives a black-and-white print
        for side in (b.border.left, b.border.right, b.border.top, b.border.bottom):
            assert side.style == "medium" and side.color.rgb == MARK_BORDER_RGB, ref
        assert repr(a.alignment) == repr(b.alignment), ref
        if ref != "B20":
            assert a.number_format == b.number_format, ref
        assert b.fill.fgColor.rgb == MARK_FILL_RGB and repr(a.fill) != repr(b.fill), ref
    # cells that shared an xf share the derived one; untouched cells keep theirs
    xml_b, xml_a = members(rich)["xl/worksheets/sheet1.xml"], members(patched)["xl/worksheets/sheet1.xml"]
    assert cell_el(xml_b, "G7").get("s") == cell_el(xml_b, "G8").get("s")
    assert cell_el(xml_a, "G7").get("s") == cell_el(xml_a, "G8").get("s") != cell_el(xml_b, "G7").get("s")
    assert cell_el(xml_a, "G5").get("s") == cell_el(xml_b, "G5").get("s")
    # counts match the lists
    styles = ET.fromstring(members(patched)["xl/styles.xml"])
    for tag in ("fonts", "fills", "borders", "cellXfs", "numFmts"):
        el = styles.find(f"{MAIN}{tag}")
        if el is not None:
            assert int(el.get("count")) == len(el), tag
    fills_b = ET.fromstring(members(rich)["xl/styles.xml"]).find(f"{MAIN}fills")
    # one shared mark fill, and the grey of the report's header row
    assert len(styles.find(f"{MAIN}fills")) == len(fills_b) + 2


HEADERS = ["序号", "单元格", "级别", "问题", "原值", "更正值/应为", "处理"]


def table(ws) -> tuple[int, list[list[object]]]:
    """The report's header row number and the table rows under it."""
    rows = [[c.value for c in r] for r in ws.iter_rows(max_col=7)]
    start = rows.index(HEADERS)
    body = []
    for r in rows[start + 1:]:
        if not isinstance(r[0], int):
            break
        body.append(r)
    return start + 1, body


def test_report_sheet(patched: Path) -> None:
    wb = openpyxl.load_workbook(patched)
    assert wb.sheetnames == [FORM, DATA, "校验结果"]
    ws = wb["校验结果"]
    assert ws["A1"].value == "审核意见单" and ws["A1"].font.b
    header, rows = table(ws)
    # the rows are on two sheets: the 单元格 column names the sheet
    assert rows[0] == [1, f"{FORM}!G14", "error", "总分不等于各项得分之和", 19.8, 39.55, None]
    assert rows[1][:5] == [2, f"{FORM}!B20", "warning", "执行率", None] and rows[1][5] == 0.9752
    assert rows[2] == [3, f"{DATA}!B2", "error", "权重\n第二行", 30, 42, None]
    assert ws[f"B{header + 1}"].hyperlink.location == f"'{FORM}'!G14"
    assert ws[f"B{header + 3}"].hyperlink.location == "'O''Brien数据'!B2"
    # 原值 in the number format of the cell it came from; the written rate in its new one
    assert ws[f"F{header + 2}"].number_format == "0.00%"
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.auto_filter.ref == f"A{header}:G{header + 3}"
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["D"].width > ws.column_dimensions["B"].width
    assert ws[f"A{header}"].font.b and ws[f"D{header + 1}"].border.top.style == "thin"
    # docProps/app.xml stays self-consistent
    app = ET.fromstring(members(patched)["docProps/app.xml"])
    ep, vt = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}", \
        "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
    heading = [v[0].text for v in app.find(f"{ep}HeadingPairs/{vt}vector")]
    titles_vec = app.find(f"{ep}TitlesOfParts/{vt}vector")
    titles = [t.text for t in titles_vec]
    assert heading[:2] == ["Worksheets", "3"]
    assert sum(int(x) for x in heading[1::2]) == len(titles) == int(titles_vec.get("size"))
    assert titles[:3] == [FORM, DATA, "校验结果"]  # the named ranges follow
    ct = members(patched)["[Content_Types].xml"].decode()
    assert 'PartName="/xl/worksheets/sheet3.xml"' in ct
    wbx = members(patched)["xl/workbook.xml"].decode()
    assert '<sheet name="校验结果" sheetId="3"' in wbx
    assert "_xlnm._FilterDatabase" in wbx and "'校验结果'!$A$3:$G$6" in wbx
    assert "_xlnm.Print_Titles" in wbx and "'校验结果'!$3:$3" in wbx


def test_second_run_is_idempotent(patched: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.xlsx"
    patch_workbook(patched, again, RICH_EDITS, report=RICH_REPORT)
    first, second = members(patched), members(again)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name
    assert openpyxl.load_workbook(again).sheetnames.count("校验结果") == 1


def test_existing_report_sheet_is_replaced(patched: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.xlsx"
    patch_workbook(patched, again, [Edit(FORM, "G5", 8)], report=[ReportRow("N01", "error", FORM, "G5", "新", 10, 8)])
    wb = openpyxl.load_workbook(again)
    assert wb.sheetnames == [FORM, DATA, "校验结果"]
    assert table(wb["校验结果"])[1] == [[1, "G5", "error", "新", 10, 8, None]]
    assert wb[FORM]["G14"].value == "=SUM(G5:G8)"
    assert members(again)["docProps/app.xml"] == members(patched)["docProps/app.xml"]
    wbx = members(again)["xl/workbook.xml"].decode()
    assert wbx.count("_xlnm._FilterDatabase") == 1
    assert wbx.count('"_xlnm.Print_Titles" localSheetId="2"') == 1


def test_report_after_excel_resave_is_still_recognised(patched: Path, tmp_path: Path) -> None:
    """Excel moves the report's text into sharedStrings.xml on saving; the next
    run still knows the sheet as its own report and replaces it."""
    resaved = tmp_path / "resaved.xlsx"
    parts = members(patched)
    sst = parts["xl/sharedStrings.xml"].decode()
    count = sst.count("<si>")
    added: list[str] = []

    def shared(m: re.Match[str]) -> str:
        added.append(f"<si><t{m.group(2)}>{m.group(3)}</t></si>")
        return f'{m.group(1)} t="s"><v>{count + len(added) - 1}</v></c>'

    sheet = re.sub(r'(<c r="[A-Z]+\d+" s="\d+") t="inlineStr"><is><t([^>]*)>(.*?)</t></is></c>', shared,
                   parts["xl/worksheets/sheet3.xml"].decode(), flags=re.S)
    sst = re.sub(r'count="\d+" uniqueCount="\d+"', f'count="{count + len(added)}" uniqueCount="{count + len(added)}"',
                 sst).replace("</sst>", "".join(added) + "</sst>")
    parts["xl/worksheets/sheet3.xml"], parts["xl/sharedStrings.xml"] = sheet.encode(), sst.encode()
    with zipfile.ZipFile(resaved, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert b"<is>" not in parts["xl/worksheets/sheet3.xml"]
    assert openpyxl.load_workbook(resaved)["校验结果"]["A1"].value == "审核意见单"
    again = tmp_path / "again.xlsx"
    patch_workbook(resaved, again, [Edit(FORM, "G5", 8)], report=[ReportRow("N01", "error", FORM, "G5", "新", 10, 8)])
    assert openpyxl.load_workbook(again).sheetnames == [FORM, DATA, "校验结果"]


def test_user_sheet_named_like_the_report_is_kept(tmp_path: Path) -> None:
    """Issue 12 item 6: a user's sheet called 校验结果 is never replaced; the
    report takes the first free name, and a second run replaces only its own."""
    src = tmp_path / "user.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    wb.add_worksheet(FORM).write_column("A1", [1, 2])
    user = wb.add_worksheet("校验结果")
    user.write("A1", "县里自己的校验记录")
    user.write("B2", 42)
    wb.add_worksheet("校验结果(2)").write("A1", "另一张")
    wb.close()
    out = tmp_path / "out.xlsx"
    patch_workbook(src, out, [Edit(FORM, "A1", 5)], report=[ReportRow("N01", "error", FORM, "A1", "改", 1, 5)],
                   report_sheet="校验结果")
    a, b = members(src), members(out)
    assert b["xl/worksheets/sheet2.xml"] == a["xl/worksheets/sheet2.xml"]
    assert b["xl/worksheets/sheet3.xml"] == a["xl/worksheets/sheet3.xml"]
    wb2 = openpyxl.load_workbook(out)
    assert wb2.sheetnames == [FORM, "校验结果", "校验结果(2)", "校验结果(3)"]
    assert wb2["校验结果"]["A1"].value == "县里自己的校验记录" and wb2["校验结果"]["B2"].value == 42
    assert table(wb2["校验结果(3)"])[1] == [[1, "A1", "error", "改", 1, 5, None]]
    # the form sheet itself may be called 校验结果: protected by name
    again = tmp_path / "again.xlsx"
    patch_workbook(out, again, [], report=Report(rows=[], protect=frozenset({FORM})))
    assert openpyxl.load_workbook(again).sheetnames == [FORM, "校验结果", "校验结果(2)", "校验结果(3)"]
    assert members(again)["xl/worksheets/sheet2.xml"] == a["xl/worksheets/sheet2.xml"]
    wbx = members(again)["xl/workbook.xml"].decode()
    assert wbx.count("_xlnm._FilterDatabase") == 1 and "'校验结果(3)'!$A$3:$G$4" in wbx


def test_in_place(rich: Path, tmp_path: Path) -> None:
    copy = tmp_path / "inplace.xlsx"
    shutil.copy(rich, copy)
    patch_workbook(copy, copy, [Edit(FORM, "G7", 7)], mark=False)
    assert openpyxl.load_workbook(copy, data_only=True)[FORM]["G7"].value == 7
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# --------------------------------------------------------------------------
# openpyxl source: shared strings, formulas without cached values


def test_openpyxl_source(tmp_path: Path) -> None:
    src = tmp_path / "op.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目自评"
    ws.append(["分值", "得分", "合计"])
    ws.append([10, 9, "=A2+B2"])
    ws["E5"] = "孤立"
    wb.save(src)
    dst = tmp_path / "op2.xlsx"
    patch_workbook(src, dst, [Edit("项目自评", "C2", 19), Edit("项目自评", "D5", "左邻"), Edit("项目自评", "B3", 1.5)],
                   report=[])
    out = openpyxl.load_workbook(dst, data_only=True)["项目自评"]
    assert out["C2"].value == 19 and out["D5"].value == "左邻" and out["E5"].value == "孤立"
    assert out["B3"].value == 1.5
    assert openpyxl.load_workbook(dst)["项目自评"]["C2"].value == "=A2+B2"
    # this openpyxl writes inline strings (the xlsxwriter source covers sharedStrings.xml)
    # and a self-closing <definedNames /> that must now hold the filter name
    wbx = members(dst)["xl/workbook.xml"].decode()
    assert "<definedNames><definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"1\"" in wbx
    report = openpyxl.load_workbook(dst)["校验结果"]
    header, rows = table(report)
    assert rows == [] and report[f"A{header + 1}"].value == "未发现问题"


# --------------------------------------------------------------------------
# macros


def test_xlsm_keeps_vba(tmp_path: Path) -> None:
    src = tmp_path / "macro.xlsm"
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8
    build_rich(src, vba=vba)
    dst = tmp_path / "macro_out.xlsm"
    patch_workbook(src, dst, RICH_EDITS, report=RICH_REPORT)
    before, after = members(src), members(dst)
    assert after["xl/vbaProject.bin"] == vba == before["xl/vbaProject.bin"]
    ct_b = set(re.findall(r"<(?:Default|Override)[^>]*/>", before["[Content_Types].xml"].decode()))
    ct_a = set(re.findall(r"<(?:Default|Override)[^>]*/>", after["[Content_Types].xml"].decode()))
    assert ct_b <= ct_a and any("vbaProject" in x for x in ct_a) and any("macroEnabled" in x for x in ct_a)
    wb = openpyxl.load_workbook(dst, keep_vba=True, data_only=True)
    assert wb[FORM]["G7"].value == 9.75


# --------------------------------------------------------------------------
# a hand-made package: prefixed elements, implicit row/cell indices,
# absolute relationship targets, an escaped sheet name, no styles part


def _minimal_package(path: Path) -> None:
    x = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/s1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships"><Relationship Id="rId1" Type="{r}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><x:workbook xmlns:x="{x}" xmlns:r="{r}">'
        '<x:sheets><x:sheet name="R&amp;D &lt;1&gt;" sheetId="7" r:id="rIdA"/></x:sheets></x:workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships"><Relationship Id="rIdA" Type="{r}/worksheet" '
        'Target="/xl/worksheets/s1.xml"/></Relationships>',
        "xl/worksheets/s1.xml": f'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="{x}"><x:sheetData>'
        '<x:row><x:c><x:v>1</x:v></x:c><x:c t="inlineStr"><x:is><x:t>b</x:t></x:is></x:c></x:row>'
        '<x:row r="3"><x:c r="B3"><x:v>5</x:v></x:c></x:row></x:sheetData></x:worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)


def test_prefixed_implicit_package(tmp_path: Path) -> None:
    src = tmp_path / "min.xlsx"
    _minimal_package(src)
    dst = tmp_path / "min2.xlsx"
    name = "R&D <1>"
    patch_workbook(src, dst, [Edit(name, "A1", 2), Edit(name, "C1", "c"), Edit(name, "A2", "new"),
                              Edit(name, "A3", 0.5)], mark=False)
    xml = members(dst)["xl/worksheets/s1.xml"].decode()
    assert xml == (
        '<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main"><x:sheetData><x:row><x:c><x:v>2</x:v></x:c><x:c t="inlineStr"><x:is><x:t>b</x:t></x:is></x:c>'
        '<x:c r="C1" t="inlineStr"><x:is><x:t>c</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>new</x:t></x:is></x:c></x:row>'
        '<x:row r="3"><x:c r="A3"><x:v>0.5</x:v></x:c><x:c r="B3"><x:v>5</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>")
    assert '<x:calcPr fullCalcOnLoad="1"/></x:workbook>' in members(dst)["xl/workbook.xml"].decode()
    with pytest.raises(SelfevalError, match="styles"):
        patch_workbook(src, dst, [Edit(name, "A1", 3)], mark=True)


# --------------------------------------------------------------------------
# errors and atomicity


def test_missing_sheet(rich: Path, tmp_path: Path) -> None:
    dst = tmp_path / "x.xlsx"
    with pytest.raises(SelfevalError) as ei:
        patch_workbook(rich, dst, [Edit("不存在", "A1", 1)])
    assert "找不到工作表" in ei.value.zh and "no sheet named" in ei.value.en
    assert not dst.exists()


def test_bad_ref(rich: Path, tmp_path: Path) -> None:
    with pytest.raises(SelfevalError):
        patch_workbook(rich, tmp_path / "x.xlsx", [Edit(FORM, "1A", 1)])
    with pytest.raises(SelfevalError):
        patch_workbook(rich, tmp_path / "x.xlsx", [Edit(FORM, "XFE1", 1)])


def test_bad_xml_and_not_a_zip(rich: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(rich) as zin, zipfile.ZipFile(broken, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</row>", b"</rowx>", 1)
            zout.writestr(info, data)
    with pytest.raises(SelfevalError) as ei:
        patch_workbook(broken, tmp_path / "x.xlsx", [Edit(FORM, "A2", 1)])
    assert "XML" in ei.value.zh
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(SelfevalError, match="zip"):
        patch_workbook(junk, tmp_path / "x.xlsx", [])
    with pytest.raises(SelfevalError):
        patch_workbook(tmp_path / "nope.xlsx", tmp_path / "x.xlsx", [])


def test_chart_sheet_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "cs.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("数据")
    ws.write_column("A1", [1, 2, 3])
    cs = wb.add_chartsheet("图表")
    ch = wb.add_chart({"type": "line"})
    ch.add_series({"values": "='数据'!$A$1:$A$3"})
    cs.set_chart(ch)
    wb.close()
    with pytest.raises(SelfevalError, match="图表"):
        patch_workbook(src, tmp_path / "x.xlsx", [Edit("图表", "A1", 1)])
    patch_workbook(src, tmp_path / "ok.xlsx", [Edit("数据", "A1", 9)], report=[])
    assert openpyxl.load_workbook(tmp_path / "ok.xlsx").sheetnames == ["数据", "图表", "校验结果"]


def test_atomic_failure_leaves_dst_untouched(rich: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dst = tmp_path / "dst.xlsx"
    dst.write_bytes(b"original")

    def boom(*_a, **_k):
        raise OSError("simulated failure")

    monkeypatch.setattr("selfeval_xlsx.writer.os.replace", boom)
    with pytest.raises(SelfevalError, match="simulated") as ei:
        patch_workbook(rich, dst, RICH_EDITS, report=RICH_REPORT)
    assert isinstance(ei.value.__cause__, OSError) and "cannot write" in ei.value.en
    assert dst.read_bytes() == b"original"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["dst.xlsx", "rich.xlsx"])


def test_missing_output_folder(rich: Path, tmp_path: Path) -> None:
    with pytest.raises(SelfevalError, match="无法写入"):
        patch_workbook(rich, tmp_path / "no" / "such" / "x.xlsx", [Edit(FORM, "A1", 1)])


def test_keeps_file_mode(rich: Path, tmp_path: Path) -> None:
    dst = tmp_path / "mode.xlsx"
    shutil.copy(rich, dst)
    os.chmod(dst, 0o640)
    patch_workbook(rich, dst, [Edit(FORM, "G7", 1)])
    assert os.stat(dst).st_mode & 0o777 == 0o640


# --------------------------------------------------------------------------
# LibreOffice opens the result


@pytest.mark.libreoffice
@pytest.mark.usefixtures("soffice")
def test_libreoffice_opens_output(patched: Path, tmp_path: Path) -> None:
    outdir = tmp_path / "csv"
    profile = tmp_path / "lo-profile"
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(outdir), str(patched)],
        capture_output=True, text=True, timeout=180)
    out = outdir / "out.csv"
    assert proc.returncode == 0 and out.exists(), proc.stdout + proc.stderr
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    cell = lambda ref: rows[int(ref[1:]) - 1][ord(ref[0]) - 65]  # noqa: E731
    assert cell("E5") == "25"
    assert cell("F6") == "十分"
    assert cell("G7") == "9.75"
    assert cell("B16") == "优"
    assert cell("B18") == "1"
    assert cell("B20") == "97.52%"
    assert cell("J20") == "tail <&> 'x'"
    assert cell("A40") == "end"
    assert cell("C5") == "调研次数"


# --------------------------------------------------------------------------
# number formats


def test_number_formats(rich: Path, tmp_path: Path) -> None:
    dst = tmp_path / "nf.xlsx"
    patch_workbook(rich, dst, [
        Edit(FORM, "A33", Decimal("0.5"), number_format="0.00%"),  # builtin id 10
        Edit(FORM, "B33", Decimal("0.5"), number_format="0.000"),  # a new custom format
        Edit(FORM, "C33", Decimal("0.5"), number_format="0.000"),  # ... reused
        Edit(FORM, "G5", Decimal("9.5"), number_format="0.00"),  # already its format: xf kept
    ], mark=False)
    ws = openpyxl.load_workbook(dst)[FORM]
    assert ws["A33"].number_format == "0.00%"
    assert ws["B33"].number_format == ws["C33"].number_format == "0.000"
    xml_b, xml_a = members(rich)["xl/worksheets/sheet1.xml"], members(dst)["xl/worksheets/sheet1.xml"]
    assert cell_el(xml_a, "G5").get("s") == cell_el(xml_b, "G5").get("s")
    styles = ET.fromstring(members(dst)["xl/styles.xml"])
    fmts = {int(n.get("numFmtId")): n.get("formatCode") for n in styles.find(f"{MAIN}numFmts")}
    assert fmts == {164: "0.00", 165: "0.000"}
    assert int(styles.find(f"{MAIN}numFmts").get("count")) == 2
    assert styles.find(f"{MAIN}fills").get("count") == "3"  # mark=False: no fill added


# --------------------------------------------------------------------------
# property: any grid, any edits → openpyxl reads exactly the expected values

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_cells = st.tuples(st.integers(1, 8), st.integers(1, 6))
_values = st.one_of(st.integers(-10**6, 10**6), st.text("甲乙 ab<&>'\"", min_size=1, max_size=6))
_edit_values = st.one_of(st.none(), _values, st.decimals(places=3, min_value=-1000, max_value=1000,
                                                         allow_nan=False, allow_infinity=False))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(existing=st.dictionaries(_cells, _values, max_size=20),
       edits=st.dictionaries(st.tuples(st.integers(1, 10), st.integers(1, 8)), _edit_values, min_size=1, max_size=12),
       mark=st.booleans())
def test_property_any_grid_any_edits(tmp_path: Path, existing, edits, mark) -> None:
    src, dst = tmp_path / "p.xlsx", tmp_path / "p2.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表 1"
    ws["A20"] = "=1+1"  # keeps the sheet non-empty
    for (r, c), v in existing.items():
        ws.cell(r, c, v)
    wb.save(src)
    patch_workbook(src, dst, [Edit("表 1", f"{openpyxl.utils.get_column_letter(c)}{r}", v)
                              for (r, c), v in edits.items()], mark=mark, report=[])
    expected = {k: v for k, v in existing.items()}
    for k, v in edits.items():
        if v is None:
            expected.pop(k, None)
        else:
            expected[k] = v
    out = openpyxl.load_workbook(dst)["表 1"]
    got = {(c.row, c.column): c.value for row in out.iter_rows(max_row=10) for c in row if c.value is not None}
    assert got == {k: (float(v) if isinstance(v, Decimal) else v) for k, v in expected.items()}
    root = ET.fromstring(members(dst)["xl/worksheets/sheet1.xml"])
    rows = [int(r.get("r")) for r in root.iter(f"{MAIN}row")]
    assert rows == sorted(set(rows))
    for r in root.iter(f"{MAIN}row"):
        cols = [openpyxl.utils.column_index_from_string(re.match(r"[A-Z]+", c.get("r")).group()) for c in r]
        assert cols == sorted(set(cols))


def test_excel_style_markup_survives(rich: Path, tmp_path: Path) -> None:
    """Rows as Excel writes them (x14ac:dyDescent under mc:Ignorable, here plus a
    row style with customFormat) keep their bytes; a new cell in a styled row inherits the
    row's style."""
    src = tmp_path / "excelish.xlsx"

    def excelish(data: bytes) -> bytes:
        text = data.decode()
        # xlsxwriter (with an x14 data bar) already writes mc:Ignorable and x14ac:dyDescent
        assert 'mc:Ignorable="x14ac"' in text[:1000] and 'x14ac:dyDescent="0.25"' in text
        text = text.replace('<row r="16" ', '<row r="16" s="3" customFormat="1" ', 1)
        return text.encode()

    rewrite_member(rich, src, "xl/worksheets/sheet1.xml", excelish)
    dst = tmp_path / "excelish_out.xlsx"
    patch_workbook(src, dst, [Edit(FORM, "D16", "新"), Edit(FORM, "G7", 1), Edit(FORM, "C18", 2)], mark=False)
    before = members(src)["xl/worksheets/sheet1.xml"].decode()
    after = members(dst)["xl/worksheets/sheet1.xml"].decode()
    assert after[: after.index("<sheetData")] == before[: before.index("<sheetData")]
    assert after.count('x14ac:dyDescent="0.25"') == before.count('x14ac:dyDescent="0.25"')  # new row 18 has none
    assert re.search(r'<row r="16" s="3" customFormat="1" spans="1:8" x14ac:dyDescent="0.25">', after)
    d16 = cell_el(after.encode(), "D16")
    assert d16.get("s") == "3"
    assert openpyxl.load_workbook(dst)[FORM]["D16"].value == "新"


# --------------------------------------------------------------------------
# notes (cell comments) on the changed cells


NOTE = "原值 {old}；按执行率 97.00% × 10 更正为 {new}"


def test_notes_on_a_sheet_without_comments(rich: Path, tmp_path: Path) -> None:
    """The data sheet has a drawing (the chart) but no comments: a comments part,
    a VML drawing, their relationships, content types and <legacyDrawing> are
    added.  The form sheet has a comment (G14): the notes join its comments part.
    {old}/{new} are shown in the cell's number format."""
    dst = tmp_path / "notes.xlsx"
    edits = [Edit(FORM, "G7", Decimal("9.7"), note=NOTE, old=10),
             Edit(FORM, "B20", Decimal("0.95"), number_format="0.00%", note="原值 {old}；更正为 {new}", old=0.965),
             Edit(DATA, "B2", 42, note="原值 {old}；更正为 {new}", old=30),
             Edit(DATA, "B3", 31)]
    patch_workbook(rich, dst, edits, report=[])
    wb = openpyxl.load_workbook(dst)
    assert wb[FORM]["G7"].number_format == "0.00"  # the values as the cell shows them
    assert wb[FORM]["G7"].comment.text == "原值 10.00；按执行率 97.00% × 10 更正为 9.70"
    assert wb[FORM]["G7"].comment.author == "自动校验"
    assert wb[FORM]["B20"].comment.text == "原值 0.965；更正为 95.00%"  # B20 had no format before
    assert wb[FORM]["G14"].comment.text == "总分 = 各项得分之和" and wb[FORM]["G14"].comment.author == "财政局"
    assert wb[DATA]["B2"].comment.text == "原值 30；更正为 42" and wb[DATA]["B3"].comment is None
    a, b = members(rich), members(dst)
    changed = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/_rels/sheet2.xml.rels",
               "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml", "[Content_Types].xml", "xl/styles.xml",
               "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/app.xml"}
    for name in a:
        assert (a[name] == b[name]) == (name not in changed), name
    assert set(b) - set(a) == {"xl/comments2.xml", "xl/drawings/vmlDrawing2.vml", "xl/worksheets/sheet3.xml"}
    ct = b["[Content_Types].xml"].decode()
    assert ct.count('Extension="vml"') == 1 and 'PartName="/xl/comments2.xml"' in ct
    rels = b["xl/worksheets/_rels/sheet2.xml.rels"].decode()
    assert rels.startswith(a["xl/worksheets/_rels/sheet2.xml.rels"].decode()[:-len("</Relationships>")])
    assert "../comments2.xml" in rels and "../drawings/vmlDrawing2.vml" in rels
    sheet = b["xl/worksheets/sheet2.xml"].decode()
    assert re.search(r'<drawing r:id="rId\d+"/><legacyDrawing r:id="rId\d+"/></worksheet>', sheet)
    vml1, vml2 = b["xl/drawings/vmlDrawing1.vml"].decode(), b["xl/drawings/vmlDrawing2.vml"].decode()
    assert vml1.startswith(a["xl/drawings/vmlDrawing1.vml"].decode()[:-len("</xml>")])
    assert "<x:Row>6</x:Row><x:Column>6</x:Column>" in vml1 and "<x:Row>19</x:Row><x:Column>1</x:Column>" in vml1
    assert vml2.count('<x:ClientData ObjectType="Note">') == 1 and "<x:Row>1</x:Row><x:Column>1</x:Column>" in vml2
    assert re.search(r'o:idmap v:ext="edit" data="(\d+)"', vml2).group(1) != \
        re.search(r'o:idmap v:ext="edit" data="(\d+)"', vml1).group(1)
    # a second run with the same edits writes the same bytes (B20 left out: its
    # format is 0.00% now, so its old value would read 96.50%)
    again = tmp_path / "again.xlsx"
    patch_workbook(dst, again, [e for e in edits if e.ref != "B20"], report=[])
    assert members(again) == b
    # and mark=False writes no note
    plain = tmp_path / "plain.xlsx"
    patch_workbook(rich, plain, edits, mark=False)
    assert set(members(plain)) == set(a) and members(plain)["xl/comments1.xml"] == a["xl/comments1.xml"]


def test_notes_on_an_openpyxl_workbook_without_rels(tmp_path: Path) -> None:
    src = tmp_path / "bare.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "表"
    wb.active["A1"] = 1
    wb.save(src)
    assert "xl/worksheets/_rels/sheet1.xml.rels" not in members(src)
    dst = tmp_path / "bare2.xlsx"
    patch_workbook(src, dst, [Edit("表", "A1", 2, note="原值 {old}；更正为 {new}", old=1)], report=[])
    out = openpyxl.load_workbook(dst)
    assert out["表"]["A1"].comment.text == "原值 1；更正为 2" and out["表"]["A1"].value == 2


def test_notes_merge_into_existing_comments(tmp_path: Path) -> None:
    """A user's comments survive exactly as written: on the changed cell and on
    another cell alike (the changed cell with a comment of its own gets no note;
    the report sheet says what changed there); a cell without one gets our note,
    and the existing VML keeps its shapes."""
    src = tmp_path / "commented.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    ws["A1"], ws["B1"], ws["C1"] = 10, 20, 30
    ws["A1"].comment = openpyxl.comments.Comment("县局：请核实", "县财政局")
    ws["C1"].comment = openpyxl.comments.Comment("与本次无关", "张三")
    wb.save(src)
    before = members(src)
    dst = tmp_path / "merged.xlsx"
    patch_workbook(src, dst, [Edit("表", "A1", 9, note="原值 {old}；更正为 {new}", old=10),
                              Edit("表", "B1", 19, note="原值 {old}；更正为 {new}", old=20)], report=[])
    out = openpyxl.load_workbook(dst)["表"]
    assert out["A1"].value == 9
    assert out["A1"].comment.text == "县局：请核实" and out["A1"].comment.author == "县财政局"
    assert out["C1"].comment.text == "与本次无关" and out["C1"].comment.author == "张三"
    assert out["B1"].comment.text == "原值 20；更正为 19" and out["B1"].comment.author == "自动校验"
    after = members(dst)
    comments = next(n for n in before if n.startswith("xl/comments"))
    for comment in re.findall(rb"<comment .*?</comment>", before[comments], re.S):
        assert comment in after[comments]
    vml = next(n for n in before if n.endswith(".vml"))
    assert after[vml].startswith(before[vml][: before[vml].rindex(b"</xml>")])
    assert after[vml].count(b"<x:ClientData") == before[vml].count(b"<x:ClientData") + 1  # B1 only
    # a second run renews our note, it does not add another
    again = tmp_path / "again.xlsx"
    patch_workbook(dst, again, [Edit("表", "B1", 19, note="原值 {old}；再次更正为 {new}", old=20)], report=[])
    out = openpyxl.load_workbook(again)["表"]
    assert out["B1"].comment.text == "原值 20；再次更正为 19"
    assert members(again)[comments].count(b"<comment ") == after[comments].count(b"<comment ")
    # only a commented cell changes: the comments part comes through byte for byte
    only = tmp_path / "only.xlsx"
    patch_workbook(src, only, [Edit("表", "A1", 9, note="原值 {old}；更正为 {new}", old=10)], report=[])
    assert members(only)[comments] == before[comments]


@pytest.mark.usefixtures("soffice")
def test_libreoffice_reads_the_notes(rich: Path, tmp_path: Path) -> None:
    """LibreOffice opens the file with the notes and keeps them when it saves."""
    dst = tmp_path / "notes.xlsx"
    patch_workbook(rich, dst, [Edit(FORM, "G7", Decimal("9.7"), note=NOTE, old=10)], report=[])
    outdir = tmp_path / "lo"
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(dst)],
        capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and (outdir / "notes.xlsx").exists(), proc.stdout + proc.stderr
    back = openpyxl.load_workbook(outdir / "notes.xlsx")
    assert back[FORM]["G7"].comment.text.strip() == "原值 10.00；按执行率 97.00% × 10 更正为 9.70"
    assert back[FORM]["G7"].value == 9.7


def test_notes_skip_a_sheet_whose_vml_is_missing(rich: Path, tmp_path: Path) -> None:
    """A <legacyDrawing> pointing at nothing: no note there (a second
    legacyDrawing would make the sheet invalid), the value is still written."""
    broken = tmp_path / "broken.xlsx"
    parts = members(rich)
    rels = parts["xl/worksheets/_rels/sheet1.xml.rels"].decode()
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = re.sub(r'<Relationship [^>]*vmlDrawing[^>]*/>', "", rels).encode()
    with zipfile.ZipFile(broken, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    dst = tmp_path / "out.xlsx"
    patch_workbook(broken, dst, [Edit(FORM, "G7", 9, note="原值 {old}；更正为 {new}", old=10)], report=[])
    sheet = members(dst)["xl/worksheets/sheet1.xml"].decode()
    assert sheet.count("<legacyDrawing") == 1
    assert openpyxl.load_workbook(dst, data_only=True)[FORM]["G7"].value == 9


def test_the_loaders_zip_gives_the_same_package(rich: Path, tmp_path: Path) -> None:
    """``opened`` (the loader's bytes and ZipFile, as fill hands them over)
    writes the very bytes that reading and opening the file again does, and
    leaves the loader's ZipFile open."""
    from selfeval_xlsx.loading import load

    raw = load(rich)
    assert raw.package is not None and raw.package[0] == rich.read_bytes()
    plain, handed = tmp_path / "plain.xlsx", tmp_path / "handed.xlsx"
    patch_workbook(rich, plain, RICH_EDITS, report=RICH_REPORT, parts=raw.parts)
    patch_workbook(rich, handed, RICH_EDITS, report=RICH_REPORT, parts=raw.parts, opened=raw.package)
    assert handed.read_bytes() == plain.read_bytes()
    assert raw.package[1].fp is not None  # not closed


def test_the_loaders_zip_is_the_files_own_when_calamine_gets_another(tmp_path: Path) -> None:
    """A stray value far away: calamine reads a package without it, the writer
    is handed the file as it is (and keeps the value)."""
    from selfeval_xlsx.loading import load

    src = tmp_path / "stray.xlsx"
    build_rich(src)
    with zipfile.ZipFile(src) as z:
        members = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as z:
        for info, blob in members:
            if info.filename == "xl/worksheets/sheet1.xml":
                blob = blob.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576"><v>7</v></c></row></sheetData>')
            z.writestr(info, blob)
    raw = load(src)
    assert raw.package is not None and raw.package[0] == src.read_bytes()
