"""The progress engine on real-looking histories: each rule at its threshold, and each scenario that
exposed a dishonest report (issue 12, cases 1-11), as a test that failed before."""

from __future__ import annotations

import pytest
from history import checkin, day, inputs, note, phq9, series, session, survey
from hypothesis import given
from hypothesis import strategies as st

from ketalog.reading.report import build_report
from ketalog.reading.trends import session_intervals, trend_rows

NOW = day(40)
INDUCTION = [session(d) for d in (0, 2, 4, 7, 9, 11)]  # six IV sessions over 11 days


def ids(findings) -> set[str]:
    return {finding.id for finding in findings}


def report_for(**kwargs):
    kwargs.setdefault("now", NOW)
    return build_report(inputs(**kwargs))


def before(name: str, values: list[int]):
    """Check-ins in the 14 days before the course starts (day 0)."""
    return series(name, values, start=-len(values) - 0.5)


def recent(name: str, values: list[int], end=40):
    """Check-ins in the 14 days ending at ``end`` (default: now)."""
    return series(name, values, start=end - len(values) - 0.5)


def mood_course(before_values, recent_values, sessions=INDUCTION, **kwargs):
    return report_for(
        sessions=sessions, checkins=before("mood", before_values) + recent("mood", recent_values), **kwargs
    )


# Daily ratings: windows, minimum check-ins, status ------------------------------------------------


@pytest.mark.parametrize(
    "name, base, now, status",
    [
        ("mood", [3, 3, 3], [5, 5, 5], "better"),
        ("mood", [3, 3, 3], [5, 4, 5, 4], "steady"),  # +1.5
        ("mood", [5, 5, 5], [3, 3, 3], "worse"),
        ("anxiety", [7, 7, 7], [5, 5, 5], "better"),  # lower is better
        ("anxiety", [7, 7, 7], [9, 9, 9], "worse"),
        ("thoughts", [8, 8, 8], [6, 6, 6], "better"),
        ("sleep", [4, 4, 4], [6, 6, 6], "better"),
        ("pain", [2, 2, 2], [4, 4, 4], "worse"),
        ("energy", [4, 4, 4], [5, 5, 5], "steady"),
    ],
)
def test_rating_status_at_two_points(name, base, now, status):
    report = report_for(sessions=INDUCTION, checkins=before(name, base) + recent(name, now))
    assert report.ratings[name].status == status


def test_case_1_check_ins_weeks_old_are_not_the_last_14_days():
    # the only check-ins after treatment are 38-105 days old: nothing is "recent"
    old = series("mood", [8] * 10, start=-65)
    report = report_for(sessions=[session(-70)], checkins=series("mood", [3, 3, 3], -74) + old, now=day(40))
    mood = report.ratings["mood"]
    assert mood.recent is None and mood.status == "insufficient"
    assert "mood_lifting" not in ids(report.signs)
    assert report.last_checkin_days_ago == 96


def test_case_10_better_needs_three_check_ins_in_each_window():
    report = mood_course([3, 3, 3], [8, 8])
    assert report.ratings["mood"].status == "insufficient" and "mood_lifting" not in ids(report.signs)
    assert mood_course([3, 3, 3], [8, 8, 8]).ratings["mood"].status == "better"


def test_rating_baseline_kinds():
    pre = mood_course([3, 3, 3], [6, 6, 6]).ratings["mood"]
    assert (pre.baseline, pre.baseline_kind) == (3, "pre_treatment")
    # only 2 before treatment: the course's first 3 check-ins, labelled early
    early = report_for(
        sessions=INDUCTION,
        checkins=before("mood", [1, 1]) + series("mood", [4, 5, 6, 7], 0.5) + recent("mood", [7, 7, 7]),
    ).ratings["mood"]
    assert (early.baseline, early.baseline_kind) == (5, "early")
    none = report_for(sessions=INDUCTION, checkins=recent("mood", [7, 7])).ratings["mood"]
    assert none.baseline_kind == "insufficient" and none.status == "insufficient"


def test_case_10_without_any_session_there_is_no_baseline_and_no_sign():
    # a Daylio import: years of mood, no session at all
    history = series("mood", [2, 8, 2, 8, 2, 8, 2, 8], -60) + recent("mood", [5, 5, 5, 5, 5])
    report = report_for(checkins=history)
    assert report.signs == [] and report.ratings["mood"].baseline_kind == "none"
    assert report.course.number is None and report.ratings["mood"].recent == 5


