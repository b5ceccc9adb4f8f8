"""The drop page's server (selfeval_xlsx.web) through Starlette's TestClient.

Most tests inject stand-ins for fill/validate/template so they test the web
layer alone; the ``real_*`` tests go through the library as the page does.
"""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
with warnings.catch_warnings():  # starlette >= 1.x: "use httpx2" deprecation
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from selfeval_xlsx import web  # noqa: E402
from selfeval_xlsx.web import Limits, content_disposition, create_app, display_name  # noqa: E402

from conftest import ROOT, sample
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def seed_sample() -> Path:
    return sample("01", ".xlsx")


# --------------------------------------------------------------------------
# stand-ins


def _form(findings):
    return {
        "sheet": "部门整体支出绩效自评表", "kind": "department", "unit": "测试单位", "year": 2023,
        "indicator_count": 12,
        "budget": {"rate": 0.9752, "score": 9.75, "rate_cell": "H7", "score_cell": "I7"},
        "total": {"stated": 97.752, "computed": 96.5, "cell": "G40"},
        "conclusion": {"stated": "优", "computed": "优", "cell": "G41"},
        "findings": findings,
    }


WARNING = {"code": "W201", "severity": "warning", "cell": "E12", "message": "超额完成未说明原因",
           "expected": None, "found": None}
ERROR = {"code": "E101", "severity": "error", "cell": "I7", "message": "预算执行得分应为 9.752",
         "expected": 9.752, "found": 9.75}


class StandIn:
    """Records the paths it was given; writes a recognisable corrected copy."""

    def __init__(self):
        self.calls: list[Path] = []

    def fill(self, path, output, profile, *, mark=True, lang="zh"):
        path, output = Path(path), Path(output)
        self.calls.append(path)
        data = path.read_bytes()
        if data.startswith(b"BAD"):
            return {"file": str(path), "status": "unreadable",
                    "error": f"{path}: 不是Excel文件（看起来是文本文件），请另存为.xlsx后重试",
                    "forms": [], "output": None, "changes": []}
        output.write_bytes(b"CORRECTED:" + data)
        return {"file": str(path), "status": "errors", "error": None, "forms": [_form([WARNING, ERROR])],
                "output": str(output), "changes": [{"sheet": "部门整体支出绩效自评表", "cell": "I7", "old": 9.75, "new": 9.752}]}

    def validate(self, path, profile, lang="zh"):
        return {"file": str(path), "status": "errors", "error": None, "forms": [_form([ERROR])]}

    def template(self, path, **kwargs):
        self.template_args = kwargs
        Path(path).write_bytes(b"TEMPLATE")
        return Path(path)


def summary_stub(items, path, lang="zh"):
    Path(path).write_text(json.dumps([[r["name"], link] for r, link in items], ensure_ascii=False), "utf-8")


@pytest.fixture
def temp_root(tmp_path):
    root = tmp_path / "requests"
    root.mkdir()
    return root


@pytest.fixture
def stand_in():
    return StandIn()


@pytest.fixture
def client(stand_in, temp_root):
    app = create_app(validate=stand_in.validate, fill=stand_in.fill, template=stand_in.template,
                     summary=summary_stub, temp_root=temp_root)
    with TestClient(app) as c:
        yield c


def upload(*files):
    return [("files", (name, data, XLSX)) for name, data in files]


# --------------------------------------------------------------------------
# page and static files


