"""The FHIR R4 export (issue 28), checked in three layers because each alone misses real errors: HL7's R4 JSON
schema (types, unknown elements, required-binding codes), the Bundle's own invariants (unique fullUrls,
references that resolve), and a pinned code table (the right LOINC code in the right place)."""

from __future__ import annotations

import gzip
import json
import os
from functools import lru_cache
from pathlib import Path

import pytest

from ketalog.formats import fhir

SCHEMA = Path(__file__).parent / "fixtures" / "fhir" / "fhir.schema.json.gz"


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(gzip.decompress(SCHEMA.read_bytes()))


def schema_errors(resource: dict) -> list[str]:
    jsonschema = pytest.importorskip("jsonschema")
    schema = _schema()
    validator = jsonschema.Draft6Validator({**schema, "$ref": f"#/definitions/{resource['resourceType']}"})
    return [
        f"{resource['resourceType']} {'/'.join(map(str, e.path))}: {e.message[:200]}"
        for e in validator.iter_errors(resource)
    ]


def collect(value, pick) -> list:
    """Every ``pick(node)`` that is not None, over a resource's nested dicts and lists."""
    found, stack = [], [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            picked = pick(node)
            if picked is not None:
                found.append(picked)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def walk(value) -> list[dict]:
    """Every coding (a dict with a system and a code)."""
    return collect(value, lambda node: node if "system" in node and "code" in node else None)


def references(value) -> list[str]:
    return collect(value, lambda node: node["reference"] if isinstance(node.get("reference"), str) else None)


def check_bundle(bundle: dict) -> None:
    """All three layers: schema, invariants, pinned codes."""
    errors = schema_errors(bundle)
    for entry in bundle["entry"]:
        errors += schema_errors(entry["resource"])
    assert errors == [], errors[:5]
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(urls) == len(set(urls)), "fullUrls must be unique"
    assert all(url == f"urn:uuid:{entry['resource']['id']}" for url, entry in zip(urls, bundle["entry"], strict=True))
    dangling = set(references(bundle)) - set(urls)
    assert dangling == set(), f"references that resolve nowhere in the Bundle: {sorted(dangling)[:3]}"
    assert bundle["type"] in ("collection", "transaction")
    statuses = {
        "Observation": {"final"},
        "QuestionnaireResponse": {"completed"},
        "MedicationAdministration": {"completed"},
        "MedicationStatement": {"active", "stopped"},
        "Questionnaire": {"active"},
    }
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] in statuses:
            assert resource["status"] in statuses[resource["resourceType"]]
    check_codes(bundle)


# The pinned code table -----------------------------------------------------------------------------------

PINNED_LOINC = {
    fhir.PHQ9_PANEL, fhir.PHQ9_TOTAL, fhir.PHQ9_ITEM9, *fhir.PHQ9_ITEMS, fhir.GAD7_PANEL, fhir.GAD7_TOTAL,
    *fhir.GAD7_ITEMS, fhir.DIFFICULTY, fhir.BP_PANEL, fhir.SYSTOLIC, fhir.DIASTOLIC, fhir.HEART_RATE, fhir.SPO2,
    "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9", "LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3",
    "1742-6", "1920-8", "2324-2", "6768-6", "1975-2",  # ALT, AST, GGT, ALP, total bilirubin
}  # fmt: skip


def test_the_code_table_is_the_shared_references_verified_one():
    assert fhir.PHQ9_ITEMS == (
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"
    )  # fmt: skip
    assert fhir.GAD7_ITEMS == ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7")
    assert "69726-8" not in fhir.GAD7_ITEMS  # an unrelated code a public document lists as GAD-7 item 1
    assert fhir.DIFFICULTY_ANSWERS[2][0] == "LA6575-0" and fhir.DIFFICULTY_ANSWERS[3][0] == "LA6574-3"  # the swap trap
    assert (fhir.PHQ9_TOTAL, fhir.PHQ9_ITEM9, fhir.GAD7_TOTAL) == ("44261-6", "44260-8", "70274-6")
    assert fhir.ROUTES["intranasal"][0] == "46713006"
    names = {code: aliases[0] for code, (_, aliases) in fhir.LAB_CODES.items()}
    assert names == {"1742-6": "alt", "1920-8": "ast", "2324-2": "ggt", "6768-6": "alp", "1975-2": "bilirubin"}


def check_codes(bundle: dict) -> None:
    for entry in bundle["entry"]:
        resource = entry["resource"]
        for coding in walk(resource):
            if coding["system"] == fhir.LOINC:
                assert coding["code"] in PINNED_LOINC, f"unpinned LOINC code {coding['code']}"
        if resource["resourceType"] == "Observation":
            code = resource["code"].get("coding", [{}])[0].get("code")
            if code == fhir.PHQ9_ITEM9:  # never a total: an answer code
                assert "valueCodeableConcept" in resource and "valueInteger" not in resource
            if code in (fhir.PHQ9_TOTAL, fhir.GAD7_TOTAL):
                assert isinstance(resource["valueInteger"], int)
        if resource["resourceType"] == "QuestionnaireResponse":
            for item in resource["item"]:
                for answer in item.get("answer", []):
                    if item["linkId"] == fhir.DIFFICULTY:
                        assert answer["valueCoding"]["code"] in {c for c, _ in fhir.DIFFICULTY_ANSWERS.values()}
                    elif resource["questionnaire"].endswith(("phq9", "gad7")):
                        assert answer["valueCoding"]["code"] in {c for c, _ in fhir.FREQUENCY_ANSWERS.values()}
        for coding in walk(resource):
            assert coding["system"] != "http://www.nlm.nih.gov/research/umls/rxnorm"  # unverified: text only


