"""Synthetic phone-health exports for the tests, each reproducing a quirk of real ones
(`../shared/domain/health-exports.md`): written here, never copied from anyone's export."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

TOP = "Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription"
DTD = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,({TOP})*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate value CDATA #REQUIRED HKTimeZone CDATA #REQUIRED>
<!ELEMENT Me EMPTY>
<!ATTLIST Me HKCharacteristicTypeIdentifierDateOfBirth CDATA #REQUIRED>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record type CDATA #REQUIRED unit CDATA #IMPLIED value CDATA #IMPLIED sourceName CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED device CDATA #IMPLIED creationDate CDATA #IMPLIED startDate CDATA #REQUIRED
  endDate CDATA #REQUIRED>
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry key CDATA #REQUIRED value CDATA #REQUIRED>
<!ELEMENT Correlation ((MetadataEntry|Record)*)>
<!ATTLIST Correlation type CDATA #REQUIRED sourceName CDATA #REQUIRED creationDate CDATA #IMPLIED
  startDate CDATA #REQUIRED endDate CDATA #REQUIRED>
]>
<HealthData locale="en_US">
 <ExportDate value="2026-03-10 10:00:00 -0500" HKTimeZone="America/New_York"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-01-01"/>
"""
WATCH, CYCLE = "Alex's Apple Watch", "Sleep Cycle"


def record(kind: str, start: str, end: str | None = None, value: str | None = None, source: str = WATCH,
           meta: dict | None = None, unit: str | None = None) -> str:  # fmt: skip
    attrs = f'type="{kind}" sourceName="{source}" startDate="{start}" endDate="{end or start}"'
    if value is not None:
        attrs += f' value="{value}"'
    if unit:
        attrs += f' unit="{unit}"'
    inner = "".join(f'<MetadataEntry key="{k}" value="{v}"/>' for k, v in (meta or {}).items())
    return f" <Record {attrs}>{inner}</Record>\n" if inner else f" <Record {attrs}/>\n"


def sleep(start: str, end: str, stage: str, source: str = WATCH) -> str:
    return record("HKCategoryTypeIdentifierSleepAnalysis", start, end, f"HKCategoryValueSleepAnalysis{stage}", source)


def blood_pressure(at: str, systolic: int, diastolic: int) -> str:
    """A Correlation and, as the DTD's exports do, its two values again as top-level records."""
    children = record("HKQuantityTypeIdentifierBloodPressureSystolic", at, value=str(systolic), unit="mmHg") + record(
        "HKQuantityTypeIdentifierBloodPressureDiastolic", at, value=str(diastolic), unit="mmHg"
    )
    correlation = (
        f' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron" startDate="{at}" '
        f'endDate="{at}">\n{children} </Correlation>\n'
    )
    return correlation + children


def apple_xml() -> str:
    """One of each quirk: a night across midnight from two sources, a blood-pressure correlation with its
    top-level copies, a record repeated 8 times, a type and an element ketalog does not read, and a
    mindful session whose written offset (the phone's, at export) disagrees with its own zone."""
    body = [
        # the night of 4 to 5 March: the watch's stages, in bed longer, and another app's legacy "Asleep"
        sleep("2026-03-04 22:45:00 -0500", "2026-03-05 06:40:00 -0500", "InBed"),
        sleep("2026-03-04 23:00:00 -0500", "2026-03-05 01:30:00 -0500", "AsleepCore"),
        sleep("2026-03-05 01:30:00 -0500", "2026-03-05 01:40:00 -0500", "Awake"),
        sleep("2026-03-05 01:40:00 -0500", "2026-03-05 03:00:00 -0500", "AsleepDeep"),
        sleep("2026-03-05 03:00:00 -0500", "2026-03-05 06:30:00 -0500", "AsleepREM"),
        sleep("2026-03-04 23:10:00 -0500", "2026-03-05 06:20:00 -0500", "Asleep", CYCLE),
        *[record("HKQuantityTypeIdentifierRestingHeartRate", "2026-03-05 08:00:00 -0500", value="58", unit="count/min")]
        * 8,  # fmt: skip
        record("HKQuantityTypeIdentifierRestingHeartRate", "2026-03-06 08:00:00 -0500", value="61", unit="count/min"),
        record("HKQuantityTypeIdentifierHeartRateVariabilitySDNN", "2026-03-05 03:00:00 -0500", value="40"),
        record("HKQuantityTypeIdentifierHeartRateVariabilitySDNN", "2026-03-05 09:00:00 -0500", value="50"),
        record("HKQuantityTypeIdentifierHeartRateVariabilitySDNN", "2026-03-05 21:00:00 -0500", value="70"),
        blood_pressure("2026-03-07 08:00:00 -0500", 146, 92),
        blood_pressure("2026-03-08 08:00:00 -0500", 128, 82),
        record("HKQuantityTypeIdentifierStepCount", "2026-03-05 10:00:00 -0500", value="1200"),
        ' <FutureElement kind="new in a later iOS"/>\n',
        record("HKCategoryTypeIdentifierNausea", "2026-03-06 12:00:00 -0500", value="HKCategoryValueSeverityModerate"),
        # 00:30 on 2 July in New York (EDT, -0400), written with the export's winter offset (-0500)
        record(
            "HKCategoryTypeIdentifierMindfulSession",
            "2025-07-01 23:30:00 -0500",
            "2025-07-01 23:40:00 -0500",
            meta={"HKTimeZone": "America/New_York"},
        ),  # fmt: skip
    ]
    return DTD + "".join(body) + "</HealthData>\n"


