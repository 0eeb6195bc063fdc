"""One report for a period: every reading of the course put together, reconciled, as the ``Report`` model."""

from __future__ import annotations

from ketalog import medicines
from ketalog.courses import days_between
from ketalog.models import ReportInputs, Session
from ketalog.reading import longterm
from ketalog.reading.flags import find_flags
from ketalog.reading.model import CourseSummary, Durability, MedicationSection, Report
from ketalog.reading.phone import phone_summary
from ketalog.reading.picture import course_picture
from ketalog.reading.ratings import rating_results
from ketalog.reading.scores import instrument_results, safety_facts
from ketalog.reading.signs import find_signs
from ketalog.reading.windows import _in_period, _iso, horizon_start


def medication_section(inputs: ReportInputs) -> MedicationSection:
    """Current medicines at the period end, dated changes in the period, doses logged in the period of
    medicines not current (as-needed ones, or another app's dose log), as-needed doses on session days."""
    end = inputs.end
    events = inputs.medication_events
    standing = medicines.standing(inputs.medications, events, end)
    current = [
        {"name": m.name, "class": m.klass, "dose": m.dose, "schedule": m.schedule, "since": _iso(m.started)}
        for m in standing
        if m.active
    ]
    names = {row["key"]: row["name"] for row in inputs.medications}
    not_current = {m.key: m for m in standing if not m.active}
    taken: dict[str, dict] = {}
    for e in events:
        if e.event == "took" and e.medication in not_current and _in_period(e.at, inputs.since, inputs.until):
            medicine = not_current[e.medication]
            row = taken.setdefault(e.medication, {"name": medicine.name, "class": medicine.klass, "doses": 0})
            row.update(doses=row["doses"] + 1, dose=e.dose or row.get("dose"), last=_iso(e.at))
    changes = [
        {
            "at": _iso(e.at),
            "name": names.get(e.medication, e.medication),
            "event": e.event,
            "dose": e.dose,
            "schedule": e.schedule,
        }
        for e in events
        if e.event != "took" and _in_period(e.at, inputs.since, inputs.until)
    ]
    session_days = {at.date() for at in inputs.period_sessions.times}
    on_session_days = [
        {"at": _iso(e.at), "name": names.get(e.medication, e.medication), "dose": e.dose}
        for e in events
        if e.event == "took" and e.at.date() in session_days and _in_period(e.at, inputs.since, inputs.until)
    ]
    return MedicationSection(
        current, changes, sorted(taken.values(), key=lambda row: row["name"].lower()), on_session_days
    )


def course_summary(inputs: ReportInputs) -> CourseSummary:
    # planned days of the period up to its end: the ones that could have been done by now
    planned_so_far = [p for p in inputs.planned if p["local_date"] <= inputs.end.date().isoformat()]
    sessions = inputs.period_sessions
    course = inputs.course
    last = course.last if course else None  # the last session, even when it lies before --since
    first = inputs.courses[0].started if inputs.courses else None
    return CourseSummary(
        sessions_total=inputs.sessions_total,
        sessions_in_period=sessions.count,
        first_session=_iso(first),
        last_session=_iso(last),
        days_since_last_session=days_between(last, inputs.now) if last else None,
        routes=dict(sessions.routes),
        number=course.number if course else None,
        courses=len(inputs.courses),
        started=_iso(course.started) if course else None,
        phase=course.phase(inputs.end) if course else None,
        sessions_in_course=course.session_count if course else 0,
        checkin_before_start=_iso(inputs.checkin_before_course),
        planned_in_period=len(planned_so_far),
        planned_done=sum(1 for p in planned_so_far if p["done"]),
        cost_in_period=sessions.cost,
        dose_history=[list(run) for run in sessions.doses],
    )


def session_rows(sessions: list[Session], reflections: dict[str, str] | None = None) -> list[dict]:
    return [
        {
            "id": s.id,
            "at": _iso(s.at),
            "route": s.route,
            "drug": s.drug,
            "product": s.product,
            "dose": s.dose or None,
            "doses": list(s.doses),
            "vitals": list(s.vitals),
            "duration_min": s.duration_min,
            "therapy": None if s.therapy is None else bool(s.therapy),
            "dissociation": s.dissociation,
            "side_effects": list(s.side_effects),
            "bp_before": s.bp_before or None,
            "bp_after": s.bp_after or None,
            "cost": s.cost,
            "intention": s.intention,
            "reflection": (reflections or {}).get(s.id),
        }
        for s in sessions
    ]


