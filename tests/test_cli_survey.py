"""`ketalog survey` through the CLI: scoring output, the item-9 safety rule on every path, storage."""

from __future__ import annotations

import json

import pytest
from helpers import count, rows

from ketalog import crisis

PHQ9_ITEM9 = "0,0,0,1,1,1,0,0,1"  # total 4, minimal, item 9 = 1
PHQ9_CLEAN = "3,3,2,2,2,2,2,1,0"  # total 17
CRISIS_MARK = "If you are in immediate danger, call your local emergency number."


def test_item9_above_zero_shows_crisis_before_the_total(cli, db_path):
    out = cli("survey", "phq9", "--answers", PHQ9_ITEM9).stdout
    assert CRISIS_MARK in out and "988" in out and "Samaritans 116 123" in out
    assert out.index(CRISIS_MARK) < out.index("PHQ-9 total 4")
    assert rows(db_path, "SELECT answers, total, band FROM surveys") == [("[0, 0, 0, 1, 1, 1, 0, 0, 1]", 4, "minimal")]


def test_item9_with_json_keeps_stdout_valid_and_still_shows_crisis(cli):
    result = cli("survey", "phq9", "--answers", PHQ9_ITEM9, "--json")
    data = json.loads(result.stdout)
    assert CRISIS_MARK in result.stderr
    assert data["crisis_resources"]["immediate_danger"] == crisis.IMMEDIATE_DANGER


@pytest.mark.parametrize("answers", [PHQ9_CLEAN, "0,0,0,0,0,0,0,0,0"])
def test_item9_zero_shows_no_crisis_and_never_says_safe(cli, answers):
    result = cli("survey", "phq9", "--answers", answers)
    assert CRISIS_MARK not in result.stdout + result.stderr
    assert "safe" not in result.stdout.lower() and "no risk" not in result.stdout.lower()


def test_editing_answers_into_item9_shows_crisis(cli):
    entry = cli.json("survey", "phq9", "--answers", PHQ9_CLEAN)
    out = cli("edit", entry["id"][:8], "--answers", "3,3,2,2,2,2,2,1,2").stdout
    assert CRISIS_MARK in out
    assert cli.json("show", entry["id"][:8])["total"] == 19


def test_report_of_total_band_and_change_from_baseline_and_previous(cli):
    cli("survey", "phq9", "--answers", "3,3,3,2,2,2,2,2,0", "--at", "2026-02-20")  # 19, before treatment
    cli("survey", "phq9", "--answers", "3,3,3,3,2,2,2,2,0", "--at", "2026-02-21")  # 20, last before course start
    cli("add", "--route", "iv", "--at", "2026-02-22 10:00")
    cli("survey", "phq9", "--answers", "2,2,2,2,1,1,1,1,0", "--at", "2026-03-01")  # 12
    data = cli.json("survey", "phq9", "--answers", "1,1,1,1,0,0,0,0,0", "--at", "2026-03-08")  # 4
    assessment = data["assessment"]
    assert (assessment["total"], assessment["band"]) == (4, "minimal")
    assert assessment["baseline"]["total"] == 20
    assert (
        assessment["baseline"]["improved"]
        and assessment["baseline"]["response"]
        and assessment["baseline"]["remission"]
    )
    assert assessment["baseline"]["change"] == -16 and assessment["baseline"]["change_pct"] == -80.0
    assert assessment["previous"]["total"] == 12 and assessment["previous"]["improved"]
    text = cli("survey", "phq9", "--answers", "1,1,1,1,1,0,0,0,0").stdout
    assert "PHQ-9 total 5 of 27: mild" in text
    assert "Since baseline (2026-02-21, 20): -15 (-75%)" in text
    assert "meaningful improvement (>= 5 points)" in text and "response" in text
    assert "remission" not in text.split("Since previous")[0]


def test_scores_before_any_treatment_compare_with_the_previous_only(cli):
    out = cli("survey", "gad7", "--answers", "2,2,2,2,2,2,2", "--at", "2026-02-20").stdout
    assert "GAD-7 total 14 of 21: moderate" in out and "first score" in out
    data = cli.json("survey", "gad7", "--answers", "1,1,1,1,1,1,1", "--at", "2026-02-25")
    assert data["assessment"]["baseline"] is None and data["assessment"]["baseline_kind"] == "none"
    assert data["assessment"]["previous"]["change"] == -7 and data["assessment"]["previous"]["improved"] is True


