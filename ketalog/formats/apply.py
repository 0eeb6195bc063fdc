"""Applying a checked plan: all of it in one transaction, or none of it.

Rows whose id is already present are skipped, or replaced when the incoming copy was written later (last
writer wins, by `updated_at`); a delete (a tombstone) wins over any older copy of its row, and an edit made
elsewhere after the delete brings the row back. Another app's rows never replace an entry edited here.
Children (tags, side effects) follow their parent: they change only when the parent is added or replaced.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Iterator, Sequence

from ketalog import instruments as inst
from ketalog import store
from ketalog.db import Connection, writing
from ketalog.formats.checks import row_name
from ketalog.formats.plan import ImportFileError, ImportPlan, ImportResult
from ketalog.formats.tables import ENTRY_TABLES, PARENT_TABLES, SETTINGS_TABLES, TOMBSTONES, columns_of
from ketalog.store import KINDS


@dataclass(frozen=True)
class SeenBy:
    """Whether the device whose sync file is being read had seen this device's copy of an entry: this device's
    publish times (when its file's content changed, its own clock) and the publish time of this device's
    file that the other device last merged (its file says). Exact on one clock, so sync delays do not matter."""

    device: str  # the other device
    published: tuple[str, ...]  # this device's publish times, oldest first
    they_read_mine: str  # "" when the other device never read this device's file

    def unseen_edit(self, row: dict) -> bool:
        """A copy edited here (or brought here) that the other device had not seen when it wrote its newer
        edit: replacing it loses an edit, so it is named."""
        from bisect import bisect_left

        if row["updated_at"] == row["created_at"]:
            return False  # a first version is no edit: every later copy was made from it
        at = bisect_left(self.published, row["updated_at"])
        return at == len(self.published) or self.published[at] > self.they_read_mine


class _DryRun(Exception):
    """Raised inside the import transaction to roll it back after counting."""


def apply_plan(
    db: Connection,
    plan: ImportPlan,
    *,
    dry_run: bool,
    tick=None,
    seen: SeenBy | None = None,
    imported: bool = False,
) -> ImportResult:
    """All of the plan in one transaction, or none of it. ``dry_run`` counts and rolls back.

    ``tick(done, total)`` is called as entries are written (for a progress bar). ``seen``: for another
    device's sync file, what each device had read of the other, so an edit that gives way to a newer one made
    without having seen it (a concurrent edit: one of the two is lost) is named in the result. ``imported``
    (`ketalog import`, not `sync`): the sessions it adds are remembered as imported, never asked to reflect on."""
    result = ImportResult({}, {}, {}, [])
    try:
        with writing(db):
            parents = _apply_parents(db, plan, result)
            added_sessions = _apply(db, plan, result, tick, seen)
            if imported and added_sessions:
                from ketalog.store import mark_imported
                from ketalog.timeparse import stamp

                mark_imported(db, added_sessions, stamp())
            _drop_untaken(db, parents, result)
            _refuse_shared_ids(db, plan)
            _apply_settings(db, plan, result)
            _remember_mood_labels(db, plan.remember)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    return result


_IN_CHUNK = 500  # ids per "IN (...)": well under SQLite's limit on bound parameters


def _in_chunks(values: list) -> Iterator[tuple[list, str]]:
    """``values`` in slices for ``IN (...)``, each with its placeholders."""
    for start in range(0, len(values), _IN_CHUNK):
        chunk = values[start : start + _IN_CHUNK]
        yield chunk, ", ".join("?" for _ in chunk)


def _plan_children(plan: ImportPlan, table: str) -> dict[str, set[str]]:
    """The plan's child values (tags, side effects) per entry id."""
    spec = ENTRY_TABLES.get(table)
    found: dict[str, set[str]] = {}
    if spec:
        child, key, value = spec
        for row in plan.tables.get(child, []):
            found.setdefault(row[key], set()).add(row[value])
    return found


def _stored_children(db: Connection, table: str, ids: list[str]) -> dict[str, set[str]]:
    """The stored tags or side effects of these entries, a few queries for any number of them."""
    spec = ENTRY_TABLES.get(table)
    found: dict[str, set[str]] = {}
    if not spec:
        return found
    child, key, value = spec
    for chunk, marks in _in_chunks(ids):
        for entry_id, name in db.execute(f'SELECT "{key}", "{value}" FROM "{child}" WHERE "{key}" IN ({marks})', chunk):
            found.setdefault(entry_id, set()).add(name)
    return found


def _foreign_decision(
    row: dict, existing: dict | None, children: set[str], stored: set[str], earlier: set[tuple[str, object]]
) -> str:
    """What an entry from another app's file does: add, update, keep (edited here), or nothing.

    Identity is the app, the entry's time and its place in that minute; an entry edited in ketalog
    since (updated_at moved past created_at) is never overwritten by the app's copy. ``earlier``: the
    (at, mood) of check-ins stored before this import, for rows imported before identity was positional.
    """
    if existing is None:
        # imported before identity was positional (content ids): the same time and mood is the same entry
        if (row["at"], row.get("mood")) in earlier:  # only check-ins are looked up
            return "unchanged"
        return "add"
    if existing["updated_at"] != existing["created_at"]:
        return "kept"
    same = all(
        existing.get(column) == value for column, value in row.items() if column not in ("created_at", "updated_at")
    )
    return "unchanged" if same and stored == children else "update"


_BOOKKEEPING = ("id", "created_at", "updated_at")


def _same_content(row: dict, stored: dict) -> bool:
    """The file's row says what the stored entry holds (its columns; ids and times of writing aside)."""
    return all(stored.get(column) == value for column, value in row.items() if column not in _BOOKKEEPING)


def _match_same_minute(plan: ImportPlan, table: str, rows: list[dict], existing_rows: dict[str, dict]) -> None:
    """Entries of one minute that the app wrote in another order this time: identity is (app, minute,
    position), so a swap would move one entry's content onto the other's id, and an edit made here onto the
    wrong entry. Within each such minute, a stored entry not edited here claims the file's row with exactly
    its content first; the rest keep their positions. Ids are re-pointed in the plan, children included."""
    by_minute: dict[str, list[dict]] = {}
    for row in rows:
        by_minute.setdefault(row["at"], []).append(row)
    moved: dict[str, str] = {}
    for group in by_minute.values():
        stored = [existing_rows.get(row["id"]) for row in group]
        if len(group) < 2 or any(row is None for row in stored):
            continue
        ids = [row["id"] for row in group]
        free = {entry["id"]: entry for entry in stored if entry and entry["updated_at"] == entry["created_at"]}
        claimed: dict[int, str] = {}
        for index, row in enumerate(group):
            match = next((entry_id for entry_id, entry in free.items() if _same_content(row, entry)), None)
            if match is not None:
                claimed[index] = match
                del free[match]
        rest = iter(entry_id for entry_id in ids if entry_id not in claimed.values())
        for index, row in enumerate(group):
            new_id = claimed.get(index) or next(rest)
            if new_id != row["id"]:
                moved[row["id"]] = new_id
    if not moved:
        return
    for row in rows:
        row["id"] = moved.get(row["id"], row["id"])
    spec = ENTRY_TABLES.get(table)
    if spec:
        child, key, _ = spec
        plan.tables[child] = [
            {**child_row, key: moved.get(child_row[key], child_row[key])} for child_row in plan.tables.get(child, [])
        ]


def _tombstones(db: Connection, ids: list[str]) -> dict[str, str]:
    """When each of these ids was deleted here (table `deleted_entries`), in a few queries."""
    found: dict[str, str] = {}
    for chunk, marks in _in_chunks(ids):
        found.update(db.execute(f"SELECT id, deleted_at FROM {TOMBSTONES} WHERE id IN ({marks})", chunk))
    return found


def _version(row: dict, children: set[str]) -> tuple[str, str]:
    """What decides between two copies of one entry: the later `updated_at`; at the same second (two devices,
    or a fixed clock), the larger content, so every device picks the same copy whatever the order of syncs."""
    content = {column: value for column, value in row.items() if column not in ("id", "updated_at")}
    return str(row.get("updated_at") or ""), json.dumps([content, sorted(children)], sort_keys=True, default=str)


def _ketalog_decision(
    row: dict, existing: dict | None, children: set[str], stored: set[str], buried: str | None
) -> str:
    """A row of a ketalog export or another device's sync file: the newest copy of an entry wins, and a
    delete (``buried``: when, here or in the file) wins over every copy written at or before it."""
    if buried is not None and str(row["updated_at"]) <= buried:
        return "deleted"
    if existing is None:
        return "add"
    if (
        _same_content(row, existing)
        and (row["created_at"], row["updated_at"]) == (existing["created_at"], existing["updated_at"])
        and children == stored
    ):
        return "unchanged"
    return "update" if _version(row, children) > _version(existing, stored) else "older"


def _existing_rows(db: Connection, table: str, ids: list[str]) -> dict[str, dict]:
    """The stored rows among ``ids``, in a few queries however long the import (not one per row)."""
    found: dict[str, dict] = {}
    for chunk, marks in _in_chunks(ids):
        found.update((row["id"], row) for row in db.query(f'SELECT * FROM "{table}" WHERE id IN ({marks})', chunk))
    return found


def _refuse_shared_ids(db: Connection, plan: ImportPlan) -> None:
    """After the rows are written (inside the import's transaction): an id that is now an entry of two kinds
    would make both unaddressable by `show`, `edit` and `delete`. One join per pair of tables, on the keys."""
    tables = list(ENTRY_TABLES)
    for index, first in enumerate(tables):
        for second in tables[index + 1 :]:
            clash = next(db.query(f'SELECT a.id FROM "{first}" a JOIN "{second}" b ON a.id = b.id LIMIT 1'), None)
            if clash is None:
                continue
            for table in (first, second):
                for number, row in enumerate(plan.tables.get(table, []), start=1):
                    if row["id"] == clash["id"]:
                        other = second if table == first else first
                        raise ImportFileError(
                            plan.path, row_name(table, number), f"id {clash['id']} is already one of your {other}"
                        )


def _checkins_at(db: Connection, times: list[str]) -> set[tuple[str, object]]:
    """(at, mood) of the stored check-ins at these times: an earlier import's rows by content."""
    found: set[tuple[str, object]] = set()
    for chunk, marks in _in_chunks(times):
        found.update(db.execute(f"SELECT at, mood FROM checkins WHERE at IN ({marks})", chunk))
    return found


def _write_rows(db: Connection, plan: ImportPlan, table: str, rows: list[tuple[int, dict]], update: bool) -> None:
    """Insert (or update by id) rows with ``executemany``, one statement per set of columns; on a
    constraint failure, the rows again one by one so the message names the row."""
    groups: dict[tuple[str, ...], list[tuple[int, dict]]] = {}
    for number, row in rows:
        groups.setdefault(tuple(row), []).append((number, row))
    for columns, members in groups.items():
        names = ", ".join(f'"{c}"' for c in columns)
        if update:
            sql = f'UPDATE "{table}" SET ' + ", ".join(f'"{c}" = ?' for c in columns) + " WHERE id = ?"
            numbered = [(number, [*row.values(), row["id"]]) for number, row in members]
        else:
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in columns)})'
            numbered = [(number, list(row.values())) for number, row in members]
        _run_batch(db, plan, table, sql, numbered)


