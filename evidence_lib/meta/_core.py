"""Batched numerical core of the meta-analysis engine (numpy only).

Every function here works on a *batch* of intercept-only meta-analyses held as
2-D arrays ``Y`` and ``V`` of shape ``(n, K)``: one row per meta-analysis,
unequal numbers of studies padded with NaN by the caller.  Padding is turned
into ``y = 0, v = +inf`` so that every inverse-variance weight ``1/(v + tau2)``
of a padded cell is exactly 0 and all sums are plain row sums: no masks and no
Python loop over studies or rows.

:func:`evidence_lib.meta.pool` is this core applied to a batch of one row, so
``pool`` and ``pool_many`` agree by construction (the test-suite checks it).

Estimators (intercept-only random-effects model y_i = mu + u_i + e_i,
u_i ~ N(0, tau2), e_i ~ N(0, v_i)); w_i = 1/(v_i + tau2), S_r = sum w_i^r,
mu = sum w_i y_i / S_1, P = W - w w' / S_1:

* ``FE``: tau2 = 0.
* ``DL``: DerSimonian & Laird (1986), tau2 = max(0, (Q - (k-1)) / (S_1 - S_2/S_1))
  with the fixed-effect weights.  Clamped at 0.
* ``REML`` / ``ML``: Fisher scoring as in Viechtbauer (2005, eqs. 9-12) and
  metafor's ``rma.uni``: tau2 <- tau2 + (y'PPy - tr P) / tr(PP) (REML) or
  (y'PPy - S_1) / S_2 (ML), starting from the Hedges (HE) estimate or the
  best point of a likelihood grid (see :func:`tau2_fisher`),
  step-halving when a step would go below 0.  Closed forms for the
  intercept-only model: y'PPy = sum w_i^2 (y_i - mu)^2,
  tr P = S_1 - S_2/S_1, tr(PP) = S_2 - 2 S_3/S_1 + S_2^2/S_1^2.
  Converged when the change is < ``tol * max(1, tau2)`` (default 1e-12).
* ``PM``: Paule & Mandel (1982): the root of the generalised
  Q(tau2) = sum w_i (y_i - mu)^2 = k - 1; 0 when Q(0) < k - 1.  Q is
  decreasing in tau2; solved per row by safeguarded Newton steps
  (dQ/dtau2 = -sum w_i^2 (y_i - mu)^2) inside a bisection bracket.
"""

from __future__ import annotations

import numpy as np
from scipy import special as sp

from . import _estimators as _est
from . import _likelihood as _lik

METHODS = ("FE", "DL", "REML", "PM", "ML", "EB", "SJ", "HE", "HS")
CI_METHODS = ("wald", "hksj")
PI_METHODS = ("z", "t_k2")
I2_METHODS = ("model", "q")

_EPS = np.finfo(float).eps


def _rowdot(a, b):
    return np.einsum("ij,ij->i", a, b)


def _rowsum(a):
    """Row sums: a matrix-vector product for short rows (numpy's reductions along a short
    axis are slow), np.sum for long ones (a large BLAS call can stall on a busy machine)."""
    return a @ np.ones(a.shape[1]) if a.shape[1] < 64 else a.sum(axis=1)


def as_batch(Y, V, name_y="Y", name_v="V"):
    """Validate and pad a batch.  Returns ``(Y, V, k)`` with padding as y=0, v=inf."""
    Y = np.asarray(Y, dtype=float)
    V = np.asarray(V, dtype=float)
    if Y.ndim == 1:
        Y = Y[None, :]
    if V.ndim == 1:
        V = V[None, :]
    if Y.ndim != 2 or Y.shape != V.shape:
        raise ValueError(
            f"{name_y} and {name_v} must have the same shape (rows = analyses, columns = studies); "
            f"got {Y.shape} and {V.shape}"
        )
    ny, nv = np.isnan(Y), np.isnan(V)
    if not np.array_equal(ny, nv):
        i, j = np.argwhere(ny != nv)[0]
        raise ValueError(
            f"{name_y} and {name_v} must be NaN at the same places (NaN pads unequal k); "
            f"row {i}, column {j} is NaN in only one of them"
        )
    pad = ny
    okY = np.isfinite(Y)
    okY |= pad
    if not okY.all():
        i, j = np.argwhere(~okY)[0]
        raise ValueError(f"{name_y} has a non-finite value at row {i}, study {j}; remove the study")
    okV = V > 0
    okV &= V < np.inf
    okV |= pad
    if not okV.all():
        i, j = np.argwhere(~okV)[0]
        raise ValueError(
            f"{name_v} must be positive and finite; row {i}, study {j} has {V[i, j]}; "
            "check the variance (not a standard error or a CI) was passed"
        )
    k = Y.shape[1] - pad.sum(axis=1)
    if (k == 0).any():
        raise ValueError(f"row {np.flatnonzero(k == 0)[0]} has no studies (all NaN); drop it")
    if pad.any():
        Y = np.where(pad, 0.0, Y)
        V = np.where(pad, np.inf, V)
    return Y, V, k


