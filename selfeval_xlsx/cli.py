"""The ``selfeval`` command line.

Each command's work lives in its own module; this file only parses the
arguments and hands them over.  ``selfeval PATH...`` without a command word
validates, so a workbook dropped onto the program gets its report.
"""

from __future__ import annotations

import gc
import os
import sys

from selfeval_xlsx import __version__

COMMANDS = ("template", "validate", "fill", "batch", "serve", "export")
LANGS = ("zh", "en")


def prescan_lang(argv: list[str]) -> tuple[str, list[str]]:
    """The ``--lang`` asked for anywhere on the line (before or after the
    command word), and argv without it, so help and usage errors can be
    written in that language before argparse has parsed anything.  A value
    that is not zh/en is left in place for argparse to refuse."""
    lang = "zh"
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            lang = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--lang=") and arg[7:] in LANGS:
            lang = arg[7:]
            i += 1
            continue
        rest.append(arg)
        i += 1
    return lang, rest


def safe_streams() -> None:
    """Whatever a message holds (Chinese on an ASCII or legacy code page, a
    file name that is not Unicode) prints escaped, never as a
    UnicodeEncodeError traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - a detached or closed stream
            pass


def _int_between(low: int, high: int, lang: str = "zh"):
    """An argparse type: a whole number in [low, high], refused in one line otherwise."""
    import argparse

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number, got {text!r}" if lang == "en" else f"应为整数，得到 {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be between {low} and {high}, got {value}" if lang == "en"
                else f"应在 {low} 到 {high} 之间，得到 {value}"
            )
        return value

    return convert


def build_parser(lang: str = "zh", command: str | None = None):
    """The parser, its help written in ``lang`` (argparse's own words such as
    "usage" and "options" are English in both).

    With ``command``, only that command's arguments are added (the others
    are listed, with their one-line help, but left empty): the top-level
    parser hands everything after the command word to that command's parser,
    so the others would never be consulted."""
    import argparse

    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    def lang_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--lang", choices=LANGS, default=lang,
                            help=t("消息语言：zh 中文（默认），en 英文", "message language: zh Chinese (default), en English"))

    def format_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--format", choices=("text", "json"), default="text",
                            help=t("输出格式（默认 text）", "output format (default text)"))

    def profile_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--profile", metavar="NAME|FILE",
            help=t("省份配置：mof, sichuan, hubei, chongqing, yunnan, evaluation 或 TOML 文件（默认按版式自动选用）",
                   "province profile: mof, sichuan, hubei, chongqing, yunnan, evaluation or a TOML file "
                   "(default: picked from the layout)"),
        )

    parser = argparse.ArgumentParser(
        prog="selfeval",
        description=t("绩效自评表工具：生成空白模板、校验、回填与批量校正。",
                      "Budget performance self-evaluation workbooks: blank templates, checking, "
                      "correcting and batch correction."),
        epilog=t("直接运行 selfeval 文件.xlsx 即校验该文件。每个命令的说明：selfeval 命令 --help",
                 "selfeval FILE.xlsx checks that file. Help on a command: selfeval COMMAND --help"),
    )
    parser.add_argument("--version", action="version", version=f"selfeval-xlsx {__version__}",
                        help=t("显示版本号", "show the version and exit"))
    lang_option(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                title=t("命令", "commands"))

    def wanted(name: str) -> bool:
        return command is None or command == name

    p = sub.add_parser("template", help=t("生成官方空白模板", "write a blank official template"),
                       description=t("生成官方空白模板（附件3-1 或 3-2），或用 --from 按指标表、上一年的自评表预填。",
                                     "Write a blank official form (3-1 or 3-2), or one pre-filled --from an "
                                     "indicators table or last year's workbook."))
    if wanted("template"):
        p.add_argument("--form", choices=("department", "project"), default=None,
                       help=t("department = 部门整体支出（附件3-1），project = 项目支出（附件3-2）",
                              "department = department overall spending (3-1), project = project spending (3-2)"))
        p.add_argument("--year", type=_int_between(1990, 2100, lang), default=None,
                       help=t("年度（默认：上一年；--from 时为来源的年度，来源已填实际完成值时加一）",
                              "the year (default: last year; with --from the source's year, plus one when the "
                              "source has actual values)"))
        p.add_argument("--unit", default="", help=t("预填的单位（或项目）名称", "unit (or project) name to fill in"))
        p.add_argument("--rows", type=int, default=3,
                       help=t("每个二级指标下的空白三级指标行数（默认 3）",
                              "blank level-3 rows under each level-2 indicator (default 3)"))
        p.add_argument("--protect", action="store_true",
                       help=t("锁定公式单元格（仍可插入、删除行）", "lock the formula cells (rows can still be inserted and deleted)"))
        p.add_argument("-o", "--output", metavar="PATH", help=t("输出文件或文件夹", "output file or folder"))
        p.add_argument("--from", dest="source", metavar="SOURCE",
                       help=t("按指标表（.xlsx/.csv）或上一年填好的自评表预填指标、指标值和分值",
                              "pre-fill indicators, targets and points from a table (.xlsx/.csv) or last year's workbook"))
        p.add_argument("--project", default="", help=t("项目名称（项目支出表，--from 时可用）",
                                                      "project name (project form, with --from)"))
        p.add_argument("--strict", action="store_true",
                       help=t("与 --from 同用：分值有问题（W 类）时不写文件，退出码 1",
                              "with --from: write nothing when the points have problems (W findings), exit 1"))
        p.add_argument("--force", action="store_true", help=t("覆盖已存在的文件", "overwrite an existing file"))
        profile_option(p)
        lang_option(p)

    p = sub.add_parser("validate", help=t("校验自评表", "check workbooks"),
                       description=t("校验自评表，逐条列出问题（不修改文件）。",
                                     "Check workbooks and list every finding (files are not changed)."))
    if wanted("validate"):
        p.add_argument("paths", nargs="+", metavar="PATH", help=t("自评表文件（.xlsx/.xlsm/.xls）", "workbooks (.xlsx/.xlsm/.xls)"))
        format_option(p)
        profile_option(p)
        lang_option(p)

    p = sub.add_parser("fill", help=t("回填计算结果到副本", "write computed values into a copy"),
                       description=t("把计算结果写入副本 NAME.checked.xlsx（原文件不变）。",
                                     "Write the computed values into a copy, NAME.checked.xlsx (the original is not changed)."))
    if wanted("fill"):
        p.add_argument("path", metavar="PATH", help=t("自评表文件", "the workbook"))
        p.add_argument("-o", "--output", metavar="OUT", help=t("输出文件或文件夹", "output file or folder"))
        p.add_argument("--in-place", action="store_true",
                       help=t("直接修改原文件（先保留 NAME.bak.xlsx）", "change the file itself (keeping NAME.bak.xlsx first)"))
        p.add_argument("--no-mark", action="store_true",
                       help=t("不标记改动的单元格，不加“校验结果”工作表",
                              "do not mark the changed cells and add no findings sheet"))
        profile_option(p)
        lang_option(p)

    p = sub.add_parser("batch", help=t("批量校验并校正一个文件夹", "batch-correct a folder"),
                       description=t("校验并校正文件夹（含子文件夹）中的全部自评表，写出校正副本和 summary.xlsx。",
                                     "Check and correct every workbook in a folder (and its subfolders); "
                                     "writes corrected copies and summary.xlsx."))
    if wanted("batch"):
        p.add_argument("input_dir", metavar="IN_DIR", help=t("输入文件夹", "input folder"))
        p.add_argument("-o", "--output", metavar="OUT_DIR", required=True, help=t("输出文件夹", "output folder"))
        p.add_argument("--jobs", type=_int_between(0, 512, lang), default=0,
                       help=t("并行进程数（默认 0：全部核心）", "worker processes (default 0: all cores)"))
        p.add_argument("--no-fill", action="store_true", help=t("只校验，不写校正副本", "check only, write no corrected copies"))
        format_option(p)
        profile_option(p)
        lang_option(p)

    p = sub.add_parser("export", help=t("把自评表导出为表格（.xlsx/.csv/.parquet）", "forms and indicators as tables"),
                       description=t("把自评表导出为两张表：每张自评表一行、每个三级指标一行。",
                                     "Export forms and indicators as tables: one row per form, one per indicator."))
    if wanted("export"):
        p.add_argument("paths", nargs="+", metavar="PATH",
                       help=t("自评表文件或文件夹（含子文件夹）", "workbooks or folders (with subfolders)"))
        p.add_argument("-o", "--output", metavar="OUT", required=True,
                       help=t("输出文件：.xlsx、.csv 或 .parquet", "output file: .xlsx, .csv or .parquet"))
        p.add_argument("--jobs", type=_int_between(0, 512, lang), default=0,
                       help=t("并行进程数（默认 0：全部核心）", "worker processes (default 0: all cores)"))
        profile_option(p)
        lang_option(p)

    p = sub.add_parser("serve", help=t("在浏览器中使用", "a local drop page in the browser"),
                       description=t("在本机启动校验网页，把自评表拖到页面上即可校验。",
                                     "Start the checking page on this computer; drop workbooks on it."))
    if wanted("serve"):
        p.add_argument("--host", default="127.0.0.1",
                       help=t("监听地址（默认 127.0.0.1，仅本机；0.0.0.0 允许局域网访问）",
                              "address to listen on (default 127.0.0.1, this computer only; 0.0.0.0 opens it to the network)"))
        p.add_argument("--port", type=_int_between(1, 65535, lang), default=8765, help=t("端口（默认 8765）", "port (default 8765)"))
        p.add_argument("--open", action="store_true", help=t("启动后打开浏览器", "open the browser once started"))
        profile_option(p)
        lang_option(p)

    # argparse has no public way to reword its own -h/--help text; its actions
    # list is the one place the help action's text lives
    for action in parser._actions + [a for s in sub.choices.values() for a in s._actions]:
        if action.dest == "help":
            action.help = t("显示本帮助并退出", "show this help message and exit")
    return parser


class Arguments:
    """What ``argparse.Namespace`` holds for a command line; the attributes
    are the parser's ``dest`` names."""

    def __init__(self, **kwargs) -> None:
        self.__dict__.update(kwargs)

    def __repr__(self) -> str:
        return f"Arguments({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


