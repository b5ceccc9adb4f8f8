"""Sheet settings of a legacy .xls as worksheet XML of the converted package:
column widths and row heights, the sheet view, page setup and print
options, data validations, and defined names (print area and titles among
them).

Each function returns the XML of one or a few worksheet elements, written
the way openpyxl wrote them when the conversion went through it; the cells
and their styles are :mod:`selfeval_xlsx.xls_styles`' and
:mod:`selfeval_xlsx.xls`'s.  What xlrd does not expose (page setup, margins,
header/footer, protection, DV records) comes from the BIFF scan
(:func:`selfeval_xlsx.biff.scan`).
"""

from __future__ import annotations

import re
import struct
from typing import Any, Callable

from selfeval_xlsx.cellref import col_letters
from selfeval_xlsx.ooxml.xmltext import esc_attr, esc_text
from selfeval_xlsx.xls_styles import ILLEGAL_XML, number

__all__ = ["dimensions", "view", "page", "validation", "names", "quote_sheet"]


def quote_sheet(title: str) -> str:
    """A sheet name as it precedes ``!`` in a reference: always quoted."""
    return "'" + title.replace("'", "''") + "'"


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


def dimensions(sh: Any, book: Any, xf_id: Callable[[int], int]) -> tuple[str, str, dict[int, str]]:
    """``(<sheetFormatPr>, <cols>, {1-based row: attributes of its <row>})``:
    default and per-column widths, row heights, hidden rows/columns, outline
    levels and column/row default styles (``xf_id(xf index)``)."""
    # STANDARDWIDTH is already in 1/256 character units with padding;
    # DEFCOLWIDTH (8 when absent) counts characters only, so add the
    # cell padding (5 px at a 7 px digit) the way Excel does.
    defcol = sh.defcolwidth if sh.defcolwidth is not None else 8
    fmt = f'<sheetFormatPr baseColWidth="{number(defcol)}"'
    if sh.standardwidth:
        fmt += f' defaultColWidth="{number(sh.standardwidth / 256)}"'
    else:
        fmt += f' defaultColWidth="{number(round(defcol + 5 / 7, 2))}"'
    default_height = sh.default_row_height / 20 if sh.default_row_height else 15
    fmt += f' defaultRowHeight="{number(default_height)}"'
    if sh.default_row_height and sh.default_row_height_mismatch:
        fmt += ' customHeight="1"'
    if sh.default_row_hidden:
        fmt += ' zeroHeight="1"'

    cols = []
    max_col_outline = 0
    for c in sorted(sh.colinfo_map):
        info = sh.colinfo_map[c]
        attrs = ""
        if info.hidden:
            attrs += ' hidden="1"'
        if info.outline_level:
            attrs += f' outlineLevel="{info.outline_level}"'
            max_col_outline = max(max_col_outline, info.outline_level)
        if info.collapsed:
            attrs += ' collapsed="1"'
        if info.width:
            attrs += f' width="{number(info.width / 256)}" customWidth="1"'
        if info.xf_index not in (15, -1, None) and info.xf_index < len(book.xf_list):
            style = xf_id(info.xf_index)
            if style:
                attrs += f' style="{style}"'
        if attrs:
            cols.append(f'<col{attrs} min="{c + 1}" max="{c + 1}" />')

    rows: dict[int, str] = {}
    max_row_outline = 0
    for r, info in sh.rowinfo_map.items():
        attrs = ""
        if info.hidden:
            attrs += ' hidden="1"'
        if info.outline_level:
            attrs += f' outlineLevel="{info.outline_level}"'
            max_row_outline = max(max_row_outline, info.outline_level)
        if info.height is not None and (info.height_mismatch or info.height != sh.default_row_height
                                        or not info.has_default_height):
            attrs += f' ht="{number(info.height / 20)}" customHeight="1"'
        if info.has_default_xf_index and info.xf_index < len(book.xf_list):
            style = xf_id(info.xf_index)
            if style:
                attrs += f' customFormat="1" s="{style}"'
        rows[r + 1] = attrs
    if max_row_outline:
        fmt += f' outlineLevelRow="{max_row_outline}"'
    if max_col_outline:
        fmt += f' outlineLevelCol="{max_col_outline}"'
    return fmt + " />", ("<cols>" + "".join(cols) + "</cols>") if cols else "", rows


