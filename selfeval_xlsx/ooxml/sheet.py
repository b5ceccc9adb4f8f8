"""The sheet patcher: cell values written into one worksheet part as text.

:class:`SheetPatcher` indexes a worksheet part's ``<sheetData>`` (rows by
number, the cells of a row on first use, column styles), places each edit
(:meth:`SheetPatcher.locate` gives its :class:`CellSlot`: row, column and
the xf index the cell shows now, its own, its row's or its column's) and
renders the part with only the affected ``<row>``/``<c>`` spans rewritten,
the rows' ``spans`` and the ``<dimension>`` widened when a cell outside them
is written; every other byte of the part stays as it was.  The new part is
checked to be well-formed before it is returned.

Values: numbers become ``<v>`` in plain notation, text an inline string
(the shared-strings table is never touched), ``None`` clears the value; a
formula cell keeps its ``<f>`` (a new formula replaces an unshared one) and
only its cached value changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from selfeval_xlsx import cellref
from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.ooxml.xmltext import (TAG_TAIL, check_wellformed, decode, del_attr, encode, esc_text, get_attr,
                                         number_text, set_attr, splice, start_tag, xstring)


def parse_ref(ref: str) -> tuple[int, int]:
    """``"H23"`` → (row 23, column 8), 1-based as the XML counts; a one-line
    error for a reference that is not one or lies outside Excel's bounds."""
    found = _REFS.get(ref)
    if found is not None:
        return found
    parts = cellref.split(ref)
    if parts is None:
        raise SelfevalError(f"无效的单元格引用：{ref!r}", f"invalid cell reference: {ref!r}")
    row, col = parts[1], _col_index(parts[0])
    if not cellref.in_limits(row, col):
        raise SelfevalError(f"单元格引用超出范围：{ref!r}", f"cell reference out of range: {ref!r}")
    if len(_REFS) >= _REFS_MAX:
        _REFS.clear()
    _REFS[ref] = row, col
    return row, col


#: references parse_ref has parsed: the review sheet looks up the same few
#: cells of a form in every file (13 a file, a third of them twice)
_REFS: dict[str, tuple[int, int]] = {}
_REFS_MAX = 10_000


def _col_index(letters: str) -> int:
    """'A' -> 1 (the sheet XML counts columns from 1)."""
    return cellref.col_index(letters) + 1


#: a cell reference's column (1-based) by its text, as found in ``r`` attributes:
#: the same few thousand references recur in every sheet, splitting each costs more
_REF_COLS: dict[str, int] = {}
_REF_COLS_MAX = 100_000


_ROW_TAGS: dict[str, re.Pattern[str]] = {}
_CELL_TAGS: dict[str, re.Pattern[str]] = {}


def _row_tag(p: str) -> re.Pattern[str]:
    """A ``<row>`` start tag; group 1: the digits of an ``r`` written first
    (else None: get_attr finds it), group 2: "/" for an empty row."""
    pat = _ROW_TAGS.get(p)
    if pat is None:
        pat = _ROW_TAGS[p] = re.compile("<" + re.escape(p) + r'row(?=[\s/>])(?:\s+r="([0-9]+)")?' + TAG_TAIL)
    return pat


def _cell_tag(p: str) -> re.Pattern[str]:
    """A ``<c>`` start tag; group 1: the value of an ``r`` written first
    after one space, when it holds no entity (else None: get_attr finds it),
    group 2: "/" for an empty cell."""
    pat = _CELL_TAGS.get(p)
    if pat is None:
        pat = _CELL_TAGS[p] = re.compile("<" + re.escape(p) + r'c(?=[\s/>])(?: r="([^"&]*)")?' + TAG_TAIL)
    return pat


def _col_letters(col: int) -> str:
    """1 -> 'A'."""
    return cellref.col_letters(col - 1)


@dataclass
class CellSlot:
    """Where one edit lands in the sheet text."""

    edit: Any  # writer.Edit: sheet, ref, value, number_format, note, old, formula
    row: int
    col: int
    style: int  # the cell's current (or inherited) xf index
    new_style: int | None = None


class _RowInfo:
    __slots__ = ("r", "start", "tag_end", "end", "self_closing", "tag")

    def __init__(self, r: int, start: int, tag_end: int, end: int, self_closing: bool, tag: str):
        self.r, self.start, self.tag_end, self.end = r, start, tag_end, end
        self.self_closing, self.tag = self_closing, tag


