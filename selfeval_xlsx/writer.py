"""Patch cell values inside an .xlsx/.xlsm package, losing nothing.

A load-and-save through openpyxl drops shapes, comment formatting, x14
extensions (data validations / conditional formats in ``extLst``), cached
formula results, image anchors and more.  This module edits the package
instead: the sheet XML of an edited sheet gets a targeted textual patch of the
affected ``<row>``/``<c>`` spans (everything else in the part stays byte for
byte), and every other zip member is copied unchanged.

Members that may change:

* the edited worksheet parts;
* ``xl/workbook.xml`` — ``<calcPr fullCalcOnLoad="1"/>`` whenever an edit was
  made; with a report, the new ``<sheet>`` and its ``_xlnm._FilterDatabase``
  defined name;
* ``xl/styles.xml`` — only with ``mark=True`` or a ``number_format``: one new
  fill, derived ``<xf>`` entries (and for the report: two fonts, three xfs);
* with a *new* report sheet: ``[Content_Types].xml``,
  ``xl/_rels/workbook.xml.rels``, ``docProps/app.xml`` (only when its
  HeadingPairs/TitlesOfParts are recognised; Excel repairs an app.xml whose
  counts disagree with each other, but tolerates a stale consistent one, so
  an unrecognised one is left alone) and the new sheet part (appended last);
* with an *existing* report sheet (running on its own output): that sheet
  part, replaced.

Values: numbers become ``<v>`` in plain notation (a ``Decimal`` is written
exactly as given), text becomes an inline string (the shared-strings table is
never touched), ``None`` clears the value.  A formula cell keeps its ``<f>``;
only the cached ``<v>`` (and ``t``) change.

No heavy imports here: zipfile, re and the stdlib expat bindings only.
"""

from __future__ import annotations

import math
import os
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import unquote
from xml.etree import ElementTree as ET
from xml.parsers import expat

from selfeval_xlsx.atomic import replacing, write_error
from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx import cellref
from selfeval_xlsx.cellref import col_index, col_letters
from selfeval_xlsx.display import display_value, is_date_format
from selfeval_xlsx.review_sheet import REPORT_HEADERS, REPORT_MARKS, build_report_sheet

__all__ = ["Edit", "Report", "ReportRow", "patch_workbook", "display_value", "MARK_FILL_RGB", "MARK_BORDER_RGB",
           "REPORT_HEADERS", "COMMENT_AUTHOR"]

MARK_FILL_RGB = "FFFFEB9C"  # light yellow-orange (Excel's "Neutral" fill)
MARK_BORDER_RGB = "FFC00000"  # a medium dark-red frame: still seen on a black-and-white print
COMMENT_AUTHOR = "自动校验"

_WS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_WS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Edit:
    """One cell to change.

    ``value``: numbers → ``<v>``, text → inline string, ``None`` → clear the
    value (a formula is kept).  ``number_format`` (e.g. ``"0.00%"``) gives the
    cell a new xf derived from its own with that format, unless its current
    format already is that one.  A number written into a cell formatted as a
    date or time gets ``General`` (so 9.7 is not shown as 1900-01-09 and
    read back as a date).  ``formula`` (without "=") replaces the cell's
    formula; ``value`` is then its cached result.
    """

    sheet: str
    ref: str
    value: Decimal | int | float | str | None
    number_format: str | None = None
    #: a cell comment (note) for the changed cell; ``{old}`` and ``{new}`` are
    #: replaced by ``old`` and ``value`` as the cell shows them (its number
    #: format).  Only written with ``mark=True``.
    note: str | None = None
    old: Any = None
    formula: str | None = None


@dataclass(frozen=True)
class ReportRow:
    """One row of the report sheet (the 审核意见单).

    ``old`` is the value of the cell as read; it is shown with that cell's
    number format (97.52%, not 0.9752).  ``new`` is what fill wrote (shown
    with the cell's new format), else ``expected`` what the cell should hold
    (``None``: nothing to show).  ``action`` is the 处理 column; ``{new}`` in
    it is replaced by ``new`` as the cell now shows it.
    """

    code: str
    severity: str
    sheet: str
    cell: str
    message: str
    old: Any
    new: Any
    expected: Any = None
    action: str | None = None
    error: bool = False  # shown in red


@dataclass(frozen=True)
class Report:
    """The report sheet: a printable 审核意见单.

    ``title`` heads the page (and marks the sheet as the tool's own: a sheet
    whose A1 ends with ``REPORT_MARK`` may be replaced by a later run; any
    other sheet of the wanted name is kept and the report takes a free name
    such as 校验结果(2)).  ``lines`` follow the title (file, form, totals);
    ``box`` heads a ruled box for the reviewer's opinion and ``footer`` the
    lines under it (reviewer and date).  ``protect``: sheet names never
    replaced (the forms).
    """

    rows: Sequence[ReportRow]
    title: str = "审核意见单"
    lines: Sequence[str] = ()
    headers: Sequence[str] = ()
    box: str | None = None
    footer: Sequence[str] = ()
    empty: str = "未发现问题"
    page_footer: str = "第 &P 页，共 &N 页"
    protect: frozenset[str] = frozenset()
    #: show the sheet in the 单元格 column ("附件3-1!H7"); None: when the rows are on several sheets
    qualify: bool | None = None
    #: short names for the sheets in the 单元格 column ("表2 H15" rather than a long sheet name)
    sheet_labels: Mapping[str, str] | None = None


# --------------------------------------------------------------------------
# small helpers


def _err(zh: str, en: str) -> SelfevalError:
    return SelfevalError(zh, en)


def _parse_ref(ref: str) -> tuple[int, int]:
    """``"H23"`` → (row 23, column 8)."""
    parts = cellref.split(ref)
    if parts is None:
        raise _err(f"无效的单元格引用：{ref!r}", f"invalid cell reference: {ref!r}")
    row, col = parts[1], _col_index(parts[0])
    if not cellref.in_limits(row, col):
        raise _err(f"单元格引用超出范围：{ref!r}", f"cell reference out of range: {ref!r}")
    return row, col


def _col_index(letters: str) -> int:
    """'A' -> 1 (the writer counts columns from 1, as the XML does)."""
    return col_index(letters) + 1


def _col_letters(col: int) -> str:
    """1 -> 'A'."""
    return col_letters(col - 1)


def esc_text(s: str) -> str:
    if "&" not in s and "<" not in s and ">" not in s:
        return s
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(s: str) -> str:
    return esc_text(s).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


_XSTR_ESCAPE_RE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xstring(s: str) -> str:
    """Escape text for a ``<t>``/``<v>`` element (ST_Xstring rules: a
    literal ``_x0041_`` is protected as ``_x005F_x0041_``; characters XML 1.0
    forbids become ``_xHHHH_``; CR survives parsing as ``&#13;``)."""
    if "_x" in s:
        s = _XSTR_ESCAPE_RE.sub(r"_x005F_\1", s)
    if not s.isprintable():  # only then can it hold a character XML forbids
        s = _ILLEGAL_XML_RE.sub(lambda m: "_x%04X_" % ord(m.group()), s)
    s = esc_text(s)
    return s.replace("\r", "&#13;") if "\r" in s else s


def _number_text(value: Decimal | int | float) -> str:
    """Plain notation, never an exponent; exact for Decimal and int."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _err(f"无法写入非有限数值：{value!r}", f"cannot write a non-finite number: {value!r}")
        value = Decimal(repr(value))
    if not value.is_finite():
        raise _err(f"无法写入非有限数值：{value!r}", f"cannot write a non-finite number: {value!r}")
    text = format(value, "f")
    if text.startswith("-") and not value:
        text = text[1:]  # -0, -0.00
    return text


# attribute get/set on a raw start tag, leaving every other byte alone
def _attr_re(name: str) -> re.Pattern[str]:
    return re.compile(r"(\s)" + re.escape(name) + r"""\s*=\s*("[^"]*"|'[^']*')""")


_ATTR_CACHE: dict[str, re.Pattern[str]] = {}


def _attr_pat(name: str) -> re.Pattern[str]:
    pat = _ATTR_CACHE.get(name)
    if pat is None:
        pat = _ATTR_CACHE[name] = _attr_re(name)
    return pat


def _get_attr(tag: str, name: str) -> str | None:
    m = _attr_pat(name).search(tag)
    if not m:
        return None
    return _unescape(m.group(2)[1:-1])


def _set_attr(tag: str, name: str, value: str) -> str:
    """Set ``name`` on a start tag (``<x ...>`` or ``<x .../>``)."""
    pat = _attr_pat(name)
    new = f'{name}="{esc_attr(value)}"'
    m = pat.search(tag)
    if m:
        return tag[: m.start(0)] + m.group(1) + new + tag[m.end(0):]
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    # keep a space before '/>' if the tag had one
    while end > 0 and tag[end - 1].isspace():
        end -= 1
    return tag[:end] + " " + new + tag[end:]


def _del_attr(tag: str, name: str) -> str:
    m = _attr_pat(name).search(tag)
    if not m:
        return tag
    return tag[: m.start(0)] + tag[m.end(0):]


_ENTITY_RE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape(s: str) -> str:
    if "&" not in s:
        return s

    def repl(m: re.Match[str]) -> str:
        g = m.group(1)
        if g[0] == "#":
            try:
                return chr(int(g[2:], 16) if g[1] in "xX" else int(g[1:]))
            except (ValueError, OverflowError):  # no such character: left as written
                return m.group(0)
        return _ENTITIES[g]

    return _ENTITY_RE.sub(repl, s)


# a start tag whose attribute values may contain '>'
_TAG_TAIL = r"""(?:[^>"']|"[^"]*"|'[^']*')*?(/?)>"""


def _decode(data: bytes, part: str) -> tuple[str, str]:
    """Text and encoding of an XML part (UTF-8, or UTF-16 with a BOM)."""
    if data.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    else:
        enc = "utf-8"
    try:
        return data.decode(enc), enc
    except UnicodeDecodeError as exc:
        raise _err(f"文件内部 {part} 编码无效：{exc}", f"{part} in the package is not valid {enc}: {exc}") from None


def _encode(text: str, enc: str) -> bytes:
    return text.encode(enc)


