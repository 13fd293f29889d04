"""The figure registry of ``evidence build``.

A figure is a :class:`FigureSpec`: a name, a function that draws it from a Dataset and
a function that writes its alt text from the same data. Saving lives in
:mod:`evidence_lib.output.figure_files` (:func:`save_figure`, :func:`svg_string`,
re-exported here).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

from evidence_lib.output.figure_files import save_figure, svg_string  # noqa: F401  (re-exported)
from evidence_lib._values import is_number as _isnum
from evidence_lib.output import figure_data as fd
from evidence_lib.output import figure_network as fn
from evidence_lib.output import figure_series as fs
from evidence_lib.output.figure_data import pool_trials, trial_effects  # noqa: F401  (kept for callers)
from evidence_lib.plotting._text import _fmt, wrap_balanced
from evidence_lib.vocab import NO_DIRECTION


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the build: ``draw(ds) -> Figure``, ``describe(ds) -> str``, a title (or ``title(ds)``)."""

    name: str
    title: str | Callable
    draw: Callable
    describe: Callable
    #: Where the report shows the figure: ``"figures"`` (the figures section) or ``"network"``.
    section: str = "figures"


def _ledger_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.verdicts import verdict_overview

    fig, ax = plt.subplots(figsize=(6.0, 4.6), layout="constrained")
    fig.get_layout_engine().set(w_pad=8 / 72, h_pad=8 / 72)   # 3/72 in left "background" 2 px from the PNG's edge
    verdict_overview(ds, ax=ax)
    return fig


def _ledger_describe(ds):
    from evidence_lib.plotting.verdicts import describe_verdict_overview

    return describe_verdict_overview(ds)


# --------------------------------------------------------------------------- helpers

WIDTH = 6.0          # inches: 9-pt text stays about 8 px tall when a figure is shown 390 px wide


def _empty_figure(message, detail=None, size=(WIDTH, 3.2)):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting import no_data

    fig, ax = plt.subplots(figsize=size, layout="constrained")
    no_data(ax, message, detail=detail)
    return fig


def _title(fig, text):
    """A bold title at the top left of a figure that has none inside its axes."""
    fig.suptitle(text, x=0.01, ha="left", fontsize=10.5, fontweight="bold")


_RANGE = re.compile(r"(?<=\d)-(?=\d)")


def en_dash_ranges(fig):
    """Write every range in the figure's text with an en dash ("0-100" -> "0\u2013100"); the data keep hyphens.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A drawn figure; its text artists (titles, labels, notes, ticks, legends) are changed in place.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``.
    """
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        text = t.get_text()
        if "-" in text and _RANGE.search(text):
            t.set_text(_RANGE.sub("\u2013", text))
    return fig


def _finished(draw):
    """``draw`` followed by :func:`en_dash_ranges` (for the figures of this module)."""
    def finished(ds):
        return en_dash_ranges(draw(ds))
    finished.__doc__ = draw.__doc__
    return finished


def _wrap(text, width=90):
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


# --------------------------------------------------------------------------- forest of the reproduced analysis

def _forest_figure(ds):
    from evidence_lib.plotting.forest import forest_plot

    f = fd.forest_inputs(ds)
    if f is None:
        return _empty_figure("No pooled analysis with trial data yet",
                             "The forest plot appears once trial_data rows of a pooled analysis are entered.")
    tr, band = f["trials"], f["band"]
    ax = forest_plot(
        tr, arms=(("mean_i", "sd_i", "n_i"), ("mean_c", "sd_c", "n_c")) if f["has_arms"] else None,
        n=None if f["has_arms"] else ("n_i", "n_c"), arm_names=f["arm_names"], weight="weight", pooled=f["pooled"],
        threshold=band.value, threshold_label=band.note(), threshold_style=band.style, null=1.0 if f["ratio"] else 0.0,
        log_scale=f["ratio"],
        xlabel=fd.MEASURE_NAMES.get(f["measure"], f["measure"]), model=fd.MODEL_LABEL, favours=f["favours"],
        prediction_label=fd.PI_LABEL, axis_note=f["axis_note"], risk_of_bias=f["rob"], rob_domains=f["rob_domains"],
        rob_domain_names=[fd.ROB_DOMAIN_NAMES[d] for d in f["rob_domains"]],
        notes=[f"{f['source']}: {f['description']}; re-analysed by the reviewers from the trial data.", f["rob_note"]])
    return ax.figure


