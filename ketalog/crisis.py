"""Crisis resources shown whenever PHQ-9 item 9 is answered above 0, in every path.

One dated, editable list: update ``REVIEWED`` when the numbers are checked.
Source: ketalog clinical reference, section 1 ("Item 9 — safety rule").
"""

from __future__ import annotations

REVIEWED = "2026-11-21"

IMMEDIATE_DANGER = "If you are in immediate danger, call your local emergency number."

RESOURCES: tuple[tuple[str, str], ...] = (
    ("US", "call or text 988 (988 Suicide & Crisis Lifeline; press 1 for the Veterans Crisis Line)"),
    ("US", "Crisis Text Line: text HOME to 741741"),
    ("UK & Ireland", "Samaritans 116 123"),
    ("Australia", "Lifeline 13 11 14"),
    ("Canada", "call or text 9-8-8"),
    ("Elsewhere", "findahelpline.com"),
)

HEADLINE = (
    "You answered that you have had thoughts that you would be better off dead or of "
    "hurting yourself. You deserve support with this now, and it is worth telling your "
    "provider. You can reach someone at any hour:"
)


# An answer weeks old, read in a report: said in the past tense, the help offered for now and later.
PAST_HEADLINE = (
    "You answered then that you had had thoughts that you would be better off dead or of hurting "
    "yourself. If such thoughts are with you now or come back, you deserve support, and it is worth "
    "telling your provider. You can reach someone at any hour:"
)
RECENT_DAYS = 14  # an answer this recent is spoken of in the present tense (the questionnaire's own window)


def headline(days_ago: int | None = None) -> str:
    """The notice's words: present tense at the moment of answering and for two weeks, past tense after."""
    return PAST_HEADLINE if days_ago is not None and days_ago > RECENT_DAYS else HEADLINE


def lines(days_ago: int | None = None) -> list[str]:
    """The notice as plain lines, the same in every place it appears."""
    return [
        headline(days_ago),
        *(f"  {region}: {text}" for region, text in RESOURCES),
        IMMEDIATE_DANGER,
        f"(Crisis numbers last reviewed {REVIEWED}.)",
    ]


def text() -> str:
    return "\n".join(lines())


def as_json() -> dict:
    return {
        "message": HEADLINE,
        "resources": [{"region": r, "contact": t} for r, t in RESOURCES],
        "immediate_danger": IMMEDIATE_DANGER,
        "reviewed": REVIEWED,
    }
