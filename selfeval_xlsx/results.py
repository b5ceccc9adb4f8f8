"""The typed results: what validate and fill hand back, and their JSON shape.

* :class:`Finding` -- one rule's finding at one cell (its severity and
  message come from the rule catalogue, ``rules.BY_CODE``);
* :class:`Change` -- a computed value ``fill`` writes into a cell;
* :class:`FormResult` -- one form checked: its findings, the computed
  执行率, budget 得分, 总分 and 自评结论, and fill's changes;
* :class:`FileResult` -- one input file: the ``FormResult`` of each form
  found in it, or the one-line message of a file that could not be read,
  and for ``fill`` the copy written.

``checks`` builds the form results, ``pipeline.validate`` and ``fill.fill``
the file results; the text renderer (``report.text_lines``) and the commands
read them as they are.  The error and warning counts are properties here
(on ``FormResult`` and ``FileResult``), nowhere else.

Dicts exist only at the JSON and pickle boundary: each ``to_dict`` gives its
part of the JSON shape documented in ``api.py`` (what ``selfeval validate
--format json`` prints, what a batch worker sends its parent, what the web
page gets); :func:`json_value` is how a number goes into it and :func:`show`
how a value is quoted in a message.  At run time this imports only the rule
catalogue and the standard library's ``decimal`` and ``math``, so a process
that only builds the result of an unreadable file (the batch parent) loads
no checking code.
"""

from __future__ import annotations

import math
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Decimal, localcontext

from selfeval_xlsx.record import FrozenRecord, Record
from selfeval_xlsx.rules import BY_CODE, count_severities

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any

    from selfeval_xlsx.model import Cell, Form, Part

UNREADABLE = "unreadable"  # FileResult.status of a file that could not be read

_set = object.__setattr__  # a frozen record's fields are set once, in __init__
_FRESH: Any = object()  # "not given": the field starts as a new empty list
_ZERO = Decimal(0)


class Finding(FrozenRecord):
    """One finding of rule ``code`` at ``cell`` of ``sheet``; ``params`` fill the rule's message."""

    _fields = ("code", "sheet", "cell", "params", "expected", "found")
    __slots__ = (*_fields, "_said")  # + the last message made: (lang, text)
    code: str
    sheet: str
    cell: str | None  # A1 on ``sheet``
    params: dict[str, Any]  # fills the rule's message template
    expected: Any
    found: Any

    def __init__(self, code: str, sheet: str, cell: str | None, params: dict[str, Any], expected: Any = None,
                 found: Any = None) -> None:
        _set(self, "code", code)
        _set(self, "sheet", sheet)
        _set(self, "cell", cell)
        _set(self, "params", params)
        _set(self, "expected", expected)
        _set(self, "found", found)
        _set(self, "_said", None)

    @property
    def severity(self) -> str:
        return BY_CODE[self.code].severity

    def message(self, lang: str = "zh") -> str:
        said = self._said  # fill's review sheet and the JSON both say it: made once
        if said is not None and said[0] == lang:
            return said[1]
        rule = BY_CODE[self.code]
        template = rule.en if lang == "en" else rule.zh
        text = template.format(**{k: show(v) for k, v in self.params.items()})
        _set(self, "_said", (lang, text))
        return text

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The finding in the JSON shape (``api`` module doc)."""
        return {
            "code": self.code,
            "severity": BY_CODE[self.code].severity,  # (the property, without its call)
            "cell": self.cell,
            "message": self.message(lang),
            "expected": json_value(self.expected),
            "found": json_value(self.found),
        }


class Change(FrozenRecord):
    """A computed value for a cell; ``fill`` writes it."""

    __slots__ = _fields = ("cell", "new", "code", "number_format", "formula")
    cell: Cell
    new: Decimal | str
    code: str  # the rule that asked for it
    number_format: str | None
    formula: str | None  # a formula cell's new formula (without "="), when fill rewrites it

    def __init__(self, cell: Cell, new: Decimal | str, code: str, number_format: str | None = None,
                 formula: str | None = None) -> None:
        _set(self, "cell", cell)
        _set(self, "new", new)
        _set(self, "code", code)
        _set(self, "number_format", number_format)
        _set(self, "formula", formula)

    def to_dict(self) -> dict[str, Any]:
        """One entry of a fill result's ``"changes"`` (``api.fill_file``)."""
        return {
            "sheet": self.cell.sheet,
            "cell": self.cell.ref,
            "old": json_value(self.cell.value),
            "new": json_value(self.new),
            "code": self.code,
            "number_format": self.number_format,
            "formula": "=" + self.formula if self.formula else None,
        }


