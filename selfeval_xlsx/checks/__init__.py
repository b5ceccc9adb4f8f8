"""Run the rules on a form: findings and the computed values.

Input: a :class:`model.Form` from the reader.  Output: a
:class:`~selfeval_xlsx.results.FormResult` with the findings (each
positioned at a cell), the computed 执行率, budget 得分, 总分 and 自评结论,
and the edits the writer would make; its ``to_dict`` is the form's JSON
shape.

How the computed 总分 is made (see the README, "How scores are computed"):
a quantitative row counts with its stated score when that is within the
profile's tolerance of the formula, otherwise with the formula's value
rounded to ``profile.rounding`` decimals (the value ``fill`` writes); a
qualitative row, or a quantitative row whose actual value is not a number,
counts with its stated score capped to [0, 分值]; the budget score likewise.
So a corrected copy validates without arithmetic findings.

The rules live by family (the letters of ``rules.py``), each module holding
the checks of its codes as functions taking a :class:`context.Context`:

* ``scores`` -- S: each indicator row scored (and its E101, W104, the
  evaluation scheme's budget row);
* ``quality`` -- Q: vague, inconsistent or placeholder targets, stale years;
* ``funds`` -- F: the funds block, its rate and the budget score (and W103);
* ``weights`` -- W: the 分值 adding up (and S105 of goal blocks);
* ``totals`` -- T101 and C: the stated 总分 and 自评结论;
* ``formulas`` -- T102: formula cells re-checked after the corrections.

This module holds what spans them: :func:`check_form` (the order the
families run in: each later one uses what the earlier ones computed), the
L findings for parts present but not understood, the names (E101) and the
plausibility gate fill passes a form through before writing into it.  The
names other modules import from ``selfeval_xlsx.checks`` are re-exported
here; the result types live in ``results``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from selfeval_xlsx.checks.context import HUNDRED, ZERO, Context, cell_number, position
from selfeval_xlsx.checks.formulas import check_formulas
from selfeval_xlsx.checks.funds import check_funds, percent, rate_matches
from selfeval_xlsx.checks.quality import (
    PERIOD_AFTER,
    PERIOD_BEFORE,
    YEAR,
    check_year,
    explicit_operator,
    is_placeholder,
    written_years,
)
from selfeval_xlsx.checks.scores import (
    ACHIEVED,
    LOWER_IS_BETTER,
    NOT_ACHIEVED,
    check_indicators,
    formula_text,
    lower_is_better,
    meets_target,
    name_unit,
)
from selfeval_xlsx.checks.totals import check_conclusion, check_incomplete, check_totals
from selfeval_xlsx.checks.weights import (
    DECLARED,
    EVALUATION_LEVEL1,
    check_blocks,
    check_weights,
    evaluation_key,
    level1_key,
)
from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx.model import Cell
from selfeval_xlsx.profile import DEFAULT, for_layout
from selfeval_xlsx.results import Change, Finding, FormResult, json_value, show
from selfeval_xlsx.values import compact

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from selfeval_xlsx.model import Form, Workbook
    from selfeval_xlsx.profile import Profile

# fill refuses a form whose weights miss full marks by more than this share:
# a few points off is a defect of the form (W102, reported and still filled);
# far off means the table was most likely misread
GATE_SHARE = Decimal("0.05")
_A1_ONLY = lazy(r"^[A-Z]{1,3}\d+$")


def _is_ref(text: str) -> bool:
    return bool(_A1_ONLY.match(text))


def check_form(form: Form, profile: Profile = DEFAULT) -> FormResult:
    """Every rule on one form, with ``profile``; the findings and changes in cell order."""
    ctx = Context(form, profile)
    result = ctx.result
    layout_findings(ctx)
    for cell in form.placeholders:  # placeholder rows: not indicators, Q204 at most
        ctx.add("Q204", cell, found=cell.text.strip())
    if not form.indicators:  # a blank template: one finding, not a cascade
        result.total = None
        result.stated_total = cell_number(form.total)
        if ctx.understood("indicators"):
            ctx.add("E102", None)
            # nothing filled in: no computed total or grade shown as if it were real
            result.complete = False
        else:  # a table not understood has said so with its L finding; fill leaves the form alone
            result.unfilled = ("绩效指标表未识别", "the indicator table was not understood")
        result.findings.sort(key=lambda f: position(f.cell))
        return result
    check_name(ctx)
    indicator_total, indicator_weights = check_indicators(ctx)
    budget_weight, budget_score_value = check_funds(ctx)
    check_weights(ctx, indicator_weights, budget_weight)
    check_blocks(ctx)
    blanks = [c for c in result.changes if c.code == "E101" and c.cell is not form.conclusion]
    if blanks and form.total is None:
        # blank scores fill can compute, on a form with no 总分 cell: an unfinished form, no total shown
        # (with a 总分 cell it is a slip: the total is checked, and fill completes the form in one pass)
        result.complete = False
    if not result.complete:
        check_incomplete(ctx, indicator_weights, budget_weight, budget_score_value)
    elif ctx.budget_known(budget_score_value) and ctx.scores_known():
        check_totals(ctx, indicator_total + (budget_score_value or ZERO))
        check_conclusion(ctx)
    else:
        result.total = None
        result.stated_total = cell_number(form.total)
        result.grade = ""
        if form.conclusion is not None and not form.conclusion.empty:
            result.stated_grade = form.conclusion.text.strip()
    check_year(ctx)
    check_formulas(ctx)
    gate(ctx, indicator_weights, budget_weight)
    result.findings.sort(key=lambda f: position(f.cell))
    result.changes.sort(key=lambda c: position(c.cell.ref))
    return result


def layout_findings(ctx: Context) -> None:
    """One L finding per part that is present but not understood."""
    codes = {"funds": "L201", "indicators": "L202", "total": "L203", "conclusion": "L204"}
    names = {"funds": ("资金", "Funds"), "indicators": ("绩效指标", "Indicators"), "total": ("总分", "Total"),
             "conclusion": ("评价结论", "Conclusion")}
    for name, code in codes.items():
        part = ctx.part(name)
        if part is None or part.status != "partial":
            continue
        label = part.info.get("label")
        zh = compact(str(label)) if isinstance(label, str) and len(str(label)) < 30 and not _is_ref(label) else names[name][0]
        zh = re.sub(r"[（(].*?[)）]", "", zh) or names[name][0]
        missing_zh = "；".join(m[0] for m in part.missing)
        missing_en = "; ".join(m[1] for m in part.missing)
        if name == "funds":
            missing_zh += "；预算执行得分未核验"
            missing_en += "; the budget score is not checked"
            if ctx.form.total is not None:
                missing_zh += "，总分与自评结论未核验"
                missing_en += ", nor the total and the conclusion"
        elif name == "total":
            missing_zh += "；总分未核验"
            missing_en += "; the total is not checked"
        cell = Cell(ctx.form.sheet, part.range.split(":")[0]) if part.range else None
        ctx.add(code, cell, part=zh, part_en=names[name][1], range=part.range or "", missing=missing_zh,
                missing_en=missing_en)


def check_name(ctx: Context) -> None:
    """单位名称 (department form) or 项目名称 (project form): the form has the
    label but the cell beside it is empty -> E101 at that cell."""
    if ctx.form.kind == "project":
        key, field_zh, field_en = "project", "项目名称", "Project name"
    else:
        key, field_zh, field_en = "unit", "单位名称", "Unit name"
    cell = ctx.form.fields.get(key)
    if cell is not None:
        ctx.required(cell, field_zh, field_en)


def gate(ctx: Context, indicator_weights: Decimal, budget_weight: Decimal) -> None:
    """The plausibility gate: fill writes into this form only when it passes."""
    reasons: list[tuple[str, str]] = []
    for name in ("funds", "total"):
        part = ctx.part(name)
        if part is not None and part.status == "partial":
            what = {"funds": ("资金部分", "the funds block"), "total": ("总分", "the total")}[name]
            reasons.append((f"{what[0]}（{part.range}）未识别", f"{what[1]} ({part.range}) was not understood"))
    part = ctx.part("indicators")
    if part is not None and "score" not in part.columns:
        reasons.append(("绩效指标表没有得分列", "the indicator table has no score column"))
    elif not ctx.scores_known():
        reasons.append(("绩效指标表没有指标值和完成值列，得分无法核验", "the indicator table has no target or actual column"))
    has_weights = any(row.weight is not None for row in ctx.form.indicators)
    if has_weights:
        missing = ctx.missing_weights
        if missing:
            rows = "、".join(str(r) for r in missing[:5]) + ("…" if len(missing) > 5 else "")
            reasons.append((f"第 {rows} 行的指标没有分值", f"the indicators of rows {rows} have no weight"))
        points = indicator_weights + budget_weight
    else:
        # no 分值 column: the points of the rows cannot be shown to add up to full marks
        reasons.append(("没有分值列，无法核对各指标分值与满分", "no weight column: the points cannot be checked"))
        declared = [b.points for b in ctx.form.blocks if b.points is not None]
        points = sum(declared, ZERO) + budget_weight if declared else None
    full = HUNDRED
    missing_points = has_weights and bool(ctx.missing_weights)
    if points is not None and not missing_points and abs(points - full) > full * GATE_SHARE:
        share = show(GATE_SHARE * HUNDRED)
        reasons.append((f"分值合计 {show(points)}，与满分 {show(full)} 相差超过 {share}%（分值有误，或表格未被正确识别）",
                        f"the weights add up to {show(points)}, more than {share} % away from full marks {show(full)} "
                        "(wrong weights, or a layout that was misread)"))
    stated = cell_number(ctx.form.total)
    reach = max(points, full) if points is not None else full
    if stated is not None and (stated < 0 or stated > reach * (1 + GATE_SHARE)):
        reasons.append((f"填报总分 {show(stated)} 超出各行分值合计 {show(reach)}",
                        f"the stated total {show(stated)} is beyond the {show(reach)} points of the rows"))
    computed = ctx.result.total
    if computed is not None and computed > reach + ctx.tolerance:
        reasons.append((f"计算总分 {show(computed)} 超过满分 {show(reach)}（得分超出分值，见上）",
                        f"the computed total {show(computed)} exceeds full marks {show(reach)} (scores above their points)"))
    if reasons:
        ctx.result.unfilled = ("；".join(r[0] for r in reasons), "; ".join(r[1] for r in reasons))
        ctx.result.changes = []



def check_workbook(workbook: Workbook, profile: Profile = DEFAULT) -> list[FormResult]:
    """Check every form; without a chosen profile each form gets the one its layout names."""
    results = []
    for form in workbook.forms:
        chosen, auto = for_layout(form.layout, profile)
        result = check_form(form, chosen)
        result.profile_auto = auto
        results.append(result)
    return results


__all__ = [
    "ACHIEVED", "DECLARED", "EVALUATION_LEVEL1", "GATE_SHARE", "HUNDRED", "LOWER_IS_BETTER", "NOT_ACHIEVED",
    "PERIOD_AFTER", "PERIOD_BEFORE", "YEAR", "ZERO", "Change", "Finding", "FormResult", "check_form",
    "check_workbook", "evaluation_key", "explicit_operator", "formula_text", "is_placeholder", "json_value",
    "level1_key", "lower_is_better", "meets_target", "name_unit", "percent", "position", "rate_matches", "show",
    "written_years",
]
