"""Nothing a file can do crashes, hangs or is refused wrongly (issue 12):
each case is a small workbook mutated here, read back and checked."""

from __future__ import annotations

import re
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from mutations import add_sheet, attachment_rows, replace_member
from selfeval_xlsx import loading, loading_native, loading_scan, loading_zip
from selfeval_xlsx.ooxml import package
from selfeval_xlsx.api import fill_file, validate_file
from selfeval_xlsx.reader import read_workbook

from conftest import ROOT, sample

SAMPLE = sample("01", ".xlsx")


def codes(result: dict) -> list[tuple[str, str]]:
    return sorted((f["code"], f["cell"]) for form in result["forms"] for f in form["findings"])


# --------------------------------------------------------------------------
# item 12: read only what can hold a form


@pytest.mark.slow
def test_big_attachment_sheet_is_never_read_nor_a_reason_to_refuse(tmp_path: Path) -> None:
    """A form plus a 300,000-row data sheet: the same findings as the form
    alone (the attachment is recognised from its first rows and skipped)."""
    alone = validate_file(SAMPLE)
    path = add_sheet(SAMPLE, tmp_path / "with_attachment.xlsx", "附件明细", attachment_rows(300_000))
    start = time.perf_counter()
    result = validate_file(path)
    assert time.perf_counter() - start < 5  # a hang guard; figures in benchmarks/bench_attachment.py
    assert result["status"] == alone["status"] == "errors"
    assert codes(result) == codes(alone) and len(codes(result)) > 5
    assert result["forms"][0]["total"] == alone["forms"][0]["total"]


