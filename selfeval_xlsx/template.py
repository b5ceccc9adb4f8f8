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

All cell positions come from :func:`plan_template`, computed once from
``layout.py``; the writer and the tests use the same plan.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from selfeval_xlsx.atomic import replacing
from selfeval_xlsx import layout
from selfeval_xlsx.layout import FormLayout, Level1
from selfeval_xlsx.profile import DEFAULT, Profile

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

MAX_ROWS_PER_LEVEL2 = 50
AUTHOR = "selfeval-xlsx"

# Row heights (points) of the fixed rows; wrapped text rows are estimated.
HEIGHTS = {
    "attachment": 20,
    "title": 36,
    "year": 22,
    "date": 22,
    "header_field": 24,
    "funds_header": 30,
    "funds_row": 22,
    "goal_header": 22,
    "goal_text": 110,
    "indicator_header": 30,
    "total": 24,
    "conclusion": 24,
}
LINE_HEIGHT = 13.5  # one line of 10 pt 宋体, points


# --------------------------------------------------------------------------
# The plan: every position of the form, computed once


@dataclass(frozen=True)
class IndicatorRow:
    """A pre-filled 三级 indicator (``selfeval template --from``): name,
    年度指标值 as it goes into the cell, 分值 (a number, or the text given
    when it is not one, so the checks report it)."""

    level3: str
    target: str
    weight: Decimal | str | None


@dataclass(frozen=True)
class Level2Block:
    name: str
    first_row: int  # 0-based sheet rows
    last_row: int
    indicators: tuple[IndicatorRow, ...] = ()  # pre-filled rows (first_row on), none in a blank template


#: A pre-filled indicator table: per 一级 (in order) its label weight and its
#: 二级 blocks (name, rows).  A block without rows gets one blank row.
Groups = list[tuple[Level1, Decimal, list[tuple[str, list[IndicatorRow]]]]]


@dataclass(frozen=True)
class Level1Block:
    level1: Level1
    weight: Decimal
    first_row: int
    last_row: int
    level2: tuple[Level2Block, ...]

    @property
    def label(self) -> str:
        return layout.TEMPLATE_LEVEL1_LABEL.format(name=self.level1.name, weight=number_text(self.weight))


@dataclass
class Plan:
    """Where everything of one template goes (0-based rows and columns)."""

    form: FormLayout
    year: int
    rows: int
    profile: Profile
    col: dict[str, int] = field(default_factory=dict)
    attachment_row: int = 0
    title_row: int = 0
    year_row: int = 0
    date_row: int = 0
    header_rows: list[int] = field(default_factory=list)
    funds_header_row: int = 0
    funds_rows: dict[str, int] = field(default_factory=dict)
    goal_header_row: int = 0
    goal_text_row: int = 0
    indicator_header_row: int = 0
    level1_blocks: list[Level1Block] = field(default_factory=list)
    total_row: int = 0
    conclusion_row: int | None = None
    notes_rows: list[int] = field(default_factory=list)
    notes: tuple[str, ...] = ()  # the notes' texts (``form_notes``), one per notes row

    # -- positions --------------------------------------------------------
    @property
    def first_indicator_row(self) -> int:
        return self.level1_blocks[0].first_row

    @property
    def last_indicator_row(self) -> int:
        return self.level1_blocks[-1].last_row

    @property
    def last_row(self) -> int:
        return self.notes_rows[-1] if self.notes_rows else (self.conclusion_row or self.total_row)

    @property
    def last_col(self) -> int:
        return len(layout.TEMPLATE_COLUMNS) - 1

    def span(self, first_key: str, last_key: str) -> tuple[int, int]:
        return self.col[first_key], self.col[last_key]

    def funds_span(self, key: str) -> tuple[int, int]:
        return self.span(*layout.TEMPLATE_FUNDS_SPANS[key])

    def cell(self, row: int, key: str, absolute: bool = False) -> str:
        """A1 reference of the sheet column ``key`` in ``row``."""
        return xl_rowcol_to_cell(row, self.col[key], absolute, absolute)

    def funds_cell(self, row_key: str, column_key: str) -> str:
        return xl_rowcol_to_cell(self.funds_rows[row_key], self.funds_span(column_key)[0])

    def indicator_range(self, key: str, first: int | None = None, last: int | None = None, absolute=False) -> str:
        first = self.first_indicator_row if first is None else first
        last = self.last_indicator_row if last is None else last
        return f"{self.cell(first, key, absolute)}:{self.cell(last, key, absolute)}"

    @property
    def total_weight_cell(self) -> str:
        return self.cell(self.total_row, "weight")

    @property
    def total_score_cell(self) -> str:
        return self.cell(self.total_row, "score")

    @property
    def conclusion_cell(self) -> str | None:
        if self.conclusion_row is None:
            return None
        return xl_rowcol_to_cell(self.conclusion_row, self.span(*layout.TEMPLATE_SPANS["conclusion_value"])[0])


