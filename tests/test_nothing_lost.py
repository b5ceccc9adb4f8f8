"""Nothing a careless user does loses data: ``--in-place`` twice, private
files, read-only folders, long Chinese file names, two batches writing into
one folder at once.  Every workbook is a copy of a sample made in the test."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx import batch as batch_mod
from selfeval_xlsx.atomic import pid_alive, replacing, temp_owner
from selfeval_xlsx.cli import main
from selfeval_xlsx.fill import backup_path, default_output, fill_path

from conftest import ROOT, one_line_error, sample, selfeval, without_dac_override

POSIX = os.name == "posix"


def copy_to(folder: Path, prefix: str = "04", name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    src = sample(prefix)
    dst = folder / (name or src.name)
    shutil.copyfile(src, dst)
    return dst






def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


# --------------------------------------------------------------------------
# --in-place: every backup kept, with the original's permissions


def test_in_place_twice_keeps_the_first_backup(tmp_path: Path) -> None:
    src = copy_to(tmp_path)
    original = src.read_bytes()
    first = fill_path(src, in_place=True)
    assert Path(first["backup"]) == tmp_path / f"{src.stem}.bak.xlsx"
    once = src.read_bytes()
    assert once != original
    second = fill_path(src, in_place=True)
    assert Path(second["backup"]) == tmp_path / f"{src.stem}.bak.1.xlsx"
    third = fill_path(src, in_place=True)
    assert Path(third["backup"]) == tmp_path / f"{src.stem}.bak.2.xlsx"
    assert (tmp_path / f"{src.stem}.bak.xlsx").read_bytes() == original  # the original survives any number of runs
    assert (tmp_path / f"{src.stem}.bak.1.xlsx").read_bytes() == once
    assert backup_path(src) == tmp_path / f"{src.stem}.bak.3.xlsx"
    for p in tmp_path.glob("*.xlsx"):
        openpyxl.load_workbook(p)
    assert hidden(tmp_path) == []


def test_cli_in_place_names_the_backup(tmp_path: Path) -> None:
    src = copy_to(tmp_path)
    (tmp_path / f"{src.stem}.bak.xlsx").write_bytes(b"an older backup")
    proc = selfeval("fill", src.name, "--in-place", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert f"原文件已备份为：{src.stem}.bak.1.xlsx" in proc.stdout
    assert (tmp_path / f"{src.stem}.bak.xlsx").read_bytes() == b"an older backup"
    assert (tmp_path / f"{src.stem}.bak.1.xlsx").read_bytes() == sample("04").read_bytes()


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_private_file_stays_private(tmp_path: Path) -> None:
    src = copy_to(tmp_path)
    src.chmod(0o600)
    old_umask = os.umask(0o022)
    try:
        fill_path(src, in_place=True)
        fill_path(src, in_place=True)
        checked = fill_path(src)  # a new NAME.checked.xlsx
    finally:
        os.umask(old_umask)
    for name in (src.name, f"{src.stem}.bak.xlsx", f"{src.stem}.bak.1.xlsx", Path(checked["output"]).name):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    # an ordinary file's copies are ordinary
    other = copy_to(tmp_path / "plain")
    other.chmod(0o644)
    os.umask(0o022)
    try:
        fill_path(other, in_place=True)
        out = Path(fill_path(other)["output"])
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(backup_path(other, 0).stat().st_mode) == 0o644
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


# --------------------------------------------------------------------------
# a folder that cannot be written: one line, exit 2


def test_in_place_permission_error_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    """Whatever the user (root writes anywhere), a refused write is one line."""
    src = copy_to(tmp_path)
    original = src.read_bytes()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".x.selfeval.tmp"))

    monkeypatch.setattr("selfeval_xlsx.atomic.create_temp", refuse)
    assert main(["fill", str(src), "--in-place"]) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert str(src) in lines[0] and "没有写入权限" in lines[0]
    assert src.read_bytes() == original
    assert main(["fill", str(src), "--lang", "en"]) == 2  # the default output too
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "permission denied" in err


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_in_place_in_read_only_folder(tmp_path: Path) -> None:
    prefix = without_dac_override()
    folder = tmp_path / "只读"
    src = copy_to(folder)
    folder.chmod(0o555)
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", PYTHONIOENCODING="utf-8")
    try:
        for args in (["--in-place"], []):
            proc = subprocess.run([*prefix, sys.executable, "-m", "selfeval_xlsx", "fill", src.name, *args],
                                  capture_output=True, text=True, encoding="utf-8", cwd=folder, env=env, timeout=120)
            line = one_line_error(proc)
            assert src.name in line and "没有写入权限" in line, line
        assert src.read_bytes() == sample("04").read_bytes()
        assert sorted(p.name for p in folder.iterdir()) == [src.name]
    finally:
        folder.chmod(0o755)


# --------------------------------------------------------------------------
# long names


LONG = "黔南布依族苗族自治州人民政府驻北京联络处二零二三年度部门整体支出绩效目标自评表及附件材料汇编第一册修订稿" * 2


def test_long_chinese_file_name(tmp_path: Path) -> None:
    """80 Chinese characters: 240 bytes, +".checked.xlsx" = 253 of the 255
    bytes a name may have.  The temporary name fill writes first is short."""
    name = LONG[:80] + ".xlsx"
    assert len(name.encode()) == 245
    src = copy_to(tmp_path / "in", name=name)
    result = fill_path(src)
    assert result["status"] != "unreadable", result["error"]
    out = Path(result["output"])
    assert out == default_output(src) and len(out.name.encode()) == 253
    openpyxl.load_workbook(out)
    result = fill_path(src, in_place=True)
    assert result["status"] != "unreadable", result["error"]
    assert Path(result["backup"]).read_bytes() == sample("04").read_bytes()
    assert hidden(tmp_path) == []
    # and in a batch
    out_dir = tmp_path / "out"
    proc = selfeval("batch", str(tmp_path / "in"), "-o", str(out_dir), "--format", "json")
    results = json.loads(proc.stdout)
    assert [r["status"] for r in results if r["file"].endswith(name)] == ["errors"], proc.stderr
    assert (out_dir / name).exists()


def test_temp_names_are_short_and_carry_the_pid(tmp_path: Path) -> None:
    target = tmp_path / ("长" * 80 + ".checked.xlsx")
    with replacing(target) as temp:
        assert len(temp.name.encode()) <= 40
        assert temp.name.startswith(".") and temp_owner(temp.name) == os.getpid()
        temp.write_bytes(b"x")
    assert target.read_bytes() == b"x"


# --------------------------------------------------------------------------
# two batches into one folder


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not pid_alive(proc.pid)
    return proc.pid


def test_sweep_removes_only_dead_runs_leftovers(tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getppid()
    out = tmp_path / "out"
    leftovers = [
        out / f".{dead}.k2j4abcd.selfeval.tmp",
        out / "a" / f".ok.xlsx.{dead}.k2j4.selfeval.tmp",  # an older version's name
        out / f".summary.tmp-{dead}-x1y2.xlsx",
    ]
    in_progress = [
        out / f".{alive}.k2j4abcd.selfeval.tmp",
        out / "a" / f".ok.xlsx.{os.getpid()}.k2j4.selfeval.tmp",
        out / f".summary.tmp-{alive}-x1y2.xlsx",
    ]
    for p in leftovers + in_progress:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    (out / f"{batch_mod.TMP_PREFIX}{dead}-abc").mkdir()
    (out / f"{batch_mod.TMP_PREFIX}{alive}-abc").mkdir()
    batch_mod.sweep_temp(out)
    assert not any(p.exists() for p in leftovers)
    assert all(p.exists() for p in in_progress)
    assert not (out / f"{batch_mod.TMP_PREFIX}{dead}-abc").exists()
    assert (out / f"{batch_mod.TMP_PREFIX}{alive}-abc").exists()


@pytest.mark.slow
def test_two_batches_into_one_folder(tmp_path: Path) -> None:
    """Two `selfeval batch` runs at once into the same output folder (and, in
    between, the start-and-end sweep a third run would do, over and over):
    each run keeps its temporary files to itself, so every good file comes
    out good and nothing is left behind."""
    prefixes = ["01", "02", "03", "04", "06", "09", "10"]
    counts = {"a": 20, "b": 4}
    for side, copies in counts.items():
        for i in range(copies):
            for prefix in prefixes:
                src = sample(prefix)
                copy_to(tmp_path / side / f"县{i:02d}", prefix, f"{side}{i:02d}_{src.name}")
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", PYTHONIOENCODING="utf-8")
    logs = {side: (open(tmp_path / f"{side}.json", "wb"), open(tmp_path / f"{side}.err", "wb")) for side in counts}
    procs = {side: subprocess.Popen([sys.executable, "-m", "selfeval_xlsx", "batch", str(tmp_path / side), "-o",
                                     str(out), "--format", "json", "--jobs", "2"],
                                    stdout=logs[side][0], stderr=logs[side][1], env=env)
             for side in counts}
    deadline = time.monotonic() + 600
    while procs["a"].poll() is None and time.monotonic() < deadline:  # another run starting or ending meanwhile
        batch_mod.sweep_temp(out)
    for side, proc in procs.items():
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        for log in logs[side]:
            log.close()
        stderr = (tmp_path / f"{side}.err").read_text(encoding="utf-8")
        assert proc.returncode == 1, stderr  # the samples have errors; none may be unreadable
        results = json.loads((tmp_path / f"{side}.json").read_text(encoding="utf-8"))
        assert len(results) == counts[side] * len(prefixes)
        assert [(r["file"], r["error"]) for r in results if r["status"] == "unreadable"] == []
        for r in results:
            rel = Path(r["file"]).relative_to(tmp_path / side)
            openpyxl.load_workbook(out / rel, read_only=True).close()
    assert hidden(out) == []


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_batch_into_read_only_folder(tmp_path: Path) -> None:
    prefix = without_dac_override()
    copy_to(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", PYTHONIOENCODING="utf-8")
    try:
        proc = subprocess.run([*prefix, sys.executable, "-m", "selfeval_xlsx", "batch", str(tmp_path / "in"), "-o",
                               str(out)], capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    finally:
        out.chmod(0o755)
    line = one_line_error(proc)
    assert str(out) in line and "没有写入权限" in line
    assert list(out.iterdir()) == []
