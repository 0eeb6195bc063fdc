"""Questionnaires that never lose a safety answer (issue 11): skipping and prorating, item 9 over time,
clinician scales, the instruments as data. Each case is tested by the failure that exposed it."""

from __future__ import annotations

import json

import pytest
from helpers import rows
from hypothesis import given
from hypothesis import strategies as st

from ketalog import instruments as inst

CRISIS_MARK = "If you are in immediate danger, call your local emergency number."


# Prorating: every case of 0, 1, 2 and 3 unanswered items ------------------------------------------


@pytest.mark.parametrize(
    "instrument, answers, total, prorated",
    [
        (inst.PHQ9, [2, 2, 2, 2, 2, 2, 2, 2, 1], 17, False),  # 0 missing: the plain sum
        (inst.PHQ9, [2, 2, None, 2, 2, 2, 2, 2, 1], 17, True),  # 1 missing: 15/8 * 9 = 16.875 -> 17
        (inst.PHQ9, [1, None, 1, 1, 1, 1, 1, 1, None], 9, True),  # 2 missing: 7/7 * 9 = 9
        (inst.PHQ9, [3, 3, None, 3, 3, 3, 2, 2, None], 24, True),  # 19/7 * 9 = 24.43 -> 24
        (inst.PHQ9, [None, 1, None, 1, 1, 1, 1, 1, None], None, False),  # 3 missing: no total
        (inst.GAD7, [1, 1, 1, 1, 1, 1, 1], 7, False),
        (inst.GAD7, [1, 1, None, 1, 2, 1, 1], 8, True),  # 7/6 * 7 = 8.17 -> 8
        (inst.GAD7, [1, 1, None, 1, None, 1, 1], None, False),  # 2 missing: no total
        (inst.PCL5, [1] * 20, 20, False),
        (inst.PCL5, [1] * 19 + [None], None, False),  # PCL-5 is never prorated
        (inst.PHQ2, [1, None], None, False),  # nor PHQ-2
    ],
)
def test_prorating_follows_the_reference(instrument, answers, total, prorated):
    result = inst.score(instrument, answers)
    assert (result.total, result.prorated) == (total, prorated)
    assert result.skipped == tuple(i for i, a in enumerate(answers, start=1) if a is None)
    assert result.band == (instrument.band(total) if total is not None else None)


@pytest.mark.parametrize(
    "answers, expected",
    [
        ([2, 1, None, None], 6),  # 3 / 2 * 4 = 6
        ([1, 0, 0, 0, None], 1),  # 1.25
        ([2, 2, 2, 1, 1, 1, 1, 0, None], 11),  # 10 / 8 * 9 = 11.25
        ([2, 2, 2, 2, 1, 1, 1, 1, None], 14),  # 13.5
        ([1, 2, None], 5),  # 4.5: half up (Python's round() would say 4)
        ([3, 3, 2, 2, None], 13),  # 12.5: half up (round() would say 12)
    ],
)
def test_prorating_rounds_half_up(answers, expected):
    assert inst.prorate(answers) == expected


# --answers with '-' ----------------------------------------------------------------------------------


def test_dashes_skip_items_and_the_output_says_so(cli, db_path):
    out = cli("survey", "phq9", "--answers", "1,2,-,0,1,1,0,1,0").stdout
    assert "PHQ-9 total 7 of 27 (prorated: item 3 not answered): mild" in out
    assert rows(db_path, "SELECT answers, total, band, prorated FROM surveys") == [
        ("[1, 2, null, 0, 1, 1, 0, 1, 0]", 7, "mild", 1)
    ]
    data = cli.json("survey", "phq9", "--answers", "1,2,-,0,1,1,0,1,0")
    assert data["answers"][2] is None and data["prorated"] is True
    assert data["assessment"]["skipped"] == [3] and data["assessment"]["prorated"] is True


def test_too_many_skipped_is_stored_as_incomplete_and_compared_with_nothing(cli, db_path):
    cli("survey", "gad7", "--answers", "3,3,3,3,3,3,3", "--at", "2026-03-01")
    out = cli("survey", "gad7", "--answers", "1,-,1,-,1,1,1").stdout
    assert "GAD-7: incomplete, no total (items 2, 4 not answered; at most 1 may be left unanswered" in out
    assert "Since baseline" not in out
    assert rows(db_path, "SELECT total, band, prorated FROM surveys ORDER BY at") == [
        (21, "severe", 0),
        (None, None, 0),
    ]
    assert "GAD-7 incomplete (items 2, 4 not answered)" in " ".join(cli("list").stdout.split())
    report = json.loads(cli("report", "--format", "json").stdout)
    assert report["instruments"]["gad7"]["latest"] == 21 and report["instruments"]["gad7"]["incomplete"] == 1
    assert "1 incomplete" in " ".join(cli("report").stdout.split())


