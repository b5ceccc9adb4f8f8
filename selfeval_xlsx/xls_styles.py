"""Cell styles and values of a legacy .xls, as openpyxl objects.

:class:`CellStyles` turns what xlrd reads with ``formatting_info=True`` into
what :mod:`selfeval_xlsx.xls` puts in the openpyxl workbook: palette indices
into RGB colours (``book.colour_map``), FONT records into fonts (and inline
fonts for rich-text runs), XF records into style arrays (font, fill, borders,
alignment, number format, protection; computed once per XF), and cell values
with their types (numbers, text without the control characters XML cannot
hold, dates and times honouring the 1900/1904 date mode, booleans, error
values).  The .xls default font becomes the workbook's Normal font, since
column widths are counted in its digit widths.
"""

from __future__ import annotations

from copy import copy
from typing import Any

from selfeval_xlsx.lazyre import lazy

__all__ = ["CellStyles", "ILLEGAL_XML", "set_style", "style_of"]

_BORDER_STYLES = {
    1: "thin", 2: "medium", 3: "dashed", 4: "dotted", 5: "thick", 6: "double",
    7: "hair", 8: "mediumDashed", 9: "dashDot", 10: "mediumDashDot",
    11: "dashDotDot", 12: "mediumDashDotDot", 13: "slantDashDot",
}
_PATTERNS = {
    1: "solid", 2: "mediumGray", 3: "darkGray", 4: "lightGray", 5: "darkHorizontal",
    6: "darkVertical", 7: "darkDown", 8: "darkUp", 9: "darkGrid", 10: "darkTrellis",
    11: "lightHorizontal", 12: "lightVertical", 13: "lightDown", 14: "lightUp",
    15: "lightGrid", 16: "lightTrellis", 17: "gray125", 18: "gray0625",
}
_HORIZONTAL = {1: "left", 2: "center", 3: "right", 4: "fill", 5: "justify",
               6: "centerContinuous", 7: "distributed"}
