"""Patch cell values inside an .xlsx/.xlsm package, losing nothing.

A load-and-save through openpyxl drops shapes, comment formatting, x14
extensions (data validations / conditional formats in ``extLst``), cached
formula results, image anchors and more.  This module edits the package
instead: the sheet XML of an edited sheet gets a targeted textual patch of the
affected ``<row>``/``<c>`` spans (everything else in the part stays byte for
byte), and every other zip member is copied unchanged.

Members that may change:

* the edited worksheet parts;
* ``xl/workbook.xml`` — ``<calcPr fullCalcOnLoad="1"/>`` whenever an edit was
  made; with a report, the new ``<sheet>`` and its ``_xlnm._FilterDatabase``
  defined name;
* ``xl/styles.xml`` — only with ``mark=True`` or a ``number_format``: one new
  fill, derived ``<xf>`` entries (and for the report: two fonts, three xfs);
* with a *new* report sheet: ``[Content_Types].xml``,
  ``xl/_rels/workbook.xml.rels``, ``docProps/app.xml`` (only when its
  HeadingPairs/TitlesOfParts are recognised; Excel repairs an app.xml whose
  counts disagree with each other, but tolerates a stale consistent one, so
  an unrecognised one is left alone) and the new sheet part (appended last);
* with an *existing* report sheet (running on its own output): that sheet
  part, replaced.

Values: numbers become ``<v>`` in plain notation (a ``Decimal`` is written
exactly as given), text becomes an inline string (the shared-strings table is
never touched), ``None`` clears the value.  A formula cell keeps its ``<f>``;
only the cached ``<v>`` (and ``t``) change.

The package work lives in :mod:`selfeval_xlsx.ooxml` (XML text primitives,
the package and its relationships, the sheet patcher, styles.xml, workbook.xml
and friends, notes); this module keeps the edit model (:class:`Edit`,
:class:`Report`, :class:`ReportRow`) and :func:`patch_workbook`, a patch done
in four phases: locate the edits, derive their styles, write the changed
parts, assemble the package.

No heavy imports here: zipfile, re and the stdlib expat bindings only.
"""

from __future__ import annotations

import io
import math
import os
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping, Sequence

from selfeval_xlsx.atomic import write_error
from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.cellref import col_letters
from selfeval_xlsx.ooxml.comments import add_notes, insert_legacy_drawing
from selfeval_xlsx.ooxml.package import (Package, RawMember, SheetRef, Workbook, clone_info, raw_member, resolve_target,
                                         write_package)
from selfeval_xlsx.ooxml.sheet import CellSlot, SheetPatcher, parse_ref
from selfeval_xlsx.ooxml.styles import Styles
from selfeval_xlsx.ooxml.workbook import WorkbookXml, add_sheet, check_sheet_name
# the XML text primitives under the names this module (and its users) know
from selfeval_xlsx.ooxml.xmltext import decode, esc_attr, esc_text, get_attr, unescape
from selfeval_xlsx.ooxml.xmltext import number_text as _number_text
from selfeval_xlsx.ooxml.xmltext import xstring as _xstring

_Styles = Styles  # the name the report-sheet builder knows the styles editor by

__all__ = ["Edit", "Report", "ReportRow", "patch_workbook", "display_value", "MARK_FILL_RGB", "MARK_BORDER_RGB",
           "REPORT_HEADERS", "COMMENT_AUTHOR"]