def _run_batch(db: Connection, plan: ImportPlan, table: str, sql: str, numbered: Sequence[tuple[int, Sequence]]) -> int:
    """One statement over many rows with ``executemany``; on a constraint failure the batch is undone and
    replayed row by row, so the message names the row. Returns the rows changed."""
    db.execute("SAVEPOINT ketalog_batch")  # so a failed batch can be undone and replayed from its start
    try:
        return db.conn.executemany(sql, [params for _, params in numbered]).rowcount
    except sqlite3.IntegrityError:
        db.execute("ROLLBACK TO ketalog_batch")
        for number, params in numbered:
            try:
                db.execute(sql, params)
            except sqlite3.IntegrityError as error:
                raise ImportFileError(plan.path, row_name(table, number), _explain(error)) from None
        raise
    finally:
        db.execute("RELEASE ketalog_batch")


def _apply(db: Connection, plan: ImportPlan, result: ImportResult, tick=None, seen: SeenBy | None = None) -> list[str]:
    """Every entry table of the plan; returns the ids of the sessions it added."""
    total = sum(len(plan.tables.get(table, [])) for table in ENTRY_TABLES)
    done = 0
    added_sessions: list[str] = []
    replaced: set[tuple[str, str]] = set()
    untouched: set[str] = set()  # entries whose children must not change: children follow their parent
    foreign = plan.source != "ketalog"
    incoming = {row["id"]: row["deleted_at"] for row in plan.tables.get(TOMBSTONES, [])}
    for table in ENTRY_TABLES:
        rows = plan.tables.get(table, [])
        columns = set(columns_of(db, table))
        plan_children = _plan_children(plan, table)
        existing_rows = _existing_rows(db, table, [row["id"] for row in rows])
        if foreign:
            _match_same_minute(plan, table, rows, existing_rows)
        buried = _tombstones(db, [row["id"] for row in rows])
        for entry_id, deleted_at in incoming.items():
            if deleted_at > buried.get(entry_id, ""):
                buried[entry_id] = deleted_at
        earlier = _checkins_at(db, [row["at"] for row in rows]) if foreign and table == "checkins" else set()
        stored = _stored_children(db, table, list(existing_rows))
        inserts: list[tuple[int, dict]] = []
        updates: list[tuple[int, dict]] = []
        for number, row in enumerate(rows, start=1):
            if tick and number % 1000 == 0:
                tick(done + number, total)
            extra = set(row) - columns
            if extra:
                raise ImportFileError(plan.path, row_name(table, number), f"unknown column {sorted(extra)[0]!r}")
            existing = existing_rows.get(row["id"])
            children = plan_children.get(row["id"], set())
            if foreign:
                if existing is None and row["id"] in buried:  # deleted here: another app's copy never returns
                    decision = "deleted"
                else:
                    decision = _foreign_decision(row, existing, children, stored.get(row["id"], set()), earlier)
            else:
                decision = _ketalog_decision(
                    row, existing, children, stored.get(row["id"], set()), buried.get(row["id"])
                )
            if decision == "add":
                inserts.append((number, row))
                _count(result.brought_back if row["id"] in buried else result.added, table)
            elif decision == "update":
                updates.append((number, row))
                replaced.add((table, row["id"]))
                _count(result.updated, table)
                assert existing is not None
                if seen is not None and seen.unseen_edit(existing):
                    result.overwritten.append(f"{_KIND_OF[table]} {row['id'][:8]} (newer edit from {seen.device})")
            else:
                untouched.add(row["id"])
                if decision == "deleted":
                    if existing is None:
                        _count(result.kept_deleted, table)
                else:
                    _count(result.kept_edits if decision == "kept" else result.unchanged, table)
                continue
            if (
                table == "surveys"
                and row.get("answers")
                and inst.safety_positive(row["instrument"], json.loads(row["answers"]))
            ):
                result.safety_positive.append(row)
        _write_rows(db, plan, table, inserts, update=False)
        if table == "sessions":
            added_sessions = [row["id"] for _, row in inserts]
        _write_rows(db, plan, table, updates, update=True)
        done += len(rows)
        if tick:
            tick(done, total)
    for parent, (child, key, value) in ((p, c) for p, c in ENTRY_TABLES.items() if c):
        stale = [(entry_id,) for entry_table, entry_id in replaced if entry_table == parent]
        db.conn.executemany(f'DELETE FROM "{child}" WHERE "{key}" = ?', stale)
        pairs = []
        for number, row in enumerate(plan.tables.get(child, []), start=1):
            if set(row) != {key, value}:
                raise ImportFileError(plan.path, row_name(child, number), f"needs exactly {key} and {value}")
            if row[key] not in untouched:
                pairs.append((number, (row[key], row[value])))
        sql = f'INSERT OR IGNORE INTO "{child}" ("{key}", "{value}") VALUES (?, ?)'
        added = _run_batch(db, plan, child, sql, pairs)
        if added > 0:
            result.added[child] = result.added.get(child, 0) + added
    _apply_tombstones(db, plan, result, seen)
    return added_sessions


