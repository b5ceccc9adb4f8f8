"""Forms to tables: every form and every 三级 indicator of many workbooks as rows.

Two tables (column lists in :data:`FORM_COLUMNS` and
:data:`INDICATOR_COLUMNS`, documented in the README):

* 表 (forms), one row per form: where it is, who filed it, the budget
  figures, the stated and computed totals and conclusions, finding counts;
* 指标 (indicators), one row per 三级 indicator: its hierarchy, the target
  and actual value as written and as numbers, 分值, the stated and computed
  score, the reason and the codes of the findings on that row.

The rows come from the same reader and rules as ``validate`` (a file's
rows are made in the worker process that checks it, see
:func:`export_file`), so the computed score of a row is the value ``fill``
would write.  :func:`export` streams them into an ``.xlsx`` (sheets 表 and
指标), a ``.csv`` (the indicators; the forms go beside it as
``NAME.forms.csv``) or a ``.parquet`` (likewise ``NAME.forms.parquet``)
while the workers run (the writers are in ``export_sinks``): memory does not
grow with the number of files.
:func:`read_frames` gives the two tables as pandas DataFrames.

Numbers are numbers: the value columns (:data:`FORM_FLOATS`,
:data:`INDICATOR_FLOATS`) are floats, 行 / 年度 / 错误数 / 警告数 whole
numbers, everything else text.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from selfeval_xlsx.display import KIND_LABEL
from selfeval_xlsx.profile import DEFAULT, Profile

FORM_COLUMNS: tuple[str, ...] = (
    "文件", "文件夹", "工作表", "表类型", "版式", "单位", "项目", "年度", "预算数", "执行数", "执行率",
    "预算得分", "填报总分", "计算总分", "填报结论", "计算结论", "错误数", "警告数",
)
INDICATOR_COLUMNS: tuple[str, ...] = (
    "文件", "文件夹", "工作表", "行", "单位", "年度", "一级指标", "二级指标", "三级指标", "指标性质",
    "年度指标值", "目标数值", "计量单位", "实际完成值", "完成数值", "分值", "填报得分", "计算得分",
    "未完成原因", "问题代码",
)
#: columns holding numbers (float dtype; empty is NaN)
FORM_FLOATS = frozenset({"预算数", "执行数", "执行率", "预算得分", "填报总分", "计算总分"})
INDICATOR_FLOATS = frozenset({"目标数值", "完成数值", "分值", "填报得分", "计算得分"})
#: columns holding whole numbers (nullable Int64 in the DataFrames)
FORM_INTS = frozenset({"年度", "错误数", "警告数"})
INDICATOR_INTS = frozenset({"行", "年度"})

KIND_NAMES = KIND_LABEL["zh"]
EXTENSIONS = (".xlsx", ".csv", ".parquet")


# --------------------------------------------------------------------------
# one file → rows (runs in the worker processes)


@dataclass(frozen=True)
class ExportJob:
    """What :func:`export_file` needs besides the file (sent once per worker)."""

    profile: Profile = DEFAULT
    lang: str = "zh"


def _float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    from selfeval_xlsx.values import parse_number

    number = parse_number(value)
    return float(number) if number is not None else None


def _text(cell) -> str | None:
    """A cell as written (stripped), or None when empty/absent."""
    if cell is None or cell.empty:
        return None
    return cell.text.strip()


_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
_POINTS = re.compile(r"[（(]?\d+(?:\.\d+)?分[)）]?")
_SPACE = re.compile(r"\s+")


def level_name(text: str | None) -> str | None:
    """A 一级/二级 label as a category: no spaces or line breaks, no "(50分)"
    (nor a "30分)" whose opening bracket went astray)."""
    if not text:
        return None
    clean = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    clean = _POINTS.sub("", _BRACKETED.sub("", clean)).strip(":：")
    return clean or None


def _unit_and_project(form) -> tuple[str | None, str | None]:
    def field(key: str) -> str | None:
        cell = form.fields.get(key)
        return None if cell is None or cell.empty else cell.text.strip()

    if form.kind == "project":
        return field("implementer") or field("unit") or field("authority"), field("project")
    return field("unit") or field("implementer"), field("project")


def _layout_name(form) -> str:
    """The layout the reader recognised, as ``validate`` names it (财政部附件3-1,
    四川, 湖北, 重庆, 云南, 决策/过程/产出/效益, 未识别)."""
    from selfeval_xlsx.report import LAYOUT_LABEL

    layout = getattr(form, "layout", None) or "unknown"
    return LAYOUT_LABEL["zh"].get(layout, layout)


def _nature(target, nature_cell) -> str | None:
    if target.kind == "empty":
        return _text(nature_cell)
    if not target.quantitative:
        return "定性"
    from selfeval_xlsx.values import Direction

    return target.direction.value if target.direction is not Direction.NONE else "≥"


def form_rows(path: str, folder: str, result) -> tuple[tuple, list[tuple]]:
    """The forms row and the indicator rows of one checked form."""
    from selfeval_xlsx.checks import position
    from selfeval_xlsx.values import parse_value

    form = result.form
    unit, project = _unit_and_project(form)
    total = form.funds_row("total")
    forms_row = (
        path, folder, form.sheet, KIND_NAMES.get(form.kind, form.kind), _layout_name(form), unit, project,
        form.year,
        _float(total.budget.value) if total and total.budget is not None else None,
        _float(total.executed.value) if total and total.executed is not None else None,
        _float(result.budget_rate), _float(result.budget_score), _float(result.stated_total),
        _float(result.total), result.stated_grade, result.grade or None, result.errors, result.warnings,
    )
    changed = {change.cell.ref: change.new for change in result.changes}
    codes_at: dict[str, list[str]] = {}
    for finding in result.findings:
        if finding.cell:
            codes_at.setdefault(finding.cell, []).append(finding.code)
    rows = []
    for row in form.indicators:
        nature_raw = row.nature.value if row.nature is not None else None
        unit_raw = row.unit.value if row.unit is not None else None
        target = parse_value(row.target.value if row.target else None, nature_raw, unit=unit_raw)
        actual = parse_value(row.actual.value if row.actual else None, nature_raw, unit=unit_raw)
        weight = _float(row.weight.value) if row.weight is not None else None
        stated = _float(row.score.value) if row.score is not None else None
        if row.score is not None and row.score.ref in changed:  # what fill writes
            computed = _float(changed[row.score.ref])
        elif stated is not None and weight is not None and weight > 0:
            computed = max(0.0, min(stated, weight))
        else:
            computed = stated
        own = [c for c in (row.level3, row.target, row.actual, row.weight, row.score, row.reason, row.nature,
                           row.unit) if c is not None]
        codes: list[str] = []
        for cell in sorted(own, key=lambda c: position(c.ref)):
            for code in codes_at.get(cell.ref, ()):
                if code not in codes:
                    codes.append(code)
        rows.append((
            path, folder, form.sheet, row.row, unit, form.year,
            level_name(_text(row.level1)), level_name(_text(row.level2)), _text(row.level3),
            _nature(target, row.nature), _text(row.target),
            float(target.number) if target.quantitative and target.number is not None else None,
            _text(row.unit) or (target.unit or None if target.quantitative else None),
            _text(row.actual),
            float(actual.number) if actual.quantitative and actual.number is not None else None,
            weight, stated, computed, _text(row.reason), ",".join(codes) or None,
        ))
    return forms_row, rows


def export_file(job: ExportJob, item: tuple[str, str]) -> dict[str, Any]:
    """Read and check one workbook; its rows for both tables.

    ``item`` is (path, 文件夹).  Never raises for a bad file: ``error`` holds
    the one-line message then."""
    from selfeval_xlsx.pipeline import validate

    path, folder = item
    checked = validate(path, job.profile, job.lang)
    if checked.error is not None:
        return {"file": path, "error": checked.error, "forms": [], "indicators": []}
    forms, indicators = [], []
    for result in checked.forms:
        form_row, rows = form_rows(path, folder, result)
        forms.append(form_row)
        indicators.extend(rows)
    return {"file": path, "error": None, "forms": forms, "indicators": indicators}


# --------------------------------------------------------------------------
# the inputs


class ExportError(Exception):
    """A bad argument (missing input, bad output name): one line, exit 2."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh)
        self.zh, self.en = zh, en

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


