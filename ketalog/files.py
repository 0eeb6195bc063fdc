"""Files ketalog writes besides the database (reports, exports): private (0600) and atomic.

A regular file or a new path is written to a temporary file in the same folder
(named with the writer's pid) and renamed into place only when complete, so a
full disk or a crash leaves the previous file intact, a symlink at the target
is replaced, never followed, and a killed run's partial file is removed by the
next run. ``-`` is standard output; a terminal, device, pipe or descriptor path
(``/dev/null``, ``/dev/stdout``, ``>(gpg -e)``) is written straight through and
never renamed over; anything else is refused. The database and its companion
files are never a valid target.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator

from ketalog.errors import InputError, KetalogError, describe_os_error

PART_SUFFIX = ".part"  # an unfinished output; a killed run's are removed by ``remove_stale_parts``


def refuse_protected(target: Path, protected: Iterable[Path], field: str = "--output") -> None:
    """An output path that is (or resolves to) the database or one of its companion files is refused."""
    real = os.path.realpath(target)
    for path in protected:
        if real == os.path.realpath(path) or (target.exists() and path.exists() and os.path.samefile(target, path)):
            raise InputError(field, f"{target} is your database (or its log); choose another file")


# Paths that name one of this process's open descriptors: written through, never replaced.
_DESCRIPTOR_PATH = re.compile(r"^/(?:dev/(?:stdout|stderr|fd/\d+)|proc/(?:self|thread-self|\d+)/fd/\d+)$")


def _destination(target: Path, field: str) -> str:
    """How to write ``target``: 'stdout' for -, 'direct' for a terminal, device, pipe or descriptor path
    (``-o /dev/null``, ``-o /dev/stdout``, ``-o >(gpg -e ...)``), 'replace' for a regular file or a new path.
    Anything else (a socket, a block device) is refused: renaming over it would replace it."""
    if str(target) == "-":
        return "stdout"
    if _DESCRIPTOR_PATH.match(str(target)):
        return "direct"
    try:
        mode = target.stat().st_mode  # follows a symlink: /dev/stdout -> /proc/self/fd/1 -> the pipe
    except FileNotFoundError:
        return "replace"
    except OSError as error:
        raise InputError(field, describe_os_error(error, target)) from None
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "direct"
    if stat.S_ISDIR(mode):
        raise InputError(field, f"{target} is a folder; give a file name")
    if stat.S_ISREG(mode):
        return "replace"
    raise InputError(field, f"{target} is not a regular file, a terminal or a pipe; choose a file name")


@contextmanager
def private_output(
    path: Path,
    *,
    binary: bool = False,
    field: str = "--output",
    protected: Iterable[Path] = (),
    replace_only: bool = False,
) -> Iterator[IO]:
    """A handle whose content becomes ``path`` (mode 0600) only when the block finishes without error.

    ``-`` is standard output; a device, pipe or descriptor path is written straight through (the
    system's /dev/null must never be renamed over); only a regular file or a new path is replaced
    atomically. ``replace_only``: files of ketalog's own (settings, job files) are always replaced, never
    written through to whatever a symlink points at."""
    target = path.expanduser()
    how = "replace" if replace_only else _destination(target, field)
    if how == "stdout":
        import sys

        yield sys.stdout.buffer if binary else sys.stdout
        sys.stdout.flush()
        return
    refuse_protected(target, protected, field)
    if how == "direct":
        try:
            handle = open(
                target, "wb" if binary else "w", encoding=None if binary else "utf-8", newline=None if binary else ""
            )
        except OSError as error:
            raise InputError(field, describe_os_error(error, target)) from None
        try:
            with handle:
                yield handle
        except BrokenPipeError:
            raise KetalogError(f"{target}: the program reading it stopped before the end") from None
        return
    import tempfile

    remove_stale_parts(target)
    try:
        # The pid in the name lets a later run tell a killed run's leftover from one still being written.
        prefix = f".{target.name}.{os.getpid()}."
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=PART_SUFFIX)  # 0600
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


def remove_stale_parts(target: Path) -> None:
    """Delete unfinished outputs for ``target`` that a killed run left (a partial plaintext export must not
    lie about forever); a part whose writer is still alive is left alone."""
    try:
        candidates = list(target.parent.glob(f".{glob.escape(target.name)}.*{PART_SUFFIX}*"))  # and its -journal
    except OSError:
        return
    for part in candidates:
        pid_text = part.name[len(target.name) + 2 :].split(".", 1)[0].removesuffix(PART_SUFFIX)
        if not pid_text.isdigit() or _alive(int(pid_text)) or part.is_symlink():
            continue
        try:
            part.unlink()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or not a pid: leave its file alone
    return True


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