MARK_FILL_RGB = "FFFFEB9C"  # light yellow-orange (Excel's "Neutral" fill)
MARK_BORDER_RGB = "FFC00000"  # a medium dark-red frame: still seen on a black-and-white print
REPORT_HEADERS = ("序号", "单元格", "级别", "问题", "原值", "更正值/应为", "处理")
#: the end of the report's title (A1): a sheet with it is the tool's own report
REPORT_MARKS = ("审核意见单", "Review sheet")
COMMENT_AUTHOR = "自动校验"

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Edit:
    """One cell to change.

    ``value``: numbers → ``<v>``, text → inline string, ``None`` → clear the
    value (a formula is kept).  ``number_format`` (e.g. ``"0.00%"``) gives the
    cell a new xf derived from its own with that format, unless its current
    format already is that one.  A number written into a cell formatted as a
    date or time gets ``General`` (so 9.7 is not shown as 1900-01-09 and
    read back as a date).  ``formula`` (without "=") replaces the cell's
    formula; ``value`` is then its cached result.
    """

    sheet: str
    ref: str
    value: Decimal | int | float | str | None
    number_format: str | None = None
    #: a cell comment (note) for the changed cell; ``{old}`` and ``{new}`` are
    #: replaced by ``old`` and ``value`` as the cell shows them (its number
    #: format).  Only written with ``mark=True``.
    note: str | None = None
    old: Any = None
    formula: str | None = None


@dataclass(frozen=True)
class ReportRow:
    """One row of the report sheet (the 审核意见单).

    ``old`` is the value of the cell as read; it is shown with that cell's
    number format (97.52%, not 0.9752).  ``new`` is what fill wrote (shown
    with the cell's new format), else ``expected`` what the cell should hold
    (``None``: nothing to show).  ``action`` is the 处理 column; ``{new}`` in
    it is replaced by ``new`` as the cell now shows it.
    """

    code: str
    severity: str
    sheet: str
    cell: str
    message: str
    old: Any
    new: Any
    expected: Any = None
    action: str | None = None
    error: bool = False  # shown in red


@dataclass(frozen=True)
class Report:
    """The report sheet: a printable 审核意见单.

    ``title`` heads the page (and marks the sheet as the tool's own: a sheet
    whose A1 ends with ``REPORT_MARK`` may be replaced by a later run; any
    other sheet of the wanted name is kept and the report takes a free name
    such as 校验结果(2)).  ``lines`` follow the title (file, form, totals);
    ``box`` heads a ruled box for the reviewer's opinion and ``footer`` the
    lines under it (reviewer and date).  ``protect``: sheet names never
    replaced (the forms).
    """

    rows: Sequence[ReportRow]
    title: str = "审核意见单"
    lines: Sequence[str] = ()
    headers: Sequence[str] = ()
    box: str | None = None
    footer: Sequence[str] = ()
    empty: str = "未发现问题"
    page_footer: str = "第 &P 页，共 &N 页"
    protect: frozenset[str] = frozenset()
    #: show the sheet in the 单元格 column ("附件3-1!H7"); None: when the rows are on several sheets
    qualify: bool | None = None
    #: short names for the sheets in the 单元格 column ("表2 H15" rather than a long sheet name)
    sheet_labels: Mapping[str, str] | None = None


# --------------------------------------------------------------------------
# small helpers


def _err(zh: str, en: str) -> SelfevalError:
    return SelfevalError(zh, en)


def _col_letters(col: int) -> str:
    """1 -> 'A'."""
    return col_letters(col - 1)




_FMT_DROP = re.compile(r'\[[^\]]*\]|"[^"]*"|\\.|_.|\*.')
_FMT_DATE = re.compile(r"[yYdDhHsS]|(?<![0#?])[mM]")


def _format_section(code: str) -> str:
    """The first section of a number format (the one for positive numbers
    and, with a single section, for all), split outside quotes."""
    out, quoted = [], False
    for ch in code:
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            break
        out.append(ch)
    return "".join(out)


