"""Apple Health's "Export All Health Data": export.zip, or the export.xml inside it (HealthKit export DTD).

Streamed with expat, never held whole (real exports reach 3 GB): each element's `type` decides whether it is
read at all before any date is parsed, and nothing is kept of the ones left out but a count. Entity
declarations and external entities are refused. Blood pressure comes from the `Correlation` only (the DTD
repeats its two values as top-level records); identical records, which real exports repeat up to 8 times,
count once. The local day is the record's `HKTimeZone` where it names one, else the offset written with the
time (which can be the phone's offset at export time: the summary says when the two disagree).
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from xml.parsers import expat

from ketalog.formats.health import HealthPlan, Segment, daily_median, fixed, nights, zone
from ketalog.formats.plan import ImportFileError

SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
RESTING_HR = "HKQuantityTypeIdentifierRestingHeartRate"
HRV = "HKQuantityTypeIdentifierHeartRateVariabilitySDNN"
MINDFUL = "HKCategoryTypeIdentifierMindfulSession"
BP = "HKCorrelationTypeIdentifierBloodPressure"
SYSTOLIC = "HKQuantityTypeIdentifierBloodPressureSystolic"
DIASTOLIC = "HKQuantityTypeIdentifierBloodPressureDiastolic"
SYMPTOMS = {
    "HKCategoryTypeIdentifierNausea": "nausea",
    "HKCategoryTypeIdentifierHeadache": "headache",
    "HKCategoryTypeIdentifierDizziness": "dizziness",
    "HKCategoryTypeIdentifierVomiting": "vomiting",
    "HKCategoryTypeIdentifierMoodChanges": "mood_changes",
}
SEVERITY = {  # 0 not present .. 3 severe; "unspecified" is present, severity not given
    "HKCategoryValueSeverityNotPresent": 0, "HKCategoryValueSeverityUnspecified": None,
    "HKCategoryValueSeverityMild": 1, "HKCategoryValueSeverityModerate": 2, "HKCategoryValueSeveritySevere": 3,
    "HKCategoryValuePresenceNotPresent": 0, "HKCategoryValuePresencePresent": None,
}  # fmt: skip
ASLEEP = {  # value -> (asleep, a stage)
    "HKCategoryValueSleepAnalysisAsleepCore": (True, True),
    "HKCategoryValueSleepAnalysisAsleepDeep": (True, True),
    "HKCategoryValueSleepAnalysisAsleepREM": (True, True),
    "HKCategoryValueSleepAnalysisAsleepUnspecified": (True, False),
    "HKCategoryValueSleepAnalysisAsleep": (True, False),  # before iOS 16
    "HKCategoryValueSleepAnalysisInBed": (False, False),
    "HKCategoryValueSleepAnalysisAwake": (False, False),
}
WANTED = {SLEEP, RESTING_HR, HRV, MINDFUL, *SYMPTOMS}
DOCTYPE = b"<!DOCTYPE HealthData"
MAX_XML_BYTES = 16 * 2**30  # 5x the largest real export seen; the stream is never held, so this bounds time
MAX_ZIP_RATIO = 200  # XML compresses ~20x; a member far beyond that is a bomb


def sniff(path: Path) -> bool:
    """An export.xml (its DOCTYPE near the start) or a zip holding one."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
            if head[:2] == b"PK":
                handle.seek(0)
                return _member(path, handle) is not None
    except (OSError, zipfile.BadZipFile):
        return False
    return DOCTYPE in head or b"<HealthData" in head


def _member(path: Path, handle) -> zipfile.ZipInfo | None:
    """The export's XML inside the zip: a top-level .xml whose start declares HealthData (its name is
    translated on some phones: `eksport.xml`); `export_cda.xml` beside it is another document."""
    with zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            if info.filename.lower().endswith(".xml") and info.filename.count("/") <= 1 and not info.is_dir():
                with archive.open(info) as member:
                    if DOCTYPE in member.read(4096):
                        return info
    return None


