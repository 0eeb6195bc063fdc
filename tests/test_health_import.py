"""Issue 31: Apple Health, Health Auto Export and Health Connect exports, each quirk from a synthetic file."""

from __future__ import annotations

import json
import random
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from health_exports import (
    DTD,
    apple_xml,
    record,
    write_apple_zip,
    write_auto_export,
    write_health_connect,
)
from helpers import count, rows
from hypothesis import given, settings
from hypothesis import strategies as st

from ketalog.formats import health


def metrics(db_path, source="applehealth") -> dict:
    found = rows(db_path, "SELECT metric, local_date, value FROM daily_metrics WHERE source = ?", [source])
    return {(metric, day): value for metric, day, value in found}


def test_an_apple_health_zip_with_a_translated_file_name(cli, db_path, tmp_path):
    export = write_apple_zip(tmp_path / "export.zip")  # apple_health_export/eksport.xml beside export_cda.xml
    data = cli.json("import", str(export))
    assert data["source"] == "applehealth"
    assert metrics(db_path) == {
        ("sleep_hours", "2026-03-05"): 7.33,  # the watch's stages, 23:00 to 06:30 less 10 minutes awake
        ("resting_hr", "2026-03-05"): 58.0,  # eight identical copies, one value
        ("resting_hr", "2026-03-06"): 61.0,
        ("hrv_sdnn", "2026-03-05"): 50.0,  # the day's median of 40, 50, 70
        ("mindful_minutes", "2025-07-02"): 10.0,  # its own zone's day, not the written offset's
    }
    assert rows(db_path, "SELECT local_date, value, value2 FROM health_readings WHERE metric = 'blood_pressure'") == [
        ("2026-03-07", 146.0, 92.0),
        ("2026-03-08", 128.0, 82.0),
    ]
    assert rows(db_path, "SELECT name, value FROM health_readings WHERE metric = 'symptom'") == [("nausea", 2.0)]
    assert data["skipped"] == {
        "blood pressure repeated outside its correlation": 4,
        "HKQuantityTypeIdentifierStepCount": 1,
        "FutureElement": 1,
    }
    assert data["duplicates"] == 7
    assert any("HKTimeZone" in warning for warning in data["warnings"])
    assert count(db_path, "checkins") == 0 and count(db_path, "sessions") == 0  # never made into entries


def test_the_bare_xml_reads_the_same_and_a_re_import_changes_nothing(cli, db_path, tmp_path):
    xml = tmp_path / "export.xml"
    xml.write_text(apple_xml())
    cli("import", str(xml))
    before = metrics(db_path)
    again = cli.json("import", str(write_apple_zip(tmp_path / "export.zip")))
    assert metrics(db_path) == before and count(db_path, "health_readings") == 3
    assert again["written"] == {"daily_metrics": {"unchanged": 5}, "health_readings": {"unchanged": 3}}
    newer = apple_xml().replace('value="61"', 'value="63"')
    xml.write_text(newer)
    assert cli.json("import", str(xml))["written"]["daily_metrics"] == {"updated": 1, "unchanged": 4}
    assert metrics(db_path)[("resting_hr", "2026-03-06")] == 63.0


def test_a_dry_run_counts_per_metric_and_writes_nothing(cli, db_path, tmp_path):
    text = cli("import", str(write_apple_zip(tmp_path / "export.zip")), "--dry-run").stdout
    assert "sleep: 1 day" in text and "home blood pressure: 2 readings" in text and "Would add 8" in text
    assert "Left out: 6 records of 3 kinds" in text
    assert count(db_path, "daily_metrics") == 0


def test_two_sources_of_one_night_prefer_the_one_with_stages():
    zone = timezone(timedelta(hours=-5))

    def at(hour: float) -> datetime:
        return datetime(2026, 3, 4, 22, tzinfo=zone) + timedelta(hours=hour)

    watch = [health.Segment(at(1), at(3.5), True, True, "watch"), health.Segment(at(3.7), at(8), True, True, "watch")]
    other = [health.Segment(at(0.5), at(9), True, False, "app")]  # longer, but no stages
    assert health.nights([*other, *watch]) == {at(8).date(): 6.8}
    assert health.nights(other) == {at(9).date(): 8.5}


@given(st.lists(st.tuples(st.integers(0, 600), st.integers(5, 240), st.booleans()), min_size=1, max_size=12),
       st.randoms(use_true_random=False))  # fmt: skip
def test_nights_do_not_depend_on_the_order_records_come_in(pieces, rng):
    start = datetime(2026, 3, 4, 20, tzinfo=timezone.utc)
    segments = [
        health.Segment(start + timedelta(minutes=m), start + timedelta(minutes=m + length), True, staged, "w")
        for m, length, staged in pieces
    ]
    shuffled = list(segments)
    rng.shuffle(shuffled)
    found = health.nights(segments)
    assert found == health.nights(shuffled)
    longest = (max(s.end for s in segments) - min(s.start for s in segments)).total_seconds() / 3600
    assert sum(found.values()) <= longest + 0.01  # overlaps are never counted twice


def test_entity_declarations_are_refused_and_nothing_is_written(cli, db_path, tmp_path):
    hostile = DTD.replace("]>", '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">\n]>', 1)
    path = tmp_path / "export.xml"
    path.write_text(hostile + record("HKQuantityTypeIdentifierRestingHeartRate", "2026-03-05 08:00:00 -0500",
                                     value="58") + "</HealthData>\n")  # fmt: skip
    error = cli("import", str(path), expect=2).stderr
    assert "declares an XML entity" in error and error.count("\n") == 1
    assert count(db_path, "daily_metrics") == 0