def view(sh: Any, selected: bool) -> str:
    """The ``<sheetViews>``: grid lines, zeros, zoom, frozen panes, first visible cell."""
    attrs = ""
    if getattr(sh, "show_formulas", 0):
        attrs += ' showFormulas="1"'
    attrs += f' showGridLines="{1 if sh.show_grid_lines else 0}"'
    if not getattr(sh, "show_sheet_headers", 1):
        attrs += ' showRowColHeaders="0"'
    if not sh.show_zero_values:
        attrs += ' showZeros="0"'
    if getattr(sh, "columns_from_right_to_left", 0):
        attrs += ' rightToLeft="1"'
    attrs += f' tabSelected="{1 if selected else 0}"'
    page_break = getattr(sh, "show_in_page_break_preview", 0)
    if page_break:
        attrs += ' view="pageBreakPreview"'
    if sh.first_visible_rowx or sh.first_visible_colx:
        attrs += f' topLeftCell="{col_letters(sh.first_visible_colx)}{sh.first_visible_rowx + 1}"'
    zoom = sh.scl_mag_factor or sh.cached_normal_view_mag_factor
    if page_break:
        zoom = sh.scl_mag_factor or sh.cached_page_break_preview_mag_factor
    if zoom and zoom != 100 and 10 <= zoom <= 400:
        attrs += f' zoomScale="{zoom}"'
    selection = '<selection activeCell="A1" sqref="A1" />'
    pane = ""
    if sh.panes_are_frozen and (sh.horz_split_pos or sh.vert_split_pos):
        # what openpyxl's freeze_panes gave, then the first visible cell
        # below/right of the split as the pane's top left cell
        row, col = sh.horz_split_pos, sh.vert_split_pos
        first_row = max(sh.horz_split_first_visible or 0, row)
        first_col = max(sh.vert_split_first_visible or 0, col)
        active = "bottomRight" if row and col else "bottomLeft" if row else "topRight"
        pane = ("<pane" + (f' xSplit="{col}"' if col else "") + (f' ySplit="{row}"' if row else "")
                + f' topLeftCell="{col_letters(first_col)}{first_row + 1}" activePane="{active}" state="frozen" />')
        selection = f'<selection pane="{active}" activeCell="A1" sqref="A1" />'
        if row and col:
            selection = '<selection pane="topRight" /><selection pane="bottomLeft" />' + selection
    return f'<sheetViews><sheetView{attrs} workbookViewId="0">{pane}{selection}</sheetView></sheetViews>'


def page(sh: Any, info: dict[str, Any]) -> tuple[bool, str]:
    """``(fit to page, XML)``: the page setup, margins, centring, printed
    grid lines, header/footer and manual page breaks (in schema order);
    ``info`` is the sheet's :class:`selfeval_xlsx.biff.Scan` entry."""
    setup = info.get("setup")
    fit = bool(info.get("fit_to_page"))
    ps: dict[str, Any] = {}
    margins: dict[str, float] = {"left": 0.75, "right": 0.75, "top": 1, "bottom": 1, "header": 0.5, "footer": 0.5}
    if setup:
        grbit = setup["grbit"]
        if not grbit & 0x04:  # fNoPls: printer settings valid
            if not grbit & 0x40:  # fNoOrient
                ps["orientation"] = "portrait" if grbit & 0x02 else "landscape"
            if setup["paper"]:
                ps["paperSize"] = setup["paper"]
            if setup["scale"] and setup["scale"] != 100 and 10 <= setup["scale"] <= 400:
                ps["scale"] = setup["scale"]
        if fit:
            ps["fitToHeight"] = setup["fit_h"]
            ps["fitToWidth"] = setup["fit_w"]
        if grbit & 0x80 and setup["start"]:  # fUsePage
            ps["firstPageNumber"] = setup["start"] if setup["start"] < 32768 else setup["start"] - 65536
            ps["useFirstPageNumber"] = 1
        if grbit & 0x01:
            ps["pageOrder"] = "overThenDown"
        if grbit & 0x08:
            ps["blackAndWhite"] = 1
        margins["header"] = setup["header"]
        margins["footer"] = setup["footer"]
    margins.update(info.get("margins", {}))

    out = ""
    options = ""
    if info.get("hcenter"):
        options += ' horizontalCentered="1"'
    if info.get("vcenter"):
        options += ' verticalCentered="1"'
    if info.get("gridlines"):
        options += ' gridLines="1"'
    if options:
        out += f"<printOptions{options} />"
    out += "<pageMargins" + "".join(f' {k}="{number(margins[k])}"' for k in
                                    ("left", "right", "top", "bottom", "header", "footer")) + " />"
    if ps:
        out += "<pageSetup" + "".join(f' {k}="{v}"' for k, v in ps.items()) + " />"
    parts = ""
    for key, tag in (("header", "oddHeader"), ("footer", "oddFooter")):
        text = info.get(key)
        if text:
            if not text.startswith(("&L", "&C", "&R")):
                text = "&C" + text
            parts += f"<{tag}>{esc_text(text)}</{tag}>"
    if parts:
        out += f"<headerFooter>{parts}</headerFooter>"
    for tag, breaks, limit in (("rowBreaks", sh.horizontal_page_breaks, 16383),
                               ("colBreaks", sh.vertical_page_breaks, 1048575)):
        ids = [index for index, _start, _end in breaks if index]
        if ids:
            out += (f'<{tag} count="{len(ids)}" manualBreakCount="{len(ids)}">'
                    + "".join(f'<brk id="{i}" max="{limit}" man="1" />' for i in ids) + f"</{tag}>")
    return fit, out


