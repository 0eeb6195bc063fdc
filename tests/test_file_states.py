"""The database file in the states people find it in: an older schema, a folder that cannot be written,
a mode others can read. Each is read, said plainly, and never mistaken for damage."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from helpers import rows

FIXTURES = Path(__file__).parent / "fixtures"


def test_check_on_a_healthy_older_file_says_it_will_be_upgraded(cli, tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema-v8.db", path)
    result = cli("--db", str(path), "check")  # exit 0: nothing is wrong with it
    assert "ok" in result.stdout and "the next write will upgrade it" in result.stdout
    assert "Restore a backup" not in result.stdout
    assert cli.json("--db", str(path), "check")["upgrade_pending"] is True


def test_a_database_in_a_folder_that_cannot_be_written_is_still_read(cli, db_path, monkeypatch):
    cli("checkin", "--mood", "5", "--note", "still here")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == db_path.parent else real_access(p, mode))
    assert [e["note"] for e in cli.json("list")] == ["still here"]
    cli("status")


def test_unsaved_log_in_a_folder_that_cannot_be_written_is_said_not_skipped(cli, db_path, monkeypatch):
    cli("checkin", "--mood", "5")
    Path(f"{db_path}-wal").write_bytes(b"x" * 100)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == db_path.parent else real_access(p, mode))
    result = cli("list", expect=1)
    assert "unsaved changes" in result.stderr and result.stderr.count("\n") == 1


def test_a_database_others_could_read_is_made_private_on_any_open_and_said(cli, db_path):
    cli("checkin", "--mood", "5")
    os.chmod(db_path, 0o666)
    result = cli("info")
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert "could be read or changed by others (mode 666); it is now 0600" in result.stderr
    assert rows(db_path, "SELECT mood FROM checkins") == [(5,)]
    assert "could be read" not in cli("info").stderr  # said once: it is private now


def test_on_a_full_disk_reads_export_and_backup_to_another_disk_still_work(cli, db_path, tmp_path, monkeypatch):
    """A full disk failed every command, even `list` (SQLite could not grow the WAL index to read)."""
    from ketalog import db as database

    cli("checkin", "--mood", "5", "--note", "kept")
    monkeypatch.setattr(database, "disk_full", lambda folder: Path(folder) == db_path.parent)
    assert [e["note"] for e in cli.json("list")] == ["kept"]
    elsewhere = tmp_path / "other-disk"
    elsewhere.mkdir()
    cli("export", "-o", str(elsewhere / "x.json"))
    backed = cli("backup", str(elsewhere / "b.db"))
    assert (elsewhere / "b.db").exists() and "Backed up" in backed.stdout


def test_a_disk_error_on_a_full_disk_is_called_a_full_disk_not_damage(tmp_path, monkeypatch):
    import sqlite3

    from ketalog import db as database
    from ketalog.errors import DISK_FULL, describe_database_error

    error = sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(database, "disk_full", lambda folder: True)
    assert describe_database_error(error, tmp_path) == DISK_FULL
    monkeypatch.setattr(database, "disk_full", lambda folder: False)
    assert "damaged" not in describe_database_error(error, tmp_path)
