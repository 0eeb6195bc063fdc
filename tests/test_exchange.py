"""Export and import: lossless round trips, merges, other apps' files, and malformed files that write nothing."""

from __future__ import annotations

import json
import stat
import zipfile

import pytest
from helpers import count, rows

CRISIS_MARK = "If you are in immediate danger, call your local emergency number."
TABLES = (
    "medications",
    "sessions",
    "side_effects",
    "checkins",
    "checkin_tags",
    "journal",
    "journal_tags",
    "surveys",
    "medication_events",
    "visits",
    "followups",
    "labs",
    "mood_labels",
    "scale_directions",
    "planned_sessions",
    "daily_metrics",
    "health_readings",
)


@pytest.fixture
def filled(cli):
    cli(
        "add",
        "--route",
        "iv",
        "--dose",
        "0.5mg/kg",
        "--side-effect",
        "nausea",
        "--bp-before",
        "130/85",
        "--therapy",
        "--note",
        "ünïcode ✨",
        "--at",
        "2026-03-02 10:00",
    )
    cli("checkin", "--mood", "4", "--anxiety", "6", "--sleep-hours", "6.5", "--at", "2026-03-03 20:00")
    cli("journal", "line one\nline two", "--tag", "kap", "--at", "2026-03-03 21:00")
    cli("survey", "gad7", "--answers", "1,2,1,0,1,1,0", "--difficulty", "1", "--at", "2026-03-04 09:00")
    cli("survey", "log", "MADRS", "24", "--at", "2026-03-04 10:00")
    cli("med", "add", "sertraline", "--dose", "100 mg", "--schedule", "daily", "--start", "2026-01-04")
    cli("visit", "add", "--at", "2026-03-05 15:00", "--note", "Dr Lee: weekly boosters")
    cli("followup", "--answers", "8,1,2,0,no,0,a little,-,no,0,n/a,Sleeping better", "--at", "2026-03-06 09:00")
    cli("lab", "add", "ALT", "62", "U/L", "--range", "7-56", "--at", "2026-03-06 10:00", "--note", "fasting")


def test_export_import_export_is_identical(cli, filled, tmp_path):
    first = cli("export").stdout
    data = json.loads(first)
    from ketalog.db import latest_schema_version

    assert data["format"] == "ketalog-export" and data["schema_version"] == latest_schema_version()
    assert {t: len(v) for t, v in data["tables"].items()} == {
        "medications": 1,
        "sessions": 1,
        "side_effects": 1,
        "checkins": 1,
        "checkin_tags": 0,
        "journal": 1,
        "journal_tags": 1,
        "surveys": 2,
        "medication_events": 1,
        "visits": 1,
        "followups": 1,
        "labs": 1,
        "mood_labels": 0,
        "scale_directions": 0,
        "planned_sessions": 0,
        "daily_metrics": 0,
        "health_readings": 0,
        "deleted_entries": 0,
    }
    dump = tmp_path / "export.json"
    dump.write_text(first)
    fresh = tmp_path / "fresh.db"
    cli("--db", str(fresh), "import", str(dump))
    assert cli("--db", str(fresh), "export").stdout == first


def test_reimport_adds_nothing(cli, filled, tmp_path, db_path):
    dump = tmp_path / "export.json"
    cli("export", "--output", str(dump))
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    result = cli.json("import", str(dump))
    assert result["added"] == {} and result["unchanged"]["sessions"] == 1
    assert count(db_path, "sessions") == 1 and count(db_path, "side_effects") == 1


def test_two_machines_merge_and_later_edits_win(cli, tmp_path, monkeypatch):
    laptop, phone, merged = (tmp_path / f"{n}.db" for n in ("laptop", "phone", "merged"))
    shared = cli.json("--db", str(laptop), "checkin", "--mood", "4", "--at", "2026-03-01 20:00")
    cli("--db", str(laptop), "export", "-o", str(tmp_path / "laptop.json"))
    cli("--db", str(phone), "import", str(tmp_path / "laptop.json"))
    monkeypatch.setenv("KETALOG_NOW", "2026-03-10T12:00:00+00:00")
    cli("--db", str(phone), "edit", shared["id"][:8], "--mood", "5")  # edited later on the phone
    cli("--db", str(phone), "checkin", "--mood", "7", "--at", "2026-03-05 20:00")
    cli("--db", str(laptop), "journal", "only on the laptop")
    cli("--db", str(phone), "export", "-o", str(tmp_path / "phone.json"))
    cli("--db", str(laptop), "export", "-o", str(tmp_path / "laptop.json"), "--force")
    for name in ("laptop", "phone", "laptop"):
        cli("--db", str(merged), "import", str(tmp_path / f"{name}.json"))
    entries = cli.json("--db", str(merged), "list", "--limit", "0")
    assert sorted(e.get("mood") or 0 for e in entries if e["kind"] == "checkin") == [5, 7]
    assert [e["text"] for e in entries if e["kind"] == "journal"] == ["only on the laptop"]


