"""The ketalog command line: the root command, its lazy command table, and the single exit point.

Data flows one way: **input → validation → store → analysis → rendering**. A
command (in ``ketalog/commands/``) parses its options, validates them
(``validation``, ``entry_fields``, ``timeparse``), calls the store and, for reports,
the pure engine (``progress``), and hands the result to ``render/``.

Module level imports only the standard library, Typer and ketalog's small
modules: each command is imported and built only when it runs, so ``--help``
loads neither SQLite nor Rich and ``add`` builds one command. Every
user-facing failure is a ``KetalogError``, turned into one line on stderr and
an exit code by ``KetalogGroup.invoke``.
"""

from typing import Annotated, NamedTuple, Optional

import typer
from typer.core import TyperGroup

from ketalog import __version__
from ketalog.errors import Cancelled, Declined, KetalogError, describe_database_error, is_database_error
from ketalog.formats import registry


class LazyCommand(NamedTuple):
    module: str
    short_help: str
    whole_group: bool = False  # the module's ``commands`` Typer app is this command (a sub-group)


# Every command lives in a module loaded only when that command runs, so `add` builds
# one command, not all of them, and `--help` builds none.
LAZY_COMMANDS = {
    "status": LazyCommand(
        "ketalog.commands.status", "Where you are in the course and what is due (also bare `ketalog`)."
    ),
    "add": LazyCommand("ketalog.commands.log", "Log a treatment session (asks, defaulting to your last protocol)."),
    "checkin": LazyCommand("ketalog.commands.log", "Rate today 0-10: mood, anxiety, pain, energy, sleep and more."),
    "journal": LazyCommand("ketalog.commands.log", "Write a free-text reflection."),
    "list": LazyCommand("ketalog.commands.entries", "List entries, newest first."),
    "show": LazyCommand("ketalog.commands.entries", "Show one entry in full."),
    "edit": LazyCommand("ketalog.commands.entries", "Change fields of an entry."),
    "delete": LazyCommand("ketalog.commands.entries", "Delete an entry (asks first)."),
    "info": LazyCommand("ketalog.commands.entries", "Where your data lives, its schema version and entry counts."),
    "survey": LazyCommand(
        "ketalog.commands.survey", "Questionnaires: PHQ-9, PHQ-2, GAD-7, PCL-5, clinician totals.", True
    ),
    "followup": LazyCommand(
        "ketalog.commands.longterm", "The monthly long-term follow-up: bladder, memory, use (skippable)."
    ),
    "lab": LazyCommand("ketalog.commands.longterm", "Lab results, judged only against your lab's printed range.", True),
    "med": LazyCommand("ketalog.commands.med", "Other medicines: add, change, stop, took, list.", True),
    "course": LazyCommand(
        "ketalog.commands.course", "Treatment courses: when each began, its sessions and routes.", True
    ),
    "plan": LazyCommand("ketalog.commands.plan", "The treatment plan: sessions booked ahead, planned vs done.", True),
    "visit": LazyCommand(
        "ketalog.commands.visit", "Appointments: record one; `report --since last-visit` starts there.", True
    ),
    "config": LazyCommand("ketalog.commands.config", "Preferences: name, clinic, paper size, survey interval.", True),
    "remind": LazyCommand("ketalog.commands.remind", "Offline reminders: a daily local job and a notification.", True),
    "progress": LazyCommand("ketalog.commands.report", "Signs of progress and things to discuss, compactly."),
    "trends": LazyCommand("ketalog.commands.report", "Mean ratings and scores per week, month or session."),
    "report": LazyCommand("ketalog.commands.report", "The one-page appointment report (text, Markdown, HTML, JSON)."),
    "demo": LazyCommand(
        "ketalog.commands.report", "Write a demo 8-week journey to a throwaway file; print its report."
    ),
    "insights": LazyCommand("ketalog.commands.report", "What went with better days: the associations that hold up."),
    "sheet": LazyCommand("ketalog.commands.report", "A printable session sheet: doses, vital signs, observations."),
    "costs": LazyCommand("ketalog.commands.costs", "What sessions cost: totals by month, year or course; CSV."),
    "export": LazyCommand("ketalog.commands.data", "Export every table: JSON (lossless), CSV, or FHIR R4."),
    "import": LazyCommand("ketalog.commands.data", registry.import_summary()),
    "sync": LazyCommand("ketalog.commands.data", "Bring your devices' diaries together through a shared folder."),
    "backup": LazyCommand("ketalog.commands.data", "A consistent copy of the database (online backup)."),
    "check": LazyCommand("ketalog.commands.data", "Integrity, foreign keys and schema version."),
    "encrypt": LazyCommand("ketalog.commands.data", "Encrypt the database with SQLCipher."),
    "decrypt": LazyCommand("ketalog.commands.data", "Turn an encrypted database back into plain SQLite."),
}


def _say_error(message: str, err: bool = True) -> None:
    """Error lines can quote what was typed or read from a file: shown inert, like all output."""
    from ketalog.neutral import visible

    typer.echo(visible(message), err=err)


