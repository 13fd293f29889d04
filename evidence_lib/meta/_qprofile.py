"""The generalised Q statistic as a function of tau2, and the estimates built on it.

Q(tau2) = sum w_i (y_i - mu)^2 with w_i = 1/(v_i + tau2) and mu the weighted mean is
strictly decreasing in tau2.  Solving Q(tau2) = k - 1 gives the Paule-Mandel estimate
(Paule & Mandel 1982); solving Q(tau2) against chi-squared quantiles gives the Q-profile
confidence interval of tau2 (Viechtbauer 2007).  Every function works on the padded batch
``(Y, V, k)`` of :mod:`evidence_lib.meta._core` (padding: y = 0, v = inf).
"""

from __future__ import annotations

import numpy as np
from scipy import special as sp


def _rowdot(a, b):
    return np.einsum("ij,ij->i", a, b)


def _rowsum(a):
    """Row sums: a matrix-vector product for short rows (numpy's reductions along a short
    axis are slow), np.sum for long ones."""
    return a @ np.ones(a.shape[1]) if a.shape[1] < 64 else a.sum(axis=1)


def _wsums(Y, V, tau2):
    """Weights and the sums needed by every estimator at the given tau2 (per row)."""
    W = 1.0 / (V + tau2[:, None])
    S1 = _rowsum(W)
    mu = _rowdot(W, Y) / S1
    R = Y - mu[:, None]
    return W, S1, mu, R


def q_gen(Y, V, tau2):
    """Generalised Q statistic sum w_i (y_i - mu)^2 with w_i = 1/(v_i + tau2), per row.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    tau2 : ndarray, shape (n,)
        The heterogeneity variance per row.

    Returns
    -------
    ndarray, shape (n,)
        Q(tau2) per row.

    References
    ----------
    Paule RC, Mandel J (1982). Consensus values and weighting factors. Journal of Research of
    the National Bureau of Standards 87(5), 377-385.
    """
    W, S1, mu, R = _wsums(Y, V, tau2)
    return _rowdot(W, R * R)


def solve_q(Y, V, target, lo0=None, hi_cap=None, tol=1e-12, maxiter=500):
    """Per row, the tau2 >= 0 with generalised Q(tau2) = target (vectorised).

    Q(tau2) is strictly decreasing.  Rows with Q(lo0) <= target return lo0 (0).
    If ``hi_cap`` is given (array), rows with Q(hi_cap) > target return hi_cap
    (metafor's convention for ``tau2.max`` in ``confint``); otherwise the
    bracket is doubled until it contains the root.
    Safeguarded Newton: dQ/dtau2 = -sum w_i^2 (y_i - mu)^2.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    target : float or array_like, shape (n,)
        The value Q should take; a row with a non-finite target returns ``lo0``.
    lo0 : array_like, shape (n,), optional
        Lower end of the search (default 0).
    hi_cap : array_like, shape (n,), optional
        Upper end of the search; the root is reported as ``hi_cap`` beyond it.
    tol : float
        Convergence tolerance: a row stops when its step is below ``tol * max(v_min, tau2)``
        (v_min its smallest variance, so that the stop does not depend on the data's units).
    maxiter : int
        Most Newton/bisection steps.

    Returns
    -------
    ndarray, shape (n,)
        The solution per row.

    References
    ----------
    Paule RC, Mandel J (1982). Consensus values and weighting factors. Journal of Research of
    the National Bureau of Standards 87(5), 377-385.
    Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in
    meta-analysis. Statistics in Medicine 26(1), 37-52.
    """
    n = Y.shape[0]
    target = np.broadcast_to(np.asarray(target, dtype=float), (n,)).copy()
    lo = np.zeros(n) if lo0 is None else np.array(lo0, dtype=float)
    out = lo.copy()
    q_lo = q_gen(Y, V, lo)
    active = (q_lo > target) & np.isfinite(target)
    if not active.any():
        return out
    ia = np.flatnonzero(active)
    Ya, Va, tg = Y[ia], V[ia], target[ia]
    Vf = np.where(np.isfinite(Va), Va, np.nan)
    vmin, vmax = np.nanmin(Vf, axis=1), np.nanmax(Vf, axis=1)
    lo = lo[ia]
    if hi_cap is not None:
        hi = np.broadcast_to(np.asarray(hi_cap, float), (n,))[ia].copy()
        q_hi = q_gen(Ya, Va, hi)
        capped = q_hi > tg
    else:
        # expand: start at a scale of the data, double until Q(hi) < target
        hi = 10 * vmax
        capped = np.zeros(ia.size, bool)
        for _ in range(200):
            q_hi = q_gen(Ya, Va, hi)
            grow = q_hi > tg
            if not grow.any():
                break
            hi = np.where(grow, hi * 4, hi)
    t = lo.copy()  # Newton from the left of a convex decreasing function
    act = ~capped
    res = np.where(capped, hi, t)
    for _ in range(maxiter):
        if not act.any():
            break
        j = np.flatnonzero(act)
        W, S1, mu, R = _wsums(Ya[j], Va[j], t[j])
        WR = W * R
        f = _rowdot(WR, R) - tg[j]
        d = -_rowdot(WR, WR)
        lo_j = np.where(f > 0, t[j], lo[j])
        hi_j = np.where(f > 0, hi[j], t[j])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = -f / d
        new = t[j] + step
        bad = ~np.isfinite(new) | (new < lo_j) | (new > hi_j)
        new = np.where(bad, 0.5 * (lo_j + hi_j), new)
        done = (np.abs(new - t[j]) <= tol * np.maximum(vmin[j], new)) | (f == 0)
        lo[j], hi[j], t[j] = lo_j, hi_j, new
        res[j] = new
        act[j[done]] = False
    out[ia] = res
    return out


