"""Treatment courses: which sessions belong together, and where a course stands. Pure, no I/O.

A course starts at the first session ever logged, or at a session logged with
``add --new-course`` (a re-induction after a break). Every baseline belongs to a
course. Rules and sources: docs/progress-rules.md ("Courses").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

INDUCTION = timedelta(days=21)  # product rule: the first 3 weeks of a course (IV/IM: ~6 sessions in 2-3 weeks)
INTRANASAL_INDUCTION = timedelta(days=28)  # esketamine's label judges benefit at week 4 (reference section 3)
LONG_GAP = timedelta(days=60)  # a session this long after the previous one may start a new course: say so
SCORE_LOOKBACK = timedelta(days=30)  # a score this close before a course is its baseline (reference section 5)
SURVEY_INTERVAL = timedelta(days=14)  # PHQ-9 and GAD-7 within a course (a 2-week recall; product rule)
DUE_SURVEYS = ("phq9", "gad7")


@dataclass(frozen=True)
class SessionMark:
    """What the course rule reads of a session."""

    at: datetime
    route: str
    new_course: bool = False


@dataclass
class Course:
    number: int
    started: datetime
    sessions: list[SessionMark] = field(default_factory=list)

    @property
    def last(self) -> datetime:
        return self.sessions[-1].at

    @property
    def routes(self) -> dict[str, int]:
        return dict(Counter(s.route for s in self.sessions))

    @property
    def intranasal(self) -> bool:
        """A mostly intranasal (esketamine) course, judged on the label's longer timescale."""
        routes = Counter(s.route for s in self.sessions)
        return routes.get("intranasal", 0) * 2 > len(self.sessions)

    def phase(self, at: datetime) -> str:
        """`induction` for the first 21 days (28 intranasal), then `maintenance`."""
        induction = INTRANASAL_INDUCTION if self.intranasal else INDUCTION
        return "induction" if at - self.started < induction else "maintenance"

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "started": self.started.isoformat(timespec="minutes"),
            "sessions": len(self.sessions),
            "routes": self.routes,
            "last_session": self.last.isoformat(timespec="minutes"),
        }


def split(sessions: list[SessionMark]) -> list[Course]:
    """Sessions (any order) grouped into numbered courses, oldest first."""
    courses: list[Course] = []
    for session in sorted(sessions, key=lambda s: s.at):
        if not courses or session.new_course:
            courses.append(Course(len(courses) + 1, session.at))
        courses[-1].sessions.append(session)
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
    return (later.date() - earlier.date()).days


def due_items(
    now: datetime, course: Course | None, last_checkin: datetime | None, last_scores: dict[str, datetime | None]
) -> list[dict]:
    """What is due now: today's check-in, then PHQ-9 and GAD-7 every 14 days within a course.

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
        elif now - last >= SURVEY_INTERVAL:
            due.append({"what": instrument_id, "since": (last + SURVEY_INTERVAL).date().isoformat()})
    return due
