"""Treatment courses: which sessions belong together, and where a course stands. Pure, no I/O.

A course starts at the first session ever logged, or at a session logged with
``add --new-course`` (a re-induction after a break). Every baseline belongs to a
course. Rules and sources: docs/progress-rules.md ("Courses").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

INDUCTION = timedelta(days=21)  # product rule: the first 3 weeks of a course (IV/IM: ~6 sessions in 2-3 weeks)
INTRANASAL_INDUCTION = timedelta(days=28)  # esketamine's label judges benefit at week 4 (reference section 3)
LONG_GAP = timedelta(days=60)  # a session this long after the previous one may start a new course: say so
SCORE_LOOKBACK = timedelta(days=30)  # a score this close before a course is its baseline (reference section 5)
SURVEY_INTERVAL = timedelta(days=14)  # PHQ-9 and GAD-7 within a course (a 2-week recall); `config set survey-interval`
DUE_SURVEYS = ("phq9", "gad7")  # instruments.PHQ9.id, GAD7.id: courses stays light (test_courses pins it)


@dataclass(frozen=True)
class SessionMark:
    """What the course rule reads of a session."""

    at: datetime
    route: str
    new_course: bool = False


@dataclass
class Course:
    """One course as the rules read it: when it started, its last session, how many and by which routes
    (aggregates, so a course of years weighs what a course of weeks does)."""

    number: int
    started: datetime
    last: datetime
    session_count: int
    routes: dict[str, int] = field(default_factory=dict)  # route -> sessions, in order of first use

    @property
    def intranasal(self) -> bool:
        """A mostly intranasal (esketamine) course, judged on the label's longer timescale."""
        return self.routes.get("intranasal", 0) * 2 > self.session_count

    def phase(self, at: datetime) -> str:
        """`induction` for the first 21 days (28 intranasal), then `maintenance`."""
        induction = INTRANASAL_INDUCTION if self.intranasal else INDUCTION
        return "induction" if at - self.started < induction else "maintenance"

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "started": self.started.isoformat(timespec="minutes"),
            "sessions": self.session_count,
            "routes": self.routes,
            "last_session": self.last.isoformat(timespec="minutes"),
        }


def split(sessions: list[SessionMark]) -> list[Course]:
    """Sessions (any order) grouped into numbered courses, oldest first: the rule itself. The store
    applies it in SQL (``store.courses``); a property test holds the two to the same answer."""
    courses: list[Course] = []
    for session in sorted(sessions, key=lambda s: s.at):
        if not courses or session.new_course:
            courses.append(Course(len(courses) + 1, session.at, session.at, 0))
        course = courses[-1]
        course.last = session.at
        course.session_count += 1
        course.routes[session.route] = course.routes.get(session.route, 0) + 1
    return courses


def course_at(courses: list[Course], moment: datetime) -> Course | None:
    """The course the latest session at or before ``moment`` belongs to."""
    current = None
    for course in courses:
        if course.started <= moment:
            current = course
    return current


def days_between(earlier: datetime, later: datetime) -> int:
    """Local calendar days from one moment to another (a session last night is 1 day ago this morning)."""
    # Both days in the later moment's zone: a session 14 hours ago at another offset is not "2 days ago".
    return (later.date() - earlier.astimezone(later.tzinfo).date()).days


def due_items(
    now: datetime,
    course: Course | None,
    last_checkin: datetime | None,
    last_scores: dict[str, datetime | None],
    interval: timedelta = SURVEY_INTERVAL,
) -> list[dict]:
    """What is due now: today's check-in, then PHQ-9 and GAD-7 every ``interval`` (the setting) within a course.

    A questionnaire is first due at the course start unless one was taken in the 30 days before it.
    Each item: {what, since} (the local date it became due). Light on purpose: `status --short` reads it.
    """
    due = []
    if last_checkin is None or last_checkin.date() < now.date():
        due.append({"what": "checkin", "since": now.date().isoformat()})
    if course is None:
        return due
    for instrument_id in DUE_SURVEYS:
        last = last_scores.get(instrument_id)
        if last is None or last < course.started - SCORE_LOOKBACK:
            due.append({"what": instrument_id, "since": course.started.date().isoformat()})
        elif now - last >= interval:
            due.append({"what": instrument_id, "since": (last + interval).date().isoformat()})
    return due


# The plan: templates that lay out sessions (reference section 3; product rule for the exact days) --------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TEMPLATES: dict[str, dict] = {
    # IV/IM induction: 6 sessions over 2-3 weeks, on the chosen weekdays (default Mon, Wed, Fri)
    "iv-induction": {"days": ("mon", "wed", "fri"), "phases": [(6, None)]},
    # Esketamine: twice weekly in weeks 1-4, weekly in weeks 5-8, then weekly (laid out to week 12)
    "esketamine": {"days": ("mon", "thu"), "phases": [(8, 4), (4, 4), (4, 4)]},
    # Custom: the chosen weekdays, for the given number of weeks
    "custom": {"days": ("mon",), "phases": []},
}


def parse_days(text: str | None, default: tuple[str, ...]) -> list[int]:
    """'mon,wed,fri' -> weekday numbers (Monday 0); raises ValueError naming the bad day."""
    if not text:
        return [WEEKDAYS.index(day) for day in default]
    days = []
    for part in text.lower().replace(" ", "").split(","):
        if part[:3] not in WEEKDAYS or not part:
            raise ValueError(part)
        days.append(WEEKDAYS.index(part[:3]))
    return sorted(set(days))


def lay_out(template: str, start: date, weekdays: list[int], weeks: int = 4) -> list[date]:
    """The planned days of a template from ``start`` (inclusive)."""
    spec = TEMPLATES[template]
    phases = spec["phases"] or [(len(weekdays) * weeks, weeks)]
    planned: list[date] = []
    day = start
    for count, span_weeks in phases:
        per_week = len(weekdays) if span_weeks is None or count > span_weeks else 1
        chosen = weekdays if per_week == len(weekdays) else weekdays[:1]
        added = 0
        while added < count:
            if day.weekday() in chosen:
                planned.append(day)
                added += 1
            day += timedelta(days=1)
    return planned