def _wsums(Y, V, tau2):
    """Weights and the sums needed by every estimator at the given tau2 (per row)."""
    W = 1.0 / (V + tau2[:, None])
    S1 = W.sum(axis=1)
    mu = _rowdot(W, Y) / S1
    R = Y - mu[:, None]
    return W, S1, mu, R


def q_gen(Y, V, tau2):
    """Generalised Q statistic sum w_i (y_i - mu)^2 with w_i = 1/(v_i + tau2), per row."""
    W, S1, mu, R = _wsums(Y, V, tau2)
    return _rowdot(W, R * R)


def fe_stats(Y, V, k):
    """Fixed-effect quantities: S1, S2, mu, Q, tr(P), sum(P*P) with w = 1/v."""
    W = 1.0 / V
    S1 = W.sum(axis=1)
    W2 = W * W
    S2 = W2.sum(axis=1)
    S3 = _rowdot(W2, W)
    mu = _rowdot(W, Y) / S1
    R = Y - mu[:, None]
    Q = np.maximum(0.0, _rowdot(W, R * R))
    trP = S1 - S2 / S1
    sPP = S2 - 2 * S3 / S1 + (S2 / S1) ** 2
    return dict(S1=S1, S2=S2, mu=mu, Q=Q, trP=trP, sPP=sPP)


def tau2_dl(Y, V, k, fe):
    """DerSimonian-Laird estimate (clamped at 0) and metafor's SE for it."""
    df = k - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (fe["Q"] - df) / fe["trP"]
        t = np.where(k > 1, np.maximum(0.0, t), 0.0)
        se = np.sqrt(1 / fe["trP"] ** 2 * (2 * df + 4 * t * fe["trP"] + 2 * t**2 * fe["sPP"]))
    se = np.where(k > 1, se, np.nan)
    return t, se


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


def _fisher_root(Y, V, k, reml, tol=1e-12, maxiter=1000, tau2_init=None, fisher_maxiter=100):
    """A root of the REML or ML score by Fisher scoring (Viechtbauer 2005), vectorised over rows.

    Returns tau2 (a local maximum, or 0).  Rows with k = 1 get tau2 = 0.
    Fisher scoring is kept inside a bracket of the score's root; rows still
    unconverged after ``fisher_maxiter`` (metafor's maxiter, 100) iterations,
    where metafor stops with an error, are finished by bisection of the score
    (the REML/ML estimating equation), so they still get the (local) maximum.
    Each row stops updating as soon as its own change is below
    ``tol * max(1, tau2)``, so a row's result does not depend on the batch.
    """
    n = Y.shape[0]
    tau2 = _he_init(Y, V, k) if tau2_init is None else np.array(tau2_init, dtype=float)
    active = k > 1
    bufs = np.empty((3,) + Y.shape)
    # bracket of the root of the score: lo has score > 0, hi has score < 0
    lo = np.zeros(n)
    lo_seen = np.zeros(n, bool)  # lo is a point already evaluated (score > 0 there)
    hi = np.full(n, np.inf)
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
    """REML or ML estimate: the global maximum of the (restricted) likelihood, vectorised over rows.

    Fisher scoring (Viechtbauer 2005, eqs. 9-12), kept inside a bracket of the
    score's root and finished by bisection where it oscillates.  Rows whose
    likelihood may have several peaks (:func:`evidence_lib.meta._likelihood.needs_grid`)
    start at the best point of a likelihood grid (which the search for the
    global maximum needs anyway); the others (and rows of 2,048+ studies) at
    metafor's starting value (Hedges).  Then
    :func:`evidence_lib.meta._likelihood.global_max` makes sure the root found
    is the highest peak (metafor checks only tau2 = 0).
    Returns ``(tau2, se_tau2, iterations)``; rows with k = 1 get tau2 = 0.
    """
    reml = method == "REML"
    grid = None
    if tau2_init is None:
        # start at the best point of the likelihood grid that the global
        # search needs anyway (fewer Fisher steps than from Hedges' estimate)
        multi = _lik.needs_grid(V, k)
        im = np.flatnonzero(multi)
        if im.size < Y.shape[0]:
            tau2_init = np.zeros(Y.shape[0])
            rest = np.flatnonzero(~multi)
            tau2_init[rest] = _he_init(Y[rest], V[rest], k[rest])
        else:
            tau2_init = np.empty(Y.shape[0])
        if im.size:
            sub = im.size < Y.shape[0]
            T, LL, start, t_uni = _lik.grid_start(Y[im] if sub else Y, V[im] if sub else V,
                                                  k[im] if sub else k, reml)
            tau2_init[im] = start if start is not None else _he_init(Y[im], V[im], k[im])
            grid = (im, T, LL, t_uni)
    tau2 = _fisher_root(Y, V, k, reml, tol, maxiter, tau2_init, fisher_maxiter)
    tau2 = _lik.global_max(Y, V, k, tau2, reml, tol, _fisher_root, _score, grid)
    return tau2, fisher_se(Y, V, k, tau2, reml), 0


