"""The S rules: each 三级 indicator row scored, and the row's own required cells.

``check_indicators`` runs one row after another: the row's blank cells (E101,
with the value fill writes where it can compute one), its 分值 (W104), its
target read with the direction its operator, 指标性质 or name gives (a
…控制率 without ≥/≤ is lower-is-better by its name), then the stated score
against the profile's formula (S101 negative, S102 above 分值, S103 not the
formula's value, S104 not a number, S203 a quantitative target with a
qualitative 完成值), the evaluation scheme's 预算执行率 row (F102), and a
missing reason for a deviation (S201 below full marks, S202 far
over-achieved).  The row's quality checks (Q) are in ``quality``.

It returns the effective scores and the weights the total and the weight
sums are built on, and leaves on the context what a half-filled form could
still reach and which rows have no usable 分值.
"""

from __future__ import annotations

import functools
import unicodedata

from selfeval_xlsx.checks.context import ZERO, cell_number
from selfeval_xlsx.checks.quality import check_placeholder, check_target, explicit_operator
from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx.record import replace
from selfeval_xlsx.results import show
from selfeval_xlsx.scoring import (
    budget_rate,
    budget_score,
    budget_score_candidates,
    comparable,
    matches,
    overachieved,
    quantitative_score,
    round_half_up,
)
from selfeval_xlsx.values import Direction, compact, nature_direction, parse_value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from decimal import Decimal

    from selfeval_xlsx.checks.context import Context
    from selfeval_xlsx.model import Cell, Indicator
    from selfeval_xlsx.values import Value

# Lower-is-better indicators known by their name when the target has no ≥/≤
LOWER_IS_BETTER = ("控制率", "调整率", "结余率", "结转结余率", "变动率", "差错率", "投诉率", "事故率", "超支率", "发生率",
                   "失误率", "违规率", "返工率", "偏差率")


_NAME_UNIT = lazy(r"[（(]\s*([%％‰]|万元|元|个|人|次|天|户|项)\s*[)）]\s*$")


def name_unit(cell: Cell | None) -> str | None:
    """The unit a 三级 name carries: "新型经营主体实现产值(%)" → "%" (for a bare-number target)."""
    if cell is None or cell.empty:
        return None
    return _unit_in_name(cell.text)


@functools.lru_cache(maxsize=4096)  # names repeat across rows and forms
def _unit_in_name(name: str) -> str | None:
    text = unicodedata.normalize("NFKC", name)
    if not text.rstrip().endswith((")", "）")):
        return None  # the pattern ends in a bracket and spaces: most names are spared compiling it
    match = _NAME_UNIT.search(text)
    return match.group(1) if match else None


@functools.lru_cache(maxsize=4096)  # names repeat across rows and forms
def lower_is_better(name: str) -> bool:
    clean = _FINAL_BRACKETS.sub("", compact(name or ""))
    return clean.endswith(LOWER_IS_BETTER)


_FINAL_BRACKETS = lazy(r"[（(][^）)]*[）)]$")


ACHIEVED = lazy(r"完成|达成|达到|实现|按期|按时|及时|合格|满意|良好|优秀|是|符合|合规|正常")
NOT_ACHIEVED = lazy(r"未|部分|没有|延期|滞后|不足|不合格|不满意|否")


def meets_target(target: Value, actual: Value) -> bool:
    """A qualitative actual that plainly meets its target (for filling an empty score)."""
    if actual.kind == "empty":
        return False
    if compact(actual.raw) == compact(target.raw) and target.kind != "empty":
        return True
    return bool(ACHIEVED.search(actual.raw)) and not NOT_ACHIEVED.search(actual.raw)


def formula_text(target: Value, actual: Value, weight: Decimal | None) -> str:
    pair = comparable(target, actual)
    a, b = (show(n) for n in pair) if pair else (show(target.number), show(actual.number))
    w = show(weight)
    if target.direction is Direction.NEGATIVE:
        return f"{a}/{b}×{w}"
    return f"{b}/{a}×{w}"


