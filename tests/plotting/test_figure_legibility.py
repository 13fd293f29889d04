"""Legibility of the evidence map, the session-plan timeline, the funnel plot and the forest band:
measured on the drawn artists, so that each fix of the reader review fails loudly if it regresses."""

import math
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.textpath import TextPath  # noqa: E402

from evidence_lib.plotting import evidence as pe  # noqa: E402
from evidence_lib.plotting import forest_plot, funnel_plot  # noqa: E402
from evidence_lib.plotting._forest_marks import wrap_to_width  # noqa: E402
from evidence_lib.plotting._text import wrap_balanced  # noqa: E402
from tests.figure_helpers import figure_texts  # noqa: E402
from tests import fixtures as fx  # noqa: E402


# --------------------------------------------------------------------------- evidence map

def _map(counts):
    """One row per claim: counts = {(row, column, verdict): n}."""
    rows, i = [], 0
    for (kind, cert, verdict), n in counts.items():
        for _ in range(n):
            rows.append({"claim_id": f"C{i}", "kind": kind, "certainty": cert, "verdict": verdict})
            i += 1
    return pd.DataFrame(rows)


def _bubbles_and_counts(ax):
    bubbles = [ln for ln in ax.lines if ln.get_marker() == "o"]
    counts = [t for t in ax.texts if t.get_text().isdigit()]
    assert len(bubbles) == len(counts) > 0
    return list(zip(bubbles, counts))


def test_every_count_sits_inside_its_bubble_with_a_coloured_margin():
    """The digits' ink (from the glyph outlines) lies at least 1 pt inside the coloured disk,
    the white edge excluded: a white "1" never touches the white edge or the white page."""
    data = _map({("a", "high", "supported"): 1, ("a", "low", "overstated"): 12, ("b", "low", "supported"): 1,
                 ("b", "low", "unsupported"): 7, ("b", "very_low", "contradicted"): 10})
    fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
    pe.evidence_map(data, row_order=["a", "b"], ax=ax)
    fig.canvas.draw()
    px_per_pt = fig.dpi / 72
    for line, text in _bubbles_and_counts(ax):
        centre = line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]))[0]
        inner_r = (line.get_markersize() - line.get_markeredgewidth()) / 2 * px_per_pt
        origin = text.get_transform().transform(text.get_position())
        assert text.get_ha() == "left" and text.get_va() == "baseline"
        ink = TextPath((0, 0), text.get_text(), prop=text.get_fontproperties()).get_extents()
        for cx in (ink.x0, ink.x1):
            for cy in (ink.y0, ink.y1):
                corner = origin + np.array([cx, cy]) * px_per_pt
                gap_pt = (inner_r - math.dist(corner, centre)) / px_per_pt
                assert gap_pt >= 1.0, (text.get_text(), gap_pt)


def test_smallest_bubble_is_never_smaller_than_its_digit_needs():
    font = FontProperties(size=9, weight="bold")
    ink = TextPath((0, 0), "1", prop=font).get_extents()
    for nmax in (1, 2, 6, 50, 1000):
        d = pe.count_bubble_diameter(1, nmax, fontprops=font)
        assert d - pe.BUBBLE_EDGE >= math.hypot(ink.width, ink.height) + 2.0
    assert pe.count_bubble_diameter(6, 6) > pe.count_bubble_diameter(1, 6)


def test_crowded_cell_bubbles_do_not_overlap():
    verdicts = ("supported", "supported_with_caveats", "overstated", "unsupported", "contradicted", "not_checkable")
    data = _map({("a", "low", v): n for v, n in zip(verdicts, (1, 9, 3, 12, 1, 5))})
    fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
    pe.evidence_map(data, row_order=["a"], ax=ax)
    fig.canvas.draw()
    px = fig.dpi / 72
    disks = [(ln.get_transform().transform([[ln.get_xdata()[0], ln.get_ydata()[0]]])[0], ln.get_markersize() / 2 * px)
             for ln, _t in _bubbles_and_counts(ax)]
    assert len(disks) == 6
    for i, (c1, r1) in enumerate(disks):
        for c2, r2 in disks[i + 1:]:
            assert math.dist(c1, c2) >= r1 + r2


# --------------------------------------------------------------------------- session plans

PLAN = {"label": "Reference plan", "minutes": (20, 30), "sessions_per_week": (1, 2), "weeks": (4, 6),
        "maintenance_every_weeks": (2, 4)}


def _protocols():
    p = fx.protocols()
    extra = pd.DataFrame([
        {"protocol_id": "cherkin2009-indiv", "source_id": "cherkin2009", "arm": "intervention",
         "sessions_total": "10", "sessions_per_week": None, "weeks": "7", "minutes_per_session": None},
        {"protocol_id": "giles2003-acu", "source_id": "giles2003", "arm": "intervention",
         "sessions_total": None, "sessions_per_week": None, "weeks": "9", "minutes_per_session": None}])
    p = pd.concat([p, extra], ignore_index=True)
    p.loc[p["source_id"] == "cherkin2009", "protocol_id"] = ["cherkin2009-std", "cherkin2009-indiv"]
    return p


ABBREVIATIONS = re.compile(r"\bn/s\b|\bindiv\b|\bstd\b|\bmin\b", re.IGNORECASE)


