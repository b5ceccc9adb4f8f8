"""Tests for selfeval_xlsx.scoring: formulas, budget, grades, tolerance."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfeval_xlsx.profile import DEFAULT
from selfeval_xlsx.record import replace
from selfeval_xlsx.scoring import (
    budget_rate,
    budget_score,
    budget_score_candidates,
    comparable,
    grade,
    matches,
    normalise_grade,
    overachieved,
    qualitative_tier,
    quantitative_score,
    round_half_up,
)
from selfeval_xlsx.values import Direction, parse_value

D = Decimal
P, N, E, X = Direction.POSITIVE, Direction.NEGATIVE, Direction.EQUAL, Direction.NONE
LINEAR = replace(DEFAULT, reverse_formula="linear")


def score(target, actual, weight, profile=DEFAULT):
    return quantitative_score(parse_value(target), parse_value(actual), weight, profile)


# ---------------------------------------------------------------------------
# Every real pair of docs/domain.md ("Value notation in the wild"), parsed and scored at 10 points


@pytest.mark.parametrize(
    ("target", "actual", "t_fields", "a_fields", "expected"),
    [
        ("≥5次", "25次", ("number", P, D(5), "次"), ("number", P, D(25), "次"), D(10)),
        ("12篇/年", "79篇", ("number", P, D(12), "篇/年"), ("number", P, D(79), "篇"), D(10)),
        ("≤90万元", "90", ("number", N, D(90), "万元"), ("number", P, D(90), ""), D(10)),
        ("≧735人次", "735", ("number", P, D(735), "人次"), ("number", P, D(735), ""), D(10)),
        ("═100%", "98%", ("number", E, D(100), "%"), ("number", P, D(98), "%"), D("9.8")),
        ("≤202.6万元", "132.9", ("number", N, D("202.6"), "万元"), ("number", P, D("132.9"), ""), D(10)),
        ("2023年12月31日前", "按期保质完成", ("date", N, None, ""), ("text", X, None, ""), None),
        ("70%", "76%", ("number", P, D(70), "%"), ("number", P, D(76), "%"), D(10)),
        ("高", "高", ("text", X, None, ""), ("text", X, None, ""), None),
        ("严格执行相关制度规定", "达成预期指标", ("text", X, None, ""), ("text", X, None, ""), None),
        ("≤30万元", "完成", ("number", N, D(30), "万元"), ("text", X, None, ""), None),
    ],
)
def test_domain_pairs(target, actual, t_fields, a_fields, expected):
    t, a = parse_value(target), parse_value(actual)
    assert (t.kind, t.direction, t.number, t.unit) == t_fields
    assert (a.kind, a.direction, a.number, a.unit) == a_fields
    assert quantitative_score(t, a, D(10)) == expected


# ---------------------------------------------------------------------------
# The seed form


def test_seed_count_rows():
    assert score("≥5次", "25次", D(3)) == D(3)
    assert score("≥5次", "41次", D(5)) == D(5)
    assert score("12篇/年", "79篇", D(3)) == D(3)


def test_seed_reverse_row():
    assert score("≤1%", "2%", D(10)) == D(5)


def test_seed_budget():
    rate = budget_rate(D("777.68"), D("758.37"))
    assert str(rate).startswith("0.9751697")
    assert round_half_up(rate, 4) == D("0.9752")
    assert round_half_up(budget_score(rate, DEFAULT), 2) == D("9.75")
    candidates = budget_score_candidates(rate, DEFAULT)
    assert D("9.752") in candidates
    assert candidates[0] == rate * 10
    assert matches(D("9.752"), candidates, DEFAULT)
    assert matches(D("9.7517"), candidates, DEFAULT)
    assert matches(D("9.75"), candidates, DEFAULT)
    assert not matches(D("9.85"), candidates, DEFAULT)
    assert not matches(D("10"), candidates, DEFAULT)


# ---------------------------------------------------------------------------
# Formulas


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("≥10", "5", D(5)),
        ("≥10", "10", D(10)),
        ("≥10", "0", D(0)),
        ("≥10", "-3", D(0)),
        ("10", "30", D(10)),
        ("≥0", "5", None),
        ("≥-5", "5", None),
        ("≤10", "20", D(5)),
        ("≤10", "10", D(10)),
        ("≤10", "0", D(10)),
        ("≤10", "-1", D(10)),
        ("≤0", "0", D(10)),
        ("≤0", "5", D(0)),
        ("≤-5", "5", None),
        ("=100", "98", D("9.8")),
        ("=100", "102", D(10) * D(100) / D(102)),
        ("=100", "100", D(10)),
        ("=100", "0", D(0)),
        ("=0", "1", D(0)),
        ("=0", "0", D(10)),
        ("=5", "-5", D(0)),
        ("=-2", "-4", D(5)),
        ("≥99%", "99", D(10)),
        ("99", "99%", D(10)),
        ("≥95%", "0.95", D(10)),
        ("≥95%", "0.475", D(5)),
        ("≥2%", "1", D(10)),
    ],
)
def test_formulas(target, actual, expected):
    assert score(target, actual, D(10)) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [("5", D(10)), ("10", D(10)), ("15", D(5)), ("12.5", D("7.5")), ("20", D(0)), ("25", D(0)), ("0", D(10))],
)
def test_linear_reverse_formula(actual, expected):
    assert score("≤10", actual, D(10), LINEAR) == expected


def test_linear_differs_from_ratio():
    assert score("≤10", "15", D(10), LINEAR) == D(5)
    assert score("≤10", "15", D(10)) == D(10) * D(10) / D(15)
    assert score("≤0", "3", D(10), LINEAR) == D(0)


@pytest.mark.parametrize(
    ("target", "actual", "weight"),
    [("≥5次", "25次", None), ("按期保质完成", "按期保质完成", D(5)), ("≥5次", "", D(5)), ("", "5", D(5)),
     ("2023年12月31日前", "2023年12月1日", D(5)), ("≥5", "5", D(-1))],
)
def test_not_computable(target, actual, weight):
    assert score(target, actual, weight) is None


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [("≥95%", "0.98", (D(95), D(98))), ("0.95", "98%", (D(95), D(98))), ("99%", "99", (D(99), D(99))),
     ("≤1%", "0.5", (D(1), D("0.5"))), ("≥5次", "25次", (D(5), D(25))), ("高", "5", None), ("5", "", None)],
)
def test_comparable(target, actual, expected):
    assert comparable(parse_value(target), parse_value(actual)) == expected


def test_scores_are_exact_decimals():
    result = score("≥3", "1", D(10))
    assert isinstance(result, Decimal)
    assert result == D(10) / D(3)


# ---------------------------------------------------------------------------
# Over-achievement


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [("≥5次", "25次", True), ("≥10", "13", True), ("≥10", "12.99", False), ("10", "13", True),
     ("≤10", "100", False), ("=10", "20", False), ("高", "高", False), ("≥0", "5", False),
     ("≥90%", "0.99", False), ("≥50%", "0.7", True)],
)
def test_overachieved(target, actual, expected):
    assert overachieved(parse_value(target), parse_value(actual), DEFAULT) is expected


def test_overachieved_threshold_from_profile():
    profile = replace(DEFAULT, overachievement_ratio=D("1.2"))
    assert overachieved(parse_value("≥10"), parse_value("12"), profile)
    assert not overachieved(parse_value("≥10"), parse_value("12"), DEFAULT)


# ---------------------------------------------------------------------------
# Qualitative tiers


@pytest.mark.parametrize(
    ("score_", "expected"),
    [(D(10), "full"), (D(8), "full"), (D("7.99"), "partial"), (D(5), "partial"), (D("4.99"), "none"), (D(0), "none")],
)
def test_qualitative_tiers(score_, expected):
    assert qualitative_tier(score_, D(10), DEFAULT) == expected


def test_qualitative_tiers_partial_floor_60():
    profile = replace(DEFAULT, qualitative_partial=D("0.6"))
    assert qualitative_tier(D(6), D(10), profile) == "partial"
    assert qualitative_tier(D("5.99"), D(10), profile) == "none"
    assert qualitative_tier(D(5), D(10), profile) == "none"
    assert qualitative_tier(D("2.4"), D(3), profile) == "full"


# ---------------------------------------------------------------------------
# Budget


def test_budget_rate():
    assert budget_rate(D(100), D(50)) == D("0.5")
    assert budget_rate(None, D(50)) is None
    assert budget_rate(D(0), D(50)) is None
    assert budget_rate(D(100), None) is None


@pytest.mark.parametrize(
    ("rate", "points", "expected"),
    [(D("0.5"), D(10), D(5)), (D("1.2"), D(10), D(10)), (D(1), D(10), D(10)), (D(-1), D(10), D(0)),
     (D("0.5"), D(20), D(10)), (D("1.5"), D(20), D(20)), (D("0.97517"), D(20), D("19.5034"))],
)
def test_budget_score(rate, points, expected):
    assert budget_score(rate, replace(DEFAULT, budget_points=points)) == expected


def test_budget_candidates():
    assert budget_score_candidates(D("0.5"), DEFAULT) == (D(5),)
    assert budget_score_candidates(D("1.3"), DEFAULT) == (D(10),)
    two_places = replace(DEFAULT, rate_decimals=2)
    assert budget_score_candidates(D("0.97517"), two_places) == (D("9.7517"), D("9.8"))
    assert budget_score_candidates(D("0.99996"), DEFAULT) == (D("9.9996"), D(10))


# ---------------------------------------------------------------------------
# Rounding


@pytest.mark.parametrize(
    ("x", "places", "expected"),
    [(D("9.755"), 2, D("9.76")), (D("9.7517"), 2, D("9.75")), (D("0.975170"), 4, D("0.9752")),
     (D("-0.005"), 2, D("-0.01")), (D("2.5"), 0, D(3)), (D("97.752"), 1, D("97.8")), (D("1E+30"), 2, D("1E+30"))],
)
def test_round_half_up(x, places, expected):
    result = round_half_up(x, places)
    assert result == expected
    assert result.as_tuple().exponent == -places


# ---------------------------------------------------------------------------
# Grades


@pytest.mark.parametrize(
    ("total", "expected"),
    [(D(100), "优秀"), (D(90), "优秀"), (D("89.99"), "良好"), (D(80), "良好"), (D("79.99"), "中"),
     (D(60), "中"), (D("59.99"), "差"), (D(0), "差"), (D("97.752"), "优秀")],
)
def test_grade_ministry_bands(total, expected):
    assert grade(total, DEFAULT) == expected


@pytest.mark.parametrize(("total", "expected"), [(D(80), "优秀"), (D("79.99"), "良好"), (D(70), "良好"), (D(69), "中")])
def test_grade_vendor_bands(total, expected):
    profile = replace(DEFAULT, grade_excellent=D(80), grade_good=D(70))
    assert grade(total, profile) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("优", "优秀"), ("优秀", "优秀"), (" 优 秀 ", "优秀"), ("优\n秀", "优秀"), ("A", "优秀"), ("a", "优秀"),
     ("良", "良好"), ("良好", "良好"), ("中", "中"), ("合格", "中"), ("中等", "中"), ("差", "差"),
     ("不合格", "差"), ("较差", "差"), ("自评等级：优秀（97.75分）", "优秀"), ("完成情况良好", "良好"),
     ("优秀或良好", None), ("按时保质完成", None), ("", None), (None, None), (97, None), ("优化服务", None)],
)
def test_normalise_grade(text, expected):
    assert normalise_grade(text) == expected


# ---------------------------------------------------------------------------
# Tolerance


def test_matches():
    assert matches(D("3"), D("3.01"), DEFAULT)
    assert matches(D("3"), D("2.99"), DEFAULT)
    assert not matches(D("3"), D("3.011"), DEFAULT)
    assert matches(D("3"), [D(1), D("3.005")], DEFAULT)
    assert not matches(D("3"), [], DEFAULT)
    assert matches(D("3"), (d for d in [D("3.1"), D("3")]), DEFAULT)
    assert matches(D("3.1"), D("3"), replace(DEFAULT, tolerance=D("0.1")))


# ---------------------------------------------------------------------------
# Properties

_amounts = st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10**6, max_value=10**6)
_weights = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=0, max_value=100)
_operators = st.sampled_from(["≥", "≤", "=", "", ">", "<", "不超过", "控制在"])
_units = st.sampled_from(["", "%", "次", "万元"])
_profiles = st.sampled_from([DEFAULT, LINEAR])


@given(_operators, _amounts, _units, _amounts, _units, _weights, _profiles)
def test_score_within_weight(operator, a, unit_a, b, unit_b, weight, profile):
    result = score(f"{operator}{a}{unit_a}", f"{b}{unit_b}", weight, profile)
    if result is not None:
        assert D(0) <= result <= weight


@given(_amounts, _amounts, _weights)
def test_met_positive_target_scores_full(a, b, weight):
    if a > 0 and b >= a:
        assert score(f"≥{a}", f"{b}", weight) == weight


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-5, max_value=5, places=6),
       st.sampled_from([D(10), D(20)]))
def test_budget_score_within_points(rate, points):
    profile = replace(DEFAULT, budget_points=points)
    for candidate in budget_score_candidates(rate, profile):
        assert D(0) <= candidate <= points
