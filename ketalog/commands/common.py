"""What every command shares: option declarations, the database handle, prompting and output.

Light on purpose (standard library, Typer and ketalog's small modules only):
every command module imports it at start-up.
"""

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Callable, Optional, TypeVar

import typer

from ketalog import completion
from ketalog import validation as valid
from ketalog.errors import InputError, Interrupted
from ketalog.neutral import visible

T = TypeVar("T")


@dataclass
class State:
    db_option: Optional[str]
    announce: bool = True  # say where a new diary was made (not for the demo's throwaway file)

    @property
    def path(self) -> Path:
        from ketalog.db import resolve_path

        return resolve_path(self.db_option)

    def open(self, *, write: bool):
        from ketalog.db import open_db

        path = self.path
        return open_db(path, create=write) if path.exists() or not write else self._create(path)

    def _create(self, path: Path):
        """A new diary: said where it lives once the first write succeeded (as jrnl does); taken back if that
        write was refused, so bad input on a fresh machine leaves no empty file behind."""
        from ketalog.db import open_db

        db = open_db(path, create=True)

        def done(ok: bool) -> None:
            if ok:
                if self.announce:
                    say(f"Created your diary at {path} (mode 0600).", err=True)
                return
            from ketalog import store

            if not any(store.counts(db).values()):
                for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
                    leftover.unlink(missing_ok=True)
                db.remove_after_close.append(path.with_name(path.name + ".lock"))

        db.on_exit = done
        return db


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


def command_group(help: str) -> typer.Typer:
    """A command with subcommands (`med add`, `plan show`): its help, the help again when run bare, and no
    completion options of its own (completion is installed once, from the root)."""
    return typer.Typer(add_completion=False, help=help, no_args_is_help=True, rich_markup_mode=None)


LAST_VISIT = "last-visit"


def period(db_state: State, since: str | None, until: str | None):
    """``--since``/``--until`` as times; ``--since last-visit`` starts at the latest appointment before now."""
    from ketalog import timeparse

    if since is not None and since.strip().lower().replace(" ", "-").replace("_", "-") == LAST_VISIT:
        from ketalog import reports

        with db_state.open(write=False) as db:
            since = reports.last_visit_start(db, timeparse.now()).isoformat()
    return timeparse.parse_period(since, until)


# Shared option declarations -------------------------------------------------

WHEN_HELP = "When: 2026-03-04 14:30, yesterday 14:30, 3 days ago, monday... Default: now."
AtOpt = Annotated[Optional[str], typer.Option("--at", metavar="WHEN", help=WHEN_HELP)]
NewAtOpt = Annotated[
    Optional[str],
    typer.Option(
        "--at", metavar="WHEN", help="Move it to: 2026-03-04 14:30, yesterday 14:30, 3 days ago... Default: unchanged."
    ),
]
SinceOpt = Annotated[
    Optional[str],
    typer.Option(
        "--since", metavar="WHEN", help="Only entries at or after this; last-visit: since your last `visit add`."
    ),
]
UntilOpt = Annotated[
    Optional[str],
    typer.Option("--until", metavar="WHEN", help="Only entries before this (a bare day includes that day)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Keep a dose ketalog finds implausible (it is right).")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print the rows as CSV, for a spreadsheet.")]
TsvOpt = Annotated[bool, typer.Option("--tsv", help="Print the rows tab-separated, for cut, awk and grep.")]
NoInputOpt = Annotated[bool, typer.Option("--no-input", help="Never prompt; fail on anything missing.")]
NoteOpt = Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="Free text.")]

