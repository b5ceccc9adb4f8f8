"""Convert a legacy .xls workbook (BIFF5/BIFF8) into a faithful .xlsx copy.

``xls_to_xlsx(src, dst)`` is used by ``selfeval fill`` on .xls input: the
workbook is converted first, then cells are patched in the .xlsx (same sheet
names, same cell references).

What is carried over, for every worksheet in the same order:

* every cell value with its type: numbers, text (rich-text runs too), dates
  and times (as datetimes, honouring the 1900/1904 date mode), booleans,
  error values (written as Excel error cells, e.g. ``#DIV/0!``) and empty
  cells that carry a style;
* formulas: xlrd only exposes the cached result, so formula cells become
  their last calculated **values** (the .xlsx holds no formulas);
* styles from the XF records: font (name, size, bold, italic, underline,
  strike, super/subscript, colour, charset), fill (pattern and colours),
  borders (all sides and diagonals, styles and colours), alignment
  (horizontal, vertical, wrap, shrink, indent, rotation, reading order),
  number format, cell protection; palette indices are mapped through the
  workbook's own palette (``book.colour_map``) to RGB;
* merged ranges, column widths / row heights (and their default values),
  hidden rows/columns and outline levels, column/row default styles;
* sheet view: frozen panes, first visible cell, grid lines, zero values,
  zoom, hidden/very-hidden sheets, the active sheet;
* page setup: orientation, paper size, scale, fit-to-page (width/height),
  first page number, margins, centring, printed grid lines, header/footer,
  manual page breaks, print area and print titles;
* sheet protection (with its password hash), hyperlinks, cell comments
  (text and author; Excel's "always show" flag and box size are not kept),
  workbook-level names that refer to plain cell ranges.

What is refused (``SelfevalError``: the user is asked to save the file as
.xlsx in Excel/WPS first) because it cannot be carried faithfully: pictures,
charts (embedded or chart sheets), shapes/text boxes, form controls, embedded
OLE objects, VBA or Excel 4 macros, conditional formatting, data validation
(drop-down lists), pivot tables, encrypted files, and files that are not
real BIFF workbooks (HTML / XML spreadsheets saved with an .xls name).
A file that is really an .xlsx in disguise is copied as it is.

Control characters that XML cannot hold are dropped from text.

Where things are: the BIFF records xlrd does not expose, and the refused
content, are found by :func:`selfeval_xlsx.biff.scan`; fonts, colours, XF
styles and cell values are :mod:`selfeval_xlsx.xls_styles`'; widths and
heights, the sheet view, page setup, validations and names are
:mod:`selfeval_xlsx.xls_sheet`'s.  This module reads the workbook with xlrd,
puts the cells, merges, comments, links and protection of each sheet into an
openpyxl workbook, and writes the package (atomically, stamped with the .xls
file's own time so the same file gives the same bytes).
"""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from pathlib import Path
from typing import Any

from selfeval_xlsx import biff, xls_sheet
from selfeval_xlsx.atomic import replacing
from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.xls_styles import ILLEGAL_XML, CellStyles, set_style

__all__ = ["xls_to_xlsx"]

_SAVE_AS_ZH = "请在 Excel 或 WPS 中另存为 .xlsx 后重试"
_SAVE_AS_EN = "open it in Excel or WPS, save it as .xlsx and try again"

# What a refused feature is called in the message: key -> (zh, en).
_FEATURES = {
    "image": ("图片", "pictures"),
    "chart": ("图表", "charts"),
    "shape": ("图形/文本框", "shapes or text boxes"),
    "control": ("表单控件", "form controls"),
    "ole": ("嵌入对象", "embedded objects"),
    "macro": ("宏", "macros"),
    "condfmt": ("条件格式", "conditional formatting"),
    "validation": ("数据有效性（下拉列表）", "data validation (drop-down lists)"),
    "pivot": ("数据透视表", "pivot tables"),
}
_FEATURE_ORDER = list(_FEATURES)


def _refuse(found: set[str]) -> SelfevalError:
    keys = [k for k in _FEATURE_ORDER if k in found]
    zh = "、".join(_FEATURES[k][0] for k in keys)
    en = ", ".join(_FEATURES[k][1] for k in keys)
    return SelfevalError(
        f"该 .xls 文件含有无法无损转换的内容（{zh}），{_SAVE_AS_ZH}",
        f"this .xls file contains content that cannot be converted without loss ({en}); {_SAVE_AS_EN}",
    )


