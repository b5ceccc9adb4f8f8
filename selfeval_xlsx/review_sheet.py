"""The review sheet (校验结果, the printable 审核意见单) as worksheet XML.

``build_report_sheet`` renders a ``writer.Report`` into the XML of a new
worksheet part: a title, the lines about the file and its forms, a bordered
table (序号 单元格 级别 问题 原值 更正值/应为 处理) whose header row repeats on
every printed page, a ruled box for the reviewer's opinion and the signature
lines; A4 landscape, one page wide.  ``writer.patch_workbook`` adds the part
to the user's package; the styles it needs are added through the styles.xml
editor it is given.

``REPORT_MARKS`` end the title of a sheet this module wrote, so that a later
run recognises its own sheet and replaces it.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from selfeval_xlsx.display import display_value
from selfeval_xlsx.ooxml.xmltext import esc_attr, esc_text
from selfeval_xlsx.ooxml.xmltext import number_text as _number_text
from selfeval_xlsx.ooxml.xmltext import xstring as _xstring
from selfeval_xlsx.table import CENTER, LINK, REVIEW, TEXT, VALUE, Column, PrintSetup, Table

if TYPE_CHECKING:
    from selfeval_xlsx.ooxml.styles import Styles as _Styles
    from selfeval_xlsx.writer import Report

#: the table of findings: A4 landscape at ~95%
REPORT_TABLE = Table(
    columns=(
        Column("序号", "No.", 5, CENTER),
        Column("单元格", "Cell", 10, LINK),
        Column("级别", "Severity", 6, CENTER),
        Column("问题", "Problem", 54, TEXT, wrap=True),
        Column("原值", "Value", 13, VALUE, wrap=True),
        Column("更正值/应为", "Corrected / expected", 13, VALUE, wrap=True),
        Column("处理", "Action", 19, TEXT, wrap=True),
    ),
    metrics=REVIEW,
    print_setup=PrintSetup(top=0.6, bottom=0.6),
)
REPORT_HEADERS = REPORT_TABLE.headers("zh")
#: the end of the report's title (A1): a sheet with it is the tool's own report
REPORT_MARKS = ("审核意见单", "Review sheet")


def _report_value(v: Any) -> Decimal | int | float | str | None:
    if v is None or isinstance(v, (Decimal, int, float)) and not isinstance(v, bool):
        if isinstance(v, float) and not math.isfinite(v):
            return str(v)
        if isinstance(v, Decimal) and not v.is_finite():
            return str(v)
        return v
    return str(v)


def build_report_sheet(report: Report, styles: _Styles, *, sheet_names: set[str], ns: str, r_ns: str,
                        old_style: Any, new_style: Any) -> tuple[str, tuple[int, int]]:
    """The 审核意见单 sheet XML and its table's (header row, last row).

    A title, the lines about the file and its forms, a bordered table with
    its header row repeated on every printed page, a ruled box for the
    reviewer's opinion and the signature line; A4 landscape, one page wide.
    Numbers keep the number format of the cell they come from."""
    headers = list(report.headers or REPORT_HEADERS)[:7]
    headers += [""] * (7 - len(headers))
    table = REPORT_TABLE
    widths = table.widths
    metrics = table.metrics
    total_width = sum(widths)
    # (column, width, characters a line holds) of the columns whose text sets a row's height
    measured = [(k, c.width, metrics.per_line(c.width)) for k, c in enumerate(table.columns) if c.measured]
    border = styles.borders.index_of(styles.border("thin")) if styles.borders.tag is not None else 0
    f_body = styles.add_font(0, size=11)
    f_bold = styles.add_font(0, bold=True, size=11)
    f_title = styles.add_font(0, bold=True, size=16)
    f_link = styles.add_font(0, link=True, size=11)
    f_red = styles.add_font(0, bold=True, size=11, rgb="FFC00000")
    x_title = styles.add_xf(font=f_title, horizontal="center", vertical="center")
    x_line = styles.add_xf(font=f_body, wrap=True, horizontal="left", vertical="center")
    x_head = styles.add_xf(font=f_bold, fill=styles.add_fill("FFD9D9D9"), border=border, wrap=True,
                           horizontal="center", vertical="center")
    x_center = styles.add_xf(font=f_body, border=border, horizontal="center", vertical="top")
    x_text = styles.add_xf(font=f_body, border=border, wrap=True, vertical="top")
    x_link = styles.add_xf(font=f_link, border=border, horizontal="center", vertical="top")
    x_red = styles.add_xf(font=f_red, border=border, horizontal="center", vertical="top")
    x_box = styles.add_xf(font=f_body, border=border, wrap=True, vertical="top")
    x_foot = styles.add_xf(font=f_body, vertical="center")
    num_xfs: dict[int, int] = {}

    def value_xf(xf: int | None) -> tuple[int, str]:
        """A bordered body style with the number format of cell style ``xf``."""
        fid, code = styles.numfmt_of(xf) if xf is not None else (0, "General")
        if fid not in num_xfs:
            num_xfs[fid] = styles.add_xf(font=f_body, border=border, numfmt=fid, wrap=True,
                                         horizontal="right", vertical="top")
        return num_xfs[fid], code

    rows_xml: list[str] = []
    merges: list[str] = []
    links: list[str] = []

    def cell(ref: str, value: Any, s: int) -> str:
        v = value if type(value) is str else _report_value(value)  # (a str is itself)
        if v is None or v == "":
            return f'<c r="{ref}" s="{s}"/>'
        if isinstance(v, str):
            sp = ' xml:space="preserve"' if (v != v.strip() or "\n" in v) else ""
            return f'<c r="{ref}" s="{s}" t="inlineStr"><is><t{sp}>{_xstring(v)}</t></is></c>'
        return f'<c r="{ref}" s="{s}"><v>{_number_text(v)}</v></c>'

    def add_row(r: int, cells: str, height: float | None = None) -> None:
        ht = f' ht="{height:g}" customHeight="1"' if height else ""
        rows_xml.append(f'<row r="{r}"{ht}>{cells}</row>')

    def merged_line(r: int, text: str, s: int, height: float | None = None, fill_style: int | None = None) -> None:
        rest = "".join(f'<c r="{letter}{r}" s="{fill_style}"/>' for letter in "BCDEFG") \
            if fill_style is not None else ""
        add_row(r, cell(f"A{r}", text, s) + rest, height)
        merges.append(f'<mergeCell ref="A{r}:G{r}"/>')

    r = 1
    merged_line(r, report.title, x_title, 30)
    for line in report.lines:
        r += 1
        merged_line(r, line, x_line, metrics.height(metrics.lines(line, total_width)))
    r += 1
    add_row(r, "", 6)
    r += 1
    header_row = r
    add_row(r, "".join(cell(f"{letter}{r}", h, x_head) for letter, h in zip("ABCDEFG", headers)), 20)
    several = report.qualify if report.qualify is not None else len({row.sheet for row in report.rows}) > 1
    for seq, row in enumerate(report.rows, start=1):
        r += 1
        label = (report.sheet_labels or {}).get(row.sheet)
        if not several:
            where = row.cell
        elif label:
            where = f"{label} {row.cell}".strip()
        else:
            where = f"{row.sheet}!{row.cell}" if row.cell else row.sheet
        o_xf, o_code = value_xf(old_style(row.sheet, row.cell) if row.cell and row.old is not None else None)
        shown_new = row.new if row.new is not None else row.expected
        n_style = new_style(row.sheet, row.cell) if row.cell and row.new is not None else None
        if n_style is None and row.cell and row.new is None and row.expected is not None:
            n_style = old_style(row.sheet, row.cell)  # 应为: shown as the cell would show it
        n_xf, n_code = value_xf(n_style)
        action = (row.action or "").replace("{new}", display_value(row.new, n_code))
        old = row.old
        if isinstance(old, str) and not old.strip():
            old = None
        cells = [
            f'<c r="A{r}" s="{x_center}"><v>{seq}</v></c>',  # (cell() of a positive int)
            cell(f"B{r}", where, x_link if row.cell and row.sheet in sheet_names else x_center),
            cell(f"C{r}", row.severity, x_red if row.error else x_center),
            cell(f"D{r}", row.message, x_text),
            cell(f"E{r}", old, o_xf),
            cell(f"F{r}", shown_new, n_xf),
            cell(f"G{r}", action, x_text),
        ]
        if row.cell and row.sheet in sheet_names:
            target = "'" + row.sheet.replace("'", "''") + "'!" + row.cell
            links.append(f'<hyperlink ref="B{r}" location="{esc_attr(target)}" display="{esc_attr(where)}"/>')
        lines = 1  # table.row_height of the row, the measured columns looked up once above
        values = (seq, where, row.severity, row.message, old, shown_new, action)
        for k, width, usable in measured:
            value = values[k]
            # (a text that fits however wide its characters is 1 line: Metrics.lines' own first test)
            if isinstance(value, str) and (len(value) * 2 > usable or "\n" in value):
                lines = max(lines, metrics.lines(value, width))
        add_row(r, "".join(cells), metrics.height(lines))
    if not report.rows:
        r += 1
        add_row(r, cell(f"A{r}", report.empty, x_text)
                + "".join(f'<c r="{letter}{r}" s="{x_text}"/>' for letter in "BCDEFG"), 20)
        merges.append(f'<mergeCell ref="A{r}:G{r}"/>')
    last_row = r
    if report.box is not None:
        r += 1
        add_row(r, "", 10)
        r += 1
        merged_line(r, report.box, x_box, metrics.line_height * 5, fill_style=x_box)
    for line in report.footer:
        r += 1
        add_row(r, "", 10)
        r += 1
        merged_line(r, line, x_foot, 22)
    cols = "".join(f'<col min="{k + 1}" max="{k + 1}" width="{w}" customWidth="1"/>' for k, w in enumerate(widths))
    footer = esc_text(report.page_footer)
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{ns}" xmlns:r="{r_ns}">',
        '<sheetPr><tabColor rgb="FFC00000"/><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="A1:G{r}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="A{header_row + 1}" sqref="A{header_row + 1}"/>'
        '</sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>",
        "<sheetData>" + "".join(rows_xml) + "</sheetData>",
        f'<autoFilter ref="A{header_row}:G{last_row}"/>',
        f'<mergeCells count="{len(merges)}">' + "".join(merges) + "</mergeCells>",
    ]
    if links:
        parts.append("<hyperlinks>" + "".join(links) + "</hyperlinks>")
    parts.append(_print_xml(table.print_setup))
    parts.append(f"<headerFooter><oddFooter>&amp;C{footer}</oddFooter></headerFooter>")
    parts.append("</worksheet>")
    return "".join(parts), (header_row, last_row)


def _print_xml(p: PrintSetup) -> str:
    """The print options, margins and page setup of a worksheet."""
    return (('<printOptions horizontalCentered="1"/>' if p.centred else "")
            + f'<pageMargins left="{p.left:g}" right="{p.right:g}" top="{p.top:g}" bottom="{p.bottom:g}" '
              f'header="{p.header:g}" footer="{p.footer:g}"/>'
            + f'<pageSetup paperSize="{p.paper}" orientation="{"landscape" if p.landscape else "portrait"}" '
              f'fitToWidth="{p.fit_width}" fitToHeight="{p.fit_height}"/>')