# Signs name only what improved ----------------------------------------------------------------------


def test_case_10_energy_alone_is_not_called_energy_and_motivation():
    checkins = (
        before("energy", [2, 2, 2])
        + recent("energy", [5, 5, 5])
        + before("motivation", [3, 3, 3])
        + recent("motivation", [3, 3, 3])
    )
    sign = next(s for s in report_for(sessions=INDUCTION, checkins=checkins).signs if s.id == "energy_returning")
    assert sign.title == "Energy is returning" and "Motivation" not in sign.detail


def test_case_10_pain_easing_follows_the_ratings_rule_only():
    # 2 -> 1 is 50% of baseline but only -1 point: "steady" in the table, so no sign
    report = report_for(sessions=INDUCTION, checkins=before("pain", [2, 2, 2]) + recent("pain", [1, 1, 1]))
    assert report.ratings["pain"].status == "steady" and "pain_easing" not in ids(report.signs)
    report = report_for(sessions=INDUCTION, checkins=before("pain", [5, 5, 5]) + recent("pain", [3, 3, 3]))
    assert "pain_easing" in ids(report.signs)


def test_mood_after_sessions_is_neutral_and_needs_two_sessions():
    checkins = [checkin(-0.5, mood=3), checkin(0.4, mood=5), checkin(1.5, mood=3), checkin(2.4, mood=4)]
    report = report_for(sessions=[session(0), session(2)], checkins=checkins)
    sign = next(s for s in report.signs if s.id == "mood_after_sessions")
    assert sign.title == "Mood after sessions" and "+1.5 points" in sign.detail and "relief" not in sign.detail
    assert "mood_after_sessions" not in ids(report_for(sessions=[session(0)], checkins=checkins[:2]).signs)


# Questionnaires: baselines, comparisons, caseness ----------------------------------------------------


def test_case_3_no_response_or_remission_from_a_baseline_that_was_never_ill():
    report = report_for(
        sessions=INDUCTION, surveys=[phq9(-1, 4), phq9(30, 2), survey("gad7", -1, 9), survey("gad7", 30, 4)]
    )
    phq, gad = report.instruments["phq9"], report.instruments["gad7"]
    assert phq.response is None and phq.remission is None and phq.improved is False
    assert gad.response is None and gad.remission is None and gad.improved is True  # -5 passes the MCID of 4
    assert not {"phq9_response", "phq9_remission", "gad7_response", "gad7_remission"} & ids(report.signs)
    zero = report_for(sessions=INDUCTION, surveys=[phq9(-1, 0), phq9(30, 0)]).instruments["phq9"]
    assert zero.response is None and zero.remission is None


def test_case_3_scores_hours_apart_are_too_soon_to_compare():
    report = report_for(sessions=INDUCTION, surveys=[phq9(-1, 20), survey("phq9", 0.2, 8, [1] * 8 + [0])], now=day(0.5))
    phq = report.instruments["phq9"]
    assert phq.comparison == "too_soon" and phq.change is None and phq.response is None
    assert not ids(report.signs) & {"phq9_response", "phq9_improved"}


def test_case_4_without_a_score_before_treatment_there_is_no_silent_baseline():
    early = report_for(sessions=INDUCTION, surveys=[phq9(3, 20), phq9(30, 8)]).instruments["phq9"]
    assert early.baseline_kind == "early" and early.baseline == 20 and early.response is True
    late = report_for(sessions=INDUCTION, surveys=[phq9(10, 20), phq9(30, 8)]).instruments["phq9"]
    assert late.baseline_kind == "none" and late.baseline is None and late.change is None
    assert late.comparison == "no_baseline" and late.response is None


def test_case_5_a_year_old_score_is_not_the_baseline_of_a_new_course():
    report = report_for(sessions=INDUCTION, surveys=[phq9(-365, 6), phq9(30, 20)])
    phq = report.instruments["phq9"]
    assert phq.baseline is None and phq.change is None and "worsening" not in ids(report.flags)