def test_a_skipped_item_9_is_never_counted_as_0(cli, db_path):
    result = cli("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,-")
    assert "Item 9 not answered." in result.stdout and CRISIS_MARK not in result.output
    assert rows(db_path, "SELECT answers, total, prorated FROM surveys") == [("[1, 1, 1, 1, 1, 1, 1, 1, null]", 9, 1)]
    assert "item 9 not answered" in " ".join(cli("list").stdout.split())
    data = json.loads(cli("report", "--format", "json").stdout)["safety"]
    assert data["item9"] == [{"at": "2026-03-10T10:00+00:00", "answer": None}]
    assert data["unanswered"] == ["2026-03-10T10:00+00:00"] and data["last_positive"] is None
    for fmt in ("text", "markdown", "html"):
        assert "2026-03-10 not answered" in cli("report", "--format", fmt).stdout, fmt


@pytest.mark.parametrize(
    "answers, message",
    [("1,2,x,0,1,1,0,1,0", "item 3 must be 0-3"), ("1,2,0", "needs 9 answers"), ("1,2,4,0,1,1,0,1,0", "item 3")],
)
def test_bad_answers_still_refused_with_the_skip_named(cli, db_path, answers, message):
    result = cli("survey", "phq9", "--answers", answers, expect=2)
    assert message in result.stderr and "- to skip one" in result.stderr
    assert rows(db_path, "SELECT count(*) FROM surveys") == []


# Item 9 on every path -----------------------------------------------------------------------------------


def test_item9_on_edit_with_a_skip_and_then_a_positive(cli):
    entry = cli.json("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,0")
    edited = cli("edit", entry["id"][:8], "--answers", "1,1,1,1,1,1,1,-,2")
    assert CRISIS_MARK in edited.stdout
    shown = cli.json("show", entry["id"][:8])
    assert shown["answers"] == [1, 1, 1, 1, 1, 1, 1, None, 2] and shown["total"] == 10 and shown["prorated"] is True


def test_item9_on_import_of_skipped_and_positive_answers(cli, tmp_path):
    source = tmp_path / "other.db"
    cli("--db", str(source), "survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,-", "--at", "2026-03-01")
    cli("--db", str(source), "survey", "phq9", "--answers", "0,0,0,0,0,0,0,0,1", "--at", "2026-03-05")
    export = tmp_path / "export.json"
    cli("--db", str(source), "export", "-o", str(export))
    result = cli("import", str(export))
    assert CRISIS_MARK in result.stdout
    report = json.loads(cli("report", "--format", "json").stdout)["safety"]
    assert report["item9"] == [
        {"at": "2026-03-01T10:00+00:00", "answer": None},
        {"at": "2026-03-05T10:00+00:00", "answer": 1},
    ]


def test_import_recomputes_totals_from_skipped_answers_and_refuses_a_wrong_one(cli, tmp_path):
    source = tmp_path / "other.db"
    cli("--db", str(source), "survey", "phq9", "--answers", "3,3,3,-,-,-,3,3,3")
    data = json.loads(cli("--db", str(source), "export").stdout)
    assert data["tables"]["surveys"][0]["total"] is None
    data["tables"]["surveys"][0]["total"] = 27
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(data))
    result = cli("import", str(path), expect=2)
    assert "total 27 does not follow from the answers (no total (too many items skipped))" in result.stderr


# The report: item 9 over time, the dated notice, difficulty ------------------------------------------------


@pytest.fixture
def item9_history(cli):
    cli("survey", "phq9", "--answers", "2,2,2,2,2,2,2,2,2", "--at", "2026-01-10")
    cli("add", "--route", "iv", "--at", "2026-02-01")
    cli("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,0", "--at", "2026-02-20", "--difficulty", "2")
    cli("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,-", "--at", "2026-03-02")


