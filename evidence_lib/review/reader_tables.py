"""Tables in readers' words: the package's codes replaced by the labels it already defines.

The data keep codes (``supported_with_caveats``, ``very_low``, ``conventional_therapy``,
``all_cause``, ``pp_difference``); readers see the words the report uses for them (the
labels of :mod:`evidence_lib.vocab` and the review's own names from the descriptor,
:mod:`evidence_lib.review.labels`). Effects are put into words with the report's own
direction helpers (:func:`evidence_lib.review.direction.effect_in_words`), so a notebook
table says which way is better and uses the report's one sign convention.
"""

from __future__ import annotations

from evidence_lib._values import is_missing, printed_decimals
from evidence_lib.vocab import (AE_ATTRIBUTION_LABELS, CATEGORY_ORDER, CERTAINTY_LABELS, MEASURE_LABELS,
                                OUTCOME_LABELS, REPORT_COLUMN_LABELS, TERM_LABELS, THRESHOLD_KIND_LABELS,
                                VERDICT_LABELS)

__all__ = ["readers_table", "verdict_count_table", "evidence_kind_table", "effects_in_words", "column_header",
           "row_blocks"]

#: Column headers of notebook tables in readers' words, beyond :data:`evidence_lib.vocab.REPORT_COLUMN_LABELS`.
HEADERS = {
    "label": "Source", "claim_id": "Claim", "category": "Claim area", "verdict": "Verdict", "certainty": "Certainty (GRADE)",
    "quote": "Article's words", "source_id": "Source", "comparator_class": "Comparator", "arm": "Arm",
    "outcome": "Outcome", "term": "Term", "measure": "Measure", "kind": "Kind of threshold", "value": "Value",
    "unit": "Unit", "attribution": "Events counted", "events": "Events", "denominator": "Denominator",
    "denominator_kind": "Per", "per_10000": "Per 10,000", "per_10000_low": "Lower 95% limit per 10,000",
    "per_10000_high": "Upper 95% limit per 10,000", "timepoint": "Timepoint", "yi": "Difference",
    "origin": "Where the number comes from", "mean_i": "Mean, acupuncture arm", "mean_c": "Mean, control arm",
    "location": "Where in the source", "comparator_label": "Comparator", "summary": "Estimate [95% CI]",
    "favours": "Which sign favours the intervention", "status": "Checked against the source",
    "k": "Trials", "prior": "Prior", "p_benefit": "Chance of any benefit",
    "p_important": "Chance the average benefit reaches the threshold",
    "p_next_trial_important": "Chance a new trial's benefit reaches the threshold",
}


def column_header(name: str) -> str:
    """A column name as a table header in readers' words.

    Parameters
    ----------
    name : str
        A column name of a package table.

    Returns
    -------
    str
        Its entry in :data:`HEADERS` or :data:`evidence_lib.vocab.REPORT_COLUMN_LABELS`; else
        the name with spaces for underscores and a capital first letter.

    Examples
    --------
    >>> column_header("attribution"), column_header("p_score"), column_header("sessions_total")
    ('Events counted', 'P-score', 'Sessions total')
    """
    if name in HEADERS:
        return HEADERS[name]
    if name in REPORT_COLUMN_LABELS:
        return REPORT_COLUMN_LABELS[name]
    text = str(name).replace("_", " ")
    return text[:1].upper() + text[1:]


def _origin_words(value) -> str:
    text = "" if is_missing(value) else str(value)
    if text.startswith("effects"):
        return "difference as published"
    if text == "arms":
        return "computed from the group means"
    return text


