"""The (restricted) likelihood of tau2 and the search for its global maximum (numpy only).

Used by :mod:`evidence_lib.meta._core` (REML/ML estimation), by
:mod:`evidence_lib.meta.sensitivity` (leave-one-out, with down-dated sums) and by
:func:`evidence_lib.meta.profile`.  Arrays are the core's padded batches
(``Y``, ``V`` of shape (n, K), padding as y = 0, v = inf).

References
----------
Viechtbauer W (2005) Bias and efficiency of meta-analytic variance estimators in
the random-effects model. J Educ Behav Stat 30:261-293 (eqs. 5, 7: the ML and
REML log-likelihoods; sec. 4 on their maximisation).
"""

from __future__ import annotations

import numpy as np

_LOG2PI = np.log(2 * np.pi)
_CELLS = 1 << 15  # work-space cap (cells of the (rows, grid, studies) array) per block


def _rowdot(a, b):
    return np.einsum("ij,ij->i", a, b)


def _const(k, reml):
    kf = np.asarray(k, dtype=float)
    return (-0.5 * (kf - 1) * _LOG2PI + 0.5 * np.log(kf)) if reml else -0.5 * kf * _LOG2PI


def loglik(Y, V, k, tau2, reml):
    """Log-likelihood (ML) or restricted log-likelihood (REML) at tau2, per row.

    metafor's ``logLik`` for the intercept-only model (with ``REMLf=TRUE``):
    ML: -k/2 log(2 pi) - 1/2 sum log(v_i + tau2) - 1/2 sum w_i (y_i - mu)^2;
    REML: -(k-1)/2 log(2 pi) + 1/2 log k - 1/2 sum log(v_i + tau2)
    - 1/2 log(sum w_i) - 1/2 sum w_i (y_i - mu)^2 (Viechtbauer 2005, eqs. 5, 7).
    Padded cells (v = inf) contribute nothing.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    tau2 : ndarray, shape (n,)
        The heterogeneity variance per row.
    reml : bool
        Restricted (True) or full (False) likelihood.

    Returns
    -------
    ndarray, shape (n,)
        The log-likelihood per row.

    References
    ----------
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
    """
    tau2 = np.asarray(tau2, dtype=float)
    ones = np.ones(Y.shape[1])
    Vt = V + tau2[:, None]
    fin = np.isfinite(Vt)
    lg = np.log(Vt) if fin.all() else np.log(Vt, out=np.zeros_like(Vt), where=fin)
    slog = lg @ ones if Y.shape[1] < 64 else lg.sum(axis=1)
    np.reciprocal(Vt, out=Vt)
    S1 = Vt @ ones if Y.shape[1] < 64 else Vt.sum(axis=1)
    mu = _rowdot(Vt, Y) / S1
    R = Y - mu[:, None]
    R *= R
    ll = -0.5 * slog - 0.5 * _rowdot(Vt, R)
    if reml:
        ll -= 0.5 * np.log(S1)
    return ll + _const(k, reml)


