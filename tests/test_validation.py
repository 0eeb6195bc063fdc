"""Every validation rule: accepted values come back clean, the rest raise InputError naming the field."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketalog import validation as valid
from ketalog.errors import InputError


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0.5mg/kg", (0.5, "mg/kg")),
        ("0.5 mg/kg", (0.5, "mg/kg")),
        ("56mg", (56.0, "mg")),
        ("56 mg", (56.0, "mg")),
        (" 84 MG ", (84.0, "mg")),
        (".75mg/kg", (0.75, "mg/kg")),
        ("0.5 mg / kg", (0.5, "mg/kg")),
    ],
)
def test_dose_forms(text, expected):
    assert valid.dose(text) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("56", "unit"),
        ("0.5", "unit"),
        ("-3mg", "positive"),
        ("0mg", "more than 0"),
        ("abc", "unit"),
        ("56 ml", "unit"),
        ("", "unit"),
        ("5mg/kg/h", "unit"),
    ],
)
def test_bad_doses(text, reason):
    with pytest.raises(InputError, match=reason) as error:
        valid.dose(text)
    assert error.value.field == "--dose"


@pytest.mark.parametrize(
    "text, expected", [("120/80", (120, 80)), ("50/30", (50, 30)), ("260/160", (260, 160)), (" 135 / 88 ", (135, 88))]
)
def test_blood_pressure_accepted(text, expected):
    assert valid.blood_pressure(text, "--bp-before") == expected


@pytest.mark.parametrize(
    "text", ["80/120", "49/30", "261/100", "120/29", "120/161", "120", "120-80", "abc", "100/100", ""]
)
def test_blood_pressure_refused(text):
    with pytest.raises(InputError, match="SYS/DIA") as error:
        valid.blood_pressure(text, "--bp-after")
    assert error.value.field == "--bp-after"


@pytest.mark.parametrize("text, expected", [("0", 0), ("10", 10), (" 7 ", 7), (5, 5)])
def test_ratings_accepted(text, expected):
    assert valid.rating(text, "--mood") == expected


@pytest.mark.parametrize("text", ["-1", "11", "5.5", "five", "", "1e1"])
def test_ratings_refused(text):
    with pytest.raises(InputError, match="whole number from 0 to 10"):
        valid.rating(text, "--mood")


def test_rating_none_means_skipped():
    assert valid.rating(None, "--mood") is None


@pytest.mark.parametrize("value, ok", [("1", True), ("600", True), ("0", False), ("601", False), ("40.5", False)])
def test_duration_bounds(value, ok):
    if ok:
        assert valid.whole_number(value, "--duration", *valid.DURATION_RANGE) == int(value)
    else:
        with pytest.raises(InputError, match="--duration"):
            valid.whole_number(value, "--duration", *valid.DURATION_RANGE)


@pytest.mark.parametrize(
    "value, ok",
    [
        ("0", True),
        ("450.50", True),
        ("12500000", True),  # rupiah
        ("-0.01", False),
        ("nan", False),
        ("inf", False),
        ("1e308", False),
        ("x", False),
    ],
)
def test_cost(value, ok):
    if ok:
        assert valid.number(value, "--cost", *valid.COST_RANGE) == float(value)
    else:
        with pytest.raises(InputError, match="--cost"):
            valid.number(value, "--cost", *valid.COST_RANGE)


@pytest.mark.parametrize("text", ["IV", "im", " Intranasal ", "oral", "sublingual", "other"])
def test_routes(text):
    assert valid.route(text) == text.strip().lower()


def test_unknown_route_lists_the_routes():
    with pytest.raises(InputError, match="iv, im, intranasal, oral, sublingual, buccal, other"):
        valid.route("rectal")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("nausea", "nausea"),
        ("Blurred vision", "blurred-vision"),
        ("blurred_vision", "blurred-vision"),
        ("high bp", "elevated-bp"),
        ("ELEVATED-BP", "elevated-bp"),
        ("metallic taste", "metallic taste"),
        ("  jaw ache ", "jaw ache"),
    ],
)
def test_side_effect_vocabulary_and_free_text(text, expected):
    assert valid.side_effect(text) == expected


def test_side_effects_deduplicated_in_order():
    assert valid.side_effects(["nausea", "Nausea", "headache"]) == ["nausea", "headache"]
    with pytest.raises(InputError, match="--side-effect"):
        valid.side_effects(["  "])


@given(st.text(max_size=20))
def test_dose_never_raises_anything_else(text):
    try:
        amount, unit = valid.dose(text)
    except InputError:
        return
    assert amount > 0 and unit in valid.DOSE_UNITS


@given(st.integers(0, 400), st.integers(0, 400))
def test_blood_pressure_property(systolic, diastolic):
    text = f"{systolic}/{diastolic}"
    plausible = 50 <= systolic <= 260 and 30 <= diastolic <= 160 and systolic > diastolic
    if plausible:
        assert valid.blood_pressure(text, "bp") == (systolic, diastolic)
    else:
        with pytest.raises(InputError):
            valid.blood_pressure(text, "bp")


@pytest.mark.parametrize(
    ("route", "dose", "problem"),
    [
        ("iv", "0.5mg/kg", None),
        ("iv", "2mg/kg", None),
        ("iv", "2.1mg/kg", "0-2 mg/kg"),
        ("im", "5mg/kg", "0-2 mg/kg"),
        ("intranasal", "84mg", None),
        ("intranasal", "200mg", None),
        ("intranasal", "201mg", "0-200 mg"),
        ("intranasal", "0.5mg/kg", "dosed in mg"),
        ("oral", "1000mg", None),
        ("oral", "1001mg", "0-1000 mg"),
        ("sublingual", "300mg", None),
        ("other", "1500mg", "0-1000 mg"),
    ],
)
def test_implausible_doses_are_named_with_the_plausible_range(route, dose, problem):
    found = valid.implausible_dose(route, *valid.dose(dose))
    assert (found is None) if problem is None else (problem in found)
    if problem:
        with pytest.raises(InputError, match="--force"):
            valid.plausible_dose(route, *valid.dose(dose), force=False)
        valid.plausible_dose(route, *valid.dose(dose), force=True)  # kept when the person says it is right
