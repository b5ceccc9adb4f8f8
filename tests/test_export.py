"""selfeval export and read_frames: the tables agree with validate and batch.

Every test runs the real reader and rules on the sample workbooks (or
copies of them) and reads the written files back with pandas.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import selfeval_xlsx
from selfeval_xlsx.cli import main
from selfeval_xlsx.export import (
    FORM_COLUMNS,
    FORM_FLOATS,
    INDICATOR_COLUMNS,
    INDICATOR_FLOATS,
    ExportError,
    check_output,
)

from conftest import ROOT, SAMPLES


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "selfeval_xlsx", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """export of sample_workbooks/ to .xlsx, .csv and .parquet (the command line)."""
    out = tmp_path_factory.mktemp("export")
    runs = {}
    import importlib.util

    suffixes = [".xlsx", ".csv"] + ([".parquet"] if importlib.util.find_spec("pyarrow") else [])
    for suffix in suffixes:
        proc = _cli("export", str(SAMPLES), "-o", str(out / f"表格{suffix}"))
        assert proc.returncode == 0, proc.stderr
        runs[suffix] = proc
    return out, runs


@pytest.fixture(scope="module")
def validated():
    proc = _cli("validate", "--format", "json", *sorted(str(p) for p in SAMPLES.glob("*.xls*")))
    assert proc.returncode in (0, 1), proc.stderr
    return {item["file"]: item for item in json.loads(proc.stdout)}


def _read_xlsx(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    assert list(sheets) == ["表", "指标"]
    return sheets["表"], sheets["指标"]


def test_xlsx_has_the_documented_columns_and_one_row_per_indicator_validate_counts(exported, validated):
    out, runs = exported
    forms, indicators = _read_xlsx(out / "表格.xlsx")
    assert tuple(forms.columns) == FORM_COLUMNS
    assert tuple(indicators.columns) == INDICATOR_COLUMNS
    expected_forms = [(path, form["sheet"]) for path, item in validated.items() for form in item["forms"]]
    assert sorted(zip(forms["文件"], forms["工作表"])) == sorted(expected_forms)
    for path, item in validated.items():
        for form in item["forms"]:
            rows = indicators[(indicators["文件"] == path) & (indicators["工作表"] == form["sheet"])]
            assert len(rows) == form["indicator_count"], (path, form["sheet"])
            assert rows["行"].is_monotonic_increasing
            assert set(rows["年度"]) == {form["year"]}
    assert len(indicators) == sum(f["indicator_count"] for item in validated.values() for f in item["forms"])
    assert f"{len(forms)} 张自评表、{len(indicators)} 个三级指标" in runs[".xlsx"].stdout


def test_xlsx_package_is_consistent(exported):
    """Every style a streamed cell names exists (Excel refuses the file otherwise)."""
    import re
    import zipfile

    out, _ = exported
    with zipfile.ZipFile(out / "表格.xlsx") as z:
        styles = z.read("xl/styles.xml").decode()
        xfs = int(re.search(r'<cellXfs count="(\d+)"', styles).group(1))
        for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
            used = {int(n) for n in re.findall(r'<c r="[A-Z]+\d+" s="(\d+)"', z.read(name).decode())}
            assert used and max(used) < xfs, (name, used, xfs)


def test_numbers_are_floats_text_is_text(exported):
    out, _ = exported
    forms, indicators = _read_xlsx(out / "表格.xlsx")
    # numbers are number cells (pandas' read_excel turns a column of whole
    # numbers into int64; read_frames, .csv and .parquet keep float64)
    for name in INDICATOR_FLOATS:
        assert pd.api.types.is_numeric_dtype(indicators[name]), name
    for name in FORM_FLOATS:
        assert pd.api.types.is_numeric_dtype(forms[name]), name
    for name in ("年度指标值", "实际完成值", "三级指标", "指标性质"):
        values = indicators[name].dropna()
        assert len(values) and all(isinstance(v, str) for v in values), name
    # the seed: "≥5次" → 25次, 3 points; 12篇/年 keeps its unit; the vague target is text
    seed = indicators[indicators["文件"].str.contains("01_黔南州")]
    row18 = seed[seed["行"] == 18].iloc[0]
    assert (row18["年度指标值"], row18["目标数值"], row18["计量单位"], row18["指标性质"]) == ("≥5次", 5.0, "次", "≥")
    assert (row18["实际完成值"], row18["完成数值"], row18["分值"], row18["填报得分"]) == ("25次", 25.0, 3.0, 3.0)
    assert row18["问题代码"] == "S202"
    row22 = seed[seed["行"] == 22].iloc[0]
    assert (row22["年度指标值"], row22["目标数值"], row22["计量单位"]) == ("12篇/年", 12.0, "篇/年")
    row28 = seed[seed["行"] == 28].iloc[0]
    assert row28["指标性质"] == "定性" and pd.isna(row28["目标数值"])
    assert row28["问题代码"] == "Q201,S201"
    assert row28["一级指标"] == "效益指标" and row28["二级指标"] == "经济效益"
    form = forms[forms["文件"].str.contains("01_黔南州")].iloc[0]
    assert (form["预算数"], form["执行数"], form["执行率"]) == (777.68, 758.37, 0.9752)
    assert (form["填报总分"], form["计算总分"], form["填报结论"], form["计算结论"]) == (97.752, 94.75, "优秀", "优秀")
    assert (form["表类型"], form["年度"], form["错误数"], form["警告数"]) == ("部门整体", 2023, 4, 9)
    layouts = dict(zip(forms["文件"].str.extract(r"/(\d\d)_")[0], forms["版式"]))
    assert layouts["01"] == "财政部附件3-1" and layouts["03"] == "财政部附件3-2"
    assert layouts["07"] == "四川"


def test_computed_score_is_what_fill_writes(exported, validated):
    out, _ = exported
    _, indicators = _read_xlsx(out / "表格.xlsx")
    # 某县卫健局 has wrong scores: the computed one is the fill value, the stated one stays
    wrong = indicators[indicators["文件"].str.contains("04_某县卫健局")]
    item = next(v for k, v in validated.items() if "04_某县卫健局" in k)
    fixes = {f["cell"]: f["expected"] for f in item["forms"][0]["findings"] if f["code"] in ("S102", "S103")}
    assert fixes
    for cell, expected in fixes.items():
        row = wrong[wrong["行"] == int(cell[1:])].iloc[0]
        assert row["计算得分"] == expected
        assert row["填报得分"] != expected
    # and the computed scores add up to the computed total with the budget score
    forms, _ = _read_xlsx(out / "表格.xlsx")
    for _, form in forms.iterrows():
        rows = indicators[(indicators["文件"] == form["文件"]) & (indicators["工作表"] == form["工作表"])]
        assert round(rows["计算得分"].sum() + form["预算得分"], 2) == form["计算总分"], form["文件"]


def test_forms_table_matches_batch_summary(exported, tmp_path):
    out, _ = exported
    forms, _ = _read_xlsx(out / "表格.xlsx")
    assert main(["batch", str(SAMPLES), "-o", str(tmp_path / "b"), "--no-fill"]) == 1
    summary = pd.read_excel(tmp_path / "b" / "summary.xlsx", sheet_name="汇总", engine="openpyxl")
    ours = {(Path(f).relative_to(SAMPLES).as_posix(), s): (a, b, e, w) for f, s, a, b, e, w in zip(
        forms["文件"], forms["工作表"], forms["填报总分"], forms["计算总分"], forms["错误数"], forms["警告数"])}
    theirs = {(f, s): (a, b, e, w) for f, s, a, b, e, w in zip(
        summary["文件"], summary["工作表"], summary["填报总分"], summary["计算总分"], summary["错误数"],
        summary["警告数"])}
    assert ours.keys() == theirs.keys()
    for key, (a, b, e, w) in theirs.items():
        mine = ours[key]
        assert (mine[0] == a or (pd.isna(mine[0]) and pd.isna(a))) and mine[1:] == (b, e, w), key


def test_csv_and_parquet_open_in_pandas_with_the_documented_columns(exported):
    out, runs = exported
    raw = (out / "表格.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Windows reads UTF-8 only with the mark
    indicators = pd.read_csv(out / "表格.csv", encoding="utf-8-sig")
    forms = pd.read_csv(out / "表格.forms.csv", encoding="utf-8-sig")
    assert tuple(indicators.columns) == INDICATOR_COLUMNS
    assert tuple(forms.columns) == FORM_COLUMNS
    for name in INDICATOR_FLOATS:
        assert pd.api.types.is_float_dtype(indicators[name]), name
    xlsx_forms, xlsx_indicators = _read_xlsx(out / "表格.xlsx")
    assert len(indicators) == len(xlsx_indicators) and len(forms) == len(xlsx_forms)
    assert list(indicators["三级指标"].fillna("")) == list(xlsx_indicators["三级指标"].fillna(""))
    assert "表格.forms.csv" in runs[".csv"].stdout


def test_parquet_has_the_documented_columns_and_types(exported):
    import pyarrow  # noqa: F401  (the parquet writer needs it; a test dependency)
    out, _ = exported
    _, xlsx_indicators = _read_xlsx(out / "表格.xlsx")
    p_ind = pd.read_parquet(out / "表格.parquet")
    p_forms = pd.read_parquet(out / "表格.forms.parquet")
    assert tuple(p_ind.columns) == INDICATOR_COLUMNS and tuple(p_forms.columns) == FORM_COLUMNS
    for name in INDICATOR_FLOATS:
        assert p_ind[name].dtype == "float64", name
    assert p_ind["行"].dtype == "int64"
    assert list(p_ind["分值"].fillna(-1)) == list(xlsx_indicators["分值"].fillna(-1))


def test_read_frames_columns_dtypes_and_readme_example(tmp_path):
    forms, indicators = selfeval_xlsx.read_frames(SAMPLES)
    assert tuple(forms.columns) == FORM_COLUMNS and tuple(indicators.columns) == INDICATOR_COLUMNS
    for name in INDICATOR_FLOATS:
        assert indicators[name].dtype == "float64", name
    for name in FORM_FLOATS:
        assert forms[name].dtype == "float64", name
    assert str(indicators["年度"].dtype) == "Int64" and str(forms["错误数"].dtype) == "Int64"
    assert len(forms) == 12

    # the README example
    vague = indicators[indicators["问题代码"].fillna("").str.contains("Q201")]
    top = vague["年度指标值"].value_counts().head(10)
    assert top.index[0] == "不断提升" and top.iloc[0] == 3
    by_level1 = indicators.groupby("一级指标")["计算得分"].mean().round(2)
    assert set(by_level1.index) >= {"产出指标", "效益指标", "满意度指标"}
    assert all(0 < v <= 20 for v in by_level1)


def test_folders_nested_unreadable_and_output_inside_input(tmp_path):
    src = tmp_path / "提交材料"
    (src / "01县").mkdir(parents=True)
    (src / "02县" / "乡镇").mkdir(parents=True)
    shutil.copy(SAMPLES / "02_某县财政局_2024部门整体支出绩效自评表.xlsx", src / "01县" / "a.xlsx")
    shutil.copy(SAMPLES / "03_某县教育局_2024项目支出绩效自评表.xlsx", src / "02县" / "乡镇" / "b.xlsx")
    shutil.copy(SAMPLES / "02_某县财政局_2024部门整体支出绩效自评表.xlsx", src / "c.xlsx")
    (src / "02县" / "坏文件.xlsx").write_bytes(b"not a workbook")
    (src / "~$a.xlsx").write_bytes(b"lock")
    out = src / "导出.xlsx"
    proc = _cli("export", str(src), "-o", str(out))
    assert proc.returncode == 2  # one unreadable file; the others are exported
    assert proc.stderr.count("\n") == 1 and "坏文件.xlsx" in proc.stderr and "Traceback" not in proc.stderr
    forms, indicators = _read_xlsx(out)
    assert sorted(zip(forms["文件"], forms["文件夹"].fillna(""))) == sorted([
        (str(src / "01县" / "a.xlsx"), "01县"), (str(src / "02县" / "乡镇" / "b.xlsx"), "02县/乡镇"),
        (str(src / "c.xlsx"), ""),
    ])
    project = forms[forms["表类型"] == "项目"].iloc[0]
    assert project["项目"] == "2024年学生资助补助经费" and project["单位"] == "某县学生资助管理中心"
    # a second run does not read its own output (which now lies in the input folder)
    again = _cli("export", str(src), str(SAMPLES / "09_某县文旅局_2024部门整体自评表_含印章图表批注.xlsx"),
                 "-o", str(out))
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    forms2, _ = _read_xlsx(out)
    assert len(forms2) == 4
    assert not [p for p in src.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_bad_arguments_are_one_line(tmp_path, monkeypatch, capsys):
    assert main(["export", str(SAMPLES), "-o", str(tmp_path / "x.txt")]) == 2
    assert main(["export", str(tmp_path / "missing"), "-o", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and ".xlsx、.csv 或 .parquet" in err[0] and "找不到" in err[1]
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if pyarrow were not installed
    with pytest.raises(ExportError) as info:
        check_output(tmp_path / "x.parquet")
    assert "pip install pyarrow" in info.value.message()
    assert main(["export", str(SAMPLES), "-o", str(tmp_path / "x.parquet")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pyarrow" in err[0]
    assert not (tmp_path / "x.parquet").exists()


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    import openpyxl

    src = tmp_path / "in.xlsx"
    shutil.copy(SAMPLES / "02_某县财政局_2024部门整体支出绩效自评表.xlsx", src)
    wb = openpyxl.load_workbook(src)
    ws = wb["附件3-1"]
    ws["D14"] = '=HYPERLINK("http://x","y")'
    ws["D14"].data_type = "s"
    wb.save(src)
    assert main(["export", str(src), "-o", str(tmp_path / "o.xlsx"), "--jobs", "1"]) == 0
    ws2 = openpyxl.load_workbook(tmp_path / "o.xlsx")["指标"]
    cell = ws2.cell(2, INDICATOR_COLUMNS.index("三级指标") + 1)
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    text = _readme()
    block = text.split("<!-- read-frames-example -->", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(block, "README example", "exec"), {})
    out = capsys.readouterr().out
    assert "不断提升    3" in out and "产出指标" in out and "满意度指标" in out


def test_readme_commands_work_from_a_copy(tmp_path):
    """The export and template --from commands of the README, as written, in a fresh copy."""
    shutil.copytree(SAMPLES, tmp_path / "sample_workbooks")
    text = _readme()
    commands = [line.split("#")[0].split() for line in text.splitlines()
                if line.startswith(("selfeval export sample_workbooks", "selfeval template --from 指标.xlsx",
                                    "selfeval template --from sample_workbooks"))]
    assert len(commands) == 3
    commands.sort(key=lambda argv: argv[1] != "export")  # the table first, then the forms made from it
    for argv in commands:
        proc = _cli(*argv[1:], cwd=tmp_path)
        assert proc.returncode == 0, (argv, proc.stderr)
    assert (tmp_path / "指标.xlsx").exists()
    assert len(list((tmp_path / "明年").glob("*.xlsx"))) == 12
    assert (tmp_path / "部门整体支出绩效自评表_2025.xlsx").exists()
    # the CSV shown in the README is a valid source
    csv_text = text.split("一级指标,二级指标,三级指标,指标性质,年度指标值,计量单位,分值", 1)[1].split("```", 1)[0]
    rows = [line.strip() for line in csv_text.strip().splitlines()]
    (tmp_path / "目标表.csv").write_text("一级指标,二级指标,三级指标,指标性质,年度指标值,计量单位,分值\n"
                                      + "\n".join(rows) + "\n", encoding="utf-8")
    proc = _cli("template", "--from", "目标表.csv", "--year", "2025", "-o", "目标表_2025.xlsx", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "W102" in proc.stdout  # three rows do not make 100 points: said before writing


def test_a_file_the_rules_fail_on_does_not_stop_read_frames(tmp_path, monkeypatch):
    """In this process (read_frames' default) as in the workers: one line, the rest still read."""
    from selfeval_xlsx import pipeline

    real = pipeline.check_workbook  # the rules, as the pipeline runs them

    def flaky(workbook, profile=None):
        if "02_" in workbook.path:
            raise RuntimeError("boom")
        return real(workbook, profile) if profile is not None else real(workbook)

    monkeypatch.setattr(pipeline, "check_workbook", flaky)
    with pytest.warns(UserWarning, match=r"02_某县财政局.*处理出错（RuntimeError: boom）"):
        forms, _ = selfeval_xlsx.read_frames(SAMPLES)
    assert len(forms) == 11
