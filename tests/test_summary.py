"""summary.xlsx: sheets, values, links, colours, charts, formula-safe text, determinism."""

from __future__ import annotations

import math
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx.summary import FINDING_HEADERS, FINDING_TABLE, FOLDER_HEADERS, FORM_HEADERS, Summary, display_width
from selfeval_xlsx.table import SUMMARY

NASTY = ["=HYPERLINK(\"http://evil\",\"x\")", "+1", "-2+3", "@SUM(A1:A2)", "=1+1"]


def _form(unit, *, sheet="Sheet1", kind="department", stated=97.752, computed=97.75, findings=(), year=2023,
          conclusion=("优", "优")):
    return {
        "sheet": sheet, "kind": kind, "unit": unit, "year": year, "indicator_count": 3,
        "budget": {"rate": 0.9752, "score": 9.752, "rate_cell": "F6", "score_cell": "G6"},
        "total": {"stated": stated, "computed": computed, "cell": "G23"},
        "conclusion": {"stated": conclusion[0], "computed": conclusion[1], "cell": "G24"},
        "findings": list(findings),
    }


def _finding(code, severity="error", cell="H23", message="总分不等于各项之和", expected=None, found=None):
    return {"code": code, "severity": severity, "cell": cell, "message": message,
            "expected": expected, "found": found}


def _sample_summary(path: Path) -> Summary:
    s = Summary(path, folder="提交材料", date="2026-01-15")
    s.add("甲县/a.xlsx", {"file": "in/甲县/a.xlsx", "status": "errors", "error": None, "forms": [
        _form("甲县财政局", findings=[_finding("T101"), _finding("S201", "warning", "I12", "扣分未说明原因")]),
        _form("甲县项目", sheet="项目 表'2", kind="project", stated=85.0, computed=85.0,
              conclusion=("良", "良")),
    ]}, "甲县/a.xlsx")
    s.add("甲县/b.xlsx", {"file": "in/甲县/b.xlsx", "status": "unreadable",
                         "error": "in/甲县/b.xlsx: 文件已加密", "forms": []}, "../in/甲县/b.xlsx")
    s.add("乙县/c.xlsx", {"file": "in/乙县/c.xlsx", "status": "errors", "error": None, "forms": [
        _form(NASTY[0], stated=55.0, computed=59.5, conclusion=(NASTY[1], "差"),
              findings=[_finding("C101", cell="G24", message=NASTY[3], expected=NASTY[4], found=NASTY[2]),
                        _finding("T101", expected=59.5, found=55.0)]),
    ]}, "乙县/c.xlsx")
    s.add("乙县/d.xlsx", {"file": "in/乙县/d.xlsx", "status": "ok", "error": None, "forms": [
        _form("乙县单位", stated=None, computed=None, year=None, conclusion=(None, None)),
    ]}, "乙县/d.xlsx")
    return s


@pytest.fixture()
def written(tmp_path):
    return _sample_summary(tmp_path / "summary.xlsx").finish()


def test_sheets_headers_and_rows(written):
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames == ["汇总", "按文件夹", "问题清单", "统计"]
    ws = wb["汇总"]
    assert [c.value for c in ws[1]] == list(FORM_HEADERS)
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5
    first = dict(zip(FORM_HEADERS, rows[0]))
    assert first["文件夹"] == "甲县" and first["文件"] == "a.xlsx"
    assert first["工作表"] == "Sheet1" and first["表类型"] == "部门整体"
    assert first["单位或项目"] == "甲县财政局" and first["年度"] == 2023
    assert first["填报总分"] == 97.752 and first["计算总分"] == 97.75
    assert first["差额"] == pytest.approx(0.002)
    assert first["错误数"] == 1 and first["警告数"] == 1 and first["状态"] == "错误"
    second = dict(zip(FORM_HEADERS, rows[1]))
    assert second["表类型"] == "项目" and second["状态"] == "通过" and second["差额"] == 0
    unreadable = dict(zip(FORM_HEADERS, rows[2]))
    assert unreadable["状态"] == "无法读取" and unreadable["说明"] == "in/甲县/b.xlsx: 文件已加密"
    assert unreadable["填报总分"] is None
    last = dict(zip(FORM_HEADERS, rows[4]))
    assert last["年度"] is None and last["差额"] is None and last["状态"] == "通过"

    ws = wb["问题清单"]
    assert [c.value for c in ws[1]] == list(FINDING_HEADERS)
    findings = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(findings) == 4
    assert findings[0][:8] == ("甲县", "a.xlsx", "Sheet1", "H23", "T101", "总分错误", "错误", "总分不等于各项之和")
    assert findings[1][6] == "警告" and findings[1][4:6] == ("S201", "扣分未说明原因")
    assert findings[3][8:] == (59.5, 55.0)


