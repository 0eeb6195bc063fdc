"""What an import is before it touches the database: the plan (rows per table, how the file was read), its
result, and the one error type that names the file, the line or row, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ketalog.errors import InputError


class ImportFileError(InputError):
    """A problem in the file being imported: names the file, the line or row, and what is wrong."""

    def __init__(self, path: Path | str, where: str, problem: str):
        super().__init__(str(path), f"{where}: {problem}; nothing was imported")


class UnknownMoods(ImportFileError):
    """Mood labels the file uses that no map places: the command may ask for them in a terminal."""

    def __init__(self, path: Path, labels: dict[str, list[int]], message: str):
        super().__init__(path, "mood", message)
        self.labels = labels


@dataclass
class ImportPlan:
    source: str  # a format's name in the registry: "ketalog", "daylio", "emoods"...
    path: Path
    tables: dict[str, list[dict]]  # rows per table, ready to insert
    mapping: list[str] = field(default_factory=list)  # how each source column was used
    skipped: list[str] = field(default_factory=list)  # source rows not imported, with why
    warnings: list[str] = field(default_factory=list)  # rows imported despite a quirk, with what it was
    remember: dict[str, dict[str, int]] = field(default_factory=dict)  # mood labels to save: {source: {label: level}}


@dataclass
class ImportResult:
    added: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    safety_positive: list[dict]  # PHQ-9 rows with item 9 > 0 that arrive with this import
    kept_edits: dict[str, int] = field(default_factory=dict)  # rows edited in ketalog since, left alone
    kept_deleted: dict[str, int] = field(default_factory=dict)  # rows deleted in ketalog, not brought back
    deleted: dict[str, int] = field(default_factory=dict)  # rows deleted here because the file deleted them later
    brought_back: dict[str, int] = field(default_factory=dict)  # deleted here, edited elsewhere after: back
    overwritten: list[str] = field(default_factory=list)  # "checkin 3f2a...": an edit here replaced by a newer one


@dataclass(frozen=True)
class ParseOptions:
    """What the person said about the file: Daylio mood labels given now, and those remembered from before."""

    mood_map: str | None = None  # "great=5,ok=3"
    saved: dict[str, dict[str, int]] = field(default_factory=dict)  # {source: {label: level}}
