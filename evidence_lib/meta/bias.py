"""Small-study effects / publication bias: Egger's regression test and trim-and-fill.

Re-exported from :mod:`evidence_lib.meta` (``from evidence_lib.meta import egger_test``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special as sp

from ._regression_fit import fit_regression
from ._validate import _check_1d, _default_labels, _norm_method
from .pooling import pool

__all__ = ["EggerResult", "TrimFillResult", "egger_test", "trim_and_fill"]


@dataclass(frozen=True)
class EggerResult:
    """Regression test for funnel-plot asymmetry.

    ``statistic``/``pvalue``: test of the coefficient of the standard error
    (z, or t on ``df`` degrees of freedom).  ``slope`` is that coefficient
    (= the intercept of Egger's original regression of y/se on 1/se).
    ``limit_estimate`` (``ci_low``, ``ci_high``): the model intercept, i.e. the
    expected effect as se -> 0 (metafor's ``est``)."""

    statistic: float
    pvalue: float
    df: float
    slope: float
    slope_se: float
    limit_estimate: float
    ci_low: float
    ci_high: float
    model: str
    method: str
    k: int


def egger_test(yi, vi, *, model: str = "rma", method: str = "REML", ci: str = "wald",
               level: float = 0.95) -> EggerResult:
    """Egger's regression test (metafor ``regtest``, predictor ``sei``).

    Parameters
    ----------
    yi, vi : array_like
        Estimates and sampling variances, one per study (k >= 3).
    model : {"rma", "lm"}
        ``rma`` (metafor's default): mixed-effects meta-regression
        y_i = b0 + b1 se_i + u_i + e_i fitted with ``method`` (as the
        ``rma`` object passed to ``regtest``); z test of b1 (t on k-2 df with
        ``ci="hksj"``).  ``lm``: the classical test of Egger et al. (1997),
        weighted least squares of y on se with weights 1/v and a free
        multiplicative dispersion, t test on k - 2 df; identical to testing
        the intercept of the regression of y/se on 1/se.
    method : str
        tau2 estimator for ``model="rma"``.
    ci : {"wald", "hksj"}
        For ``model="rma"``: z test, or Knapp-Hartung t test.
    level : float
        Confidence level of the interval for the intercept.

    Returns
    -------
    EggerResult
        The test statistic and p-value for the slope on the standard error, its degrees of
        freedom, the slope and its SE, and the intercept (the limit estimate as se -> 0)
        with its interval.

    Raises
    ------
    ValueError
        k < 3 (the test needs a residual degree of freedom), an unknown ``model``, bad input.

    References
    ----------
    Egger M, Davey Smith G, Schneider M, Minder C (1997). Bias in meta-analysis detected by a
    simple, graphical test. British Medical Journal 315(7109), 629-634.
    Sterne JAC, Egger M (2005). Regression methods to detect publication and other bias in
    meta-analysis. In: Publication Bias in Meta-Analysis, pp. 99-110. Wiley.
    """

    y, v, _ = _check_1d(yi, vi)
    k = y.shape[0]
    if k < 3:
        raise ValueError(f"egger_test needs at least 3 studies (got k = {k}); the regression has 2 coefficients")
    sei = np.sqrt(v)
    X = np.column_stack([np.ones(k), sei])
    if model == "rma":
        m = _norm_method(method)
        r = fit_regression(y, v, X, ["intercept", "sei"], m, ci, level)
        return EggerResult(float(r.statistic[1]), float(r.pvalue[1]), r.df, float(r.coef[1]), float(r.se[1]),
                           float(r.coef[0]), float(r.ci_low[0]), float(r.ci_high[0]), "rma", m, k)
    if model == "lm":
        w = 1 / v
        XtW = X.T * w
        Ainv = np.linalg.inv(XtW @ X)
        b = Ainv @ (XtW @ y)
        e = y - X @ b
        df = k - 2
        s2 = float(np.dot(w * e, e)) / df
        se = np.sqrt(np.diag(Ainv) * s2)
        t = b / se
        p = 2 * sp.stdtr(df, -np.abs(t))
        crit = sp.stdtrit(df, 0.5 + level / 2)
        return EggerResult(float(t[1]), float(p[1]), float(df), float(b[1]), float(se[1]), float(b[0]),
                           float(b[0] - crit * se[0]), float(b[0] + crit * se[0]), "lm", "FE", k)
    raise ValueError(f"model must be 'rma' or 'lm'; got {model!r}")


@dataclass(frozen=True, eq=False)
class TrimFillResult:
    """Result of :func:`trim_and_fill`.

    ``k0``: estimated number of missing studies (``k0_se`` its SE);
    ``side``: side on which studies were filled; ``filled_yi``/``filled_vi``:
    the imputed studies; ``adjusted``: :class:`~evidence_lib.meta.MetaResult`
    of the observed plus filled studies (the original fit if k0 = 0)."""

    k0: int
    k0_se: float
    side: str
    estimator: str
    filled_yi: np.ndarray
    filled_vi: np.ndarray
    adjusted: object
    original: object

    @property
    def estimate(self) -> float:
        """The pooled estimate after filling (``adjusted.estimate``)."""
        return self.adjusted.estimate


def trim_and_fill(yi, vi, *, estimator: str = "L0", side: str | None = None, method: str = "REML",
                  maxiter: int = 100) -> TrimFillResult:
    """Trim-and-fill (Duval & Tweedie 2000a, 2000b) as metafor's ``trimfill``.

    Algorithm (metafor): if ``side`` is None it is chosen from the sign of the
    slope in the regression y_i = b0 + b1 sqrt(v_i) (+ u_i) fitted with
    ``method`` (b1 < 0 -> missing studies on the right, else on the left).
    The estimates are flipped if side is right and sorted; then, iterating:
    pool the k - k0 smallest with ``method``; centre all k at that estimate;
    rank |centred| (ties: first); S_r = sum of positive signed ranks;
    L0 = (4 S_r - k(k+1)) / (2k - 1) (R0 = k - (largest negative rank) - 1);
    k0 = max(0, round(.)) (R rounds half to even, as numpy); until k0 is
    unchanged.  The k0 most extreme studies are reflected around the last
    estimate and the observed + filled set is pooled with ``method``.

    Parameters
    ----------
    yi, vi : array_like
        Estimates and sampling variances, one per study (k >= 3).
    estimator : {"L0", "R0"}
        Estimator of the number of missing studies.
    side : {"left", "right"}, optional
        Side on which studies are missing; default chosen as described above.
    method : str
        tau2 estimator for every pooling step (as :func:`evidence_lib.meta.pool`).
    maxiter : int
        Most iterations of the trim step.

    Returns
    -------
    TrimFillResult
        The original and the adjusted (observed + filled) fits, k0 and its side, and the
        filled studies.

    Raises
    ------
    ValueError
        If k < 3, or ``estimator`` or ``side`` is not one of the allowed values.

    References
    ----------
    Duval SJ, Tweedie RL (2000a). Trim and fill: a simple funnel-plot-based method of testing
    and adjusting for publication bias in meta-analysis. Biometrics 56(2), 455-463.
    Duval SJ, Tweedie RL (2000b). A nonparametric "trim and fill" method of accounting for
    publication bias in meta-analysis. Journal of the American Statistical Association 95(449),
    89-98.
    """

    y, v, lab = _check_1d(yi, vi)
    k = y.shape[0]
    m = _norm_method(method)
    if k < 3:
        raise ValueError(f"trim_and_fill needs at least 3 studies (got k = {k})")
    if estimator not in ("L0", "R0"):
        raise ValueError(f"estimator must be 'L0' or 'R0'; got {estimator!r}")
    if side is None:
        r = fit_regression(y, v, np.column_stack([np.ones(k), np.sqrt(v)]), ["intercept", "sqrt(vi)"], m)
        side = "right" if r.coef[1] < 0 else "left"
    elif side not in ("left", "right"):
        raise ValueError(f"side must be 'left', 'right' or None; got {side!r}")
    ys = -y if side == "right" else y.copy()
    ix = np.argsort(ys, kind="stable")
    ys, vs = ys[ix], v[ix]
    k0, k0_prev, it = 0, -1, 0
    se_k0 = np.nan
    beta = 0.0
    while k0 != k0_prev:
        k0_prev = k0
        it += 1
        if it > maxiter:
            raise RuntimeError("trim_and_fill did not converge")
        beta = pool(ys[: k - k0], vs[: k - k0], method=m).estimate
        yc = ys - beta
        ranks = np.empty(k)
        ranks[np.argsort(np.abs(yc), kind="stable")] = np.arange(1, k + 1)
        signed = np.sign(yc) * ranks
        if estimator == "L0":
            sr = signed[signed > 0].sum()
            k0f = (4 * sr - k * (k + 1)) / (2 * k - 1)
            var_sr = (k * (k + 1) * (2 * k + 1) + 10 * k0f**3 + 27 * k0f**2 + 17 * k0f
                      - 18 * k * k0f**2 - 18 * k * k0f + 6 * k**2 * k0f) / 24
            se_k0 = 4 * np.sqrt(var_sr) / (2 * k - 1) if var_sr >= 0 else np.nan
        else:
            neg = signed[signed < 0]
            k0f = (k - np.max(-neg)) - 1 if neg.size else k - 1
            se_k0 = np.sqrt(2 * max(0, k0f) + 2)
        k0 = int(max(0, np.round(k0f)))
        se_k0 = max(0.0, se_k0) if np.isfinite(se_k0) else se_k0
    original = pool(y, v, method=m, labels=lab)
    if k0 > 0:
        fy = 2 * beta - ys[k - k0:]
        fv = vs[k - k0:]
        if side == "right":
            fy = -fy

        base = _default_labels(k) if lab is None else lab
        adjusted = pool(np.concatenate([y, fy]), np.concatenate([v, fv]), method=m,
                        labels=base + _default_labels(k0, "filled "))
    else:
        fy, fv = np.empty(0), np.empty(0)
        adjusted = original
    return TrimFillResult(k0, float(se_k0), side, estimator, fy, fv, adjusted, original)