_KIND_OF = {table: kind for kind, table in ((k, KINDS[k].table) for k in KINDS)}


def _apply_tombstones(db: Connection, plan: ImportPlan, result: ImportResult, seen: SeenBy | None) -> None:
    """The file's deletes: each is kept (the later of two deletes of one entry), and removes the entry here
    when it was not written after the delete. Runs after the rows, so it also buries a row the file held."""
    for row in plan.tables.get(TOMBSTONES, []):
        table = KINDS[row["kind"]].table
        doomed = next(
            db.query(f'SELECT * FROM "{table}" WHERE id = ? AND updated_at <= ?', [row["id"], row["deleted_at"]]), None
        )
        if doomed is not None:
            store.remove_row(db, table, doomed)
            _count(result.deleted, table)
            if seen is not None and seen.unseen_edit(doomed):
                result.overwritten.append(f"{row['kind']} {row['id'][:8]} (deleted later on {seen.device})")
        db.execute(
            f"INSERT INTO {TOMBSTONES} (id, kind, deleted_at) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, deleted_at = excluded.deleted_at "
            "WHERE excluded.deleted_at > deleted_at",
            [row["id"], row["kind"], row["deleted_at"]],
        )


def _apply_parents(db: Connection, plan: ImportPlan, result: ImportResult) -> list[tuple[str, str]]:
    """Medicines, merged by key: new ones added; a newer copy from a ketalog export replaces an older one (at
    the same second, the larger content, as for entries). Returns the (table, key) pairs added."""
    added = []
    for table, columns in PARENT_TABLES.items():
        key = columns[0]
        for row in plan.tables.get(table, []):
            existing = next(db.query(f'SELECT * FROM "{table}" WHERE "{key}" = ?', [row[key]]), None)
            if existing is None:
                store.insert_row(db, table, {column: row[column] for column in columns})
                _count(result.added, table)
                added.append((table, row[key]))
            elif (
                plan.source == "ketalog"
                and not _same_content(row, existing)
                and _version(row, set()) > _version(existing, set())
            ):
                store.update_row(db, table, (key, row[key]), {column: row[column] for column in columns[1:]})
                _count(result.updated, table)
            else:
                _count(result.unchanged, table)
    return added


