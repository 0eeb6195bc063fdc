"""Where outputs go: a regular file or a new path is replaced atomically; a terminal, device, pipe or
descriptor path is written straight through (never renamed over); anything else is refused in one line.
Unfinished outputs and backups never sit under the real name, and a killed run's leftovers are removed."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import count, run_ketalog

from ketalog.files import _destination


@pytest.mark.parametrize(
    "path, how",
    [
        ("-", "stdout"),
        ("/dev/null", "direct"),
        ("/dev/stdout", "direct"),
        ("/dev/fd/63", "direct"),
        ("/proc/self/fd/1", "direct"),
    ],
)
def test_where_an_output_goes(path, how):
    assert _destination(Path(path), "-o") == how


def test_a_new_path_and_a_regular_file_are_replaced(tmp_path):
    assert _destination(tmp_path / "new.json", "-o") == "replace"
    (tmp_path / "old.json").write_text("x")
    assert _destination(tmp_path / "old.json", "-o") == "replace"


def test_a_socket_is_refused_in_one_line(cli, tmp_path):
    cli("checkin", "--mood", "5")
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        result = cli("export", "-o", str(path), expect=2)
    finally:
        server.close()
    assert "is not a regular file, a terminal or a pipe" in result.stderr
    assert stat.S_ISSOCK(path.stat().st_mode)


def test_a_fifo_is_written_through_not_replaced(cli, tmp_path):
    """What `-o >(gpg -e ...)` gives: a pipe, read by another program."""
    cli("checkin", "--mood", "5")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    cli("export", "-o", str(fifo))
    reader.join(10)
    assert b'"format": "ketalog-export"' in received[0]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize("target", ["/dev/stdout", "-"])
def test_standard_output_as_a_target(cli, target):
    cli("checkin", "--mood", "5")
    result = run_ketalog("report", "--format", "json", "-o", target)
    assert result.returncode == 0 and '"signs"' in result.stdout
    assert (
        os.path.islink("/dev/stdout")
        or not os.path.exists("/dev/stdout")
        or stat.S_ISCHR(os.stat("/dev/stdout").st_mode)
        or stat.S_ISFIFO(os.stat("/dev/stdout").st_mode)
    )


def test_dev_null_stays_the_systems_device(cli):
    cli("checkin", "--mood", "5")
    before = os.stat("/dev/null")
    assert run_ketalog("export", "-o", "/dev/null").returncode == 0
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_exports_partial_file_is_removed_by_the_next_run(cli, tmp_path):
    cli("journal", "secret")
    target = tmp_path / "out.json"
    stale = tmp_path / f".out.json.{_dead_pid()}.x1y2.part"
    stale.write_text('{"partial": "secret"')
    live = tmp_path / f".out.json.{os.getpid()}.a1b2.part"  # a run still writing: left alone
    live.write_text("")
    cli("export", "-o", str(target))
    assert not stale.exists() and live.exists() and target.exists()


def test_a_backup_that_fails_midway_leaves_nothing_under_its_name(cli, db_path, tmp_path, monkeypatch):
    from ketalog import db as database

    cli("journal", "secret")
    target = tmp_path / "copy.db"

    def killed(db, path):
        path.write_bytes(b"SQLite format 3\x00 half a copy")
        raise KeyboardInterrupt

    monkeypatch.setattr(database, "connect_like", killed)
    cli("backup", str(target), expect=130)
    assert not target.exists() and list(tmp_path.glob(".copy.db.*")) == []


def test_a_killed_backups_partial_copy_is_removed_by_the_next_backup(cli, tmp_path):
    cli("journal", "secret")
    stale = tmp_path / f".copy.db.{_dead_pid()}.part"
    stale.write_bytes(b"SQLite format 3\x00")
    (tmp_path / (stale.name + "-journal")).write_bytes(b"x")
    cli("backup", str(tmp_path / "copy.db"))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".copy")) == []
    assert count(tmp_path / "copy.db", "journal") == 1


def test_a_killed_conversions_journal_is_removed_with_its_copy(cli, db_path):
    cli("journal", "secret")
    for suffix in (".encrypting", ".encrypting-journal"):
        db_path.with_name(db_path.name + suffix).write_bytes(b"plain leftovers")
    cli("list")
    assert not any(db_path.with_name(db_path.name + s).exists() for s in (".encrypting", ".encrypting-journal"))


try:
    import sqlcipher3  # noqa: F401

    HAVE_SQLCIPHER = True
except ImportError:
    HAVE_SQLCIPHER = False


@pytest.mark.skipif(not HAVE_SQLCIPHER, reason="the encryption extra is not installed")
def test_encrypt_names_plain_backups_made_to_any_path(cli, db_path, tmp_path, monkeypatch):
    cli("journal", "secret")
    elsewhere = tmp_path / "usb" / "diary-copy.sqlite"
    elsewhere.parent.mkdir()
    cli("backup", str(elsewhere))
    monkeypatch.setenv("KETALOG_PASSPHRASE", "pw")
    result = cli("encrypt")
    assert "still plain text" in result.stderr and str(elsewhere) in result.stderr
    cli("encrypt", "--remove-plain-backups")
    assert not elsewhere.exists()


@pytest.mark.skipif(not HAVE_SQLCIPHER, reason="the encryption extra is not installed")
def test_nothing_about_a_safety_flag_is_left_in_plain_text_beside_an_encrypted_file(cli, db_path, monkeypatch):
    import json

    cli("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,2")
    legacy = db_path.with_name(db_path.name + ".seen")
    legacy.write_text(json.dumps({"seen": {"0123456789abcdef0123": "2026-03-09"}}))
    cli("status")
    monkeypatch.setenv("KETALOG_PASSPHRASE", "pw")
    cli("encrypt")
    cli("status")
    beside = sorted(p.name for p in db_path.parent.iterdir())
    assert not legacy.exists() and all(not name.endswith(".seen") for name in beside), beside
    assert db_path.read_bytes()[:16] != b"SQLite format 3\x00"


@pytest.mark.skipif(not HAVE_SQLCIPHER, reason="the encryption extra is not installed")
def test_a_conversion_never_runs_without_its_lock(cli, db_path, tmp_path, monkeypatch):
    cli("journal", "secret")
    lock = db_path.with_name(db_path.name + ".lock")
    lock.unlink()
    lock.symlink_to(tmp_path / "nowhere")  # a dangling link: the lock cannot be opened
    monkeypatch.setenv("KETALOG_PASSPHRASE", "pw")
    result = cli("encrypt", expect=1)
    assert "cannot take ketalog's lock" in result.stderr and result.stderr.count("\n") == 1
    assert db_path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_a_csv_export_folder_and_its_new_parents_are_private_under_umask_0(cli, tmp_path):
    cli("checkin", "--mood", "5")
    target = tmp_path / "a" / "b" / "csv"
    old = os.umask(0)
    try:
        cli("export", "--format", "csv", "-o", str(target))
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in target.iterdir())