def fisher_se(Y, V, k, tau2, reml):
    """SE of the REML/ML tau2 from the expected information, sqrt(2 / tr PP) or sqrt(2 / S2)."""
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


def solve_q(Y, V, target, lo0=None, hi_cap=None, tol=1e-12, maxiter=500):
    """Per row, the tau2 >= 0 with generalised Q(tau2) = target (vectorised).

    Q(tau2) is strictly decreasing.  Rows with Q(lo0) <= target return lo0 (0).
    If ``hi_cap`` is given (array), rows with Q(hi_cap) > target return hi_cap
    (metafor's convention for ``tau2.max`` in ``confint``); otherwise the
    bracket is doubled until it contains the root.
    Safeguarded Newton: dQ/dtau2 = -sum w_i^2 (y_i - mu)^2.
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
    lo = lo[ia]
    if hi_cap is not None:
        hi = np.broadcast_to(np.asarray(hi_cap, float), (n,))[ia].copy()
        q_hi = q_gen(Ya, Va, hi)
        capped = q_hi > tg
    else:
        # expand: start at a scale of the data, double until Q(hi) < target
        hi = np.maximum(1.0, 10 * np.nanmax(np.where(np.isfinite(Va), Va, np.nan), axis=1))
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
        done = (np.abs(new - t[j]) <= tol * np.maximum(1.0, new)) | (f == 0)
        lo[j], hi[j], t[j] = lo_j, hi_j, new
        res[j] = new
        act[j[done]] = False
    out[ia] = res
    return out


def tau2_pm(Y, V, k, tol=1e-12):
    """Paule-Mandel estimate; metafor's SE sqrt(2 k^2 / (k-1) / S_1^2)."""
    tau2 = solve_q(Y, V, (k - 1).astype(float), tol=tol)
    tau2 = np.where(k > 1, tau2, 0.0)
    S1 = (1.0 / (V + tau2[:, None])).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(2 * k.astype(float) ** 2 / (k - 1) / S1**2)
    return tau2, np.where(k > 1, se, np.nan)


def estimate_tau2(Y, V, k, method, fe=None, tol=1e-12):
    """Dispatch to the tau2 estimator; returns (tau2, se_tau2)."""
    if fe is None:
        fe = fe_stats(Y, V, k)
    if method == "FE":
        return np.zeros(Y.shape[0]), np.full(Y.shape[0], np.nan)
    if method == "DL":
        return tau2_dl(Y, V, k, fe)
    if method in ("REML", "ML"):
        t, se, _ = tau2_fisher(Y, V, k, method, tol=tol)
        return t, se
    if method in ("PM", "EB"):  # EB solves the PM equation (see _estimators)
        return tau2_pm(Y, V, k, tol=tol)
    if method == "HE":
        return _est.tau2_he(Y, V, k)
    if method == "HS":
        return _est.tau2_hs(Y, V, k)
    if method == "SJ":
        return _est.tau2_sj(Y, V, k)
    raise ValueError(f"method must be one of {METHODS}; got {method!r}")


