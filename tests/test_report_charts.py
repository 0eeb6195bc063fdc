"""The report's score charts: band colours by severity, ticks at band edges, the latest value, item 9, print size."""

from __future__ import annotations

import re

import pytest

from ketalog import instruments as inst
from ketalog.render import report_html as html

HISTORY = [("2026-02-01T09:00:00+00:00", 19), ("2026-02-15T09:00:00+00:00", 14), ("2026-03-01T09:00:00+00:00", 8)]


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_bands_part_in_greyscale_light_to_dark():
    steps = [_luminance(c) for c in html.BAND_COLOURS]
    assert all(a - b >= 0.08 for a, b in zip(steps, steps[1:], strict=False))


@pytest.mark.parametrize("instrument", ["phq9", "gad7"])
def test_each_instrument_spans_the_palette_by_its_own_severity(instrument):
    bands = inst.INSTRUMENTS[instrument].bands
    colours = [html.band_colour(i, len(bands)) for i in range(len(bands))]
    assert colours[0] == html.BAND_COLOURS[0] and colours[-1] == html.BAND_COLOURS[-1]  # "severe" is the darkest
    assert len(set(colours)) == len(bands)


def test_gad7_severe_is_not_drawn_as_phq9_moderately_severe():
    svg = html.score_chart("gad7", [(at, 17) for at, _ in HISTORY])
    severe = re.search(r'fill="(#[0-9a-f]{6})"><title>severe', svg).group(1)
    assert severe == html.BAND_COLOURS[-1]


def test_y_ticks_sit_at_band_edges_and_the_latest_value_is_labelled():
    svg = html.score_chart("phq9", HISTORY)
    ticks = re.findall(r'text-anchor="end" font-size="\d+">(\d+)</text><line', svg)
    assert ticks == ["0", "5", "10", "15", "20", "27"]
    assert re.search(r'class="latest"[^>]*>8</text>', svg)
    assert "latest 8" in svg and "minimal 0-4</title>" in svg and "severe 20-27</title>" in svg


def test_band_names_are_on_the_chart_and_axis_numbers_are_smaller_than_headings():
    svg = html.score_chart("phq9", HISTORY)
    names = re.findall(r'class="band"[^>]*>([^<]+)</text>', svg)
    assert names == ["minimal", "mild", "moderate", "moderately severe", "severe"]
    assert html.AXIS_FONT < html.CHART_FONT and html.BAND_FONT <= html.AXIS_FONT
    # printed, the axis numbers stay under the 9.5 pt section headings
    printable_pt = (8.5 * 72) - 2 * (10 / 25.4 * 72)
    chart_pt = printable_pt * 0.49
    assert html.AXIS_FONT * chart_pt / html.CHART_WIDTH < 9.5


def test_a_phq9_with_item9_above_0_is_ringed_on_the_chart():
    plain = html.score_chart("phq9", HISTORY)
    ringed = html.score_chart("phq9", HISTORY, item9_positive=[HISTORY[1][0]])
    assert 'class="item9"' not in plain
    assert ringed.count('class="item9"') == 1 and "red ring: item 9 above 0" in ringed


@pytest.mark.parametrize("paper_width_mm", [215.9, 210.0])  # Letter, A4
def test_chart_labels_print_at_9_pt_or_more(paper_width_mm):
    printable_pt = (paper_width_mm - 20) / 25.4 * 72  # @page margin 10 mm each side
    chart_pt = printable_pt * html.PRINT_CHART_SHARE
    assert html.CHART_FONT * chart_pt / html.CHART_WIDTH >= 9
    assert f"svg text {{ font: {html.CHART_FONT}px" in html.CSS
    assert f"min-width: {html.PRINT_CHART_SHARE * 100:g}%" in html.CSS


def test_years_of_scores_are_a_line_with_the_latest_dotted_and_item9_still_ringed():
    from datetime import datetime, timedelta

    start = datetime(1991, 1, 1, 9)
    history = [((start + timedelta(days=14 * n)).isoformat(), 5 + n % 7) for n in range(html.CHART_DOTS + 40)]
    svg = html.score_chart("phq9", history, item9_positive=[history[10][0]])
    assert svg.count('r="3"') == 1  # only the latest
    assert svg.count('class="item9"') == 1
    few = html.score_chart("phq9", history[: html.CHART_DOTS])
    assert few.count('r="3"') == html.CHART_DOTS


def test_the_questionnaire_trend_shows_the_last_26_scores(cli):
    from datetime import date, timedelta

    from ketalog.render import report_rows as rr
    from ketalog.render.sparkline import BLOCKS

    for n in range(rr.TREND_SCORES + 4):
        day = date(2025, 1, 1) + timedelta(days=7 * n)
        cli("survey", "gad7", "--answers", ",".join(str(n % 4) for _ in range(7)), "--at", day.isoformat())
    markdown = cli("report", "--format", "markdown").stdout
    row = next(line for line in markdown.splitlines() if line.startswith("| GAD-7"))
    trend = row.rstrip(" |").rsplit("|", 1)[1].strip()
    assert len(trend) == rr.TREND_SCORES and set(trend) <= set(BLOCKS)


def test_a_long_dose_history_shows_its_latest_changes_and_counts_the_rest(cli):
    for n in range(10):
        cli(
            "add", "--route", "iv", "--dose", "0.5mg/kg" if n % 2 else "0.75mg/kg", "--at", f"2026-02-{n + 1:02d} 10:00"
        )
    markdown = cli("report", "--format", "markdown").stdout
    line = next(line for line in markdown.splitlines() if line.startswith("- Dose history"))[2:]
    assert line.startswith("Dose history: 2 earlier sessions → 0.75 mg/kg iv ×1 → 0.5 mg/kg iv ×1")
    assert line.count("×") == 8


def test_years_of_sessions_share_marks_as_wide_as_a_mark():
    """Fifty years of weekly sessions under one chart: sessions whose marks would overlap share one whose
    tooltip counts them, so the page (and its PDF) costs what the chart's width does and nothing is dropped."""
    from datetime import datetime, timedelta, timezone

    first = datetime(1991, 1, 1, tzinfo=timezone.utc)
    history = [((first + timedelta(days=14 * n)).isoformat(), 10) for n in range(1300)]
    sessions = [first + timedelta(days=7 * n, hours=1) for n in range(2598)]  # all within the scores
    svg = html.score_chart("phq9", history, sessions)
    marks = svg.count('fill="#6a1b9a"')
    assert 0 < marks <= html.CHART_WIDTH / html.SESSION_MARK_WIDTH + 1
    counted = sum(int(title.split(" sessions")[0]) for title in svg.split("<title>")[1:] if " sessions, " in title)
    single = svg.count("<title>session ")
    assert counted + single == 2598
