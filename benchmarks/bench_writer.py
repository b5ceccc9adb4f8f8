"""patch_workbook vs openpyxl load+save on a realistic one-sheet form.

    python benchmarks/bench_writer.py [--runs N]

Builds a ~60-row 部门整体支出绩效自评表 with xlsxwriter (merged cells, borders,
number formats, formulas with cached values, a data validation), then times
(median of N runs) ``patch_workbook`` with 12 edits and a 12-row report, with
and without marking, against ``openpyxl.load_workbook`` + ``save`` of the same
file.  Prints both figures and the ratio (target: ≤ 0.2).

Then the package rewrite as ``fill`` does it, over the sample workbooks: the
edits, report and loader's parts that ``fill_path`` hands ``patch_workbook``
for each .xlsx/.xlsm in sample_workbooks/ are recorded once, and the
rewrites are timed in a loop: CPU milliseconds per file (the best of N
rounds; fsync waits are not CPU), and the same without the write to disk.

``SELFEVAL_BENCH_QUICK=1``: 2 runs and 1 round (a few seconds; CI's slow set
runs every benchmark that way so none can rot).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from selfeval_xlsx import writer  # noqa: E402
from selfeval_xlsx.ooxml.package import Package, Workbook, write_members  # noqa: E402
from selfeval_xlsx.writer import Edit, Report, ReportRow, patch_workbook  # noqa: E402

QUICK = os.environ.get("SELFEVAL_BENCH_QUICK") == "1"
ROOT = Path(__file__).resolve().parents[1]
SHEET = "部门整体支出绩效自评表"


def build_form(path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(SHEET)
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "宋体"})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                          "font_name": "宋体", "bg_color": "#F2F2F2"})
    text = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter", "font_name": "宋体"})
    num = wb.add_format({"border": 1, "num_format": "0.00", "font_name": "宋体"})
    pct = wb.add_format({"border": 1, "num_format": "0.00%", "font_name": "宋体"})
    ws.set_column("A:B", 10)
    ws.set_column("C:C", 24)
    ws.set_column("D:E", 16)
    ws.set_column("F:G", 8)
    ws.set_column("H:H", 30)
    ws.merge_range("A1:H1", "附件3-1 部门整体支出绩效目标自评表", title)
    ws.merge_range("A2:H2", "（2023年度）", title)
    ws.merge_range("A3:D3", "填报日期：2024年3月1日", text)
    ws.merge_range("E3:H3", "单位（盖章）：", text)
    ws.merge_range("A4:B4", "部门（单位）名称", head)
    ws.merge_range("C4:H4", "黔南州人民政府驻北京联络处", text)
    ws.merge_range("A5:A9", "部门（单位）总体资金（万元）", head)
    ws.write_row("B5", ["资金来源", "年初预算数", "全年预算数(A)", "全年执行数(B)", "分值", "执行率", "得分"], head)
    funds = [("年度资金总额", 300.5, 320.4, 312.46), ("基本支出", 200, 210, 205), ("项目支出", 100.5, 110.4, 107.46),
             ("其他资金", 0, 0, 0)]
    for i, (name, a0, a, b) in enumerate(funds, start=6):
        ws.write(f"B{i}", name, text)
        ws.write_number(f"C{i}", a0, num)
        ws.write_number(f"D{i}", a, num)
        ws.write_number(f"E{i}", b, num)
        if i == 6:
            ws.write_number("F6", 10, num)
            ws.write_formula("G6", "=E6/D6", pct, 0.9752)
            ws.write_formula("H6", "=G6*10", num, 9.752)
        else:
            ws.write_row(f"F{i}", ["—", "—", "—"], text)
    ws.merge_range("A10:A11", "年度总体目标", head)
    ws.merge_range("B10:D10", "预期目标", head)
    ws.merge_range("E10:H10", "实际完成情况", head)
    ws.merge_range("B11:D11", "做好联络服务工作，" * 6, text)
    ws.merge_range("E11:H11", "全面完成年度目标，" * 6, text)
    ws.write_row("A12", ["一级指标", "二级指标", "三级指标", "年度指标值(A)", "实际完成值(B)", "分值", "得分", "未完成原因分析"],
                 head)
    groups = [("产出指标", ["数量指标", "质量指标", "时效指标", "成本指标"], 7),
              ("效益指标", ["经济效益", "社会效益", "生态效益", "可持续影响"], 7),
              ("满意度指标", ["服务对象满意度"], 4)]
    r = 13
    for first, seconds, per in groups:
        start = r
        for second in seconds:
            s0 = r
            for k in range(per):
                ws.write(f"C{r}", f"{second}{k + 1}：开展调研走访", text)
                ws.write(f"D{r}", f"≥{k + 5}次", text)
                ws.write(f"E{r}", f"{k + 6}次", text)
                ws.write_number(f"F{r}", 2, num)
                ws.write_number(f"G{r}", 2, num)
                ws.write_blank(f"H{r}", None, text)
                r += 1
            ws.merge_range(f"B{s0}:B{r - 1}", second, text) if r - 1 > s0 else ws.write(f"B{s0}", second, text)
        ws.merge_range(f"A{start}:A{r - 1}", first, text)
    ws.write(f"A{r}", "总分", head)
    ws.write_formula(f"F{r}", f"=SUM(F13:F{r - 1})+F6", num, 100)
    ws.write_formula(f"G{r}", f"=SUM(G13:G{r - 1})+H6", num, 97.752)
    ws.write(f"A{r + 1}", "自评结论", head)
    ws.merge_range(f"B{r + 1}:H{r + 1}", "良", text)
    ws.data_validation(f"B{r + 1}", {"validate": "list", "source": ["优", "良", "中", "差"]})
    for k, note in enumerate(["注：1.满分100分。", "2.未完成原因分析。", "3.定量指标。", "4.定性指标。"], start=r + 2):
        ws.merge_range(f"A{k}:H{k}", note, text)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    wb.close()


EDITS = [
    Edit(SHEET, "G6", Decimal("0.9752")),
    Edit(SHEET, "H6", Decimal("9.75")),
    Edit(SHEET, "G15", Decimal("1.5")),
    Edit(SHEET, "H15", "调研次数未达预期，已调整计划"),
    Edit(SHEET, "G20", Decimal("1.8")),
    Edit(SHEET, "H20", "受疫情影响"),
    Edit(SHEET, "G33", Decimal("1.2")),
    Edit(SHEET, "H33", "成本控制偏差"),
    Edit(SHEET, "G51", Decimal("96.5")),
    Edit(SHEET, "B52", "优"),
    Edit(SHEET, "I20", Decimal("0.9"), number_format="0.00%"),
    Edit(SHEET, "A70", "备注：已自动更正"),
]
REPORT = [ReportRow("S%02d" % i, "error", SHEET, e.ref, "数值与规则不符", None, e.value) for i, e in enumerate(EDITS)]


def median_ms(fn, runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def in_memory(src: Path, edits: list[Edit], **kw) -> None:
    """The patch without the temporary file, fsync and rename."""
    import zipfile

    opened = kw.pop("opened", None)  # fill hands over the loader's bytes, zip and workbook, as here
    parts = kw.pop("parts", None)
    if opened is not None:
        members = writer._build(opened[2], edits, **kw)
    else:
        data = src.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as zin:
            members = writer._build(Workbook(Package(zin, data, parts)), edits, **kw)
    with zipfile.ZipFile(io.BytesIO(), "w") as zout:
        write_members(zout, members)


def fill_calls(folder: Path) -> list[tuple[Path, list[Edit], dict]]:
    """What fill_path hands patch_workbook for each sample workbook."""
    from selfeval_xlsx import fill

    calls: list[tuple[Path, list[Edit], dict]] = []
    real = fill.patch_workbook

    def record(src, dst, edits, **kw):
        kw.pop("like", None)
        calls.append((Path(src), list(edits), kw))
        return real(src, dst, edits, **kw)

    fill.patch_workbook = record
    try:
        for path in sorted((ROOT / "sample_workbooks").iterdir()):
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                fill.fill_path(path, folder / "filled.xlsx")
    finally:
        fill.patch_workbook = real
    return calls


def cpu_ms_per_file(calls: list, fn, rounds: int) -> float:
    fn(calls)  # warm up
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        fn(calls)
        best = min(best, (time.process_time() - t0) * 1000 / len(calls))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2 if QUICK else 30)
    ap.add_argument("--rounds", type=int, default=1 if QUICK else 10)
    args = ap.parse_args()
    import openpyxl

    with tempfile.TemporaryDirectory() as d:
        src, dst, op_dst = Path(d) / "form.xlsx", Path(d) / "out.xlsx", Path(d) / "op.xlsx"
        build_form(src)

        def openpyxl_roundtrip() -> None:
            openpyxl.load_workbook(src).save(op_dst)

        t_mark = median_ms(lambda: patch_workbook(src, dst, EDITS, report=REPORT), args.runs)
        t_plain = median_ms(lambda: patch_workbook(src, dst, EDITS, mark=False), args.runs)
        t_op = median_ms(openpyxl_roundtrip, args.runs)
        report = Report(rows=REPORT)
        t_mem = median_ms(lambda: in_memory(src, EDITS, mark=True, report=report, report_sheet="校验结果"), args.runs)
        print(f"form: {src.stat().st_size} bytes, {len(EDITS)} edits, median of {args.runs} runs")
        print(f"patch_workbook (mark + report sheet): {t_mark:7.2f} ms  ratio {t_mark / t_op:.3f}")
        print(f"patch_workbook (mark=False)         : {t_plain:7.2f} ms  ratio {t_plain / t_op:.3f}")
        print(f"  of which in memory (no fsync/rename): {t_mem:7.2f} ms  ratio {t_mem / t_op:.3f}")
        print(f"openpyxl load_workbook + save       : {t_op:7.2f} ms  (no fsync)")

        calls = fill_calls(Path(d))

        def to_disk(calls: list) -> None:
            for path, edits, kw in calls:
                patch_workbook(path, dst, edits, **kw)

        def no_disk(calls: list) -> None:
            for path, edits, kw in calls:
                in_memory(path, edits, **kw)

        disk = cpu_ms_per_file(calls, to_disk, args.rounds)
        memory = cpu_ms_per_file(calls, no_disk, args.rounds)
        print(f"fill's package rewrite, {len(calls)} sample workbooks, best of {args.rounds} rounds:")
        print(f"  patch_workbook                    : {disk:7.2f} ms CPU a file")
        print(f"  in memory (no temp file, fsync)   : {memory:7.2f} ms CPU a file")


if __name__ == "__main__":
    main()
