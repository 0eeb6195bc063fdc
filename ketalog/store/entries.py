"""Entries: the kinds of entry and their tables, writing one entry in one transaction, finding, listing
and deleting them, and the small helpers every other store module reads through.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence, cast

from ketalog.db import Connection, writing
from ketalog.errors import InputError
from ketalog.models import (
    Checkin,
    Entry,
    Followup,
    JournalEntry,
    Lab,
    MedicationEvent,
    Session,
    Survey,
    Visit,
)
from ketalog.timeparse import from_storage, stamp, storage_fields, to_utc_text


@dataclass(frozen=True)
class Kind:
    name: str
    table: str
    model: type[Entry]
    extra_select: str = ""
    child_table: str | None = None
    child_key: str | None = None
    child_value: str | None = None
    json_list: str | None = None  # model attribute filled from the child table
    json_columns: tuple[str, ...] = ()  # list values stored as JSON text
    text_columns: tuple[str, ...] = ()  # what `list --search` looks in


KINDS: dict[str, Kind] = {
    "session": Kind(
        "session",
        "sessions",
        Session,
        extra_select=", (SELECT json_group_array(name) FROM side_effects WHERE session_id = e.id) AS _children",
        child_table="side_effects",
        child_key="session_id",
        child_value="name",
        json_list="side_effects",
        json_columns=("doses", "vitals", "observed"),
        text_columns=("note", "intention", "clinic", "product"),
    ),
    "checkin": Kind(
        "checkin",
        "checkins",
        Checkin,
        extra_select=", (SELECT json_group_array(tag) FROM checkin_tags WHERE checkin_id = e.id) AS _children",
        child_table="checkin_tags",
        child_key="checkin_id",
        child_value="tag",
        json_list="tags",
        text_columns=("note",),
    ),
    "journal": Kind(
        "journal",
        "journal",
        JournalEntry,
        extra_select=", (SELECT json_group_array(tag) FROM journal_tags WHERE journal_id = e.id) AS _children",
        child_table="journal_tags",
        child_key="journal_id",
        child_value="tag",
        json_list="tags",
        text_columns=("text",),
    ),
    "survey": Kind("survey", "surveys", Survey, json_columns=("answers",)),
    "medication": Kind(
        "medication",
        "medication_events",
        MedicationEvent,
        extra_select=", (SELECT name FROM medications WHERE key = e.medication) AS name"
        ", (SELECT class FROM medications WHERE key = e.medication) AS med_class",
    ),
    "visit": Kind("visit", "visits", Visit, text_columns=("note",)),
    "followup": Kind("followup", "followups", Followup, text_columns=("memory_note", "other")),
    "lab": Kind("lab", "labs", Lab, text_columns=("name", "note")),
}


TAGGED = tuple(name for name, kind in KINDS.items() if kind.child_value == "tag")


def new_id() -> str:
    # Random (not time-ordered) so that a few leading characters identify an
    # entry, git-style, and exports from two machines merge without clashes.
    return uuid.uuid4().hex


def _records(db: Connection, kind: Kind, sql: str, params: Sequence = ()) -> list:
    """Every row of a query on one kind's table, as records, built straight from the cursor's tuples."""
    cursor = db.execute(sql, params)
    build = kind.model.reader([column[0] for column in cursor.description], kind.json_list)
    return [build(row) for row in cursor]


def _encode(kind: Kind, values: dict) -> dict:
    return {
        name: json.dumps(value) if name in kind.json_columns and value is not None else value
        for name, value in values.items()
    }


def _select(kind: Kind) -> str:
    return f"SELECT e.*{kind.extra_select} FROM {kind.table} e"


def insert_row(db: Connection, table: str, row: dict) -> None:
    columns = ", ".join(f'"{name}"' for name in row)
    db.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" for _ in row)})', list(row.values()))


def update_row(db: Connection, table: str, key: tuple[str, object], changes: dict) -> None:
    assignments = ", ".join(f'"{name}" = ?' for name in changes)
    db.execute(f'UPDATE "{table}" SET {assignments} WHERE "{key[0]}" = ?', [*changes.values(), key[1]])


def count_rows(db: Connection, table: str) -> int:
    return db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def insert(db: Connection, kind_name: str, at: datetime, values: dict, children: Iterable[str] = ()) -> Entry:
    """Store one new entry (and its side effects or tags) in one transaction."""
    kind = KINDS[kind_name]
    created = stamp()
    if kind_name == "session":
        from ketalog.session_record import with_summary

        values = with_summary(values)
    row = {"id": new_id(), **storage_fields(at), **_encode(kind, values), "created_at": created, "updated_at": created}
    with writing(db):
        insert_row(db, kind.table, row)
        _write_children(db, kind, row["id"], children)
    return get(db, kind_name, row["id"])


def _write_children(db: Connection, kind: Kind, entry_id: str, children: Iterable[str]) -> None:
    if kind.child_table:
        db.conn.executemany(
            f"INSERT INTO {kind.child_table} ({kind.child_key}, {kind.child_value}) VALUES (?, ?)",
            [(entry_id, value) for value in children],
        )


def get(db: Connection, kind_name: str, entry_id: str) -> Entry:
    kind = KINDS[kind_name]
    return _with_number(db, _records(db, kind, f"{_select(kind)} WHERE e.id = ?", [entry_id])[0])


def _with_number(db: Connection, entry: Entry) -> Entry:
    if isinstance(entry, Session):
        entry.number = session_number(db, entry.at)
    return entry


def session_number(db: Connection, at: datetime) -> int:
    """Position in the course: 1 for the first session ever logged."""
    return next(db.query("SELECT count(*) AS n FROM sessions WHERE at <= ?", [to_utc_text(at)]))["n"]


def _latest(db: Connection, kind_name: str, before: datetime | None = None) -> Entry | None:
    """The latest entry of a kind (before ``before``), by the index on ``at``."""
    kind = KINDS[kind_name]
    where, params = _where_time(None, before)
    found = _records(db, kind, f"{_select(kind)}{where} ORDER BY e.at DESC LIMIT 1", params)
    return found[0] if found else None


def last_session_before(db: Connection, at: datetime) -> Session | None:
    return cast("Session | None", _latest(db, "session", at))


def last_visit(db: Connection, before: datetime) -> Visit | None:
    """The latest appointment before ``before``."""
    return cast("Visit | None", _latest(db, "visit", before))


def last_session(db: Connection) -> Session | None:
    return cast("Session | None", _latest(db, "session"))


def sessions_without_drug(db: Connection) -> list[str]:
    """Short ids of the sessions whose drug is not recorded, oldest first."""
    return [row["id"][:8] for row in db.query("SELECT id FROM sessions WHERE drug IS NULL ORDER BY at")]


def last_session_by_route(db: Connection, route: str) -> Session | None:
    """The latest session given by ``route`` that records its drug."""
    kind = KINDS["session"]
    found = _records(
        db, kind, f"{_select(kind)} WHERE e.route = ? AND e.drug IS NOT NULL ORDER BY e.at DESC LIMIT 1", [route]
    )
    return cast("Session | None", found[0]) if found else None


def ids_starting(db: Connection, prefix: str, limit: int) -> list[tuple[Kind, str]]:
    """Up to ``limit`` ids per kind starting with ``prefix`` (lowercase hex), newest first, found by the
    primary key's range."""
    upper = prefix + "g"  # every id with this prefix sorts below it: ids are hex
    matches: list[tuple[Kind, str]] = []
    for kind in KINDS.values():
        rows = db.execute(
            f"SELECT id FROM {kind.table} WHERE id >= ? AND id < ? ORDER BY at DESC LIMIT ?", [prefix, upper, limit]
        )
        matches += [(kind, entry_id) for (entry_id,) in rows]
    return matches


