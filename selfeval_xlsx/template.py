"""The official blank templates (附件3-1 部门整体, 附件3-2 项目支出), with xlsxwriter.

``write_template(path, form=..., year=..., ...)`` writes one workbook with one
sheet laid out as the official form (``layout.py`` describes it as data):

* labels in white, input cells light yellow (unlocked), formula cells light
  grey (locked when ``protect``);
* live formulas with their results cached in the file, so a reader that does
  not calculate still sees numbers: 年度资金总额 = SUM of its parts, 执行率 =
  IFERROR(ROUND(B/A, rate_decimals), 0), budget 得分 = ROUND(MIN(执行率, 1) ×
  分值, rounding), 总分 (分值 and 得分 columns: the 三级 sum plus the budget row)
  and 自评结论 (the profile's grade bands; blank until a score is entered);
* each 一级 label is the official static text "产出指标\\n（50分）" (the
  profile's weight; ``layout.TEMPLATE_LEVEL1_LABEL``).  It stays a plain label, so readers that only see cached values
  (or files re-saved by openpyxl, which drops them) still find it; a
  conditional format turns it red when its 三级 分值 add up to something
  other than that weight (only once the sum is > 0, so a blank template is
  not red).  The 总分 分值 cell turns red the same way when it is not
  ``profile.total_points``;
* data validation with Chinese messages on 分值, 得分, 二级 and 自评结论;
* A4 landscape, one page wide, the indicator header row repeated on every
  printed page, manual row breaks only between blocks (:func:`page_breaks`:
  no 一级 block is split over two pages at the default row heights);
* 年度指标值 and 实际完成值 are text cells (``@``): "≥95%" and "=100%" stay what
  was typed; points use the General format (10, never "10.");
* the four notes worded with this form's column names and the profile's
  numbers (:func:`form_notes`);
* ``protect`` locks labels and formulas (no password) but leaves the input
  cells editable and rows insertable/deletable.

The output is deterministic (fixed document properties, created date
``year-12-31``): regenerating gives a byte-identical file.

This module is the writer: the cell formats, the cells, conditional
formats, validations and the page setup (:func:`build`) and the file
(:func:`write_template`).  All cell positions, formulas and notes come from
:func:`~selfeval_xlsx.template_plan.plan_template`, computed once from
``layout.py`` (module ``template_plan``); row heights and page breaks from
``template_pages``.  The writer and the tests use the same plan.
"""

from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from selfeval_xlsx import layout
from selfeval_xlsx.atomic import replacing
from selfeval_xlsx.profile import DEFAULT, Profile
from selfeval_xlsx.template_pages import (
    PAGE_MARGIN_BOTTOM, PAGE_MARGIN_SIDE, PAGE_MARGIN_TOP, page_breaks, row_heights,
)
# the plan's names are imported from here too (``template.plan_template`` with ``write_template``)
from selfeval_xlsx.template_plan import (
    MAX_ROWS_PER_LEVEL2, Groups, IndicatorRow, Plan, form_notes, formulas, level1_groups,
    level1_warning_formula, number_text, number_value, plan_template,
)

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
GB2312_CHARSET = 134  # tells Excel the font is a Chinese (East Asian) font
BODY_SIZE = 10
TITLE_SIZE = 18

INPUT_FILL = "#FFF9DB"  # light yellow: the user types here
FORMULA_FILL = "#E7E6E6"  # light grey: computed, do not type
WARN_FILL = "#FFC7CE"
WARN_FONT = "#9C0006"
NOTICE_FILL = "#FFEB9C"

AUTHOR = "selfeval-xlsx"



