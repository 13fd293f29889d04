"""Missing-value tests and the one number formatter, shared by every module (no pandas import needed).

A table cell read by the loader is a Python value, ``None``, ``float('nan')``, or
pandas' ``NA``/``NaT`` (nullable integer columns). :func:`is_missing` and
:func:`is_number` are the one place that knows all four. :func:`decimal_text` writes a
number as readers see it everywhere (fixed decimals, a true minus sign U+2212),
:func:`interval_text` an estimate with its interval as ``'−10.2 [−15.0, −5.4]'``, and
:func:`chance_text` a posterior probability (or a range of them) as a percentage.
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


#: The minus sign readers see (U+2212), never the hyphen-minus.
MINUS = "\u2212"


def decimal_text(value, decimals: int) -> str:
    """A number with a fixed count of decimals and a true minus sign; ``''`` when missing.

    Parameters
    ----------
    value : float, int, numeric str or None
        The number.
    decimals : int
        Decimals shown.

    Returns
    -------
    str
        E.g. ``'−8.6'`` for ``-8.62`` with one decimal; ``'0.0'`` (no sign) for a value
        that rounds to zero; ``''`` for a missing value or text that is not a number.

    Examples
    --------
    >>> decimal_text(-8.62, 1), decimal_text(-0.04, 1), decimal_text(None, 1)
    ('\u22128.6', '0.0', '')
    """
    if not is_number(value):
        return ""
    s = f"{float(value):.{decimals}f}"
    if s.startswith("-"):
        s = s[1:] if float(s[1:]) == 0 else MINUS + s[1:]
    return s


def interval_text(estimate, low, high, decimals: int, *, plus: bool = False) -> str:
    """An estimate with its interval as the report prints it: ``'−10.2 [−15.0, −5.4]'``.

    Parameters
    ----------
    estimate, low, high : float or None
        The estimate and the ends of its interval.
    decimals : int
        Decimals shown (:func:`decimal_text`).
    plus : bool, optional
        Print a plus sign before a positive estimate (``'+20.2 [13.4, 26.7]'``), for a
        difference shown on its natural scale where the sign carries the direction.

    Returns
    -------
    str
        The estimate alone when an end of the interval is missing; ``''`` when the
        estimate is missing.

    Examples
    --------
    >>> interval_text(-8.62, -11.13, -6.11, 1)
    '\u22128.6 [\u221211.1, \u22126.1]'
    >>> interval_text(20.2, 13.4, 26.7, 1, plus=True)
    '+20.2 [13.4, 26.7]'
    """
    est = decimal_text(estimate, decimals)
    if plus and est and not est.startswith(MINUS) and float(est) != 0:
        est = "+" + est
    if not est or not (is_number(low) and is_number(high)):
        return est
    return f"{est} [{decimal_text(low, decimals)}, {decimal_text(high, decimals)}]"


def printed_decimals(*values, most: int = 4) -> int | None:
    """The decimals needed to print every value as it was reported, so that no digit is lost.

    An estimate and its interval are printed with one count of decimals (:func:`interval_text`);
    this chooses it from the values as reported: the most decimals any of them carries in its
    shortest form (``-0.4`` carries 1, ``-0.98`` carries 2), so ``(-0.69, -0.98, -0.4)`` is
    printed ``'−0.69 [−0.98, −0.40]'``.

    Parameters
    ----------
    *values : float, int, numeric str or None
        The estimate and the ends of its interval; missing values are skipped.
    most : int, optional
        A value needing more decimals than this was computed, not reported: the answer is then
        None and the caller uses its own rule for computed values.

    Returns
    -------
    int or None
        The decimals (0 for whole numbers or when every value is missing), or None when a
        value needs more than ``most``.

    Examples
    --------
    >>> printed_decimals(-0.69, -0.98, -0.4), printed_decimals(-8, -13.2, -2.8), printed_decimals(1 / 3)
    (2, 1, None)
    """
    found = 0
    for v in values:
        if not is_number(v):
            continue
        text = repr(float(v))
        if "e" in text or "E" in text:
            return None
        decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
        if decimals > most:
            return None
        found = max(found, decimals)
    return found


def rate_text(value) -> str:
    """A rate (events per 10,000) as every table, card and figure of the report prints it.

    Two significant figures below 10, trailing zeros kept (``'1.0'``, ``'0.087'``); whole
    numbers with thousands separators from 10 up (``'931'``, ``'1,462'``); ``'0'`` for zero;
    ``''`` for a missing value.

    Parameters
    ----------
    value : float, int, numeric str or None
        The rate.

    Returns
    -------
    str

    Examples
    --------
    >>> rate_text(1.01), rate_text(0.0872), rate_text(1462.0), rate_text(0), rate_text(None)
    ('1.0', '0.087', '1,462', '0', '')
    """
    if not is_number(value):
        return ""
    v = float(value)
    if v == 0:
        return "0"
    if abs(v) >= 9.95:
        return f"{v:,.0f}"
    return f"{v:#.2g}".rstrip(".")


#: The percentages a chance is capped at: never printed as a certain 100% or an impossible 0%.
CHANCE_CAP_HIGH, CHANCE_CAP_LOW = "more than 99.9%", "less than 0.1%"


def _chance_number(percent: float, decimals: int) -> str:
    text = f"{percent:.{decimals}f}"
    if float(text) >= 100:
        return CHANCE_CAP_HIGH
    if float(text) <= 0:
        return CHANCE_CAP_LOW
    return text + "%"


def chance_text(probability, high=None) -> str:
    """A posterior probability, or a range of them, as a percentage readers see everywhere.

    The one formatter of Bayesian chances (the Summary of Findings' range, the sentences of
    :func:`evidence_lib.review.bayes.plain_words` and the legend of
    :func:`evidence_lib.plotting.bayes.posterior_density`). Rules:

    - whole percentages while every value lies from 1% to 99% (``'81%'``, ``'3-9%'``);
    - one decimal, for both ends of a range, as soon as a value lies above 99% or below 1%,
      so that 0.998 prints ``'99.8%'`` and not a rounded, certain-looking ``'100%'``
      (``'98.6-99.8%'``, ``'0.4%'``);
    - a value that would still print as 100.0% or 0.0% is capped just inside:
      ``'more than 99.9%'``, ``'less than 0.1%'`` (a capped end of a range reads
      ``'99.2% to more than 99.9%'``);
    - a range whose two ends print alike is printed once.

    The ends of a range are joined by a hyphen, as every range is stored; the report
    typesets it as an en dash (``'98.6–99.8%'``; :func:`evidence_lib.output.typeset`).

    Parameters
    ----------
    probability : float
        The probability, from 0 to 1; the low end of the range when ``high`` is given.
    high : float, optional
        The high end of the range, from ``probability`` to 1; None for a single value.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If a probability is not a number from 0 to 1, or ``high`` is below ``probability``.

    Examples
    --------
    >>> chance_text(0.807), chance_text(0.998), chance_text(0.99996), chance_text(0.0003)
    ('81%', '99.8%', 'more than 99.9%', 'less than 0.1%')
    >>> chance_text(0.986, 0.998), chance_text(0.026, 0.086), chance_text(0.992, 0.9999)
    ('98.6-99.8%', '3-9%', '99.2% to more than 99.9%')
    """
    ends = {"probability": probability} if high is None else {"probability": probability, "high": high}
    for name, value in ends.items():
        if not is_number(value) or not 0 <= float(value) <= 1:
            raise ValueError(f"{name} is {value!r}; a chance is a probability from 0 to 1 (not a percentage)")
    low = 100 * float(probability)
    top = low if high is None else 100 * float(high)
    if top < low:
        raise ValueError(f"high ({high!r}) is below probability ({probability!r}); pass the range low end first")
    decimals = 1 if top > 99 or low < 1 else 0
    a, b = _chance_number(low, decimals), _chance_number(top, decimals)
    if a == b:
        return a
    if {a, b} & {CHANCE_CAP_HIGH, CHANCE_CAP_LOW}:
        return f"{a} to {b}"
    return f"{a[:-1]}-{b}"


def author_surname(first_author) -> str:
    """A first author as tables and figures name a source: the surname, without initials.

    The sources table writes authors Vancouver style ("Bäumler P", "de Carvalho RC"); a last
    word of at most three capitals (with or without full stops) is the initials and is dropped.
    An organisation ("National Guideline Centre") or a surname alone is kept whole.

    Parameters
    ----------
    first_author : str or None
        ``sources.first_author``.

    Returns
    -------
    str
        ``''`` for a missing author.

    Examples
    --------
    >>> author_surname("Bäumler P"), author_surname("de Carvalho RC"), author_surname("National Guideline Centre")
    ('Bäumler', 'de Carvalho', 'National Guideline Centre')
    """
    import re

    if is_missing(first_author):
        return ""
    words = str(first_author).replace(",", " ").split()
    if len(words) > 1 and re.fullmatch(r"(?:[A-Z]\.?){1,3}", words[-1]):
        words = words[:-1]
    return " ".join(words)