def _check_wellformed(data: bytes, part: str, original: bytes | None = None) -> None:
    # expat raises LookupError / ValueError for an encoding it does not know
    # or cannot handle (encoding="x-klingon", "gbk"): not well-formed either
    p = expat.ParserCreate()
    try:
        p.Parse(data, True)
    except (expat.ExpatError, LookupError, ValueError) as exc:
        if original is not None:
            try:
                q = expat.ParserCreate()
                q.Parse(original, True)
            except (expat.ExpatError, LookupError, ValueError) as exc2:
                raise _err(
                    f"文件内部 {part} 不是格式正确的 XML：{exc2}",
                    f"{part} in the package is not well-formed XML: {exc2}",
                ) from None
            raise _err(
                f"修改 {part} 后 XML 无效（程序缺陷，请报告）：{exc}",
                f"patching {part} produced invalid XML (a bug, please report): {exc}",
            ) from None
        raise _err(f"文件内部 {part} 不是格式正确的 XML：{exc}",
                   f"{part} in the package is not well-formed XML: {exc}") from None


def _parse_xml(data: bytes, part: str) -> ET.Element:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise _err(f"文件内部 {part} 含有 DTD，拒绝处理", f"{part} in the package contains a DTD; refusing it")
    try:
        return ET.fromstring(data)
    except (ET.ParseError, LookupError, ValueError) as exc:
        raise _err(f"文件内部 {part} 不是格式正确的 XML：{exc}",
                   f"{part} in the package is not well-formed XML: {exc}") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels_path(part: str) -> str:
    d, n = posixpath.split(part)
    return posixpath.join(d, "_rels", n + ".rels")


def _resolve_target(source_part: str, target: str) -> str:
    target = unquote(target)
    if target.startswith("/"):
        path = target[1:]
    else:
        path = posixpath.join(posixpath.dirname(source_part), target)
    return posixpath.normpath(path).lstrip("/")


def _splice(text: str, ops: list[tuple[int, int, int, str]]) -> str:
    """Apply (start, end, order, replacement) operations to ``text``; at one
    offset, insertions (start == end) go before a replacement, in ``order``."""
    ops = sorted(ops, key=lambda o: (o[0], o[0] != o[1], o[2]))
    out: list[str] = []
    pos = 0
    for start, end, _o, repl in ops:
        if start < pos:
            raise AssertionError("overlapping patch operations")
        out.append(text[pos:start])
        out.append(repl)
        pos = end
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------
# the package


class _Package:
    """Read side: member bytes by name (case-insensitive, as OPC says)."""

    def __init__(self, zf: zipfile.ZipFile, preloaded: Mapping[str, bytes] | None = None):
        self.zf = zf
        self.infos = zf.infolist()
        self.by_lower: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            self.by_lower.setdefault(info.filename.lower(), info)
        # parts the caller already inflated from this very file (the loader's)
        self._cache: dict[str, bytes] = {
            name: data for name, data in (preloaded or {}).items()
            if (info := self.by_lower.get(name.lower())) is not None and info.filename == name
            and len(data) == info.file_size
        }

    def name(self, part: str) -> str | None:
        info = self.by_lower.get(part.lower())
        return info.filename if info else None

    def read(self, part: str) -> bytes:
        info = self.by_lower.get(part.lower())
        if info is None:
            raise _err(f"文件内部缺少部件 {part}", f"the package has no part {part}")
        data = self._cache.get(info.filename)
        if data is None:
            data = self._cache[info.filename] = self.zf.read(info)
        return data


@dataclass
class _SheetInfo:
    name: str
    rid: str
    part: str | None  # zip member name, None if the target is missing
    rel_type: str
    index: int  # position in <sheets>


class _Workbook:
    def __init__(self, pkg: _Package):
        self.pkg = pkg
        self.part = self._find_workbook_part()
        self.rels_part = _rels_path(self.part)
        self.sheets = self._read_sheets()

    def _find_workbook_part(self) -> str:
        root_rels = self.pkg.name("_rels/.rels")
        if root_rels:
            root = _parse_xml(self.pkg.read(root_rels), root_rels)
            for rel in root:
                if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                    name = self.pkg.name(_resolve_target("", rel.get("Target", "")))
                    if name:
                        return name
        name = self.pkg.name("xl/workbook.xml")
        if not name:
            raise _err("不是有效的 Excel 工作簿：找不到 workbook.xml",
                       "not a valid Excel workbook: no workbook.xml")
        return name

    def _read_sheets(self) -> list[_SheetInfo]:
        wb = _parse_xml(self.pkg.read(self.part), self.part)
        targets: dict[str, tuple[str, str]] = {}
        rels_name = self.pkg.name(self.rels_part)
        if rels_name:
            self.rels_part = rels_name
            for rel in _parse_xml(self.pkg.read(rels_name), rels_name):
                if rel.get("TargetMode") == "External":
                    continue
                targets[rel.get("Id", "")] = (rel.get("Target", ""), rel.get("Type", ""))
        out: list[_SheetInfo] = []
        for el in wb.iter():
            if _local(el.tag) != "sheets":
                continue
            for i, sh in enumerate(el):
                if _local(sh.tag) != "sheet":
                    continue
                rid = next((v for k, v in sh.attrib.items() if _local(k) == "id" and k.startswith("{")), "")
                target, rtype = targets.get(rid, ("", ""))
                part = self.pkg.name(_resolve_target(self.part, target)) if target else None
                out.append(_SheetInfo(sh.get("name", ""), rid, part, rtype, i))
            break
        return out

    def find(self, name: str) -> _SheetInfo | None:
        for s in self.sheets:
            if s.name == name:
                return s
        low = name.casefold()
        for s in self.sheets:
            if s.name.casefold() == low:
                return s
        return None


# --------------------------------------------------------------------------
# sheet patching


@dataclass
class _CellSlot:
    """Where one edit lands in the sheet text."""

    edit: Edit
    row: int
    col: int
    style: int  # the cell's current (or inherited) xf index
    new_style: int | None = None


class _RowInfo:
    __slots__ = ("r", "start", "tag_end", "end", "self_closing", "tag")

    def __init__(self, r: int, start: int, tag_end: int, end: int, self_closing: bool, tag: str):
        self.r, self.start, self.tag_end, self.end = r, start, tag_end, end
        self.self_closing, self.tag = self_closing, tag


