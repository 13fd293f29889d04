"""Small constructed tables following data/datapackage.json, for plot tests and previews."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TRIAL_LABELS = [
    "Brinkhaus 2006 (ART)", "Haake 2007 (GERAC)", "Cherkin 2009", "Yuan 2009", "Itoh 2006",
    "Kerr 2003", "Leibing 2002", "Molsberger 2002", "Cho 2013", "Shankar 2011 (very long name)",
    "Hasegawa 2014", "Yun 2012 (arm A)", "Yun 2012 (arm B)", "Kennedy 2008", "Meng 2003",
    "Szczurko 2007", "Vas 2012", "Weiss 2013", "Pach 2013", "Comachio 2015",
    "Lee 2013", "Xu 2013", "Zaringhalam 2010", "Inoue 2006", "Sator-Katzenschlager 2004",
]


@dataclass(frozen=True)
class FakeResult:
    """Stand-in for evidence_lib.meta.MetaResult (the attributes forest_plot reads)."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    tau2: float
    i2: float
    q: float
    q_df: int
    q_pvalue: float
    k: int
    pvalue: float
    z: float = float("nan")


def trials(k=8, seed=1, groups=None):
    """k trials with MD on a 0-10 pain scale, CIs, n per arm and weights."""
    rng = np.random.default_rng(seed)
    n_i = rng.integers(20, 400, k)
    n_c = rng.integers(20, 400, k)
    se = 2.2 * np.sqrt(1 / n_i + 1 / n_c)
    yi = rng.normal(-0.6, 0.6, k)
    w = 1 / (se ** 2 + 0.05)
    df = pd.DataFrame({
        "label": TRIAL_LABELS[:k] if k <= len(TRIAL_LABELS) else [f"Trial {i + 1}" for i in range(k)],
        "yi": yi.round(2), "ci_low": (yi - 1.96 * se).round(2), "ci_high": (yi + 1.96 * se).round(2),
        "se": se, "n_i": n_i, "n_c": n_c, "weight": (100 * w / w.sum()).round(1),
    })
    if groups:
        df["group"] = [groups[i % len(groups)] for i in range(k)]
    return df


def result(df):
    from evidence_lib.forest import _dl_pool

    r = _dl_pool(df["yi"], df["se"] ** 2)
    return FakeResult(r.estimate, r.se, r.ci_low, r.ci_high, r.pi_low, r.pi_high, r.tau2, r.i2,
                      r.q, r.q_df, r.q_pvalue, r.k, r.pvalue, r.z)