def collect(paths: Iterable[str | os.PathLike], exclude: Iterable[str | os.PathLike] = ()) -> list[tuple[str, str]]:
    """(path, 文件夹) of every workbook to export, in order.

    A folder is searched like ``batch`` does (subfolders too, lock files and
    hidden entries skipped); 文件夹 is the subfolder relative to it ("" for
    its top level and for a file given by name).  Files in ``exclude`` (the
    output) are left out."""
    from selfeval_xlsx.batch import discover

    skip = {os.path.realpath(p) for p in exclude}
    items: list[tuple[str, str]] = []
    for given in paths:
        path = str(given)
        if os.path.isdir(path):
            for rel in discover(path):
                full = os.path.join(path, *rel.parts)
                if os.path.realpath(full) not in skip:
                    items.append((full, rel.parent.as_posix() if rel.parent.parts else ""))
        elif os.path.exists(path):
            if os.path.realpath(path) not in skip:
                items.append((path, ""))
        else:
            raise ExportError(f"{path}: 找不到文件或文件夹", f"{path}: no such file or folder")
    return items


def iter_results(
    items: list[tuple[str, str]],
    *,
    profile: Profile = DEFAULT,
    lang: str = "zh",
    jobs: int = 0,
    timeout: float | None = None,
    pool: bool = True,
) -> Iterator[dict[str, Any]]:
    """:func:`export_file` for every item, in order: in ``batch``'s worker
    processes (``pool``), or in this process."""
    job = ExportJob(profile=profile, lang=lang)
    if not pool:
        from selfeval_xlsx.batch import Failure, failure_result

        for item in items:
            try:
                yield export_file(job, item)
            except Exception as exc:  # noqa: BLE001 - one bad file never stops the rest (as in the pool)
                bad = failure_result(item[0], Failure("exception", f"{type(exc).__name__}: {exc}"), lang)
                yield {"file": item[0], "error": bad["error"], "forms": [], "indicators": []}
        return
    import functools

    from selfeval_xlsx.batch import FILE_TIMEOUT, PRELOAD, failure_result, run_tasks

    results = run_tasks(items, functools.partial(export_file, job), jobs=jobs,
                        timeout=FILE_TIMEOUT if timeout is None else timeout,
                        preload=[*PRELOAD, "selfeval_xlsx.export"])
    try:
        for item, result, failure in results:
            if failure is not None:
                bad = failure_result(item[0], failure, lang)
                result = {"file": item[0], "error": bad["error"], "forms": [], "indicators": []}
            yield result
    finally:
        results.close()


