"""Shell completion: route names, side-effect names and entry ids offered on Tab.

Light at import (the standard library only); a completer that reads the diary imports the store
when Tab is pressed, never when a command runs.
"""

from __future__ import annotations


def routes(incomplete: str) -> list[str]:
    from ketalog.validation import ROUTES

    return [route for route in ROUTES if route.startswith(incomplete.lower())]


def side_effects(incomplete: str) -> list[str]:
    from ketalog.validation import KNOWN_SIDE_EFFECTS

    return [name for name in KNOWN_SIDE_EFFECTS if name.startswith(incomplete.lower())]


IDS_OFFERED = 50


def entry_ids(ctx, incomplete: str) -> list[tuple[str, str]]:
    """The newest entries whose id starts with what was typed, each with what it is."""
    try:
        from ketalog import store
        from ketalog.db import open_db, resolve_path
        from ketalog.render.text import summary, when

        path = resolve_path(ctx.find_root().params.get("db"))
        if not path.exists():
            return []
        with open_db(path, create=False) as db:
            entries = store.list_entries(db, list(store.KINDS), None, None, None)
            wanted = [e for e in entries if e.id.startswith(incomplete.lower())][:IDS_OFFERED]
        return [(entry.id[:8], f"{entry.kind} {when(entry)} {summary(entry, 40)}") for entry in wanted]
    except Exception:  # Tab must never print a traceback into the shell line; offering nothing is the fallback
        return []
