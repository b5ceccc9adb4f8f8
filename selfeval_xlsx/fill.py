"""``fill``: write the computed values into a copy of a submission.

load → read → check (``pipeline``) → the changes each form asks for → writer (patches the cells
inside the package, copies every other part byte for byte).  The input is
never modified unless ``in_place``; then a backup is kept first
(``NAME.bak.xlsx``, or ``NAME.bak.1.xlsx``, … when that exists already).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

from selfeval_xlsx.atomic import write_error
from selfeval_xlsx.display import FORM_NAME
from selfeval_xlsx.results import FormResult, show
from selfeval_xlsx.errors import SelfevalError, UnreadableError
from selfeval_xlsx.profile import DEFAULT, Profile
from selfeval_xlsx.paths import folder_path, names_folder
from selfeval_xlsx.pipeline import load_and_check
from selfeval_xlsx.results import FileResult
from selfeval_xlsx.review_sheet import REPORT_TABLE
from selfeval_xlsx.model import Form
from selfeval_xlsx.rules import BY_CODE, ERROR, SEVERITY_LABEL, VALUE_RULES, title
from selfeval_xlsx.writer import Edit, Report, ReportRow, patch_workbook

REPORT_HEADERS = {lang: REPORT_TABLE.headers(lang) for lang in ("zh", "en")}
REPORT_SHEET = "校验结果"  # the name the issue and reviewers know, in either language
FORM_NAMES = FORM_NAME
TEXT = {
    "zh": {
        "corrected": "已更正为 {new}",
        "todo": "需单位修改",
        "box": "审核意见：",
        "footer": "审核人：＿＿＿＿＿＿＿＿＿＿＿＿　　　　　　　　　　日期：＿＿＿＿年＿＿月＿＿日",
        "empty": "未发现问题",
        "page": "第 &P 页，共 &N 页",
        "note": "原值 {old}；{why}更正为 {new}",
    },
    "en": {
        "corrected": "corrected to {new}",
        "todo": "to be corrected by the unit",
        "box": "Reviewer's opinion:",
        "footer": "Reviewer: ____________________                    Date: ____-__-__",
        "empty": "No problems found",
        "page": "Page &P of &N",
        "note": "Was {old}; {why}corrected to {new}",
    },
}


_CHECKED = re.compile(r"\.checked(?:\s*\((\d+)\))?$", re.IGNORECASE)


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def default_output(path: Path, folder: Path | None = None) -> Path:
    """Where the corrected copy of ``path`` goes without a file name given:
    ``NAME.checked.xlsx`` (``.xlsm`` for macro workbooks; ``.xls`` becomes
    ``.xlsx``) beside the input, or in ``folder``.

    A copy that already is a checked copy keeps its name, ``.checked`` is
    never doubled: ``X.checked.xlsx`` gives ``X.checked.xlsx`` in another
    folder.  When that name is the input file itself (filling a checked copy
    where it lies), the number goes up instead, as Windows numbers copies:
    ``X.checked.xlsx`` → ``X.checked (2).xlsx`` → ``X.checked (3).xlsx``; the
    input is never overwritten without ``--in-place``.
    """
    suffix = ".xlsm" if path.suffix.lower() == ".xlsm" else ".xlsx"
    folder = path.parent if folder is None else folder
    stem = path.stem
    match = _CHECKED.search(stem)
    if match is None:
        return folder / f"{stem}.checked{suffix}"
    base = stem[: match.start()]
    number = int(match.group(1) or 1)
    while True:
        name = f"{base}.checked{suffix}" if number == 1 else f"{base}.checked ({number}){suffix}"
        candidate = folder / name
        if not _same_file(candidate, path):
            return candidate
        number += 1


def is_checked_copy(path: Path) -> bool:
    """``X.checked.xlsx`` or ``X.checked (2).xlsx``: a copy fill wrote."""
    return _CHECKED.search(path.stem) is not None


def backup_path(path: Path, number: int | None = None) -> Path:
    """``NAME.bak.xlsx`` (number 0), ``NAME.bak.1.xlsx``, …; without a number
    the first of these that does not exist yet (an earlier backup, which may
    be the only copy of the original, is never overwritten)."""
    path = Path(path)
    if number is None:
        number = 0
        while backup_path(path, number).exists() or backup_path(path, number).is_symlink():
            number += 1
    tag = ".bak" if number == 0 else f".bak.{number}"
    return path.with_name(f"{path.stem}{tag}{path.suffix}")


def _backup(source: Path) -> Path:
    """Copy ``source`` to the first free backup name, with its permissions
    and times; the copy appears complete under its name or not at all, and
    never replaces an existing backup (even one a concurrent run just made)."""
    from selfeval_xlsx import atomic  # (looked up at call time: tests replace create_temp)

    handle, temp = atomic.create_temp(source.parent)
    try:
        with os.fdopen(handle, "wb") as out, open(source, "rb") as inp:
            shutil.copyfileobj(inp, out)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(source, temp)  # mode (a private file's backup stays private) and times
        number = 0
        while True:
            target = backup_path(source, number)
            number += 1
            if target.exists() or target.is_symlink():
                continue
            try:
                os.link(temp, target)  # fails if the name was taken meanwhile
            except FileExistsError:
                continue
            except OSError:  # no hard links on this file system
                os.replace(temp, target)
            return target
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _edits(results: list[FormResult], lang: str = "zh", profile: Profile = DEFAULT) -> list[Edit]:
    edits = []
    for result in results:
        findings = {(f.cell, f.code): f for f in result.findings}
        for change in result.changes:
            why = _why(result, change, findings.get((change.cell.ref, change.code)), lang, profile)
            edits.append(Edit(change.cell.sheet, change.cell.ref, change.new, change.number_format,
                              note=TEXT[lang]["note"].replace("{why}", why) + _formula_note(change, lang),
                              old=change.cell.value, formula=change.formula))
    return edits


def _why(result: FormResult, change: Any, finding: Any, lang: str, profile: Profile) -> str:
    """How the new value was found, for the changed cell's note ("按执行率 97.00% × 10 ")."""
    zh = lang != "en"
    form, code = result.form, change.code
    params = finding.params if finding is not None else {}
    total_row = form.funds_row("total")
    ref = change.cell.ref
    if total_row is not None and total_row.rate is not None and ref == total_row.rate.ref:
        a = total_row.budget.text if total_row.budget is not None else ""
        b = total_row.executed.text if total_row.executed is not None else ""
        return f"按全年执行数 {b} ÷ 全年预算数 {a} " if zh else f"executed {b} ÷ budget {a}, "
    if total_row is not None and total_row.score is not None and ref == total_row.score.ref:
        points = params.get("points")
        if points is None:
            points = show(total_row.weight.value) if total_row.weight is not None and not total_row.weight.empty \
                else show(profile.budget_points)
        rate = f"{result.budget_rate * 100:.2f}%" if result.budget_rate is not None else "?"
        return f"按执行率 {rate} × {show(points)} " if zh else f"rate {rate} × {show(points)}, "
    if form.total is not None and ref == form.total.ref:
        return "按各三级指标得分 + 预算执行得分 " if zh else "indicator scores + budget score, "
    if form.conclusion is not None and ref == form.conclusion.ref:
        return (f"按计算总分 {show(result.total)} 的等级 " if zh
                else f"the grade of the computed total {show(result.total)}, ")
    if code == "S103" and params.get("formula"):
        return f"按公式 {params['formula']} " if zh else f"formula {params['formula']}, "
    if code == "S102":
        return f"得分不超过分值 {show(params.get('expected'))}，" if zh else \
            f"a score may not exceed its weight {show(params.get('expected'))}, "
    if code == "S101":
        return "得分不能小于 0，" if zh else "a score may not be negative, "
    return "按计分规则 " if zh else "by the scoring rules, "


