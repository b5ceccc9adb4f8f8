"""``summary.xlsx``: the reviewer's overview of a batch run.

Three sheets:

* 汇总 -- one row per form (and one per unreadable file, with the reason in
  说明): scores stated and computed, their difference, conclusions, finding
  counts and a status (通过 / 警告 / 错误 / 无法读取), coloured by conditional
  formats; autofilter, frozen header, widths fitted to the text (CJK
  characters count double).
* 问题清单 -- one row per finding, each linking to the cell in the corrected
  copy (or the original with ``--no-fill``).
* 统计 -- totals, findings per rule code and the distribution of computed
  scores over the grade bands, each with a chart.

Rows are streamed: :meth:`Summary.add` renders them as sheet XML into a
scratch file (results arrive in file order) and :meth:`Summary.finish`
splices them into the workbook xlsxwriter builds around them
(header, formats, filters, colours, the 统计 sheet and its charts).  Memory
does not grow with the number of files, and the parent process spends a
few microseconds a row instead of xlsxwriter's ~10 µs a cell.  Text from
submissions is always an inline string, never a formula: a unit called
``=HYPERLINK(...)`` stays text.  The file is written to a temporary
name in the target folder and moved into place with ``os.replace``; fixed
document properties make a rerun produce the same bytes.
"""

from __future__ import annotations

import functools
import math
import os
import re
import tempfile
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from selfeval_xlsx.errors import display_path
from selfeval_xlsx.cellref import col_letters
from selfeval_xlsx.rules import VALUE_RULES, count_severities, title
from selfeval_xlsx.display import KIND_LABEL, SEVERITY_LABEL, display_width
from selfeval_xlsx.table import LINK, SUMMARY, TEXT, Column, PrintSetup, Table
from selfeval_xlsx.ooxml.xmltext import esc_attr, esc_text

KIND_NAMES = KIND_LABEL["zh"]  # the cells are Chinese in either --lang (only the headers follow it)
SEVERITY_NAMES = SEVERITY_LABEL["zh"]

STATUS_OK = "通过"
STATUS_WARNING = "警告"
STATUS_ERROR = "错误"
STATUS_UNREADABLE = "无法读取"

# Printed widths (characters) of the columns: a cap each, so that a row fits
# one A4 landscape page at 82% or more (11-pt text prints at 9 pt or larger
# however many rows there are: LibreOffice fits about 130 widths to the
# page at 100%); long text wraps instead of widening.  English headers are
# short enough that no word is wider than the column the Chinese header was
# sized for (the print stays one page wide).
#: 汇总: one row per form; the sheet name links to the form
FORM_TABLE = Table(
    columns=(
        Column("文件夹", "Folder", 8, TEXT, wrap=True),
        Column("文件", "File", 22, TEXT, wrap=True),
        Column("工作表", "Sheet", 12, LINK, wrap=True),
        Column("表类型", "Form", 6),
        Column("单位或项目", "Unit or project", 16, TEXT, wrap=True),
        Column("年度", "Year", 5),
        Column("填报总分", "Stated total", 7),
        Column("计算总分", "Calc. total", 7),
        Column("差额", "Diff.", 6),
        Column("填报结论", "Stated grade", 7),
        Column("计算结论", "Calc. grade", 7),
        Column("错误数", "Errors", 5),
        Column("警告数", "Warn.", 5),
        Column("状态", "Status", 6),
        Column("说明", "Message", 19, TEXT, wrap=True),
    ),
    metrics=SUMMARY,
    fitted=True,
)
#: 问题清单: one row per finding; the cell links to it
FINDING_TABLE = Table(
    columns=(
        Column("文件夹", "Folder", 8, TEXT, wrap=True),
        Column("文件", "File", 22, TEXT, wrap=True),
        Column("工作表", "Sheet", 11, TEXT, wrap=True),
        Column("单元格", "Cell", 6, LINK),
        Column("代码", "Code", 5),
        Column("规则", "Rule", 15, TEXT, wrap=True),
        Column("级别", "Level", 5),
        Column("说明", "Message", 42, TEXT, wrap=True),
        Column("应为", "Should be", 9, TEXT, wrap=True),
        Column("填报值", "Stated", 9, TEXT, wrap=True),
    ),
    metrics=SUMMARY,
    fitted=True,
)
FORM_HEADERS = FORM_TABLE.headers()
FINDING_HEADERS = FINDING_TABLE.headers()
FOLDER_HEADERS = ("文件夹", "文件数", "自评表数", "无法读取", "错误", "警告", "通过率", "平均计算总分")
ROOT_FOLDER = "（根目录）"  # files directly in the input folder
TITLE = "绩效自评表批量校验汇总"

