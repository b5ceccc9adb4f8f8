"""``selfeval fill PATH [-o OUT] [--in-place] [--no-mark]``: a corrected copy."""

from __future__ import annotations

import sys

from decimal import Decimal

from selfeval_xlsx.checks import percent, show
from selfeval_xlsx.commands.common import colour_enabled, profile_or_exit
from selfeval_xlsx.commands.validate import exit_code
from selfeval_xlsx.errors import display_path
from selfeval_xlsx.fill import fill_path
from selfeval_xlsx.report import text_lines


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
    result = fill_path(
        args.path, args.output, profile, mark=not args.no_mark, in_place=args.in_place, lang=args.lang
    )
    if result["status"] == "unreadable":
        print(result["error"], file=sys.stderr)
        return 2
    zh = args.lang != "en"
    for change in result["changes"]:
        fmt = change["number_format"]
        old, new = _show(change["old"], fmt, args.lang), _show(change["new"], fmt, args.lang)
        print(f"{display_path(args.path)}:{change['sheet']}!{change['cell']}: {old} → {new}")
    if not result["changes"]:
        print("没有需要改动的单元格" if zh else "no cell needed a change")
    for line in text_lines(result, args.lang, colour_enabled(sys.stdout)):
        print(line)
    print(("已写入：" if zh else "written: ") + display_path(result["output"]))
    return exit_code([result])
