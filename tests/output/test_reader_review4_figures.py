"""Reader review rr4, figure items: M4 (network forest names its reference and its rows), M9
(session ticks match the stated sessions; "up to" kept), M12 (figures at natural size at narrow
widths), M13 (count labels legible on their fills), L15 (term bands in a strip for every panel),
L16 (own-pooling footnote wrapped at one width), L18 (a lower limit of 0 on a log axis shown),
L19 (three-arm responders: short title, CI note in the legend)."""

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from evidence_lib.output.figures import spec  # noqa: E402
from evidence_lib.plotting import style  # noqa: E402
from evidence_lib.plotting.evidence import is_ceiling, parse_range, session_ticks  # noqa: E402
from tests.figure_helpers import draw_registered, figure_texts  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "data"


# --------------------------------------------------------------------------- M9 session plans

def test_session_ticks_follow_a_two_phase_plan():
    # 2 a week, then 1 a week, 10 sessions in 7 weeks: 3 weeks twice weekly (6), then 4 weekly (4)
    t = session_ticks(7, phases=(2, 1), total=10)
    assert len(t) == 10
    assert (t[:6] < 3).all() and (t[6:] > 3).all()
    assert np.allclose(np.diff(t[6:]), 1.0)
    assert len(session_ticks(13, total=10)) == 10
    assert len(session_ticks(5, per_week=2, total=15)) == 10      # a 5-week plan at 2 a week: 10
    assert len(session_ticks(5, per_week=2, total=6)) == 6        # never more ticks than the total


def test_session_plan_ticks_match_the_sessions_column(ds):
    """Every trial row draws one tick per stated session (Cherkin 2009: 10, not 14)."""
    fig = draw_registered(ds, "session-plans")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    rows = {}
    for line in ax.get_lines():
        if line.get_marker() == "|":
            y = line.get_ydata()
            rows[int(round(y[0]))] = len(y)
    protocols = list(csv.DictReader(open(DATA / "protocols.csv", encoding="utf-8")))
    checked = 0
    for r in protocols:
        if r["arm"] != "intervention" or not r["sessions_total"] or not r["weeks"]:
            continue
        row = next(i for i, lab in enumerate(labels) if lab.startswith(r["source_id"][:-4].capitalize()))
        if r["source_id"] == "cherkin2009":
            row = labels.index("Cherkin 2009 (standardised)" if r["protocol_id"].endswith("std")
                               else "Cherkin 2009 (individualised)")
        if r["source_id"] == "yuan2009":
            row = labels.index("Yuan 2009 (high frequency)" if r["protocol_id"].endswith("high")
                               else "Yuan 2009 (low frequency)")
        lo, hi = parse_range(r["sessions_total"])
        assert lo <= rows[row] <= hi, (labels[row], rows[row], r["sessions_total"])
        checked += 1
    assert checked >= 10
    assert rows[labels.index("Cherkin 2009 (standardised)")] == 10


def test_session_plan_keeps_up_to(ds):
    fig = draw_registered(ds, "session-plans")
    texts = figure_texts(fig)
    ceilings = [r["sessions_total"] for r in csv.DictReader(open(DATA / "protocols.csv", encoding="utf-8"))
                if r["arm"] == "intervention" and is_ceiling(r["sessions_total"])]
    assert ceilings
    for c in ceilings:
        assert c in texts, c
    assert is_ceiling("Up to 10") and not is_ceiling("10-15")


# --------------------------------------------------------------------------- M4 network forest

def test_network_forest_title_names_its_reference_and_rows_read_vs(ds):
    """The rows are the reference minus each treatment: the title names the reference and the sign,
    and each row reads "vs <treatment>" (the title read "Every treatment against the reference")."""
    from evidence_lib.output.figure_network import network_inputs

    n = network_inputs(ds)
    ref = n["reference"]
    title = spec("network-forest").title(ds)
    assert title.lower().startswith(f"{ref} against each of the other treatments")
    assert f"negative: less pain with {ref}" in title
    fig = draw_registered(ds, "network-forest")
    rows = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    others = sorted(v for k, v in n["labels"].items() if k != n["result"].reference)
    assert sorted(rows) == [f"vs {o}" for o in others]


