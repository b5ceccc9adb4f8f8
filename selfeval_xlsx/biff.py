"""BIFF records of a legacy .xls, and the OLE compound file that holds them.

An .xls is an OLE2 compound file (CFB) whose ``Workbook`` stream (``Book``
in BIFF5) is a run of records: type u16, length u16, body.  Two callers walk
those records, each for what no reader it uses tells it:

* :mod:`selfeval_xlsx.loading`, before python-calamine sees the file:
  :func:`has_filepass` (an encrypted workbook) and :func:`check_bounds`
  (every cell record and DIMENSIONS record inside the .xls bounds, the grid
  within a cell budget -- a damaged record made calamine ask for 84 GB);
* :mod:`selfeval_xlsx.xls`, before converting: :func:`scan` (content that
  cannot be carried into an .xlsx, and the per-sheet page setup, margins,
  header/footer, protection and data-validation records xlrd does not
  expose).

Each walk is a table of record handlers (record type -> handler) run by
:func:`walk` over one record iterator, :func:`records`.  Nothing here phrases a message for the
user: problems are raised as :class:`Encrypted`, :class:`NotBiff` and
:class:`OutOfBounds`, and each caller words them its own way.

The compound file is opened through xlrd's ``compdoc`` module, which xlrd
does not document as public (its public API only opens whole workbooks);
:class:`Compound` is the one place that touches it.

The module runs a little over 500 lines and stays one: it is the package's
one reader of BIFF record layouts, and its three walks share the records,
their type codes and the walker.
"""

from __future__ import annotations

import io
import struct

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any, Callable, Iterator

    # Handler of a record: (state, mem, body offset, body length) -> True to stop the walk.
    Handler = Callable[[Any, bytes, int, int], Any]

__all__ = [
    "OLE_MAGIC", "Compound", "CompoundError", "BiffError", "Encrypted", "NotBiff", "OutOfBounds",
    "records", "has_filepass", "check_bounds", "Scan", "scan",
]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --------------------------------------------------------------------------
# problems (worded by the caller)

class BiffError(Exception):
    """Something about the file that its caller reports to the user."""


class Encrypted(BiffError):
    """The workbook is password-protected (FILEPASS, or an encrypted OOXML package)."""


class NotBiff(BiffError):
    """Not a BIFF workbook that can be read; ``args`` = (what, zh; what, en)."""


class OutOfBounds(BiffError):
    """A record outside the .xls bounds: ``kind`` is "dimensions", "column"
    (``column`` = the 0-based column) or "cells" (the grid is over budget)."""

    def __init__(self, kind: str, column: int = 0):
        super().__init__(kind, column)
        self.kind = kind
        self.column = column


class CompoundError(Exception):
    """The compound file's structure is damaged (xlrd's ``CompDocError``)."""


# --------------------------------------------------------------------------
# the compound file

def _compdoc(mem: bytes) -> Any:
    # xlrd has no public way to list the streams of an OLE file or to read
    # one of them: its ``compdoc`` module is the only door, so it is opened
    # here and nowhere else (its errors become CompoundError).
    from xlrd.compdoc import CompDoc, CompDocError

    try:
        return CompDoc(mem, logfile=io.StringIO())
    except CompDocError as exc:
        raise CompoundError(str(exc)) from exc


class Compound:
    """An OLE compound file: its stream names and streams.

    Raises :class:`CompoundError` for a damaged structure; xlrd may also
    raise other errors on a badly damaged file, which callers that must not
    fail catch broadly.
    """

    def __init__(self, mem: bytes):
        self._doc = _compdoc(mem)
        self.names: set[str] = {d.name for d in self._doc.dirlist}

    def stream(self, name: str) -> bytes | None:
        """The stream ``name`` as one byte string; None when there is none."""
        from xlrd.compdoc import CompDocError

        try:
            return self._doc.get_named_stream(name)
        except CompDocError as exc:
            raise CompoundError(str(exc)) from exc

    def locate(self, name: str) -> tuple[bytes | None, int, int]:
        """``(mem, base, size)``: the stream is ``mem[base:base + size]``
        (``mem`` is the file itself when the stream's sectors are contiguous,
        so nothing is copied); ``mem`` is None when there is no such stream."""
        from xlrd.compdoc import CompDocError

        try:
            return self._doc.locate_named_stream(name)
        except CompDocError as exc:
            raise CompoundError(str(exc)) from exc


