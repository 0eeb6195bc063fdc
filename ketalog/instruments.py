"""The validated questionnaires ketalog ships, as data, and how they are scored.

Item text, options, bands, cutoffs, minimal clinically important differences
(MCID) and terms are copied verbatim from the ketalog clinical reference
(shared/domain/clinical-reference.md, section 1); a test compares the item text
with that file. Scoring is the published simple sum. Nothing here is invented:
an instrument without published bands has none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ketalog.errors import InputError

FREQUENCY_OPTIONS = ((0, "Not at all"), (1, "Several days"), (2, "More than half the days"), (3, "Nearly every day"))
# PHQ-9 and GAD-7 share options but not wording: each sheet's own stem and difficulty question,
# verbatim (clinical reference section 1; the GAD-7 wording corrected there on 2026-11-22).
PHQ_STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
PHQ_DIFFICULTY = (
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?"
)
GAD_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
GAD_DIFFICULTY = (
    "If you checked any problems, how difficult have they made it for you to do your work, "
    "take care of things at home, or get along with other people?"
)
DIFFICULTY_OPTIONS = (
    (0, "Not difficult at all"),
    (1, "Somewhat difficult"),
    (2, "Very difficult"),
    (3, "Extremely difficult"),
)
PFIZER_TERMS = 'Copyright Pfizer Inc. "No permission required to reproduce, translate, display or distribute."'
PHQ_ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc."
)

PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety "
    "or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)

GAD7_ITEMS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)

PCL5_ITEMS = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again (as if you were "
    "actually back there reliving it)?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience (for example, "
    "heart pounding, trouble breathing, sweating)?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (for example, people, places, conversations, "
    "activities, objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world (for example, having thoughts "
    "such as: I am bad, there is something seriously wrong with me, no one can be trusted, the world is "
    "completely dangerous)?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving "
    "feelings for people close to you)?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    'Being "superalert" or watchful or on guard?',
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    measures: str
    items: tuple[str, ...]
    options: tuple[tuple[int, str], ...]
    stem: str
    terms: str
    attribution: str
    instruction: str = ""
    bands: tuple[Band, ...] = ()
    bands_source: str = ""
    mcid: int | None = None
    mcid_source: str = ""
    tracks_response: bool = False  # response (>= 50% fall) and remission (< 5) apply
    caseness: int | None = None  # response/remission need a baseline at least this high (reference section 5)
    cutoff: int | None = None  # "at or above" screening/provisional cutoff
    cutoff_label: str = ""
    cutoff_range_low: int | None = None  # where a cited cutoff range begins (PCL-5: 31-33)
    difficulty: str | None = None  # the unscored difficulty question, verbatim; None when the sheet has none
    # The safety rule as data: the 1-based item, and the answers to it that show the crisis resources.
    safety_item: int | None = None
    safety_answers: tuple[int, ...] = ()
    max_prorated: int = 0  # unanswered items that may be prorated (clinical reference section 5)
    clusters: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # A word or two per item, ketalog's own, to name an item that moved ("2 (low mood) fell by 2").
    item_names: tuple[str, ...] = ()

    @property
    def asks_difficulty(self) -> bool:
        return self.difficulty is not None

    @property
    def max_option(self) -> int:
        return self.options[-1][0]

    @property
    def max_total(self) -> int:
        return self.max_option * len(self.items)

    def band(self, total: int) -> str | None:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band.label
        return None

    def at_or_above_cutoff(self, total: float) -> bool | None:
        return None if self.cutoff is None else total >= self.cutoff


PHQ9_ITEM_NAMES = (
    "interest",
    "low mood",
    "sleep",
    "energy",
    "appetite",
    "self-worth",
    "concentration",
    "slowed or restless",
    "thoughts of self-harm",
)
GAD7_ITEM_NAMES = (
    "nervous",
    "cannot stop worrying",
    "worrying too much",
    "trouble relaxing",
    "restless",
    "irritable",
    "afraid",
)

PHQ9 = Instrument(
    id="phq9",
    name="PHQ-9",
    item_names=PHQ9_ITEM_NAMES,
    measures="depression, last 2 weeks",
    items=PHQ9_ITEMS,
    options=FREQUENCY_OPTIONS,
    stem=PHQ_STEM,
    terms=PFIZER_TERMS,
    attribution=PHQ_ATTRIBUTION,
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    bands_source="Kroenke et al., J Gen Intern Med 2001;16:606",
    mcid=5,
    mcid_source="Löwe et al., Med Care 2004",
    tracks_response=True,
    caseness=10,  # HEDIS/NCQA index PHQ-9 > 9
    difficulty=PHQ_DIFFICULTY,
    safety_item=9,
    safety_answers=(1, 2, 3),  # "any answer other than 0" (clinical reference section 1)
    max_prorated=2,
)

PHQ2 = Instrument(
    id="phq2",
    name="PHQ-2",
    item_names=PHQ9_ITEM_NAMES[:2],
    measures="depression screen (PHQ-9 items 1-2), last 2 weeks",
    items=PHQ9_ITEMS[:2],
    options=FREQUENCY_OPTIONS,
    stem=PHQ_STEM,
    terms=PFIZER_TERMS,
    attribution=PHQ_ATTRIBUTION,
    cutoff=3,
    cutoff_label="positive screen (Kroenke, Med Care 2003)",
)

GAD7 = Instrument(
    id="gad7",
    name="GAD-7",
    item_names=GAD7_ITEM_NAMES,
    measures="anxiety, last 2 weeks",
    items=GAD7_ITEMS,
    options=FREQUENCY_OPTIONS,
    stem=GAD_STEM,
    terms=PFIZER_TERMS,
    attribution=PHQ_ATTRIBUTION,
    bands=(Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"), Band(15, 21, "severe")),
    bands_source="Spitzer et al., Arch Intern Med 2006",
    mcid=4,
    mcid_source="Toussaint et al. 2020",
    tracks_response=True,
    caseness=10,  # the GAD-7 cutoff for probable GAD (Spitzer 2006)
    difficulty=GAD_DIFFICULTY,
    max_prorated=1,
)

PCL5 = Instrument(
    id="pcl5",
    name="PCL-5",
    measures="PTSD symptoms, past month",
    items=PCL5_ITEMS,
    options=((0, "Not at all"), (1, "A little bit"), (2, "Moderately"), (3, "Quite a bit"), (4, "Extremely")),
    instruction=(
        "Below is a list of problems that people sometimes have in response to a very stressful "
        "experience. Please read each problem carefully and then select one of the options to indicate "
        "how much you have been bothered by that problem in the past month."
    ),
    stem="In the past month, how much were you bothered by:",
    terms="Public domain.",
    attribution="U.S. National Center for PTSD (Weathers et al., 2013).",
    mcid=10,
    mcid_source="National Center for PTSD guidance",
    cutoff=33,
    cutoff_label="provisional PTSD cutoff (Bovin et al. 2016; range 31-33 cited)",
    cutoff_range_low=31,
    clusters={"B": (1, 2, 3, 4, 5), "C": (6, 7), "D": tuple(range(8, 15)), "E": tuple(range(15, 21))},
)

INSTRUMENTS: dict[str, Instrument] = {instrument.id: instrument for instrument in (PHQ9, PHQ2, GAD7, PCL5)}


@dataclass(frozen=True)
class ClinicianScale:
    """A scale ketalog does not ship (licence) but knows: its range and published thresholds.

    Users record the total their clinician gives them (`survey log`); no item text is shipped.
    Source: clinical reference section 5, "Totals of scales ketalog does not ship".
    """

    id: str
    name: str
    max_total: int
    response_fall: float | None  # response: the total fell by at least this share of the baseline
    remission_max: int | None  # remission: the total is at or below this
    source: str
    aliases: tuple[str, ...] = ()
    remission_note: str = ""
    bands: tuple[Band, ...] = ()  # published severity bands (reference section 5)
    caseness: int | None = None  # the moderate band: response and remission need a baseline this high
    outcome: bool = True  # False for acute-effect scales (CADSS): never improved, worse, a response or a return

    def band(self, total: int) -> str | None:
        return next((b.label for b in self.bands if b.low <= total <= b.high), None)


def _bands(*edges: tuple[int, int, str]) -> tuple[Band, ...]:
    return tuple(Band(low, high, label) for low, high, label in edges)


# Clinical reference section 5, "Totals of scales ketalog does not ship" (bands added 2026-12-03).
CLINICIAN_SCALES: dict[str, ClinicianScale] = {
    scale.id: scale
    for scale in (
        ClinicianScale(
            "madrs",
            "MADRS",
            60,
            0.5,
            12,
            "Snaith et al. 1986 (bands); Popova et al., Am J Psychiatry 2019 (remission)",
            remission_note="<= 12 as in the esketamine trials; other studies use <= 10",
            bands=_bands((0, 6, "normal"), (7, 19, "mild"), (20, 34, "moderate"), (35, 60, "severe")),
            caseness=20,
        ),
        ClinicianScale(
            "qids-sr16",
            "QIDS-SR16",
            27,
            0.5,
            5,
            "Rush et al., Biol Psychiatry 2003",
            ("qids", "qidssr", "qidssr16"),
            bands=_bands(
                (0, 5, "none"), (6, 10, "mild"), (11, 15, "moderate"), (16, 20, "severe"), (21, 27, "very severe")
            ),
            caseness=11,
        ),
        ClinicianScale(
            "hamd17",
            "HAM-D17",
            52,
            0.5,
            7,
            "Frank et al. 1991; Zimmerman et al., J Affect Disord 2013",
            ("hamd", "hamd17", "hdrs", "hdrs17", "hrsd", "hrsd17"),
            bands=_bands((0, 7, "normal"), (8, 16, "mild"), (17, 23, "moderate"), (24, 52, "severe")),
            caseness=17,
        ),
        ClinicianScale(
            "bdi2",
            "BDI-II",
            63,
            0.5,
            13,
            "Beck et al. 1996",
            ("bdiii", "bdi"),
            bands=_bands((0, 13, "minimal"), (14, 19, "mild"), (20, 28, "moderate"), (29, 63, "severe")),
            caseness=20,
        ),
        ClinicianScale("cadss", "CADSS", 92, None, None, "Bremner et al. 1998 (23 items)", outcome=False),
        ClinicianScale("cadss6", "CADSS-6", 24, None, None, "Rodrigues et al. 2021", outcome=False),
        # Bladder symptom and problem indices (reference section 6): licence not verified, so totals only,
        # range-checked; no bands are published for ketamine users, so none is applied.
        ClinicianScale(
            "icsi",
            "ICSI",
            20,
            None,
            None,
            "O'Leary et al., Urology 1997 (symptom index)",
            ("olearysant",),
            outcome=False,
        ),
        ClinicianScale("icpi", "ICPI", 16, None, None, "O'Leary et al., Urology 1997 (problem index)", outcome=False),
    )
}
# A scale with no MCID counts as worse when it rises by this share of its baseline, or into a higher band
# (reference section 5: product rule).
WORSE_RISE = 0.25
_SCALE_NAMES = {
    alias: scale.id for scale in CLINICIAN_SCALES.values() for alias in (scale.id.replace("-", ""), *scale.aliases)
}


def shipped(name: str) -> Instrument | None:
    """The shipped questionnaire a name means, however it is spelt ('PHQ-9', 'phq 9', 'phq9'), or None."""
    return INSTRUMENTS.get(name) or INSTRUMENTS.get(normalise_id(name))


def safety_reading(instrument_id: str, answers: Sequence[int | None] | None) -> tuple[int | None, bool, bool]:
    """The one definition of the item-9 rule: the answer to the instrument's safety item (None when it has
    none, the answers are too short to hold it, or it was skipped), whether that answer shows the crisis
    resources, and whether it was skipped (never read as 0). Every path (asking, --answers, edit, import,
    the report) asks this or the three below, never ``answers[8]``; a long history's scores ask it once each.
    """
    instrument = shipped(instrument_id)
    if instrument is None or instrument.safety_item is None or not answers or len(answers) < instrument.safety_item:
        return None, False, False
    answer = answers[instrument.safety_item - 1]
    return answer, answer in instrument.safety_answers, answer is None


def safety_answer(instrument_id: str, answers: Sequence[int | None] | None) -> int | None:
    """The answer to the instrument's safety item (PHQ-9 item 9), or None when it has none or it is unanswered."""
    return safety_reading(instrument_id, answers)[0]


