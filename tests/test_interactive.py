"""Prompted forms in a real pseudo-terminal: defaults from the last session, re-asking, skipping, cancelling."""

from __future__ import annotations

import os
import sys

import pytest
from helpers import count, rows

pexpect = pytest.importorskip("pexpect")


def spawn(*args: str):
    return pexpect.spawn(
        sys.executable,
        ["-m", "ketalog", *args],
        env=os.environ.copy(),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 200),
    )


def test_add_prompts_default_to_the_previous_protocol(cli, db_path):
    cli(
        "add",
        "--route",
        "intranasal",
        "--drug",
        "esketamine",
        "--dose",
        "56mg",
        "--duration",
        "120",
        "--clinic",
        "Northside",
        "--at",
        "2026-03-05 09:00",
    )
    child = spawn("add")
    child.expect(r"Last session: 2026-03-05")
    child.expect(r"Route .*\[intranasal\]")
    child.sendline("")
    child.expect(r"Drug .*\[esketamine\]")  # the same route's drug is the default
    child.sendline("")
    child.expect(r"Dose.*\[56mg\]")
    child.sendline("")
    child.expect(r"Duration .*\[120\]")
    child.sendline("")
    child.expect(r"Clinic \[Northside\]")
    child.sendline("")
    child.expect("Dissociation")
    child.sendline("12")  # out of range: asked again
    child.expect("whole number from 0 to 10")
    child.expect("Dissociation")
    child.sendline("7")
    child.expect("Blood pressure before")
    child.sendline("135/85")
    child.expect("Blood pressure after")
    child.sendline("")
    child.expect("Side effects")
    child.sendline("nausea, dizziness")
    child.expect("Session 2 logged")
    child.expect(r"How did it go\? \(Enter to skip\)")
    child.sendline("Calm, a bit floaty")
    child.expect("linked to session 2")
    child.expect(pexpect.EOF)
    linked = rows(db_path, "SELECT j.text FROM journal j JOIN sessions s ON s.id = j.session_id")
    assert linked == [("Calm, a bit floaty",)]
    stored = rows(
        db_path,
        "SELECT route, dose_amount, dose_unit, duration_min, clinic, dissociation, "
        "bp_before_sys, bp_after_sys FROM sessions ORDER BY at DESC LIMIT 1",
    )
    assert stored == [("intranasal", 56.0, "mg", 120, "Northside", 7, 135, None)]
    assert count(db_path, "side_effects") == 2


def test_first_add_asks_for_a_route_until_given(db_path):
    child = spawn("add")
    child.expect("Route")
    child.sendline("")
    child.expect("the route is needed")
    child.expect("Route")
    child.sendline("bogus")
    child.expect("must be one of")
    child.sendline("iv")
    child.expect(r"Drug .*\[ketamine\]")  # IV is racemic ketamine unless said otherwise
    child.sendline("")
    for label in ("Dose", "Duration", "Clinic", "Dissociation", "before", "after", "Side effects"):
        child.expect(label)
        child.sendline("")
    child.expect("Session 1 logged")
    child.expect("How did it go")
    child.sendline("")  # skipped: no note
    child.expect(pexpect.EOF)
    assert rows(db_path, "SELECT route, dose_amount FROM sessions") == [("iv", None)]
    assert count(db_path, "journal") == 0


def test_ctrl_c_at_how_did_it_go_keeps_the_session(db_path):
    child = spawn("add", "--route", "iv")
    child.expect("How did it go")
    child.sendintr()
    child.expect("cancelled; session 1 was saved, no note")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 and count(db_path, "sessions") == 1 and count(db_path, "journal") == 0


def test_checkin_form_asks_each_rating_and_enter_skips(db_path):
    child = spawn("checkin")
    for answer in ("6", "", "", "4", "", "7", "2"):
        child.expect(r"\(0 .* 10 .*\)")
        child.sendline(answer)
    child.expect("Note")
    child.sendline("ok day")
    child.expect("Check-in logged")
    child.expect(pexpect.EOF)
    assert rows(db_path, "SELECT mood, anxiety, pain, energy, motivation, sleep, thoughts, note FROM checkins") == [
        (6, None, None, 4, None, 7, 2, "ok day")
    ]


