"""The database schema, as an append-only list of named migrations.

Never edit or reorder a migration that has shipped: add a new one. The schema
version a user sees is the number of ketalog migrations applied to their file.
Tables use plain SQL so that CHECK constraints and ON DELETE CASCADE foreign
keys are part of the schema other tools (sqlite3, Datasette) see.
"""

from __future__ import annotations

MIGRATION_SET = "ketalog"
MIGRATION_NAMES: list[str] = []
MIGRATION_FUNCTIONS: list = []  # in order, so `check` can rebuild the schema any version should have


def migration(name: str):
    """Register a migration under a stable name; the order of calls is the order applied."""

    def register(function):
        MIGRATION_NAMES.append(name)
        MIGRATION_FUNCTIONS.append(function)
        return function

    return register


def build_migrations():
    """sqlite-utils' migration runner with every ketalog migration, built only when one is pending:
    opening an up-to-date file compares names and never imports sqlite-utils."""
    from sqlite_utils.migrations import Migrations

    runner = Migrations(MIGRATION_SET)
    for name, function in zip(MIGRATION_NAMES, MIGRATION_FUNCTIONS, strict=True):
        runner(name=name)(function)
    return runner


def apply_migrations(db, stop_before: str | None = None) -> None:
    build_migrations().apply(db, stop_before=stop_before)


def expected_schema(version: int) -> set[tuple[str, str, str]]:
    """(type, name, SQL) of every table, index and trigger that ``version`` migrations create."""
    import sqlite3

    from sqlite_utils import Database

    db = Database(sqlite3.connect(":memory:"), execute_plugins=False)
    for function in MIGRATION_FUNCTIONS[:version]:
        function(db)
    schema = schema_of(db.conn)
    db.close()
    return schema


def schema_of(conn) -> set[tuple[str, str, str]]:
    """The schema objects ketalog owns in a connection's main database, SQL with whitespace folded."""
    return {
        (kind, name, " ".join((sql or "").split()))
        for kind, name, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND tbl_name != ?",
            ["_sqlite_migrations"],
        )
    }


_TIME_COLUMNS = """
    at TEXT NOT NULL,            -- UTC, ISO 8601 'YYYY-MM-DDTHH:MM:SSZ'
    utc_offset INTEGER NOT NULL, -- minutes east of UTC where the user was
    local_date TEXT NOT NULL,    -- the user's calendar day 'YYYY-MM-DD'
"""
_AUDIT_COLUMNS = """
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
"""


def _rating(name: str) -> str:
    return f"{name} INTEGER CHECK ({name} BETWEEN 0 AND 10),"


@migration("001_sessions_checkins_journal")
def m001_sessions_checkins_journal(db):
    db.execute(f"""
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            {_TIME_COLUMNS}
            route TEXT NOT NULL CHECK (route IN ('iv','im','intranasal','oral','sublingual','other')),
            dose_amount REAL CHECK (dose_amount > 0),
            dose_unit TEXT CHECK (dose_unit IN ('mg','mg/kg')),
            duration_min INTEGER CHECK (duration_min BETWEEN 1 AND 600),
            clinic TEXT,
            provider TEXT,
            {_rating("dissociation")}
            bp_before_sys INTEGER CHECK (bp_before_sys BETWEEN 50 AND 260),
            bp_before_dia INTEGER CHECK (bp_before_dia BETWEEN 30 AND 160),
            bp_after_sys INTEGER CHECK (bp_after_sys BETWEEN 50 AND 260),
            bp_after_dia INTEGER CHECK (bp_after_dia BETWEEN 30 AND 160),
            heart_rate INTEGER CHECK (heart_rate BETWEEN 20 AND 250),
            cost REAL CHECK (cost >= 0),
            therapy INTEGER CHECK (therapy IN (0, 1)),
            intention TEXT,
            note TEXT,
            {_AUDIT_COLUMNS}
        )""")
    db.execute("""
        CREATE TABLE side_effects (
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            PRIMARY KEY (session_id, name)
        )""")
    db.execute(f"""
        CREATE TABLE checkins (
            id TEXT PRIMARY KEY,
            {_TIME_COLUMNS}
            {_rating("mood")}
            {_rating("anxiety")}
            {_rating("pain")}
            {_rating("energy")}
            {_rating("motivation")}
            {_rating("sleep")}
            {_rating("thoughts")}
            sleep_hours REAL CHECK (sleep_hours BETWEEN 0 AND 24),
            note TEXT,
            {_AUDIT_COLUMNS}
        )""")
    db.execute(f"""
        CREATE TABLE journal (
            id TEXT PRIMARY KEY,
            {_TIME_COLUMNS}
            text TEXT NOT NULL,
            {_AUDIT_COLUMNS}
        )""")
    db.execute("""
        CREATE TABLE journal_tags (
            journal_id TEXT NOT NULL REFERENCES journal(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (journal_id, tag)
        )""")
    for table in ("sessions", "checkins", "journal"):
        db.execute(f"CREATE INDEX idx_{table}_at ON {table}(at)")
    db.execute("CREATE INDEX idx_side_effects_name ON side_effects(name)")
    db.execute("CREATE INDEX idx_journal_tags_tag ON journal_tags(tag)")


