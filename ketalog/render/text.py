"""One-line summaries and field-by-field details of entries, as plain strings.

Used by confirmations, ``show`` and ``list``; no Rich here, so write commands
stay fast.
"""

from __future__ import annotations

import json
import re

from ketalog.models import Checkin, Entry, Followup, JournalEntry, Lab, MedicationEvent, Session, Survey, Visit
from ketalog.neutral import BIDI_CONTROLS, visible
from ketalog.timeparse import format_local


def count_of(number: int, noun: str) -> str:
    """'1 session', '3 sessions'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def short_id(entry_id: str) -> str:
    return entry_id[:8]


def when(entry: Entry) -> str:
    return format_local(entry.at)


def _shortened(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def summary(entry: Entry, width: int = 70) -> str:
    """What an entry is about, in one line, safe to print."""
    return visible(_summary(entry, width))


def _summary(entry: Entry, width: int) -> str:
    if isinstance(entry, Session):
        parts = [f"#{entry.number}" if entry.number else "", entry.route, entry.dose]
        if entry.dissociation is not None:
            parts.append(f"· dissociation {entry.dissociation}")
        if entry.bp_before:
            parts.append(f"· BP {entry.bp_before}" + (f" → {entry.bp_after}" if entry.bp_after else ""))
        if entry.side_effects:
            parts.append("· " + ", ".join(entry.side_effects))
        if entry.note:
            parts.append("· " + _shortened(entry.note, width // 2))
        return " ".join(part for part in parts if part)
    if isinstance(entry, Checkin):
        parts = [f"{name} {value}" for name, value in entry.ratings().items()]
        if entry.sleep_hours is not None:
            parts.append(f"slept {entry.sleep_hours:g} h")
        if entry.tags:
            parts.append(" ".join(f"#{tag}" for tag in entry.tags))
        if entry.note:  # a note is what `list | grep` looks for
            parts.append(_shortened(entry.note, width // 2))
        return " · ".join(parts)
    if isinstance(entry, JournalEntry):
        text = _shortened(entry.text, width)
        return text + ("  " + " ".join(f"#{tag}" for tag in entry.tags) if entry.tags else "")
    if isinstance(entry, Survey):
        from ketalog.instruments import INSTRUMENTS, display_name

        instrument = INSTRUMENTS.get(entry.instrument)
        if entry.total is None:
            text = (
                f"{display_name(entry.instrument)} incomplete (items {', '.join(map(str, entry.skipped))} not answered)"
            )
        else:
            text = f"{display_name(entry.instrument)} {entry.total}"
            if instrument:
                text += f"/{instrument.max_total}"
            if entry.prorated:
                text += " prorated"
        if entry.band:
            text += f" {entry.band}"
        if entry.logged:
            text += " (total given by clinician)"
        if entry.safety_positive and instrument:
            text += f" · item {instrument.safety_item} answered {entry.safety_answer}"
        elif entry.safety_unanswered and instrument:
            text += f" · item {instrument.safety_item} not answered"
        return text
    if isinstance(entry, MedicationEvent):
        verb = {"start": "started", "change": "changed", "stop": "stopped", "took": "took"}[entry.event]
        return " ".join(
            part for part in (verb, entry.name, entry.dose, entry.schedule and f"({entry.schedule})") if part
        )
    if isinstance(entry, Visit):
        return "appointment" + (": " + " ".join(entry.note.split()) if entry.note else "")
    if isinstance(entry, Lab):
        return lab_text(entry) + (" · " + _shortened(entry.note, width // 2) if entry.note else "")
    if isinstance(entry, Followup):
        return "follow-up: " + followup_text(entry)
    return ""


def lab_text(lab: Lab) -> str:
    """'ALT 62 U/L (range 7-56, outside the range your lab printed)'."""
    text = f"{lab.name} {lab.value:g} {lab.unit}"
    if lab.range_low is not None and lab.range_high is not None:
        text += f" (range {lab.range_low:g}-{lab.range_high:g}"
        text += ", outside the range your lab printed)" if lab.outside_range else ")"
    return text


def followup_text(entry: Followup) -> str:
    """The answers given, by their short names ('Night voids 2 · Urgency 3 · Memory no'); skipped ones left out."""
    from ketalog.followup import QUESTIONS

    parts = [
        f"{q.short} {getattr(entry, q.column)}" for q in QUESTIONS if q.short and getattr(entry, q.column) is not None
    ]
    return " · ".join(parts) or "nothing answered"


def details(entry: Entry) -> list[tuple[str, str]]:
    """Every stored field with a value, as (label, text) pairs, for ``show``."""
    rows = [("kind", entry.kind), ("when", _local_with_offset(entry.at))]
    skip = {
        "id",
        "at",
        "created_at",
        "updated_at",
        "dose_amount",
        "dose_unit",
        "bp_before_sys",
        "bp_before_dia",
        "bp_after_sys",
        "bp_after_dia",
    }
    if isinstance(entry, Session):
        from ketalog.session_record import vitals_text

        skip |= {"doses", "vitals", "heart_rate", "ready_after_min"}
        rows.append(("session", f"{entry.number} of the course"))
        timed = [
            ("dose", entry.dose),
            ("blood pressure", vitals_text(entry.vitals, "bp")),
            ("heart rate", vitals_text(entry.vitals, "hr")),
            ("SpO2", vitals_text(entry.vitals, "spo2")),
            ("ready to leave", f"after {entry.ready_after_min} min" if entry.ready_after_min is not None else ""),
        ]
        if not entry.vitals:  # a session stored before timed readings (schema 14) that has none
            timed += [("bp before", entry.bp_before), ("bp after", entry.bp_after)]
        rows += [(label, value) for label, value in timed if value]
    for name in entry.__dataclass_fields__:
        value = getattr(entry, name)
        if name in skip or name == "number" or value is None or value == []:
            continue
        if isinstance(value, bool) or name == "therapy":
            value = "yes" if value else "no"
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, float):
            value = f"{value:g}"
        rows.append((name.replace("_", " "), str(value)))
    # bookkeeping last, in the entry's own local time like everything else it shows
    rows += [
        ("id", entry.id),
        ("created", _local_stamp(entry.created_at, entry.at)),
        ("updated", _local_stamp(entry.updated_at, entry.at)),
    ]
    return rows


def _local_with_offset(moment) -> str:
    offset = moment.strftime("%z")
    return f"{format_local(moment)} (UTC{offset[:3]}:{offset[3:]})" if offset else format_local(moment)


def _local_stamp(stored: str, like) -> str:
    """A stored UTC stamp in the offset the entry was made at; as stored when it cannot be read."""
    from datetime import datetime

    try:
        return format_local(datetime.fromisoformat(stored).astimezone(like.tzinfo))
    except (ValueError, TypeError):
        return stored


def details_text(entry: Entry) -> str:
    rows = [(label, visible(value)) for label, value in details(entry)]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


_JSON_C1 = {code: f"\\u{code:04x}" for code in (*range(0x80, 0xA0), *BIDI_CONTROLS)}
_HAS_C1 = re.compile("[\x80-\x9f\u202a-\u202e\u2066-\u2069]")
# The C encoder: json's indent= falls back to pure Python, ~10 times slower on a lifetime of rows.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def to_json(data) -> str:
    """Indented JSON with one record per line: objects and lists are laid out two spaces deep, but a record
    (an object inside a list) or a list of plain values stays on one line, so a thousand sessions are a
    thousand lines that ``grep`` and ``diff`` can read, each written by the C encoder."""
    return _escape_c1(_layout(data, ""))


def json_line(record) -> str:
    """One record as ``to_json`` lays it out inside a list: on one line."""
    return _escape_c1(_COMPACT.encode(record))


def _escape_c1(text: str) -> str:
    # json escapes C0 controls itself; C1 ones (0x9b is a terminal's CSI) and bidi overrides are escaped
    # too, losslessly. Both lie above ASCII, so a long ASCII report is let through without a scan.
    return text if text.isascii() or not _HAS_C1.search(text) else text.translate(_JSON_C1)


def _layout(value, indent: str) -> str:
    if isinstance(value, dict) and value:
        inner = indent + "  "
        members = (f"{inner}{_COMPACT.encode(_key(key))}: {_layout(item, inner)}" for key, item in value.items())
        return "{\n" + ",\n".join(members) + "\n" + indent + "}"
    if isinstance(value, (list, tuple)) and any(isinstance(item, (dict, list, tuple)) for item in value):
        inner = indent + "  "
        lines = (inner + (_COMPACT.encode(item) if isinstance(item, dict) else _layout(item, inner)) for item in value)
        return "[\n" + ",\n".join(lines) + "\n" + indent + "]"
    return _COMPACT.encode(value)


def _key(key) -> str:
    # As json.dumps does: str keys as they are; numbers, true, false and null by their JSON text.
    return key if isinstance(key, str) else _COMPACT.encode(key)


def medicine_line(medicine) -> str:
    """One medicine as a line: name (class), dose, schedule, since when or when stopped, last as-needed dose."""
    from ketalog.medicines import label

    parts = [f"{medicine.name} ({label(medicine.klass)})"]
    parts += [part for part in (medicine.dose, medicine.schedule) if part]
    if medicine.active and medicine.started:
        parts.append(f"since {medicine.started:%Y-%m-%d}")
    elif medicine.stopped:
        parts.append(f"stopped {medicine.stopped:%Y-%m-%d}")
    if medicine.taken:
        doses = len(medicine.taken)
        parts.append(f"last taken {medicine.taken[-1]:%Y-%m-%d %H:%M} ({count_of(doses, 'dose')})")
    return visible(", ".join(parts))


def session_notes_text(notes: list) -> str:
    """Under `show` of a session: its linked notes, each dated, or how to add one."""
    if not notes:
        return '\nnotes       none linked (`ketalog journal --session ID "..."`)'
    lines = ["", "notes"]
    for note in notes:
        lines.append(f"  {when(note)} ({short_id(note.id)})")
        lines += [f"    {line}" for line in visible(note.text).splitlines()]
    return "\n".join(lines)
