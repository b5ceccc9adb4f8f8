"""Validation in call order: load → read → check, giving a typed result.

``loading.load`` opens the package (or the .xls), ``reader.read_raw`` finds
the forms in its sheets, ``checks.check_workbook`` runs the rules on each;
:func:`validate` wraps the outcome in a :class:`~selfeval_xlsx.results.FileResult`
that ``report`` renders and ``FileResult.to_dict`` turns into JSON.  Nothing
below this module runs a step above it: the reader never checks, the report
never reads or checks.

``fill.fill`` goes through :func:`load_and_check` too, then patches the
package; ``export`` through :func:`validate`.
"""

from __future__ import annotations

from pathlib import Path

from selfeval_xlsx.checks import check_workbook
from selfeval_xlsx.results import FormResult
from selfeval_xlsx.errors import UnreadableError
from selfeval_xlsx.loading import RawBook, load
from selfeval_xlsx.profile import DEFAULT, Profile
from selfeval_xlsx.reader import read_raw
from selfeval_xlsx.results import FileResult


def load_and_check(path: str | Path, profile: Profile = DEFAULT) -> tuple[RawBook, list[FormResult]]:
    """The loaded package (fill patches its parts) and the result of each form.

    Raises :class:`UnreadableError` for a file that cannot be read or holds no form."""
    raw = load(path)
    workbook = read_raw(raw, path)
    return raw, check_workbook(workbook, profile)


def validate(path: str | Path, profile: Profile = DEFAULT, lang: str = "zh") -> FileResult:
    """Read and check one workbook; never raises for a bad file (the result
    is "unreadable" with a one-line message in ``lang``)."""
    try:
        workbook = read_raw(load(path), path)  # the package's parts go once the forms are read
    except UnreadableError as exc:
        return FileResult.unreadable(str(path), exc.message(lang))
    return FileResult(str(path), check_workbook(workbook, profile))


__all__ = ["load_and_check", "validate"]
