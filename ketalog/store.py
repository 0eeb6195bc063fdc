"""Every query about entries, behind functions that take and return plain records.

Each logical entry is written in one transaction (``db.writing``), so a crash
or a second process can never leave half an entry. Reads return dataclasses
from ``ketalog.models``. Every query about entries is here; the only other SQL
is the schema (``migrations``), file-level pragmas and checks (``db``,
``crypto``) and the bulk copy of whole tables on export and import
(``formats.ketalog_json``, ``formats.apply``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
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
    Reads,
    ReportInputs,
    Session,
    Survey,
    TrendInputs,
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
    sql = f"{_select(kind)}{where} ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit else "")
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


def report_inputs(
    db: Connection,
    now: datetime,
    since: datetime | None,
    until: datetime | None,
    reads: Reads,
) -> ReportInputs:
    """Only what a report over [since, until) needs (see ``ReportInputs``): ``reads`` is the rules' own
    windows, words and horizon (`reading.rules.READS`)."""
    window, early, horizon, rated_ends = reads.window, reads.early, reads.horizon, reads.rated_ends
    from ketalog.courses import course_at

    end = until or now
    all_courses = courses(db, until)
    course = course_at(all_courses, end)
    recent = _load(db, "checkin", end - window, until, children=False)
    if course is not None:
        recent_part = max(course.started, end - horizon)
        course_sessions = _load(db, "session", recent_part, until, children=False)
        course_rated = _rated_ends(db, course.started, until, rated_ends)
        first_week_end = min(course.started + early + timedelta(seconds=1), end)  # the early baseline's week
        first_week = _load(db, "checkin", course.started - window, first_week_end, children=False)
        known = {c.id for c in recent}
        checkins = sorted([c for c in first_week if c.id not in known] + recent, key=lambda c: (c.at, c.created_at))
        course_ratings = course_readings(db, recent_part - window, until)
    else:
        course_sessions, checkins, course_ratings, course_rated = [], recent, {}, []
        recent_part = None
    journal = _load(db, "journal", since, until, order="e.at DESC", limit=JOURNAL_EXCERPTS)
    where, params = _where_time(None, until, alias="checkins")
    last = next(db.query(f"SELECT max(at) AS at FROM checkins{where}", params))["at"]
    return ReportInputs(
        now=now,
        since=since,
        until=until,
        courses=all_courses,
        sessions_total=sum(c.session_count for c in all_courses),
        sessions=_load(db, "session", since, until),
        course_sessions=course_sessions,
        course_rated=course_rated,
        checkins=checkins,
        course_ratings=course_ratings,
        surveys=_report_surveys(db, since, until, course, recent_part, reads.lookback, early, reads.safety_items),
        journal=list(reversed(journal)),
        last_checkin_at=datetime.fromisoformat(last) if last else None,
        first_entry_day=first_entry_day(db, since, until),
        checkin_before_course=last_checkin_at(db, before=course.started) if course is not None else None,
        mentions=text_mentions(db, since, until, reads.watched_words),
        planned=[
            row
            for row in planned(db, since.date().isoformat() if since else None)
            if until is None or row["local_date"] < until.date().isoformat()
        ],
        weekly=rating_means_by(
            db, "week", since, until, from_day=_first_of_last_weeks(db, until, reads.sparkline_weeks)
        ),
        medications=medications(db),
        medication_events=report_medication_events(db, since, until, reads.near),
        reflections=reflections(db, since, until),
    )


def _report_surveys(
    db: Connection,
    since: datetime | None,
    until: datetime | None,
    course,
    recent_part: datetime | None,
    lookback: timedelta,
    early: timedelta,
    safety_items: dict[str, int],
) -> list[Survey]:
    """The scores the questionnaire rules read, not every score ever: the period's; the course's baseline
    windows (``lookback`` before its start, ``early`` after); the course-wide rules' horizon; each
    instrument's latest (so an instrument keeps its row); and the latest safety-item answer above 0."""
    kind = KINDS["survey"]
    found: dict[str, Survey] = {}

    def add(rows) -> None:
        found.update((survey.id, survey) for survey in rows)

    add(_load(db, "survey", since, until))
    if course is not None:
        add(
            _load(
                db, "survey", course.started - lookback, _earlier(course.started + early + timedelta(seconds=1), until)
            )
        )
        add(_load(db, "survey", recent_part, until))
    before, params = ("e.at < ? AND ", [to_utc_text(until)]) if until is not None else ("", [])
    latest = (
        f"{_select(kind)} WHERE {before}e.at = (SELECT max(x.at) FROM surveys x WHERE x.instrument = e.instrument"
        + (" AND x.at < ?)" if until is not None else ")")
    )
    add(_records(db, kind, latest, params * 2))
    for instrument, item in safety_items.items():
        positive = (
            f"{_select(kind)} WHERE {before}e.instrument = ? AND json_extract(e.answers, '$[{int(item) - 1}]') > 0 "
            "ORDER BY e.at DESC, e.created_at DESC LIMIT 1"
        )
        add(_records(db, kind, positive, [*params, instrument]))
    return sorted(found.values(), key=lambda survey: (survey.at, survey.created_at))


