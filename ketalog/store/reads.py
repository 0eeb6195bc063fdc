"""Reads for the engine: only what a report, a trends table or `insights` needs, bounded by the rules' own
windows (`models.Reads`), aggregated by SQLite where a mean or a count is all that is asked.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Iterable

from ketalog.db import Connection
from ketalog.models import (
    Checkin,
    JournalEntry,
    MedicationEvent,
    PeriodScores,
    PeriodSessions,
    Reads,
    ReportInputs,
    Session,
    SessionReadings,
    Survey,
    TrendInputs,
    most_often_first,
    runs,
)
from ketalog.store.entries import (
    JOURNAL_EXCERPTS,
    KINDS,
    _and,
    _load,
    _records,
    _select,
    _where_time,
    courses,
    near_local_days,
    nth_latest_session_at,
)
from ketalog.store.medicines import medications
from ketalog.store.plan import planned
from ketalog.timeparse import from_storage, to_utc_text


def report_inputs(
    db: Connection,
    now: datetime,
    since: datetime | None,
    until: datetime | None,
    reads: Reads,
    listed: int | None = None,
) -> ReportInputs:
    """Only what a report over [since, until) needs (see ``ReportInputs``): ``reads`` is the rules' own
    windows, words and horizon (`reading.rules.READS`); ``listed``: load whole records of only the period's
    latest ``listed`` sessions (what a page prints), not of every one (what the JSON lists)."""
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
    sessions = _listed_sessions(db, since, until, listed)
    return ReportInputs(
        now=now,
        since=since,
        until=until,
        courses=all_courses,
        sessions_total=sum(c.session_count for c in all_courses),
        sessions=sessions,
        period_sessions=period_sessions(db, since, until, reads),
        period_scores=period_scores(db, since, until, reads.answers_kept),
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
        reflections=reflections(db, sessions[0].at, until) if sessions else {},  # of the listed sessions
    )


def _listed_sessions(db: Connection, since: datetime | None, until: datetime | None, listed: int | None):
    if listed is None:
        return _load(db, "session", since, until)
    return list(reversed(_load(db, "session", since, until, order="e.at DESC, e.created_at DESC", limit=listed)))


def period_sessions(db: Connection, since: datetime | None, until: datetime | None, reads: Reads) -> PeriodSessions:
    """``PeriodSessions.of`` every session of [since, until), counted and summed by SQLite: years of sessions
    cost a few light rows, and of the sessions with a reading the flags read, just those readings."""
    where, params = _where_time(since, until, alias="s")
    times: list[datetime] = []
    routes: dict[str, int] = {}
    dose_labels: list[str] = []
    formatted: dict[tuple, str] = {}  # a few distinct doses however many sessions: each formatted once
    total, costs = 0.0, 0
    for at, offset, route, amount, unit, dose_list, cost in db.execute(
        "SELECT at, utc_offset, route, dose_amount, dose_unit, doses, cost FROM sessions s"
        f"{where} ORDER BY at, created_at",
        params,
    ):
        times.append(from_storage(at, offset))
        routes[route] = routes.get(route, 0) + 1
        if cost is not None:
            total, costs = total + cost, costs + 1
        key = (route, amount, unit, dose_list)
        label = formatted.get(key)
        if label is None:
            label = formatted[key] = Session(
                "", times[-1], "", "", route, dose_amount=amount, dose_unit=unit,
                doses=json.loads(dose_list) if dose_list else [],
            ).dose_label  # fmt: skip
        dose_labels.append(label)
    effects = db.execute(
        # CROSS JOIN: the period's sessions by the time index, then their side effects (not every one ever)
        f"SELECT x.name, count(*) FROM sessions s CROSS JOIN side_effects x ON x.session_id = s.id{where} "
        "GROUP BY x.name",
        params,
    ).fetchall()
    (before_sys, before_dia), (after_sys, after_dia), (low, high) = reads.bp_before, reads.bp_after, reads.heart_rate
    notable = (
        f"(bp_before_sys IS NOT NULL AND bp_before_dia IS NOT NULL AND "
        f"(bp_before_sys > {int(before_sys)} OR bp_before_dia > {int(before_dia)})) OR "
        f"(bp_after_sys IS NOT NULL AND bp_after_dia IS NOT NULL AND "
        f"(bp_after_sys >= {int(after_sys)} OR bp_after_dia >= {int(after_dia)})) OR "
        f"heart_rate < {int(low)} OR heart_rate >= {int(high)}"
    )  # the crisis range lies above both blood-pressure thresholds
    columns = ", ".join(SessionReadings.READ)
    raised = f"SELECT at, utc_offset, {columns} FROM sessions s{_and(where, f'({notable})')} ORDER BY at, created_at"
    return PeriodSessions(
        count=len(times),
        routes=routes,
        cost=total if costs else None,
        side_effects=most_often_first(effects),
        times=times,
        doses=runs(dose_labels),
        notable=[
            SessionReadings(from_storage(at, offset), *values) for at, offset, *values in db.execute(raised, params)
        ],
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
    """The scores the questionnaire rules read whole, not every score ever: the course's baseline windows
    (``lookback`` before its start, ``early`` after); the course-wide rules' horizon; each instrument's
    latest (so an instrument keeps its row) and latest with a total (its latest score in the period, when
    that lies in it); and the latest safety-item answer above 0. The period's are read as ``period_scores``."""
    kind = KINDS["survey"]
    found: dict[str, Survey] = {}

    def add(rows) -> None:
        found.update((survey.id, survey) for survey in rows)

    if course is not None:
        add(
            _load(
                db, "survey", course.started - lookback, _earlier(course.started + early + timedelta(seconds=1), until)
            )
        )
        add(_load(db, "survey", recent_part, until))
    before, params = ("e.at < ? AND ", [to_utc_text(until)]) if until is not None else ("", [])
    for only in ("", "total IS NOT NULL"):  # each instrument's latest, and its latest with a total
        where = " AND ".join(filter(None, ["at < ?" if until is not None else "", only]))
        latest = (
            f"{_select(kind)} JOIN (SELECT instrument, max(at) AS at FROM surveys{' WHERE ' + where if where else ''}"
            " GROUP BY instrument) m ON e.instrument = m.instrument AND e.at = m.at"
        )  # grouped by the (instrument, at) index: one pass, not a subquery per score
        add(_records(db, kind, latest, params))
    for instrument, item in safety_items.items():
        positive = (
            f"{_select(kind)} WHERE {before}e.instrument = ? AND json_extract(e.answers, '$[{int(item) - 1}]') > 0 "
            "ORDER BY e.at DESC, e.created_at DESC LIMIT 1"
        )
        add(_records(db, kind, positive, [*params, instrument]))
    return sorted(found.values(), key=lambda survey: (survey.at, survey.created_at))


