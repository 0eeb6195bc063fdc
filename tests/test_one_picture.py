"""One picture of the course (issue 24): findings that never contradict each other, `reassess` only where
the rules allow it, and outcome windows that read the right days. Each scenario of the clinical audit that
this round covers is a test here; a property test then holds the reconciliation invariants on random
courses."""

from __future__ import annotations

from datetime import timedelta

from history import checkin, day, inputs, phq9, series, session, survey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketalog.reading.report import build_report

INDUCTION = [session(d) for d in (0, 2, 4, 7, 9, 11)]


def ids(findings) -> set[str]:
    return {finding.id for finding in findings}


def report(now: float, **kwargs):
    return build_report(inputs(now=day(now), **kwargs))


# 1. Contradictions -------------------------------------------------------------------------------


def test_a_rise_then_a_fall_is_one_statement_carried_by_the_return_flag():
    """'Your mood is lifting' (14 days) beside 'Mood has drifted back' (7 days) said two opposite things."""
    checkins = series("mood", [3, 3, 3], -3.5) + series("mood", [8] * 7, 26.5) + series("mood", [3] * 7, 33.5)
    result = report(40, sessions=INDUCTION, checkins=checkins)
    assert "mood_returning" in ids(result.flags)
    assert not ids(result.signs) & {"mood_lifting", "mood_steadier"}
    returning = next(f for f in result.flags if f.id == "mood_returning")
    assert "rose from 3" in returning.detail and "has been 3" in returning.detail


def test_anxiety_easing_never_stands_beside_gad7_symptoms_returning():
    scores = [survey("gad7", -2, 16), survey("gad7", 14, 5), survey("gad7", 35, 12)]
    result = report(40, sessions=INDUCTION, surveys=scores)
    assert "symptom_return" in ids(result.flags)
    assert not ids(result.signs) & {"anxiety_easing", "gad7_improved", "gad7_response", "gad7_remission"}


def test_the_picture_holds_one_trajectory_per_measure_with_dates_and_counts():
    """Baseline -> best -> latest, each dated and counted, and the return flag tells the same numbers."""
    checkins = series("mood", [3, 3, 3], -3.5) + series("mood", [8] * 7, 26.5) + series("mood", [3] * 7, 33.5)
    scores = [phq9(-1, 18), phq9(14, 6), phq9(35, 15)]
    result = report(40, sessions=INDUCTION, checkins=checkins, surveys=scores)
    mood = result.picture.trajectories["mood"]
    assert (mood.baseline.value, mood.baseline.readings, mood.baseline_kind) == (3, 3, "pre_treatment")
    assert (mood.best.value, mood.best.readings, mood.best.at.date()) == (8, 3, day(28.5, 20).date())
    assert (mood.latest.value, mood.latest.readings) == (5.5, 14)
    assert result.picture.observed["mood"] == {
        "days": 14,
        "first": day(26.5, 20).date().isoformat(),
        "last": day(39.5, 20).date().isoformat(),
        "longest_gap_days": 0,
    }
    returning = next(f for f in result.flags if f.id == "mood_returning")
    assert f"mean of {mood.best.value:.1f} by {mood.best.at.date()}" in returning.detail
    phq = result.picture.trajectories["phq9"]
    assert (phq.baseline.value, phq.best.value, phq.latest.value, phq.higher_is_better) == (18, 6, 15, False)
    assert "symptom_return" in ids(result.flags)
    assert result.to_json()["picture"]["trajectories"]["phq9"]["best"]["at"].startswith(day(14).date().isoformat())


def test_the_picture_counts_only_days_with_a_reading():
    checkins = series("mood", [4, 4, 4], -3.5) + [checkin(30, mood=4), checkin(45, mood=4)]
    observed = report(50, sessions=INDUCTION, checkins=checkins).picture.observed["mood"]
    assert observed["days"] == 2 and observed["longest_gap_days"] == 14


def test_no_best_is_read_across_an_unmarked_gap():
    sessions = INDUCTION + [session(400), session(402)]
    checkins = series("mood", [2, 2, 2], -3.5) + series("mood", [9] * 10, 13) + series("mood", [3] * 5, 403)
    mood = report(410, sessions=sessions, checkins=checkins).picture.trajectories["mood"]
    assert mood.best is None or mood.best.at >= day(400)


# 2. reassess ----------------------------------------------------------------------------------------