def loglik_grid(Y, V, k, T, reml):
    """The (restricted) log-likelihood of each row at each of its tau2 values ``T`` (n, G).

    One vectorised pass over an (n, G, K) array (in blocks of rows); the
    estimates are centred per row first so that Q = sum w y^2 - (sum w y)^2 / S1
    loses no digits.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    T : ndarray, shape (n, G)
        tau2 values per row.
    reml : bool
        Restricted (True) or full (False) likelihood.

    Returns
    -------
    ndarray, shape (n, G)
        The log-likelihood of row i at ``T[i, g]``.
    """
    T = np.asarray(T, dtype=float)
    n, K = Y.shape
    G = T.shape[1]
    fin = np.isfinite(V)
    padded = not fin.all()
    ones = np.ones(K)
    Yc = Y - ((Y @ ones) / np.asarray(k, float))[:, None]
    if padded:
        Yc = np.where(fin, Yc, 0.0)
    M = np.empty((n, K, 3))  # (n, K, 3): sums of w, w y, w y^2 by one matmul
    M[..., 0] = 1.0
    M[..., 1] = Yc
    np.multiply(Yc, Yc, out=M[..., 2])
    rows = max(1, _CELLS // (K * G))
    Vt = np.empty((min(rows, n), G, K))
    Lg = np.empty_like(Vt)
    lg = np.empty((n, G))
    sw = np.empty((n, G, 3))
    for s in range(0, n, rows):
        sl = slice(s, min(n, s + rows))
        m = sl.stop - s
        vt, lgs = Vt[:m], Lg[:m]
        np.add(V[sl, None, :], T[sl, :, None], out=vt)
        np.log(vt, out=lgs)
        if padded:
            np.copyto(lgs, 0.0, where=~fin[sl, None, :])
        np.matmul(lgs, ones, out=lg[sl])
        np.reciprocal(vt, out=vt)  # now the weights
        np.matmul(vt, M[sl], out=sw[sl])
    S1, swy, swy2 = sw[..., 0], sw[..., 1], sw[..., 2]
    out = -0.5 * (lg + swy2 - swy * swy / S1)
    if reml:
        out -= 0.5 * np.log(S1)
    return out + _const(k, reml)[:, None]


BINNED_FROM = 2048  # studies per row from which the search grid is evaluated on binned data
_BINS = 256


def loglik_grid_binned(Y, V, k, T, reml, bins=_BINS):
    """An approximation of :func:`loglik_grid` in O(K + bins G) per row, for large K.

    Each row's studies are put in ``bins`` bins of equal width in log v; a
    bin stands for its studies with their mean variance (sums of y and y^2
    kept per bin, so the within-bin spread of y is exact); the Jensen gap of
    sum log v at tau2 = 0 is kept and shrunk as (v/(v + tau2))^2.  Used only
    to look for other peaks of the likelihood of a large meta-analysis, whose
    peaks are far apart relative to this error; every value that decides the
    result (at the estimate, at 0, after a restart) is exact.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    T : ndarray, shape (n, G)
        tau2 values per row.
    reml : bool
        Restricted (True) or full (False) likelihood.
    bins : int
        Number of bins in log v.

    Returns
    -------
    ndarray, shape (n, G)
        Approximate log-likelihoods.
    """
    n, K = Y.shape
    fin = np.isfinite(V)
    padded = not fin.all()
    if padded:
        Y, V = np.where(fin, Y, np.nan), np.where(fin, V, np.nan)
    lv = np.log(V)
    Lt = np.ascontiguousarray(lv.T)
    lmin, lmax = np.fmin.reduce(Lt), np.fmax.reduce(Lt)
    width = np.maximum(lmax - lmin, 1e-300)
    x = (lv - lmin[:, None]) * (bins / width)[:, None]
    if padded:
        x = np.where(fin, x, 0.0)
    b = x.astype(np.int64)
    np.clip(b, 0, bins - 1, out=b)
    b += (np.arange(n) * bins)[:, None]
    Yc = Y - (np.nansum(Y, axis=1) / k)[:, None]
    if padded:  # padded cells go to an extra bin that is dropped
        b[~fin] = n * bins
        Yc, V, lv = (np.where(fin, a, 0.0) for a in (Yc, V, lv))
    flat = b.ravel()
    nb = n * bins + 1

    def binsum(w=None):
        return np.bincount(flat, None if w is None else w.ravel(), nb)[:-1].reshape(n, bins)

    cnt, sv, slv, sy, syy = binsum(), binsum(V), binsum(lv), binsum(Yc), binsum(Yc * Yc)
    has = cnt > 0
    c1 = np.where(has, cnt, 1.0)
    vbar = np.where(has, sv / c1, 1.0)
    gap = np.where(has, cnt * np.log(vbar) - slv, 0.0)  # >= 0 (Jensen)
    ss = np.where(has, syy - sy * sy / c1, 0.0)
    # all grid points at once: (n, G, bins)
    t = T[:, :, None]
    cnt, sy, c1, vbar, gap, ss, has = (a[:, None, :] for a in (cnt, sy, c1, vbar, gap, ss, has))
    u = vbar + t
    wb = np.where(has, 1.0 / u, 0.0)
    S1 = (cnt * wb).sum(axis=2)
    mu = (wb * sy).sum(axis=2) / S1
    Q = (wb * (ss + cnt * (sy / c1 - mu[..., None]) ** 2)).sum(axis=2)
    lg = (cnt * np.log(u) - gap * (vbar / u) ** 2).sum(axis=2)
    out = -0.5 * (lg + Q)
    if reml:
        out -= 0.5 * np.log(S1)
    return out + _const(k, reml)[:, None]


def loglik_loo_grid(y, v, T, reml):
    """Leave-one-out log-likelihoods on a common grid by down-dating sums: (k, G) in O(k G).

    Row i is the model without study i: every sum over studies at tau2 = t is
    the full sum minus study i's term, so all k rows cost one pass per grid
    point instead of k.  ``y`` is centred first (cancellation in Q).

    Parameters
    ----------
    y, v : ndarray, shape (k,)
        Estimates and sampling variances of one meta-analysis.
    T : ndarray, shape (G,)
        The common grid of tau2 values.
    reml : bool
        Restricted (True) or full (False) likelihood.

    Returns
    -------
    ndarray, shape (k, G)
        Row i: the log-likelihood without study i at each grid point.
    """
    y = np.asarray(y, float)
    y = y - y.mean()
    k = y.shape[0]
    T = np.asarray(T, float)
    Wt = 1.0 / (v[None, :] + T[:, None])           # (G, k)
    Lt = np.log(v[None, :] + T[:, None])
    S1 = Wt.sum(axis=1)[None, :] - Wt.T             # (k, G)
    A = (Wt @ y)[None, :] - Wt.T * y[:, None]
    B = (Wt @ (y * y))[None, :] - Wt.T * (y * y)[:, None]
    lg = Lt.sum(axis=1)[None, :] - Lt.T
    ll = -0.5 * lg - 0.5 * np.maximum(B - A * A / S1, 0.0)
    if reml:
        ll -= 0.5 * np.log(S1)
    return ll + _const(np.full(k, k - 1), reml)[:, None]


_GRID = 24  # points of the log-spaced tau2 grid searched for a higher peak


def _row_ranges(Y, V):
    """Per row: min(v), max(v), min(y), max(y) over the non-padded studies."""
    fin = np.isfinite(V)
    if not fin.all():
        Y, V = np.where(fin, Y, np.nan), np.where(fin, V, np.nan)
    # reductions along a short last axis are slow in numpy: reduce the transpose
    Yt, Vt = np.ascontiguousarray(Y.T), np.ascontiguousarray(V.T)
    red = (np.fmin, np.fmax)  # ignore the NaN of padded cells
    return red[0].reduce(Vt), red[1].reduce(Vt), red[0].reduce(Yt), red[1].reduce(Yt)


RHO = (1 + np.sqrt(10.0)) / 3  # variance ratio below which every stationary point is a maximum


def unimodal_from(vmin, vmax):
    """T such that the (restricted) likelihood has at most one stationary point on [T, inf).

    Proof (intercept-only model; P = W - w w'/S1, w_i = 1/(v_i + tau2)).  The
    derivative of the REML score y'PPy - tr P is tr PP - 2 y'PPPy (ML:
    y'PPy - S1 and S2 - 2 y'PPPy).  Write P = W^(1/2) M W^(1/2) with M the
    projection orthogonal to e = W^(1/2) 1 / |W^(1/2) 1| and z = M W^(1/2) y.
    Then y'PPy = z'Wz <= w_max |z|^2 and y'PPPy = |Wz|^2 - (e'Wz)^2 >=
    (w_min^2 - (w_max - w_min)^2 / 4) |z|^2 (as e'z = 0, e'Wz = e'(W - cI)z with
    c the mid-range of w).  Also tr PP <= w_max tr P and S2 <= w_max S1.  At a
    stationary point (y'PPy = tr P, ML: = S1) the score's derivative is
    therefore negative when 2 (w_min^2 - (w_max - w_min)^2/4) > w_max^2, i.e.
    when rho = w_max / w_min < (1 + sqrt 10) / 3 = 1.387.  Where every
    stationary point is a strict local maximum there is at most one (two
    would enclose a minimum).  rho(tau2) = (v_max + tau2) / (v_min + tau2)
    falls with tau2, so this holds on [T, inf) with
    T = max(0, (v_max - 1.387 v_min) / 0.387).

    Parameters
    ----------
    vmin, vmax : ndarray, shape (n,)
        Smallest and largest sampling variance per row.

    Returns
    -------
    ndarray, shape (n,)
        T per row (0 when max(v)/min(v) < 1.387).
    """
    return np.maximum(0.0, (vmax - RHO * vmin) / (RHO - 1))


def grid_bounds(Y, V):
    """Per row: the grid's ends and T of :func:`unimodal_from`.

    The grid runs from min(v)/100 to min(4 range(y)^2, T) (at least 10 times
    its lower end): beyond range(y)^2 the ML score is negative, and beyond T
    the likelihood has at most one peak, found from the score at T.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).

    Returns
    -------
    lo, hi, T : ndarray, shape (n,)
        Lower and upper ends of the grid and the bound of :func:`unimodal_from`.
    """
    vmin, vmax, ymin, ymax = _row_ranges(Y, V)
    lo = vmin / 100
    T = unimodal_from(vmin, vmax)
    return lo, np.maximum(np.minimum(4 * (ymax - ymin) ** 2, T), 10 * lo), T


def log_grid(lo, hi, n=_GRID):
    """(rows, n) log-spaced points from lo to hi per row.

    Parameters
    ----------
    lo, hi : ndarray, shape (rows,)
        Ends of each row's grid (positive).
    n : int
        Points per row.

    Returns
    -------
    ndarray, shape (rows, n)
        The grid.
    """
    f = np.linspace(0.0, 1.0, n)
    return lo[:, None] * (hi / lo)[:, None] ** f[None, :]


def needs_grid(V, k):
    """Rows whose likelihood may have more than one peak: k > 1 and max(v)/min(v) >= 1.387.

    Below that ratio (equal variances included) the likelihood has a single
    stationary point on [0, inf) (:func:`unimodal_from` with T = 0), so Fisher
    scoring (with its boundary step to 0) finds the maximum and the grid can
    be skipped.

    Parameters
    ----------
    V : ndarray, shape (n, K)
        Padded sampling variances (v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.

    Returns
    -------
    ndarray of bool, shape (n,)
        True where the grid search is needed.
    """
    vmin, vmax, _, _ = _row_ranges(V, V)
    return (k > 1) & (unimodal_from(vmin, vmax) > 0)


def likelihood_grid(Y, V, k, reml):
    """The likelihood on each row's search grid, with tau2 = 0 first.

    Returns ``(T, LL, t_uni)``: ``T`` (n, 1 + G) holds 0 and the log-spaced grid of
    :func:`grid_bounds`, ``LL`` the (restricted) log-likelihood there (binned from
    ``BINNED_FROM`` studies on, except at tau2 = 0), ``t_uni`` the T of
    :func:`unimodal_from`.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    reml : bool
        Restricted (True) or full (False) likelihood.

    Returns
    -------
    tuple
        ``(T, LL, t_uni)`` as described above.
    """
    lo, hi, t_uni = grid_bounds(Y, V)
    n = Y.shape[0]
    T = np.concatenate([np.zeros((n, 1)), log_grid(lo, hi)], axis=1)
    if Y.shape[1] >= BINNED_FROM:
        LL = loglik_grid_binned(Y, V, k, T, reml)
        LL[:, 0] = loglik(Y, V, k, np.zeros(n), reml)  # the boundary value is used as is: exact
    else:
        LL = loglik_grid(Y, V, k, T, reml)
    return T, LL, t_uni


def global_max(Y, V, k, tau2, reml, tol, fisher_root, score, grid=None):
    """Move each row's tau2 to the global maximum of the (restricted) likelihood.

    The likelihood of tau2 need not be unimodal (Viechtbauer 2005, sec. 4), and
    Fisher scoring stops at the peak it climbs first.  metafor (``ll0check``)
    compares only with tau2 = 0; that misses interior peaks (y = 0, 18, 0, 0,
    0, 2 with v = 1, 18, 1, 1, 1, 1 has REML peaks at 0.12 and 19 and a
    lower boundary value).  Here the likelihood is also evaluated (in one
    vectorised pass) at tau2 = 0 and on a log-spaced grid from min(v)/100 to
    min(4 range(y)^2, T) (beyond range(y)^2 the ML score is negative; above
    T of :func:`unimodal_from` there is at most one peak, climbed to from T
    when the score at T is positive); where a grid point beats the fitted
    value or a grid peak lies outside the fitted value's cell, Fisher scoring
    restarts there; the best of the fitted root, the restarted roots
    and 0 is kept.  Rows with max(v)/min(v) < 1.387 (equal variances
    included) have a single peak (proof in :func:`unimodal_from`) and skip
    the search.  The grid part is a search, not a proof: a peak narrower
    than a grid cell below T can still be missed.  :func:`evidence_lib.meta._fisher.tau2_fisher`
    therefore sends here only the rows for which :mod:`evidence_lib.meta._unimodal` finds
    no proof that Fisher scoring's root is the global maximum.

    ``grid`` is ``(rows, T, LL, t_uni)`` from an earlier :func:`likelihood_grid` on the
    rows ``rows`` (indices); computed here if None.
    ``fisher_root(Y, V, k, reml, tol, tau2_init=...)`` and ``score(Y, V, t, reml)``
    are the core's Fisher-scoring root finder and (RE)ML score (passed in to
    keep this module free of imports from the core).

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    tau2 : ndarray, shape (n,)
        The roots found by Fisher scoring.
    reml : bool
        Restricted (True) or full (False) likelihood.
    tol : float
        Convergence tolerance passed to ``fisher_root``.
    fisher_root, score : callable
        As described above.
    grid : tuple, optional
        As described above.

    Returns
    -------
    ndarray, shape (n,)
        tau2 at the highest likelihood found per row.

    References
    ----------
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
    """
    if grid is None:
        im = np.flatnonzero(needs_grid(V, k))
        if not im.size:
            return tau2
        T, LL, t_uni = likelihood_grid(Y[im], V[im], k[im], reml)
    else:
        im, T, LL, t_uni = grid
        if not im.size:
            return tau2
    whole = im.size == Y.shape[0]
    Ym, Vm, km = (Y, V, k) if whole else (Y[im], V[im], k[im])
    ll_fit = loglik(Ym, Vm, km, tau2[im], reml)
    best = refine(tau2[im], ll_fit, LL[:, 0], T[:, 1:], LL[:, 1:], km, reml, tol,
                  lambda idx: (Ym[idx], Vm[idx], km[idx]), fisher_root, score, t_uni)
    out = tau2.copy()
    out[im] = best
    return out


def refine(tau2, ll_fit, ll_0, T, LL, k, reml, tol, rows, fisher_root, score, t_uni):
    """The search of :func:`global_max` given the log-likelihood at the fit, at 0 and on a grid.

    ``rows(idx)`` returns the padded ``(Y, V, k)`` of the given rows (only
    rows that need a restart of Fisher scoring are materialised); ``t_uni``
    is each row's T of :func:`unimodal_from`: where the best value so far is
    below T and the score at T is positive, the one peak above T is climbed
    to from T (the grid ends at T).

    Parameters
    ----------
    tau2 : ndarray, shape (n,)
        The fitted roots.
    ll_fit, ll_0 : ndarray, shape (n,)
        The log-likelihood at ``tau2`` and at 0.
    T, LL : ndarray, shape (n, G)
        The grid and the log-likelihood on it.
    k : ndarray of int, shape (n,)
        Number of studies per row.
    reml : bool
        Restricted (True) or full (False) likelihood.
    tol : float
        Convergence tolerance passed to ``fisher_root``.
    rows : callable
        ``rows(idx)`` gives the padded ``(Y, V, k)`` of rows ``idx``.
    fisher_root, score : callable
        As in :func:`global_max`.
    t_uni : ndarray, shape (n,)
        The bound of :func:`unimodal_from` per row.

    Returns
    -------
    ndarray, shape (n,)
        tau2 at the highest likelihood found per row.
    """
    n_m = tau2.shape[0]
    slack = 1e-12 * np.maximum(1.0, np.abs(ll_fit))
    best_t, best_ll = tau2.copy(), ll_fit.copy()
    zero_better = (ll_0 > ll_fit + slack) & (k > 1)
    if zero_better.any():
        # 0 is a maximum only where the score there is <= 0; elsewhere the
        # likelihood rises from 0 to a peak of its own: climb to it
        iz = np.flatnonzero(zero_better)
        Yz, Vz, kz = rows(iz)
        rise = score(Yz, Vz, np.zeros(iz.size), reml) > 0
        best_t[iz] = 0.0
        best_ll[iz] = ll_0[iz]
        if rise.any():
            ir = iz[rise]
            t1 = fisher_root(Yz[rise], Vz[rise], kz[rise], reml, tol, tau2_init=np.zeros(ir.size))
            best_t[ir], best_ll[ir] = t1, loglik(Yz[rise], Vz[rise], kz[rise], t1, reml)
    # candidate peaks: grid points above both neighbours (and the first point
    # if the likelihood falls from it), outside the cell of the current best
    peak = np.zeros_like(LL, dtype=bool)
    peak[:, 1:-1] = (LL[:, 1:-1] >= LL[:, :-2]) & (LL[:, 1:-1] >= LL[:, 2:])
    peak[:, 0] = LL[:, 0] > LL[:, 1]
    peak[:, -1] = LL[:, -1] > LL[:, -2]
    bt = best_t[:, None]
    cell_lo = np.concatenate([np.zeros((n_m, 1)), T[:, :-1]], axis=1)
    cell_hi = np.concatenate([T[:, 1:], np.full((n_m, 1), np.inf)], axis=1)
    peak &= ~((bt >= cell_lo) & (bt <= cell_hi))
    cand = np.where(peak, LL, -np.inf)
    jbest = np.argmax(cand, axis=1)
    ar = np.arange(n_m)
    has = np.isfinite(cand[ar, jbest])
    redo = has | (LL.max(axis=1) > best_ll + slack)
    if redo.any():
        ir = np.flatnonzero(redo)
        start = np.where(has, T[ar, jbest], T[ar, np.argmax(LL, axis=1)])[redo]
        Yr, Vr, kr = rows(ir)
        t2 = fisher_root(Yr, Vr, kr, reml, tol, tau2_init=start)
        ll2 = loglik(Yr, Vr, kr, t2, reml)
        take = ll2 > best_ll[ir]
        best_t[ir[take]] = t2[take]
        best_ll[ir[take]] = ll2[take]
    up = np.flatnonzero((best_t < t_uni) & (k > 1))
    if up.size:
        Yu, Vu, ku = rows(up if up.size < n_m else slice(None))
        rise = score(Yu, Vu, t_uni[up], reml) > 0
        if rise.any():
            iu = up[rise]
            t3 = fisher_root(Yu[rise], Vu[rise], ku[rise], reml, tol, tau2_init=t_uni[iu])
            ll3 = loglik(Yu[rise], Vu[rise], ku[rise], t3, reml)
            take = ll3 > best_ll[iu]
            best_t[iu[take]] = t3[take]
            best_ll[iu[take]] = ll3[take]
    return best_t
