"""Batch processing of a folder: discovery, the per-file function, the run.

* :func:`discover` lists the workbooks under a folder (sorted, lock files,
  hidden entries and the output folder left out).
* :func:`process_file` is the per-file function the ``batch`` command runs
  in worker processes: it validates, or fills into a temporary file next to
  the target and moves the finished copy into place with ``os.replace``
  (never a half-written file); in a worker the fsync and rename run on the
  worker's commit thread while the next file is read (``atomic``), and its
  result goes to the parent only once they are done.
* :func:`batch_folder` runs it over a folder in the crash-proof
  :class:`selfeval_xlsx.pool.Pool` (a crashed or hung worker costs one file,
  reported as unreadable), syncs each output folder once (the renames
  durable), writes ``summary.xlsx`` and cleans up what killed workers left
  behind.
* :func:`run_tasks` is the pool as the package's commands use it (also
  ``export`` and the web service).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selfeval_xlsx.atomic import deferred, pid_alive, temp_owner, write_error
from selfeval_xlsx.errors import SelfevalError, display_path
from selfeval_xlsx.pool import DEADLINE, MEMORY_LIMIT, Failure, Pool, default_start_method, stop_helper_processes
from selfeval_xlsx.profile import DEFAULT, Profile
from selfeval_xlsx.results import FileResult

EXTENSIONS = (".xlsx", ".xlsm", ".xls")

#: Seconds one file may take before its worker is killed and the file is
#: reported as unreadable ("处理超时").
FILE_TIMEOUT = DEADLINE

#: Address-space limit of a worker process on POSIX (bytes); see
#: :data:`selfeval_xlsx.pool.MEMORY_LIMIT`.
WORKER_MEMORY_LIMIT: int | None = MEMORY_LIMIT

#: Modules the fork server imports once, so each new worker starts warm.
PRELOAD = [
    "selfeval_xlsx.api", "selfeval_xlsx.batch", "selfeval_xlsx.reader",
    "selfeval_xlsx.checks", "selfeval_xlsx.fill", "selfeval_xlsx.report",
]

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


def output_names(files: Iterable[Path]) -> dict[str, str]:
    """The corrected copies that cannot be named after their input: relative
    path → the output's relative path (POSIX), for those only.

    A copy keeps its input's relative path, an ``.xls`` becoming ``.xlsx``.
    Two inputs would then share one output, and the second would overwrite
    the first: ``a.xls`` beside ``a.xlsx``, ``A.xlsx`` beside ``a.xlsx`` (one
    name on Windows and macOS, so names are compared case-insensitively), an
    input named ``summary.xlsx`` at the top (the summary's own name).  An input
    whose copy can keep the very same name keeps it (files in order); the
    others are numbered as Windows numbers copies: ``a (2).xlsx``.
    """
    taken = {"summary.xlsx"}
    waiting: list[tuple[str, Path]] = []
    for rel in files:
        out = rel.with_suffix(".xlsx") if rel.suffix.lower() == ".xls" else rel
        key = out.as_posix().casefold()
        if out == rel and key not in taken:
            taken.add(key)
        else:
            waiting.append((rel.as_posix(), out))
    renamed: dict[str, str] = {}
    for rel, out in waiting:
        candidate, number = out, 1
        while candidate.as_posix().casefold() in taken:
            number += 1
            candidate = out.with_name(f"{out.stem} ({number}){out.suffix}")
        taken.add(candidate.as_posix().casefold())
        if candidate != out:  # (an .xls whose .xlsx name is free needs no entry: fill names it so)
            renamed[rel] = candidate.as_posix()
    return renamed


# --------------------------------------------------------------------------
# the per-file function


@dataclass(frozen=True)
class FileJob:
    """What :func:`process_file` needs besides the file: sent once per worker."""

    in_dir: str
    out_dir: str | None  # None: validate only (--no-fill)
    profile: Profile = DEFAULT
    lang: str = "zh"
    #: the corrected copies not named after their input (``output_names``)
    renamed: dict[str, str] = field(default_factory=dict)


def process_file(job: FileJob, rel: str) -> dict[str, Any]:
    """Validate (or fill) ``job.in_dir/rel``; the validate/fill dict.

    With ``job.out_dir`` the corrected copy is written to ``out_dir/rel``
    (``.xls`` → ``.xlsx``; or the name ``job.renamed`` gives it, see
    :func:`output_names`); fill writes it atomically
    (a hidden temporary file beside it, renamed when complete).
    """
    from selfeval_xlsx import api

    src = os.path.join(job.in_dir, rel)
    if job.out_dir is None:
        return api.validate_file(src, job.profile, job.lang)
    target = Path(job.out_dir, job.renamed.get(rel, rel))
    if not os.path.isdir(target.parent):  # (one stat where mkdir of an existing folder costs two)
        target.parent.mkdir(parents=True, exist_ok=True)
    with deferred(functools.partial(_not_written, src, job.lang)):
        return api.fill_file(src, target, job.profile, mark=True, lang=job.lang)


def _not_written(src: str, lang: str, exc: OSError, target: Path) -> dict[str, Any]:
    """The result of a file whose output's commit (fsync, rename) failed on
    the worker's commit thread: what ``fill`` returns when the same error
    happens inline (the writer's one-line write error, with the file's path
    in front; tests/test_commits.py holds the two equal)."""
    source = Path(src)
    error = SelfevalError(*write_error(exc, target), path=str(source))
    return FileResult.unreadable(str(source), error.message(lang), filled=True).to_dict(lang)


def sync_folders(folders: Iterable[str]) -> None:
    """fsync each folder, so the renames into it survive a power cut (the
    files themselves were synced before their rename).  Best effort: a file
    system or platform that cannot sync a folder is skipped."""
    if os.name != "posix":  # pragma: no cover - Windows cannot open a folder
        return
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


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


def _setup_worker() -> None:
    """Run once in each new worker process of the package's pools."""
    from selfeval_xlsx import loading

    # this worker is the isolation: a crash costs one file, and the pool replaces it
    loading.ISOLATE_BINARY = False


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
    """:func:`selfeval_xlsx.pool.run_tasks` as the package's commands use it:
    each worker reads binary workbooks in its own process (it is the
    isolation).  Yields ``(item, result, None)`` or ``(item, None, Failure)``
    in input order; see :class:`selfeval_xlsx.pool.Pool` for the options."""
    return Pool(func, jobs=jobs, timeout=timeout, window=window, start_method=start_method,
                memory_limit=memory_limit, preload=preload, initializer=_setup_worker).map(items)


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
    # corrected copies not named after their input (``output_names``): (input, output), relative
    renamed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """As validate: 2 any unreadable file, 1 any error finding or any form left unfilled, else 0."""
        if self.unreadable:
            return 2
        return 1 if self.errors or self.unfilled else 0


def _link_target(out_dir: str, src: str, result: dict[str, Any], fill: bool) -> str:
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
    from selfeval_xlsx.summary import Summary

    started = time.monotonic()
    in_dir, out_dir = str(in_dir), str(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    if files is None:
        skipped = []
        files = discover(in_dir, exclude=[out_dir], skipped=skipped)
    job = FileJob(in_dir=in_dir, out_dir=out_dir if fill else None, profile=profile, lang=lang,
                  renamed=output_names(files) if fill else {})
    summary = Summary(
        Path(out_dir, "summary.xlsx"),
        tolerance=float(profile.tolerance),
        grades=(float(profile.grade_excellent), float(profile.grade_good), float(profile.grade_pass)),
        folder=os.path.basename(os.path.normpath(os.path.abspath(in_dir))) or in_dir,
        lang=lang,
    )
    stats = BatchStats(renamed=sorted(job.renamed.items()))
    written: set[str] = set()  # the folders outputs were renamed into
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
            if fill and result.get("output"):
                written.add(os.path.dirname(result["output"]))
            summary.add(rel, result, _link_target(out_dir, src, result, fill))
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
        sync_folders(sorted(written))
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
    "sync_folders",
]