def test_no_reassess_for_a_responder_who_stopped_checking_in():
    """Mood 2 before, six infusions, mood 8 for 15 days, then nothing (the person felt well): 41 days after
    the last session the report said 'no clear improvement yet' -- a responder shown as a non-responder."""
    checkins = series("mood", [2, 2, 2], -3.5) + series("mood", [8] * 15, 12)
    result = report(52, sessions=INDUCTION, checkins=checkins)
    assert "reassess" not in ids(result.flags)


def test_no_reassess_at_the_floor():
    """PHQ-9 0 -> 0 has nothing to improve: a measure below its floor is no evidence either way."""
    result = report(25, sessions=INDUCTION, surveys=[phq9(-1, 0), phq9(20, 0)])
    assert "reassess" not in ids(result.flags)


def test_reassess_in_the_early_window_with_a_current_measurement_and_no_improvement_ever():
    checkins = series("mood", [3, 3, 3], -3.5) + series("mood", [3] * 10, 14.5)
    result = report(25, sessions=INDUCTION, checkins=checkins, surveys=[phq9(-1, 18), phq9(20, 17)])
    assert "reassess" in ids(result.flags)


def test_no_reassess_after_the_early_window():
    later = INDUCTION + [session(d) for d in (30, 45)]
    checkins = series("mood", [3, 3, 3], -3.5) + series("mood", [3] * 10, 59.5)
    result = report(70, sessions=later, checkins=checkins, surveys=[phq9(-1, 18), phq9(66, 17)])
    assert "reassess" not in ids(result.flags)


def test_no_reassess_without_a_current_measurement():
    result = report(40, sessions=INDUCTION, surveys=[phq9(-1, 18), phq9(14, 17)])  # the last score is 26 days old
    assert "reassess" not in ids(result.flags)


def test_no_reassess_when_improvement_was_seen_earlier_in_the_course():
    scores = [phq9(-1, 18), phq9(10, 12), phq9(24, 17)]  # a 33% fall on day 10, lost by day 24
    result = report(28, sessions=INDUCTION, surveys=scores)
    assert "reassess" not in ids(result.flags)


# 5. Windows ------------------------------------------------------------------------------------------


def test_check_ins_in_the_hours_after_a_dose_are_not_outcome():
    """Mood 6 hours after a dose is the drug's acute effect, not the antidepressant outcome."""
    sessions = [session(d) for d in (0, 2, 4, 7, 9, 11, 28, 30, 32, 35, 37)]
    acute = [checkin(d, hour=16, mood=9) for d in (28, 30, 32, 35, 37)]
    checkins = series("mood", [3, 3, 3], -3.5) + series("mood", [3] * 6, 27.5, step=2, hour=22) + acute
    result = report(40, sessions=sessions, checkins=checkins)
    assert result.ratings["mood"].recent == 3 and "mood_lifting" not in ids(result.signs)


def test_the_recent_window_never_reaches_before_the_course_start():
    """On day 1, three pre-treatment check-ins and two after the first dose made 'Your mood is lifting'."""
    checkins = series("mood", [2, 2, 2], -3.5) + [checkin(0.9, mood=8), checkin(1.2, mood=8)]
    result = report(1.5, sessions=[session(0)], checkins=checkins)
    assert result.ratings["mood"].status == "insufficient" and "mood_lifting" not in ids(result.signs)


def test_the_recent_window_is_clipped_to_the_period():
    """--since last-visit: 'the last 14 days' were computed from days before the visit."""
    checkins = series("mood", [3, 3, 3], -3.5) + series("mood", [8, 8, 8], 30.5) + series("mood", [3, 3, 3], 36.5)
    result = build_report(inputs(now=day(40), since=day(36), sessions=INDUCTION, checkins=checkins))
    assert result.ratings["mood"].recent == 3 and "mood_lifting" not in ids(result.signs)


# Invariants over random courses ------------------------------------------------------------------

POSITIVE_FOR = {
    "mood_lifting": {"mood"},
    "mood_steadier": {"mood"},
    "thought_loops_easing": {"thoughts"},
    "anxiety_easing": {"anxiety", "gad7"},
    "pain_easing": {"pain"},
    "sleep_improving": {"sleep"},
}
IMPROVEMENTS = ("improved", "response", "remission")