def test_index_is_chinese_and_loads_nothing_from_the_internet(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "绩效自评表校验" in page.text and 'lang="zh-CN"' in page.text
    for name in ("index.html", "app.js", "app.css"):
        text = (web.STATIC_DIR / name).read_text("utf-8")
        assert "http://" not in text and "https://" not in text and "@import" not in text, name
        assert "@font-face" not in text
    assert client.get("/static/app.js").status_code == 200
    css = client.get("/static/app.css")
    assert css.status_code == 200 and "Noto Sans CJK SC" in css.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_info_reports_limits(client):
    info = client.get("/api/info").json()
    assert info["max_file_bytes"] == 20 * 1024 * 1024
    assert info["max_files"] == 200
    assert info["extensions"] == [".xlsx", ".xlsm", ".xls"]


# --------------------------------------------------------------------------
# /api/check


def test_check_returns_findings_errors_first_and_the_corrected_copy(client, stand_in, temp_root):
    response = client.post("/api/check", files=upload(("01_黔南州驻京联络处.xlsx", b"WORKBOOK")))
    assert response.status_code == 200
    (result,) = response.json()["files"]
    assert result["name"] == "01_黔南州驻京联络处.xlsx"
    assert result["status"] == "errors"
    (form,) = result["forms"]
    assert [f["severity"] for f in form["findings"]] == ["error", "warning"]
    assert form["total"] == {"stated": 97.752, "computed": 96.5, "cell": "G40"}
    assert result["changes"][0]["cell"] == "I7"
    assert base64.b64decode(result["corrected"]) == b"CORRECTED:WORKBOOK"
    assert result["corrected_name"] == "01_黔南州驻京联络处.checked.xlsx"  # as `selfeval fill` names it
    # no server path leaks into the answer
    assert str(temp_root) not in response.text and "upload_0" not in response.text
    # the upload was saved under a name of ours, inside the request's folder
    (path,) = stand_in.calls
    assert path.name == "upload_0.xlsx" and path.parent.parent == temp_root


def test_unreadable_file_gives_a_plain_reason(client):
    response = client.post("/api/check", files=upload(("坏文件.xlsx", b"BAD bytes"), ("好.xlsx", b"OK")))
    bad, good = response.json()["files"]
    assert bad["status"] == "unreadable"
    assert bad["name"] == "坏文件.xlsx"
    assert bad["error"] == "不是Excel文件（看起来是文本文件），请另存为.xlsx后重试"
    assert bad["corrected"] is None
    assert good["status"] == "errors" and good["corrected"]


def test_upload_names_are_never_paths(client, stand_in):
    response = client.post("/api/check", files=upload(("../../etc/evil.xlsx", b"A"), ("..\\..\\x.xlsm", b"B")))
    names = [r["name"] for r in response.json()["files"]]
    assert names == ["evil.xlsx", "x.xlsm"]
    assert [p.name for p in stand_in.calls] == ["upload_0.xlsx", "upload_1.xlsm"]


def test_other_file_types_are_refused_without_reading_them(client, stand_in):
    response = client.post("/api/check", files=upload(("说明.docx", b"PK"), ("notes.txt", b"x")))
    results = response.json()["files"]
    assert all(r["status"] == "unreadable" for r in results)
    assert "不是 Excel 工作簿" in results[0]["error"]
    assert stand_in.calls == []


def test_empty_file(client, stand_in):
    (result,) = client.post("/api/check", files=upload(("空.xlsx", b""))).json()["files"]
    assert result["status"] == "unreadable" and "空" in result["error"]
    assert stand_in.calls == []


def test_fill_crash_falls_back_to_validate(stand_in, temp_root):
    def broken_fill(*args, **kwargs):
        raise RuntimeError("bug")

    app = create_app(validate=stand_in.validate, fill=broken_fill, summary=None, temp_root=temp_root)
    with TestClient(app) as c:
        (result,) = c.post("/api/check", files=upload(("a.xlsx", b"A"))).json()["files"]
    assert result["status"] == "errors" and result["forms"][0]["findings"][0]["code"] == "E101"
    assert result["corrected"] is None


def test_nothing_uploaded(client):
    response = client.post("/api/check", data={"x": "1"}, files=[("other", ("a.txt", b"x", "text/plain"))])
    assert response.status_code == 400 and "没有收到文件" in response.json()["error"]
    response = client.post("/api/check", content=b"{}", headers={"content-type": "application/json"})
    assert response.status_code == 400 and "multipart" in response.json()["error"]


# --------------------------------------------------------------------------
# limits


def limited_client(stand_in, temp_root, **limits):
    app = create_app(validate=stand_in.validate, fill=stand_in.fill, summary=summary_stub,
                     temp_root=temp_root, limits=Limits(**limits))
    return TestClient(app)


def test_file_too_large_is_refused_the_others_go_through(stand_in, temp_root):
    with limited_client(stand_in, temp_root, max_file_bytes=1000) as c:
        response = c.post("/api/check", files=upload(("大.xlsx", b"x" * 5000), ("小.xlsx", b"y" * 10)))
    big, small = response.json()["files"]
    assert big["status"] == "unreadable" and "超过 1000 KB" not in big["error"]
    assert "上限" in big["error"]
    assert small["status"] == "errors"
    assert [p.name for p in stand_in.calls] == ["upload_1.xlsx"]
    assert list(temp_root.iterdir()) == []


def test_too_many_files(stand_in, temp_root):
    with limited_client(stand_in, temp_root, max_files=3) as c:
        response = c.post("/api/check", files=upload(*[(f"{i}.xlsx", b"x") for i in range(4)]))
    assert response.status_code == 413
    assert response.json()["error"] == "文件太多：一次最多 3 个文件。请分批上传。"
    assert stand_in.calls == []
    assert list(temp_root.iterdir()) == []


def test_request_too_large_while_streaming_without_content_length(stand_in, temp_root):
    boundary = "xyzBOUNDARY"

    def body():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.xlsx\"\r\n"
               "Content-Type: application/octet-stream\r\n\r\n").encode()
        for _ in range(50):
            yield b"z" * 1000
        yield f"\r\n--{boundary}--\r\n".encode()

    with limited_client(stand_in, temp_root, max_request_bytes=10_000) as c:
        response = c.post("/api/check", content=body(),
                          headers={"content-type": f"multipart/form-data; boundary={boundary}"})
        assert response.status_code == 413
        assert "上传内容过大" in response.json()["error"]
        # a declared length past the limit fails before reading
        response = c.post("/api/check", files=upload(("a.xlsx", b"z" * 20_000)))
        assert response.status_code == 413
    assert stand_in.calls == []
    assert list(temp_root.iterdir()) == []


