"""`ketalog survey`: the shipped questionnaires, clinician-given totals, and the item-9 safety rule.

The crisis notice is printed by ``announce_safety`` the moment a PHQ-9 item 9
answer above 0 is known -- before the total, before saving -- in the
interactive form, with ``--answers``, on edit, and (later) on import.
"""

from typing import Annotated, Optional

import typer

from ketalog import crisis
from ketalog import instruments as inst
from ketalog.commands.common import AtOpt, JsonOpt, NoInputOpt, announce_safety, ask, emit, interactive, state
from ketalog.errors import InputError
from ketalog.values import difficulty as difficulty_answer

commands = survey_app = typer.Typer(
    help="Validated questionnaires (PHQ-9, PHQ-2, GAD-7, PCL-5) and totals your clinician gives you.",
    no_args_is_help=True, rich_markup_mode=None)

AnswersOpt = Annotated[Optional[str], typer.Option(
    "--answers", metavar="1,2,0,...", help="One answer per item, in order; skips the questions.")]
DifficultyOpt = Annotated[Optional[str], typer.Option(
    "--difficulty", metavar="0-3", help="The unscored difficulty question (PHQ-9, GAD-7).")]


def header(instrument: inst.Instrument) -> str:
    lines = [f"{instrument.name} — {instrument.measures}", f"{instrument.attribution} {instrument.terms}", ""]
    if instrument.instruction:
        lines += [instrument.instruction, ""]
    lines.append(instrument.stem)
    lines.append("   " + "   ".join(f"{value} = {label}" for value, label in instrument.options))
    return "\n".join(lines)


def _interactive_answers(instrument: inst.Instrument) -> list[int]:
    typer.echo(header(instrument))
    answers: list[int] = []
    count = len(instrument.items)
    for number, item in enumerate(instrument.items, start=1):
        typer.echo(f"\nItem {number} of {count}: {item}")
        while True:
            answer = ask(f"Answer 0-{instrument.max_option}",
                                 lambda text, n=number: inst.parse_option(instrument, text, n))
            if answer is not None:
                break
            typer.echo(f"  every item needs an answer from 0 to {instrument.max_option}", err=True)
        answers.append(answer)
        if instrument.safety_item == number and answer > 0:
            announce_safety()
    return answers


def _askdifficulty_answer() -> int | None:
    typer.echo("\n" + inst.DIFFICULTY_QUESTION)
    typer.echo("   " + "   ".join(f"{value} = {label}" for value, label in inst.DIFFICULTY_OPTIONS))
    return ask("Answer 0-3 (Enter to skip)",
                       lambda text: difficulty_answer(text, "difficulty"))


def record(ctx: typer.Context, instrument: inst.Instrument, answers_text: str | None,
           difficulty_text: str | None, at: str | None, as_json: bool, no_input: bool) -> None:
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
    else:
        if not interactive(no_input):
            raise InputError("--answers", f"needed when not asking: {len(instrument.items)} answers, "
                                          f"each 0-{instrument.max_option}, e.g. --answers "
                                          + ",".join(["1"] * len(instrument.items)))
        answers = _interactive_answers(instrument)
        result = inst.score(instrument, answers)
        if instrument.asks_difficulty and difficulty is None:
            difficulty = _askdifficulty_answer()
    values = {"instrument": instrument.id, "answers": answers, "total": result.total,
              "band": result.band, "difficulty": difficulty}
    save_and_report(ctx, moment, values, result, as_json)


def save_and_report(ctx: typer.Context, moment, values: dict, result: inst.Score, as_json: bool) -> None:
    from ketalog import store

    with state(ctx).open(write=True) as db:
        entry = store.insert(db, "survey", moment, values)
        history = store.surveys_of(db, entry.instrument)
        course_start = store.first_session_at(db)
    outcome = outcome_of(entry, history, course_start, result)
    data = {**entry.to_json(), "assessment": outcome}
    if result.safety_positive:
        data["crisis_resources"] = crisis.as_json()
    emit(data, as_json, outcome_text(entry, outcome))


def outcome_of(entry, history: list, course_start, result: inst.Score) -> dict:
    """Total, band or cutoff, and change from baseline and from the previous score."""
    instrument = inst.INSTRUMENTS.get(entry.instrument)
    earlier = [s for s in history if s.id != entry.id and (s.at, s.created_at) <= (entry.at, entry.created_at)]
    baseline = inst.select_baseline(history, course_start)
    outcome: dict = {
        "total": entry.total, "max_total": instrument.max_total if instrument else None,
        "band": entry.band, "at_or_above_cutoff": result.at_or_above_cutoff,
        "cutoff": instrument.cutoff if instrument else None, "clusters": result.clusters or None,
        "baseline": None, "previous": None,
    }
    if baseline is not None and baseline.id != entry.id:
        change = inst.compare(entry.instrument, baseline.total, entry.total)
        outcome["baseline"] = {"at": baseline.at.isoformat(), "total": baseline.total, **change.__dict__}
    if earlier:
        previous = earlier[-1]
        change = inst.compare(entry.instrument, previous.total, entry.total)
        outcome["previous"] = {"at": previous.at.isoformat(), "total": previous.total, **change.__dict__}
    return outcome