# --------------------------------------------------------------------------
# records

BOF = 0x0809  # BIFF5/BIFF8 BOF (0x0409, 0x0209, 0x0009: BIFF4, 3, 2)
BOF_TYPES = (0x0809, 0x0409, 0x0209, 0x0009)
EOF = 0x000A
FILEPASS = 0x002F
BOUNDSHEET = 0x0085
DIMENSIONS = 0x0200



def records(mem: bytes, base: int = 0, size: int | None = None) -> Iterator[tuple[int, int, int]]:
    """``(type, body offset, body length)`` of each record of
    ``mem[base:base + size]`` (the last body may run past the end)."""
    pos = base
    end = len(mem) if size is None else min(base + size, len(mem))
    while pos + 4 <= end:
        rlen = mem[pos + 2] | (mem[pos + 3] << 8)
        yield mem[pos] | (mem[pos + 1] << 8), pos + 4, rlen
        pos += 4 + rlen


def walk(mem: bytes, base: int, size: int | None, handlers: dict[int, Handler], state: Any,
         limit: int | None = None) -> bool:
    """Call ``handlers[type]`` for each record of ``mem[base:base + size]``
    that has one (at most ``limit`` records are looked at); True when a
    handler stopped the walk.  (The loop of :func:`records`, written out:
    a .xls of 100,000 cells is walked before every read.)"""
    pos = base
    end = len(mem) if size is None else min(base + size, len(mem))
    get = handlers.get
    left = -1 if limit is None else limit
    while pos + 4 <= end and left != 0:
        left -= 1
        rlen = mem[pos + 2] | (mem[pos + 3] << 8)
        handler = get(mem[pos] | (mem[pos + 1] << 8))
        if handler is not None and handler(state, mem, pos + 4, rlen):
            return True
        pos += 4 + rlen
    return False


# --------------------------------------------------------------------------
# FILEPASS: an encrypted workbook (the globals substream is enough)

class _Found:
    value = False


def _filepass_seen(state: _Found, mem: bytes, body: int, rlen: int) -> bool:
    state.value = True
    return True


_FILEPASS_HANDLERS: dict[int, Handler] = {
    FILEPASS: _filepass_seen,
    EOF: lambda state, mem, body, rlen: True,  # the globals end: no FILEPASS
}


def has_filepass(mem: bytes, base: int, size: int) -> bool:
    """Walk the workbook globals substream up to its EOF looking for FILEPASS."""
    state = _Found()
    walk(mem, base, size, _FILEPASS_HANDLERS, state, limit=100_000)
    return state.value


# --------------------------------------------------------------------------
# bounds: what python-calamine will be given

# BIFF cell records: (row u16, col u16) first; MULRK / MULBLANK end with their last column
# (NUMBER, LABELSST, RK, FORMULA, BLANK, BOOLERR, LABEL, RSTRING, BIFF4 FORMULA; not STRING 0x0207,
# the text result that follows a FORMULA and has no address)
CELL_RECORDS = frozenset({0x0203, 0x00FD, 0x027E, 0x0006, 0x0201, 0x0205, 0x0204, 0x00D6, 0x0406})
MULTI_CELL_RECORDS = frozenset({0x00BD, 0x00BE})
MAX_ROWS = 65_536
MAX_COLS = 256


class _Bounds:
    __slots__ = ("end", "last_row", "last_col", "cells")

    def __init__(self, end: int):
        self.end = end
        self.last_row = self.last_col = self.cells = 0


def _bounds_bof(st: _Bounds, mem: bytes, body: int, rlen: int) -> None:  # a new substream
    st.cells += st.last_row * st.last_col
    st.last_row = st.last_col = 0


