"""xls_to_xlsx: a faithful .xlsx copy of a legacy .xls, or a clear refusal."""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import subprocess
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import SAMPLES
from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.xls import xls_to_xlsx

import xlwt
import openpyxl

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.usefixtures("soffice")  # fails, naming what to install, without it

TITLE = "2023年度项目支出绩效自评表"
HEADERS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值"]


def make_form(path: Path, *, for_rendering: bool = False) -> Path:
    """A one-sheet self-evaluation form with the styling such forms use.

    ``for_rendering`` leaves out what LibreOffice itself lays out differently
    when it opens an .xls and an .xlsx with identical settings (indents,
    rotated text, header/footer placement), so page images can be compared
    pixel for pixel.
    """
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("绩效自评表")
    title = xlwt.easyxf("font: name 宋体, height 360, bold on; align: horiz center, vert center")
    head = xlwt.easyxf(
        "font: name 黑体, height 220, bold on, colour red; pattern: pattern solid, fore_colour light_yellow;"
        " borders: left thin, right thin, top thin, bottom medium, bottom_colour blue;"
        " align: wrap on, horiz center, vert center"
    )
    body = xlwt.easyxf("font: name 宋体, height 200; borders: left thin, right thin, top thin, bottom thin;"
                       " align: wrap on, vert top" + ("" if for_rendering else ", indent 1"))
    money = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin", num_format_str="#,##0.00")
    pct = xlwt.easyxf(num_format_str="0.00%")
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    italic = xlwt.easyxf("font: italic on, underline single" + ("" if for_rendering else "; align: rotation 90"))
    ws.write_merge(0, 0, 0, 5, TITLE, title)
    for c, text in enumerate(HEADERS):
        ws.write(1, c, text, head)
    ws.write_merge(2, 3, 0, 0, "产出指标", body)
    ws.write(2, 1, "数量指标", body)
    ws.write(2, 2, "完成培训人次（人次）\n含线上", body)
    ws.write(2, 3, 1234.5, money)
    ws.write(2, 4, 1000, money)
    ws.write(2, 5, 0.875, pct)
    ws.write(3, 1, "质量指标", body)
    ws.write(3, 3, -7, money)
    ws.write(4, 0, dt.datetime(2023, 12, 31), day)
    ws.write(4, 1, True)
    ws.write(4, 2, "=不是公式")
    ws.write(4, 3, "斜体", italic)
    ws.write(5, 0, "", head)  # empty cell that carries a style
    # every used column gets a width: xlwt writes no DEFCOLWIDTH record, and
    # for that case LibreOffice's default width differs from Excel's (8).
    for col, chars in enumerate([20, 12, 30, 14, 14, 10]):
        ws.col(col).width = 256 * chars
    ws.col(5).hidden = True
    ws.row(1).height_mismatch = True
    ws.row(1).height = 600
    ws.row(7).hidden = True
    ws.panes_frozen = True
    ws.horz_split_pos = 2
    ws.portrait = False
    ws.fit_num_pages = 1
    # xlwt's default footer is &F (file name), which would differ between
    # the two renderings; its setters are broken on Python 3, so set directly.
    ws._Worksheet__header_str = "" if for_rendering else "&C第&P页"
    ws._Worksheet__footer_str = "" if for_rendering else "&R绩效自评"
    second = wb.add_sheet("说明")
    second.write(0, 0, 42)
    second.write(1, 0, 3.25)
    wb.save(str(path))
    return path


@pytest.fixture()
def form(tmp_path: Path) -> Path:
    return make_form(tmp_path / "form.xls")


@pytest.fixture()
def converted(form: Path, tmp_path: Path):
    out = tmp_path / "form.xlsx"
    xls_to_xlsx(form, out)
    return openpyxl.load_workbook(out)


def test_sheets_kept_in_order(converted):
    assert converted.sheetnames == ["绩效自评表", "说明"]