def _forest_describe(ds):
    from evidence_lib.plotting.forest import describe_forest

    f = fd.forest_inputs(ds)
    if f is None:
        return "Forest plot: no pooled analysis with trial data in the data package yet."
    tr, band = f["trials"], f["band"]
    arms = "each arm's mean, SD and total, " if f["has_arms"] else ""
    return (f"{f['source']}: {f['description']} ({f['measure']}), our re-analysis from the trial data "
            f"(DerSimonian-Laird, Wald interval: Review Manager's {fd.MODEL_LABEL}). Axis: {f['axis_note']}. "
            f"Columns: {arms}the weight and the estimate with its 95% CI, and a risk-of-bias panel. "
            + describe_forest(tr, pooled=f["pooled"], threshold=band.value, threshold_label=band.note(),
                              threshold_style=band.style, null=1.0 if f["ratio"] else 0.0,
                              prediction_label=fd.PI_LABEL)
            + " " + f["rob_note"])


# --------------------------------------------------------------------------- own pooling

def _own_figure(ds):
    from evidence_lib.plotting.forest import forest_plot

    o = fd.own_inputs(ds)
    if o is None:
        return _empty_figure("Too few trials with pain on a 0-100 scale yet")
    ax = forest_plot(o["trials"], estimate="yi", group="group", n=("n_i", "n_c"), weight="weight",
                     arm_names=(fd.names(ds)["intervention"], "control"), subgroup_results=o["results"],
                     subgroup_test=o["test"], threshold=o["band"].value, threshold_label=o["band_note"],
                     threshold_rows="in_band", xlim=o["xlim"],
                     text_columns=(("Instrument, 0-100", "instrument_short"), ("Week (weeks with data)", "visit")),
                     xlabel="Mean difference", model=fd.MODEL_LABEL, favours=o["favours"], axis_note=o["axis_note"],
                     prediction_label=fd.PI_LABEL, notes=o["notes"])
    return ax.figure


def _own_describe(ds):
    from evidence_lib.plotting.forest import describe_forest

    o = fd.own_inputs(ds)
    if o is None:
        return "Own pooling: fewer than two comparator groups with pain on a 0-100 scale in the data yet."
    t = o["trials"]
    parts = []
    for g, r in o["results"].items():
        ci = f"{_fmt(r.estimate, 1)} (95% CI {_fmt(r.ci_low, 1)} to {_fmt(r.ci_high, 1)}"
        if r.k == 1:
            parts.append(f"{g}: one trial, no pooling ({t.loc[t['group'] == g, 'label'].iloc[0]}: {ci}))")
        else:
            pi = (f"; 95% prediction interval {_fmt(r.pi_low, 1)} to {_fmt(r.pi_high, 1)}"
                  if r.k >= 3 and _isnum(r.pi_low) and _isnum(r.pi_high) else "")
            parts.append(f"{g}: {ci}, {r.k} trials{pi})")
    rows = "; ".join(f"{lab} {g}: {inst}, week {v}" for lab, g, inst, v in
                     zip(t["label"], t["group"], t["instrument_short"], t["visit"]))
    test = o["test"] if isinstance(o["test"], str) else (
        f"Test for subgroup differences: Q = {o['test']['q']:.2f} on {o['test']['df']} df, p = {o['test']['pvalue']:.3f}.")
    return (f"Our own pooling (not a published analysis) of trial pain differences on 0-100 scales at the "
            f"first visit up to 13 weeks, DerSimonian-Laird within each comparison. Axis: {o['axis_note']}. "
            + describe_forest(t, estimate="yi", threshold=o["band"].value, threshold_label=o["band_note"],
                              what=f"comparisons from {o['n_trials']} trials")
            + f" Rows: {rows}. Pooled by comparison: " + "; ".join(parts) + ". " + test + " " + " ".join(o["notes"]))




# --------------------------------------------------------------------------- funnel

def _funnel_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting import funnel_plot

    f = fd.forest_inputs(ds)
    if f is None:
        return _empty_figure("No pooled analysis with trial data yet")
    tr, res = f["trials"], f["pooled"]
    fig, ax = plt.subplots(figsize=(WIDTH, 5.6), layout="constrained")
    funnel_plot(tr.assign(se=tr["vi"] ** 0.5), estimate="y_pool", se="se",
                pooled_estimate=math.log(res.estimate) if f["ratio"] else res.estimate, label="label",
                xlabel=wrap_balanced(("log " if f["ratio"] else "") + f["axis_note"], 80), ax=ax)
    _title(fig, f"Funnel plot of the {len(tr)} trials of the forest plot")
    return fig


