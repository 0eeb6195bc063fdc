"""Files ketalog writes besides the database (reports, exports): health data, so always mode 0600."""

import os
from pathlib import Path
from typing import IO

from ketalog.errors import InputError


def open_private(path: Path, *, binary: bool = False, field: str = "--output") -> IO:
    """Open ``path`` for writing, created 0600 (and tightened if it existed); a bad path is an InputError."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise InputError(field, f"cannot write {path}: {error.strerror}") from None
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")


def write_private_text(path: Path, text: str) -> None:
    with open_private(path.expanduser()) as handle:
        handle.write(text)
