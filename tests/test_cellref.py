"""cellref: the one place column letters become numbers and back."""

import pytest

from selfeval_xlsx import cellref


@pytest.mark.parametrize("ref, rc1", [
    ("A1", (1, 1)), ("h23", (23, 8)), ("$H$23", (23, 8)), ("Z9", (9, 26)), ("AA1", (1, 27)),
    ("XFD1048576", (1048576, 16384)),
])
def test_rc1_round_trip(ref: str, rc1: tuple[int, int]) -> None:
    assert cellref.rc1(ref) == rc1
    assert cellref.rc0(ref) == (rc1[0] - 1, rc1[1] - 1)
    assert cellref.ref1(*rc1) == ref.replace("$", "").upper()
    assert cellref.ref(rc1[0] - 1, rc1[1] - 1) == ref.replace("$", "").upper()
    assert cellref.is_ref(ref)


@pytest.mark.parametrize("bad", ["", "A", "1", "A0", "XFE1", "A1048577", "ABCD1", "A1:B2", "A 1", "A١"])
def test_rc1_refuses(bad: str) -> None:
    assert not cellref.is_ref(bad)
    with pytest.raises(ValueError):
        cellref.rc1(bad)


def test_letters_both_ways() -> None:
    for i in (0, 25, 26, 255, 256, 701, 702, 16383):
        assert cellref.col_index(cellref.col_letters(i)) == i
    assert [cellref.col_letters(i) for i in (0, 25, 26, 701, 702, 16383)] == ["A", "Z", "AA", "ZZ", "AAA", "XFD"]


def test_ranges() -> None:
    assert cellref.parse_range("C3:A1") == (0, 0, 2, 2)
    assert cellref.parse_range("B2") == (1, 1, 1, 1)
    assert cellref.range_ref(0, 0, 2, 2) == "A1:C3"
    assert cellref.range_ref(4, 1, 4, 1) == "B5"


def test_lazy_patterns_compile_on_first_use() -> None:
    import re

    from selfeval_xlsx.lazyre import lazy

    p = lazy(r"(\d+)-(\d+)", re.I)
    assert "match" not in vars(p)
    assert p.match("12-3").groups() == ("12", "3")
    assert "match" in vars(p)
    assert p.sub(r"\2-\1", "1-2 3-4") == "2-1 4-3"
    assert p.groups == 2 and p.flags & re.I
    assert [m.group(1) for m in p.finditer("1-2,3-4")] == ["1", "3"]
    assert lazy(rb"a+").fullmatch(b"aaa")
