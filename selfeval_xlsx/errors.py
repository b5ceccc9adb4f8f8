"""Errors that reach the user as one line and exit code 2, never a traceback."""

from __future__ import annotations

import os


class SelfevalError(Exception):
    """A problem with the user's input; ``message(lang)`` is what they read."""

    exit_code = 2

    def __init__(self, zh: str, en: str | None = None, *, path: str | None = None):
        super().__init__(zh)
        self.zh = zh
        self.en = en or zh
        self.path = path

    def message(self, lang: str = "zh") -> str:
        text = self.en if lang == "en" else self.zh
        return f"{display_path(self.path)}: {text}" if self.path else text


class UnreadableError(SelfevalError):
    """The file could not be read as a self-evaluation workbook.

    ``zh``/``en`` describe the problem without the file name; ``message()``
    prefixes the path.
    """


def display_path(path: str | os.PathLike | None) -> str:
    """A path as a person can read it, and any output can encode it.

    A file name that is not valid Unicode (GBK bytes from a zip made on
    Windows and unpacked on Linux arrive as surrogate escapes) is shown
    decoded as GBK when it is GBK, else with its bytes escaped ("\\xb2")."""
    if path is None:
        return ""
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    for encoding in ("gb18030",):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", "backslashreplace")
