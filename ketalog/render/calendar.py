"""The plan as an iCalendar (RFC 5545) file, built with the `icalendar` package. Imported only by `plan export`."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ketalog.neutral import visible

NO_DRIVING = "Ketamine session: do not drive or operate machinery until the next day, after a full night's sleep."
EVE = timedelta(hours=-6)  # the alarm: 18:00 the evening before the all-day event, time to arrange a ride
EVE_TEXT = "Ketamine session tomorrow: arrange a ride home; no driving until the day after, after a full night's sleep."


def plan_calendar(rows: list[dict], stamp: datetime) -> bytes:
    """One all-day event per planned day, each with the DTSTAMP RFC 5545 requires (``stamp``, the export's
    time) and a display alarm the evening before (the reminder the description promises); the UID is the
    planned session's id, so re-exports update events."""
    from icalendar import Alarm, Calendar, Event

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
        event.add("dtstamp", stamp.astimezone(timezone.utc))
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", EVE)
        alarm.add("description", EVE_TEXT)
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