def parse(path: Path, tick=None) -> HealthPlan:
    """The whole export, streamed; ``tick(done, total)`` in bytes of XML."""
    plan = HealthPlan("applehealth", path)
    reader = _Reader(plan)
    try:
        with open(path, "rb") as handle:
            if handle.read(2) == b"PK":
                handle.seek(0)
                info = _member(path, handle)
                if info is None:
                    raise ImportFileError(path, "zip", "holds no export.xml (a <!DOCTYPE HealthData> file)")
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > MAX_XML_BYTES or (info.file_size > 2**20 and ratio > MAX_ZIP_RATIO):
                    raise ImportFileError(path, info.filename, "is far larger than any real export (a zip bomb?)")
                with zipfile.ZipFile(handle) as archive, archive.open(info) as member:
                    reader.read(_Counted(member, info.file_size, tick, path))
            else:
                handle.seek(0)
                size = path.stat().st_size
                if size > MAX_XML_BYTES:
                    raise ImportFileError(path, "file", "is far larger than any real export")
                reader.read(_Counted(handle, size, tick, path))
    except EntityRefused:
        raise ImportFileError(
            path, "DTD", "declares an XML entity; Apple's exports never do, so it is refused"
        ) from None
    except expat.ExpatError as error:
        raise ImportFileError(
            path, f"line {error.lineno}", f"not well-formed XML ({expat.errors.messages[error.code]})"
        ) from None
    except zipfile.BadZipFile:
        raise ImportFileError(path, "file", "not a readable zip file") from None
    reader.finish()
    return plan


class _Counted(io.RawIOBase):
    """A stream that reports how far it has been read and refuses to run past its declared size by much."""

    def __init__(self, stream, total: int, tick, path: Path):
        self._stream, self.total, self.done, self._tick, self._path = stream, total, 0, tick, path
        self._next = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.done += len(data)
        if self.done > MAX_XML_BYTES:
            raise ImportFileError(self._path, "file", "is far larger than any real export")
        if self._tick and self.done >= self._next:
            self._tick(self.done, max(self.total, self.done))
            self._next = self.done + 8 * 2**20
        return data


class EntityRefused(Exception):
    """An entity declaration: exports never hold one, and a billion-laughs file is made of them."""


def _refuse(*_args) -> None:
    raise EntityRefused()


