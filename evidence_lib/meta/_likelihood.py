"""The (restricted) likelihood of tau2 and the search for its global maximum (numpy only).

Used by :mod:`evidence_lib.meta._core` (REML/ML estimation) and by
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


def _rowdot(a, b):
    return np.einsum("ij,ij->i", a, b)


def loglik(Y, V, k, tau2, reml):
    """Log-likelihood (ML) or restricted log-likelihood (REML) at tau2, per row.

    metafor's ``logLik`` for the intercept-only model (with ``REMLf=TRUE``):
    ML: -k/2 log(2 pi) - 1/2 sum log(v_i + tau2) - 1/2 sum w_i (y_i - mu)^2;
    REML: -(k-1)/2 log(2 pi) + 1/2 log k - 1/2 sum log(v_i + tau2)
    - 1/2 log(sum w_i) - 1/2 sum w_i (y_i - mu)^2 (Viechtbauer 2005, eqs. 5, 7).
    Padded cells (v = inf) contribute nothing.
    """
    tau2 = np.asarray(tau2, dtype=float)
    ones = np.ones(Y.shape[1])
    Vt = V + tau2[:, None]
    W = 1.0 / Vt
    S1 = W @ ones
    mu = _rowdot(W, Y) / S1
    R = Y - mu[:, None]
    rss = _rowdot(W, R * R)
    fin = np.isfinite(Vt)
    if fin.all():
        slog = np.log(Vt) @ ones
    else:
        slog = np.log(Vt, out=np.zeros_like(Vt), where=fin) @ ones
    kf = k.astype(float)
    if reml:
        return -0.5 * (kf - 1) * np.log(2 * np.pi) + 0.5 * np.log(kf) - 0.5 * slog - 0.5 * np.log(S1) - 0.5 * rss
    return -0.5 * kf * np.log(2 * np.pi) - 0.5 * slog - 0.5 * rss


_GRID = 8  # points of the log-spaced tau2 grid searched for a higher peak


def global_max(Y, V, k, tau2, reml, tol, fisher_root, score):
    """Move each row's tau2 to the global maximum of the (restricted) likelihood.

    The likelihood of tau2 need not be unimodal (Viechtbauer 2005, sec. 4), and
    Fisher scoring stops at the peak it climbs first.  metafor (``ll0check``)
    compares only with tau2 = 0; that misses interior peaks (y = 0, 18, 0, 0,
    0, 2 with v = 1, 18, 1, 1, 1, 1 has REML peaks at 0.12 and 19 and a
    lower boundary value).  Here the likelihood is also evaluated on a
    log-spaced grid from min(v)/100 to 4 range(y)^2 (beyond range(y)^2 the
    ML score is negative) and, where a grid point beats the fitted value,
    Fisher scoring restarts there; the best of the fitted root, the restarted
    root and 0 is kept.  Rows whose studies all have the same variance have a
    unimodal likelihood and skip the grid.

    ``fisher_root(Y, V, k, reml, tol, tau2_init=...)`` and ``score(Y, V, t, reml)``
    are the core's Fisher-scoring root finder and (RE)ML score (passed in to
    keep this module free of imports from the core).
    """
    multi = k > 1
    fin = np.isfinite(V)
    vmax = np.where(fin, V, -np.inf).max(axis=1)
    vmin = np.where(fin, V, np.inf).min(axis=1)
    multi &= vmax > vmin
    ll_fit = loglik(Y, V, k, tau2, reml)
    ll_0 = loglik(Y, V, k, np.zeros_like(tau2), reml)
    slack = 1e-12 * np.maximum(1.0, np.abs(ll_fit))
    best_t, best_ll = tau2.copy(), ll_fit
    zero_better = (ll_0 > ll_fit + slack) & (k > 1)
    if zero_better.any():
        # 0 is a maximum only where the score there is <= 0; elsewhere the
        # likelihood rises from 0 to a peak of its own: climb to it
        iz = np.flatnonzero(zero_better)
        rise = score(Y[iz], V[iz], np.zeros(iz.size), reml) > 0
        best_t[iz] = 0.0
        best_ll[iz] = ll_0[iz]
        if rise.any():
            ir = iz[rise]
            t1 = fisher_root(Y[ir], V[ir], k[ir], reml, tol, tau2_init=np.zeros(ir.size))
            l1 = loglik(Y[ir], V[ir], k[ir], t1, reml)
            best_t[ir], best_ll[ir] = t1, l1
    im = np.flatnonzero(multi)
    if im.size:
        if im.size == Y.shape[0]:
            im = slice(None)
        Ym, Vm, km, finm = Y[im], V[im], k[im], fin[im]
        padded = not finm.all()
        ymax = np.where(finm, Ym, -np.inf).max(axis=1)
        ymin = np.where(finm, Ym, np.inf).min(axis=1)
        lo = vmin[im] / 100
        hi = np.maximum(4 * (ymax - ymin) ** 2, 10 * lo)
        # centred estimates; padded cells have weight 0 (v = inf) and y = 0
        Yc = Ym - Ym.sum(axis=1, keepdims=True) / km[:, None]  # padded y are 0
        if padded:
            Yc = np.where(finm, Yc, 0.0)
        Y2 = Yc * Yc
        n_m = Ym.shape[0]
        LL = np.empty((n_m, _GRID))
        T = np.empty((n_m, _GRID))
        ones = np.ones(Ym.shape[1])
        logv = np.zeros_like(Vm)
        for j, f in enumerate(np.linspace(0.0, 1.0, _GRID)):
            t = lo * (hi / lo) ** f
            Vt = Vm + t[:, None]
            W = 1.0 / Vt
            S1 = W @ ones
            swy = _rowdot(W, Yc)
            rss = _rowdot(W, Y2) - swy * swy / S1
            if padded:
                np.log(Vt, out=logv, where=finm)
            else:
                np.log(Vt, out=logv)
            ll = -0.5 * (logv @ ones) - 0.5 * rss
            if reml:
                ll -= 0.5 * np.log(S1)
            LL[:, j], T[:, j] = ll, t
        # the grid's log-likelihood lacks the constants of loglik(): add them
        kf = km.astype(float)
        LL += ((-0.5 * (kf - 1) * np.log(2 * np.pi) + 0.5 * np.log(kf)) if reml
               else -0.5 * kf * np.log(2 * np.pi))[:, None]
        # candidate peaks: grid points above both neighbours (and the first point
        # if the likelihood falls from it), outside the cell of the current best
        peak = np.zeros_like(LL, dtype=bool)
        peak[:, 1:-1] = (LL[:, 1:-1] >= LL[:, :-2]) & (LL[:, 1:-1] >= LL[:, 2:])
        peak[:, 0] = LL[:, 0] > LL[:, 1]
        peak[:, -1] = LL[:, -1] > LL[:, -2]
        bt = best_t[im][:, None]
        cell_lo = np.concatenate([np.zeros((n_m, 1)), T[:, :-1]], axis=1)
        cell_hi = np.concatenate([T[:, 1:], np.full((n_m, 1), np.inf)], axis=1)
        peak &= ~((bt >= cell_lo) & (bt <= cell_hi))
        cand = np.where(peak, LL, -np.inf)
        jbest = np.argmax(cand, axis=1)
        has = np.isfinite(cand[np.arange(n_m), jbest])
        redo = has | (LL.max(axis=1) > best_ll[im] + slack[im])
        if redo.any():
            ir = np.arange(Y.shape[0])[im][redo]
            start = np.where(has, T[np.arange(n_m), jbest], T[np.arange(n_m), np.argmax(LL, axis=1)])[redo]
            t2 = fisher_root(Y[ir], V[ir], k[ir], reml, tol, tau2_init=start)
            ll2 = loglik(Y[ir], V[ir], k[ir], t2, reml)
            take = ll2 > best_ll[ir]
            best_t[ir[take]] = t2[take]
            best_ll[ir[take]] = ll2[take]
    return best_t
