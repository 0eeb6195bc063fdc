"""The CLI as a newcomer meets it (issue 25): groups typed alone, the demo in every format, output names
that make no sense refused in one line."""

from __future__ import annotations

import pytest
from helpers import run_ketalog


@pytest.mark.parametrize("group", ["plan", "med", "survey", "visit", "config", "remind", "course"])
def test_a_group_typed_alone_prints_its_help_and_exits_0(group):
    result = run_ketalog(group)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Usage: ketalog {group} ") and "\nCommands:\n" in result.stdout
    assert result.stderr == ""


def test_demo_as_pdf_goes_to_a_file_and_never_prints_text(tmp_path):
    result = run_ketalog("demo", "--format", "pdf")
    assert result.returncode == 2 and "a PDF goes to a file" in result.stderr and result.stdout == ""
    pytest.importorskip("weasyprint")
    target = tmp_path / "demo.pdf"
    result = run_ketalog("demo", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["report", "-o", "visit.docx"], "visit.docx: ketalog writes"),
        (["report", "-o", ""], "is a folder; give a file name"),
        (["demo", "-o", "x.docx"], "x.docx: ketalog writes"),
    ],
)
def test_output_names_that_make_no_sense_are_refused_in_one_line(cli, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    result = cli(*args, expect=2)
    assert words in result.stderr and result.stderr.count("\n") == 1
    assert not list(tmp_path.glob("visit*")) and not list(tmp_path.glob("x.*"))


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        ("128/80", "185/112", "hypertensive-crisis range"),
        ("128/80", "164/96", "at or above 160/100"),
        ("150/92", "150/92", "above 140/90"),
    ],
)
def test_a_blood_pressure_the_report_would_flag_is_said_when_it_is_logged(cli, before, after, words):
    out = cli("add", "--route", "iv", "--bp-before", before, "--bp-after", after, "--no-input").stdout
    assert words in out
    data = __import__("json").loads(cli("report", "--format", "json").stdout)
    assert {"blood_pressure", "blood_pressure_very_high"} & {flag["id"] for flag in data["flags"]}


def test_an_ordinary_reading_says_nothing_and_an_edit_into_the_crisis_range_is_said(cli):
    out = cli("add", "--route", "iv", "--bp-before", "122/80", "--bp-after", "138/86", "--no-input").stdout
    assert "Blood pressure" not in out
    session_id = cli.json("list", "--json")[0]["id"]
    edited = cli("edit", session_id[:8], "--bp-after", "182/100")
    assert "hypertensive-crisis range" in edited.stdout
    as_json = cli("edit", session_id[:8], "--bp-after", "183/100", "--json")
    assert "hypertensive-crisis range" in as_json.stderr and as_json.stdout.lstrip().startswith("{")


