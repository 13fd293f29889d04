"""Re-pool a published meta-analysis from its per-trial data and compare with the published result.

A published pooled estimate (a row of ``pooled_results``) is reproduced from the trials
entered for it in ``trial_data``: effect sizes from arm data (n, mean, SD) where the
review printed them (:func:`evidence_lib.meta.effect_sizes.md` / ``smd``), else from the printed
estimate and 95% CI (:func:`evidence_lib.meta.effect_sizes.from_ci`), then pooled with
:func:`evidence_lib.meta.pool`.

The default estimator is DerSimonian-Laird with a Wald (z) interval, which is what Review
Manager's "IV, Random" analyses use (DerSimonian & Laird 1986; the RevMan 5 statistical
algorithms document, Deeks & Higgins 2010). A published Cochrane analysis should therefore
be matched to the printed rounding, and any larger difference has a reason worth stating
(different estimator, imputed SDs, change scores mixed with final values, a multi-arm
trial split differently).
"""

from __future__ import annotations

from evidence_lib.vocab import ENGINE_RATIO_MEASURES

import math
from dataclasses import dataclass

from evidence_lib._values import is_number, printed_decimals

#: Printed values are rounded; a difference within half a unit of the last printed digit
#: (plus float noise) counts as an exact reproduction.
_NOISE = 1e-9
_Z975 = 1.959963984540054
_RATIOS = ENGINE_RATIO_MEASURES


def _printed_decimals(published: dict) -> dict:
    """Decimals per published statistic. The estimate and its CI limits are printed to one
    precision, so they share the largest; the rest use their own."""
    # decimals as stored (a printed trailing zero, 3.40, reads as 3.4); 0 for exponent notation
    d = {name: printed_decimals(v, most=17) or 0 for name, v in published.items()}
    shared = [d[n] for n in ("estimate", "ci_low", "ci_high") if n in d]
    for n in ("estimate", "ci_low", "ci_high"):
        if n in d:
            d[n] = max(shared)
    d["k"] = 0
    return d


@dataclass(frozen=True)
class Reproduction:
    """Our pooling of one published analysis next to the published numbers.

    Attributes
    ----------
    analysis_id : str
        Row of ``pooled_results``.
    method : str
        Estimator used (``"DL"`` by default, as Review Manager).
    published : dict
        Published estimate, ci_low, ci_high, i2, tau2, q, z (absent values are None).
    ours : MetaResult
        Our pooled result (:class:`evidence_lib.meta.MetaResult`).
    trials : DataFrame
        One row per trial: label, yi, vi, ci_low, ci_high, our weight and the printed weight.
    """

    analysis_id: str
    method: str
    published: dict
    ours: object
    trials: object

    def to_frame(self):
        """One row per statistic: published, ours, difference, and whether they agree to the printed rounding.

        z is the signed Wald statistic (negative when the pooled estimate is below no effect);
        the published z, which Review Manager prints without its sign, takes the sign of the
        published estimate, so that one sign is shown everywhere.
        """
        import pandas as pd

        ours = {"estimate": self.ours.estimate, "ci_low": self.ours.ci_low, "ci_high": self.ours.ci_high,
                "i2": self.ours.i2, "tau2": self.ours.tau2, "q": self.ours.q, "z": self.ours.statistic,
                "k": self.ours.k}
        rows = []
        published = dict(self.published)
        if published.get("z") is not None:  # Review Manager prints |Z|: signed here by the published estimate
            ratio = getattr(self.trials, "attrs", {}).get("measure") in _RATIOS
            est = published.get("estimate")
            below = est is not None and est < (1.0 if ratio else 0.0)
            published["z"] = -abs(float(published["z"])) if below else abs(float(published["z"]))
        decimals = _printed_decimals(self.published)
        for name in ("estimate", "ci_low", "ci_high", "tau2", "i2", "q", "z", "k"):
            pub = published.get(name)
            if pub is None:
                continue
            d = decimals[name]
            tol = 0.5 * 10 ** (-d) + _NOISE
            diff = ours[name] - float(pub)
            rows.append({"statistic": name, "published": float(pub), "ours": ours[name], "difference": diff,
                         "printed_decimals": d, "agrees_to_rounding": abs(diff) <= tol})
        return pd.DataFrame(rows)

    @property
    def agrees(self) -> bool:
        """True when every published statistic is matched to its printed rounding."""
        return bool(self.to_frame()["agrees_to_rounding"].all())

    def summary(self) -> str:
        """A sentence for notebooks and the report (rounded as published)."""
        f = self.to_frame().set_index("statistic")
        d = int(f.loc["estimate", "printed_decimals"]) if "estimate" in f.index else 2
        o = self.ours
        s = (f"{self.analysis_id}: published {self.published['estimate']:.{d}f} "
             f"({self.published.get('ci_low', float('nan')):.{d}f} to {self.published.get('ci_high', float('nan')):.{d}f}); "
             f"re-pooled from {o.k} trials with {self.method}: {o.estimate:.{d}f} ({o.ci_low:.{d}f} to {o.ci_high:.{d}f}), "
             f"tau2 {o.tau2:.2f}, I2 {o.i2:.0f}%, Q {o.q:.2f} on {o.q_df:g} df, z {o.statistic:.2f}. ")
        if self.agrees:
            s += "Every published statistic is reproduced to its printed rounding."
        else:
            off = f[~f["agrees_to_rounding"]]
            s += ("Not reproduced to rounding: " + ", ".join(
                f"{k} (published {r.published:g}, ours {r.ours:.4g})" for k, r in off.iterrows()) + ".")
        return s


