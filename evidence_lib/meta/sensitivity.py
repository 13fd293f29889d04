"""Sensitivity analyses: leave-one-out and cumulative (GOSH is in :mod:`evidence_lib.meta.gosh`)."""

from __future__ import annotations

import numpy as np

from . import _core as core
from . import _loo
from ._validate import _check_1d, _default_labels, _norm_method
from .results import BatchMetaResult, _batch_result


def leave_one_out(yi, vi, *, method: str = "REML", ci: str = "wald", labels=None, level: float = 0.95,
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


def cumulative(yi, vi, *, method: str = "REML", ci: str = "wald", labels=None, order=None,
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

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3), 1-48.
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
