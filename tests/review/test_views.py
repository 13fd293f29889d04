"""The per-area views of evidence_lib.review.views, checked against the numbers as printed in the sources."""

from __future__ import annotations

import math

import pytest

import evidence_lib as ev
from evidence_lib.review import views as analyses


@pytest.fixture(scope="module")
def ds():
    return ev.load()


def test_arm_differences_follow_escalc(ds):
    # GERAC Table 6, CPGS pain at 6 weeks: verum 48.6 (SD 18.5, n 370), sham 51.0 (SD 18.7, n 375)
    d = analyses.arm_differences(ds, "haake2007", instrument="CPGS", control_arm="sham")
    r = d[d["timepoint_weeks"] == 6].iloc[0]
    se = math.sqrt(18.5 ** 2 / 370 + 18.7 ** 2 / 375)
    assert r["estimate"] == pytest.approx(48.6 - 51.0)
    assert r["ci_low"] == pytest.approx(-2.4 - 1.959963984540054 * se)
    assert r["favours"] == "negative" and r["benefit"] == pytest.approx(2.4)
    assert list(d["timepoint_weeks"]) == [6.0, 13.0, 26.0]          # baseline is not a comparison
    # HFAQ: higher is better, so a positive difference is a benefit
    f = analyses.arm_differences(ds, "haake2007", instrument="HFAQ", control_arm="conventional_therapy")
    assert (f["favours"] == "positive").all() and (f["benefit"] > 0).all()


def test_responder_rates_are_the_printed_percentages(ds):
    r = analyses.responder_rates(ds, "haake2007")
    six = r[r["timepoint_weeks"] == 26].set_index("arm")["estimate"].to_dict()
    # the paper's "verum acupuncture" arm, in readers' words (the descriptor's review.reader_terms)
    assert six == {"conventional therapy": 27.4, "sham acupuncture": 44.2, "acupuncture": 47.6}


def test_pooled_summary_puts_every_row_on_one_sign(ds):
    p = analyses.pooled_summary(ds).set_index("analysis_id")
    # Manheimer 2005 prints +0.54 for benefit; harmonised, benefit is negative
    assert p.loc["manheimer2005-sham-pain-short", "benefit_estimate"] == pytest.approx(-0.54)
    assert p.loc["manheimer2005-sham-pain-short", "benefit_ci_low"] == pytest.approx(-0.73)
    assert p.loc["mu2020-uc-pain-imm", "benefit_estimate"] == pytest.approx(-10.26)
    assert "madsen2009-placebo-vs-none" not in p.index              # not a test of acupuncture
    assert "madsen2009-placebo-vs-none" in analyses.pooled_summary(ds, intervention_only=False)["analysis_id"].values


def test_pain_md_set_signs_and_sources(ds):
    t = analyses.pain_md_set(ds).set_index(["source_id", "comparator_class"])
    # ART (Brinkhaus 2006) printed 5.1 (-3.7 to 13.9): a larger improvement with acupuncture, so re-signed
    b = t.loc[("brinkhaus2006", "sham")]
    assert (b["yi"], b["ci_low"], b["ci_high"]) == (-5.1, -13.9, 3.7)
    g = t.loc[("haake2007", "sham")]
    assert g["yi"] == pytest.approx(-2.4) and g["origin"].startswith("arms")
    assert (t["vi"] > 0).all() and (t["timepoint_weeks"] <= 13).all()


def test_arm_smd_set_respects_a_not_change_note(ds):
    s = analyses.arm_smd_set(ds).set_index("source_id")
    assert s.loc["haake2007", "yi"] < 0          # follow-up pain lower with verum: favours acupuncture
    assert s.loc["brinkhaus2006", "yi"] < 0      # larger improvement with verum: flipped to favour acupuncture


def test_trial_effects_over_time_reads_as_benefit_with_readers_names(ds):
    """It raised NameError (an undefined label table) on every call; now each row's sign follows its own
    ``favours`` and the series name says 'vs' and the comparator in words, never a code."""
    from evidence_lib.review.views import trial_effects_over_time

    e = trial_effects_over_time(ds)
    assert len(e) > 0
    for row in e.itertuples():
        sign = -1.0 if row.favours == "negative" else 1.0
        assert row.benefit == row.estimate * sign
        assert row.benefit_low <= row.benefit <= row.benefit_high
        assert " vs " in row.series and "_" not in row.series, row.series
