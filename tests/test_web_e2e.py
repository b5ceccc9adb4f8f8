"""The drop page end to end: the real server on a loopback port, driven in
headless Chromium (Debian's /usr/bin/chromium) by Playwright.

Marked ``browser``: a missing Chromium fails (the ``chromium`` fixture says
what to install); deselect with ``-m "not browser"``.  Set
``SELFEVAL_SCREENSHOTS=docs`` to write the README's screenshots
(docs/serve.png at desktop width, docs/serve_360.png on a 360 px phone).
"""

from __future__ import annotations

import base64
import io
import os
import re
import socket
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import uvicorn
from playwright import sync_api

from conftest import sample
from selfeval_xlsx.web import Limits, create_app

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
def browser(chromium):
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
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
    headers = [h.replace("↕", "").replace("↓", "").strip()
               for h in card.locator("table.findings").first.locator("th").all_inner_texts()]
    assert headers == ["单元格", "代码", "级别", "说明"]  # the sheet is named above the table
    levels = card.locator("table.findings").first.locator("td.level").all_inner_texts()
    assert levels and levels[0] == "错误"
    assert levels == sorted(levels, key=lambda s: s != "错误")
    assert "个错误" in card.locator(".badge").inner_text()

    form = page.evaluate("() => window.selfevalPage.entries()[0].result.forms[0]")
    total = card.locator(".score").first
    assert "总分" in total.inner_text()
    assert f"{form['total']['computed']:g}"[:5] in total.inner_text()

    # the corrected copy
    with page.expect_download() as info:
        card.locator("button.download-corrected").click()
    download = info.value
    assert download.suggested_filename == seed.stem + ".checked.xlsx"  # as `selfeval fill` names it
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
    assert download.suggested_filename == "项目支出绩效自评表_2024.xlsx"  # as `selfeval template` names it
    target = tmp_path / "template.xlsx"
    download.save_as(target)
    wb = openpyxl.load_workbook(target)
    text = " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "项目" in text and "2024" in text


def test_limits_are_explained(browser, tmp_path):
    app = create_app(temp_root=tmp_path, limits=Limits(max_file_bytes=2048, max_files=2))
    with Server(app) as small:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page = context.new_page()
        page.goto(small.url + "/")
        page.wait_for_function("() => document.getElementById('limits').textContent.includes('一次最多 2 个')")
        drop_files(page, [("a.xlsx", b"x"), ("b.xlsx", b"y"), ("c.xlsx", b"z")])
        assert "一次最多 2 个文件，本次选择了 3 个" in page.locator("#messages").inner_text()
        drop_files(page, [("大.xlsx", b"x" * 5000)])
        text = page.locator(".unreadable-text").inner_text()
        assert text.startswith("无法读取：大.xlsx：文件超过 2 KB 的上限")
        context.close()



# --------------------------------------------------------------------------
# the page on a phone, sorting and filtering, the budget card, English

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def open_page(browser, server, width, *, locale="zh-CN", query=""):
    context = browser.new_context(viewport={"width": width, "height": 800}, accept_downloads=True, locale=locale)
    pg = context.new_page()
    errors: list[str] = []  # script errors, and anything loaded from elsewhere (the page works offline)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("request", lambda r: None if r.url.startswith((server.url, "blob:", "data:"))
          else errors.append("loaded from elsewhere: " + r.url))
    pg.goto(server.url + "/" + query)
    pg.wait_for_selector("#drop")
    return context, pg, errors


def drop_and_wait(pg, paths):
    pg.set_input_files("#file-input", [str(p) for p in paths])
    pg.wait_for_function(f"() => window.selfevalPage && !window.selfevalPage.busy()"
                         f" && window.selfevalPage.entries().length === {len(paths)}"
                         f" && window.selfevalPage.entries().every(e => e.result)")
    pg.evaluate("document.querySelectorAll('details.file').forEach(d => d.open = true)")


def no_horizontal_scroll(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth"
                       " && document.body.scrollWidth <= window.innerWidth")


def shown_rows(card):
    """(cell, code, severity text) of each finding row as the page shows it."""
    return [tuple(row.locator("td").nth(i).inner_text() for i in range(3))
            for row in card.locator("table.findings tbody tr").all()]


@pytest.fixture
def blank_template(tmp_path):
    from selfeval_xlsx.template import write_template

    return write_template(tmp_path / "blank_template.xlsx", form="department", year=2024, unit="", rows=3,
                          protect=False)


