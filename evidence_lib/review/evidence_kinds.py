"""The kind of evidence a row gives, by its subjects and design: one rule for the checks and the map.

The claim checks (:mod:`evidence_lib.review.checks`, "subjects") flag animal and
healthy-volunteer evidence behind a claim about patients; the evidence map
(:func:`claim_evidence_kinds`) puts each claim in the rows of
the kinds of evidence it rests on. Both classify a row with :func:`evidence_kind`, so a
claim the checks flag for animal evidence shows in the map's "Animals" row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidence_lib.dataset.derived import per_dataset
from evidence_lib.review.labels import condition_subjects
from evidence_lib.terms import term_for_weeks

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

NONHUMAN_DESIGNS = frozenset({"animal"})
HEALTHY_DESIGNS = frozenset({"healthy_volunteer"})
#: Designs that are randomised trials or syntheses of them.
TRIAL_DESIGNS = frozenset({"rct", "meta_analysis", "ipd_meta_analysis", "systematic_review", "cochrane_review"})

#: Kinds, strongest first; "context_only": a claim whose linked rows are all context (shown on its
#: card, but none tests the claim); "none": a claim with no evidence row at all.
EVIDENCE_KINDS = ("condition_trials", "condition_other", "other_patients", "healthy_volunteers", "animals",
                  "context_only", "none")


def evidence_kind_words(ds) -> tuple[dict, dict]:
    """The map's row labels and the alt text's words for each kind, with the review's condition.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    (dict, dict)
        kind -> row label (may hold a line break), kind -> words in a sentence.
    """
    from evidence_lib.review.labels import review_labels

    cond = review_labels(ds)["condition_label"] or "The condition"
    low = cond.lower().replace(" ", "-")
    labels = {"condition_trials": f"{cond}: RCTs,\nmeta-analyses", "condition_other": f"{cond}:\nother designs",
              "other_patients": "Other patients\nor people", "healthy_volunteers": "Healthy\nvolunteers",
              "animals": "Animals", "context_only": "Context only:\nno study tests it",
              "none": "Not linked to\nany study"}
    text = {"condition_trials": f"{low} trials or meta-analyses", "condition_other": f"other {low} studies",
            "other_patients": "other patients or people", "healthy_volunteers": "healthy volunteers",
            "animals": "animals", "context_only": "context studies only",
            "none": "no linked study"}
    return labels, text


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


def evidence_kind(design, subjects, *, condition=frozenset()) -> str:
    """The kind of evidence of one row (one of :data:`EVIDENCE_KINDS` except ``context_only`` and ``none``).

    Parameters
    ----------
    design : str or None
        ``sources.design``.
    subjects : str or None
        The row's subjects (``sources.subjects``, or ``findings.subjects`` for a finding).
    condition : set of str
        The subjects that count as the reviewed condition (:func:`condition_subjects`).

    Returns
    -------
    str

    Examples
    --------
    >>> evidence_kind("animal", "rats")
    'animals'
    >>> evidence_kind("rct", "chronic neck pain", condition={"neck pain", "chronic neck pain"})
    'condition_trials'
    """
    if is_animal(design, subjects):
        return "animals"
    if is_healthy_volunteer(design, subjects):
        return "healthy_volunteers"
    if subjects in condition:
        return "condition_trials" if design in TRIAL_DESIGNS else "condition_other"
    return "other_patients"


# --------------------------------------------------------------------------- the rows behind a claim

def _str(v):
    if v is None or (isinstance(v, float) and v != v):
        return None
    return v


def _effect_subjects(source_subjects, population_text, *, condition: str = "", subtypes=(), near=(), broad=()):
    """Narrow a source's subjects with the effect row's own population words.

    A source on the whole ``condition`` (or with no subjects) whose effect row's population
    names exactly one subtype's qualifier (the subtype's words not in the condition's name,
    e.g. "chronic") is read as that subtype. A source on a broad sample (``broad``: the
    review's indirect and mixed populations, e.g. "mixed chronic pain") whose effect row is a
    subgroup naming exactly one narrower population in full (a subtype, the condition or a
    ``near`` population, e.g. "chronic back and neck pain") is read as that population: the
    row's result is about the subgroup, not the whole sample.
    """
    text = (population_text or "").lower()
    if source_subjects in (condition or None, None) and text and subtypes:
        words = set(condition.split())
        hits = [s for s in subtypes if " ".join(w for w in s.split() if w not in words).lower() in text]
        if len(hits) == 1:
            return hits[0]
    if source_subjects in set(broad) and text:
        named = [p for p in (*subtypes, *([condition] if condition else []), *near) if p.lower() in text]
        named = [p for p in named if not any(p != q and p in q for q in named)]  # the longest name only
        if len(named) == 1:
            return named[0]
    return source_subjects


@per_dataset
def evidence_rows(ds, claim_id: str) -> "pd.DataFrame":
    """The evidence rows linked to a claim, one per ``claim_evidence`` link, in one frame.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    claim_id : str
        A ``claims.claim_id``. An id without links gives an empty frame; a link to a
        row that does not exist, or to an analysis no trial enters, is skipped. A link to
        an analysis (``table`` = ``analyses``) gives one row with the analysis's design,
        subjects, outcome, term, measure and title (:func:`evidence_lib.review.analyses.
        analysis_basis`), ``k`` its number of trials, no ``source_id`` and no single
        ``comparator_class`` (it compares several; they are in ``comparators``).

    Returns
    -------
    pandas.DataFrame
        Columns ``key`` (``table:row_id``), ``table``, ``row_id``, ``role``, ``source_id``,
        ``design``, ``subjects`` (effective, see the module docstring), ``comparator_class``,
        ``outcome``, ``term``, ``measure``, ``estimate``, ``ci_low``, ``ci_high``, ``favours``,
        ``instrument``, ``description``, ``i2``, ``k``, ``analysis_id``, ``population``,
        ``comparators`` (every comparator class the row compares with, joined by ``; ``: the
        row's ``comparator_class``, or an analysis's trials' comparators), in the order of
        ``claim_evidence``.
    """
    import pandas as pd

    cols = ["key", "table", "row_id", "role", "source_id", "design", "subjects", "comparator_class", "outcome",
            "term", "measure", "estimate", "ci_low", "ci_high", "favours", "instrument", "description", "i2", "k",
            "analysis_id", "population", "comparators"]
    from evidence_lib.review.labels import review_labels

    labels = review_labels(ds)
    links = ds.claim_evidence[ds.claim_evidence["claim_id"] == claim_id]
    src = ds.sources.set_index("source_id") if len(ds.sources) else None
    out = []
    for link in links.itertuples(index=False):
        if link.table == "analyses":
            row = _analysis_row(ds, link, cols)
            if row is not None:
                out.append(row)
            continue
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
            pops = labels["populations"]
            subjects = _effect_subjects(subjects, get("population"), condition=labels["condition"],
                                        subtypes=pops.get("subtypes", ()), near=pops.get("near", ()),
                                        broad=(*pops.get("indirect", ()), *pops.get("mixed", ())))
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
            "comparators": get("comparator_class"),
        })
    return pd.DataFrame(out, columns=cols)


def _analysis_row(ds, link, cols):
    """One evidence row for a link to an analysis (None when no trial enters it)."""
    from evidence_lib.review.analyses import analysis_basis

    b = analysis_basis(ds, link.row_id)
    if b is None:
        return None
    row = dict.fromkeys(cols)
    row.update(key=f"analyses:{link.row_id}", table="analyses", row_id=link.row_id, role=link.role,
               design=b["design"], subjects=b["subjects"], outcome=b["outcome"], term=b["term"],
               measure=b["measure"], description=b["description"], k=len(b["studies"]), analysis_id=link.row_id,
               comparators="; ".join(b.get("comparators", ())) or None)
    return row


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


@per_dataset
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
        two rows; a claim whose linked rows are all context has one row of kind
        ``context_only``, a claim with no evidence row one of kind ``none``): ``claim_id``,
        ``kind``, ``verdict``, ``certainty``, ``n_kinds`` (how many kinds the claim has).
    """
    import pandas as pd

    recs = []
    cond = condition_subjects(ds)
    for c in ds.claims.itertuples(index=False):
        linked = evidence_rows(ds, c.claim_id)
        basis = basis_rows(linked)
        kinds = ({evidence_kind(d, s, condition=cond) for d, s in zip(basis["design"], basis["subjects"])}
                 or {"context_only" if len(linked) else "none"})
        for k in sorted(kinds, key=EVIDENCE_KINDS.index):
            recs.append({"claim_id": c.claim_id, "kind": k, "verdict": c.verdict, "certainty": c.certainty,
                         "n_kinds": len(kinds)})
    return pd.DataFrame(recs, columns=["claim_id", "kind", "verdict", "certainty", "n_kinds"])


def studied_populations(rows, names: dict) -> list[str]:
    """Each population some evidence rows studied, with the sources that studied it.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of :func:`evidence_rows` (``subjects``, ``source_id``).
    names : dict
        source_id -> label for readers (:func:`evidence_lib.review.views.source_labels`); a
        label that is only the id (a source with no first author recorded) is left out.

    Returns
    -------
    list of str
        Sorted by population, e.g. ``['mixed chronic pain (Linde 2007; Madsen 2009)']``; a
        population with no named source is given alone.
    """
    by: dict = {}
    for r in rows.itertuples(index=False):
        if r.subjects:
            who = by.setdefault(r.subjects, [])
            name = names.get(r.source_id, "") if isinstance(r.source_id, str) else ""
            if name and not name.startswith(r.source_id) and name not in who:
                who.append(name)
    return [f"{p} ({'; '.join(who)})" if who else p for p, who in sorted(by.items())]
