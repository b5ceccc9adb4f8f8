"""What the text of a cell is taken to mean: the reader's vocabulary.

Every part of a form is found by its labels, never by coordinates, and the
labels are compared after :func:`norm` (NFKC, no whitespace, bracketed
parts such as "(A)" or "(50分)" dropped, leading/trailing colons and list
marks dropped).  This module holds what the reader's other modules ask of a
text:

- :func:`norm` and the label sets built from ``layout.py`` with it
  (总分 / 自评结论 / 年度总体目标 / the header fields …);
- the column a header text names: :func:`indicator_key` (一级指标 … 得分),
  :func:`funds_key` (年初预算数 … 执行率) and :func:`funds_row_key`
  (资金总额 / 财政拨款 …);
- string tests that stand in for regular expressions on the validate path
  (a goal-block label, a grade word, a bare "（A）", a template placeholder;
  ``tests/test_plain_matchers.py`` checks each against the pattern it
  replaced), ``label：value`` in one cell, and the points in a label.

Nothing here looks at a sheet: see ``reader_sheet.py`` for the grid.
"""

from __future__ import annotations

import functools
import unicodedata
from decimal import Decimal

from selfeval_xlsx import layout
from selfeval_xlsx.lazyre import lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any, Iterable


# --------------------------------------------------------------------------
# label normalisation

_OPENERS = {"(": 0, "[": 1, "【": 2, "〔": 3, "<": 4}
_CLOSERS = {")": 0, "]": 1, "】": 2, "〕": 3, ">": 4}
_WS = lazy(r"\s+")
NORM_CACHE: dict[str, str] = {}


def _drop_brackets(s: str) -> str:
    """Every bracketed part dropped, nested ones too, in one pass (the
    repeated innermost-first regex this replaces was quadratic on deep
    nesting): a closer drops back to the latest opener of its own kind,
    with whatever was opened after it; a closer with no opener stays."""
    if not any(ch in s for ch in "([【〔<"):
        return s
    out: list[str] = []
    stacks: list[list[int]] = [[], [], [], [], []]  # per kind: positions in out
    for ch in s:
        kind = _OPENERS.get(ch)
        if kind is not None:
            stacks[kind].append(len(out))
            out.append(ch)
            continue
        kind = _CLOSERS.get(ch)
        if kind is not None and stacks[kind]:
            at = stacks[kind].pop()
            del out[at:]
            for other in stacks:
                while other and other[-1] >= at:
                    other.pop()
            continue
        out.append(ch)
    return "".join(out)


def norm(text: Any) -> str:
    """Normalise a label: NFKC, no whitespace, bracketed parts dropped,
    leading/trailing colons and list marks dropped.  Linear in the text."""
    if not isinstance(text, str):
        return ""
    cached = NORM_CACHE.get(text)
    if cached is not None:
        return cached
    s = unicodedata.normalize("NFKC", text)
    s = _WS.sub("", s)
    s = _drop_brackets(s)
    s = s.strip(":：*★")
    if len(NORM_CACHE) < 50_000 and len(text) < 1000:
        NORM_CACHE[text] = s
    return s


def _names(*groups: Iterable[str]) -> frozenset[str]:
    return frozenset(norm(n) for g in groups for n in g if norm(n))


# the column a header text names (``layout.py``'s columns, by their normalised names)
_IND_COLS: dict[str, str] = {}
for _col in layout.INDICATOR_COLUMNS:
    for _n in _col.names:
        _IND_COLS.setdefault(norm(_n), _col.key)
_FUND_COLS: dict[str, str] = {}
for _col in layout.FUNDS_COLUMNS:
    for _n in _col.names:
        _FUND_COLS.setdefault(norm(_n), _col.key)

# label sets, normalised
TOTAL = _names(layout.TOTAL_LABELS, ("总计得分", "合计", "总计", "合  计", "自评总分", "自评得分合计"))
TOTAL_STRICT = _names(layout.TOTAL_LABELS)
CONCLUSION = _names(layout.CONCLUSION_LABELS, ("自评结果", "评价结果"))
_GOAL_LABEL = _names(layout.GOAL_LABELS, ("年度目标", "总体目标", "年度绩效目标"))
GOAL_EXPECTED = _names(("预期目标", "年度预期目标", "预期目标内容"))
GOAL_ACTUAL = _names(("实际完成情况", "目标实际完成情况", "实际完成内容"))
FIELD_LABELS: dict[str, str] = {}
for _key, _labels in layout.HEADER_FIELDS.items():
    for _n in _labels:
        FIELD_LABELS.setdefault(norm(_n), _key)
