"""Bad input never produces a traceback or a hang: every case below ends in
an UnreadableError with a one-line Chinese message naming the problem."""

from __future__ import annotations

import io
import random
import struct
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx import loading, loading_native, loading_scan, loading_zip
from selfeval_xlsx.errors import UnreadableError
from selfeval_xlsx.reader import read_workbook


def good_xlsx(tmp_path: Path, name: str = "good.xlsx") -> Path:
    """A tiny but complete form (indicator header + one row)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["部门整体支出绩效自评表"])
    ws.append(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"])
    ws.append(["产出指标", "数量", "培训人次", "≥5次", "6次", 50, 50])
    ws.append(["总分", None, None, None, None, 100, 50])
    path = tmp_path / name
    wb.save(path)
    return path


def unreadable(path: Path) -> UnreadableError:
    with pytest.raises(UnreadableError) as info:
        read_workbook(path)
    err = info.value
    assert err.path == str(path)
    assert "\n" not in err.zh and "\n" not in err.en and err.zh and err.en
    return err


def rezip(src: Path, dst: Path, replace: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info))
            zout.writestr(info.filename, data)
        for name, data in replace.items():
            if name not in zin.namelist():
                zout.writestr(name, data)
    return dst


def test_good_file_reads(tmp_path: Path) -> None:
    book = read_workbook(good_xlsx(tmp_path))
    assert len(book.forms) == 1 and book.forms[0].indicators[0].score.ref == "G3"


def test_missing_file(tmp_path: Path) -> None:
    assert "不存在" in unreadable(tmp_path / "nope.xlsx").zh


def test_directory(tmp_path: Path) -> None:
    d = tmp_path / "dir.xlsx"
    d.mkdir()
    assert "文件夹" in unreadable(d).zh


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.xlsx"
    p.write_bytes(b"")
    assert "为空" in unreadable(p).zh


def test_text_renamed_xlsx(tmp_path: Path) -> None:
    p = tmp_path / "notes.xlsx"
    p.write_text("一级指标,三级指标,分值,得分\n", encoding="utf-8")
    err = unreadable(p)
    assert "不是Excel文件" in err.zh and "文本" in err.zh


def test_pdf(tmp_path: Path) -> None:
    p = tmp_path / "form.xlsx"
    p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert "PDF" in unreadable(p).zh


def test_html_saved_as_xls(tmp_path: Path) -> None:
    p = tmp_path / "export.xls"
    p.write_bytes("<html><body><table><tr><td>一级指标</td></tr></table></body></html>".encode())
    assert "HTML" in unreadable(p).zh


def test_random_bytes(tmp_path: Path) -> None:
    p = tmp_path / "noise.xlsx"
    p.write_bytes(bytes(random.Random(1).randrange(256) for _ in range(5000)))
    assert "不是Excel文件" in unreadable(p).zh


def test_truncated_zip(tmp_path: Path) -> None:
    data = good_xlsx(tmp_path).read_bytes()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(data[: len(data) // 2])
    assert "损坏" in unreadable(p).zh


def test_zip_without_workbook(tmp_path: Path) -> None:
    p = tmp_path / "other.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "不是Excel文件" in unreadable(p).zh


def test_corrupt_sheet_xml(tmp_path: Path) -> None:
    src = good_xlsx(tmp_path)
    p = rezip(src, tmp_path / "bad.xlsx", {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c r="})
    err = unreadable(p)
    assert "损坏" in err.zh or "未找到" in err.zh


def test_corrupted_bytes_never_escape(tmp_path: Path) -> None:
    """Flip bytes all over a good file: only UnreadableError, or a result."""
    data = bytearray(good_xlsx(tmp_path).read_bytes())
    rng = random.Random(7)
    for i in range(40):
        mutated = bytearray(data)
        for _ in range(rng.randrange(1, 20)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        p = tmp_path / f"m{i}.xlsx"
        p.write_bytes(bytes(mutated))
        try:
            read_workbook(p)
        except UnreadableError as exc:
            assert "\n" not in exc.zh


# --------------------------------------------------------------------------
# bombs and caps


BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)


def test_entity_bomb(tmp_path: Path) -> None:
    src = good_xlsx(tmp_path)
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    sheet = sheet.split(b"?>", 1)[-1]
    sheet = sheet.replace(b"<sheetData>", b"<sheetData><row r=\"9\"><c r=\"A9\" t=\"inlineStr\"><is><t>&lol9;</t></is></c></row>", 1)
    p = rezip(src, tmp_path / "bomb.xlsx", {"xl/worksheets/sheet1.xml": BOMB + sheet})
    err = unreadable(p)
    assert "DOCTYPE" in err.zh


def test_entity_declaration_in_utf16_part(tmp_path: Path) -> None:
    src = good_xlsx(tmp_path)
    with zipfile.ZipFile(src) as z:
        wbxml = z.read("xl/workbook.xml").decode()
    doc = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>' + wbxml.split("?>", 1)[-1]
    p = rezip(src, tmp_path / "bomb16.xlsx", {"xl/workbook.xml": doc.encode("utf-16")})
    assert "DOCTYPE" in unreadable(p).zh


def test_zip_bomb_ratio(tmp_path: Path) -> None:
    src = good_xlsx(tmp_path)
    p = rezip(src, tmp_path / "ratio.xlsx", {"xl/sharedStrings.xml": b" " * (6 * 1024 * 1024)})
    assert "压缩" in unreadable(p).zh


def test_zip_bomb_ratio_in_a_sheet_that_is_read(tmp_path: Path) -> None:
    """A big sheet whose first rows are a form header is inflated in full:
    its ratio is checked first.  (One that is only peeked at — an
    attachment — costs a bounded head and is never refused for its size.)"""
    src = good_xlsx(tmp_path)
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    bomb = sheet.replace(b"</sheetData>", b"</sheetData>" + b" " * (6 * 1024 * 1024))
    p = rezip(src, tmp_path / "ratio.xlsx", {"xl/worksheets/sheet1.xml": bomb})
    assert "压缩" in unreadable(p).zh
    filler = rezip(src, tmp_path / "filler.xlsx", {"xl/worksheets/sheet2.xml": b" " * (6 * 1024 * 1024)})
    assert read_workbook(filler).forms  # a part no sheet refers to is never inflated


def _patch_sizes(data: bytes, member: str, size: int, local: bool = True) -> bytes:
    """Rewrite the declared uncompressed size of ``member`` in the zip."""
    out = bytearray(data)
    name = member.encode()
    pos = 0
    while True:
        pos = out.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        nlen = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46 : pos + 46 + nlen] == name:
            struct.pack_into("<I", out, pos + 24, size)
            if local:
                off = struct.unpack_from("<I", out, pos + 42)[0]
                struct.pack_into("<I", out, off + 22, size)
        pos += 4
    return bytes(out)


def test_zip_bomb_declared_total(tmp_path: Path) -> None:
    src = good_xlsx(tmp_path)
    blob = random.Random(3).randbytes(3 * 1024 * 1024)
    p = rezip(src, tmp_path / "big.xlsx", {"xl/media/image1.bin": blob}, compression=zipfile.ZIP_STORED)
    p.write_bytes(_patch_sizes(p.read_bytes(), "xl/media/image1.bin", 250 * 1024 * 1024))
    assert "过大" in unreadable(p).zh


def test_zip_directory_lies_about_size(tmp_path: Path) -> None:
    src = good_xlsx(tmp_path)
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"</worksheet>", b"<!--" + b"x" * 2_000_000 + b"--></worksheet>")
    p = rezip(src, tmp_path / "liar.xlsx", {"xl/worksheets/sheet1.xml": padded})
    p.write_bytes(_patch_sizes(p.read_bytes(), "xl/worksheets/sheet1.xml", len(sheet)))
    err = unreadable(p)
    assert "损坏" in err.zh or "不符" in err.zh


def test_too_many_cells(tmp_path: Path) -> None:
    """A sheet that can hold a form and really spans over MAX_CELLS is refused."""
    src = good_xlsx(tmp_path)
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(5, 200_006)).encode()
    p = rezip(src, tmp_path / "dense.xlsx", {"xl/worksheets/sheet1.xml": sheet.replace(b"</sheetData>", rows + b"</sheetData>")})
    assert "单元格过多" in unreadable(p).zh


def test_stray_far_cell_is_left_out_of_the_grid(tmp_path: Path) -> None:
    """A value at XFD1048576 (a grid of 17 billion cells if we let it) is
    left out of what calamine reads; the form is read."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["部门整体支出绩效自评表"])
    ws.append(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"])
    ws.append(["产出指标", "数量", "培训人次", "≥5次", "6次", 50, 50])
    ws["XFD1048576"] = 1
    p = tmp_path / "sparse.xlsx"
    wb.save(p)
    assert read_workbook(p).forms[0].indicators[0].score.value == 50


def test_too_many_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading_native, "MAX_SHEETS", 2)
    wb = openpyxl.Workbook()
    for i in range(3):
        wb.create_sheet(f"s{i}")
    p = tmp_path / "sheets.xlsx"
    wb.save(p)
    assert "工作表过多" in unreadable(p).zh


