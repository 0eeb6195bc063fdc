"""Import a generated Apple Health export of ~200 MB: speed (MB/s of XML) and peak memory (issue 31).

    python benchmarks/health_import.py [--mb 200] [--repeat 3] [--zip] [--keep DIR]

The file is written by this script, never taken from anyone: years of a watch's records in the shape of
HealthKit's export DTD (version 14), most of them types ketalog does not read (step counts, heart rate,
active energy, with metadata), nightly sleep stages from two sources, resting heart rate, HRV, mindful
sessions, blood-pressure correlations with their top-level copies, and some records repeated. Each run
imports it into a new database in its own process; the table shows wall time, MB/s and peak RSS
(rusage of exactly that process). Targets: >= 50 MB/s, peak < 100 MB. Nothing here runs in the suite.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import ketalog_command, measure  # noqa: E402

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate value CDATA #REQUIRED>
<!ELEMENT Me EMPTY>
<!ATTLIST Me HKCharacteristicTypeIdentifierDateOfBirth CDATA #REQUIRED>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record type CDATA #REQUIRED unit CDATA #IMPLIED value CDATA #IMPLIED sourceName CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED device CDATA #IMPLIED creationDate CDATA #IMPLIED startDate CDATA #REQUIRED
  endDate CDATA #REQUIRED>
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry key CDATA #REQUIRED value CDATA #REQUIRED>
<!ELEMENT Correlation ((MetadataEntry|Record)*)>
<!ATTLIST Correlation type CDATA #REQUIRED sourceName CDATA #REQUIRED startDate CDATA #REQUIRED endDate CDATA #REQUIRED>
]>
<HealthData locale="en_US">
 <ExportDate value="2026-03-10 10:00:00 -0500"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-01-01"/>
"""
DEVICE = (
    "&lt;&lt;HKDevice: 0x2829f4e60&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2&gt;"
)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S -0500")


def rec(kind: str, start: datetime, end: datetime, value: str, unit: str = "", meta: str = "") -> str:
    unit_attr = f' unit="{unit}"' if unit else ""
    body = (
        f' <Record type="{kind}" sourceName="Alex\'s Apple Watch" sourceVersion="9.1" device="{DEVICE}"{unit_attr}'
        f' creationDate="{stamp(end)}" startDate="{stamp(start)}" endDate="{stamp(end)}" value="{value}"'
    )
    return body + (f">\n{meta} </Record>\n" if meta else "/>\n")


def day_of(day: datetime, rng: random.Random) -> list[str]:
    out = []
    for minute in range(0, 24 * 60, 5):  # heart rate every 5 minutes, with metadata: most of a real file
        at = day + timedelta(minutes=minute)
        meta = '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n'
        out.append(rec("HKQuantityTypeIdentifierHeartRate", at, at, str(rng.randint(55, 110)), "count/min", meta))
    for hour in range(7, 22):
        at = day + timedelta(hours=hour)
        out.append(rec("HKQuantityTypeIdentifierStepCount", at, at + timedelta(minutes=40), str(rng.randint(10, 900)),
                       "count"))  # fmt: skip
        out.append(rec("HKQuantityTypeIdentifierActiveEnergyBurned", at, at + timedelta(minutes=40),
                       f"{rng.uniform(1, 40):.3f}", "kcal"))  # fmt: skip
    night = day - timedelta(hours=1)
    for stage, length in (("Core", 120), ("Deep", 60), ("Core", 90), ("REM", 60), ("Awake", 10), ("Core", 80)):
        end = night + timedelta(minutes=length)
        out.append(rec("HKCategoryTypeIdentifierSleepAnalysis", night, end, f"HKCategoryValueSleepAnalysisAsleep{stage}"
                       if stage != "Awake" else "HKCategoryValueSleepAnalysisAwake"))  # fmt: skip
        night = end
    out.append(rec("HKQuantityTypeIdentifierRestingHeartRate", day + timedelta(hours=8), day + timedelta(hours=8),
                   str(rng.randint(52, 66)), "count/min"))  # fmt: skip
    hrv = rec("HKQuantityTypeIdentifierHeartRateVariabilitySDNN", day + timedelta(hours=3), day + timedelta(hours=3),
              f"{rng.uniform(20, 90):.2f}", "ms")  # fmt: skip
    out += [hrv] * rng.choice((1, 1, 1, 8))  # real exports repeat some records up to 8 times
    if rng.random() < 0.1:
        at = day + timedelta(hours=8, minutes=5)
        sys_, dia = rng.randint(110, 150), rng.randint(70, 95)
        children = (rec("HKQuantityTypeIdentifierBloodPressureSystolic", at, at, str(sys_), "mmHg")
                    + rec("HKQuantityTypeIdentifierBloodPressureDiastolic", at, at, str(dia), "mmHg"))  # fmt: skip
        opening = ' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron" '
        out.append(f'{opening}startDate="{stamp(at)}" endDate="{stamp(at)}">\n{children} </Correlation>\n{children}')
    return out


def generate(path: Path, megabytes: int) -> int:
    rng = random.Random(31)
    day = datetime(2020, 1, 1)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        while written < megabytes * 2**20:
            chunk = "".join(day_of(day, rng))
            out.write(chunk)
            written += len(chunk)
            day += timedelta(days=1)
        out.write("</HealthData>\n")
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--zip", action="store_true", help="import it as export.zip (the member streamed)")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="ketalog-health-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    xml = folder / "export.xml"
    size = xml.stat().st_size if xml.exists() else generate(xml, args.mb)
    source = xml
    if args.zip:
        source = folder / "export.zip"
        if not source.exists():
            with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(xml, "apple_health_export/export.xml")
    env = {**os.environ, "KETALOG_NOW": "2041-03-10T10:00:00+00:00", "KETALOG_CONFIG": str(folder / "none.toml")}
    db = folder / "health.db"
    times, peaks = [], []
    for _ in range(args.repeat):
        for leftover in folder.glob("health.db*"):
            leftover.unlink()
        elapsed, peak = measure([*ketalog_command(), "--db", str(db), "import", str(source), "--no-input"], env)
        times.append(elapsed)
        peaks.append(peak)
    median = statistics.median(times)
    print(f"export.xml {size / 2**20:.0f} MB{' (as export.zip)' if args.zip else ''}, {args.repeat} runs")
    print(f"median {median:.2f} s (min {min(times):.2f}, max {max(times):.2f}): {size / 2**20 / median:.0f} MB/s")
    print(f"peak RSS {max(peaks):.1f} MB")
    print(f"budget >= 50 MB/s: {'yes' if size / 2**20 / median >= 50 else 'NO'}; "
          f"peak < 100 MB: {'yes' if max(peaks) < 100 else 'NO'}")  # fmt: skip
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
