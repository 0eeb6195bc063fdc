"""One report for a period: the store loads exactly what the engine's rules read, the engine decides.

Shared by `report`, `progress`, `demo` and `status`, so each asks for a report the same way.
"""

from __future__ import annotations

from datetime import datetime

from ketalog import store


def build(
    db, now: datetime, start: datetime | None, end: datetime | None, *, private: bool = False, insights: bool = False
):
    """The ``progress.Report`` for [start, end) as of ``now``, from an open database; with ``insights`` (the
    full report, not `status`), what went with better days too, unless ``private``."""
    from ketalog import progress
    from ketalog.demo import is_demo

    report = progress.build_report(inputs(db, now, start, end), private=private)
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


def inputs(db, now: datetime, start: datetime | None, end: datetime | None):
    """What the engine reads for [start, end), selected by the rules' own windows, words and horizon."""
    from dataclasses import replace

    from ketalog import progress

    return replace(
        _selected(db, now, start, end),
        trusted_sources=trusted_sources(db),
        scale_directions=store.scale_directions(db),
        followups=store.followups(db, end),
        labs=store.labs(db, start, end),
        integration=store.integration_notes(db, start, end),
        phone_days=store.phone_days(db, (end or now) - progress.WINDOW, end),
        home_bp=store.home_readings(db, start, end, "blood_pressure"),
    )


def trusted_sources(db) -> frozenset[str]:
    """Apps whose mapped scale the person confirmed: a `--mood-map` given for it, or trust-imported-scale."""
    from ketalog import settings

    if settings.get("trust-imported-scale") == "true":
        return frozenset(store.import_sources(db))
    return frozenset(store.confirmed_sources(db))


def _selected(db, now: datetime, start: datetime | None, end: datetime | None):
    from ketalog import progress  # the engine's rules: imported here, as `insights` never needs them

    return store.report_inputs(
        db,
        now,
        start,
        end,
        window=progress.WINDOW,
        early=progress.SCORE_EARLY_AFTER,
        sparkline_weeks=progress.SPARKLINE_WEEKS,
        watched_words=progress.BLADDER_WORDS,
        near=progress.MEDICATION_NEAR,
        horizon=progress.COURSE_HORIZON,
        rated_ends=progress.DISSOCIATION_SESSIONS,
        lookback=progress.SCORE_LOOKBACK,
        safety_items=progress.SAFETY_ITEMS,
    )
