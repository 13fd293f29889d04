"""The report's Summary of Findings: which evidence row fills each cell, and the rows as dicts.

The table is rendered by ``templates/summary_of_findings.html.j2`` from a list of row dicts
(:func:`sof_table`), so a curated table (a DataFrame with the same columns) can replace the
automatic selection without touching the page.
"""

from __future__ import annotations

from evidence_lib.output.cells import cell_text, number_text, records, source_short, sources_by_id
from evidence_lib.vocab import NULL_VALUE

#: Summary of Findings rows: (label, comparator classes) x (label, terms in preference order).
SOF_COMPARATORS = (
    ("Acupuncture vs sham acupuncture", ("sham",)),
    ("Acupuncture vs no treatment or usual care", ("no_treatment", "usual_care")),
    ("Acupuncture vs conventional therapy", ("conventional_therapy",)),
)
SOF_TERMS = (
    ("Short term (up to 3 months)", ("short", "immediate")),
    ("Long term (12 months or more)", ("long", "intermediate")),
)
#: Study designs from the highest level of evidence to the lowest (selection order).
DESIGN_RANK = {
    "cochrane_review": 0, "ipd_meta_analysis": 1, "meta_analysis": 2, "systematic_review": 3,
    "guideline": 4, "rct": 5, "observational": 6, "cross_sectional": 7, "survey": 8,
    "narrative_review": 9, "healthy_volunteer": 10, "animal": 11, "other": 12,
}
#: Which sign favours acupuncture for pooled rows without a ``favours`` value: lower pain
#: is better. Other outcomes are not assumed ("na").
POOLED_FAVOURS = {"pain": "negative"}
AE_LABELS = {
    "any": "Any adverse event", "serious": "Serious adverse events", "bleeding_haematoma": "Bleeding or haematoma",
    "needling_pain": "Pain at needling", "dizziness_fainting": "Dizziness or fainting", "pneumothorax": "Pneumothorax",
    "infection": "Infection", "nausea_vomiting": "Nausea or vomiting", "fatigue": "Fatigue",
    "pain_aggravation": "Aggravated pain", "other": "Other adverse events",
}
AE_UNITS = {"per_patient": "per patient", "per_treatment": "per treatment",
            "per_10000_patients": "per 10,000 patients", "per_10000_treatments": "per 10,000 treatments"}

#: Columns every Summary-of-Findings row dict has (see :func:`sof_table`).
SOF_COLUMNS = ("comparison", "outcome", "term", "effect", "participants", "studies", "certainty", "statement")
#: Optional columns and their defaults.
SOF_OPTIONAL = {"detail": "", "unverified": False, "participants_label": "Participants"}

AUTO_NOTE = ("Selected automatically: per comparison and time horizon, pooled results before single "
             "studies, then the highest level of evidence (Cochrane, meta-analysis, RCT), verified rows "
             "first, then the largest. Effects are as reported (MD on the reported scale; negative "
             "favours acupuncture for pain).")
CURATED_NOTE = "Curated by the reviewers."


def _rank(row: dict, table: str, sources: dict) -> tuple:
    src = sources.get(row.get("source_id"), {})
    n = row.get("n_participants") if table == "pooled_results" else (
        (row.get("n_intervention") or 0) + (row.get("n_control") or 0))
    return (0 if row.get("estimate") is not None else 1,
            0 if table == "pooled_results" else 1,
            DESIGN_RANK.get(src.get("design"), 99),
            0 if row.get("status") == "verified" else 1,
            -(int(n) if n else 0),
            -(int(src["year"]) if src.get("year") else 0),
            str(row.get("analysis_id") or row.get("effect_id")))


def select_sof_rows(ds, *, outcome: str = "pain") -> list[dict]:
    """Choose the evidence row behind each Summary-of-Findings cell.

    For each comparator group of :data:`SOF_COMPARATORS` and each time horizon of
    :data:`SOF_TERMS`, take the candidates with that comparator class and ``outcome`` from
    ``pooled_results`` and ``effects``, in the first term of the horizon that has any (e.g.
    short before immediate), and keep the best by:

    0. rows with a numeric estimate before rows without one;
    1. pooled results before single effects;
    2. the source's design (:data:`DESIGN_RANK`: Cochrane, IPD meta-analysis,
       meta-analysis, systematic review, guideline, RCT, ...);
    3. verified before unverified;
    4. more participants, then the newer source, then the row id (a total order, so the
       choice is deterministic).

    Parameters
    ----------
    ds : Dataset
    outcome : str
        The outcome code the table is about.

    Returns
    -------
    list of dict
        One dict per cell with keys ``comparison``, ``term_label``, ``terms``, ``outcome``,
        ``table``, ``row`` (None if no evidence) and ``source``.
    """
    sources = sources_by_id(ds)
    pooled = [("pooled_results", r) for r in records(ds.pooled_results, ("analysis_id",)) if r["outcome"] == outcome]
    effects = [("effects", r) for r in records(ds.effects, ("effect_id",)) if r["outcome"] == outcome]
    out = []
    for comp_label, classes in SOF_COMPARATORS:
        for term_label, terms in SOF_TERMS:
            chosen = None
            for term in terms:
                cands = [(t, r) for t, r in pooled + effects if r["comparator_class"] in classes and r.get("term") == term]
                if cands:
                    chosen = min(cands, key=lambda tr: _rank(tr[1], tr[0], sources))
                    break
            out.append({"comparison": comp_label, "term_label": term_label, "outcome": outcome,
                        "terms": terms, "table": chosen[0] if chosen else None, "row": chosen[1] if chosen else None,
                        "source": sources.get(chosen[1]["source_id"]) if chosen else None})
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
    recs = records(ds.adverse_events, ("ae_id",))
    for t in types:
        cands = [r for r in recs if r["ae_type"] == t]
        if not cands:
            continue
        best = min(cands, key=lambda r: (DESIGN_RANK.get(sources.get(r["source_id"], {}).get("design"), 99),
                                         0 if r.get("status") == "verified" else 1,
                                         -(r.get("denominator") or 0), r["ae_id"]))
        out.append({"ae_type": t, "row": best, "source": sources.get(best["source_id"])})
    return out