def test_session_plan_labels_and_columns_are_written_out():
    fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
    pe.session_plan_timeline(_protocols(), reference_plan=PLAN,
                             plan_labels={"cherkin2009-indiv": "individualised", "cherkin2009-std": "standardised"},
                             ax=ax)
    fig.canvas.draw()
    texts = figure_texts(fig)
    assert not [t for t in texts if ABBREVIATIONS.search(t)]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "Cherkin 2009 (individualised)" in ticks and "Cherkin 2009 (standardised)" in ticks
    assert texts.count("not stated") >= 3 and "Sessions" in texts and "Minutes" in texts
    assert "sessions not stated" in texts           # the Giles-like bar without ticks says why


def test_session_plan_key_names_the_reference_plan_marks_and_the_open_end():
    fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
    pe.session_plan_timeline(_protocols(), reference_plan=PLAN, ax=ax)
    fig.canvas.draw()
    key = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Reference plan: minimum course" in key and "Reference plan: up to the maximum" in key
    assert any(k.startswith("Maintenance sessions, open-ended") for k in key)
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    assert arrows and arrows[0].xy[0] == pytest.approx(ax.get_xlim()[1])
    assert any("no end stated" in t for t in figure_texts(fig))
    # the key lies inside the figure
    fig_box = fig.bbox
    leg = ax.get_legend().get_window_extent()
    assert leg.x0 >= fig_box.x0 and leg.x1 <= fig_box.x1 and leg.y0 >= fig_box.y0


# --------------------------------------------------------------------------- funnel

def test_funnel_below_ten_studies_says_so_and_shows_no_test_p_value():
    df = fx.trials(4)
    ax = funnel_plot(df, estimate="yi", se="se", pooled_estimate=float(df["yi"].mean()), label="label")
    title = ax.get_title(loc="left")
    assert title.splitlines()[0] == "4 studies: too few to judge asymmetry (10 or more are needed)"
    assert "no test is reported" in title.replace("\n", " ")
    assert not [t for t in figure_texts(ax.figure) if re.search(r"\bp\s*=\s*\d", t)]


def test_funnel_pseudo_confidence_lines_stay_on_the_axes():
    df = fx.trials(4).assign(yi=[-3.0, -2.8, -3.2, -2.9])         # pooled far from the null: lines run wide
    ax = funnel_plot(df, estimate="yi", se="se", pooled_estimate=-3.0)
    lo, hi = ax.get_xlim()
    dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert len(dashed) == 2
    for ln in dashed:
        assert lo <= min(ln.get_xdata()) and max(ln.get_xdata()) <= hi


def test_funnel_study_labels_are_drawn_apart_and_inside_the_axes():
    df = fx.trials(6)
    fig, ax = plt.subplots(figsize=(6, 5.6), layout="constrained")
    funnel_plot(df, estimate="yi", se="se", pooled_estimate=float(df["yi"].mean()), label="label", ax=ax)
    fig.canvas.draw()
    labels = [t for t in ax.texts if t.get_text() in set(df["label"])]
    assert len(labels) == len(df)
    boxes = [t.get_window_extent() for t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    axbox = ax.get_window_extent()
    for b in boxes:
        assert axbox.y0 - 1 <= b.y0 and b.y1 <= axbox.y1 + 1


# --------------------------------------------------------------------------- forest band

def test_convention_band_is_hatched_and_named_mcid_band_is_shaded():
    from matplotlib.collections import PolyCollection

    df = fx.trials(5)
    ax = forest_plot(df, n=("n_i", "n_c"), threshold=1.0, threshold_label="convention of 1 unit",
                     threshold_style="hatched")
    polys = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert any(c.get_hatch() for c in polys)
    dotted = sorted(ln.get_xdata()[0] for ln in ax.lines if ln.get_linestyle() == ":")
    assert dotted == pytest.approx([-1.0, 1.0])                     # both edges of null ± threshold
    assert any(t.startswith("Hatched band with dotted edges: convention") for t in figure_texts(ax.figure))
    ax = forest_plot(df, n=("n_i", "n_c"), threshold=1.0, threshold_label="MCID of 1 unit")
    assert not any(c.get_hatch() for c in ax.collections if isinstance(c, PolyCollection))
    assert any(t.startswith("Shaded: MCID") for t in figure_texts(ax.figure))
    with pytest.raises(ValueError, match="threshold_style"):
        forest_plot(df, threshold=1.0, threshold_style="dotted")


# --------------------------------------------------------------------------- wrapping

SENTENCE = ("Hatched band with dotted edges: effect-size convention of 0.5 SD units (Tagliaferri 2024; "
            "a convention, not a clinically important difference)")


def test_wrapping_leaves_no_word_alone_on_the_last_line():
    for width in (40, 60, 80, 100):
        lines = wrap_balanced(SENTENCE, width).splitlines()
        assert all(len(ln) <= width for ln in lines)
        if len(lines) > 1:
            assert " " in lines[-1] and len(lines[-1]) >= 0.5 * max(map(len, lines))
    fig = plt.figure(figsize=(6, 2))
    lines = wrap_to_width(fig, SENTENCE, 470, size=8.5)
    assert len(lines) == 2 and len(lines[-1]) >= 0.5 * len(lines[0])
