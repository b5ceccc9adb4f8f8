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
from selfeval_xlsx.display import KIND_LABEL, SEVERITY_LABEL
from selfeval_xlsx.rules import ERROR

_FLOAT_MAX = Decimal("1e308")  # beyond this a Decimal has no float
LAYOUT_LABEL = {
    "zh": {"mof-3-1": "财政部附件3-1", "mof-3-2": "财政部附件3-2", "sichuan": "四川", "hubei": "湖北",
           "chongqing": "重庆", "yunnan": "云南", "evaluation": "决策/过程/产出/效益", "unknown": "未识别"},
    "en": {"mof-3-1": "MoF 3-1", "mof-3-2": "MoF 3-2", "sichuan": "Sichuan", "hubei": "Hubei",
           "chongqing": "Chongqing", "yunnan": "Yunnan", "evaluation": "decision/process/output/benefit",
           "unknown": "unknown"},
}
PART_LABEL = {
    "zh": {"title": "标题", "funds": "资金", "indicators": "绩效指标", "total": "总分", "conclusion": "结论"},
    "en": {"title": "title", "funds": "funds", "indicators": "indicators", "total": "total", "conclusion": "conclusion"},
}


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
            "stated_rate": json_value(result.stated_budget_rate),
            "stated_score": json_value(result.stated_budget_score),
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
            "computed": result.grade or None,  # None: no grade shown as if it were real
            "cell": form.conclusion.ref if form.conclusion else None,
        },
        "layout": form.layout,
        "parts": {name: part_dict(part) for name, part in form.parts.items()},
        "profile": {"name": result.profile_name, "auto": result.profile_auto,
                    "expected_absent": list(result.expected_absent)},
        "complete": result.complete,
        "unfilled": (result.unfilled[1] if lang == "en" else result.unfilled[0]) if result.unfilled else None,
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


def part_dict(part) -> dict[str, Any]:
    """What the reader understood of one part (see model.Part)."""
    return {
        "status": part.status,
        "range": part.range,
        "columns": dict(part.columns),
        "missing": [zh for zh, _ in part.missing],
        **({"unknown": list(part.unknown)} if part.unknown else {}),  # header texts given no meaning
        **{k: json_value(v) for k, v in part.info.items()},
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


def _layout_text(form: dict[str, Any], zh: bool) -> str:
    """版式 财政部附件3-1（已识别：资金、绩效指标、总分、结论） and the profile when picked from the layout."""
    lang = "zh" if zh else "en"
    layout = LAYOUT_LABEL[lang].get(form.get("layout", "unknown"), form.get("layout"))
    parts = form.get("parts") or {}
    seen = [PART_LABEL[lang][n] for n, p in parts.items() if n != "title" and p["status"] == "ok"]
    partial = [PART_LABEL[lang][n] for n, p in parts.items() if p["status"] == "partial"]
    if zh:
        text = f"版式 {layout}（已识别：{'、'.join(seen) or '无'}"
        text += f"；未识别：{'、'.join(partial)}）" if partial else "）"
    else:
        text = f"layout {layout} (understood: {', '.join(seen) or 'none'}"
        text += f"; not understood: {', '.join(partial)})" if partial else ")"
    profile = form.get("profile") or {}
    absent = [PART_LABEL[lang][n] for n in profile.get("expected_absent", [])]
    if absent:
        text += f"，未找到：{'、'.join(absent)}" if zh else f", not found: {', '.join(absent)}"
    if profile.get("auto"):
        text += f"，按版式自动选用配置 {profile['name']}" if zh else f", profile {profile['name']} picked from the layout"
    if form.get("unfilled"):
        text += f"，fill 不回填：{form['unfilled']}" if zh else f", fill writes nothing: {form['unfilled']}"
    return text


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
        layout = _layout_text(form, zh)
        incomplete = form.get("complete") is False
        if zh:
            computed = "—（未填写完整）" if incomplete else (
                "—（未核验）" if total["computed"] is None else show(total["computed"]))
            grade = "—" if incomplete or not conclusion["computed"] else conclusion["computed"]
            summary = (
                f"{path}:{form['sheet']}: {kind}自评表 {unit}，{layout}，总分 填报 {show(total['stated'])} / "
                f"计算 {computed}，结论 填报 {conclusion['stated'] or '（无）'} / "
                f"计算 {grade}；错误 {errors}，警告 {warnings}"
            )
        else:
            computed = "- (not filled in)" if incomplete else (
                "- (not checked)" if total["computed"] is None else show(total["computed"]))
            stated = "(empty)" if total["stated"] is None else show(total["stated"])
            grade = "-" if incomplete or not conclusion["computed"] else conclusion["computed"]
            summary = (
                f"{path}:{form['sheet']}: {kind} form {unit}, {layout}, total stated {stated} / "
                f"computed {computed}, conclusion stated {conclusion['stated'] or '(none)'} / "
                f"computed {grade}; {errors} errors, {warnings} warnings"
            )
        state = ERROR if errors else ("warning" if warnings else "ok")
        lines.append(_paint(summary, state, colour))
    return lines
