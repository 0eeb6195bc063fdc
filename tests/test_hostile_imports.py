"""No hostile file crashes `import`: each shape below is one line naming the file (and the row where
there is one), exit 2, and nothing written. Then hypothesis mutates real-shaped files of every format
and holds the same promise, and other apps' records pass the same validation as ketalog's own."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest
from helpers import count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketalog.cli import app

EXPORT_HEAD = {"format": "ketalog-export", "format_version": 1, "schema_version": 1}
CHECKIN = {
    "id": "a" * 32,
    "at": "2026-03-01T10:00:00Z",
    "utc_offset": 0,
    "local_date": "2026-03-01",
    "mood": 5,
    "note": "fine",
    "created_at": "2026-03-01T10:00:00Z",
    "updated_at": "2026-03-01T10:00:00Z",
}
SESSION = {
    "id": "b" * 32,
    "at": "2026-03-01T09:00:00Z",
    "utc_offset": 0,
    "local_date": "2026-03-01",
    "route": "iv",
    "dose_amount": 0.5,
    "dose_unit": "mg/kg",
    "created_at": "2026-03-01T09:00:00Z",
    "updated_at": "2026-03-01T09:00:00Z",
}


def ketalog_export(**tables) -> str:
    return json.dumps({**EXPORT_HEAD, "tables": tables})


def daylio_backup(entries) -> str:
    data = {"customMoods": [{"id": 1, "mood_group_id": 1}], "tags": [], "dayEntries": entries}
    return base64.b64encode(json.dumps(data).encode()).decode()


DAYLIO_HEAD = "full_date,date,weekday,time,mood,activities,note_title,note\n"
STAMP = "2026-03-01T10:00:00Z"


def planned(day: str) -> str:
    row = {"id": "c" * 32, "local_date": day, "note": None, "created_at": STAMP, "updated_at": STAMP}
    return ketalog_export(planned_sessions=[row])


def checkin_export(**changes) -> str:
    return ketalog_export(checkins=[{**CHECKIN, **changes}])


def session_export(**changes) -> str:
    return ketalog_export(sessions=[{**SESSION, **changes}])


def daylio_entry(**fields) -> str:
    return daylio_backup([{"year": 2026, "month": 0, "day": 1, "mood": 1, **fields}])


DEEP = "[" * 100_000 + "]" * 100_000

SHAPES = {
    "json 100k deep": ("x.json", DEEP),
    "ketalog 100k deep": ("x.json", '{"format": "ketalog-export", "tables": ' + DEEP + "}"),
    "5000-digit integer": ("x.json", checkin_export(mood=0).replace('"mood": 0', '"mood": ' + "9" * 5000)),
    "2**70 in new_course": ("x.json", session_export(new_course=2**70)),
    "2**70 in utc_offset": ("x.json", checkin_export(utc_offset=2**70)),
    "list as a tag's key": (
        "x.json",
        ketalog_export(checkins=[CHECKIN], checkin_tags=[{"checkin_id": ["a"], "tag": "x"}]),
    ),
    "dict as a note": ("x.json", checkin_export(note={"a": 1})),
    "lone surrogate": ("x.json", checkin_export(note="x").replace('"note": "x"', '"note": "\\ud800"')),
    "same id in two tables": ("x.json", ketalog_export(checkins=[CHECKIN], sessions=[{**SESSION, "id": "a" * 32}])),
    "entry in 9999": ("x.json", checkin_export(at="9999-03-01T10:00:00Z", local_date="9999-03-01")),
    "dose 1e308": ("x.json", session_export(dose_amount=1e308, dose_unit="mg")),
    "systolic below diastolic": ("x.json", session_export(bp_before_sys=60, bp_before_dia=100)),
    "planned 2026-99-99": ("x.json", planned("2026-99-99")),
    "planned 2026-02-30": ("x.json", planned("2026-02-30")),
    "planned 0001-01-01": ("x.json", planned("0001-01-01")),
    "daylio backup entries not a list": ("b.daylio", daylio_backup("x")),
    "daylio backup entry a string": ("b.daylio", daylio_backup(["x"])),
    "daylio backup tags a number": ("b.daylio", daylio_entry(tags=5)),
    "daylio backup year 0": ("b.daylio", daylio_entry(year=0)),
    "daylio backup year 9999 +14h": (
        "b.daylio",
        daylio_entry(year=9999, month=11, day=31, hour=23, minute=59, timeZoneOffset=-50_400_000),
    ),
    "daylio backup offset 30 h": ("b.daylio", daylio_entry(timeZoneOffset=108_000_000)),
    "daylio backup 1950": ("b.daylio", daylio_entry(year=1950)),
    "pixels 100k deep": ("p.json", "[" + DEEP + "]"),
    "pixels scores a string": ("p.json", json.dumps([{"date": "2026-1-1", "scores": "abc"}])),
    "pixels tags a string": ("p.json", json.dumps([{"date": "2026-01-01", "scores": [3], "tags": "x"}])),
    "pixels emotions a number": ("p.json", json.dumps([{"date": "2026-01-01", "scores": [3], "emotions": 7}])),
    "pixels date a list": ("p.json", json.dumps([{"date": [2026], "scores": [3]}])),
    "pixels 1900": ("p.json", json.dumps([{"date": "1900-01-01", "scores": [3]}])),
    "daylio csv 0001-01-01": ("d.csv", DAYLIO_HEAD + "0001-01-01,Jan 1,Monday,00:00,rad,,,\n"),
    "daylio csv 9999-12-31": ("d.csv", DAYLIO_HEAD + "9999-12-31,Dec 31,Friday,23:59,rad,,,\n"),
    "daylio csv 1989": ("d.csv", DAYLIO_HEAD + "1989-12-31,Dec 31,Sunday,23:59,rad,,,\n"),
    "a first field over 128 KiB": ("d.csv", "x" * (200 * 1024) + ",y\n1,2\n"),
    "a field over the cell limit": (
        "d.csv",
        DAYLIO_HEAD + "2026-01-01,Jan 1,Thursday,10:00,rad,,," + "x" * 1_100_000 + "\n",
    ),
}


@pytest.mark.parametrize("name", SHAPES)
def test_a_hostile_shape_is_one_line_and_writes_nothing(cli, db_path, tmp_path, name):
    filename, body = SHAPES[name]
    path = tmp_path / filename
    path.write_text(body, encoding="utf-8")
    result = cli("import", str(path), "--no-input", expect=2)
    assert result.stderr.startswith("ketalog: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert str(path) in result.stderr and "Traceback" not in result.output
    assert count(db_path, "checkins") == count(db_path, "sessions") == 0


def _zip_with(tmp_path: Path, member: str, data: bytes, *, encrypted: bool = False, method: int | None = None) -> Path:
    path = tmp_path / "backup.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    raw = bytearray(path.read_bytes())
    for header, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        at = raw.find(header)
        if encrypted:
            raw[at + flag_at] |= 0x01
        if method is not None:
            raw[at + method_at : at + method_at + 2] = method.to_bytes(2, "little")
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("kind", ["encrypted", "unsupported method"])
def test_a_zip_member_that_cannot_be_read_is_one_line(cli, db_path, tmp_path, kind):
    data = b"date,time,mood\n"
    path = _zip_with(
        tmp_path, "entry.csv", data, encrypted=kind == "encrypted", method=97 if kind != "encrypted" else None
    )
    result = cli("import", str(path), "--no-input", expect=2)
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr and "entry.csv" in result.stderr


def test_other_apps_records_pass_the_same_checks_as_ketalogs_own(cli, db_path, tmp_path):
    """A Daylio backup dated 1950 was stored, then `check` said 'restore a backup' and the person's own
    export no longer imported: every importer's rows now go through one validation."""
    path = tmp_path / "b.daylio"
    path.write_text(daylio_backup([{"year": 1950, "month": 0, "day": 1, "mood": 1}]))
    assert "before 1990" in cli("import", str(path), "--no-input", expect=2).stderr


