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
    from evidence_lib.meta import pool

    r = pool(df["yi"], df["se"] ** 2, method="DL")
    return FakeResult(r.estimate, r.se, r.ci_low, r.ci_high, r.pi_low, r.pi_high, r.tau2, r.i2,
                      r.q, int(r.q_df), r.q_pvalue, r.k, r.pvalue, r.statistic)


def effects():
    """effects rows: pain MD on 0-10 scale at several timepoints for 4 trials."""
    rows = []
    spec = {"haake2007": [(26, -0.9, 0.3)], "brinkhaus2006": [(8, -1.2, 0.35), (26, -0.6, 0.4), (52, -0.3, 0.45)],
            "cherkin2009": [(8, -0.8, 0.3), (26, -0.5, 0.35), (52, -0.4, 0.4)],
            "witt2006": [(13, -1.5, 0.25), (26, -1.1, 0.3)]}
    from evidence_lib.terms import term_for_weeks

    for sid, pts in spec.items():
        for w, e, se in pts:
            rows.append({"effect_id": f"{sid}-pain-w{w}", "source_id": sid, "population": "chronic low back pain",
                         "comparison": "acupuncture vs usual care", "comparator_class": "usual_care",
                         "outcome": "pain", "instrument": "0-10 NRS", "timepoint": f"{w} weeks",
                         "timepoint_weeks": float(w), "term": term_for_weeks(w), "measure": "MD",
                         "estimate": e, "ci_low": round(e - 1.96 * se, 2), "ci_high": round(e + 1.96 * se, 2),
                         "p_value": None, "n_intervention": 100, "n_control": 100, "favours": "negative",
                         "location": "Table 2", "url": "https://example.org", "status": "verified", "notes": None})
    return pd.DataFrame(rows)


def adverse_events():
    rows = [("witt2011", "any", 8.6 / 100, 0.083, 0.089, "per_patient", "Any adverse event"),
            ("witt2011", "bleeding_haematoma", 0.061, 0.058, 0.064, "per_patient", "Bleeding or haematoma"),
            ("melchart2004", "any", 0.071, 0.069, 0.073, "per_treatment", "Minor events"),
            ("melchart2004", "serious", 0.024, 0.0, 0.14, "per_10000_treatments", "Serious events"),
            ("witt2009", "pneumothorax", 0.9, 0.2, 2.6, "per_10000_patients", "Pneumothorax")]
    return pd.DataFrame([{"ae_id": f"{s}-{t}-{i}", "source_id": s, "ae_type": t, "events": None, "denominator": None,
                          "unit": u, "estimate": e, "ci_low": lo, "ci_high": hi, "label": lab,
                          "location": "abstract", "url": "https://example.org", "status": "verified"}
                         for i, (s, t, e, lo, hi, u, lab) in enumerate(rows)])


def protocols():
    rows = [("haake2007", "10", "2", "5", "30"), ("brinkhaus2006", "12", "1-2", "8", "30"),
            ("cherkin2009", "10", "2", "7", "20"), ("yuan2009", "10", "2", "5", "25-30"),
            ("itoh2006", "10", "1", "10", "15")]
    return pd.DataFrame([{"protocol_id": f"{s}-acu", "source_id": s, "arm": "intervention", "sessions_total": t,
                          "sessions_per_week": pw, "weeks": w, "minutes_per_session": m, "needles": None,
                          "location": "Methods", "url": "https://example.org", "status": "verified"}
                         for s, t, pw, w, m in rows])


