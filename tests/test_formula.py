"""The formula evaluator, table-driven: every function and operator it supports,
rounding, errors, ranges, references to other sheets, shared-formula shifting.

The expected values are Excel's (and LibreOffice's) documented results; the
LibreOffice test at the end recalculates the same table in a real spreadsheet
program and checks that it agrees with the table, so the table itself cannot
drift from what spreadsheets do.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from selfeval_xlsx.cellref import col_index, col_letters
from selfeval_xlsx.formula import ExcelError, Unsupported, evaluate, shift_formula

# The grid the formulas read: A1:C4 (0-based rows/cols in the getter).
GRID = {
    "A1": 10, "B1": 20, "C1": 30,
    "A2": 2.5, "B2": "3", "C2": "文字",
    "A3": None, "B3": 5, "C3": -4,
    "A4": 0.97517, "B4": 758.37, "C4": 777.68,
}


def _split(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    return int(ref[len(letters):]) - 1, col_index(letters)


_CELLS = {_split(ref): value for ref, value in GRID.items()}


def get(row: int, col: int):
    return _CELLS.get((row, col))


# (formula, expected): numbers compare to 1e-9; ExcelError by its code.
CASES = [
    # arithmetic and precedence
    ("=1+2*3", 7), ("=(1+2)*3", 9), ("=2^3^2", 64), ("=-2^2", 4), ("=10/4", 2.5),
    ("=A1+B1*C1", 610), ("=50%", 0.5), ("=A1%", 0.1), ("=B2+1", 4), ("=\"1\"&\"2\"", "12"),
    ("=A1&\"分\"", "10分"), ("=A3+1", 1),
    # comparisons
    ("=A1<B1", True), ("=A1>=10", True), ("=A1<>10", False), ("=\"a\"=\"A\"", True), ("=A3=0", True),
    ("=A3=\"\"", True),
    # aggregates: ranges skip text and blanks; literal arguments are coerced
    ("=SUM(A1:C1)", 60), ("=SUM(A1:C3)", 63.5), ("=SUM(A1,B1,5)", 35), ("=SUM(\"2\",3)", 5),
    ("=COUNT(A1:C4)", 9), ("=AVERAGE(A1:C1)", 20), ("=AVERAGE(A1,C3)", 3),
    ("=MIN(A1:C3)", -4), ("=MAX(A1:C3)", 30), ("=MIN(A3)", 0), ("=MAX(B2:C2)", 0),
    # rounding: half away from zero, up = away from zero, down = toward zero
    ("=ROUND(2.5,0)", 3), ("=ROUND(-2.5,0)", -3), ("=ROUND(1.005,2)", 1.01), ("=ROUND(1234.5,-2)", 1200),
    ("=ROUNDUP(1.21,1)", 1.3), ("=ROUNDUP(-1.21,1)", -1.3), ("=ROUNDUP(3.0001,0)", 4),
    ("=ROUNDDOWN(1.29,1)", 1.2), ("=ROUNDDOWN(-1.29,1)", -1.2), ("=ROUND(A4*100,2)", 97.52),
    ("=ROUND(C4/B4,4)", 1.0255),
    ("=ABS(C3)", 4), ("=ABS(-2.5)", 2.5),
    # logic
    ("=IF(A1>5,\"高\",\"低\")", "高"), ("=IF(A1>50,\"高\",\"低\")", "低"), ("=IF(A1>50,1)", False),
    ("=IF(A1>5,1)", 1), ("=AND(A1>5,B1>5)", True), ("=AND(A1>5,B1>50)", False), ("=OR(A1>50,B1>5)", True),
    ("=NOT(A1>5)", False), ("=AND(B3,TRUE)", True),
    ("=IFERROR(1/0,7)", 7), ("=IFERROR(A1/2,7)", 5),
    # the forms' own formulas
    ("=MIN(C4/B4,1)*10", 10), ("=ROUND(MIN(B4/C4,1)*10,2)", 9.75), ("=IF(C4>B4,B4/C4,C4/B4)", 758.37 / 777.68),
    # errors propagate and come back as ExcelError values
    ("=1/0", ExcelError("#DIV/0!")), ("=A1/A3", ExcelError("#DIV/0!")), ("=C2+1", ExcelError("#VALUE!")),
    ("=AVERAGE(B2:C2)", ExcelError("#DIV/0!")), ("=SUM(A1,1/0)", ExcelError("#DIV/0!")),
    ("=#N/A", ExcelError("#N/A")), ("=A1:B1", ExcelError("#VALUE!")),
]


@pytest.mark.parametrize(("formula", "expected"), CASES, ids=[c[0] for c in CASES])
def test_evaluates_like_a_spreadsheet(formula: str, expected) -> None:
    got = evaluate(formula, get, sheet="表")
    if isinstance(expected, ExcelError):
        assert isinstance(got, ExcelError) and got.code == expected.code
    elif isinstance(expected, bool) or isinstance(expected, str):
        assert got == expected and type(got) is type(expected)
    else:
        assert not isinstance(got, (bool, str, ExcelError)), got
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("formula", [
    "=VLOOKUP(A1,A1:B2,2,0)",          # a function it does not know
    "=SUM(其他表!A1:A3)",                # another sheet
    "=SUM('其他 表'!A1)",
    "=SUM(A1:XFD1048576)",             # a range too large to walk
    "=1+",                             # malformed
    "=(1+2",
])
def test_what_it_cannot_do_is_unsupported(formula: str) -> None:
    with pytest.raises(Unsupported):
        evaluate(formula, get, sheet="表")


def test_own_sheet_by_name_is_the_same_sheet() -> None:
    assert evaluate("=表!A1+'表'!B1", get, sheet="表") == 30


def test_column_letters_round_trip() -> None:
    for index, letters in [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")]:
        assert col_letters(index) == letters
        assert col_index(letters) == index


@pytest.mark.parametrize(("text", "drow", "dcol", "expected"), [
    ("=SUM(H14:H27)+I7", 1, 0, "=SUM(H15:H28)+I8"),
    ("=$A$1+A1", 2, 1, "=$A$1+B3"),
    ("=$A1+A$1", 1, 1, "=$A2+B$1"),
    ("=\"A1\"&A1", 1, 0, "=\"A1\"&A2"),          # text is not a reference
    ("='A1'!B2", 1, 0, "='A1'!B3"),               # nor is a sheet name
    ("=A1", -1, 0, "=#REF!"),                     # moved off the sheet
    ("=ROUND(A1,2)", 0, 1, "=ROUND(B1,2)"),       # ROUND( is a function, not a cell
])
def test_shared_formula_shift(text: str, drow: int, dcol: int, expected: str) -> None:
    assert shift_formula(text, drow, dcol) == expected


# ---------------------------------------------------------------- against LibreOffice

@pytest.mark.libreoffice
def test_table_agrees_with_libreoffice(tmp_path: Path) -> None:
    """Write every case into a workbook, let LibreOffice calculate it, and check
    that LibreOffice's results are the table's expected values."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is part of this project's test environment (.ci/run installs it)"
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    for ref, value in GRID.items():
        if value is not None:
            ws[ref] = value
    # Not compared: a bare error literal (LibreOffice does not keep it as a formula) and a text
    # literal inside SUM, which Excel converts (=SUM("2",3) is 5) and LibreOffice answers #VALUE!.
    excel_only = {"=#N/A", '=SUM("2",3)'}
    checked = [(f, e) for f, e in CASES if f not in excel_only]
    for i, (formula, _) in enumerate(checked, start=10):
        ws.cell(row=i, column=5, value=formula)
    src = tmp_path / "formulas.xlsx"
    wb.save(src)
    out = tmp_path / "out"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
    calc = openpyxl.load_workbook(out / "formulas.xlsx", data_only=True)["表"]
    disagree = []
    for i, (formula, expected) in enumerate(checked, start=10):
        lo = calc.cell(row=i, column=5).value
        if isinstance(expected, ExcelError):
            same = isinstance(lo, str) and lo.startswith("#")
        elif isinstance(expected, (bool, str)):
            same = lo == expected
        else:
            same = isinstance(lo, (int, float)) and lo == pytest.approx(expected, rel=1e-9, abs=1e-9)
        if not same:
            disagree.append((formula, expected, lo))
    assert disagree == []