RouteOpt = Annotated[
    Optional[str],
    typer.Option(
        "--route",
        metavar="ROUTE",
        help="iv, im, intranasal, oral, sublingual, buccal or other.",
        autocompletion=completion.routes,
    ),
]
DoseOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--dose",
        metavar="AMOUNT[@MIN]",
        help="Amount with unit: 0.5mg/kg, 56mg. Repeat for doses within a session: --dose 28mg --dose 28mg@5.",
    ),
]
DrugOpt = Annotated[
    Optional[str],
    typer.Option(
        "--drug",
        metavar="DRUG",
        help="ketamine, esketamine, arketamine or other. Default: your last session's by the same route.",
        autocompletion=completion.drugs,
    ),
]
ProductOpt = Annotated[
    Optional[str],
    typer.Option("--product", metavar="TEXT", help='What was given: "Spravato 84 mg", "troche 150 mg", "RDT".'),
]
SpraysOpt = Annotated[
    Optional[str],
    typer.Option(
        "--sprays",
        metavar="N",
        help="Nasal spray devices used. With esketamine and no --dose, sets the dose to N x 28 mg (Spravato).",
    ),
]
BpOpt = Annotated[
    Optional[list[str]],
    typer.Option("--bp", metavar="SYS/DIA@WHEN", help="A timed reading, WHEN = pre, minutes in, or end: 152/94@40."),
]
Spo2Opt = Annotated[
    Optional[list[str]], typer.Option("--spo2", metavar="PCT[@MIN]", help="Oxygen saturation, e.g. 97@40.")
]
SedationOpt = Annotated[Optional[str], typer.Option("--sedation", metavar="0-10", help="How sedated you felt, 0-10.")]
ObservedOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--observed",
        metavar="WHAT",
        help="What staff observed: sedation, dissociation, respiratory-depression (comma-separated or repeated).",
    ),
]
ReadyAfterOpt = Annotated[
    Optional[str], typer.Option("--ready-after", metavar="MINUTES", help="Minutes until you were ready to leave.")
]
LotOpt = Annotated[Optional[str], typer.Option("--lot", metavar="TEXT", help="The product's lot number.")]
MoodBeforeOpt = Annotated[Optional[str], typer.Option("--mood-before", metavar="0-10", help="Mood just before, 0-10.")]
MoodAfterOpt = Annotated[Optional[str], typer.Option("--mood-after", metavar="0-10", help="Mood just after, 0-10.")]
DurationOpt = Annotated[
    Optional[str], typer.Option("--duration", metavar="MINUTES", help="Length of the session, 1-600 minutes.")
]
ClinicOpt = Annotated[
    Optional[str], typer.Option("--clinic", metavar="TEXT", help="Where the session was (clinic name).")
]
ProviderOpt = Annotated[
    Optional[str], typer.Option("--provider", metavar="TEXT", help="Who gave it (doctor or nurse).")
]
DissociationOpt = Annotated[
    Optional[str], typer.Option("--dissociation", metavar="0-10", help="How dissociated you felt, 0-10.")
]
SideEffectOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--side-effect",
        metavar="NAME",
        help="Repeatable. " + ", ".join(valid.KNOWN_SIDE_EFFECTS) + ", or your own words.",
        autocompletion=completion.side_effects,
    ),
]
BpBeforeOpt = Annotated[
    Optional[str], typer.Option("--bp-before", metavar="SYS/DIA", help="Blood pressure before dosing (--bp X@pre).")
]
BpAfterOpt = Annotated[
    Optional[str], typer.Option("--bp-after", metavar="SYS/DIA", help="Blood pressure before leaving (--bp X@end).")
]
HeartRateOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--heart-rate", metavar="BPM[@MIN]", help="Heart rate, beats per minute; repeat for timed readings: 78@0."
    ),
]
CostOpt = Annotated[
    Optional[str], typer.Option("--cost", metavar="AMOUNT", help="What the session cost you, in your currency: 450.")
]
TherapyOpt = Annotated[
    Optional[bool], typer.Option("--therapy/--no-therapy", help="Talk therapy during or after (KAP).")
]
NewCourseOpt = Annotated[
    bool,
    typer.Option(
        "--new-course", help="This session starts a new treatment course (e.g. a re-induction after a break)."
    ),
]
IntentionOpt = Annotated[
    Optional[str], typer.Option("--intention", metavar="TEXT", help="What you hoped to work on in this session.")
]


def _rating_option(name: str):
    return Annotated[Optional[str], typer.Option(f"--{name}", metavar="0-10", help=valid.RATINGS[name].help)]


MoodOpt = _rating_option("mood")
AnxietyOpt = _rating_option("anxiety")
PainOpt = _rating_option("pain")
EnergyOpt = _rating_option("energy")
MotivationOpt = _rating_option("motivation")
SleepOpt = _rating_option("sleep")
ThoughtsOpt = _rating_option("thoughts")
SleepHoursOpt = Annotated[Optional[str], typer.Option("--sleep-hours", metavar="H", help="Hours slept, 0-24.")]
TagOpt = Annotated[Optional[list[str]], typer.Option("--tag", metavar="NAME", help="Repeatable.")]


# Interaction helpers ---------------------------------------------------------


def interactive(no_input: bool) -> bool:
    return not no_input and sys.stdin.isatty()


def _line_editing() -> None:
    """Arrow keys and history in prompts: importing readline gives ``input()`` line editing (GNU or libedit).
    Imported only when a prompt is shown, so commands run from scripts never pay for it."""
    if sys.stdin.isatty():
        try:
            import readline  # noqa: F401
        except ImportError:  # Windows has none; prompts still work, only without editing
            pass


def ask(label: str, parse: Callable[[str], T], default: str | None = None) -> T | None:
    """Prompt until the answer parses; Enter keeps the default or skips (None).

    Ctrl-C or end of input cancels the whole form: nothing is saved.
    """
    _line_editing()
    while True:
        try:
            raw = typer.prompt(label, default=default or "", show_default=bool(default))
        except (typer.Abort, KeyboardInterrupt, EOFError):  # whichever the prompt library lets through
            typer.echo("", err=True)
            raise Interrupted() from None
        if not raw.strip():
            return None
        try:
            return parse(raw)
        except InputError as error:
            say(f"  {error.message}", err=True)


