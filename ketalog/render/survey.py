"""Questionnaires as text: the header shown before the items, and the result after saving. No Rich."""

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


def _signed(number: float) -> str:
    return f"{number:+g}" if number else "no change"


def outcome_text(entry, outcome: dict) -> str:
    instrument = inst.INSTRUMENTS.get(entry.instrument)
    name = instrument.name if instrument else entry.instrument
    line = f"{name} total {entry.total}" + (f" of {outcome['max_total']}" if outcome["max_total"] else "")
    mcid = instrument.mcid if instrument else None
    if entry.band and instrument:
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
            marks.append(f"meaningful improvement (>= {mcid} points)")
        if other["worsened"]:
            marks.append(f"meaningful worsening (>= {mcid} points)")
        if key == "baseline" and other["response"]:
            marks.append("response (>= 50% lower than baseline)")
        if key == "baseline" and other["remission"]:
            marks.append("remission (total below 5)")
        lines.append(text + ("; " + "; ".join(marks) if marks else ""))
    if not outcome["baseline"] and not outcome["previous"]:
        lines.append("This is your first score on this scale: later scores will be compared with it.")
    lines.append(f"Saved ({short_id(entry.id)}).")
    return "\n".join(lines)
