"""Flags read from the sessions themselves: blood pressure, heart rate, bladder words, dissociation rising,
other medicines around sessions, recurring side effects."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from ketalog import medicines
from ketalog.blood_pressure import BP_AFTER, BP_BEFORE, BP_CRISIS, EMERGENCY_SIGNS, bp_level, readings
from ketalog.models import ReportInputs, Session, SessionReadings
from ketalog.reading.model import Finding
from ketalog.reading.rules import (
    BLADDER_PATTERN,
    DISSOCIATION_RISE,
    DISSOCIATION_SESSIONS,
    HEART_RATE_HIGH,
    HEART_RATE_LOW,
)
from ketalog.reading.windows import _day


def notable(session: Session | SessionReadings) -> bool:
    """A session with a reading the blood-pressure or heart-rate flag reads (`models.Reads` says the same to
    the store, which picks these out of years of sessions)."""
    return odd_heart_rate(session.heart_rate) or any(
        bp_level(when, systolic, diastolic) for when, systolic, diastolic in readings(session)
    )


def odd_heart_rate(value: int | None) -> bool:
    """At or above HEART_RATE_HIGH, or below HEART_RATE_LOW (product thresholds)."""
    return value is not None and (value >= HEART_RATE_HIGH or value < HEART_RATE_LOW)


def medication_note(inputs: ReportInputs) -> Finding | None:
    """A benzodiazepine, stimulant, MAOI or opioid active on a session's day, or taken within 24 h of one,
    in the period: the reference's one-line fact and source (section 5). Information, never advice."""
    near = medicines.near_sessions(inputs.medications, inputs.medication_events, inputs.period_sessions.times)
    if not near:
        return None
    details = []
    for item in near:
        fact, source = medicines.RAISED[item["class"]]
        how = " and ".join({"active": "being taken", "taken": "taken within 24 h"}[h] for h in item["how"])
        days = ", ".join(item["sessions"])
        details.append(
            f"{item['name']} ({medicines.label(item['class'])}) {how} around sessions on {days}: {fact} ({source})."
        )
    names = ", ".join(item["name"] for item in near)
    return Finding(
        "medication_note",
        f"Other medicines around sessions: {names}",
        " ".join(details) + " Worth raising with your provider.",
    )


READINGS_LISTED = 5  # a flag names its latest readings; years of them are counted, not listed


def _latest_listed(readings: list[str]) -> str:
    shown = readings[-READINGS_LISTED:]
    earlier = len(readings) - len(shown)
    return "; ".join(shown) + (f" (and {earlier} earlier)" if earlier else "")


def blood_pressure_flags(sessions: Sequence[Session | SessionReadings]) -> list[Finding]:
    """A reading in the hypertensive-crisis range comes first; other raised readings follow the label's
    before-dosing guide and ketalog's after-dosing product threshold."""
    crisis_readings: list[str] = []
    raised: list[str] = []
    for session in sessions:
        for when, systolic, diastolic in readings(session):
            level = bp_level(when, systolic, diastolic)
            if level is not None:  # most readings: no text is made for them
                found = crisis_readings if level == "crisis" else raised
                found.append(f"{_day(session.at)} {when} dosing {systolic}/{diastolic}")
    flags = []
    if crisis_readings:
        flags.append(
            Finding(
                "blood_pressure_very_high",
                f"Blood pressure of {BP_CRISIS[0]}/{BP_CRISIS[1]} or higher",
                _latest_listed(crisis_readings)
                + f". This is the hypertensive-crisis range (American Heart Association). {EMERGENCY_SIGNS} "
                "Tell your provider about this reading.",
            )
        )
    if raised:
        flags.append(
            Finding(
                "blood_pressure",
                "Raised blood pressure at sessions",
                _latest_listed(raised)
                + f". Before dosing, above {BP_BEFORE[0]}/{BP_BEFORE[1]} is the esketamine label's "
                "example of an elevated baseline (a guide, not a cutoff); after dosing a rise is expected, and "
                f"{BP_AFTER[0]}/{BP_AFTER[1]} or more is ketalog's own threshold for worth raising with your provider.",
            )
        )
    return flags


def heart_rate_flag(sessions: Sequence[Session | SessionReadings]) -> Finding | None:
    odd = [f"{_day(s.at)} {s.heart_rate} bpm" for s in sessions if odd_heart_rate(s.heart_rate)]
    if not odd:
        return None
    return Finding(
        "heart_rate",
        "Heart rate outside 50-119 at sessions",
        _latest_listed(odd) + f". {HEART_RATE_HIGH} or more, or below {HEART_RATE_LOW}, is ketalog's own threshold "
        "for worth raising with your provider.",
    )


def bladder_flag(inputs: ReportInputs, answered: Sequence[str] = ()) -> Finding | None:
    """Mentions since the first session: ketamine cannot have caused what came before it (years of another
    app's notes, imported as the baseline, say "had to pee" too). Earlier mentions are counted beside them,
    so a bladder problem from before treatment is still in view when there is something to raise.
    ``answered``: what the period's long-term follow-ups raised (`longterm.concerns`), dated."""
    if not inputs.courses:
        return None
    first_session = inputs.courses[0].started
    found = [(at, where) for at, where, text in inputs.mentions if BLADDER_PATTERN.search(text)]
    since_treatment = [(at, where) for at, where in found if at >= first_session]
    if not since_treatment and not answered:
        return None
    listed = "; ".join([*list(answered)[-5:], *(f"{_day(at)} ({where})" for at, where in since_treatment[:5])])
    more = f" and {len(since_treatment) - 5} more" if len(since_treatment) > 5 else ""
    before = [at for at, _ in found if at < first_session]
    times = "once" if len(before) == 1 else f"{len(before)} times"
    earlier = f" Also mentioned {times} before the first session (latest {_day(max(before))})." if before else ""
    return Finding(
        "bladder",
        "Bladder or urinary symptoms reported" if answered else "Bladder or urinary symptoms mentioned",
        f"{listed}{more}. Ketamine can affect the bladder with frequent use (ketamine-associated uropathy; "
        f"Chu et al., BJU Int 2008): worth raising with your provider at the first mention.{earlier}",
    )


def dissociation_rising(course_sessions: list[Session]) -> Finding | None:
    rated = [s for s in sorted(course_sessions, key=lambda s: s.at) if s.dissociation is not None]
    if len(rated) < DISSOCIATION_SESSIONS + 1:
        return None
    first = statistics.fmean(s.dissociation or 0 for s in rated[:DISSOCIATION_SESSIONS])  # all rated: never 0
    last = statistics.fmean(s.dissociation or 0 for s in rated[-DISSOCIATION_SESSIONS:])
    if last - first < DISSOCIATION_RISE:
        return None
    return Finding(
        "dissociation_rising",
        "Dissociation has been rising",
        f"the last {DISSOCIATION_SESSIONS} sessions averaged {last:.1f}, the course's first {DISSOCIATION_SESSIONS} "
        f"{first:.1f} (0-10). A rise of {DISSOCIATION_RISE:g} points is ketalog's own threshold for worth raising.",
    )
