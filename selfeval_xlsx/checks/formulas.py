"""The T102 rule: formula cells re-checked with every correction in place.

fill writes a formula cell's cached value and the file recalculates on
open, so a value may land in a formula cell only when the formula gives it
again.  ``check_formulas`` evaluates each formula cell the checks wanted to
change (and the 执行率, budget score, 总分 and 自评结论 formulas even when
nothing is written to them) on a :class:`_Grid` of the form's cells with
the corrections laid over them, and either keeps the change, rewrites a
score formula that only lacks its cap, drops the change, or replaces the
cell's finding with T102 when the formula itself is wrong (its docstring
has the cases).  ``formula`` evaluates; it is imported on first
use, so a form without formula cells never loads it.
"""

from __future__ import annotations

import math
from decimal import Decimal

from selfeval_xlsx.checks.context import cell_number, position
from selfeval_xlsx.checks.funds import percent, rate_matches
from selfeval_xlsx.record import replace
from selfeval_xlsx.scoring import normalise_grade
from selfeval_xlsx.values import parse_number

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any

    from selfeval_xlsx.checks.context import Context
    from selfeval_xlsx.model import Cell, Form
    from selfeval_xlsx.results import Change


def check_formulas(ctx: Context) -> None:
    """Corrections that last.  fill writes a formula cell's cached value
    and the file recalculates on open, so a value lands in a formula cell
    only when the formula, recalculated with every correction in place,
    gives that value.  Otherwise:

    * a score whose formula is only missing the cap (over-spent budget,
      over-achieved indicator) gets its formula rewritten around the
      user's own: ``=MIN(H7*10,10)``, ``=MIN(F18/E18*G18,G18)``;
    * a formula that is right but is fed a cell that stays wrong keeps
      its finding and is not written;
    * a formula that is itself wrong gives T102 instead of its finding,
      and a person fixes it;
    * a formula this tool cannot evaluate is not written (report only).

    The 执行率, budget score, 总分 and 自评结论 formulas are checked even
    when nothing is written to them (T102 when they are wrong)."""
    total_row = ctx.form.funds_row("total")
    changed = {c.cell.ref: c for c in ctx.result.changes}
    targets: list[tuple[Cell, Any, str, str | None]] = []
    for row in ctx.form.indicators:
        change = changed.get(row.score.ref) if row.score is not None else None
        if change is not None and row.score.formula:
            targets.append((row.score, change.new, "score", _cap(row.weight, cell_number(row.weight))))
    if total_row is not None:
        weight = cell_number(total_row.weight)
        targets += [
            (total_row.rate, ctx.result.budget_rate, "rate", None),
            (total_row.score, ctx.result.budget_score, "score",
             _cap(total_row.weight, weight if weight is not None else ctx.profile.budget_points)),
        ]
    targets += [(ctx.form.total, ctx.result.total, "score", None),
                (ctx.form.conclusion, ctx.result.grade, "grade", None)]
    # "" is no computed grade (an unfinished form): nothing to hold the formula to
    targets = [t for t in targets if t[0] is not None and t[0].formula and t[1] not in (None, "")]
    if not targets:
        return
    recalc = _Grid(ctx.form, ctx.result.changes, recalc=True)
    ideal = None
    for cell, expected, kind, cap in targets:
        change = changed.get(cell.ref)
        found = recalc.evaluate(cell)
        if found is not None and _formula_agrees(found, expected, kind, ctx.tolerance):
            continue
        if found is not None and cap is not None and change is not None \
                and cell.ref not in ctx.form.fixed_formulas:
            body = cell.formula.lstrip("=")
            for candidate in (f"MIN({body},{cap})", f"MAX(0,MIN({body},{cap}))"):
                value = recalc.evaluate(cell, candidate)
                if value is not None and _formula_agrees(value, expected, kind, ctx.tolerance):
                    recalc.rewrite(cell, candidate)
                    new_change = replace(change, formula=candidate)
                    ctx.result.changes = [new_change if c is change else c for c in ctx.result.changes]
                    changed[cell.ref] = new_change
                    break
            else:
                value = None
            if value is not None:
                continue
        # the value would not hold: nothing is written to this cell
        ctx.result.changes = [c for c in ctx.result.changes if c.cell.ref != cell.ref]
        changed.pop(cell.ref, None)
        if found is None:
            continue  # cannot tell: the finding stays, the cell is left to a person
        ideal = ideal or _Grid(ctx.form, ctx.result.changes, overlay=_wanted(targets))
        right = ideal.evaluate(cell)
        if right is not None and _formula_agrees(right, expected, kind, ctx.tolerance):
            continue  # the formula is right; a cell it reads stays wrong (its own finding says so)
        shown_value = right if right is not None else found
        ctx.result.findings = [f for f in ctx.result.findings if f.cell != cell.ref]
        shown = percent(shown_value) if kind == "rate" and isinstance(shown_value, Decimal) else shown_value
        wanted = percent(expected) if kind == "rate" else expected
        ctx.add("T102", cell, expected=wanted, found=shown, formula=cell.formula.lstrip("="))