_VERTICAL = {0: "top", 1: "center", 2: "bottom", 3: "justify", 4: "distributed"}
_UNDERLINE = {1: "single", 2: "double", 0x21: "singleAccounting", 0x22: "doubleAccounting"}
ILLEGAL_XML = lazy(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML cannot hold


# openpyxl keeps a cell's (or a row's, a column's) style as one array of ids
# into the workbook's font, fill, border ... tables, and has no public way to
# read it or to give a ready one to many cells: its public setters add one
# font, fill, border ... at a time, which CellStyles.style_for does once per
# XF record.  These two are the only places that touch that array.


def style_of(cell: Any) -> Any:
    """A copy of ``cell``'s style array."""
    return copy(cell._style)


def set_style(target: Any, style: Any) -> None:
    """Give a cell, merged cell or row/column dimension (a copy of) ``style``."""
    target._style = copy(style)


class CellStyles:
    """Styles and values for one xlrd ``book`` going into the openpyxl ``wb``."""

    def __init__(self, book: Any, wb: Any):
        self.book = book
        self.wb = wb
        self.style_cache: dict[int, Any] = {}
        self.font_cache: dict[int, Any] = {}
        self.inline_font_cache: dict[int, Any] = {}
        self._base_font()

    def _base_font(self) -> None:
        """Make the .xls default font (font 0) the workbook's Normal font.

        Column widths are counted in digit widths of that font, so without
        this every width (and the default row height) would be off.
        """
        from openpyxl.utils.indexed_list import IndexedList

        if not self.book.font_list:
            return
        base = self.font(0)
        # openpyxl has no public way to replace the default font (font 0 of
        # every package it writes): its font table and named styles are set here
        self.wb._fonts = IndexedList([base])
        normal = self.wb._named_styles["Normal"]
        normal.font = base

    def colour(self, index: int | None) -> Any:
        """A palette index as an RGB colour (through the workbook's own palette)."""
        from openpyxl.styles import Color

        if index is None:
            return None
        rgb = self.book.colour_map.get(index)
        if rgb is None:
            if index in (64, 65):  # system foreground / background
                return Color(indexed=index)
            return None
        return Color(rgb="FF%02X%02X%02X" % tuple(rgb))

    def font(self, font_index: int) -> Any:
        from openpyxl.styles import Font

        if font_index in self.font_cache:
            return self.font_cache[font_index]
        f = self.book.font_list[font_index]
        result = Font(
            name=f.name or None,
            sz=f.height / 20 if f.height else None,
            b=bool(f.weight >= 600 or f.bold),
            i=bool(f.italic),
            u=_UNDERLINE.get(f.underline_type),
            strike=bool(f.struck_out),
            vertAlign={1: "superscript", 2: "subscript"}.get(f.escapement),
            color=self.colour(f.colour_index) if f.colour_index not in (0x7FFF, 64) else None,
            charset=f.character_set or None,
            family=f.family or None,
            outline=bool(f.outline),
            shadow=bool(f.shadow),
        )
        self.font_cache[font_index] = result
        return result

    def inline_font(self, font_index: int) -> Any:
        from openpyxl.cell.text import InlineFont

        if font_index in self.inline_font_cache:
            return self.inline_font_cache[font_index]
        f = self.font(font_index)
        result = InlineFont(rFont=f.name, sz=f.sz, b=f.b or None, i=f.i or None, u=f.u,
                            strike=f.strike or None, vertAlign=f.vertAlign, color=f.color,
                            charset=f.charset, family=f.family)
        self.inline_font_cache[font_index] = result
        return result

    def style_for(self, ws: Any, xf_index: int) -> Any:
        """The openpyxl StyleArray for an XF index (computed once)."""
        cached = self.style_cache.get(xf_index)
        if cached is not None:
            return cached
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side

        book = self.book
        xf = book.xf_list[xf_index]
        cell = Cell(ws)
        cell.font = self.font(xf.font_index)

        bg = xf.background
        pattern = _PATTERNS.get(bg.fill_pattern)
        if pattern:
            fg = self.colour(bg.pattern_colour_index)
            bgc = self.colour(bg.background_colour_index)
            cell.fill = PatternFill(patternType=pattern, fgColor=fg, bgColor=bgc)

        b = xf.border

        def side(style: int, colour: int) -> Side:
            name = _BORDER_STYLES.get(style)
            if not name:
                return Side()
            return Side(style=name, color=self.colour(colour))

        diag_style = b.diag_line_style if (b.diag_down or b.diag_up) else 0
        cell.border = Border(
            left=side(b.left_line_style, b.left_colour_index),
            right=side(b.right_line_style, b.right_colour_index),
            top=side(b.top_line_style, b.top_colour_index),
            bottom=side(b.bottom_line_style, b.bottom_colour_index),
            diagonal=side(diag_style, b.diag_colour_index),
            diagonalDown=bool(b.diag_down) or None,
            diagonalUp=bool(b.diag_up) or None,
        )

        a = xf.alignment
        rotation = a.rotation or 0
        if not (0 <= rotation <= 180 or rotation == 255):
            rotation = 0
        cell.alignment = Alignment(
            horizontal=_HORIZONTAL.get(a.hor_align),
            vertical=_VERTICAL.get(a.vert_align),
            wrap_text=bool(a.text_wrapped) or None,
            shrink_to_fit=bool(getattr(a, "shrink_to_fit", 0)) or None,
            indent=getattr(a, "indent_level", 0) or 0,
            text_rotation=rotation,
            readingOrder=getattr(a, "text_direction", 0) or 0,
        )
        p = xf.protection
        cell.protection = Protection(locked=bool(p.cell_locked), hidden=bool(p.formula_hidden))

        fmt = book.format_map.get(xf.format_key)
        if fmt is not None and fmt.format_str:
            cell.number_format = fmt.format_str
            style = style_of(cell)
        else:
            style = style_of(cell)
            if 0 < xf.format_key < 164:
                style.numFmtId = xf.format_key  # locale built-in (CJK dates)
        self.style_cache[xf_index] = style
        return style

    def value(self, ctype: int, value: Any) -> Any:
        """The value of an xlrd cell as openpyxl writes it (see the module docstring)."""
        import xlrd
        from openpyxl.utils.datetime import to_excel

        if ctype == xlrd.XL_CELL_TEXT:
            return ILLEGAL_XML.sub("", value) or None
        if ctype == xlrd.XL_CELL_NUMBER:
            return int(value) if float(value).is_integer() and abs(value) < 2**53 else value
        if ctype == xlrd.XL_CELL_DATE:
            try:
                if 0 <= value < 1:
                    moment = xlrd.xldate_as_datetime(value, self.book.datemode)
                    candidate: Any = moment.time()
                    back = to_excel(candidate)
                else:
                    candidate = xlrd.xldate_as_datetime(value, self.book.datemode)
                    back = to_excel(candidate, self.wb.epoch)
                if abs(back - value) < 1e-9:
                    return candidate
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                pass
            return value  # keep the serial, the date format is carried anyway
        if ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(value)
        if ctype == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(value, "#N/A")
        return None

    def rich_text(self, text: str, runs: list[tuple[int, int]], xf_index: int) -> Any:
        """``text`` with xlrd's font runs ``(position, font index)`` as openpyxl rich text."""
        from openpyxl.cell.rich_text import CellRichText, TextBlock

        base = self.inline_font(self.book.xf_list[xf_index].font_index)
        parts: list[Any] = []
        bounds = [(0, None)] + [(pos, fx) for pos, fx in runs]
        for i, (start, fx) in enumerate(bounds):
            end = bounds[i + 1][0] if i + 1 < len(bounds) else len(text)
            piece = text[start:end]
            if not piece:
                continue
            parts.append(TextBlock(base if fx is None else self.inline_font(fx), piece))
        return CellRichText(parts)