def test_the_last_positive_answer_is_told_even_before_since(cli, item9_history):
    data = json.loads(cli("report", "--format", "json", "--since", "2026-02-10").stdout)
    assert data["safety"]["last_positive"] == {"at": "2026-01-10T10:00+00:00", "answer": 2}
    assert data["safety"]["crisis_resources"] is None  # not in the period: no notice at the top
    for fmt in ("text", "markdown", "html"):
        out = " ".join(cli("report", "--format", fmt, "--since", "2026-02-10").stdout.split())
        assert "Last answer above 0: 2026-01-10 (2), before this period." in out, fmt
        assert "newest first: 2026-03-02 not answered; 2026-02-20 answered 0" in out, fmt
        assert CRISIS_MARK not in out, fmt


def test_the_crisis_notice_is_dated_and_first_while_a_positive_answer_is_in_the_period(cli, item9_history):
    for fmt in ("text", "markdown", "html"):
        out = cli("report", "--format", fmt).stdout
        flat = " ".join(out.split())
        dated = "On 2026-01-10 (59 days ago) you answered 2 to item 9 of the PHQ-9"
        assert dated in flat and CRISIS_MARK in flat, fmt
        assert flat.index(dated) < flat.index("Course"), fmt
        # weeks old: said in the past tense, and the later answers (newest first) come before the numbers
        assert "You answered then" in flat and "You deserve support with this now" not in flat, fmt
        assert flat.index("newest first") < flat.index("988"), fmt
    markdown = cli("report", "--format", "markdown").stdout
    assert "> - US: call or text 988" in markdown and "> - UK & Ireland: Samaritans 116 123" in markdown


def test_the_difficulty_answer_is_in_the_questionnaire_table(cli, item9_history):
    data = json.loads(cli("report", "--format", "json").stdout)
    assert data["instruments"]["phq9"]["difficulty"] is None  # the latest score did not answer it
    data = json.loads(cli("report", "--format", "json", "--until", "2026-02-25").stdout)
    assert data["instruments"]["phq9"]["difficulty"] == "Very difficult"
    for fmt in ("markdown", "html"):
        assert "Very difficult" in cli("report", "--format", fmt, "--until", "2026-02-25").stdout, fmt
    text = cli("report", "--until", "2026-02-25").stdout  # an 80-column table wraps it within its cell
    assert "Difficulty" in text and "Very" in text and "difficult " in text


# Clinician scales -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, name, top",
    [
        ("MADRS", "MADRS", 60),
        ("qids", "QIDS-SR16", 27),
        ("HAMD-17", "HAM-D17", 52),
        ("bdi-ii", "BDI-II", 63),
        ("CADSS", "CADSS", 92),
        ("cadss 6", "CADSS-6", 24),
    ],
)
def test_known_clinician_scales_are_range_checked(cli, db_path, typed, name, top):
    assert f"{name} total {top} of {top}" in cli("survey", "log", typed, str(top)).stdout
    result = cli("survey", "log", typed, str(top + 1), expect=2)
    assert f"a {name} total must be 0-{top} (got {top + 1})" in result.stderr
    assert rows(db_path, "SELECT count(*) FROM surveys") == [(1,)]


@pytest.mark.parametrize(
    "scale, baseline, latest, response, remission",
    [
        ("madrs", 34, 17, True, False),
        ("madrs", 34, 18, False, False),
        ("madrs", 34, 12, True, True),
        ("madrs", 34, 13, True, False),
        ("qids-sr16", 20, 5, True, True),
        ("qids-sr16", 20, 6, True, False),
        ("hamd17", 24, 7, True, True),
        ("hamd17", 24, 8, True, False),
        ("hamd17", 24, 13, False, False),
        ("bdi2", 30, 13, True, True),
        ("bdi2", 30, 14, True, False),
        ("bdi2", 30, 16, False, False),
        ("cadss", 40, 2, None, None),
        ("cadss6", 12, 0, None, None),
    ],
)
def test_clinician_scale_thresholds(scale, baseline, latest, response, remission):
    change = inst.compare(scale, baseline, latest)
    assert (change.response, change.remission) == (response, remission)
    assert change.improved is None  # no published MCID: a comparison, never "improved"


def test_clinician_scale_thresholds_reach_the_report(cli):
    cli("survey", "log", "MADRS", "34", "--at", "2026-02-01")
    cli("add", "--route", "iv", "--at", "2026-02-02")
    cli("survey", "log", "madrs", "8", "--at", "2026-03-01")
    madrs = json.loads(cli("report", "--format", "json").stdout)["instruments"]["madrs"]
    assert (madrs["baseline"], madrs["latest"], madrs["response"], madrs["remission"]) == (34, 8, True, True)
    assert "MADRS" in cli("report").stdout