def positives(result) -> dict[str, set[str]]:
    found = {}
    for sign in result.signs:
        if sign.id in POSITIVE_FOR:
            found[sign.id] = POSITIVE_FOR[sign.id]
        elif sign.id.rsplit("_", 1)[-1] in IMPROVEMENTS:
            instrument = sign.id.rsplit("_", 1)[0]
            found[sign.id] = {instrument} | ({"anxiety"} if instrument == "gad7" else set())
    return found


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    session_days=st.lists(st.integers(0, 70), min_size=1, max_size=12, unique=True),
    moods=st.lists(st.tuples(st.integers(-14, 80), st.integers(0, 10)), max_size=60),
    anxieties=st.lists(st.tuples(st.integers(-14, 80), st.integers(0, 10)), max_size=30),
    phq=st.lists(st.tuples(st.integers(-14, 80), st.integers(0, 24)), max_size=6),  # item 9 at 0: up to 24
    gad=st.lists(st.tuples(st.integers(-14, 80), st.integers(0, 21)), max_size=6),
    now=st.integers(1, 90),
)
def test_findings_never_contradict_on_any_course(session_days, moods, anxieties, phq, gad, now):
    sessions = [session(d) for d in sorted(session_days) if d < now]
    checkins = [checkin(d + 0.4, mood=v) for d, v in moods if d + 0.4 < now]
    checkins += [checkin(d + 0.45, anxiety=v) for d, v in anxieties if d + 0.45 < now]
    surveys = [phq9(d, v) for d, v in phq if d < now] + [survey("gad7", d, v) for d, v in gad if d < now]
    result = report(now, sessions=sessions, checkins=checkins, surveys=surveys)
    flags = ids(result.flags)
    negative: set[str] = set()
    if "mood_returning" in flags:
        negative.add("mood")
    for flag in result.flags:
        if flag.id == "symptom_return":
            negative |= {"gad7", "anxiety"} if flag.title.startswith("GAD-7") else {"phq9"}
        if flag.id == "worsening":
            title = flag.title.lower()
            negative |= {name for name in ("mood", "anxiety", "thoughts", "pain", "sleep") if name in title}
            negative |= {"phq9"} if "PHQ-9" in flag.title else set()
            negative |= {"gad7", "anxiety"} if "GAD-7" in flag.title else set()
    for sign, dimensions in positives(result).items():
        assert not dimensions & negative, (sign, flags)
    if "reassess" in flags:
        assert not flags & {"symptom_return", "mood_returning"}
        assert not any(p for p in positives(result))
    # every finding reads the picture: a return has a best in it, reassess has no best that was better
    picture = result.picture
    mood = picture.trajectories["mood"]
    if "mood_returning" in flags:
        assert mood.best is not None and mood.best.value >= mood.baseline.value + 2
    if "reassess" in flags:
        for name, trajectory in picture.trajectories.items():
            if trajectory.kind == "rating" and trajectory.best and trajectory.baseline:
                gain = trajectory.best.value - trajectory.baseline.value
                assert (gain if trajectory.higher_is_better else -gain) < 2, name
    # a day nobody logged is never observed
    logged = {c.at.date() for c in checkins if c.mood is not None and picture.start and c.at >= picture.start}
    assert picture.observed["mood"]["days"] == len(logged)


# 4. Clinician scales are first-class ------------------------------------------------------------------


def test_madrs_10_to_10_is_no_remission():
    result = report(25, sessions=INDUCTION, surveys=[survey("madrs", -1, 10), survey("madrs", 20, 10)])
    assert "madrs_remission" not in ids(result.signs) and result.instruments["madrs"].remission is None


def test_madrs_20_to_40_is_a_worsening():
    result = report(25, sessions=INDUCTION, surveys=[survey("madrs", -1, 20), survey("madrs", 20, 40)])
    assert "worsening" in ids(result.flags) and "MADRS" in next(f.title for f in result.flags if f.id == "worsening")


def test_madrs_34_8_30_is_a_return():
    scores = [survey("madrs", -1, 34), survey("madrs", 12, 8), survey("madrs", 30, 30)]
    result = report(33, sessions=INDUCTION, surveys=scores)
    assert "symptom_return" in ids(result.flags) and not ids(result.signs) & {"madrs_response", "madrs_remission"}


def test_a_fall_in_dissociation_is_not_improvement_and_never_silences_reassess():
    scores = [phq9(-1, 18), phq9(20, 17), survey("cadss", 0, 30), survey("cadss", 20, 10)]
    checkins = series("mood", [3, 3, 3], -3.5) + series("mood", [3] * 10, 14.5)
    result = report(25, sessions=INDUCTION, checkins=checkins, surveys=scores)
    assert result.instruments["cadss"].some_improvement is None and "reassess" in ids(result.flags)


