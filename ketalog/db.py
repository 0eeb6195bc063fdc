"""Find, open, secure and migrate the user's database file.

The only module that creates connections. Before touching a file it checks
that the file is a SQLite database made by ketalog and not by a newer ketalog,
so a wrong ``--db`` never damages someone else's file. Every connection gets
the same pragmas: foreign keys on, WAL, and a busy timeout so two ketalog
processes writing at once both succeed.

Every open holds a shared lock on ``<db>.lock`` for as long as the connection
lives; converting the file (encrypt, decrypt) holds it exclusively, so no
ketalog process ever writes into a file that is being swapped out under it.
Reading never creates or changes the database: an empty file reads as empty,
and an older schema is upgraded in a private in-memory copy.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from sqlite_utils import Database

from ketalog import crypto
from ketalog.errors import (
    DatabaseBusyError,
    DatabaseFileError,
    InputError,
    describe_database_error,
    describe_os_error,
    is_busy,
    is_database_error,
)
from ketalog.migrations import MIGRATION_NAMES, MIGRATION_SET, apply_migrations, expected_schema, schema_of

BUSY_TIMEOUT_SECONDS = 30
SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_TABLE = "_sqlite_migrations"
LOCK_SUFFIX = ".lock"
# What an interrupted encrypt/decrypt leaves beside the database (a full copy, possibly plaintext).
# A killed conversion leaves its copy, and SQLite's rollback journal of that copy beside it.
CONVERSION_SUFFIXES = tuple(
    f".{step}{log}" for step in ("encrypting", "decrypting") for log in ("", "-journal", "-wal")
)


class Connection:
    """One SQLite connection with the small API the store needs: rows as dicts, statements, closing
    (which also releases ketalog's file lock).

    The store talks to SQLite through the standard library: importing sqlite-utils (and the second
    Click, pluggy and dateutil it brings) costs ~55 ms, about half of a daily command's run.
    ``utils`` wraps the same connection in ``sqlite_utils.Database`` for the few places its
    features earn that cost (migrations, import and export): one connection, one transaction.
    """

    def __init__(self, conn, *, memory: bool = False, lock_fd: int | None = None):
        self.conn = conn
        self.memory = memory
        self.lock_fd = lock_fd
        self._utils: Database | None = None
        self.on_exit: Any = None  # called with whether the block succeeded, before closing
        self.remove_after_close: list[Path] = []  # files of a new diary taken back (its lock, once released)

    def execute(self, sql: str, params: Any = ()):
        return self.conn.execute(sql, params)

    def query(self, sql: str, params: Any = ()) -> Iterator[dict]:
        cursor = self.conn.execute(sql, params)
        keys = [column[0] for column in cursor.description]
        return (dict(zip(keys, row, strict=False)) for row in cursor)  # equal lengths by construction

    def table_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def rollback(self) -> None:
        self.conn.rollback()

    @property
    def utils(self) -> Database:
        if self._utils is None:
            from sqlite_utils import Database

            self._utils = Database(self.conn, execute_plugins=False)
        return self._utils

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            release_lock(self.lock_fd)
            self.lock_fd = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        try:
            if self.on_exit is not None:
                self.on_exit(exc_type is None)
        finally:
            self.close()
            for leftover in self.remove_after_close:
                leftover.unlink(missing_ok=True)


def resolve_path(option: str | os.PathLike | None) -> Path:
    """``--db``, else ``KETALOG_DB``, else the per-user data directory."""
    if option:
        return Path(option).expanduser()
    from_env = os.environ.get("KETALOG_DB")
    if from_env:
        return Path(from_env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ketalog", appauthor=False)) / "ketalog.db"


def open_db(path: Path, *, create: bool) -> Connection:
    """Open ``path`` ready for use, applying pending migrations.

    With ``create=False`` nothing on disk is created or changed: a missing or
    empty file reads as an empty database, and a file with an older schema is
    migrated in a private in-memory copy.
    """
    if not path.exists() or (not create and _is_empty_file(path)):
        if not create:
            return _empty_memory_db(path)
        _create_private_file(path)
    lock = acquire_lock(path, exclusive=False, create=create)
    try:
        remove_conversion_leftovers(path, locked=lock is not None)
        db = Connection(connect(path) if create else connect_for_reading(path), lock_fd=lock)
    except BaseException:
        release_lock(lock)
        raise
    try:
        applied = _refuse_foreign_schema(db, path)
        if not create and _pending(applied) and not crypto.is_cipher_connection(db.conn):
            return _migrated_copy(db, path)
        _prepare(db, path, write=create, applied=applied)
    except Exception as error:
        db.close()
        if not is_database_error(error):
            raise
        raise DatabaseFileError(f"{path}: {describe_database_error(error, path.parent)}") from None
    _tighten_mode(path)
    return db


def _is_empty_file(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size == 0
    except OSError:
        return False


def _empty_memory_db(path: Path) -> Connection:
    db = Connection(sqlite3.connect(":memory:"), memory=True)
    _prepare(db, path, write=True)
    return db


def _migrated_copy(db: Connection, path: Path) -> Connection:
    """An in-memory copy of an older file, upgraded, so a read never rewrites the user's file."""
    memory = sqlite3.connect(":memory:")
    db.conn.backup(memory)
    db.close()
    copy = Connection(memory, memory=True)
    _prepare(copy, path, write=True)
    return copy


def _looks_like_text(path: Path) -> bool:
    """Printable text at the start (a note, a CSV, JSON): not encrypted, just not a database."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(512)
    except OSError:
        return False
    for cut in range(4):  # the 512 bytes may end inside a character
        try:
            decoded = start[: len(start) - cut].decode("utf-8")
            break
        except UnicodeDecodeError:
            continue
    else:
        return False
    return all(ch.isprintable() or ch in "\n\r\t" for ch in decoded)


def connect(path: Path):
    """A raw connection to an existing file: plain SQLite, or SQLCipher when the file is encrypted."""
    if is_encrypted(path) and _looks_like_text(path):
        raise DatabaseFileError(
            f"{path} is not a ketalog database (it holds text); give the path of your database with --db, "
            "or `ketalog import` a file from another app. The file was left untouched"
        )
    if is_encrypted(path):
        if not crypto.available():
            raise DatabaseFileError(
                f"{path} is not a plain SQLite file: it is encrypted, or not a ketalog database. "
                f"If you encrypted it, install SQLCipher support: {crypto.INSTALL_HINT}. The file was left untouched"
            )
        if not crypto.passphrase_available():
            raise DatabaseFileError(
                f"{path} is not a plain SQLite file: it is encrypted (set KETALOG_PASSPHRASE, or run in a "
                "terminal to be asked), or not a ketalog database. The file was left untouched"
            )
        return crypto.connect(path, crypto.passphrase(), BUSY_TIMEOUT_SECONDS)
    return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)


def disk_full(folder: Path) -> bool:
    """No space left where ``folder`` is (a full disk fails even reads of a WAL file: its index cannot grow)."""
    try:
        return os.statvfs(folder).f_bavail == 0
    except (OSError, AttributeError):  # no statvfs (Windows) or no folder: assume there is room
        return False


def connect_for_reading(path: Path):
    """``connect``, except in a folder that cannot be written (a read-only mount or folder) or on a full disk:
    SQLite could not create or grow the WAL index there, so a plain file is opened immutable -- which is safe
    only with no unsaved log beside it, and then nothing can be writing to it either. Reading, exporting
    and backing up to another disk keep working."""
    if (os.access(path.parent, os.W_OK) and not disk_full(path.parent)) or is_encrypted(path):
        return connect(path)
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        why = "the disk it is on is full" if disk_full(path.parent) else "its folder cannot be written"
        raise DatabaseFileError(
            f"{path} has unsaved changes in {wal.name}, and {why}, so they cannot be read; "
            "free some space or open it where its folder is writable. Nothing was changed"
        )
    from urllib.parse import quote

    return sqlite3.connect(f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True, timeout=BUSY_TIMEOUT_SECONDS)


# Locking and clean-up around conversions ---------------------------------------------------


def companion_files(path: Path) -> list[Path]:
    """The database and every file SQLite or ketalog keeps beside it: never an output target."""
    from ketalog.seen import legacy_file

    return [
        path,
        *(Path(str(path) + suffix) for suffix in ("-wal", "-shm", "-journal")),
        lock_path(path),
        legacy_file(path),
    ]


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + LOCK_SUFFIX)


def acquire_lock(
    path: Path, *, exclusive: bool, create: bool = True, timeout: float = BUSY_TIMEOUT_SECONDS
) -> int | None:
    """Take ketalog's lock on ``path`` (shared to use the file, exclusive to replace it).

    Waits up to ``timeout`` seconds, then raises ``DatabaseBusyError``. Returns
    None where there is nothing to lock with (no ``fcntl``, or a folder we may
    not write, where no conversion can run either).
    """
    try:
        import fcntl
    except ImportError:  # Windows: conversions are not guarded there
        return None
    flags = os.O_RDWR | (os.O_CREAT if create else 0)
    try:
        fd = os.open(lock_path(path), flags | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as error:
        import errno

        # Fail closed: replacing the file without the lock could lose another process's entry. Only where
        # nothing can be written at all (a read-only folder or mount) may a read go on without it.
        if exclusive or error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT):
            raise DatabaseFileError(
                f"cannot take ketalog's lock {lock_path(path)} ({error.strerror}); "
                "if it is a stray link or file, remove it. Nothing was changed"
            ) from None
        return None
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)  # the usual case: nobody is converting
        return fd
    except BlockingIOError:
        pass
    if not _wait_for_flock(fcntl, fd, mode, timeout):
        os.close(fd)
        raise DatabaseBusyError(
            f"{path} is busy: "
            + ("another ketalog is using it" if exclusive else "it is being encrypted or decrypted")
            + "; try again in a moment"
        )
    return fd


def _wait_for_flock(fcntl, fd: int, mode: int, timeout: float) -> bool:
    """Block until the lock is ours, at most ``timeout`` seconds.

    A blocking wait is woken the moment the holder lets go, so a conversion is
    not starved by a busy writer; polling would only find a free moment by luck.
    The timer works only in the main thread; elsewhere, poll.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                time.sleep(0.01)
        return False

    def expire(signum, frame):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        fcntl.flock(fd, mode)
        return True
    except TimeoutError:
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def release_lock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing the descriptor drops the flock


def remove_conversion_leftovers(path: Path, *, locked: bool) -> list[Path]:
    """Delete what an interrupted encrypt/decrypt left beside the database, and say so.

    Only while holding the lock: then no conversion is running, so the copy is an orphan.
    """
    removed: list[Path] = []
    if not locked:
        return removed
    for suffix in CONVERSION_SUFFIXES:
        leftover = path.with_name(path.name + suffix)
        if leftover.is_file() and not leftover.is_symlink():
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
            print(
                f"ketalog: note: removed {leftover}, left by an interrupted encrypt or decrypt "
                "(the database itself is intact)",
                file=sys.stderr,
            )
    return removed


def connect_like(db: Connection, path: Path):
    """A connection to ``path`` of the same kind as ``db``'s: encrypted with the same key, or plain."""
    if crypto.is_cipher_connection(db.conn):
        return crypto.connect_new(path, crypto.passphrase(), BUSY_TIMEOUT_SECONDS)
    return sqlite3.connect(str(path))


def backup(db: Connection, target: Path) -> None:
    """A consistent copy of ``db`` at a new ``target`` (0600) through SQLite's online backup.

    An encrypted database gives an encrypted copy with the same key. The copy is made under a
    temporary name and linked into place only when complete, so a killed backup never leaves a
    partial file under the backup's name, and an existing file is never replaced.
    """
    from ketalog.files import PART_SUFFIX, remove_stale_parts

    if target.exists() or target.is_symlink():
        raise InputError("DEST", f"{target} already exists; choose another name")
    remove_stale_parts(target)
    partial = target.with_name(f".{target.name}.{os.getpid()}{PART_SUFFIX}")
    try:
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as error:
        raise InputError("DEST", describe_os_error(error, target)) from None
    try:
        copy = connect_like(db, partial)
        with copy:
            db.conn.backup(copy)
        copy.close()
        try:
            os.link(partial, target)  # fails if the name was taken meanwhile: never clobbers
        except FileExistsError:
            raise InputError("DEST", f"{target} already exists; choose another name") from None
        except OSError:  # a file system without hard links
            if target.exists():
                raise InputError("DEST", f"{target} already exists; choose another name") from None
            os.rename(partial, target)
        crypto.sync_folder(target.parent)
    finally:
        partial.unlink(missing_ok=True)


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
            problems.append(
                f"foreign keys: {len(orphans)} row(s) point at entries that do not exist "
                f"(first in table {orphans[0][0]})"
            )
        names = _ketalog_migrations(conn)
        version = len(names)
        unknown = _unknown(names)
        if unknown:
            problems.append(f"schema: written by a newer ketalog ({', '.join(unknown)})")
        else:
            problems += _schema_differences(conn, version)  # an older version is no problem: a write upgrades it
            problems += _stored_time_problems(conn)
    except Exception as error:
        if not is_database_error(error):
            raise
        problems.append(f"unreadable: {error}")
    finally:
        conn.close()
    return problems, version


def _schema_differences(conn, version: int) -> list[str]:
    """Tables, indexes and triggers missing, added by someone else, or changed, against the migrations."""
    expected, actual = expected_schema(version), schema_of(conn)
    expected_names = {(kind, name) for kind, name, _ in expected}
    actual_names = {(kind, name) for kind, name, _ in actual}
    problems = [f"schema: {kind} {name} is missing" for kind, name in sorted(expected_names - actual_names)]
    problems += [
        f"schema: {kind} {name} was not made by ketalog" for kind, name in sorted(actual_names - expected_names)
    ]
    problems += [
        f"schema: {kind} {name} differs from what ketalog made"
        for kind, name, _ in sorted(actual - expected)
        if (kind, name) in expected_names
    ]
    return problems


def _stored_time_problems(conn) -> list[str]:
    """Rows whose stored time no read could use (e.g. a three-digit year): each table, first few ids."""
    from ketalog.timeparse import stored_time_problem

    problems = []
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        if not {"id", "at", "utc_offset", "local_date"} <= columns:
            continue
        bad = [
            (entry_id, problem)
            for entry_id, at, offset, day in conn.execute(f'SELECT id, at, utc_offset, local_date FROM "{table}"')
            if (problem := stored_time_problem(at, offset, day))
        ]
        if bad:
            problems.append(f"times: {len(bad)} row(s) in {table} cannot be read, e.g. id {bad[0][0]}: {bad[0][1]}")
    return problems


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
def writing(db: Connection) -> Iterator[Connection]:
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


def schema_version(db: Connection) -> int:
    return len(applied_migrations(db))


def latest_schema_version() -> int:
    return len(MIGRATION_NAMES)


def applied_migrations(db: Connection) -> list[str]:
    if MIGRATIONS_TABLE not in db.table_names():
        return []
    return _ketalog_migrations(db.conn)


def _create_private_file(path: Path) -> None:
    folder_existed = path.parent.exists()
    try:
        make_private_dirs(path.parent)
        if folder_existed:
            _check_folder(path)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # another ketalog process created it a moment ago
    except OSError as error:
        raise DatabaseFileError(f"cannot create {path}: {error.strerror}") from None


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and any missing parents 0700; another process creating one first is fine.

    Only folders made here are chmodded: an existing folder's mode is never changed.
    """
    missing = [parent for parent in [folder, *folder.parents] if not parent.exists()]
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            continue  # a second first run won the race; it secures its own folder
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask


def _check_folder(path: Path) -> None:
    """A new database in an existing folder others can read: tighten it if it is ketalog's own, else warn."""
    folder = path.parent
    mode = folder.stat().st_mode
    if not mode & 0o077:
        return
    others = [name for name in os.listdir(folder) if not name.startswith(path.stem)]
    if not others and folder.stat().st_uid == os.getuid() and not mode & 0o1000:
        os.chmod(folder, 0o700)
        print(
            f"ketalog: note: {folder} could be read by others (mode {mode & 0o777:o}); it is now 0700", file=sys.stderr
        )
    else:
        print(
            f"ketalog: note: others can list {folder} (mode {mode & 0o777:o}); the database itself is "
            "private (0600), but a folder of your own is safer",
            file=sys.stderr,
        )


def _tighten_mode(path: Path) -> None:
    """The database and SQLite's logs beside it are 0600: one that others could read (copied in with mode
    666, say) is tightened at once, read or write, and said once; the content is not touched."""
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = file.lstat().st_mode
            if stat.S_ISREG(mode) and mode & 0o077:
                os.chmod(file, 0o600)
                if file == path:
                    print(
                        f"ketalog: note: {path} could be read or changed by others (mode {mode & 0o777:o}); "
                        "it is now 0600",
                        file=sys.stderr,
                    )
        except OSError:
            pass  # absent, or not ours to change (a read-only mount): leave it


def _refuse_foreign_schema(db: Connection, path: Path) -> list[str]:
    """The ketalog migrations the file records; refuses a file that is not ketalog's, or is a newer one's."""
    tables = set(db.table_names())
    if not tables:
        return []
    if MIGRATIONS_TABLE not in tables:
        raise DatabaseFileError(f"{path} is a SQLite database but not a ketalog one; it was left untouched")
    applied = _ketalog_migrations(db.conn)
    if not applied:
        raise DatabaseFileError(f"{path} is a SQLite database but not a ketalog one; it was left untouched")
    unknown = _unknown(applied)
    if unknown:
        raise DatabaseFileError(
            f"{path} was written by a newer ketalog (schema has {', '.join(unknown)}); "
            "upgrade ketalog to open it. The file was left untouched"
        )
    return applied


def _pending(applied: list[str]) -> bool:
    return len(applied) < len(MIGRATION_NAMES)


def _ketalog_migrations(conn) -> list[str]:
    """Names of the ketalog migrations recorded in the file, read straight from the connection."""
    return [
        row[0]
        for row in conn.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", [MIGRATION_SET]
        )
    ]