def test_list_instruments_json_is_the_instruments_as_data(cli):
    data = cli.json("survey", "list-instruments")
    shipped = {i["id"]: i for i in data["instruments"]}
    assert set(shipped) == {"phq9", "phq2", "gad7", "pcl5"}
    gad7 = shipped["gad7"]
    assert gad7["stem"] == inst.GAD7.stem and gad7["items"] == list(inst.GAD7_ITEMS)
    assert gad7["difficulty"] == inst.GAD7.difficulty and gad7["range"] == [0, 21]
    assert gad7["options"][3] == {"value": 3, "label": "Nearly every day"}
    assert gad7["bands"][-1] == {"min": 15, "max": 21, "label": "severe"} and gad7["mcid"] == 4
    assert shipped["pcl5"]["bands"] is None and shipped["pcl5"]["cutoff"] == 33
    assert shipped["pcl5"]["difficulty"] is None and "National Center for PTSD" in shipped["pcl5"]["attribution"]
    for entry in shipped.values():
        assert {
            "id",
            "name",
            "stem",
            "options",
            "items",
            "difficulty",
            "range",
            "bands",
            "cutoff",
            "mcid",
            "attribution",
        } <= set(entry)
    scales = {s["id"]: s for s in data["clinician_scales"]}
    assert scales["madrs"] == {
        "id": "madrs",
        "name": "MADRS",
        "range": [0, 60],
        "response": ">= 50% fall from baseline",
        "remission": "<= 12",
        "remission_note": scales["madrs"]["remission_note"],
        "bands": [
            {"min": 0, "max": 6, "label": "normal"},
            {"min": 7, "max": 19, "label": "mild"},
            {"min": 20, "max": 34, "label": "moderate"},
            {"min": 35, "max": 60, "label": "severe"},
        ],
        "caseness": 20,
        "outcome": True,
        "source": "Snaith et al. 1986 (bands); Popova et al., Am J Psychiatry 2019 (remission)",
    }
    assert scales["cadss"]["response"] is None and scales["cadss"]["remission"] is None
    assert scales["cadss"]["outcome"] is False and scales["hamd17"]["caseness"] == 17


def test_pcl5_attribution_is_not_repeated(cli):
    header = " ".join(cli("survey", "pcl5", "--help").stdout.split())
    assert header.count("National Center for PTSD") == 1


@given(
    st.sampled_from(list(inst.INSTRUMENTS.values())).flatmap(
        lambda i: st.tuples(
            st.just(i),
            st.lists(st.one_of(st.none(), st.integers(0, i.max_option)), min_size=len(i.items), max_size=len(i.items)),
        )
    )
)
def test_any_answers_score_within_range_and_never_hide_item_9(case):
    instrument, answers = case
    result = inst.score(instrument, answers)
    missing = answers.count(None)
    if missing == 0:
        assert result.total == sum(answers) and not result.prorated
    elif missing <= instrument.max_prorated:
        assert result.prorated and 0 <= result.total <= instrument.max_total
    else:
        assert result.total is None and result.band is None
    if instrument.safety_item:
        answer = answers[instrument.safety_item - 1]
        assert result.safety_positive == (answer is not None and answer > 0)
        assert inst.safety_unanswered(instrument.id, answers) == (answer is None)


def test_years_of_item9_answers_are_counted_and_every_one_not_0_is_dated():
    from ketalog.render.report_rows import _item9_answers

    few = [{"at": "2026-02-20T09:00", "answer": 0}, {"at": "2026-03-02T09:00", "answer": None}]
    assert _item9_answers(few) == "newest first: 2026-03-02 not answered; 2026-02-20 answered 0"
    many = [{"at": f"2026-{m:02d}-01T09:00", "answer": 0} for m in range(1, 13)]
    many[3]["answer"], many[7]["answer"] = 2, None
    assert _item9_answers(many) == (
        "12 answers from 2026-01-01 to 2026-12-01, 10 of them 0; newest first: 2026-08-01 not answered; "
        "2026-04-01 answered 2; "
        "the latest 2026-12-01 answered 0"
    )
    lifetime = [
        {"at": f"{1991 + n // 12}-{n % 12 + 1:02d}-01T09:00", "answer": 1 if n % 50 == 0 else 0} for n in range(600)
    ]
    text = _item9_answers(lifetime)
    assert text.count("answered 1") == 10 and "(and 2 earlier above 0 or not answered)" in text
    assert text.startswith("600 answers from 1991-01-01 to 2040-12-01, 588 of them 0")