def display_value(value: Any, code: str | None) -> str:
    """``value`` as a spreadsheet shows it under number format ``code``:
    0.9752 under "0.00%" is "97.52%", 9.7 under "0.00" is "9.70".  Handles
    General, fixed decimals, thousands separators, percent and literal
    text around the number; anything else (dates, fractions) falls back to
    the plain value.  Text is returned as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (ValueError, ArithmeticError, TypeError):
        return str(value)
    if not number.is_finite():
        return str(value)
    section = _format_section(code or "General")
    bare = _FMT_DROP.sub("", section)
    if (not section or section.strip().lower() in ("general", "@") or _FMT_DATE.search(bare)
            or "/" in bare or "E" in bare.upper() and "E+" in bare.upper()):
        return _plain_number(number)
    if number < 0 and len(_split_sections(code or "")) > 1:
        number = -number  # the negative section shows its own sign (or brackets): keep it simple
    m = re.search(r"[0#?][0#?,]*(?:\.[0#?]*)?|\.[0#?]+", bare)
    if not m:
        return _plain_number(number)
    pattern = m.group(0)
    if "%" in bare:
        number *= 100
    whole, _dot, frac = pattern.partition(".")
    places = sum(1 for ch in frac if ch in "0#?")
    required = sum(1 for ch in frac if ch == "0")
    if number.adjusted() >= 15:  # beyond Excel's 15 digits (a 32,000-digit cell): no format shows more
        return _plain_number(number)
    number = number.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    text = f"{number:,.{places}f}" if "," in whole else f"{number:.{places}f}"
    if places > required and "." in text:
        keep = len(text) - (places - required)
        trimmed = text.rstrip("0")
        text = trimmed if len(trimmed) >= keep else text[:keep]
        text = text.rstrip(".") if text.endswith(".") else text
    # literal text before and after the number ("0.00分", "¥#,##0")
    lit = re.compile(r'"([^"]*)"|\\(.)|([^0#?,.%\[\]_*]+)|(%)|\[[^\]]*\]|_.|\*.')

    def literal(part: str) -> str:
        out = []
        for lm in lit.finditer(part):
            if lm.group(1) is not None:
                out.append(lm.group(1))
            elif lm.group(2) is not None:
                out.append(lm.group(2))
            elif lm.group(3) is not None:
                out.append(lm.group(3))
            elif lm.group(4) is not None:
                out.append("%")
        return "".join(out)

    head, tail = _around_number(section)
    return literal(head) + text + literal(tail)


def _split_sections(code: str) -> list[str]:
    parts, cur, quoted = [], [], False
    for ch in code:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return parts


def _around_number(section: str) -> tuple[str, str]:
    """The parts of a format section before and after its digit placeholders
    (outside quotes and brackets)."""
    first = last = None
    i, quoted = 0, False
    while i < len(section):
        ch = section[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            if ch == "[":
                j = section.find("]", i)
                i = j if j > 0 else i
            elif ch in "\\_*":
                i += 1
            elif ch in "0#?":
                first = i if first is None else first
                last = i
            elif ch in ".," and first is not None:
                last = i
        i += 1
    if first is None:
        return section, ""
    return section[:first], section[last + 1:]


def _plain_number(number: Decimal) -> str:
    """General format: up to 10 significant digits, no exponent, no trailing zeros."""
    if number == number.to_integral_value() and abs(number) < Decimal(10) ** 15:
        return str(int(number))
    rounded = Decimal(format(number, ".10g")) if abs(number) >= Decimal("1e-9") else number
    text = format(rounded.normalize(), "f")
    return text


# --------------------------------------------------------------------------
# number formats that show dates (a number written there gets General)


# built-in date/time formats, with those Excel shows as dates in Chinese,
# Japanese and Korean locales (27–36, 50–58)
_BUILTIN_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def is_date_format(code: str) -> bool:
    """True when a number format code shows a date or time (y m d h s 年 月 日
    outside quoted text, escapes and [colour]/[locale] sections)."""
    section = code.split(";", 1)[0]
    if re.search(r"\[(?:h+|m+|s+)\]", section, re.I):  # elapsed time
        return True
    return bool(re.search(r"[ymdhs年月日时秒]", _FORMAT_LITERALS.sub("", section), re.I))


_NUMFMT_ID = re.compile(rb'numFmtId="(\d+)"')
_FORMAT_CODE = re.compile(rb'formatCode="([^"]*)"')


def _may_show_dates(styles: bytes) -> bool:
    """A quick look at styles.xml: could any cell format show a date?"""
    if any(int(m.group(1)) in _BUILTIN_DATE_IDS for m in _NUMFMT_ID.finditer(styles)):
        return True
    return any(is_date_format(unescape(m.group(1).decode("utf-8", "replace")))
               for m in _FORMAT_CODE.finditer(styles))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _shows_date(styles: Styles, xf: int) -> bool:
    """True when xf ``xf`` shows a number as a date or time."""
    found = styles.xf_numfmt(xf)
    if found is None:
        return False
    i, code = found
    return is_date_format(code) if code is not None else i in _BUILTIN_DATE_IDS


# --------------------------------------------------------------------------
# the report sheet


def display_width(s: str) -> int:
    """Columns the text takes: CJK characters count double.  (UTF-8 length
    plus character count, halved: 1 for ASCII, 2 for CJK; done in C.)"""
    if s.isascii():
        return len(s)
    return (len(s.encode("utf-8", "surrogatepass")) + len(s)) // 2


def _report_value(v: Any) -> Decimal | int | float | str | None:
    if v is None or isinstance(v, (Decimal, int, float)) and not isinstance(v, bool):
        if isinstance(v, float) and not math.isfinite(v):
            return str(v)
        if isinstance(v, Decimal) and not v.is_finite():
            return str(v)
        return v
    return str(v)


_REPORT_WIDTHS = (5, 10, 6, 54, 13, 13, 19)  # 序号 单元格 级别 问题 原值 更正值 处理: A4 landscape at ~95%
_LINE_HEIGHT = 16  # points a line of 11-pt CJK text takes (LibreOffice's CJK fonts space lines widest)


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide."""
    usable = max((width - 1.5) * 1.05, 1)  # columns are measured in the 11-pt default font
    if len(text) * 2 <= usable and "\n" not in text:
        return 1
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