def _bounds_dimensions(st: _Bounds, mem: bytes, body: int, rlen: int) -> None:
    # calamine sizes its grid by this record
    if rlen < 10 or body + rlen > st.end:
        return
    if rlen >= 14:  # BIFF8: rows u32, columns u16
        r0, r1, c0, c1 = struct.unpack_from("<IIHH", mem, body)
    else:
        r0, r1, c0, c1 = struct.unpack_from("<HHHH", mem, body)
    if not (r0 <= r1 <= MAX_ROWS and c0 <= c1 <= MAX_COLS):
        raise OutOfBounds("dimensions")
    st.last_row, st.last_col = max(st.last_row, r1), max(st.last_col, c1)


def _bounds_cell(st: _Bounds, mem: bytes, body: int, rlen: int, multi: bool = False) -> bool:
    if rlen < (6 if multi else 4):
        return False
    if body + 4 > st.end:
        return True  # a truncated last record: the walk ends
    row = mem[body] | (mem[body + 1] << 8)
    col = mem[body + 2] | (mem[body + 3] << 8)
    if multi and body + rlen <= st.end:
        col = max(col, mem[body + rlen - 2] | (mem[body + rlen - 1] << 8))
    if col > MAX_COLS - 1:
        raise OutOfBounds("column", col)
    st.last_row, st.last_col = max(st.last_row, row + 1), max(st.last_col, col + 1)
    return False


def _bounds_multi(st: _Bounds, mem: bytes, body: int, rlen: int) -> bool:
    return _bounds_cell(st, mem, body, rlen, multi=True)


_BOUNDS_HANDLERS: dict[int, Handler] = {
    BOF: _bounds_bof,
    DIMENSIONS: _bounds_dimensions,
    **{rtype: _bounds_cell for rtype in CELL_RECORDS},
    **{rtype: _bounds_multi for rtype in MULTI_CELL_RECORDS},
}


def check_bounds(mem: bytes, base: int, size: int, max_cells: int) -> None:
    """Every cell record of every sheet within the .xls bounds (65,536 rows,
    256 columns) and the grids a reader sizes by them within ``max_cells``;
    :class:`OutOfBounds` otherwise."""
    st = _Bounds(end=min(base + size, len(mem)))
    walk(mem, base, size, _BOUNDS_HANDLERS, st)
    st.cells += st.last_row * st.last_col
    if st.cells > max_cells:
        raise OutOfBounds("cells")


# --------------------------------------------------------------------------
# the converter's scan: refused content and the records xlrd does not expose

# OBJ ftCmo object types (BIFF8).
_OT_NOTE = 0x19
_OT_KIND = {0x08: "image", 0x05: "chart"}
_OT_CONTROLS = {0x07, 0x0B, 0x0C, 0x0D, 0x0E, 0x10, 0x11, 0x12, 0x13, 0x14}

_WORKBOOK_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")


class Scan:
    """What :func:`scan` found.

    ``found``: keys of content that cannot be carried into an .xlsx
    ("image", "chart", "shape", "control", "ole", "macro", "condfmt",
    "pivot"); ``sheets``: per worksheet (keyed by the offset of its BOF in
    the Workbook stream, which is what BOUNDSHEET and xlrd's sheet
    ``_position`` point at) a dict of "setup", "fit_to_page", "margins",
    "hcenter", "vcenter", "gridlines", "header", "footer", "protect",
    "password", "dv" (raw DV record bodies), "obj", "drawing", "notes";
    ``biff8``: the stream is BIFF8 (text is UTF-16 capable).
    """

    __slots__ = ("found", "sheets", "biff8")

    def __init__(self) -> None:
        self.found: set[str] = set()
        self.sheets: dict[int, dict[str, Any]] = {}
        self.biff8 = False


class _ScanState:
    def __init__(self, scan: Scan):
        self.scan = scan
        self.bof_seen = False
        self.depth = 0
        self.current: dict[str, Any] | None = None  # the worksheet whose records are being read
        self.in_globals = False


def _u16(data: bytes) -> int:
    return struct.unpack_from("<H", data, 0)[0]


def _biff8_string(data: bytes, pos: int, len_bytes: int = 2) -> str:
    """An XLUnicodeString (BIFF8) starting at ``pos``; '' when malformed."""
    try:
        (cch,) = struct.unpack_from("<H" if len_bytes == 2 else "<B", data, pos)
        flags = data[pos + len_bytes]
        start = pos + len_bytes + 1
        if flags & 0x08:
            start += 2
        if flags & 0x04:
            start += 4
        if flags & 0x01:
            return data[start:start + 2 * cch].decode("utf-16-le", "replace")
        return data[start:start + cch].decode("latin-1")
    except (struct.error, IndexError):
        return ""