def level1_groups(profile: Profile) -> list[tuple[Level1, Decimal]]:
    """The 一级 of the template with their weights; 成本指标 becomes its own 一级
    (after 产出指标, which then loses its 成本 二级) when the profile weights it."""
    groups = list(layout.LEVEL1)
    if "cost" in profile.level1_weights:
        output = groups[0]
        groups[0] = Level1(
            output.key, output.name, output.synonyms, tuple(n for n in output.level2 if n != "成本指标")
        )
        groups.insert(1, layout.COST_LEVEL1)
    weights = profile.level1_weights
    if not weights:  # a profile with only a 三级 total (Sichuan: 绩效指标 90): the official split
        weights = DEFAULT.level1_weights
    return [(g, weights.get(g.key, Decimal(0))) for g in groups]


def plan_template(
    form: str = "department", year: int = 2025, rows: int = 3, profile: Profile = DEFAULT,
    groups: Groups | None = None,
) -> Plan:
    """Compute every position of the template once.

    ``groups`` pre-fills the indicator table: each 二级 block gets exactly
    its rows (one blank row when it has none) instead of ``rows`` blank
    ones, and each 一级 label shows the weight given with it."""
    if form not in layout.FORMS:
        raise ValueError(f"unknown form {form!r}")
    if not 1 <= rows <= MAX_ROWS_PER_LEVEL2:
        raise ValueError(f"rows must be between 1 and {MAX_ROWS_PER_LEVEL2}")
    spec = layout.FORMS[form]
    plan = Plan(form=spec, year=year, rows=rows, profile=profile)
    plan.col = {c.key: i for i, c in enumerate(layout.TEMPLATE_COLUMNS)}
    row = 0

    def take() -> int:
        nonlocal row
        row += 1
        return row - 1

    plan.attachment_row = take()
    plan.title_row = take()
    plan.year_row = take()
    plan.date_row = take()
    plan.header_rows = [take() for _ in layout.TEMPLATE_HEADER_ROWS[form]]
    plan.funds_header_row = take()
    plan.funds_rows = {r.key: take() for r in spec.funds_rows}
    plan.goal_header_row = take()
    plan.goal_text_row = take()
    plan.indicator_header_row = take()
    if groups is None:
        groups = [(level1, weight, [(name, []) for name in level1.level2])
                  for level1, weight in level1_groups(profile)]
        blank = rows
    else:
        blank = 1
    for level1, weight, level2s in groups:
        first = row
        blocks = []
        for name, filled in level2s:
            start = row
            row += len(filled) or blank
            blocks.append(Level2Block(name, start, row - 1, tuple(filled)))
        plan.level1_blocks.append(Level1Block(level1, weight, first, row - 1, tuple(blocks)))
    plan.total_row = take()
    if spec.has_conclusion:
        plan.conclusion_row = take()
    plan.notes = form_notes(plan)
    plan.notes_rows = [take() for _ in plan.notes]
    return plan


# --------------------------------------------------------------------------
# The notes under the form


def _percent_text(fraction: Decimal) -> str:
    return number_text(fraction * 100)


