"""The diary as a FHIR R4 (4.0.1) Bundle: what an EHR or a personal health record reads.

Plain dicts, no FHIR library at run time. Codes come from `../shared/domain/fhir.md` (LOINC for PHQ-9, GAD-7
and vital signs; SNOMED CT and HL7 v3 for routes); codes it marks VERIFY are left out and the concept goes as
text (PCL-5, PHQ-2, RxNorm drugs). Every resource's id is the ketalog id as a UUID (uuid5 of it for derived
ones), and its `identifier` says the same, so a re-export updates rather than duplicates. The same database
and `KETALOG_NOW` give the same bytes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from ketalog import instruments as inst
from ketalog.models import Lab, MedicationEvent, Session, Survey

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
V3_ROUTE = "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
KETALOG = "urn:ketalog:codes"  # ketalog's own CodeSystem: ratings, drugs, instruments without a verified code
KETALOG_Q = "urn:ketalog:questionnaire:"
NAMESPACE = uuid.UUID("0b6f7a1e-3c2d-4b8e-9f10-6a5d4c3b2a19")  # uuid5 of derived resources
LOINC_NOTICE = (
    "This material contains content from LOINC (http://loinc.org). LOINC is copyright © Regenstrief "
    "Institute, Inc. and the LOINC Committee and is available at no cost under the license at "
    "http://loinc.org/license"
)

# The pinned code table (tests/test_fhir.py checks every code the export writes against it).
PHQ9_PANEL, PHQ9_TOTAL, PHQ9_ITEM9 = "44249-1", "44261-6", "44260-8"
PHQ9_ITEMS = ("44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", PHQ9_ITEM9)
GAD7_PANEL, GAD7_TOTAL = "69737-5", "70274-6"
GAD7_ITEMS = ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7")
DIFFICULTY = "69722-7"
FREQUENCY_ANSWERS = {
    0: ("LA6568-5", "Not at all"),
    1: ("LA6569-3", "Several days"),
    2: ("LA6570-1", "More than half the days"),
    3: ("LA6571-9", "Nearly every day"),
}
DIFFICULTY_ANSWERS = {  # LA6574-3 and LA6575-0 are swapped in public code: pinned by a test
    0: ("LA6572-7", "Not difficult at all"),
    1: ("LA6573-5", "Somewhat difficult"),
    2: ("LA6575-0", "Very difficult"),
    3: ("LA6574-3", "Extremely difficult"),
}
LOINC_FORMS = {inst.PHQ9.id: (PHQ9_PANEL, PHQ9_TOTAL, PHQ9_ITEMS), inst.GAD7.id: (GAD7_PANEL, GAD7_TOTAL, GAD7_ITEMS)}
BP_PANEL, SYSTOLIC, DIASTOLIC, HEART_RATE, SPO2 = "85354-9", "8480-6", "8462-4", "8867-4", "59408-5"
ROUTES = {  # ketalog route -> (SNOMED CT, its display, HL7 v3 code, its display)
    "iv": ("47625008", "Intravenous route", "IV", "Infusion, intravenous"),
    "im": ("78421000", "Intramuscular route", "IM", "Injection, intramuscular"),
    "intranasal": ("46713006", "Nasal route", "NASALINSTIL", "Instillation, nasal"),
    "oral": ("26643006", "Oral route", "PO", "Swallow, oral"),
    "sublingual": ("37839007", "Sublingual route", "SL", "Dissolve, sublingual"),
    "buccal": ("54471007", "Buccal route", "BUC", "Topical application, buccal"),
}


def fhir_id(ketalog_id: str) -> str:
    """A ketalog id (32 hex digits) as the UUID FHIR expects."""
    return str(uuid.UUID(hex=ketalog_id))


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _coding(system: str, code: str, display: str | None = None) -> dict:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def _concept(system: str, code: str, display: str) -> dict:
    return {"coding": [_coding(system, code, display)], "text": display}


def _category(code: str) -> list[dict]:
    names = {"survey": "Survey", "vital-signs": "Vital Signs", "laboratory": "Laboratory"}
    return [{"coding": [_coding(CATEGORY, code, names[code])]}]


class BundleBuilder:
    """Resources in the order they are added, each with its fullUrl; references by ``urn:uuid``."""

    def __init__(self, patient_name: str | None):
        self.entries: list[dict] = []
        self.patient_id = derived_id("patient")
        patient: dict = {"resourceType": "Patient", "id": self.patient_id}
        if patient_name:
            patient["name"] = [{"text": patient_name}]
        self.add(patient)

    @property
    def subject(self) -> dict:
        return {"reference": f"urn:uuid:{self.patient_id}"}

    def add(self, resource: dict) -> dict:
        self.entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
        return resource

    def bundle(self, kind: str, timestamp: datetime) -> dict:
        entries = self.entries
        if kind == "transaction":
            entries = [
                {
                    **entry,
                    "request": {
                        "method": "PUT",
                        "url": f"{entry['resource']['resourceType']}/{entry['resource']['id']}",
                    },
                }
                for entry in entries
            ]
        return {
            "resourceType": "Bundle",
            "id": derived_id("bundle", _instant(timestamp)),
            "type": kind,
            "timestamp": _instant(timestamp),
            "entry": entries,
        }


def _identifier(resource_id: str) -> list[dict]:
    """The ketalog id (as a UUID) that makes a re-export update, not duplicate, in a receiving system."""
    return [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{resource_id}"}]


def questionnaire(instrument: inst.Instrument) -> dict:
    """ketalog's own Questionnaire: verbatim text; LOINC item codes as linkIds where verified."""
    loinc = LOINC_FORMS.get(instrument.id)
    items = []
    for number, text in enumerate(instrument.items, start=1):
        link = loinc[2][number - 1] if loinc else f"{instrument.id}-{number}"
        item: dict = {"linkId": link, "text": text, "type": "choice", "required": False}
        if loinc:
            item["code"] = [_coding(LOINC, link)]
            item["answerOption"] = [
                {"valueCoding": _coding(LOINC, *FREQUENCY_ANSWERS[value])} for value, _ in instrument.options
            ]
        else:
            item["answerOption"] = [
                {"valueCoding": _coding(KETALOG, f"{instrument.id}-answer-{value}", label)}
                for value, label in instrument.options
            ]
        items.append(item)
    if instrument.difficulty:
        items.append(
            {
                "linkId": DIFFICULTY,
                "code": [_coding(LOINC, DIFFICULTY)],
                "text": instrument.difficulty,
                "type": "choice",
                "required": False,
                "answerOption": [{"valueCoding": _coding(LOINC, *DIFFICULTY_ANSWERS[v])} for v in range(4)],
            }
        )
    resource: dict = {
        "resourceType": "Questionnaire",
        "id": derived_id("questionnaire", instrument.id),
        "url": KETALOG_Q + instrument.id,
        "name": instrument.name.replace("-", ""),
        "title": f"{instrument.name}: {instrument.measures}",
        "status": "active",
        "subjectType": ["Patient"],
        "copyright": instrument.attribution + (" " + LOINC_NOTICE if loinc else ""),
        "item": [{"linkId": "instructions", "text": instrument.stem, "type": "display"}, *items],
    }
    if loinc:
        resource["derivedFrom"] = [f"http://loinc.org/q/{loinc[0]}"]
        resource["code"] = [_coding(LOINC, loinc[0])]
    return resource


