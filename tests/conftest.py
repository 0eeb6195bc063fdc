"""Shared fixtures: every test gets its own database path, a fixed clock and a fixed time zone."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from helpers import FIXED_NOW, Cli


@pytest.fixture(autouse=True)
def fixed_environment(monkeypatch, tmp_path):
    """A fixed 'now', UTC as local zone, and a database and settings file in a fresh temp dir."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("KETALOG_NOW", FIXED_NOW)
    monkeypatch.setenv("KETALOG_DB", str(tmp_path / "data" / "ketalog.db"))
    monkeypatch.setenv("KETALOG_CONFIG", str(tmp_path / "config" / "config.toml"))  # never the real one
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("KETALOG_PASSPHRASE", raising=False)
    yield
    time.tzset()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "data" / "ketalog.db"


@pytest.fixture
def cli() -> Cli:
    return Cli()


# CI must be reproducible: there hypothesis replays the same examples every run; on a developer's
# machine it keeps exploring new ones.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