def _build_report_sheet(report: Report, styles: "_Styles", *, sheet_names: set[str], ns: str, r_ns: str,
                        old_style: Any, new_style: Any) -> tuple[str, tuple[int, int]]:
    """The 审核意见单 sheet XML and its table's (header row, last row).

    A title, the lines about the file and its forms, a bordered table with
    its header row repeated on every printed page, a ruled box for the
    reviewer's opinion and the signature line; A4 landscape, one page wide.
    Numbers keep the number format of the cell they come from."""
    headers = list(report.headers or REPORT_HEADERS)[:7]
    headers += [""] * (7 - len(headers))
    widths = _REPORT_WIDTHS
    total_width = sum(widths)
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
        v = _report_value(value)
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
        rest = "".join(f'<c r="{_col_letters(k)}{r}" s="{fill_style}"/>' for k in range(2, 8)) \
            if fill_style is not None else ""
        add_row(r, cell(f"A{r}", text, s) + rest, height)
        merges.append(f'<mergeCell ref="A{r}:G{r}"/>')

    r = 1
    merged_line(r, report.title, x_title, 30)
    for line in report.lines:
        r += 1
        merged_line(r, line, x_line, _LINE_HEIGHT * _lines(line, total_width) + 4)
    r += 1
    add_row(r, "", 6)
    r += 1
    header_row = r
    add_row(r, "".join(cell(f"{_col_letters(k + 1)}{r}", h, x_head) for k, h in enumerate(headers)), 20)
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
            cell(f"A{r}", seq, x_center),
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
        texts = [(row.message, widths[3]), (action, widths[6]), (where, widths[1])]
        # a number fits its column; text may wrap
        texts += [(v, w) for v, w in ((old, widths[4]), (shown_new, widths[5])) if isinstance(v, str)]
        lines = max(_lines(t or "", w) for t, w in texts)
        add_row(r, "".join(cells), _LINE_HEIGHT * lines + 4)
    if not report.rows:
        r += 1
        add_row(r, cell(f"A{r}", report.empty, x_text)
                + "".join(f'<c r="{_col_letters(k)}{r}" s="{x_text}"/>' for k in range(2, 8)), 20)
        merges.append(f'<mergeCell ref="A{r}:G{r}"/>')
    last_row = r
    if report.box is not None:
        r += 1
        add_row(r, "", 10)
        r += 1
        merged_line(r, report.box, x_box, _LINE_HEIGHT * 5, fill_style=x_box)
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
    parts.append('<printOptions horizontalCentered="1"/>')
    parts.append('<pageMargins left="0.3" right="0.3" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>')
    parts.append('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>')
    parts.append(f"<headerFooter><oddFooter>&amp;C{footer}</oddFooter></headerFooter>")
    parts.append("</worksheet>")
    return "".join(parts), (header_row, last_row)