def test_two_machines_medication_records_merge_into_one_medicine(cli, tmp_path, monkeypatch):
    laptop, phone, merged = (tmp_path / f"{n}.db" for n in ("laptop", "phone", "merged"))
    cli("--db", str(laptop), "med", "add", "Sertraline", "--dose", "100 mg", "--start", "2026-01-05")
    cli("--db", str(phone), "med", "add", "sertraline ", "--dose", "100 mg", "--start", "2026-01-05")
    cli("--db", str(phone), "med", "took", "lorazepam", "--dose", "0.5 mg", "--at", "2026-03-02 08:00")
    cli("--db", str(laptop), "med", "change", "sertraline", "--dose", "150 mg", "--at", "2026-03-01")
    for name, db in (("laptop", laptop), ("phone", phone)):
        cli("--db", str(db), "export", "-o", str(tmp_path / f"{name}.json"))
    for name in ("laptop", "phone", "laptop", "phone"):
        cli("--db", str(merged), "import", str(tmp_path / f"{name}.json"))
    assert count(merged, "medications") == 2 and count(merged, "medication_events") == 4
    meds = {m["name"].lower(): m for m in cli.json("--db", str(merged), "med", "list")}
    assert meds["sertraline"]["dose"] == "150 mg" and meds["lorazepam"]["last_taken"] == "2026-03-02T08:00+00:00"


def test_dry_run_changes_nothing(cli, filled, tmp_path):
    dump = tmp_path / "export.json"
    cli("export", "-o", str(dump))
    target = tmp_path / "other.db"
    out = cli("--db", str(target), "import", str(dump), "--dry-run").stdout
    assert "Would add: 1 medications, 1 sessions" in out and "nothing was changed" in out
    assert not target.exists()
    cli("--db", str(target), "checkin", "--mood", "3")
    cli("--db", str(target), "import", str(dump), "--dry-run")
    assert count(target, "sessions") == 0 and count(target, "checkins") == 1


def test_csv_export_zip_and_folder(cli, filled, tmp_path):
    archive = tmp_path / "out.zip"
    cli("export", "--format", "csv", "--output", str(archive))
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with zipfile.ZipFile(archive) as opened:
        assert sorted(opened.namelist()) == sorted(f"{t}.csv" for t in TABLES)
        sessions = opened.read("sessions.csv").decode()
    assert sessions.splitlines()[0].startswith("id,at,utc_offset,local_date,route") and "ünïcode ✨" in sessions
    folder = tmp_path / "csv"
    cli("export", "--format", "csv", "--output", str(folder))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE((folder / f"{t}.csv").stat().st_mode) == 0o600 for t in TABLES)


def test_imported_phq9_item9_shows_crisis_resources(cli, tmp_path, db_path):
    source = tmp_path / "source.db"
    cli("--db", str(source), "survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,2")
    cli("--db", str(source), "export", "-o", str(tmp_path / "dump.json"))
    out = cli("import", str(tmp_path / "dump.json")).stdout
    assert CRISIS_MARK in out and out.index(CRISIS_MARK) < out.index("Added")
    assert CRISIS_MARK in cli("--db", str(tmp_path / "x.db"), "import", str(tmp_path / "dump.json"), "--dry-run").stdout


_SURVEY = {
    "id": "a" * 32,
    "at": "2026-03-01T10:00:00Z",
    "utc_offset": 0,
    "local_date": "2026-03-01",
    "instrument": "phq9",
    "answers": "[1,1,1,1,1,1,1,1,0]",
    "total": 8,
    "band": "mild",
    "difficulty": None,
    "created_at": "2026-03-01T10:00:00Z",
    "updated_at": "2026-03-01T10:00:00Z",
}


