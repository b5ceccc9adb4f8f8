"""Where outputs go and what the exit code says (issue 13), as a user runs the commands:
`template` never overwrites without --force; `-o DIR/` writes inside a folder for template,
fill and batch alike; a checked copy is never named .checked.checked; fill's exit code says
whether the written copy still has errors.  Real processes, real workbooks, read back."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx.fill import default_output, fill_path
from selfeval_xlsx.paths import folder_path, names_folder

from conftest import ROOT, one_line_error, sample
from conftest import selfeval as _selfeval

selfeval = functools.partial(_selfeval, timeout=180)  # this file's runs are short
DEPARTMENT_NAME = "部门整体支出绩效自评表_2024.xlsx"


def copy_sample(prefix: str, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or sample(prefix).name)
    shutil.copyfile(sample(prefix), target)
    return target


def validate_json(path: Path) -> dict:
    proc = selfeval("validate", "--format", "json", path, cwd=path.parent)
    return json.loads(proc.stdout)[0]


def errors(result: dict) -> list[tuple[str, str]]:
    return [(f["code"], f["cell"]) for form in result["forms"] for f in form["findings"] if f["severity"] == "error"]


# --------------------------------------------------------------------------
# template: never overwrite without --force


def test_template_refuses_to_overwrite_a_filled_workbook(tmp_path):
    filled = copy_sample("02", tmp_path, DEPARTMENT_NAME)  # a filled form under the template's default name
    before = filled.read_bytes()
    stamp = filled.stat().st_mtime_ns
    line = one_line_error(selfeval("template", "--year", "2024", cwd=tmp_path))
    assert DEPARTMENT_NAME in line and "--force" in line
    assert filled.read_bytes() == before and filled.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == [DEPARTMENT_NAME]  # no temporary file left
    # English, and an explicit -o file, and -o naming the folder it is in: the same refusal
    assert "--force" in one_line_error(selfeval("template", "--year", "2024", "--lang", "en", cwd=tmp_path))
    one_line_error(selfeval("template", "--year", "2024", "-o", filled, cwd=tmp_path))
    one_line_error(selfeval("template", "--year", "2024", "-o", f"{tmp_path}/", cwd=tmp_path))
    assert filled.read_bytes() == before

    proc = selfeval("template", "--year", "2024", "--force", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    ws = openpyxl.load_workbook(filled).active
    assert ws.title == "部门整体支出绩效自评表"
    assert ws["A3"].value == "（2024年度）"
    assert ws["C5"].value is None  # the blank template replaced the filled copy, as asked


@pytest.mark.parametrize("spelling", ["{}/", "{}\\", "{}"])
def test_template_output_folder_is_created(tmp_path, spelling):
    folder = tmp_path / "模板" / "2024"
    proc = selfeval("template", "--year", "2024", "--form", "project", "-o", spelling.format(folder), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    target = folder / "项目支出绩效自评表_2024.xlsx"
    assert proc.stdout.strip() == f"已生成模板：{target}"
    assert openpyxl.load_workbook(target).active.title == "项目支出绩效自评表"
    assert sorted(p.name for p in folder.iterdir()) == [target.name]


# --------------------------------------------------------------------------
# fill: -o DIR/ and the name of a checked copy


@pytest.mark.parametrize("spelling", ["{}/", "{}\\", "{}"])
def test_fill_output_folder_is_created(tmp_path, spelling):
    src = copy_sample("09", tmp_path / "in")
    folder = tmp_path / "newdir"
    proc = selfeval("fill", src, "-o", spelling.format(folder), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    target = folder / f"{src.stem}.checked.xlsx"
    assert proc.stdout.splitlines()[-1] == f"已写入：{target}"
    assert sorted(p.name for p in folder.iterdir()) == [target.name]
    assert not (tmp_path / "newdir").is_file()
    cells = openpyxl.load_workbook(target, data_only=True)["附件3-1"]
    assert cells["I7"].value == pytest.approx(9.7) and cells["H24"].value == pytest.approx(99.3)
    assert src.read_bytes() == sample("09").read_bytes()


def test_fill_into_an_existing_folder_without_slash(tmp_path):
    src = copy_sample("04", tmp_path)
    (tmp_path / "out.d").mkdir()
    proc = selfeval("fill", src.name, "-o", "out.d", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (tmp_path / "out.d" / f"{src.stem}.checked.xlsx").is_file()


def test_fill_output_with_a_foreign_extension_is_refused(tmp_path):
    src = copy_sample("04", tmp_path)
    line = one_line_error(selfeval("fill", src.name, "-o", "结果.txt", cwd=tmp_path))
    assert "结果.txt" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == [src.name]


def test_filling_a_checked_copy_never_doubles_checked(tmp_path):
    src = copy_sample("04", tmp_path)
    first = selfeval("fill", src.name, cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    checked = tmp_path / f"{src.stem}.checked.xlsx"
    checked_bytes = checked.read_bytes()

    # beside itself: the same name would be the input, so the copy is numbered, and the user is told
    second = selfeval("fill", checked.name, cwd=tmp_path)
    assert second.returncode == 1, second.stderr
    numbered = tmp_path / f"{src.stem}.checked (2).xlsx"
    assert second.stdout.splitlines()[-1] == f"已写入：{numbered.name}"
    assert any("已是校正副本" in line and numbered.name in line for line in second.stdout.splitlines())
    assert checked.read_bytes() == checked_bytes  # the input is never overwritten
    assert not list(tmp_path.glob("*.checked.checked*"))
    third = selfeval("fill", numbered.name, cwd=tmp_path)
    assert third.stdout.splitlines()[-1] == f"已写入：{src.stem}.checked (3).xlsx"

    # in another folder it keeps its name
    other = selfeval("fill", checked.name, "-o", "审核后/", cwd=tmp_path)
    assert other.returncode == 1, other.stderr
    assert (tmp_path / "审核后" / checked.name).is_file()
    assert not any("已是校正副本" in line for line in other.stdout.splitlines())
    # the re-filled copy holds the same values as the first one
    a = openpyxl.load_workbook(checked, data_only=True)["附件3-1"]
    b = openpyxl.load_workbook(numbered, data_only=True)["附件3-1"]
    assert [[c.value for c in row] for row in a.iter_rows()] == [[c.value for c in row] for row in b.iter_rows()]


def test_default_output_names(tmp_path):
    x = tmp_path / "表.xlsx"
    x.write_bytes(b"")
    assert default_output(x) == tmp_path / "表.checked.xlsx"
    m = tmp_path / "表.xlsm"
    m.write_bytes(b"")
    assert default_output(m) == tmp_path / "表.checked.xlsm"
    assert default_output(tmp_path / "表.xls") == tmp_path / "表.checked.xlsx"
    c = tmp_path / "表.checked.xlsx"
    c.write_bytes(b"")
    assert default_output(c) == tmp_path / "表.checked (2).xlsx"
    assert default_output(c, tmp_path / "out") == tmp_path / "out" / "表.checked.xlsx"
    n = tmp_path / "表.checked (4).xlsx"
    n.write_bytes(b"")
    assert default_output(n) == tmp_path / "表.checked (5).xlsx"
    assert default_output(n, tmp_path / "out") == tmp_path / "out" / n.name
    # the library API (batch, web) follows the same rule
    assert fill_path(sample("02"), tmp_path / "api/")["output"] == str(tmp_path / "api" / f"{sample('02').stem}.checked.xlsx")


def test_names_folder():
    assert names_folder("out/") and names_folder("out\\") and names_folder("校正后")
    assert not names_folder("校正后.xlsx") and not names_folder("a/b.xlsm")
    assert folder_path("out\\") == Path("out") and folder_path("a/b//") == Path("a/b")


# --------------------------------------------------------------------------
# batch: -o DIR/


@pytest.mark.parametrize("spelling", ["{}/", "{}\\"])
def test_batch_output_folder_with_separator(tmp_path, spelling):
    src = tmp_path / "提交材料"
    copy_sample("09", src / "甲县")
    copy_sample("02", src)
    out = tmp_path / "结果" / "第一批"
    proc = selfeval("batch", src, "-o", spelling.format(out), "--jobs", "1", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # 09 has errors (validate's exit code)
    assert (out / "summary.xlsx").is_file()
    assert (out / "甲县" / sample("09").name).is_file()
    assert (out / sample("02").name).is_file()
    assert not (tmp_path / "结果" / "第一批\\").exists()
    assert openpyxl.load_workbook(out / "summary.xlsx").sheetnames


# --------------------------------------------------------------------------
# fill's exit code: 0 no error left in the copy, 1 errors remain, 2 unreadable


def test_fill_exit_0_when_every_error_was_corrected(tmp_path):
    src = copy_sample("09", tmp_path)
    assert selfeval("validate", src.name, cwd=tmp_path).returncode == 1  # the input has errors
    proc = selfeval("fill", src.name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "副本中已没有错误" in proc.stdout.splitlines()
    copy = tmp_path / f"{src.stem}.checked.xlsx"
    assert errors(validate_json(copy)) == []


def test_fill_exit_1_when_errors_remain_for_a_person(tmp_path):
    src = copy_sample("01", tmp_path)
    proc = selfeval("fill", src.name, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    left = errors(validate_json(tmp_path / f"{src.stem}.checked.xlsx"))
    # what fill cannot decide: the weights and an empty 三级 name; the total it corrected
    assert left == [("W101", "B14"), ("E101", "D26"), ("W102", "G32")]
    assert f"副本中仍有 {len(left)} 个错误需要填报单位修改（见上文及副本中的“校验结果”工作表）" in proc.stdout.splitlines()
    en = selfeval("fill", src.name, "-o", "en.xlsx", "--lang", "en", cwd=tmp_path)
    assert en.returncode == 1 and f"{len(left)} errors remain in the copy" in en.stdout


def test_fill_exit_0_on_a_clean_form_and_2_when_unreadable(tmp_path):
    clean = copy_sample("02", tmp_path)
    assert selfeval("fill", clean.name, cwd=tmp_path).returncode == 0
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04broken")
    assert "坏.xlsx" in one_line_error(selfeval("fill", bad.name, cwd=tmp_path))
    assert not (tmp_path / "坏.checked.xlsx").exists()


def test_readme_documents_fill_exit_codes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### `selfeval fill`"):readme.index("### `selfeval batch`")]
    assert "退出码" in section and "0" in section and "--force" in readme
    english = readme[readme.index("## English"):]
    assert "fill" in english and "exit" in english.lower()
