"""One report for a period: the store loads exactly what the engine's rules read, the engine decides.

Shared by `report`, `progress`, `demo` and `status`, so each asks for a report the same way.
"""

from __future__ import annotations

from datetime import datetime

from ketalog import progress, store


def build(db, now: datetime, start: datetime | None, end: datetime | None, *, private: bool = False):
    """The ``progress.Report`` for [start, end) as of ``now``, from an open database."""
    from ketalog.demo import is_demo

    report = progress.build_report(inputs(db, now, start, end), private=private)
    report.demo = is_demo(db)
    return report


def inputs(db, now: datetime, start: datetime | None, end: datetime | None):
    """What the engine reads for [start, end), selected by the rules' own windows, words and horizon."""
    from dataclasses import replace

    return replace(
        _selected(db, now, start, end),
        trusted_sources=trusted_sources(db),
        scale_directions=store.scale_directions(db),
    )


def trusted_sources(db) -> frozenset[str]:
    """Apps whose mapped scale the person confirmed: a `--mood-map` given for it, or trust-imported-scale."""
    from ketalog import settings

    if settings.get("trust-imported-scale") == "true":
        return frozenset(store.import_sources(db))
    return frozenset(store.confirmed_sources(db))


def _selected(db, now: datetime, start: datetime | None, end: datetime | None):
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
