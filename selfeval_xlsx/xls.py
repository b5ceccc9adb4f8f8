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
"""

from __future__ import annotations

import datetime
import io
import re
import struct
import zipfile
from copy import copy
from pathlib import Path
from typing import Any

from selfeval_xlsx import biff
from selfeval_xlsx.atomic import replacing
from selfeval_xlsx.errors import SelfevalError

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
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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


# --------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------

def xls_to_xlsx(src: Path, dst: Path) -> None:
    """Write a faithful .xlsx copy of the .xls ``src`` to ``dst`` (atomically).

    Raises ``SelfevalError`` when the workbook holds content that cannot be
    carried over (see the module docstring); ``dst`` is then left untouched.
    """
    src, dst = Path(src), Path(dst)
    try:
        mem = src.read_bytes()
    except OSError as exc:
        raise SelfevalError(f"无法读取文件：{exc.strerror or exc}", f"cannot read the file: {exc.strerror or exc}") from exc

    if mem[:4] == b"PK\x03\x04":
        _copy_disguised_xlsx(mem, dst)
        return
    if mem[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
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
    _save_atomic(wb, dst, _stamp(src))


def _copy_disguised_xlsx(mem: bytes, dst: Path) -> None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(mem)).namelist())
    except zipfile.BadZipFile as exc:
        raise _not_biff("损坏的压缩包", "damaged zip package") from exc
    if "xl/workbook.xml" not in names:
        raise _not_biff("不是 Excel 工作簿", "not an Excel workbook")
    if "xl/vbaProject.bin" in names:
        raise _refuse({"macro"})
    _write_atomic(dst, lambda path: Path(path).write_bytes(mem))


def _stamp(src: Path) -> datetime.datetime:
    """The time written into the converted copy: the .xls file's own
    modification time, so converting the same file again gives the same
    bytes (openpyxl would write the current time)."""
    try:
        moment = datetime.datetime.fromtimestamp(src.stat().st_mtime, datetime.timezone.utc)
    except (OSError, OverflowError, ValueError):
        moment = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    return max(moment.replace(tzinfo=None, microsecond=0), datetime.datetime(1980, 1, 1))


def _save_atomic(wb: Any, dst: Path, stamp: datetime.datetime) -> None:
    data = _package(wb, stamp)
    _write_atomic(dst, lambda path: Path(path).write_bytes(data))


def _package(wb: Any, stamp: datetime.datetime) -> bytes:
    """The .xlsx package of ``wb``, written in one pass in memory: every
    member stamped with ``stamp`` (openpyxl would write the current time, and
    the same .xls must give the same bytes), worksheets not staged in
    temporary files."""
    from openpyxl.writer.excel import ExcelWriter
    from openpyxl.worksheet._writer import WorksheetWriter

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
            writer = WorksheetWriter(ws, out=io.BytesIO())
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
        self.wb._fonts = IndexedList([base])
        normal = self.wb._named_styles["Normal"]
        normal.font = base

    # ---- colours -------------------------------------------------------
    def colour(self, index: int | None) -> Any:
        from openpyxl.styles import Color

        if index is None:
            return None
        rgb = self.book.colour_map.get(index)
        if rgb is None:
            if index in (64, 65):  # system foreground / background
                return Color(indexed=index)
            return None
        return Color(rgb="FF%02X%02X%02X" % tuple(rgb))

    # ---- styles --------------------------------------------------------
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
            style = copy(cell._style)
        else:
            style = copy(cell._style)
            if 0 < xf.format_key < 164:
                style.numFmtId = xf.format_key  # locale built-in (CJK dates)
        self.style_cache[xf_index] = style
        return style

    # ---- values --------------------------------------------------------
    def value(self, ctype: int, value: Any) -> Any:
        import xlrd
        from openpyxl.utils.datetime import to_excel

        if ctype == xlrd.XL_CELL_TEXT:
            return _ILLEGAL_XML.sub("", value) or None
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
        self._names()
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
            pos = getattr(sh, "_position", None)
            if pos in self.scan.sheets:
                by_position[i] = self.scan.sheets[pos]
        if len(by_position) == self.book.nsheets:
            return by_position
        return {i: self.scan.sheets[off] for i, off in enumerate(offsets[: self.book.nsheets])}

    def _sheet(self, ws: Any, sh: Any, info: dict[str, Any]) -> None:
        import xlrd
        from openpyxl.cell.cell import MergedCell
        from openpyxl.comments import Comment
        from openpyxl.utils import get_column_letter

        ws.sheet_state = {1: "hidden", 2: "veryHidden"}.get(sh.visibility, "visible")

        for rlo, rhi, clo, chi in sh.merged_cells:
            if rhi - rlo > 1 or chi - clo > 1:
                ws.merge_cells(start_row=rlo + 1, start_column=clo + 1, end_row=rhi, end_column=chi)

        cells = ws._cells
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
                    existing._style = copy(self.style_for(ws, xfx))
                    continue
                cell = ws.cell(row=r + 1, column=c + 1)
                value = self.value(ctype, values[c])
                if ctype == xlrd.XL_CELL_TEXT and (r, c) in rich and value:
                    value = self.rich_text(value, rich[(r, c)], xfx)
                if value is not None:
                    cell.value = value
                    if isinstance(value, str) and value.startswith("=") and len(value) > 1:
                        cell.data_type = "s"
                cell._style = copy(self.style_for(ws, xfx))

        self._dimensions(ws, sh, get_column_letter)
        self._view(ws, sh)
        self._page(ws, sh, info)

        for (r, c), note in sh.cell_note_map.items():
            text = _ILLEGAL_XML.sub("", note.text or "")
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
            dv = self._validation(sh, data)
            if dv is None:
                raise _refuse({"validation"})
            ws.add_data_validation(dv)

        if info.get("protect"):
            ws.protection.sheet = True
            if info.get("password"):
                ws.protection.set_password("%04X" % info["password"], already_hashed=True)

    def _dimensions(self, ws: Any, sh: Any, letter: Any) -> None:
        fmt = ws.sheet_format
        # STANDARDWIDTH is already in 1/256 character units with padding;
        # DEFCOLWIDTH (8 when absent) counts characters only, so add the
        # cell padding (5 px at a 7 px digit) the way Excel does.
        defcol = sh.defcolwidth if sh.defcolwidth is not None else 8
        fmt.baseColWidth = defcol
        if sh.standardwidth:
            fmt.defaultColWidth = sh.standardwidth / 256
        else:
            fmt.defaultColWidth = round(defcol + 5 / 7, 2)
        if sh.default_row_height:
            fmt.defaultRowHeight = sh.default_row_height / 20
            fmt.customHeight = bool(sh.default_row_height_mismatch) or None
        if sh.default_row_hidden:
            fmt.zeroHeight = True
        max_col_outline = 0
        for c, info in sh.colinfo_map.items():
            dim = ws.column_dimensions[letter(c + 1)]
            dim.width = info.width / 256
            if info.hidden:
                dim.hidden = True
            if info.outline_level:
                dim.outlineLevel = info.outline_level
                max_col_outline = max(max_col_outline, info.outline_level)
            if info.collapsed:
                dim.collapsed = True
            if info.xf_index not in (15, -1, None) and info.xf_index < len(self.book.xf_list):
                dim._style = copy(self.style_for(ws, info.xf_index))
        max_row_outline = 0
        for r, info in sh.rowinfo_map.items():
            dim = ws.row_dimensions[r + 1]
            if info.height is not None and (info.height_mismatch or info.height != sh.default_row_height
                                            or not info.has_default_height):
                dim.height = info.height / 20
            if info.hidden:
                dim.hidden = True
            if info.outline_level:
                dim.outlineLevel = info.outline_level
                max_row_outline = max(max_row_outline, info.outline_level)
            if info.has_default_xf_index and info.xf_index < len(self.book.xf_list):
                dim._style = copy(self.style_for(ws, info.xf_index))
        if max_row_outline:
            fmt.outlineLevelRow = max_row_outline
        if max_col_outline:
            fmt.outlineLevelCol = max_col_outline

    def _view(self, ws: Any, sh: Any) -> None:
        from openpyxl.utils import get_column_letter

        view = ws.sheet_view
        view.showGridLines = bool(sh.show_grid_lines)
        if not sh.show_zero_values:
            view.showZeros = False
        if getattr(sh, "show_formulas", 0):
            view.showFormulas = True
        if not getattr(sh, "show_sheet_headers", 1):
            view.showRowColHeaders = False
        if getattr(sh, "columns_from_right_to_left", 0):
            view.rightToLeft = True
        if getattr(sh, "show_in_page_break_preview", 0):
            view.view = "pageBreakPreview"
        zoom = sh.scl_mag_factor or sh.cached_normal_view_mag_factor
        if getattr(sh, "show_in_page_break_preview", 0):
            zoom = sh.scl_mag_factor or sh.cached_page_break_preview_mag_factor
        if zoom and zoom != 100 and 10 <= zoom <= 400:
            view.zoomScale = zoom
        if sh.panes_are_frozen and (sh.horz_split_pos or sh.vert_split_pos):
            ws.freeze_panes = f"{get_column_letter(sh.vert_split_pos + 1)}{sh.horz_split_pos + 1}"
            first_row = max(sh.horz_split_first_visible or 0, sh.horz_split_pos)
            first_col = max(sh.vert_split_first_visible or 0, sh.vert_split_pos)
            view.pane.topLeftCell = f"{get_column_letter(first_col + 1)}{first_row + 1}"
        if sh.first_visible_rowx or sh.first_visible_colx:
            view.topLeftCell = f"{get_column_letter(sh.first_visible_colx + 1)}{sh.first_visible_rowx + 1}"

    def _page(self, ws: Any, sh: Any, info: dict[str, Any]) -> None:
        from xml.etree.ElementTree import Element

        from openpyxl.worksheet.header_footer import HeaderFooterItem
        from openpyxl.worksheet.pagebreak import Break

        setup = info.get("setup")
        ps = ws.page_setup
        if setup:
            grbit = setup["grbit"]
            if not grbit & 0x04:  # fNoPls: printer settings valid
                if setup["paper"]:
                    ps.paperSize = setup["paper"]
                if not grbit & 0x40:  # fNoOrient
                    ps.orientation = "portrait" if grbit & 0x02 else "landscape"
                if setup["scale"] and setup["scale"] != 100 and 10 <= setup["scale"] <= 400:
                    ps.scale = setup["scale"]
            if grbit & 0x80 and setup["start"]:  # fUsePage
                ps.firstPageNumber = setup["start"] if setup["start"] < 32768 else setup["start"] - 65536
                ps.useFirstPageNumber = True
            if grbit & 0x01:
                ps.pageOrder = "overThenDown"
            if grbit & 0x08:
                ps.blackAndWhite = True
            if info.get("fit_to_page"):
                ps.fitToWidth = setup["fit_w"]
                ps.fitToHeight = setup["fit_h"]
            ws.page_margins.header = setup["header"]
            ws.page_margins.footer = setup["footer"]
        if info.get("fit_to_page"):
            ws.sheet_properties.pageSetUpPr.fitToPage = True
        for side, inches in info.get("margins", {}).items():
            setattr(ws.page_margins, side, inches)
        if info.get("hcenter"):
            ws.print_options.horizontalCentered = True
        if info.get("vcenter"):
            ws.print_options.verticalCentered = True
        if info.get("gridlines"):
            ws.print_options.gridLines = True
        for key, attr in (("header", "oddHeader"), ("footer", "oddFooter")):
            text = info.get(key)
            if not text:
                continue
            if not text.startswith(("&L", "&C", "&R")):
                text = "&C" + text
            node = Element(key)
            node.text = text
            try:
                item = HeaderFooterItem.from_tree(node)
            except Exception:  # unusual codes: keep the text as the centre part
                item = None
            if item is not None:
                setattr(ws.HeaderFooter, attr, item)
        for index, _start, _end in sh.horizontal_page_breaks:
            if index:
                ws.row_breaks.append(Break(id=index))
        for index, _start, _end in sh.vertical_page_breaks:
            if index:
                ws.col_breaks.append(Break(id=index))

    # ---- data validation ----------------------------------------------
    def _validation(self, sh: Any, data: bytes) -> Any:
        """A DV record as an openpyxl DataValidation, or None if not representable."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        if not self.scan.biff8:
            return None
        try:
            (flags,) = struct.unpack_from("<I", data, 0)
            pos = 4
            texts = []
            for _ in range(4):
                cch, high = struct.unpack_from("<HB", data, pos)
                width = 2 if high & 0x01 else 1
                raw = data[pos + 3:pos + 3 + cch * width]
                text = raw.decode("utf-16-le" if width == 2 else "latin-1")
                texts.append("" if text == "\x00" else _ILLEGAL_XML.sub("", text))
                pos += 3 + cch * width
            formulas = []
            for _ in range(2):
                (cce,) = struct.unpack_from("<H", data, pos)
                rgce = data[pos + 4:pos + 4 + cce]
                pos += 4 + cce
                formulas.append(rgce)
            (count,) = struct.unpack_from("<H", data, pos)
            pos += 2
            ranges = []
            for _ in range(count):
                r1, r2, c1, c2 = struct.unpack_from("<4H", data, pos)
                pos += 8
                ref = f"{get_column_letter(c1 + 1)}{r1 + 1}"
                if (r1, c1) != (r2, c2):
                    ref += f":{get_column_letter(c2 + 1)}{r2 + 1}"
                ranges.append(ref)
        except (struct.error, UnicodeDecodeError, ValueError):
            return None
        val_type = flags & 0x0F
        kinds = {0: None, 1: "whole", 2: "decimal", 3: "list", 4: "date", 5: "time", 6: "textLength"}
        if val_type not in kinds or not ranges:
            return None
        explicit = bool(flags & 0x80)
        f1 = self._dv_formula(sh, formulas[0], explicit and val_type == 3)
        f2 = self._dv_formula(sh, formulas[1], False) if val_type not in (0, 3) else None
        if val_type and f1 is None:
            return None
        operator = ["between", "notBetween", "equal", "notEqual", "greaterThan", "lessThan",
                    "greaterThanOrEqual", "lessThanOrEqual"][(flags >> 20) & 0x0F & 7]
        if val_type not in (0, 3) and operator in ("between", "notBetween") and f2 is None:
            return None
        return DataValidation(
            type=kinds[val_type],
            operator=operator if val_type not in (0, 3) else None,
            formula1=f1 if val_type else None,
            formula2=f2 if val_type not in (0, 3) and operator in ("between", "notBetween") else None,
            allow_blank=bool(flags & 0x100),
            showDropDown=bool(flags & 0x200) or None,
            showInputMessage=bool(flags & 0x40000),
            showErrorMessage=bool(flags & 0x80000),
            errorStyle={0: None, 1: "warning", 2: "information"}.get((flags >> 4) & 0x07),
            promptTitle=texts[0] or None,
            errorTitle=texts[1] or None,
            prompt=texts[2] or None,
            error=texts[3] or None,
            sqref=" ".join(ranges),
        )

    def _dv_formula(self, sh: Any, rgce: bytes, explicit_list: bool) -> str | None:
        """Decode the few single-token formulas a validation uses; None otherwise."""
        from openpyxl.utils import get_column_letter, quote_sheetname

        if not rgce:
            return None
        ptg = rgce[0]
        base = ptg & 0x1F if ptg >= 0x20 else ptg
        try:
            if ptg == 0x17:  # ptgStr
                cch, high = rgce[1], rgce[2]
                width = 2 if high & 0x01 else 1
                if len(rgce) != 3 + cch * width:
                    return None
                text = rgce[3:3 + cch * width].decode("utf-16-le" if width == 2 else "latin-1")
                if explicit_list:
                    items = text.split("\x00")
                    if any("," in item or '"' in item for item in items):
                        return None
                    return '"' + ",".join(items) + '"'
                return '"' + text.replace('"', '""') + '"'
            if ptg == 0x1E and len(rgce) == 3:  # ptgInt
                return str(struct.unpack_from("<H", rgce, 1)[0])
            if ptg == 0x1F and len(rgce) == 9:  # ptgNum
                number = struct.unpack_from("<d", rgce, 1)[0]
                return repr(int(number)) if number.is_integer() else repr(number)
            if ptg < 0x20:
                return None
            prefix = ""
            body = rgce[1:]
            if base in (0x1A, 0x1B):  # ptgRef3d / ptgArea3d
                (ixti,) = struct.unpack_from("<H", body, 0)
                info = self.book._externsheet_info[ixti]
                if self.book._supbook_types[info[0]] != 1 or info[1] != info[2]:
                    return None
                sheetx = self.book._all_sheets_map[info[1]]
                if sheetx < 0:
                    return None
                prefix = quote_sheetname(self.book.sheet_names()[sheetx]) + "!"
                body = body[2:]
                base -= 0x16  # 0x1A -> 0x04 (ref), 0x1B -> 0x05 (area)
            if base == 0x04 and len(body) == 4:
                rw, col = struct.unpack_from("<HH", body, 0)
                cells = [(rw, col)]
            elif base == 0x05 and len(body) == 8:
                r1, r2, c1, c2 = struct.unpack_from("<4H", body, 0)
                cells = [(r1, c1), (r2, c2)]
            else:
                return None
            parts = []
            for rw, col in cells:
                if col & 0xC000:  # relative reference: position-dependent, not carried
                    return None
                parts.append(f"${get_column_letter((col & 0xFF) + 1)}${rw + 1}")
            return prefix + ":".join(parts)
        except (struct.error, IndexError, KeyError, UnicodeDecodeError):
            return None

    def _names(self) -> None:
        import xlrd
        from openpyxl.utils import get_column_letter, quote_sheetname
        from openpyxl.workbook.defined_name import DefinedName

        book = self.book
        worksheets = self.wb.worksheets

        def area(ref: Any) -> tuple[int, str] | None:
            shx, shx_hi, rlo, rhi, clo, chi = ref.coords
            if shx < 0 or shx >= len(worksheets) or shx_hi != shx + 1 or rhi <= rlo or chi <= clo:
                return None
            title = quote_sheetname(worksheets[shx].title)
            full_rows = rlo == 0 and rhi >= 65536
            full_cols = clo == 0 and chi >= 256
            if full_cols and not full_rows:
                return shx, f"{title}!${rlo + 1}:${rhi}"
            if full_rows and not full_cols:
                return shx, f"{title}!${get_column_letter(clo + 1)}:${get_column_letter(chi)}"
            return shx, (f"{title}!${get_column_letter(clo + 1)}${rlo + 1}:"
                         f"${get_column_letter(chi)}${rhi}")

        for name in book.name_obj_list:
            result = getattr(name, "result", None)
            if result is None or result.kind not in (xlrd.oREF, xlrd.oREL) or not result.value:
                continue
            refs = [area(ref) for ref in result.value]
            if any(r is None for r in refs):
                continue
            sheets = {r[0] for r in refs}
            if name.builtin:
                if len(sheets) != 1:
                    continue
                ws = worksheets[sheets.pop()]
                if name.name == "Print_Area":
                    ws.print_area = [text.split("!", 1)[1] for _, text in refs]
                elif name.name == "Print_Titles":
                    for _, text in refs:
                        part = text.split("!", 1)[1]
                        if part.replace("$", "").replace(":", "").isdigit():
                            ws.print_title_rows = part.replace("$", "")
                        elif part.replace("$", "").replace(":", "").isalpha():
                            ws.print_title_cols = part.replace("$", "")
                continue
            if not re.fullmatch(r"[A-Za-z_\\\u4e00-\u9fff][\w.\u4e00-\u9fff]*", name.name or ""):
                continue
            text = ",".join(t for _, t in refs)
            try:
                if name.scope >= 0 and name.scope < len(worksheets):
                    worksheets[name.scope].defined_names[name.name] = DefinedName(name.name, attr_text=text)
                elif name.scope == -1:
                    self.wb.defined_names[name.name] = DefinedName(name.name, attr_text=text)
            except Exception:
                continue
