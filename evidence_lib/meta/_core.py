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
  (y'PPy - S_1) / S_2 (ML), starting from the Hedges (HE) estimate (see
  :func:`tau2_fisher`), going to 0 when a step would go below it (the limit of metafor's
  step-halving).  Closed forms for the
  intercept-only model: y'PPy = sum w_i^2 (y_i - mu)^2,
  tr P = S_1 - S_2/S_1, tr(PP) = S_2 - 2 S_3/S_1 + S_2^2/S_1^2.
  Converged when the change is < ``tol * max(c, tau2)`` (default 1e-12), c the power
  of 4 nearest the row's smallest sampling variance.
* ``PM``: Paule & Mandel (1982): the root of the generalised
  Q(tau2) = sum w_i (y_i - mu)^2 = k - 1; 0 when Q(0) < k - 1.  Q is
  decreasing in tau2; solved per row by safeguarded Newton steps
  (dQ/dtau2 = -sum w_i^2 (y_i - mu)^2) inside a bisection bracket.

REML/ML live in :mod:`evidence_lib.meta._fisher`, the Q-based solvers (PM, Q-profile) in
:mod:`evidence_lib.meta._qprofile`, the further moment estimators in
:mod:`evidence_lib.meta._estimators`; this module dispatches and fits.
"""

from __future__ import annotations

import numpy as np
from scipy import special as sp

from . import _estimators as _est
# _fisher_root and _score are re-exported for the leave-one-out fits (evidence_lib.meta._loo)
from ._fisher import _fisher_root, _score, fisher_se, tau2_fisher  # noqa: F401
from ._qprofile import _rowdot, _rowsum, q_gen, qprofile_ci, solve_q, tau2_pm

__all__ = ["as_batch", "q_gen", "fe_stats", "tau2_dl", "tau2_fisher", "fisher_se", "solve_q", "tau2_pm",
           "estimate_tau2", "qprofile_ci", "fit"]

METHODS = ("FE", "DL", "REML", "PM", "ML", "EB", "SJ", "HE", "HS")
CI_METHODS = ("wald", "hksj")
PI_METHODS = ("z", "t_k2")
I2_METHODS = ("model", "q")

_EPS = np.finfo(float).eps


def as_batch(Y, V, name_y="Y", name_v="V"):
    """Validate a batch of meta-analyses and pad it for the batched estimators.

    Parameters
    ----------
    Y, V : array_like, shape (n, K) or (K,)
        Estimates and sampling variances; one row per meta-analysis, NaN (at the same
        places in both) pads rows with fewer studies. A 1-D input is one row.
    name_y, name_v : str
        Names used for ``Y`` and ``V`` in error messages.

    Returns
    -------
    Y, V : ndarray, shape (n, K)
        Float copies with padding as y = 0, v = inf (every padded weight is exactly 0).
    k : ndarray of int, shape (n,)
        Number of studies per row.

    Raises
    ------
    ValueError
        If the shapes differ, the NaN patterns differ, an estimate is infinite, a variance
        is not positive and finite, or a row has no study.
    """
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


def fe_stats(Y, V, k):
    """Fixed-effect quantities of every row, with weights w_i = 1/v_i.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Estimates and sampling variances, one meta-analysis per row, padded as by
        :func:`as_batch` (y = 0, v = inf).
    k : ndarray of int, shape (n,)
        Number of studies per row.

    Returns
    -------
    dict of ndarray
        ``S1`` and ``S2`` (sums of w and w^2), ``mu`` (fixed-effect estimate), ``Q``
        (Cochran's Q, at least 0), ``trP`` (S1 - S2/S1) and ``sPP`` (trace of PP).

    References
    ----------
    DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Controlled Clinical Trials 7(3), 177-188.
    """
    W = 1.0 / V
    S1 = _rowsum(W)
    W2 = W * W
    S2 = _rowsum(W2)
    S3 = _rowdot(W2, W)
    mu = _rowdot(W, Y) / S1
    R = Y - mu[:, None]
    Q = np.maximum(0.0, _rowdot(W, R * R))
    trP = S1 - S2 / S1
    sPP = S2 - 2 * S3 / S1 + (S2 / S1) ** 2
    return dict(S1=S1, S2=S2, mu=mu, Q=Q, trP=trP, sPP=sPP)


def tau2_dl(Y, V, k, fe):
    """DerSimonian-Laird estimate of tau2 (clamped at 0) and metafor's standard error for it.

    tau2 = max(0, (Q - (k - 1)) / (S1 - S2/S1)) with the fixed-effect weights.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Estimates and sampling variances, one meta-analysis per row, padded as by
        :func:`as_batch` (y = 0, v = inf).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    fe : dict
        The output of :func:`fe_stats` for the same rows.

    Returns
    -------
    tau2, se : ndarray, shape (n,)
        The estimate (0 for k = 1) and its standard error (NaN for k = 1).

    References
    ----------
    DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Controlled Clinical Trials 7(3), 177-188.
    """
    df = k - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (fe["Q"] - df) / fe["trP"]
        t = np.where(k > 1, np.maximum(0.0, t), 0.0)
        se = np.sqrt(1 / fe["trP"] ** 2 * (2 * df + 4 * t * fe["trP"] + 2 * t**2 * fe["sPP"]))
    se = np.where(k > 1, se, np.nan)
    return t, se


def estimate_tau2(Y, V, k, method, fe=None, tol=1e-12):
    """tau2 and its standard error by the named estimator, per row.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Estimates and sampling variances, one meta-analysis per row, padded as by
        :func:`as_batch` (y = 0, v = inf).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    method : {"FE", "DL", "REML", "ML", "PM", "EB", "HE", "HS", "SJ"}
        The estimator (``FE``: tau2 = 0; ``EB`` solves the Paule-Mandel equation).
    fe : dict, optional
        :func:`fe_stats` of the rows, if already computed.
    tol : float
        Convergence tolerance of the iterative estimators.

    Returns
    -------
    tau2, se : ndarray, shape (n,)
        The estimate and its standard error (NaN for ``FE`` and for k = 1).

    Raises
    ------
    ValueError
        If ``method`` is not one of :data:`METHODS`.

    References
    ----------
    DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Controlled Clinical Trials 7(3), 177-188.
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
    Paule RC, Mandel J (1982). Consensus values and weighting factors. Journal of Research of
    the National Bureau of Standards 87(5), 377-385.
    """
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


def fit(Y, V, k, method="REML", ci="wald", level=0.95, pi="z", i2="model",
        hksj_truncate=False, tol=1e-12, tau2=None):
    """Fit a batch of intercept-only meta-analyses: estimate, interval, heterogeneity, weights.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Estimates and sampling variances, one meta-analysis per row, padded as by
        :func:`as_batch` (y = 0, v = inf).
    k : ndarray of int, shape (n,)
        Number of studies per row.
    method : str
        tau2 estimator, one of :data:`METHODS` (see :func:`estimate_tau2`).
    ci : {"wald", "hksj"}
        Normal (Wald) interval, or the Hartung-Knapp interval on k - 1 degrees of freedom with
        the scale factor q = sum w_i (y_i - mu)^2 / (k - 1).
    level : float
        Confidence level in (0, 1).
    pi : {"z", "t_k2"}
        Prediction interval with the CI's critical value, or with t on k - 2 degrees of
        freedom (Higgins, Thompson & Spiegelhalter 2009).
    i2 : {"model", "q"}
        I2 from tau2 (metafor) or from Q, (Q - (k - 1)) / Q (Higgins & Thompson 2002).
    hksj_truncate : bool
        Use max(1, q) as the Hartung-Knapp scale factor.
    tol : float
        Convergence tolerance of the iterative estimators.
    tau2 : tuple of ndarray, optional
        ``(tau2, se_tau2)`` already estimated by ``method``.

    Returns
    -------
    dict of ndarray
        Per-row arrays named as the fields of :class:`evidence_lib.meta.results.MetaResult`
        (``estimate``, ``se``, ``ci_low``, ..., ``weights`` in percent) plus ``crit`` and
        ``hk_scale``.

    Raises
    ------
    ValueError
        If ``method``, ``ci``, ``pi`` or ``i2`` is not one of the allowed values, or
        ``level`` is not in (0, 1).

    References
    ----------
    Hartung J, Knapp G (2001). Statistics in Medicine.
    Sidik K, Jonkman JN (2002). A simple confidence interval for meta-analysis. Statistics in
    Medicine 21(21), 3153-3159.
    Higgins JPT, Thompson SG (2002). Quantifying heterogeneity in a meta-analysis. Statistics
    in Medicine 21(11), 1539-1558.
    Higgins JPT, Thompson SG, Spiegelhalter DJ (2009). Journal of the Royal Statistical Society,
    Series A.
    """
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
    S1 = _rowsum(W)
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
