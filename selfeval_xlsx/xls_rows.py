"""The ``<sheetData>`` of a converted .xls worksheet, as openpyxl writes it, in fewer steps.

openpyxl's ``WorksheetWriter.write_rows`` builds an ElementTree element for
every cell and serialises it through et_xmlfile (about 40 function calls a
cell: the largest part of writing a converted workbook).  :func:`write_rows`
writes the same bytes as text for the cells a conversion gives nearly always
(a number, a plain string, or a styled empty cell, without a hyperlink) and
hands every other cell (dates, booleans, errors, rich text, formulas,
hyperlinks) to openpyxl's own cell writer, so the output stays byte for byte
what openpyxl writes (checked against it in ``tests/test_xls.py``).
"""

from __future__ import annotations

from typing import Any


def _escape_text(text: str) -> str:
    # what xml.etree's _escape_cdata does (et_xmlfile serialises with it)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _number(value: Any) -> str | None:
    """openpyxl's ``safe_string`` for an int or float (None for NaN/inf,
    which openpyxl writes as an empty ``<v>``: left to openpyxl)."""
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return "%.16g" % value


def write_rows(writer: Any) -> None:
    """``WorksheetWriter.write_rows`` for ``writer`` (an openpyxl
    WorksheetWriter), same bytes.  Uses the writer's private stream
    (``writer.xf``, and the incremental writer's ``_file``): openpyxl offers
    no public way to add text to a worksheet's XML."""
    from openpyxl.cell._writer import write_cell
    from openpyxl.comments.comment_sheet import CommentRecord

    ws = writer.ws
    xf = writer.xf.send(True)
    out = xf._file
    add_style = ws.parent._cell_styles.add
    dims = ws.row_dimensions
    comments = ws._comments
    with xf.element("sheetData"):
        for row_idx, row in writer.rows():
            attrs = {"r": f"{row_idx}"}
            attrs.update(dims.get(row_idx, {}))
            # (row attributes are numbers and flags: nothing to escape)
            out("<row" + "".join(f' {k}="{v}"' for k, v in attrs.items()) + ">")
            for cell in row:
                if cell._comment is not None:
                    comments.append(CommentRecord.from_cell(cell))
                style = cell._style
                styled = style is not None and any(style)
                value = cell._value
                if value is None and not styled and not cell._comment:
                    continue
                kind = cell.data_type
                if cell.hyperlink is not None or kind not in ("n", "s"):
                    write_cell(xf, ws, cell, styled)
                    continue
                head = f'<c r="{cell.coordinate}"'
                if styled:
                    head += f' s="{add_style(style)}"'
                if value is None or value == "":
                    out(head + (' t="inlineStr" />' if kind == "s" else ' t="n" />'))
                elif kind == "n":
                    if type(value) is not int and type(value) is not float:
                        write_cell(xf, ws, cell, styled)
                        continue
                    text = _number(value)
                    if text is None:
                        write_cell(xf, ws, cell, styled)
                        continue
                    out(head + f' t="n"><v>{text}</v></c>')
                elif type(value) is str:
                    stripped = value.strip()
                    space = ' xml:space="preserve"' if stripped and value != stripped else ""
                    out(head + f' t="inlineStr"><is><t{space}>{_escape_text(value)}</t></is></c>')
                else:
                    write_cell(xf, ws, cell, styled)
            out("</row>")
    writer.xf.send(None)  # return control to the writer's generator
