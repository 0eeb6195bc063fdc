"""A realistic, seeded 8-week journey for `ketalog demo`: written through the store, so it is valid data.

Two weeks of pre-treatment baseline, an IV induction of six infusions over
two weeks (three a week) and one booster, daily check-ins whose lift builds
through induction and wears off about 11 days after the last session (so the
report shows how long mood stays up, and mood drifting back at the end),
PHQ-9 and GAD-7 every two weeks, blood pressure readings, journal notes, two integration reflections on
the first session, the monthly long-term follow-up and a liver panel.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from ketalog import instruments as inst
from ketalog import reflections, store

SESSION_DAYS = (14, 16, 18, 21, 23, 25, 38)  # induction, then a booster
LIFT_LASTS = 11  # days a session's lift lasts before mood drifts back
SURVEY_DAYS = (0, 13, 27, 41, 55)
REFLECTIONS = {  # days after the first session, as `journal --session ID --prompt` writes them
    1: "Felt held, not alone. Body heavy, then light.",
    5: "Laughed at the radio. Small, but new.",
}
FOLLOWUP_ANSWERS = {
    "day_voids": 6, "night_voids": 1, "urgency": 2, "pain_passing": 0, "blood_in_urine": "no",
    "suprapubic_pain": 0, "memory": "no", "use_outside": "no", "craving": 0,
    "more_than_prescribed": "not-applicable",
}  # fmt: skip
LABS = (("ALT", 31.0, "U/L", 7.0, 56.0), ("AST", 24.0, "U/L", 10.0, 40.0), ("GGT", 22.0, "U/L", 8.0, 61.0))
JOURNAL = {
    2: ("Starting to track before the first infusion. Mornings are the hardest; everything feels heavy.", ["baseline"]),
    26: ("Induction finished. The loops are quieter; I can interrupt them sometimes.", ["integration"]),
    52: ("Talked with my therapist about booster timing; mood drifts down about 10 days after a session.", ["kap"]),
}


def _clamp(value: float) -> int:
    return max(0, min(10, round(value)))


def _answers_for(instrument: inst.Instrument, total: int, rng: random.Random) -> list[int]:
    """Spread a total across items; the demo never answers PHQ-9 item 9 above 0."""
    items = len(instrument.items) - (1 if instrument.safety_item else 0)
    answers = [0] * len(instrument.items)
    for _ in range(total):
        candidates = [i for i in range(items) if answers[i] < instrument.max_option]
        answers[rng.choice(candidates)] += 1
    return answers


DEMO_APPLICATION_ID = 0x6B444D4F  # "kDMO" in the SQLite header: this file holds the demo, not a person's diary


def write_journey(db, now: datetime, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = (now - timedelta(days=56)).replace(hour=0, minute=0, second=0, microsecond=0)

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine((start + timedelta(days=day)).date(), time(hour, minute), tzinfo=start.tzinfo)

    def improvement(day: int, before_dose: bool) -> float:
        """0 before treatment, building through induction, back near 0 once a session's lift wears off."""
        done = [d for d in SESSION_DAYS if d < day or (d == day and not before_dose)]
        if not done:
            return 0.0
        if day - done[-1] >= LIFT_LASTS:
            return 0.0
        return min(3.6, 0.6 * len(done))

    for index, day in enumerate(SESSION_DAYS):
        effects = ["nausea"] if index in (0, 1, 3, 4) else []
        if index in (0, 2):
            effects.append("dizziness")
        store.insert(
            db,
            "session",
            at(day, 10),
            {
                "route": "iv",
                "drug": "ketamine",
                "dose_amount": 0.5,
                "dose_unit": "mg/kg",
                "duration_min": 40,
                "clinic": "Riverside Ketamine Clinic",
                "dissociation": rng.randint(4, 7),
                "bp_before_sys": rng.randint(118, 132),
                "bp_before_dia": rng.randint(76, 84),
                "bp_after_sys": 142 if index == 1 else rng.randint(124, 136),
                "bp_after_dia": rng.randint(80, 88),
                "heart_rate": rng.randint(64, 80),
                "therapy": int(index % 2 == 0),
                "intention": "be kinder to myself" if index == 0 else None,
            },
            effects,
        )

    for day in range(0, 56):
        hour = 8 if day in SESSION_DAYS else 20  # on infusion days, before the dose
        lift = improvement(day, before_dose=day in SESSION_DAYS)
        store.insert(
            db,
            "checkin",
            at(day, hour, rng.randint(0, 30)),
            {
                "mood": _clamp(3 + lift * 1.1 + rng.uniform(-0.8, 0.8)),
                "anxiety": _clamp(7 - lift + rng.uniform(-0.8, 0.8)),
                "pain": _clamp(2 - lift * 0.3 + rng.uniform(-0.5, 0.5)),
                "energy": _clamp(3 + lift * 0.9 + rng.uniform(-0.8, 0.8)),
                "motivation": _clamp(3 + lift * 0.8 + rng.uniform(-0.8, 0.8)),
                "sleep": _clamp(4 + lift * 0.7 + rng.uniform(-0.8, 0.8)),
                "thoughts": _clamp(8 - lift * 1.2 + rng.uniform(-0.8, 0.8)),
                "sleep_hours": round(rng.uniform(5.5, 8.0), 1),
            },
        )

    phq9_totals = (19, 18, 11, 8, 9)
    gad7_totals = (15, 14, 9, 7, 7)
    for day, phq9, gad7 in zip(SURVEY_DAYS, phq9_totals, gad7_totals, strict=True):
        for instrument, total in ((inst.PHQ9, phq9), (inst.GAD7, gad7)):
            answers = _answers_for(instrument, total, rng)
            result = inst.score(instrument, answers)
            store.insert(
                db,
                "survey",
                at(day, 9),
                {
                    "instrument": instrument.id,
                    "answers": answers,
                    "total": result.total,
                    "band": result.band,
                    "difficulty": 2 if total >= 15 else 1,
                },
            )

    for day, (text, tags) in JOURNAL.items():
        store.insert(db, "journal", at(day, 21), {"text": text}, tags)
    # Reflections on the first session (day 1 and day 3), linked to it as `journal --prompt` writes them.
    first = store.last_session_before(db, at(SESSION_DAYS[0], 11))
    assert first is not None
    for offset, text in REFLECTIONS.items():
        tag = reflections.TAG_PREFIX + reflections.prompt_for(offset)
        store.insert(db, "journal", at(SESSION_DAYS[0] + offset, 20), {"text": text, "session_id": first.id}, [tag])
    # The monthly follow-up 28 days after the first session, and a liver panel inside its ranges.
    followup_day = SESSION_DAYS[0] + 28
    store.insert(db, "followup", at(followup_day, 19), FOLLOWUP_ANSWERS)
    for name, value, unit, low, high in LABS:
        store.insert(
            db, "lab", at(followup_day - 3, 9), {"name": name, "value": value, "unit": unit, "range_low": low,
                                                 "range_high": high}
        )  # fmt: skip
    db.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")  # a page of it always says DEMO


def is_demo(db) -> bool:
    """Whether this database was written by `ketalog demo` (its header carries the demo's application id)."""
    row = db.execute("PRAGMA application_id").fetchone()
    return bool(row) and row[0] == DEMO_APPLICATION_ID
