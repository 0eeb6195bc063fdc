"""Build a seeded ketalog history (10 years by default, 50 for the scaling budgets) through ketalog's own
store, so every row is valid.

Daily check-ins, two questionnaires a month, 30 sessions a year with side effects and weekly journal
notes: what daily use looks like over a decade, or a lifetime.

    python benchmarks/generate.py /tmp/ten-years.db [--years 10] [--seed 1]
    python benchmarks/generate.py /tmp/daylio.csv --daylio --years 50
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ketalog import instruments as inst
from ketalog import store
from ketalog.db import open_db

# Histories end here, so 50 years begin in 1991: ketalog refuses entry times before 1990 (a mistyped year)
# on every path, import included. run.py sets KETALOG_NOW just after it.
END = datetime(2041, 3, 10, 8, tzinfo=timezone.utc)

SIDE_EFFECTS = ["nausea", "dizziness", "headache", "blurred-vision", "sedation", "numbness", "anxiety"]


def generate(path: Path, years: int = 10, seed: int = 1, end: datetime | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    end = end or END
    start = end - timedelta(days=365 * years)
    db = open_db(path, create=True)
    db.execute("PRAGMA synchronous = OFF")  # generation speed only; ketalog itself keeps the default
    days = (end - start).days
    session_days = sorted(rng.sample(range(30, days), 30 * years))
    for day in session_days:
        effects = rng.sample(SIDE_EFFECTS, rng.randint(0, 2))
        route = rng.choice(["iv", "iv", "intranasal", "im"])
        amount, unit = (rng.choice([56.0, 84.0]), "mg") if route == "intranasal" else (rng.choice([0.5, 0.75]), "mg/kg")
        store.insert(
            db,
            "session",
            start + timedelta(days=day, hours=2),
            {
                "route": route,
                "drug": "esketamine" if route == "intranasal" else "ketamine",
                "dose_amount": amount,
                "dose_unit": unit,
                "duration_min": 40,
                "clinic": "Bench Clinic",
                "dissociation": rng.randint(0, 9),
                "bp_before_sys": rng.randint(110, 145),
                "bp_before_dia": rng.randint(70, 92),
                "bp_after_sys": rng.randint(115, 150),
                "bp_after_dia": rng.randint(72, 95),
            },
            effects,
        )
    mood = 4.0
    for day in range(days):
        mood = min(10.0, max(0.0, mood + rng.uniform(-0.6, 0.65)))
        store.insert(
            db,
            "checkin",
            start + timedelta(days=day, hours=12 + rng.randint(0, 9)),
            {
                "mood": round(mood),
                "anxiety": rng.randint(1, 8),
                "pain": rng.randint(0, 5),
                "energy": rng.randint(2, 8),
                "motivation": rng.randint(2, 8),
                "sleep": rng.randint(3, 9),
                "thoughts": rng.randint(1, 8),
                "sleep_hours": round(rng.uniform(5, 9), 1),
                "note": "bench",
            },
        )
        if day % 15 == 0:
            for instrument in (inst.PHQ9, inst.GAD7):
                answers = [rng.randint(0, 2) for _ in instrument.items]
                if instrument.safety_item:
                    answers[instrument.safety_item - 1] = 0
                result = inst.score(instrument, answers)
                store.insert(
                    db,
                    "survey",
                    start + timedelta(days=day, hours=9),
                    {
                        "instrument": instrument.id,
                        "answers": answers,
                        "total": result.total,
                        "band": result.band,
                        "difficulty": 1,
                    },
                )
        if day % 7 == 3:
            store.insert(
                db,
                "journal",
                start + timedelta(days=day, hours=21),
                {"text": "A week of notes. " * rng.randint(3, 30)},
                ["weekly"],
            )
    counts = store.counts(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return counts


DAYLIO_MOODS = ["rad", "good", "meh", "bad", "awful"]
DAYLIO_ACTIVITIES = ["work", "family", "walk", "reading", "sleep early", "friends"]


def daylio_csv(path: Path, years: int = 50, seed: int = 1, end: datetime | None = None) -> int:
    """A Daylio export (the current 8-column layout) of one or two entries a day; returns the row count."""
    import csv

    rng = random.Random(seed)
    day = (end or END).date() - timedelta(days=1)
    first = day - timedelta(days=365 * years)
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note"])
        while day >= first:  # Daylio lists the newest first
            for clock in ("20:35", "12:55")[: rng.randint(1, 2)]:
                writer.writerow(
                    [
                        day.isoformat(),
                        f"{day.day} {day:%b}",
                        f"{day:%A}",
                        clock,
                        rng.choice(DAYLIO_MOODS),
                        " | ".join(rng.sample(DAYLIO_ACTIVITIES, rng.randint(0, 2))),
                        "",
                        "A note. " * rng.randint(0, 12),
                    ]
                )
                rows += 1
            day -= timedelta(days=1)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--daylio", action="store_true", help="write a Daylio CSV export instead of a database")
    parser.add_argument("--json", action="store_true", help="print only the counts, as JSON")
    args = parser.parse_args()
    if args.path.exists():
        sys.exit(f"{args.path} exists; choose a new path")
    began = time.perf_counter()
    counts = (
        {"rows": daylio_csv(args.path, args.years, args.seed)}
        if args.daylio
        else generate(args.path, args.years, args.seed)
    )
    if args.json:
        import json

        print(json.dumps(counts))
        return
    print(f"{args.path}: {counts}, {args.path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
