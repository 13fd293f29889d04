"""The figure registry of ``evidence build`` and deterministic, atomic saving.

A figure is a :class:`FigureSpec`: a name, a function that draws it from a Dataset and
a function that writes its alt text from the same data. :func:`save_figure` writes PNG
and SVG with no dates or random ids in their metadata (so rebuilding the same data gives
byte-identical files), each through a temporary file moved into place.
"""

from __future__ import annotations

from evidence_lib.vocab import RATIO_MEASURES

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from evidence_lib._io import atomic_write_bytes
from evidence_lib._values import is_number as _isnum
from evidence_lib.review.views import source_labels


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the build: ``draw(ds) -> Figure`` and ``describe(ds) -> str``."""

    name: str
    title: str
    draw: Callable
    describe: Callable


def save_figure(fig, stem: str | Path, *, formats=("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``stem.png`` and ``stem.svg`` deterministically and atomically.

    Every format is rendered to memory first and only then written (each file through a
    temporary file renamed into place), so a failure while rendering leaves no file of
    this figure half-written and no temporary file behind. PNG: no ``Software`` text
    chunk (Agg writes no date); SVG: no ``Date``, fixed ``svg.hashsalt`` for the ids.
    """
    import matplotlib as mpl

    blobs = []
    for fmt in formats:
        buf = io.BytesIO()
        meta = {"Date": None} if fmt == "svg" else {"Software": None}
        if fmt == "pdf":
            meta = {"CreationDate": None, "ModDate": None}
        with mpl.rc_context({"svg.hashsalt": "evidence_lib", "svg.fonttype": "path"}):
            fig.savefig(buf, format=fmt, metadata=meta, dpi=150 if fmt == "png" else None)
        blobs.append((Path(f"{stem}.{fmt}"), buf.getvalue()))
    return [atomic_write_bytes(path, data) for path, data in blobs]


def svg_string(fig) -> str:
    """The figure as an SVG string for inline embedding (deterministic)."""
    import matplotlib as mpl

    buf = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": "evidence_lib", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def _ledger_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.verdicts import verdict_overview

    fig, ax = plt.subplots(figsize=(7.5, 4.6), layout="constrained")
    verdict_overview(ds, ax=ax)
    return fig


def _ledger_describe(ds):
    from evidence_lib.plotting.verdicts import describe_verdict_overview

    return describe_verdict_overview(ds)


# --------------------------------------------------------------------------- helpers





def _empty_figure(message, detail=None, size=(7.5, 3.2)):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting import no_data

    fig, ax = plt.subplots(figsize=size, layout="constrained")
    no_data(ax, message, detail=detail)
    return fig


def _threshold(ds, measure, *, outcome="pain"):
    """The between-group clinically important difference for a measure, or None.

    Among ``mcid_between_group`` rows of the measure (then ``smd_convention`` rows),
    prefer instruments naming the outcome (pain, VAS, NRS), then 0-100 scales, then the
    smallest value (the most lenient threshold for the intervention), then the id.
    For MD on 0-10 scales the value is put on 0-100 (x10), the scale the figures use.
    """
    t = ds.thresholds
    if len(t) == 0 or measure is None:
        return None
    words = {"pain": ("pain", "vas", "nrs")}.get(outcome, (outcome,))
    for kind in ("mcid_between_group", "smd_convention"):
        hit = t[(t["measure"] == measure) & (t["kind"] == kind)]
        if len(hit) == 0:
            continue
        rows = []
        for r in hit.itertuples(index=False):
            inst = str(r.instrument).lower()
            named = any(w in inst for w in words)
            value = float(r.value)
            if measure == "MD" and "0-10" in inst and "0-100" not in inst:
                value *= 10
            rows.append((not named, "0-100" not in inst, value, r.threshold_id))
        return min(rows)[2]
    return None


