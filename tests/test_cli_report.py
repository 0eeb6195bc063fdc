"""`progress`, `trends`, `report` and `demo` through the CLI, and the four renderings agreeing with the model."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import time

import pytest
from helpers import FIXED_NOW, Cli, count

CONTRACT_KEYS = {
    "medications",
    "picture",
    "better_days",
    "followups",
    "labs",
    "integration",
    "phone",
    "items",
    "generated_at",
    "period",
    "course",
    "instruments",
    "ratings",
    "signs",
    "flags",
    "side_effects",
    "sessions",
    "journal",
    "safety",
    "durability",
}


@pytest.fixture(scope="module")
def journey_file(tmp_path_factory):
    """A short treated history through the CLI, built once per module: baseline, 4 sessions, better mood,
    a high BP, nausea twice."""
    path = tmp_path_factory.mktemp("journey") / "journey.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "UTC")
        time.tzset()
        patch.setenv("KETALOG_NOW", FIXED_NOW)
        patch.setenv("KETALOG_DB", str(path))
        _build_journey(Cli())
    time.tzset()
    return path


@pytest.fixture
def journey(journey_file, db_path):
    """A fresh copy of the module's journey as this test's database."""
    db_path.parent.mkdir(mode=0o700, exist_ok=True)
    shutil.copyfile(journey_file, db_path)
    os.chmod(db_path, 0o600)


def _build_journey(cli):
    for day, mood in ((1, 3), (2, 3), (3, 4)):
        cli("checkin", "--mood", str(mood), "--anxiety", "7", "--at", f"2026-02-0{day} 20:00")
    cli("survey", "phq9", "--answers", "3,3,2,2,2,2,2,2,0", "--at", "2026-02-03 09:00")  # 18
    cli(
        "add",
        "--route",
        "iv",
        "--dose",
        "0.5mg/kg",
        "--at",
        "2026-02-04 10:00",
        "--side-effect",
        "nausea",
        "--bp-before",
        "128/82",
        "--bp-after",
        "164/96",
    )
    cli("add", "--route", "iv", "--dose", "0.5mg/kg", "--at", "2026-02-06 10:00", "--side-effect", "nausea")
    cli("add", "--route", "iv", "--dose", "0.5mg/kg", "--at", "2026-02-09 10:00")
    cli("add", "--route", "iv", "--dose", "0.75mg/kg", "--at", "2026-02-11 10:00")
    for day in range(12, 29):
        cli("checkin", "--mood", "6", "--anxiety", "4", "--at", f"2026-02-{day} 20:00")
    for day in range(1, 10):  # up to the day before "now" (2026-03-10): the last 14 days are covered
        cli("checkin", "--mood", "6", "--anxiety", "4", "--at", f"2026-03-0{day} 20:00")
    cli("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,0", "--at", "2026-02-25 09:00")  # 8
    cli("journal", "Felt the fog lift a little.", "--at", "2026-02-20 21:00")


def test_report_json_contract(cli, journey):
    data = json.loads(cli("report", "--format", "json").stdout)
    assert set(data) == CONTRACT_KEYS
    assert data["period"] == {"since": None, "until": None, "from": "2026-02-01", "to": "2026-03-10"}
    assert data["course"]["sessions_total"] == 4 and data["course"]["routes"] == {"iv": 4}
    assert data["course"]["days_since_last_session"] == 27
    phq9 = data["instruments"]["phq9"]
    assert set(phq9) == {
        "baseline",
        "baseline_at",
        "latest",
        "latest_at",
        "change",
        "change_pct",
        "severity",
        "improved",
        "worsened",
        "response",
        "remission",
        "count",
        "difficulty",
        "incomplete",
        "latest_prorated",
        "baseline_kind",
        "comparison",
        "some_improvement",
    }
    assert (phq9["baseline_kind"], phq9["comparison"], phq9["some_improvement"]) == ("pre_treatment", "compared", True)
    assert (phq9["baseline"], phq9["latest"], phq9["change"], phq9["response"]) == (18, 8, -10, True)
    assert set(data["ratings"]) == {"mood", "anxiety", "pain", "energy", "motivation", "sleep", "thoughts"}
    assert data["ratings"]["mood"] == {
        "baseline": 3.33,
        "recent": 6.0,
        "change": 2.67,
        "status": "better",
        "baseline_kind": "pre_treatment",
        "recent_checkins": 14,
        "baseline_source": "ketalog",
    }
    assert data["course"]["number"] == 1 and data["course"]["phase"] == "maintenance"
    assert data["course"]["started"].startswith("2026-02-04") and data["course"]["sessions_in_course"] == 4
    durability = data["durability"]
    # no check-in between the first three sessions: no_data, never counted (they were "censored" before)
    assert (durability["km_median_days"], durability["events"], durability["censored"], durability["no_data"]) == (
        None,
        0,
        1,
        3,
    )
    assert durability["at_least_days"] == 26 and durability["sessions"][-1]["until"] == "last_checkin"
    assert durability["last_session_days_ago"] == 27 and durability["sessions"][-1]["days"] == 26
    assert {s["id"] for s in data["signs"]} >= {"mood_lifting", "anxiety_easing", "phq9_improved", "phq9_response"}
    assert {f["id"] for f in data["flags"]} == {"blood_pressure", "recurring_side_effect"}
    assert data["side_effects"] == {"nausea": 2}
    assert set(data["sessions"][0]) == {
        "duration_min",
        "therapy",
        "cost",
        "intention",
        "reflection",
        "id",
        "at",
        "route",
        "drug",
        "product",
        "dose",
        "doses",
        "vitals",
        "dissociation",
        "side_effects",
        "bp_before",
        "bp_after",
    }
    assert data["sessions"][0]["bp_after"] == "164/96" and data["sessions"][3]["dose"] == "0.75 mg/kg"
    assert data["journal"] == [{"at": "2026-02-20T21:00+00:00", "text": "Felt the fog lift a little."}]
    assert data["safety"] == {
        "item9": [{"at": "2026-02-03T09:00+00:00", "answer": 0}, {"at": "2026-02-25T09:00+00:00", "answer": 0}],
        "last_positive": None,
        "unanswered": [],
        "not_known": [],
        "crisis_resources": None,
    }


def test_progress_json_is_the_same_model(cli, journey):
    assert json.loads(cli("progress", "--json").stdout) == json.loads(cli("report", "--format", "json").stdout)


def test_private_leaves_the_journal_out(cli, journey):
    data = json.loads(cli("report", "--format", "json", "--private").stdout)
    assert data["journal"] == []
    for fmt in ("text", "markdown", "html"):
        assert "fog lift" not in cli("report", "--format", fmt, "--private").stdout


def test_period_limits(cli, journey):
    data = json.loads(cli("report", "--format", "json", "--since", "2026-02-10", "--until", "2026-02-20").stdout)
    assert data["course"]["sessions_in_period"] == 1 and data["course"]["sessions_total"] == 4
    assert data["period"]["since"].startswith("2026-02-10") and data["period"]["until"].startswith("2026-02-21")
    assert "--since" in cli("report", "--since", "2026-02-20", "--until", "2026-02-10", expect=2).stderr


def test_the_four_renderings_agree_with_the_model(cli, journey):
    data = json.loads(cli("report", "--format", "json").stdout)
    outputs = {fmt: cli("report", "--format", fmt).stdout for fmt in ("text", "markdown", "html")}
    for fmt, text in outputs.items():
        flat = " ".join(text.split()).replace("&#x27;", "'").replace("&quot;", '"')
        for finding in data["signs"] + data["flags"]:
            assert finding["title"] in flat, (fmt, finding["title"])
        assert "PHQ-9" in flat and "18" in flat and "-10 (-56%)" in flat, fmt
        assert "164/96" in flat and "0.75 mg/kg" in flat, fmt
        assert "Felt the fog lift a little." in flat, fmt
        assert "not medical advice" in flat, fmt


def test_output_file_is_private(cli, journey, tmp_path):
    target = tmp_path / "report.html"
    assert "written" in cli("report", "--format", "html", "--output", str(target)).stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    html = target.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<script" not in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_safety_notice_leads_every_format(cli):
    cli("survey", "phq9", "--answers", "1,1,1,1,1,1,1,1,1")
    mark = "If you are in immediate danger, call your local emergency number."
    for fmt in ("text", "markdown", "html"):
        out = cli("report", "--format", fmt).stdout
        assert mark in out
        assert out.index(mark) < out.index("Course")
    data = json.loads(cli("progress", "--json").stdout)
    assert data["flags"][0]["id"] == "safety"
    assert mark in cli("progress").stdout


def test_empty_database_reports_honestly(cli, db_path):
    out = cli("report").stdout
    assert "No treatment sessions logged yet" in out and "Not enough data to judge yet" in out
    assert not db_path.exists()
    assert "Nothing to show yet" in cli("trends").stdout


def test_trends_by_week_month_and_session(cli, journey):
    weeks = json.loads(cli("trends", "--json").stdout)
    assert [w["period"] for w in weeks][:2] == ["2026-01-26", "2026-02-02"]  # Mondays
    # 2026-02-01 is a Sunday: it belongs to the week of Monday 26 January
    assert weeks[0]["ratings"]["mood"] == 3.0 and weeks[0]["checkins"] == 1
    assert weeks[1]["ratings"]["mood"] == 3.5 and weeks[1]["checkins"] == 2
    months = json.loads(cli("trends", "--by", "month", "--json").stdout)
    assert [m["period"] for m in months] == ["2026-02", "2026-03"] and months[0]["instruments"]["phq9"] == 13.0
    sessions = json.loads(cli("trends", "--by", "session", "--json").stdout)
    assert len(sessions) == 4 and sessions[-1]["mood_lifted_days"] == 26 and sessions[-1]["durability"] == "censored"
    assert [s["durability"] for s in sessions[:3]] == ["no_data"] * 3
    assert sessions[-1]["ratings"]["mood"] == 6.0
    for by in ("week", "month", "session"):
        assert "Trend, oldest to newest" in cli("trends", "--by", by).stdout
    assert "--by" in cli("trends", "--by", "year", expect=2).stderr


def test_demo_writes_a_throwaway_journey_with_signs(cli, db_path):
    out = cli("demo").stdout
    assert "Signs of progress" in out and "PHQ-9: score halved or better" in out
    # the demo's mood rose and came back: one statement, carried by the flag, and never "lifting" beside it
    assert "Mood has drifted back towards where it started" in out and "Your mood is lifting" not in out
    assert not db_path.exists()  # the user's database was never touched
    assert out.splitlines()[1] == "DEMO DATA: a made-up 8-week journey, not a real person's record."
    assert out.rstrip().endswith(
        "Next step: start your own diary with `ketalog checkin` (20 seconds), or `ketalog add` after a session."
    )


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_the_demo_report_says_it_is_demo_data_in_every_format(cli, fmt):
    result = cli("demo", "--format", fmt)
    assert "DEMO DATA: a made-up 8-week journey" in result.stdout
    assert "Next step" not in result.stdout and "`ketalog checkin`" in result.stderr  # the file stays the report


def test_demo_keeps_data_only_in_a_new_file(cli, tmp_path):
    target = tmp_path / "demo.db"
    data = json.loads(cli("demo", "--db", str(target), "--format", "json").stdout)
    assert data["course"]["sessions_total"] == 7 and len(data["signs"]) >= 5
    # the journey shows how long mood stays up after sessions, and mood drifting back at the end
    assert data["durability"]["events"] >= 2 and data["durability"]["km_median_days"] >= 10
    assert "mood_returning" in {f["id"] for f in data["flags"]}
    assert count(target, "checkins") == 56 and count(target, "surveys") == 10
    assert "already exists" in cli("demo", "--db", str(target), expect=2).stderr


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(_chromium() is None, reason="no headless browser installed")
def test_html_report_prints_in_a_real_browser(cli, tmp_path):
    """Print the demo month's HTML report to PDF in headless Chromium: one page, charts drawn, no network."""
    html = tmp_path / "report.html"
    cli("demo", "--db", str(tmp_path / "demo.db"), "--format", "html")
    cli("--db", str(tmp_path / "demo.db"), "report", "--since", "2026-02-10", "--paper", "letter", "-o", str(html))
    pdf, png = tmp_path / "report.pdf", tmp_path / "report.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    for extra in (
        [f"--print-to-pdf={pdf}", "--no-pdf-header-footer"],
        [f"--screenshot={png}", "--window-size=1000,1600"],
    ):
        subprocess.run(
            [_chromium(), *flags, *extra, html.as_uri()],
            capture_output=True,
            timeout=120,
            env={**os.environ, "HOME": str(tmp_path)},
        )
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    pages = pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages")
    assert pages == 1
    assert png.exists() and png.stat().st_size > 20_000  # a drawn page, not a blank one


