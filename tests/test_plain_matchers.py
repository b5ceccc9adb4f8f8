"""The string tests that stand in for regular expressions on the validate path
give what the patterns they replaced give (compiling a pattern used on a few
cells cost a short ``selfeval validate`` process more than matching it).

Each is checked against its pattern on every text of a few pieces (the
pattern's building blocks, spaces, a final newline, a few other characters)
and on random longer texts."""

from __future__ import annotations

import functools
import itertools
import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfeval_xlsx import checks, reader_labels, values
from selfeval_xlsx.checks import scores
from selfeval_xlsx.model import Cell

_AROUND = (" ", "\t", "\n", "\u3000", "\xa0", "\u2028", "\x1c", "a", "1", "十", "x")


def test_re_classes_are_the_str_methods():
    # what the string tests rely on: \d is str.isdecimal, \s is str.isspace (and str.strip's spaces)
    digit, space = re.compile(r"\d"), re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert bool(digit.match(char)) == char.isdecimal(), hex(code)
        assert bool(space.match(char)) == char.isspace(), hex(code)
        assert (char.strip() == "") == char.isspace(), hex(code)


_BAD_UNIT = re.compile(r"[\d,.;:!?。、;，；：！？\"'“”]")


_PLACEHOLDER_PIECES = ("指标", "指", "标", "٣", "*", "＊", "x", "X", "×", "XX", "…", "..", ".", "/", "／", "示例", "示",
                       "例", ":", "：", "例:", "例：")

# (plain test, what the pattern gave, the pattern's pieces, texts of up to this many pieces checked)
CASES = {
    "block": (
        reader_labels.is_block,
        re.compile(r"^(?:年度)?绩效目标[0-9一二三四五六七八九十]+$|^目标[0-9一二三四五六七八九十]+$").match,
        ("年度", "绩效", "目标", "绩效目标", "年度绩效目标", "0", "9", "一", "十", "二十"),
        3,
    ),
    "ab_only": (
        reader_labels.ab_only,
        re.compile(r"^[(（]\s*[A-Za-zＡ-Ｚａ-ｚ]\s*[)）]$").match,
        ("(", "（", ")", "）", "A", "z", "Ｂ", "ｙ", "Ω", "é"),
        4,  # bracket, space, letter, bracket
    ),
    "grade": (
        reader_labels.is_grade,
        re.compile(r"^(优秀|良好|优|良|中等|中|差|及格|合格|不合格|较差|一般)(等级|等次)?$").match,
        ("优秀", "良好", "优", "良", "中等", "中", "差", "及格", "合格", "不合格", "较差", "一般", "等级", "等次", "等", "级"),
        3,
    ),
    "unit": (
        values._valid_unit,
        lambda text: len(text) <= values._UNIT_MAX and not _BAD_UNIT.search(text),
        (",", ".", ";", ":", "!", "?", "。", "、", ";", "，", "；", "：", "！", "？", '"', "'", "“", "”", "٣", "５", "万元"),
        3,
    ),
    "explicit_operator": (
        checks.explicit_operator,
        lambda text: re.search(r"^\s*(?:[≥>＞≧=＝═]|不低于|不少于|至少|大于|达到)|以上\s*$",
                               unicodedata.normalize("NFKC", text)),
        ("≥", ">", "＞", "≧", "=", "＝", "═", "不低于", "不少于", "至少", "大于", "达到", "以上", "以", "上", ">=", "95%"),
        3,
    ),
    "reader_placeholder": (
        reader_labels.is_placeholder,
        re.compile(r"^(?:指标\d*|[*＊xX×]+|…+|\.{3,}|/|／|XX+|xx+|示例.*|例:.*)$").match,
        _PLACEHOLDER_PIECES,
        3,
    ),
    "reader_slot": (
        functools.partial(reader_labels.is_placeholder, slot=True),
        re.compile(r"^(?:指标\d*|…+|\.{3,}|/|／)$").match,
        _PLACEHOLDER_PIECES,
        3,
    ),
    "checks_placeholder": (
        checks.is_placeholder,
        re.compile(r"^(指标\d*|[*＊xX×]+|…+|\.{3,}|XX+|xx+|示例.*|例[:：].*)$").match,
        _PLACEHOLDER_PIECES,
        3,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_every_short_text(name):
    plain, pattern, pieces, most = CASES[name]
    atoms = pieces + _AROUND
    for n in range(most + 1):
        for combo in itertools.product(atoms, repeat=n):
            text = "".join(combo)
            assert plain(text) == bool(pattern(text)), text


@pytest.mark.parametrize("name", CASES)
def test_random_texts(name):
    plain, pattern, pieces, _ = CASES[name]
    atoms = st.sampled_from(pieces + _AROUND) | st.characters()

    @settings(max_examples=400)
    @given(st.lists(atoms, max_size=10).map("".join))
    def check(text):
        assert plain(text) == bool(pattern(text))

    check()


def _match_date_unguarded(text):
    # values._match_date as it was: every pattern tried in turn
    match = values._FULL_DATE_RE.match(text)
    if match:
        day = values._safe_date(int(match[1]), int(match[2]), int(match[3]))
        return (match, day) if day else None
    match = values._YEAR_END_RE.match(text)
    if match:
        return match, values._safe_date(int(match[1]), 12, None)
    match = values._MONTH_RE.match(text)
    if match:
        day = values._safe_date(int(match[1]), int(match[2]), None)
        return (match, day) if day else None
    match = values._NO_YEAR_RE.match(text)
    if match and 1 <= int(match[1]) <= 12 and (match[2] is None or 1 <= int(match[2]) <= 31):
        return match, None
    return None


def _date_found(found):
    return found and (found[0].span(), found[0].groups(), found[1])


_DATE_PIECES = ("2024", "1", "12", "31", "٣", "年", "度", "月", "日", "底", "末", "份", "-", "/", ".", ":", "08:30",
                "2024年", "2024-", "2024/", "2024.", "12月", "1-", "3/", "5.")


def test_match_date_every_short_text():
    for n in range(5):
        for combo in itertools.product(_DATE_PIECES + ("", " ", "x"), repeat=n):
            text = "".join(combo)
            assert _date_found(values._match_date(text)) == _date_found(_match_date_unguarded(text)), text


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_DATE_PIECES) | st.characters(), max_size=10).map("".join))
def test_match_date_random_texts(text):
    assert _date_found(values._match_date(text)) == _date_found(_match_date_unguarded(text))


_UNIT_PIECES = ("(", "（", ")", "）", "%", "％", "‰", "万元", "元", "万", "个", "项", " ", "\n", "\u3000", "a")


def _name_unit_pattern(text):
    match = scores._NAME_UNIT.search(unicodedata.normalize("NFKC", text))
    return match.group(1) if match and text.strip() else None


def test_name_unit_every_short_text():
    for n in range(6):
        for combo in itertools.product(_UNIT_PIECES, repeat=n):
            text = "".join(combo)
            assert checks.name_unit(Cell("S", "A1", text)) == _name_unit_pattern(text), text


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_UNIT_PIECES) | st.characters(), max_size=8).map("".join))
def test_name_unit_random_texts(text):
    assert checks.name_unit(Cell("S", "A1", text)) == _name_unit_pattern(text)
