"""REML and ML estimation of tau2 by Fisher scoring, batched over meta-analyses (numpy only).

Works on the padded batch ``(Y, V, k)`` of :mod:`evidence_lib.meta._core`.  With
w_i = 1/(v_i + tau2), S_r = sum w_i^r and P = W - w w'/S_1, the Fisher-scoring update is
tau2 <- tau2 + (y'PPy - tr P) / tr(PP) for REML and (y'PPy - S_1) / S_2 for ML
(Viechtbauer 2005, eqs. 9-12; metafor's ``rma.uni``), kept inside a bracket of the score's
root, with Newton steps where the observed information allows and bisection where the
iteration oscillates.  :func:`evidence_lib.meta._likelihood.global_max` then makes sure the
root is the highest peak.
"""

from __future__ import annotations

import numpy as np

from . import _likelihood as _lik
from . import _unimodal as _uni
from ._qprofile import _rowdot


def _rowsum(a):
    """Row sums: a matrix-vector product for short rows (numpy's reductions along a short
    axis are slow), np.sum for long ones (a large BLAS call can stall on a busy machine)."""
    return a @ np.ones(a.shape[1]) if a.shape[1] < 64 else a.sum(axis=1)


def _he_init(Y, V, k):
    """Hedges (HE) estimator, metafor's starting value for ML/REML: max(0, (RSS - tr(PV))/(k-1))."""
    finite = np.isfinite(V)
    kk = k.astype(float)
    ybar = Y.sum(axis=1) / kk
    R = np.where(finite, Y - ybar[:, None], 0.0)
    rss = _rowdot(R, R)
    sv = np.where(finite, V, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (rss - sv * (1 - 1 / kk)) / (kk - 1)
    return np.where(k > 1, np.maximum(0.0, t), 0.0)


def _score(Y, V, t, reml):
    W = 1.0 / (V + t[:, None])
    S1 = W.sum(axis=1)
    W2 = W * W
    mu = _rowdot(W, Y) / S1
    R = Y - mu[:, None]
    yPPy = _rowdot(W2, R * R)
    if reml:
        return yPPy - (S1 - W2.sum(axis=1) / S1)
    return yPPy - S1


def _score_bisect(Y, V, lo, hi, reml, tol, maxiter):
    """Root of the (RE)ML score in [lo, hi] by bisection (vectorised); hi expanded if infinite."""
    lo = lo.copy()
    hi = hi.copy()
    inf = ~np.isfinite(hi)
    if inf.any():
        h = np.where(inf, np.maximum(1.0, 2 * lo), hi)
        for _ in range(200):
            sc = _score(Y, V, h, reml)
            grow = inf & (sc > 0)
            if not grow.any():
                break
            h = np.where(grow, 4 * h, h)
        hi = h
    for _ in range(maxiter):
        mid = 0.5 * (lo + hi)
        sc = _score(Y, V, mid, reml)
        lo = np.where(sc > 0, mid, lo)
        hi = np.where(sc > 0, hi, mid)
        if np.all(hi - lo <= tol * np.maximum(1.0, hi)):
            break
    return 0.5 * (lo + hi)


def _fisher_root(Y, V, k, reml, tol=1e-12, maxiter=1000, tau2_init=None, fisher_maxiter=100, bracket=None):
    """A root of the REML or ML score by Fisher scoring (Viechtbauer 2005), vectorised over rows.

    Returns tau2 (a local maximum, or 0).  Rows with k = 1 get tau2 = 0.
    Fisher scoring is kept inside a bracket of the score's root; rows still
    unconverged after ``fisher_maxiter`` (metafor's maxiter, 100) iterations,
    where metafor stops with an error, are finished by bisection of the score
    (the REML/ML estimating equation), so they still get the (local) maximum.
    Each row stops updating as soon as its own change is below
    ``tol * max(1, tau2)``, so a row's result does not depend on the batch.
    ``bracket`` = (lo, hi), optional: per row, a point where the score is known to be
    positive (0 where unknown) and one where it is negative (inf where unknown); the
    iteration stays between them.
    """
    n = Y.shape[0]
    tau2 = _he_init(Y, V, k) if tau2_init is None else np.array(tau2_init, dtype=float)
    active = k > 1
    bufs = np.empty((3,) + Y.shape)
    # bracket of the root of the score: lo has score > 0, hi has score < 0
    if bracket is None:
        lo, hi = np.zeros(n), np.full(n, np.inf)
    else:
        lo, hi = (np.array(b, dtype=float) for b in bracket)
    lo_seen = lo > 0  # lo is a point already evaluated (score > 0 there)
    it = 0
    while active.any():
        it += 1
        if it > fisher_maxiter:
            # Fisher scoring oscillates for these rows (metafor would stop with
            # "Fisher scoring algorithm did not converge"): find the root of
            # the score by bisection inside the bracket instead.
            ia = np.flatnonzero(active)
            tau2[ia] = _score_bisect(Y[ia], V[ia], lo[ia], hi[ia], reml, tol, maxiter)
            break
        idx = np.flatnonzero(active) if active.sum() < n else slice(None)
        Ya, Va, t = Y[idx], V[idx], tau2[idx].copy()
        m = Va.shape[0]
        # work arrays reused across iterations (fresh large arrays cost page faults)
        W, WR, W2 = bufs[0][:m], bufs[1][:m], bufs[2][:m]
        np.add(Va, t[:, None], out=W)
        np.reciprocal(W, out=W)
        S1 = _rowsum(W)
        mu = _rowdot(W, Ya) / S1
        np.subtract(Ya, mu[:, None], out=WR)
        WR *= W                      # w_i r_i = (P y)_i
        yPPy = _rowdot(WR, WR)       # y'PPy = sum w^2 r^2
        w2r = _rowdot(W, WR)         # sum w^2 r
        np.multiply(W, W, out=W2)
        S2 = _rowsum(W2)
        S3 = _rowdot(W2, W)
        WR *= WR
        # y'PPPy = sum w^3 r^2 - (sum w^2 r)^2 / S1 (observed information term)
        yPPPy = _rowdot(WR, W) - w2r * w2r / S1
        if reml:
            trP = S1 - S2 / S1
            trPP = S2 - 2 * S3 / S1 + (S2 / S1) ** 2
            score = yPPy - trP          # 2 x REML score
            info = trPP                 # 2 x expected information
            dscore = trPP - 2 * yPPPy   # derivative of (yPPy - trP)
        else:
            score = yPPy - S1
            info = S2
            dscore = S2 - 2 * yPPPy
        adj = score / info
        adj = np.where(np.isfinite(adj), adj, 0.0)
        lo_a = np.where(score > 0, np.maximum(lo[idx], t), lo[idx])
        hi_a = np.where(score < 0, np.minimum(hi[idx], t), hi[idx])
        seen_a = lo_seen[idx] | (score > 0)
        # Fisher scoring step.  metafor halves a step that would make tau2
        # negative until tau2 + adj >= 0, which drives tau2 geometrically to 0
        # when the maximum is on the boundary; we go to the limit of that
        # sequence directly (tau2 = 0) and let the sign of the score at 0
        # decide (score(0) <= 0: the maximum is at 0; else the bracket [0, t]
        # contains the root).
        adj = np.where(t + adj < 0, -t, adj)
        new = t + adj
        # Acceleration and safeguard (not in metafor; same fixed point): where
        # the observed information is positive, take the Newton step on the
        # score instead (quadratic convergence); Fisher scoring can also
        # oscillate without converging (metafor then stops with an error), so
        # a step leaving the bracket [lo, hi] of the score's root is replaced
        # by bisection.
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = t - score / dscore
        use_n = (dscore < 0) & np.isfinite(newton) & (newton > lo_a) & (newton < hi_a)
        new = np.where(use_n, newton, new)
        # (a bracket end is a point already visited: landing on it again cycles)
        out = ((new < lo_a) | ((new == lo_a) & seen_a) | (new >= hi_a)) & np.isfinite(hi_a) & (new != t)
        if out.any():
            new = np.where(out, 0.5 * (lo_a + hi_a), new)
        done = np.abs(new - t) <= tol * np.maximum(1.0, new)
        tau2[idx] = new
        lo[idx], hi[idx], lo_seen[idx] = lo_a, hi_a, seen_a
        if isinstance(idx, slice):
            active = ~done & active
        else:
            active[idx[done]] = False
    return tau2


def tau2_fisher(Y, V, k, method="REML", tol=1e-12, maxiter=1000, tau2_init=None, fisher_maxiter=100):
    """REML or ML estimate of tau2: the global maximum of the (restricted) likelihood, per row.

    Fisher scoring (Viechtbauer 2005, eqs. 9-12) kept inside a bracket of the score's root and
    finished by bisection where it oscillates.  Rows whose variances differ by less than a factor
    1.387 have one peak (:func:`evidence_lib.meta._likelihood.unimodal_from`) and start at
    metafor's starting value (Hedges).  For the others (under 2,048 studies), a proof that the
    likelihood has one peak is attempted (:mod:`evidence_lib.meta._unimodal`; it holds for most
    data); its first pass also gives the start.  Where the proof leaves two peaks, tau2 = 0
    and one root of the score, Fisher scoring climbs the root inside the proof's bracket and
    the higher of the two is kept.  Where it does not hold, and for rows of 2,048+
    studies, :func:`evidence_lib.meta._likelihood.global_max` searches a likelihood grid for a
    higher peak than the root found (metafor checks only tau2 = 0).

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Estimates and sampling variances, one meta-analysis per row, padded as by
        :func:`as_batch` (y = 0, v = inf).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    method : {"REML", "ML"}
        Restricted or full likelihood.
    tol : float
        Convergence: a row stops when its change is below ``tol * max(1, tau2)``.
    maxiter : int
        Most bisection steps where Fisher scoring does not converge.
    tau2_init : array_like, optional
        Starting values; default as described above.
    fisher_maxiter : int
        Most Fisher-scoring steps before bisection takes over (metafor's ``maxiter``).

    Returns
    -------
    tau2, se : ndarray, shape (n,)
        The estimate (0 for k = 1) and its standard error from the expected information.
    iterations : int
        Always 0 (kept for the callers' unpacking).

    References
    ----------
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
    """
    reml = method == "REML"
    grid = rival = bracket = None
    if tau2_init is None:
        n = Y.shape[0]
        tau2_init = np.zeros(n)
        multi = _lik.needs_grid(V, k)
        if Y.shape[1] >= _lik.BINNED_FROM:  # too long for the proof: the binned grid search
            return _tau2_searched(Y, V, k, reml, tol, maxiter, fisher_maxiter, multi)
        rest = np.flatnonzero(~multi)
        if rest.size:  # one peak by the variance-ratio bound: metafor's start (Hedges)
            tau2_init[rest] = _he_init(Y[rest], V[rest], k[rest])
        im = np.flatnonzero(multi)
        if im.size:
            # the proof of a single peak (evidence_lib.meta._unimodal), whose first pass
            # also gives the start; rows without a proof get the likelihood-grid search
            sub = im.size < n
            Ym, Vm, km = (Y[im], V[im], k[im]) if sub else (Y, V, k)
            rows = _uni.prepare(Ym, Vm, km)
            t_uni = _lik.unimodal_from(rows.vmin, rows.vmax)
            first = _uni.first_pass(rows, Vm, t_uni, reml)
            tau2_init[im] = first.start
            cert = _uni.certify(rows, Vm, t_uni, first, reml)
            ig = np.flatnonzero(~cert.ok)
            if ig.size:
                T, LL, start, tg = _lik.grid_start(Ym[ig], Vm[ig], km[ig], reml)
                if start is not None:
                    tau2_init[im[ig]] = start
                grid = (im[ig], T, LL, tg)
            else:
                grid = (ig, None, None, None)
            riv = np.flatnonzero(cert.rival)
            if riv.size:  # tau2 = 0 and one interior peak: climb the interior one first
                rival, lo, hi = im[riv], cert.lo[riv], cert.hi[riv]
                tau2_init[rival] = np.where(np.isfinite(hi), 0.5 * (lo + hi), lo)
                bracket = (np.zeros(n), np.full(n, np.inf))
                bracket[0][rival], bracket[1][rival] = lo, hi
    tau2 = _fisher_root(Y, V, k, reml, tol, maxiter, tau2_init, fisher_maxiter, bracket)
    if rival is not None:  # the higher of the two peaks the proof leaves (metafor's ll0check)
        zero = np.zeros(rival.size)
        higher = (_lik.loglik(Y[rival], V[rival], k[rival], zero, reml)
                  >= _lik.loglik(Y[rival], V[rival], k[rival], tau2[rival], reml))
        lost = (tau2[rival] < lo) | (tau2[rival] > hi)  # never seen; the grid search if so
        tau2[rival[higher & ~lost]] = 0.0
        if lost.any():
            ig = np.union1d(grid[0], rival[lost])
            T, LL, _, tg = _lik.grid_start(Y[ig], V[ig], k[ig], reml)
            grid = (ig, T, LL, tg)
    tau2 = _lik.global_max(Y, V, k, tau2, reml, tol, _fisher_root, _score, grid)
    return tau2, fisher_se(Y, V, k, tau2, reml), 0


def _tau2_searched(Y, V, k, reml, tol, maxiter, fisher_maxiter, multi):
    """tau2 for long rows (2,048+ studies): Hedges' start, Fisher scoring, then the binned
    likelihood-grid search of :func:`evidence_lib.meta._likelihood.global_max`."""
    tau2 = _fisher_root(Y, V, k, reml, tol, maxiter, _he_init(Y, V, k), fisher_maxiter)
    im = np.flatnonzero(multi)
    grid = None
    if im.size:
        T, LL, _, t_uni = _lik.grid_start(Y[im], V[im], k[im], reml)
        grid = (im, T, LL, t_uni)
    tau2 = _lik.global_max(Y, V, k, tau2, reml, tol, _fisher_root, _score, grid)
    return tau2, fisher_se(Y, V, k, tau2, reml), 0


def fisher_se(Y, V, k, tau2, reml):
    """Standard error of a REML or ML tau2 from the expected information.

    sqrt(2 / tr(PP)) for REML, sqrt(2 / S2) for ML, with w_i = 1/(v_i + tau2).

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Estimates and sampling variances, one meta-analysis per row, padded as by
        :func:`as_batch` (y = 0, v = inf).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    tau2 : ndarray, shape (n,)
        The estimate per row.
    reml : bool
        True for REML, False for ML.

    Returns
    -------
    ndarray, shape (n,)
        The standard error; NaN for k = 1.

    References
    ----------
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
    """
    W = 1.0 / (V + tau2[:, None])
    S1 = W.sum(axis=1)
    W2 = W * W
    S2 = W2.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if reml:
            S3 = _rowdot(W2, W)
            trPP = S2 - 2 * S3 / S1 + (S2 / S1) ** 2
            se = np.sqrt(2 / trPP)
        else:
            se = np.sqrt(2 / S2)
    return np.where(k > 1, se, np.nan)
