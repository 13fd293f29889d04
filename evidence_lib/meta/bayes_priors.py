"""Priors of the Bayesian random-effects model (:func:`evidence_lib.meta.bayes.bayes_meta`).

Heterogeneity priors (``tau_prior``), each a tuple naming the law and its parameters:

``("half_normal", scale)``, ``("half_cauchy", scale)``
    On tau, the between-study standard deviation.
``("lognormal_tau2", meanlog, sdlog)``
    log tau^2 ~ Normal(meanlog, sdlog^2): the form of Turner et al. (2015).
``("logt_tau2", location, scale, df)``
    log tau^2 = location + scale * T, T ~ Student t with ``df`` degrees of freedom: the form of
    Rhodes et al. (2015), with df = 5.  As a density of x = log(tau): log tau^2 = 2x, so
    x = location/2 + (scale/2) T and p(x) = (2/scale) f_T((2x - location)/scale); on tau,
    p(tau) = p(x)/tau (Jacobian dx/dtau = 1/tau).
``("preset", name)``
    A named row of the tables of Turner et al. (2015) or Rhodes et al. (2015); see
    :func:`tau2_prior_preset` and :func:`heterogeneity_presets`.

Presets.  Turner et al. (2015, Stat Med 34(6):984-98, doi:10.1002/sim.6381) give log-normal
predictive distributions of tau^2 for log odds ratios of binary outcomes (80 settings: 16 outcome
types x 5 comparison types, and a general one); Rhodes et al. (2015, J Clin Epidemiol
68(1):52-60, doi:10.1016/j.jclinepi.2014.08.012) give log-t(5) distributions of tau^2 for
standardized mean differences (8 outcome types x 3 comparison types per medical area; the presets
carry the area "other than respiratory or cancer" and the general setting).  The bibliographic data
are as printed on https://pmc.ncbi.nlm.nih.gov/articles/PMC4270451 (Rhodes) and
https://rdrr.io/cran/rnmamod/src/R/table.tau2.empirical.prior_function.R (both).

Where the numbers come from.  No stored page showed the papers' tables: the PMC full text of
Rhodes et al. (PMC4270451), a transcription of Turner et al. (d.docksci.com), gwern.net's
annotation of Turner et al. and the Cochrane Methods page on data-based predictive distributions
were found, but the search returned only their opening sections (title, abstract).  The values
are therefore read from two secondary tabulations, the R packages bayesmeta 3.4
(``R/bayesmeta.R``, whose comments cite Turner's Table IV and Rhodes' Table 3) and rnmamod
(``table_tau2_prior``), parsed from their source files; all 80 + 1 Turner and 24 + 1 Rhodes
values agree between the two (``_tau2_tables.py`` holds the URLs and line ranges).  One Rhodes
cell is left out (mental health outcome, non-pharmacological): both sources show -3.85, which
breaks the additive structure every other row follows.  Both sources treat the second Turner
parameter as the standard deviation of log tau^2 and the Rhodes parameters as location and scale of
a t(5) law of log tau^2 (bayesmeta's RhodesEtAlPrior documentation, "Details").

The presets are on the scale of their effect measure (log odds ratio, SMD): they do not apply to
raw mean differences such as points on a 0-100 pain scale without a conversion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from . import _tau2_tables as tables

TAU_PRIORS = ("half_normal", "half_cauchy", "lognormal_tau2", "logt_tau2")
_LOG2 = math.log(2.0)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_FIX = ('pass ("half_normal", scale), ("half_cauchy", scale), ("lognormal_tau2", meanlog, sdlog), '
        '("logt_tau2", location, scale, df) or ("preset", name), e.g. tau_prior=("half_normal", 15.0)')


@dataclass(frozen=True)
class HeterogeneityPreset:
    """One row of a published table of heterogeneity priors.

    Attributes
    ----------
    name : str
        The preset's name, e.g. ``"rhodes2015-physical-health-adverse-pain-qol-nonpharma-any"``.
    paper : str
        ``"Turner et al. 2015"`` or ``"Rhodes et al. 2015"``.
    effect_measure : str
        The scale the prior applies to (``"log odds ratio"`` or ``"standardized mean difference"``).
    outcome_type, comparison_type : str
        The setting, in the paper's words as tabulated by the source.
    tau_prior : tuple
        The prior, ready for ``bayes_meta(tau_prior=...)``.
    read_from, checked_against : str
        URL (with line range) of the secondary source the value was read from, and of the second
        one it agrees with.
    status : str
        How far the value is verified (:data:`SECONDARY`: two secondary tabulations agree; the
        paper's own table was not seen).
    """

    name: str
    paper: str
    effect_measure: str
    outcome_type: str
    comparison_type: str
    tau_prior: tuple
    read_from: str
    checked_against: str
    status: str = ""


#: The verification status of every preset (shown with each, so that users see it).
SECONDARY = ("secondary: read from bayesmeta 3.4, agrees with rnmamod; the paper's table itself was not seen, "
             "so the value is unverified against the primary source")


def _build_presets():
    out = []
    turner = dict(paper="Turner et al. 2015", effect_measure="log odds ratio", status=SECONDARY,
                  read_from=tables.TURNER_READ_FROM, checked_against=tables.TURNER_CHECKED_AGAINST)
    rhodes = dict(paper="Rhodes et al. 2015", effect_measure="standardized mean difference", status=SECONDARY,
                  read_from=tables.RHODES_READ_FROM, checked_against=tables.RHODES_CHECKED_AGAINST)
    out.append(HeterogeneityPreset("turner2015-general", outcome_type="any", comparison_type="any",
                                   tau_prior=("lognormal_tau2", *tables.TURNER_GENERAL), **turner))
    for slug, outcome, cells in tables.TURNER_TABLE:
        for (cslug, comparison), (m, s) in zip(tables.TURNER_COMPARISONS, cells):
            out.append(HeterogeneityPreset(f"turner2015-{slug}-{cslug}", outcome_type=outcome,
                                           comparison_type=comparison, tau_prior=("lognormal_tau2", m, s), **turner))
    out.append(HeterogeneityPreset("rhodes2015-general", outcome_type="any", comparison_type="any",
                                   tau_prior=("logt_tau2", *tables.RHODES_GENERAL, tables.RHODES_DF), **rhodes))
    for slug, outcome, cells in tables.RHODES_TABLE:
        for (cslug, comparison), cell in zip(tables.RHODES_COMPARISONS, cells):
            if cell is not None:
                out.append(HeterogeneityPreset(f"rhodes2015-{slug}-{cslug}", outcome_type=outcome,
                                               comparison_type=comparison,
                                               tau_prior=("logt_tau2", *cell, tables.RHODES_DF), **rhodes))
    return tuple(out)


#: Every preset, Turner et al. first.
PRESETS: tuple[HeterogeneityPreset, ...] = _build_presets()
_BY_NAME = {p.name: p for p in PRESETS}


def tau2_prior_preset(name: str) -> tuple:
    """The heterogeneity prior of a named preset, as a ``tau_prior`` tuple.

    Parameters
    ----------
    name : str
        A preset name: ``"turner2015-<outcome>-<comparison>"``, ``"rhodes2015-<outcome>-<comparison>"``,
        ``"turner2015-general"`` or ``"rhodes2015-general"`` (all listed by :func:`heterogeneity_presets`).

    Returns
    -------
    tuple
        ``("lognormal_tau2", meanlog, sdlog)`` (Turner) or ``("logt_tau2", location, scale, 5.0)`` (Rhodes).

    Raises
    ------
    ValueError
        An unknown name; the message lists the names that share its first word.

    References
    ----------
    Turner RM et al. (2015). Stat Med 34(6):984-98 (Table IV, log-normal priors for log odds ratios).
    Rhodes KM et al. (2015). J Clin Epidemiol 68(1):52-60 (Table 3, log-t(5) priors for SMDs).
    Where each value was read: :class:`HeterogeneityPreset` ``read_from`` and the module docstring.
    """
    if name in _BY_NAME:
        return _BY_NAME[name].tau_prior
    head = str(name).split("-")[0]
    near = [n for n in _BY_NAME if n.split("-")[0] == head] or [p.name for p in PRESETS if p.name.endswith("general")]
    raise ValueError(f"tau_prior preset {name!r} is unknown; pass one of heterogeneity_presets().name, e.g. "
                     f"{', '.join(near[:6])}{' ...' if len(near) > 6 else ''}")


def heterogeneity_presets():
    """All presets as a table (one row per preset), for browsing and citing.

    Returns
    -------
    pandas.DataFrame
        Columns name, paper, effect_measure, outcome_type, comparison_type, distribution,
        param1, param2, df, read_from, checked_against, status.

    References
    ----------
    As :func:`tau2_prior_preset`.
    """
    import pandas as pd

    rows = []
    for p in PRESETS:
        dist, a, b, *df = p.tau_prior
        rows.append(dict(name=p.name, paper=p.paper, effect_measure=p.effect_measure, outcome_type=p.outcome_type,
                         comparison_type=p.comparison_type, distribution=dist, param1=a, param2=b,
                         df=df[0] if df else math.nan, read_from=p.read_from, checked_against=p.checked_against,
                         status=p.status))
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- checks
def check_tau_prior(tau_prior):
    """Validate ``tau_prior`` and return it as a tuple of floats (a preset resolved to its law).

    Parameters
    ----------
    tau_prior : tuple
        One of the forms in the module docstring, e.g. ``("half_normal", 15.0)`` or
        ``("preset", "rhodes2015-general")``.

    Returns
    -------
    tuple
        ``(name, *parameters)`` with float parameters; a preset replaced by its law.

    Raises
    ------
    ValueError
        An unknown law or preset, the wrong number of parameters, or a parameter that is not
        a finite number of the allowed sign; the message says what to pass instead.
    """
    if isinstance(tau_prior, str) or not isinstance(tau_prior, (tuple, list)) or not tau_prior:
        raise ValueError(f"tau_prior must be a tuple naming a prior and its parameters; got {tau_prior!r}; {_FIX}")
    name, *params = tau_prior
    if name == "preset":
        if len(params) != 1:
            raise ValueError(f"tau_prior ('preset', name) takes one name; got {tau_prior!r}; {_FIX}")
        return check_tau_prior(tau2_prior_preset(params[0]))
    if name not in TAU_PRIORS:
        raise ValueError(f"tau_prior name {name!r} is not one of {TAU_PRIORS + ('preset',)}; {_FIX}")
    want = {"lognormal_tau2": 2, "logt_tau2": 3}.get(name, 1)
    if len(params) != want:
        raise ValueError(f"tau_prior {name!r} takes {want} parameter(s), got {len(params)}; {_FIX}")
    try:
        params = [float(p) for p in params]
    except (TypeError, ValueError):
        raise ValueError(f"tau_prior parameters must be numbers; got {params!r}; {_FIX}") from None
    if not all(math.isfinite(p) for p in params):
        raise ValueError(f"tau_prior parameters must be finite; got {params!r}; {_FIX}")
    if name in ("half_normal", "half_cauchy") and params[0] <= 0:
        raise ValueError(f"tau_prior scale must be positive; got {params[0]!r}. Pass a scale > 0 on the "
                         f"scale of the effects, e.g. ('{name}', 10.0)")
    if name == "lognormal_tau2" and params[1] <= 0:
        raise ValueError(f"tau_prior sdlog must be positive; got {params[1]!r}. Pass ('lognormal_tau2', meanlog, "
                         "sdlog) with sdlog > 0")
    if name == "logt_tau2" and (params[1] <= 0 or params[2] <= 0):
        raise ValueError(f"tau_prior logt_tau2 scale and df must be positive; got {params[1:]!r}. Pass "
                         "('logt_tau2', location, scale, df) with scale > 0 and df > 0, e.g. df = 5")
    return (name, *params)


def check_mu_prior(mu_prior, k):
    """Validate ``mu_prior`` (None = flat, needs k >= 2; or ('normal', mean, sd)).

    Parameters
    ----------
    mu_prior : None or tuple
        None for a flat prior on mu, or ``("normal", mean, sd)``.
    k : int
        Number of studies (a flat prior with one study gives an improper posterior).

    Returns
    -------
    None or tuple
        None, or ``("normal", mean, sd)`` with floats.

    Raises
    ------
    ValueError
        A malformed prior, a non-positive or non-finite sd, or a flat prior with k = 1.
    """
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


# ---------------------------------------------------------------------------- densities
def log_prior_x(x, prior):
    """The log prior density of x = log(tau) (the Jacobian tau included).

    Parameters
    ----------
    x : float or ndarray
        Values of log(tau).
    prior : tuple
        A checked ``tau_prior`` (:func:`check_tau_prior`).

    Returns
    -------
    float or ndarray
        log p(x), same shape as ``x``.
    """
    name = prior[0]
    if name == "lognormal_tau2":       # log tau^2 ~ N(m, s^2)  <=>  x ~ N(m/2, (s/2)^2)
        c, s = prior[1] / 2.0, prior[2] / 2.0
        return -0.5 * ((x - c) / s) ** 2 - math.log(s) - _LOG_SQRT_2PI
    if name == "logt_tau2":            # z = (2x - location)/scale ~ t(df); dz/dx = 2/scale
        loc, scale, df = prior[1:]
        z = (2.0 * np.asarray(x, dtype=float) - loc) / scale
        const = (math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
                 + _LOG2 - math.log(scale))
        return const - 0.5 * (df + 1) * np.log1p(z * z / df)
    scale = prior[1]
    tau = np.exp(x)
    if name == "half_normal":
        return _LOG2 - 0.5 * (tau / scale) ** 2 - math.log(scale) - _LOG_SQRT_2PI + x
    return _LOG2 - math.log(math.pi * scale) - np.log1p((tau / scale) ** 2) + x     # half_cauchy


def log_prior_tau(tau, prior):
    """The log prior density on the tau scale (tau >= 0), for densities to plot.

    Parameters
    ----------
    tau : float or ndarray
        Values of tau (between-study standard deviation), >= 0.
    prior : tuple
        A checked ``tau_prior`` (:func:`check_tau_prior`).

    Returns
    -------
    ndarray
        log p(tau); -inf at tau = 0 for the priors on log tau^2.
    """
    tau = np.asarray(tau, dtype=float)
    with np.errstate(divide="ignore"):
        if prior[0] in ("lognormal_tau2", "logt_tau2"):
            x = np.log(tau)
            return np.where(tau > 0, log_prior_x(x, prior) - x, -np.inf)
        scale = prior[1]
        if prior[0] == "half_normal":
            return _LOG2 - 0.5 * (tau / scale) ** 2 - math.log(scale) - _LOG_SQRT_2PI
        return _LOG2 - math.log(math.pi * scale) - np.log1p((tau / scale) ** 2)


def logt_cdf_x(x, prior):
    """The prior probability P(log(tau) <= x) under a ``logt_tau2`` prior.

    Parameters
    ----------
    x : float or ndarray
        Values of log(tau).
    prior : tuple
        ``("logt_tau2", location, scale, df)``.

    Returns
    -------
    float or ndarray
        The distribution function at ``x``.
    """
    loc, scale, df = prior[1:]
    return special.stdtr(df, (2.0 * np.asarray(x, dtype=float) - loc) / scale)


def logt_quantile_x(p, prior):
    """The x = log(tau) with P(log(tau) <= x) = p under a ``logt_tau2`` prior.

    Parameters
    ----------
    p : float or ndarray
        Probabilities in (0, 1).
    prior : tuple
        ``("logt_tau2", location, scale, df)``.

    Returns
    -------
    float or ndarray
        The quantiles of log(tau).
    """
    loc, scale, df = prior[1:]
    return (loc + scale * special.stdtrit(df, p)) / 2.0
