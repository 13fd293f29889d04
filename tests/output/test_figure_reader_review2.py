"""The second reader review's findings on the static figures (M8-M13, L1-L14), held on the
bundled data package: each test reads the drawn figure's own text or marks."""

import re
from pathlib import Path

import pandas as pd

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from evidence_lib.output.figures import en_dash_ranges  # noqa: E402
from tests.figure_helpers import draw_registered, figure_texts  # noqa: E402

STATIC = ("verdicts-by-category", "evidence-map", "review-estimates", "forest", "own-pooling", "funnel",
          "effects-over-time", "three-arm-responders", "safety-rates", "session-plans")


@pytest.mark.parametrize("name", STATIC)
def test_ranges_are_written_with_an_en_dash(ds, name):
    """L1: no "0-100" or "4-12" in any text of a static figure; the data keep their hyphens."""
    fig = draw_registered(ds, name)
    hyphenated = [t for t in figure_texts(fig) if re.search(r"\d-\d", t)]
    assert not hyphenated, hyphenated
    assert "0-100" in ds.effects["instrument"].str.cat(sep=" ")


def test_en_dash_pass_rewrites_ranges_only():
    fig, ax = plt.subplots()
    ax.set_title("VAS 0-100, 4-12 sessions, k\u22122 df, well-being, -3", loc="left")
    en_dash_ranges(fig)
    assert ax.get_title(loc="left") == "VAS 0\u2013100, 4\u201312 sessions, k\u22122 df, well-being, -3"


@pytest.mark.parametrize("name", ("evidence-map", "funnel", "session-plans", "review-estimates",
                                  "effects-over-time"))
def test_every_figure_has_a_bold_title(ds, name):
    """L5: a title inside the PNG (a bold text at the top)."""
    fig = draw_registered(ds, name)
    bold = [t for t in fig.findobj(Text) if t.get_text() and t.get_fontweight() in ("bold", 700)
            and t.get_window_extent().y0 > 0.9 * fig.bbox.height]
    assert bold, name


def test_funnel_caveat_is_not_in_alarm_red(ds):
    """L6: the routine caveat is dark grey."""
    fig = draw_registered(ds, "funnel")
    caveat = next(t for t in fig.findobj(Text) if "too few to judge asymmetry" in t.get_text())
    r, g, b, _ = matplotlib.colors.to_rgba(caveat.get_color())
    assert abs(r - g) < 0.05 and abs(g - b) < 0.05


def test_own_pooling_n_column_is_readable_and_explained(ds):
    """M8: "146 / –", never "n/a/n/a", and a note saying what the dash means, with no derived n."""
    texts = figure_texts(draw_registered(ds, "own-pooling"))
    assert not any("n/a" in t for t in texts)
    assert "146 / \u2013" in texts and "\u2013 / \u2013" in texts
    assert any(t.startswith("Dash (\u2013) in the n column") for t in texts)
    assert not any(re.fullmatch(r"\d+ / 79", t) for t in texts)       # no n worked out from a total
    assert any("participants analysed" in t for t in texts)


def test_article_plan_minimum_course_shows_no_more_sessions_than_the_minimum(ds):
    """M9: the reference plan's ticks are its minimum course at its lowest frequency."""
    from evidence_lib.output.figure_series import reference_plan

    plan = reference_plan(ds)
    fig = draw_registered(ds, "session-plans")
    ax = fig.axes[0]
    ticks = [ln for ln in ax.lines if ln.get_marker() == "|" and set(ln.get_ydata()) == {0}]
    assert len(ticks) == 1
    assert len(ticks[0].get_xdata()) == plan["weeks"][0] * plan["sessions_per_week"][0]
    assert max(ticks[0].get_xdata()) < plan["weeks"][0]


def test_a_trial_has_one_label_in_every_figure(ds):
    """M9/L9: the forest and the funnel name Leibing's trial as the sources table does (no year it lacks)."""
    from evidence_lib.review.views import source_labels

    label = source_labels(ds)["leibing2002"]
    for name in ("forest", "funnel", "session-plans"):
        texts = figure_texts(draw_registered(ds, name))
        assert label in texts, name
        assert not any(t.startswith("Leibing ") and t != label for t in texts), name