#: Headers, sheet names and titles as ``--lang en`` writes them (a label not
#: listed stays as it is): the two tables' column headers, and the rest.
EN_LABELS = {
    **{c.zh: c.en for c in FORM_TABLE.columns + FINDING_TABLE.columns},
    "数量": "Count", "等级": "Grade", "分数范围": "Score range", "表数": "Forms",
    "汇总": "Forms", "问题清单": "Findings", "统计": "Statistics", "总体": "Overall",
    "文件数": "Files", "自评表数": "Forms", "错误": "Errors", "警告": "Warnings",
    "无法读取的文件": "Unreadable files", "通过的表": "Forms passed", "有警告的表": "Forms with warnings",
    "有错误的表": "Forms with errors", "按规则代码统计": "Findings by rule code",
    "计算总分分布": "Distribution of computed totals", "按规则代码的问题数": "Findings by rule code",
    "无计算总分": "No computed total", TITLE: "Self-evaluation batch summary",
    "按文件夹": "By folder", "无法读取": "Unreadable", "通过率": "Pass rate",
    "平均计算总分": "Average total", "合计": "Total", "文件夹：": "folder: ", "　": "  ",
    "&C第 &P 页，共 &N 页": "&CPage &P of &N",
}


def label_for(lang: str):
    """The function that turns a Chinese header into the ``lang`` one."""
    if lang != "en":
        return lambda text: text
    return lambda text: EN_LABELS.get(text, text)


#: Excel's limits
MAX_ROWS = 1_048_576
MAX_LINKS = 65_530
MAX_URL = 2079
MAX_TEXT = 32_767

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_FIXED_DATE = datetime(2000, 1, 1)


def _clean_text(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if not text.isascii() and _SURROGATE.search(text):  # a file name that is not Unicode (GBK bytes)
        text = _SURROGATE.sub("\ufffd", display_path(text))
    if not text.isprintable():  # tabs/newlines are fine, control characters are not
        text = _CONTROL.sub("", text)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT]


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) else None
    return None


def _excel_link(target: str, sheet: str | None, cell: str | None) -> tuple[str, str] | None:
    """A link to ``sheet!cell`` in ``target`` (a path relative to
    summary.xlsx, or absolute) as (path, location); None when Excel could
    not follow it (a # in the path, or longer than Excel's URL limit)."""
    if not target or "#" in target or (not target.isascii() and _SURROGATE.search(target)):
        return None  # (a name that is not Unicode cannot be written as a link)
    location = ""
    if sheet:
        quoted = sheet.replace("'", "''")
        location = f"'{quoted}'!{cell or 'A1'}"
    if len("external:") + len(target) + (len(location) + 1 if location else 0) > MAX_URL:
        return None
    return target, location


def _grade_bands(grades: tuple[float, float, float]) -> list[tuple[str, str, float, float]]:
    excellent, good, passing = grades
    return [
        ("优秀", f"≥{excellent:g}", excellent, math.inf),
        ("良好", f"{good:g}–{excellent:g}", good, excellent),
        ("中", f"{passing:g}–{good:g}", passing, good),
        ("差", f"<{passing:g}", -math.inf, passing),
    ]