def test_ctrl_c_in_a_form_saves_nothing(db_path):
    child = spawn("checkin")
    child.expect("Mood")
    child.sendline("6")
    child.expect("Anxiety")
    child.sendintr()
    child.expect("cancelled, nothing saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert count(db_path, "checkins") == 0


def test_no_input_never_prompts_even_in_a_terminal(db_path):
    child = spawn("checkin", "--no-input")
    child.expect("give at least one")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_delete_asks_and_respects_no(cli, db_path):
    entry = cli.json("checkin", "--mood", "5")
    for answers, said, left in ((["maybe", "n"], "Nothing deleted.", 1), (["y"], "Deleted checkin", 0)):
        child = spawn("delete", entry["id"][:8])
        for answer in answers:
            child.expect(r"Delete checkin .*\[y/N\]")
            child.sendline(answer)
        child.expect(said)
        child.expect(pexpect.EOF)
        child.close()
        assert "error" not in child.before.lower()  # declining is a choice, not a failure
        assert child.exitstatus == 0
        assert count(db_path, "checkins") == left


def test_maybe_at_a_yes_no_prompt_is_asked_again_in_ketalogs_words(cli):
    entry = cli.json("checkin", "--mood", "5")
    child = spawn("delete", entry["id"][:8])
    child.expect(r"\[y/N\]")
    child.sendline("maybe")
    child.expect("answer y \\(yes\\) or n \\(no\\); Enter means no")
    child.expect(r"\[y/N\]")
    child.sendline("")
    child.expect("Nothing deleted.")
    child.expect(pexpect.EOF)
    child.close()
    assert "invalid input" not in child.before and child.exitstatus == 0


def test_an_interactive_check_in_with_every_rating_skipped_exits_2_like_the_flags(db_path):
    child = spawn("checkin")
    for _ in range(7):
        child.expect(r"\): ")
        child.sendline("")
    child.expect("every rating was skipped")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and count(db_path, "checkins") == 0


def test_phq9_interactive_with_a_mistyped_key_and_item9_notice(db_path):
    child = spawn("survey", "phq9")
    child.expect("Developed by Drs. Robert L. Spitzer")
    child.expect("Over the last 2 weeks")
    child.expect("3 = Nearly every day")
    answers = ["1", "2", "1", "x", "1", "0", "1", "0", "1", "1"]  # "x" is re-asked
    for number in range(1, 10):
        child.expect(f"Item {number} of 9")
        child.expect("Answer 0-3")
        answer = answers.pop(0)
        if answer == "x":
            child.sendline("x")
            child.expect("type a number from 0 to 3, or s to skip")
            child.expect("Answer 0-3")
            answer = answers.pop(0)
        child.sendline(answer)
    # item 9 was answered 1: the notice comes at once, before the difficulty question and the total
    child.expect("If you are in immediate danger, call your local emergency number.")
    child.expect("how difficult have these problems made it")
    child.sendline("")
    child.expect("PHQ-9 total 8 of 27: mild")
    child.expect(pexpect.EOF)
    assert rows(db_path, "SELECT answers, total, difficulty FROM surveys") == [("[1, 2, 1, 1, 0, 1, 0, 1, 1]", 8, None)]


def test_gad7_interactive_with_difficulty(db_path):
    child = spawn("survey", "gad7")
    for number in range(1, 8):
        child.expect(f"Item {number} of 7")
        child.sendline("2")
    child.expect("how difficult")
    child.sendline("5")
    child.expect("0 to 3")
    child.sendline("2")
    child.expect("GAD-7 total 14 of 21: moderate")
    child.expect(pexpect.EOF)
    assert rows(db_path, "SELECT total, band, difficulty FROM surveys") == [(14, "moderate", 2)]


@pytest.mark.parametrize("stop", ["ctrl-c", "eof"])
def test_stopping_a_questionnaire_saves_nothing(db_path, stop):
    child = spawn("survey", "phq9")
    for number in range(1, 5):
        child.expect(f"Item {number} of 9")
        child.sendline("1")
    child.expect("Item 5 of 9")
    child.expect("Answer")
    if stop == "ctrl-c":
        child.sendintr()
    else:
        child.sendeof()
    child.expect("cancelled before the last item; nothing saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert count(db_path, "surveys") == 0


@pytest.mark.parametrize("stop", ["ctrl-c", "eof"])
def test_a_positive_item_9_is_saved_even_if_stopped_at_the_difficulty_question(db_path, stop):
    child = spawn("survey", "phq9")
    for number in range(1, 10):
        child.expect(f"Item {number} of 9")
        child.sendline("2" if number == 9 else "1")
    child.expect("If you are in immediate danger")
    child.expect("how difficult have these problems made it")
    child.expect(r"Answer 0-3 \(Enter to skip\)")  # a key sent before the prompt reads may be flushed by readline
    # Saved before the optional question is asked, whatever the prompt library then does with a Ctrl-C.
    assert rows(db_path, "SELECT answers, difficulty FROM surveys") == [("[1, 1, 1, 1, 1, 1, 1, 1, 2]", None)]
    if stop == "ctrl-c":
        child.sendintr()
    else:
        child.sendeof()
    child.expect("PHQ-9 total 10 of 27: moderate")
    child.expect("stopped at the difficulty question: your answers were saved without it")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert rows(db_path, "SELECT answers, total, difficulty FROM surveys") == [
        ("[1, 1, 1, 1, 1, 1, 1, 1, 2]", 10, None)
    ]


def test_s_skips_an_item_and_item_9_is_never_read_as_zero(db_path):
    child = spawn("survey", "phq9")
    child.expect("Type s to skip")
    for number in range(1, 10):
        child.expect(f"Item {number} of 9")
        child.expect("or s to skip")
        child.sendline("s" if number in (3, 9) else "2")
    child.expect("Item 9 not answered")
    child.expect("how difficult")
    child.sendline("1")
    child.expect(r"PHQ-9 total 18 of 27 \(prorated: items 3, 9 not answered\): moderately severe")
    child.expect("Item 9 not answered")
    child.expect(pexpect.EOF)
    assert rows(db_path, "SELECT answers, total, prorated FROM surveys") == [
        ("[2, 2, null, 2, 2, 2, 2, 2, null]", 18, 1)
    ]


def test_gad7_asks_its_own_difficulty_question(db_path):
    child = spawn("survey", "gad7")
    child.expect("how often have you been bothered by the following problems")
    for number in range(1, 8):
        child.expect(f"Item {number} of 7")
        child.sendline("1")
    child.expect("If you checked any problems, how difficult have they made it for you")
    child.sendline("")
    child.expect("GAD-7 total 7 of 21: mild")
    child.expect(pexpect.EOF)


def test_a_changed_route_is_not_offered_the_old_routes_dose_and_a_slip_is_asked_again(cli, db_path):
    cli("add", "--route", "iv", "--dose", "0.5mg/kg", "--at", "2026-03-05 09:00")
    child = spawn("add")
    child.expect(r"Route .*\[iv\]")
    child.sendline("intranasal")
    child.expect(r"Drug \(ketamine/esketamine/arketamine/other\): ")  # never guessed for intranasal
    child.sendline("")
    child.expect("an intranasal session needs its drug")
    child.sendline("esketamine")
    child.expect(r"Dose, e.g. 0.5mg/kg or 56mg \(doses within it: 28mg 28mg@5\) \(Enter to skip\): ")
    child.sendline("840mg")
    child.expect("840 mg is more than ketalog expects for intranasal")
    child.sendline("84mg")
    for label in ("Duration", "Clinic", "Dissociation", "before", "after", "Side effects"):
        child.expect(label)
        child.sendline("")
    child.expect("Session 2 logged")
    child.expect("How did it go")
    child.sendline("")
    child.expect(pexpect.EOF)
    assert rows(db_path, "SELECT route, dose_amount, dose_unit FROM sessions ORDER BY at")[-1] == (
        "intranasal",
        84.0,
        "mg",
    )


def test_prompts_have_line_editing(db_path):
    child = spawn("add")
    child.expect("Route")
    child.send("v")
    child.send("\x1b[D")  # left arrow: with readline the cursor moves, without it the bytes land in the answer
    child.send("i\r")
    child.expect("Drug")  # "iv" was accepted
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 and count(db_path, "sessions") == 0


def test_ctrl_c_at_delete_changes_nothing(cli, db_path):
    entry = cli.json("checkin", "--mood", "5")
    child = spawn("delete", entry["id"][:8])
    child.expect(r"\[y/N\]")
    child.sendintr()
    child.expect("cancelled, nothing changed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 and count(db_path, "checkins") == 1


def test_ctrl_c_at_the_passphrase_prompt_exits_130_on_a_new_line(cli, db_path):
    pytest.importorskip("sqlcipher3")
    cli("checkin", "--mood", "5")
    before = db_path.read_bytes()
    child = spawn("encrypt")
    child.expect("Passphrase: ")
    child.sendintr()
    child.expect("cancelled at the passphrase; nothing changed")
    assert child.before.startswith("\r\n") or child.before.startswith("^C\r\n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 and db_path.read_bytes() == before


def test_journal_without_an_editor_takes_the_note_inline_until_ctrl_d(db_path):
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "VISUAL")}
    child = pexpect.spawn(
        sys.executable, ["-m", "ketalog", "journal"], env=env, encoding="utf-8", timeout=30, dimensions=(40, 200)
    )
    child.expect("end with Ctrl-D on an empty line")
    child.sendline("Felt lighter.")
    child.sendline("Slept well too.")
    child.sendeof()
    child.expect("Journal note saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert rows(db_path, "SELECT text FROM journal") == [("Felt lighter.\nSlept well too.",)]


def test_the_editor_opens_with_a_template_that_is_left_out_of_the_note(db_path, tmp_path):
    editor = tmp_path / "fake-editor"
    editor.write_text('#!/bin/sh\ngrep -c "^# " "$1" > "$1.seen"\necho "My own words." >> "$1"\n')
    editor.chmod(0o755)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ketalog", "journal"],
        env={**os.environ, "EDITOR": str(editor)},
        encoding="utf-8",
        timeout=30,
    )
    child.expect("Journal note saved")
    child.expect(pexpect.EOF)
    child.close()
    assert rows(db_path, "SELECT text FROM journal") == [("My own words.",)]
    seen = list((db_path.parent / "drafts").glob("*.seen"))
    assert seen and int(seen[0].read_text()) >= 2  # the template's lines were in the buffer