# "单位(盖章)" normalises to "单位": a unit label only as "单位(盖章)：XXX"
WEAK_UNIT = frozenset({"单位", "填报单位盖章", "单位盖章"})
BLOCK_LABELS = _GOAL_LABEL | GOAL_EXPECTED | GOAL_ACTUAL | _names((layout.INDICATOR_BLOCK_LABEL, "绩效指标"))
# a stated total written as a header field above the table (自评总分（分）：96)
TOTAL_FIELDS = _names(("自评总分", "自评得分", "综合得分", "自评总得分", "总得分"))
YEAR = lazy(r"((?:19|20)\d{2})\s*年度?")
_GRADE_WORDS = frozenset({"优秀", "良好", "优", "良", "中等", "中", "差", "及格", "合格", "不合格", "较差", "一般"})


def is_grade(text: str) -> bool:
    """``re.match(r"^(优秀|良好|优|良|中等|中|差|及格|合格|不合格|较差|一般)(等级|等次)?$", text)``
    as set look-ups: a grade word, perhaps followed by 等级 or 等次 (``$`` also matches before a
    final newline)."""
    text = text[:-1] if text.endswith("\n") else text
    return text in _GRADE_WORDS or (text[-2:] in ("等级", "等次") and text[:-2] in _GRADE_WORDS)


_FUNDS_ROWS_BY_KIND = {
    "department": (layout.DEPARTMENT_FUNDS_ROWS, layout.PROJECT_FUNDS_ROWS),
    "project": (layout.PROJECT_FUNDS_ROWS, layout.DEPARTMENT_FUNDS_ROWS),
}


def indicator_key(label: str) -> str | None:
    """The indicator-table column a normalised header text names (``layout.py``'s keys: level1,
    target, score …), or None."""
    key = _IND_COLS.get(label)
    if key is not None:
        return key
    if not label or len(label) > 20:
        return None
    return _indicator_key_by_words(label)


@functools.lru_cache(maxsize=4096)  # (short texts only) every text of a header-like row, form after form
def _indicator_key_by_words(label: str) -> str | None:
    if "系数" in label:
        return "ratio"  # 得分系数（%）: a ratio, not points
    if "核心" in label:
        return "core"  # 是否核心指标
    if "三级指标" in label:
        return "level3"
    if "二级指标" in label:
        return "level2"
    if "一级指标" in label:
        return "level1"
    if "得分" in label:
        return "score"
    if "分值" in label or "权重" in label:
        return "weight"
    if "原因" in label:
        return "reason"
    if "完成值" in label or "实际值" in label:
        return "actual"
    if label.endswith(("指标值", "目标值")):
        return "target"
    if "指标性质" in label:
        return "nature"
    return None


def funds_key(label: str) -> str | None:
    """The funds-block column a normalised header text names (initial, budget, executed, rate,
    weight, score …), or None."""
    key = _FUND_COLS.get(label)
    if key is not None:
        return key
    if not label or len(label) > 20:
        return None
    # "执行率权重" / "执行率得分" (Chongqing) are the points and the score, not the rate
    if "权重" in label or "分值" in label:
        return "weight"
    if "得分" in label:
        return "score"
    if "执行率" in label:
        return "rate"
    if "执行数" in label:
        return "executed"
    if "年初" in label and "预算" in label:
        return "initial"
    if "预算数" in label:
        return "budget"
    return None


_FUNDS_ROW_KEYS: dict[str, dict[str, str]] = {}  # kind -> {normalised row label or synonym: row key}


def _funds_row_keys(kind: str) -> dict[str, str]:
    """The funds rows of ``kind`` by every normalised name, built on first use: its own kind's
    rows first, each row's label before its synonyms, the first row naming a text keeping it."""
    keys = _FUNDS_ROW_KEYS.get(kind)
    if keys is None:
        keys = {}
        for rows in _FUNDS_ROWS_BY_KIND[kind]:
            for row in rows:
                for name in (row.label, *row.synonyms):
                    keys.setdefault(norm(name), row.key)
        _FUNDS_ROW_KEYS[kind] = keys
    return keys


def funds_row_key(label: str, kind: str) -> str | None:
    """The funds row a normalised row label names for a form of ``kind`` (its own kind's rows
    first), a leading 其中 dropped; None for a row ``layout.py`` does not name."""
    key = _funds_row_keys(kind).get(label)
    if key is not None:
        return key
    # "其中：当年财政拨款" style: drop a leading 其中
    if label.startswith("其中"):
        rest = label[2:].lstrip(":：,，、")
        return funds_row_key(rest, kind) if rest else None
    return None


