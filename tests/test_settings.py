"""Preferences (`ketalog config`, a TOML file) and "new since you last looked" flags in `status` (issue 14)."""

from __future__ import annotations

import tomllib
from datetime import timedelta

import pytest
from helpers import rows
from hypothesis import given
from hypothesis import strategies as st

from ketalog.courses import due_items


def test_config_set_show_unset_round_trip(cli, tmp_path):
    file = tmp_path / "config" / "config.toml"
    assert cli.json("config", "show", "--json")["settings"]["survey-interval"] == 14  # the default
    assert not file.exists()  # showing never creates the file
    cli("config", "set", "name", 'Alex "Al" Doe')
    cli("config", "set", "survey-interval", "28d")
    cli("config", "set", "paper", "A4")
    assert file.stat().st_mode & 0o777 == 0o600
    assert tomllib.loads(file.read_text()) == {"name": 'Alex "Al" Doe', "survey-interval": 28, "paper": "a4"}
    assert cli.json("config", "show", "--json")["settings"] == {
        "name": 'Alex "Al" Doe',
        "clinic": None,
        "paper": "a4",
        "trust-imported-scale": "false",
        "survey-interval": 28,
        "integration-prompts": "d1,d3,d7",
        "followup-interval": 28,
    }
    assert cli("config", "unset", "name").stdout == "name removed.\n"
    assert cli("config", "unset", "name").stdout == "name was not set.\n"
    assert "name" not in tomllib.loads(file.read_text())


@pytest.mark.parametrize(
    "args, message",
    [
        (("paper", "a5"), "ketalog: error: paper: must be letter or a4\n"),
        (("survey-interval", "3"), "ketalog: error: survey-interval: must be a whole number of days from 7 to 90\n"),
        (("survey-intervall", "14"), "did you mean survey-interval?"),
        (("name", "a\x1b[31mb"), "ketalog: error: name: must be 1 to 100 printable characters\n"),
    ],
)
def test_bad_settings_are_one_line_errors_and_change_nothing(cli, tmp_path, args, message):
    result = cli("config", "set", *args, expect=2)
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "config" / "config.toml").exists()


def test_a_hand_broken_settings_file_is_named_in_one_line_and_commands_keep_working(cli, tmp_path):
    file = tmp_path / "config" / "config.toml"
    file.parent.mkdir()
    file.write_text("name = 'unterminated\n")
    result = cli("config", "show")  # what is used instead, and why, in one line
    assert str(file) in result.stderr and "not valid TOML" in result.stderr and "using the defaults" in result.stderr
    assert result.stderr.count("\n") == 1
    cli("status")
    refused = cli("config", "set", "paper", "a4", expect=1)  # never rewrite a file it could not read
    assert "not valid TOML" in refused.stderr and file.read_text() == "name = 'unterminated\n"
    file.write_text("survey-interval = 2\n")
    warned = cli("status")
    assert "survey-interval must be" in warned.stderr and "using its default" in warned.stderr


@pytest.mark.parametrize(
    "body, message",
    [
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ("x" * (70 * 1024), "over 64 KiB"),
    ],
    ids=["5000 deep", "oversized"],
)
def test_a_hostile_settings_file_is_one_line(cli, tmp_path, body, message):
    file = tmp_path / "config" / "config.toml"
    file.parent.mkdir()
    file.write_text(body)
    result = cli("config", "show")
    assert message in result.stderr and "Traceback" not in result.output


def test_a_settings_file_that_is_a_device_is_never_read(cli, monkeypatch):
    monkeypatch.setenv("KETALOG_CONFIG", "/dev/zero")
    result = cli("config", "show")
    assert "/dev/zero is not a regular file" in result.stderr


def test_config_set_keeps_quoted_keys_quoted(cli, tmp_path):
    file = tmp_path / "config" / "config.toml"
    file.parent.mkdir()
    file.write_text('"a key with spaces" = 1\n"dotted.key" = "x"\n[table]\nk = [1, 2]\n')
    cli("config", "set", "name", 'Alex "Al" Doe')
    assert tomllib.loads(file.read_text()) == {
        "a key with spaces": 1,
        "dotted.key": "x",
        "table": {"k": [1, 2]},
        "name": 'Alex "Al" Doe',
    }
    cli("status")  # the file still reads


