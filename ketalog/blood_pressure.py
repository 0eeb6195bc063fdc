"""Blood pressure at a session: the thresholds and the one rule that says when a reading is worth raising.

Light on purpose (standard library only): `add` and `edit` check a reading the moment it is logged, as
item 9 is, and must not load the analysis engine to do it; the report's flag reads the same rule.
"""

from __future__ import annotations

BP_BEFORE = (140, 90)  # before dosing: strictly above is the label's example of an elevated baseline

BP_AFTER = (160, 100)  # after dosing: at or above is ketalog's product threshold (JNC 7 stage 2 range)

BP_CRISIS = (180, 120)  # any reading at or above: the AHA hypertensive-crisis range


def bp_level(when: str, systolic: int, diastolic: int) -> str | None:
    """One reading's level: `crisis` (the AHA hypertensive-crisis range, any time), `raised` (before dosing
    above the label's example of an elevated baseline; after dosing at or above ketalog's threshold), or None."""
    if systolic >= BP_CRISIS[0] or diastolic >= BP_CRISIS[1]:
        return "crisis"
    if when == "before" and (systolic > BP_BEFORE[0] or diastolic > BP_BEFORE[1]):
        return "raised"
    if when == "after" and (systolic >= BP_AFTER[0] or diastolic >= BP_AFTER[1]):
        return "raised"
    return None


def readings(session):
    for when, systolic, diastolic in (
        ("before", session.bp_before_sys, session.bp_before_dia),
        ("after", session.bp_after_sys, session.bp_after_dia),
    ):
        if systolic is not None and diastolic is not None:
            yield when, systolic, diastolic


EMERGENCY_SIGNS = (
    "The esketamine label sends anyone with chest pain, shortness of breath, sudden severe headache, "
    "visual disturbances, seizures or confusion to emergency care at once."
)


def bp_notice(session) -> str | None:
    """Said the moment a session is logged or edited with a reading the report would flag: one line, the same
    rule as the report's flag."""
    notices = []
    for when, systolic, diastolic in readings(session):
        level = bp_level(when, systolic, diastolic)
        if level == "crisis":
            notices.append(
                f"Blood pressure {systolic}/{diastolic} {when} dosing is in the hypertensive-crisis range "
                f"({BP_CRISIS[0]}/{BP_CRISIS[1]} or higher, American Heart Association): tell your provider about "
                f"it. {EMERGENCY_SIGNS}"
            )
        elif level == "raised":
            threshold = (
                f"above {BP_BEFORE[0]}/{BP_BEFORE[1]}, the esketamine label's example of an elevated baseline"
                if when == "before"
                else f"at or above {BP_AFTER[0]}/{BP_AFTER[1]}, ketalog's threshold"
            )
            notices.append(
                f"Blood pressure {systolic}/{diastolic} {when} dosing is {threshold}: worth raising with your provider."
            )
    return " ".join(notices) or None
