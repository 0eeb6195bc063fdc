"""Optional encryption at rest with SQLCipher (the ``ketalog[encryption]`` extra).

``sqlcipher3`` is imported only when a file is encrypted or being converted, so
plain databases never pay for it. Conversions write a new file beside the old
one, verify it, and only then atomically replace the original.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence

from ketalog.errors import DatabaseFileError, InputError, KetalogError

INSTALL_HINT = "pip install 'ketalog[encryption]'"


def module():
    try:
        import sqlcipher3
    except ImportError:
        return None
    return sqlcipher3


def available() -> bool:
    return module() is not None


def require():
    cipher = module()
    if cipher is None:
        raise KetalogError(f"encryption needs SQLCipher: {INSTALL_HINT}")
    return cipher


def passphrase_available() -> bool:
    return bool(os.environ.get("KETALOG_PASSPHRASE")) or sys.stdin.isatty()


_asked: list[str] = []  # the passphrase typed once in this process: a command that opens the file twice asks once


def passphrase(*, confirm: bool = False) -> str:
    """From ``KETALOG_PASSPHRASE``, else a prompt that never echoes (once per process)."""
    from_env = os.environ.get("KETALOG_PASSPHRASE")
    if from_env:
        return from_env
    if _asked and not confirm:
        return _asked[0]
    if not sys.stdin.isatty():
        raise InputError("passphrase", "set KETALOG_PASSPHRASE, or run in a terminal to be asked")
    import getpass

    try:
        first = getpass.getpass("Passphrase: ")
        if confirm and getpass.getpass("Passphrase again: ") != first:
            raise InputError("passphrase", "the two passphrases differ; nothing changed")
    except (EOFError, KeyboardInterrupt):
        from ketalog.errors import Interrupted

        print(file=sys.stderr)  # getpass leaves the cursor after the prompt: the message starts a new line
        raise Interrupted("cancelled at the passphrase; nothing changed") from None
    if not first:
        raise InputError("passphrase", "must not be empty")
    _asked[:] = [first]
    return first


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect(path: Path, key: str, timeout: float):
    """An open SQLCipher connection whose key is checked; a wrong key is a clear error."""
    cipher = require()
    conn = cipher.connect(str(path), timeout=timeout)
    conn.execute("PRAGMA cipher_log_level = NONE")  # no SQLCipher noise on stderr for a wrong key
    conn.execute(f"PRAGMA key = {_quote(key)}")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except cipher.DatabaseError:
        conn.close()
        raise DatabaseFileError(
            f"{path}: wrong passphrase, or not a ketalog database; the file was left untouched"
        ) from None
    return conn


def connect_new(path: Path, key: str, timeout: float):
    """A new (empty) encrypted file, e.g. a backup target."""
    conn = require().connect(str(path), timeout=timeout)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = {_quote(key)}")
    return conn


def is_cipher_connection(conn) -> bool:
    cipher = sys.modules.get("sqlcipher3")
    return cipher is not None and isinstance(conn, cipher.Connection)


def convert(path: Path, *, encrypt: bool, key: str) -> None:
    """Encrypt or decrypt ``path`` in place: export to a new file, verify, then replace atomically.

    The caller holds ketalog's exclusive lock (``db.acquire_lock``), so no other
    ketalog connection is open; the log is checkpointed into the file first and
    only an empty log that no connection owns is ever removed.
    """
    import sqlite3

    cipher = require()
    target = path.with_name(path.name + (".encrypting" if encrypt else ".decrypting"))
    target.unlink(missing_ok=True)
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        source = cipher.connect(str(path), timeout=30)
        try:
            source.execute("PRAGMA cipher_log_level = NONE")
            if not encrypt:
                source.execute(f"PRAGMA key = {_quote(key)}")
            busy, _, _ = source.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise KetalogError(f"{path} is open in another program; close it and try again (nothing was changed)")
            expected = _counts(source)
            new_key = key if encrypt else ""
            source.execute(f"ATTACH DATABASE {_quote(str(target))} AS converted KEY {_quote(new_key)}")
            source.execute("SELECT sqlcipher_export('converted')")
            version = source.execute("PRAGMA user_version").fetchone()[0]
            source.execute(f"PRAGMA converted.user_version = {int(version)}")
            source.execute("DETACH DATABASE converted")
        finally:
            source.close()
        check = connect(target, key, 5) if encrypt else sqlite3.connect(target)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            if not ok or _counts(check) != expected:
                raise KetalogError(f"the converted copy of {path} did not verify; the original is unchanged")
            check.execute("PRAGMA journal_mode = WAL")
        finally:
            check.close()
        _drop_empty_logs(path)
        os.replace(target, path)
        sync_folder(path.parent)
    finally:
        target.unlink(missing_ok=True)


def _drop_empty_logs(path: Path) -> None:
    """Remove the old file's ``-wal``/``-shm`` before the new file takes its name.

    The last connection closing removes an empty ``-wal`` itself; one that is
    still there with content belongs to a program outside ketalog, so stop.
    """
    wal = Path(str(path) + "-wal")
    if wal.exists() and wal.stat().st_size:
        raise KetalogError(
            f"{path} is open in another program (its log is in use); close it and try again (nothing was changed)"
        )
    wal.unlink(missing_ok=True)
    Path(str(path) + "-shm").unlink(missing_ok=True)


def sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def plain_backups(path: Path, recorded: Sequence[Path] = ()) -> list[Path]:
    """Backups of ``path`` that are still plain SQLite files: those with ``ketalog backup``'s default name
    beside it, and every other path a backup was recorded at."""
    pattern = f"{path.stem}-backup-*{path.suffix}"
    candidates = dict.fromkeys([*sorted(path.parent.glob(pattern)), *recorded])
    found = []
    for candidate in candidates:
        if candidate.is_symlink() or not candidate.is_file():
            continue
        try:
            with open(candidate, "rb") as handle:
                if handle.read(16) == b"SQLite format 3\x00":
                    found.append(candidate)
        except OSError:
            continue
    return found


def _counts(conn) -> dict[str, int]:
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
