"""The diary's own bookkeeping: where backups went, which imported scales are trusted, which way a scale
the person named is better.
"""

from __future__ import annotations

from pathlib import Path

from ketalog.db import Connection, writing
from ketalog.timeparse import stamp


def record_backup(db: Connection, path: Path) -> None:
    """Remember where a backup went, so `encrypt` can name every plain copy, wherever it is."""
    with writing(db):
        db.execute(
            "INSERT INTO backups (path, made_at) VALUES (?, ?) "
            "ON CONFLICT (path) DO UPDATE SET made_at = excluded.made_at",
            [str(path), stamp()],
        )


def backup_paths(db: Connection) -> list[Path]:
    return [Path(row["path"]) for row in db.query("SELECT path FROM backups ORDER BY made_at")]


def confirmed_sources(db: Connection) -> list[str]:
    """Apps whose mood labels the person placed on their scale (`import --mood-map`)."""
    return [row["source"] for row in db.query("SELECT DISTINCT source FROM mood_labels")]


def import_sources(db: Connection) -> list[str]:
    return [row["source"] for row in db.query("SELECT DISTINCT source FROM checkins WHERE source IS NOT NULL")]


def scale_directions(db: Connection) -> dict[str, bool]:
    """The direction the person gave for each scale ketalog does not know: {name: higher_is_better}."""
    return {row["name"]: bool(row["higher_is_better"]) for row in db.query("SELECT * FROM scale_directions")}


def set_scale_direction(db: Connection, name: str, higher_is_better: bool) -> None:
    with writing(db):
        db.execute(
            "INSERT INTO scale_directions (name, higher_is_better) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET higher_is_better = excluded.higher_is_better",
            [name, int(higher_is_better)],
        )
