"""Tests for selfeval_xlsx.values: parsing target / actual cells."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfeval_xlsx.values import VAGUE_WORDS, Direction, Value, is_vague, parse_number, parse_value

P, N, E, X = Direction.POSITIVE, Direction.NEGATIVE, Direction.EQUAL, Direction.NONE


def _fields(value: Value) -> tuple:
    return value.kind, value.direction, value.number, value.percent, value.unit


# ---------------------------------------------------------------------------
# Notation in the wild


@pytest.mark.parametrize(
    ("raw", "kind", "direction", "number", "percent", "unit"),
    [
        ("≥5次", "number", P, Decimal(5), False, "次"),
        ("25次", "number", P, Decimal(25), False, "次"),
        ("12篇/年", "number", P, Decimal(12), False, "篇/年"),
        ("79篇", "number", P, Decimal(79), False, "篇"),
        ("≤90万元", "number", N, Decimal(90), False, "万元"),
        ("≧735人次", "number", P, Decimal(735), False, "人次"),
        ("═100%", "number", E, Decimal(100), True, "%"),
        ("98%", "number", P, Decimal(98), True, "%"),
        ("≤202.6万元", "number", N, Decimal("202.6"), False, "万元"),
        ("132.9", "number", P, Decimal("132.9"), False, ""),
        ("365天", "number", P, Decimal(365), False, "天"),
        ("1,296.48", "number", P, Decimal("1296.48"), False, ""),
        ("≦3%", "number", N, Decimal(3), True, "%"),
        ("＝100％", "number", E, Decimal(100), True, "%"),
        ("==1", "number", E, Decimal(1), False, ""),
        (">=90%", "number", P, Decimal(90), True, "%"),
        ("=>90%", "number", P, Decimal(90), True, "%"),
        ("<=5天", "number", N, Decimal(5), False, "天"),
        ("≥ 5 次", "number", P, Decimal(5), False, "次"),
        ("＞＝５", "number", P, Decimal(5), False, ""),
        ("\u3000≥５０ 人次\u3000", "number", P, Decimal(50), False, "人次"),
        ("3‰", "number", P, Decimal(3), False, "‰"),
        ("-5%", "number", P, Decimal(-5), True, "%"),
        ("0.5", "number", P, Decimal("0.5"), False, ""),
    ],
)
def test_notation(raw, kind, direction, number, percent, unit):
    value = parse_value(raw)
    assert _fields(value) == (kind, direction, number, percent, unit)
    assert value.raw == raw.strip()
    assert value.quantitative


@pytest.mark.parametrize(
    ("raw", "direction", "strict", "number", "unit"),
    [
        ("不低于95%", P, False, Decimal(95), "%"),
        ("不少于10个", P, False, Decimal(10), "个"),
        ("至少3次", P, False, Decimal(3), "次"),
        ("达到100%", P, False, Decimal(100), "%"),
        ("大于等于20户", P, False, Decimal(20), "户"),
        ("不小于5公里", P, False, Decimal(5), "公里"),
        ("高于80%", P, True, Decimal(80), "%"),
        ("超过3项", P, True, Decimal(3), "项"),
        ("不高于5%", N, False, Decimal(5), "%"),
        ("不超过30万元", N, False, Decimal(30), "万元"),
        ("小于等于10天", N, False, Decimal(10), "天"),
        ("低于2%", N, True, Decimal(2), "%"),
        ("控制在100万元以内", N, False, Decimal(100), "万元"),
        ("控制在预算内", None, None, None, None),
        ("100万元以内", N, False, Decimal(100), "万元"),
        ("5%以下", N, False, Decimal(5), "%"),
        ("30天内", N, False, Decimal(30), "天"),
        ("90%以上", P, False, Decimal(90), "%"),
        ("95%及以上", P, False, Decimal(95), "%"),
        ("等于100%", E, False, Decimal(100), "%"),
        (">5次", P, True, Decimal(5), "次"),
        ("＜3次", N, True, Decimal(3), "次"),
        ("控制在≤50万元", N, False, Decimal(50), "万元"),
        ("不超过50万元以上", N, False, Decimal(50), "万元"),
    ],
)
def test_word_operators(raw, direction, strict, number, unit):
    value = parse_value(raw)
    if direction is None:
        assert value.kind == "text"
        return
    assert value.kind == "number"
    assert (value.direction, value.strict, value.number, value.unit) == (direction, strict, number, unit)


@pytest.mark.parametrize(
    "raw",
    ["按期保质完成", "高", "优秀", "达成预期指标", "严格执行相关制度规定", "完成", "效果明显", "合规", "及时", "好",
     "无", "不断提升", "3-5次", "5次，效果明显", "≥良好", "达成", "指标1", "*", "1e5"],
)
def test_qualitative_text(raw):
    value = parse_value(raw)
    assert (value.kind, value.direction, value.number, value.unit, value.date) == ("text", X, None, "", None)
    assert not value.quantitative


@pytest.mark.parametrize("raw", [None, "", "  ", "—", "——", "-", "－", "/", "\u3000"])
def test_empty(raw):
    value = parse_value(raw)
    assert value.kind == "empty"
    assert value.direction is X
    assert value.number is None
    assert not value.quantitative


@pytest.mark.parametrize(
    ("raw", "day", "direction"),
    [
        ("2023年12月31日前", datetime.date(2023, 12, 31), N),
        ("2023年12月31日", datetime.date(2023, 12, 31), X),
        ("2023年6月30日之前完成", datetime.date(2023, 6, 30), N),
        ("2023-12-31", datetime.date(2023, 12, 31), X),
        ("2023/3/1", datetime.date(2023, 3, 1), X),
        ("2023.12.31前", datetime.date(2023, 12, 31), N),
        ("2023-12-31 00:00:00", datetime.date(2023, 12, 31), X),
        ("2024年2月底前", datetime.date(2024, 2, 29), N),
        ("2023年11月", datetime.date(2023, 11, 30), X),
        ("2023年底前", datetime.date(2023, 12, 31), N),
        ("2023年12月31日以后", datetime.date(2023, 12, 31), P),
        ("12月底之前完成", None, N),
        ("6月30日前", None, N),
        ("２０２３年１２月３１日前", datetime.date(2023, 12, 31), N),
    ],
)
def test_dates(raw, day, direction):
    value = parse_value(raw)
    assert (value.kind, value.date, value.direction, value.number) == ("date", day, direction, None)
    assert not value.quantitative


@pytest.mark.parametrize("raw", ["2023年2月30日前", "2023年13月", "13月底前", "2023年12月31日前完成10个项目"])
def test_impossible_dates_are_not_dates(raw):
    assert parse_value(raw).kind != "date"


def test_cell_types():
    assert _fields(parse_value(25)) == ("number", P, Decimal(25), False, "")
    assert parse_value(9.752).number == Decimal("9.752")
    assert parse_value(0.99).number == Decimal("0.99")
    assert parse_value(0.99).percent is False
    assert parse_value(Decimal("1296.48")).raw == "1296.48"
    moment = datetime.datetime(2023, 12, 31, 0, 0)
    assert (parse_value(moment).kind, parse_value(moment).date) == ("date", datetime.date(2023, 12, 31))
    assert parse_value(datetime.date(2023, 1, 2)).date == datetime.date(2023, 1, 2)
    assert parse_value(float("nan")).kind == "text"
    assert parse_value(float("inf")).kind == "text"
    assert parse_value(True).kind == "text"


# ---------------------------------------------------------------------------
# 指标性质 and 度量单位 columns (Sichuan / Yunnan)


@pytest.mark.parametrize(
    ("nature", "direction", "strict"),
    [("≥", P, False), ("≤", N, False), ("=", E, False), ("＞", P, True), ("<", N, True), ("正向", P, False),
     ("反向", N, False), ("反向指标", N, False), (" ≤ ", N, False), ("不高于", N, False)],
)
def test_nature_overrides_direction(nature, direction, strict):
    value = parse_value("95", nature)
    assert (value.kind, value.direction, value.strict, value.number) == ("number", direction, strict, Decimal(95))


def test_nature_overrides_written_operator():
    assert parse_value("≥30万元", "≤").direction is N


@pytest.mark.parametrize("nature", [None, "", "定量", "???", "≥≥x"])
def test_unknown_nature_keeps_direction(nature):
    assert parse_value("≤30", nature).direction is N


def test_qualitative_nature_makes_text():
    value = parse_value("100", "定性")
    assert (value.kind, value.number, value.direction, value.raw) == ("text", None, X, "100")
    assert parse_value("", "定性").kind == "empty"


def test_nature_on_text_keeps_text():
    value = parse_value("高", "≥")
    assert (value.kind, value.direction) == ("text", X)


def test_nature_on_date():
    assert parse_value("2023年12月31日", "≤").direction is N


def test_unit_column():
    value = parse_value(95, "≥", unit="%")
    assert (value.number, value.percent, value.unit, value.direction) == (Decimal(95), True, "%", P)
    assert parse_value("5次", unit="个").unit == "次"
    assert parse_value("5", unit="—").unit == ""
    assert parse_value("高", unit="%").unit == ""


# ---------------------------------------------------------------------------
# parse_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3分", Decimal(3)),
        ("25次", Decimal(25)),
        ("1,296.48", Decimal("1296.48")),
        ("１，２９６.４８", Decimal("1296.48")),
        ("97.52%", Decimal("0.9752")),
        ("3‰", Decimal("0.003")),
        (" 10 ", Decimal(10)),
        ("-2.5", Decimal("-2.5")),
        (9.752, Decimal("9.752")),
        (0.1, Decimal("0.1")),
        (10, Decimal(10)),
        (Decimal("97.752"), Decimal("97.752")),
        ("—", None),
        ("-", None),
        ("", None),
        ("无", None),
        (None, None),
        ("优秀", None),
        ("约3分", None),
        ("3-5", None),
        (True, None),
        (float("nan"), None),
        ("≥5", None),
    ],
)
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


def test_parse_number_percent_as_written():
    assert parse_number("97.52%", percent_as_fraction=False) == Decimal("97.52")


def test_parse_number_float_has_no_binary_noise():
    assert str(parse_number(9.752)) == "9.752"


# ---------------------------------------------------------------------------
# Vague targets


@pytest.mark.parametrize("text", ["不断提升", "有效提升", "逐步改善", "进一步提高", "明显提升", "持续改善", "群众满意度 不断 提升"])
def test_vague(text):
    assert is_vague(text)


@pytest.mark.parametrize("text", ["按期保质完成", "≥95%", "进一步提高到95%", "效果明显", "", None])
def test_not_vague(text):
    assert not is_vague(text)


def test_vague_words_documented():
    assert {"不断提升", "有效提升", "逐步改善", "进一步提高", "明显提升", "持续改善"} <= set(VAGUE_WORDS)


# ---------------------------------------------------------------------------
# Properties

_plain_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**9, max_value=10**9)
_units = st.sampled_from(["", "次", "万元", "元", "%", "篇/年", "人次", "天", "户", "批次", "项", "公里", "个", "份"])


@given(st.one_of(st.text(), st.integers(), st.floats(), st.decimals(), st.none(), st.booleans(),
                 st.datetimes(), st.dates()),
       st.one_of(st.none(), st.text(), st.sampled_from(["≥", "≤", "=", "正向", "反向", "定性"])))
def test_parse_value_never_raises(raw, nature):
    value = parse_value(raw, nature)
    assert value.kind in ("empty", "number", "date", "text")
    assert (value.number is not None) == (value.kind == "number")


@given(st.text())
def test_parse_number_never_raises(raw):
    result = parse_number(raw)
    assert result is None or result.is_finite()


@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                 st.decimals(allow_nan=False, allow_infinity=False)))
def test_cell_number_round_trips(x):
    value = parse_value(x)
    assert value.kind == "number"
    assert value.number == Decimal(str(x))
    assert value.direction is P


@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                 st.decimals(allow_nan=False, allow_infinity=False)))
def test_number_text_round_trips(x):
    text = str(x)
    if "e" in text.lower():
        return
    assert parse_number(text) == Decimal(text)
    assert parse_value(text).number == Decimal(text)


@given(_plain_decimals, _units, st.sampled_from([("≥", P), ("≤", N), ("=", E), ("不低于", P), ("不超过", N), ("", P)]))
def test_operator_number_unit_round_trip(x, unit, operator):
    symbol, direction = operator
    value = parse_value(f"{symbol}{x}{unit}")
    assert value.kind == "number"
    assert value.number == x
    assert value.direction is direction
    assert value.unit == unit
    assert value.percent == (unit == "%")