def find(db: Connection, prefix: str, field: str = "ID") -> Entry:
    """The one entry whose id starts with ``prefix`` (git-style short ids)."""
    wanted = prefix.strip().lower()
    if not wanted or not all(c in "0123456789abcdef" for c in wanted):
        raise InputError(field, f"must be an entry id or the start of one, e.g. 3f9a (got {prefix!r})")
    matches = ids_starting(db, wanted, 2)
    if not matches:
        raise InputError(field, f"no entry has an id starting with {prefix!r}; see `ketalog list`")
    if len(matches) > 1:
        raise InputError(field, f"{prefix!r} matches more than one entry; type more characters of the id")
    kind, entry_id = matches[0]
    return get(db, kind.name, entry_id)


def update(
    db: Connection, entry: Entry, values: dict, at: datetime | None = None, children: list[str] | None = None
) -> Entry:
    """Change an entry in one transaction; ``created_at`` stays, ``updated_at`` moves."""
    kind = KINDS[entry.kind]
    if entry.kind == "session":
        from ketalog.session_record import with_summary

        values = with_summary(values, entry)
    changes = _encode(kind, values)
    if at is not None:
        changes.update(storage_fields(at))
    changes["updated_at"] = stamp()
    with writing(db):
        update_row(db, kind.table, ("id", entry.id), changes)
        if children is not None and kind.child_table:
            db.execute(f"DELETE FROM {kind.child_table} WHERE {kind.child_key} = ?", [entry.id])
            _write_children(db, kind, entry.id, children)
    return get(db, entry.kind, entry.id)


