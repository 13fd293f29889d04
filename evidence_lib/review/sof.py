"""The Summary of Findings as data: one row per comparison x outcome x term.

Which evidence row stands for each cell of the table is a reviewer's choice, and it is
recorded in the data package (``summary_of_findings.csv``: the row ids and why this row
was chosen). Clinical importance is judged against the threshold the one threshold
policy assigns to the row's instrument (:func:`evidence_lib.review.relevance.threshold_for`). The GRADE judgments per
domain for each row are in ``grade.csv`` (``sof_id``), each with a reason; a rating a
review printed itself is recorded beside ours with its page and place, and whether we
adopt it. This module computes everything else from those rows: the effect in GRADEpro
style with its direction in words (:mod:`evidence_lib.review.direction`), participants
and studies counted from the rows, the certainty (start level minus the stored
downgrades), the reading against the threshold (:mod:`evidence_lib.review.relevance`)
and the standard GRADE statement.

References
----------
Santesso N, Glenton C, Dahm P, et al. GRADE guidelines 26: informative statements to
communicate the findings of systematic reviews of interventions. J Clin Epidemiol
2020;119:126-135 (statement wording: high "reduces", moderate "probably reduces", low
"may reduce", very low "the evidence is very uncertain").
Guyatt GH, Oxman AD, Vist GE, et al. GRADE: an emerging consensus on rating quality of
evidence and strength of recommendations. BMJ 2008;336:924-926 (start level and the
five domains that lower it).
"""

from __future__ import annotations

import math

from evidence_lib._values import chance_text, is_missing, is_number, printed_decimals
from evidence_lib.review import relevance as rel
from evidence_lib.review.direction import effect_in_words
from evidence_lib.review.labels import comparator_label, review_labels  # noqa: F401  (part of this module's API)
from evidence_lib.vocab import CERTAINTY_LABELS, GRADE_DOMAIN_LABELS, GRADE_DOMAINS, RATIO_MEASURES, TERM_LABELS

#: Certainty levels from the start, and how far a judgment lowers them.
LEVELS = ("high", "moderate", "low", "very_low")
DOWNGRADE = {"no_concern": 0, "serious": 1, "very_serious": 2}
RANDOMISED = {"rct", "meta_analysis", "ipd_meta_analysis", "systematic_review", "cochrane_review"}
#: The verb for a benefit on each outcome (third person, infinitive).
_VERBS = {"pain": ("reduces", "reduce", "pain"), "function": ("improves", "improve", "function"),
          "response": ("increases", "increase", "the proportion of responders"),
          "quality_of_life": ("improves", "improve", "quality of life")}
COLUMNS = ["sof_id", "comparison", "outcome", "term", "timepoint", "measure", "instrument", "estimate", "ci_low", "ci_high",
           "favours", "effect", "direction", "participants", "studies", "certainty", "downgrades",
           "threshold", "clinical_importance", "statement", "evidence_ids", "selection_reason",
           "published_certainty", "published_note", "p_benefit", "p_important", "bayes", "source"]
#: What a source is, in the SoF's "Source" line, by ``sources.design``.
SOURCE_KIND_WORDS = {"rct": "trial", "meta_analysis": "review", "ipd_meta_analysis": "review",
                     "systematic_review": "review", "cochrane_review": "review"}


def source_text(ds, ev: dict) -> str:
    """The evidence a SoF row rests on, in words: kind, author and year, and where in the source.

    Parameters
    ----------
    ds : Dataset
        The data package (its ``sources`` give design, first author and year).
    ev : dict
        The row's evidence (:func:`_evidence`): ``sources`` (source ids), ``location`` (where
        in the source the numbers are; may be missing) and ``derived`` (True when the
        difference is computed by us from arm-level results).

    Returns
    -------
    str
        E.g. "review: Manheimer 2005, Abstract" or "trial: Haake 2007, difference computed by us
        from the published arm results".
    """
    from evidence_lib.review.views import source_labels

    labels = source_labels(ds)
    src = ds.sources.set_index("source_id")
    parts = []
    for sid in ev["sources"]:
        design = src.at[sid, "design"] if sid in src.index else None
        kind = SOURCE_KIND_WORDS.get(design, str(design).replace("_", " ") if isinstance(design, str) else "source")
        parts.append(f"{kind}: {labels.get(sid, sid)}")
    where = ev.get("location")
    if ev.get("derived"):
        where = "difference computed by us from the published arm results"
    elif isinstance(where, str) and where.strip():
        where = where.split(";")[0].split(",")[0].strip()
    else:
        where = None
    return "; ".join(parts) + (f", {where}" if where else "")