def test_a_persons_own_export_always_reimports(cli, db_path, tmp_path):
    cli("add", "--route", "iv", "--dose", "9000mg", "--force", "--bp-before", "250/40", "--at", "2026-03-01 09:00")
    cli("checkin", "--mood", "0", "--sleep-hours", "24", "--note", "x" * 10_000)
    exported = tmp_path / "mine.json"
    cli("export", "-o", str(exported))
    db_path.unlink()
    cli("import", str(exported))
    assert count(db_path, "sessions") == 1


FORMAT_SEEDS = [
    ketalog_export(checkins=[CHECKIN], sessions=[SESSION]),
    daylio_backup([{"year": 2026, "month": 0, "day": 1, "hour": 9, "minute": 0, "mood": 1, "note": "<b>hi</b>"}]),
    json.dumps([{"date": "2026-01-01", "scores": [3, 4], "notes": "n", "tags": [{"type": "t", "entries": ["a"]}]}]),
    DAYLIO_HEAD + "2026-01-01,Jan 1,Thursday,10:00,rad,work | gym,title,note\n",
    "date,time,mood_rating,anxiety,notes\n2026-01-01,10:00,7,3,ok\n",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.sampled_from(FORMAT_SEEDS),
    cut=st.integers(0, 400),
    insert=st.sampled_from(
        ["", "\x00", "[", "{", '"', ",", "\n", "9" * 40, "-1", "null", "\\ud800", "1e999", "[]", "{}"]
    ),
)
def test_no_mutated_file_of_any_format_crashes_import(tmp_path_factory, seed, cut, insert):
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("fuzz")
    position = min(cut, len(seed))
    path = folder / "in.txt"
    path.write_text(seed[:position] + insert + seed[position:], encoding="utf-8", errors="surrogatepass")
    result = CliRunner().invoke(app, ["--db", str(folder / "d.db"), "import", str(path), "--no-input"])
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    if result.exit_code == 2:
        assert (
            result.stderr.count("\n") == 1 and not (folder / "d.db").exists() or count(folder / "d.db", "checkins") == 0
        )