def test_case_5_a_re_induction_is_its_own_course_and_not_a_return_of_symptoms():
    first = [session(d) for d in (-200, -198, -196)]
    again = [session(0, new_course=True), session(2), session(4)]
    surveys = [phq9(-210, 20), phq9(-170, 6), phq9(-2, 18), phq9(30, 8)]
    report = report_for(sessions=first + again, surveys=surveys)
    assert report.course.number == 2 and report.course.courses == 2
    assert report.course.started.startswith("2026-03-01")
    phq = report.instruments["phq9"]
    assert (phq.baseline, phq.baseline_kind, phq.response) == (18, "pre_treatment", True)
    assert "symptom_return" not in ids(report.flags)


def test_course_phase_induction_then_maintenance_and_longer_for_intranasal():
    assert report_for(sessions=INDUCTION, now=day(20)).course.phase == "induction"
    assert report_for(sessions=INDUCTION, now=day(21)).course.phase == "maintenance"
    spravato = [session(d, route="intranasal") for d in (0, 3, 7, 10)]
    assert report_for(sessions=spravato, now=day(25)).course.phase == "induction"
    assert report_for(sessions=spravato, now=day(28)).course.phase == "maintenance"


# Case 2: mood drifting back, and a response that no longer holds --------------------------------------


def test_case_2_mood_drifting_back_after_the_last_session_is_raised():
    lifted = series("mood", [7] * 14, 12)  # days 12-25: a 14-day mean of 7
    fallen = series("mood", [4, 3, 3, 3, 3, 3, 3], 33)  # the last week
    report = report_for(
        sessions=INDUCTION,
        checkins=before("mood", [3, 3, 2, 3, 3]) + lifted + fallen,
        surveys=[phq9(-1, 20), phq9(21, 8), phq9(39, 15)],
    )
    flag = next(f for f in report.flags if f.id == "mood_returning")
    assert "rose from 2.8 (baseline) to a 14-day mean of 7.0" in flag.detail
    assert "has been 3.1 over the last 7 days" in flag.detail and "last session was 29 days ago" in flag.detail
    assert "phq9_response" not in ids(report.signs)  # 15 is no longer half of 20
    assert "symptom_return" in ids(report.flags)


def test_mood_returning_needs_an_earlier_better_spell_and_two_recent_check_ins():
    never_up = report_for(sessions=INDUCTION, checkins=before("mood", [3, 3, 3]) + series("mood", [4] * 20, 12))
    assert "mood_returning" not in ids(never_up.flags)
    up = before("mood", [3, 3, 3]) + series("mood", [7] * 14, 12)
    # a relapse logged twice a week is flagged (issue 24: three a week were needed, so it never was)
    assert "mood_returning" in ids(report_for(sessions=INDUCTION, checkins=up + series("mood", [3, 3], 37)).flags)
    assert "mood_returning" not in ids(report_for(sessions=INDUCTION, checkins=up + series("mood", [3], 38)).flags)


# Case 7: how long mood stays up, counted across sessions ------------------------------------------------


def test_case_7_durability_is_not_capped_by_the_gap_between_sessions():
    """Sessions cut short by the next one are censored, not dropped: the Kaplan-Meier median uses them."""
    up = series("mood", [7] * 26, 0.5)  # days 0.5 .. 25.5 all up
    down = series("mood", [3, 3, 3], 26.5)  # first day below baseline + 1: day 26
    report = report_for(sessions=INDUCTION, checkins=before("mood", [3, 3, 3]) + up + down, now=day(30))
    rows = report.durability.sessions
    assert [r["status"] for r in rows] == ["censored"] * 5 + ["event"]
    assert {r["until"] for r in rows[:5]} == {"next_session"}
    # check-ins at 20:00 fall on the next calendar day here: the session of 12 March, the first day below 28 March
    assert rows[-1]["days"] == 16 and report.durability.km_median_days == 16
    assert report.durability.events == 1 and report.durability.censored == 5
    assert report.durability.last_session_days_ago == 19


def test_case_7_the_last_session_is_censored_at_its_last_check_in():
    report = report_for(
        sessions=INDUCTION, checkins=before("mood", [3, 3, 3]) + series("mood", [7] * 20, 11.5), now=day(31)
    )
    last = report.durability.sessions[-1]
    assert (last["status"], last["until"], last["days"]) == ("censored", "last_checkin", 20)
    assert report.durability.km_median_days is None and report.durability.at_least_days == 20
    assert report.durability.no_data == 5  # no check-in between the first five sessions: never counted


