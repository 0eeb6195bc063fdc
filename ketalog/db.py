"""Find, open, secure and migrate the user's database file.

The only module that creates connections. Before touching a file it checks
that the file is a SQLite database made by ketalog and not by a newer ketalog,
so a wrong ``--db`` never damages someone else's file. Every connection gets
the same pragmas: foreign keys on, WAL, and a busy timeout so two ketalog
processes writing at once both succeed.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database

from ketalog import crypto
from ketalog.errors import DatabaseFileError, is_database_error
from ketalog.migrations import MIGRATION_NAMES, MIGRATION_SET, migrations

BUSY_TIMEOUT_SECONDS = 30
SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_TABLE = "_sqlite_migrations"


def resolve_path(option: str | os.PathLike | None) -> Path:
    """``--db``, else ``KETALOG_DB``, else the per-user data directory."""
    if option:
        return Path(option).expanduser()
    from_env = os.environ.get("KETALOG_DB")
    if from_env:
        return Path(from_env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ketalog", appauthor=False)) / "ketalog.db"


def open_db(path: Path, *, create: bool) -> Database:
    """Open ``path`` ready for use, applying pending migrations.

    With ``create=False`` a missing file is not created: readers get an empty,
    migrated in-memory database instead, so looking never leaves files behind.
    """
    if not path.exists():
        if not create:
            db = Database(sqlite3.connect(":memory:"), execute_plugins=False)
            _prepare(db, path)
            return db
        _create_private_file(path)
    db = Database(connect(path), execute_plugins=False)
    try:
        _refuse_foreign_schema(db, path)
        _prepare(db, path)
    except Exception as error:
        db.close()
        if not is_database_error(error):
            raise
        raise DatabaseFileError(f"{path} is damaged or unreadable ({error}); run `ketalog check` "
                                "on a copy, or restore a backup") from None
    if create:
        _tighten_mode(path)
    return db


def connect(path: Path):
    """A raw connection to an existing file: plain SQLite, or SQLCipher when the file is encrypted."""
    if is_encrypted(path):
        if not crypto.available():
            raise DatabaseFileError(
                f"{path} is not a plain SQLite file: it is encrypted, or not a ketalog database. "
                f"If you encrypted it, install SQLCipher support: {crypto.INSTALL_HINT}. The file was left untouched")
        if not crypto.passphrase_available():
            raise DatabaseFileError(
                f"{path} is not a plain SQLite file: it is encrypted (set KETALOG_PASSPHRASE, or run in a "
                "terminal to be asked), or not a ketalog database. The file was left untouched")
        return crypto.connect(path, crypto.passphrase(), BUSY_TIMEOUT_SECONDS)
    return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)


def connect_like(db: Database, path: Path):
    """A connection to ``path`` of the same kind as ``db``'s: encrypted with the same key, or plain."""
    if crypto.is_cipher_connection(db.conn):
        return crypto.connect_new(path, crypto.passphrase(), BUSY_TIMEOUT_SECONDS)
    return sqlite3.connect(str(path))


def health_problems(path: Path) -> tuple[list[str], int | None]:
    """SQLite's own checks on the raw file, without migrating it: (plain-language problems, schema version)."""
    conn = connect(path)
    problems: list[str] = []
    version = None
    try:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            problems += [f"integrity: {line}" for line in integrity[:10]]
        orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
        if orphans:
            problems.append(f"foreign keys: {len(orphans)} row(s) point at entries that do not exist "
                            f"(first in table {orphans[0][0]})")
        names = _ketalog_migrations(conn)
        version = len(names)
        unknown = _unknown(names)
        if unknown:
            problems.append(f"schema: written by a newer ketalog ({', '.join(unknown)})")
        elif version != latest_schema_version():
            problems.append(f"schema version {version}, this ketalog expects {latest_schema_version()} "
                            "(any ketalog command that writes will upgrade it)")
    except Exception as error:
        if not is_database_error(error):
            raise
        problems.append(f"unreadable: {error}")
    finally:
        conn.close()
    return problems, version


def is_encrypted(path: Path) -> bool:
    """True when the file has content but no SQLite header (SQLCipher files look like noise)."""
    if path.is_dir():
        raise DatabaseFileError(f"{path} is a directory, not a ketalog database file")
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DatabaseFileError(f"cannot read {path}: {error.strerror}") from None
    return bool(header) and header != SQLITE_HEADER


@contextmanager
def writing(db: Database) -> Iterator[Database]:
    """One write transaction that takes the write lock up front.

    ``BEGIN IMMEDIATE`` makes a second process wait (busy timeout) instead of
    failing with SQLITE_BUSY when both read first and then write.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")


def schema_version(db: Database) -> int:
    return len(applied_migrations(db))


def latest_schema_version() -> int:
    return len(MIGRATION_NAMES)


def applied_migrations(db: Database) -> list[str]:
    return [migration.name for migration in migrations.applied(db)]


def _create_private_file(path: Path) -> None:
    missing = [parent for parent in [path.parent, *path.parent.parents] if not parent.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=0o700)
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # another ketalog process created it a moment ago


def _tighten_mode(path: Path) -> None:
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        pass  # not ours to change (e.g. a read-only mount): leave it


def _refuse_foreign_schema(db: Database, path: Path) -> None:
    tables = set(db.table_names())
    if not tables:
        return
    if MIGRATIONS_TABLE not in tables:
        raise DatabaseFileError(f"{path} is a SQLite database but not a ketalog one; it was left untouched")
    applied = _ketalog_migrations(db.conn)
    if not applied:
        raise DatabaseFileError(f"{path} is a SQLite database but not a ketalog one; it was left untouched")
    unknown = _unknown(applied)
    if unknown:
        raise DatabaseFileError(
            f"{path} was written by a newer ketalog (schema has {', '.join(unknown)}); "
            "upgrade ketalog to open it. The file was left untouched")


def _ketalog_migrations(conn) -> list[str]:
    """Names of the ketalog migrations recorded in the file, read straight from the connection."""
    return [row[0] for row in conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", [MIGRATION_SET])]


def _unknown(applied: list[str]) -> list[str]:
    """Migrations this ketalog does not know: the file was written by a newer one."""
    return [name for name in applied if name not in MIGRATION_NAMES]


def _prepare(db: Database, path: Path) -> None:
    db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    db.conn.execute("PRAGMA foreign_keys = ON")
    if not db.memory:
        mode = db.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() != "wal":
            db.conn.execute("PRAGMA journal_mode = WAL")
    if migrations.pending(db):
        # Two first runs at once: the write lock makes the second one wait, then
        # apply() finds nothing left to do.
        with writing(db):
            migrations.apply(db)