def test_formula_injection_stays_text(written):
    wb = openpyxl.load_workbook(written)
    row = list(wb["汇总"].iter_rows(min_row=5, max_row=5))[0]
    unit = row[FORM_HEADERS.index("单位或项目")]
    assert unit.value == NASTY[0] and unit.data_type == "s"
    conclusion = row[FORM_HEADERS.index("填报结论")]
    assert conclusion.value == "+1" and conclusion.data_type == "s"
    finding = list(wb["问题清单"].iter_rows(min_row=4, max_row=4))[0]
    assert [c.value for c in finding[7:]] == [NASTY[3], NASTY[4], NASTY[2]]
    assert all(c.data_type == "s" for c in finding[7:])
    # and nowhere in the package is there a formula element
    with zipfile.ZipFile(written) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_hyperlinks_point_at_sheet_and_cell(written):
    wb = openpyxl.load_workbook(written)
    ws = wb["问题清单"]
    link = ws.cell(2, 4).hyperlink  # 单元格
    assert link.target.replace("\\", "/") == "甲县/a.xlsx"
    assert link.location == "'Sheet1'!H23"
    link = ws.cell(5, 4).hyperlink
    assert link.target.replace("\\", "/") == "乙县/c.xlsx" and link.location == "'Sheet1'!H23"
    summary = wb["汇总"]
    link = summary.cell(3, 3).hyperlink  # 工作表: the project form, sheet name with a quote and space
    assert summary.cell(3, 3).value == "项目 表'2" and link.location == "'项目 表''2'!A1"
    assert summary.cell(4, 3).value == "—"  # the unreadable file: its link still opens it
    assert summary.cell(4, 3).hyperlink.target.replace("\\", "/") == "../in/甲县/b.xlsx"


def test_layout_filter_freeze_widths_colours(written):
    wb = openpyxl.load_workbook(written)
    ws = wb["汇总"]
    assert ws.auto_filter.ref == "A1:O6"
    assert ws.freeze_panes == "A2"
    # CJK counts double: "单位或项目" (10) is narrower than the widest unit text
    assert ws.column_dimensions["E"].width >= display_width("甲县财政局")
    assert display_width("甲县") == 4 and display_width("ab") == 2
    rules = {str(r.sqref): [x for x in r.rules] for r in ws.conditional_formatting}
    assert "I2:I6" in rules and rules["I2:I6"][0].operator == "notBetween"
    status = rules["N2:N6"]
    assert {tuple(r.formula) for r in status} >= {('"错误"',), ('"警告"',), ('"通过"',)}
    # a stated conclusion that is not the computed one is coloured (优 and 优秀 agree)
    mismatch = rules["J2:K6"][0]
    assert mismatch.type == "expression" and mismatch.formula == ['AND($J2<>"",$K2<>"",LEFT($J2,1)<>LEFT($K2,1))']
    # bordered cells; long text wraps (说明, 单位, 文件) and the row is as tall as it
    assert ws["A2"].border.left.style == "thin" and ws["O4"].alignment.wrap_text
    assert ws["E5"].alignment.wrap_text and ws["N2"].border.bottom.style == "thin"
    ws = wb["问题清单"]
    assert ws.auto_filter.ref == "A1:J5" and ws.freeze_panes == "A2"
    assert ws["H2"].alignment.wrap_text and ws["B2"].border.top.style == "thin"