def safety_positive(instrument_id: str, answers: Sequence[int | None] | None) -> bool:
    """True when the safety item's answer is one that shows the crisis resources (PHQ-9 item 9 above 0)."""
    return safety_reading(instrument_id, answers)[1]


def safety_unanswered(instrument_id: str, answers: Sequence[int | None] | None) -> bool:
    """True when the instrument has a safety item and it was skipped: never read as 0."""
    return safety_reading(instrument_id, answers)[2]


def normalise_id(text: str) -> str:
    """'PHQ-9', 'phq 9' -> 'phq9'; 'HAMD-17', 'qids' -> a known clinician scale's id; other names trimmed."""
    compact = re.sub(r"[^a-z0-9]+", "", text.strip().lower())
    if compact in INSTRUMENTS:
        return compact
    if compact in _SCALE_NAMES:
        return _SCALE_NAMES[compact]
    return " ".join(text.strip().split())


ITEM_MOVE = 2  # an item that moved this many points (of 0-3 or 0-4) since the baseline is named in the report


def item_changes(instrument_id: str, baseline: list | None, latest: list | None) -> list[dict]:
    """Each item's baseline and latest answer and their change; a skipped item is None, never 0."""
    instrument = INSTRUMENTS.get(instrument_id)
    if instrument is None or latest is None:
        return []
    rows = []
    for number, text in enumerate(instrument.items, start=1):
        before = baseline[number - 1] if baseline is not None else None
        after = latest[number - 1]
        change = after - before if before is not None and after is not None else None
        rows.append({"item": number, "text": text, "baseline": before, "latest": after, "change": change})
    return rows