def test_durability_counts_no_unobserved_day():
    """Mood 4 at baseline, six sessions, then check-ins of 4 on four days a month later: the median was 28
    though not one check-in was above the threshold."""
    later = [checkin(d, mood=4) for d in (40, 47, 54, 61)]
    report = report_for(sessions=INDUCTION, checkins=before("mood", [4, 4, 4]) + later, now=day(62))
    rows = report.durability.sessions
    # 29 days passed before the first check-in: nothing is known of them, so no drop is dated there
    assert [r["status"] for r in rows] == ["no_data"] * 5 + ["censored"] and rows[-1]["until"] == "gap"
    assert report.durability.km_median_days is None and report.durability.at_least_days is None
    assert report.durability.events == 0
    from ketalog.render.report_rows import durability_line

    assert durability_line(report) is None


def test_a_gap_of_more_than_three_days_ends_what_is_known():
    checkins = before("mood", [3, 3, 3]) + [checkin(d, mood=7) for d in (11.5, 12.5, 20.5)]
    report = report_for(sessions=INDUCTION, checkins=checkins, now=day(25))
    last = report.durability.sessions[-1]
    assert (last["status"], last["until"], last["days"]) == ("censored", "gap", 2)


def test_kaplan_meier_median_and_brookmeyer_crowley_interval():
    from ketalog.reading import durability

    rows = [{"status": "event", "days": d} for d in (2, 3, 4, 5, 6, 8)] + [{"status": "censored", "days": 9}]
    curve = durability.kaplan_meier(rows)
    assert [round(s, 3) for _, s, _ in curve] == [0.857, 0.714, 0.571, 0.429, 0.286, 0.143]
    assert durability.km_median(curve) == 5
    summary = durability.summary(rows, 1)
    assert summary.events == 6 and summary.ci95_days[0] == 3


# Case 6: reassess ---------------------------------------------------------------------------------------


def test_reassess_after_six_sessions_and_three_weeks_with_nothing_improving():
    flat = before("mood", [4, 4, 4]) + recent("mood", [4, 4, 5])
    flag = next(f for f in report_for(sessions=INDUCTION, checkins=flat).flags if f.id == "reassess")
    assert "a usual point to review the plan together with your provider" in flag.detail
    assert "dose" not in flag.detail
    assert "reassess" not in ids(report_for(sessions=INDUCTION[:5], checkins=flat).flags)  # 5 sessions
    assert "reassess" not in ids(report_for(sessions=INDUCTION, checkins=flat, now=day(20)).flags)  # 20 days
    assert "reassess" not in ids(report_for(sessions=INDUCTION, checkins=recent("mood", [4, 4, 4])).flags)


def test_case_6_reassess_never_beside_remission_or_a_clinician_scale_response():
    flat = before("mood", [4, 4, 4]) + recent("mood", [4, 4, 4])
    remitted = report_for(sessions=INDUCTION, checkins=flat, surveys=[phq9(-1, 12), phq9(30, 3)])
    assert "phq9_remission" in ids(remitted.signs) and "reassess" not in ids(remitted.flags)
    madrs = report_for(sessions=INDUCTION, checkins=flat, surveys=[survey("madrs", -1, 34), survey("madrs", 30, 8)])
    assert madrs.instruments["madrs"].response is True and "reassess" not in ids(madrs.flags)
    some = report_for(sessions=INDUCTION, checkins=flat, surveys=[phq9(-1, 20), phq9(30, 16)])  # -20%: some
    assert "reassess" not in ids(some.flags)


def test_case_6_esketamine_is_not_reassessed_at_session_four():
    spravato = [session(d, route="intranasal") for d in (0, 3, 7, 10, 14, 17, 21)]
    flat = before("mood", [4, 4, 4]) + recent("mood", [4, 4, 4])
    assert "reassess" not in ids(report_for(sessions=spravato[:4], checkins=flat).flags)
    assert "reassess" not in ids(report_for(sessions=spravato, checkins=flat).flags)  # 7 sessions
    eight = spravato + [session(24, route="intranasal")]
    assert "reassess" in ids(report_for(sessions=eight, checkins=flat).flags)


