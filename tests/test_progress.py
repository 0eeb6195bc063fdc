"""The progress engine rule by rule: each sign and flag fires at its threshold and not just below it."""

from __future__ import annotations

import pytest
from history import checkin, day, inputs, note, phq9, series, session, survey

from ketalog import progress
from ketalog.progress import build_report

FOUR_SESSIONS = [session(0), session(2), session(4), session(7)]


def ids(findings) -> set[str]:
    return {finding.id for finding in findings}


def report_for(**kwargs):
    return build_report(inputs(**kwargs))


def ratings_history(name: str, before: list[int], after: list[int]):
    """Check-ins of one rating: ``before`` in the 14 days before course start, ``after`` at days 20+."""
    return series(name, before, start=-len(before)) + series(name, after, start=20)


# Daily ratings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, before, after, status",
    [
        ("mood", [3, 3, 3], [5, 5, 5], "better"),
        ("mood", [3, 3, 3], [5, 4, 5, 4], "steady"),  # +1.5
        ("mood", [5, 5, 5], [3, 3, 3], "worse"),
        ("anxiety", [7, 7, 7], [5, 5, 5], "better"),  # lower is better
        ("anxiety", [7, 7, 7], [9, 9, 9], "worse"),
        ("thoughts", [8, 8], [6, 6], "better"),
        ("sleep", [4, 4], [6, 6], "better"),
        ("pain", [2, 2], [4, 4], "worse"),
        ("energy", [2, 2], [3, 3], "steady"),
    ],
)
def test_rating_status(name, before, after, status):
    report = report_for(sessions=[session(0)], checkins=ratings_history(name, before, after))
    assert report.ratings[name].status == status
    assert report.ratings[name].baseline == sum(before) / len(before)


def test_rating_insufficient_without_data():
    report = report_for(sessions=[session(0)], checkins=series("mood", [5, 5], start=1))
    assert report.ratings["anxiety"].status == "insufficient"
    assert report.ratings["anxiety"].baseline is None


def test_baseline_falls_back_to_first_three_checkins():
    # nothing in the 14 days before the course: first 3 mood ratings (after day 0) are the baseline
    checkins = series("mood", [2, 3, 4, 6, 7, 8, 8], start=1)
    report = report_for(sessions=[session(0)], checkins=checkins)
    assert report.ratings["mood"].baseline == 3.0


def test_baseline_window_is_the_14_days_before_course_start():
    checkins = series("mood", [9], start=-20) + series("mood", [2, 4], start=-13) + series("mood", [6], start=1)
    assert report_for(sessions=[session(0, hour=23)], checkins=checkins).ratings["mood"].baseline == 3.0


def test_recent_window_is_14_days_ending_at_last_checkin_in_period():
    checkins = series("mood", [1, 1], start=-2) + series("mood", [9], start=5) + series("mood", [4, 6], start=30)
    report = report_for(sessions=[session(0)], checkins=checkins)
    assert report.ratings["mood"].recent == 5.0  # day 5 is more than 14 days before day 31
    report = report_for(sessions=[session(0)], checkins=checkins, until=day(20))
    assert report.ratings["mood"].recent == 3.67  # period ends before day 30: window ends at day 5


# Signs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, sign, before, after, fires",
    [
        ("mood", "mood_lifting", [3, 3], [5, 5], True),
        ("mood", "mood_lifting", [3, 3], [5, 4], False),
        ("thoughts", "thought_loops_easing", [8, 8], [6, 6], True),
        ("thoughts", "thought_loops_easing", [8, 8], [7, 6], False),
        ("energy", "energy_returning", [2, 2], [4, 4], True),
        ("motivation", "energy_returning", [2, 2], [4, 4], True),
        ("motivation", "energy_returning", [2, 2], [4, 3], False),
        ("anxiety", "anxiety_easing", [7, 7], [5, 5], True),
        ("anxiety", "anxiety_easing", [7, 7], [6, 5], False),
        ("sleep", "sleep_improving", [4, 4], [6, 6], True),
        ("sleep", "sleep_improving", [4, 4], [5, 6], False),
        ("pain", "pain_easing", [5, 5], [3, 3], True),  # 2 points
        ("pain", "pain_easing", [3, 3], [2, 2], True),  # 67% of baseline
        ("pain", "pain_easing", [4, 4], [3, 3], False),  # 75%, 1 point
        ("pain", "pain_easing", [1, 0, 0], [0, 0], False),  # baseline below 1
    ],
)
def test_rating_signs(name, sign, before, after, fires):
    report = report_for(sessions=[session(0)], checkins=ratings_history(name, before, after))
    assert (sign in ids(report.signs)) is fires


