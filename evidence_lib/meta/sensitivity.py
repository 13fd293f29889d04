"""Sensitivity analyses: leave-one-out, cumulative and GOSH (all subsets)."""

from __future__ import annotations

import numpy as np

from . import _core as core
from ._validate import _check_1d, _default_labels, _norm_method
from .results import BatchMetaResult, GoshResult, _batch_result


def leave_one_out(yi, vi, method: str = "REML", ci: str = "wald", *, labels=None, **kw) -> BatchMetaResult:
    """Leave-one-out analysis (metafor ``leave1out``): row i omits study i.

    All k fits are done at once with the batched core (row i has study i
    padded out).  ``labels`` of the result name the omitted study.  Needs k >= 2.
    """
    y, v, lab = _check_1d(yi, vi, labels)
    k = y.shape[0]
    if k < 2:
        raise ValueError("leave_one_out needs at least 2 studies")
    Y = np.broadcast_to(y, (k, k)).copy()
    V = np.broadcast_to(v, (k, k)).copy()
    np.fill_diagonal(Y, 0.0)
    np.fill_diagonal(V, np.inf)
    kk = np.full(k, k - 1)
    method = _norm_method(method)
    out = core.fit(Y, V, kk, method, ci, kw.get("level", 0.95), kw.get("pi", "z"),
                   kw.get("i2", "model"), kw.get("hksj_truncate", False), kw.get("tol", 1e-12))
    np.fill_diagonal(Y, np.nan)
    np.fill_diagonal(V, np.nan)
    lab = _default_labels(k) if lab is None else lab
    return _batch_result(out, method, ci, Y, V, tuple(np.char.add("omitting ", np.array(lab, dtype=str)).tolist()),
                         kw.get("level", 0.95), kw.get("pi", "z"), kw.get("i2", "model"))


def cumulative(yi, vi, method: str = "REML", ci: str = "wald", *, labels=None, order=None,
               **kw) -> BatchMetaResult:
    """Cumulative meta-analysis (metafor ``cumul``): row j pools studies 1..j.

    Studies are added in the given order (or ``order``, an index array, e.g.
    ``np.argsort(year)``).  Row 0 has k = 1 (the first study; with
    ``ci="hksj"`` it uses z, as metafor).  ``labels`` name the added study.
    """
    y, v, lab = _check_1d(yi, vi, labels)
    if order is not None:
        order = np.asarray(order)
        y, v = y[order], v[order]
        lab = None if lab is None else tuple(np.array(lab, dtype=object)[order].tolist())
    k = y.shape[0]
    tri = np.tril(np.ones((k, k), bool))
    Y = np.where(tri, y, 0.0)
    V = np.where(tri, v, np.inf)
    kk = np.arange(1, k + 1)
    method = _norm_method(method)
    out = core.fit(Y, V, kk, method, ci, kw.get("level", 0.95), kw.get("pi", "z"),
                   kw.get("i2", "model"), kw.get("hksj_truncate", False), kw.get("tol", 1e-12))
    return _batch_result(out, method, ci, np.where(tri, y, np.nan), np.where(tri, v, np.nan),
                         tuple(np.char.add("+ ", np.array(_default_labels(k) if lab is None else lab,
                                                         dtype=str)).tolist()),
                         kw.get("level", 0.95), kw.get("pi", "z"),
                         kw.get("i2", "model"))


def gosh(yi, vi, method: str = "DL", *, chunk: int = 1 << 16) -> GoshResult:
    """Fit all 2^k - 1 subsets (k <= 20), vectorised in chunks of rows.

    Uses the batched core (each subset is a row; excluded studies padded
    out).  ``method`` any of FE, DL, REML, PM, ML (FE and DL are fast).
    Subsets with one study have tau2 = 0, Q = 0, I2 = 0, H2 = 1.

    I2/H2 follow metafor's ``gosh``: for FE and DL they are Q-based,
    I2 = max(0, 100 (Q - df)/Q), H2 = Q/df (for DL this equals the
    model-based I2 whenever tau2 > 0, but H2 = Q/df < 1 when tau2 is clamped
    at 0, where :func:`pool` reports H2 = 1); for REML/ML/PM model-based.
    """
    y, v, _ = _check_1d(yi, vi)
    k = y.shape[0]
    if k > 20:
        raise ValueError(f"gosh enumerates 2^k - 1 subsets; k = {k} > 20 is too many (sample subsets instead)")
    method = _norm_method(method)
    n = (1 << k) - 1
    masks = np.arange(1, n + 1, dtype=np.int64)
    bits = np.arange(k)
    res = {f: np.empty(n) for f in ("estimate", "tau2", "q", "i2", "h2")}
    ks = np.empty(n, dtype=np.int64)
    for s in range(0, n, chunk):
        m = masks[s:s + chunk]
        inc = ((m[:, None] >> bits) & 1).astype(bool)
        Y = np.where(inc, y, 0.0)
        V = np.where(inc, v, np.inf)
        kk = inc.sum(axis=1)
        fe = core.fe_stats(Y, V, kk)
        tau2, _ = core.estimate_tau2(Y, V, kk, method, fe)
        W = 1.0 / (V + tau2[:, None])
        S1 = W.sum(axis=1)
        est = np.einsum("ij,ij->i", W, Y) / S1
        one = kk == 1
        dfq = (kk - 1).astype(float)
        Q = np.where(one, 0.0, fe["Q"])
        with np.errstate(divide="ignore", invalid="ignore"):
            if method in ("FE", "DL"):  # metafor's gosh fast path: Q-based I2/H2
                i2 = np.maximum(0.0, 100 * (Q - dfq) / Q)
                i2 = np.where(np.isnan(i2), 0.0, i2)
                h2 = Q / dfq
            else:
                vt = dfq / fe["trP"]
                i2 = np.where(tau2 == 0, 0.0, 100 * tau2 / (vt + tau2))
                h2 = np.where(tau2 == 0, 1.0, tau2 / vt + 1)
        i2 = np.where(one, 0.0, i2)
        h2 = np.where(one, 1.0, h2)
        sl = slice(s, s + m.shape[0])
        res["estimate"][sl], res["tau2"][sl], res["q"][sl] = est, tau2, Q
        res["i2"][sl], res["h2"][sl] = i2, h2
        ks[sl] = kk
    return GoshResult(mask=masks, k_subset=ks, method=method, k=k, **res)

