"""Scans of a worksheet part's XML as bytes, without parsing it: what the
.xlsx path (``loading_zip.py``) needs to know of a sheet before, and
beside, what python-calamine reads.

- :func:`may_hold_form`: whether the first rows of a big sheet can hold a
  form (a cell naming an indicator level and one naming a value column),
  looked up in the shared strings by :class:`KeywordStrings`;
- :func:`cell_box`: the size of the grid calamine will build for a sheet,
  after checking every cell address and row number against Excel's bounds
  (a bad one can make calamine abort the process);
- :func:`clip_far_cells`: the sheet without a stray value far from
  everything else (which would stretch that grid);
- :func:`scan_formulas`: every formula cell's text (shared formulas
  expanded) and whether it has a cached value, for the reader to compute
  the ones without.

Sheets are matched with bounded patterns and ``bytes.find``; each scan is
linear in the part.
"""

from __future__ import annotations

import re

from selfeval_xlsx.cellref import MAX_COL, MAX_ROW, col_index
from selfeval_xlsx.formula import shift_formula
from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx.rawbook import refuse

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Iterator

    from selfeval_xlsx.errors import UnreadableError


# --------------------------------------------------------------------------
# can a big sheet hold a form

HEAD_ROWS = 200  # of a big sheet's first loading_zip.HEAD_BYTES, this many rows are looked at
# a form's indicator header row has a cell naming an indicator level
# (一级指标 / 三级指标 / 指标名称 …) and a cell naming a value column
_LEVEL_WORDS = ("指标".encode(),)
_VALUE_WORDS = tuple(w.encode() for w in ("得分", "分值", "权重", "完成值", "实际值", "指标值", "目标值"))
_S_CELL = lazy(rb'\bt=["\']s["\'][^>]*>\s*<(?:\w+:)?v>\s*(\d{1,9})\s*<')  # a shared-string cell's index


class KeywordStrings:
    """Which shared strings hold a level word or a value word (by index),
    found by searching the shared-string part, never by parsing all of it."""

    def __init__(self, parts: dict[str, bytes]):
        self.parts = parts
        self._found: tuple[set[int], set[int]] | None = None

    def sets(self) -> tuple[set[int], set[int]] | None:
        if self._found is None:
            sst = next((b for n, b in self.parts.items() if n.lower().endswith("sharedstrings.xml")), b"")
            if b":si" in sst:
                return None  # prefixed elements: cannot count items cheaply; assume a form
            self._found = (self._indices(sst, _LEVEL_WORDS), self._indices(sst, _VALUE_WORDS))
        return self._found

    @staticmethod
    def _indices(sst: bytes, words: tuple[bytes, ...]) -> set[int]:
        hits = []
        for word in words:
            at = sst.find(word)
            while at >= 0:
                hits.append(at)
                at = sst.find(word, at + 1)
        out: set[int] = set()
        index, pos = -1, 0
        for at in sorted(hits):
            index += sst.count(b"<si", pos, at)  # items begun before this hit
            pos = at
            out.add(index)
        return out


def may_hold_form(head: bytes, strings: KeywordStrings) -> bool:
    """True when one of the first HEAD_ROWS rows has a cell naming an
    indicator level and a cell naming a value column (see reader)."""
    if not head:
        return True  # cannot look: read it (and let the checks decide)
    sets = strings.sets()
    if sets is None:
        return True
    levels, values = sets
    # most attachments: no level word anywhere in the head, in one search each
    if not any(w in head for w in _LEVEL_WORDS) and (
        not levels or (b't="s"' not in head and b"t='s'" not in head)
        or not levels.intersection(map(int, _S_CELL.findall(head)))
    ):
        return False
    rows = head.split(b"<row")[1 : HEAD_ROWS + 1] if b"<row" in head else [head]
    for row in rows:
        level = value = False
        for m in _S_CELL.finditer(row):
            i = int(m.group(1))
            level = level or i in levels
            value = value or i in values
        if b"<is>" in row or b":is>" in row or b't="str"' in row:  # inline text
            level = level or any(w in row for w in _LEVEL_WORDS)
            value = value or any(w in row for w in _VALUE_WORDS)
        if level and value:
            return True
    return False


# --------------------------------------------------------------------------
# cell bounds and the grid calamine builds

_C_TAG = lazy(rb"<((?:\w+:)?)c\s([^>]*?)(/?)>")
_R_ATTR = lazy(rb'(?:^|\s)r\s*=\s*["\']([^"\']*)["\']')
_REF_OK = lazy(rb"([A-Z]{1,3})([1-9][0-9]{0,6})")
# a cell start tag other than <c r="A1…" with one letter and at most four digits
_UNUSUAL_CELL = lazy(rb'<(?:c(?! r="[A-Z][1-9][0-9]{0,3}"[\s/>])[\s/>]|\w+:c[\s/>])')
_ROW_NUMBER = lazy(rb'<row\s[^>]*?\br\s*=\s*["\'](\d{1,9})')
_ROW_TAG_R = lazy(rb'<(?:\w+:)?row\s[^>]*?\br\s*=\s*["\']([^"\']*)["\']')


