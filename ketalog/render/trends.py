"""`ketalog trends` as a table (Rich at a terminal, plain rows in a pipe or as CSV/TSV), with sparklines."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ketalog.reading.scores import instrument_name
from ketalog.render.sparkline import sparkline
from ketalog.render.terminal import cell, print_table
from ketalog.render.text import visible
from ketalog.validation import RATING_NAMES, RATINGS

SHORT = {name: rating.short for name, rating in RATINGS.items()}
SESSION_RATINGS = (("mood", "mood"), ("anx", "anxiety"), ("loops", "thoughts"), ("energy", "energy"))


def _cell(value) -> str:
    """Means to one decimal, counts as they are: "2.9" beside "3.0", never "2.86" beside "3"."""
    return "" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)


Column = tuple[str, list, float | None, float | None]  # label, values, low, high


def _sparklines(columns: list[Column]) -> Text:
    width = max((len(label) for label, *_ in columns), default=0)
    lines = [f"{label:<{width}}  {sparkline(values, low, high)}" for label, values, low, high in columns]
    return Text("Trend, oldest to newest:\n" + "\n".join(lines))


def period_grid(rows: list[dict], by: str) -> tuple[list[str], list[list]]:
    """Headers and raw values, one row per week or month: what the table, CSV and TSV all show."""
    from ketalog.formats.health import column_name

    instruments = sorted({key for row in rows for key in row["instruments"]})
    ratings = _rated(rows)
    slept = any(row.get("sleep_hours") is not None for row in rows)
    phone = sorted({key for row in rows for key in row.get("phone", {})})
    headers = ["week of" if by == "week" else by, "n", *(SHORT[n] for n in ratings)]
    headers += [visible(instrument_name(i)) for i in instruments]
    headers += ["sleep h (check-in)"] if slept and phone else []
    headers += [column_name(key) for key in phone]
    values = [
        [
            row["period"],
            row["checkins"],
            *(row["ratings"].get(n) for n in ratings),
            *(row["instruments"].get(i) for i in instruments),
            *([row.get("sleep_hours")] if slept and phone else []),
            *(row.get("phone", {}).get(key) for key in phone),
        ]
        for row in rows
    ]
    return headers, values


def _lifted(row: dict) -> str:
    lifted = row["mood_lifted_days"]
    if lifted is None:
        return ""
    return f">={lifted} d" if row["durability"] == "censored" else f"{lifted} d"  # censored: at least that long


def session_grid(rows: list[dict]) -> tuple[list[str], list[list]]:
    headers = ["date", "route", "dose", "diss", "side effects", *(label for label, _ in SESSION_RATINGS), "lifted"]
    values = [
        [
            row["at"][:10],
            row["route"],
            row["dose"] or "",
            row["dissociation"],
            ", ".join(row["side_effects"]),
            *(row["ratings"][name] for _, name in SESSION_RATINGS),
            _lifted(row),
        ]
        for row in rows
    ]
    return headers, values


def grid(rows: list[dict], by: str) -> tuple[list[str], list[list]]:
    return session_grid(rows) if by == "session" else period_grid(rows, by)


def _table(title: str, headers: list[str], values: list[list], left: int, wide: str | None = None) -> Table:
    table = Table(title=title, box=None, header_style="bold", pad_edge=False)
    for index, header in enumerate(headers):
        # A header is Text, never markup: a scale named "[/]x" would crash Rich, "[link=…]" hide a link.
        if header == wide:
            table.add_column(Text(header), overflow="fold")
        else:
            table.add_column(Text(header), justify="left" if index < left else "right", no_wrap=True)
    for row in values:
        table.add_row(*(cell(value) if isinstance(value, str) else _cell(value) for value in row))
    return table


def print_trends(rows: list[dict], by: str) -> None:
    out = Console(highlight=False)
    headers, values = grid(rows, by)
    if by == "session":
        print_table(_table("Sessions and the days that followed", headers, values, 3, "side effects"), out)
        columns: list[Column] = [(label, [r["ratings"][name] for r in rows], 0, 10) for label, name in SESSION_RATINGS]
        columns.append(("lifted", [r["mood_lifted_days"] for r in rows], 0, None))
        note = (
            'Ratings are means of the check-ins until the next session. "lifted": local days until the daily '
            'mean mood fell below its course baseline + 1 (">=": the next session came first; "+": still up).'
        )
    else:
        print_table(_table(f"Means per {by}", headers, values, 1), out)
        rated = 2 + len(_rated(rows))  # after "period" and "n": the 0-10 ratings, then questionnaire totals
        columns = [
            (header, [row[index] for row in values], *((0, 10) if index < rated else (None, None)))
            for index, header in enumerate(headers)
            if index >= 2
        ]
        note = "n = check-ins. Questionnaire columns are mean totals."
    out.print(Text(""))
    out.print(_sparklines(columns))
    out.print(Text(note, style="dim"))


def _rated(rows: list[dict]) -> list[str]:
    """The ratings with a value in any row: the grid's rating columns, in their order."""
    return [name for name in RATING_NAMES if any(row["ratings"].get(name) is not None for row in rows)]