class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        base = {
            "font_name": BODY_FONT,
            "font_size": BODY_SIZE,
            "font_charset": GB2312_CHARSET,
            "font_family": 3,
            "text_wrap": True,
            "valign": "vcenter",
        }
        boxed = {**base, "border": 1}

        def add(**props):
            return wb.add_format({**boxed, **props})

        self.label = add(align="center")
        self.label_bold = add(align="center", bold=True)
        self.label_left = add(align="left")
        self.level1 = add(align="center", bold=True)
        self.input_text = add(align="left", bg_color=INPUT_FILL, locked=False)
        self.input_block = add(align="left", valign="top", bg_color=INPUT_FILL, locked=False)
        self.input_center = add(align="center", bg_color=INPUT_FILL, locked=False)
        # 年度指标值 and 实际完成值 are text: "≥95%", "=100%" (not a formula), "12篇/年"
        self.input_value = add(align="center", bg_color=INPUT_FILL, locked=False, num_format="@")
        self.input_number = add(align="right", bg_color=INPUT_FILL, locked=False, num_format="0.00")
        self.input_score = add(align="center", bg_color=INPUT_FILL, locked=False, num_format="General")
        self.level2 = add(align="center", bg_color=INPUT_FILL, locked=False)
        self.formula_number = add(align="right", bg_color=FORMULA_FILL, num_format="0.00")
        self.formula_points = add(align="center", bg_color=FORMULA_FILL, num_format="General")
        self.formula_percent = add(align="center", bg_color=FORMULA_FILL, num_format="0.00%")
        self.formula_text = add(align="center", bg_color=FORMULA_FILL, bold=True)
        self.constant = add(align="center", bg_color=FORMULA_FILL)
        self.dash = add(align="center")
        self.title = wb.add_format(
            {**base, "font_name": TITLE_FONT, "font_size": TITLE_SIZE, "align": "center", "text_wrap": False}
        )
        self.attachment = wb.add_format({**base, "font_name": TITLE_FONT, "font_size": 12, "align": "left"})
        self.year = wb.add_format({**base, "font_size": 12, "align": "center"})
        self.plain_right = wb.add_format({**base, "align": "right"})
        self.input_plain = wb.add_format({**base, "align": "left", "bg_color": INPUT_FILL, "locked": False,
                                          "bottom": 1})
        self.note = wb.add_format({**base, "align": "left", "valign": "top"})
        self.warn = wb.add_format({"bg_color": WARN_FILL, "font_color": WARN_FONT})
        self.notice = wb.add_format({"bg_color": NOTICE_FILL})


def _put(ws, row: int, cols: tuple[int, int], value, fmt, formula: tuple[str, object] | None = None) -> None:
    """Write one (possibly merged) cell; ``formula`` = (text, cached value)."""
    first, last = cols
    if first != last:
        ws.merge_range(row, first, row, last, "", fmt)
    if formula is not None:
        ws.write_formula(row, first, formula[0], fmt, formula[1])
    elif value is None or value == "":
        ws.write_blank(row, first, None, fmt)
    elif isinstance(value, str):  # text stays text: "=cmd|…", "http://…", "+1" are never formulas or links
        ws.write_string(row, first, value, fmt)
    else:
        ws.write(row, first, value, fmt)


def _put_block(ws, rows: tuple[int, int], cols: tuple[int, int], value, fmt) -> None:
    """A cell merged over several rows (and columns)."""
    if rows[0] == rows[1] and cols[0] == cols[1]:
        if isinstance(value, str):
            ws.write_string(rows[0], cols[0], value, fmt)
        else:
            ws.write(rows[0], cols[0], value, fmt)
    else:
        ws.merge_range(rows[0], cols[0], rows[1], cols[1], value, fmt)  # strings stay strings (Workbook options)


def _validate(ws, first_row, first_col, last_row, last_col, options: dict) -> None:
    ws.data_validation(first_row, first_col, last_row, last_col, options)


