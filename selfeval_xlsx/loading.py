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

This module tells the kinds of file apart and reads the legacy ones:

- :func:`load`: the file checks (exists, not a folder, not empty, within
  :data:`MAX_FILE_BYTES`) and the dispatch by content, never by suffix:
  a zip package, an OLE2 container, or something that is not Excel (named
  as what it looks like);
- the OLE2 path: an encrypted OOXML package or .xls refused, the .xls
  records checked against the .xls bounds (``biff.py``), then read apart;
- whether a binary workbook is read in a forked child
  (:data:`ISOLATE_BINARY`).

The rest is read by:

- ``rawbook.py``: :class:`RawBook` / :class:`RawSheet`, the shared limits
  and the one-line refusal;
- ``loading_zip.py``: the zip package's checks and the .xlsx path;
- ``loading_scan.py``: the byte scans of a worksheet part (can it hold a
  form, its cell bounds and grid size, its formula cells);
- ``loading_native.py``: python-calamine, in-process or in the isolated child.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from selfeval_xlsx import biff, loading_native, loading_zip
from selfeval_xlsx.errors import UnreadableError
from selfeval_xlsx.rawbook import ENCRYPTED_EN, ENCRYPTED_ZH, MAX_CELLS, RawBook, RawSheet, refuse

__all__ = ["load", "RawBook", "RawSheet", "MAX_FILE_BYTES", "ISOLATE_BINARY"]

MAX_FILE_BYTES = 100 * 1024 * 1024  # on disk
OLE_MAGIC = biff.OLE_MAGIC
ZIP_MAGIC = b"PK\x03\x04"
ISOLATE_BINARY = True  # False where the process itself is expendable (a batch worker)


def load(path: str | os.PathLike) -> RawBook:
    """Read ``path`` into a :class:`RawBook`; UnreadableError for anything bad."""
    p = Path(path)
    try:
        try:
            st = os.stat(p)
        except (FileNotFoundError, NotADirectoryError):
            raise refuse("文件不存在", "file not found", path) from None
        if stat.S_ISDIR(st.st_mode):
            raise refuse("这是一个文件夹，不是Excel文件", "this is a directory, not an Excel file", path)
        size = st.st_size
        if size == 0:
            raise refuse("文件为空（0字节）", "the file is empty (0 bytes)", path)
        if size > MAX_FILE_BYTES:
            raise refuse(
                f"文件过大（{size // (1024 * 1024)} MB），超过上限 {MAX_FILE_BYTES // (1024 * 1024)} MB",
                f"file too large ({size // (1024 * 1024)} MB, limit {MAX_FILE_BYTES // (1024 * 1024)} MB)",
                path,
            )
        data = p.read_bytes()
    except UnreadableError:
        raise
    except OSError as exc:
        raise refuse(f"无法打开文件：{exc.strerror or exc}", f"cannot open the file: {exc.strerror or exc}", path) from None

    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return _load_zip(data, p)
    if data.startswith(OLE_MAGIC):
        return _load_ole(data, p)
    raise _not_excel(data, p)


def _load_zip(data: bytes, path: Path) -> RawBook:
    zf, fmt, parts, deferred = loading_zip.open_zip(data, path)
    if fmt != "xlsb":
        return loading_zip.read_xlsx(data, path, zf, fmt, parts, deferred)
    book = _read_binary(data, path, fmt)  # no bounds check for the binary format: the reader runs apart
    book.parts = parts
    return book


def _read_binary(data: bytes, path: Path, fmt: str) -> RawBook:
    """A binary workbook (.xls, .xlsb) read by calamine in a forked child
    with a time and memory limit (``loading_native.read_isolated``); read
    in-process, behind the bounds checks alone, where the process is itself
    expendable (a batch worker sets :data:`ISOLATE_BINARY` to False) or
    there is no fork (Windows)."""
    if not ISOLATE_BINARY or not hasattr(os, "fork"):
        return loading_native.read(data, path, fmt)
    return loading_native.read_isolated(data, path, fmt)


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
    return refuse(
        f"不是Excel文件（看起来是{kind_zh}），请另存为.xlsx后重试",
        f"not an Excel file (looks like {kind_en}); save it as .xlsx and try again",
        path,
    )


def _load_ole(data: bytes, path: Path) -> RawBook:
    try:
        doc = biff.Compound(data)
        names = doc.names
    except Exception:  # noqa: BLE001 - any parse failure means a damaged file
        raise refuse("文件已损坏或不完整（OLE结构无法解析）", "the file is damaged or truncated (bad OLE structure)", path) from None
    if names & {"EncryptionInfo", "EncryptedPackage"}:
        raise refuse(ENCRYPTED_ZH, ENCRYPTED_EN, path)
    stream_name = "Workbook" if "Workbook" in names else ("Book" if "Book" in names else None)
    if stream_name is None:
        raise refuse(
            "不是Excel文件（看起来是Word或其他Office文档）", "not an Excel file (another kind of Office document)", path
        )
    try:
        mem, base, size = doc.locate(stream_name)
    except Exception:  # noqa: BLE001
        raise refuse("文件已损坏或不完整（工作簿数据流无法读取）", "the file is damaged (workbook stream unreadable)", path) from None
    if mem is not None and biff.has_filepass(mem, base, size):
        raise refuse(ENCRYPTED_ZH, ENCRYPTED_EN, path)
    if mem is not None:
        _check_biff_bounds(mem, base, size, path)
    return _read_binary(data, path, "xls")


def _check_biff_bounds(mem: bytes, base: int, size: int, path: Path) -> None:
    """Every cell record of every sheet within the .xls bounds (65,536 rows,
    256 columns) and the grid calamine will build within MAX_CELLS, before
    calamine sees the file: a damaged record made it ask for 84 GB and
    abort the process."""
    try:
        biff.check_bounds(mem, base, size, MAX_CELLS)
    except biff.OutOfBounds as exc:
        if exc.kind == "dimensions":
            raise refuse(
                "文件已损坏：工作表的尺寸记录超出 .xls 的范围",
                "the file is damaged: a sheet's DIMENSIONS record is outside the .xls bounds",
                path,
            ) from None
        if exc.kind == "column":
            raise refuse(
                f"文件已损坏：工作表中有超出 .xls 范围的单元格（第 {exc.column + 1} 列）",
                f"the file is damaged: a cell outside the .xls bounds (column {exc.column + 1})",
                path,
            ) from None
        raise refuse("表格过大（单元格过多），已拒绝读取", "the workbook has too many cells; refused", path) from None
