"""The constants every rule of the reading uses, each with its source: thresholds, windows, horizons."""

from __future__ import annotations

import re
from datetime import timedelta

from ketalog import instruments as inst
from ketalog import medicines
from ketalog.blood_pressure import BP_AFTER, BP_BEFORE, BP_CRISIS  # noqa: F401 (part of the rule set)
from ketalog.validation import RATINGS

HIGHER_IS_BETTER = {name: rating.higher_is_better for name, rating in RATINGS.items()}


RATING_LABELS = {name: rating.label for name, rating in RATINGS.items()}


# Daily ratings (product rules; reference section 2 for the 2-point threshold)
RATING_THRESHOLD = 2.0  # points on a 0-10 rating that count as a real change


WINDOW = timedelta(days=14)  # baseline and recent windows for daily ratings


MIN_CHECKINS = 3  # a window needs this many check-ins with the rating to say anything


DRIFT_WINDOW = timedelta(days=7)  # "mood drifting back": the last 7 days...


DRIFT_MARGIN = 1.0  # ...averaging no more than 1 point above baseline


STEADIER_SD_DROP = 1.0


RELIEF_BEFORE = timedelta(hours=72)


RELIEF_AFTER = timedelta(hours=48)


RELIEF_MIN_SESSIONS = 2


RELIEF_MIN_LIFT = 1.0


# Questionnaires (reference section 5)
SCORE_EARLY_AFTER = timedelta(days=7)  # else the first score in the first 7 days: an "early" baseline


COMPARE_AFTER = timedelta(days=7)  # a comparison needs the latest score >= 7 days after the baseline


SOME_IMPROVEMENT_FALL = 0.20  # "some improvement": the MCID, or a fall of 20% (Transl Psychiatry 2024)


SYMPTOM_RETURN_INSTRUMENTS = (
    inst.PHQ9.id,
    inst.GAD7.id,
    *(key for key, s in inst.CLINICIAN_SCALES.items() if s.outcome),
)


RECALL_COMPARE = {inst.PCL5.id: timedelta(days=30)}  # PCL-5 asks about the past month


# Reassess (product rule on reference section 5; esketamine judged at week 4, section 3)
REASSESS = {"default": (6, timedelta(days=21)), "intranasal": (8, timedelta(days=28))}


# ...and only in the early window of a course: after that, "no improvement yet" is no longer the question
REASSESS_UNTIL = (10, timedelta(days=60))  # at most this many sessions and days into the course


MOOD_FLOOR = 6.0  # a mood baseline above this has too little room to show improvement: no evidence either way


# Mood in the hours after a dose is the drug's acute effect, not the outcome (reference section 5, product rule)
ACUTE_AFTER = timedelta(hours=12)


# Flags (reference section 5); the blood-pressure thresholds live in ketalog.blood_pressure
HEART_RATE_HIGH = 120  # at or above: product threshold


HEART_RATE_LOW = 50  # below: product threshold


DISSOCIATION_RISE = 3.0  # mean of the last 3 sessions this far above the mean of the course's first 3


DISSOCIATION_SESSIONS = 3


# How long mood stays up, mood after sessions and mood drifting back read a course's last two years:
# the same answer for any course shorter than that, and a report that costs the same in the fiftieth
# year of maintenance as in the first (product rule; docs/progress-rules.md).
COURSE_HORIZON = timedelta(days=730)


# Which item of which questionnaire is the safety item (PHQ-9 item 9): the store finds the latest answer
# above 0 by it, whatever the period.
SAFETY_ITEMS = {key: instrument.safety_item for key, instrument in inst.INSTRUMENTS.items() if instrument.safety_item}