def _source_rows(ds, ids):
    return ds.sources[ds.sources["source_id"].isin(ids)]


def effect_participants(effect, source) -> tuple[float, bool]:
    """The participants behind one ``effects`` row, as the Summary of Findings and the cards count them.

    Parameters
    ----------
    effect : mapping
        An ``effects`` row (``n_intervention``, ``n_control``).
    source : mapping or None
        Its ``sources`` row (``n_participants``).

    Returns
    -------
    (float, bool)
        The two arms' sizes added when the row gives both; else the participants of the whole
        study from its source row (then the flag is True, so that a reader is told the number
        counts the whole trial, not only the two arms compared); NaN and False when neither is
        held.
    """
    n = [effect.get("n_intervention"), effect.get("n_control")]
    if all(is_number(v) for v in n):
        return float(sum(float(v) for v in n)), False
    whole = None if source is None else source.get("n_participants")
    return (float(whole), True) if is_number(whole) else (math.nan, False)


def _evidence(ds, row) -> dict:
    """Estimate, CI, measure, instrument, favours, participants, studies of one SoF row."""
    ids = [s.strip() for s in str(row["evidence_ids"]).split(";") if s.strip()]
    table = row["evidence_table"]
    if table == "pooled_results":
        p = ds.pooled_results.set_index("analysis_id").loc[ids[0]]
        return dict(estimate=p["estimate"], ci_low=p["ci_low"], ci_high=p["ci_high"], measure=p["measure"],
                    instrument=p["instrument"], favours=p["favours"], sources=[p["source_id"]],
                    participants=p["n_participants"], studies=p["k"], design_ids=[p["source_id"]],
                    location=p["location"], timepoint=p["timepoint"])
    if table == "effects":
        e = ds.effects.set_index("effect_id").loc[ids[0]]
        src = _source_rows(ds, [e["source_id"]]).iloc[0]
        participants = effect_participants(e, src)[0]
        studies = 1 if src["design"] == "rct" else math.nan
        return dict(estimate=e["estimate"], ci_low=e["ci_low"], ci_high=e["ci_high"], measure=e["measure"],
                    instrument=e["instrument"], favours=e["favours"], sources=[e["source_id"]],
                    participants=participants, studies=studies, design_ids=[e["source_id"]],
                    location=e["location"] if "location" in e.index else None, timepoint=e["timepoint"])
    if table == "arms":
        from evidence_lib.review.views import arm_difference

        d = arm_difference(ds, ids[0], ids[1])
        return dict(estimate=d["estimate"], ci_low=d["ci_low"], ci_high=d["ci_high"], measure="MD",
                    instrument=d["instrument"], favours=d["favours"], sources=[d["source_id"]],
                    participants=d["n_i"] + d["n_c"], studies=1, design_ids=[d["source_id"]], derived=True,
                    timepoint=f"{d['timepoint_weeks']:g} weeks" if is_number(d["timepoint_weeks"]) else None)
    raise ValueError(f"summary_of_findings.csv [{row['sof_id']}]: evidence_table {table!r} is not one of "
                     f"pooled_results, effects, arms")


#: Decimals of a mean difference in the SoF: its rows are points on 0-100 scales, printed to one decimal
#: as the figures print them (the reproduction table keeps the source's own decimals).
MD_DECIMALS = 1


def _digits(ev) -> int:
    """Decimals of a row's effect: :data:`MD_DECIMALS` for a mean difference; otherwise as many as the
    source printed (no printed digit lost), else 2 for an SMD and 1 otherwise."""
    if ev["measure"] == "MD":
        return MD_DECIMALS
    printed = printed_decimals(ev["estimate"], ev["ci_low"], ev["ci_high"])
    return printed if printed is not None else (2 if ev["measure"] == "SMD" else 1)


