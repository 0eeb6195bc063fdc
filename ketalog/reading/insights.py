"""What went with better days, honestly: few associations, stated with their uncertainty (docs/insights-rules.md).

Pure and standard library only. A diary's days are autocorrelated, so an ordinary test finds "effects" in a
third of pure-noise diaries; here every test detrends the outcome, counts its effective sample size by
Bartlett's correction, and the whole family passes Benjamini-Hochberg. A day nobody logged is never evidence:
it is missing, not a 0. "Nothing stands out yet" is the normal answer.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

MIN_OUTCOME_DAYS = 28  # days with the outcome logged before anything is tested
MIN_GROUP_DAYS = 7  # a binary candidate: days with it and days without it, each
MIN_PAIRED_DAYS = 28  # a numeric candidate: days with both it and the outcome
DETREND_BEFORE, DETREND_AFTER, DETREND_MIN = 7, 6, 7  # centred moving median over t-7 .. t+6, at least 7 days
N_EFF_FLOOR = 10
Q_LEVEL = 0.10  # Benjamini-Hochberg false discovery rate
MIN_RHO = 0.2  # and an effect worth saying
MAX_FINDINGS = 5
LAGS = (0, 1)  # same day and next day: declared before looking, never searched over
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Candidate:
    name: str  # "tag walk", "sleep hours"...
    label: str  # how a sentence names it: "`walk`", "more sleep (hours)"
    binary: bool
    values: dict[date, float]  # a day missing from the dict was not logged: never a 0


JSON_KEYS = (
    "candidate", "outcome", "lag", "rho", "rho_raw", "ci", "n", "n_with", "n_without", "n_eff", "p", "q",
    "median_with", "median_without",
)  # fmt: skip


@dataclass
class Test:
    candidate: str
    outcome: str
    lag: int
    rho: float
    ci: tuple[float, float]
    n: int
    n_eff: float
    p: float
    rho_raw: float | None = None  # findings only (``describe``)
    q: float = 1.0
    n_with: int | None = None
    n_without: int | None = None
    median_with: float | None = None
    median_without: float | None = None
    label: str = ""
    binary: bool = False

    def to_json(self) -> dict:
        data = asdict(self)
        data["ci"] = list(self.ci)
        return {key: data[key] for key in JSON_KEYS}


@dataclass
class Insights:
    tested: int
    findings: list[Test]
    not_testable: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "tested": self.tested,
            "findings": [t.to_json() for t in self.findings],
            "not_testable": self.not_testable,
        }


def ranks(values: list[float]) -> list[float]:
    """Average ranks (1-based), ties sharing the mean of their positions."""
    n = len(values)
    zeros = values.count(0.0)
    if zeros + values.count(1.0) == n:  # a yes/no candidate: two tied groups, ranked without sorting
        low, high = (zeros + 1) / 2, zeros + (n - zeros + 1) / 2
        return [high if value else low for value in values]
    order = sorted(range(n), key=values.__getitem__)
    result = [0.0] * n
    start = 0
    while start < n:
        value, end = values[order[start]], start + 1
        while end < n and values[order[end]] == value:
            end += 1
        rank = (start + end + 1) / 2
        for index in order[start:end]:
            result[index] = rank
        start = end
    return result


def pearson(xs: list[float], ys: list[float]) -> float:
    from operator import mul

    n = len(xs)
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    dx, dy = [x - mx for x in xs], [y - my for y in ys]
    sxx, syy = sum(map(mul, dx, dx)), sum(map(mul, dy, dy))
    return 0.0 if sxx == 0 or syy == 0 else sum(map(mul, dx, dy)) / math.sqrt(sxx * syy)


def spearman(xs: list[float], ys: list[float]) -> float:
    return pearson(ranks(xs), ranks(ys))


def lag1(ordinals: list[int], values: list[float]) -> float:
    """Lag-1 autocorrelation of values on sorted days (as ordinals), over the pairs of consecutive calendar
    days, which sit side by side (0 when there are fewer than 3 such pairs)."""
    pairs = [(values[i], values[i + 1]) for i in range(len(values) - 1) if ordinals[i + 1] - ordinals[i] == 1]
    if len(pairs) < 3:
        return 0.0
    return pearson([a for a, _ in pairs], [b for _, b in pairs])


def detrended(series: dict[date, float]) -> dict[date, float]:
    """Each day minus the median of the days t-7 .. t+6 that were logged (at least 7, else left out)."""
    from bisect import bisect_left, bisect_right

    days = sorted(series)
    ordinals = [day.toordinal() for day in days]
    values = [series[day] for day in days]
    result = {}
    for index, ordinal in enumerate(ordinals):
        # Days are sorted, so the window is one slice: found by bisection, not by probing 14 dates.
        low = bisect_left(ordinals, ordinal - DETREND_BEFORE, 0, index + 1)
        high = bisect_right(ordinals, ordinal + DETREND_AFTER, index)
        if high - low >= DETREND_MIN:
            result[days[index]] = values[index] - statistics.median(values[low:high])
    return result


def normal_two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def benjamini_hochberg(ps: list[float]) -> list[float]:
    """q-values (adjusted p) in the order given."""
    m = len(ps)
    order = sorted(range(m), key=ps.__getitem__)
    qs = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, ps[index] * m / rank)
        qs[index] = running
    return qs


def shift(series: dict[date, float], lag: int) -> dict[date, float]:
    """The series keyed by the day ``lag`` days before: a candidate's day meets the outcome ``lag`` days on."""
    step = timedelta(days=lag)
    return {day - step: value for day, value in series.items()}