def qprofile_ci(Y, V, k, tau2, level=0.95, tol=1e-12):
    """Q-profile confidence interval for tau2 (Viechtbauer 2007), per row.

    Lower limit solves Q(tau2) = chi2_{(1+level)/2, k-1}, upper limit
    Q(tau2) = chi2_{(1-level)/2, k-1}; a limit is 0 when Q(0) is already below
    the critical value (both 0: the CI is the null set, as metafor reports).
    Following metafor's ``confint.rma.uni``, the search is capped at
    ``tau2_max = max(100, 10 * tau2)`` and a limit beyond it is reported as
    ``tau2_max``.  NaN for k = 1.
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


def fit(Y, V, k, method="REML", ci="wald", level=0.95, pi="z", i2="model",
        hksj_truncate=False, tol=1e-12, tau2=None):
    """Fit a batch; returns a dict of per-row arrays (see MetaResult fields).

    ``tau2``: optional ``(tau2, se_tau2)`` already estimated (by ``method``)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    if ci not in CI_METHODS:
        raise ValueError(f"ci must be one of {CI_METHODS}; got {ci!r}")
    if pi not in PI_METHODS:
        raise ValueError(f"pi must be one of {PI_METHODS}; got {pi!r}")
    if i2 not in I2_METHODS:
        raise ValueError(f"i2 must be one of {I2_METHODS}; got {i2!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level}")
    fe = fe_stats(Y, V, k)
    tau2, se_tau2 = estimate_tau2(Y, V, k, method, fe, tol=tol) if tau2 is None else tau2
    W = 1.0 / (V + tau2[:, None])
    S1 = W.sum(axis=1)
    mu = _rowdot(W, Y) / S1
    vb = 1.0 / S1
    one = k == 1
    df_q = (k - 1).astype(float)
    alpha = 1 - level
    if ci == "hksj":
        R = Y - mu[:, None]
        rss = _rowdot(W, R * R)
        with np.errstate(divide="ignore", invalid="ignore"):
            s2w = np.where(rss <= _EPS, 0.0, rss / df_q)
        hk_scale = s2w.copy()
        if hksj_truncate:
            s2w = np.maximum(s2w, 1.0)
        s2w = np.where(one, 1.0, s2w)  # k = 1: metafor falls back to test="z"
        vb = s2w * vb
        dfs = np.where(one, np.inf, df_q)
    else:
        dfs = np.full(Y.shape[0], np.inf)
        hk_scale = np.ones(Y.shape[0])
    se = np.sqrt(vb)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = mu / se
    tdist = np.isfinite(dfs)
    crit = np.where(tdist, sp.stdtrit(np.where(tdist, dfs, 1.0), 1 - alpha / 2), sp.ndtri(1 - alpha / 2))
    absstat = np.abs(stat)
    pval = np.where(tdist, 2 * sp.stdtr(np.where(tdist, dfs, 1.0), -absstat), 2 * sp.ndtr(-absstat))
    ci_low, ci_high = mu - crit * se, mu + crit * se
    # prediction interval (metafor predict.rma; pi="t_k2": pi.type="riley")
    if pi == "z":
        pcrit = crit
    else:
        pdf = np.maximum(1.0, (k - (1 if method == "FE" else 2)).astype(float))
        pcrit = sp.stdtrit(pdf, 1 - alpha / 2)
    psd = np.sqrt(vb + tau2)
    pi_low, pi_high = mu - pcrit * psd, mu + pcrit * psd
    # heterogeneity
    Q = np.where(one, 0.0, fe["Q"])
    with np.errstate(divide="ignore", invalid="ignore"):
        q_p = np.where(one, 1.0, sp.chdtrc(np.where(one, 1.0, df_q), Q))
        if i2 == "q" or method == "FE":
            i2v = np.maximum(0.0, 100 * (Q - df_q) / Q)
            i2v = np.where(np.isnan(i2v), 0.0, i2v)  # Q = 0
            h2 = Q / df_q
        else:
            vt = df_q / fe["trP"]
            i2v = 100 * tau2 / (vt + tau2)
            h2 = tau2 / vt + 1
            i2v = np.where(tau2 == 0, 0.0, i2v)
            h2 = np.where(tau2 == 0, 1.0, h2)
    i2v = np.where(one, 0.0, i2v)
    h2 = np.where(one, 1.0, h2)
    weights = 100 * W / S1[:, None]
    return dict(
        estimate=mu, se=se, statistic=stat, pvalue=pval, ci_low=ci_low, ci_high=ci_high,
        pi_low=pi_low, pi_high=pi_high, tau2=tau2, tau2_se=se_tau2, i2=i2v, h2=h2,
        q=Q, q_df=df_q, q_pvalue=q_p, k=k, df=dfs, weights=weights, crit=crit, hk_scale=hk_scale,
    )
