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

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

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


class Cancelled(KetalogError):
    """The user stopped an interactive form; nothing was saved."""

    def __init__(self, message: str = "cancelled, nothing saved"):
        super().__init__(message)


def is_database_error(error: BaseException) -> bool:
    """A damaged-file error from sqlite3 or SQLCipher; looks only at drivers already imported,
    so checking costs no import (an error cannot come from a driver nobody loaded)."""
    drivers = (sys.modules.get("sqlite3"), sys.modules.get("sqlcipher3"))
    return any(driver is not None and isinstance(error, driver.DatabaseError) for driver in drivers)