def test_anxiety_easing_from_gad7():
    report = report_for(sessions=[session(0)], surveys=[survey("gad7", -1, 12), survey("gad7", 20, 8)])
    assert "anxiety_easing" in ids(report.signs) and "gad7_improved" in ids(report.signs)
    report = report_for(sessions=[session(0)], surveys=[survey("gad7", -1, 12), survey("gad7", 20, 9)])
    assert "anxiety_easing" not in ids(report.signs)


@pytest.mark.parametrize(
    "before, after, fires",
    [
        ([1, 9, 1, 9], [5, 6, 5, 6], True),
        ([4, 6, 4, 6, 3], [5, 6, 5, 6], False),  # SD 1.14 -> 0.58: a drop of less than 1.0
        ([1, 9, 1, 9], [5, 6], False),  # fewer than 3 recent ratings
    ],
)
def test_mood_steadier(before, after, fires):
    report = report_for(
        sessions=[session(0, hour=23)],
        checkins=series("mood", before, start=-4, step=1) + series("mood", after, start=20),
    )
    assert ("mood_steadier" in ids(report.signs)) is fires


def test_relief_after_sessions_fires_at_one_point_on_average():
    sessions = [session(0), session(10)]
    checkins = [
        checkin(-2, mood=4),
        checkin(1, 8, mood=5),  # session 1: +1 (pre 58 h before, post 22 h after)
        checkin(9, 20, mood=4),
        checkin(11, 9, mood=5),
    ]  # session 2: +1
    assert "relief_after_sessions" in ids(report_for(sessions=sessions, checkins=checkins).signs)


def test_relief_after_sessions_below_threshold_or_out_of_window():
    sessions = [session(0), session(10)]
    half = [checkin(-2, mood=4), checkin(1, 8, mood=5), checkin(9, 20, mood=4), checkin(11, 9, mood=4)]
    assert "relief_after_sessions" not in ids(report_for(sessions=sessions, checkins=half).signs)
    late = [checkin(-2, mood=4), checkin(2, 11, mood=6), checkin(9, 20, mood=4), checkin(11, 9, mood=6)]
    # session 1's after check-in is 49 h later: only one session counts, fewer than 2
    assert "relief_after_sessions" not in ids(report_for(sessions=sessions, checkins=late).signs)
    early = [checkin(-4, mood=4), checkin(1, 8, mood=6), checkin(9, 20, mood=4), checkin(11, 9, mood=6)]
    # session 1's before check-in is 86 h earlier
    assert "relief_after_sessions" not in ids(report_for(sessions=sessions, checkins=early).signs)


@pytest.mark.parametrize(
    "latest, expected",
    [
        (15, {"phq9_improved"}),
        (16, set()),
        (10, {"phq9_improved", "phq9_response"}),
        (11, {"phq9_improved"}),
        (4, {"phq9_improved", "phq9_response", "phq9_remission"}),
        (5, {"phq9_improved", "phq9_response"}),
    ],
)
def test_instrument_signs(latest, expected):
    report = report_for(sessions=[session(0)], surveys=[phq9(-1, 20), phq9(20, latest)])
    assert {i for i in ids(report.signs) if i.startswith("phq9")} == expected


def test_pcl5_improved_at_ten_points_and_never_response():
    report = report_for(sessions=[session(0)], surveys=[survey("pcl5", -1, 50), survey("pcl5", 20, 40)])
    assert {i for i in ids(report.signs) if i.startswith("pcl5")} == {"pcl5_improved"}
    report = report_for(sessions=[session(0)], surveys=[survey("pcl5", -1, 50), survey("pcl5", 20, 41)])
    assert not {i for i in ids(report.signs) if i.startswith("pcl5")}


# Instruments --------------------------------------------------------------------------


