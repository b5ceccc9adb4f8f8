"""Every number that differs between provinces, in one place.

The default is the seed form's rules (附件3-1, 2023, Guizhou).  Named profiles
ship in ``selfeval_xlsx/profiles/`` (``mof``, ``sichuan``, ``hubei``,
``chongqing``, ``yunnan``, ``evaluation``): ``--profile NAME``.  A user passes
their own as a TOML file with ``--profile FILE``; only the keys given change,
the rest keep their defaults, but the weights must still total 100 (an error
naming the keys otherwise).  Without ``--profile`` the profile is picked per
form from the layout the reader recognised (:func:`for_layout`).

Example (all keys, default values)::

    name = "默认（附件3-1）"

    [weights]
    output = 50          # 产出指标
    benefit = 30         # 效益指标
    satisfaction = 10    # 满意度指标
    budget = 10          # 预算资金执行率 (10 or 20)

    [grades]             # lower bounds, inclusive
    excellent = 90       # 优秀
    good = 80            # 良好
    pass = 60            # 中; below: 差

    [qualitative]        # tier floors as fractions of the 分值
    full = 0.8           # 达成预期指标: 100–80 %
    partial = 0.5        # 部分达成: 80–50 % (some provinces 0.6)

    [scoring]
    reverse = "ratio"    # "ratio": A/B × 分值; "linear": (1-(B-A)/A) × 分值, 0 from 2A
    overachievement = 1.3  # B ≥ 1.3 A without an explanation → warning
    tolerance = 0.01     # a stated score within this many points is right
    rounding = 2         # decimals of the values the tool writes
    rate_decimals = 4    # the 执行率 is rounded to this many decimals (97.52 % = 0.9752)

    [layout]
    scheme = "mof"       # "mof": 产出/效益/满意度 + budget score; "evaluation": 决策/过程/产出/效益
    expects = ["funds", "indicators", "total", "conclusion"]  # parts the form should have

The evaluation scheme's weights are ``decision``, ``process``, ``output`` and
``benefit`` (``budget`` is 0: 预算执行率 is an indicator row there).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from selfeval_xlsx.record import FrozenRecord, replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any

_set = object.__setattr__  # a frozen record's fields are set once, in __init__


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names file and key.
    ``str()`` is the Chinese message, ``message("en")`` the English one."""

    def __init__(self, zh: str, en: str | None = None):
        super().__init__(zh)
        self.zh = zh
        self.en = en or zh

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


_FRESH: Any = object()  # "not given": level1_weights starts as a new dict of the default weights


class Profile(FrozenRecord):
    __slots__ = _fields = ("name", "level1_weights", "budget_points", "indicator_points", "grade_excellent",
                           "grade_good", "grade_pass", "qualitative_full", "qualitative_partial", "reverse_formula",
                           "overachievement_ratio", "tolerance", "rounding", "rate_decimals", "scheme", "key",
                           "grade_words", "expects")
    name: str
    # 一级 weights by Level1.key (layout.LEVEL1); "cost" only on forms that have it
    level1_weights: dict[str, Decimal]
    budget_points: Decimal
    # the points of all 三级 together, for a province that prescribes no per-一级 split (Sichuan's
    # 510000_0013zp: 绩效指标 90 + 预算执行 10); set, it replaces level1_weights
    indicator_points: Decimal | None
    grade_excellent: Decimal
    grade_good: Decimal
    grade_pass: Decimal
    qualitative_full: Decimal
    qualitative_partial: Decimal
    reverse_formula: str  # "ratio" | "linear"
    overachievement_ratio: Decimal
    tolerance: Decimal
    rounding: int
    rate_decimals: int
    # "mof": 产出/效益/满意度 + a budget execution score; "evaluation": 决策/过程/产出/效益,
    # budget execution an indicator row (no separate budget score)
    scheme: str
    key: str  # the named profile ("mof", "sichuan" …), "" for the built-in default or a file
    grade_words: tuple[str, ...]  # what fill writes for each grade
    expects: tuple[str, ...]  # layout parts the form should have

    def __init__(self, name: str = "默认（附件3-1）", level1_weights: dict[str, Decimal] = _FRESH,
                 budget_points: Decimal = Decimal(10), indicator_points: Decimal | None = None,
                 grade_excellent: Decimal = Decimal(90), grade_good: Decimal = Decimal(80),
                 grade_pass: Decimal = Decimal(60), qualitative_full: Decimal = Decimal("0.8"),
                 qualitative_partial: Decimal = Decimal("0.5"), reverse_formula: str = "ratio",
                 overachievement_ratio: Decimal = Decimal("1.3"), tolerance: Decimal = Decimal("0.01"),
                 rounding: int = 2, rate_decimals: int = 4, scheme: str = "mof", key: str = "",
                 grade_words: tuple[str, ...] = ("优秀", "良好", "中", "差"),
                 expects: tuple[str, ...] = ("funds", "indicators", "total")) -> None:
        if level1_weights is _FRESH:
            level1_weights = {"output": Decimal(50), "benefit": Decimal(30), "satisfaction": Decimal(10)}
        for name_, value in zip(self._fields, (
                name, level1_weights, budget_points, indicator_points, grade_excellent, grade_good, grade_pass,
                qualitative_full, qualitative_partial, reverse_formula, overachievement_ratio, tolerance, rounding,
                rate_decimals, scheme, key, grade_words, expects)):
            _set(self, name_, value)

    @property
    def total_points(self) -> Decimal:
        if self.indicator_points is not None:
            return self.indicator_points + self.budget_points
        return sum(self.level1_weights.values(), Decimal(0)) + self.budget_points


