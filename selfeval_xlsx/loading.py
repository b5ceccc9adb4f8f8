"""Open a workbook file safely and return its sheets as plain grids.

Everything that can go wrong with a file a user hands us is turned into an
:class:`~selfeval_xlsx.errors.UnreadableError` with a one-line message:
missing files, directories, empty files, files that are not Excel (text,
PDF, HTML), corrupt or truncated zips, password-protected workbooks (OOXML
in a CFB container, or .xls with a FILEPASS record), XML with DOCTYPE/ENTITY
declarations (entity bombs), zip bombs (declared sizes and ratios checked
before anything is inflated; inflation capped by the declared size and
checked by CRC), and oversized workbooks.

Values come from python-calamine (fast, reads .xlsx/.xlsm/.xlsb/.xls).  For
.xlsx/.xlsm the sheet XML is also scanned for ``<f>`` elements, so that
formula text is known and a formula without a cached value can be computed
by the reader.

What calamine is given is checked first, since a bad address can make it
abort the whole process: every cell address and row number of a sheet it
reads lies within Excel's bounds, and the grid it will build (the box of
the cells with a value, leaving out a stray value far from the rest) within
MAX_CELLS; .xls cell and DIMENSIONS records
likewise; .xls and .xlsb are read in a forked child with a time and memory
limit.  Only sheets that can hold a form are read: a sheet part over
SMALL_SHEET is first looked at from its first HEAD_ROWS rows, and skipped
(never inflated in full, never a reason to refuse) when none of them is an
indicator header.  No cell may hold more than Excel's 32,767 characters.
"""

from __future__ import annotations

import io
import os
import re
import stat
import time
import zipfile
from pathlib import Path

from selfeval_xlsx import biff
from selfeval_xlsx.errors import SelfevalError, UnreadableError
from selfeval_xlsx.cellref import MAX_COL, MAX_ROW, col_index, col_letters
from selfeval_xlsx.formula import shift_formula
from selfeval_xlsx.ooxml.package import Package, Workbook, bomb_ratio, declares_dtd, inflate, inflate_head
from selfeval_xlsx.record import Record
from selfeval_xlsx.lazyre import lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any, Iterator

# Limits -------------------------------------------------------------------
MAX_FILE_BYTES = 100 * 1024 * 1024  # on disk
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # sum of declared member sizes
MAX_MEMBERS = 10_000
# (the zip-bomb ratio check, MAX_RATIO and BIG_MEMBER, is ooxml.package's, shared with the writer)
MAX_SHEETS = 255
MAX_CELLS = 5_000_000  # bounding-box cells over all sheets
MAX_TEXT = 32_767  # Excel's limit of characters in a cell

OLE_MAGIC = biff.OLE_MAGIC
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_ZH = "文件已加密，请取消密码后重试"
ENCRYPTED_EN = "the file is password-protected; remove the password and try again"


_FRESH: Any = object()  # "not given": the field starts as a new empty list, dict or set


class RawSheet(Record):
    _fields = ("name", "rows", "merges", "formulas", "fixed_formulas")
    name: str
    rows: list[list[Any]]  # from A1; "" or None for an empty cell
    merges: list[tuple[int, int, int, int]]  # 0-based r0, c0, r1, c1
    # (row, col) 0-based -> (formula text without "=", cached value present?)
    formulas: dict[tuple[int, int], tuple[str, bool]]
    # formula cells other cells depend on the text of (shared-formula masters,
    # array and data-table formulas): fill never rewrites those
    fixed_formulas: set[tuple[int, int]]

    def __init__(self, name: str, rows: list[list[Any]], merges: list[tuple[int, int, int, int]] = _FRESH,
                 formulas: dict[tuple[int, int], tuple[str, bool]] = _FRESH,
                 fixed_formulas: set[tuple[int, int]] = _FRESH) -> None:
        self.name = name
        self.rows = rows
        self.merges = [] if merges is _FRESH else merges
        self.formulas = {} if formulas is _FRESH else formulas
        self.fixed_formulas = set() if fixed_formulas is _FRESH else fixed_formulas


