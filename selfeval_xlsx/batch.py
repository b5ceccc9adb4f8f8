"""Batch processing of a folder: discovery and a crash-proof parallel runner.

Two independent parts:

* :func:`discover` lists the workbooks under a folder (sorted, lock files,
  hidden entries and the output folder left out).
* :func:`run_tasks` runs a picklable per-item function over an iterable in
  worker processes that it owns.  It gives every item a deadline, replaces a
  worker that dies (segfault, ``os._exit``, out of memory) or overruns, and
  reports that item as failed instead of stopping -- which
  ``concurrent.futures.ProcessPoolExecutor`` cannot do (one dead worker
  breaks the whole pool).  Results come back in input order and only a
  bounded number of items is in flight, so memory stays flat however many
  files there are.

:func:`process_file` is the per-file function the ``batch`` command uses:
it validates, or fills into a temporary folder next to the target and moves
the finished copy into place with ``os.replace`` (never a half-written file).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import shutil
import signal
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait as _wait_ready
from pathlib import Path
from typing import Any

from selfeval_xlsx.atomic import pid_alive, temp_owner
from selfeval_xlsx.errors import display_path
from selfeval_xlsx.profile import DEFAULT, Profile
from selfeval_xlsx.results import FileResult

EXTENSIONS = (".xlsx", ".xlsm", ".xls")

#: Seconds one file may take before its worker is killed and the file is
#: reported as unreadable ("处理超时").
FILE_TIMEOUT = 60.0

#: Address-space limit of a worker process on POSIX (bytes), so a
#: decompression bomb ends in a MemoryError inside one worker instead of the
#: machine running out of memory.  ``None`` for no limit.
WORKER_MEMORY_LIMIT: int | None = 4 * 1024**3

#: Modules the fork server imports once, so each new worker starts warm.
PRELOAD = [
    "selfeval_xlsx.api", "selfeval_xlsx.batch", "selfeval_xlsx.reader",
    "selfeval_xlsx.checks", "selfeval_xlsx.fill", "selfeval_xlsx.report",
]

#: Items sent ahead to each worker, so a worker does not wait for the parent
#: between two files and reports several files at a time.
PIPELINE_DEPTH = 8

#: A worker sends its replies at most this many at a time ...
REPLY_BATCH = 16
#: ... and holds none back longer than this (seconds), so progress shows.
REPLY_DELAY = 0.2

#: Prefix of the temporary folders :func:`process_file` writes into.
TMP_PREFIX = ".selfeval-tmp-"
SUMMARY_TMP_PREFIX = ".summary.tmp-"  # + pid + "-": summary.xlsx being written (summary.py)


# --------------------------------------------------------------------------
# discovery


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


@dataclass(frozen=True)
class Skipped:
    """An entry :func:`discover` could not read: listed as unreadable."""

    rel: Path
    zh: str
    en: str


def _not_a_file(path: str) -> tuple[str, str]:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "无法访问", "inaccessible"
    if stat.S_ISLNK(mode):
        return "符号链接循环或指向不存在的文件", "a symbolic link that loops or leads nowhere"
    if stat.S_ISFIFO(mode):
        return "命名管道", "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "套接字", "a socket"
    return "设备文件", "a device"


def discover(
    in_dir: str | Path, exclude: Iterable[str | Path] = (), skipped: list[Skipped] | None = None
) -> list[Path]:
    """Workbook files under ``in_dir`` as paths relative to it, sorted.

    Extensions .xlsx/.xlsm/.xls in any case; Office lock files (``~$…``),
    hidden files and folders (dot-names) and the folders in ``exclude`` (the
    output folder when it lies inside ``in_dir``) are skipped.  Symbolic
    links to folders are not followed (no loops); links to files are kept.

    What could hold a workbook but cannot be read is appended to ``skipped``
    (when given), never dropped in silence: a subfolder that cannot be
    opened, and an entry with a workbook's name that is not a regular file
    (a FIFO, a device, a symbolic link that loops or leads nowhere).
    """
    root = Path(in_dir)
    excluded = set()
    for path in exclude:
        try:
            excluded.add(os.path.realpath(path))
        except OSError:  # pragma: no cover
            pass
    found: list[Path] = []

    def walk(folder: str, rel: tuple[str, ...]) -> None:
        if os.path.realpath(folder) in excluded:
            return
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            if skipped is not None and rel:
                reason = exc.strerror or type(exc).__name__
                skipped.append(Skipped(Path(*rel), f"无法打开文件夹（{reason}）", f"cannot open the folder ({reason})"))
            return
        for entry in entries:
            name = entry.name
            if _is_hidden(name):
                continue
            workbook_name = not name.startswith("~$") and name.lower().endswith(EXTENSIONS)
            try:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, (*rel, name))
                    continue
                if not entry.is_file():
                    if workbook_name and skipped is not None and not entry.is_dir():
                        what = _not_a_file(entry.path)
                        skipped.append(Skipped(Path(*rel, name), f"不是普通文件（{what[0]}）", f"not a regular file ({what[1]})"))
                    continue
            except OSError as exc:
                if workbook_name and skipped is not None:
                    reason = exc.strerror or type(exc).__name__
                    skipped.append(Skipped(Path(*rel, name), f"无法读取（{reason}）", f"cannot be read ({reason})"))
                continue
            if not workbook_name:
                continue
            found.append(Path(*rel, name))

    walk(str(root), ())
    found.sort(key=lambda p: p.parts)
    return found


# --------------------------------------------------------------------------
# the per-file function


@dataclass(frozen=True)
class FileJob:
    """What :func:`process_file` needs besides the file: sent once per worker."""

    in_dir: str
    out_dir: str | None  # None: validate only (--no-fill)
    profile: Profile = DEFAULT
    lang: str = "zh"


def process_file(job: FileJob, rel: str) -> dict[str, Any]:
    """Validate (or fill) ``job.in_dir/rel``; the validate/fill dict.

    With ``job.out_dir`` the corrected copy is written to ``out_dir/rel``
    (or the name fill chose, e.g. .xls → .xlsx); fill writes it atomically
    (a hidden temporary file beside it, renamed when complete).
    """
    from selfeval_xlsx import api

    src = os.path.join(job.in_dir, rel)
    if job.out_dir is None:
        return api.validate_file(src, job.profile, job.lang)
    target = Path(job.out_dir, rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    return api.fill_file(src, target, job.profile, mark=True, lang=job.lang)


def remove_worker_temp(folder: str | Path, pid: int) -> None:
    """Remove the temporary files a killed worker ``pid`` left in ``folder``."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if temp_owner(entry.name) == pid or entry.name.startswith(f"{TMP_PREFIX}{pid}-"):
            _remove(entry.path)


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _prefixed_pid(name: str, prefix: str) -> int | None:
    """The process id right after ``prefix`` in ``PREFIX<pid>-…``, if any."""
    if not name.startswith(prefix):
        return None
    head = name[len(prefix):].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _dead(pid: int | None) -> bool:
    return pid is not None and not pid_alive(pid)


