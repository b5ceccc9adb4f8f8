"""python-calamine, the native reader that turns a workbook into grids:
in-process (:func:`read`), or in a forked child with a time and memory
limit (:func:`read_isolated`) for the binary formats, .xls and .xlsb.

What calamine is given has been checked by the caller (``loading_zip.py``
for .xlsx, ``loading.py`` for .xls); what it builds is checked here: at
most :data:`MAX_SHEETS` sheets, the grids' cells within ``MAX_CELLS``, no
cell longer than Excel's 32,767 characters.  Whatever calamine raises,
panics included, becomes one line.  Whether a binary workbook is read
apart is ``loading.ISOLATE_BINARY``'s decision.
"""

from __future__ import annotations

import io
import os
import time

from selfeval_xlsx.cellref import col_letters
from selfeval_xlsx.errors import UnreadableError
from selfeval_xlsx.rawbook import ENCRYPTED_EN, ENCRYPTED_ZH, MAX_CELLS, MAX_TEXT, RawBook, RawSheet, refuse

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

MAX_SHEETS = 255
ISOLATE_SECONDS = 30  # a legacy or binary workbook read apart: time ...
ISOLATE_MEMORY = 2 * 1024**3  # ... and address space it may take


def read(data: bytes, path: Path, fmt: str, skip: set[str] = frozenset(),  # type: ignore[assignment]
         long_text: bool = True) -> RawBook:
    """The sheets' grids and merges, but for those in ``skip`` (listed in
    ``sheet_names``, never read); the cells' text lengths checked unless
    ``long_text`` is False (no part is long enough to hold such a text)."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = wb.sheets_metadata
        names = [str(m.name) for m in metas if "WorkSheet" in str(m.typ)]
        if len(names) > MAX_SHEETS:
            raise refuse(f"工作表过多（{len(names)}个），已拒绝读取", f"too many sheets ({len(names)}); refused", path)
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
                raise refuse("表格过大（单元格过多），已拒绝读取", "the workbook has too many cells; refused", path)
            rows = sh.to_python(skip_empty_area=False) if h and w else []
            if long_text:
                _check_text_lengths(rows, name, path)
            merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sh.merged_cell_ranges or ()]
            sheets.append(RawSheet(name, rows, merges))
        return RawBook(str(path), fmt, names, sheets)
    except UnreadableError:
        raise
    except BaseException as exc:  # calamine raises its own errors and pyo3 panics
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        if isinstance(exc, MemoryError):
            raise refuse("文件过大，内存不足，已拒绝读取", "the file is too large to read; refused", path) from None
        msg = str(exc).lower()
        if "password" in msg or "encrypt" in msg:
            raise refuse(ENCRYPTED_ZH, ENCRYPTED_EN, path) from None
        first = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise refuse(
            f"文件已损坏或无法解析（{first}）", f"the file is damaged or cannot be parsed ({first})", path
        ) from None


def _check_text_lengths(rows: list[list[Any]], sheet: str, path: Path) -> None:
    """No cell holds more text than Excel allows (such a file was not made
    by Excel, and every later step may assume the bound)."""
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v.__class__ is str and len(v) > MAX_TEXT:
                ref = f"{col_letters(c)}{r + 1}"
                raise refuse(
                    f"工作表“{sheet}”单元格 {ref} 的文字有 {len(v)} 个字符，超过 Excel 的上限 {MAX_TEXT}，已拒绝读取；请缩短该单元格的文字后重试",
                    f"cell {ref} of sheet {sheet!r} holds {len(v)} characters, more than Excel's limit of {MAX_TEXT}; "
                    "refused",
                    path,
                )


def read_isolated(data: bytes, path: Path, fmt: str) -> RawBook:
    """:func:`read` in a forked child with a time and memory limit, for
    the binary formats (.xls, .xlsb), whose records the native reader
    trusts in ways no cheap check covers: whatever it does to one file (an
    abort, a runaway allocation, a hang) ends that child, and the file is
    reported unreadable in one line.  POSIX only (``os.fork``): where there
    is none, or where the process is itself expendable, ``loading`` calls
    :func:`read` instead (the fork costs about 5 ms a file)."""
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
                payload: tuple[bool, Any] = (True, read(data, path, fmt))
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
                raise refuse(f"读取超时（超过 {ISOLATE_SECONDS} 秒），已拒绝读取",
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
        raise refuse("文件已损坏或无法解析（读取时异常终止）", "the file is damaged or cannot be parsed (the reader aborted)",
                    path)
    ok, value = pickle.loads(b"".join(chunks))  # our own child's bytes
    if not ok:
        raise refuse(value[0], value[1], path)
    return value