def _column_widths(path, title: str) -> list[float]:
    """The widths of a sheet's columns as its <cols> gives them (a <col> may span several)."""
    wb = openpyxl.load_workbook(path)
    part = f"xl/worksheets/sheet{wb.sheetnames.index(title) + 1}.xml"
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    return [float(w) for lo, hi, w in re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', xml)
            for _ in range(int(lo), int(hi) + 1)]


def test_page_setup_of_every_sheet(written):
    """Every sheet prints A4 landscape, one page wide and any number tall, its
    header row repeated and the title (folder, date) at the top of each page;
    the printed widths stay within what one page holds at 9 pt or more."""
    wb = openpyxl.load_workbook(written)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape" and str(setup.paperSize) == "9", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0, ws.title
        header = ws.oddHeader.left.text + ws.oddHeader.right.text
        assert "绩效自评表批量校验汇总" in header and "提交材料" in header and "2026-01-15" in header, ws.title
        assert "&P" in ws.oddFooter.center.text
        if ws.title != "统计":
            assert ws.print_title_rows == "$1:$1", ws.title
            # LibreOffice fits about 130 widths of 11-pt text to an A4 landscape line: up to
            # 155 print at 9 pt or more (test_a_big_summary_prints_at_nine_points_or_more)
            assert sum(_column_widths(written, ws.title)) <= 155, ws.title
    # the charts each begin a page
    stats = wb["统计"]
    assert len(stats.row_breaks.brk) == 2
    with zipfile.ZipFile(written) as z:
        anchors = z.read("xl/drawings/drawing1.xml").decode()
    starts = [int(r) for r in __import__("re").findall(r"<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff>"
                                                      r"<xdr:row>(\d+)</xdr:row>", anchors)]
    assert sorted(starts) == sorted(b.id for b in stats.row_breaks.brk)


