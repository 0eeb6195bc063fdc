"""`export`, `import`, `backup`, `check`, `encrypt` and `decrypt`: keeping the record portable and safe."""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ketalog.commands.common import (
    JsonOpt,
    NoInputOpt,
    SinceOpt,
    UntilOpt,
    announce_safety,
    ask,
    emit,
    interactive,
    say,
    state,
)
from ketalog.errors import InputError, KetalogError
from ketalog.formats import registry


class ExportFormat(str, Enum):
    json = "json"
    csv = "csv"
    fhir = "fhir"


class BundleType(str, Enum):
    collection = "collection"
    transaction = "transaction"


# The --format choices are the registry's names, in its order (the registry is standard library only).
ImportFormat = Enum("ImportFormat", {name: name for name in registry.NAMES}, type=str)  # type: ignore[misc]


def _progress_reporter():
    """A Rich progress line on stderr for people at a terminal; silent for scripts."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import Progress

    from ketalog.formats.tables import EXPORTED_TABLES

    bar = Progress(console=Console(stderr=True), transient=True)
    task = bar.add_task("Exporting", total=len(EXPORTED_TABLES))

    def advance(table: str, rows: int) -> None:
        bar.update(task, advance=1, description=f"Exported {table} ({rows} rows)")

    return bar, advance


def _import_progress(rows: int, unit: str = "rows"):
    """A Rich progress bar on stderr for imports big enough to take a moment, on a terminal only."""
    if rows < (1000 if unit == "rows" else 32 * 2**20) or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    task = bar.add_task("Importing", total=rows)
    bar.start()

    def advance(done: int, total: int) -> None:
        shown = f"{done // 2**20:,} of {total // 2**20:,} MB" if unit == "bytes" else f"{done:,} of {total:,}"
        bar.update(task, completed=done, total=total, description=f"Importing ({shown})")

    return bar, advance


def export_command(
    ctx: typer.Context,
    output_format: Annotated[
        Optional[ExportFormat],
        typer.Option(
            "--format",
            "-f",
            help="json (lossless, one file), csv (one file per table) or fhir (a FHIR R4 Bundle for a health "
            "record). Default: fhir for -o NAME.fhir.json, else json.",
        ),
    ] = None,
    output: Annotated[
        Optional[Path],
        typer.Option(
            "--output", "-o", metavar="PATH", help="File (json, fhir), or a folder or .zip (csv). Default: stdout."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file without asking.")] = False,
    bundle: Annotated[
        BundleType,
        typer.Option("--bundle", help="fhir: collection (a file to read) or transaction (PUTs: re-posting updates)."),
    ] = BundleType.collection,
    since: SinceOpt = None,
    until: UntilOpt = None,
    private: Annotated[
        bool, typer.Option("--private", help="fhir: leave out notes, intentions and reflections.")
    ] = False,
) -> None:
    """Export every table: JSON (lossless), CSV, or FHIR R4. JSON moves between machines, CSV is for
    spreadsheets, FHIR R4 for a clinic's record system or a personal health record.

    An existing file is replaced only when you say so (asked in a terminal, else `--force`), as `backup`
    never overwrites one.

    Examples:
      ketalog export -o ketalog.json
      ketalog export --format csv -o tables.zip
      ketalog export -o diary.fhir.json --since 2026-01-01 --private
    """
    from ketalog import timeparse
    from ketalog.db import companion_files
    from ketalog.files import private_output
    from ketalog.formats.csv_export import write_csv_tables
    from ketalog.formats.ketalog_json import export_json_chunks

    fhir_name = output is not None and output.name.lower().endswith(".fhir.json")
    output_format = output_format or (ExportFormat.fhir if fhir_name else ExportFormat.json)
    if output_format != ExportFormat.fhir:
        given = [name for name, value in (("--since", since), ("--until", until), ("--private", private)) if value]
        given += ["--bundle"] if bundle != BundleType.collection else []
        if given:
            raise InputError(given[0], "only the FHIR export takes it (--format fhir); json and csv hold everything")

    target_file = output or (
        Path(f"ketalog-export-{timeparse.now():%Y-%m-%d}.zip") if output_format == ExportFormat.csv else None
    )
    protected = companion_files(state(ctx).path)
    if target_file is not None and not force and _replaces_a_file(target_file, protected):
        _may_replace(target_file)
    bar, advance = _progress_reporter()
    with state(ctx).open(write=False) as db:
        if bar:
            bar.start()
        try:
            if output_format == ExportFormat.fhir:
                text = _fhir_text(ctx, db, since, until, bundle.value, private)
                if output is None:
                    sys.stdout.write(text)
                else:
                    with private_output(output, protected=protected) as handle:
                        handle.write(text)
            elif output_format == ExportFormat.json:
                chunks = export_json_chunks(db, timeparse.stamp(), advance)
                if output is None:
                    for chunk in chunks:  # streamed: a lifetime's export never sits in memory
                        sys.stdout.write(chunk)
                    sys.stdout.write("\n")
                else:
                    with private_output(output, protected=protected) as handle:
                        handle.writelines(chunks)
                        handle.write("\n")
            else:
                target = output or Path(f"ketalog-export-{timeparse.now():%Y-%m-%d}.zip")
                names = write_csv_tables(db, target.expanduser(), advance, protected)
        finally:
            if bar:
                bar.stop()
    if output_format == ExportFormat.csv:
        say(f"Exported {len(names)} tables as CSV to {target}", err=True)
    elif output is not None:
        say(f"Exported to {output}", err=True)


def _fhir_text(ctx: typer.Context, db, since: str | None, until: str | None, kind: str, private: bool) -> str:
    """The FHIR Bundle of the period, as deterministic JSON text."""
    from ketalog import settings, store, timeparse
    from ketalog.commands.common import period
    from ketalog.formats.fhir import build_bundle
    from ketalog.render.text import to_json

    start, end = period(state(ctx), since, until)
    name = settings.current().get("name")

    def entries(kind_name: str) -> list:
        return store.list_entries(db, [kind_name], start, end)[0]

    bundle = build_bundle(
        sessions=entries("session"),
        surveys=entries("survey"),
        checkins=entries("checkin"),
        medication_events=store.medication_events(db, start, end),
        labs=entries("lab"),
        patient_name=str(name) if name else None,
        now=timeparse.now(),
        kind=kind,
        private=private,
    )
    return to_json(bundle)


def _replaces_a_file(path: Path, protected) -> bool:
    """An existing file (or a link to one) someone may want to keep; the database and its companions are
    refused by the output rules themselves, with their own words."""
    target = path.expanduser()
    if not (target.is_file() or target.is_symlink()):
        return False
    resolved = target.resolve()
    return not any(resolved == Path(p).expanduser().resolve() for p in protected)


def _may_replace(path: Path) -> None:
    """An existing file is replaced only on a yes at a terminal; elsewhere --force says so."""
    from ketalog.commands.common import confirm
    from ketalog.errors import Declined

    if not sys.stdin.isatty():
        raise InputError("--output", f"{path} already exists; --force replaces it")
    if not confirm(f"{path} already exists. Replace it?"):
        raise Declined("Nothing exported.")


def import_command(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help=f"{registry.what_ketalog_reads()[0].upper()}{registry.what_ketalog_reads()[1:]}.",
        ),
    ],
    input_format: Annotated[
        Optional[ImportFormat],
        typer.Option(
            "--format",
            "-f",
            help=f"{registry.choices_text()}; detected from the content when omitted.",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added; change nothing.")] = False,
    mood_map: Annotated[
        Optional[str],
        typer.Option(
            "--mood-map", metavar="LABEL=N,...", help='Daylio moods you renamed, on its 1-5 scale: "great=5,ok=3".'
        ),
    ] = None,
    no_input: NoInputOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Re-importing the same file adds nothing, and another machine's export merges.

    Examples:
      ketalog import daylio_export.csv --dry-run
      ketalog import emoods.db
      ketalog import ketalog.json
    """
    from ketalog.formats.apply import apply_plan, saved_mood_labels
    from ketalog.formats.detect import health_format, plan_import
    from ketalog.formats.plan import ParseOptions, UnknownMoods

    source = path.expanduser()
    chosen = input_format.value if input_format else None
    phone = health_format(source, chosen)
    if phone is not None:
        _import_health(ctx, source, phone, dry_run, as_json)
        return
    with state(ctx).open(write=False) as db:
        saved = saved_mood_labels(db)
    try:
        plan = plan_import(source, chosen, ParseOptions(mood_map, saved))
    except UnknownMoods as unknown:
        if not interactive(no_input):
            raise
        answers = _ask_mood_levels(unknown.labels)
        extra = ",".join(f"{label}={level}" for label, level in answers.items())
        plan = plan_import(source, chosen, ParseOptions(",".join(filter(None, [mood_map, extra])), saved))
    bar, advance = _import_progress(sum(len(rows) for rows in plan.tables.values()))
    try:
        with state(ctx).open(write=not dry_run) as db:
            result = apply_plan(db, plan, dry_run=dry_run, tick=advance, imported=True)
    finally:
        if bar:
            bar.stop()
    if result.safety_positive:
        announce_safety(as_json)
    from ketalog.render.imports import import_lines, result_data

    data = {
        "source": plan.source,
        "file": str(path),
        "dry_run": dry_run,
        **result_data(result),
        "warnings": plan.warnings,
        "mapping": plan.mapping,
        "skipped": plan.skipped,
    }
    lines = import_lines(result, plan, str(path), dry_run)
    emit(data, as_json, "\n".join(lines))