def display_name(instrument_id: str) -> str:
    """How a scale is named to people: PHQ-9, MADRS, or the name the user gave."""
    known = INSTRUMENTS.get(instrument_id) or CLINICIAN_SCALES.get(instrument_id)
    return known.name if known else instrument_id


SKIP_WORDS = ("-", "s")  # what marks an unanswered item: '-' in --answers, 's' at the prompt


def parse_answers(instrument: Instrument, text: str, field: str = "--answers") -> list[int | None]:
    """'1,2,-,0,...' -> exactly one answer per item, each a valid option or None ('-': skipped)."""
    parts = [part.strip() for part in re.split(r"[,\s]+", text.strip()) if part.strip()]
    allowed = f"{len(instrument.items)} answers, each 0-{instrument.max_option} or - to skip one, separated by commas"
    if len(parts) != len(instrument.items):
        raise InputError(field, f"{instrument.name} needs {allowed} (got {len(parts)})")
    answers: list[int | None] = []
    for number, part in enumerate(parts, start=1):
        if part == "-":
            answers.append(None)
            continue
        if not re.fullmatch(r"\d+", part) or int(part) > instrument.max_option:
            raise InputError(
                field, f"{instrument.name} item {number} must be 0-{instrument.max_option} (got {part!r}); {allowed}"
            )
        answers.append(int(part))
    return answers


