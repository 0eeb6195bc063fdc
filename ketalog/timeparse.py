"""Turn what a user types for a date or time into an aware datetime.

One clock for the whole program (``now()``; ``KETALOG_NOW`` overrides it), one
parser for ``--at``/``--since``/``--until``, and the conversions between aware
datetimes and the columns they are stored in. Nothing here guesses: text that
matches no accepted form is an error that lists the forms.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from ketalog.errors import InputError


def _months_back(day: date, months: int) -> date:
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


ACCEPTED_FORMS = (
    "2026-03-04, 2026-03-04 14:30, 2026-03-04T14:30+01:00, now, today, yesterday, "
    "yesterday 14:30, yesterday noon, 14:30, 3 days ago, 2 weeks ago, 1 month ago, monday, last friday 9:00, "
    "march 4, 4 mar 2026 14:30"
)

# Entries before this year are typing mistakes ("0206-03-04"), not history anyone logs.
EARLIEST_YEAR = 1990
# Any date typed (a period's ends too) lies in these years: beyond them a conversion between time
# zones overflows Python's calendar (year 1 at -12:00, year 9999 at +14:00), and no one means them.
READABLE_YEARS = (1900, 2999)
# A plan looks at most this far ahead: "plan set --start 9999-..." is a slip, not a booking.
PLAN_HORIZON = timedelta(days=10 * 366)

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_RELATIVE = re.compile(r"^(\d{1,4})\s+(minute|hour|day|week|month|year)s?\s+ago$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(am|pm)?$")
_CLOCK_WORDS = {"noon": time(12), "midday": time(12), "midnight": time(0)}
# English month names and their usual short forms ("sept" too): the same fixed vocabulary as the weekdays.
_MONTH_NAMES = "january february march april may june july august september october november december".split()
_MONTHS = {name: number for number, full in enumerate(_MONTH_NAMES, start=1) for name in (full, full[:3])}
_MONTHS["sept"] = 9
# "march 4", "mar 4th, 2026", "4 march", "4th mar 2026", each with an optional time after it.
_NAMED_DATE = re.compile(
    r"^(?:(?P<month>[a-z]+)\.? (?P<day>\d{1,2})(?:st|nd|rd|th)?"
    r"|(?P<day2>\d{1,2})(?:st|nd|rd|th)? (?P<month2>[a-z]+)\.?)"
    r",?(?: (?P<year>\d{4}))?,?(?: (?P<clock>.+))?$"
)


def now() -> datetime:
    """The current moment in the local time zone, or ``KETALOG_NOW`` when set."""
    fixed = os.environ.get("KETALOG_NOW")
    if not fixed:
        return datetime.now().astimezone()
    try:
        moment = datetime.fromisoformat(fixed.strip())
    except ValueError:
        raise InputError("KETALOG_NOW", f"{fixed!r} is not an ISO 8601 date-time") from None
    if not EARLIEST_YEAR <= moment.year <= READABLE_YEARS[1]:
        raise InputError("KETALOG_NOW", f"{fixed!r} must be in the years {EARLIEST_YEAR}-{READABLE_YEARS[1]}")
    return to_local(moment)


def to_local(moment: datetime) -> datetime:
    """Aware datetime in the local zone; a naive one is taken as local time."""
    return moment.astimezone()


@dataclass(frozen=True)
class When:
    """A parsed point in time; ``date_only`` when the user named a day, not a time."""

    moment: datetime
    date_only: bool

    @property
    def day_start(self) -> datetime:
        return to_local(datetime.combine(self.moment.date(), time()))

    @property
    def next_day_start(self) -> datetime:
        return to_local(datetime.combine(self.moment.date() + timedelta(days=1), time()))


def parse(text: str, field: str, reference: datetime | None = None, *, ahead: bool = False) -> When:
    """Parse any accepted form relative to ``reference`` (default: ``now()``). A weekday or a month and day
    without a year is the most recent one; with ``ahead`` (planning a session) the next one, today included."""
    ref = reference or now()
    raw = " ".join(text.strip().lower().split())
    if not raw:
        raise _unreadable(field, text)
    try:
        when = _parse_known(raw, ref, ahead)
        # Both ends of the day the moment falls on must exist in every zone (day_start, next_day_start).
        if not READABLE_YEARS[0] <= when.moment.year <= READABLE_YEARS[1]:
            raise _year_out_of_range(field, text, when.moment.year)
        return when
    except NonexistentTime as error:
        raise InputError(field, str(error)) from None
    except (ValueError, OverflowError):
        typed = re.match(r"^(\d{4})-", raw)  # a year at the calendar's ends overflows a zone conversion
        if typed and not READABLE_YEARS[0] <= int(typed.group(1)) <= READABLE_YEARS[1]:
            raise _year_out_of_range(field, text, int(typed.group(1))) from None
        raise _unreadable(field, text) from None


def _year_out_of_range(field: str, text: str, year: int) -> InputError:
    bound = f"before {EARLIEST_YEAR}" if year < READABLE_YEARS[0] else f"after {READABLE_YEARS[1]}"
    return InputError(field, f"{text!r} is {bound}; check the year (dates look like 2026-03-04)")


def _unreadable(field: str, text: str) -> InputError:
    return InputError(field, f"could not read {text!r} as a date; use e.g. {ACCEPTED_FORMS}")


def _parse_known(raw: str, ref: datetime, ahead: bool = False) -> When:
    if raw == "now":
        return When(ref, False)
    relative = _RELATIVE.match(raw)
    if relative:
        count, unit = int(relative.group(1)), relative.group(2)
        if unit in ("month", "year"):  # the same day of an earlier month, or its last day ("1 month ago" on 31 May)
            return When(
                _on_day(
                    _months_back(ref.date(), count * (12 if unit == "year" else 1)), ref.timetz().replace(tzinfo=None)
                ),
                True,
            )
        moment = ref - timedelta(**{unit + "s": count})
        return When(moment, unit in ("day", "week"))
    day_word, _, clock = raw.removeprefix("last ").partition(" ")  # "last friday" is the most recent friday
    last = day_word != raw.partition(" ")[0]
    day = _named_day(day_word, ref.date(), ahead and not last)
    if day is None and last:
        raise ValueError(raw)  # "last" before anything but a weekday ("last week") says no day
    if day is None:
        day, clock = _month_day(raw, ref.date(), ahead)
    if day is not None:
        if not clock:
            return When(_on_day(day, ref.timetz().replace(tzinfo=None)), True)
        return When(_on_day(day, _clock(clock)), False)
    if _CLOCK.match(raw) and ":" in raw or raw.endswith(("am", "pm")) or raw in _CLOCK_WORDS:
        return When(_on_day(ref.date(), _clock(raw)), False)
    return _parse_iso(raw)


def _month_day(raw: str, today: date, ahead: bool = False) -> tuple[date | None, str]:
    """'march 4', '4 mar 2026 14:30': the day and what follows it. Without a year, the most recent one
    on or before today (as a weekday is), so "dec 24" typed in January is last Christmas Eve; ``ahead``,
    the next one on or after today."""
    match = _NAMED_DATE.match(raw)
    if not match:
        return None, ""
    month = _MONTHS.get(match.group("month") or match.group("month2") or "")
    if month is None:
        return None, ""
    number = int(match.group("day") or match.group("day2"))
    if match.group("year"):
        return date(int(match.group("year")), month, number), match.group("clock") or ""
    step = 1 if ahead else -1
    for year in range(today.year, today.year + 8 * step, step):  # february 29 goes on to a leap year
        try:
            day = date(year, month, number)
        except ValueError:
            if number > 29:
                raise
            continue
        if (day >= today) if ahead else (day <= today):
            return day, match.group("clock") or ""
    raise ValueError(raw)


def _named_day(word: str, today: date, ahead: bool = False) -> date | None:
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    for index, name in enumerate(_WEEKDAYS):
        if word in (name, name[:3]):
            if ahead:  # the next one: on a Monday, "monday" is today
                return today + timedelta(days=(index - today.weekday()) % 7)
            # The most recent past one: on a Monday, "monday" means a week ago.
            back = (today.weekday() - index) % 7 or 7
            return today - timedelta(days=back)
    return None


def _clock(text: str) -> time:
    if text.strip() in _CLOCK_WORDS:
        return _CLOCK_WORDS[text.strip()]
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(text)
    hour, minute, second = (int(g) if g else 0 for g in match.groups()[:3])
    meridiem = match.group(4)
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    return time(hour, minute, second)


def _on_day(day: date, clock: time) -> datetime:
    return wall_clock(datetime.combine(day, clock))


class NonexistentTime(ValueError):
    """A wall-clock time the local clocks skipped (the spring-forward gap)."""

    def __init__(self, naive: datetime, earlier: datetime, later: datetime):
        super().__init__(
            f"{naive:%Y-%m-%d %H:%M} does not exist here (the clocks jumped forward); "
            f"use {earlier:%H:%M} or {later:%H:%M}"
        )


def wall_clock(naive: datetime) -> datetime:
    """A local wall-clock time the user typed, made aware; a time inside a DST gap is refused.

    Python would silently move it by an hour; instead the two readings that do
    exist are named, so the user picks one.
    """
    first, second = naive.astimezone(), naive.replace(fold=1).astimezone()
    if first.replace(tzinfo=None) != naive and second.replace(tzinfo=None) != naive:
        raise NonexistentTime(naive, *sorted((first, second)))
    return first


def _parse_iso(raw: str) -> When:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        day = date.fromisoformat(raw)
        return When(wall_clock(datetime.combine(day, time(12))), True)
    if not re.match(r"^\d{4}-\d{2}-\d{2}[t ]\d{1,2}:\d{2}", raw):
        raise ValueError(raw)
    moment = datetime.fromisoformat(raw.upper().replace(" ", "T", 1))
    # An explicit offset (+01:00, Z) is kept as given: it says where the user was.
    return When(moment if moment.tzinfo else wall_clock(moment), False)


def parse_at(text: str | None, field: str = "--at", reference: datetime | None = None) -> datetime:
    """When an entry happened: default now; the future is refused.

    A bare day ("yesterday", "2026-03-04", "monday") keeps the current clock
    time, the same rule "3 days ago" follows.
    """
    ref = reference or now()
    if text is None:
        return ref
    when = parse(text, field, ref)
    moment = when.moment
    if when.date_only:
        moment = _on_day(moment.date(), ref.timetz().replace(tzinfo=None))
    if moment > ref:
        raise InputError(
            field, f"{text!r} is in the future ({format_local(moment)}); entries can only be logged for now or the past"
        )
    if moment.year < EARLIEST_YEAR:
        raise InputError(field, f"{text!r} is before {EARLIEST_YEAR}; check the year (dates look like 2026-03-04)")
    return moment


def plan_day(text: str, field: str) -> date:
    """A day to plan a session on: the next one named (today included), from 1990 to ten years ahead."""
    day = parse(text, field, ahead=True).moment.date()
    problem = plan_day_problem(day.isoformat())
    if problem:
        raise InputError(field, f"{text!r}: {problem}")
    return day


def plan_day_problem(local_date: object) -> str | None:
    """What is wrong with a planned day as stored (YYYY-MM-DD), or None: the one rule for `plan` and import."""
    day = _stored_day(local_date)
    if isinstance(day, str):
        return day
    latest = (now() + PLAN_HORIZON).date()
    if not date(EARLIEST_YEAR, 1, 1) <= day <= latest:
        return f"{local_date} is outside the days a plan can hold ({EARLIEST_YEAR}-01-01 to {latest})"
    return None


def parse_since(text: str | None, field: str = "--since") -> datetime | None:
    """Start of a period, inclusive: a bare day means from its midnight."""
    if text is None:
        return None
    when = parse(text, field)
    return when.day_start if when.date_only else when.moment


def parse_until(text: str | None, field: str = "--until") -> datetime | None:
    """End of a period, exclusive: a bare day includes that whole day."""
    if text is None:
        return None
    when = parse(text, field)
    return when.next_day_start if when.date_only else when.moment


def parse_period(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """``--since`` and ``--until`` together: the start must come before the end."""
    start, end = parse_since(since), parse_until(until)
    if start is not None and start > now():
        later = f"{since!r} is in the future ({format_local(start)}): there is nothing after it yet"
        raise InputError("--since", later)
    if start is not None and end is not None and start >= end:
        raise InputError("--since", f"must be before --until ({since!r} is not before {until!r})")
    return start, end


# Storage: UTC text sorts correctly across DST and travel; the offset keeps the
# wall-clock time the user lived, and local_date is the calendar day they meant.


def to_utc_text(moment: datetime) -> str:
    # Not strftime("%Y"): it writes year 206 as "206", which no later read can parse.
    utc = moment.astimezone(timezone.utc)
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"


def storage_fields(moment: datetime) -> dict:
    """The three stored columns for one moment: ``at``, ``utc_offset``, ``local_date``."""
    offset = moment.utcoffset() or timedelta(0)
    return {
        "at": to_utc_text(moment),
        "utc_offset": int(offset.total_seconds() // 60),
        "local_date": moment.date().isoformat(),  # isoformat always writes four-digit years
    }


MAX_OFFSET_MINUTES = 18 * 60  # the widest UTC offset Python (and any real place) allows
_STORED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


_STORED_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _stored_day(local_date: object) -> date | str:
    """The day a stored ``local_date`` (YYYY-MM-DD) names, or what is wrong with it."""
    if not isinstance(local_date, str) or not _STORED_DAY.fullmatch(local_date):
        return f"local_date must be YYYY-MM-DD (got {local_date!r})"
    try:
        return date.fromisoformat(local_date)
    except ValueError:
        return f"local_date {local_date!r} is not a real date"


def stored_time_problem(at: object, utc_offset: object, local_date: object) -> str | None:
    """What is wrong with the three stored time columns of a row, or None when every read can use them.

    The one check behind `ketalog check` and every imported row.
    """
    if not isinstance(at, str) or not _STORED_AT.fullmatch(at):
        return f"at must be UTC like 2026-03-04T13:30:00Z (got {at!r})"
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return f"at {at!r} is not a real date and time"
    if moment.year < EARLIEST_YEAR:
        return f"at {at!r} is before {EARLIEST_YEAR}"
    if isinstance(utc_offset, bool) or not isinstance(utc_offset, int) or abs(utc_offset) >= MAX_OFFSET_MINUTES:
        return f"utc_offset must be whole minutes between -1079 and 1079 (got {utc_offset!r})"
    day = _stored_day(local_date)
    if isinstance(day, str):
        return day
    if day != moment.astimezone(_zone(utc_offset)).date():
        return f"local_date {local_date} is not the day of at {at} at offset {utc_offset} minutes"
    return None


def from_storage(at: str, utc_offset: int | None) -> datetime:
    """The moment as the user lived it (their offset at the time)."""
    return datetime.fromisoformat(at).astimezone(_zone(utc_offset or 0))


@functools.lru_cache(maxsize=64)
def _zone(minutes: int) -> timezone:
    # One zone object per offset: a long history has a few offsets and tens of thousands of rows.
    return timezone(timedelta(minutes=minutes))


def days_ago(days: int) -> str:
    """A count of calendar days, in words: today, yesterday, 3 days ago."""
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def format_local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def stamp() -> str:
    """``created_at``/``updated_at`` value: the current moment in UTC."""
    return to_utc_text(now())
