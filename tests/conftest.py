"""Shared fixtures: every test gets its own database path, a fixed clock and a fixed time zone."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketalog.cli import app

FIXED_NOW = "2026-03-10T10:00:00+00:00"


@pytest.fixture(autouse=True)
def fixed_environment(monkeypatch, tmp_path):
    """A fixed 'now', UTC as local zone, and a database path in a fresh temp dir."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("KETALOG_NOW", FIXED_NOW)
    monkeypatch.setenv("KETALOG_DB", str(tmp_path / "data" / "ketalog.db"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("KETALOG_PASSPHRASE", raising=False)
    yield
    time.tzset()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "data" / "ketalog.db"


class Cli:
    """Runs ketalog in-process and parses JSON output when asked."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, expect: int | None = 0):
        result = self.runner.invoke(app, list(args), input=input)
        if expect is not None:
            assert result.exit_code == expect, (
                f"exit {result.exit_code} != {expect} for {args}\nstdout: {result.stdout}\n"
                f"stderr: {result.stderr}\nexception: {result.exception!r}")
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def json(self, *args: str, input: str | None = None):
        return json.loads(self(*args, "--json", input=input).stdout)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    if not db_path.exists():
        return []
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def count(db_path: Path, table: str) -> int:
    found = rows(db_path, f"SELECT count(*) FROM {table}")
    return found[0][0] if found else 0


def run_ketalog(*args: str, env: dict | None = None, input: str | None = None, timeout: float = 60):
    """ketalog as a real subprocess, with the test's environment."""
    return subprocess.run([sys.executable, "-m", "ketalog", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, input=input, timeout=timeout)


# CI must be reproducible: there hypothesis replays the same examples every run; on a developer's
# machine it keeps exploring new ones.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