# --------------------------------------------------------------------------
# the outputs


def companion(path: str | Path) -> Path:
    """Where the forms table goes beside a .csv/.parquet: NAME.forms.csv."""
    path = Path(path)
    return path.with_name(f"{path.stem}.forms{path.suffix}")


@dataclass
class ExportStats:
    files: int = 0
    forms: int = 0
    indicators: int = 0
    unreadable: int = 0
    seconds: float = 0.0
    outputs: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """0, or 2 when a file could not be read (its error was reported)."""
        return 2 if self.unreadable else 0


def check_output(output: str | os.PathLike) -> Path:
    """The output path, refused in one line when its kind is unknown or
    Parquet is asked for without pyarrow."""
    target = Path(output)
    suffix = target.suffix.lower()
    if suffix not in EXTENSIONS:
        raise ExportError(f"{output}: 输出文件应以 .xlsx、.csv 或 .parquet 结尾",
                          f"{output}: the output must end in .xlsx, .csv or .parquet")
    if target.is_dir():
        raise ExportError(f"{output}: 是文件夹；请给出文件名，例如 {Path(output, '指标.xlsx')}",
                          f"{output}: is a folder; give a file name, e.g. {Path(output, 'indicators.xlsx')}")
    if suffix == ".parquet":
        import importlib.util

        try:  # found, not imported: the import is heavy and happens once the workers run
            found = importlib.util.find_spec("pyarrow") is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise ExportError("写 .parquet 需要 pyarrow，但未安装；请运行 pip install pyarrow，或改用 .xlsx / .csv",
                              "writing .parquet needs pyarrow, which is not installed; run pip install pyarrow, "
                              "or write .xlsx / .csv")
    return target


