"""What an import or a sync did, in words: added, replaced, deleted, kept, and how the file was read."""

from __future__ import annotations

from ketalog.formats.plan import ImportPlan, ImportResult


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counter.items())


def _done(verb: str, dry_run: bool) -> str:
    return f"Would {verb}" if dry_run else f"{verb.capitalize()}d"


def result_lines(result: ImportResult, source: str, dry_run: bool = False) -> list[str]:
    """What changed, one line per kind of change (added first, always said)."""
    lines = []
    if result.updated:
        why = " (edited later elsewhere)." if source == "ketalog" else f" (changed in {source} since)."
        lines.append(f"{_done('update', dry_run)}: {_counts(result.updated)}{why}")
    if result.overwritten:
        lines.append(
            "Edits made here that another device changed or deleted later without having seen them "
            "(the newer change wins): " + ", ".join(result.overwritten) + "."
        )
    if result.deleted:
        lines.append(
            f"{_done('delete', dry_run)}: {_counts(result.deleted)} (deleted elsewhere, after their last change)."
        )
    if result.brought_back:
        lines.append(
            f"Brought back {sum(result.brought_back.values())} you deleted here: "
            "they were edited elsewhere after the delete, and the newer change wins."
        )
    if result.kept_edits:
        kept = sum(result.kept_edits.values())
        lines.append(
            f"Kept {kept} of your edits: entries changed in ketalog since the last import were left as you made them."
        )
    if result.kept_deleted:
        gone = sum(result.kept_deleted.values())
        lines.append(f"Left out {gone} you deleted in ketalog: deleted here, not brought back.")
    if result.unchanged:
        lines.append(f"Already here: {_counts(result.unchanged)}.")
    return lines


def import_lines(result: ImportResult, plan: ImportPlan, shown_path: str, dry_run: bool) -> list[str]:
    from ketalog.render.text import count_of

    verb = "Would add" if dry_run else "Added"
    lines = [f"{verb}: {_counts(result.added) or 'nothing new'} (from {plan.source} file {shown_path})."]
    lines += result_lines(result, plan.source, dry_run)
    lines += ["How the file was read:"] + [f"  {line}" for line in plan.mapping]
    if plan.warnings:
        lines += [f"Imported with a note ({len(plan.warnings)}):"] + [f"  {line}" for line in plan.warnings[:20]]
    if plan.skipped:
        lines += [f"Skipped {count_of(len(plan.skipped), 'row')}:"] + [f"  {line}" for line in plan.skipped[:20]]
    if dry_run:
        lines.append("Dry run: nothing was changed.")
    return lines


def result_data(result: ImportResult) -> dict:
    """The counts for --json, the same keys for `import` and each device of `sync`."""
    return {
        "added": result.added,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "kept_edits": result.kept_edits,
        "kept_deleted": result.kept_deleted,
        "deleted": result.deleted,
        "brought_back": result.brought_back,
        "overwritten": result.overwritten,
    }


_NOUNS = {
    "sessions": "session",
    "checkins": "check-in",
    "journal": "journal note",
    "surveys": "questionnaire",
    "medication_events": "medicine event",
    "visits": "visit",
    "followups": "follow-up",
    "labs": "lab result",
    "medications": "medicine",
    "side_effects": "side effect",
    "checkin_tags": "check-in tag",
    "journal_tags": "journal tag",
}


def _things(counter: dict[str, int]) -> str:
    from ketalog.render.text import count_of

    return ", ".join(count_of(n, _NOUNS.get(table, table)) for table, n in counter.items())


def sync_lines(outcome) -> list[str]:
    """What `sync` read from each device and wrote for the others."""
    lines = [f"This device is {outcome.device}."]
    if not outcome.devices:
        lines.append("No other device's file is in the folder yet: run `ketalog sync` there too.")
    for device in outcome.devices:
        result = device.result
        if result is None:
            lines.append(f"From {device.device}: nothing read ({device.note}).")
            continue
        changes = [
            template.format(_things(counter))
            for template, counter in (
                ("added {}", result.added),
                ("updated {}", result.updated),
                ("deleted {}", result.deleted),
                ("brought back {} you had deleted (changed there after the delete)", result.brought_back),
                ("left out {} deleted here", result.kept_deleted),
            )
            if counter
        ]
        lines.append(f"From {device.device}: " + ("; ".join(changes) if changes else "nothing new") + ".")
        if result.overwritten:
            lines.append(
                "  Edits made here that were changed or deleted there without being seen first (the newer change "
                "is kept): " + ", ".join(result.overwritten) + "."
            )
    lines.append(f"Wrote {outcome.written} (this device's whole diary, mode 0600).")
    return lines


def health_lines(plan, result: dict, file: str, dry_run: bool) -> list[str]:
    """What a phone export brought: per metric, the days or readings; what was written; what was left out."""
    from ketalog.formats.health import METRICS, READINGS, SOURCE_NAMES

    lines = [f"{SOURCE_NAMES[plan.source]} ({file}):" + (" dry run, nothing written." if dry_run else "")]
    found = plan.summary()
    for metric, count in found.items():
        if metric in METRICS:
            lines.append(f"  {METRICS[metric][1]}: {count:,} day{'s' if count != 1 else ''}")
        else:
            lines.append(f"  {READINGS[metric]}: {count:,} reading{'s' if count != 1 else ''}")
    if not found:
        lines.append(
            "  nothing ketalog reads (sleep, resting heart rate, HRV, mindful minutes, blood pressure, symptoms)"
        )
    verb = "Would add" if dry_run else "Added"
    totals = {kind: sum(table.get(kind, 0) for table in result.values()) for kind in ("added", "updated", "unchanged")}
    lines.append(f"{verb} {totals['added']:,}, updated {totals['updated']:,}, unchanged {totals['unchanged']:,}.")
    if plan.skipped:
        top = ", ".join(f"{name} {count:,}" for name, count in plan.skipped.most_common(5))
        more = len(plan.skipped) - 5
        lines.append(
            f"Left out: {sum(plan.skipped.values()):,} records of {len(plan.skipped)} kinds ketalog does not read "
            f"({top}{f' and {more} more' if more > 0 else ''}; --json lists them)."
        )
    lines += [f"Note: {warning}." for warning in plan.warnings]
    return lines
