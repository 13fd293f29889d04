"""Number and statistics text shared by the plot functions (RevMan-style wording), and forest alt text.

Nothing here draws; every function returns a string. Values come from the caller, and a
missing value is shown as missing, never as ``nan`` or ``None``.

References
----------
Deeks JJ, Higgins JPT. Statistical algorithms in Review Manager 5. The Cochrane
Collaboration, 2010 (the heterogeneity, overall-effect and subgroup-difference lines).
"""

from __future__ import annotations

import math

from evidence_lib._values import MINUS, is_number  # noqa: F401  (MINUS re-exported for the plot modules)
from evidence_lib._values import decimal_text as _fmt  # the package's one number formatter

_Z975 = 1.959963984540054
_isnum = is_number


def wrap_balanced(text: str, width: int) -> str:
    """``text`` wrapped to at most ``width`` characters a line, in as many lines as
    :func:`textwrap.wrap` needs but with lines of even length (no lone last word).

    Parameters
    ----------
    text : str
        One paragraph.
    width : int
        Most characters a line.

    Returns
    -------
    str
        The lines joined by newlines.

    Examples
    --------
    >>> wrap_balanced("a short line", 30)
    'a short line'
    >>> print(wrap_balanced("aaaa bbbb cccc dddd eeee ffff gggg", 30))
    aaaa bbbb cccc dddd
    eeee ffff gggg
    """
    import textwrap

    n = len(textwrap.wrap(text, width))
    for w in range(max(1, math.ceil(len(text) / max(n, 1))), width + 1):
        lines = textwrap.wrap(text, w)
        if len(lines) == n:
            return "\n".join(lines)
    return "\n".join(textwrap.wrap(text, width))


def _num(x, d: int = 1) -> str:
    """Like :func:`_fmt` but "n/a" when missing."""
    return _fmt(x, d) if _isnum(x) else "n/a"


def fmt_p(p) -> str:
    """A p-value as 'p = 0.03', 'p < 0.001'.

    Parameters
    ----------
    p : float or None
        A p-value between 0 and 1; None or NaN when not available.

    Returns
    -------
    str
        ``'p < 0.001'``, three decimals below 0.01, two otherwise; ``'p = n/a'`` when missing.

    Examples
    --------
    >>> fmt_p(0.0004), fmt_p(0.034), fmt_p(None)
    ('p < 0.001', 'p = 0.03', 'p = n/a')
    """
    if not _isnum(p):
        return "p = n/a"
    p = float(p)
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def _decimals(values) -> int:
    vals = [abs(float(v)) for v in values if _isnum(v)]
    m = max(vals) if vals else 1.0
    return 2 if m < 10 else 1 if m < 100 else 0


def _attr(obj, *names, default=None):
    for n in names:
        if obj is None:
            return default
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        v = getattr(obj, n, None)
        if v is not None:
            return v
    return default


def _k(res):
    k = _attr(res, "k")
    if _isnum(k):
        return int(k)
    df = _attr(res, "q_df")
    return int(df) + 1 if _isnum(df) else None


def heterogeneity_text(res, *, log_scale: bool = False) -> str:
    """'Heterogeneity: τ² = 0.04; Q = 12.3, df = 7 (p = 0.09); I² = 43%'.

    A result of one study gets 'Heterogeneity: not applicable (one study)'.

    Parameters
    ----------
    res : object
        With ``tau2``, ``q``, ``q_df`` (or ``k``), ``q_pvalue``, ``i2`` (percent).
    log_scale : bool
        Unused; kept for symmetry with :func:`overall_effect_text`.

    Returns
    -------
    str
    """
    if _k(res) == 1:
        return "Heterogeneity: not applicable (one study)"
    tau2, q, df = _attr(res, "tau2"), _attr(res, "q"), _attr(res, "q_df")
    if df is None and _k(res) is not None:
        df = _k(res) - 1
    i2 = _attr(res, "i2")
    parts = []
    if _isnum(tau2):
        parts.append(f"\u03c4\u00b2 = {float(tau2):.{3 if float(tau2) < 0.1 else 2}f}")
    if _isnum(q):
        qs = f"Q = {float(q):.2f}"
        if _isnum(df):
            qs += f", df = {int(round(float(df)))}"
        qs += f" ({fmt_p(_attr(res, 'q_pvalue'))})"
        parts.append(qs)
    if _isnum(i2):
        parts.append(f"I\u00b2 = {float(i2):.0f}%")
    return "Heterogeneity: " + "; ".join(parts) if parts else ""