def _value_maps(ds) -> dict:
    """Column name -> function turning one code of that column into readers' words."""
    from evidence_lib.review.labels import arm_label, comparator_label, review_labels
    from evidence_lib.review.views import source_labels

    sources = source_labels(ds)
    intervention = review_labels(ds)["intervention"]
    favours = {"negative": f"negative values favour {intervention}", "positive": f"positive values favour {intervention}",
               "ratio_lt1": f"ratios below 1 favour {intervention}", "ratio_gt1": f"ratios above 1 favour {intervention}",
               "na": "no direction of benefit"}

    def lookup(table, lower=False):
        def f(v):
            if is_missing(v):
                return ""
            out = table.get(v, str(v).replace("_", " "))
            return out.lower() if lower else out
        return f

    return {
        "verdict": lookup(VERDICT_LABELS),
        "certainty": lookup(CERTAINTY_LABELS),
        "attribution": lookup(AE_ATTRIBUTION_LABELS),
        "outcome": lookup(OUTCOME_LABELS),
        "term": lookup(TERM_LABELS),
        "measure": lookup({**MEASURE_LABELS, "MD": "mean difference", "SMD": "standardised mean difference"}),
        "kind": lookup(THRESHOLD_KIND_LABELS),
        "favours": lookup(favours),
        "source_id": lambda v: "" if is_missing(v) else sources.get(v, str(v)),
        "comparator_class": lambda v: "" if is_missing(v) else comparator_label(ds, v),
        "arm": lambda v: "" if is_missing(v) else arm_label(ds, v),
        "treatment": lambda v: "" if is_missing(v) else arm_label(ds, v),
        "origin": _origin_words,
    }


def readers_table(frame, ds, *, columns=None, headers=None):
    """A table with its codes in readers' words and its headers spelled out.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table of the package (effects, adverse events, thresholds, a view).
    ds : Dataset
        The data package, for the review's own names (intervention, comparators, sources).
    columns : sequence of str, optional
        Columns to keep, in this order; None keeps all.
    headers : dict, optional
        Column name -> header for this table, where the general one would mislead (an
        ``estimate`` column holding responder rates, not differences).

    Returns
    -------
    pandas.DataFrame
        A copy: values of code columns (``verdict``, ``certainty``, ``attribution``, ``outcome``,
        ``term``, ``measure``, ``kind``, ``favours``, ``source_id``, ``comparator_class``,
        ``arm``, ``treatment``, ``origin``) replaced by their labels, every header by
        :func:`column_header`; the index is kept, its name spelled out.

    Raises
    ------
    ValueError
        If a name in ``columns`` is not a column of ``frame``.
    """
    missing = [c for c in (columns or ()) if c not in frame.columns]
    if missing:
        raise ValueError(f"columns={missing!r} are not columns of the table; choose from {list(frame.columns)}")
    out = frame.loc[:, list(columns)].copy() if columns is not None else frame.copy()
    for name, words in _value_maps(ds).items():
        if name in out.columns:
            out[name] = out[name].map(words).astype(object)
    out.columns = [(headers or {}).get(c) or column_header(c) for c in out.columns]
    if out.index.name:
        out.index.name = column_header(out.index.name)
    return out


def verdict_count_table(ds):
    """Claims per claim area and verdict, with the report's verdict labels.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    pandas.DataFrame
        :func:`evidence_lib.review.ledger.verdict_counts` with the verdicts as the report names
        them ("Supported, with caveats") and the claim areas capitalised.
    """
    from evidence_lib.review.ledger import verdict_counts

    tab = verdict_counts(ds).copy()
    tab.columns = [VERDICT_LABELS.get(c, c) for c in tab.columns]
    tab.index = [c.capitalize() for c in tab.index]
    tab.index.name, tab.columns.name = "Claim area", "Verdict"
    return tab


def evidence_kind_table(ds, *, category=None):
    """For each claim, its verdict, certainty and the kinds of subjects its sources studied, in words.

    Parameters
    ----------
    ds : Dataset
    category : str, optional
        Keep only claims of this area (:data:`evidence_lib.vocab.CATEGORY_ORDER`).

    Returns
    -------
    pandas.DataFrame
        :func:`evidence_lib.review.views.claims_by_evidence_kind` through :func:`readers_table`,
        without the area column when one area is kept.

    Raises
    ------
    ValueError
        If ``category`` is not a claim area.
    """
    from evidence_lib.review.views import claims_by_evidence_kind

    if category is not None and category not in CATEGORY_ORDER:
        raise ValueError(f"category={category!r} is not a claim area; choose one of {CATEGORY_ORDER}")
    tab = claims_by_evidence_kind(ds, category=category)
    if category is not None:
        tab = tab.drop(columns="category")
    return readers_table(tab, ds)