def test_effects_over_time_titles_bands_and_footnote(ds):
    """M10/L4: one clean title per panel, every term band named (by weeks from randomisation, the
    figure's axis: the third review's L11), plain footnote, labels off the zero line."""
    from evidence_lib.vocab import TERM_WEEK_LABELS

    fig = draw_registered(ds, "effects-over-time")
    texts = figure_texts(fig)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert len(titles) == 6
    for t in titles:
        assert ") (" not in t and "from arm data" not in t and "sign reversed" not in t and " \u00b7 " in t, t
    assert "Haake 2007 vs conventional therapy \u00b7 CPGS pain score 0\u2013100 \u00b7 shaded \u00b115" in [
        t.replace("\n", " ") for t in titles]
    for words in TERM_WEEK_LABELS.values():
        assert words in texts, words
    foot = next(t for t in texts if t.startswith("Shaded:")).replace("\n", " ")
    assert foot.count("minimal clinically important difference") == 1
    assert "Computed from group means" in foot and "reported lower pain as positive" in foot
    for ax in fig.axes:                  # no point label crosses the zero line
        for a in ax.texts:
            if a.get_text().endswith(" wk"):
                box = a.get_window_extent().transformed(ax.transData.inverted())
                assert not (box.y0 < 0 < box.y1), (ax.get_title(loc="left"), a.get_text())


def test_one_look_and_one_name_per_arm_type(ds):
    """M11: the sham comparator is green diamonds in both figures; comparator names are the short ones."""
    from evidence_lib.review.labels import review_labels

    short = review_labels(ds)["comparators_short"]
    fig = draw_registered(ds, "effects-over-time")
    sham = next(ax for ax in fig.axes if ax.get_title(loc="left").startswith("Haake 2007 vs " + short["sham"]))
    conv = next(ax for ax in fig.axes if ax.get_title(loc="left").startswith("Haake 2007 vs " + short["conventional_therapy"]))
    look = {k: next((to_hex(ln.get_color()), ln.get_marker()) for ln in ax.lines if ln.get_marker() not in ("None", ""))
            for k, ax in (("sham", sham), ("conv", conv))}
    resp = draw_registered(ds, "three-arm-responders").axes[0]
    arms = {ln.get_label(): (to_hex(ln.get_color()), ln.get_marker()) for ln in resp.lines
            if not ln.get_label().startswith("_")}
    assert arms[short["sham"]] == look["sham"] and arms[short["conventional_therapy"]] == look["conv"]
    assert look["sham"] != look["conv"]
    own = figure_texts(draw_registered(ds, "own-pooling"))
    assert "vs " + short["no_treatment"] in own


def test_review_estimates_explains_squares_orders_terms_and_invents_no_k(ds):
    """M13: the note says what square size encodes; rows by time point within a review; no k not in the data."""
    from evidence_lib.output.figure_series import reviews_inputs

    texts = [t.replace("\n", " ") for t in figure_texts(draw_registered(ds, "review-estimates"))]
    assert any("Square size" in t and "1/SE" in t for t in texts)
    p, _ = reviews_inputs(ds)
    skelly = [lab for lab in p["label"] if lab.startswith("Skelly 2020") and "Function" in p.loc[
        p["label"] == lab, "group"].iloc[0]]
    assert [s.split(", ")[1] for s in skelly] == ["short term", "intermediate term"]
    vickers = p[p["source_id"].str.startswith("vickers2012")]
    import csv

    with open(Path(__file__).resolve().parents[2] / "data" / "pooled_results.csv", newline="", encoding="utf-8") as fh:
        held = {r["analysis_id"]: r["k"] for r in csv.DictReader(fh)}
    for row in vickers.itertuples():   # a k only where pooled_results holds one (Table 1, for no-acupuncture)
        k = held[row.analysis_id]
        if k:
            assert f"{int(k)} trials" in row.label, row.label
        else:
            assert pd.isna(row.k) and not re.search(r"\d+ trials", row.label), row.label
    assert any(not held[a] for a in vickers["analysis_id"])


def test_forest_collapses_a_risk_of_bias_panel_with_no_judgments(ds):
    """L2: no seven grey columns and no unused low/unclear/high key when nothing was judged."""
    texts = figure_texts(draw_registered(ds, "forest"))
    assert "Risk of bias" not in texts and "low risk" not in texts and "high risk" not in texts
    assert any("no risk-of-bias columns are shown" in t for t in texts)


def test_forest_closing_notes_sit_under_the_axis(ds):
    """L2: the heterogeneity and overall-effect lines leave no blank rows above the axis."""
    fig = draw_registered(ds, "forest")
    ax = fig.axes[0]
    het = next(t for t in ax.texts if t.get_text().startswith("Heterogeneity"))
    assert het.get_window_extent().y1 <= ax.get_window_extent().y0 + 1


def test_safety_labels_have_one_bracket_and_printed_cis(ds):
    """L14/M12: "(pooled) (Bäumler 2021)" is gone; "significant" is explained; CIs printed with the rates."""
    texts = [t.replace("\n", " ") for t in figure_texts(draw_registered(ds, "safety-rates"))]
    assert not any(") (" in t for t in texts)
    assert not any(t.endswith("(significant)") or "(significant) (" in t for t in texts)
    assert any("significant minor event*" in t for t in texts)
    assert any("not a statistical test" in t for t in texts)
    assert "931 (510\u20131,462)" in texts and "1.0 (0.23\u20132.3)" in texts
