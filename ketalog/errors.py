"""User-facing errors and the exit codes they map to.

Everything a user can get wrong raises one of these; the CLI's single handler
prints the message on one line and exits with ``exit_code``. Nothing else in
the program decides how a failure looks.
"""

from __future__ import annotations

import sys

EXIT_DATA_PROBLEM = 1
EXIT_BAD_INPUT = 2


class KetalogError(Exception):
    """A failure the user should read, not a bug: printed without traceback."""

    exit_code = EXIT_DATA_PROBLEM

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class InputError(KetalogError):
    """Bad input from the user: names the field and what is allowed. Exit 2."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class DatabaseFileError(KetalogError):
    """The database file cannot be used (not ketalog's, damaged, too new). Exit 1."""


class DatabaseBusyError(KetalogError):
    """Another process holds the database longer than we may wait. Exit 1; nothing is wrong with the file."""


class Cancelled(KetalogError):
    """The user stopped an interactive form; nothing was saved."""

    def __init__(self, message: str = "cancelled, nothing saved"):
        super().__init__(message)


class Declined(Cancelled):
    """The person answered "no" to a confirmation: their choice, said plainly (no "ketalog:", no "error").
    Exit 0: nothing went wrong (as git and apt exit when told no)."""

    exit_code = 0


EXIT_INTERRUPTED = 130  # what a shell reports for a program stopped by Ctrl-C (128 + SIGINT)


class Interrupted(Cancelled):
    """Ctrl-C (or end of input) at a prompt. Exit 130; the message says what, if anything, was saved."""

    exit_code = EXIT_INTERRUPTED


def is_database_error(error: BaseException) -> bool:
    """A damaged-file error from sqlite3 or SQLCipher; looks only at drivers already imported,
    so checking costs no import (an error cannot come from a driver nobody loaded)."""
    drivers = (sys.modules.get("sqlite3"), sys.modules.get("sqlcipher3"))
    return any(driver is not None and isinstance(error, driver.DatabaseError) for driver in drivers)


# What an SQLite error means for the person at the keyboard, by its result code (Python 3.11+
# names it) or, for older drivers such as SQLCipher's, by SQLite's fixed message text.
BUSY = "the database is busy: another program is using it; try again in a moment (nothing was written)"
DISK_FULL = "the disk is full; nothing was written. Free some space and try again"
_DATABASE_ERRORS = (
    (("SQLITE_BUSY", "SQLITE_LOCKED"), ("database is locked", "database table is locked"), BUSY),
    (("SQLITE_FULL",), ("database or disk is full",), DISK_FULL),
    (
        ("SQLITE_READONLY",),
        ("readonly database", "read-only"),
        "the file is read-only; nothing was written. Check its permissions (ls -l) or the disk it is on",
    ),
    (
        ("SQLITE_CANTOPEN",),
        ("unable to open database file",),
        "the file cannot be opened; check that its folder exists and that you may read and write it",
    ),
    (
        ("SQLITE_IOERR",),
        ("disk i/o error",),
        "the disk reported an error while reading or writing; nothing was written",
    ),
)


def describe_database_error(error: BaseException, folder=None) -> str:
    """One line saying what is actually wrong: busy, disk full, read-only... or damaged. ``folder``: where the
    database is, so a disk error there on a full disk is called what it is (SQLite reports an I/O error)."""
    code = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    if folder is not None and (code.startswith(("SQLITE_IOERR", "SQLITE_FULL")) or "disk" in text):
        from ketalog.db import disk_full

        if disk_full(folder):
            return DISK_FULL
    for codes, phrases, meaning in _DATABASE_ERRORS:
        if any(code.startswith(c) for c in codes) or any(p in text for p in phrases):
            return meaning
    return f"the database is damaged or unreadable ({error}); run `ketalog check`, or restore a backup"


def is_busy(error: BaseException) -> bool:
    """SQLite refused because another connection holds the lock (its busy timeout spent, or skipped)."""
    return is_database_error(error) and describe_database_error(error) == BUSY


def describe_os_error(error: OSError, target: object) -> str:
    """An operating-system failure while writing ``target``, in plain words."""
    import errno

    if error.errno == errno.ENOSPC:
        return f"the disk is full; {target} was not written (any previous copy is unchanged)"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {target}: {error.strerror}"
    return f"cannot write {target}: {error.strerror or error}"
