"""Sensitivity analyses: leave-one-out, cumulative and GOSH (all subsets)."""

from __future__ import annotations

import numpy as np

from . import _core as core
from . import _loo
from ._validate import _check_1d, _default_labels, _norm_method
from .results import BatchMetaResult, GoshResult, _batch_result


def leave_one_out(yi, vi, method: str = "REML", ci: str = "wald", *, labels=None, level: float = 0.95,
                  pi: str = "z", i2: str = "model", hksj_truncate: bool = False,
                  tol: float = 1e-12) -> BatchMetaResult:
    """Leave-one-out analysis (metafor ``leave1out``): row i omits study i.

    Parameters
    ----------
    yi, vi : array_like
        Estimates and sampling variances.
    method, ci : str
        As :func:`evidence_lib.meta.pool`.
    labels : sequence of str, optional
        Study labels; the result's labels name the omitted study.
    level, pi, i2, hksj_truncate, tol : keyword-only
        As :func:`evidence_lib.meta.pool`.

    Returns
    -------
    BatchMetaResult
        Row i is the fit without study i.

    Raises
    ------
    ValueError
        Fewer than 2 studies, bad input.

    Notes
    -----
    The k fits are computed with the batched core in blocks of rows (about 4
    million cells at a time) and only per-row results are kept, so memory is
    linear in k; the result's ``Y``/``V``/``weights`` (k x k) are built only
    if asked for.  REML/ML: see :func:`evidence_lib.meta._loo.tau2_loo`.

    References
    ----------
    Viechtbauer W, Cheung MW-L (2010) Outlier and influence diagnostics for
    meta-analysis. Res Synth Methods 1:112-125 (sec. 3).
    """
    y, v, lab = _check_1d(yi, vi, labels)
    k = y.shape[0]
    if k < 2:
        raise ValueError("leave_one_out needs at least 2 studies")
    method = _norm_method(method)
    out = _loo.fit_loo(y, v, method, ci, level, pi, i2, hksj_truncate, tol)
    lab = _default_labels(k) if lab is None else lab
    return _batch_result(out, method, ci, None, None,
                         tuple(np.char.add("omitting ", np.array(lab, dtype=str)).tolist()),
                         level, pi, i2, omit=(y, v))


def cumulative(yi, vi, method: str = "REML", ci: str = "wald", *, labels=None, order=None,
               level: float = 0.95, pi: str = "z", i2: str = "model", hksj_truncate: bool = False,
               tol: float = 1e-12) -> BatchMetaResult:
    """Cumulative meta-analysis (metafor ``cumul``): row j pools studies 1..j.

    Parameters
    ----------
    yi, vi : array_like
        Estimates and sampling variances.
    method, ci : str
        As :func:`evidence_lib.meta.pool`.
    labels : sequence of str, optional
        Study labels; the result's labels name the added study.
    order : array_like of int, optional
        A permutation of 0..k-1 giving the order in which studies are added
        (e.g. ``np.argsort(year)``); default: as given.
    level, pi, i2, hksj_truncate, tol : keyword-only
        As :func:`evidence_lib.meta.pool`.

    Returns
    -------
    BatchMetaResult
        Row 0 has k = 1 (with ``ci="hksj"`` it uses z, as metafor).

    Raises
    ------
    ValueError
        ``order`` is not a permutation of 0..k-1, bad input.
    """
    y, v, lab = _check_1d(yi, vi, labels)
    k0 = y.shape[0]
    if order is not None:
        order = np.asarray(order)
        if (order.ndim != 1 or order.shape[0] != k0 or not np.issubdtype(order.dtype, np.integer)
                or not np.array_equal(np.sort(order), np.arange(k0))):
            raise ValueError(f"order must be a permutation of 0..{k0 - 1} (each study exactly once); got "
                             f"{order.tolist()[:10]}{'...' if order.size > 10 else ''}; e.g. np.argsort(year)")
        y, v = y[order], v[order]
        lab = None if lab is None else tuple(np.array(lab, dtype=object)[order].tolist())
    k = y.shape[0]
    tri = np.tril(np.ones((k, k), bool))
    Y = np.where(tri, y, 0.0)
    V = np.where(tri, v, np.inf)
    kk = np.arange(1, k + 1)
    method = _norm_method(method)
    out = core.fit(Y, V, kk, method, ci, level, pi, i2, hksj_truncate, tol)
    return _batch_result(out, method, ci, np.where(tri, y, np.nan), np.where(tri, v, np.nan),
                         tuple(np.char.add("+ ", np.array(_default_labels(k) if lab is None else lab,
                                                         dtype=str)).tolist()),
                         level, pi, i2)


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

