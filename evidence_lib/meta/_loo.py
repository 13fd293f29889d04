"""Leave-one-out fits in memory linear in k (numpy only).

Row i of a leave-one-out analysis is the data without study i.  The fits are
computed in blocks of padded rows (about 4 million cells at a time) and only
per-row results are kept.  For REML/ML the search for the global maximum
(:mod:`evidence_lib.meta._likelihood`) evaluates the likelihood of all k rows
on one common grid by down-dating sums (O(k G) instead of O(k^2 G)), and
Fisher scoring starts at the full data's estimate.

References
----------
Viechtbauer W, Cheung MW-L (2010) Outlier and influence diagnostics for
meta-analysis. Res Synth Methods 1:112-125 (sec. 3: the fits without study i).
"""

from __future__ import annotations

import numpy as np

from . import _core as core
from . import _likelihood as lik

_CELLS = 1 << 22


def block_rows(k):
    """Rows per block so that a block has about 4 million cells.

    Parameters
    ----------
    k : int
        Number of studies (columns per row).

    Returns
    -------
    int
        Rows per block, at least 1.
    """
    return max(1, _CELLS // k)


def padded_rows(y, v, idx):
    """The padded (Y, V, k) rows that omit the studies ``idx`` (one row per omitted study).

    Parameters
    ----------
    y, v : ndarray, shape (k,)
        Estimates and sampling variances of one meta-analysis.
    idx : ndarray of int
        The studies to omit, one per row.

    Returns
    -------
    tuple
        ``(Y, V, k)`` with ``Y``, ``V`` of shape (len(idx), k - 1) and k - 1 per row.
    """
    idx = np.asarray(idx)
    kk = y.shape[0]
    Y = np.broadcast_to(y, (idx.size, kk)).copy()
    V = np.broadcast_to(v, (idx.size, kk)).copy()
    ar = np.arange(idx.size)
    Y[ar, idx] = 0.0
    V[ar, idx] = np.inf
    return Y, V, np.full(idx.size, kk - 1)


def _drop_one_extremes(x):
    """Per i, min and max of x without element i (O(k))."""
    o = np.argsort(x)
    lo1, lo2, hi1, hi2 = x[o[0]], x[o[1]], x[o[-1]], x[o[-2]]
    mn = np.full(x.shape, lo1)
    mx = np.full(x.shape, hi1)
    mn[o[0]] = lo2
    mx[o[-1]] = hi2
    return mn, mx


def tau2_loo(y, v, method, tol=1e-12):
    """tau2 (and its SE, None for REML/ML) for every leave-one-out row (REML/ML: the global maximum).

    For REML/ML each row's likelihood is evaluated on the grid of the full
    data (it covers every row's grid: without a study min v is not smaller,
    max v and range(y) are not larger) by down-dating, Fisher scoring starts
    at the row's best grid point, and :func:`evidence_lib.meta._likelihood.refine`
    finishes the search exactly as for :func:`evidence_lib.meta.pool`.

    Parameters
    ----------
    y, v : ndarray, shape (k,)
        Estimates and sampling variances of one meta-analysis.
    method : str
        tau2 estimator (see :func:`evidence_lib.meta._core.estimate_tau2`).
    tol : float
        Convergence tolerance.

    Returns
    -------
    tau2 : ndarray, shape (k,)
        Row i: the estimate without study i.
    se : ndarray or None
        Its standard error; None for REML/ML (computed later from tau2).

    References
    ----------
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
    """
    k = y.shape[0]
    rows = block_rows(k)
    if method not in ("REML", "ML"):
        t, se = [], []
        for s in range(0, k, rows):
            Y, V, kk = padded_rows(y, v, np.arange(s, min(k, s + rows)))
            a, b = core.estimate_tau2(Y, V, kk, method, tol=tol)
            t.append(a)
            se.append(b)
        return np.concatenate(t), np.concatenate(se)
    reml = method == "REML"
    kk = np.full(k, k - 1)
    vmin, vmax = _drop_one_extremes(v)
    t_uni = lik.unimodal_from(vmin, vmax)
    multi = (k - 1 > 1) & (t_uni > 0)
    lo, hi, _ = lik.grid_bounds(y[None], v[None])
    T1 = np.concatenate([[0.0], lik.log_grid(lo, hi)[0]])
    LL = lik.loglik_loo_grid(y, v, T1, reml)
    T = np.broadcast_to(T1, LL.shape)
    # Fisher scoring starts at the full data's estimate: a study moves tau2 by O(1/k), so
    # this is a few steps from each row's nearby peak; refine() below checks the grid's
    # other peaks as for any fit
    t_full = core.tau2_fisher(y[None], v[None], np.array([k]), method, tol=tol)[0][0]
    tau2 = np.empty(k)
    ll_fit = np.empty(k)
    for s in range(0, k, rows):
        idx = np.arange(s, min(k, s + rows))
        Y, V, kb = padded_rows(y, v, idx)
        tau2[idx] = core._fisher_root(Y, V, kb, reml, tol, tau2_init=np.full(idx.size, t_full))
        ll_fit[idx] = lik.loglik(Y, V, kb, tau2[idx], reml)
    im = np.flatnonzero(multi)
    if im.size:
        tau2[im] = lik.refine(tau2[im], ll_fit[im], LL[im, 0], T[im, 1:], LL[im, 1:], kk[im], reml, tol,
                              lambda j: padded_rows(y, v, im[j] if not isinstance(j, slice) else im), core._fisher_root, core._score, t_uni[im])
    return tau2, None


def fit_loo(y, v, method, ci, level, pi, i2, hksj_truncate, tol):
    """All leave-one-out fits; a dict of per-row arrays as :func:`evidence_lib.meta._core.fit`
    without the (k, k) ``weights`` (derived on demand by the result).

    Parameters
    ----------
    y, v : ndarray, shape (k,)
        Estimates and sampling variances of one meta-analysis.
    method, ci, level, pi, i2, hksj_truncate, tol
        As in :func:`evidence_lib.meta._core.fit`.

    Returns
    -------
    dict of ndarray
        Per-row arrays, row i without study i.
    """
    k = y.shape[0]
    t, se = tau2_loo(y, v, method, tol)
    rows = block_rows(k)
    outs = []
    for s in range(0, k, rows):
        idx = np.arange(s, min(k, s + rows))
        Y, V, kb = padded_rows(y, v, idx)
        se_i = core.fisher_se(Y, V, kb, t[idx], method == "REML") if se is None else se[idx]
        o = core.fit(Y, V, kb, method, ci, level, pi, i2, hksj_truncate, tol, tau2=(t[idx], se_i))
        o.pop("weights")
        outs.append(o)
    return {f: np.concatenate([o[f] for o in outs]) for f in outs[0]} if len(outs) > 1 else outs[0]
