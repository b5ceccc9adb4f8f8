"""The T101 and C rules: the stated 总分 and 自评结论 against the computed ones.

``check_totals`` rounds the computed total (the effective scores of the
rows and the budget, see the package docstring) to the profile's decimals,
grades it, and compares the stated 总分 (T101; E101 when blank, with the
value fill writes unless the total sits inline in a label cell).
``check_conclusion`` compares the stated grade word with the computed one
(C101 another band, C201 not a grade word; a narrative conclusion box is
never written).  ``check_incomplete`` stands in for both on a form not
filled in completely: no total or grade is shown as if it were real, the
blank cells are E101, and a stated total no filling-in could reach is
still T101.  Formula cells are re-checked afterwards by ``formulas``.
"""

from __future__ import annotations

from selfeval_xlsx.checks.context import HUNDRED, ZERO, cell_number
from selfeval_xlsx.results import show
from selfeval_xlsx.scoring import grade, normalise_grade
from selfeval_xlsx.values import compact

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from decimal import Decimal

    from selfeval_xlsx.checks.context import Context

def check_totals(ctx: Context, computed: Decimal) -> None:
    """The computed total and grade; T101 (E101 blank) for the stated 总分."""
    computed = ctx.rounded(computed)
    ctx.result.total = computed
    ctx.result.grade = grade(computed, ctx.profile)
    cell = ctx.form.total
    if cell is None:
        return
    stated = cell_number(cell)
    ctx.result.stated_total = stated
    part = ctx.part("total")
    writable = part is None or not part.info.get("inline")  # "自评总分：96" in one cell: report only
    if stated is None and not cell.empty:  # text, or a number no cell can hold (1e309)
        ctx.add("T101", cell, expected=computed, found=show(cell.value))
        if writable:
            ctx.change(cell, computed, "T101")
    elif stated is None:
        ctx.add("E101", cell, field="总分", field_en="Total score")
        if writable:
            ctx.change(cell, computed, "E101")
    elif abs(stated - computed) > ctx.tolerance:
        ctx.add("T101", cell, expected=computed, found=stated)
        if writable:
            ctx.change(cell, computed, "T101")


def check_conclusion(ctx: Context) -> None:
    """C101 (another band) or C201 (not a grade word) for the stated 自评结论; E101 blank."""
    cell = ctx.form.conclusion
    if cell is None:
        return
    expected = ctx.result.grade
    part = ctx.part("conclusion")
    if part is not None and part.info.get("kind") == "narrative" and (cell.empty or not part.info.get("grade_cell")):
        # a narrative box: a grade is read only from a cell holding a grade word, never written into it
        if cell.empty:
            ctx.add("E101", cell, field="评价结论", field_en="Conclusion")
        return
    if cell.empty:
        ctx.add("E101", cell, field="自评结论", field_en="Conclusion")
        words = dict(zip(("优秀", "良好", "中", "差"), ctx.profile.grade_words))
        ctx.change(cell, words.get(expected, expected), "E101")  # the profile's way of writing the grade
        return
    text = cell.text.strip()
    ctx.result.stated_grade = text
    stated = normalise_grade(text)
    if stated is None:
        ctx.add("C201", cell, expected=expected, found=text)
        if len(compact(text)) <= 6:  # a short wrong word, not a sentence someone wrote
            ctx.change(cell, expected, "C201")
    elif stated != expected:
        ctx.add("C101", cell, expected=expected, found=text, total=ctx.result.total)
        short = len(compact(text)) == 1
        ctx.change(cell, expected[0] if short else expected, "C101")


def check_incomplete(ctx: Context, indicator_weights: Decimal, budget_weight: Decimal,
                     budget_score: Decimal | None) -> None:
    """未填写完整: blank cells reported, no total or grade shown as if real, no C finding;
    a stated total no filling-in could reach is still T101 (reported, never written)."""
    ctx.result.total = None
    ctx.result.grade = ""
    cell = ctx.form.total
    stated = ctx.result.stated_total = cell_number(cell)
    if cell is not None and cell.empty:
        ctx.add("E101", cell, field="总分", field_en="Total score")
    elif stated is not None and ctx.scores_known() and (ctx.evaluation or ctx.budget_known(budget_score)):
        unaccounted = max(HUNDRED - indicator_weights - budget_weight, ZERO) if ctx.unweighted else ZERO
        budget = budget_weight if budget_score is None else budget_score
        reach = ctx.rounded(ctx.reach + unaccounted + (ZERO if ctx.evaluation else budget))
        if stated > reach + ctx.tolerance:
            ctx.add("T101", cell, expected=f"≤{show(reach)}", found=stated)
    conclusion = ctx.form.conclusion
    if conclusion is not None:
        if conclusion.empty:
            ctx.add("E101", conclusion, field="自评结论", field_en="Conclusion")
        else:
            ctx.result.stated_grade = conclusion.text.strip()
