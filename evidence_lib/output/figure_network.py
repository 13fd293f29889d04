"""The network meta-analysis's two figures: the network graph and every treatment against the reference.

Both draw the pain network of :mod:`evidence_lib.review.network` (the analysis
``network-pain-short`` of :data:`evidence_lib.vocab.ANALYSES`) with readers' names for the
treatments (:func:`evidence_lib.review.network.network_labels`: the review's own comparator
words) and study labels (author and year) from the sources table. They are registry figures
(``evidence build`` writes them as PNG and SVG) shown in the report's network section rather
than among the other figures.
"""

from __future__ import annotations

from evidence_lib._values import decimal_text
from evidence_lib.dataset.derived import per_dataset
from evidence_lib.vocab import ANALYSIS_LABELS, INTERVENTION_ARM

#: The network forest's title when the data name no intervention (see :func:`forest_title`).
FOREST_TITLE = "Every treatment against the reference, short-term pain"


def forest_title(ds) -> str:
    """The network forest's title, the same inside the PNG (on two lines) and in the report's caption.

    It names the review's intervention (the rows are the intervention minus each other
    treatment) and the sign of the plotted differences, in the review's words
    (:func:`evidence_lib.review.network.network_labels`).

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset

    Returns
    -------
    str
        E.g. "Acupuncture against each of the other treatments, short-term pain (negative: less pain
        with acupuncture)"; :data:`FOREST_TITLE` when the data name no intervention.
    """
    from evidence_lib.review.network import network_labels

    arm = network_labels(ds).get(INTERVENTION_ARM)
    if not arm:
        return FOREST_TITLE
    return f"{arm[:1].upper()}{arm[1:]} against each of the other treatments, short-term pain (negative: less pain with {arm})"

#: Figure width in inches, as the other figures of the build.
WIDTH = 6.0
_ANALYSIS = "network-pain-short"


@per_dataset
def network_inputs(ds) -> dict | None:
    """What both network figures draw, or None when no network can be fitted from the data.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.

    Returns
    -------
    dict or None
        ``result`` (the fitted :class:`~evidence_lib.meta.network.result.NetworkResult`),
        ``labels`` (treatment code -> readers' name), ``nodes`` (treatment, participants,
        n_studies), ``edges`` (treatment_a, treatment_b, n_studies), ``effects`` (each
        treatment against the reference, as columns), ``studies`` (the trials' labels),
        ``unit`` (``"points on 0–100"`` or ``"standard deviations"``), ``xlabel`` (the forest
        axis title: the measure), ``direction`` (the sentence saying which way is less pain,
        which opens the forest's note), ``reference`` (its name) and ``title``. None when the data hold no
        arm-level pain rows or no connected network of them.
    """
    from evidence_lib.review.network import network_labels, pain_network, pain_network_arms

    if len(ds.arms) == 0:
        return None
    try:
        arms = pain_network_arms(ds)
        if arms.empty:
            return None
        res = pain_network(ds)
    except ValueError:  # no connected network (e.g. one trial arm, or arms that share no treatment)
        return None
    names = network_labels(ds)
    labels = {t: names.get(t, str(t).replace("_", " ")) for t in res.treatments}
    unit = "points on 0–100" if res.measure == "MD" else "standard deviations"
    ref = labels[res.reference]
    # the report's one sign convention: the intervention against each comparator, negative = less pain
    xlabel = ("Difference in pain, points on 0–100" if res.measure == "MD"
              else "Difference in pain, standardised mean difference")
    direction = f"Negative values (left of 0): less pain with {ref}; positive: more pain with {ref}."
    return {"result": res, "labels": labels, "nodes": res.participants().reset_index(), "edges": res.edges(),
            "effects": res.effects.reset_index(), "studies": tuple(dict.fromkeys(arms["study_label"])),
            "unit": unit, "xlabel": xlabel, "direction": direction, "reference": ref,
            "title": ANALYSIS_LABELS[_ANALYSIS]}


def _band(ds, n):
    """The threshold band of the network forest (:func:`figure_data.band_for`, the one threshold policy)."""
    from evidence_lib.output.figure_data import band_for
    from evidence_lib.review.network import pain_network_arms

    return band_for(ds, n["result"].measure, list(pain_network_arms(ds)["instrument"]))