def _favours(row: dict, table: str) -> str:
    """Which sign favours acupuncture: the row's own ``favours``; for a pooled row without
    one, the outcome's usual direction."""
    if row.get("favours"):
        return row["favours"]
    if table == "effects":
        return "na"
    return POOLED_FAVOURS.get(row.get("outcome"), "na")


def effect_text(row: dict) -> str:
    """An effect row as text: ``'MD −9.22 (95% CI −13.82 to −4.61)'``.

    Parameters
    ----------
    row : dict
        A row of ``effects`` or ``pooled_results``.

    Returns
    -------
    str
        ``'no estimate printed (p = ...)'`` when the row has no estimate.
    """
    if row.get("estimate") is None:
        p = row.get("p_value")
        return "no estimate printed" + (f" (p = {number_text(p)})" if p is not None else "")
    s = f"{row['measure']} {number_text(row['estimate'])}"
    if row.get("ci_low") is not None and row.get("ci_high") is not None:
        s += f" (95% CI {number_text(row['ci_low'])} to {number_text(row['ci_high'])})"
    return s


def plain_language(row: dict, table: str, outcome: str = "pain") -> str:
    """A GRADE-style plain-language statement from the estimate, its CI and certainty.

    Parameters
    ----------
    row : dict
        A row of ``effects`` or ``pooled_results`` (``measure``, ``ci_low``, ``ci_high``,
        ``favours``, ``certainty``).
    table : {"effects", "pooled_results"}
        Single studies are never GRADE-rated.
    outcome : str
        The outcome's name in the sentence.

    Returns
    -------
    str
        The verb follows the GRADE wording (high: "reduces"; moderate: "probably
        reduces"; low: "may reduce"; very low: "we are very uncertain whether ..."); the
        direction comes from whether the 95% CI excludes no effect on the side favouring
        acupuncture.
    """
    null = NULL_VALUE.get(row["measure"])
    lo, hi = row.get("ci_low"), row.get("ci_high")
    fav = _favours(row, table)
    cert = row.get("certainty") if table == "pooled_results" else None
    if null is None or lo is None or hi is None or fav == "na":
        direction = "unclear"
    elif lo <= null <= hi:
        direction = "none"
    else:
        above = lo > null
        good = {"negative": not above, "positive": above, "ratio_gt1": above, "ratio_lt1": not above}.get(fav)
        direction = "better" if good else "worse"
    if direction == "unclear":
        return f"Effect on {outcome}: {effect_text(row)}; see the source for its direction."
    phrase = {"better": f"reduces {outcome}" if outcome == "pain" else f"improves {outcome}",
              "worse": f"worsens {outcome}",
              "none": f"makes little or no difference to {outcome}"}[direction]
    if table == "effects":
        verb = {"better": f"found that acupuncture {phrase}", "worse": f"found that acupuncture {phrase}",
                "none": f"found little or no difference in {outcome}"}[direction]
        return f"A single study (not GRADE-rated) {verb}."
    if cert == "high":
        return f"Acupuncture {phrase}."
    if cert == "moderate":
        return f"Acupuncture probably {phrase}."
    if cert == "low":
        bare = (phrase.replace("reduces", "reduce").replace("improves", "improve")
                .replace("worsens", "worsen").replace("makes", "make"))
        return f"Acupuncture may {bare}."
    if cert == "very_low":
        return f"We are very uncertain whether acupuncture {phrase}."
    return f"The pooled estimate suggests acupuncture {phrase} (certainty not rated)."