def period_scores(db: Connection, since: datetime | None, until: datetime | None, kept: int | None) -> PeriodScores:
    """``PeriodScores.of`` every score of [since, until), from light rows: item answers are decoded only where
    read (the safety item's, and each instrument's latest ``kept``; all when None)."""
    where, params = _where_time(since, until, alias="surveys")
    rows = db.execute(
        f"SELECT at, utc_offset, instrument, total, answers FROM surveys{where} ORDER BY at, created_at", params
    )
    return PeriodScores.of(
        ((from_storage(at, offset), instrument, total, answers) for at, offset, instrument, total, answers in rows),
        lambda stored: json.loads(stored) if stored else None,  # type: ignore[arg-type]
        kept,
    )


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
        # CROSS JOIN keeps SQLite's order: the sessions in time first (indexed), then their notes, not
        # every note ever written in time order to find the few sessions.
        f"SELECT j.session_id, j.text FROM sessions s CROSS JOIN journal j ON j.session_id = s.id{where} ORDER BY j.at",
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
    (case-insensitive substring match, done by SQLite): (when, where, the text). Written as the partial
    indexes of migration 017 are, so SQLite reads only the rows that contain a watched word."""
    from ketalog.migrations import like_any

    words = tuple(word.lower() for word in words)
    if not words:
        return []
    sources = (
        ("side effect", "x.name", "SELECT s.at, s.utc_offset, x.name AS text FROM side_effects x "
         "JOIN sessions s ON s.id = x.session_id"),
        ("session note", "s.note", "SELECT at, utc_offset, note AS text FROM sessions s"),
        ("check-in note", "s.note", "SELECT at, utc_offset, note AS text FROM checkins s"),
        ("journal", "s.text", "SELECT at, utc_offset, text FROM journal s"),
    )  # fmt: skip
    found = []
    for where_label, column, select in sources:
        where, params = _where_time(since, until, alias="s")
        for row in db.query(f"{select}{_and(where, like_any(column, words))}", params):
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
    where, params = _where_time(None, until, alias="checkins")
    seen: set[date] = set()  # Mondays
    for (day,) in db.execute(f"SELECT local_date FROM checkins{where} ORDER BY at DESC", params):
        moment = date.fromisoformat(day)
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
    if from_day is not None:  # SQLite reads those weeks, not every check-in to test its local day
        where, params = (
            _and(where, f"{near_local_days('checkins', '?')} AND local_date >= ?"),
            [*params, from_day, from_day],
        )
    means = ", ".join(f"round(avg({name}), 2) AS {name}" for name in (*RATING_NAMES, "sleep_hours"))
    return list(
        db.query(
            f"SELECT {_PERIOD_SQL[by]} AS period, count(*) AS checkins, {means} FROM checkins"
            f"{where} GROUP BY period ORDER BY period",
            params,
        )
    )


def _where_days(since: datetime | None, until: datetime | None) -> tuple[str, list]:
    """[since, until) on a table keyed by local day (the phone's metrics have no time of day)."""
    clauses, params = [], []
    if since is not None:
        clauses.append("local_date >= ?")
        params.append(since.date().isoformat())
    if until is not None:
        clauses.append("local_date < ?")
        params.append(until.date().isoformat())
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def phone_means_by(db: Connection, by: str, since: datetime | None, until: datetime | None) -> list[dict]:
    """Mean of each phone metric per week or month and source (`daily_metrics`), aggregated by SQLite."""
    where, params = _where_days(since, until)
    return list(
        db.query(
            f"SELECT {_PERIOD_SQL[by]} AS period, source, metric, round(avg(value), 2) AS mean, count(*) AS days "
            f"FROM daily_metrics{where} GROUP BY period, source, metric ORDER BY period",
            params,
        )
    )


def phone_days(db: Connection, since: datetime | None, until: datetime | None) -> list[tuple[str, str, str, float]]:
    """(local day, source, metric, value) from `daily_metrics` for [since, until), by local day."""
    where, params = _where_days(since, until)
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


def session_notes(db: Connection, session_id: str) -> list[JournalEntry]:
    """The journal notes linked to one session, oldest first."""
    kind = KINDS["journal"]
    return _records(db, kind, f"{_select(kind)} WHERE e.session_id = ? ORDER BY e.at", [session_id])