def form_notes(plan: Plan) -> tuple[str, ...]:
    """The four notes of the seed form (``layout.NOTES_DEPARTMENT``), worded
    with this form's own column headers (年度指标值（A）, 实际完成值（B）, the
    reason column: 未完成原因分析 on 附件3-1, 偏差原因分析及改进措施 on 附件3-2)
    and the profile's numbers (一级 weights, budget points, total, qualitative
    tiers, the reverse-indicator formula), so a note never contradicts the
    form above it."""
    p, spec = plan.profile, plan.form
    target = layout.INDICATOR_COLUMN["target"].header
    actual = layout.INDICATOR_COLUMN["actual"].header
    total = number_text(p.total_points)
    weights = "、".join(f"{block.level1.name}{number_text(block.weight)}分" for block in plan.level1_blocks)
    budget = number_text(p.budget_points)
    note1 = (
        f"注：1. 绩效自评采取打分评价的形式，满分为{total}分，各部门（单位）可根据指标的重要程度确定各项三级指标的权重分值，"
        f"各项指标得分加总得出该绩效自评的总分。原则上一级指标分值统一设置为：{weights}、预算资金执行率{budget}分。"
        f"如有特殊情况，除预算资金执行率外，其他指标权重可适当调整，但总分应为{total}分。"
        "各三级指标得分最高不能超过该指标分值上限。"
    )
    note2 = f"2. {spec.reason_header}：说明偏离目标、不能完成目标的原因及拟采取的措施。"
    if p.reverse_formula == "linear":
        reverse = (f"则得分计算方法应用（1-（{actual}-{target}）/{target}）*该指标分值"
                   f"（{actual}不超过{target}时得满分，达到{target}2倍及以上时得0分）。")
    else:
        reverse = f"则得分计算方法应用{target}/{actual}*该指标分值。"
    note3 = (
        f"3. 定量指标若为正向指标（即{target}为≥*），则得分计算方法应用{actual}/{target}*该指标分值；"
        f"若定量指标为反向指标（即{target}为≤*），{reverse}"
    )
    full, partial = _percent_text(p.qualitative_full), _percent_text(p.qualitative_partial)
    note4 = (
        "4. 定性指标根据指标完成情况分为：达成预期指标、部分达成预期指标并具有一定效果、未达成预期指标且效果较差三档，"
        f"分别按照该指标对应分值权重区间100-{full}%(含{full}%)、{full}-{partial}%(含{partial}%)、{partial}-0%"
        "合理选择权重确定得分。"
    )
    return (note1, note2, note3, note4)


# --------------------------------------------------------------------------
# Formulas (text and the value cached for a blank template)


def number_text(value: Decimal | int | float) -> str:
    """50 -> '50', 0.5 -> '0.5' (for labels and formulas)."""
    d = Decimal(str(value)).normalize()
    return f"{d:f}"