def _earlier(moment: datetime, until: datetime | None) -> datetime:
    return moment if until is None else min(moment, until)


def _rated_ends(db: Connection, since: datetime, until: datetime | None, n: int) -> list[Session]:
    """The first and the last ``n`` sessions with a dissociation rating in [since, until), oldest first."""
    rated = "e.dissociation IS NOT NULL"
    first = _load(db, "session", since, until, extra=rated, limit=n, children=False)
    last = _load(
        db, "session", since, until, extra=rated, order="e.at DESC, e.created_at DESC", limit=n, children=False
    )
    unique = {session.id: session for session in [*first, *last]}
    return sorted(unique.values(), key=lambda session: (session.at, session.created_at))


def report_medication_events(
    db: Connection, since: datetime | None, until: datetime | None, near: timedelta
) -> list[MedicationEvent]:
    """Every start, change and stop up to ``until`` (what was being taken when), and the as-needed
    doses within ``near`` of the period (a dose the evening before its first session counts)."""
    kind = KINDS["medication"]
    clauses = ["e.event != 'took'"]
    params: list = []
    if until is not None:
        clauses.append("e.at < ?")
        params.append(to_utc_text(until))
    took = ["e.event = 'took'"]
    if since is not None:
        took.append("e.at >= ?")
        params.append(to_utc_text(since - near))
    if until is not None:
        took.append("e.at < ?")
        params.append(to_utc_text(until + near))
    where = f" WHERE ({' AND '.join(clauses)}) OR ({' AND '.join(took)})"
    return _records(db, kind, f"{_select(kind)}{where} ORDER BY e.at, e.created_at", params)


def reflections(db: Connection, since: datetime | None, until: datetime | None) -> dict[str, str]:
    """The first line of the earliest note linked to each session of the period, integration reflections
    aside (the report lists those under their session on their own)."""
    from ketalog.reflections import TAG_PREFIX

    where, params = _where_time(since, until, alias="s")
    where = _and(where, "NOT EXISTS (SELECT 1 FROM journal_tags t WHERE t.journal_id = j.id AND t.tag LIKE ?)")
    found: dict[str, str] = {}
    for row in db.query(
        f"SELECT j.session_id, j.text FROM journal j JOIN sessions s ON s.id = j.session_id{where} ORDER BY j.at",
        [*params, TAG_PREFIX + "%"],
    ):
        first = next((line.strip() for line in row["text"].splitlines() if line.strip()), "")
        found.setdefault(row["session_id"], first)
    return found


def first_entry_day(db: Connection, since: datetime | None, until: datetime | None) -> str | None:
    """The local day of the first session, check-in, score or note in [since, until): where a report's
    period really begins. One indexed lookup a table."""
    firsts = []
    for table in ("sessions", "checkins", "surveys", "journal"):
        where, params = _where_time(since, until, alias=table)
        firsts += db.execute(f"SELECT at, local_date FROM {table}{where} ORDER BY at LIMIT 1", params).fetchall()
    return min(firsts)[1] if firsts else None


