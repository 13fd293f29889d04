"""The data behind the build's non-forest figures: effects over time, responders, safety,
session plans and the evidence map (the rules as in :mod:`evidence_lib.output.figure_data`)."""

from __future__ import annotations

from evidence_lib._values import is_missing
from evidence_lib._values import is_number as _isnum
from evidence_lib.dataset.derived import per_dataset
from evidence_lib.output.figure_data import axis_words, band_for, favour_labels, names, term_text



def reference_plan(ds) -> dict | None:
    """The article's own session plan, from the descriptor's ``review.article_plan`` (None when it has none).

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    dict or None
        ``label`` and the plan's ``minutes``, ``sessions_per_week`` and ``weeks``.
    """
    plan = (ds.descriptor.get("review", {}) or {}).get("article_plan")
    if not plan:
        return None
    return {"label": plan.get("label", "The article's plan"),
            **{k: tuple(plan[k]) for k in ("minutes", "sessions_per_week", "weeks", "maintenance_every_weeks")
               if k in plan}}


# --------------------------------------------------------------------------- effects over time

@per_dataset
def time_inputs(ds):
    """Pain mean differences on 0-100, negative favouring the intervention, one panel per trial and comparator.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    (DataFrame, list of dict, str)
        Rows (``group``, ``timepoint_weeks``, ``estimate``, ``ci_low``, ``ci_high``, ``when``),
        one dict per panel (``group``: "<trial> vs <comparator>", ``comparator``: its code,
        ``band``, ``instrument``, ``resigned``: whether the source printed lower pain as
        positive and the values were re-signed, ``from_means``: whether the differences were
        computed from the groups' means) and the y-axis words.
    """
    from evidence_lib.review.views import pain_differences

    p = pain_differences(ds)
    n = names(ds)
    both = p.assign(m=p["origin"] == "arms").groupby(["label", "comparator_class"])["m"].nunique()
    p = p.assign(group=[f"{lab} vs {n['comparator'](c)}" + (" (from group means)" if o == "arms" and both[(lab, c)] > 1
                                                             else "")
                        for lab, c, o in zip(p["label"], p["comparator_class"], p["origin"])],
                 when=[f"{w:g} wk" for w in p["timepoint_weeks"]]).rename(columns={"yi": "estimate"})
    panels = []
    for g, sub in p.groupby("group", sort=True):
        inst = sub["instrument"].iloc[0]
        factor = 1.0 if "0-100" in inst else 10.0
        panels.append({"group": g, "comparator": sub["comparator_class"].iloc[0], "instrument": inst.split(" (")[0],
                       "band": band_for(ds, "MD", [inst], labels=[g], factor=factor),
                       "resigned": bool(sub["resigned"].astype(bool).any()),
                       "from_means": bool((sub["origin"] == "arms").all())})
    cols = ["group", "timepoint_weeks", "estimate", "ci_low", "ci_high", "when", "instrument"]
    rows = p.sort_values(["group", "timepoint_weeks"])[cols].reset_index(drop=True)
    return rows, panels, "Pain, mean difference,\npoints on 0-100\n(" + axis_words(ds, "negative", ["pain"]) + ")"


# --------------------------------------------------------------------------- published pooled estimates

#: How the review-estimates figure sizes its squares, in the words of the forest plotter's rule
#: (no weights given: marker area grows with 1/SE, the SE read from the printed 95% CI).
SQUARE_SIZE_NOTE = ("Square size: larger for a more precise estimate (its area grows with 1/SE, the standard "
                    "error read from the printed 95% CI); it is not a weight, since nothing is pooled here.")


