"""The reader review's figure fixes, held on the bundled data package: the session plans in
words, the funnel's caveat and labels, the review-estimates convention band, and no
asymmetry-test p-value in notebook 07 while there are fewer than ten trials."""

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from evidence_lib.output.figures import registry, spec  # noqa: E402
from evidence_lib.plotting import style  # noqa: E402
from tests.figure_helpers import draw_registered  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_the_registry_still_holds_twelve_figures():
    assert len(registry()) == 12


def test_session_plans_write_out_every_label(ds):
    fig = draw_registered(ds, "session-plans")
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    for words in ("Cherkin 2009 (individualised)", "Cherkin 2009 (standardised)", "Yuan 2009 (high frequency)",
                  "Yuan 2009 (low frequency)"):
        assert words in ticks
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_text()]
    assert not [t for t in texts if re.search(r"\bn/s\b|\(indiv\)|\(std\)|\(high\)|\(low\)", t)]
    giles = ticks.index("Giles 2003")
    assert any(t.get_text() == "sessions not stated" and t.get_position()[1] == giles for t in ax.texts)
    assert any(t.get_text().startswith("The article's plan: minimum course") for t in ax.get_legend().get_texts())


def test_funnel_of_four_trials_says_too_few_and_labels_each_trial(ds):
    fig = draw_registered(ds, "funnel")
    ax = fig.axes[0]
    assert ax.get_title(loc="left").startswith("4 studies: too few to judge asymmetry (10 or more are needed)")
    from evidence_lib.output.figure_data import forest_inputs

    trials = list(forest_inputs(ds)["trials"]["label"])
    assert len(trials) == 4
    assert sorted(t.get_text() for t in ax.texts) == sorted(trials)
    text = spec("funnel").describe(ds)
    assert "too few to judge asymmetry" in text and "no asymmetry test is reported" in text
    assert not re.search(r"\bp\s*=\s*\d", text)


def test_review_estimates_band_is_a_hatched_convention_not_an_mcid(ds):
    fig = draw_registered(ds, "review-estimates")
    ax = fig.axes[0]
    assert any(c.get_hatch() for c in ax.collections if isinstance(c, PolyCollection))
    notes = re.sub(r"\s+", " ", " ".join(t.get_text() for t in fig.findobj(Text)))
    assert "Hatched band with dotted edges: differences smaller than the effect-size convention (\u00b10.5 SD" in notes
    assert "Shaded:" not in notes
    assert "hatched band with dotted edges shows differences smaller than the effect-size convention" in spec("review-estimates").describe(ds)
    forest = draw_registered(ds, "forest")
    assert not any(c.get_hatch() for c in forest.axes[0].collections if isinstance(c, PolyCollection))


def test_notebook_07_prints_no_asymmetry_test_with_fewer_than_ten_trials():
    nb = json.loads((NOTEBOOKS / "07-meta-analysis.ipynb").read_text(encoding="utf-8"))
    out = "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code"
                  for o in c.get("outputs", []))
    assert "too few for a test of funnel-plot asymmetry" in out
    assert "Egger's test: z" not in out


def test_session_plans_caption_agrees_with_the_sessions_column(ds):
    """The caption said "10-20 sessions over 2-13 weeks" beside a figure printing "up to 10" (Cherkin
    2001, Thomas 2006), "up to 15" (Witt 2006) and "not stated" (Giles 2003): 10 was no minimum.
    The caption's sessions are checked here against the drawn Sessions column, and the plans that
    give only a ceiling against the protocols table read as plain CSV."""
    import csv

    fig = draw_registered(ds, "session-plans")
    ax = fig.axes[0]
    trial_rows = range(1, len(ax.get_yticklabels()))   # row 0 is the article's plan
    column = [next(t.get_text() for t in ax.texts if t.get_position()[1] == i
                   and re.fullmatch(r"(up to )?[\d.]+([-\u2013][\d.]+)?|not stated", t.get_text())) for i in trial_rows]
    counts = [tuple(map(float, re.split("[-\u2013]", c))) for c in column if not c.startswith(("up to", "not"))]
    ceilings = sorted({float(c[6:]) for c in column if c.startswith("up to ")})
    caption = spec("session-plans").describe(ds)
    assert f"{min(c[0] for c in counts):g}-{max(c[-1] for c in counts):g} sessions ({len(counts)} plans)" in caption
    assert ("up to " + " or ".join(f"{c:g}" for c in ceilings)
            + f" sessions ({sum(c.startswith('up to') for c in column)} plans)") in caption
    assert f"sessions not stated ({column.count('not stated')} plan)" in caption

    with open(Path(__file__).resolve().parents[2] / "data" / "protocols.csv", newline="", encoding="utf-8") as fh:
        plans = [r for r in csv.DictReader(fh) if r["arm"] == "intervention"]
    ceiling_rows = [r["sessions_total"] for r in plans if r["sessions_total"].lower().startswith("up to")]
    assert len(ceiling_rows) == 3 and "up to 10 or 15 sessions (3 plans)" in caption
    assert f"Beside it, {len(plans)} trial protocols" in caption
    assert "10-20 sessions over" not in caption


def test_verdicts_by_category_keeps_its_text_off_the_edges(ds, tmp_path):
    """"background" started 2 px from the left edge of verdicts-by-category.png; rendered as the
    build renders it (style, frozen layout, 150 dpi), nothing drawn comes within 8 px of an edge."""
    import matplotlib.image as mpimg
    import numpy as np

    from evidence_lib.output.figure_files import save_figure

    with style():
        fig = spec("verdicts-by-category").draw(ds)
        (png,) = save_figure(fig, tmp_path / "verdicts", formats=("png",))
    pixels = mpimg.imread(png)[..., :3]
    ink = (pixels < 0.98).any(axis=2)            # any pixel that is not white
    cols, rows = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    margins = {"left": cols[0], "right": ink.shape[1] - 1 - cols[-1],
               "top": rows[0], "bottom": ink.shape[0] - 1 - rows[-1]}
    assert all(m >= 8 for m in margins.values()), margins
