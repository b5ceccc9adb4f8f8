"""Sheet settings of a legacy .xls carried into the openpyxl workbook
:mod:`selfeval_xlsx.xls` builds: column widths and row heights, the sheet
view, page setup and print options, data validations, and defined names
(print area and titles among them).

The cells and their styles are :mod:`selfeval_xlsx.xls_styles`' and
:mod:`selfeval_xlsx.xls`'s; what xlrd does not expose (page setup, margins,
header/footer, protection, DV records) comes from the BIFF scan
(:func:`selfeval_xlsx.biff.scan`).
"""

from __future__ import annotations

import re
import struct
from typing import Any, Callable

from selfeval_xlsx.xls_styles import ILLEGAL_XML, set_style

__all__ = ["dimensions", "view", "page", "validation", "names"]


def _sheet_of_ref3d(book: Any, ixti: int) -> int | None:
    """The sheet index a 3-D reference's EXTERNSHEET entry ``ixti`` points at,
    None when it is another workbook or a range of sheets.

    xlrd decodes EXTERNSHEET and SUPBOOK but keeps them in private attributes
    (there is no public accessor), so they are read here and only here.
    """
    info = book._externsheet_info[ixti]
    if book._supbook_types[info[0]] != 1 or info[1] != info[2]:
        return None
    sheetx = book._all_sheets_map[info[1]]
    return None if sheetx < 0 else sheetx


def dimensions(ws: Any, sh: Any, book: Any, style_for: Callable[[Any, int], Any]) -> None:
    """Default and per-column widths, row heights, hidden rows/columns, outline levels and
    column/row default styles (``style_for(ws, xf index)``)."""
    from openpyxl.utils import get_column_letter as letter

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
        if info.xf_index not in (15, -1, None) and info.xf_index < len(book.xf_list):
            set_style(dim, style_for(ws, info.xf_index))
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
        if info.has_default_xf_index and info.xf_index < len(book.xf_list):
            set_style(dim, style_for(ws, info.xf_index))
    if max_row_outline:
        fmt.outlineLevelRow = max_row_outline
    if max_col_outline:
        fmt.outlineLevelCol = max_col_outline


def view(ws: Any, sh: Any) -> None:
    """The sheet view: grid lines, zeros, zoom, frozen panes, first visible cell."""
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


def page(ws: Any, sh: Any, info: dict[str, Any]) -> None:
    """Page setup, margins, centring, printed grid lines, header/footer and manual
    page breaks; ``info`` is the sheet's :class:`selfeval_xlsx.biff.Scan` entry."""
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


def validation(book: Any, sh: Any, data: bytes, biff8: bool) -> Any:
    """A DV record as an openpyxl DataValidation, or None if not representable."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if not biff8:
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
            texts.append("" if text == "\x00" else ILLEGAL_XML.sub("", text))
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
    f1 = _dv_formula(book, sh, formulas[0], explicit and val_type == 3)
    f2 = _dv_formula(book, sh, formulas[1], False) if val_type not in (0, 3) else None
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


def _dv_formula(book: Any, sh: Any, rgce: bytes, explicit_list: bool) -> str | None:
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
            sheetx = _sheet_of_ref3d(book, ixti)
            if sheetx is None:
                return None
            prefix = quote_sheetname(book.sheet_names()[sheetx]) + "!"
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


def names(book: Any, wb: Any) -> None:
    """Workbook- and sheet-level names that refer to plain cell ranges; the built-in
    Print_Area and Print_Titles become the sheets' print area and titles."""
    import xlrd
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName

    worksheets = wb.worksheets

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
                wb.defined_names[name.name] = DefinedName(name.name, attr_text=text)
        except Exception:
            continue
