"""summary.xlsx's two sheets of counts: 按文件夹 and 统计 with its charts.

:class:`~selfeval_xlsx.summary.Summary` counts while the rows stream
(per input subfolder, per rule code and severity, per grade band, per
status); when it finishes, :func:`write_folders` writes 按文件夹 -- one
row per subfolder (a county) and the total: files, forms, unreadable
files, errors, warnings, pass rate and average computed total -- and
:func:`write_stats` writes 统计 -- the overview and the distribution of
computed totals over the grade bands beside the findings per rule code,
each with a chart on a page of its own.

Here too the words those counts are kept under: the statuses a form or
file gets (:data:`STATUS_OK` …), the grade bands (:func:`grade_bands`),
the folder a file directly in the input folder counts under
(:data:`ROOT_FOLDER`) and a rule code's name (:func:`rule_name`).  Both
sheets are written with xlsxwriter's ``constant_memory`` on, so row by row.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

from selfeval_xlsx.display import SEVERITY_LABEL, display_width
from selfeval_xlsx.rules import title
from selfeval_xlsx.streamtable import Formats, clean_text, print_setup

if TYPE_CHECKING:
    from selfeval_xlsx.summary import Summary

SEVERITY_NAMES = SEVERITY_LABEL["zh"]  # the cells are Chinese in either --lang (only the headers follow it)

STATUS_OK = "通过"
STATUS_WARNING = "警告"
STATUS_ERROR = "错误"
STATUS_UNREADABLE = "无法读取"

FOLDER_HEADERS = ("文件夹", "文件数", "自评表数", "无法读取", "错误", "警告", "通过率", "平均计算总分")
ROOT_FOLDER = "（根目录）"  # files directly in the input folder


def grade_bands(grades: tuple[float, float, float]) -> list[tuple[str, str, float, float]]:
    """(band, its score range as shown, low, high) for 优秀/良好/中/差 given
    the lower bounds of the first three."""
    excellent, good, passing = grades
    return [
        ("优秀", f"≥{excellent:g}", excellent, math.inf),
        ("良好", f"{good:g}–{excellent:g}", good, excellent),
        ("中", f"{passing:g}–{good:g}", passing, good),
        ("差", f"<{passing:g}", -math.inf, passing),
    ]


@functools.lru_cache(maxsize=64)
def rule_name(code: str) -> str | None:
    """The rule's Chinese name for a finding code; None for an unknown code."""
    return title(code) or None


def write_folders(summary: Summary, ws, fmt: Formats) -> None:
    """按文件夹: one row per input subfolder (a county), then the total."""
    print_setup(ws, summary.page_header("按文件夹"))
    ws.repeat_rows(0)
    ws.freeze_panes(1, 0)
    if summary.header_height:
        ws.set_row(0, summary.header_height)
    for c, head in enumerate(FOLDER_HEADERS):
        ws.write_string(0, c, summary.label(head), fmt.header)
    rows = sorted(summary.folders.items(), key=lambda item: (item[0] == ROOT_FOLDER, item[0]))
    total = [0, 0, 0, 0, 0, 0, 0.0, 0]
    width = display_width(FOLDER_HEADERS[0])
    for r, (folder, counts) in enumerate(rows, start=1):
        for k, v in enumerate(counts):
            total[k] += v
        _folder_row(ws, fmt, r, clean_text(folder), counts, fmt.cell)
        width = max(width, display_width(folder[:60]))
    _folder_row(ws, fmt, len(rows) + 1, summary.label("合计"), total, fmt.bold_cell)
    ws.autofilter(0, 0, len(rows), len(FOLDER_HEADERS) - 1)
    ws.set_column(0, 0, min(width + 2, 40), fmt.wrap)
    ws.set_column(1, len(FOLDER_HEADERS) - 1, 11)


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


def write_stats(summary: Summary, book, ws, fmt: Formats) -> None:
    """统计: the overview and the score bands (columns A–C) beside the
    findings per rule (E–H) on the first page; each chart on a page of
    its own below them."""
    print_setup(ws, summary.page_header("统计"))
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
    tr = summary.label
    ws.write_string(0, 0, summary.title(), fmt.title)
    row = 2
    ws.write_string(row, 0, tr("总体"), fmt.title)
    row += 1
    overview = [
        ("文件数", summary.files), ("自评表数", summary.forms), ("错误", summary.errors),
        ("警告", summary.warnings), ("无法读取的文件", summary.unreadable),
        ("通过的表", summary.status_counts[STATUS_OK]),
        ("有警告的表", summary.status_counts[STATUS_WARNING]),
        ("有错误的表", summary.status_counts[STATUS_ERROR]),
    ]
    for label, value in overview:
        ws.write_string(row, 0, tr(label), fmt.cell)
        ws.write_number(row, 1, value, fmt.cell)
        row += 1

    # computed score distribution, under the overview
    row += 1
    ws.write_string(row, 0, tr("计算总分分布"), fmt.title)
    row += 1
    bands = grade_bands(summary.grades)  # type: ignore[arg-type]
    dist = [(band, label, summary.band_counts[band]) for band, label, _lo, _hi in bands]
    if summary.no_score:
        dist.append((tr("无计算总分"), "—", summary.no_score))
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
        [(code, rule_name(code) or "", SEVERITY_NAMES.get(sev, sev), count)
         for (code, sev), count in summary.code_counts.items()],
        key=lambda row: (-row[3], row[0], row[2]),
    )
    header_row = row
    for c, head in enumerate(["代码", "规则", "级别", "数量"]):
        ws.write_string(row, 4 + c, tr(head), fmt.header)
    row += 1
    for code, name, severity, count in codes:
        ws.write_string(row, 4, clean_text(code), fmt.cell)
        ws.write_string(row, 5, clean_text(name), fmt.cell)
        ws.write_string(row, 6, clean_text(severity), fmt.cell)
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
