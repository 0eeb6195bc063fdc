"""`ketalog insights` (issue 29): associations that hold up in an autocorrelated diary, and only those."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketalog.reading import insights as ins

START = date(2026, 1, 1)


def diary(seed: int, days: int = 120, phi: float = 0.7, effect: float = 0.0):
    """A seeded AR(1) mood series and four repeating tags (runs of days), with ``effect`` SDs planted on `walk`."""
    rng = random.Random(seed)
    tags = {}
    for name in ("walk", "work", "friends", "gym"):
        on, series = rng.random() < 0.3, {}
        for offset in range(days):
            if rng.random() < 0.3:
                on = rng.random() < 0.35
            series[START + timedelta(days=offset)] = 1.0 if on else 0.0
        tags[name] = series
    mood, x, sd = {}, 0.0, 1 / (1 - phi**2) ** 0.5
    for offset in range(days):
        x = phi * x + rng.gauss(0, 1)
        day = START + timedelta(days=offset)
        mood[day] = max(0, min(10, round(5 + x + effect * sd * tags["walk"][day])))
    sleep = {START + timedelta(days=d): round(rng.gauss(7, 1), 1) for d in range(days)}
    candidates = [ins.Candidate(f"tag {n}", f"`{n}`", True, s) for n, s in tags.items()]
    candidates.append(ins.Candidate("sleep hours", "more sleep (hours)", False, sleep))
    return candidates, {"mood": mood}


def test_null_diaries_rarely_show_anything():
    significant = tests = any_finding = 0
    for seed in range(100):
        candidates, outcomes = diary(seed)
        any_finding += bool(ins.analyse(candidates, outcomes).findings)
        residuals = ins.detrended(outcomes["mood"])
        for candidate in candidates:
            for lag in ins.LAGS:
                result = ins.test_one(candidate, "mood", ins.shift(residuals, lag), lag)
                assert not isinstance(result, str)
                tests += 1
                significant += result.p < 0.05
    assert significant / tests <= 0.08 and any_finding / 100 <= 0.12


def test_a_planted_effect_is_found_in_most_diaries():
    found = sum(
        any(
            f.candidate == "tag walk" and f.outcome == "mood"
            for f in ins.analyse(*diary(1000 + seed, effect=1.5)).findings
        )
        for seed in range(100)
    )
    assert found >= 80


@given(st.lists(st.integers(-1000, 1000), min_size=5, max_size=40, unique=True), st.randoms(use_true_random=False))
def test_spearman_on_untied_data_is_the_textbook_formula(xs, rng):
    ys = list(xs)
    rng.shuffle(ys)
    n = len(xs)
    rank_x = {v: i + 1 for i, v in enumerate(sorted(xs))}
    rank_y = {v: i + 1 for i, v in enumerate(sorted(ys))}
    d2 = sum((rank_x[x] - rank_y[y]) ** 2 for x, y in zip(xs, ys, strict=True))
    assert ins.spearman(xs, ys) == pytest.approx(1 - 6 * d2 / (n * (n * n - 1)), abs=1e-9)


def test_ties_share_their_average_rank():
    assert ins.ranks([3, 1, 3, 2]) == [3.5, 1.0, 3.5, 2.0]


@pytest.mark.parametrize("with_days, testable", [(6, False), (7, True)])
def test_a_tag_needs_seven_days_with_it(with_days, testable):
    days = [START + timedelta(days=d) for d in range(40)]
    mood = {day: float(d % 5) for d, day in enumerate(days)}
    tag = {day: float(d < with_days) for d, day in enumerate(days)}
    result = ins.test_one(ins.Candidate("tag x", "`x`", True, tag), "mood", ins.shift(ins.detrended(mood), 0), 0)
    assert isinstance(result, str) is not testable
    if not testable:
        assert result == "6 days with it and 34 without (needs 7 of each)"


def test_fewer_than_28_days_of_an_outcome_tests_nothing_and_says_why():
    candidates, outcomes = diary(1, days=27)
    result = ins.analyse(candidates, outcomes)
    assert result.tested == 0 and result.not_testable[0]["reason"] == "27 days of mood logged (needs 28)"


def test_the_same_diary_gives_the_same_answer():
    first, second = (ins.analyse(*diary(1000, effect=1.5)).to_json() for _ in range(2))
    assert first == second and first["findings"]
    assert ins.sentence(ins.analyse(*diary(1000, effect=1.5)).findings[0]).endswith("an association, not a cause.")


def test_the_command_says_nothing_stands_out_on_a_short_diary(cli):
    for offset in range(10):
        cli("checkin", "--mood", str(offset % 7), "--tag", "walk", "--at", f"2026-03-0{offset % 9 + 1} 20:00")
    text = cli("insights").stdout
    assert "Nothing stands out yet" in text and "days of mood logged (needs 28)" in text
    data = json.loads(cli("insights", "--json").stdout)
    assert set(data) == {"since", "until", "tested", "findings", "not_testable"} and data["findings"] == []
    assert "(the last year; --since for longer)" in text


# Questionnaire items ------------------------------------------------------------------------------------


def test_items_compare_baseline_and_latest_and_a_skipped_item_is_never_0():
    from ketalog.instruments import item_changes

    rows = item_changes("phq9", [2, 2, 3, 3, None, 2, 2, 3, 0], [1, 0, 3, 0, 2, None, 1, 2, 0])
    assert [(r["item"], r["baseline"], r["latest"], r["change"]) for r in rows][:6] == [
        (1, 2, 1, -1), (2, 2, 0, -2), (3, 3, 3, 0), (4, 3, 0, -3), (5, None, 2, None), (6, 2, None, None),
    ]  # fmt: skip
    assert item_changes("phq9", None, None) == [] and item_changes("madrs", None, [1]) == []


def test_the_report_and_progress_name_the_items_that_moved_by_two(cli):
    cli("survey", "phq9", "--answers", "3,3,2,3,1,2,2,1,0", "--at", "2026-02-01 09:00")
    cli("add", "--route", "iv", "--dose", "0.5mg/kg", "--no-input", "--at", "2026-02-03 10:00")
    cli("survey", "phq9", "--answers", "1,1,2,0,1,2,2,1,0", "--at", "2026-03-09 09:00")
    data = json.loads(cli("progress", "--json").stdout)
    assert [r["change"] for r in data["items"]["phq9"]] == [-2, -2, 0, -3, 0, 0, 0, 0, 0]
    line = "Items that moved 2+ since the baseline: PHQ-9 1 (interest) -2, 2 (low mood) -2, 4 (energy) -3."
    assert line in " ".join(cli("progress").stdout.split())
    assert line in " ".join(cli("report", "--format", "markdown").stdout.split())


def _write_diary(db_path, seed: int, effect: float, back: int = 130) -> None:
    """A seeded 120-day diary through the store, ending ``back`` days before 2026-05-01: a check-in a day,
    `walk` on some days."""
    from datetime import datetime, timezone

    from ketalog import store
    from ketalog.db import open_db

    candidates, outcomes = diary(seed, effect=effect)
    walk = candidates[0].values
    db = open_db(db_path, create=True)
    for day, mood in outcomes["mood"].items():
        at = datetime(day.year, day.month, day.day, 20, tzinfo=timezone.utc) - timedelta(days=back)
        store.insert(db, "checkin", at, {"mood": int(mood)}, ["walk"] if walk[day] else [])
    db.close()


def test_the_report_says_what_went_with_better_days_only_when_something_did(cli, db_path):
    _write_diary(db_path, 1000, effect=1.5)
    report = cli("report", "--format", "markdown").stdout
    assert "## What went with better days" in report and "an association, not a cause" in report
    assert "What went with better days" not in cli("report", "--format", "markdown", "--private").stdout
    assert json.loads(cli("report", "--format", "json").stdout)["better_days"]


def test_no_finding_means_no_section(cli, db_path):
    _write_diary(db_path, 7, effect=0.0)
    assert not json.loads(cli("insights", "--json").stdout)["findings"]
    assert "What went with better days" not in cli("report", "--format", "markdown").stdout


def test_the_html_report_draws_each_questionnaire_item_by_item_on_screen_only(cli):
    cli("survey", "phq9", "--answers", "3,3,2,3,1,2,2,1,0", "--at", "2026-02-01 09:00")
    cli("survey", "phq9", "--answers", "1,1,2,0,1,2,-,1,0", "--at", "2026-03-09 09:00")
    html = cli("report", "--format", "html").stdout
    assert '<figure class="itemgrid">' in html and "1 interest" in html and ".itemgrid { display: none; }" in html
    grid = html[html.index('<figure class="itemgrid">') :]
    assert '<td style="background:#ffffff">–</td>' in grid  # the skipped item: a dash, never 0


@settings(deadline=None)  # the first example imports scipy
@given(
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=5, max_size=60, unique=True),
    st.randoms(use_true_random=False),
)
def test_rho_agrees_with_scipy_on_untied_data(xs, rng):
    stats = pytest.importorskip("scipy.stats")
    ys = [rng.uniform(-50, 50) for _ in xs]
    if len(set(ys)) < len(ys):
        return
    assert ins.spearman(xs, ys) == pytest.approx(float(stats.spearmanr(xs, ys).statistic), abs=1e-9)


def test_insights_read_the_last_year_unless_asked_for_more(cli, db_path):
    _write_diary(db_path, 1000, effect=1.5, back=130 + 400)  # over a year before the fixed now
    default = json.loads(cli("insights", "--json").stdout)
    assert default["findings"] == [] and default["tested"] == 0
    longer = json.loads(cli("insights", "--since", "2024-01-01", "--json").stdout)
    assert longer["since"] == "2024-01-01" and longer["findings"]
    assert "(the last year; --since for longer)" not in cli("insights", "--since", "2024-01-01").stdout
    # The report reads at most the period's last year, so its cost stays flat however long the period.
    assert "What went with better days" not in cli("report", "--since", "2024-01-01", "--format", "markdown").stdout


@pytest.mark.parametrize(
    "start, end, cap, expected",
    [
        (None, None, False, ("2025-03-10", None)),
        ("2020-01-01", None, False, ("2020-01-01", None)),
        ("2020-01-01", None, True, ("2025-03-10", None)),
        (None, "2022-06-01", False, ("2021-06-01", "2022-06-01")),
        ("2026-01-01", None, True, ("2026-01-01", None)),
    ],
)
def test_the_span_associations_are_read_over(start, end, cap, expected):
    from datetime import datetime, timezone

    from ketalog.reports import insights_span

    def at(text):
        return None if text is None else datetime.fromisoformat(text).replace(tzinfo=timezone.utc)

    now = datetime(2026, 3, 10, tzinfo=timezone.utc)
    first, last = insights_span(now, at(start), at(end), at_most_a_year=cap)
    assert (first.date().isoformat(), last and last.date().isoformat()) == expected
