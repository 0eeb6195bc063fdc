"""Compatibility: the engine moved to ``ketalog.reading``; this module re-exports its names."""

from __future__ import annotations

from ketalog.courses import SCORE_LOOKBACK  # noqa: F401
from ketalog.reading.flags import (  # noqa: F401
    find_flags,
    gap_after,
    improvement_seen,
    mood_returning,
    reassess_flag,
    symptom_return,
    unmarked_gap,
)
from ketalog.reading.model import (  # noqa: F401
    Finding,
    InstrumentResult,
    RatingResult,
    Report,
    SafetyFacts,
)
from ketalog.reading.ratings import (  # noqa: F401
    main_source,
    rating_baseline,
    rating_recent,
    rating_results,
    rating_status,
    same_scale,
    weekly_series,
)
from ketalog.reading.report import (  # noqa: F401
    build_report,
    course_summary,
    durability_of,
    excerpt,
    medication_section,
    session_rows,
)
from ketalog.reading.rules import (  # noqa: F401
    ACUTE_AFTER,
    BLADDER_PATTERN,
    BLADDER_WORDS,
    BP_AFTER,
    BP_BEFORE,
    BP_CRISIS,
    COMPARE_AFTER,
    COURSE_HORIZON,
    DISSOCIATION_RISE,
    DISSOCIATION_SESSIONS,
    DRIFT_MARGIN,
    DRIFT_WINDOW,
    HEART_RATE_HIGH,
    HEART_RATE_LOW,
    HIGHER_IS_BETTER,
    MEDICATION_NEAR,
    MIN_CHECKINS,
    MOOD_FLOOR,
    RATING_LABELS,
    RATING_THRESHOLD,
    REASSESS,
    REASSESS_UNTIL,
    RECALL_COMPARE,
    RELIEF_AFTER,
    RELIEF_BEFORE,
    RELIEF_MIN_LIFT,
    RELIEF_MIN_SESSIONS,
    SAFETY_ITEMS,
    SCORE_EARLY_AFTER,
    SOME_IMPROVEMENT_FALL,
    SPARKLINE_WEEKS,
    STEADIER_SD_DROP,
    SYMPTOM_RETURN_INSTRUMENTS,
    WINDOW,
)
from ketalog.reading.scores import (  # noqa: F401
    compare_after,
    compare_with_baseline,
    instrument_name,
    instrument_results,
    meets_caseness,
    safety_facts,
    score_baseline,
    score_outcome,
    some_improvement,
)
from ketalog.reading.signs import (  # noqa: F401
    _rating_evidence,
    find_signs,
    mood_after_sessions,
    mood_steadier,
)
from ketalog.reading.trends import (  # noqa: F401
    TREND_DEFAULT_ROWS,
    build_trends,
    session_intervals,
    trend_rows,
    trend_start,
)
from ketalog.reading.vitals import (  # noqa: F401
    READINGS_LISTED,
    _latest_listed,
    bladder_flag,
    blood_pressure_flags,
    dissociation_rising,
    heart_rate_flag,
    medication_note,
    side_effect_counts,
)
from ketalog.reading.windows import (  # noqa: F401
    Reading,
    _day,
    _in_period,
    _iso,
    _listing,
    _mean,
    _rated,
    _values,
    acute,
    horizon_start,
    mood_readings,
    outcome_readings,
    recent_start,
    trailing_means,
)
from ketalog.validation import RATING_NAMES, RATINGS  # noqa: F401