def _not_biff(what_zh: str, what_en: str) -> SelfevalError:
    return SelfevalError(
        f"该文件不是可直接转换的 .xls 工作簿（{what_zh}），{_SAVE_AS_ZH}",
        f"this file is not a convertible .xls workbook ({what_en}); {_SAVE_AS_EN}",
    )


_ENCRYPTED = ("文件已加密，请取消密码后重试", "the file is encrypted; remove the password and try again")


def xls_to_xlsx(src: Path, dst: Path) -> None:
    """Write a faithful .xlsx copy of the .xls ``src`` to ``dst`` (atomically).

    Raises ``SelfevalError`` when the workbook holds content that cannot be
    carried over (see the module docstring); ``dst`` is then left untouched.
    """
    data = xlsx_bytes(src)
    _write_atomic(Path(dst), lambda path: Path(path).write_bytes(data))


def xlsx_bytes(src: Path) -> bytes:
    """The .xlsx package :func:`xls_to_xlsx` would write, in memory (``fill``
    patches it straight away: no scratch file, no fsync, no second read).

    Raises ``SelfevalError`` as :func:`xls_to_xlsx` does.
    """
    src = Path(src)
    try:
        mem = src.read_bytes()
    except OSError as exc:
        raise SelfevalError(f"无法读取文件：{exc.strerror or exc}", f"cannot read the file: {exc.strerror or exc}") from exc

    if mem[:4] == b"PK\x03\x04":
        _check_disguised_xlsx(mem)
        return mem
    if not mem.startswith(biff.OLE_MAGIC):
        head = mem[:512].lstrip().lower()
        if head.startswith((b"<", b"\xef\xbb\xbf<")):
            raise _not_biff("实为网页或 XML 表格", "it is really an HTML or XML spreadsheet")
        raise _not_biff("无法识别的文件格式", "unrecognised file format")

    try:
        scan = biff.scan(mem)
    except biff.Encrypted:
        raise SelfevalError(*_ENCRYPTED) from None
    except biff.NotBiff as exc:
        raise _not_biff(*exc.args) from exc
    if scan.found:
        raise _refuse(scan.found)

    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=mem, formatting_info=True, on_demand=False,
                                  logfile=io.StringIO())
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise SelfevalError(*_ENCRYPTED) from exc
        raise _not_biff(f"读取失败：{exc}", f"unreadable: {exc}") from exc
    except NotImplementedError as exc:  # formatting_info on very old BIFF
        raise _not_biff("格式过旧", f"too old a format: {exc}") from exc
    except Exception as exc:  # xlrd raises assorted errors on damaged files
        raise _not_biff(f"读取失败：{exc}", f"unreadable: {exc}") from exc
    if book.biff_version < 50:
        raise _not_biff("Excel 4.0 或更早的格式", "Excel 4.0 or older format")

    try:
        wb = _Converter(book, scan).convert()
    except (IndexError, KeyError, ValueError, TypeError, AttributeError, ArithmeticError, struct.error,
            UnicodeError) as exc:  # records that point nowhere: a damaged file, one line
        raise SelfevalError(
            f"该 .xls 文件已损坏，无法转换（{type(exc).__name__}），{_SAVE_AS_ZH}",
            f"this .xls file is damaged and cannot be converted ({type(exc).__name__}); {_SAVE_AS_EN}",
        ) from None
    return _package(wb, _stamp(src))


def _check_disguised_xlsx(mem: bytes) -> None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(mem)).namelist())
    except zipfile.BadZipFile as exc:
        raise _not_biff("损坏的压缩包", "damaged zip package") from exc
    if "xl/workbook.xml" not in names:
        raise _not_biff("不是 Excel 工作簿", "not an Excel workbook")
    if "xl/vbaProject.bin" in names:
        raise _refuse({"macro"})


def _stamp(src: Path) -> datetime.datetime:
    """The time written into the converted copy: the .xls file's own
    modification time, so converting the same file again gives the same
    bytes (openpyxl would write the current time)."""
    try:
        moment = datetime.datetime.fromtimestamp(src.stat().st_mtime, datetime.timezone.utc)
    except (OSError, OverflowError, ValueError):
        moment = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    return max(moment.replace(tzinfo=None, microsecond=0), datetime.datetime(1980, 1, 1))


