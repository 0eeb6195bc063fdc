"""Appointments (`visit add`) and `--since last-visit` on every command that takes --since."""

from __future__ import annotations

import pytest
from helpers import count


def test_visit_add_and_list(cli, db_path):
    visit = cli.json("visit", "add", "--at", "2026-03-04 15:00", "--note", "Dr Lee: weekly boosters")
    assert visit["kind"] == "visit" and visit["note"] == "Dr Lee: weekly boosters"
    assert cli("visit", "add").stdout.startswith("Visit recorded (")
    listed = cli.json("visit", "list")
    assert [v["at"][:16] for v in listed] == ["2026-03-10T10:00", "2026-03-04T15:00"]
    assert "appointment: Dr Lee" in cli("list", "--kind", "visit").stdout
    cli("edit", visit["id"][:8], "--note", "moved to fortnightly")
    assert cli.json("show", visit["id"][:8])["note"] == "moved to fortnightly"
    cli("delete", visit["id"][:8], "--yes")
    assert count(db_path, "visits") == 1


def _history(cli):
    cli("checkin", "--mood", "3", "--at", "2026-03-01 09:00")
    cli("visit", "add", "--at", "2026-03-04 15:00")
    cli("checkin", "--mood", "6", "--at", "2026-03-04 12:00")  # that morning, before the appointment
    cli("checkin", "--mood", "7", "--at", "2026-03-06 09:00")
    cli("visit", "add", "--at", "2026-02-10 15:00", "--note", "logged late")  # added last, but not the latest


def test_since_last_visit_starts_at_the_latest_visit_before_now(cli):
    _history(cli)
    listed = cli.json("list", "--since", "last-visit", "--kind", "checkin")
    assert [e["mood"] for e in listed] == [7]
    import json

    report = json.loads(cli("report", "--since", "last-visit", "--format", "json").stdout)
    assert report["period"]["since"].startswith("2026-03-04T15:00")
    assert cli.json("progress", "--since", "last-visit")["period"]["since"].startswith("2026-03-04T15:00")
    weeks = cli.json("trends", "--since", "last-visit")
    assert [row["checkins"] for row in weeks] == [1]


@pytest.mark.parametrize("command", ["report", "progress", "trends", "list", "costs"])
def test_since_last_visit_without_a_visit_is_one_line_and_writes_nothing(cli, db_path, command):
    result = cli(command, "--since", "last-visit", expect=2)
    assert result.stderr == (
        "ketalog: error: --since: no visit recorded yet; `ketalog visit add --at 'DATE TIME'` records one\n"
    )
    assert not db_path.exists()