# Case 8: blood pressure and heart rate ---------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"bp_after_sys": 142, "bp_after_dia": 88}, set()),  # a normal rise after dosing
        ({"bp_after_sys": 160, "bp_after_dia": 95}, {"blood_pressure"}),
        ({"bp_after_sys": 150, "bp_after_dia": 100}, {"blood_pressure"}),
        ({"bp_before_sys": 140, "bp_before_dia": 90}, set()),  # the label says "> 140/90"
        ({"bp_before_sys": 141, "bp_before_dia": 85}, {"blood_pressure"}),
        ({"bp_before_sys": 130, "bp_before_dia": 91}, {"blood_pressure"}),
        ({"bp_after_sys": 196, "bp_after_dia": 122}, {"blood_pressure_very_high"}),
        ({"bp_before_sys": 170, "bp_before_dia": 120}, {"blood_pressure_very_high"}),
        ({"heart_rate": 120}, {"heart_rate"}),
        ({"heart_rate": 119}, set()),
        ({"heart_rate": 49}, {"heart_rate"}),
        ({"heart_rate": 50}, set()),
    ],
)
def test_case_8_vitals_have_levels(fields, expected):
    flags = ids(report_for(sessions=[session(0, **fields)]).flags)
    assert flags & {"blood_pressure", "blood_pressure_very_high", "heart_rate"} == expected


def test_case_8_a_crisis_reading_comes_first_after_safety_with_the_emergency_symptoms():
    report = report_for(
        sessions=[
            session(0, bp_after_sys=196, bp_after_dia=122, side_effects=["nausea"]),
            session(2, side_effects=["nausea"]),
        ],
        surveys=[phq9(1, 10, item9=1)],
    )
    assert [f.id for f in report.flags][:2] == ["safety", "blood_pressure_very_high"]
    detail = report.flags[1].detail
    assert "chest pain" in detail and "emergency care" in detail and "visual disturbances" in detail


# Case 9: bladder and dissociation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    [
        {"sessions": [session(0, side_effects=["bladder"])]},
        {"sessions": [session(0, note="some blood in urine after")]},
        {"sessions": [session(0)], "checkins": [checkin(1, mood=5, note="peeing every hour, it stings")]},
        {"sessions": [session(0)], "journal": [note(2, "Urinary urgency is new")]},
    ],
)
def test_case_9_bladder_symptoms_are_raised_at_the_first_mention(where):
    flag = next(f for f in report_for(**where).flags if f.id == "bladder")
    assert "ketamine-associated uropathy" in flag.detail and "2026-03-0" in flag.detail


def test_bladder_mentions_before_the_first_session_do_not_raise_the_flag_but_are_counted_beside_one():
    """Years of another app's notes come in as the baseline; ketamine cannot have caused what they say."""
    baseline = [checkin(-400, mood=4, note="had to pee really bad"), note(-30, "want to fix bladder problem")]
    before_only = report_for(sessions=[session(0)], checkins=baseline[:1], journal=baseline[1:])
    assert "bladder" not in ids(before_only.flags)
    assert "bladder" not in ids(report_for(checkins=baseline[:1], journal=baseline[1:]).flags)  # no session yet
    later = report_for(sessions=[session(0, side_effects=["bladder"])], checkins=baseline[:1], journal=baseline[1:])
    detail = next(f for f in later.flags if f.id == "bladder").detail
    assert detail.startswith("2026-03-01 (side effect). Ketamine can affect the bladder")  # the session's alone
    assert detail.endswith("Also mentioned 2 times before the first session (latest 2026-01-30).")


def test_bladder_words_do_not_fire_on_unrelated_text():
    report = report_for(sessions=[session(0, note="super pleased, urban walk")], journal=[note(1, "Peer support")])
    assert "bladder" not in ids(report.flags)


def test_case_9_dissociation_rising_is_raised():
    rising = [session(d, dissociation=v) for d, v in zip((0, 2, 4, 7, 9, 11), (2, 2, 3, 6, 8, 10), strict=True)]
    flag = next(f for f in report_for(sessions=rising).flags if f.id == "dissociation_rising")
    assert "averaged 8.0" in flag.detail and "first 3 2.3" in flag.detail
    steady = [session(d, dissociation=5) for d in (0, 2, 4, 7)]
    assert "dissociation_rising" not in ids(report_for(sessions=steady).flags)


# Case 11 and wording: time, the course summary, honest emptiness -----------------------------------------


