"""Table cells as display text: the small formatting rules the report and its exports share.

Every function here returns plain text (never HTML): escaping is the templates' job.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal

from evidence_lib._values import is_missing


def cell_text(value) -> str:
    """A table cell as text.

    Parameters
    ----------
    value : object
        A cell as the loader returns it (text, number, None, NaN or pandas' NA).

    Returns
    -------
    str
        ``''`` for a missing value, ``'3'`` for the float ``3.0``, else ``str(value)``.
    """
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def number_text(value) -> str:
    """A number as reported: no trailing zeros, no exponent, a real minus sign (U+2212).

    Parameters
    ----------
    value : float or None
        The number (missing values give ``''``).

    Returns
    -------
    str
        E.g. ``'−9.22'`` for ``-9.22``, ``'0.0000087'`` for ``8.7e-06``, ``'0'`` for ``-0.0``.
    """
    if is_missing(value):
        return ""
    s = format(Decimal(repr(float(value))), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s in ("-0", ""):
        s = "0"
    return s.replace("-", "\u2212") if s.startswith("-") else s


def _sortable(v):
    if v is None:
        return (1, "")
    if isinstance(v, (int, float)):
        return (0, float(v), "")
    return (0, math.inf, str(v))


def records(df, *, sort_by: Iterable[str] = ()) -> list[dict]:
    """Rows of a DataFrame as dicts, missing values as None, optionally sorted.

    Parameters
    ----------
    df : pandas.DataFrame or None
        The table (None or an empty table gives ``[]``).
    sort_by : iterable of str
        Columns to sort by, in order; columns the table lacks are ignored. Numbers sort
        before text, missing values last, so the order is total and deterministic.

    Returns
    -------
    list of dict
    """
    if df is None or len(df) == 0:
        return []
    recs = [{k: (None if is_missing(v) else v) for k, v in r.items()} for r in df.to_dict("records")]
    keys = [k for k in sort_by if k in df.columns]
    if keys:
        recs.sort(key=lambda r: tuple(_sortable(r[k]) for k in keys))
    return recs


def source_short(source: dict | None) -> str:
    """A source as ``'<first author> <year>'`` (``''`` for no source).

    Parameters
    ----------
    source : dict or None
        A row of the sources table.

    Returns
    -------
    str
    """
    if not source:
        return ""
    return f"{cell_text(source.get('first_author'))} {cell_text(source.get('year'))}".strip()


def sources_by_id(ds) -> dict[str, dict]:
    """The sources table as ``{source_id: row}``.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    dict of str to dict
    """
    return {r["source_id"]: r for r in records(ds.sources, sort_by=("source_id",))}