@pytest.mark.skipif(_chromium() is None, reason="no headless browser installed")
def test_the_html_report_reads_on_a_phone_without_sideways_scrolling(cli, tmp_path):
    """390 px wide: tables scroll inside their own box, the page never scrolls sideways."""
    report = tmp_path / "r.html"
    cli("demo", "-o", str(report))
    probe = tmp_path / "probe.html"
    probe.write_text(  # a test-only frame that measures the report: the report itself carries no script
        '<html><body style="margin:0"><iframe id="f" src="r.html" style="width:390px;height:3000px;border:0">'
        "</iframe><script>f.onload=()=>{const d=f.contentDocument.documentElement;"
        'document.title="W"+d.scrollWidth+"x"+d.clientWidth;}</script></body></html>'
    )
    result = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--allow-file-access-from-files",
            "--virtual-time-budget=3000",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    found = re.search(r"<title>W(\d+)x(\d+)</title>", result.stdout)
    assert found, result.stdout[-500:]
    assert int(found.group(1)) <= int(found.group(2)) <= 390
    assert '<div class="scroll"><table>' in report.read_text()


@pytest.mark.parametrize(
    "name, expected",
    [
        ("visit.md", "# ketalog"),
        ("visit.html", "<!DOCTYPE html>"),
        ("visit.json", '"generated_at"'),
        ("v.txt", "Course"),
    ],
)
def test_the_output_extension_picks_the_format(cli, journey, tmp_path, name, expected):
    target = tmp_path / name
    cli("report", "-o", str(target))
    assert target.read_text().lstrip().startswith(expected) or expected in target.read_text()


