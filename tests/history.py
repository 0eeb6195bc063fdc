"""Builders for small hand-made histories, fed straight to the pure progress engine."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ketalog.models import Checkin, JournalEntry, ReportInputs, Session, Survey
from ketalog.validation import RATING_NAMES

UTC = timezone.utc
COURSE_START = datetime(2026, 3, 1, 10, tzinfo=UTC)
_counter = iter(range(10**9))


def day(offset: float, hour: int = 10) -> datetime:
    """A moment ``offset`` days from the first session (day 0, 10:00 UTC)."""
    return COURSE_START + timedelta(days=offset, hours=hour - 10)


def _id(prefix: str) -> str:
    return f"{prefix}{next(_counter):031x}"[:32]


def session(offset: float, hour: int = 10, **fields) -> Session:
    """A session as the store keeps one given by its summary columns: its doses and timed readings derived."""
    from ketalog.session_record import legacy_lists

    side_effects = fields.pop("side_effects", [])
    fields["doses"], fields["vitals"] = legacy_lists(fields)
    return Session(
        id=_id("5"),
        at=day(offset, hour),
        created_at="",
        updated_at="",
        route=fields.pop("route", "iv"),
        side_effects=side_effects,
        **fields,
    )


def checkin(offset: float, hour: int = 20, **ratings) -> Checkin:
    return Checkin(id=_id("c"), at=day(offset, hour), created_at="", updated_at="", **ratings)


def survey(instrument: str, offset: float, total: int, answers: list[int] | None = None, band=None) -> Survey:
    return Survey(
        id=_id("a"),
        at=day(offset, 9),
        created_at="",
        updated_at="",
        instrument=instrument,
        total=total,
        answers=answers,
        band=band,
    )


def phq9(offset: float, total: int, item9: int = 0) -> Survey:
    from ketalog import instruments as inst

    answers = [0] * 9
    answers[8] = item9
    remaining = total - item9
    for index in range(8):
        answers[index] = min(3, remaining)
        remaining -= answers[index]
    assert remaining == 0
    return survey("phq9", offset, total, answers, inst.PHQ9.band(total))


def series(name: str, values: list[int], start: float, step: float = 1.0, hour: int = 20) -> list[Checkin]:
    return [checkin(start + i * step, hour, **{name: value}) for i, value in enumerate(values)]


def inputs(
    sessions=(), checkins=(), surveys=(), journal=(), since=None, until=None, now=None, reads=None
) -> ReportInputs:
    """The same selection ``store.report_inputs`` makes, done in memory (tests/test_storage.py checks it),
    by the same ``Reads`` value (the rules' own, `reading.rules.READS`, unless a test gives another)."""
    import re

    from ketalog.courses import SessionMark, course_at, split
    from ketalog.models import PeriodScores, PeriodSessions
    from ketalog.reading.rules import READS
    from ketalog.reading.vitals import notable

    reads = reads or READS
    WINDOW, COURSE_HORIZON, SCORE_EARLY_AFTER = reads.window, reads.horizon, reads.early  # noqa: N806
    DISSOCIATION_SESSIONS, BLADDER_WORDS = reads.rated_ends, reads.watched_words  # noqa: N806

    now = now or day(60)
    end = until or now
    sessions = sorted(sessions, key=lambda s: s.at)
    checkins = sorted(checkins, key=lambda c: c.at)

    def in_period(moment):
        return (since is None or moment >= since) and (until is None or moment < until)

    def before_end(moment):
        return until is None or moment < until

    courses = split([SessionMark(s.at, s.route, s.new_course) for s in sessions if before_end(s.at)])
    course = course_at(courses, end)
    recent = [c for c in checkins if end - WINDOW <= c.at and before_end(c.at)]
    course_rated = []
    if course is not None:
        recent_part = max(course.started, end - COURSE_HORIZON)
        in_course = [s for s in sessions if s.at >= course.started and before_end(s.at)]
        course_sessions = [s for s in in_course if s.at >= recent_part]
        rated = [s for s in in_course if s.dissociation is not None]
        course_rated = sorted(
            {id(s): s for s in rated[:DISSOCIATION_SESSIONS] + rated[-DISSOCIATION_SESSIONS:]}.values(),
            key=lambda s: s.at,
        )
        first_week_end = min(course.started + SCORE_EARLY_AFTER + timedelta(seconds=1), end)
        windows = [c for c in checkins if course.started - WINDOW <= c.at < first_week_end or c in recent]
        course_ratings = {
            name: sorted(
                (c.at, getattr(c, name))
                for c in checkins
                if getattr(c, name) is not None and recent_part - WINDOW <= c.at and before_end(c.at)
            )
            for name in RATING_NAMES
        }
    else:
        course_sessions, windows, course_ratings = [], recent, {}
    mentions = []
    watched = re.compile("|".join(re.escape(w) for w in BLADDER_WORDS), re.IGNORECASE)

    def mentions_word(text: str) -> bool:  # as the store reads a text: its end counts as a space
        return watched.search(text + " ") is not None

    for s in sessions:
        if in_period(s.at):
            mentions += [(s.at, "side effect", name) for name in s.side_effects if mentions_word(name)]
            if s.note and mentions_word(s.note):
                mentions.append((s.at, "session note", s.note))
    mentions += [
        (c.at, "check-in note", c.note) for c in checkins if in_period(c.at) and c.note and mentions_word(c.note)
    ]
    mentions += [(j.at, "journal", j.text) for j in journal if in_period(j.at) and mentions_word(j.text)]
    rated_before_end = [c.at for c in checkins if before_end(c.at)]
    return ReportInputs(
        now=now,
        since=since,
        until=until,
        courses=courses,
        sessions_total=sum(c.session_count for c in courses),
        sessions=[s for s in sessions if in_period(s.at)],
        period_sessions=PeriodSessions.of([s for s in sessions if in_period(s.at)], notable),
        period_scores=PeriodScores.of(
            [
                (s.at, s.instrument, s.total, s.answers)
                for s in sorted(surveys, key=lambda s: (s.at, s.created_at))
                if in_period(s.at)
            ],
            lambda answers: answers,
        ),  # fmt: skip
        course_sessions=course_sessions,
        course_rated=course_rated,
        checkins=windows,
        course_ratings=course_ratings,
        surveys=_read_surveys(surveys, in_period, before_end, course, end, reads),
        journal=[j for j in journal if in_period(j.at)][-10:],
        last_checkin_at=max(rated_before_end) if rated_before_end else None,
        first_entry_day=min((e.at for e in (*sessions, *checkins, *surveys, *journal) if in_period(e.at)), default=None)
        .date()
        .isoformat()
        if any(in_period(e.at) for e in (*sessions, *checkins, *surveys, *journal))
        else None,
        checkin_before_course=max((c.at for c in checkins if c.at < course.started), default=None) if course else None,
        mentions=sorted(mentions, key=lambda m: m[0]),
        weekly=_weekly([c for c in checkins if in_period(c.at)]),
    )


def _read_surveys(surveys, in_period, before_end, course, end, reads) -> list[Survey]:
    """The scores the store reads whole: the course's baseline windows, the rules' horizon, each
    instrument's latest and latest with a total, and the latest with the safety item above 0."""
    COURSE_HORIZON, SCORE_EARLY_AFTER, SCORE_LOOKBACK = reads.horizon, reads.early, reads.lookback  # noqa: N806
    known = sorted((s for s in surveys if before_end(s.at)), key=lambda s: (s.at, s.created_at))
    chosen: set[str] = set()
    if course is not None:
        horizon = max(course.started, end - COURSE_HORIZON)
        early_end = course.started + SCORE_EARLY_AFTER
        chosen |= {s.id for s in known if course.started - SCORE_LOOKBACK <= s.at <= early_end or s.at >= horizon}
    for instrument in {s.instrument for s in known}:
        chosen.add([s for s in known if s.instrument == instrument][-1].id)
        scored = [s for s in known if s.instrument == instrument and s.total is not None]
        if scored:
            chosen.add(scored[-1].id)
    positive = [s for s in known if s.safety_positive]
    if positive:
        chosen.add(positive[-1].id)
    return [s for s in known if s.id in chosen]


def _weekly(checkins) -> list[dict]:
    """Weekly means per rating, as the store's SQL aggregates them (Monday-first local weeks)."""
    weeks: dict[str, list] = {}
    for checkin in checkins:
        weeks.setdefault((checkin.at.date() - timedelta(days=checkin.at.weekday())).isoformat(), []).append(checkin)
    rows = []
    for week in sorted(weeks):
        row = {"period": week, "checkins": len(weeks[week])}
        for name in (*RATING_NAMES, "sleep_hours"):
            values = [getattr(c, name) for c in weeks[week] if getattr(c, name) is not None]
            row[name] = round(sum(values) / len(values), 2) if values else None
        rows.append(row)
    return rows


def note(offset: float, text: str) -> JournalEntry:
    return JournalEntry(id=_id("d"), at=day(offset, 21), created_at="", updated_at="", text=text)
