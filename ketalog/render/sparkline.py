"""Unicode sparklines: a row of block characters for a short series of numbers."""

from __future__ import annotations

from collections.abc import Sequence

BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None], low: float | None = None, high: float | None = None) -> str:
    """One block per value, scaled between ``low`` and ``high`` (default: the series' own range)."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low = min(present) if low is None else low
    high = max(present) if high is None else high
    span = high - low
    out = []
    for value in values:
        if value is None:
            out.append(" ")
            continue
        index = 0 if span == 0 else round((value - low) / span * (len(BLOCKS) - 1))
        out.append(BLOCKS[max(0, min(len(BLOCKS) - 1, index))])
    return "".join(out)