def parse_option(instrument: Instrument, text: str, item_number: int) -> int | None:
    """One answer typed at the prompt; 's' skips the item (None)."""
    value = text.strip().lower()
    if value in SKIP_WORDS:
        return None
    if not re.fullmatch(r"\d", value) or int(value) > instrument.max_option:
        raise InputError(f"item {item_number}", f"type a number from 0 to {instrument.max_option}, or s to skip")
    return int(value)


@dataclass(frozen=True)
class Score:
    instrument_id: str
    total: int | None  # None: too many items unanswered to score ("incomplete")
    band: str | None
    at_or_above_cutoff: bool | None
    safety_positive: bool  # the safety item's answer shows the crisis resources
    clusters: dict[str, int] = field(default_factory=dict)
    skipped: tuple[int, ...] = ()  # 1-based items left unanswered
    prorated: bool = False  # the total was prorated from the answered items

    @property
    def incomplete(self) -> bool:
        return self.total is None


def prorate(answers: Sequence[int | None]) -> int:
    """Mean of the answered items times the number of items, rounded half up to a whole number."""
    answered = [a for a in answers if a is not None]
    return math.floor(sum(answered) / len(answered) * len(answers) + 0.5)


def score(instrument: Instrument, answers: Sequence[int | None]) -> Score:
    """The published simple sum; with unanswered items, prorated within the reference's limit, else no total."""
    if len(answers) != len(instrument.items) or any(
        a is not None and not 0 <= a <= instrument.max_option for a in answers
    ):
        raise InputError(
            "answers", f"{instrument.name} needs {len(instrument.items)} answers, each 0-{instrument.max_option}"
        )
    skipped = tuple(number for number, answer in enumerate(answers, start=1) if answer is None)
    if not skipped:
        total: int | None = sum(a for a in answers if a is not None)
    elif len(skipped) <= instrument.max_prorated and len(skipped) < len(answers):
        total = prorate(answers)
    else:
        total = None
    complete = not skipped
    return Score(
        instrument_id=instrument.id,
        total=total,
        band=instrument.band(total) if total is not None else None,
        at_or_above_cutoff=instrument.at_or_above_cutoff(total) if total is not None else None,
        safety_positive=safety_positive(instrument.id, answers),
        clusters={name: sum(answers[i - 1] or 0 for i in items) for name, items in instrument.clusters.items()}
        if complete
        else {},
        skipped=skipped,
        prorated=bool(skipped) and total is not None,
    )


