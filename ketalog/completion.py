"""Shell completion: route names, side-effect names and entry ids offered on Tab.

Light at import (the standard library only); a completer that reads the diary imports the store
when Tab is pressed, never when a command runs.
"""

from __future__ import annotations


def routes(incomplete: str) -> list[str]:
    from ketalog.validation import ROUTES

    return [route for route in ROUTES if route.startswith(incomplete.lower())]


def drugs(incomplete: str) -> list[str]:
    from ketalog.session_record import DRUGS

    return [drug for drug in DRUGS if drug.startswith(incomplete.lower())]


def side_effects(incomplete: str) -> list[str]:
    from ketalog.validation import KNOWN_SIDE_EFFECTS

    return [name for name in KNOWN_SIDE_EFFECTS if name.startswith(incomplete.lower())]


IDS_OFFERED = 50


def entry_ids(ctx, incomplete: str) -> list[tuple[str, str]]:
    """Entries whose id starts with what was typed (newest first), each with what it is: read by the
    primary key, the same way `show 3f9a` finds one, never by loading the whole diary on every Tab."""
    try:
        from ketalog import store
        from ketalog.db import open_db, resolve_path
        from ketalog.render.text import summary, when

        path = resolve_path(ctx.find_root().params.get("db"))
        if not path.exists():
            return []
        prefix = incomplete.lower()
        if not all(c in "0123456789abcdef" for c in prefix):
            return []
        with open_db(path, create=False) as db:
            found = [
                store.get(db, kind.name, entry_id) for kind, entry_id in store.ids_starting(db, prefix, IDS_OFFERED)
            ]
        newest = sorted(found, key=lambda entry: entry.at, reverse=True)[:IDS_OFFERED]
        return [(entry.id[:8], f"{entry.kind} {when(entry)} {summary(entry, 40)}") for entry in newest]
    except Exception:  # Tab must never print a traceback into the shell line; offering nothing is the fallback
        return []


def _starting(names, incomplete: str) -> list[str]:
    return [name for name in names if name.lower().startswith(incomplete.lower())]


def kinds(incomplete: str) -> list[str]:
    return _starting(("session", "checkin", "journal", "survey", "medication", "visit", "followup", "lab"), incomplete)


def templates(incomplete: str) -> list[str]:
    from ketalog.courses import TEMPLATES

    return _starting(TEMPLATES, incomplete)


def setting_keys(incomplete: str) -> list[str]:
    from ketalog.settings import SETTINGS

    return _starting(SETTINGS, incomplete)


def clear_fields(incomplete: str) -> list[str]:
    """Every field `edit --clear` can empty, of any kind (the entry is not known yet at Tab)."""
    from ketalog.entry_fields import FIELDS, clearable

    return _starting(sorted({name for kind in FIELDS for name in clearable(kind)}), incomplete)


def medicine_names(ctx, incomplete: str) -> list[str]:
    """The medicines on record, read by one small query when Tab is pressed."""
    try:
        from ketalog.db import open_db, resolve_path

        path = resolve_path(ctx.find_root().params.get("db"))
        if not path.exists():
            return []
        with open_db(path, create=False) as db:
            names = [row[0] for row in db.execute("SELECT name FROM medications ORDER BY lower(name)")]
        # as typed so far, then the rest of the name: the shell keeps only offers that start with what was typed,
        # and ketalog finds a medicine whatever its case
        return [incomplete + name[len(incomplete) :] for name in _starting(names, incomplete)]
    except Exception:  # Tab must never print a traceback into the shell line
        return []
