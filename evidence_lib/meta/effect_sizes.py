"""Effect sizes and their sampling variances, following metafor's ``escalc``.

Every function returns an :class:`EffectSizes` (a small frozen dataclass
holding ``yi`` and ``vi`` as float numpy arrays, plus the ``measure``).  It
unpacks like a tuple: ``yi, vi = smd(...)``.

Definitions (Viechtbauer 2010, metafor ``escalc`` documentation):

=========  =================================================================
measure    yi, vi
=========  =================================================================
``MD``     m1 - m2;  sd1^2/n1 + sd2^2/n2          (escalc vtype="LS"/"UB")
``SMD``    Hedges' g = c(m) * (m1 - m2) / sd_pooled, m = n1 + n2 - 2,
           c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)) (exact correction,
           Hedges 1981);  vi = 1/n1 + 1/n2 + g^2 / (2 (n1 + n2))
           (escalc's default vtype="LS")
``RR``     log(a/n1) - log(c/n2);  1/a - 1/n1 + 1/c - 1/n2
``OR``     log(a d / (b c));  1/a + 1/b + 1/c + 1/d
``RD``     a/n1 - c/n2;  p1(1-p1)/n1 + p2(1-p2)/n2   (vtype="LS")
=========  =================================================================

Continuity corrections
----------------------
metafor's ``escalc`` adds ``add=1/2`` to the cells of studies with a zero cell
by default (``to="only0"``).  Here nothing is added unless asked: a zero cell
that makes a log ratio undefined raises :class:`ValueError` naming the study
and the cell, with the fix (``add=0.5``).  With ``add=0.5, to="only0"`` (or
``"all"``, ``"if0all"``) the results equal escalc's.  The risk difference is
defined with zero cells, so ``RD`` never needs a correction (it is applied if
asked, as escalc does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import gammaln, ndtri

from evidence_lib.vocab import ENGINE_RATIO_MEASURES

__all__ = [
    "EffectSizes",
    "md",
    "smd",
    "hedges_correction",
    "log_rr",
    "log_or",
    "rd",
    "escalc",
    "escalc_frame",
    "from_ci",
    "smd_to_points",
]


@dataclass(frozen=True, eq=False)
class EffectSizes:
    """Effect sizes ``yi`` with sampling variances ``vi`` (float arrays)."""

    yi: np.ndarray
    vi: np.ndarray
    measure: str

    def __iter__(self):
        return iter((self.yi, self.vi))

    def __len__(self) -> int:
        return len(self.yi)


def _arr(x: Any, name: str, n: int | None = None) -> np.ndarray:
    a = np.atleast_1d(np.asarray(x, dtype=float))
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {a.shape}")
    if n is not None and a.shape[0] != n:
        raise ValueError(
            f"{name} has length {a.shape[0]} but the first argument has length {n}; "
            "pass one value per study"
        )
    bad = np.flatnonzero(~np.isfinite(a))
    if bad.size:
        raise ValueError(
            f"{name} has a non-finite value at study {bad[0]} ({a[bad[0]]}); "
            "remove the study or supply the value"
        )
    return a


def _check_positive(a: np.ndarray, name: str, strict: bool = True) -> None:
    bad = np.flatnonzero(a <= 0) if strict else np.flatnonzero(a < 0)
    if bad.size:
        kind = "positive" if strict else "non-negative"
        raise ValueError(f"{name} must be {kind}; study {bad[0]} has {a[bad[0]]}")


def hedges_correction(m: Any) -> np.ndarray:
    """Exact small-sample correction c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)).

    Parameters
    ----------
    m : array_like
        Degrees of freedom, n1 + n2 - 2.

    Returns
    -------
    ndarray
        c(m), elementwise; NaN for m <= 1.

    References
    ----------
    Hedges LV (1981). Distribution theory for Glass's estimator of effect size and related
    estimators. Journal of Educational Statistics 6(2), 107-128. (eq. 6e; metafor's ``.cmicalc``)
    """
    m = np.asarray(m, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.exp(gammaln(m / 2) - np.log(np.sqrt(m / 2)) - gammaln((m - 1) / 2))
    return np.where(m <= 1, np.nan, c)


def md(m1i, sd1i, n1i, m2i, sd2i, n2i) -> EffectSizes:
    """Raw mean difference (escalc ``measure="MD"``, default ``vtype="LS"``).

    yi = m1i - m2i, vi = sd1i^2/n1i + sd2i^2/n2i (heteroscedastic variance).

    Parameters
    ----------
    m1i, sd1i, n1i : array_like
        Mean, standard deviation and size of group 1, one per study.
    m2i, sd2i, n2i : array_like
        The same for group 2.

    Returns
    -------
    EffectSizes
        ``yi``, ``vi`` (float arrays, one per study) and the measure; unpacks as ``yi, vi``.

    Raises
    ------
    ValueError
        If the inputs differ in length, a value is not finite, a size is not positive or an
        SD is negative.

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3), 1-48.
    """
    m1 = _arr(m1i, "m1i")
    k = m1.shape[0]
    sd1, n1, m2, sd2, n2 = (
        _arr(x, nm, k)
        for x, nm in ((sd1i, "sd1i"), (n1i, "n1i"), (m2i, "m2i"), (sd2i, "sd2i"), (n2i, "n2i"))
    )
    _check_positive(n1, "n1i")
    _check_positive(n2, "n2i")
    _check_positive(sd1, "sd1i", strict=False)
    _check_positive(sd2, "sd2i", strict=False)
    return EffectSizes(m1 - m2, sd1**2 / n1 + sd2**2 / n2, "MD")


def smd(m1i, sd1i, n1i, m2i, sd2i, n2i) -> EffectSizes:
    """Standardised mean difference, Hedges' g (escalc ``measure="SMD"``).

    g = c(m) (m1 - m2) / s_p with s_p^2 = ((n1-1) sd1^2 + (n2-1) sd2^2) / m,
    m = n1 + n2 - 2 and the exact correction c(m) of :func:`hedges_correction`.
    Variance: escalc's default ``vtype="LS"`` (large-sample),
    vi = 1/n1 + 1/n2 + g^2 / (2 (n1 + n2)).

    Parameters
    ----------
    m1i, sd1i, n1i : array_like
        Mean, standard deviation and size of group 1, one per study.
    m2i, sd2i, n2i : array_like
        The same for group 2.

    Returns
    -------
    EffectSizes
        ``yi``, ``vi`` (float arrays, one per study) and the measure; unpacks as ``yi, vi``.

    Raises
    ------
    ValueError
        If the inputs differ in length, a value is not finite, a size is not positive,
        n1 + n2 <= 3, or the pooled SD is 0.

    References
    ----------
    Hedges LV (1981). Distribution theory for Glass's estimator of effect size and related
    estimators. Journal of Educational Statistics 6(2), 107-128.
    Hedges LV, Olkin I (1985). Statistical Methods for Meta-Analysis. Academic Press.
    """
    m1 = _arr(m1i, "m1i")
    k = m1.shape[0]
    sd1, n1, m2, sd2, n2 = (
        _arr(x, nm, k)
        for x, nm in ((sd1i, "sd1i"), (n1i, "n1i"), (m2i, "m2i"), (sd2i, "sd2i"), (n2i, "n2i"))
    )
    _check_positive(n1, "n1i")
    _check_positive(n2, "n2i")
    mi = n1 + n2 - 2
    bad = np.flatnonzero(mi <= 1)
    if bad.size:
        raise ValueError(
            f"n1i + n2i must exceed 3 for the SMD; study {bad[0]} has n1i={n1[bad[0]]}, n2i={n2[bad[0]]}"
        )
    sdp = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / mi)
    _check_positive(sdp, "pooled SD (sd1i, sd2i)")
    g = hedges_correction(mi) * (m1 - m2) / sdp
    vi = 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))
    return EffectSizes(g, vi, "SMD")


def _tables(ai, bi, ci, di, add, to, measure):
    a = _arr(ai, "ai")
    k = a.shape[0]
    b, c, d = (_arr(x, nm, k) for x, nm in ((bi, "bi"), (ci, "ci"), (di, "di")))
    for arr_, nm in ((a, "ai"), (b, "bi"), (c, "ci"), (d, "di")):
        _check_positive(arr_, nm, strict=False)
    if to not in ("only0", "all", "if0all", "none"):
        raise ValueError(f"to must be 'only0', 'all', 'if0all' or 'none'; got {to!r}")
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    if add is not None and add != 0 and to != "none":
        if to == "all":
            sel = np.ones(k, bool)
        elif to == "only0":
            sel = zero
        else:  # if0all
            sel = np.full(k, bool(zero.any()))
        a, b, c, d = (x + np.where(sel, add, 0.0) for x in (a, b, c, d))
    if measure in ("RR", "OR"):
        cells = {"ai": a, "ci": c} if measure == "RR" else {"ai": a, "bi": b, "ci": c, "di": d}
        for nm, x in cells.items():
            z = np.flatnonzero(x == 0)
            if z.size:
                raise ValueError(
                    f"a continuity correction is needed for study {z[0]} (zero cell in {nm}) "
                    f"for measure {measure!r}; pass add=0.5 (to='only0' as metafor's escalc)"
                )
    n1, n2 = a + b, c + d
    for x, nm in ((n1, "ai + bi"), (n2, "ci + di")):
        z = np.flatnonzero(x == 0)
        if z.size:
            raise ValueError(f"group size {nm} is 0 for study {z[0]}; drop the study")
    return a, b, c, d, n1, n2


def log_rr(ai, bi, ci, di, *, add: float | None = None, to: str = "only0") -> EffectSizes:
    """Log risk ratio (escalc ``measure="RR"``).

    yi = log(a/n1) - log(c/n2), vi = 1/a - 1/n1 + 1/c - 1/n2.

    Parameters
    ----------
    ai, bi : array_like
        Events and non-events in group 1 (treatment), one per study.
    ci, di : array_like
        Events and non-events in group 2 (control).
    add : float, optional
        Continuity correction added to the cells; none unless given.
    to : {"only0", "all", "if0all", "none"}
        Which studies get ``add`` (as escalc's ``to``).

    Returns
    -------
    EffectSizes
        ``yi``, ``vi`` (float arrays, one per study) and the measure; unpacks as ``yi, vi``.

    Raises
    ------
    ValueError
        If the inputs differ in length, a value is negative or not finite, a group is empty,
        ``to`` is unknown, or ``ai`` or ``ci`` is 0 with no correction (pass ``add=0.5``).

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3), 1-48.
    """
    a, b, c, d, n1, n2 = _tables(ai, bi, ci, di, add, to, "RR")
    return EffectSizes(np.log(a / n1) - np.log(c / n2), 1 / a - 1 / n1 + 1 / c - 1 / n2, "RR")


def log_or(ai, bi, ci, di, *, add: float | None = None, to: str = "only0") -> EffectSizes:
    """Log odds ratio (escalc ``measure="OR"``).

    yi = log(a d / (b c)), vi = 1/a + 1/b + 1/c + 1/d (Woolf).

    Parameters
    ----------
    ai, bi : array_like
        Events and non-events in group 1 (treatment), one per study.
    ci, di : array_like
        Events and non-events in group 2 (control).
    add : float, optional
        Continuity correction added to the cells; none unless given.
    to : {"only0", "all", "if0all", "none"}
        Which studies get ``add`` (as escalc's ``to``).

    Returns
    -------
    EffectSizes
        ``yi``, ``vi`` (float arrays, one per study) and the measure; unpacks as ``yi, vi``.

    Raises
    ------
    ValueError
        If the inputs differ in length, a value is negative or not finite, a group is empty,
        ``to`` is unknown, or a cell is 0 with no correction (pass ``add=0.5``).

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3), 1-48.
    """
    a, b, c, d, _, _ = _tables(ai, bi, ci, di, add, to, "OR")
    return EffectSizes(np.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d, "OR")


def rd(ai, bi, ci, di, *, add: float | None = None, to: str = "only0") -> EffectSizes:
    """Risk difference (escalc ``measure="RD"``, ``vtype="LS"``).

    yi = a/n1 - c/n2, vi = p1(1-p1)/n1 + p2(1-p2)/n2.  Zero cells are allowed;
    a correction is applied only if ``add`` is given (as escalc with ``add``).

    Parameters
    ----------
    ai, bi : array_like
        Events and non-events in group 1 (treatment), one per study.
    ci, di : array_like
        Events and non-events in group 2 (control).
    add : float, optional
        Continuity correction added to the cells; none unless given.
    to : {"only0", "all", "if0all", "none"}
        Which studies get ``add`` (as escalc's ``to``).

    Returns
    -------
    EffectSizes
        ``yi``, ``vi`` (float arrays, one per study) and the measure; unpacks as ``yi, vi``.

    Raises
    ------
    ValueError
        If the inputs differ in length, a value is negative or not finite, a group is empty,
        ``to`` is unknown.

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3), 1-48.
    """
    a, b, c, d, n1, n2 = _tables(ai, bi, ci, di, add, to, "RD")
    p1, p2 = a / n1, c / n2
    return EffectSizes(p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2, "RD")


_BINARY = {"RR": log_rr, "OR": log_or, "RD": rd}
_CONT = {"MD": md, "SMD": smd}


_ARM_ARGS = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")
_TABLE_ARGS = ("ai", "bi", "ci", "di")


def escalc(measure: str, *, m1i=None, sd1i=None, n1i=None, m2i=None, sd2i=None, n2i=None,
           ai=None, bi=None, ci=None, di=None, add: float | None = None, to: str = "only0") -> EffectSizes:
    """Effect sizes for one measure, dispatched like metafor's ``escalc(measure, ...)``.

    Parameters
    ----------
    measure : {"MD", "SMD", "RR", "OR", "RD"}
        The effect measure (case-insensitive).
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like, optional
        Means, standard deviations and sizes of groups 1 and 2; all six are needed for
        ``"MD"`` and ``"SMD"`` (see :func:`md`, :func:`smd`).
    ai, bi, ci, di : array_like, optional
        Events and non-events of group 1 (``ai``, ``bi``) and group 2 (``ci``, ``di``), for
        ``"RR"``, ``"OR"`` and ``"RD"``. ``n1i`` may replace ``bi`` (then ``bi = n1i - ai``)
        and ``n2i`` may replace ``di``.
    add : float, optional
        Continuity correction for the 2x2 measures; none unless given.
    to : {"only0", "all", "if0all", "none"}
        Which studies ``add`` goes to (as escalc's ``to``).

    Returns
    -------
    EffectSizes
        ``yi``, ``vi`` and the measure.

    Raises
    ------
    ValueError
        If ``measure`` is unknown, if an argument the measure needs is missing, if an
        argument of the other family is given (e.g. ``ai`` with ``"SMD"``), or if the
        data are invalid (see the measure's own function).

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
    Journal of Statistical Software.
    """
    m = str(measure).upper()
    given = {name: value for name, value in (("m1i", m1i), ("sd1i", sd1i), ("n1i", n1i), ("m2i", m2i),
                                             ("sd2i", sd2i), ("n2i", n2i), ("ai", ai), ("bi", bi),
                                             ("ci", ci), ("di", di)) if value is not None}
    if m in _CONT:
        missing = [x for x in _ARM_ARGS if x not in given]
        if missing:
            raise ValueError(f"measure {m!r} needs arguments {missing}; pass them as keywords")
        stray = [x for x in _TABLE_ARGS if x in given] + (["add"] if add is not None else [])
        if stray:
            raise ValueError(f"measure {m!r} takes group means, SDs and sizes, not {stray}; drop them")
        return _CONT[m](*(given[x] for x in _ARM_ARGS))
    if m in _BINARY:
        if "bi" not in given and "n1i" in given and "ai" in given:
            given["bi"] = np.asarray(given.pop("n1i"), float) - np.asarray(given["ai"], float)
        if "di" not in given and "n2i" in given and "ci" in given:
            given["di"] = np.asarray(given.pop("n2i"), float) - np.asarray(given["ci"], float)
        missing = [x for x in _TABLE_ARGS if x not in given]
        if missing:
            raise ValueError(f"measure {m!r} needs arguments {missing} (or n1i/n2i)")
        stray = [x for x in _ARM_ARGS if x in given]
        if stray:
            raise ValueError(f"measure {m!r} takes the 2x2 cells ai, bi, ci, di, not {stray}; drop them")
        return _BINARY[m](*(given[x] for x in _TABLE_ARGS), add=add, to=to)
    raise ValueError(f"unknown measure {measure!r}; use one of MD, SMD, RR, OR, RD")


def escalc_frame(df, measure: str, *, add: float | None = None, to: str = "only0", **columns):
    """Effect sizes from DataFrame columns: a copy of ``df`` with ``yi`` and ``vi`` added.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per study.
    measure : {"MD", "SMD", "RR", "OR", "RD"}
        The effect measure, as in :func:`escalc`.
    add, to
        Continuity correction for the 2x2 measures, as in :func:`escalc`.
    **columns : str
        Maps :func:`escalc`'s data arguments (``m1i`` ... ``n2i``, ``ai`` ... ``di``) to
        column names of ``df``, e.g. ``ai="tpos"``. Any other name raises.

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with the columns ``yi`` and ``vi``.

    Raises
    ------
    ValueError
        If a keyword is not one of escalc's data arguments, if a named column is not in
        ``df``, or as :func:`escalc`.
    """
    unknown = sorted(set(columns) - set(_ARM_ARGS) - set(_TABLE_ARGS))
    if unknown:
        raise ValueError(f"escalc_frame got unknown argument(s) {unknown}; map one of "
                         f"{list(_ARM_ARGS + _TABLE_ARGS)} to a column name")
    for arg, col in columns.items():
        if col not in df.columns:
            raise ValueError(f"{arg}={col!r} is not a column of the DataFrame; columns: {list(df.columns)}")
    kw = {arg: df[col].to_numpy(dtype=float) for arg, col in columns.items()}
    if str(measure).upper() in _BINARY:
        kw.update(add=add, to=to)
    es = escalc(measure, **kw)
    out = df.copy()
    out["yi"] = es.yi
    out["vi"] = es.vi
    return out


_RATIO = ENGINE_RATIO_MEASURES


def from_ci(estimate, ci_low, ci_high, *, measure: str = "MD", level: float = 0.95) -> EffectSizes:
    """(yi, vi) from a reported estimate and its confidence interval.

    For ratio measures (``RR``, ``OR``, ``HR``, ``IRR``, ``ROM`` / ``ratio_of_means``) everything is
    put on the log scale first.  se = (high - low) / (2 z_{1-(1-level)/2}); vi = se^2.  The
    estimate is not required to lie at the interval's centre (a rounded report rarely does).

    Parameters
    ----------
    estimate, ci_low, ci_high : array_like
        Reported estimates and interval limits, one per study (on the natural scale for
        ratio measures).
    measure : str
        The measure; ratio measures are log-transformed.
    level : float
        Confidence level of the reported interval, in (0, 1).

    Returns
    -------
    EffectSizes
        ``yi`` (log scale for ratio measures) and ``vi``.

    Raises
    ------
    ValueError
        If the inputs differ in length or are not finite, a ratio value is not positive,
        ``ci_high <= ci_low``, or ``level`` is not in (0, 1).

    References
    ----------
    Higgins JPT, Thomas J, Chandler J, et al. (eds) (2019). Cochrane Handbook for Systematic
    Reviews of Interventions, 2nd ed. Wiley. Sections 6.3.1 and 6.5.2.2.
    """
    est = _arr(estimate, "estimate")
    k = est.shape[0]
    lo, hi = _arr(ci_low, "ci_low", k), _arr(ci_high, "ci_high", k)
    m = str(measure) if str(measure) in _RATIO else str(measure).upper()
    if m in _RATIO:
        for x, nm in ((est, "estimate"), (lo, "ci_low"), (hi, "ci_high")):
            _check_positive(x, f"{nm} (ratio measure {m})")
        est, lo, hi = np.log(est), np.log(lo), np.log(hi)
    bad = np.flatnonzero(hi <= lo)
    if bad.size:
        raise ValueError(f"ci_high must exceed ci_low; study {bad[0]} has [{lo[bad[0]]}, {hi[bad[0]]}]")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level}")
    z = ndtri(0.5 + level / 2)
    se = (hi - lo) / (2 * z)
    return EffectSizes(est, se**2, m)


def smd_to_points(smd_value, reference_sd):
    """Re-express a standardised mean difference in scale points: smd * reference_sd.

    Parameters
    ----------
    smd_value : array_like
        SMD values (e.g. an estimate and its CI limits).
    reference_sd : float or array_like
        The SD of the outcome scale in a representative population.

    Returns
    -------
    ndarray
        The values in points, elementwise.

    Raises
    ------
    ValueError
        If ``reference_sd`` is not positive and finite.

    References
    ----------
    Higgins JPT, Thomas J, Chandler J, et al. (eds) (2019). Cochrane Handbook for Systematic
    Reviews of Interventions, 2nd ed. Wiley. Section 15.5.3.2.
    """
    sd = np.asarray(reference_sd, dtype=float)
    if np.any(~np.isfinite(sd)) or np.any(sd <= 0):
        raise ValueError(f"reference_sd must be positive and finite; got {reference_sd}")
    return np.asarray(smd_value, dtype=float) * sd