def sweep_temp(out_dir: str | Path) -> None:
    """Remove the temporary files (and a half-written summary) that a killed
    or interrupted run left in ``out_dir``: only those whose process is gone,
    so a run going on at the same time in the same folder keeps its files in
    progress."""
    try:
        for entry in os.scandir(out_dir):
            if _dead(_prefixed_pid(entry.name, SUMMARY_TMP_PREFIX)) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    except OSError:
        pass
    for folder, dirs, files in os.walk(out_dir):
        for name in list(dirs):
            if name.startswith(TMP_PREFIX):  # an older version's per-worker folders
                if _dead(_prefixed_pid(name, TMP_PREFIX)):
                    shutil.rmtree(os.path.join(folder, name), ignore_errors=True)
                dirs.remove(name)
        for name in files:
            if _dead(temp_owner(name)):
                _remove(os.path.join(folder, name))


# --------------------------------------------------------------------------
# the runner


@dataclass(frozen=True)
class Failure:
    """Why an item has no result: ``kind`` is "timeout", "crash" or "exception"."""

    kind: str
    detail: str = ""
    pid: int | None = None


def _limit_memory(limit: int | None) -> None:
    if not limit or os.name != "posix":
        return
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover
        pass


def _worker_main(conn, func, memory_limit, state) -> None:  # runs in the child
    """Serve items until told to stop.

    ``state`` is shared memory the parent reads: ``[index of the item
    running (-1 between items), time.monotonic() when it started]``, so the
    parent knows which item a worker that dies or overruns was on.  Replies
    go back a few at a time (one wake-up of the parent for several files):
    when the worker is down to its last queued item, or holds
    :data:`REPLY_BATCH` replies, or the oldest has waited :data:`REPLY_DELAY`
    seconds — the last is enforced by a small thread while the worker is
    busy with a slow item, so a finished result never waits behind it.
    """
    # Ctrl-C goes to the whole process group; the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_memory(memory_limit)
    from selfeval_xlsx import loading

    loading.ISOLATE_BINARY = False  # this worker is the isolation: a crash costs one file, and it is replaced
    inbox: deque[tuple[int, Any]] = deque()
    outbox = _Outbox(conn)
    flusher = threading.Thread(target=outbox.flush_when_due, name="selfeval-replies", daemon=True)
    flusher.start()
    try:
        while True:
            try:
                while not inbox or conn.poll():  # wait for work; take all there is
                    message = conn.recv()
                    if message is None:
                        outbox.flush()
                        return
                    inbox.append(message)
            except (EOFError, OSError):
                return
            index, item = inbox.popleft()
            state[1] = time.monotonic()
            state[0] = index  # written last: the parent reads it first
            try:
                reply = (index, True, func(item))
            except MemoryError:
                reply = (index, False, "MemoryError")
            except BaseException as exc:  # noqa: BLE001 - report, keep serving
                reply = (index, False, f"{type(exc).__name__}: {exc}")
            state[0] = -1
            del item
            if not outbox.add(reply, send_now=len(inbox) <= 1):
                return
            del reply
    finally:
        outbox.close()