@migration("002_surveys")
def m002_surveys(db):
    db.execute(f"""
        CREATE TABLE surveys (
            id TEXT PRIMARY KEY,
            {_TIME_COLUMNS}
            instrument TEXT NOT NULL,   -- 'phq9', 'phq2', 'gad7', 'pcl5', or a logged scale's name
            answers TEXT,               -- JSON array of item answers in order; null for a logged total
            total INTEGER NOT NULL CHECK (total >= 0),
            band TEXT,                  -- published severity band; null where none exists
            difficulty INTEGER CHECK (difficulty BETWEEN 0 AND 3),
            {_AUDIT_COLUMNS}
        )""")
    db.execute("CREATE INDEX idx_surveys_instrument_at ON surveys(instrument, at)")
    db.execute("CREATE INDEX idx_surveys_at ON surveys(at)")


@migration("003_checkin_tags")
def m003_checkin_tags(db):
    # Activities brought in from mood apps (Daylio) are kept as check-in tags.
    db.execute("""
        CREATE TABLE checkin_tags (
            checkin_id TEXT NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (checkin_id, tag)
        )""")
    db.execute("CREATE INDEX idx_checkin_tags_tag ON checkin_tags(tag)")


@migration("004_surveys_skipped_items")
def m004_surveys_skipped_items(db):
    # Unanswered items (null in `answers`) may leave no total (too many to prorate), so `total`
    # becomes nullable; `prorated` says the total came from the answered items. SQLite cannot
    # relax NOT NULL in place: the table is rebuilt (nothing references it).
    db.execute(f"""
        CREATE TABLE surveys_new (
            id TEXT PRIMARY KEY,
            {_TIME_COLUMNS}
            instrument TEXT NOT NULL,   -- 'phq9', 'phq2', 'gad7', 'pcl5', a known clinician scale, or a name
            answers TEXT,               -- JSON array of item answers in order (null = skipped); null for a logged total
            total INTEGER CHECK (total >= 0),  -- null when too many items were skipped to score
            band TEXT,                  -- published severity band; null where none exists
            difficulty INTEGER CHECK (difficulty BETWEEN 0 AND 3),
            prorated INTEGER NOT NULL DEFAULT 0 CHECK (prorated IN (0, 1)),
            {_AUDIT_COLUMNS}
        )""")
    db.execute("""
        INSERT INTO surveys_new (id, at, utc_offset, local_date, instrument, answers, total, band, difficulty,
                                 created_at, updated_at)
        SELECT id, at, utc_offset, local_date, instrument, answers, total, band, difficulty, created_at, updated_at
        FROM surveys""")
    db.execute("DROP TABLE surveys")
    db.execute("ALTER TABLE surveys_new RENAME TO surveys")
    db.execute("CREATE INDEX idx_surveys_instrument_at ON surveys(instrument, at)")
    db.execute("CREATE INDEX idx_surveys_at ON surveys(at)")
    # A band is always computed from the total (an import once kept a stale one), and the known
    # clinician scales are stored under one id however they were typed ("MADRS", "Madrs").
    rows = list(db.query("SELECT id, instrument, total FROM surveys"))
    if not rows:
        return  # a new file: nothing to recompute, and `add` need not load the questionnaires
    from ketalog import instruments

    for row in rows:
        known = instruments.INSTRUMENTS.get(row["instrument"])
        scale = instruments.normalise_id(row["instrument"])
        if known is not None:
            db.execute("UPDATE surveys SET band = ? WHERE id = ?", [known.band(row["total"]), row["id"]])
        elif scale in instruments.CLINICIAN_SCALES:
            db.execute("UPDATE surveys SET instrument = ?, band = NULL WHERE id = ?", [scale, row["id"]])