def _cap(cell: Cell | None, weight: Decimal | None) -> str | None:
    """What caps a score in a rewritten formula: the 分值 cell itself when
    it holds the weight as a plain number, else the number."""
    if weight is None or weight <= 0:
        return None
    if cell is not None and not cell.formula and cell_number(cell) == weight and isinstance(cell.value, (int, float)):
        return cell.ref
    return format(weight.normalize(), "f")


def _wanted(targets: list[tuple[Cell, Any, str, str | None]]) -> dict[str, Any]:
    """The values the checked cells should have, for judging a formula
    apart from the cells it reads."""
    return {cell.ref: expected for cell, expected, _kind, _limit in targets}


class _Grid:
    """The form's cells by position, with the corrected values laid over them,
    for evaluating a formula as the file would after fill.

    ``recalc=True`` evaluates every formula cell of the form from its formula
    (as recalculation on open does), written values landing only in plain
    cells; otherwise a cell's value is its corrected value (or, with
    ``overlay``, the value it should have).  A reference to a cell the form
    model does not know (outside the form's rows) makes the evaluation give up
    rather than guess."""

    def __init__(self, form: Form, changes: list[Change], *, recalc: bool = False,
                 overlay: dict[str, Any] | None = None):
        self.values: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.recalc = recalc
        self.sheet = form.sheet  # references to the form's own sheet by name are fine
        cells = [form.total, form.total_weight, form.conclusion]
        for row in form.funds:
            cells += [row.label, row.initial, row.budget, row.executed, row.weight, row.rate, row.score]
        for row in form.indicators:
            cells += [row.level1, row.level2, row.level3, row.target, row.actual, row.weight, row.score,
                      row.reason, row.nature, row.unit]
        for cell in cells:
            if cell is not None:
                key = position(cell.ref)
                self.values[key] = cell.value
                if recalc and cell.formula:
                    self.formulas[key] = cell.formula
        for change in changes:
            key = position(change.cell.ref)
            if change.formula and recalc:
                self.formulas[key] = change.formula
            elif key not in self.formulas:
                self.values[key] = _grid_value(change.new)
        for ref, value in (overlay or {}).items():
            self.values[position(ref)] = _grid_value(value)
        self.computed: dict[tuple[int, int], Any] = {}
        self.busy: set[tuple[int, int]] = set()
        rows = [row.row for row in form.indicators]
        self.table = (min(rows), max(rows)) if rows else (0, -1)
        # the indicator table's own columns: a blank there is a blank; a cell
        # in another column (a helper column the model does not read) is unknown
        self.columns = {key[1] for key in self.values if self.table[0] <= key[0] <= self.table[1]}

    def rewrite(self, cell: Cell, formula: str) -> None:
        self.formulas[position(cell.ref)] = formula
        self.computed.clear()

    def get(self, row: int, col: int) -> Any:  # 0-based, as formula.evaluate asks
        from selfeval_xlsx.formula import ExcelError, Unsupported, evaluate

        key = (row + 1, col + 1)
        if key in self.formulas:
            if key in self.computed:
                return self.computed[key]
            if key in self.busy:
                raise Unsupported("circular reference")
            self.busy.add(key)
            try:
                value = evaluate(self.formulas[key], self.get, self.sheet)
            finally:
                self.busy.discard(key)
            if isinstance(value, ExcelError):
                raise value
            self.computed[key] = value
            return value
        if key in self.values:
            value = self.values[key]
            if isinstance(value, str):  # a number typed as text ("3分") is read as that number
                number = parse_number(value)
                return value if number is None else number
            return value
        if self.table[0] <= row + 1 <= self.table[1] and col + 1 in self.columns:
            return None  # a blank cell of the indicator table
        raise Unsupported("outside the form")

    def evaluate(self, cell: Cell, formula: str | None = None) -> Decimal | str | None:
        """What ``formula`` (default: the cell's own, or its rewrite) gives here."""
        from selfeval_xlsx.formula import ExcelError, Unsupported, evaluate

        key = position(cell.ref)
        text = formula or (self.formulas.get(key) if self.recalc else None) or cell.formula
        try:
            value = evaluate(text, self.get, self.sheet)
        except (Unsupported, ExcelError, ArithmeticError, ValueError, TypeError, RecursionError):
            return None
        if isinstance(value, (ExcelError, bool)):
            return None
        if isinstance(value, (int, float)):
            if not math.isfinite(value):
                return None
            return Decimal(repr(float(value)))
        return str(value)


def _grid_value(new: Any) -> Any:
    return float(new) if isinstance(new, Decimal) else new


def _formula_agrees(found: Decimal | str, expected: Decimal | str, kind: str, tolerance: Decimal) -> bool:
    if kind == "grade":
        return normalise_grade(found) == expected
    if not isinstance(found, Decimal):
        return False
    if kind == "rate":
        return rate_matches(found, expected)
    return abs(found - expected) <= tolerance