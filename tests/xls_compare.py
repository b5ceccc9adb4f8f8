"""What a converted workbook carries, read back with openpyxl, and how two differ.

``differences(a, b)`` loads two .xlsx files and lists every difference in
what the .xls converter carries over: sheets (order, names, visibility, the
active one), each cell's value, type, number format, font, fill, border,
alignment, protection, hyperlink and comment, merged ranges, column and row
dimensions (with their styles), the sheet format, view, page setup, margins,
print options, header/footer, page breaks, print area and titles, sheet
protection, data validations, defined names and the date mode.  Used by
``tests/test_xls_equivalence.py`` and by ad-hoc comparisons over a corpus.
"""

from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any

import openpyxl

_STYLE = ("number_format", "font", "fill", "border", "alignment", "protection")


def _plain(style: Any) -> Any:
    """A style as a comparable value (openpyxl hands out proxies that compare by identity)."""
    return style if isinstance(style, str) else repr(copy(style))


def _attrs(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(obj, n, None) for n in names} if obj is not None else {}


def _hf(item: Any) -> tuple:
    return tuple((p.text, p.font, p.size, p.color) for p in (item.left, item.center, item.right))


def _cell(cell: Any) -> dict[str, Any]:
    out = {"value": cell.value, "type": cell.data_type}
    for name in _STYLE:
        out[name] = _plain(getattr(cell, name))
    link = cell.hyperlink
    out["link"] = None if link is None else (link.target, link.location, link.tooltip)
    note = cell.comment
    out["comment"] = None if note is None else (note.text, note.author)
    return out


def _dim_style(dim: Any) -> dict[str, Any]:
    return {name: _plain(getattr(dim, name)) for name in _STYLE} if dim.has_style else {}


def sheet_summary(ws: Any) -> dict[str, Any]:
    """Everything the converter carries for one worksheet, comparable with ``==``."""
    out: dict[str, Any] = {"state": ws.sheet_state}
    out["cells"] = {key: _cell(cell) for key, cell in ws._cells.items()
                    if cell.value is not None or cell.has_style or cell.hyperlink or cell.comment}
    out["merged"] = sorted(str(r) for r in ws.merged_cells.ranges)
    out["cols"] = {k: (d.width if d.customWidth else None, d.hidden, d.outlineLevel, d.collapsed, _dim_style(d))
                   for k, d in ws.column_dimensions.items()
                   if d.customWidth or d.hidden or d.outlineLevel or d.has_style}
    out["rows"] = {k: (d.ht, d.customHeight, d.hidden, d.outlineLevel, _dim_style(d))
                   for k, d in ws.row_dimensions.items() if d.ht is not None or d.hidden or d.outlineLevel or d.has_style}
    fmt = ws.sheet_format
    out["format"] = _attrs(fmt, ("baseColWidth", "defaultColWidth", "defaultRowHeight", "customHeight",
                                 "zeroHeight", "outlineLevelRow", "outlineLevelCol"))
    view = ws.sheet_view
    out["view"] = _attrs(view, ("showGridLines", "showZeros", "showFormulas", "showRowColHeaders", "rightToLeft",
                                "tabSelected", "view", "topLeftCell", "zoomScale"))
    out["pane"] = _attrs(view.pane, ("xSplit", "ySplit", "topLeftCell", "activePane", "state"))
    out["freeze"] = ws.freeze_panes
    out["setup"] = _attrs(ws.page_setup, ("orientation", "paperSize", "scale", "fitToWidth", "fitToHeight",
                                          "firstPageNumber", "useFirstPageNumber", "pageOrder", "blackAndWhite"))
    out["fit"] = ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None
    out["margins"] = _attrs(ws.page_margins, ("left", "right", "top", "bottom", "header", "footer"))
    out["print"] = _attrs(ws.print_options, ("horizontalCentered", "verticalCentered", "gridLines", "headings"))
    out["header"] = (_hf(ws.oddHeader), _hf(ws.oddFooter))
    out["breaks"] = ([b.id for b in ws.row_breaks.brk], [b.id for b in ws.col_breaks.brk])
    out["print_area"] = ws.print_area
    out["print_titles"] = (ws.print_title_rows, ws.print_title_cols)
    out["protection"] = (ws.protection.sheet, ws.protection.password)
    out["validations"] = sorted(
        (str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2, bool(dv.allow_blank), bool(dv.showDropDown),
         bool(dv.showInputMessage), bool(dv.showErrorMessage), dv.errorStyle, dv.promptTitle, dv.prompt,
         dv.errorTitle, dv.error) for dv in ws.data_validations.dataValidation)
    out["names"] = {k: v.attr_text for k, v in ws.defined_names.items()}
    return out


def workbook_summary(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    return {
        "sheets": wb.sheetnames,
        "active": wb.index(wb.active),
        "epoch": wb.epoch,
        "names": {k: v.attr_text for k, v in wb.defined_names.items()},
        "per_sheet": {ws.title: sheet_summary(ws) for ws in wb.worksheets},
    }


def differences(a: Path, b: Path, limit: int = 20) -> list[str]:
    """Every difference (up to ``limit``) between what ``a`` and ``b`` carry."""
    sa, sb = workbook_summary(a), workbook_summary(b)
    out: list[str] = []

    def diff(where: str, x: Any, y: Any) -> None:
        if len(out) >= limit or x == y:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for k in list(x) + [k for k in y if k not in x]:
                diff(f"{where}/{k}", x.get(k, "<missing>"), y.get(k, "<missing>"))
        else:
            out.append(f"{where}: {x!r} != {y!r}")

    diff("", sa, sb)
    return out