# Substream-level handlers, in walk()'s form: (state, stream, body offset, body length).

def _scan_bof(st: _ScanState, mem: bytes, body: int, rlen: int) -> None:
    if rlen < 4 or body + 4 > len(mem):
        return  # not taken as a BOF
    rtype = mem[body - 4] | (mem[body - 3] << 8)
    vers, dt = struct.unpack_from("<HH", mem, body)
    st.depth += 1
    if st.depth == 1 and not st.bof_seen:
        st.scan.biff8 = rtype == 0x0809 and vers == 0x0600
    if dt == 0x0020:
        st.scan.found.add("chart")
    elif dt == 0x0040:
        st.scan.found.add("macro")
    if st.depth == 1:
        st.in_globals = dt == 0x0005
        st.bof_seen = True
        st.current = st.scan.sheets.setdefault(body - 4, {}) if dt == 0x0010 else None


def _scan_eof(st: _ScanState, mem: bytes, body: int, rlen: int) -> None:
    st.depth = max(0, st.depth - 1)
    if st.depth == 0:
        st.current = None
        st.in_globals = False


def _scan_filepass(st: _ScanState, mem: bytes, body: int, rlen: int) -> None:
    raise Encrypted()


def _scan_boundsheet(st: _ScanState, mem: bytes, body: int, rlen: int) -> None:
    if st.in_globals and rlen >= 6 and body + 6 <= len(mem):
        kind = mem[body + 5]
        if kind in (0x01, 0x06):  # Excel 4 macro sheet / VB module
            st.scan.found.add("macro")
        elif kind == 0x02:
            st.scan.found.add("chart")


_STREAM_HANDLERS: dict[int, Handler] = {
    **{rtype: _scan_bof for rtype in BOF_TYPES},
    EOF: _scan_eof,
    FILEPASS: _scan_filepass,
    BOUNDSHEET: _scan_boundsheet,
}


# Worksheet-level handlers (records of a worksheet's own substream, not of
# the globals, a chart or a nested substream): (sheet info, body, scan).

def _sheet_obj(info: dict[str, Any], data: bytes, scan: Scan) -> None:
    info["obj"] = True
    found = scan.found
    if not scan.biff8:
        found.add("shape")
        return
    if len(data) >= 6 and _u16(data) == 0x15:  # ftCmo
        (ot,) = struct.unpack_from("<H", data, 4)
        if ot == _OT_NOTE:
            return
        if ot in _OT_KIND:
            found.add(_OT_KIND[ot])
        elif ot in _OT_CONTROLS:
            found.add("control")
        else:
            found.add("shape")
    else:
        found.add("shape")


def _sheet_drawing(info: dict[str, Any], data: bytes, scan: Scan) -> None:
    info["drawing"] = True


def _sheet_note(info: dict[str, Any], data: bytes, scan: Scan) -> None:
    info["notes"] = info.get("notes", 0) + 1


def _sheet_dv(info: dict[str, Any], data: bytes, scan: Scan) -> None:
    info.setdefault("dv", []).append(data)


def _sheet_setup(info: dict[str, Any], data: bytes, scan: Scan) -> None:
    if len(data) >= 34:
        paper, scale, start, fit_w, fit_h, grbit = struct.unpack_from("<6H", data, 0)
        hdr, ftr = struct.unpack_from("<dd", data, 16)
        info["setup"] = {"paper": paper, "scale": scale, "start": start, "fit_w": fit_w,
                         "fit_h": fit_h, "grbit": grbit, "header": hdr, "footer": ftr}


def _sheet_wsbool(info: dict[str, Any], data: bytes, scan: Scan) -> None:
    if len(data) >= 2:
        info["fit_to_page"] = bool(_u16(data) & 0x0100)


def _refused(key: str) -> Callable[[dict[str, Any], bytes, Scan], None]:
    def handler(info: dict[str, Any], data: bytes, scan: Scan) -> None:
        scan.found.add(key)
    return handler


