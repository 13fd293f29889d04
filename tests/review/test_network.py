"""The bundled trials' pain network (review/network.py) and its figures (plotting/network.py).

The selection is checked against the rows of data/arms.csv and data/effects.csv read
here directly; the fitted network is checked against a two-step computation by hand
(pairwise mean differences from the arm rows with escalc-style formulas).
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from evidence_lib.plotting import network as pn  # noqa: E402
from evidence_lib.review import network as rn  # noqa: E402


@pytest.fixture(scope="module")
def ds():
    import evidence_lib as ev

    return ev.load()


def test_arms_come_from_the_data(ds):
    arms = rn.pain_network_arms(ds)
    assert set(arms["study"]) == {"haake2007", "brinkhaus2006"}
    raw = ds.arms.set_index("arm_id")
    gerac = arms[arms["study"] == "haake2007"]
    assert set(gerac["timepoint_weeks"]) == {6.0}
    # GERAC reports follow-up CPGS scores, higher = worse: kept as they are
    assert not gerac["negated"].any()
    assert gerac.set_index("treatment").loc["sham", "mean"] == raw.loc["haake2007-cpgs-sham-6w", "mean"]
    # ART reports decreases (positive = improvement): negated
    art = arms[arms["study"] == "brinkhaus2006"].set_index("treatment")
    assert art["negated"].all()
    assert art.loc["intervention", "mean"] == -raw.loc["brinkhaus2006-pain-acu-8w", "mean"]
    assert set(arms["treatment"]) == {"intervention", "sham", "conventional_therapy", "no_treatment"}


def test_waiting_list_variance_is_derived_from_the_published_difference(ds):
    arms = rn.pain_network_arms(ds).set_index(["study", "treatment"])
    e = ds.effects.set_index("effect_id").loc["brinkhaus2006-pain-wl-8w"]
    acu = ds.arms.set_index("arm_id").loc["brinkhaus2006-pain-acu-8w"]
    se_md = (e["ci_high"] - e["ci_low"]) / (2 * 1.959963984540054)
    expected = math.sqrt(se_md**2 - acu["sd"] ** 2 / acu["n"])
    assert arms.loc[("brinkhaus2006", "no_treatment"), "se"] == pytest.approx(expected)
    assert "derived" in arms.loc[("brinkhaus2006", "no_treatment"), "origin"]


def test_inclusion_says_why_each_trial_is_out(ds):
    inc = rn.pain_network_inclusion(ds).set_index("source_id")
    assert inc.loc["witt2006", "reason"] == "no pain values per arm recorded"
    assert "SD not recorded" in inc.loc["kong2020", "arms_left_out"]
    assert inc.loc["cherkin2009", "reason"].startswith("no short-term visit")
    assert inc.loc["haake2007", "reason"] == "enters"


def test_network_matches_a_hand_computation(ds):
    """Under FE the conventional-therapy and waiting-list arms have no evidence but their own
    trial, so they take their contrasts exactly and the sham-vs-acupuncture estimate is the
    plain inverse-variance mean of the two trials' sham-minus-acupuncture differences."""
    res = rn.pain_network(ds, method="FE")
    assert res.measure == "MD" and res.reference == "intervention"
    a = ds.arms.set_index("arm_id")
    g_s, g_a = a.loc["haake2007-cpgs-sham-6w"], a.loc["haake2007-cpgs-verum-6w"]
    b_s, b_a = a.loc["brinkhaus2006-pain-min-8w"], a.loc["brinkhaus2006-pain-acu-8w"]
    y1, v1 = g_s["mean"] - g_a["mean"], g_s["sd"] ** 2 / g_s["n"] + g_a["sd"] ** 2 / g_a["n"]
    y2, v2 = -(b_s["mean"] - b_a["mean"]), b_s["sd"] ** 2 / b_s["n"] + b_a["sd"] ** 2 / b_a["n"]
    w1, w2 = 1 / v1, 1 / v2
    assert res.effects.loc["sham", "estimate"] == pytest.approx((w1 * y1 + w2 * y2) / (w1 + w2), rel=1e-10)
    assert res.effects.loc["sham", "se"] == pytest.approx(math.sqrt(1 / (w1 + w2)), rel=1e-10)


def test_section_for_the_report(ds):
    s = rn.network_section(ds)
    assert "Brinkhaus 2006" in s.summary and "Haake 2007" in s.summary
    assert "Witt 2006" in s.summary
    assert all(hasattr(t, "columns") for t in s.tables.values())
    assert any("League" in k for k in s.tables)


def test_figures_and_alt_text(ds):
    res = rn.pain_network(ds)
    nodes, edges = res.participants().reset_index(), res.edges()
    labels = {t: rn.treatment_label(t, intervention="acupuncture") for t in res.treatments}
    ax = pn.network_graph(nodes, edges, labels=labels)
    assert len(ax.collections) == len(nodes)
    txt = pn.describe_network_graph(nodes, edges, labels=labels)
    assert "no treatment (n not reported)" in txt and "acupuncture-sham (2 studies)" in txt
    eff = res.effects.reset_index()
    ax = pn.network_forest(eff, reference=res.reference, labels=labels, xlabel="MD")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["conventional therapy", "no treatment", "sham"]
    assert "against acupuncture" in pn.describe_network_forest(eff, reference=res.reference, labels=labels)
    empty = pn.network_forest(eff[eff.treatment == res.reference], reference=res.reference)
    assert not empty.get_xticks().size
    import matplotlib.pyplot as plt

    plt.close("all")
