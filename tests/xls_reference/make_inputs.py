"""How the .xls inputs of ``tests/test_xls_equivalence.py`` were made (kept for the record).

Run from the repository root with ``PYTHONPATH=.:tests``; LibreOffice makes
``lo_misc.xls``.  The ``*.old.xlsx`` beside them are what the converter wrote
when it went through openpyxl (commit 5e74ea6, ``selfeval_xlsx.xls.xlsx_bytes``).
Not a test: the inputs are kept, so the comparison does not depend on
LibreOffice or on xlwt writing the same bytes again.
"""
import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

import xlsxwriter
import xlwt

from test_xls import make_form

out = Path(__file__).parent
work = Path(tempfile.mkdtemp())
make_form(out / "form.xls")

wb = xlwt.Workbook(encoding="utf-8")
ws = wb.add_sheet("各种")
bold = xlwt.easyxf("font: bold on, height 240, colour blue, escapement superscript; align: wrap on, rotation 45;"
                   " pattern: pattern 9, fore_colour yellow, back_colour green;"
                   " borders: left dashed, right double, top hair, bottom thick, diag medium, need_diag1 1,"
                   " left_colour red, diag_colour blue; protection: cell_locked false, formula_hidden true")
shrink = xlwt.easyxf("align: shrink_to_fit on, horiz distributed, vert justified; font: struck_out on, outline on, shadow on")
dates = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
times = xlwt.easyxf(num_format_str="h:mm")
custom = xlwt.easyxf(num_format_str='#,##0.00_);[Red](#,##0.00)')
text = xlwt.easyxf(num_format_str="@")
values = [1, 2.5, -0.1, 1e20, 1 / 3, 0.1 + 0.2, 123456789012345.6, " lead", "trail ", "a & b < c > d \"q\" 'a'",
          "x\ny", "  ", "=SUM(A1)", "#N/A", True, False, "_x0041_", "tab\there"]
for r, v in enumerate(values):
    ws.write(r, 0, v)
    ws.write(r, 1, v, bold)
    ws.write(r, 2, None, shrink)
ws.write(0, 3, dt.datetime(2024, 2, 29, 13, 30, 15), dates)
ws.write(1, 3, dt.date(1900, 1, 15), dates)
ws.write(2, 3, dt.time(8, 15), times)
ws.write(3, 3, 1234.5, custom)
ws.write(4, 3, "0012", text)
ws.write(5, 3, dt.datetime(1900, 3, 1), dates)
row = ws.row(6)
row.set_cell_error(3, "#DIV/0!")
row.set_cell_error(4, "#REF!")
ws.write_rich_text(7, 3, [("红色", xlwt.Font()), ("粗体", bold.font), " 普通"])
ws.write_merge(20, 21, 0, 2, "merged", bold)
ws.write(22, 3, None, shrink); ws.merged_ranges.append((22, 24, 3, 3))
ws.write(23, 3, "hidden by merge", bold)
ws.col(0).width = 256 * 15
ws.col(1).hidden = True
ws.col(2).level = 1
ws.col(4).set_style(bold)
ws.row(3).level = 2
ws.row(4).hidden = True
ws.row(5).set_style(shrink)
ws.row(5).height = 500
ws.row(5).height_mismatch = True
ws.panes_frozen = True
ws.horz_split_pos = 2
ws.vert_split_pos = 1
ws.show_grid = False
ws.normal_magn = 85
ws.horz_page_breaks = [(10, 0, 255)]
ws.vert_page_breaks = [(3, 0, 65535)]
ws.print_centered_vert = True
ws.print_grid = True
ws.left_margin = 0.3
ws.top_margin = 1.2
ws.paper_size_code = 9
ws.start_page_number = 3
ws.protect = True
ws.password = "abc"
ws._Worksheet__header_str = "&L左&C中&R右"
ws._Worksheet__footer_str = "plain footer"
hidden = wb.add_sheet("隐藏")
hidden.write(0, 0, "x")
hidden.visibility = 1
third = wb.add_sheet("Third sheet")
third.write(0, 0, 1)
third.show_zero_values = False
third.cols_right_to_left = True
third.selected = True
wb.active_sheet = 2
third.first_visible_row = 3
third.first_visible_col = 2
wb.save(str(out / "kinds.xls"))

wb = xlwt.Workbook()
wb.dates_1904 = True
ws = wb.add_sheet("S")
ws.write(0, 0, dt.datetime(2024, 2, 29, 13, 30), xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm"))
ws.write(1, 0, dt.time(8, 15), xlwt.easyxf(num_format_str="hh:mm"))
wb.save(str(out / "dates1904.xls"))

# what only LibreOffice writes here: comments, validations, links, names, print area and titles
SOFFICE = shutil.which("soffice")


def to_xls(name, build):
    src = work / f"{name}.xlsx"
    w = xlsxwriter.Workbook(str(src))
    s = w.add_worksheet("表1")
    s.write("A1", "标题")
    s.write("A2", 5)
    build(w, s)
    w.close()
    subprocess.run([SOFFICE, "--headless", "--convert-to", "xls", "--outdir", str(out), str(src)],
                   check=True, capture_output=True)


def misc(w, s):
    s.write_url("B1", "https://example.org/", string="链接")
    s.write_url("B3", "internal:'表1'!A5")
    s.write_url("C1", "https://example.com/a?b=c&d", tip="提示")
    s.write_comment("A1", "请填写金额")
    s.write_comment("D4", " 两个 ", {"author": "张三"})
    s.repeat_rows(0, 1)
    s.repeat_columns(0, 1)
    s.print_area("A1:D20")
    s.set_landscape()
    s.set_paper(9)
    s.fit_to_pages(1, 0)
    s.set_header("&C第&P页")
    s.set_footer("&L&\"宋体,加粗\"&12左&R&D")
    s.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    s.center_horizontally()
    s.set_row(3, 30)
    s.protect()
    s.data_validation("E2", {"validate": "list", "source": ["是", "否"]})
    s.data_validation("F2:F10", {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
                                 "input_title": "提示", "input_message": "请输入", "error_type": "warning"})
    s.data_validation("G2", {"validate": "integer", "criteria": ">", "value": 3})
    s.set_zoom(120)
    s.freeze_panes(2, 0)
    w.define_name("数据区", "=表1!$A$2:$A$10")
    w.define_name("表1!局部", "=表1!$B$2:$C$3")
    o = w.add_worksheet("选项")
    o.write(0, 0, "优")
    o.hide()


to_xls("lo_misc", misc)
print("ok")
