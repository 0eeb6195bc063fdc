"""`ketalog sync DIR`: one person's devices converge through a shared folder (Syncthing, Dropbox, a USB stick).

Each device writes its whole diary to ``DIR/ketalog-<device>.json`` (atomically, 0600) and reads every other
device's file with the import's merge rules: the newest copy of each entry wins, a delete wins over every
older copy, children follow their parent. The merge is the same whatever the order, so devices that have
read each other's latest files hold the same diary. Never the database itself: a sync tool copying a live
SQLite file (and its -wal) mid-write can hand the other device a corrupt one.

An encrypted diary writes ``ketalog-<device>.db`` instead: a SQLCipher file with the same passphrase holding
the same JSON, so no plain copy of the diary ever reaches a cloud folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ketalog.db import Connection, writing
from ketalog.errors import InputError
from ketalog.formats.apply import SeenBy
from ketalog.formats.plan import ImportFileError, ImportResult

PREFIX = "ketalog-"
_DEVICE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_SYNC_TABLE = "ketalog_sync"  # the one table of an encrypted sync file: (json TEXT)


@dataclass
class DeviceResult:
    device: str
    file: Path
    result: ImportResult | None  # None: not read (the note says why)
    note: str | None = None


@dataclass
class SyncResult:
    device: str
    written: Path
    devices: list[DeviceResult] = field(default_factory=list)


def _home(db_path: Path) -> str:
    """Where this device id was made: the machine and the diary's path. A database copied to another machine
    (or path) gets an id of its own, so two devices never write to the same file."""
    import socket

    return f"{socket.gethostname()}:{db_path.resolve()}"


def device_id(db: Connection, db_path: Path) -> str:
    """This device's id in the shared folder, made once ("laptop-3f2a1b") and kept in `sync_state`."""
    state = dict(db.execute("SELECT key, value FROM sync_state WHERE key IN ('device', 'home')").fetchall())
    home = _home(db_path)
    if state.get("device") and state.get("home") == home:
        return state["device"]
    import secrets
    import socket

    name = re.sub(r"[^a-z0-9]+", "-", socket.gethostname().lower()).strip("-")[:40] or "device"
    device = f"{name}-{secrets.token_hex(3)}"
    with writing(db):
        db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('device', ?)", [device])
        db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('home', ?)", [home])
    return device


def _others(folder: Path, me: str) -> list[tuple[str, Path]]:
    """(device, file) of every other device's sync file, by name. A file whose name is no device id (a sync
    tool's "ketalog-x (conflicted copy).json") is listed too, and `sync` says it left it alone."""
    found = []
    for path in sorted(folder.iterdir()):
        if not path.name.startswith(PREFIX) or path.suffix not in (".json", ".db") or not path.is_file():
            continue
        device = path.name[len(PREFIX) : -len(path.suffix)]
        if device != me:
            found.append((device, path))
    return found


def _read_encrypted(path: Path, key: str) -> str:
    from ketalog import crypto

    conn = crypto.connect(path, key, timeout=5)
    try:
        row = conn.execute(f"SELECT json FROM {_SYNC_TABLE}").fetchone()
    except Exception:  # a SQLCipher file that is not a sync file: said, never a traceback
        row = None
    finally:
        conn.close()
    if row is None or not isinstance(row[0], str):
        raise ImportFileError(path, "file", "is not a ketalog sync file")
    return row[0]


def _plan_of(path: Path, key: str | None, already_read: str | None):
    """A device's file as a checked plan (None when it is the very file merged last time), with when it was
    written and which files of others it had read."""
    from ketalog.formats import read
    from ketalog.formats.checks import check_plan
    from ketalog.formats.ketalog_json import parse_json

    if path.suffix == ".json":
        with read.open_source(path) as handle:
            data = read.capped_json(path, handle.read(read.MAX_JSON_CHARS + 1))
    else:
        assert key is not None
        data = read.capped_json(path, _read_encrypted(path, key))
    written = data.get("exported_at") if isinstance(data, dict) else None
    if not isinstance(written, str):
        raise ImportFileError(path, "exported_at", "missing; is this a ketalog sync file?")
    if written == already_read:
        return None, written, {}
    plan = parse_json(path, data)
    check_plan(plan)
    sync = data.get("sync") if isinstance(data.get("sync"), dict) else {}
    return plan, written, sync.get("read") or {}