class Summary:
    """summary.xlsx, written while a batch runs.

    Rows are streamed into scratch files as they come (see the module
    doc), so memory does not grow with the number of files and the writing
    overlaps the workers.
    :meth:`finish` adds the statistics, colours and filters and moves the
    file into place; leaving without :meth:`finish` (an exception, Ctrl-C)
    removes the partial file.  Use as a context manager.

    ``tolerance`` is the difference between stated and computed 总分 that is
    still shown as agreeing (not red); ``grades`` the lower bounds of
    优秀/良好/中 for the score distribution.
    """

    def __init__(self, path: str | Path, *, tolerance: float = 0.01,
                 grades: tuple[float, float, float] = (90, 80, 60), folder: str | None = None,
                 date: str | None = None, lang: str = "zh"):
        self.path = Path(path)
        self.lang = lang
        self._label = label_for(lang)  # headers, sheet names and titles in --lang
        self._header_height = 30 if lang == "en" else None  # English headers take two lines
        # the title printed at the top of every page: the input folder and the day
        self.folder = folder
        self.date = date if date is not None else datetime.now().strftime("%Y-%m-%d")
        self.folders: dict[str, list[float]] = {}  # per input subfolder: see _count
        self.tolerance = float(tolerance)
        self.grades = tuple(float(g) for g in grades)
        self.code_counts: Counter[tuple[str, str]] = Counter()
        self.band_counts: Counter[str] = Counter()
        self.status_counts: Counter[str] = Counter()
        self.no_score = 0
        self.files = 0
        self.forms = 0
        self.errors = 0
        self.warnings = 0
        self.unreadable = 0
        self._writer = None
        self._tmp: str | None = None
        self._tmpdir: tempfile.TemporaryDirectory | None = None
        self._tables: dict[str, _Table] = {}

    # -- life cycle ------------------------------------------------------

    def __enter__(self) -> Summary:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()

    def _start(self) -> None:
        """The scratch files the rows stream into."""
        self._tmpdir = tempfile.TemporaryDirectory(prefix="selfeval-summary-")
        scratch = Path(self._tmpdir.name)
        self._tables = {
            "forms": _Table(FORM_TABLE, scratch=scratch),
            "findings": _Table(FINDING_TABLE, scratch=scratch),
        }

    def _open(self) -> None:
        """The workbook itself, built with xlsxwriter when finishing (no
        pandas: importing it cost a one-file batch 0.3 s of its 0.55 s)."""
        from xlsxwriter import Workbook

        if self._tmpdir is None:
            self._start()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # the pid lets a later run tell a dead run's leftover from a live run's work (batch.sweep_temp)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.stem}.tmp-{os.getpid()}-", suffix=".xlsx",
                                         dir=self.path.parent)
        os.close(fd)
        options = {
            "constant_memory": True,
            "tmpdir": self._tmpdir.name,  # type: ignore[union-attr]
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": False,
        }
        self._writer = book = Workbook(self._tmp, options)
        book.set_properties({
            "title": self._label(TITLE),
            "subject": "selfeval batch summary",
            "author": "selfeval-xlsx",
            "created": _FIXED_DATE,
        })
        self._fmt = _Formats(book)
        tr = self._label
        for table in self._tables.values():
            table.lang = self.lang
            table.header_height = self._header_height
        self._tables["forms"].attach(book.add_worksheet(tr("汇总")), self._fmt, self._page_header("汇总"))
        self._folders_ws = book.add_worksheet(tr("按文件夹"))
        self._tables["findings"].attach(book.add_worksheet(tr("问题清单")), self._fmt, self._page_header("问题清单"))
        self._stats_ws = book.add_worksheet(tr("统计"))

    def _title(self) -> str:
        tr = self._label
        gap = tr("　")
        where = f"{gap}{tr('文件夹：')}{self.folder}" if self.folder else ""
        return f"{tr(TITLE)}{where}{gap}{self.date}"

    def _page_header(self, sheet: str) -> str:
        """The title on every printed page (xlsxwriter header codes; & doubled)."""
        tr = self._label
        text = f"{TITLE}（{sheet}）" if tr(TITLE) == TITLE else f"{tr(TITLE)} ({tr(sheet)})"
        folder = _clean_text(self.folder or "")
        if len(folder) > 60:  # Excel's header holds 255 characters in all
            folder = "…" + folder[-59:]
        where = f"{tr('文件夹：')}{folder}{tr('　')}" if folder else ""
        return (f'&L&"-,Bold"&12{text.replace("&", "&&")}'
                f"&R{where.replace('&', '&&')}{self.date}")

    def finish(self) -> Path:
        """Complete the workbook and move it into place atomically."""
        if self._writer is None:
            self._open()
        try:
            self._finish_sheets()
            self._writer.close()
            spliced = self._tmp + ".rows"
            try:
                self._splice(self._tmp, spliced)
                os.replace(spliced, self.path)
            finally:
                if os.path.exists(spliced):
                    os.unlink(spliced)
            os.unlink(self._tmp)
            self._tmp = None
        finally:
            self.discard()
        return self.path

    def _splice(self, built: str, target: str) -> None:
        """Copy the package xlsxwriter built, with the streamed rows (and
        their hyperlinks) put into the 汇总 and 问题清单 sheet parts."""
        # the sheets in the order they were added: 汇总, 按文件夹, 问题清单, 统计
        splice_tables(built, target, {"xl/worksheets/sheet1.xml": self._tables["forms"],
                                      "xl/worksheets/sheet3.xml": self._tables["findings"]})

    def discard(self) -> None:
        """Drop an unfinished workbook (nothing is left in the folder)."""
        for table in self._tables.values():
            table.close()
        self._writer = None  # xlsxwriter opens the file only when closing: nothing to close
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except OSError:
                pass
            self._tmp = None
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None

    # -- collecting ------------------------------------------------------

    def add(self, name: str, result: dict[str, Any], link_target: str | None = None) -> None:
        """Record one file's validate/fill dict.

        ``name`` is what the 文件 column shows (the path relative to the
        input folder); ``link_target`` the file the links open, relative to
        summary.xlsx (the corrected copy, or the original).
        """
        if not self._tables:
            self._start()
        forms_table = self._tables["forms"]
        self.files += 1
        folder, _sep, base = name.rpartition("/")
        folder = folder or ROOT_FOLDER
        counts = self.folders.get(folder)
        if counts is None:
            counts = self.folders[folder] = [0, 0, 0, 0, 0, 0, 0.0, 0]  # see _write_folders
        counts[0] += 1
        if result.get("status") == "unreadable":
            self.unreadable += 1
            counts[2] += 1
            self.status_counts[STATUS_UNREADABLE] += 1
            reason = result.get("error") or ""
            forms_table.append(
                (folder, base, None, None, None, None, None, None, None, None, None, None, None,
                 STATUS_UNREADABLE, reason),
                _excel_link(link_target, None, None) if link_target else None,
            )
            return
        forms = result.get("forms") or []
        if not forms:
            self.status_counts[STATUS_WARNING] += 1
            forms_table.append(
                (folder, base, None, None, None, None, None, None, None, None, None, 0, 0,
                 STATUS_WARNING, "未找到自评表"),
                _excel_link(link_target, None, None) if link_target else None,
            )
            return
        for form in forms:
            self._add_form(folder, base, form, link_target, counts)

    def _add_form(self, folder: str, name: str, form: dict[str, Any], link_target: str | None,
                  counts: list) -> None:
        self.forms += 1
        sheet = form.get("sheet") or ""
        findings = form.get("findings") or []
        errors, warnings = count_severities(f.get("severity") for f in findings)
        self.errors += errors
        self.warnings += warnings
        total = form.get("total") or {}
        stated, computed = _number(total.get("stated")), _number(total.get("computed"))
        counts[1] += 1
        counts[3] += errors
        counts[4] += warnings
        if not errors:
            counts[5] += 1
        if computed is not None:
            counts[6] += computed
            counts[7] += 1
        diff = round(stated - computed, 6) if stated is not None and computed is not None else None
        conclusion = form.get("conclusion") or {}
        status = STATUS_ERROR if errors else STATUS_WARNING if warnings else STATUS_OK
        self.status_counts[status] += 1
        if computed is None:
            self.no_score += 1
        else:
            for band, _label, low, high in _grade_bands(self.grades):
                if low <= computed < high:
                    self.band_counts[band] += 1
                    break
        year = form.get("year")
        self._tables["forms"].append(
            (
                folder, name, sheet, KIND_NAMES.get(form.get("kind"), form.get("kind")),
                form.get("unit"), year if _number(year) is not None else (str(year) if year else None),
                stated, computed, diff,
                conclusion.get("stated"), conclusion.get("computed"),
                errors, warnings, status, None,
            ),
            _excel_link(link_target, sheet, "A1") if link_target else None,
        )
        table = self._tables["findings"]
        for finding in findings:
            severity = finding.get("severity") or ""
            code = finding.get("code") or ""
            self.code_counts[(code, severity)] += 1
            cell = finding.get("cell")
            # 应为 / 填报值 only where they are the cell's value (an S201 row has a
            # weight and a score there, which read as a wrong correction)
            value = code in VALUE_RULES
            table.append(
                (
                    folder, name, sheet, cell, code, _rule_name(code), SEVERITY_NAMES.get(severity, severity),
                    finding.get("message"), finding.get("expected") if value else None,
                    finding.get("found") if value else None,
                ),
                _excel_link(link_target, sheet, cell) if link_target else None,
            )

    # -- finishing -------------------------------------------------------

    def _finish_sheets(self) -> None:
        fmt = self._fmt
        forms, findings = self._tables["forms"], self._tables["findings"]
        forms.finish()
        findings.finish()
        n = forms.rows
        if n:
            ws = forms.ws
            diff_col = FORM_HEADERS.index("差额")
            ws.conditional_format(1, diff_col, n, diff_col, {
                "type": "cell", "criteria": "not between",
                "minimum": -self.tolerance, "maximum": self.tolerance, "format": fmt.red,
            })
            col = FORM_HEADERS.index("状态")
            for text, style in ((STATUS_ERROR, fmt.red), (STATUS_WARNING, fmt.orange),
                                (STATUS_OK, fmt.green), (STATUS_UNREADABLE, fmt.grey)):
                ws.conditional_format(1, col, n, col, {
                    "type": "cell", "criteria": "==", "value": f'"{text}"', "format": style,
                })
            # stated and computed conclusion disagree (优 and 优秀 agree: the first character)
            stated_col, computed_col = FORM_HEADERS.index("填报结论"), FORM_HEADERS.index("计算结论")
            a, b = col_letters(stated_col), col_letters(computed_col)
            ws.conditional_format(1, stated_col, n, computed_col, {
                "type": "formula", "criteria": f'=AND(${a}2<>"",${b}2<>"",LEFT(${a}2,1)<>LEFT(${b}2,1))',
                "format": fmt.red,
            })
        n = findings.rows
        if n:
            col = FINDING_HEADERS.index("级别")
            for text, style in ((SEVERITY_NAMES["error"], fmt.red), (SEVERITY_NAMES["warning"], fmt.orange)):
                findings.ws.conditional_format(1, col, n, col, {
                    "type": "cell", "criteria": "==", "value": f'"{text}"', "format": style,
                })
        self._write_folders(self._folders_ws, fmt)
        self._write_stats(self._writer, self._stats_ws, fmt)
        footer = self._label(PAGE_FOOTER)
        if footer != PAGE_FOOTER:
            for ws in self._writer.worksheets():
                ws.set_footer(footer)

    def _write_folders(self, ws, fmt) -> None:
        """按文件夹: one row per input subfolder (a county), then the total."""
        _print_setup(ws, self._page_header("按文件夹"))
        ws.repeat_rows(0)
        ws.freeze_panes(1, 0)
        if self._header_height:
            ws.set_row(0, self._header_height)
        for c, head in enumerate(FOLDER_HEADERS):
            ws.write_string(0, c, self._label(head), fmt.header)
        rows = sorted(self.folders.items(), key=lambda item: (item[0] == ROOT_FOLDER, item[0]))
        total = [0, 0, 0, 0, 0, 0, 0.0, 0]
        width = display_width(FOLDER_HEADERS[0])
        for r, (folder, counts) in enumerate(rows, start=1):
            for k, v in enumerate(counts):
                total[k] += v
            self._folder_row(ws, fmt, r, _clean_text(folder), counts, fmt.cell)
            width = max(width, display_width(folder[:60]))
        self._folder_row(ws, fmt, len(rows) + 1, self._label("合计"), total, fmt.bold_cell)
        ws.autofilter(0, 0, len(rows), len(FOLDER_HEADERS) - 1)
        ws.set_column(0, 0, min(width + 2, 40), fmt.wrap)
        ws.set_column(1, len(FOLDER_HEADERS) - 1, 11)

    @staticmethod
    def _folder_row(ws, fmt, r: int, folder: str, counts: list, style) -> None:
        files, forms, unreadable, errors, warnings, passed, score_sum, scored = counts
        ws.write_string(r, 0, folder, fmt.wrap_bold if style is fmt.bold_cell else fmt.wrap)
        for c, v in enumerate((files, forms, unreadable, errors, warnings), start=1):
            ws.write_number(r, c, v, style)
        if forms:
            ws.write_number(r, 6, passed / forms, fmt.bold_percent if style is fmt.bold_cell else fmt.percent)
        else:
            ws.write_string(r, 6, "—", style)
        if scored:
            ws.write_number(r, 7, round(score_sum / scored, 2),
                            fmt.bold_number if style is fmt.bold_cell else fmt.number)
        else:
            ws.write_string(r, 7, "—", style)

    def _write_stats(self, book, ws, fmt) -> None:
        """统计: the overview and the score bands (columns A–C) beside the
        findings per rule (E–H) on the first page; each chart on a page of
        its own below them."""
        _print_setup(ws, self._page_header("统计"))
        # the workbook streams its rows (constant_memory): collect the cells of
        # the two column blocks, then write them row by row
        cells: list[tuple[int, int, Any, Any]] = []

        class _Sheet:
            @staticmethod
            def write_string(r: int, c: int, value: str, style: Any = None) -> None:
                cells.append((r, c, value, style))

            write_number = write_string

        out, ws = ws, _Sheet()
        for col, width in ((0, 16), (1, 12), (2, 8), (3, 3), (4, 8), (5, 26), (6, 8), (7, 8)):
            out.set_column(col, col, width)
        tr = self._label
        ws.write_string(0, 0, self._title(), fmt.title)
        row = 2
        ws.write_string(row, 0, tr("总体"), fmt.title)
        row += 1
        overview = [
            ("文件数", self.files), ("自评表数", self.forms), ("错误", self.errors),
            ("警告", self.warnings), ("无法读取的文件", self.unreadable),
            ("通过的表", self.status_counts[STATUS_OK]),
            ("有警告的表", self.status_counts[STATUS_WARNING]),
            ("有错误的表", self.status_counts[STATUS_ERROR]),
        ]
        for label, value in overview:
            ws.write_string(row, 0, tr(label), fmt.cell)
            ws.write_number(row, 1, value, fmt.cell)
            row += 1

        # computed score distribution, under the overview
        row += 1
        ws.write_string(row, 0, tr("计算总分分布"), fmt.title)
        row += 1
        bands = _grade_bands(self.grades)  # type: ignore[arg-type]
        dist = [(band, label, self.band_counts[band]) for band, label, _lo, _hi in bands]
        if self.no_score:
            dist.append((tr("无计算总分"), "—", self.no_score))
        band_header = row
        for c, head in enumerate(["等级", "分数范围", "表数"]):
            ws.write_string(row, c, tr(head), fmt.header)
        row += 1
        for band, label, count in dist:
            ws.write_string(row, 0, band, fmt.cell)
            ws.write_string(row, 1, label, fmt.cell)
            ws.write_number(row, 2, int(count), fmt.cell)
            row += 1
        band_first, band_last = band_header + 1, band_header + len(bands)
        left_end = row

        # findings per rule code, beside them (code, the rule's name, severity, count)
        row = 2
        ws.write_string(row, 4, tr("按规则代码统计"), fmt.title)
        row += 1
        codes = sorted(  # most frequent first, then by code and severity
            [(code, _rule_name(code) or "", SEVERITY_NAMES.get(sev, sev), count)
             for (code, sev), count in self.code_counts.items()],
            key=lambda row: (-row[3], row[0], row[2]),
        )
        header_row = row
        for c, head in enumerate(["代码", "规则", "级别", "数量"]):
            ws.write_string(row, 4 + c, tr(head), fmt.header)
        row += 1
        for code, name, severity, count in codes:
            ws.write_string(row, 4, _clean_text(code), fmt.cell)
            ws.write_string(row, 5, _clean_text(name), fmt.cell)
            ws.write_string(row, 6, _clean_text(severity), fmt.cell)
            ws.write_number(row, 7, int(count), fmt.cell)
            row += 1
        codes_first, codes_last = header_row + 1, row - 1
        codes_chart_row = header_row

        for r, c, value, style in sorted(cells, key=lambda cell: (cell[0], cell[1])):
            if isinstance(value, str):
                out.write_string(r, c, value, style)
            else:
                out.write_number(r, c, value, style)
        ws = out

        sheet = f"'{tr('统计')}'"
        chart = book.add_chart({"type": "bar"})
        chart.set_title({"name": tr("按规则代码的问题数"), "name_font": {"size": 14}})
        chart.set_legend({"none": True})
        # 11-pt labels: a chart prints as small as the sheet's text, not smaller
        chart.set_x_axis({"num_font": {"size": 11}})
        chart.set_y_axis({"num_font": {"size": 11}})
        if codes_last >= codes_first:
            chart.add_series({
                "name": tr("数量"),
                "categories": f"={sheet}!$E${codes_first + 1}:$E${codes_last + 1}",
                "values": f"={sheet}!$H${codes_first + 1}:$H${codes_last + 1}",
            })
        else:  # a chart needs a series; point it at the (empty) header row
            chart.add_series({
                "name": tr("数量"),
                "categories": f"={sheet}!$E${codes_chart_row + 1}:$E${codes_chart_row + 1}",
                "values": f"={sheet}!$H${codes_chart_row + 1}:$H${codes_chart_row + 1}",
            })
        # each chart on a page of its own, under the tables (a page break before
        # each); 880 × 440 px fills a landscape page at the scale the tables print
        first_chart = max(left_end, row) + 1
        chart.set_size({"width": 880, "height": 440})
        ws.insert_chart(first_chart, 0, chart)

        chart = book.add_chart({"type": "column"})
        chart.set_title({"name": tr("计算总分分布"), "name_font": {"size": 14}})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_font": {"size": 11}})
        chart.set_y_axis({"num_font": {"size": 11}})
        chart.add_series({
            "name": tr("表数"),
            "categories": f"={sheet}!$A${band_first + 1}:$A${band_last + 1}",
            "values": f"={sheet}!$C${band_first + 1}:$C${band_last + 1}",
            "data_labels": {"value": True, "font": {"size": 11}},
        })
        chart.set_size({"width": 880, "height": 440})
        second_chart = first_chart + 24
        ws.insert_chart(second_chart, 0, chart)
        ws.set_h_pagebreaks([first_chart, second_chart])