DEFAULT = Profile()

# TOML layout: section -> key -> (Profile attribute, type)
_SCHEMA: dict[str, dict[str, tuple[str, type]]] = {
    "weights": {
        "output": ("level1_weights.output", Decimal),
        "benefit": ("level1_weights.benefit", Decimal),
        "satisfaction": ("level1_weights.satisfaction", Decimal),
        "cost": ("level1_weights.cost", Decimal),
        "decision": ("level1_weights.decision", Decimal),
        "process": ("level1_weights.process", Decimal),
        "budget": ("budget_points", Decimal),
        "indicators": ("indicator_points", Decimal),
    },
    "grades": {
        "excellent": ("grade_excellent", Decimal),
        "good": ("grade_good", Decimal),
        "pass": ("grade_pass", Decimal),
        "words": ("grade_words", tuple),
    },
    "layout": {
        "scheme": ("scheme", str),
        "expects": ("expects", tuple),
    },
    "qualitative": {
        "full": ("qualitative_full", Decimal),
        "partial": ("qualitative_partial", Decimal),
    },
    "scoring": {
        "reverse": ("reverse_formula", str),
        "overachievement": ("overachievement_ratio", Decimal),
        "tolerance": ("tolerance", Decimal),
        "rounding": ("rounding", int),
        "rate_decimals": ("rate_decimals", int),
    },
}


def _convert(path: str, dotted: str, value: Any, kind: type) -> Any:
    where = f"{path}: {dotted}"
    if kind is Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProfileError(f"{where} 应为数字，得到 {value!r}", f"{where} must be a number, got {value!r}")
        number = Decimal(str(value))
        if number < 0:
            raise ProfileError(f"{where} 不能为负数，得到 {value!r}", f"{where} cannot be negative, got {value!r}")
        return number
    if kind is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ProfileError(f"{where} 应为文本列表，得到 {value!r}")
        return tuple(v.strip() for v in value)
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise ProfileError(f"{where} 应为 0 到 10 的整数，得到 {value!r}",
                               f"{where} must be a whole number from 0 to 10, got {value!r}")
        return value
    if not isinstance(value, str):
        raise ProfileError(f"{where} 应为文本，得到 {value!r}", f"{where} must be text, got {value!r}")
    return value


def profile_from_dict(data: dict[str, Any], source: str = "<profile>") -> Profile:
    """Build a profile from parsed TOML; unknown or ill-typed keys raise ProfileError."""
    changes: dict[str, Any] = {}
    layout = data.get("layout") if isinstance(data.get("layout"), dict) else {}
    evaluation = layout.get("scheme") == "evaluation"
    given = data.get("weights") if isinstance(data.get("weights"), dict) else {}
    # the evaluation scheme has its own 一级 (决策/过程/产出/效益) and no budget score; an
    # "indicators" total replaces the per-一级 weights
    weights = {} if evaluation or "indicators" in given else dict(DEFAULT.level1_weights)
    if evaluation:
        changes["budget_points"] = Decimal(0)
    for section, values in data.items():
        if section == "name":
            if not isinstance(values, str):
                raise ProfileError(f"{source}: name 应为文本，得到 {values!r}",
                                   f"{source}: name must be text, got {values!r}")
            changes["name"] = values
            continue
        schema = _SCHEMA.get(section)
        if schema is None:
            known = ", ".join(["name", *_SCHEMA])
            raise ProfileError(f"{source}: 未知的节 [{section}]（可用：{known}）",
                               f"{source}: unknown section [{section}] (known: {known})")
        if not isinstance(values, dict):
            raise ProfileError(f"{source}: [{section}] 应为一个节（表），得到 {values!r}",
                               f"{source}: [{section}] must be a section (table), got {values!r}")
        for key, value in values.items():
            if key not in schema:
                raise ProfileError(
                    f"{source}: 未知的键 {section}.{key}（可用：{', '.join(schema)}）",
                    f"{source}: unknown key {section}.{key} (known: {', '.join(schema)})",
                )
            attr, kind = schema[key]
            converted = _convert(source, f"{section}.{key}", value, kind)
            if attr.startswith("level1_weights."):
                weights[attr.split(".", 1)[1]] = converted
            else:
                changes[attr] = converted
    changes["level1_weights"] = weights
    profile = replace(DEFAULT, **changes)
    _check(profile, source)
    return profile