def _package(wb: Any, stamp: datetime.datetime) -> bytes:
    """The .xlsx package of ``wb``, written in one pass in memory: every
    member stamped with ``stamp`` (openpyxl would write the current time, and
    the same .xls must give the same bytes), worksheets not staged in
    temporary files."""
    from openpyxl.writer.excel import ExcelWriter
    from openpyxl.worksheet._writer import WorksheetWriter

    from selfeval_xlsx import xls_rows

    class RowsWriter(WorksheetWriter):
        def write_rows(self) -> None:  # same bytes, fewer steps (see xls_rows)
            xls_rows.write_rows(self)

    class Writer(ExcelWriter):
        def write_worksheet(self, ws: Any) -> None:
            # openpyxl's ExcelWriter.write_worksheet, but the sheet's XML goes
            # to memory rather than through a temporary file on disk (which
            # cost more than writing the XML on a busy disk); openpyxl has no
            # public hook for this, hence its private sheet attributes here
            from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing

            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = RowsWriter(ws, out=io.BytesIO())
            writer.write()
            ws._rels = writer._rels
            info = self._archive.member(ws.path[1:])
            info.external_attr = _STAGED_FILE_ATTR
            self._archive.writestr(info, writer.read())
            self.manifest.append(ws)

    wb.properties.created = stamp
    wb.properties.modified = stamp
    buf = io.BytesIO()
    Writer(wb, _StampedZip(buf, stamp)).save()  # (save closes the archive)
    return buf.getvalue()


# the mode openpyxl's staged worksheet files gave their members (kept, so the
# package's bytes stay what they were)
_STAGED_FILE_ATTR = 0o100600 << 16