def days_text(count: float) -> str:
    return f"{count:g} day" if count == 1 else f"{count:g} days"


def test_one(
    candidate: Candidate,
    outcome_name: str,
    shifted: dict[date, float],
    lag: int,
    cache: dict | None = None,
    ordered: list[date] | None = None,
) -> Test | str:
    """One declared test, or why it could not be run; ``shifted``: the outcome detrended, keyed by the
    candidate's day (``shift``); ``ordered``: the candidate's days sorted, when the caller has them."""
    days = [day for day in (ordered if ordered is not None else sorted(candidate.values)) if day in shifted]
    xs = [candidate.values[day] for day in days]
    if candidate.binary:
        with_ = sum(xs)
        without = len(xs) - with_
        if with_ < MIN_GROUP_DAYS or without < MIN_GROUP_DAYS:
            return f"{days_text(with_)} with it and {without:g} without (needs {MIN_GROUP_DAYS} of each)"
    elif len(days) < MIN_PAIRED_DAYS:
        return f"{days_text(len(days))} with both logged (needs {MIN_PAIRED_DAYS})"
    # Many candidates (every tag) cover the same days: the outcome's ranks over them are worked out once.
    key = (outcome_name, lag, tuple(days))
    ordinals = [day.toordinal() for day in days]
    if cache is None or key not in cache:
        ys = [shifted[day] for day in days]
        found = (ranks(ys), lag1(ordinals, ys))
        if cache is not None:
            cache[key] = found
    else:
        found = cache[key]
    ranked, r1_outcome = found
    # ... and the candidate's over them once, whichever outcome shares those days
    own = ("candidate", candidate.name, key[2])
    if cache is None or own not in cache:
        mine = (ranks(xs), lag1(ordinals, xs))
        if cache is not None:
            cache[own] = mine
    else:
        mine = cache[own]
    rho = pearson(mine[0], ranked)
    n = len(days)
    r1 = mine[1]
    product = r1 * r1_outcome
    n_eff = min(float(n), max(float(N_EFF_FLOOR), n * (1 - product) / (1 + product)))
    clipped = max(-0.999999, min(0.999999, rho))
    z = math.atanh(clipped)
    se = 1 / math.sqrt(n_eff - 3)
    return Test(
        candidate=candidate.name,
        outcome=outcome_name,
        lag=lag,
        rho=round(rho, 4),
        ci=(round(math.tanh(z - Z95 * se), 4), round(math.tanh(z + Z95 * se), 4)),
        n=n,
        n_eff=round(n_eff, 1),
        p=normal_two_sided_p(z / se),
        label=candidate.label,
        binary=candidate.binary,
    )