def _survey_resources(builder: BundleBuilder, survey: Survey) -> None:
    instrument = inst.INSTRUMENTS.get(survey.instrument)
    loinc = LOINC_FORMS.get(survey.instrument)
    when = _instant(survey.at)
    response_ref = None
    if instrument is not None and survey.answers is not None:
        items = []
        for number, answer in enumerate(survey.answers, start=1):
            link = loinc[2][number - 1] if loinc else f"{instrument.id}-{number}"
            item: dict = {"linkId": link, "text": instrument.items[number - 1]}
            if answer is not None:  # a skipped item has no answer: never 0
                coding = (
                    _coding(LOINC, *FREQUENCY_ANSWERS[answer])
                    if loinc
                    else _coding(KETALOG, f"{instrument.id}-answer-{answer}", dict(instrument.options)[answer])
                )
                item["answer"] = [{"valueCoding": coding}]
            items.append(item)
        if instrument.difficulty and survey.difficulty is not None:
            items.append(
                {
                    "linkId": DIFFICULTY,
                    "text": instrument.difficulty,
                    "answer": [{"valueCoding": _coding(LOINC, *DIFFICULTY_ANSWERS[survey.difficulty])}],
                }
            )
        response = builder.add(
            {
                "resourceType": "QuestionnaireResponse",
                "id": fhir_id(survey.id),
                "identifier": _identifier(fhir_id(survey.id))[0],
                "questionnaire": KETALOG_Q + instrument.id,
                "status": "completed",
                "subject": builder.subject,
                "authored": when,
                "item": items,
            }
        )
        response_ref = {"reference": f"urn:uuid:{response['id']}"}
    if survey.total is not None:
        label = f"{inst.display_name(survey.instrument)} total score"
        code = _concept(LOINC, loinc[1], label) if loinc else _concept(KETALOG, f"{survey.instrument}-total", label)
        total: dict = {
            "resourceType": "Observation",
            "id": derived_id(survey.id, "total"),
            "identifier": _identifier(derived_id(survey.id, "total")),
            "status": "final",
            "category": _category("survey"),
            "code": code,
            "subject": builder.subject,
            "effectiveDateTime": when,
            "valueInteger": survey.total,
        }
        if response_ref:
            total["derivedFrom"] = [response_ref]
        if survey.prorated:
            total["note"] = [{"text": "Prorated: a skipped item was scored as the mean of the answered ones."}]
        if survey.answers is None:
            total["note"] = [{"text": "A total given by a clinician (ketalog `survey log`), without item answers."}]
        builder.add(total)
    if survey.instrument == inst.PHQ9.id and survey.answers is not None and survey.answers[8] is not None:
        item9 = survey.answers[8]
        builder.add(
            {
                "resourceType": "Observation",
                "id": derived_id(survey.id, "item9"),
                "identifier": _identifier(derived_id(survey.id, "item9")),
                "status": "final",
                "category": _category("survey"),
                "code": _concept(
                    LOINC, PHQ9_ITEM9, "Thoughts that you would be better off dead, or of hurting yourself"
                ),
                "subject": builder.subject,
                "effectiveDateTime": when,
                "valueCodeableConcept": {"coding": [_coding(LOINC, *FREQUENCY_ANSWERS[item9])]},
                **({"derivedFrom": [response_ref]} if response_ref else {}),
            }
        )