class _Outbox:
    """A worker's finished replies, sent to the parent in batches by the main
    loop or, once the oldest has waited :data:`REPLY_DELAY`, by the flusher
    thread.  One lock keeps the two from sending at once."""

    def __init__(self, conn):
        self.conn = conn
        self.lock = threading.Lock()
        self.replies: list[tuple[int, bool, Any]] = []
        self.oldest = 0.0
        self.open = True
        self.closed = threading.Event()

    def add(self, reply: tuple[int, bool, Any], *, send_now: bool) -> bool:
        """Queue a reply; send the batch if it is due.  False when the parent has gone."""
        with self.lock:
            now = time.monotonic()
            if not self.replies:
                self.oldest = now
            self.replies.append(reply)
            if send_now or len(self.replies) >= REPLY_BATCH or now - self.oldest >= REPLY_DELAY:
                return self._send()
            return self.open

    def flush(self) -> bool:
        with self.lock:
            return self._send()

    def flush_when_due(self) -> None:  # the flusher thread
        while not self.closed.wait(REPLY_DELAY / 4):
            with self.lock:
                if self.replies and time.monotonic() - self.oldest >= REPLY_DELAY and not self._send():
                    return

    def close(self) -> None:
        self.closed.set()

    def _send(self) -> bool:
        replies, self.replies = self.replies, []
        self.open = self.open and _send_replies(self.conn, replies)
        return self.open


def _send_replies(conn, replies: list[tuple[int, bool, Any]]) -> bool:
    """Send a list of replies; False when the parent has gone."""
    if not replies:
        return True
    try:
        conn.send(replies)
        return True
    except (EOFError, OSError):
        return False
    except Exception:  # noqa: BLE001 - a result that cannot be pickled: find it
        pass
    checked = []
    for index, ok, payload in replies:
        try:
            pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            checked.append((index, ok, payload))
        except Exception as exc:  # noqa: BLE001
            checked.append((index, False, f"{type(exc).__name__}: {exc}"))
    try:
        conn.send(checked)
        return True
    except (EOFError, OSError):
        return False