import_command.__doc__ = f"{registry.import_summary()} {import_command.__doc__}"


def _import_health(ctx: typer.Context, path: Path, fmt, dry_run: bool, as_json: bool) -> None:
    """What a phone measured: streamed with a progress bar (bytes), written in one transaction."""
    from ketalog.formats import health, registry
    from ketalog.render.imports import health_lines

    bar, advance = _import_progress(path.stat().st_size, unit="bytes")
    try:
        plan = registry.module_of(fmt).parse(path, advance)
    finally:
        if bar:
            bar.stop()
    with state(ctx).open(write=not dry_run) as db:
        result = health.write(db, plan, dry_run=dry_run)
    data = {
        "source": plan.source,
        "file": str(path),
        "dry_run": dry_run,
        "metrics": plan.summary(),
        "records_read": dict(plan.counts),
        "written": result,
        "skipped": dict(plan.skipped.most_common()),
        "duplicates": plan.duplicates,
        "warnings": plan.warnings,
    }
    emit(data, as_json, "\n".join(health_lines(plan, result, str(path), dry_run)))


def _ask_mood_levels(labels: dict[str, list[int]]) -> dict[str, int]:
    """Ask once per unknown mood label where it sits on Daylio's 1-5 scale; remembered after the import."""
    from ketalog.validation import whole_number

    say("This file uses mood names ketalog does not know. Where does each sit on Daylio's scale?")
    say("  1 = awful   2 = bad   3 = meh   4 = good   5 = rad   (remembered for your next import)")
    answers: dict[str, int] = {}
    for label, lines in labels.items():
        while True:
            level = ask(
                f"{label!r} ({len(lines)} entr{'y' if len(lines) == 1 else 'ies'})",
                lambda text: whole_number(text, "level", 1, 5),
            )
            if level is not None:
                break
            say("  every label needs a level from 1 to 5", err=True)
        answers[label] = level
    return answers