def test_values_and_types(converted):
    ws = converted["绩效自评表"]
    assert ws["A1"].value == TITLE
    assert [ws.cell(2, c).value for c in range(1, 7)] == HEADERS
    assert ws["A3"].value == "产出指标"
    assert ws["C3"].value == "完成培训人次（人次）\n含线上"
    assert ws["D3"].value == 1234.5
    assert ws["E3"].value == 1000 and ws["E3"].data_type == "n"
    assert ws["F3"].value == 0.875
    assert ws["D4"].value == -7
    assert ws["A5"].value == dt.datetime(2023, 12, 31)
    assert ws["B5"].value is True
    # text that looks like a formula stays text
    assert ws["C5"].value == "=不是公式" and ws["C5"].data_type == "s"
    other = converted["说明"]
    assert other["A1"].value == 42 and other["A2"].value == 3.25


def test_merges(converted):
    ws = converted["绩效自评表"]
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:F1", "A3:A4"}


def test_widths_heights_hidden(converted):
    ws = converted["绩效自评表"]
    assert ws.column_dimensions["A"].width == pytest.approx(20)
    assert ws.column_dimensions["C"].width == pytest.approx(30)
    assert ws.column_dimensions["F"].hidden
    assert ws.row_dimensions[2].height == pytest.approx(30)
    assert ws.row_dimensions[8].hidden


def test_fonts(converted):
    ws = converted["绩效自评表"]
    assert (ws["A1"].font.name, ws["A1"].font.sz, ws["A1"].font.b) == ("宋体", 18, True)
    head = ws["B2"].font
    assert (head.name, head.sz, head.b) == ("黑体", 11, True)
    assert head.color.rgb == "FFFF0000"
    assert ws["C3"].font.name == "宋体" and ws["C3"].font.sz == 10 and not ws["C3"].font.b
    assert ws["D5"].font.i and ws["D5"].font.u == "single"


def test_fill_borders_alignment(converted):
    ws = converted["绩效自评表"]
    head = ws["B2"]
    assert head.fill.patternType == "solid" and head.fill.fgColor.rgb == "FFFFFF99"
    assert head.border.left.style == "thin" and head.border.bottom.style == "medium"
    assert head.border.bottom.color.rgb == "FF0000FF"
    assert head.alignment.wrap_text and head.alignment.horizontal == "center"
    assert head.alignment.vertical == "center"
    body = ws["C3"]
    assert body.alignment.wrap_text and body.alignment.vertical == "top" and body.alignment.indent == 1
    assert ws["D5"].alignment.text_rotation == 90
    # merged cells keep their own borders (A4 is inside the A3:A4 merge)
    assert ws["A4"].border.bottom.style == "thin"
    # an empty cell that had a style keeps it
    assert ws["A6"].value is None and ws["A6"].fill.fgColor.rgb == "FFFFFF99"


def test_number_formats(converted):
    ws = converted["绩效自评表"]
    assert ws["D3"].number_format == "#,##0.00"
    assert ws["F3"].number_format == "0.00%"
    assert ws["A5"].number_format == "yyyy-mm-dd"


def test_view_and_page_setup(converted):
    ws = converted["绩效自评表"]
    assert ws.freeze_panes == "A3"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_errors_and_formulas_become_values(tmp_path: Path):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("S")
    ws.write(0, 0, 2)
    ws.write(0, 1, xlwt.Formula("A1*3"))  # xlwt stores no cached result
    wb.save(str(tmp_path / "f.xls"))
    xls_to_xlsx(tmp_path / "f.xls", tmp_path / "f.xlsx")
    out = openpyxl.load_workbook(tmp_path / "f.xlsx")["S"]
    assert out["A1"].value == 2
    assert out["B1"].data_type != "f"  # never a formula in the copy


