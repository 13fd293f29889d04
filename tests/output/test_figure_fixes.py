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

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _draw(ds, name):
    with style():
        fig = spec(name).draw(ds)
        fig.canvas.draw()
    return fig


def test_the_registry_still_holds_twelve_figures():
    assert len(registry()) == 12


def test_session_plans_write_out_every_label(ds):
    fig = _draw(ds, "session-plans")
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
    fig = _draw(ds, "funnel")
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
    fig = _draw(ds, "review-estimates")
    ax = fig.axes[0]
    assert any(c.get_hatch() for c in ax.collections if isinstance(c, PolyCollection))
    notes = re.sub(r"\s+", " ", " ".join(t.get_text() for t in fig.findobj(Text)))
    assert "Hatched band with dotted edges: differences smaller than the effect-size convention (\u00b10.5 SD" in notes
    assert "Shaded:" not in notes
    assert "hatched band with dotted edges shows differences smaller than the effect-size convention" in spec("review-estimates").describe(ds)
    forest = _draw(ds, "forest")
    assert not any(c.get_hatch() for c in forest.axes[0].collections if isinstance(c, PolyCollection))


def test_notebook_07_prints_no_asymmetry_test_with_fewer_than_ten_trials():
    nb = json.loads((NOTEBOOKS / "07-meta-analysis.ipynb").read_text(encoding="utf-8"))
    out = "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code"
                  for o in c.get("outputs", []))
    assert "too few for a test of funnel-plot asymmetry" in out
    assert "Egger's test: z" not in out
