"""What treatment has cost: the sessions with a logged cost, totalled by month, year or course (pure).

Amounts are the person's own numbers in their own currency; a session without a
logged cost is counted as such, never as 0, so a total is never smaller than it looks.
"""

from __future__ import annotations

BY = ("month", "year", "course")


def summary(sessions: list, courses: list, by: str) -> dict:
    """{sessions: [...], groups: [{period, sessions, total}], total, without_cost} for ``sessions`` oldest first."""
    from ketalog.courses import course_at

    rows: list[dict] = []
    groups: dict[str, dict] = {}
    without = 0
    for session in sessions:
        if session.cost is None:
            without += 1
            continue
        if by == "course":
            course = course_at(courses, session.at)
            period = f"course {course.number}" if course else "before any course"
        else:
            period = session.at.strftime("%Y-%m" if by == "month" else "%Y")
        rows.append(
            {
                "id": session.id,
                "at": session.at.isoformat(timespec="minutes"),
                "clinic": session.clinic,
                "provider": session.provider,
                "route": session.route,
                "dose": session.dose or None,
                "cost": session.cost,
                "period": period,
            }
        )
        group = groups.setdefault(period, {"period": period, "sessions": 0, "total": 0.0})
        group["sessions"] += 1
        group["total"] = round(group["total"] + session.cost, 2)
    return {
        "by": by,
        "sessions": rows,
        "groups": list(groups.values()),
        "total": round(sum(row["cost"] for row in rows), 2),
        "without_cost": without,
    }
