"""``selfeval batch IN_DIR -o OUT_DIR``: check and correct a whole folder.

Every .xlsx/.xlsm/.xls under IN_DIR is validated (and, unless ``--no-fill``,
a corrected copy written to OUT_DIR under the same relative path) in
parallel worker processes; OUT_DIR/summary.xlsx gets one row per form and
one per finding.  A bad file is reported, never the end of the batch.
Exit code as ``validate``: 0 no error findings, 1 error findings, 2 an
unreadable file (or a bad IN_DIR/OUT_DIR/profile).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from selfeval_xlsx.atomic import TEMP_SUFFIX, write_error
from selfeval_xlsx.batch import FILE_TIMEOUT, batch_folder, discover
from selfeval_xlsx.commands.common import json_ascii, pool_run
from selfeval_xlsx.paths import folder_path
from selfeval_xlsx.profile import ProfileError, load_profile


def _say(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


class _JsonStream:
    """Prints a JSON list one element at a time (memory stays flat)."""

    def __init__(self, out):
        self.out = out
        self.count = 0
        self.ascii = json_ascii(out)

    def __call__(self, result: dict[str, Any]) -> None:
        self.out.write("[\n" if self.count == 0 else ",\n")
        self.out.write(json.dumps(result, ensure_ascii=self.ascii, default=str))
        self.count += 1

    def close(self) -> None:
        self.out.write("[]\n" if self.count == 0 else "\n]\n")
        self.out.flush()


def run(args) -> int:
    lang = getattr(args, "lang", "zh")
    try:
        profile = load_profile(args.profile)
    except ProfileError as exc:
        return _fail(_say(lang, f"配置文件错误: {exc.message('zh')}", f"profile error: {exc.message('en')}"))
    in_dir = Path(args.input_dir)
    out_dir = folder_path(args.output)  # "checked/" and "checked\\" are the folder "checked"
    if not in_dir.exists():
        return _fail(_say(lang, f"{in_dir}: 找不到输入文件夹", f"{in_dir}: input folder not found"))
    if not in_dir.is_dir():
        return _fail(_say(lang, f"{in_dir}: 不是文件夹", f"{in_dir}: not a folder"))
    if out_dir.exists() and not out_dir.is_dir():
        return _fail(_say(lang, f"{out_dir}: 输出路径已存在且不是文件夹", f"{out_dir}: exists and is not a folder"))
    if _same_folder(in_dir, out_dir):
        return _fail(_say(lang, f"{out_dir}: 输出文件夹不能与输入文件夹相同",
                          f"{out_dir}: the output folder must differ from the input folder"))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(_say(lang, f"{out_dir}: 无法创建输出文件夹（{exc.strerror}）",
                          f"{out_dir}: cannot create the output folder ({exc.strerror})"))
    try:  # a folder that cannot be written is one line now, not 800 failed files and a traceback later
        handle, probe = tempfile.mkstemp(prefix=f".{os.getpid()}.", suffix=TEMP_SUFFIX, dir=out_dir)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        zh, en = write_error(exc, out_dir / "summary.xlsx")
        return _fail(_say(lang, zh, en))
    skipped: list = []
    files = discover(in_dir, exclude=[out_dir], skipped=skipped)

    json_out = _JsonStream(sys.stdout) if args.format == "json" else None
    unreadable: list[str] = []

    def on_result(result: dict[str, Any]) -> None:
        if result.get("status") == "unreadable":
            unreadable.append(result.get("error") or str(result.get("file")))
        if json_out is not None:
            json_out(result)
        bar.update(1)

    with pool_run(len(files), _say(lang, "校验", "checking"), _say(lang, "个", "file")) as bar:
        try:
            stats = batch_folder(
                in_dir, out_dir, profile=profile, lang=lang, fill=not args.no_fill,
                jobs=args.jobs, timeout=FILE_TIMEOUT, files=files, skipped=skipped, on_result=on_result,
            )
        except OSError as exc:  # summary.xlsx could not be written (the folder became read-only, the disk is full)
            zh, en = write_error(exc, getattr(exc, "filename", None) or out_dir / "summary.xlsx")
            return _fail(_say(lang, zh, en))
    if json_out is not None:
        json_out.close()

    report = sys.stderr if json_out is not None else sys.stdout
    for line in unreadable:
        print(_say(lang, f"无法读取：{line}", f"unreadable: {line}"), file=report)
    for source, output in stats.renamed:
        print(_say(lang, f"重名：{source} 的校正副本另存为 {output}（避免与同名文件的副本互相覆盖）",
                   f"same name: the corrected copy of {source} is saved as {output} (so no copy overwrites another)"),
              file=report)
    for line in stats.unfilled:
        print(_say(lang, f"未回填（此表没有改动）：{line}", f"not filled (left untouched): {line}"), file=report)
    if not files:
        print(_say(lang, f"{in_dir}: 未找到 .xlsx/.xlsm/.xls 文件", f"{in_dir}: no .xlsx/.xlsm/.xls files found"),
              file=report)
    print(
        _say(
            lang,
            f"共 {stats.files} 个文件、{stats.forms} 张自评表：错误 {stats.errors} 个，"
            f"警告 {stats.warnings} 个，无法读取 {stats.unreadable} 个文件；用时 {stats.seconds:.1f} 秒。",
            f"{stats.files} files, {stats.forms} forms: {stats.errors} errors, "
            f"{stats.warnings} warnings, {stats.unreadable} unreadable files; {stats.seconds:.1f} s.",
        ),
        file=report,
    )
    print(_say(lang, f"汇总表：{stats.summary}", f"summary: {stats.summary}"), file=report)
    return stats.exit_code