def course_readings(
    db: Connection, since: datetime | None, until: datetime | None
) -> dict[str, list[tuple[datetime, int]]]:
    """{rating: [(when, value)]} of every check-in in [since, until), oldest first: light rows for long spans,
    one query for every daily rating."""
    from ketalog.validation import RATING_NAMES

    where, params = _where_time(since, until, alias="checkins")
    readings: dict[str, list[tuple[datetime, int]]] = {name: [] for name in RATING_NAMES}
    columns = ", ".join(RATING_NAMES)
    for at, offset, *values in db.execute(f"SELECT at, utc_offset, {columns} FROM checkins{where} ORDER BY at", params):
        moment = from_storage(at, offset)
        for name, value in zip(RATING_NAMES, values, strict=True):
            if value is not None:
                readings[name].append((moment, value))
    return readings


def text_mentions(db: Connection, since, until, words: Iterable[str]) -> list[tuple[datetime, str, str]]:
    """Side effects, session and check-in notes and journal text in the period containing any of ``words``
    (case-insensitive substring match, done by SQLite): (when, where, the text)."""
    words = [word.lower() for word in words]
    if not words:
        return []
    assert all(word.isascii() for word in words), "LIKE folds only ASCII case"
    sources = (
        (
            "side effect",
            "SELECT s.at, s.utc_offset, x.name AS text FROM side_effects x JOIN sessions s ON s.id = x.session_id",
        ),
        ("session note", "SELECT at, utc_offset, note AS text FROM sessions s"),
        ("check-in note", "SELECT at, utc_offset, note AS text FROM checkins s"),
        ("journal", "SELECT at, utc_offset, text FROM journal s"),
    )
    found = []
    for where_label, select in sources:
        where, params = _where_time(since, until, alias="s")
        match = " OR ".join("text LIKE ?" for _ in words)  # LIKE ignores ASCII case; the words are ASCII
        sql = f"SELECT * FROM ({select}{where}) WHERE text IS NOT NULL AND ({match})"
        for row in db.query(sql, [*params, *(f"%{word}%" for word in words)]):
            found.append((from_storage(row["at"], row["utc_offset"]), where_label, row["text"]))
    return sorted(found, key=lambda item: item[0])


_PERIOD_SQL = {
    # Monday of the entry's local week, and its local month.
    "week": "date(local_date, '-' || ((CAST(strftime('%w', local_date) AS INTEGER) + 6) % 7) || ' days')",
    "month": "substr(local_date, 1, 7)",
}


def trend_inputs(
    db: Connection,
    by: str,
    now: datetime,
    start: datetime | None,
    end: datetime | None,
    *,
    window: timedelta,
    session_rows: int,
    early: timedelta = timedelta(days=7),
) -> TrendInputs:
    """The rows one trends table needs; ``start=None`` per session means the last ``session_rows`` sessions."""
    if by != "session":
        return TrendInputs(
            by,
            now,
            start,
            rating_means=rating_means_by(db, by, start, end),
            instrument_means=instrument_means_by(db, by, start, end),
            phone_means=phone_means_by(db, by, start, end),
        )
    from ketalog.courses import course_at

    if start is None:
        start = nth_latest_session_at(db, session_rows)
    sessions = sessions_between(db, start, end)
    all_courses = courses(db)
    checkins: dict[str, Checkin] = {}
    if sessions:
        # each shown course's baseline windows, then everything from the first shown session on: what
        # the per-session means and durability read, however long the history before them
        shown = {id(course): course for course in (course_at(all_courses, s.at) for s in sessions) if course}
        spans = [(course.started - window, course.started + early + timedelta(seconds=1)) for course in shown.values()]
        for since, until in [*spans, (sessions[0].at - window, end)]:
            checkins.update((c.id, c) for c in _load(db, "checkin", since, until, children=False))
    ordered = sorted(checkins.values(), key=lambda c: (c.at, c.created_at))
    return TrendInputs(by, now, start, sessions=sessions, checkins=ordered, courses=all_courses)


def _first_of_last_weeks(db: Connection, until: datetime | None, weeks: int) -> str | None:
    """The Monday of the oldest of the last ``weeks`` local weeks with a check-in before ``until``: reads
    back by the index only as far as those weeks go, so 50 years cost what 26 weeks do."""
    from datetime import date as Date

    where, params = _where_time(None, until, alias="checkins")
    seen: set[Date] = set()  # Mondays
    for (day,) in db.execute(f"SELECT local_date FROM checkins{where} ORDER BY at DESC", params):
        moment = Date.fromisoformat(day)
        week = moment - timedelta(days=moment.weekday())
        if week not in seen:
            if len(seen) == weeks:
                return min(seen).isoformat() if seen else None
            seen.add(week)
    return None  # fewer weeks than that: all of them