def describe(test: Test, candidate: Candidate, raw_shifted: dict[date, float]) -> None:
    """What a finding shows beside ρ, worked out for findings only: ρ on the outcome as logged (not
    detrended) and, for a yes/no candidate, the medians with and without it."""
    days = sorted(day for day in candidate.values if day in raw_shifted)
    xs = [candidate.values[day] for day in days]
    raw = [raw_shifted[day] for day in days]
    test.rho_raw = round(spearman(xs, raw), 4)
    if candidate.binary:
        with_values = [y for x, y in zip(xs, raw, strict=True) if x]
        without_values = [y for x, y in zip(xs, raw, strict=True) if not x]
        test.n_with, test.n_without = len(with_values), len(without_values)
        test.median_with, test.median_without = statistics.median(with_values), statistics.median(without_values)


def analyse(candidates: list[Candidate], outcomes: dict[str, dict[date, float]]) -> Insights:
    """Every declared test, Benjamini-Hochberg over all of them, and the few that pass both bars."""
    tests: list[Test] = []
    not_testable: list[dict] = []
    ranked: dict[tuple, tuple[list[float], float]] = {}  # the outcome's ranks over a set of days
    ordered = {candidate.name: sorted(candidate.values) for candidate in candidates}
    by_name = {candidate.name: candidate for candidate in candidates}
    raw_by: dict[tuple[str, int], dict[date, float]] = {}
    for outcome_name, series in outcomes.items():
        if len(series) < MIN_OUTCOME_DAYS:
            not_testable.append(
                {"candidate": "everything", "outcome": outcome_name,
                 "reason": f"{days_text(len(series))} of {outcome_name} logged (needs {MIN_OUTCOME_DAYS})"}
            )  # fmt: skip
            continue
        residuals = detrended(series)
        for lag in LAGS:
            raw_by[outcome_name, lag] = shift(series, lag)
        by_lag = {lag: shift(residuals, lag) for lag in LAGS}
        for candidate in candidates:
            reasons = []
            for lag in LAGS:
                result = test_one(candidate, outcome_name, by_lag[lag], lag, ranked, ordered[candidate.name])
                if isinstance(result, str):
                    reasons.append(result)
                else:
                    tests.append(result)
            if len(reasons) == len(LAGS):
                not_testable.append({"candidate": candidate.name, "outcome": outcome_name, "reason": reasons[0]})
    for test, q in zip(tests, benjamini_hochberg([t.p for t in tests]), strict=True):
        test.q = q
    found = [t for t in tests if t.q <= Q_LEVEL and abs(t.rho) >= MIN_RHO]
    found.sort(key=lambda t: (t.q, -abs(t.rho), t.candidate, t.outcome, t.lag))
    for test in found[:MAX_FINDINGS]:
        describe(test, by_name[test.candidate], raw_by[test.outcome, test.lag])
    return Insights(len(tests), found[:MAX_FINDINGS], not_testable)


def sentence(test: Test) -> str:
    """A finding in plain words with its numbers, and what it is not."""
    direction = "higher" if test.rho > 0 else "lower"
    when = "the next day" if test.lag else ""
    numbers = f"ρ {test.rho:.2f}, 95% CI {test.ci[0]:.2f} to {test.ci[1]:.2f}, {test.n} days"
    if test.binary:
        lead = f"On days with {test.label}" if not test.lag else f"After days with {test.label}"
        medians = f"median {test.median_with:g} vs {test.median_without:g}; "
        text = f"{lead} your {test.outcome} was {direction}{' ' + when if when else ''} ({medians}{numbers})"
    else:
        lead = f"With {test.label}" if not test.lag else f"After days with {test.label}"
        text = f"{lead} your {test.outcome} was {direction}{' ' + when if when else ''} ({numbers})"
    return text + ": an association, not a cause."


# From entries to daily series ---------------------------------------------------------------------------

OUTCOMES = {"mood": "mood", "anxiety": "anxiety", "energy": "energy", "thoughts": "thought loops"}
SINCE_SESSION = ((0, 1, "0-1"), (2, 3, "2-3"), (4, 7, "4-7"), (8, 10_000, "8+"))


def _mean_by_day(pairs) -> dict[date, float]:
    days: dict[date, list[float]] = {}
    for day, value in pairs:
        days.setdefault(day, []).append(value)
    return {day: statistics.fmean(values) for day, values in days.items()}