# Bladder or urinary symptoms (ketamine-associated uropathy): the words people use, from clinical reference
# section 5 ("Other signals"), matched as whole words in any note, side effect or follow-up answer.
# BLADDER_WORDS: what SQLite's LIKE narrows the notes to first (a superset of the pattern; "wee" and "loo"
# only with what can follow them, or every "week" and "look" would be loaded: a space, the punctuation in
# WORD_ENDS, or the end of the text, which the store reads as a space). Changing them needs a migration.
WORD_ENDS = " .,!?;:)-/\n\t"
BLADDER_WORDS = (
    "bladder", "urin", "pee", "weeing", *(f"wee{end}" for end in WORD_ENDS), "passing water", "toilet",
    *(f"loo{end}" for end in WORD_ENDS), "urgen", "incontinen", "leak", "blood in", "cystitis", "uti", "dysuria",
    "haematuria", "hematuria", "suprapubic", "belly",
)  # fmt: skip
_OFTEN = r"(constantly|every hour|at night|all the time|all night|so often|all day)"
BLADDER_PATTERN = re.compile(
    r"\bbladder|\burin(e|ary|ating|ation|ate)\b|\bpee(s|d|ing)?\b|\bweeing\b"
    r"|\bwee\b(?!\s+(bit|while|one|ones|hours|little|lad|lass|dram))|\bpassing water\b"
    rf"|\b(toilet|loo)\b[^.!?\n]{{0,40}}\b{_OFTEN}\b|\b{_OFTEN}\b[^.!?\n]{{0,40}}\b(toilet|loo)\b"
    r"|\burgen(cy|t|tly)\b[^.!?\n]{0,40}\b(toilet|loo|pee|wee|bladder)\b"
    r"|\b(toilet|loo|pee|wee|bladder)\b[^.!?\n]{0,40}\burgen(cy|t|tly)\b"
    r"|\bincontinen(ce|t)\b|\bleak(ing|ed|s)?\b(?=[^.!?\n]{0,30}\b(urine|pee|wee|bladder|cough|laugh|sneez))"
    r"|\bblood in (my |the )?(urine|pee|wee)\b|\bcystitis\b|\butis?\b|\bdysuria\b|\bh(a)?ematuria\b"
    r"|\bsuprapubic\b|\blower[- ]belly pain\b|\bpain (low )?in (my |the )?lower belly\b",
    re.IGNORECASE,
)


# The monthly long-term follow-up (issue 30; reference section 6). Product thresholds, each "worth raising":
# pain or burning passing urine, or lower-belly pain, at 4 or more of 10; urgency at 6 or more; night-time
# voids up by 2 or more from the person's first follow-up; craving at 6 or more. Any blood in the urine
# and any use outside prescribed sessions raise their flag whatever else was answered.
FOLLOWUP_PAIN_AT = 4
FOLLOWUP_URGENCY_AT = 6
FOLLOWUP_NIGHT_RISE = 2
FOLLOWUP_CRAVING_AT = 6
LONG_TERM_MONTHS = 6
# Home blood pressure "before a session": within this many days before it (product rule; the label's example
# of an elevated baseline, > 140/90, is for the reading before dosing).
HOME_BP_DAYS_BEFORE = 3  # the report's "Long-term checks" table: the last six months of follow-ups

SPARKLINE_WEEKS = 26  # weekly means shown in the ratings sparklines
ITEM_ANSWERS_KEPT = 8  # the latest scores whose item answers a report keeps: the HTML item grid's columns


MEDICATION_NEAR = timedelta(hours=medicines.NEAR_SESSION_HOURS)  # as-needed doses "around" a session


def _reads():
    from ketalog.courses import SCORE_LOOKBACK
    from ketalog.models import Reads

    return Reads(
        window=WINDOW, early=SCORE_EARLY_AFTER, sparkline_weeks=SPARKLINE_WEEKS, watched_words=BLADDER_WORDS,
        near=MEDICATION_NEAR, horizon=COURSE_HORIZON, rated_ends=DISSOCIATION_SESSIONS, lookback=SCORE_LOOKBACK,
        safety_items=SAFETY_ITEMS, bp_before=BP_BEFORE, bp_after=BP_AFTER, answers_kept=ITEM_ANSWERS_KEPT,
        heart_rate=(HEART_RATE_LOW, HEART_RATE_HIGH),
    )  # fmt: skip


READS = _reads()  # what a report reads, as the store and the tests' twin take it
