"""``selfeval export PATH... -o OUT``: every form and every indicator as a table.

PATH is any mix of workbooks and folders (searched like ``batch``).  OUT is
an ``.xlsx`` (sheets 表 and 指标), a ``.csv`` (the indicators; the forms in
``NAME.forms.csv`` beside it) or a ``.parquet`` (likewise; needs pyarrow).
The files are read in ``batch``'s worker processes, with its progress bar.
Exit code: 0, or 2 when a file could not be read (one line each; the
others are still exported) or for a bad argument.
"""

from __future__ import annotations

import sys
from typing import Any

from selfeval_xlsx.commands.common import expand, pool_run, profile_or_exit


def _say(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def run(args) -> int:
    from selfeval_xlsx.export import (
        ExportError,
        check_output,
        collect,
        companion,
        export,
    )

    lang = getattr(args, "lang", "zh")
    profile = profile_or_exit(args)
    if profile is None:
        return 2
    try:
        target = check_output(args.output)
        items = collect(expand(args.paths), exclude=[target, companion(target)])
    except ExportError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 2

    unreadable: list[str] = []

    def on_result(result: dict[str, Any]) -> None:
        if result["error"]:
            unreadable.append(result["error"])
        bar.update(1)

    with pool_run(len(items), _say(lang, "导出", "exporting"), _say(lang, "个", "file")) as bar:
        try:
            stats = export([], target, profile=profile, lang=lang, jobs=args.jobs, items=items,
                           on_result=on_result)
        except OSError as exc:
            print(_say(lang, f"无法写入 {target}：{exc.strerror or exc}",
                       f"cannot write {target}: {exc.strerror or exc}"), file=sys.stderr)
            return 2
    for line in unreadable:
        print(_say(lang, f"无法读取：{line}", f"unreadable: {line}"), file=sys.stderr)
    if not items:
        print(_say(lang, "未找到 .xlsx/.xlsm/.xls 文件", "no .xlsx/.xlsm/.xls files found"), file=sys.stderr)
    print(_say(
        lang,
        f"共 {stats.files} 个文件、{stats.forms} 张自评表、{stats.indicators} 个三级指标，"
        f"无法读取 {stats.unreadable} 个文件；用时 {stats.seconds:.1f} 秒。",
        f"{stats.files} files, {stats.forms} forms, {stats.indicators} indicators, "
        f"{stats.unreadable} unreadable files; {stats.seconds:.1f} s.",
    ))
    print(_say(lang, "已写入：" + "、".join(stats.outputs), "written: " + ", ".join(stats.outputs)))
    return stats.exit_code
