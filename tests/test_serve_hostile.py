"""``selfeval serve`` against hostile uploads and hostile pages.

- another web site cannot post files to the local server (Origin/Referer);
- a malformed multipart body (an over-long boundary) is a 400, not a 500;
- one file whose result holds a number JSON cannot carry (1e309) or whose
  worker aborts or overruns is that file's error in a 200 response, and the
  upload is not left on disk;
- the page answers GET / within a second while another upload is being
  processed (each file is checked in a worker process with a time limit).

The workbooks are built here; the stand-ins that stall or abort are
module-level functions, so the worker processes can run them.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import zipfile
from pathlib import Path

import pytest
import httpx
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from test_reader import save, seed_grid  # noqa: E402
from test_web import StandIn, summary_stub, upload  # noqa: E402

from selfeval_xlsx.web import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------
# workbooks


def seed_workbook(folder: Path, name: str = "seed.xlsx", grid=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return save(folder, grid or seed_grid(), name=name)


def rewrite_sheet(src: Path, dst: Path, edit) -> Path:
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            data = zi.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                new = edit(data)
                assert new != data
                data = new
            zo.writestr(info, data)
    return dst


def infinite_numbers(folder: Path) -> Path:
    """Budget, executed, a score and the total written as 1e309 (Excel-legal XML, inf as a float)."""
    src = seed_workbook(folder)
    return rewrite_sheet(src, folder / "1e309.xlsx", lambda d: re.sub(
        rb'(<c r="(?:E7|F7|H18|H32)"[^>]*>)<v>[^<]*</v>', rb"\g<1><v>1e309</v>", d))


def huge_address(folder: Path) -> Path:
    src = seed_workbook(folder)
    return rewrite_sheet(src, folder / "address.xlsx", lambda d: d.replace(
        b"</row>", b'<c r="ZZZZZ99999999"><v>1</v></c><c r="XFD1048576"><v>1</v></c></row>', 1))


def long_label(folder: Path) -> Path:
    g = seed_grid()
    g.cells[(14, 2)] = "1" * 32_000  # an Excel-legal 一级 label of 32,000 digits
    return seed_workbook(folder, "label.xlsx", g)


def long_text(folder: Path) -> Path:
    g = seed_grid()
    g.cells[(14, 4)] = "长" * 200_000
    return seed_workbook(folder, "text.xlsx", g)


# --------------------------------------------------------------------------
# stand-ins run in the worker processes


def slow_fill(path, output, profile, *, mark=True, lang="zh"):
    Path(path).with_name("slow-started").write_text("1")
    time.sleep(120)
    raise AssertionError("should have been stopped")


def abort_fill(path, output, profile, *, mark=True, lang="zh"):
    if Path(path).read_bytes().startswith(b"ABORT"):
        os.abort()  # what a panicking native reader does
    from selfeval_xlsx.api import fill_file

    return fill_file(path, output, profile, mark=mark, lang=lang)


def real_validate(path, profile, lang="zh"):
    from selfeval_xlsx.api import validate_file

    return validate_file(path, profile, lang=lang)


# --------------------------------------------------------------------------
# Origin / Referer


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
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        yield c


@pytest.mark.parametrize("headers", [
    {"origin": "http://evil.example"},
    {"origin": "http://127.0.0.1:9999"},  # another port is another origin
    {"origin": "null"},
    {"referer": "http://evil.example/page.html"},
    {"origin": "http://evil.example", "referer": "http://127.0.0.1:8765/"},
])
@pytest.mark.parametrize("route", ["/api/check", "/api/bundle"])
def test_posts_from_other_pages_are_refused(client, stand_in, temp_root, headers, route):
    response = client.post(route, files=upload(("a.xlsx", b"PK data")), headers=headers)
    assert response.status_code == 403
    assert "其他网页" in response.json()["error"]
    assert stand_in.calls == []
    assert list(temp_root.iterdir()) == []


@pytest.mark.parametrize("headers", [
    {"origin": "http://127.0.0.1:8765"},
    {"referer": "http://127.0.0.1:8765/"},
    {},  # a script: no browser, no page to abuse it
])
def test_posts_from_the_page_itself_pass(client, stand_in, headers):
    response = client.post("/api/check", files=upload(("a.xlsx", b"PK data")), headers=headers)
    assert response.status_code == 200
    assert len(stand_in.calls) == 1


def test_reading_the_page_needs_no_origin(client):
    assert client.get("/", headers={"origin": "http://evil.example"}).status_code == 200
    assert client.get("/api/info", headers={"referer": "http://evil.example/"}).status_code == 200


# --------------------------------------------------------------------------
# malformed multipart


@pytest.mark.parametrize("boundary", ["b" * 257, "b" * 1000])
def test_overlong_multipart_boundary_is_400(client, stand_in, temp_root, boundary):
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.xlsx\"\r\n\r\n"
            f"PK\r\n--{boundary}--\r\n").encode()
    response = client.post("/api/check", content=body,
                           headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 400
    assert response.json()["error"]
    assert stand_in.calls == []
    assert list(temp_root.iterdir()) == []


# --------------------------------------------------------------------------
# one file's failure is that file's error


def test_a_file_holding_1e309_is_its_own_result(tmp_path, temp_root):
    bad, good = infinite_numbers(tmp_path / "in"), seed_workbook(tmp_path / "in", "good.xlsx")
    with TestClient(create_app(temp_root=temp_root, summary=None)) as c:
        response = c.post("/api/check", files=upload(("1e309.xlsx", bad.read_bytes()),
                                                      ("好.xlsx", good.read_bytes())))
    assert response.status_code == 200, response.text[:300]
    files = response.json()["files"]
    assert [f["name"] for f in files] == ["1e309.xlsx", "好.xlsx"]
    assert files[1]["status"] == "errors" and files[1]["forms"]
    assert files[1]["corrected"]
    assert "Infinity" not in response.text and "NaN" not in response.text
    assert list(temp_root.iterdir()) == []


@pytest.mark.slow
def test_an_aborting_worker_is_that_files_error(tmp_path, temp_root):
    good = seed_workbook(tmp_path / "in", "good.xlsx")
    app = create_app(fill=abort_fill, validate=real_validate, isolate=True, temp_root=temp_root, summary=None)
    with TestClient(app) as c:
        response = c.post("/api/check", files=upload(("崩溃.xlsx", b"ABORT" + b"\0" * 100),
                                                      ("好.xlsx", good.read_bytes())))
        assert response.status_code == 200
        first, second = response.json()["files"]
        assert first["status"] == "unreadable" and "异常退出" in first["error"] and "SIGABRT" in first["error"]
        assert second["status"] == "errors" and second["corrected"]
        assert c.get("/").status_code == 200
    assert list(temp_root.iterdir()) == []  # the upload is not left on disk


# --------------------------------------------------------------------------
# a live server: GET / while a slow upload is in progress


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive()
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def page_latencies(url: str, until, samples: int = 8) -> list[float]:
    out = []
    with httpx.Client(timeout=10) as http:
        while len(out) < samples or not until():
            started = time.monotonic()
            response = http.get(url + "/")
            out.append(time.monotonic() - started)
            assert response.status_code == 200
            if len(out) >= samples and until():
                break
            time.sleep(0.1)
            if len(out) > 400:
                break
    return out


@pytest.mark.slow
def test_page_answers_while_a_slow_upload_is_processed(tmp_path, temp_root):
    good = seed_workbook(tmp_path / "in", "good.xlsx")
    app = create_app(fill=slow_fill, validate=real_validate, isolate=True, file_timeout=4, temp_root=temp_root,
                     summary=None)
    with LiveServer(app) as live:
        box: dict[str, object] = {}

        def post() -> None:
            with httpx.Client(timeout=120) as http:
                box["response"] = http.post(live.url + "/api/check", files=upload(("慢.xlsx", good.read_bytes())),
                                            headers={"origin": live.url})

        worker = threading.Thread(target=post)
        worker.start()
        deadline = time.monotonic() + 60
        while not list(temp_root.rglob("slow-started")):
            assert time.monotonic() < deadline, "the slow upload never started"
            time.sleep(0.05)
        latencies = page_latencies(live.url, lambda: not worker.is_alive())
        worker.join(60)
    assert max(latencies) < 1.0, latencies
    response = box["response"]
    assert response.status_code == 200
    (result,) = response.json()["files"]
    assert result["status"] == "unreadable" and "处理超时" in result["error"]
    assert list(temp_root.iterdir()) == []


# --------------------------------------------------------------------------
# the real command, every hostile file at once


@pytest.mark.slow
def test_serve_survives_every_hostile_file(tmp_path):
    folder = tmp_path / "hostile"
    files = {p.name: p.read_bytes() for p in (infinite_numbers(folder), huge_address(folder), long_label(folder),
                                              long_text(folder))}
    files["崩溃.xls"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4000)  # a damaged .xls
    files["坏.xlsx"] = b"PK\x03\x04" + os.urandom(3000)
    good = seed_workbook(tmp_path / "in", "good.xlsx").read_bytes()
    scratch = Path(tempfile.mkdtemp(prefix="sv-"))  # the server's temporary folder (short: socket paths are limited)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}
    proc = subprocess.Popen([sys.executable, "-m", "selfeval_xlsx", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.2)
        responses: dict[str, httpx.Response] = {}

        def post(name: str, data: bytes) -> None:
            with httpx.Client(timeout=300) as http:
                responses[name] = http.post(url + "/api/check", files=upload((name, data), ("good.xlsx", good)),
                                            headers={"origin": url})

        threads = [threading.Thread(target=post, args=item) for item in files.items()]
        for t in threads:
            t.start()
        latencies = page_latencies(url, lambda: not any(t.is_alive() for t in threads))
        for t in threads:
            t.join(300)
        boundary = "b" * 300
        malformed = httpx.post(url + "/api/check", content=f"--{boundary}\r\n\r\n".encode(), headers={
            "content-type": f"multipart/form-data; boundary={boundary}"})
        foreign = httpx.post(url + "/api/check", files=upload(("good.xlsx", good)),
                             headers={"origin": "http://evil.example"})
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert httpx.get(url + "/", timeout=2).status_code == 200
    finally:
        proc.terminate()
        _out, log = proc.communicate(timeout=30)
        leftovers = list(scratch.rglob("upload_*"))
        shutil.rmtree(scratch, ignore_errors=True)
    assert "Traceback" not in log, log[-3000:]
    assert max(latencies) < 1.0, latencies
    assert malformed.status_code == 400 and foreign.status_code == 403
    for name in files:
        response = responses[name]
        assert response.status_code == 200, (name, response.text[:300])
        bad, ok = response.json()["files"]
        assert bad["name"] == name and (bad["status"] == "unreadable" or bad["forms"]), bad
        assert ok["status"] == "errors" and ok["corrected"], (name, ok)
    assert leftovers == []  # no upload left on disk


def test_no_worker_processes_falls_back_to_the_server(tmp_path, temp_root, monkeypatch):
    """Where worker processes cannot be started, the files are checked in the server (a 200, not a 500)."""
    from selfeval_xlsx import batch

    def no_workers(*args, **kwargs):
        raise OSError(24, "Too many open files")
        yield  # pragma: no cover - a generator, as run_tasks is

    monkeypatch.setattr(batch, "run_tasks", no_workers)
    good = seed_workbook(tmp_path / "in", "good.xlsx")
    with TestClient(create_app(temp_root=temp_root, summary=None)) as c:
        response = c.post("/api/check", files=upload(("好.xlsx", good.read_bytes())))
    assert response.status_code == 200
    (result,) = response.json()["files"]
    assert result["status"] == "errors" and result["corrected"]
    assert list(temp_root.iterdir()) == []
