"""Lets `python -m ketalog` behave exactly like the `ketalog` console script."""

from ketalog.cli import main

main()