def _cells(form: Form, wanted: set[str]) -> dict[str, Any]:
    """The cells the reader found on a form at the references ``wanted``."""
    out: dict[str, Any] = {}
    if not wanted:
        return out
    groups = [(form.title, form.year_cell, form.total_weight, form.total, form.conclusion,
               *form.fields.values(), *form.goals.values())]
    groups += [(row.label, row.initial, row.budget, row.executed, row.weight, row.rate, row.score)
               for row in form.funds]
    groups += [(ind.level1, ind.level2, ind.level3, ind.target, ind.actual, ind.weight, ind.score,
                ind.reason, ind.nature, ind.unit) for ind in form.indicators]
    for group in groups:
        for cell in group:
            if cell is not None and cell.ref in wanted and cell.ref not in out:
                out[cell.ref] = cell
                if len(out) == len(wanted):
                    return out
    return out


def _advice_cut(code: str, lang: str, params: dict[str, Any]) -> str:
    """The finding's message without its advice ("；请更正"): said of a cell fill corrected."""
    rule = BY_CODE[code]
    template = rule.en if lang == "en" else rule.zh
    sep = "; " if lang == "en" else "；"
    if sep in template:
        template = template[: template.rindex(sep)]
    return template.format(**{k: show(v) for k, v in params.items()})