def delete(db: Connection, entry: Entry) -> None:
    """Remove an entry; its side effects or tags go with it (ON DELETE CASCADE). Its tombstone (id and when)
    is kept, so no re-import brings it back and the delete travels to the other devices."""
    from ketalog.timeparse import stamp

    table = KINDS[entry.kind].table
    with writing(db):
        row = next(db.query(f"SELECT * FROM {table} WHERE id = ?", [entry.id]))
        remove_row(db, table, row)
        db.execute(
            "INSERT OR REPLACE INTO deleted_entries (id, kind, deleted_at) VALUES (?, ?, ?)",
            [entry.id, entry.kind, stamp()],
        )


def remove_row(db: Connection, table: str, row: dict) -> None:
    """Delete one stored entry row (inside the caller's transaction); a medicine left with no event goes too,
    since it was never taken."""
    db.execute(f"DELETE FROM {table} WHERE id = ?", [row["id"]])
    if table == "medication_events":
        db.execute(
            "DELETE FROM medications WHERE key = ? AND NOT EXISTS "
            "(SELECT 1 FROM medication_events WHERE medication = ?)",
            [row["medication"], row["medication"]],
        )


def list_entries(
    db: Connection,
    kinds: Iterable[str],
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    tag: str | None = None,
    words: Sequence[str] = (),
) -> tuple[list[Entry], int]:
    """Entries of the given kinds, newest first, ``since`` inclusive, ``until`` exclusive, with ``tag``
    (check-ins and notes) and every one of ``words`` in their text (case-insensitive); and how many match
    in all, so a page of them can say "20 of 311"."""
    entries: list[Entry] = []
    total = 0
    for kind_name in kinds:
        filters = _filters(KINDS[kind_name], tag, words)
        if filters is None:
            continue
        extra, params = filters
        where, time_params = _where_time(since, until)
        where = _and(where, extra) if extra else where
        total += next(
            iter(db.execute(f"SELECT count(*) FROM {KINDS[kind_name].table} e{where}", time_params + params))
        )[0]
        entries += _load(db, kind_name, since, until, extra, "e.at DESC, e.created_at DESC", limit, params=params)
    entries.sort(key=lambda entry: (entry.at, entry.created_at), reverse=True)
    entries = entries[:limit] if limit is not None else entries
    if any(isinstance(entry, Session) for entry in entries):
        _number_sessions(db, entries)
    return entries, total


def _filters(kind: Kind, tag: str | None, words: Sequence[str]) -> tuple[str, list] | None:
    """The WHERE clause for a tag and search words on one kind; None when the kind cannot match (a tag on a
    kind without tags, words on one without text)."""
    clauses: list[str] = []
    params: list = []
    if tag is not None:
        if kind.name not in TAGGED:
            return None
        clauses.append(
            f"EXISTS (SELECT 1 FROM {kind.child_table} t WHERE t.{kind.child_key} = e.id AND lower(t.tag) = ?)"
        )
        params.append(tag.strip().lower())
    for word in words:
        if not kind.text_columns:
            return None
        clauses.append("(" + " OR ".join(f"instr(lower(coalesce(e.{c}, '')), ?) > 0" for c in kind.text_columns) + ")")
        params += [word.lower()] * len(kind.text_columns)
    return " AND ".join(clauses), params


def _number_sessions(db: Connection, entries: list[Entry]) -> None:
    sessions = [entry for entry in entries if isinstance(entry, Session)]
    oldest = min(sessions, key=lambda session: session.at)
    before = next(db.query("SELECT count(*) AS n FROM sessions WHERE at < ?", [to_utc_text(oldest.at)]))["n"]
    for offset, session in enumerate(sorted(sessions, key=lambda s: (s.at, s.created_at)), start=1):
        session.number = before + offset


