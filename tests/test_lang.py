"""``--lang en`` as a user runs it (a real process): every line the program
prints is English, whatever is not quoted from the user's own workbook; and a
console that cannot show Chinese gets escaped text, never a traceback.

The workbooks are copied to ASCII names, so the only Chinese left in English
output can be what the form itself says (sheet name, unit, labels and values
of its cells) and the grade words a conclusion cell takes (优秀/良好/中/差).
``leftover_cjk`` removes exactly those and reports anything else; each test
also shows that the same check finds plenty in the Chinese output, so it can
fail.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, sample

TYPICAL = sample("04", ".xlsx")  # 18 findings, corrections to write
CLEAN = sample("02", ".xlsx")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
GRADES = ("优秀", "良好", "中", "差")


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The CLI in a process; stdout/stderr as bytes (to see exactly what was written)."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full.pop("PYTHONUTF8", None)
    return subprocess.run([sys.executable, "-m", "selfeval_xlsx", *map(str, args)], capture_output=True,
                          cwd=cwd, env=full, timeout=180)


def text(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode("utf-8") + proc.stderr.decode("utf-8")


def workbook_strings(*paths: Path) -> list[str]:
    """Every text a workbook holds (sheet names, cell texts, and the forms
    checks quote them in: stripped, without a "(50分)" suffix or a colon)."""
    found: set[str] = set(GRADES)
    for path in paths:
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in wb.worksheets:
            found.add(ws.title)
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str) and value.strip():
                        value = value.strip()
                        found.update({value, value.rstrip(":："), re.sub(r"[（(].*", "", value).strip()})
        wb.close()
    return sorted((s for s in found if s), key=len, reverse=True)


def leftover_cjk(output: str, quoted: list[str]) -> list[str]:
    """The Chinese in ``output`` that is not quoted from the workbooks."""
    left = []
    for line in output.splitlines():
        for piece in quoted:
            line = line.replace(piece, "")
        left += CJK.findall(line)
    return left


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("lang")
    (base / "in").mkdir()
    (base / "typical.xlsx").write_bytes(TYPICAL.read_bytes())
    (base / "in" / "typical.xlsx").write_bytes(TYPICAL.read_bytes())
    (base / "in" / "clean.xlsx").write_bytes(CLEAN.read_bytes())
    (base / "in" / "broken.xlsx").write_text("not a workbook", "utf-8")
    return base


def counts(path: Path) -> tuple[int, int]:
    """(errors, warnings) of a workbook, from the JSON."""
    data = json.loads(run("validate", "--format", "json", path).stdout)
    findings = [f for r in data for form in r["forms"] for f in form["findings"]]
    errors = sum(1 for f in findings if f["severity"] == "error")
    return errors, len(findings) - errors


@pytest.fixture(scope="module")
def quoted() -> list[str]:
    return workbook_strings(TYPICAL, CLEAN)


# -- help and usage errors ------------------------------------------------------

HELP_LINES = [
    ["--lang", "en", "--help"],
    ["--help", "--lang", "en"],
    ["validate", "--lang", "en", "--help"],
    ["--lang", "en", "validate", "--help"],
    ["--lang=en", "template", "--help"],
    ["fill", "--help", "--lang", "en"],
    ["batch", "--lang", "en", "--help"],
    ["serve", "--lang", "en", "--help"],
]


@pytest.mark.parametrize("argv", HELP_LINES, ids=" ".join)
def test_help_in_english(argv):
    proc = run(*argv)
    assert proc.returncode == 0 and proc.stderr == b""
    out = text(proc)
    assert "usage: selfeval" in out and "show this help message and exit" in out
    assert CJK.findall(out) == []
    chinese = run(*[a for a in argv if a not in ("--lang", "en", "--lang=en")])
    assert CJK.findall(text(chinese))  # without --lang en the same help is Chinese


@pytest.mark.parametrize("argv, named", [
    (["--lang", "en", "validate"], "the following arguments are required: PATH"),
    (["batch", "in", "-o", "out", "--jobs", "many", "--lang", "en"], "--jobs: expected a whole number"),
    (["--lang", "en", "template", "--year", "20"], "--year: must be between 1990 and 2100"),
    (["--lang", "en", "serve", "--port", "99999"], "--port: must be between 1 and 65535"),
    (["--lang", "en", "fill"], "the following arguments are required: PATH"),
    (["--lang", "en", "validate", "--format", "xml", "x.xlsx"], "--format: invalid choice: 'xml'"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_usage_errors_in_english(argv, named):
    proc = run(*argv)
    assert proc.returncode == 2
    err = proc.stderr.decode("utf-8")
    assert named in err and "Traceback" not in err
    assert CJK.findall(err) == []


def test_an_unknown_language_is_refused():
    proc = run("validate", "x.xlsx", "--lang", "fr")
    assert proc.returncode == 2
    assert "--lang: invalid choice: 'fr'" in proc.stderr.decode("utf-8")


# -- the commands -------------------------------------------------------------------


def test_validate_in_english(folder, quoted):
    proc = run("--lang", "en", "validate", "typical.xlsx", "broken.xlsx", cwd=folder / "in")
    assert proc.returncode == 2  # an unreadable file among them
    out = text(proc)
    assert "typical.xlsx:附件3-1!H7: F101 error Execution rate 96.5% should be 95%" in out
    assert "broken.xlsx: not an Excel file" in out
    errors, warnings = counts(TYPICAL)
    assert errors > 3 and warnings > 3
    assert f"{errors} errors, {warnings} warnings" in out
    assert leftover_cjk(out, quoted) == []
    chinese = run("validate", "typical.xlsx", "broken.xlsx", cwd=folder / "in")
    assert len(leftover_cjk(text(chinese), quoted)) > 20


def test_fill_in_english(folder, quoted):
    proc = run("fill", "typical.xlsx", "--lang", "en", cwd=folder)
    assert proc.returncode == 1  # errors remain for a person
    out = text(proc)
    assert "typical.xlsx:附件3-1!H21: (empty) → 5" in out
    assert "written: " in out and "typical.checked.xlsx" in out
    assert leftover_cjk(out, quoted) == []
    chinese = run("fill", "typical.xlsx", "-o", "again.xlsx", cwd=folder)
    assert len(leftover_cjk(text(chinese), quoted)) > 20


@pytest.mark.slow  # a process pool
def test_batch_in_english_with_english_summary(folder, quoted):
    proc = run("batch", "in", "-o", "out_en", "--jobs", "1", "--lang", "en", cwd=folder)
    assert proc.returncode == 2
    out = text(proc)
    assert "unreadable: in/broken.xlsx: not an Excel file" in out
    errors, warnings = (a + b for a, b in zip(counts(TYPICAL), counts(CLEAN)))
    assert re.search(rf"^3 files, 2 forms: {errors} errors, {warnings} warnings, 1 unreadable files; [\d.]+ s\.$",
                     out, re.MULTILINE)
    assert leftover_cjk(out, quoted) == []
    wb = openpyxl.load_workbook(folder / "out_en" / "summary.xlsx", read_only=True)
    assert wb.sheetnames == ["Forms", "By folder", "Findings", "Statistics"]
    for ws in wb.worksheets[:3]:
        headers = next(ws.iter_rows(max_row=1, values_only=True))
        assert headers[0] == "Folder"
        assert [h for h in headers if h and CJK.search(h)] == []
    assert next(wb["Findings"].iter_rows(max_row=1, values_only=True))[:4] == ("Folder", "File", "Sheet", "Cell")
    wb.close()
    wb = openpyxl.load_workbook(folder / "out_en" / "summary.xlsx")  # page headers need the full reader
    for ws in wb.worksheets:  # the printed title and page numbers too
        assert ws.oddHeader.left.text == f"Self-evaluation batch summary ({ws.title})"
        assert ws.oddHeader.right.text.startswith("folder: in  ") and not CJK.search(ws.oddHeader.right.text)
        assert ws.oddFooter.center.text == "Page &P of &N"
    labels = [row[0] for row in wb["Statistics"].iter_rows(min_row=3, max_col=1, values_only=True) if row[0]]
    assert labels[:3] == ["Overall", "Files", "Forms"] and "Distribution of computed totals" in labels
    wb.close()
    chinese = run("batch", "in", "-o", "out_zh", "--jobs", "1", cwd=folder)
    assert leftover_cjk(text(chinese), quoted)
    assert openpyxl.load_workbook(folder / "out_zh" / "summary.xlsx", read_only=True).sheetnames[0] == "汇总"


def test_template_in_english(tmp_path):
    proc = run("template", "--lang", "en", "-o", "blank.xlsx", cwd=tmp_path)
    assert proc.returncode == 0
    assert text(proc).startswith("Template written: ") and CJK.findall(text(proc)) == []


# -- a console that cannot show Chinese --------------------------------------------

ASCII_RUNS = [
    ["validate", "typical.xlsx"],
    ["validate", "--format", "json", "typical.xlsx", "broken.xlsx"],
    pytest.param(["batch", "in", "-o", "out_json", "--jobs", "1", "--format", "json"], marks=pytest.mark.slow),
    ["validate", "broken.xlsx"],
    ["fill", "typical.xlsx", "-o", "ascii_copy.xlsx"],
    pytest.param(["batch", "in", "-o", "out_ascii", "--jobs", "1"], marks=pytest.mark.slow),
    ["--help"],
    ["validate"],
    ["template", "--year", "20"],
    ["batch", "nowhere", "-o", "out_nowhere"],
]


@pytest.mark.parametrize("argv", ASCII_RUNS, ids=lambda argv: " ".join(argv))
@pytest.mark.parametrize("encoding", ["ascii", "latin-1:strict"])
def test_a_console_without_chinese_gets_escapes_not_a_traceback(folder, argv, encoding):
    utf8 = run(*argv, cwd=folder, env={"PYTHONIOENCODING": "utf-8"})
    narrow = run(*argv, cwd=folder, env={"PYTHONIOENCODING": encoding, "LANG": "C", "LC_ALL": "C"})
    assert narrow.returncode == utf8.returncode
    codec = encoding.split(":")[0]
    err = narrow.stderr.decode(codec)
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    # the same text, with what the console cannot show written as \uXXXX escapes
    for got, full in ((narrow.stdout, utf8.stdout), (narrow.stderr, utf8.stderr))[1 if "json" in argv else 0:]:
        expected = full.decode("utf-8").encode(codec, "backslashreplace").decode(codec)
        timing = re.compile(r"\d+\.\d (s\.|\\u79d2)")  # batch's elapsed time differs between runs
        assert timing.sub("", got.decode(codec)) == timing.sub("", expected)
    if CJK.search(text(utf8)):
        assert b"\\u" in narrow.stdout + narrow.stderr
    if "json" in argv:
        narrow.stdout.decode("ascii")  # JSON escapes what the console cannot show, and stays JSON
        assert json.loads(narrow.stdout) == json.loads(utf8.stdout)


# -- serve ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lan_addresses_are_this_machines_ipv4_addresses():
    from selfeval_xlsx.commands.serve import lan_addresses

    found = lan_addresses()
    for address in found:
        ip = ipaddress.ip_address(address)
        assert ip.version == 4 and not ip.is_loopback and not ip.is_unspecified
        with socket.socket() as s:  # an address of this machine: it can be bound (nothing is sent)
            s.bind((address, 0))
    assert len(found) == len(set(found))
    ip = shutil.which("ip")
    if sys.platform.startswith("linux") and ip:  # every interface's address, as `ip` lists them
        listed = subprocess.run([ip, "-4", "-o", "addr", "show"], capture_output=True, text=True, check=True).stdout
        expected = {m for m in re.findall(r"inet (\d+\.\d+\.\d+\.\d+)/", listed)
                    if not ipaddress.ip_address(m).is_loopback and not ipaddress.ip_address(m).is_link_local}
        assert set(found) == expected


def serve_output(*args: str) -> str:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "selfeval_xlsx", "serve", "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 20
        while True:  # only ever ask the loopback address
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/info", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        time.sleep(0.5)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert b"Traceback" not in err
    return out.decode("utf-8").replace("{port}", "").replace(str(port), "{port}")


def test_serve_start_up_in_english():
    out = serve_output("--lang", "en")
    assert "The self-evaluation checking page is running: http://127.0.0.1:{port}/" in out
    assert "Warning" not in out  # this computer only
    assert CJK.findall(out) == []


def test_serve_on_all_interfaces_lists_the_network_addresses_and_warns():
    from selfeval_xlsx.commands.serve import lan_addresses

    out = serve_output("--host", "0.0.0.0", "--lang", "en")
    assert "anyone on the network can open this page and upload files" in out
    for address in lan_addresses():
        assert f"Other computers on the network can open: http://{address}:{{port}}/" in out
    assert CJK.findall(out) == []
    chinese = serve_output("--host", "0.0.0.0")
    assert "局域网内任何人都能打开此页面并上传文件" in chinese


@pytest.mark.parametrize("command", [["validate", "x.xlsx"], ["batch", "in", "-o", "out_profile"],
                                     ["template", "-o", "t.xlsx"], ["serve", "--port", "1"]])
def test_a_bad_profile_is_explained_in_english(tmp_path, command):
    bad = tmp_path / "bad.toml"
    bad.write_text('[weights]\nbudget = "ten"\n', "utf-8")
    (tmp_path / "in").mkdir()
    proc = run(*command, "--profile", str(bad), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    err = proc.stderr.decode("utf-8")
    assert err.startswith("profile error: ") and "weights.budget must be a number, got 'ten'" in err
    assert CJK.findall(err) == [] and "Traceback" not in err
    chinese = run(*command, "--profile", str(bad), cwd=tmp_path)
    assert "weights.budget 应为数字" in chinese.stderr.decode("utf-8")
    assert not (tmp_path / "t.xlsx").exists()


# -- the page's server answers in the page's language ----------------------------


def test_page_api_follows_lang_and_accept_language(tmp_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from selfeval_xlsx.web import create_app

    def check(client, **kwargs):
        files = [("files", ("typical.xlsx", TYPICAL.read_bytes(), "application/octet-stream"))]
        response = client.post("/api/check", files=files, **kwargs)
        assert response.status_code == 200
        result = response.json()["files"][0]
        assert result["corrected_name"] == "typical.checked.xlsx"
        return {f["code"]: f["message"] for f in result["forms"][0]["findings"]}

    with TestClient(create_app(temp_root=tmp_path)) as client:
        assert check(client, params={"lang": "en"})["F101"].startswith("Execution rate 96.5% should be 95%")
        assert check(client, headers={"accept-language": "en-GB,en;q=0.9"})["F101"].startswith("Execution rate")
        assert check(client, headers={"accept-language": "fr-FR"})["F101"].startswith("Execution rate")
        assert check(client, headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"})["F101"].startswith("执行率")
        assert check(client, params={"lang": "zh"}, headers={"accept-language": "en"})["F101"].startswith("执行率")
        assert check(client)["F101"].startswith("执行率")  # nothing asked: the server's --lang
        empty = client.post("/api/check", params={"lang": "en"}, files=[("other", ("x.txt", b"x"))])
        assert empty.status_code == 400 and empty.json()["error"].startswith("No file received")
        rejected = client.post("/api/check", params={"lang": "en"},
                               files=[("files", ("notes.txt", b"hello", "text/plain"))]).json()["files"][0]
        assert rejected["error"] == "not an Excel workbook (only .xlsx, .xlsm, .xls are taken)"
    with TestClient(create_app(temp_root=tmp_path, lang="en")) as client:
        assert check(client)["F101"].startswith("Execution rate")
    assert list(tmp_path.iterdir()) == []