class RawBook(Record):
    _fields = ("path", "format", "sheet_names", "sheets", "parts")
    path: str
    format: str  # "xlsx" | "xlsm" | "xlsb" | "xls"
    sheet_names: list[str]
    sheets: list[RawSheet]
    # the package's XML parts as inflated and checked here (.xlsx/.xlsm), so
    # a writer working on the same file need not inflate them again
    parts: dict[str, bytes]

    def __init__(self, path: str, format: str, sheet_names: list[str], sheets: list[RawSheet],
                 parts: dict[str, bytes] = _FRESH) -> None:
        self.path = path
        self.format = format
        self.sheet_names = sheet_names
        self.sheets = sheets
        self.parts = {} if parts is _FRESH else parts


# What to do, by what went wrong (a message that already says 请… keeps its own).
_HINTS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("不存在",), "请检查文件路径", "check the path"),
    (("文件夹",), "请指定其中的 Excel 文件", "name the Excel files in it"),
    (("损坏", "不完整", "为空", "无法打开"),
     "请向报送单位索取完整的文件，或在 Excel/WPS 中打开后另存为 .xlsx 再试",
     "ask the sender for a complete copy, or open it in Excel/WPS and save it as .xlsx again"),
    (("拒绝读取",), "如确为正常的自评表，请在 Excel/WPS 中打开后另存为 .xlsx 再试",
     "if it is a genuine form, open it in Excel/WPS and save it as .xlsx again"),
)


def _fail(zh: str, en: str, path: Any) -> UnreadableError:
    if "请" not in zh:
        for words, hint_zh, hint_en in _HINTS:
            if any(word in zh for word in words):
                zh, en = f"{zh}；{hint_zh}", f"{en}; {hint_en}"
                break
    return UnreadableError(zh, en, path=str(path))


def load(path: str | os.PathLike) -> RawBook:
    """Read ``path`` into a :class:`RawBook`; UnreadableError for anything bad."""
    p = Path(path)
    try:
        try:
            st = os.stat(p)
        except (FileNotFoundError, NotADirectoryError):
            raise _fail("文件不存在", "file not found", path) from None
        if stat.S_ISDIR(st.st_mode):
            raise _fail("这是一个文件夹，不是Excel文件", "this is a directory, not an Excel file", path)
        size = st.st_size
        if size == 0:
            raise _fail("文件为空（0字节）", "the file is empty (0 bytes)", path)
        if size > MAX_FILE_BYTES:
            raise _fail(
                f"文件过大（{size // (1024 * 1024)} MB），超过上限 {MAX_FILE_BYTES // (1024 * 1024)} MB",
                f"file too large ({size // (1024 * 1024)} MB, limit {MAX_FILE_BYTES // (1024 * 1024)} MB)",
                path,
            )
        data = p.read_bytes()
    except UnreadableError:
        raise
    except OSError as exc:
        raise _fail(f"无法打开文件：{exc.strerror or exc}", f"cannot open the file: {exc.strerror or exc}", path) from None

    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return _load_zip(data, p)
    if data.startswith(OLE_MAGIC):
        return _load_ole(data, p)
    raise _not_excel(data, p)


def _not_excel(data: bytes, path: Path) -> UnreadableError:
    head = data[:1024].lstrip()
    low = head.lower()
    if head.startswith(b"%PDF"):
        kind_zh, kind_en = "PDF文件", "a PDF file"
    elif low.startswith((b"<!doctype html", b"<html")) or b"<table" in low:
        kind_zh, kind_en = "网页（HTML）文件", "an HTML file"
    elif head.startswith(b"<?xml"):
        kind_zh, kind_en = "XML文件", "an XML file"
    elif head.startswith(b"PK"):
        kind_zh, kind_en = "损坏的压缩文件", "a damaged zip file"
    else:
        try:
            data[:4096].decode("utf-8")
            kind_zh, kind_en = "文本文件", "a text file"
        except UnicodeDecodeError:
            kind_zh, kind_en = "未知格式的文件", "a file of unknown format"
    return _fail(
        f"不是Excel文件（看起来是{kind_zh}），请另存为.xlsx后重试",
        f"not an Excel file (looks like {kind_en}); save it as .xlsx and try again",
        path,
    )


