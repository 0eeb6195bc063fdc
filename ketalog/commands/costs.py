"""`ketalog costs`: what sessions cost, totalled by month, year or course; a list for an insurance claim."""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ketalog.commands.common import JsonOpt, SinceOpt, UntilOpt, emit, one_delimited_format, period, state


class CostBy(str, Enum):
    month = "month"
    year = "year"
    course = "course"


CSV_COLUMNS = ("date", "clinic", "provider", "route", "dose", "cost")


def costs_command(
    ctx: typer.Context,
    by: Annotated[CostBy, typer.Option("--by", help="Totals per month, year or course.")] = CostBy.month,
    since: SinceOpt = None,
    until: UntilOpt = None,
    csv_file: Annotated[
        Optional[Path],
        typer.Option(
            "--csv", metavar="FILE", help="Also write the per-session list as CSV (0600), for a claim; - for stdout."
        ),
    ] = None,
    tsv_file: Annotated[
        Optional[Path],
        typer.Option("--tsv", metavar="FILE", help="The same list tab-separated; - for stdout."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """What sessions cost: totals by month, year or course; CSV.

    Costs are what you logged with `add --cost` (or `edit ID --cost`), in your currency.

    Examples:
      ketalog costs
      ketalog costs --by course --since 2026-01-01
      ketalog costs --csv claim.csv
      ketalog costs --since 2026-01-01 --tsv - | cut -f1,6
    """
    from ketalog import costs, store

    start, end = period(state(ctx), since, until)
    with state(ctx).open(write=False) as db:
        data = costs.summary(store.sessions_between(db, start, end), store.courses(db), by.value)
    one_delimited_format(csv_file is not None, tsv_file is not None)
    written = csv_file or tsv_file
    if written is not None:
        _write_list(ctx, written, data["sessions"], tsv=tsv_file is not None)
        if str(written) == "-":
            return  # the list is the output
    emit(data, as_json, _text(data, written))


def _text(data: dict, csv_file: Path | None) -> str:
    if not data["sessions"]:
        return "No session costs logged" + (" in this period" if data["without_cost"] else "") + ": `add --cost 450`."
    width = max(len(row["period"]) for row in data["groups"])
    lines = [f"{row['at'][:10]}  {row['cost']:>10,.2f}  {_session_words(row)}" for row in data["sessions"]]
    lines += ["", f"Per {data['by']}:"]
    from ketalog.render.text import count_of, visible

    lines += [
        f"  {g['period']:<{width}}  {g['total']:>10,.2f}  ({count_of(g['sessions'], 'session')})"
        for g in data["groups"]
    ]
    lines.append(f"Total {data['total']:,.2f} for {count_of(len(data['sessions']), 'session')}.")
    if data["without_cost"]:
        lines.append(f"Not counted: {count_of(data['without_cost'], 'session')} without a logged cost.")
    if csv_file is not None:
        lines.append(f"Wrote {csv_file}.")
    return visible("\n".join(lines))


def _session_words(row: dict) -> str:
    return " · ".join(part for part in (row["route"], row["dose"], row["clinic"], row["provider"]) if part)


def _write_list(ctx: typer.Context, path: Path, rows: list[dict], tsv: bool) -> None:
    from ketalog.db import companion_files
    from ketalog.files import private_output
    from ketalog.render.delimited import write_rows

    values = [(row["at"][:10], *(row[key] for key in CSV_COLUMNS[1:-1]), f"{row['cost']:.2f}") for row in rows]
    field = "--tsv" if tsv else "--csv"
    with private_output(path, field=field, protected=companion_files(state(ctx).path)) as handle:
        write_rows(handle, CSV_COLUMNS, values, tsv=tsv)


COMMANDS = {"costs": costs_command}