def test_a_score_a_week_into_treatment_is_compared_with_the_pre_treatment_baseline(cli):
    cli("survey", "gad7", "--answers", "2,2,2,2,2,2,2", "--at", "2026-02-20")  # 14: at least 10, "ill"
    cli("add", "--route", "iv", "--at", "2026-02-22")
    soon = cli.json("survey", "gad7", "--answers", "1,1,1,1,1,1,1", "--at", "2026-02-24")
    assert soon["assessment"]["comparison"] == "too_soon" and soon["assessment"]["baseline"] is None
    data = cli.json("survey", "gad7", "--answers", "1,1,1,1,1,1,1")
    assert data["assessment"]["baseline"]["total"] == 14 and data["assessment"]["baseline_kind"] == "pre_treatment"
    assert data["assessment"]["baseline"]["improved"] is True  # fell by 7 >= 4
    assert data["assessment"]["baseline"]["response"] is True


@pytest.mark.parametrize(
    "answers, relation",
    [
        ("2," * 15 + "0,0,0,0,0", "below 33, the provisional PTSD cutoff"),  # 30
        ("2," * 15 + "1,0,0,0,0", "in the 31–33 range where probable PTSD begins (provisional cutoff)"),  # 31
        ("2," * 16 + "0,0,0,0", "in the 31–33 range where probable PTSD begins (provisional cutoff)"),  # 32
        ("2," * 16 + "1,0,0,0", "at or above 33, the provisional PTSD cutoff"),  # 33
    ],
)
def test_pcl5_reports_cutoff_not_bands(cli, answers, relation):
    out = cli("survey", "pcl5", "--answers", answers.rstrip(",")).stdout
    assert relation in out and "provisional" in out
    assert rows  # storage checked below
    data = cli.json("list", "--kind", "survey")[0]
    assert data["band"] is None


def test_phq2_cutoff(cli):
    assert "at or above 3" in cli("survey", "phq2", "--answers", "2,1").stdout
    assert "below 3" in cli("survey", "phq2", "--answers", "1,1").stdout


@pytest.mark.parametrize(
    "args, field",
    [
        (["phq9", "--answers", "1,2,3"], "--answers"),
        (["phq9", "--answers", "1,1,1,1,1,1,1,1,4"], "--answers"),
        (["gad7", "--answers", "x,1,1,1,1,1,1"], "--answers"),
        (["pcl5", "--answers", "5" + ",0" * 19], "--answers"),
        (["phq9"], "--answers"),
        (["phq9", "--answers", PHQ9_CLEAN, "--difficulty", "4"], "--difficulty"),
        (["pcl5", "--answers", "0" + ",0" * 19, "--difficulty", "1"], "--difficulty"),
        (["phq9", "--answers", PHQ9_CLEAN, "--at", "tomorrow"], "--at"),
        (["log", "MADRS", "--", "-3"], "TOTAL"),
        (["log", "MADRS", "twelve"], "TOTAL"),
        (["log", "phq9", "28"], "TOTAL"),
        (["log", "  ", "3"], "NAME"),
    ],
)
def test_bad_survey_input_is_exit_2_and_nothing_stored(cli, db_path, args, field):
    result = cli("survey", *args, expect=2)
    assert field in result.stderr and result.stderr.count("\n") == 1
    assert count(db_path, "surveys") == 0


def test_difficulty_is_stored(cli, db_path):
    cli("survey", "phq9", "--answers", PHQ9_CLEAN, "--difficulty", "2")
    assert rows(db_path, "SELECT difficulty FROM surveys") == [(2,)]


def test_log_a_clinician_total(cli, db_path):
    out = cli("survey", "log", "MADRS", "28", "--at", "2026-03-01").stdout
    assert "MADRS total 28" in out
    cli("add", "--route", "iv", "--at", "2026-03-02")
    data = cli.json("survey", "log", "madrs", "20")
    assert data["instrument"] == "madrs" and data["answers"] is None  # a known scale is stored by its id
    assert data["assessment"]["baseline"]["change"] == -8
    assert data["assessment"]["baseline"]["improved"] is None  # no MCID known for this scale
    assert rows(db_path, "SELECT instrument, answers, total, band FROM surveys ORDER BY at") == [
        ("madrs", None, 28, "moderate"),  # the published bands (reference section 5, added 2026-12-03)
        ("madrs", None, 20, "moderate"),
    ]


