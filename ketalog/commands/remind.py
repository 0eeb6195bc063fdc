"""`ketalog remind`: a daily offline reminder of what is due (a local job and a desktop notification)."""

from typing import Annotated, Optional

import typer

from ketalog.commands.common import command_group, say, state
from ketalog.errors import InputError, KetalogError

commands = command_group("Offline reminders: a daily local job and a notification.")
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


@commands.command("install")
def remind_install(
    ctx: typer.Context,
    at: Annotated[str, typer.Option("--at", metavar="HH:MM", help="When to remind each day.")] = "20:00",
    survey_day: SurveyDayOpt = None,
) -> None:
    """Set up the daily job: a systemd user timer, else a crontab line; a launchd agent on macOS.

    Running it again replaces the job.

    Examples:
      ketalog remind install --at 19:30 --survey-day sun
    """
    import re

    from ketalog import reminders

    match = re.fullmatch(r"(\d{1,2}):(\d{2})", at.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise InputError("--at", f"must be a time like 20:00 (got {at!r})")
    path = state(ctx).path
    command = reminders.job_command(path, _survey_day(survey_day))
    hour, minute = int(match.group(1)), int(match.group(2))
    try:
        lines = reminders.install(command, hour, minute)
    except OSError as error:
        raise KetalogError(f"could not set up the reminder: {error}") from None
    how = reminders.mechanism(reminders.installed()) or "unknown"
    reminders.record(path, time=f"{hour:02d}:{minute:02d}", mechanism=how)
    lines.append(f"Daily at {hour:02d}:{minute:02d} ({how}): `ketalog remind run` notifies you of what is due.")
    if _encrypted_without_passphrase(path):
        lines.append(ENCRYPTED_JOB)
    say("\n".join(lines))


ENCRYPTED_JOB = (
    "Your diary is encrypted and the daily job has no passphrase, so it cannot read it: give the job "
    "KETALOG_PASSPHRASE (systemctl --user edit ketalog-remind.service, or the crontab line), or decrypt."
)


def _encrypted_without_passphrase(path) -> bool:
    import os

    from ketalog.db import is_encrypted

    return path.exists() and is_encrypted(path) and not os.environ.get("KETALOG_PASSPHRASE")


@commands.command("uninstall")
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


@commands.command("status")
def remind_status(ctx: typer.Context) -> None:
    """Which reminder job is installed, when it runs, and how its last run went.

    Examples:
      ketalog remind status
    """
    from ketalog import reminders

    found = reminders.installed()
    if not found:
        say("No ketalog reminder is installed: `ketalog remind install`.")
        return
    log = reminders.read_log(state(ctx).path)
    lines = [f"Installed: daily at {log.get('time', '?')} by {reminders.mechanism(found) or 'an unknown job'}."]
    lines += found
    if "last_run" not in log:
        lines.append("It has not run yet.")
    elif log.get("ok"):
        lines.append(f"Last run {log['last_run']}: ok ({log.get('message') or 'nothing due'}).")
    else:
        lines.append(f"Last run {log['last_run']}: FAILED: {log.get('message')}")
    say("\n".join(lines))


@commands.command("run")
def remind_run(ctx: typer.Context, survey_day: SurveyDayOpt = None) -> None:
    """What the daily job calls: one notification listing what is due, nothing when nothing is.

    It never writes to the database and never uses the network; how it went is noted in remind-log.json
    beside the database, for `remind status`, and a diary it cannot read is a notification too.

    Examples:
      ketalog remind run
      ketalog remind run --survey-day monday
    """
    from ketalog import reminders, reports, timeparse
    from ketalog.courses import WEEKDAYS
    from ketalog.render.status import due_label

    day = _survey_day(survey_day)
    now = timeparse.now()
    path = state(ctx).path
    if not path.exists():
        return
    stamp = now.isoformat(timespec="minutes")
    try:
        if _encrypted_without_passphrase(path):
            raise KetalogError(ENCRYPTED_JOB)
        with state(ctx).open(write=False) as db:
            _, due, planned = reports.standing(db, now)
    except Exception as error:
        from ketalog.db import describe_database_error, is_database_error

        if not (isinstance(error, KetalogError) or is_database_error(error)):
            raise
        # The job runs unseen: a failure must reach the person, as a notification and in `remind status`
        reason = error.message if isinstance(error, KetalogError) else describe_database_error(error, path.parent)
        reminders.notify(f"ketalog could not read your diary: {reason}")
        reminders.record(path, last_run=stamp, ok=False, message=reason)
        raise
    today = [row for row in planned if row["local_date"] == now.date().isoformat()]
    if day is not None and WEEKDAYS[now.weekday()] != day:
        # Reflections belong to their days after a session, so only questionnaires wait for the chosen day.
        due = [item for item in due if item["what"] in ("checkin", "reflection")]
    items = [due_label(d) for d in due]
    if today:
        items.append("a planned session today")
    message = "Due: " + ", ".join(items) + "." if items else ""
    if items:
        reminders.notify(message)
    reminders.record(path, last_run=stamp, ok=True, message=message or "nothing due")
