"""The report's Summary of Findings and harms tables, as row dicts for the templates.

The Summary of Findings itself is computed in the review layer
(:func:`evidence_lib.review.sof.summary_of_findings`: which row stands for each cell, the
effect with its direction in words, the GRADE certainty with its reasons, the clinical
importance and the statement); this module only turns that frame into what
``templates/summary_of_findings.html.j2`` prints. Harms are shown in a table of their own:
they are event rates from single-arm studies, not comparisons, and carry no GRADE rating.
"""

from __future__ import annotations

import math

from evidence_lib._values import rate_text
from evidence_lib.output.cells import cell_text, records, source_short, sources_by_id, timepoint_text
from evidence_lib.output.rates import AE_PER_10000, ae_rate
from evidence_lib.review.sof import summary_of_findings as sof_frame
from evidence_lib.vocab import OUTCOME_LABELS

#: Study designs from the highest level of evidence to the lowest (selection order for harms).
DESIGN_RANK = {
    "cochrane_review": 0, "ipd_meta_analysis": 1, "meta_analysis": 2, "systematic_review": 3,
    "guideline": 4, "rct": 5, "observational": 6, "cross_sectional": 7, "survey": 8,
    "narrative_review": 9, "healthy_volunteer": 10, "animal": 11, "other": 12,
}
AE_LABELS = {
    "any": "Any adverse event", "serious": "Serious adverse events", "bleeding_haematoma": "Bleeding or haematoma",
    "procedure_pain": "Pain at the procedure", "dizziness_fainting": "Dizziness or fainting", "pneumothorax": "Pneumothorax",
    "infection": "Infection", "nausea_vomiting": "Nausea or vomiting", "fatigue": "Fatigue",
    "pain_aggravation": "Aggravated pain", "other": "Other adverse events",
}
AE_UNITS = {"per_patient": "per patient", "per_treatment": "per treatment",
            "per_10000_patients": "per 10,000 patients", "per_10000_treatments": "per 10,000 treatments"}
SOF_NOTE = ("Each row names the evidence it rests on and why it was chosen; certainty "
            "is ours, by the five GRADE domains, and agrees with the review's own rating where one "
            "was printed. Effects read as the difference in the intervention group (GRADEpro style); the words "
            "say which way is better. Clinical importance is judged against the threshold we use for "
            "this scale; effect-size conventions are named as conventions.")


def _count(x) -> str:
    return "not reported" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{int(x):,}"


def sof_rows(ds) -> list[dict]:
    """The Summary of Findings rows of ``ds`` ready for the template.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    list of dict
        Per row: ``comparison``, ``outcome`` and ``term`` (readers' words), ``effect``
        (starting with a capital), ``direction``, ``instrument``, ``participants`` and
        ``studies`` (text; "not reported" where the source did not say), ``certainty`` (a GRADE code), ``downgrades``,
        ``published`` (the review's own rating and what we did with it, or ""),
        ``importance``, ``statement``, ``bayes``, ``source`` (the review or trial the row
        rests on) and ``chosen`` (why that evidence was chosen).
    """
    out = []
    for r in records(sof_frame(ds)):
        pub = r.get("published_certainty")
        out.append({
            "comparison": r["comparison"], "outcome": OUTCOME_LABELS.get(r["outcome"], r["outcome"]),
            "term": timepoint_text(r.get("timepoint"), r["term"]), "effect": r["effect"][:1].upper() + r["effect"][1:],
            "direction": r["direction"],
            "instrument": cell_text(r.get("instrument")), "participants": _count(r.get("participants")),
            "studies": _count(r.get("studies")), "certainty": r.get("certainty"),
            "downgrades": r.get("downgrades") or "",
            "published": (f"The review rated it {pub.replace('_', ' ')}. {r.get('published_note') or ''}".strip()
                          if isinstance(pub, str) and pub else ""),
            "importance": r.get("clinical_importance") or "", "statement": r["statement"],
            "bayes": r.get("bayes") or "", "source": r.get("source") or "",
            "chosen": r.get("selection_reason") or "",
        })
    return out


#: What each kind of count covers, for the harms table (``adverse_events.attribution``).
AE_COUNT_WORDS = {"attributed": "events attributed to {what}",
                  "all_cause": "all events in the trial arm, whatever the cause",
                  "not_stated": "events whose link to {what} the source does not state"}
_POOLED_DESIGNS = {"cochrane_review", "ipd_meta_analysis", "meta_analysis", "systematic_review"}


def _rank(r, sources) -> tuple:
    return (0 if r.get("attribution") == "attributed" else 1,
            DESIGN_RANK.get(sources.get(r["source_id"], {}).get("design"), 99),
            0 if r.get("status") == "verified" else 1, -(r.get("denominator") or 0), r["ae_id"])