# --------------------------------------------------------------------------- M13 contrast of count labels

def test_contrast_ratio_matches_the_reviewers_measurements():
    """Independent reference: the reader review's measured ratios (white, and black, on each fill);
    21:1 for black on white follows from WCAG's definition (luminances 1 and 0)."""
    from evidence_lib._colour import contrast_ratio

    assert contrast_ratio("black", "white") == pytest.approx(21.0)
    for fill, white, black in (("#56B4E9", 2.3, 9.1), ("#E69F00", 2.25, 9.3), ("#999999", 2.85, 7.4),
                               ("#009E73", 3.4, None)):
        assert contrast_ratio(fill, "white") == pytest.approx(white, abs=0.05), fill
        if black is not None:
            assert contrast_ratio(fill, "black") == pytest.approx(black, abs=0.05), fill


def test_text_colour_on_picks_the_higher_contrast():
    from evidence_lib._colour import text_colour_on

    assert text_colour_on("#A6002A") == "white"
    assert text_colour_on("#56B4E9") != "white"
    assert text_colour_on("#fafafa", light="white", dark="#333333") == "#333333"


@pytest.mark.parametrize("name", ["verdicts-by-category", "evidence-map"])
def test_count_labels_reach_aa_contrast_on_their_fills(ds, name):
    """Every count drawn inside a bar or bubble has at least 4.5:1 contrast with the fill under it."""
    from matplotlib.colors import to_hex

    from evidence_lib._colour import contrast_ratio

    fig = draw_registered(ds, name)
    ax = fig.axes[0]
    r = fig.canvas.get_renderer()
    fills = []
    for p in ax.patches:
        fills.append((p.get_window_extent(r), p.get_facecolor()))
    for line in ax.get_lines():
        if line.get_marker() == "o" and line.get_markerfacecolor() not in ("none", "white"):
            box = line.get_window_extent(r)
            fills.append((box, line.get_markerfacecolor()))
    counts = [t for t in ax.texts if t.get_text().isdigit()]
    assert counts
    for t in counts:
        c = t.get_window_extent(r)
        cx, cy = (c.x0 + c.x1) / 2, (c.y0 + c.y1) / 2
        under = [f for b, f in fills if b.x0 <= cx <= b.x1 and b.y0 <= cy <= b.y1]
        assert under, t.get_text()
        ratio = contrast_ratio(t.get_color(), to_hex(under[-1]))
        assert ratio >= 4.5, (t.get_text(), t.get_color(), to_hex(under[-1]), round(ratio, 2))


# --------------------------------------------------------------------------- L15 effects-over-time term bands

def test_term_band_words_put_each_boundary_week_in_one_band():
    """Week 13 is short term (terms.term_for_weeks); the words said "1–13" and "13–52" before."""
    from evidence_lib.terms import term_for_weeks
    from evidence_lib.vocab import TERM_WEEK_LABELS as W

    assert term_for_weeks(1) == "immediate" and W["immediate"].startswith("up to 1 ")
    assert term_for_weeks(13) == "short" and W["short"].endswith("to 13 weeks")
    assert W["intermediate"].startswith("over 13") and "under 52" in W["intermediate"]
    assert term_for_weeks(52) == "long" and W["long"].startswith("52 weeks or more")
    assert not any("\u2013" in w for w in W.values())