@per_dataset
def reviews_inputs(ds):
    """Published pooled SMDs on one sign convention (negative: benefit), with readable row labels.

    Rows are grouped by outcome and comparator, then by review, and within a review ordered
    by time point (the term's order, immediate to long; rows without a term last).

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    (DataFrame, dict)
        Rows (``estimate``, ``ci_low``, ``ci_high`` harmonised; ``label``; ``group``) and the
        figure's words (``axis_note``, ``band``, ``left_out``, ``favours``).
    """
    from evidence_lib.review.direction import benefit_scale
    from evidence_lib.review.views import pooled_summary, source_labels
    from evidence_lib.vocab import TERMS

    p = pooled_summary(ds, measure="SMD")
    for col in ("favours", "instrument", "term", "timepoint"):
        if col not in p.columns:
            p[col] = None
    n = names(ds)
    sl = source_labels(ds)
    keep = p["favours"].isin(["negative", "positive"])
    left_out = [sl.get(s, s) for s in p.loc[~keep, "source_id"]]
    p = p[keep].copy()
    harm = [benefit_scale(e, lo, hi, measure="SMD", favours=f)
            for e, lo, hi, f in zip(p["estimate"], p["ci_low"], p["ci_high"], p["favours"])]
    p["estimate"] = [-b for b, _, _ in harm]
    p["ci_low"] = [-h for _, _, h in harm]
    p["ci_high"] = [-lo for _, lo, _ in harm]
    outcome_name = {o: o.replace("_", " ") for o in p["outcome"].unique()}
    p["group"] = [f"{outcome_name[o].capitalize()}, vs {n['comparator'](c)}"
                  for o, c in zip(p["outcome"], p["comparator_class"])]
    p["label"] = [f"{sl.get(s, s)}, {term_text(te, tp)}, "
                  + ("trials: not given" if is_missing(k) else f"{int(k)} trials")
                  for s, te, tp, k in zip(p["source_id"], p["term"], p["timepoint"], p["k"])]
    p["_term"] = [TERMS.index(t) if t in TERMS else len(TERMS) for t in p["term"]]
    p = p.sort_values(["outcome", "comparator_class", "source_id", "_term", "analysis_id"]).drop(
        columns="_term").reset_index(drop=True)
    band = band_for(ds, "SMD", list(p["instrument"]), labels=list(p["label"]))
    words = {"axis_note": "Standardised mean difference, signs harmonised ("
                          + axis_words(ds, "negative", list(p["outcome"])) + ")",
             "band": band, "left_out": left_out, "favours": favour_labels(ds, "negative", None)}
    return p, words


# --------------------------------------------------------------------------- arm looks

#: One colour and marker (an index into the plotting layer's Okabe-Ito colours and markers) per
#: arm code (:data:`evidence_lib.vocab.ARMS`), shared by every figure that marks arms or comparators.
ARM_STYLE = {"intervention": 0, "conventional_therapy": 1, "sham": 2, "no_treatment": 3, "usual_care": 5,
             "active_other": 6, "mixed": 7}


def arm_style_index(ds) -> dict:
    """Arm words as figures print them -> the arm's look (:data:`ARM_STYLE`).

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    dict
        The intervention's name and every comparator's name and short name -> style index.
    """
    from evidence_lib.review.labels import review_labels

    lab = review_labels(ds)
    out = {lab["intervention"]: ARM_STYLE["intervention"]}
    for words in (lab["comparators"], lab["comparators_short"]):
        out.update({w: ARM_STYLE[c] for c, w in words.items() if c in ARM_STYLE})
    return out


# --------------------------------------------------------------------------- responders

@per_dataset
def responder_inputs(ds):
    """Per-arm responder rates of the trial with the most arms reporting them, on a categorical timepoint axis.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    (DataFrame, str)
        Rows (``arm``, ``timepoint``, ``estimate``, CI, ``n``) and the responder definition in
        words from ``thresholds`` (the trial's ``responder_definition`` rows), or "".
    """
    from evidence_lib.review.views import responder_rates

    e = ds.effects
    e = e[(e["outcome"] == "response") & (e["measure"] == "percent") & e["estimate"].notna()]
    if len(e) == 0:
        import pandas as pd

        return pd.DataFrame(columns=["label", "arm", "timepoint", "estimate", "ci_low", "ci_high", "n"]), ""
    arms = e.groupby("source_id")["comparison"].nunique()
    sid = sorted(arms.index, key=lambda s: (-arms[s], s))[0]
    r = responder_rates(ds, sid)
    r = r.assign(timepoint=[f"{w:g} weeks" for w in r["timepoint_weeks"]]).sort_values(["timepoint_weeks", "arm"])
    t = ds.thresholds
    t = t[(t["source_id"] == sid) & (t["kind"] == "responder_definition")]
    definition = " or ".join(f"\u2265{float(v):g}% improvement on {i}" for v, i in zip(t["value"], t["instrument"]))
    return r.reset_index(drop=True), definition


# --------------------------------------------------------------------------- safety

