"""Tests for selfeval_xlsx.profile: loading province profiles from TOML."""

from __future__ import annotations

from decimal import Decimal

import pytest

from selfeval_xlsx.profile import DEFAULT, ProfileError, load_profile, profile_from_dict
from selfeval_xlsx.scoring import budget_score, grade


def _write(tmp_path, text: str, name: str = "p.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_none_is_default():
    assert load_profile(None) is DEFAULT


def test_default_values():
    assert DEFAULT.total_points == Decimal(100)
    assert DEFAULT.budget_points == Decimal(10)
    assert (DEFAULT.grade_excellent, DEFAULT.grade_good, DEFAULT.grade_pass) == (Decimal(90), Decimal(80), Decimal(60))
    assert (DEFAULT.qualitative_full, DEFAULT.qualitative_partial) == (Decimal("0.8"), Decimal("0.5"))
    assert DEFAULT.reverse_formula == "ratio"


def test_overrides(tmp_path):
    path = _write(
        tmp_path,
        'name = "湖北"\n[weights]\noutput = 40\nbudget = 20\n[grades]\nexcellent = 80\ngood = 70\n'
        '[qualitative]\npartial = 0.6\n[scoring]\nreverse = "linear"\ntolerance = 0.05\nrounding = 3\n',
    )
    profile = load_profile(path)
    assert profile.name == "湖北"
    assert profile.budget_points == Decimal(20)
    assert profile.level1_weights == {"output": Decimal(40), "benefit": Decimal(30), "satisfaction": Decimal(10)}
    assert profile.total_points == Decimal(100)
    assert (profile.grade_excellent, profile.grade_good, profile.grade_pass) == (Decimal(80), Decimal(70), Decimal(60))
    assert profile.qualitative_partial == Decimal("0.6")
    assert profile.qualitative_full == DEFAULT.qualitative_full
    assert profile.reverse_formula == "linear"
    assert profile.tolerance == Decimal("0.05")
    assert profile.rounding == 3
    assert profile.rate_decimals == DEFAULT.rate_decimals
    # the loaded profile drives the rules engine
    assert budget_score(Decimal("0.5"), profile) == Decimal(10)
    assert grade(Decimal(85), profile) == "优秀"


def test_float_values_are_exact_decimals(tmp_path):
    profile = load_profile(_write(tmp_path, "[scoring]\noverachievement = 1\ntolerance = 0.1\n"))
    assert profile.tolerance == Decimal("0.1")
    assert profile.overachievement_ratio == Decimal(1)


def test_cost_weight_added(tmp_path):
    profile = load_profile(_write(tmp_path, "[weights]\noutput = 30\ncost = 20\n"))
    assert profile.level1_weights["cost"] == Decimal(20)
    assert profile.total_points == Decimal(100)


def test_default_untouched_by_loading(tmp_path):
    load_profile(_write(tmp_path, "[weights]\nbudget = 20\noutput = 40\n"))
    assert DEFAULT.budget_points == Decimal(10)
    assert DEFAULT.level1_weights["output"] == Decimal(50)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[scoring]\nfoo = 1\n", "scoring.foo"),
        ("[weights]\nbonus = 5\n", "weights.bonus"),
        ("[extras]\nx = 1\n", "extras"),
        ("[weights]\nbudget = \"twenty\"\n", "weights.budget"),
        ("[weights]\nbudget = true\n", "weights.budget"),
        ("[weights]\nbudget = -1\n", "weights.budget"),
        ("[scoring]\nrounding = 2.5\n", "scoring.rounding"),
        ("[scoring]\nrounding = 11\n", "scoring.rounding"),
        ("[scoring]\nreverse = 3\n", "scoring.reverse"),
        ("[scoring]\nreverse = \"log\"\n", "scoring.reverse"),
        ("[scoring]\novershoot = 1.3\n", "scoring.overshoot"),
        ("[scoring]\noverachievement = 0.9\n", "scoring.overachievement"),
        ("name = 3\n", "name"),
        ("scoring = 3\n", "scoring"),
        ("[grades]\nexcellent = 50\n", "grades"),
        ("[qualitative]\npartial = 0.9\n", "qualitative"),
    ],
)
def test_bad_keys_are_named(tmp_path, text, named):
    path = _write(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert named in str(caught.value)
    assert "p.toml" in str(caught.value)


def test_unreadable_toml_names_file(tmp_path):
    path = _write(tmp_path, "[weights\nbudget = = 20\n", name="广东.toml")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert "广东.toml" in str(caught.value)
    assert "TOML" in str(caught.value)


def test_not_utf8_names_file(tmp_path):
    path = tmp_path / "gbk.toml"
    path.write_bytes('name = "四川"\n'.encode("gbk"))
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert "gbk.toml" in str(caught.value)


def test_missing_file_names_file(tmp_path):
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path / "nope.toml")
    assert "nope.toml" in str(caught.value)


def test_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path)
    assert str(tmp_path) in str(caught.value)


def test_profile_from_dict_source_in_message():
    with pytest.raises(ProfileError, match=r"^inline: .*scoring\.foo"):
        profile_from_dict({"scoring": {"foo": 1}}, "inline")


def test_readme_profile_example_loads_and_totals_100(tmp_path):
    """The README's own example profile is a valid file whose weights total 100."""
    import re
    from pathlib import Path


    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.S).group(1)
    path = tmp_path / "省.toml"
    path.write_text(example, encoding="utf-8")
    profile = load_profile(path)
    assert profile.total_points == 100
    assert profile.budget_points == 20 and profile.level1_weights["output"] == 40
