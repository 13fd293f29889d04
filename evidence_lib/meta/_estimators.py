"""Further moment estimators of tau2 for the batched core (intercept-only model).

Each takes the padded batch ``(Y, V, k)`` of :mod:`evidence_lib.meta._core` and
returns ``(tau2, se_tau2)`` per row, with metafor's (``rma.uni``) definitions
and standard errors.  Notation: w_i weights, S_r = sum w_i^r, P = W - w w'/S_1
(so tr P = S_1 - S_2/S_1); for the SEs, sums of squared entries of P are
written in closed form: sum_ij P_ij^2 a_i b_j
= sum_i a_i b_i (w_i^2 - 2 w_i^3/S_1) + (sum a_i w_i^2)(sum b_j w_j^2)/S_1^2.

* ``HE`` (Hedges 1983; Hedges & Olkin 1985): tau2 = max(0, (RSS - tr(PV))/(k-1))
  with unweighted residuals, RSS = sum (y_i - ybar)^2, tr(PV) = sum v_i (1 - 1/k).
* ``HS`` (Hunter & Schmidt 2004): tau2 = max(0, (Q - k)/S_1), w = 1/v.
* ``SJ`` (Sidik & Jonkman 2005, eq. 9): tau2_0 = sum (y_i - ybar)^2 / k,
  w = 1/(v + tau2_0), tau2 = tau2_0 Q_w / (k - 1) with Q_w the Q of those weights.
* ``EB`` (Morris 1983; Berkey et al. 1995): the root of
  Q(tau2) k/(k-1) = k, i.e. the Paule-Mandel equation (0 when Q(0) < k-1);
  metafor iterates to it and reports the PM standard error.
"""

from __future__ import annotations

import numpy as np


def _rowdot(a, b):
    return np.einsum("ij,ij->i", a, b)


def _psq(W, S1, A, B):
    """sum_ij P_ij^2 a_i b_j per row for P = W - w w'/S1 (A, B: (n, K) arrays)."""
    W2 = W * W
    return (_rowdot(A * B, W2 - 2 * W2 * W / S1[:, None])
            + _rowdot(A, W2) * _rowdot(B, W2) / S1**2)


def _finite(V):
    return np.isfinite(V)


def _mean_dev(Y, V, k):
    fin = _finite(V)
    kf = k.astype(float)
    ybar = np.where(fin, Y, 0.0).sum(axis=1) / kf
    R = np.where(fin, Y - ybar[:, None], 0.0)
    return R, kf


def tau2_he(Y, V, k):
    """Hedges' estimator and metafor's SE.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.

    Returns
    -------
    tau2, se : ndarray, shape (n,)
        The estimate and its standard error.

    References
    ----------
    Hedges LV (1983). A random effects model for effect sizes. Psychological Bulletin 93(2),
    388-395.
    Hedges LV, Olkin I (1985). Statistical Methods for Meta-Analysis. Academic Press.
    """
    R, kf = _mean_dev(Y, V, k)
    fin = _finite(V)
    v0 = np.where(fin, V, 0.0)
    rss = _rowdot(R, R)
    trPV = v0.sum(axis=1) * (1 - 1 / kf)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.maximum(0.0, (rss - trPV) / (kf - 1))
        # unweighted P = I - 11'/k: w_i = 1, S1 = k (padded cells w = 0)
        W = fin.astype(float)
        trPVPV = _psq(W, kf, v0, v0)
        se = np.sqrt((2 * trPVPV + 4 * t * trPV + 2 * t**2 * (kf - 1)) / (kf - 1) ** 2)
    one = k < 2
    return np.where(one, 0.0, t), np.where(one, np.nan, se)


def tau2_hs(Y, V, k):
    """Hunter-Schmidt estimator and metafor's SE.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.

    Returns
    -------
    tau2, se : ndarray, shape (n,)
        The estimate (0 for k < 2) and its standard error (NaN for k < 2).

    References
    ----------
    Hunter JE, Schmidt FL (2004). Methods of Meta-Analysis. Sage.
    """
    W = 1.0 / V
    S1 = W.sum(axis=1)
    mu = _rowdot(W, Y) / S1
    R = Y - mu[:, None]
    Q = _rowdot(W, R * R)
    kf = k.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.maximum(0.0, (Q - kf) / S1)
        trP = S1 - (W * W).sum(axis=1) / S1
        ones = _finite(V).astype(float)
        sPP = _psq(W, S1, ones, ones)
        se = np.sqrt((2 * (kf - 1) + 4 * t * trP + 2 * t**2 * sPP) / S1**2)
    one = k < 2
    return np.where(one, 0.0, t), np.where(one, np.nan, se)


def tau2_sj(Y, V, k):
    """Sidik-Jonkman estimator and metafor's SE.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.

    Returns
    -------
    tau2, se : ndarray, shape (n,)
        The estimate and its standard error.

    References
    ----------
    Sidik K, Jonkman JN (2005). Simple heterogeneity variance estimation for meta-analysis.
    Journal of the Royal Statistical Society, Series C 54(2), 367-384.
    """
    R0, kf = _mean_dev(Y, V, k)
    t0 = _rowdot(R0, R0) / kf
    W = 1.0 / (V + t0[:, None])
    S1 = W.sum(axis=1)
    mu = _rowdot(W, Y) / S1
    R = Y - mu[:, None]
    Q = _rowdot(W, R * R)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.maximum(0.0, t0 * Q / (kf - 1))
        fin = _finite(V)
        v0 = np.where(fin, V, 0.0)
        ones = fin.astype(float)
        trPVPV = _psq(W, S1, v0, v0)
        sPVP = _psq(W, S1, ones, v0)
        sPP = _psq(W, S1, ones, ones)
        se = np.sqrt(t0**2 / (kf - 1) ** 2 * (2 * trPVPV + 4 * t * sPVP + 2 * t**2 * sPP))
    one = k < 2
    t = np.where(one | (t0 == 0), 0.0, t)
    return t, np.where(one, np.nan, se)