def tau2_pm(Y, V, k, tol=1e-12):
    """Paule-Mandel estimate; metafor's SE sqrt(2 k^2 / (k-1) / S_1^2).

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    tol : float
        Convergence tolerance (see :func:`solve_q`).

    Returns
    -------
    tau2, se : ndarray, shape (n,)
        The estimate (0 when Q(0) < k - 1 or k = 1) and its standard error (NaN for k = 1).

    References
    ----------
    Paule RC, Mandel J (1982). Consensus values and weighting factors. Journal of Research of
    the National Bureau of Standards 87(5), 377-385.
    """
    tau2 = solve_q(Y, V, (k - 1).astype(float), tol=tol)
    tau2 = np.where(k > 1, tau2, 0.0)
    S1 = (1.0 / (V + tau2[:, None])).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(2 * k.astype(float) ** 2 / (k - 1) / S1**2)
    return tau2, np.where(k > 1, se, np.nan)


def qprofile_ci(Y, V, k, tau2, level=0.95, tol=1e-12):
    """Q-profile confidence interval for tau2 (Viechtbauer 2007), per row.

    Lower limit solves Q(tau2) = chi2_{(1+level)/2, k-1}, upper limit
    Q(tau2) = chi2_{(1-level)/2, k-1}; a limit is 0 when Q(0) is already below
    the critical value (both 0: the CI is the null set, as metafor reports).
    Following metafor's ``confint.rma.uni``, the search is capped at
    ``tau2_max = max(100, 10 * tau2)`` and a limit beyond it is reported as
    ``tau2_max``.  NaN for k = 1.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    tau2 : ndarray, shape (n,)
        The point estimate per row (sets the search cap).
    level : float
        Confidence level in (0, 1).
    tol : float
        Convergence tolerance on the limits (see :func:`solve_q`).

    Returns
    -------
    lb, ub : ndarray, shape (n,)
        Lower and upper limits per row.

    References
    ----------
    Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in
    meta-analysis. Statistics in Medicine 26(1), 37-52.
    """
    df = (k - 1).astype(float)
    a = (1 - level) / 2
    with np.errstate(invalid="ignore"):
        crit_u = sp.chdtri(df, a)  # upper quantile
        crit_l = sp.chdtri(df, 1 - a)
    cap = np.maximum(100.0, 10 * tau2)
    lb = solve_q(Y, V, crit_u, hi_cap=cap, tol=tol)
    ub = solve_q(Y, V, crit_l, hi_cap=cap, tol=tol)
    lb = np.where(k > 1, lb, np.nan)
    ub = np.where(k > 1, ub, np.nan)
    return lb, ub