def participants(row: dict, table: str) -> tuple[str, int | None]:
    """Participants as text and the number of studies behind a row.

    Parameters
    ----------
    row : dict
    table : {"effects", "pooled_results"}

    Returns
    -------
    (str, int or None)
        ``('1,758', 10)`` for a pooled row; ``('?', 1)`` for a single study without arm sizes.
    """
    if table == "pooled_results":
        n, k = row.get("n_participants"), row.get("k")
        return (f"{int(n):,}" if n else "?"), (int(k) if k else None)
    n = (row.get("n_intervention") or 0) + (row.get("n_control") or 0)
    return (f"{int(n):,}" if n else "?"), 1


def _effect_row(cell: dict) -> dict:
    r, t = cell["row"], cell["table"]
    base = {"comparison": cell["comparison"], "outcome": cell["outcome"], "term": cell["term_label"]}
    if r is None:
        return dict(base, effect=None, participants=None, studies=None, certainty=None, statement=None)
    when = cell_text(r.get("timepoint"))
    if r.get("term") and r["term"] != cell["terms"][0]:
        when += f" ({r['term']} term: no {cell['terms'][0]}-term result in the data)"
    n, k = participants(r, t)
    label = cell_text(r.get("description") or r.get("comparison") or "")
    return dict(base, effect=effect_text(r), participants=n, studies=k,
                certainty=r.get("certainty") if t == "pooled_results" else None,
                statement=plain_language(r, t), detail=f"{label}; {when}; {source_short(cell['source'])}",
                unverified=r.get("status") != "verified")


def _harms_row(cell: dict) -> dict:
    r, src = cell["row"], cell["source"]
    rate = f"{number_text(r['estimate'])} {AE_UNITS.get(r['unit'], r['unit'])}" if r.get("estimate") is not None else ""
    if r.get("ci_low") is not None and r.get("ci_high") is not None:
        rate += f" (95% CI {number_text(r['ci_low'])} to {number_text(r['ci_high'])})"
    counts = (f"{int(r['events']):,} events / {int(r['denominator']):,}"
              if r.get("events") is not None and r.get("denominator") else "")
    ae_label = AE_LABELS.get(cell["ae_type"], cell["ae_type"])
    statement = (f"{ae_label}: {rate} in this source (not a comparison with a control group)."
                 if rate else f"{ae_label}: see the source.")
    setting = cell_text(r.get("setting") or r.get("population"))
    return {"comparison": "Harms", "outcome": ae_label, "term": None, "effect": rate, "participants": counts,
            "studies": None, "certainty": None, "statement": statement, "participants_label": "Events",
            "detail": f"{setting}; {source_short(src)}", "unverified": r.get("status") != "verified"}


def sof_table(rows) -> list[dict]:
    """Summary-of-Findings rows made ready for the template.

    Parameters
    ----------
    rows : list of dict or pandas.DataFrame
        One row per line of the table, with the columns of :data:`SOF_COLUMNS`:
        ``comparison``, ``outcome``, ``term`` (a time-horizon label or None), ``effect``
        (text; None marks a cell without evidence), ``participants`` (text or a count),
        ``studies`` (a count or None), ``certainty`` (a GRADE code or None) and
        ``statement``; optionally those of :data:`SOF_OPTIONAL` (``detail``: a second,
        muted line under the effect; ``unverified``; ``participants_label``).

    Returns
    -------
    list of dict
        Every row with every column, missing values as None, counts as ``'1,234'``.

    Raises
    ------
    ValueError
        If a row lacks a column of :data:`SOF_COLUMNS`.
    """
    if hasattr(rows, "to_dict"):
        rows = records(rows)
    out = []
    for i, row in enumerate(rows):
        missing = [c for c in SOF_COLUMNS if c not in row]
        if missing:
            raise ValueError(f"summary-of-findings row {i} lacks the column(s) {', '.join(missing)}; "
                             f"every row needs {', '.join(SOF_COLUMNS)}")
        full = {**SOF_OPTIONAL, **{k: (None if v is None else v) for k, v in row.items()}}
        n = full["participants"]
        if isinstance(n, (int, float)) and not isinstance(n, bool):
            full["participants"] = f"{int(n):,}"
        if full["studies"] is not None:
            full["studies"] = int(full["studies"])
        full["detail"] = full["detail"] or ""
        out.append(full)
    return out


def summary_of_findings(ds) -> dict:
    """The Summary of Findings of ``ds``: its rows and the note printed under the table.

    Parameters
    ----------
    ds : Dataset
        If it carries a curated ``summary_of_findings`` table (the columns of
        :func:`sof_table`), that table is shown as is; otherwise the rows come from
        :func:`select_sof_rows` and :func:`select_harms_rows`.

    Returns
    -------
    dict
        ``{"rows": [...], "note": str}``, rows as :func:`sof_table` returns them.
    """
    curated = getattr(ds, "summary_of_findings", None)
    if curated is not None and len(curated):
        return {"rows": sof_table(curated), "note": CURATED_NOTE}
    rows = [_effect_row(c) for c in select_sof_rows(ds)] + [_harms_row(c) for c in select_harms_rows(ds)]
    return {"rows": sof_table(rows), "note": AUTO_NOTE}