def test_big_sheet_holding_a_form_is_still_read(tmp_path: Path) -> None:
    """A sheet part over the peek threshold whose first rows are a form
    header (inline strings and shared strings alike) is read in full."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["部门整体支出绩效自评表"])
    ws.append(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"])
    ws.append(["产出指标", "数量", "培训人次", "≥5次", "6次", 50, 50])
    ws.append(["总分", None, None, None, None, 100, 50])
    for r in range(6, 6000):  # notes below the form push the part over the threshold
        ws.cell(r, 9, f"说明{r}")
    path = tmp_path / "bigform.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size > loading_zip.SMALL_SHEET
    book = read_workbook(path)
    assert book.forms[0].total.value == 50 and book.forms[0].indicators[0].score.ref == "G3"


def test_first_rows_decide_with_shared_strings() -> None:
    """The peek finds header words through the shared-string table."""
    sst = ('<sst><si><t>序号</t></si><si><t>三级指标</t></si><si><r><t>得</t></r><r><t>分</t></r></si>'
           '<si><t>分值</t></si><si><t>金额</t></si></sst>').encode()
    strings = loading_scan.KeywordStrings({"xl/sharedStrings.xml": sst})
    header = b'<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>3</v></c></row>'
    data = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>4</v></c></row>'
    assert loading_scan.may_hold_form(b"<sheetData>" + header, strings)
    assert not loading_scan.may_hold_form(b"<sheetData>" + data * 50, strings)
    # a level word and a value word on different rows is not a header row
    other = b'<row r="2"><c r="A2" t="s"><v>3</v></c></row>'
    assert not loading_scan.may_hold_form(b"<sheetData>" + data.replace(b"<v>0</v>", b"<v>1</v>") + other, strings)


# --------------------------------------------------------------------------
# item 2: linear time on long cell text


def _with(tmp_path: Path, name: str, cells: dict[str, object]) -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb.active
    for ref, value in cells.items():
        ws[ref] = value
    path = tmp_path / name
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("case", "cells"),
    [
        ("digits_in_level1", {"B14": "产出指标" + "1" * 32_000}),  # was 16 s (the declared-points regex)
        ("digits_and_points", {"B14": "产出指标(" + "1" * 32_000 + "分)"}),
        ("nested_brackets", {"B14": "(" * 16_000 + "产出指标" + ")" * 16_000}),  # was 2.4 s (bracket loop)
        ("spaces_in_header_area", {"A4": " " * 32_000 + "x"}),  # was minutes (label:value regex)
        ("spaces_before_colon", {"A4": " " * 32_000 + "：x"}),
        ("digits_everywhere", {"E18": "9" * 32_000, "F18": "≥" + "9" * 32_000 + "%", "G18": "1" * 32_000}),
        ("digits_in_numbers", {"H18": "9" * 32_000, "E7": "9" * 32_000, "I7": "9" * 32_000, "H32": "9" * 32_000}),
        ("digits_in_executed", {"F7": "1" * 32_000}),
        ("digits_in_block_labels", {"A13": "绩效指标" + "1" * 32_000, "A6": "部门(单位)总体资金" + "1" * 32_000}),  # fill showed the new rate with a 28-digit quantize
    ],
)
def test_long_cell_text_is_checked_in_linear_time(tmp_path: Path, case: str, cells: dict[str, object]) -> None:
    path = _with(tmp_path, f"{case}.xlsx", cells)
    start = time.perf_counter()
    result = validate_file(path)
    filled = fill_file(path, tmp_path / f"{case}.checked.xlsx")
    assert time.perf_counter() - start < 5  # a hang guard (each took well under a second when written)
    assert result["status"] in ("ok", "errors") and filled["status"] in ("ok", "errors")
    assert result["forms"] and result["forms"][0]["indicator_count"] > 10


def test_cell_text_longer_than_excel_allows_is_refused_in_one_line(tmp_path: Path) -> None:
    src = _with(tmp_path, "src.xlsx", {})
    part = "xl/worksheets/sheet1.xml"
    path = replace_member(src, tmp_path / "long.xlsx", part, lambda d: d.replace(
        b"</sheetData>", b'<row r="40"><c r="C40" t="inlineStr"><is><t>' + b"x" * 200_000 + b"</t></is></c></row></sheetData>"))
    start = time.perf_counter()
    result = validate_file(path)
    assert time.perf_counter() - start < 5
    assert result["status"] == "unreadable"
    assert "C40" in result["error"] and "32767" in result["error"] and "\n" not in result["error"]


def test_declared_points_still_read() -> None:
    from selfeval_xlsx.checks import DECLARED

    assert DECLARED.search("产出指标(50分)").group(1) == "50"
    assert DECLARED.search("效益指标（30.5 分）").group(1) == "30.5"
    assert DECLARED.search("产出指标" + "1" * 20) is None


def test_norm_drops_brackets_as_before() -> None:
    from selfeval_xlsx.reader import norm

    assert norm("年度指标值(A)") == "年度指标值"
    assert norm("产出指标（50分）") == "产出指标"
    assert norm("总 分") == "总分"
    assert norm("得分((a)b)") == "得分"
    assert norm("[a(b]c)") == "c)"  # a closer without its opener stays, as the regex left it
    assert norm("单位(盖章)：") == "单位"
    assert norm("(" * 20_000 + "x") == "(" * 20_000 + "x"


# --------------------------------------------------------------------------
# item 3: a file name that is not Unicode


def _cli(*args: str, env: dict | None = None, cwd: Path = ROOT):
    import os
    import subprocess

    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "selfeval_xlsx", *args], capture_output=True, cwd=cwd, env=full,
                          timeout=300)


def _summary_files(path: Path) -> list[str]:
    """The 文件 column of the summary's first sheet."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = [row for row in ws.iter_rows(values_only=True) if any(v is not None for v in row)]
    header = next(i for i, row in enumerate(rows) if "文件" in row)
    col = rows[header].index("文件")
    return [row[col] for row in rows[header + 1 :] if row[col]]