def overall_effect_text(res, *, null: float = 0.0, log_scale: bool = False) -> str:
    """'Test for overall effect: z = 3.10 (p = 0.002)' (t for Hartung-Knapp results).

    Parameters
    ----------
    res : object
        With ``statistic`` (and ``df``: finite for t, inf for z) and ``pvalue``, else ``estimate``, ``ci_low``, ``ci_high``
        (the statistic is then recovered from the CI, normal approximation).
    null : float
        Value of no effect on the plotted scale.
    log_scale : bool
        Ratios: the statistic is computed on the log scale.

    Returns
    -------
    str
    """
    stat = _attr(res, "statistic")
    p = _attr(res, "pvalue", "p")
    est, lo, hi = (_attr(res, n) for n in ("estimate", "ci_low", "ci_high"))
    if not _isnum(stat) and all(_isnum(v) for v in (est, lo, hi)) and hi > lo:
        f = math.log if log_scale else float
        try:
            se = (f(hi) - f(lo)) / (2 * _Z975)
            stat = (f(est) - f(null) if log_scale else est - null) / se
        except ValueError:
            stat = None
    if not _isnum(p) and _isnum(stat):
        p = math.erfc(abs(float(stat)) / math.sqrt(2))
    if not _isnum(stat):
        return ""
    df = _attr(res, "df")
    name = "t" if _isnum(df) and math.isfinite(float(df)) else "z"
    return f"Test for overall effect: {name} = {_fmt(stat, 2)} ({fmt_p(p)})"


def subgroup_test_text(test) -> str:
    """'Test for subgroup differences: Q = 3.20, df = 1 (p = 0.07)'; a plain string is returned as is.

    Parameters
    ----------
    test : object, dict or str
        ``q``, ``df``, ``pvalue``; or a sentence to print instead (e.g. why no test is shown).

    Returns
    -------
    str
    """
    if isinstance(test, str):
        return test
    q = _attr(test, "q", "qm", "Q")
    df = _attr(test, "df", "q_df")
    p = _attr(test, "pvalue", "q_pvalue", "p")
    if not _isnum(q):
        return ""
    s = f"Test for subgroup differences: Q = {float(q):.2f}"
    if _isnum(df):
        s += f", df = {int(round(float(df)))}"
    return s + f" ({fmt_p(p)})"


def describe_forest(data, *, estimate="yi", ci_low="ci_low", ci_high="ci_high", label="label",
                    pooled=None, threshold=None, threshold_label=None, null=0.0, what="trials",
                    min_k_prediction=3, prediction_label="95% prediction interval", threshold_style="shaded") -> str:
    """One-paragraph alt text for :func:`forest_plot`, from the same data (rounded).

    Parameters
    ----------
    data : DataFrame
        The rows drawn.
    estimate, ci_low, ci_high, label : str
        Column names.
    pooled : object or None
        The overall result drawn.
    threshold, threshold_label : float and str, or None
        The shaded band and its words.
    null : float
        Value of no effect on the plotted scale.
    what : str
        What the rows are ("trials", "pooled estimates", "comparisons from 3 trials").
    min_k_prediction : int
        As in :func:`forest_plot`.
    prediction_label : str
        As in :func:`forest_plot`.
    threshold_style : str
        As in :func:`forest_plot`: ``"shaded"`` or ``"hatched"`` (named so in the text).

    Returns
    -------
    str
    """
    df = data
    k = len(df)
    if k == 0:
        return f"Forest plot: no {what} in the data yet."
    est = df[estimate].astype(float)
    d = _decimals(list(est) + list(df[ci_low]) + list(df[ci_high]))
    excl = int(((df[ci_high].astype(float) < null) | (df[ci_low].astype(float) > null)).sum())
    s = (f"Forest plot of {k} {what}; estimates range from {_fmt(est.min(), d)} to {_fmt(est.max(), d)}, "
         f"and {excl} of {k} confidence intervals exclude the null value {null:g}.")
    if pooled is not None:
        e, lo, hi = (_attr(pooled, n) for n in ("estimate", "ci_low", "ci_high"))
        s += f" The pooled estimate is {_fmt(e, d)} (95% CI {_fmt(lo, d)} to {_fmt(hi, d)})"
        pl, ph, pk = _attr(pooled, "pi_low"), _attr(pooled, "pi_high"), _attr(pooled, "k")
        if _isnum(pl) and _isnum(ph) and _isnum(pk) and int(pk) >= min_k_prediction:
            s += f", with a {prediction_label} of {_fmt(pl, d)} to {_fmt(ph, d)}"
        i2 = _attr(pooled, "i2")
        if _isnum(i2):
            s += f"; I\u00b2 is {float(i2):.0f}%"
        s += "."
    if threshold and threshold_label:
        band = "hatched band with dotted edges" if threshold_style == "hatched" else "shaded band"
        s += f" The {band} shows {threshold_label}."
    return s
