"""Meta-regression (mixed-effects model with moderators), as metafor's ``rma.uni(mods=)``.

Model: y = X beta + u + e, u ~ N(0, tau2 I), e ~ N(0, diag(v)).  With
W = diag(1/(v + tau2)), A = X'WX and P = W - W X A^{-1} X' W (Viechtbauer 2005,
Raudenbush 2009):

* beta = A^{-1} X'W y, Var(beta) = A^{-1} (z tests) or s2w A^{-1} with
  s2w = y'Py/(k-p) and t / F tests on k-p df (Knapp & Hartung 2003, metafor
  ``test="knha"``; no truncation unless ``hksj_truncate``).
* QM = b' Var(b)^{-1} b over the non-intercept coefficients (chi2 on m df;
  F = QM/m on (m, k-p) df with knha).  QE = y'P_FE y on k-p df.
* tau2: DL generalised to moderators (Raudenbush 2009):
  (QE - (k-p)) / tr(P_FE), clamped at 0; REML/ML by Fisher scoring
  (Viechtbauer 2005) with adj = (y'PPy - tr P)/tr(PP) (REML) or
  (y'PPy - tr W)/tr(W^2) (ML); PM: root of y'P(tau2)y = k - p.
  The traces are computed in O(k p^2) without forming the k x k matrix P:
  tr P = tr W - tr(A^{-1} X'W^2 X),
  tr PP = tr W^2 - 2 tr(A^{-1} X'W^3 X) + tr((A^{-1} X'W^2 X)^2).
* I2 = 100 tau2 / (tau2 + s2) with s2 = (k-p)/tr(P_FE) (residual
  heterogeneity, Higgins & Thompson 2002 generalised as in metafor).
* R2 (metafor's default): 100 * max(0, (tau2_0 - tau2)/tau2_0) with tau2_0
  from the intercept-only model of the same method (0 when tau2_0 = 0); for
  FE models 100 * max(0, adjusted R^2 of the weighted least squares fit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special as sp

from . import _core as core
from ._units import exact_scale

_EPS = np.finfo(float).eps


@dataclass(frozen=True, eq=False)
class RegressionResult:
    """Result of :func:`regression` (fields follow metafor's names in comments)."""

    coef: np.ndarray  # beta
    se: np.ndarray
    statistic: np.ndarray  # zval
    pvalue: np.ndarray  # pval
    ci_low: np.ndarray
    ci_high: np.ndarray
    vcov: np.ndarray
    names: tuple
    qm: float  # QM (chi2; F statistic QM/m with hksj)
    qm_df: tuple  # (m,) or (m, k-p)
    qm_pvalue: float
    qe: float
    qe_df: int
    qe_pvalue: float
    tau2: float  # residual tau2
    tau2_se: float
    i2: float
    h2: float
    r2: float  # percent; NaN without an intercept
    k: int
    p: int
    method: str
    ci_method: str
    df: float  # inf for z tests
    note: str = ""

    def to_frame(self):
        """The coefficient table.

        Returns
        -------
        pandas.DataFrame
            One row per coefficient (index: its name): ``coef``, ``se``, ``statistic``,
            ``pvalue``, ``ci_low``, ``ci_high``.
        """
        import pandas as pd

        return pd.DataFrame(
            {"coef": self.coef, "se": self.se, "statistic": self.statistic, "pvalue": self.pvalue,
             "ci_low": self.ci_low, "ci_high": self.ci_high},
            index=list(self.names),
        )


def _wls(y, v, X, tau2):
    w = 1.0 / (v + tau2)
    XtW = X.T * w
    A = XtW @ X
    Ainv = np.linalg.inv(A)
    b = Ainv @ (XtW @ y)
    e = y - X @ b
    return w, XtW, Ainv, b, e


def _traces(w, X, Ainv):
    X2 = (X.T * w**2) @ X
    M2 = Ainv @ X2
    trP = w.sum() - np.trace(M2)
    X3 = (X.T * w**3) @ X
    trPP = (w**2).sum() - 2 * np.trace(Ainv @ X3) + np.sum(M2 * M2.T)
    return trP, trPP


def _rss(y, v, X, tau2):
    w, _, _, _, e = _wls(y, v, X, tau2)
    return float(np.dot(w * e, e))


def _loglik(y, v, X, tau2, reml):
    """metafor's (restricted) log-likelihood of the meta-regression at tau2 (REMLf=TRUE)."""
    k, p = X.shape
    w, _, Ainv, _, e = _wls(y, v, X, tau2)
    rss = float(np.dot(w * e, e))
    out = -0.5 * np.sum(np.log(v + tau2)) - 0.5 * rss
    if not reml:
        return out - 0.5 * k * np.log(2 * np.pi)
    _, ld_a = np.linalg.slogdet(np.linalg.inv(Ainv))
    _, ld_x = np.linalg.slogdet(X.T @ X)
    return out - 0.5 * (k - p) * np.log(2 * np.pi) + 0.5 * ld_x - 0.5 * ld_a


def _p_matrix(w, X):
    """P = W - W X (X'WX)^{-1} X'W as a k x k matrix (for the moment estimators' SEs)."""
    WX = X * w[:, None]
    return np.diag(w) - WX @ np.linalg.solve(X.T @ WX, WX.T)


def _tau2_moment(y, v, X, method):
    """HE, HS and SJ with moderators, and metafor's SEs (see :mod:`._estimators`)."""
    k, p = X.shape
    y = y - y.mean()  # metafor's moment estimators work on the centred estimates (Ymc)
    if method == "HE":
        P = _p_matrix(np.ones(k), X)
        PV = P * v[None, :]
        trPV = np.trace(PV)
        t = max(0.0, (float(y @ P @ y) - trPV) / (k - p))
        se = np.sqrt((2 * np.sum(PV * PV.T) + 4 * t * trPV + 2 * t**2 * (k - p)) / (k - p) ** 2)
        return t, se
    if method == "HS":
        w = 1 / v
        P = _p_matrix(w, X)
        t = max(0.0, (float(y @ P @ y) - k) / w.sum())
        se = np.sqrt((2 * (k - p) + 4 * t * np.trace(P) + 2 * t**2 * np.sum(P * P)) / w.sum() ** 2)
        return t, se
    # SJ: starting value from the variance of the (uncentred-by-X) estimates, as metafor
    t0 = float(np.mean((y - y.mean()) ** 2))
    if t0 == 0:
        return 0.0, 0.0
    P = _p_matrix(1 / (v + t0), X)
    PV = P * v[None, :]
    t = max(0.0, t0 * float(y @ P @ y) / (k - p))
    se = np.sqrt(t0**2 / (k - p) ** 2 * (2 * np.sum(PV * PV.T) + 4 * t * np.sum(PV * P)
                                          + 2 * t**2 * np.sum(P * P)))
    return t, se


def _tau2(y, v, X, method, tol=1e-12, maxiter=1000):
    """tau2 and its SE by ``method``, solved in the units of the smallest variance
    (:func:`evidence_lib.meta._units.exact_scale`: the stops and sums below then do not
    depend on the data's units)."""
    if method == "FE":
        return 0.0, np.nan
    half, c = exact_scale(float(v.min()))
    t, se = _tau2_unit(y * half, v * (half * half), X, method, tol, maxiter)
    return t * c, se * c


def _tau2_unit(y, v, X, method, tol, maxiter):
    k, p = X.shape
    if method == "DL":
        w, _, Ainv, _, e = _wls(y, v, X, 0.0)
        rss = float(np.dot(w * e, e))
        trP, trPP = _traces(w, X, Ainv)
        t = max(0.0, (rss - (k - p)) / trP)
        se = np.sqrt(1 / trP**2 * (2 * (k - p) + 4 * t * trP + 2 * t**2 * trPP))
        return t, se
    if method in ("REML", "ML"):
        # Hedges (HE) start, as metafor
        XtXi = np.linalg.inv(X.T @ X)
        e = y - X @ (XtXi @ (X.T @ y))
        trPV = v.sum() - np.trace(XtXi @ ((X.T * v) @ X))
        t = max(0.0, (float(e @ e) - trPV) / (k - p))
        for _ in range(maxiter):
            w, _, Ainv, _, e = _wls(y, v, X, t)
            we = w * e
            yPPy = float(we @ we)
            if method == "REML":
                trP, trPP = _traces(w, X, Ainv)
                adj = (yPPy - trP) / trPP
            else:
                adj = (yPPy - w.sum()) / (w**2).sum()
            if not np.isfinite(adj):
                adj = 0.0
            if t + adj < 0:
                if t <= 0:
                    adj = 0.0
                while t + adj < 0:
                    adj /= 2
            t += adj
            if abs(adj) <= tol * max(1.0, t):
                break
        else:
            raise RuntimeError("Fisher scoring did not converge; try method='PM' or 'DL'")
        # global maximum: metafor's ll0check (the likelihood at tau2 = 0 may be higher)
        if t > 0:
            l_fit = _loglik(y, v, X, t, method == "REML")
            l_0 = _loglik(y, v, X, 0.0, method == "REML")
            if l_0 > l_fit + 1e-12 * max(1.0, abs(l_fit)):
                t = 0.0
        w, _, Ainv, _, _ = _wls(y, v, X, t)
        if method == "REML":
            _, trPP = _traces(w, X, Ainv)
            se = np.sqrt(2 / trPP)
        else:
            se = np.sqrt(2 / (w**2).sum())
        return t, se
    if method in ("HE", "HS", "SJ"):
        return _tau2_moment(y, v, X, method)
    if method in ("PM", "EB"):
        target = k - p
        f = lambda t: _rss(y, v, X, t) - target  # noqa: E731
        if f(0.0) <= 0:
            t = 0.0
        else:
            hi = max(1.0, 10 * v.max())
            while f(hi) > 0:
                hi *= 4
            from scipy.optimize import brentq  # deferred: keeps "import evidence_lib.meta" light

            t = brentq(f, 0.0, hi, xtol=1e-14, rtol=4 * _EPS, maxiter=500)
        w = 1.0 / (v + t)
        se = np.sqrt(2 * k**2 / (k - p) / w.sum() ** 2)
        return t, se
    raise ValueError(f"method must be one of {core.METHODS}; got {method!r}")


def fit_regression(yi, vi, X, names, method="REML", ci="wald", level=0.95,
                   hksj_truncate=False, intercept=True, btt=None) -> RegressionResult:
    """Fit the mixed-effects meta-regression y = X beta + u + e with a design already built.

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Estimates and sampling variances.
    X : array_like, shape (k, p)
        Design matrix (full column rank, p < k).
    names : sequence of str
        Name of each column of ``X``.
    method : str
        Residual heterogeneity estimator (one of :data:`evidence_lib.meta._core.METHODS`).
    ci : {"wald", "hksj"}
        z tests and intervals, or the Knapp-Hartung t and F tests.
    level : float
        Confidence level.
    hksj_truncate : bool
        Truncate the Knapp-Hartung factor at 1.
    intercept : bool
        Whether the first column is an intercept (excluded from the omnibus test).
    btt : sequence of int, optional
        Coefficients in the omnibus test QM (default: all but the intercept).

    Returns
    -------
    RegressionResult
        Coefficients, standard errors, tests, intervals, tau2, QE, QM and R^2.

    Raises
    ------
    ValueError
        If ``method`` or ``ci`` is unknown, p >= k, or ``X`` is not of full rank.

    References
    ----------
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
    Knapp G, Hartung J (2003). Improved tests for a random effects meta-regression with a
    single covariate. Statistics in Medicine 22(17), 2693-2710.
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3), 1-48.
    """
    y = np.asarray(yi, float)
    v = np.asarray(vi, float)
    X = np.asarray(X, float)
    k, p = X.shape
    if method not in core.METHODS:
        raise ValueError(f"method must be one of {core.METHODS}; got {method!r}")
    if ci not in core.CI_METHODS:
        raise ValueError(f"ci must be one of {core.CI_METHODS}; got {ci!r}")
    if p >= k:
        raise ValueError(
            f"the model has {p} coefficients but only {k} studies; a meta-regression needs "
            "more studies than coefficients: drop moderators or add studies"
        )
    if np.linalg.matrix_rank(X) < p:
        raise ValueError("the moderator matrix X is rank deficient (collinear moderators); drop one")
    tau2, tau2_se = _tau2(y, v, X, method)
    w, XtW, Ainv, b, e = _wls(y, v, X, tau2)
    vb = Ainv.copy()
    if ci == "hksj":
        rss = float(np.dot(w * e, e))
        s2w = 0.0 if rss <= _EPS else rss / (k - p)
        if hksj_truncate:
            s2w = max(1.0, s2w)
        vb = s2w * vb
        dfs = float(k - p)
    else:
        dfs = np.inf
    se = np.sqrt(np.diag(vb))
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = b / se
    alpha = 1 - level
    if np.isfinite(dfs):
        crit = sp.stdtrit(dfs, 1 - alpha / 2)
        pval = 2 * sp.stdtr(dfs, -np.abs(stat))
    else:
        crit = sp.ndtri(1 - alpha / 2)
        pval = 2 * sp.ndtr(-np.abs(stat))
    if btt is None:
        btt = np.arange(1, p) if intercept else np.arange(p)
    btt = np.asarray(btt, int)
    m = btt.size
    if m:
        bb = b[btt]
        qm = float(bb @ np.linalg.solve(vb[np.ix_(btt, btt)], bb))
        if np.isfinite(dfs):
            qm /= m
            qm_df = (m, k - p)
            qm_p = float(sp.fdtrc(m, k - p, qm))
        else:
            qm_df = (m,)
            qm_p = float(sp.chdtrc(m, qm))
    else:
        qm, qm_df, qm_p = np.nan, (0,), np.nan
    # residual heterogeneity with FE weights
    w0, _, Ainv0, _, e0 = _wls(y, v, X, 0.0)
    qe = max(0.0, float(np.dot(w0 * e0, e0)))
    qe_p = float(sp.chdtrc(k - p, qe))
    trP0, _ = _traces(w0, X, Ainv0)
    if method == "FE":
        i2 = max(0.0, 100 * (qe - (k - p)) / qe) if qe > 0 else 0.0
        h2 = qe / (k - p)
    else:
        vt = (k - p) / trP0
        i2 = 100 * tau2 / (vt + tau2)
        h2 = tau2 / vt + 1
    r2 = np.nan
    if intercept and p > 1:
        if method == "FE":
            if np.var(y) == 0:
                r2 = 0.0
            else:
                q0 = float(core.fe_stats(y[None], v[None], np.array([k]))["Q"][0])
                adj_r2 = 1 - (qe / q0) * (k - 1) / (k - p)
                r2 = max(0.0, 100 * adj_r2)
        else:
            t0, _ = _tau2(y, v, np.ones((k, 1)), method)
            r2 = 0.0 if t0 == 0 else max(0.0, 100 * (t0 - tau2) / t0)
    return RegressionResult(
        coef=b, se=se, statistic=stat, pvalue=pval, ci_low=b - crit * se, ci_high=b + crit * se,
        vcov=vb, names=tuple(names), qm=qm, qm_df=qm_df, qm_pvalue=qm_p, qe=qe, qe_df=k - p,
        qe_pvalue=qe_p, tau2=float(tau2), tau2_se=float(tau2_se), i2=float(i2), h2=float(h2),
        r2=float(r2), k=k, p=p, method=method, ci_method=ci, df=dfs,
    )
