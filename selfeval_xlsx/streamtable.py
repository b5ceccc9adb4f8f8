"""Table sheets whose rows are streamed as sheet XML: ``summary.xlsx`` and the export workbook.

xlsxwriter costs about 10 µs a cell and keeps every hyperlink in memory
until a sheet is closed; a batch writes hundreds of thousands of cells.  A
:class:`StreamedTable` lets xlsxwriter write only the header row, the column
widths, the filter and the print setup, and renders the data rows itself,
straight into scratch files (text as inline strings, never a formula; the
row height from the wrapped text; hyperlinks and their relationships in two
more files).  ``splice.splice_tables`` then puts them into the sheet part
of the package xlsxwriter built.  Memory stays flat and a row costs a few
microseconds.

Here too what the streamed cells need from the workbook before it exists:
:class:`Formats` (its first three formats get the cell styles
:data:`LINK_XF`, :data:`CELL_XF` and :data:`WRAP_XF` the rows are written
with), :func:`clean_text` (what of a submission's text a cell can hold),
:func:`print_setup` (A4 landscape, one page wide, title and page numbers)
and Excel's row, link and text limits.  The tables' columns and layout are
``table.Table``'s; what goes into the rows is the caller's (``summary``,
``export``).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

from selfeval_xlsx.cellref import col_letters
from selfeval_xlsx.display import display_width
from selfeval_xlsx.errors import display_path
from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx.ooxml.xmltext import esc_attr, esc_text
from selfeval_xlsx.splice import copy_file
from selfeval_xlsx.table import LINK, SUMMARY, PrintSetup, Table

#: Excel's limits
MAX_ROWS = 1_048_576
MAX_LINKS = 65_530
MAX_TEXT = 32_767

_SCRATCH_BUFFER = 256 * 1024
_PENDING = 64  # rows kept in memory before they are written (StreamedTable._flush)

_CONTROL = lazy(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = lazy("[\ud800-\udfff]")
_ESCAPED = lazy("%[0-9a-fA-F]{2}")
_DIMENSION = lazy(rb'<dimension ref="[^"]*"/>')


def not_unicode(text: str) -> bool:
    """Whether ``text`` holds lone surrogates: a file name that is not
    Unicode (GBK bytes decoded with ``surrogateescape``)."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def clean_text(value: Any) -> str:
    """``value`` as text a cell can hold: lone surrogates shown as the path
    would be printed, control characters dropped, cut at Excel's limit."""
    text = value if isinstance(value, str) else str(value)
    if not_unicode(text):  # a file name that is not Unicode (GBK bytes)
        text = _SURROGATE.sub("\ufffd", display_path(text))
    if not text.isprintable():  # tabs/newlines are fine, control characters are not
        text = _CONTROL.sub("", text)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT]


#: The cell styles (cellXfs indexes) of the streamed cells: the link, plain and
#: wrapped formats are the first ones given an index, so before the workbook
#: exists they are known.  All have a thin border.
LINK_XF = 1
CELL_XF = 2
WRAP_XF = 3


def style_index(fmt) -> int:
    """The cellXfs index xlsxwriter gives ``fmt`` (on first use).  xlsxwriter
    has no public way to learn it, only its private ``Format._get_xf_index``;
    the streamed rows are written with the index before the workbook exists."""
    return fmt._get_xf_index()