class _Worker:
    """One worker process, the items sent to it (oldest first) and the
    shared ``state`` in which it shows the item it is on."""

    __slots__ = ("process", "conn", "queue", "state")

    def __init__(self, ctx, func, memory_limit):
        parent_end, child_end = ctx.Pipe(duplex=True)
        self.state = ctx.RawArray("d", [-1.0, 0.0])
        self.process = ctx.Process(target=_worker_main, args=(child_end, func, memory_limit, self.state),
                                   daemon=True)
        self.process.start()
        child_end.close()
        self.conn = parent_end
        self.queue: deque[tuple[int, Any]] = deque()

    @property
    def busy(self) -> bool:
        return bool(self.queue)

    def running(self) -> tuple[int, float] | None:
        """(index, start time) of the item the worker is on, or None."""
        index = int(self.state[0])  # first: the worker writes it last
        started = self.state[1]
        return None if index < 0 else (index, started)

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                kill = True
        if not kill:
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()
        try:
            self.process.close()
        except ValueError:  # pragma: no cover - still running after kill
            pass


def stop_helper_processes() -> None:
    """Stop multiprocessing's fork server and resource tracker and wait for
    them, so a command that ran a batch leaves no process behind when it
    exits (they would otherwise notice the exit and stop a moment later).
    Only for the end of a program: the next batch would start them again."""
    from multiprocessing import forkserver, resource_tracker

    for holder, name in ((forkserver, "_forkserver"), (resource_tracker, "_resource_tracker")):
        helper = getattr(holder, name, None)
        stop = getattr(helper, "_stop", None)
        if stop is None:  # pragma: no cover - another Python's internals
            continue
        try:
            stop()
        except (OSError, ChildProcessError, AttributeError, TypeError):  # pragma: no cover - already gone
            pass