def surveys_of(db: Connection, instrument: str) -> list[Survey]:
    """Every score of one instrument, oldest first."""
    kind = KINDS["survey"]
    return _records(db, kind, f"{_select(kind)} WHERE e.instrument = ? ORDER BY e.at, e.created_at", [instrument])


def existing_instrument_name(db: Connection, name: str) -> str:
    """The spelling already used for this scale (case-insensitive), else ``name`` as given."""
    row = next(
        db.query("SELECT instrument FROM surveys WHERE lower(instrument) = lower(?) ORDER BY at LIMIT 1", [name]), None
    )
    return row["instrument"] if row else name


def counts(db: Connection) -> dict[str, int]:
    return {kind.table: count_rows(db, kind.table) for kind in KINDS.values()}


JOURNAL_EXCERPTS = 10


def _where_time(since: datetime | None, until: datetime | None, alias: str = "e") -> tuple[str, list]:
    clauses, params = [], []
    if since is not None:
        clauses.append(f"{alias}.at >= ?")
        params.append(to_utc_text(since))
    if until is not None:
        clauses.append(f"{alias}.at < ?")
        params.append(to_utc_text(until))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def near_local_days(alias: str, first: str, last: str | None = None) -> str:
    """SQL bounding ``alias.at`` (indexed) around the local days ``first`` to ``last`` (SQL expressions of
    'YYYY-MM-DD'), to stand beside a test of ``local_date`` itself, which no index holds: every stored offset
    is under 18 hours (`timeparse.MAX_OFFSET_MINUTES`), so a local day lies within the UTC days either side
    of its date."""
    clause = f"{alias}.at >= date({first}, '-1 day')"
    return clause if last is None else f"{clause} AND {alias}.at < date({last}, '+2 days')"


def _and(where: str, clause: str) -> str:
    """A WHERE clause (or none yet) with one more condition."""
    return (where + " AND " if where else " WHERE ") + clause


def _load(
    db: Connection,
    kind_name: str,
    since: datetime | None,
    until: datetime | None,
    extra: str = "",
    order: str = "e.at, e.created_at",
    limit: int | None = None,
    children: bool = True,
    params: Sequence = (),
) -> list:
    """Entries of one kind in [since, until); ``children=False`` skips their tags or side effects (the
    analysis never reads check-in tags, and the per-row subquery is most of a long history's cost)."""
    kind = KINDS[kind_name]
    if not children:
        kind = Kind(kind.name, kind.table, kind.model, json_columns=kind.json_columns)
    where, time_params = _where_time(since, until)
    if extra:
        where = _and(where, extra)
    sql = f"{_select(kind)}{where} ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit is not None else "")
    return _records(db, kind, sql, [*time_params, *params])


def courses(db: Connection, until: datetime | None = None) -> list:
    """Every course up to ``until``, oldest first: ``courses.split``'s rule (a course starts at the first
    session or at one marked ``new_course``) applied by SQLite, which returns one row per course and
    route, so years of sessions are never loaded to be counted."""
    from ketalog.courses import Course

    where, params = _where_time(None, until, alias="sessions")
    sql = (
        "WITH marked AS (SELECT at || ' ' || coalesce(utc_offset, 0) AS stamp, route, "
        "sum(coalesce(new_course, 0)) OVER (ORDER BY at ROWS UNBOUNDED PRECEDING) AS mark "
        f"FROM sessions{where}) "
        "SELECT mark, route, count(*), min(stamp) AS first, max(stamp) FROM marked "
        "GROUP BY mark, route ORDER BY mark, first"
    )
    found: dict[int, Course] = {}
    for mark, route, count, first, last in db.execute(sql, params):
        course = found.get(mark)
        if course is None:
            course = found[mark] = Course(len(found) + 1, _stamped(first), _stamped(last), 0)
        course.session_count += count
        course.routes[route] = count
        course.last = max(course.last, _stamped(last))
    return list(found.values())


def _stamped(stamp: str) -> datetime:
    at, offset = stamp.rsplit(" ", 1)
    return from_storage(at, int(offset))


def nth_latest_session_at(db: Connection, n: int) -> datetime | None:
    row = next(db.query("SELECT at, utc_offset FROM sessions ORDER BY at DESC LIMIT 1 OFFSET ?", [n - 1]), None)
    return from_storage(row["at"], row["utc_offset"]) if row else None
