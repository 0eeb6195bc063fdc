"""The formats registry is the one list of what ketalog imports (issue 26): help, choices, detection, errors
and the README follow it, and each format's module has what its entry promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ketalog.formats import registry

ROOT = Path(__file__).resolve().parents[1]

# The smallest first line (or JSON document) each format's detector must claim, and no other format's.
SAMPLES = {
    "ketalog": '{"format": "ketalog-export", "format_version": 1, "schema_version": 1, "tables": {}}',
    "emoods": "ID,DATE (YYYY-MM-DD),IRRITABILITY,ANXIETY,DEPRESSED,ELEVATED,SLEEP,PSYCHOTIC SYMPTOMS,NOTE,THERAPY,"
    "MENSTRUAL CYCLE,WEIGHT",
    "bearable": "date,weekday,time of day,category,rating/amount,detail,notes",
    "imoodjournal": "Date,Day of week,Hour,Minute,Level,LevelText,Comment,#walk",
    "howwefeel": "Date,Mood,Tags (People),Tags (Places),Notes",
    "daylio": "full_date,date,weekday,time,mood,activities,note_title,note",
    "pixels": '[{"date": "2021-1-1", "type": "Mood", "scores": [4]}]',
}


def test_every_registered_format_has_a_sample_here():
    assert set(SAMPLES) == {f.name for f in registry.FORMATS if "health" not in f.kinds}


@pytest.mark.parametrize("fmt", registry.FORMATS, ids=lambda f: f.name)
def test_each_module_has_the_detector_and_parser_its_entry_promises(fmt):
    module = registry.module_of(fmt)
    assert module.__doc__, f"{fmt.module} needs a docstring saying its format"
    for kind, detector, parser in (
        ("csv", "detect_header", "parse_csv"), ("json", "detect_json", "parse_json"), ("health", "sniff", "parse")
    ):  # fmt: skip
        assert hasattr(module, detector) == (kind in fmt.kinds) == hasattr(module, parser), (fmt.name, kind)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_sample_is_claimed_by_its_own_format_first(name):
    import json

    from ketalog.formats.detect import _header

    sample = SAMPLES[name]
    if sample[0] in "[{":
        data = json.loads(sample)
        claimed = [f.name for f in registry.FORMATS if "json" in f.kinds and registry.module_of(f).detect_json(data)]
    else:
        header = _header(sample)
        claimed = [f.name for f in registry.FORMATS if "csv" in f.kinds and registry.module_of(f).detect_header(header)]
    assert claimed[:1] == [name] and claimed == [name], claimed


def test_format_choices_and_help_come_from_the_registry(cli):
    from ketalog.commands.data import ImportFormat

    assert [choice.value for choice in ImportFormat] == list(registry.NAMES)
    text = " ".join(cli("import", "--help").stdout.split())
    text = re.sub(r"[│╭╮╰╯─]", " ", text)
    text = " ".join(text.split())
    for fmt in registry.FORMATS:
        assert fmt.name in text


def test_the_could_not_tell_error_names_every_format(cli, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("one,two\n1,2\n")
    error = cli("import", str(path), expect=2).stderr
    for fmt in registry.FORMATS:
        assert fmt.files in error and fmt.name in error


def test_the_readme_table_names_every_app():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Bringing data in from other apps", 1)[1].split("\n\n", 2)[1]
    first_cells = [line.split("|")[1] for line in table.splitlines()[2:]]
    for fmt in registry.FORMATS:
        assert any(fmt.app in cell for cell in first_cells), fmt.app


@pytest.mark.parametrize("as_zip", [False, True])
def test_the_csv_export_offered_to_import_points_to_the_json_export(cli, tmp_path, as_zip):
    cli("checkin", "--mood", "6")
    target = tmp_path / ("tables.zip" if as_zip else "tables")
    cli("export", "--format", "csv", "-o", str(target))
    offered = target if as_zip else target / "checkins.csv"
    error = cli("import", str(offered), expect=2).stderr
    assert "export --format json" in error and error.count("\n") == 1
