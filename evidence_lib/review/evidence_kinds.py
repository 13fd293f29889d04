"""The kind of evidence a row gives, by its subjects and design: one rule for the checks and the map.

The claim checks (:mod:`evidence_lib.review.checks`, "subjects") flag animal and
healthy-volunteer evidence behind a claim about patients; the evidence map
(:func:`evidence_lib.review.views.claim_evidence_kinds`) puts each claim in the rows of
the kinds of evidence it rests on. Both classify a row with :func:`evidence_kind`, so a
claim the checks flag for animal evidence shows in the map's "Animals" row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidence_lib.terms import term_for_weeks

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

NONHUMAN_DESIGNS = frozenset({"animal"})
HEALTHY_DESIGNS = frozenset({"healthy_volunteer"})
#: Subjects counted as back pain for the map (back-and-neck samples included: mostly back pain).
BACK_PAIN_SUBJECTS = frozenset({"chronic low back pain", "acute low back pain", "low back pain", "back and neck pain"})
#: Designs that are randomised trials or syntheses of them.
TRIAL_DESIGNS = frozenset({"rct", "meta_analysis", "ipd_meta_analysis", "systematic_review", "cochrane_review"})

#: Kinds, strongest first; "none": a claim with no evidence row.
EVIDENCE_KINDS = ("back_pain_trials", "back_pain_other", "other_patients", "healthy_volunteers", "animals", "none")
EVIDENCE_KIND_LABELS = {
    "back_pain_trials": "Back pain: RCTs,\nmeta-analyses",
    "back_pain_other": "Back pain:\nother designs",
    "other_patients": "Other patients\nor people",
    "healthy_volunteers": "Healthy\nvolunteers",
    "animals": "Animals",
    "none": "No evidence\nrow linked",
}
EVIDENCE_KIND_TEXT = {
    "back_pain_trials": "back-pain trials or meta-analyses", "back_pain_other": "other back-pain studies",
    "other_patients": "other patients or people", "healthy_volunteers": "healthy volunteers",
    "animals": "animals", "none": "no evidence row linked"}


def is_animal(design, subjects) -> bool:
    """Tell whether evidence comes from animals (design ``animal`` or subjects ``animals``).

    Parameters
    ----------
    design : str or None
        ``sources.design``.
    subjects : str or None
        The row's subjects (``sources.subjects``, or ``findings.subjects`` for a finding).

    Returns
    -------
    bool

    Examples
    --------
    >>> is_animal("animal", None), is_animal("rct", "chronic low back pain")
    (True, False)
    """
    return design in NONHUMAN_DESIGNS or subjects == "animals"


def is_healthy_volunteer(design, subjects) -> bool:
    """Tell whether evidence comes from healthy volunteers (by design or by subjects).

    Parameters
    ----------
    design : str or None
        ``sources.design``.
    subjects : str or None
        The row's subjects; ``"healthy volunteers"`` counts whatever the design.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_healthy_volunteer("rct", "healthy volunteers")
    True
    """
    return design in HEALTHY_DESIGNS or subjects == "healthy volunteers"


def evidence_kind(design, subjects) -> str:
    """The kind of evidence of one row (one of :data:`EVIDENCE_KINDS` except ``none``).

    Parameters
    ----------
    design : str or None
        ``sources.design``.
    subjects : str or None
        The row's subjects (``sources.subjects``, or ``findings.subjects`` for a finding).

    Returns
    -------
    str

    Examples
    --------
    >>> evidence_kind("animal", "rats")
    'animals'
    >>> evidence_kind("rct", "chronic low back pain")
    'back_pain_trials'
    """
    if is_animal(design, subjects):
        return "animals"
    if is_healthy_volunteer(design, subjects):
        return "healthy_volunteers"
    if subjects in BACK_PAIN_SUBJECTS:
        return "back_pain_trials" if design in TRIAL_DESIGNS else "back_pain_other"
    return "other_patients"


# --------------------------------------------------------------------------- the rows behind a claim

def _str(v):
    if v is None or (isinstance(v, float) and v != v):
        return None
    return v


def _effect_subjects(source_subjects, population_text):
    """Narrow a source's subjects with the effect row's own population words."""
    text = (population_text or "").lower()
    if source_subjects in ("low back pain", None) and text:
        acute, chronic = "acute" in text or "subacute" in text, "chronic" in text
        if chronic and not acute:
            return "chronic low back pain"
        if acute and not chronic:
            return "acute low back pain"
    return source_subjects


def evidence_rows(ds, claim_id: str) -> "pd.DataFrame":
    """The evidence rows linked to a claim, one per ``claim_evidence`` link, in one frame.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    claim_id : str
        A ``claims.claim_id``. An id without links gives an empty frame; a link to a
        row that does not exist is skipped.

    Returns
    -------
    pandas.DataFrame
        Columns ``key`` (``table:row_id``), ``table``, ``row_id``, ``role``, ``source_id``,
        ``design``, ``subjects`` (effective, see the module docstring), ``comparator_class``,
        ``outcome``, ``term``, ``measure``, ``estimate``, ``ci_low``, ``ci_high``, ``favours``,
        ``instrument``, ``description``, ``i2``, ``k``, ``analysis_id``, ``population``, in
        the order of ``claim_evidence``.
    """
    import pandas as pd

    cols = ["key", "table", "row_id", "role", "source_id", "design", "subjects", "comparator_class", "outcome",
            "term", "measure", "estimate", "ci_low", "ci_high", "favours", "instrument", "description", "i2", "k",
            "analysis_id", "population"]
    links = ds.claim_evidence[ds.claim_evidence["claim_id"] == claim_id]
    src = ds.sources.set_index("source_id") if len(ds.sources) else None
    out = []
    for link in links.itertuples(index=False):
        t = ds.table(link.table)
        hit = t[t[t.columns[0]] == link.row_id]
        if hit.empty:
            continue
        r = hit.iloc[0]
        get = lambda c: _str(r[c]) if c in r.index else None  # noqa: E731
        sid = get("source_id")
        s = src.loc[sid] if src is not None and sid in src.index else None
        design = _str(s["design"]) if s is not None else None
        subjects = get("subjects") if link.table == "findings" else (_str(s["subjects"]) if s is not None else None)
        if link.table == "effects":
            subjects = _effect_subjects(subjects, get("population"))
        term = get("term")
        if term is None and get("timepoint_weeks") is not None:
            term = term_for_weeks(float(r["timepoint_weeks"]))
        outcome = get("outcome") or ("adverse_events" if link.table == "adverse_events" else None)
        out.append({
            "key": f"{link.table}:{link.row_id}", "table": link.table, "row_id": link.row_id, "role": link.role,
            "source_id": sid, "design": design, "subjects": subjects, "comparator_class": get("comparator_class"),
            "outcome": outcome, "term": term, "measure": get("measure"), "estimate": get("estimate"),
            "ci_low": get("ci_low"), "ci_high": get("ci_high"), "favours": get("favours"),
            "instrument": get("instrument"), "description": get("description"), "i2": get("i2"), "k": get("k"),
            "analysis_id": get("analysis_id"), "population": get("population"),
        })
    return pd.DataFrame(out, columns=cols)


def basis_rows(evidence: "pd.DataFrame") -> "pd.DataFrame":
    """The rows a verdict rests on: ``supports`` rows, else all but ``context`` rows.

    Parameters
    ----------
    evidence : pandas.DataFrame
        Rows of :func:`evidence_rows` (a ``role`` column is needed).

    Returns
    -------
    pandas.DataFrame
        The selected rows of ``evidence``, index kept.
    """
    sup = evidence[evidence["role"] == "supports"]
    return sup if len(sup) else evidence[evidence["role"] != "context"]


def claim_evidence_kinds(ds):
    """The kinds of evidence each claim rests on, with the rule the claim checks use.

    The rows are those a verdict rests on (:func:`basis_rows` of :func:`evidence_rows`, as
    the checks read them), each classified by :func:`evidence_kind` from its design and
    subjects, so a claim the checks flag for animal or healthy-volunteer evidence has that
    kind here.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.

    Returns
    -------
    DataFrame
        One row per claim and kind of evidence it rests on (a claim resting on two kinds has
        two rows; a claim with no evidence row has one row of kind ``none``): ``claim_id``,
        ``kind``, ``verdict``, ``certainty``, ``n_kinds`` (how many kinds the claim has).
    """
    import pandas as pd

    recs = []
    for c in ds.claims.itertuples(index=False):
        basis = basis_rows(evidence_rows(ds, c.claim_id))
        kinds = {evidence_kind(d, s) for d, s in zip(basis["design"], basis["subjects"])} or {"none"}
        for k in sorted(kinds, key=EVIDENCE_KINDS.index):
            recs.append({"claim_id": c.claim_id, "kind": k, "verdict": c.verdict, "certainty": c.certainty,
                         "n_kinds": len(kinds)})
    return pd.DataFrame(recs, columns=["claim_id", "kind", "verdict", "certainty", "n_kinds"])