def _export_with(cli, tmp_path, change) -> str:
    cli("--db", str(tmp_path / "src.db"), "add", "--route", "iv", "--side-effect", "nausea")
    cli("--db", str(tmp_path / "src.db"), "checkin", "--mood", "5")
    data = json.loads(cli("--db", str(tmp_path / "src.db"), "export").stdout)
    change(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data, indent=2))
    return str(path)


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda d: d["tables"]["checkins"][0].update(mood=11),
            "table checkins row 1: mood: must be a whole number from 0 to 10",
        ),
        # Values that, once stored, broke every later read (issue 9.3): each refused, naming table, row and column.
        (lambda d: d["tables"]["checkins"][0].update(utc_offset="abc"), "table checkins row 1: utc_offset must be"),
        (lambda d: d["tables"]["checkins"][0].update(utc_offset=100000), "table checkins row 1: utc_offset must be"),
        (
            lambda d: d["tables"]["checkins"][0].update(at="2026-02-30T10:00:00Z"),
            "at '2026-02-30T10:00:00Z' is not a real",
        ),
        (lambda d: d["tables"]["checkins"][0].update(at="0206-03-04T10:00:00Z"), "is before 1990"),
        (
            lambda d: d["tables"]["checkins"][0].update(local_date="2026-13-45"),
            "local_date '2026-13-45' is not a real date",
        ),
        (lambda d: d["tables"]["checkins"][0].update(local_date="2026-03-01"), "is not the day of at"),
        (lambda d: d["tables"]["checkins"][0].update(created_at=5), "created_at must be UTC"),
        (lambda d: d["tables"]["checkins"][0].update(sleep_hours="lots"), "sleep_hours: must be a number"),
        (
            lambda d: d["tables"]["sessions"][0].update(dose_amount="lots", dose_unit="mg"),
            "dose_amount: must be a number",
        ),
        (lambda d: d["tables"]["sessions"][0].update(route="IV drip"), "route: must be one of"),
        (lambda d: d["tables"]["sessions"][0].update(therapy="yes"), "therapy: must be one of 0, 1"),
        (lambda d: d["tables"]["sessions"][0].update(note=["a"]), "note: must be text"),
        (
            lambda d: d["tables"]["side_effects"][0].update(name=5),
            "table side_effects row 1: name must be non-empty text",
        ),
        (
            lambda d: d["tables"]["surveys"].append({**_SURVEY, "total": "ten"}),
            "table surveys row 1: total: must be a whole",
        ),
        (lambda d: d["tables"]["surveys"].append({**_SURVEY, "answers": "[1,2,"}), "answers: must be a JSON list"),
        (
            lambda d: d["tables"]["surveys"].append({**_SURVEY, "instrument": "madrs", "total": True}),
            "total: must be a whole",
        ),
        (
            lambda d: d["tables"]["surveys"].append({**_SURVEY, "answers": None, "total": 99}),
            "a PHQ-9 total must be 0-27",
        ),
        (lambda d: d["tables"]["checkins"][0].update(at="yesterday"), "table checkins row 1: at must be UTC"),
        (lambda d: d["tables"]["checkins"][0].update(id="XYZ"), "table checkins row 1: id must be"),
        (lambda d: d["tables"]["checkins"][0].update(colour="blue"), "unknown column 'colour'"),
        (lambda d: d["tables"]["side_effects"][0].update(session_id="f" * 32), "refers to an entry"),
        (lambda d: d["tables"].update(photos=[]), "unknown table 'photos'"),
        (lambda d: d.update(schema_version=99), "newer ketalog"),
        (lambda d: d.update(format="something"), "not a ketalog export"),
        (lambda d: d["tables"]["sessions"][0].pop("route"), "required value is missing"),
    ],
)
def test_malformed_ketalog_files_write_nothing(cli, tmp_path, db_path, change, message):
    cli("checkin", "--mood", "2")  # an existing database, which must stay exactly as it was
    path = _export_with(cli, tmp_path, change)
    result = cli("import", path, expect=2)
    assert message in result.stderr and "broken.json" in result.stderr and "nothing was imported" in result.stderr
    assert count(db_path, "sessions") == 0 and count(db_path, "checkins") == 1 and count(db_path, "side_effects") == 0
    assert len(cli.json("list")) == 1 and cli("check").exit_code == 0  # every later read still works


def test_an_imported_band_is_recomputed_from_the_answers(cli, tmp_path):
    path = _export_with(
        cli,
        tmp_path,
        lambda d: d["tables"]["surveys"].append(
            {**_SURVEY, "answers": "[3,3,3,3,3,2,2,2,0]", "total": 21, "band": "minimal"}
        ),
    )
    cli("import", path)
    assert cli.json("list", "--kind", "survey")[0]["band"] == "severe"