def test_per_folder_sheet(written):
    ws = openpyxl.load_workbook(written)["按文件夹"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == list(FOLDER_HEADERS)
    by = {r[0]: tuple(r[1:]) for r in rows[1:]}
    # 乙县: c (errors, 59.5) and d (no computed total); 甲县: a (two forms, 97.75 and 85) and b (unreadable)
    assert by["乙县"] == (2, 2, 0, 2, 0, 0.5, 59.5)
    assert by["甲县"][:6] == (2, 2, 1, 1, 1, 0.5) and by["甲县"][6] == pytest.approx(91.38)
    assert by["合计"][:6] == (4, 4, 1, 3, 1, 0.5) and by["合计"][6] == pytest.approx(80.75)
    assert list(by) == ["乙县", "甲县", "合计"]


def test_statistics_and_charts(written):
    wb = openpyxl.load_workbook(written)
    ws = wb["统计"]
    values = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert "提交材料" in values[0][0] and "2026-01-15" in values[0][0]  # the title
    # two blocks: overview and score bands in A–C, findings per rule in E–H
    flat = {r[0]: r[1:3] for r in values if r and r[0] is not None}
    flat.update({r[4]: r[5:8] for r in values if len(r) > 4 and r[4] is not None})
    assert flat["文件数"][0] == 4 and flat["自评表数"][0] == 4
    assert flat["错误"][0] == 3 and flat["警告"][0] == 1 and flat["无法读取的文件"][0] == 1
    assert flat["T101"] == ("总分错误", "错误", 2)
    assert flat["C101"] == ("自评结论与总分等级不符", "错误", 1) and flat["S201"] == ("扣分未说明原因", "警告", 1)
    # codes sorted by count, then code
    codes = [r[4] for r in values if r[4] in ("T101", "C101", "S201")]
    assert codes == ["T101", "C101", "S201"]
    assert flat["优秀"][1] == 1 and flat["良好"][1] == 1 and flat["中"][1] == 0 and flat["差"][1] == 1
    assert flat["无计算总分"][1] == 1
    with zipfile.ZipFile(written) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        assert b"barChart" in z.read(charts[0]) and b"barChart" in z.read(charts[1])


def test_rerun_is_byte_identical(tmp_path):
    a = _sample_summary(tmp_path / "a" / "summary.xlsx").finish()
    b = _sample_summary(tmp_path / "b" / "summary.xlsx").finish()
    assert a.read_bytes() == b.read_bytes()
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["summary.xlsx"]


def test_empty_summary(tmp_path):
    path = Summary(tmp_path / "summary.xlsx").finish()
    wb = openpyxl.load_workbook(path)
    assert wb["汇总"].max_row == 1 and wb["问题清单"].max_row == 1


def test_control_characters_and_long_text(tmp_path):
    s = Summary(tmp_path / "summary.xlsx")
    s.add("x.xlsx", {"file": "x.xlsx", "status": "unreadable", "error": "bad\x00\x07 file " + "长" * 40000,
                     "forms": []}, None)
    path = s.finish()
    value = openpyxl.load_workbook(path)["汇总"].cell(2, 15).value
    assert value.startswith("bad file ") and len(value) == 32767


def test_link_limits(tmp_path):
    s = Summary(tmp_path / "summary.xlsx")
    s.add("a#b.xlsx", {"file": "a#b.xlsx", "status": "ok", "error": None,
                       "forms": [_form("u", findings=[_finding("X")])]}, "a#b.xlsx")
    s.add("long.xlsx", {"file": "long.xlsx", "status": "ok", "error": None,
                        "forms": [_form("u", findings=[_finding("X")])]}, "d/" * 1100 + "long.xlsx")
    path = s.finish()
    ws = openpyxl.load_workbook(path)["问题清单"]
    assert ws.cell(2, 4).value == "H23" and ws.cell(2, 4).hyperlink is None
    assert ws.cell(3, 4).value == "H23" and ws.cell(3, 4).hyperlink is None


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with _sample_summary(tmp_path / "summary.xlsx") as s:
            assert list(tmp_path.iterdir()) == []  # rows stream into a scratch folder elsewhere
            monkeypatch.setattr(Summary, "_write_stats", boom)  # fails once .summary.tmp-… is there
            s.finish()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(KeyboardInterrupt):  # interrupted between files
        with _sample_summary(tmp_path / "summary.xlsx"):
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def _growth(tmp_path, name, link: bool) -> int:
    import tracemalloc

    s = Summary(tmp_path / name)
    result = {"file": "f", "status": "errors", "error": None,
              "forms": [_form("单位", findings=[_finding("T101")] * 10)]}
    for i in range(200):
        s.add(f"县/{i}.xlsx", result, f"县/{i}.xlsx" if link else None)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(200, 2200):
        s.add(f"县/{i}.xlsx", result, f"县/{i}.xlsx" if link else None)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    ws = openpyxl.load_workbook(s.finish(), read_only=True)["问题清单"]
    assert ws.max_row == 2200 * 10 + 1
    return grown


def test_memory_flat_rows_streamed(tmp_path):
    """Rows are written as they come: nothing per row is kept in Python
    except xlsxwriter's hyperlink table (under 1 KB a link, at most 65,530
    links a sheet)."""
    assert _growth(tmp_path, "plain.xlsx", link=False) < 1_000_000
    assert _growth(tmp_path, "linked.xlsx", link=True) < 22_000 * 1200


@pytest.mark.usefixtures("soffice", "pdftotext")
def test_a_big_summary_prints_at_nine_points_or_more(tmp_path):
    """A batch of hundreds of files with long names and messages: printed through
    LibreOffice, the text on every sheet is at least 9 pt, not shrunk to fit (a
    word's box in the PDF is 1.3 times the font size: 11.72 pt for 9-pt text,
    13.01 for 10 pt; before, an 800-file summary printed at 7.27, i.e. 5.6 pt)."""
    s = Summary(tmp_path / "summary.xlsx", folder="提交材料", date="2026-01-15")
    for i in range(200):
        s.add(f"县{i % 20:02d}/某县某某局_2024部门整体支出绩效自评表_{i:03d}.xlsx", {"status": "errors", "forms": [
            _form(f"某县第{i}单位（贵州省黔南布依族苗族自治州）", stated=97.5, computed=96.25, findings=[
                _finding("S201", "warning", "I15", "得分 9 低于分值 10，但未填写未完成原因；请说明偏离目标的原因及改进措施"),
                _finding("T101", "error", "H30", "总分 97.5 与计算结果 96.25 不符（各三级指标得分 + 预算执行得分）；请更正",
                         96.25, 97.5)])]}, f"县{i % 20:02d}/x{i}.xlsx")
    path = s.finish()
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), str(path)], capture_output=True, text=True, timeout=300)
    pdf = tmp_path / "pdf" / "summary.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stdout + proc.stderr
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                              text=True).stdout).group(1))
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)]
    assert len(heights) > 1000 and pages > 10
    # the page header/footer and all table text: nothing under 9 pt
    assert min(heights) >= 11.7, sorted(heights)[:5]