class _Reader:
    """Expat callbacks: the current record, its metadata, the blood-pressure correlation being read."""

    def __init__(self, plan: HealthPlan):
        self.plan = plan
        self.depth = 0
        self.record: dict | None = None
        self.meta: dict[str, str] = {}
        self.correlation: dict | None = None
        self.pressure: dict[str, str] = {}
        self.seen: set[tuple] = set()
        self.segments: list[Segment] = []
        self.resting: dict[str, list[float]] = defaultdict(list)
        self.hrv: dict[str, list[float]] = defaultdict(list)
        self.mindful: dict[str, float] = defaultdict(float)
        self.disagree = 0  # records whose written offset is not their own zone's at that moment
        self.flagged = False
        self.unreadable = 0

    def read(self, stream) -> None:
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.EntityDeclHandler = _refuse
        parser.ExternalEntityRefHandler = lambda *_args: 0  # an external entity is an error, never fetched
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.ParseFile(stream)

    def start(self, name: str, attrs: dict) -> None:
        self.depth += 1
        if name == "Record":
            kind = attrs.get("type", "")
            if self.correlation is not None:
                if kind in (SYSTOLIC, DIASTOLIC):
                    self.pressure[kind] = attrs.get("value", "")
            elif kind in WANTED:
                self.record, self.meta = attrs, {}
            elif kind in (SYSTOLIC, DIASTOLIC):
                self.plan.skipped["blood pressure repeated outside its correlation"] += 1
            else:
                self.plan.skipped[kind or "a record without a type"] += 1
        elif name == "MetadataEntry":
            if self.record is not None:
                self.meta[attrs.get("key", "")] = attrs.get("value", "")
            elif self.correlation is not None and self.depth == 3:
                self.meta[attrs.get("key", "")] = attrs.get("value", "")
        elif name == "Correlation":
            if attrs.get("type") == BP:
                self.correlation, self.pressure, self.meta = attrs, {}, {}
            else:
                self.plan.skipped[attrs.get("type", "Correlation")] += 1
        elif self.depth == 2 and name not in ("ExportDate", "Me"):
            self.plan.skipped[name] += 1  # Workout, ActivitySummary, ClinicalRecord, an element not yet known

    def end(self, name: str) -> None:
        self.depth -= 1
        if name == "Record" and self.record is not None and self.correlation is None:
            record, self.record = self.record, None
            key = (record.get("type"), record.get("startDate"), record.get("endDate"), record.get("value"),
                   record.get("sourceName"))  # fmt: skip
            if key in self.seen:
                self.plan.duplicates += 1
                return
            self.seen.add(key)
            self.flagged = False
            try:
                self._record(record)
            except (ValueError, IndexError, KeyError, TypeError):
                self.unreadable += 1
            self.disagree += self.flagged
        elif name == "Correlation" and self.correlation is not None:
            correlation, self.correlation = self.correlation, None
            key = (BP, correlation.get("startDate"), self.pressure.get(SYSTOLIC), self.pressure.get(DIASTOLIC),
                   correlation.get("sourceName"))  # fmt: skip
            if key in self.seen:
                self.plan.duplicates += 1
                return
            self.seen.add(key)
            try:
                at = self._local(correlation["startDate"])
                systolic, diastolic = float(self.pressure[SYSTOLIC]), float(self.pressure[DIASTOLIC])
            except (ValueError, IndexError, KeyError, TypeError):
                self.unreadable += 1
                return
            self.plan.add_reading("blood_pressure", "", at, systolic, diastolic)

    def _local(self, text: str) -> datetime:
        """'2019-04-10 08:10:34 -0500' in the record's own zone when its metadata names one."""
        sign = -1 if text[20] == "-" else 1
        minutes = sign * (int(text[21:23]) * 60 + int(text[23:25]))
        moment = datetime(
            int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]), int(text[17:19]),
            tzinfo=fixed(minutes),
        )  # fmt: skip
        named = self.meta.get("HKTimeZone")
        place = zone(named) if named else None
        if place is None:
            return moment
        local = moment.astimezone(place)
        if local.utcoffset() != moment.utcoffset():
            self.flagged = True
        return local

    def _record(self, record: dict) -> None:
        kind = record["type"]
        if kind == SLEEP:
            asleep, staged = ASLEEP.get(record.get("value", ""), (False, False))
            if record.get("value") not in ASLEEP:
                self.plan.skipped[f"sleep value {record.get('value')}"] += 1
                return
            start, end = self._local(record["startDate"]), self._local(record["endDate"])
            self.segments.append(Segment(start, end, asleep, staged, record.get("sourceName", "")))
            self.plan.counts["sleep_hours"] += 1
        elif kind in (RESTING_HR, HRV):
            day = self._local(record["startDate"]).date().isoformat()
            (self.resting if kind == RESTING_HR else self.hrv)[day].append(float(record["value"]))
            self.plan.counts["resting_hr" if kind == RESTING_HR else "hrv_sdnn"] += 1
        elif kind == MINDFUL:
            start, end = self._local(record["startDate"]), self._local(record["endDate"])
            self.mindful[start.date().isoformat()] += max(0.0, (end - start).total_seconds() / 60)
            self.plan.counts["mindful_minutes"] += 1
        else:
            value = record.get("value", "")
            if value not in SEVERITY:
                self.plan.skipped[f"{SYMPTOMS[kind]} value {value}"] += 1
                return
            self.plan.add_reading("symptom", SYMPTOMS[kind], self._local(record["startDate"]), SEVERITY[value])

    def finish(self) -> None:
        plan = self.plan
        for night, hours in nights(self.segments).items():
            plan.daily[("sleep_hours", night.isoformat())] = hours
        for metric, values in (("resting_hr", self.resting), ("hrv_sdnn", self.hrv)):
            for day, value in daily_median(values).items():
                plan.daily[(metric, day)] = value
        for day, minutes in self.mindful.items():
            plan.daily[("mindful_minutes", day)] = round(minutes, 1)
        if self.disagree:
            plan.warnings.append(
                f"{self.disagree} records' written offset differs from their own time zone (HKTimeZone): the "
                "phone writes its offset at export time, so each day was read in the record's own zone"
            )
        if self.unreadable:
            plan.warnings.append(f"{self.unreadable} records had a date or value ketalog could not read; left out")
        if plan.duplicates:
            plan.warnings.append(f"{plan.duplicates} repeated copies of the same record counted once")
