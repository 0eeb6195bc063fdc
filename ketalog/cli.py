"""The ketalog command line: parse arguments, call the store, print the result.

No SQL and no analysis here. Module level imports only the standard library,
Typer and ketalog's light modules, so ``--help`` never loads SQLite or Rich;
each command imports what it needs. Every user-facing failure is a
``KetalogError``, turned into one line on stderr and an exit code by
``KetalogGroup.invoke`` -- the single exit point.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from ketalog import __version__
from ketalog import validation as valid
from ketalog.commands.common import (
    AnxietyOpt, AtOpt, BpAfterOpt, BpBeforeOpt, ClinicOpt, CostOpt, DissociationOpt, DoseOpt, DurationOpt,
    EnergyOpt, HeartRateOpt, IntentionOpt, JsonOpt, MoodOpt, MotivationOpt, NoInputOpt, NoteOpt, PainOpt,
    ProviderOpt, RATING_QUESTIONS, RouteOpt, SideEffectOpt, SinceOpt, SleepHoursOpt, SleepOpt, State, TagOpt,
    TherapyOpt, ThoughtsOpt, UntilOpt, ask, emit, interactive, state,
)
from ketalog.errors import Cancelled, InputError, KetalogError


class KetalogGroup(TyperGroup):
    """Maps ketalog's errors to one line on stderr and an exit code, for every command."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KetalogError as error:
            typer.echo(f"ketalog: error: {error.message}", err=True)
            raise typer.Exit(error.exit_code) from None
        except Exception as error:
            cipher = sys.modules.get("sqlcipher3")
            if not isinstance(error, sqlite3.DatabaseError) and not (cipher and isinstance(error, cipher.DatabaseError)):
                raise
            typer.echo(f"ketalog: error: the database could not be used: {error}. "
                       "Run `ketalog check`, or restore a backup.", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=KetalogGroup,
    help="Private self-tracking for ketamine therapy: log sessions, check-ins and notes; "
         "see what changed before your next appointment.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: `--help` must not pay for importing Rich
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


from ketalog.commands.survey import survey_app  # noqa: E402  (registers after app exists)

app.add_typer(survey_app, name="survey")

from ketalog.commands import report as report_commands  # noqa: E402

report_commands.register(app)

from ketalog.commands import data as data_commands  # noqa: E402

data_commands.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ketalog {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option(
        "--db", metavar="PATH", help="Database file. Default: $KETALOG_DB, else your data directory.")] = None,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Environment: KETALOG_DB (database path), KETALOG_NOW (ISO time used as "now"), NO_COLOR."""
    ctx.obj = State(db)


def session_values(*, route=None, dose=None, duration=None, clinic=None, provider=None,
                   dissociation=None, bp_before=None, bp_after=None, heart_rate=None,
                   cost=None, therapy=None, intention=None, note=None) -> dict:
    """Validated columns for the session options that were given (others left out)."""
    values: dict = {}
    if route is not None:
        values["route"] = valid.route(route)
    if dose is not None:
        values["dose_amount"], values["dose_unit"] = valid.dose(dose)
    if duration is not None:
        values["duration_min"] = valid.whole_number(duration, "--duration", *valid.DURATION_RANGE)
    if dissociation is not None:
        values["dissociation"] = valid.rating(dissociation, "--dissociation")
    for raw, field, prefix in ((bp_before, "--bp-before", "bp_before"), (bp_after, "--bp-after", "bp_after")):
        if raw is not None:
            values[f"{prefix}_sys"], values[f"{prefix}_dia"] = valid.blood_pressure(raw, field)
    if heart_rate is not None:
        values["heart_rate"] = valid.whole_number(heart_rate, "--heart-rate", *valid.HEART_RATE_RANGE)
    if cost is not None:
        values["cost"] = valid.number(cost, "--cost", 0)
    if therapy is not None:
        values["therapy"] = int(therapy)
    for name, raw in (("clinic", clinic), ("provider", provider), ("intention", intention), ("note", note)):
        if raw is not None:
            values[name] = raw
    return values


def checkin_values(ratings: dict[str, Optional[str]], sleep_hours: Optional[str], note: Optional[str]) -> dict:
    values = {name: valid.rating(raw, f"--{name}") for name, raw in ratings.items() if raw is not None}
    if sleep_hours is not None:
        values["sleep_hours"] = valid.number(sleep_hours, "--sleep-hours", *valid.SLEEP_HOURS_RANGE)
    if note is not None:
        values["note"] = note
    return values


def _session_form(previous) -> dict:
    """The after-session questions, each defaulting to the last session's protocol."""
    from ketalog.render.text import summary

    if previous is not None:
        typer.echo(f"Last session: {previous.at:%Y-%m-%d} {summary(previous)}. Enter keeps [defaults].")
    while True:
        route = ask("Route (iv/im/intranasal/oral/sublingual/other)", valid.route,
                    previous.route if previous else None)
        if route:
            break
        typer.echo("  the route is needed", err=True)
    raw: dict = {"route": route}
    fields = (
        ("dose", "Dose (e.g. 0.5mg/kg or 56mg)", valid.dose, previous.dose.replace(" ", "") if previous and previous.dose else None),
        ("duration", "Duration in minutes", lambda v: valid.whole_number(v, "duration", *valid.DURATION_RANGE),
         str(previous.duration_min) if previous and previous.duration_min else None),
        ("clinic", "Clinic", str, previous.clinic if previous else None),
        ("dissociation", "Dissociation 0-10 (Enter to skip)", lambda v: valid.rating(v, "dissociation"), None),
        ("bp_before", "Blood pressure before, SYS/DIA (Enter to skip)", lambda v: valid.blood_pressure(v, "blood pressure"), None),
        ("bp_after", "Blood pressure after, SYS/DIA (Enter to skip)", lambda v: valid.blood_pressure(v, "blood pressure"), None),
    )
    for name, label, parse, default in fields:
        answer = ask(label, lambda text, parse=parse: (parse(text), text.strip())[1], default)
        if answer is not None:
            raw[name] = answer
    effects = ask("Side effects, comma-separated (Enter for none)",
                  lambda text: valid.side_effects(text.split(",")))
    return {"values": raw, "side_effects": effects or []}


# Logging commands ------------------------------------------------------------

@app.command()
def add(
    ctx: typer.Context,
    at: AtOpt = None, route: RouteOpt = None, dose: DoseOpt = None, duration: DurationOpt = None,
    clinic: ClinicOpt = None, provider: ProviderOpt = None, dissociation: DissociationOpt = None,
    side_effect: SideEffectOpt = None, bp_before: BpBeforeOpt = None, bp_after: BpAfterOpt = None,
    heart_rate: HeartRateOpt = None, cost: CostOpt = None, therapy: TherapyOpt = None,
    intention: IntentionOpt = None, note: NoteOpt = None,
    as_json: JsonOpt = False, no_input: NoInputOpt = False,
) -> None:
    """Log a treatment session. Run bare in a terminal to be asked, defaulting to your last protocol."""
    from ketalog import store, timeparse

    moment = timeparse.parse_at(at)
    values = session_values(
        route=route, dose=dose, duration=duration, clinic=clinic, provider=provider,
        dissociation=dissociation, bp_before=bp_before, bp_after=bp_after, heart_rate=heart_rate,
        cost=cost, therapy=therapy, intention=intention, note=note)
    effects = valid.side_effects(side_effect)
    if route is None:
        if not interactive(no_input):
            raise InputError("--route", f"is required when not prompting; one of {', '.join(valid.ROUTES)}")
        with state(ctx).open(write=False) as db:
            previous = store.last_session(db)
        form = _session_form(previous)
        values = {**session_values(**form["values"]), **values}
        effects = effects or form["side_effects"]
    with state(ctx).open(write=True) as db:
        session = store.insert(db, "session", moment, values, effects)
    from ketalog.render.text import short_id, summary

    emit(session.to_json(), as_json,
         f"Session {session.number} logged ({short_id(session.id)}): "
         f"{session.at:%Y-%m-%d %H:%M} {summary(session).split(' ', 1)[1]}")


@app.command()
def checkin(
    ctx: typer.Context,
    mood: MoodOpt = None, anxiety: AnxietyOpt = None, pain: PainOpt = None, energy: EnergyOpt = None,
    motivation: MotivationOpt = None, sleep: SleepOpt = None, thoughts: ThoughtsOpt = None,
    sleep_hours: SleepHoursOpt = None, note: NoteOpt = None, at: AtOpt = None,
    as_json: JsonOpt = False, no_input: NoInputOpt = False,
) -> None:
    """Rate today 0-10: mood, anxiety, pain, energy, motivation, sleep, thought loops."""
    from ketalog import store, timeparse

    moment = timeparse.parse_at(at)
    given = {"mood": mood, "anxiety": anxiety, "pain": pain, "energy": energy,
             "motivation": motivation, "sleep": sleep, "thoughts": thoughts}
    values = checkin_values(given, sleep_hours, note)
    if not any(name in values for name in valid.RATING_NAMES):
        if not interactive(no_input):
            raise InputError("ratings", "give at least one: --mood, --anxiety, --pain, --energy, "
                                        "--motivation, --sleep or --thoughts, each 0-10")
        typer.echo("Rate each 0-10; Enter skips one.")
        for name, question in RATING_QUESTIONS.items():
            answer = ask(question, lambda text, name=name: valid.rating(text, name))
            if answer is not None:
                values[name] = answer
        if not any(name in values for name in valid.RATING_NAMES):
            raise Cancelled("no ratings given, nothing saved")
        if note is None:
            typed = ask("Note (Enter to skip)", str)
            if typed:
                values["note"] = typed
    with state(ctx).open(write=True) as db:
        entry = store.insert(db, "checkin", moment, values)
    from ketalog.render.text import short_id, summary

    emit(entry.to_json(), as_json, f"Check-in logged ({short_id(entry.id)}): {summary(entry)}")


def _text_from_editor() -> str:
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise InputError("TEXT", "give the text as an argument, on stdin, or set $EDITOR to write it there")
    handle, path = tempfile.mkstemp(prefix="ketalog-", suffix=".md")  # created 0600
    os.close(handle)
    try:
        status = subprocess.call([*shlex.split(editor), path])
        if status != 0:
            raise Cancelled(f"the editor exited with status {status}; nothing saved")
        with open(path, encoding="utf-8") as handle_:
            return handle_.read()
    finally:
        os.unlink(path)


@app.command()
def journal(
    ctx: typer.Context,
    text: Annotated[Optional[str], typer.Argument(help="The note. Else read from stdin, else opened in $EDITOR.")] = None,
    tag: TagOpt = None, at: AtOpt = None, as_json: JsonOpt = False,
) -> None:
    """Write a free-text reflection."""
    from ketalog import store, timeparse

    moment = timeparse.parse_at(at)
    tags = valid.tags(tag)
    if text is None:
        text = sys.stdin.read() if not sys.stdin.isatty() else _text_from_editor()
        text = text.rstrip("\n")  # the newline an editor or `echo` adds is not part of the note
    if not text.strip():
        raise InputError("TEXT", "the note is empty; nothing saved")
    with state(ctx).open(write=True) as db:
        entry = store.insert(db, "journal", moment, {"text": text}, tags)
    from ketalog.render.text import short_id

    emit(entry.to_json(), as_json, f"Journal note saved ({short_id(entry.id)}), {len(text)} characters.")


# Reading and changing entries ------------------------------------------------

KIND_NAMES = ("session", "checkin", "journal")


@app.command("list")
def list_entries(
    ctx: typer.Context,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", help="session, checkin or journal; repeatable.")] = None,
    since: SinceOpt = None, until: UntilOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="How many, newest first; 0 for all.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List entries, newest first."""
    from ketalog import store, timeparse

    kinds = [_kind_name(name) for name in kind] if kind else list(store.KINDS)
    start, end = timeparse.parse_since(since), timeparse.parse_until(until)
    with state(ctx).open(write=False) as db:
        entries = store.list_entries(db, kinds, start, end, limit or None)
    if as_json:
        emit([entry.to_json() for entry in entries], True, "")
        return
    if not entries:
        typer.echo("No entries yet." if not (since or until or kind) else "No entries match.")
        return
    from ketalog.render.terminal import console, entries_table

    console().print(entries_table(entries))


def _kind_name(raw: str) -> str:
    from ketalog import store

    name = raw.strip().lower().rstrip("s") if raw.strip().lower() != "sessions" else "session"
    if name not in store.KINDS:
        raise InputError("--kind", f"must be one of {', '.join(store.KINDS)} (got {raw!r})")
    return name


IdArg = Annotated[str, typer.Argument(metavar="ID", help="An entry id, or enough of its start to be unique.")]


@app.command()
def show(ctx: typer.Context, entry_id: IdArg, as_json: JsonOpt = False) -> None:
    """Show one entry in full."""
    from ketalog import store
    from ketalog.render.text import details_text

    with state(ctx).open(write=False) as db:
        entry = store.find(db, entry_id)
    emit(entry.to_json(), as_json, details_text(entry))


@app.command()
def edit(
    ctx: typer.Context, entry_id: IdArg,
    at: AtOpt = None, route: RouteOpt = None, dose: DoseOpt = None, duration: DurationOpt = None,
    clinic: ClinicOpt = None, provider: ProviderOpt = None, dissociation: DissociationOpt = None,
    side_effect: SideEffectOpt = None, bp_before: BpBeforeOpt = None, bp_after: BpAfterOpt = None,
    heart_rate: HeartRateOpt = None, cost: CostOpt = None, therapy: TherapyOpt = None,
    intention: IntentionOpt = None,
    mood: MoodOpt = None, anxiety: AnxietyOpt = None, pain: PainOpt = None, energy: EnergyOpt = None,
    motivation: MotivationOpt = None, sleep: SleepOpt = None, thoughts: ThoughtsOpt = None,
    sleep_hours: SleepHoursOpt = None, note: NoteOpt = None,
    text: Annotated[Optional[str], typer.Option("--text", help="New text of a journal note.")] = None,
    answers: Annotated[Optional[str], typer.Option("--answers", metavar="1,2,0,...", help="New item answers of a questionnaire.")] = None,
    difficulty: Annotated[Optional[str], typer.Option("--difficulty", metavar="0-3", help="A questionnaire's difficulty answer.")] = None,
    total: Annotated[Optional[str], typer.Option("--total", help="New total of a clinician-given score.")] = None,
    tag: Annotated[Optional[list[str]], typer.Option("--tag", metavar="NAME", help="Replaces a note's tags; repeatable.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change fields of an entry; give only the options of its kind. Side effects and tags are replaced."""
    from ketalog import store, timeparse

    options = locals()
    session_fields = ("route", "dose", "duration", "clinic", "provider", "dissociation", "bp_before",
                      "bp_after", "heart_rate", "cost", "therapy", "intention")
    per_kind = {
        "session": (*session_fields, "side_effect", "note"),
        "checkin": (*valid.RATING_NAMES, "sleep_hours", "note"),
        "journal": ("text", "tag"),
        "survey": ("answers", "difficulty", "total"),
    }
    given = {name for names in per_kind.values() for name in names if options[name] is not None}
    moment = timeparse.parse_at(at) if at is not None else None
    with state(ctx).open(write=True) as db:
        entry = store.find(db, entry_id)
        allowed = per_kind.get(entry.kind, ())
        wrong = sorted(given - set(allowed))
        if wrong:
            raise InputError("--" + wrong[0].replace("_", "-"), f"is not a field of a {entry.kind}; "
                             f"a {entry.kind} has --at, " + ", ".join("--" + n.replace("_", "-") for n in allowed))
        if not given and moment is None:
            raise InputError("options", "nothing to change; give the fields to change, e.g. --note or --at")
        children = None
        if entry.kind == "session":
            values = session_values(**{name: options[name] for name in session_fields}, note=note)
            children = valid.side_effects(side_effect) if side_effect is not None else None
        elif entry.kind == "checkin":
            values = checkin_values({name: options[name] for name in valid.RATING_NAMES}, sleep_hours, note)
        elif entry.kind == "journal":
            values = {}
            if text is not None:
                if not text.strip():
                    raise InputError("--text", "must not be empty")
                values["text"] = text
            children = valid.tags(tag) if tag is not None else None
        else:
            from ketalog.commands.survey import edited_survey_values

            values = edited_survey_values(entry, answers, difficulty, total, as_json)
        updated = store.update(db, entry, values, moment, children)
    from ketalog.render.text import short_id, summary

    emit(updated.to_json(), as_json, f"Updated {updated.kind} {short_id(updated.id)}: {summary(updated)}")


@app.command()
def delete(
    ctx: typer.Context, entry_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an entry (asks first)."""
    from ketalog import store
    from ketalog.render.text import short_id, summary, when

    with state(ctx).open(write=True) as db:
        entry = store.find(db, entry_id)
        description = f"{entry.kind} {short_id(entry.id)} from {when(entry)}: {summary(entry)}"
        if not yes:
            if not sys.stdin.isatty():
                raise InputError("--yes", "needed to delete without a terminal to confirm")
            if not typer.confirm(f"Delete {description}?", default=False):
                raise Cancelled("not deleted")
        store.delete(db, entry)
    typer.echo(f"Deleted {description}")


@app.command()
def info(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Where your data lives, its schema version and how many entries it holds."""
    from ketalog import db as database
    from ketalog import store

    current = state(ctx)
    path = current.path
    exists = path.exists()
    with current.open(write=False) as db:
        data = {
            "path": str(path),
            "exists": exists,
            "schema_version": database.schema_version(db) if exists else None,
            "latest_schema_version": database.latest_schema_version(),
            "size_bytes": path.stat().st_size if exists else 0,
            "mode": oct(path.stat().st_mode & 0o777) if exists else None,
            "counts": store.counts(db),
        }
    lines = [f"database        {path}" + ("" if exists else "  (not created yet: the first entry creates it)")]
    if exists:
        lines.append(f"schema version  {data['schema_version']} (this ketalog: {data['latest_schema_version']})")
        lines.append(f"size            {data['size_bytes']:,} bytes, mode {data['mode']}")
    lines += [f"{table:<15} {count}" for table, count in data["counts"].items()]
    emit(data, as_json, "\n".join(lines))


def main() -> None:
    app(prog_name="ketalog")
