"""Questionnaires as published: verbatim text, scoring at every band boundary, change rules, baseline rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketalog import crisis
from ketalog import instruments as inst
from ketalog.errors import InputError

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "domain" / "clinical-reference.md"


def reference_items(heading: str) -> list[str]:
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split(f"### {heading}", 1)[1].split("\n### ", 1)[0]
    items = re.findall(r"^\s+\d+\. (.+)$", section, flags=re.M)
    return items


@pytest.mark.skipif(not REFERENCE.exists(), reason="clinical reference not beside the repository")
@pytest.mark.parametrize(
    "heading, items",
    [
        ("PHQ-9 (depression)", inst.PHQ9_ITEMS),
        ("GAD-7 (anxiety)", inst.GAD7_ITEMS),
        ("PCL-5 (PTSD)", inst.PCL5_ITEMS),
    ],
)
def test_items_are_verbatim_from_the_clinical_reference(heading, items):
    assert list(items) == reference_items(heading)


@pytest.mark.skipif(not REFERENCE.exists(), reason="clinical reference not beside the repository")
def test_stems_options_and_terms_match_the_reference():
    text = REFERENCE.read_text(encoding="utf-8")
    assert inst.PHQ_ATTRIBUTION in " ".join(text.split())
    assert inst.PCL5.instruction in " ".join(text.split())
    for _, label in inst.FREQUENCY_OPTIONS + inst.PCL5.options + inst.DIFFICULTY_OPTIONS:
        assert label in text
    for _, contact in crisis.RESOURCES:
        assert contact in " ".join(text.split())
    assert crisis.IMMEDIATE_DANGER in text


def reference_section(heading: str) -> str:
    text = REFERENCE.read_text(encoding="utf-8")
    return " ".join(text.split(f"### {heading}", 1)[1].split("\n### ", 1)[0].split())


@pytest.mark.skipif(not REFERENCE.exists(), reason="clinical reference not beside the repository")
@pytest.mark.parametrize("heading, instrument", [("PHQ-9 (depression)", inst.PHQ9), ("GAD-7 (anxiety)", inst.GAD7)])
def test_each_instrument_has_its_own_stem_and_difficulty_question_verbatim(heading, instrument):
    section = reference_section(heading)
    assert f'"{instrument.stem}"' in section
    assert f'"{instrument.difficulty}"' in section


def test_gad7_does_not_borrow_the_phq9_wording():
    assert inst.GAD7.stem != inst.PHQ9.stem and "any of" not in inst.GAD7.stem
    assert inst.GAD7.difficulty != inst.PHQ9.difficulty and "checked off" not in inst.GAD7.difficulty
    assert inst.PHQ2.stem == inst.PHQ9.stem and inst.PHQ2.difficulty is None and inst.PCL5.difficulty is None


def test_phq2_is_the_first_two_phq9_items():
    assert inst.PHQ2.items == inst.PHQ9.items[:2] and inst.PHQ2.max_total == 6


def answers_for(instrument, total: int) -> list[int]:
    """Answers summing to ``total``, filled from the first item (item 9 stays 0 where possible)."""
    answers = []
    remaining = total
    for _ in instrument.items:
        answer = min(instrument.max_option, remaining)
        answers.append(answer)
        remaining -= answer
    assert remaining == 0
    return answers


@pytest.mark.parametrize(
    "instrument, total, band",
    [
        (inst.PHQ9, 0, "minimal"),
        (inst.PHQ9, 4, "minimal"),
        (inst.PHQ9, 5, "mild"),
        (inst.PHQ9, 9, "mild"),
        (inst.PHQ9, 10, "moderate"),
        (inst.PHQ9, 14, "moderate"),
        (inst.PHQ9, 15, "moderately severe"),
        (inst.PHQ9, 19, "moderately severe"),
        (inst.PHQ9, 20, "severe"),
        (inst.PHQ9, 27, "severe"),
        (inst.GAD7, 0, "minimal"),
        (inst.GAD7, 4, "minimal"),
        (inst.GAD7, 5, "mild"),
        (inst.GAD7, 9, "mild"),
        (inst.GAD7, 10, "moderate"),
        (inst.GAD7, 14, "moderate"),
        (inst.GAD7, 15, "severe"),
        (inst.GAD7, 21, "severe"),
    ],
)
def test_band_boundaries(instrument, total, band):
    result = inst.score(instrument, answers_for(instrument, total))
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    "instrument, total, above",
    [
        (inst.PCL5, 32, False),
        (inst.PCL5, 33, True),
        (inst.PCL5, 0, False),
        (inst.PCL5, 80, True),
        (inst.PHQ2, 2, False),
        (inst.PHQ2, 3, True),
    ],
)
def test_cutoffs_without_invented_bands(instrument, total, above):
    result = inst.score(instrument, answers_for(instrument, total))
    assert result.band is None
    assert result.at_or_above_cutoff is above


def test_pcl5_clusters():
    result = inst.score(inst.PCL5, [1] * 5 + [2] * 2 + [3] * 7 + [4] * 6)
    assert result.clusters == {"B": 5, "C": 4, "D": 21, "E": 24}
    assert result.total == 54


@pytest.mark.parametrize("item9, positive", [(0, False), (1, True), (2, True), (3, True)])
def test_item9_safety_flag(item9, positive):
    result = inst.score(inst.PHQ9, [0] * 8 + [item9])
    assert result.safety_positive is positive


def test_only_phq9_item_9_is_a_safety_item():
    assert not inst.score(inst.GAD7, [3] * 7).safety_positive
    assert not inst.score(inst.PCL5, [4] * 20).safety_positive


@pytest.mark.parametrize(
    "text, message",
    [
        ("1,2,3", "needs 9 answers"),
        ("1,1,1,1,1,1,1,1,1,1", "needs 9 answers"),
        ("", "needs 9 answers"),
        ("1,1,1,1,4,1,1,1,1", "item 5 must be 0-3"),
        ("1,1,1,1,1,1,1,1,-1", "item 9 must be 0-3"),
        ("a,1,1,1,1,1,1,1,1", "item 1 must be 0-3"),
        ("1.5,1,1,1,1,1,1,1,1", "item 1 must be 0-3"),
    ],
)
def test_bad_answers(text, message):
    with pytest.raises(InputError, match=message) as error:
        inst.parse_answers(inst.PHQ9, text)
    assert error.value.field == "--answers"


def test_answers_accept_spaces_and_commas():
    assert inst.parse_answers(inst.GAD7, "0, 1 2,3 0,1,2") == [0, 1, 2, 3, 0, 1, 2]
    assert inst.parse_answers(inst.PCL5, ",".join(["4"] * 20)) == [4] * 20


@given(st.sampled_from(list(inst.INSTRUMENTS.values())), st.data())
def test_total_is_the_sum_and_banded_instruments_band_every_total(instrument, data):
    answers = data.draw(
        st.lists(st.integers(0, instrument.max_option), min_size=len(instrument.items), max_size=len(instrument.items))
    )
    result = inst.score(instrument, answers)
    assert result.total == sum(answers)
    if instrument.bands:
        assert sum(1 for band in instrument.bands if band.low <= result.total <= band.high) == 1


@given(st.text(max_size=60))
def test_parse_answers_never_raises_anything_else(text):
    try:
        answers = inst.parse_answers(inst.PHQ9, text)
    except InputError:
        return
    assert len(answers) == 9 and all(0 <= a <= 3 for a in answers)


@pytest.mark.parametrize(
    "instrument, baseline, latest, improved, worsened, response, remission",
    [
        ("phq9", 20, 15, True, False, False, False),
        ("phq9", 20, 16, False, False, False, False),  # 4 points: below the MCID of 5
        ("phq9", 20, 10, True, False, True, False),  # exactly 50% lower: response
        ("phq9", 20, 11, True, False, False, False),
        ("phq9", 10, 4, True, False, True, True),  # below 5: remission
        ("phq9", 10, 5, True, False, True, False),
        ("phq9", 10, 15, False, True, False, False),
        ("phq9", 0, 0, False, False, False, True),  # nothing to fall from: no response
        ("gad7", 12, 8, True, False, False, False),  # MCID 4
        ("gad7", 12, 9, False, False, False, False),
        ("gad7", 12, 16, False, True, False, False),
        ("pcl5", 50, 40, True, False, None, None),  # MCID 10; response/remission not defined
        ("pcl5", 50, 41, False, False, None, None),
        ("phq2", 5, 0, None, None, None, None),
        ("MADRS", 30, 10, None, None, None, None),
    ],
)
def test_change_rules(instrument, baseline, latest, improved, worsened, response, remission):
    change = inst.compare(instrument, baseline, latest)
    assert (change.improved, change.worsened, change.response, change.remission) == (
        improved,
        worsened,
        response,
        remission,
    )
    assert change.change == latest - baseline


def test_change_pct_is_null_from_zero():
    assert inst.compare("phq9", 0, 3).change_pct is None
    assert inst.compare("phq9", 20, 15).change_pct == -25.0


def test_score_baseline_is_the_last_score_in_the_30_days_before_the_course_else_an_early_one():
    from history import day, phq9

    from ketalog.reading.scores import score_baseline

    scores = [phq9(-40, 20), phq9(-20, 18), phq9(-1, 16), phq9(3, 12), phq9(20, 8)]
    assert score_baseline(scores, day(0)) == (scores[2], "pre_treatment")
    assert score_baseline(scores[3:], day(0)) == (scores[3], "early")
    assert score_baseline([scores[0], scores[4]], day(0)) == (None, "none")  # 40 days before, 20 after
    assert score_baseline(scores, None) == (None, "none")


def test_logged_totals_of_shipped_scales_are_range_checked():
    assert inst.score_total("phq9", 12).band == "moderate"
    with pytest.raises(InputError, match="0-27"):
        inst.score_total("phq9", 28)
    assert inst.score_total("MADRS", 40).band is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PHQ-9", "phq9"),
        ("phq 9", "phq9"),
        ("GAD_7", "gad7"),
        ("  Y-BOCS ", "Y-BOCS"),
        ("qids sr16", "qids-sr16"),
        ("qids", "qids-sr16"),
        ("QIDS-SR16", "qids-sr16"),
        ("MADRS", "madrs"),
        ("HAMD-17", "hamd17"),
        ("HAM-D17", "hamd17"),
        ("ham-d", "hamd17"),
        ("BDI-II", "bdi2"),
        ("bdi 2", "bdi2"),
        ("CADSS", "cadss"),
        ("cadss-6", "cadss6"),
        ("CADSS 6", "cadss6"),
        ("  my  scale ", "my scale"),
    ],
)
def test_instrument_names(text, expected):
    assert inst.normalise_id(text) == expected


def test_crisis_notice_never_claims_safety():
    text = crisis.text().lower()
    assert "immediate danger" in text and "988" in text
    assert "safe" not in text and "no risk" not in text
