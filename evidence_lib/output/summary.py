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

from evidence_lib.output.cells import cell_text, number_text, records, source_short, sources_by_id
from evidence_lib.review.sof import summary_of_findings as sof_frame
from evidence_lib.vocab import OUTCOME_LABELS, TERM_LABELS

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
            "say which way is better. Clinical importance is judged against the threshold the data package "
            "assigns to the instrument; effect-size conventions are named as conventions.")


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
        Per row: ``comparison``, ``outcome`` and ``term`` (readers' words), ``effect``,
        ``direction``, ``instrument``, ``participants`` and ``studies`` (text; "not reported"
        where the source did not say), ``certainty`` (a GRADE code), ``downgrades``,
        ``published`` (the review's own rating and what we did with it, or ""),
        ``importance``, ``statement`` and ``bayes``.
    """
    out = []
    for r in records(sof_frame(ds)):
        pub = r.get("published_certainty")
        out.append({
            "comparison": r["comparison"], "outcome": OUTCOME_LABELS.get(r["outcome"], r["outcome"]),
            "term": TERM_LABELS.get(r["term"], r["term"]), "effect": r["effect"], "direction": r["direction"],
            "instrument": cell_text(r.get("instrument")), "participants": _count(r.get("participants")),
            "studies": _count(r.get("studies")), "certainty": r.get("certainty"),
            "downgrades": r.get("downgrades") or "",
            "published": (f"The review rated it {pub.replace('_', ' ')}. {r.get('published_note') or ''}".strip()
                          if isinstance(pub, str) and pub else ""),
            "importance": r.get("clinical_importance") or "", "statement": r["statement"],
            "bayes": r.get("bayes") or "",
        })
    return out


def select_harms_rows(ds, *, types=("serious", "any")) -> list[dict]:
    """The adverse-event rate behind each harms row of the Summary of Findings.

    Parameters
    ----------
    ds : Dataset
    types : tuple of str
        ``ae_type`` codes, one row each (types without data are skipped).

    Returns
    -------
    list of dict
        Keys ``ae_type``, ``row`` and ``source``: per type, the row from the best design
        (:data:`DESIGN_RANK`), verified first, then the largest denominator, then the id.
    """
    sources = sources_by_id(ds)
    out = []
    recs = records(ds.adverse_events, sort_by=("ae_id",))
    for t in types:
        cands = [r for r in recs if r["ae_type"] == t]
        if not cands:
            continue
        best = min(cands, key=lambda r: (DESIGN_RANK.get(sources.get(r["source_id"], {}).get("design"), 99),
                                         0 if r.get("status") == "verified" else 1,
                                         -(r.get("denominator") or 0), r["ae_id"]))
        out.append({"ae_type": t, "row": best, "source": sources.get(best["source_id"])})
    return out


def _harms_row(cell: dict, labels: dict | None = None) -> dict:
    r, src = cell["row"], cell["source"]
    rate = f"{number_text(r['estimate'])} {AE_UNITS.get(r['unit'], r['unit'])}" if r.get("estimate") is not None else ""
    if r.get("ci_low") is not None and r.get("ci_high") is not None:
        rate += f" (95% CI {number_text(r['ci_low'])} to {number_text(r['ci_high'])})"
    counts = (f"{int(r['events']):,} events / {int(r['denominator']):,}"
              if r.get("events") is not None and r.get("denominator") else "")
    ae_label = {**AE_LABELS, **(labels or {})}.get(cell["ae_type"], cell["ae_type"])
    statement = (f"{ae_label}: {rate} in this source (not a comparison with a control group)."
                 if rate else f"{ae_label}: see the source.")
    setting = cell_text(r.get("setting") or r.get("population"))
    return {"comparison": "Harms", "outcome": ae_label, "term": None, "effect": rate, "participants": counts,
            "studies": None, "certainty": None, "statement": statement, "participants_label": "Events",
            "detail": f"{setting}; {source_short(src)}", "unverified": r.get("status") != "verified"}


def harms_rows(ds) -> list[dict]:
    """The harms table: the best adverse-event rate per type (:func:`select_harms_rows`) as row dicts.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    list of dict
        One row per adverse-event type, ready for the report's template.
    """
    from evidence_lib.review.labels import review_labels

    labels = review_labels(ds)["adverse_event_labels"]
    return [_harms_row(c, labels) for c in select_harms_rows(ds)]


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
