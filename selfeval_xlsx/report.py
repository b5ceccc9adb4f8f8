"""Findings as a person or a program reads them: the JSON shape and text lines.

The JSON shape (one object per input file) is documented in the README and in
``api.py``; ``tests/test_report.py`` pins it.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from selfeval_xlsx.checks import FormResult, show
from selfeval_xlsx.errors import display_path
from selfeval_xlsx.rules import ERROR, SEVERITY_LABEL

_FLOAT_MAX = Decimal("1e308")  # beyond this a Decimal has no float

KIND_LABEL = {"zh": {"department": "部门整体", "project": "项目"}, "en": {"department": "department", "project": "project"}}


def json_value(value: Any) -> Any:
    """A value JSON can carry: numbers as numbers, and a number no JSON can
    hold (1e309 read as infinity, NaN) as null, never the invalid Infinity."""
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() and abs(value) < _FLOAT_MAX else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (int, str, bool)):
        return value
    return str(value)


def form_dict(result: FormResult, lang: str = "zh") -> dict[str, Any]:
    form = result.form
    total_row = form.funds_row("total")
    return {
        "sheet": form.sheet,
        "kind": form.kind,
        "unit": form.unit_name,
        "year": form.year,
        "indicator_count": len(form.indicators),
        "budget": {
            "rate": json_value(result.budget_rate),
            "score": json_value(result.budget_score),
            "rate_cell": total_row.rate.ref if total_row and total_row.rate else None,
            "score_cell": total_row.score.ref if total_row and total_row.score else None,
        },
        "total": {
            "stated": json_value(result.stated_total),
            "computed": json_value(result.total),
            "cell": form.total.ref if form.total else None,
        },
        "conclusion": {
            "stated": result.stated_grade,
            "computed": result.grade,
            "cell": form.conclusion.ref if form.conclusion else None,
        },
        "findings": [
            {
                "code": finding.code,
                "severity": finding.severity,
                "cell": finding.cell,
                "message": finding.message(lang),
                "expected": json_value(finding.expected),
                "found": json_value(finding.found),
            }
            for finding in result.findings
        ],
    }


def file_result(path: str, results: list[FormResult], lang: str = "zh") -> dict[str, Any]:
    errors = any(result.errors for result in results)
    return {
        "file": path,
        "status": "errors" if errors else "ok",
        "error": None,
        "forms": [form_dict(result, lang) for result in results],
    }


# -- text -------------------------------------------------------------------

COLOURS = {ERROR: "\033[31m", "warning": "\033[33m", "ok": "\033[32m", "dim": "\033[2m"}
RESET = "\033[0m"


def _paint(text: str, colour: str, enabled: bool) -> str:
    return f"{COLOURS[colour]}{text}{RESET}" if enabled else text


def text_lines(result: dict[str, Any], lang: str = "zh", colour: bool = False) -> list[str]:
    """Linter-style lines for one file's result dict."""
    path = display_path(result["file"])
    if result["status"] == "unreadable":
        return [_paint(result["error"], ERROR, colour)]
    zh = lang != "en"
    lines = []
    for form in result["forms"]:
        for finding in form["findings"]:
            where = f"{path}:{form['sheet']}!{finding['cell']}" if finding["cell"] else f"{path}:{form['sheet']}"
            severity = SEVERITY_LABEL["zh" if zh else "en"][finding["severity"]]
            label = _paint(f"{finding['code']} {severity}", finding["severity"], colour)
            lines.append(f"{where}: {label} {finding['message']}")
        errors = sum(1 for f in form["findings"] if f["severity"] == ERROR)
        warnings = len(form["findings"]) - errors
        total, conclusion = form["total"], form["conclusion"]
        kind = KIND_LABEL["zh" if zh else "en"][form["kind"]]
        unit = form["unit"] or ("（未填单位）" if zh else "(no unit)")
        if zh:
            summary = (
                f"{path}:{form['sheet']}: {kind}自评表 {unit}，总分 填报 {show(total['stated'])} / "
                f"计算 {show(total['computed'])}，结论 填报 {conclusion['stated'] or '（无）'} / "
                f"计算 {conclusion['computed']}；错误 {errors}，警告 {warnings}"
            )
        else:
            summary = (
                f"{path}:{form['sheet']}: {kind} form {unit}, total stated {show(total['stated'])} / "
                f"computed {show(total['computed'])}, conclusion stated {conclusion['stated'] or '(none)'} / "
                f"computed {conclusion['computed']}; {errors} errors, {warnings} warnings"
            )
        state = ERROR if errors else ("warning" if warnings else "ok")
        lines.append(_paint(summary, state, colour))
    return lines