def validation(book: Any, sh: Any, data: bytes, biff8: bool) -> str | None:
    """A DV record as a ``<dataValidation>``, or None if not representable."""
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
            ref = f"{col_letters(c1)}{r1 + 1}"
            if (r1, c1) != (r2, c2):
                ref += f":{col_letters(c2)}{r2 + 1}"
            ranges.append(ref)
    except (struct.error, UnicodeDecodeError, ValueError):
        return None
    val_type = flags & 0x0F
    kinds = {0: None, 1: "whole", 2: "decimal", 3: "list", 4: "date", 5: "time", 6: "textLength"}
    if val_type not in kinds or not ranges:
        return None
    explicit = bool(flags & 0x80)
    f1 = _dv_formula(book, formulas[0], explicit and val_type == 3)
    f2 = _dv_formula(book, formulas[1], False) if val_type not in (0, 3) else None
    if val_type and f1 is None:
        return None
    operator = ["between", "notBetween", "equal", "notEqual", "greaterThan", "lessThan",
                "greaterThanOrEqual", "lessThanOrEqual"][(flags >> 20) & 0x0F & 7]
    ranged = val_type not in (0, 3) and operator in ("between", "notBetween")
    if ranged and f2 is None:
        return None
    error_style = {0: None, 1: "warning", 2: "information"}.get((flags >> 4) & 0x07)
    attrs = [
        ("type", kinds[val_type]),
        ("errorStyle", error_style),
        ("operator", operator if val_type not in (0, 3) else None),
        ("allowBlank", "1" if flags & 0x100 else "0"),
        ("showDropDown", "1" if flags & 0x200 else None),
        ("showInputMessage", "1" if flags & 0x40000 else "0"),
        ("showErrorMessage", "1" if flags & 0x80000 else "0"),
        ("errorTitle", texts[1] or None),
        ("error", texts[3] or None),
        ("promptTitle", texts[0] or None),
        ("prompt", texts[2] or None),
        ("sqref", " ".join(ranges)),
    ]
    head = "<dataValidation" + "".join(f' {k}="{esc_attr(v)}"' for k, v in attrs if v is not None) + ">"
    body = ""
    if val_type:
        body += f"<formula1>{esc_text(f1 or '')}</formula1>"
    if ranged:
        body += f"<formula2>{esc_text(f2 or '')}</formula2>"
    return head + body + "</dataValidation>"


