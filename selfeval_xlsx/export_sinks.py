"""Where ``selfeval export`` streams its rows: a workbook, CSV files or Parquet files.

Each sink takes the tables' rows as the worker processes deliver them
(:meth:`add`, one list of rows per table, in the order the tables were
given) and writes them at once, so memory does not grow with the number of
files; :meth:`finish` completes the files, which ``atomic.replacing`` moves
into place when the caller's ``ExitStack`` closes (only when complete).

* :class:`XlsxSink`: one workbook, a sheet per table, rows streamed as sheet
  XML (``streamtable``) and spliced into the package xlsxwriter builds;
* :class:`CsvSink`: a CSV file per table, UTF-8 with a byte-order mark;
* :class:`ParquetSink`: a Parquet file per table, typed columns.

What the rows and columns are is ``export``'s; a CSV or Parquet table is
given as (target, columns, float columns, whole-number columns).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from selfeval_xlsx.atomic import replacing

#: a CSV or Parquet table: (target, columns, float columns, whole-number columns)
Table = tuple[Path, tuple[str, ...], frozenset, frozenset]

#: rows a Parquet row group collects before it is written
PARQUET_CHUNK = 20_000


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return value


class CsvSink:
    """Both tables as CSV, UTF-8 with a byte-order mark (Excel on Windows
    then reads the Chinese text right)."""

    def __init__(self, stack: ExitStack, tables: Iterable[Table]):
        self.files = []
        for target, columns, _floats, _ints in tables:
            temp = stack.enter_context(replacing(target))
            handle = stack.enter_context(open(temp, "w", encoding="utf-8-sig", newline=""))
            writer = csv.writer(handle)
            writer.writerow(columns)
            self.files.append(writer)

    def add(self, *tables: list[tuple]) -> None:
        for writer, rows in zip(self.files, tables):
            writer.writerows([_csv_value(v) for v in row] for row in rows)

    def finish(self) -> None:
        pass


def _arrow_schema(columns, floats, ints):
    import pyarrow as pa

    return pa.schema([
        (name, pa.float64() if name in floats else pa.int64() if name in ints else pa.string())
        for name in columns
    ])


class ParquetSink:
    """Each table as Parquet (pyarrow, imported when the first file's rows
    arrive), written in row groups of :data:`PARQUET_CHUNK` rows."""

    def __init__(self, stack: ExitStack, tables: Iterable[Table]):
        import pyarrow.parquet as pq

        self.tables = []
        for target, columns, floats, ints in tables:
            temp = stack.enter_context(replacing(target))
            schema = _arrow_schema(columns, floats, ints)
            writer = pq.ParquetWriter(str(temp), schema)
            stack.callback(writer.close)  # closed (flushed) before the file is moved into place
            self.tables.append((writer, schema, []))

    def _flush(self, writer, schema, pending: list[tuple]) -> None:
        import pyarrow as pa

        if pending:
            arrays = [pa.array([row[i] for row in pending], type=schema.field(i).type)
                      for i in range(len(schema))]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            pending.clear()

    def add(self, *tables: list[tuple]) -> None:
        for (writer, schema, pending), rows in zip(self.tables, tables):
            pending.extend(rows)
            if len(pending) >= PARQUET_CHUNK:
                self._flush(writer, schema, pending)

    def finish(self) -> None:
        for writer, schema, pending in self.tables:
            self._flush(writer, schema, pending)


class XlsxSink:
    """One workbook, a sheet per table (表 and 指标): the header and page setup by
    xlsxwriter, the rows streamed as sheet XML (``streamtable.StreamedTable``) and
    spliced in at the end, so memory stays flat and a row costs
    microseconds.  Text is always text (never a formula)."""

    def __init__(self, stack: ExitStack, target: Path, sheets: Iterable[tuple[str, tuple[str, ...]]]):
        import tempfile

        from selfeval_xlsx.streamtable import StreamedTable
        from selfeval_xlsx.table import text_table

        sheets = tuple(sheets)
        self.names = [name for name, _columns in sheets]
        self.target_temp = stack.enter_context(replacing(target))
        self.scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="selfeval-export-")))
        self.tables = [StreamedTable(text_table(columns), scratch=self.scratch) for _name, columns in sheets]
        for table in self.tables:
            stack.callback(table.close)

    def add(self, *tables: list[tuple]) -> None:
        for table, rows in zip(self.tables, tables):
            for row in rows:
                table.append(row, None)

    def finish(self) -> None:
        from datetime import datetime

        import xlsxwriter

        from selfeval_xlsx.splice import splice_tables
        from selfeval_xlsx.streamtable import Formats

        built = self.scratch / "built.xlsx"
        book = xlsxwriter.Workbook(str(built), {"strings_to_formulas": False, "strings_to_urls": False,
                                                 "strings_to_numbers": False})
        book.set_properties({"title": "绩效自评表导出", "subject": "selfeval export", "author": "selfeval-xlsx",
                             "created": datetime(2000, 1, 1)})

        fmt = Formats(book)  # first: the streamed cells refer to its styles by number
        for table, name in zip(self.tables, self.names):
            table.attach(book.add_worksheet(name), fmt)
            table.finish()
        book.close()
        splice_tables(built, self.target_temp,
                      {f"xl/worksheets/sheet{i}.xml": table for i, table in enumerate(self.tables, start=1)})
