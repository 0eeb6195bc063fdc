"""`add`, `checkin` and `journal`: the everyday logging commands, kept light so they start fast."""

import os
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, cast

import typer

from ketalog import validation as valid
from ketalog.commands.common import (
    AnxietyOpt,
    AtOpt,
    BpAfterOpt,
    BpBeforeOpt,
    BpOpt,
    ClinicOpt,
    CostOpt,
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
    NewCourseOpt,
    NoInputOpt,
    NoteOpt,
    ObservedOpt,
    PainOpt,
    ProductOpt,
    ProviderOpt,
    ReadyAfterOpt,
    RouteOpt,
    SedationOpt,
    SideEffectOpt,
    SleepHoursOpt,
    SleepOpt,
    Spo2Opt,
    SpraysOpt,
    TagOpt,
    TherapyOpt,
    ThoughtsOpt,
    ask,
    emit,
    interactive,
    say,
    say_bp_notice,
    session_for,
    state,
)
from ketalog.entry_fields import checkin_values, session_values
from ketalog.errors import Cancelled, InputError, Interrupted

if TYPE_CHECKING:
    from ketalog.models import Session


def _session_form(previous, force: bool = False, given_drug: str | None = None) -> dict:
    """The after-session questions, each defaulting to the last session's protocol."""
    from ketalog.render.text import summary
    from ketalog.session_record import DRUGS, parse_doses, split_doses, total_dose

    if previous is not None:
        say(f"Last session: {previous.at:%Y-%m-%d} {summary(previous)}. Enter keeps [defaults].")
    while True:
        route = ask(f"Route ({'/'.join(valid.ROUTES)})", valid.route, previous.route if previous else None)
        if route:
            break
        say("  the route is needed", err=True)
    raw: dict = {"route": route}
    same_route = previous is not None and previous.route == route  # another route's dose is no default
    if given_drug is None:
        known = previous.drug if same_route and previous.drug else ("ketamine" if route in ("iv", "im") else None)
        while True:
            skip = " (Enter to skip)" if known is None and route != "intranasal" else ""
            drug = ask(f"Drug ({'/'.join(DRUGS)}){skip}", lambda text: valid.one_of(text, DRUGS, "drug"), known)
            if drug or route != "intranasal":
                break
            say(
                "  an intranasal session needs its drug: esketamine (Spravato) or ketamine (a compounded spray)",
                err=True,
            )
        if drug:
            raw["drug"] = drug

    def dose(text: str):
        doses = parse_doses(split_doses(text), "dose")
        valid.plausible_dose(route, *total_dose(doses), force, "dose")
        return doses

    fields = (
        (
            "dose",
            "Dose, e.g. 0.5mg/kg or 56mg (doses within it: 28mg 28mg@5)",
            dose,
            _dose_default(previous) if same_route else None,
        ),
        (
            "duration",
            "Duration in minutes",
            lambda v: valid.whole_number(v, "duration", *valid.DURATION_RANGE),
            str(previous.duration_min) if previous and previous.duration_min else None,
        ),
        ("clinic", "Clinic", str, previous.clinic if previous else None),
        ("dissociation", "Dissociation 0-10 (Enter to skip)", lambda v: valid.rating(v, "dissociation"), None),
        (
            "bp_before",
            "Blood pressure before, SYS/DIA (Enter to skip)",
            lambda v: valid.blood_pressure(v, "blood pressure"),
            None,
        ),
        (
            "bp_after",
            "Blood pressure after, SYS/DIA (Enter to skip)",
            lambda v: valid.blood_pressure(v, "blood pressure"),
            None,
        ),
    )
    for name, label, parse, default in fields:
        if default is None and "Enter" not in label:
            label += " (Enter to skip)"  # every optional question says how to pass it by
        answer = ask(label, partial(_checked, parse), default)
        if answer is not None:
            raw[name] = split_doses(answer) if name == "dose" else answer
    effects = ask("Side effects, comma-separated (Enter for none)", lambda text: valid.side_effects(text.split(",")))
    return {"values": raw, "side_effects": effects or []}


# Logging commands ------------------------------------------------------------