def trial_rows(ds, analysis_id: str):
    """The trials of a published analysis, each as an effect size on the pooling scale.

    Arm data (n, mean, SD) are used where the review printed them, through
    :func:`evidence_lib.meta.effect_sizes.md` or ``smd`` (as Review Manager computes them);
    otherwise the printed estimate and 95% CI, through
    :func:`evidence_lib.meta.effect_sizes.from_ci` (log scale for ratios). Rows with neither are
    left out.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    analysis_id : str
        A ``trial_data.analysis_id``; an id without rows gives an empty frame.

    Returns
    -------
    DataFrame
        label, yi, vi, ci_low, ci_high (pooling scale), n_i, n_c, weight_printed, from;
        the measure is in ``.attrs["measure"]``.
    """
    import pandas as pd

    from evidence_lib.meta import effect_sizes as es

    td = ds.trial_data[ds.trial_data["analysis_id"] == analysis_id].reset_index(drop=True)
    pr = ds.pooled_results[ds.pooled_results["analysis_id"] == analysis_id]
    measure = str(td["measure"].iloc[0]) if len(td) else (str(pr["measure"].iloc[0]) if len(pr) else "MD")
    out = []
    for r in td.itertuples(index=False):
        arms = all(is_number(v) for v in (r.mean_i, r.sd_i, r.n_intervention, r.mean_c, r.sd_c, r.n_control))
        if arms and measure in ("MD", "SMD"):
            f = es.md if measure == "MD" else es.smd
            e = f(r.mean_i, r.sd_i, int(r.n_intervention), r.mean_c, r.sd_c, int(r.n_control))
            src = "arm data"
        elif all(is_number(v) for v in (r.estimate, r.ci_low, r.ci_high)):
            e = es.from_ci([r.estimate], [r.ci_low], [r.ci_high], measure=measure)
            src = "printed estimate and CI"
        else:
            continue
        yi, vi = float(e.yi[0]), float(e.vi[0])
        half = _Z975 * math.sqrt(vi)
        out.append({"label": r.study_label, "yi": yi, "vi": vi, "ci_low": yi - half, "ci_high": yi + half,
                    "n_i": r.n_intervention, "n_c": r.n_control, "weight_printed": r.weight_percent, "from": src})
    rows = pd.DataFrame(out, columns=["label", "yi", "vi", "ci_low", "ci_high", "n_i", "n_c", "weight_printed", "from"])
    rows.attrs["measure"] = measure
    return rows


