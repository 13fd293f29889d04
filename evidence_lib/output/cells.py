"""Table cells as display text: the small formatting rules the report and its exports share.

Every function here returns plain text (never HTML): escaping is the templates' job.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal

from evidence_lib._values import author_surname, is_missing
from evidence_lib.dataset.derived import per_dataset
from evidence_lib.vocab import TERM_WINDOWS


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
    """A source as ``'<first author's surname> <year>'`` (``''`` for no source), as figures name it.

    A source whose record names no author is named by its journal and year
    (``'Lancet 1980'``), else by the first words of its title: never by an empty label
    or a placeholder author.

    Parameters
    ----------
    source : dict or None
        A row of the sources table.

    Returns
    -------
    str

    Examples
    --------
    >>> source_short({"first_author": "Haake M", "year": 2007})
    'Haake 2007'
    >>> source_short({"journal": "Lancet", "year": 1980, "title": "Increased beta-endorphin"})
    'Lancet 1980'
    >>> source_short({"title": "Deep dry needling with and without needle manipulation: thresholds"})
    '“Deep dry needling with and without…”'
    """
    if not source:
        return ""
    author = author_surname(source.get("first_author")) or cell_text(source.get("journal"))
    if not author:
        author = short_title(source.get("title"))
    return f"{author} {cell_text(source.get('year'))}".strip()


def short_title(title, *, words: int = 6) -> str:
    """The first ``words`` words of a title, in quotation marks, with an ellipsis when cut.

    Parameters
    ----------
    title : str or None
    words : int
        How many words to keep.

    Returns
    -------
    str
        ``''`` for no title.
    """
    parts = cell_text(title).split()
    if not parts:
        return ""
    cut = len(parts) > words
    text = " ".join(parts[:words]).rstrip(",;:.")
    return "\u201c" + text + ("\u2026" if cut else "") + "\u201d"


@per_dataset
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


def timepoint_text(timepoint, term) -> str:
    """A timepoint with its term and the term's window, as readers see it.

    A source's timepoint that already names the term in the source's own window (a review's
    "intermediate term (6 to <12 months after end of treatment)") is marked as the source's,
    so that it is not read as this report's window.

    Parameters
    ----------
    timepoint : str or None
        The timepoint as the source gave it ("6 months", "<3 months").
    term : str or None
        The time-horizon code the row was classed in (``vocab.TERM_WINDOWS``).

    Returns
    -------
    str
        "6 months (intermediate term: over 13 to under 52 weeks after randomisation)"; the term
        with its window alone where no timepoint is recorded; the timepoint alone without a term.
    """
    tp = cell_text(timepoint)
    if not term:
        return tp
    label = f"{term} term"
    window = TERM_WINDOWS.get(term)
    ours = f"{label}: {window}" if window else label
    if not tp or tp.lower().replace("-", " ") == label:
        return ours
    return f"as the source defines it: {tp}" if label in tp.lower().replace("-", " ") else f"{tp} ({ours})"