def add(
    ctx: typer.Context,
    at: AtOpt = None,
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
    note: NoteOpt = None,
    new_course: NewCourseOpt = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    no_input: NoInputOpt = False,
) -> None:
    """Log a treatment session (asks, defaulting to your last protocol). Options skip the questions.

    Examples:
      ketalog add
      ketalog add --route iv --dose 0.5mg/kg --duration 40 --no-input
      ketalog add --at 'yesterday 14:30' --route intranasal --dose 84mg --side-effect nausea
    """
    from ketalog import store, timeparse

    moment = timeparse.parse_at(at)
    values = session_values(
        route=route,
        dose=dose,
        duration=duration,
        clinic=clinic,
        provider=provider,
        dissociation=dissociation,
        bp_before=bp_before,
        bp_after=bp_after,
        bp=bp,
        heart_rate=heart_rate,
        spo2=spo2,
        cost=cost,
        therapy=therapy,
        intention=intention,
        note=note,
        drug=drug,
        product=product,
        sedation=sedation,
        observed=observed,
        ready_after=ready_after,
        lot=lot,
        mood_before=mood_before,
        mood_after=mood_after,
    )
    effects = valid.side_effects(side_effect)
    if route is None:
        if not interactive(no_input):
            raise InputError("--route", f"is required when not prompting; one of {', '.join(valid.ROUTES)}")
        with state(ctx).open(write=False) as db:
            previous = store.last_session(db)
        form = _session_form(previous, force, given_drug=values.get("drug"))
        values = {**session_values(**form["values"]), **values}
        effects = effects or form["side_effects"]
    from ketalog.session_record import total_dose

    valid.plausible_dose(values.get("route"), *total_dose(values.get("doses") or []), force)
    if "drug" not in values:
        with state(ctx).open(write=False) as db:
            values["drug"] = _drug_by_route(db, values["route"])
    if sprays is not None:  # after the drug is known: Spravato's devices set the dose
        values.update(session_values(sprays=sprays, dose=dose, drug=values["drug"]))
        valid.plausible_dose(values.get("route"), *total_dose(values.get("doses") or []), force, "--sprays")
    if new_course:
        values["new_course"] = 1
    with state(ctx).open(write=True) as db:
        previous = store.last_session_before(db, moment)
        session = cast("Session", store.insert(db, "session", moment, values, effects))
    from ketalog.courses import LONG_GAP
    from ketalog.render.text import short_id, summary

    if previous is not None and not new_course and moment - previous.at >= LONG_GAP:
        say(
            f"Note: the previous session was {(moment - previous.at).days} days earlier; this one was kept in the "
            f"same course. If it starts a new course (a re-induction), run `ketalog edit {short_id(session.id)} "
            "--new-course`.",
            err=True,
        )

    emit(
        session.to_json(),
        as_json,
        f"Session {session.number} logged ({short_id(session.id)}): "
        f"{session.at:%Y-%m-%d %H:%M} {summary(session).split(' ', 1)[1]}",
    )
    say_bp_notice(session, as_json)
    if interactive(no_input) and not as_json:
        _reflection(ctx, session)


def _dose_default(previous) -> str | None:
    """The last session's doses as they would be typed: '0.5mg/kg', or '28mg 28mg@5 28mg@10'."""
    doses = previous.doses or []
    return " ".join(f"{d['amount']:g}{d['unit']}" + (f"@{d['at']}" if d["at"] else "") for d in doses) or None


def _drug_by_route(db, route: str) -> str | None:
    """The drug of a session given without --drug: the last session's by the same route; else ketamine for IV
    and IM (off-label racemic ketamine is what those are); an intranasal one is never guessed (Spravato or a
    compounded racemic spray), so the first is refused; oral, sublingual and buccal stay unknown (`check`)."""
    from ketalog import store

    previous = store.last_session_by_route(db, route)
    if previous is not None and previous.drug:
        return previous.drug
    if route in ("iv", "im"):
        return "ketamine"
    if route == "intranasal":
        raise InputError(
            "--drug",
            "is needed for a first intranasal session: esketamine (Spravato) or ketamine (a compounded spray); "
            "later ones default to it",
        )
    return None


def _checked(parse, text: str) -> str:
    """A prompt's answer as typed, once ``parse`` accepts it (it raises InputError when not)."""
    parse(text)
    return text.strip()


def _rating(text: str, *, field: str) -> int | None:
    return valid.rating(text, field)