def test_term_bands_sit_in_a_strip_above_every_panel(ds):
    """The band names are drawn on their own strip under the figure title, not on the first panel,
    and none of them touches another text."""
    from evidence_lib.vocab import TERM_WEEK_LABELS

    fig = draw_registered(ds, "effects-over-time")
    r = fig.canvas.get_renderer()
    strip, panels = fig.axes[0], [ax for ax in fig.axes[1:] if ax.get_title(loc="left")]
    names = [t for t in strip.texts if t.get_text() in TERM_WEEK_LABELS.values()]
    assert len(names) == len(TERM_WEEK_LABELS)
    for ax in panels:
        assert not any(t.get_text() in TERM_WEEK_LABELS.values() for t in ax.texts)
    top_panel = max(ax.get_window_extent(r).y1 for ax in panels)
    first_title = panels[0].title if panels[0].title.get_text() else panels[0]._left_title
    boxes = [t.get_window_extent(r) for t in strip.texts if t.get_text()]
    for b in boxes:
        assert b.y0 >= first_title.get_window_extent(r).y1 - 0.5      # above the first panel's title
        assert b.y0 > top_panel
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)
    assert fig._suptitle.get_window_extent(r).y0 >= max(b.y1 for b in boxes) - 0.5


def test_every_term_band_has_its_own_bracket_and_no_bracket_touches_a_name(ds, tmp_path):
    """The "52 weeks or more" name had no bracket (it sat over the full-width rule, as if it spanned
    the whole axis), and the few-pixel "up to 1 week" bracket touched the start of "over 1 to 13 weeks"."""
    import matplotlib.image as mpimg
    from matplotlib.transforms import Bbox

    from evidence_lib.output.figure_files import save_figure
    from evidence_lib.plotting.timecourse import TERM_BANDS
    from evidence_lib.terms import IMMEDIATE_MAX_WEEKS, LONG_MIN_WEEKS
    from evidence_lib.vocab import TERM_WEEK_LABELS

    fig = draw_registered(ds, "effects-over-time")
    r = fig.canvas.get_renderer()
    strip = fig.axes[0]
    xmax = strip.get_xlim()[1]
    brackets = [a for a in strip.texts if isinstance(a, matplotlib.text.Annotation) and not a.get_text()]
    spans = sorted((a.xyann[0], a.xy[0]) for a in brackets)
    assert (LONG_MIN_WEEKS, xmax) in spans                      # 52 weeks to the axis end
    assert (0.0, IMMEDIATE_MAX_WEEKS) in spans
    assert len(spans) == len(TERM_WEEK_LABELS)
    names = {t.get_text(): t.get_window_extent(r) for t in strip.texts if t.get_text() in TERM_WEEK_LABELS.values()}
    own = {(a, min(b, xmax)): TERM_WEEK_LABELS[code] for code, a, b in TERM_BANDS}
    for a in brackets:
        box = a.arrow_patch.get_window_extent(r)
        grown = Bbox.from_extents(box.x0 - 2, box.y0 - 2, box.x1 + 2, box.y1 + 2)   # 2 px clear of other names
        for words, name in names.items():
            if words != own[(a.xyann[0], a.xy[0])]:
                assert not grown.overlaps(name), (a.xyann[0], a.xy[0], words)
    # the long band's name sits over its own bracket, not over the start of the axis
    long_name = names[TERM_WEEK_LABELS["long"]]
    x52 = strip.transData.transform((LONG_MIN_WEEKS, 0))[0]
    assert long_name.x0 > x52
    # the first band's name, left of the axis start, stays inside the PNG with an 8-px margin
    with style():
        fig = spec("effects-over-time").draw(ds)
        (png,) = save_figure(fig, tmp_path / "time", formats=("png",))
    ink = (mpimg.imread(png)[..., :3] < 0.98).any(axis=2)
    assert np.flatnonzero(ink.any(axis=0))[0] >= 8


# --------------------------------------------------------------------------- L16 own-pooling footnote

def test_own_pooling_footnote_lines_share_one_width(ds):
    """A paragraph's lines fill the footnote's width; only its last line may be short (the balanced
    wrapping broke 'one visit / per trial and comparison' at a width of its own)."""
    from evidence_lib.output import figure_data as fd

    o = fd.own_inputs(ds)
    paragraphs = [o["axis_note"], o["band_note"], *o["notes"]]
    fig = draw_registered(ds, "own-pooling")
    r = fig.canvas.get_renderer()
    ax = fig.axes[0]
    foot = [t for t in ax.texts if t.get_color() == "0.25" and t.get_text()]
    assert len(foot) >= 8
    widest = max(t.get_window_extent(r).width for t in foot)
    continued = 0
    for a, b in zip(foot, foot[1:]):
        if any(f"{a.get_text()} {b.get_text()}" in p for p in paragraphs):     # b continues a's paragraph
            continued += 1
            assert a.get_window_extent(r).width >= 0.85 * widest, a.get_text()
    assert continued >= 2