# --------------------------------------------------------------------------
# the entry point


def patch_workbook(
    src: Path,
    dst: Path,
    edits: Sequence[Edit],
    *,
    mark: bool = True,
    report: Report | Sequence[ReportRow] | None = None,
    report_sheet: str = "校验结果",
    report_headers: Sequence[str] = REPORT_HEADERS,
    parts: Mapping[str, bytes] | None = None,
    like: Path | None = None,
) -> None:
    """Write ``src`` with ``edits`` applied to ``dst`` (atomically; ``src``
    may be ``dst``).  ``parts``: members of ``src`` already inflated (by the
    loader); they are used instead of inflating those members again.

    ``mark=True`` gives every edited cell a light fill and a medium frame (a
    new xf derived from its own) and its ``note`` as a cell comment (merged
    into the sheet's comments: a user's comment on the same cell keeps its
    text, the note is added below it), and, when ``report`` is given (even
    empty), writes the report sheet (the 审核意见单) named ``report_sheet``.
    A sheet of that name is replaced only when it is the tool's own report
    (its A1 ends with one of ``REPORT_MARKS``) and not in
    ``report.protect``; otherwise the report takes the first free name
    ``report_sheet(2)``, ``(3)`` ….  ``mark=False`` leaves styles.xml alone
    (except for a requested ``number_format``) and adds no sheet or comment.
    """
    if report is not None and not isinstance(report, Report):
        report = Report(rows=list(report), headers=tuple(report_headers))
    src, dst = Path(src), Path(dst)
    try:
        with open(os.fspath(src), "rb") as fh:  # as zipfile opens it, so its errors read the same
            data = fh.read()
        zin = zipfile.ZipFile(io.BytesIO(data))
    except FileNotFoundError:
        raise _err(f"找不到文件：{src}", f"file not found: {src}") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise _err(f"不是有效的 xlsx/xlsm 文件（无法作为 zip 打开）：{exc}",
                   f"not a valid xlsx/xlsm file (cannot open as zip): {exc}") from None
    with zin:
        try:
            members = _build(zin, data, edits, parts, mark=mark, report=report, report_sheet=report_sheet)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
            raise _err(f"文件已损坏，无法读取：{exc}", f"the file is damaged and cannot be read: {exc}") from None
        comment = zin.comment
    try:
        write_package(dst, members, comment, like)
    except OSError as exc:
        raise _err(*write_error(exc, dst)) from exc


@dataclass
class _Patch:
    """What the four phases of one patch share."""

    pkg: Package
    wb: Workbook
    mark: bool
    report: Report | None  # the report sheet to write (None: none)
    report_sheet: str
    existing: SheetRef | None = None  # the sheet the report replaces (None: a new sheet)
    patchers: dict[str, SheetPatcher] = field(default_factory=dict)  # by sheet part
    slots: list[CellSlot] = field(default_factory=list)  # one per edit, in order
    styles: Styles | None = None  # None: styles.xml stays as it is
    replaced: dict[str, bytes] = field(default_factory=dict)  # member name -> new bytes
    new_members: list[tuple[zipfile.ZipInfo, bytes]] = field(default_factory=list)  # appended in this order

    def patcher(self, part: str) -> SheetPatcher:
        patcher = self.patchers.get(part)
        if patcher is None:
            patcher = self.patchers[part] = SheetPatcher(part, self.pkg.read(part))
        return patcher


