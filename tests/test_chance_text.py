"""One formatter for Bayesian chances (evidence_lib._values.chance_text) and the three places that print them.

The expected strings are written from the rules (whole percentages from 1% to 99%, one decimal for a
range reaching beyond them, capped just inside 0% and 100%), with probabilities chosen to sit on
either side of each rule's edge; none is copied from the library's output.
"""

import pytest

from evidence_lib import _values
from evidence_lib._values import CHANCE_CAP_HIGH, CHANCE_CAP_LOW, chance_text


@pytest.mark.parametrize("p, expected", [
    (0.5, "50%"),
    (0.807, "81%"),
    (0.0149, "1%"),     # 1.49% is inside 1-99: whole percent
    (0.99, "99%"),      # exactly 99% stays whole
    (0.9896, "99%"),    # 98.96% rounds to 99, which is no claim of certainty
    (0.9904, "99.0%"),  # above 99%: one decimal
    (0.992, "99.2%"),
    (0.998, "99.8%"),
    (0.9994, "99.9%"),
    (0.008, "0.8%"),
    (0.0096, "1.0%"),   # below 1%: one decimal
    (0.0006, "0.1%"),
])
def test_one_chance_rounds_by_the_rule(p, expected):
    assert chance_text(p) == expected


@pytest.mark.parametrize("p, expected", [
    (0.99951, CHANCE_CAP_HIGH), (0.99999, CHANCE_CAP_HIGH), (1.0, CHANCE_CAP_HIGH),
    (0.00049, CHANCE_CAP_LOW), (0.0, CHANCE_CAP_LOW),
])
def test_a_chance_never_prints_as_certain(p, expected):
    text = chance_text(p)
    assert text == expected
    assert text in ("more than 99.9%", "less than 0.1%")


@pytest.mark.parametrize("low, high, expected", [
    (0.986, 0.998, "98.6-99.8%"),           # the report typesets the hyphen as an en dash: 98.6–99.8%
    (0.026, 0.086, "3-9%"),                 # both inside 1-99: whole percentages
    (0.012, 0.086, "1-9%"),
    (0.006, 0.086, "0.6-8.6%"),             # one end below 1%: one decimal for both ends
    (0.881, 0.97, "88-97%"),
    (0.881, 0.992, "88.1-99.2%"),
    (0.9951, 0.9954, "99.5%"),              # ends that print alike are printed once
    (0.9861, 0.9864, "99%"),
    (0.992, 0.9999, "99.2% to more than 99.9%"),
    (0.0001, 0.004, "less than 0.1% to 0.4%"),
    (0.99991, 0.99999, "more than 99.9%"),
])
def test_a_range_of_chances(low, high, expected):
    assert chance_text(low, high) == expected


@pytest.mark.parametrize("args, message", [
    ((1.2,), "probability is 1.2; a chance is a probability from 0 to 1"),
    ((55,), "probability is 55"),
    ((float("nan"),), "probability is nan"),
    ((None,), "probability is None"),
    ((0.5, -0.1), "high is -0.1"),
    ((0.6, 0.5), r"high \(0.5\) is below probability \(0.6\)"),
])
def test_bad_chances_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        chance_text(*args)


def test_the_three_callers_print_chances_through_the_one_formatter(ds, monkeypatch):
    """Replacing chance_text changes the Summary of Findings' range, the plain-words sentence and the
    figure legend; a caller that kept its own formatter would fail here (its module would have no
    chance_text to replace, or its output would not change)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evidence_lib.plotting import bayes as plot_bayes
    from evidence_lib.review import bayes as review_bayes
    from evidence_lib.review import sof as review_sof

    def marked(low, high=None):
        return "CHANCE<" + _values.chance_text(low, high) + ">"

    for module in (review_bayes, plot_bayes, review_sof):
        monkeypatch.setattr(module, "chance_text", marked)  # raises if the module does not use it

    row = review_bayes.reanalyses(ds).iloc[0]
    sentence = review_bayes.plain_words(row, intervention="the treatment")
    assert sentence.count("CHANCE<") == 2, sentence

    _, _, trials = review_bayes.analysis_sets(ds)[0]
    curves = review_bayes.posterior_curves(trials["yi"], trials["vi"], threshold=15.0)
    ax = plot_bayes.posterior_density(curves, threshold=15.0, threshold_label="MCID", xlabel="benefit")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)
    assert len(legend) == 3 and all("P(beyond threshold) CHANCE<" in t for t in legend), legend

    shown = [t for t in review_sof.summary_of_findings(ds)["bayes"] if t.startswith("chance of any benefit")]
    assert shown and all(t.count("CHANCE<") == 2 for t in shown), shown
