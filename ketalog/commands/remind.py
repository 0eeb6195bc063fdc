"""`ketalog remind`: a daily offline reminder of what is due (a local job and a desktop notification)."""

from typing import Annotated, Optional

import typer

from ketalog.commands.common import command_group, say, standing, state
from ketalog.errors import InputError, KetalogError

commands = remind_app = command_group("Offline reminders: a daily local job that notifies you of what is due.")
SurveyDayOpt = Annotated[
    Optional[str],
    typer.Option("--survey-day", metavar="DAY", help="Mention due questionnaires only on this weekday (mon..sun)."),
]


def _survey_day(text: str | None) -> str | None:
    from ketalog.courses import WEEKDAYS

    if text is None:
        return None
    if text.strip().lower()[:3] not in WEEKDAYS:
        raise InputError("--survey-day", f"must be a weekday, mon..sun (got {text!r})")
    return text.strip().lower()[:3]


@remind_app.command("install")
def remind_install(
    ctx: typer.Context,
    at: Annotated[str, typer.Option("--at", metavar="HH:MM", help="When to remind each day.")] = "20:00",
    survey_day: SurveyDayOpt = None,
) -> None:
    """Set up the daily job: a systemd user timer, else a crontab line; a launchd agent on macOS.

    Running it again replaces the job. Examples:
      ketalog remind install --at 19:30 --survey-day sun
    """
    import re

    from ketalog import reminders

    match = re.fullmatch(r"(\d{1,2}):(\d{2})", at.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise InputError("--at", f"must be a time like 20:00 (got {at!r})")
    command = reminders.job_command(state(ctx).path, _survey_day(survey_day))
    try:
        lines = reminders.install(command, int(match.group(1)), int(match.group(2)))
    except OSError as error:
        raise KetalogError(f"could not set up the reminder: {error}") from None
    say("\n".join(lines + [f"Daily at {at.strip()}: `ketalog remind run` notifies you of what is due."]))


@remind_app.command("uninstall")
def remind_uninstall() -> None:
    """Remove exactly what `remind install` added.

    Examples:
      ketalog remind uninstall
    """
    from ketalog import reminders

    try:
        removed = reminders.uninstall()
    except OSError as error:
        raise KetalogError(f"could not remove the reminder: {error}") from None
    say("Removed " + "; ".join(removed) + "." if removed else "No ketalog reminder was installed.")


@remind_app.command("status")
def remind_status() -> None:
    """Which reminder job is installed, if any.

    Examples:
      ketalog remind status
    """
    from ketalog import reminders

    found = reminders.installed()
    say("\n".join(found) if found else "No ketalog reminder is installed: `ketalog remind install`.")


@remind_app.command("run")
def remind_run(ctx: typer.Context, survey_day: SurveyDayOpt = None) -> None:
    """What the daily job calls: one notification listing what is due, nothing when nothing is.

    Reads only: it never writes to the database and never uses the network.

    Examples:
      ketalog remind run
      ketalog remind run --survey-day monday
    """
    from ketalog import reminders, timeparse
    from ketalog.courses import WEEKDAYS
    from ketalog.instruments import display_name

    day = _survey_day(survey_day)
    now = timeparse.now()
    if not state(ctx).path.exists():
        return
    with state(ctx).open(write=False) as db:
        _, due, planned = standing(db, now)
    today = [row for row in planned if row["local_date"] == now.date().isoformat()]
    if day is not None and WEEKDAYS[now.weekday()] != day:
        due = [item for item in due if item["what"] == "checkin"]
    items = ["today's check-in" if d["what"] == "checkin" else display_name(d["what"]) for d in due]
    if today:
        items.append("a planned session today")
    if items:
        reminders.notify("Due: " + ", ".join(items) + ".")