def _usable(row) -> bool:
    has_effect = _isnum(row.estimate) and _isnum(row.ci_low) and _isnum(row.ci_high)
    has_arms = all(_isnum(v) for v in (row.mean_i, row.sd_i, row.mean_c, row.sd_c, row.n_intervention, row.n_control))
    return has_effect or has_arms


def pick_analysis(ds):
    """The pooled analysis the forest and funnel figures show, or None.

    Rule: among analyses with at least 2 usable trial_data rows, prefer pain outcomes,
    then sham controls, then the most trials, then the analysis_id (alphabetical).
    """
    td = ds.trial_data
    if len(td) == 0 or len(ds.pooled_results) == 0:
        return None
    ok = td[[_usable(r) for r in td.itertuples(index=False)]]
    counts = ok.groupby("analysis_id").size()
    cands = []
    for r in ds.pooled_results.itertuples(index=False):
        k = int(counts.get(r.analysis_id, 0))
        if k >= 2:
            cands.append((r.outcome != "pain", r.comparator_class != "sham", -k, r.analysis_id))
    return min(cands)[3] if cands else None


def trial_effects(ds, analysis_id):
    """The trials of one analysis for the forest and funnel plots, and the measure.

    The rows of :func:`evidence_lib.review.reproduce.trial_rows` (arm data where printed, else
    the printed estimate and CI), with ``y_pool`` on the pooling scale (log for ratios)
    and ``yi``/``ci_low``/``ci_high`` on the plotted scale (natural for ratios).
    """
    import numpy as np

    from evidence_lib.review.reproduce import trial_rows

    rows = trial_rows(ds, analysis_id)
    measure = rows.attrs["measure"]
    rows = rows.assign(y_pool=rows["yi"])
    if measure in RATIO_MEASURES:
        rows[["yi", "ci_low", "ci_high"]] = np.exp(rows[["yi", "ci_low", "ci_high"]])
    return rows, measure


def pool_trials(y_pool, vi, *, ratio=False):
    """Pool with :func:`evidence_lib.meta.pool`: DerSimonian-Laird with a Wald (z) interval.

    That is Review Manager's "IV, Random", the model of the Cochrane analyses the figures
    re-draw, so that the diamond matches the published one (see
    :mod:`evidence_lib.review.reproduce`). Ratios come back exponentiated (natural scale) for
    plotting.
    """
    from types import SimpleNamespace

    from evidence_lib.meta import pool

    res = pool(list(y_pool), list(vi), method="DL", ci="wald")
    names = ("estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "q", "q_df", "q_pvalue",
             "k", "pvalue", "statistic", "ci_method", "method")
    d = {n: getattr(res, n) for n in names}
    if ratio:
        for n in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
            d[n] = math.exp(d[n])
    return SimpleNamespace(**d)


def _forest_threshold(ds, measure, description):
    """The CID for the forest plot, only where the scale is known from the analysis' description."""
    if measure != "MD":
        return None
    t = _threshold(ds, "MD")
    d = str(description).lower()
    if t is None or not ("0-100" in d or "0-10" in d):
        return None
    return t if "0-100" in d else t / 10


def _forest_inputs(ds):
    aid = pick_analysis(ds)
    if aid is None:
        return None
    tr, measure = trial_effects(ds, aid)
    ratio = measure in RATIO_MEASURES
    res = pool_trials(tr["y_pool"], tr["vi"], ratio=ratio)
    row = ds.pooled_results[ds.pooled_results["analysis_id"] == aid].iloc[0]
    return aid, tr, measure, ratio, res, row


_MEASURE_NAMES = {"MD": "Mean difference", "SMD": "Std. mean difference", "RR": "Risk ratio", "OR": "Odds ratio"}


