"""The library entry points every front end (CLI, batch, web page) goes through.

``validate_file`` and ``fill_file`` never raise for a bad input file: an
unreadable file comes back as ``status == "unreadable"`` with a one-line
message in ``error``.

The dict returned by :func:`validate_file` is the JSON shape documented in the
README (``selfeval validate --format json`` prints a list of them); it is
``FileResult.to_dict`` of the typed result ``pipeline.validate`` builds
(``results.py``: ``FileResult``, ``FormResult``)::

    {"file": str, "status": "ok" | "errors" | "unreadable", "error": str | None,
     "forms": [{"sheet", "kind": "department" | "project", "unit", "year",
                "indicator_count",
                "budget": {"rate", "score", "stated_rate", "stated_score",
                           "rate_cell", "score_cell"},
                "total": {"stated", "computed", "cell"},
                "conclusion": {"stated", "computed", "cell"},
                "layout": "mof-3-1" | "mof-3-2" | "sichuan" | "hubei" | "chongqing"
                          | "yunnan" | "evaluation" | "unknown",
                "parts": {"title" | "funds" | "indicators" | "total" | "conclusion":
                          {"status": "ok" | "partial" | "absent", "range", "columns",
                           "missing", ...}},
                "profile": {"name", "auto", "expected_absent"},
                "complete": bool,   # False: 未填写完整, total.computed is None
                "unfilled": str | None,   # why fill writes nothing into this form
                "findings": [{"code", "severity": "error" | "warning", "cell",
                              "message", "expected", "found"}]}]}

Numbers are JSON numbers (floats), the rate a fraction (0.9752); ``rate`` and
``score`` are computed, ``stated_*`` what the form says (null when blank); cells A1
references on the form's sheet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selfeval_xlsx.profile import DEFAULT, Profile


def validate_file(path: str | Path, profile: Profile = DEFAULT, lang: str = "zh") -> dict[str, Any]:
    """Read and check one workbook; the JSON-shaped result (see module doc)."""
    from selfeval_xlsx.pipeline import validate

    return validate(path, profile, lang).to_dict(lang)


def fill_file(
    path: str | Path,
    output: str | Path | None = None,
    profile: Profile = DEFAULT,
    *,
    mark: bool = True,
    in_place: bool = False,
    lang: str = "zh",
) -> dict[str, Any]:
    """Write a corrected copy; returns the validate dict plus ``"output"``
    (the path written, or None when unreadable), ``"changes"``: a list of
    ``{"sheet", "cell", "old", "new"}``, and ``"unfilled"``: ``{"sheet", "reason"}``
    for each form left untouched.  Raises nothing for bad input."""
    from selfeval_xlsx.fill import fill_path

    return fill_path(path, output, profile, mark=mark, in_place=in_place, lang=lang)