def _drug(session: Session) -> dict:
    """The drug as text (its RxNorm codes are not verified yet) with ketalog's own code beside it."""
    name = session.drug or "drug not recorded"
    text = f"{name} ({session.product})" if session.product else name
    if session.drug is None:
        return {"text": text}
    return {"coding": [_coding(KETALOG, f"drug-{session.drug}", session.drug)], "text": text}


def _session_resources(builder: BundleBuilder, session: Session, private: bool) -> None:
    end = session.at + timedelta(minutes=session.duration_min) if session.duration_min else None
    administration: dict = {
        "resourceType": "MedicationAdministration",
        "id": fhir_id(session.id),
        "identifier": _identifier(fhir_id(session.id)),
        "status": "completed",
        "medicationCodeableConcept": _drug(session),
        "subject": builder.subject,
        "effectivePeriod": {"start": _instant(session.at), **({"end": _instant(end)} if end else {})},
    }
    dosage: dict = {}
    route = ROUTES.get(session.route)
    if route:
        dosage["route"] = {
            "coding": [_coding(SNOMED, route[0], route[1]), _coding(V3_ROUTE, route[2], route[3])],
            "text": session.route,
        }
    else:
        dosage["route"] = {"text": session.route}
    if session.dose_amount is not None:
        dosage["dose"] = {
            "value": session.dose_amount,
            "unit": session.dose_unit,
            "system": UCUM,
            "code": session.dose_unit,
        }
        if len(session.doses) > 1:
            dosage["text"] = f"{session.dose} (doses at minutes {', '.join(str(d['at']) for d in session.doses)})"
    if dosage:
        administration["dosage"] = dosage
    notes = [text for text in (session.intention, session.note) if text and not private]
    if notes:
        administration["note"] = [{"text": text} for text in notes]
    builder.add(administration)
    part_of = [{"reference": f"urn:uuid:{administration['id']}"}]
    for index, reading in enumerate(session.vitals):
        moment = session.at
        if reading["at"] not in (None, "end"):
            moment = session.at + timedelta(minutes=int(reading["at"]))
        elif reading["at"] == "end" and end is not None:
            moment = end
        observation: dict = {
            "resourceType": "Observation",
            "id": derived_id(session.id, "vital", str(index)),
            "identifier": _identifier(derived_id(session.id, "vital", str(index))),
            "status": "final",
            "category": _category("vital-signs"),
            "subject": builder.subject,
            "partOf": part_of,
            "effectiveDateTime": _instant(moment),
        }
        if reading["at"] in (None, "end"):
            observation["note"] = [
                {"text": "Time not recorded; the session's start." if reading["at"] is None else "Before leaving."}
            ]
        if reading["what"] == "bp":
            systolic, diastolic = reading["value"]
            observation["code"] = _concept(LOINC, BP_PANEL, "Blood pressure panel with all children optional")
            observation["component"] = [
                {"code": _concept(LOINC, SYSTOLIC, "Systolic blood pressure"), "valueQuantity": _mmhg(systolic)},
                {"code": _concept(LOINC, DIASTOLIC, "Diastolic blood pressure"), "valueQuantity": _mmhg(diastolic)},
            ]
        elif reading["what"] == "hr":
            observation["code"] = _concept(LOINC, HEART_RATE, "Heart rate")
            observation["valueQuantity"] = {"value": reading["value"], "unit": "/min", "system": UCUM, "code": "/min"}
        else:
            observation["code"] = _concept(LOINC, SPO2, "Oxygen saturation in Arterial blood by Pulse oximetry")
            observation["valueQuantity"] = {"value": reading["value"], "unit": "%", "system": UCUM, "code": "%"}
        builder.add(observation)
    for name, value in (("dissociation", session.dissociation), ("sedation", session.sedation)):
        if value is not None:
            builder.add(_rating(builder, f"{session.id}:{name}", name, value, session.at, part_of))


