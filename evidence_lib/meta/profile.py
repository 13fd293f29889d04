"""The (restricted) log-likelihood of tau2 on a grid (metafor ``profile.rma.uni``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _core as core
from . import _likelihood as lik
from ._validate import _check_1d, _norm_method

__all__ = ["ProfileResult", "profile"]

DROP = 3.0  # log-likelihood units the default grid falls below the maximum (the 95% profile limit is at 1.92)


@dataclass(frozen=True, eq=False)
class ProfileResult:
    """Log-likelihood of the random-effects model over tau2 (mu profiled out).

    ``tau2`` (grid, increasing, includes the estimate), ``loglik`` (metafor's
    ``logLik`` of ``rma(yi, vi, tau2=t, method=...)`` at each grid value),
    ``tau2_hat`` and ``loglik_max`` (the estimate and its log-likelihood),
    ``method`` ("REML" or "ML"), ``k``.
    """

    tau2: np.ndarray
    loglik: np.ndarray
    tau2_hat: float
    loglik_max: float
    method: str
    k: int

    @property
    def is_max(self) -> np.ndarray:
        """Boolean mask of the grid value that is the estimate."""
        return self.tau2 == self.tau2_hat

    def to_frame(self):
        """One row per grid value: tau2, loglik, is_max (the estimate's row is True)."""
        import pandas as pd

        return pd.DataFrame({"tau2": self.tau2, "loglik": self.loglik, "is_max": self.is_max})


def profile(yi, vi, *, method: str = "REML", tau2=None, steps: int = 100, tau2_max: float | None = None,
            tol: float = 1e-12) -> ProfileResult:
    """The (restricted) log-likelihood of tau2 on a grid, with its maximum marked.

    Parameters
    ----------
    yi, vi : array_like
        Estimates and sampling variances.
    method : {"REML", "ML"}
        Restricted or full likelihood (metafor's ``logLik`` with ``REMLf=TRUE``).
    tau2 : array_like, optional
        Grid of tau2 values (>= 0).  Default: ``steps`` evenly spaced values from
        0 to ``tau2_max``; the estimate is always added.
    steps : int
        Grid size when ``tau2`` is not given (at least 2).
    tau2_max : float, optional
        Upper end of the default grid.  Default: the larger of 2 x the upper
        Q-profile 95% limit and 4 x the estimate, raised (by doubling from the
        smallest sampling variance) until the log-likelihood there is at least
        :data:`DROP` below its maximum, so the plot shows the curve fall on the
        data's own scale even when every estimate of tau2 is 0 (metafor's
        ``profile`` uses a fixed floor of 0.1 instead).
    tol : float
        Convergence tolerance of the estimate.

    Returns
    -------
    ProfileResult

    Raises
    ------
    ValueError
        Fewer than 2 studies, a method other than REML/ML, negative grid values, bad input.

    References
    ----------
    Viechtbauer W (2005) Bias and efficiency of meta-analytic variance estimators
    in the random-effects model. J Educ Behav Stat 30:261-293 (eqs. 5 and 7, the
    ML and REML log-likelihoods).
    Viechtbauer W (2007) Confidence intervals for the amount of heterogeneity in
    meta-analysis. Stat Med 26:37-52 (the Q-profile limits used for the default range).
    """
    y, v, _ = _check_1d(yi, vi)
    k = y.shape[0]
    if k < 2:
        raise ValueError(f"profile needs at least 2 studies (got k = {k}); tau2 is not estimable from one")
    method = _norm_method(method)
    if method not in ("REML", "ML"):
        raise ValueError(f"method must be 'REML' or 'ML' (a likelihood); got {method!r}")
    reml = method == "REML"
    Y, V, kk = y[None], v[None], np.array([k])
    t_hat, _, _ = core.tau2_fisher(Y, V, kk, method, tol=tol)
    if tau2 is None:
        if int(steps) < 2:
            raise ValueError(f"steps must be at least 2; got {steps}")
        if tau2_max is None:
            tau2_max = _default_tau2_max(Y, V, kk, t_hat, reml)
        elif not (np.isfinite(tau2_max) and tau2_max > 0):
            raise ValueError(f"tau2_max must be a positive number; got {tau2_max}")
        grid = np.linspace(0.0, float(tau2_max), int(steps))
    else:
        grid = np.atleast_1d(np.asarray(tau2, dtype=float))
        if grid.ndim != 1 or not np.all(np.isfinite(grid)) or (grid < 0).any():
            raise ValueError("tau2 must be a 1-D array of finite values >= 0 (the grid of heterogeneity variances)")
    grid = np.unique(np.concatenate([grid, t_hat]))
    ll = lik.loglik(np.broadcast_to(y, (grid.size, k)), np.broadcast_to(v, (grid.size, k)),
                    np.full(grid.size, k), grid, reml)
    i = int(np.searchsorted(grid, t_hat[0]))
    return ProfileResult(tau2=grid, loglik=ll, tau2_hat=float(t_hat[0]), loglik_max=float(ll[i]),
                         method=method, k=k)


def _default_tau2_max(Y, V, k, t_hat, reml):
    """Upper end of the default grid (see :func:`profile`, ``tau2_max``)."""
    _, ub = core.qprofile_ci(Y, V, k, t_hat, 0.95)
    top = max(2 * float(ub[0]), 4 * float(t_hat[0]))
    ll_max = float(lik.loglik(Y, V, k, t_hat, reml)[0])
    t = max(top, float(np.min(V)))
    for _ in range(200):  # the log-likelihood falls without bound as tau2 grows
        if float(lik.loglik(Y, V, k, np.array([t]), reml)[0]) <= ll_max - DROP:
            break
        t *= 2.0
    return max(top, t)