def effects_in_words(ds, effects):
    """Effects rows as the report words them: which arm, which way is better, on one sign convention.

    Parameters
    ----------
    ds : Dataset
    effects : pandas.DataFrame
        Rows of ``ds.effects`` (any subset).

    Returns
    -------
    pandas.DataFrame
        One row per effect: ``Source``, ``Comparison`` (readers' words), ``Outcome``,
        ``Timepoint``, ``Effect`` (the size with the outcome named and the arm it favours,
        :func:`evidence_lib.review.direction.effect_in_words`, with as many decimals as the
        source printed) and ``Signed value`` (the value
        on the report's convention, negative = better with the first-named arm for
        differences; proportion differences of responders on their natural scale, ratios as
        published, a reversed sign said so).

    Raises
    ------
    ValueError
        If ``effects`` lacks a column of the effects table that the words need.

    References
    ----------
    Santesso N, Glenton C, Dahm P, et al. GRADE guidelines 26: informative statements to
    communicate the findings of systematic reviews of interventions. J Clin Epidemiol
    2020;119:126-135 (effects stated as the difference in the intervention group).
    """
    import pandas as pd

    from evidence_lib.review.direction import effect_in_words
    from evidence_lib.review.labels import comparison_arms, readers_words, review_labels
    from evidence_lib.review.views import source_labels

    need = ["source_id", "comparison", "outcome", "timepoint", "measure", "estimate", "ci_low", "ci_high", "favours"]
    missing = [c for c in need if c not in effects.columns]
    if missing:
        raise ValueError(f"effects lacks columns {missing}; pass rows of ds.effects")
    labels = review_labels(ds)
    sources = source_labels(ds)
    rows = []
    for r in effects.itertuples(index=False):
        first, second = comparison_arms(r.comparison, intervention=labels["intervention"],
                                        terms=labels["reader_terms"])
        # as many decimals as the source printed, as the Summary of Findings does
        digits = printed_decimals(r.estimate, r.ci_low, r.ci_high)
        digits = digits if digits is not None else (2 if r.measure == "SMD" else 1)
        words, signed = effect_in_words(r.estimate, r.ci_low, r.ci_high, measure=r.measure, favours=r.favours,
                                        outcome=r.outcome, intervention=first, versus=second, digits=digits)
        rows.append({"Source": sources.get(r.source_id, r.source_id),
                     "Comparison": readers_words(r.comparison, labels["reader_terms"]),
                     "Outcome": OUTCOME_LABELS.get(r.outcome, str(r.outcome).replace("_", " ")),
                     "Timepoint": "" if is_missing(r.timepoint) else str(r.timepoint),
                     "Effect": words, "Signed value": signed})
    return pd.DataFrame(rows, columns=["Source", "Comparison", "Outcome", "Timepoint", "Effect", "Signed value"])



def row_blocks(table, *, heading, width: int = 110) -> str:
    """A table with long text cells as one wrapped block per row, so that no cell is cut.

    Parameters
    ----------
    table : pandas.DataFrame
        A table in readers' words (:func:`readers_table`, :func:`effects_in_words`).
    heading : sequence of str
        Columns joined with ", " into each block's first line; the other columns follow,
        one per indented line as "Header: value" (empty cells left out).
    width : int
        Line width in characters; longer lines are wrapped, never cut.

    Returns
    -------
    str
        The blocks separated by blank lines.

    Raises
    ------
    ValueError
        If a name in ``heading`` is not a column of ``table``.

    Examples
    --------
    >>> import pandas as pd
    >>> print(row_blocks(pd.DataFrame({"Source": ["Lee 2013"], "Effect": ["RR 1.11 (1.06 to 1.16)"]}),
    ...                  heading=["Source"]))
    Lee 2013
      Effect: RR 1.11 (1.06 to 1.16)
    """
    import textwrap

    missing = [c for c in heading if c not in table.columns]
    if missing:
        raise ValueError(f"heading={missing!r} are not columns of the table; choose from {list(table.columns)}")
    blocks = []
    for _, row in table.iterrows():
        head = ", ".join(str(row[c]) for c in heading if not is_missing(row[c]) and str(row[c]))
        lines = [textwrap.fill(head, width=width, subsequent_indent="  ")]
        for c in table.columns:
            if c in heading or is_missing(row[c]) or not str(row[c]):
                continue
            lines.append(textwrap.fill(f"{c}: {row[c]}", width=width, initial_indent="  ", subsequent_indent="    ",
                                       break_on_hyphens=False))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