def test_a_truncated_export_is_one_line_error(cli, tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(apple_xml()[:-40])
    assert "not well-formed XML" in cli("import", str(path), expect=2).stderr


def test_choosing_the_wrong_format_is_said(cli, tmp_path):
    path = write_auto_export(tmp_path / "hae.json")
    error = cli("import", str(path), "--format", "applehealth", expect=2).stderr
    assert "is not an Apple Health export" in error and "Health Auto Export" in error


def test_state_of_mind_is_kept_as_its_own_and_a_localized_word_is_reported(cli, db_path, tmp_path):
    data = cli.json("import", str(write_auto_export(tmp_path / "hae.json", "sehr angenehm")))
    assert data["source"] == "healthautoexport"
    (reading,) = rows(db_path, "SELECT name, value, detail FROM health_readings WHERE metric = 'state_of_mind'")
    assert reading[:2] == ("dailyMood", 0.4)
    assert json.loads(reading[2]) == {
        "classification": "sehr angenehm", "labels": ["calm", "hopeful"], "associations": ["family"],
    }  # fmt: skip
    assert count(db_path, "checkins") == 0  # never ketalog's 0-10 mood
    assert any("sehr angenehm" in warning and "not translated" in warning for warning in data["warnings"])
    assert metrics(db_path, "healthautoexport")[("sleep_hours", "2026-03-05")] == 7.2


@pytest.mark.parametrize("zipped", [True, False])
def test_health_connect_with_missing_tables_says_what_it_lacks(cli, db_path, tmp_path, zipped):
    path = write_health_connect(tmp_path / ("export.zip" if zipped else "health_connect_export.db"), zipped)
    data = cli.json("import", str(path))
    assert data["source"] == "healthconnect"
    assert metrics(db_path, "healthconnect") == {("sleep_hours", "2026-03-05"): 7.5, ("resting_hr", "2026-03-05"): 59.0}
    missing = next(warning for warning in data["warnings"] if "not in this export" in warning)
    assert "blood_pressure_record_table" in missing and "nothing was guessed" in missing
    assert data["skipped"] == {"steps_record_table": 1}


def test_the_report_trends_and_insights_read_the_phone_beside_the_diary(cli, tmp_path):
    cli("import", str(write_apple_zip(tmp_path / "export.zip")))
    cli("checkin", "--mood", "6", "--sleep-hours", "6.5", "--at", "2026-03-05 20:00")
    cli("add", "--route", "iv", "--at", "2026-03-09 10:00")
    report = json.loads(cli("report", "--format", "json").stdout)
    sleep = next(m for m in report["phone"]["metrics"] if m["metric"] == "sleep_hours")
    assert sleep == {"metric": "sleep_hours", "source": "applehealth", "mean": 7.3, "total": 7.3, "days": 1}
    assert report["phone"]["sleep_checkin"] == {"mean": 6.5, "checkins": 1}
    raised = [r for r in report["phone"]["home_bp"] if r["level"] == "raised"]
    assert [(r["systolic"], r["diastolic"], r["session"][:10]) for r in raised] == [(146, 92, "2026-03-09")]
    page = " ".join(cli("report", "--format", "markdown").stdout.split())
    assert "Sleep (Apple Health) 7.3 h a night (1 night); Sleep (check-in) 6.5 h (1 check-in)" in page
    assert "the esketamine label's example of an elevated baseline before dosing (a guide, not a cutoff)" in page
    week = cli.json("trends", "--by", "week", "--since", "2026-03-01")[0]
    assert week["sleep_hours"] == 6.5 and week["phone"]["sleep_hours:applehealth"] == 7.33
    from ketalog.reading.insights import daily_inputs

    candidates, _ = daily_inputs([], [], [], [], [], [("2026-03-05", "applehealth", "sleep_hours", 7.33)])
    assert candidates[-1].label == "more sleep (Apple Health)" and not candidates[-1].binary


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["xml", "zip", "json", "db"]))
def test_no_hostile_phone_export_crashes_an_import(tmp_path_factory, junk, kind):
    from helpers import Cli

    folder = tmp_path_factory.mktemp("hostile")
    path = folder / f"export.{kind}"
    if kind == "xml":
        path.write_bytes(DTD.encode() + junk)
    elif kind == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("apple_health_export/export.xml", DTD.encode() + junk)
    elif kind == "json":
        path.write_bytes(b'{"data": {"metrics": [' + junk)
    else:
        path.write_bytes(b"SQLite format 3\x00" + junk)
    result = Cli()("import", str(path), "--dry-run", expect=None)
    assert result.exit_code in (0, 1, 2), result.exception
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_bigger_shapes_stream_without_holding_the_file(tmp_path):
    """Many records of many types, most left out: the plan keeps only counts of what it does not read."""
    rng = random.Random(3)
    body = "".join(
        record("HKQuantityTypeIdentifierStepCount", f"2026-02-{1 + i % 27:02d} 10:00:00 -0500", value=str(n))
        for i, n in enumerate(rng.randint(1, 99) for _ in range(3000))
    )  # fmt: skip
    path = tmp_path / "export.xml"
    path.write_text(DTD + body + "</HealthData>\n")
    from ketalog.formats import applehealth

    plan = applehealth.parse(path)
    assert plan.skipped["HKQuantityTypeIdentifierStepCount"] == 3000 and plan.daily == {}
