"""The template's rows and pages: row heights for wrapped text and where printed pages break.

The sheet prints A4 landscape, one page wide.  :func:`row_heights` gives
every row that is not the default height (the fixed rows of
:data:`HEIGHTS`, and rows whose text wraps, estimated from its width in
Excel's character units, CJK counting about double: :func:`wrapped_height`).
:func:`page_breaks` places the manual row breaks so that no 一级 block is
split over two pages, at the scale fit-to-width prints at
(:func:`print_scale`).  Everything is computed from the
:class:`~selfeval_xlsx.template_plan.Plan`, nothing is read back from a
workbook; the writer (``template.build``) and the tests use the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from selfeval_xlsx import layout
from selfeval_xlsx.template_plan import Plan

# Row heights (points) of the fixed rows; wrapped text rows are estimated.
HEIGHTS = {
    "attachment": 20,
    "title": 36,
    "year": 22,
    "date": 22,
    "header_field": 24,
    "funds_header": 30,
    "funds_row": 22,
    "goal_header": 22,
    "goal_text": 110,
    "indicator_header": 30,
    "total": 24,
    "conclusion": 24,
}
LINE_HEIGHT = 13.5  # one line of 10 pt 宋体, points


# --------------------------------------------------------------------------
# Row heights for wrapped text


def text_units(text: str) -> float:
    """Approximate width of ``text`` in Excel character units (CJK = 2)."""
    return sum(1.0 if ord(ch) < 0x2E80 else 1.9 for ch in text)


def wrapped_height(text: str, width: float, line: float = LINE_HEIGHT, minimum: float = 0) -> float:
    usable = max(width - 1.5, 1)
    lines = sum(max(1, math.ceil(text_units(part) / usable)) for part in text.split("\n"))
    return max(minimum, lines * line + 6)


# --------------------------------------------------------------------------
# Row heights (modelled on Excel at 100 %, 10 pt 宋体) and the printed pages.

DEFAULT_ROW_HEIGHT = 15.0
PAGE_MARGIN_TOP = 0.5  # inches
PAGE_MARGIN_BOTTOM = 0.6
PAGE_MARGIN_SIDE = 0.4
A4_LANDSCAPE = (11.69, 8.27)  # inches (width, height)
DIGIT_PIXELS, COLUMN_PADDING = 7, 5  # Excel's default font (Calibri 11): a column of w characters is 7w+5 px


def sheet_width(cols: tuple[int, int]) -> float:
    return sum(layout.TEMPLATE_COLUMNS[i].width for i in range(cols[0], cols[1] + 1))


def row_heights(plan: Plan) -> dict[int, float]:
    """Row -> height (points) of every row that is not the default height."""
    heights: dict[int, float] = {
        plan.attachment_row: HEIGHTS["attachment"],
        plan.title_row: HEIGHTS["title"],
        plan.year_row: HEIGHTS["year"],
        plan.date_row: HEIGHTS["date"],
        plan.funds_header_row: HEIGHTS["funds_header"],
        plan.goal_header_row: HEIGHTS["goal_header"],
        plan.goal_text_row: HEIGHTS["goal_text"],
        plan.indicator_header_row: HEIGHTS["indicator_header"],
        plan.total_row: HEIGHTS["total"],
    }
    heights.update({row: HEIGHTS["header_field"] for row in plan.header_rows})
    heights.update({row: HEIGHTS["funds_row"] for row in plan.funds_rows.values()})
    if plan.conclusion_row is not None:
        heights[plan.conclusion_row] = HEIGHTS["conclusion"]
    level2_width = layout.TEMPLATE_COLUMNS[plan.col["level2"]].width
    level1_width = layout.TEMPLATE_COLUMNS[plan.col["level1"]].width
    prefilled = any(level2.indicators for block in plan.level1_blocks for level2 in block.level2)
    for block in plan.level1_blocks:
        for level2 in block.level2:
            for offset, indicator in enumerate(level2.indicators):  # pre-filled text wraps
                needed = max(wrapped_height(indicator.level3, layout.TEMPLATE_COLUMNS[plan.col["level3"]].width),
                             wrapped_height(indicator.target, layout.TEMPLATE_COLUMNS[plan.col["target"]].width))
                if needed > DEFAULT_ROW_HEIGHT:
                    heights[level2.first_row + offset] = needed
            count = level2.last_row - level2.first_row + 1
            current = sum(heights.get(r, DEFAULT_ROW_HEIGHT) for r in range(level2.first_row, level2.last_row + 1))
            needed = wrapped_height(level2.name, level2_width)
            if needed > current:  # too few rows for the label
                for r in range(level2.first_row, level2.last_row + 1):
                    heights[r] = max(heights.get(r, DEFAULT_ROW_HEIGHT), needed / count)
        if prefilled:  # few rows per block: room for the 一级 label
            count = block.last_row - block.first_row + 1
            current = sum(heights.get(r, DEFAULT_ROW_HEIGHT) for r in range(block.first_row, block.last_row + 1))
            needed = wrapped_height(block.label, level1_width)
            if needed > current:
                for r in range(block.first_row, block.last_row + 1):
                    heights[r] = max(heights.get(r, DEFAULT_ROW_HEIGHT), needed / count)
    full = plan.span(*layout.TEMPLATE_SPANS["full"])
    for row, note in zip(plan.notes_rows, plan.notes):
        heights[row] = wrapped_height(note, sheet_width(full))
    return heights


# --------------------------------------------------------------------------
# Page breaks: a printed page never ends inside a 一级 block
#
# The sheet prints A4 landscape, fit to one page wide and as many pages tall
# as needed.  Where each page ends is computed here from the layout, at the
# default row heights, and written as manual row breaks, all of them at block
# boundaries: the title lines, the funds block, 年度总体目标, the indicator
# header together with the first 一级 block, each 一级 block, the last one
# together with 总分, 自评结论 and the notes.  A block goes whole onto the next page when it does not
# fit on the current one; only a block taller than a whole page (``--rows``
# far above the default) is split, at its 二级 boundaries first.  The pages
# are computed at the scale fit-to-width gives in Excel and WPS (100 % for the
# official column widths); a program that shrinks the sheet more (LibreOffice
# without Calibri) fits each page's rows with room to spare.


def sheet_width_points() -> float:
    """The printed width of the sheet at 100 %, in points (Excel's column pixels)."""
    pixels = sum(int(c.width * DIGIT_PIXELS + 0.5) + COLUMN_PADDING for c in layout.TEMPLATE_COLUMNS)
    return pixels * 0.75


def print_scale() -> float:
    """The scale of "fit to one page wide" (never above 100 %)."""
    printable = (A4_LANDSCAPE[0] - 2 * PAGE_MARGIN_SIDE) * 72
    return min(1.0, printable / sheet_width_points())


def page_height_points() -> float:
    """Sheet points that fit on one printed page at :func:`print_scale`."""
    return (A4_LANDSCAPE[1] - PAGE_MARGIN_TOP - PAGE_MARGIN_BOTTOM) * 72 / print_scale()


@dataclass(frozen=True)
class _Unit:
    """Rows that print on one page if they can; ``parts`` split it when not."""

    first: int
    last: int
    parts: tuple[_Unit, ...] = ()


def _units(plan: Plan) -> list[_Unit]:
    def rows(first: int, last: int) -> tuple[_Unit, ...]:
        return tuple(_Unit(r, r) for r in range(first, last + 1))

    def block(first: int, last: int) -> _Unit:
        return _Unit(first, last, rows(first, last))

    blocks = [
        _Unit(b.first_row, b.last_row, tuple(block(l2.first_row, l2.last_row) for l2 in b.level2))
        for b in plan.level1_blocks
    ]
    # the indicator header never ends a page: it goes with the first 一级
    first = blocks[0]
    blocks[0] = _Unit(plan.indicator_header_row, first.last,
                      (_Unit(plan.indicator_header_row, first.parts[0].last,
                             (_Unit(plan.indicator_header_row, first.parts[0].first),
                              *first.parts[0].parts[1:])),
                       *first.parts[1:]))
    # 总分, 自评结论 and the notes go with the last 一级 (a page of notes alone
    # would print the repeated indicator header above them)
    last_row = plan.last_row
    tail = (blocks.pop(),) if len(blocks) > 1 else ()
    tail += (block(plan.total_row, plan.conclusion_row if plan.conclusion_row is not None else plan.total_row),
             *(_Unit(r, r) for r in plan.notes_rows))
    return [
        block(plan.attachment_row, plan.header_rows[-1] if plan.header_rows else plan.date_row),
        block(plan.funds_header_row, max(plan.funds_rows.values())),
        block(plan.goal_header_row, plan.goal_text_row),
        *blocks,
        _Unit(tail[0].first, last_row, tail),
    ]


def page_breaks(plan: Plan) -> list[int]:
    """0-based rows that start a new printed page (a manual break above each)."""
    heights = row_heights(plan)
    height = lambda r: heights.get(r, DEFAULT_ROW_HEIGHT)  # noqa: E731
    header = plan.indicator_header_row
    page = page_height_points()
    breaks: list[int] = []
    state = {"used": 0.0, "start": 0.0}

    def repeated(row: int) -> float:  # the header row printed again at the top of later pages
        return height(header) if row > header else 0.0

    def place(unit: _Unit) -> None:
        size = sum(height(r) for r in range(unit.first, unit.last + 1))
        if state["used"] + size <= page:
            state["used"] += size
            return
        if repeated(unit.first) + size <= page or not unit.parts:
            if state["used"] > state["start"]:
                breaks.append(unit.first)
                state["used"] = state["start"] = repeated(unit.first)
            state["used"] += size
            return
        for part in unit.parts:  # taller than a page: split it
            place(part)

    for unit in _units(plan):
        place(unit)
    return breaks


__all__ = ["DEFAULT_ROW_HEIGHT", "HEIGHTS", "PAGE_MARGIN_BOTTOM", "PAGE_MARGIN_SIDE", "PAGE_MARGIN_TOP",
           "page_breaks", "print_scale", "row_heights", "wrapped_height"]
