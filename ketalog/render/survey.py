"""Questionnaires as text: the header before the items, what a score means after saving, the catalogue. No Rich."""

from __future__ import annotations

from ketalog import instruments as inst
from ketalog.render.text import short_id


def header(instrument: inst.Instrument) -> str:
    lines = [f"{instrument.name} — {instrument.measures}", f"{instrument.attribution} {instrument.terms}", ""]
    if instrument.instruction:
        lines += [instrument.instruction, ""]
    lines.append(instrument.stem)
    lines.append("   " + "   ".join(f"{value} = {label}" for value, label in instrument.options))
    return "\n".join(lines)


def safety_unanswered_text(instrument: inst.Instrument) -> str:
    """Said when the safety item is skipped: it is recorded as not answered, never as 0."""
    return (
        f"Item {instrument.safety_item} not answered. It is kept as not answered (never as 0), "
        "and your report will say so."
    )


def cutoff_text(instrument: inst.Instrument, total: float) -> str:
    """Where a total stands against the instrument's screening or provisional cutoff, in words."""
    cutoff = instrument.cutoff
    if cutoff is None:
        return ""
    if total >= cutoff:
        return f"at or above {cutoff}, the {instrument.cutoff_label}"
    if instrument.cutoff_range_low is not None and total >= instrument.cutoff_range_low:
        return f"in the {instrument.cutoff_range_low}–{cutoff} range where probable PTSD begins (provisional cutoff)"
    return f"below {cutoff}, the {instrument.cutoff_label}"


def _signed(number: float) -> str:
    return f"{number:+g}" if number else "no change"


def score_line(entry, outcome: dict) -> str:
    """The total (or why there is none), with its band or cutoff."""
    instrument = inst.INSTRUMENTS.get(entry.instrument)
    name = inst.display_name(entry.instrument)
    if entry.total is None:
        skipped = ", ".join(map(str, entry.skipped))
        limit = instrument.max_prorated if instrument else 0
        allowed = f"at most {limit} may be left unanswered" if limit else "every item is needed"
        return f"{name}: incomplete, no total (items {skipped} not answered; {allowed} to score it)"
    line = f"{name} total {entry.total}" + (f" of {outcome['max_total']}" if outcome["max_total"] else "")
    if entry.prorated:
        line += (
            f" (prorated: item{'s' if len(entry.skipped) > 1 else ''} {', '.join(map(str, entry.skipped))} "
            "not answered)"
        )
    if entry.band and instrument:
        line += f": {entry.band} (bands: {instrument.bands_source})"
    elif instrument and instrument.cutoff is not None:
        line += f": {cutoff_text(instrument, entry.total)}"
    return line


def outcome_text(entry, outcome: dict) -> str:
    instrument = inst.INSTRUMENTS.get(entry.instrument)
    scale = inst.CLINICIAN_SCALES.get(entry.instrument)
    mcid = instrument.mcid if instrument else None
    lines = [score_line(entry, outcome)]
    if entry.safety_unanswered and instrument:
        lines.append(f"Item {instrument.safety_item} not answered.")
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
            marks.append(f"meaningful improvement (>= {mcid} points)")
        if other["worsened"]:
            marks.append(f"meaningful worsening (>= {mcid} points)")
        if key == "baseline" and other["response"]:
            marks.append("response (score halved or better)")
        if key == "baseline" and other["remission"]:
            where = f"at or below {scale.remission_max}" if scale else "in the minimal range, below 5"
            marks.append(f"remission ({where})")
        lines.append(text + ("; " + "; ".join(marks) if marks else ""))
    if outcome.get("comparison") == "too_soon":
        lines.append("Too soon to compare with the baseline: a comparison counts once the recall periods part.")
    if outcome.get("comparison") == "is_baseline" and outcome["previous"]:
        lines.append("This score is the course's baseline: later scores will be compared with it.")
    if entry.total is not None and not outcome["baseline"] and not outcome["previous"]:
        lines.append("This is your first score on this scale: later scores will be compared with it.")
    lines.append(f"Saved ({short_id(entry.id)}).")
    return "\n".join(lines)


def instruments_text() -> str:
    """`survey list-instruments` for people: each instrument in a paragraph, then the clinician scales."""
    paragraphs = []
    for i in inst.INSTRUMENTS.values():
        text = f"{i.id:<6} {i.name}: {i.measures}; {len(i.items)} items, total 0-{i.max_total}"
        if i.bands:
            text += f"; bands {', '.join(f'{b.low}-{b.high} {b.label}' for b in i.bands)} ({i.bands_source})"
        if i.cutoff is not None:
            text += f"; {i.cutoff_label}: >= {i.cutoff}"
        if i.mcid:
            text += f"; meaningful change >= {i.mcid} points ({i.mcid_source})"
        if i.max_prorated:
            text += f"; up to {i.max_prorated} unanswered item{'s' if i.max_prorated > 1 else ''} prorated"
        paragraphs.append(text + f"\n       {i.attribution} {i.terms}")
    scales = ["Clinician scales (`ketalog survey log NAME TOTAL`; totals only, no item text):"]
    for s in inst.CLINICIAN_SCALES.values():
        thresholds = []
        if s.response_fall:
            thresholds.append(f"response >= {s.response_fall:.0%} fall")
        if s.remission_max is not None:
            thresholds.append(f"remission <= {s.remission_max}")
        scales.append(
            f"  {s.name:<10} 0-{s.max_total}" + (f"; {', '.join(thresholds)}" if thresholds else "") + f" ({s.source})"
        )
    scales.append("  Any other name is accepted as given, with no range or thresholds.")
    return "\n\n".join(paragraphs) + "\n\n" + "\n".join(scales)