def build(
    wb: xlsxwriter.Workbook, plan: Plan, unit: str = "", protect: bool = False,
    fields: dict[str, str] | None = None, budget: Decimal | None = None,
) -> None:
    """Lay the form out on a new sheet of ``wb``.

    ``fields`` pre-fills header fields by key (unit, project, authority,
    implementer); ``budget`` the 年度资金总额 全年预算数 (a value instead of
    the sum of the rows below it)."""
    spec, p, col = plan.form, plan.profile, plan.col
    fmt = _Formats(wb)
    ws = wb.add_worksheet(spec.title)
    cached = formulas(plan)
    span = lambda name: plan.span(*layout.TEMPLATE_SPANS[name])  # noqa: E731
    full = span("full")

    for i, column in enumerate(layout.TEMPLATE_COLUMNS):
        ws.set_column(i, i, column.width)
    heights = row_heights(plan)
    for row, height in heights.items():
        ws.set_row(row, height)

    # -- title lines ------------------------------------------------------
    _put(ws, plan.attachment_row, (0, col["level1"]), spec.attachment, fmt.attachment)
    _put(ws, plan.title_row, full, spec.title, fmt.title)
    _put(ws, plan.year_row, full, layout.TEMPLATE_YEAR_LINE.format(year=plan.year), fmt.year)
    _put(ws, plan.date_row, span("date"), layout.TEMPLATE_DATE_LABEL, fmt.plain_right)
    _put(ws, plan.date_row, span("date_value"), None, fmt.input_plain)
    _put(ws, plan.date_row, span("seal"), layout.TEMPLATE_SEAL_LABEL, fmt.plain_right)
    _put(ws, plan.date_row, span("seal_value"), None, fmt.input_plain)

    # -- header fields (部门（单位）名称 / 项目名称, 主管部门, 实施单位) --------------
    prefill_key = "unit" if spec.kind == "department" else "project"
    header_values = {prefill_key: unit, **{k: v for k, v in (fields or {}).items() if v}}
    for row, row_fields in zip(plan.header_rows, layout.TEMPLATE_HEADER_ROWS[spec.kind]):
        for (label, key), (label_span, value_span) in zip(row_fields,
                                                          layout.TEMPLATE_HEADER_SPANS[len(row_fields)]):
            _put(ws, row, plan.span(*label_span), label, fmt.label_bold)
            _put(ws, row, plan.span(*value_span), header_values.get(key, ""), fmt.input_text)

    # -- funds block ------------------------------------------------------
    funds_first = plan.funds_header_row
    funds_last = max(plan.funds_rows.values())
    _put_block(ws, (funds_first, funds_last), (0, 0), spec.funds_label, fmt.label_bold)
    for key in layout.OFFICIAL_FUNDS_KEYS:
        _put(ws, funds_first, plan.funds_span(key), layout.FUNDS_COLUMN[key].header, fmt.label_bold)
    for funds_row in spec.funds_rows:
        row = plan.funds_rows[funds_row.key]
        for key in layout.OFFICIAL_FUNDS_KEYS:
            cols = plan.funds_span(key)
            a1 = xl_rowcol_to_cell(row, cols[0])
            if key == "source":
                _put(ws, row, cols, funds_row.label, fmt.label)
            elif budget is not None and funds_row.scored and key == "budget":
                _put(ws, row, cols, number_value(budget), fmt.input_number)
            elif a1 in cached:
                style = fmt.formula_percent if key == "rate" else fmt.formula_number
                _put(ws, row, cols, None, style, cached[a1])
            elif key == "weight" and funds_row.scored:
                _put(ws, row, cols, number_value(p.budget_points), fmt.formula_points)
            elif key in ("weight", "rate", "score"):
                _put(ws, row, cols, "—", fmt.dash)
            else:
                _put(ws, row, cols, None, fmt.input_number)
                _validate(ws, row, cols[0], row, cols[1], {
                    "validate": "decimal", "criteria": ">=", "value": 0,
                    "input_title": "金额（万元）",
                    "input_message": "填写金额，单位万元；年度资金总额自动合计。",
                    "error_title": "金额无效",
                    "error_message": "请输入不小于 0 的数字（单位：万元）。",
                })

    # -- 年度总体目标 ------------------------------------------------------
    _put_block(ws, (plan.goal_header_row, plan.goal_text_row), (0, 0), layout.TEMPLATE_GOAL_LABEL, fmt.label_bold)
    _put(ws, plan.goal_header_row, span("goal_expected"), layout.GOAL_COLUMNS[0], fmt.label_bold)
    _put(ws, plan.goal_header_row, span("goal_actual"), layout.GOAL_COLUMNS[1], fmt.label_bold)
    goal_text_fmt = fmt.input_block
    _put(ws, plan.goal_text_row, span("goal_expected"), None, goal_text_fmt)
    _put(ws, plan.goal_text_row, span("goal_actual"), None, goal_text_fmt)

    # -- indicator table --------------------------------------------------
    header = plan.indicator_header_row
    _put_block(ws, (header, plan.last_indicator_row), (0, 0), layout.INDICATOR_BLOCK_LABEL, fmt.label_bold)
    for key in layout.OFFICIAL_INDICATOR_KEYS:
        text = spec.reason_header if key == "reason" else layout.INDICATOR_COLUMN[key].header
        _put(ws, header, (col[key], col[key]), text, fmt.label_bold)

    for block in plan.level1_blocks:
        _put_block(ws, (block.first_row, block.last_row), (col["level1"],) * 2, block.label, fmt.level1)
        ws.conditional_format(block.first_row, col["level1"], block.last_row, col["level1"], {
            "type": "formula", "criteria": level1_warning_formula(plan, block), "format": fmt.warn,
        })
        for level2 in block.level2:
            rows = (level2.first_row, level2.last_row)
            _put_block(ws, rows, (col["level2"],) * 2, level2.name, fmt.level2)
        first2, last2 = block.level2[0].first_row, block.level2[-1].last_row
        _validate(ws, first2, col["level2"], last2, col["level2"], {
            "validate": "list", "source": list(block.level1.level2), "error_type": "warning",
            "input_title": "二级指标",
            "input_message": f"从下拉列表选择{block.level1.name}的二级指标。",
            "error_title": "非标准二级指标",
            "error_message": f"{block.level1.name}的标准二级指标为：{'、'.join(block.level1.level2)}。确定使用其他名称吗？",
        })

    first, last = plan.first_indicator_row, plan.last_indicator_row
    for r in range(first, last + 1):
        for key, style in (("level3", fmt.input_text), ("target", fmt.input_value),
                           ("actual", fmt.input_value), ("weight", fmt.input_score),
                           ("score", fmt.input_score), ("reason", fmt.input_text)):
            ws.write_blank(r, col[key], None, style)
    for block in plan.level1_blocks:  # pre-filled indicators (template --from)
        for level2 in block.level2:
            for r, indicator in enumerate(level2.indicators, start=level2.first_row):
                ws.write_string(r, col["level3"], indicator.level3, fmt.input_text)
                # text, as typed into the template ("=100%" is a target, never a formula)
                ws.write_string(r, col["target"], indicator.target, fmt.input_value)
                if isinstance(indicator.weight, Decimal):
                    ws.write_number(r, col["weight"], number_value(indicator.weight), fmt.input_score)
                elif indicator.weight:
                    ws.write_string(r, col["weight"], indicator.weight, fmt.input_score)
    _validate(ws, first, col["weight"], last, col["weight"], {
        "validate": "decimal", "criteria": ">", "value": 0,
        "input_title": "分值",
        "input_message": "填写本三级指标的分值（大于 0）；同一一级指标下分值之和应等于其标注分值。",
        "error_title": "分值无效",
        "error_message": "分值应为大于 0 的数字。",
    })
    _validate(ws, first, col["score"], last, col["score"], {
        "validate": "decimal", "criteria": "between", "minimum": 0,
        "maximum": f"=${xl_col_to_name(col['weight'])}{first + 1}",  # this row's 分值
        "input_title": "得分",
        "input_message": "填写本三级指标得分：0 至本行分值之间；未得满分请填写原因分析。",
        "error_title": "得分超出范围",
        "error_message": "得分应在 0 与本行分值之间，不能超过分值（请先填写分值）。",
    })
    score_first = plan.cell(first, "score")
    weight_first = plan.cell(first, "weight")
    reason_first = plan.cell(first, "reason")
    ws.conditional_format(first, col["score"], last, col["score"], {
        "type": "formula",
        "criteria": f"=AND(ISNUMBER({score_first}),ISNUMBER({weight_first}),{score_first}>{weight_first})",
        "format": fmt.warn,
    })
    ws.conditional_format(first, col["reason"], last, col["reason"], {
        "type": "formula",
        "criteria": (f"=AND(ISNUMBER({score_first}),ISNUMBER({weight_first}),"
                     f"{score_first}<{weight_first},LEN(TRIM({reason_first}))=0)"),
        "format": fmt.notice,
    })

    # -- 总分 / 自评结论 ----------------------------------------------------
    label_span = span("total_label")
    _put(ws, plan.total_row, label_span, layout.TEMPLATE_TOTAL_LABEL, fmt.label_bold)
    _put(ws, plan.total_row, (col["weight"],) * 2, None, fmt.formula_points, cached[plan.total_weight_cell])
    _put(ws, plan.total_row, (col["score"],) * 2, None, fmt.formula_points, cached[plan.total_score_cell])
    _put(ws, plan.total_row, (col["reason"],) * 2, None, fmt.label)
    weights = plan.indicator_range("weight", absolute=True)
    ws.conditional_format(plan.total_row, col["weight"], plan.total_row, col["weight"], {
        "type": "formula",
        "criteria": (f"=AND(COUNT({weights})>0,"
                     f"{plan.cell(plan.total_row, 'weight', True)}<>{number_text(p.total_points)})"),
        "format": fmt.warn,
    })
    if plan.conclusion_row is not None:
        _put(ws, plan.conclusion_row, label_span, layout.TEMPLATE_CONCLUSION_LABEL, fmt.label_bold)
        cols = span("conclusion_value")
        _put(ws, plan.conclusion_row, cols, None, fmt.formula_text, cached[plan.conclusion_cell])
        _validate(ws, plan.conclusion_row, cols[0], plan.conclusion_row, cols[0], {
            "validate": "list", "source": list(layout.GRADES),
            "input_title": "自评结论",
            "input_message": (f"按总分自动得出：≥{number_text(p.grade_excellent)} 优秀，"
                              f"≥{number_text(p.grade_good)} 良好，≥{number_text(p.grade_pass)} 中，其余为差。"),
            "error_title": "自评结论无效",
            "error_message": "自评结论应为：优秀、良好、中、差。",
        })

    # -- notes ------------------------------------------------------------
    for row, note in zip(plan.notes_rows, plan.notes):
        _put(ws, row, full, note, fmt.note)

    # -- page setup -------------------------------------------------------
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_h_pagebreaks(page_breaks(plan))
    ws.repeat_rows(header)
    ws.print_area(0, 0, plan.last_row, plan.last_col)
    ws.set_margins(left=PAGE_MARGIN_SIDE, right=PAGE_MARGIN_SIDE, top=PAGE_MARGIN_TOP, bottom=PAGE_MARGIN_BOTTOM)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.activate()
    if protect:
        ws.protect("", {
            "insert_rows": True, "delete_rows": True,
            "format_cells": True, "format_columns": True, "format_rows": True,
            "select_locked_cells": True, "select_unlocked_cells": True,
        })