def test_an_extension_that_contradicts_format_is_refused(cli, journey, tmp_path):
    error = cli("report", "-o", str(tmp_path / "v.md"), "--format", "html", expect=2).stderr
    assert "--output: v.md says markdown but --format is html" in error
    assert not (tmp_path / "v.md").exists()
    assert "a PDF goes to a file" in cli("report", "--format", "pdf", expect=2).stderr


def test_the_header_names_the_person_only_when_set_and_the_page_has_a_size(cli, journey, monkeypatch):
    html = cli("report", "--format", "html").stdout
    assert 'class="who"' not in html and '<meta name="viewport"' in html
    cli("config", "set", "name", "Alex <Doe>")
    cli("config", "set", "clinic", "Calm Clinic")
    html = cli("report", "--format", "html", "--paper", "letter").stdout
    assert "For Alex &lt;Doe&gt; · Calm Clinic." in html and "size: letter" in html
    assert "For Alex \\<Doe\\> · Calm Clinic." in cli("report", "--format", "markdown").stdout
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    cli("config", "unset", "paper")
    assert "size: A4" in cli("report", "--format", "html").stdout
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert "size: letter" in cli("report", "--format", "html").stdout


def test_mean_ratings_have_one_decimal_everywhere(cli, journey):
    markdown = cli("report", "--format", "markdown").stdout
    rows = [line for line in markdown.splitlines() if line.startswith("| Mood |")]
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert all(len(value.split(".")[-1]) == 1 for value in cells[1:4] if value != "—")