class SheetPatcher:
    """Targeted patch of one worksheet part."""

    def __init__(self, part: str, data: bytes):
        self.part = part
        self.data = data
        self.text, self.enc = decode(data, part)
        t = self.text
        m = re.search(r"<([A-Za-z_][\w.-]*:)?sheetData\b" + TAG_TAIL, t)
        if not m:
            check_wellformed(data, part)
            raise SelfevalError(f"工作表 {part} 缺少 sheetData", f"worksheet {part} has no sheetData")
        self.p = m.group(1) or ""
        self.sd_start = m.start()
        self.sd_tag_end = m.end()
        self.sd_self_closing = m.group(2) == "/"
        if self.sd_self_closing:
            self.sd_end = m.end()
            self.sd_close = m.end()
        else:
            close = f"</{self.p}sheetData>"
            i = t.find(close, m.end())
            if i < 0:
                check_wellformed(data, part)
                raise SelfevalError(f"工作表 {part} 的 sheetData 未闭合", f"worksheet {part}: sheetData is not closed")
            self.sd_close = i
            self.sd_end = i + len(close)
        self.rows = self._index_rows()
        self.row_pos = {}
        for i, r in enumerate(self.rows):
            self.row_pos.setdefault(r.r, i)
        self._col_styles_found: list[tuple[int, int, int]] | None = None  # see col_styles
        self.slots: dict[tuple[int, int], CellSlot] = {}
        self.legacy_drawing: str | None = None  # r:id of a <legacyDrawing> to add (new comments)
        self._cells_cache: dict[int, list[tuple[int, int, int, bool, str]]] = {}

    # -- indexing
    def _index_rows(self) -> list[_RowInfo]:
        t, p = self.text, self.p
        rows: list[_RowInfo] = []
        if self.sd_self_closing:
            return rows
        pat = _row_tag(p)
        close = f"</{p}row>"
        pos, prev = self.sd_tag_end, 0
        while True:
            m = pat.search(t, pos, self.sd_close)
            if not m:
                break
            r_digits, slash = m.groups()  # r_digits: an r="…" written first, as nearly every row has it
            tag = m.group(0)
            if r_digits is None:
                r_attr = get_attr(tag, "r")
                r = int(r_attr) if r_attr and r_attr.isdigit() else prev + 1
            else:
                r = int(r_digits)
            if slash:
                end = m.end()
            else:
                i = t.find(close, m.end(), self.sd_close)
                if i < 0:
                    check_wellformed(self.data, self.part)
                    raise SelfevalError(f"工作表 {self.part} 第 {r} 行未闭合", f"worksheet {self.part}: row {r} is not closed")
                end = i + len(close)
            rows.append(_RowInfo(r, m.start(), m.end(), end, bool(slash), tag))
            prev = r
            pos = end
        return rows

    @property
    def col_styles(self) -> list[tuple[int, int, int]]:
        """(min, max, style) of the ``<col>`` elements that give a style, read
        on first use: only a cell that is neither written nor in a formatted
        row takes its column's style."""
        if self._col_styles_found is None:
            self._col_styles_found = self._col_styles()
        return self._col_styles_found

    def _col_styles(self) -> list[tuple[int, int, int]]:
        t = self.text[: self.sd_start]
        out = []
        for m in start_tag(self.p, "col").finditer(t):
            tag = m.group(0)
            style = get_attr(tag, "style")
            if style and style.isdigit():
                try:
                    out.append((int(get_attr(tag, "min") or 0), int(get_attr(tag, "max") or 0), int(style)))
                except ValueError:
                    pass
        return out

    def _cells(self, ri: int) -> list[tuple[int, int, int, bool, str]]:
        """Cells of row index ``ri``: (col, start, end, self_closing, start tag)."""
        cached = self._cells_cache.get(ri)
        if cached is not None:
            return cached
        row = self.rows[ri]
        out: list[tuple[int, int, int, bool, str]] = []
        if not row.self_closing:
            t, p = self.text, self.p
            pat = _cell_tag(p)
            close = f"</{p}c>"
            limit = row.end - len(f"</{p}row>")
            pos, prev = row.tag_end, 0
            known = _REF_COLS
            while True:
                m = pat.search(t, pos, limit)
                if not m:
                    break
                ref, slash = m.groups()  # ref: an r="…" written first (without entities), as nearly every cell has it
                tag = m.group(0)
                if ref is None:
                    ref = get_attr(tag, "r")
                col = known.get(ref) if ref else None
                if col is None:
                    if ref:
                        mm = cellref.split(ref)
                        col = _col_index(mm[0]) if mm else prev + 1
                        if mm:
                            if len(known) >= _REF_COLS_MAX:
                                known.clear()
                            known[ref] = col
                    else:
                        col = prev + 1
                if slash:
                    end = m.end()
                else:
                    i = t.find(close, m.end(), limit)
                    if i < 0:
                        check_wellformed(self.data, self.part)
                        raise SelfevalError(f"工作表 {self.part} 第 {row.r} 行有未闭合的单元格",
                                   f"worksheet {self.part}: an unclosed cell in row {row.r}")
                    end = i + len(close)
                out.append((col, m.start(), end, bool(slash), tag))
                prev = col
                pos = end
        self._cells_cache[ri] = out
        return out

    def locate(self, edit: Any) -> CellSlot:
        row, col = parse_ref(edit.ref)
        slot = CellSlot(edit, row, col, self.style_at(row, col))
        self.slots[(row, col)] = slot  # a later edit of the same cell wins
        return slot

    def style_at(self, row: int, col: int) -> int:
        """The xf index a cell has (its own, its row's or its column's)."""
        style = 0
        ri = self.row_pos.get(row)
        found = False
        if ri is not None:
            for c, _s, _e, _sc, tag in self._cells(ri):
                if c == col:
                    s = get_attr(tag, "s")
                    style = int(s) if s and s.isdigit() else 0
                    found = True
                    break
            if not found:
                rtag = self.rows[ri].tag
                if get_attr(rtag, "customFormat") in ("1", "true"):
                    s = get_attr(rtag, "s")
                    style = int(s) if s and s.isdigit() else 0
                    found = True
        if not found:
            for lo, hi, st in self.col_styles:
                if lo <= col <= hi:
                    style = st
                    break
        return style

    # -- rendering
    def _render_cell(self, slot: CellSlot, old_tag: str | None, old_inner: str | None) -> str:
        p = self.p
        v = slot.edit.value
        if old_tag is None:
            tag = f'<{p}c r="{_col_letters(slot.col)}{slot.row}">'
        else:
            tag = old_tag
            if tag.endswith("/>"):
                tag = tag[:-2].rstrip() + ">"
            tag = del_attr(tag, "vm")  # value metadata belongs to the old value
        s = slot.new_style if slot.new_style is not None else slot.style
        if s or get_attr(tag, "s") is not None:
            tag = set_attr(tag, "s", str(s))

        formula = ""
        tail = ""
        if old_inner:
            fm = start_tag(p, "f").search(old_inner)
            if fm:
                if fm.group(1) == "/":
                    formula = fm.group(0)
                else:
                    close = f"</{p}f>"
                    i = old_inner.find(close, fm.end())
                    formula = old_inner[fm.start(): i + len(close)] if i >= 0 else fm.group(0)
                if slot.edit.formula is not None:
                    if get_attr(fm.group(0), "ref") is not None or get_attr(fm.group(0), "t") in ("array",
                                                                                                  "dataTable"):
                        raise SelfevalError(f"{slot.edit.ref} 的公式被其他单元格共用，不能改写",
                                   f"the formula in {slot.edit.ref} is shared by other cells; it cannot be rewritten")
                    formula = f"<{p}f>{esc_text(slot.edit.formula)}</{p}f>"
            em = re.search(r"<" + re.escape(p) + r"extLst(?=[\s/>])", old_inner)
            if em:
                tail = old_inner[em.start():]

        if v is None:
            tag = del_attr(tag, "t")
            body = ""
        elif isinstance(v, str):
            if formula:
                tag = set_attr(tag, "t", "str")
                body = f"<{p}v>{xstring(v)}</{p}v>"
            else:
                tag = set_attr(tag, "t", "inlineStr")
                body = f'<{p}is><{p}t xml:space="preserve">{xstring(v)}</{p}t></{p}is>' \
                    if (v != v.strip() or "\n" in v or "\t" in v) else f"<{p}is><{p}t>{xstring(v)}</{p}t></{p}is>"
        elif isinstance(v, bool):
            tag = set_attr(tag, "t", "b")
            body = f"<{p}v>{'1' if v else '0'}</{p}v>"
        elif isinstance(v, (int, float, Decimal)):
            tag = del_attr(tag, "t")
            body = f"<{p}v>{number_text(v)}</{p}v>"
        else:
            raise SelfevalError(f"不支持的单元格值类型：{type(v).__name__}",
                       f"unsupported cell value type: {type(v).__name__}")
        inner = formula + body + tail
        if not inner:
            return tag[:-1] + "/>"
        return f"{tag}{inner}</{p}c>"

    def render(self) -> bytes:
        """The patched part."""
        if not self.slots:
            return self.data
        t, p = self.text, self.p
        ops: list[tuple[int, int, int, str]] = []  # (start, end, order, text)
        by_row: dict[int, list[CellSlot]] = {}
        for slot in self.slots.values():
            by_row.setdefault(slot.row, []).append(slot)
        new_rows: list[tuple[int, str]] = []
        for r, slots in by_row.items():
            slots.sort(key=lambda s: s.col)
            ri = self.row_pos.get(r)
            if ri is None:
                cells = "".join(self._render_cell(s, None, None) for s in slots)
                new_rows.append((r, f'<{p}row r="{r}">{cells}</{p}row>'))
                continue
            row = self.rows[ri]
            rtag = self._fix_spans(row.tag, slots)
            if row.self_closing:
                cells = "".join(self._render_cell(s, None, None) for s in slots)
                open_tag = rtag[:-2].rstrip() + ">"
                ops.append((row.start, row.end, 0, f"{open_tag}{cells}</{p}row>"))
                continue
            if rtag != row.tag:
                ops.append((row.start, row.tag_end, 0, rtag))
            existing = self._cells(ri)
            content_end = row.end - len(f"</{p}row>")
            for s in slots:
                hit = next((c for c in existing if c[0] == s.col), None)
                if hit is not None:
                    _c, cs, ce, sc, ctag = hit
                    inner = None if sc else t[cs + len(ctag): ce - len(f"</{p}c>")]
                    ops.append((cs, ce, 1, self._render_cell(s, ctag, inner)))
                else:
                    at = next((c[1] for c in existing if c[0] > s.col), content_end)
                    ops.append((at, at, 1 + s.col, self._render_cell(s, None, None)))
        if new_rows:
            new_rows.sort()
            if self.sd_self_closing:
                open_tag = t[self.sd_start: self.sd_tag_end][:-2].rstrip() + ">"
                body = "".join(x for _r, x in new_rows)
                ops.append((self.sd_start, self.sd_end, 0, f"{open_tag}{body}</{p}sheetData>"))
            else:
                for r, x in new_rows:
                    at = next((row.start for row in self.rows if row.r > r), self.sd_close)
                    ops.append((at, at, r, x))
        dim = self._dimension_op()
        if dim:
            ops.append(dim)
        data = encode(splice(t, ops), self.enc)
        check_wellformed(data, self.part, self.data)
        return data

    def _fix_spans(self, tag: str, slots: list[CellSlot]) -> str:
        spans = get_attr(tag, "spans")
        if not spans:
            return tag
        try:
            bounds = [int(x) for part in spans.split() for x in part.split(":")]
        except ValueError:
            return tag
        lo, hi = min(bounds), max(bounds)
        nlo = min([lo] + [s.col for s in slots])
        nhi = max([hi] + [s.col for s in slots])
        if (nlo, nhi) == (lo, hi):
            return tag
        return set_attr(tag, "spans", f"{nlo}:{nhi}")

    def _dimension_op(self) -> tuple[int, int, int, str] | None:
        t = self.text[: self.sd_start]
        m = start_tag(self.p, "dimension").search(t)
        if not m:
            return None
        ref = get_attr(m.group(0), "ref")
        if not ref:
            return None
        parts = ref.replace("$", "").split(":")
        try:
            (r1, c1), (r2, c2) = parse_ref(parts[0]), parse_ref(parts[-1])
        except SelfevalError:
            return None
        empty = len(parts) == 1 and (r1, c1) == (1, 1) and not self.rows
        rows = [s.row for s in self.slots.values()]
        cols = [s.col for s in self.slots.values()]
        if empty:
            nr1, nc1, nr2, nc2 = min(rows), min(cols), max(rows), max(cols)
        else:
            nr1, nc1 = min([r1] + rows), min([c1] + cols)
            nr2, nc2 = max([r2] + rows), max([c2] + cols)
        if (nr1, nc1, nr2, nc2) == (r1, c1, r2, c2):
            return None
        new_ref = f"{_col_letters(nc1)}{nr1}" if (nr1, nc1) == (nr2, nc2) else \
            f"{_col_letters(nc1)}{nr1}:{_col_letters(nc2)}{nr2}"
        return (m.start(), m.end(), 0, set_attr(m.group(0), "ref", new_ref))