def _dv_formula(book: Any, rgce: bytes, explicit_list: bool) -> str | None:
    """Decode the few single-token formulas a validation uses; None otherwise."""
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
            value = struct.unpack_from("<d", rgce, 1)[0]
            return repr(int(value)) if value.is_integer() else repr(value)
        if ptg < 0x20:
            return None
        prefix = ""
        body = rgce[1:]
        if base in (0x1A, 0x1B):  # ptgRef3d / ptgArea3d
            (ixti,) = struct.unpack_from("<H", body, 0)
            sheetx = _sheet_of_ref3d(book, ixti)
            if sheetx is None:
                return None
            prefix = quote_sheet(book.sheet_names()[sheetx]) + "!"
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
            parts.append(f"${col_letters(col & 0xFF)}${rw + 1}")
        return prefix + ":".join(parts)
    except (struct.error, IndexError, KeyError, UnicodeDecodeError):
        return None


_NAME = r"[A-Za-z_\\\u4e00-\u9fff][\w.\u4e00-\u9fff]*"


def names(book: Any, titles: list[str]) -> list[tuple[str, int | None, str]]:
    """``(name, sheet index or None, reference)`` of the workbook- and
    sheet-level names that refer to plain cell ranges, in the order they
    go into workbook.xml; the built-in Print_Area and Print_Titles become
    ``_xlnm.`` names of their sheet.  ``titles`` are the sheet names."""
    import xlrd

    # (shx, text after "!", (min row, min col, max row, max col) or None for whole rows/columns)
    Area = tuple[int, str, Any]

    def area(ref: Any) -> Area | None:
        shx, shx_hi, rlo, rhi, clo, chi = ref.coords
        if shx < 0 or shx >= len(titles) or shx_hi != shx + 1 or rhi <= rlo or chi <= clo:
            return None
        full_rows = rlo == 0 and rhi >= 65536
        full_cols = clo == 0 and chi >= 256
        if full_cols and not full_rows:
            return shx, f"${rlo + 1}:${rhi}", None
        if full_rows and not full_cols:
            return shx, f"${col_letters(clo)}:${col_letters(chi - 1)}", None
        return shx, f"${col_letters(clo)}${rlo + 1}:${col_letters(chi - 1)}${rhi}", (rlo, clo, rhi - 1, chi - 1)

    workbook_names: dict[str, str] = {}
    local_names: list[dict[str, str]] = [{} for _ in titles]
    print_areas: dict[int, list[Area]] = {}
    title_rows: dict[int, str] = {}
    title_cols: dict[int, str] = {}
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
            shx = sheets.pop()
            if name.name == "Print_Area":
                print_areas[shx] = refs
            elif name.name == "Print_Titles":
                for _, part, _corners in refs:
                    bare = part.replace("$", "").replace(":", "")
                    if bare.isdigit():
                        title_rows[shx] = part
                    elif bare.isalpha():
                        title_cols[shx] = part
            continue
        if not re.fullmatch(_NAME, name.name or ""):
            continue
        text = ",".join(quote_sheet(titles[shx]) + "!" + part for shx, part, _ in refs)
        if 0 <= name.scope < len(titles):
            local_names[name.scope][name.name] = text
        elif name.scope == -1:
            workbook_names[name.name] = text

    out: list[tuple[str, int | None, str]] = [(n, None, text) for n, text in workbook_names.items()]
    for shx, title in enumerate(titles):
        quoted = quote_sheet(title)
        out.extend((n, shx, text) for n, text in local_names[shx].items())
        parts = [f"{quoted}!{p}" for p in (title_rows.get(shx), title_cols.get(shx)) if p]
        if parts:
            out.append(("_xlnm.Print_Titles", shx, ",".join(parts)))
        if shx in print_areas:
            out.append(("_xlnm.Print_Area", shx, _print_area(quoted, print_areas[shx])))
    return out


def _print_area(quoted: str, refs: list[Any]) -> str:
    """The ranges of a print area, as openpyxl ordered them (by first column,
    then first row; a one-cell range as one cell)."""
    cells = sorted({corners for _, _, corners in refs if corners is not None},
                   key=lambda c: (c[1], c[0], c[3], c[2]))
    texts = []
    for r0, c0, r1, c1 in cells:
        text = f"${col_letters(c0)}${r0 + 1}"
        if (r0, c0) != (r1, c1):
            text += f":${col_letters(c1)}${r1 + 1}"
        texts.append(text)
    texts += [part for _, part, corners in refs if corners is None]  # whole rows or columns
    return ",".join(f"{quoted}!{t}" for t in texts)
