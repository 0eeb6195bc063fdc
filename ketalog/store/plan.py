"""The treatment plan: days booked ahead, moved or removed; a day is done when a session is logged on it."""

from __future__ import annotations

from typing import Iterable

from ketalog.db import Connection, writing
from ketalog.errors import InputError
from ketalog.store.entries import (
    count_rows,
    near_local_days,
    new_id,
)
from ketalog.timeparse import stamp


def planned(db: Connection, since_day: str | None = None) -> list[dict]:
    """Planned days (oldest first) with whether a session was logged that day: {id, local_date, note, done}."""
    where, params = ("WHERE p.local_date >= ?", [since_day]) if since_day else ("", [])
    return [
        {**row, "done": bool(row["done"])}
        for row in db.query(
            # each planned day looks up that day's sessions by the time index, not by a scan of every session
            "SELECT p.id, p.local_date, p.note, EXISTS (SELECT 1 FROM sessions s WHERE "
            f"{near_local_days('s', 'p.local_date', 'p.local_date')} AND s.local_date = p.local_date) "
            f"AS done FROM planned_sessions p {where} ORDER BY p.local_date",
            params,
        )
    ]


def plan_days(db: Connection, days: Iterable[str], note: str | None = None, replace: bool = False) -> int:
    """Add planned days (one transaction); ``replace`` first clears the plan. Returns how many were added."""
    created = stamp()
    with writing(db):
        if replace:
            db.execute("DELETE FROM planned_sessions")
        before = count_rows(db, "planned_sessions")
        for day in days:
            db.execute(
                "INSERT OR IGNORE INTO planned_sessions (id, local_date, note, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [new_id(), day, note, created, created],
            )
        return count_rows(db, "planned_sessions") - before


def move_planned(db: Connection, old_day: str, new_day: str) -> bool:
    with writing(db):
        if next(db.query("SELECT 1 FROM planned_sessions WHERE local_date = ?", [new_day]), None):
            raise InputError("NEW", f"{new_day} is already planned")
        cursor = db.execute(
            "UPDATE planned_sessions SET local_date = ?, updated_at = ? WHERE local_date = ?",
            [new_day, stamp(), old_day],
        )
        return bool(cursor.rowcount)


def remove_planned(db: Connection, day: str | None) -> int:
    """Remove one planned day, or with None the whole plan."""
    with writing(db):
        if day is None:
            return db.execute("DELETE FROM planned_sessions").rowcount
        return db.execute("DELETE FROM planned_sessions WHERE local_date = ?", [day]).rowcount
