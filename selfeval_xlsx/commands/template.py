"""``selfeval template``: write a blank official form (附件3-1 / 附件3-2).

Prints the path written (``已生成模板：PATH``; with ``--lang en``
``Template written: PATH``) and exits 0; a bad ``--profile``, bad arguments,
an unwritable output path or an existing file without ``--force`` (a filled-in
workbook is never overwritten by a blank one) give one line on stderr and
exit 2.

``--from SOURCE`` pre-fills the form from a table or last year's workbook
(``commands/template_from.py``).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from selfeval_xlsx import layout
from selfeval_xlsx.atomic import write_error
from selfeval_xlsx.commands.common import profile_or_exit
from selfeval_xlsx.paths import output_file
from selfeval_xlsx.template import MAX_ROWS_PER_LEVEL2, write_template


def output_path(output: str | None, form: str, year: int) -> Path:
    """Where to write: the default name in the current folder, inside -o when
    it is a folder (existing, ending in / or \\, or without a suffix; created
    when missing), else -o itself."""
    return output_file(output, layout.FORMS[form].default_filename(year))


def _fail(args, zh: str, en: str) -> int:
    print(en if args.lang == "en" else zh, file=sys.stderr)
    return 2


def run(args) -> int:
    profile = profile_or_exit(args)
    if profile is None:
        return 2
    if profile.scheme != "mof":
        return _fail(args, f"配置“{profile.name}”是决策/过程/产出/效益评价式指标体系，没有对应的官方空白模板；"
                     "请不带 --profile（或用 mof、hubei 等配置）生成模板",
                     f"profile {profile.name!r} is the decision/process/output/benefit scheme, which has no official "
                     "blank template; generate the template without --profile (or with mof, hubei …)")
    if getattr(args, "source", None):
        from selfeval_xlsx.commands.template_from import run_from

        return run_from(args, profile)
    if args.form is None:
        args.form = "department"
    if args.year is None:
        args.year = date.today().year - 1
    if not 1 <= args.rows <= MAX_ROWS_PER_LEVEL2:
        return _fail(args, f"--rows 应在 1 到 {MAX_ROWS_PER_LEVEL2} 之间，得到 {args.rows}",
                     f"--rows must be between 1 and {MAX_ROWS_PER_LEVEL2}, got {args.rows}")
    if not 1900 <= args.year <= 9998:
        return _fail(args, f"--year 无效：{args.year}", f"invalid --year: {args.year}")
    target = output_path(args.output, args.form, args.year)
    if target.suffix.lower() != ".xlsx":
        return _fail(args, f"输出文件应以 .xlsx 结尾：{args.output}",
                     f"the output file must end in .xlsx: {args.output}")
    if (target.exists() or target.is_symlink()) and not args.force:
        return _fail(args, f"文件已存在，未覆盖：{target}（确需覆盖请加 --force）",
                     f"{target} already exists and was left untouched (add --force to overwrite it)")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        written = write_template(
            target, form=args.form, year=args.year, unit=args.unit or "",
            rows=args.rows, protect=args.protect, profile=profile,
        )
    except (FileExistsError, NotADirectoryError):
        return _fail(args, f"无法写入 {target}：上级路径不是文件夹",
                     f"cannot write {target}: a parent of it is not a folder")
    except OSError as exc:
        return _fail(args, *write_error(exc, target))
    print(f"Template written: {written}" if args.lang == "en" else f"已生成模板：{written}")
    return 0