def test_case_11_since_never_hides_the_last_session():
    report = report_for(sessions=INDUCTION, since=day(20))
    assert report.course.sessions_in_period == 0
    assert report.course.last_session.startswith("2026-03-12") and report.course.days_since_last_session == 29


def test_case_11_days_ago_counts_calendar_days():
    late = [session(0, hour=22)]
    assert report_for(sessions=late, now=day(1, hour=12)).course.days_since_last_session == 1
    assert report_for(sessions=late, now=day(0, hour=23)).course.days_since_last_session == 0


def test_nothing_flagged_only_when_there_was_data_to_judge():
    from ketalog.render import report_rows as rr

    empty = report_for()
    assert not empty.judged and rr.flags_empty_text(empty) == "Not enough data to judge yet."
    judged = report_for(sessions=INDUCTION, checkins=before("mood", [4, 4, 4]) + recent("mood", [5, 5, 5]), now=day(15))
    assert judged.judged and judged.flags == [] and rr.flags_empty_text(judged) == "Nothing flagged."


def test_worsening_and_symptom_return_wording_gives_no_directive():
    report = report_for(
        sessions=INDUCTION,
        surveys=[phq9(-1, 20), phq9(15, 8), phq9(35, 16)],
        checkins=before("mood", [6, 6, 6]) + recent("mood", [3, 3, 3]),
    )
    texts = " ".join(f.detail for f in report.flags)
    assert "symptom_return" in ids(report.flags) and "worsening" in ids(report.flags)
    assert "booster" not in texts and "dose, frequency or route" not in texts


# Safety (item 9) ------------------------------------------------------------------------------------------


def test_safety_flag_comes_first_with_crisis_resources():
    report = report_for(sessions=INDUCTION, surveys=[phq9(-1, 20), phq9(10, 22, item9=1)])
    assert report.flags[0].id == "safety" and "immediate danger" in report.flags[0].detail
    assert report.safety.notice and report.safety.to_json()["crisis_resources"]["immediate_danger"]
    assert report.safety.in_period_positive == {"at": "2026-03-11T09:00+00:00", "answer": 1}


def test_safety_flag_only_while_in_the_period_but_the_last_positive_is_always_told():
    surveys = [phq9(-1, 20, item9=2), phq9(20, 10)]
    assert "safety" in ids(report_for(sessions=[session(0)], surveys=surveys).flags)
    report = report_for(sessions=[session(0)], surveys=surveys, since=day(10))
    assert "safety" not in ids(report.flags) and not report.safety.notice
    assert report.safety.last_positive == {"at": "2026-02-28T09:00+00:00", "answer": 2}
    assert report.safety.answers == [{"at": "2026-03-21T09:00+00:00", "answer": 0}]


def test_item9_zero_raises_no_flag():
    assert "safety" not in ids(report_for(surveys=[phq9(1, 27 - 3, item9=0)]).flags)


# Other rules kept -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "effects, fires",
    [
        ([["nausea"], ["nausea"]], True),
        ([["nausea"], []], False),
        ([["nausea"], [], [], []], False),
        ([["headache"], ["headache"], [], []], True),
    ],
)
def test_recurring_side_effect(effects, fires):
    sessions = [session(i * 2, side_effects=e) for i, e in enumerate(effects)]
    assert ("recurring_side_effect" in ids(report_for(sessions=sessions).flags)) == fires


def test_pcl5_improved_at_ten_points_and_never_response():
    report = report_for(sessions=INDUCTION, surveys=[survey("pcl5", -1, 50), survey("pcl5", 30, 40)])
    pcl = report.instruments["pcl5"]
    assert pcl.improved is True and pcl.response is None and "pcl5_improved" in ids(report.signs)


def test_journal_privacy_and_course_summary():
    report = build_report(inputs(sessions=INDUCTION, journal=[note(3, "x" * 400)], now=NOW), private=True)
    assert report.journal == []
    full = build_report(inputs(sessions=INDUCTION, journal=[note(3, "x" * 400)], now=NOW))
    assert len(full.journal[0]["text"]) == 300
    assert full.course.number == 1 and full.course.sessions_in_course == 6 and full.course.routes == {"iv": 6}