_AE_LABELS = {"any": "Any adverse event", "bleeding_haematoma": "Bleeding, haematoma", "procedure_pain": "Pain at the procedure",
              "dizziness_fainting": "Dizziness, fainting", "pneumothorax": "Pneumothorax", "serious": "Serious events",
              "infection": "Infection", "nausea_vomiting": "Nausea, vomiting", "fatigue": "Fatigue",
              "pain_aggravation": "Pain aggravation", "other": "Other"}
#: Each unit -> (panel, factor to events per 10,000 of the panel's denominator).
AE_PANELS = {"per_patient": ("per 10,000 patients", 10000.0), "per_10000_patients": ("per 10,000 patients", 1.0),
             "per_treatment": ("per 10,000 treatments", 10000.0),
             "per_10000_treatments": ("per 10,000 treatments", 1.0)}


#: How a rate's label marks an event its source counted as "significant" (a category of the
#: surveys, not statistical significance), and the note that says so under the panel.
SIGNIFICANT_EVENT = "significant minor event*"
SIGNIFICANT_NOTE = ("*Significant minor event: the survey's own category, events the practitioners reported "
                    "as significant; not a statistical test")


def _rate_label(name: str, source: str, width: int = 44) -> str:
    """``name (source)`` wrapped at ``width`` without ever splitting the source's "(Author Year)".

    A trailing bracket of the name joins it with a comma ("Serious events (pooled)" ->
    "Serious events, pooled"; a list in brackets with a colon), so that only the source is in brackets; "(significant)"
    becomes ", significant minor event*" (:data:`SIGNIFICANT_EVENT`).
    """
    import re
    import textwrap

    name = re.sub(r"\s*\(significant\)$", ", " + SIGNIFICANT_EVENT, name)
    name = re.sub(r"\s*\(([^(),]+)\)$", r", \1", name)
    name = re.sub(r"\s*\(([^()]+)\)$", r": \1", name)
    lines = textwrap.wrap(name, width) or [""]
    tail = f"({source})"
    if len(lines[-1]) + 1 + len(tail) <= width:
        lines[-1] = f"{lines[-1]} {tail}"
    else:
        lines.append(tail)
    return "\n".join(lines)


@per_dataset
def ae_inputs(ds):
    """Adverse-event rows with a rate per 10,000 of their denominator (patients or treatments).

    The printed rate is used, else events/denominator with an exact (Clopper-Pearson) 95%
    interval. Labelled by the row's ``event`` (else its type) and source; a label is wrapped
    but the source's "(Author Year)" is never split over two lines.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    DataFrame
        ``label``, ``panel`` ("per 10,000 patients" / "per 10,000 treatments"), ``attribution``
        (``adverse_events.attribution``: attributed, all_cause or not_stated), ``rate``,
        ``rate_low``, ``rate_high``, ``events``, ``denominator`` and ``ae_id``; ordered by
        attribution (:data:`evidence_lib.vocab.AE_ATTRIBUTIONS`), patients before treatments,
        then highest rate first.
    """
    import pandas as pd

    from evidence_lib.output.rates import ae_rate
    from evidence_lib.review.views import source_labels
    from evidence_lib.vocab import AE_ATTRIBUTIONS

    cols = ["label", "panel", "attribution", "rate", "rate_low", "rate_high", "events", "denominator", "ae_id"]
    ae = ds.adverse_events
    if len(ae) == 0:
        return pd.DataFrame(columns=cols)
    from evidence_lib.review.labels import review_labels

    sl = source_labels(ds)
    ae_labels = {**_AE_LABELS, **review_labels(ds)["adverse_event_labels"]}
    seen = ae.groupby(["source_id", "ae_type", "unit"]).size()
    rows = []
    for r in ae.itertuples(index=False):
        panel = AE_PANELS.get(r.unit, (None, None))[0]
        if panel is None:
            continue
        found = ae_rate(r._asdict())   # the one rate the harms table and the cards show too
        if found is None:
            continue
        ev, den = r.events, r.denominator
        name = str(getattr(r, "event", "") or "").strip()
        if not name or name == "nan":
            name = ae_labels.get(r.ae_type, str(r.ae_type).replace("_", " "))
            if r.ae_type == "other" or seen.get((r.source_id, r.ae_type, r.unit), 0) > 1:
                own = str(r.ae_id)
                own = own[len(r.source_id):].strip("-_.") if own.startswith(r.source_id) else own
                own = own.replace("-", " ").replace("_", " ")
                name = f"{name}: {own}" if r.ae_type != "other" else own.capitalize()
        attribution = getattr(r, "attribution", None)
        rows.append({"label": _rate_label(name, sl.get(r.source_id, r.source_id)), "panel": panel,
                     "attribution": attribution if attribution in AE_ATTRIBUTIONS else "not_stated",
                     "rate": found.rate, "rate_low": found.low, "rate_high": found.high,
                     "events": int(ev) if _isnum(ev) else None, "denominator": int(den) if _isnum(den) else None,
                     "ae_id": r.ae_id})
    out = pd.DataFrame(rows, columns=cols)
    out["_a"] = out["attribution"].map({a: i for i, a in enumerate(AE_ATTRIBUTIONS)})
    out["_p"] = out["panel"].str.contains("treatment")
    return out.sort_values(["_a", "_p", "rate", "ae_id"], ascending=[True, True, False, True]).drop(
        columns=["_a", "_p"]).reset_index(drop=True)


