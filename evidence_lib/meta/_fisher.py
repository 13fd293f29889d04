"""REML and ML estimation of tau2, batched over meta-analyses: the global maximum, proved or searched.

Works on the padded batch ``(Y, V, k)`` of :mod:`evidence_lib.meta._core`.  With
w_i = 1/(v_i + tau2), S_r = sum w_i^r and P = W - w w'/S_1, the Fisher-scoring update is
tau2 <- tau2 + (y'PPy - tr P) / tr(PP) for REML and (y'PPy - S_1) / S_2 for ML
(Viechtbauer 2005, eqs. 9-12; metafor's ``rma.uni``).  The iteration and the proof that its
result is the highest peak run compiled, row by row (:mod:`evidence_lib.meta._unimodal`);
rows without a proof are searched on a likelihood grid
(:func:`evidence_lib.meta._likelihood.global_max`).
"""

from __future__ import annotations

import numpy as np

from . import _likelihood as _lik
from ._qprofile import _rowdot, _rowsum


def _kernels():
    """The compiled REML/ML kernels, imported on first use: importing numba costs about 0.2 s,
    which processes that never fit REML or ML (``evidence build``, most notebooks) need not pay."""
    from . import _unimodal

    return _unimodal


def _score(Y, V, t, reml):
    """Twice the (RE)ML score per row at tau2 = t (:func:`evidence_lib.meta._unimodal.score`)."""
    return _kernels().score(Y, V, t, reml)


def _fisher_root(Y, V, k, reml, tol=1e-12, maxiter=1000, tau2_init=None, fisher_maxiter=100, bracket=None):
    """A root of the REML or ML score by Fisher scoring (Viechtbauer 2005), per row, without
    the proof of :mod:`evidence_lib.meta._unimodal` (for the restarts of the grid search and
    the leave-one-out fits, which have their own search).

    Returns tau2 (a local maximum, or 0); rows with k = 1 get 0.  Fisher scoring is kept
    inside a bracket of the score's root; rows still unconverged after ``fisher_maxiter``
    (metafor's maxiter, 100) steps, where metafor stops with an error, are finished by
    bisection of the score (at most ``maxiter`` steps).  A row stops as soon as its own
    step is below ``tol * max(c, tau2)``, c the power of 4 nearest its smallest sampling
    variance, so its result does not depend on the batch or on the data's units.
    ``tau2_init`` defaults to Hedges' estimator (metafor's start); ``bracket`` = (lo, hi),
    optional: per row, a point where the score is known to be positive (0 where unknown)
    and one where it is negative (inf where unknown).
    """
    return _kernels().fit(Y, V, reml, tol=tol, fisher_maxiter=fisher_maxiter, bisect_maxiter=maxiter,
                          tau2_init=tau2_init, bracket=bracket, prove=False).tau2


def tau2_fisher(Y, V, k, method="REML", tol=1e-12, maxiter=1000, tau2_init=None, fisher_maxiter=100):
    """REML or ML estimate of tau2: the global maximum of the (restricted) likelihood, per row.

    Fisher scoring (Viechtbauer 2005, eqs. 9-12) from Hedges' estimator (metafor's start),
    kept inside a bracket of the score's root and finished by bisection where it oscillates;
    then, per row, the proof of :mod:`evidence_lib.meta._unimodal` that no other peak is
    higher (rows whose variances differ by less than a factor 1.387 need none:
    :func:`evidence_lib.meta._likelihood.unimodal_from`).  Where the proof leaves two peaks,
    tau2 = 0 and one root of the score, the higher is kept (metafor checks only tau2 = 0).
    Rows without a proof get the likelihood-grid search of
    :func:`evidence_lib.meta._likelihood.global_max` (binned from 2,048 studies on).

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
        Convergence: a row stops when its change is below ``tol * max(c, tau2)``, c the power
        of 4 nearest the row's smallest sampling variance.
    maxiter : int
        Most bisection steps where Fisher scoring does not converge.
    tau2_init : array_like, optional
        Starting values (then no proof is attempted and every row with variances differing
        by a factor 1.387 or more gets the grid search).
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
    res = _kernels().fit(Y, V, reml, tol=tol, fisher_maxiter=fisher_maxiter, bisect_maxiter=maxiter,
                         tau2_init=tau2_init, prove=tau2_init is None)
    tau2 = res.tau2
    search = np.flatnonzero(~res.proved)  # with the proof attempted, these all need the search
    if search.size and tau2_init is not None:
        search = search[_lik.needs_grid(V[search], k[search])]
    if search.size:
        T, LL, t_uni = _lik.likelihood_grid(Y[search], V[search], k[search], reml)
        tau2 = _lik.global_max(Y, V, k, tau2, reml, tol, _fisher_root, _score, (search, T, LL, t_uni))
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
    S1 = _rowsum(W)
    W2 = W * W
    S2 = _rowsum(W2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if reml:
            S3 = _rowdot(W2, W)
            trPP = S2 - 2 * S3 / S1 + (S2 / S1) ** 2
            se = np.sqrt(2 / trPP)
        else:
            se = np.sqrt(2 / S2)
    return np.where(k > 1, se, np.nan)