def excerpt(text: str, limit: int = 300) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def durability_of(inputs: ReportInputs, baseline: float | None) -> Durability:
    """How long mood stayed up after the course's sessions (``ketalog.reading.durability``), read to the period end."""
    from ketalog.reading import durability

    start = horizon_start(inputs)
    sessions = [s for s in inputs.course_sessions if start is None or s.at >= start]
    end = inputs.end
    readings = [(at, value) for at, value in inputs.course_mood if at <= end]
    course = inputs.course
    return durability.summary(
        durability.per_session(sessions, readings, baseline),
        days_between(course.last, inputs.now) if course else None,
    )


def period_of(inputs: ReportInputs) -> dict:
    """The period as asked (`since`, `until`: null when open) and as it really ran: `from` the first day
    asked or the first entry in it, `to` the last day asked or today (local days)."""
    from datetime import timedelta

    last = (inputs.until - timedelta(microseconds=1)) if inputs.until else inputs.now
    return {
        "since": _iso(inputs.since),
        "until": _iso(inputs.until),
        "from": inputs.since.date().isoformat() if inputs.since else inputs.first_entry_day,
        "to": last.date().isoformat(),
    }


def build_report(inputs: ReportInputs, private: bool = False) -> Report:
    instruments = instrument_results(
        inputs.surveys, inputs.period_scores, inputs.course_start, inputs.since, inputs.until, inputs.scale_directions
    )
    ratings = rating_results(inputs)
    course = inputs.course
    durability = durability_of(inputs, ratings["mood"].baseline)
    picture = course_picture(inputs, ratings, instruments)
    from ketalog.reading.reconcile import reconcile

    signs, flags = reconcile(
        find_signs(inputs, instruments, ratings), find_flags(inputs, instruments, ratings, durability, picture)
    )
    if any(flag.id == "mood_returning" for flag in flags) and ratings["mood"].status == "better":
        ratings["mood"].status = "returning"  # the 14-day mean is still up, but the flag says where it is now
    judged = (
        course is not None
        or any(r.recent is not None for r in ratings.values())
        or any(r.latest is not None for r in instruments.values())
    )
    return Report(
        generated_at=_iso(inputs.now),
        period=period_of(inputs),
        course=course_summary(inputs),
        instruments=instruments,
        ratings=ratings,
        signs=signs,
        flags=flags,
        side_effects=dict(inputs.period_sessions.side_effects),
        sessions=session_rows(inputs.sessions, {} if private else inputs.reflections),
        journal=[] if private else [{"at": _iso(j.at), "text": excerpt(j.text)} for j in _unlisted(inputs)],
        safety=safety_facts(inputs.surveys, inputs.period_scores, inputs.until),
        durability=durability,
        judged=judged,
        last_checkin_days_ago=days_between(inputs.last_checkin_at, inputs.end) if inputs.last_checkin_at else None,
        medications=medication_section(inputs),
        picture=picture,
        followups=longterm.followup_rows(inputs.followups, inputs.end),
        labs=longterm.lab_rows(inputs.labs),
        integration=[] if private else integration_groups(inputs),
        phone=phone_summary(inputs),
        session_times=list(inputs.period_sessions.times),
    )


def _unlisted(inputs: ReportInputs) -> list:
    """The journal excerpts, less the reflections the report already shows under their session."""
    from ketalog.reflections import TAG_PREFIX

    return [
        j for j in inputs.journal
        if not (j.session_id in inputs.integration and any(t.startswith(TAG_PREFIX) for t in j.tags))
    ]  # fmt: skip


def integration_groups(inputs: ReportInputs) -> list[dict]:
    """The period's reflections under their session, oldest session first: [{session (its number), at,
    reflections: [{day, at, text}]}]."""
    import bisect

    times = inputs.period_sessions.times
    first_number = inputs.sessions_total - len(times) + 1
    groups = sorted(inputs.integration.values(), key=lambda reflections: reflections[0]["session_at"])
    return [
        {
            "session": first_number + bisect.bisect_left(times, reflections[0]["session_at"]),
            "at": _iso(reflections[0]["session_at"]),
            "reflections": [{"day": r["day"], "at": _iso(r["at"]), "text": r["text"]} for r in reflections],
        }
        for reflections in groups
    ]
