"""Between and after sessions (issue 30): what the reflection rule reads of recent sessions and their notes,
integration notes for the report, sessions an import brought in, follow-ups and lab results.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from ketalog.db import Connection
from ketalog.store.entries import (
    _latest,
    _load,
    _where_time,
)
from ketalog.timeparse import from_storage, to_utc_text


def reflection_facts(db: Connection, since: datetime) -> tuple[list, dict[str, list]]:
    """The sessions at or after ``since`` as the reflection rule reads them (``reflections.SessionFacts``),
    and the local days of the notes linked to each. A few rows: the rule looks back 13 days."""
    from datetime import date

    from ketalog import reflections

    rows = list(
        db.query(
            "SELECT s.id, s.at, s.utc_offset, s.created_at, i.session_id IS NOT NULL AS imported,"
            " (SELECT count(*) FROM sessions o WHERE o.at <= s.at) AS number"
            " FROM sessions s LEFT JOIN imported_sessions i ON i.session_id = s.id WHERE s.at >= ? ORDER BY s.at",
            [to_utc_text(since)],
        )
    )
    sessions = [
        reflections.facts(
            row["id"],
            row["number"],
            from_storage(row["at"], row["utc_offset"]),
            datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")),
            bool(row["imported"]),
        )  # fmt: skip
        for row in rows
    ]
    notes: dict[str, list] = {}
    if rows:
        marks = ", ".join("?" * len(rows))
        for row in db.query(
            f"SELECT session_id, local_date FROM journal WHERE session_id IN ({marks})", [r["id"] for r in rows]
        ):
            notes.setdefault(row["session_id"], []).append(date.fromisoformat(row["local_date"]))
    return sessions, notes


def integration_notes(db: Connection, since: datetime | None, until: datetime | None) -> dict[str, list[dict]]:
    """Reflections (notes tagged ``integration:d1|d3|d7``) on each session of [since, until), oldest first:
    session id -> [{day, at, first line, session_at (the session's time)}]."""
    from ketalog.reflections import TAG_PREFIX

    where, params = _where_time(since, until, alias="s")
    found: dict[str, list[dict]] = {}
    for row in db.query(
        "SELECT j.session_id, j.at, j.utc_offset, j.text, t.tag, s.at AS session_at, s.utc_offset AS session_offset"
        " FROM sessions s CROSS JOIN journal j ON j.session_id = s.id"  # the period's sessions first (indexed)
        f" JOIN journal_tags t ON t.journal_id = j.id AND t.tag LIKE ?{where}"
        " ORDER BY j.at",
        [TAG_PREFIX + "%", *params],
    ):
        first = next((line.strip() for line in row["text"].splitlines() if line.strip()), "")
        found.setdefault(row["session_id"], []).append(
            {
                "day": row["tag"][len(TAG_PREFIX) :],
                "at": from_storage(row["at"], row["utc_offset"]),
                "text": first,
                "session_at": from_storage(row["session_at"], row["session_offset"]),
            }
        )
    return found


def mark_imported(db: Connection, session_ids: Iterable[str], when: str) -> None:
    """Sessions `ketalog import` brought in: never asked to reflect on (local; never exported)."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO imported_sessions (session_id, imported_at) VALUES (?, ?)",
        [(session_id, when) for session_id in session_ids],
    )


def last_followup_at(db: Connection, before: datetime | None = None) -> datetime | None:
    entry = _latest(db, "followup", before)
    return entry.at if entry else None


def followups(db: Connection, until: datetime | None) -> list:
    """Every follow-up before ``until``, oldest first (one a month: a lifetime is a few hundred rows)."""
    return _load(db, "followup", None, until)


def labs(db: Connection, since: datetime | None, until: datetime | None) -> list:
    return _load(db, "lab", since, until)
