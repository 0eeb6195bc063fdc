"""Questionnaires and clinician scales: baselines, comparisons by recall, caseness, outcomes, item-9 facts."""

from __future__ import annotations

from datetime import datetime, timedelta

from ketalog import instruments as inst
from ketalog.courses import SCORE_LOOKBACK
from ketalog.models import PeriodScores, Survey
from ketalog.reading.model import InstrumentResult, SafetyFacts
from ketalog.reading.rules import COMPARE_AFTER, RECALL_COMPARE, SCORE_EARLY_AFTER, SOME_IMPROVEMENT_FALL
from ketalog.reading.windows import _in_period, _iso


def instrument_name(instrument_id: str) -> str:
    return inst.display_name(instrument_id)


def score_baseline(scores: list[Survey], course_start: datetime | None) -> tuple[Survey | None, str]:
    """The course's baseline score: the last in the 30 days up to the course start (`pre_treatment`), else
    the first in the 7 days after it (`early`), else none. No course: none."""
    if course_start is None:
        return None, "none"
    before = [s for s in scores if course_start - SCORE_LOOKBACK <= s.at <= course_start]
    if before:
        return before[-1], "pre_treatment"
    early = [s for s in scores if course_start < s.at <= course_start + SCORE_EARLY_AFTER]
    if early:
        return early[0], "early"
    return None, "none"


def meets_caseness(instrument_id: str, baseline: float) -> bool:
    """Response and remission are defined only for people who started ill (reference section 5): PHQ-9 and
    GAD-7 at 10, the clinician scales at their moderate band (MADRS 20, QIDS-SR16 11, HAM-D17 17, BDI-II 20)."""
    threshold = inst.caseness(instrument_id)
    return threshold is None or baseline >= threshold


def compare_with_baseline(scores: list[Survey], latest: Survey | None, course_start, directions=None):
    """(baseline, kind, comparison, change) for ``latest`` among one instrument's scored ``scores``.

    The one answer to "how does this score compare", used by the report and by the survey
    command right after a questionnaire is saved. ``comparison``: compared, too_soon,
    no_baseline or no_latest. Response and remission stay None unless the baseline met caseness.
    """
    baseline, kind = score_baseline(scores, course_start)
    if latest is None:
        return baseline, kind, "no_latest", None
    if baseline is None:
        return None, kind, "no_baseline", None
    if latest.id == baseline.id:
        return baseline, kind, "is_baseline", None
    if latest.at - baseline.at < compare_after(latest.instrument):
        return baseline, kind, "too_soon", None
    if baseline.total is None or latest.total is None:  # only scored totals are compared
        return baseline, kind, "no_latest", None
    change = inst.compare(latest.instrument, baseline.total, latest.total, (directions or {}).get(latest.instrument))
    if not meets_caseness(latest.instrument, baseline.total):
        change = inst.Change(change.change, change.change_pct, change.improved, change.worsened, None, None)
    return baseline, kind, "compared", change


def compare_after(instrument_id: str) -> timedelta:
    """A score is compared with baseline only once their recall periods no longer overlap (reference
    section 5): 7 days for the 2-week questionnaires and the clinician scales, 30 for PCL-5 (past month)."""
    return RECALL_COMPARE.get(instrument_id, COMPARE_AFTER)


def some_improvement(change: inst.Change | None, instrument_id: str, directions=None) -> bool | None:
    """The MCID, or a change of 20% in the good direction; None where no direction is known (WHO-5 60 -> 28
    says nothing until the person says higher is better)."""
    direction = (directions or {}).get(instrument_id)
    if change is None or not (inst.judged(instrument_id) or direction is not None):
        return None
    good = -SOME_IMPROVEMENT_FALL * 100
    if direction is True and not inst.judged(instrument_id):
        return change.change_pct is not None and change.change_pct >= -good
    fell = change.change_pct is not None and change.change_pct <= good
    return bool(change.improved) or fell


