"""Proof that nothing is lost: crashes, concurrent writers, backups, health checks, encryption, hostile input."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import threading

import pytest
from helpers import count, digest, rows, run_ketalog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WRITER = r"""
import sys
from ketalog.cli import app
path = sys.argv[1]
i = 0
while True:
    note = f"{sys.argv[2]}-{i}"
    try:
        app(["--db", path, "journal", note, "--tag", "a", "--tag", "b", "--tag", "c"], standalone_mode=False)
    except SystemExit as exit:
        if exit.code:
            raise
    print("COMMITTED", note, flush=True)   # reported only after the command returned success
    i += 1
"""


def test_sigkill_at_random_moments_never_loses_or_halves_an_entry(tmp_path):
    path = tmp_path / "crash.db"
    rng = random.Random(2026)
    reported: list[str] = []
    for round_number in range(12):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), f"r{round_number}"],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        wanted = rng.randint(1, 6)  # kill after a random number of successes, mid-way through the next
        while wanted:
            line = child.stdout.readline()
            if not line:
                break
            if line.startswith("COMMITTED "):
                reported.append(line.split(" ", 1)[1].strip())
                wanted -= 1
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        child.stdout.close()
    check = run_ketalog("--db", str(path), "check")
    assert check.returncode == 0, check.stdout + check.stderr
    stored = [row[0] for row in rows(path, "SELECT text FROM journal")]
    assert set(reported) <= set(stored) and len(stored) == len(set(stored))
    tag_counts = rows(
        path, "SELECT j.id, count(t.tag) FROM journal j LEFT JOIN journal_tags t ON t.journal_id = j.id GROUP BY j.id"
    )
    assert {n for _, n in tag_counts} == {3}  # every entry whole, with all three tags


def test_several_processes_adding_at_once(tmp_path):
    path = tmp_path / "busy.db"
    script = (
        "import sys\nfrom ketalog.cli import app\n"
        "for i in range(20):\n"
        "    args = ['--db', sys.argv[1], 'add', '--route', 'iv', '--note', f'{sys.argv[2]}-{i}',\n"
        "            '--side-effect', 'nausea']\n"
        "    try:\n        code = app(args, standalone_mode=False)\n"  # a refused add returns its exit code here
        "    except SystemExit as e:\n        code = e.code\n"
        "    assert not code, code\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path), f"w{n}"], env=os.environ.copy(), stdout=subprocess.DEVNULL
        )
        for n in range(4)
    ]
    assert [p.wait(timeout=180) for p in procs] == [0] * 4
    assert count(path, "sessions") == 80 and count(path, "side_effects") == 80
    numbers = sorted(r[0] for r in rows(path, "SELECT note FROM sessions"))
    assert numbers == sorted(f"w{n}-{i}" for n in range(4) for i in range(20))


class _SwitchingConnection:
    """A connection whose switch to WAL meets the two-first-runs deadlock ``busy`` times, as SQLite answers it."""

    def __init__(self, busy: int, error: str = "database is locked"):
        self.busy, self.error, self.mode = busy, error, "delete"

    def execute(self, sql: str):
        if sql == "PRAGMA journal_mode = WAL":
            if self.busy:
                self.busy -= 1
                raise sqlite3.OperationalError(self.error)
            self.mode = "wal"
        return self

    def fetchone(self):
        return (self.mode,)

    def fetchall(self):
        return [(self.mode,)]


def test_a_first_run_that_meets_anothers_switch_to_wal_waits_and_looks_again(monkeypatch):
    """SQLite answers SQLITE_BUSY at once (no busy handler) when two new-file switches to WAL deadlock; 1 run
    in 20 of 8 first runs at once met it, and ketalog said "busy" and wrote nothing. Now it retries."""
    from ketalog import db as database

    pauses: list[float] = []
    monkeypatch.setattr(database, "_pause", pauses.append)
    conn = _SwitchingConnection(busy=3)
    database._use_wal(conn)
    assert conn.mode == "wal" and len(pauses) == 3 and pauses == sorted(pauses)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        database._use_wal(_SwitchingConnection(busy=1, error="disk I/O error"))  # only busy is waited out
    monkeypatch.setattr(database, "BUSY_TIMEOUT_SECONDS", 0)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        database._use_wal(_SwitchingConnection(busy=1))  # and only for as long as the busy timeout


# Backup and check -------------------------------------------------------------------------


@pytest.mark.slow
def test_backup_is_consistent_while_a_write_is_in_progress(cli, db_path, tmp_path):
    cli("checkin", "--mood", "5")
    other = sqlite3.connect(db_path)
    other.execute("BEGIN IMMEDIATE")
    other.execute(
        "INSERT INTO checkins (id, at, utc_offset, local_date, mood, created_at, updated_at) "
        "VALUES ('ab', '2026-03-01T00:00:00Z', 0, '2026-03-01', 3, 'x', 'x')"
    )
    target = tmp_path / "copy.db"
    assert "Backed up" in cli("backup", str(target)).stdout
    other.rollback()
    other.close()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert count(target, "checkins") == 1  # the uncommitted row is not in the copy
    assert "ok" in cli("--db", str(target), "check").stdout


def test_backup_default_name_beside_the_database(cli, db_path):
    cli("checkin", "--mood", "5")
    cli("backup")
    copies = list(db_path.parent.glob("ketalog-backup-20260310-100000.db"))
    assert len(copies) == 1 and stat.S_IMODE(copies[0].stat().st_mode) == 0o600
    assert "already exists" in cli("backup", str(copies[0]), expect=2).stderr


def test_backup_of_nothing(cli):
    assert "nothing to back up" in cli("backup", expect=1).stderr


def test_check_finds_broken_foreign_keys(cli, db_path):
    cli("add", "--route", "iv", "--side-effect", "nausea")
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM sessions")
    conn.commit()
    conn.close()
    result = cli("check", expect=1)
    assert "foreign keys: 1 row(s)" in result.stdout
    import json

    assert json.loads(cli("check", "--json", expect=1).stdout)["ok"] is False


def test_check_reports_damage_without_traceback(cli, db_path):
    cli("checkin", "--mood", "5")
    sqlite3.connect(db_path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(db_path.read_bytes())
    data[4096:8192] = b"\x00\x13" * 2048  # smash the checkins table page
    db_path.write_bytes(bytes(data))
    result = cli("check", expect=1)
    assert "Traceback" not in result.output
    assert "problems found" in result.stdout and "malformed" in result.stdout


# Encryption -----------------------------------------------------------------------------

try:
    import sqlcipher3  # noqa: F401

    HAVE_SQLCIPHER = True
except ImportError:
    HAVE_SQLCIPHER = False
# Only the encryption proofs may skip without the extra; the crash, concurrency and fuzz proofs always run.
needs_sqlcipher = pytest.mark.skipif(not HAVE_SQLCIPHER, reason="the encryption extra is not installed")


@needs_sqlcipher
def test_encrypt_use_and_decrypt(cli, db_path, monkeypatch):
    cli("checkin", "--mood", "5", "--note", "private")
    monkeypatch.setenv("KETALOG_PASSPHRASE", "correct horse")
    cli("encrypt")
    assert not db_path.read_bytes().startswith(b"SQLite format 3")
    assert b"private" not in db_path.read_bytes()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    cli("checkin", "--mood", "6")
    assert sorted(e["mood"] for e in cli.json("list")) == [5, 6]
    assert "ok" in cli("check").stdout
    cli("decrypt")
    assert db_path.read_bytes().startswith(b"SQLite format 3")
    assert count(db_path, "checkins") == 2


@needs_sqlcipher
def test_wrong_passphrase_is_a_clean_error_and_leaves_the_file(cli, db_path, monkeypatch):
    cli("checkin", "--mood", "5")
    monkeypatch.setenv("KETALOG_PASSPHRASE", "right")
    cli("encrypt")
    before = digest(db_path)
    result = run_ketalog("list", env={"KETALOG_PASSPHRASE": "wrong"})
    assert result.returncode == 1
    assert "wrong passphrase" in result.stderr and result.stderr.count("\n") == 1  # no SQLCipher log noise
    assert digest(db_path) == before
    assert "KETALOG_PASSPHRASE" in run_ketalog("list", env={"KETALOG_PASSPHRASE": ""}).stderr


@needs_sqlcipher
def test_encrypted_backup_stays_encrypted(cli, db_path, tmp_path, monkeypatch):
    cli("checkin", "--mood", "5")
    monkeypatch.setenv("KETALOG_PASSPHRASE", "pw")
    cli("encrypt")
    target = tmp_path / "enc-copy.db"
    cli("backup", str(target))
    assert not target.read_bytes().startswith(b"SQLite format 3")
    assert cli.json("--db", str(target), "info")["counts"]["checkins"] == 1


@needs_sqlcipher
def test_without_the_extra_an_encrypted_file_says_what_to_install(cli, db_path, monkeypatch):
    cli("checkin", "--mood", "5")
    monkeypatch.setenv("KETALOG_PASSPHRASE", "pw")
    cli("encrypt")
    before = digest(db_path)
    monkeypatch.setattr("ketalog.crypto.module", lambda: None)
    assert "pip install 'ketalog[encryption]'" in cli("list", expect=1).stderr
    assert "pip install 'ketalog[encryption]'" in cli("decrypt", expect=1).stderr
    assert digest(db_path) == before


class _Reported:
    """Collects the COMMITTED lines a writer process prints, from a thread, so its pipe never fills."""

    def __init__(self, stream):
        self.notes: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in stream:
            if line.startswith("COMMITTED "):
                with self._changed:
                    self.notes.append(line.split(" ", 1)[1].strip())
                    self._changed.notify_all()
        with self._changed:
            self.notes.append(None)  # the writer ended
            self._changed.notify_all()

    def wait_for_more(self, than: int) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.notes) > than, timeout=60)
            assert self.notes[-1] is not None, "the writer process died"

    def finish(self) -> list[str]:
        self._thread.join(timeout=60)
        return [note for note in self.notes if note is not None]


@needs_sqlcipher
@pytest.mark.slow
def test_encrypt_and_decrypt_while_another_process_writes(cli, tmp_path, monkeypatch):
    """20 rounds of encrypt + decrypt while a writer loops: every entry it reported is kept, the file opens."""
    path = tmp_path / "converting.db"
    monkeypatch.setenv("KETALOG_PASSPHRASE", "correct horse")
    env = dict(os.environ)
    assert run_ketalog("--db", str(path), "journal", "before", env=env).returncode == 0
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), "w"], stdout=subprocess.PIPE, text=True, env=env
    )
    reported = _Reported(writer.stdout)
    try:
        for _ in range(20):
            for command in ("encrypt", "decrypt"):
                reported.wait_for_more(than=len(reported.notes))  # the writer is mid-loop right now
                cli("--db", str(path), command)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
    notes = reported.finish()
    assert len(notes) >= 40
    check = run_ketalog("--db", str(path), "check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    stored = {row[0] for row in rows(path, "SELECT text FROM journal")}
    assert set(notes) <= stored
    assert not list(tmp_path.glob("*.encrypting")) and not list(tmp_path.glob("*.decrypting"))


# Hostile input: never a traceback, and either stored or nothing stored -----------------------

VALUES = st.one_of(
    st.text(max_size=12),
    st.integers(-20, 700).map(str),
    st.sampled_from(
        [
            "0.5mg/kg",
            "56 mg",
            "120/80",
            "300/10",
            "yesterday",
            "tomorrow",
            "iv",
            "",
            "nausea",
            "5",
            "10",
            "11",
            "-1",
            "2026-03-01 10:00",
            "1,2,3",
        ]
    ),
)
ADD_OPTIONS = [
    "--route",
    "--dose",
    "--duration",
    "--dissociation",
    "--side-effect",
    "--bp-before",
    "--bp-after",
    "--heart-rate",
    "--cost",
    "--at",
    "--clinic",
    "--note",
]
CHECKIN_OPTIONS = [
    "--mood",
    "--anxiety",
    "--pain",
    "--energy",
    "--motivation",
    "--sleep",
    "--thoughts",
    "--sleep-hours",
    "--at",
    "--note",
]
FUZZ = settings(
    max_examples=int(os.environ.get("KETALOG_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _assert_stored_or_refused(cli, db_path, table, args):
    before = count(db_path, table)
    result = cli(*args, expect=None)
    assert result.exit_code in (0, 2), (args, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    after = count(db_path, table)
    if result.exit_code == 0:
        assert after == before + 1
    else:
        assert after == before and result.stderr.strip() and "Traceback" not in result.output


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(ADD_OPTIONS), VALUES), max_size=6))
def test_fuzzed_add(cli, db_path, options):
    args = ["add", "--route", "iv"] + [part for option in options for part in option]
    _assert_stored_or_refused(cli, db_path, "sessions", args)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(CHECKIN_OPTIONS), VALUES), max_size=6))
def test_fuzzed_checkin(cli, db_path, options):
    _assert_stored_or_refused(cli, db_path, "checkins", ["checkin"] + [p for option in options for p in option])


@FUZZ
@given(
    st.sampled_from(["phq9", "gad7", "pcl5", "phq2"]),
    st.one_of(st.lists(st.integers(-1, 5), max_size=22).map(lambda xs: ",".join(map(str, xs))), st.text(max_size=30)),
    st.one_of(st.none(), VALUES),
)
def test_fuzzed_survey(cli, db_path, instrument, answers, difficulty):
    args = ["survey", instrument, "--answers", answers] + (
        ["--difficulty", difficulty] if difficulty is not None else []
    )
    _assert_stored_or_refused(cli, db_path, "surveys", args)


@FUZZ
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.text(max_size=8),
                st.sampled_from(["2026-03-01", "20:00", "11:54 pm", "good", "rad", "awful", "walk | run", "4", "0"]),
            ),
            min_size=0,
            max_size=10,
        ),
        max_size=5,
    ),
    st.sampled_from(["daylio", "emoods"]),
)
def test_fuzzed_import(cli, db_path, tmp_path, body, fmt):
    import csv
    import io

    header = (
        "full_date,date,weekday,time,mood,activities,note_title,note"
        if fmt == "daylio"
        else "ID,DATE (YYYY-MM-DD),IRRITABILITY,ANXIETY,DEPRESSED,ELEVATED,SLEEP,PSYCHOTIC SYMPTOMS,NOTE,THERAPY,"
        "MENSTRUAL CYCLE,WEIGHT"
    )
    buffer = io.StringIO()
    csv.writer(buffer).writerows(body)
    path = tmp_path / "fuzz.csv"
    path.write_text(header + "\n" + buffer.getvalue(), encoding="utf-8")
    before = count(db_path, "checkins")
    result = cli("import", str(path), "--format", fmt, expect=None)
    assert result.exit_code in (0, 2) and (result.exception is None or isinstance(result.exception, SystemExit))
    if result.exit_code == 2:
        assert count(db_path, "checkins") == before


@FUZZ
@given(
    st.lists(st.tuples(st.sampled_from(ADD_OPTIONS), VALUES), max_size=6),
    st.lists(st.tuples(st.sampled_from(CHECKIN_OPTIONS), VALUES), max_size=6),
)
def test_whatever_the_cli_stores_its_export_imports_again(cli, db_path, tmp_path_factory, session, checkin):
    """Import accepts exactly what the CLI accepts with --force: a person's own export always re-imports,
    and export -> import -> export is the same file."""
    folder = tmp_path_factory.mktemp("roundtrip")
    source, target = folder / "a.db", folder / "b.db"
    cli("--db", str(source), "add", "--route", "iv", "--force", *[p for o in session for p in o], expect=None)
    cli("--db", str(source), "checkin", *[p for o in checkin for p in o], expect=None)
    if not source.exists():
        return
    exported = folder / "x.json"
    cli("--db", str(source), "export", "-o", str(exported))
    cli("--db", str(target), "import", str(exported))
    again = cli("--db", str(target), "export").stdout
    first = json.loads(exported.read_text())
    assert json.loads(again)["tables"] == first["tables"]
