"""Issue 16: every user mistake is one `ketalog: error:` line with exit 2 (or 1 for a file problem), nothing written."""

from __future__ import annotations

import os
import stat

import pytest
from helpers import count


@pytest.mark.parametrize(
    "args, message",
    [
        (["chekin"], "no command 'chekin'; did you mean checkin?"),
        # Click's own wording after the field differs between Typer releases; the field leads the line
        (["list", "--limit", "-1"], "--limit: "),
        (["report", "--format", "docx"], "--format: "),
        (["costs", "--by", "week"], "--by: "),
        (["--bogus"], "No such option: --bogus"),
        (["add", "--route"], "Option '--route' requires an argument."),
        (["--db", "", "list"], "--db: must be a file path, not empty"),
        (["list", "--since", "2026-03-05", "--until", "2026-03-01"], "--since: must be before --until"),
    ],
)
def test_usage_mistakes_are_one_line_with_exit_2(cli, db_path, args, message):
    result = cli(*args, expect=2)
    assert result.stderr.startswith("ketalog: error: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Usage:" not in result.stderr
    assert not db_path.exists()


def test_a_bad_ketalog_now_is_refused_by_every_command(cli, monkeypatch):
    monkeypatch.setenv("KETALOG_NOW", "garbage")
    for command in (["list"], ["info"], ["med", "list"]):
        assert "KETALOG_NOW: 'garbage' is not an ISO 8601" in cli(*command, expect=2).stderr


def test_survey_names_are_accepted_as_people_write_them(cli, db_path):
    for name in ("PHQ-9", "PHQ9", "phq_9"):
        cli("survey", name, "--answers", "0,0,0,0,0,0,0,0,0")
    assert count(db_path, "surveys") == 3


def test_non_utf8_bytes_in_an_argument_or_on_stdin_are_refused(db_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"ketalog", b"journal", b"caf\xe9"],
        capture_output=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    assert result.returncode == 2 and b"is not valid UTF-8 text" in result.stderr and b"Traceback" not in result.stderr
    piped = subprocess.run(
        [sys.executable, "-m", "ketalog", "journal"], input=b"caf\xe9\n", capture_output=True, env=os.environ.copy()
    )
    assert piped.returncode == 2 and b"stdin: is not UTF-8 text" in piped.stderr
    assert count(db_path, "journal") == 0


def test_a_text_file_as_db_is_not_called_encrypted(cli, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n" * 20)
    error = cli("--db", str(notes), "list", expect=1).stderr
    assert "is not a ketalog database (it holds text)" in error and "encrypted" not in error
    assert notes.read_text() == "my notes\n" * 20


def test_a_missing_editor_is_one_line_and_a_failing_one_keeps_the_text(tmp_path, db_path):
    pexpect = pytest.importorskip("pexpect")
    import sys

    child = pexpect.spawn(
        sys.executable,
        ["-m", "ketalog", "journal"],
        env={**os.environ, "EDITOR": "no-such-editor-here"},
        encoding="utf-8",
        timeout=30,
    )
    child.expect("EDITOR: 'no-such-editor-here' is not a program on this machine")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    failing = tmp_path / "fail-editor"
    failing.write_text('#!/bin/sh\necho "half a thought" > "$1"\nexit 3\n')
    failing.chmod(failing.stat().st_mode | stat.S_IEXEC)
    child = pexpect.spawn(
        sys.executable, ["-m", "ketalog", "journal"], env={**os.environ, "EDITOR": str(failing)}, encoding="utf-8"
    )
    child.expect(r"kept in (\S+\.md)")
    kept = child.match.group(1)
    child.expect(pexpect.EOF)
    assert open(kept).read() == "half a thought\n" and count(db_path, "journal") == 0
    os.unlink(kept)


def test_without_any_editor_the_note_is_read_from_the_terminal(tmp_path, db_path):
    pexpect = pytest.importorskip("pexpect")
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "VISUAL")}
    env["PATH"] = str(bin_dir)  # no editor, nano or vi here
    child = pexpect.spawn(sys.executable, ["-m", "ketalog", "journal"], env=env, encoding="utf-8", timeout=30)
    child.expect("end with Ctrl-D")
    child.sendline("typed here")
    child.sendeof()
    child.expect("Journal note saved")
    child.expect(pexpect.EOF)
    assert count(db_path, "journal") == 1