class Formats:
    def __init__(self, book):
        self.link = book.add_format({"font_color": "#0563C1", "underline": 1, "border": 1, "valign": "top",
                                     "text_wrap": True})
        self.cell = book.add_format({"border": 1, "valign": "top"})
        self.wrap = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
        for fmt, index in ((self.link, LINK_XF), (self.cell, CELL_XF), (self.wrap, WRAP_XF)):
            if style_index(fmt) != index:  # pragma: no cover - xlsxwriter numbers from 1
                raise RuntimeError("a format did not get the style index the rows were written with")
        self.header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                       "align": "center", "valign": "vcenter"})
        self.title = book.add_format({"bold": True, "font_size": 12})
        self.bold_cell = book.add_format({"border": 1, "valign": "top", "bold": True})
        self.wrap_bold = book.add_format({"border": 1, "valign": "top", "text_wrap": True, "bold": True})
        self.percent = book.add_format({"border": 1, "valign": "top", "num_format": "0.0%"})
        self.bold_percent = book.add_format({"border": 1, "valign": "top", "num_format": "0.0%", "bold": True})
        self.number = book.add_format({"border": 1, "valign": "top", "num_format": "0.00"})
        self.bold_number = book.add_format({"border": 1, "valign": "top", "num_format": "0.00", "bold": True})
        self.red = book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
        self.orange = book.add_format({"font_color": "#9C5700", "bg_color": "#FFEB9C"})
        self.green = book.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.grey = book.add_format({"font_color": "#FFFFFF", "bg_color": "#7F7F7F"})


PAGE_FOOTER = "&C第 &P 页，共 &N 页"


_PRINT = PrintSetup()  # the sheets that are not a Table: 按文件夹, 统计


def print_setup(ws, header: str | None = None, setup: PrintSetup = _PRINT) -> None:
    """A4 landscape, one page wide and as many tall as it takes (the column
    widths keep the print at 9 pt or more), the title at the top of every
    page and page numbers at the bottom: a reviewer can print any sheet."""
    if setup.landscape:
        ws.set_landscape()
    ws.set_paper(setup.paper)
    ws.fit_to_pages(setup.fit_width, setup.fit_height)
    ws.set_margins(left=setup.left, right=setup.right, top=setup.top, bottom=setup.bottom)
    if header:
        ws.set_header(header, margin=setup.header)
    ws.set_footer(PAGE_FOOTER, margin=setup.footer)
    if setup.centred:
        ws.center_horizontally()


def _escape_target(path: str) -> str:
    """A relationship target as Excel writes it (the escaping xlsxwriter uses)."""
    if _ESCAPED.search(path):
        return path
    for char, code in (("%", "%25"), ('"', "%22"), (" ", "%20"), ("<", "%3c"), (">", "%3e"), ("[", "%5b"),
                       ("]", "%5d"), ("^", "%5e"), ("`", "%60"), ("{", "%7b"), ("}", "%7d")):
        path = path.replace(char, code)
    return path


@functools.lru_cache(maxsize=1024)  # every finding of a file links to the same copy
def _relationship_target(path: str) -> str:
    """Type, Target and TargetMode of an external hyperlink to ``path``, as
    xlsxwriter writes them (backslashes, Excel's escaping, # as %23)."""
    path = path.replace("/", "\\")
    if path.startswith(".\\"):
        path = path[2:]
    target = esc_attr(_escape_target(path).replace("#", "%23"))
    return ('Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
            f'Target="{target}" TargetMode="External"')


@functools.lru_cache(maxsize=4096)  # file names, sheets, codes and many messages repeat
def _text_cell(value: str) -> tuple[str, int, tuple[int, ...]]:
    """The rest of a text cell after ``<c r="…"`` (an inline string, never a
    formula), its display width for the column (first 80 characters) and
    the display width of each of its lines (for the lines it wraps to:
    ``Metrics.lines_of``); ("", 0, ()) for nothing to show."""
    text = clean_text(value)
    if not text:
        return "", 0, ()
    body = f' t="inlineStr"><is><t xml:space="preserve">{esc_text(text)}</t></is></c>'
    if len(text) <= 80 and "\n" not in text:  # (the two measures below are one)
        width = display_width(text)
        return body, width, (width,)
    return body, display_width(text[:80]), SUMMARY.line_widths(text)  # (every streamed table measures so)


@functools.lru_cache(maxsize=1024)  # a sheet's cells repeat from file to file
def _link_tail(location: str, display: str) -> str:
    """A hyperlink element after its r:id: the location in the target (none
    for a link to the file) and the text shown."""
    anchor = f' location="{esc_attr(location)}"' if location else ""
    return f'{anchor} display="{esc_attr(clean_text(display))}"/>'


