"""Errors that reach the user as one line and exit code 2, never a traceback."""

from __future__ import annotations


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
        return f"{self.path}: {text}" if self.path else text


class UnreadableError(SelfevalError):
    """The file could not be read as a self-evaluation workbook.

    ``zh``/``en`` describe the problem without the file name; ``message()``
    prefixes the path.
    """