def _funnel_describe(ds):
    from evidence_lib.plotting import describe_funnel

    f = fd.forest_inputs(ds)
    if f is None:
        return "Funnel plot: no pooled analysis with trial data in the data package yet."
    tr, res = f["trials"], f["pooled"]
    return (f"{f['source']}: {f['description']}. Axis: {f['axis_note']}. "
            + describe_funnel(tr.assign(se=tr["vi"] ** 0.5), estimate="y_pool", se="se",
                              pooled_estimate=math.log(res.estimate) if f["ratio"] else res.estimate))


# --------------------------------------------------------------------------- published pooled estimates

#: The review-estimates figure's title, the same in the PNG and in the report's caption.
REVIEWS_TITLE = "Published pooled estimates, by outcome and comparator"


def _reviews_figure(ds):
    from evidence_lib.plotting.forest import forest_plot

    p, w = fs.reviews_inputs(ds)
    if len(p) == 0:
        return _empty_figure("No published pooled estimates yet")
    notes = ["Published pooled estimates as printed by each review (no pooling across reviews).", fs.SQUARE_SIZE_NOTE]
    if w["left_out"]:
        notes.append(f"Left out ({NO_DIRECTION}): " + ", ".join(w["left_out"]) + ".")
    ax = forest_plot(p, estimate="estimate", label="label", group="group", weight=None, threshold=w["band"].value,
                     threshold_label=w["band"].note(), threshold_style=w["band"].style,
                     xlabel="Standardised mean difference", favours=w["favours"],
                     axis_note=w["axis_note"], label_heading="Review, timepoint, trials", notes=notes,
                     title=REVIEWS_TITLE)
    return ax.figure


def _reviews_describe(ds):
    from evidence_lib.plotting.forest import describe_forest

    p, w = fs.reviews_inputs(ds)
    if len(p) == 0:
        return "Published pooled estimates: no published pooled estimates in the data package yet."
    left = f" Left out (no direction recorded): {', '.join(w['left_out'])}." if w["left_out"] else ""
    return (f"Published pooled standardised mean differences, as printed by each review. Axis: {w['axis_note']} "
            "(no pooling across reviews). "
            + describe_forest(p, estimate="estimate", threshold=w["band"].value, threshold_label=w["band"].note(),
                              threshold_style=w["band"].style, what="pooled estimates")
            + left)


# --------------------------------------------------------------------------- effects over time

def _shaded_text(panels) -> str:
    """One "Shaded:" sentence for every band of the panels: the kind of threshold said once, then each size."""
    bands = {}
    for pn in panels:
        if pn["band"].value:
            bands.setdefault(pn["band"].text, []).append(pn["instrument"].rsplit(" 0-", 1)[0])
    if not bands:
        return ""
    heads = {t[:t.rindex(" (")] if " (" in t else t for t in bands}
    if len(heads) > 1:
        return "Shaded: " + "; ".join(bands) + "."
    parts = []
    for t, insts in bands.items():
        size, _, source = t[t.rindex(" (") + 2:-1].partition("; ")  # "±10 points; Thomas 2005; a design target..."
        parts.append(f"{size or source} for {', '.join(dict.fromkeys(insts))}" + (f" ({source})" if size else ""))
    return f"Shaded: {heads.pop()}: " + "; ".join(parts) + "."


def _time_notes(ds, panels) -> str:
    """The footnote of the effects-over-time figure in plain words."""
    means = [pn["group"] for pn in panels if pn["from_means"]]
    flipped = list(dict.fromkeys(pn["group"].split(" vs ")[0] for pn in panels if pn["resigned"]))
    what = fd.names(ds)["intervention"]
    return " ".join(s for s in (
        _shaded_text(panels),
        ("Computed from group means: " + ", ".join(means) + ".") if means else "",
        (" and ".join([", ".join(flipped[:-1]), flipped[-1]] if len(flipped) > 1 else flipped)
         + f" reported lower pain as positive; shown here, as in every panel, with negative = less pain with {what}.")
        if flipped else "") if s)


def _time_title(pn) -> str:
    shade = f"shaded \u00b1{pn['band'].value:g}" if pn["band"].value else "no threshold for this scale"
    return f"{pn['group']} \u00b7 {pn['instrument']} \u00b7 {shade}"


