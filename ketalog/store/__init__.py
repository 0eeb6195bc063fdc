"""Every query about entries, behind functions that take and return plain records.

Each logical entry is written in one transaction (``db.writing``), so a crash
or a second process can never leave half an entry. Reads return dataclasses
from ``ketalog.models``. Every query about entries is here; the only other SQL
is the schema (``migrations``), file-level pragmas and checks (``db``,
``crypto``) and the bulk copy of whole tables on export and import
(``formats.ketalog_json``, ``formats.apply``).
"""

from ketalog.store.bookkeeping import (  # noqa: F401
    backup_paths,
    confirmed_sources,
    import_sources,
    record_backup,
    scale_directions,
    set_scale_direction,
)
from ketalog.store.entries import (  # noqa: F401  # noqa: F401  (tests and formats read through them)
    JOURNAL_EXCERPTS,
    KINDS,
    TAGGED,
    Kind,
    _load,
    _records,
    _select,
    _where_time,
    count_rows,
    counts,
    courses,
    delete,
    existing_instrument_name,
    find,
    get,
    ids_starting,
    insert,
    insert_row,
    last_session,
    last_session_before,
    last_session_by_route,
    last_visit,
    list_entries,
    new_id,
    nth_latest_session_at,
    remove_row,
    session_number,
    sessions_without_drug,
    surveys_of,
    update,
    update_row,
)
from ketalog.store.longterm import (  # noqa: F401
    followups,
    integration_notes,
    labs,
    last_followup_at,
    mark_imported,
    reflection_facts,
)
from ketalog.store.medicines import (  # noqa: F401
    medication_events,
    medications,
    medicine,
    record_medication,
)
from ketalog.store.plan import (  # noqa: F401
    move_planned,
    plan_days,
    planned,
    remove_planned,
)
from ketalog.store.reads import (  # noqa: F401
    course_readings,
    first_entry_day,
    home_readings,
    instrument_means_by,
    last_checkin_at,
    last_scored_at,
    latest_rated_at,
    period_scores,
    period_sessions,
    phone_days,
    phone_means_by,
    rating_means_by,
    reflections,
    report_inputs,
    report_medication_events,
    session_notes,
    sessions_between,
    text_mentions,
    trend_inputs,
)