def test_invalid_json_names_the_line(cli, tmp_path, db_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "format": "ketalog-export",\n  oops\n}')
    assert "line 3" in cli("import", str(path), expect=2).stderr
    assert not db_path.exists()


DAYLIO_CURRENT = (
    "\ufefffull_date,date,weekday,time,mood,activities,scales,note_title,note\n"
    '2026-03-02,March 2,Monday,11:54 pm,rad,walk | friends | walk,,Good one,"felt light, calm"\n'
    "2026-03-01,March 1,Sunday,20:39,meh,,,,\n"
    "2026-02-28,February 28,Saturday,7:05 am,awful,work,,,\n"
)
DAYLIO_2021 = (
    "full_date,date,weekday,time,mood,activities,note_title,note\n"
    "2021-05-02,May 2,Sunday,10:00 am,good,reading,,short\n"
)
DAYLIO_2018 = "year,date,weekday,time,mood,activities,note\n2018,March 4,Sunday,9:15 pm,bad,,old note\n"


def test_daylio_current_layout(cli, tmp_path, db_path):
    path = tmp_path / "daylio_export.csv"
    path.write_text(DAYLIO_CURRENT, encoding="utf-8")
    result = cli.json("import", str(path))
    assert result["source"] == "daylio" and result["added"] == {"checkins": 3, "checkin_tags": 3}
    assert any("1→0, 2→2, 3→5, 4→8, 5→10" in line for line in result["mapping"])
    stored = rows(db_path, "SELECT at, mood, note FROM checkins ORDER BY at")
    assert stored == [
        ("2026-02-28T07:05:00Z", 0, None),
        ("2026-03-01T20:39:00Z", 5, None),
        ("2026-03-02T23:54:00Z", 10, "Good one\nfelt light, calm"),
    ]
    assert sorted(r[0] for r in rows(db_path, "SELECT tag FROM checkin_tags")) == ["friends", "walk", "work"]
    assert cli.json("import", str(path))["added"] == {}  # same file again: nothing new


def test_daylio_csv_notes_written_as_html_become_text_and_plain_ones_stay(cli, tmp_path, db_path):
    """Daylio's 2024 exports write notes as HTML in the CSV too (the backup importer already converted)."""
    path = tmp_path / "daylio_export.csv"
    path.write_text(
        "full_date,date,weekday,time,mood,activities,scales,note_title,note\n"
        '2026-03-02,March 2,Monday,20:00,good,,,Long&nbsp;day,"first line<br>second&nbsp;line<br/>&amp; more"\n'
        "2026-03-01,March 1,Sunday,20:00,meh,,,,I <3 this > that\n",
        encoding="utf-8",
    )
    cli("import", str(path))
    stored = [note for (note,) in rows(db_path, "SELECT note FROM checkins ORDER BY at")]
    assert stored == ["I <3 this > that", "Long day\nfirst line\nsecond line\n& more"]


@pytest.mark.parametrize(
    "text, expected",
    [(DAYLIO_2021, [("2021-05-02T10:00:00Z", 8, "short")]), (DAYLIO_2018, [("2018-03-04T21:15:00Z", 2, "old note")])],
)
def test_daylio_older_layouts(cli, tmp_path, db_path, text, expected):
    path = tmp_path / "daylio.csv"
    path.write_text(text)
    cli("import", str(path), "--format", "daylio")
    assert rows(db_path, "SELECT at, mood, note FROM checkins") == expected


def test_daylio_renamed_moods_need_a_map(cli, tmp_path, db_path):
    path = tmp_path / "daylio.csv"
    path.write_text(
        "full_date,date,weekday,time,mood,activities,note_title,note\n"
        "2026-03-02,March 2,Monday,20:00,super good,,,\n2026-03-01,March 1,Sunday,20:00,okay,,,\n"
        "2026-02-28,February 28,Saturday,20:00,good,,,\n"
    )
    error = cli("import", str(path), expect=2).stderr
    assert "'super good' (1 entry, first on line 2)" in error and "'okay' (1 entry, first on line 3)" in error
    assert '--mood-map "super good=?,okay=?"' in error  # every unknown label, ready to fill in
    assert not db_path.exists()
    cli("import", str(path), "--mood-map", "super good=5,okay=3")
    assert sorted(r[0] for r in rows(db_path, "SELECT mood FROM checkins")) == [5, 8, 10]
    assert "--mood-map" in cli("import", str(path), "--mood-map", "okay=9", expect=2).stderr


