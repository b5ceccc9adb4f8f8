"""Table sheets described once, laid out by one set of rules.

The review sheet (校验结果, raw sheet XML patched into the user's package by
``review_sheet``) and the tables of ``summary.xlsx`` and the export workbook
(xlsxwriter plus rows streamed as sheet XML by ``streamtable.StreamedTable``) are the
same kind of sheet: a header row, rows of cells, columns of given widths
whose long text wraps, rows as tall as their wrapped text, printed A4
landscape one page wide.  This module holds what the back ends share:

* ``Column`` and ``Table``: the description of such a sheet -- each column's
  header in Chinese and English, its width (fixed, or the cap a fitted column
  grows to), its kind and whether its text wraps; the ``Metrics`` that
  measure it and its ``PrintSetup``;
* the layout: which cells are measured (text in a wrapping or link column;
  a number fits its column), the lines a text wraps to, a row's height, a
  fitted column's width.

Both back ends count lines by the same rule (``Metrics.lines``: each line
of a multi-line text wraps on its own) with different figures (``REVIEW``
and ``SUMMARY``): their sheets were tuned separately (LibreOffice's CJK line
height against a row of 11-pt text, a merged title line, a 24-line cap on a
streamed row).  Both sit here side by side, so a change to one is made in
view of the other.

Standard library only (nothing here imports xlsxwriter or the package writer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from selfeval_xlsx.display import display_width

#: a column's kind: how a back end styles its cells
TEXT = "text"  # text, left aligned
CENTER = "center"  # a short text or number, centred
LINK = "link"  # a cell that may hold a link (to the form's cell)
VALUE = "value"  # a value shown with the number format of the cell it comes from


@dataclass(frozen=True)
class Column:
    """One column: its header in each language, its width in characters
    (the fixed width, or for a fitted table the cap it grows to), its kind
    and whether its cells wrap their text."""

    zh: str
    en: str = ""  # "": the Chinese header in either language
    width: float = 60
    kind: str = TEXT
    wrap: bool = False

    def header(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.zh

    @property
    def measured(self) -> bool:
        """Whether text in this column counts for its row's height: a
        wrapping column's, and a link column's (a sheet name or a cell
        reference that may be long)."""
        return self.wrap or self.kind == LINK


@dataclass(frozen=True)
class Metrics:
    """How a back end measures wrapped text.

    A line of a column ``width`` characters wide holds
    ``max((width - margin) * scale, 1)`` characters of display width
    (``display.display_width``: CJK counts double); each line of a
    multi-line text wraps on its own (a text is measured by its first
    ``limit`` characters); a row of ``n`` lines is
    ``line_height * min(n, max_lines) + padding`` points tall.
    """

    line_height: float
    padding: float
    margin: float
    scale: float
    max_lines: int = 0  # 0: no cap
    limit: int = 0  # 0: the whole text

    def per_line(self, width: float) -> float:
        """Characters of display width a line of a column ``width`` wide holds."""
        return max((width - self.margin) * self.scale, 1)

    def line_widths(self, text: str) -> tuple[int, ...]:
        """The display width of each line of ``text`` (of its first ``limit`` characters)."""
        if self.limit:
            text = text[:self.limit]
        return tuple(display_width(line) for line in text.split("\n"))

    @staticmethod
    def lines_of(widths: Sequence[int], per_line: float) -> int:
        """Lines a text whose lines are ``widths`` wide wraps to at ``per_line`` a line
        (an empty line takes one too)."""
        return sum(math.ceil(w / per_line) if w > per_line else 1 for w in widths)

    def lines(self, text: str, width: float) -> int:
        """Lines ``text`` wraps to in a column ``width`` characters wide."""
        usable = self.per_line(width)
        if len(text) * 2 <= usable and "\n" not in text:  # fits, however wide its characters
            return 1
        return self.lines_of(self.line_widths(text), usable)

    def height(self, lines: int) -> float:
        """Points a row of ``lines`` lines of text takes."""
        if self.max_lines:
            lines = min(lines, self.max_lines)
        return self.line_height * lines + self.padding


#: the review sheet: 11-pt text, 16 pt a line (LibreOffice's CJK fonts space
#: lines widest); columns are measured in the 11-pt default font, so a column
#: holds a little more than its width less the cell's padding
REVIEW = Metrics(line_height=16, padding=4, margin=1.5, scale=1.05)
#: summary.xlsx and the export workbook: 17 pt a line (11-pt CJK text in
#: LibreOffice's fonts, Excel's are tighter), a streamed row at most 24 lines
#: tall; a text is measured by its first 4,000 characters
SUMMARY = Metrics(line_height=17, padding=2, margin=1, scale=1, max_lines=24, limit=4000)


@dataclass(frozen=True)
class PrintSetup:
    """A4 landscape, one page wide and as many tall as it takes, centred;
    margins in inches (the top one leaves room for a page header)."""

    left: float = 0.3
    right: float = 0.3
    top: float = 0.75
    bottom: float = 0.6
    header: float = 0.3
    footer: float = 0.3
    paper: int = 9  # A4
    landscape: bool = True
    fit_width: int = 1
    fit_height: int = 0  # as many pages tall as it takes
    centred: bool = True


@dataclass(frozen=True)
class Table:
    """A table sheet: its columns, how its text is measured and how it prints.

    ``fitted``: each column is as wide as its widest cell (the first 80
    characters of a text; the header counts) plus 2, at least 6 and at most
    its ``width``; otherwise every column is its ``width``.
    """

    columns: tuple[Column, ...]
    metrics: Metrics
    fitted: bool = False
    print_setup: PrintSetup = PrintSetup()

    def headers(self, lang: str = "zh") -> tuple[str, ...]:
        return tuple(c.header(lang) for c in self.columns)

    @property
    def widths(self) -> tuple[float, ...]:
        """The fixed widths (or the caps of a fitted table)."""
        return tuple(c.width for c in self.columns)

    def row_lines(self, values: Sequence[Any]) -> int:
        """The lines a row of ``values`` takes: its tallest measured text
        (a number fits its column)."""
        lines = 1
        for column, value in zip(self.columns, values):
            if column.measured and isinstance(value, str):
                lines = max(lines, self.metrics.lines(value, column.width))
        return lines

    def row_height(self, values: Sequence[Any]) -> float:
        return self.metrics.height(self.row_lines(values))

    @staticmethod
    def fit(content: int, cap: float) -> float:
        """A fitted column's width for its widest cell ``content``."""
        return min(max(content + 2, 6), cap)


def text_table(headers: Sequence[str], metrics: Metrics = SUMMARY) -> Table:
    """A fitted table of plain text columns (the export workbook's sheets)."""
    return Table(tuple(Column(h) for h in headers), metrics, fitted=True)