def test_session_intervals_report_durability_per_session():
    checkins = before("mood", [3, 3, 3]) + series("mood", [7, 7, 7], 0.5) + series("mood", [3], 4.5)
    rows = session_intervals([session(0), session(2)], checkins, inputs(sessions=[session(0)]).courses, day(10))
    assert [r["durability"] for r in rows] == ["censored", "event"]
    assert rows[0]["mood_lifted_days"] == 2 and rows[1]["mood_lifted_days"] == 3
    assert rows[0]["ratings"]["mood"] == 7 and rows[0]["checkins"] == 2


def test_trend_rows_merge_ratings_and_instruments():
    rows = trend_rows(
        [
            {
                "period": "2026-03-02",
                "checkins": 2,
                "mood": 4.5,
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
            {"period": "2026-03-09", "instrument": "gad7", "mean_total": 8.0},
        ],
    )
    assert [r["period"] for r in rows] == ["2026-03-02", "2026-03-09"]
    assert rows[0]["ratings"]["mood"] == 4.5 and rows[0]["instruments"] == {"phq9": 12.0}
    assert rows[1]["checkins"] == 0 and rows[1]["instruments"] == {"gad7": 8.0}


def test_a_flag_over_years_names_its_latest_readings_and_counts_the_rest():
    from ketalog.reading.vitals import READINGS_LISTED, blood_pressure_flags

    sessions = [session(7 * n, bp_before_sys=150, bp_before_dia=80) for n in range(12)]
    (flag,) = blood_pressure_flags(sessions)
    listed = flag.detail.split(". Before dosing")[0]
    assert listed.count("before dosing 150/80") == READINGS_LISTED
    assert listed.endswith(f"(and {12 - READINGS_LISTED} earlier)")
    assert f"{sessions[-1].at:%Y-%m-%d}" in listed and f"{sessions[0].at:%Y-%m-%d} " not in listed


@pytest.mark.parametrize(
    "durability, said",
    [
        (
            {"km_median_days": 1, "events": 1, "censored": 0, "last_session_days_ago": 1},
            "Half of the sessions kept mood up for at least 1 day (1 session ended with a dip, 0 still up when "
            "last seen); the last session was yesterday.",
        ),
        (
            {"km_median_days": 3, "events": 4, "censored": 2, "last_session_days_ago": 0},
            "at least 3 days (4 sessions ended with a dip, 2 still up when last seen); the last session was today.",
        ),
        (
            {
                "km_median_days": None,
                "at_least_days": 20,
                "events": 0,
                "censored": 1,
                "last_session_days_ago": 9,
                "last": {"until": "last_checkin", "last_checkin": "2026-03-01", "days": 5},
            },
            "(0 sessions ended with a dip, 1 still up when last seen). After the last session mood was still up "
            "at the last check-in (2026-03-01, 5 days after it); no check-in since; the last session was 9 days ago.",
        ),
    ],
)
def test_durability_is_said_in_plain_counts(durability, said):
    from types import SimpleNamespace

    from ketalog.reading.model import Durability
    from ketalog.render.report_rows import durability_line

    facts = Durability(**durability)
    assert durability_line(SimpleNamespace(durability=facts, generated_at="2026-03-10T10:00")).endswith(said)


def _trailing_means_by_definition(readings, window):
    """The rule as written in docs/progress-rules.md, one window at a time (the reference for the fast one)."""
    from datetime import timedelta

    from ketalog.reading.rules import MIN_CHECKINS

    means = []
    for index, (at, _) in enumerate(readings):
        inside = [(when, value) for when, value in readings[: index + 1] if when > at - window]
        days = {when.date() for when, _ in inside}
        if len(inside) >= MIN_CHECKINS and min(days) <= at.date() - timedelta(days=2) and len(days) >= MIN_CHECKINS:
            means.append((at, round(sum(value for _, value in inside) / len(inside), 2)))
    return means


@given(st.lists(st.tuples(st.integers(0, 60 * 24 * 40), st.integers(0, 10)), max_size=60))
def test_trailing_means_slide_exactly_as_the_rule_reads(points):
    from datetime import datetime, timedelta, timezone

    from ketalog.reading.rules import WINDOW
    from ketalog.reading.windows import trailing_means

    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    readings = sorted((start + timedelta(minutes=m), value) for m, value in points)
    assert trailing_means(readings, WINDOW) == _trailing_means_by_definition(readings, WINDOW)