@per_dataset
def safety_panels(ds):
    """The safety figure's panels, one per kind of count and denominator.

    Counts of events attributed to the intervention, every event in a trial arm whatever its
    cause, and counts whose link to treatment the source does not state are never drawn on
    one axis; within each kind, rates per patient and per treatment get their own axis.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    list of tuple
        ``(title, rates, unit, rows)``: the kind of count in words (lettered A, B, ...), the
        denominator in words, the unit ("per 10,000 patients" / "per 10,000 treatments") and
        the :func:`ae_inputs` rows of the panel.
    """
    from evidence_lib.review.labels import review_labels

    ae = ae_inputs(ds)
    what = review_labels(ds)["intervention"]
    denominators = {"per 10,000 patients": {"attributed": f"per 10,000 patients treated with {what}",
                                            "all_cause": "per 10,000 patients randomised to the arm",
                                            "not_stated": "per 10,000 patients in the group named"},
                    "per 10,000 treatments": {"attributed": f"per 10,000 {what} treatments (sessions)",
                                              "all_cause": "per 10,000 treatments in the arm",
                                              "not_stated": "per 10,000 treatments"}}
    kinds = {"attributed": f"Events attributed to {what} (by patients, practitioners or the study authors)",
             "all_cause": f"All events in each trial arm, whatever the cause (arms without {what} included)",
             "not_stated": "Events whose link to treatment the source does not state"}
    out = []
    for (kind, unit), rows in ae.groupby(["attribution", "panel"], sort=False):
        title = f"{chr(65 + len(out))}. {kinds.get(kind, kind)}"
        out.append((title, f"Rates {denominators[unit][kind]}", unit, rows))
    return out


# --------------------------------------------------------------------------- evidence map

@per_dataset
def map_inputs(ds):
    """Claims by the kinds of evidence they rest on (the checks' rule) and certainty.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    (DataFrame, dict)
        :func:`evidence_lib.review.evidence_kinds.claim_evidence_kinds` and the map's words
        (``row_order``, ``row_labels``, ``row_text``).
    """
    from evidence_lib.review.evidence_kinds import EVIDENCE_KINDS, evidence_kind_words
    from evidence_lib.review.evidence_kinds import claim_evidence_kinds

    tab = claim_evidence_kinds(ds) if len(ds.claims) else None
    if tab is not None:
        tab = tab.assign(certainty=[c if isinstance(c, str) else "none" for c in tab["certainty"]])
    labels, text = evidence_kind_words(ds)
    # the two "no study tests it" rows are drawn only when a claim is in them
    present = set(tab["kind"]) if tab is not None else set()
    order = tuple(k for k in EVIDENCE_KINDS if k not in ("context_only", "none") or k in present)
    return tab, {"row_order": order, "row_labels": labels, "row_text": text}


def protocol_rows(ds):
    """The trials' protocols, sorted, with readable labels (source_id -> 'Smith 2010').

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    protocols : pandas.DataFrame
        The ``protocols`` table, sorted.
    labels : dict
        Source id -> readable label.
    """
    from evidence_lib.review.views import source_labels

    p = ds.protocols.sort_values(["source_id", "protocol_id"]) if len(ds.protocols) else ds.protocols
    return p, source_labels(ds)


def missing_text(v) -> str:
    """'n/a' for a missing value, else the value as text.

    Parameters
    ----------
    v : object
        Any cell value.

    Returns
    -------
    str
        The text.
    """
    return "n/a" if is_missing(v) else str(v)