def plain_validate(argv: list[str], lang: str) -> Arguments | None:
    """The arguments of the everyday ``validate PATH... [--format F] [--profile P]``
    line without argparse (importing it and building the parser cost more
    than checking a small workbook), or None for anything else -- help, an
    abbreviated or unknown option, a value or path that starts with "-",
    paths not in one run, a bad choice -- which argparse then parses,
    refuses or explains exactly as before.  What this accepts, argparse
    parses to the same attributes (tests/test_cli.py compares them)."""
    if not argv or argv[0] != "validate":
        return None
    values: dict[str, str | None] = {"format": "text", "profile": None}
    paths: list[str] = []
    run_ended = False  # argparse takes the paths as one run; a second run is an error it words
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("-"):
            name, eq, value = arg[2:].partition("=")
            if not arg.startswith("--") or name not in values:
                return None
            if not eq:
                if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                    return None
                i += 1
                value = argv[i]
            values[name] = value
            run_ended = bool(paths)
        elif run_ended:
            return None
        else:
            paths.append(arg)
        i += 1
    if not paths or values["format"] not in ("text", "json"):
        return None
    return Arguments(lang=lang, command="validate", paths=paths, format=values["format"], profile=values["profile"])


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


def main(argv: list[str] | None = None) -> int:
    safe_streams()
    lang, argv = prescan_lang(list(sys.argv[1:] if argv is None else argv))
    dropped = False
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        argv.insert(0, "validate")  # `selfeval FILE...`: a drop validates
        dropped = True
    args = plain_validate(argv, lang)
    if args is None:
        parser = build_parser(lang, argv[0] if argv and argv[0] in COMMANDS else None)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
    name = f"selfeval_xlsx.commands.{args.command}"
    first = name not in sys.modules
    collecting = gc.isenabled()
    if first:
        # importing builds only what lives as long as the process: no garbage for the
        # cyclic collector to find, and its ~20 passes cost a validate run ~1.5 ms
        gc.disable()
    try:
        module = __import__(name, fromlist=["run"])
    finally:
        if first:
            # what the imports built, out of the collector's way: a validate run no
            # longer re-scans it (~5 ms of ~55)
            gc.freeze()
            if collecting:
                gc.enable()
    try:
        code = module.run(args)
    except KeyboardInterrupt:
        print("interrupted" if lang == "en" else "已中断", file=sys.stderr)
        code = 130
    except BrokenPipeError:  # output piped into `head` and the like
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 1
    if dropped and _own_console_window():  # pragma: no cover - Windows only
        try:
            input("Press Enter to close" if lang == "en" else "按回车键关闭窗口 / Press Enter to close")
        except EOFError:
            pass
    return code
