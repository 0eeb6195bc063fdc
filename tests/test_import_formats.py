"""Other apps' exports as they are, and re-imports that never lose an edit or duplicate a day (issue 13).

Synthetic fixtures reproduce each quirk of the real files in ../shared/fixtures/real (never copied here);
the real files themselves are read by the last tests, skipped where ../shared is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import rows
from hypothesis import given
from hypothesis import strategies as st

HEADER_2021 = "full_date,date,weekday,time,mood,activities,note_title,note\n"
HEADER_7 = "full_date,date,weekday,time,mood,activities,note\n"
REAL = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real"


def write(tmp_path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


# Data-loss bugs -----------------------------------------------------------------------------------------


def test_bug_1_re_import_never_overwrites_an_edit_made_in_ketalog(cli, tmp_path, db_path):
    path = write(tmp_path, "d.csv", HEADER_2021 + "2026-03-02,March 2,Monday,20:00,good,walk,,fine\n")
    cli("import", path)
    entry = cli.json("list")[0]
    assert entry["created_at"] == entry["updated_at"] == "2026-03-02T20:00:00Z"  # the entry's own time
    cli("edit", entry["id"][:8], "--mood", "3")
    for extra in ([], ["--dry-run"]):
        result = cli("import", path, *extra)
        assert "Kept 1 of your edits" in result.stdout
    assert rows(db_path, "SELECT mood FROM checkins") == [(3,)]
    data = cli.json("import", path)
    assert data["kept_edits"] == {"checkins": 1} and data["added"] == {}


def test_bug_2_a_newer_export_with_renamed_activities_updates_instead_of_duplicating(cli, tmp_path, db_path):
    old = write(
        tmp_path,
        "2021.csv",
        HEADER_2021 + "2021-06-30,June 30,Wednesday,9:39 PM,good,> 15 mins on Instagram ,,\n"
        "2021-06-29,June 29,Tuesday,9:00 PM,meh,work,,only in the old file\n",
    )
    new = write(
        tmp_path,
        "2024.csv",
        HEADER_2021 + "2024-09-01,Sep 1,Sunday,8:00 AM,rad,walk,,\n"
        "2021-06-30,June 30,Wednesday,21:39,good,< 15 mins on Instagram,,\n",
    )
    cli("import", old)
    result = cli("import", new)
    assert "Updated: 1 checkins (changed in daylio since)" in result.stdout
    assert rows(db_path, "SELECT count(*) FROM checkins") == [(3,)]  # 2024's two, plus the one only 2021 had
    tags = rows(
        db_path,
        "SELECT tag FROM checkin_tags JOIN checkins ON checkins.id = checkin_id WHERE local_date = '2021-06-30'",
    )
    assert tags == [("< 15 mins on Instagram",)]


def test_bug_3_two_entries_in_the_same_minute_are_both_kept(cli, tmp_path, db_path):
    path = write(
        tmp_path,
        "d.csv",
        HEADER_2021 + "2026-03-02,March 2,Monday,20:00,good,,,\n2026-03-02,March 2,Monday,20:00,awful,,,\n",
    )
    result = cli("import", path)
    assert "Added: 2 checkins" in result.stdout and "Already here" not in result.stdout
    assert sorted(r[0] for r in rows(db_path, "SELECT mood FROM checkins")) == [0, 8]
    assert "Already here: 2 checkins" in cli("import", path).stdout  # and a re-import adds nothing


def test_an_exact_copy_of_a_row_is_imported_once_and_said(cli, tmp_path, db_path):
    line = "2023-08-22,August 22,Tuesday,21:10,good,walk,,same\n"
    result = cli("import", write(tmp_path, "d.csv", HEADER_2021 + line + line))
    assert "an exact copy of line 2; imported once" in result.stdout
    assert rows(db_path, "SELECT count(*) FROM checkins") == [(1,)]


def test_entries_imported_with_the_old_content_ids_are_not_duplicated(cli, tmp_path, db_path):
    import sqlite3

    path = write(tmp_path, "d.csv", HEADER_2021 + "2026-03-02,March 2,Monday,20:00,good,walk,,\n")
    cli("import", path)
    with sqlite3.connect(db_path) as conn:  # as an import before version 0.2 stored it: a content-based id
        conn.execute("UPDATE checkins SET id = 'aa' || substr(id, 3)")
        conn.execute("UPDATE checkin_tags SET checkin_id = 'aa' || substr(checkin_id, 3)")
    assert "Already here: 1 checkins" in cli("import", path).stdout
    assert rows(db_path, "SELECT count(*) FROM checkins") == [(1,)]


def test_bug_4_emoods_zero_sleep_and_zero_therapy_are_not_logged(cli, tmp_path, db_path):
    header = (
        "ID,DATE (YYYY-MM-DD),IRRITABILITY,ANXIETY,DEPRESSED,ELEVATED,SLEEP,PSYCHOTIC SYMPTOMS,NOTE,THERAPY,"
        "MENSTRUAL CYCLE,WEIGHT\n"
    )
    path = write(
        tmp_path, "entry.csv", header + "1,2026-03-01,0,2,3,0,0.0,0,,0,0,0.0\n2,2026-03-02,0,2,3,0,7.5,0,fine,1,0,0.0\n"
    )
    cli("import", path)
    stored = rows(db_path, "SELECT local_date, sleep_hours, note FROM checkins ORDER BY local_date")
    assert stored == [("2026-03-01", None, None), ("2026-03-02", 7.5, "fine\neMoods: therapy 1")]


# Daylio layouts as they are in the wild ----------------------------------------------------------------------


def test_the_seven_column_layout_with_lowercase_12_hour_times_and_a_bom(cli, tmp_path, db_path):
    text = HEADER_7 + "2020-02-28,February 28,Friday,2:14 pm,good,work | gym,a note\n"
    data = cli.json("import", write(tmp_path, "d.csv", text, encoding="utf-8-sig"))
    assert data["added"] == {"checkins": 1, "checkin_tags": 2} and "7-column" in data["mapping"][0]
    assert rows(db_path, "SELECT at, mood, note FROM checkins") == [("2020-02-28T14:14:00Z", 8, "a note")]


def test_a_file_without_its_header_line_is_recognised_by_shape(cli, tmp_path, db_path):
    # the BOM sits in front of the first data row; 24 h time without a leading zero; Spanish display dates
    text = "2021-10-16,16 de octubre,sábado,9:03,good,,\r\n2021-10-15,15 de octubre,viernes,21:40,bad,,\r\n"
    data = cli.json("import", write(tmp_path, "d.csv", text, encoding="utf-8-sig"))
    assert data["added"] == {"checkins": 2} and "no header line" in data["mapping"][0]
    assert rows(db_path, "SELECT at FROM checkins ORDER BY at") == [
        ("2021-10-15T21:40:00Z",),
        ("2021-10-16T09:03:00Z",),
    ]


def test_double_cr_line_endings_and_a_missing_last_column(cli, tmp_path, db_path):
    text = (
        HEADER_2021.replace("\n", "\r\r\n") + "2024-08-06,Aug 6,Tuesday,20:00,rad,,,\r\r\n"
        "2024-08-05,Aug 5,Monday,20:00,meh,walk,\r\r\n"
    )
    data = cli.json("import", write(tmp_path, "d.csv", text))
    assert data["added"]["checkins"] == 2
    # "\r\r\n" is one line break (a tool added a carriage return to each line): the short row is line 3
    assert data["warnings"] == ["line 3: the last column (note) is missing; kept as empty"]


def test_unknown_moods_list_every_label_with_a_map_to_fill_in(cli, tmp_path, db_path):
    text = HEADER_2021 + "".join(f"2026-03-0{d},,,20:00,{m},,,\n" for d, m in ((1, "okay"), (2, "Solid"), (3, "okay")))
    error = cli("import", write(tmp_path, "d.csv", text), "--no-input", expect=2).stderr
    assert "'okay' (2 entries, first on line 2)" in error and "'Solid' (1 entry, first on line 3)" in error
    assert '--mood-map "okay=?,Solid=?"' in error and not db_path.exists()


def test_daylios_polish_default_moods_need_no_map(cli, tmp_path, db_path):
    text = HEADER_2021 + "2026-03-01,,,20:00,wspaniale,,,\n2026-03-02,,,20:00,tak sobie,,,\n2026-03-03,,,20:00,źle,,,\n"
    cli("import", write(tmp_path, "d.csv", text))
    assert sorted(r[0] for r in rows(db_path, "SELECT mood FROM checkins")) == [2, 5, 10]


@pytest.mark.parametrize(
    "header, advice",
    [
        ("full_date,weekday,time,mood", "export it again from Daylio"),
        ("full_date,date,weekday,time,sub_mood,activities,mood", "export it again from Daylio"),
    ],
)
def test_a_header_edited_away_from_any_daylio_layout_is_refused_clearly(cli, tmp_path, header, advice):
    error = cli("import", write(tmp_path, "d.csv", header + "\n2026-03-01,Sunday,20:00,good\n"), expect=2).stderr
    assert advice in error and "line 1" in error and error.count("\n") == 1


# The real files (read from ../shared, never copied) ------------------------------------------------------------

needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/fixtures/real is not beside the repository")
EDITED = {"jaromantuka-trimmed-4col.csv", "kbstn-edited-header.csv"}  # their authors changed the header


def _mood_map_from(error: str) -> str:
    found = re.search(r'--mood-map "([^"]*)"', error)
    return found.group(1).replace("?", "3") if found else ""


@needs_real
@pytest.mark.parametrize("name", sorted(p.name for p in (REAL / "daylio").glob("*.csv")) if REAL.exists() else [])
def test_every_real_daylio_export_imports(cli, name):
    path = str(REAL / "daylio" / name)
    first = cli("import", path, "--dry-run", "--no-input", expect=None)
    if name in EDITED:
        assert first.exit_code == 2 and "export it again from Daylio" in first.stderr
        return
    if first.exit_code == 2:
        mood_map = _mood_map_from(first.stderr)
        assert mood_map, first.stderr
        first = cli("import", path, "--dry-run", "--no-input", "--mood-map", mood_map)
    assert first.exit_code == 0 and "Would add" in first.stdout


@needs_real
def test_real_emoods_files_import(cli):
    for path in (REAL / "emoods").iterdir():
        data = cli.json("import", str(path), "--dry-run")
        assert data["added"]["checkins"] == 21


@needs_real
def test_an_older_and_a_newer_real_export_give_the_newer_plus_what_only_the_older_had(cli, tmp_path):
    mood_map = "okay=3,Solid=4,almost Rad=5"
    old, new = (str(REAL / "daylio" / f"donnydew-{d}.csv") for d in ("2021-06-30", "2024-09-01"))
    both, alone = tmp_path / "both.db", tmp_path / "alone.db"
    cli("--db", str(both), "import", old, "--mood-map", mood_map)
    cli("--db", str(both), "import", new, "--mood-map", mood_map)
    cli("--db", str(alone), "import", new, "--mood-map", mood_map)
    query = "SELECT id, at, mood, note FROM checkins"
    assert set(rows(both, query)) == set(rows(alone, query))
    tags = "SELECT checkin_id, tag FROM checkin_tags"
    assert set(rows(both, tags)) == set(rows(alone, tags))


def test_unknown_moods_are_asked_once_in_a_terminal_and_remembered(tmp_path, db_path):
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys

    text = HEADER_2021 + "2026-03-01,,,20:00,okay,,,\n2026-03-02,,,20:00,Solid,,,\n2026-03-03,,,20:00,okay,,,\n"
    path = write(tmp_path, "d.csv", text)
    child = pexpect.spawn(
        sys.executable, ["-m", "ketalog", "import", path], env=os.environ.copy(), encoding="utf-8", timeout=30
    )
    child.expect("1 = awful")
    child.expect(r"'okay' \(2 entries\)")
    child.sendline("7")
    child.expect("1 to 5")
    child.sendline("3")
    child.expect(r"'Solid' \(1 entry\)")
    child.sendline("4")
    child.expect("Added: 3 checkins")
    child.expect(pexpect.EOF)
    assert sorted(r[0] for r in rows(db_path, "SELECT mood FROM checkins")) == [5, 5, 8]
    assert rows(db_path, "SELECT source, label, level FROM mood_labels ORDER BY label") == [
        ("daylio", "okay", 3),
        ("daylio", "solid", 4),
    ]
    # the next export imports without asking, even with --no-input
    later = write(tmp_path, "later.csv", text + "2026-03-04,,,20:00,Solid,,,\n")
    from helpers import run_ketalog

    result = run_ketalog("import", later, "--no-input")
    assert result.returncode == 0 and "Added: 1 checkins" in result.stdout


def test_a_mood_map_given_once_is_remembered(cli, tmp_path, db_path):
    text = HEADER_2021 + "2026-03-01,,,20:00,grand,,,\n"
    cli("import", write(tmp_path, "a.csv", text), "--mood-map", "grand=4")
    cli("import", write(tmp_path, "b.csv", text + "2026-03-02,,,20:00,grand,,,\n"), "--no-input")
    assert rows(db_path, "SELECT mood FROM checkins") == [(8,), (8,)]
    assert json.loads(cli("export").stdout)["tables"]["mood_labels"] == [
        {"source": "daylio", "label": "grand", "level": 4}
    ]


# Daylio's own backup and Pixels -----------------------------------------------------------------------------

BACKUP = {
    "version": 15,
    "customMoods": [
        {"id": 1, "custom_name": "", "mood_group_id": 1},
        {"id": 21, "custom_name": "normal perfecto", "mood_group_id": 2},
        {"id": 5, "custom_name": "", "mood_group_id": 5},
    ],
    "tags": [{"id": 1151, "name": "doing what I love"}, {"id": 7, "name": "walk"}],
    "dayEntries": [
        {
            "id": 2,
            "minute": 5,
            "hour": 21,
            "day": 31,
            "month": 0,
            "year": 2026,
            "datetime": 1769893500000,
            "timeZoneOffset": 3600000,
            "mood": 21,
            "note": "<b>ok</b> day<br><ul><li>one</li><li>two &amp; three</li></ul>",
            "note_title": "",
            "tags": [1151, 7],
        },
        {
            "id": 1,
            "minute": 0,
            "hour": 8,
            "day": 1,
            "month": 1,
            "year": 2026,
            "datetime": 1769929200000,
            "timeZoneOffset": 3600000,
            "mood": 5,
            "note": "",
            "note_title": "",
            "tags": [],
        },
    ],
}


def _daylio_backup(tmp_path, data=BACKUP) -> str:
    import base64
    import json
    import zipfile

    path = tmp_path / "backup_2026_02_01.daylio"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("backup.daylio", base64.b64encode(json.dumps(data).encode()).decode())
        archive.writestr("assets/photo.jpg", b"\xff\xd8")
    return str(path)


def test_a_daylio_backup_imports_with_custom_moods_0_based_months_and_html_notes(cli, tmp_path, db_path):
    data = cli.json("import", _daylio_backup(tmp_path))
    assert data["source"] == "daylio" and data["added"] == {"checkins": 2, "checkin_tags": 2}
    stored = rows(db_path, "SELECT at, utc_offset, local_date, mood, note FROM checkins ORDER BY at")
    assert stored == [
        ("2026-01-31T20:05:00Z", 60, "2026-01-31", 8, "ok day\n- one\n- two & three"),  # month 0 = January
        ("2026-02-01T07:00:00Z", 60, "2026-02-01", 0, None),
    ]
    assert sorted(r[0] for r in rows(db_path, "SELECT tag FROM checkin_tags")) == ["doing what I love", "walk"]
    assert "Already here: 2 checkins" in cli("import", _daylio_backup(tmp_path)).stdout


def test_a_decoded_daylio_backup_json_imports_too(cli, tmp_path):
    import json

    path = tmp_path / "backup.json"
    path.write_text(json.dumps(BACKUP))
    assert cli.json("import", str(path))["added"]["checkins"] == 2


@pytest.mark.parametrize(
    "pixels, moods, tags",
    [
        (
            [
                {"date": "2019-01-02", "mood": 4, "emotions": ["joy"], "notes": "nice"},
                {"date": "2019-01-01", "mood": 1, "emotions": [], "notes": ""},
            ],
            [0, 8],
            ["joy"],
        ),
        (
            [
                {
                    "date": "2024-05-01",
                    "type": "Mood",
                    "scores": [2, 4],
                    "notes": "",
                    "tags": [{"type": "Emotions", "entries": ["calm", "tired"]}],
                    "isHighlighted": False,
                }
            ],
            [5],
            ["calm", "tired"],
        ),
        (  # a current backup: dates unpadded, up to four scores a day, multi-line notes, no isHighlighted
            [
                {"date": "2021-1-1", "type": "Mood", "scores": [5, 4, 5, 5], "notes": "one\ntwo", "tags": []},
                {"date": "2021-12-9", "type": "Mood", "scores": [1], "notes": "", "tags": []},
            ],
            [0, 9],  # the day's mean, 4.75 of 5, on 0-10 (the import summary says the mean is used)
            [],
        ),
    ],
)
def test_pixels_old_and_new_layouts(cli, tmp_path, db_path, pixels, moods, tags):
    import json

    path = tmp_path / "PIXELS-BACKUP.json"
    path.write_text(json.dumps(pixels))
    assert cli.json("import", str(path))["source"] == "pixels"
    assert sorted(r[0] for r in rows(db_path, "SELECT mood FROM checkins")) == moods
    assert sorted(r[0] for r in rows(db_path, "SELECT tag FROM checkin_tags")) == tags
    assert all(len(day) == 10 for (day,) in rows(db_path, "SELECT local_date FROM checkins"))


def test_a_pixels_date_that_is_no_date_is_one_line_naming_the_item(cli, tmp_path, db_path):
    import json

    path = tmp_path / "PIXELS-BACKUP.json"
    path.write_text(json.dumps([{"date": "2021-2-30", "scores": [3]}]))
    error = cli("import", str(path), expect=2).stderr
    assert "item 1" in error and "'2021-2-30' is not a date" in error and error.count("\n") == 1
    assert not db_path.exists()


@needs_real
def test_the_real_daylio_backup_and_pixels_files_import(cli):
    backup = cli.json("import", str(next((REAL / "daylio-backup").glob("*.json"))), "--dry-run")
    assert backup["added"]["checkins"] == 500
    pixels = cli.json("import", str(next((REAL / "pixels").glob("*.json"))), "--dry-run")
    assert pixels["added"]["checkins"] == 363


def test_after_importing_only_old_data_trends_show_the_latest_months_there_are(cli, tmp_path):
    text = HEADER_2021 + "".join(f"2019-0{m},,,20:00,good,,,\n" for m in ("5-01", "5-08", "6-01"))
    cli("import", write(tmp_path, "old.csv", text))
    out = cli("trends", "--by", "month").stdout
    assert "Nothing to show yet" not in out and "2019-05" in out and "2019-06" in out
    assert "most recent data, 2017-07 to 2019-06" in " ".join(out.split())
    assert "Nothing to show yet" in cli("--db", str(tmp_path / "empty.db"), "trends").stdout


@pytest.mark.parametrize(
    "shown, expected",
    [
        ("June 22", "2018-06-22"),
        ("7 września", "2018-09-07"),
        ("16 de octubre", "2018-10-16"),
        ("22. Juni", "2018-06-22"),
        ("3 juin", "2018-06-03"),
        ("12 марта", "2018-03-12"),
        ("5 de março", "2018-03-05"),
        ("Sep 7", "2018-09-07"),
    ],
)
def test_the_2018_layout_reads_month_names_in_daylios_languages(cli, tmp_path, db_path, shown, expected):
    text = f"year,date,weekday,time,mood,activities,note\n2018,{shown},x,20:00,good,,\n"
    cli("import", write(tmp_path, "d.csv", text))
    assert rows(db_path, "SELECT local_date FROM checkins") == [(expected,)]


def test_an_unreadable_2018_date_names_the_line(cli, tmp_path):
    text = "year,date,weekday,time,mood,activities,note\n2018,Smarch 3,x,20:00,good,,\n"
    error = cli("import", write(tmp_path, "d.csv", text), expect=2).stderr
    assert "line 2: date '2018 Smarch 3' is not a valid date" in error


def test_a_big_import_shows_a_progress_bar_on_a_terminal_and_nothing_when_piped(cli, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys

    text = HEADER_2021 + "".join(
        f"2026-0{1 + i // 600}-{1 + i % 28:02d},,,{i % 24:02d}:{i % 60:02d},good,,,\n" for i in range(1200)
    )
    path = write(tmp_path, "big.csv", text)
    child = pexpect.spawn(
        sys.executable, ["-m", "ketalog", "import", path], env=os.environ.copy(), encoding="utf-8", timeout=60
    )
    child.expect("Importing")
    child.expect("Added: 1200 checkins")
    child.expect(pexpect.EOF)
    piped = cli("import", path, "--dry-run")
    assert "Importing" not in piped.output and "━" not in piped.output


def test_bearable_long_rows_become_one_check_in_per_day_and_block(cli, tmp_path, db_path):
    text = (
        "date,weekday,time of day,category,rating/amount,detail,notes\n"
        '"22nd Sep 2020","Tuesday","09:53","Mood","10","Anxious | Hopeful","exam soon"\n'
        '"22nd Sep 2020","Tuesday","am","Energy","3","OK",""\n'
        '"22nd Sep 2020","Tuesday","am","Symptom","1","Anxiety (Mild)",""\n'
        '"22nd Sep 2020","Tuesday","am","Meds/Supplements","100","Clomipramine (mg)",""\n'
        '"22nd Sep 2020","Tuesday","all day","Sleep","7:15","Asleep 02:45 - 12:30",""\n'
        '"22nd Sep 2020","Tuesday","all day","Sleep quality","2","Poor",""\n'
        '"22nd Sep 2020","Tuesday","","Sleep","","",". (synced)"\n'
        '"23rd Sep 2020","Wednesday","pm","Food Diary","","Meals: soup",""\n'
    )
    data = cli.json("import", write(tmp_path, "bearable.csv", text))
    assert data["source"] == "bearable" and data["skipped"] == ["1 Food Diary row(s): ketalog has no matching field"]
    stored = rows(db_path, "SELECT at, mood, energy, sleep, sleep_hours, note FROM checkins ORDER BY at")
    assert stored == [
        ("2020-09-22T09:00:00Z", None, 5, None, None, None),
        ("2020-09-22T09:53:00Z", 10, None, None, None, "exam soon"),
        ("2020-09-22T12:00:00Z", None, None, 3, 7.25, ". (synced)"),
    ]
    tags = sorted(r[0] for r in rows(db_path, "SELECT tag FROM checkin_tags"))
    assert tags == ["Anxiety (Mild)", "Anxious", "Hopeful"]
    # medicines go into the medication record, as doses taken
    assert rows(db_path, "SELECT key, name, class FROM medications") == [("clomipramine", "Clomipramine", "other")]
    assert rows(db_path, "SELECT at, medication, event, dose FROM medication_events") == [
        ("2020-09-22T09:00:00Z", "clomipramine", "took", "100 mg")
    ]
    again = cli("import", write(tmp_path, "bearable.csv", text)).stdout
    assert "Already here: 1 medications, 3 checkins, 1 medication_events" in again


@needs_real
def test_the_real_bearable_export_imports(cli):
    data = cli.json("import", str(next((REAL / "bearable").glob("*.csv"))), "--dry-run")
    assert data["added"]["checkins"] > 400


def test_imoodjournal_levels_comments_and_hashtag_columns(cli, tmp_path, db_path):
    text = (
        '\ufeff"Date","Day of week","Hour","Minute","Level","LevelText","Comment","anxious","wellbutrin",\n'
        '"September 5, 2015","Sat","18","12","7","(7) Pretty Good","two\nlines","0","1",\n'
        '"September 6, 2015","Sun","9","5","1","(1) Awful","","1","0",\n'
    )
    data = cli.json("import", write(tmp_path, "iMoodJournal.csv", text))
    assert data["source"] == "imoodjournal" and data["added"] == {"checkins": 2, "checkin_tags": 2}
    assert rows(db_path, "SELECT at, mood, note FROM checkins ORDER BY at") == [
        ("2015-09-05T18:12:00Z", 7, "two\nlines"),
        ("2015-09-06T09:05:00Z", 0, None),
    ]
    assert sorted(r[0] for r in rows(db_path, "SELECT tag FROM checkin_tags")) == ["anxious", "wellbutrin"]


def test_how_we_feel_emotion_words_become_tags_never_a_made_up_rating(cli, tmp_path, db_path):
    text = (
        "Date,Mood,Tags (People),Tags (Places),Tags (Events),Exercise,Sleep,Notes,Reflections,Takeaways\n"
        '2025 Sat Oct 4 8:09 PM,Thoughtful,"By Myself;Family","Home","","0.0","537","watched a film","[]","[]"\n'
    )
    data = cli.json("import", write(tmp_path, "hwf.csv", text))
    assert data["source"] == "howwefeel"
    assert rows(db_path, "SELECT at, mood, sleep_hours, note FROM checkins") == [
        ("2025-10-04T20:09:00Z", None, 8.95, "watched a film")
    ]
    assert sorted(r[0] for r in rows(db_path, "SELECT tag FROM checkin_tags")) == [
        "By Myself",
        "Family",
        "Home",
        "Thoughtful",
    ]


@needs_real
def test_the_real_imoodjournal_and_how_we_feel_files_import(cli):
    assert (
        cli.json("import", str(next((REAL / "imoodjournal").glob("*.csv"))), "--dry-run")["added"]["checkins"] == 2434
    )
    assert cli.json("import", str(next((REAL / "howwefeel").glob("*.csv"))), "--dry-run")["added"]["checkins"] == 20


@given(st.lists(st.one_of(st.text(), st.integers()), min_size=1, max_size=4))
def test_stable_ids_are_uuid5_exactly_so_reimports_keep_matching(parts):
    import uuid

    from ketalog.formats.records import ID_NAMESPACE, stable_id

    assert stable_id(*parts) == uuid.uuid5(ID_NAMESPACE, "\x1f".join(str(p) for p in parts)).hex


# Smaller quirks (issue 26) ------------------------------------------------------------------------------


def test_a_narrow_no_break_space_before_pm_keeps_working(cli, tmp_path, db_path):
    cli("import", write(tmp_path, "d.csv", HEADER_2021 + "2024-08-06,Aug 6,Tuesday,8:05\u202fPM,good,,,\n"))
    assert rows(db_path, "SELECT at FROM checkins") == [("2024-08-06T20:05:00Z",)]


def test_a_label_matched_to_a_default_mood_only_by_case_is_said(cli, tmp_path):
    text = HEADER_2021 + "2024-08-06,,,20:00,Good,,,\n2024-08-07,,,20:00,Good,,,\n2024-08-08,,,20:00,meh,,,\n"
    data = cli.json("import", write(tmp_path, "d.csv", text))
    assert data["warnings"] == [
        "mood 'Good' (2 entries, first on line 2) read as Daylio's own 'good' (4 on its 1-5 scale); "
        'if it is a mood you made, import again with --mood-map "Good=N"'
    ]
    path = write(tmp_path, "e.csv", text.replace("2024-08", "2024-09"))
    assert cli.json("import", path, "--mood-map", "Good=5")["warnings"] == []


def test_a_time_the_clocks_skipped_is_stored_an_hour_on_and_said(cli, tmp_path, db_path, monkeypatch):
    import time as clock

    monkeypatch.setenv("TZ", "America/New_York")
    clock.tzset()
    data = cli.json("import", write(tmp_path, "d.csv", HEADER_2021 + "2024-03-10,,,2:30 AM,good,,,\n"))
    assert data["warnings"] == [
        "line 2: 2024-03-10 02:30 does not exist in your time zone (the clocks jumped forward); stored as 03:30"
    ]
    assert rows(db_path, "SELECT at, utc_offset FROM checkins") == [("2024-03-10T07:30:00Z", -240)]


@pytest.mark.parametrize(
    "written, day",
    [
        ('"September 5, 2015"', "2015-09-05"),
        ("5 September 2015", "2015-09-05"),
        ("5 Sep 2015", "2015-09-05"),
        ("5 septembre 2015", "2015-09-05"),
        ("5. September 2015", "2015-09-05"),
        ("5 de septiembre de 2015", "2015-09-05"),
    ],
)
def test_imoodjournal_dates_in_the_phones_locale(cli, tmp_path, db_path, written, day):
    text = f"Date,Day of week,Hour,Minute,Level,LevelText,Comment\n{written},Sat,10,0,5,ok,\n"
    cli("import", write(tmp_path, "i.csv", text))
    assert rows(db_path, "SELECT local_date FROM checkins") == [(day,)]


def test_an_imoodjournal_date_that_is_no_date_names_the_line(cli, tmp_path, db_path):
    text = "Date,Day of week,Hour,Minute,Level,LevelText,Comment\nsometime in 2015,Sat,10,0,5,ok,\n"
    error = cli("import", write(tmp_path, "i.csv", text), expect=2).stderr
    assert "line 2" in error and "5 September 2015" in error and not db_path.exists()