def confirm(question: str) -> bool:
    """A yes/no question, "no" by default. Ctrl-C cancels (exit 130) and nothing changes."""
    _line_editing()
    while True:
        try:
            raw = typer.prompt(f"{question} [y/N]", default="", show_default=False)
        except (typer.Abort, KeyboardInterrupt, EOFError):
            typer.echo("", err=True)
            raise Interrupted("cancelled, nothing changed") from None
        answer = raw.strip().lower()
        if answer in ("", "n", "no"):
            return False
        if answer in ("y", "yes"):
            return True
        say("  answer y (yes) or n (no); Enter means no", err=True)


def one_delimited_format(csv: bool, tsv: bool) -> None:
    """``--csv`` and ``--tsv`` together is a usage error, wherever the rows go."""
    one_of(csv=csv, tsv=tsv)


def one_of(**chosen: bool) -> None:
    """Output options that exclude each other (--json, --csv, --tsv, --short): more than one is refused in
    one line, before anything is read or written."""
    given = ["--" + name for name, on in chosen.items() if on]
    if len(given) > 1:
        raise InputError("/".join(given), "choose one of them")


def emit_rows(columns, rows, csv: bool, tsv: bool) -> None:
    """``--csv``/``--tsv``: the rows on stdout."""
    one_delimited_format(csv, tsv)
    from ketalog.render.delimited import write_rows

    write_rows(sys.stdout, columns, rows, tsv=tsv)


PAGE = 100  # prose is wrapped to the terminal, and never wider than this


def say(text: str = "", *, err: bool = False, nl: bool = True, wrap: bool = True, bold: bool = False) -> None:
    """Print a line that may hold stored or file-derived text: every command prints through here (or ``emit``),
    so no terminal escape, C1 control or bidi override from the diary or a file reaches the terminal raw.

    At a terminal, prose is wrapped at spaces to its width (at most PAGE), keeping each line's indent, so
    no word breaks in the middle; ``wrap=False`` for machine text (JSON, Markdown, HTML). ``bold`` for words
    that must stand out (the crisis text), unless NO_COLOR is set or the stream is not a terminal."""
    terminal = _is_terminal(sys.stderr if err else sys.stdout)
    styled = bold and terminal and not os.environ.get("NO_COLOR")
    typer.echo(_for_terminal(visible(text), terminal, wrap, styled), err=err, nl=nl, color=styled or None)


def _for_terminal(text: str, terminal: bool, wrap: bool, styled: bool) -> str:
    if wrap and terminal:
        text = _wrapped(text, min(PAGE, _terminal_width()))
    return typer.style(text, bold=True) if styled else text


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def _wrapped(text: str, width: int) -> str:
    import textwrap

    lines = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        lines += textwrap.wrap(
            line.strip(),
            width,
            initial_indent=indent,
            subsequent_indent=indent + "  " * bool(indent),
            break_long_words=False,
            break_on_hyphens=False,
        ) or [line]
    return "\n".join(lines)


def emit(data: dict | list, as_json: bool, text: str) -> None:
    if as_json:
        from ketalog.render.text import to_json

        say(to_json(data), wrap=False)
    else:
        say(text)


def announce_safety(as_json: bool = False) -> None:
    """Show the crisis resources now. With --json they go to stderr so stdout stays valid JSON."""
    from ketalog import crisis

    say("")
    lines = crisis.lines()
    say(lines[0], err=as_json, bold=True)  # the headline and the emergency line stand out
    say("\n".join(lines[1:-2]), err=as_json)
    say(lines[-2], err=as_json, bold=True)
    say(lines[-1], err=as_json)
    say("", err=as_json)


def say_bp_notice(session, as_json: bool = False) -> None:
    """A blood-pressure reading the report would flag, said the moment it is logged (as item 9 is)."""
    from ketalog.blood_pressure import bp_notice

    notice = bp_notice(session)
    if notice:
        say(notice, err=as_json)


def session_for(db, wanted: str, field: str = "--session"):
    """The session `--session` names: `last`, or an id (prefix) that must be a session's."""
    from ketalog import store

    if wanted.strip().lower() == "last":
        found = store.last_session(db)
        if found is None:
            raise InputError(field, "there is no session yet; `ketalog add` first")
        return store.get(db, "session", found.id)
    entry = store.find(db, wanted, field)
    if entry.kind != "session":
        raise InputError(field, f"{wanted!r} is a {entry.kind}, not a session; see `ketalog list --kind session`")
    return entry
