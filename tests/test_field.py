"""The field corpus: published forms of ten provinces against hand computations.

Each workbook in ``tests/field/`` is a form a finance bureau or department
published, rebuilt cell for cell (``tests/field/build.py``); what a careful
reviewer finds on it was worked out by hand in ``tests/field/cases.py``.  For
every form this checks what the tool reads (kind, indicator count, budget rate
and score, stated and computed total), the exact findings (code and cell), and
the exact cells ``fill`` changes, read back cell by cell against the input.

Where the reader still gets a form wrong, that check is marked
``xfail(strict=True)`` with what it gets wrong: it keeps the suite green, and a
check that starts passing fails as XPASS so the mark gets removed.  The
expectations are never loosened to match the tool.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from selfeval_xlsx.api import validate_file

FIELD = Path(__file__).resolve().parent / "field"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"field_{name}", FIELD / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


CASES = _load("cases").CASES
compare = _load("compare")

# (file, aspect) -> what the reader still gets wrong.  Add an entry (with what it gets wrong) when a new
# field form is not read right; remove it when it passes.  Since the reader of issue 11 §1–3 every
# expectation passes.
XFAIL: dict[tuple[str, str], str] = {}

ASPECTS = ("kind", "indicators", "budget", "total", "findings", "fill")


def _expected(case: dict, aspect: str) -> bool:
    """Whether the case states an expectation for this aspect (a form of an
    unknown layout has no kind or indicator count; some layouts have no
    budget score or total)."""
    if aspect in ("kind", "indicators"):
        return case[aspect] is not None
    if aspect in ("budget", "total"):
        return bool(case[aspect])
    return True


def _params():
    for name, case in CASES.items():
        for aspect in ASPECTS:
            if not _expected(case, aspect):
                continue
            reason = XFAIL.get((name, aspect))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(name, aspect, id=f"{name}-{aspect}", marks=marks)


_validated: dict[str, dict] = {}


def _form(name: str) -> dict | None:
    if name not in _validated:
        _validated[name] = validate_file(FIELD / name)
    return compare.the_form(_validated[name], CASES[name])


def test_corpus_files_exist_and_cases_cover_them():
    files = {p.name for p in FIELD.iterdir() if p.suffix in (".xlsx", ".xls")}
    assert files == set(CASES), files ^ set(CASES)
    provinces = {case["province"] for case in CASES.values()}
    assert len(provinces) >= 10, provinces
    for case in CASES.values():
        assert case["source"] and case["unit"] and case["variant"]


@pytest.mark.parametrize(("name", "aspect"), list(_params()))
def test_field_form(name: str, aspect: str):
    case = CASES[name]
    if aspect == "fill":
        outcome = compare.fill_outcome(name, case)
        assert not outcome["wrong"] and not outcome["extra"], outcome
        assert len(outcome["right"]) == len(case["fill"])
        return
    form = _form(name)
    if aspect == "findings":
        found = form["findings"] if form else []
        _, missing, extra = compare.match_findings(case["findings"], found)
        assert (missing, extra) == ([], []), f"missing {missing}, extra {extra}"
        return
    if aspect == "kind":
        assert form is not None, "no form read on the sheet"
        assert form["kind"] == case["kind"]
    elif aspect == "indicators":
        assert form is not None, "no form read on the sheet"
        assert form["indicator_count"] == case["indicators"]
    elif aspect == "budget":
        budget = case["budget"]
        assert form is not None, "no form read on the sheet"
        found = form.get("budget") or {}
        if "rate" in budget:
            assert compare.close(found.get("rate"), budget["rate"], compare.RATE_TOLERANCE), (found, budget)
        if "score" in budget:
            assert compare.close(found.get("score"), budget["score"], compare.POINT_TOLERANCE), (found, budget)
    elif aspect == "total":
        total = case["total"]
        assert form is not None, "no form read on the sheet"
        found = form.get("total") or {}
        assert compare.close(found.get("stated"), total["stated"], compare.POINT_TOLERANCE), (found, total)
        assert compare.close(found.get("computed"), total["computed"], compare.POINT_TOLERANCE), (found, total)
