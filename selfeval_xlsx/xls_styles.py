"""Cell styles and values of a legacy .xls, as the XML of the converted package.

:class:`CellStyles` turns what xlrd reads with ``formatting_info=True`` into
the ``styles.xml`` of the .xlsx copy: palette indices into RGB colours
(``book.colour_map``), FONT records into ``<font>`` (and ``<rPr>`` for
rich-text runs), XF records into ``<xf>`` entries of ``cellXfs`` (font, fill,
borders, alignment, number format, protection; computed once per XF, equal
entries shared), and cell values into the text of ``<c>`` elements (numbers,
text without the control characters XML cannot hold, dates and times
honouring the 1900/1904 date mode, booleans, error values).  The .xls
default font (font 0) is font 0 of the package and the Normal style's font,
since column widths are counted in its digit widths.

The XML is what openpyxl wrote for the same workbook when the conversion
went through it (the same elements, defaults and number formatting), so the
converted copy reads back the same; ``tests/test_xls_equivalence.py``
compares the two through openpyxl.
"""

from __future__ import annotations

import datetime
from typing import Any

from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx.ooxml.xmltext import esc_attr, esc_text

__all__ = ["CellStyles", "ILLEGAL_XML", "number", "text_xml"]

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

# the number formats every .xlsx reader knows by id (ECMA-376 18.8.30, as
# openpyxl numbers them): a format with one of these codes is written by id
_BUILTIN_FORMATS = {
    'General': 0, '0': 1, '0.00': 2, '#,##0': 3, '#,##0.00': 4, '"$"#,##0_);("$"#,##0)': 5,
    '"$"#,##0_);[Red]("$"#,##0)': 6, '"$"#,##0.00_);("$"#,##0.00)': 7,
    '"$"#,##0.00_);[Red]("$"#,##0.00)': 8, '0%': 9, '0.00%': 10, '0.00E+00': 11, '# ?/?': 12,
    '# ??/??': 13, 'mm-dd-yy': 14, 'd-mmm-yy': 15, 'd-mmm': 16, 'mmm-yy': 17, 'h:mm AM/PM': 18,
    'h:mm:ss AM/PM': 19, 'h:mm': 20, 'h:mm:ss': 21, 'm/d/yy h:mm': 22, '#,##0_);(#,##0)': 37,
    '#,##0_);[Red](#,##0)': 38, '#,##0.00_);(#,##0.00)': 39, '#,##0.00_);[Red](#,##0.00)': 40,
    '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)': 41,
    '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)': 42,
    '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)': 43,
    '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)': 44,
    'mm:ss': 45, '[h]:mm:ss': 46, 'mmss.0': 47, '##0.0E+0': 48, '@': 49,
}
_FIRST_CUSTOM_FORMAT = 164

# the workbook's font 0 when the .xls has no FONT record (Calibri 11, theme colour)
_DEFAULT_FONT = ('<font><name val="Calibri" /><family val="2" /><color theme="1" /><sz val="11" />'
                 '<scheme val="minor" /></font>')
_DEFAULT_FILLS = ['<fill><patternFill /></fill>', '<fill><patternFill patternType="gray125" /></fill>']
_DEFAULT_BORDER = "<border><left /><right /><top /><bottom /><diagonal /></border>"
_DEFAULT_XF = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" />'

_WINDOWS_EPOCH = datetime.datetime(1899, 12, 30)
_MAC_EPOCH = datetime.datetime(1904, 1, 1)


def number(value: float | int) -> str:
    """A number as the text of a ``<v>`` or an attribute: 16 significant
    digits, as the converted copies have always held them."""
    return "%.16g" % value


def text_xml(text: str) -> str:
    """``<t>`` holding ``text``, its leading/trailing spaces kept."""
    if text != text.strip():
        return f'<t xml:space="preserve">{esc_text(text)}</t>'
    return f"<t>{esc_text(text)}</t>"