@migration("005_sessions_new_course")
def m005_sessions_new_course(db):
    # A session that starts a new treatment course (a re-induction after a break): baselines,
    # phases and the reassess rule then count from it (docs/progress-rules.md, "Courses").
    db.execute("ALTER TABLE sessions ADD COLUMN new_course INTEGER NOT NULL DEFAULT 0 CHECK (new_course IN (0, 1))")


@migration("006_mood_labels")
def m006_mood_labels(db):
    # How another app's mood labels map onto its own scale (Daylio: 1-5), remembered per app so
    # a renamed mood is asked once, not at every import.
    db.execute("""
        CREATE TABLE mood_labels (
            source TEXT NOT NULL,   -- the app: 'daylio'
            label TEXT NOT NULL,    -- the label as the app exports it, lower-cased
            level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
            PRIMARY KEY (source, label)
        )""")


@migration("007_planned_sessions")
def m007_planned_sessions(db):
    # The treatment plan: sessions booked ahead, by local day. A planned day is "done" when a session
    # is logged that day (computed, never stored, so the two can never disagree).
    db.execute("""
        CREATE TABLE planned_sessions (
            id TEXT PRIMARY KEY,
            local_date TEXT NOT NULL UNIQUE,   -- 'YYYY-MM-DD'
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""")


@migration("008_medications_session_notes")
def m008_medications_session_notes(db):
    # Other medicines (reference section 5). A medicine is keyed by its lower-cased name, so the same
    # medicine recorded on two machines, or arriving from Bearable, merges into one; what happened to
    # it (started, dose changed, stopped, an as-needed dose taken) is a dated entry like any other.
    db.execute(f"""
        CREATE TABLE medications (
            key TEXT PRIMARY KEY,      -- the name, trimmed and lower-cased
            name TEXT NOT NULL,        -- as first written
            class TEXT NOT NULL CHECK (class IN ('benzodiazepine','lamotrigine','psychostimulant','maoi',
                'opioid','ssri','snri','antipsychotic','lithium','other')),
            schedule TEXT,             -- 'daily', 'twice daily', 'as needed' or the person's words
            note TEXT,
            {_AUDIT_COLUMNS}
        )""")
    db.execute(f"""
        CREATE TABLE medication_events (
            id TEXT PRIMARY KEY,
            {_TIME_COLUMNS}
            medication TEXT NOT NULL REFERENCES medications(key) ON UPDATE CASCADE ON DELETE CASCADE,
            event TEXT NOT NULL CHECK (event IN ('start','change','stop','took')),
            dose TEXT,                 -- as written: '0.5 mg', '2 x 10 mg'
            schedule TEXT,
            note TEXT,
            {_AUDIT_COLUMNS}
        )""")
    db.execute("CREATE INDEX idx_medication_events_at ON medication_events(at)")
    db.execute("CREATE INDEX idx_medication_events_medication ON medication_events(medication, at)")
    # A journal note about one session (its reflection): the note stays if the session is deleted.
    db.execute("ALTER TABLE journal ADD COLUMN session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL")
    db.execute("CREATE INDEX idx_journal_session ON journal(session_id)")


@migration("009_visits")
def m009_visits(db):
    # Appointments with the prescriber or therapist: "what changed since my last visit" needs their dates.
    # A visit is a dated entry like any other (list, show, edit, delete, export and import).
    db.execute(f"""
        CREATE TABLE visits (
            id TEXT PRIMARY KEY,
            {_TIME_COLUMNS}
            note TEXT,                 -- who, where, what was decided
            {_AUDIT_COLUMNS}
        )""")
    db.execute("CREATE INDEX idx_visits_at ON visits(at)")


