"""Which tables an export holds and how they relate: entries and their child lists, parents, settings, and
the order every export writes them in (read from the store's one description of the kinds of entry)."""

from __future__ import annotations

from ketalog.db import Connection
from ketalog.store import KINDS

# Entry tables and the child tables that hang off each (child table, foreign key, value column),
# read from the store's one description of the kinds of entry.
ENTRY_TABLES = {
    kind.table: (kind.child_table, kind.child_key, kind.child_value) if kind.child_table else None
    for kind in KINDS.values()
}
CHILD_VALUES = {child: value for child, _, value in filter(None, ENTRY_TABLES.values())}
_CHILD_COLUMNS = {child: (key, value) for child, key, value in filter(None, ENTRY_TABLES.values())}
# Non-entry tables and their columns; on import, local rows win (a row is added only when new).
SETTINGS_TABLES = {
    "mood_labels": ("source", "label", "level"),
    "scale_directions": ("name", "higher_is_better"),
    "planned_sessions": ("id", "local_date", "note", "created_at", "updated_at"),
    # what a phone measured (issue 31): a ketalog export adds the days and readings a diary lacks
    "daily_metrics": ("local_date", "source", "metric", "value", "unit"),
    "health_readings": (
        "at",
        "utc_offset",
        "local_date",
        "source",
        "metric",
        "name",
        "value",
        "value2",
        "detail",
    ),  # fmt: skip
}
# Tables entries refer to, keyed by a natural key so two machines' rows merge: imported first; a
# newer copy from a ketalog export replaces an older one, another app's copy never replaces a local row.
PARENT_TABLES = {"medications": ("key", "name", "class", "schedule", "note", "created_at", "updated_at")}
TABLE_ORDER = [
    *PARENT_TABLES,
    *(table for kind in KINDS.values() for table in (kind.table, kind.child_table) if table),
    *SETTINGS_TABLES,
]
# Deletes: which entry (or planned day) was deleted and when, so a delete stays deleted on re-import and
# travels to the other devices. Exported after the tables whose rows it covers.
TOMBSTONES = "deleted_entries"
EXPORTED_TABLES = [*TABLE_ORDER, TOMBSTONES]


def columns_of(db: Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]


def _order_by(db: Connection, table: str) -> str:
    keys = [row[1] for row in sorted(db.execute(f'PRAGMA table_info("{table}")'), key=lambda r: r[5]) if row[5]]
    return ", ".join(f'"{key}"' for key in keys) or "rowid"


def table_rows(db: Connection, table: str):
    """A table's rows in primary-key order, read from the cursor as they are written (never all at once)."""
    return db.query(f'SELECT * FROM "{table}" ORDER BY {_order_by(db, table)}')
