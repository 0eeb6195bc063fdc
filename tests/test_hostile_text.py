"""Stored or file-derived text never reaches a terminal, a spreadsheet or a calendar raw.

One hostile string goes into every text field a person or a file can fill; then every command
that prints, exports or writes a calendar runs, and no byte of it may arrive able to act: no ESC,
BEL, C1 control (CSI, OSC as single bytes) or bidirectional override. JSON keeps the text exactly,
escaped; everything else shows it visibly (``render.text.visible``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from helpers import rows

# OSC 52 writes the clipboard, OSC 0 retitles the window, CSI clears the screen, 0x9b is a one-byte CSI,
# U+202E and U+2066 reorder what is shown ("Trojan Source").
HOSTILE = "\x1b]52;c;cHduZWQ=\x07\x1b]0;owned\x07\x1b[2J\x9b31m\u202eevil\u2066x\x08\r"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_inert(text: str, where: str) -> None:
    found = RAW.search(text)
    assert found is None, (
        f"{where}: raw {found.group()!r} at {found.start()}: {text[max(0, found.start() - 40) :][:80]!r}"
    )


@pytest.fixture
def hostile(cli, db_path, monkeypatch):
    """A diary with the hostile string in every text field, set through the CLI."""
    cli(
        "add", "--route", "iv", "--dose", "0.5mg/kg", "--at", "2026-03-02 10:00", "--clinic", HOSTILE,
        "--provider", HOSTILE, "--intention", HOSTILE, "--note", HOSTILE, "--cost", "400",
        "--side-effect", "x" + HOSTILE,
    )  # fmt: skip
    cli("checkin", "--mood", "4", "--note", HOSTILE, "--tag", "t" + HOSTILE, "--at", "2026-03-03 20:00")
    cli("journal", HOSTILE, "--tag", "j" + HOSTILE, "--at", "2026-03-03 21:00")
    cli("survey", "log", "scale" + HOSTILE, "12", "--at", "2026-03-04 10:00")
    cli("med", "add", "med" + HOSTILE, "--dose", HOSTILE, "--schedule", HOSTILE, "--note", HOSTILE,
        "--class", "other", "--start", "2026-01-04")  # fmt: skip
    cli("visit", "add", "--at", "2026-03-05 15:00", "--note", HOSTILE)
    cli("plan", "add", "2026-03-20", "--note", HOSTILE)
    # `config set` refuses control characters; a hand-edited file can still hold them.
    config = Path(os.environ["KETALOG_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"name = {json.dumps('name' + HOSTILE)}\nclinic = {json.dumps('clinic' + HOSTILE)}\n")
    return db_path


def test_the_hostile_text_is_stored_as_given(hostile):
    assert rows(hostile, "SELECT note FROM sessions") == [(HOSTILE,)]


READS = [
    ("list",),
    ("list", "--csv"),
    ("list", "--tsv"),
    ("status",),
    ("progress",),
    ("trends",),
    ("trends", "--csv"),
    ("trends", "--tsv"),
    ("trends", "--by", "session"),
    ("report",),
    ("report", "--format", "markdown"),
    ("report", "--format", "html"),
    ("costs",),
    ("costs", "--csv", "-"),
    ("costs", "--tsv", "-"),
    ("config", "show"),
    ("plan", "show"),
    ("med", "list"),
    ("visit", "list"),
    ("course", "list"),
    ("info",),
]


@pytest.mark.parametrize("command", READS, ids=" ".join)
def test_no_command_prints_stored_text_raw(cli, hostile, command):
    result = cli(*command)
    assert_inert(result.stdout, "stdout")
    assert_inert(result.stderr, "stderr")


def test_show_prints_every_entry_inert(cli, hostile):
    for entry in cli.json("list", "--limit", "0"):
        result = cli("show", entry["id"][:8])
        assert_inert(result.stdout + result.stderr, entry["kind"])


def test_json_keeps_the_text_exactly_and_escaped(cli, hostile):
    raw = cli("list", "--json").stdout
    assert_inert(raw, "json")
    assert HOSTILE in {entry.get("note") for entry in json.loads(raw)}


def test_confirmations_echo_what_was_typed_inert(cli, db_path):
    for command in (
        ("checkin", "--mood", "4", "--note", HOSTILE),
        ("journal", HOSTILE),
        ("survey", "log", "scale" + HOSTILE, "3"),
        ("med", "add", "m" + HOSTILE, "--class", "other"),
        ("plan", "add", "2026-03-20", "--note", HOSTILE),
        ("visit", "add", "--note", HOSTILE),
    ):
        result = cli(*command)
        assert_inert(result.stdout + result.stderr, " ".join(command[:2]))
    refused = cli("config", "set", "clinic", HOSTILE, expect=2)
    assert_inert(refused.stdout + refused.stderr, "config set")


def test_files_written_for_other_programs_are_inert(cli, hostile, tmp_path):
    cli("export", "--format", "csv", "-o", str(tmp_path / "csv"))
    for path in sorted((tmp_path / "csv").iterdir()):
        text = path.read_text(encoding="utf-8")
        # A CSV's own line ends are CRLF; any other control character is the text's and must be inert.
        assert_inert(text.replace("\r\n", "\n"), path.name)
    cli("plan", "export", "--ics", str(tmp_path / "plan.ics"))
    assert_inert((tmp_path / "plan.ics").read_text(encoding="utf-8").replace("\r\n", "\n"), "ics")
    cli("report", "-o", str(tmp_path / "r.md"))
    assert_inert((tmp_path / "r.md").read_text(encoding="utf-8"), "markdown report")


def test_an_import_never_echoes_a_files_text_raw(cli, tmp_path):
    daylio = tmp_path / "daylio.csv"
    daylio.write_text(
        "full_date,date,weekday,time,mood,activities,note_title,note\n"
        f"2026-03-01,March 1,Sunday,20:00,{'m' + HOSTILE},work,,hello\n",
        encoding="utf-8",
    )
    result = cli("import", str(daylio), "--no-input", expect=2)
    assert_inert(result.stdout + result.stderr, "daylio mood hint")


def test_a_bare_cr_cannot_start_a_spreadsheet_row(cli, db_path, tmp_path):
    import csv

    cli("checkin", "--mood", "4", "--note", "fine\r=cmd|' /C calc'!A0", "--at", "2026-03-03 20:00")
    cli("export", "--format", "csv", "-o", str(tmp_path / "out"))
    raw = (tmp_path / "out" / "checkins.csv").read_bytes()
    assert raw.count(b"\r\n") == 2 and b"\r=" not in raw  # RFC 4180 line ends; the CR is a visible symbol
    with open(tmp_path / "out" / "checkins.csv", newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert len(table) == 2 and not any(cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)


def test_a_line_break_in_a_cell_is_quoted(cli, tmp_path):
    cli("journal", "line one\nline two", "--at", "2026-03-03 21:00")
    cli("export", "--format", "csv", "-o", str(tmp_path / "out"))
    assert '"line one\nline two"' in (tmp_path / "out" / "journal.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("flag", ["--csv", "--tsv"])
def test_trends_headers_are_defused_like_cells(cli, flag):
    cli("survey", "log", "=1+1", "5", "--at", "2026-03-04 10:00")
    header = cli("trends", flag).stdout.splitlines()[0]
    assert "'=1+1" in header and not any(cell.startswith("=") for cell in re.split("[,\t]", header))


@pytest.mark.parametrize("name", ["[/]x", "[link=https://example.invalid]y[/link]", "[bold]z"])
def test_a_scale_name_is_never_rich_markup_in_a_terminal(cli, monkeypatch, name):
    cli("survey", "log", name, "5", "--at", "2026-03-04 10:00")
    monkeypatch.setenv("FORCE_COLOR", "1")  # Rich draws for a terminal: the aligned table, markup if any
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    result = cli("trends")
    assert name in result.stdout and "\t" not in result.stdout


def test_commands_print_only_through_the_neutralising_say():
    commands = Path(__file__).resolve().parent.parent / "ketalog" / "commands"
    for module in commands.glob("*.py"):
        lines = [line for line in module.read_text().splitlines() if "typer.echo(" in line]
        if module.name == "common.py":  # say itself, and the blank line before a cancelled prompt's message
            assert all("visible(" in line or 'typer.echo("", err=True)' in line for line in lines), lines
        else:
            assert lines == [], module.name


def test_the_pdf_renderer_fetches_nothing_outside_the_page(tmp_path):
    weasyprint = pytest.importorskip("weasyprint")
    from ketalog.render.report_html import embedded_only

    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    fetcher = embedded_only(weasyprint)
    for url in (secret.as_uri(), "http://127.0.0.1:9/x.png", "ftp://127.0.0.1/x"):
        with pytest.raises(ValueError):
            fetcher(url)
    html = f'<link rel="stylesheet" href="{secret.as_uri()}"><img src="{secret.as_uri()}"><p>x</p>'
    assert weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()[:4] == b"%PDF"