@migration("010_seen_flags_backups_scale_names")
def m010_seen_flags_backups_scale_names(db):
    # Which "to discuss" flags a person has been shown, and on which day: kept in the database so that
    # it is encrypted with it (it used to be a plaintext `<db>.seen` file beside an encrypted one).
    # Bookkeeping of the screen, not the diary: never exported, never imported.
    db.execute("""
        CREATE TABLE seen_flags (
            key TEXT PRIMARY KEY,       -- a hash of the flag's id and title
            last_shown TEXT NOT NULL    -- YYYY-MM-DD
        )""")
    # Where every `ketalog backup` went, so `encrypt` can name the plain copies made to any path, not only
    # those with the default name beside the database.
    db.execute("""
        CREATE TABLE backups (
            path TEXT PRIMARY KEY,      -- absolute path as written
            made_at TEXT NOT NULL       -- UTC
        )""")
    # Where a check-in came from: null for one typed into ketalog, else the app it was imported from
    # ("daylio", "emoods", ...). Another app's ratings sit on its own scale (Daylio's five levels mapped to
    # 0-10): a baseline built from them is labelled, and not compared across scales unless confirmed.
    db.execute("ALTER TABLE checkins ADD COLUMN source TEXT")
    # A scale ketalog does not know says nothing better or worse until the person says, once, which way is
    # better (`survey log NAME N --higher-is-better`); remembered here, exported, never replaced by an import.
    db.execute("""
        CREATE TABLE scale_directions (
            name TEXT PRIMARY KEY,      -- as the scale is stored in surveys.instrument
            higher_is_better INTEGER NOT NULL CHECK (higher_is_better IN (0, 1))
        )""")
    # Imports once stored questionnaires under the name the file gave ("PHQ-9", "phq 9"): such a PHQ-9
    # was a free-form scale whose item 9 no safety rule read. Every name is now the instrument's id.
    names = [row["instrument"] for row in db.query("SELECT DISTINCT instrument FROM surveys")]
    if not names:
        return  # a new file: nothing to rename or band, and `add` need not load the questionnaires
    from ketalog import instruments

    for name in names:
        known = instruments.normalise_id(name)
        if known == name or (known not in instruments.INSTRUMENTS and known not in instruments.CLINICIAN_SCALES):
            continue
        for row in list(db.query("SELECT id, answers, total FROM surveys WHERE instrument = ?", [name])):
            fields = instruments.rescored(known, row["answers"], row["total"])
            if fields is not None:  # answers that do not fit the instrument stay as they were, under their name
                db.execute(
                    "UPDATE surveys SET instrument = ?, total = ?, band = ?, prorated = ? WHERE id = ?",
                    [known, fields["total"], fields["band"], fields["prorated"], row["id"]],
                )
    # The clinician scales gained their published bands (reference section 5, 2026-12-03): every stored
    # total of one is banded as a new one would be.
    for key, scale in instruments.CLINICIAN_SCALES.items():
        for band in scale.bands:
            db.execute(
                "UPDATE surveys SET band = ? WHERE instrument = ? AND total BETWEEN ? AND ?",
                [band.label, key, band.low, band.high],
            )


@migration("011_checkin_sources")
def m011_checkin_sources(db):
    # Check-ins imported before version 10 have no `source`, so a Daylio history of five mapped levels
    # was read as ketalog's own 0-10 scale until re-imported. An imported entry's id is the app's identity
    # of it, uuid5(app, local minute or day, position): an id that matches one is that app's entry, exactly,
    # with no guess from content. The apps and keys are those of version 10, frozen here as a migration is.
    keyed = {"daylio": "minute", "bearable": "minute", "imoodjournal": "minute", "howwefeel": "minute"}
    keyed |= {"pixels": "day", "emoods": "day"}
    rows = list(db.execute("SELECT id, at, utc_offset FROM checkins WHERE source IS NULL AND created_at = at"))
    if not rows:
        return
    from datetime import datetime, timedelta, timezone

    from ketalog.formats.records import stable_id

    found: dict[str, list[str]] = {}
    for entry_id, at, offset in rows:
        local = datetime.fromisoformat(at).astimezone(timezone(timedelta(minutes=offset or 0)))
        keys = {"minute": f"{local:%Y-%m-%d %H:%M}", "day": f"{local:%Y-%m-%d}"}
        source = next(
            (
                app
                for app, key in keyed.items()
                for position in range(4)  # the few entries one minute (or one Pixels day) can hold
                if stable_id(app, keys[key], position) == entry_id
            ),
            None,
        )
        if source is not None:
            found.setdefault(source, []).append(entry_id)
    for source, ids in found.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            db.execute(f"UPDATE checkins SET source = ? WHERE id IN ({', '.join('?' * len(chunk))})", [source, *chunk])


@migration("012_deleted_entries")
def m012_deleted_entries(db):
    # An entry deleted in ketalog came back on every re-import of the file it came from: the importer
    # saw an id it did not have and added it. Each delete leaves the id here, and an import never brings
    # a deleted id back (it counts it instead). Only ids and when: what was deleted is not kept.
    db.execute("""
        CREATE TABLE deleted_entries (
            id TEXT PRIMARY KEY,        -- the deleted entry's id
            kind TEXT NOT NULL,         -- session, checkin, journal, survey, medication or visit
            deleted_at TEXT NOT NULL    -- UTC
        )""")


