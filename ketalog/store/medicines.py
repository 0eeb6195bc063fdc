"""Other medicines: the medicines table (one row each) and their dated events (start, change, stop, took)."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, cast

from ketalog.db import Connection, writing
from ketalog.models import (
    MedicationEvent,
)
from ketalog.store.entries import (
    KINDS,
    _and,
    _records,
    _select,
    _where_time,
    get,
    insert_row,
    new_id,
    update_row,
)
from ketalog.timeparse import stamp, storage_fields


def medicine(db: Connection, key: str) -> dict | None:
    return next(db.query("SELECT * FROM medications WHERE key = ?", [key]), None)


def record_medication(
    db: Connection,
    name: str,
    event: str,
    at: datetime,
    *,
    klass: str | None = None,
    dose: str | None = None,
    schedule: str | None = None,
    note: str | None = None,
) -> MedicationEvent:
    """One dated event of a medicine, creating the medicine on first mention; one transaction.

    ``klass`` and ``schedule`` also update the medicine itself (its class, its current schedule).
    """
    from ketalog.medicines import classify, key

    medication = key(name)
    created = stamp()
    with writing(db):
        existing = medicine(db, medication)
        if existing is None:
            insert_row(
                db,
                "medications",
                {
                    "key": medication,
                    "name": " ".join(name.split()),
                    "class": klass or classify(name),
                    "schedule": schedule,
                    "note": note if event == "start" else None,
                    "created_at": created,
                    "updated_at": created,
                },
            )
        else:
            changes = {"class": klass} if klass else {}
            if schedule:
                changes["schedule"] = schedule
            if changes:
                update_row(db, "medications", ("key", medication), {**changes, "updated_at": created})
        row = {
            "id": new_id(),
            **storage_fields(at),
            "medication": medication,
            "event": event,
            "dose": dose,
            "schedule": schedule,
            "note": note,
            "created_at": created,
            "updated_at": created,
        }
        insert_row(db, "medication_events", row)
    return cast(MedicationEvent, get(db, "medication", row["id"]))


def medication_events(
    db: Connection, since: datetime | None = None, until: datetime | None = None, keys: Iterable[str] | None = None
) -> list[MedicationEvent]:
    """Events oldest first, optionally only some medicines' and within [since, until)."""
    where, params = _where_time(since, until)
    if keys is not None:
        keys = list(keys)
        where = _and(where, f"e.medication IN ({', '.join('?' for _ in keys)})")
        params += keys
    kind = KINDS["medication"]
    return _records(db, kind, f"{_select(kind)}{where} ORDER BY e.at, e.created_at", params)


def medications(db: Connection) -> list[dict]:
    return list(db.query("SELECT * FROM medications ORDER BY key"))
