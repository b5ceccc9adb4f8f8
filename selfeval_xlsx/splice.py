"""The package splice: a workbook xlsxwriter built, with streamed rows put into its sheet parts.

:func:`splice_tables` copies the ``.xlsx`` package member by member into a
new zip and, for each sheet part named in ``parts``, writes instead what
the :class:`~selfeval_xlsx.streamtable.StreamedTable` makes of it (the
sheet XML with the streamed rows and hyperlinks) and, when its rows carry
links, the sheet's relationships part.  The new members are deflated as
they are written (``ZipFile.open(..., "w")`` with zip64 headers, since a
member's size is not known before it is written) at zlib level 1 and with
the date of the package's first member, so a rerun gives the same bytes.  Used by ``summary.xlsx`` and ``selfeval export``'s
workbook.
"""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selfeval_xlsx.streamtable import StreamedTable


def splice_tables(built: str, target: str, parts: dict[str, StreamedTable]) -> None:
    """Copy the package xlsxwriter built at ``built`` to ``target``, with each
    streamed table spliced into its sheet part (``parts``: part name → table)
    and, when its rows carry hyperlinks, the sheet's relationships written.
    Used by summary.xlsx and by ``selfeval export``'s workbook."""
    with zipfile.ZipFile(built) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        stamp = src.infolist()[0].date_time
        for info in src.infolist():
            table = parts.get(info.filename)
            if table is None:
                dst.writestr(info, src.read(info), compresslevel=_LEVEL)
                continue
            with dst.open(_member(info.filename, stamp), "w", force_zip64=True) as out:
                rels = table.splice(src.read(info), out)
            if rels is not None:
                folder, name = info.filename.rsplit("/", 1)
                with dst.open(_member(f"{folder}/_rels/{name}.rels", stamp), "w", force_zip64=True) as out:
                    table.write_rels(rels, out)


def _member(name: str, stamp: tuple) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)  # fixed time: a rerun gives the same bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    _set_compress_level(info, _LEVEL)
    return info


def _set_compress_level(info: zipfile.ZipInfo, level: int) -> None:
    """The zlib level ``ZipFile.open(info, "w")`` compresses with: open() takes
    no level argument; Python 3.13 made it the public ``ZipInfo.compress_level``,
    before that it is only the private ``_compresslevel``."""
    if hasattr(info, "compress_level"):
        info.compress_level = level
    else:
        info._compresslevel = level


#: zlib level of the summary's parts: the streamed rows are megabytes of
#: repetitive XML; level 1 deflates them in a third of the time of the
#: default 6, for a file about a quarter larger
_LEVEL = 1


def copy_file(name: str, out, chunk: int = 1 << 20) -> None:
    """Append the file ``name`` to the open binary stream ``out``, a megabyte at a time."""
    with open(name, "rb") as handle:
        while block := handle.read(chunk):
            out.write(block)
