"""The long-term checks: what the monthly follow-ups and lab results raise, and the rows the report shows.

Pure. The follow-up's questions are `ketalog.followup`'s; its thresholds are `rules`' (product thresholds,
reference section 6), and its free text is read for bladder words with the engine's one pattern. Each
flag says what was answered and that it is worth raising with the provider; never a diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ketalog.models import Followup, Lab
from ketalog.reading.model import Finding
from ketalog.reading.rules import (
    BLADDER_PATTERN,
    FOLLOWUP_CRAVING_AT,
    FOLLOWUP_NIGHT_RISE,
    FOLLOWUP_PAIN_AT,
    FOLLOWUP_URGENCY_AT,
    LONG_TERM_MONTHS,
)

WORTH_RAISING = "worth raising with your provider"


@dataclass
class Concerns:
    """Per flag, the dated evidence from follow-ups: 'bladder', 'memory_concern', 'use_outside_sessions'."""

    bladder: list[str] = field(default_factory=list)
    memory: list[str] = field(default_factory=list)
    use: list[str] = field(default_factory=list)


def _day(at: datetime) -> str:
    return at.date().isoformat()


def answered_concerns(entry: Followup, first: Followup | None) -> Concerns:
    """What one follow-up raises, read against the person's first follow-up (for night-time voids)."""
    found = Concerns()
    bladder = []
    if entry.blood_in_urine == "yes":
        bladder.append("blood in urine")
    if entry.pain_passing is not None and entry.pain_passing >= FOLLOWUP_PAIN_AT:
        bladder.append(f"pain passing urine {entry.pain_passing}/10")
    if entry.suprapubic_pain is not None and entry.suprapubic_pain >= FOLLOWUP_PAIN_AT:
        bladder.append(f"lower-belly pain {entry.suprapubic_pain}/10")
    if entry.urgency is not None and entry.urgency >= FOLLOWUP_URGENCY_AT:
        bladder.append(f"urgency {entry.urgency}/10")
    if (
        first is not None
        and first.id != entry.id
        and first.night_voids is not None
        and entry.night_voids is not None
        and entry.night_voids - first.night_voids >= FOLLOWUP_NIGHT_RISE
    ):
        bladder.append(f"up {entry.night_voids}× a night (first follow-up {_day(first.at)}: {first.night_voids}×)")
    if any(BLADDER_PATTERN.search(text) for text in (entry.other, entry.memory_note) if text):
        bladder.append("bladder words in the note")
    if bladder:
        found.bladder.append(f"{_day(entry.at)} (follow-up: {', '.join(bladder)})")
    if entry.memory == "clearly":
        found.memory.append(_day(entry.at))
    use = []
    if entry.use_outside == "yes":
        use.append("ketamine taken outside prescribed sessions")
    if entry.craving is not None and entry.craving >= FOLLOWUP_CRAVING_AT:
        use.append(f"craving {entry.craving}/10")
    if use:
        found.use.append(f"{_day(entry.at)}: {', '.join(use)}")
    return found


def concerns(followups: list[Followup], since: datetime | None, until: datetime | None) -> Concerns:
    """Everything the follow-ups of [since, until) raise; ``followups`` holds every one up to ``until``,
    oldest first (the first is the baseline for night-time voids)."""
    first = followups[0] if followups else None
    total = Concerns()
    for entry in followups:
        if (since is not None and entry.at < since) or (until is not None and entry.at >= until):
            continue
        one = answered_concerns(entry, first)
        total.bladder += one.bladder
        total.memory += one.memory
        total.use += one.use
    return total


def memory_flag(found: Concerns) -> Finding | None:
    if not found.memory:
        return None
    return Finding(
        "memory_concern",
        "Memory or concentration clearly worse since treatment began",
        f'Answered "clearly" at the follow-up on {", ".join(found.memory[-5:])}: {WORTH_RAISING}.',
    )


def use_flag(found: Concerns) -> Finding | None:
    if not found.use:
        return None
    return Finding(
        "use_outside_sessions",
        "Ketamine outside prescribed sessions, or craving",
        "; ".join(found.use[-5:]) + f". {WORTH_RAISING[0].upper()}{WORTH_RAISING[1:]}.",
    )


def lab_flag(labs: list[Lab]) -> Finding | None:
    outside = [lab for lab in labs if lab.outside_range]
    if not outside:
        return None
    listed = "; ".join(
        f"{lab.name} {lab.value:g} {lab.unit} on {_day(lab.at)} (range {lab.range_low:g}-{lab.range_high:g})"
        if lab.range_low is not None and lab.range_high is not None
        else f"{lab.name} {lab.value:g} {lab.unit} on {_day(lab.at)}"
        for lab in outside[-5:]
    )
    return Finding(
        "lab_outside_range",
        "Lab results outside the range your lab printed",
        f"{listed}. Outside the range your lab printed; {WORTH_RAISING}.",
    )


def followup_rows(followups: list[Followup], end: datetime) -> list[dict]:
    """The follow-ups of the last six months before ``end``, oldest first, as plain values (None = skipped)."""
    start = end - timedelta(days=round(LONG_TERM_MONTHS * 30.44))
    from ketalog.followup import QUESTIONS

    return [
        {"at": entry.at.isoformat(), **{q.column: getattr(entry, q.column) for q in QUESTIONS if q.kind != "text"}}
        for entry in followups
        if start <= entry.at < end
    ]


def lab_rows(labs: list[Lab]) -> list[dict]:
    return [
        {
            "at": lab.at.isoformat(),
            "name": lab.name,
            "value": lab.value,
            "unit": lab.unit,
            "range": None if lab.range_low is None and lab.range_high is None else [lab.range_low, lab.range_high],
            "outside_range": lab.outside_range,
        }
        for lab in labs
    ]
