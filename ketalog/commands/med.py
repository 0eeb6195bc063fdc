"""`ketalog med`: other medicines (started, dose changed, stopped, as-needed doses) for the clinician."""

from typing import Annotated, Optional

import typer

from ketalog import completion
from ketalog.commands.common import AtOpt, JsonOpt, NoteOpt, command_group, emit, state
from ketalog.errors import InputError

commands = command_group(
    "Other medicines: add, change, stop, took, list. Information for your clinician, never advice."
)
NameArg = Annotated[
    str,
    typer.Argument(
        metavar="NAME",
        help="The medicine, as you call it: sertraline, Xanax...",
        autocompletion=completion.medicine_names,
    ),
]
MedDoseOpt = Annotated[Optional[str], typer.Option("--dose", metavar="TEXT", help='As written: "50 mg", "0.5 mg".')]
ScheduleOpt = Annotated[
    Optional[str],
    typer.Option("--schedule", metavar="TEXT", help='"daily", "twice daily", "as needed" or your own words.'),
]


def _checked(name: str, dose: str | None, schedule: str | None, note: str | None) -> tuple:
    from ketalog import validation as valid

    return (
        valid.short_text(name, "NAME"),
        valid.short_text(dose, "--dose", 50),
        valid.short_text(schedule, "--schedule", 50),
        note if note is None or note.strip() else None,
    )


def _current(db, name: str):
    """The medicine's stored row and where it stands, or None when never recorded."""
    from ketalog import medicines, store

    row = store.medicine(db, medicines.key(name))
    if row is None:
        return None, None
    return row, medicines.standing([row], store.medication_events(db, keys=[row["key"]]))[0]


def _require_taken(db, name: str, hint: str) -> None:
    """`change` and `stop` act only on a medicine being taken now."""
    _, current = _current(db, name)
    if current is None or not current.active:
        raise InputError("NAME", f"{name} is not on your current list; {hint}")


def _done(event, as_json: bool, text: str) -> None:
    emit(event.to_json(), as_json, text)


@commands.command("add")
def med_add(
    ctx: typer.Context,
    name: NameArg,
    dose: MedDoseOpt = None,
    schedule: ScheduleOpt = None,
    start: Annotated[
        Optional[str], typer.Option("--start", metavar="WHEN", help="When you started. Default: now.")
    ] = None,
    klass: Annotated[
        Optional[str],
        typer.Option("--class", metavar="CLASS", help="benzodiazepine, SSRI, ... when the name is not known."),
    ] = None,
    note: NoteOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Start recording a medicine you take (again, after a stop).

    The class comes from the name (generic or common brand) unless --class says.

    Examples:
      ketalog med add sertraline --dose "100 mg" --schedule daily --start 2025-06-01
      ketalog med add lorazepam --dose "0.5 mg" --schedule "as needed"
    """
    from ketalog import medicines, store, timeparse

    name, dose, schedule, note = _checked(name, dose, schedule, note)
    moment = timeparse.parse_at(start, "--start")
    chosen = None
    if klass is not None:
        try:
            chosen = medicines.parse_class(klass)
        except ValueError as error:
            raise InputError("--class", str(error)) from None
    with state(ctx).open(write=True) as db:
        _, current = _current(db, name)
        if current is not None and current.active:
            raise InputError("NAME", f"{current.name} is already on your list; `ketalog med change {name} --dose ...`")
        event = store.record_medication(
            db, name, "start", moment, klass=chosen, dose=dose, schedule=schedule, note=note
        )
    _done(event, as_json, f"Added {event.name} ({medicines.label(event.med_class)}), from {event.at:%Y-%m-%d}.")


@commands.command("change")
def med_change(
    ctx: typer.Context,
    name: NameArg,
    dose: MedDoseOpt = None,
    schedule: ScheduleOpt = None,
    at: AtOpt = None,
    note: NoteOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A dated change of dose or schedule.

    Examples:
      ketalog med change sertraline --dose "150 mg" --at "2026-03-01"
    """
    from ketalog import store, timeparse

    name, dose, schedule, note = _checked(name, dose, schedule, note)
    if dose is None and schedule is None:
        raise InputError("--dose", "give the new --dose or --schedule")
    moment = timeparse.parse_at(at)
    with state(ctx).open(write=True) as db:
        _require_taken(db, name, f"`ketalog med add {name}` first")
        event = store.record_medication(db, name, "change", moment, dose=dose, schedule=schedule, note=note)
    _done(event, as_json, f"Changed {event.name}: {dose or schedule}, from {event.at:%Y-%m-%d}.")


@commands.command("stop")
def med_stop(
    ctx: typer.Context, name: NameArg, at: AtOpt = None, note: NoteOpt = None, as_json: JsonOpt = False
) -> None:
    """You stopped taking a medicine.

    Examples:
      ketalog med stop lorazepam --at yesterday
    """
    from ketalog import store, timeparse

    name, _, _, note = _checked(name, None, None, note)
    moment = timeparse.parse_at(at)
    with state(ctx).open(write=True) as db:
        _require_taken(db, name, "see `ketalog med list`")
        event = store.record_medication(db, name, "stop", moment, note=note)
    _done(event, as_json, f"Stopped {event.name} on {event.at:%Y-%m-%d}.")


@commands.command("took")
def med_took(
    ctx: typer.Context,
    name: NameArg,
    dose: MedDoseOpt = None,
    at: AtOpt = None,
    note: NoteOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """An as-needed dose (lorazepam before a session, say). A new name is recorded as "as needed".

    Examples:
      ketalog med took lorazepam --dose "0.5 mg" --at "today 08:30"
    """
    from ketalog import store, timeparse

    name, dose, _, note = _checked(name, dose, None, note)
    moment = timeparse.parse_at(at)
    with state(ctx).open(write=True) as db:
        row, _ = _current(db, name)
        schedule = "as needed" if row is None else None
        event = store.record_medication(db, name, "took", moment, dose=dose, schedule=schedule, note=note)
    _done(event, as_json, f"Took {event.name}{' ' + dose if dose else ''} at {event.at:%Y-%m-%d %H:%M}.")


@commands.command("list")
def med_list(
    ctx: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="Include medicines you have stopped.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Your medicines now: dose, schedule, since when; as-needed ones with their last dose.

    Examples:
      ketalog med list
      ketalog med list --all --json
    """
    from ketalog import medicines, store

    with state(ctx).open(write=False) as db:
        found = medicines.standing(store.medications(db), store.medication_events(db))
    shown = [m for m in found if show_all or m.active or m.as_needed]
    data = [
        {
            "name": m.name,
            "class": m.klass,
            "dose": m.dose,
            "schedule": m.schedule,
            "active": m.active,
            "started": m.started.isoformat(timespec="minutes") if m.started else None,
            "stopped": m.stopped.isoformat(timespec="minutes") if m.stopped else None,
            "last_taken": m.taken[-1].isoformat(timespec="minutes") if m.taken else None,
        }
        for m in shown
    ]
    from ketalog.render.text import medicine_line

    text = "\n".join(medicine_line(m) for m in shown) or (
        "No medicines recorded: `ketalog med add NAME --dose ...`." if not found else "No current medicines (--all)."
    )
    emit(data, as_json, text)
