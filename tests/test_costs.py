"""`ketalog costs` (issue 15): totals by month, year and course, the per-session list, CSV and JSON."""

from __future__ import annotations

import csv
import stat

import pytest


@pytest.fixture
def paid(cli):
    cli("add", "--route", "iv", "--dose", "0.5mg/kg", "--cost", "450", "--clinic", "=Calm", "--at", "2025-12-30")
    cli("add", "--route", "iv", "--dose", "0.5mg/kg", "--cost", "450.50", "--provider", "Dr Lee", "--at", "2026-01-02")
    cli("add", "--route", "iv", "--at", "2026-01-05")  # no cost logged
    cli(
        "add",
        "--route",
        "intranasal",
        "--drug",
        "esketamine",
        "--dose",
        "56mg",
        "--cost",
        "900",
        "--new-course",
        "--at",
        "2026-03-01",
    )


def test_costs_group_by_month_year_and_course(cli, paid):
    by_month = cli.json("costs")
    assert [(g["period"], g["sessions"], g["total"]) for g in by_month["groups"]] == [
        ("2025-12", 1, 450.0),
        ("2026-01", 1, 450.5),
        ("2026-03", 1, 900.0),
    ]
    assert by_month["total"] == 1800.5 and by_month["without_cost"] == 1
    assert [g["period"] for g in cli.json("costs", "--by", "year")["groups"]] == ["2025", "2026"]
    by_course = cli.json("costs", "--by", "course")["groups"]
    assert [(g["period"], g["total"]) for g in by_course] == [("course 1", 900.5), ("course 2", 900.0)]
    assert cli.json("costs", "--since", "2026-01-01")["total"] == 1350.5


def test_costs_text_lists_each_session_and_says_what_was_not_counted(cli, paid):
    text = cli("costs").stdout
    assert "2026-01-02      450.50  iv · 0.5 mg/kg · Dr Lee" in text
    assert "Total 1,800.50 for 3 sessions." in text and "Not counted: 1 session without a logged cost." in text


def test_costs_csv_for_a_claim_is_private_and_formula_safe(cli, paid, tmp_path):
    out = tmp_path / "claim.csv"
    cli("costs", "--csv", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    table = list(csv.reader(out.open()))
    assert table[0] == ["date", "clinic", "provider", "route", "dose", "cost"]
    assert table[1] == ["2025-12-30", "'=Calm", "", "iv", "0.5 mg/kg", "450.00"]
    assert len(table) == 4


def test_no_costs_yet_says_how_to_log_one(cli):
    assert "No session costs logged" in cli("costs").stdout
    assert cli.json("costs") == {"by": "month", "sessions": [], "groups": [], "total": 0, "without_cost": 0}
