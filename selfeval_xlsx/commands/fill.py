"""``selfeval fill PATH [-o OUT] [--in-place] [--no-mark]``: a corrected copy.

Exit code: 0 when the written copy has no error left (warnings may remain),
1 when errors remain that a person must correct (read back from the copy),
2 when the input cannot be read or the output cannot be written.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

from selfeval_xlsx.checks.funds import percent
from selfeval_xlsx.results import show
from selfeval_xlsx.commands.common import colour_enabled, profile_or_exit
from selfeval_xlsx.errors import display_path
from selfeval_xlsx.fill import fill, is_checked_copy
from selfeval_xlsx.pipeline import validate
from selfeval_xlsx.report import text_lines
from selfeval_xlsx.results import UNREADABLE, FileResult
from selfeval_xlsx.rules import ERROR


def _show(value, number_format: str | None = None, lang: str = "zh") -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "（空）" if lang != "en" else "(empty)"
    if number_format and number_format.endswith("%") and isinstance(value, (int, float)):
        return percent(Decimal(repr(value)))
    return show(value)


def run(args) -> int:
    profile = profile_or_exit(args)
    if profile is None:
        return 2
    result = fill(
        args.path, args.output, profile, mark=not args.no_mark, in_place=args.in_place, lang=args.lang
    )
    if result.status == UNREADABLE:
        print(result.error, file=sys.stderr)
        return 2
    zh = args.lang != "en"
    # the changes as the JSON carries them (old and new shown as fill's dict has them)
    changes = [change.to_dict() for form in result.forms for change in form.changes]
    unfilled = [form for form in result.forms if form.unfilled]
    for change in changes:
        fmt = change["number_format"]
        old, new = _show(change["old"], fmt, args.lang), _show(change["new"], fmt, args.lang)
        note = ""
        if change["formula"]:
            note = f"（公式改为 {change['formula']}）" if zh else f" (formula now {change['formula']})"
        print(f"{display_path(args.path)}:{change['sheet']}!{change['cell']}: {old} → {new}{note}")
    for form in unfilled:
        print(f"{display_path(args.path)}:{form.form.sheet}: " + ("未回填：" if zh else "not filled: ")
              + form.unfilled_reason(args.lang)
              + ("；此表没有改动任何单元格" if zh else "; no cell of this form was changed"))
    if not changes and not unfilled:
        print("没有需要改动的单元格" if zh else "no cell needed a change")
    for line in text_lines(result, args.lang, colour_enabled(sys.stdout)):
        print(line)
    if result.backup:
        print(("原文件已备份为：" if zh else "the original is kept as: ") + result.backup)
    source, output = Path(args.path), Path(result.output)
    if (not args.in_place and is_checked_copy(source) and output.parent == source.parent
            and output.name != source.name):
        print(f"输入文件已是校正副本，为不覆盖它，结果写入 {output.name}（直接修改原文件请用 --in-place）" if zh else
              f"the input is already a checked copy; to leave it untouched the result goes to {output.name} "
              "(--in-place overwrites the input)")
    remaining = errors_left(output, result, profile, args.lang)
    if remaining:
        print(f"副本中仍有 {remaining} 个错误需要填报单位修改（见上文及副本中的“校验结果”工作表）" if zh else
              f"{remaining} errors remain in the copy for a person to correct (listed above and in the findings sheet of the copy)")
    else:
        print("副本中已没有错误" if zh else "no errors remain in the copy")
    print(("已写入：" if zh else "written: ") + display_path(result.output))
    # a form left untouched (the plausibility gate) needs a person too
    return 1 if remaining or unfilled else 0


def errors_left(output: Path, result: FileResult, profile, lang: str) -> int:
    """Error findings in the written copy, read back from it (what fill could
    not correct: weights, missing reasons, wrong formulas …).  Should the copy
    not read back, the input's errors at cells fill did not write are counted."""
    copy = validate(str(output), profile, lang)
    if copy.status != UNREADABLE:
        return copy.errors
    written = {(change.cell.sheet, change.cell.ref) for form in result.forms for change in form.changes}
    return sum(
        1
        for form in result.forms
        for f in form.findings
        if f.severity == ERROR and (form.form.sheet, f.cell) not in written
    )
