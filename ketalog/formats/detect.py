"""Which format a file is, told from its content through the registry, and its whole plan read and checked.

A file's first non-blank line decides between JSON (a ketalog export, a Daylio backup, base64 or decoded, a
Pixels backup) and CSV; each registered format's detector then looks at the parsed JSON or the header row,
in the registry's order. Every format's rows then pass `checks.check_plan`, the one validation.
"""

from __future__ import annotations

import csv
import itertools
import re
from pathlib import Path
from typing import TextIO

from ketalog.formats import read, registry
from ketalog.formats.plan import ImportFileError, ImportPlan, ParseOptions
from ketalog.formats.read import csv_rows, error_kind, open_source

_BASE64_LINE = re.compile(r"^[A-Za-z0-9+/]{40,}={0,2}$")  # a Daylio backup's JSON, base64-encoded


def plan_import(path: Path, fmt: str | None, options: ParseOptions | None = None) -> ImportPlan:
    """Read and check the whole file; ``fmt`` (a registry name) when the person chose one.

    A shape no parser expected (a list where a number belongs, nesting 100,000 deep) is one error naming
    the file, never a traceback: the parsers name the row where they can, this is the net behind them."""
    from ketalog.formats.checks import check_plan

    try:
        with open_source(path) as text:
            plan = _plan(path, text, fmt, options or ParseOptions())
    except UnicodeDecodeError:
        raise ImportFileError(path, "file", "not UTF-8 text") from None
    except RecursionError:
        raise ImportFileError(path, "file", "nested too deeply to be an export") from None
    except (TypeError, AttributeError, KeyError, IndexError, ValueError, OverflowError, UnicodeError) as error:
        raise ImportFileError(path, "file", f"not shaped like any export ketalog reads ({error_kind(error)})") from None
    if plan.source != "ketalog":
        for row in plan.tables.get("checkins", []):
            row["source"] = plan.source  # another app's ratings sit on its scale: the engine labels them
    check_plan(plan)
    return plan


def health_format(path: Path, fmt: str | None) -> registry.Format | None:
    """The phone-health format a file is (Apple Health, Health Connect, Health Auto Export), from its first
    bytes, before anything is read as text (an Apple Health export can be 3 GB); None for any other file."""
    if fmt is not None and "health" not in registry.BY_NAME[fmt].kinds:
        return None
    found = next((f for f in registry.FORMATS if "health" in f.kinds and registry.module_of(f).sniff(path)), None)
    if fmt is not None and (found is None or found.name != fmt):
        chosen = registry.BY_NAME[fmt]
        raise ImportFileError(
            path, "file", f"is not {chosen.files}" + (f"; it looks like {found.files}" if found else "")
        )
    return found


def _unknown(path: Path, where: str) -> ImportFileError:
    return ImportFileError(
        path,
        where,
        f"could not tell the format from its content; ketalog reads {registry.what_ketalog_reads()} "
        f"(--format {registry.choices_text()})",
    )


def _plan(path: Path, text: TextIO, fmt: str | None, options: ParseOptions) -> ImportPlan:
    first = text.readline(read.MAX_FIELD_CHARS)
    while first and not first.strip():
        first = text.readline(read.MAX_FIELD_CHARS)
    if not first:
        raise ImportFileError(path, "line 1", "the file is empty")
    if first.lstrip()[:1] in ("{", "[") or _BASE64_LINE.match(first.strip()):
        whole = first + text.read(read.MAX_JSON_CHARS + 1 - len(first))
        if len(whole) > read.MAX_JSON_CHARS:
            raise ImportFileError(
                path,
                "file",
                f"holds more than {read.MAX_JSON_CHARS // 2**20} MB of JSON, far more than any real export",
            )
        return _plan_json(path, whole, fmt, options)
    header = _header(first)
    detected = next(
        (f for f in registry.FORMATS if "csv" in f.kinds and registry.module_of(f).detect_header(header)), None
    )
    if detected is None and fmt is None:
        from ketalog.formats.csv_export import refuse_csv_export

        refuse_csv_export(path, header)
        raise _unknown(path, "line 1")
    chosen = registry.BY_NAME[fmt] if fmt else detected
    assert chosen is not None
    if detected and chosen != detected:
        raise ImportFileError(path, "line 1", f"looks like a {detected.name} file, not {chosen.name}")
    if "csv" not in chosen.kinds:
        raise ImportFileError(path, "line 1", f"is not JSON; {chosen.files} is")
    rows = csv_rows(path, itertools.chain([first], text))
    return registry.module_of(chosen).parse_csv(path, rows, options)


def _header(first_line: str) -> tuple[str, ...]:
    csv.field_size_limit(read.MAX_FIELD_CHARS)  # the default (128 KiB) would fail a long first cell here
    try:
        return tuple(cell.strip() for cell in next(csv.reader([first_line.lstrip().split("\n", 1)[0]]), []))
    except csv.Error:
        return ()


def _plan_json(path: Path, text: str, fmt: str | None, options: ParseOptions) -> ImportPlan:
    stripped = text.strip()
    if _BASE64_LINE.match(stripped.split("\n", 1)[0]):
        import base64
        import binascii

        try:
            stripped = base64.b64decode("".join(stripped.split()), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ImportFileError(path, "file", "not a Daylio backup, a ketalog export, or CSV") from None
    data = read.capped_json(path, stripped)
    detected = next(
        (f for f in registry.FORMATS if "json" in f.kinds and registry.module_of(f).detect_json(data)), None
    )
    if detected is None:
        if isinstance(data, dict):  # the JSON ketalog itself writes is the likeliest meant: say what it lacks
            from ketalog.formats.ketalog_json import EXPORT_FORMAT

            raise ImportFileError(path, "top level", f'not a ketalog export (expected "format": "{EXPORT_FORMAT}")')
        raise _unknown(path, "file")
    if fmt and detected.name != fmt:
        raise ImportFileError(path, "file", f"looks like a {detected.name} file, not {fmt}")
    return registry.module_of(detected).parse_json(path, data, options)