def total_range(instrument_id: str) -> tuple[int, int] | None:
    """The possible totals of a shipped instrument or known clinician scale; None for any other name."""
    known = INSTRUMENTS.get(instrument_id) or CLINICIAN_SCALES.get(instrument_id)
    return (0, known.max_total) if known else None


def score_total(instrument_id: str, total: int) -> Score:
    """A total given by a clinician (`survey log`): range-checked and banded when the scale is known."""
    valid_range = total_range(instrument_id)
    if valid_range and not valid_range[0] <= total <= valid_range[1]:
        raise InputError(
            "TOTAL", f"a {display_name(instrument_id)} total must be {valid_range[0]}-{valid_range[1]} (got {total})"
        )
    instrument = INSTRUMENTS.get(instrument_id)
    if instrument is None:
        scale = CLINICIAN_SCALES.get(instrument_id)
        return Score(instrument_id, total, scale.band(total) if scale else None, None, False)
    return Score(instrument.id, total, instrument.band(total), instrument.at_or_above_cutoff(total), False)


def rescored(instrument_id: str, answers_json: str | None, total: int | None) -> dict | None:
    """A stored row's total, band and prorating as ``instrument_id`` scores them, or None when the answers
    (or a logged total) do not fit that instrument. Used when a stored name is recognised as a known one."""
    import json

    try:
        if answers_json is None:
            if total is None:
                return None
            result = score_total(instrument_id, total)
        else:
            instrument = INSTRUMENTS.get(instrument_id)
            answers = json.loads(answers_json)
            if instrument is None or not isinstance(answers, list):
                return None
            result = score(instrument, answers)
    except (ValueError, TypeError, InputError):
        return None
    return {"total": result.total, "band": result.band, "prorated": int(result.prorated)}


def difficulty_label(answer: int | None) -> str | None:
    """The words of a difficulty answer (0-3), as the sheet prints them."""
    return dict(DIFFICULTY_OPTIONS).get(answer) if answer is not None else None


def catalogue() -> dict:
    """Every shipped instrument and known clinician scale as plain data: the same text the forms ask."""
    return {
        "instruments": [
            {
                "id": i.id,
                "name": i.name,
                "measures": i.measures,
                "instruction": i.instruction or None,
                "stem": i.stem,
                "options": [{"value": value, "label": label} for value, label in i.options],
                "items": list(i.items),
                "difficulty": i.difficulty,
                "difficulty_options": [{"value": v, "label": label} for v, label in DIFFICULTY_OPTIONS]
                if i.difficulty
                else None,
                "range": [0, i.max_total],
                "bands": [{"min": b.low, "max": b.high, "label": b.label} for b in i.bands] or None,
                "bands_source": i.bands_source or None,
                "cutoff": i.cutoff,
                "cutoff_label": i.cutoff_label or None,
                "mcid": i.mcid,
                "mcid_source": i.mcid_source or None,
                "max_prorated": i.max_prorated,
                "safety_item": i.safety_item,
                "attribution": i.attribution,
                "terms": i.terms,
            }
            for i in INSTRUMENTS.values()
        ],
        "clinician_scales": [
            {
                "id": s.id,
                "name": s.name,
                "range": [0, s.max_total],
                "response": f">= {s.response_fall:.0%} fall from baseline" if s.response_fall else None,
                "remission": f"<= {s.remission_max}" if s.remission_max is not None else None,
                "remission_note": s.remission_note or None,
                "bands": [{"min": b.low, "max": b.high, "label": b.label} for b in s.bands] or None,
                "caseness": s.caseness,
                "outcome": s.outcome,
                "source": s.source,
            }
            for s in CLINICIAN_SCALES.values()
        ],
    }