def _pairwise_trials_outside(ds, o) -> dict:
    """Treatment code -> the pairwise pooling's trials that the network does not use, in words.

    Each as "Kennedy 2008 (VAS worst pain 0-100 at 13 weeks)", so a sentence setting the
    pairwise interval beside the network's says that the two rest on different trials.
    ``o`` is :func:`evidence_lib.output.figure_data.own_inputs` of ``ds`` (or None).
    """
    from evidence_lib.review.network import pain_network_arms

    if o is None:
        return {}
    used = set(pain_network_arms(ds)["study"])
    out: dict = {}
    for r in o["trials"].itertuples(index=False):
        if r.source_id in used:
            continue
        weeks = f" at {float(r.timepoint_weeks):g} weeks" if r.timepoint_weeks == r.timepoint_weeks else ""
        out.setdefault(str(r.comparator_class), []).append(f"{r.label} ({r.instrument}{weeks})")
    return out


def pairwise_pooling(o) -> dict:
    """The pairwise random-effects pooling (the "own pooling" figure) of each network comparator.

    Parameters
    ----------
    o : dict or None
        The own-pooling figure's inputs, :func:`evidence_lib.output.figure_data.own_inputs`.

    Returns
    -------
    dict
        Treatment code -> the pooled result (``estimate``, ``ci_low``, ``ci_high``, ``k``) of
        the own-pooling group with that comparator, for groups of two or more trials.
    """
    if o is None:
        return {}
    t = o["trials"]
    out = {}
    for code, sub in t.groupby("comparator_class", sort=False):
        r = o["results"].get(sub["group"].iloc[0])
        if r is not None and r.k >= 2:
            out[str(code)] = r
    return out


def tau_caveat(ds) -> str:
    """Why the network's intervals are narrow when τ² is estimated at 0, in readers' words.

    With few trials the between-trial variance τ² is estimated with almost no information; at
    0 the random-effects network gives the intervals of a fixed-effect model. The sentence
    says how many trials, the degrees of freedom for heterogeneity, and what the pairwise
    random-effects pooling of the same comparison gives (from the fitted results).

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset

    Returns
    -------
    str
        The sentences, or "" when there is no network or τ² is above 0.

    References
    ----------
    Cochrane Handbook for Systematic Reviews of Interventions, version 6, section 10.10.4
    (random-effects intervals and the imprecise estimate of τ² with few studies).
    """
    from evidence_lib.output.figure_data import own_inputs
    from evidence_lib.review.network import reference_against_each

    n = network_inputs(ds)
    if n is None:
        return ""
    res = n["result"]
    if res.method == "FE" or not res.tau2 <= 1e-10:
        return ""
    k = len(n["studies"])
    df = int(res.q_df)
    s = (f"τ² (the between-trial variance) was estimated at 0 from {'only ' if k < 5 else ''}"
         f"{_count(k, 'trial')} ({df} {'degree' if df == 1 else 'degrees'} of freedom for heterogeneity), so "
         f"these intervals are as narrow as those of a fixed-effect model.")
    own = own_inputs(ds)  # pooled once, for both the intervals and the trials they rest on
    pairs = pairwise_pooling(own)
    outside = _pairwise_trials_outside(ds, own)
    codes = {lab: code for code, lab in n["labels"].items()}
    wider = []
    for r in reference_against_each(res, label=n["labels"].get).itertuples():
        p = pairs.get(codes.get(r.treatment))
        if p is not None and (p.ci_high - p.ci_low) > (r.ci_high - r.ci_low):
            extra = outside.get(codes.get(r.treatment))
            also = (f", including {' and '.join(extra)}, which the network does not use" if extra else "")
            wider.append(f"against {r.treatment}, {decimal_text(p.estimate, 1)} (95% CI {decimal_text(p.ci_low, 1)} "
                         f"to {decimal_text(p.ci_high, 1)}) from {_count(p.k, 'trial')}{also}, against the network "
                         f"estimate {decimal_text(r.estimate, 1)} ({decimal_text(r.ci_low, 1)} to "
                         f"{decimal_text(r.ci_high, 1)})")
    if wider:
        return s + " Pairwise random-effects pooling gives a wider interval: " + "; ".join(wider) + "."
    return s + " Pairwise random-effects pooling, which estimates τ² for each comparison, can give wider intervals."


