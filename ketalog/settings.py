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

from ketalog.courses import SURVEY_INTERVAL
from ketalog.errors import InputError, KetalogError


def _text(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        value = value.strip()
        if not value or len(value) > limit or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
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
            "survey-interval",
            f"Days between PHQ-9 and GAD-7 within a course (7 to 90; default {SURVEY_INTERVAL.days}).",
            _days(7, 90),
            SURVEY_INTERVAL.days,
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


def load(file: Path | None = None) -> dict[str, object]:
    """The settings in the file, checked; unknown keys are kept (a newer ketalog may have written them)."""
    file = file or path()
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        from ketalog.errors import describe_os_error

        raise KetalogError(describe_os_error(error, file)) from None
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise KetalogError(f"{file} is not valid TOML ({error}); fix it or `ketalog config unset` the key") from None
    values: dict[str, object] = {}
    for key, value in data.items():
        if key in SETTINGS:
            try:
                value = SETTINGS[key].check(str(value))
            except ValueError as error:
                raise KetalogError(f"{file}: {key} {error}") from None
        values[key] = value
    return values


def get(key: str) -> object:
    """One setting's value, or its default."""
    return load().get(key, SETTINGS[key].default)


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


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    import json

    # A JSON string is a valid TOML basic string once DEL is escaped too (TOML forbids it raw).
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def _write(values: dict[str, object]) -> None:
    from ketalog.files import private_output

    file = path()
    try:
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        from ketalog.errors import describe_os_error

        raise KetalogError(describe_os_error(error, file.parent)) from None
    lines = ["# ketalog settings: change with `ketalog config set KEY VALUE`."]
    lines += [f"{key} = {_toml_value(value)}" for key, value in values.items() if not isinstance(value, (dict, list))]
    with private_output(file, field="config") as handle:
        handle.write("\n".join(lines) + "\n")


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