def _time_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.timecourse import effect_over_time, term_band_strip
    from evidence_lib.vocab import TERM_WEEK_LABELS

    e, panels, ylabel = fs.time_inputs(ds)
    if len(e) == 0:
        return _empty_figure("No pain differences with timepoints yet")
    xmax = max(float(e["timepoint_weeks"].max()) * 1.12, 14.0)
    vals = [float(v) for c in ("estimate", "ci_low", "ci_high") for v in e[c] if _isnum(v)]
    vals += [s * pn["band"].value for pn in panels if pn["band"].value for s in (-1, 1)] + [0.0]
    pad = 0.06 * (max(vals) - min(vals))
    ylim = (min(vals) - pad, max(vals) + pad)
    foot = wrap_balanced(_time_notes(ds, panels), 88)
    foot_in = 0.16 * (foot.count("\n") + 1) + 0.1 if foot else 0.0
    height = 1.75 * len(panels) + 1.3 + foot_in
    fig, axes = plt.subplots(len(panels) + 1, 1, figsize=(WIDTH, height), sharex=True, layout="constrained",
                             squeeze=False, height_ratios=[0.02] + [1] * len(panels))
    term_band_strip(axes[0, 0], xmax, TERM_WEEK_LABELS, heading="Terms, weeks from randomisation (all panels)")
    for ax, pn in zip(axes[1:, 0], panels):
        effect_over_time(e[e["group"] == pn["group"]], group="group", point_label="when", threshold=pn["band"].value,
                         xmax=xmax, ylim=ylim, term_names=False, color_index=fs.ARM_STYLE.get(pn["comparator"], 7),
                         ax=ax)
        ax.set_title(wrap_balanced(_time_title(pn), 72), fontsize=9, loc="left", fontweight="normal", pad=4)
    axes[-1, 0].set_xlabel("Weeks from randomisation\n(dotted lines: the term cut-offs at 1, 13 and 52 weeks)",
                           fontsize=9)
    fig.supylabel(ylabel, fontsize=9)
    _title(fig, "Pain differences over time, one panel per trial and comparator")
    if foot:
        fig.text(0.01, 0.02 / height, foot, fontsize=9, va="bottom", ha="left", color="0.25")
        fig.get_layout_engine().set(rect=(0, foot_in / height, 1, 1 - foot_in / height))
    return fig


def _time_describe(ds):
    from evidence_lib.plotting.timecourse import describe_effect_over_time

    e, panels, ylabel = fs.time_inputs(ds)
    if len(e) == 0:
        return "Effects over time: no pain differences with timepoints in the data package yet."
    parts = []
    for pn in panels:
        sub = e[e["group"] == pn["group"]]
        pts = ", ".join(f"{w}: {_fmt(v, 1)}" for w, v in zip(sub["when"], sub["estimate"]))
        parts.append(f"{_time_title(pn)}: {pts}")
    return (ylabel.replace("\n", " ") + ", one panel per trial and comparator, each point at its own week. "
            + describe_effect_over_time(e, group="group") + " " + "; ".join(parts) + ". " + _time_notes(ds, panels))


# --------------------------------------------------------------------------- responders

def _responder_figure(ds):
    import matplotlib.lines
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.timecourse import rates_by_timepoint

    r, definition = fs.responder_inputs(ds)
    fig, ax = plt.subplots(figsize=(WIDTH, 4.2), layout="constrained")
    if len(r) == 0:
        from evidence_lib.plotting import no_data

        no_data(ax, "No responder rates per arm yet")
        return fig
    rates_by_timepoint(r, timepoint="timepoint", group="arm", order=list(dict.fromkeys(r["timepoint"])),
                       ylabel="Responders, % of the arm\n(higher: more responders)", style_index=fs.arm_style_index(ds),
                       ax=ax)
    ax.set_ylim(0, 100)
    ax.set_xlabel("Weeks from randomisation", fontsize=9)
    handles, _ = ax.get_legend_handles_labels()
    if "ci_low" in r.columns and r["ci_low"].notna().any():      # the CI note in the key, not the title
        handles.append(matplotlib.lines.Line2D([], [], color="0.3", marker="|", ms=11, mew=1.2, ls="none", label=(
            "95% CI" + (", where the paper printed one" if r["ci_low"].isna().any() else ""))))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, fontsize=9, frameon=False)
    _title(fig, f"{r['label'].iloc[0]}: responders per arm")
    ax.set_title(wrap_balanced("Responder: " + definition, 80) if definition else "", fontsize=9, fontweight="normal")
    return fig