def default_start_method() -> str:
    """forkserver on POSIX (safe with the progress bar's thread), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def run_tasks(
    items: Iterable[Any],
    func: Callable[[Any], Any],
    *,
    jobs: int = 0,
    timeout: float | None = FILE_TIMEOUT,
    window: int | None = None,
    start_method: str | None = None,
    memory_limit: int | None = WORKER_MEMORY_LIMIT,
    preload: Iterable[str] = (),
) -> Iterator[tuple[Any, Any, Failure | None]]:
    """Run ``func(item)`` for every item in worker processes.

    Yields ``(item, result, None)`` or ``(item, None, Failure)`` in input
    order.  ``func`` must be picklable (a module-level function or a
    ``functools.partial`` of one).  ``jobs`` ≤ 0 means ``os.cpu_count()``;
    ``window`` bounds how far results may run ahead of the slowest item
    (memory).  Closing the generator (or an exception such as
    KeyboardInterrupt in the consumer) stops and reaps all workers.
    """
    n = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    if window is None:
        window = max(256, 16 * n)
    source = iter(items)
    method = start_method or default_start_method()
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        preload = list(preload)
        if preload:
            ctx.set_forkserver_preload(preload)

    workers: list[_Worker] = []
    done: dict[int, tuple[Any, Any, Failure | None]] = {}
    next_out = 0  # index of the next result to yield
    next_in = 0  # index the next item read from ``source`` gets
    exhausted = False
    retry: deque[tuple[int, Any]] = deque()  # items whose worker could not take them

    def new_worker() -> _Worker:
        return _Worker(ctx, func, memory_limit)

    def fail(worker: _Worker, failure: Failure, blamed: int | None = None) -> None:
        """The worker died or overran: the item it was on (``blamed``, or
        the one it shows as running) failed.  It is replaced, and the other
        items sent to it (queued, or done but not yet reported) go back to be
        handed out again, in order."""
        workers.remove(worker)
        worker.stop(kill=True)
        queued = {index for index, _item in worker.queue}
        if blamed not in queued:
            running = worker.running()  # final now that the process is gone
            blamed = running[0] if running is not None and running[0] in queued else worker.queue[0][0]
        for index, item in worker.queue:
            if index == blamed:
                done[index] = (item, None, failure)
        retry.extendleft(reversed([task for task in worker.queue if task[0] != blamed]))
        worker.queue.clear()
        workers.append(new_worker())

    def take() -> tuple[int, Any] | None:
        nonlocal next_in, exhausted
        if retry:
            return retry.popleft()
        if exhausted or next_in >= next_out + window:
            return None
        try:
            item = next(source)
        except StopIteration:
            exhausted = True
            return None
        next_in += 1
        return next_in - 1, item

    def send(worker: _Worker, task: tuple[int, Any]) -> bool:
        try:
            worker.conn.send(task)
        except (OSError, ValueError):  # died while idle: replace it, hand the item out again
            retry.appendleft(task)
            if not worker.queue:
                workers.remove(worker)
                worker.stop(kill=True)
                workers.append(new_worker())
                return True
            return False
        worker.queue.append(task)
        return True

    try:
        while True:
            # hand out work, at most ``window`` ahead of the next result due:
            # first one item to every idle worker (starting workers lazily,
            # never more than there are items), then a second one each so a
            # worker never waits for the parent between two files
            stalled = False
            for depth in (1, PIPELINE_DEPTH):
                while not stalled:
                    worker = next((w for w in workers if len(w.queue) < depth), None)
                    if worker is None and (depth > 1 or len(workers) >= n):
                        break
                    task = take()
                    if task is None:
                        stalled = True
                        break
                    if worker is None:
                        worker = new_worker()
                        workers.append(worker)
                    if not send(worker, task):
                        stalled = True

            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

            busy = [w for w in workers if w.busy]
            if not busy:
                if exhausted and not retry and not done:
                    return
                continue
            now = time.monotonic()
            wait_for = 3600.0
            if timeout:
                for w in busy:
                    running = w.running()
                    if running is not None:
                        wait_for = min(wait_for, max(0.0, running[1] + timeout - now))
                    else:  # between two items
                        wait_for = min(wait_for, timeout)
            handles: list[Any] = []
            for w in busy:
                handles.append(w.conn)
                handles.append(w.process.sentinel)
            ready = set(_wait_ready(handles, timeout=wait_for))
            now = time.monotonic()
            for w in busy:
                if w.conn in ready:
                    try:
                        while w.queue and w.conn.poll():
                            for index, ok, payload in w.conn.recv():
                                head, item = w.queue.popleft()
                                assert head == index, (head, index)
                                done[index] = (item, payload, None) if ok else (
                                    item, None, Failure("exception", payload, w.process.pid))
                    except (EOFError, OSError):
                        pid = w.process.pid
                        w.process.join(1)
                        fail(w, Failure("crash", _exit_detail(w.process.exitcode), pid))
                    except Exception as exc:  # noqa: BLE001 - an unreadable reply
                        fail(w, Failure("exception", f"{type(exc).__name__}: {exc}", w.process.pid))
                elif w.process.sentinel in ready:
                    pid = w.process.pid
                    w.process.join(1)
                    fail(w, Failure("crash", _exit_detail(w.process.exitcode), pid))
                elif timeout:
                    running = w.running()
                    if running is not None and now >= running[1] + timeout:
                        fail(w, Failure("timeout", f"{timeout:g}", w.process.pid), running[0])
    finally:
        for worker in workers:
            worker.stop(kill=worker.busy)


def _exit_detail(exitcode: int | None) -> str:
    if exitcode is None:
        return "unknown"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit {exitcode}"


def failure_result(path: str, failure: Failure, lang: str = "zh") -> dict[str, Any]:
    """The unreadable-file dict for a file whose worker failed."""
    if failure.kind == "timeout":
        zh = f"处理超时（超过 {failure.detail} 秒）"
        en = f"processing timed out (over {failure.detail} s)"
    elif failure.kind == "crash":
        zh = f"处理进程异常退出（{failure.detail}）"
        en = f"the worker process died ({failure.detail})"
    else:
        zh = f"处理出错（{failure.detail}）"
        en = f"processing failed ({failure.detail})"
    text = en if lang == "en" else zh
    return FileResult.unreadable(path, f"{display_path(path)}: {text}").to_dict()




# --------------------------------------------------------------------------
# a whole folder


@dataclass
class BatchStats:
    files: int = 0
    forms: int = 0
    errors: int = 0
    warnings: int = 0
    unreadable: int = 0
    seconds: float = 0.0
    summary: str | None = None
    # forms fill wrote nothing into (the plausibility gate): "file:sheet: reason"
    unfilled: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """As validate: 2 any unreadable file, 1 any error finding or any form left unfilled, else 0."""
        if self.unreadable:
            return 2
        return 1 if self.errors or self.unfilled else 0


def _link_target(out_dir: str, rel: Path, src: str, result: dict[str, Any], fill: bool) -> str:
    """What the summary's links open, relative to ``out_dir`` when possible."""
    target = result.get("output") if fill else None
    target = target or src
    try:
        return Path(os.path.relpath(target, out_dir)).as_posix()
    except ValueError:  # another drive (Windows)
        return os.path.abspath(target)