def test_an_unknown_scale_changes_with_no_verdict():
    result = report(25, sessions=INDUCTION, surveys=[survey("WHO-5", -1, 60), survey("WHO-5", 20, 28)])
    who = result.instruments["WHO-5"]
    assert who.change == -32 and who.some_improvement is None and who.improved is None and who.worsened is None


def test_hdrs_and_hrsd_are_ham_d():
    from ketalog.instruments import normalise_id

    assert {normalise_id(name) for name in ("HDRS", "HRSD", "HAMD", "HAM-D17", "hdrs17")} == {"hamd17"}


def test_pcl5_is_compared_only_a_month_after_its_baseline():
    early = report(20, sessions=INDUCTION, surveys=[survey("pcl5", -1, 50), survey("pcl5", 8, 30)])
    assert early.instruments["pcl5"].comparison == "too_soon"
    later = report(40, sessions=INDUCTION, surveys=[survey("pcl5", -1, 50), survey("pcl5", 35, 30)])
    assert later.instruments["pcl5"].comparison == "compared"


# Gaps and item 9 -------------------------------------------------------------------------------------


def test_a_skipped_item_9_is_a_flag_in_the_safety_position_without_the_crisis_panel():
    skipped = phq9(20, 10)
    skipped.answers = [2, 2, 2, 2, 1, 1, 0, 0, None]
    result = report(25, sessions=INDUCTION, surveys=[phq9(-1, 12), skipped])
    assert result.flags[0].id == "safety_unanswered" and "2026-03-21" in result.flags[0].detail
    assert not result.safety.notice


def test_a_logged_phq9_total_says_item_9_is_not_known():
    from ketalog.render.report_rows import item9_line

    result = report(25, sessions=INDUCTION, surveys=[survey("phq9", 20, 21)])
    assert result.safety.not_known and "item 9 not known" in item9_line(result)


def test_an_unmarked_long_gap_is_said_first_and_nothing_across_it_is_a_return():
    """A re-induction 383 days later, not marked: the old baseline stayed and 'symptoms may be returning'."""
    sessions = INDUCTION + [session(d) for d in (394, 396, 398)]
    scores = [phq9(-1, 20), phq9(14, 6), phq9(399, 16)]
    result = report(400, sessions=sessions, surveys=scores)
    assert result.flags[0].id == "long_gap" and "383-day gap" in result.flags[0].title
    assert "--new-course" in result.flags[0].detail and "symptom_return" not in ids(result.flags)


# 7. Smaller, each reproduced ------------------------------------------------------------------------


def test_fourteen_hours_across_time_zones_is_one_day_ago_not_two():
    from datetime import datetime, timedelta, timezone

    from ketalog.courses import days_between

    session_at = datetime(2026, 3, 1, 22, 0, tzinfo=timezone(timedelta(hours=-8)))  # 06:00 UTC on 2 March
    now = session_at.astimezone(timezone(timedelta(hours=9))) + timedelta(hours=14)  # 05:00 on 3 March, +09:00
    assert days_between(session_at, now) == 1


def test_the_baseline_score_is_called_the_baseline_not_too_soon():
    result = report(25, sessions=INDUCTION, surveys=[phq9(-1, 18)])
    assert result.instruments["phq9"].comparison == "is_baseline"


def test_reassess_counts_the_span_of_the_sessions_not_the_days_to_now():
    checkins = series("mood", [3, 3, 3], -3.5) + series("mood", [3] * 10, 14.5)
    result = report(25, sessions=INDUCTION, checkins=checkins, surveys=[phq9(-1, 18), phq9(20, 17)])
    flag = next(f for f in result.flags if f.id == "reassess")
    assert "6 sessions over 11 days" in flag.detail and "now 25 days in" in flag.detail


def test_findings_give_ratings_to_one_decimal_like_the_table():
    checkins = series("mood", [2, 3, 3], -3.5) + series("mood", [7, 7, 6], 36.5)
    sign = next(s for s in report(40, sessions=INDUCTION, checkins=checkins).signs if s.id == "mood_lifting")
    assert "Mood 2.7 at baseline" in sign.detail and "6.7 over the last 14 days (+4.0)" in sign.detail


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    moods=st.lists(st.tuples(st.integers(-14, 60), st.integers(0, 10)), min_size=3, max_size=60),
    now=st.integers(20, 70),
)
def test_no_finding_gives_a_number_to_more_than_one_decimal(moods, now):
    """A baseline of 2.83 read "2.83" in one line and "2.8" in the table beside it."""
    import re

    checkins = [checkin(d + 0.4, mood=v) for d, v in moods if d + 0.4 < now]
    result = report(now, sessions=[s for s in INDUCTION if s.at < day(now)], checkins=checkins)
    for finding in (*result.signs, *result.flags):
        assert not re.search(r"\d\.\d\d", finding.detail), finding.detail