def test_settings_folders_are_made_private_whatever_the_umask(cli, tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("KETALOG_CONFIG", str(tmp_path / "a" / "b" / "config.toml"))
    old = os.umask(0)
    try:
        cli("config", "set", "paper", "a4")
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder


@given(st.text(min_size=1, max_size=100).filter(lambda t: t.strip() and t.isprintable()))
def test_any_printable_name_survives_the_toml_file(text):
    import tomli_w

    assert tomllib.loads(tomli_w.dumps({"name": text.strip()})) == {"name": text.strip()}


@pytest.mark.parametrize("name", ["a\x1bb", "a\x9bb", "a\u202eb", "a\x07b"])
def test_a_name_with_control_or_bidi_characters_is_refused(cli, name):
    assert "printable characters" in cli("config", "set", "name", name, expect=2).stderr


def test_the_survey_interval_setting_drives_what_status_says_is_due(cli):
    cli("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,0", "--at", "2026-02-20")
    cli("survey", "gad7", "--answers", "1,1,1,1,1,1,1", "--at", "2026-02-20")
    cli("add", "--route", "iv", "--at", "2026-02-22")
    assert [d["what"] for d in cli.json("status")["due"]] == ["checkin", "phq9", "gad7"]  # 18 days > 14
    cli("config", "set", "survey-interval", "28")
    assert [d["what"] for d in cli.json("status")["due"]] == ["checkin"]
    assert "Due: today's check-in (none yet today)." in cli("status").stdout


def test_due_items_takes_the_interval():
    from history import day

    from ketalog.courses import SessionMark, split

    course = split([SessionMark(day(0), "iv")])[0]
    scores = {"phq9": day(1), "gad7": day(1)}
    assert [d["what"] for d in due_items(day(9), course, day(9), scores, timedelta(days=7))] == ["phq9", "gad7"]
    assert due_items(day(9), course, day(9), scores, timedelta(days=14)) == []


def test_status_shows_a_flag_as_new_once_then_as_still_to_discuss(cli, db_path):
    cli("add", "--route", "iv", "--at", "2026-03-08", "--bp-before", "150/95")
    assert [f["new"] for f in cli.json("status")["flags"]] == [True]  # --json is a script: it marks nothing seen
    first = cli("status").stdout
    assert "New to discuss (last 14 days): " in first and "Still to discuss" not in first
    second = cli("status").stdout
    assert "New to discuss" not in second and "Still to discuss: 1 flag you have seen" in second
    assert not db_path.with_name(db_path.name + ".seen").exists()  # kept inside the database, encrypted with it
    assert rows(db_path, "SELECT last_shown FROM seen_flags") == [("2026-03-10",)]
    cli("journal", "bladder pain since Tuesday", "--at", "2026-03-09")  # a different flag appears
    third = cli("status").stdout
    assert "New to discuss" in third and "Still to discuss: 1 flag you have seen" in third


def test_reading_a_report_marks_its_flags_seen(cli):
    cli("add", "--route", "iv", "--at", "2026-03-08", "--bp-before", "150/95")
    cli("report", "--format", "markdown")
    assert "New to discuss" not in cli("status").stdout


def test_status_without_a_database_remembers_nothing(cli, db_path):
    cli("status")
    assert not db_path.parent.exists()


def test_an_old_plaintext_seen_file_moves_into_the_database_and_is_removed(cli, db_path):
    import json

    from ketalog import seen

    cli("add", "--route", "iv", "--at", "2026-03-08", "--bp-before", "150/95")
    flag = cli.json("status")["flags"][0]
    legacy = db_path.with_name(db_path.name + ".seen")
    legacy.write_text(json.dumps({"seen": {seen.key(flag["id"], flag["title"]): "2026-03-09"}}))
    cli("checkin", "--mood", "5")  # any write adopts it
    assert not legacy.exists()
    assert rows(db_path, "SELECT last_shown FROM seen_flags") == [("2026-03-09",)]
    assert "Still to discuss: 1 flag you have seen" in cli("status").stdout


def test_a_hostile_legacy_seen_file_is_dropped_without_failing_a_write(cli, db_path):
    cli("checkin", "--mood", "5")
    legacy = db_path.with_name(db_path.name + ".seen")
    for text in ("[1, 2]", '{"seen": {"x": 1, "y": "2026-01-01"}}', "\x00\xff not json"):
        legacy.write_text(text)
        cli("checkin", "--mood", "5")
        assert not legacy.exists()


def test_status_still_shows_its_flags_when_remembering_them_cannot_be_written(cli, monkeypatch):
    import sqlite3

    from ketalog import seen

    def read_only(db, keys, today):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    cli("add", "--route", "iv", "--at", "2026-03-08", "--bp-before", "150/95")
    monkeypatch.setattr(seen, "_record", read_only)
    assert "New to discuss" in cli("status").stdout
    assert "New to discuss" in cli("status").stdout


def test_a_repeat_status_that_changes_nothing_opens_the_file_once(cli, monkeypatch):
    from ketalog import seen

    cli("add", "--route", "iv", "--at", "2026-03-08", "--bp-before", "150/95")
    cli("status")  # marks the flag seen today
    monkeypatch.setattr(seen, "_record", lambda db, keys, today: pytest.fail("nothing to record, yet it opened"))
    assert "Still to discuss: 1 flag you have seen" in cli("status").stdout
