"""The CLI as a newcomer meets it (issue 25): groups typed alone, the demo in every format, output names
that make no sense refused in one line."""

from __future__ import annotations

import pytest
from helpers import run_ketalog


@pytest.mark.parametrize("group", ["plan", "med", "survey", "visit", "config", "remind", "course"])
def test_a_group_typed_alone_prints_its_help_and_exits_0(group):
    result = run_ketalog(group)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Usage: ketalog {group} ") and "\nCommands:\n" in result.stdout
    assert result.stderr == ""


def test_demo_as_pdf_goes_to_a_file_and_never_prints_text(tmp_path):
    result = run_ketalog("demo", "--format", "pdf")
    assert result.returncode == 2 and "a PDF goes to a file" in result.stderr and result.stdout == ""
    pytest.importorskip("weasyprint")
    target = tmp_path / "demo.pdf"
    result = run_ketalog("demo", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["report", "-o", "visit.docx"], "visit.docx: ketalog writes"),
        (["report", "-o", ""], "is a folder; give a file name"),
        (["demo", "-o", "x.docx"], "x.docx: ketalog writes"),
    ],
)
def test_output_names_that_make_no_sense_are_refused_in_one_line(cli, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    result = cli(*args, expect=2)
    assert words in result.stderr and result.stderr.count("\n") == 1
    assert not list(tmp_path.glob("visit*")) and not list(tmp_path.glob("x.*"))
