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

The values are checked against an independent numerical integration in R (base R's
``integrate`` on the marginal posterior of tau, ``tests/reference/bayes_reference.R``).

Heterogeneity-prior presets.  Turner et al. (2015, Stat Med) give log-normal predictive
distributions for tau^2, but for log odds ratios of binary outcomes; Rhodes et al. (2015,
J Clin Epidemiol) give log-t (5 df) distributions for SMDs, not log-normal ones (as read on
https://rdocumentation.org/packages/bayesmeta/versions/3.4/topics/RhodesEtAlPrior and
https://loukiaspin.github.io/rnmamod/reference/table_tau2_prior.html).  No stored page showed
the tables of (meanlog, sdlog) themselves, so no named preset is provided: pass
``("lognormal_tau2", meanlog, sdlog)`` with values read from the papers' tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._mixture import _mix_cdf, _mix_pdf, _mix_sf, _mix_summary, _plot_grid
from ._validate import _check_1d

TAU_PRIORS = ("half_normal", "half_cauchy", "lognormal_tau2")
_LOG2 = math.log(2.0)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
#: Pass 2 keeps the part of the coarse grid within this many log-units of the posterior peak.
_KEEP_LOG = 30.0


# ---------------------------------------------------------------------------- priors, checked
def _check_tau_prior(tau_prior):
    fix = ('pass ("half_normal", scale), ("half_cauchy", scale) or ("lognormal_tau2", meanlog, sdlog), '
           'e.g. tau_prior=("half_normal", 15.0)')
    if isinstance(tau_prior, str) or not isinstance(tau_prior, (tuple, list)) or not tau_prior:
        raise ValueError(f"tau_prior must be a tuple naming a prior and its parameters; got {tau_prior!r}; {fix}")
    name, *params = tau_prior
    if name not in TAU_PRIORS:
        raise ValueError(f"tau_prior name {name!r} is not one of {TAU_PRIORS}; {fix}")
    want = 2 if name == "lognormal_tau2" else 1
    if len(params) != want:
        raise ValueError(f"tau_prior {name!r} takes {want} parameter(s), got {len(params)}; {fix}")
    try:
        params = [float(p) for p in params]
    except (TypeError, ValueError):
        raise ValueError(f"tau_prior parameters must be numbers; got {params!r}; {fix}") from None
    if not all(math.isfinite(p) for p in params):
        raise ValueError(f"tau_prior parameters must be finite; got {params!r}; {fix}")
    if name != "lognormal_tau2" and params[0] <= 0:
        raise ValueError(f"tau_prior scale must be positive; got {params[0]!r}. Pass a scale > 0 on the "
                         f"scale of the effects, e.g. ('{name}', 10.0)")
    if name == "lognormal_tau2" and params[1] <= 0:
        raise ValueError(f"tau_prior sdlog must be positive; got {params[1]!r}. Pass ('lognormal_tau2', meanlog, "
                         "sdlog) with sdlog > 0")
    return (name, *params)


def _check_mu_prior(mu_prior, k):
    if mu_prior is None:
        if k < 2:
            raise ValueError("mu_prior=None (a flat prior on mu) with k = 1 study gives an improper posterior; "
                             "pass a proper prior, e.g. mu_prior=('normal', 0.0, 100.0), or pool at least 2 studies")
        return None
    fix = "pass mu_prior=None (flat) or ('normal', mean, sd) with sd > 0"
    if not isinstance(mu_prior, (tuple, list)) or len(mu_prior) != 3 or mu_prior[0] != "normal":
        raise ValueError(f"mu_prior must be None or ('normal', mean, sd); got {mu_prior!r}; {fix}")
    mean, sd = float(mu_prior[1]), float(mu_prior[2])
    if not (math.isfinite(mean) and math.isfinite(sd)) or sd <= 0:
        raise ValueError(f"mu_prior sd must be positive and both numbers finite; got {mu_prior!r}; {fix}")
    return ("normal", mean, sd)


def _log_prior_x(x, prior):
    """log p(x) for x = log(tau) (Jacobian tau included)."""
    name = prior[0]
    if name == "lognormal_tau2":       # log tau^2 ~ N(m, s^2)  <=>  x ~ N(m/2, (s/2)^2)
        c, s = prior[1] / 2.0, prior[2] / 2.0
        return -0.5 * ((x - c) / s) ** 2 - math.log(s) - _LOG_SQRT_2PI
    scale = prior[1]
    tau = np.exp(x)
    if name == "half_normal":
        return _LOG2 - 0.5 * (tau / scale) ** 2 - math.log(scale) - _LOG_SQRT_2PI + x
    return _LOG2 - math.log(math.pi * scale) - np.log1p((tau / scale) ** 2) + x     # half_cauchy


def _log_prior_tau(tau, prior):
    """log p(tau) on the tau scale (tau >= 0), for densities to plot."""
    tau = np.asarray(tau, dtype=float)
    with np.errstate(divide="ignore"):
        if prior[0] == "lognormal_tau2":
            x = np.log(tau)
            return np.where(tau > 0, _log_prior_x(x, prior) - x, -np.inf)
        scale = prior[1]
        if prior[0] == "half_normal":
            return _LOG2 - 0.5 * (tau / scale) ** 2 - math.log(scale) - _LOG_SQRT_2PI
        return _LOG2 - math.log(math.pi * scale) - np.log1p((tau / scale) ** 2)


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
    return m, s2, ll + _log_prior_x(x, tau_prior)


def _coarse_range(y, v, tau_prior):
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


def _integrate(y, v, tau_prior, mu_prior, n_nodes):
    lo, hi, step = _coarse_range(y, v, tau_prior)
    n1 = int(math.ceil(float(np.max(hi - lo)) / step)) + 1
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, n1)[None, :]
    _, _, lp = _log_post_x(y, v, grid, tau_prior, mu_prior)
    keep = lp >= lp.max(axis=1, keepdims=True) - _KEEP_LOG
    h1 = (hi - lo) / (n1 - 1)
    first = np.argmax(keep, axis=1)
    last = n1 - 1 - np.argmax(keep[:, ::-1], axis=1)
    rows = np.arange(len(y))
    a = grid[rows, first] - h1
    b = grid[rows, last] + h1
    x = a[:, None] + (b - a)[:, None] * np.linspace(0.0, 1.0, n_nodes)[None, :]
    m, s2, lp = _log_post_x(y, v, x, tau_prior, mu_prior)
    h = (b - a) / (n_nodes - 1)
    trap = np.ones(n_nodes)
    trap[[0, -1]] = 0.5
    top = lp.max(axis=1, keepdims=True)
    u = np.exp(lp - top) * trap[None, :]
    total = u.sum(axis=1, keepdims=True)
    log_z = (top + np.log(total * h[:, None]))[:, 0]
    return _Nodes(x=x, weight=u / total, m=m, s2=s2, log_z=log_z, log_dens=lp, h=h)


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
        Turner et al. 2015; see the module docstring for why no named presets are provided).
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
    tau_prior = _check_tau_prior(tau_prior)
    mu_prior = _check_mu_prior(mu_prior, len(y))
    if int(n_nodes) < 16:
        raise ValueError(f"n_nodes must be at least 16; got {n_nodes!r}")
    nodes = _integrate(y[None, :], v[None, :], tau_prior, mu_prior, int(n_nodes))
    w, m, s2, x = nodes.weight[0], nodes.m[0], nodes.s2[0], nodes.x[0]
    tau = np.exp(x)
    tau2 = tau ** 2
    W, M = w[None, :], m[None, :]
    mu_mean, mu_sd, mu_q = _mix_summary(W, M, s2[None, :])
    pr_mean, pr_sd, pr_q = _mix_summary(W, M, (s2 + tau2)[None, :])
    mu = PosteriorSummary(float(mu_mean[0]), float(mu_q[0][0]), float(mu_sd[0]), float(mu_q[1][0]), float(mu_q[2][0]))
    pred = PosteriorSummary(float(pr_mean[0]), float(pr_q[0][0]), float(pr_sd[0]), float(pr_q[1][0]),
                            float(pr_q[2][0]))
    yy, vv = y[None, :], v[None, :]
    tau_summary, tau_hi = _tau_summary(
        nodes, w, tau, lambda xs: _log_post_x(yy, vv, xs[None, :], tau_prior, mu_prior)[2][0])
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
        tau_density = np.exp(ll[0] + _log_prior_tau(tau_grid, tau_prior) - nodes.log_z[0])
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
    second moment is finite only when that power exceeds 3. Half-normal and log-normal priors
    have light tails: every moment is finite. Var(mu | tau, y) = 1/W grows like tau^2 / k under
    a flat prior and is bounded by the prior variance under a normal one.
    """
    if tau_prior[0] != "half_cauchy":
        return True
    power = k + 1 if mu_prior is None else k + 2
    return power > 3


def _tau_summary(nodes, w, tau, log_post_x):
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
    total = float(spline(x[-1]))

    def q(p):
        xs = brentq(lambda t: float(spline(t)) / total - p, x[0], x[-1], xtol=1e-12)
        for _ in range(8):
            step = (cdf(xs) - p) / float(density(xs)[0])
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
    tau_prior = _check_tau_prior(tau_prior)
    mu_prior = _check_mu_prior(mu_prior, y.shape[1])
    nodes = _integrate(y, v, tau_prior, mu_prior, int(n_nodes))
    w, m, s2 = nodes.weight, nodes.m, nodes.s2
    tau = np.exp(nodes.x)
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
