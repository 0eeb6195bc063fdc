"""The CLI's surface for people and scripts: `help COMMAND`, pipes, CSV/TSV, completion options, examples."""

from __future__ import annotations

import csv
import io

import pytest

from ketalog.cli import LAZY_COMMANDS, app


def test_help_command_is_the_command_help(cli):
    assert cli("help", "report").stdout == cli("report", "--help").stdout
    assert cli("help", "survey", "phq9").stdout == cli("survey", "phq9", "--help").stdout
    assert "Commands" in cli("help").stdout
    bad = cli("help", "reprot", expect=2)
    assert bad.stderr.strip() == "ketalog: error: no command 'reprot'; did you mean report?"


def test_root_help_lists_help(cli):
    assert "help " in cli("--help").stdout


def test_list_in_a_pipe_is_one_unpadded_line_per_entry(cli):
    cli("journal", "nausea after a long walk, then a very long sentence " * 3)
    out = cli("list").stdout.splitlines()  # CliRunner's stdout is not a terminal
    assert out[0] == "id\twhen\tkind\tdetails"
    assert len(out) == 2 and "nausea" in out[1] and out[1].count("\t") == 3
    assert "  " not in out[1]


def test_list_shows_the_notes_of_check_ins_and_sessions_so_grep_finds_them(cli):
    cli("checkin", "--mood", "4", "--note", "bladder ache   since Tuesday", "--at", "2026-03-08")
    cli("add", "--route", "iv", "--note", "felt floaty for hours " * 5, "--at", "2026-03-09")
    out = cli("list").stdout.splitlines()
    assert out[2].endswith("checkin\tmood 4 · bladder ache since Tuesday")
    assert out[1].endswith("session\t#1 iv · felt floaty for hours felt floaty…")  # cut to half the width
    assert cli("checkin", "--mood", "6", "--note", "calm").stdout.strip().endswith("mood 6 · calm")


@pytest.mark.parametrize(("flag", "delimiter"), [("--csv", ","), ("--tsv", "\t")])
def test_list_csv_and_tsv_keep_whole_ids_and_guard_formulas(cli, flag, delimiter):
    entry = cli.json("checkin", "--mood", "4", "--note", "=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO(cli("list", flag).stdout), delimiter=delimiter))
    assert rows[0] == ["id", "at", "kind", "details"]
    assert rows[1][0] == entry["id"] and rows[1][2] == "checkin"
    assert not any(cell.startswith("=") for cell in rows[1])


def test_csv_and_tsv_together_are_refused(cli):
    result = cli("list", "--csv", "--tsv", expect=2)
    assert result.stderr.strip() == "ketalog: error: --csv/--tsv: choose one of them"


def test_trends_csv_is_the_table_with_raw_means(cli):
    for day, mood in (("2026-03-02", "3"), ("2026-03-03", "4"), ("2026-03-09", "6")):
        cli("checkin", "--at", day, "--mood", mood)
    rows = list(csv.reader(io.StringIO(cli("trends", "--since", "2026-03-01", "--csv").stdout)))
    assert rows[0][:3] == ["week of", "n", "mood"]
    assert [row[:3] for row in rows[1:]] == [["2026-03-02", "2", "3.5"], ["2026-03-09", "1", "6.0"]]
    table = cli("trends", "--since", "2026-03-01").stdout.splitlines()
    assert table[2].split("\t")[:3] == ["2026-03-09", "1", "6.0"]  # one decimal, never "6" beside "3.5"


def test_costs_tsv_to_stdout_is_the_list_only(cli):
    cli("add", "--route", "iv", "--dose", "0.5mg/kg", "--cost", "450", "--no-input")
    rows = list(csv.reader(io.StringIO(cli("costs", "--tsv", "-").stdout), delimiter="\t"))
    assert rows[0] == ["date", "clinic", "provider", "route", "dose", "cost"]
    assert rows[1][-1] == "450.00"


def test_completion_options_only_on_the_root(cli):
    assert "--install-completion" in cli("--help").stdout
    for name in LAZY_COMMANDS:
        assert "--install-completion" not in cli(name, "--help").stdout, name


def _leaf_commands():
    """(path, command) for every command a person runs: `add`, `med add`, `survey phq9`..."""
    import typer

    root = typer.main.get_command(app)

    def walk(command, path):
        if getattr(command, "commands", None) is None:
            yield path, command
            return
        for name in command.list_commands(None):
            yield from walk(command.get_command(None, name), f"{path} {name}")

    for name in LAZY_COMMANDS:
        yield from walk(root.get_command(None, name), name)


def test_every_command_has_examples_and_every_option_help():
    missing_examples, missing_help = [], []
    for path, command in _leaf_commands():
        if "Examples:" not in (command.help or ""):
            missing_examples.append(path)
        missing_help.extend(
            f"{path} {param.opts[0]}"
            for param in command.params
            if param.param_type_name == "option" and not getattr(param, "help", None)
        )
    assert missing_examples == []
    assert missing_help == []


def _complete(words: str) -> list[str]:
    from helpers import run_ketalog

    position = str(len(words.split(" ")) - 1)
    result = run_ketalog(env={"_KETALOG_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": position})
    assert result.returncode == 0 and result.stderr == ""
    return result.stdout.split()


def test_completion_offers_routes_side_effects_and_entry_ids(cli, db_path):
    assert _complete("ketalog add --route i") == ["iv", "im", "intranasal"]
    assert _complete("ketalog add --side-effect na") == ["nausea"]
    entry = cli.json("checkin", "--mood", "5")
    assert _complete(f"ketalog show {entry['id'][:2]}") == [entry["id"][:8]]
    assert _complete("ketalog delete zz") == []


def test_completion_offers_kinds_templates_settings_fields_and_medicine_names(cli):
    assert _complete("ketalog list --kind se") == ["session"]
    assert _complete("ketalog plan set --template es") == ["esketamine"]
    assert _complete("ketalog config set tr") == ["trust-imported-scale"]
    assert "bp-after" in _complete("ketalog edit 3f2a --clear bp")
    cli("med", "add", "Sertraline", "--dose", "50 mg")
    assert _complete("ketalog med change ser") == ["sertraline"]  # as typed so far; found whatever its case
    assert _complete("ketalog med took Ser") == ["Sertraline"]


def test_completion_of_ids_without_a_diary_offers_nothing_and_creates_nothing(db_path):
    assert _complete("ketalog show a") == []
    assert not db_path.exists()


def test_one_metavar_style_names_what_to_type_never_a_python_type():
    import typer

    typed = []
    for path, command in _leaf_commands():
        ctx = typer.Context(command, info_name=path)
        for param in command.params:
            if param.param_type_name == "option" and not param.is_flag:
                metavar = param.make_metavar(ctx)
                if metavar.startswith("<") and "|" not in metavar:  # Typer's "<str>", "<int range>"
                    typed.append(f"{path} {param.opts[0]} {metavar}")
    assert typed == []