def test_1904_dates(tmp_path: Path):
    wb = xlwt.Workbook()
    wb.dates_1904 = True
    ws = wb.add_sheet("S")
    ws.write(0, 0, dt.datetime(2024, 2, 29, 13, 30), xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm"))
    ws.write(1, 0, dt.time(8, 15), xlwt.easyxf(num_format_str="hh:mm"))
    wb.save(str(tmp_path / "d.xls"))
    xls_to_xlsx(tmp_path / "d.xls", tmp_path / "d.xlsx")
    out = openpyxl.load_workbook(tmp_path / "d.xlsx")["S"]
    assert out["A1"].value == dt.datetime(2024, 2, 29, 13, 30)
    assert out["A2"].value == dt.time(8, 15)


def test_atomic_and_fast(form: Path, tmp_path: Path):
    out = tmp_path / "sub" / "out.xlsx"
    xls_to_xlsx(form, out)  # warm up imports
    started = time.perf_counter()
    xls_to_xlsx(form, out)
    assert time.perf_counter() - started < 0.1
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.xlsx"]


# ---- refusals -------------------------------------------------------------

def _workbook_stream_records(mem: bytes):
    """(offset in file, type, length) of the leading records of an xlwt file.

    xlwt puts the Workbook stream first and contiguous, from sector 0; the
    walk stops at the first EOF (end of the globals substream).
    """
    pos = 512
    while True:
        rtype, rlen = struct.unpack_from("<HH", mem, pos)
        yield pos, rtype, rlen
        if rtype == 0x000A:
            return
        pos += 4 + rlen


def test_encrypted_file_is_refused(form: Path, tmp_path: Path):
    mem = bytearray(form.read_bytes())
    # turn the globals' CODEPAGE record (2 bytes) into a FILEPASS record
    for pos, rtype, rlen in _workbook_stream_records(bytes(mem)):
        if rtype == 0x0042:
            struct.pack_into("<H", mem, pos, 0x002F)
            break
    else:  # pragma: no cover
        pytest.fail("no CODEPAGE record")
    bad = tmp_path / "locked.xls"
    bad.write_bytes(bytes(mem))
    with pytest.raises(SelfevalError) as err:
        xls_to_xlsx(bad, tmp_path / "locked.xlsx")
    assert "文件已加密，请取消密码后重试" in err.value.zh
    assert not (tmp_path / "locked.xlsx").exists()


# ---- the BIFF walks (selfeval_xlsx.biff) -------------------------------

def test_biff_scan_reads_what_xlrd_does_not_expose(form: Path):
    from selfeval_xlsx import biff

    scan = biff.scan(form.read_bytes())
    assert scan.found == set() and scan.biff8
    first, second = (scan.sheets[k] for k in sorted(scan.sheets))
    assert first["header"] == "&C第&P页" and first["footer"] == "&R绩效自评"
    assert first["fit_to_page"] is True and not first["setup"]["grbit"] & 0x02  # landscape
    assert set(first["margins"]) == {"left", "right", "top", "bottom"}
    assert "dv" not in first and second["protect"] is False and second["footer"] == "&F"


def test_biff_filepass_and_bounds(form: Path):
    from selfeval_xlsx import biff

    mem = bytearray(form.read_bytes())
    doc = biff.Compound(bytes(mem))
    assert "Workbook" in doc.names
    stream, base, size = doc.locate("Workbook")
    assert not biff.has_filepass(stream, base, size)
    biff.check_bounds(stream, base, size, max_cells=10_000)
    with pytest.raises(biff.OutOfBounds) as err:
        biff.check_bounds(stream, base, size, max_cells=10)
    assert err.value.kind == "cells"
    for pos, rtype, _ in _workbook_stream_records(bytes(mem)):
        if rtype == 0x0042:  # CODEPAGE becomes FILEPASS
            struct.pack_into("<H", mem, pos, 0x002F)
            break
    stream, base, size = biff.Compound(bytes(mem)).locate("Workbook")
    assert biff.has_filepass(stream, base, size)
    with pytest.raises(biff.Encrypted):
        biff.scan(bytes(mem))
    name = "Workbook".encode("utf-16-le")
    at = mem.find(name)
    mem[at:at + len(name)] = "Wxrkbook".encode("utf-16-le")
    with pytest.raises(biff.NotBiff) as not_biff:
        biff.scan(bytes(mem))
    assert not_biff.value.args == ("找不到工作簿数据流", "no Workbook stream")


def test_macro_storage_is_refused(form: Path, tmp_path: Path):
    """A compound file with a _VBA_PROJECT_CUR storage next to the Workbook.

    xlwt leaves two empty directory entries; one becomes the (empty) VBA
    storage, linked as the Workbook entry's sibling. No real VBA project is
    built (nothing here can write one), but the container is what Excel
    writes for a macro workbook and what the converter checks.
    """
    mem = bytearray(form.read_bytes())
    (dir_sid,) = struct.unpack_from("<i", mem, 48)
    base = 512 + dir_sid * 512
    entry = base + 2 * 128
    name = "_VBA_PROJECT_CUR\x00".encode("utf-16-le")
    mem[entry:entry + 64] = name + b"\x00" * (64 - len(name))
    struct.pack_into("<HBBiii", mem, entry + 64, len(name), 1, 1, -1, -1, -1)
    struct.pack_into("<i", mem, base + 128 + 72, 2)  # Workbook.right = 2
    bad = tmp_path / "macro.xls"
    bad.write_bytes(bytes(mem))
    with pytest.raises(SelfevalError) as err:
        xls_to_xlsx(bad, tmp_path / "macro.xlsx")
    assert "宏" in err.value.zh and "另存为 .xlsx" in err.value.zh
    assert "macros" in err.value.en


def test_html_disguised_as_xls_is_refused(tmp_path: Path):
    bad = tmp_path / "export.xls"
    bad.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>", encoding="utf-8")
    with pytest.raises(SelfevalError) as err:
        xls_to_xlsx(bad, tmp_path / "export.xlsx")
    assert "另存为 .xlsx" in err.value.zh


def test_xlsx_disguised_as_xls_is_copied(tmp_path: Path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "真的是 xlsx"
    wb.save(tmp_path / "renamed.xls")
    xls_to_xlsx(tmp_path / "renamed.xls", tmp_path / "out.xlsx")
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").active["A1"].value == "真的是 xlsx"


# ---- files written by LibreOffice ------------------------------------------

def _png(path: Path, w: int = 20, h: int = 10) -> Path:
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * w for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def _to_xls(tmp_path: Path, name: str, build) -> Path:
    """Build an .xlsx with xlsxwriter, let LibreOffice save it as .xls.

    xlsxwriter rather than openpyxl: openpyxl needs Pillow for images, and
    Pillow is not installed.
    """
    import xlsxwriter
    src = tmp_path / f"{name}.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("表1")
    ws.write("A1", "标题")
    ws.write("A2", 5)
    build(wb, ws)
    wb.close()
    outdir = tmp_path / "lo"
    subprocess.run([SOFFICE, "--headless", "--convert-to", "xls", "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=120)
    return outdir / f"{name}.xls"


@pytest.mark.libreoffice
@needs_soffice
def test_image_is_refused(tmp_path: Path):
    png = _png(tmp_path / "red.png")
    xls = _to_xls(tmp_path, "image", lambda wb, ws: ws.insert_image("C3", str(png)))
    with pytest.raises(SelfevalError) as err:
        xls_to_xlsx(xls, tmp_path / "image.out.xlsx")
    assert err.value.zh == ("该 .xls 文件含有无法无损转换的内容（图片），请在 Excel 或 WPS 中另存为 .xlsx 后重试")
    assert "pictures" in err.value.en
    assert not (tmp_path / "image.out.xlsx").exists()


@pytest.mark.libreoffice
@needs_soffice
def test_chart_is_refused(tmp_path: Path):
    def build(wb, ws):
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"values": "=表1!$A$2:$A$2"})
        ws.insert_chart("C3", chart)

    xls = _to_xls(tmp_path, "chart", build)
    with pytest.raises(SelfevalError) as err:
        xls_to_xlsx(xls, tmp_path / "chart.out.xlsx")
    assert "图表" in err.value.zh


@pytest.mark.libreoffice
@needs_soffice
def test_conditional_formatting_is_refused(tmp_path: Path):
    def build(wb, ws):
        ws.conditional_format("A2:A5", {"type": "cell", "criteria": ">", "value": 3,
                                        "format": wb.add_format({"bold": True})})

    xls = _to_xls(tmp_path, "cf", build)
    with pytest.raises(SelfevalError) as err:
        xls_to_xlsx(xls, tmp_path / "cf.out.xlsx")
    assert "条件格式" in err.value.zh


@pytest.mark.libreoffice
@needs_soffice
def test_comment_is_carried(tmp_path: Path):
    xls = _to_xls(tmp_path, "comment", lambda wb, ws: ws.write_comment("A1", "请填写金额"))
    xls_to_xlsx(xls, tmp_path / "comment.out.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "comment.out.xlsx")["表1"]
    assert ws["A1"].value == "标题"
    assert ws["A1"].comment is not None and ws["A1"].comment.text == "请填写金额"


@pytest.mark.libreoffice
@needs_soffice
def test_data_validation_is_carried(tmp_path: Path):
    def build(wb, ws):
        opts = wb.add_worksheet("选项")
        for i, v in enumerate(["优", "良", "中", "差"]):
            opts.write(i, 0, v)
        ws.data_validation("B2", {"validate": "list", "source": ["是", "否"]})
        ws.data_validation("C2:C10", {"validate": "list", "source": "=选项!$A$1:$A$4",
                                      "input_title": "提示", "input_message": "请选择"})
        ws.data_validation("D2:D10", {"validate": "decimal", "criteria": "between",
                                      "minimum": 0, "maximum": 100})

    xls = _to_xls(tmp_path, "dv", build)
    xls_to_xlsx(xls, tmp_path / "dv.out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "dv.out.xlsx")
    assert wb.sheetnames == ["表1", "选项"]
    found = {str(dv.sqref): dv for dv in wb["表1"].data_validations.dataValidation}
    assert set(found) == {"B2", "C2:C10", "D2:D10"}
    assert (found["B2"].type, found["B2"].formula1) == ("list", '"是,否"')
    assert found["C2:C10"].formula1 == "'选项'!$A$1:$A$4"
    assert (found["C2:C10"].promptTitle, found["C2:C10"].prompt) == ("提示", "请选择")
    d = found["D2:D10"]
    assert (d.type, d.operator, d.formula1, d.formula2) == ("decimal", "between", "0", "100")


@pytest.mark.libreoffice
@needs_soffice
def test_page_setup_links_names(tmp_path: Path):
    def build(wb, ws):
        ws.write_url("B1", "https://example.org/", string="链接")
        ws.repeat_rows(0, 1)
        ws.print_area("A1:D20")
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_header("&C第&P页")
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.center_horizontally()
        ws.set_row(3, 30)
        ws.protect()
        wb.define_name("数据区", "=表1!$A$2:$A$10")

    xls = _to_xls(tmp_path, "misc", build)
    xls_to_xlsx(xls, tmp_path / "misc.out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "misc.out.xlsx")
    ws = wb["表1"]
    assert ws["B1"].value == "链接" and ws["B1"].hyperlink.target == "https://example.org/"
    assert ws.print_title_rows == "$1:$2"
    assert ws.print_area == "'表1'!$A$1:$D$20"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert ws.oddHeader.center.text == "第&P页"
    assert ws.page_margins.left == pytest.approx(0.5) and ws.page_margins.top == pytest.approx(0.6)
    assert ws.print_options.horizontalCentered
    assert ws.row_dimensions[4].height == pytest.approx(30)
    assert ws.protection.sheet
    assert wb.defined_names["数据区"].attr_text == "'表1'!$A$2:$A$10"


@pytest.mark.libreoffice
@needs_soffice
@pytest.mark.usefixtures("pdftoppm")
def test_renders_like_the_original(tmp_path: Path):
    """The .xls and its .xlsx copy render to the same page image."""
    form = make_form(tmp_path / "render.xls", for_rendering=True)
    copy = tmp_path / "copy.xlsx"
    xls_to_xlsx(form, copy)
    images = []
    for src, name in ((form, "orig"), (copy, "copy")):
        outdir = tmp_path / name
        subprocess.run([SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(src)],
                       check=True, capture_output=True, timeout=120)
        pdf = next(outdir.glob("*.pdf"))
        subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(outdir / "page")], check=True, timeout=60)
        images.append(sorted(outdir.glob("page*.png")))
    assert len(images[0]) == len(images[1]) >= 1
    for a, b in zip(*images):
        wa, ha, pa = _pixels(a)
        wb_, hb, pb = _pixels(b)
        assert (wa, ha) == (wb_, hb)
        differing = sum(pa[i:i + 3] != pb[i:i + 3] for i in range(0, len(pa), 3))
        # LibreOffice's .xls and .xlsx import paths place cell text up to a
        # pixel apart (its own xls->xlsx conversion shows the same ~0.7%
        # anti-aliasing noise); anything structural (a lost border, fill,
        # width, merge or wrap) changes far more than this.
        assert differing <= 0.015 * wa * ha, f"{a.name}: {differing} of {wa * ha} pixels differ"



def _pixels(png: Path) -> tuple[int, int, bytes]:
    """(width, height, RGB bytes) of a non-interlaced 8-bit RGB PNG (pdftoppm's)."""
    data = png.read_bytes()
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        kind = data[pos + 4:pos + 8]
        if kind == b"IHDR":
            header = data[pos + 8:pos + 8 + length]
        elif kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour) == (8, 2)
    raw, bpp, stride = zlib.decompress(idat), 3, width * 3
    out = bytearray()
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up = prev[x]
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                ul = prev[x - bpp] if x >= bpp else 0
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else ul
                line[x] = (line[x] + pred) & 0xFF
        out += line
        prev = line
    return width, height, bytes(out)


def test_fill_converts_in_memory_to_the_same_bytes(tmp_path: Path) -> None:
    """fill patches the package xlsx_bytes makes in memory; it is the package
    xls_to_xlsx writes to disk, byte for byte (same stamp: the .xls's time)."""
    from selfeval_xlsx.xls import xlsx_bytes

    src = next(SAMPLES.glob("08_*.xls"))
    xls_to_xlsx(src, tmp_path / "disk.xlsx")
    assert xlsx_bytes(src) == (tmp_path / "disk.xlsx").read_bytes()
    assert not list(tmp_path.glob("*.tmp*"))


@pytest.mark.libreoffice
@needs_soffice
def test_merged_cell_comment_and_whole_row_print_area(tmp_path: Path):
    """A comment on a cell inside a merge is carried (the openpyxl-built
    conversion refused such a file as damaged: openpyxl cannot put a
    comment on a merged cell), and so is a print area of whole rows."""
    def build(wb, ws):
        ws.merge_range("C3:D4", "合并", None)
        ws.write_comment("D4", "合并格内的批注")
        ws.print_area("A1:XFD5")

    xls = _to_xls(tmp_path, "merged_note", build)
    xls_to_xlsx(xls, tmp_path / "merged_note.out.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "merged_note.out.xlsx")
    ws = wb["表1"]
    assert "C3:D4" in {str(r) for r in ws.merged_cells.ranges}
    with zipfile.ZipFile(tmp_path / "merged_note.out.xlsx") as zf:
        comments = next(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/comments/"))
        assert 'ref="D4"' in comments and "合并格内的批注" in comments
        assert "'表1'!$1:$5" in zf.read("xl/workbook.xml").decode()