def sync(db: Connection, db_path: Path, folder: Path, key: str | None) -> SyncResult:
    """Read every other device's file into this diary, then write this device's whole diary to the folder.
    ``key``: the diary's passphrase when it is encrypted (its sync file is then encrypted with it)."""
    from ketalog.formats.apply import apply_plan

    if not folder.is_dir():
        raise InputError("DIR", f"{folder} is not a folder; make it, or name the folder your devices share")
    if folder.resolve() in db_path.resolve().parents:
        raise InputError(
            "DIR",
            f"{folder} holds this diary's database itself; a sync tool copying a live database can corrupt "
            "it. Move the database out (--db or KETALOG_DB) and sync a folder of its own",
        )
    me = device_id(db, db_path)
    outcome = SyncResult(me, folder / f"{PREFIX}{me}{'.db' if key else '.json'}")
    state = _state(db)
    plans = []
    for device, path in _others(folder, me):
        if not _DEVICE.match(device):
            outcome.devices.append(DeviceResult(device, path, None, "not a device's sync file name; left alone"))
        elif path.suffix == ".db" and key is None:
            outcome.devices.append(
                DeviceResult(device, path, None, "encrypted, and this diary is not: encrypt it to read that file")
            )
        else:
            # every file read and checked before any write
            plans.append((device, path, *_plan_of(path, key, state.get(f"read:{device}"))))
    published = tuple(json.loads(state.get("published", "[]")))
    for device, path, plan, written, read in plans:
        if plan is None:
            outcome.devices.append(DeviceResult(device, path, None, "unchanged since the last sync"))
            continue
        seen = SeenBy(device, published, str(read.get(me, "")) if isinstance(read, dict) else "")
        result = apply_plan(db, plan, dry_run=False, seen=seen)
        with writing(db):
            db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", [f"read:{device}", written])
        outcome.devices.append(DeviceResult(device, path, result))
    _write(db, outcome.written, key, me, _state(db))
    return outcome


def _state(db: Connection) -> dict[str, str]:
    return dict(db.execute("SELECT key, value FROM sync_state").fetchall())


def _write(db: Connection, target: Path, key: str | None, me: str, state: dict[str, str]) -> None:
    """This device's whole diary into the folder, atomically; its publish time is kept when its content
    changed since the last one (what `SeenBy` reads)."""
    import hashlib

    from ketalog.formats.ketalog_json import export_json_chunks
    from ketalog.timeparse import stamp

    now = stamp()
    read = {name[len("read:") :]: value for name, value in state.items() if name.startswith("read:")}
    chunks = export_json_chunks(db, now, head_extra={"sync": {"device": me, "read": read}})
    head = next(chunks)
    body = "".join(chunks) + "\n"
    if key is None:
        from ketalog.files import private_output

        with private_output(target, field="DIR") as handle:
            handle.write(head + body)
    else:
        _write_encrypted(target, key, head + body)
    digest = hashlib.sha256(body.encode()).hexdigest()
    if digest != state.get("published_digest"):
        published = [*json.loads(state.get("published", "[]")), now][-_KEEP_PUBLISHED:]
        with writing(db):
            db.execute(
                "INSERT OR REPLACE INTO sync_state (key, value) VALUES ('published', ?)", [json.dumps(published)]
            )
            db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('published_digest', ?)", [digest])


# Publish times kept: one per sync that carried a change (a year of daily use is ~400). An edit older than the
# oldest kept counts as published then, which can only name a replaced edit that was in fact seen.
_KEEP_PUBLISHED = 1000


def _write_encrypted(target: Path, key: str, text: str) -> None:
    import os
    import tempfile

    from ketalog import crypto

    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    try:
        conn = crypto.connect_new(Path(temporary), key, timeout=5)
        try:
            conn.execute(f"CREATE TABLE {_SYNC_TABLE} (json TEXT NOT NULL)")
            conn.execute(f"INSERT INTO {_SYNC_TABLE} (json) VALUES (?)", [text])
            conn.commit()
        finally:
            conn.close()
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