def test_malformed_multipart(client, temp_root):
    response = client.post("/api/check", content=b"--b\r\nnonsense",
                           headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 400
    assert response.json()["error"]  # a Chinese sentence, no traceback
    assert list(temp_root.iterdir()) == []


# --------------------------------------------------------------------------
# template


def test_template_download(client, stand_in):
    response = client.get("/api/template", params={"form": "project", "year": "2024", "unit": "某某局"})
    assert response.status_code == 200
    assert response.content == b"TEMPLATE"
    assert response.headers["content-type"].startswith(XLSX)
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"")
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "项目支出绩效自评表_2024.xlsx"  # as `selfeval template --form project` names it
    assert stand_in.template_args["form"] == "project" and stand_in.template_args["year"] == 2024
    assert client.get("/api/template", params={"form": "x"}).status_code == 400
    assert client.get("/api/template", params={"year": "20x"}).status_code == 400


def test_real_template_opens_in_openpyxl(temp_root):
    import openpyxl
    with TestClient(create_app(temp_root=temp_root)) as c:
        response = c.get("/api/template", params={"form": "department", "year": "2023"})
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    text = " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "2023" in text and "自评" in text
    assert list(temp_root.iterdir()) == []


# --------------------------------------------------------------------------
# zip


def test_bundle_holds_corrected_copies_and_summary(client, temp_root):
    response = client.post("/api/bundle", files=upload(
        ("甲单位.xlsx", b"A"), ("乙单位.xls", b"B"), ("甲单位.xlsx", b"C"), ("坏.xlsx", b"BAD")))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        names = zf.namelist()
        assert sorted(names) == sorted(["summary.xlsx", "甲单位.xlsx", "乙单位.xlsx", "甲单位 (2).xlsx",
                                        "无法读取的文件.txt"])
        assert zf.read("甲单位.xlsx") == b"CORRECTED:A"
        assert zf.read("甲单位 (2).xlsx") == b"CORRECTED:C"
        summary = json.loads(zf.read("summary.xlsx"))
        assert summary == [["甲单位.xlsx", "甲单位.xlsx"], ["乙单位.xls", "乙单位.xlsx"],
                           ["甲单位.xlsx", "甲单位 (2).xlsx"], ["坏.xlsx", None]]
        assert "坏.xlsx" in zf.read("无法读取的文件.txt").decode("utf-8")
    assert list(temp_root.iterdir()) == []


def test_bundle_with_the_real_summary(stand_in, temp_root):
    import openpyxl
    app = create_app(validate=stand_in.validate, fill=stand_in.fill, temp_root=temp_root)
    with TestClient(app) as c:
        response = c.post("/api/bundle", files=upload(("甲.xlsx", b"A"), ("乙.xlsx", b"B")))
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        assert {"summary.xlsx", "甲.xlsx", "乙.xlsx"} <= set(zf.namelist())
        wb = openpyxl.load_workbook(io.BytesIO(zf.read("summary.xlsx")))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert [r[:2] for r in rows[1:3]] == [("（根目录）", "甲.xlsx"), ("（根目录）", "乙.xlsx")]  # 文件夹, 文件


