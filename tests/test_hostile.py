"""Hostile text, files and surroundings (issue 9): each case failed before its fix.

Stored text that looks like markup or carries terminal escapes, archives that
unpack to gigabytes, outputs aimed at symlinks or at the database itself,
times that no read could parse, DST gaps, shared folders and racing first runs.
"""

from __future__ import annotations

import errno
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from helpers import count, digest, rows

MARKUP = "a [/] b [link=https://evil.example]click[/link] [bold red]loud"
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m end"


# 4 and 11: stored text is shown as it was typed, never interpreted --------------------------


@pytest.fixture
def hostile_entries(cli):
    cli("journal", MARKUP + " " + ESCAPES)
    cli("add", "--route", "iv", "--side-effect", "[/]", "--side-effect", "x\x1b[31m", "--note", MARKUP)
    cli("checkin", "--mood", "5", "--note", ESCAPES, "--tag", "[b]")
    cli("survey", "log", "[red]madrs[/red]", "20")
    return cli


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["list", "--kind", "journal"],
        ["report"],
        ["report", "--format", "markdown"],
        ["progress"],
        ["trends", "--by", "session"],
        ["trends", "--by", "week"],
    ],
)
def test_commands_that_print_user_text_neither_crash_nor_obey_it(hostile_entries, command):
    result = hostile_entries(*command)
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout and "\x07" not in result.stdout
    if command[0] in ("list", "report") and "markdown" not in command:
        assert "[/]" in result.stdout and "[link=https://evil.example]click[/link]" in result.stdout
        assert "␛" in result.stdout


def test_show_prints_every_field_visibly(hostile_entries):
    for entry in hostile_entries.json("list"):
        shown = hostile_entries("show", entry["id"]).stdout
        assert "\x1b" not in shown and "\x9b" not in shown
    journal = hostile_entries.json("list", "--kind", "journal")[0]
    assert "␛]0;pwned␇" in hostile_entries("show", journal["id"]).stdout


def test_json_keeps_the_text_exactly_with_every_control_character_escaped(hostile_entries):
    raw = hostile_entries("list", "--kind", "journal", "--json").stdout
    assert "\x1b" not in raw and "\x9b" not in raw and "\\u009b" in raw
    assert json.loads(raw)[0]["text"] == MARKUP + " " + ESCAPES


# 10: Markdown carries no HTML, images or injected headings ------------------------------------


def test_markdown_report_escapes_user_text(cli):
    cli("journal", "<script>alert(1)</script> <img src=x onerror=alert(1)> ![t](https://evil.example/p.png)")
    cli("add", "--route", "iv", "--side-effect", "nausea\n# Injected heading", "--note", "n")
    cli("add", "--route", "iv", "--side-effect", "nausea\n# Injected heading", "--note", "n")
    text = cli("report", "--format", "markdown").stdout
    import re

    assert not re.search(r"(?<!\\)<(script|img)", text) and not re.search(r"(?<!\\)!(?<!\\)\[", text)
    assert "\n# Injected" not in text and "\\# Injected heading" in text
    assert "\\<script\\>" in text and "\\!\\[t\\]" in text


# 2: a year below 1000 is refused, stored with four digits, and caught by check ---------------


def test_a_year_before_1990_is_refused_and_nothing_is_written(cli, db_path):
    result = cli("journal", "x", "--at", "0206-03-04", expect=2)
    assert "before 1990" in result.stderr and count(db_path, "journal") == 0


def test_times_are_always_stored_with_four_digit_years():
    from datetime import datetime, timezone

    from ketalog.timeparse import storage_fields, to_utc_text

    moment = datetime(206, 3, 4, 10, 0, tzinfo=timezone.utc)
    assert to_utc_text(moment) == "0206-03-04T10:00:00Z"
    assert storage_fields(moment)["local_date"] == "0206-03-04"


def test_check_finds_stored_times_no_read_could_use(cli, db_path):
    cli("journal", "fine")
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE journal SET at = '206-03-04T10:00:00Z'")
    result = cli("check", expect=1)
    assert "times: 1 row(s) in journal cannot be read" in result.stdout


# 14: check compares the schema with the one the migrations build ------------------------------


def test_check_finds_a_dropped_table_and_a_foreign_trigger(cli, db_path):
    cli("journal", "fine")
    assert "ok" in cli("check").stdout
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE journal_tags")
        conn.execute("CREATE TRIGGER sneaky AFTER INSERT ON checkins BEGIN DELETE FROM journal; END")
    result = cli("check", expect=1)
    assert "schema: table journal_tags is missing" in result.stdout
    assert "schema: trigger sneaky was not made by ketalog" in result.stdout


