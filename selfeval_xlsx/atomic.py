"""Outputs are written atomically: a temporary file beside the target, moved
onto it only when it is complete.  A crash, Ctrl-C or kill never leaves a
half-written workbook under the target's name.

Temporary names are short and private to the process that makes them
(``.PID.RANDOM.selfeval.tmp``, about 30 bytes whatever the target is called,
so a target name near the 255-byte limit still gets one), and what a killed
process left behind is removed only once that process is gone
(:func:`pid_alive`), so two runs writing into one folder never remove each
other's files in progress.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def _mode_for(target: Path, like: Path | None = None) -> int:
    """The permissions the result gets: those of the file it replaces, or
    what a newly created file gets (mkstemp alone would make it 0600) — never
    more than those of ``like`` (a copy of a private file stays private)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    if like is not None:
        with suppress(OSError):
            mode &= os.stat(like).st_mode & 0o777
    return mode


TEMP_SUFFIX = ".selfeval.tmp"


def temp_owner(name: str) -> int | None:
    """The process id in a temporary name made by :func:`replacing`
    (``.PID.RANDOM.selfeval.tmp``, or ``.NAME.PID.RANDOM.selfeval.tmp`` from
    older versions), or None for any other name."""
    if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
        return None
    parts = name[: -len(TEMP_SUFFIX)].rsplit(".", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def pid_alive(pid: int) -> bool:
    """True while process ``pid`` exists on this machine (a reused id counts
    as alive: its files are then left alone, never removed wrongly)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - Windows
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: someone else's process
        return True
    return True


@contextmanager
def replacing(target: str | os.PathLike, *, like: str | os.PathLike | None = None) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; when the block ends
    without an exception it replaces ``target``, otherwise it is removed.
    The temporary name is hidden (skipped by batch), short, and carries the
    process id, so what a killed process left behind can be found and removed
    (:func:`temp_owner`).  The result keeps the permissions of the file it
    replaces; a new file gets the usual ones, but never more than ``like``'s."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    handle, temp = tempfile.mkstemp(prefix=f".{os.getpid()}.", suffix=TEMP_SUFFIX, dir=folder)
    os.close(handle)
    try:
        yield Path(temp)
        os.chmod(temp, _mode_for(target, Path(like) if like is not None else None))
        os.replace(temp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise


def write_error(exc: OSError, path: str | os.PathLike, *, in_place: bool = False) -> tuple[str, str]:
    """A one-line reason (zh, en) why ``path`` could not be written."""
    import errno

    where = str(path)
    folder = str(Path(path).parent)
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint_zh = "请去掉 --in-place（结果另存为副本），或把文件复制到可写的文件夹" if in_place else "请用 -o 换一个输出位置"
        hint_en = ("drop --in-place (the result goes to a copy), or copy the file to a writable folder" if in_place
                   else "choose another output with -o")
        return (f"无法写入 {where}：没有写入权限（文件夹 {folder} 只读或文件被占用）；{hint_zh}",
                (f"cannot write {where}: permission denied (the folder {folder} is read-only or the file is in use); "
                 f"{hint_en}"))
    if exc.errno == errno.ENOSPC:
        return f"无法写入 {where}：磁盘已满", f"cannot write {where}: the disk is full"
    if exc.errno == errno.ENAMETOOLONG:
        return (f"无法写入 {where}：文件名太长；请用 -o 指定一个短一些的文件名",
                f"cannot write {where}: the file name is too long; give a shorter one with -o")
    reason = exc.strerror or str(exc)
    return f"无法写入 {where}：{reason}", f"cannot write {where}: {reason}"
