"""A published pooled estimate, reproduced from its per-trial data.

Reference: the Cochrane review "Acupuncture and dry-needling for low back pain" (Furlan et
al., CD001351), Analysis 5.1 (acupuncture vs placebo or sham, chronic LBP; pain, lower is
better), subgroup "immediately after the end of the sessions", as printed on page 91 of the
review PDF (https://www.yumpu.com/en/document/view/24577889/acupuncture-and-dry-needling-for-low-back-pain-review/91).
The constants below were typed from that page, independently of this package's output:
a Review Manager "IV, Random" analysis of 4 trials.
"""

from __future__ import annotations

import pytest

import evidence_lib as ev
from evidence_lib.review.reproduce import reproduce, reproducible_analyses

AID = "furlan-cd001351-a5.1-pain-imm"

# Published (page 91): MD -10.21 [-14.99, -5.44]; Tau2 = 0.0; Chi2 = 0.03, df = 3; I2 = 0%; Z = 4.20
PUBLISHED = {"estimate": -10.21, "ci_low": -14.99, "ci_high": -5.44, "q": 0.03, "z": 4.20}
# Printed weights (%), to one decimal
PRINTED_WEIGHTS = {"Kerr 2003": 9.0, "Leibing 2002": 22.9, "Mendelson 1983": 25.3, "Molsberger 2002": 42.9}


@pytest.fixture(scope="module")
def bundled():
    return ev.load()


def test_the_data_package_holds_the_published_numbers(bundled):
    row = bundled.pooled_results.set_index("analysis_id").loc[AID]
    for name, value in PUBLISHED.items():
        assert float(row[name]) == pytest.approx(value, abs=1e-12), name
    assert int(row["k"]) == 4
    assert sorted(bundled.trial_data.loc[bundled.trial_data["analysis_id"] == AID, "study_label"]) == sorted(PRINTED_WEIGHTS)
    assert AID in reproducible_analyses(bundled)


def test_dersimonian_laird_reproduces_the_cochrane_estimate(bundled):
    rep = reproduce(bundled, AID)                    # DL + Wald, as RevMan's "IV, Random"
    o = rep.ours
    assert round(o.estimate, 2) == PUBLISHED["estimate"]
    assert round(o.ci_low, 2) == PUBLISHED["ci_low"]
    assert round(o.ci_high, 2) == PUBLISHED["ci_high"]
    assert round(o.q, 2) == PUBLISHED["q"]
    assert round(abs(o.statistic), 2) == PUBLISHED["z"]
    assert o.tau2 == 0.0 and o.i2 == 0.0             # clamped at zero, as printed
    assert o.q_df == 3
    ours = dict(zip(rep.trials["label"], rep.trials["weight_ours"]))
    for label, w in PRINTED_WEIGHTS.items():
        assert round(ours[label], 1) == w, label
    assert rep.agrees
    assert "reproduced to its printed rounding" in rep.summary()


def test_hartung_knapp_does_not_match_and_here_is_narrower(bundled):
    # Q/(k-1) = 0.012 < 1: the untruncated Hartung-Knapp variance shrinks below the Wald one
    # (the known anomaly metafor's test="adhoc" guards against), so the interval is narrower.
    rep = reproduce(bundled, AID, ci="hksj")
    assert rep.ours.estimate == pytest.approx(reproduce(bundled, AID).ours.estimate)
    assert rep.ours.ci_high - rep.ours.ci_low < 0.5 * (PUBLISHED["ci_high"] - PUBLISHED["ci_low"])
    assert not rep.agrees


def test_an_extraction_error_is_caught(data_copy):
    names, rows = data_copy.rows("trial_data")
    i = next(i for i, r in enumerate(rows) if r["analysis_id"] == AID and r["study_label"] == "Molsberger 2002")
    data_copy.edit("trial_data", i, sd_i="12")      # a mistyped SD (21 -> 12)
    rep = reproduce(ev.load(data_copy.root), AID)
    frame = rep.to_frame().set_index("statistic")
    assert not rep.agrees
    assert not frame.loc["estimate", "agrees_to_rounding"]
    assert "Not reproduced to rounding" in rep.summary()


def test_unknown_and_too_small_analyses(bundled):
    with pytest.raises(KeyError, match="no analysis"):
        reproduce(bundled, "no-such-analysis")
    one = bundled.trial_data.groupby("analysis_id").size()
    single = next(a for a, n in one.items() if n == 1)
    with pytest.raises(ValueError, match="at least 2"):
        reproduce(bundled, single)


def test_the_report_shows_the_reproduction(bundled, data_copy):
    from evidence_lib.output import report
    from evidence_lib.output.reproduction import reproductions

    def reproduction_html(ds):
        return report.render("reproduction.html.j2", reproductions=reproductions(ds))

    html = reproduction_html(bundled)
    assert "reproduced to its printed rounding" in html and "<strong>no</strong>" not in html
    names, rows = data_copy.rows("trial_data")
    i = next(i for i, r in enumerate(rows) if r["analysis_id"] == AID and r["study_label"] == "Kerr 2003")
    data_copy.edit("trial_data", i, mean_i="41.3")     # a mistyped mean shows up in the report
    assert "<strong>no</strong>" in reproduction_html(ev.load(data_copy.root))