def _unknown(applied: list[str]) -> list[str]:
    """Migrations this ketalog does not know: the file was written by a newer one."""
    return [name for name in applied if name not in MIGRATION_NAMES]


def _use_wal(conn) -> None:
    """Put the file in WAL mode (a no-op once it is).

    Two first runs switching a new file at once would deadlock inside SQLite (each holds a read lock
    the other's switch waits for), so SQLite answers one of them SQLITE_BUSY at once instead of
    calling the busy handler. That one waits a moment and looks again: by then the other's switch is
    done. Giving up only after the busy timeout keeps the promise that a second process waits."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    pause = 0.005
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL").fetchall()
            return
        except Exception as error:
            if not is_busy(error) or time.monotonic() + pause > deadline:
                raise
        _pause(pause)
        pause = min(pause * 2, 0.2)


_pause = time.sleep  # tests replace it: they never sleep


def _prepare(db: Connection, path: Path, *, write: bool, applied: list[str] | None = None) -> None:
    """Pragmas, WAL and pending migrations; ``applied``: the migrations the caller already read."""
    db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    db.conn.execute("PRAGMA foreign_keys = ON")
    if write and not db.memory:
        _use_wal(db.conn)
    if _pending(applied if applied is not None else applied_migrations(db)):
        # Two first runs at once: the write lock makes the second one wait, then
        # apply() finds nothing left to do.
        with writing(db):
            apply_migrations(db.utils)
    if write and not db.memory:
        from ketalog.seen import adopt_legacy_file

        adopt_legacy_file(db, path)  # a plaintext `<db>.seen` of an older version: into the (encryptable) file
