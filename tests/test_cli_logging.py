"""The everyday commands through the CLI: what they print, their exit codes, and what lands in the file."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from helpers import count, rows


def test_add_with_flags_stores_everything(cli, db_path):
    data = cli.json(
        "add",
        "--at",
        "yesterday 14:30",
        "--route",
        "iv",
        "--dose",
        "0.5 mg/kg",
        "--duration",
        "40",
        "--clinic",
        "Calm Clinic",
        "--provider",
        "Dr. Ávila",
        "--dissociation",
        "6",
        "--side-effect",
        "nausea",
        "--side-effect",
        "blurred vision",
        "--side-effect",
        "metallic taste",
        "--bp-before",
        "128/82",
        "--bp-after",
        "141/91",
        "--heart-rate",
        "72",
        "--cost",
        "450",
        "--therapy",
        "--intention",
        "be kinder to myself",
        "--note",
        "drove home? no, partner did",
    )
    assert data["number"] == 1 and data["route"] == "iv"
    assert (data["dose_amount"], data["dose_unit"]) == (0.5, "mg/kg")
    assert data["at"] == "2026-03-09T14:30:00+00:00"
    assert data["therapy"] is True and data["cost"] == 450
    assert sorted(data["side_effects"]) == ["blurred-vision", "metallic taste", "nausea"]
    stored = rows(db_path, "SELECT route, dose_amount, dose_unit, bp_after_sys, bp_after_dia, provider FROM sessions")
    assert stored == [("iv", 0.5, "mg/kg", 141, 91, "Dr. Ávila")]
    assert count(db_path, "side_effects") == 3
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_add_confirmation_counts_sessions_in_course_order(cli):
    cli("add", "--route", "iv", "--at", "2026-03-02 10:00")
    cli("add", "--route", "iv", "--at", "2026-03-06 10:00")
    result = cli("add", "--route", "iv", "--at", "2026-03-04 10:00")  # logged late, in between
    assert result.stdout.startswith("Session 2 logged")
    assert cli("add", "--route", "intranasal", "--drug", "esketamine", "--dose", "56mg").stdout.startswith(
        "Session 4 logged"
    )


def test_add_without_route_and_without_terminal_is_refused(cli, db_path):
    result = cli("add", "--dose", "56mg", expect=2)
    assert "--route" in result.stderr and "required" in result.stderr
    assert not db_path.exists()


BAD_ADDS = [
    (["--route", "rectal"], "--route"),
    (["--dose", "56"], "--dose"),
    (["--dose", "-1mg"], "--dose"),
    (["--duration", "0"], "--duration"),
    (["--duration", "601"], "--duration"),
    (["--duration", "forty"], "--duration"),
    (["--dissociation", "11"], "--dissociation"),
    (["--bp-before", "90/120"], "--bp-before"),
    (["--bp-after", "300/100"], "--bp-after"),
    (["--bp-after", "120"], "--bp-after"),
    (["--heart-rate", "500"], "--heart-rate"),
    (["--cost", "-5"], "--cost"),
    (["--at", "tomorrow"], "--at"),
    (["--at", "2026-03-11"], "--at"),
    (["--side-effect", " "], "--side-effect"),
]


@pytest.mark.parametrize("extra, field", BAD_ADDS)
def test_bad_session_input_is_one_line_exit_2_nothing_written(cli, db_path, extra, field):
    args = ["add", "--route", "iv", *extra] if extra[0] != "--route" else ["add", *extra]
    result = cli(*args, expect=2)
    assert result.stderr.count("\n") == 1 and field in result.stderr
    assert "Traceback" not in result.output
    assert count(db_path, "sessions") == 0


def test_checkin_stores_ratings(cli, db_path):
    data = cli.json(
        "checkin",
        "--mood",
        "6",
        "--anxiety",
        "3",
        "--pain",
        "0",
        "--energy",
        "5",
        "--motivation",
        "4",
        "--sleep",
        "7",
        "--thoughts",
        "2",
        "--sleep-hours",
        "7.5",
        "--note",
        "walked 🌿",
        "--at",
        "today 08:00",
    )
    assert data["mood"] == 6 and data["thoughts"] == 2 and data["sleep_hours"] == 7.5
    assert rows(db_path, "SELECT mood, pain, note, local_date FROM checkins") == [(6, 0, "walked 🌿", "2026-03-10")]


@pytest.mark.parametrize(
    "args, field",
    [
        ([], "ratings"),
        (["--note", "only a note"], "ratings"),
        (["--mood", "11"], "--mood"),
        (["--anxiety", "-1"], "--anxiety"),
        (["--pain", "2.5"], "--pain"),
        (["--sleep-hours", "25"], "--sleep-hours"),
        (["--mood", "5", "--thoughts", "x"], "--thoughts"),
    ],
)
def test_bad_checkin_input(cli, db_path, args, field):
    result = cli("checkin", *args, expect=2)
    assert field in result.stderr
    assert count(db_path, "checkins") == 0


def test_journal_from_argument_and_stdin(cli, db_path):
    text = "Ich fühlte mich leichter.\n\nSecond paragraph — with ✨ and 'quotes'."
    cli("journal", text, "--tag", "kap", "--tag", "integration")
    cli("journal", input="piped in\n")
    stored = {row[0] for row in rows(db_path, "SELECT text FROM journal")}
    assert stored == {text, "piped in"}
    tags = {row[0] for row in rows(db_path, "SELECT tag FROM journal_tags")}
    assert tags == {"kap", "integration"}


def test_journal_through_editor(tmp_path, db_path):
    """$EDITOR is used when there is no text and stdin is a terminal (pseudo-terminal)."""
    pexpect = pytest.importorskip("pexpect")
    editor = tmp_path / "fake-editor"
    editor.write_text(f"#!{sys.executable}\nimport sys\nopen(sys.argv[1], 'w').write('from the editor\\n')\n")
    editor.chmod(0o755)
    import os

    child = pexpect.spawn(
        sys.executable,
        ["-m", "ketalog", "journal"],
        env={**os.environ, "EDITOR": str(editor)},
        encoding="utf-8",
        timeout=30,
    )
    child.expect("Journal note saved")
    child.expect(pexpect.EOF)
    assert rows(db_path, "SELECT text FROM journal") == [("from the editor",)]


def test_empty_journal_is_refused(cli, db_path):
    result = cli("journal", "   ", expect=2)
    assert "empty" in result.stderr
    assert count(db_path, "journal") == 0


def test_long_unicode_text_is_stored_exactly(cli, db_path):
    text = ("😀 naïve 日本語 \t tabs " * 2000) + "\r\nend"
    cli("journal", text)
    assert rows(db_path, "SELECT text FROM journal") == [(text,)]


@pytest.fixture
def history(cli):
    cli("checkin", "--mood", "3", "--at", "2026-03-01 09:00")
    cli("add", "--route", "iv", "--dose", "0.5mg/kg", "--at", "2026-03-02 10:00")
    cli("journal", "first session done", "--at", "2026-03-02 20:00")
    cli("checkin", "--mood", "6", "--at", "2026-03-05 09:00")


def test_list_newest_first_and_filters(cli, history):
    entries = cli.json("list")
    assert [e["kind"] for e in entries] == ["checkin", "journal", "session", "checkin"]
    assert [e["kind"] for e in cli.json("list", "--kind", "checkin")] == ["checkin", "checkin"]
    assert len(cli.json("list", "--kind", "session", "--kind", "journal")) == 2
    assert [e["mood"] for e in cli.json("list", "--kind", "checkin", "--since", "2026-03-02")] == [6]
    assert [e["kind"] for e in cli.json("list", "--until", "2026-03-01")] == ["checkin"]
    assert [e["kind"] for e in cli.json("list", "--limit", "1")] == ["checkin"]
    assert cli.json("list", "--kind", "session")[0]["number"] == 1


def test_list_table_for_people(cli, history):
    output = cli("list").stdout
    assert "first session done" in output and "mood 6" in output and "#1 iv 0.5 mg/kg" in output


def test_list_bad_kind_and_empty(cli):
    assert "No entries yet" in cli("list").stdout
    assert "--kind" in cli("list", "--kind", "dream", expect=2).stderr


def test_show_by_prefix_and_unknown_or_ambiguous_ids(cli, history):
    entries = cli.json("list")
    target = entries[2]["id"]
    shown = cli.json("show", target[:5])
    assert shown["id"] == target and shown["kind"] == "session"
    assert "0.5 mg/kg" in cli("show", target[:5]).stdout
    assert "no entry" in cli("show", "ffffffffffff", expect=2).stderr
    assert "start of one" in cli("show", "not-hex", expect=2).stderr
    assert "start of one" in cli("show", "", expect=2).stderr


def test_ambiguous_prefix(cli, db_path):
    for _ in range(40):
        cli("checkin", "--mood", "5")
    ids = [e["id"] for e in cli.json("list", "--limit", "0")]
    by_first = {}
    for entry_id in ids:
        by_first.setdefault(entry_id[0], []).append(entry_id)
    shared = next(prefix for prefix, group in by_first.items() if len(group) > 1)
    assert "more than one" in cli("show", shared, expect=2).stderr


def test_edit_keeps_created_and_moves_updated(cli, history, monkeypatch, db_path):
    session = cli.json("list", "--kind", "session")[0]
    monkeypatch.setenv("KETALOG_NOW", "2026-03-10T12:00:00+00:00")
    edited = cli.json(
        "edit",
        session["id"][:6],
        "--dose",
        "0.75mg/kg",
        "--side-effect",
        "dizziness",
        "--bp-before",
        "150/95",
        "--note",
        "revised",
    )
    assert edited["dose_amount"] == 0.75 and edited["side_effects"] == ["dizziness"]
    assert edited["created_at"] == session["created_at"] == "2026-03-10T10:00:00Z"
    assert edited["updated_at"] == "2026-03-10T12:00:00Z"
    assert edited["route"] == "iv"  # untouched fields stay
    checkin = cli.json("list", "--kind", "checkin")[0]
    assert cli.json("edit", checkin["id"][:6], "--mood", "7", "--at", "2026-03-05 21:00")["mood"] == 7
    note = cli.json("list", "--kind", "journal")[0]
    assert cli.json("edit", note["id"][:6], "--text", "rewritten", "--tag", "x")["tags"] == ["x"]


def test_edit_refuses_wrong_fields_and_bad_values(cli, history, db_path):
    session = cli.json("list", "--kind", "session")[0]["id"][:6]
    assert "not a field of a session" in cli("edit", session, "--mood", "3", expect=2).stderr
    assert "nothing to change" in cli("edit", session, expect=2).stderr
    assert "--bp-after" in cli("edit", session, "--bp-after", "80/90", expect=2).stderr
    assert rows(db_path, "SELECT bp_after_sys, updated_at FROM sessions") == [(None, "2026-03-10T10:00:00Z")]


def test_delete_needs_confirmation(cli, history, db_path):
    note = cli.json("list", "--kind", "session")[0]["id"]
    assert "--yes" in cli("delete", note[:6], expect=2).stderr
    assert count(db_path, "sessions") == 1
    assert "Deleted session" in cli("delete", note[:6], "--yes").stdout
    assert count(db_path, "sessions") == 0


def test_info_reports_path_version_counts(cli, history, db_path):
    data = cli.json("info")
    assert data["path"] == str(db_path) and data["exists"] is True
    assert data["schema_version"] == data["latest_schema_version"] >= 1
    assert data["counts"]["sessions"] == 1 and data["counts"]["checkins"] == 2
    assert data["mode"] == "0600"
    text = cli("info").stdout
    assert str(db_path) in text and "mode 0600" in text
    values = [line.index(line.split("  ")[-1].strip()) for line in text.splitlines() if "  " in line]
    assert len(set(values)) == 1  # every value starts in one column ("medication events" included)


def test_the_first_write_says_where_the_diary_was_made_and_a_refused_one_leaves_nothing(cli, db_path):
    refused = cli("med", "change", "sertraline", "--dose", "5 mg", expect=2)
    assert "Created your diary" not in refused.stderr and not db_path.exists()
    assert not db_path.with_name(db_path.name + ".lock").exists()
    first = cli("checkin", "--mood", "5")
    assert f"Created your diary at {db_path} (mode 0600)." in first.stderr
    assert "Created your diary" not in cli("checkin", "--mood", "6").stderr


def test_info_on_a_fresh_machine_creates_nothing(cli, db_path):
    assert "not created yet" in cli("info").stdout
    assert not db_path.exists()


def test_db_option_beats_environment(cli, tmp_path, db_path):
    other = tmp_path / "elsewhere.db"
    cli("--db", str(other), "checkin", "--mood", "4")
    assert count(other, "checkins") == 1 and not db_path.exists()


def test_version_and_help(cli):
    assert cli("--version").stdout.startswith("ketalog ")
    for command in ("add", "checkin", "journal", "list", "show", "edit", "delete", "info"):
        assert "Usage:" in cli(command, "--help").stdout
    assert "--side-effect" in cli("add", "--help").stdout


def test_checkin_tags_stored_listed_and_replaced(cli, db_path):
    entry = cli.json("checkin", "--mood", "6", "--tag", "walk", "--tag", "friends", "--tag", "walk")
    assert entry["tags"] == ["friends", "walk"]
    assert "#friends #walk" in cli("list").stdout
    assert cli.json("edit", entry["id"][:8], "--tag", "rest")["tags"] == ["rest"]
    assert "--tag" in cli("checkin", "--mood", "5", "--tag", " ", expect=2).stderr


def test_edit_clear_empties_fields(cli, db_path):
    session = cli.json(
        "add", "--route", "iv", "--dose", "56mg", "--bp-after", "150/95", "--note", "typo", "--side-effect", "nausea"
    )
    cleared = cli.json("edit", session["id"][:8], "--clear", "bp-after", "--clear", "dose", "--clear", "side-effects")
    assert (cleared["bp_after_sys"], cleared["bp_after_dia"], cleared["dose_amount"], cleared["dose_unit"]) == (
        None,
        None,
        None,
        None,
    )
    assert cleared["side_effects"] == [] and cleared["note"] == "typo" and cleared["route"] == "iv"
    assert count(db_path, "side_effects") == 0
    assert "can clear" in cli("edit", session["id"][:8], "--clear", "route", expect=2).stderr
    assert "both set and cleared" in cli("edit", session["id"][:8], "--note", "x", "--clear", "note", expect=2).stderr


def test_a_checkin_keeps_at_least_one_rating(cli, db_path):
    entry = cli.json("checkin", "--mood", "6", "--sleep-hours", "7", "--tag", "x")
    assert "at least one rating" in cli("edit", entry["id"][:8], "--clear", "mood", expect=2).stderr
    changed = cli.json("edit", entry["id"][:8], "--anxiety", "3", "--clear", "mood", "--clear", "tags")
    assert (changed["mood"], changed["anxiety"], changed["tags"]) == (None, 3, [])


@pytest.mark.parametrize(
    ("route", "dose", "named"),
    [("iv", "5mg/kg", "0-2 mg/kg"), ("intranasal", "840mg", "0-200 mg"), ("intranasal", "0.5mg/kg", "in mg")],
)
def test_an_implausible_dose_is_refused_unless_forced(cli, db_path, route, dose, named):
    result = cli("add", "--route", route, "--dose", dose, "--no-input", expect=2)
    line = result.stderr.strip()
    assert line.startswith("ketalog: error: --dose: ") and named in line and "--force" in line
    assert "\n" not in line and count(db_path, "sessions") == 0
    cli("add", "--route", route, "--drug", "ketamine", "--dose", dose, "--no-input", "--force")
    assert count(db_path, "sessions") == 1


def test_edit_checks_the_dose_with_the_route_it_will_have(cli, db_path):
    session = cli.json("add", "--route", "iv", "--dose", "0.5mg/kg")
    result = cli("edit", session["id"], "--route", "intranasal", expect=2)
    assert "--route: intranasal esketamine is dosed in mg" in result.stderr
    cli("edit", session["id"], "--dose", "900mg", expect=0)  # iv in mg: under 1000 mg
    assert cli("edit", session["id"], "--dose", "9mg/kg", expect=2).stderr.count("\n") == 1
    assert rows(db_path, "SELECT route, dose_amount, dose_unit FROM sessions") == [("iv", 900.0, "mg")]
    cli("edit", session["id"], "--dose", "9mg/kg", "--force")


def _editor(tmp_path, text: str):
    editor = tmp_path / "fake-editor"
    editor.write_text(f"#!{sys.executable}\nimport sys\nopen(sys.argv[1], 'w').write({text!r})\n")
    editor.chmod(0o755)
    return editor


def test_an_editor_draft_lives_beside_the_database_and_goes_once_saved(tmp_path, db_path):
    pexpect = pytest.importorskip("pexpect")
    import os

    env = {**os.environ, "EDITOR": str(_editor(tmp_path, "a private thought\n")), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    child = pexpect.spawn(sys.executable, ["-m", "ketalog", "journal"], env=env, encoding="utf-8", timeout=30)
    child.expect("Journal note saved")
    child.expect(pexpect.EOF)
    drafts = db_path.parent / "drafts"
    assert drafts.is_dir() and (drafts.stat().st_mode & 0o777) == 0o700 and list(drafts.iterdir()) == []
    assert list((tmp_path / "tmp").iterdir()) == []  # never the shared temp folder


def test_a_note_typed_in_the_editor_survives_a_database_that_cannot_be_opened(tmp_path, db_path):
    pexpect = pytest.importorskip("pexpect")
    import os

    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)  # a foreign, broken file: the open fails
    env = {**os.environ, "EDITOR": str(_editor(tmp_path, "do not lose this\n"))}
    child = pexpect.spawn(sys.executable, ["-m", "ketalog", "journal"], env=env, encoding="utf-8", timeout=30)
    child.expect(r"what you typed is kept in\s+(\S+\.md)")
    kept = Path(child.match.group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus != 0 and kept.read_text() == "do not lose this\n"
    assert kept.parent == db_path.parent / "drafts" and (kept.stat().st_mode & 0o777) == 0o600
