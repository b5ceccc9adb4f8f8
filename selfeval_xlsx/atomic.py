"""Outputs are written atomically: a temporary file beside the target, moved
onto it only when it is complete.  A crash, Ctrl-C or kill never leaves a
half-written workbook under the target's name.

Temporary names are short and private to the process that makes them
(``.PID.RANDOM.selfeval.tmp``, about 30 bytes whatever the target is called,
so a target name near the 255-byte limit still gets one), and what a killed
process left behind is removed only once that process is gone
(:func:`pid_alive`), so two runs writing into one folder never remove each
other's files in progress.

Two ways in: :func:`replacing` yields the temporary path (the caller writes
it; no fsync), :func:`writing` yields an open binary file and makes the
result durable (temporary file -> flush -> fsync -> rename).

**Commits in the background** (pool workers only).  In a worker of
:class:`selfeval_xlsx.pool.Pool` a :class:`Commits` thread exists
(:func:`commit_in_background`), and inside a :func:`deferred` block the end
of :func:`writing` -- fsync, chmod, rename, the part that waits for the disk
-- is queued to that thread instead of done inline, so it overlaps the next
file's CPU work.  The worker's outbox sends an item's reply only once the
commits that item queued (:meth:`Commits.take`) are finished, and a commit
that fails replaces that item's result by ``on_error(exc, target)`` (the
result the inline write would have given).  So a result reported to the parent always
has its output on disk under its final name, and a worker that dies loses
only unreported files (their temporary files are swept as before).  Outside
a worker, or outside a :func:`deferred` block, everything is inline.
"""

from __future__ import annotations

import io
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO


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


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def create_temp(folder: str | os.PathLike) -> tuple[int, Path]:
    """A new, empty temporary file in ``folder`` named ``.PID.RANDOM.selfeval.tmp``,
    open for writing: (descriptor, absolute path).  One ``os.open`` with
    O_EXCL and mode 0600, as ``tempfile.mkstemp`` makes it, without the
    second open that writing through mkstemp's name costs."""
    prefix = os.path.join(os.path.abspath(folder), f".{os.getpid()}.")
    for _attempt in range(100):
        name = f"{prefix}{os.urandom(4).hex()}{TEMP_SUFFIX}"
        try:
            return os.open(name, _TEMP_FLAGS, 0o600), Path(name)
        except FileExistsError:
            continue
    raise FileExistsError(17, "No usable temporary file name found", prefix)  # pragma: no cover


def _commit(temp: Path, target: Path, mode: int) -> None:
    os.chmod(temp, mode)
    os.replace(temp, target)


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
    handle, temp = create_temp(folder)
    os.close(handle)
    try:
        yield temp
        _commit(temp, target, _mode_for(target, Path(like) if like is not None else None))
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise


