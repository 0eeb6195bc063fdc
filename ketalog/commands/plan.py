"""`ketalog plan`: the sessions booked ahead, laid out from a template or one by one, planned vs done."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from ketalog import completion
from ketalog.commands.common import JsonOpt, NoteOpt, command_group, emit, say, state
from ketalog.errors import InputError

commands = command_group("The treatment plan: sessions booked ahead, planned vs done.")

DayArg = Annotated[
    str,
    typer.Argument(
        metavar="DATE", help="A day: 2026-03-04, monday, march 4 (a weekday or a date without a year is the next one)."
    ),
]


def _day(text: str, field: str) -> str:
    from ketalog import timeparse

    return timeparse.plan_day(text, field).isoformat()  # plans look ahead


@commands.command("set")
def plan_set(
    ctx: typer.Context,
    template: Annotated[
        str,
        typer.Option(
            "--template",
            metavar="NAME",
            help="iv-induction, esketamine or custom.",
            autocompletion=completion.templates,
        ),
    ],
    start: Annotated[str, typer.Option("--start", metavar="DATE", help="The first day the plan may use.")],
    days: Annotated[
        Optional[str], typer.Option("--days", metavar="mon,wed,fri", help="Weekdays of the sessions.")
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=52, metavar="N", help="custom: how many weeks.")] = 4,
    as_json: JsonOpt = False,
) -> None:
    """Lay out a plan from a template, replacing the current one.

    iv-induction: 6 sessions on the chosen weekdays (default mon,wed,fri), over 2-3 weeks.
    esketamine: twice weekly in weeks 1-4 (default mon,thu), weekly in weeks 5-8, then weekly to week 12.
    custom: the chosen weekdays for --weeks weeks.

    Examples:
      ketalog plan set --template iv-induction --start 2026-03-02
      ketalog plan set --template esketamine --start monday --days tue,fri
    """
    from datetime import date

    from ketalog import store
    from ketalog.courses import TEMPLATES, lay_out, parse_days

    if template not in TEMPLATES:
        raise InputError("--template", f"must be one of {', '.join(TEMPLATES)} (got {template!r})")
    try:
        weekdays = parse_days(days, TEMPLATES[template]["days"])
    except ValueError as error:
        raise InputError("--days", f"weekdays like mon,wed,fri (got {error.args[0]!r})") from None
    planned_days = [
        d.isoformat() for d in lay_out(template, date.fromisoformat(_day(start, "--start")), weekdays, weeks)
    ]
    with state(ctx).open(write=True) as db:
        store.plan_days(db, planned_days, replace=True)
        rows = store.planned(db)
    from ketalog.render.text import count_of

    span = f"{planned_days[0]} to {planned_days[-1]}" if len(planned_days) > 1 else planned_days[0]
    emit(rows, as_json, f"Planned {count_of(len(planned_days), 'session')} ({template}), {span}.")


@commands.command("add")
def plan_add(ctx: typer.Context, day: DayArg, note: NoteOpt = None) -> None:
    """Add one planned session (an appointment).

    Examples:
      ketalog plan add 2026-03-12
      ketalog plan add friday --note 'booster'
    """
    from ketalog import store

    planned_day = _day(day, "DATE")
    with state(ctx).open(write=True) as db:
        added = store.plan_days(db, [planned_day], note)
    say(f"Planned a session on {planned_day}." if added else f"{planned_day} was already planned.")


@commands.command("move")
def plan_move(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(metavar="OLD", help="The planned day to move.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="Its new day.")],
) -> None:
    """Move a planned session to another day.

    Examples:
      ketalog plan move 2026-03-12 2026-03-13
    """
    from ketalog import store

    old_day, new_day = _day(old, "OLD"), _day(new, "NEW")
    with state(ctx).open(write=True) as db:
        if not store.move_planned(db, old_day, new_day):
            raise InputError("OLD", f"no session is planned on {old_day}; see `ketalog plan show`")
    say(f"Moved the session planned on {old_day} to {new_day}.")


@commands.command("remove")
def plan_remove(ctx: typer.Context, day: DayArg) -> None:
    """Remove one planned session.

    Examples:
      ketalog plan remove 2026-03-12
    """
    from ketalog import store

    planned_day = _day(day, "DATE")
    with state(ctx).open(write=True) as db:
        if not store.remove_planned(db, planned_day):
            raise InputError("DATE", f"no session is planned on {planned_day}; see `ketalog plan show`")
    say(f"Removed the session planned on {planned_day}.")


@commands.command("clear")
def plan_clear(ctx: typer.Context) -> None:
    """Remove the whole plan (logged sessions are not touched).

    Examples:
      ketalog plan clear
    """
    from ketalog import store
    from ketalog.render.text import count_of

    with state(ctx).open(write=True) as db:
        removed = store.remove_planned(db, None)
    say(f"Removed {count_of(removed, 'planned session')}.")


@commands.command("show")
def plan_show(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Planned sessions, oldest first: done (a session was logged that day), missed, or still ahead.

    Examples:
      ketalog plan show
      ketalog plan show --json
    """
    from ketalog import store, timeparse

    today = timeparse.now().date().isoformat()
    with state(ctx).open(write=False) as db:
        rows = store.planned(db)
    for row in rows:
        row["status"] = "done" if row["done"] else "ahead" if row["local_date"] >= today else "not logged"
    if not rows:
        emit(rows, as_json, "No plan yet: `ketalog plan set --template iv-induction --start DATE`.")
        return
    from datetime import date

    lines = [
        f"{date.fromisoformat(row['local_date']):%a} {row['local_date']}  {row['status']}"
        + (f"  {row['note']}" if row["note"] else "")
        for row in rows
    ]
    done = sum(row["done"] for row in rows)
    emit(rows, as_json, "\n".join(lines + [f"{done} of {len(rows)} planned sessions done."]))


@commands.command("export")
def plan_export(
    ctx: typer.Context,
    ics: Annotated[
        Path, typer.Option("--ics", metavar="FILE", help="Write an iCalendar (.ics) file here (mode 0600).")
    ],
) -> None:
    """Write the planned sessions as an iCalendar file for any calendar app.

    Each session is an all-day event with a reminder not to drive until the next day. Event ids
    are stable, so importing a newer export updates your calendar instead of duplicating it.

    Examples:
      ketalog plan export --ics sessions.ics
    """
    from ketalog import store, timeparse
    from ketalog.db import companion_files
    from ketalog.files import private_output
    from ketalog.render.calendar import plan_calendar
    from ketalog.render.text import count_of

    with state(ctx).open(write=False) as db:
        rows = store.planned(db)
    if not rows:
        raise InputError("plan", "nothing is planned yet: `ketalog plan set` or `ketalog plan add` first")
    with private_output(ics, binary=True, field="--ics", protected=companion_files(state(ctx).path)) as handle:
        handle.write(plan_calendar(rows, timeparse.now()))
    say(f"Wrote {count_of(len(rows), 'planned session')} to {ics}.")