def _build(zin: zipfile.ZipFile, data: bytes, edits: Sequence[Edit], parts: Mapping[str, bytes] | None, *,
           mark: bool, report: Report | None, report_sheet: str) -> list[tuple[zipfile.ZipInfo, bytes | RawMember]]:
    """The members of the patched package, in order: locate the edits, derive
    their styles, write the workbook's changed parts, assemble."""
    pkg = Package(zin, data, parts)
    wb = Workbook(pkg)
    patch = _Patch(pkg, wb, mark, report if mark else None, report_sheet)
    if patch.report is not None:
        patch.report_sheet, patch.existing = _report_target(pkg, wb, report_sheet, patch.report.protect)
    _locate(patch, edits)
    _style(patch)
    _write_parts(patch, bool(edits))
    return _assemble(patch)


def _locate(patch: _Patch, edits: Sequence[Edit]) -> None:
    """Phase 1: the sheet part and the cell (with its current style) of each edit."""
    wb = patch.wb
    for edit in edits:
        info = wb.find(edit.sheet)
        if info is None:
            names = "、".join(s.name for s in wb.sheets)
            raise _err(f"找不到工作表“{edit.sheet}”（现有：{names}）",
                       f"no sheet named {edit.sheet!r} (sheets: {', '.join(s.name for s in wb.sheets)})")
        if info.part is None:
            raise _err(f"工作表“{edit.sheet}”的部件缺失", f"the part of sheet {edit.sheet!r} is missing")
        if not info.rel_type.endswith("/worksheet"):
            raise _err(f"“{edit.sheet}”不是普通工作表（可能是图表工作表）",
                       f"{edit.sheet!r} is not a worksheet (a chart sheet?)")
        if patch.existing is not None and info is patch.existing:
            raise _err(f"不能同时修改和重写报告工作表“{patch.report_sheet}”",
                       f"cannot edit the report sheet {patch.report_sheet!r} while rewriting it")
        patch.slots.append(patch.patcher(info.part).locate(edit))


def _style(patch: _Patch) -> None:
    """Phase 2: styles.xml, opened only when something needs it — marking,
    a number format, the report, or a number written into a cell that shows
    dates (it gets General, so 9.7 is not shown as 1900-01-09)."""
    mark, slots, pkg, wb = patch.mark, patch.slots, patch.pkg, patch.wb
    must_style = patch.report is not None or any((mark or s.edit.number_format is not None) for s in slots)
    if not (must_style or any(_is_number(s.edit.value) for s in slots)):
        return
    styles_part = None
    for rel in pkg.rels(wb.part)[1]:
        if rel.type.endswith("/styles"):
            styles_part = pkg.name(resolve_target(wb.part, rel.target))
            break
    styles_part = styles_part or pkg.name(posixpath.join(posixpath.dirname(wb.part), "styles.xml"))
    if styles_part is None and not must_style:
        return  # no styles at all: no cell is formatted as a date
    if styles_part is None:
        raise _err("工作簿缺少样式部件 styles.xml，无法标记修改的单元格",
                   "the workbook has no styles.xml; cannot mark the changed cells")
    if not must_style and not _may_show_dates(pkg.read(styles_part)):
        return  # no date format anywhere: styles.xml stays as it is, unparsed
    styles = patch.styles = Styles(styles_part, pkg.read(styles_part), (MARK_FILL_RGB, MARK_BORDER_RGB))
    for s in slots:
        number_format = s.edit.number_format
        if number_format is None and _is_number(s.edit.value) and _shows_date(styles, s.style):
            number_format = "General"
        if mark or number_format is not None:
            s.new_style = styles.derive(s.style, mark=mark, number_format=number_format)