@migration("013_sync_state")
def m013_sync_state(db):
    # `ketalog sync DIR`: this device's id (made once, so its file in the shared folder keeps its name),
    # where it was made (a database copied to another machine must not write under the same name), and
    # when each other device's file was last read (so an edit here that a newer one replaced is named).
    # Never exported: two devices that hold the same diary export identical files.
    db.execute("""
        CREATE TABLE sync_state (
            key TEXT PRIMARY KEY,       -- 'device', 'home', or 'read:<device>'
            value TEXT NOT NULL
        )""")


@migration("014_session_record")
def m014_session_record(db):
    # Session record v2 (issue 27): which drug and product; the doses within a session and its timed vital
    # signs as JSON lists (the summary columns stay, derived from them by the store); self-rated sedation,
    # staff observations, when ready to leave, the lot, mood before and after. Route `buccal` joins the list.
    for column in (
        "drug TEXT CHECK (drug IN ('ketamine', 'esketamine', 'arketamine', 'other'))",
        "product TEXT",
        "doses TEXT",
        "sprays INTEGER CHECK (sprays BETWEEN 1 AND 12)",
        "vitals TEXT",
        "sedation INTEGER CHECK (sedation BETWEEN 0 AND 10)",
        "observed TEXT",
        "ready_after_min INTEGER CHECK (ready_after_min BETWEEN 0 AND 600)",
        "lot TEXT",
        "mood_before INTEGER CHECK (mood_before BETWEEN 0 AND 10)",
        "mood_after INTEGER CHECK (mood_after BETWEEN 0 AND 10)",
    ):
        db.execute(f"ALTER TABLE sessions ADD COLUMN {column}")
    # A CHECK only loosened (one more allowed route) changes no stored byte: SQLite's documented way is to
    # edit the table's SQL in the schema and bump the schema version, in the migration's own transaction
    # (a rebuild would need foreign keys off, which cannot change inside a transaction).
    old = "CHECK (route IN ('iv','im','intranasal','oral','sublingual','other'))"
    new = "CHECK (route IN ('iv','im','intranasal','oral','sublingual','buccal','other'))"
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    db.execute(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'sessions'", [old, new]
    )
    db.execute(f"PRAGMA schema_version = {version + 1}")
    db.execute("PRAGMA writable_schema = OFF")
    from ketalog import session_record

    rows = list(db.execute("SELECT * FROM sessions").fetchall())
    columns = [d[0] for d in db.execute("SELECT * FROM sessions LIMIT 0").description]
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        doses, vitals = session_record.legacy_lists(row)
        drug = session_record.inferred_drug(row["route"], row["note"], row["intention"], row["clinic"])
        db.execute(
            "UPDATE sessions SET doses = ?, vitals = ?, drug = ? WHERE id = ?",
            [session_record.encode(doses), session_record.encode(vitals), drug, row["id"]],
        )


@migration("015_followups_labs")
def m015_followups_labs(db):
    # Issue 30. The monthly long-term follow-up: ketalog's own questions (bladder, memory, use), one column
    # each, every one skippable (NULL). Labs: any result with the range the person's lab printed. Which
    # sessions `ketalog import` brought in: integration reflections are never asked of them; kept here, never
    # exported, so the same session on two devices stays byte-identical.
    choice = "{0} TEXT CHECK ({0} IN ({1}))".format
    db.execute(f"""
        CREATE TABLE followups (
            id TEXT PRIMARY KEY,
            {_TIME_COLUMNS}
            day_voids INTEGER CHECK (day_voids BETWEEN 0 AND 60),
            night_voids INTEGER CHECK (night_voids BETWEEN 0 AND 60),
            {_rating("urgency")}
            {_rating("pain_passing")}
            {choice("blood_in_urine", "'yes', 'no', 'not-sure'")},
            {_rating("suprapubic_pain")}
            {choice("memory", "'no', 'a-little', 'clearly'")},
            memory_note TEXT,
            {choice("use_outside", "'yes', 'no'")},
            {_rating("craving")}
            {choice("more_than_prescribed", "'yes', 'no', 'not-applicable'")},
            other TEXT,
            {_AUDIT_COLUMNS}
        )""")
    db.execute("CREATE INDEX idx_followups_at ON followups(at)")
    db.execute(f"""
        CREATE TABLE labs (
            id TEXT PRIMARY KEY,
            {_TIME_COLUMNS}
            name TEXT NOT NULL,        -- as the lab wrote it: ALT, AST, GGT, ALP, bilirubin, or any other
            value REAL NOT NULL,
            unit TEXT NOT NULL,
            range_low REAL,            -- the reference range the lab printed (inclusive), when given
            range_high REAL,
            note TEXT,
            {_AUDIT_COLUMNS}
        )""")
    db.execute("CREATE INDEX idx_labs_at ON labs(at)")
    db.execute("""
        CREATE TABLE imported_sessions (
            session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            imported_at TEXT NOT NULL
        )""")