def _other_arm_sizes(ds, rates) -> dict:
    """Other sizes the data hold for the arms of the responder figure's trial: arm name -> (n, where read).

    Where a paper prints two sizes for one arm (the abstract and a table footnote), the
    caption gives both, each with where it was read (``arms`` rows of the responder outcome).
    """
    from evidence_lib.review.labels import review_labels
    from evidence_lib.review.views import source_labels

    words = review_labels(ds)
    names = {"intervention": words["intervention"], **words["comparators_short"]}
    sources = [sid for sid, lab in source_labels(ds).items() if lab == rates["label"].iloc[0]]
    arms = ds.arms[(ds.arms["outcome"] == "response") & ds.arms["source_id"].isin(sources) & ds.arms["n"].notna()]
    return {names.get(a.arm, a.arm): (int(a.n), str(a.location)) for a in arms.itertuples(index=False)}


def _responder_describe(ds):
    r, definition = fs.responder_inputs(ds)
    if len(r) == 0:
        return "Responder rates: no responder rates per arm in the data package yet."
    parts = [f"{t}: " + ", ".join(f"{a} {e:.1f}%" for a, e in zip(g["arm"], g["estimate"]))
             for t, g in r.groupby("timepoint", sort=False)]
    ns = r.groupby("arm")["n"].max()
    other = _other_arm_sizes(ds, r)

    def size(arm, n):
        alt = other.get(arm)
        return f"{arm} n = {int(n)}" + (f" ({alt[0]:,} per the source's {alt[1]})" if alt and alt[0] != int(n) else "")

    nt = "; ".join(size(a, v) for a, v in ns.items() if v == v)
    nt = f"group sizes as printed with the responder rates: {nt}" if nt else "group sizes not given"
    return (f"Responder rates per arm in {r['label'].iloc[0]} ({len(ns)} arms; {nt}) at each timepoint "
            f"(weeks from randomisation, drawn as categories); higher is better. "
            + (f"Responder: {definition}. " if definition else "") + "; ".join(parts)
            + ". Confidence intervals are drawn where the paper printed them.")


# --------------------------------------------------------------------------- safety

def _safety_figure(ds):
    import textwrap

    import matplotlib.pyplot as plt

    from evidence_lib.plotting.safety import safety_rates

    panels = fs.safety_panels(ds)
    if not panels:
        fig, ax = plt.subplots(figsize=(7.2, 2.4), layout="constrained")
        safety_rates(fs.ae_inputs(ds), unit="per 10,000 patients", ax=ax)
        return fig
    sizes = [max(len(rows), 2) + 1.6 for _t, _r, _u, rows in panels]
    fig = plt.figure(figsize=(7.6, 0.34 * sum(sizes) + 0.9 * len(panels)), layout="constrained")
    subs = fig.subfigures(len(panels), 1, height_ratios=sizes, squeeze=False)[:, 0]
    colours = {"attributed": 0, "all_cause": 5, "not_stated": 7}
    for sub, (title, rates, unit, rows) in zip(subs, panels):
        ax = sub.subplots()
        safety_rates(rows, unit=unit, color=colours.get(rows["attribution"].iloc[0], 7),
                     marker="o" if "patient" in unit else "s", ax=ax)
        if rows["label"].str.contains(fs.SIGNIFICANT_EVENT).any():
            ax.set_xlabel(ax.get_xlabel() + "\n" + wrap_balanced(fs.SIGNIFICANT_NOTE, 80), fontsize=9)
        sub.suptitle("\n".join([*textwrap.wrap(title, 92), rates]), x=0.01, ha="left", fontsize=9.5,
                     fontweight="bold")
    return fig


def _safety_describe(ds):
    from evidence_lib.plotting.safety import describe_safety_rates

    panels = fs.safety_panels(ds)
    if not panels:
        return "Adverse-event rates: no adverse-event data yet."
    return ("Adverse-event rates in separate panels for events attributed to the treatment, all events in "
            "trial arms whatever the cause, and events whose cause is not stated; each axis in one unit. "
            + " ".join(f"{title}. {rates}: " + describe_safety_rates(
                rows.assign(label=rows["label"].str.replace("\n", " ")), unit=unit) for title, rates, unit, rows in panels))


# --------------------------------------------------------------------------- session plans and evidence map

def _plans_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.evidence import session_plan_timeline
    from evidence_lib.review.labels import review_labels

    p, labels = fs.protocol_rows(ds)
    n = int((p["arm"] == "intervention").sum()) if len(p) else 0
    fig, ax = plt.subplots(figsize=(WIDTH, 0.34 * (n + 1) + 2.6), layout="constrained")
    session_plan_timeline(p, reference_plan=fs.reference_plan(ds), labels=labels,
                          plan_labels=review_labels(ds)["protocol_labels"], ax=ax)
    _title(fig, "The article's session plan beside the plans the trials tested")
    return fig


