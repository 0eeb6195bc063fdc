"""`ketalog config`: set, show and unset your preferences (name, clinic, paper, survey interval)."""

from typing import Annotated

import typer

from ketalog import completion
from ketalog.commands.common import JsonOpt, command_group, emit, say

commands = command_group("Preferences: name, clinic, paper size, survey interval.")
KeyArg = Annotated[
    str,
    typer.Argument(
        metavar="KEY",
        help="name, clinic, paper, trust-imported-scale or survey-interval.",
        autocompletion=completion.setting_keys,
    ),
]


@commands.command("set")
def config_set(key: KeyArg, value: Annotated[str, typer.Argument(metavar="VALUE")]) -> None:
    """Set one preference.

    Examples:
      ketalog config set name "Alex Doe"
      ketalog config set paper a4
      ketalog config set survey-interval 28
    """
    from ketalog import settings
    from ketalog.render.text import visible

    key, checked = settings.set_value(key, value)
    say(visible(f"{key} = {checked}  ({settings.path()})"))


@commands.command("unset")
def config_unset(key: KeyArg) -> None:
    """Remove one preference (its default applies again).

    Examples:
      ketalog config unset name
    """
    from ketalog import settings

    was_set = settings.unset(key)
    say(f"{key} removed." if was_set else f"{key} was not set.")


@commands.command("show")
def config_show(as_json: JsonOpt = False) -> None:
    """Every preference: its value (or default) and what it does.

    Examples:
      ketalog config show
      ketalog config show --json
    """
    from ketalog import settings
    from ketalog.render.text import visible

    values = settings.current()
    data = {
        "file": str(settings.path()),
        "settings": {key: values.get(key, s.default) for key, s in settings.SETTINGS.items()},
    }
    lines = [f"Settings file: {data['file']}", ""]
    width = max(len(key) for key in settings.SETTINGS)
    for key, s in settings.SETTINGS.items():
        shown = values[key] if key in values else ("(not set)" if s.default is None else f"{s.default} (default)")
        # the value beside its key, what it does on a line of its own: no column a long value can push
        lines += [f"{key:{width}}  {visible(str(shown))}", f"    {s.help}"]
    emit(data, as_json, "\n".join(lines))