def is_label(t: str) -> bool:
    """True when a normalised text is a label the reader knows (a field, block, total,
    conclusion or column name): never a field's value."""
    return (
        t in FIELD_LABELS
        or t in BLOCK_LABELS
        or t in CONCLUSION
        or t in TOTAL_STRICT
        or t in WEAK_UNIT
        or funds_key(t) is not None
        or _IND_COLS.get(t) is not None
    )


class LabelValue:
    """"label：value" in one cell: the label is the text before the first
    colon (1 to 20 characters once trimmed).  Found with str.find, not a
    regex (whose backtracking over long runs of spaces was quadratic)."""

    __slots__ = ("_label", "_value")

    def __init__(self, label: str, value: str):
        self._label, self._value = label, value

    def group(self, n: int) -> str:
        return self._label if n == 1 else self._value

    @staticmethod
    def match(raw: str) -> LabelValue | None:
        head = raw[:64]
        at = head.find(":")
        wide = head.find("：")
        if wide >= 0 and (at < 0 or wide < at):
            at = wide  # the first colon, either width
        if at < 0:
            return None
        label = raw[:at].strip()
        if not 1 <= len(label) <= 20:
            return None
        return LabelValue(label, raw[at + 1 :].lstrip())


_BLOCK_NUMERALS = frozenset("0123456789一二三四五六七八九十")
_BLOCK_PREFIXES = ("年度绩效目标", "绩效目标", "目标")  # no two start alike: at most one applies


def is_block(text: str) -> bool:
    """``re.match(r"^(?:年度)?绩效目标[0-9一二三四五六七八九十]+$|^目标[0-9一二三四五六七八九十]+$", text)``
    as string tests (a pattern compiled for a few labels costs a validate run more than they do;
    ``$`` also matches before a final newline)."""
    text = text[:-1] if text.endswith("\n") else text
    if not text.startswith(_BLOCK_PREFIXES):
        return False  # most texts: one test
    for prefix in _BLOCK_PREFIXES:
        if text.startswith(prefix):
            rest = text[len(prefix):]
            return bool(rest) and all(char in _BLOCK_NUMERALS for char in rest)
    return False


# points in a label; bounded and never starting inside a run of digits, so a
# cell of 32,000 digits costs one pass (as checks.DECLARED)
_POINTS = lazy(r"(?<![\d.])(\d{1,6}(?:\.\d{1,6})?)\s{0,10}分")


def points_in(text: Any) -> Decimal | None:
    """The points a label states ("年度绩效目标1（40分）" -> 40), or None."""
    if not isinstance(text, str):
        return None
    m = _POINTS.search(unicodedata.normalize("NFKC", text))
    return Decimal(m.group(1)) if m else None


_AB_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ")


def ab_only(text: str) -> bool:
    """``re.match(r"^[(（]\\s*[A-Za-zＡ-Ｚａ-ｚ]\\s*[)）]$", text)`` as string tests: one letter in
    brackets, spaces allowed inside (``\\s`` and ``str.strip`` know the same spaces; ``$`` also
    matches before a final newline)."""
    text = text[:-1] if text.endswith("\n") else text
    return (len(text) >= 3 and text[0] in "(（" and text[-1] in ")）"
            and text[1:-1].strip() in _AB_LETTERS)


DASHES = frozenset({"", "-", "--", "—", "——", "–", "\\"})
_FILLER_MARKS = frozenset("*＊xX×")


def is_placeholder(text: str, slot: bool = False) -> bool:
    """A template's stand-in text, as string tests (``$`` also matches before a final newline,
    ``.`` never a newline, ``\\d`` is ``str.isdecimal``):
    ``re.match(r"^(?:指标\\d*|[*＊xX×]+|…+|\\.{3,}|/|／|XX+|xx+|示例.*|例:.*)$", text)``, or with ``slot``
    an empty slot's only: ``re.match(r"^(?:指标\\d*|…+|\\.{3,}|/|／)$", text)``."""
    text = text[:-1] if text.endswith("\n") else text
    if not text:
        return False
    first = text[0]  # the alternatives start with different characters: at most one applies
    if text.startswith("指标"):
        return all(char.isdecimal() for char in text[2:])
    if first == "…" or first == ".":
        return text == first * len(text) and (first == "…" or len(text) >= 3)
    if text == "/" or text == "／":
        return True
    if slot:
        return False
    if first in _FILLER_MARKS:
        return all(char in _FILLER_MARKS for char in text)
    if text.startswith("示例") or text.startswith("例:"):
        return "\n" not in text
    return False