# The export ----------------------------------------------------------------------------------------------


def observations(bundle: dict, category: str | None = None) -> list[dict]:
    found = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    return [o for o in found if category is None or o["category"][0]["coding"][0]["code"] == category]


def coded(resource: dict) -> str:
    return resource["code"]["coding"][0]["code"]


@pytest.fixture
def demo(cli, tmp_path, monkeypatch):
    path = tmp_path / "demo.db"
    cli("demo", "--db", str(path), "--format", "json")
    monkeypatch.setenv("KETALOG_DB", str(path))
    return path


@pytest.mark.slow
def test_the_demo_bundle_passes_all_three_layers(cli, demo):
    bundle = json.loads(cli("export", "--format", "fhir").stdout)
    check_bundle(bundle)
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert kinds >= {"Patient", "Questionnaire", "QuestionnaireResponse", "Observation", "MedicationAdministration"}


def test_the_export_is_deterministic_private_and_named_by_its_extension(cli, demo, tmp_path):
    target = tmp_path / "diary.fhir.json"
    cli("export", "-o", str(target))
    assert target.read_text() == cli("export", "--format", "fhir").stdout
    assert target.stat().st_mode & 0o777 == 0o600
    assert json.loads(target.read_text())["resourceType"] == "Bundle"


@pytest.mark.slow
def test_a_transaction_bundle_puts_every_entry_by_its_id(cli, demo):
    bundle = json.loads(cli("export", "--format", "fhir", "--bundle", "transaction").stdout)
    check_bundle(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["request"] == {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}


def test_a_phq9_gives_a_response_a_total_and_item_9_on_its_own_even_at_0(cli):
    cli("survey", "phq9", "--answers", "1,2,1,0,1,1,0,1,0", "--difficulty", "2")
    bundle = json.loads(cli("export", "--format", "fhir").stdout)
    check_bundle(bundle)
    by_code = {coded(o): o for o in observations(bundle)}
    assert by_code[fhir.PHQ9_TOTAL]["valueInteger"] == 7
    assert by_code[fhir.PHQ9_ITEM9]["valueCodeableConcept"]["coding"][0]["code"] == "LA6568-5"
    response = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    assert by_code[fhir.PHQ9_TOTAL]["derivedFrom"] == [{"reference": f"urn:uuid:{response['id']}"}]
    difficulty = next(i for i in response["item"] if i["linkId"] == fhir.DIFFICULTY)
    assert difficulty["answer"][0]["valueCoding"]["code"] == "LA6575-0"  # "Very difficult"


def test_a_skipped_item_has_no_answer_and_a_prorated_total_says_so(cli):
    cli("survey", "phq9", "--answers", "1,2,1,-,1,1,0,1,0")
    bundle = json.loads(cli("export", "--format", "fhir").stdout)
    check_bundle(bundle)
    response = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    skipped = next(i for i in response["item"] if i["linkId"] == fhir.PHQ9_ITEMS[3])
    assert "answer" not in skipped  # never 0
    total = next(o for o in observations(bundle) if coded(o) == fhir.PHQ9_TOTAL)
    assert "Prorated" in total["note"][0]["text"]


def test_a_session_with_its_drug_doses_and_timed_readings(cli):
    cli(
        "add", "--route", "intranasal", "--drug", "esketamine", "--product", "Spravato 84 mg", "--duration", "120",
        "--dose", "28mg", "--dose", "28mg@5", "--dose", "28mg@10", "--bp", "128/82@pre", "--bp", "152/94@40",
        "--bp", "134/86@end", "--heart-rate", "78@0", "--spo2", "97@40", "--note", "felt far away", "--no-input",
    )  # fmt: skip
    for private in (False, True):
        bundle = json.loads(cli("export", "--format", "fhir", *(["--private"] if private else [])).stdout)
        check_bundle(bundle)
        given = next(
            e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "MedicationAdministration"
        )
        assert given["medicationCodeableConcept"]["text"] == "esketamine (Spravato 84 mg)"
        assert given["dosage"]["dose"] == {"value": 84.0, "unit": "mg", "system": fhir.UCUM, "code": "mg"}
        assert [c["code"] for c in given["dosage"]["route"]["coding"]] == ["46713006", "NASALINSTIL"]
        assert given["effectivePeriod"] == {"start": "2026-03-10T10:00:00+00:00", "end": "2026-03-10T12:00:00+00:00"}
        assert ("note" in given) is not private
        vitals = observations(bundle, "vital-signs")
        times = {(v["code"]["coding"][0]["code"], v["effectiveDateTime"]) for v in vitals}
        assert {(fhir.BP_PANEL, "2026-03-10T10:40:00+00:00"), (fhir.SPO2, "2026-03-10T10:40:00+00:00")} <= times
        assert all(v["partOf"] == [{"reference": f"urn:uuid:{given['id']}"}] for v in vitals)


def test_a_period_and_a_re_export_keep_identities(cli):
    cli("checkin", "--mood", "5", "--at", "2026-03-01 10:00")
    cli("checkin", "--mood", "7", "--at", "2026-03-09 10:00")
    whole = json.loads(cli("export", "--format", "fhir").stdout)
    part = json.loads(cli("export", "--format", "fhir", "--since", "2026-03-05").stdout)
    check_bundle(part)
    ids = {e["resource"]["id"] for e in whole["entry"]}
    assert {e["resource"]["id"] for e in part["entry"]} < ids
    assert [e["resource"]["valueInteger"] for e in part["entry"] if e["resource"]["resourceType"] == "Observation"] == [
        7
    ]


@pytest.mark.parametrize("option", [["--since", "2026-01-01"], ["--private"], ["--bundle", "transaction"]])
def test_fhir_options_on_another_format_are_refused(cli, option):
    error = cli("export", "--format", "json", *option, expect=2).stderr
    assert error.startswith(f"ketalog: error: {option[0]}: only the FHIR export takes it")


def test_medicines_and_clinician_totals_validate_too(cli):
    cli("med", "add", "sertraline", "--dose", "100 mg", "--schedule", "daily", "--start", "2026-01-05")
    cli("med", "took", "lorazepam", "--dose", "1 mg")
    cli("med", "stop", "sertraline")
    cli("survey", "log", "madrs", "22")
    cli("survey", "pcl5", "--answers", ",".join(["1"] * 20))
    bundle = json.loads(cli("export", "--format", "fhir").stdout)
    check_bundle(bundle)
    statements = {
        e["resource"]["medicationCodeableConcept"]["text"]: e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationStatement"
    }
    assert statements["sertraline"]["status"] == "stopped" and statements["lorazepam"]["status"] == "active"
    madrs = next(o for o in observations(bundle) if coded(o) == "madrs-total")
    assert madrs["valueInteger"] == 22 and "derivedFrom" not in madrs
    pcl5 = next(o for o in observations(bundle) if coded(o) == "pcl5-total")
    assert pcl5["code"]["coding"][0]["system"] == fhir.KETALOG and pcl5["valueInteger"] == 20


GOLDEN = Path(__file__).parent / "fixtures" / "fhir" / "demo-bundle.txt"


def _digest_line(entry: dict) -> str:
    """One line per resource: type, code, time and value (the demo's ids are new each run, so not them)."""
    resource = entry["resource"]
    code = resource.get("code")
    code = code["coding"][0]["code"] if isinstance(code, dict) else ""
    value = next(
        (
            json.dumps(resource[key], sort_keys=True)
            for key in ("valueInteger", "valueCodeableConcept", "valueQuantity", "component", "dosage", "status")
            if key in resource
        ),
        "",
    )
    when = (
        resource.get("effectiveDateTime") or resource.get("authored") or json.dumps(resource.get("effectivePeriod", ""))
    )
    return " | ".join((resource["resourceType"], code, when, value))


def test_the_demo_bundle_matches_its_golden_snapshot(cli, demo):
    """The demo's Bundle, one line per resource; KETALOG_UPDATE_GOLDEN=1 rewrites the snapshot after a
    deliberate change (then read its diff)."""
    bundle = json.loads(cli("export", "--format", "fhir").stdout)
    text = "\n".join(sorted(_digest_line(entry) for entry in bundle["entry"])) + "\n"
    if os.environ.get("KETALOG_UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_labs_are_observations_with_the_range_the_lab_printed(cli, tmp_path):
    cli("lab", "add", "GGT", "70", "U/L", "--range", "8-61", "--at", "2026-03-01", "--note", "after a holiday")
    cli("lab", "add", "Ferritin", "40", "ng/mL", "--at", "2026-03-02")
    out = tmp_path / "labs.fhir.json"
    cli("export", "-o", str(out))
    bundle = json.loads(out.read_text())
    check_bundle(bundle)
    labs = [e["resource"] for e in bundle["entry"] if "laboratory" in json.dumps(e["resource"].get("category"))]
    ggt, ferritin = labs
    assert ggt["code"]["coding"][0]["code"] == "2324-2" and ggt["code"]["text"] == "GGT"
    assert ggt["referenceRange"] == [
        {"low": {"value": 8.0, "unit": "U/L", "system": fhir.UCUM, "code": "U/L"},
         "high": {"value": 61.0, "unit": "U/L", "system": fhir.UCUM, "code": "U/L"}}
    ]  # fmt: skip
    assert "interpretation" not in ggt  # only the range is said, never "high"
    assert ferritin["code"] == {"text": "Ferritin"} and "system" not in ferritin["valueQuantity"]
    private = tmp_path / "private.fhir.json"
    cli("export", "-o", str(private), "--private")
    assert "after a holiday" not in private.read_text()