class KetalogGroup(TyperGroup):
    """The root command: loads heavy command modules on demand, and maps ketalog's errors to exit codes."""

    def list_commands(self, ctx):
        return list(LAZY_COMMANDS)

    def get_command(self, ctx, name):
        lazy = LAZY_COMMANDS.get(name)
        if lazy is None:
            return None
        import importlib

        module = importlib.import_module(lazy.module)
        if lazy.whole_group:
            return _keep_examples(typer.main.get_command(module.commands))
        single = typer.Typer(rich_markup_mode=None, add_completion=False)  # build just this command, not its neighbours
        single.command(name)(module.COMMANDS[name])
        return _keep_examples(typer.main.get_command(single))

    def format_commands(self, ctx, formatter):
        with formatter.section("Commands"):
            formatter.write_dl(
                [
                    *((name, lazy.short_help) for name, lazy in LAZY_COMMANDS.items()),
                    ("help", "Help on a command: `ketalog help report`."),
                ]
            )

    def parse_args(self, ctx, args):
        for arg in args:
            if any("\udc80" <= ch <= "\udcff" for ch in arg):  # bytes that were not UTF-8 (surrogateescape)
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                typer.echo(f"ketalog: error: {shown!r} is not valid UTF-8 text; nothing was written", err=True)
                raise typer.Exit(2)
        args = list(args)
        if args[:1] == ["help"]:  # `ketalog help survey take` is `ketalog survey take --help`
            args = [*args[1:], "--help"]
        return super().parse_args(ctx, _normalise_survey_name(args))

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if name and name not in LAZY_COMMANDS and not name.startswith("-"):
            from difflib import get_close_matches

            close = get_close_matches(name, [*LAZY_COMMANDS, "help"], n=1)
            hint = f"; did you mean {close[0]}?" if close else "; `ketalog --help` lists them"
            raise KetalogError(f"no command {name!r}{hint}", exit_code=2)
        return super().resolve_command(ctx, args)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except _USAGE_ERROR as error:  # a bad root option: one line too
            _say_error(f"ketalog: error: {_usage_line(error)}", err=True)
            raise typer.Exit(2) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except _USAGE_ERROR as error:  # one line, not Click's usage block
            if type(error).__name__ == "NoArgsIsHelpError":  # `ketalog plan` alone: its help, as git and gh do
                typer.echo(error.format_message())  # type: ignore[attr-defined]
                raise typer.Exit(0) from None
            _say_error(f"ketalog: error: {_usage_line(error)}", err=True)
            raise typer.Exit(2) from None
        except Cancelled as error:  # the person chose to stop: say what happened, not "error"
            _say_error(error.message if isinstance(error, Declined) else f"ketalog: {error.message}", err=True)
            raise typer.Exit(error.exit_code) from None
        except KetalogError as error:
            _say_error(f"ketalog: error: {error.message}", err=True)
            raise typer.Exit(error.exit_code) from None
        except Exception as error:
            if not is_database_error(error):
                raise
            _say_error(f"ketalog: error: {describe_database_error(error, _database_folder(ctx))}", err=True)
            raise typer.Exit(1) from None


def _database_folder(ctx):
    """Where the database is, so a disk error on a full disk is named as such; None if it cannot be told."""
    try:
        return ctx.find_root().obj.path.parent
    except Exception:  # no state yet (an error before the root callback), or an unreadable --db
        return None


def _keep_examples(command):
    """Click rewraps help paragraphs; its "\\b" marker keeps each Examples line on its own line."""
    if command.help and "\nExamples:\n" in command.help:
        command.help = command.help.replace("\nExamples:\n", "\n\b\nExamples:\n", 1)
    for sub in getattr(command, "commands", {}).values():
        _keep_examples(sub)
    return command


# Click's usage error, reached through Typer's public BadParameter (Typer 0.28 vendors its own Click).
_USAGE_ERROR: type[Exception] = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "UsageError")


def _usage_line(error) -> str:
    """Click's message as one line naming the option: "--by: 'week' is not one of 'month', ..."."""
    message = " ".join(error.format_message().split())
    import re

    found = re.match(r"Invalid value for '([^']+)'(?: / '[^']+')*: (.*)", message)
    return f"{found.group(1)}: {found.group(2)}" if found else message


def _normalise_survey_name(args: list[str]) -> list[str]:
    """`survey PHQ-9`, `survey PHQ9` and `survey phq_9` all mean `survey phq9`."""
    import re

    for index, arg in enumerate(args[:-1]):
        if arg == "survey":
            wanted = args[index + 1]
            if re.fullmatch(r"(?i)(phq|gad|pcl)[-_ ]?\d", wanted):
                args[index + 1] = re.sub(r"[-_ ]", "", wanted.lower())
            break
    return args


app = typer.Typer(
    cls=KetalogGroup,
    help="Private self-tracking for ketamine therapy: log sessions, check-ins and notes; "
    "see what changed before your next appointment.",
    rich_markup_mode=None,  # plain help: `--help` must not pay for importing Rich
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ketalog {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    db: Annotated[
        Optional[str],
        typer.Option("--db", metavar="PATH", help="Database file. Default: $KETALOG_DB, else your data directory."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Environment: KETALOG_DB (database path), KETALOG_NOW (ISO time used as "now"), NO_COLOR."""
    import os

    if db is not None and not db.strip():
        raise KetalogError("--db: must be a file path, not empty", exit_code=2)
    if os.environ.get("KETALOG_NOW"):
        from ketalog import timeparse

        timeparse.now()  # a bad KETALOG_NOW is refused by every command, not only those that read the clock
    from ketalog.commands.common import State  # not at the top: `--help` never needs the shared options

    ctx.obj = State(db)
    if ctx.invoked_subcommand is None:
        # Bare `ketalog`: where you stand, once there is a diary; until then, how to begin.
        if ctx.obj.path.exists():
            from ketalog.commands.status import status_command

            status_command(ctx)
            return
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


def main() -> None:
    app(prog_name="ketalog")