def _signed(number: float) -> str:
    return f"{number:+g}" if number else "no change"


def outcome_text(entry, outcome: dict) -> str:
    from ketalog.render.text import short_id

    instrument = inst.INSTRUMENTS.get(entry.instrument)
    name = instrument.name if instrument else entry.instrument
    line = f"{name} total {entry.total}" + (f" of {outcome['max_total']}" if outcome["max_total"] else "")
    if entry.band:
        line += f": {entry.band} (bands: {instrument.bands_source})"
    elif instrument and instrument.cutoff is not None:
        relation = "at or above" if outcome["at_or_above_cutoff"] else "below"
        line += f": {relation} {instrument.cutoff}, the {instrument.cutoff_label}"
    lines = [line]
    if outcome.get("clusters"):
        lines.append("Clusters: " + ", ".join(f"{k} {v}" for k, v in outcome["clusters"].items()))
    for label, key in (("Since baseline", "baseline"), ("Since previous", "previous")):
        other = outcome[key]
        if not other:
            continue
        text = f"{label} ({other['at'][:10]}, {other['total']}): {_signed(other['change'])}"
        if other["change_pct"] is not None and other["change"]:
            text += f" ({other['change_pct']:+.0f}%)"
        marks = []
        if other["improved"]:
            marks.append(f"meaningful improvement (>= {instrument.mcid} points)")
        if other["worsened"]:
            marks.append(f"meaningful worsening (>= {instrument.mcid} points)")
        if key == "baseline" and other["response"]:
            marks.append("response (>= 50% lower than baseline)")
        if key == "baseline" and other["remission"]:
            marks.append("remission (total below 5)")
        lines.append(text + ("; " + "; ".join(marks) if marks else ""))
    if not outcome["baseline"] and not outcome["previous"]:
        lines.append("This is your first score on this scale: later scores will be compared with it.")
    lines.append(f"Saved ({short_id(entry.id)}).")
    return "\n".join(lines)


def _instrument_command(instrument: inst.Instrument):
    def command(ctx: typer.Context, answers: AnswersOpt = None, difficulty: DifficultyOpt = None,
                at: AtOpt = None, as_json: JsonOpt = False, no_input: NoInputOpt = False) -> None:
        record(ctx, instrument, answers, difficulty, at, as_json, no_input)

    command.__doc__ = (f"{instrument.name}: {instrument.measures} ({len(instrument.items)} items, total "
                       f"0-{instrument.max_total}). {instrument.attribution} {instrument.terms}")
    return command


for _instrument in inst.INSTRUMENTS.values():
    survey_app.command(_instrument.id)(_instrument_command(_instrument))


@survey_app.command("log")
def log_total(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The scale, e.g. MADRS, QIDS-SR16, Y-BOCS.")],
    total: Annotated[str, typer.Argument(metavar="TOTAL", help="The total your clinician gave you (a whole number).")],
    at: AtOpt = None, as_json: JsonOpt = False,
) -> None:
    """Record a total a clinician gave for any named scale (no item text is stored or shown)."""
    from ketalog import timeparse
    from ketalog.validation import whole_number

    from ketalog import store

    moment = timeparse.parse_at(at)
    scale = inst.normalise_id(name)
    if not scale:
        raise InputError("NAME", "give the scale's name, e.g. MADRS")
    result = inst.score_total(scale, whole_number(total, "TOTAL", 0, 10_000))
    if scale not in inst.INSTRUMENTS:
        with state(ctx).open(write=False) as db:
            scale = store.existing_instrument_name(db, scale)  # "madrs" joins earlier "MADRS" scores
        result = inst.score_total(scale, result.total)
    values = {"instrument": scale, "answers": None, "total": result.total, "band": result.band, "difficulty": None}
    save_and_report(ctx, moment, values, result, as_json)


@survey_app.command("list-instruments")
def list_instruments(as_json: JsonOpt = False) -> None:
    """The questionnaires ketalog ships: range, what each measures, terms and attribution."""
    data = [{"id": i.id, "name": i.name, "items": len(i.items), "range": [0, i.max_total], "measures": i.measures,
             "bands": [b.__dict__ for b in i.bands], "cutoff": i.cutoff, "mcid": i.mcid,
             "attribution": i.attribution, "terms": i.terms} for i in inst.INSTRUMENTS.values()]
    text = "\n\n".join(
        f"{i.id:<6} {i.name}: {i.measures}; {len(i.items)} items, total 0-{i.max_total}"
        + (f"; bands {', '.join(f'{b.low}-{b.high} {b.label}' for b in i.bands)} ({i.bands_source})" if i.bands else "")
        + (f"; {i.cutoff_label}: >= {i.cutoff}" if i.cutoff is not None else "")
        + (f"; meaningful change >= {i.mcid} points ({i.mcid_source})" if i.mcid else "")
        + f"\n       {i.attribution} {i.terms}"
        for i in inst.INSTRUMENTS.values())
    emit(data, as_json, text + "\n\nAny other scale: `ketalog survey log NAME TOTAL` records the total only.")
