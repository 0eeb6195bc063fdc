"""Plain records that the store returns and the rest of ketalog reads.

No SQL and no rendering here: each dataclass mirrors one kind of entry, knows
how to build itself from a stored row, and how to present itself as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
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
    def reader(cls, columns: Sequence[str], children: str | None = None) -> Callable[[tuple], Self]:
        """How to build this kind from a stored row, planned once for a query's columns, then run on each of
        its tuples: a lifetime's rows cost building the records, not a dict per row first. ``children``
        names the field that the ``_children`` column (a JSON list) fills."""
        fields = cls.__dataclass_fields__
        picked = [(index, name) for index, name in enumerate(columns) if name in fields and name != "at"]
        at = columns.index("at")
        offset = columns.index("utc_offset") if "utc_offset" in columns else None
        child = columns.index("_children") if children else None
        decoded = cls.decoded

        def build(row):
            values = {name: row[index] for index, name in picked}
            values["at"] = from_storage(row[at], None if offset is None else row[offset])
            if child is not None and children:
                text = row[child]
                values[children] = json.loads(text) if text and text != "[]" else []
            return cls(**decoded(values))

        return build

    @classmethod
    def decoded(cls, values: dict) -> dict:
        """Stored values this kind holds differently (JSON text, 0/1 flags): none for most kinds."""
        return values

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
    drug: str | None = None  # ketamine, esketamine, arketamine or other (session_record.DRUGS)
    product: str | None = None
    doses: list[dict] = field(default_factory=list)  # [{amount, unit, at (minutes in)}]; dose_amount is their sum
    sprays: int | None = None
    vitals: list[dict] = field(default_factory=list)  # [{what: bp|hr|spo2, at: minutes, "end" or None, value}]
    sedation: int | None = None
    observed: list[str] = field(default_factory=list)  # staff observations (session_record.OBSERVATIONS)
    ready_after_min: int | None = None
    lot: str | None = None
    mood_before: int | None = None
    mood_after: int | None = None
    side_effects: list[str] = field(default_factory=list)
    number: int | None = None  # position in the course, 1 = first session ever logged

    kind = "session"

    @classmethod
    def decoded(cls, values: dict) -> dict:
        for name in ("doses", "vitals", "observed"):
            if name in values:
                text = values[name]
                values[name] = json.loads(text) if text else []
        return values

    @property
    def dose(self) -> str:
        """'0.5 mg/kg', or '28+28+28 mg @0/5/10′' for doses within the session."""
        if self.doses:
            from ketalog.session_record import format_doses

            return format_doses(self.doses)
        return format_dose(self.dose_amount, self.dose_unit)

    @property
    def dose_label(self) -> str:
        """The dose with its route ('0.5 mg/kg iv'), or the route alone: what a run of the dose history shows."""
        return f"{self.dose} {self.route}" if self.dose else self.route

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
    source: str | None = None  # the app it was imported from; None when typed into ketalog

    kind = "checkin"

    def ratings(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in RATING_NAMES if getattr(self, name) is not None}


@dataclass
class JournalEntry(Entry):
    text: str
    tags: list[str] = field(default_factory=list)
    session_id: str | None = None  # the session this note reflects on

    kind = "journal"


@dataclass
class MedicationEvent(Entry):
    """Something that happened to one medicine: started, dose changed, stopped, or an as-needed dose taken."""

    medication: str  # the medicine's key (its lower-cased name)
    event: str  # start, change, stop, took
    dose: str | None = None
    schedule: str | None = None
    note: str | None = None
    name: str = ""  # the medicine's name as written
    med_class: str = "other"

    kind = "medication"


@dataclass
class Visit(Entry):
    """An appointment with the prescriber or therapist: where "since my last visit" starts."""

    note: str | None = None

    kind = "visit"


@dataclass
class Followup(Entry):
    """The monthly long-term follow-up (ketalog's own questions, `ketalog.followup`): None = skipped."""

    day_voids: int | None = None
    night_voids: int | None = None
    urgency: int | None = None
    pain_passing: int | None = None
    blood_in_urine: str | None = None
    suprapubic_pain: int | None = None
    memory: str | None = None
    memory_note: str | None = None
    use_outside: str | None = None
    craving: int | None = None
    more_than_prescribed: str | None = None
    other: str | None = None

    kind = "followup"


@dataclass
class Lab(Entry):
    """A lab result as the lab printed it, with its reference range when given (inclusive)."""

    name: str
    value: float
    unit: str
    range_low: float | None = None
    range_high: float | None = None
    note: str | None = None

    kind = "lab"

    @property
    def outside_range(self) -> bool:
        """Outside the range the lab printed (a value on the edge is inside); False without a range."""
        return (self.range_low is not None and self.value < self.range_low) or (
            self.range_high is not None and self.value > self.range_high
        )


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
    def decoded(cls, values: dict) -> dict:
        answers = values.get("answers")
        values["answers"] = json.loads(answers) if answers else None  # the values are the store's own, built for this
        values["prorated"] = bool(values.get("prorated"))
        return values

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


@dataclass(frozen=True)
class SessionReadings:
    """What the blood-pressure and heart-rate flags read of one session: its time and its readings."""

    at: datetime
    bp_before_sys: int | None = None
    bp_before_dia: int | None = None
    bp_after_sys: int | None = None
    bp_after_dia: int | None = None
    heart_rate: int | None = None

    READ = ("bp_before_sys", "bp_before_dia", "bp_after_sys", "bp_after_dia", "heart_rate")  # the columns

    @classmethod
    def of(cls, session: Session) -> SessionReadings:
        return cls(session.at, *(getattr(session, name) for name in cls.READ))


def runs(labels: Iterable[str]) -> list[tuple[str, int]]:
    """Each run of equal labels in a row, with its length: the dose history."""
    from itertools import groupby

    return [(label, sum(1 for _ in run)) for label, run in groupby(labels)]


def most_often_first(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    return dict(sorted(counts, key=lambda item: (-item[1], item[0])))


@dataclass
class PeriodSessions:
    """The period's sessions as the rules read them, however many there are: counts, sums and times (the store
    aggregates them in SQLite, `store.period_sessions`), and whole records only for the few a flag reads.

    ``of`` is the same reading done in memory: the definition the store's SQL is tested against, and what the
    tests' twin builds.
    """

    count: int = 0
    routes: dict[str, int] = field(default_factory=dict)  # in the order each was first used
    cost: float | None = None  # None when no session logged a cost: no cost recorded is not a cost of 0
    side_effects: dict[str, int] = field(default_factory=dict)  # most often first, then by name
    times: list[datetime] = field(default_factory=list)  # every session's time, oldest first
    doses: list[tuple[str, int]] = field(default_factory=list)  # runs of one dose and route, oldest first
    notable: list[SessionReadings] = field(default_factory=list)  # with a reading a flag reads, oldest first

    @classmethod
    def of(cls, sessions: Sequence[Session], notable: Callable[[SessionReadings], bool]) -> PeriodSessions:
        ordered = sorted(sessions, key=lambda s: (s.at, s.created_at))
        routes: dict[str, int] = {}
        effects: dict[str, int] = {}
        for session in ordered:
            routes[session.route] = routes.get(session.route, 0) + 1
            for name in session.side_effects:
                effects[name] = effects.get(name, 0) + 1
        costs = [s.cost for s in ordered if s.cost is not None]
        return cls(
            count=len(ordered),
            routes=routes,
            cost=sum(costs) if costs else None,
            side_effects=most_often_first(effects.items()),
            times=[s.at for s in ordered],
            doses=runs(s.dose_label for s in ordered),
            notable=[readings for readings in map(SessionReadings.of, ordered) if notable(readings)],
        )


@dataclass(frozen=True)
class SafetyAnswer:
    """One score's answer to its safety item (PHQ-9 item 9): None when it has none to read."""

    at: datetime
    answer: int | None
    positive: bool  # an answer that shows the crisis resources (instruments.safety_reading)
    unanswered: bool  # the item was skipped: never read as 0


@dataclass
class PeriodScores:
    """The period's questionnaire scores as the rules read them, however many there are: each instrument's
    totals and count of incomplete scores, the item answers of its latest ``kept`` scores (the HTML grid),
    and the safety item of every score that has one. Built from light rows (`store.period_scores`); the
    tests' twin builds it from whole records by the same ``of``.
    """

    totals: dict[str, list[tuple[datetime, int]]] = field(default_factory=dict)  # scored, oldest first
    incomplete: dict[str, int] = field(default_factory=dict)  # scores too incomplete to total
    answers: dict[str, list[tuple[datetime, list]]] = field(default_factory=dict)  # the latest kept, answered
    safety: list[SafetyAnswer] = field(default_factory=list)  # scores with a safety item and item answers
    not_known: list[datetime] = field(default_factory=list)  # with a safety item, logged without answers
    safety_item: int | None = None  # which item is the safety item (9), when a score of the period has one

    @classmethod
    def of(
        cls,
        rows: Iterable[tuple[datetime, str, int | None, object]],
        decode: Callable[[object], list | None],
        kept: int | None = None,
    ) -> PeriodScores:
        """From (when, instrument, total, answers) rows oldest first; ``decode`` turns stored answers into a
        list (or None). Only the answers read are decoded: the safety item's, and the latest ``kept``."""
        from ketalog.instruments import safety_reading, shipped

        scores = cls()
        raw: dict[str, list[tuple[datetime, object]]] = {}
        with_item: dict[str, bool] = {}  # instrument -> it has a safety item: looked up once, not once a score
        for at, instrument, total, stored in rows:
            has_item = with_item.get(instrument)
            if has_item is None:
                known = shipped(instrument)
                has_item = with_item[instrument] = known is not None and known.safety_item is not None
                if has_item and scores.safety_item is None:
                    scores.safety_item = known.safety_item  # type: ignore[union-attr]
            answers = decode(stored) if has_item else None
            if has_item and not answers:
                scores.not_known.append(at)
            elif has_item:
                scores.safety.append(SafetyAnswer(at, *safety_reading(instrument, answers)))
            if total is None:
                scores.incomplete[instrument] = scores.incomplete.get(instrument, 0) + 1
                continue
            scores.totals.setdefault(instrument, []).append((at, total))
            if stored:
                raw.setdefault(instrument, []).append((at, answers if has_item else stored))
        for instrument, found in raw.items():
            chosen = found if kept is None else found[-kept:] if kept else []
            decoded = [(at, value if isinstance(value, list) else decode(value)) for at, value in chosen]
            scores.answers[instrument] = [(at, value) for at, value in decoded if value]
        return scores


@dataclass(frozen=True)
class Reads:
    """What the engine's rules read, as one value: the store loads exactly that, and the tests' in-memory
    twin (tests/history.py) selects by the same object. The values are `reading.rules.READS`."""

    window: timedelta  # the baseline and recent windows of daily ratings
    early: timedelta  # a course's first week: the early baseline
    sparkline_weeks: int
    watched_words: tuple[str, ...]  # what SQLite's LIKE narrows notes to (bladder words)
    near: timedelta  # as-needed doses "around" a session
    horizon: timedelta  # course-wide rules read a course's last two years
    rated_ends: int  # the first and last sessions with a dissociation rating
    lookback: timedelta  # a score this close before a course is its baseline
    safety_items: dict[str, int]  # instrument -> its safety item (PHQ-9 item 9)
    # a session reading a flag reads: blood pressure before dosing above (sys, dia), after dosing at or above
    # (sys, dia), heart rate below the first or at or above the second (the crisis range lies above both)
    bp_before: tuple[int, int]
    bp_after: tuple[int, int]
    heart_rate: tuple[int, int]
    answers_kept: int  # each questionnaire's latest item answers kept (`PeriodScores.answers`)


@dataclass
class ReportInputs:
    """Everything the progress engine reads for one period, loaded by ``store.report_inputs``.

    Bounded to what the rules read: the sessions of the period and of the course the
    report describes (the course of the latest session at or before the period end);
    whole check-ins only for the rating windows (14 days before the course to its
    first week, and the last 14 days), and for the course-wide rules just its mood
    ratings (``course_ratings``) within the rules' horizon (the course's last two years, from
    14 days before); every score up to the
    period end, the period's latest journal excerpts, and text that mentions a
    watched word (``mentions``).
    """

    now: datetime
    since: datetime | None
    until: datetime | None
    courses: list  # every course (ketalog.courses.Course), oldest first
    sessions_total: int
    sessions: list[Session]  # the period's sessions a report lists: all of them, or its latest few for a page
    course_sessions: list[Session]  # the reported course's sessions up to the period end, within its horizon
    checkins: list[Checkin]  # the baseline windows and the last 14 days
    # the course's daily ratings within its horizon (and 14 days before): {rating: [(when, value)]}
    course_ratings: dict[str, list[tuple[datetime, int]]]
    # the scores the rules read whole: the course's baseline windows, its horizon, each instrument's latest
    # (and latest with a total) up to the period end, and the latest safety answer above 0
    surveys: list[Survey]
    journal: list[JournalEntry]
    last_checkin_at: datetime | None = None  # the last check-in at or before the period end
    first_entry_day: str | None = None  # the local day of the period's first session, check-in, score or note
    checkin_before_course: datetime | None = None  # the last check-in before the reported course began
    mentions: list[tuple[datetime, str, str]] = field(default_factory=list)  # (when, where, text) in the period
    planned: list[dict] = field(default_factory=list)  # planned days in the period: {local_date, done}
    weekly: list[dict] = field(default_factory=list)
    medications: list[dict] = field(default_factory=list)  # every medicine (rows of `medications`)
    # every start/change/stop up to the period end, and as-needed doses within 24 h of the period
    medication_events: list = field(default_factory=list)
    reflections: dict[str, str] = field(default_factory=dict)  # session id -> its linked note's first line
    # the course's first and last sessions with a dissociation rating (all of them when there are few)
    course_rated: list[Session] = field(default_factory=list)
    # imported sources whose scale the person confirmed (`import --mood-map`, or trust-imported-scale)
    trusted_sources: frozenset[str] = frozenset()
    # scales ketalog does not know, with the direction the person gave once: {name: higher_is_better}
    scale_directions: dict[str, bool] = field(default_factory=dict)
    followups: list = field(default_factory=list)  # every long-term follow-up up to the period end, oldest first
    labs: list = field(default_factory=list)  # lab results in the period
    phone_days: list = field(default_factory=list)  # (local day, source, metric, value) of the last 14 days
    home_bp: list = field(default_factory=list)  # the phone's blood-pressure readings in the period
    # reflections tagged integration:d1|d3|d7, by session id: [{day, at, text (first line), session_at}]
    integration: dict[str, list[dict]] = field(default_factory=dict)
    period_sessions: PeriodSessions = field(default_factory=PeriodSessions)  # every session of the period, read
    period_scores: PeriodScores = field(default_factory=PeriodScores)  # every score of the period, read

    @property
    def course_mood(self) -> list[tuple[datetime, int]]:
        """The course's mood ratings: what most course-wide rules read."""
        return self.course_ratings.get("mood", [])

    @property
    def end(self) -> datetime:
        """The period end: --until, else now."""
        return self.until or self.now

    @cached_property
    def session_times(self) -> list[datetime]:
        """Every session the engine knows of (the course's and the period's), oldest first: read by every
        outcome window, so derived once per report."""
        return sorted({*(s.at for s in self.course_sessions), *self.period_sessions.times})

    @property
    def course(self):
        from ketalog.courses import course_at

        return course_at(self.courses, self.end)

    @property
    def course_start(self) -> datetime | None:
        course = self.course
        return course.started if course else None


@dataclass
class TrendInputs:
    """What ``reading.trends.build_trends`` reads, loaded by ``store.trend_inputs`` for one table.

    Per week or month: SQL-aggregated ``rating_means`` and ``instrument_means``.
    Per session: the ``sessions`` shown, every course, and the check-ins from 14
    days before the first of those sessions' courses began (the mood baselines
    and how long mood stayed up after each session).
    """

    by: str  # week | month | session
    now: datetime
    start: datetime | None
    rating_means: list[dict] = field(default_factory=list)
    instrument_means: list[dict] = field(default_factory=list)
    phone_means: list[dict] = field(default_factory=list)  # per period, source and metric (`daily_metrics`)
    sessions: list[Session] = field(default_factory=list)
    checkins: list[Checkin] = field(default_factory=list)  # from 14 days before the earliest course shown
    courses: list = field(default_factory=list)  # every course (ketalog.courses.Course)