# Change between two scores -------------------------------------------------------


@dataclass(frozen=True)
class Change:
    change: float
    change_pct: float | None
    improved: bool | None  # fell by at least the MCID; None when the scale has no MCID
    worsened: bool | None
    response: bool | None  # fell by >= 50% (PHQ-9, GAD-7 and the clinician scales that define it)
    remission: bool | None  # PHQ-9, GAD-7: latest < 5; clinician scales: at or below their threshold


def _band_index(scale: ClinicianScale, total: float) -> int:
    return next((i for i, b in enumerate(scale.bands) if b.low <= total <= b.high), -1)


def judged(instrument_id: str) -> bool:
    """Whether a change on this scale may be called better or worse: the shipped questionnaires and the
    clinician scales that measure an outcome. Not CADSS (an acute effect), not a name ketalog does not know."""
    scale = CLINICIAN_SCALES.get(instrument_id)
    return instrument_id in INSTRUMENTS or (scale is not None and scale.outcome)


def higher_is_better(instrument_id: str, directions: dict[str, bool] | None = None) -> bool | None:
    """Which way is better on this scale: lower for every shipped questionnaire and outcome scale, the
    person's word for a scale ketalog does not know, and no direction at all for an acute-effect scale."""
    if judged(instrument_id):
        return False
    if instrument_id in CLINICIAN_SCALES:
        return None
    return (directions or {}).get(instrument_id)


def caseness(instrument_id: str) -> int | None:
    """The baseline a scale needs before response or remission may be said (reference section 5)."""
    known = INSTRUMENTS.get(instrument_id) or CLINICIAN_SCALES.get(instrument_id)
    return known.caseness if known else None


def mcid(instrument_id: str) -> int | None:
    instrument = INSTRUMENTS.get(instrument_id)
    return instrument.mcid if instrument else None


def compare(instrument_id: str, baseline: float, latest: float, higher_is_better: bool | None = None) -> Change:
    """How ``latest`` stands against ``baseline`` by the published definitions. ``higher_is_better``: what the
    person said once of a scale ketalog does not know (`survey log NAME N --higher-is-better`)."""
    instrument = INSTRUMENTS.get(instrument_id)
    scale = CLINICIAN_SCALES.get(instrument_id)
    difference = latest - baseline
    if instrument is None and scale is None and higher_is_better is not None:
        bad = -difference if higher_is_better else difference
        return Change(
            change=difference,
            change_pct=None if baseline == 0 else round(difference / baseline * 100, 1),
            improved=None,  # no MCID is known: only worse (below) and "some improvement" (progress) are said
            worsened=bad > 0 and bad >= WORSE_RISE * abs(baseline),
            response=None,
            remission=None,
        )
    threshold = instrument.mcid if instrument else None
    fall: float | None
    remission_max: int | None
    worsened: bool | None = None if threshold is None else difference >= threshold
    if instrument is not None and instrument.tracks_response:
        fall, remission_max = 0.5, 4  # "fell by at least 50%"; "total < 5"
    elif scale is not None and scale.outcome:
        fall, remission_max = scale.response_fall, scale.remission_max
        higher_band = scale.bands and _band_index(scale, latest) > _band_index(scale, baseline)
        worsened = difference > 0 and (difference >= WORSE_RISE * baseline or bool(higher_band))
    else:  # an acute-effect scale (CADSS) or a name ketalog does not know: the change, with no verdict
        fall, remission_max = None, None
    return Change(
        change=difference,
        change_pct=None if baseline == 0 else round(difference / baseline * 100, 1),
        improved=None if threshold is None else -difference >= threshold,
        worsened=worsened,
        # From a baseline of 0 nothing can fall, so no response.
        response=None if fall is None else (baseline > 0 and latest <= baseline * (1 - fall)),
        remission=None if remission_max is None else latest <= remission_max,
    )
