"""What several commands share: the profile option and one-line errors."""

from __future__ import annotations

import glob
import os
import sys

from selfeval_xlsx.profile import Profile, ProfileError, load_profile


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
