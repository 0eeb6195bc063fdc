"""`ketalog status` (text, --json, --short), its due rules, and bare `ketalog` (issue 14, first part)."""

from __future__ import annotations

import json

import pytest
from history import day

from ketalog.courses import SessionMark, due_items, split


def course_from(*offsets):
    return split([SessionMark(day(o), "iv") for o in offsets])[0]


@pytest.mark.parametrize(
    "last_checkin, scores, expected",
    [
        (day(10, 8), {"phq9": day(-1), "gad7": day(-1)}, []),  # checked in this morning; scores 11 days ago
        (day(9, 8), {"phq9": day(-1), "gad7": day(-1)}, [("checkin", "2026-03-11")]),  # yesterday's check-in
        # PHQ-9 15 days ago (due since day 14); GAD-7 40 days before the course: due since it began
        (
            None,
            {"phq9": day(-5), "gad7": day(-40)},
            [("checkin", "2026-03-11"), ("phq9", "2026-03-10"), ("gad7", "2026-03-01")],
        ),
        (day(10, 8), {"phq9": day(-4), "gad7": None}, [("phq9", "2026-03-11"), ("gad7", "2026-03-01")]),
    ],
)
def test_due_items(last_checkin, scores, expected):
    now = day(10)  # 2026-03-11 10:00, course started 2026-03-01
    due = due_items(now, course_from(0, 2), last_checkin, scores)
    assert [(d["what"], d["since"]) for d in due] == expected


def test_without_a_course_only_the_check_in_is_due():
    assert due_items(day(10), None, None, {"phq9": None}) == [{"what": "checkin", "since": "2026-03-11"}]


def test_status_text_json_and_short(cli):
    cli("survey", "phq9", "--answers", "2,2,2,2,2,2,2,2,0", "--at", "2026-02-20")
    cli("add", "--route", "iv", "--at", "2026-02-22", "--bp-before", "150/95")
    cli("add", "--route", "iv", "--at", "2026-03-08")
    text = cli("status").stdout
    assert "Course 1 (induction), 2 sessions; last session 2026-03-08, 2 days ago." in text
    assert "today's check-in (none yet today)" in text and "PHQ-9 (due since 2026-03-06)" in text
    assert "GAD-7 (due since 2026-02-22)" in text and len(text.splitlines()) <= 15
    data = cli.json("status")
    assert set(data) == {"course", "last_session", "durability", "due", "next_planned", "flags", "safety"}
    assert data["last_session"] == {"at": "2026-03-08T10:00+00:00", "days_ago": 2}
    assert [d["what"] for d in data["due"]] == ["checkin", "phq9", "gad7", "reflection"]
    assert data["due"][-1] | {"session_id": None} == {
        "what": "reflection", "since": "2026-03-09", "session": 2, "session_id": None, "day": "d1"
    }  # fmt: skip
    assert data["flags"] == []  # the raised reading is older than 14 days
    due = "check-in, PHQ-9, GAD-7, reflection on session 2 (day 1)"
    assert cli("status", "--short").stdout == f"ketalog: course 1, day 2 since session 2 · due: {due}\n"
    cli("checkin", "--mood", "5")
    assert "check-in" not in cli("status", "--short").stdout


def test_a_positive_item_9_in_the_last_14_days_repeats_the_crisis_resources(cli):
    cli("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,1", "--at", "2026-03-05")
    out = cli("status").stdout
    assert out.startswith("On 2026-03-05 (5 days ago) you answered 1 to item 9") and "988" in out
    assert cli.json("status")["safety"] is True


def test_bare_ketalog_shows_status_or_help(cli, db_path):
    result = cli()
    assert result.exit_code == 0 and "Usage:" in result.stdout and not db_path.exists()
    cli("add", "--route", "iv", "--at", "2026-03-09")
    assert "Course 1 (induction), 1 session; last session 2026-03-09, yesterday." in cli().stdout


def test_status_short_loads_no_rich_and_no_report(tmp_path):
    from helpers import run_ketalog

    db = tmp_path / "k.db"
    assert run_ketalog("--db", str(db), "add", "--route", "iv").returncode == 0
    code = (
        f"import sys, json\nfrom ketalog.cli import app\ntry:\n    app(['--db', {str(db)!r}, 'status', '--short'])\n"
        "except SystemExit:\n    pass\nprint(json.dumps(sorted(sys.modules)))"
    )
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    modules = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert not {"rich", "ketalog.commands.report", "ketalog.render.report_terminal"} & modules


def test_plan_templates_lay_out_the_reference_schedules():
    from datetime import date

    from ketalog.courses import lay_out, parse_days

    iv = lay_out("iv-induction", date(2026, 3, 2), parse_days(None, ("mon", "wed", "fri")))
    assert [d.isoformat() for d in iv] == [
        "2026-03-02",
        "2026-03-04",
        "2026-03-06",
        "2026-03-09",
        "2026-03-11",
        "2026-03-13",
    ]
    spravato = lay_out("esketamine", date(2026, 3, 2), parse_days(None, ("mon", "thu")))
    assert len(spravato) == 16 and sum(d < date(2026, 3, 30) for d in spravato) == 8  # twice weekly, weeks 1-4
    assert [d.isoformat() for d in spravato[8:12]] == ["2026-03-30", "2026-04-06", "2026-04-13", "2026-04-20"]
    custom = lay_out("custom", date(2026, 3, 2), parse_days("tue", ()), weeks=3)
    assert [d.isoformat() for d in custom] == ["2026-03-03", "2026-03-10", "2026-03-17"]