def _forest_figure(ds):
    from evidence_lib.plotting.forest import forest_plot

    inp = _forest_inputs(ds)
    if inp is None:
        return _empty_figure("No pooled analysis with trial data yet",
                             "The forest plot appears once trial_data rows of a pooled analysis are entered.")
    aid, tr, measure, ratio, res, row = inp
    tr = tr.copy()
    tr["weight"] = tr["weight_printed"] if tr["weight_printed"].notna().all() else None
    ax = forest_plot(tr, n=("n_i", "n_c") if tr["n_i"].notna().any() else None, pooled=res,
                     threshold=_forest_threshold(ds, measure, row.description), null=1.0 if ratio else 0.0, log_scale=ratio,
                     weight="weight" if tr["weight"].notna().all() else None,
                     xlabel=_MEASURE_NAMES.get(measure, measure) + (f", {row.outcome}" if isinstance(row.outcome, str) else ""))
    return ax.figure


def _forest_describe(ds):
    from evidence_lib.plotting.forest import describe_forest

    inp = _forest_inputs(ds)
    if inp is None:
        return "Forest plot: no pooled analysis with trial data in the data package yet."
    aid, tr, measure, ratio, res, row = inp
    return (f"Analysis {aid} ({row.description}; {measure}), re-pooled with the package's meta-analysis engine "
            f"(DerSimonian-Laird, Wald interval, as Review Manager). "
            + describe_forest(tr, pooled=res, threshold=_forest_threshold(ds, measure, row.description),
                              null=1.0 if ratio else 0.0))


def _own_inputs(ds):
    """The package's own pooling: pain MDs on 0-100 scales, short term, by comparator (DL, as RevMan)."""
    from evidence_lib.review.views import pain_md_set

    t = pain_md_set(ds)
    if len(t) < 2 or t["comparator_label"].nunique() < 2:
        return None
    from evidence_lib.meta import pool, subgroups

    sg = subgroups(t["yi"], t["vi"], t["comparator_label"], method="DL")
    t = t.assign(label=[f"{lab} ({inst.split(' (')[0]}, wk {w:g})"
                        for lab, inst, w in zip(t["label"], t["instrument"], t["timepoint_weeks"])])
    return t, sg, pool(t["yi"], t["vi"], method="DL")


def _own_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.forest import forest_plot

    inp = _own_inputs(ds)
    if inp is None:
        return _empty_figure("Too few trials with pain on a 0-100 scale yet")
    t, sg, _ = inp
    fig, ax = plt.subplots(figsize=(8.0, 0.3 * (len(t) + 4 * len(sg.groups)) + 1.6), layout="constrained")
    forest_plot(t, estimate="yi", group="comparator_label", n=("n_i", "n_c"), weight=None,
                subgroup_results=sg.results,
                subgroup_test={"q": sg.q_between, "df": sg.q_between_df, "pvalue": sg.q_between_pvalue},
                threshold=_threshold(ds, "MD"), xlabel="Mean difference, pain 0-100", ax=ax)
    return fig


def _own_describe(ds):
    from evidence_lib.plotting.forest import describe_forest

    inp = _own_inputs(ds)
    if inp is None:
        return "Own pooling: fewer than two comparator groups with pain on a 0-100 scale in the data yet."
    t, sg, _ = inp
    parts = [f"{g}: {r.estimate:.1f} (95% CI {r.ci_low:.1f} to {r.ci_high:.1f}, k = {r.k})" for g, r in sg.results.items()]
    return ("The package's own pooling (not a published analysis) of trial pain differences on 0-100 scales at the "
            "first visit up to 13 weeks, DerSimonian-Laird within each comparator group. "
            + describe_forest(t, estimate="yi", threshold=_threshold(ds, "MD"))
            + " Pooled by group: " + "; ".join(parts)
            + f". Test for subgroup differences: Q = {sg.q_between:.2f} on {sg.q_between_df} df, "
              f"p = {sg.q_between_pvalue:.3f}.")


