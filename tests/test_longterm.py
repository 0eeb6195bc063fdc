"""Issue 30: reflections after sessions, the monthly long-term follow-up and lab results."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from helpers import count, rows
from hypothesis import given
from hypothesis import strategies as st

from ketalog import followup, reflections
from ketalog.models import Followup, Lab
from ketalog.reading import longterm

SESSION_DAY = date(2026, 3, 2)


def facts(imported=False, late=False, session_id="s1"):
    return reflections.SessionFacts(session_id, 1, SESSION_DAY, late, imported)


# Reflections: the due rule, day by day -------------------------------------------------------------


@pytest.mark.parametrize(
    "days_after, expected",
    [(0, None), (1, "d1"), (2, "d1"), (3, "d3"), (6, "d3"), (7, "d7"), (13, "d7"), (14, None), (40, None)],
)
def test_each_window_opens_and_closes_on_its_days(days_after, expected):
    due = reflections.due(SESSION_DAY + timedelta(days=days_after), [facts()], {}, None)
    assert [d["day"] for d in due] == ([expected] if expected else [])


def test_a_note_written_inside_the_window_clears_it_and_one_outside_does_not():
    today = SESSION_DAY + timedelta(days=5)  # the d3 window: days 3-6
    assert reflections.due(today, [facts()], {"s1": [SESSION_DAY + timedelta(days=4)]}, None) == []
    earlier = {"s1": [SESSION_DAY + timedelta(days=1)]}  # the d1 note does not answer d3
    assert [d["day"] for d in reflections.due(today, [facts()], earlier, None)] == ["d3"]


@pytest.mark.parametrize(
    "setting, day, expected",
    [("d1", 1, ["d1"]), ("d1", 3, []), ("off", 1, []), (None, 7, ["d7"]), ("d1,d3,d7", 3, ["d3"])],
)
def test_the_setting_chooses_which_reflections_are_asked(setting, day, expected):
    due = reflections.due(SESSION_DAY + timedelta(days=day), [facts()], {}, setting)
    assert [d["day"] for d in due] == expected


def test_never_for_imported_or_back_filled_sessions():
    today = SESSION_DAY + timedelta(days=1)
    assert reflections.due(today, [facts(imported=True)], {}, None) == []
    assert reflections.due(today, [facts(late=True)], {}, None) == []
    at = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
    assert not reflections.facts("x", 1, at, at + timedelta(days=13, hours=23), False).written_late
    assert reflections.facts("x", 1, at, at + timedelta(days=14), False).written_late


@pytest.mark.parametrize("days_after, prompt", [(0, "d1"), (2, "d1"), (3, "d3"), (6, "d3"), (7, "d7"), (30, "d7")])
def test_the_prompts_follow_the_day(days_after, prompt):
    assert reflections.prompt_for(days_after) == prompt
    assert 2 <= len(reflections.PROMPTS[prompt]) <= 3


def test_status_walks_through_day_1_3_and_7_and_a_note_clears_each(cli, monkeypatch):
    cli("add", "--route", "iv", "--dose", "0.5mg/kg", "--at", "2026-03-02 10:00")
    seen = {}
    for day in range(0, 15):
        monkeypatch.setenv("KETALOG_NOW", f"{SESSION_DAY + timedelta(days=day)}T12:00:00+00:00")
        due = [d for d in cli.json("status")["due"] if d["what"] == "reflection"]
        seen[day] = due[0]["day"] if due else None
        if day == 4:  # answered on day 4: the d3 window is done
            cli("journal", "Still calmer", "--session", "last", "--prompt")
    assert seen == {
        0: None, 1: "d1", 2: "d1", 3: "d3", 4: "d3", 5: None, 6: None,
        **{d: "d7" for d in range(7, 14)}, 14: None,
    }  # fmt: skip
    monkeypatch.setenv("KETALOG_NOW", "2026-03-05T12:00:00+00:00")
    assert "reflection on session 1 (day 3)" not in cli("status").stdout  # the note was written on day 4


def test_journal_prompt_shows_the_day_and_tags_the_note(cli, db_path, monkeypatch):
    cli("add", "--route", "iv", "--at", "2026-03-02 10:00")
    monkeypatch.setenv("KETALOG_NOW", "2026-03-05T12:00:00+00:00")
    result = cli("journal", "--session", "last", "--prompt", input="Sleeping better\n")
    assert "Reflection on session 1, day 3:" in result.stderr and "What has stayed with you since?" in result.stderr
    assert rows(db_path, "SELECT tag FROM journal_tags") == [("integration:d3",)]
    assert "needs --session" in cli("journal", "x", "--prompt", expect=2).stderr
    before = count(db_path, "journal")
    assert "--at" in cli("journal", "x", "--session", "last", "--prompt", "--at", "2026-03-01", expect=2).stderr
    assert count(db_path, "journal") == before


def test_an_imported_session_is_never_prompted(cli, tmp_path, monkeypatch):
    cli("add", "--route", "iv", "--at", "2026-03-09 10:00")
    export = tmp_path / "export.json"
    cli("export", "-o", str(export))
    other = tmp_path / "other.db"
    cli("--db", str(other), "import", str(export))
    monkeypatch.setenv("KETALOG_NOW", "2026-03-10T12:00:00+00:00")
    assert any(d["what"] == "reflection" for d in cli.json("status")["due"])  # written here
    assert not any(d["what"] == "reflection" for d in cli.json("--db", str(other), "status")["due"])


def test_the_report_groups_reflections_under_their_session_and_private_hides_them(cli):
    cli("add", "--route", "iv", "--at", "2026-03-02 10:00")
    cli("journal", "Felt lighter\nsecond line", "--session", "last", "--prompt", "--at", "2026-03-03 20:00")
    cli("journal", "Kept walking", "--session", "last", "--prompt", "--at", "2026-03-09 20:00")
    data = json.loads(cli("report", "--format", "json").stdout)
    assert data["integration"] == [
        {
            "session": 1,
            "at": "2026-03-02T10:00+00:00",
            "reflections": [
                {"day": "d1", "at": "2026-03-03T20:00+00:00", "text": "Felt lighter"},
                {"day": "d7", "at": "2026-03-09T20:00+00:00", "text": "Kept walking"},
            ],
        }
    ]
    page = cli("report", "--format", "markdown").stdout
    sessions = page.split("## Sessions", 1)[1].split("## ", 1)[0]  # under the sessions table
    assert "Reflections on session 1 (2026-03-02): day 1: Felt lighter · day 7: Kept walking" in sessions
    private = cli("report", "--format", "markdown", "--private").stdout
    assert "Reflections on session" not in private and "Felt lighter" not in private


# The follow-up: when it is due ----------------------------------------------------------------------

START = datetime(2026, 1, 5, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "days, last_session, last_followup, expected",
    [
        (27, 27, None, None),  # 28 days after the course's first session
        (28, 27, None, "2026-02-02"),
        (40, 39, 30, None),  # then 28 days after the last follow-up
        (58, 57, 30, "2026-03-04"),
        (58, 57, -10, "2026-02-02"),  # a follow-up from before this course does not count
        (200, 100, 30, None),  # no session in the last 90 days: not asked
        (190, 100, 30, "2026-03-04"),
    ],
)
def test_the_follow_up_cycle(days, last_session, last_followup, expected):
    now = START + timedelta(days=days)
    last = START + timedelta(days=last_session)
    previous = START + timedelta(days=last_followup) if last_followup is not None else None
    found = followup.due(now, START, last, previous)
    assert (found["since"] if found else None) == expected


def test_status_and_the_reminder_say_when_the_follow_up_is_due(cli, monkeypatch):
    cli("add", "--route", "iv", "--at", "2026-02-08 10:00")
    cli("add", "--route", "iv", "--at", "2026-03-09 10:00")
    assert "long-term follow-up (due since 2026-03-08)" in cli("status").stdout
    cli("followup", "--answers", "7,1,1,0,no,0,no,-,no,0,not-applicable,-")
    assert "long-term follow-up" not in cli("status").stdout
    cli("config", "set", "followup-interval", "7")
    monkeypatch.setenv("KETALOG_NOW", "2026-03-17T10:00:00+00:00")
    assert "long-term follow-up (due since 2026-03-17)" in cli("status").stdout


# The follow-up: questions, answers, flags -----------------------------------------------------------


def test_answers_are_read_in_the_order_asked_and_a_dash_skips():
    answers = followup.read_answers("8,2,3,4,Not sure,0,a little,-,no,6,n/a,new rash")
    assert answers == {
        "day_voids": 8, "night_voids": 2, "urgency": 3, "pain_passing": 4, "blood_in_urine": "not-sure",
        "suprapubic_pain": 0, "memory": "a-little", "memory_note": None, "use_outside": "no", "craving": 6,
        "more_than_prescribed": "not-applicable", "other": "new rash",
    }  # fmt: skip


@pytest.mark.parametrize(
    "text, message",
    [
        ("1,2", "needs 12 comma-separated values"),
        ("8,2,11,0,no,0,no,-,no,0,no,-", "answer 3 (Urgency) must be a whole number 0-10"),
        ("8,2,1,0,maybe,0,no,-,no,0,no,-", "answer 5 (Blood) must be yes / no / not-sure"),
        ("61,2,1,0,no,0,no,-,no,0,no,-", "answer 1 (Day voids) must be a whole number 0-60"),
    ],
)
def test_a_bad_answer_names_the_question_and_what_is_allowed(cli, db_path, text, message):
    assert message in cli("followup", "--answers", text, expect=2).stderr
    assert count(db_path, "followups") == 0


@given(st.text(max_size=200))
def test_no_typed_answers_raise_anything_but_a_clear_value_error(text):
    try:
        followup.read_answers(text)
    except ValueError as error:
        field, why = error.args
        assert field == "--answers" and why


def _entry(**answers) -> Followup:
    return Followup(id=answers.pop("id", "f"), at=answers.pop("at", START), created_at="", updated_at="", **answers)


@pytest.mark.parametrize(
    "answers, raised",
    [
        ({"pain_passing": 4}, True), ({"pain_passing": 3}, False),
        ({"suprapubic_pain": 4}, True), ({"suprapubic_pain": 3}, False),
        ({"urgency": 6}, True), ({"urgency": 5}, False),
        ({"blood_in_urine": "yes"}, True), ({"blood_in_urine": "not-sure"}, False),
        ({"other": "up to the loo every hour"}, True), ({"other": "a wee bit tired"}, False),
    ],
)  # fmt: skip
def test_each_bladder_answer_at_its_threshold_and_just_below(answers, raised):
    assert bool(longterm.answered_concerns(_entry(**answers), None).bladder) is raised


@pytest.mark.parametrize("night, raised", [(3, True), (2, False)])
def test_night_time_voids_up_by_two_from_the_first_follow_up(night, raised):
    first = _entry(id="first", night_voids=1)
    later = _entry(id="later", night_voids=night, at=START + timedelta(days=28))
    assert bool(longterm.answered_concerns(later, first).bladder) is raised
    assert not longterm.answered_concerns(first, first).bladder  # the first is no rise over itself


@pytest.mark.parametrize(
    "answers, memory, use",
    [
        ({"memory": "clearly"}, True, False), ({"memory": "a-little"}, False, False),
        ({"use_outside": "yes"}, False, True), ({"use_outside": "no"}, False, False),
        ({"craving": 6}, False, True), ({"craving": 5}, False, False),
        ({"more_than_prescribed": "yes"}, False, False),
    ],
)  # fmt: skip
def test_memory_and_use_flags_at_their_thresholds(answers, memory, use):
    found = longterm.answered_concerns(_entry(**answers), None)
    assert bool(longterm.memory_flag(found)) is memory and bool(longterm.use_flag(found)) is use
    for flag in filter(None, (longterm.memory_flag(found), longterm.use_flag(found))):
        assert "worth raising with your provider" in flag.detail.lower()


def test_a_follow_up_raises_its_flags_in_the_report_and_shows_in_long_term_checks(cli):
    cli("add", "--route", "iv", "--at", "2026-02-01 10:00")
    cli("followup", "--answers", "7,1,1,0,no,0,no,-,no,0,no,-", "--at", "2026-03-01 10:00")
    result = cli("followup", "--answers", "9,3,6,2,not-sure,1,clearly,foggy,no,6,no,-", "--at", "2026-03-09 10:00")
    assert "Worth raising with your provider:" in result.stdout
    assert "urgency 6/10" in result.stdout and "up 3× a night" in result.stdout
    data = json.loads(cli("report", "--format", "json").stdout)
    ids = [flag["id"] for flag in data["flags"]]
    assert {"bladder", "memory_concern", "use_outside_sessions"} <= set(ids)
    assert [row["night_voids"] for row in data["followups"]] == [1, 3]
    page = cli("report", "--format", "markdown").stdout
    assert "## Long-term checks" in page and "not a validated questionnaire" in page


def test_interrupted_interactively_keeps_what_was_answered(db_path):
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys

    child = pexpect.spawn(
        sys.executable, ["-m", "ketalog", "followup"], env=os.environ.copy(), encoding="utf-8", timeout=30
    )
    child.expect("not a validated questionnaire")
    child.expect("a whole number 0-60")
    child.sendline("8")
    child.expect("a whole number 0-60")
    child.sendline("")  # skipped
    child.expect("a whole number 0-10")
    child.sendline("12")  # out of range: asked again
    child.expect("must be a whole number 0-10")
    child.sendline("7")
    child.expect("Pain or burning")
    child.sendintr()
    child.expect("stopped after 3 of 12 questions: those answers were saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert rows(db_path, "SELECT day_voids, night_voids, urgency, pain_passing FROM followups") == [(8, None, 7, None)]


def test_ctrl_c_before_any_answer_saves_nothing(db_path):
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys

    child = pexpect.spawn(
        sys.executable, ["-m", "ketalog", "followup"], env=os.environ.copy(), encoding="utf-8", timeout=30
    )
    child.expect("a whole number 0-60")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 and count(db_path, "followups") == 0


def test_followup_help_and_list_instruments_list_the_questions_in_order(cli):
    text = " ".join(cli("followup", "--help").stdout.split())
    positions = [text.index(" ".join(q.text.split())) for q in followup.QUESTIONS]
    assert positions == sorted(positions) and followup.LABEL in text
    listed = cli.json("survey", "list-instruments")
    own = next(item for item in listed["own_questions"] if item["id"] == "followup")
    assert [q["column"] for q in own["questions"]] == list(followup.COLUMNS)
    assert own["label"] == followup.LABEL


# Labs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, outside", [(56, False), (7, False), (56.1, True), (6.9, True)])
def test_a_lab_is_judged_only_by_the_range_printed_which_is_inclusive(value, outside):
    lab = Lab(id="l", at=START, created_at="", updated_at="", name="ALT", value=value, unit="U/L",
              range_low=7, range_high=56)  # fmt: skip
    assert lab.outside_range is outside
    flag = longterm.lab_flag([lab])
    assert bool(flag) is outside
    if flag:
        assert "outside the range your lab printed" in flag.detail.lower()


def test_lab_add_list_report_and_round_trip(cli, db_path, tmp_path):
    cli("lab", "add", "ALT", "62", "U/L", "--range", "7-56", "--at", "2026-03-01")
    cli("lab", "add", "bilirubin", "0.8", "mg/dL", "--range", "0.1-1.2", "--at", "2026-03-02")
    assert "outside the range your lab printed" in cli("lab", "list").stdout
    data = json.loads(cli("report", "--format", "json").stdout)
    assert [lab["outside_range"] for lab in data["labs"]] == [True, False]
    assert "lab_outside_range" in [flag["id"] for flag in data["flags"]]
    for bad, field in (
        (["lab", "add", "ALT", "high", "U/L"], "VALUE"),
        (["lab", "add", "ALT", "3", "U/L", "--range", "56-7"], "--range"),
        (["lab", "add", "", "3", "U/L"], "NAME"),
    ):
        assert field in cli(*bad, expect=2).stderr
    assert count(db_path, "labs") == 2
    export = tmp_path / "export.json"
    cli("export", "-o", str(export))
    other = tmp_path / "other.db"
    cli("--db", str(other), "import", str(export))
    assert cli("--db", str(other), "export").stdout == export.read_text()


def test_icsi_and_icpi_totals_are_range_checked(cli):
    assert "0-20" in cli("survey", "log", "ICSI", "21", expect=2).stderr
    assert "0-16" in cli("survey", "log", "ICPI", "17", expect=2).stderr
    cli("survey", "log", "ICSI", "12")


_ratings = st.one_of(st.none(), st.integers(0, 10))


@given(
    st.fixed_dictionaries(
        {
            "pain_passing": _ratings,
            "suprapubic_pain": _ratings,
            "urgency": _ratings,
            "craving": _ratings,
            "blood_in_urine": st.sampled_from([None, "yes", "no", "not-sure"]),
        }
    ),  # fmt: skip
    st.sampled_from(["pain_passing", "suprapubic_pain", "urgency", "craving"]),
)
def test_a_worse_answer_never_takes_a_concern_away(answers, worse):
    before = longterm.answered_concerns(_entry(**answers), None)
    raised = dict(answers, **{worse: 10})
    after = longterm.answered_concerns(_entry(**raised), None)
    assert (bool(before.bladder) <= bool(after.bladder)) and (bool(before.use) <= bool(after.use))
