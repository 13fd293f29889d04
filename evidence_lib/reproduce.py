"""Re-pool a published meta-analysis from its per-trial data and compare with the published result.

A published pooled estimate (a row of ``pooled_results``) is reproduced from the trials
entered for it in ``trial_data``: effect sizes from arm data (n, mean, SD) where the
review printed them (:func:`evidence_lib.effect_sizes.md` / ``smd``), else from the printed
estimate and 95% CI (:func:`evidence_lib.effect_sizes.from_ci`), then pooled with
:func:`evidence_lib.meta.pool`.

The default estimator is DerSimonian-Laird with a Wald (z) interval, which is what Review
Manager's "IV, Random" analyses use (DerSimonian & Laird 1986; the RevMan 5 statistical
algorithms document, Deeks & Higgins 2010). A published Cochrane analysis should therefore
be matched to the printed rounding, and any larger difference has a reason worth stating
(different estimator, imputed SDs, change scores mixed with final values, a multi-arm
trial split differently).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._values import is_number

#: Printed values are rounded; a difference within half a unit of the last printed digit
#: (plus float noise) counts as an exact reproduction.
_NOISE = 1e-9


def _decimals(text_value) -> int:
    s = f"{text_value}"
    return len(s.split(".")[1]) if "." in s else 0


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
        """One row per statistic: published, ours, difference, and whether they agree to the printed rounding."""
        import pandas as pd

        ours = {"estimate": self.ours.estimate, "ci_low": self.ours.ci_low, "ci_high": self.ours.ci_high,
                "i2": self.ours.i2, "tau2": self.ours.tau2, "q": self.ours.q, "z": abs(self.ours.z_or_t),
                "k": self.ours.k}
        rows = []
        for name in ("estimate", "ci_low", "ci_high", "tau2", "i2", "q", "z", "k"):
            pub = self.published.get(name)
            if pub is None:
                continue
            d = 0 if name == "k" else _decimals(self.published.get(f"{name}_text", pub))
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
             f"tau2 {o.tau2:.2f}, I2 {o.i2:.0f}%, Q {o.q:.2f} on {o.q_df:g} df, z {abs(o.z_or_t):.2f}. ")
        if self.agrees:
            s += "Every published statistic is reproduced to its printed rounding."
        else:
            off = f[~f["agrees_to_rounding"]]
            s += ("Not reproduced to rounding: " + ", ".join(
                f"{k} (published {r.published:g}, ours {r.ours:.4g})" for k, r in off.iterrows()) + ".")
        return s

    def forest_data(self):
        """Trials in the shape :func:`evidence_lib.forest.forest_plot` takes (label, yi, ci, n, weights)."""
        return self.trials


def reproduce(ds, analysis_id: str, *, method: str = "DL", ci: str = "wald"):
    """Re-pool the trials of a published analysis and compare with its published result.

    Parameters
    ----------
    ds : Dataset
        The loaded data package.
    analysis_id : str
        A ``pooled_results`` row with ``trial_data`` rows.
    method, ci : str
        Passed to :func:`evidence_lib.meta.pool`; the default (DL, Wald) is Review
        Manager's random-effects model.

    Returns
    -------
    Reproduction

    Raises
    ------
    KeyError
        If the analysis is unknown; ValueError if it has fewer than two usable trials or
        is not a mean difference, SMD or ratio measure.
    """
    import numpy as np
    import pandas as pd

    from . import effect_sizes as es
    from .meta import pool

    pr = ds.pooled_results[ds.pooled_results["analysis_id"] == analysis_id]
    if pr.empty:
        raise KeyError(f"pooled_results has no analysis {analysis_id!r}")
    row = pr.iloc[0]
    td = ds.trial_data[ds.trial_data["analysis_id"] == analysis_id].reset_index(drop=True)
    measure = str(row["measure"])
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
        out.append({"label": r.study_label, "yi": yi, "vi": vi, "ci_low": yi - 1.959963984540054 * math.sqrt(vi),
                    "ci_high": yi + 1.959963984540054 * math.sqrt(vi), "n_i": r.n_intervention, "n_c": r.n_control,
                    "weight_printed": r.weight_percent, "from": src})
    trials = pd.DataFrame(out)
    if len(trials) < 2:
        raise ValueError(f"analysis {analysis_id!r} has {len(trials)} usable trial rows; at least 2 are needed")
    res = pool(trials["yi"].to_numpy(), trials["vi"].to_numpy(), method=method, ci=ci,
               labels=list(trials["label"]))
    trials["weight_ours"] = np.asarray(res.weights, dtype=float)
    if measure in ("RR", "OR"):
        trials[["yi", "ci_low", "ci_high"]] = np.exp(trials[["yi", "ci_low", "ci_high"]])

    published = {}
    for name in ("estimate", "ci_low", "ci_high", "i2", "tau2", "q", "z", "k"):
        if name in row.index and is_number(row[name]):
            published[name] = float(row[name])
    # printed precision: the estimate and CI share the decimals of the printed estimate
    text = _printed_text(ds, analysis_id)
    for name, t in text.items():
        if name in published:
            published[f"{name}_text"] = t
    return Reproduction(analysis_id=analysis_id, method=method + (" + HKSJ" if ci == "hksj" else ""),
                        published=published, ours=res, trials=trials)


def _printed_text(ds, analysis_id):
    """The published numbers as written in the CSV (to know how many decimals were printed)."""
    import csv

    path = getattr(ds, "root", None)
    if path is None:
        return {}
    from pathlib import Path

    f = Path(path) / "pooled_results.csv"
    if not f.exists():
        return {}
    with f.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r.get("analysis_id") == analysis_id:
                return {k: v for k, v in r.items() if k in ("estimate", "ci_low", "ci_high", "i2", "tau2", "q", "z")
                        and v not in ("", None)}
    return {}


def reproducible_analyses(ds) -> list[str]:
    """Published analyses with at least two trial rows and a stated DL-compatible model, by id."""
    counts = ds.trial_data.groupby("analysis_id").size()
    return sorted(a for a, n in counts.items() if n >= 2)