def check_indicators(ctx: Context) -> tuple[Decimal, Decimal]:
    """Check every 三级 row; returns (sum of effective scores, sum of weights).  Sets ``ctx.reach``
    and the rows whose 分值 column is blank or not a positive number (``ctx.missing_weights``)."""
    total = ZERO
    weights = ZERO
    for row in ctx.form.indicators:
        score, weight = check_indicator(ctx, row)
        total += score
        weights += weight
        if row.weight is not None and not weight > 0:
            ctx.unweighted = True
            ctx.missing_weights.append(row.row)
    return total, weights


def budget_row(ctx: Context, row: Indicator, weight: Decimal | None, stated: Decimal | None) -> Decimal | None:
    """The evaluation scheme's 预算执行率 row: its score is the funds block's rate × its points (F102)."""
    total = ctx.form.funds_row("total")
    if total is None or weight is None or not ctx.understood("funds"):
        return None
    rate = budget_rate(cell_number(total.budget), cell_number(total.executed))
    if rate is None:
        return None
    profile = replace(ctx.profile, budget_points=weight)
    if stated is not None and matches(stated, budget_score_candidates(rate, profile), profile):
        return stated
    computed = ctx.rounded(budget_score(rate, profile))
    if stated is None:
        ctx.add("E101", row.score, field="得分", field_en="Score")
        ctx.change(row.score, computed, "E101")
    else:
        ctx.add("F102", row.score, expected=computed, found=stated, points=weight)
        ctx.change(row.score, computed, "F102")
    return computed


def check_indicator(ctx: Context, row: Indicator) -> tuple[Decimal, Decimal]:
    """Check one 三级 row; returns (effective score, weight)."""
    check_placeholder(ctx, row)
    if row.score is None or not ctx.scores_known():
        # no score column (L202): the table is not one the tool can score; no blanks or
        # weights asked of it, no arithmetic on a misreading
        nature = row.nature.value if row.nature is not None else None
        check_target(ctx, row, parse_value(row.target.value if row.target else None, nature))
        return ZERO, (cell_number(row.weight) or ZERO)
    for cell, name_zh, name_en in ((row.level3, "三级指标名称", "Level-3 indicator name"),
                                   (row.target, "年度指标值", "Target value")):
        if cell is not None:
            ctx.required(cell, name_zh, name_en)
    weight = cell_number(row.weight)
    if row.weight is None:  # the form has no 分值 column: ask for nothing it has no column for
        weight = None
    elif not ctx.required(row.weight, "分值", "Weight"):
        weight = None
    elif weight is None or weight <= 0:
        ctx.add("W104", row.weight, found=row.weight.text if row.weight else None)
        weight = None
    nature = row.nature.value if row.nature is not None else None
    unit = row.unit.value if row.unit is not None else name_unit(row.level3)
    target = parse_value(row.target.value if row.target else None, nature, unit=unit)
    actual = parse_value(row.actual.value if row.actual else None, nature, unit=unit)
    inferred = False
    if (
        target.quantitative
        and target.direction is Direction.POSITIVE
        and not explicit_operator(target.raw)
        and (row.nature is None or nature_direction(nature) is None)
        and row.level3 is not None
        and lower_is_better(row.level3.text)
    ):
        # no ≥/≤ and no usable 指标性质: a …控制率 / 差错率 is lower-is-better by its name
        target = replace(target, direction=Direction.NEGATIVE)
        inferred = True
    check_target(ctx, row, target)

    stated = cell_number(row.score)
    if stated is None and row.score is not None and not row.score.empty:
        ctx.add("S104", row.score, found=row.score.text.strip())
    formula = None
    if weight is not None and target.quantitative:
        if actual.quantitative:
            formula = quantitative_score(target, actual, weight, ctx.profile)
        elif stated is not None and actual.kind != "empty":  # a blank one is E101 below
            ctx.add("S203", row.actual, found=actual.raw or None)

    if row.score is None:  # no score column (L202 said so): nothing to check or write
        return ZERO, (weight or ZERO)
    if ctx.evaluation and row.level3 is not None and "预算执行率" in compact(row.level3.text):
        effective = budget_row(ctx, row, weight, stated)
        if effective is not None:
            ctx.reach += effective
            return effective, (weight or ZERO)
    ctx.inferred = inferred
    effective = indicator_score(ctx, row, stated, weight, formula, target, actual)
    if effective is None and row.score.empty:
        # a blank score fill cannot compute: 未填写完整.  One whose inputs are all there is
        # computed (and written); the total built on it is then real
        ctx.result.complete = False
    if row.actual is not None and row.actual.empty:
        # a blank 完成值: 未填写完整 even when a score was written (it cannot be checked)
        ctx.result.complete = False
        ctx.add("E101", row.actual, field="实际完成值", field_en="Actual value")
    if weight is not None and effective is not None:
        check_deviation(ctx, row, effective, weight, target, actual)
    if row.actual is not None and row.actual.empty or effective is None:
        ctx.reach += weight or ZERO  # not scored yet: it could still bring its points
    else:  # generous: the stated score (capped) when it is above the corrected one
        stated_capped = min(stated, weight) if stated is not None and weight is not None else stated
        ctx.reach += max(effective, stated_capped) if stated_capped is not None else effective
    return (effective or ZERO), (weight or ZERO)