# 6. Imported baselines carry their provenance -----------------------------------------------------------


def imported(values: list[int], start: float, source: str = "daylio"):
    rows = series("mood", values, start)
    for row in rows:
        row.source = source
    return rows


def test_a_baseline_from_another_apps_scale_is_labelled_and_not_compared():
    """A Daylio history (5 levels mapped to 0/2/5/8/10) became the baseline; ketalog ratings of 6-7 then read
    'Something has got worse: Mood'."""
    checkins = imported([8, 8, 10, 8], -4.5) + series("mood", [6, 6, 7], 36.5)
    result = report(40, sessions=INDUCTION, checkins=checkins)
    assert result.ratings["mood"].baseline_source == "daylio" and result.ratings["mood"].status == "different_scale"
    assert "worsening" not in ids(result.flags) and "mood_lifting" not in ids(result.signs)


def test_a_confirmed_scale_is_compared():
    from dataclasses import replace

    checkins = imported([8, 8, 10, 8], -4.5) + series("mood", [4, 4, 5], 36.5)
    trusted = replace(inputs(now=day(40), sessions=INDUCTION, checkins=checkins), trusted_sources=frozenset({"daylio"}))
    result = build_report(trusted)
    assert result.ratings["mood"].status == "worse" and "worsening" in ids(result.flags)


def test_import_marks_where_check_ins_came_from(cli, db_path, tmp_path):
    from helpers import rows

    path = tmp_path / "d.csv"
    path.write_text(
        "full_date,date,weekday,time,mood,activities,note_title,note\n2026-03-01,Mar 1,Sunday,20:00,good,,,\n"
    )
    cli("import", str(path))
    cli("checkin", "--mood", "6")
    assert sorted(rows(db_path, "SELECT source FROM checkins"), key=str) == [("daylio",), (None,)]


def test_the_report_names_where_an_imported_baseline_came_from():
    from ketalog.render.report_rows import rating_note

    checkins = imported([8, 8, 10, 8], -4.5) + series("mood", [6, 6, 7], 36.5)
    note = rating_note(report(40, sessions=INDUCTION, checkins=checkins))
    assert "Baselines from Daylio (5 levels mapped to 0, 2, 5, 8, 10)" in note and "trust-imported-scale" in note


@settings(max_examples=150, deadline=None)
@given(
    session_days=st.lists(st.integers(0, 60), min_size=1, max_size=10, unique=True),
    moods=st.lists(st.tuples(st.floats(0.2, 70), st.integers(0, 10)), max_size=50),
    baseline=st.floats(0, 9),
)
def test_durability_never_counts_a_day_nobody_logged(session_days, moods, baseline):
    """Every event and censored time rests on a logged outcome day; no_data only where nothing was logged."""
    from ketalog.reading import durability

    sessions = [session(d) for d in sorted(session_days)]
    readings = sorted((day(d, 20), v) for d, v in moods)
    rows = durability.per_session(sessions, readings, baseline)
    threshold = baseline + durability.LIFT_MARGIN
    for index, (s, row) in enumerate(zip(sessions, rows, strict=True)):
        following = sessions[index + 1].at if index + 1 < len(sessions) else None
        window = [
            (at, v)
            for at, v in readings
            if at >= s.at + durability.ACUTE_AFTER and (following is None or at < following)
        ]
        days = durability.daily_means(window)
        if row["status"] == "no_data":
            assert not window
            continue
        assert window
        target = s.at.date() + timedelta(days=row["days"])
        if row["status"] == "event":
            assert days.get(target) is not None and days[target] < threshold
        else:  # censored: the last day known to be up, or the session's own day when none was
            assert row["days"] == 0 or days[target] >= threshold
            assert all(v >= threshold for d, v in days.items() if d <= target)


