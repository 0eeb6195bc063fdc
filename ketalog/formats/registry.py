"""The one list of file formats ketalog imports, in detection order: adding a format is one entry here and
one module beside this file (with `parse`, and `detect_header` for a CSV or `detect_json` for a JSON file).

The `--format` choices, `import --help`, the error that lists what ketalog reads, and the README's table
come from (or are tested against) this list. Standard library only: `--help` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str  # the --format value and the source stored on each imported check-in
    app: str  # what people call it
    files: str  # which file of the app's, as its menus name it
    module: str  # ketalog.formats.<module>: parse(), detect_header() and/or detect_json()
    kinds: tuple[str, ...]  # "csv" and/or "json": which detectors the module has; "health": sniff() and parse()
    patterns: tuple[str, ...]  # the file names it usually comes as (for completion and docs)


FORMATS: tuple[Format, ...] = (
    Format("ketalog", "ketalog", "a ketalog JSON export", "ketalog_json", ("json",), ("*.json",)),
    Format(
        "emoods", "eMoods", "an eMoods backup (.emoods zip or entry.csv)", "emoods", ("csv",), ("*.emoods", "*.csv")
    ),
    Format("bearable", "Bearable", "a Bearable CSV export", "bearable", ("csv",), ("*.csv",)),
    Format("imoodjournal", "iMoodJournal", "an iMoodJournal CSV export", "imoodjournal", ("csv",), ("*.csv",)),
    Format("howwefeel", "How We Feel", "a How We Feel CSV export", "howwefeel", ("csv",), ("*.csv",)),
    Format(
        "daylio",
        "Daylio",
        "a Daylio CSV export or backup (.daylio)",
        "daylio",
        ("csv", "json"),
        ("*.csv", "*.daylio"),
    ),
    Format("pixels", "Pixels", "a Pixels backup (JSON)", "pixels", ("json",), ("*.json",)),
    # What the phone measured: sleep, resting heart rate, HRV, mindful minutes, home blood pressure, symptoms
    # (formats.health); told apart by their first bytes before any text is read.
    Format(
        "applehealth", "Apple Health", "an Apple Health export (export.zip or export.xml)", "applehealth",
        ("health",), ("export.zip", "*.xml"),
    ),
    Format(
        "healthconnect", "Health Connect", "a Health Connect export (zip or .db)", "healthconnect", ("health",),
        ("*.zip", "*.db"),
    ),
    Format(
        "healthautoexport", "Health Auto Export", "a Health Auto Export JSON file", "healthautoexport",
        ("health",), ("*.json",),
    ),
)  # fmt: skip
BY_NAME = {fmt.name: fmt for fmt in FORMATS}
NAMES = tuple(BY_NAME)


def listed(words: list[str], last: str = "and") -> str:
    return ", ".join(words[:-1]) + f" {last} " + words[-1] if len(words) > 1 else "".join(words)


def what_ketalog_reads() -> str:
    """One sentence naming every format, for help texts and the 'could not tell' error."""
    return listed([fmt.files for fmt in FORMATS])


def import_summary() -> str:
    """The first sentence of `import`'s help, in `ketalog --help` and `import --help` alike."""
    apps = [fmt.app for fmt in FORMATS if fmt.name != "ketalog"]
    return "Import a ketalog export or another app's history: " + ", ".join(apps) + "."


def choices_text() -> str:
    return listed(list(NAMES), "or")


def module_of(fmt: Format):
    """The format's parser module, imported only when a file of it is read."""
    from importlib import import_module

    return import_module(f"ketalog.formats.{fmt.module}")
