"""The database file: schema, foreign keys, migrations, permissions, refusal of foreign files, concurrency."""

from __future__ import annotations

import sqlite3
import stat
from datetime import datetime, timedelta, timezone

import pytest
from helpers import count, run_ketalog
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ketalog import db as database
from ketalog import reports, store
from ketalog.errors import DatabaseFileError
from ketalog.migrations import MIGRATION_NAMES
from ketalog.reading.rules import WORD_ENDS

NOW = datetime(2026, 3, 10, 10, tzinfo=timezone.utc)

EXPECTED_COLUMNS = {
    "sessions": {
        "id",
        "at",
        "utc_offset",
        "local_date",
        "route",
        "dose_amount",
        "dose_unit",
        "duration_min",
        "clinic",
        "provider",
        "dissociation",
        "bp_before_sys",
        "bp_before_dia",
        "bp_after_sys",
        "bp_after_dia",
        "heart_rate",
        "cost",
        "therapy",
        "intention",
        "note",
        "created_at",
        "updated_at",
    },
    "side_effects": {"session_id", "name"},
    "checkins": {
        "id",
        "at",
        "utc_offset",
        "local_date",
        "mood",
        "anxiety",
        "pain",
        "energy",
        "motivation",
        "sleep",
        "thoughts",
        "sleep_hours",
        "note",
        "created_at",
        "updated_at",
    },
    "journal": {"id", "at", "utc_offset", "local_date", "text", "created_at", "updated_at"},
    "journal_tags": {"journal_id", "tag"},
}


@pytest.fixture
def db(db_path):
    handle = database.open_db(db_path, create=True)
    yield handle
    handle.close()


def test_schema_has_documented_tables_and_columns(db):
    for table, columns in EXPECTED_COLUMNS.items():
        assert columns <= set(db.utils[table].columns_dict), table


def test_foreign_keys_are_on_and_cascade(db):
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    fks = {(fk.table, fk.column, fk.other_table) for fk in db.utils["side_effects"].foreign_keys}
    assert fks == {("side_effects", "session_id", "sessions")}
    session = store.insert(db, "session", NOW, {"route": "iv"}, ["nausea", "headache"])
    assert db.utils["side_effects"].count == 2
    store.delete(db, session)
    assert db.utils["side_effects"].count == 0
    with pytest.raises(sqlite3.IntegrityError):
        with database.writing(db):
            db.utils["side_effects"].insert({"session_id": "missing", "name": "nausea"})


def test_check_constraints_back_up_validation(db):
    with pytest.raises(sqlite3.IntegrityError):
        store.insert(db, "checkin", NOW, {"mood": 11})
    assert db.utils["checkins"].count == 0


