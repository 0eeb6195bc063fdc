"""Command groups that grew out of cli.py; each module registers its Typer commands."""
