"""Findings as a person reads them: the linter-style text lines of a file result.

Renders a :class:`~selfeval_xlsx.results.FileResult` that ``pipeline`` (or
``fill``) built; it runs nothing.  The JSON shape is the results' own
``to_dict`` (documented in ``api.py``, pinned by ``tests/test_report.py``).
"""

from __future__ import annotations

from selfeval_xlsx.results import json_value, show
from selfeval_xlsx.errors import display_path
from selfeval_xlsx.display import KIND_LABEL, SEVERITY_LABEL
from selfeval_xlsx.rules import ERROR

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any

    from selfeval_xlsx.results import FormResult
    from selfeval_xlsx.results import FileResult

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


# -- text -------------------------------------------------------------------

COLOURS = {ERROR: "\033[31m", "warning": "\033[33m", "ok": "\033[32m", "dim": "\033[2m"}
RESET = "\033[0m"


def _paint(text: str, colour: str, enabled: bool) -> str:
    return f"{COLOURS[colour]}{text}{RESET}" if enabled else text


def _layout_text(result: FormResult, zh: bool) -> str:
    """版式 财政部附件3-1（已识别：资金、绩效指标、总分、结论） and the profile when picked from the layout."""
    lang = "zh" if zh else "en"
    form = result.form
    layout = LAYOUT_LABEL[lang].get(form.layout, form.layout)
    parts = form.parts
    seen = [PART_LABEL[lang][n] for n, p in parts.items() if n != "title" and p.status == "ok"]
    partial = [PART_LABEL[lang][n] for n, p in parts.items() if p.status == "partial"]
    if zh:
        text = f"版式 {layout}（已识别：{'、'.join(seen) or '无'}"
        text += f"；未识别：{'、'.join(partial)}）" if partial else "）"
    else:
        text = f"layout {layout} (understood: {', '.join(seen) or 'none'}"
        text += f"; not understood: {', '.join(partial)})" if partial else ")"
    absent = [PART_LABEL[lang][n] for n in result.expected_absent]
    if absent:
        text += f"，未找到：{'、'.join(absent)}" if zh else f", not found: {', '.join(absent)}"
    if result.profile_auto:
        name = result.profile_name
        text += f"，按版式自动选用配置 {name}" if zh else f", profile {name} picked from the layout"
    unfilled = result.unfilled_reason(lang)
    if unfilled:
        text += f"，fill 不回填：{unfilled}" if zh else f", fill writes nothing: {unfilled}"
    return text


def _shown(value: Any) -> Any:
    """A number as the JSON carries it (one beyond a float is blank), so the
    text line and ``--format json`` never disagree."""
    return json_value(value)


def text_lines(result: FileResult, lang: str = "zh", colour: bool = False) -> list[str]:
    """Linter-style lines for one file's result."""
    path = display_path(result.path)
    if result.error is not None:
        return [_paint(result.error, ERROR, colour)]
    zh = lang != "en"
    lines = []
    for form_result in result.forms:
        form = form_result.form
        for finding in form_result.findings:
            where = f"{path}:{form.sheet}!{finding.cell}" if finding.cell else f"{path}:{form.sheet}"
            severity = SEVERITY_LABEL["zh" if zh else "en"][finding.severity]
            label = _paint(f"{finding.code} {severity}", finding.severity, colour)
            lines.append(f"{where}: {label} {finding.message(lang)}")
        errors, warnings = form_result.errors, form_result.warnings
        stated_total, computed_total = _shown(form_result.stated_total), _shown(form_result.total)
        stated_grade, computed_grade = form_result.stated_grade, form_result.grade or None
        kind = KIND_LABEL["zh" if zh else "en"][form.kind]
        unit = form.unit_name or ("（未填单位）" if zh else "(no unit)")
        layout = _layout_text(form_result, zh)
        incomplete = not form_result.complete
        if zh:
            computed = "—（未填写完整）" if incomplete else (
                "—（未核验）" if computed_total is None else show(computed_total))
            grade = "—" if incomplete or not computed_grade else computed_grade
            summary = (
                f"{path}:{form.sheet}: {kind}自评表 {unit}，{layout}，总分 填报 {show(stated_total)} / "
                f"计算 {computed}，结论 填报 {stated_grade or '（无）'} / "
                f"计算 {grade}；错误 {errors}，警告 {warnings}"
            )
        else:
            computed = "- (not filled in)" if incomplete else (
                "- (not checked)" if computed_total is None else show(computed_total))
            stated = "(empty)" if stated_total is None else show(stated_total)
            grade = "-" if incomplete or not computed_grade else computed_grade
            summary = (
                f"{path}:{form.sheet}: {kind} form {unit}, {layout}, total stated {stated} / "
                f"computed {computed}, conclusion stated {stated_grade or '(none)'} / "
                f"computed {grade}; {errors} errors, {warnings} warnings"
            )
        state = ERROR if errors else ("warning" if warnings else "ok")
        lines.append(_paint(summary, state, colour))
    return lines
