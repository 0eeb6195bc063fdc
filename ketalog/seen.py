"""Which "to discuss" flags you have already been shown, so `status` can say what is new since you last looked.

Kept in the database (table ``seen_flags``), so it is encrypted with it: the
day a flag such as the item-9 safety line was shown is health information,
and the plaintext ``<db>.seen`` file earlier versions kept beside the database
leaked it. That file is read into the table and removed the next time the
database is opened for writing (``adopt_legacy_file``), so `encrypt` never
leaves it behind. The table is bookkeeping of the screen, not the diary:
export and import never carry it. Losing it costs nothing but showing every
current flag as new once; failing to write it (a read-only file) is ignored.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

LEGACY_SUFFIX = ".seen"
FORGET_AFTER = timedelta(days=90)  # a flag not shown for this long counts as new if it comes back


def legacy_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + LEGACY_SUFFIX)


def key(flag_id: str, title: str) -> str:
    return hashlib.sha256(f"{flag_id}\0{title}".encode()).hexdigest()[:20]


def load(db) -> dict[str, str]:
    """Every flag key shown before, with the day it was last shown."""
    return {row["key"]: row["last_shown"] for row in db.query("SELECT key, last_shown FROM seen_flags")}


def split(shown: dict[str, str], flags: list) -> tuple[list, list]:
    """(flags not shown before, flags already shown) for ``Finding``-like objects with ``id`` and ``title``;
    ``shown`` is what ``load`` read."""
    new = [f for f in flags if key(f.id, f.title) not in shown]
    return new, [f for f in flags if key(f.id, f.title) in shown]


def remember(db_state, flags: list, today: date, shown: dict[str, str] | None = None) -> None:
    """Record that these flags were shown today; forget ones not shown for 90 days. ``shown``: what the
    caller already loaded, so a repeat `status` that changes nothing opens no second connection. Best
    effort: a file that cannot be written (read-only, busy, locked by a conversion) keeps the flags "new"."""
    if not flags or not db_state.path.exists():
        return  # nothing shown, or no database: a read creates no file
    keys = {key(f.id, f.title) for f in flags}
    if shown is not None and not any(_changes(shown, keys, today)):
        return
    from ketalog.errors import KetalogError

    try:
        with db_state.open(write=True) as db:
            _record(db, keys, today)
    except (KetalogError, OSError):
        pass
    except Exception as error:  # a database error (read-only, disk full): never worth failing a read over
        from ketalog.errors import is_database_error

        if not is_database_error(error):
            raise


def _changes(before: dict[str, str], keys: set[str], today: date) -> tuple[list[str], list[str]]:
    """(keys to forget, keys to mark shown today)."""
    cutoff = (today - FORGET_AFTER).isoformat()
    stale = [k for k, day in before.items() if day < cutoff and k not in keys]
    return stale, [k for k in keys if before.get(k) != today.isoformat()]


def _record(db, keys: set[str], today: date) -> None:
    stale, changed = _changes(load(db), keys, today)  # read again inside this connection: another may have
    if not stale and not changed:  # written since
        return
    from ketalog.db import writing

    with writing(db):
        db.conn.executemany("DELETE FROM seen_flags WHERE key = ?", [(k,) for k in stale])
        db.conn.executemany(
            "INSERT INTO seen_flags (key, last_shown) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET last_shown = excluded.last_shown",
            [(k, today.isoformat()) for k in changed],
        )


def adopt_legacy_file(db, db_path: Path) -> None:
    """Move an old plaintext ``<db>.seen`` into the table and delete it (called when opening to write)."""
    path = legacy_file(db_path)
    if not path.is_file() or path.is_symlink():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8")[:1_000_000])
        found = data.get("seen", {}) if isinstance(data, dict) else {}
        rows = [(k, v) for k, v in found.items() if isinstance(k, str) and isinstance(v, str) and len(v) == 10]
    except (OSError, ValueError, AttributeError):
        rows = []  # unreadable: its only value was "shown before", so nothing is lost but that
    from ketalog.db import writing

    with writing(db):
        db.conn.executemany("INSERT OR IGNORE INTO seen_flags (key, last_shown) VALUES (?, ?)", rows)
    path.unlink(missing_ok=True)
