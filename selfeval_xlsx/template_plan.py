"""The template's plan: where every cell of the form goes, and the formulas and notes it holds.

:func:`plan_template` computes once, from ``layout.py`` and the profile,
every position of one template (0-based rows and columns in a
:class:`Plan`): the title lines, header fields, funds block, 年度总体目标,
the indicator table's 一级 and 二级 blocks (blank rows, or the rows
``selfeval template --from`` pre-fills, :class:`IndicatorRow`), 总分,
自评结论 and the notes.  :func:`formulas` gives the formula of every
computed cell with the value cached for a blank template;
:func:`form_notes` the four notes worded with this form's columns and the
profile's numbers.  The writer (``template.build``), the page layout
(``template_pages``) and the tests all use the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from xlsxwriter.utility import xl_rowcol_to_cell

from selfeval_xlsx import layout
from selfeval_xlsx.layout import FormLayout, Level1
from selfeval_xlsx.profile import DEFAULT, Profile

MAX_ROWS_PER_LEVEL2 = 50


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


__all__ = ["MAX_ROWS_PER_LEVEL2", "Groups", "IndicatorRow", "Level1Block", "Level2Block", "Plan", "form_notes",
           "formulas", "level1_groups", "level1_warning_formula", "number_text", "number_value", "plan_template"]