def _funnel_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting import funnel_plot

    inp = _forest_inputs(ds)
    if inp is None:
        return _empty_figure("No pooled analysis with trial data yet")
    aid, tr, measure, ratio, res, row = inp
    fig, ax = plt.subplots(figsize=(7.0, 4.4), layout="constrained")
    tr = tr.assign(se=tr["vi"] ** 0.5)
    funnel_plot(tr, estimate="y_pool", se="se", pooled_estimate=math.log(res.estimate) if ratio else res.estimate,
                xlabel=f"log {measure}" if ratio else measure, ax=ax)
    return fig


def _funnel_describe(ds):
    from evidence_lib.plotting import describe_funnel

    inp = _forest_inputs(ds)
    if inp is None:
        return "Funnel plot: no pooled analysis with trial data in the data package yet."
    aid, tr, measure, ratio, res, row = inp
    tr = tr.assign(se=tr["vi"] ** 0.5)
    return f"Analysis {aid}. " + describe_funnel(tr, estimate="y_pool", se="se",
                                                 pooled_estimate=math.log(res.estimate) if ratio else res.estimate)


def _time_inputs(ds):
    """Pain mean differences by week on one 0-100 scale, negative favouring acupuncture
    (:func:`evidence_lib.review.views.pain_differences`), one line per trial and comparator."""
    from evidence_lib.review.views import pain_differences

    p = pain_differences(ds)
    group = [f"{lab} vs {c.replace('_', ' ')}" + (" (from arm data)" if o == "arms" else "")
             for lab, c, o in zip(p["label"], p["comparator_class"], p["origin"])]
    out = p.assign(group=group).rename(columns={"yi": "estimate"})
    cols = ["source_id", "timepoint_weeks", "estimate", "ci_low", "ci_high", "group"]
    return out.sort_values(["group", "timepoint_weeks"])[cols].reset_index(drop=True), "MD"


def _time_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.evidence import effect_over_time

    e, measure = _time_inputs(ds)
    fig, ax = plt.subplots(figsize=(8.0, 5.6), layout="constrained")
    effect_over_time(e, group="group", threshold=_threshold(ds, measure), labels={g: g for g in e["group"]},
                     ylabel="Pain, mean difference on 0-100\n(negative favours acupuncture)", legend="below", ax=ax)
    return fig


def _time_describe(ds):
    from evidence_lib.plotting.evidence import describe_effect_over_time

    e, measure = _time_inputs(ds)
    return ("Pain mean differences rescaled to 0-100, negative favouring acupuncture. "
            + describe_effect_over_time(e, group="group", threshold=_threshold(ds, measure)))


_AE_LABELS = {"any": "Any adverse event", "bleeding_haematoma": "Bleeding, haematoma", "needling_pain": "Pain at needling",
              "dizziness_fainting": "Dizziness, fainting", "pneumothorax": "Pneumothorax", "serious": "Serious events",
              "infection": "Infection", "nausea_vomiting": "Nausea, vomiting", "fatigue": "Fatigue",
              "pain_aggravation": "Pain aggravation", "other": "Other"}


_AE_SCALE = {"per_patient": 1, "per_treatment": 1, "per_10000_patients": 10000, "per_10000_treatments": 10000}


