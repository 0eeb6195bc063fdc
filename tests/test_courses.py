"""Courses through the CLI: `add --new-course`, the long-gap note, `edit --new-course`, `course list`, the report."""

from __future__ import annotations

import json


def test_a_long_gap_keeps_the_course_and_says_how_to_start_a_new_one(cli):
    cli("add", "--route", "iv", "--at", "2026-01-05")
    result = cli("add", "--route", "iv", "--at", "2026-03-09")
    assert "63 days earlier" in result.stderr and "--new-course" in result.stderr
    assert [c["number"] for c in cli.json("course", "list")] == [1]
    assert "days earlier" not in cli("add", "--route", "iv", "--at", "2026-03-09 12:00").stderr


def test_new_course_starts_a_course_and_the_report_describes_it(cli):
    cli("survey", "phq9", "--answers", "3,3,3,3,2,2,2,2,0", "--at", "2025-06-01")  # a year-old score
    cli("add", "--route", "iv", "--at", "2025-06-02")
    cli("survey", "phq9", "--answers", "3,3,2,2,2,2,2,2,0", "--at", "2026-02-01")
    result = cli(
        "add", "--route", "intranasal", "--drug", "esketamine", "--dose", "56mg", "--at", "2026-02-02", "--new-course"
    )
    assert "days earlier" not in result.stderr
    assert cli.json("list", "--kind", "session")[0]["new_course"] is True
    courses = cli.json("course", "list")
    assert [(c["number"], c["sessions"], c["routes"]) for c in courses] == [
        (1, 1, {"iv": 1}),
        (2, 1, {"intranasal": 1}),
    ]
    assert "Course 2: started 2026-02-02, 1 session (intranasal × 1)" in cli("course", "list").stdout
    cli("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,0", "--at", "2026-03-05")
    report = json.loads(cli("report", "--format", "json").stdout)
    assert (report["course"]["number"], report["course"]["phase"]) == (2, "maintenance")  # 36 days: past week 4
    assert report["instruments"]["phq9"]["baseline"] == 18  # the new course's own baseline, not last year's
    assert "Course 2 of 2, started 2026-02-02" in cli("report").stdout


def test_edit_marks_a_session_as_starting_a_new_course(cli):
    cli("add", "--route", "iv", "--at", "2026-01-05")
    second = cli.json("add", "--route", "iv", "--at", "2026-03-09")
    cli("edit", second["id"][:8], "--new-course")
    assert len(cli.json("course", "list")) == 2
    cli("edit", second["id"][:8], "--same-course")
    assert len(cli.json("course", "list")) == 1
    assert "can clear" in cli("edit", second["id"][:8], "--clear", "new-course", expect=2).stderr


def test_course_list_with_no_sessions(cli):
    assert "No sessions logged yet" in cli("course", "list").stdout
    assert cli.json("course", "list") == []


def test_the_report_says_when_the_last_check_in_was_and_when_there_is_no_course(cli):
    cli("checkin", "--mood", "4", "--at", "2026-01-20")
    out = " ".join(cli("report").stdout.split())
    assert "No treatment session yet: these are the pre-treatment ratings" in out
    assert "No check-in in the last 14 days: the last was 49 days ago." in out
    assert "this report shows the pre-treatment picture" in out


def test_the_due_questionnaires_are_named_as_instruments_names_them():
    from ketalog.courses import DUE_SURVEYS
    from ketalog.instruments import GAD7, PHQ9

    assert DUE_SURVEYS == (PHQ9.id, GAD7.id)