#: The cell styles (cellXfs indexes) of the streamed cells: the link, plain and
#: wrapped formats are the first ones given an index, so before the workbook
#: exists they are known.  All have a thin border.
LINK_XF = 1
CELL_XF = 2
WRAP_XF = 3


def _style_index(fmt) -> int:
    """The cellXfs index xlsxwriter gives ``fmt`` (on first use).  xlsxwriter
    has no public way to learn it, only its private ``Format._get_xf_index``;
    the streamed rows are written with the index before the workbook exists."""
    return fmt._get_xf_index()


class _Formats:
    def __init__(self, book):
        self.link = book.add_format({"font_color": "#0563C1", "underline": 1, "border": 1, "valign": "top",
                                     "text_wrap": True})
        self.cell = book.add_format({"border": 1, "valign": "top"})
        self.wrap = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
        for fmt, index in ((self.link, LINK_XF), (self.cell, CELL_XF), (self.wrap, WRAP_XF)):
            if _style_index(fmt) != index:  # pragma: no cover - xlsxwriter numbers from 1
                raise RuntimeError("a format did not get the style index the rows were written with")
        self.header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                       "align": "center", "valign": "vcenter"})
        self.title = book.add_format({"bold": True, "font_size": 12})
        self.bold_cell = book.add_format({"border": 1, "valign": "top", "bold": True})
        self.wrap_bold = book.add_format({"border": 1, "valign": "top", "text_wrap": True, "bold": True})
        self.percent = book.add_format({"border": 1, "valign": "top", "num_format": "0.0%"})
        self.bold_percent = book.add_format({"border": 1, "valign": "top", "num_format": "0.0%", "bold": True})
        self.number = book.add_format({"border": 1, "valign": "top", "num_format": "0.00"})
        self.bold_number = book.add_format({"border": 1, "valign": "top", "num_format": "0.00", "bold": True})
        self.red = book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
        self.orange = book.add_format({"font_color": "#9C5700", "bg_color": "#FFEB9C"})
        self.green = book.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.grey = book.add_format({"font_color": "#FFFFFF", "bg_color": "#7F7F7F"})


