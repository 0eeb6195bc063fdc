"""Many ketalog processes adding to one new database at once, over and over: every add must land.

    python benchmarks/stress_writers.py [--runs 40] [--writers 8] [--adds 5]

Each run starts ``--writers`` processes on a fresh file (so the first-run migration races too),
each adding ``--adds`` sessions; it reports any process that failed and any run that lost a row.
Slow and nondeterministic by nature, so it lives here, not in the test suite (which keeps a
4-process version, tests/test_safety_proofs.py).
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

# Without standalone mode Click returns a failed command's exit code instead of raising SystemExit:
# both are checked, or a refused add would pass for a stored one.
WRITER = (
    "import sys\nfrom ketalog.cli import app\n"
    "for i in range(int(sys.argv[3])):\n"
    "    try:\n"
    "        code = app(['--db', sys.argv[1], 'add', '--route', 'iv', '--note', f'{sys.argv[2]}-{i}', '--no-input'],"
    " standalone_mode=False)\n"
    "    except SystemExit as e:\n"
    "        code = e.code\n"
    "    assert not code, code\n"
)


def _why(code: int, stderr: str) -> str:
    """ketalog's own error line when it printed one (the traceback after it is the writer's assert)."""
    said = [line for line in stderr.splitlines() if line.startswith("ketalog:")]
    return said[-1] if said else (stderr.strip().splitlines() or [str(code)])[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--adds", type=int, default=5)
    args = parser.parse_args()
    failures = 0
    for run in range(args.runs):
        path = Path(tempfile.mkdtemp(prefix="ketalog-stress-")) / "busy.db"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(path), f"w{n}", str(args.adds)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(args.writers)
        ]
        results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
        with sqlite3.connect(path) as conn:
            stored = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
        expected = args.writers * args.adds
        failed = [_why(code, err) for code, err in results if code]
        if failed or stored != expected:
            failures += 1
            print(f"run {run}: {stored} of {expected} sessions stored; failed writers: {failed}")
    print(f"{args.runs} runs, {failures} with a failure")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
