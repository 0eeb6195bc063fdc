"""Other medicines (issue 15): the class vocabulary, where each medicine stands, `med` commands, the report's rule."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from helpers import count, rows

from ketalog import medicines
from ketalog.models import MedicationEvent

UTC = timezone.utc


@pytest.mark.parametrize(
    "name, klass",
    [
        ("Xanax", "benzodiazepine"),
        ("lorazepam", "benzodiazepine"),
        ("Sertraline", "ssri"),
        ("Adderall XR", "psychostimulant"),
        ("Lamictal", "lamotrigine"),
        ("Parnate", "maoi"),
        ("tramadol", "opioid"),
        ("Lithium carbonate", "lithium"),
        ("Fluoxitine", "other"),  # misspelt: the person can say --class
        ("vitamin D", "other"),
    ],
)
def test_common_names_map_to_classes(name, klass):
    assert medicines.classify(name) == klass


def test_classes_are_parsed_with_aliases_and_refused_with_the_list():
    assert medicines.parse_class("SSRI") == "ssri" and medicines.parse_class("benzo") == "benzodiazepine"
    with pytest.raises(ValueError, match="must be one of benzodiazepine, lamotrigine"):
        medicines.parse_class("statin")


def event(medication, kind, day, hour=9, dose=None):
    at = datetime(2026, 3, day, hour, tzinfo=UTC)
    return MedicationEvent(
        id=f"{medication}{kind}{day}{hour}",
        at=at,
        created_at="",
        updated_at="",
        medication=medication,
        event=kind,
        dose=dose,
    )


@pytest.mark.parametrize(
    "events, day, expected",
    [
        ([("start", 1)], 1, True),
        ([("start", 2)], 1, False),
        ([("start", 1), ("stop", 5)], 5, True),  # stopped that day: still taken that day
        ([("start", 1), ("stop", 5)], 6, False),
        ([("start", 1), ("stop", 3), ("start", 6)], 7, True),
        ([("took", 4)], 4, False),  # an as-needed dose is not "active"; the 24 h rule covers it
    ],
)
def test_active_on_a_day(events, day, expected):
    own = [event("x", kind, d) for kind, d in events]
    assert medicines.active_on(own, datetime(2026, 3, day).date()) is expected


def test_near_sessions_active_on_the_day_versus_taken_within_24_hours():
    meds = [
        {"key": "clonazepam", "name": "Clonazepam", "class": "benzodiazepine", "schedule": "daily"},
        {"key": "lorazepam", "name": "Lorazepam", "class": "benzodiazepine", "schedule": "as needed"},
        {"key": "sertraline", "name": "Sertraline", "class": "ssri", "schedule": "daily"},
        {"key": "adderall", "name": "Adderall", "class": "psychostimulant", "schedule": "daily"},
    ]
    events = sorted(
        [
            event("clonazepam", "start", 1),
            event("clonazepam", "stop", 8),
            event("lorazepam", "took", 9, 8),  # 2 h before the session on the 9th
            event("lorazepam", "took", 14, 11),  # 25 h after the session on the 13th: outside
            event("sertraline", "start", 1),
            event("adderall", "start", 20),  # after every session
        ],
        key=lambda e: e.at,
    )
    sessions = [datetime(2026, 3, d, 10, tzinfo=UTC) for d in (2, 9, 13)]
    assert medicines.near_sessions(meds, events, sessions) == [
        {"name": "Clonazepam", "class": "benzodiazepine", "sessions": ["2026-03-02"], "how": ["active"]},
        {"name": "Lorazepam", "class": "benzodiazepine", "sessions": ["2026-03-09"], "how": ["taken"]},
    ]
    exactly = [event("lorazepam", "took", 14, 8)]  # 22 h after the 13th's session: within
    assert medicines.near_sessions(meds, exactly, sessions)[0]["sessions"] == ["2026-03-13"]
    assert timedelta(hours=medicines.NEAR_SESSION_HOURS) == timedelta(days=1)


def test_med_commands_record_dated_events(cli, db_path):
    cli("med", "add", "Sertraline", "--dose", "100 mg", "--schedule", "daily", "--start", "2025-11-01")
    cli("med", "change", "sertraline", "--dose", "150 mg", "--at", "2026-02-01")
    cli("med", "add", "clonazepam", "--dose", "0.5 mg", "--start", "2026-01-01")
    cli("med", "stop", "CLONAZEPAM", "--at", "2026-03-01")
    took = cli.json("med", "took", "lorazepam", "--dose", "0.5 mg", "--at", "2026-03-09 08:00", "--json")
    assert took["event"] == "took" and took["med_class"] == "benzodiazepine" and took["schedule"] == "as needed"
    current = cli.json("med", "list")
    assert [(m["name"], m["dose"], m["active"]) for m in current] == [
        ("Sertraline", "150 mg", True),
        ("lorazepam", None, False),
    ]
    assert current[0]["started"] == "2025-11-01T10:00+00:00" and current[1]["last_taken"] == "2026-03-09T08:00+00:00"
    assert [m["name"] for m in cli.json("med", "list", "--all")] == ["Sertraline", "clonazepam", "lorazepam"]
    text = cli("med", "list").stdout
    assert "Sertraline (SSRI), 150 mg, daily, since 2025-11-01" in text
    assert count(db_path, "medications") == 3 and count(db_path, "medication_events") == 5
    listed = cli("list", "--kind", "medication").stdout
    assert "changed Sertraline 150 mg" in listed and "took lorazepam 0.5 mg" in listed


@pytest.mark.parametrize(
    "args, message",
    [
        (("med", "change", "sertraline", "--dose", "50 mg"), "NAME: sertraline is not on your current list"),
        (("med", "stop", "sertraline"), "NAME: sertraline is not on your current list"),
        (("med", "add", "x", "--class", "statin"), "--class: must be one of"),
        (("med", "add", "  "), "NAME: must be 1 to 100 characters"),
        (("med", "add", "x", "--dose", "y" * 51), "--dose: must be 1 to 50 characters"),
        (("med", "add", "x", "--start", "tomorrow"), "--start"),
    ],
)
def test_bad_med_input_is_one_line_and_writes_nothing(cli, db_path, args, message):
    result = cli(*args, expect=2)
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert count(db_path, "medication_events") == 0


def test_a_medicine_already_taken_is_changed_not_added_twice(cli):
    cli("med", "add", "sertraline", "--dose", "100 mg", "--start", "2026-01-01")
    assert "already on your list" in cli("med", "add", "Sertraline", expect=2).stderr
    cli("med", "stop", "sertraline", "--at", "2026-02-01")
    cli("med", "add", "sertraline", "--dose", "50 mg", "--start", "2026-03-01")  # restarted: one medicine
    assert [m["started"][:10] for m in cli.json("med", "list")] == ["2026-03-01"]


def test_events_are_entries_edit_show_delete(cli, db_path):
    added = cli.json("med", "add", "sertraline", "--dose", "100 mg", "--start", "2026-01-01", "--json")
    cli("edit", added["id"][:8], "--dose", "75 mg", "--schedule", "daily")
    assert "dose        75 mg" in cli("show", added["id"][:8]).stdout
    assert "is not a field of a medication" in cli("edit", added["id"][:8], "--route", "iv", expect=2).stderr
    cli("delete", added["id"][:8], "--yes")
    assert count(db_path, "medications") == 0  # a medicine with no event left goes too
    assert rows(db_path, "SELECT count(*) FROM medication_events") == [(0,)]


@pytest.fixture
def treated(cli):
    cli("survey", "phq9", "--answers", "2,2,2,2,2,2,2,2,0", "--at", "2026-02-20")
    cli("med", "add", "sertraline", "--dose", "100 mg", "--schedule", "daily", "--start", "2025-11-01")
    cli("med", "add", "clonazepam", "--dose", "0.5 mg", "--start", "2026-01-01")
    for day in ("2026-02-23", "2026-02-25", "2026-02-27", "2026-03-02"):
        cli("add", "--route", "iv", "--dose", "0.5mg/kg", "--at", f"{day} 10:00", "--cost", "450")
    cli("med", "stop", "clonazepam", "--at", "2026-02-24 09:00")
    cli("med", "took", "lorazepam", "--dose", "0.5 mg", "--at", "2026-03-02 08:00")
    cli("med", "change", "sertraline", "--dose", "150 mg", "--at", "2026-02-26 09:00")
    cli("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,0", "--at", "2026-03-06")


def test_the_report_raises_medicines_around_sessions_with_the_fact_and_source(cli, treated):
    data = json.loads(cli("report", "--format", "json", "--since", "2026-02-15").stdout)
    note = next(f for f in data["flags"] if f["id"] == "medication_note")
    assert note["title"] == "Other medicines around sessions: clonazepam, lorazepam"
    assert "clonazepam (benzodiazepine) being taken around sessions on 2026-02-23, 2026-02-24" not in note["detail"]
    assert "clonazepam (benzodiazepine) being taken around sessions on 2026-02-23:" in note["detail"]
    assert "lorazepam (benzodiazepine) taken within 24 h around sessions on 2026-03-02" in note["detail"]
    assert "Frye et al., J Clin Psychopharmacol 2015" in note["detail"]
    assert note["detail"].endswith("Worth raising with your provider.")
    meds = data["medications"]
    assert [m["name"] for m in meds["current"]] == ["sertraline"] and meds["current"][0]["dose"] == "150 mg"
    assert [(c["name"], c["event"]) for c in meds["changes"]] == [("clonazepam", "stop"), ("sertraline", "change")]
    assert meds["on_session_days"] == [{"at": "2026-03-02T08:00+00:00", "name": "lorazepam", "dose": "0.5 mg"}]
    # what is not current but was taken in the period: an as-needed medicine, counted and dated
    lorazepam = {"name": "lorazepam", "class": "benzodiazepine", "doses": 1, "dose": "0.5 mg"}
    assert meds["taken"] == [{**lorazepam, "last": "2026-03-02T08:00+00:00"}]
    assert data["course"]["cost_in_period"] == 1800
    # a period after the last benzodiazepine: nothing to raise
    later = json.loads(cli("report", "--format", "json", "--since", "2026-03-04").stdout)
    assert "medication_note" not in {f["id"] for f in later["flags"]}


def test_every_format_shows_the_medications_section(cli, treated):
    markdown = cli("report", "--format", "markdown", "--since", "2026-02-15").stdout
    assert "## Medications" in markdown
    assert "Current: sertraline (SSRI) 150 mg daily, since 2025-11-01." in markdown
    assert "2026-02-24 clonazepam stopped; 2026-02-26 sertraline changed to 150 mg." in markdown
    assert "As-needed doses on session days: 2026-03-02 08:00 lorazepam 0.5 mg." in markdown
    assert "Doses logged in this period: lorazepam (benzodiazepine) 0.5 mg ×1, last 2026-03-02." in markdown
    assert "Logged session costs in this period: 1,800.00." in markdown
    assert markdown.index("## To discuss") < markdown.index("## Questionnaires") < markdown.index("## Medications")
    assert markdown.index("## Medications") < markdown.index("## Sessions")
    text = cli("report", "--since", "2026-02-15").stdout
    assert "Medications" in text and "sertraline (SSRI)" in text


def test_a_dose_change_is_marked_on_the_score_chart(cli, treated):
    html = cli("report", "--format", "html", "--since", "2026-02-15").stdout
    chart = html[html.index("<figure>") : html.index("</figure>")]
    assert 'class="med-change"' in chart and "sertraline → 150 mg" in chart
    assert "dashed: 2026-02-24 clonazepam stopped; 2026-02-26 sertraline → 150 mg" in chart  # named in the caption


def test_medicines_known_only_by_doses_taken_are_in_the_report(cli):
    """Bearable exports every medicine as doses taken, with no start: years of them must not vanish from the page."""
    for day in ("2026-01-05", "2026-01-06", "2026-02-10"):
        cli("med", "took", "Clomipramine", "--dose", "100 mg", "--at", f"{day} 08:00")
    cli("med", "took", "Ibuprofen", "--dose", "600 mg", "--at", "2025-06-01 08:00")  # before the period
    out = " ".join(cli("report", "--since", "2026-01-01").stdout.split())
    assert "Doses logged in this period: Clomipramine (other) 100 mg ×3, last 2026-02-10." in out
    assert "Ibuprofen" not in out