PAGE_FOOTER = "&C第 &P 页，共 &N 页"


_PRINT = PrintSetup()  # the sheets that are not a Table: 按文件夹, 统计


def _print_setup(ws, header: str | None = None, setup: PrintSetup = _PRINT) -> None:
    """A4 landscape, one page wide and as many tall as it takes (the column
    widths keep the print at 9 pt or more), the title at the top of every
    page and page numbers at the bottom: a reviewer can print any sheet."""
    if setup.landscape:
        ws.set_landscape()
    ws.set_paper(setup.paper)
    ws.fit_to_pages(setup.fit_width, setup.fit_height)
    ws.set_margins(left=setup.left, right=setup.right, top=setup.top, bottom=setup.bottom)
    if header:
        ws.set_header(header, margin=setup.header)
    ws.set_footer(PAGE_FOOTER, margin=setup.footer)
    if setup.centred:
        ws.center_horizontally()


@functools.lru_cache(maxsize=64)
def _rule_name(code: str) -> str | None:
    return title(code) or None


def _escape_target(path: str) -> str:
    """A relationship target as Excel writes it (the escaping xlsxwriter uses)."""
    if re.search("%[0-9a-fA-F]{2}", path):
        return path
    for char, code in (("%", "%25"), ('"', "%22"), (" ", "%20"), ("<", "%3c"), (">", "%3e"), ("[", "%5b"),
                       ("]", "%5d"), ("^", "%5e"), ("`", "%60"), ("{", "%7b"), ("}", "%7d")):
        path = path.replace(char, code)
    return path


