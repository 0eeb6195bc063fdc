"""`list`, `show`, `edit`, `delete` and `info`: reading and changing what is stored."""

import sys
from typing import Annotated, Any, Optional

import typer

from ketalog import completion
from ketalog.commands.common import (
    AnxietyOpt,
    BpAfterOpt,
    BpBeforeOpt,
    BpOpt,
    ClinicOpt,
    CostOpt,
    CsvOpt,
    DissociationOpt,
    DoseOpt,
    DrugOpt,
    DurationOpt,
    EnergyOpt,
    ForceOpt,
    HeartRateOpt,
    IntentionOpt,
    JsonOpt,
    LotOpt,
    MoodAfterOpt,
    MoodBeforeOpt,
    MoodOpt,
    MotivationOpt,
    NewAtOpt,
    NoteOpt,
    ObservedOpt,
    PainOpt,
    ProductOpt,
    ProviderOpt,
    ReadyAfterOpt,
    RouteOpt,
    SedationOpt,
    SideEffectOpt,
    SinceOpt,
    SleepHoursOpt,
    SleepOpt,
    Spo2Opt,
    SpraysOpt,
    TherapyOpt,
    ThoughtsOpt,
    TsvOpt,
    UntilOpt,
    announce_safety,
    confirm,
    emit,
    emit_rows,
    one_of,
    period,
    say,
    say_bp_notice,
    session_for,
    state,
)
from ketalog.errors import Declined, InputError


def list_entries(
    ctx: typer.Context,
    kind: Annotated[
        Optional[list[str]],
        typer.Option(
            "--kind",
            metavar="KIND",
            help="session, checkin, journal, survey, medication, visit, followup or lab; repeatable.",
            autocompletion=completion.kinds,
        ),
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, metavar="N", help="How many, newest first; 0 for all.")
    ] = 20,
    tag: Annotated[
        Optional[str], typer.Option("--tag", metavar="TAG", help="Only check-ins and notes with this tag.")
    ] = None,
    search: Annotated[
        Optional[str],
        typer.Option(
            "--search",
            metavar="WORDS",
            help="Only entries whose text holds every word: notes, journal, intentions (case-insensitive).",
        ),
    ] = None,
    as_json: JsonOpt = False,
    csv: CsvOpt = False,
    tsv: TsvOpt = False,
) -> None:
    """List entries, newest first.

    Examples:
      ketalog list
      ketalog list --kind session --since 2026-01-01
      ketalog list --tag work -n 5
      ketalog list --search "booster timing"
      ketalog list --limit 0 --tsv | grep nausea
    """
    from ketalog import store

    one_of(json=as_json, csv=csv, tsv=tsv)
    kinds = [_kind_name(name) for name in kind] if kind else list(store.KINDS)
    words = search.split() if search else []
    if search is not None and not words:
        raise InputError("--search", "give at least one word")
    if tag is not None and not tag.strip():
        raise InputError("--tag", "must not be empty")
    start, end = period(state(ctx), since, until)
    with state(ctx).open(write=False) as db:
        entries, total = store.list_entries(db, kinds, start, end, limit or None, tag, words)
    if as_json:
        emit([entry.to_json() for entry in entries], True, "")
        return
    if csv or tsv:
        from ketalog.render.text import summary

        rows = ((entry.id, entry.at.isoformat(), entry.kind, summary(entry)) for entry in entries)
        emit_rows(("id", "at", "kind", "details"), rows, csv, tsv)
        return
    if not entries:
        say("No entries yet." if not (since or until or kind or tag or search) else "No entries match.")
        return
    from ketalog.render.terminal import entries_table, print_table

    print_table(entries_table(entries))
    if total > len(entries):
        say(f"{len(entries)} of {total}, newest first: `-n 0` lists them all.", err=True)


