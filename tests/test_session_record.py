"""Session record v2 (issue 27): the drug, doses within a session, timed vital signs, staff observations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import rows
from hypothesis import given
from hypothesis import strategies as st

from ketalog import session_record as record
from ketalog.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures"


# Parsing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("128/82@pre", ("128/82", 0)),
        ("128/82@0", ("128/82", 0)),
        ("152/94 @ 40", ("152/94", 40)),
        ("134/86@end", ("134/86", "end")),
        ("134/86@END", ("134/86", "end")),
        ("78", ("78", None)),
    ],
)
def test_a_reading_names_its_time(text, expected):
    assert record.split_point(text, "--bp", default=None) == expected


@pytest.mark.parametrize("text", ["128/82@soon", "128/82@601", "128/82@-5", "128/82@"])
def test_a_time_that_is_no_time_is_refused_naming_the_option(text):
    with pytest.raises(InputError, match=r"--bp: the time after @ must be minutes 0-600, pre or end"):
        record.split_point(text, "--bp", default=None)


@given(
    st.lists(st.integers(1, 400), min_size=1, max_size=6, unique=True),
    st.lists(st.sampled_from([7, 14, 28, 28.5, 56]), min_size=6, max_size=6),
)
def test_the_total_is_the_sum_of_the_doses_shown(minutes, amounts):
    times = [0, *sorted(minutes)][: len(minutes)]
    texts = [f"{amounts[i]}mg" + (f"@{at}" if i else "") for i, at in enumerate(times)]
    doses = record.parse_doses(texts)
    total, unit = record.total_dose(doses)
    shown = record.format_doses(doses)
    parts = shown.split(" ")[0].split("+")
    assert unit == "mg" and total == pytest.approx(sum(float(p) for p in parts)) == pytest.approx(
        sum(amounts[: len(times)])
    )
    if len(doses) > 1:
        assert shown.endswith("@" + "/".join(map(str, times)) + "′")


@pytest.mark.parametrize(
    "texts, message",
    [
        (["28mg", "28mg"], "a second dose needs its time"),
        (["28mg", "0.5mg/kg@5"], "share one unit"),
        (["28mg", "28mg@0"], "two doses at the same minute"),
        (["28mg@end"], "minutes after the first"),
    ],
)
def test_doses_that_cannot_be_one_session_are_refused(texts, message):
    with pytest.raises(InputError, match=message):
        record.parse_doses(texts)


@pytest.mark.parametrize(
    "readings, before, after",
    [
        ([("bp", 0, [128, 82]), ("bp", 40, [152, 94]), ("bp", "end", [134, 86])], (128, 82), (152, 94)),
        ([("bp", 40, [158, 99]), ("bp", 60, [150, 101])], None, (150, 101)),  # the raised one wins
        ([("bp", 40, [185, 90]), ("bp", "end", [170, 110])], None, (185, 90)),  # crisis first
        ([("bp", 0, [141, 80])], (141, 80), None),
    ],
)
def test_the_flags_read_the_reading_before_dosing_and_the_highest_after(readings, before, after):
    vitals = [{"what": w, "at": at, "value": v} for w, at, v in readings]
    columns = record.summary_columns([], vitals)
    assert (columns["bp_before_sys"], columns["bp_before_dia"]) == (before or (None, None))
    assert (columns["bp_after_sys"], columns["bp_after_dia"]) == (after or (None, None))


# The command line -------------------------------------------------------------------------------------


def test_a_full_session_is_stored_and_shown(cli, db_path):
    session = cli.json(
        "add",
        "--route", "intranasal", "--drug", "esketamine", "--product", "Spravato 84 mg",
        "--dose", "28mg", "--dose", "28mg@5", "--dose", "28mg@10",
        "--bp", "128/82@pre", "--bp", "152/94@40", "--bp", "134/86@end", "--heart-rate", "78@0", "--spo2", "97@40",
        "--sedation", "3", "--observed", "sedation,dissociation", "--ready-after", "110", "--lot", "A12",
        "--mood-before", "3", "--mood-after", "6", "--no-input",
    )  # fmt: skip
    assert (session["dose_amount"], session["dose_unit"], session["drug"]) == (84.0, "mg", "esketamine")
    assert (session["bp_before_sys"], session["bp_after_sys"], session["heart_rate"]) == (128, 152, 78)
    assert session["observed"] == ["sedation", "dissociation"] and session["ready_after_min"] == 110
    shown = cli("show", session["id"][:8]).stdout
    assert "28+28+28 mg @0/5/10′" in shown and "128/82 pre → 152/94 40′ → 134/86 end" in shown
    assert "SpO2            97 40′" in shown
    report = cli("report", "--format", "markdown").stdout
    assert "28+28+28 mg @0/5/10′" in report and "128/82→152/94@40→134/86@end" in report


def test_a_first_intranasal_session_needs_its_drug_and_later_ones_default_to_it(cli, db_path):
    error = cli("add", "--route", "intranasal", "--dose", "56mg", "--no-input", expect=2).stderr
    assert error.startswith("ketalog: error: --drug: ") and error.count("\n") == 1 and not db_path.exists()
    cli("add", "--route", "intranasal", "--drug", "ketamine", "--dose", "50mg", "--no-input")
    later = cli.json("add", "--route", "intranasal", "--dose", "50mg", "--no-input")
    assert later["drug"] == "ketamine"
    assert cli.json("add", "--route", "iv", "--dose", "0.5mg/kg", "--no-input")["drug"] == "ketamine"
    assert cli.json("add", "--route", "buccal", "--dose", "150mg", "--no-input")["drug"] is None


def test_spravato_devices_set_the_dose(cli):
    session = cli.json("add", "--route", "intranasal", "--drug", "esketamine", "--sprays", "2", "--no-input")
    assert (session["sprays"], session["dose_amount"], session["doses"]) == (
        2,
        56.0,
        [{"amount": 56.0, "unit": "mg", "at": 0}],
    )
    other = cli.json("add", "--route", "intranasal", "--drug", "ketamine", "--sprays", "4", "--no-input")
    assert (other["sprays"], other["dose_amount"]) == (4, None)  # a compounded spray's strength is not known


@pytest.mark.parametrize(
    "args, field",
    [
        (["--bp", "128/82"], "--bp"),
        (["--bp", "128/82@pre", "--bp", "130/80@0"], "--bp"),
        (["--observed", "drowsy"], "--observed"),
        (["--drug", "psilocybin"], "--drug"),
        (["--sprays", "20"], "--sprays"),
        (["--spo2", "120@40"], "--spo2"),
        (["--ready-after", "900"], "--ready-after"),
    ],
)
def test_bad_session_values_are_one_line_naming_the_option(cli, db_path, args, field):
    error = cli("add", "--route", "iv", "--dose", "0.5mg/kg", *args, "--no-input", expect=2).stderr
    assert error.startswith(f"ketalog: error: {field}: ") and error.count("\n") == 1 and not db_path.exists()


def test_edit_adds_and_clears_timed_readings_and_doses(cli):
    session = cli.json(
        "add", "--route", "iv", "--dose", "0.25mg/kg", "--dose", "0.25mg/kg@20", "--bp", "150/95@40", "--no-input"
    )
    short = session["id"][:8]
    edited = cli.json("edit", short, "--bp", "130/85@60", "--clear", "bp@40", "--clear", "dose@20")
    assert edited["vitals"] == [{"what": "bp", "at": 60, "value": [130, 85]}]
    assert (edited["dose_amount"], edited["bp_after_sys"]) == (0.25, 130)
    replaced = cli.json("edit", short, "--bp-after", "140/90")
    assert replaced["vitals"][-1] == {"what": "bp", "at": "end", "value": [140, 90]}
    error = cli("edit", short, "--clear", "dose@30", expect=2).stderr
    assert "no dose at 30 minutes" in error


def test_check_lists_sessions_without_a_drug(cli):
    session = cli.json("add", "--route", "oral", "--dose", "100mg", "--no-input")
    data = cli.json("check")
    assert data["ok"] and data["sessions_without_drug"] == [session["id"][:8]]
    cli("edit", session["id"][:8], "--drug", "ketamine")
    assert cli.json("check")["sessions_without_drug"] == []


# Migration and exports ------------------------------------------------------------------------------------


def test_schema_14_turns_every_old_value_into_the_lists(tmp_path, cli):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema-v13.db", path)
    before = rows(path, "SELECT id, route, dose_amount, dose_unit, bp_before_sys, bp_before_dia, bp_after_sys, "
                       "bp_after_dia, heart_rate FROM sessions ORDER BY id")  # fmt: skip
    sessions = {s["id"]: s for s in cli.json("--db", str(path), "list", "--kind", "session", "--limit", "0")}
    after = rows(path, "SELECT id, route, dose_amount, dose_unit, bp_before_sys, bp_before_dia, bp_after_sys, "
                      "bp_after_dia, heart_rate FROM sessions ORDER BY id")  # fmt: skip
    assert after == before  # every summary value kept exactly
    for session_id, route, amount, unit, bsys, bdia, asys, adia, rate in before:
        session = sessions[session_id]
        assert session["doses"] == ([{"amount": amount, "unit": unit, "at": 0}] if amount else [])
        expected = [{"what": "bp", "at": 0, "value": [bsys, bdia]}] if bsys else []
        expected += [{"what": "bp", "at": "end", "value": [asys, adia]}] if asys else []
        expected += [{"what": "hr", "at": None, "value": rate}] if rate else []
        assert session["vitals"] == expected
        assert session["drug"] == ("ketamine" if route in ("iv", "im") else session["drug"])


def test_export_import_export_keeps_every_new_field_byte_for_byte(cli, tmp_path):
    cli(
        "add", "--route", "intranasal", "--drug", "esketamine", "--dose", "28mg", "--dose", "28mg@5",
        "--bp", "128/82@pre", "--bp", "152/94@40", "--heart-rate", "78", "--observed", "sedation", "--no-input",
    )  # fmt: skip
    first = cli("export").stdout
    assert json.loads(first)["format_version"] == 2
    (tmp_path / "e.json").write_text(first)
    cli("--db", str(tmp_path / "other.db"), "import", str(tmp_path / "e.json"))
    assert cli("--db", str(tmp_path / "other.db"), "export").stdout == first


def test_a_format_1_export_imports_with_its_sessions_as_lists(cli, tmp_path):
    data = json.loads(cli("export").stdout)
    data["format_version"] = 1
    data["tables"]["sessions"] = [
        {
            "id": "ab" * 16, "at": "2026-03-01T10:00:00Z", "utc_offset": 0, "local_date": "2026-03-01",
            "route": "intranasal", "dose_amount": 84.0, "dose_unit": "mg", "duration_min": None, "clinic": None,
            "provider": None, "dissociation": None, "bp_before_sys": 130, "bp_before_dia": 85, "bp_after_sys": 150,
            "bp_after_dia": 95, "heart_rate": 80, "cost": None, "therapy": None, "intention": None,
            "note": "Spravato, went fine", "new_course": 0,
            "created_at": "2026-03-01T10:00:00Z", "updated_at": "2026-03-01T10:00:00Z",
        }
    ]  # fmt: skip
    (tmp_path / "v1.json").write_text(json.dumps(data))
    cli("import", str(tmp_path / "v1.json"))
    session = cli.json("show", "abab")
    assert session["drug"] == "esketamine" and session["doses"] == [{"amount": 84.0, "unit": "mg", "at": 0}]
    assert [r["at"] for r in session["vitals"]] == [0, "end", None] and session["bp_after_sys"] == 150


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("doses", '[{"amount": 28, "unit": "mg"}]', "each dose needs exactly amount, unit and at"),
        ("doses", '[{"amount": 28, "unit": "mg", "at": 0}, {"amount": 28, "unit": "mg/kg", "at": 5}]', "one unit"),
        ("vitals", '[{"what": "bp", "at": 40, "value": [80, 120]}]', "systolic"),
        ("vitals", '[{"what": "temp", "at": 40, "value": 37}]', "bp, hr or spo2"),
        ("drug", "ketamine2", "must be one of"),
        ("observed", '["nap"]', "an observation is one of"),
    ],
)
def test_a_bad_new_session_value_in_a_file_names_its_row(cli, tmp_path, db_path, column, value, message):
    cli("add", "--route", "iv", "--dose", "0.5mg/kg", "--no-input")
    data = json.loads(cli("export").stdout)
    data["tables"]["sessions"][0][column] = value
    data["tables"]["sessions"][0]["id"] = "cd" * 16
    (tmp_path / "bad.json").write_text(json.dumps(data))
    error = cli("--db", str(tmp_path / "fresh.db"), "import", str(tmp_path / "bad.json"), expect=2).stderr
    assert "table sessions row 1" in error and message in error and error.count("\n") == 1


# The session sheet ------------------------------------------------------------------------------------


def _full_session(cli) -> dict:
    return cli.json(
        "add", "--route", "intranasal", "--drug", "esketamine", "--product", "Spravato 84 mg",
        "--dose", "28mg", "--dose", "28mg@5", "--dose", "28mg@10", "--bp", "128/82@pre", "--bp", "152/94@40",
        "--bp", "141/90@75", "--bp", "134/86@end", "--observed", "sedation", "--ready-after", "110",
        "--note", "<script>alert(1)</script>\u202eevil", "--no-input",
    )  # fmt: skip


def test_a_sheet_holds_the_session_in_the_monitoring_record_layout(cli):
    session = _full_session(cli)
    html = cli("sheet", session["id"][:8]).stdout
    for text in ("Session 1: monitoring record", "Spravato 84 mg", "28+28+28 mg @0/5/10′", "128/82", "152/94"):
        assert text in html
    assert "<th>75′</th>" in html  # a reading at another minute gets its own column
    assert "after 110 minutes" in html and "until the next day, after a restful sleep" in html
    assert "<script>" not in html and "&lt;script&gt;" in html and "\u202e" not in html  # the one escape


def test_the_next_sheet_prefills_the_plan_and_the_last_protocol_and_leaves_blanks(cli):
    _full_session(cli)
    cli("plan", "add", "2026-03-12")
    html = cli("sheet", "next").stdout
    assert "Next session" in html and "2026-03-12" in html and "Spravato 84 mg" in html
    assert "152/94" not in html and html.count('class="blank"') >= 6


def test_a_sheet_is_html_or_pdf(cli, tmp_path):
    error = cli("sheet", "next", "--format", "json", expect=2).stderr
    assert error.startswith("ketalog: error: --format: a session sheet is html or pdf")
    error = cli("sheet", "abcdef12", expect=2).stderr
    assert error.startswith("ketalog: error: SESSION: ")


@pytest.mark.parametrize("paper, width", [("letter", 612), ("a4", 595)])
def test_the_sheet_pdf_is_one_page(cli, tmp_path, paper, width):
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    _full_session(cli)
    for which in ("last", "next"):
        target = tmp_path / f"{which}.pdf"
        cli("sheet", which, "-o", str(target), "--paper", paper)
        reader = pypdf.PdfReader(str(target))
        assert len(reader.pages) == 1 and round(float(reader.pages[0].mediabox.width)) == width
        assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "readings, flag",
    [
        (["140/90@pre", "159/99@40", "150/95@end"], None),  # at the edges, nothing raised
        (["140/90@pre", "120/80@40", "160/85@75", "130/80@end"], "blood_pressure"),  # the highest, not the last
        (["141/80@pre"], "blood_pressure"),  # above the label's example before dosing
        (["130/80@pre", "150/120@40"], "blood_pressure_very_high"),  # the crisis range, any time
    ],
)
def test_the_blood_pressure_flags_read_timed_readings_at_their_boundaries(cli, readings, flag):
    args = [arg for reading in readings for arg in ("--bp", reading)]
    added = cli("add", "--route", "iv", "--dose", "0.5mg/kg", *args, "--no-input")
    flags = {f["id"] for f in json.loads(cli("report", "--format", "json").stdout)["flags"]}
    assert ({"blood_pressure", "blood_pressure_very_high"} & flags) == ({flag} if flag else set())
    assert ("blood pressure" in added.stdout.lower() + added.stderr.lower()) == bool(flag)


@pytest.mark.parametrize(
    "text, parts",
    [
        ("56 mg", ["56 mg"]),
        ("0.5 mg/kg", ["0.5 mg/kg"]),
        ("28mg 28mg@5 28mg@10", ["28mg", "28mg@5", "28mg@10"]),
        ("28 mg 28 mg@5", ["28 mg", "28 mg@5"]),
        ("0.25mg/kg, 0.25mg/kg@20", ["0.25mg/kg", "0.25mg/kg@20"]),
    ],
)
def test_doses_typed_on_one_line_split_between_doses_not_inside_one(text, parts):
    assert record.split_doses(text) == parts
