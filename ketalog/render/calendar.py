"""The plan as an iCalendar (RFC 5545) file, built with the `icalendar` package. Imported only by `plan export`."""

from __future__ import annotations

from datetime import date, timedelta

from ketalog.neutral import visible

NO_DRIVING = "Ketamine session: do not drive or operate machinery until the next day, after a full night's sleep."


def plan_calendar(rows: list[dict]) -> bytes:
    """One all-day event per planned day; the UID is the planned session's id, so re-exports update events."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//ketalog//plan export//EN")
    calendar.add("version", "2.0")
    for row in rows:
        day = date.fromisoformat(row["local_date"])
        event = Event()
        event.add("uid", f"{row['id']}@ketalog")
        event.add("summary", "Ketamine session")
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("description", "\n".join(filter(None, [row.get("note") and visible(row["note"]), NO_DRIVING])))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