def _report(results: list[FormResult], lang: str, source: Path) -> Report:
    """The 审核意见单: the file and its forms, one row per finding, what fill
    corrected and what the unit must change."""
    zh = lang != "en"
    text = TEXT[lang]
    severity = SEVERITY_LABEL[lang]
    rows = []
    # (no file name: a second fill of the output writes the same sheet)
    lines: list[str] = []
    several = len(results) > 1
    labels = {result.form.sheet: (f"表{k}" if zh else f"#{k}") for k, result in enumerate(results, start=1)}
    for result in results:
        form = result.form
        if result.unfilled:
            # the form failed the plausibility gate: nothing was written into it, say why first
            reason = result.unfilled_reason(lang)
            rows.append(ReportRow(
                code="—", severity=severity["error"], sheet=form.sheet, cell="",
                message=(f"not filled: {reason}; no cell of this form was changed" if lang == "en"
                         else f"未回填：{reason}；此表没有改动任何单元格"),
                old=None, new=None, action=text["todo"], error=True,
            ))
        changed = {change.cell.ref: change for change in result.changes}
        cells = _cells(form, {f.cell for f in result.findings if f.cell and f.cell not in changed})
        corrected = 0
        for finding in result.findings:
            change = changed.get(finding.cell) if finding.cell else None
            cell = cells.get(finding.cell) if finding.cell else None
            if change is not None:
                corrected += 1
                message = _advice_cut(finding.code, lang, finding.params) + _formula_note(change, lang)
            else:
                message = finding.message(lang)
            name = title(finding.code, lang)
            problem = f"{finding.code} {name}：{message}" if zh else f"{finding.code} {name}: {message}"
            expected = None
            if change is None and finding.code in VALUE_RULES:
                expected = _plain(finding.expected)
            level = finding.severity
            rows.append(ReportRow(
                code=finding.code,
                severity=severity[level],
                sheet=form.sheet,
                cell=finding.cell or "",
                message=problem,
                old=change.cell.value if change else (cell.value if cell is not None else None),
                new=change.new if change else None,
                expected=expected,
                action=text["corrected"] if change else text["todo"],
                error=level == ERROR,
            ))
        kind = FORM_NAMES[lang].get(form.kind, form.kind)
        unit = form.unit_name or ("（未填单位）" if zh else "(no unit)")
        year = f"{form.year} 年度" if zh and form.year else (f"{form.year}" if form.year else "")
        stated = show(result.stated_total) if result.stated_total is not None else ("（未填）" if zh else "(blank)")
        computed = show(result.total) if result.total is not None else (
            ("—（未填写完整）" if zh else "- (not filled in)") if not result.complete
            else ("—（未核验）" if zh else "- (not checked)"))
        grade_shown = result.grade or "—"
        left = len(result.findings) - corrected
        tag = f"{labels[form.sheet]}　" if several else ""
        if zh:
            lines.append(f"{tag}工作表“{form.sheet}”：{kind}　单位：{unit}　{year}")
            lines.append(
                f"{'　　' if several else ''}总分：填报 {stated}，计算 {computed}　　自评结论：填报 {result.stated_grade or '（未填）'}，"
                f"计算 {grade_shown}　　错误 {result.errors} 个，警告 {result.warnings} 个；"
                f"已自动更正 {corrected} 处，需单位修改 {left} 处")
            if result.unfilled:
                lines.append(f"{'　　' if several else ''}未回填：{result.unfilled[0]}；此表没有改动任何单元格")
        else:
            lines.append(f"{tag}Sheet '{form.sheet}': {kind}, unit: {unit}, year {year}")
            lines.append(
                f"{'    ' if several else ''}Total: stated {stated}, computed {computed};  conclusion: stated "
                f"{result.stated_grade or '(blank)'}, computed {grade_shown};  {result.errors} errors, "
                f"{result.warnings} warnings; {corrected} corrected, {left} for the unit to change")
            if result.unfilled:
                lines.append(f"{'    ' if several else ''}Not filled: {result.unfilled[1]}; no cell of this form was changed")
    if len(results) == 1:
        form = results[0].form
        unit = form.unit_name
        kind = FORM_NAMES[lang].get(form.kind, form.kind)
        if zh:
            heading = f"{unit}{f'{form.year}年度' if form.year else ''}{kind}审核意见单"
        else:
            heading = f"Review sheet: {unit + ', ' if unit else ''}{form.year or ''} {kind}".replace("  ", " ")
    else:
        heading = "绩效自评表审核意见单" if zh else "Review sheet: self-evaluation forms"
    return Report(
        rows=rows,
        title=heading,
        lines=lines,
        headers=REPORT_HEADERS[lang],
        box=text["box"],
        footer=(text["footer"],),
        empty=text["empty"],
        page_footer=text["page"],
        protect=frozenset(result.form.sheet for result in results),
        qualify=several,
        sheet_labels=labels if several else None,
    )


def _formula_note(change, lang: str) -> str:
    """Said when fill rewrote the cell's formula (so the value holds after recalculation)."""
    if change is None or not change.formula:
        return ""
    if lang == "en":
        return f" (formula changed to ={change.formula})"
    return f"（公式已改为 ={change.formula}）"