def batch_folder(
    in_dir: str | Path,
    out_dir: str | Path,
    *,
    profile: Profile = DEFAULT,
    lang: str = "zh",
    fill: bool = True,
    jobs: int = 0,
    timeout: float | None = FILE_TIMEOUT,
    files: list[Path] | None = None,
    skipped: list[Skipped] | None = None,
    worker: Callable[[FileJob, str], dict[str, Any]] = process_file,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    start_method: str | None = None,
    memory_limit: int | None = WORKER_MEMORY_LIMIT,
) -> BatchStats:
    """Check (and correct) every workbook under ``in_dir``; write
    ``out_dir/summary.xlsx``.  ``on_result`` gets each file's dict in file
    order as it is ready (progress, JSON output).  ``worker(job, rel)`` is the
    per-file function (a stand-in in tests)."""
    import functools

    from selfeval_xlsx.summary import Summary

    started = time.monotonic()
    in_dir, out_dir = str(in_dir), str(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    if files is None:
        skipped = []
        files = discover(in_dir, exclude=[out_dir], skipped=skipped)
    job = FileJob(in_dir=in_dir, out_dir=out_dir if fill else None, profile=profile, lang=lang)
    summary = Summary(
        Path(out_dir, "summary.xlsx"),
        tolerance=float(profile.tolerance),
        grades=(float(profile.grade_excellent), float(profile.grade_good), float(profile.grade_pass)),
        folder=os.path.basename(os.path.normpath(os.path.abspath(in_dir))) or in_dir,
        lang=lang,
    )
    stats = BatchStats()
    sweep_temp(out_dir)
    results = run_tasks(
        (rel.as_posix() for rel in files),
        functools.partial(worker, job),
        jobs=jobs,
        timeout=timeout,
        start_method=start_method,
        memory_limit=memory_limit,
        preload=PRELOAD,
    )
    try:
        for rel, result, failure in results:
            src = os.path.join(in_dir, rel)
            if failure is not None:
                if failure.pid is not None and fill:
                    remove_worker_temp(os.path.dirname(os.path.join(out_dir, rel)), failure.pid)
                result = failure_result(src, failure, lang)
            summary.add(rel, result, _link_target(out_dir, Path(rel), src, result, fill))
            for item in result.get("unfilled") or ():
                stats.unfilled.append(f"{rel}:{item['sheet']}: {item['reason']}")
            if on_result is not None:
                on_result(result)
            del result
        results.close()
        for entry in skipped or ():  # listed, never dropped in silence
            src = os.path.join(in_dir, entry.rel)
            reason = entry.en if lang == "en" else entry.zh
            result = FileResult.unreadable(src, f"{display_path(src)}: {reason}").to_dict()
            summary.add(entry.rel.as_posix(), result, None)
            if on_result is not None:
                on_result(result)
        stats.summary = str(summary.finish())
    finally:
        results.close()
        summary.discard()
        if fill:
            sweep_temp(out_dir)
    stats.files = summary.files
    stats.forms = summary.forms
    stats.errors = summary.errors
    stats.warnings = summary.warnings
    stats.unreadable = summary.unreadable
    stats.seconds = time.monotonic() - started
    return stats


__all__ = [
    "BatchStats",
    "EXTENSIONS",
    "FILE_TIMEOUT",
    "Failure",
    "batch_folder",
    "FileJob",
    "Skipped",
    "default_start_method",
    "discover",
    "failure_result",
    "process_file",
    "remove_worker_temp",
    "run_tasks",
    "stop_helper_processes",
    "sweep_temp",
]