def claims_links_sources():
    """14 claims with verdicts/certainty, their links and sources of varied design and subjects."""
    verdicts = ["supported", "supported_with_caveats", "overstated", "unsupported", "contradicted", "not_checkable",
                "supported", "overstated", "overstated", "supported_with_caveats", "unsupported", "not_checkable",
                "supported", "contradicted"]
    certs = ["moderate", "low", "low", "very_low", "moderate", "none", "high", "low", "very_low", "moderate",
             "very_low", "none", "moderate", "low"]
    claims = pd.DataFrame({"claim_id": [f"C{i + 1:02d}" for i in range(14)], "category": "efficacy",
                           "verdict": verdicts, "certainty": certs})
    sources = pd.DataFrame([
        {"source_id": "haake2007", "design": "rct", "subjects": "chronic low back pain"},
        {"source_id": "mu2020", "design": "cochrane_review", "subjects": "chronic low back pain"},
        {"source_id": "witt2009", "design": "observational", "subjects": "low back pain"},
        {"source_id": "vickers2018", "design": "ipd_meta_analysis", "subjects": "mixed chronic pain"},
        {"source_id": "napadow2009", "design": "healthy_volunteer", "subjects": "healthy volunteers"},
        {"source_id": "zhao2008", "design": "animal", "subjects": "animals"},
    ])
    link = [("C01", "mu2020"), ("C02", "haake2007"), ("C03", "vickers2018"), ("C04", "napadow2009"),
            ("C05", "mu2020"), ("C07", "mu2020"), ("C08", "zhao2008"), ("C09", "napadow2009"),
            ("C10", "witt2009"), ("C11", "zhao2008"), ("C13", "haake2007"), ("C14", "vickers2018"),
            ("C14", "witt2009")]
    links = pd.DataFrame([{"claim_id": c, "source_id": s, "role": "supports"} for c, s in link])
    return claims, links, sources


def filled_dataset(ds, k=8):
    """The bundled Dataset with its evidence tables replaced by constructed rows of the right shape."""
    import dataclasses

    tr = trials(k, seed=3)
    sources = pd.DataFrame([{"source_id": s, "first_author": a, "year": y, "title": "t", "design": d,
                             "subjects": sub, "url": "https://example.org"}
                            for s, a, y, d, sub in [
                                ("mu2020", "Mu J", 2020, "cochrane_review", "chronic low back pain"),
                                ("haake2007", "Haake M", 2007, "rct", "chronic low back pain"),
                                ("brinkhaus2006", "Brinkhaus B", 2006, "rct", "chronic low back pain"),
                                ("cherkin2009", "Cherkin DC", 2009, "rct", "chronic low back pain"),
                                ("witt2006", "Witt CM", 2006, "rct", "chronic low back pain"),
                                ("witt2011", "Witt CM", 2011, "observational", "acupuncture patients"),
                                ("melchart2004", "Melchart D", 2004, "observational", "acupuncture patients"),
                                ("witt2009", "Witt CM", 2009, "observational", "acupuncture patients"),
                                ("yuan2009", "Yuan J", 2009, "rct", "chronic low back pain"),
                                ("itoh2006", "Itoh K", 2006, "rct", "chronic low back pain")]])
    trial_data = pd.DataFrame({"analysis_id": "mu2020-sham-pain-short", "source_id": "mu2020",
                               "study_label": tr["label"], "study_year": 2006, "measure": "MD",
                               "estimate": tr["yi"], "ci_low": tr["ci_low"], "ci_high": tr["ci_high"],
                               "n_intervention": tr["n_i"], "n_control": tr["n_c"],
                               "mean_i": None, "sd_i": None, "mean_c": None, "sd_c": None,
                               "weight_percent": tr["weight"], "location": "Analysis 1.1",
                               "url": "https://example.org", "status": "verified", "notes": None})
    pooled = pd.DataFrame([{"analysis_id": "mu2020-sham-pain-short", "source_id": "mu2020",
                            "description": "Pain vs sham, short term", "comparator_class": "sham", "outcome": "pain",
                            "term": "short", "measure": "MD", "k": k, "estimate": -0.6, "ci_low": -0.9,
                            "ci_high": -0.3}])
    thresholds = pd.DataFrame([{"threshold_id": "mcid-pain-md", "instrument": "0-10 NRS", "measure": "MD",
                                "value": 1.0, "kind": "mcid_between_group", "source_id": "mu2020"}])
    c, links, _ = claims_links_sources()
    # the Summary-of-Findings and risk-of-bias rows name bundled rows that the constructed tables lack
    sof, rob = ds.summary_of_findings.iloc[0:0], ds.risk_of_bias.iloc[0:0]
    return dataclasses.replace(ds, sources=sources, trial_data=trial_data, pooled_results=pooled,
                               summary_of_findings=sof, risk_of_bias=rob,
                               thresholds=thresholds, effects=effects(),
                               adverse_events=adverse_events().drop(columns=["label"]), protocols=protocols(),
                               claim_sources=pd.DataFrame({"claim_id": ["C01", "C02", "C03"],
                                                           "source_id": ["mu2020", "haake2007", "witt2011"],
                                                           "role": ["supports", "supports", "qualifies"]}))