def test_check_passes_on_every_old_schema_fixture(cli, tmp_path):
    for fixture in sorted((Path(__file__).parent / "fixtures").glob("schema-v*.db")):
        copy = tmp_path / fixture.name
        copy.write_bytes(fixture.read_bytes())
        result = cli("--db", str(copy), "check")  # an older version is no problem: the next write upgrades it
        assert ": ok (" in result.stdout and "the next write will upgrade it" in result.stdout


# 15: reading never creates or changes anything ------------------------------------------------


@pytest.mark.parametrize("command", [["list"], ["info"], ["report"], ["trends"], ["check"], ["export"]])
def test_read_only_commands_leave_an_empty_file_empty(cli, db_path, command):
    db_path.parent.mkdir()
    db_path.write_bytes(b"")
    cli(*command, expect=None)
    assert db_path.read_bytes() == b""
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["ketalog.db"]


def test_reading_an_older_schema_does_not_rewrite_the_file(cli, tmp_path):
    copy = tmp_path / "v1.db"
    copy.write_bytes((Path(__file__).parent / "fixtures" / "schema-v1.db").read_bytes())
    before = digest(copy)
    assert cli.json("--db", str(copy), "list")
    cli("--db", str(copy), "report")
    assert digest(copy) == before
    cli("--db", str(copy), "journal", "now it upgrades")
    assert rows(copy, "SELECT count(*) FROM _sqlite_migrations")[0][0] > 1


# 5: archives and files that would exhaust memory are refused ---------------------------------


def _emoods_zip(path: Path, body: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("entry.csv", body)
    return path


def test_a_zip_bomb_is_refused_before_it_is_unpacked(cli, tmp_path, db_path):
    header = (
        b"ID,DATE (YYYY-MM-DD),IRRITABILITY,ANXIETY,DEPRESSED,ELEVATED,SLEEP,PSYCHOTIC SYMPTOMS,NOTE,"
        b"THERAPY,MENSTRUAL CYCLE,WEIGHT\n"
    )
    bomb = _emoods_zip(tmp_path / "bomb.emoods", header + b"0" * (4 * 2**20))  # 4 MB of zeros packs to ~4 KB
    assert bomb.stat().st_size < 20_000
    result = cli("import", str(bomb), expect=2)
    assert "refusing to unpack" in result.stderr and "bomb.emoods" in result.stderr
    assert count(db_path, "checkins") == 0


def test_a_stream_that_lies_about_its_size_is_cut_off_at_the_limit():
    from ketalog.formats import read
    from ketalog.formats.plan import ImportFileError

    capped = io.BufferedReader(read._Capped(io.BytesIO(b"x" * 5000), 1000, Path("lying.emoods")))
    with pytest.raises(ImportFileError, match="far more than any real export"):
        capped.read()


@pytest.mark.parametrize(
    "limit, value, body, message",
    [
        ("MAX_ROWS", 5, "\n".join(["2026-03-01,March 1,Sunday,20:00,good,,,"] * 10), "more than 5 lines"),
        ("MAX_FIELD_CHARS", 1000, "2026-03-01,March 1,Sunday,20:00,good,,," + "x" * 5000, "not readable as CSV"),
        ("MAX_SOURCE_BYTES", 100, "\n".join(["2026-03-01,March 1,Sunday,20:00,good,,,"] * 10), "more than the"),
    ],
)
def test_row_cell_and_file_limits(cli, tmp_path, monkeypatch, db_path, limit, value, body, message):
    from ketalog.formats import read

    monkeypatch.setattr(read, limit, value)
    path = tmp_path / "daylio.csv"
    path.write_text("full_date,date,weekday,time,mood,activities,note_title,note\n" + body + "\n")
    result = cli("import", str(path), expect=2)
    assert message in result.stderr and "Traceback" not in result.output
    assert count(db_path, "checkins") == 0


# 6, 7, 8, 12: outputs ----------------------------------------------------------------------------


def test_an_output_symlink_is_replaced_never_followed(cli, tmp_path):
    cli("journal", "private")
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file")
    os.chmod(victim, 0o644)
    link = tmp_path / "out.json"
    link.symlink_to(victim)
    cli("export", "-o", str(link), "--force")
    assert victim.read_text() == "someone else's file" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert not link.is_symlink() and stat.S_IMODE(link.stat().st_mode) == 0o600
    assert json.loads(link.read_text())["format"] == "ketalog-export"


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", ".lock"])
@pytest.mark.parametrize("command", [["export"], ["report", "--format", "markdown"], ["export", "--format", "csv"]])
def test_the_database_and_its_companions_are_never_an_output(cli, db_path, command, suffix):
    cli("journal", "keep me")
    target = Path(str(db_path) + suffix)
    before = digest(db_path)
    result = cli(*command, "-o", str(target), expect=2)
    assert "is your database" in result.stderr
    assert digest(db_path) == before and cli.json("list")[0]["text"] == "keep me"


def test_a_failed_write_keeps_the_previous_file_and_says_why(cli, tmp_path, monkeypatch):
    cli("journal", "first")
    target = tmp_path / "report.md"
    cli("report", "--format", "markdown", "-o", str(target))
    before = target.read_text()
    cli("journal", "second")

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("ketalog.files.os.fsync", full_disk)
    result = cli("report", "--format", "markdown", "-o", str(target), expect=1)
    assert result.stderr.startswith("ketalog: error: the disk is full") and result.stderr.count("\n") == 1
    assert target.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_csv_export_never_changes_an_existing_folder(cli, tmp_path):
    cli("journal", "x")
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    cli("export", "--format", "csv", "-o", str(shared))
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "journal.csv").stat().st_mode) == 0o600
    fresh = tmp_path / "new-folder"
    cli("export", "--format", "csv", "-o", str(fresh))
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700


