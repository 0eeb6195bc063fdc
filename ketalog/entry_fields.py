"""Validated column values for new and changed entries, and which fields each kind of entry has.

Commands parse options and hand the raw text here; what comes back is ready for
the store. One table (``FIELDS``) says which options each kind of entry takes,
which columns each writes, and which can be cleared; `edit` and `--clear` both
read it. Nothing here prints: a new positive safety answer is returned as a
flag for the command to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ketalog import validation as valid
from ketalog.errors import InputError

CHILDREN = "children"  # the side effects or tags, stored in a child table

# kind -> option name (as `edit` spells it, underscores) -> the columns it writes
FIELDS: dict[str, dict[str, tuple[str, ...] | str]] = {
    "session": {
        "route": ("route",),
        "drug": ("drug",),
        "product": ("product",),
        "dose": ("doses",),
        "sprays": ("sprays",),
        "duration": ("duration_min",),
        "clinic": ("clinic",),
        "provider": ("provider",),
        "dissociation": ("dissociation",),
        "sedation": ("sedation",),
        "bp_before": ("vitals",),
        "bp_after": ("vitals",),
        "bp": ("vitals",),
        "heart_rate": ("vitals",),
        "spo2": ("vitals",),
        "observed": ("observed",),
        "ready_after": ("ready_after_min",),
        "lot": ("lot",),
        "mood_before": ("mood_before",),
        "mood_after": ("mood_after",),
        "cost": ("cost",),
        "therapy": ("therapy",),
        "intention": ("intention",),
        "new_course": ("new_course",),
        "side_effect": CHILDREN,
        "note": ("note",),
    },
    "checkin": {
        **{name: (name,) for name in valid.RATING_NAMES},
        "sleep_hours": ("sleep_hours",),
        "note": ("note",),
        "tag": CHILDREN,
    },
    "journal": {"text": ("text",), "tag": CHILDREN, "session": ("session_id",)},
    "medication": {"dose": ("dose",), "schedule": ("schedule",), "note": ("note",)},
    "visit": {"note": ("note",)},
    "lab": {"note": ("note",)},
    "followup": {},
    "survey": {
        "answers": ("answers", "total", "band", "prorated"),
        "difficulty": ("difficulty",),
        "total": ("total", "band"),
    },
}
REQUIRED = frozenset({"route", "text", "answers", "total", "new_course"})  # an entry without them means nothing
SESSION_OPTIONS = tuple(name for name, columns in FIELDS["session"].items() if columns != CHILDREN)


def clear_name(option: str) -> str:
    """How `--clear` names a field: dashes, and the plural for side effects and tags."""
    return {"side_effect": "side-effects", "tag": "tags"}.get(option, option.replace("_", "-"))


def clearable(kind: str) -> dict[str, str]:
    """`--clear` name -> option name, for the fields of ``kind`` that may be emptied."""
    return {clear_name(option): option for option in FIELDS.get(kind, {}) if option not in REQUIRED}


def session_values(
    *,
    route=None,
    dose=None,
    duration=None,
    clinic=None,
    provider=None,
    dissociation=None,
    bp_before=None,
    bp_after=None,
    bp=None,
    heart_rate=None,
    spo2=None,
    cost=None,
    therapy=None,
    intention=None,
    note=None,
    new_course=None,
    drug=None,
    product=None,
    sprays=None,
    sedation=None,
    observed=None,
    ready_after=None,
    lot=None,
    mood_before=None,
    mood_after=None,
    entry=None,
) -> dict:
    """Validated columns for the session options that were given (others left out). ``entry``: the session
    being edited, whose timed readings the new ones join (a reading at the same time is replaced)."""
    from ketalog import session_record as record

    values: dict = {}
    if new_course is not None:
        values["new_course"] = int(new_course)
    if route is not None:
        values["route"] = valid.route(route)
    if drug is not None:
        values["drug"] = valid.one_of(drug, record.DRUGS, "--drug")
    if dose:
        values["doses"] = record.parse_doses(list(dose))
    if sprays is not None:
        values["sprays"] = valid.whole_number(sprays, "--sprays", 1, record.MAX_SPRAYS)
        esketamine = values.get("drug", getattr(entry, "drug", None)) == "esketamine"
        if esketamine and not dose:  # Spravato: each device is 28 mg
            values["doses"] = [{"amount": float(record.SPRAY_MG * values["sprays"]), "unit": "mg", "at": 0}]
    if duration is not None:
        values["duration_min"] = valid.whole_number(duration, "--duration", *valid.DURATION_RANGE)
    for name, raw in (
        ("dissociation", dissociation),
        ("sedation", sedation),
        ("mood_before", mood_before),
        ("mood_after", mood_after),
    ):
        if raw is not None:
            values[name] = valid.rating(raw, "--" + name.replace("_", "-"))
    readings = record.parse_bp([f"{bp_before}@pre"] if bp_before is not None else [], "--bp-before")
    readings += record.parse_bp([f"{bp_after}@end"] if bp_after is not None else [], "--bp-after")
    readings += record.parse_bp(list(bp or []))
    readings += record.parse_number_readings(list(heart_rate or []), "hr", "--heart-rate", *valid.HEART_RATE_RANGE)
    readings += record.parse_number_readings(list(spo2 or []), "spo2", "--spo2", *record.SPO2_RANGE)
    if readings:
        values["vitals"] = record.merge_vitals(list(getattr(entry, "vitals", None) or []), readings)
    if observed is not None:
        values["observed"] = record.observed(list(observed)) or None
    if ready_after is not None:
        values["ready_after_min"] = valid.whole_number(ready_after, "--ready-after", 0, record.MAX_OFFSET)
    if cost is not None:
        values["cost"] = valid.number(cost, "--cost", *valid.COST_RANGE)
    if therapy is not None:
        values["therapy"] = int(therapy)
    for name, raw in (
        ("clinic", clinic),
        ("provider", provider),
        ("intention", intention),
        ("note", note),
        ("product", product),
        ("lot", lot),
    ):
        if raw is not None:
            values[name] = raw
    return values


def checkin_values(ratings: dict[str, Optional[str]], sleep_hours: Optional[str], note: Optional[str]) -> dict:
    values: dict[str, object] = {
        name: valid.rating(raw, f"--{name}") for name, raw in ratings.items() if raw is not None
    }
    if sleep_hours is not None:
        values["sleep_hours"] = valid.number(sleep_hours, "--sleep-hours", *valid.SLEEP_HOURS_RANGE)
    if note is not None:
        values["note"] = note
    return values


def difficulty(raw: str | None, field: str = "--difficulty") -> int | None:
    """The unscored difficulty answer of PHQ-9 and GAD-7, 0-3."""
    if raw is None:
        return None
    return valid.whole_number(raw, field, 0, 3)


@dataclass
class SurveyEdit:
    values: dict
    safety_notice: bool  # new answers put the safety item above 0: the command shows the crisis resources


def edited_survey_values(
    entry, answers_text: str | None, difficulty_text: str | None, total_text: str | None
) -> SurveyEdit:
    """Validated changes to a stored questionnaire; new answers are re-scored (and item 9 re-checked)."""
    from ketalog import instruments as inst

    instrument = inst.INSTRUMENTS.get(entry.instrument)
    values: dict = {}
    notice = False
    if answers_text is not None:
        if entry.logged or instrument is None:
            raise InputError("--answers", "this score was logged as a total only; change it with --total")
        answers = inst.parse_answers(instrument, answers_text)
        result = inst.score(instrument, answers)
        notice = result.safety_positive
        values.update(answers=answers, total=result.total, band=result.band, prorated=int(result.prorated))
    if total_text is not None:
        if not entry.logged:
            raise InputError("--total", "this questionnaire's total comes from its answers; change --answers")
        result = inst.score_total(entry.instrument, valid.whole_number(total_text, "--total", 0, 10_000))
        values.update(total=result.total, band=result.band)
    if difficulty_text is not None:
        if instrument is None or not instrument.asks_difficulty or entry.logged:
            raise InputError("--difficulty", "only PHQ-9 and GAD-7 answers have a difficulty question")
        values["difficulty"] = difficulty(difficulty_text)
    return SurveyEdit(values, notice)


_TIMED = {"dose": None, "bp": "bp", "heart-rate": "hr", "spo2": "spo2"}  # --clear NAME@TIME: what it removes


def _clear_point(entry, name: str, raw: str):
    """'dose@10', 'bp@40', 'bp@end' -> (name, point); a plain name -> (name, everything)."""
    if "@" not in name:
        return name, "all"
    from ketalog import session_record as record

    base, point = record.split_point(name, "--clear", default=None)
    if entry.kind != "session" or base not in _TIMED:
        raise InputError("--clear", f"only a session's dose, bp, heart-rate and spo2 take @TIME (got {raw!r})")
    return base, point


def _cleared_readings(entry, values: dict, option: str, point) -> dict:
    """A session's doses or readings with the cleared ones left out (all of a kind, or the one at a time)."""
    if option == "dose":
        doses = values.get("doses", entry.doses)
        kept = [] if point == "all" else [d for d in doses if d["at"] != point]
        if point != "all" and len(kept) == len(doses):
            raise InputError("--clear", f"this session has no dose at {point} minutes")
        return {"doses": kept or None}
    what, at = {"bp_before": ("bp", 0), "bp_after": ("bp", "end")}.get(
        option, (_TIMED.get(option.replace("_", "-")), point)
    )
    vitals = values.get("vitals", entry.vitals)
    kept = [r for r in vitals if not (r["what"] == what and (at == "all" or r["at"] == at))]
    if len(kept) == len(vitals):
        raise InputError("--clear", f"this session has no such {option.replace('_', '-')} reading")
    return {"vitals": kept or None}


