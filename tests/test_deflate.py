"""ooxml.deflate: whichever library does the work, its streams are standard
raw deflate (what Excel and zipfile read); the inflating beside it (zlib, in
ooxml.package) keeps its bomb guard."""

from __future__ import annotations

import builtins
import io
import subprocess
import sys
import zipfile
import zlib

import pytest
from conftest import ROOT, sample

from selfeval_xlsx.ooxml import deflate

PART = ("<worksheet><sheetData>"
        + "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>项目{r} 指标</t></is></c>'
                  f'<c r="B{r}"><v>{r * 0.25}</v></c></row>' for r in range(1, 400))
        + "</sheetData></worksheet>").encode("utf-8")


@pytest.fixture(params=["installed", "zlib only"])
def impl(request, monkeypatch):
    """The module as it deflates here, and as it does where isal cannot be imported."""
    monkeypatch.setattr(deflate, "_impl", None)  # chosen again on the next deflate
    if request.param == "zlib only":
        real_import = builtins.__import__

        def no_isal(name, *args, **kwargs):
            if name == "isal" or name.startswith("isal."):
                raise ImportError("no isal here")
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_isal)
        deflate.deflate(b"x")
        assert deflate._impl is zlib
    yield deflate


def test_the_dependency_is_used_where_installed():
    from isal import isal_zlib  # a dependency wherever it has a wheel, as on every machine CI runs on

    deflate.deflate(b"x")
    assert deflate._impl is isal_zlib


def test_validate_does_not_load_isal():
    """Reading and checking a workbook only inflates: the start-up of
    ``selfeval validate`` does not pay for loading isal."""
    code = ("import sys; from selfeval_xlsx.pipeline import validate; "
            f"validate({str(sample('02'))!r}); print('isal' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert proc.stdout.strip() == "False"


def test_deflate_is_a_standard_raw_stream(impl):
    raw = impl.deflate(PART)
    assert len(raw) < len(PART) // 3  # level 1 still compresses
    assert zlib.decompressobj(-15).decompress(raw) == PART  # what zipfile and Excel read
    assert zlib.decompressobj(-15).decompress(impl.deflate(b"")) == b""


def _one_member_zip(data: bytes) -> tuple[bytes, zipfile.ZipFile, zipfile.ZipInfo]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        zout.writestr("xl/worksheets/sheet1.xml", data)
    blob = buf.getvalue()
    zf = zipfile.ZipFile(io.BytesIO(blob))
    return blob, zf, zf.getinfo("xl/worksheets/sheet1.xml")


def test_inflate_stops_at_the_declared_size(monkeypatch):
    """A member that inflates to more than its directory declares is refused
    (None), having been inflated only to the declared size plus one."""
    from selfeval_xlsx.ooxml.package import inflate

    blob, zf, info = _one_member_zip(b"\0" * 10_000_000)
    assert inflate(blob, zf, info) == b"\0" * 10_000_000
    inflated: list[int] = []
    real = zlib.decompressobj

    class Counting:  # zlib's decompressor, counting what it gives
        def __init__(self, *args):
            self.inner = real(*args)

        def decompress(self, data, max_length=0):
            out = self.inner.decompress(data, max_length)
            inflated.append(len(out))
            return out

    monkeypatch.setattr(zlib, "decompressobj", Counting)
    info.file_size = 1000  # the directory lies
    assert inflate(blob, zf, info) is None
    assert inflated == [1001]


def test_a_damaged_stream_is_refused():
    from selfeval_xlsx.ooxml.package import inflate

    blob, zf, info = _one_member_zip(PART)
    start = info.header_offset + 30 + len(info.filename.encode())
    damaged = blob[:start] + b"\xff\xff\xff" + blob[start + 3:]
    assert inflate(damaged, zf, info) is None


def test_a_package_written_with_it_opens_in_zipfile(impl, tmp_path):
    """The writer's path: deflated members written raw, read back by zipfile
    with its CRC check."""
    from selfeval_xlsx.ooxml.package import deflated, write_members

    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as zout:
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        member = deflated(info, PART)
        assert member is not None and member.crc == zlib.crc32(PART)
        write_members(zout, [(info, member)])
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zin:
        assert zin.testzip() is None
        assert zin.read("xl/worksheets/sheet1.xml") == PART
