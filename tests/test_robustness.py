"""Nothing a file can do crashes, hangs or is refused wrongly (issue 12):
each case is a small workbook mutated here, read back and checked."""

from __future__ import annotations

import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from mutations import add_sheet, attachment_rows, replace_member
from selfeval_xlsx import loading
from selfeval_xlsx.api import fill_file, validate_file
from selfeval_xlsx.reader import read_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_workbooks" / "01_黔南州驻京联络处_2023部门整体支出绩效自评表.xlsx"


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
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size > loading.SMALL_SHEET
    book = read_workbook(path)
    assert book.forms[0].total.value == 50 and book.forms[0].indicators[0].score.ref == "G3"


def test_first_rows_decide_with_shared_strings() -> None:
    """The peek finds header words through the shared-string table."""
    sst = ('<sst><si><t>序号</t></si><si><t>三级指标</t></si><si><r><t>得</t></r><r><t>分</t></r></si>'
           '<si><t>分值</t></si><si><t>金额</t></si></sst>').encode()
    strings = loading._KeywordStrings({"xl/sharedStrings.xml": sst})
    header = b'<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>3</v></c></row>'
    data = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>4</v></c></row>'
    assert loading._may_hold_form(b"<sheetData>" + header, strings)
    assert not loading._may_hold_form(b"<sheetData>" + data * 50, strings)
    # a level word and a value word on different rows is not a header row
    other = b'<row r="2"><c r="A2" t="s"><v>3</v></c></row>'
    assert not loading._may_hold_form(b"<sheetData>" + data.replace(b"<v>0</v>", b"<v>1</v>") + other, strings)
