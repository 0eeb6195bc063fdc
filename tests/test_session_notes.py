"""Notes about one session (issue 15): `journal --session`, `show` of a session, the report's session table."""

from __future__ import annotations

import json

from helpers import rows


def test_journal_links_to_the_last_session_or_one_by_id(cli, db_path):
    first = cli.json("add", "--route", "iv", "--at", "2026-03-02 10:00", "--intention", "let go of the past")
    cli("add", "--route", "iv", "--at", "2026-03-04 10:00")
    out = cli("journal", "Lighter afterwards.\nSlept well.", "--session", "last").stdout
    assert "about session 2 (2026-03-04)" in out
    cli("journal", "Saw my grandmother's kitchen", "--session", first["id"][:6], "--at", "2026-03-02 18:00")
    linked = rows(db_path, "SELECT s.local_date, j.text FROM journal j JOIN sessions s ON s.id = j.session_id")
    assert sorted(linked) == [
        ("2026-03-02", "Saw my grandmother's kitchen"),
        ("2026-03-04", "Lighter afterwards.\nSlept well."),
    ]
    shown = cli("show", first["id"][:8]).stdout
    assert "notes" in shown and "Saw my grandmother's kitchen" in shown
    assert [n["text"] for n in cli.json("show", first["id"][:8])["notes"]] == ["Saw my grandmother's kitchen"]
    report = json.loads(cli("report", "--format", "json").stdout)
    by_day = {s["at"][:10]: s for s in report["sessions"]}
    assert by_day["2026-03-02"]["intention"] == "let go of the past"
    assert by_day["2026-03-04"]["reflection"] == "Lighter afterwards."  # the first line only
    markdown = cli("report", "--format", "markdown").stdout
    assert "let go of the past · Saw my grandmother's kitchen" in markdown
    private = json.loads(cli("report", "--format", "json", "--private").stdout)
    assert all(s["reflection"] is None for s in private["sessions"])


def test_a_session_without_notes_says_how_to_add_one(cli):
    session = cli.json("add", "--route", "iv")
    assert "none linked (`ketalog journal --session ID" in cli("show", session["id"][:8]).stdout


def test_bad_session_references_are_one_line_and_save_nothing(cli, db_path):
    assert "there is no session yet" in cli("journal", "x", "--session", "last", expect=2).stderr
    checkin = cli.json("checkin", "--mood", "5")
    error = cli("journal", "x", "--session", checkin["id"][:8], expect=2).stderr
    assert "is a checkin, not a session" in error and len(error.splitlines()) == 1
    assert "--session: no entry has an id" in cli("journal", "x", "--session", "abcdef", expect=2).stderr
    assert rows(db_path, "SELECT count(*) FROM journal") == [(0,)]


def test_deleting_a_session_keeps_its_notes(cli, db_path):
    session = cli.json("add", "--route", "iv")
    cli("journal", "kept", "--session", "last")
    cli("delete", session["id"][:8], "--yes")
    assert rows(db_path, "SELECT text, session_id FROM journal") == [("kept", None)]