def _max_row_tag(blob: bytes) -> int:
    return max(map(int, _ROW_NUMBER.findall(blob)), default=0)


def _row_count(blob: bytes) -> int:
    return blob.count(b"<row") + blob.count(b":row")


def _bad_address(ref: bytes, part: str, path: Path) -> UnreadableError:
    shown = ref[:20].decode("ascii", "replace")
    return refuse(
        f"文件已损坏：{part} 中的单元格地址“{shown}”超出 Excel 的范围（最多 1048576 行、XFD 列）",
        f"the file is damaged: cell address {shown!r} in {part} is outside Excel's bounds "
        "(1,048,576 rows, columns up to XFD)",
        path,
    )


def cell_box(blob: bytes, part: str, path: Path) -> int:
    """The number of cells calamine's grid of this sheet will have (its
    bounding box: rows × columns of the cells with a value), after checking
    every cell address against Excel's bounds; raises UnreadableError for an
    address outside them."""
    # the usual case: every cell written <c r="A1" …> with a one-letter
    # column and a row below 10,000 (a form); the box is then bounded by
    # the rows written, found from the (few) row elements
    if not _UNUSUAL_CELL.search(blob):
        return max(_max_row_tag(blob), _row_count(blob)) * 26
    # the general scan: every <c> tag and row number; empty cells (<c …/>)
    # do not count for the box
    for m in _ROW_TAG_R.finditer(blob):
        r = m.group(1)
        if not r.isdigit() or not 0 < int(r[:9]) <= MAX_ROW:
            raise _bad_address(r, part, path)
    last_row = last_col = 0
    for m in _C_TAG.finditer(blob):
        attrs = m.group(2)
        rm = _R_ATTR.search(attrs)
        if rm is None:
            continue  # placed by its position in the row: within the row count
        ok = _REF_OK.fullmatch(rm.group(1).upper())
        if ok is None:
            raise _bad_address(rm.group(1), part, path)
        row, col = int(ok.group(2)), col_index(ok.group(1).decode()) + 1
        if row > MAX_ROW or col > MAX_COL:
            raise _bad_address(rm.group(1), part, path)
        if m.group(3) or blob.startswith(b"</" + m.group(1) + b"c>", m.end()):
            continue  # no value: calamine leaves it out of the grid
        last_row, last_col = max(last_row, row), max(last_col, col)
    return max(last_row, _row_count(blob)) * max(last_col, 26)