def test_wal_and_busy_timeout(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_migrations_recorded_and_version(db):
    assert database.applied_migrations(db) == MIGRATION_NAMES
    assert database.schema_version(db) == database.latest_schema_version()


def test_file_and_directory_modes(db_path, db):
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700


def test_reading_a_missing_file_creates_nothing(db_path):
    handle = database.open_db(db_path, create=False)
    assert set(store.counts(handle).values()) == {0}
    handle.close()
    assert not db_path.exists() and not db_path.parent.exists()


def test_ids_are_random_hex_and_prefix_lookup(db):
    first = store.insert(db, "checkin", NOW, {"mood": 5})
    assert len(first.id) == 32 and int(first.id, 16) >= 0
    assert store.find(db, first.id[:6]).id == first.id
    assert store.find(db, first.id.upper()).id == first.id


def _unchanged(path, make):
    before = path.read_bytes()
    with pytest.raises(DatabaseFileError) as error:
        make()
    assert path.read_bytes() == before
    assert not path.with_name(path.name + "-wal").exists()
    return error.value


def test_refuses_a_file_that_is_not_sqlite(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my diary\n" * 100)
    error = _unchanged(path, lambda: database.open_db(path, create=True))
    assert "not a ketalog database" in str(error)


def test_refuses_someone_elses_sqlite_database(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.close()
    error = _unchanged(path, lambda: database.open_db(path, create=True))
    assert "not a ketalog one" in str(error)


def test_refuses_a_database_from_a_newer_ketalog(db_path, db):
    with database.writing(db):
        db.utils["_sqlite_migrations"].insert(
            {"migration_set": "ketalog", "name": "999_from_the_future", "applied_at": "2030-01-01"}
        )
    db.close()
    error = _unchanged(db_path, lambda: database.open_db(db_path, create=True))
    assert "newer ketalog" in str(error)


def test_refuses_a_corrupted_database(db_path, db):
    store.insert(db, "checkin", NOW, {"mood": 5})
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # smash the schema page, keep the header
    db_path.write_bytes(bytes(data))
    error = _unchanged(db_path, lambda: database.open_db(db_path, create=True))
    assert "damaged" in str(error)


def test_cli_exit_1_for_a_foreign_file(tmp_path, cli):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    result = cli("--db", str(path), "checkin", "--mood", "5", expect=1)
    assert "not a ketalog database" in result.stderr
    assert path.read_text() == "hello"


def test_python_m_ketalog_works(db_path):
    result = run_ketalog("checkin", "--mood", "6")
    assert result.returncode == 0, result.stderr
    assert "Check-in logged" in result.stdout
    assert count(db_path, "checkins") == 1


def test_history_inputs_select_what_the_store_selects(tmp_path):
    """tests/history.inputs stands in for store.report_inputs in the engine's tests: both must agree."""

    import history as h

    from ketalog.db import open_db
    from ketalog.reading.report import build_report
    from ketalog.reading.rules import SPARKLINE_WEEKS

    sessions = [
        h.session(0, dose_amount=0.5, dose_unit="mg/kg", side_effects=["nausea"]),
        h.session(2),
        h.session(5),
        h.session(9, bp_before_sys=150, bp_before_dia=95, note="peeing a lot after"),
        h.session(80, new_course=True, side_effects=["bladder pain"]),  # a second course
    ]
    checkins = (
        h.series("mood", [3, 2, 3, 4, 3], -10, 2)
        + h.series("mood", [5, 6, 6, 7, 7, 6, 7, 8], 1, 3)
        + h.series("anxiety", [8, 7, 7, 5, 4, 4], -6, 5)
    )
    surveys = [h.phq9(-2, 18), h.phq9(14, 9), h.phq9(28, 6), h.survey("madrs", 20, 14)]
    notes = [h.note(3, "first week"), h.note(21, "steadier"), h.note(82, "blood in my urine?")]
    db = open_db(tmp_path / "same.db", create=True)
    _store_all(db, (*sessions, *checkins, *surveys, *notes))
    periods = ((None, None), (h.day(4), None), (None, h.day(15)), (h.day(1), h.day(22)), (h.day(70), None))
    for since, until in periods:
        expected = h.inputs(sessions, checkins, surveys, notes, since=since, until=until, now=h.day(90))
        actual = reports.inputs(db, h.day(90), since, until)
        assert actual.course_start == expected.course_start and actual.sessions_total == expected.sessions_total
        for name in ("sessions", "course_sessions", "checkins", "surveys", "journal"):
            assert [e.at for e in getattr(actual, name)] == [e.at for e in getattr(expected, name)], name
        assert actual.last_checkin_at == expected.last_checkin_at and actual.course_ratings == expected.course_ratings
        assert [(m[0], m[1]) for m in actual.mentions] == [(m[0], m[1]) for m in expected.mentions]
        assert actual.weekly == expected.weekly[-SPARKLINE_WEEKS:]
        built = [build_report(inputs).to_json() for inputs in (actual, expected)]
        for report in built:
            for row in report["sessions"]:
                row.pop("id")  # the store made its own ids
        assert built[0] == built[1], (since, until)
    db.close()


def test_a_long_course_is_read_within_the_rules_horizon(tmp_path):
    """Three years of maintenance: the course-wide mood rules read its last two years, dissociation still
    compares the course's first sessions with its last, and the store selects what the reference does."""

    import history as h

    from ketalog.reading.report import build_report
    from ketalog.reading.rules import COURSE_HORIZON, DISSOCIATION_SESSIONS, WINDOW

    sessions = [h.session(7 * week, dissociation=2 if week < 3 else 6) for week in range(0, 156)]
    checkins = [h.checkin(d, mood=3 + (d % 7 < 3) * 4) for d in range(-14, 1092)]
    db = database.open_db(tmp_path / "long.db", create=True)
    _store_all(db, (*sessions, *checkins))
    now = h.day(1095)
    actual = reports.inputs(db, now, None, None)
    expected = h.inputs(sessions, checkins, now=now)
    assert actual.course_ratings == expected.course_ratings
    assert actual.course_mood[0][0] >= now - COURSE_HORIZON - WINDOW
    assert [s.at for s in actual.course_sessions] == [s.at for s in expected.course_sessions]
    assert all(s.at >= now - COURSE_HORIZON for s in actual.course_sessions)
    assert [s.at for s in actual.course_rated] == [s.at for s in expected.course_rated]
    assert actual.course_rated[0].at == h.day(0) and len(actual.course_rated) == 2 * DISSOCIATION_SESSIONS
    report = build_report(actual)
    assert "dissociation_rising" in {flag.id for flag in report.flags}  # the course's first sessions still count
    durability = report.durability
    assert durability.events + durability.censored + durability.no_data <= 105


def test_trends_by_session_read_only_what_the_shown_sessions_need(tmp_path):
    """The last 20 sessions of a long history: the same rows as when every check-in is read."""

    import history as h

    from ketalog.reading.rules import SCORE_EARLY_AFTER, WINDOW
    from ketalog.reading.trends import TREND_DEFAULT_ROWS, build_trends, session_intervals

    sessions = [h.session(3 * n) for n in range(40)] + [h.session(400 + 4 * n, new_course=(n == 0)) for n in range(12)]
    checkins = [h.checkin(d, mood=2 + (d % 5)) for d in range(-20, 460)]
    db = database.open_db(tmp_path / "trend.db", create=True)
    _store_all(db, (*sessions, *checkins))
    now = h.day(470)
    rows = TREND_DEFAULT_ROWS["session"]
    bounded = store.trend_inputs(
        db, "session", now, None, None, window=WINDOW, session_rows=rows, early=SCORE_EARLY_AFTER
    )
    assert len(bounded.checkins) < len(checkins)  # the years before the shown sessions were not read
    everything, _ = store.list_entries(db, ["checkin"], None, None, None)
    assert build_trends(bounded) == session_intervals(bounded.sessions, everything, bounded.courses, now)


def _long_history_db(tmp_path):
    """Three and a half years: a course with weekly sessions, daily moods that lift after each session,
    PHQ-9 every two weeks (item 9 once above 0, years ago), GAD-7, and a MADRS logged only once, long ago."""

    import history as h

    sessions = [h.session(7 * week, dissociation=2 + (week > 100) * 4) for week in range(0, 180)]
    checkins = [h.checkin(d, mood=3 + (d % 7 < 3) * 4, anxiety=5) for d in range(-20, 1270)]
    surveys = [h.phq9(d, 18 if d < 30 else 8) for d in range(-3, 1260, 14)]
    surveys += [h.survey("gad7", d, 12 if d < 30 else 5) for d in range(-2, 1260, 28)]
    surveys.append(h.survey("madrs", 40, 20))
    surveys.append(h.survey("phq9", 60, 10, [1, 1, 1, 1, 1, 1, 1, 1, 2], "mild"))  # item 9 above 0, years ago
    db = database.open_db(tmp_path / "long.db", create=True)
    _store_all(db, (*sessions, *checkins, *surveys))
    return db


def test_reports_from_bounded_reads_equal_reports_from_everything(tmp_path):
    """The store reads only what the rules need (windows, the horizon, each instrument's latest, the last
    item-9 answer above 0); with every session, mood and score given instead, every report is the same."""
    import dataclasses

    import history as h

    from ketalog.reading.report import build_report
    from ketalog.reading.rules import WINDOW

    db = _long_history_db(tmp_path)
    now = h.day(1275)
    for since, until in ((None, None), (h.day(1261), None), (h.day(600), h.day(900)), (None, h.day(45))):
        bounded = reports.inputs(db, now, since, until)
        course = bounded.course
        everything = dataclasses.replace(
            bounded,
            course_sessions=[s for s in store.sessions_between(db, course.started, until)],
            course_ratings=store.course_readings(db, course.started - WINDOW, until),
            surveys=store._load(db, "survey", None, until),
        )
        assert len(everything.surveys) > len(bounded.surveys) or since is None
        assert build_report(bounded).to_json() == build_report(everything).to_json(), (since, until)
    recent = reports.build(db, now, h.day(1261), None)
    assert "madrs" in recent.instruments and recent.safety.last_positive["answer"] == 2


def _store_all(db, entries) -> None:
    """History entries (tests/history.py) written through the store, with their tags or side effects."""
    from dataclasses import asdict

    for entry in entries:
        values = {
            k: v
            for k, v in asdict(entry).items()
            if k not in ("id", "at", "created_at", "updated_at", "side_effects", "tags", "number") and v != []
        }
        children = getattr(entry, "side_effects", None) or getattr(entry, "tags", None) or ()
        store.insert(db, entry.kind, entry.at, values, children)


_SESSION_MARKS = st.lists(
    st.tuples(
        st.integers(0, 2000),  # hours after the first day: distinct, so the order of sessions is the order of time
        st.sampled_from(["iv", "im", "intranasal", "oral"]),
        st.booleans(),  # logged with --new-course
        st.sampled_from([-300, 0, 60, 330]),  # minutes from UTC where the session was logged
    ),
    max_size=25,
    unique_by=lambda mark: mark[0],
)


@given(marks=_SESSION_MARKS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_courses_from_sql_are_the_rule_applied_to_every_session(tmp_path, marks):
    """``store.courses`` aggregates in SQL; ``courses.split`` is the rule over every session: the same courses."""
    import uuid
    from datetime import timedelta

    import history as h

    from ketalog.courses import SessionMark, split

    db = database.open_db(tmp_path / f"{uuid.uuid4().hex}.db", create=True)  # a new file for each example
    try:
        sessions = []
        for hours, route, new_course, minutes in marks:
            at = (h.day(0) + timedelta(hours=hours)).astimezone(timezone(timedelta(minutes=minutes)))
            sessions.append(store.insert(db, "session", at, {"route": route, "new_course": new_course}))
        expected = split([SessionMark(s.at, s.route, s.new_course) for s in sessions])
        assert store.courses(db) == expected
        assert [list(course.routes) for course in store.courses(db)] == [list(course.routes) for course in expected]
        if len(sessions) > 1:
            cut = sorted(s.at for s in sessions)[len(sessions) // 2]
            assert store.courses(db, cut) == split(
                [SessionMark(s.at, s.route, s.new_course) for s in sessions if s.at < cut]
            )
    finally:
        db.close()


_PERIOD_SESSIONS = st.lists(
    st.fixed_dictionaries(
        {
            "hours": st.integers(0, 3000),
            "route": st.sampled_from(["iv", "im", "intranasal"]),
            "dose": st.sampled_from([None, (0.5, "mg/kg"), (0.75, "mg/kg"), (56, "mg")]),
            "bp_before": st.one_of(st.none(), st.tuples(st.integers(100, 190), st.integers(60, 125))),
            "bp_after": st.one_of(st.none(), st.tuples(st.integers(100, 190), st.integers(60, 125))),
            "heart_rate": st.one_of(st.none(), st.integers(40, 140)),
            "cost": st.one_of(st.none(), st.sampled_from([0.0, 120.5, 400.0, 0.1])),
            "side_effects": st.lists(st.sampled_from(["nausea", "headache", "dizziness", "bladder pain"]), unique=True),
        }
    ),
    max_size=20,
    unique_by=lambda s: s["hours"],
)


@given(drawn=_PERIOD_SESSIONS, cut=st.integers(0, 3000))
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_period_sessions_from_sql_are_the_rule_applied_to_every_session(tmp_path, drawn, cut):
    """``store.period_sessions`` counts, sums and picks in SQLite; ``PeriodSessions.of`` is the same reading
    over every whole session: the same counts, routes, costs, side effects, times, dose runs and notable ones."""
    import uuid
    from datetime import timedelta

    import history as h

    from ketalog.models import PeriodSessions
    from ketalog.reading.rules import READS
    from ketalog.reading.vitals import notable

    db = database.open_db(tmp_path / f"{uuid.uuid4().hex}.db", create=True)
    try:
        sessions = []
        for row in drawn:
            values: dict = {"route": row["route"], "cost": row["cost"], "heart_rate": row["heart_rate"]}
            if row["dose"]:
                values["dose_amount"], values["dose_unit"] = row["dose"]
            for when in ("before", "after"):
                if row[f"bp_{when}"]:
                    values[f"bp_{when}_sys"], values[f"bp_{when}_dia"] = row[f"bp_{when}"]
            at = h.day(0) + timedelta(hours=row["hours"])
            sessions.append(store.insert(db, "session", at, values, row["side_effects"]))
        since = h.day(0) + timedelta(hours=cut)
        for start in (None, since):
            expected = PeriodSessions.of([s for s in sessions if start is None or s.at >= start], notable)
            actual = store.period_sessions(db, start, None, READS)
            assert (actual.count, actual.routes, actual.side_effects, actual.times, actual.doses) == (
                expected.count, expected.routes, expected.side_effects, expected.times, expected.doses
            )  # fmt: skip
            assert list(actual.routes) == list(expected.routes)  # first used first
            assert (actual.cost is None) == (expected.cost is None)
            assert actual.cost is None or abs(actual.cost - expected.cost) < 1e-6  # type: ignore[operator]
            assert actual.notable == expected.notable
    finally:
        db.close()


def test_a_page_reads_every_session_but_lists_only_its_latest(tmp_path):
    """A page loads whole records of only the sessions it prints; every count, sign and flag reads all of
    them, so the page and the JSON tell one story (only the JSON's list is longer)."""
    import history as h

    sessions = [
        h.session(3 * n, side_effects=["nausea"] if n % 2 else [], cost=100.0 if n < 5 else None,
                  bp_before_sys=150 if n == 2 else None, bp_before_dia=95 if n == 2 else None)
        for n in range(30)
    ]  # fmt: skip
    checkins = [h.checkin(d, mood=3 + (d > 0) * 3) for d in range(-14, 95)]
    db = database.open_db(tmp_path / "page.db", create=True)
    _store_all(db, (*sessions, *checkins))
    ids = [row[0] for row in db.execute("SELECT id FROM sessions ORDER BY at")]
    for index, text in ((0, "the first of the course\nmore"), (29, "the latest one")):  # one unlisted, one listed
        store.insert(db, "journal", sessions[index].at + timedelta(hours=2), {"text": text, "session_id": ids[index]})
    now = h.day(95)
    page = reports.build(db, now, None, None, listed=20).to_json()
    full = reports.build(db, now, None, None).to_json()
    assert len(full["sessions"]) == 30 and page["sessions"] == full["sessions"][-20:]
    assert {**page, "sessions": None} == {**full, "sessions": None}
    assert page["course"]["sessions_in_period"] == 30 and page["course"]["cost_in_period"] == 500.0
    assert page["side_effects"] == {"nausea": 15}
    assert full["sessions"][0]["reflection"] == "the first of the course"
    assert page["sessions"][-1]["reflection"] == "the latest one"
    assert "blood_pressure" in {flag["id"] for flag in page["flags"]}  # the raised reading is session 3 of 30
    assert reports.build(db, now, None, None, listed=0).sessions == []
    db.close()


def test_watched_word_scans_read_only_the_rows_their_partial_indexes_hold(tmp_path):
    """Migration 017's partial indexes hold the rows containing a watched word; the report's scan repeats
    their condition term for term, so SQLite reads those rows, not fifty years of notes. Fails when the
    words change without a migration that re-creates the indexes."""
    import history as h

    from ketalog.reading.rules import READS

    db = database.open_db(tmp_path / "watched.db", create=True)
    _store_all(db, [h.note(1, "Up to pee three times"), h.note(2, "a good week"), h.checkin(3, mood=5)])
    queries: list[tuple[str, list]] = []
    query = db.query

    def spy(sql, params=()):
        queries.append((sql, list(params)))
        return query(sql, params)

    db.query = spy  # type: ignore[method-assign]
    for since in (None, h.day(0)):
        found = store.text_mentions(db, since, None, READS.watched_words)
        assert [text for _, _, text in found] == ["Up to pee three times"]
    assert len(queries) == 8
    for sql, params in queries:
        steps = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
        scans = [step for step in steps if step.startswith("SCAN")]  # a table read whole, not searched by time
        assert all("_watched" in step for step in scans), (sql, steps)
    db.close()


_PERIOD_SCORES = st.lists(
    st.tuples(
        st.integers(0, 3000),  # hours after the first day
        st.sampled_from(["phq9", "gad7", "madrs"]),
        st.one_of(st.none(), st.integers(0, 27)),  # None: too incomplete to total
        st.one_of(
            st.none(),  # a total logged without item answers
            st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=7, max_size=9),
        ),
    ),
    max_size=25,
    unique_by=lambda row: row[0],
)


@given(drawn=_PERIOD_SCORES, cut=st.integers(0, 3000), kept=st.sampled_from([None, 0, 1, 3]))
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_period_scores_from_light_rows_are_the_rule_applied_to_whole_records(tmp_path, drawn, cut, kept):
    """``store.period_scores`` reads light rows and decodes only the answers it keeps; the same ``of`` over
    whole records gives the same totals, counts, kept answers and item-9 facts (the one safety rule)."""
    import uuid
    from datetime import timedelta

    import history as h

    from ketalog.models import PeriodScores

    db = database.open_db(tmp_path / f"{uuid.uuid4().hex}.db", create=True)
    try:
        surveys = []
        for hours, instrument, total, answers in drawn:
            at = h.day(0) + timedelta(hours=hours)
            values = {"instrument": instrument, "total": total, "answers": answers}
            surveys.append(store.insert(db, "survey", at, values))
        since = h.day(0) + timedelta(hours=cut)
        for start in (None, since):
            rows = [(s.at, s.instrument, s.total, s.answers) for s in surveys if start is None or s.at >= start]
            expected = PeriodScores.of(sorted(rows, key=lambda row: row[0]), lambda answers: answers, kept)
            assert store.period_scores(db, start, None, kept) == expected
    finally:
        db.close()


_NOTE_WORDS = st.sampled_from(
    ["wee", "loo", "week", "look", "toilet", "all day", "at night", "urgent", "pee", "bladder", "a", "need", "to"]
)


@given(tokens=st.lists(st.tuples(_NOTE_WORDS, st.sampled_from(["", " ", *WORD_ENDS])), max_size=8))
def test_what_the_bladder_rule_matches_the_watched_words_find(tokens):
    """The store narrows notes with BLADDER_WORDS before the rule reads them: every text the rule matches
    contains a watched word, as SQLite reads it (the end of the text counts as a space): "I need to wee"
    at the end of a note is found. Punctuation outside WORD_ENDS after "wee" or "loo" is not."""
    from ketalog.reading.rules import BLADDER_PATTERN, BLADDER_WORDS

    text = "".join(word + (end or " ") for word, end in tokens).rstrip(" ")
    if BLADDER_PATTERN.search(text):
        assert any(word in text.lower() + " " for word in BLADDER_WORDS), text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, 24 * 60), st.sampled_from([-1079, -720, -300, 0, 330, 840, 1079]), st.integers(0, 10)),
        min_size=1,
        max_size=25,
    ),
    st.integers(0, 24),
)
@example([(24 + 11, 840, 5), (24 + 9, 840, 7)], 0)  # 01:00 on day 2 at +14:00 is 11:00 on day 1 in UTC
def test_weekly_means_from_a_day_read_every_check_in_of_those_local_days(tmp_path, drawn, first):
    """The sparkline's weeks are bounded by the indexed UTC times as well as by the local day: a check-in
    logged at any stored offset (up to 17:59 either way) on the first day shown still counts, none before."""
    from dataclasses import replace

    import history as h

    from ketalog.timeparse import from_storage, to_utc_text

    path = tmp_path / f"weekly-{len(drawn)}-{first}.db"
    db = database.open_db(path, create=True)
    checkins = []
    for hours, offset, mood in drawn:
        moment = from_storage(to_utc_text(h.day(0, 0) + timedelta(hours=hours)), offset)
        checkins.append(replace(h.checkin(0, mood=mood), at=moment))
    _store_all(db, checkins)
    from_day = checkins[first % len(checkins)].at.date().isoformat()  # the local day of one of them
    kept = [c for c in checkins if c.at.date().isoformat() >= from_day]
    assert store.rating_means_by(db, "week", None, None, from_day=from_day) == h._weekly(kept)
    db.close()
    path.unlink()


@pytest.mark.parametrize(
    "logged, offset, done",
    [
        ("2026-03-11T00:30", 840, True),  # 10:30 UTC the day before
        ("2026-03-11T23:30", -720, True),  # 11:30 UTC the day after
        ("2026-03-12T00:30", -720, False),  # the next local day, though 12:30 UTC of the 12th lies near
        ("2026-03-10T23:30", 840, False),  # the local day before, though 09:30 UTC of the 10th
        ("2026-03-11T00:01", 1079, True),  # the widest offset stored: 06:02 UTC the day before
        ("2026-03-11T23:59", -1079, True),  # 17:58 UTC the day after
    ],
)
def test_a_planned_day_is_done_by_a_session_on_that_local_day_at_any_offset(db, logged, offset, done):
    """The plan's lookup bounds each day by the indexed UTC time; the local day still decides."""
    moment = datetime.fromisoformat(logged).replace(tzinfo=timezone(timedelta(minutes=offset)))
    store.plan_days(db, ["2026-03-11"])
    store.insert(db, "session", moment, {"route": "iv"})
    assert [row["done"] for row in store.planned(db)] == [done]