def test_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "MAX_FILE_BYTES", 100)
    assert "过大" in unreadable(good_xlsx(tmp_path)).zh


# --------------------------------------------------------------------------
# encryption


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal compound file (v3, 512-byte sectors, no mini stream)."""
    sec = 512
    end, free, fatsect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    names = list(streams)
    fat = [fatsect, end]  # sector 0: FAT, sector 1: directory
    body = b""
    starts = []
    for name in names:
        data = streams[name].ljust(max(4096, len(streams[name])), b"\0")
        data += b"\0" * (-len(data) % sec)
        n = len(data) // sec
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(n - 1)] + [end]
        body += data
    fat += [free] * (sec // 4 - len(fat))
    assert len(fat) == sec // 4

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", left, right, child)
            + b"\0" * 16
            + b"\0" * 4
            + b"\0" * 16
            + struct.pack("<II", start, size)
            + b"\0" * 4
        )

    nos = 0xFFFFFFFF
    entries = [entry("Root Entry", 5, nos, nos, 1, end, 0)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else nos
        entries.append(entry(name, 2, nos, right, nos, starts[i], len(streams[name])))
    while len(entries) < 4:
        entries.append(entry("", 0, nos, nos, nos, 0, 0))
    directory = b"".join(entries)
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    assert len(header) == 512
    return header + struct.pack(f"<{sec // 4}I", *fat) + directory + body


def test_encrypted_xlsx(tmp_path: Path) -> None:
    p = tmp_path / "locked.xlsx"
    p.write_bytes(cfb({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x99" * 5000}))
    err = unreadable(p)
    assert err.zh == "文件已加密，请取消密码后重试"
    assert "password" in err.en


def test_other_ole_document(tmp_path: Path) -> None:
    p = tmp_path / "word.xls"
    p.write_bytes(cfb({"WordDocument": b"\x00" * 100}))
    assert "不是Excel文件" in unreadable(p).zh


def test_corrupt_ole(tmp_path: Path) -> None:
    p = tmp_path / "bad.xls"
    p.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 100)
    assert "损坏" in unreadable(p).zh


@pytest.mark.libreoffice
def test_encrypted_xls(tmp_path: Path, soffice: str) -> None:
    src = good_xlsx(tmp_path)
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xls", "--outdir", str(tmp_path / "o"), str(src)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xls = tmp_path / "o" / "good.xls"
    assert read_workbook(xls).forms  # the plain file reads
    data = bytearray(xls.read_bytes())
    bof = data.find(b"\x09\x08\x10\x00\x00\x06\x05\x00")
    assert bof > 0
    struct.pack_into("<H", data, bof + 20, 0x002F)  # the record after BOF becomes FILEPASS
    p = tmp_path / "locked.xls"
    p.write_bytes(bytes(data))
    assert unreadable(p).zh == "文件已加密，请取消密码后重试"


def test_load_from_bytes_helpers() -> None:
    """The XML check sees through a UTF-16 BOM."""
    with pytest.raises(UnreadableError):
        loading_zip.check_xml("x.xml", '<?xml version="1.0"?><!DOCTYPE a>'.encode("utf-16"), Path("x"))
    loading_zip.check_xml("x.xml", b"<a>ok</a>", Path("x"))
    with pytest.raises(UnreadableError):  # behind a comment and a processing instruction
        loading_zip.check_xml("x.xml", b'<?xml version="1.0"?>\n<!-- c --><?pi x?>\n<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
                           Path("x"))
    loading_zip.check_xml("x.xml", b'<?xml version="1.0"?><a><![CDATA[<!DOCTYPE is text here>]]></a>', Path("x"))
    assert io  # keep the import for readers of this file


def test_dtd_guard_sees_past_markup_that_looks_like_the_root() -> None:
    """One guard for loader and writer (ooxml.package.declares_dtd): a tag
    inside a comment or a processing instruction before the DOCTYPE does not
    end its search (the loader's old prolog guess stopped at the first '<a'),
    a DOCTYPE after a long prolog is found (the writer's looked at 4 KB), and
    text in a comment or CDATA section is text."""
    from selfeval_xlsx.ooxml.package import declares_dtd

    bomb = b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    with pytest.raises(UnreadableError):
        loading_zip.check_xml("x.xml", b'<?xml version="1.0"?><!-- <a> -->' + bomb, Path("x"))
    with pytest.raises(UnreadableError):
        loading_zip.check_xml("x.xml", b'<?pi <a>?>' + bomb, Path("x"))
    assert declares_dtd(b"<!--" + b"x" * 10_000 + b"-->" + bomb)
    assert declares_dtd(b'<?xml version="1.0"?><!doctype a>\n<a/>')
    assert not declares_dtd(b"<a><!-- <!DOCTYPE a> --><![CDATA[<!ENTITY e>]]></a>")
    assert not declares_dtd(b"<a>no markup declaration</a>")


def test_writer_refuses_a_dtd_in_the_relationships(tmp_path: Path) -> None:
    """The writer reads relationships through the same guard."""
    import zipfile

    from selfeval_xlsx.errors import SelfevalError
    from selfeval_xlsx.writer import Edit, patch_workbook

    src = tmp_path / "in.xlsx"
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "表"
    book.save(src)
    with zipfile.ZipFile(src) as z:
        members = [(i, z.read(i)) for i in z.infolist()]
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        for info, data in members:
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = b'<!DOCTYPE r [<!ENTITY e "x">]>' + data.split(b"?>", 1)[-1]
            z.writestr(info, data)
    with pytest.raises(SelfevalError, match="DTD"):
        patch_workbook(bad, tmp_path / "out.xlsx", [Edit("表", "A1", 1)])


def test_cell_box_for_the_cell_cap():
    """The grid calamine would build: rows × columns (at least 26) of the
    cells with a value; empty styled cells do not stretch it."""
    box = loading_scan.cell_box
    p = Path("x")
    # a form (one-letter columns, short rows): bounded by the rows written, in one search
    assert box(b'<row r="3" spans="1:9"><c r="A3"><v>1</v></c><c r="I3" s="2"/></row><row r="12"/>', "s", p) == 12 * 26
    assert box(b'<row r="1"><c\tr="AB1"><v>1</v></c></row>', "s", p) == 28
    assert box(b"<x:row r='9'><x:c s='1' r='ZZ9'><x:v>1</x:v></x:c></x:row>", "s", p) == 9 * 702  # prefixed, single quotes
    assert box(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" s="3"/></row>', "s", p) == 2 * 26
    assert box(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
               "s", p) == 1048576 * 16384
    assert box(b"<row><c><v>1</v></c></row><row><c/></row><row/>", "s", p) == 3 * 26  # rows without numbers


@pytest.mark.parametrize("ref", ["ZZZZZ99999999", "XFE1", "A1048577", "A0", "1A", "A-1", ""])
def test_cell_address_outside_excel_is_refused_before_calamine(tmp_path: Path, ref: str) -> None:
    """Such an address made the native reader abort the whole process (exit
    134); now it is one line naming the part and the address."""
    src = good_xlsx(tmp_path)
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    p = rezip(src, tmp_path / "far.xlsx", {"xl/worksheets/sheet1.xml": sheet.replace(b'r="G4"', f'r="{ref}"'.encode())})
    err = unreadable(p)
    assert "超出 Excel 的范围" in err.zh and "sheet1.xml" in err.zh


def test_row_number_outside_excel_is_refused(tmp_path: Path) -> None:
    src = good_xlsx(tmp_path)
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    far = b'<row r="99999999"><c><v>1</v></c></row>'
    p = rezip(src, tmp_path / "far.xlsx", {"xl/worksheets/sheet1.xml": sheet.replace(b"</sheetData>", far + b"</sheetData>")})
    assert "超出 Excel 的范围" in unreadable(p).zh


def test_calamine_abort_cases_in_a_subprocess(tmp_path: Path) -> None:
    """The real process: no abort (134), one line, exit 2."""
    import sys

    src = good_xlsx(tmp_path)
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    for i, (ref, code) in enumerate(((b"XFD1048576", 1), (b"ZZZZZ99999999", 2))):
        p = rezip(src, tmp_path / f"abort{i}.xlsx", {"xl/worksheets/sheet1.xml": sheet.replace(b'r="G4"', b'r="' + ref + b'"')})
        run = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "validate", str(p)], capture_output=True, text=True,
                             timeout=60, cwd=Path(__file__).resolve().parent.parent)
        assert run.returncode == code, run.stderr[-500:]  # the far cell is left out; the bad address is refused
        assert "Traceback" not in run.stderr and "panicked" not in run.stderr
        if code == 2:
            assert len((run.stdout + run.stderr).strip().splitlines()) == 1


def test_empty_styled_cell_far_away_is_not_a_reason_to_refuse(tmp_path: Path) -> None:
    """Excel writes <c r="XFD1048576" s="1"/> for a formatted empty cell:
    the form is read and checked as if it were not there."""
    src = good_xlsx(tmp_path)
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    far = b'<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    p = rezip(src, tmp_path / "styled.xlsx", {"xl/worksheets/sheet1.xml": sheet.replace(b"</sheetData>", far + b"</sheetData>")})
    book = read_workbook(p)
    assert book.forms[0].indicators[0].score.value == 50 and book.forms[0].total.value == 50


def test_huge_row_in_single_quotes_is_refused(tmp_path: Path) -> None:
    src = good_xlsx(tmp_path)
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    far = b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"
    p = rezip(src, tmp_path / "far.xlsx", {"xl/worksheets/sheet1.xml": sheet.replace(b"</sheetData>", far + b"</sheetData>")})
    assert "单元格过多" in unreadable(p).zh


FORMULA_SHEET = (
    b'<worksheet><cols><col min="1" max="3" width="9"/></cols><sheetData>'
    b'<row r="1"><c r="A1"><v>1</v></c><c r="B1" s="2"/><c r="C1"><f>A1*2</f><v>2</v></c></row>'
    b'<row r="2"><c r="A2" t="str"><f t="shared" ref="A2:A4" si="0">SUM(C1:C1)</f><v></v></c>'
    b'<c r="B2"><is><t>&lt;f&gt;</t></is></c><c\tr="C2"><f>IF(A1&gt;0,"a&amp;b","")</f></c></row>'
    b'<row r="3"><c r="A3"><f t="shared" si="0"/><v>5</v></c></row>'
    b'<row r="4"><c r="A4"><f t="shared" si="0"/></c><c r="B4"/></row>'
    b'</sheetData><conditionalFormatting sqref="A1"><cfRule type="expression"><formula>A1&gt;0</formula>'
    b'</cfRule></conditionalFormatting></worksheet>'
)


@pytest.mark.parametrize("prefixed", [False, True])
def test_formula_scan(prefixed: bool) -> None:
    """Formula text and whether a cached value is there, for plain and
    shared formulas; the scan is the same for prefixed (x:) elements."""
    blob = FORMULA_SHEET
    if prefixed:
        for tag in (b"c", b"f", b"v", b"row", b"is", b"t"):
            blob = blob.replace(b"<" + tag + b" ", b"<x:" + tag + b" ").replace(b"<" + tag + b">", b"<x:" + tag + b">")
            blob = blob.replace(b"<" + tag + b"\t", b"<x:" + tag + b"\t").replace(b"</" + tag + b">", b"</x:" + tag + b">")
    assert loading_scan.scan_formulas(blob) == {
        (0, 2): ("A1*2", True),
        (1, 0): ("SUM(C1:C1)", False),
        (1, 2): ('IF(A1>0,"a&b","")', False),
        (2, 0): ("SUM(C2:C2)", True),
        (3, 0): ("SUM(C3:C3)", False),
    }
