"""The typed result of one input file: what validate and fill hand back.

:class:`FileResult` holds the :class:`~selfeval_xlsx.checks.FormResult` of
each form found in the file (the findings and computed values), or the
one-line message of a file that could not be read, and for ``fill`` the copy
written.  It is built in one place per command (``pipeline.validate``,
``fill.fill``) and read by the text renderer (``report.text_lines``) and the
commands as it is; its error and warning counts are properties here and on
``FormResult``, nowhere else.

Dicts exist only at the JSON and pickle boundary: :meth:`FileResult.to_dict`
gives the JSON shape documented in ``api.py`` (what ``selfeval validate
--format json`` prints, what a batch worker sends its parent, what the web
page gets).  Imports nothing at run time, so a process that only builds the
result of an unreadable file (the batch parent) loads no checking code.
"""

from __future__ import annotations

from selfeval_xlsx.record import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:  # types only: checks builds the form results this module holds
    from typing import Any

    from selfeval_xlsx.checks import FormResult

UNREADABLE = "unreadable"
_FRESH: Any = object()  # "not given": forms starts as a new empty list


class FileResult(Record):
    """One input file: its forms' results, or why it could not be read.

    ``filled`` marks a fill result: its dict adds ``output`` (the copy
    written, None when unreadable), ``backup`` (only when ``--in-place``
    kept one), ``changes`` and ``unfilled``."""

    _fields = ("path", "forms", "error", "filled", "output", "backup")
    path: str
    forms: list[FormResult]
    error: str | None  # the one-line message of a file that could not be read
    filled: bool
    output: str | None
    backup: str | None

    def __init__(self, path: str, forms: list[FormResult] = _FRESH, error: str | None = None,
                 filled: bool = False, output: str | None = None, backup: str | None = None) -> None:
        self.path = path
        self.forms = [] if forms is _FRESH else forms
        self.error = error
        self.filled = filled
        self.output = output
        self.backup = backup

    @classmethod
    def unreadable(cls, path: str, error: str, *, filled: bool = False) -> FileResult:
        return cls(path=path, error=error, filled=filled)

    @property
    def status(self) -> str:
        """"unreadable", "errors" (any error finding) or "ok" (warnings may remain)."""
        if self.error is not None:
            return UNREADABLE
        return "errors" if self.errors else "ok"

    @property
    def errors(self) -> int:
        return sum(form.errors for form in self.forms)

    @property
    def warnings(self) -> int:
        return sum(form.warnings for form in self.forms)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The JSON shape (``api`` module doc); messages and reasons in ``lang``."""
        out: dict[str, Any] = {
            "file": self.path,
            "status": self.status,
            "error": self.error,
            "forms": [form.to_dict(lang) for form in self.forms],
        }
        if self.filled:
            out["output"] = self.output
            if self.backup is not None:
                out["backup"] = self.backup  # where --in-place kept the original
            out["changes"] = [change.to_dict() for form in self.forms for change in form.changes]
            out["unfilled"] = [{"sheet": form.form.sheet, "reason": form.unfilled_reason(lang)}
                               for form in self.forms if form.unfilled]
        return out


__all__ = ["FileResult", "UNREADABLE"]
