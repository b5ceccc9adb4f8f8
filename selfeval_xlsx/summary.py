"""``summary.xlsx``: the reviewer's overview of a batch run.

Four sheets:

* 汇总 -- one row per form (and one per unreadable file, with the reason in
  说明): scores stated and computed, their difference, conclusions, finding
  counts and a status (通过 / 警告 / 错误 / 无法读取), coloured by conditional
  formats; autofilter, frozen header, widths fitted to the text (CJK
  characters count double).
* 按文件夹 -- one row per input subfolder (a county) and the total.
* 问题清单 -- one row per finding, each linking to the cell in the corrected
  copy (or the original with ``--no-fill``).
* 统计 -- totals, findings per rule code and the distribution of computed
  scores over the grade bands, each with a chart.

Rows are streamed: :meth:`Summary.add` renders them as sheet XML into a
scratch file (results arrive in file order, ``streamtable``) and
:meth:`Summary.finish` splices them (``splice``) into the workbook
xlsxwriter builds around them (header, formats, filters, colours,
and 按文件夹 and 统计 with its charts, ``summary_stats``).  This module
holds the two tables' columns, the labels in either language, what a
file's result becomes as rows and the life cycle of the file.  Memory
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
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from selfeval_xlsx.cellref import col_letters
from selfeval_xlsx.display import KIND_LABEL, display_width
from selfeval_xlsx.rules import VALUE_RULES, count_severities
from selfeval_xlsx.splice import splice_tables
from selfeval_xlsx.streamtable import (
    PAGE_FOOTER, Formats, StreamedTable, clean_text, not_unicode,
)
from selfeval_xlsx.summary_stats import (
    FOLDER_HEADERS, ROOT_FOLDER, SEVERITY_NAMES, STATUS_ERROR, STATUS_OK, STATUS_UNREADABLE,
    STATUS_WARNING, grade_bands, rule_name, write_folders, write_stats,
)
from selfeval_xlsx.table import LINK, SUMMARY, TEXT, Column, Table

KIND_NAMES = KIND_LABEL["zh"]  # the cells are Chinese in either --lang (only the headers follow it)

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


#: Excel's limit on a hyperlink's length
MAX_URL = 2079
_FIXED_DATE = datetime(2000, 1, 1)


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
    to_sheet = _link_to_sheet(target, sheet)
    if to_sheet is None:
        return None
    start, room = to_sheet
    if not start:
        return (target, "") if room >= 0 else None
    location = start + (cell or "A1")
    return (target, location) if len(location) + 1 <= room else None


@functools.lru_cache(maxsize=64)  # every finding of a form links into the same sheet
def _link_to_sheet(target: str, sheet: str | None) -> tuple[str, int] | None:
    """What links into ``sheet`` of ``target`` share: the location's start
    ("" without a sheet) and the room Excel's URL limit leaves for the
    location and its "#"; None when no link can be made."""
    if not target or "#" in target or not_unicode(target):
        return None  # (a name that is not Unicode cannot be written as a link)
    room = MAX_URL - len("external:") - len(target)
    if not sheet:
        return "", room
    quoted = sheet.replace("'", "''")
    return f"'{quoted}'!", room


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
        self.label = label_for(lang)  # headers, sheet names and titles in --lang
        self.header_height = 30 if lang == "en" else None  # English headers take two lines
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
        self._tables: dict[str, StreamedTable] = {}

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
            "forms": StreamedTable(FORM_TABLE, scratch=scratch),
            "findings": StreamedTable(FINDING_TABLE, scratch=scratch),
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
            "title": self.label(TITLE),
            "subject": "selfeval batch summary",
            "author": "selfeval-xlsx",
            "created": _FIXED_DATE,
        })
        self._fmt = Formats(book)
        tr = self.label
        for table in self._tables.values():
            table.lang = self.lang
            table.header_height = self.header_height
        self._tables["forms"].attach(book.add_worksheet(tr("汇总")), self._fmt, self.page_header("汇总"))
        self._folders_ws = book.add_worksheet(tr("按文件夹"))
        self._tables["findings"].attach(book.add_worksheet(tr("问题清单")), self._fmt, self.page_header("问题清单"))
        self._stats_ws = book.add_worksheet(tr("统计"))

    def title(self) -> str:
        tr = self.label
        gap = tr("　")
        where = f"{gap}{tr('文件夹：')}{self.folder}" if self.folder else ""
        return f"{tr(TITLE)}{where}{gap}{self.date}"

    def page_header(self, sheet: str) -> str:
        """The title on every printed page (xlsxwriter header codes; & doubled)."""
        tr = self.label
        text = f"{TITLE}（{sheet}）" if tr(TITLE) == TITLE else f"{tr(TITLE)} ({tr(sheet)})"
        folder = clean_text(self.folder or "")
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
            for band, _label, low, high in grade_bands(self.grades):
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
                    folder, name, sheet, cell, code, rule_name(code), SEVERITY_NAMES.get(severity, severity),
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
        footer = self.label(PAGE_FOOTER)
        if footer != PAGE_FOOTER:
            for ws in self._writer.worksheets():
                ws.set_footer(footer)

    def _write_folders(self, ws, fmt) -> None:
        write_folders(self, ws, fmt)

    def _write_stats(self, book, ws, fmt) -> None:
        write_stats(self, book, ws, fmt)


__all__ = ["FINDING_HEADERS", "FOLDER_HEADERS", "FORM_HEADERS", "Summary", "display_width"]