def _trial_effects(ds, row, ev):
    """(yi, vi) of the trials behind a row where trial-level data exist, else None."""
    import math as _m

    from evidence_lib.meta.effect_sizes import from_ci

    table = row["evidence_table"]
    if table == "pooled_results":
        from evidence_lib.review.reproduce import trial_rows

        tr = trial_rows(ds, str(row["evidence_ids"]).split(";")[0])
        return (tr["yi"].to_numpy(), tr["vi"].to_numpy()) if len(tr) else None
    if table == "arms" or (table == "effects" and ev["studies"] == 1):
        lo, hi = ev["ci_low"], ev["ci_high"]
        if not (is_number(lo) and is_number(hi)) or ev["measure"] not in ("MD", "SMD"):
            return None
        es = from_ci([ev["estimate"]], [lo], [hi], measure=ev["measure"])
        return es.yi, es.vi if not _m.isnan(es.vi[0]) else None
    return None


#: What the SoF says instead of the Bayesian line when a row rests on one trial. The random-effects model
#: asks about the average effect of trials like this one; with one trial the spread between trials (tau)
#: is not estimable and its prior (half-normal, scale = the MCID) decides how wide that average is, so the
#: probabilities would describe the assumed spread more than the trial (e.g. a 15-point benefit kept a
#: 2-19% chance beside a trial whose CI excludes benefits above 6.4 points).
ONE_TRIAL_BAYES = ("not shown for a single trial (with one trial the spread between trials cannot be estimated, "
                   "so the probabilities would mostly reflect the assumed spread, not this trial); "
                   "the trial's own 95% CI is the result to read")


def _bayes(ds, row, ev, threshold_row):
    """Posterior probabilities of any benefit and of a benefit beyond the MCID, over the three priors.

    Rows resting on one trial get no probabilities (NaN) and :data:`ONE_TRIAL_BAYES` as text: with
    k = 1 the random-effects posterior of the mean is governed by the prior on tau (the model:
    :mod:`evidence_lib.meta.bayes`; weakly informative heterogeneity priors with few studies: the
    Röver et al. paper cited in :mod:`evidence_lib.review.bayes`).
    """
    from evidence_lib.review.bayes import benefit_probabilities

    none = (math.nan, math.nan, "")
    if threshold_row is None or threshold_row["kind"] == "smd_convention" or ev["measure"] != threshold_row["measure"]:
        return none[0], none[1], "not computed: no clinically important difference on this scale"
    data = _trial_effects(ds, row, ev)
    if data is None or ev["favours"] not in ("negative", "positive"):
        return none[0], none[1], "not computed: no trial-level data in the package"
    if len(data[0]) == 1:
        return none[0], none[1], ONE_TRIAL_BAYES
    bp = benefit_probabilities(data[0], data[1], threshold=float(threshold_row["value"]), favours=ev["favours"])
    pb, pi = bp["p_benefit"], bp["p_important"]

    def rng(x):  # the lowest to the highest chance over the priors (rules: chance_text)
        return chance_text(float(x.min()), float(x.max()))

    k = int(bp["k"].iloc[0])
    text = (f"chance of any benefit {rng(pb)}; of a benefit of at least {float(threshold_row['value']):g} points "
            f"{rng(pi)} (sceptical to enthusiastic priors; {k} trials)")
    return float(pb.min()), float(pi.max()), text


def _certainty(ds, sof_id: str, design_ids) -> tuple[str | None, str]:
    g = ds.grade[ds.grade["sof_id"] == sof_id] if "sof_id" in ds.grade.columns else ds.grade.iloc[0:0]
    if g.empty:
        return None, ""
    designs = set(_source_rows(ds, design_ids)["design"])
    start = "high" if designs & RANDOMISED else "low"
    down = sum(DOWNGRADE[j] for j in g["judgment"])
    level = LEVELS[min(len(LEVELS) - 1, LEVELS.index(start) + down)]
    order = {d: i for i, d in enumerate(GRADE_DOMAINS)}
    parts = [f"{GRADE_DOMAIN_LABELS[r.domain].capitalize()} ({r.judgment.replace('_', ' ')}): {r.reason}"
             for r in sorted(g.itertuples(index=False), key=lambda r: order[r.domain]) if DOWNGRADE[r.judgment]]
    return level, " ".join(parts) if parts else "No downgrade."


