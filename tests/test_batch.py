"""selfeval batch: discovery, the folder run, the command end to end (the pool itself: test_pool.py).

The runner and folder machinery are tested with stand-in per-file functions
(module-level, so worker processes can import them); the end-to-end tests
use the real validate/fill on generated workbooks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx import batch as batch_mod
from selfeval_xlsx.batch import FileJob, batch_folder, discover
from selfeval_xlsx.cli import main

from conftest import ROOT, sample, samples


# --------------------------------------------------------------------------
# stand-in per-item functions (run in worker processes)


def fake_file(job: FileJob, rel: str) -> dict:
    """Pretends to validate/fill: behaviour chosen by the file name."""
    name = os.path.basename(rel)
    src = os.path.join(job.in_dir, rel)
    if "crash" in name:
        os._exit(3)
    if "hang" in name:
        time.sleep(60)
    if "segv" in name:
        import ctypes

        ctypes.string_at(0)
    if "oom" in name:
        bytearray(16 * 1024**3)
    if "raise" in name:
        raise RuntimeError("stand-in failure")
    if "bad" in name:
        return {"file": src, "status": "unreadable", "error": f"{src}: 不是有效的 Excel 文件", "forms": []}
    errors = 1 if "err" in name else 0
    findings = [{"code": "TOTAL_MISMATCH", "severity": "error", "cell": "H23", "message": "总分不等于各项之和",
                 "expected": 97.75, "found": 97.752}] * errors
    findings.append({"code": "NO_REASON", "severity": "warning", "cell": "I12",
                     "message": "扣分未说明原因", "expected": None, "found": None})
    result = {
        "file": src,
        "status": "errors" if errors else "ok",
        "error": None,
        "forms": [{
            "sheet": "Sheet1", "kind": "department", "unit": name.rsplit(".", 1)[0], "year": 2023,
            "indicator_count": 5,
            "budget": {"rate": 0.9752, "score": 9.752, "rate_cell": "F6", "score_cell": "G6"},
            "total": {"stated": 97.752, "computed": 97.75 if errors else 97.752, "cell": "G23"},
            "conclusion": {"stated": "优", "computed": "优", "cell": "G24"},
            "findings": findings,
        }],
    }
    if job.out_dir is not None:
        target = Path(job.out_dir, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, target)
        result["output"] = str(target)
        result["changes"] = []
    return result


# --------------------------------------------------------------------------
# discovery


def _touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_discover_filters_and_sorts(tmp_path):
    root = tmp_path / "in"
    for rel in [
        "b县/2.xlsx", "b县/1.XLSX", "a县/x.xlsm", "a县/y.Xls", "a县/~$x.xlsm", "a县/.hidden.xlsx",
        ".git/z.xlsx", "a县/.cache/w.xlsx", "a县/notes.txt", "a县/x.xlsx.bak", "top.xlsx",
        "out/old.xlsx", "a县/sub/deep.xlsx",
    ]:
        _touch(root / rel)
    (root / "a县" / "dir.xlsx").mkdir()  # a folder with a workbook's name
    found = discover(root, exclude=[root / "out"])
    assert [p.as_posix() for p in found] == [
        "a县/sub/deep.xlsx", "a县/x.xlsm", "a县/y.Xls", "b县/1.XLSX", "b县/2.xlsx", "top.xlsx",
    ]
    assert discover(root, exclude=[tmp_path / "elsewhere"])[-2].as_posix() == "out/old.xlsx"


def test_discover_symlinked_folder_not_followed(tmp_path):
    root = tmp_path / "in"
    _touch(root / "a" / "f.xlsx")
    try:
        (root / "loop").symlink_to(root, target_is_directory=True)
    except OSError:
        pytest.skip("no symlinks")
    assert [p.as_posix() for p in discover(root)] == ["a/f.xlsx"]


# --------------------------------------------------------------------------
# the folder with stand-in workers


def _fake_folder(root: Path) -> None:
    for rel in ["甲县/ok1.xlsx", "甲县/err1.xlsx", "乙县/ok2.xlsx", "乙县/crash.xlsx",
                "乙县/hang.xlsx", "丙县/bad.xlsx", "丙县/raise.xlsx", "丙县/segv.xlsx"]:
        _touch(root / rel, b"PK fake " + rel.encode())


def test_batch_folder_with_failing_workers(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    _fake_folder(src)
    seen = []
    stats = batch_folder(src, out, jobs=2, timeout=3, worker=fake_file, on_result=seen.append)
    assert [Path(r["file"]).relative_to(src).as_posix() for r in seen] == [
        p.as_posix() for p in discover(src)
    ]
    status = {Path(r["file"]).name: r for r in seen}
    assert "处理进程异常退出" in status["crash.xlsx"]["error"]
    assert "处理超时" in status["hang.xlsx"]["error"]
    assert "处理进程异常退出" in status["segv.xlsx"]["error"]
    assert "处理出错" in status["raise.xlsx"]["error"]
    assert stats.files == 8 and stats.forms == 3 and stats.unreadable == 5
    assert stats.errors == 1 and stats.warnings == 3
    assert stats.exit_code == 2
    for rel in ["甲县/ok1.xlsx", "甲县/err1.xlsx", "乙县/ok2.xlsx"]:
        assert (out / rel).read_bytes() == (src / rel).read_bytes()
    assert not (out / "乙县" / "crash.xlsx").exists()
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".")]
    assert leftovers == []
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["汇总", "按文件夹", "问题清单", "统计"]
    rows = list(wb["汇总"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 8
    assert [f"{r[0]}/{r[1]}" for r in rows] == [p.as_posix() for p in discover(src)]
    assert sum(1 for r in rows if r[13] == "无法读取") == 5


def test_batch_folder_exit_codes(tmp_path):
    src = tmp_path / "in"
    _touch(src / "a" / "ok.xlsx")
    assert batch_folder(src, tmp_path / "o1", jobs=1, worker=fake_file).exit_code == 0
    _touch(src / "a" / "err.xlsx")
    assert batch_folder(src, tmp_path / "o2", jobs=1, worker=fake_file).exit_code == 1
    _touch(src / "b" / "bad.xlsx")
    assert batch_folder(src, tmp_path / "o3", jobs=1, worker=fake_file).exit_code == 2


def test_batch_folder_no_fill_writes_only_summary(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    _touch(src / "a" / "err.xlsx")
    batch_folder(src, out, fill=False, jobs=1, worker=fake_file)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["summary.xlsx"]
    ws = openpyxl.load_workbook(out / "summary.xlsx")["问题清单"]
    link = ws.cell(2, 4).hyperlink
    assert link is not None and "in" in link.target and "err.xlsx" in link.target


def test_output_inside_input_is_skipped(tmp_path):
    src = tmp_path / "in"
    _touch(src / "a" / "ok.xlsx")
    out = src / "checked"
    batch_folder(src, out, jobs=1, worker=fake_file)
    stats = batch_folder(src, out, jobs=1, worker=fake_file)  # second run must not see its own copies
    assert stats.files == 1


def test_interrupt_leaves_no_partial_files(tmp_path):
    """KeyboardInterrupt mid-run: workers reaped, no temp files, no summary."""
    src, out = tmp_path / "in", tmp_path / "out"
    for i in range(6):
        _touch(src / f"ok{i}.xlsx")
    _touch(src / "zz-hang.xlsx")

    def stop(result):
        if result["file"].endswith("ok3.xlsx"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch_folder(src, out, jobs=2, worker=fake_file, on_result=stop)
    assert not (out / "summary.xlsx").exists()
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_stale_temp_folders_are_swept(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    _touch(src / "a" / "ok.xlsx")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # leftovers are swept only once their process is gone (a live run's are its work in progress)
    stale = _touch(out / "a" / f"{batch_mod.TMP_PREFIX}{dead.pid}-abc" / "ok.xlsx")
    half_written = _touch(out / "a" / f".ok.xlsx.{dead.pid}.k2j4.selfeval.tmp")  # a killed process's atomic write
    someone_elses = _touch(out / "a" / ".notes.tmp")
    batch_folder(src, out, jobs=1, worker=fake_file)
    assert not stale.exists() and not half_written.exists()
    assert someone_elses.exists()


def test_a_dead_workers_temp_files_are_removed(tmp_path):
    from selfeval_xlsx.atomic import replacing, temp_owner

    target = tmp_path / "a.xlsx"
    with pytest.raises(RuntimeError), replacing(target) as temp:
        assert temp_owner(temp.name) == os.getpid()
        temp.write_bytes(b"half")
        leftover = tmp_path / temp.name.replace(".selfeval.tmp", "x.selfeval.tmp")
        leftover.write_bytes(b"as if killed")  # what a killed process would leave
        raise RuntimeError
    assert not temp.exists() and leftover.exists()
    batch_mod.remove_worker_temp(tmp_path, os.getpid() + 1)
    assert leftover.exists()  # another process's file is left alone
    batch_mod.remove_worker_temp(tmp_path, os.getpid())
    assert not leftover.exists() and not target.exists()


# --------------------------------------------------------------------------
# the command's argument handling (no workbook reading needed)


def test_missing_input_folder(tmp_path, capsys):
    assert main(["batch", str(tmp_path / "nope"), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "找不到输入文件夹" in err


def test_input_is_a_file(tmp_path, capsys):
    f = _touch(tmp_path / "f.xlsx")
    assert main(["batch", str(f), "-o", str(tmp_path / "out")]) == 2
    assert "不是文件夹" in capsys.readouterr().err


def test_output_same_as_input(tmp_path, capsys):
    _touch(tmp_path / "in" / "f.xlsx")
    assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "in")]) == 2
    assert "不能与输入文件夹相同" in capsys.readouterr().err


def test_empty_folder(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert "未找到" in captured.err
    wb = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")
    assert wb["汇总"].max_row == 1


# --------------------------------------------------------------------------
# end to end with the real validate/fill


SAMPLES = samples(".xlsx")
INJECTION = '=HYPERLINK("http://example.invalid","点我")'


def _set_text(ws, ref: str, text: str) -> None:
    ws[ref] = text
    ws[ref].data_type = "s"  # keep "=…" a string, not a formula


def _unit_cell(ws) -> str:
    for row in ws.iter_rows(max_row=8):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("某县"):
                return cell.coordinate
    raise AssertionError("no unit cell")


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (40 * 1024 * 1024) + b">")


def _entity_bomb(path: Path, sample: Path) -> None:
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    with zipfile.ZipFile(sample) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = lol.encode()
            dst.writestr(info, data)


@pytest.fixture(scope="module")
def county_folder(tmp_path_factory):
    from selfeval_xlsx.template import write_template

    root = tmp_path_factory.mktemp("batch") / "submissions"
    a, b, c, d = SAMPLES[:4]
    _touch(root / "甲县" / "01.xlsx", a.read_bytes())
    _touch(root / "甲县" / "02.XLSX", b.read_bytes())
    _touch(root / "甲县" / "~$01.xlsx", a.read_bytes()[:162])  # Office lock file
    _touch(root / "甲县" / ".隐藏.xlsx", a.read_bytes())
    _touch(root / ".svn" / "old.xlsx", a.read_bytes())
    _touch(root / "乙县" / "教育局.xlsx", c.read_bytes())
    _touch(root / "乙县" / "卫健局.xlsx", d.read_bytes())
    _touch(root / "乙县" / "说明.docx", b"not a workbook")
    (root / "乙县" / "模板").mkdir(parents=True)
    write_template(root / "乙县" / "模板" / "空白.xlsx", form="project", year=2024, unit="乙县空白项目")
    bad = root / "丙县"
    _touch(bad / "empty.xlsx", b"")
    _touch(bad / "text.xlsx", "这不是表格，是一段文字。\n".encode())
    _touch(bad / "truncated.xlsx", b.read_bytes()[: len(b.read_bytes()) // 2])
    _touch(bad / "encrypted.xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le"))
    _zip_bomb(bad / "zipbomb.xlsx")
    _entity_bomb(bad / "entitybomb.xlsx", b)
    # several forms in one workbook, and formula-like text from a submission
    wb = openpyxl.load_workbook(b)
    first = wb.worksheets[0]
    second = wb.copy_worksheet(first)
    second.title = "第二张"
    _set_text(second, _unit_cell(second), "@SUM(A1:A3)")
    _set_text(first, _unit_cell(first), INJECTION)
    (root / "丁县").mkdir()
    wb.save(root / "丁县" / "多表.xlsx")
    return root


EXPECTED_FILES = [
    "丁县/多表.xlsx", "丙县/empty.xlsx", "丙县/encrypted.xlsx", "丙县/entitybomb.xlsx", "丙县/text.xlsx",
    "丙县/truncated.xlsx", "丙县/zipbomb.xlsx", "乙县/卫健局.xlsx", "乙县/教育局.xlsx", "乙县/模板/空白.xlsx",
    "甲县/01.xlsx", "甲县/02.XLSX",
]
BAD = {p for p in EXPECTED_FILES if p.startswith("丙县/")}


def test_discover_county_folder(county_folder):
    assert [p.as_posix() for p in discover(county_folder)] == EXPECTED_FILES


def _summary_cells(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb}


def test_batch_end_to_end(county_folder, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["batch", str(county_folder), "-o", str(out), "--jobs", "2"])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert "共 12 个文件" in captured.out and "无法读取 6 个文件" in captured.out
    assert captured.err == ""  # no progress bar when stderr is not a terminal

    copies = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert copies == sorted([*(set(EXPECTED_FILES) - BAD), "summary.xlsx"])
    assert [p for p in out.rglob(".*")] == []

    wb = openpyxl.load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["汇总", "按文件夹", "问题清单", "统计"]
    rows = [dict(zip([c.value for c in wb["汇总"][1]], r)) for r in wb["汇总"].iter_rows(min_row=2, values_only=True)]
    by_file: dict[str, list[dict]] = {}
    for r in rows:  # the 文件夹 column: the subfolder (the county) each file came from
        by_file.setdefault(f"{r['文件夹']}/{r['文件']}", []).append(r)
    assert list(by_file) == EXPECTED_FILES  # sorted, one block per file
    assert len(by_file["丁县/多表.xlsx"]) == 2
    assert {r["工作表"] for r in by_file["丁县/多表.xlsx"]} == {"附件3-1", "第二张"}
    for name in BAD:
        (row,) = by_file[name]
        assert row["状态"] == "无法读取" and row["说明"], name
    assert by_file["乙县/卫健局.xlsx"][0]["状态"] == "错误"
    assert by_file["乙县/卫健局.xlsx"][0]["表类型"] == "部门整体"
    assert by_file["乙县/教育局.xlsx"][0]["表类型"] == "项目"
    assert by_file["甲县/02.XLSX"][0]["状态"] == "通过" and by_file["甲县/02.XLSX"][0]["差额"] == 0

    # one row per folder: files, forms, unreadable, errors, warnings, pass rate, average total
    folders = {r[0]: r[1:] for r in wb["按文件夹"].iter_rows(min_row=2, values_only=True)}
    assert list(folders) == ["丁县", "丙县", "乙县", "乙县/模板", "甲县", "合计"]
    assert folders["丙县"][:3] == (6, 0, 6) and folders["丙县"][5:] == ("—", "—")
    assert folders["丁县"][:3] == (1, 2, 0) and folders["甲县"][:3] == (2, 2, 0)
    for folder, counts in folders.items():
        forms = [r for r in rows if (r["文件夹"] == folder or folder == "合计") and r["表类型"]]
        assert counts[0] == len({r["文件"] + r["文件夹"] for r in rows if r["文件夹"] == folder or folder == "合计"})
        assert counts[3] == sum(r["错误数"] or 0 for r in forms) and counts[4] == sum(r["警告数"] or 0 for r in forms)
        if forms:
            assert counts[5] == pytest.approx(sum(1 for r in forms if not r["错误数"]) / len(forms))
            scored = [r["计算总分"] for r in forms if r["计算总分"] is not None]
            if scored:
                assert counts[6] == pytest.approx(round(sum(scored) / len(scored), 2))
            else:  # blank templates only: no computed total shown as if it were real (issue 11)
                assert counts[6] == "—"

    # formula-like text from a submission is stored as text
    ws = wb["汇总"]
    unit_col = [c.value for c in ws[1]].index("单位或项目") + 1
    units = {ws.cell(r, unit_col).value: ws.cell(r, unit_col) for r in range(2, ws.max_row + 1)}
    assert units[INJECTION].data_type == "s" and units["@SUM(A1:A3)"].data_type == "s"

    # every finding links to its cell in the corrected copy, which exists
    ws = wb["问题清单"]
    findings = list(ws.iter_rows(min_row=2))
    errors = sum(r["错误数"] or 0 for r in rows)
    warnings = sum(r["警告数"] or 0 for r in rows)
    assert len(findings) == errors + warnings > 0
    for row in findings:
        link = row[3].hyperlink
        target = out / link.target.replace("\\", "/")
        assert target.is_file() and target.relative_to(out).as_posix() == f"{row[0].value}/{row[1].value}"
        cell = row[3].value if row[3].value != "—" else "A1"  # a finding about the whole form
        assert link.location == f"'{row[2].value}'!{cell}"
    with zipfile.ZipFile(out / "summary.xlsx") as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 2


def test_batch_rerun_identical_summary(county_folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["batch", str(county_folder), "-o", str(out), "--jobs", "2"]) == 2
    first = _summary_cells(out / "summary.xlsx")
    first_bytes = (out / "summary.xlsx").read_bytes()
    assert main(["batch", str(county_folder), "-o", str(out), "--jobs", "1"]) == 2
    assert _summary_cells(out / "summary.xlsx") == first
    assert (out / "summary.xlsx").read_bytes() == first_bytes


def test_batch_json_subprocess_no_fill(county_folder, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "selfeval_xlsx", "batch", str(county_folder), "-o", str(out),
         "--format", "json", "--no-fill", "--lang", "en"],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    data = json.loads(proc.stdout)
    assert [Path(d["file"]).relative_to(county_folder).as_posix() for d in data] == EXPECTED_FILES
    assert {d["status"] for d in data} >= {"ok", "errors", "unreadable"}
    for d in data:
        assert set(d) >= {"file", "status", "error", "forms"}
    assert "12 files" in proc.stderr and "unreadable" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["summary.xlsx"]
    ws = openpyxl.load_workbook(out / "summary.xlsx")["Findings"]  # --lang en: English sheet names
    link = ws.cell(2, 4).hyperlink
    original = (out / link.target.replace("\\", "/")).resolve()
    assert original.is_file() and county_folder in original.parents


def test_batch_exit_codes_real(tmp_path):
    clean = tmp_path / "clean"
    _touch(clean / "a" / "ok.xlsx", SAMPLES[1].read_bytes())
    assert main(["batch", str(clean), "-o", str(tmp_path / "o1"), "--jobs", "1"]) == 0
    _touch(clean / "b" / "bad.xlsx", SAMPLES[3].read_bytes())
    assert main(["batch", str(clean), "-o", str(tmp_path / "o2"), "--jobs", "1"]) == 1


@pytest.mark.libreoffice
def test_batch_xls_copy_named_as_fill_returns(tmp_path, soffice):
    src = tmp_path / "in"
    _touch(src / "县" / "s.xlsx", SAMPLES[1].read_bytes())
    proc = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xls",
         "--outdir", str(src / "县"), str(src / "县" / "s.xlsx")],
        capture_output=True, timeout=180,
    )
    assert proc.returncode == 0 and (src / "县" / "s.xls").exists(), proc.stderr
    (src / "县" / "s.xlsx").unlink()
    out = tmp_path / "out"
    seen = []
    batch_folder(src, out, jobs=1, on_result=seen.append)
    (result,) = seen
    assert result["status"] != "unreadable", result["error"]
    written = Path(result["output"])
    assert written.parent == out / "县" and written.is_file()
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(
        [written.relative_to(out).as_posix(), "summary.xlsx"]
    )


def test_bad_profile(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    bad = tmp_path / "p.toml"
    bad.write_text("[weights]\noutput = 'x'\n", encoding="utf-8")
    assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--profile", str(bad)]) == 2
    assert "weights.output" in capsys.readouterr().err


def test_failure_messages_in_english(tmp_path):
    src = tmp_path / "in"
    _touch(src / "crash.xlsx")
    _touch(src / "hang.xlsx")
    seen = []
    stats = batch_folder(src, tmp_path / "out", jobs=2, timeout=2, lang="en", worker=fake_file, on_result=seen.append)
    assert stats.unreadable == 2
    assert "the worker process died" in seen[0]["error"] and "timed out" in seen[1]["error"]


def test_sigterm_leaves_only_complete_files(tmp_path):
    """A kill (SIGTERM) mid-run: exit 130, no temp files, every copy complete."""
    import signal

    src, out = tmp_path / "in", tmp_path / "out"
    for i in range(600):
        _touch(src / f"{i % 7}县" / f"{i:04d}.xlsx", SAMPLES[i % 4].read_bytes())
    proc = subprocess.Popen([sys.executable, "-m", "selfeval_xlsx", "batch", str(src), "-o", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    def copies():
        return [p for p in out.rglob("*.xlsx") if not any(part.startswith(".") for part in p.parts)]

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(copies()) < 20:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert not (out / "summary.xlsx").exists()
    assert [p for p in out.rglob(".*")] == []
    done = copies()
    assert 20 <= len(done) < 600
    for copy in done:
        with zipfile.ZipFile(copy) as z:
            assert z.testzip() is None



@pytest.mark.parametrize(("files", "renamed"), [
    (["a.xlsx", "b.xlsx", "c.xls"], {}),
    (["a.xls", "a.xlsx"], {"a.xls": "a (2).xlsx"}),  # the copy that can keep its very name keeps it
    (["A.xlsx", "a.xlsx"], {"a.xlsx": "a (2).xlsx"}),  # one name on Windows and macOS
    (["A.xlsx", "a (2).xlsx", "a.xlsx"], {"a.xlsx": "a (3).xlsx"}),  # never onto another input's copy
    (["summary.xlsx", "县/summary.xlsx"], {"summary.xlsx": "summary (2).xlsx"}),  # the summary's own name
    (["县/a.XLS", "縣/a.xls", "县/A.xlsx"], {"县/a.XLS": "县/a (2).xlsx"}),
    (["Dept/a.xlsx", "dept/a.xlsx"], {"dept/a.xlsx": "dept/a (2).xlsx"}),  # folders merge on Windows too
    (["m.xlsm", "m.xls"], {}),  # .xlsm and .xlsx are two names
])
def test_output_names_keep_every_copy(files, renamed):
    assert batch_mod.output_names([Path(f) for f in files]) == renamed


def _head(path: Path) -> list:
    """The values of the first sheet's first 8 rows (.xls read through the loader)."""
    from selfeval_xlsx.loading import load

    rows = load(path).sheets[0].rows[:8]
    return [[(row[c] if c < len(row) else None) or None for c in range(8)] for row in rows]