def score_outcome(entry: Survey, history: list[Survey], course_start, result: inst.Score, directions=None) -> dict:
    """A just-saved score: total, band or cutoff, and its change from baseline and from the previous score.

    An incomplete score (no total) is compared with nothing; scored ones are compared only with scored ones.
    """
    instrument = inst.INSTRUMENTS.get(entry.instrument)
    known = instrument or inst.CLINICIAN_SCALES.get(entry.instrument)
    scored = [s for s in history if s.total is not None]
    outcome: dict = {
        "total": entry.total,
        "max_total": known.max_total if known else None,
        "band": entry.band,
        "at_or_above_cutoff": result.at_or_above_cutoff,
        "cutoff": instrument.cutoff if instrument else None,
        "clusters": result.clusters or None,
        "skipped": list(result.skipped),
        "prorated": result.prorated,
        "incomplete": result.total is None,
        "safety_item_unanswered": entry.safety_unanswered,
        "baseline": None,
        "baseline_kind": "none",
        "comparison": "no_baseline",
        "previous": None,
    }
    if entry.total is None:
        return outcome
    earlier = [s for s in scored if s.id != entry.id and (s.at, s.created_at) <= (entry.at, entry.created_at)]
    baseline, kind, comparison, change = compare_with_baseline(scored, entry, course_start, directions)
    outcome["baseline_kind"], outcome["comparison"] = kind, comparison
    if change is not None:
        outcome["baseline"] = {"at": baseline.at.isoformat(), "total": baseline.total, **change.__dict__}
    previous = earlier[-1] if earlier else None
    if previous is not None and previous.total is not None:
        step = inst.compare(entry.instrument, previous.total, entry.total)
        outcome["previous"] = {
            "at": previous.at.isoformat(),
            "total": previous.total,
            **{**step.__dict__, "response": None, "remission": None},
        }
    return outcome


def instrument_results(
    surveys: list[Survey], period: PeriodScores, course_start, since, until, directions=None
) -> dict[str, InstrumentResult]:
    """Each instrument's row: the period's count, totals and item answers (``period``), its latest total in the
    period and its baseline compared (the whole records in ``surveys``)."""
    by_instrument: dict[str, list[Survey]] = {}
    for survey in sorted(surveys, key=lambda s: (s.at, s.created_at)):
        by_instrument.setdefault(survey.instrument, []).append(survey)
    results = {}
    for instrument_id, all_scores in by_instrument.items():
        scores = [s for s in all_scores if s.total is not None]  # an incomplete score has nothing to compare
        latest = scores[-1] if scores and _in_period(scores[-1].at, since, until) else None
        baseline, kind, comparison, change = compare_with_baseline(scores, latest, course_start, directions)
        totals = period.totals.get(instrument_id, [])
        results[instrument_id] = InstrumentResult(
            name=instrument_name(instrument_id),
            baseline=baseline.total if baseline else None,
            baseline_at=_iso(baseline.at) if baseline else None,
            latest=latest.total if latest else None,
            latest_at=_iso(latest.at) if latest else None,
            change=change.change if change else None,
            change_pct=change.change_pct if change else None,
            severity=latest.band if latest else None,
            improved=change.improved if change else None,
            worsened=change.worsened if change else None,
            response=change.response if change else None,
            remission=change.remission if change else None,
            count=len(totals),
            history=[(_iso(at), total) for at, total in totals],
            difficulty=inst.difficulty_label(latest.difficulty) if latest else None,
            incomplete=period.incomplete.get(instrument_id, 0),
            latest_prorated=bool(latest and latest.prorated),
            baseline_kind=kind,
            comparison=comparison,
            some_improvement=some_improvement(change, instrument_id, directions),
            answers_history=[(_iso(at), answers) for at, answers in period.answers.get(instrument_id, [])],
            items=inst.item_changes(
                instrument_id, baseline.answers if baseline else None, latest.answers if latest else None
            ),
        )
    return results


def safety_facts(surveys: list[Survey], period: PeriodScores, until) -> SafetyFacts:
    """Item 9 over time, from every score of the period that has a safety item (PHQ-9 with item answers), and
    the last answer above 0 even before it (``surveys``); a PHQ-9 total logged without answers (`survey log
    PHQ-9 21`) is said to leave item 9 not known, never read as 0."""
    items = {s.id: known.safety_item for s in surveys if (known := inst.shipped(s.instrument)) and known.safety_item}
    has_item = [s for s in surveys if s.id in items]
    item = period.safety_item or next(iter(items.values()), None)
    not_known = [_iso(at) for at in period.not_known]
    if not period.safety and not any(s.answers for s in has_item):
        return SafetyFacts(item=item if not_known else None, not_known=not_known)
    last_positive = next(
        (s for s in sorted(has_item, key=lambda s: (s.at, s.created_at), reverse=True)
         if (until is None or s.at < until) and s.answers and s.safety_positive),
        None,
    )  # fmt: skip
    positive = [a for a in period.safety if a.positive]
    return SafetyFacts(
        item=item,
        answers=[{"at": _iso(a.at), "answer": a.answer} for a in period.safety],
        last_positive={"at": _iso(last_positive.at), "answer": last_positive.safety_answer} if last_positive else None,
        unanswered=[_iso(a.at) for a in period.safety if a.unanswered],
        in_period_positive={"at": _iso(positive[-1].at), "answer": positive[-1].answer} if positive else None,
        not_known=not_known,
    )