@dataclass
class Edit:
    values: dict  # the columns to write
    children: list[str] | None  # side effects or tags to replace them with; None leaves them
    safety_notice: bool = False  # new answers put the safety item above 0: the command shows the crisis resources


def edited(entry, options: dict, *, force: bool, find_session) -> Edit:
    """The validated change `edit` asks of ``entry``: ``options`` are its parsed options by name, only those
    of the entry's kind given (the command has checked). ``find_session(text)`` resolves `--session`."""
    kind = entry.kind
    if kind == "session":
        values = session_values(**{name: options[name] for name in SESSION_OPTIONS}, entry=entry)
        if "route" in values or "doses" in values:  # the pair as it will be stored
            from ketalog.session_record import total_dose

            stored = entry.to_json()
            valid.plausible_dose(
                values.get("route", stored["route"]),
                *total_dose(values["doses"] if "doses" in values else stored["doses"]),
                force,
                "--dose" if "doses" in values else "--route",
            )
        effects = options["side_effect"]
        return Edit(values, valid.side_effects(effects) if effects is not None else None)
    tags = valid.tags(options["tag"]) if options["tag"] is not None else None
    if kind == "checkin":
        ratings = {name: options[name] for name in valid.RATING_NAMES}
        return Edit(checkin_values(ratings, options["sleep_hours"], options["note"]), tags)
    if kind == "journal":
        values = {}
        if options["text"] is not None:
            if not options["text"].strip():
                raise InputError("--text", "must not be empty")
            values["text"] = options["text"]
        if options["session"] is not None:
            values["session_id"] = find_session(options["session"]).id
        return Edit(values, tags)
    if kind in ("visit", "lab"):
        return Edit({"note": options["note"]} if options["note"] is not None else {}, None)
    if kind == "followup":  # its answers are a dated record: move it, or delete and answer again
        return Edit({}, None)
    if kind == "medication":
        dose = options["dose"]
        if dose is not None and len(dose) > 1:
            raise InputError("--dose", "a medicine event has one dose; give --dose once")
        single = {"dose": dose[0] if dose else None, "schedule": options["schedule"]}
        values = {name: valid.short_text(raw, "--" + name, 50) for name, raw in single.items() if raw is not None}
        if options["note"] is not None:
            values["note"] = options["note"]
        return Edit(values, None)
    change = edited_survey_values(entry, options["answers"], options["difficulty"], options["total"])
    return Edit(change.values, None, change.safety_notice)


def apply_clears(entry, clear: list[str], values: dict, children, given: set[str]):
    """Set the named fields to empty; a field cannot be both set and cleared, and a check-in keeps a rating."""
    names = clearable(entry.kind)
    for raw in clear:
        name = raw.strip().lower().lstrip("-").replace("_", "-")
        name = {"side-effect": "side-effects", "tag": "tags"}.get(name, name)
        name, point = _clear_point(entry, name, raw)
        if name not in names:
            raise InputError("--clear", f"a {entry.kind} can clear {', '.join(names) or 'nothing'} (got {raw!r})")
        option = names[name]
        if option in given and point == "all":  # clearing one timed reading beside new ones is fine
            raise InputError("--clear", f"{name} is both set and cleared; choose one")
        columns = FIELDS[entry.kind][option]
        if columns == CHILDREN:
            children = []
        elif entry.kind == "session" and columns in (("doses",), ("vitals",)):
            values.update(_cleared_readings(entry, values, option, point))
        else:
            values.update({column: None for column in columns})
    if entry.kind == "checkin":
        kept = {n for n in valid.RATING_NAMES if values.get(n, getattr(entry, n)) is not None}
        if not kept:
            raise InputError("--clear", "a check-in keeps at least one rating")
    return values, children