def _days(moment: datetime.datetime | datetime.time, epoch: datetime.datetime) -> float:
    """A date or time as an Excel serial number in the workbook's date mode."""
    fraction = (moment.hour * 3600 + moment.minute * 60 + moment.second
                + moment.microsecond / 10**6) / 86400
    if isinstance(moment, datetime.time):
        return fraction
    days = (moment - epoch).days
    if 0 < days <= 60 and epoch is _WINDOWS_EPOCH:
        days -= 1  # Excel's 1900-02-29
    return days + fraction


class _Table:
    """The entries of one styles.xml collection, equal entries shared."""

    def __init__(self, first: list[str]):
        self.items = list(first)
        self.index = {xml: i for i, xml in enumerate(first)}

    def add(self, xml: str) -> int:
        i = self.index.get(xml)
        if i is None:
            i = self.index[xml] = len(self.items)
            self.items.append(xml)
        return i

    def xml(self, tag: str) -> str:
        return f'<{tag} count="{len(self.items)}">' + "".join(self.items) + f"</{tag}>"


class CellStyles:
    """Styles and values for one xlrd ``book``: ``xf_id`` gives the package's
    ``cellXfs`` index of an XF record, ``render`` the ``styles.xml``."""

    def __init__(self, book: Any):
        self.book = book
        self.epoch = _MAC_EPOCH if book.datemode == 1 else _WINDOWS_EPOCH
        self._xf_cache: dict[int, int] = {}
        self._font_xml: dict[int, str] = {}
        self._rpr_xml: dict[int, str] = {}
        self.formats = _Table([])
        self.fonts = _Table([self._font(0) if book.font_list else _DEFAULT_FONT])
        self.fills = _Table(_DEFAULT_FILLS)
        self.borders = _Table([_DEFAULT_BORDER])
        self.xfs = _Table([_DEFAULT_XF])

    def colour(self, tag: str, index: int | None) -> str:
        """``<tag rgb=…/>`` for a palette index (through the workbook's own
        palette); "" when the index has no colour."""
        if index is None:
            return ""
        rgb = self.book.colour_map.get(index)
        if rgb is None:
            if index in (64, 65):  # system foreground / background
                return f'<{tag} indexed="{index}" />'
            return ""
        return f'<{tag} rgb="FF%02X%02X%02X" />' % tuple(rgb)

    def _font_parts(self, font_index: int) -> tuple[str, ...]:
        f = self.book.font_list[font_index]
        colour = self.colour("color", f.colour_index) if f.colour_index not in (0x7FFF, 64) else ""
        underline = _UNDERLINE.get(f.underline_type)
        escapement = {1: "superscript", 2: "subscript"}.get(f.escapement)
        return (
            f.name or "",
            f'<charset val="{f.character_set}" />' if f.character_set else "",
            f'<family val="{f.family}" />' if f.family else "",
            "1" if (f.weight >= 600 or f.bold) else "",
            "1" if f.italic else "",
            "1" if f.struck_out else "0",
            "1" if f.outline else "0",
            "1" if f.shadow else "0",
            colour,
            f'<sz val="{number(f.height / 20)}" />' if f.height else "",
            f'<u val="{underline}" />' if underline else "",
            f'<vertAlign val="{escapement}" />' if escapement else "",
        )

    def _font(self, font_index: int) -> str:
        """A FONT record as a ``<font>`` (in openpyxl's element order)."""
        xml = self._font_xml.get(font_index)
        if xml is None:
            name, charset, family, bold, italic, strike, outline, shadow, colour, size, under, vert = \
                self._font_parts(font_index)
            xml = self._font_xml[font_index] = (
                "<font>" + (f'<name val="{esc_attr(name)}" />' if name else "") + charset + family
                + ('<b val="1" />' if bold else "") + ('<i val="1" />' if italic else "")
                + f'<strike val="{strike}" /><outline val="{outline}" /><shadow val="{shadow}" />'
                + colour + size + under + vert + "</font>")
        return xml

    def _rpr(self, font_index: int) -> str:
        """A FONT record as the ``<rPr>`` of a rich-text run."""
        xml = self._rpr_xml.get(font_index)
        if xml is None:
            name, charset, family, bold, italic, strike, _o, _s, colour, size, under, vert = \
                self._font_parts(font_index)
            xml = self._rpr_xml[font_index] = (
                "<rPr>" + (f'<rFont val="{esc_attr(name)}" />' if name else "") + charset + family
                + ('<b val="1" />' if bold else "") + ('<i val="1" />' if italic else "")
                + ('<strike val="1" />' if strike == "1" else "") + colour + size + under + vert + "</rPr>")
        return xml

    def _side(self, tag: str, style: int, colour: int) -> str:
        name = _BORDER_STYLES.get(style)
        if not name:
            return f"<{tag} />"
        inner = self.colour("color", colour)
        return f'<{tag} style="{name}">{inner}</{tag}>' if inner else f'<{tag} style="{name}" />'

    def xf_id(self, xf_index: int) -> int:
        """The ``cellXfs`` index for an XF record (computed once); 0 is the
        unstyled default."""
        cached = self._xf_cache.get(xf_index)
        if cached is not None:
            return cached
        book = self.book
        xf = book.xf_list[xf_index]
        font_id = self.fonts.add(self._font(xf.font_index))

        fill_id = 0
        bg = xf.background
        pattern = _PATTERNS.get(bg.fill_pattern)
        if pattern:
            fg = self.colour("fgColor", bg.pattern_colour_index)
            bgc = self.colour("bgColor", bg.background_colour_index)
            if not fg or not bgc:
                # a colour the palette lacks: the converter has always
                # refused such a file as damaged (one line, not a crash)
                raise TypeError("fill colour outside the palette")
            fill_id = self.fills.add(f'<fill><patternFill patternType="{pattern}">{fg}{bgc}</patternFill></fill>')

        b = xf.border
        diagonal = bool(b.diag_down or b.diag_up)
        border = ("<border" + (' diagonalDown="1"' if b.diag_down else "") + (' diagonalUp="1"' if b.diag_up else "")
                  + ">" + self._side("left", b.left_line_style, b.left_colour_index)
                  + self._side("right", b.right_line_style, b.right_colour_index)
                  + self._side("top", b.top_line_style, b.top_colour_index)
                  + self._side("bottom", b.bottom_line_style, b.bottom_colour_index)
                  + self._side("diagonal", b.diag_line_style if diagonal else 0, b.diag_colour_index)
                  + "</border>")
        border_id = self.borders.add(border)

        a = xf.alignment
        rotation = a.rotation or 0
        if not (0 <= rotation <= 180 or rotation == 255):
            rotation = 0
        horizontal = _HORIZONTAL.get(a.hor_align)
        vertical = _VERTICAL.get(a.vert_align)
        indent = getattr(a, "indent_level", 0) or 0
        reading = getattr(a, "text_direction", 0) or 0
        alignment = "".join((
            f' horizontal="{horizontal}"' if horizontal else "",
            f' vertical="{vertical}"' if vertical else "",
            f' textRotation="{rotation}"' if rotation else "",
            ' wrapText="1"' if a.text_wrapped else "",
            ' shrinkToFit="1"' if getattr(a, "shrink_to_fit", 0) else "",
            f' indent="{indent}"' if indent else "",
            f' readingOrder="{reading}"' if reading else "",
        ))
        p = xf.protection
        locked, hidden = bool(p.cell_locked), bool(p.formula_hidden)
        protection = "" if (locked, hidden) == (True, False) else \
            f'<protection locked="{int(locked)}" hidden="{int(hidden)}" />'

        fmt = book.format_map.get(xf.format_key)
        if fmt is not None and fmt.format_str:
            numfmt = _BUILTIN_FORMATS.get(fmt.format_str)
            if numfmt is None:
                numfmt = self.formats.add(fmt.format_str) + _FIRST_CUSTOM_FORMAT
        else:
            numfmt = xf.format_key if 0 < xf.format_key < 164 else 0  # locale built-in (CJK dates)

        head = f'<xf numFmtId="{numfmt}" fontId="{font_id}" fillId="{fill_id}" borderId="{border_id}" xfId="0"'
        if alignment:
            head += ' applyAlignment="1"'
        if protection:
            head += ' applyProtection="1"'
        if alignment or protection:
            body = (f"<alignment{alignment} />" if alignment else "") + protection
            entry = f"{head}>{body}</xf>"
        else:
            entry = head + " />"
        result = self._xf_cache[xf_index] = self.xfs.add(entry)
        return result

    def render(self) -> bytes:
        """The package's ``styles.xml``."""
        numfmts = "".join(f'<numFmt numFmtId="{i + _FIRST_CUSTOM_FORMAT}" formatCode="{esc_attr(code)}" />'
                          for i, code in enumerate(self.formats.items))
        return (
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + (f'<numFmts count="{len(self.formats.items)}">{numfmts}</numFmts>' if numfmts else "")
            + self.fonts.xml("fonts") + self.fills.xml("fills") + self.borders.xml("borders")
            + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>'
            + self.xfs.xml("cellXfs")
            + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" /></cellStyles>'
            '<dxfs count="0" />'
            '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16" />'
            "</styleSheet>"
        ).encode("utf-8")

    # ---- values ---------------------------------------------------------

    def value(self, ctype: int, value: Any) -> tuple[str, str] | None:
        """The ``(t attribute, inner XML)`` of a cell holding an xlrd value
        (see the module docstring); None for a cell without a value."""
        if ctype == 1:  # xlrd.XL_CELL_TEXT
            text = ILLEGAL_XML.sub("", value)
            return (' t="inlineStr"', f"<is>{text_xml(text)}</is>") if text else None
        if ctype == 2:  # XL_CELL_NUMBER
            if value != value or value in (_INF, -_INF):
                return None
            return "", f"<v>{number(value)}</v>"
        if ctype == 3:  # XL_CELL_DATE
            return "", f"<v>{number(self._date(value))}</v>"
        if ctype == 4:  # XL_CELL_BOOLEAN
            return ' t="b"', f"<v>{1 if value else 0}</v>"
        if ctype == 5:  # XL_CELL_ERROR
            import xlrd

            return ' t="e"', f"<v>{esc_text(xlrd.error_text_from_code.get(value, '#N/A'))}</v>"
        return None

    def _date(self, value: float) -> float:
        """A date cell's serial: the date it stands for when that date
        gives the serial back (what the copies have always held), else the
        serial itself (the date format is carried anyway)."""
        import xlrd

        try:
            if 0 <= value < 1:
                back = _days(xlrd.xldate_as_datetime(value, self.book.datemode).time(), self.epoch)
            else:
                back = _days(xlrd.xldate_as_datetime(value, self.book.datemode), self.epoch)
            if abs(back - value) < 1e-9:
                return back
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            pass
        return value

    def rich_text(self, text: str, runs: list[tuple[int, int]], xf_index: int) -> str:
        """The ``<is>`` of ``text`` with xlrd's font runs ``(position, font index)``."""
        base = self.book.xf_list[xf_index].font_index
        parts: list[str] = []
        bounds = [(0, base)] + list(runs)
        for i, (start, fx) in enumerate(bounds):
            end = bounds[i + 1][0] if i + 1 < len(bounds) else len(text)
            piece = text[start:end]
            if piece:
                parts.append(f"<r>{self._rpr(fx)}{text_xml(piece)}</r>")
        return "<is>" + "".join(parts) + "</is>"


_INF = float("inf")