def indicator_score(
    ctx: Context,
    row: Indicator,
    stated: Decimal | None,
    weight: Decimal | None,
    formula: Decimal | None,
    target: Value,
    actual: Value,
) -> Decimal | None:
    """Check the stated score; returns the score that counts in the total."""
    if stated is None:  # empty, or no number (S104): the formula, or full marks where plainly met
        if row.score is None or row.score.empty:
            ctx.add("E101", row.score, field="得分", field_en="Score")
        if formula is not None:
            new = ctx.rounded(formula)
        elif weight is not None and meets_target(target, actual):
            new = weight
        else:
            return None
        ctx.change(row.score, new, "S104" if row.score is not None and not row.score.empty else "E101")
        return new
    if stated < 0:
        ctx.add("S101", row.score, found=stated)
        new = ctx.rounded(formula) if formula is not None else ZERO
        ctx.change(row.score, new, "S101")
        return new
    if weight is not None and stated > weight + ctx.tolerance:
        ctx.add("S102", row.score, expected=weight, found=stated)
        new = ctx.rounded(formula) if formula is not None else weight
        ctx.change(row.score, new, "S102")
        return new
    if formula is not None and not matches(stated, formula, ctx.profile):
        new = ctx.rounded(formula)
        text = formula_text(target, actual, weight)
        if ctx.inferred:
            text += "，按指标名称推定为反向指标"
        ctx.add("S103", row.score, expected=new, found=stated, formula=text,
                formula_en=text.replace("，按指标名称推定为反向指标", ", lower-is-better inferred from the name"))
        ctx.change(row.score, new, "S103")
        return new
    return min(stated, weight) if weight is not None else stated


def check_deviation(ctx: Context, row: Indicator, score: Decimal, weight: Decimal, target: Value,
                    actual: Value) -> None:
    """S201/S202: a score below full marks, or a target far over-achieved, needs a reason."""
    if row.reason is None:
        return  # the form has no reason column: ask for nothing it has no column for
    has_reason = not row.reason.empty
    if has_reason:
        return
    if score < weight - ctx.tolerance:
        ctx.add("S201", row.reason or row.score, expected=weight, found=score)
    elif target.quantitative and actual.quantitative and overachieved(target, actual, ctx.profile):
        a, b = comparable(target, actual)
        ratio = round_half_up(b / a, 1)
        ctx.add("S202", row.reason or row.actual, expected=target.raw, found=actual.raw, ratio=ratio)