class FormResult(Record):
    """One form checked: its findings, the computed values and fill's changes.

    ``errors`` and ``warnings`` are the counts every front end shows;
    ``to_dict`` the form's JSON shape (``results.FileResult`` holds these)."""

    _fields = ("form", "findings", "changes", "budget_rate", "budget_score", "stated_budget_rate",
               "stated_budget_score", "total", "stated_total", "grade", "stated_grade", "complete", "unfilled",
               "profile_name", "profile_auto", "expected_absent")
    form: Form
    findings: list[Finding]
    changes: list[Change]
    budget_rate: Decimal | None  # rounded to profile.rate_decimals
    budget_score: Decimal | None  # the effective budget score
    stated_budget_rate: Decimal | None  # what the form says (a fraction)
    stated_budget_score: Decimal | None
    total: Decimal | None  # computed, rounded to profile.rounding; None when it cannot be computed
    stated_total: Decimal | None
    grade: str
    stated_grade: str | None  # the conclusion cell's text
    complete: bool  # False: 未填写完整 (scores or 完成值 blank), no total or grade shown as real
    unfilled: tuple[str, str] | None  # why fill writes nothing into this form (zh, en)
    profile_name: str  # the profile the form was checked with
    profile_auto: bool  # picked from the layout's markers
    expected_absent: list[str]  # parts the profile expects that the form lacks

    def __init__(self, form: Form, findings: list[Finding] = _FRESH, changes: list[Change] = _FRESH,
                 budget_rate: Decimal | None = None, budget_score: Decimal | None = None,
                 stated_budget_rate: Decimal | None = None, stated_budget_score: Decimal | None = None,
                 total: Decimal | None = _ZERO, stated_total: Decimal | None = None, grade: str = "",
                 stated_grade: str | None = None, complete: bool = True, unfilled: tuple[str, str] | None = None,
                 profile_name: str = "", profile_auto: bool = False, expected_absent: list[str] = _FRESH) -> None:
        self.form = form
        self.findings = [] if findings is _FRESH else findings
        self.changes = [] if changes is _FRESH else changes
        self.budget_rate = budget_rate
        self.budget_score = budget_score
        self.stated_budget_rate = stated_budget_rate
        self.stated_budget_score = stated_budget_score
        self.total = total
        self.stated_total = stated_total
        self.grade = grade
        self.stated_grade = stated_grade
        self.complete = complete
        self.unfilled = unfilled
        self.profile_name = profile_name
        self.profile_auto = profile_auto
        self.expected_absent = [] if expected_absent is _FRESH else expected_absent

    @property
    def errors(self) -> int:
        return count_severities(f.severity for f in self.findings)[0]

    @property
    def warnings(self) -> int:
        return count_severities(f.severity for f in self.findings)[1]

    def unfilled_reason(self, lang: str = "zh") -> str | None:
        """Why fill writes nothing into this form, in ``lang``; None when it fills it."""
        if not self.unfilled:
            return None
        return self.unfilled[1] if lang == "en" else self.unfilled[0]

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The form in the JSON shape (``api`` module doc; ``tests/test_report.py`` pins it)."""
        form = self.form
        total_row = form.funds_row("total")
        return {
            "sheet": form.sheet,
            "kind": form.kind,
            "unit": form.unit_name,
            "year": form.year,
            "indicator_count": len(form.indicators),
            "budget": {
                "rate": json_value(self.budget_rate),
                "score": json_value(self.budget_score),
                "stated_rate": json_value(self.stated_budget_rate),
                "stated_score": json_value(self.stated_budget_score),
                "rate_cell": total_row.rate.ref if total_row and total_row.rate else None,
                "score_cell": total_row.score.ref if total_row and total_row.score else None,
            },
            "total": {
                "stated": json_value(self.stated_total),
                "computed": json_value(self.total),
                "cell": form.total.ref if form.total else None,
            },
            "conclusion": {
                "stated": self.stated_grade,
                "computed": self.grade or None,  # None: no grade shown as if it were real
                "cell": form.conclusion.ref if form.conclusion else None,
            },
            "layout": form.layout,
            "parts": {name: _part_dict(part) for name, part in form.parts.items()},
            "profile": {"name": self.profile_name, "auto": self.profile_auto,
                        "expected_absent": list(self.expected_absent)},
            "complete": self.complete,
            "unfilled": self.unfilled_reason(lang),
            "findings": [finding.to_dict(lang) for finding in self.findings],
        }


def _part_dict(part: Part) -> dict[str, Any]:
    """What the reader understood of one part (see model.Part), in the JSON shape."""
    return {
        "status": part.status,
        "range": part.range,
        "columns": dict(part.columns),
        "missing": [zh for zh, _ in part.missing],
        **({"unknown": list(part.unknown)} if part.unknown else {}),  # header texts given no meaning
        **{k: json_value(v) for k, v in part.info.items()},
    }


def show(value: Any) -> str:
    """A value as the form shows it: at most 15 significant digits (Excel's
    precision: 98.64999999999999 is 98.65), no trailing zeros, no exponent."""
    if value is None:
        return "（空）"
    # Hot (the numbers in every finding's message, twice a file with fill):
    # a short number skips the Decimal context below.  With at most 15
    # digits nothing is rounded, and normalising drops only the zeros after
    # the point.  (Zero takes the long way: -0 is shown as 0.)
    if value.__class__ is float:
        text = repr(value)  # the shortest that reads back: a trailing zero only in "5.0"
        if value and len(text) <= 16 and "e" not in text and "n" not in text:  # finite, no exponent
            return text[:-2] if text.endswith(".0") else text
    elif value.__class__ is Decimal and value.is_finite() and value:
        text = str(value)
        if len(text) <= 15 and "E" not in text:
            return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "NaN" if value.is_nan() else ("-∞" if value < 0 else "∞")
        with localcontext() as ctx:
            ctx.prec, ctx.rounding = 15, ROUND_HALF_UP
            ctx.Emax, ctx.Emin = MAX_EMAX, MIN_EMIN
            return format((+value).normalize(), "f")
    return str(value)


_FLOAT_MAX = Decimal("1e308")  # beyond this a Decimal has no float


def json_value(value: Any) -> Any:
    """A value JSON can carry: numbers as numbers, and a number no JSON can
    hold (1e309 read as infinity, NaN) as null, never the invalid Infinity."""
    # Hot (~40 values a file: every finding's expected and found, every
    # form's totals): the common exact types first, subclasses the long way.
    cls = value.__class__
    if value is None or cls is str or cls is int:
        return value
    if cls is float:
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() and abs(value) < _FLOAT_MAX else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (int, str, bool)):
        return value
    return str(value)


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


__all__ = ["Change", "FileResult", "Finding", "FormResult", "UNREADABLE", "json_value", "show"]
