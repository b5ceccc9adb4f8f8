"""``selfeval validate PATH... [--format text|json]``: check workbooks."""

from __future__ import annotations

import sys

from selfeval_xlsx.commands.common import (
    colour_enabled,
    expand,
    json_ascii,
    profile_or_exit,
)
from selfeval_xlsx.pipeline import validate
from selfeval_xlsx.report import text_lines
from selfeval_xlsx.results import UNREADABLE, FileResult


def exit_code(results: list[FileResult]) -> int:
    """2 when any input could not be read, 1 when any finding is an error, else 0."""
    if any(r.status == UNREADABLE for r in results):
        return 2
    if any(r.errors for r in results):
        return 1
    return 0


def run(args) -> int:
    profile = profile_or_exit(args)
    if profile is None:
        return 2
    results = [validate(path, profile, args.lang) for path in expand(args.paths)]
    if args.format == "json":
        import json

        json.dump([r.to_dict(args.lang) for r in results], sys.stdout, ensure_ascii=json_ascii(sys.stdout), indent=2)
        sys.stdout.write("\n")
    else:
        colour = colour_enabled(sys.stdout)
        for result in results:
            stream = sys.stderr if result.status == UNREADABLE else sys.stdout
            for line in text_lines(result, args.lang, colour and stream is sys.stdout):
                print(line, file=stream)
    return exit_code(results)