def reproduce(ds, analysis_id: str, *, method: str = "DL", ci: str = "wald"):
    """Re-pool the trials of a published analysis and compare with its published result.

    Parameters
    ----------
    ds : Dataset
        The loaded data package.
    analysis_id : str
        A ``pooled_results`` row with ``trial_data`` rows (see :func:`trial_rows`).
    method : str
        Between-study variance estimator, passed to :func:`evidence_lib.meta.pool`
        (``"DL"``, ``"REML"``, ... as that function allows).
    ci : str
        Confidence-interval method, passed to :func:`evidence_lib.meta.pool` (``"wald"`` or
        ``"hksj"``, ...). The default (DL, Wald) is Review Manager's random-effects model.

    Returns
    -------
    Reproduction
        Our pooled result, the published statistics and the trial rows (ratios back on
        their natural scale) with our weights.

    Raises
    ------
    KeyError
        If the analysis is unknown.
    ValueError
        If it has fewer than two usable trials, and as :func:`evidence_lib.meta.pool`
        for an unknown ``method`` or ``ci``.

    References
    ----------
    DerSimonian R, Laird N (1986) Meta-analysis in clinical trials. Control Clin Trials
    7:177-188 (the default random-effects model).
    """
    import numpy as np

    from evidence_lib.meta import pool

    pr = ds.pooled_results[ds.pooled_results["analysis_id"] == analysis_id]
    if pr.empty:
        raise KeyError(f"pooled_results has no analysis {analysis_id!r}")
    row = pr.iloc[0]
    trials = trial_rows(ds, analysis_id)
    if len(trials) < 2:
        raise ValueError(f"analysis {analysis_id!r} has {len(trials)} usable trial rows; at least 2 are needed")
    res = pool(trials["yi"].to_numpy(), trials["vi"].to_numpy(), method=method, ci=ci,
               labels=list(trials["label"]))
    trials["weight_ours"] = np.asarray(res.weights, dtype=float)
    if trials.attrs["measure"] in _RATIOS:
        trials[["yi", "ci_low", "ci_high"]] = np.exp(trials[["yi", "ci_low", "ci_high"]])

    published = {name: float(row[name]) for name in ("estimate", "ci_low", "ci_high", "i2", "tau2", "q", "z", "k")
                 if name in row.index and is_number(row[name])}
    return Reproduction(analysis_id=analysis_id, method=method + (" + HKSJ" if ci == "hksj" else ""),
                        published=published, ours=res, trials=trials)


def reproducible_analyses(ds) -> list[str]:
    """Published analyses with at least two trial rows, by id.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.

    Returns
    -------
    list of str
        ``analysis_id`` values with two or more ``trial_data`` rows, sorted.
    """
    counts = ds.trial_data.groupby("analysis_id").size()
    return sorted(a for a, n in counts.items() if n >= 2)


def main_analysis(ds) -> str | None:
    """The published analysis the build re-pools and shows first, or None.

    Rule: among analyses with at least 2 usable ``trial_data`` rows, prefer pain outcomes,
    then sham controls, then the most trials, then the ``analysis_id`` (alphabetical).

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    str or None
        An ``analysis_id`` of ``pooled_results``.
    """
    if len(ds.trial_data) == 0 or len(ds.pooled_results) == 0:
        return None
    cands = []
    have = set(ds.trial_data["analysis_id"])
    for r in ds.pooled_results.itertuples(index=False):
        if r.analysis_id not in have:
            continue
        k = len(trial_rows(ds, r.analysis_id))
        if k >= 2:
            cands.append((r.outcome != "pain", r.comparator_class != "sham", -k, r.analysis_id))
    return min(cands)[3] if cands else None