@contextmanager
def writing(target: str | os.PathLike, *, like: str | os.PathLike | None = None) -> Iterator[BinaryIO]:
    """Yield a binary file to write ``target``'s new content into; when the
    block ends without an exception the content is flushed, fsynced and the
    file renamed onto ``target`` (names and permissions as :func:`replacing`),
    otherwise it is removed.  No fsync of the folder here (a second fsync
    doubles the cost of a small file on a slow disk): ``batch`` syncs each
    output folder once at the end instead.

    In a pool worker inside a :func:`deferred` block the fsync and rename
    are queued to the worker's :class:`Commits` thread (module doc).

    The file yielded is in memory, written to the temporary file in one go
    when the block ends: the package writer's ``zipfile`` asks a file for
    its position at every member, and a file on disk answers each time with
    a system call (some 30 a package, against one write)."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    fd, temp = create_temp(folder)
    handed_over = False
    try:
        with io.BytesIO() as fh:
            yield fh
            with fh.getbuffer() as data:
                _write_all(fd, data)
        mode = _mode_for(target, Path(like) if like is not None else None)
        commits = _COMMITS
        if commits is not None and _ON_ERROR is not None:
            commits.submit(fd, temp, target, mode, _ON_ERROR)
            handed_over = True
            return
        os.fsync(fd)
        fd, closing = -1, fd
        os.close(closing)
        _commit(temp, target, mode)
    except BaseException:
        if not handed_over:
            if fd >= 0:
                with suppress(OSError):
                    os.close(fd)
            with suppress(OSError):
                os.unlink(temp)
        raise


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data):]


# --------------------------------------------------------------------------
# commits in the background (pool workers)

#: The committer of this process (a pool worker), or None: everything inline.
_COMMITS: Commits | None = None
#: Inside a :func:`deferred` block: what a failed commit's item reports instead.
_ON_ERROR: Callable[[Exception, Path], Any] | None = None

#: A queued commit's ticket and what its item reports if it fails.
Ticket = tuple[int, Callable[[Exception, Path], Any]]


class Commits:
    """One thread finishing this process's outputs in the order they were
    queued: fsync, close, chmod, rename (a failure removes the temporary
    file and is kept, with the target, for :meth:`error`).  ``listener`` is called after each
    commit (the outbox: a held reply may now be sendable)."""

    def __init__(self, listener: Callable[[], None] | None = None):
        self.listener = listener
        self.changed = threading.Condition()
        self.queue: deque[tuple[int, int, Path, Path, int]] = deque()
        self.submitted = 0  # tickets are 1, 2, ... in queue order
        self.finished = 0  # every ticket up to this one is done
        self.failed: dict[int, tuple[Exception, Path]] = {}
        self.new: list[Ticket] = []  # queued since the last take()
        self.thread: threading.Thread | None = None

    def submit(self, fd: int, temp: Path, target: Path, mode: int, on_error: Callable[[Exception, Path], Any]) -> int:
        with self.changed:
            self.submitted += 1
            ticket = self.submitted
            self.queue.append((ticket, fd, temp, target, mode))
            self.new.append((ticket, on_error))
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="selfeval-commits", daemon=True)
                self.thread.start()
            self.changed.notify_all()
        return ticket

    def take(self) -> list[Ticket]:
        """The commits queued since the last call (one item's)."""
        with self.changed:
            new, self.new = self.new, []
        return new

    def done(self, ticket: int) -> bool:
        return self.finished >= ticket

    def wait(self, ticket: int | None = None) -> None:
        """Block until commit ``ticket`` (default: every one queued) is done."""
        with self.changed:
            ticket = self.submitted if ticket is None else ticket
            while self.finished < ticket:
                self.changed.wait()

    def error(self, ticket: int) -> tuple[Exception, Path] | None:
        """Why commit ``ticket`` (done) failed and its target, or None; asked once."""
        with self.changed:
            return self.failed.pop(ticket, None)

    def _run(self) -> None:  # the commit thread
        while True:
            with self.changed:
                while not self.queue:
                    self.changed.wait()
                ticket, fd, temp, target, mode = self.queue[0]
            failure = None
            try:
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                _commit(temp, target, mode)
            except Exception as exc:  # noqa: BLE001 - the item's result says why; the thread goes on
                failure = exc
                with suppress(OSError):
                    os.unlink(temp)
            with self.changed:
                self.queue.popleft()
                if failure is not None:
                    self.failed[ticket] = failure, target
                self.finished = ticket
                self.changed.notify_all()
            if self.listener is not None:
                self.listener()


def commit_in_background(listener: Callable[[], None] | None = None) -> Commits:
    """Give this process (a pool worker) a commit thread; see the module doc."""
    global _COMMITS
    _COMMITS = Commits(listener)
    return _COMMITS


@contextmanager
def deferred(on_error: Callable[[Exception, Path], Any]) -> Iterator[None]:
    """Within the block, :func:`writing` leaves the fsync and rename to this
    process's commit thread when it has one (a pool worker), and a commit
    that fails makes the item's result ``on_error(exc, target)``.  Without a commit
    thread the block changes nothing."""
    global _ON_ERROR
    outer, _ON_ERROR = _ON_ERROR, on_error
    try:
        yield
    finally:
        _ON_ERROR = outer


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