def test_prose_is_wrapped_at_spaces_to_the_terminal_and_json_never(monkeypatch, capsys):
    from ketalog import crisis
    from ketalog.commands import common

    monkeypatch.setattr(common, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(common, "_terminal_width", lambda: 80)
    monkeypatch.setenv("NO_COLOR", "1")
    common.announce_safety()
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert " ".join(out.split()) == " ".join(crisis.text().split())  # every word whole, none broken
    common.emit({"note": "word " * 40}, True, "")
    assert len(capsys.readouterr().out.splitlines()) == 3  # {, the one long line, }
    monkeypatch.setattr(common, "_terminal_width", lambda: 300)
    common.say("x " * 120)
    assert len(capsys.readouterr().out.splitlines()[0]) <= common.PAGE


def test_the_crisis_text_stands_out_at_a_terminal_unless_no_color(monkeypatch, capsys):
    from ketalog.commands import common

    monkeypatch.setattr(common, "_is_terminal", lambda stream: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    common.announce_safety()
    assert "\x1b[1m" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    common.announce_safety()
    assert "\x1b[" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "args", [["list", "--json", "--csv"], ["list", "--csv", "--tsv"], ["status", "--short", "--json"]]
)
def test_output_options_that_exclude_each_other_are_refused_in_one_line(cli, args):
    error = cli(*args, expect=2).stderr
    assert "choose one of them" in error and error.count("\n") == 1


def test_list_finds_by_tag_and_words_like_jrnl_and_says_how_many_it_left_out(cli):
    cli("checkin", "--mood", "5", "--tag", "Work", "--note", "long day", "--at", "2026-03-01 20:00")
    cli("checkin", "--mood", "6", "--tag", "rest", "--at", "2026-03-02 20:00")
    cli("journal", "Talked about Booster timing with Dr K", "--tag", "work", "--at", "2026-03-03 20:00")
    cli("add", "--route", "iv", "--intention", "notice the booster effect", "--at", "2026-03-04 10:00")
    tagged = cli.json("list", "--tag", "work", "--json")
    assert {entry["kind"] for entry in tagged} == {"checkin", "journal"} and len(tagged) == 2
    found = cli.json("list", "--search", "BOOSTER", "--json")
    assert {entry["kind"] for entry in found} == {"journal", "session"}
    assert [e["kind"] for e in cli.json("list", "--search", "booster timing", "--json")] == ["journal"]
    page = cli("list", "-n", "2")
    assert "2 of 4, newest first" in page.stderr
    assert "No entries match." in cli("list", "--search", "nothing-like-this").stdout


def test_export_over_an_existing_file_needs_a_yes_or_force(cli, tmp_path):
    cli("checkin", "--mood", "5")
    target = tmp_path / "mine.json"
    target.write_text("my own notes")
    error = cli("export", "-o", str(target), expect=2).stderr
    assert "already exists; --force replaces it" in error and target.read_text() == "my own notes"
    cli("export", "-o", str(target), "--force")
    assert target.read_text().startswith("{")


def test_a_demo_databases_report_says_demo_and_never_the_persons_name(cli, tmp_path):
    cli("config", "set", "name", "Alex Doe")
    cli("config", "set", "clinic", "Calm Clinic")
    demo = tmp_path / "demo.db"
    cli("demo", "--db", str(demo), "--format", "json")
    for fmt in ("text", "markdown", "html"):
        page = cli("--db", str(demo), "report", "--format", fmt).stdout
        assert "DEMO DATA" in page and "Alex Doe" not in page and "Calm Clinic" not in page, fmt
    cli("checkin", "--mood", "5")  # the person's own diary keeps their name
    assert "For Alex Doe · Calm Clinic." in cli("report").stdout


def test_show_is_in_local_time_with_bookkeeping_last_and_plan_show_names_weekdays(cli):
    entry = cli.json("checkin", "--mood", "5", "--note", "hello", "--at", "2026-03-04 14:30")
    text = cli("show", entry["id"][:8]).stdout
    labels = [line.split()[0] for line in text.splitlines()]
    assert labels[:2] == ["kind", "when"] and labels[-3:] == ["id", "created", "updated"]
    assert "when     2026-03-04 14:30 (UTC+00:00)" in text and "created  2026-03-10 10:00" in text
    cli("plan", "set", "--template", "iv-induction", "--start", "2026-03-02")
    assert cli("plan", "show").stdout.startswith("Mon 2026-03-02  ")


def test_edit_relinks_a_reflection_to_another_session_and_clear_unlinks_it(cli, db_path):
    from helpers import rows

    first = cli.json("add", "--route", "iv", "--at", "2026-03-02 10:00", "--json", "--no-input")
    second = cli.json("add", "--route", "iv", "--at", "2026-03-04 10:00", "--json", "--no-input")
    note = cli.json("journal", "Calmer", "--session", first["id"][:8], "--json")
    cli("edit", note["id"][:8], "--session", second["id"][:8])
    assert rows(db_path, "SELECT session_id FROM journal") == [(second["id"],)]
    cli("edit", note["id"][:8], "--clear", "session")
    assert rows(db_path, "SELECT session_id FROM journal") == [(None,)]
    error = cli("edit", note["id"][:8], "--session", note["id"][:8], expect=2).stderr
    assert "is a journal, not a session" in error