def _drop_untaken(db: Connection, added: list[tuple[str, str]], result: ImportResult) -> None:
    """A medicine the file brought whose every event was deleted here was never taken: it is not added."""
    for table, key in added:
        if next(db.query("SELECT 1 FROM medication_events WHERE medication = ? LIMIT 1", [key]), None) is None:
            db.execute(f'DELETE FROM "{table}" WHERE key = ?', [key])
            result.added[table] -= 1
            if not result.added[table]:
                del result.added[table]


def _apply_settings(db: Connection, plan: ImportPlan, result: ImportResult) -> None:
    """Rows of the settings tables (remembered mood labels): added when new, never replacing a local row."""
    for table, columns in SETTINGS_TABLES.items():
        placeholders = ", ".join("?" for _ in columns)
        for row in plan.tables.get(table, []):
            cursor = db.execute(
                f'INSERT OR IGNORE INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})',
                [row[column] for column in columns],
            )
            _count(result.added if cursor.rowcount else result.unchanged, table)


def _remember_mood_labels(db: Connection, remember: dict[str, dict[str, int]]) -> None:
    """Mood labels placed for this import, kept for the next one (in the import's own transaction)."""
    for source, labels in remember.items():
        for label, level in labels.items():
            db.execute(
                "INSERT OR REPLACE INTO mood_labels (source, label, level) VALUES (?, ?, ?)", [source, label, level]
            )


def saved_mood_labels(db: Connection) -> dict[str, dict[str, int]]:
    saved: dict[str, dict[str, int]] = {}
    for row in db.query("SELECT source, label, level FROM mood_labels"):
        saved.setdefault(row["source"], {})[row["label"]] = row["level"]
    return saved


def _count(counter: dict[str, int], table: str) -> None:
    counter[table] = counter.get(table, 0) + 1


def _explain(error: sqlite3.IntegrityError) -> str:
    message = str(error)
    if "FOREIGN KEY" in message:
        return "refers to an entry that is not in the file or the database"
    if "CHECK" in message:
        return f"a value is outside what ketalog allows ({message})"
    if "NOT NULL" in message:
        return f"a required value is missing ({message.split(': ')[-1]})"
    return message