def rating_means_by(
    db: Connection, by: str, since: datetime | None, until: datetime | None, from_day: str | None = None
) -> list[dict]:
    """Check-in count and mean of each rating per week or month, aggregated by SQLite; ``from_day``
    (a local 'YYYY-MM-DD') also bounds the days read."""
    from ketalog.validation import RATING_NAMES

    where, params = _where_time(since, until, alias="checkins")
    if from_day is not None:
        where, params = _and(where, "local_date >= ?"), [*params, from_day]
    means = ", ".join(f"round(avg({name}), 2) AS {name}" for name in (*RATING_NAMES, "sleep_hours"))
    return list(
        db.query(
            f"SELECT {_PERIOD_SQL[by]} AS period, count(*) AS checkins, {means} FROM checkins"
            f"{where} GROUP BY period ORDER BY period",
            params,
        )
    )


def phone_means_by(db: Connection, by: str, since: datetime | None, until: datetime | None) -> list[dict]:
    """Mean of each phone metric per week or month and source (`daily_metrics`), aggregated by SQLite."""
    clauses, params = [], []
    if since is not None:
        clauses.append("local_date >= ?")
        params.append(since.date().isoformat())
    if until is not None:
        clauses.append("local_date < ?")
        params.append(until.date().isoformat())
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return list(
        db.query(
            f"SELECT {_PERIOD_SQL[by]} AS period, source, metric, round(avg(value), 2) AS mean, count(*) AS days "
            f"FROM daily_metrics{where} GROUP BY period, source, metric ORDER BY period",
            params,
        )
    )


def phone_days(db: Connection, since: datetime | None, until: datetime | None) -> list[tuple[str, str, str, float]]:
    """(local day, source, metric, value) from `daily_metrics` for [since, until), by local day."""
    clauses, params = [], []
    if since is not None:
        clauses.append("local_date >= ?")
        params.append(since.date().isoformat())
    if until is not None:
        clauses.append("local_date < ?")
        params.append(until.date().isoformat())
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return [
        (row[0], row[1], row[2], row[3])
        for row in db.execute(
            f"SELECT local_date, source, metric, value FROM daily_metrics{where} ORDER BY local_date", params
        )
    ]


def home_readings(db: Connection, since: datetime | None, until: datetime | None, metric: str) -> list[dict]:
    """The phone's dated readings of one kind (`blood_pressure`, `symptom`, `state_of_mind`) in [since, until)."""
    where, params = _where_time(since, until, alias="health_readings")
    where = _and(where, "metric = ?")
    return [
        {**row, "at": from_storage(row["at"], row["utc_offset"])}
        for row in db.query(f"SELECT * FROM health_readings{where} ORDER BY at", [*params, metric])
    ]


def instrument_means_by(db: Connection, by: str, since: datetime | None, until: datetime | None) -> list[dict]:
    """Mean questionnaire total per instrument per week or month, aggregated by SQLite."""
    where, params = _where_time(since, until, alias="surveys")
    return list(
        db.query(
            f"SELECT {_PERIOD_SQL[by]} AS period, instrument, round(avg(total), 1) AS mean_total "
            f"FROM surveys{where} GROUP BY period, instrument ORDER BY period",
            params,
        )
    )


def last_checkin_at(db: Connection, before: datetime | None = None) -> datetime | None:
    """The time of the latest check-in (before ``before``), as the user lived it."""
    where, params = _where_time(None, before, alias="checkins")
    row = next(db.query(f"SELECT at, utc_offset FROM checkins{where} ORDER BY at DESC LIMIT 1", params), None)
    return from_storage(row["at"], row["utc_offset"]) if row else None