@functools.lru_cache(maxsize=1024)  # every finding of a file links to the same copy
def _relationship_target(path: str) -> str:
    """Type, Target and TargetMode of an external hyperlink to ``path``, as
    xlsxwriter writes them (backslashes, Excel's escaping, # as %23)."""
    path = path.replace("/", "\\")
    if path.startswith(".\\"):
        path = path[2:]
    target = esc_attr(_escape_target(path).replace("#", "%23"))
    return ('Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
            f'Target="{target}" TargetMode="External"')


@functools.lru_cache(maxsize=4096)  # file names, sheets, codes and many messages repeat
def _text_cell(value: str) -> tuple[str, int, int]:
    """The rest of a text cell after ``<c r="…"`` (an inline string, never a
    formula), its display width for the column (first 80 characters) and
    in all (for the lines it wraps to); ("", 0, 0) for nothing to show."""
    text = _clean_text(value)
    if not text:
        return "", 0, 0
    body = f' t="inlineStr"><is><t xml:space="preserve">{esc_text(text)}</t></is></c>'
    return body, display_width(text[:80]), SUMMARY.measure(text)  # (every streamed table measures so)


@functools.lru_cache(maxsize=1024)
def _attr_text(value: str) -> str:
    return esc_attr(_clean_text(value))


class _Table:
    """A header (written by xlsxwriter) and data rows streamed as sheet XML.

    xlsxwriter costs about 10 µs a cell and keeps every hyperlink in memory
    until the sheet is closed; a batch writes hundreds of thousands of cells.
    So the rows are rendered here, straight into a file in the scratch
    folder (text as inline strings, never a formula), with their hyperlinks
    and relationships in two more files; :meth:`splice` puts them into the
    sheet part of the finished package.  Memory stays flat.
    """

    def __init__(self, table: Table, *, scratch: Path):
        if table.metrics.paragraphs or not table.fitted:  # _text_cell measures a text once, as one run
            raise ValueError("a streamed table is fitted and measures its text as one run")
        self.ws = None
        self.table = table
        columns = table.columns
        self.headers = table.headers()
        self.lang = "zh"  # Summary sets --lang
        self.header_height: float | None = None  # two lines for English headers
        self.link_col = next((c for c, column in enumerate(columns) if column.kind == LINK), -1)
        self.caps = table.widths
        # the style of each column's cells: bordered, long text wrapped
        self.styles = [f' s="{WRAP_XF if column.wrap else CELL_XF}"' for column in columns]
        # characters a line holds in each column (a cell wider than its cap wraps)
        self.wrap_at = [table.metrics.per_line(column.width) if column.measured else 1 << 30
                        for column in columns]
        self.lines_of, self.height = table.metrics.lines_of, table.metrics.height  # (bound once: a row is hot)
        self.rows = 0
        self.links = 0
        self.dropped = 0
        self.widths = [display_width(h) for h in self.headers]
        self.letters = [col_letters(c) for c in range(len(self.headers))]
        self.link_style = LINK_XF  # the style id the raw link cells use
        name = f"table{id(self)}"
        self._rows = open(scratch / f"{name}.rows.xml", "w", encoding="utf-8")
        self._links = open(scratch / f"{name}.links.xml", "w", encoding="utf-8")
        self._rels = open(scratch / f"{name}.rels.xml", "w", encoding="utf-8")

    def attach(self, ws, fmt: _Formats, header: str | None = None) -> None:
        """The worksheet the rows go into: header, frozen and printed on every page."""
        self.ws = ws
        if self.header_height:
            ws.set_row(0, self.header_height)
        for c, head in enumerate(self.table.headers(self.lang)):
            ws.write_string(0, c, head, fmt.header)
        ws.freeze_panes(1, 0)
        _print_setup(ws, header, self.table.print_setup)
        ws.repeat_rows(0)

    def append(self, values: tuple[Any, ...], link: tuple[str, str] | None) -> None:
        if self.rows >= MAX_ROWS - 2:  # Excel's last row is kept for the note
            self.dropped += 1
            return
        self.rows += 1
        r, widths, letters, styles = str(self.rows + 1), self.widths, self.letters, self.styles  # 1-based
        cells = []
        lines = 1  # the row's height in lines: the longest wrapped text (Excel and
        # LibreOffice do not fit a streamed row to its wrapped text by themselves)
        for c, value in enumerate(values):
            if value is None:
                if c != self.link_col or not link:
                    cells.append(f'<c r="{letters[c]}{r}"{styles[c]}/>')  # empty, but ruled on paper
                    continue
                value = "—"  # a finding about the whole form: the link still opens its sheet
            if value.__class__ is str or isinstance(value, bool) or not math.isfinite(value):
                body, w, full = _text_cell(value if not isinstance(value, bool) else str(value).upper())
                if not body:
                    cells.append(f'<c r="{letters[c]}{r}"{styles[c]}/>')
                    continue
                if full > self.wrap_at[c]:
                    lines = max(lines, self.lines_of(full, self.wrap_at[c]))
            else:
                text = repr(float(value)) if isinstance(value, float) else str(value)
                w = len(f"{value:g}") if isinstance(value, float) else len(text)
                body = f"><v>{text}</v></c>"
            if w > widths[c]:
                widths[c] = w
            ref = letters[c] + r
            if c == self.link_col and link and self.links < MAX_LINKS:
                self.links += 1
                self._hyperlink(ref, link, value if isinstance(value, str) else str(value))
                cells.append(f'<c r="{ref}" s="{self.link_style}"{body}')
            else:
                cells.append(f'<c r="{ref}"{styles[c]}{body}')
        if lines > 1:  # (a one-line row keeps the sheet's default height)
            self._rows.write(f'<row r="{r}" ht="{self.height(lines)}" customHeight="1">'
                             f'{"".join(cells)}</row>')
        else:
            self._rows.write(f'<row r="{r}">{"".join(cells)}</row>')

    def _hyperlink(self, ref: str, link: tuple[str, str], display: str) -> None:
        path, location = link
        rid = f"rId{self.links}"
        anchor = f' location="{esc_attr(location)}"' if location else ""
        self._links.write(f'<hyperlink ref="{ref}" r:id="{rid}"{anchor} display="{_attr_text(display)}"/>')
        self._rels.write(f'<Relationship Id="{rid}" {_relationship_target(path)}/>')

    def finish(self) -> None:
        if self.dropped:
            self.rows += 1
            note = esc_text(f"……其余 {self.dropped} 行未列出（超出 Excel 行数上限）")
            self._rows.write(f'<row r="{self.rows + 1}"><c r="A{self.rows + 1}" t="inlineStr"><is><t>{note}</t></is></c></row>')
        for handle in (self._rows, self._links, self._rels):
            handle.close()
        self.ws.autofilter(0, 0, self.rows, len(self.headers) - 1)
        for c, width in enumerate(self.widths):
            self.ws.set_column(c, c, self.table.fit(width, self.caps[c]))

    def close(self) -> None:
        for handle in (self._rows, self._links, self._rels):
            handle.close()

    def splice(self, sheet_xml: bytes, out) -> str | None:
        """Write the sheet part with the streamed rows and hyperlinks to
        ``out``; returns the scratch file of its relationships, or None."""
        head, sep, tail = sheet_xml.partition(b"</sheetData>")
        if not sep:  # an empty sheetData is written as <sheetData/>
            head, sep, tail = sheet_xml.partition(b"<sheetData/>")
            head += b"<sheetData>"
        last = f"{self.letters[-1]}{self.rows + 1}".encode()
        head = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:' + last + b'"/>', head, count=1)
        out.write(head)
        _copy_file(self._rows.name, out)
        out.write(b"</sheetData>")
        if self.links:
            cut = min((i for i in (tail.find(b"<printOptions"), tail.find(b"<pageMargins")) if i >= 0),
                      default=len(tail))
            out.write(tail[:cut] + b"<hyperlinks>")
            _copy_file(self._links.name, out)
            out.write(b"</hyperlinks>" + tail[cut:])
            return self._rels.name
        out.write(tail)
        return None

    @staticmethod
    def write_rels(rels: str, out) -> None:
        """The sheet's relationships part, streamed from the scratch file."""
        out.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="'
                  b'http://schemas.openxmlformats.org/package/2006/relationships">')
        _copy_file(rels, out)
        out.write(b"</Relationships>")


