"""The form model: what the reader found in a workbook.

Every value carries its sheet and its A1 cell, so that a finding can point at
it and the writer can put a computed value back in the same place.  A
:class:`Cell` whose ``value`` is ``None`` is an empty cell the form has (the
writer may still fill it); a field that is ``None`` means the form has no
such cell at all.
"""

from __future__ import annotations


from selfeval_xlsx.record import FrozenRecord, Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any

_FRESH: Any = object()  # "not given": the field starts as a new empty list or dict


class Cell(FrozenRecord):
    __slots__ = _fields = ("sheet", "ref", "value", "formula")
    sheet: str
    ref: str  # A1 reference on ``sheet``, e.g. "H23"
    value: Any  # str | int | float | bool | datetime | None, as read
    formula: str | None  # the formula text (without "="), if any

    def __init__(self, sheet: str, ref: str, value: Any = None, formula: str | None = None) -> None:
        # a form has a few hundred cells: set the slots directly (object.__setattr__
        # is twice as slow)
        _SET_SHEET(self, sheet)
        _SET_REF(self, ref)
        _SET_VALUE(self, value)
        _SET_FORMULA(self, formula)

    @property
    def empty(self) -> bool:
        value = self.value
        return value is None or (isinstance(value, str) and not value.strip())

    @property
    def text(self) -> str:
        """The value as text (empty string for an empty cell)."""
        value = self.value
        if value is None:
            return ""
        if value.__class__ is str:
            return value
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)


_SET_SHEET, _SET_REF = Cell.sheet.__set__, Cell.ref.__set__  # type: ignore[attr-defined]
_SET_VALUE, _SET_FORMULA = Cell.value.__set__, Cell.formula.__set__  # type: ignore[attr-defined]


class FundsRow(Record):
    _fields = ("key", "label", "initial", "budget", "executed", "weight", "rate", "score")
    key: str  # "total", "basic", "project", "other", "fiscal", "carryover" or "row<N>"
    label: Cell
    initial: Cell | None
    budget: Cell | None  # 全年预算数 (A)
    executed: Cell | None  # 全年执行数 (B)
    weight: Cell | None  # 分值
    rate: Cell | None  # 执行率
    score: Cell | None  # 得分

    def __init__(self, key: str, label: Cell, initial: Cell | None = None, budget: Cell | None = None,
                 executed: Cell | None = None, weight: Cell | None = None, rate: Cell | None = None,
                 score: Cell | None = None) -> None:
        self.key = key
        self.label = label
        self.initial = initial
        self.budget = budget
        self.executed = executed
        self.weight = weight
        self.rate = rate
        self.score = score


class Indicator(Record):
    _fields = ("row", "level1", "level2", "level3", "target", "actual", "weight", "score", "reason", "nature",
               "unit", "ratio", "target_initial")
    row: int  # 1-based sheet row
    level1: Cell | None  # resolved through merges / repeated labels
    level2: Cell | None
    level3: Cell | None
    target: Cell | None
    actual: Cell | None
    weight: Cell | None
    score: Cell | None
    reason: Cell | None
    nature: Cell | None  # 指标性质 (=, ≥, ≤), Sichuan/Yunnan forms
    unit: Cell | None  # 度量单位
    ratio: Cell | None  # 得分系数（%）: a ratio, never points (Chongqing)
    target_initial: Cell | None  # 年初指标值 when the form also has 调整指标值 (the target)

    def __init__(self, row: int, level1: Cell | None, level2: Cell | None, level3: Cell | None,
                 target: Cell | None, actual: Cell | None, weight: Cell | None, score: Cell | None,
                 reason: Cell | None, nature: Cell | None = None, unit: Cell | None = None,
                 ratio: Cell | None = None, target_initial: Cell | None = None) -> None:
        self.row = row
        self.level1 = level1
        self.level2 = level2
        self.level3 = level3
        self.target = target
        self.actual = actual
        self.weight = weight
        self.score = score
        self.reason = reason
        self.nature = nature
        self.unit = unit
        self.ratio = ratio
        self.target_initial = target_initial


class Part(Record):
    """What the reader understood of one part of a form.

    ``status``: "ok" (understood), "partial" (present, something missing:
    the checks that need the missing piece are not run), "absent" (the form
    has no such part).  ``columns`` maps each understood column key to its
    letter (the meaning of every column); ``unknown`` lists the header texts
    of columns the reader did not give a meaning; ``missing`` says in
    Chinese and English what was not found."""

    _fields = ("name", "status", "range", "columns", "unknown", "missing", "info")
    name: str  # "title" | "funds" | "indicators" | "total" | "conclusion"
    status: str
    range: str | None  # A1 range on the form's sheet, e.g. "A6:I10"
    columns: dict[str, str]
    unknown: list[str]
    missing: list[tuple[str, str]]  # (zh, en)
    info: dict[str, Any]  # e.g. {"kind": "narrative"}

    def __init__(self, name: str, status: str = "ok", range: str | None = None, columns: dict[str, str] = _FRESH,
                 unknown: list[str] = _FRESH, missing: list[tuple[str, str]] = _FRESH,
                 info: dict[str, Any] = _FRESH) -> None:
        self.name = name
        self.status = status
        self.range = range
        self.columns = {} if columns is _FRESH else columns
        self.unknown = [] if unknown is _FRESH else unknown
        self.missing = [] if missing is _FRESH else missing
        self.info = {} if info is _FRESH else info