def write_template(
    path: str | os.PathLike,
    form: str = "department",
    year: int | None = None,
    unit: str = "",
    rows: int = 3,
    protect: bool = False,
    profile: Profile = DEFAULT,
    groups: Groups | None = None,
    fields: dict[str, str] | None = None,
    budget: Decimal | None = None,
    check=None,
) -> Path:
    """Write the blank official form to ``path`` (atomically) and return it.

    ``year`` defaults to last year.  OSError propagates (unwritable path).
    ``groups``, ``fields`` and ``budget`` pre-fill it (see
    :func:`plan_template` and :func:`build`).  ``check(temp_path)`` is
    called with the finished file before it is moved into place; an
    exception from it leaves nothing behind.
    """
    if year is None:
        year = datetime.now().year - 1
    plan = plan_template(form, year, rows, profile, groups)
    target = Path(path)
    with replacing(target) as temp:
        # whatever a caller passes (a unit name from the command line or the
        # web page) is written as text, never turned into a formula, link or number
        wb = xlsxwriter.Workbook(str(temp), {"strings_to_formulas": False, "strings_to_urls": False,
                                             "strings_to_numbers": False})
        wb.set_properties({
            "title": f"{plan.form.title}（{year}年度）",
            "subject": plan.form.title,
            "author": AUTHOR,
            "company": "",
            "comments": "selfeval template",
            "created": datetime(year, 12, 31, 0, 0, 0),
        })
        build(wb, plan, unit=unit, protect=protect, fields=fields, budget=budget)
        wb.close()
        if check is not None:
            check(temp)
    return target


__all__ = ["MAX_ROWS_PER_LEVEL2", "IndicatorRow", "Plan", "plan_template", "formulas", "write_template",
           "level1_groups", "page_breaks", "form_notes"]
