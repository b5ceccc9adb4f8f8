"""``fill``: write the computed values into a copy of a submission.

reader → checks → the changes each form asks for → writer (patches the cells
inside the package, copies every other part byte for byte).  The input is
never modified unless ``in_place``; then ``NAME.bak.xlsx`` is kept first.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from selfeval_xlsx.atomic import replacing
from selfeval_xlsx.checks import FormResult, check_workbook, show
from selfeval_xlsx.errors import SelfevalError, UnreadableError
from selfeval_xlsx.profile import DEFAULT, Profile
from selfeval_xlsx.loading import load
from selfeval_xlsx.paths import folder_path, names_folder
from selfeval_xlsx.reader import read_raw
from selfeval_xlsx.report import file_result, json_value
from selfeval_xlsx.rules import SEVERITY_LABEL
from selfeval_xlsx.writer import Edit, ReportRow, patch_workbook

REPORT_HEADERS = {
    "zh": ("代码", "级别", "工作表", "单元格", "说明", "原值", "新值"),
    "en": ("Code", "Severity", "Sheet", "Cell", "Message", "Old value", "New value"),
}
REPORT_SHEET = "校验结果"  # the name the issue and reviewers know, in either language


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


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def _copy_atomic(src: Path, dst: Path) -> None:
    with replacing(dst) as temp:
        shutil.copy2(src, temp)


def _edits(results: list[FormResult]) -> list[Edit]:
    return [
        Edit(change.cell.sheet, change.cell.ref, change.new, change.number_format)
        for result in results
        for change in result.changes
    ]


def _report_rows(results: list[FormResult], lang: str) -> list[ReportRow]:
    """One row per finding; old = what the cell holds, new = what fill wrote (if anything)."""
    severity = SEVERITY_LABEL[lang]
    rows = []
    for result in results:
        changed = {change.cell.ref: change for change in result.changes}
        for finding in result.findings:
            change = changed.get(finding.cell)
            rows.append(
                ReportRow(
                    code=finding.code,
                    severity=severity[finding.severity],
                    sheet=result.form.sheet,
                    cell=finding.cell or "",
                    message=finding.message(lang),
                    old=change.cell.value if change else _plain(finding.found),
                    new=change.new if change else None,
                )
            )
    return rows


def _plain(value: Any) -> Any:
    """A finding's value for the report: numbers stay numbers (no "number stored as text")."""
    if value is None or isinstance(value, (int, float, str, Decimal)) and not isinstance(value, bool):
        return value
    return show(value)


def changes_list(results: list[FormResult]) -> list[dict[str, Any]]:
    return [
        {
            "sheet": change.cell.sheet,
            "cell": change.cell.ref,
            "old": json_value(change.cell.value),
            "new": json_value(change.new),
            "code": change.code,
            "number_format": change.number_format,
        }
        for result in results
        for change in result.changes
    ]


def fill_path(
    path: str | Path,
    output: str | Path | None = None,
    profile: Profile = DEFAULT,
    *,
    mark: bool = True,
    in_place: bool = False,
    lang: str = "zh",
) -> dict[str, Any]:
    """Fill one workbook; the validate dict plus "output" and "changes"."""
    source = Path(path)
    try:
        raw = load(source)
        results = check_workbook(read_raw(raw, source), profile)
        target = _output_path(source, output, in_place)
        package = source
        # a scratch folder only for the .xls conversion (mkdir + rmtree cost as
        # much as the patch of a one-sheet form)
        with contextlib.ExitStack() as stack:
            if source.suffix.lower() == ".xls":
                from selfeval_xlsx.xls import xls_to_xlsx

                scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="selfeval-"))
                package = Path(scratch) / "converted.xlsx"
                xls_to_xlsx(source, package)
            if in_place:
                _copy_atomic(source, backup_path(source))
            patch_workbook(
                package,
                target,
                _edits(results),
                mark=mark,
                report=_report_rows(results, lang) if mark else None,
                report_sheet=REPORT_SHEET,
                report_headers=REPORT_HEADERS[lang],
                parts=raw.parts if package is source else None,  # the loader's inflated XML, not re-read
            )
    except SelfevalError as exc:
        if not exc.path:
            exc.path = str(source)
        return {"file": str(source), "status": "unreadable", "error": exc.message(lang), "forms": [],
                "output": None, "changes": []}
    result = file_result(str(source), results, lang)
    result["output"] = str(target)
    result["changes"] = changes_list(results)
    return result


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
    if target.exists() and target.resolve() == source.resolve():
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


__all__ = ["fill_path", "default_output", "backup_path", "is_checked_copy"]