def _write_parts(patch: _Patch, edited: bool) -> None:
    """Phase 3: every part that changes, new bytes into ``patch.replaced``
    or ``patch.new_members``: the notes, the sheets, the report sheet,
    workbook.xml, styles.xml."""
    _notes(patch)
    for part, patcher in patch.patchers.items():
        data = patcher.render()
        if patcher.legacy_drawing is not None:
            data = insert_legacy_drawing(data, patcher)
        if data != patcher.data:
            patch.replaced[part] = data
    wb = patch.wb
    wbx = WorkbookXml(wb.part, patch.pkg.read(wb.part))
    if edited:
        wbx.full_calc_on_load()
    if patch.report is not None:
        _add_report(patch, wbx)
    wb_data = wbx.render()
    if wb_data != wbx.data:
        patch.replaced[wb.part] = wb_data
    if patch.styles is not None:
        sdata = patch.styles.render()
        if sdata != patch.styles.data:
            patch.replaced[patch.styles.part] = sdata


def _notes(patch: _Patch) -> None:
    """The notes on the changed cells (cell comments), marking only; ``{old}``
    and ``{new}`` shown as the cell shows them."""
    styles = patch.styles
    if not patch.mark or styles is None:
        return
    by_part: dict[str, list[tuple[CellSlot, str]]] = {}
    for part, patcher in patch.patchers.items():
        for slot in patcher.slots.values():
            if slot.edit.note:
                old_code = styles.numfmt_of(slot.style)[1]
                new_code = styles.numfmt_of(slot.new_style if slot.new_style is not None else slot.style)[1]
                text = (slot.edit.note.replace("{old}", display_value(slot.edit.old, old_code) or "（空）")
                        .replace("{new}", display_value(slot.edit.value, new_code)))
                by_part.setdefault(part, []).append((slot, text))
    taken = {i.filename.lower() for i in patch.pkg.infos}
    for part, notes in by_part.items():
        add_notes(patch.pkg, patch.patchers[part], notes, patch.replaced, patch.new_members, taken, COMMENT_AUTHOR)


def _add_report(patch: _Patch, wbx: WorkbookXml) -> None:
    """The report sheet (new, or replacing the tool's own) and its defined names."""
    report, styles, wb = patch.report, patch.styles, patch.wb
    assert report is not None and styles is not None
    ns_m = re.search(r'xmlns(?::\w+)?="([^"]*/main)"', wbx.root_tag)
    ns = ns_m.group(1) if ns_m else _MAIN_NS
    r_ns = _R_NS if ns == _MAIN_NS else "http://purl.oclc.org/ooxml/officeDocument/relationships"
    names = {s.name for s in wb.sheets}

    def cell_style(sheet: str, ref: str) -> int | None:
        info = wb.find(sheet)
        if info is None or info.part is None or not info.rel_type.endswith("/worksheet"):
            return None
        try:
            row, col = parse_ref(ref)
        except SelfevalError:
            return None
        patcher = patch.patcher(info.part)
        slot = patcher.slots.get((row, col))
        if slot is not None:
            return slot.style
        return patcher.style_at(row, col)

    def new_style(sheet: str, ref: str) -> int | None:
        info = wb.find(sheet)
        patcher = patch.patchers.get(info.part) if info is not None and info.part else None
        try:
            slot = patcher.slots.get(parse_ref(ref)) if patcher else None
        except SelfevalError:
            slot = None
        if slot is None:
            return None
        return slot.new_style if slot.new_style is not None else slot.style

    xml, table = _build_report_sheet(report, styles, sheet_names=names, ns=ns, r_ns=r_ns,
                                     old_style=cell_style, new_style=new_style)
    data = xml.encode("utf-8")
    quoted = "'" + patch.report_sheet.replace("'", "''") + "'"
    first, last = table
    filter_ref = f"{quoted}!$A${first}:$G${last}"
    titles_ref = f"{quoted}!${first}:${first}"
    existing = patch.existing
    if existing is not None:
        patch.replaced[existing.part] = data  # type: ignore[index]
        wbx.set_filter_name(existing.index, filter_ref)
        wbx.set_local_name("_xlnm.Print_Titles", existing.index, titles_ref)
    else:
        check_sheet_name(patch.report_sheet)
        patch.new_members.append(add_sheet(patch.pkg, wb, wbx, patch.report_sheet, data, patch.replaced))
        wbx.set_filter_name(len(wb.sheets), filter_ref)
        wbx.set_local_name("_xlnm.Print_Titles", len(wb.sheets), titles_ref)