def _ae_inputs(ds):
    """Adverse-event rows with a rate: the printed one, else events/denominator on the
    unit's scale with an exact (Clopper-Pearson) 95% interval. Labelled by the row's
    ``event`` name (else its type, plus its id for 'other' or repeated types) and source;
    patients first."""
    import pandas as pd
    from scipy.special import betaincinv

    ae = ds.adverse_events
    cols = ["ae_id", "source_id", "ae_type", "unit", "estimate", "ci_low", "ci_high", "label"]
    if len(ae) == 0:
        return pd.DataFrame(columns=cols)
    labels = source_labels(ds)
    rows = []
    seen = ae.groupby(["source_id", "ae_type", "unit"]).size()
    for r in ae.itertuples(index=False):
        scale = _AE_SCALE.get(r.unit, 1)
        est, lo, hi = r.estimate, r.ci_low, r.ci_high
        ev_, den = r.events, r.denominator
        counted = _isnum(ev_) and _isnum(den) and float(den) > 0
        if not _isnum(est) and counted:
            est = float(ev_) / float(den) * scale
        if not _isnum(est):
            continue
        if not (_isnum(lo) and _isnum(hi)) and counted:
            x, n = int(ev_), int(den)
            lo = (float(betaincinv(x, n - x + 1, 0.025)) if x > 0 else 0.0) * scale
            hi = (float(betaincinv(x + 1, n - x, 0.975)) if x < n else 1.0) * scale
        name = str(getattr(r, "event", "") or "").strip()
        if not name or name == "nan":
            name = _AE_LABELS.get(r.ae_type, r.ae_type)
            if r.ae_type == "other" or seen.get((r.source_id, r.ae_type, r.unit), 0) > 1:
                own = str(r.ae_id)
                own = own[len(r.source_id):].strip("-_.") if own.startswith(r.source_id) else own
                own = own.replace("-", " ").replace("_", " ")
                name = f"{name}: {own}" if r.ae_type != "other" else own.capitalize()
        rows.append({"ae_id": r.ae_id, "source_id": r.source_id, "ae_type": r.ae_type, "unit": r.unit,
                     "estimate": float(est), "ci_low": float(lo) if _isnum(lo) else float("nan"),
                     "ci_high": float(hi) if _isnum(hi) else float("nan"),
                     "label": f"{name[:44]} ({labels.get(r.source_id, r.source_id)})"})
    out = pd.DataFrame(rows, columns=cols)
    if len(out):
        out["_per10k"] = out["estimate"] * out["unit"].map(lambda u: 10000 / _AE_SCALE.get(u, 1))
        out["_pat"] = ~out["unit"].str.contains("patient")
        out = out.sort_values(["_pat", "_per10k", "ae_id"], ascending=[True, False, True]).drop(
            columns=["_per10k", "_pat"])
    return out.reset_index(drop=True)


def _safety_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.evidence import safety_rates

    ae = _ae_inputs(ds)
    fig, ax = plt.subplots(figsize=(9.0, 0.36 * max(len(ae), 3) + 1.6), layout="constrained")
    safety_rates(ae, ax=ax)
    return fig


def _safety_describe(ds):
    from evidence_lib.plotting.evidence import describe_safety_rates

    return describe_safety_rates(_ae_inputs(ds))


def _plans_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.evidence import session_plan_timeline

    p = ds.protocols.sort_values(["source_id", "protocol_id"]) if len(ds.protocols) else ds.protocols
    n = int((p["arm"] == "acupuncture").sum()) if len(p) else 0
    fig, ax = plt.subplots(figsize=(8.0, 0.42 * (n + 1) + 1.6), layout="constrained")
    session_plan_timeline(p, labels=source_labels(ds), ax=ax)
    return fig


def _plans_describe(ds):
    from evidence_lib.plotting.evidence import describe_session_plan_timeline

    return describe_session_plan_timeline(ds.protocols)


def _map_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.evidence import evidence_map

    fig, ax = plt.subplots(figsize=(8.0, 4.8), layout="constrained")
    evidence_map(ds.claims, ds.claim_sources, ds.sources, ax=ax)
    return fig


def _map_describe(ds):
    from evidence_lib.plotting.evidence import describe_evidence_map

    return describe_evidence_map(ds.claims, ds.claim_sources, ds.sources)


def _reviews_inputs(ds):
    from evidence_lib.review.views import pooled_summary

    p = pooled_summary(ds, measure="SMD")
    p = p.assign(group=p["comparator_label"] + ", " + p["outcome"].str.replace("_", " "))
    return p