def test_same_named_copies_do_not_overwrite_each_other(tmp_path, capsys):
    src, out = tmp_path / "in", tmp_path / "out"
    inputs = {"a.xls": sample("08", ".xls"), "a.xlsx": SAMPLES[1], "A.xlsx": SAMPLES[0], "summary.xlsx": SAMPLES[2]}
    for name, path in inputs.items():
        _touch(src / name, path.read_bytes())
    seen = []
    stats = batch_folder(src, out, jobs=1, on_result=seen.append)
    outputs = {Path(r["file"]).name: Path(r["output"]).name for r in seen}
    assert outputs == {"A.xlsx": "A.xlsx", "a.xls": "a (2).xlsx", "a.xlsx": "a (3).xlsx",
                       "summary.xlsx": "summary (2).xlsx"}
    assert sorted(p.name for p in out.iterdir()) == sorted([*outputs.values(), "summary.xlsx"])
    for name, output in outputs.items():  # each copy is its own input's
        assert _head(out / output) == _head(src / name), name
    assert stats.renamed == [("a.xls", "a (2).xlsx"), ("a.xlsx", "a (3).xlsx"), ("summary.xlsx", "summary (2).xlsx")]
    assert "汇总" in openpyxl.load_workbook(out / "summary.xlsx", read_only=True).sheetnames
    assert main(["batch", str(src), "-o", str(tmp_path / "o2"), "--jobs", "1"]) in (0, 1)
    printed = capsys.readouterr().out
    assert "重名：a.xls 的校正副本另存为 a (2).xlsx" in printed