def test_instrument_baseline_latest_change_and_count():
    surveys = [phq9(-10, 22), phq9(-1, 20), phq9(10, 12), phq9(20, 9)]
    result = report_for(sessions=[session(0)], surveys=surveys, since=day(5)).instruments["phq9"]
    assert (result.baseline, result.latest, result.change, result.change_pct) == (20, 9, -11, -55.0)
    assert (result.improved, result.worsened, result.response, result.remission) == (True, False, True, False)
    assert result.count == 2 and result.severity == "mild"
    assert result.baseline_at.startswith("2026-02-28")


def test_single_score_has_no_pair_and_zero_baseline_has_no_percentage():
    result = report_for(surveys=[phq9(1, 10)]).instruments["phq9"]
    assert result.change is None and result.improved is None
    result = report_for(sessions=[session(0)], surveys=[phq9(-1, 0), phq9(5, 3)]).instruments["phq9"]
    assert result.change == 3 and result.change_pct is None


def test_logged_totals_have_no_mcid():
    result = report_for(sessions=[session(0)], surveys=[survey("MADRS", -1, 30), survey("MADRS", 9, 12)]).instruments[
        "MADRS"
    ]
    assert result.change == -18 and result.improved is None and result.response is None


# Flags --------------------------------------------------------------------------------


def test_safety_flag_comes_first_with_crisis_resources():
    report = report_for(
        sessions=FOUR_SESSIONS,
        surveys=[phq9(-1, 20), phq9(10, 22, item9=1)],
        checkins=ratings_history("mood", [5, 5], [2, 2]),
    )
    assert report.flags[0].id == "safety"
    assert "immediate danger" in report.flags[0].detail
    assert report.safety.notice and report.safety.to_json()["crisis_resources"]["immediate_danger"]
    assert report.safety.in_period_positive == {"at": "2026-03-11T09:00+00:00", "answer": 1}


def test_safety_flag_only_while_in_the_period():
    surveys = [phq9(-1, 20, item9=2), phq9(20, 10)]
    assert "safety" in ids(report_for(sessions=[session(0)], surveys=surveys).flags)
    report = report_for(sessions=[session(0)], surveys=surveys, since=day(10))
    assert "safety" not in ids(report.flags) and not report.safety.notice
    # ...but the last answer above 0 is still told, with its date, though it lies before --since
    assert report.safety.last_positive == {"at": "2026-02-28T09:00+00:00", "answer": 2}
    assert report.safety.answers == [{"at": "2026-03-21T09:00+00:00", "answer": 0}]


def test_item9_zero_raises_no_flag():
    assert "safety" not in ids(report_for(surveys=[phq9(1, 27 - 3, item9=0)]).flags)


def test_reassess_after_four_sessions_without_improvement():
    checkins = ratings_history("mood", [4, 4], [5, 5])
    report = report_for(sessions=FOUR_SESSIONS, checkins=checkins)
    flag = next(f for f in report.flags if f.id == "reassess")
    assert "dose, frequency or route" in flag.detail
    assert "reassess" not in ids(report_for(sessions=FOUR_SESSIONS[:3], checkins=checkins).flags)
    improving = ratings_history("mood", [4, 4], [6, 6])
    assert "reassess" not in ids(report_for(sessions=FOUR_SESSIONS, checkins=improving).flags)
    assert "reassess" not in ids(report_for(sessions=FOUR_SESSIONS).flags)  # nothing to compare


def test_reassess_counts_instrument_improvement():
    surveys = [phq9(-1, 20), phq9(20, 15)]
    assert "reassess" not in ids(report_for(sessions=FOUR_SESSIONS, surveys=surveys).flags)
    surveys = [phq9(-1, 20), phq9(20, 16)]
    assert "reassess" in ids(report_for(sessions=FOUR_SESSIONS, surveys=surveys).flags)


@pytest.mark.parametrize(
    "scores, fires",
    [
        ([20, 10, 15], True),  # response at 10, back up by the MCID of 5
        ([20, 10, 14], False),  # back up by 4
        ([20, 11, 16], False),  # best never met response
    ],
)
def test_symptom_return(scores, fires):
    surveys = [phq9(-1, scores[0]), phq9(10, scores[1]), phq9(30, scores[2])]
    report = report_for(sessions=[session(0)], surveys=surveys)
    assert ("symptom_return" in ids(report.flags)) is fires
    if fires:
        assert "booster" in next(f for f in report.flags if f.id == "symptom_return").detail