def sync_command(
    ctx: typer.Context,
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="The folder your devices share (Syncthing, Dropbox, a USB stick); not the database's."
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Bring your devices' diaries together through a shared folder.

    Reads every other device's file in DIR with the import's rules (the newest change of each entry wins, a
    delete wins over older changes, an edit made after a delete brings the entry back), then writes this
    device's whole diary to DIR/ketalog-<device>.json (0600; encrypted as ketalog-<device>.db when the diary
    is encrypted). Run it on each device; running it twice changes nothing.

    Examples:
      ketalog sync ~/Sync/ketalog
    """
    from ketalog import crypto
    from ketalog.formats.sync import sync

    current = state(ctx)
    with current.open(write=True) as db:
        key = crypto.passphrase() if crypto.is_cipher_connection(db.conn) else None
        outcome = sync(db, current.path, folder.expanduser(), key)
    from ketalog.render.imports import result_data, sync_lines

    if any(device.result and device.result.safety_positive for device in outcome.devices):
        announce_safety(as_json)
    data = {
        "device": outcome.device,
        "written": str(outcome.written),
        "devices": [
            {
                "device": device.device,
                "file": str(device.file),
                "note": device.note,
                **(result_data(device.result) if device.result else {}),
            }
            for device in outcome.devices
        ],
    }
    emit(data, as_json, "\n".join(sync_lines(outcome)))


def backup_command(
    ctx: typer.Context,
    destination: Annotated[
        Optional[Path], typer.Argument(metavar="DEST", help="Default: a dated file beside the database.")
    ] = None,
) -> None:
    """A consistent copy of the database (online backup). Safe while ketalog is in use; the copy is mode 0600.

    Examples:
      ketalog backup ~/backups/ketalog-2026-03-10.db
    """
    from ketalog import db as database
    from ketalog import timeparse

    current = state(ctx)
    source_path = current.path
    if not source_path.exists():
        raise KetalogError(f"nothing to back up yet: {source_path} does not exist")
    target = (
        destination
        or source_path.with_name(f"{source_path.stem}-backup-{timeparse.now():%Y%m%d-%H%M%S}{source_path.suffix}")
    ).expanduser()
    if target.exists():
        raise InputError("DEST", f"{target} already exists; choose another name")
    with current.open(write=False) as db:
        database.backup(db, target)
    say(f"Backed up to {target}")
    from ketalog import store

    try:
        with current.open(write=True) as db:
            store.record_backup(db, target.resolve())
    except Exception as error:  # the copy is made; only `encrypt`'s list of plain copies misses it
        from ketalog.errors import describe_database_error, is_database_error

        if not (isinstance(error, KetalogError) or is_database_error(error)):
            raise
        why = error.message if isinstance(error, KetalogError) else describe_database_error(error)
        say(f"ketalog: note: the backup is complete, but where it went was not recorded ({why})", err=True)


def check_command(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Integrity, foreign keys and schema version. Exits 1 with an explanation when something is wrong.

    Examples:
      ketalog check
      ketalog check --json
    """
    from ketalog import db as database

    current = state(ctx)
    if not current.path.exists():
        emit(
            {"path": str(current.path), "ok": True, "problems": []},
            as_json,
            f"{current.path} does not exist yet: nothing to check.",
        )
        return
    problems, version = database.health_problems(current.path)
    latest = database.latest_schema_version()
    upgrade = version is not None and version < latest and not problems
    data = {
        "path": str(current.path),
        "ok": not problems,
        "schema_version": version,
        "upgrade_pending": upgrade,
        "problems": problems,
    }
    if problems:
        emit(
            data,
            as_json,
            "\n".join(
                [f"{current.path}: problems found"]
                + [f"  {p}" for p in problems]
                + ["Restore a backup (`ketalog backup` makes them) or export what is readable."]
            ),
        )
        raise typer.Exit(1)
    later = f"; this ketalog uses version {latest}, and the next write will upgrade it" if upgrade else ""
    from ketalog import store

    with current.open(write=False) as db:
        undrugged = store.sessions_without_drug(db)
    data["sessions_without_drug"] = undrugged
    lines = [f"{current.path}: ok (integrity, foreign keys, schema version {version}{later})."]
    if undrugged:
        from ketalog.render.text import count_of

        lines.append(
            f"{count_of(len(undrugged), 'session')} without a drug (ketamine, esketamine...): "
            + ", ".join(undrugged[:10])
            + (" ..." if len(undrugged) > 10 else "")
            + "; add it with `ketalog edit ID --drug NAME` (a FHIR export needs it)."
        )
    emit(data, as_json, "\n".join(lines))