def test_plan_commands_and_planned_versus_done(cli):
    cli("plan", "set", "--template", "iv-induction", "--start", "2026-03-02")
    cli("add", "--route", "iv", "--at", "2026-03-04")
    cli("plan", "add", "2026-03-20", "--note", "booster?")
    cli("plan", "move", "2026-03-13", "2026-03-16")
    cli("plan", "remove", "2026-03-06")
    shown = {row["local_date"]: row["status"] for row in cli.json("plan", "show")}
    assert shown == {
        "2026-03-02": "not logged",
        "2026-03-04": "done",
        "2026-03-09": "not logged",
        "2026-03-11": "ahead",
        "2026-03-16": "ahead",
        "2026-03-20": "ahead",
    }
    assert "1 of 6 planned sessions done." in cli("plan", "show").stdout
    assert cli.json("status")["next_planned"] == "2026-03-11"
    assert "next session 2026-03-11" in cli("status", "--short").stdout
    assert "no session is planned on 2026-03-07" in cli("plan", "remove", "2026-03-07", expect=2).stderr
    assert "--template" in cli("plan", "set", "--template", "weekly", "--start", "today", expect=2).stderr
    assert (
        "--days" in cli("plan", "set", "--template", "custom", "--start", "today", "--days", "mon,xyz", expect=2).stderr
    )
    assert "Removed 6 planned sessions." in cli("plan", "clear").stdout


def test_the_plan_travels_with_an_export(cli, tmp_path):
    cli("plan", "add", "2026-03-20")
    exported = tmp_path / "export.json"
    cli("export", "-o", str(exported))
    cli("--db", str(tmp_path / "other.db"), "import", str(exported))
    assert [r["local_date"] for r in cli.json("--db", str(tmp_path / "other.db"), "plan", "show")] == ["2026-03-20"]


def test_plan_export_writes_a_private_calendar_with_stable_event_ids(cli, tmp_path):
    import stat

    from icalendar import Calendar

    cli("plan", "set", "--template", "iv-induction", "--start", "2026-03-02")
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    cli("plan", "export", "--ics", str(first))
    cli("plan", "move", "2026-03-13", "2026-03-16")
    cli("plan", "export", "--ics", str(second))
    assert stat.S_IMODE(first.stat().st_mode) == 0o600

    def events(path):
        parsed = Calendar.from_ical(path.read_bytes())
        return {str(e["uid"]): e.decoded("dtstart").isoformat() for e in parsed.walk("VEVENT")}

    before, after = events(first), events(second)
    assert len(before) == 6 and set(before) == set(after)  # same UIDs: calendars update, not duplicate
    assert sorted(after.values())[-1] == "2026-03-16"
    text = second.read_text()
    assert "do not drive" in text and "VALUE=DATE" in text
    # RFC 5545: DTSTAMP on every event; the reminder the description promises is a display alarm with text
    parsed = Calendar.from_ical(second.read_bytes())
    for event in parsed.walk("VEVENT"):
        assert event.decoded("dtstamp").isoformat() == "2026-03-10T10:00:00+00:00"
        alarms = event.walk("VALARM")
        assert len(alarms) == 1 and str(alarms[0]["action"]) == "DISPLAY"
        assert (
            alarms[0].decoded("trigger").total_seconds() == -6 * 3600 and "arrange a ride" in alarms[0]["description"]
        )
    assert text.count("BEGIN:VEVENT") == text.count("DTSTAMP:") == text.count("BEGIN:VALARM") == 6
    assert (
        "nothing is planned yet"
        in cli("--db", str(tmp_path / "none.db"), "plan", "export", "--ics", str(tmp_path / "c.ics"), expect=2).stderr
    )


def test_the_report_shows_planned_versus_done_for_the_period(cli):
    cli("plan", "set", "--template", "iv-induction", "--start", "2026-03-02")  # 2, 4, 6, 9, 11, 13 March
    for logged in ("2026-03-02", "2026-03-04", "2026-03-09"):
        cli("add", "--route", "iv", "--at", logged)
    course = json.loads(cli("report", "--format", "json").stdout)["course"]
    assert (course["planned_in_period"], course["planned_done"]) == (4, 3)  # 11 and 13 March are still ahead
    assert "Plan: 3 of the 4 sessions planned up to now were logged." in " ".join(cli("report").stdout.split())
    week = json.loads(cli("report", "--format", "json", "--since", "2026-03-05").stdout)["course"]
    assert (week["planned_in_period"], week["planned_done"]) == (2, 1)


def test_a_plan_reads_a_weekday_or_a_date_without_a_year_as_the_next_one(cli):
    """Plans are about days ahead: on Tuesday 2026-03-10, "friday" is the 13th and "march 2" next year's."""
    cli("plan", "add", "friday")
    cli("plan", "add", "mar 2")
    cli("plan", "move", "friday", "monday")
    assert [row["local_date"] for row in cli.json("plan", "show")] == ["2026-03-16", "2027-03-02"]


def test_a_one_day_plan_says_one_session(cli):
    out = cli("plan", "set", "--template", "custom", "--start", "2026-03-12", "--days", "thu", "--weeks", "1").stdout
    assert out.strip() == "Planned 1 session (custom), 2026-03-12."
