"""Deletes that stay deleted, last writer wins, and `ketalog sync` across devices (issue 26).

The contract is convergence: devices that have read each other's latest files hold the same diary, whatever
the order of adds, edits, deletes and syncs; no entry is duplicated, no deleted entry comes back unless it was
changed after the delete, and an edit that gives way to one made without seeing it is named.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import rows

PASSPHRASE = "correct horse battery staple"


class Devices:
    """Several diaries on one machine, each its own database, sharing one folder."""

    def __init__(self, cli, tmp_path: Path, monkeypatch):
        self.cli, self.tmp, self.monkeypatch = cli, tmp_path, monkeypatch
        self.share = tmp_path / "share"
        self.share.mkdir()

    def db(self, name: str) -> Path:
        return self.tmp / f"{name}.db"

    def run(self, name: str, *args: str, at: str | None = None, expect: int = 0):
        if at:
            self.monkeypatch.setenv("KETALOG_NOW", at)
        return self.cli("--db", str(self.db(name)), *args, expect=expect)

    def sync(self, name: str, at: str | None = None) -> dict:
        return json.loads(self.run(name, "sync", str(self.share), "--json", at=at).stdout)

    def tables(self, name: str) -> dict:
        return json.loads(self.run(name, "export").stdout)["tables"]

    def ids(self, name: str) -> set[str]:
        return {e["id"] for e in json.loads(self.run(name, "list", "--limit", "0", "--json").stdout)}


@pytest.fixture
def devices(cli, tmp_path, monkeypatch):
    return Devices(cli, tmp_path, monkeypatch)


def test_two_devices_converge_and_a_second_sync_changes_nothing(devices):
    devices.run("laptop", "checkin", "--mood", "5", "--tag", "walk")
    devices.run("desktop", "add", "--route", "iv", "--dose", "0.5mg/kg", "--no-input", "--side-effect", "nausea")
    devices.sync("laptop")
    first = devices.sync("desktop")
    assert first["devices"][0]["added"] == {"checkins": 1, "checkin_tags": 1}
    devices.sync("laptop")
    assert devices.tables("laptop") == devices.tables("desktop")
    again = devices.sync("desktop")
    assert again["devices"][0]["note"] == "unchanged since the last sync"
    assert devices.tables("laptop") == devices.tables("desktop")


def test_the_sync_file_is_private_and_named_by_a_device_id_kept_in_the_database(devices):
    devices.run("laptop", "checkin", "--mood", "5")
    one = devices.sync("laptop")
    two = devices.sync("laptop")
    written = Path(one["written"])
    assert one["device"] == two["device"] and written.name == f"ketalog-{one['device']}.json"
    assert written.stat().st_mode & 0o777 == 0o600
    assert "sync_state" not in devices.tables("laptop") and "device" not in devices.run("laptop", "export").stdout


def test_a_copied_database_gets_a_device_id_of_its_own(devices):
    import shutil

    devices.run("laptop", "checkin", "--mood", "5")
    mine = devices.sync("laptop")["device"]
    shutil.copy(devices.db("laptop"), devices.db("copy"))
    copied = devices.sync("copy")
    assert copied["device"] != mine and [d["device"] for d in copied["devices"]] == [mine]


def test_a_delete_travels_and_an_edit_made_after_it_elsewhere_brings_the_entry_back(devices):
    devices.run("a", "checkin", "--mood", "5", at="2026-03-01T10:00:00Z")
    entry = next(iter(devices.ids("a")))
    devices.sync("a")
    devices.sync("b")
    devices.run("a", "delete", entry[:8], "--yes", at="2026-03-02T10:00:00Z")
    devices.sync("a")
    pulled = devices.sync("b")
    assert pulled["devices"][0]["deleted"] == {"checkins": 1} and devices.ids("b") == set()
    # a third diary that imports a's older export later never gets the entry back from it either
    devices.run("c", "import", str(devices.share / f"ketalog-{pulled['device']}.json"))
    assert devices.ids("c") == set() and len(devices.tables("c")["deleted_entries"]) == 1


def test_an_edit_made_after_the_delete_wins_and_is_said(devices):
    devices.run("a", "checkin", "--mood", "5", at="2026-03-01T10:00:00Z")
    entry = next(iter(devices.ids("a")))[:8]
    devices.sync("a")
    devices.sync("b")
    devices.run("a", "delete", entry, "--yes", at="2026-03-02T10:00:00Z")
    devices.run("b", "edit", entry, "--mood", "7", at="2026-03-03T10:00:00Z")  # later than the delete
    devices.sync("a", at="2026-03-04T10:00:00Z")
    devices.sync("b")
    back = devices.sync("a")
    assert back["devices"][0]["brought_back"] == {"checkins": 1}
    assert [e["mood"] for e in json.loads(devices.run("a", "list", "--json").stdout)] == [7]
    devices.sync("b")
    assert devices.tables("a") == devices.tables("b")


def test_a_concurrent_edit_that_gives_way_is_named(devices):
    devices.run("a", "checkin", "--mood", "5", at="2026-03-01T10:00:00Z")
    entry = next(iter(devices.ids("a")))[:8]
    a = devices.sync("a")["device"]
    devices.sync("b")
    devices.sync("a")
    devices.run("b", "edit", entry, "--mood", "2", at="2026-03-02T10:00:00Z")
    devices.run("a", "edit", entry, "--mood", "3", at="2026-03-02T10:05:00Z")  # without having seen b's
    devices.sync("a", at="2026-03-02T11:00:00Z")
    result = devices.sync("b", at="2026-03-02T11:10:00Z")
    assert result["devices"][0]["overwritten"] == [f"checkin {entry} (newer edit from {a})"]
    text = devices.run("b", "sync", str(devices.share)).stdout
    assert "Edits made here" not in text  # named once, when it happened


def test_an_edit_that_had_seen_the_other_copy_is_not_a_conflict(devices):
    devices.run("a", "checkin", "--mood", "5", at="2026-03-01T10:00:00Z")
    entry = next(iter(devices.ids("a")))[:8]
    devices.sync("a")
    devices.sync("b")
    devices.run("b", "edit", entry, "--mood", "2", at="2026-03-02T10:00:00Z")
    devices.sync("b", at="2026-03-02T10:10:00Z")
    devices.sync("a", at="2026-03-02T10:20:00Z")  # a reads b's edit
    devices.run("a", "edit", entry, "--mood", "3", at="2026-03-02T10:30:00Z")  # and edits on top of it
    devices.sync("a", at="2026-03-02T10:40:00Z")
    result = devices.sync("b", at="2026-03-02T10:50:00Z")
    assert result["devices"][0]["updated"] == {"checkins": 1} and result["devices"][0]["overwritten"] == []


def test_an_older_export_does_not_bring_back_side_effects_cleared_since(devices, tmp_path):
    devices.run("a", "add", "--route", "iv", "--dose", "0.5mg/kg", "--no-input", "--side-effect", "nausea")
    session = next(iter(devices.ids("a")))[:8]
    old = tmp_path / "old.json"
    devices.run("a", "export", "-o", str(old))
    devices.run("a", "edit", session, "--clear", "side-effects", at="2026-03-11T10:00:00Z")
    result = json.loads(devices.run("a", "import", str(old), "--json").stdout)
    assert result["added"] == {} and rows(devices.db("a"), "SELECT * FROM side_effects") == []


def test_deleting_a_medicines_only_event_elsewhere_removes_the_medicine(devices):
    devices.run("a", "med", "took", "lorazepam", "--dose", "1 mg")
    devices.sync("a")
    devices.sync("b")
    event = next(iter(devices.ids("a")))[:8]
    devices.run("a", "delete", event, "--yes", at="2026-03-11T10:00:00Z")
    devices.sync("a")
    devices.sync("b")
    assert rows(devices.db("b"), "SELECT key FROM medications") == []
    assert devices.tables("a") == devices.tables("b")


@pytest.mark.parametrize(
    "tombstone, message",
    [
        ({"id": "ab" * 16, "kind": "dream", "deleted_at": "2026-03-01T10:00:00Z"}, "kind must be one of"),
        ({"id": "AB" * 16, "kind": "checkin", "deleted_at": "2026-03-01T10:00:00Z"}, "id must be 32 lowercase"),
        ({"id": "ab" * 16, "kind": "checkin", "deleted_at": "yesterday"}, "deleted_at must be UTC"),
        ({"id": "ab" * 16, "kind": "checkin"}, "needs exactly id, kind and deleted_at"),
    ],
)
def test_a_bad_tombstone_is_one_line_naming_its_row(devices, tmp_path, tombstone, message):
    path = tmp_path / "x.json"
    export = json.loads(devices.run("a", "export").stdout)
    export["tables"]["deleted_entries"] = [tombstone]
    path.write_text(json.dumps(export))
    error = devices.run("b", "import", str(path), expect=2).stderr
    assert "table deleted_entries row 1" in error and message in error and error.count("\n") == 1


def test_sync_refuses_a_missing_folder_and_the_databases_own(devices, tmp_path):
    error = devices.run("a", "sync", str(tmp_path / "nowhere"), expect=2).stderr
    assert "is not a folder" in error and error.count("\n") == 1
    error = devices.run("a", "sync", str(tmp_path), expect=2).stderr
    assert "holds this diary's database" in error and not list(tmp_path.glob("ketalog-*.json"))


def test_a_broken_file_from_another_device_stops_the_sync_before_anything_is_written(devices):
    devices.run("a", "checkin", "--mood", "5")
    (devices.share / "ketalog-phone-abc123.json").write_text('{"format": "ketalog-export", "tables": ')
    error = devices.run("a", "sync", str(devices.share), expect=2).stderr
    assert "ketalog-phone-abc123.json" in error and error.count("\n") == 1
    assert sorted(p.name for p in devices.share.iterdir()) == ["ketalog-phone-abc123.json"]


def test_an_encrypted_diary_syncs_through_an_encrypted_file_only(devices, monkeypatch):
    pytest.importorskip("sqlcipher3")
    monkeypatch.setenv("KETALOG_PASSPHRASE", PASSPHRASE)
    devices.run("a", "checkin", "--mood", "5", "--note", "private words")
    devices.run("a", "encrypt")
    devices.run("b", "checkin", "--mood", "6")
    devices.run("b", "encrypt")
    devices.sync("a")
    devices.sync("b")
    devices.sync("a")
    names = sorted(p.name for p in devices.share.iterdir())
    assert all(name.endswith(".db") for name in names) and len(names) == 2
    assert all(b"private words" not in p.read_bytes() for p in devices.share.iterdir())
    assert devices.tables("a") == devices.tables("b")
    monkeypatch.delenv("KETALOG_PASSPHRASE")
    devices.run("plain", "checkin", "--mood", "4")
    result = devices.sync("plain")
    assert {d["note"] for d in result["devices"]} == {"encrypted, and this diary is not: encrypt it to read that file"}


def test_two_processes_syncing_to_the_same_folder_at_once(devices, tmp_path):
    for name, mood in (("a", "5"), ("b", "6")):
        devices.run(name, "checkin", "--mood", mood)
    env = {**os.environ}

    def start(name):
        return subprocess.Popen(
            [sys.executable, "-m", "ketalog", "--db", str(devices.db(name)), "sync", str(devices.share)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    for _ in range(3):
        running = [start("a"), start("b")]
        for process in running:
            _, stderr = process.communicate(timeout=60)
            assert process.returncode == 0, stderr
        for path in devices.share.iterdir():
            assert json.loads(path.read_text())["format"] == "ketalog-export"  # never half a file
    assert devices.tables("a") == devices.tables("b")
    assert not [p for p in devices.share.iterdir() if not p.name.endswith(".json")]


def test_a_sync_tools_conflict_copy_is_named_and_left_alone(devices):
    devices.run("a", "checkin", "--mood", "5")
    devices.sync("a")
    copy = devices.share / "ketalog-phone-abc123 (conflicted copy).json"
    copy.write_text("{}")
    result = devices.sync("a")
    assert {d["note"] for d in result["devices"]} == {"not a device's sync file name; left alone"}
    assert copy.read_text() == "{}"
