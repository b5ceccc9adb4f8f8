"""Convert a legacy .xls workbook (BIFF5/BIFF8) into a faithful .xlsx copy.

``xls_to_xlsx(src, dst)`` is used by ``selfeval fill`` on .xls input: the
workbook is converted first, then cells are patched in the .xlsx (same sheet
names, same cell references).

What is carried over, for every worksheet in the same order:

* every cell value with its type: numbers, text (rich-text runs too), dates
  and times (serials under their date format, honouring the 1900/1904 date mode), booleans,
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
styles and cell values are :mod:`selfeval_xlsx.xls_styles`' (styles.xml);
widths and heights, the sheet view, page setup, validations and names are
:mod:`selfeval_xlsx.xls_sheet`'s; the package around the worksheets
(content types, relationships, workbook.xml, docProps, comments) is
:mod:`selfeval_xlsx.xls_package`'s.  This module reads the workbook with
xlrd and writes each worksheet's XML (cells, merges, protection, links)
directly as text: no openpyxl objects, so converting costs little and a
worker never loads openpyxl for it.  The package is stamped with the .xls
file's own time, so the same file gives the same bytes.
"""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from pathlib import Path
from typing import Any

from selfeval_xlsx import biff, xls_package, xls_sheet
from selfeval_xlsx.atomic import replacing
from selfeval_xlsx.cellref import col_letters, range_ref, ref
from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.ooxml.xmltext import esc_attr
from selfeval_xlsx.xls_styles import ILLEGAL_XML, CellStyles, number, text_xml

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
        return _Converter(book, scan, _stamp(src)).convert()
    except (IndexError, KeyError, ValueError, TypeError, AttributeError, ArithmeticError, struct.error,
            UnicodeError) as exc:  # records that point nowhere: a damaged file, one line
        raise SelfevalError(
            f"该 .xls 文件已损坏，无法转换（{type(exc).__name__}），{_SAVE_AS_ZH}",
            f"this .xls file is damaged and cannot be converted ({type(exc).__name__}); {_SAVE_AS_EN}",
        ) from None


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
    bytes."""
    try:
        moment = datetime.datetime.fromtimestamp(src.stat().st_mtime, datetime.timezone.utc)
    except (OSError, OverflowError, ValueError):
        moment = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    return max(moment.replace(tzinfo=None, microsecond=0), datetime.datetime(1980, 1, 1))


def _write_atomic(dst: Path, write: Any) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    with replacing(dst) as temp:
        write(temp)




def _bof_offset(sh: Any) -> int | None:
    """Where the xlrd sheet ``sh``'s BOF record lies in the Workbook stream
    (what :func:`selfeval_xlsx.biff.scan` keys its sheets by).  xlrd reads it
    from BOUNDSHEET but keeps it private; None if a version has not."""
    return getattr(sh, "_position", None)


_STATES = {1: "hidden", 2: "veryHidden"}

# sheet protection as the copies have always carried it: the sheet locked,
# everything else Excel's defaults
_PROTECTION = ('<sheetProtection selectLockedCells="0" selectUnlockedCells="0" sheet="1" objects="0" '
               'insertRows="1" insertHyperlinks="1" autoFilter="1" scenarios="0" formatColumns="1" '
               'deleteColumns="1" insertColumns="1" pivotTables="1" deleteRows="1" formatCells="1" '
               'formatRows="1" sort="1"')


class _Converter:
    """One xlrd ``book`` (with its BIFF ``scan``) into the package's bytes."""

    def __init__(self, book: Any, scan: biff.Scan, stamp: datetime.datetime):
        self.book = book
        self.scan = scan
        self.stamp = stamp  # the time every part and member carries
        self.styles = CellStyles(book)

    def convert(self) -> bytes:
        """The package's bytes."""
        book = self.book
        sheet_infos = self._sheet_infos()
        sheets = book.sheets()
        if not sheets:
            raise _not_biff("没有工作表", "no worksheets")
        states = [_STATES.get(sh.visibility, "visible") for sh in sheets]
        active = 0
        for index, sh in enumerate(sheets):
            if getattr(sh, "sheet_visible", 0):
                active = index
        visible = [i for i, state in enumerate(states) if state == "visible"]
        if not visible:
            raise ValueError("no visible worksheet")  # Excel cannot open such a workbook
        if active not in visible:
            active = visible[0]
        parts = [self._sheet(sh, states[i], sheet_infos.get(i, {}), i == active) for i, sh in enumerate(sheets)]
        names = xls_sheet.names(book, [sh.name for sh in sheets])
        return xls_package.package(parts, self.styles.render(), names, active, book.datemode == 1, self.stamp)

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

    def _sheet(self, sh: Any, state: str, info: dict[str, Any], selected: bool) -> xls_package.Sheet:
        styles = self.styles

        # every cell of the copy: (row, col), 1-based -> (style id, the rest of
        # its <c> after the style: "" for a cell without a value, which is
        # written only when it has a style or a comment)
        cells: dict[tuple[int, int], tuple[int, str]] = {}
        merges = []
        covered: set[tuple[int, int]] = set()  # cells inside a merge, but its top left one
        for rlo, rhi, clo, chi in sh.merged_cells:
            if rhi - rlo > 1 or chi - clo > 1:
                merges.append(range_ref(rlo, clo, rhi - 1, chi - 1))
                for r in range(rlo + 1, rhi + 1):
                    for c in range(clo + 1, chi + 1):
                        cells.setdefault((r, c), _NO_VALUE)
                        covered.add((r, c))
                covered.discard((rlo + 1, clo + 1))

        # The hot loop of the conversion (every cell of every .xls a batch
        # fills): plain text and numbers are written inline, the rarer kinds
        # through CellStyles.value; style ids are memoised per XF here.
        rich = sh.rich_text_runlist_map
        value_of = styles.value
        ids: dict[int, int] = {}
        for r in range(sh.nrows):
            types = sh.row_types(r)
            values = sh.row_values(r)
            for c in range(len(types)):
                ctype = types[c]
                xfx = sh.cell_xf_index(r, c)
                if ctype == 0 and xfx == 15:  # xlrd.XL_CELL_EMPTY in the default style
                    continue
                style = ids.get(xfx)
                if style is None:
                    style = ids[xfx] = styles.xf_id(xfx)
                key = (r + 1, c + 1)
                if key in covered:  # a merged cell keeps its style, never a value
                    cells[key] = (style, "")
                    continue
                value = values[c]
                if ctype == 2:  # XL_CELL_NUMBER
                    tail = f"><v>{number(value)}</v></c>" if value - value == 0 else ""  # (not inf/nan)
                elif ctype == 1:  # XL_CELL_TEXT
                    if not value.isprintable():
                        value = ILLEGAL_XML.sub("", value)
                    if not value:
                        tail = ""
                    elif (r, c) in rich:
                        tail = f' t="inlineStr">{styles.rich_text(value, rich[(r, c)], xfx)}</c>'
                    else:
                        tail = f' t="inlineStr"><is>{text_xml(value)}</is></c>'
                else:
                    kind_inner = value_of(ctype, value)
                    tail = f"{kind_inner[0]}>{kind_inner[1]}</c>" if kind_inner else ""
                cells[key] = (style, tail)

        sheet_format, cols, row_attrs = xls_sheet.dimensions(sh, self.book, styles.xf_id)
        fit_to_page, page = xls_sheet.page(sh, info)

        comments = []
        for (r, c), note in sorted(sh.cell_note_map.items()):
            text = ILLEGAL_XML.sub("", note.text or "")
            comments.append((ref(r, c), (note.author or "").strip(), text))
            cells.setdefault((r + 1, c + 1), _NO_VALUE)

        links: list[str] = []
        hyperlinks: dict[tuple[int, int], str] = {}
        for link in sh.hyperlink_list:
            target = link.url_or_path or ""
            location = link.textmark or None
            for r in range(link.frowx + 1, link.lrowx + 2):
                for c in range(link.fcolx + 1, link.lcolx + 2):
                    if (r, c) in covered:
                        continue
                    if target:
                        shown = target + (f"#{location}" if location else "")
                        links.append(shown)
                        attrs = f' r:id="rId{len(links)}"'
                    elif location:
                        shown = f"#{location}"
                        attrs = f' location="{esc_attr(location)}"'
                    else:
                        continue
                    style, tail = cells.get((r, c), _NO_VALUE)
                    if not tail:  # a link on an empty cell shows its target
                        cells[r, c] = (style, f' t="inlineStr"><is>{text_xml(shown)}</is></c>')
                    if link.quicktip:
                        attrs += f' tooltip="{esc_attr(link.quicktip)}"'
                    hyperlinks[(r, c)] = f'<hyperlink ref="{ref(r - 1, c - 1)}"{attrs} />'

        validations = []
        for data in info.get("dv", []):
            dv = xls_sheet.validation(self.book, sh, data, self.scan.biff8)
            if dv is None:
                raise _refuse({"validation"})
            validations.append(dv)

        keys = sorted(cells)
        out = [
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheetPr><outlinePr summaryBelow="1" summaryRight="1" />'
            + ('<pageSetUpPr fitToPage="1" />' if fit_to_page else "<pageSetUpPr />") + "</sheetPr>",
            f'<dimension ref="{_dimension(keys)}" />',
            xls_sheet.view(sh, selected), sheet_format, cols, "<sheetData>",
        ]
        noted = {(r + 1, c + 1) for r, c in sh.cell_note_map}
        i, n = 0, len(keys)
        for r in sorted({r for r, _ in keys}.union(row_attrs)):
            out.append(f'<row r="{r}"{row_attrs.get(r, "")}>')
            while i < n and keys[i][0] == r:
                c = keys[i][1]
                i += 1
                style, tail = cells[r, c]
                if tail:
                    s = f' s="{style}"' if style else ""
                    out.append(f'<c r="{col_letters(c - 1)}{r}"{s}{tail}')
                elif style:
                    out.append(f'<c r="{col_letters(c - 1)}{r}" s="{style}" />')
                elif (r, c) in noted:
                    out.append(f'<c r="{col_letters(c - 1)}{r}" />')
            out.append("</row>")
        out.append("</sheetData>")
        if info.get("protect"):
            password = info.get("password")
            out.append(_PROTECTION + (' password="%04X"' % password if password else "") + " />")
        if merges:
            out.append(f'<mergeCells count="{len(merges)}">'
                       + "".join(f'<mergeCell ref="{m}" />' for m in merges) + "</mergeCells>")
        if validations:
            out.append(f'<dataValidations count="{len(validations)}">' + "".join(validations) + "</dataValidations>")
        if hyperlinks:
            out.append("<hyperlinks>" + "".join(hyperlinks[k] for k in sorted(hyperlinks)) + "</hyperlinks>")
        out.append(page)
        if comments:
            out.append(f'<legacyDrawing r:id="{xls_package.legacy_drawing_id(links)}" />')
        out.append("</worksheet>")
        return xls_package.Sheet(sh.name, state, "".join(out).encode("utf-8"), links, comments)


_NO_VALUE = (0, "")


def _dimension(keys: list[tuple[int, int]]) -> str:
    """The range the sheet's cells (sorted 1-based keys) span ("A1:A1" for none)."""
    if not keys:
        return "A1:A1"
    cols = [c for _, c in keys]
    return range_ref(keys[0][0] - 1, min(cols) - 1, keys[-1][0] - 1, max(cols) - 1)