def _reflection(ctx: typer.Context, session) -> None:
    """One optional question after a session, saved as a note linked to it. Ctrl-C keeps the session."""
    from ketalog import store, timeparse

    try:
        text = ask("How did it go? (Enter to skip)", lambda raw: raw.strip())
    except Interrupted:
        raise Interrupted(f"cancelled; session {session.number} was saved, no note") from None
    if not text:
        return
    with state(ctx).open(write=True) as db:
        note = store.insert(db, "journal", timeparse.now(), {"text": text, "session_id": session.id})
    from ketalog.render.text import short_id

    say(f"Note saved ({short_id(note.id)}), linked to session {session.number}.")


def checkin(
    ctx: typer.Context,
    mood: MoodOpt = None,
    anxiety: AnxietyOpt = None,
    pain: PainOpt = None,
    energy: EnergyOpt = None,
    motivation: MotivationOpt = None,
    sleep: SleepOpt = None,
    thoughts: ThoughtsOpt = None,
    sleep_hours: SleepHoursOpt = None,
    note: NoteOpt = None,
    tag: TagOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
    no_input: NoInputOpt = False,
) -> None:
    """Rate today 0-10: mood, anxiety, pain, energy, sleep and more.

    Examples:
      ketalog checkin
      ketalog checkin --mood 6 --anxiety 3 --sleep-hours 7.5
      ketalog checkin --at yesterday --mood 4 --note 'rough evening'
    """
    from ketalog import store, timeparse

    moment = timeparse.parse_at(at)
    given = {
        "mood": mood,
        "anxiety": anxiety,
        "pain": pain,
        "energy": energy,
        "motivation": motivation,
        "sleep": sleep,
        "thoughts": thoughts,
    }
    values = checkin_values(given, sleep_hours, note)
    tags = valid.tags(tag)
    if not any(name in values for name in valid.RATING_NAMES):
        if not interactive(no_input):
            raise InputError(
                "ratings",
                "give at least one: --mood, --anxiety, --pain, --energy, "
                "--motivation, --sleep or --thoughts, each 0-10",
            )
        say("Rate each 0-10; Enter skips one.")
        for name, rating in valid.RATINGS.items():
            answer = ask(rating.question, partial(_rating, field=name))
            if answer is not None:
                values[name] = answer
        if not any(name in values for name in valid.RATING_NAMES):
            raise InputError("ratings", "every rating was skipped; give at least one (0-10). Nothing saved")
        if note is None:
            typed = ask("Note (Enter to skip)", str)
            if typed:
                values["note"] = typed
    with state(ctx).open(write=True) as db:
        entry = store.insert(db, "checkin", moment, values, tags)
    from ketalog.render.text import short_id, summary

    emit(entry.to_json(), as_json, f"Check-in logged ({short_id(entry.id)}): {summary(entry)}")


def _read_stdin() -> str:
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError("stdin", f"is not UTF-8 text (byte {error.start + 1}); nothing saved") from None


DRAFTS_FOLDER = "drafts"  # beside the database: a note typed in $EDITOR waits here until it is saved
TEMPLATE = (  # what the editor opens with; these exact lines are left out of the note
    "# Write your note below this line. Lines like these, starting with '#', are left out.",
    "# Save and close the editor to keep it; leave it empty to keep nothing.",
)


def _text_from_editor(drafts: Path, about: str | None = None, prompts: tuple[str, ...] = ()) -> tuple[str, Path | None]:
    """The note typed in $VISUAL or $EDITOR, else at the terminal until Ctrl-D on an empty line (no editor is
    guessed: a newcomer dropped into vi cannot get out); and the draft file that holds it until it is saved
    (None when typed at the terminal).

    The draft lives in ``drafts`` beside the database (0700 folder, 0600 file), never the system temp
    folder that other accounts share; the caller deletes it only once the note is in the diary.
    """
    import shlex
    import shutil
    import subprocess
    import tempfile

    from ketalog.files import make_private_folder

    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not chosen:
        say("Type the note; end with Ctrl-D on an empty line (Ctrl-C keeps nothing).", err=True)
        try:
            return sys.stdin.read(), None
        except KeyboardInterrupt:
            say("", err=True)
            raise Interrupted("cancelled, nothing saved") from None
    command = shlex.split(chosen)
    if not command or shutil.which(command[0]) is None:
        raise InputError("EDITOR", f"{chosen!r} is not a program on this machine; set $EDITOR to one that is")
    make_private_folder(drafts, field="drafts")
    handle, name = tempfile.mkstemp(dir=drafts, prefix="journal-", suffix=".md")  # created 0600
    os.close(handle)
    path = Path(name)
    template = [*TEMPLATE, *([f"# About: {about}"] if about else []), *(f"# {prompt}" for prompt in prompts)]
    path.write_text("\n".join(template) + "\n\n", encoding="utf-8")
    status = subprocess.call([*command, str(path)])
    try:
        typed = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("TEXT", f"the note is not UTF-8 text; nothing saved, it is kept in {path}") from None
    text = "\n".join(line for line in typed.splitlines() if line not in template).strip("\n")
    if not text.strip():
        path.unlink(missing_ok=True)
        return text, None
    if status != 0:
        raise Cancelled(f"the editor exited with status {status}; nothing saved; what you typed is kept in {path}")
    return text, path


