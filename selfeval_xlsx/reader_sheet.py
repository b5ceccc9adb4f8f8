"""The reader's view of one sheet: a :class:`~selfeval_xlsx.loading.RawSheet`
with merges resolved, formulas computed and labels normalised.

:class:`Sheet` answers what the reader's modules ask of a grid: a cell's
value (a formula without a cached value, or marked stale, is computed with
``formula.py``; a cycle leaves every formula on it empty), the merge
covering a cell and its top-left cell, a :class:`~selfeval_xlsx.model.Cell`
with its A1 reference, and each row's normalised texts (computed once per
row, on first use).
"""

from __future__ import annotations

from selfeval_xlsx import cellref
from selfeval_xlsx.cellref import col_letters
from selfeval_xlsx.formula import ExcelError, Unsupported, evaluate
from selfeval_xlsx.model import Cell
from selfeval_xlsx.reader_labels import NORM_CACHE, norm

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any, Iterable

    from selfeval_xlsx.loading import RawSheet

_ref = cellref.ref  # 0-based (r, c) -> "A1"


def area(r0: int, c0: int, r1: int, c1: int) -> str:
    """0-based corners -> "A1:C3" (a part's range, written as a range even when it is one cell)."""
    return f"{_ref(r0, c0)}:{_ref(r1, c1)}"


class _Cycle(Unsupported):
    """A formula refers back to itself."""


class Sheet:
    """A grid with merge resolution and formula values."""

    def __init__(self, raw: RawSheet):
        self.name = raw.name
        self.rows = raw.rows
        self.nrows = len(raw.rows)
        self.ncols = max(map(len, raw.rows), default=0)
        self.formulas = raw.formulas
        self._computed: dict[tuple[int, int], Any] = {}
        self._busy: set[tuple[int, int]] = set()
        # (r, c) -> (r0, c0, r1, c1) for every cell inside a merge
        self.merge_at: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        self.big_merges: list[tuple[int, int, int, int]] = []
        budget = 200_000
        merge_at = self.merge_at
        for m in raw.merges:
            r0, c0, r1, c1 = m
            area = (r1 - r0 + 1) * (c1 - c0 + 1)
            if area > budget:
                self.big_merges.append(m)
                continue
            budget -= area
            cols = range(c0, c1 + 1)
            for r in range(r0, r1 + 1):  # (plain loops: faster than dict.fromkeys(product(...)) at these sizes)
                for c in cols:
                    merge_at[(r, c)] = m
        self._text_rows: list[list[tuple[int, str]]] | None = None

    # values -------------------------------------------------------------
    def raw(self, r: int, c: int) -> Any:
        v = None
        if 0 <= r < self.nrows and c >= 0:
            row = self.rows[r]
            if c < len(row):
                v = row[c]
                if v == "":
                    v = None
        formulas = self.formulas
        if formulas:
            f = formulas.get((r, c))
            if f is not None and (v is None or not f[1]):
                computed = self._formula_value(r, c)
                # an unsupported formula keeps whatever value was stored
                return v if computed is None else computed
        return v

    def _formula_value(self, r: int, c: int) -> Any:
        key = (r, c)
        if key in self._computed:
            return self._computed[key]
        if key in self._busy:
            raise _Cycle()
        self._busy.add(key)
        cycle = False
        try:
            value = evaluate(self.formulas[key][0], self._get_for_formula, self.name)
        except _Cycle:
            value, cycle = None, True
        except (Unsupported, RecursionError, ValueError, TypeError, ArithmeticError):
            value = None
        finally:
            self._busy.discard(key)
        if isinstance(value, ExcelError):
            value = "#" + value.code.lstrip("#")
        self._computed[key] = value
        if cycle and self._busy:
            raise _Cycle()  # every formula on the cycle stays None
        return value

    def _get_for_formula(self, r: int, c: int) -> Any:
        return self.raw(r, c)

    def merge(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        m = self.merge_at.get((r, c))
        if m is not None or not self.big_merges:
            return m
        for m in self.big_merges:
            if m[0] <= r <= m[2] and m[1] <= c <= m[3]:
                return m
        return None

    def top_left(self, r: int, c: int) -> tuple[int, int]:
        m = self.merge_at.get((r, c))
        if m is None and self.big_merges:
            m = self.merge(r, c)
        return (m[0], m[1]) if m else (r, c)

    def end_col(self, r: int, c: int) -> int:
        m = self.merge(r, c)
        return m[3] if m else c

    def resolved(self, r: int, c: int) -> Any:
        return self.raw(*self.top_left(r, c))

    def cell(self, r: int, c: int) -> Cell:
        """The cell at exactly (r, c) (0-based), value as read."""
        # called for every cell a form keeps (a dozen an indicator row): a cell
        # without a formula is read from the grid here, without going through raw()
        f = self.formulas.get((r, c)) if self.formulas else None
        if f is None:
            v = None
            if 0 <= r < self.nrows and c >= 0:
                row = self.rows[r]
                if c < len(row):
                    v = row[c]
        else:
            v = self.raw(r, c)
        if v.__class__ is float and v.is_integer() and abs(v) < 1e15:
            v = int(v)
        elif v == "":
            v = None
        return Cell(self.name, f"{col_letters(c)}{r + 1}", v, f[0] if f else None)

    def rcell(self, r: int, c: int) -> Cell:
        """The top-left cell of the merge covering (r, c)."""
        return self.cell(*self.top_left(r, c))

    # labels -------------------------------------------------------------
    def text_cells(self, r: int) -> list[tuple[int, str]]:
        """(column, normalised text) of each cell of row ``r`` that has a label's text (computed
        once per row: every part of the reader scans rows for their labels)."""
        if self._text_rows is None:
            self._text_rows = [None] * self.nrows  # type: ignore[list-item]
        cells = self._text_rows[r]
        if cells is None:
            cache = NORM_CACHE
            cells = [(c, t) for c, v in enumerate(self.rows[r])
                     if v.__class__ is str and v and (t := cache.get(v) or norm(v))]
            self._text_rows[r] = cells
        return cells

    def row_empty(self, r: int, cols: Iterable[int] | None = None) -> bool:
        if cols is None:
            cols = range(len(self.rows[r]) if r < self.nrows else 0)
        return all(self.raw(r, c) in (None, "") for c in cols)