PHONE_LABELS = {  # how a sentence names a phone metric
    "sleep_hours": "more sleep", "resting_hr": "a higher resting heart rate", "hrv_sdnn": "higher HRV (SDNN)",
    "hrv_rmssd": "higher HRV (RMSSD)", "mindful_minutes": "more mindful minutes",
}  # fmt: skip


def daily_inputs(
    checkins, journal, sessions, events, surveys, phone_days=()
) -> tuple[list[Candidate], dict[str, dict[date, float]]]:
    """Candidates and outcomes as daily series. A binary candidate is 0 only on days something was logged
    (a check-in or a note); a day nobody logged is missing. Session candidates exist on session days only."""
    logged = {c.at.date() for c in checkins} | {j.at.date() for j in journal}
    outcomes = {
        label: _mean_by_day((c.at.date(), getattr(c, name)) for c in checkins if getattr(c, name) is not None)
        for name, label in OUTCOMES.items()
    }
    from ketalog.instruments import GAD7, PHQ9

    for instrument, label in ((PHQ9.id, PHQ9.name), (GAD7.id, GAD7.name)):
        outcomes[label] = _mean_by_day(
            (s.at.date(), s.total) for s in surveys if s.instrument == instrument and s.total is not None
        )
    candidates: list[Candidate] = []
    tagged: dict[str, set[date]] = {}
    for entry in [*checkins, *journal]:
        for tag in entry.tags:
            tagged.setdefault(tag.lower(), set()).add(entry.at.date())
    for tag in sorted(tagged):
        candidates.append(Candidate(f"tag {tag}", f"`{tag}`", True, {day: float(day in tagged[tag]) for day in logged}))
    sleep_hours = _mean_by_day((c.at.date(), c.sleep_hours) for c in checkins if c.sleep_hours is not None)
    candidates.append(Candidate("sleep hours", "more sleep (hours)", False, sleep_hours))
    sleep = _mean_by_day((c.at.date(), c.sleep) for c in checkins if c.sleep is not None)
    candidates.append(Candidate("sleep quality", "better sleep (rated)", False, sleep))
    by_day = {}
    for session in sorted(sessions, key=lambda s: s.at):
        by_day[session.at.date()] = session
    if by_day:
        therapy = {day: float(bool(s.therapy)) for day, s in by_day.items() if s.therapy is not None}
        candidates.append(Candidate("therapy on session days", "therapy on a session day", True, therapy))
        effects = sorted({name for s in by_day.values() for name in s.side_effects})
        for name in effects:
            values = {day: float(name in s.side_effects) for day, s in by_day.items()}
            candidates.append(Candidate(f"side effect {name}", f"`{name}` after a session", True, values))
        from bisect import bisect_right

        session_days = sorted(by_day)
        since: dict[date, int] = {}
        for day in sorted(logged):
            at = bisect_right(session_days, day)
            if at:
                since[day] = (day - session_days[at - 1]).days
        for low, high, name in SINCE_SESSION:
            values = {day: float(low <= gap <= high) for day, gap in since.items()}
            candidates.append(Candidate(f"days since a session {name}", f"{name} days since a session", True, values))
    took: dict[str, set[date]] = {}
    for event in events:
        if event.event == "took":
            took.setdefault(event.name or event.medication, set()).add(event.at.date())
    for name in sorted(took):
        values = {day: float(day in took[name]) for day in logged | took[name]}
        candidates.append(Candidate(f"took {name}", f"a dose of {name}", True, values))
    phone: dict[tuple[str, str], dict[date, float]] = {}
    for day, source, metric, value in phone_days:  # what the phone measured: numeric, each source its own
        if metric in PHONE_LABELS:
            phone.setdefault((metric, source), {})[date.fromisoformat(day)] = value
    for (metric, source), values in sorted(phone.items()):
        from ketalog.formats.health import SOURCE_NAMES

        where = SOURCE_NAMES.get(source, source)
        candidates.append(Candidate(f"{metric} ({source})", f"{PHONE_LABELS[metric]} ({where})", False, values))
    return candidates, outcomes