@migration("016_health_data")
def m016_health_data(db):
    # Issue 31: what the phone measured, imported from Apple Health, Health Auto Export or Health Connect.
    # One value per (source, metric, local day): a re-import replaces it, never duplicates it; the source
    # is the format, not the device. Dated readings (home blood pressure, symptoms, State of Mind) are kept
    # as they were taken. Nothing here is ever merged into a session or a check-in.
    db.execute("""
        CREATE TABLE daily_metrics (
            local_date TEXT NOT NULL,   -- 'YYYY-MM-DD', the day the value belongs to
            source TEXT NOT NULL,       -- 'applehealth', 'healthautoexport', 'healthconnect'
            metric TEXT NOT NULL,       -- 'sleep_hours', 'resting_hr', 'hrv_sdnn', 'mindful_minutes', ...
            value REAL NOT NULL,
            unit TEXT NOT NULL,
            PRIMARY KEY (source, metric, local_date)
        )""")
    db.execute("""
        CREATE TABLE health_readings (
            at TEXT NOT NULL,           -- UTC, ISO 8601
            utc_offset INTEGER NOT NULL,
            local_date TEXT NOT NULL,
            source TEXT NOT NULL,
            metric TEXT NOT NULL,       -- 'blood_pressure', 'symptom', 'state_of_mind'
            name TEXT NOT NULL DEFAULT '', -- a symptom's name ('nausea'), a State of Mind's kind
            value REAL,                 -- systolic; a symptom's severity (0-3); valence (-1..1)
            value2 REAL,                -- diastolic
            detail TEXT,                -- labels and associations (State of Mind), as the app wrote them
            PRIMARY KEY (source, metric, name, at)
        )""")
    db.execute("CREATE INDEX idx_health_readings_at ON health_readings(at)")
    db.execute("CREATE INDEX idx_daily_metrics_day ON daily_metrics(local_date)")


def like_any(column: str, words) -> str:
    """``column`` containing any of ``words`` (LIKE: ASCII case ignored; the end of the text counts as a
    space), as literal SQL: a partial index's condition, and the store's query that must repeat it term for
    term for SQLite to use that index."""
    assert all(word.isascii() and "'" not in word for word in words), "plain ASCII words only"
    return "(" + " OR ".join(f"({column} || ' ') LIKE '%{word}%'" for word in words) + ")"


# The watched (bladder) words of migration 017, frozen as it shipped: `reading.rules.BLADDER_WORDS` may grow,
# and then a new migration re-creates these indexes with it (tests/test_storage.py checks the query plan).
_WATCHED_017 = (
    "bladder", "urin", "pee", "weeing", *(f"wee{end}" for end in " .,!?;:)-/\n\t"), "passing water", "toilet",
    *(f"loo{end}" for end in " .,!?;:)-/\n\t"), "urgen", "incontinen", "leak", "blood in", "cystitis", "uti",
    "dysuria", "haematuria", "hematuria", "suprapubic", "belly",
)  # fmt: skip


@migration("017_watched_text_indexes")
def m017_watched_text_indexes(db):
    # Issue 32: the report looks for bladder words in every note of its period. Scanning fifty years of
    # notes with LIKE cost ~30 ms a report; a partial index holds only the rows that contain a watched word,
    # kept by SQLite on every write, so the scan reads those few. Only speed depends on it: a query whose
    # words differ from these still gives the same rows, by a full scan.
    for name, table, key, column in (
        ("idx_journal_watched", "journal", "at", "text"),
        ("idx_checkins_watched", "checkins", "at", "note"),
        ("idx_sessions_watched", "sessions", "at", "note"),
        ("idx_side_effects_watched", "side_effects", "session_id", "name"),
    ):
        db.execute(f"CREATE INDEX {name} ON {table}({key}) WHERE {like_any(column, _WATCHED_017)}")