@pytest.fixture
def gbk_folder(tmp_path: Path) -> Path:
    import os
    import shutil

    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode("测试".encode("gbk") + b".xlsx")  # GBK bytes, as unzipped from a Windows archive
    try:
        shutil.copy(SAMPLE, folder / name)
    except (UnicodeEncodeError, OSError):  # pragma: no cover - a file system that wants Unicode names
        pytest.skip("this file system does not take non-UTF-8 names")
    shutil.copy(SAMPLE, folder / "ok.xlsx")
    return folder


def test_batch_with_a_gbk_file_name_writes_its_summary(gbk_folder: Path, tmp_path: Path) -> None:
    """The summary writer crashed on the name: no summary.xlsx at all."""
    run = _cli("batch", str(gbk_folder), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert run.returncode == 1, run.stderr.decode("utf-8", "replace")[-800:]
    assert b"Traceback" not in run.stderr
    assert sorted(_summary_files(tmp_path / "out" / "summary.xlsx")) == ["ok.xlsx", "测试.xlsx"]  # decoded, as sent


def test_gbk_file_name_on_a_strict_utf8_stdout(gbk_folder: Path) -> None:
    import os

    path = gbk_folder / os.fsdecode("测试".encode("gbk") + b".xlsx")
    run = _cli("validate", str(path), env={"PYTHONIOENCODING": "utf-8:strict"})
    assert run.returncode == 1 and b"Traceback" not in run.stderr
    assert "测试.xlsx" in run.stdout.decode()


# --------------------------------------------------------------------------
# item 4: one line and exit 2 (or findings), never a traceback


def _sheet_change(tmp_path: Path, name: str, change) -> Path:
    src = _with(tmp_path, "src.xlsx", {})
    return replace_member(src, tmp_path / name, "xl/worksheets/sheet1.xml", change)


@pytest.mark.parametrize("depth", [350, 5000])
def test_deeply_nested_formula(tmp_path: Path, depth: int) -> None:
    formula = b"(" * depth + b"1" + b")" * depth
    path = _sheet_change(tmp_path, f"deep{depth}.xlsx", lambda d: re.sub(
        rb'<c r="H32" s="(\d+)" t="n"><v>97.752</v></c>', rb'<c r="H32" s="\1"><f>' + formula + rb"</f><v>97.752</v></c>", d))
    with zipfile.ZipFile(path) as z:
        assert formula in z.read("xl/worksheets/sheet1.xml")
    result = validate_file(path)
    assert result["status"] == "errors"
    assert ("T101", "H32") in codes(result)  # the stated 97.752 is still checked
    run = _cli("validate", str(path))
    assert run.returncode == 1 and b"Traceback" not in run.stderr


@pytest.mark.parametrize("number", [b"1e309", b"-1e309", b"inf", b"nan", b"9" * 400])
def test_number_no_cell_can_hold_is_a_finding_not_a_crash(tmp_path: Path, number: bytes) -> None:
    """1e309 in the 总分 and in a score: read as 'not a number' for those
    cells, the rest of the form checked as usual."""
    def change(d: bytes) -> bytes:
        d = re.sub(rb'(<c r="H32" s="\d+" t="n"><v>)97.752(</v></c>)', rb"\g<1>" + number + rb"\g<2>", d)
        return re.sub(rb'(<c r="H19" s="\d+" t="n"><v>)5(</v></c>)', rb"\g<1>" + number + rb"\g<2>", d)
    path = _sheet_change(tmp_path, "huge.xlsx", change)
    with zipfile.ZipFile(path) as z:
        assert z.read("xl/worksheets/sheet1.xml").count(number) >= 2
    result = validate_file(path)
    assert result["status"] == "errors"
    found = {code for code, cell in codes(result) if cell in ("H32", "H19")}
    assert found & {"T101", "S104", "S103", "S102"}, codes(result)
    filled = fill_file(path, tmp_path / "huge.checked.xlsx")
    assert filled["status"] == "errors"
    ws = openpyxl.load_workbook(tmp_path / "huge.checked.xlsx").worksheets[0]
    assert isinstance(ws["H32"].value, (int, float)) and ws["H32"].value == pytest.approx(94.75)
    run = _cli("validate", str(path))
    assert run.returncode == 1 and b"Traceback" not in run.stderr
    run = _cli("validate", "--format", "json", str(path))
    import json

    def no_constants(name: str):
        raise AssertionError(f"{name} is not JSON")

    parsed = json.loads(run.stdout, parse_constant=no_constants)  # strict JSON: no Infinity / NaN
    assert parsed[0]["status"] == "errors"


@pytest.mark.parametrize("encoding", [b"x-klingon", b"gbk"])
def test_unknown_xml_encoding_is_one_line(tmp_path: Path, encoding: bytes) -> None:
    src = _with(tmp_path, "src.xlsx", {})
    path = replace_member(src, tmp_path / "enc.xlsx", "xl/workbook.xml",
                          lambda d: b'<?xml version="1.0" encoding="' + encoding + b'"?>' + re.sub(rb"^<\?xml[^>]*\?>", b"", d))
    result = fill_file(path, tmp_path / "enc.checked.xlsx")
    assert result["status"] == "unreadable" and "\n" not in result["error"] and "workbook.xml" in result["error"]
    run = _cli("fill", str(path), "-o", str(tmp_path / "enc2.xlsx"))
    assert run.returncode == 2 and b"Traceback" not in run.stderr
    assert len(run.stderr.decode().strip().splitlines()) == 1


XLS = sample("08", ".xls")


def _xls_records(mem: bytes):
    from selfeval_xlsx.biff import Compound

    stream, base, size = Compound(mem).locate("Workbook")
    return stream, base, size


def _damage_xls(tmp_path: Path, rtype: int, patch) -> Path:
    """The sample .xls with the first record of type ``rtype`` patched in place."""
    mem = bytearray(XLS.read_bytes())
    stream, base, size = _xls_records(bytes(mem))
    pos = base
    while pos + 4 <= base + size:
        t = stream[pos] | (stream[pos + 1] << 8)
        n = stream[pos + 2] | (stream[pos + 3] << 8)
        if t == rtype:
            body = bytearray(stream[pos + 4 : pos + 4 + n])
            patch(body)
            at = mem.find(stream[pos : pos + 4 + n])  # the record's bytes in the file (one sector run)
            assert at >= 0
            mem[at + 4 : at + 4 + n] = body
            break
        pos += 4 + n
    else:
        raise AssertionError("record not found")
    out = tmp_path / "damaged.xls"
    out.write_bytes(bytes(mem))
    return out


def test_damaged_xls_dimensions_is_one_line_not_an_abort(tmp_path: Path) -> None:
    """A DIMENSIONS record claiming 4 billion rows made calamine ask for
    84 GB and abort the process."""
    import struct

    path = _damage_xls(tmp_path, 0x0200, lambda b: b.__setitem__(slice(0, 4), struct.pack("<I", 0xF2000000)))
    run = _cli("validate", str(path))
    assert run.returncode == 2, run.stderr[-500:]
    assert b"Traceback" not in run.stderr and b"memory allocation" not in run.stderr
    assert "损坏" in run.stderr.decode()


def test_damaged_xls_cell_column_is_one_line(tmp_path: Path) -> None:
    path = _damage_xls(tmp_path, 0x00FD, lambda b: b.__setitem__(slice(2, 4), b"\xff\xfe"))  # LABELSST column
    for command in (("validate", str(path)), ("fill", str(path), "-o", str(tmp_path / "o.xlsx"))):
        run = _cli(*command)
        assert run.returncode == 2 and b"Traceback" not in run.stderr, run.stderr[-500:]
        assert len(run.stderr.decode().strip().splitlines()) == 1


def test_xls_converter_tripping_on_a_damaged_record_is_one_line(tmp_path: Path, monkeypatch) -> None:
    from selfeval_xlsx import xls
    from selfeval_xlsx.errors import SelfevalError

    def broken(self):
        return [][1]  # what a record pointing nowhere does inside the converter

    monkeypatch.setattr(xls._Converter, "convert", broken)
    with pytest.raises(SelfevalError) as info:
        xls.xls_to_xlsx(XLS, tmp_path / "o.xlsx")
    assert "损坏" in info.value.zh and "IndexError" in info.value.zh
    assert not (tmp_path / "o.xlsx").exists()


# --------------------------------------------------------------------------
# item 13


def test_xls_batch_reruns_are_byte_identical(tmp_path: Path) -> None:
    import shutil

    from selfeval_xlsx.batch import batch_folder

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(XLS, folder / XLS.name)
    outs = []
    for i in range(2):
        if i:
            time.sleep(1.1)  # the zip and core.xml times have a resolution of seconds
        out = tmp_path / f"out{i}"
        batch_folder(folder, out, jobs=1)
        outs.append(out)
    converted = XLS.with_suffix(".xlsx").name
    for name in (converted, "summary.xlsx"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_batch_lists_what_it_cannot_read(tmp_path: Path, monkeypatch) -> None:
    import os
    import shutil

    from selfeval_xlsx import batch

    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(SAMPLE, folder / "ok.xlsx")
    shutil.copy(SAMPLE, folder / "locked" / "inside.xlsx")
    os.mkfifo(folder / "pipe.xlsx")
    os.symlink("loop.xlsx", folder / "loop.xlsx")
    os.symlink(folder, folder / "back")  # a link to a folder: not followed, not an error
    real_scandir = os.scandir

    def scandir(path):  # root reads a chmod-000 folder: refuse it here instead
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(batch.os, "scandir", scandir)
    seen = []
    stats = batch.batch_folder(folder, tmp_path / "out", jobs=1, fill=False, on_result=seen.append)
    errors = sorted(r["error"] for r in seen if r["status"] == "unreadable")
    assert stats.unreadable == 3 and stats.exit_code == 2
    assert [e.split(": ", 1)[0].rsplit("/", 1)[-1] for e in errors] == ["locked", "loop.xlsx", "pipe.xlsx"]
    assert "命名管道" in errors[2] and "无法打开文件夹" in errors[0]
    listed = set(_summary_files(tmp_path / "out" / "summary.xlsx"))
    assert {"ok.xlsx", "locked", "loop.xlsx", "pipe.xlsx"} <= listed


@pytest.mark.parametrize(("command", "output", "exit_code"), [("batch", "out", 1), ("export", "out.csv", 0)])
def test_pool_commands_leave_no_process_behind(tmp_path: Path, command: str, output: str, exit_code: int) -> None:
    import os
    import subprocess

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"f{i}.xlsx").write_bytes(SAMPLE.read_bytes())
    proc = subprocess.Popen([sys.executable, "-m", "selfeval_xlsx", command, str(folder), "-o", str(tmp_path / output),
                             "--jobs", "2"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    assert proc.wait(timeout=300) == exit_code
    ps = subprocess.run(["ps", "-eo", "pid=,pgid="], capture_output=True, text=True).stdout.split("\n")
    left = [line for line in ps if line.split() and line.split()[1] == str(proc.pid)]
    assert left == []


def test_messages_show_values_as_the_form_does(tmp_path: Path) -> None:
    """A stated total of 98.64999999999999 (float noise from a SUM) is shown
    as Excel shows it."""
    path = _with(tmp_path, "noise.xlsx", {"H32": 98.64999999999999})
    run = _cli("validate", str(path))
    out = run.stdout.decode()
    assert "98.65" in out and "98.6499" not in out


@pytest.mark.parametrize("formula", [b"1e309-1e309", b"-1e309*0", b"1e309/1e309", b"1e308*10", b"1e309"])
@pytest.mark.parametrize("cached", [True, False])
def test_formula_beyond_excel_numbers_is_num_error(tmp_path: Path, formula: bytes, cached: bool) -> None:
    """A 总分 formula giving infinity or NaN (a decimal InvalidOperation
    traceback when compared) is #NUM!, as in Excel: the stated value is
    checked, the formula reported like any other that does not compute."""
    value = b"<v>97.752</v>" if cached else b""
    path = _sheet_change(tmp_path, "nan.xlsx", lambda d: re.sub(
        rb'<c r="H32" s="(\d+)" t="n"><v>97.752</v></c>', rb'<c r="H32" s="\1"><f>' + formula + b"</f>" + value + b"</c>", d))
    with zipfile.ZipFile(path) as z:
        assert b"<f>" + formula + b"</f>" in z.read("xl/worksheets/sheet1.xml")
    result = validate_file(path)
    assert result["status"] == "errors"
    assert {c for c, cell in codes(result) if cell == "H32"} & {"T101", "T102", "E101"}
    filled = fill_file(path, tmp_path / "nan.checked.xlsx")
    assert filled["status"] == "errors"
    openpyxl.load_workbook(tmp_path / "nan.checked.xlsx")


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="isolation needs fork (POSIX)")
def test_native_reader_aborting_on_an_xls_takes_down_only_its_child(tmp_path: Path, monkeypatch) -> None:
    """With the bounds check switched off, the damaged DIMENSIONS record
    makes calamine ask for 84 GB and abort: the abort ends the forked child,
    the caller gets one line."""
    import struct

    path = _damage_xls(tmp_path, 0x0200, lambda b: b.__setitem__(slice(0, 4), struct.pack("<I", 0xF2000000)))
    monkeypatch.setattr(loading, "_check_biff_bounds", lambda *args: None)
    result = validate_file(path)
    assert result["status"] == "unreadable" and "异常终止" in result["error"]
    assert validate_file(XLS)["status"] in ("ok", "errors")  # and the next file reads as before


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="isolation needs fork (POSIX)")
def test_native_reader_hanging_is_cut_off(tmp_path: Path, monkeypatch) -> None:
    def hang(*args, **kwargs):
        time.sleep(60)

    monkeypatch.setattr(loading_native, "read", hang)
    monkeypatch.setattr(loading_native, "ISOLATE_SECONDS", 1)
    start = time.perf_counter()
    result = validate_file(XLS)
    assert time.perf_counter() - start < 10
    assert result["status"] == "unreadable" and "超时" in result["error"]


def test_highly_compressible_attachment_is_not_taken_for_a_bomb(tmp_path: Path) -> None:
    """A sheet of a million formatted empty rows can compress over 100×: it is
    never inflated in full (no form near its top), so its ratio is no reason
    to refuse the workbook."""
    rows = '<row s="1" customFormat="1" ht="15" customHeight="1"/>' * 1_000_000  # (rows need no numbers)
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>').encode()
    path = add_sheet(SAMPLE, tmp_path / "formatted.xlsx", "格式", sheet)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet2.xml")
        assert info.file_size > 100 * info.compress_size and info.file_size > package.BIG_MEMBER
    assert codes(validate_file(path)) == codes(validate_file(SAMPLE))


@pytest.mark.parametrize("ref", ["A1048576", "XFD5", "XFD1048576"])
def test_stray_value_far_from_the_form_is_not_a_reason_to_refuse(tmp_path: Path, ref: str) -> None:
    """A value typed far away (Ctrl+↓ and a keystroke) would make the grid
    billions of cells: the form is read without it, and fill keeps it."""
    path = _with(tmp_path, "stray.xlsx", {ref: "x"})
    assert codes(validate_file(path)) == codes(validate_file(SAMPLE))
    filled = fill_file(path, tmp_path / "stray.checked.xlsx")
    assert filled["status"] == "errors"
    ws = openpyxl.load_workbook(tmp_path / "stray.checked.xlsx", read_only=False).worksheets[0]
    assert ws[ref].value == "x"
