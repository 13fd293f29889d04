"""GOSH: the pooled estimate and heterogeneity of every (or of many random) subsets of studies."""

from __future__ import annotations

import numpy as np

from . import _core as core
from ._validate import _check_1d, _norm_method
from .results import GoshResult

__all__ = ["gosh"]

_MAX_K = 62  # subsets are int64 bit masks


def _bits(masks, k):
    """Boolean (n, k) inclusion matrix of int64 bit masks (bit i = study i)."""
    b = np.unpackbits(np.ascontiguousarray(masks, dtype="<i8").view(np.uint8).reshape(-1, 8), axis=1,
                      bitorder="little")
    return b[:, :k]


def _sample_masks(k, n, rng):
    """n distinct non-empty subsets of k studies, uniformly at random (as bit masks, sorted)."""
    total = (1 << k) - 1
    if 4 * n >= total:  # dense: a random part of all masks
        return np.sort(rng.choice(total, size=n, replace=False).astype(np.int64) + 1)
    got = np.empty(0, dtype=np.int64)
    while got.size < n:
        draw = rng.integers(1, 1 << k, size=int((n - got.size) * 1.05) + 16, dtype=np.int64)
        got = np.sort(np.concatenate([got, draw]))
        got = got[np.concatenate([[True], got[1:] != got[:-1]])]  # (np.unique is slower here)
    if got.size > n:  # drop a random surplus (keeps the sample uniform)
        got = np.sort(rng.choice(got, size=n, replace=False))
    return got


def _all_subset_sums(a):
    """Column sums over every subset: row m = sum of the rows of ``a`` (k, c) whose bit is set in m.

    Built by doubling (the subsets containing study j are those without it plus row j), so all
    2^k rows cost 2^k additions per column instead of 2^k k.
    """
    k, c = a.shape
    S = np.zeros((1 << k, c))
    for j in range(k):
        np.add(S[:1 << j], a[j], out=S[1 << j:2 << j])
    return S


