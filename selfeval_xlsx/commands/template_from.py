"""``selfeval template --from SOURCE``: the official form pre-filled from a
table or from last year's filled workbook (see ``selfeval_xlsx.prefill``).

For each form the source describes: one line naming it, the points findings
(W…), a missing 分值 and the target-quality findings (Q…) of the generated
form as ``validate`` prints them, a line per year inside a target that is
not the new year (left as written), then ``已生成模板：PATH``.  With
``--strict`` a form with any W finding is not written.

Exit code: 0 written; 1 ``--strict`` refused at least one form (nothing
written for it); 2 a bad source, argument or output path, or an output file
that exists already (never overwritten without ``--force``).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from selfeval_xlsx import layout
from selfeval_xlsx.rules import SEVERITY_LABEL


class _Refused(Exception):
    """--strict: the generated form has W findings; it is not written."""


def _say(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _fail(lang: str, zh: str, en: str) -> int:
    print(_say(lang, zh, en), file=sys.stderr)
    return 2


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _file_label(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("._")[:60] or "自评表"


def _fields(kind: str, source, args) -> dict[str, str]:
    fields = dict(source.fields)
    if kind == "project":
        # a table's 单位 is the 实施单位 of a project form (as export writes it)
        if "unit" in fields and "implementer" not in fields:
            fields["implementer"] = fields.pop("unit")
        if args.unit:
            fields["implementer"] = args.unit
        if args.project:
            fields["project"] = args.project
    elif args.unit:
        fields["unit"] = args.unit
    return fields


def run_from(args, profile) -> int:
    from selfeval_xlsx.atomic import write_error
    from selfeval_xlsx.errors import SelfevalError
    from selfeval_xlsx.prefill import arrange, read_source, review
    from selfeval_xlsx.template import write_template

    lang = getattr(args, "lang", "zh")
    try:
        sources = read_source(args.source)
    except SelfevalError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 2
    if args.year is not None and not 1900 <= args.year <= 9998:
        return _fail(lang, f"--year 无效：{args.year}", f"invalid --year: {args.year}")
    from selfeval_xlsx.paths import folder_path, names_folder, output_file

    several = len(sources) > 1
    if several and args.output and not names_folder(args.output):
        return _fail(lang, f"{args.source} 中有 {len(sources)} 张表，-o 应是文件夹（每张表一个文件）",
                     f"{args.source} holds {len(sources)} forms; -o must be a folder (one file each)")
    source_real = os.path.realpath(args.source)
    used: set[str] = set()
    refused = existing = written_count = 0
    for source in sources:
        kind = args.form or source.kind or ("project" if (source.fields.get("project") or args.project)
                                            else "department")
        if args.year is not None:
            year, why_zh, why_en = args.year, "--year", "--year"
        else:
            year, why_zh, why_en = source.new_year()
        if several:
            stem = layout.FORMS[kind].file_stem
            name = f"{_file_label(source.fields.get('project') or source.fields.get('unit') or source.label)}" \
                   f"_{stem}_{year}"
            folder = folder_path(args.output) if args.output else Path.cwd()
            target = folder / f"{name}.xlsx"
            n = 2
            while str(target) in used:
                target = folder / f"{name}_{n}.xlsx"
                n += 1
        else:
            target = output_file(args.output, layout.FORMS[kind].default_filename(year))
        used.add(str(target))
        if target.suffix.lower() != ".xlsx":
            return _fail(lang, f"输出文件应以 .xlsx 结尾：{args.output}",
                         f"the output file must end in .xlsx: {args.output}")
        if os.path.realpath(target) == source_real:
            return _fail(lang, f"{target}: 输出不能覆盖来源文件", f"{target}: the output must not overwrite the source")
        if (target.exists() or target.is_symlink()) and not getattr(args, "force", False):
            existing += 1  # a filled-in workbook is never overwritten by a new form
            print(_say(lang, f"文件已存在，未覆盖：{target}（确需覆盖请加 --force）",
                       f"{target} already exists and was left untouched (add --force to overwrite it)"),
                  file=sys.stderr)
            continue
        groups = arrange(source.rows, profile)
        title = layout.FORMS[kind].title
        print(_say(lang, f"{args.source}：{source.label}，{len(source.rows)} 个三级指标 → {title}（{year}年度；{why_zh}）",
                   f"{args.source}: {source.label}, {len(source.rows)} indicators → {title} ({year}; {why_en})"))

        def check(temp: Path, target: Path = target, year: int = year) -> None:
            findings, notices, form = review(temp, year, profile)
            for finding in findings:
                where = f"{target}:{form.sheet}!{finding.cell}" if finding.cell else f"{target}:{form.sheet}"
                severity = SEVERITY_LABEL["en" if lang == "en" else "zh"][finding.severity]
                print(f"{where}: {finding.code} {severity} {finding.message(lang)}")
            for notice in notices:
                print(f"{target}:{notice.sheet}!{notice.cell}: {notice.message(lang)}")
            if args.strict and any(f.code.startswith("W") for f in findings):
                raise _Refused

        fields = _fields(kind, source, args)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            written = write_template(target, form=kind, year=year, unit="", protect=args.protect,
                                     profile=profile, groups=groups, fields=fields, budget=source.budget,
                                     check=check)
        except _Refused:
            refused += 1
            print(_say(lang, f"未写入 {target}：分值有问题（--strict）；请先更正来源中的分值",
                       f"not written: {target}: the points have problems (--strict); correct them in the source"),
                  file=sys.stderr)
            continue
        except (FileExistsError, NotADirectoryError):
            return _fail(lang, f"无法写入 {target}：上级路径不是文件夹",
                         f"cannot write {target}: a parent of it is not a folder")
        except OSError as exc:
            return _fail(lang, *write_error(exc, target))
        written_count += 1
        print(f"Template written: {written}" if lang == "en" else f"已生成模板：{written}")
    if several:
        print(_say(lang, f"共 {len(sources)} 张表：已生成 {written_count} 个文件，未写入 {refused + existing} 个。",
                   f"{len(sources)} forms: {written_count} files written, {refused + existing} not written."))
    return 2 if existing else 1 if refused else 0
