"""Convergence is the contract of `sync` (issue 26): three devices doing random adds, edits, deletes and syncs,
in any order and with clocks that often show the same second, end with identical exports once each has read
the others' latest files; no entry is duplicated, none deleted comes back unless changed after the delete,
and each entry holds its newest change. Library calls, not the CLI, so hypothesis can try many histories."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ketalog import db as database
from ketalog import store
from ketalog.formats.ketalog_json import export_data
from ketalog.formats.sync import sync

DEVICES = ("laptop", "desktop", "phone")
START = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


class ThreeDevices(RuleBasedStateMachine):
    @initialize()
    def make_folders(self):
        import tempfile

        self.root = Path(tempfile.mkdtemp(prefix="ketalog-sync-"))
        self.share = self.root / "share"
        self.share.mkdir()
        self.clock = START
        self.versions: dict[str, list[str]] = {}  # entry id -> every updated_at it was written with
        self.deletes: dict[str, list[str]] = {}  # entry id -> every deleted_at
        self._tick(0)

    def _tick(self, seconds: int) -> None:
        self.clock += timedelta(seconds=seconds)
        os.environ["KETALOG_NOW"] = self.clock.isoformat()

    def _open(self, device: str):
        return database.open_db(self.root / f"{device}.db", create=True)

    def _ids(self, device: str) -> list[str]:
        with self._open(device) as db:
            return [row["id"] for row in db.query("SELECT id FROM checkins ORDER BY id")]

    @rule(device=st.sampled_from(DEVICES), mood=st.integers(0, 10), tags=st.lists(st.sampled_from("abc"), max_size=2))
    def add(self, device, mood, tags):
        with self._open(device) as db:
            entry = store.insert(db, "checkin", self.clock, {"mood": mood}, sorted(set(tags)))
        self.versions[entry.id] = [self._stamp()]

    def _stamp(self) -> str:
        return self.clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    @rule(device=st.sampled_from(DEVICES), pick=st.integers(0, 50), mood=st.integers(0, 10), tag=st.booleans())
    def edit(self, device, pick, mood, tag):
        ids = self._ids(device)
        if not ids:
            return
        entry_id = ids[pick % len(ids)]
        with self._open(device) as db:
            entry = store.get(db, "checkin", entry_id)
            store.update(db, entry, {"mood": mood}, children=["edited"] if tag else [])
        self.versions.setdefault(entry_id, []).append(self._stamp())

    @rule(device=st.sampled_from(DEVICES), pick=st.integers(0, 50))
    def delete(self, device, pick):
        ids = self._ids(device)
        if not ids:
            return
        entry_id = ids[pick % len(ids)]
        with self._open(device) as db:
            store.delete(db, store.get(db, "checkin", entry_id))
        self.deletes.setdefault(entry_id, []).append(self._stamp())

    @rule(device=st.sampled_from(DEVICES))
    def sync_now(self, device):
        with self._open(device) as db:
            sync(db, self.root / f"{device}.db", self.share, None)

    @rule(seconds=st.sampled_from([0, 0, 1, 60]))
    def time_passes(self, seconds):
        self._tick(seconds)

    @invariant()
    def no_device_holds_a_deleted_entry_older_than_its_delete(self):
        for device in DEVICES:
            if not (self.root / f"{device}.db").exists():
                continue
            with self._open(device) as db:
                buried = (
                    "SELECT c.id FROM checkins c JOIN deleted_entries d ON d.id = c.id "
                    "WHERE c.updated_at <= d.deleted_at"
                )
                for row in db.query(buried):
                    raise AssertionError(f"{device} holds {row['id']} though it was deleted after its last change")

    @rule()
    def everyone_syncs_twice_and_agrees(self):
        self._tick(1)
        for _ in range(2):
            for device in DEVICES:
                self.sync_now(device)
        exports = []
        for device in DEVICES:
            with self._open(device) as db:
                exports.append(json.dumps(export_data(db, "now")["tables"], sort_keys=True))
        assert exports[0] == exports[1] == exports[2]
        tables = json.loads(exports[0])
        present = {row["id"]: row for row in tables["checkins"]}
        for entry_id, written in self.versions.items():
            newest = max(written)
            deleted = max(self.deletes.get(entry_id, [""]))
            if deleted >= newest:
                assert entry_id not in present, f"{entry_id} came back after its delete"
            else:
                assert entry_id in present, f"{entry_id} was lost"
                assert present[entry_id]["updated_at"] == newest, f"{entry_id} does not hold its newest change"
        assert len(present) == len(tables["checkins"])  # no entry twice


TestThreeDevices = pytest.mark.slow(ThreeDevices.TestCase)
TestThreeDevices.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)