def test_every_finding_id_in_the_code_is_in_the_rules_document_and_back():
    """docs/progress-rules.md is the rules as a clinician reads them: every sign and flag id, both ways."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    code = "\n".join(path.read_text() for path in sorted((root / "ketalog" / "reading").glob("*.py")))
    in_code = {
        name.replace("{instrument_id}", "<instrument>") for name in re.findall(r'Finding\(\s*f?"([a-z0-9_{}]+)"', code)
    }
    doc = (root / "docs" / "progress-rules.md").read_text()
    sections = doc.split("## Signs of progress", 1)[1].split("## One picture", 1)[0]
    in_doc = set(re.findall(r"^\| `([a-z0-9_<>]+)` \|", sections, re.MULTILINE))
    assert in_code == in_doc, (in_code - in_doc, in_doc - in_code)


def test_steadiness_is_not_compared_across_scales_either():
    base = imported([2, 10, 5, 8, 0, 10], -6.5)  # five mapped levels spread wide
    checkins = base + series("mood", [6, 6, 6, 6], 35.5)
    result = report(40, sessions=INDUCTION, checkins=checkins)
    assert result.ratings["mood"].status == "different_scale" and "mood_steadier" not in ids(result.signs)


def test_an_unknown_scale_with_a_direction_given_once_is_judged():
    from dataclasses import replace

    scores = [survey("WHO-5", -1, 60), survey("WHO-5", 20, 28)]
    directed = replace(inputs(now=day(25), sessions=INDUCTION, surveys=scores), scale_directions={"WHO-5": True})
    result = build_report(directed)
    who = result.instruments["WHO-5"]
    assert who.worsened is True and who.some_improvement is False and "worsening" in ids(result.flags)


def test_survey_log_remembers_a_direction_and_refuses_one_for_a_known_scale(cli, db_path):
    from helpers import rows

    cli("survey", "log", "WHO-5", "60", "--higher-is-better", "--at", "2026-02-20")
    cli("add", "--route", "iv", "--at", "2026-02-21")
    data = cli.json("survey", "log", "WHO-5", "28")
    assert data["assessment"]["baseline"]["worsened"] is True
    assert rows(db_path, "SELECT name, higher_is_better FROM scale_directions") == [("WHO-5", 1)]
    assert "is a scale ketalog knows" in cli("survey", "log", "MADRS", "20", "--lower-is-better", expect=2).stderr


def test_report_and_trends_json_read_the_same_course(cli):
    """Through the CLI: the report's picture counts only the logged days, and per session a session with no
    check-in before the next is no_data in trends as in the report's survival counts."""
    import json

    for day_ in ("25", "26", "27"):
        cli("checkin", "--mood", "3", "--at", f"2026-02-{day_} 20:00")
    for day_ in ("2026-03-02", "2026-03-04", "2026-03-09"):
        cli("add", "--route", "iv", "--at", f"{day_} 10:00")
    cli("checkin", "--mood", "7", "--at", "2026-03-05 20:00")
    cli("checkin", "--mood", "8", "--at", "2026-03-06 20:00")
    report_ = json.loads(cli("report", "--format", "json").stdout)
    picture = report_["picture"]
    assert picture["observed"]["mood"] == {
        "days": 2,
        "first": "2026-03-05",
        "last": "2026-03-06",
        "longest_gap_days": 0,
    }
    assert picture["trajectories"]["mood"]["baseline"]["value"] == 3
    assert picture["trajectories"]["mood"]["baseline"]["readings"] == 3
    rows = json.loads(cli("trends", "--by", "session", "--json").stdout)
    assert [row["durability"] for row in rows] == ["no_data", "censored", "no_data"]
    assert rows[1]["mood_lifted_days"] == 2
    durability = report_["durability"]
    assert (durability["no_data"], durability["censored"], durability["events"]) == (2, 1, 0)


def test_status_json_carries_the_same_picture(cli):
    """status reads the same engine: a skipped item 9 is a flag there too, and durability is survival."""
    import json

    for day_ in ("25", "26", "27"):
        cli("checkin", "--mood", "3", "--at", f"2026-02-{day_} 20:00")
    for day_ in ("2026-03-02", "2026-03-04"):
        cli("add", "--route", "iv", "--at", f"{day_} 10:00")
    cli("checkin", "--mood", "7", "--at", "2026-03-05 20:00")
    cli("survey", "phq9", "--answers", "2,2,2,2,1,1,0,0,-", "--at", "2026-03-06 09:00")
    data = json.loads(cli("status", "--json").stdout)
    assert "safety_unanswered" in {flag["id"] for flag in data["flags"]} and data["safety"] is False
    assert set(data["durability"]) == {
        "km_median_days",
        "at_least_days",
        "events",
        "censored",
        "no_data",
        "last_session_days_ago",
    }
    assert data["durability"]["no_data"] == 1  # nothing was logged between the two sessions
    assert data["durability"]["censored"] == 1 and data["durability"]["events"] == 0
