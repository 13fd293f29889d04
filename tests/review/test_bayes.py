"""review.bayes: the model applied to the bundled data, the MCID read from thresholds.csv."""

from __future__ import annotations

import math

import numpy as np
import pytest

from evidence_lib.meta import bayes_meta
from evidence_lib.review import bayes as rb


def test_mcid_comes_from_the_thresholds_table(ds):
    row = rb.pain_mcid(ds)
    t = ds.thresholds.set_index("threshold_id")
    assert row["kind"] == "mcid_between_group"
    assert float(row["value"]) == float(t.loc[row["threshold_id"], "value"])


def test_mcid_follows_an_edited_table(data_copy):
    import evidence_lib as ev

    names, rows = data_copy.rows("thresholds")
    i = next(i for i, r in enumerate(rows) if r["instrument"] == rb.PAIN_0_100_INSTRUMENT)
    data_copy.edit("thresholds", i, value="12")
    assert float(rb.pain_mcid(ev.load(data_copy.root))["value"]) == 12.0


def test_priors_say_what_they_claim():
    from scipy import stats

    scep, neut, enth = rb.default_priors(15.0)
    assert (scep.name, neut.name, enth.name) == ("sceptical", "neutral", "enthusiastic")
    _, m, s = scep.mu_prior
    assert stats.norm.sf(15.0, m, s) == pytest.approx(0.05, abs=1e-12)
    _, m, s = enth.mu_prior
    assert stats.norm.cdf(0.0, m, s) == pytest.approx(0.05, abs=1e-12)
    with pytest.raises(ValueError, match="threshold"):
        rb.default_priors(0)


def test_benefit_probabilities_flip_the_sign_and_match_the_model():
    y, v = [-10.4, -11.0, -9.8, -10.0], [66.1, 25.9, 23.4, 13.8]
    f = rb.benefit_probabilities(y, v, threshold=15.0, favours="negative")
    assert list(f["prior"]) == ["sceptical", "neutral", "enthusiastic"]
    neutral = rb.default_priors(15.0)[1]
    direct = bayes_meta(-np.asarray(y), v, tau_prior=neutral.tau_prior, mu_prior=neutral.mu_prior)
    row = f.set_index("prior").loc["neutral"]
    assert row["p_important"] == pytest.approx(direct.prob_above(15.0), abs=1e-12)
    assert row["mean"] > 0
    # the same data reported with the other sign give the same answer
    g = rb.benefit_probabilities(-np.asarray(y), v, threshold=15.0, favours="positive")
    np.testing.assert_allclose(g["p_important"], f["p_important"], atol=1e-12)
    # the sceptic is never more confident of an important benefit than the enthusiast
    assert f["p_important"].is_monotonic_increasing
    with pytest.raises(ValueError, match="favours"):
        rb.benefit_probabilities(y, v, threshold=15.0, favours="na")


def test_reanalyses_cover_the_cochrane_analysis_and_the_own_set(ds):
    res = rb.reanalyses(ds)
    assert set(res["prior"]) == {"sceptical", "neutral", "enthusiastic"}
    cochrane = res[res["analysis"].str.endswith("(reproduced)")]
    assert (cochrane["k"] == 4).all()
    # the reproduced analysis: a benefit is near certain, an important one unlikely, under every prior
    assert (cochrane["p_benefit"] > 0.95).all() and (cochrane["p_important"] < 0.2).all()
    own = res[~res["analysis"].str.endswith("(reproduced)")]
    assert own["k"].sum() == 3 * len(__import__("evidence_lib").review.views.pain_md_set(ds))
    assert (res["threshold_id"] == rb.pain_mcid(ds)["threshold_id"]).all()
    assert all(0 <= p <= 1 for p in res["p_important"])


def test_plain_words_and_figure_description(ds):
    from evidence_lib.plotting.bayes import describe_posterior_density, posterior_density
    import matplotlib

    matplotlib.use("Agg")
    row = rb.reanalyses(ds).iloc[0]
    text = rb.plain_words(row, intervention="the treatment")
    assert "sceptical" in text and "15-point" in text and "the treatment helps" in text
    _, _, trials = rb.analysis_sets(ds)[0]
    curves = rb.posterior_curves(trials["yi"], trials["vi"], threshold=15.0)
    ax = posterior_density(curves, threshold=15.0, threshold_label="MCID", xlabel="benefit",
                           better_label="better →")
    assert "better →" in ax.get_xlabel()
    alt = describe_posterior_density(curves, threshold=15.0, threshold_label="MCID")
    assert alt.count("probability beyond the threshold") == 3
    assert not math.isnan(curves["neutral"][2])
    with pytest.raises(ValueError, match="curves"):
        posterior_density({}, threshold=1.0, threshold_label="x", xlabel="x")