@pytest.mark.parametrize("width, query", [(360, ""), (420, ""), (360, "?lang=en")])
def test_phone_width_every_finding_on_the_page(browser, server, width, query, tmp_path):
    typical = sample("04")  # 18 findings
    context, pg, errors = open_page(browser, server, width, query=query)
    drop_and_wait(pg, [typical])
    form = pg.evaluate("() => window.selfevalPage.entries()[0].result.forms[0]")
    assert len(form["findings"]) > 10
    card = pg.locator(f'.file[data-name="{typical.name}"]')
    rows = card.locator("table.findings tbody tr")
    assert rows.count() == len(form["findings"])
    pg.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # the changes list too
    assert pg.locator(".changes-wrap tbody tr").count() == len(pg.evaluate(
        "() => window.selfevalPage.entries()[0].result.changes"))
    assert no_horizontal_scroll(pg)
    # no row sits in a box of its own that scrolls or clips: only the page scrolls
    boxed = pg.evaluate("""() => {
        const bad = [];
        for (const row of document.querySelectorAll('table.findings tbody tr')) {
            for (let n = row.parentElement; n && n !== document.body; n = n.parentElement) {
                const s = getComputedStyle(n);
                if (['auto', 'scroll', 'hidden'].includes(s.overflowY) || s.maxHeight !== 'none') bad.push(n.className);
            }
        }
        return bad;
    }""")
    assert boxed == []
    # scrolled to, every row is on screen and within the width of the screen
    for i in range(rows.count()):
        row = rows.nth(i)
        row.scroll_into_view_if_needed()
        box = row.bounding_box()
        assert box and box["height"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5
        assert row.is_visible()
    assert pg.evaluate("window.scrollY") > 0  # the page itself scrolled
    assert errors == []
    context.close()


def test_sort_and_filter_findings(browser, server):
    typical = sample("04")
    context, pg, errors = open_page(browser, server, 1366)
    drop_and_wait(pg, [typical])
    form = pg.evaluate("() => window.selfevalPage.entries()[0].result.forms[0]")
    card = pg.locator(f'.file[data-name="{typical.name}"]')
    total = len(form["findings"])
    warnings = [f for f in form["findings"] if f["severity"] == "warning"]
    assert 0 < len(warnings) < total

    rows = shown_rows(card)  # errors first by default
    assert [r[2] for r in rows] == sorted((r[2] for r in rows), key=lambda s: s != "错误")

    card.locator(".ctl-level select").select_option("warning")
    rows = shown_rows(card)
    assert len(rows) == len(warnings) and {r[2] for r in rows} == {"警告"}
    assert f"显示 {len(warnings)} / {total} 条" in card.locator(".shown").inner_text()

    card.locator(".ctl-level select").select_option("")
    codes = [f["code"] for f in form["findings"]]
    common = max(sorted(set(codes)), key=codes.count)  # a code that occurs more than once
    assert codes.count(common) > 1
    card.locator(".ctl-code select").select_option(common)
    rows = shown_rows(card)
    assert {r[1] for r in rows} == {common} and len(rows) == codes.count(common)

    card.locator(".ctl-code select").select_option("")
    card.locator(".ctl-sort select").select_option("cell")
    rows = shown_rows(card)
    assert len(rows) == total

    def position(ref):
        m = re.match(r"([A-Z]+)(\d+)$", ref)
        if not m:
            return (10**9, 10**9)
        col = 0
        for ch in m.group(1):
            col = col * 26 + ord(ch) - 64
        return (int(m.group(2)), col)

    assert [position(r[0]) for r in rows] == sorted(position(r[0]) for r in rows)
    card.locator("table.findings th[data-sort=code]").click()  # a header sorts too
    codes = [r[1] for r in shown_rows(card)]
    assert codes == sorted(codes) and len(codes) == total
    assert card.locator(".ctl-sort select").input_value() == "code"
    assert errors == []
    context.close()


def test_budget_card_stated_beside_computed_red_on_f101(browser, server):
    typical, clean = sample("04"), sample("02")
    context, pg, errors = open_page(browser, server, 1366)
    drop_and_wait(pg, [typical, clean])
    forms = pg.evaluate("() => window.selfevalPage.entries().map(e => e.result.forms[0])")
    f101 = next(f for f in forms[0]["findings"] if f["code"] == "F101")
    budget = forms[0]["budget"]
    card = pg.locator(f'.file[data-name="{typical.name}"] .score[data-kind=budget]')
    assert "bad" in card.get_attribute("class").split()
    text = card.inner_text()
    assert f101["found"] == "96.5%" and f101["expected"] == "95%"
    assert f"{budget['stated_rate']:.2%}" == "96.50%" and f"{budget['rate']:.2%}" == "95.00%"
    assert f"{budget['stated_score']:g}" in text and f"{budget['score']:g}" in text
    rate = card.locator(".pair").first
    assert "bad" in rate.get_attribute("class").split()
    assert rate.locator(".stated").inner_text() == "96.50%" and rate.locator(".computed").inner_text() == "95.00%"
    assert pg.evaluate("""() => getComputedStyle(document.querySelector(
        '.file .score[data-kind=budget] .pair.bad .computed')).color""") == "rgb(180, 35, 24)"

    assert not any(f["code"] in ("F101", "F102") for f in forms[1]["findings"])
    calm = pg.locator(f'.file[data-name="{clean.name}"] .score[data-kind=budget]')
    assert "bad" not in calm.get_attribute("class").split()
    assert calm.locator(".stated").count() == 2 and calm.locator(".computed").count() == 2
    assert errors == []
    context.close()


def test_blank_template_says_so(browser, server, blank_template):
    context, pg, errors = open_page(browser, server, 1366)
    drop_and_wait(pg, [blank_template])
    card = pg.locator('.file[data-name="blank_template.xlsx"]')
    form = pg.evaluate("() => window.selfevalPage.entries()[0].result.forms[0]")
    assert form["indicator_count"] == 0 and not form["total"]["stated"]  # None, or the template's SUM: 0
    for kind in ("total", "conclusion"):
        box = card.locator(f".score[data-kind={kind}]")
        assert "空白模板，未填写" in box.inner_text()
        assert "差" not in box.inner_text() and "计算" not in box.inner_text() and "未核验" not in box.inner_text()
    context.close()

    context, pg, errors = open_page(browser, server, 1366, query="?lang=en")
    drop_and_wait(pg, [blank_template])
    box = pg.locator('.file[data-name="blank_template.xlsx"] .score[data-kind=conclusion]')
    assert "blank template, not filled in" in box.inner_text()
    assert errors == []
    context.close()


def page_text_outside_results(pg) -> str:
    return pg.evaluate("""() => {
        const copy = document.body.cloneNode(true);
        copy.querySelectorAll('script, #results').forEach(n => n.remove());
        return copy.innerText + ' ' + document.title + ' ' +
            [...document.querySelectorAll('[placeholder]')].map(n => n.placeholder).join(' ');
    }""")


@pytest.mark.parametrize("locale, query", [("zh-CN", "?lang=en"), ("en-US", "")])
def test_english_page(browser, server, locale, query, tmp_path):
    typical = sample("04")
    ascii_copy = tmp_path / "typical.xlsx"
    ascii_copy.write_bytes(typical.read_bytes())
    context, pg, errors = open_page(browser, server, 1366, locale=locale, query=query)
    assert pg.evaluate("window.selfevalPage.lang()") == "en"
    pg.wait_for_function("() => document.getElementById('top-note').textContent.includes('scoring rules')")
    drop_and_wait(pg, [ascii_copy, ascii_copy])
    static = page_text_outside_results(pg)
    assert "Drop self-evaluation workbooks here" in static and "Download a blank template" in static
    assert not CJK.findall(static), CJK.findall(static)
    card = pg.locator('.file[data-name="typical.xlsx"]').first
    # the page's own words on a result card are English; what is left in Chinese
    # is quoted from the workbook (sheet name, unit, cell contents in messages)
    form = pg.evaluate("() => window.selfevalPage.entries()[0].result.forms[0]")
    quoted = [form["sheet"], form["unit"], form["conclusion"]["stated"], form["conclusion"]["computed"]]
    head = card.locator("summary.file-head").inner_text() + " " + card.locator(".scores").inner_text() + " " + \
        card.locator(".changes > summary").inner_text() + " " + card.locator(".form-head").inner_text() + " " + \
        card.locator(".findings-tools").inner_text() + " " + card.locator("table.findings thead").inner_text()
    for text in quoted:
        head = head.replace(text, "")
    assert not CJK.findall(head), head
    n_errors = sum(1 for f in form["findings"] if f["severity"] == "error")
    assert f"{n_errors} errors" in head and "Budget execution" in head and "Severity" in head
    messages = {f["code"]: f["message"] for f in form["findings"]}
    assert messages["F101"].startswith("Execution rate") and messages["T101"].startswith("Total")
    levels = set(card.locator("td.level").all_inner_texts())
    assert levels == {"error", "warning"}

    with pg.expect_download() as info:
        card.locator("button.download-corrected").click()
    assert info.value.suggested_filename == "typical.checked.xlsx"
    with pg.expect_download() as info:
        pg.click("#zip-button")
    zipped = tmp_path / "bundle.zip"
    info.value.save_as(zipped)
    assert info.value.suggested_filename.startswith("selfeval_checked_")
    with zipfile.ZipFile(zipped) as zf:
        assert {"summary.xlsx", "typical.xlsx", "typical (2).xlsx"} <= set(zf.namelist())
        summary = openpyxl.load_workbook(io.BytesIO(zf.read("summary.xlsx")))
    assert summary.sheetnames == ["Forms", "By folder", "Findings", "Statistics"]
    assert errors == []
    context.close()


def test_screenshots(browser, server, tmp_path):
    """The README's pictures: desktop and a 360 px phone, 18 findings and a blank template."""
    target = Path(os.environ["SELFEVAL_SCREENSHOTS"]) if os.environ.get("SELFEVAL_SCREENSHOTS") else tmp_path
    typical, seed = sample("04"), sample("01")
    for width, name in ((1280, "serve.png"), (360, "serve_360.png")):
        context, pg, errors = open_page(browser, server, width)
        drop_and_wait(pg, [typical, seed])
        pg.evaluate("document.querySelectorAll('details.file').forEach((d, i) => d.open = i === 0)")
        assert no_horizontal_scroll(pg)
        if width > 400:
            pg.screenshot(path=str(target / name), full_page=True)
        else:  # a phone's screen, scrolled to the first file's results
            pg.evaluate("window.scrollTo(0, document.querySelector('.file').getBoundingClientRect().top"
                        " + window.scrollY - 6)")
            pg.screenshot(path=str(target / name))
        assert (target / name).stat().st_size > 10_000
        assert errors == []
        context.close()
