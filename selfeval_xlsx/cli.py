"""The ``selfeval`` command line.

Each command's work lives in its own module; this file only parses the
arguments and hands them over.  ``selfeval PATH...`` without a command word
validates, so a workbook dropped onto the program gets its report.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from selfeval_xlsx import __version__

COMMANDS = ("template", "validate", "fill", "batch", "serve", "export")


def _int_between(low: int, high: int):
    """An argparse type: a whole number in [low, high], refused in one line otherwise."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"应为整数，得到 {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"应在 {low} 到 {high} 之间，得到 {value}")
        return value

    return convert


def _lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="消息语言 / message language (default: zh)"
    )


def _profile_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", metavar="NAME|FILE",
        help="省份配置：mof, sichuan, hubei, chongqing, yunnan, evaluation 或 TOML 文件（默认按版式自动选用）"
             " / province profile: a shipped name or a TOML file (default: picked from the layout)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="selfeval",
        description="绩效自评表工具：生成空白模板、校验、回填与批量校正。",
    )
    parser.add_argument("--version", action="version", version=f"selfeval-xlsx {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("template", help="生成官方空白模板 / write a blank official template")
    p.add_argument("--form", choices=("department", "project"), default=None,
                   help="department = 部门整体支出（附件3-1），project = 项目支出（附件3-2）")
    p.add_argument("--year", type=_int_between(1990, 2100), default=None,
                   help="年度（默认：上一年；--from 时为来源的年度，来源已填实际完成值时加一）")
    p.add_argument("--unit", default="", help="预填的单位（或项目）名称")
    p.add_argument("--rows", type=int, default=3, help="每个二级指标下的空白三级指标行数（默认 3）")
    p.add_argument("--protect", action="store_true", help="锁定公式单元格（仍可插入、删除行）")
    p.add_argument("-o", "--output", metavar="PATH", help="输出文件或文件夹")
    p.add_argument("--from", dest="source", metavar="SOURCE",
                   help="按指标表（.xlsx/.csv）或上一年填好的自评表预填指标、指标值和分值")
    p.add_argument("--project", default="", help="项目名称（项目支出表，--from 时可用）")
    p.add_argument("--strict", action="store_true",
                   help="与 --from 同用：分值有问题（W 类）时不写文件，退出码 1")
    p.add_argument("--force", action="store_true", help="覆盖已存在的文件 / overwrite an existing file")
    _profile_option(p)
    _lang_option(p)

    p = sub.add_parser("validate", help="校验自评表 / check workbooks")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _profile_option(p)
    _lang_option(p)

    p = sub.add_parser("fill", help="回填计算结果到副本 / write computed values into a copy")
    p.add_argument("path", metavar="PATH")
    p.add_argument("-o", "--output", metavar="OUT")
    p.add_argument("--in-place", action="store_true", help="直接修改原文件（先保留 NAME.bak.xlsx）")
    p.add_argument("--no-mark", action="store_true", help="不标记改动的单元格，不加“校验结果”工作表")
    _profile_option(p)
    _lang_option(p)

    p = sub.add_parser("batch", help="批量校验并校正一个文件夹 / batch-correct a folder")
    p.add_argument("input_dir", metavar="IN_DIR")
    p.add_argument("-o", "--output", metavar="OUT_DIR", required=True)
    p.add_argument("--jobs", type=_int_between(0, 512), default=0, help="并行进程数（默认 0：全部核心）")
    p.add_argument("--no-fill", action="store_true", help="只校验，不写校正副本")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _profile_option(p)
    _lang_option(p)

    p = sub.add_parser("export", help="把自评表导出为表格（.xlsx/.csv/.parquet）/ forms and indicators as tables")
    p.add_argument("paths", nargs="+", metavar="PATH", help="自评表文件或文件夹（含子文件夹）")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help="输出文件：.xlsx、.csv 或 .parquet")
    p.add_argument("--jobs", type=_int_between(0, 512), default=0, help="并行进程数（默认 0：全部核心）")
    _profile_option(p)
    _lang_option(p)

    p = sub.add_parser("serve", help="在浏览器中使用 / a local drop page in the browser")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_int_between(1, 65535), default=8765)
    p.add_argument("--open", action="store_true", help="启动后打开浏览器")
    _profile_option(p)
    _lang_option(p)
    return parser


def _own_console_window() -> bool:
    """True when this process got a console window of its own (a drop on Windows)."""
    if os.name != "nt":
        return False
    try:  # pragma: no cover - Windows only
        import ctypes

        processes = (ctypes.c_uint * 2)()
        return ctypes.windll.kernel32.GetConsoleProcessList(processes, 2) == 1
    except Exception:  # pragma: no cover
        return False


def _forgiving_output() -> None:
    """Whatever a message holds (a file name that is not Unicode, a
    character the console's code page lacks) prints escaped, never as a
    UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # replaced by a test harness, or closed
            pass


def main(argv: list[str] | None = None) -> int:
    _forgiving_output()
    argv = list(sys.argv[1:] if argv is None else argv)
    dropped = False
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        argv.insert(0, "validate")  # `selfeval FILE...`: a drop validates
        dropped = True
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(f"selfeval_xlsx.commands.{args.command}")
    try:
        code = module.run(args)
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        code = 130
    except BrokenPipeError:  # output piped into `head` and the like
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 1
    if dropped and _own_console_window():  # pragma: no cover - Windows only
        try:
            input("按回车键关闭窗口 / Press Enter to close")
        except EOFError:
            pass
    return code