def _flag(key: str) -> Callable[[dict[str, Any], bytes, Scan], None]:
    def handler(info: dict[str, Any], data: bytes, scan: Scan) -> None:
        if len(data) >= 2:
            info[key] = bool(_u16(data))
    return handler


def _margin(side: str) -> Callable[[dict[str, Any], bytes, Scan], None]:
    def handler(info: dict[str, Any], data: bytes, scan: Scan) -> None:
        if len(data) >= 8:
            info.setdefault("margins", {})[side] = struct.unpack_from("<d", data, 0)[0]
    return handler


def _header_footer(key: str) -> Callable[[dict[str, Any], bytes, Scan], None]:
    def handler(info: dict[str, Any], data: bytes, scan: Scan) -> None:
        if data:
            info[key] = _biff8_string(data, 0) if scan.biff8 else data[1:1 + data[0]].decode("latin-1")
    return handler


def _sheet_password(info: dict[str, Any], data: bytes, scan: Scan) -> None:
    if len(data) >= 2:
        info["password"] = _u16(data)


_SHEET_HANDLERS: dict[int, Callable[[dict[str, Any], bytes, Scan], None]] = {
    0x005D: _sheet_obj,  # OBJ
    0x00EC: _sheet_drawing,  # MSODRAWING
    0x001C: _sheet_note,  # NOTE
    **{rtype: _refused("condfmt") for rtype in (0x01B0, 0x01B1, 0x0879, 0x087A)},  # CONDFMT, CF, CF12...
    0x01BE: _sheet_dv,  # DV (its header DVAL, 0x01B2, says nothing needed)
    0x00B0: _refused("pivot"),  # SXVIEW
    0x00A1: _sheet_setup,  # SETUP
    0x0081: _sheet_wsbool,  # WSBOOL
    0x0026: _margin("left"),
    0x0027: _margin("right"),
    0x0028: _margin("top"),
    0x0029: _margin("bottom"),
    0x0083: _flag("hcenter"),  # HCENTER
    0x0084: _flag("vcenter"),  # VCENTER
    0x002B: _flag("gridlines"),  # PRINTGRIDLINES
    0x0014: _header_footer("header"),  # HEADER
    0x0015: _header_footer("footer"),  # FOOTER
    0x0012: _flag("protect"),  # PROTECT
    0x0013: _sheet_password,  # PASSWORD
}


def _in_sheet(handler: Callable[[dict[str, Any], bytes, Scan], None]) -> Handler:
    def in_sheet(st: _ScanState, mem: bytes, body: int, rlen: int) -> None:
        if st.depth == 1 and st.current is not None:
            handler(st.current, mem[body:body + rlen], st.scan)
    return in_sheet


assert not _STREAM_HANDLERS.keys() & _SHEET_HANDLERS.keys()
_SCAN_HANDLERS: dict[int, Handler] = {
    **_STREAM_HANDLERS,
    **{rtype: _in_sheet(handler) for rtype, handler in _SHEET_HANDLERS.items()},
}


def scan(mem: bytes) -> Scan:
    """Walk the OLE container and the BIFF records that xlrd does not expose.

    Raises :class:`Encrypted` for an encrypted file and :class:`NotBiff` for
    a damaged compound file or one without a Workbook stream.
    """
    try:
        doc = Compound(mem)
    except CompoundError as exc:
        raise NotBiff("复合文档结构损坏", f"damaged compound document: {exc}") from exc
    result = Scan()
    found = result.found
    names = doc.names
    lower = {n.lower() for n in names}
    if "encryptioninfo" in lower or "encryptedpackage" in lower:
        raise Encrypted()
    if {"_vba_project_cur", "_vba_project", "vba", "macros"} & lower:
        found.add("macro")
    if any(n.startswith("MBD") for n in names) or "ctls" in lower or "objectpool" in lower:
        found.add("ole")
    stream = None
    for name in _WORKBOOK_STREAMS:
        try:
            stream = doc.stream(name)
        except CompoundError:
            stream = None
        if stream:
            break
    if not stream:
        raise NotBiff("找不到工作簿数据流", "no Workbook stream")

    walk(stream, 0, None, _SCAN_HANDLERS, _ScanState(result))
    return result