def _check(profile: Profile, source: str) -> None:
    total = profile.total_points
    if total != 100:
        shares = dict(profile.level1_weights)
        if profile.indicator_points is not None:
            shares = {"indicators": profile.indicator_points}
        parts = " + ".join(f"{key} {_plain(value)}" for key, value in shares.items())
        parts += f" + budget {_plain(profile.budget_points)}"
        keys = ", ".join(f"weights.{key}" for key in (*shares, "budget"))
        raise ProfileError(
            f"{source}: [weights] 合计 {_plain(total)}（{parts}），应为 100；请调整 {keys} 使合计为 100"
            "（未写出的键取默认值：output 50, benefit 30, satisfaction 10, budget 10）",
            f"{source}: [weights] add up to {_plain(total)} ({parts}); they must add up to 100: adjust {keys} "
            "(keys not written take their defaults: output 50, benefit 30, satisfaction 10, budget 10)",
        )
    if profile.scheme not in ("mof", "evaluation"):
        raise ProfileError(f"{source}: layout.scheme 应为 \"mof\" 或 \"evaluation\"，得到 {profile.scheme!r}",
                           f"{source}: layout.scheme must be \"mof\" or \"evaluation\", got {profile.scheme!r}")
    if len(profile.grade_words) != 4:
        raise ProfileError(f"{source}: grades.words 应列出 4 个等级（优秀、良好、中、差的写法），得到 {len(profile.grade_words)} 个",
                           f"{source}: grades.words must list the 4 grades (how 优秀, 良好, 中, 差 are written), "
                           f"got {len(profile.grade_words)}")
    unknown = [p for p in profile.expects if p not in ("funds", "indicators", "total", "conclusion")]
    if unknown:
        raise ProfileError(f"{source}: layout.expects 只能包含 funds, indicators, total, conclusion，得到 {unknown[0]!r}",
                           f"{source}: layout.expects may hold only funds, indicators, total, conclusion, got {unknown[0]!r}")
    if profile.reverse_formula not in ("ratio", "linear"):
        raise ProfileError(f"{source}: scoring.reverse 应为 \"ratio\" 或 \"linear\"，得到 {profile.reverse_formula!r}",
                           f"{source}: scoring.reverse must be \"ratio\" or \"linear\", got {profile.reverse_formula!r}")
    if not profile.grade_pass <= profile.grade_good <= profile.grade_excellent:
        raise ProfileError(f"{source}: grades 应满足 pass ≤ good ≤ excellent",
                           f"{source}: grades must satisfy pass <= good <= excellent")
    if not Decimal(0) <= profile.qualitative_partial <= profile.qualitative_full <= Decimal(1):
        raise ProfileError(f"{source}: qualitative 应满足 0 ≤ partial ≤ full ≤ 1",
                           f"{source}: qualitative must satisfy 0 <= partial <= full <= 1")
    if profile.overachievement_ratio < 1:
        raise ProfileError(f"{source}: scoring.overachievement 应不小于 1",
                           f"{source}: scoring.overachievement must be at least 1")


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
# the named profiles that ship, in the order the README lists them
NAMES = ("mof", "sichuan", "hubei", "chongqing", "yunnan", "evaluation")
# layout recognised by the reader -> the profile picked when none was given
LAYOUT_PROFILE = {"sichuan": "sichuan", "hubei": "hubei", "chongqing": "chongqing", "yunnan": "yunnan",
                  "evaluation": "evaluation"}
_NAMED: dict[str, Profile] = {}


def named(name: str) -> Profile:
    """A profile shipped with the package (``NAMES``)."""
    if name not in _NAMED:
        import tomllib  # here, not at import: validating a form of the default layout reads no TOML

        path = PROFILES_DIR / f"{name}.toml"
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        _NAMED[name] = replace(profile_from_dict(data, f"{name}（内置配置）"), key=name)
    return _NAMED[name]


def for_layout(layout: str, profile: Profile) -> tuple[Profile, bool]:
    """The profile a form is checked with: the given one, or — when none was
    chosen (``profile is DEFAULT``) — the one its layout names.  Returns
    (profile, picked automatically)."""
    if profile is not DEFAULT or layout not in LAYOUT_PROFILE:
        return profile, False
    return named(LAYOUT_PROFILE[layout]), True


def load_profile(path: str | Path | None) -> Profile:
    """A profile by name (``mof``, ``sichuan`` …) or from a TOML file; ``None`` gives the default."""
    if path is None:
        return DEFAULT
    source = str(path)
    if source in NAMES:
        return named(source)
    if not source.lower().endswith(".toml") and not Path(source).exists():
        raise ProfileError(
            f"{source}: 找不到配置文件，也不是内置配置的名字（内置：{', '.join(NAMES)}）",
            f"{source}: no such profile file, nor a shipped profile's name (shipped: {', '.join(NAMES)})",
        )
    import tomllib

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ProfileError(f"{source}: 找不到配置文件", f"{source}: profile file not found") from None
    except OSError as exc:
        raise ProfileError(f"{source}: 无法读取配置文件（{exc.strerror}）",
                           f"{source}: cannot read the profile ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{source}: 不是有效的 TOML 文件（{exc}）",
                           f"{source}: not a valid TOML file ({exc})") from None
    return profile_from_dict(data, source)


__all__ = ["DEFAULT", "NAMES", "Profile", "ProfileError", "for_layout", "load_profile", "named", "profile_from_dict"]