def test_an_id_already_used_by_another_kind_of_entry_is_refused(cli, db_path, tmp_path):
    cli("checkin", "--mood", "5")
    taken = cli.json("list")[0]["id"]
    path = tmp_path / "x.json"
    path.write_text(ketalog_export(sessions=[{**SESSION, "id": taken}]))
    result = cli("import", str(path), expect=2)
    assert f"id {taken} is already one of your checkins" in result.stderr
    assert count(db_path, "sessions") == 0


def _peak_kib_of(*args: str) -> tuple[int, str]:
    """Run ketalog as a child process; (its peak resident memory in KiB, its stderr). Linux reports KiB."""
    import resource
    import subprocess
    import sys

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-m", "ketalog", *args], capture_output=True, text=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(after, before), done.stderr


@pytest.mark.parametrize(
    "name, body",
    [
        ("pixels at the object cap", lambda cap: "[" + ",".join(["{}"] * (cap - 1)) + "]"),
        ("pixels over the object cap", lambda cap: "[" + ",".join(["{}"] * (cap * 20)) + "]"),
        ("lists over the object cap", lambda cap: "[" + ",".join(["[]"] * (cap * 20)) + "]"),
        ("daylio backup of empty objects", lambda cap: daylio_backup([{}] * (cap * 3))),
    ],
)
def test_json_at_and_over_its_caps_stays_small(tmp_path, name, body):
    """Every JSON object becomes a Python object: files at the cap stay far under ~500 MB, and over it are
    refused before parsing (180 MB of '[{},{},...]' once took 4.4 GB)."""
    from ketalog.formats.read import MAX_JSON_OBJECTS

    path = tmp_path / "big.json"
    path.write_text(body(MAX_JSON_OBJECTS))
    peak, stderr = _peak_kib_of("--db", str(tmp_path / "d.db"), "import", str(path), "--no-input")
    assert stderr.startswith("ketalog: error:") and stderr.count("\n") == 1, stderr
    assert peak < 500 * 1024, f"{name}: {peak // 1024} MB"


def test_row_and_json_caps_are_refused_in_one_line(cli, tmp_path, monkeypatch):
    from ketalog.formats import read

    monkeypatch.setattr(read, "MAX_JSON_CHARS", 1000)
    path = tmp_path / "x.json"
    path.write_text(ketalog_export(checkins=[{**CHECKIN, "note": "x" * 2000}]))
    assert "more than 0 MB of JSON" in cli("import", str(path), expect=2).stderr
