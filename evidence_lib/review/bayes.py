"""How likely is a benefit that matters? The Bayesian model applied to a review's pain data.

Everything here works on the *benefit scale*: positive means the intervention is better, in points
of a 0-100 pain scale. The clinically important difference (MCID) is read from
``thresholds.csv`` with :func:`evidence_lib.review.relevance.find_threshold`, never typed in.

Three priors for the mean benefit mu, built from the MCID M (the sceptical and enthusiastic
priors follow the idea of Spiegelhalter et al. (1994) as described in *Statistical Methods in
Medical Research*, 4th ed., p. 536, https://www.yumpu.com/en/document/view/15334958/statistical-methods-in-medical-research-4ed/547):

``sceptical``
    mu ~ Normal(0, (M / 1.645)^2): a reader who doubts the intervention and gives only a 5% chance
    that the benefit reaches the MCID before seeing the trials. Evidence that convinces this
    reader is robust.
``neutral``
    mu ~ Normal(0, (10 M)^2): centred on no difference and so wide that it barely moves the
    data (the trials speak for themselves); unlike a flat prior it is proper, so a single trial
    can be analysed.
``enthusiastic``
    mu ~ Normal(M, (M / 1.645)^2): a reader who expects an important benefit and gives only a
    5% chance that there is none. Evidence that disappoints this reader is robust.

All three share a weakly informative half-normal prior on the between-trial SD tau with scale
M (68% prior probability that trials' true benefits differ by less than one MCID, 95% by less
than two); the use of weakly informative heterogeneity priors with few studies is discussed by
Röver et al., "On weakly informative prior distributions for the heterogeneity parameter in
Bayesian random-effects meta-analysis" (https://ar5iv.labs.arxiv.org/html/2007.08352).

For the Summary of Findings, :func:`benefit_probabilities` gives one small table per row.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence_lib._values import chance_text
from evidence_lib.meta.bayes import bayes_meta
from evidence_lib.review import relevance

#: The thresholds.csv instrument whose between-group MCID applies to differences on a 0-100 pain scale.
PAIN_0_100_INSTRUMENT = "pain intensity 0-100 (e.g. VAS)"
#: z such that Normal(0, 1) puts 5% above it (scipy.stats.norm.ppf(0.95)); a property of the normal law.
_Z95 = 1.6448536269514722


@dataclass(frozen=True)
class NamedPrior:
    """A named pair of priors on the benefit scale, with the reason for it.

    Attributes
    ----------
    name : str
    tau_prior : tuple
        As in :func:`evidence_lib.meta.bayes.bayes_meta`.
    mu_prior : tuple or None
        Prior of the mean benefit (positive = intervention better).
    why : str
        One sentence for readers.
    """

    name: str
    tau_prior: tuple
    mu_prior: tuple | None
    why: str

    def describe(self) -> str:
        """Both priors in words ("mean benefit: normal, mean 0 and SD 9.1; between-trial SD τ:
        half-normal, scale 15").

        Returns
        -------
        str
        """
        mu = "flat (no prior)" if self.mu_prior is None else _prior_words(self.mu_prior)
        return f"mean benefit: {mu}; between-trial SD \u03c4: {_prior_words(self.tau_prior)}"


def _prior_words(spec: tuple) -> str:
    """A prior tuple of :func:`evidence_lib.meta.bayes.bayes_meta` in words, numbers to 2 significant digits."""
    kind, *args = spec
    num = [f"{float(f'{a:.2g}'):g}" for a in args]
    if kind == "normal" and len(args) == 2:
        return f"normal, mean {num[0]} and SD {num[1]}"
    if kind == "half_normal" and len(args) == 1:
        return f"half-normal, scale {num[0]}"
    return f"{str(kind).replace('_', '-')} ({', '.join(num)})"


def default_priors(threshold: float) -> tuple[NamedPrior, ...]:
    """The sceptical, neutral and enthusiastic priors for an MCID of ``threshold`` (module docstring).

    Parameters
    ----------
    threshold : float
        The MCID on the benefit scale (> 0).

    Returns
    -------
    tuple of NamedPrior

    Raises
    ------
    ValueError
        If ``threshold`` is not positive.
    """
    m = float(threshold)
    if not m > 0:
        raise ValueError(f"threshold must be a positive MCID on the benefit scale; got {threshold!r}")
    tau = ("half_normal", m)
    sd = m / _Z95
    return (
        NamedPrior("sceptical", tau, ("normal", 0.0, sd),
                   f"doubts the intervention: 5% prior chance that the benefit reaches {m:g} points"),
        NamedPrior("neutral", tau, ("normal", 0.0, 10 * m),
                   "no opinion: centred on no difference, so wide that the trials decide"),
        NamedPrior("enthusiastic", tau, ("normal", m, sd),
                   f"expects an important benefit ({m:g} points): 5% prior chance of none"),
    )


def benefit_probabilities(yi, vi, *, threshold: float, favours: str = "negative", priors=None):
    """Posterior probabilities that the mean benefit exceeds zero and the MCID, under each prior.

    Meant for one Summary-of-Findings row: pass the trials' effects (as reported) and the MCID.

    Parameters
    ----------
    yi, vi : array_like
        Per-trial effects as reported and their variances.
    threshold : float
        The MCID, a positive number on the scale of ``yi``.
    favours : {'negative', 'positive'}
        Which sign of ``yi`` favours the intervention (``negative`` for pain-score differences).
    priors : sequence of NamedPrior, optional
        Default :func:`default_priors` of ``threshold``.

    Returns
    -------
    pandas.DataFrame
        One row per prior: prior, why, k, mean, ci_low, ci_high (mean benefit and 95% credible
        interval), tau_median, p_benefit (P(mu > 0)), p_important (P(mu > threshold)),
        p_next_trial_important (P(effect in a new trial > threshold)), threshold.

    Raises
    ------
    ValueError
        For ``favours`` other than ``negative``/``positive``, a non-positive threshold, and as
        :func:`evidence_lib.meta.bayes.bayes_meta`.

    References
    ----------
    Röver C (2020). J Stat Softw 93(6) (the model); the priors: module docstring.
    """
    import numpy as np
    import pandas as pd

    if favours not in ("negative", "positive"):
        raise ValueError(f"favours must be 'negative' or 'positive' (the sign that favours the intervention); got {favours!r}")
    priors = default_priors(threshold) if priors is None else tuple(priors)
    b = np.asarray(yi, dtype=float) * (-1.0 if favours == "negative" else 1.0)
    rows = []
    for p in priors:
        res = bayes_meta(b, vi, tau_prior=p.tau_prior, mu_prior=p.mu_prior)
        rows.append(dict(prior=p.name, why=p.why, k=res.k, mean=res.mu.mean, ci_low=res.mu.ci_low,
                         ci_high=res.mu.ci_high, tau_median=res.tau.median, p_benefit=res.prob_above(0.0),
                         p_important=res.prob_above(float(threshold)),
                         p_next_trial_important=res.pred_prob_above(float(threshold)), threshold=float(threshold)))
    return pd.DataFrame(rows)


def pain_mcid(ds):
    """The between-group MCID for a 0-100 pain scale, as a ``thresholds.csv`` row.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package; its ``thresholds`` table is searched for an ``MD``
        threshold of the instrument ``PAIN_0_100_INSTRUMENT``.

    Returns
    -------
    pandas.Series
        The row (``value``, ``threshold_id``, ``source_id``, ``location``, ``url``...).

    Raises
    ------
    ValueError
        If the table has no such row.
    """
    row = relevance.find_threshold(ds.thresholds, "MD", PAIN_0_100_INSTRUMENT)
    if row is None:
        raise ValueError(f"thresholds.csv has no MD threshold for {PAIN_0_100_INSTRUMENT!r}; add a "
                         "mcid_between_group row for that instrument")
    return row


def analysis_sets(ds):
    """The trial sets re-analysed: the reproduced Cochrane analysis and the own pooling set by comparator.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.

    Returns
    -------
    list of (str, str, pandas.DataFrame)
        (analysis label, comparator label, trials with label, yi, vi), yi negative = acupuncture better.
    """
    from evidence_lib.review.labels import comparator_label
    from evidence_lib.review.reproduce import main_analysis, reproduce
    from evidence_lib.review.views import pain_md_set, source_labels

    out = []
    aid = main_analysis(ds)
    if aid is not None:
        rep = reproduce(ds, aid)
        row = ds.pooled_results.set_index("analysis_id").loc[aid]
        label = f"{source_labels(ds).get(row['source_id'], row['source_id'])}: {row['description']} (reproduced)"
        out.append((label, comparator_label(ds, row["comparator_class"]), rep.trials[["label", "yi", "vi"]]))
    own = pain_md_set(ds)
    for comp, g in own.groupby("comparator_label", sort=True):
        out.append(("own pooling set (first visit up to 13 weeks)", str(comp), g[["label", "yi", "vi"]]))
    return out


def reanalyses(ds):
    """:func:`benefit_probabilities` for every set of :func:`analysis_sets`, under the three priors.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package (trials, effects and the pain MCID).

    Returns
    -------
    pandas.DataFrame
        analysis, comparator, trials, the columns of :func:`benefit_probabilities`, threshold_id.

    Raises
    ------
    ValueError
        If the package has no pain MCID (:func:`pain_mcid`).

    References
    ----------
    Röver C (2020). Bayesian random-effects meta-analysis using the bayesmeta R package.
    J Stat Softw 93(6) (the model); the priors: module docstring.
    """
    import pandas as pd

    mcid = pain_mcid(ds)
    frames = []
    for analysis, comp, trials in analysis_sets(ds):
        f = benefit_probabilities(trials["yi"], trials["vi"], threshold=float(mcid["value"]), favours="negative")
        f.insert(0, "trials", ", ".join(trials["label"]))
        f.insert(0, "comparator", comp)
        f.insert(0, "analysis", analysis)
        f["threshold_id"] = mcid["threshold_id"]
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def posterior_curves(yi, vi, *, threshold: float, favours: str = "negative", priors=None) -> dict:
    """Posterior densities of the mean benefit under each prior, for plotting.

    Parameters
    ----------
    yi, vi : array_like
        Per-trial effects as reported and their variances (same length).
    threshold : float
        The MCID, a positive number on the scale of ``yi``.
    favours : {'negative', 'positive'}
        Which sign of ``yi`` favours acupuncture (``negative`` for pain-score differences).
        Any value other than ``'negative'`` is read as ``'positive'``.
    priors : sequence of NamedPrior, optional
        Default :func:`default_priors` of ``threshold``.

    Returns
    -------
    dict
        prior name -> (grid, density, P(mu > threshold)): the grid of mean benefits (positive =
        acupuncture better, units of ``yi``), the posterior density on that grid, and the
        posterior probability that the mean benefit exceeds ``threshold``.

    Raises
    ------
    ValueError
        For a non-positive threshold (:func:`default_priors`), and as
        :func:`evidence_lib.meta.bayes.bayes_meta`.

    References
    ----------
    Röver C (2020). Bayesian random-effects meta-analysis using the bayesmeta R package.
    J Stat Softw 93(6) (the model); the priors: module docstring.
    """
    import numpy as np

    priors = default_priors(threshold) if priors is None else tuple(priors)
    b = np.asarray(yi, dtype=float) * (-1.0 if favours == "negative" else 1.0)
    out = {}
    for p in priors:
        res = bayes_meta(b, vi, tau_prior=p.tau_prior, mu_prior=p.mu_prior)
        out[p.name] = (res.mu_grid, res.mu_density, res.prob_above(float(threshold)))
    return out


def plain_words(row, *, intervention: str = "the intervention") -> str:
    """One sentence in plain words for a row of :func:`benefit_probabilities`.

    Parameters
    ----------
    row : Series or dict
        A row of :func:`benefit_probabilities` (or :func:`reanalyses`).
    intervention : str
        The intervention's name (the descriptor's ``review.intervention``).

    Returns
    -------
    str
        The chances printed by :func:`evidence_lib._values.chance_text` (``'99.2%'``,
        ``'81%'``, never a certain ``'100%'``).
    """
    return (f"Under the {row['prior']} prior, the chance that {intervention} helps at all is "
            f"{chance_text(row['p_benefit'])}, and the chance that its average benefit reaches the "
            f"{row['threshold']:g}-point clinically important difference is {chance_text(row['p_important'])} "
            f"(best guess {row['mean']:.1f} points, 95% credible interval {row['ci_low']:.1f} to {row['ci_high']:.1f}).")
