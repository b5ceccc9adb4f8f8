"""Outputs are written atomically: a temporary file beside the target, moved
onto it only when it is complete.  A crash, Ctrl-C or kill never leaves a
half-written workbook under the target's name."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def _mode_for(target: Path) -> int:
    """The permissions the result gets: those of the file it replaces, or
    what a newly created file gets (mkstemp alone would make it 0600)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


TEMP_SUFFIX = ".selfeval.tmp"


def temp_owner(name: str) -> int | None:
    """The process id in a temporary name made by :func:`replacing`
    (``.NAME.PID.RANDOM.selfeval.tmp``), or None for any other name."""
    if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
        return None
    parts = name[: -len(TEMP_SUFFIX)].rsplit(".", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


@contextmanager
def replacing(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; when the block ends
    without an exception it replaces ``target``, otherwise it is removed.
    The temporary name is hidden (skipped by batch) and carries the process
    id, so what a killed process left behind can be found and removed
    (:func:`temp_owner`)."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=folder)
    os.close(handle)
    try:
        yield Path(temp)
        os.chmod(temp, _mode_for(target))
        os.replace(temp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
