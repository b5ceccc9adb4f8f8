"""How well the tool reads the field corpus: one row per published form, then totals.

    python benchmarks/field_accuracy.py            # Markdown table (paste into the README)
    python benchmarks/field_accuracy.py --detail   # then, per form, the missing and extra findings and cells

The right answers are the hand computations in tests/field/cases.py; the
comparison is tests/field/compare.py (the same one tests/test_field.py uses).
Columns: whether a form was read on the sheet; the parts the reader says it
understood, out of those it found (the "parts" of issue 11, once the JSON has
them); kind and indicator count right;
budget rate and score right; stated and computed total right; findings
expected / found / missing / extra (a finding is code + cell); fill: cells that
should change / changed right / cells changed wrongly or that should not have
changed.

``SELFEVAL_BENCH_QUICK=1`` (set when CI's slow set runs every benchmark)
changes nothing here: this is one pass over the corpus (a few seconds),
not a timing.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELD = ROOT / "tests" / "field"
sys.path.insert(0, str(ROOT))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"field_{name}", FIELD / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def parts_summary(form: dict | None) -> str:
    """'understood/present' from the form's "parts" (issue 11), when the reader reports them."""
    parts = (form or {}).get("parts")
    if not isinstance(parts, dict) or not parts:
        return "—"
    ok = sum(1 for v in parts.values() if (v.get("understood", True) if isinstance(v, dict) else bool(v)))
    return f"{ok}/{len(parts)}"


def mark(value: bool | None) -> str:
    return "—" if value is None else ("✓" if value else "✗")


def main(argv: list[str]) -> None:
    detail = "--detail" in argv
    details: list[str] = []
    cases = _load("cases").CASES
    compare = _load("compare")
    header = ("| 文件 | 省份 | 读到表 | 部件 | 类型/指标数 | 预算 | 总分 | 问题 应有/找到/漏报/误报 | 回填 应改/改对/漏改改错或多改 |")
    print(header)
    print("|---|---|---|---|---|---|---|---|---|")
    totals = {"forms": 0, "read": 0, "shape": 0, "budget": [0, 0], "total": [0, 0], "expected": 0, "found": 0,
              "missing": 0, "extra": 0, "should": 0, "right": 0, "bad": 0, "untouched_ok": 0}
    for name, case in cases.items():
        out = compare.evaluate(name, case)
        fill = out["fill"]
        expected = len(case["findings"])
        found = len(out["matched"]) + len(out["extra"])  # matched entries + everything left over
        shape = None if case["kind"] is None else (out["kind"] and out["indicators"])
        bad = len(fill["wrong"]) + len(fill["extra"])
        print(f"| `{name}` | {case['province']} | {mark(out['understood'])} | {parts_summary(out['form'])} "
              f"| {mark(shape)} | {mark(out['budget'])} "
              f"| {mark(out['total'])} | {expected}/{found}/{len(out['missing'])}/{len(out['extra'])} "
              f"| {len(case['fill'])}/{len(fill['right'])}/{bad} |")
        if detail and (out["missing"] or out["extra"] or fill["wrong"] or fill["extra"]):
            details.append(f"{name}:\n  missing {out['missing']}\n  extra   {out['extra']}\n"
                           f"  fill not as expected {fill['wrong']}\n  fill changed needlessly {fill['extra']}")
        totals["forms"] += 1
        totals["read"] += bool(out["understood"])
        totals["shape"] += shape is None or bool(shape)
        for key in ("budget", "total"):
            if out[key] is not None:
                totals[key][0] += bool(out[key])
                totals[key][1] += 1
        totals["expected"] += expected
        totals["found"] += found
        totals["missing"] += len(out["missing"])
        totals["extra"] += len(out["extra"])
        totals["should"] += len(case["fill"])
        totals["right"] += len(fill["right"])
        totals["bad"] += bad
        totals["untouched_ok"] += (not case["fill"] and bad == 0)
    t = totals
    print(f"| **合计 {t['forms']} 份** | | {t['read']}/{t['forms']} | | {t['shape']}/{t['forms']} "
          f"| {t['budget'][0]}/{t['budget'][1]} | {t['total'][0]}/{t['total'][1]} "
          f"| {t['expected']}/{t['found']}/{t['missing']}/{t['extra']} | {t['should']}/{t['right']}/{t['bad']} |")
    hands_off = sum(1 for c in cases.values() if not c["fill"])
    print()
    print(f"Forms that must be left untouched: {hands_off}; left untouched: {t['untouched_ok']}. "
          f"Findings: {t['expected'] - t['missing']} of {t['expected']} expected found, {t['extra']} extra. "
          f"Cells: {t['right']} of {t['should']} written right, {t['bad']} left unwritten, written wrongly or written needlessly.")
    for block in details:
        print()
        print(block)


if __name__ == "__main__":
    main(sys.argv[1:])
