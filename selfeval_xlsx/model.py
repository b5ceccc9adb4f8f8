"""The form model: what the reader found in a workbook.

Every value carries its sheet and its A1 cell, so that a finding can point at
it and the writer can put a computed value back in the same place.  A
:class:`Cell` whose ``value`` is ``None`` is an empty cell the form has (the
writer may still fill it); a field that is ``None`` means the form has no
such cell at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, init=False)
class Cell:
    sheet: str
    ref: str  # A1 reference on ``sheet``, e.g. "H23"
    value: Any = None  # str | int | float | bool | datetime | None, as read
    formula: str | None = None  # the formula text (without "="), if any

    def __init__(self, sheet: str, ref: str, value: Any = None, formula: str | None = None) -> None:
        # a form has a few hundred cells: set the slots directly (frozen
        # dataclasses go through object.__setattr__, twice as slow)
        _SET_SHEET(self, sheet)
        _SET_REF(self, ref)
        _SET_VALUE(self, value)
        _SET_FORMULA(self, formula)

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    @property
    def text(self) -> str:
        """The value as text (empty string for an empty cell)."""
        if self.value is None:
            return ""
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return str(self.value)


_SET_SHEET, _SET_REF = Cell.sheet.__set__, Cell.ref.__set__  # type: ignore[attr-defined]
_SET_VALUE, _SET_FORMULA = Cell.value.__set__, Cell.formula.__set__  # type: ignore[attr-defined]


@dataclass
class FundsRow:
    key: str  # "total", "basic", "project", "other", "fiscal", "carryover" or "row<N>"
    label: Cell
    initial: Cell | None = None
    budget: Cell | None = None  # 全年预算数 (A)
    executed: Cell | None = None  # 全年执行数 (B)
    weight: Cell | None = None  # 分值
    rate: Cell | None = None  # 执行率
    score: Cell | None = None  # 得分


@dataclass
class Indicator:
    row: int  # 1-based sheet row
    level1: Cell | None  # resolved through merges / repeated labels
    level2: Cell | None
    level3: Cell | None
    target: Cell | None
    actual: Cell | None
    weight: Cell | None
    score: Cell | None
    reason: Cell | None
    nature: Cell | None = None  # 指标性质 (=, ≥, ≤), Sichuan/Yunnan forms
    unit: Cell | None = None  # 度量单位
    ratio: Cell | None = None  # 得分系数（%）: a ratio, never points (Chongqing)
    target_initial: Cell | None = None  # 年初指标值 when the form also has 调整指标值 (the target)


@dataclass
class Part:
    """What the reader understood of one part of a form.

    ``status``: "ok" (understood), "partial" (present, something missing:
    the checks that need the missing piece are not run), "absent" (the form
    has no such part).  ``columns`` maps each understood column key to its
    letter (the meaning of every column); ``unknown`` lists the header texts
    of columns the reader did not give a meaning; ``missing`` says in
    Chinese and English what was not found."""

    name: str  # "title" | "funds" | "indicators" | "total" | "conclusion"
    status: str = "ok"
    range: str | None = None  # A1 range on the form's sheet, e.g. "A6:I10"
    columns: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (zh, en)
    info: dict[str, Any] = field(default_factory=dict)  # e.g. {"kind": "narrative"}


@dataclass
class Block:
    """A goal block of one form (Hubei: 年度绩效目标1（40分）, each with its header)."""

    label: Cell
    points: Any = None  # Decimal | None, the points in the label
    rows: list[int] = field(default_factory=list)  # sheet rows of its indicators


@dataclass
class Form:
    sheet: str
    kind: str  # "department" | "project"
    title: Cell | None = None
    year: int | None = None  # from the (YYYY年度) line or the title
    year_cell: Cell | None = None
    # header fields by key: "unit", "project", "authority", "implementer", "date"
    fields: dict[str, Cell] = field(default_factory=dict)
    funds: list[FundsRow] = field(default_factory=list)
    funds_header_row: int | None = None
    indicators: list[Indicator] = field(default_factory=list)
    indicator_header_row: int | None = None
    total_weight: Cell | None = None  # 总分 row, 分值 column (100)
    total: Cell | None = None  # 总分 row, 得分 column
    conclusion: Cell | None = None  # 自评结论 value cell, or the grade in the 总分 row
    goals: dict[str, Cell] = field(default_factory=dict)  # "expected", "actual"
    # what the reader recognised: "mof-3-1", "mof-3-2", "sichuan", "hubei",
    # "chongqing", "yunnan", "evaluation" or "unknown"
    layout: str = "unknown"
    parts: dict[str, Part] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)  # layout markers seen (510000_0013zp, 得分系数 …)
    budget_points: Any = None  # Decimal from the funds block label "（20分）", if any
    blocks: list[Block] = field(default_factory=list)
    placeholders: list[Cell] = field(default_factory=list)  # placeholder rows left out of the table
    level1_column: bool = True  # the indicator table has a 一级指标 column
    # cells whose formula fill must not rewrite (the master of a shared
    # formula, an array formula): other cells depend on its text
    fixed_formulas: frozenset[str] = frozenset()

    @property
    def unit_name(self) -> str:
        for key in ("unit", "project", "implementer"):
            cell = self.fields.get(key)
            if cell is not None and not cell.empty:
                return cell.text.strip()
        return ""

    def funds_row(self, key: str) -> FundsRow | None:
        for row in self.funds:
            if row.key == key:
                return row
        return None


@dataclass
class Workbook:
    """Everything read from one file."""

    path: str
    sheets: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    format: str = "xlsx"  # "xlsx" | "xlsm" | "xls"
