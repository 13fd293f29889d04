"""Missing-value tests shared by every module (no pandas import needed).

A table cell read by the loader is a Python value, ``None``, ``float('nan')``, or
pandas' ``NA``/``NaT`` (nullable integer columns). These two functions are the one
place that knows all four.
"""

from __future__ import annotations

import math

_MISSING_TYPES = ("NAType", "NaTType")


def is_missing(v) -> bool:
    """Tell whether a cell value is missing: None, NaN, ``pandas.NA`` or ``pandas.NaT``.

    Parameters
    ----------
    v : object
        Any cell value.

    Returns
    -------
    bool
        True when ``v`` is one of the four missing markers; False for anything else,
        including empty strings and zero.

    Examples
    --------
    >>> is_missing(float("nan")), is_missing(0)
    (True, False)
    """
    if v is None or type(v).__name__ in _MISSING_TYPES:
        return True
    return isinstance(v, float) and math.isnan(v)


def is_number(v) -> bool:
    """Tell whether a value is present and reads as a number.

    Parameters
    ----------
    v : object
        Any cell value (number, numeric string, None, NaN, text...).

    Returns
    -------
    bool
        True when ``v`` is not missing and ``float(v)`` gives a number other than NaN;
        False for missing values and for text that is not a number.

    Examples
    --------
    >>> is_number("2.5"), is_number("n/a"), is_number(None)
    (True, False, False)
    """
    if is_missing(v):
        return False
    try:
        return not math.isnan(float(v))
    except (TypeError, ValueError):
        return False