@pytest.mark.parametrize(
    "body, problem",
    [
        ("2026-02-30,x,x,20:00,good,,,\n", "line 3: date '2026-02-30'"),
        ("2026-03-01,x,x,25:61,good,,,\n", "line 3: time '25:61'"),
        ("2026-03-01,x,x,20:00,good\n", "line 3: has 5 columns"),
    ],
)
def test_daylio_bad_rows_stop_everything(cli, tmp_path, db_path, body, problem):
    path = tmp_path / "daylio.csv"
    path.write_text(
        "full_date,date,weekday,time,mood,activities,note_title,note\n2026-03-02,March 2,Monday,20:00,good,,,\n" + body
    )
    assert problem in cli("import", str(path), expect=2).stderr
    assert count(db_path, "checkins") == 0


EMOODS = (
    "ID,DATE (YYYY-MM-DD),IRRITABILITY,ANXIETY,DEPRESSED,ELEVATED,SLEEP,PSYCHOTIC SYMPTOMS,NOTE,THERAPY,"
    "MENSTRUAL CYCLE,WEIGHT\n"
    "12,2026-02-03,2,3,4,1,6.5,0,rough day,yes,,70\n"
    "11,2026-02-02,0,1,1,0,8,0,,,,\n"
    "10,2026-02-01,0,0,0,0,,0,,,,\n"
)


@pytest.mark.parametrize("packaging", ["zip", "csv"])
def test_emoods_backup_and_bare_csv(cli, tmp_path, db_path, packaging):
    if packaging == "zip":
        path = tmp_path / "backup.emoods"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("entry.csv", EMOODS)
    else:
        path = tmp_path / "entry.csv"
        path.write_text(EMOODS)
    result = cli.json("import", str(path))
    assert result["source"] == "emoods" and result["added"] == {"checkins": 2}
    assert result["skipped"] == ["line 4 (2026-02-01): no depression or anxiety rating logged"]
    stored = rows(db_path, "SELECT local_date, mood, anxiety, sleep_hours, note FROM checkins ORDER BY at")
    assert stored == [
        ("2026-02-02", 10, 0, 8.0, None),
        ("2026-02-03", 0, 7, 6.5, "rough day\neMoods: irritability mild, elevated none, therapy yes"),
    ]
    assert cli.json("import", str(path))["added"] == {}


def test_emoods_out_of_range_value(cli, tmp_path, db_path):
    path = tmp_path / "entry.csv"
    path.write_text(EMOODS.replace("12,2026-02-03,2,3,4", "12,2026-02-03,2,7,4"))
    assert "line 2: ANXIETY must be 0-4" in cli("import", str(path), expect=2).stderr
    assert count(db_path, "checkins") == 0


def test_unknown_format_and_mismatch(cli, tmp_path):
    path = tmp_path / "random.csv"
    path.write_text("a,b,c\n1,2,3\n")
    assert "--format" in cli("import", str(path), expect=2).stderr
    path.write_text(EMOODS)
    assert "looks like a emoods file" in cli("import", str(path), "--format", "daylio", expect=2).stderr
    assert "No such file" in cli("import", str(tmp_path / "missing.csv"), expect=2).stderr


def test_unwritable_output_is_a_one_line_error(cli, filled, tmp_path):
    missing = tmp_path / "no" / "such" / "folder"
    for args in (
        ["export", "-o", str(missing / "x.json")],
        ["export", "-f", "csv", "-o", str(missing / "x.zip")],
        ["report", "-f", "html", "-o", str(missing / "r.html")],
    ):
        result = cli(*args, expect=2)
        assert "--output: cannot write" in result.stderr and "Traceback" not in result.output


def test_streamed_json_export_is_byte_for_byte_the_whole_document(cli, filled, db_path):
    from ketalog.db import open_db
    from ketalog.formats import ketalog_json as exchange
    from ketalog.render.text import to_json

    cli("journal", 'two\nlines, a C1 \u009b and a quote " here', "--at", "2026-03-05 21:00")
    with open_db(db_path, create=False) as db:
        whole = to_json(exchange.export_data(db, "2026-03-10T10:00:00Z"))
        streamed = "".join(exchange.export_json_chunks(db, "2026-03-10T10:00:00Z"))
    assert streamed == whole
    assert json.loads(streamed)["tables"]["mood_labels"] == []  # an empty table is "[]"


