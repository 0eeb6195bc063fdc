"""Time ketalog's commands against the floor of its stack, on an empty and a 10-year database.

    python benchmarks/run.py [--repeat 15] [--keep DIR]

Every command runs ``--repeat`` times, interleaved so machine noise hits all
of them alike; the table shows median, min and max wall time, the ratio of
the median to the floor (``python -c "import typer, sqlite_utils"``), and the
peak resident memory of the process. Nothing here is asserted: the budgets
are in benchmarks/README.md and this prints where we stand.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

NOW = "2026-03-10T10:00:00+00:00"


def ketalog_command() -> list[str]:
    script = Path(sys.executable).with_name("ketalog")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ketalog"]


def measure(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one run (rusage of exactly this child)."""
    began = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode()}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="keep the generated databases in this folder")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="ketalog-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    big, empty = folder / "ten-years.db", folder / "empty.db"
    for path in (big, empty):
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    counts = generate(big)
    size_mb = big.stat().st_size / 1e6
    ketalog = ketalog_command()
    env = {**os.environ, "KETALOG_NOW": NOW, "TZ": "UTC"}
    add = ["add", "--route", "iv", "--dose", "0.5mg/kg", "--dissociation", "5", "--side-effect", "nausea", "--no-input"]
    subprocess.run([*ketalog, "--db", str(empty), "checkin", "--mood", "5"], env=env, check=True, capture_output=True)
    cases = {
        "floor: import typer, sqlite_utils": [sys.executable, "-c", "import typer, sqlite_utils"],
        "ketalog --help": [*ketalog, "--help"],
        "add (empty db)": [*ketalog, "--db", str(empty), *add],
        "add (10-year db)": [*ketalog, "--db", str(big), *add],
        "checkin (10-year db)": [*ketalog, "--db", str(big), "checkin", "--mood", "6", "--no-input"],
        "list (10-year db)": [*ketalog, "--db", str(big), "list"],
        "report (10-year db)": [*ketalog, "--db", str(big), "report"],
        "report html (10-year db)": [*ketalog, "--db", str(big), "report", "--format", "html"],
        "trends (10-year db)": [*ketalog, "--db", str(big), "trends"],
        "trends --by session (10-year db)": [*ketalog, "--db", str(big), "trends", "--by", "session"],
        "progress (10-year db)": [*ketalog, "--db", str(big), "progress"],
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    memory: dict[str, float] = {name: 0.0 for name in cases}
    for argv in cases.values():  # warm the page cache and .pyc files once
        measure(argv, env)
    for _ in range(args.repeat):
        for name, argv in cases.items():
            elapsed, peak = measure(argv, env)
            times[name].append(elapsed)
            memory[name] = max(memory[name], peak)
    floor = statistics.median(times["floor: import typer, sqlite_utils"])
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"10-year database: {counts}, {size_mb:.1f} MB; {args.repeat} runs each")
    print(f"{'command':<36}{'median':>9}{'min':>9}{'max':>9}{'x floor':>9}{'peak MB':>9}")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:<36}{median * 1000:>7.0f}ms{min(values) * 1000:>7.0f}ms{max(values) * 1000:>7.0f}ms"
            f"{median / floor:>9.2f}{memory[name]:>9.1f}"
        )
    add_empty, add_big = (statistics.median(times[k]) for k in ("add (empty db)", "add (10-year db)"))
    print(f"\nadd, 10-year / empty: {add_big / add_empty:.2f}")
    for name in ("report (10-year db)", "trends (10-year db)", "trends --by session (10-year db)"):
        print(f"{name} / add (10-year db): {statistics.median(times[name]) / add_big:.2f}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