class _SheetPatcher:
    """Targeted patch of one worksheet part."""

    def __init__(self, part: str, data: bytes):
        self.part = part
        self.data = data
        self.text, self.enc = _decode(data, part)
        t = self.text
        m = re.search(r"<([A-Za-z_][\w.-]*:)?sheetData\b" + _TAG_TAIL, t)
        if not m:
            _check_wellformed(data, part)
            raise _err(f"工作表 {part} 缺少 sheetData", f"worksheet {part} has no sheetData")
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
                _check_wellformed(data, part)
                raise _err(f"工作表 {part} 的 sheetData 未闭合", f"worksheet {part}: sheetData is not closed")
            self.sd_close = i
            self.sd_end = i + len(close)
        self.rows = self._index_rows()
        self.row_pos = {}
        for i, r in enumerate(self.rows):
            self.row_pos.setdefault(r.r, i)
        self.col_styles = self._col_styles()
        self.slots: dict[tuple[int, int], _CellSlot] = {}
        self.legacy_drawing: str | None = None  # r:id of a <legacyDrawing> to add (new comments)
        self._cells_cache: dict[int, list[tuple[int, int, int, bool, str]]] = {}

    # -- indexing
    def _index_rows(self) -> list[_RowInfo]:
        t, p = self.text, self.p
        rows: list[_RowInfo] = []
        if self.sd_self_closing:
            return rows
        pat = re.compile(r"<" + re.escape(p) + r"row(?=[\s/>])" + _TAG_TAIL)
        close = f"</{p}row>"
        pos, prev = self.sd_tag_end, 0
        while True:
            m = pat.search(t, pos, self.sd_close)
            if not m:
                break
            tag = m.group(0)
            r_attr = _get_attr(tag, "r")
            r = int(r_attr) if r_attr and r_attr.isdigit() else prev + 1
            if m.group(1) == "/":
                end = m.end()
            else:
                i = t.find(close, m.end(), self.sd_close)
                if i < 0:
                    _check_wellformed(self.data, self.part)
                    raise _err(f"工作表 {self.part} 第 {r} 行未闭合", f"worksheet {self.part}: row {r} is not closed")
                end = i + len(close)
            rows.append(_RowInfo(r, m.start(), m.end(), end, m.group(1) == "/", tag))
            prev = r
            pos = end
        return rows

    def _col_styles(self) -> list[tuple[int, int, int]]:
        t = self.text[: self.sd_start]
        out = []
        p = re.escape(self.p)
        for m in re.finditer(r"<" + p + r"col(?=[\s/>])" + _TAG_TAIL, t):
            tag = m.group(0)
            style = _get_attr(tag, "style")
            if style and style.isdigit():
                try:
                    out.append((int(_get_attr(tag, "min") or 0), int(_get_attr(tag, "max") or 0), int(style)))
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
            pat = re.compile(r"<" + re.escape(p) + r"c(?=[\s/>])" + _TAG_TAIL)
            close = f"</{p}c>"
            limit = row.end - len(f"</{p}row>")
            pos, prev = row.tag_end, 0
            while True:
                m = pat.search(t, pos, limit)
                if not m:
                    break
                tag = m.group(0)
                ref = _get_attr(tag, "r")
                if ref:
                    mm = cellref.split(ref)
                    col = _col_index(mm[0]) if mm else prev + 1
                else:
                    col = prev + 1
                if m.group(1) == "/":
                    end = m.end()
                else:
                    i = t.find(close, m.end(), limit)
                    if i < 0:
                        _check_wellformed(self.data, self.part)
                        raise _err(f"工作表 {self.part} 第 {row.r} 行有未闭合的单元格",
                                   f"worksheet {self.part}: an unclosed cell in row {row.r}")
                    end = i + len(close)
                out.append((col, m.start(), end, m.group(1) == "/", tag))
                prev = col
                pos = end
        self._cells_cache[ri] = out
        return out

    def locate(self, edit: Edit) -> _CellSlot:
        row, col = _parse_ref(edit.ref)
        slot = _CellSlot(edit, row, col, self.style_at(row, col))
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
                    s = _get_attr(tag, "s")
                    style = int(s) if s and s.isdigit() else 0
                    found = True
                    break
            if not found:
                rtag = self.rows[ri].tag
                if _get_attr(rtag, "customFormat") in ("1", "true"):
                    s = _get_attr(rtag, "s")
                    style = int(s) if s and s.isdigit() else 0
                    found = True
        if not found:
            for lo, hi, st in self.col_styles:
                if lo <= col <= hi:
                    style = st
                    break
        return style

    # -- rendering
    def _render_cell(self, slot: _CellSlot, old_tag: str | None, old_inner: str | None) -> str:
        p = self.p
        v = slot.edit.value
        if old_tag is None:
            tag = f'<{p}c r="{_col_letters(slot.col)}{slot.row}">'
        else:
            tag = old_tag
            if tag.endswith("/>"):
                tag = tag[:-2].rstrip() + ">"
            tag = _del_attr(tag, "vm")  # value metadata belongs to the old value
        s = slot.new_style if slot.new_style is not None else slot.style
        if s or _get_attr(tag, "s") is not None:
            tag = _set_attr(tag, "s", str(s))

        formula = ""
        tail = ""
        if old_inner:
            fm = re.search(r"<" + re.escape(p) + r"f(?=[\s/>])" + _TAG_TAIL, old_inner)
            if fm:
                if fm.group(1) == "/":
                    formula = fm.group(0)
                else:
                    close = f"</{p}f>"
                    i = old_inner.find(close, fm.end())
                    formula = old_inner[fm.start(): i + len(close)] if i >= 0 else fm.group(0)
                if slot.edit.formula is not None:
                    if _get_attr(fm.group(0), "ref") is not None or _get_attr(fm.group(0), "t") in ("array",
                                                                                                  "dataTable"):
                        raise _err(f"{slot.edit.ref} 的公式被其他单元格共用，不能改写",
                                   f"the formula in {slot.edit.ref} is shared by other cells; it cannot be rewritten")
                    formula = f"<{p}f>{esc_text(slot.edit.formula)}</{p}f>"
            em = re.search(r"<" + re.escape(p) + r"extLst(?=[\s/>])", old_inner)
            if em:
                tail = old_inner[em.start():]

        if v is None:
            tag = _del_attr(tag, "t")
            body = ""
        elif isinstance(v, str):
            if formula:
                tag = _set_attr(tag, "t", "str")
                body = f"<{p}v>{_xstring(v)}</{p}v>"
            else:
                tag = _set_attr(tag, "t", "inlineStr")
                body = f'<{p}is><{p}t xml:space="preserve">{_xstring(v)}</{p}t></{p}is>' \
                    if (v != v.strip() or "\n" in v or "\t" in v) else f"<{p}is><{p}t>{_xstring(v)}</{p}t></{p}is>"
        elif isinstance(v, bool):
            tag = _set_attr(tag, "t", "b")
            body = f"<{p}v>{'1' if v else '0'}</{p}v>"
        elif isinstance(v, (int, float, Decimal)):
            tag = _del_attr(tag, "t")
            body = f"<{p}v>{_number_text(v)}</{p}v>"
        else:
            raise _err(f"不支持的单元格值类型：{type(v).__name__}",
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
        by_row: dict[int, list[_CellSlot]] = {}
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
        data = _encode(_splice(t, ops), self.enc)
        _check_wellformed(data, self.part, self.data)
        return data

    def _fix_spans(self, tag: str, slots: list[_CellSlot]) -> str:
        spans = _get_attr(tag, "spans")
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
        return _set_attr(tag, "spans", f"{nlo}:{nhi}")

    def _dimension_op(self) -> tuple[int, int, int, str] | None:
        t = self.text[: self.sd_start]
        m = re.search(r"<" + re.escape(self.p) + r"dimension(?=[\s/>])" + _TAG_TAIL, t)
        if not m:
            return None
        ref = _get_attr(m.group(0), "ref")
        if not ref:
            return None
        parts = ref.replace("$", "").split(":")
        try:
            (r1, c1), (r2, c2) = _parse_ref(parts[0]), _parse_ref(parts[-1])
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
        return (m.start(), m.end(), 0, _set_attr(m.group(0), "ref", new_ref))


# --------------------------------------------------------------------------
# styles


_BUILTIN_FORMATS = {
    "General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
    "0.00E+00": 11, "# ?/?": 12, "# ??/??": 13, "mm-dd-yy": 14, "d-mmm-yy": 15, "d-mmm": 16,
    "mmm-yy": 17, "h:mm AM/PM": 18, "h:mm:ss AM/PM": 19, "h:mm": 20, "h:mm:ss": 21,
    "m/d/yy h:mm": 22, "#,##0 ;(#,##0)": 37, "#,##0 ;[Red](#,##0)": 38, "#,##0.00;(#,##0.00)": 39,
    "#,##0.00;[Red](#,##0.00)": 40, "mm:ss": 45, "[h]:mm:ss": 46, "mmss.0": 47, "##0.0E+0": 48, "@": 49,
}


# built-in date/time formats, with those Excel shows as dates in Chinese,
# Japanese and Korean locales (27–36, 50–58)
_BUILTIN_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_NUMFMT_ID = re.compile(rb'numFmtId="(\d+)"')
_FORMAT_CODE = re.compile(rb'formatCode="([^"]*)"')


def _may_show_dates(styles: bytes) -> bool:
    """A quick look at styles.xml: could any cell format show a date?"""
    if any(int(m.group(1)) in _BUILTIN_DATE_IDS for m in _NUMFMT_ID.finditer(styles)):
        return True
    return any(is_date_format(_unescape(m.group(1).decode("utf-8", "replace")))
               for m in _FORMAT_CODE.finditer(styles))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


class _Collection:
    """A counted list (``<fills>``, ``<fonts>``, ``<cellXfs>``) in styles.xml."""

    def __init__(self, styles: "_Styles", name: str, item: str):
        self.styles, self.name, self.item = styles, name, item
        self.added: list[str] = []
        self._locate()

    def _locate(self) -> None:
        t, p = self.styles.text, self.styles.p
        m = re.search(r"<" + re.escape(p) + self.name + r"(?=[\s/>])" + _TAG_TAIL, t)
        self.items: list[str] = []
        if not m:
            self.tag = None
            return
        self.tag_start, self.tag_end, self.tag = m.start(), m.end(), m.group(0)
        if m.group(1) == "/":
            self.close_start = self.close_end = m.end()
            return
        close = f"</{p}{self.name}>"
        i = t.find(close, m.end())
        if i < 0:
            raise _err("styles.xml 结构无效", "styles.xml is malformed")
        self.close_start, self.close_end = i, i + len(close)
        pat = re.compile(r"<" + re.escape(p) + self.item + r"(?=[\s/>])" + _TAG_TAIL)
        iclose = f"</{p}{self.item}>"
        pos = m.end()
        while True:
            im = pat.search(t, pos, i)
            if not im:
                break
            if im.group(1) == "/":
                end = im.end()
            else:
                j = t.find(iclose, im.end(), i)
                if j < 0:
                    raise _err("styles.xml 结构无效", "styles.xml is malformed")
                end = j + len(iclose)
            self.items.append(t[im.start(): end])
            pos = end

    def index_of(self, xml: str) -> int:
        """Index of an identical item, appending it if there is none."""
        all_items = self.items + self.added
        try:
            return all_items.index(xml)
        except ValueError:
            self.added.append(xml)
            return len(all_items)

    def ops(self) -> list[tuple[int, int, int, str]]:
        if not self.added:
            return []
        if self.tag is None:
            raise _err(f"styles.xml 缺少 {self.name}", f"styles.xml has no {self.name}")
        p = self.styles.p
        count = len(self.items) + len(self.added)
        tag = _set_attr(self.tag, "count", str(count)) if _get_attr(self.tag, "count") is not None else self.tag
        if self.tag.endswith("/>"):
            tag = tag[:-2].rstrip() + ">"
            return [(self.tag_start, self.tag_end, 0, tag + "".join(self.added) + f"</{p}{self.name}>")]
        out = [(self.close_start, self.close_start, 0, "".join(self.added))]
        if tag != self.tag:
            out.append((self.tag_start, self.tag_end, 0, tag))
        return out


class _Styles:
    def __init__(self, part: str, data: bytes):
        self.part, self.data = part, data
        self.text, self.enc = _decode(data, part)
        m = re.search(r"<([A-Za-z_][\w.-]*:)?styleSheet\b", self.text)
        if not m:
            _check_wellformed(data, part)
            raise _err("styles.xml 缺少 styleSheet 根元素", "styles.xml has no styleSheet root")
        self.p = m.group(1) or ""
        self.fonts = _Collection(self, "fonts", "font")
        self.fills = _Collection(self, "fills", "fill")
        self.borders = _Collection(self, "borders", "border")
        self.xfs = _Collection(self, "cellXfs", "xf")
        self.style_xfs = _Collection(self, "cellStyleXfs", "xf")
        self._numfmt_added: list[tuple[int, str]] = []
        self._numfmts = self._read_numfmts()
        self._mark_fill: int | None = None
        self._mark_border: int | None = None

    def _read_numfmts(self) -> dict[int, str]:
        """Formats declared in ``<numFmts>`` (those a cell xf may use); ids
        used anywhere (dxfs too) are remembered so a new id never clashes."""
        out: dict[int, str] = {}
        p = re.escape(self.p)
        self._used_numfmt_ids = {0}
        m = re.search(r"<" + p + r"numFmts(?=[\s/>])" + _TAG_TAIL, self.text)
        end = -1
        if m and m.group(1) != "/":
            end = self.text.find(f"</{self.p}numFmts>", m.end())
        for nm in re.finditer(r"<" + p + r"numFmt(?=[\s/>])" + _TAG_TAIL, self.text):
            i, code = _get_attr(nm.group(0), "numFmtId"), _get_attr(nm.group(0), "formatCode")
            if not (i and i.isdigit()):
                continue
            self._used_numfmt_ids.add(int(i))
            if m and m.end() <= nm.start() < end and code is not None:
                out[int(i)] = code
        return out

    def numfmt_id(self, code: str) -> int:
        for i, c in self._numfmts.items():
            if c == code:
                return i
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        new = max([163, *self._numfmts, *self._used_numfmt_ids]) + 1
        self._numfmts[new] = code
        self._numfmt_added.append((new, code))
        return new

    def numfmt_code(self, i: int) -> str | None:
        if i in self._numfmts:
            return self._numfmts[i]
        for code, j in _BUILTIN_FORMATS.items():
            if j == i:
                return code
        return None

    def is_date(self, index: int) -> bool:
        """True when xf ``index`` shows a number as a date or time."""
        if not (self.xfs.items or self.xfs.added):
            return False
        m = re.match(r"<" + re.escape(self.p) + r"xf(?=[\s/>])" + _TAG_TAIL, self.xf(index))
        cur = _get_attr(m.group(0), "numFmtId") if m else None
        if not (cur and cur.isdigit()):
            return False
        i = int(cur)
        if i in self._numfmts:
            return is_date_format(self._numfmts[i])
        return i in _BUILTIN_DATE_IDS

    def mark_fill(self) -> int:
        if self._mark_fill is None:
            p = self.p
            xml = (f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{MARK_FILL_RGB}"/>'
                   f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')
            self._mark_fill = self.fills.index_of(xml)
        return self._mark_fill

    def mark_border(self) -> int:
        """A medium frame all round: a marked cell stays visible on paper."""
        if self._mark_border is None:
            self._mark_border = self.borders.index_of(self.border("medium", MARK_BORDER_RGB))
        return self._mark_border

    def border(self, style: str | None, rgb: str = "FF000000") -> str:
        p = self.p
        if style is None:
            return f"<{p}border><{p}left/><{p}right/><{p}top/><{p}bottom/><{p}diagonal/></{p}border>"
        side = "".join(f'<{p}{k} style="{style}"><{p}color rgb="{rgb}"/></{p}{k}>'
                       for k in ("left", "right", "top", "bottom"))
        return f"<{p}border>{side}<{p}diagonal/></{p}border>"

    def add_fill(self, rgb: str) -> int:
        p = self.p
        return self.fills.index_of(f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{rgb}"/>'
                                   f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')

    def numfmt_of(self, xf_index: int) -> tuple[int, str]:
        """The number format (id, code) of cell style ``xf_index``."""
        cache = self.__dict__.setdefault("_numfmt_cache", {})
        found = cache.get(xf_index)
        if found is None:
            found = cache[xf_index] = self._numfmt_of(xf_index)
        return found

    def _numfmt_of(self, xf_index: int) -> tuple[int, str]:
        m = re.match(r"<" + re.escape(self.p) + r"xf(?=[\s/>])" + _TAG_TAIL, self.xf(xf_index))
        cur = _get_attr(m.group(0), "numFmtId") if m else None
        i = int(cur) if cur and cur.isdigit() else 0
        return i, self.numfmt_code(i) or "General"

    def xf(self, index: int) -> str:
        items = self.xfs.items + self.xfs.added
        if not items:
            raise _err("styles.xml 缺少 cellXfs", "styles.xml has no cellXfs")
        return items[index] if 0 <= index < len(items) else items[0]

    def derive(self, index: int, *, mark: bool, number_format: str | None) -> int:
        """The xf index for a cell whose xf was ``index``, marked and/or with a
        number format; identical xfs are reused (so a second run adds none)."""
        xml = self.xf(index)
        m = re.match(r"<" + re.escape(self.p) + r"xf(?=[\s/>])" + _TAG_TAIL, xml)
        tag = m.group(0)
        new_tag = tag
        if number_format is not None:
            cur = _get_attr(tag, "numFmtId")
            cur_code = self.numfmt_code(int(cur)) if cur and cur.isdigit() else "General"
            if cur_code != number_format:
                new_tag = _set_attr(new_tag, "numFmtId", str(self.numfmt_id(number_format)))
                new_tag = _set_attr(new_tag, "applyNumberFormat", "1")
        if mark:
            new_tag = _set_attr(new_tag, "fillId", str(self.mark_fill()))
            new_tag = _set_attr(new_tag, "applyFill", "1")
            if self.borders.tag is not None:
                new_tag = _set_attr(new_tag, "borderId", str(self.mark_border()))
                new_tag = _set_attr(new_tag, "applyBorder", "1")
        if new_tag == tag:
            return index
        return self.xfs.index_of(new_tag + xml[len(tag):])

    def add_font(self, base: int, *, bold: bool = False, link: bool = False, size: float | None = None,
                 rgb: str | None = None) -> int:
        items = self.fonts.items + self.fonts.added
        if not items:
            raise _err("styles.xml 缺少 fonts", "styles.xml has no fonts")
        xml = items[base if base < len(items) else 0]
        p = self.p
        m = re.match(r"<" + re.escape(p) + r"font(?=[\s/>])" + _TAG_TAIL, xml)
        if m.group(1) == "/":
            open_tag, inner = m.group(0)[:-2].rstrip() + ">", ""
        else:
            open_tag, inner = m.group(0), xml[m.end(): -len(f"</{p}font>")]
        inner = re.sub(r"<" + re.escape(p) + r"(b|u)(?=[\s/>])" + _TAG_TAIL, "", inner)
        if link:
            rgb = "FF0563C1"
        if size is not None:
            inner = re.sub(r"<" + re.escape(p) + r"sz(?=[\s/>])" + _TAG_TAIL, "", inner)
        if rgb is not None:
            inner = re.sub(r"<" + re.escape(p) + r"color(?=[\s/>])" + _TAG_TAIL, "", inner)
        # CT_Font children: b, i, strike, condense, extend, outline, shadow, u, vertAlign, sz, color, name, ...
        head = (f"<{p}b/>" if bold else "")
        if link:
            head += f"<{p}u/>"
        if size is not None:
            head += f'<{p}sz val="{size:g}"/>'
            sz_end = 0
        else:
            sz = re.search(r"<" + re.escape(p) + r"sz(?=[\s/>])" + _TAG_TAIL, inner)
            sz_end = sz.end() if sz else 0
        colour = f'<{p}color rgb="{rgb}"/>' if rgb is not None else ""
        inner = head + inner[:sz_end] + colour + inner[sz_end:] if size is None else head + colour + inner
        return self.fonts.index_of(f"{open_tag}{inner}</{p}font>")

    def add_xf(self, *, font: int = 0, fill: int = 0, wrap: bool = False, border: int = 0, numfmt: int = 0,
               horizontal: str | None = None, vertical: str | None = None) -> int:
        p = self.p
        xf_id = ' xfId="0"' if self.style_xfs.items else ""
        attrs = f'numFmtId="{numfmt}" fontId="{font}" fillId="{fill}" borderId="{border}"{xf_id}'
        if numfmt:
            attrs += ' applyNumberFormat="1"'
        if font:
            attrs += ' applyFont="1"'
        if fill:
            attrs += ' applyFill="1"'
        if border:
            attrs += ' applyBorder="1"'
        if wrap and vertical is None:
            vertical = "top"
        align = "".join(f' {k}="{v}"' for k, v in (("horizontal", horizontal), ("vertical", vertical)) if v)
        if wrap:
            align += ' wrapText="1"'
        if align:
            return self.xfs.index_of(f'<{p}xf {attrs} applyAlignment="1"><{p}alignment{align}/></{p}xf>')
        return self.xfs.index_of(f"<{p}xf {attrs}/>")

    def render(self) -> bytes:
        ops = self.fonts.ops() + self.fills.ops() + self.borders.ops() + self.xfs.ops()
        if self._numfmt_added:
            p = self.p
            new = "".join(f'<{p}numFmt numFmtId="{i}" formatCode="{esc_attr(c)}"/>' for i, c in self._numfmt_added)
            nf = _Collection(self, "numFmts", "numFmt")
            if nf.tag is None:
                at = self.fonts.tag_start if self.fonts.tag is not None else self._first_child_pos()
                ops.append((at, at, -1, f'<{p}numFmts count="{len(self._numfmt_added)}">{new}</{p}numFmts>'))
            else:
                nf.added = [new]  # count fixed below
                tag = nf.tag
                if _get_attr(tag, "count") is not None:
                    tag = _set_attr(tag, "count", str(len(nf.items) + len(self._numfmt_added)))
                if tag.endswith("/>"):
                    ops.append((nf.tag_start, nf.tag_end, 0, tag[:-2].rstrip() + ">" + new + f"</{p}numFmts>"))
                else:
                    ops.append((nf.close_start, nf.close_start, 0, new))
                    if tag != nf.tag:
                        ops.append((nf.tag_start, nf.tag_end, 0, tag))
        if not ops:
            return self.data
        data = _encode(_splice(self.text, ops), self.enc)
        _check_wellformed(data, self.part, self.data)
        return data

    def _first_child_pos(self) -> int:
        m = re.search(r"<" + re.escape(self.p) + r"styleSheet\b" + _TAG_TAIL, self.text)
        return m.end()


# --------------------------------------------------------------------------
# workbook.xml


_WB_AFTER_DEFINED_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
                           "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")
_WB_AFTER_CALCPR = _WB_AFTER_DEFINED_NAMES[1:]


class _WorkbookXml:
    def __init__(self, part: str, data: bytes):
        self.part, self.data = part, data
        self.text, self.enc = _decode(data, part)
        m = re.search(r"<([A-Za-z_][\w.-]*:)?workbook\b" + _TAG_TAIL, self.text)
        if not m:
            _check_wellformed(data, part)
            raise _err("workbook.xml 缺少 workbook 根元素", "workbook.xml has no workbook root")
        self.p = m.group(1) or ""
        self.root_tag = m.group(0)

    def _find(self, name: str, text: str | None = None) -> re.Match[str] | None:
        t = self.text if text is None else text
        return re.search(r"<" + re.escape(self.p) + name + r"(?=[\s/>])" + _TAG_TAIL, t)

    def _insert_before(self, names: Iterable[str], xml: str) -> None:
        t = self.text
        best = None
        for n in names:
            m = re.search(r"<" + re.escape(self.p) + n + r"(?=[\s/>])", t)
            if m and (best is None or m.start() < best):
                best = m.start()
        if best is None:
            best = t.rfind(f"</{self.p}workbook>")
        self.text = t[:best] + xml + t[best:]

    def full_calc_on_load(self) -> None:
        m = self._find("calcPr")
        if m:
            tag = _set_attr(m.group(0), "fullCalcOnLoad", "1")
            self.text = self.text[: m.start()] + tag + self.text[m.end():]
        else:
            self._insert_before(_WB_AFTER_CALCPR, f'<{self.p}calcPr fullCalcOnLoad="1"/>')

    def add_sheet(self, name: str, sheet_id: int, rid: str, r_prefix: str) -> None:
        p = self.p
        xml = f'<{p}sheet name="{esc_attr(name)}" sheetId="{sheet_id}" {r_prefix}id="{rid}"/>'
        close = f"</{p}sheets>"
        i = self.text.find(close)
        if i < 0:
            raise _err("workbook.xml 缺少 sheets", "workbook.xml has no sheets element")
        self.text = self.text[:i] + xml + self.text[i:]

    def set_filter_name(self, local_sheet_id: int, value: str) -> None:
        self.set_local_name("_xlnm._FilterDatabase", local_sheet_id, value, hidden=True)

    def set_local_name(self, name: str, local_sheet_id: int, value: str, hidden: bool = False) -> None:
        """Set (or replace) the sheet-local defined name ``name``."""
        p = self.p
        hid = ' hidden="1"' if hidden else ""
        xml = (f'<{p}definedName name="{name}" localSheetId="{local_sheet_id}"{hid}>'
               f"{esc_text(value)}</{p}definedName>")
        t = self.text
        pat = re.compile(r"<" + re.escape(p) + r"definedName(?=[\s/>])" + _TAG_TAIL)
        for m in pat.finditer(t):
            tag = m.group(0)
            if _get_attr(tag, "name") == name and _get_attr(tag, "localSheetId") == str(local_sheet_id):
                close = f"</{p}definedName>"
                end = m.end() if m.group(1) == "/" else t.find(close, m.end()) + len(close)
                self.text = t[: m.start()] + xml + t[end:]
                return
        m = self._find("definedNames")
        if m and m.group(1) != "/":
            i = t.find(f"</{p}definedNames>", m.end())
            self.text = t[:i] + xml + t[i:]
        elif m:
            self.text = t[: m.start()] + f"<{p}definedNames>{xml}</{p}definedNames>" + t[m.end():]
        else:
            self._insert_before(_WB_AFTER_DEFINED_NAMES, f"<{p}definedNames>{xml}</{p}definedNames>")

    def render(self) -> bytes:
        data = _encode(self.text, self.enc)
        if data != self.data:
            _check_wellformed(data, self.part, self.data)
        return data


# --------------------------------------------------------------------------
# the report sheet


def _patch_content_types(data: bytes, part: str) -> bytes:
    text, enc = _decode(data, "[Content_Types].xml")
    i = text.rfind("</Types>")
    if i < 0:
        m = re.search(r"</([A-Za-z_][\w.-]*:)?Types>", text)
        if not m:
            raise _err("[Content_Types].xml 无效", "[Content_Types].xml is malformed")
        i = m.start()
    text = text[:i] + f'<Override PartName="/{part}" ContentType="{_WS_CT}"/>' + text[i:]
    out = _encode(text, enc)
    _check_wellformed(out, "[Content_Types].xml", data)
    return out


def _patch_rels(data: bytes, rid: str, target: str, rel_type: str) -> bytes:
    xml = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{esc_attr(target)}"/>'
    text, enc = _decode(data, "workbook.xml.rels")
    m = re.search(r"</([A-Za-z_][\w.-]*:)?Relationships>", text)
    if not m:
        m2 = re.search(r"<([A-Za-z_][\w.-]*:)?Relationships\b" + _TAG_TAIL, text)
        if not m2 or m2.group(2) != "/":
            raise _err("workbook.xml.rels 无效", "workbook.xml.rels is malformed")
        text = text[: m2.start()] + m2.group(0)[:-2].rstrip() + ">" + xml + "</Relationships>" + text[m2.end():]
    else:
        text = text[: m.start()] + xml.replace("<Relationship ", f"<{m.group(1) or ''}Relationship ") + text[m.start():]
    out = _encode(text, enc)
    _check_wellformed(out, "workbook.xml.rels", data)
    return out


def _patch_app_xml(data: bytes, worksheet_names: list[str], new_name: str) -> bytes:
    """Add ``new_name`` after the worksheet titles in TitlesOfParts and bump
    the worksheet count in HeadingPairs, keeping the two consistent.  Returns
    ``data`` unchanged when the structure is not what we recognise."""
    try:
        text, enc = _decode(data, "docProps/app.xml")
        hp = re.search(r"<(\w+:)?HeadingPairs>(.*?)</\1?HeadingPairs>", text, re.S)
        tp = re.search(r"<(\w+:)?TitlesOfParts>(.*?)</\1?TitlesOfParts>", text, re.S)
        if not hp or not tp:
            return data
        hp_inner, tp_inner = hp.group(2), tp.group(2)
        pairs = re.findall(r"<(\w+:)?lpstr>(.*?)</\1?lpstr>\s*</(?:\w+:)?variant>\s*<(?:\w+:)?variant>\s*"
                           r"<(?:\w+:)?i4>(\d+)</(?:\w+:)?i4>", hp_inner, re.S)
        title_iter = list(re.finditer(r"<(\w+:)?lpstr>(.*?)</\1?lpstr>", tp_inner, re.S))
        counts = [int(c) for _p, _n, c in pairs]
        if not pairs or sum(counts) != len(title_iter):
            return data
        tvec = re.search(r"<(\w+:)?vector\b" + _TAG_TAIL, tp_inner)
        if not tvec or _get_attr(tvec.group(0), "size") != str(len(title_iter)):
            return data
        # the heading pair whose titles are exactly the worksheet names
        ws = set(worksheet_names)
        start = 0
        which = None
        for k, c in enumerate(counts):
            titles = [_unescape(m.group(2)) for m in title_iter[start: start + c]]
            if c and all(t in ws for t in titles) and len(titles) == len(worksheet_names):
                which = (k, start, c)
                break
            start += c
        if which is None:
            return data
        k, start, c = which
        # bump the i4 of pair k
        i4s = list(re.finditer(r"(<(?:\w+:)?i4>)(\d+)(</(?:\w+:)?i4>)", hp_inner))
        if len(i4s) != len(pairs):
            return data
        m = i4s[k]
        hp_new = hp_inner[: m.start(2)] + str(c + 1) + hp_inner[m.end(2):]
        # insert the title after the last worksheet title
        last = title_iter[start + c - 1]
        prefix = last.group(1) or ""
        tp_new = tp_inner[: last.end()] + f"<{prefix}lpstr>{esc_text(new_name)}</{prefix}lpstr>" + tp_inner[last.end():]
        tv = re.search(r"<(\w+:)?vector\b" + _TAG_TAIL, tp_new)
        tp_new = tp_new[: tv.start()] + _set_attr(tv.group(0), "size", str(len(title_iter) + 1)) + tp_new[tv.end():]
        new_text = (text[: hp.start(2)] + hp_new + text[hp.end(2): tp.start(2)] + tp_new + text[tp.end(2):])
        out = _encode(new_text, enc)
        _check_wellformed(out, "docProps/app.xml")
        return out
    except (SelfevalError, ValueError, AttributeError):
        return data


# --------------------------------------------------------------------------
# zip writing


def _clone_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type = info.compress_type
    new.comment = info.comment
    new.external_attr = info.external_attr
    new.internal_attr = info.internal_attr
    new.create_system = info.create_system
    # keep extra fields except zip64 (0x0001), which zipfile writes itself
    extra, out, i = info.extra, b"", 0
    while i + 4 <= len(extra):
        hid = int.from_bytes(extra[i: i + 2], "little")
        ln = int.from_bytes(extra[i + 2: i + 4], "little")
        if hid != 0x0001:
            out += extra[i: i + 4 + ln]
        i += 4 + ln
    new.extra = out
    return new


# zlib level for the members written back: level 1 deflates these small XML
# parts about three times faster than the default 6 for a few % more bytes
# (the content is what must stay identical, and it does).
_LEVEL = 1


@dataclass(frozen=True)
class _RawMember:
    """A member copied as stored: compressed bytes with their CRC and size."""

    compress_type: int
    crc: int
    file_size: int
    raw: bytes
    flags: int = 0  # compression option bits (LZMA's end marker); never a data descriptor


def _raw_bytes(zin: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of a member, read past its local header."""
    if info.flag_bits & 0x1:
        raise _err("文件内部部件已加密，无法修改", "a part of the package is encrypted; it cannot be modified")
    zin.fp.seek(info.header_offset)
    header = zin.fp.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    zin.fp.seek(info.header_offset + 30 + name_len + extra_len)
    raw = zin.fp.read(info.compress_size)
    if len(raw) != info.compress_size:
        raise zipfile.BadZipFile(f"truncated member {info.filename}")
    return raw


def _write_raw(zout: zipfile.ZipFile, info: zipfile.ZipInfo, member: _RawMember) -> None:
    """Append a member's stored bytes as they are.  zipfile has no public
    call for this; this does what ZipFile._open_to_write and
    _ZipWriteFile.close do, with the sizes and CRC known up front."""
    info.compress_type = member.compress_type
    info.CRC, info.file_size, info.compress_size = member.crc, member.file_size, len(member.raw)
    info.flag_bits = member.flags  # sizes are in the local header: no data descriptor
    zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
    zout.fp.seek(zout.start_dir)
    info.header_offset = zout.fp.tell()
    zout._writecheck(info)
    zout._didModify = True
    zout.fp.write(info.FileHeader(zip64))
    zout.fp.write(member.raw)
    zout.start_dir = zout.fp.tell()
    zout.filelist.append(info)
    zout.NameToInfo[info.filename] = info


def _write_atomic(dst: Path, members: list[tuple[zipfile.ZipInfo, bytes | _RawMember]], comment: bytes,
                  like: Path | None = None) -> None:
    with replacing(dst, like=like) as temp, open(temp, "wb") as fh:
        with zipfile.ZipFile(fh, "w") as zout:
            for info, data in members:
                if isinstance(data, _RawMember):
                    _write_raw(zout, info, data)
                else:
                    zout.writestr(info, data, compresslevel=_LEVEL)
            zout.comment = comment
        fh.flush()
        os.fsync(fh.fileno())
    # (no fsync of the folder: the brief's contract is file fsync + rename, and
    # on slow disks a second fsync doubles the cost of a one-sheet patch)


# --------------------------------------------------------------------------
# the entry point


def patch_workbook(
    src: Path,
    dst: Path,
    edits: Sequence[Edit],
    *,
    mark: bool = True,
    report: Report | Sequence[ReportRow] | None = None,
    report_sheet: str = "校验结果",
    report_headers: Sequence[str] = REPORT_HEADERS,
    parts: Mapping[str, bytes] | None = None,
    like: Path | None = None,
) -> None:
    """Write ``src`` with ``edits`` applied to ``dst`` (atomically; ``src``
    may be ``dst``).  ``parts``: members of ``src`` already inflated (by the
    loader); they are used instead of inflating those members again.

    ``mark=True`` gives every edited cell a light fill and a medium frame (a
    new xf derived from its own) and its ``note`` as a cell comment (merged
    into the sheet's comments: a user's comment on the same cell keeps its
    text, the note is added below it), and, when ``report`` is given (even
    empty), writes the report sheet (the 审核意见单) named ``report_sheet``.
    A sheet of that name is replaced only when it is the tool's own report
    (its A1 ends with one of ``REPORT_MARKS``) and not in
    ``report.protect``; otherwise the report takes the first free name
    ``report_sheet(2)``, ``(3)`` ….  ``mark=False`` leaves styles.xml alone
    (except for a requested ``number_format``) and adds no sheet or comment.
    """
    if report is not None and not isinstance(report, Report):
        report = Report(rows=list(report), headers=tuple(report_headers))
    src, dst = Path(src), Path(dst)
    try:
        zin = zipfile.ZipFile(src)
    except FileNotFoundError:
        raise _err(f"找不到文件：{src}", f"file not found: {src}") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise _err(f"不是有效的 xlsx/xlsm 文件（无法作为 zip 打开）：{exc}",
                   f"not a valid xlsx/xlsm file (cannot open as zip): {exc}") from None
    with zin:
        try:
            members = _build(zin, edits, parts, mark=mark, report=report, report_sheet=report_sheet,
                             report_headers=report_headers)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
            raise _err(f"文件已损坏，无法读取：{exc}", f"the file is damaged and cannot be read: {exc}") from None
        comment = zin.comment
    try:
        _write_atomic(dst, members, comment, like)
    except OSError as exc:
        raise _err(*write_error(exc, dst)) from exc


def _build(zin: zipfile.ZipFile, edits: Sequence[Edit], parts: Mapping[str, bytes] | None, *, mark: bool,
           report: Report | None, report_sheet: str,
           report_headers: Sequence[str] = REPORT_HEADERS) -> list[tuple[zipfile.ZipInfo, bytes]]:
    if report is not None and not isinstance(report, Report):
        report = Report(rows=list(report), headers=tuple(report_headers))
    pkg = _Package(zin, parts)
    wb = _Workbook(pkg)
    replaced: dict[str, bytes] = {}
    new_members: list[tuple[zipfile.ZipInfo, bytes]] = []
    want_report = mark and report is not None
    existing: _SheetInfo | None = None
    if want_report:
        assert report is not None
        report_sheet, existing = _report_target(pkg, wb, report_sheet, report.protect)

    # 1. locate every edit
    patchers: dict[str, _SheetPatcher] = {}
    slots: list[_CellSlot] = []
    for edit in edits:
        info = wb.find(edit.sheet)
        if info is None:
            names = "、".join(s.name for s in wb.sheets)
            raise _err(f"找不到工作表“{edit.sheet}”（现有：{names}）",
                       f"no sheet named {edit.sheet!r} (sheets: {', '.join(s.name for s in wb.sheets)})")
        if info.part is None:
            raise _err(f"工作表“{edit.sheet}”的部件缺失", f"the part of sheet {edit.sheet!r} is missing")
        if not info.rel_type.endswith("/worksheet"):
            raise _err(f"“{edit.sheet}”不是普通工作表（可能是图表工作表）",
                       f"{edit.sheet!r} is not a worksheet (a chart sheet?)")
        if existing is not None and info is existing:
            raise _err(f"不能同时修改和重写报告工作表“{report_sheet}”",
                       f"cannot edit the report sheet {report_sheet!r} while rewriting it")
        patcher = patchers.get(info.part)
        if patcher is None:
            patcher = patchers[info.part] = _SheetPatcher(info.part, pkg.read(info.part))
        slots.append(patcher.locate(edit))

    # 2. styles (a number into a date-formatted cell changes its format too)
    must_style = want_report or any((mark or s.edit.number_format is not None) for s in slots)
    need_styles = must_style or any(_is_number(s.edit.value) for s in slots)
    styles: _Styles | None = None
    styles_part = None
    if need_styles:
        for rel in _parse_xml(pkg.read(wb.rels_part), wb.rels_part) if pkg.name(wb.rels_part) else []:
            if rel.get("Type", "").endswith("/styles"):
                styles_part = pkg.name(_resolve_target(wb.part, rel.get("Target", "")))
                break
        styles_part = styles_part or pkg.name(posixpath.join(posixpath.dirname(wb.part), "styles.xml"))
        if styles_part is None and not must_style:
            need_styles = False  # no styles at all: no cell is formatted as a date
        elif styles_part is None:
            raise _err("工作簿缺少样式部件 styles.xml，无法标记修改的单元格",
                       "the workbook has no styles.xml; cannot mark the changed cells")
    if need_styles and not must_style and not _may_show_dates(pkg.read(styles_part)):  # type: ignore[arg-type]
        need_styles = False  # no date format anywhere: styles.xml stays as it is, unparsed
    if need_styles:
        assert styles_part is not None
        styles = _Styles(styles_part, pkg.read(styles_part))
        for s in slots:
            number_format = s.edit.number_format
            if number_format is None and _is_number(s.edit.value) and styles.is_date(s.style):
                number_format = "General"
            if mark or number_format is not None:
                s.new_style = styles.derive(s.style, mark=mark, number_format=number_format)

    # 3. notes on the changed cells (comments), then the sheet parts
    if mark and styles is not None:
        by_part: dict[str, list[tuple[_CellSlot, str]]] = {}
        for part, patcher in patchers.items():
            for slot in patcher.slots.values():
                if slot.edit.note:
                    old_code = styles.numfmt_of(slot.style)[1]
                    new_code = styles.numfmt_of(slot.new_style if slot.new_style is not None else slot.style)[1]
                    text = (slot.edit.note.replace("{old}", display_value(slot.edit.old, old_code) or "（空）")
                            .replace("{new}", display_value(slot.edit.value, new_code)))
                    by_part.setdefault(part, []).append((slot, text))
        taken = {i.filename.lower() for i in pkg.infos}
        for part, notes in by_part.items():
            _add_comments(pkg, patchers[part], notes, replaced, new_members, taken)

    for part, patcher in patchers.items():
        data = patcher.render()
        if patcher.legacy_drawing is not None:
            data = _insert_legacy_drawing(data, patcher)
        if data != patcher.data:
            replaced[part] = data

    # 4. workbook.xml
    wbx = _WorkbookXml(wb.part, pkg.read(wb.part))
    if edits:
        wbx.full_calc_on_load()

    new_member: tuple[zipfile.ZipInfo, bytes] | None = None
    if want_report:
        assert styles is not None and report is not None
        ns_m = re.search(r'xmlns(?::\w+)?="([^"]*/main)"', wbx.root_tag)
        ns = ns_m.group(1) if ns_m else _MAIN_NS
        r_ns = _R_NS if ns == _MAIN_NS else "http://purl.oclc.org/ooxml/officeDocument/relationships"
        names = {s.name for s in wb.sheets}

        def cell_style(sheet: str, ref: str) -> int | None:
            info = wb.find(sheet)
            if info is None or info.part is None or not info.rel_type.endswith("/worksheet"):
                return None
            try:
                row, col = _parse_ref(ref)
            except SelfevalError:
                return None
            patcher = patchers.get(info.part)
            if patcher is None:
                patcher = patchers[info.part] = _SheetPatcher(info.part, pkg.read(info.part))
            slot = patcher.slots.get((row, col))
            if slot is not None:
                return slot.style
            return patcher.style_at(row, col)

        def new_style(sheet: str, ref: str) -> int | None:
            info = wb.find(sheet)
            patcher = patchers.get(info.part) if info is not None and info.part else None
            try:
                slot = patcher.slots.get(_parse_ref(ref)) if patcher else None
            except SelfevalError:
                slot = None
            if slot is None:
                return None
            return slot.new_style if slot.new_style is not None else slot.style

        xml, table = build_report_sheet(report, styles, sheet_names=names, ns=ns, r_ns=r_ns,
                                        old_style=cell_style, new_style=new_style)
        data = xml.encode("utf-8")
        quoted = "'" + report_sheet.replace("'", "''") + "'"
        first, last = table
        filter_ref = f"{quoted}!$A${first}:$G${last}"
        titles_ref = f"{quoted}!${first}:${first}"
        if existing is not None:
            replaced[existing.part] = data
            wbx.set_filter_name(existing.index, filter_ref)
            wbx.set_local_name("_xlnm.Print_Titles", existing.index, titles_ref)
        else:
            _check_sheet_name(report_sheet)
            new_member = _add_sheet(pkg, wb, wbx, report_sheet, data, replaced)
            wbx.set_filter_name(len(wb.sheets), filter_ref)
            wbx.set_local_name("_xlnm.Print_Titles", len(wb.sheets), titles_ref)

    wb_data = wbx.render()
    if wb_data != wbx.data:
        replaced[wb.part] = wb_data
    if styles is not None:
        sdata = styles.render()
        if sdata != styles.data:
            replaced[styles.part] = sdata

    # 5. assemble: same order, same ZipInfo metadata
    out: list[tuple[zipfile.ZipInfo, bytes]] = []
    for info in pkg.infos:
        data = replaced.get(info.filename)
        if data is None:
            # untouched: its compressed bytes as they are (no inflate/deflate)
            data = _RawMember(info.compress_type, info.CRC, info.file_size, _raw_bytes(zin, info),
                              info.flag_bits & 0x06)
        out.append((_clone_info(info), data))
    out.extend(new_members)
    if new_member:
        out.append(new_member)
    return out


def _report_target(pkg: _Package, wb: _Workbook, base: str,
                   protect: frozenset[str]) -> tuple[str, _SheetInfo | None]:
    """The report sheet's name and the sheet it replaces (None: a new one).
    A sheet is replaced only when it is the tool's own report; a user's
    sheet of that name (a form, notes, anything) is kept and the report
    takes the next free name: 校验结果(2), 校验结果(3) …"""
    for k in range(1, 1000):
        name = base if k == 1 else f"{base}({k})"
        info = wb.find(name)
        if info is None:
            return name, None
        if (info.name not in protect and info.part is not None and info.rel_type.endswith("/worksheet")
                and _is_own_report(pkg, wb, info.part)):
            return info.name, info
    raise _err("找不到可用的报告工作表名称", "no free name for the report sheet")


_T_RE = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.S)
#: the first row of the report sheet as versions before the 审核意见单 wrote it
_OLD_REPORT_HEADS = (("代码", "级别"), ("Code", "Severity"))


def _is_own_report(pkg: _Package, wb: _Workbook, part: str) -> bool:
    """Whether a sheet is a report this tool wrote: its A1 (inline or shared
    string, as Excel may have re-saved it) ends with a ``REPORT_MARKS`` text
    (or A1, B1 are the old report's 代码, 级别)."""
    try:
        text, _enc = _decode(pkg.read(part), part)
    except SelfevalError:
        return False
    head = text[: text.find("</row>") + 6] if "</row>" in text else text[:20000]
    a1, b1 = _cell_text(pkg, wb, head, "A1"), _cell_text(pkg, wb, head, "B1")
    if a1 is None:
        return False
    a1 = a1.strip()
    return (any(a1.endswith(mark) or a1.startswith(mark) for mark in REPORT_MARKS)
            or (a1, (b1 or "").strip()) in _OLD_REPORT_HEADS)


def _cell_text(pkg: _Package, wb: _Workbook, xml: str, ref: str) -> str | None:
    m = re.search(r"<(?:\w+:)?c\s[^>]*?\br=\"" + ref + r"\"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)", xml, re.S)
    if not m or not m.group(1):
        return None
    tag = xml[m.start(): xml.find(">", m.start()) + 1]
    kind, inner = _get_attr(tag, "t"), m.group(1)
    if kind == "inlineStr":
        return "".join(_unescape(t) for t in _T_RE.findall(inner))
    if kind == "s":
        v = re.search(r"<(?:\w+:)?v>\s*(\d+)\s*</", inner)
        return _shared_string(pkg, wb, int(v.group(1))) if v else None
    return None


def _shared_string(pkg: _Package, wb: _Workbook, index: int) -> str:
    rels_name = pkg.name(wb.rels_part)
    part = None
    if rels_name:
        for rel in _parse_xml(pkg.read(rels_name), rels_name):
            if rel.get("Type", "").endswith("/sharedStrings"):
                part = pkg.name(_resolve_target(wb.part, rel.get("Target", "")))
    if part is None:
        return ""
    text, _enc = _decode(pkg.read(part), part)
    for i, m in enumerate(re.finditer(r"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", text, re.S)):
        if i == index:
            return "".join(_unescape(t) for t in _T_RE.findall(m.group(1)))
    return ""


# --------------------------------------------------------------------------
# cell comments (notes) on the changed cells

_COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
_VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_VML_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_NOTE_RPR = '<rPr><sz val="10"/><color indexed="81"/><rFont val="宋体"/><family val="3"/><charset val="134"/></rPr>'


def _free_name(taken: set[str], pattern: str) -> str:
    k = 1
    while pattern.format(k).lower() in taken:
        k += 1
    name = pattern.format(k)
    taken.add(name.lower())
    return name


def _add_comments(pkg: _Package, patcher: "_SheetPatcher", notes: list[tuple["_CellSlot", str]],
                  replaced: dict[str, bytes], new_members: list[tuple[zipfile.ZipInfo, bytes]],
                  taken: set[str]) -> None:
    """Merge one note per changed cell into the sheet's comments part (and
    its VML drawing), creating the parts, relationships and content types
    when the sheet has none.  A user's comment on the same cell keeps its
    runs byte for byte; the note is a run added after them.  Our own
    comments (author ``COMMENT_AUTHOR``) and added runs are replaced, so a
    second run writes the same bytes."""
    sheet_part = patcher.part
    rels_part = _rels_path(sheet_part)
    rels_name = pkg.name(rels_part)
    rels_data = pkg.read(rels_name) if rels_name else None
    rels = _parse_xml(rels_data, rels_name) if rels_data is not None else []
    by_id = {rel.get("Id", ""): rel for rel in rels if rel.get("TargetMode") != "External"}
    comments_part = vml_part = None
    for rel in by_id.values():
        if rel.get("Type", "").endswith("/comments"):
            comments_part = pkg.name(_resolve_target(sheet_part, rel.get("Target", "")))
    legacy = re.search(r"<" + re.escape(patcher.p) + r"legacyDrawing(?=[\s/>])" + _TAG_TAIL,
                       patcher.text[patcher.sd_end:])
    if legacy:
        rid = next((v for k, v in _attrs_of(legacy.group(0)) if k.endswith(":id")), None)
        rel = by_id.get(rid or "")
        if rel is not None:
            vml_part = pkg.name(_resolve_target(sheet_part, rel.get("Target", "")))
        if vml_part is None:
            return  # a <legacyDrawing> whose part is missing: a second one would break the sheet
    new_rels: list[tuple[str, str]] = []  # (type, target part)

    # the comments part
    if comments_part is not None:
        text, enc = _decode(pkg.read(comments_part), comments_part)
    else:
        comments_part = _free_name(taken, "xl/comments{}.xml")
        text, enc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     f'<comments xmlns="{_MAIN_NS}"><authors></authors><commentList></commentList></comments>',
                     "utf-8")
        new_rels.append((_COMMENTS_REL, comments_part))
        ct = replaced.get(pkg.name("[Content_Types].xml") or "") or pkg.read("[Content_Types].xml")
        replaced[pkg.name("[Content_Types].xml")] = _ct_add(ct, override=(comments_part, _COMMENTS_CT))
    merged, cells_new = _merge_comments(text, notes)
    data = _encode(merged, enc)
    _check_wellformed(data, comments_part)
    if pkg.name(comments_part):
        if merged != text:  # every note fell on a user's comment: the part stays as it was
            replaced[pkg.name(comments_part)] = data
    else:
        info = zipfile.ZipInfo(comments_part, date_time=_newest_date(pkg))
        info.compress_type = zipfile.ZIP_DEFLATED
        new_members.append((info, data))

    # the VML shapes that let Excel show them
    if vml_part is not None:
        vml, venc = _decode(pkg.read(vml_part), vml_part)
        vml_new = _vml_add_shapes(vml, cells_new)
        if vml_new != vml:
            replaced[vml_part] = _encode(vml_new, venc)
    else:
        vml_part = _free_name(taken, "xl/drawings/vmlDrawing{}.vml")
        block = 1 + max([int(x) for name in taken if name.endswith(".vml") and pkg.name(name)
                         for x in re.findall(r'o:idmap[^>]*data="(\d+)', pkg.read(pkg.name(name)).decode(
                             "utf-8", "replace"))] or [0])
        vml = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
               'xmlns:x="urn:schemas-microsoft-com:office:excel">'
               f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout></xml>')
        vml = _vml_add_shapes(vml, cells_new, first_id=block * 1024 + 1)
        info = zipfile.ZipInfo(vml_part, date_time=_newest_date(pkg))
        info.compress_type = zipfile.ZIP_DEFLATED
        new_members.append((info, vml.encode("utf-8")))
        new_rels.append((_VML_REL, vml_part))
        ct_name = pkg.name("[Content_Types].xml")
        ct = replaced.get(ct_name) or pkg.read(ct_name)
        replaced[ct_name] = _ct_add(ct, default=("vml", _VML_CT))

    # relationships of the sheet
    if new_rels:
        used = set(by_id) | {rel.get("Id", "") for rel in rels}
        xml_rels = []
        for rtype, target in new_rels:
            n = 1
            while f"rId{n}" in used:
                n += 1
            used.add(f"rId{n}")
            rel_target = posixpath.relpath(target, posixpath.dirname(sheet_part))
            xml_rels.append(f'<Relationship Id="rId{n}" Type="{rtype}" Target="{esc_attr(rel_target)}"/>')
            if rtype == _VML_REL:
                patcher.legacy_drawing = f"rId{n}"
        if rels_data is not None:
            rtext, renc = _decode(rels_data, rels_name)
            i = rtext.rfind("</")
            m = re.search(r"<(\w+:)?Relationships\b" + _TAG_TAIL, rtext)
            if m and m.group(2) == "/":
                rtext = rtext[: m.start()] + m.group(0)[:-2].rstrip() + ">" + "".join(xml_rels) + \
                    "</Relationships>" + rtext[m.end():]
            else:
                prefix = (m.group(1) or "") if m else ""
                rtext = rtext[:i] + "".join(x.replace("<Relationship ", f"<{prefix}Relationship ")
                                            for x in xml_rels) + rtext[i:]
            out = _encode(rtext, renc)
            _check_wellformed(out, rels_name, rels_data)
            replaced[rels_name] = out
        else:
            info = zipfile.ZipInfo(rels_part, date_time=_newest_date(pkg))
            info.compress_type = zipfile.ZIP_DEFLATED
            new_members.append((info, ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                       f'<Relationships xmlns="{_PKG_REL_NS}">' + "".join(xml_rels)
                                       + "</Relationships>").encode("utf-8")))


def _attrs_of(tag: str) -> list[tuple[str, str]]:
    return [(k, _unescape(v[1:-1])) for k, v in re.findall(r"""\s([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')""", tag)]


def _merge_comments(text: str, notes: list[tuple["_CellSlot", str]]) -> tuple[str, list[tuple[int, int]]]:
    """Put each note into the comments XML; returns the text and the cells
    (row, col) that got a comment of their own (they need a VML shape).

    A cell that already carries a user's comment keeps it exactly as written
    and gets no note (the 审核意见单 row says what changed there); when every
    note falls on such a cell the part comes back byte for byte."""
    m = re.search(r"<(\w+:)?comments\b", text)
    p = (m.group(1) or "") if m else ""
    authors = re.search(r"<" + re.escape(p) + r"authors\b" + _TAG_TAIL, text)
    if authors is None:
        return text, []
    names: list[str] = []
    if authors.group(1) != "/":
        close = text.find(f"</{p}authors>", authors.end())
        names = [_unescape(a) for a in re.findall(r"<" + re.escape(p) + r"author(?:\s[^>]*)?>(.*?)</"
                                                  + re.escape(p) + "author>", text[authors.end(): close], re.S)]
        names += [""] * len(re.findall(r"<" + re.escape(p) + r"author\s*/>", text[authors.end(): close]))
    ours = names.index(COMMENT_AUTHOR) if COMMENT_AUTHOR in names else len(names)
    pat = re.compile(r"<" + re.escape(p) + r"comment(?=[\s/>])" + _TAG_TAIL)

    def existing(ref: str) -> re.Match | None:
        for cm in pat.finditer(text):
            r = _get_attr(cm.group(0), "ref")
            if r and r.replace("$", "").upper() == ref:
                return cm
        return None

    # notes for cells with no comment, or with our own note of an earlier run
    todo = []
    for slot, note in sorted(notes, key=lambda n: (n[0].row, n[0].col)):
        ref = f"{_col_letters(slot.col)}{slot.row}"
        hit = existing(ref)
        if hit is None or _get_attr(hit.group(0), "authorId") == str(ours) and COMMENT_AUTHOR in names:
            todo.append((slot, note, ref))
    if not todo:
        return text, []
    if COMMENT_AUTHOR not in names:
        new_author = f"<{p}author>{esc_text(COMMENT_AUTHOR)}</{p}author>"
        if authors.group(1) == "/":
            text = text[: authors.start()] + authors.group(0)[:-2].rstrip() + ">" + new_author + \
                f"</{p}authors>" + text[authors.end():]
        else:
            close = text.find(f"</{p}authors>", authors.end())
            text = text[:close] + new_author + text[close:]
    rpr = _NOTE_RPR.replace("<", "<" + p).replace("<" + p + "/", "</" + p) if p else _NOTE_RPR
    own: list[tuple[int, int]] = []
    for slot, note, ref in todo:
        run = f'<{p}r>{rpr}<{p}t xml:space="preserve">{_xstring(note)}</{p}t></{p}r>'
        mine = f'<{p}comment ref="{ref}" authorId="{ours}"><{p}text>{run}</{p}text></{p}comment>'
        hit = existing(ref)
        if hit is not None:  # our own note of an earlier run: renew it
            close_tag = f"</{p}comment>"
            end = hit.end() if hit.group(1) == "/" else text.find(close_tag, hit.end()) + len(close_tag)
            text = text[: hit.start()] + mine + text[end:]
            continue
        lst = re.search(r"<" + re.escape(p) + r"commentList\b" + _TAG_TAIL, text)
        if lst is None:
            continue
        if lst.group(1) == "/":
            text = text[: lst.start()] + lst.group(0)[:-2].rstrip() + ">" + mine + \
                f"</{p}commentList>" + text[lst.end():]
        else:
            close = text.find(f"</{p}commentList>", lst.end())
            text = text[:close] + mine + text[close:]
        own.append((slot.row, slot.col))
    return text, own


def _vml_add_shapes(vml: str, cells: list[tuple[int, int]], first_id: int | None = None) -> str:
    """Append a hidden note shape for each (row, col) that has none yet."""
    if not cells:
        return vml
    have = {(int(r), int(c)) for r, c in re.findall(
        r"<x:Row>\s*(\d+)\s*</x:Row>\s*<x:Column>\s*(\d+)\s*</x:Column>", vml)}
    ids = [int(x) for x in re.findall(r'id="_x0000_s(\d+)"', vml)]
    n = max(ids) + 1 if ids else (first_id or 1025)
    shapes = []
    if 'id="_x0000_t202"' not in vml:
        shapes.append('<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
                      'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
                      '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')
    for row, col in cells:
        r0, c0 = row - 1, col - 1
        if (r0, c0) in have:
            continue
        shapes.append(
            f'<v:shape id="_x0000_s{n}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;'
            f'margin-top:10pt;width:200pt;height:60pt;z-index:{n};visibility:hidden" fillcolor="#ffffe1" '
            'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/>'
            f'<x:SizeWithCells/><x:Anchor>{c0 + 1}, 15, {max(r0 - 1, 0)}, 10, {c0 + 4}, 15, {max(r0 - 1, 0) + 4}, 4'
            f'</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{r0}</x:Row><x:Column>{c0}</x:Column>'
            '</x:ClientData></v:shape>')
        n += 1
    i = vml.rfind("</xml>")
    if i < 0:
        return vml
    return vml[:i] + "".join(shapes) + vml[i:]


def _ct_add(data: bytes, *, override: tuple[str, str] | None = None, default: tuple[str, str] | None = None) -> bytes:
    text, enc = _decode(data, "[Content_Types].xml")
    if default is not None:
        ext, ctype = default
        if re.search(r'<(?:\w+:)?Default\s[^>]*Extension="' + re.escape(ext) + '"', text, re.I):
            return data
        xml = f'<Default Extension="{ext}" ContentType="{ctype}"/>'
    else:
        assert override is not None
        part, ctype = override
        xml = f'<Override PartName="/{part}" ContentType="{ctype}"/>'
    i = text.rfind("</")
    out = _encode(text[:i] + xml + text[i:], enc)
    _check_wellformed(out, "[Content_Types].xml", data)
    return out


_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                 "tableParts", "extLst")


def _insert_legacy_drawing(data: bytes, patcher: "_SheetPatcher") -> bytes:
    """Add ``<legacyDrawing r:id=…/>`` to a rendered sheet part, in schema order
    (only the part after ``</sheetData>`` is searched)."""
    text, enc = _decode(data, patcher.part)
    p = patcher.p
    base = text.rfind(f"</{p}sheetData>")
    base = base if base >= 0 else 0
    tail = text[base:]
    close = tail.rfind(f"</{p}worksheet>")
    at = close
    for name in _AFTER_LEGACY:
        m = re.search(r"<" + re.escape(p) + name + r"(?=[\s/>])", tail)
        if m is None:
            continue
        if name == "extLst":
            # the worksheet's own extLst is its last child (a rule's extLst sits inside it)
            end = tail.rfind(f"</{p}extLst>")
            if end < 0 or tail[end + len(f"</{p}extLst>"): close].strip():
                continue
            stack: list[int] = []
            outer = None
            for em in re.finditer(r"<(/?)" + re.escape(p) + r"extLst(?=[\s/>])" + _TAG_TAIL, tail):
                if em.group(1):
                    opened = stack.pop() if stack else None
                    if em.start() == end:
                        outer = opened
                elif em.group(2) != "/":
                    stack.append(em.start())
            if outer is not None:
                at = min(at, outer)
        else:
            at = min(at, m.start())
    root = re.search(r"<" + re.escape(p) + r"worksheet\b" + _TAG_TAIL, text)
    prefix = None
    for k, v in _attrs_of(root.group(0) if root else ""):
        if k.startswith("xmlns:") and v == _R_NS:
            prefix = k[6:]
    if prefix:
        xml = f'<{p}legacyDrawing {prefix}:id="{patcher.legacy_drawing}"/>'
    else:
        xml = f'<{p}legacyDrawing xmlns:r="{_R_NS}" r:id="{patcher.legacy_drawing}"/>'
    return _encode(text[: base + at] + xml + text[base + at:], enc)


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _check_sheet_name(name: str) -> None:
    if not name or len(name) > 31 or _BAD_SHEET_CHARS.search(name) or name.startswith("'") or name.endswith("'"):
        raise _err(f"报告工作表名称无效：{name!r}", f"invalid report sheet name: {name!r}")


def _add_sheet(pkg: _Package, wb: _Workbook, wbx: _WorkbookXml, name: str, data: bytes,
               replaced: dict[str, bytes]) -> tuple[zipfile.ZipInfo, bytes]:
    base = posixpath.dirname(wb.part)
    k = 1
    while pkg.name(posixpath.join(base, f"worksheets/sheet{k}.xml")):
        k += 1
    part = posixpath.join(base, f"worksheets/sheet{k}.xml")

    rels_name = pkg.name(wb.rels_part)
    if rels_name is None:
        raise _err("工作簿缺少 workbook.xml.rels", "the workbook has no workbook.xml.rels")
    rels_data = pkg.read(rels_name)
    used = set()
    rel_type = _WS_REL
    for rel in _parse_xml(rels_data, wb.rels_part):
        used.add(rel.get("Id", ""))
        if rel.get("Type", "").endswith("/worksheet"):
            rel_type = rel.get("Type", rel_type)
    n = len(used) + 1
    while f"rId{n}" in used:
        n += 1
    rid = f"rId{n}"
    target = posixpath.relpath(part, base) if base else part
    replaced[rels_name] = _patch_rels(rels_data, rid, target, rel_type)

    ct = pkg.name("[Content_Types].xml")
    if ct is None:
        raise _err("缺少 [Content_Types].xml", "[Content_Types].xml is missing")
    replaced[ct] = _patch_content_types(replaced.get(ct) or pkg.read(ct), part)

    ids = [0]
    for m in re.finditer(r"<" + re.escape(wbx.p) + r"sheet(?=[\s/>])" + _TAG_TAIL, wbx.text):
        v = _get_attr(m.group(0), "sheetId")
        if v and v.isdigit():
            ids.append(int(v))
    sheet_tag = re.search(r"<" + re.escape(wbx.p) + r"sheet(?=[\s/>])" + _TAG_TAIL, wbx.text)
    r_prefix = "r:"
    if sheet_tag:
        pm = re.search(r"\s(\w+):id\s*=", sheet_tag.group(0))
        if pm:
            r_prefix = pm.group(1) + ":"
    if r_prefix == "r:" and not re.search(r'xmlns:r\s*=', wbx.root_tag):
        # bind the prefix on the element itself
        r_prefix = 'xmlns:r="%s" r:' % _R_NS
    wbx.add_sheet(name, max(ids) + 1, rid, r_prefix)

    app = pkg.name("docProps/app.xml")
    if app:
        ws_names = [s.name for s in wb.sheets if s.rel_type.endswith("/worksheet")]
        app_data = pkg.read(app)
        new_app = _patch_app_xml(app_data, ws_names, name)
        if new_app != app_data:
            replaced[app] = new_app

    info = zipfile.ZipInfo(part, date_time=_newest_date(pkg))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info, data


def _newest_date(pkg: _Package) -> tuple[int, int, int, int, int, int]:
    dates = [i.date_time for i in pkg.infos if i.date_time >= (1980, 1, 1, 0, 0, 0)]
    return max(dates) if dates else (1980, 1, 1, 0, 0, 0)