FAR_ROWS = 1000  # empty rows between the last cell of a sheet's content and a stray one ...
FAR_COLS = 100  # ... or empty columns
_ROW_ELEMENT = lazy(rb'<row r="([0-9]{1,9})"[^>]*?(?:/>|>.*?</row>)', re.DOTALL)
_VALUE_CELL = lazy(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"[^>]*?(?:/>|>(.*?)</c>)', re.DOTALL)


def clip_far_cells(blob: bytes) -> bytes | None:
    """The sheet without the cells that lie past a gap of FAR_ROWS empty
    rows or FAR_COLS empty columns from everything above and left of them
    (a value typed at A1048576 or XFD5 by a slip of the keyboard), for the
    grid calamine builds; None when the sheet is not written the usual way
    (every cell as <c r="A1"…>) or nothing would be left out."""
    if b":c " in blob or b"<c>" in blob:
        return None
    found = [(int(m.group(2)), col_index(m.group(1).decode()) + 1, m.start(), m.end())
             for m in _VALUE_CELL.finditer(blob) if m.group(3)]
    if not found:
        return None

    def cutoff(values: list[int], gap: int) -> int:
        last = 0
        for v in sorted(set(values)):
            if v - last > gap:
                return last
            last = v
        return last

    last_row = cutoff([r for r, _, _, _ in found], FAR_ROWS)
    last_col = cutoff([c for _, c, _, _ in found], FAR_COLS)
    far = [(a, b) for r, c, a, b in found if r > last_row or c > last_col]
    if not far or not last_row:
        return None
    out, at = [], 0
    for a, b in far:
        out.append(blob[at:a])
        at = b
    out.append(blob[at:])
    # and the rows past the content (now without cells), which would still stretch the grid
    return _ROW_ELEMENT.sub(lambda m: m.group(0) if int(m.group(1)) <= last_row else b"", b"".join(out))


# --------------------------------------------------------------------------
# formula cells

_ATTR = lazy(rb'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_CELL = lazy(rb"<(?:\w+:)?c\s([^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>", re.S)
_CELL_REF = lazy(rb'\br="([A-Z]{1,3})(\d+)"')
_F = lazy(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_V = lazy(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_F_PLAIN = lazy(rb"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_V_PLAIN = lazy(rb"<v\b[^>]*?(?:/>|>(.*?)</v>)", re.S)
_XML_ENTITIES = {"amp;": "&", "lt;": "<", "gt;": ">", "quot;": '"', "apos;": "'"}


def unescape(text: str) -> str:
    """``html.unescape(text)``, without importing ``html`` (and its entity
    table) for the text a workbook holds: none, or only XML's five entities.

    html.unescape reads a name up to ``;`` and, with it, each of these five
    decodes to the same character in HTML5 as in XML; anything else (a
    character reference, another name, an ``&`` without a name) goes to
    html.unescape itself."""
    if "&" not in text:
        return text
    head, *rest = text.split("&")
    out = [head]
    for piece in rest:
        name = piece[: piece.find(";") + 1]
        char = _XML_ENTITIES.get(name) if name else None
        if char is None:
            from html import unescape as html_unescape

            return html_unescape(text)
        out.append(char)
        out.append(piece[len(name):])
    return "".join(out)


def _attrs(blob: bytes) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(blob):
        name = m.group(1).decode("ascii", "replace").split(":")[-1]
        raw = m.group(2) if m.group(2) is not None else m.group(3)
        out[name] = unescape(raw.decode("utf-8", "replace"))
    return out


def scan_formulas(blob: bytes, fixed: set[tuple[int, int]] | None = None
                   ) -> dict[tuple[int, int], tuple[str, bool]]:
    """(row, col) -> (formula text, has a cached value) for every formula
    cell of a sheet part; shared formulas are expanded to each cell.  The
    cells whose formula text others depend on are added to ``fixed``."""
    out: dict[tuple[int, int], tuple[str, bool]] = {}
    shared: dict[str, tuple[str, int, int]] = {}
    pending: list[tuple[int, int, str, bool]] = []
    for r, c, fattrs, text, cached in _formula_cells(blob):
        fa = _attrs(fattrs) if fattrs.strip() else {}
        text = unescape(text.decode("utf-8", "replace")) if text else ""
        if fixed is not None and (fa.get("t") in ("array", "dataTable") or "ref" in fa):
            fixed.add((r, c))
        if fa.get("t") == "shared" and "si" in fa:
            if text:
                shared[fa["si"]] = (text, r, c)
            else:
                pending.append((r, c, fa["si"], cached))
                continue
        if text:
            out[(r, c)] = (text, cached)
    for r, c, si, cached in pending:
        if si in shared:
            text, r0, c0 = shared[si]
            out[(r, c)] = (shift_formula(text, r - r0, c - c0), cached)
    return out


def _formula_cells(blob: bytes) -> Iterator[tuple[int, int, bytes, bytes | None, bool]]:
    """(row, col, <f> attributes, <f> text, cached value?) of each formula cell.

    Sheets carry a few formulas among hundreds of cells, so the usual path
    finds the ``<f>`` elements and looks back for their cell; XML with
    prefixed elements (``<x:c>``) gets the general cell-by-cell scan."""
    if b":c " in blob or b":f" in blob:
        for m in _CELL.finditer(blob):
            body = m.group(2)
            fm = _F.search(body)
            if fm is None:
                continue
            ref = _CELL_REF.search(b" " + m.group(1))
            if ref is None:
                continue
            vm = _V.search(body, fm.end())
            yield (int(ref.group(2)) - 1, col_index(ref.group(1).decode()), fm.group(1), fm.group(2),
                   bool(vm and vm.group(1)))
        return
    for fm in _F_PLAIN.finditer(blob):
        at = fm.start()
        start = blob.rfind(b"<c", 0, at)
        while start >= 0 and blob[start + 2 : start + 3] not in (b" ", b"\t", b"\n", b"\r"):
            start = blob.rfind(b"<c", 0, start)  # <cols>, <cfRule> …
        if start < 0:
            continue
        head_end = blob.find(b">", start, at)
        if head_end < 0 or blob[head_end - 1] == 0x2F or blob.find(b"</c>", head_end, at) >= 0:
            continue  # not inside a cell
        ref = _CELL_REF.search(blob, start, head_end)
        if ref is None:
            continue
        end = blob.find(b"</c>", fm.end())
        vm = _V_PLAIN.search(blob, fm.end(), end if end >= 0 else len(blob))
        yield (int(ref.group(2)) - 1, col_index(ref.group(1).decode()), fm.group(1), fm.group(2),
               bool(vm and vm.group(1)))