def select_harms_rows(ds, *, types=("serious", "any")) -> list[dict]:
    """The adverse-event rate behind each harms row of the Summary of Findings.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).
    types : tuple of str
        ``ae_type`` codes, one row each (types without data are skipped).

    Returns
    -------
    list of dict
        Keys ``ae_type``, ``row``, ``source`` and ``counted``. Per type, ``row`` is the row of
        events attributed to the intervention (``adverse_events.attribution``) before any
        other, then from the best design (:data:`DESIGN_RANK`), verified first, then the
        largest denominator, then the id. When that row holds no counts (a pooled rate),
        ``counted`` is the row with counts of the same kind of event, attribution and
        denominator (patients or treatments) with the largest denominator, else None.
    """
    sources = sources_by_id(ds)
    out = []
    recs = records(ds.adverse_events, sort_by=("ae_id",))
    for t in types:
        cands = [r for r in recs if r["ae_type"] == t and r.get("unit") in AE_PER_10000]
        if not cands:
            continue
        best = min(cands, key=lambda r: _rank(r, sources))
        counted = None
        if best.get("events") is None or not best.get("denominator"):
            kind = AE_PER_10000[best["unit"]][1]
            with_counts = [r for r in cands if r.get("events") is not None and r.get("denominator")
                           and r.get("attribution") == best.get("attribution") and AE_PER_10000[r["unit"]][1] == kind]
            counted = min(with_counts, key=lambda r: (-r["denominator"], _rank(r, sources))) if with_counts else None
        out.append({"ae_type": t, "row": best, "source": sources.get(best["source_id"]),
                    "counted": counted and {"row": counted, "source": sources.get(counted["source_id"])}})
    return out


def one_in(per_10000: float) -> str:
    """A rate per 10,000 as a natural frequency: ``one_in(931)`` -> ``'about 1 in 11'``.

    N is computed from the rate as the report prints it (:func:`evidence_lib._values.rate_text`),
    so that the two agree by eye: 1.01 per 10,000 prints as "1.0 per 10,000" and reads
    "about 1 in 10,000", not "1 in 9,900".

    Parameters
    ----------
    per_10000 : float
        The rate per 10,000.

    Returns
    -------
    str
        ``'about 1 in N'`` with N = 10,000 / (the printed rate) to two significant figures,
        thousands separated; ``'none'`` for a zero rate.

    Raises
    ------
    ValueError
        If the rate is negative or above 10,000.

    Examples
    --------
    >>> one_in(931), one_in(1.01), one_in(0.0872)
    ('about 1 in 11', 'about 1 in 10,000', 'about 1 in 110,000')
    """
    if not 0 <= per_10000 <= 10000:
        raise ValueError(f"one_in: per_10000 must be between 0 and 10,000, got {per_10000}; pass a rate per 10,000")
    if per_10000 == 0:
        return "none"
    printed = float(rate_text(per_10000).replace(",", ""))
    n = float(f"{10000 / printed:.2g}")
    return f"about 1 in {n:,.0f}"


def _harms_row(cell: dict, labels: dict | None = None, *, what: str = "the treatment", counted: bool = False) -> dict:
    r, src = cell["row"], cell["source"]
    per = AE_PER_10000[r["unit"]][1]
    found = ae_rate(r)   # the one rate per 10,000 the cards and safety-rates.png show too
    rate, point = "", None
    if found is not None:
        point = found.rate
        rate = f"{rate_text(found.rate)} {found.unit}"
        if found.low == found.low and found.high == found.high:
            exact = ", exact, from the counts" if found.counted_interval else ""
            rate += f" (95% CI {rate_text(found.low)} to {rate_text(found.high)}{exact})"
    if r.get("events") is not None and r.get("denominator"):
        counts = f"{int(r['events']):,} in {int(r['denominator']):,} {per}"
    elif (src or {}).get("design") in _POOLED_DESIGNS:
        counts = "Not given: a rate pooled across studies"
    else:
        counts = "Not reported"
    ae_label = {**AE_LABELS, **(labels or {})}.get(cell["ae_type"], cell["ae_type"])
    kind = AE_COUNT_WORDS.get(r.get("attribution"), AE_COUNT_WORDS["not_stated"]).format(what=what)
    # What the rate means, in words the Rate column does not already give: a natural frequency.
    statement = (f"{one_in(point)[:1].upper()}{one_in(point)[1:]} {per} had such an event ({kind}; not a comparison "
                 "with a control group)."
                 if point is not None else f"{ae_label}: see the source.")
    setting = cell_text(r.get("setting") or r.get("population"))
    lead = "Largest single study with counts: " if counted else ""
    return {"comparison": "Harms", "outcome": ae_label, "term": None, "effect": rate, "participants": counts,
            "studies": None, "certainty": None, "statement": statement, "participants_label": "Events",
            "detail": f"{lead}{setting}; {source_short(src)}", "unverified": r.get("status") != "verified"}


def harms_rows(ds) -> list[dict]:
    """The harms table: the best adverse-event rate per type (:func:`select_harms_rows`) as row dicts.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    list of dict
        Per adverse-event type, its row, and after it the largest single study with counts
        when the row itself is a rate without counts; every rate per 10,000 patients or per
        10,000 treatments, as the source counted (never converted from one to the other).
    """
    from evidence_lib.review.labels import review_labels

    words = review_labels(ds)
    labels, what = words["adverse_event_labels"], words["intervention"]
    rows = []
    for cell in select_harms_rows(ds):
        rows.append(_harms_row(cell, labels, what=what))
        if cell["counted"]:
            rows.append(_harms_row({"ae_type": cell["ae_type"], **cell["counted"]}, labels, what=what, counted=True))
    return rows


def summary_of_findings(ds) -> dict:
    """What the report's findings section prints.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    dict
        ``rows`` (:func:`sof_rows`), ``harms`` (:func:`harms_rows`), ``note`` and ``caption``
        (in the review's own words, from the descriptor's ``review`` block).
    """
    from evidence_lib.review.sof import review_labels

    labels = review_labels(ds)
    caption = f"Main outcomes of {labels['intervention']}" + (f" for {labels['condition']}" if labels["condition"] else "")
    return {"rows": sof_rows(ds), "harms": harms_rows(ds), "note": SOF_NOTE, "caption": caption}
