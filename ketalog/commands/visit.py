"""`ketalog visit`: appointments with your prescriber or therapist, so a report can start "since my last visit"."""

import typer

from ketalog.commands.common import AtOpt, JsonOpt, NoteOpt, command_group, emit, state

commands = command_group("Appointments: record one; `report --since last-visit` starts there.")


@commands.command("add")
def visit_add(ctx: typer.Context, at: AtOpt = None, note: NoteOpt = None, as_json: JsonOpt = False) -> None:
    """Record an appointment (default: now). `show`, `edit ID --at/--note` and `delete` work on it as on any entry.

    Examples:
      ketalog visit add
      ketalog visit add --at "2026-03-04 15:00" --note "Dr Lee: continue weekly boosters"
      ketalog report --since last-visit
    """
    from ketalog import store, timeparse

    moment = timeparse.parse_at(at)
    values = {"note": note} if note and note.strip() else {}
    with state(ctx).open(write=True) as db:
        visit = store.insert(db, "visit", moment, values)
    from ketalog.render.text import short_id, when

    emit(visit.to_json(), as_json, f"Visit recorded ({short_id(visit.id)}): {when(visit)}.")


@commands.command("list")
def visit_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Your appointments, newest first.

    Examples:
      ketalog visit list
      ketalog visit list --json
    """
    from ketalog import store

    with state(ctx).open(write=False) as db:
        visits, _ = store.list_entries(db, ["visit"], None, None, None)
    from ketalog.render.text import short_id, summary, when

    text = "\n".join(f"{short_id(v.id)}  {when(v)}  {summary(v)}" for v in visits)
    emit([v.to_json() for v in visits], as_json, text or "No visits recorded: `ketalog visit add --at WHEN`.")
