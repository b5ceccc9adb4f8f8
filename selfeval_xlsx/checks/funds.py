"""The F rules: the funds (预算执行) block, its rate and the budget score.

``check_funds`` checks the block's 年度资金总额 row: its columns against the
sums of its component rows (F103), each row's 执行数 against its 预算数
(F201), the stated 执行率 against 执行数 / 预算数 (F101, any rounding from
whole percent to 0.0001 % accepted, see :func:`rate_matches`), the budget
score against the profile's formula with the form's own budget 分值 (F102),
and that 分值 against the profile's (W103).  Blank cells it needs are E101
(a blank rate or score with the value fill writes).  It returns the budget weight and the budget
score that count in the total.

In the evaluation scheme (决策/过程/产出/效益) budget execution is an
indicator row instead (``scores.budget_row``): only the rate is read and
checked here.  A block present but not understood (L201) is not checked.
"""

from __future__ import annotations

from decimal import Decimal

from selfeval_xlsx.checks.context import HUNDRED, ZERO, cell_number, cell_rate
from selfeval_xlsx.record import replace
from selfeval_xlsx.results import show
from selfeval_xlsx.scoring import budget_rate, budget_score, budget_score_candidates, matches, round_half_up

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from selfeval_xlsx.checks.context import Context
    from selfeval_xlsx.model import FundsRow

def percent(rate: Decimal) -> str:
    """A rate as the form shows it, in percent with two decimals: 0.97524 -> "97.52%"."""
    return show(round_half_up(rate * HUNDRED, 2)) + "%"


def rate_matches(stated: Decimal, rate: Decimal) -> bool:
    """A stated rate is right when it is the exact rate rounded anywhere from
    whole percent to 0.0001 %, or within 0.01 percentage points of it."""
    if abs(stated - rate) <= Decimal("0.0001"):
        return True
    return any(stated == round_half_up(rate, places) for places in range(2, 7))


def check_funds(ctx: Context) -> tuple[Decimal, Decimal | None]:
    """Check the funds block; returns (budget weight, effective budget score)."""
    points = ctx.form.budget_points  # "（20分）" in the block label
    if ctx.evaluation:
        # budget execution is an indicator row of the 决策/过程/产出/效益 scheme: the rate is read
        # (and checked where stated), no separate budget score
        total = ctx.form.funds_row("total")
        if total is not None and ctx.understood("funds"):
            rate = budget_rate(cell_number(total.budget), cell_number(total.executed))
            if rate is not None:
                ctx.result.budget_rate = round_half_up(rate, ctx.profile.rate_decimals)
                stated_rate = cell_rate(total.rate)
                ctx.result.stated_budget_rate = stated_rate
                if stated_rate is not None and not rate_matches(stated_rate, rate):
                    ctx.add("F101", total.rate, expected=percent(rate), found=percent(stated_rate))
                    ctx.change(total.rate, ctx.result.budget_rate, "F101", "0.00%")
        return ZERO, None
    total = ctx.form.funds_row("total")
    if not ctx.understood("funds"):
        # present but not understood (L201): no F check; a stated score counts only when its cell was read
        weight = points if points is not None else ctx.profile.budget_points
        stated = cell_number(total.score) if total is not None and total.score is not None else None
        if stated is None:
            return weight, None
        return weight, min(max(stated, ZERO), weight)
    if total is None:
        return (points if points is not None else ctx.profile.budget_points), None
    ctx.result.stated_budget_rate = cell_rate(total.rate)
    ctx.result.stated_budget_score = cell_number(total.score)
    sums = funds_sums(ctx, total)
    for row in ctx.form.funds:
        budget, executed = cell_number(row.budget), cell_number(row.executed)
        if budget is not None and executed is not None and executed > budget + ctx.tolerance:
            label = row.label.text.strip().rstrip(":：")
            ctx.add("F201", row.executed, expected=budget, found=executed, label=label)

    weight = cell_number(total.weight)
    where = total.weight
    if weight is None and points is not None:
        weight, where = points, None
    if weight is None:
        weight = ctx.profile.budget_points
    elif weight != ctx.profile.budget_points:
        ctx.add("W103", where, expected=ctx.profile.budget_points, found=weight)

    budget, executed = cell_number(total.budget), cell_number(total.executed)
    if "budget" in sums and "executed" in sums and not budget and not executed:
        # a 年度资金总额 row of zeros above filled components (F103 said so): the rate is the components'
        budget, executed = sums["budget"], sums["executed"]
        rate = budget_rate(budget, executed)
    else:
        budget_ok = ctx.required(total.budget, "全年预算数", "Budget (A)")
        executed_ok = ctx.required(total.executed, "全年执行数", "Executed (B)")
        rate = budget_rate(budget, executed) if budget_ok and executed_ok else None
    if rate is None:
        stated = cell_number(total.score)
        return weight, min(max(stated, ZERO), weight) if stated is not None else None

    rounded_rate = round_half_up(rate, ctx.profile.rate_decimals)
    ctx.result.budget_rate = rounded_rate
    stated_rate = cell_rate(total.rate)
    if total.rate is not None:
        if stated_rate is None:
            ctx.add("E101", total.rate, field="执行率", field_en="Execution rate")
            ctx.change(total.rate, rounded_rate, "E101", "0.00%")
        elif not rate_matches(stated_rate, rate):
            ctx.add("F101", total.rate, expected=percent(rate), found=percent(stated_rate))
            ctx.change(total.rate, rounded_rate, "F101", "0.00%")

    # the form's own budget 分值 scores its budget (W103 already said if it differs)
    profile = replace(ctx.profile, budget_points=weight)
    computed = budget_score(rate, profile)
    stated_score = cell_number(total.score)
    if total.score is None:
        effective = ctx.rounded(computed)
    elif stated_score is None:
        effective = ctx.rounded(computed)
        ctx.add("E101", total.score, field="预算执行得分", field_en="Budget score")
        ctx.change(total.score, effective, "E101")
    elif matches(stated_score, budget_score_candidates(rate, profile), profile):
        effective = stated_score
    else:
        effective = ctx.rounded(computed)
        ctx.add("F102", total.score, expected=effective, found=stated_score, points=weight)
        ctx.change(total.score, effective, "F102")
    ctx.result.budget_score = effective
    return weight, effective


def funds_sums(ctx: Context, total: FundsRow) -> dict[str, Decimal]:
    """F103 per column; returns the components' sums of the columns the total row gets wrong."""
    wrong: dict[str, Decimal] = {}
    parts = [row for row in ctx.form.funds if row is not total]
    columns = (("initial", "年初预算数", "initial budget"), ("budget", "全年预算数", "budget"),
               ("executed", "全年执行数", "executed"))
    for key, name_zh, name_en in columns:
        values = [cell_number(getattr(row, key)) for row in parts]
        if not any(v is not None for v in values):
            continue
        stated = cell_number(getattr(total, key))
        expected = sum((v for v in values if v is not None), ZERO)
        if stated is not None and abs(stated - expected) > ctx.tolerance:
            ctx.add("F103", getattr(total, key), expected=expected, found=stated, column=name_zh,
                    column_en=name_en)
            wrong[key] = expected
    return wrong
