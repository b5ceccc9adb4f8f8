"""What several commands share: the profile option, one-line errors, and the
setting around a run of the worker pool (progress bar, SIGTERM, clean exit)."""

from __future__ import annotations

import contextlib
import os
import sys

from selfeval_xlsx.profile import Profile, ProfileError, load_profile

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms of a validate run)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any


def profile_or_exit(args) -> Profile | None:
    """The --profile file, or None after printing a one-line error."""
    try:
        return load_profile(getattr(args, "profile", None))
    except ProfileError as exc:
        prefix = "配置文件错误" if args.lang != "en" else "profile error"
        print(f"{prefix}: {exc.message(args.lang)}", file=sys.stderr)
        return None


def expand(paths: list[str]) -> list[str]:
    """Expand wildcards the shell left alone (cmd.exe passes them through)."""
    result: list[str] = []
    for path in paths:
        if not os.path.exists(path) and any(ch in path for ch in "*?["):
            import glob

            matches = sorted(glob.glob(path))
            result.extend(matches or [path])
        else:
            result.append(path)
    return result


def json_ascii(stream) -> bool:
    """True when ``stream`` cannot take Chinese (an ASCII or legacy console):
    JSON is then written with \\uXXXX escapes, which stay valid JSON."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "中÷—".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return True
    return False


def colour_enabled(stream) -> bool:
    return stream.isatty() and os.environ.get("NO_COLOR") is None and os.environ.get("TERM") != "dumb"


def _raise_interrupt(signum, frame):  # SIGTERM → the same clean stop as Ctrl-C
    raise KeyboardInterrupt


class _NoBar:
    """The progress bar where stderr is not a terminal."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


@contextlib.contextmanager
def pool_run(total: int, desc: str, unit: str) -> Iterator[Any]:
    """Around a command's run of the worker pool (``batch``, ``export``): a
    progress bar on an interactive stderr (yielded, a stand-in elsewhere;
    ``update(1)`` per file),
    SIGTERM turned into the clean stop Ctrl-C makes (no half-written file),
    and the pool's helper processes stopped before the command returns, so
    it leaves no process behind."""
    import signal

    from selfeval_xlsx.pool import stop_helper_processes

    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, dynamic_ncols=True, leave=False)
    else:  # no bar: tqdm is not even imported (13 ms of a one-file batch)
        bar = _NoBar()
    previous = None
    if hasattr(signal, "SIGTERM"):
        try:
            previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        except ValueError:  # not the main thread
            previous = None
    try:
        yield bar
    finally:
        bar.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        stop_helper_processes()
