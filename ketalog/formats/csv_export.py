"""The CSV export: one file per table (a folder made 0700, or a .zip 0600), cells formula-safe and
neutralised, streamed row by row. It is for reading in a spreadsheet; the JSON export is the one that imports back."""

from __future__ import annotations

from pathlib import Path

from ketalog.db import Connection
from ketalog.files import make_private_folder, private_output, refuse_protected
from ketalog.formats.tables import TABLE_ORDER, columns_of, table_rows
from ketalog.render.delimited import csv_cell

# A table of the CSV export starts with these columns (an entry table): said when one is offered to `import`.
CSV_EXPORT_START = ("id", "at", "utc_offset", "local_date")


def write_csv_tables(db: Connection, destination: Path, tick=None, protected=()) -> list[str]:
    """One CSV per table, into a folder (made 0700 when new) or a .zip (0600), streamed row by row."""
    import io
    import zipfile

    from ketalog.render.delimited import writer as csv_writer

    def write_table(table: str, handle) -> None:
        columns = columns_of(db, table)
        writer = csv_writer(handle)
        writer.writerow(columns)
        count = 0
        for row in table_rows(db, table):
            writer.writerow([csv_cell(row[c]) for c in columns])
            count += 1
        if tick:
            tick(table, count)

    names = [f"{table}.csv" for table in TABLE_ORDER]
    if destination.suffix.lower() == ".zip":
        with (
            private_output(destination, binary=True, protected=protected) as handle,
            zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for table, name in zip(TABLE_ORDER, names, strict=True):
                with archive.open(name, "w") as member, io.TextIOWrapper(member, encoding="utf-8", newline="") as text:
                    write_table(table, text)
        return names
    refuse_protected(destination, protected)
    make_private_folder(destination)
    for table, name in zip(TABLE_ORDER, names, strict=True):
        with private_output(destination / name, protected=protected) as handle:
            write_table(table, handle)
    return names


def refuse_csv_export(path: Path, header: tuple[str, ...]) -> None:
    """A table of the CSV export offered to `import`: say which file does import back."""
    from ketalog.formats.plan import ImportFileError

    if header[: len(CSV_EXPORT_START)] == CSV_EXPORT_START or header[:2] == ("key", "name"):
        raise ImportFileError(
            path,
            "line 1",
            "is one table of ketalog's CSV export, which is for spreadsheets and does not import back; "
            "use `ketalog export --format json` for a file that imports back",
        )
