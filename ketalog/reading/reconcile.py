"""The last step of every reading of a course: one picture, never two opposite statements.

Each sign and flag is computed by its own rule; this step lays them side by side. When a measure has a
return or worsening flag, the flag carries the whole story (it says how far it rose and where it is now),
and no improvement, response, remission or present-tense positive sign of that measure stands beside it.
"No clear improvement yet" (`reassess`) never stands beside a return, a worsening or any sign of
progress. Pure: findings in, findings out; the ids it reads are the engine's (docs/progress-rules.md).
"""

from __future__ import annotations

from ketalog import instruments as inst

# One thing measured two ways is one measure here: "Anxiety is easing" speaks for the rating and GAD-7.
FAMILY = {inst.GAD7.id: "anxiety"}
RETURN_OR_WORSE = ("mood_returning", "symptom_return", "worsening")
NEVER_BESIDE_REASSESS = ("mood_returning", "symptom_return")


def _families(about) -> set[str]:
    return {FAMILY.get(name, name) for name in about}


def reconcile(signs: list, flags: list) -> tuple[list, list]:
    """(signs, flags) with every contradiction settled in favour of the return or worsening flag."""
    against: set[str] = set()
    for flag in flags:
        if flag.id in RETURN_OR_WORSE:
            against |= _families(flag.about)
    kept = [sign for sign in signs if not _families(sign.about) & against]
    ids = {flag.id for flag in flags}
    if kept or ids & set(NEVER_BESIDE_REASSESS):
        flags = [flag for flag in flags if flag.id != "reassess"]
    return kept, flags
