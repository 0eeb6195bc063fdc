"""Offline reminders: a daily local job (systemd user timer, else a crontab line, launchd on macOS)
that runs `ketalog remind run`, and the desktop notification it sends. Never touches the network.

Install and uninstall change only what this module writes (marked files and one marked crontab
line), so uninstall leaves nothing behind and install can be run again safely.
"""

from __future__ import annotations

import os
import platform
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

UNIT = "ketalog-remind"
CRON_MARK = "# ketalog-remind"
LAUNCHD_LABEL = "org.ketalog.remind"


def job_command(db_path: Path, survey_day: str | None) -> list[str]:
    """What the job runs: this Python, this database (the job does not see your shell's variables).

    A path holding a control character is refused: a newline would add a crontab entry of its own
    (which uninstall would leave behind), and a plist cannot carry one."""
    from ketalog.errors import InputError
    from ketalog.neutral import is_inert

    for name, value in (("--db", str(db_path)), ("python", sys.executable)):
        if not is_inert(value) or "\n" in value or "\t" in value:
            raise InputError(name, f"{value!r} holds a control character, which a daily job cannot name safely")
    command = [sys.executable, "-m", "ketalog", "--db", str(db_path), "remind", "run"]
    return command + (["--survey-day", survey_day] if survey_day else [])


def _systemd_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def _launchd_file() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"