def export(
    paths: Iterable[str | os.PathLike],
    output: str | os.PathLike,
    *,
    profile: Profile = DEFAULT,
    lang: str = "zh",
    jobs: int = 0,
    pool: bool = True,
    items: list[tuple[str, str]] | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> ExportStats:
    """Write both tables of every workbook under ``paths`` to ``output``
    (.xlsx / .csv / .parquet), streaming; raises :class:`ExportError` for a
    bad argument.  ``on_result`` sees each file's result (progress, the
    unreadable ones).  Outputs appear atomically, only when complete."""
    import time

    started = time.monotonic()
    target = check_output(output)
    if items is None:
        items = collect(paths, exclude=[target, companion(target)])
    target.parent.mkdir(parents=True, exist_ok=True)
    stats = ExportStats()
    suffix = target.suffix.lower()
    with ExitStack() as stack:
        sink = None

        def open_sink():
            # made once the workers have started: pyarrow's import (hundreds
            # of MB of address space) then stays out of the fork server
            from selfeval_xlsx import export_sinks

            if suffix == ".xlsx":
                stats.outputs = (str(target),)
                return export_sinks.XlsxSink(stack, target, (("表", FORM_COLUMNS), ("指标", INDICATOR_COLUMNS)))
            stats.outputs = (str(target), str(companion(target)))
            tables = ((companion(target), FORM_COLUMNS, FORM_FLOATS, FORM_INTS),
                      (target, INDICATOR_COLUMNS, INDICATOR_FLOATS, INDICATOR_INTS))
            if suffix == ".csv":
                return export_sinks.CsvSink(stack, tables)
            return export_sinks.ParquetSink(stack, tables)

        for result in iter_results(items, profile=profile, lang=lang, jobs=jobs, pool=pool):
            if sink is None:
                sink = open_sink()
            stats.files += 1
            if result["error"]:
                stats.unreadable += 1
            stats.forms += len(result["forms"])
            stats.indicators += len(result["indicators"])
            sink.add(result["forms"], result["indicators"])
            if on_result is not None:
                on_result(result)
        if sink is None:
            sink = open_sink()
        sink.finish()
    stats.seconds = time.monotonic() - started
    return stats


# --------------------------------------------------------------------------
# pandas


def frame(rows: list[tuple] | Iterable[tuple], columns: tuple[str, ...], floats, ints):
    """A DataFrame with exactly ``columns``: floats float64, whole numbers
    Int64, text object (None for empty)."""
    import pandas as pd

    df = pd.DataFrame.from_records(list(rows), columns=list(columns))
    for name in columns:
        if name in floats:
            df[name] = pd.to_numeric(df[name], errors="coerce").astype("float64")
        elif name in ints:
            df[name] = pd.to_numeric(df[name], errors="coerce").astype("Int64")
        else:
            df[name] = df[name].astype(object).where(df[name].notna(), None)
    return df


def read_frames(paths, profile: Profile = DEFAULT, *, lang: str = "zh", jobs: int = 1):
    """``(forms, indicators)``: the two tables of every workbook under
    ``paths`` (a file, a folder or a list of them) as pandas DataFrames,
    with exactly the columns :data:`FORM_COLUMNS` and
    :data:`INDICATOR_COLUMNS`.  Unreadable files are left out (warned about
    with :mod:`warnings`).  ``jobs`` > 1 checks in worker processes (then
    call it under ``if __name__ == "__main__":``)."""
    import warnings

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    items = collect(paths)
    forms: list[tuple] = []
    indicators: list[tuple] = []
    for result in iter_results(items, profile=profile, lang=lang, jobs=jobs, pool=jobs != 1):
        if result["error"]:
            warnings.warn(result["error"], stacklevel=2)
        forms.extend(result["forms"])
        indicators.extend(result["indicators"])
    return (frame(forms, FORM_COLUMNS, FORM_FLOATS, FORM_INTS),
            frame(indicators, INDICATOR_COLUMNS, INDICATOR_FLOATS, INDICATOR_INTS))


__all__ = [
    "FORM_COLUMNS", "INDICATOR_COLUMNS", "ExportError", "ExportStats", "collect", "companion", "export",
    "export_file", "read_frames",
]
