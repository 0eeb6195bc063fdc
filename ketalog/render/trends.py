"""`ketalog trends` as a Rich table, with a sparkline for every numeric column underneath."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ketalog.progress import instrument_name
from ketalog.render.sparkline import sparkline
from ketalog.render.terminal import cell
from ketalog.render.text import visible
from ketalog.validation import RATING_NAMES, RATINGS

SHORT = {name: rating.short for name, rating in RATINGS.items()}


def _cell(value) -> str:
    return "" if value is None else f"{value:g}"


Column = tuple[str, list, float | None, float | None]  # label, values, low, high


def _sparklines(columns: list[Column]) -> Text:
    width = max((len(label) for label, *_ in columns), default=0)
    lines = [f"{label:<{width}}  {sparkline(values, low, high)}" for label, values, low, high in columns]
    return Text("Trend, oldest to newest:\n" + "\n".join(lines))


def period_view(rows: list[dict], by: str) -> Group:
    instruments = sorted({key for row in rows for key in row["instruments"]})
    ratings = [name for name in RATING_NAMES if any(row["ratings"].get(name) is not None for row in rows)]
    table = Table(title=f"Means per {by}", box=None, header_style="bold", pad_edge=False)
    table.add_column("week of" if by == "week" else by, no_wrap=True)
    table.add_column("n", justify="right")
    for name in ratings:
        table.add_column(SHORT[name], justify="right", no_wrap=True)
    for instrument in instruments:
        table.add_column(cell(instrument_name(instrument)), justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            row["period"],
            str(row["checkins"]),
            *(_cell(row["ratings"].get(n)) for n in ratings),
            *(_cell(row["instruments"].get(i)) for i in instruments),
        )
    columns: list[Column] = [(SHORT[n], [row["ratings"].get(n) for row in rows], 0, 10) for n in ratings]
    columns += [
        (visible(instrument_name(i)), [row["instruments"].get(i) for row in rows], None, None) for i in instruments
    ]
    return Group(
        table,
        Text(""),
        _sparklines(columns),
        Text("n = check-ins. Questionnaire columns are mean totals.", style="dim"),
    )


def session_view(rows: list[dict]) -> Group:
    table = Table(title="Sessions and the days that followed", box=None, header_style="bold", pad_edge=False)
    table.add_column("date", no_wrap=True)
    table.add_column("route", no_wrap=True)
    table.add_column("dose", no_wrap=True)
    table.add_column("diss", justify="right")
    table.add_column("side effects", overflow="fold")
    for header in ("mood", "anx", "loops", "energy", "lifted"):
        table.add_column(header, justify="right", no_wrap=True)
    for row in rows:
        ratings = row["ratings"]
        lifted = row["mood_lifted_days"]
        mark = {"next_session_first": ">=", "ongoing": "+"}.get(row["durability"], "")
        table.add_row(
            row["at"][:10],
            row["route"],
            row["dose"] or "",
            _cell(row["dissociation"]),
            cell(", ".join(row["side_effects"])),
            _cell(ratings["mood"]),
            _cell(ratings["anxiety"]),
            _cell(ratings["thoughts"]),
            _cell(ratings["energy"]),
            "" if lifted is None else (f">={lifted} d" if mark == ">=" else f"{lifted} d{mark}"),
        )
    columns: list[Column] = [
        (label, [r["ratings"][name] for r in rows], 0, 10)
        for label, name in (("mood", "mood"), ("anx", "anxiety"), ("loops", "thoughts"), ("energy", "energy"))
    ]
    columns.append(("lifted", [r["mood_lifted_days"] for r in rows], 0, None))
    note = Text(
        'Ratings are means of the check-ins until the next session. "lifted": local days until the daily '
        'mean mood fell below its course baseline + 1 (">=": the next session came first; "+": still up).',
        style="dim",
    )
    return Group(table, Text(""), _sparklines(columns), note)


def print_trends(rows: list[dict], by: str) -> None:
    Console(highlight=False).print(session_view(rows) if by == "session" else period_view(rows, by))