RemovePlainOpt = Annotated[
    bool,
    typer.Option(
        "--remove-plain-backups", help="Also delete the backups made before encryption, which are still plain text."
    ),
]


def encrypt_command(ctx: typer.Context, remove_plain_backups: RemovePlainOpt = False) -> None:
    """Encrypt the database with SQLCipher. Needs `pip install 'ketalog[encryption]'`.

    Examples:
      ketalog encrypt
      ketalog encrypt --remove-plain-backups
    """
    from ketalog import crypto

    path = state(ctx).path
    already = path.exists() and _is_encrypted(path)
    if not (already and remove_plain_backups):
        _convert(ctx, encrypt=True)
    from ketalog import store

    with state(ctx).open(write=False) as db:
        recorded = store.backup_paths(db)
    backups = crypto.plain_backups(path, recorded)
    if backups and remove_plain_backups:
        for backup in backups:
            backup.unlink(missing_ok=True)
        from ketalog.render.text import count_of

        say(f"Removed {count_of(len(backups), 'plain-text backup')}: " + ", ".join(str(b) for b in backups))
    elif backups:
        these = "This backup was" if len(backups) == 1 else f"These {len(backups)} backups were"
        say(f"{these} made before encryption and {'is' if len(backups) == 1 else 'are'} still plain text:", err=True)
        for backup in backups:
            say(f"  {backup}", err=True)
        say("Delete them, or run `ketalog encrypt --remove-plain-backups`.", err=True)


