"""Which "to discuss" flags you have already been shown, so `status` can say what is new since you last looked.

Kept in a small file beside the database (``<db>.seen``), not in it: looking at
`status` or a `report` is a read and must never change the diary. The file
holds only one-way hashes of each flag and the day it was last shown, so it
reveals nothing even beside an encrypted database. Losing it costs nothing but
showing every current flag as new once; failing to write it is ignored.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

SUFFIX = ".seen"
FORGET_AFTER = timedelta(days=90)  # a flag not shown for this long counts as new if it comes back


def file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + SUFFIX)


def key(flag_id: str, title: str) -> str:
    return hashlib.sha256(f"{flag_id}\0{title}".encode()).hexdigest()[:20]


def _load(db_path: Path) -> dict[str, str]:
    try:
        data = json.loads(file_for(db_path).read_text(encoding="utf-8"))
        return {k: v for k, v in data.get("seen", {}).items() if isinstance(k, str) and isinstance(v, str)}
    except (OSError, ValueError, AttributeError):
        return {}


def split(db_path: Path, flags: list) -> tuple[list, list]:
    """(flags not shown before, flags already shown) for ``Finding``-like objects with ``id`` and ``title``."""
    seen = _load(db_path)
    new = [f for f in flags if key(f.id, f.title) not in seen]
    return new, [f for f in flags if key(f.id, f.title) in seen]


def remember(db_path: Path, flags: list, today: date) -> None:
    """Record that these flags were shown today; forget ones not shown for 90 days. Best effort."""
    if not flags or not db_path.exists():
        return  # nothing shown, or no database: a read creates no file
    before = _load(db_path)
    cutoff = (today - FORGET_AFTER).isoformat()
    seen = {k: v for k, v in before.items() if v >= cutoff}
    seen.update({key(f.id, f.title): today.isoformat() for f in flags})
    if seen == before:
        return
    from ketalog.errors import KetalogError
    from ketalog.files import private_output

    try:
        with private_output(file_for(db_path), field="seen") as handle:
            json.dump({"seen": seen}, handle, sort_keys=True)
    except (OSError, KetalogError):
        pass  # a read-only folder: status still works, flags just stay "new"