def _importance(reading, threshold_text: str, *, measure: str) -> tuple[str, str]:
    """(size word for the statement, clinical-importance text in words of size: :func:`relevance.size_text`)."""
    cat = reading.category
    if cat == "favours_control":
        return "worse", f"favours the comparator ({threshold_text})" if threshold_text else "favours the comparator"
    if cat == "not_significant":
        return "none", "no clear difference: the CI includes no effect"
    if cat in ("no_threshold", "no_ci"):
        return "unknown", ("not judged: no confidence interval" if cat == "no_ci" else
                           "not judged: no agreed minimal important difference for this measure")
    words = rel.size_text(cat, reading.estimate, reading.ci_low, reading.ci_high, reading.threshold,
                          threshold_text=threshold_text, whole_ci_below=reading.whole_ci_below,
                          numbers=measure not in RATIO_MEASURES,
                          decimals=MD_DECIMALS if measure == "MD" else None)
    return ("important" if cat in ("clearly_above", "inconclusive") else "small"), words


def statement(certainty: str | None, size: str, *, intervention: str, comparator: str, outcome: str,
              term: str) -> str:
    """The GRADE informative statement (Santesso et al. 2020) for one row.

    Parameters
    ----------
    certainty : {'high', 'moderate', 'low', 'very_low'}
    size : {'important', 'small', 'none', 'worse', 'unknown'}
        How the effect reads against its threshold.
    intervention, comparator : str
        Names as readers see them.
    outcome, term : str
        Outcome and term codes.

    Returns
    -------
    str

    Examples
    --------
    >>> statement("low", "small", intervention="yoga", comparator="usual care", outcome="pain",
    ...           term="immediate")
    'Compared with usual care, yoga may reduce pain slightly immediately after treatment.'
    """
    when = TERM_LABELS.get(term, term)
    when = when if when.startswith("immediately") else f"in the {when}"
    third, base, noun = _VERBS.get(outcome, ("improves", "improve", outcome.replace("_", " ")))
    if certainty == "very_low" or certainty is None:
        return (f"The evidence is very uncertain about the effect of {intervention} on {noun} compared with "
                f"{comparator} {when}.")
    if size == "none":
        verb = {"high": "results", "moderate": "probably results", "low": "may result"}[certainty]
        return f"Compared with {comparator}, {intervention} {verb} in little to no difference in {noun} {when}."
    if size == "worse":
        verb = {"high": "is worse", "moderate": "is probably worse", "low": "may be worse"}[certainty]
        return f"Compared with {comparator}, {intervention} {verb} for {noun} {when}."
    verb = {"high": third, "moderate": f"probably {third}", "low": f"may {base}"}[certainty]
    adverb = " slightly" if size == "small" else ""
    return f"Compared with {comparator}, {intervention} {verb} {noun}{adverb} {when}."