class Block(Record):
    """A goal block of one form (Hubei: 年度绩效目标1（40分）, each with its header)."""

    _fields = ("label", "points", "rows")
    label: Cell
    points: Any  # Decimal | None, the points in the label
    rows: list[int]  # sheet rows of its indicators

    def __init__(self, label: Cell, points: Any = None, rows: list[int] = _FRESH) -> None:
        self.label = label
        self.points = points
        self.rows = [] if rows is _FRESH else rows


class Form(Record):
    _fields = ("sheet", "kind", "title", "year", "year_cell", "fields", "funds", "funds_header_row", "indicators",
               "indicator_header_row", "total_weight", "total", "conclusion", "goals", "layout", "parts", "markers",
               "budget_points", "blocks", "placeholders", "level1_column", "fixed_formulas")
    sheet: str
    kind: str  # "department" | "project"
    title: Cell | None
    year: int | None  # from the (YYYY年度) line or the title
    year_cell: Cell | None
    # header fields by key: "unit", "project", "authority", "implementer", "date"
    fields: dict[str, Cell]
    funds: list[FundsRow]
    funds_header_row: int | None
    indicators: list[Indicator]
    indicator_header_row: int | None
    total_weight: Cell | None  # 总分 row, 分值 column (100)
    total: Cell | None  # 总分 row, 得分 column
    conclusion: Cell | None  # 自评结论 value cell, or the grade in the 总分 row
    goals: dict[str, Cell]  # "expected", "actual"
    # what the reader recognised: "mof-3-1", "mof-3-2", "sichuan", "hubei",
    # "chongqing", "yunnan", "evaluation" or "unknown"
    layout: str
    parts: dict[str, Part]
    markers: list[str]  # layout markers seen (510000_0013zp, 得分系数 …)
    budget_points: Any  # Decimal from the funds block label "（20分）", if any
    blocks: list[Block]
    placeholders: list[Cell]  # placeholder rows left out of the table
    level1_column: bool  # the indicator table has a 一级指标 column
    # cells whose formula fill must not rewrite (the master of a shared
    # formula, an array formula): other cells depend on its text
    fixed_formulas: frozenset[str]

    def __init__(self, sheet: str, kind: str, title: Cell | None = None, year: int | None = None,
                 year_cell: Cell | None = None, fields: dict[str, Cell] = _FRESH, funds: list[FundsRow] = _FRESH,
                 funds_header_row: int | None = None, indicators: list[Indicator] = _FRESH,
                 indicator_header_row: int | None = None, total_weight: Cell | None = None, total: Cell | None = None,
                 conclusion: Cell | None = None, goals: dict[str, Cell] = _FRESH, layout: str = "unknown",
                 parts: dict[str, Part] = _FRESH, markers: list[str] = _FRESH, budget_points: Any = None,
                 blocks: list[Block] = _FRESH, placeholders: list[Cell] = _FRESH, level1_column: bool = True,
                 fixed_formulas: frozenset[str] = frozenset()) -> None:
        self.sheet = sheet
        self.kind = kind
        self.title = title
        self.year = year
        self.year_cell = year_cell
        self.fields = {} if fields is _FRESH else fields
        self.funds = [] if funds is _FRESH else funds
        self.funds_header_row = funds_header_row
        self.indicators = [] if indicators is _FRESH else indicators
        self.indicator_header_row = indicator_header_row
        self.total_weight = total_weight
        self.total = total
        self.conclusion = conclusion
        self.goals = {} if goals is _FRESH else goals
        self.layout = layout
        self.parts = {} if parts is _FRESH else parts
        self.markers = [] if markers is _FRESH else markers
        self.budget_points = budget_points
        self.blocks = [] if blocks is _FRESH else blocks
        self.placeholders = [] if placeholders is _FRESH else placeholders
        self.level1_column = level1_column
        self.fixed_formulas = fixed_formulas

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


class Workbook(Record):
    """Everything read from one file."""

    _fields = ("path", "sheets", "forms", "format")
    path: str
    sheets: list[str]
    forms: list[Form]
    format: str  # "xlsx" | "xlsm" | "xls"

    def __init__(self, path: str, sheets: list[str] = _FRESH, forms: list[Form] = _FRESH,
                 format: str = "xlsx") -> None:
        self.path = path
        self.sheets = [] if sheets is _FRESH else sheets
        self.forms = [] if forms is _FRESH else forms
        self.format = format
