"""Peak memory of an import at each of the importers' caps: every accepted file must stay under ~500 MB.

    python benchmarks/import_caps.py

Builds, in a temporary folder, a Daylio CSV of MAX_ROWS rows (each with two activities and a note), a
Pixels backup of MAX_JSON_OBJECTS days, and a base64 Daylio backup just under MAX_JSON_CHARS, then imports
each (--dry-run: parsed, checked and written inside a transaction that is rolled back) as its own process and
prints its peak resident memory. Timings and memory belong here, not in the tests.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from ketalog.formats.read import MAX_JSON_CHARS, MAX_JSON_OBJECTS, MAX_ROWS

NOW = "2041-03-10T10:00:00+00:00"
BUDGET_MB = 500


def daylio_csv(path: Path, rows: int) -> None:
    start = datetime(1991, 1, 1, 8, 0)
    with open(path, "w", encoding="utf-8") as out:
        out.write("full_date,date,weekday,time,mood,activities,note_title,note\n")
        for i in range(rows - 1):
            t = start + timedelta(hours=2 * i)
            out.write(f"{t:%Y-%m-%d},{t:%b %d},{t:%A},{t:%H:%M},good,work | friends,,a short note about day {i}\n")


def pixels(path: Path, days: int) -> None:
    start = datetime(1991, 1, 1)
    items = [
        {"date": f"{start + timedelta(days=i % 18_000):%Y-%m-%d}", "scores": [3], "notes": "n", "tags": []}
        for i in range(days // 3 - 1)  # each day holds three of the counted brackets: {...}, [3] and []
    ]
    path.write_text(json.dumps(items))


def daylio_backup(path: Path, chars: int) -> None:
    entry = {"year": 2000, "month": 0, "day": 1, "hour": 9, "minute": 0, "mood": 1, "note": "x" * 400}
    per = len(json.dumps(entry)) + 2
    count = min(int(chars * 0.74) // per, MAX_JSON_OBJECTS - 10)  # base64 is 4/3 of the JSON
    data = {"customMoods": [{"id": 1, "mood_group_id": 1}], "tags": [], "dayEntries": []}
    for i in range(count):
        day = datetime(1991, 1, 1) + timedelta(hours=i)
        data["dayEntries"].append({**entry, "year": day.year, "month": day.month - 1, "day": day.day, "hour": day.hour})
    path.write_text(base64.b64encode(json.dumps(data).encode()).decode())


def peak_mb(argv: list[str], env: dict) -> tuple[float, str]:
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    errors = process.stderr.read().decode().strip()
    process.stderr.close()
    return usage.ru_maxrss / 1024, errors if os.waitstatus_to_exitcode(status) else "ok"


def main() -> None:
    env = {**os.environ, "KETALOG_NOW": NOW, "TZ": "UTC"}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        cases = {
            f"daylio csv, {MAX_ROWS:,} rows": (daylio_csv, root / "d.csv", MAX_ROWS),
            f"pixels, {MAX_JSON_OBJECTS:,} objects": (pixels, root / "p.json", MAX_JSON_OBJECTS),
            f"daylio backup, {MAX_JSON_CHARS // 2**20} MB": (daylio_backup, root / "b.daylio", MAX_JSON_CHARS),
        }
        print(f"{'file at the cap':<36}{'size MB':>9}{'peak MB':>9}  outcome")
        for name, (build, path, size) in cases.items():
            build(path, size)
            argv = [sys.executable, "-m", "ketalog", "--db", str(root / "x.db"), "import", str(path), "--dry-run"]
            peak, outcome = peak_mb(argv, env)
            verdict = "" if peak < BUDGET_MB else f"  OVER {BUDGET_MB} MB"
            print(f"{name:<36}{path.stat().st_size / 2**20:>9.1f}{peak:>9.0f}  {outcome[:60]}{verdict}")


if __name__ == "__main__":
    main()
