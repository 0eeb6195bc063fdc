"""Integration reflections: which days after a session a short note is due, and the prompts for each.

Standard library only (`status --short` and `remind run` read it). Integration guides, and clinics'
post-session forms used for titration, ask for reflections at about 1, 3 and 7 days after a session. The
prompts are ketalog's own plain words, with no therapeutic claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

# prompt -> (first, last) day after the session (calendar days, the session's day being 0)
WINDOWS: dict[str, tuple[int, int]] = {"d1": (1, 2), "d3": (3, 6), "d7": (7, 13)}
SETTING_CHOICES = ("d1,d3,d7", "d1", "off")
BACKFILLED_AFTER_DAYS = 14  # a session written this long after it happened is a record, not a prompt
TAG_PREFIX = "integration:"

PROMPTS: dict[str, tuple[str, ...]] = {
    "d1": ("What stood out from the session?", "What did you notice in your body?"),
    "d3": ("What has stayed with you since?", "Any shift in your thoughts or habits?"),
    "d7": ("What do you want to keep from this session?", "What would you like to bring to your provider?"),
}


@dataclass(frozen=True)
class SessionFacts:
    """What the rule reads of a session: its number in the diary, when it was and when it was written."""

    id: str
    number: int
    day: date  # the session's local day
    written_late: bool  # the entry was created 14 or more days after the session (back-filled)
    imported: bool  # brought in by `ketalog import`


def enabled(setting: str | None) -> tuple[str, ...]:
    """The prompts the `integration-prompts` setting keeps on (default: all three)."""
    if setting == "off":
        return ()
    if setting == "d1":
        return ("d1",)
    return tuple(WINDOWS)


def window_of(days_after: int) -> str | None:
    return next((name for name, (low, high) in WINDOWS.items() if low <= days_after <= high), None)


def prompt_for(days_after: int) -> str:
    """Which day's prompts to show for a note written ``days_after`` the session (the nearest window)."""
    if days_after <= WINDOWS["d1"][1]:
        return "d1"
    return window_of(days_after) or "d7"


def due(today: date, sessions: list[SessionFacts], notes: dict[str, list[date]], setting: str | None) -> list[dict]:
    """Reflections due today: a session's window is open, and no note linked to it was written inside that
    window yet. ``notes``: session id -> the local days of the notes linked to it. A window that ended
    unwritten lapses; nothing is due after day 13, for imported sessions or for back-filled ones."""
    on = enabled(setting)
    found = []
    for session in sessions:
        if session.imported or session.written_late:
            continue
        name = window_of((today - session.day).days)
        if name is None or name not in on:
            continue
        low, high = WINDOWS[name]
        written = any(low <= (day - session.day).days <= high for day in notes.get(session.id, []))
        if not written:
            since = date.fromordinal(session.day.toordinal() + low).isoformat()
            found.append(
                {"what": "reflection", "since": since, "session": session.number, "session_id": session.id,
                 "day": name}
            )  # fmt: skip
    return found


def facts(session_id: str, number: int, at: datetime, created_at: datetime, imported: bool) -> SessionFacts:
    return SessionFacts(
        session_id, number, at.date(), (created_at - at).total_seconds() >= BACKFILLED_AFTER_DAYS * 86400, imported
    )
