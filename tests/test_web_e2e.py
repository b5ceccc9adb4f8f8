"""The drop page end to end: the real server on a loopback port, driven in
headless Chromium (Debian's /usr/bin/chromium) by Playwright.

Skipped only when Playwright or /usr/bin/chromium is absent.  Set
``SELFEVAL_SCREENSHOT=docs/serve.png`` to write the README's screenshot.
"""

from __future__ import annotations

import base64
import io
import os
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"

pytestmark = pytest.mark.browser

pytest.importorskip("uvicorn", reason="the serve extra (uvicorn) is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
if not os.path.exists(CHROMIUM):  # pragma: no cover
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

import openpyxl  # noqa: E402
import uvicorn  # noqa: E402

from selfeval_xlsx.web import Limits, create_app  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def sample(prefix: str) -> Path:
    found = sorted(SAMPLES.glob(f"{prefix}_*.xlsx"))
    if not found:
        pytest.skip(f"sample_workbooks/{prefix}_*.xlsx is missing")
    return found[0]


class Server:
    def __init__(self, app):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def temp_root(tmp_path_factory):
    return tmp_path_factory.mktemp("requests")


@pytest.fixture(scope="module")
def server(temp_root):
    with Server(create_app(temp_root=temp_root)) as s:
        yield s


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True,
                                  locale="zh-CN")
    pg = context.new_page()
    foreign: list[str] = []
    pg.on("request", lambda r: None if r.url.startswith((server.url, "blob:", "data:")) else foreign.append(r.url))
    pg.goto(server.url + "/")
    pg.wait_for_selector("#drop")
    yield pg
    assert foreign == [], f"the page loaded something from elsewhere: {foreign}"
    context.close()


def wait_idle(page):
    page.wait_for_function("() => window.selfevalPage && !window.selfevalPage.busy()"
                           " && window.selfevalPage.entries().every(e => e.result)")


def drop_files(page, paths_or_buffers):
    """Simulate dropping files on the drop zone (a DataTransfer with File objects)."""
    files = []
    for name, data in paths_or_buffers:
        files.append({"name": name, "data": base64.b64encode(data).decode("ascii")})
    page.evaluate(
        """(files) => {
            const dt = new DataTransfer();
            for (const f of files) {
                const raw = atob(f.data), bytes = new Uint8Array(raw.length);
                for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
                dt.items.add(new File([bytes], f.name,
                    {type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}));
            }
            const zone = document.getElementById("drop");
            for (const type of ["dragenter", "dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
            }
        }""",
        files,
    )


def test_seed_findings_download_and_screenshot(page, tmp_path, temp_root):
    seed = sample("01")
    page.set_input_files("#file-input", str(seed))
    card = page.locator(f'.file[data-name="{seed.name}"]')
    card.wait_for()
    wait_idle(page)

    # the findings table: columns, errors first
    headers = card.locator("table.findings").first.locator("th").all_inner_texts()
    assert headers == ["工作表", "单元格", "代码", "级别", "说明"]
    levels = card.locator("table.findings").first.locator("td.level").all_inner_texts()
    assert levels and levels[0] == "错误"
    assert levels == sorted(levels, key=lambda s: s != "错误")
    assert "个错误" in card.locator(".badge").inner_text()

    form = page.evaluate("() => window.selfevalPage.entries()[0].result.forms[0]")
    total = card.locator(".score").first
    assert "总分" in total.inner_text()
    assert f"{form['total']['computed']:g}"[:5] in total.inner_text()

    shot = os.environ.get("SELFEVAL_SCREENSHOT")
    page.screenshot(path=shot or str(tmp_path / "serve.png"))

    # the corrected copy
    with page.expect_download() as info:
        card.locator("button.download-corrected").click()
    download = info.value
    assert download.suggested_filename == seed.stem + "_校正.xlsx"
    target = tmp_path / "corrected.xlsx"
    download.save_as(target)
    ws = openpyxl.load_workbook(target)[form["sheet"]]
    assert ws[form["budget"]["score_cell"]].value == pytest.approx(form["budget"]["score"])
    assert ws[form["total"]["cell"]].value == pytest.approx(form["total"]["computed"])
    assert form["total"]["computed"] != pytest.approx(form["total"]["stated"])  # the seed's 总分 is wrong
    assert list(temp_root.iterdir()) == []


def test_drop_several_files_and_download_the_zip(page, tmp_path, temp_root):
    one, two = sample("02"), sample("03")
    drop_files(page, [(one.name, one.read_bytes()), (two.name, two.read_bytes())])
    page.locator(f'.file[data-name="{two.name}"]').wait_for()
    wait_idle(page)
    assert page.locator(".file").count() == 2
    assert "已校验 2 个文件" in page.locator("#batch-summary").inner_text()

    with page.expect_download() as info:
        page.click("#zip-button")
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    target = tmp_path / "all.zip"
    download.save_as(target)
    with zipfile.ZipFile(target) as zf:
        names = set(zf.namelist())
        assert {"summary.xlsx", one.name, two.name} <= names
        summary = openpyxl.load_workbook(io.BytesIO(zf.read("summary.xlsx")))
        corrected = openpyxl.load_workbook(io.BytesIO(zf.read(one.name)))
    assert "汇总" in summary.sheetnames
    assert "校验结果" in corrected.sheetnames
    assert list(temp_root.iterdir()) == []


def test_corrupt_file_says_so(page):
    page.set_input_files("#file-input", files=[{
        "name": "损坏的文件.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": b"this is not a workbook at all",
    }])
    message = page.locator(".unreadable-text")
    message.wait_for()
    text = message.inner_text()
    assert text.startswith("无法读取：损坏的文件.xlsx：")
    assert "upload_" not in text
    assert "无法读取 1" in page.locator("#batch-summary").inner_text().replace("\n", " ")


def test_corrupt_file_dropped_next_to_a_good_one(page):
    seed = sample("01")
    drop_files(page, [("坏.xlsx", b"PK\x03\x04 broken zip"), (seed.name, seed.read_bytes())])
    page.locator(f'.file[data-name="{seed.name}"]').wait_for()
    wait_idle(page)
    assert page.locator(".unreadable-text").inner_text().startswith("无法读取：坏.xlsx：")
    assert page.locator(f'.file[data-name="{seed.name}"] table.findings').count() >= 1


def test_template_download(page, tmp_path):
    page.select_option("select[name=form]", "project")
    page.fill("#template-year", "2024")
    with page.expect_download() as info:
        page.click("#template-form button[type=submit]")
    download = info.value
    assert download.suggested_filename == "2024年度项目支出绩效自评表_空白模板.xlsx"
    target = tmp_path / "template.xlsx"
    download.save_as(target)
    wb = openpyxl.load_workbook(target)
    text = " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "项目" in text and "2024" in text


def test_limits_are_explained(browser, tmp_path):
    app = create_app(temp_root=tmp_path, limits=Limits(max_file_bytes=2048, max_files=2))
    with Server(app) as small:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto(small.url + "/")
        page.wait_for_function("() => document.getElementById('limits').textContent.includes('一次最多 2 个')")
        drop_files(page, [("a.xlsx", b"x"), ("b.xlsx", b"y"), ("c.xlsx", b"z")])
        assert "一次最多 2 个文件，本次选择了 3 个" in page.locator("#messages").inner_text()
        drop_files(page, [("大.xlsx", b"x" * 5000)])
        text = page.locator(".unreadable-text").inner_text()
        assert text.startswith("无法读取：大.xlsx：文件超过 2 KB 的上限")
        context.close()
