"""Patch cell values inside an .xlsx/.xlsm package, losing nothing.

A load-and-save through openpyxl drops shapes, comment formatting, x14
extensions (data validations / conditional formats in ``extLst``), cached
formula results, image anchors and more.  This module edits the package
instead: the sheet XML of an edited sheet gets a targeted textual patch of the
affected ``<row>``/``<c>`` spans (everything else in the part stays byte for
byte), and every other zip member is copied unchanged.

Members that may change:

* the edited worksheet parts;
* ``xl/workbook.xml`` — ``<calcPr fullCalcOnLoad="1"/>`` whenever an edit was
  made; with a report, the new ``<sheet>`` and its ``_xlnm._FilterDatabase``
  defined name;
* ``xl/styles.xml`` — only with ``mark=True`` or a ``number_format``: one new
  fill, derived ``<xf>`` entries (and for the report: two fonts, three xfs);
* with a *new* report sheet: ``[Content_Types].xml``,
  ``xl/_rels/workbook.xml.rels``, ``docProps/app.xml`` (only when its
  HeadingPairs/TitlesOfParts are recognised; Excel repairs an app.xml whose
  counts disagree with each other, but tolerates a stale consistent one, so
  an unrecognised one is left alone) and the new sheet part (appended last);
* with an *existing* report sheet (running on its own output): that sheet
  part, replaced.

Values: numbers become ``<v>`` in plain notation (a ``Decimal`` is written
exactly as given), text becomes an inline string (the shared-strings table is
never touched), ``None`` clears the value.  A formula cell keeps its ``<f>``;
only the cached ``<v>`` (and ``t``) change.

The package work lives in :mod:`selfeval_xlsx.ooxml` (XML text primitives,
the package and its relationships, the sheet patcher, styles.xml, workbook.xml
and friends, notes); this module keeps the edit model (:class:`Edit`,
:class:`Report`, :class:`ReportRow`) and :func:`patch_workbook`, a patch done
in four phases: locate the edits, derive their styles, write the changed
parts, assemble the package.

No heavy imports here: zipfile, re and the stdlib expat bindings only.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping, Sequence

from selfeval_xlsx.atomic import write_error
from selfeval_xlsx.errors import SelfevalError
from selfeval_xlsx.lazyre import lazy
from selfeval_xlsx.display import display_value, is_date_format
from selfeval_xlsx.ooxml.comments import add_notes, insert_legacy_drawing
from selfeval_xlsx.ooxml.package import (Package, RawMember, SheetRef, Workbook, clone_info, raw_member, resolve_target,
                                         write_package)
from selfeval_xlsx.ooxml.sheet import CellSlot, SheetPatcher, parse_ref
from selfeval_xlsx.ooxml.styles import Styles
from selfeval_xlsx.ooxml.workbook import WorkbookXml, add_sheet, check_sheet_name
from selfeval_xlsx.ooxml.xmltext import decode, get_attr, unescape
from selfeval_xlsx.review_sheet import REPORT_HEADERS, REPORT_MARKS, build_report_sheet

__all__ = ["Edit", "Report", "ReportRow", "patch_workbook", "display_value", "MARK_FILL_RGB", "MARK_BORDER_RGB",
           "REPORT_HEADERS", "COMMENT_AUTHOR"]

MARK_FILL_RGB = "FFFFEB9C"  # light yellow-orange (Excel's "Neutral" fill)
MARK_BORDER_RGB = "FFC00000"  # a medium dark-red frame: still seen on a black-and-white print
COMMENT_AUTHOR = "自动校验"

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Edit:
    """One cell to change.

    ``value``: numbers → ``<v>``, text → inline string, ``None`` → clear the
    value (a formula is kept).  ``number_format`` (e.g. ``"0.00%"``) gives the
    cell a new xf derived from its own with that format, unless its current
    format already is that one.  A number written into a cell formatted as a
    date or time gets ``General`` (so 9.7 is not shown as 1900-01-09 and
    read back as a date).  ``formula`` (without "=") replaces the cell's
    formula; ``value`` is then its cached result.
    """

    sheet: str
    ref: str
    value: Decimal | int | float | str | None
    number_format: str | None = None
    #: a cell comment (note) for the changed cell; ``{old}`` and ``{new}`` are
    #: replaced by ``old`` and ``value`` as the cell shows them (its number
    #: format).  Only written with ``mark=True``.
    note: str | None = None
    old: Any = None
    formula: str | None = None


@dataclass(frozen=True)
class ReportRow:
    """One row of the report sheet (the 审核意见单).

    ``old`` is the value of the cell as read; it is shown with that cell's
    number format (97.52%, not 0.9752).  ``new`` is what fill wrote (shown
    with the cell's new format), else ``expected`` what the cell should hold
    (``None``: nothing to show).  ``action`` is the 处理 column; ``{new}`` in
    it is replaced by ``new`` as the cell now shows it.
    """

    code: str
    severity: str
    sheet: str
    cell: str
    message: str
    old: Any
    new: Any
    expected: Any = None
    action: str | None = None
    error: bool = False  # shown in red


@dataclass(frozen=True)
class Report:
    """The report sheet: a printable 审核意见单.

    ``title`` heads the page (and marks the sheet as the tool's own: a sheet
    whose A1 ends with ``REPORT_MARK`` may be replaced by a later run; any
    other sheet of the wanted name is kept and the report takes a free name
    such as 校验结果(2)).  ``lines`` follow the title (file, form, totals);
    ``box`` heads a ruled box for the reviewer's opinion and ``footer`` the
    lines under it (reviewer and date).  ``protect``: sheet names never
    replaced (the forms).
    """

    rows: Sequence[ReportRow]
    title: str = "审核意见单"
    lines: Sequence[str] = ()
    headers: Sequence[str] = ()
    box: str | None = None
    footer: Sequence[str] = ()
    empty: str = "未发现问题"
    page_footer: str = "第 &P 页，共 &N 页"
    protect: frozenset[str] = frozenset()
    #: show the sheet in the 单元格 column ("附件3-1!H7"); None: when the rows are on several sheets
    qualify: bool | None = None
    #: short names for the sheets in the 单元格 column ("表2 H15" rather than a long sheet name)
    sheet_labels: Mapping[str, str] | None = None


# --------------------------------------------------------------------------
# small helpers


def _err(zh: str, en: str) -> SelfevalError:
    return SelfevalError(zh, en)


# --------------------------------------------------------------------------
# number formats that show dates (a number written there gets General)


# built-in date/time formats, with those Excel shows as dates in Chinese,
# Japanese and Korean locales (27–36, 50–58)
_BUILTIN_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_NUMFMT_ID = lazy(rb'numFmtId="(\d+)"')
_FORMAT_CODE = lazy(rb'formatCode="([^"]*)"')


def _may_show_dates(styles: bytes) -> bool:
    """A quick look at styles.xml: could any cell format show a date?"""
    if any(int(m.group(1)) in _BUILTIN_DATE_IDS for m in _NUMFMT_ID.finditer(styles)):
        return True
    return any(is_date_format(unescape(m.group(1).decode("utf-8", "replace")))
               for m in _FORMAT_CODE.finditer(styles))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _shows_date(styles: Styles, xf: int) -> bool:
    """True when xf ``xf`` shows a number as a date or time."""
    found = styles.xf_numfmt(xf)
    if found is None:
        return False
    i, code = found
    return is_date_format(code) if code is not None else i in _BUILTIN_DATE_IDS


# --------------------------------------------------------------------------
# the entry point


def patch_workbook(
    src: Path | bytes,
    dst: Path,
    edits: Sequence[Edit],
    *,
    mark: bool = True,
    report: Report | Sequence[ReportRow] | None = None,
    report_sheet: str = "校验结果",
    report_headers: Sequence[str] = REPORT_HEADERS,
    parts: Mapping[str, bytes] | None = None,
    like: Path | None = None,
    opened: tuple[bytes, zipfile.ZipFile, Workbook] | None = None,
) -> None:
    """Write ``src`` (a path, or a package's bytes) with ``edits`` applied to
    ``dst`` (atomically; ``src`` may be ``dst``).  ``parts``: members of ``src`` already inflated (by the
    loader); they are used instead of inflating those members again.
    ``opened``: ``src``'s bytes, the ZipFile the loader opened on them and
    the workbook it read through them (``RawBook.package``), used as they
    are -- that workbook's package already holds the loader's parts, so
    ``parts`` is not looked at again: the file is not read, nor its
    zip directory, workbook.xml and relationships parsed, a second time
    (zipfile's parse of the directory cost some 60 µs a file, the workbook
    30).  The caller keeps it: it is not closed here.

    ``mark=True`` gives every edited cell a light fill and a medium frame (a
    new xf derived from its own) and its ``note`` as a cell comment (merged
    into the sheet's comments: a user's comment on the same cell keeps its
    text, the note is added below it), and, when ``report`` is given (even
    empty), writes the report sheet (the 审核意见单) named ``report_sheet``.
    A sheet of that name is replaced only when it is the tool's own report
    (its A1 ends with one of ``REPORT_MARKS``) and not in
    ``report.protect``; otherwise the report takes the first free name
    ``report_sheet(2)``, ``(3)`` ….  ``mark=False`` leaves styles.xml alone
    (except for a requested ``number_format``) and adds no sheet or comment.
    """
    if report is not None and not isinstance(report, Report):
        report = Report(rows=list(report), headers=tuple(report_headers))
    dst = Path(dst)
    wb: Workbook | None = None
    if opened is not None:
        data, zin, wb = opened
    else:
        try:
            if isinstance(src, bytes):  # a package made in memory (fill's .xls conversion)
                data = src
            else:
                with open(os.fspath(src), "rb") as fh:  # as zipfile opens it, so its errors read the same
                    data = fh.read()
            zin = zipfile.ZipFile(io.BytesIO(data))
        except FileNotFoundError:
            raise _err(f"找不到文件：{src}", f"file not found: {src}") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise _err(f"不是有效的 xlsx/xlsm 文件（无法作为 zip 打开）：{exc}",
                       f"not a valid xlsx/xlsm file (cannot open as zip): {exc}") from None
    try:
        members = _build(wb or Workbook(Package(zin, data, parts)), edits, mark=mark, report=report,
                         report_sheet=report_sheet)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        raise _err(f"文件已损坏，无法读取：{exc}", f"the file is damaged and cannot be read: {exc}") from None
    finally:
        if opened is None:
            zin.close()
    try:
        write_package(dst, members, zin.comment, like)
    except OSError as exc:
        raise _err(*write_error(exc, dst)) from exc


@dataclass
class _Patch:
    """What the four phases of one patch share."""

    pkg: Package
    wb: Workbook
    mark: bool
    report: Report | None  # the report sheet to write (None: none)
    report_sheet: str
    existing: SheetRef | None = None  # the sheet the report replaces (None: a new sheet)
    patchers: dict[str, SheetPatcher] = field(default_factory=dict)  # by sheet part
    slots: list[CellSlot] = field(default_factory=list)  # one per edit, in order
    styles: Styles | None = None  # None: styles.xml stays as it is
    replaced: dict[str, bytes] = field(default_factory=dict)  # member name -> new bytes
    new_members: list[tuple[zipfile.ZipInfo, bytes]] = field(default_factory=list)  # appended in this order

    def patcher(self, part: str) -> SheetPatcher:
        patcher = self.patchers.get(part)
        if patcher is None:
            patcher = self.patchers[part] = SheetPatcher(part, self.pkg.read(part))
        return patcher


def _build(wb: Workbook, edits: Sequence[Edit], *, mark: bool, report: Report | None,
           report_sheet: str) -> list[tuple[zipfile.ZipInfo, bytes | RawMember]]:
    """The members of the patched package (``wb.pkg``), in order: locate the
    edits, derive their styles, write the workbook's changed parts, assemble."""
    pkg = wb.pkg
    patch = _Patch(pkg, wb, mark, report if mark else None, report_sheet)
    if patch.report is not None:
        patch.report_sheet, patch.existing = _report_target(pkg, wb, report_sheet, patch.report.protect)
    _locate(patch, edits)
    _style(patch)
    _write_parts(patch, bool(edits))
    return _assemble(patch)


def _locate(patch: _Patch, edits: Sequence[Edit]) -> None:
    """Phase 1: the sheet part and the cell (with its current style) of each edit."""
    wb = patch.wb
    for edit in edits:
        info = wb.find(edit.sheet)
        if info is None:
            names = "、".join(s.name for s in wb.sheets)
            raise _err(f"找不到工作表“{edit.sheet}”（现有：{names}）",
                       f"no sheet named {edit.sheet!r} (sheets: {', '.join(s.name for s in wb.sheets)})")
        if info.part is None:
            raise _err(f"工作表“{edit.sheet}”的部件缺失", f"the part of sheet {edit.sheet!r} is missing")
        if not info.rel_type.endswith("/worksheet"):
            raise _err(f"“{edit.sheet}”不是普通工作表（可能是图表工作表）",
                       f"{edit.sheet!r} is not a worksheet (a chart sheet?)")
        if patch.existing is not None and info is patch.existing:
            raise _err(f"不能同时修改和重写报告工作表“{patch.report_sheet}”",
                       f"cannot edit the report sheet {patch.report_sheet!r} while rewriting it")
        patch.slots.append(patch.patcher(info.part).locate(edit))


def _style(patch: _Patch) -> None:
    """Phase 2: styles.xml, opened only when something needs it — marking,
    a number format, the report, or a number written into a cell that shows
    dates (it gets General, so 9.7 is not shown as 1900-01-09)."""
    mark, slots, pkg, wb = patch.mark, patch.slots, patch.pkg, patch.wb
    must_style = patch.report is not None or any((mark or s.edit.number_format is not None) for s in slots)
    if not (must_style or any(_is_number(s.edit.value) for s in slots)):
        return
    styles_part = None
    for rel in pkg.rels(wb.part)[1]:
        if rel.type.endswith("/styles"):
            styles_part = pkg.name(resolve_target(wb.part, rel.target))
            break
    styles_part = styles_part or pkg.name(posixpath.join(posixpath.dirname(wb.part), "styles.xml"))
    if styles_part is None and not must_style:
        return  # no styles at all: no cell is formatted as a date
    if styles_part is None:
        raise _err("工作簿缺少样式部件 styles.xml，无法标记修改的单元格",
                   "the workbook has no styles.xml; cannot mark the changed cells")
    if not must_style and not _may_show_dates(pkg.read(styles_part)):
        return  # no date format anywhere: styles.xml stays as it is, unparsed
    styles = patch.styles = Styles(styles_part, pkg.read(styles_part), (MARK_FILL_RGB, MARK_BORDER_RGB))
    for s in slots:
        number_format = s.edit.number_format
        if number_format is None and _is_number(s.edit.value) and _shows_date(styles, s.style):
            number_format = "General"
        if mark or number_format is not None:
            s.new_style = styles.derive(s.style, mark=mark, number_format=number_format)


def _write_parts(patch: _Patch, edited: bool) -> None:
    """Phase 3: every part that changes, new bytes into ``patch.replaced``
    or ``patch.new_members``: the notes, the sheets, the report sheet,
    workbook.xml, styles.xml."""
    _notes(patch)
    for part, patcher in patch.patchers.items():
        data = patcher.render()
        if patcher.legacy_drawing is not None:
            data = insert_legacy_drawing(data, patcher)
        if data != patcher.data:
            patch.replaced[part] = data
    wb = patch.wb
    wbx = WorkbookXml(wb.part, patch.pkg.read(wb.part))
    if edited:
        wbx.full_calc_on_load()
    if patch.report is not None:
        _add_report(patch, wbx)
    wb_data = wbx.render()
    if wb_data != wbx.data:
        patch.replaced[wb.part] = wb_data
    if patch.styles is not None:
        sdata = patch.styles.render()
        if sdata != patch.styles.data:
            patch.replaced[patch.styles.part] = sdata


def _notes(patch: _Patch) -> None:
    """The notes on the changed cells (cell comments), marking only; ``{old}``
    and ``{new}`` shown as the cell shows them."""
    styles = patch.styles
    if not patch.mark or styles is None:
        return
    by_part: dict[str, list[tuple[CellSlot, str]]] = {}
    for part, patcher in patch.patchers.items():
        for slot in patcher.slots.values():
            if slot.edit.note:
                old_code = styles.numfmt_of(slot.style)[1]
                new_code = styles.numfmt_of(slot.new_style if slot.new_style is not None else slot.style)[1]
                text = (slot.edit.note.replace("{old}", display_value(slot.edit.old, old_code) or "（空）")
                        .replace("{new}", display_value(slot.edit.value, new_code)))
                by_part.setdefault(part, []).append((slot, text))
    taken = {i.filename.lower() for i in patch.pkg.infos}
    for part, notes in by_part.items():
        add_notes(patch.pkg, patch.patchers[part], notes, patch.replaced, patch.new_members, taken, COMMENT_AUTHOR)


def _add_report(patch: _Patch, wbx: WorkbookXml) -> None:
    """The report sheet (new, or replacing the tool's own) and its defined names."""
    report, styles, wb = patch.report, patch.styles, patch.wb
    assert report is not None and styles is not None
    ns_m = re.search(r'xmlns(?::\w+)?="([^"]*/main)"', wbx.root_tag)
    ns = ns_m.group(1) if ns_m else _MAIN_NS
    r_ns = _R_NS if ns == _MAIN_NS else "http://purl.oclc.org/ooxml/officeDocument/relationships"
    names = {s.name for s in wb.sheets}
    # a report names a cell about twice (its 原值 and its 应为 column, or two
    # findings on one cell): each cell's style is looked up once
    old_styles: dict[tuple[str, str], int | None] = {}

    def cell_style(sheet: str, ref: str) -> int | None:
        key = (sheet, ref)
        if key in old_styles:
            return old_styles[key]
        style = old_styles[key] = _cell_style(sheet, ref)
        return style

    def _cell_style(sheet: str, ref: str) -> int | None:
        info = wb.find(sheet)
        if info is None or info.part is None or not info.rel_type.endswith("/worksheet"):
            return None
        try:
            row, col = parse_ref(ref)
        except SelfevalError:
            return None
        patcher = patch.patcher(info.part)
        slot = patcher.slots.get((row, col))
        if slot is not None:
            return slot.style
        return patcher.style_at(row, col)

    def new_style(sheet: str, ref: str) -> int | None:
        info = wb.find(sheet)
        patcher = patch.patchers.get(info.part) if info is not None and info.part else None
        try:
            slot = patcher.slots.get(parse_ref(ref)) if patcher else None
        except SelfevalError:
            slot = None
        if slot is None:
            return None
        return slot.new_style if slot.new_style is not None else slot.style

    xml, table = build_report_sheet(report, styles, sheet_names=names, ns=ns, r_ns=r_ns,
                                    old_style=cell_style, new_style=new_style)
    data = xml.encode("utf-8")
    quoted = "'" + patch.report_sheet.replace("'", "''") + "'"
    first, last = table
    filter_ref = f"{quoted}!$A${first}:$G${last}"
    titles_ref = f"{quoted}!${first}:${first}"
    existing = patch.existing
    if existing is not None:
        patch.replaced[existing.part] = data  # type: ignore[index]
        wbx.set_filter_name(existing.index, filter_ref)
        wbx.set_local_name("_xlnm.Print_Titles", existing.index, titles_ref)
    else:
        check_sheet_name(patch.report_sheet)
        patch.new_members.append(add_sheet(patch.pkg, wb, wbx, patch.report_sheet, data, patch.replaced))
        wbx.set_filter_name(len(wb.sheets), filter_ref)
        wbx.set_local_name("_xlnm.Print_Titles", len(wb.sheets), titles_ref)


def _assemble(patch: _Patch) -> list[tuple[zipfile.ZipInfo, bytes | RawMember]]:
    """Phase 4: the members in the source's order with its ZipInfo metadata,
    an untouched one as its stored bytes (never inflated and deflated
    again), then the new members."""
    pkg = patch.pkg
    out: list[tuple[zipfile.ZipInfo, bytes | RawMember]] = []
    for info in pkg.infos:
        data: bytes | RawMember | None = patch.replaced.get(info.filename)
        if data is None:
            if info.flag_bits & 0x1:
                raise _err("文件内部部件已加密，无法修改", "a part of the package is encrypted; it cannot be modified")
            data = RawMember(info.compress_type, info.CRC, info.file_size, raw_member(pkg.data, info),
                             info.flag_bits & 0x06)
        out.append((clone_info(info), data))
    out.extend(patch.new_members)
    return out


def _report_target(pkg: Package, wb: Workbook, base: str,
                   protect: frozenset[str]) -> tuple[str, SheetRef | None]:
    """The report sheet's name and the sheet it replaces (None: a new one).
    A sheet is replaced only when it is the tool's own report; a user's
    sheet of that name (a form, notes, anything) is kept and the report
    takes the next free name: 校验结果(2), 校验结果(3) …"""
    for k in range(1, 1000):
        name = base if k == 1 else f"{base}({k})"
        info = wb.find(name)
        if info is None:
            return name, None
        if (info.name not in protect and info.part is not None and info.rel_type.endswith("/worksheet")
                and _is_own_report(pkg, wb, info.part)):
            return info.name, info
    raise _err("找不到可用的报告工作表名称", "no free name for the report sheet")


_T_RE = lazy(r"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.S)
#: the first row of the report sheet as versions before the 审核意见单 wrote it
_OLD_REPORT_HEADS = (("代码", "级别"), ("Code", "Severity"))


def _is_own_report(pkg: Package, wb: Workbook, part: str) -> bool:
    """Whether a sheet is a report this tool wrote: its A1 (inline or shared
    string, as Excel may have re-saved it) ends with a ``REPORT_MARKS`` text
    (or A1, B1 are the old report's 代码, 级别)."""
    try:
        text, _enc = decode(pkg.read(part), part)
    except SelfevalError:
        return False
    head = text[: text.find("</row>") + 6] if "</row>" in text else text[:20000]
    a1, b1 = _cell_text(pkg, wb, head, "A1"), _cell_text(pkg, wb, head, "B1")
    if a1 is None:
        return False
    a1 = a1.strip()
    return (any(a1.endswith(mark) or a1.startswith(mark) for mark in REPORT_MARKS)
            or (a1, (b1 or "").strip()) in _OLD_REPORT_HEADS)


def _cell_text(pkg: Package, wb: Workbook, xml: str, ref: str) -> str | None:
    m = re.search(r"<(?:\w+:)?c\s[^>]*?\br=\"" + ref + r"\"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)", xml, re.S)
    if not m or not m.group(1):
        return None
    tag = xml[m.start(): xml.find(">", m.start()) + 1]
    kind, inner = get_attr(tag, "t"), m.group(1)
    if kind == "inlineStr":
        return "".join(unescape(t) for t in _T_RE.findall(inner))
    if kind == "s":
        v = re.search(r"<(?:\w+:)?v>\s*(\d+)\s*</", inner)
        return _shared_string(pkg, wb, int(v.group(1))) if v else None
    return None


def _shared_string(pkg: Package, wb: Workbook, index: int) -> str:
    part = None
    for rel in pkg.rels(wb.part)[1]:
        if rel.type.endswith("/sharedStrings"):
            part = pkg.name(resolve_target(wb.part, rel.target))
    if part is None:
        return ""
    text, _enc = decode(pkg.read(part), part)
    for i, m in enumerate(re.finditer(r"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", text, re.S)):
        if i == index:
            return "".join(unescape(t) for t in _T_RE.findall(m.group(1)))
    return ""