def _het(kk, Q, tau2, trP, qbased):
    one = kk == 1
    dfq = (kk - 1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if qbased:  # metafor's gosh fast path for FE and DL: Q-based I2/H2
            i2 = np.maximum(0.0, 100 * (Q - dfq) / Q)
            i2 = np.where(np.isnan(i2), 0.0, i2)
            h2 = Q / dfq
        else:
            vt = dfq / trP
            i2 = np.where(tau2 == 0, 0.0, 100 * tau2 / (vt + tau2))
            h2 = np.where(tau2 == 0, 1.0, tau2 / vt + 1)
    return np.where(one, 0.0, i2), np.where(one, 1.0, h2)


def _fe_columns(y, v):
    w = 1.0 / v
    return np.column_stack([np.ones_like(w), w, w * w, w * y, w * y * y])


def _fit_fast(inc, y, v, method, A):
    """FE / DL for a chunk of subsets (inc: (n, k) 0/1; A: the subsets' sums of
    1, w, w^2, w y, w y^2)."""
    kk = np.rint(A[:, 0]).astype(np.int64)
    S1, S2, Swy, Swy2 = A[:, 1], A[:, 2], A[:, 3], A[:, 4]
    one = kk == 1
    Q = np.where(one, 0.0, np.maximum(0.0, Swy2 - Swy * Swy / S1))
    trP = S1 - S2 / S1
    if method == "FE":
        return kk, Swy / S1, np.zeros(kk.shape[0]), Q, trP
    with np.errstate(divide="ignore", invalid="ignore"):
        tau2 = np.where(one, 0.0, np.maximum(0.0, (Q - (kk - 1)) / trP))
    W = v[None, :] + tau2[:, None]
    np.divide(inc, W, out=W)
    return kk, (W @ y) / (W @ np.ones_like(y)), tau2, Q, trP


def _fit_core(inc, y, v, method, tol):
    """Any estimator: each subset a padded row of the batched core."""
    Y = np.where(inc, y, 0.0)
    V = np.where(inc, v, np.inf)
    kk = inc.sum(axis=1)
    fe = core.fe_stats(Y, V, kk)
    tau2, _ = core.estimate_tau2(Y, V, kk, method, fe, tol=tol)
    W = 1.0 / (V + tau2[:, None])
    est = np.einsum("ij,ij->i", W, Y) / W.sum(axis=1)
    return kk, est, tau2, np.where(kk == 1, 0.0, fe["Q"]), fe["trP"]


def gosh(yi, vi, *, method: str = "DL", subsets: int = 1_000_000, seed=None, chunk: int = 4096,
         tol: float = 1e-12) -> GoshResult:
    """GOSH analysis: fit every non-empty subset, or ``subsets`` random ones.

    When 2^k - 1 <= ``subsets`` all subsets are fitted (in metafor's order of
    bit masks 1, 2, ..., 2^k - 1, bit i = study i); otherwise ``subsets``
    distinct non-empty subsets drawn uniformly at random (as metafor's ``gosh``,
    which draws the subset size from Binomial(k, 1/2) and then the studies; we
    also avoid repeats), sorted by mask.  Subsets with one study have tau2 = 0,
    Q = 0, I2 = 0, H2 = 1.  I2/H2 follow metafor's ``gosh``: Q-based for FE and
    DL (I2 = max(0, 100 (Q - df)/Q), H2 = Q/df), model-based otherwise.

    Parameters
    ----------
    yi, vi : array_like
        Estimates and sampling variances.
    method : str
        Any estimator of :func:`evidence_lib.meta.pool`; FE and DL are computed
        by matrix products (fast), the others by the batched core.
    subsets : int
        Largest number of subsets (metafor's default 10^6).
    seed : int or numpy.random.Generator, optional
        Random subsets are reproducible with a seed.
    chunk : int
        Subsets fitted at a time (memory: about chunk x k cells).
    tol : float
        Convergence tolerance of iterative estimators.

    Returns
    -------
    GoshResult
        ``exhaustive`` says whether all subsets were fitted.

    Raises
    ------
    ValueError
        k > 62 (subsets are 64-bit masks), ``subsets`` < 1, bad input.

    References
    ----------
    Olkin I, Dahabreh IJ, Trikalinos TA (2012) GOSH - a graphical display of
    study heterogeneity. Res Synth Methods 3:214-223 (the all-subsets display, sec. 2).
    DerSimonian R, Laird N (1986) Meta-analysis in clinical trials. Control Clin
    Trials 7:177-188 (the DL estimator, eq. 7 there).
    """
    y, v, _ = _check_1d(yi, vi)
    k = y.shape[0]
    if k > _MAX_K:
        raise ValueError(f"gosh handles at most {_MAX_K} studies (subsets are 64-bit masks); got k = {k}")
    subsets = int(subsets)
    if subsets < 1:
        raise ValueError(f"subsets must be a positive number of subsets to fit; got {subsets}")
    method = _norm_method(method)
    exhaustive = k < 62 and (1 << k) - 1 <= subsets
    if exhaustive:
        masks = np.arange(1, 1 << k, dtype=np.int64)
    else:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        masks = _sample_masks(k, subsets, rng)
    n = masks.shape[0]
    fast = method in ("FE", "DL")
    yc = y - np.sum(y / v) / np.sum(1 / v)  # centred: sums of squares lose no digits
    res = {f: np.empty(n) for f in ("estimate", "tau2", "q", "i2", "h2")}
    ks = np.empty(n, dtype=np.int64)
    if fast:
        M = _fe_columns(yc, v)
        # all subsets: every subset's sums by doubling (row = mask); sampled: per chunk
        S_all = _all_subset_sums(M)[1:] if exhaustive else None
    for s in range(0, n, chunk):
        sl = slice(s, min(n, s + chunk))
        inc = _bits(masks[sl], k)
        if fast:
            incf = inc.astype(float)
            # (small matrix products: a large one may be split over threads that stall on a busy machine)
            kk, est, tau2, Q, trP = _fit_fast(incf, yc, v, method, S_all[sl] if exhaustive else incf @ M)
        else:
            kk, est, tau2, Q, trP = _fit_core(inc.astype(bool), yc, v, method, tol)
        i2, h2 = _het(kk, Q, tau2, trP, fast)
        res["estimate"][sl], res["tau2"][sl], res["q"][sl] = est + (y - yc)[0], tau2, Q
        res["i2"][sl], res["h2"][sl] = i2, h2
        ks[sl] = kk
    return GoshResult(mask=masks, k_subset=ks, method=method, k=k, exhaustive=exhaustive,
                      seed=seed if isinstance(seed, (int, np.integer)) else None, **res)