def test_worsening_from_instrument_or_rating():
    assert "worsening" in ids(report_for(sessions=[session(0)], surveys=[phq9(-1, 10), phq9(9, 15)]).flags)
    assert "worsening" not in ids(report_for(sessions=[session(0)], surveys=[phq9(-1, 10), phq9(9, 14)]).flags)
    checkins = ratings_history("thoughts", [3, 3], [5, 5])
    assert "worsening" in ids(report_for(sessions=[session(0)], checkins=checkins).flags)


@pytest.mark.parametrize(
    "before, after, fires",
    [
        ((139, 89), (130, 80), False),
        ((140, 80), None, True),
        ((120, 90), None, True),
        ((120, 80), (141, 85), True),
        (None, (139, 89), False),
    ],
)
def test_blood_pressure_flag(before, after, fires):
    fields = {}
    if before:
        fields.update(bp_before_sys=before[0], bp_before_dia=before[1])
    if after:
        fields.update(bp_after_sys=after[0], bp_after_dia=after[1])
    report = report_for(sessions=[session(0, **fields)])
    assert ("blood_pressure" in ids(report.flags)) is fires
    if fires:
        assert "2026-03-01" in next(f for f in report.flags if f.id == "blood_pressure").detail


@pytest.mark.parametrize(
    "effects, fires",
    [
        ([["nausea"], ["nausea"], [], []], True),  # 2 of 4: half
        ([["nausea"], ["nausea"], [], [], []], False),  # 2 of 5
        ([["nausea"], []], False),  # only 1 session
        ([["nausea"], ["nausea"]], True),
    ],
)
def test_recurring_side_effect(effects, fires):
    sessions = [session(i * 2, side_effects=e) for i, e in enumerate(effects)]
    assert ("recurring_side_effect" in ids(report_for(sessions=sessions).flags)) is fires


# Course, sessions, journal, trends ------------------------------------------------------


def test_course_summary_and_privacy():
    sessions = [session(0, route="iv"), session(3, route="iv"), session(40, route="intranasal")]
    journal = [note(1, "x" * 400), note(2, "short")]
    report = build_report(inputs(sessions=sessions, journal=journal, since=day(2)), private=False)
    assert report.course == {
        "sessions_total": 3,
        "sessions_in_period": 2,
        "first_session": "2026-03-01T10:00+00:00",
        "last_session": "2026-04-10T10:00+00:00",
        "days_since_last_session": 20,
        "routes": {"iv": 1, "intranasal": 1},
    }
    assert report.journal == [{"at": "2026-03-03T21:00+00:00", "text": "short"}]
    assert build_report(inputs(journal=journal), private=True).journal == []
    assert len(build_report(inputs(journal=journal)).journal[0]["text"]) == 300


def test_session_intervals_and_days_mood_stayed_lifted():
    sessions = [session(0), session(10)]
    checkins = [checkin(1, mood=6), checkin(3, mood=6), checkin(5, mood=4), checkin(8, mood=7), checkin(12, mood=4)]
    rows = progress.session_intervals(sessions, checkins, mood_baseline=4.0, now=day(20))
    assert rows[0]["mood_lifted_days"] == 3 and rows[0]["checkins"] == 4
    assert rows[0]["ratings"]["mood"] == 5.75
    assert rows[1]["mood_lifted_days"] == 0
    assert progress.session_intervals(sessions, [], 4.0, day(20))[0]["mood_lifted_days"] is None


def test_trend_rows_merge_ratings_and_instruments():
    rows = progress.trend_rows(
        [
            {
                "period": "2026-03-02",
                "checkins": 3,
                "mood": 5.0,
                "anxiety": None,
                "pain": None,
                "energy": None,
                "motivation": None,
                "sleep": None,
                "thoughts": None,
            }
        ],
        [
            {"period": "2026-03-02", "instrument": "phq9", "mean_total": 12.0},
            {"period": "2026-03-09", "instrument": "phq9", "mean_total": 9.0},
        ],
    )
    assert [r["period"] for r in rows] == ["2026-03-02", "2026-03-09"]
    assert rows[0]["ratings"]["mood"] == 5.0 and rows[1]["instruments"] == {"phq9": 9.0}