def decrypt_command(ctx: typer.Context) -> None:
    """Turn an encrypted database back into plain SQLite.

    Examples:
      ketalog decrypt
    """
    _convert(ctx, encrypt=False)


def _is_encrypted(path: Path) -> bool:
    from ketalog import db as database

    return database.is_encrypted(path)


def _convert(ctx: typer.Context, *, encrypt: bool) -> None:
    from ketalog import crypto
    from ketalog import db as database

    path = state(ctx).path
    if not path.exists():
        raise KetalogError(f"{path} does not exist yet")
    crypto.require()
    if database.is_encrypted(path) == encrypt:
        raise KetalogError(f"{path} is already {'encrypted' if encrypt else 'a plain SQLite file'}")
    if encrypt:
        state(ctx).open(write=True).close()  # a ketalog database, migrated, before it is converted
        key = crypto.passphrase(confirm=True)
    else:
        key = crypto.passphrase()
        crypto.connect(path, key, database.BUSY_TIMEOUT_SECONDS).close()  # the right passphrase, asked once
    # No other ketalog may use the file while it is swapped: writers wait (busy timeout), then open the new one.
    lock = database.acquire_lock(path, exclusive=True)
    try:
        if database.is_encrypted(path) == encrypt:  # converted by another process while we asked
            raise KetalogError(f"{path} is already {'encrypted' if encrypt else 'a plain SQLite file'}")
        crypto.convert(path, encrypt=encrypt, key=key)
    finally:
        database.release_lock(lock)
    done = "encrypted: keep your passphrase safe, it cannot be recovered" if encrypt else "a plain SQLite file"
    say(f"{path} is now {done}.")


COMMANDS = {
    "export": export_command,
    "import": import_command,
    "sync": sync_command,
    "backup": backup_command,
    "check": check_command,
    "encrypt": encrypt_command,
    "decrypt": decrypt_command,
}