def test_csv_export_replaces_a_symlink_inside_the_folder(cli, tmp_path):
    cli("journal", "x")
    folder = tmp_path / "out"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    (folder / "journal.csv").symlink_to(victim)
    cli("export", "--format", "csv", "-o", str(folder))
    assert victim.read_text() == "untouched" and not (folder / "journal.csv").is_symlink()


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(cli, tmp_path):
    for text in ('=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "plain"):
        cli("journal", "--", text)
    folder = tmp_path / "csv"
    cli("export", "--format", "csv", "-o", str(folder))
    import csv

    with open(folder / "journal.csv", newline="", encoding="utf-8") as handle:
        texts = {row["text"] for row in csv.DictReader(handle)}
    assert texts == {'\'=HYPERLINK("http://evil")', "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx", "plain"}
    exported = json.loads(cli("export").stdout)["tables"]["journal"]
    assert '=HYPERLINK("http://evil")' in {row["text"] for row in exported}  # JSON stays lossless


# 13: database errors say what is actually wrong -------------------------------------------------


def test_a_busy_database_is_called_busy_not_damaged(cli, db_path, monkeypatch):
    cli("journal", "x")
    monkeypatch.setattr("ketalog.db.BUSY_TIMEOUT_SECONDS", 0.05)
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = cli("journal", "y", expect=1)
    finally:
        holder.rollback()
        holder.close()
    assert "busy" in result.stderr and "backup" not in result.stderr and result.stderr.count("\n") == 1


def _sqlite_error(setup) -> sqlite3.Error:
    try:
        setup()
    except sqlite3.Error as error:
        return error
    raise AssertionError("no error")


def test_database_errors_are_described_by_what_went_wrong(tmp_path):
    from ketalog.errors import describe_database_error

    path = tmp_path / "x.db"
    sqlite3.connect(path).execute("CREATE TABLE t (v)").connection.commit()

    def read_only():
        sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("INSERT INTO t VALUES (1)")

    def full():
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA max_page_count = 2")
        conn.execute("INSERT INTO t VALUES (?)", ["x" * 100_000])

    def busy():
        first = sqlite3.connect(path)
        first.execute("BEGIN IMMEDIATE")
        sqlite3.connect(path, timeout=0).execute("BEGIN IMMEDIATE")

    assert "read-only" in describe_database_error(_sqlite_error(read_only))
    assert "disk is full" in describe_database_error(_sqlite_error(full))
    assert "busy" in describe_database_error(_sqlite_error(busy))
    assert "damaged" in describe_database_error(sqlite3.DatabaseError("file is not a database"))


# 16: DST gaps and explicit offsets ------------------------------------------------------------------


@pytest.fixture
def berlin(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    monkeypatch.setenv("KETALOG_NOW", "2026-04-10T12:00:00+02:00")


def test_a_time_in_the_spring_forward_gap_is_refused_with_the_two_real_times(cli, db_path, berlin):
    result = cli("journal", "x", "--at", "2026-03-29 02:30", expect=2)
    assert "does not exist here" in result.stderr and "01:30 or 03:30" in result.stderr
    assert count(db_path, "journal") == 0
    cli("journal", "x", "--at", "2026-03-29 03:30")
    assert cli.json("list")[0]["at"] == "2026-03-29T03:30:00+02:00"


def test_an_explicit_offset_is_kept_as_given(cli, db_path, berlin):
    cli("journal", "travelling", "--at", "2026-03-04T14:30-05:00")
    assert rows(db_path, "SELECT at, utc_offset, local_date FROM journal") == [
        ("2026-03-04T19:30:00Z", -300, "2026-03-04")
    ]
    assert cli.json("list")[0]["at"] == "2026-03-04T14:30:00-05:00"


# 17 and 18: the data folder ---------------------------------------------------------------------------


def test_a_readable_folder_of_ketalogs_own_is_tightened_once(cli, db_path):
    db_path.parent.mkdir(mode=0o755)
    os.chmod(db_path.parent, 0o755)
    result = cli("journal", "x")
    assert "it is now 0700" in result.stderr
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    assert "0700" not in cli("journal", "y").stderr  # once


def test_a_shared_folder_is_warned_about_never_changed(cli, db_path):
    db_path.parent.mkdir()
    os.chmod(db_path.parent, 0o755)
    (db_path.parent / "holiday.jpg").write_bytes(b"")
    assert "others can list" in cli("journal", "x").stderr
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o755


def test_creating_the_folder_tolerates_another_process_creating_it(tmp_path, monkeypatch):
    from ketalog import db as database

    folder = tmp_path / "a" / "b"
    real_mkdir = Path.mkdir

    def racing_mkdir(self, *args, **kwargs):
        real_mkdir(self, *args, **kwargs)  # the other process wins...
        raise FileExistsError(str(self))  # ...so ours finds it there

    monkeypatch.setattr(Path, "mkdir", racing_mkdir)
    database.make_private_dirs(folder)
    assert folder.is_dir()


def test_parallel_first_runs_all_succeed(tmp_path):
    path = tmp_path / "deep" / "er" / "k.db"
    script = (
        "import sys\nfrom ketalog.cli import app\n"
        "app(['--db', sys.argv[1], 'journal', sys.argv[2]], standalone_mode=False)\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path), f"n{i}"],
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(8)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0] * 8, [p.stderr.read() for p in procs]
    assert count(path, "journal") == 8


# 9: plaintext left behind --------------------------------------------------------------------------

try:
    import sqlcipher3  # noqa: F401

    HAVE_SQLCIPHER = True
except ImportError:
    HAVE_SQLCIPHER = False


@pytest.mark.skipif(not HAVE_SQLCIPHER, reason="the encryption extra is not installed")
def test_plain_backups_are_named_after_encrypting_and_can_be_removed(cli, db_path, monkeypatch):
    cli("journal", "secret")
    cli("backup")
    monkeypatch.setenv("KETALOG_PASSPHRASE", "pw")
    result = cli("encrypt")
    backups = list(db_path.parent.glob("ketalog-backup-*.db"))
    assert len(backups) == 1 and "still plain text" in result.stderr and str(backups[0]) in result.stderr
    removed = cli("encrypt", "--remove-plain-backups")
    assert "Removed 1 plain-text backup" in removed.stdout and not backups[0].exists()
    assert cli.json("list")[0]["text"] == "secret"


def test_a_killed_conversion_leaves_no_plaintext_after_the_next_open(cli, db_path):
    cli("journal", "secret")
    leftover = db_path.with_name(db_path.name + ".decrypting")
    leftover.write_bytes(db_path.read_bytes())
    result = cli("list")
    assert not leftover.exists() and "interrupted encrypt or decrypt" in result.stderr


def test_a_read_only_database_is_one_line_saying_so_and_nothing_is_written(cli, db_path, monkeypatch):
    """Root can write any file, so the file is opened read-only the way a read-only mount would."""
    from helpers import count

    from ketalog import db as database

    cli("checkin", "--mood", "5")
    monkeypatch.setattr(database, "connect", lambda path: sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1))
    result = cli("checkin", "--mood", "6", expect=1)
    assert result.stderr.startswith("ketalog: error: ") and result.stderr.count("\n") == 1
    assert "read-only" in result.stderr and "restore" not in result.stderr and "Traceback" not in result.output
    monkeypatch.undo()
    assert count(db_path, "checkins") == 1