def test_wrap_to_width_fills_lines_unless_balanced():
    from evidence_lib.plotting._forest_marks import wrap_to_width, width_pt

    fig = plt.figure()
    text = "word " * 60
    full = wrap_to_width(fig, text, 300, balanced=False)
    even = wrap_to_width(fig, text, 300)
    assert len(full) == len(even)
    assert all(width_pt(fig, [ln]) <= 300 for ln in full)
    assert width_pt(fig, full[:1]) > width_pt(fig, even[:1])


# --------------------------------------------------------------------------- L18 lower limit 0 on a log axis

def test_safety_rates_mark_a_lower_limit_of_zero(ds):
    """A rate above 0 whose interval starts at 0 (Bäumler 2021, events needing treatment: 11 (0-74))
    ends at the log axis in an arrow head, and the axis label says what the arrow means."""
    fig = draw_registered(ds, "safety-rates")
    found = 0
    for ax in fig.axes:
        if ax.get_xscale() != "log":
            continue
        rows = {t.get_position()[1]: t.get_text() for t in ax.texts if "(0\u2013" in t.get_text()
                and not t.get_text().startswith("0 ")}
        heads = {line.get_ydata()[0] for line in ax.get_lines() if line.get_marker() == "<"}
        for y, text in rows.items():
            assert y in heads, text
            found += 1
        for line in ax.get_lines():
            if line.get_marker() == "<":
                assert line.get_xdata()[0] == pytest.approx(ax.get_xlim()[0])
        if rows:
            assert "arrow head at the edge: lower limit 0" in ax.get_xlabel()
    assert found >= 1


# --------------------------------------------------------------------------- L19 three-arm responders

def test_three_arm_responders_short_title_and_ci_note_in_the_key(ds):
    fig = draw_registered(ds, "three-arm-responders")
    title = fig._suptitle.get_text()
    assert title.endswith(": responders per arm") and "\n" not in title and "CI" not in title
    ax = fig.axes[0]
    assert "CI" not in ax.get_title(loc="left") + ax.get_title()
    key = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(k.startswith("95% CI") for k in key), key
    r = fig.canvas.get_renderer()
    assert fig._suptitle.get_window_extent(r).x1 <= fig.bbox.x1      # one line, inside the figure


# --------------------------------------------------------------------------- M12 figures at phone widths

def test_figures_keep_their_drawn_size_on_a_phone(ds):
    """At phone widths every figure is shown at its drawn width (9-pt text at 12 px) in its scroll box;
    before, safety-rates, session-plans, effects-over-time and funnel shrank to 7-px text."""
    import math
    import re
    from importlib.resources import files

    from evidence_lib.output import report

    figs = report.figures(ds)
    html = report.report_html(ds)
    for f in figs:
        width = float(re.search(r'viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+)', str(f["svg_open"])).group(1)) * 96 / 72
        assert f["natural_width"] == math.ceil(width), f["name"]
        box = re.search(rf'<figure id="figure-{f["name"]}".*?<div class="fig-scroll"[^>]*>', html, flags=re.S).group(0)
        assert f"--fig-natural: {f['natural_width']}px" in box, f["name"]
    css = (files("evidence_lib.output") / "static" / "report.css").read_text(encoding="utf-8")
    phone = re.search(r"@media \(max-width: 40rem\) \{(.*?)\n\}", css, flags=re.S).group(1)
    assert re.search(r"\.figure svg \{[^}]*min-width: var\(--fig-natural", phone)
    assert re.search(r"\.figure svg \{[^}]*max-width: none", phone)
