"""The monthly long-term follow-up: ketalog's own plain questions (bladder, memory, use), when one is due,
and how a typed answer is read. Standard library only, so `followup --help` and `status --short` stay light.

No validated instrument here: clinical reference section 6 lists the candidates (ICSI/ICPI, GUPI, PUF,
BPIC-SS, BC-CCI, AUDIT-C, DAST-10), none cleared for verbatim reproduction yet, so the questions are
ketalog's own words and say so. The thresholds that raise flags live with the engine's rules
(`reading.rules`); the words people use for bladder trouble are the engine's too (`BLADDER_PATTERN`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

LABEL = "ketalog's own questions, not a validated questionnaire"
FOLLOWUP_INTERVAL = timedelta(days=28)  # first due 28 days after the course's first session, then after each
ACTIVE_WITHIN = timedelta(days=90)  # asked only while a session falls in the last 90 days

YES_NO = ("yes", "no")
YES_NO_NOT_SURE = ("yes", "no", "not-sure")
YES_NO_NOT_APPLICABLE = ("yes", "no", "not-applicable")
MEMORY = ("no", "a-little", "clearly")
_SPELLINGS = {  # what people type for each word: spaces, slashes and short forms
    "notsure": "not-sure", "not sure": "not-sure", "unsure": "not-sure", "?": "not-sure",
    "na": "not-applicable", "n/a": "not-applicable", "not applicable": "not-applicable",
    "notapplicable": "not-applicable", "a little": "a-little", "alittle": "a-little", "little": "a-little",
    "y": "yes", "n": "no",
}  # fmt: skip
MAX_VOIDS = 60  # times a day: a catch for slips, far above any real count
MAX_TEXT = 2000


@dataclass(frozen=True)
class Question:
    column: str  # where the answer is stored (table `followups`)
    group: str  # bladder, memory and thinking, use, anything else
    text: str
    kind: str  # count | rating | choice | text
    choices: tuple[str, ...] = ()
    short: str = ""  # the report's column header

    def allowed(self) -> str:
        if self.kind == "count":
            return f"a whole number 0-{MAX_VOIDS}"
        if self.kind == "rating":
            return "a whole number 0-10"
        if self.kind == "choice":
            return " / ".join(self.choices)
        return f"any text up to {MAX_TEXT} characters"


QUESTIONS: tuple[Question, ...] = (
    Question("day_voids", "bladder", "On a typical day lately, how many times do you pass urine while awake?",
             "count", short="Day voids"),
    Question("night_voids", "bladder", "On a typical night, how many times do you get up to pass urine?",
             "count", short="Night voids"),
    Question("urgency", "bladder", "How strong is the urge to pass urine when it comes? (0 none - 10 can't hold it)",
             "rating", short="Urgency"),
    Question("pain_passing", "bladder", "Pain or burning when passing urine? (0 none - 10 worst)",
             "rating", short="Pain passing"),
    Question("blood_in_urine", "bladder", "Any blood in your urine since the last follow-up?",
             "choice", YES_NO_NOT_SURE, short="Blood"),
    Question("suprapubic_pain", "bladder", "Pain low in your belly, above the pubic bone? (0 none - 10 worst)",
             "rating", short="Lower-belly pain"),
    Question("memory", "memory and thinking",
             "Has your memory or concentration become worse since treatment began?", "choice", MEMORY,
             short="Memory"),
    Question("memory_note", "memory and thinking", "Anything about memory or thinking you want to note?", "text"),
    Question("use_outside", "use", "Have you taken ketamine outside your prescribed sessions?", "choice", YES_NO,
             short="Outside sessions"),
    Question("craving", "use", "How strong is any craving for ketamine? (0 none - 10 strongest)", "rating",
             short="Craving"),
    Question("more_than_prescribed", "use",
             "With doses taken at home: have you taken more than prescribed?", "choice", YES_NO_NOT_APPLICABLE,
             short="More than prescribed"),
    Question("other", "anything else", "Anything else new since the last follow-up?", "text"),
)  # fmt: skip
COLUMNS = tuple(q.column for q in QUESTIONS)
TEXT_COLUMNS = tuple(q.column for q in QUESTIONS if q.kind == "text")


def read_answer(question: Question, raw: str) -> object:
    """A typed answer as stored: int, a choice word or text; ``None`` for a skip (empty or `-`).
    Raises ``ValueError`` saying what is allowed."""
    text = raw.strip()
    if text in ("", "-"):
        return None
    if question.kind in ("count", "rating"):
        high = MAX_VOIDS if question.kind == "count" else 10
        if not text.isdigit() or not 0 <= int(text) <= high:
            raise ValueError(f"must be {question.allowed()} (or - to skip)")
        return int(text)
    if question.kind == "choice":
        word = text.lower().replace("_", "-")
        word = _SPELLINGS.get(word, _SPELLINGS.get(word.replace("-", " "), word))
        if word not in question.choices:
            raise ValueError(f"must be {question.allowed()} (or - to skip)")
        return word
    if len(text) > MAX_TEXT:
        raise ValueError(f"must be {question.allowed()}")
    return text


def read_answers(text: str) -> dict[str, object]:
    """``--answers``: one value per question in the order asked, comma-separated, ``-`` skips. Text answers
    cannot hold a comma here (they are asked interactively, or left out). Raises ``ValueError(field, why)``."""
    parts = text.split(",")
    if len(parts) != len(QUESTIONS):
        raise ValueError(
            "--answers", f"needs {len(QUESTIONS)} comma-separated values in the order asked, got {len(parts)} "
            "(`ketalog followup --help` lists them; - skips one)",
        )  # fmt: skip
    answers = {}
    for number, (question, part) in enumerate(zip(QUESTIONS, parts, strict=True), start=1):
        try:
            answers[question.column] = read_answer(question, part)
        except ValueError as error:
            raise ValueError("--answers", f"answer {number} ({question.short or question.column}) {error}") from None
    return answers


def help_listing() -> str:
    """The questions in the order asked, for `followup --help` (Typer keeps lines that start with \\b)."""
    return "\n".join(f"{n}. {q.text} [{q.allowed()}]" for n, q in enumerate(QUESTIONS, start=1))


def catalogue() -> dict:
    """The follow-up as plain data for `survey list-instruments --json`: the questions in the order asked."""
    return {
        "id": "followup",
        "name": "Long-term follow-up",
        "label": LABEL,
        "command": "ketalog followup",
        "questions": [
            {"column": q.column, "group": q.group, "text": q.text, "kind": q.kind,
             "choices": list(q.choices) or None, "allowed": q.allowed()}
            for q in QUESTIONS
        ],
    }  # fmt: skip


def due(
    now: datetime, course_started: datetime | None, last_session: datetime | None, last_followup: datetime | None,
    interval: timedelta = FOLLOWUP_INTERVAL,
) -> dict | None:  # fmt: skip
    """{what: "followup", since} when the follow-up is due: ``interval`` after the course's first session,
    then after the last follow-up of the course, while a session falls within ``ACTIVE_WITHIN``."""
    if course_started is None or last_session is None or now - last_session > ACTIVE_WITHIN:
        return None
    anchor = last_followup if last_followup is not None and last_followup >= course_started else course_started
    if now - anchor < interval:
        return None
    return {"what": "followup", "since": (anchor + interval).date().isoformat()}
