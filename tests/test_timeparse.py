"""Date and time forms for --at, --since and --until, against a fixed clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from helpers import rows
from hypothesis import given
from hypothesis import strategies as st

from ketalog import timeparse
from ketalog.errors import InputError

UTC = timezone.utc
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # a Tuesday


@pytest.mark.parametrize(
    "text, expected",
    [
        ("now", datetime(2026, 3, 10, 10, 0, tzinfo=UTC)),
        ("today", datetime(2026, 3, 10, 10, 0, tzinfo=UTC)),
        ("yesterday", datetime(2026, 3, 9, 10, 0, tzinfo=UTC)),
        ("Yesterday 14:30", datetime(2026, 3, 9, 14, 30, tzinfo=UTC)),
        ("yesterday 2:30pm", datetime(2026, 3, 9, 14, 30, tzinfo=UTC)),
        ("08:15", datetime(2026, 3, 10, 8, 15, tzinfo=UTC)),
        ("3 days ago", datetime(2026, 3, 7, 10, 0, tzinfo=UTC)),
        ("1 day ago", datetime(2026, 3, 9, 10, 0, tzinfo=UTC)),
        ("2 weeks ago", datetime(2026, 2, 24, 10, 0, tzinfo=UTC)),
        ("5 hours ago", datetime(2026, 3, 10, 5, 0, tzinfo=UTC)),
        ("1 month ago", datetime(2026, 2, 10, 10, 0, tzinfo=UTC)),
        ("3 months ago", datetime(2025, 12, 10, 10, 0, tzinfo=UTC)),
        ("1 year ago", datetime(2025, 3, 10, 10, 0, tzinfo=UTC)),
        ("2026-03-04", datetime(2026, 3, 4, 10, 0, tzinfo=UTC)),
        ("2026-03-04 14:30", datetime(2026, 3, 4, 14, 30, tzinfo=UTC)),
        ("2026-03-04T14:30", datetime(2026, 3, 4, 14, 30, tzinfo=UTC)),
        ("2026-03-04T14:30+01:00", datetime(2026, 3, 4, 13, 30, tzinfo=UTC)),
        ("2026-03-04T14:30Z", datetime(2026, 3, 4, 14, 30, tzinfo=UTC)),
        ("monday", datetime(2026, 3, 9, 10, 0, tzinfo=UTC)),
        ("tuesday", datetime(2026, 3, 3, 10, 0, tzinfo=UTC)),  # today is Tuesday: the previous one
        ("wed", datetime(2026, 3, 4, 10, 0, tzinfo=UTC)),
        ("sunday 9:00", datetime(2026, 3, 8, 9, 0, tzinfo=UTC)),
        ("last friday", datetime(2026, 3, 6, 10, 0, tzinfo=UTC)),
        ("last tue 9am", datetime(2026, 3, 3, 9, 0, tzinfo=UTC)),
        ("yesterday noon", datetime(2026, 3, 9, 12, 0, tzinfo=UTC)),
        ("midnight", datetime(2026, 3, 10, 0, 0, tzinfo=UTC)),
        ("march 4", datetime(2026, 3, 4, 10, 0, tzinfo=UTC)),
        ("Mar. 4th, 2026", datetime(2026, 3, 4, 10, 0, tzinfo=UTC)),
        ("4 march 2026 14:30", datetime(2026, 3, 4, 14, 30, tzinfo=UTC)),
        ("jan 1, 2025, 2:30pm", datetime(2025, 1, 1, 14, 30, tzinfo=UTC)),
        ("dec 24", datetime(2025, 12, 24, 10, 0, tzinfo=UTC)),  # no year: the most recent one, like a weekday
        ("march 11", datetime(2025, 3, 11, 10, 0, tzinfo=UTC)),  # tomorrow's date last year, not the future
        ("feb 29", datetime(2024, 2, 29, 10, 0, tzinfo=UTC)),  # back to the last leap year
        ("sept 3 noon", datetime(2025, 9, 3, 12, 0, tzinfo=UTC)),
    ],
)
def test_accepted_forms_for_at(text, expected):
    assert timeparse.parse_at(text, reference=NOW) == expected


@pytest.mark.parametrize(
    "text",
    [
        "tomorrow",
        "next week",
        "2026-13-01",
        "2026-03-04 25:00",
        "3 fortnights ago",
        "",
        "   ",
        "14",
        "13pm",
        "03/04/2026",
        "last week",
        "last",
        "march",
        "june 31",
        "4 smarch",
    ],
)
def test_unreadable_text_is_an_error_listing_the_forms(text):
    with pytest.raises(InputError) as error:
        timeparse.parse_at(text, reference=NOW)
    assert error.value.field == "--at"
    assert "yesterday 14:30" in error.value.message


@pytest.mark.parametrize(
    "text", ["2026-03-11", "2026-03-10 10:01", "23:00", "2027-01-01T00:00Z", "noon", "mar 11 2026"]
)
def test_future_is_refused(text):
    with pytest.raises(InputError, match="future"):
        timeparse.parse_at(text, reference=NOW)


def test_no_text_means_now():
    assert timeparse.parse_at(None, reference=NOW) == NOW


def test_a_month_back_from_a_long_month_ends_on_the_shorter_months_last_day():
    end_of_may = datetime(2026, 5, 31, 10, 0, tzinfo=UTC)
    assert timeparse.parse_at("3 months ago", reference=end_of_may) == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)


def test_since_and_until_cover_whole_days(monkeypatch):
    monkeypatch.setenv("KETALOG_NOW", NOW.isoformat())
    assert timeparse.parse_since("2026-03-04") == datetime(2026, 3, 4, tzinfo=UTC)
    assert timeparse.parse_until("2026-03-04") == datetime(2026, 3, 5, tzinfo=UTC)
    assert timeparse.parse_since("2026-03-04 14:30") == datetime(2026, 3, 4, 14, 30, tzinfo=UTC)
    assert timeparse.parse_since("yesterday") == datetime(2026, 3, 9, tzinfo=UTC)
    assert timeparse.parse_since(None) is None


def test_ketalog_now_overrides_the_clock(monkeypatch):
    monkeypatch.setenv("KETALOG_NOW", "2025-01-02T03:04:05+00:00")
    assert timeparse.now() == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setenv("KETALOG_NOW", "not a date")
    with pytest.raises(InputError, match="KETALOG_NOW"):
        timeparse.now()


def test_storage_is_utc_text_with_offset_and_local_day():
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    fields = timeparse.storage_fields(moment)
    assert fields == {"at": "2026-03-28T22:30:00Z", "utc_offset": 120, "local_date": "2026-03-29"}
    back = timeparse.from_storage(fields["at"], fields["utc_offset"])
    assert back == moment and back.utcoffset() == timedelta(hours=2)


def test_storage_text_sorts_in_time_order_across_offsets():
    # 01:30 in Berlin (UTC+1) happened before 01:00 in New York (UTC-5) the same day.
    berlin = datetime(2026, 1, 5, 1, 30, tzinfo=timezone(timedelta(hours=1)))
    new_york = datetime(2026, 1, 5, 1, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert timeparse.to_utc_text(berlin) < timeparse.to_utc_text(new_york)


def test_dst_change_keeps_order(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    before = timeparse.parse_at("2026-10-25 00:30", reference=datetime(2026, 10, 26, tzinfo=UTC))
    after = timeparse.parse_at("2026-10-25 03:30", reference=datetime(2026, 10, 26, tzinfo=UTC))
    assert before.utcoffset() == timedelta(hours=1) and after.utcoffset() == timedelta(0)
    assert timeparse.to_utc_text(before) < timeparse.to_utc_text(after)
    assert timeparse.storage_fields(before)["local_date"] == "2026-10-25"


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_input_error(text):
    try:
        moment = timeparse.parse_at(text, reference=NOW)
    except InputError:
        return
    assert moment <= NOW and moment.tzinfo is not None


_MONTH_NAMES = ("january february march april may june july august september october november december").split()


@given(
    day=st.dates(min_value=datetime(1990, 1, 1).date(), max_value=(NOW - timedelta(days=1)).date()),
    style=st.integers(0, 3),
)
def test_a_day_with_its_month_named_is_that_day(day, style):
    name = _MONTH_NAMES[day.month - 1]
    text = (
        f"{name} {day.day}, {day.year}",
        f"{day.day} {name[:3]} {day.year}",
        f"{name[:3].title()}. {day.day}th {day.year} 9:15",
        f"{day.day} {name} {day.year} noon",
    )[style]
    moment = timeparse.parse_at(text, reference=NOW)
    assert moment.date() == day


@pytest.mark.parametrize(
    "text, day",
    [
        ("tuesday", "2026-03-10"),  # today is a Tuesday: planning ahead, that is today
        ("monday", "2026-03-16"),
        ("march 4", "2027-03-04"),
        ("march 10", "2026-03-10"),
        ("feb 29", "2028-02-29"),
        ("last monday", "2026-03-09"),  # "last" still looks back
        ("2026-03-04", "2026-03-04"),
        ("yesterday", "2026-03-09"),
    ],
)
def test_planning_ahead_reads_a_bare_weekday_or_date_as_the_next_one(text, day):
    assert timeparse.parse(text, "DATE", reference=NOW, ahead=True).moment.date().isoformat() == day


def test_a_period_cannot_start_in_the_future(monkeypatch):
    monkeypatch.setenv("KETALOG_NOW", NOW.isoformat())
    with pytest.raises(InputError, match="in the future") as error:
        timeparse.parse_period("2027-01-01", None)
    assert error.value.field == "--since"
    assert timeparse.parse_period("today", None)[0] == datetime(2026, 3, 10, tzinfo=UTC)  # today's midnight is fine


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--until", "9999-12-31T23:59:59+14:00"),
        ("report", "--since", "0001-01-01T00:00:00-12:00"),
        ("list", "--since", "0001-01-01"),
        ("trends", "--until", "9999-12-31"),
        ("checkin", "--mood", "5", "--at", "0001-01-01T00:00:00-12:00"),
        ("plan", "set", "--template", "iv-induction", "--start", "9999-12-30"),
        ("plan", "add", "9999-12-31"),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_one_line(cli, args):
    result = cli(*args, expect=2)
    assert result.stderr.startswith("ketalog: error: ") and result.stderr.count("\n") == 1
    assert "check the year" in result.stderr


@pytest.mark.parametrize("day", ["1989-12-31", "0001-01-01", "1985-06-01"])
def test_a_plan_before_1990_is_refused(cli, db_path, day):
    for args in (("plan", "add", day), ("plan", "set", "--template", "iv-induction", "--start", day)):
        assert "ketalog: error: " in cli(*args, expect=2).stderr
    assert not db_path.exists() or rows(db_path, "SELECT count(*) FROM planned_sessions") == [(0,)]


def test_a_plan_more_than_ten_years_ahead_is_refused(cli):
    assert "outside the days a plan can hold" in cli("plan", "add", "2040-01-01", expect=2).stderr


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00", "1989-06-01T10:00:00", "9999-12-31T23:59:59+14:00"])
def test_ketalog_now_outside_the_years_it_reads_is_one_line_for_every_command(cli, monkeypatch, now):
    monkeypatch.setenv("KETALOG_NOW", now)
    for args in (("status",), ("checkin", "--mood", "5"), ("list",)):
        result = cli(*args, expect=2)
        assert "KETALOG_NOW" in result.stderr and result.stderr.count("\n") == 1