class StreamedTable:
    """A header (written by xlsxwriter) and data rows streamed as sheet XML.

    xlsxwriter costs about 10 µs a cell and keeps every hyperlink in memory
    until the sheet is closed; a batch writes hundreds of thousands of cells.
    So the rows are rendered here, straight into a file in the scratch
    folder (text as inline strings, never a formula), with their hyperlinks
    and relationships in two more files; :meth:`splice` puts them into the
    sheet part of the finished package.  Memory stays flat.
    """

    def __init__(self, table: Table, *, scratch: Path):
        if not table.fitted or table.metrics.limit != SUMMARY.limit:  # _text_cell measures a text once
            raise ValueError("a streamed table is fitted and measures its text as SUMMARY does")
        self.ws = None
        self.table = table
        columns = table.columns
        self.headers = table.headers()
        self.lang = "zh"  # the headers' language (summary.Summary sets --lang)
        self.header_height: float | None = None  # two lines for English headers
        self.link_col = next((c for c, column in enumerate(columns) if column.kind == LINK), -1)
        self.caps = table.widths
        # the style of each column's cells: bordered, long text wrapped
        self.styles = [f' s="{WRAP_XF if column.wrap else CELL_XF}"' for column in columns]
        # characters a line holds in each column (a cell wider than its cap wraps)
        self.wrap_at = [table.metrics.per_line(column.width) if column.measured else None for column in columns]
        self.lines_of, self.height = table.metrics.lines_of, table.metrics.height  # (bound once: a row is hot)
        self.rows = 0
        self.links = 0
        self.dropped = 0
        self.widths = [display_width(h) for h in self.headers]
        self.letters = [col_letters(c) for c in range(len(self.headers))]
        self.link_style = LINK_XF  # the style id the raw link cells use
        # rendered XML not yet written to the scratch files (see _flush)
        self._pending_rows: list[str] = []
        self._pending_links: list[str] = []
        self._pending_rels: list[str] = []
        name = f"table{id(self)}"
        # (256 KB buffers: with the default 8 KB a batch's parent made three
        # write system calls a file, here each costs microseconds)
        self._rows = open(scratch / f"{name}.rows.xml", "w", encoding="utf-8", buffering=_SCRATCH_BUFFER)
        self._links = open(scratch / f"{name}.links.xml", "w", encoding="utf-8", buffering=_SCRATCH_BUFFER)
        self._rels = open(scratch / f"{name}.rels.xml", "w", encoding="utf-8", buffering=_SCRATCH_BUFFER)

    def attach(self, ws, fmt: Formats, header: str | None = None) -> None:
        """The worksheet the rows go into: header, frozen and printed on every page."""
        self.ws = ws
        if self.header_height:
            ws.set_row(0, self.header_height)
        for c, head in enumerate(self.table.headers(self.lang)):
            ws.write_string(0, c, head, fmt.header)
        ws.freeze_panes(1, 0)
        print_setup(ws, header, self.table.print_setup)
        ws.repeat_rows(0)

    def append(self, values: tuple[Any, ...], link: tuple[str, str] | None) -> None:
        if self.rows >= MAX_ROWS - 2:  # Excel's last row is kept for the note
            self.dropped += 1
            return
        self.rows += 1
        r, widths, letters, styles = str(self.rows + 1), self.widths, self.letters, self.styles  # 1-based
        cells = []
        lines = 1  # the row's height in lines: the longest wrapped text (Excel and
        # LibreOffice do not fit a streamed row to its wrapped text by themselves)
        for c, value in enumerate(values):
            if value is None:
                if c != self.link_col or not link:
                    cells.append(f'<c r="{letters[c]}{r}"{styles[c]}/>')  # empty, but ruled on paper
                    continue
                value = "—"  # a finding about the whole form: the link still opens its sheet
            if value.__class__ is str or isinstance(value, bool) or not math.isfinite(value):
                body, w, line_widths = _text_cell(value if not isinstance(value, bool) else str(value).upper())
                if not body:
                    cells.append(f'<c r="{letters[c]}{r}"{styles[c]}/>')
                    continue
                wrap = self.wrap_at[c]  # (None: a column that does not wrap shows any text on one line)
                if wrap is not None and (line_widths[0] > wrap or len(line_widths) > 1):
                    lines = max(lines, self.lines_of(line_widths, wrap))
            else:
                text = repr(float(value)) if isinstance(value, float) else str(value)
                w = len(f"{value:g}") if isinstance(value, float) else len(text)
                body = f"><v>{text}</v></c>"
            if w > widths[c]:
                widths[c] = w
            ref = letters[c] + r
            if c == self.link_col and link and self.links < MAX_LINKS:
                self.links += 1
                self._hyperlink(ref, link, value if isinstance(value, str) else str(value))
                cells.append(f'<c r="{ref}" s="{self.link_style}"{body}')
            else:
                cells.append(f'<c r="{ref}"{styles[c]}{body}')
        if lines > 1:  # (a one-line row keeps the sheet's default height)
            self._pending_rows.append(f'<row r="{r}" ht="{self.height(lines)}" customHeight="1">'
                                      f'{"".join(cells)}</row>')
        else:
            self._pending_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(self._pending_rows) >= _PENDING:
            self._flush()

    def _flush(self) -> None:
        """Write the rows, hyperlinks and relationships waiting in memory
        (one write each for many rows: a write call per row was a tenth of a
        batch parent's time)."""
        for pending, handle in ((self._pending_rows, self._rows), (self._pending_links, self._links),
                                (self._pending_rels, self._rels)):
            if pending:
                handle.write("".join(pending))
                pending.clear()

    def _hyperlink(self, ref: str, link: tuple[str, str], display: str) -> None:
        path, location = link
        rid = self.links
        tail = _link_tail(location, display)
        self._pending_links.append(f'<hyperlink ref="{ref}" r:id="rId{rid}"{tail}')
        self._pending_rels.append(f'<Relationship Id="rId{rid}" {_relationship_target(path)}/>')

    def finish(self) -> None:
        if self.dropped:
            self.rows += 1
            note = esc_text(f"……其余 {self.dropped} 行未列出（超出 Excel 行数上限）")
            self._pending_rows.append(f'<row r="{self.rows + 1}"><c r="A{self.rows + 1}" t="inlineStr"><is><t>{note}</t></is></c></row>')
        self._flush()
        for handle in (self._rows, self._links, self._rels):
            handle.close()
        self.ws.autofilter(0, 0, self.rows, len(self.headers) - 1)
        for c, width in enumerate(self.widths):
            self.ws.set_column(c, c, self.table.fit(width, self.caps[c]))

    def close(self) -> None:
        for pending in (self._pending_rows, self._pending_links, self._pending_rels):
            pending.clear()  # (finish wrote them; after an error they are dropped with the files)
        for handle in (self._rows, self._links, self._rels):
            handle.close()

    def splice(self, sheet_xml: bytes, out) -> str | None:
        """Write the sheet part with the streamed rows and hyperlinks to
        ``out``; returns the scratch file of its relationships, or None."""
        head, sep, tail = sheet_xml.partition(b"</sheetData>")
        if not sep:  # an empty sheetData is written as <sheetData/>
            head, sep, tail = sheet_xml.partition(b"<sheetData/>")
            head += b"<sheetData>"
        last = f"{self.letters[-1]}{self.rows + 1}".encode()
        head = _DIMENSION.sub(b'<dimension ref="A1:' + last + b'"/>', head, count=1)
        out.write(head)
        copy_file(self._rows.name, out)
        out.write(b"</sheetData>")
        if self.links:
            cut = min((i for i in (tail.find(b"<printOptions"), tail.find(b"<pageMargins")) if i >= 0),
                      default=len(tail))
            out.write(tail[:cut] + b"<hyperlinks>")
            copy_file(self._links.name, out)
            out.write(b"</hyperlinks>" + tail[cut:])
            return self._rels.name
        out.write(tail)
        return None

    @staticmethod
    def write_rels(rels: str, out) -> None:
        """The sheet's relationships part, streamed from the scratch file."""
        out.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="'
                  b'http://schemas.openxmlformats.org/package/2006/relationships">')
        copy_file(rels, out)
        out.write(b"</Relationships>")
