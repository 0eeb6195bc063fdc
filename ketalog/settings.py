"""Your preferences (name, clinic, paper size, survey interval): one small TOML file in the config dir.

Preferences belong to the person, not to one database, so they live beside the
other per-user configuration (``$XDG_CONFIG_HOME/ketalog/config.toml`` on
Linux; ``KETALOG_CONFIG`` names another file), not in the diary. Each setting
is declared once in ``SETTINGS`` with how it is checked; everything that reads
one (``status``, ``remind run``, ``report``) calls ``get``. Reading uses the
standard library's ``tomllib`` only when the file exists, so commands that
need no setting pay nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ketalog import reflections
from ketalog.courses import SURVEY_INTERVAL
from ketalog.errors import InputError, KetalogError
from ketalog.followup import FOLLOWUP_INTERVAL


def _text(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        from ketalog.render.text import visible

        value = value.strip()
        if not value or len(value) > limit or visible(value) != value:  # no control or bidi-override characters
            raise ValueError(f"must be 1 to {limit} printable characters")
        return value

    return check


def _choice(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value.strip().lower() not in allowed:
            raise ValueError("must be " + " or ".join(allowed))
        return value.strip().lower()

    return check


def _days(low: int, high: int) -> Callable[[str], int]:
    def check(value: str) -> int:
        text = str(value).strip().lower().removesuffix("days").removesuffix("d").strip()
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValueError(f"must be a whole number of days from {low} to {high}")
        return int(text)

    return check


@dataclass(frozen=True)
class Setting:
    key: str
    help: str
    check: Callable[[str], object]
    default: object = None


# PHQ-9 and GAD-7 ask about the last 2 weeks; shorter than a week would overlap recall windows.
SETTINGS = {
    s.key: s
    for s in (
        Setting("name", "Your name, shown in the report header.", _text(100)),
        Setting("clinic", "Your clinic, shown in the report header.", _text(100)),
        Setting("paper", "Report page size when printed: letter or a4.", _choice("letter", "a4")),
        Setting(
            "trust-imported-scale",
            "true: compare ratings imported from another app (its scale mapped to 0-10) with ketalog's own. "
            "Default false: a baseline built from them is labelled, and nothing is called better or worse across it.",
            _choice("true", "false"),
            "false",
        ),
        Setting(
            "survey-interval",
            f"Days between PHQ-9 and GAD-7 within a course (7 to 90; default {SURVEY_INTERVAL.days}).",
            _days(7, 90),
            SURVEY_INTERVAL.days,
        ),
        Setting(
            "integration-prompts",
            "Reflections due after each session: d1,d3,d7 (default: days 1, 3 and 7), d1 (the day after only) or off.",
            _choice(*reflections.SETTING_CHOICES),
            reflections.SETTING_CHOICES[0],
        ),
        Setting(
            "followup-interval",
            f"Days between long-term follow-ups while sessions continue (7 to 90; default {FOLLOWUP_INTERVAL.days}).",
            _days(7, 90),
            FOLLOWUP_INTERVAL.days,
        ),
    )
}


def path() -> Path:
    """``KETALOG_CONFIG``, else ``config.toml`` in the per-user config directory."""
    named = os.environ.get("KETALOG_CONFIG")
    if named:
        return Path(named).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("ketalog", appauthor=False)) / "config.toml"


def _setting(key: str) -> Setting:
    setting = SETTINGS.get(key.strip().lower().replace("_", "-"))
    if setting is None:
        from difflib import get_close_matches

        close = get_close_matches(key.strip().lower(), SETTINGS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise InputError("KEY", f"unknown setting {key!r}{hint}; settings are " + ", ".join(SETTINGS))
    return setting


MAX_BYTES = 64 * 1024  # a settings file is a few lines; this keeps /dev/zero or a huge file from being read


def _read(file: Path) -> bytes | None:
    """The file's bytes, or None when there is none; a folder, device or oversized file is refused."""
    import stat

    from ketalog.errors import describe_os_error

    try:
        mode = file.stat().st_mode
        if not stat.S_ISREG(mode):
            raise KetalogError(f"{file} is not a regular file; point KETALOG_CONFIG at a TOML file")
        with open(file, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise KetalogError(describe_os_error(error, file)) from None
    if len(raw) > MAX_BYTES:
        raise KetalogError(f"{file} is over {MAX_BYTES // 1024} KiB, more than a settings file holds")
    return raw


def load(file: Path | None = None, *, lenient: bool = False) -> dict[str, object]:
    """The settings in the file, checked; unknown keys are kept (a newer ketalog may have written them).

    A problem is one ``KetalogError`` naming the file; ``lenient`` instead prints it once as a note and
    goes on with what could be read (a bad value falls back to its default): commands that only *use* a
    setting keep working, while `config set` and `unset` never rewrite a file they could not read."""
    file = file or path()
    try:
        raw = _read(file)
        if raw is None:
            return {}
        data = _parse(file, raw)
    except KetalogError as error:
        if not lenient:
            raise
        _note(f"{error.message}; using the defaults")
        return {}
    values: dict[str, object] = {}
    for key, value in data.items():
        if key in SETTINGS:
            try:
                value = SETTINGS[key].check(str(value))
            except ValueError as error:
                if not lenient:
                    raise KetalogError(f"{file}: {key} {error}") from None
                _note(f"{file}: {key} {error}; using its default")
                continue
        values[key] = value
    return values


def _parse(file: Path, raw: bytes) -> dict:
    import tomllib

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        from ketalog.render.text import visible

        raise KetalogError(
            f"{file} is not valid TOML ({visible(str(error))}); fix it or `ketalog config unset` the key"
        ) from None
    except RecursionError:
        raise KetalogError(f"{file} is nested too deeply to be a settings file") from None


_NOTED: set[str] = set()


def _note(message: str) -> None:
    if message not in _NOTED:
        _NOTED.add(message)
        import sys

        print(f"ketalog: note: {message}", file=sys.stderr)


def current() -> dict[str, object]:
    """The settings to use now: what can be read, a problem said once on stderr (never a failed command)."""
    return load(lenient=True)


def get(key: str) -> object:
    """One setting's value, or its default."""
    return current().get(key, SETTINGS[key].default)


def set_value(key: str, value: str) -> tuple[str, object]:
    setting = _setting(key)
    try:
        checked = setting.check(value)
    except ValueError as error:
        raise InputError(setting.key, str(error)) from None
    values = load()
    values[setting.key] = checked
    _write(values)
    return setting.key, checked


def unset(key: str) -> bool:
    """Remove a setting; True when it was set."""
    setting = _setting(key)
    values = load()
    if setting.key not in values:
        return False
    del values[setting.key]
    _write(values)
    return True


def _write(values: dict[str, object]) -> None:
    import tomli_w

    from ketalog.files import make_private_folder, private_output

    file = path()
    make_private_folder(file.parent, field="config")
    text = "# ketalog settings: change with `ketalog config set KEY VALUE`.\n" + tomli_w.dumps(values)
    with private_output(file, field="config", replace_only=True) as handle:
        handle.write(text)


# Where Letter is the usual paper size (ISO 3166 codes); everywhere else uses A4.
LETTER_TERRITORIES = frozenset("US CA MX PH CL CO VE PR GT CR PA DO SV NI HN BZ".split())


def paper_from_locale() -> str:
    """letter or a4, from LC_ALL / LC_PAPER / LANG ('en_US.UTF-8' -> letter)."""
    for name in ("LC_ALL", "LC_PAPER", "LANG"):
        value = os.environ.get(name)
        if value:
            territory = value.split(".")[0].partition("_")[2].upper()
            return "letter" if territory in LETTER_TERRITORIES else "a4"
    return "a4"
