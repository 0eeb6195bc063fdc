"""`ketalog survey`: the shipped questionnaires, clinician-given totals, and the item-9 safety rule.

The crisis notice is printed by ``announce_safety`` the moment a PHQ-9 item 9
answer above 0 is known -- before the total, before saving -- in the
interactive form and with ``--answers`` here, and by `edit` and `import`.
"""

from functools import partial
from typing import Annotated, Optional

import typer

from ketalog import crisis
from ketalog import instruments as inst
from ketalog.commands.common import (
    AtOpt,
    JsonOpt,
    NoInputOpt,
    announce_safety,
    ask,
    command_group,
    emit,
    interactive,
    say,
    state,
)
from ketalog.entry_fields import difficulty as difficulty_answer
from ketalog.errors import InputError, Interrupted

commands = command_group("Questionnaires: PHQ-9, PHQ-2, GAD-7, PCL-5, clinician totals.")

AnswersOpt = Annotated[
    Optional[str],
    typer.Option(
        "--answers",
        metavar="1,2,-,0,...",
        help="One answer per item, in order; - leaves an item unanswered. Skips the questions.",
    ),
]
DifficultyOpt = Annotated[
    Optional[str], typer.Option("--difficulty", metavar="0-3", help="The unscored difficulty question (PHQ-9, GAD-7).")
]

_SKIPPED = object()  # an item the person chose not to answer ('s'), as opposed to Enter (asked again)


def _item_answer(instrument: inst.Instrument, text: str, *, number: int):
    answer = inst.parse_option(instrument, text, number)
    return _SKIPPED if answer is None else answer


def _interactive_answers(instrument: inst.Instrument) -> list[int | None]:
    """Every scored item, asked in order. The safety item's answer shows the crisis resources at once."""
    from ketalog.render.survey import header, safety_unanswered_text

    say(header(instrument))
    say("(Type s to skip an item you would rather not answer; it is recorded as not answered.)")
    answers: list[int | None] = []
    count = len(instrument.items)
    for number, item in enumerate(instrument.items, start=1):
        say(f"\nItem {number} of {count}: {item}")
        while True:
            answer = ask(
                f"Answer 0-{instrument.max_option}, or s to skip", partial(_item_answer, instrument, number=number)
            )
            if answer is not None:
                break
            say(f"  type an answer from 0 to {instrument.max_option}, or s to skip this item", err=True)
        answers.append(None if answer is _SKIPPED else answer)
        if number == instrument.safety_item:
            so_far = answers + [None] * (count - number)
            if inst.safety_positive(instrument.id, so_far):
                announce_safety()
            elif inst.safety_unanswered(instrument.id, so_far):
                say(safety_unanswered_text(instrument))
    return answers


def _ask_difficulty(instrument: inst.Instrument) -> int | None:
    say("\n" + (instrument.difficulty or ""))
    say("   " + "   ".join(f"{value} = {label}" for value, label in inst.DIFFICULTY_OPTIONS))
    return ask("Answer 0-3 (Enter to skip)", lambda text: difficulty_answer(text, "difficulty"))


def record(
    ctx: typer.Context,
    instrument: inst.Instrument,
    answers_text: str | None,
    difficulty_text: str | None,
    at: str | None,
    as_json: bool,
    no_input: bool,
) -> None:
    from ketalog import timeparse

    moment = timeparse.parse_at(at)
    difficulty = difficulty_answer(difficulty_text)
    if difficulty is not None and not instrument.asks_difficulty:
        raise InputError("--difficulty", f"{instrument.name} has no difficulty question")
    if answers_text is not None:
        answers = inst.parse_answers(instrument, answers_text)
        result = inst.score(instrument, answers)
        if result.safety_positive:
            announce_safety(as_json)
        save_and_report(ctx, moment, _values(instrument, answers, result, difficulty), result, as_json)
        return
    if not interactive(no_input):
        raise InputError(
            "--answers",
            f"needed when not asking: {len(instrument.items)} answers, "
            f"each 0-{instrument.max_option} or - to skip one, e.g. --answers "
            + ",".join(["1"] * len(instrument.items)),
        )
    try:
        answers = _interactive_answers(instrument)
    except Interrupted:
        raise Interrupted("cancelled before the last item; nothing saved") from None
    result = inst.score(instrument, answers)
    # The scored answers are stored before any optional question is asked: whatever the prompt library
    # does with Ctrl-C there, an answered questionnaire (a positive item 9 above all) is already safe.
    entry = _save(ctx, moment, _values(instrument, answers, result, difficulty))
    stopped = False
    if instrument.asks_difficulty and difficulty is None:
        try:
            difficulty = _ask_difficulty(instrument)
        except Interrupted:
            stopped = True
        if difficulty is not None:
            entry = _update(ctx, entry, {"difficulty": difficulty})
    _report(ctx, entry, result, as_json)
    if stopped:
        raise Interrupted("stopped at the difficulty question: your answers were saved without it")