def _kind_name(raw: str) -> str:
    from ketalog import store

    name = raw.strip().lower().rstrip("s") if raw.strip().lower() != "sessions" else "session"
    if name not in store.KINDS:
        raise InputError("--kind", f"must be one of {', '.join(store.KINDS)} (got {raw!r})")
    return name


IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID", help="An entry id, or enough of its start to be unique.", autocompletion=completion.entry_ids
    ),
]


def show(ctx: typer.Context, entry_id: IdArg, as_json: JsonOpt = False) -> None:
    """Show one entry in full.

    Examples:
      ketalog show 3f2a
      ketalog show 3f2a --json
    """
    from ketalog import store
    from ketalog.render.text import details_text

    with state(ctx).open(write=False) as db:
        entry = store.find(db, entry_id)
        notes = store.session_notes(db, entry.id) if entry.kind == "session" else []
    data = entry.to_json()
    text = details_text(entry)
    if entry.kind == "session":
        from ketalog.render.text import session_notes_text

        data["notes"] = [note.to_json() for note in notes]
        text += session_notes_text(notes)
    emit(data, as_json, text)


def edit(
    ctx: typer.Context,
    entry_id: IdArg,
    at: NewAtOpt = None,
    route: RouteOpt = None,
    dose: DoseOpt = None,
    duration: DurationOpt = None,
    clinic: ClinicOpt = None,
    provider: ProviderOpt = None,
    dissociation: DissociationOpt = None,
    side_effect: SideEffectOpt = None,
    bp_before: BpBeforeOpt = None,
    bp_after: BpAfterOpt = None,
    heart_rate: HeartRateOpt = None,
    drug: DrugOpt = None,
    product: ProductOpt = None,
    sprays: SpraysOpt = None,
    bp: BpOpt = None,
    spo2: Spo2Opt = None,
    sedation: SedationOpt = None,
    observed: ObservedOpt = None,
    ready_after: ReadyAfterOpt = None,
    lot: LotOpt = None,
    mood_before: MoodBeforeOpt = None,
    mood_after: MoodAfterOpt = None,
    cost: CostOpt = None,
    therapy: TherapyOpt = None,
    intention: IntentionOpt = None,
    new_course: Annotated[
        Optional[bool],
        typer.Option("--new-course/--same-course", help="A session: does it start a new treatment course?"),
    ] = None,
    mood: MoodOpt = None,
    anxiety: AnxietyOpt = None,
    pain: PainOpt = None,
    energy: EnergyOpt = None,
    motivation: MotivationOpt = None,
    sleep: SleepOpt = None,
    thoughts: ThoughtsOpt = None,
    sleep_hours: SleepHoursOpt = None,
    note: NoteOpt = None,
    text: Annotated[Optional[str], typer.Option("--text", metavar="TEXT", help="New text of a journal note.")] = None,
    schedule: Annotated[
        Optional[str], typer.Option("--schedule", metavar="TEXT", help="A medicine event's schedule.")
    ] = None,
    answers: Annotated[
        Optional[str], typer.Option("--answers", metavar="1,2,0,...", help="New item answers of a questionnaire.")
    ] = None,
    difficulty: Annotated[
        Optional[str], typer.Option("--difficulty", metavar="0-3", help="A questionnaire's difficulty answer.")
    ] = None,
    total: Annotated[
        Optional[str], typer.Option("--total", metavar="N", help="New total of a clinician-given score.")
    ] = None,
    tag: Annotated[
        Optional[list[str]],
        typer.Option("--tag", metavar="NAME", help="Replaces the tags of a note or check-in; repeatable."),
    ] = None,
    session: Annotated[
        Optional[str],
        typer.Option(
            "--session", metavar="ID|last", help="Link a note to this session (`--clear session` unlinks it)."
        ),
    ] = None,
    clear: Annotated[
        Optional[list[str]],
        typer.Option(
            "--clear",
            metavar="FIELD",
            help="Empty a field, e.g. --clear bp-after, --clear tags; repeatable.",
            autocompletion=completion.clear_fields,
        ),
    ] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Change fields of an entry. Give only the options of its kind; side effects and tags are replaced.

    Examples:
      ketalog edit 3f2a --dose 0.6mg/kg
      ketalog edit 3f2a --at 'yesterday 10:00' --side-effect nausea
    """
    from ketalog import entry_fields, store, timeparse

    # Every option by its Python name, as the function receives it: Click keeps a repeatable option that
    # was not given as (), where Typer passes None.
    options = {name: (list(value) or None) if isinstance(value, tuple) else value for name, value in ctx.params.items()}
    given = {name for fields in entry_fields.FIELDS.values() for name in fields if options[name] is not None}
    moment = timeparse.parse_at(at) if at is not None else None
    with state(ctx).open(write=True) as db:
        entry = store.find(db, entry_id)
        allowed = tuple(entry_fields.FIELDS.get(entry.kind, ()))
        wrong = sorted(given - set(allowed))
        if wrong:
            raise InputError(
                "--" + wrong[0].replace("_", "-"),
                f"is not a field of a {entry.kind}; "
                f"a {entry.kind} has --at, " + ", ".join("--" + n.replace("_", "-") for n in allowed),
            )
        if not given and moment is None and not clear:
            raise InputError("options", "nothing to change; give the fields to change, e.g. --note or --at")
        change = entry_fields.edited(entry, options, force=force, find_session=lambda wanted: session_for(db, wanted))
        if change.safety_notice:
            announce_safety(as_json)
        values, children = change.values, change.children
        if clear:
            values, children = entry_fields.apply_clears(entry, clear, values, children, given)
        updated = store.update(db, entry, values, moment, children)
    from ketalog.render.text import short_id, summary

    emit(updated.to_json(), as_json, f"Updated {updated.kind} {short_id(updated.id)}: {summary(updated)}")
    if updated.kind == "session":
        say_bp_notice(updated, as_json)


def delete(
    ctx: typer.Context,
    entry_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an entry (asks first).

    Examples:
      ketalog delete 3f2a
      ketalog delete 3f2a --yes
    """
    from ketalog import store
    from ketalog.render.text import short_id, summary, when

    with state(ctx).open(write=True) as db:
        entry = store.find(db, entry_id)
        description = f"{entry.kind} {short_id(entry.id)} from {when(entry)}: {summary(entry)}"
        if not yes:
            if not sys.stdin.isatty():
                raise InputError("--yes", "needed to delete without a terminal to confirm")
            if not confirm(f"Delete {description}?"):
                raise Declined("Nothing deleted.")
        store.delete(db, entry)
    say(f"Deleted {description}")


def info(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Where your data lives, its schema version and entry counts.

    Examples:
      ketalog info
      ketalog --db ~/other.db info --json
    """
    from ketalog import db as database
    from ketalog import store

    current = state(ctx)
    path = current.path
    exists = path.exists()
    with current.open(write=False) as db:
        data: dict[str, Any] = {
            "path": str(path),
            "exists": exists,
            "schema_version": database.schema_version(db) if exists else None,
            "latest_schema_version": database.latest_schema_version(),
            "size_bytes": path.stat().st_size if exists else 0,
            "mode": f"{path.stat().st_mode & 0o777:04o}" if exists else None,
            "counts": store.counts(db),
        }
    rows = [("database", f"{path}" + ("" if exists else "  (not created yet: the first entry creates it)"))]
    if exists:
        rows.append(("schema version", f"{data['schema_version']} (this ketalog: {data['latest_schema_version']})"))
        rows.append(("size", f"{data['size_bytes']:,} bytes, mode {data['mode']}"))
    rows += [(table.replace("_", " "), f"{count:,}") for table, count in data["counts"].items()]
    width = max(len(label) for label, _ in rows)
    emit(data, as_json, "\n".join(f"{label:<{width}}  {value}" for label, value in rows))


COMMANDS = {"list": list_entries, "show": show, "edit": edit, "delete": delete, "info": info}