def _assemble(patch: _Patch) -> list[tuple[zipfile.ZipInfo, bytes | RawMember]]:
    """Phase 4: the members in the source's order with its ZipInfo metadata,
    an untouched one as its stored bytes (never inflated and deflated
    again), then the new members."""
    pkg = patch.pkg
    out: list[tuple[zipfile.ZipInfo, bytes | RawMember]] = []
    for info in pkg.infos:
        data: bytes | RawMember | None = patch.replaced.get(info.filename)
        if data is None:
            if info.flag_bits & 0x1:
                raise _err("文件内部部件已加密，无法修改", "a part of the package is encrypted; it cannot be modified")
            data = RawMember(info.compress_type, info.CRC, info.file_size, raw_member(pkg.data, info),
                             info.flag_bits & 0x06)
        out.append((clone_info(info), data))
    out.extend(patch.new_members)
    return out


def _report_target(pkg: Package, wb: Workbook, base: str,
                   protect: frozenset[str]) -> tuple[str, SheetRef | None]:
    """The report sheet's name and the sheet it replaces (None: a new one).
    A sheet is replaced only when it is the tool's own report; a user's
    sheet of that name (a form, notes, anything) is kept and the report
    takes the next free name: 校验结果(2), 校验结果(3) …"""
    for k in range(1, 1000):
        name = base if k == 1 else f"{base}({k})"
        info = wb.find(name)
        if info is None:
            return name, None
        if (info.name not in protect and info.part is not None and info.rel_type.endswith("/worksheet")
                and _is_own_report(pkg, wb, info.part)):
            return info.name, info
    raise _err("找不到可用的报告工作表名称", "no free name for the report sheet")


_T_RE = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.S)
#: the first row of the report sheet as versions before the 审核意见单 wrote it
_OLD_REPORT_HEADS = (("代码", "级别"), ("Code", "Severity"))


def _is_own_report(pkg: Package, wb: Workbook, part: str) -> bool:
    """Whether a sheet is a report this tool wrote: its A1 (inline or shared
    string, as Excel may have re-saved it) ends with a ``REPORT_MARKS`` text
    (or A1, B1 are the old report's 代码, 级别)."""
    try:
        text, _enc = decode(pkg.read(part), part)
    except SelfevalError:
        return False
    head = text[: text.find("</row>") + 6] if "</row>" in text else text[:20000]
    a1, b1 = _cell_text(pkg, wb, head, "A1"), _cell_text(pkg, wb, head, "B1")
    if a1 is None:
        return False
    a1 = a1.strip()
    return (any(a1.endswith(mark) or a1.startswith(mark) for mark in REPORT_MARKS)
            or (a1, (b1 or "").strip()) in _OLD_REPORT_HEADS)


def _cell_text(pkg: Package, wb: Workbook, xml: str, ref: str) -> str | None:
    m = re.search(r"<(?:\w+:)?c\s[^>]*?\br=\"" + ref + r"\"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)", xml, re.S)
    if not m or not m.group(1):
        return None
    tag = xml[m.start(): xml.find(">", m.start()) + 1]
    kind, inner = get_attr(tag, "t"), m.group(1)
    if kind == "inlineStr":
        return "".join(unescape(t) for t in _T_RE.findall(inner))
    if kind == "s":
        v = re.search(r"<(?:\w+:)?v>\s*(\d+)\s*</", inner)
        return _shared_string(pkg, wb, int(v.group(1))) if v else None
    return None


def _shared_string(pkg: Package, wb: Workbook, index: int) -> str:
    part = None
    for rel in pkg.rels(wb.part)[1]:
        if rel.type.endswith("/sharedStrings"):
            part = pkg.name(resolve_target(wb.part, rel.target))
    if part is None:
        return ""
    text, _enc = decode(pkg.read(part), part)
    for i, m in enumerate(re.finditer(r"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", text, re.S)):
        if i == index:
            return "".join(unescape(t) for t in _T_RE.findall(m.group(1)))
    return ""
