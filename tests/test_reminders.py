"""Offline reminders (issue 14): install, run and uninstall against fake systemctl, crontab and notify-send
in a temporary HOME; nothing real on the machine is touched."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

FAKE = """#!/bin/sh
echo "$(basename "$0") $*" >> "$FAKE_LOG"
if [ "$(basename "$0")" = systemctl ] && [ -n "$FAKE_SYSTEMCTL_BROKEN" ]; then
  echo "Failed to connect to bus: No medium found" >&2; exit 1
fi
if [ "$(basename "$0")" = crontab ]; then
  if [ "$1" = -l ] && [ -n "$FAKE_CRON_BROKEN" ]; then echo "crontab: cannot open your crontab" >&2; exit 1; fi
  if [ "$1" = -l ]; then [ -f "$FAKE_CRON" ] && cat "$FAKE_CRON" || { echo "no crontab for you" >&2; exit 1; }; fi
  if [ "$1" = - ]; then cat > "$FAKE_CRON"; fi
fi
exit 0
"""


@pytest.fixture
def fake_tools(tmp_path, monkeypatch):
    """A HOME and a PATH holding only fakes of the tools asked for, plus the shell tools they need."""

    def make(*tools: str) -> Path:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir(exist_ok=True)
        for tool in tools:
            path = bin_dir / tool
            path.write_text(FAKE)
            path.chmod(0o755)
        for needed in ("sh", "cat", "basename"):
            real = shutil.which(needed)
            if real and not (bin_dir / needed).exists():
                (bin_dir / needed).symlink_to(real)
        monkeypatch.setenv("PATH", str(bin_dir))
        return bin_dir

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "calls.log"))
    monkeypatch.setenv("FAKE_CRON", str(tmp_path / "crontab.txt"))
    return make


def calls(tmp_path) -> list[str]:
    log = tmp_path / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_systemd_install_is_valid_idempotent_and_uninstall_leaves_nothing(cli, tmp_path, fake_tools, db_path):
    fake_tools("systemctl")
    out = cli("remind", "install", "--at", "19:30", "--survey-day", "sun").stdout
    units = tmp_path / "home" / ".config" / "systemd" / "user"
    timer, service = units / "ketalog-remind.timer", units / "ketalog-remind.service"
    assert "and enabled it" in out and "(systemd)" in out and stat.S_IMODE(timer.stat().st_mode) == 0o600
    assert "OnCalendar=*-*-* 19:30:00" in timer.read_text() and "Persistent=true" in timer.read_text()
    assert f"--db {db_path} remind run --survey-day sun" in service.read_text()
    assert "systemctl --user enable --now ketalog-remind.timer" in calls(tmp_path)
    cli("remind", "install", "--at", "19:30", "--survey-day", "sun")  # again: same files, no duplicates
    assert sorted(p.name for p in units.iterdir()) == ["ketalog-remind.service", "ketalog-remind.timer"]
    assert "systemd timer" in cli("remind", "status").stdout
    assert "Removed the systemd timer" in cli("remind", "uninstall").stdout
    assert list(units.iterdir()) == [] and "No ketalog reminder" in cli("remind", "status").stdout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_unit_files_pass_systemd_analyze(cli, tmp_path, fake_tools):
    analyze = shutil.which("systemd-analyze")
    fake_tools("systemctl")
    cli("remind", "install")
    units = tmp_path / "home" / ".config" / "systemd" / "user"
    result = subprocess.run([analyze, "verify", str(units / "ketalog-remind.service")], capture_output=True, text=True)
    assert "ketalog-remind.service" not in result.stderr or "Failed" not in result.stderr


def test_without_systemd_a_marked_crontab_line_keeps_the_rest(cli, tmp_path, fake_tools):
    fake_tools("crontab")
    (tmp_path / "crontab.txt").write_text("0 3 * * * backup.sh\n")
    cli("remind", "install", "--at", "8:05")
    cli("remind", "install", "--at", "8:05")
    lines = (tmp_path / "crontab.txt").read_text().splitlines()
    assert lines[0] == "0 3 * * * backup.sh" and len(lines) == 2
    assert lines[1].startswith("5 8 * * * ") and lines[1].endswith("# ketalog-remind")
    cli("remind", "uninstall")
    assert (tmp_path / "crontab.txt").read_text() == "0 3 * * * backup.sh\n"


def test_with_no_scheduler_the_error_is_one_line(cli, fake_tools):
    fake_tools()
    result = cli("remind", "install", expect=1)
    assert "no systemd, cron or launchd" in result.stderr and result.stderr.count("\n") == 1
    assert "--at" in cli("remind", "install", "--at", "25:00", expect=2).stderr


def test_run_notifies_what_is_due_and_nothing_when_nothing_is(cli, tmp_path, fake_tools, db_path):
    fake_tools("notify-send")
    cli("remind", "run")  # no database yet: nothing to say, and nothing created
    assert calls(tmp_path) == [] and not db_path.exists()
    cli("add", "--route", "iv", "--at", "2026-03-05")
    cli("plan", "add", "2026-03-10")
    before = db_path.read_bytes()
    cli("remind", "run")
    due = "today's check-in, PHQ-9, GAD-7, reflection on session 1 (day 3), a planned session today."
    assert calls(tmp_path) == [f"notify-send ketalog Due: {due}"]
    assert db_path.read_bytes() == before  # it never writes
    cli("remind", "run", "--survey-day", "sun")  # 2026-03-10 is a Tuesday: questionnaires wait for Sunday
    due = "today's check-in, reflection on session 1 (day 3), a planned session today."  # reflections keep their days
    assert calls(tmp_path)[-1] == f"notify-send ketalog Due: {due}"
    cli("checkin", "--mood", "5")
    cli("survey", "phq9", "--answers", "0,0,0,0,0,0,0,0,0")
    cli("survey", "gad7", "--answers", "0,0,0,0,0,0,0")
    cli("plan", "remove", "2026-03-10")
    cli("journal", "Calmer since", "--session", "last")
    count = len(calls(tmp_path))
    cli("remind", "run")
    assert len(calls(tmp_path)) == count  # nothing due: no notification


def test_run_prints_where_no_notifier_exists(cli, fake_tools):
    fake_tools()
    cli("checkin", "--mood", "5", "--at", "yesterday")
    assert "ketalog: Due: today's check-in." in cli("remind", "run").stdout
    assert os.environ["HOME"].endswith("home")


def test_on_macos_a_launchd_agent_is_valid_replaced_and_removed(cli, tmp_path, fake_tools, db_path, monkeypatch):
    import platform
    import plistlib

    fake_tools("launchctl", "osascript")
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    weird = tmp_path / "a & <b> 100%" / "k.db"  # characters XML, systemd and cron each treat specially
    cli("--db", str(weird), "remind", "install", "--at", "7:15")
    cli("--db", str(weird), "remind", "install", "--at", "7:15")
    agent = tmp_path / "home" / "Library" / "LaunchAgents" / "org.ketalog.remind.plist"
    job = plistlib.loads(agent.read_bytes())
    assert job["StartCalendarInterval"] == {"Hour": 7, "Minute": 15}
    assert job["ProgramArguments"][-4:] == ["--db", str(weird), "remind", "run"]
    assert stat.S_IMODE(agent.stat().st_mode) == 0o600
    assert calls(tmp_path).count(f"launchctl load {agent}") == 2
    assert "launchd agent" in cli("remind", "status").stdout
    cli("remind", "uninstall")
    assert not agent.exists() and f"launchctl unload {agent}" in calls(tmp_path)
    cli("add", "--route", "iv", "--at", "2026-03-01")
    cli("remind", "run")
    assert any(line.startswith("osascript -e display notification") for line in calls(tmp_path))


def test_percent_signs_survive_systemd_and_cron(cli, tmp_path, fake_tools):
    from ketalog import reminders

    command = reminders.job_command(tmp_path / "100%" / "k.db", None)
    assert "100%%" in reminders.systemd_units(command, 8, 0)["ketalog-remind.service"]
    fake_tools("crontab")
    cli("--db", str(tmp_path / "100%" / "k.db"), "remind", "install")
    assert "100\\%" in (tmp_path / "crontab.txt").read_text()


def test_a_crontab_that_cannot_be_read_is_never_rewritten(cli, tmp_path, fake_tools, monkeypatch):
    fake_tools("crontab")
    (tmp_path / "crontab.txt").write_text("0 3 * * * backup.sh\n")
    monkeypatch.setenv("FAKE_CRON_BROKEN", "1")
    for command in ("install", "uninstall"):
        result = cli("remind", command, expect=1)
        assert "could not read your crontab" in result.stderr and result.stderr.count("\n") == 1
    assert (tmp_path / "crontab.txt").read_text() == "0 3 * * * backup.sh\n"
    assert not any(call.startswith("crontab -") and call != "crontab -l" for call in calls(tmp_path))


@pytest.mark.parametrize("bad", ["a\n* * * * * rm -rf ~ #", "tab\there", "esc\x1b]0;x\x07"])
def test_a_database_path_with_a_control_character_is_refused(cli, tmp_path, fake_tools, bad):
    fake_tools("crontab")
    result = cli("--db", str(tmp_path / bad), "remind", "install", expect=2)
    assert "control character" in result.stderr and not (tmp_path / "crontab.txt").exists()


def test_job_files_never_go_through_a_symlink_and_folders_are_private_under_umask_0(cli, tmp_path, fake_tools):
    fake_tools("systemctl")
    units = tmp_path / "home" / ".config" / "systemd" / "user"
    old = os.umask(0)
    try:
        cli("remind", "install")
    finally:
        os.umask(old)
    for folder in (tmp_path / "home" / ".config", tmp_path / "home" / ".config" / "systemd", units):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    service = units / "ketalog-remind.service"
    elsewhere = tmp_path / "someone-elses.service"
    elsewhere.write_text("[Service]\nExecStart=/bin/evil\n")
    service.unlink()
    service.symlink_to(elsewhere)
    result = cli("remind", "install", expect=1)
    assert "is a symbolic link" in result.stderr
    assert elsewhere.read_text() == "[Service]\nExecStart=/bin/evil\n"


def test_where_systemd_cannot_enable_the_timer_cron_is_installed_instead(cli, tmp_path, fake_tools, monkeypatch):
    """`systemctl --user` fails without a user bus (ssh, containers): a timer never enabled never runs."""
    fake_tools("systemctl", "crontab")
    monkeypatch.setenv("FAKE_SYSTEMCTL_BROKEN", "1")
    out = cli("remind", "install", "--at", "07:15").stdout
    assert "Failed to connect to bus" in out and "cron job instead" in out and "(cron)" in out
    assert not list((tmp_path / "home" / ".config" / "systemd" / "user").glob("ketalog-remind.*"))
    assert (tmp_path / "crontab.txt").read_text().startswith("15 7 * * * ")
    status = cli("remind", "status").stdout
    assert "daily at 07:15 by cron" in status and "not run yet" in status


def test_where_systemd_fails_and_there_is_no_cron_nothing_claims_to_be_installed(
    cli, tmp_path, fake_tools, monkeypatch
):
    fake_tools("systemctl")
    monkeypatch.setenv("FAKE_SYSTEMCTL_BROKEN", "1")
    result = cli("remind", "install", expect=1)
    assert "no cron to fall back on" in result.stderr and result.stderr.count("\n") == 1
    assert "No ketalog reminder is installed" in cli("remind", "status").stdout


def test_a_diary_the_job_cannot_read_is_a_notification_and_a_failed_run(cli, tmp_path, fake_tools, db_path):
    """After `encrypt` the job has no passphrase: it used to fail with nobody told."""
    fake_tools("notify-send", "crontab")
    cli("checkin", "--mood", "5")
    cli("remind", "install")
    db_path.write_bytes(os.urandom(4096))  # what an encrypted file looks like to a job without the passphrase
    result = cli("remind", "run", expect=None)
    assert result.exit_code != 0
    assert "ketalog could not read your diary" in calls(tmp_path)[-1] and "KETALOG_PASSPHRASE" in calls(tmp_path)[-1]
    status = cli("remind", "status").stdout
    assert "FAILED" in status and "encrypted" in status


def test_status_says_how_the_last_run_went(cli, tmp_path, fake_tools):
    fake_tools("notify-send", "crontab")
    cli("remind", "install", "--at", "20:00")
    cli("checkin", "--mood", "5", "--at", "yesterday")
    cli("remind", "run")
    status = cli("remind", "status").stdout
    assert "daily at 20:00 by cron" in status and "ok (Due: today's check-in.)" in status
