"""`ketalog followup` and `ketalog lab`: the monthly long-term follow-up and lab results."""

from functools import partial
from typing import TYPE_CHECKING, Annotated, Optional, cast

import typer

from ketalog import followup
from ketalog.commands.common import (
    AtOpt,
    JsonOpt,
    NoInputOpt,
    NoteOpt,
    ask,
    command_group,
    emit,
    interactive,
    say,
    state,
)
from ketalog.errors import InputError, Interrupted

if TYPE_CHECKING:
    from ketalog.models import Followup, Lab


def _read(question: followup.Question, raw: str):
    try:
        value = followup.read_answer(question, raw)
    except ValueError as error:
        raise InputError(question.short or question.column, str(error)) from None
    return value


def _ask_all() -> tuple[dict[str, object], bool]:
    """Every question in order; Enter or - skips one. Ctrl-C stops: (the answers so far, True)."""
    say(f"Long-term follow-up: {followup.LABEL}. Enter skips a question.")
    answers: dict[str, object] = {}
    group = None
    for number, question in enumerate(followup.QUESTIONS, start=1):
        if question.group != group:
            group = question.group
            say(f"\n{group.capitalize()}")
        say(f"{number}. {question.text}")
        try:
            answers[question.column] = ask(f"  {question.allowed()}", partial(_read, question))
        except Interrupted:
            return answers, True
    return answers, False


def followup_command(
    ctx: typer.Context,
    answers: Annotated[
        Optional[str],
        typer.Option(
            "--answers",
            metavar="8,1,2,-,no,...",
            help="One value per question in the order asked, comma-separated; - skips one; words for the "
            "choices (yes, no, not-sure, a-little, clearly, not-applicable). Skips the questions.",
        ),
    ] = None,
    at: AtOpt = None,
    no_input: NoInputOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """The monthly long-term follow-up: bladder, memory, use (skippable). Every question can be skipped.

    Due 28 days after a course's first session, then 28 days after the last follow-up, while sessions
    continue (`status` says when; `config set followup-interval DAYS`). Answers that are worth raising
    with your provider show at once and in the report. Ctrl-C keeps what was answered.
    """
    from ketalog import timeparse

    moment = timeparse.parse_at(at)
    stopped = False
    if answers is not None:
        try:
            given = followup.read_answers(answers)
        except ValueError as error:
            field, why = error.args
            raise InputError(field, why) from None
    elif not interactive(no_input):
        raise InputError(
            "--answers", f"needed when not asking: {len(followup.QUESTIONS)} values in order, - to skip one"
        )
    else:
        given, stopped = _ask_all()
    kept = {column: value for column, value in given.items() if value is not None}
    if stopped and not kept:
        raise Interrupted("cancelled before any answer; nothing saved")
    if not kept:
        raise InputError("--answers" if answers is not None else "answers", "every question was skipped; nothing saved")
    from ketalog import store
    from ketalog.reading.longterm import answered_concerns

    with state(ctx).open(write=True) as db:
        entry = cast("Followup", store.insert(db, "followup", moment, kept))
        earlier = store.followups(db, None)
    found = answered_concerns(entry, earlier[0] if earlier else None)
    raised = [
        *(f"Bladder: {text}" for text in found.bladder),
        *("Memory or concentration: clearly worse" for _ in found.memory),
        *(f"Use: {text}" for text in found.use),
    ]
    from ketalog.render.text import followup_text, short_id

    lines = [f"Follow-up saved ({short_id(entry.id)}): {followup_text(entry)}."]
    if raised:
        lines += ["Worth raising with your provider:", *(f"  {line}" for line in raised)]
    emit({**entry.to_json(), "worth_raising": raised}, as_json, "\n".join(lines))
    if stopped:
        raise Interrupted(
            f"stopped after {len(given)} of {len(followup.QUESTIONS)} questions: those answers were saved"
        )


followup_command.__doc__ = (followup_command.__doc__ or "") + (
    f"\n\n    The questions, in order ({followup.LABEL}):\n\n    \b\n"
    + "\n".join(f"    {line}" for line in followup.help_listing().splitlines())
    + "\n\n    Examples:\n      ketalog followup\n      ketalog followup --answers "
    + "8,1,2,0,no,0,no,-,no,0,not-applicable,-\n"
)

COMMANDS = {"followup": followup_command}

commands = command_group("Lab results, judged only against your lab's printed range.")


@commands.command("add")
def lab_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The test as the lab wrote it: ALT, AST, GGT, ALP, bilirubin...")],
    value: Annotated[str, typer.Argument(help="The result, a number.")],
    unit: Annotated[str, typer.Argument(help="Its unit as printed: U/L, µmol/L, mg/dL...")],
    range_: Annotated[
        Optional[str],
        typer.Option("--range", metavar="LOW-HIGH", help="The reference range your lab printed, e.g. 7-56."),
    ] = None,
    at: AtOpt = None,
    note: NoteOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a lab result. Outside the range your lab printed (the range is inclusive) is all ketalog says.

    Examples:
      ketalog lab add ALT 42 U/L --range 7-56 --at 2026-03-01
      ketalog lab add bilirubin 0.8 mg/dL --range 0.1-1.2
    """
    from ketalog import store, timeparse
    from ketalog import validation as valid

    moment = timeparse.parse_at(at)
    values: dict[str, object] = {
        "name": valid.lab_text(name, "NAME"),
        "value": valid.number(value, "VALUE", -valid.LAB_VALUE_LIMIT, valid.LAB_VALUE_LIMIT),
        "unit": valid.lab_text(unit, "UNIT", 30),
    }
    if range_ is not None:
        values["range_low"], values["range_high"] = valid.lab_range(range_)
    if note and note.strip():
        values["note"] = note
    with state(ctx).open(write=True) as db:
        lab = cast("Lab", store.insert(db, "lab", moment, values))
    from ketalog.render.text import lab_text, short_id

    emit(lab.to_json(), as_json, f"Lab result saved ({short_id(lab.id)}): {lab_text(lab)}.")


@commands.command("list")
def lab_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Your lab results, newest first.

    Examples:
      ketalog lab list
      ketalog lab list --json
    """
    from ketalog import store

    with state(ctx).open(write=False) as db:
        labs = cast("list[Lab]", store.list_entries(db, ["lab"])[0])
    from ketalog.render.text import lab_text, short_id, when

    text = "\n".join(f"{short_id(lab.id)}  {when(lab)}  {lab_text(lab)}" for lab in labs)
    emit([lab.to_json() for lab in labs], as_json, text or "No lab results: `ketalog lab add NAME VALUE UNIT`.")
