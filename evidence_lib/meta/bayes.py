"""Bayesian random-effects meta-analysis by numerical integration (no MCMC).

The normal-normal hierarchical model (Röver 2020, J Stat Softw 93(6), doi:10.18637/jss.v093.i06):

    y_i | mu, tau ~ Normal(mu, v_i + tau^2),   i = 1..k,

with a prior on the heterogeneity tau and a flat or normal prior on the mean effect mu.

Method (every formula written out here, since the equation numbers of the stored copy of Röver
2020 could not be read):

1. mu is integrated out analytically.  With w_i = 1/(v_i + tau^2), W = sum w_i,
   muhat = sum w_i y_i / W and Q = sum w_i (y_i - muhat)^2, the marginal likelihood of tau is

       p(y | tau)  ∝  prod_i w_i^(1/2) * W^(-1/2) * exp(-Q / 2)                      (M1)

   for a flat prior on mu.  A normal prior N(m0, s0^2) on mu enters (M1) as one more "study"
   with y_0 = m0 and w_0 = 1/s0^2, a weight that does not depend on tau.
2. Given tau, mu | tau, y ~ Normal(muhat, 1/W)                                        (C1)
   and the effect in a new study theta_new | tau, y ~ Normal(muhat, 1/W + tau^2)       (C2)
   (muhat and W include the prior term when there is one).
3. p(tau | y) ∝ p(tau) p(y | tau) is integrated over x = log(tau) on a grid chosen in two passes
   (a coarse scan that finds where the posterior lives, then a fine equally spaced grid over
   that region).  The integrand in x vanishes smoothly at both ends, so the trapezoidal rule
   converges geometrically (its error falls like exp(-c/h)): results are exact to quadrature
   precision (about 1e-9 with the default 512 nodes) and deterministic.
4. The posteriors of mu and theta_new are therefore finite mixtures of normals (C1, C2) with
   the quadrature weights; their CDFs, tail probabilities and moments are sums over the nodes
   and their quantiles are found by a safeguarded Newton iteration.  Quantiles of tau come
   from a cubic spline of the density on the grid, integrated exactly.

5. Under a log-t prior on tau^2 (Rhodes et al. 2015) the prior's tails in x are polynomial, not
   exponential, so the grid starts deep in the prior's lower tail (z = -40, and below where
   tau^2 < 1e-12 * min(v_i)); there the likelihood equals its value at tau = 0, and the mass
   below the grid, L(0) * P_prior(x < start), enters in closed form as one more mixture node at
   tau = 0.  With few studies (p(tau|y) ~ tau^-k, flat mu prior, or tau^-(k+1), normal, with that
   power <= 3) E[tau] or E[tau^2] gather mass far up, so the grid reaches z = 60 and is not trimmed.

The values are checked against an independent numerical integration in R (base R's
``integrate`` on the marginal posterior of tau, ``tests/reference/bayes_reference.R``).

Heterogeneity priors and the named presets of Turner et al. (2015, log-normal on tau^2, log odds
ratios) and Rhodes et al. (2015, log-t(5) on tau^2, SMDs) live in
:mod:`evidence_lib.meta.bayes_priors`, whose docstring says where every value was read (two
secondary tabulations, the R packages bayesmeta and rnmamod; no stored page showed the papers'
tables) and which cell is left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._mixture import _mix_cdf, _mix_pdf, _mix_sf, _mix_summary, _plot_grid
from ._validate import _check_1d
from .bayes_priors import check_mu_prior, check_tau_prior, log_prior_tau, log_prior_x
from .bayes_priors import logt_cdf_x, logt_quantile_x

#: Pass 2 keeps the part of the coarse grid within this many log-units of the posterior peak.
_KEEP_LOG = 30.0
#: Under a log-t prior the grid starts where tau^2 = exp(-2 * _TAIL_CUT) * min(v); below, the likelihood
#: equals its value at tau = 0 to ~1e-12 relative and the tail is added in closed form (module docstring).
_TAIL_CUT = 14.0


# ---------------------------------------------------------------------------- the integrand
def _conditional(y, v, tau, mu_prior):
    """muhat, 1/W and the log marginal likelihood (M1) at tau; y, v (B, k), tau (B, J).

    Q is computed as sum w y^2 - W muhat^2 on y centred per analysis (Q does not depend on the
    centre), which avoids a (B, J, k) array of residuals.
    """
    centre = y.mean(axis=1, keepdims=True)
    yc = y - centre
    d = v[:, None, :] + (tau ** 2)[:, :, None]                            # (B, J, k)
    w = 1.0 / d
    sw = w.sum(axis=2)
    swy = np.matmul(w, yc[:, :, None])[:, :, 0]
    swy2 = np.matmul(w, (yc * yc)[:, :, None])[:, :, 0]
    slw = -np.log(d).sum(axis=2)
    if mu_prior is not None:
        w0 = 1.0 / mu_prior[2] ** 2
        m0 = mu_prior[1] - centre                                         # (B, 1)
        W = sw + w0
        m = (swy + w0 * m0) / W
        q = swy2 + w0 * m0 * m0 - W * m * m
    else:
        W = sw
        m = swy / W
        q = swy2 - W * m * m
    return m + centre, 1.0 / W, 0.5 * slw - 0.5 * np.log(W) - 0.5 * np.maximum(q, 0.0)


def _log_post_x(y, v, x, tau_prior, mu_prior):
    m, s2, ll = _conditional(y, v, np.exp(x), mu_prior)
    return m, s2, ll + log_prior_x(x, tau_prior)


def _heavy_logt(tau_prior, mu_prior, k) -> bool:
    """Log-t prior and p(tau|y) ~ tau^-power with power <= 3: E[tau] or E[tau^2] gather mass far out."""
    return tau_prior[0] == "logt_tau2" and (k if mu_prior is None else k + 1) <= 3


def _coarse_range(y, v, tau_prior, mu_prior=None):
    """Per analysis: a range of x = log(tau) sure to hold the posterior, and a scan step."""
    k = y.shape[1]
    sd_lo, sd_hi = np.sqrt(v.min(axis=1)), np.sqrt(v.max(axis=1))
    spread = np.ptp(y, axis=1)
    step = 0.4 * min(1.0, math.sqrt(250.0 / k))    # finds a peak of sd > step / 15.5 (see _KEEP_LOG)
    if tau_prior[0] == "lognormal_tau2":
        c, s = tau_prior[1] / 2.0, tau_prior[2] / 2.0
        if s < 0.5:     # a narrow prior: the posterior cannot leave it (the likelihood's slope in x is bounded)
            lo, hi = np.full(len(y), c - 40 * s), np.full(len(y), c + 40 * s)
            return lo, hi, min(step, s / 4)
        lo = np.minimum(np.log(sd_lo) - 30, c - 40 * s)
        hi = np.maximum(np.log(np.maximum(sd_hi, spread)) + 16, c + 40 * s)
        return lo, hi, step
    if tau_prior[0] == "logt_tau2":
        # deep enough that the likelihood is flat below (tail in closed form) and the prior's
        # polynomial tail makes the trapezoid's end-point error negligible (~1e-8 of the peak density)
        c, s = tau_prior[1] / 2.0, tau_prior[2] / 2.0
        lo = np.minimum(0.5 * np.log(v.min(axis=1)) - _TAIL_CUT, c - 40 * s)
        # with few studies the moments' integrands fall only like |log tau|^-(df+1): reach z = 60
        # (the part beyond is ~3e-8 of the mean of tau), and the grid is not trimmed at the top
        reach = 60 if _heavy_logt(tau_prior, mu_prior, k) else 16
        hi = np.maximum(np.log(np.maximum(sd_hi, spread)) + 16, c + reach * s)
        return lo, hi, min(step, s / 4)
    scale = tau_prior[1]
    lo = np.log(np.minimum(scale, sd_lo)) - 30          # below: mass ~ exp(-30) relative (density ∝ tau there)
    hi = np.log(np.maximum(np.maximum(scale, sd_hi), spread)) + 16    # above: tails at worst ~ tau^-2
    return lo, hi, step


@dataclass(frozen=True)
class _Nodes:
    """Quadrature nodes of the marginal posterior of tau, for B analyses at once."""

    x: np.ndarray          # (B, J) log(tau)
    weight: np.ndarray     # (B, J) normalised quadrature weights (sum 1 per row)
    m: np.ndarray          # (B, J) conditional posterior mean of mu (C1)
    s2: np.ndarray         # (B, J) conditional posterior variance of mu (C1)
    log_z: np.ndarray      # (B,)  log normalising constant of p(x|y) on the scale of log_dens
    log_dens: np.ndarray   # (B, J) unnormalised log density of x at the nodes
    h: np.ndarray          # (B,)  grid step
    tail: np.ndarray       # (B,)  posterior mass below the grid (log-t priors; else 0), at tau ~ 0
    tail_m: np.ndarray     # (B,)  (C1) at tau = 0: the tail's mu | tau, y
    tail_s2: np.ndarray    # (B,)


def _mixture(nodes):
    """Weights, conditional means and variances of mu, and tau, with the tail as one more node (tau = 0)."""
    w, m, s2, tau = nodes.weight, nodes.m, nodes.s2, np.exp(nodes.x)
    if not np.any(nodes.tail > 0):
        return w, m, s2, tau
    col = lambda a: np.concatenate([a[0], a[1][:, None]], axis=1)        # noqa: E731
    return (col((w, nodes.tail)), col((m, nodes.tail_m)), col((s2, nodes.tail_s2)),
            col((tau, np.zeros(len(tau)))))


def _integrate(y, v, tau_prior, mu_prior, n_nodes):
    lo, hi, step = _coarse_range(y, v, tau_prior, mu_prior)
    n1 = int(math.ceil(float(np.max(hi - lo)) / step)) + 1
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, n1)[None, :]
    _, _, lp = _log_post_x(y, v, grid, tau_prior, mu_prior)
    keep = lp >= lp.max(axis=1, keepdims=True) - _KEEP_LOG
    h1 = (hi - lo) / (n1 - 1)
    first = np.argmax(keep, axis=1)
    last = n1 - 1 - np.argmax(keep[:, ::-1], axis=1)
    if _heavy_logt(tau_prior, mu_prior, y.shape[1]):
        last = np.full_like(last, n1 - 2)
    rows = np.arange(len(y))
    a = grid[rows, first] - h1
    b = grid[rows, last] + h1
    logt = tau_prior[0] == "logt_tau2"
    if logt:
        a = np.maximum(a, lo)
    x = a[:, None] + (b - a)[:, None] * np.linspace(0.0, 1.0, n_nodes)[None, :]
    m, s2, lp = _log_post_x(y, v, x, tau_prior, mu_prior)
    h = (b - a) / (n_nodes - 1)
    trap = np.ones(n_nodes)
    trap[[0, -1]] = 0.5
    top = lp.max(axis=1, keepdims=True)
    u = np.exp(lp - top) * trap[None, :]
    total = u.sum(axis=1, keepdims=True)
    tail_u = np.zeros((len(y), 1))
    tail_m, tail_s2 = np.zeros(len(y)), np.zeros(len(y))
    if logt:        # below a the likelihood is its value at tau = 0: mass L(0) * P_prior(x < a)
        m0, s20, ll0 = _conditional(y, v, np.zeros((len(y), 1)), mu_prior)
        with np.errstate(divide="ignore"):
            tail_u = np.exp(ll0 + np.log(logt_cdf_x(a, tau_prior))[:, None] - top) / h[:, None]
        tail_m, tail_s2 = m0[:, 0], s20[:, 0]
    total = total + tail_u
    log_z = (top + np.log(total * h[:, None]))[:, 0]
    return _Nodes(x=x, weight=u / total, m=m, s2=s2, log_z=log_z, log_dens=lp, h=h,
                  tail=(tail_u / total)[:, 0], tail_m=tail_m, tail_s2=tail_s2)


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True)
class PosteriorSummary:
    """A posterior distribution in five numbers.

    Attributes
    ----------
    mean, median, sd : float
    ci_low, ci_high : float
        The 95% equal-tailed credible interval (2.5% and 97.5% quantiles).
    """

    mean: float
    median: float
    sd: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True, eq=False)
class BayesMetaResult:
    """Posterior of the Bayesian normal-normal random-effects model (:func:`bayes_meta`).

    Attributes
    ----------
    mu, tau, pred : PosteriorSummary
        The mean effect, the heterogeneity (between-study SD) and the effect in a new study.
    k : int
        Number of studies.
    tau_prior, mu_prior : tuple or None
        The priors used (``mu_prior`` None: flat).
    mu_grid, mu_density, tau_grid, tau_density, pred_grid, pred_density : numpy.ndarray
        Posterior densities on grids, for plotting.
    """

    mu: PosteriorSummary
    tau: PosteriorSummary
    pred: PosteriorSummary
    k: int
    tau_prior: tuple
    mu_prior: tuple | None
    mu_grid: np.ndarray = field(repr=False)
    mu_density: np.ndarray = field(repr=False)
    tau_grid: np.ndarray = field(repr=False)
    tau_density: np.ndarray = field(repr=False)
    pred_grid: np.ndarray = field(repr=False)
    pred_density: np.ndarray = field(repr=False)
    _w: np.ndarray = field(repr=False)
    _m: np.ndarray = field(repr=False)
    _s2: np.ndarray = field(repr=False)
    _tau2: np.ndarray = field(repr=False)

    def prob_below(self, x: float) -> float:
        """Posterior probability that mu < x.

        Parameters
        ----------
        x : float
            The threshold, on the scale of the estimates.

        Returns
        -------
        float
            P(mu < x | data), from the mixture over the tau nodes.
        """
        return float(_mix_cdf(np.array([float(x)]), self._w, self._m, np.sqrt(self._s2))[0])

    def prob_above(self, x: float) -> float:
        """Posterior probability that mu > x (computed from the upper tail, accurate when small).

        Parameters
        ----------
        x : float
            The threshold, on the scale of the estimates.

        Returns
        -------
        float
            P(mu > x | data).
        """
        return float(_mix_sf(np.array([float(x)]), self._w, self._m, np.sqrt(self._s2))[0])

    def pred_prob_below(self, x: float) -> float:
        """Posterior predictive probability that the effect in a new study is < x.

        Parameters
        ----------
        x : float
            The threshold, on the scale of the estimates.

        Returns
        -------
        float
            P(theta_new < x | data), theta_new ~ N(mu, tau2).
        """
        return float(_mix_cdf(np.array([float(x)]), self._w, self._m, np.sqrt(self._s2 + self._tau2))[0])

    def pred_prob_above(self, x: float) -> float:
        """Posterior predictive probability that the effect in a new study is > x.

        Parameters
        ----------
        x : float
            The threshold, on the scale of the estimates.

        Returns
        -------
        float
            P(theta_new > x | data).
        """
        return float(_mix_sf(np.array([float(x)]), self._w, self._m, np.sqrt(self._s2 + self._tau2))[0])

    def to_frame(self):
        """One row per parameter (mu, tau, pred): mean, median, sd, ci_low, ci_high."""
        import pandas as pd

        rows = {name: vars(getattr(self, name)) for name in ("mu", "tau", "pred")}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("parameter")


def bayes_meta(yi, vi, *, tau_prior, mu_prior=None, n_nodes: int = 512) -> BayesMetaResult:
    """Bayesian random-effects meta-analysis by numerical integration (normal-normal model).

    Parameters
    ----------
    yi, vi : array_like
        Effect estimates and their sampling variances (``vi > 0``).
    tau_prior : tuple
        Prior of the heterogeneity tau (the between-study SD, on the scale of ``yi``):
        ``("half_normal", scale)``, ``("half_cauchy", scale)`` or
        ``("lognormal_tau2", meanlog, sdlog)`` (log tau^2 ~ Normal(meanlog, sdlog^2), the form of
        Turner et al. 2015), ``("logt_tau2", location, scale, df)`` (log tau^2 = location +
        scale * t_df, the form of Rhodes et al. 2015) or ``("preset", name)``, a row of their
        tables (:func:`evidence_lib.meta.bayes_priors.tau2_prior_preset`; on the log odds ratio or
        SMD scale only).
    mu_prior : None or tuple, optional
        ``None`` for a flat (improper) prior on mu, which needs k >= 2, or ``("normal", mean, sd)``.
    n_nodes : int, optional
        Nodes of the fine quadrature grid in log(tau) (default 512; results change by < 1e-9
        when doubled).

    Returns
    -------
    BayesMetaResult

    Raises
    ------
    ValueError
        Non-positive or non-finite variances, mismatched lengths, a flat mu prior with k = 1,
        an unknown prior name, a non-positive scale or sd.

    References
    ----------
    Röver C (2020). Bayesian random-effects meta-analysis using the bayesmeta R package. J Stat
    Softw 93(6). The formulas used, (M1), (C1) and (C2), are written out in the module docstring.

    Examples
    --------
    >>> res = bayes_meta([-10.4, -11.0, -9.8, -10.0], [66.1, 25.9, 23.4, 13.8],
    ...                  tau_prior=("half_normal", 15.0))
    >>> round(res.mu.mean, 1), res.prob_below(0) > 0.99
    (-10.2, True)
    """
    y, v, _ = _check_1d(yi, vi)
    tau_prior = check_tau_prior(tau_prior)
    mu_prior = check_mu_prior(mu_prior, len(y))
    if int(n_nodes) < 16:
        raise ValueError(f"n_nodes must be at least 16; got {n_nodes!r}")
    nodes = _integrate(y[None, :], v[None, :], tau_prior, mu_prior, int(n_nodes))
    w, m, s2, tau = (a[0] for a in _mixture(nodes))
    tau2 = tau ** 2
    W, M = w[None, :], m[None, :]
    mu_mean, mu_sd, mu_q = _mix_summary(W, M, s2[None, :])
    pr_mean, pr_sd, pr_q = _mix_summary(W, M, (s2 + tau2)[None, :])
    mu = PosteriorSummary(float(mu_mean[0]), float(mu_q[0][0]), float(mu_sd[0]), float(mu_q[1][0]), float(mu_q[2][0]))
    pred = PosteriorSummary(float(pr_mean[0]), float(pr_q[0][0]), float(pr_sd[0]), float(pr_q[1][0]),
                            float(pr_q[2][0]))
    yy, vv = y[None, :], v[None, :]
    tau_summary, tau_hi = _tau_summary(
        nodes, w, tau, tau_prior, lambda xs: _log_post_x(yy, vv, xs[None, :], tau_prior, mu_prior)[2][0])
    if not _second_moment_finite(tau_prior, mu_prior, len(y)):
        inf = math.inf
        tau_summary = PosteriorSummary(tau_summary.mean, tau_summary.median, inf, tau_summary.ci_low,
                                       tau_summary.ci_high)
        pred = PosteriorSummary(pred.mean, pred.median, inf, pred.ci_low, pred.ci_high)
        if mu_prior is None:
            mu = PosteriorSummary(mu.mean, mu.median, inf, mu.ci_low, mu.ci_high)
    mu_grid = _plot_grid(W, M, s2[None, :], mu_mean, mu_sd)
    pred_grid = _plot_grid(W, M, (s2 + tau2)[None, :], pr_mean, pr_sd)
    tau_grid = np.linspace(0.0, tau_hi, 401)
    _, _, ll = _conditional(y[None, :], v[None, :], tau_grid[None, :], mu_prior)
    with np.errstate(invalid="ignore"):
        tau_density = np.exp(ll[0] + log_prior_tau(tau_grid, tau_prior) - nodes.log_z[0])
    return BayesMetaResult(
        mu=mu, tau=tau_summary, pred=pred, k=len(y), tau_prior=tau_prior, mu_prior=mu_prior,
        mu_grid=mu_grid, mu_density=_mix_pdf(mu_grid, w, m, np.sqrt(s2)),
        tau_grid=tau_grid, tau_density=np.nan_to_num(tau_density),
        pred_grid=pred_grid, pred_density=_mix_pdf(pred_grid, w, m, np.sqrt(s2 + tau2)),
        _w=W, _m=M, _s2=s2[None, :], _tau2=tau2[None, :],
    )


def _second_moment_finite(tau_prior, mu_prior, k) -> bool:
    """Whether E[tau^2 | y] is finite (else the sds of tau and pred, and of mu under a flat prior, are infinite).

    For large tau, (M1) falls like tau^-(k-1) with a flat mu prior and like tau^-k with a normal
    one; a half-Cauchy prior falls like tau^-2, so p(tau|y) ~ tau^-(k+1) or tau^-(k+2), whose
    second moment is finite only when that power exceeds 3. A log-t prior on tau^2 falls like
    tau^-1 |log tau|^-(df+1), so p(tau|y) ~ tau^-k or tau^-(k+1) times that log factor, and the
    second moment is finite when the power is 3 or more (the log factor settles power 3).
    Half-normal and log-normal priors have light tails: every moment is finite. Var(mu | tau, y)
    = 1/W grows like tau^2 / k under a flat prior and is bounded by the prior variance under a
    normal one.
    """
    if tau_prior[0] == "logt_tau2":
        return (k if mu_prior is None else k + 1) >= 3
    if tau_prior[0] != "half_cauchy":
        return True
    power = k + 1 if mu_prior is None else k + 2
    return power > 3


def _tau_summary(nodes, w, tau, tau_prior, log_post_x):
    """Moments from the nodes; quantiles of tau by Newton steps on the exact CDF of x = log(tau).

    The CDF at x* is integrated from the lower end of the grid (where the density is negligible)
    to x* with composite 8-point Gauss-Legendre panels no wider than the grid step, a rule
    exact to quadrature precision for this smooth integrand; a cubic spline of the density
    gives the starting point.
    """
    from scipy.interpolate import CubicSpline
    from scipy.optimize import brentq

    mean = float((w * tau).sum())
    sd = float(math.sqrt(max((w * tau * tau).sum() - mean ** 2, 0.0)))
    x = nodes.x[0]
    a, h, log_z = float(x[0]), float(nodes.h[0]), float(nodes.log_z[0])
    gl_t, gl_w = np.polynomial.legendre.leggauss(8)

    def density(xs):
        return np.exp(log_post_x(np.atleast_1d(xs)) - log_z)

    def cdf(xs):
        n = max(1, int(math.ceil((xs - a) / h)))
        edges = np.linspace(a, xs, n + 1)
        half = 0.5 * np.diff(edges)
        pts = (edges[:-1] + half)[:, None] + half[:, None] * gl_t[None, :]
        return float((density(pts.ravel()).reshape(pts.shape) * gl_w[None, :] * half[:, None]).sum())

    spline = CubicSpline(x, np.exp(nodes.log_dens[0] - log_z)).antiderivative()
    tail = float(nodes.tail[0])
    total = float(spline(x[-1]))

    def q(p):
        if p <= tail:       # in the closed-form tail, where the posterior is the prior times L(0)
            return float(math.exp(logt_quantile_x(p / tail * float(logt_cdf_x(a, tau_prior)), tau_prior)))
        xs = brentq(lambda t: tail + float(spline(t)) * (1 - tail) / total - p, x[0], x[-1], xtol=1e-12)
        for _ in range(8):
            step = (tail + cdf(xs) - p) / float(density(xs)[0])
            xs -= step
            if abs(step) < 1e-13:
                break
        return float(math.exp(xs))

    summary = PosteriorSummary(mean, q(0.5), sd, q(0.025), q(0.975))
    return summary, q(0.999)


# ---------------------------------------------------------------------------- many at once
@dataclass(frozen=True, eq=False)
class BatchBayesResult:
    """Posterior summaries of many meta-analyses of equal k (:func:`bayes_meta_many`).

    Attributes
    ----------
    mu_mean, mu_sd, mu_median, mu_ci_low, mu_ci_high : numpy.ndarray
        Posterior of mu per analysis (95% equal-tailed interval).
    pred_mean, pred_sd, pred_median, pred_ci_low, pred_ci_high : numpy.ndarray
        Posterior predictive distribution of the effect in a new study.
    tau_mean, tau_sd : numpy.ndarray
        Posterior mean and sd of tau.
    thresholds : tuple of float
        The thresholds of the probability columns.
    prob_below, prob_above : numpy.ndarray
        Shape (n_analyses, len(thresholds)): P(mu < t) and P(mu > t).
    """

    mu_mean: np.ndarray
    mu_sd: np.ndarray
    mu_median: np.ndarray
    mu_ci_low: np.ndarray
    mu_ci_high: np.ndarray
    pred_mean: np.ndarray
    pred_sd: np.ndarray
    pred_median: np.ndarray
    pred_ci_low: np.ndarray
    pred_ci_high: np.ndarray
    tau_mean: np.ndarray
    tau_sd: np.ndarray
    thresholds: tuple
    prob_below: np.ndarray
    prob_above: np.ndarray

    def to_frame(self):
        """One row per analysis; probability columns named ``p_mu_below_<t>`` and ``p_mu_above_<t>``."""
        import pandas as pd

        cols = {n: getattr(self, n) for n in ("mu_mean", "mu_sd", "mu_median", "mu_ci_low", "mu_ci_high",
                                              "pred_mean", "pred_sd", "pred_median", "pred_ci_low",
                                              "pred_ci_high", "tau_mean", "tau_sd")}
        for j, t in enumerate(self.thresholds):
            cols[f"p_mu_below_{t:g}"] = self.prob_below[:, j]
            cols[f"p_mu_above_{t:g}"] = self.prob_above[:, j]
        return pd.DataFrame(cols)


def bayes_meta_many(yi, vi, *, tau_prior, mu_prior=None, thresholds=(), n_nodes: int = 160) -> BatchBayesResult:
    """:func:`bayes_meta` for many meta-analyses of the same size at once (vectorised).

    Parameters
    ----------
    yi, vi : array_like, shape (n_analyses, k)
        One row per meta-analysis.
    tau_prior, mu_prior : tuple
        As in :func:`bayes_meta`, shared by all analyses.
    thresholds : sequence of float, optional
        Values t for which P(mu < t) and P(mu > t) are returned.
    n_nodes : int, optional
        Fine-grid nodes per analysis (default 160; the mu and pred summaries agree with
        :func:`bayes_meta` to about 1e-8).

    Returns
    -------
    BatchBayesResult

    Raises
    ------
    ValueError
        As :func:`bayes_meta`, and for arrays that are not two-dimensional of equal shape.

    References
    ----------
    Röver C (2020). J Stat Softw 93(6); formulas (M1), (C1), (C2) of the module docstring.
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if y.ndim != 2 or y.shape != v.shape or y.shape[1] == 0:
        raise ValueError(f"yi and vi must be 2-D arrays of equal shape (n_analyses, k); got {y.shape} and {v.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("yi has a non-finite value; remove the study or fix the value")
    if not np.all(np.isfinite(v) & (v > 0)):
        raise ValueError("vi must be positive and finite everywhere; pass sampling variances (se**2)")
    tau_prior = check_tau_prior(tau_prior)
    mu_prior = check_mu_prior(mu_prior, y.shape[1])
    nodes = _integrate(y, v, tau_prior, mu_prior, int(n_nodes))
    w, m, s2, tau = _mixture(nodes)
    mu_mean, mu_sd, mu_q = _mix_summary(w, m, s2)
    pr_mean, pr_sd, pr_q = _mix_summary(w, m, s2 + tau ** 2)
    tau_mean = (w * tau).sum(axis=1)
    tau_sd = np.sqrt(np.maximum((w * tau ** 2).sum(axis=1) - tau_mean ** 2, 0.0))
    if not _second_moment_finite(tau_prior, mu_prior, y.shape[1]):
        tau_sd = np.full_like(tau_sd, math.inf)
        pr_sd = np.full_like(pr_sd, math.inf)
        if mu_prior is None:
            mu_sd = np.full_like(mu_sd, math.inf)
    t = tuple(float(x) for x in thresholds)
    s = np.sqrt(s2)
    below = np.column_stack([_mix_cdf(np.full(len(y), x), w, m, s) for x in t]) if t else np.empty((len(y), 0))
    above = np.column_stack([_mix_sf(np.full(len(y), x), w, m, s) for x in t]) if t else np.empty((len(y), 0))
    return BatchBayesResult(mu_mean, mu_sd, mu_q[0], mu_q[1], mu_q[2], pr_mean, pr_sd, pr_q[0], pr_q[1], pr_q[2],
                            tau_mean, tau_sd, t, below, above)