def number_value(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def conclusion_formula(plan: Plan) -> str:
    p = plan.profile
    total = plan.total_score_cell
    scores = plan.indicator_range("score")
    return (
        f'=IF(COUNT({scores})=0,"",'
        f'IF({total}>={number_text(p.grade_excellent)},"{layout.GRADES[0]}",'
        f'IF({total}>={number_text(p.grade_good)},"{layout.GRADES[1]}",'
        f'IF({total}>={number_text(p.grade_pass)},"{layout.GRADES[2]}","{layout.GRADES[3]}"))))'
    )


def formulas(plan: Plan) -> dict[str, tuple[str, object]]:
    """A1 cell -> (formula, value cached for the blank template)."""
    p = plan.profile
    out: dict[str, tuple[str, object]] = {}
    parts = [k for k in plan.funds_rows if k != "total"]
    first_part, last_part = plan.funds_rows[parts[0]], plan.funds_rows[parts[-1]]
    for key in ("initial", "budget", "executed"):
        col = plan.funds_span(key)[0]
        out[plan.funds_cell("total", key)] = (
            f"=SUM({xl_rowcol_to_cell(first_part, col)}:{xl_rowcol_to_cell(last_part, col)})",
            0,
        )
    budget = plan.funds_cell("total", "budget")
    executed = plan.funds_cell("total", "executed")
    rate = plan.funds_cell("total", "rate")
    points = plan.funds_cell("total", "weight")
    budget_score = plan.funds_cell("total", "score")
    out[rate] = (f"=IFERROR(ROUND({executed}/{budget},{p.rate_decimals}),0)", 0)
    out[budget_score] = (f"=ROUND(MIN({rate},1)*{points},{p.rounding})", 0)
    prefilled = sum((row.weight for block in plan.level1_blocks for level2 in block.level2
                     for row in level2.indicators if isinstance(row.weight, Decimal)), Decimal(0))
    out[plan.total_weight_cell] = (
        f"=SUM({plan.indicator_range('weight')})+{points}",
        number_value(p.budget_points + prefilled),
    )
    out[plan.total_score_cell] = (f"=SUM({plan.indicator_range('score')})+{budget_score}", 0)
    if plan.conclusion_cell:
        out[plan.conclusion_cell] = (conclusion_formula(plan), "")
    return out


def level1_warning_formula(plan: Plan, block: Level1Block) -> str:
    weights = plan.indicator_range("weight", block.first_row, block.last_row, absolute=True)
    return f"=AND(SUM({weights})>0,SUM({weights})<>{number_text(block.weight)})"


# --------------------------------------------------------------------------
# Row heights for wrapped text


def text_units(text: str) -> float:
    """Approximate width of ``text`` in Excel character units (CJK = 2)."""
    return sum(1.0 if ord(ch) < 0x2E80 else 1.9 for ch in text)


def wrapped_height(text: str, width: float, line: float = LINE_HEIGHT, minimum: float = 0) -> float:
    usable = max(width - 1.5, 1)
    lines = sum(max(1, math.ceil(text_units(part) / usable)) for part in text.split("\n"))
    return max(minimum, lines * line + 6)


# --------------------------------------------------------------------------
# Row heights (modelled on Excel at 100 %, 10 pt 宋体) and the printed pages.

DEFAULT_ROW_HEIGHT = 15.0
PAGE_MARGIN_TOP = 0.5  # inches
PAGE_MARGIN_BOTTOM = 0.6
PAGE_MARGIN_SIDE = 0.4
A4_LANDSCAPE = (11.69, 8.27)  # inches (width, height)
DIGIT_PIXELS, COLUMN_PADDING = 7, 5  # Excel's default font (Calibri 11): a column of w characters is 7w+5 px


def sheet_width(cols: tuple[int, int]) -> float:
    return sum(layout.TEMPLATE_COLUMNS[i].width for i in range(cols[0], cols[1] + 1))


def row_heights(plan: Plan) -> dict[int, float]:
    """Row -> height (points) of every row that is not the default height."""
    heights: dict[int, float] = {
        plan.attachment_row: HEIGHTS["attachment"],
        plan.title_row: HEIGHTS["title"],
        plan.year_row: HEIGHTS["year"],
        plan.date_row: HEIGHTS["date"],
        plan.funds_header_row: HEIGHTS["funds_header"],
        plan.goal_header_row: HEIGHTS["goal_header"],
        plan.goal_text_row: HEIGHTS["goal_text"],
        plan.indicator_header_row: HEIGHTS["indicator_header"],
        plan.total_row: HEIGHTS["total"],
    }
    heights.update({row: HEIGHTS["header_field"] for row in plan.header_rows})
    heights.update({row: HEIGHTS["funds_row"] for row in plan.funds_rows.values()})
    if plan.conclusion_row is not None:
        heights[plan.conclusion_row] = HEIGHTS["conclusion"]
    level2_width = layout.TEMPLATE_COLUMNS[plan.col["level2"]].width
    level1_width = layout.TEMPLATE_COLUMNS[plan.col["level1"]].width
    prefilled = any(level2.indicators for block in plan.level1_blocks for level2 in block.level2)
    for block in plan.level1_blocks:
        for level2 in block.level2:
            for offset, indicator in enumerate(level2.indicators):  # pre-filled text wraps
                needed = max(wrapped_height(indicator.level3, layout.TEMPLATE_COLUMNS[plan.col["level3"]].width),
                             wrapped_height(indicator.target, layout.TEMPLATE_COLUMNS[plan.col["target"]].width))
                if needed > DEFAULT_ROW_HEIGHT:
                    heights[level2.first_row + offset] = needed
            count = level2.last_row - level2.first_row + 1
            current = sum(heights.get(r, DEFAULT_ROW_HEIGHT) for r in range(level2.first_row, level2.last_row + 1))
            needed = wrapped_height(level2.name, level2_width)
            if needed > current:  # too few rows for the label
                for r in range(level2.first_row, level2.last_row + 1):
                    heights[r] = max(heights.get(r, DEFAULT_ROW_HEIGHT), needed / count)
        if prefilled:  # few rows per block: room for the 一级 label
            count = block.last_row - block.first_row + 1
            current = sum(heights.get(r, DEFAULT_ROW_HEIGHT) for r in range(block.first_row, block.last_row + 1))
            needed = wrapped_height(block.label, level1_width)
            if needed > current:
                for r in range(block.first_row, block.last_row + 1):
                    heights[r] = max(heights.get(r, DEFAULT_ROW_HEIGHT), needed / count)
    full = plan.span(*layout.TEMPLATE_SPANS["full"])
    for row, note in zip(plan.notes_rows, plan.notes):
        heights[row] = wrapped_height(note, sheet_width(full))
    return heights


# --------------------------------------------------------------------------
# Page breaks: a printed page never ends inside a 一级 block
#
# The sheet prints A4 landscape, fit to one page wide and as many pages tall
# as needed.  Where each page ends is computed here from the layout, at the
# default row heights, and written as manual row breaks, all of them at block
# boundaries: the title lines, the funds block, 年度总体目标, the indicator
# header together with the first 一级 block, each 一级 block, the last one
# together with 总分, 自评结论 and the notes.  A block goes whole onto the next page when it does not
# fit on the current one; only a block taller than a whole page (``--rows``
# far above the default) is split, at its 二级 boundaries first.  The pages
# are computed at the scale fit-to-width gives in Excel and WPS (100 % for the
# official column widths); a program that shrinks the sheet more (LibreOffice
# without Calibri) fits each page's rows with room to spare.


def sheet_width_points() -> float:
    """The printed width of the sheet at 100 %, in points (Excel's column pixels)."""
    pixels = sum(int(c.width * DIGIT_PIXELS + 0.5) + COLUMN_PADDING for c in layout.TEMPLATE_COLUMNS)
    return pixels * 0.75


def print_scale() -> float:
    """The scale of "fit to one page wide" (never above 100 %)."""
    printable = (A4_LANDSCAPE[0] - 2 * PAGE_MARGIN_SIDE) * 72
    return min(1.0, printable / sheet_width_points())


def page_height_points() -> float:
    """Sheet points that fit on one printed page at :func:`print_scale`."""
    return (A4_LANDSCAPE[1] - PAGE_MARGIN_TOP - PAGE_MARGIN_BOTTOM) * 72 / print_scale()


@dataclass(frozen=True)
class _Unit:
    """Rows that print on one page if they can; ``parts`` split it when not."""

    first: int
    last: int
    parts: tuple[_Unit, ...] = ()


def _units(plan: Plan) -> list[_Unit]:
    def rows(first: int, last: int) -> tuple[_Unit, ...]:
        return tuple(_Unit(r, r) for r in range(first, last + 1))

    def block(first: int, last: int) -> _Unit:
        return _Unit(first, last, rows(first, last))

    blocks = [
        _Unit(b.first_row, b.last_row, tuple(block(l2.first_row, l2.last_row) for l2 in b.level2))
        for b in plan.level1_blocks
    ]
    # the indicator header never ends a page: it goes with the first 一级
    first = blocks[0]
    blocks[0] = _Unit(plan.indicator_header_row, first.last,
                      (_Unit(plan.indicator_header_row, first.parts[0].last,
                             (_Unit(plan.indicator_header_row, first.parts[0].first),
                              *first.parts[0].parts[1:])),
                       *first.parts[1:]))
    # 总分, 自评结论 and the notes go with the last 一级 (a page of notes alone
    # would print the repeated indicator header above them)
    last_row = plan.last_row
    tail = (blocks.pop(),) if len(blocks) > 1 else ()
    tail += (block(plan.total_row, plan.conclusion_row if plan.conclusion_row is not None else plan.total_row),
             *(_Unit(r, r) for r in plan.notes_rows))
    return [
        block(plan.attachment_row, plan.header_rows[-1] if plan.header_rows else plan.date_row),
        block(plan.funds_header_row, max(plan.funds_rows.values())),
        block(plan.goal_header_row, plan.goal_text_row),
        *blocks,
        _Unit(tail[0].first, last_row, tail),
    ]


def page_breaks(plan: Plan) -> list[int]:
    """0-based rows that start a new printed page (a manual break above each)."""
    heights = row_heights(plan)
    height = lambda r: heights.get(r, DEFAULT_ROW_HEIGHT)  # noqa: E731
    header = plan.indicator_header_row
    page = page_height_points()
    breaks: list[int] = []
    state = {"used": 0.0, "start": 0.0}

    def repeated(row: int) -> float:  # the header row printed again at the top of later pages
        return height(header) if row > header else 0.0

    def place(unit: _Unit) -> None:
        size = sum(height(r) for r in range(unit.first, unit.last + 1))
        if state["used"] + size <= page:
            state["used"] += size
            return
        if repeated(unit.first) + size <= page or not unit.parts:
            if state["used"] > state["start"]:
                breaks.append(unit.first)
                state["used"] = state["start"] = repeated(unit.first)
            state["used"] += size
            return
        for part in unit.parts:  # taller than a page: split it
            place(part)

    for unit in _units(plan):
        place(unit)
    return breaks


# --------------------------------------------------------------------------
# Writing


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


__all__ = ["IndicatorRow", "Plan", "plan_template", "formulas", "write_template", "level1_groups", "page_breaks",
           "form_notes"]