def _reviews_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.forest import forest_plot

    p = _reviews_inputs(ds)
    if len(p) == 0:
        return _empty_figure("No published pooled estimates yet")
    fig, ax = plt.subplots(figsize=(8.0, 0.21 * (len(p) + 2 * p["group"].nunique()) + 1.4), layout="constrained")
    forest_plot(p, estimate="benefit_estimate", ci_low="benefit_ci_low", ci_high="benefit_ci_high", label="label",
                group="group", weight=None, threshold=_threshold(ds, "SMD"),
                xlabel="SMD (negative favours acupuncture)", label_heading="Review", ax=ax)
    return fig


def _reviews_describe(ds):
    from evidence_lib.plotting.forest import describe_forest

    p = _reviews_inputs(ds)
    return ("Published pooled standardised mean differences, as printed by each review, signs set so that negative "
            "favours acupuncture (no pooling across reviews). "
            + describe_forest(p, estimate="benefit_estimate", ci_low="benefit_ci_low", ci_high="benefit_ci_high",
                              label="label", threshold=_threshold(ds, "SMD"), what="pooled estimates"))


def _responder_inputs(ds):
    from evidence_lib.review.views import responder_rates

    return responder_rates(ds, "haake2007")


def _responder_figure(ds):
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.evidence import effect_over_time

    r = _responder_inputs(ds)
    fig, ax = plt.subplots(figsize=(8.0, 4.0), layout="constrained")
    effect_over_time(r, group="arm", null=None, labels={a: a for a in r["arm"]},
                     ylabel="Responders (%)\n(GERAC definition)", ax=ax)
    if len(r):
        ax.set_ylim(0, 100)
    return fig


def _responder_describe(ds):
    r = _responder_inputs(ds)
    if len(r) == 0:
        return "Responder rates: no three-arm responder data in the data package yet."
    parts = []
    for w, g in r.groupby("timepoint_weeks", sort=True):
        parts.append(f"week {w:g}: " + ", ".join(f"{a} {e:.1f}%" for a, e in zip(g["arm"], g["estimate"])))
    return (f"Responder rates per arm in {r['label'].iloc[0]} (three arms, about 387 patients each) by weeks from "
            f"randomisation; " + "; ".join(parts) + ". Confidence intervals are drawn where the paper printed them.")


def spec(name: str) -> FigureSpec:
    """The registered figure called ``name`` (KeyError listing the names otherwise)."""
    specs = {s.name: s for s in registry()}
    if name not in specs:
        raise KeyError(f"no figure {name!r}; the figures are: {', '.join(specs)}")
    return specs[name]


def show(ds, name: str) -> str:
    """Draw a registered figure in the package style, show it, and return its alt text.

    For notebooks: ``print(figures.show(ds, "forest"))`` displays the figure and prints the
    text summary that nbval compares (nbval does not compare images).
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
        FigureSpec("verdicts-by-category", "Verdicts by claim category", _ledger_figure, _ledger_describe),
        FigureSpec("evidence-map", "Claims by kind of evidence and certainty", _map_figure, _map_describe),
        FigureSpec("review-estimates", "Published pooled estimates by comparator", _reviews_figure,
                   _reviews_describe),
        FigureSpec("forest", "Forest plot of the main pooled analysis", _forest_figure, _forest_describe),
        FigureSpec("own-pooling", "Our own pooling of trial pain differences, by comparator", _own_figure,
                   _own_describe),
        FigureSpec("funnel", "Contour-enhanced funnel plot", _funnel_figure, _funnel_describe),
        FigureSpec("effects-over-time", "Pain effects by weeks from randomisation", _time_figure, _time_describe),
        FigureSpec("three-arm-responders", "Responders per arm: acupuncture, sham and conventional care",
                   _responder_figure, _responder_describe),
        FigureSpec("safety-rates", "Adverse-event rates", _safety_figure, _safety_describe),
        FigureSpec("session-plans", "The article's session plan beside the trials' plans", _plans_figure,
                   _plans_describe),
    ]
