"""Files ketalog writes besides the database (reports, exports): private (0600) and atomic.

Each is written to a temporary file in the same folder and renamed into place
only when complete, so a full disk or a crash leaves the previous file intact,
and a symlink at the target is replaced, never followed. The database and its
companion files are never a valid target.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator

from ketalog.errors import InputError, KetalogError, describe_os_error


def refuse_protected(target: Path, protected: Iterable[Path], field: str = "--output") -> None:
    """An output path that is (or resolves to) the database or one of its companion files is refused."""
    real = os.path.realpath(target)
    for path in protected:
        if real == os.path.realpath(path) or (target.exists() and path.exists() and os.path.samefile(target, path)):
            raise InputError(field, f"{target} is your database (or its log); choose another file")


@contextmanager
def private_output(
    path: Path, *, binary: bool = False, field: str = "--output", protected: Iterable[Path] = ()
) -> Iterator[IO]:
    """A handle whose content becomes ``path`` (mode 0600) only when the block finishes without error."""
    target = path.expanduser()
    refuse_protected(target, protected, field)
    if target.is_dir():
        raise InputError(field, f"{target} is a folder; give a file name")
    import tempfile

    try:
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")  # 0600
    except OSError as error:
        raise InputError(field, describe_os_error(error, target)) from None
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise KetalogError(describe_os_error(error, target)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_private_text(path: Path, text: str, protected: Iterable[Path] = ()) -> None:
    with private_output(path, protected=protected) as handle:
        handle.write(text)


def make_private_folder(folder: Path, field: str = "--output") -> None:
    """A new folder, and every missing parent, is made 0700 whatever the umask; one that exists keeps its
    mode (it may be shared, like /tmp)."""
    if folder.is_dir():
        return
    missing = []
    for parent in (folder, *folder.parents):
        if parent.exists() or parent.is_symlink():
            break
        missing.append(parent)
    if not missing:
        raise InputError(field, f"{folder} exists and is not a folder")
    for new in reversed(missing):
        try:
            new.mkdir(mode=0o700)
        except FileExistsError:  # another process made it, or it is a file
            if not new.is_dir():
                raise InputError(field, f"{new} exists and is not a folder") from None
            continue
        except OSError as error:
            raise InputError(field, f"cannot create {new}: {error.strerror}") from None
        os.chmod(new, 0o700)  # mkdir's mode is filtered by the umask
