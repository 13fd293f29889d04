"""Missing-value tests shared by every module (no pandas import needed).

A table cell read by the loader is a Python value, ``None``, ``float('nan')``, or
pandas' ``NA``/``NaT`` (nullable integer columns). These two functions are the one
place that knows all four.
"""

from __future__ import annotations

import math

_MISSING_TYPES = ("NAType", "NaTType")


def is_missing(v) -> bool:
    """True for None, NaN, ``pandas.NA`` and ``pandas.NaT``."""
    if v is None or type(v).__name__ in _MISSING_TYPES:
        return True
    return isinstance(v, float) and math.isnan(v)


def is_number(v) -> bool:
    """True for a present value that reads as a number (not missing, not NaN, not text)."""
    if is_missing(v):
        return False
    try:
        return not math.isnan(float(v))
    except (TypeError, ValueError):
        return False
