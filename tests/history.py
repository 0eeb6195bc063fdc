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
    side_effects = fields.pop("side_effects", [])
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


def inputs(sessions=(), checkins=(), surveys=(), journal=(), since=None, until=None, now=None) -> ReportInputs:
    """The same selection ``store.report_inputs`` makes, done in memory."""
    sessions = sorted(sessions, key=lambda s: s.at)
    checkins = sorted(checkins, key=lambda c: c.at)
    course_start = sessions[0].at if sessions else None

    def in_period(moment):
        return (since is None or moment >= since) and (until is None or moment < until)

    lead_in = since - timedelta(days=14) if since else None
    baseline = [c for c in checkins if course_start and course_start - timedelta(days=14) <= c.at < course_start]
    first = {name: [c for c in checkins if getattr(c, name) is not None][:3] for name in RATING_NAMES}
    period_sessions = [s for s in sessions if in_period(s.at)]
    around = [
        c
        for c in checkins
        if any(s.at - timedelta(hours=72) <= c.at <= s.at + timedelta(hours=48) for s in period_sessions)
    ]
    return ReportInputs(
        now=now or day(60),
        since=since,
        until=until,
        course_start=course_start,
        session_checkins=around,
        weekly=_weekly([c for c in checkins if in_period(c.at)]),
        sessions_total=len(sessions),
        sessions=period_sessions,
        checkins=[c for c in checkins if (lead_in is None or c.at >= lead_in) and (until is None or c.at < until)],
        baseline_checkins=baseline,
        first_checkins=first,
        surveys=sorted([s for s in surveys if until is None or s.at < until], key=lambda s: s.at),
        journal=[j for j in journal if in_period(j.at)],
    )


def _weekly(checkins) -> list[dict]:
    """Weekly means per rating, as the store's SQL aggregates them (Monday-first local weeks)."""
    weeks: dict[str, list] = {}
    for checkin in checkins:
        weeks.setdefault((checkin.at.date() - timedelta(days=checkin.at.weekday())).isoformat(), []).append(checkin)
    rows = []
    for week in sorted(weeks):
        row = {"period": week, "checkins": len(weeks[week])}
        for name in RATING_NAMES:
            values = [getattr(c, name) for c in weeks[week] if getattr(c, name) is not None]
            row[name] = round(sum(values) / len(values), 2) if values else None
        rows.append(row)
    return rows


def note(offset: float, text: str) -> JournalEntry:
    return JournalEntry(id=_id("d"), at=day(offset, 21), created_at="", updated_at="", text=text)