class _StampedZip(zipfile.ZipFile):
    """A zip being written whose members all carry one modification time."""

    def __init__(self, file: Any, stamp: datetime.datetime):
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._date_time = stamp.timetuple()[:6]

    def member(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16  # what ZipFile.writestr gives a member named by a string
        return info

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = self.member(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


def _write_atomic(dst: Path, write: Any) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    with replacing(dst) as temp:
        write(temp)


def _cells(ws: Any) -> dict[tuple[int, int], Any]:
    """The cells ``ws`` holds, by (row, column).  openpyxl has no public way
    to look a cell up without creating it (``ws.cell`` creates)."""
    return ws._cells


def _bof_offset(sh: Any) -> int | None:
    """Where the xlrd sheet ``sh``'s BOF record lies in the Workbook stream
    (what :func:`selfeval_xlsx.biff.scan` keys its sheets by).  xlrd reads it
    from BOUNDSHEET but keeps it private; None if a version has not."""
    return getattr(sh, "_position", None)


def _merge(ws: Any, min_row: int, min_col: int, max_row: int, max_col: int) -> None:
    """``ws.merge_cells(...)`` for a range none of whose cells exists yet.

    openpyxl's merge_cells then also "formats" the range: it copies the top
    left cell's borders to the edge cells and its protection to every cell;
    a new top left cell has neither, so that pass (a fifth of the
    conversion step of a form with many merges) changes nothing and is skipped.
    openpyxl has no public way to do this, hence its private ``_cells``;
    any other case takes the public call."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.merge import MergedCellRange

    cells = _cells(ws)
    coords = [(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]
    if any(key in cells for key in coords):
        ws.merge_cells(start_row=min_row, start_column=min_col, end_row=max_row, end_column=max_col)
        return
    ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
    ws.merged_cells.add(MergedCellRange(ws, ref))  # (creates the top left cell)
    for row, col in coords[1:]:
        cells[row, col] = MergedCell(ws, row, col)


class _Converter:
    def __init__(self, book: Any, scan: biff.Scan):
        from openpyxl import Workbook

        self.book = book
        self.scan = scan
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        if book.datemode == 1:
            from openpyxl.utils.datetime import CALENDAR_MAC_1904

            self.wb.epoch = CALENDAR_MAC_1904
        self.styles = CellStyles(book, self.wb)

    # ---- workbook ------------------------------------------------------
    def convert(self) -> Any:
        book = self.book
        sheet_infos = self._sheet_infos()
        active = 0
        for index, sh in enumerate(book.sheets()):
            ws = self.wb.create_sheet(title=sh.name)
            self._sheet(ws, sh, sheet_infos.get(index, {}))
            if getattr(sh, "sheet_visible", 0):
                active = index
        if not self.wb.worksheets:
            raise _not_biff("没有工作表", "no worksheets")
        xls_sheet.names(self.book, self.wb)
        visible = [i for i, ws in enumerate(self.wb.worksheets) if ws.sheet_state == "visible"]
        if visible and active not in visible:
            active = visible[0]
        self.wb.active = active
        for i, ws in enumerate(self.wb.worksheets):
            ws.sheet_view.tabSelected = i == active
        return self.wb

    def _sheet_infos(self) -> dict[int, dict[str, Any]]:
        """Scan info keyed by xlrd sheet index (worksheets in BOUNDSHEET order)."""
        offsets = sorted(self.scan.sheets)
        by_position: dict[int, dict[str, Any]] = {}
        for i, sh in enumerate(self.book.sheets()):
            pos = _bof_offset(sh)
            if pos in self.scan.sheets:
                by_position[i] = self.scan.sheets[pos]
        if len(by_position) == self.book.nsheets:
            return by_position
        return {i: self.scan.sheets[off] for i, off in enumerate(offsets[: self.book.nsheets])}

    def _sheet(self, ws: Any, sh: Any, info: dict[str, Any]) -> None:
        import xlrd
        from openpyxl.cell.cell import MergedCell
        from openpyxl.comments import Comment

        ws.sheet_state = {1: "hidden", 2: "veryHidden"}.get(sh.visibility, "visible")

        for rlo, rhi, clo, chi in sh.merged_cells:
            if rhi - rlo > 1 or chi - clo > 1:
                _merge(ws, rlo + 1, clo + 1, rhi, chi)

        cells = _cells(ws)
        rich = sh.rich_text_runlist_map
        for r in range(sh.nrows):
            types = sh.row_types(r)
            values = sh.row_values(r)
            for c in range(len(types)):
                ctype = types[c]
                xfx = sh.cell_xf_index(r, c)
                if ctype == xlrd.XL_CELL_EMPTY and xfx == 15:
                    continue
                key = (r + 1, c + 1)
                existing = cells.get(key)
                if isinstance(existing, MergedCell):
                    set_style(existing, self.styles.style_for(ws, xfx))
                    continue
                cell = ws.cell(row=r + 1, column=c + 1)
                value = self.styles.value(ctype, values[c])
                if ctype == xlrd.XL_CELL_TEXT and (r, c) in rich and value:
                    value = self.styles.rich_text(value, rich[(r, c)], xfx)
                if value is not None:
                    cell.value = value
                    if isinstance(value, str) and value.startswith("=") and len(value) > 1:
                        cell.data_type = "s"
                set_style(cell, self.styles.style_for(ws, xfx))

        xls_sheet.dimensions(ws, sh, self.book, self.styles.style_for)
        xls_sheet.view(ws, sh)
        xls_sheet.page(ws, sh, info)

        for (r, c), note in sh.cell_note_map.items():
            text = ILLEGAL_XML.sub("", note.text or "")
            comment = Comment(text, (note.author or "").strip())
            ws.cell(row=r + 1, column=c + 1).comment = comment

        for link in sh.hyperlink_list:
            target = link.url_or_path or ""
            location = link.textmark or None
            for r in range(link.frowx, link.lrowx + 1):
                for c in range(link.fcolx, link.lcolx + 1):
                    cell = ws.cell(row=r + 1, column=c + 1)
                    if isinstance(cell, MergedCell):
                        continue
                    if target:
                        cell.hyperlink = target + (f"#{location}" if location else "")
                    elif location:
                        cell.hyperlink = f"#{location}"
                        cell.hyperlink.location = location
                        cell.hyperlink.target = None
                    if link.quicktip and cell.hyperlink is not None:
                        cell.hyperlink.tooltip = link.quicktip

        for data in info.get("dv", []):
            dv = xls_sheet.validation(self.book, sh, data, self.scan.biff8)
            if dv is None:
                raise _refuse({"validation"})
            ws.add_data_validation(dv)

        if info.get("protect"):
            ws.protection.sheet = True
            if info.get("password"):
                ws.protection.set_password("%04X" % info["password"], already_hashed=True)