# --------------------------------------------------------------------------
# OOXML (zip)

_ATTR = lazy(rb'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_CELL = lazy(rb"<(?:\w+:)?c\s([^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>", re.S)
_CELL_REF = lazy(rb'\br="([A-Z]{1,3})(\d+)"')
_F = lazy(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_V = lazy(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_MERGE = lazy(rb'<(?:\w+:)?mergeCell\b[^>]*?ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FULL_CALC = lazy(rb'fullCalcOnLoad\s*=\s*["\'](?:1|true)["\']')
_SKIP_SCAN = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".bin", ".tif", ".tiff")


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


def _check_xml(name: str, blob: bytes, path: Path) -> None:
    """No DOCTYPE/ENTITY declaration in an XML part (entity bombs): the
    package's one guard (``ooxml.package.declares_dtd``), refused in one line."""
    try:
        dtd = declares_dtd(blob)
    except UnicodeDecodeError:
        raise _fail(f"文件内部XML部件损坏（{name}）", f"damaged XML part ({name})", path) from None
    if dtd:
        raise _fail(
            f"文件含有不安全的XML声明（DOCTYPE/ENTITY，{name}），已拒绝读取",
            f"the file contains an unsafe XML declaration (DOCTYPE/ENTITY in {name}); refused",
            path,
        )


def _load_zip(data: bytes, path: Path) -> RawBook:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise _fail("文件已损坏或不完整（无法解压）", "the file is damaged or truncated (not a valid zip)", path) from None
    if len(infos) > MAX_MEMBERS:
        raise _fail("文件内部部件过多，已拒绝读取", "too many parts inside the file; refused", path)
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        if "content.xml" in names or "mimetype" in names:
            raise _fail(
                "不是Excel文件（看起来是OpenDocument表格），请另存为.xlsx后重试",
                "not an Excel file (looks like an OpenDocument file); save it as .xlsx and try again",
                path,
            )
        if "word/document.xml" in names or "ppt/presentation.xml" in names:
            raise _fail("不是Excel文件（看起来是Word/PowerPoint文件）", "not an Excel file (a Word/PowerPoint file)", path)
        raise _fail("不是Excel文件（压缩包中没有工作簿）", "not an Excel file (no workbook inside the zip)", path)

    # zip bomb: declared sizes and ratios first, before inflating anything.
    # A big worksheet is only inflated in full when its first rows can hold
    # a form (an attachment of any size costs a peek): it is checked then.
    is_bin = "xl/workbook.bin" in names
    total = 0
    for info in infos:
        if not is_bin and _deferred(info):
            continue  # only its head is inflated (bounded); checked by _inflate_sheet if read in full
        total += info.file_size
        _check_ratio(info, path)
    if total > MAX_UNCOMPRESSED:
        raise _fail(
            f"文件解压后过大（{total // (1024 * 1024)} MB），已拒绝读取",
            f"the file would inflate to {total // (1024 * 1024)} MB; refused",
            path,
        )

    fmt = "xlsb" if is_bin else ("xlsm" if "xl/vbaProject.bin" in names or path.suffix.lower() == ".xlsm" else "xlsx")
    parts: dict[str, bytes] = {}
    infos_by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        lname = info.filename.lower()
        if info.is_dir() or lname.endswith(_SKIP_SCAN) or lname.startswith(("xl/media/", "xl/embeddings/")):
            continue
        if info.flag_bits & 0x1:
            raise _fail(ENCRYPTED_ZH, ENCRYPTED_EN, path)
        if not is_bin and _deferred(info):
            infos_by_name[info.filename] = info  # looked at from its first rows below
            continue
        parts[info.filename] = _inflate_checked(data, zf, info, path)

    # sheet name -> part; the bounds of every cell address checked before
    # calamine sees a sheet (it aborts the process on some, and builds a dense
    # grid of the bounding box); only sheets that can hold a form are read
    sheet_parts: dict[str, str] = {}
    skip: set[str] = set()
    workbook_part = "xl/workbook.xml"
    if not is_bin:
        try:
            wb = Workbook(Package(zf, data, parts))  # each sheet through the workbook's relationships
        except SelfevalError as exc:
            raise _fail(f"文件已损坏（{exc.zh}）", f"the file is damaged ({exc.en})", path) from None
        workbook_part = wb.part
        sheet_parts = {sheet.name: sheet.part for sheet in wb.sheets if sheet.part is not None}
        strings = _KeywordStrings(parts)
        for_calamine: dict[str, bytes] = {}  # sheets calamine reads without their far-away cells
        cells = 0
        for name, part in sheet_parts.items():
            blob = parts.get(part)
            if blob is None:
                info = infos_by_name.get(part)
                if info is None:
                    continue  # no such part: calamine says what it makes of that
                if not _may_hold_form(_inflate_head(data, info), strings):
                    skip.add(name)  # a big sheet (an attachment) with no form near its top: never read
                    continue
                blob = _inflate_sheet(data, zf, info, path)
                parts[part] = blob
            box = _cell_box(blob, part, path)
            if box > MAX_CELLS:  # a stray value far from everything else (Ctrl+↓ and a keystroke)
                clipped = _clip_far_cells(blob)
                if clipped is not None:
                    box = _cell_box(clipped, part, path)
                    for_calamine[part] = clipped
            cells += box
        if cells > MAX_CELLS:
            raise _fail("表格过大（单元格过多），已拒绝读取", "the workbook has too many cells; refused", path)

    # a text longer than Excel allows needs a part at least that long
    long_text = any(len(blob) > MAX_TEXT for name, blob in parts.items()
                    if name.lower().endswith("sharedstrings.xml") or name in sheet_parts.values())
    if skip or (not is_bin and for_calamine):
        # calamine gets a package without the attachments (what it never reads
        # costs nothing) and without stray far-away cells; ``parts`` (which
        # the writer may reuse) keeps every part as stored
        data = _package({**parts, **for_calamine} if not is_bin else parts)
    if is_bin:  # no bounds check for the binary format: the reader runs apart
        book = _calamine_isolated(data, path, fmt)
    else:
        book = _calamine(data, path, fmt, skip, long_text)
    # openpyxl and xlsxwriter write fullCalcOnLoad="1" and no (or zero)
    # cached values; Excel drops the flag when it saves.  Recompute then.
    workbook_xml = parts.get(workbook_part, b"")
    stale = b"fullCalcOnLoad" in workbook_xml and bool(_FULL_CALC.search(workbook_xml))  # (Excel's: no compiling)
    for sheet in book.sheets:
        part = sheet_parts.get(sheet.name)
        if part and part in parts:
            blob = parts[part]
            if b"<f" in blob or b":f" in blob:
                sheet.formulas = _scan_formulas(blob, sheet.fixed_formulas)
                if stale:
                    sheet.formulas = {k: (t, False) for k, (t, _) in sheet.formulas.items()}
    book.parts = parts
    return book


# --------------------------------------------------------------------------
# what is read: only sheets that can hold a form, within Excel's bounds

SMALL_SHEET = 256 * 1024  # a sheet part this small is simply read
HEAD_BYTES = 512 * 1024  # of a bigger one, this much of its start is looked at
HEAD_ROWS = 200  # ... and in it, this many rows
# a form's indicator header row has a cell naming an indicator level
# (一级指标 / 三级指标 / 指标名称 …) and a cell naming a value column
_LEVEL_WORDS = ("指标".encode(),)
_VALUE_WORDS = tuple(w.encode() for w in ("得分", "分值", "权重", "完成值", "实际值", "指标值", "目标值"))
_S_CELL = lazy(rb'\bt=["\']s["\'][^>]*>\s*<(?:\w+:)?v>\s*(\d{1,9})\s*<')  # a shared-string cell's index


def _package(parts: dict[str, bytes]) -> bytes:
    """A stored (uncompressed) zip of the parts already inflated and checked."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    return buf.getvalue()


def _deferred(info: zipfile.ZipInfo) -> bool:
    """A worksheet part too big to read on the off chance it holds a form."""
    return info.file_size > SMALL_SHEET and info.filename.lower().startswith("xl/worksheets/")


def _inflate_head(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """The first HEAD_BYTES of a member (b"" when it cannot be inflated)."""
    return inflate_head(data, info, HEAD_BYTES)


def _inflate_sheet(data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    """A big worksheet that can hold a form, inflated in full with the
    checks every other member had before inflating."""
    if info.file_size > MAX_UNCOMPRESSED:
        raise _fail(
            f"文件解压后过大（{info.filename}：{info.file_size // (1024 * 1024)} MB），已拒绝读取",
            f"{info.filename} would inflate to {info.file_size // (1024 * 1024)} MB; refused",
            path,
        )
    _check_ratio(info, path)
    return _inflate_checked(data, zf, info, path)


def _check_ratio(info: zipfile.ZipInfo, path: Path) -> None:
    """A big member that inflates far beyond its compressed size is a zip bomb."""
    if bomb_ratio(info):
        raise _fail(
            f"文件内部部件压缩比异常（{info.filename}），疑似压缩炸弹，已拒绝读取",
            f"abnormal compression ratio in {info.filename} (zip bomb?); refused",
            path,
        )


def _inflate_checked(data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    """A member inflated, refused in one line when it cannot be, and its XML
    checked (no DOCTYPE/ENTITY)."""
    blob = inflate(data, zf, info)
    if blob is None:
        raise _fail(
            f"文件已损坏或不完整（{info.filename} 无法解压）",
            f"the file is damaged or truncated ({info.filename} cannot be inflated)",
            path,
        )
    _check_xml(info.filename, blob, path)
    return blob


class _KeywordStrings:
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


def _may_hold_form(head: bytes, strings: _KeywordStrings) -> bool:
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


_C_TAG = lazy(rb"<((?:\w+:)?)c\s([^>]*?)(/?)>")
_R_ATTR = lazy(rb'(?:^|\s)r\s*=\s*["\']([^"\']*)["\']')
_REF_OK = lazy(rb"([A-Z]{1,3})([1-9][0-9]{0,6})")
# a cell start tag other than <c r="A1…" with one letter and at most four digits
_UNUSUAL_CELL = lazy(rb'<(?:c(?! r="[A-Z][1-9][0-9]{0,3}"[\s/>])[\s/>]|\w+:c[\s/>])')
_ROW_NUMBER = lazy(rb'<row\s[^>]*?\br\s*=\s*["\'](\d{1,9})')


def _max_row_tag(blob: bytes) -> int:
    return max(map(int, _ROW_NUMBER.findall(blob)), default=0)
_ROW_TAG_R = lazy(rb'<(?:\w+:)?row\s[^>]*?\br\s*=\s*["\']([^"\']*)["\']')


def _bad_address(ref: bytes, part: str, path: Path) -> UnreadableError:
    shown = ref[:20].decode("ascii", "replace")
    return _fail(
        f"文件已损坏：{part} 中的单元格地址“{shown}”超出 Excel 的范围（最多 1048576 行、XFD 列）",
        f"the file is damaged: cell address {shown!r} in {part} is outside Excel's bounds "
        "(1,048,576 rows, columns up to XFD)",
        path,
    )


def _cell_box(blob: bytes, part: str, path: Path) -> int:
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


def _clip_far_cells(blob: bytes) -> bytes | None:
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


def _row_count(blob: bytes) -> int:
    return blob.count(b"<row") + blob.count(b":row")


def _scan_formulas(blob: bytes, fixed: set[tuple[int, int]] | None = None
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


_F_PLAIN = lazy(rb"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_V_PLAIN = lazy(rb"<v\b[^>]*?(?:/>|>(.*?)</v>)", re.S)


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


# --------------------------------------------------------------------------
# OLE2 / CFB: legacy .xls, or an encrypted OOXML package


def _load_ole(data: bytes, path: Path) -> RawBook:
    try:
        doc = biff.Compound(data)
        names = doc.names
    except Exception:  # noqa: BLE001 - any parse failure means a damaged file
        raise _fail("文件已损坏或不完整（OLE结构无法解析）", "the file is damaged or truncated (bad OLE structure)", path) from None
    if names & {"EncryptionInfo", "EncryptedPackage"}:
        raise _fail(ENCRYPTED_ZH, ENCRYPTED_EN, path)
    stream_name = "Workbook" if "Workbook" in names else ("Book" if "Book" in names else None)
    if stream_name is None:
        raise _fail(
            "不是Excel文件（看起来是Word或其他Office文档）", "not an Excel file (another kind of Office document)", path
        )
    try:
        mem, base, size = doc.locate(stream_name)
    except Exception:  # noqa: BLE001
        raise _fail("文件已损坏或不完整（工作簿数据流无法读取）", "the file is damaged (workbook stream unreadable)", path) from None
    if mem is not None and biff.has_filepass(mem, base, size):
        raise _fail(ENCRYPTED_ZH, ENCRYPTED_EN, path)
    if mem is not None:
        _check_biff_bounds(mem, base, size, path)
    return _calamine_isolated(data, path, "xls")


def _check_biff_bounds(mem: bytes, base: int, size: int, path: Path) -> None:
    """Every cell record of every sheet within the .xls bounds (65,536 rows,
    256 columns) and the grid calamine will build within MAX_CELLS, before
    calamine sees the file: a damaged record made it ask for 84 GB and
    abort the process."""
    try:
        biff.check_bounds(mem, base, size, MAX_CELLS)
    except biff.OutOfBounds as exc:
        if exc.kind == "dimensions":
            raise _fail(
                "文件已损坏：工作表的尺寸记录超出 .xls 的范围",
                "the file is damaged: a sheet's DIMENSIONS record is outside the .xls bounds",
                path,
            ) from None
        if exc.kind == "column":
            raise _fail(
                f"文件已损坏：工作表中有超出 .xls 范围的单元格（第 {exc.column + 1} 列）",
                f"the file is damaged: a cell outside the .xls bounds (column {exc.column + 1})",
                path,
            ) from None
        raise _fail("表格过大（单元格过多），已拒绝读取", "the workbook has too many cells; refused", path) from None


# --------------------------------------------------------------------------
# calamine


ISOLATE_BINARY = True  # False where the process itself is expendable (a batch worker)
ISOLATE_SECONDS = 30  # a legacy or binary workbook read apart: time ...
ISOLATE_MEMORY = 2 * 1024**3  # ... and address space it may take


def _calamine_isolated(data: bytes, path: Path, fmt: str) -> RawBook:
    """:func:`_calamine` in a forked child with a time and memory limit, for
    the binary formats (.xls, .xlsb), whose records the native reader
    trusts in ways no cheap check covers: whatever it does to one file (an
    abort, a runaway allocation, a hang) ends that child, and the file is
    reported unreadable in one line.  Where there is no fork (Windows) it
    runs in-process behind the bounds checks alone, as it does in a batch
    worker, which is itself expendable (the fork costs about 5 ms a file)."""
    if not ISOLATE_BINARY or not hasattr(os, "fork"):
        return _calamine(data, path, fmt)
    import pickle
    import select
    import signal

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send the result, leave without cleanup
        status = 0
        try:
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)  # a panic's backtrace is not the user's message
            try:
                import resource

                resource.setrlimit(resource.RLIMIT_AS, (ISOLATE_MEMORY, resource.getrlimit(resource.RLIMIT_AS)[1]))
            except (ImportError, ValueError, OSError):
                pass
            try:
                payload: tuple[bool, Any] = (True, _calamine(data, path, fmt))
            except UnreadableError as exc:
                payload = (False, (exc.zh, exc.en))
            blob = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(blob)
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:  # noqa: BLE001 - nothing may escape the child
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + ISOLATE_SECONDS
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                raise _fail(f"读取超时（超过 {ISOLATE_SECONDS} 秒），已拒绝读取",
                            f"reading took over {ISOLATE_SECONDS} s; refused", path)
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # pragma: no cover
            pass
    if not chunks:
        raise _fail("文件已损坏或无法解析（读取时异常终止）", "the file is damaged or cannot be parsed (the reader aborted)",
                    path)
    ok, value = pickle.loads(b"".join(chunks))  # our own child's bytes
    if not ok:
        raise _fail(value[0], value[1], path)
    return value


def _check_text_lengths(rows: list[list[Any]], sheet: str, path: Path) -> None:
    """No cell holds more text than Excel allows (such a file was not made
    by Excel, and every later step may assume the bound)."""
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v.__class__ is str and len(v) > MAX_TEXT:
                ref = f"{col_letters(c)}{r + 1}"
                raise _fail(
                    f"工作表“{sheet}”单元格 {ref} 的文字有 {len(v)} 个字符，超过 Excel 的上限 {MAX_TEXT}，已拒绝读取；请缩短该单元格的文字后重试",
                    f"cell {ref} of sheet {sheet!r} holds {len(v)} characters, more than Excel's limit of {MAX_TEXT}; "
                    "refused",
                    path,
                )


def _calamine(data: bytes, path: Path, fmt: str, skip: set[str] = frozenset(),  # type: ignore[assignment]
              long_text: bool = True) -> RawBook:
    """The sheets' grids, but for those in ``skip`` (listed in
    ``sheet_names``, never read)."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = wb.sheets_metadata
        names = [str(m.name) for m in metas if "WorkSheet" in str(m.typ)]
        if len(names) > MAX_SHEETS:
            raise _fail(f"工作表过多（{len(names)}个），已拒绝读取", f"too many sheets ({len(names)}); refused", path)
        sheets = []
        cells = 0
        for name in names:
            if name in skip:
                continue
            sh = wb.get_sheet_by_name(name)
            h, w = sh.height, sh.width
            start = sh.start
            if start is not None:
                h += start[0]
                w += start[1]
            cells += h * w
            if cells > MAX_CELLS:
                raise _fail("表格过大（单元格过多），已拒绝读取", "the workbook has too many cells; refused", path)
            rows = sh.to_python(skip_empty_area=False) if h and w else []
            if long_text:
                _check_text_lengths(rows, name, path)
            merges = []
            for (r0, c0), (r1, c1) in sh.merged_cell_ranges or ():
                merges.append((r0, c0, r1, c1))
            sheets.append(RawSheet(name, rows, merges))
        return RawBook(str(path), fmt, names, sheets)
    except UnreadableError:
        raise
    except BaseException as exc:  # calamine raises its own errors and pyo3 panics
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        if isinstance(exc, MemoryError):
            raise _fail("文件过大，内存不足，已拒绝读取", "the file is too large to read; refused", path) from None
        msg = str(exc).lower()
        if "password" in msg or "encrypt" in msg:
            raise _fail(ENCRYPTED_ZH, ENCRYPTED_EN, path) from None
        first = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise _fail(
            f"文件已损坏或无法解析（{first}）", f"the file is damaged or cannot be parsed ({first})", path
        ) from None
