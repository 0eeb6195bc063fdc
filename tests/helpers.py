"""Small helpers the tests share: counting rows, reading the file, running ketalog as a process.

A plain module (on pytest's ``pythonpath``), not conftest, so test modules can import it in any
import mode.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from ketalog.cli import app

FIXED_NOW = "2026-03-10T10:00:00+00:00"


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    if not db_path.exists():
        return []
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def count(db_path: Path, table: str) -> int:
    found = rows(db_path, f"SELECT count(*) FROM {table}")
    return found[0][0] if found else 0


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_ketalog(*args: str, env: dict | None = None, input: str | None = None, timeout: float = 60):
    """ketalog as a real subprocess, with the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "ketalog", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        input=input,
        timeout=timeout,
    )


class Cli:
    """Runs ketalog in-process and parses JSON output when asked."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, expect: int | None = 0):
        result = self.runner.invoke(app, list(args), input=input)
        if expect is not None:
            assert result.exit_code == expect, (
                f"exit {result.exit_code} != {expect} for {args}\nstdout: {result.stdout}\n"
                f"stderr: {result.stderr}\nexception: {result.exception!r}"
            )
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def json(self, *args: str, input: str | None = None):
        return json.loads(self(*args, "--json", input=input).stdout)
