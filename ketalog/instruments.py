"""The validated questionnaires ketalog ships, as data, and how they are scored.

Item text, options, bands, cutoffs, minimal clinically important differences
(MCID) and terms are copied verbatim from the ketalog clinical reference
(shared/domain/clinical-reference.md, section 1); a test compares the item text
with that file. Scoring is the published simple sum. Nothing here is invented:
an instrument without published bands has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ketalog.errors import InputError

FREQUENCY_OPTIONS = ((0, "Not at all"), (1, "Several days"), (2, "More than half the days"), (3, "Nearly every day"))
TWO_WEEK_STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
DIFFICULTY_QUESTION = (
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?"
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
    cutoff: int | None = None  # "at or above" screening/provisional cutoff
    cutoff_label: str = ""
    asks_difficulty: bool = False
    safety_item: int | None = None  # 1-based item whose answer > 0 shows crisis resources
    clusters: dict[str, tuple[int, ...]] = field(default_factory=dict)

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


PHQ9 = Instrument(
    id="phq9",
    name="PHQ-9",
    measures="depression, last 2 weeks",
    items=PHQ9_ITEMS,
    options=FREQUENCY_OPTIONS,
    stem=TWO_WEEK_STEM,
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
    asks_difficulty=True,
    safety_item=9,
)

PHQ2 = Instrument(
    id="phq2",
    name="PHQ-2",
    measures="depression screen (PHQ-9 items 1-2), last 2 weeks",
    items=PHQ9_ITEMS[:2],
    options=FREQUENCY_OPTIONS,
    stem=TWO_WEEK_STEM,
    terms=PFIZER_TERMS,
    attribution=PHQ_ATTRIBUTION,
    cutoff=3,
    cutoff_label="positive screen (Kroenke, Med Care 2003)",
)

GAD7 = Instrument(
    id="gad7",
    name="GAD-7",
    measures="anxiety, last 2 weeks",
    items=GAD7_ITEMS,
    options=FREQUENCY_OPTIONS,
    stem=TWO_WEEK_STEM,
    terms=PFIZER_TERMS,
    attribution=PHQ_ATTRIBUTION,
    bands=(Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"), Band(15, 21, "severe")),
    bands_source="Spitzer et al., Arch Intern Med 2006",
    mcid=4,
    mcid_source="Toussaint et al. 2020",
    tracks_response=True,
    asks_difficulty=True,
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
    terms="U.S. National Center for PTSD; public domain.",
    attribution="U.S. National Center for PTSD.",
    mcid=10,
    mcid_source="Blevins et al. 2015; National Center for PTSD guidance",
    cutoff=33,
    cutoff_label="provisional PTSD cutoff (Bovin et al. 2016; range 31-33 cited)",
    clusters={"B": (1, 2, 3, 4, 5), "C": (6, 7), "D": tuple(range(8, 15)), "E": tuple(range(15, 21))},
)

INSTRUMENTS: dict[str, Instrument] = {instrument.id: instrument for instrument in (PHQ9, PHQ2, GAD7, PCL5)}


def safety_answer(instrument_id: str, answers: list[int] | None) -> int | None:
    """The answer to the instrument's safety item (PHQ-9 item 9), or None when it has none or it is missing.

    The one definition of the item-9 rule: every path (asking, --answers, edit,
    import, the report) asks this function, never ``answers[8]``.
    """
    instrument = INSTRUMENTS.get(instrument_id)
    if instrument is None or instrument.safety_item is None or not answers:
        return None
    if len(answers) < instrument.safety_item:
        return None
    return answers[instrument.safety_item - 1]


def safety_positive(instrument_id: str, answers: list[int] | None) -> bool:
    """True when the safety item was answered above 0: the crisis resources must be shown."""
    answer = safety_answer(instrument_id, answers)
    return answer is not None and answer > 0


def normalise_id(text: str) -> str:
    """'PHQ-9', 'phq 9', 'phq9' -> 'phq9'; other names are lower-cased and trimmed."""
    compact = re.sub(r"[\s_\-]+", "", text.strip().lower())
    return compact if compact in INSTRUMENTS else " ".join(text.strip().split())


def parse_answers(instrument: Instrument, text: str, field: str = "--answers") -> list[int]:
    """'1,2,0,...' -> exactly one whole number per item, each a valid option."""
    parts = [part.strip() for part in re.split(r"[,\s]+", text.strip()) if part.strip()]
    allowed = f"{len(instrument.items)} answers, each 0-{instrument.max_option}, separated by commas"
    if len(parts) != len(instrument.items):
        raise InputError(field, f"{instrument.name} needs {allowed} (got {len(parts)})")
    answers = []
    for number, part in enumerate(parts, start=1):
        if not re.fullmatch(r"\d+", part) or int(part) > instrument.max_option:
            raise InputError(
                field, f"{instrument.name} item {number} must be 0-{instrument.max_option} (got {part!r}); {allowed}"
            )
        answers.append(int(part))
    return answers


def parse_option(instrument: Instrument, text: str, item_number: int) -> int:
    value = text.strip()
    if not re.fullmatch(r"\d", value) or int(value) > instrument.max_option:
        raise InputError(f"item {item_number}", f"type a number from 0 to {instrument.max_option}")
    return int(value)


@dataclass(frozen=True)
class Score:
    instrument_id: str
    total: int
    band: str | None
    at_or_above_cutoff: bool | None
    safety_positive: bool  # the safety item was answered above 0
    clusters: dict[str, int] = field(default_factory=dict)


def score(instrument: Instrument, answers: list[int]) -> Score:
    if len(answers) != len(instrument.items) or any(not 0 <= a <= instrument.max_option for a in answers):
        raise InputError(
            "answers", f"{instrument.name} needs {len(instrument.items)} answers, each 0-{instrument.max_option}"
        )
    total = sum(answers)
    return Score(
        instrument_id=instrument.id,
        total=total,
        band=instrument.band(total),
        at_or_above_cutoff=instrument.at_or_above_cutoff(total),
        safety_positive=safety_positive(instrument.id, answers),
        clusters={name: sum(answers[i - 1] for i in items) for name, items in instrument.clusters.items()},
    )


def score_total(instrument_id: str, total: int) -> Score:
    """A total given by a clinician (`survey log`): banded when the scale is one ketalog ships."""
    instrument = INSTRUMENTS.get(instrument_id)
    if instrument is None:
        return Score(instrument_id, total, None, None, False)
    if not 0 <= total <= instrument.max_total:
        raise InputError("TOTAL", f"a {instrument.name} total must be 0-{instrument.max_total} (got {total})")
    return Score(instrument.id, total, instrument.band(total), instrument.at_or_above_cutoff(total), False)


# Change between two scores -------------------------------------------------------


@dataclass(frozen=True)
class Change:
    change: float
    change_pct: float | None
    improved: bool | None  # fell by at least the MCID; None when the scale has no MCID
    worsened: bool | None
    response: bool | None  # latest <= 50% of baseline (PHQ-9, GAD-7 only)
    remission: bool | None  # latest < 5 (PHQ-9, GAD-7 only)


def mcid(instrument_id: str) -> int | None:
    instrument = INSTRUMENTS.get(instrument_id)
    return instrument.mcid if instrument else None


def compare(instrument_id: str, baseline: float, latest: float) -> Change:
    """How ``latest`` stands against ``baseline`` by the published definitions."""
    instrument = INSTRUMENTS.get(instrument_id)
    difference = latest - baseline
    threshold = instrument.mcid if instrument else None
    tracks = bool(instrument and instrument.tracks_response)
    return Change(
        change=difference,
        change_pct=None if baseline == 0 else round(difference / baseline * 100, 1),
        improved=None if threshold is None else -difference >= threshold,
        worsened=None if threshold is None else difference >= threshold,
        # "fell by at least 50%": from a baseline of 0 nothing can fall, so no response.
        response=(baseline > 0 and latest <= baseline * 0.5) if tracks else None,
        remission=(latest < 5) if tracks else None,
    )


def select_baseline(scores: list, course_start) -> object | None:
    """The last score at or before the first treatment session, else the first score.

    ``scores`` are records with ``.at``, oldest first; ``course_start`` may be None.
    """
    if not scores:
        return None
    if course_start is not None:
        before = [entry for entry in scores if entry.at <= course_start]
        if before:
            return before[-1]
    return scores[0]