def test_a_long_folder_name_fits_the_page_header(tmp_path, recwarn):
    s = Summary(tmp_path / "summary.xlsx", folder="很长的文件夹名&" * 40, date="2026-01-15")
    path = s.finish()
    assert not [w for w in recwarn if "255" in str(w.message)]
    header = openpyxl.load_workbook(path)["汇总"].oddHeader.right.text
    assert header.startswith("文件夹：…") and header.endswith("2026-01-15") and "&" in header


def test_every_rule_has_a_name_for_the_reviewer():
    """The 规则 column and the 审核意见单 show a short Chinese name beside each code."""
    from selfeval_xlsx.rules import RULES, VALUE_RULES, title

    assert all(title(rule.code) for rule in RULES), [r.code for r in RULES if not title(r.code)]
    assert all(title(rule.code, "en") == rule.name for rule in RULES)
    assert VALUE_RULES <= {rule.code for rule in RULES}


def test_links_stop_at_excel_url_limit():
    """A link is kept up to Excel's URL limit ("external:" + path + "#" +
    location) and dropped one character over it, with and without a sheet;
    never for a path with a # or one that is not Unicode."""
    from selfeval_xlsx.summary import MAX_URL, _excel_link

    room = MAX_URL - len("external:")
    assert _excel_link("a" * room, None, None) == ("a" * room, "")
    assert _excel_link("a" * (room + 1), None, None) is None
    location = "'it''s'!B7"
    path = "b" * (room - len(location) - 1)
    assert _excel_link(path, "it's", "B7") == (path, location)
    assert _excel_link(path + "b", "it's", "B7") is None
    assert _excel_link("x.xlsx", "表", None) == ("x.xlsx", "'表'!A1")
    assert _excel_link("a#b.xlsx", "表", "A1") is None and _excel_link("\udcff.xlsx", "表", "A1") is None


def test_a_text_of_several_lines_gets_a_line_each(tmp_path):
    # each line of a finding's message wraps on its own: three short lines
    # take three lines of the row (measured as one run they took one, and the
    # row stayed as tall as the rule's name in its narrow column, hiding the
    # last line); a long line after a short one wraps within its own lines
    short, long = "一级指标“效益指标\n30分)”\n标注 30 分", "甲\n" + "长" * 60
    s = Summary(tmp_path / "summary.xlsx")
    s.add("a.xlsx", {"file": "a.xlsx", "status": "errors", "error": None, "forms": [
        _form("甲县财政局", findings=[_finding("W102", message=short), _finding("W102", message=long),
                                   _finding("W102", message="一行")]),
    ]}, "a.xlsx")
    ws = openpyxl.load_workbook(s.finish())["问题清单"]
    col = FINDING_HEADERS.index("说明") + 1
    rows = {ws.cell(r, col).value: r for r in range(2, ws.max_row + 1)}
    assert set(rows) == {short, long, "一行"}
    per_line = SUMMARY.per_line(FINDING_TABLE.columns[col - 1].width)
    assert ws.row_dimensions[rows["一行"]].height < SUMMARY.height(3)  # (the rule's name wraps on its own)
    assert ws.row_dimensions[rows[short]].height == SUMMARY.height(3)
    assert ws.row_dimensions[rows[long]].height == SUMMARY.height(1 + math.ceil(120 / per_line)) > SUMMARY.height(3)