def journal(
    ctx: typer.Context,
    text: Annotated[
        Optional[str], typer.Argument(help="The note. Else read from stdin, else opened in $EDITOR.")
    ] = None,
    tag: TagOpt = None,
    at: AtOpt = None,
    session: Annotated[
        Optional[str],
        typer.Option("--session", metavar="ID|last", help="Link the note to a session: its id, or `last`."),
    ] = None,
    prompt: Annotated[
        bool,
        typer.Option(
            "--prompt",
            help="An integration reflection (needs --session): shows two short prompts for the day after the "
            "session (day 1, 3 or 7) and tags the note integration:d1|d3|d7.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write a free-text reflection. Optionally about one session (--session), with prompts (--prompt).

    Reflections are due about 1, 3 and 7 days after each session (`status` says when; `config set
    integration-prompts d1,d3,d7|d1|off`); `--prompt` shows that day's prompts.

    Examples:
      ketalog journal "Felt lighter all afternoon" --session last
      ketalog journal --session last --prompt
      echo "notes" | ketalog journal --tag integration
    """
    from ketalog import store, timeparse

    moment = timeparse.parse_at(at)
    tags = valid.tags(tag)
    prompts: tuple[str, ...] = ()
    if prompt:
        from ketalog import reflections

        if session is None:
            raise InputError("--prompt", "needs --session ID|last: the prompts are about one session")
        with state(ctx).open(write=False) as db:
            about_session = session_for(db, session)
        days_after = (timeparse.to_local(moment).date() - about_session.at.date()).days
        if days_after < 0:
            raise InputError("--at", f"is before session {about_session.number}; a reflection comes after it")
        day = reflections.prompt_for(days_after)
        prompts = reflections.PROMPTS[day]
        tags = [*[t for t in tags if not t.startswith(reflections.TAG_PREFIX)], reflections.TAG_PREFIX + day]
        if text is None:
            heading = f"Reflection on session {about_session.number}, day {days_after}:"
            say("\n".join([heading, *(f"  {line}" for line in prompts)]), err=True)
    draft = None
    if text is None:
        if sys.stdin.isatty():
            about = f"a reflection on session {session}" if session else None
            text, draft = _text_from_editor(state(ctx).path.parent / DRAFTS_FOLDER, about, prompts)
        else:
            text = _read_stdin()
        text = text.rstrip("\n")  # the newline an editor or `echo` adds is not part of the note
    if not text.strip():
        raise InputError("TEXT", "the note is empty; nothing saved")
    try:
        with state(ctx).open(write=True) as db:
            linked = session_for(db, session) if session is not None else None
            values = {"text": text, "session_id": linked.id if linked else None}
            entry = store.insert(db, "journal", moment, values, tags)
    except BaseException:
        if draft is not None:  # a wrong passphrase, a busy or foreign file: what was typed is not lost
            say(f"ketalog: note: what you typed is kept in {draft}", err=True)
        raise
    if draft is not None:
        draft.unlink(missing_ok=True)
    from ketalog.render.text import short_id

    about = f", about session {linked.number} ({linked.at:%Y-%m-%d})" if linked else ""
    emit(entry.to_json(), as_json, f"Journal note saved ({short_id(entry.id)}){about}, {len(text)} characters.")


COMMANDS = {"add": add, "checkin": checkin, "journal": journal}