def summary_of_findings(ds):
    """The Summary of Findings table: every row the data package defines, computed and rated.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    pandas.DataFrame
        One row per entry of ``summary_of_findings.csv``, with the columns of
        :data:`COLUMNS`: the comparison and outcome as readers see them, the effect as
        printed (``estimate``, ``ci_low``, ``ci_high``, ``measure``, ``favours``), the effect
        in GRADEpro style with the outcome named so that it reads the same on any scale
        (``effect``, e.g. "MD 8.0 points less pain with acupuncture (13.2 less to 2.8 less)")
        and its value on the report's sign convention, negative = better with the
        intervention (a responder difference on its natural scale instead, "+20.2 (13.4 to
        26.7) percentage points: more responders with acupuncture"), with the published
        value where the sign was reversed
        (``direction``; :func:`evidence_lib.review.direction.effect_in_words`),
        ``participants`` and ``studies`` counted from the rows used (NaN where the source did
        not report them), ``certainty`` (high, moderate, low, very_low; missing if grade.csv
        holds no judgment for the row), ``downgrades`` ("domain (judgment): reason"), the
        ``threshold`` and ``clinical_importance``, the GRADE ``statement``, the
        ``evidence_ids`` and the ``selection_reason``, and a printed rating where a review
        gave one (``published_certainty``, ``published_note``); where the row has trial-level data
        and an MCID, the Bayesian re-analysis (:mod:`evidence_lib.review.bayes`): ``p_benefit``
        (smallest posterior probability of any benefit over the sceptical, neutral and
        enthusiastic priors), ``p_important`` (largest probability of a benefit of at least the
        MCID) and ``bayes`` (the range in words); ``source``, the evidence the row rests on
        (:func:`source_text`).
    """
    import pandas as pd

    labels = review_labels(ds)
    out = []
    for row in ds.summary_of_findings.to_dict("records"):
        ev = _evidence(ds, row)
        comp = comparator_label(ds, row["comparator_class"])
        cert, downs = _certainty(ds, row["sof_id"], ev["design_ids"])
        trow, ttext = rel.threshold_for(ds.thresholds, ev["measure"], ev["instrument"])
        if ev["favours"] in ("negative", "positive", "ratio_gt1", "ratio_lt1") and is_number(ev["estimate"]):
            e, lo, hi = rel.to_benefit(ev["estimate"], ev["ci_low"], ev["ci_high"], ev["measure"], ev["favours"])
            thr = None if trow is None else rel.threshold_on_benefit_scale(trow["value"], ev["measure"])
            cat, below = rel.classify(e, lo, hi, thr)
            reading = rel.Relevance(cat, e, lo, hi, thr, whole_ci_below=below)
            size, importance = _importance(reading, ttext, measure=ev["measure"])
        else:
            size, importance = "unknown", "not judged: the row records no direction of benefit"
        p_benefit, p_important, bayes = _bayes(ds, row, ev, trow)
        effect, signed = effect_in_words(ev["estimate"], ev["ci_low"], ev["ci_high"], measure=ev["measure"],
                                         favours=ev["favours"], outcome=row["outcome"],
                                         intervention=labels["intervention"], digits=_digits(ev))
        out.append({
            "sof_id": row["sof_id"],
            "comparison": f"{labels['intervention_label']} vs {comp}",
            "outcome": row["outcome"], "term": row["term"], "timepoint": ev.get("timepoint"), "measure": ev["measure"],
            "instrument": ev["instrument"], "estimate": ev["estimate"], "ci_low": ev["ci_low"],
            "ci_high": ev["ci_high"], "favours": ev["favours"],
            "effect": effect, "direction": signed,
            "participants": float(ev["participants"]) if is_number(ev["participants"]) else math.nan,
            "studies": float(ev["studies"]) if is_number(ev["studies"]) else math.nan,
            "certainty": cert, "downgrades": downs, "threshold": ttext, "clinical_importance": importance,
            "statement": statement(cert, size, intervention=labels["intervention"], comparator=comp,
                                   outcome=row["outcome"], term=row["term"]),
            "evidence_ids": row["evidence_ids"], "selection_reason": row["selection_reason"],
            "published_certainty": None if is_missing(row["published_certainty"]) else row["published_certainty"],
            "published_note": "" if is_missing(row["published_note"]) else row["published_note"],
            "p_benefit": p_benefit, "p_important": p_important, "bayes": bayes,
            "source": source_text(ds, ev),
        })
    return pd.DataFrame(out, columns=COLUMNS)


def certainty_text(level) -> str:
    """'Low ⊕⊕◯◯' style text for a certainty level (or 'Not rated').

    Parameters
    ----------
    level : {'high', 'moderate', 'low', 'very_low'} or None
        A GRADE certainty level; None or NaN for an unrated row.

    Returns
    -------
    str
        The level's label and its symbols, or ``'Not rated'``.

    Raises
    ------
    KeyError
        For a value that is not a certainty level.

    Examples
    --------
    >>> certainty_text(None)
    'Not rated'
    """
    from evidence_lib.vocab import CERTAINTY_SYMBOLS

    if is_missing(level) or level is None:
        return "Not rated"
    return f"{CERTAINTY_LABELS[level]} {CERTAINTY_SYMBOLS[level]}"