def systemd_units(command: list[str], hour: int, minute: int) -> dict[str, str]:
    service = (
        "[Unit]\nDescription=ketalog: what is due today\n\n[Service]\nType=oneshot\n"
        f"ExecStart={shlex.join(command).replace('%', '%%')}\n"  # systemd expands % specifiers
    )
    timer = (
        "[Unit]\nDescription=ketalog: daily reminder\n\n"
        f"[Timer]\nOnCalendar=*-*-* {hour:02d}:{minute:02d}:00\nPersistent=true\nUnit={UNIT}.service\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def _run(*command: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), input=stdin, capture_output=True, text=True, check=False)


def _write_private(path: Path, text: str) -> None:
    """A job file, 0600, replaced atomically; missing folders made 0700 whatever the umask. Never written
    through a symlink: another account could have pointed it at a service of its own."""
    from ketalog.files import make_private_folder, private_output

    if path.is_symlink():
        raise OSError(f"{path} is a symbolic link; remove it (and check who made it), then install again")
    make_private_folder(path.parent, field="remind")
    with private_output(path, field="remind", replace_only=True) as handle:
        handle.write(text)


def _crontab() -> list[str]:
    """The current crontab's lines; none when the user has none yet. Any other failure stops the change:
    a crontab that could not be read is never rewritten (that would drop every line in it)."""
    current = _run("crontab", "-l")
    if current.returncode == 0:
        return current.stdout.splitlines()
    if "no crontab" in (current.stderr or "").lower():
        return []
    raise OSError(
        f"could not read your crontab ({(current.stderr or '').strip() or 'crontab -l failed'}); left as it is"
    )


def install(command: list[str], hour: int, minute: int) -> list[str]:
    """Set up the daily job; returns what was done, as lines for the person."""
    if platform.system() == "Darwin":
        import plistlib  # the standard library's writer: paths with & or < stay valid XML

        plist = _launchd_file()
        job = {
            "Label": LAUNCHD_LABEL,
            "ProgramArguments": command,
            "StartCalendarInterval": {"Hour": hour, "Minute": minute},
        }
        _write_private(plist, plistlib.dumps(job).decode("utf-8"))
        _run("launchctl", "unload", str(plist))  # a second install replaces the loaded job
        _run("launchctl", "load", str(plist))
        return [f"Wrote {plist} and loaded it with launchctl."]
    if shutil.which("systemctl"):
        folder = _systemd_dir()
        for name, text in systemd_units(command, hour, minute).items():
            _write_private(folder / name, text)
        reload = _run("systemctl", "--user", "daemon-reload")
        enabled = reload if reload.returncode != 0 else _run("systemctl", "--user", "enable", "--now", f"{UNIT}.timer")
        if enabled.returncode == 0:
            return [f"Installed a systemd user timer ({UNIT}.timer in {folder}) and enabled it."]
        # A timer that is not enabled never runs: take the files back, so status never says installed
        for name in systemd_units(command, hour, minute):
            (folder / name).unlink(missing_ok=True)
        why = " ".join((enabled.stderr or "").split())[:160] or "systemctl --user failed"
        if not shutil.which("crontab"):
            raise OSError(f"systemd could not enable a user timer ({why}) and there is no cron to fall back on")
        return [f"systemd could not enable a user timer ({why}).", *_install_cron(command, hour, minute)]
    if shutil.which("crontab"):
        return _install_cron(command, hour, minute)
    raise OSError("no systemd, cron or launchd found to run a daily job")


def _install_cron(command: list[str], hour: int, minute: int) -> list[str]:
    kept = [line for line in _crontab() if not line.endswith(CRON_MARK)]
    line = shlex.join(command).replace("%", "\\%")  # cron turns a bare % into a newline
    kept.append(f"{minute} {hour} * * * {line} {CRON_MARK}")
    if _run("crontab", "-", stdin="\n".join(kept) + "\n").returncode != 0:
        raise OSError("crontab refused the new table")
    return ["Installed a cron job instead: one line in your crontab, marked ketalog-remind."]


def mechanism(found: list[str]) -> str | None:
    """Which of systemd, cron or launchd holds the job, from ``installed()``'s lines."""
    for line in found:
        for name in ("systemd", "crontab", "launchd"):
            if line.startswith(name):
                return {"crontab": "cron"}.get(name, name)
    return None


# What the job last did, beside the database (in its private folder): the job cannot write to a database
# it could not open, and `remind status` must be able to say that it failed.
def _log_file(db_path: Path) -> Path:
    return db_path.parent / "remind-log.json"


def record(db_path: Path, **facts) -> None:
    """Merge ``facts`` (installed_at, time, mechanism, last_run, ok, message) into the job's log; a log that
    cannot be written never stops a reminder."""
    import json

    from ketalog.errors import KetalogError
    from ketalog.files import make_private_folder, write_private_text

    try:
        make_private_folder(db_path.parent, field="remind")
        write_private_text(_log_file(db_path), json.dumps({**read_log(db_path), **facts}, indent=1) + "\n")
    except (OSError, ValueError, KetalogError):  # KetalogError: the path is not a regular file
        pass


def read_log(db_path: Path) -> dict:
    import json

    try:
        data = json.loads(_log_file(db_path).read_text(encoding="utf-8")[:65536])
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def uninstall() -> list[str]:
    """Remove exactly what install added."""
    removed = []
    folder = _systemd_dir()
    units = [folder / f"{UNIT}.timer", folder / f"{UNIT}.service"]
    if any(unit.exists() for unit in units):
        if shutil.which("systemctl"):
            _run("systemctl", "--user", "disable", "--now", f"{UNIT}.timer")
        for unit in units:
            unit.unlink(missing_ok=True)
        if shutil.which("systemctl"):
            _run("systemctl", "--user", "daemon-reload")
        removed.append(f"the systemd timer and service in {folder}")
    if shutil.which("crontab"):
        lines = _crontab()
        kept = [line for line in lines if not line.endswith(CRON_MARK)]
        if len(kept) != len(lines):
            _run("crontab", "-", stdin="\n".join(kept) + "\n" if kept else "")
            removed.append("the crontab line")
    plist = _launchd_file()
    if plist.exists():
        _run("launchctl", "unload", str(plist))
        plist.unlink()
        removed.append(str(plist))
    return removed


def installed() -> list[str]:
    found = []
    if (_systemd_dir() / f"{UNIT}.timer").exists():
        found.append(f"systemd timer {_systemd_dir() / (UNIT + '.timer')}")
    if shutil.which("crontab"):
        current = _run("crontab", "-l")
        found += [f"crontab: {line}" for line in current.stdout.splitlines() if line.endswith(CRON_MARK)]
    if _launchd_file().exists():
        found.append(f"launchd agent {_launchd_file()}")
    return found


def notify(message: str) -> str:
    """One desktop notification; where none can be shown, the message is printed. Returns how it was shown."""
    if platform.system() == "Darwin" and shutil.which("osascript"):
        quoted = message.replace("\\", "\\\\").replace('"', '\\"')
        _run("osascript", "-e", f'display notification "{quoted}" with title "ketalog"')
        return "osascript"
    if shutil.which("notify-send"):
        _run("notify-send", "ketalog", message)
        return "notify-send"
    print(f"ketalog: {message}")
    return "printed"
