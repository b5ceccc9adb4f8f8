"""One form being checked, and the cell readers every check shares.

A :class:`Context` holds the form, the profile and the
:class:`~selfeval_xlsx.results.FormResult` being filled in.  The checks of
each rule family are functions taking it (``scores``, ``quality``,
``funds``, ``weights``, ``totals``, ``formulas``; the running order, the L
findings and the fill plausibility gate in the package's ``__init__``); a
finding is made in one place, :meth:`Context.add`, and a value for fill to
write in :meth:`Context.change`.  The context also answers what the reader
understood (``part``, ``understood``, ``scores_known``, ``budget_known``,
``evaluation``) and carries what the indicator rows leave for the checks
after them (``reach``, ``unweighted``, ``missing_weights``).

The readers: a cell as a number (:func:`cell_number`) or as a stated rate
(:func:`cell_rate`), the sort key of an A1 reference (:func:`position`,
also the order of findings and changes), and the constants ``ZERO`` and
``HUNDRED``.  A label for comparing is ``values.compact`` (the one
NFKC-without-spaces the reader and the checks share).
"""

from __future__ import annotations

import functools
from decimal import Decimal

from selfeval_xlsx import cellref
from selfeval_xlsx.results import Change, Finding, FormResult
from selfeval_xlsx.scoring import round_half_up
from selfeval_xlsx.values import parse_number

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any

    from selfeval_xlsx.model import Cell, Form, Part
    from selfeval_xlsx.profile import Profile

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Context:
    """One form being checked: where the checks read from and report to."""

    def __init__(self, form: Form, profile: Profile):
        self.form = form
        self.profile = profile
        self.result = FormResult(form=form, profile_name=profile.name)
        self.result.expected_absent = [
            name for name in profile.expects if (part := form.parts.get(name)) is not None and part.status == "absent"
        ]
        self.tolerance = profile.tolerance
        # set by the indicator rows (scores.check_indicators), read by the checks that run after them:
        # the most a half-filled form could still reach (scores that count + points of rows not scored)
        self.reach = ZERO
        self.unweighted = False  # some row's 分值 is blank or not a positive number
        self.missing_weights: list[int] = []  # those rows
        self.inferred = False  # the row being scored is lower-is-better by its name alone (S103 says so)

    # -- reporting ------------------------------------------------------
    def add(self, code: str, cell: Cell | None, expected: Any = None, found: Any = None, **params: Any) -> None:
        params.setdefault("expected", expected)
        params.setdefault("found", found)
        self.result.findings.append(
            Finding(code, self.form.sheet, cell.ref if cell else None, params, expected, found)
        )

    def change(self, cell: Cell | None, new: Decimal | str, code: str, number_format: str | None = None) -> None:
        if cell is not None:
            self.result.changes.append(Change(cell, new, code, number_format))

    def rounded(self, value: Decimal) -> Decimal:
        return round_half_up(value, self.profile.rounding)

    def required(self, cell: Cell | None, field_zh: str, field_en: str) -> bool:
        """True when the cell has a value; an E101 finding when it is empty."""
        if cell is not None and not cell.empty:
            return True
        self.add("E101", cell, field=field_zh, field_en=field_en)
        return False

    # -- what the reader understood --------------------------------------
    def part(self, name: str) -> Part | None:
        return self.form.parts.get(name)

    def understood(self, name: str) -> bool:
        part = self.part(name)
        return part is None or part.status != "partial"

    def budget_known(self, budget_score_value: Decimal | None) -> bool:
        """The budget score needed by the total: known, or not part of this form's scheme."""
        if self.evaluation:
            return True
        if budget_score_value is not None:
            return True
        funds = self.part("funds")
        return funds is None or funds.status == "absent"

    def scores_known(self) -> bool:
        """The indicator scores the total needs: False when the table has no score column (L202)."""
        part = self.part("indicators")
        if part is None or not part.columns:
            return True
        return "score" in part.columns and ("target" in part.columns or "actual" in part.columns)

    @property
    def evaluation(self) -> bool:
        """决策/过程/产出/效益: budget execution is an indicator row, no separate budget score."""
        return self.profile.scheme == "evaluation" or self.form.layout == "evaluation"


def cell_number(cell: Cell | None) -> Decimal | None:
    if cell is None:
        return None
    value = cell.value
    if value.__class__ is int:  # most numbers of a form (the reader reads a whole float as an int)
        return Decimal(value)
    if cell.empty:
        return None
    return parse_number(value)


def cell_rate(cell: Cell | None) -> Decimal | None:
    """A stated 执行率: 0.9752, "97.52%", or 97.52 typed without the sign."""
    value = cell_number(cell)
    if value is not None and value > 2:
        value = value / HUNDRED
    return value


@functools.lru_cache(maxsize=8192)
def position(ref: str | None) -> tuple[int, int]:
    """Sort key of an A1 reference: row, then column; no cell sorts first."""
    if not ref:
        return (0, 0)
    parts = cellref.split(ref.partition(":")[0])
    if parts is None:
        return (0, 0)
    return (parts[1], cellref.col_index(parts[0]) + 1)