def _mmhg(value: int) -> dict:
    return {"value": value, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"}


def _rating(builder: BundleBuilder, key: str, name: str, value: int, at: datetime, part_of=None) -> dict:
    resource: dict = {
        "resourceType": "Observation",
        "id": derived_id(key),
        "identifier": _identifier(derived_id(key)),
        "status": "final",
        "category": _category("survey"),
        "code": _concept(KETALOG, f"rating-{name}", f"{name.replace('_', ' ')} self-rating, 0-10"),
        "subject": builder.subject,
        "effectiveDateTime": _instant(at),
        "valueInteger": value,
    }
    if part_of:
        resource["partOf"] = part_of
    return resource


def _medicine_resources(builder: BundleBuilder, events: list[MedicationEvent], private: bool) -> None:
    """One MedicationStatement per medicine: from its first event to its stop, with its latest dose."""
    by_medicine: dict[str, list[MedicationEvent]] = {}
    for event in events:
        by_medicine.setdefault(event.medication, []).append(event)
    for key, own in by_medicine.items():
        latest = own[-1]
        stopped = latest.event == "stop"
        dose = next((e.dose for e in reversed(own) if e.dose), None)
        schedule = next((e.schedule for e in reversed(own) if e.schedule), None)
        statement: dict = {
            "resourceType": "MedicationStatement",
            "id": derived_id("medicine", key),
            "identifier": _identifier(derived_id("medicine", key)),
            "status": "stopped" if stopped else "active",
            "medicationCodeableConcept": {"text": latest.name or key},
            "subject": builder.subject,
            "effectivePeriod": {"start": _instant(own[0].at), **({"end": _instant(latest.at)} if stopped else {})},
            "dateAsserted": _instant(latest.at),
        }
        text = " ".join(part for part in (dose, schedule) if part)
        if text:
            statement["dosage"] = [{"text": text}]
        notes = [e.note for e in own if e.note and not private]
        if notes:
            statement["note"] = [{"text": note} for note in notes]
        builder.add(statement)


# Liver tests by the names labs print (fhir.md: agreed across code bases; 2324-2 is GGT, never ALT).
LAB_CODES = {
    "1742-6": ("Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", ("alt", "sgpt", "alat")),
    "1920-8": ("Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", ("ast", "sgot", "asat")),
    "2324-2": (
        "Gamma glutamyl transferase [Enzymatic activity/volume] in Serum or Plasma",
        ("ggt", "gamma-gt"),
    ),
    "6768-6": ("Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma", ("alp", "alkaline phosphatase")),
    "1975-2": ("Bilirubin.total [Mass/volume] in Serum or Plasma", ("bilirubin", "total bilirubin", "bilirubin total")),
}
_LAB_BY_NAME = {alias: code for code, (_, aliases) in LAB_CODES.items() for alias in aliases}
UCUM_UNITS = {"u/l": "U/L", "iu/l": "[IU]/L", "mg/dl": "mg/dL", "umol/l": "umol/L", "µmol/l": "umol/L"}


def _lab_quantity(value: float, unit: str) -> dict:
    code = UCUM_UNITS.get(unit.strip().lower())
    return {"value": value, "unit": unit, **({"system": UCUM, "code": code} if code else {})}


def _lab_resource(builder: BundleBuilder, lab: Lab, private: bool) -> dict:
    """A lab result as an Observation: LOINC-coded when it is one of the five liver tests, else by its name;
    the reference range as the lab printed it, and no interpretation beyond that."""
    code = _LAB_BY_NAME.get(" ".join(lab.name.lower().replace(",", " ").split()))
    resource: dict = {
        "resourceType": "Observation",
        "id": fhir_id(lab.id),
        "identifier": _identifier(fhir_id(lab.id)),
        "status": "final",
        "category": _category("laboratory"),
        "code": _concept(LOINC, code, LAB_CODES[code][0]) | {"text": lab.name} if code else {"text": lab.name},
        "subject": builder.subject,
        "effectiveDateTime": _instant(lab.at),
        "valueQuantity": _lab_quantity(lab.value, lab.unit),
    }
    if lab.range_low is not None or lab.range_high is not None:
        ends = {"low": lab.range_low, "high": lab.range_high}
        resource["referenceRange"] = [
            {end: _lab_quantity(value, lab.unit) for end, value in ends.items() if value is not None}
        ]
    if lab.note and not private:
        resource["note"] = [{"text": lab.note}]
    return resource


def build_bundle(
    *,
    sessions: list[Session],
    surveys: list[Survey],
    checkins: list,
    medication_events: list[MedicationEvent],
    patient_name: str | None,
    labs: Sequence[Lab] = (),
    now: datetime,
    kind: str = "collection",
    private: bool = False,
) -> dict:
    """The Bundle: Patient, the Questionnaires answered, then each entry's resources, oldest first."""
    builder = BundleBuilder(patient_name)
    taken = {s.instrument for s in surveys if s.answers is not None}
    for instrument in inst.INSTRUMENTS.values():
        if instrument.id in taken:
            builder.add(questionnaire(instrument))
    for survey in sorted(surveys, key=lambda s: (s.at, s.id)):
        _survey_resources(builder, survey)
    for session in sorted(sessions, key=lambda s: (s.at, s.id)):
        _session_resources(builder, session, private)
    for checkin in sorted(checkins, key=lambda c: (c.at, c.id)):
        for name, value in checkin.ratings().items():
            builder.add(_rating(builder, f"{checkin.id}:{name}", name, value, checkin.at))
    _medicine_resources(builder, sorted(medication_events, key=lambda e: (e.at, e.id)), private)
    for lab in sorted(labs, key=lambda lab: (lab.at, lab.id)):
        builder.add(_lab_resource(builder, lab, private))
    return builder.bundle(kind, now)
