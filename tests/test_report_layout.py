"""The report's page as a newcomer meets it: one section list for every format, tables that never break
a value at any width, the real dates of the period, and the same order in `progress` as in `report`."""

from __future__ import annotations

import io
import re

import pytest
from helpers import run_ketalog
from history import checkin, day, inputs, phq9, series, session
from hypothesis import given, settings
from hypothesis import strategies as st

from ketalog.reading.report import build_report
from ketalog.render import columns, report_html, report_markdown
from ketalog.render import report_rows as rr
from ketalog.render.report_terminal import print_report

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
BP = re.compile(r"\d{2,3}/\d{2,3}→\d{2,3}/\d{2,3}")


def demo_report():
    sessions = [session(d) for d in (0, 2, 4, 7, 9, 11)]
    for s in sessions:
        s.bp_before_sys, s.bp_before_dia, s.bp_after_sys, s.bp_after_dia = 132, 84, 150, 95
        s.intention = "be kinder to myself and notice the small things that go well"
    checkins = series("mood", [3, 3, 3], -3.5) + series("mood", [6] * 20, 12)
    return build_report(inputs(sessions=sessions, checkins=checkins, surveys=[phq9(-1, 18), phq9(20, 8)], now=day(33)))


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_the_sessions_table_never_breaks_a_date_a_dose_or_a_blood_pressure(width):
    report = demo_report()
    block = rr.SECTIONS[[s.id for s in rr.SECTIONS].index("sessions")].build(report)
    lines = columns.table(block.headers, block.rows, width, block.wraps, "Intention · reflection")
    text = "\n".join(lines)
    for row in block.rows:
        assert row[0] in text and (row[2] == "—" or row[2] in text) and row[7] in text  # whole, on one line
    assert all(len(line) <= width for line in lines)
    assert not any(line.endswith(" ") for line in lines)
    assert len(BP.findall(text)) == len(block.rows)


@settings(max_examples=60, deadline=None)
@given(
    width=st.integers(40, 160),
    words=st.lists(st.text(alphabet="abc def", min_size=0, max_size=60), min_size=1, max_size=4),
)
def test_fixed_columns_stay_whole_at_any_width(width, words):
    headers = ["Date", "Dose", "Notes"]
    rows = [["2026-11-13", "0.5 mg/kg", text.strip() or "—"] for text in words]
    lines = columns.table(headers, rows, width, frozenset({"Notes"}), "Notes")
    assert all(line.count("2026-11-13") <= 1 for line in lines)
    assert "\n".join(lines).count("2026-11-13") == len(rows)
    assert "\n".join(lines).count("0.5 mg/kg") == len(rows)


def test_a_saved_report_is_a_fixed_100_column_page_with_no_trailing_spaces():
    out = io.StringIO()
    print_report(demo_report(), file=out)
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 100
    assert not [line for line in lines if line != line.rstrip()]


def test_the_demo_sessions_table_is_whole_at_80_columns_in_a_pipe():
    result = run_ketalog("demo", env={"COLUMNS": "80", "KETALOG_NOW": "2026-12-04T09:00:00+00:00"})
    assert result.returncode == 0
    sessions = result.stdout.split("\nSessions\n", 1)[1].split("\nFrom your journal", 1)[0]
    for line in sessions.splitlines()[1:]:
        if DATE.match(line):
            assert re.match(r"\d{4}-\d{2}-\d{2}  ", line), line
            assert BP.search(line), line
    assert "reflectio\n" not in result.stdout


def test_the_period_prints_its_real_first_and_last_days():
    report = demo_report()
    text = rr.period_text(report)
    assert "the beginning" not in text and "now" not in text
    assert text.startswith(f"Period: {day(-3.5, 20).date()} to {day(33).date()} (today).")
    assert report.to_json()["period"]["from"] == day(-3.5, 20).date().isoformat()


def test_an_empty_period_says_nothing_was_recorded():
    assert rr.period_text(build_report(inputs(now=day(3)))).startswith("Period: nothing recorded yet.")


HEADING = {"text": "\n{}\n", "markdown": "\n## {}\n", "html": "<h2>{}</h2>"}


def _titles_in(page: str, form: str) -> list[str]:
    found = [(page.find(HEADING[form].format(s.title)), s.title) for s in rr.SECTIONS]
    return [title for at, title in sorted(found) if at >= 0]


def test_every_format_walks_one_section_list_in_one_order():
    report = demo_report()
    out = io.StringIO()
    print_report(report, file=out)
    pages = {
        "text": out.getvalue(),
        "markdown": report_markdown.render(report),
        "html": report_html.render(report),
    }
    expected = _titles_in(pages["markdown"], "markdown")
    assert expected[:2] == ["Safety", "Course"] and len(expected) >= 7
    assert expected.index("To discuss with your provider") < expected.index("Signs of progress")
    for name, page in pages.items():
        assert _titles_in(page, name) == expected, name


def test_progress_puts_what_to_discuss_first_like_the_report(cli):
    for d in ("01", "02", "03"):
        cli("checkin", "--mood", "3", "--at", f"2026-02-{d} 20:00")
    cli("add", "--route", "iv", "--at", "2026-02-04 10:00", "--bp-before", "185/112")
    text = cli("progress").stdout
    assert text.index("To discuss with your provider") < text.index("Signs of progress")


def test_a_section_with_nothing_to_say_says_so_or_is_left_out():
    report = build_report(inputs(checkins=[checkin(1, mood=4)], now=day(3)))
    shown = {section.id: empty for section, block, empty in rr.sections(report) if block is None}
    assert shown["discuss"] and shown["signs"] == rr.NO_SIGNS
    assert "sessions" not in shown and "journal" not in shown


@pytest.mark.parametrize(("now", "tense"), [(33, "You deserve support with this now"), (60, "You answered then")])
def test_the_safety_box_speaks_of_an_old_answer_in_the_past_tense(now, tense):
    from history import survey

    from ketalog import crisis

    answers = [2, 2, 2, 2, 1, 1, 1, 1, 1]
    scores = [survey("phq9", 30, sum(answers), answers), survey("phq9", 31.5, 8, [1, 1, 1, 1, 1, 1, 1, 1, 0])]
    report = build_report(inputs(surveys=scores, now=day(now)))
    lines = rr.safety_lines(report)
    assert lines[0].startswith(f"On {day(30).date()} (")
    assert "newest first: " in lines[1] and lines[1].index("answered 0") < lines[1].index("answered 1")
    assert tense in lines[2] and lines[3:] == crisis.lines()[1:]
