"""`selfeval validate` (and a bare `selfeval FILE`) as a user runs it: a real process."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, sample
from conftest import selfeval as _selfeval

selfeval = functools.partial(_selfeval, timeout=120)  # this file's runs are short

SEED = sample("01", ".xlsx")
CLEAN = sample("02", ".xlsx")


def test_validate_seed_linter_lines_and_exit_1():
    run = selfeval("validate", SEED)
    assert run.returncode == 1, run.stderr
    assert run.stderr == ""
    lines = run.stdout.splitlines()
    assert f"{SEED}:附件3-1!H32: T101 错误 总分 97.752 与计算结果 94.75 不符（各三级指标得分 + 预算执行得分）；请更正" in lines
    assert f"{SEED}:附件3-1!B14: W101 错误 一级指标“产出指标”标注 50 分，其下三级指标分值合计 47；请调整三级指标分值或更正标注" in lines
    assert lines[-1].endswith("总分 填报 97.752 / 计算 94.75，结论 填报 优秀 / 计算 优秀；错误 4，警告 9")
    assert "\033[" not in run.stdout  # no colour when not a terminal


def test_a_dropped_file_is_validated():
    dropped = selfeval(SEED)
    assert dropped.returncode == 1
    assert dropped.stdout == selfeval("validate", SEED).stdout


def test_clean_file_exit_0_and_english():
    run = selfeval("validate", "--lang", "en", CLEAN)
    assert run.returncode == 0
    assert run.stdout.strip().endswith("total stated 99.1 / computed 99.1, conclusion stated 优秀 / computed 优秀; "
                                       "0 errors, 0 warnings")


def test_json_is_a_list_one_object_per_file():
    run = selfeval("validate", "--format", "json", SEED, CLEAN)
    assert run.returncode == 1
    data = json.loads(run.stdout)
    assert [d["file"] for d in data] == [str(SEED), str(CLEAN)]
    assert [d["status"] for d in data] == ["errors", "ok"]
    assert data[0]["forms"][0]["total"] == {"stated": 97.752, "computed": 94.75, "cell": "H32"}


def bad_files(folder: Path) -> dict[str, Path]:
    files = {}
    files["empty"] = folder / "空文件.xlsx"
    files["empty"].write_bytes(b"")
    files["text"] = folder / "其实是文本.xlsx"
    files["text"].write_text("这不是 Excel 文件", encoding="utf-8")
    files["truncated"] = folder / "截断.xlsx"
    files["truncated"].write_bytes(SEED.read_bytes()[:3000])
    files["noform"] = folder / "没有自评表.xlsx"
    with zipfile.ZipFile(SEED) as src, zipfile.ZipFile(files["noform"], "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData/></worksheet>')
            dst.writestr(info, data)
    files["missing"] = folder / "不存在.xlsx"
    return files


@pytest.mark.parametrize("kind", ["empty", "text", "truncated", "noform", "missing"])
def test_bad_input_one_line_exit_2_no_traceback(tmp_path, kind):
    path = bad_files(tmp_path)[kind]
    run = selfeval("validate", path)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr + run.stdout
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(str(path)), lines
    json_run = selfeval("validate", "--format", "json", path)
    (result,) = json.loads(json_run.stdout)
    assert result["status"] == "unreadable" and result["error"] and result["forms"] == []


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    bad = bad_files(tmp_path)["text"]
    run = selfeval("validate", bad, CLEAN)
    assert run.returncode == 2
    assert "总分 填报 99.1" in run.stdout


def test_bad_profile_names_the_key(tmp_path):
    profile = tmp_path / "省.toml"
    profile.write_text("[scoring]\nfoo = 1\n", encoding="utf-8")
    run = selfeval("validate", "--profile", profile, SEED)
    assert run.returncode == 2
    assert "scoring.foo" in run.stderr and "Traceback" not in run.stderr


def test_profile_changes_the_verdict(tmp_path):
    profile = tmp_path / "省.toml"
    profile.write_text("[weights]\nbudget = 20\noutput = 40\n", encoding="utf-8")
    data = json.loads(selfeval("validate", "--format", "json", "--profile", profile, CLEAN).stdout)
    codes = [f["code"] for f in data[0]["forms"][0]["findings"]]
    assert "W103" in codes


def test_a_profile_whose_weights_miss_100_is_refused_naming_the_keys(tmp_path):
    profile = tmp_path / "省.toml"
    profile.write_text("[weights]\nbudget = 20\n", encoding="utf-8")  # 50 + 30 + 10 + 20 = 110
    run = selfeval("validate", "--profile", profile, CLEAN)
    assert run.returncode == 2 and run.stdout == ""
    (line,) = run.stderr.strip().splitlines()
    assert "合计 110（output 50 + benefit 30 + satisfaction 10 + budget 20），应为 100" in line
    assert "weights.output, weights.benefit, weights.satisfaction, weights.budget" in line and "Traceback" not in line


@pytest.mark.parametrize("name", ["mof", "sichuan", "hubei", "chongqing", "yunnan", "evaluation"])
def test_named_profiles_ship_and_load(name):
    run = selfeval("validate", "--format", "json", "--profile", name, CLEAN)
    assert run.returncode in (0, 1), run.stderr
    (form,) = json.loads(run.stdout)[0]["forms"]
    assert form["profile"]["auto"] is False and form["profile"]["name"]


def test_an_unknown_profile_name_is_one_line_exit_2():
    run = selfeval("validate", "--profile", "guangdong", CLEAN)
    assert run.returncode == 2
    assert "guangdong" in run.stderr and "mof, sichuan, hubei, chongqing, yunnan, evaluation" in run.stderr


def test_no_command_prints_help_and_exit_2():
    run = selfeval()
    assert run.returncode == 2 and "validate" in run.stdout


def test_a_drop_with_its_own_console_waits_for_enter(monkeypatch, capsys):
    from selfeval_xlsx import cli

    monkeypatch.setattr(cli, "_own_console_window", lambda: True)
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt="": prompts.append(prompt) or "")
    assert cli.main([str(CLEAN)]) == 0
    assert prompts == ["按回车键关闭窗口 / Press Enter to close"]
    assert "总分 填报 99.1" in capsys.readouterr().out
    # a command typed in a terminal never waits
    prompts.clear()
    assert cli.main(["validate", str(CLEAN)]) == 0
    assert prompts == []


@pytest.mark.parametrize("argv, named", [
    (["serve", "--port", "99999"], "--port"),
    (["batch", "in", "-o", "out", "--jobs", "-3"], "--jobs"),
    (["template", "--year", "20"], "--year"),
    (["template", "--year", "二〇二五"], "--year"),
])
def test_out_of_range_options_are_refused_in_one_line(argv, named):
    run = selfeval(*argv)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert named in run.stderr.splitlines()[-1]


@pytest.mark.parametrize("kind, hint", [
    ("empty", "请向报送单位索取完整的文件"),
    ("truncated", "请向报送单位索取完整的文件"),
    ("missing", "请检查文件路径"),
    ("noform", "请确认报送的是绩效自评表"),
    ("text", "请另存为.xlsx后重试"),
])
def test_every_unreadable_message_says_what_to_do(tmp_path, kind, hint):
    run = selfeval("validate", bad_files(tmp_path)[kind])
    assert hint in run.stderr


PLAIN_LINES = [
    ["validate", "a.xlsx"],
    ["validate", "a.xlsx", "b.xls", ""],
    ["validate", "--format", "json", "a.xlsx"],
    ["validate", "a.xlsx", "--format=json"],
    ["validate", "--profile", "sichuan", "a.xlsx", "b.xlsx", "--format", "text"],
    ["validate", "--profile=x=y.toml", "--profile", "mof", "a.xlsx"],
    ["validate", "--profile=", "a b.xlsx"],
    ["validate", "--format", "json", "--format", "text", "a.xlsx"],
]
ARGPARSE_LINES = [  # left to argparse: help, errors, anything unusual
    [], ["validate"], ["validate", "-h"], ["validate", "--help", "a"], ["validate", "--form", "json", "a"],
    ["validate", "a", "--format", "json", "b"], ["validate", "--format", "csv", "a"], ["validate", "--format=", "a"],
    ["validate", "--profile", "-x", "a"], ["validate", "-", "a"], ["validate", "-1"], ["validate", "--", "a"],
    ["validate", "a", "--format"], ["validate", "--lang", "fr", "a"], ["validate", "--jobs", "2", "a"],
    ["fill", "a"], ["--version"],
]


@pytest.mark.parametrize("argv", PLAIN_LINES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plain_validate_line_parses_as_argparse_does(argv, lang):
    """cli.plain_validate skips argparse for the everyday validate line; it must
    give the very attributes argparse gives."""
    from selfeval_xlsx import cli

    fast = cli.plain_validate(list(argv), lang)
    assert fast is not None
    assert vars(fast) == vars(cli.build_parser(lang).parse_args(list(argv)))
    assert vars(fast) == vars(cli.build_parser(lang, "validate").parse_args(list(argv)))


@pytest.mark.parametrize("argv", ARGPARSE_LINES)
def test_anything_else_is_left_to_argparse(argv):
    from selfeval_xlsx import cli

    assert cli.plain_validate(list(argv), "zh") is None


@pytest.mark.parametrize("command", ["template", "validate", "fill", "batch", "export", "serve"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_parser_built_for_one_command_helps_and_parses_as_the_full_one(command, lang, capsys):
    from selfeval_xlsx import cli

    def help_text(parser, argv):
        with pytest.raises(SystemExit):
            parser.parse_args(argv)
        return capsys.readouterr().out

    full, one = cli.build_parser(lang), cli.build_parser(lang, command)
    assert help_text(one, [command, "--help"]) == help_text(full, [command, "--help"])
    assert one.format_help() == full.format_help()


def test_validate_imports_only_what_validating_needs():
    """The validate path imports neither argparse nor the other commands' modules."""
    code = ("import sys; from selfeval_xlsx.cli import main; main(['validate', sys.argv[1]]); "
            "print(' '.join(sorted(sys.modules)))")
    run = subprocess.run([sys.executable, "-c", code, str(CLEAN)], capture_output=True, text=True,
                         encoding="utf-8", env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    loaded = set(run.stdout.splitlines()[-1].split())
    for name in ("argparse", "tomllib", "selfeval_xlsx.writer", "selfeval_xlsx.fill", "selfeval_xlsx.batch",
                 "selfeval_xlsx.summary", "selfeval_xlsx.commands.batch", "selfeval_xlsx.commands.template",
                 "openpyxl", "pandas", "xlsxwriter", "json", "signal", "glob", "calendar"):
        assert name not in loaded, name