def test_an_unknown_scale_keeps_its_first_spelling(cli, db_path):
    cli("survey", "log", "Y-BOCS", "24", "--at", "2026-03-01")
    cli("survey", "log", "y-bocs", "20")
    assert rows(db_path, "SELECT DISTINCT instrument FROM surveys") == [("Y-BOCS",)]


def test_list_instruments_shows_ranges_and_terms(cli):
    out = cli("survey", "list-instruments").stdout
    for text in ("PHQ-9", "PHQ-2", "GAD-7", "PCL-5", "0-27", "0-21", "0-80", "0-6", "Pfizer", "Public domain"):
        assert text in out
    for text in ("MADRS", "QIDS-SR16", "HAM-D17", "BDI-II", "CADSS", "CADSS-6", "0-60", "0-92"):
        assert text in out


def test_attribution_in_help(cli):
    out = cli("survey", "phq9", "--help").stdout
    assert "Spitzer" in " ".join(out.split()) and "Pfizer" in out


def test_surveys_in_list_show_edit_delete(cli, db_path):
    entry = cli.json("survey", "gad7", "--answers", "1,1,1,1,1,1,1")
    assert [e["kind"] for e in cli.json("list", "--kind", "survey")] == ["survey"]
    assert "GAD-7 7/21 mild" in cli("list").stdout
    assert "instrument" in cli("show", entry["id"][:7]).stdout
    edited = cli.json("edit", entry["id"][:7], "--answers", "3,3,3,3,3,3,0", "--difficulty", "1")
    assert (edited["total"], edited["band"], edited["difficulty"]) == (18, "severe", 1)
    assert "--total" in cli("edit", entry["id"][:7], "--total", "5", expect=2).stderr
    assert "not a field" in cli("edit", entry["id"][:7], "--mood", "5", expect=2).stderr
    cli("delete", entry["id"][:7], "--yes")
    assert count(db_path, "surveys") == 0


def test_logged_total_can_be_edited(cli):
    entry = cli.json("survey", "log", "QIDS-SR16", "14")
    assert cli.json("edit", entry["id"][:8], "--total", "9")["total"] == 9
    assert "--answers" in cli("edit", entry["id"][:8], "--answers", "1", expect=2).stderr


def test_the_scored_answers_are_stored_before_the_optional_question_is_asked(cli, db_path, monkeypatch):
    """Whatever a prompt library does at the difficulty question (Typer 0.29 let a Ctrl-C through as
    something else), a positive item 9 is already in the file: the question is asked after the save."""
    from ketalog.commands import survey

    seen_at_the_question: list = []

    def prompt_library_breaks(instrument):
        seen_at_the_question.extend(rows(db_path, "SELECT answers, difficulty FROM surveys"))
        raise RuntimeError("the prompt library failed")

    monkeypatch.setattr(survey, "interactive", lambda no_input: True)
    monkeypatch.setattr(survey, "_interactive_answers", lambda instrument: [1, 1, 1, 1, 1, 1, 1, 1, 2])
    monkeypatch.setattr(survey, "_ask_difficulty", prompt_library_breaks)
    from ketalog.cli import app

    result = cli.runner.invoke(app, ["survey", "phq9"])
    assert isinstance(result.exception, RuntimeError)
    assert seen_at_the_question == [("[1, 1, 1, 1, 1, 1, 1, 1, 2]", None)]
    assert rows(db_path, "SELECT total FROM surveys") == [(10,)]


def test_a_difficulty_answered_after_the_save_updates_the_same_row(cli, db_path, monkeypatch):
    from ketalog.commands import survey

    monkeypatch.setattr(survey, "interactive", lambda no_input: True)
    monkeypatch.setattr(survey, "_interactive_answers", lambda instrument: [1, 1, 1, 1, 1, 1, 1])
    monkeypatch.setattr(survey, "_ask_difficulty", lambda instrument: 2)
    cli("survey", "gad7")
    assert rows(db_path, "SELECT total, difficulty FROM surveys") == [(7, 2)]
