"""Plain records that the store returns and the rest of ketalog reads.

No SQL and no rendering here: each dataclass mirrors one kind of entry, knows
how to build itself from a stored row, and how to present itself as JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Self

from ketalog.timeparse import from_storage
from ketalog.validation import RATING_NAMES, format_bp, format_dose


@dataclass
class Entry:
    id: str
    at: datetime
    created_at: str
    updated_at: str

    kind = "entry"

    @classmethod
    def from_row(cls, row: dict, **extra) -> Self:
        values = {name: row[name] for name in cls.__dataclass_fields__ if name in row}
        values["at"] = from_storage(row["at"], row.get("utc_offset"))
        values.update(extra)
        return cls(**values)

    def to_json(self) -> dict:
        data = asdict(self)
        data = {"kind": self.kind, **data}
        data["at"] = self.at.isoformat()
        return data


@dataclass
class Session(Entry):
    route: str
    dose_amount: float | None = None
    dose_unit: str | None = None
    duration_min: int | None = None
    clinic: str | None = None
    provider: str | None = None
    dissociation: int | None = None
    bp_before_sys: int | None = None
    bp_before_dia: int | None = None
    bp_after_sys: int | None = None
    bp_after_dia: int | None = None
    heart_rate: int | None = None
    cost: float | None = None
    therapy: bool | None = None
    intention: str | None = None
    note: str | None = None
    new_course: bool = False  # this session starts a new treatment course
    side_effects: list[str] = field(default_factory=list)
    number: int | None = None  # position in the course, 1 = first session ever logged

    kind = "session"

    @property
    def dose(self) -> str:
        return format_dose(self.dose_amount, self.dose_unit)

    @property
    def bp_before(self) -> str:
        return format_bp(self.bp_before_sys, self.bp_before_dia)

    @property
    def bp_after(self) -> str:
        return format_bp(self.bp_after_sys, self.bp_after_dia)

    def to_json(self) -> dict:
        data = super().to_json()
        data["therapy"] = None if self.therapy is None else bool(self.therapy)
        data["new_course"] = bool(self.new_course)
        return data


@dataclass
class Checkin(Entry):
    mood: int | None = None
    anxiety: int | None = None
    pain: int | None = None
    energy: int | None = None
    motivation: int | None = None
    sleep: int | None = None
    thoughts: int | None = None
    sleep_hours: float | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)

    kind = "checkin"

    def ratings(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in RATING_NAMES if getattr(self, name) is not None}


@dataclass
class JournalEntry(Entry):
    text: str
    tags: list[str] = field(default_factory=list)

    kind = "journal"


@dataclass
class Survey(Entry):
    instrument: str
    total: int | None  # None: too many items skipped to score ("incomplete")
    answers: list[int | None] | None = None  # None inside: a skipped item
    band: str | None = None
    difficulty: int | None = None
    prorated: bool = False

    kind = "survey"

    @classmethod
    def from_row(cls, row: dict, **extra) -> Self:
        answers = row.get("answers")
        row = {**row, "answers": json.loads(answers) if answers else None, "prorated": bool(row.get("prorated"))}
        return super().from_row(row, **extra)

    @property
    def skipped(self) -> list[int]:
        """1-based numbers of the items left unanswered."""
        return [number for number, answer in enumerate(self.answers or [], start=1) if answer is None]

    @property
    def incomplete(self) -> bool:
        return self.total is None

    @property
    def safety_unanswered(self) -> bool:
        from ketalog.instruments import safety_unanswered

        return safety_unanswered(self.instrument, self.answers)

    @property
    def logged(self) -> bool:
        """A total given by a clinician, without item answers."""
        return self.answers is None

    @property
    def safety_answer(self) -> int | None:
        from ketalog.instruments import safety_answer

        return safety_answer(self.instrument, self.answers)

    @property
    def safety_positive(self) -> bool:
        from ketalog.instruments import safety_positive

        return safety_positive(self.instrument, self.answers)


@dataclass
class ReportInputs:
    """Everything the progress engine reads, loaded by ``store.report_inputs`` for one period.

    Each list is a bounded superset of what a rule reads, never the whole
    history: ``checkins`` reach back 14 days before the last in-period check-in
    of each rating (the recent windows); ``session_checkins`` are those within
    72 h before to 48 h after each session in the period; ``baseline_checkins``
    are the 14 days before course start and ``first_checkins`` the first 3
    with each rating; ``weekly`` holds SQL-aggregated weekly means for sparklines.
    """

    now: datetime
    since: datetime | None
    until: datetime | None
    course_start: datetime | None
    sessions_total: int
    sessions: list[Session]
    checkins: list[Checkin]
    baseline_checkins: list[Checkin]
    first_checkins: dict[str, list[Checkin]]
    surveys: list[Survey]
    journal: list[JournalEntry]
    session_checkins: list[Checkin] = field(default_factory=list)
    weekly: list[dict] = field(default_factory=list)


@dataclass
class TrendInputs:
    """What ``progress.build_trends`` reads, loaded by ``store.trend_inputs`` for one table.

    Per week or month: SQL-aggregated ``rating_means`` and ``instrument_means``.
    Per session: the ``sessions`` shown, the check-ins ``following`` them, and
    the check-ins that make the mood baseline.
    """

    by: str  # week | month | session
    now: datetime
    start: datetime | None
    rating_means: list[dict] = field(default_factory=list)
    instrument_means: list[dict] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    following: list[Checkin] = field(default_factory=list)
    baseline_checkins: list[Checkin] = field(default_factory=list)
    first_checkins: dict[str, list[Checkin]] = field(default_factory=dict)
