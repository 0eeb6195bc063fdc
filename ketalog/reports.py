"""One report for a period: the store loads exactly what the engine's rules read, the engine decides.

Shared by `report`, `progress`, `demo` and `status`, so each asks for a report the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ketalog import store


def build(
    db,
    now: datetime,
    start: datetime | None,
    end: datetime | None,
    *,
    private: bool = False,
    insights: bool = False,
    listed: int | None = None,
):
    """The ``reading.model.Report`` for [start, end) as of ``now``, from an open database; with ``insights`` (the
    full report, not `status`), what went with better days too, unless ``private``. ``listed``: the page shows
    only the period's latest ``listed`` sessions (the JSON, without it, lists every one); every finding and
    count still reads all of them."""
    from ketalog.demo import is_demo
    from ketalog.reading.report import build_report

    report = build_report(inputs(db, now, start, end, listed=listed), private=private)
    report.demo = is_demo(db)
    if insights and not private:
        report.better_days = better_days(db, now, start, end)
    return report


INSIGHTS_SPAN_DAYS = 365  # associations are read over a year unless asked otherwise: their cost stays flat


def insights_span(now: datetime, start: datetime | None, end: datetime | None, *, at_most_a_year: bool = False):
    """The [start, end) that associations are read over: without a start, the year before the end (or now);
    ``at_most_a_year`` (the report) trims a longer period to its last year too."""
    from datetime import timedelta

    first = (end or now) - timedelta(days=INSIGHTS_SPAN_DAYS)
    if start is None or (at_most_a_year and start < first):
        return first, end
    return start, end


def insights_of(db, start: datetime | None, end: datetime | None):
    """`ketalog insights` for [start, end): every declared test and the few findings."""
    from ketalog.reading.insights import analyse, daily_inputs

    def entries(kind: str) -> list:
        return store.list_entries(db, [kind], start, end)[0]

    return analyse(
        *daily_inputs(
            entries("checkin"),
            entries("journal"),
            entries("session"),
            store.medication_events(db, start, end),
            entries("survey"),
            store.phone_days(db, start, end),
        )
    )


def better_days(db, now: datetime, start: datetime | None, end: datetime | None) -> list[str]:
    """The findings of the period's last year, as sentences (none: the report says nothing of it)."""
    from ketalog.reading.insights import sentence

    span = insights_span(now, start, end, at_most_a_year=True)
    return [sentence(finding) for finding in insights_of(db, *span).findings]


def inputs(db, now: datetime, start: datetime | None, end: datetime | None, *, listed: int | None = None):
    """What the engine reads for [start, end), selected by the rules' own windows, words and horizon."""
    from dataclasses import replace

    from ketalog.reading.rules import WINDOW

    return replace(
        _selected(db, now, start, end, listed),
        trusted_sources=trusted_sources(db),
        scale_directions=store.scale_directions(db),
        followups=store.followups(db, end),
        labs=store.labs(db, start, end),
        integration=store.integration_notes(db, start, end),
        phone_days=store.phone_days(db, (end or now) - WINDOW, end),
        home_bp=store.home_readings(db, start, end, "blood_pressure"),
    )


def trusted_sources(db) -> frozenset[str]:
    """Apps whose mapped scale the person confirmed: a `--mood-map` given for it, or trust-imported-scale."""
    from ketalog import settings

    if settings.get("trust-imported-scale") == "true":
        return frozenset(store.import_sources(db))
    return frozenset(store.confirmed_sources(db))


def _selected(db, now: datetime, start: datetime | None, end: datetime | None, listed: int | None):
    from ketalog.reading.rules import READS  # the engine's rules: imported here, as `insights` never needs them

    return store.report_inputs(db, now, start, end, READS, listed)


@dataclass
class Trends:
    """One trends table: its rows, where it starts, and when it shows the latest stretch there is instead of
    the default span (``shifted``: that stretch's end)."""

    rows: list[dict]
    start: datetime | None
    shifted: datetime | None
    default_rows: int


def trends(db, now: datetime, by: str, start: datetime | None, end: datetime | None, *, asked: bool) -> Trends:
    """The rows `trends` shows. Without a period asked for: the last 26 weeks, 24 months or 20 sessions, and
    when those hold nothing (years imported from another app, nothing recent), the latest stretch there is."""
    from datetime import timedelta

    from ketalog.reading.rules import SCORE_EARLY_AFTER, WINDOW
    from ketalog.reading.trends import TREND_DEFAULT_ROWS, build_trends, trend_start

    if start is None and by != "session":
        start = trend_start(by, now)

    def load(first, last):
        return store.trend_inputs(
            db, by, now, first, last, window=WINDOW, session_rows=TREND_DEFAULT_ROWS["session"],
            early=SCORE_EARLY_AFTER,
        )  # fmt: skip

    loaded = load(start, end)
    rows = build_trends(loaded)
    shifted = None
    if not asked and by != "session" and not rows:
        latest = store.latest_rated_at(db)
        if latest is not None:
            shifted = latest
            loaded = load(trend_start(by, latest), latest + timedelta(seconds=1))
            rows = build_trends(loaded)
    return Trends(rows, loaded.start, shifted, TREND_DEFAULT_ROWS[by])


def standing(db, now):
    """(course, due items, planned days from today on): what `status` and `remind run` both read. Due: today's
    check-in, the questionnaires, reflections on recent sessions, the long-term follow-up."""
    from datetime import timedelta

    from ketalog import followup, reflections, settings
    from ketalog.courses import DUE_SURVEYS, course_at, due_items

    course = course_at(store.courses(db), now)
    interval = timedelta(days=settings.get("survey-interval"))  # type: ignore[arg-type]
    due = due_items(now, course, store.last_checkin_at(db), store.last_scored_at(db, DUE_SURVEYS), interval)
    last_window_day = max(high for _, high in reflections.WINDOWS.values())
    recent, notes = store.reflection_facts(db, now - timedelta(days=last_window_day + 1))
    due += reflections.due(now.date(), recent, notes, settings.get("integration-prompts"))  # type: ignore[arg-type]
    if course is not None:
        every = timedelta(days=settings.get("followup-interval"))  # type: ignore[arg-type]
        item = followup.due(now, course.started, course.last, store.last_followup_at(db), every)
        if item:
            due.append(item)
    return course, due, store.planned(db, now.date().isoformat())


def last_visit_start(db, now: datetime) -> datetime:
    """Where `--since last-visit` starts: the latest appointment before now."""
    from ketalog.errors import InputError

    visit = store.last_visit(db, now)
    if visit is None:
        raise InputError("--since", "no visit recorded yet; `ketalog visit add --at 'DATE TIME'` records one")
    return visit.at