def write_apple_zip(path: Path, xml: str | None = None, name: str = "eksport.xml") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"apple_health_export/{name}", xml or apple_xml())
        archive.writestr("apple_health_export/export_cda.xml", '<?xml version="1.0"?><ClinicalDocument/>')
    return path


def auto_export(classification: str = "pleasant") -> dict:
    return {
        "data": {
            "metrics": [
                {"name": "sleep_analysis", "units": "hr", "data": [
                    {"date": "2026-03-05 00:00:00 -0500", "totalSleep": 7.2, "core": 4, "deep": 1.2, "rem": 2,
                     "sleepStart": "2026-03-04 23:00:00 -0500", "sleepEnd": "2026-03-05 06:30:00 -0500"},
                ]},
                {"name": "resting_heart_rate", "units": "count/min", "data": [
                    {"date": "2026-03-05 08:00:00 -0500", "qty": 57}]},
                {"name": "blood_pressure", "units": "mmHg", "data": [
                    {"date": "2026-03-07 08:00:00 -0500", "systolic": 150, "diastolic": 95}]},
                {"name": "step_count", "units": "count", "data": [{"date": "2026-03-05 00:00:00 -0500", "qty": 10}]},
            ],
            "stateOfMind": [
                {"start": "2026-03-05 20:00:00 -0500", "kind": "dailyMood", "valence": 0.4,
                 "valenceClassification": classification, "labels": ["calm", "hopeful"],
                 "associations": ["family"]},
            ],
        }
    }  # fmt: skip


def write_auto_export(path: Path, classification: str = "pleasant") -> Path:
    path.write_text(json.dumps(auto_export(classification)), encoding="utf-8")
    return path


def write_health_connect(path: Path, zipped: bool = True) -> Path:
    """A Health Connect database with sleep and resting heart rate, and no blood-pressure, HRV or
    mindfulness table (its schema is unpublished: what is missing must be said, not guessed)."""
    db_path = path.with_suffix(".db") if zipped else path
    conn = sqlite3.connect(db_path)
    conn.execute(
        "CREATE TABLE sleep_session_record_table (row_id INTEGER PRIMARY KEY, start_time INTEGER, end_time INTEGER,"
        " start_zone_offset INTEGER, end_zone_offset INTEGER, title TEXT)"
    )
    conn.execute(
        "CREATE TABLE resting_heart_rate_record_table (row_id INTEGER PRIMARY KEY, time INTEGER, zone_offset INTEGER,"
        " beats_per_minute INTEGER)"
    )
    conn.execute("CREATE TABLE steps_record_table (row_id INTEGER PRIMARY KEY, count INTEGER)")
    # 23:00 on 4 March to 06:30 on 5 March at UTC+1
    conn.execute(
        "INSERT INTO sleep_session_record_table VALUES (1, ?, ?, 3600, 3600, 'night')",
        [1772661600000, 1772688600000],
    )
    conn.execute("INSERT INTO resting_heart_rate_record_table VALUES (1, 1772697600000, 3600, 59)")
    conn.execute("INSERT INTO steps_record_table VALUES (1, 4000)")
    conn.commit()
    conn.close()
    if not zipped:
        return path
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(db_path, "health_connect_export.db")
    db_path.unlink()
    return path