def last_scored_at(db: Connection, instruments: Iterable[str]) -> dict[str, datetime | None]:
    """The time of each instrument's latest questionnaire with a total (by index, whatever the history)."""
    found: dict[str, datetime | None] = {}
    for instrument in instruments:
        row = next(
            db.query(
                "SELECT at, utc_offset FROM surveys WHERE instrument = ? AND total IS NOT NULL "
                "ORDER BY at DESC LIMIT 1",
                [instrument],
            ),
            None,
        )
        found[instrument] = from_storage(row["at"], row["utc_offset"]) if row else None
    return found


# The plan ---------------------------------------------------------------------------------


def planned(db: Connection, since_day: str | None = None) -> list[dict]:
    """Planned days (oldest first) with whether a session was logged that day: {id, local_date, note, done}."""
    where, params = ("WHERE p.local_date >= ?", [since_day]) if since_day else ("", [])
    return [
        {**row, "done": bool(row["done"])}
        for row in db.query(
            "SELECT p.id, p.local_date, p.note, EXISTS (SELECT 1 FROM sessions s WHERE s.local_date = p.local_date) "
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


def latest_rated_at(db: Connection) -> datetime | None:
    """The newest check-in or questionnaire, whatever its age (trends fall back to it)."""
    row = next(
        db.query(
            "SELECT at, utc_offset FROM (SELECT at, utc_offset FROM checkins UNION ALL "
            "SELECT at, utc_offset FROM surveys) ORDER BY at DESC LIMIT 1"
        ),
        None,
    )
    return from_storage(row["at"], row["utc_offset"]) if row else None


def sessions_between(db: Connection, since: datetime | None, until: datetime | None) -> list[Session]:
    return _load(db, "session", since, until)


# Other medicines ---------------------------------------------------------------------------------


def session_notes(db: Connection, session_id: str) -> list[JournalEntry]:
    """The journal notes linked to one session, oldest first."""
    kind = KINDS["journal"]
    return _records(db, kind, f"{_select(kind)} WHERE e.session_id = ? ORDER BY e.at", [session_id])


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


def record_backup(db: Connection, path: Path) -> None:
    """Remember where a backup went, so `encrypt` can name every plain copy, wherever it is."""
    with writing(db):
        db.execute(
            "INSERT INTO backups (path, made_at) VALUES (?, ?) "
            "ON CONFLICT (path) DO UPDATE SET made_at = excluded.made_at",
            [str(path), stamp()],
        )


def backup_paths(db: Connection) -> list[Path]:
    return [Path(row["path"]) for row in db.query("SELECT path FROM backups ORDER BY made_at")]


def confirmed_sources(db: Connection) -> list[str]:
    """Apps whose mood labels the person placed on their scale (`import --mood-map`)."""
    return [row["source"] for row in db.query("SELECT DISTINCT source FROM mood_labels")]


def import_sources(db: Connection) -> list[str]:
    return [row["source"] for row in db.query("SELECT DISTINCT source FROM checkins WHERE source IS NOT NULL")]


def scale_directions(db: Connection) -> dict[str, bool]:
    """The direction the person gave for each scale ketalog does not know: {name: higher_is_better}."""
    return {row["name"]: bool(row["higher_is_better"]) for row in db.query("SELECT * FROM scale_directions")}


def set_scale_direction(db: Connection, name: str, higher_is_better: bool) -> None:
    with writing(db):
        db.execute(
            "INSERT INTO scale_directions (name, higher_is_better) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET higher_is_better = excluded.higher_is_better",
            [name, int(higher_is_better)],
        )


# Integration reflections, the long-term follow-up and labs (issue 30) -------------------------------------


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
    session id -> [{day, at, first line}]."""
    from ketalog.reflections import TAG_PREFIX

    where, params = _where_time(since, until, alias="s")
    found: dict[str, list[dict]] = {}
    for row in db.query(
        "SELECT j.session_id, j.at, j.utc_offset, j.text, t.tag FROM journal j JOIN sessions s ON s.id = j.session_id"
        f" JOIN journal_tags t ON t.journal_id = j.id AND t.tag LIKE ?{where}"
        " ORDER BY j.at",
        [TAG_PREFIX + "%", *params],
    ):
        first = next((line.strip() for line in row["text"].splitlines() if line.strip()), "")
        found.setdefault(row["session_id"], []).append(
            {"day": row["tag"][len(TAG_PREFIX) :], "at": from_storage(row["at"], row["utc_offset"]), "text": first}
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
