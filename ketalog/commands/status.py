"""`ketalog status`: where you are in the course and what is due, at a glance (also bare `ketalog`)."""

from typing import Annotated

import typer

from ketalog.commands.common import JsonOpt, emit, one_of, say, state

ShortOpt = Annotated[bool, typer.Option("--short", help="One line, for a shell prompt or a tmux status bar.")]


def status_command(ctx: typer.Context, short: ShortOpt = False, as_json: JsonOpt = False) -> None:
    """Where you are in the course and what is due (also bare `ketalog`). Your course, last session, how long
    mood has stayed up, what is due, and what to discuss.

    Descriptive, never advice. `--short` prints one fast line; `--json` the same facts for scripts.

    Examples:
      ketalog status
      ketalog status --short
      ketalog status --json
    """
    from ketalog import reports, timeparse
    from ketalog.courses import days_between

    one_of(short=short, json=as_json)
    now = timeparse.now()
    with state(ctx).open(write=False) as db:
        course, due, planned = reports.standing(db, now)
        ahead = [row for row in planned if not row["done"]]
        next_planned = ahead[0]["local_date"] if ahead else None
        last_days = days_between(course.last, now) if course else None
        if short:
            say(_short_line(course, last_days, due, next_planned))
            return
        from ketalog.reading.rules import WINDOW

        # The last 14 days: the flags and safety notice that are current; durability is course-wide anyway.
        report = reports.build(db, now, now - WINDOW, None, listed=0)  # lists no session
        from ketalog import seen

        shown = seen.load(db) if report.flags else {}
        new, _ = seen.split(shown, report.flags)
    data = {
        "course": None
        if course is None
        else {
            "number": course.number,
            "started": course.started.isoformat(timespec="minutes"),
            "phase": course.phase(now),
            "sessions": course.session_count,
        },
        "last_session": None
        if course is None
        else {"at": course.last.isoformat(timespec="minutes"), "days_ago": last_days},
        "durability": {
            key: getattr(report.durability, key)
            for key in ("km_median_days", "at_least_days", "events", "censored", "no_data", "last_session_days_ago")
        },
        "due": due,
        "next_planned": next_planned,
        "flags": [{"id": f.id, "title": f.title, "new": f in new} for f in report.flags],
        "safety": report.safety.notice,
    }
    if as_json:
        if report.safety.notice:
            from ketalog.commands.common import announce_safety

            announce_safety(as_json=True)
        emit(data, True, "")
        return
    from ketalog.render.status import status_lines

    say("\n".join(status_lines(data, report)))
    # Only a person reading counts as having seen the flags: a script polling --json does not.
    seen.remember(state(ctx), report.flags, now.date(), shown)


def _short_line(course, last_days, due: list[dict], next_planned: str | None) -> str:
    from ketalog.render.status import due_label

    parts = []
    if course is not None:
        parts.append(f"course {course.number}, day {last_days} since session {course.session_count}")
    if next_planned:
        parts.append(f"next session {next_planned}")
    if due:
        parts.append("due: " + ", ".join("check-in" if d["what"] == "checkin" else due_label(d) for d in due))
    return "ketalog: " + (" · ".join(parts) if parts else "nothing due")


COMMANDS = {"status": status_command}
