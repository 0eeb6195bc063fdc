"""`ketalog status` as a few plain lines, newest facts first, safety before anything else. No Rich."""

from __future__ import annotations

from ketalog import crisis
from ketalog.instruments import display_name
from ketalog.render.text import count_of
from ketalog.timeparse import days_ago


def due_label(item: dict) -> str:
    """What one due item is called: in `status`, `status --short` and the reminder's notification."""
    if item["what"] == "checkin":
        return "today's check-in"
    if item["what"] == "reflection":
        return f"reflection on session {item['session']} (day {item['day'][1:]})"
    if item["what"] == "followup":
        return "long-term follow-up"
    return display_name(item["what"])


def status_lines(data: dict, report) -> list[str]:
    """At most 15 lines: safety, the course and last session, how long mood stays up, what is due, flags."""
    lines: list[str] = []
    if report.safety.notice:
        from ketalog.render import report_rows

        lines += [report_rows.safety_dated_line(report) or "", *crisis.lines()[1:], ""]  # status: last 14 days
    course, last = data["course"], data["last_session"]
    if course is None:
        lines.append("No session logged yet: `ketalog add` after your first one.")
    else:
        lines.append(
            f"Course {course['number']} ({course['phase']}), {count_of(course['sessions'], 'session')}; "
            f"last session {last['at'][:10]}, {days_ago(last['days_ago'])}."
        )
        from ketalog.render.report_rows import durability_text

        lasting = durability_text(report.durability, report.generated_at[:10], short=True)
        if lasting:
            lines.append(lasting)
    due = []
    for item in data["due"]:
        if item["what"] == "checkin":
            due.append("today's check-in (none yet today)")
        elif item["what"] == "reflection":
            due.append(f"{due_label(item)}: `ketalog journal --session {item['session_id'][:8]} --prompt`")
        elif item["what"] == "followup":
            due.append(f"{due_label(item)} (due since {item['since']}): `ketalog followup`")
        else:
            due.append(f"{due_label(item)} (due since {item['since']})")
    if data["next_planned"]:
        due.append(f"the next planned session on {data['next_planned']}")
    lines.append("Due: " + "; ".join(due) + "." if due else "Nothing due.")
    flags = [f for f in data["flags"] if f["id"] != "safety"]
    new = [f["title"] for f in flags if f["new"]]
    if new:
        lines.append("New to discuss (last 14 days): " + "; ".join(new) + ". `ketalog report` has the details.")
    if len(new) < len(flags):
        count = len(flags) - len(new)
        lines.append(f"Still to discuss: {count_of(count, 'flag')} you have seen (`ketalog report`).")
    return lines
