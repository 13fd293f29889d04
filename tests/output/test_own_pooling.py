"""The own-pooling figure: a one-trial comparison is its trial, the prediction interval does not
set the axis, the threshold band stays on the rows it applies to, and each row says its visit.

References are computed here by hand from the raw CSV values in data/ (DerSimonian-Laird,
Higgins, Thompson & Spiegelhalter 2009 eq. 12 with the closed-form t quantile on 1 df),
never taken from the package's output.
"""

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from evidence_lib.output import figure_data as fd  # noqa: E402
from evidence_lib.plotting import forest_plot  # noqa: E402
from tests import fixtures as fx  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "data"
Z = 1.959963984540054
MINUS = "\u2212"


def _effect(effect_id):
    e = pd.read_csv(DATA / "effects.csv").set_index("effect_id").loc[effect_id]
    s = -1.0 if e["favours"] == "positive" else 1.0         # re-signed: negative = less pain with acupuncture
    lo, hi = sorted((s * e["ci_low"], s * e["ci_high"]))
    return s * e["estimate"], lo, hi


def _figure_texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_a_one_trial_comparison_is_the_trial_as_printed(ds):
    # Brinkhaus 2006 vs waiting list, read straight from effects.csv: 21.7 [13.9, 30.0], favouring acupuncture.
    est, lo, hi = _effect("brinkhaus2006-pain-wl-8w")
    assert (est, lo, hi) == (-21.7, -30.0, -13.9)
    o = fd.own_inputs(ds)
    r = o["results"]["vs no acupuncture / waiting list"]
    # before the fix the CI was re-derived from a variance recovered from this asymmetric CI: [-29.75, -13.65]
    assert (r.estimate, r.ci_low, r.ci_high, r.k) == pytest.approx((est, lo, hi, 1))
    from evidence_lib.output.figures import _own_describe, _own_figure

    texts = _figure_texts(_own_figure(ds))
    assert not any(t.startswith("Subtotal (1 study)") for t in texts)
    assert texts.count(f"{MINUS}21.7 [{MINUS}30.0, {MINUS}13.9]") == 1 and not any("29.8" in t for t in texts)
    assert f"no pooling (Brinkhaus 2006: {MINUS}21.7 (95% CI {MINUS}30.0 to {MINUS}13.9))" in _own_describe(ds)


def _hand_dl(y, v):
    w = [1 / x for x in v]
    mu_fe = sum(wi * yi for wi, yi in zip(w, y)) / sum(w)
    q = sum(wi * (yi - mu_fe) ** 2 for wi, yi in zip(w, y))
    c = sum(w) - sum(wi ** 2 for wi in w) / sum(w)
    tau2 = max(0.0, (q - (len(y) - 1)) / c)
    ws = [1 / (x + tau2) for x in v]
    mu = sum(wi * yi for wi, yi in zip(ws, y)) / sum(ws)
    return mu, (1 / sum(ws)) ** 0.5, tau2


def test_sham_prediction_interval_is_printed_but_does_not_set_the_axis(ds):
    b, bl, bh = _effect("brinkhaus2006-pain-sham-8w")
    k, kl, kh = _effect("kennedy2008-worstvas-3m")
    arms = pd.read_csv(DATA / "arms.csv").set_index("arm_id")
    acu, sham = arms.loc["haake2007-cpgs-verum-6w"], arms.loc["haake2007-cpgs-sham-6w"]
    h = acu["mean"] - sham["mean"]                           # CPGS: higher = worse, so negative favours acupuncture
    hv = acu["sd"] ** 2 / acu["n"] + sham["sd"] ** 2 / sham["n"]
    y = [b, h, k]
    v = [((bh - bl) / (2 * Z)) ** 2, hv, ((kh - kl) / (2 * Z)) ** 2]
    mu, se, tau2 = _hand_dl(y, v)
    t1 = math.tan(math.pi * (0.975 - 0.5))                   # t quantile on 1 df (Cauchy), 12.706
    pi = (mu - t1 * (tau2 + se ** 2) ** 0.5, mu + t1 * (tau2 + se ** 2) ** 0.5)
    r = fd.own_inputs(ds)["results"]["vs sham acupuncture"]
    assert (r.estimate, r.tau2, r.pi_low, r.pi_high) == pytest.approx((mu, tau2, *pi), rel=1e-6)
    from evidence_lib.output.figures import _own_figure

    fig = _own_figure(ds)
    ax = fig.axes[0]
    texts = _figure_texts(fig)
    assert f"[{MINUS}{abs(pi[0]):.1f}, {pi[1]:.1f}]" in texts               # [−66.7, 56.9]
    x0, x1 = ax.get_xlim()
    assert x0 > pi[0] and x1 < pi[1]                          # the axis is not stretched to the PI ...
    assert x0 <= min(kl, bl, -15) and x1 >= max(bh, 15)        # ... but holds every CI and the band
    heads = {line.get_marker() for line in ax.lines}
    assert {"<", ">"} <= heads                                # both cut ends drawn with arrow heads
    assert any("runs beyond the axis" in n for n in fd.own_inputs(ds)["notes"])


def test_the_band_is_shaded_only_on_rows_with_a_threshold(ds):
    from evidence_lib.output.figures import _own_figure

    o = fd.own_inputs(ds)
    t = o["trials"]
    assert dict(zip(t["instrument_short"], t["in_band"])) == {"VAS": True, "CPGS pain score": True,
                                                             "VAS worst pain": False}
    ax = _own_figure(ds).axes[0]
    row = {txt.get_text(): txt.get_position()[1] for txt in ax.texts}
    bands = [c.get_paths()[0].get_extents() for c in ax.collections if isinstance(c, PolyCollection)]
    kennedy = [y for txt, y in row.items() if txt == "Kennedy 2008"]
    assert bands and kennedy
    for y in kennedy:
        assert not any(b.y0 < y < b.y1 for b in bands), "the band runs through Kennedy's row"
    brinkhaus = [txt.get_position()[1] for txt in ax.texts if txt.get_text() == "Brinkhaus 2006"]
    assert all(any(b.y0 < y < b.y1 for b in bands) for y in brinkhaus)
    assert "no threshold for VAS worst pain (Kennedy 2008)" in o["band_note"]


def test_each_row_says_its_instrument_and_why_that_week(ds):
    o = fd.own_inputs(ds)
    t = o["trials"].set_index(["label", "group"])
    assert t.loc[("Haake 2007", "vs sham acupuncture"), "visit"] == "6 (first of 6, 13, 26)"
    assert t.loc[("Kennedy 2008", "vs sham acupuncture"), "instrument_short"] == "VAS worst pain"
    note = next(n for n in o["notes"] if n.startswith("Week:"))
    assert "first visit up to 13 weeks" in note and "Haake 2007 vs sham acupuncture: weeks 13, 26" in note
    assert any("standardised mean difference" in n for n in o["notes"])


def test_threshold_rows_and_cut_prediction_interval_in_the_plot_function():
    df = fx.trials(4)
    df["in_band"] = [True, False, True, True]
    import dataclasses

    wide = dataclasses.replace(fx.result(df), pi_low=-50.0, pi_high=50.0)
    ax = forest_plot(df, pooled=wide, threshold=0.5, threshold_rows="in_band", min_k_prediction=3)
    lo, hi = ax.get_xlim()
    assert lo > -50 and hi < 50
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2                                   # rows 1 and 3-4: two runs, the diamond not shaded
