"""A zip package (.xlsx, .xlsm, .xlsb) opened safely, and the .xlsx path read.

:func:`open_zip` checks the package before anything is inflated: a valid
zip with a workbook inside (an OpenDocument, Word or PowerPoint file is
named as such), at most :data:`MAX_MEMBERS` members, declared sizes within
:data:`MAX_UNCOMPRESSED` and no member that inflates far beyond its
compressed size (a zip bomb), no encrypted member; then it inflates each
XML part (capped by its declared size, checked by CRC) and refuses a
DOCTYPE/ENTITY declaration (an entity bomb).  A worksheet part over
:data:`SMALL_SHEET` is deferred: only its first :data:`HEAD_BYTES` are
inflated, to see whether it can hold a form.

:func:`read_xlsx` then reads an .xlsx/.xlsm: each sheet through the
workbook's relationships; a deferred sheet skipped unless its first rows
can hold a form; every cell address within Excel's bounds and the grids
within ``MAX_CELLS`` (a stray value far from the rest left out of what
calamine sees); calamine's grids, read from a stored package of the parts
already inflated (never inflated twice); and the formula cells scanned from the
sheet XML, marked stale when the workbook asks for a full recalculation.
The .xlsb path (``loading.py``) reads the package apart instead.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx import loading_native
from selfeval_xlsx.loading_scan import KeywordStrings, cell_box, clip_far_cells, may_hold_form, scan_formulas
from selfeval_xlsx.ooxml.package import Package, Workbook, bomb_ratio, declares_dtd, inflate, inflate_head
from selfeval_xlsx.rawbook import ENCRYPTED_EN, ENCRYPTED_ZH, MAX_CELLS, MAX_TEXT, refuse

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from pathlib import Path

    from selfeval_xlsx.rawbook import RawBook

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # sum of declared member sizes
MAX_MEMBERS = 10_000
# (the zip-bomb ratio check, MAX_RATIO and BIG_MEMBER, is ooxml.package's, shared with the writer)
SMALL_SHEET = 256 * 1024  # a sheet part this small is simply read
HEAD_BYTES = 512 * 1024  # of a bigger one, this much of its start is looked at (and in it, loading_scan.HEAD_ROWS rows)

_FULL_CALC = lazy(rb'fullCalcOnLoad\s*=\s*["\'](?:1|true)["\']')
_SKIP_SCAN = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".bin", ".tif", ".tiff")


def open_zip(data: bytes, path: Path) -> tuple[zipfile.ZipFile, str, dict[str, bytes], dict[str, zipfile.ZipInfo]]:
    """The package checked and its parts inflated: (the zip, its format
    "xlsx" | "xlsm" | "xlsb", the XML parts inflated and checked, the
    deferred big worksheets by name).  UnreadableError for anything bad."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise refuse("文件已损坏或不完整（无法解压）", "the file is damaged or truncated (not a valid zip)", path) from None
    if len(infos) > MAX_MEMBERS:
        raise refuse("文件内部部件过多，已拒绝读取", "too many parts inside the file; refused", path)
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        if "content.xml" in names or "mimetype" in names:
            raise refuse(
                "不是Excel文件（看起来是OpenDocument表格），请另存为.xlsx后重试",
                "not an Excel file (looks like an OpenDocument file); save it as .xlsx and try again",
                path,
            )
        if "word/document.xml" in names or "ppt/presentation.xml" in names:
            raise refuse("不是Excel文件（看起来是Word/PowerPoint文件）", "not an Excel file (a Word/PowerPoint file)", path)
        raise refuse("不是Excel文件（压缩包中没有工作簿）", "not an Excel file (no workbook inside the zip)", path)

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
        raise refuse(
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
            raise refuse(ENCRYPTED_ZH, ENCRYPTED_EN, path)
        if not is_bin and _deferred(info):
            infos_by_name[info.filename] = info  # looked at from its first rows below
            continue
        parts[info.filename] = _inflate_checked(data, zf, info, path)
    return zf, fmt, parts, infos_by_name


def read_xlsx(data: bytes, path: Path, zf: zipfile.ZipFile, fmt: str, parts: dict[str, bytes],
              infos_by_name: dict[str, zipfile.ZipInfo]) -> RawBook:
    """An .xlsx/.xlsm package :func:`open_zip` has checked, read: its
    sheets' grids, merges and formula cells; ``parts`` (every part checked,
    as stored) goes with it for a writer working on the same file."""
    # sheet name -> part; the bounds of every cell address checked before
    # calamine sees a sheet (it aborts the process on some, and builds a dense
    # grid of the bounding box); only sheets that can hold a form are read
    skip: set[str] = set()
    try:
        wb = Workbook(Package(zf, data, parts))  # each sheet through the workbook's relationships
    except SelfevalError as exc:
        raise refuse(f"文件已损坏（{exc.zh}）", f"the file is damaged ({exc.en})", path) from None
    workbook_part = wb.part
    sheet_parts = {sheet.name: sheet.part for sheet in wb.sheets if sheet.part is not None}
    strings = KeywordStrings(parts)
    for_calamine: dict[str, bytes] = {}  # sheets calamine reads without their far-away cells
    cells = 0
    for name, part in sheet_parts.items():
        blob = parts.get(part)
        if blob is None:
            info = infos_by_name.get(part)
            if info is None:
                continue  # no such part: calamine says what it makes of that
            if not may_hold_form(_inflate_head(data, info), strings):
                skip.add(name)  # a big sheet (an attachment) with no form near its top: never read
                continue
            blob = _inflate_sheet(data, zf, info, path)
            parts[part] = blob
        box = cell_box(blob, part, path)
        if box > MAX_CELLS:  # a stray value far from everything else (Ctrl+↓ and a keystroke)
            clipped = clip_far_cells(blob)
            if clipped is not None:
                box = cell_box(clipped, part, path)
                for_calamine[part] = clipped
        cells += box
    if cells > MAX_CELLS:
        raise refuse("表格过大（单元格过多），已拒绝读取", "the workbook has too many cells; refused", path)

    # a text longer than Excel allows needs a part at least that long
    long_text = any(len(blob) > MAX_TEXT for name, blob in parts.items()
                    if name.lower().endswith("sharedstrings.xml") or name in sheet_parts.values())
    # calamine gets a stored (uncompressed) package of the parts inflated
    # above, so that it need not inflate them again (a fifth of its time),
    # without the attachments it will not read and without stray far-away
    # cells; ``parts`` (which the writer may reuse) keeps every part as stored
    calamine_data = _stored_package(parts, for_calamine, zf)
    book = loading_native.read(calamine_data, path, fmt, skip, long_text)
    # openpyxl and xlsxwriter write fullCalcOnLoad="1" and no (or zero)
    # cached values; Excel drops the flag when it saves.  Recompute then.
    workbook_xml = parts.get(workbook_part, b"")
    stale = b"fullCalcOnLoad" in workbook_xml and bool(_FULL_CALC.search(workbook_xml))  # (Excel's: no compiling)
    for sheet in book.sheets:
        part = sheet_parts.get(sheet.name)
        if part and part in parts:
            blob = parts[part]
            if b"<f" in blob or b":f" in blob:
                sheet.formulas = scan_formulas(blob, sheet.fixed_formulas)
                if stale:
                    sheet.formulas = {k: (t, False) for k, (t, _) in sheet.formulas.items()}
    book.parts = parts
    book.package = (data, zf, wb)  # the file as read, for a writer patching it (patch_workbook's opened)
    return book


def check_xml(name: str, blob: bytes, path: Path) -> None:
    """No DOCTYPE/ENTITY declaration in an XML part (entity bombs): the
    package's one guard (``ooxml.package.declares_dtd``), refused in one line."""
    try:
        dtd = declares_dtd(blob)
    except UnicodeDecodeError:
        raise refuse(f"文件内部XML部件损坏（{name}）", f"damaged XML part ({name})", path) from None
    if dtd:
        raise refuse(
            f"文件含有不安全的XML声明（DOCTYPE/ENTITY，{name}），已拒绝读取",
            f"the file contains an unsafe XML declaration (DOCTYPE/ENTITY in {name}); refused",
            path,
        )


def _check_ratio(info: zipfile.ZipInfo, path: Path) -> None:
    """A big member that inflates far beyond its compressed size is a zip bomb."""
    if bomb_ratio(info):
        raise refuse(
            f"文件内部部件压缩比异常（{info.filename}），疑似压缩炸弹，已拒绝读取",
            f"abnormal compression ratio in {info.filename} (zip bomb?); refused",
            path,
        )


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
        raise refuse(
            f"文件解压后过大（{info.filename}：{info.file_size // (1024 * 1024)} MB），已拒绝读取",
            f"{info.filename} would inflate to {info.file_size // (1024 * 1024)} MB; refused",
            path,
        )
    _check_ratio(info, path)
    return _inflate_checked(data, zf, info, path)


def _inflate_checked(data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    """A member inflated, refused in one line when it cannot be, and its XML
    checked (no DOCTYPE/ENTITY)."""
    blob = inflate(data, zf, info)
    if blob is None:
        raise refuse(
            f"文件已损坏或不完整（{info.filename} 无法解压）",
            f"the file is damaged or truncated ({info.filename} cannot be inflated)",
            path,
        )
    check_xml(info.filename, blob, path)
    return blob


_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_END_RECORD = struct.Struct("<IHHHHIIH")


def _stored_package(parts: dict[str, bytes], changed: dict[str, bytes], zf: zipfile.ZipFile) -> bytes:
    """A stored (uncompressed) zip of the parts already inflated and checked,
    those in ``changed`` replaced.  Written by hand rather than with
    ``zipfile`` (a tenth of the time, for every file read): each member a
    local header and its bytes, then the central directory; the CRC of an
    unchanged part is the one its inflation was checked against.  No zip64:
    the parts are within MAX_UNCOMPRESSED and MAX_MEMBERS."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, blob in parts.items():
        if name in changed:
            blob = changed[name]
            crc = zlib.crc32(blob)
        else:
            crc = zf.getinfo(name).CRC
        raw = name.encode("utf-8")
        flags = 0 if raw.isascii() else 0x800  # bit 11: the name is UTF-8
        size = len(blob)
        # version 2.0, stored, dated 1980-01-01 00:00 (0x21)
        local = _LOCAL_HEADER.pack(0x04034B50, 20, flags, 0, 0, 0x21, crc, size, size, len(raw), 0)
        central.append(_CENTRAL_HEADER.pack(0x02014B50, 20, 20, flags, 0, 0, 0x21, crc, size, size, len(raw),
                                            0, 0, 0, 0, 0, offset) + raw)
        out += (local, raw, blob)
        offset += len(local) + len(raw) + size
    directory = b"".join(central)
    out += (directory, _END_RECORD.pack(0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0))
    return b"".join(out)