def _values(instrument: inst.Instrument, answers: list[int | None], result: inst.Score, difficulty: int | None) -> dict:
    return {
        "instrument": instrument.id,
        "answers": answers,
        "total": result.total,
        "band": result.band,
        "difficulty": difficulty,
        "prorated": int(result.prorated),
    }


def _save(ctx: typer.Context, moment, values: dict):
    from ketalog import store

    with state(ctx).open(write=True) as db:
        return store.insert(db, "survey", moment, values)


def _update(ctx: typer.Context, entry, changes: dict):
    from ketalog import store

    with state(ctx).open(write=True) as db:
        return store.update(db, entry, changes)


def save_and_report(ctx: typer.Context, moment, values: dict, result: inst.Score, as_json: bool) -> None:
    _report(ctx, _save(ctx, moment, values), result, as_json)


def _report(ctx: typer.Context, entry, result: inst.Score, as_json: bool) -> None:
    from ketalog import store
    from ketalog.courses import course_at

    with state(ctx).open(write=False) as db:
        history = store.surveys_of(db, entry.instrument)
        course = course_at(store.courses(db), entry.at)
        directions = store.scale_directions(db)
    course_start = course.started if course else None
    from ketalog.reading.scores import score_outcome
    from ketalog.render.survey import outcome_text

    outcome = score_outcome(entry, history, course_start, result, directions)
    data = {**entry.to_json(), "assessment": outcome}
    if result.safety_positive:
        data["crisis_resources"] = crisis.as_json()
    emit(data, as_json, outcome_text(entry, outcome))


def _instrument_command(instrument: inst.Instrument):
    def command(
        ctx: typer.Context,
        answers: AnswersOpt = None,
        difficulty: DifficultyOpt = None,
        at: AtOpt = None,
        as_json: JsonOpt = False,
        no_input: NoInputOpt = False,
    ) -> None:
        record(ctx, instrument, answers, difficulty, at, as_json, no_input)

    command.__doc__ = (
        f"{instrument.name}: {instrument.measures} ({len(instrument.items)} items, total "
        f"0-{instrument.max_total}). {instrument.attribution} {instrument.terms}\n\n"
        f"Examples:\n  ketalog survey {instrument.id}\n"
        f"  ketalog survey {instrument.id} --answers {','.join('1' * len(instrument.items))} --at yesterday"
    )
    return command


for _instrument in inst.INSTRUMENTS.values():
    commands.command(_instrument.id)(_instrument_command(_instrument))


@commands.command("log")
def log_total(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="The scale: MADRS, QIDS-SR16, HAM-D17, BDI-II, CADSS, "
            "CADSS-6 (checked against their ranges), or any other name.",
        ),
    ],
    total: Annotated[str, typer.Argument(metavar="TOTAL", help="The total your clinician gave you (a whole number).")],
    at: AtOpt = None,
    direction: Annotated[
        Optional[bool],
        typer.Option(
            "--higher-is-better/--lower-is-better",
            help="For a scale ketalog does not know: which way is better (asked once, remembered). Without it "
            "its changes are shown with no verdict.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a total a clinician gave for a named scale (no item text is stored or shown).

    Examples:
      ketalog survey log MADRS 24
      ketalog survey log QIDS-SR16 11 --at 2026-03-01
      ketalog survey log WHO-5 60 --higher-is-better
    """
    from ketalog import store, timeparse
    from ketalog.validation import whole_number

    moment = timeparse.parse_at(at)
    scale = inst.normalise_id(name)
    if not scale:
        raise InputError("NAME", "give the scale's name, e.g. MADRS")
    result = inst.score_total(scale, whole_number(total, "TOTAL", 0, 10_000))
    known = scale in inst.CLINICIAN_SCALES or scale in inst.INSTRUMENTS
    if known and direction is not None:
        raise InputError(
            "--higher-is-better" if direction else "--lower-is-better",
            f"{inst.display_name(scale)} is a scale ketalog knows; its direction is not yours to set",
        )
    if not known:
        with state(ctx).open(write=False) as db:
            scale = store.existing_instrument_name(db, scale)  # "y-bocs" joins earlier "Y-BOCS" scores
    if direction is not None:
        with state(ctx).open(write=True) as db:
            store.set_scale_direction(db, scale, direction)
    values = {"instrument": scale, "answers": None, "total": result.total, "band": result.band, "difficulty": None}
    save_and_report(ctx, moment, values, result, as_json)


@commands.command("list-instruments")
def list_instruments(as_json: JsonOpt = False) -> None:
    """The questionnaires ketalog ships, the clinician scales it knows, and its own follow-up questions.

    Examples:
      ketalog survey list-instruments
      ketalog survey list-instruments --json
    """
    from ketalog import followup
    from ketalog.render.survey import instruments_text

    own = followup.catalogue()
    text = instruments_text() + f"\n\n{own['name']} (`{own['command']}`; {own['label']}):\n"
    text += "\n".join(f"  {line}" for line in followup.help_listing().splitlines())
    emit({**inst.catalogue(), "own_questions": [own]}, as_json, text)
