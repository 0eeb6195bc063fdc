"""The report model the engine builds and every renderer reads: results, findings, safety facts, the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ketalog import crisis

if TYPE_CHECKING:
    from ketalog.reading.picture import CoursePicture


@dataclass
class InstrumentResult:
    name: str
    baseline: int | None
    baseline_at: str | None
    latest: int | None
    latest_at: str | None
    change: float | None
    change_pct: float | None
    severity: str | None
    improved: bool | None
    worsened: bool | None
    response: bool | None
    remission: bool | None
    count: int
    history: list[tuple[str, int]] = field(default_factory=list)  # (ISO time, total) in the period
    difficulty: str | None = None  # the latest score's answer to the unscored difficulty question
    incomplete: int = 0  # scores in the period with too many items skipped to total
    latest_prorated: bool = False  # the latest total was prorated (some items not answered)
    baseline_kind: str = "none"  # pre_treatment | early | none
    comparison: str = "none"  # compared | too_soon | no_baseline | no_latest
    some_improvement: bool | None = None  # the MCID, or a fall of at least 20%
    items: list[dict] = field(default_factory=list)  # item by item, baseline -> latest (instruments.item_changes)
    # (ISO time, answers) of the period's latest few scores (rules.ITEM_ANSWERS_KEPT)
    answers_history: list[tuple[str, list]] = field(default_factory=list)

    @property
    def has_pair(self) -> bool:
        return self.change is not None

    def to_json(self) -> dict:
        # Field by field, not asdict(): that deep-copies the history (every score of the period) only to drop it.
        return {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if name not in ("name", "history", "items", "answers_history")
        }


@dataclass
class RatingResult:
    baseline: float | None
    recent: float | None
    change: float | None
    status: str  # better | worse | steady | insufficient
    series: list[float | None] = field(default_factory=list)  # weekly means in the period (None: no check-in)
    baseline_kind: str = "none"  # pre_treatment | early | insufficient | none (no course)
    recent_checkins: int = 0
    baseline_source: str = "ketalog"  # the app most (> 50%) of the baseline's check-ins came from
    baseline_checkins: int = 0
    baseline_at: datetime | None = None  # the last check-in of the baseline
    recent_at: datetime | None = None  # the last check-in of the recent window

    def to_json(self) -> dict:
        return {
            "baseline": self.baseline,
            "recent": self.recent,
            "change": self.change,
            "status": self.status,
            "baseline_kind": self.baseline_kind,
            "recent_checkins": self.recent_checkins,
            "baseline_source": self.baseline_source,
        }


@dataclass
class Finding:
    """A sign of progress or a thing to discuss: an id, a plain title, and its evidence."""

    id: str
    title: str
    detail: str
    # What it speaks of (ratings and instrument ids), so the reconciliation can keep the picture one:
    # never shown, never in the JSON.
    about: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "detail": self.detail}


@dataclass
class SafetyFacts:
    """PHQ-9 item 9 over time: every answer in the period, the last answer above 0 (even before the
    period), and the times it was left unanswered."""

    item: int | None = None  # which item is the safety item (9), when any score has one
    answers: list[dict] = field(default_factory=list)  # [{at, answer}] in the period; answer None = skipped
    last_positive: dict | None = None  # {at, answer}
    unanswered: list[str] = field(default_factory=list)
    in_period_positive: dict | None = None  # the latest answer above 0 in the period: the notice is dated by it
    not_known: list[str] = field(default_factory=list)  # PHQ-9 totals logged without answers: item 9 unknown

    @property
    def notice(self) -> bool:
        return self.in_period_positive is not None

    def to_json(self) -> dict:
        return {
            "item9": self.answers,
            "last_positive": self.last_positive,
            "unanswered": self.unanswered,
            "not_known": self.not_known,
            "crisis_resources": crisis.as_json() if self.notice else None,
        }


@dataclass
class Durability:
    """How long mood stayed up after the course's sessions, from logged days only (`reading.durability`)."""

    km_median_days: int | None = None
    at_least_days: int | None = None  # with no median, what is known: at least the longest time observed
    ci95_days: list[int | None] | None = None
    events: int = 0
    censored: int = 0
    no_data: int = 0
    last_session_days_ago: int | None = None
    last: dict | None = None
    sessions: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class CourseSummary:
    """Where the period sits in the treatment: its sessions, the course it belongs to, the plan, costs."""

    sessions_total: int
    sessions_in_period: int
    first_session: str | None
    last_session: str | None  # the last session, even when it lies before --since
    days_since_last_session: int | None
    routes: dict[str, int]
    number: int | None
    courses: int
    started: str | None
    phase: str | None
    sessions_in_course: int
    checkin_before_start: str | None
    planned_in_period: int
    planned_done: int
    cost_in_period: float | None  # only when some cost was logged: no cost recorded is not a cost of 0
    dose_history: list[list] = field(default_factory=list)  # [dose and route, sessions in a row], oldest first

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class MedicationSection:
    """Current medicines at the period end, dated changes in the period, doses logged of medicines not
    current, and as-needed doses on session days (each a plain dict, as the JSON shows it)."""

    current: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    taken: list[dict] = field(default_factory=list)
    on_session_days: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Report:
    generated_at: str
    period: dict
    course: CourseSummary
    instruments: dict[str, InstrumentResult]
    ratings: dict[str, RatingResult]
    signs: list[Finding]
    flags: list[Finding]
    side_effects: dict[str, int]
    sessions: list[dict]  # the sessions listed: every one of the period in JSON, the latest few on a page
    journal: list[dict]
    safety: SafetyFacts = field(default_factory=SafetyFacts)
    durability: Durability = field(default_factory=Durability)
    judged: bool = False  # there was data to judge (a course, or ratings/scores in the period)
    last_checkin_days_ago: int | None = None  # the last check-in at or before the period end
    medications: MedicationSection = field(default_factory=MedicationSection)
    picture: CoursePicture | None = None  # the one picture every finding above was read from
    demo: bool = False  # read from a `ketalog demo` database: the page says DEMO, never the person's name
    better_days: list[str] = field(default_factory=list)  # `insights` findings as sentences (the full report only)
    followups: list[dict] = field(default_factory=list)  # the last six months of long-term follow-ups
    labs: list[dict] = field(default_factory=list)  # the period's lab results
    integration: list[dict] = field(default_factory=list)  # reflections under their session (none when private)
    phone: dict = field(default_factory=dict)  # what the phone measured (`reading.phone.phone_summary`)
    session_times: list[datetime] = field(default_factory=list)  # every session of the period: the charts' ticks

    def to_json(self) -> dict:
        return {
            "generated_at": self.generated_at,
            "period": self.period,
            "course": self.course.to_json(),
            "instruments": {key: value.to_json() for key, value in self.instruments.items()},
            "ratings": {key: value.to_json() for key, value in self.ratings.items()},
            "signs": [sign.to_json() for sign in self.signs],
            "flags": [flag.to_json() for flag in self.flags],
            "side_effects": self.side_effects,
            "sessions": self.sessions,
            "journal": self.journal,
            "safety": self.safety.to_json(),
            "durability": self.durability.to_json(),
            "medications": self.medications.to_json(),
            "picture": self.picture.to_json() if self.picture else None,
            "items": {key: value.items for key, value in self.instruments.items() if value.items},
            "better_days": self.better_days,
            "followups": self.followups,
            "labs": self.labs,
            "integration": self.integration,
            "phone": self.phone,
        }
