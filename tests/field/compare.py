"""Compare the tool with the hand computations in ``cases.py``.

Shared by ``tests/test_field.py`` (which asserts) and
``benchmarks/field_accuracy.py`` (which counts).  Nothing here knows the
right answers: they all come from ``cases.py``.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    range_boundaries,
)

from selfeval_xlsx.api import fill_file, validate_file

FIELD = Path(__file__).resolve().parent
RATE_TOLERANCE = Decimal("0.0001")   # 0.01 %
POINT_TOLERANCE = Decimal("0.01")


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value))


def close(found: Any, expected: str | None, tolerance: Decimal) -> bool:
    if expected is None:
        return found is None
    if found is None:
        return False
    return abs(_dec(found) - Decimal(expected)) <= tolerance


def the_form(result: dict, case: dict) -> dict | None:
    """The form on the case's sheet, or None when the tool found none there."""
    for form in result.get("forms") or []:
        if form.get("sheet") == case["sheet"]:
            return form
    return None


# -- findings ---------------------------------------------------------------
def _inside(cell: str | None, where: str) -> bool:
    if where == "-":
        return cell is None
    if cell is None:
        return False
    if ":" not in where:
        return cell == where
    lo_c, lo_r, hi_c, hi_r = range_boundaries(where)
    refs = cell.split(":")
    for ref in refs:
        col, row = coordinate_from_string(ref)
        c = column_index_from_string(col)
        if not (lo_c <= c <= hi_c and lo_r <= row <= hi_r):
            return False
    return True


def _code_matches(found: str, pattern: str) -> bool:
    pattern = pattern.rstrip("+")
    return pattern == "*" or found == pattern or (len(pattern) < 4 and found.startswith(pattern))


def match_findings(expected: list[str], found: list[dict]) -> tuple[list[str], list[str], list[str]]:
    """(matched, missing, extra): expected entries matched to found findings.

    An entry ``CODE@CELL`` matches one finding; ``CODE+@RANGE`` matches every
    finding of that family inside the range (at least one)."""
    pool = [(f["code"], f.get("cell")) for f in found]
    used = [False] * len(pool)
    matched: list[str] = []
    missing: list[str] = []
    # exact codes first, so a family pattern cannot take a finding an exact entry needs
    order = sorted(expected, key=lambda e: (len(e.split("@")[0].rstrip("+")) < 4, e))
    for entry in order:
        code, where = entry.split("@", 1)
        hits = [i for i, (c, cell) in enumerate(pool)
                if not used[i] and _code_matches(c, code) and _inside(cell, where)]
        if not hits:
            missing.append(entry)
            continue
        for i in hits if code.endswith("+") else hits[:1]:
            used[i] = True
        matched.append(entry)
    extra = [f"{c}@{cell or '-'}" for (c, cell), u in zip(pool, used) if not u]
    return matched, missing, extra


# -- fill -------------------------------------------------------------------
def _sheet_values(path: Path, sheet: str) -> dict[str, Any]:
    """Every non-empty cell of one sheet, by A1 reference."""
    values: dict[str, Any] = {}
    if path.suffix.lower() == ".xls":
        import xlrd

        book = xlrd.open_workbook(str(path))
        ws = book.sheet_by_name(sheet)
        for r in range(ws.nrows):
            for c in range(ws.ncols):
                cell = ws.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    continue
                from openpyxl.utils import get_column_letter

                values[f"{get_column_letter(c + 1)}{r + 1}"] = cell.value
        return values
    from openpyxl import load_workbook

    wb = load_workbook(path)
    try:
        ws = wb[sheet]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and cell.value != "":
                    values[cell.coordinate] = cell.value
    finally:
        wb.close()
    return values


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(Decimal(str(a)) - Decimal(str(b))) <= Decimal("0.000001")
    return a == b


def _written_right(value: Any, expected: str) -> bool:
    try:
        return abs(Decimal(str(value)) - Decimal(expected)) <= Decimal("0.005")
    except (ArithmeticError, ValueError):  # a text value: compare as text
        return str(value) == expected


def fill_outcome(name: str, case: dict) -> dict[str, Any]:
    """Run fill on a copy; compare the output with the input cell by cell.

    Returns ``right`` (expected cells written with the right value), ``wrong``
    (expected cells left alone or written wrong), ``extra`` (any other cell
    that changed), each a list of ``CELL: old → new`` strings."""
    source = FIELD / name
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / (Path(name).stem + ".checked.xlsx")
        result = fill_file(source, out, mark=False)
        before = _sheet_values(source, case["sheet"])
        after = _sheet_values(out, case["sheet"]) if out.exists() else dict(before)
    right: list[str] = []
    wrong: list[str] = []
    extra: list[str] = []
    for ref in sorted(set(before) | set(after) | set(case["fill"])):
        old, new = before.get(ref), after.get(ref)
        if ref in case["fill"]:
            want = case["fill"][ref]
            (right if new is not None and _written_right(new, want) else wrong).append(
                f"{ref}: {old!r} → {new!r} (want {want})")
        elif not _same(old, new):
            extra.append(f"{ref}: {old!r} → {new!r}")
    return {"right": right, "wrong": wrong, "extra": extra, "status": result.get("status")}


# -- everything at once (for the benchmark) ---------------------------------
def evaluate(name: str, case: dict) -> dict[str, Any]:
    result = validate_file(FIELD / name)
    form = the_form(result, case)
    found = form["findings"] if form else []
    matched, missing, extra = match_findings(case["findings"], found)
    budget = case.get("budget") or {}
    total = case.get("total") or {}
    out: dict[str, Any] = {
        "form": form,
        "understood": form is not None,
        "kind": form is not None and (case["kind"] is None or form.get("kind") == case["kind"]),
        "indicators": form is not None and (case["indicators"] is None or form.get("indicator_count") == case["indicators"]),
        "budget": None,
        "total": None,
        "matched": matched,
        "missing": missing,
        "extra": extra,
    }
    if budget:
        ok = form is not None
        fb = (form or {}).get("budget") or {}
        if ok and "rate" in budget:
            ok = close(fb.get("rate"), budget["rate"], RATE_TOLERANCE)
        if ok and "score" in budget:
            ok = close(fb.get("score"), budget["score"], POINT_TOLERANCE)
        out["budget"] = ok
    if total:
        ft = (form or {}).get("total") or {}
        out["total"] = form is not None and close(ft.get("stated"), total["stated"], POINT_TOLERANCE) and close(
            ft.get("computed"), total["computed"], POINT_TOLERANCE)
    out["fill"] = fill_outcome(name, case)
    return out