# --------------------------------------------------------------------------
# the real library


def test_real_seed_upload_gives_findings(temp_root):
    seed = seed_sample()
    import openpyxl

    with TestClient(create_app(temp_root=temp_root)) as c:
        response = c.post("/api/check", files=upload((seed.name, seed.read_bytes())))
    (result,) = response.json()["files"]
    assert result["name"] == seed.name
    assert result["status"] == "errors"
    form = result["forms"][0]
    assert form["findings"] and form["findings"][0]["severity"] == "error"
    severities = [f["severity"] for f in form["findings"]]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert form["total"]["stated"] is not None and form["total"]["computed"] is not None
    wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(result["corrected"])), data_only=False)
    ws = wb[form["sheet"]]
    assert ws[form["total"]["cell"]].value == pytest.approx(form["total"]["computed"])
    assert list(temp_root.iterdir()) == []


def test_real_corrupt_file(temp_root):
    with TestClient(create_app(temp_root=temp_root)) as c:
        response = c.post("/api/check", files=upload(("损坏的文件.xlsx", b"this is not a workbook")))
    (result,) = response.json()["files"]
    assert result["status"] == "unreadable"
    assert result["error"] and "upload_" not in result["error"] and str(temp_root) not in result["error"]
    assert list(temp_root.iterdir()) == []


# --------------------------------------------------------------------------
# names and headers


def test_content_disposition_is_rfc5987():
    value = content_disposition("2023年度 部门\"整体\".xlsx")
    assert value.startswith('attachment; filename="2023.xlsx"; ')
    assert '"整体"' not in value
    assert value.endswith("filename*=UTF-8''2023%E5%B9%B4%E5%BA%A6%20%E9%83%A8%E9%97%A8%22%E6%95%B4%E4%BD%93%22.xlsx")
    assert content_disposition("汇总.zip").startswith('attachment; filename="download.zip"')


def test_display_name():
    assert display_name("C:\\Users\\张三\\桌面\\表.xlsx") == "表.xlsx"
    assert display_name("a\x00b\r\n.xlsx") == "ab.xlsx"
    assert display_name("..") == "未命名.xlsx"
    assert len(display_name("长" * 500 + ".xlsx")) <= 180


def test_host_guard(stand_in, temp_root):
    app = create_app(fill=stand_in.fill, summary=None, temp_root=temp_root, allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"host": "evil.example:8765"}).status_code == 400
        assert c.get("/", headers={"host": "localhost:8765"}).status_code == 200


# --------------------------------------------------------------------------
# the serve command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_starts_and_refuses_a_busy_port(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "selfeval_xlsx", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    assert "绩效自评表校验" in r.read().decode("utf-8")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        busy = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "serve", "--port", str(port)],
                              capture_output=True, text=True, env=env, timeout=30)
        assert busy.returncode == 2
        assert f"端口 {port} 已被占用" in busy.stderr
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in out


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM")
def test_a_stop_request_removes_every_upload(tmp_path):
    """SIGTERM (kill, systemd, docker stop) ends the server like Ctrl+C: the
    uploads' folder and the worker pool's go with it (uvicorn re-raises the
    signal after its shutdown, which used to kill the process first)."""
    import signal

    import httpx

    temp = tmp_path / "t"
    temp.mkdir()
    port = free_port()
    env = {**os.environ, "TMPDIR": str(temp),
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "selfeval_xlsx", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        workbook = sample("02")
        response = httpx.post(f"http://127.0.0.1:{port}/api/check", timeout=60,
                              files=[("files", (workbook.name, workbook.read_bytes()))])
        assert response.status_code == 200, response.text
        assert [p.name for p in temp.iterdir() if p.name.startswith("selfeval-serve-")]  # the uploads' folder
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "已停止" in out
    assert list(temp.iterdir()) == []


def test_serve_bad_profile(tmp_path):
    bad = tmp_path / "p.toml"
    bad.write_text("[weights]\nbudget = \"x\"\n", "utf-8")
    from selfeval_xlsx.cli import main

    assert main(["serve", "--profile", str(bad), "--port", str(free_port())]) == 2