def _plain(value: Any) -> Any:
    """A finding's value for the report: numbers stay numbers (no "number stored as text")."""
    if value is None or isinstance(value, (int, float, str, Decimal)) and not isinstance(value, bool):
        return value
    return show(value)


def fill(
    path: str | Path,
    output: str | Path | None = None,
    profile: Profile = DEFAULT,
    *,
    mark: bool = True,
    in_place: bool = False,
    lang: str = "zh",
) -> FileResult:
    """Fill one workbook: load → read → check (``pipeline.load_and_check``) →
    patch a copy; the typed result (``filled``, with the copy written).
    Raises nothing for a bad input or an output that cannot be written."""
    source = Path(path)
    backup: Path | None = None
    try:
        raw, results = load_and_check(source, profile)
        target = _output_path(source, output, in_place)
        package: Path | bytes = source
        if source.suffix.lower() == ".xls":  # converted in memory and patched from there
            from selfeval_xlsx.xls import xlsx_bytes

            package = xlsx_bytes(source)
        if in_place:
            try:
                backup = _backup(source)
            except OSError as exc:
                raise UnreadableError(*write_error(exc, backup_path(source), in_place=True)) from None
        patch_workbook(
            package,
            target,
            _edits(results, lang, profile),
            mark=mark,
            report=_report(results, lang, source) if mark else None,
            report_sheet=REPORT_SHEET,
            parts=raw.parts if package is source else None,  # the loader's inflated XML, not re-read
            opened=raw.package if package is source else None,  # nor its zip directory
            like=source,
        )
    except SelfevalError as exc:
        if not exc.path:
            exc.path = str(source)
        return FileResult.unreadable(str(source), exc.message(lang), filled=True)
    except OSError as exc:  # anything the steps above did not name already
        zh, en = write_error(exc, getattr(exc, "filename", None) or source, in_place=in_place)
        return FileResult.unreadable(str(source), en if lang == "en" else zh, filled=True)
    return FileResult(str(source), results, filled=True, output=str(target),
                      backup=str(backup) if backup is not None else None)


def fill_path(
    path: str | Path,
    output: str | Path | None = None,
    profile: Profile = DEFAULT,
    *,
    mark: bool = True,
    in_place: bool = False,
    lang: str = "zh",
) -> dict[str, Any]:
    """Fill one workbook; the validate dict plus "output", "changes" and
    "unfilled" (``api.fill_file``): :func:`fill`'s result as JSON."""
    return fill(path, output, profile, mark=mark, in_place=in_place, lang=lang).to_dict(lang)


def _output_path(source: Path, output: str | Path | None, in_place: bool) -> Path:
    if in_place:
        if source.suffix.lower() == ".xls":
            raise UnreadableError(
                "--in-place 不能用于 .xls 文件；请去掉 --in-place，结果将另存为 .xlsx",
                "--in-place cannot be used on an .xls file; drop it, the result is written as .xlsx",
            )
        return source
    if output and names_folder(output):
        folder = folder_path(output)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UnreadableError(
                f"无法创建输出文件夹 {folder}（{exc.strerror or exc}）",
                f"cannot create the output folder {folder} ({exc.strerror or exc})",
            ) from None
        target = default_output(source, folder)
    else:
        target = Path(output) if output else default_output(source)
    # Excel refuses a macro-enabled package named .xlsx and a plain one named
    # .xlsm: the output keeps the kind of the input.  The output is never
    # legacy BIFF, so a name ending in .xls becomes .xlsx (.xlsm for macros).
    kind = ".xlsm" if source.suffix.lower() == ".xlsm" else ".xlsx"
    if target.suffix.lower() == ".xls":
        target = target.with_suffix(kind)
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UnreadableError(
            f"输出文件须以 {kind} 结尾：{target.name}；要写入文件夹请在末尾加 /（如 -o 校正后/）",
            f"the output must end in {kind}: {target.name}; to write into a folder end it with / (-o checked/)",
        )
    if target.suffix.lower() != kind:
        raise UnreadableError(
            f"输出文件须以 {kind} 结尾（与输入文件类型一致），Excel 无法打开扩展名不符的文件：{target.name}",
            f"the output must end in {kind} like the input; Excel will not open a file whose extension "
            f"does not match its content: {target.name}",
        )
    if _same_file(target, source):
        raise UnreadableError(
            "输出文件与输入文件相同；如确需覆盖原文件，请使用 --in-place",
            "the output is the input file; use --in-place to overwrite it",
        )
    if not target.parent.is_dir():
        raise UnreadableError(
            f"输出文件夹不存在或不是文件夹：{target.parent}",
            f"the output folder does not exist or is not a folder: {target.parent}",
        )
    return target


__all__ = ["fill", "fill_path", "default_output", "backup_path", "is_checked_copy"]