def _count(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def _empty(message):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting import no_data

    fig, ax = plt.subplots(figsize=(WIDTH, 3.2), layout="constrained")
    no_data(ax, message, detail="It appears once arms.csv holds pain means of two or more arms of a trial.")
    return fig


def graph_figure(ds):
    """Draw the network graph (nodes sized by participants, lines by number of trials).

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.network import network_graph

    n = network_inputs(ds)
    if n is None:
        return _empty("No network of trial arms yet")
    from evidence_lib.output.figure_series import ARM_STYLE
    from evidence_lib.plotting._style import OKABE_ITO

    fig, ax = plt.subplots(figsize=(WIDTH, 5.0), layout="constrained")
    # each arm in the colour it has in every other figure (figure_series.ARM_STYLE)
    colors = {t: OKABE_ITO[ARM_STYLE[t]] for t in n["result"].treatments if t in ARM_STYLE}
    network_graph(n["nodes"], n["edges"], labels=n["labels"], colors=colors or None, ax=ax)
    ax.set_title(f"{_count(len(n['labels']), 'treatment')} compared in {_count(len(n['studies']), 'trial')} "
                 f"({', '.join(n['studies'])})", fontsize=9, loc="left", fontweight="normal")
    return fig


def graph_describe(ds) -> str:
    """Alt text of :func:`graph_figure`.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset

    Returns
    -------
    str
        One paragraph: how many treatments and trials, what node size and line width mean,
        each treatment's participants and each direct comparison's number of trials.
    """
    from evidence_lib.plotting.network import describe_network_graph

    n = network_inputs(ds)
    if n is None:
        return "Network graph: no network of trial arms in the data package yet."
    k = len(n["studies"])
    return (f"The network of short-term pain: {_count(len(n['labels']), 'treatment')} from "
            f"{_count(k, 'randomised trial')} ({', '.join(n['studies'])}). Each circle is a treatment, its area "
            "proportional to the participants given it (a dashed outline: group size not reported); a line "
            "joins two treatments that a trial compared directly, its width and number giving how many trials "
            "did. " + describe_network_graph(n["nodes"], n["edges"], labels=n["labels"]).replace(
                "Network graph of", "Participants in the", 1))


def forest_figure(ds):
    """Draw every treatment of the network against its reference, with 95% CIs.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.network import network_forest

    n = network_inputs(ds)
    if n is None:
        return _empty("No network of trial arms yet")
    rows = max(len(n["labels"]) - 1, 1)
    fig, ax = plt.subplots(figsize=(WIDTH, 1.7 + 0.42 * rows), layout="constrained")
    band = _band(ds, n)
    network_forest(n["effects"], reference=n["result"].reference, labels=n["labels"], xlabel=n["xlabel"],
                   reference_first=True, threshold=band.value, threshold_style=band.style, label_width=24, ax=ax)
    fig.suptitle(forest_title(ds).replace(" (", "\n(", 1), x=0.01, ha="left", fontsize=10.5, fontweight="bold")
    note = _note(ds, n, band)
    if note:
        import textwrap

        lines = textwrap.wrap(note, 96, break_on_hyphens=False)
        fig.set_figheight(fig.get_figheight() + 0.15 * len(lines) + 0.1)
        fig.text(0.01, 0.01, "\n".join(lines), fontsize=8, va="bottom", ha="left", color="0.25")
        foot = (0.15 * len(lines) + 0.15) / fig.get_figheight()
        fig.get_layout_engine().set(rect=(0, foot, 1, 1 - foot))
    ax.annotate("Difference [95% CI]", xy=(1.0, 1.0), xycoords="axes fraction", xytext=(6, 2),
                textcoords="offset points", ha="left", va="bottom", fontsize=8.5, color="0.3")
    # a wider margin than the default: at 150 dpi hinted text runs a few pixels wider than at 100 dpi
    fig.get_layout_engine().set(w_pad=0.12, h_pad=0.08)
    return fig


def _note(ds, n, band, *, direction: bool = True) -> str:
    """The network forest's note: which way is less pain (unless ``direction``), the band, :func:`tau_caveat`."""
    from evidence_lib.plotting._forest_marks import BAND_STYLES

    shaded = f"{BAND_STYLES[band.style]}{band.note()}." if band.value else ""
    return " ".join(x for x in (n["direction"] if direction else "", shaded, tau_caveat(ds)) if x)


def forest_describe(ds) -> str:
    """Alt text of :func:`forest_figure`.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset

    Returns
    -------
    str
        Which way is better, then each treatment's difference from the reference with its
        95% CI in words.
    """
    n = network_inputs(ds)
    if n is None:
        return "Network forest plot: no network of trial arms in the data package yet."
    from evidence_lib.review.network import pain_amount, reference_against_each

    ref = n["reference"]
    parts = []
    for r in reference_against_each(n["result"], label=n["labels"].get).itertuples():
        parts.append(f"against {r.treatment} {decimal_text(r.estimate, 1)} (95% CI {decimal_text(r.ci_low, 1)} to "
                     f"{decimal_text(r.ci_high, 1)}), {pain_amount(r.estimate, n['result'].measure, decimals=1)} "
                     f"with {ref}")
    return (f"{ref.capitalize()} against each of the other {_count(len(parts), 'treatment')} of the network, "
            f"difference in pain at the first short-term visit ({n['unit']}; "
            f"{_count(len(n['studies']), 'trial')}). Negative values (left of zero) mean less pain with {ref}: "
            + "; ".join(parts) + ". " + _note(ds, n, _band(ds, n), direction=False)).strip()