def splice_tables(built: str, target: str, parts: dict[str, "_Table"]) -> None:
    """Copy the package xlsxwriter built at ``built`` to ``target``, with each
    streamed table spliced into its sheet part (``parts``: part name → table)
    and, when its rows carry hyperlinks, the sheet's relationships written.
    Used by summary.xlsx and by ``selfeval export``'s workbook."""
    with zipfile.ZipFile(built) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        stamp = src.infolist()[0].date_time
        for info in src.infolist():
            table = parts.get(info.filename)
            if table is None:
                dst.writestr(info, src.read(info), compresslevel=_LEVEL)
                continue
            with dst.open(_member(info.filename, stamp), "w", force_zip64=True) as out:
                rels = table.splice(src.read(info), out)
            if rels is not None:
                folder, name = info.filename.rsplit("/", 1)
                with dst.open(_member(f"{folder}/_rels/{name}.rels", stamp), "w", force_zip64=True) as out:
                    table.write_rels(rels, out)


def _member(name: str, stamp: tuple) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)  # fixed time: a rerun gives the same bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    _set_compress_level(info, _LEVEL)
    return info


def _set_compress_level(info: zipfile.ZipInfo, level: int) -> None:
    """The zlib level ``ZipFile.open(info, "w")`` compresses with: open() takes
    no level argument; Python 3.13 made it the public ``ZipInfo.compress_level``,
    before that it is only the private ``_compresslevel``."""
    if hasattr(info, "compress_level"):
        info.compress_level = level
    else:
        info._compresslevel = level


#: zlib level of the summary's parts: the streamed rows are megabytes of
#: repetitive XML; level 1 deflates them in a third of the time of the
#: default 6, for a file about a quarter larger
_LEVEL = 1


def _copy_file(name: str, out, chunk: int = 1 << 20) -> None:
    with open(name, "rb") as handle:
        while block := handle.read(chunk):
            out.write(block)


__all__ = ["FINDING_HEADERS", "FOLDER_HEADERS", "FORM_HEADERS", "Summary", "display_width"]