def _pdf_pages(path):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(path))
    return len(reader.pages), reader.pages[0].extract_text(), reader.pages[0].mediabox


@pytest.mark.parametrize("paper, width", [("letter", 612), ("a4", 595)])
def test_pdf_of_the_demo_month_is_one_page_in_letter_and_a4(cli, tmp_path, paper, width):
    pytest.importorskip("weasyprint")
    demo = tmp_path / "demo.db"
    cli("demo", "--db", str(demo), "--format", "json")
    target = tmp_path / "visit.pdf"
    cli("--db", str(demo), "report", "--since", "2026-02-10", "-o", str(target), "--paper", paper)
    pages, text, box = _pdf_pages(target)
    assert pages == 1 and round(float(box.width)) == width
    assert "To discuss with your provider" in text and text.index("To discuss") < text.index("Questionnaires")


def test_without_the_pdf_extra_one_line_names_it(cli, journey, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    error = cli("report", "-o", str(tmp_path / "v.pdf"), expect=1).stderr
    assert "pip install 'ketalog[pdf]'" in error and "--format html" in error and len(error.splitlines()) == 1
    assert not (tmp_path / "v.pdf").exists()


def test_a_history_that_ends_before_the_baseline_window_says_why_there_is_no_baseline(cli):
    """Another app's history often stops weeks before treatment: the report says why it is not the baseline."""
    for day in ("2026-01-10", "2026-01-12", "2026-01-15"):
        cli("checkin", "--mood", "3", "--at", day)
    cli("add", "--route", "iv", "--at", "2026-03-01 10:00")
    note = "a baseline is the 14 days before the course began (2026-03-01), and the last check-in before it was"
    for fmt in ("text", "markdown", "html"):
        out = " ".join(cli("report", "--format", fmt).stdout.split())
        assert f"No pre-treatment baseline: {note} on 2026-01-15, 45 days earlier." in out, fmt
    assert json.loads(cli("report", "--format", "json").stdout)["course"]["checkin_before_start"].startswith(
        "2026-01-15"
    )
    cli("checkin", "--mood", "3", "--at", "2026-02-20")  # now inside the window: no such note
    assert "No pre-treatment baseline" not in cli("report").stdout


@pytest.mark.parametrize("paper, width", [("letter", 612), ("a4", 595)])
def test_the_whole_demo_journey_is_one_pdf_page_in_letter_and_a4(cli, tmp_path, paper, width):
    """`ketalog demo`: 7 sessions, 8 weeks of check-ins, 5 PHQ-9 and 5 GAD-7, 3 journal notes, 2 reflections,
    a follow-up and a liver panel."""
    pytest.importorskip("weasyprint")
    demo = tmp_path / "demo.db"
    cli("demo", "--db", str(demo), "--format", "json")
    target = tmp_path / "visit.pdf"
    cli("--db", str(demo), "report", "-o", str(target), "--paper", paper)
    pages, text, box = _pdf_pages(target)
    assert pages == 1 and round(float(box.width)) == width
    assert "From your journal" in text and "Sessions" in text


def test_a_long_period_flows_to_more_pages_with_the_table_header_repeated(cli, tmp_path):
    """The demo's full page, and thirteen sessions more: the sessions table breaks across the page (rows
    whole) and its header is printed again on the next."""
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    demo = tmp_path / "demo.db"
    cli("demo", "--db", str(demo), "--format", "json")
    for day in range(13):
        cli(
            "--db",
            str(demo),
            "add",
            "--route",
            "iv",
            "--at",
            f"2026-03-{1 + day // 2:02d} {10 + 4 * (day % 2)}:00",
            "--bp-before",
            "120/80",
            "--side-effect",
            "nausea",
            "--intention",
            "stay with whatever comes up, and notice it without judging",
        )
    target = tmp_path / "long.pdf"
    cli("--db", str(demo), "report", "-o", str(target), "--paper", "a4")
    reader = pypdf.PdfReader(str(target))
    assert len(reader.pages) >= 2
    later = "\n".join(page.extract_text() for page in reader.pages[1:])
    if "2026-03-0" in later.split("From your journal")[0]:  # the table continues there: its header came along
        assert "Intention" in later and "Route" in later


def test_a_long_period_prints_its_latest_sessions_and_counts_them_all(cli):
    """25 sessions: the page prints the latest 20 and says how many there were; its counts, dose history
    and raised-reading flag read all 25 (the first session's reading included); the JSON lists all 25."""
    for day in range(1, 26):
        bp = ["--bp", "150/95@pre"] if day == 1 else []
        dose = "0.5mg/kg" if day <= 5 else "0.75mg/kg"
        cli("add", "--at", f"2026-02-{day:02d} 10:00", "--route", "iv", "--dose", dose, *bp,
            "--side-effect", "nausea", "--no-input")  # fmt: skip
    page = cli("report", "--format", "markdown").stdout
    assert "The 20 most recent of 25 sessions in this period" in page
    assert "Sessions: 25 in this period, 25 in all" in page
    assert "0.5 mg/kg iv ×5 → 0.75 mg/kg iv ×20" in page
    assert "2026-02-01 before dosing 150/95" in page
    data = json.loads(cli("report", "--format", "json").stdout)
    assert len(data["sessions"]) == 25 and data["side_effects"] == {"nausea": 25}
    assert data["course"]["dose_history"] == [["0.5 mg/kg iv", 5], ["0.75 mg/kg iv", 20]]