def _plans_describe(ds):
    from evidence_lib.plotting.evidence import describe_session_plan_timeline

    if len(fs.protocol_rows(ds)[0]) == 0:
        return "Session plans: no trial protocols in the data package yet."
    return describe_session_plan_timeline(fs.protocol_rows(ds)[0], reference_plan=fs.reference_plan(ds))  # as drawn


def _map_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.evidence import evidence_map

    tab, w = fs.map_inputs(ds)
    fig, ax = plt.subplots(figsize=(WIDTH, 6.0), layout="constrained")
    if tab is None:
        from evidence_lib.plotting import no_data

        no_data(ax, "No claims yet")
        return fig
    evidence_map(tab, row_order=w["row_order"], row_labels=w["row_labels"],
                 xlabel="GRADE certainty of the evidence behind the verdict", ax=ax)
    ax.set_title("A claim resting on several kinds of evidence appears in each of their rows", fontsize=9,
                 loc="left", fontweight="normal")
    _title(fig, "Claims by kind of evidence and certainty")
    return fig


def _map_describe(ds):
    from evidence_lib.plotting.evidence import describe_evidence_map

    tab, w = fs.map_inputs(ds)
    if tab is None:
        return "Evidence map: no claims yet."
    return describe_evidence_map(tab, row_order=w["row_order"], row_text=w["row_text"])


def spec(name: str) -> FigureSpec:
    """The registered figure called ``name`` (KeyError listing the names otherwise).

    Parameters
    ----------
    name : str
        The figure's registry name (e.g. ``"forest"``).

    Returns
    -------
    FigureSpec
        Its name, title, and drawing and describing functions.

    Raises
    ------
    KeyError
        If no figure has that name; the message lists the names.
    """
    specs = {s.name: s for s in registry()}
    if name not in specs:
        raise KeyError(f"no figure {name!r}; the figures are: {', '.join(specs)}")
    return specs[name]


def show(ds, name: str) -> str:
    """Draw a registered figure in the package style, show it, and return its alt text.

    For notebooks: ``print(figures.show(ds, "forest"))`` displays the figure and prints the
    text summary that nbval compares (nbval does not compare images).

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).
    name : str
        The figure's registry name.

    Returns
    -------
    str
        The figure's alt text.

    Raises
    ------
    KeyError
        If no figure has that name.
    """
    import matplotlib.pyplot as plt

    from evidence_lib.plotting import style

    s = spec(name)
    with style():
        s.draw(ds)
        plt.show()
    return s.describe(ds)


def registry() -> list[FigureSpec]:
    """All figures ``evidence build`` writes, in report order.

    Every draw function copes with empty tables (a "no data yet" panel).
    """
    return [
        FigureSpec("verdicts-by-category", "Verdicts by claim category", _finished(_ledger_figure), _ledger_describe),
        FigureSpec("evidence-map", "Claims by kind of evidence and certainty", _finished(_map_figure), _map_describe),
        FigureSpec("review-estimates", REVIEWS_TITLE, _finished(_reviews_figure),
                   _reviews_describe),
        FigureSpec("forest", "Forest plot of the main pooled analysis", _finished(_forest_figure), _forest_describe),
        FigureSpec("own-pooling", "Our own pooling of trial pain differences, by comparator", _finished(_own_figure),
                   _own_describe),
        FigureSpec("funnel", "Contour-enhanced funnel plot", _finished(_funnel_figure), _funnel_describe),
        FigureSpec("effects-over-time", "Pain effects by weeks from randomisation", _finished(_time_figure), _time_describe),
        FigureSpec("three-arm-responders", "Responders per arm of a multi-arm trial",
                   _finished(_responder_figure), _responder_describe),
        FigureSpec("safety-rates", "Adverse-event rates", _finished(_safety_figure), _safety_describe),
        FigureSpec("session-plans", "The article's session plan beside the trials' plans", _finished(_plans_figure),
                   _plans_describe),
        FigureSpec("network-graph", "The network of trials for short-term pain", _finished(fn.graph_figure), fn.graph_describe,
                   section="network"),
        FigureSpec("network-forest", fn.forest_title, _finished(fn.forest_figure),
                   fn.forest_describe, section="network"),
    ]