def test_export_command_streams_to_stdout_and_to_a_file_alike(cli, filled, tmp_path):
    target = tmp_path / "out.json"
    cli("export", "-o", str(target))
    assert target.read_text() == cli("export").stdout


def test_an_entry_twice_in_one_export_is_refused_naming_the_second_row(cli, filled, tmp_path, db_path):
    data = json.loads(cli("export").stdout)
    checkins = data["tables"]["checkins"]
    copy = dict(checkins[0])
    copy["note"] = "the same id again"
    data["tables"]["checkins"] = [*checkins, copy]
    dump = tmp_path / "twice.json"
    dump.write_text(json.dumps(data))
    fresh = tmp_path / "fresh.db"
    result = cli("--db", str(fresh), "import", str(dump), expect=2)
    assert f"table checkins row {len(checkins) + 1}:" in result.stderr and "nothing was imported" in result.stderr
    assert count(fresh, "checkins") == 0 and count(fresh, "sessions") == 0


@pytest.mark.parametrize("spelling", ["PHQ-9", "phq 9", "PHQ9", " Phq-9 "])
def test_an_imported_phq9_is_a_phq9_however_the_file_spells_it(cli, db_path, tmp_path, spelling):
    """A PHQ-9 under another spelling was a free-form scale: answers unchecked, item 9 = 3 showed nothing."""
    cli("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,0", "--at", "2026-03-04 09:00")
    data = json.loads(cli("export").stdout)
    data["tables"]["surveys"][0].update(instrument=spelling, answers="[1,1,1,1,1,1,1,1,3]", total=11)
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    db_path.unlink()
    result = cli("import", str(path))
    assert CRISIS_MARK in result.output
    assert rows(db_path, "SELECT instrument, total, band FROM surveys") == [("phq9", 11, "moderate")]
    data["tables"]["surveys"][0].update(answers="[1,1,1,1,1,1,1,1,7]")
    path.write_text(json.dumps(data))
    assert "PHQ-9 answers must be 9 values 0-3" in cli("import", str(path), expect=2).stderr


@pytest.mark.parametrize("spelling", ["PHQ-9", "phq 9", "PHQ9"])
def test_survey_log_stores_a_known_name_as_its_id(cli, db_path, spelling):
    cli("survey", "log", spelling, "12")
    assert rows(db_path, "SELECT instrument, band FROM surveys") == [("phq9", "moderate")]


def test_an_entry_deleted_in_ketalog_stays_deleted_on_every_reimport(cli, tmp_path, db_path):
    """Issue 26, item 2: `import --help` says re-importing adds nothing, yet a deleted entry came back."""
    path = tmp_path / "daylio_export.csv"
    path.write_text(DAYLIO_CURRENT, encoding="utf-8")
    cli("import", str(path))
    gone = next(e for e in cli.json("list", "--json") if e["mood"] == 10)
    cli("delete", gone["id"][:8], "--yes")
    for _ in range(2):
        result = cli.json("import", str(path))
        assert result["added"] == {} and result["kept_deleted"] == {"checkins": 1}
    assert [mood for (mood,) in rows(db_path, "SELECT mood FROM checkins ORDER BY at")] == [0, 5]
    assert rows(db_path, "SELECT count(*) FROM checkin_tags WHERE checkin_id = ?", [gone["id"]]) == [(0,)]
    assert "Left out 1 you deleted in ketalog" in cli("import", str(path)).stdout


def test_same_minute_entries_in_a_new_order_never_move_an_edit_onto_the_other(cli, tmp_path, db_path):
    """Issue 26, item 4: identity is (app, minute, position); a newer export that swaps two entries of one
    minute moved one's content onto the other's id, and overwrote the entry not edited here."""
    header = "full_date,date,weekday,time,mood,activities,scales,note_title,note\n"
    first, second = "2026-03-02,x,x,20:00,good,,,,walked\n", "2026-03-02,x,x,20:00,bad,,,,argued\n"
    path = tmp_path / "daylio_export.csv"
    path.write_text(header + first + second, encoding="utf-8")
    cli("import", str(path))
    walked = next(e for e in cli.json("list", "--json") if e["note"] == "walked")
    cli("edit", walked["id"][:8], "--note", "walked by the river")
    path.write_text(header + second + first, encoding="utf-8")  # the app wrote them the other way round
    result = cli.json("import", str(path))
    assert result["updated"] == {} and result["added"] == {}
    stored = sorted(rows(db_path, "SELECT note, mood FROM checkins"))
    assert stored == [("argued", 2), ("walked by the river", 8)]
