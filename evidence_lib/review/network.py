"""The bundled trials as one network: every arm with short-term pain data, in one model.

Selection rules (all read from the data package, none typed here):

* Rows of ``arms`` with outcome ``pain`` from randomised trials (``sources.design == "rct"``),
  at a visit in the short term (:func:`evidence_lib.terms.term_for_weeks`), the earliest
  such visit of each trial at which at least two arms have a mean.
* Every value is put on one direction, lower = less pain: follow-up scores on a scale
  where higher is better, and change scores recorded as improvements, are negated (the
  instrument text and the arm's notes say which; see :mod:`evidence_lib.review.views`).
* Measure: the mean difference on 0-100 when every included instrument states a 0-100
  range (points on 0-100 pain scales are comparable; a raw MD may mix follow-up and change
  scores, which the Cochrane Handbook allows for MD but not for SMD); otherwise the SMD.
* An arm needs its mean and either SD and n, or a standard error of its mean. When an
  arm has an SD but no n, and ``effects`` holds the trial's MD for that arm with a CI, the
  arm's variance is derived: var(arm) = se(MD)^2 - var(other arm), the other arm being the
  one whose n equals the row's ``n_intervention``. Nothing else is filled in.
* Treatments are the arm codes of the data (``vocab.ARMS``); the reference is the treatment
  in the most trials (ties: most participants).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from evidence_lib._values import decimal_text, interval_text, is_missing
from evidence_lib.dataset.derived import per_dataset
from evidence_lib.terms import term_for_weeks
from evidence_lib.vocab import ARMS, MEASURE_LABELS, METHOD_LABELS, plural

from .network_arms import Derivation, arms_table, inclusion_table, score_kind
from .views import _higher_is_better, _improvement_score, _Z975, source_labels

#: The reason given for a trial that enters the network, in readers' words.
INCLUDED = "included"

__all__ = ["pain_network_arms", "pain_network_inclusion", "pain_network", "network_section", "NetworkSection",
           "treatment_label", "network_labels", "pain_network_basis", "score_kind", "Derivation"]


def treatment_label(code: str, *, intervention: str | None = None, names: dict | None = None) -> str:
    """Words for an arm code: the review's name for it, else the code with spaces.

    Parameters
    ----------
    code : str
        An arm code (:data:`evidence_lib.vocab.ARMS`).
    intervention : str, optional
        The intervention's name (the descriptor's ``review.intervention``), used for the code
        ``intervention``.
    names : dict, optional
        Comparator code -> the review's short name (the descriptor's
        ``review.comparators_short``, :func:`evidence_lib.review.labels.review_labels`).

    Returns
    -------
    str
        ``intervention`` for the code ``intervention``; the name in ``names``; else the code
        with spaces for underscores (``"no_treatment"`` -> ``"no treatment"``).
    """
    if code == "intervention" and intervention:
        return intervention
    if names and code in names:
        return str(names[code])
    return str(code).replace("_", " ")


def network_labels(ds) -> dict:
    """Arm code -> the name readers see for that treatment in the network's figures and tables.

    The names are the review's own (the descriptor's ``review.intervention`` and
    ``review.comparators_short``), the same words as the pairwise pooling and the Summary of
    findings use for the comparators.

    Parameters
    ----------
    ds : Dataset
        The data package.

    Returns
    -------
    dict
        One entry per arm code of :data:`evidence_lib.vocab.ARMS`.
    """
    from evidence_lib.review.labels import review_labels

    lab = review_labels(ds)
    return {code: treatment_label(code, intervention=lab["intervention"], names=lab["comparators_short"])
            for code in ARMS}


def _oriented(mean, instrument, notes):
    flip = _improvement_score(notes) or _higher_is_better(instrument)
    return (-float(mean) if flip else float(mean)), flip


def _derived_variance(ds, sid, weeks, arm_code, rows):
    """Variance of an arm's mean from the trial's MD row in effects (see the module docstring).

    Returns ``(variance, origin, derivation)``, or ``(None, None, None)``.
    """
    e = ds.effects
    e = e[(e["source_id"] == sid) & (e["outcome"] == "pain") & (e["measure"] == "MD")
          & (e["comparator_class"] == arm_code) & (e["timepoint_weeks"] == weeks)
          & e["ci_low"].notna() & e["ci_high"].notna() & e["n_intervention"].notna()]
    for r in e.itertuples(index=False):
        other = [x for x in rows if not is_missing(x["n"]) and x["sd"] == x["sd"]
                 and float(x["n"]) == float(r.n_intervention) and x["arm"] != arm_code]
        if len(other) != 1:
            continue
        d = Derivation(effect_id=r.effect_id, estimate=float(r.estimate), ci_low=float(r.ci_low),
                       ci_high=float(r.ci_high), se_difference=(float(r.ci_high) - float(r.ci_low)) / (2 * _Z975),
                       other_arm=other[0]["arm"], other_label=other[0]["arm_label"], other_sd=float(other[0]["sd"]),
                       other_n=float(other[0]["n"]))
        if d.variance > 0:
            return d.variance, (f"variance derived from {r.effect_id} (MD {r.estimate:g}, CI {r.ci_low:g} to "
                                f"{r.ci_high:g}) minus the variance of the {other[0]['arm_label']} arm"), d
    return None, None, None


#: What the inclusion table says of a trial none of whose arms could enter.
ALL_ARMS = "all arms"


def pain_network_inclusion(ds):
    """Which trial enters the pain network, with which arms, and why not.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package (selection rules in the module docstring).

    Returns
    -------
    DataFrame
        One row per randomised trial with arm-level rows: source_id, label, pain_weeks
        (the visits with pain means per arm in ``arms.csv``; a trial's other results, e.g. a
        between-group difference at a later visit, are not counted), visit (the short-term
        visit used, NaN if none), arms_entered, arms_left_out (:data:`ALL_ARMS` when the trial
        has no usable visit), reason.

    Raises
    ------
    ValueError
        If ``arms.csv`` holds an arm code outside ``vocab.ARMS``.
    """
    return _select(ds)[1]


def pain_network_arms(ds):
    """The arms of the pain network: one row per trial arm, values oriented lower = less pain.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package (selection rules in the module docstring).

    Returns
    -------
    DataFrame
        study (source id), study_label, treatment (arm code), arm_label, instrument,
        timepoint_weeks, n, mean (oriented), sd, se (NaN unless derived), mean_as_reported,
        negated (bool), origin, arm_id, score (:func:`score_kind`: change from baseline or
        final value) and derivation (a :class:`Derivation` when ``se`` was derived, else None).

    Raises
    ------
    ValueError
        If ``arms.csv`` holds an arm code outside ``vocab.ARMS``.
    """
    return _select(ds)[0]


@per_dataset
def _select(ds):
    import pandas as pd

    from evidence_lib.review.labels import readers_words, review_labels

    labels = source_labels(ds)
    terms = review_labels(ds)["reader_terms"]
    rct = set(ds.sources.loc[ds.sources["design"] == "rct", "source_id"])
    arms = ds.arms[ds.arms["source_id"].isin(rct)].copy()
    arms["arm_label"] = [readers_words(v, terms) for v in arms["arm_label"]]  # the paper's name in readers' words
    names = network_labels(ds)

    def named(r):  # the review's name of the treatment, with the trial's own name when it differs
        own, name = str(r["arm_label"]), names.get(r["arm"], str(r["arm"]))
        if own and r["arm"] == "active_other":  # the catch-all class says less than the trial's own name
            return f"{own} arm"
        return name if not own or own.lower() == name.lower() else f"{name} ({own})"
    out, why = [], []
    for sid in sorted(arms["source_id"].unique()):
        a = arms[(arms["source_id"] == sid) & (arms["outcome"] == "pain")]
        weeks = sorted(float(w) for w in a["timepoint_weeks"].dropna().unique())
        base = dict(source_id=sid, label=labels.get(sid, sid), pain_weeks=", ".join(f"{w:g}" for w in weeks))
        if a.empty:
            why.append(dict(base, visit=math.nan, arms_entered="", arms_left_out=ALL_ARMS,
                            reason="no pain values per arm in the sources used"))
            continue
        short = [w for w in weeks if w > 0 and term_for_weeks(w) == "short"
                 and a.loc[a["timepoint_weeks"] == w, "mean"].notna().sum() >= 2]
        if not short:
            why.append(dict(base, visit=math.nan, arms_entered="", arms_left_out=ALL_ARMS,
                            reason="no short-term visit with a mean in two or more arms"))
            continue
        w = short[0]
        rows = [r._asdict() for r in a[(a["timepoint_weeks"] == w) & a["mean"].notna()].itertuples(index=False)]
        entered, left = [], []
        for r in rows:
            var, origin, derivation = None, "arms.csv", None
            has_sd_n = not is_missing(r["sd"]) and not is_missing(r["n"])
            if not has_sd_n and not is_missing(r["sd"]):
                var, origin, derivation = _derived_variance(ds, sid, w, r["arm"], rows)
            if not has_sd_n and var is None:
                missing = [w for c, w in (("sd", "SD"), ("n", "group size")) if is_missing(r[c])]
                left.append(f"{named(r)}: {' and '.join(missing)} not reported in the sources used")
                continue
            mean, flip = _oriented(r["mean"], r["instrument"], r["notes"])
            out.append(dict(study=sid, study_label=base["label"], treatment=r["arm"], arm_label=r["arm_label"],
                            instrument=r["instrument"], timepoint_weeks=w, n=r["n"], mean=mean, sd=r["sd"],
                            se=math.sqrt(var) if var is not None else math.nan, mean_as_reported=r["mean"],
                            negated=flip, origin=origin, arm_id=r.get("arm_id"), score=score_kind(r.get("notes")),
                            derivation=derivation))
            entered.append(named(r))
        if len(entered) < 2:
            out = [o for o in out if o["study"] != sid]
            reason = "fewer than two arms with usable numbers"
        else:
            reason = INCLUDED + (" (some arms left out)" if left else "")
        why.append(dict(base, visit=w, arms_entered="; ".join(entered) if len(entered) >= 2 else "",
                        arms_left_out="; ".join(left + (entered if len(entered) < 2 else [])), reason=reason))
    cols = ["study", "study_label", "treatment", "arm_label", "instrument", "timepoint_weeks", "n", "mean", "sd",
            "se", "mean_as_reported", "negated", "origin", "arm_id", "score", "derivation"]
    arms_df = pd.DataFrame(out, columns=cols)
    unknown = sorted(set(arms_df["treatment"]) - set(ARMS))
    if unknown:
        raise ValueError(f"arms.csv has arm codes {unknown} outside vocab.ARMS; fix the data package")
    return arms_df, pd.DataFrame(why)


def pain_measure(arms) -> str:
    """``"MD"`` when every instrument states a 0-100 range, else ``"SMD"``.

    Parameters
    ----------
    arms : pandas.DataFrame
        Arms as :func:`pain_network_arms` gives them (an ``instrument`` column is needed).

    Returns
    -------
    str
        ``"MD"`` when every instrument's text contains ``0-100``, else ``"SMD"``.

    Examples
    --------
    >>> import pandas as pd
    >>> pain_measure(pd.DataFrame({"instrument": ["VAS 0-100", "NRS 0-10"]}))
    'SMD'
    """
    return "MD" if all("0-100" in str(i) for i in arms["instrument"]) else "SMD"


@per_dataset
def pain_network_basis(ds) -> dict | None:
    """What the pain network rests on, without fitting it: for the claim checks and the evidence map.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package (selection rules in the module docstring).

    Returns
    -------
    dict or None
        ``design`` (``"meta_analysis"``), ``subjects`` (the ``sources.subjects`` the entering
        trials share; when they differ, the descriptor's ``review.condition`` if every one
        counts as the condition, else None), ``outcome`` (``"pain"``), ``term``
        (``"short"``), ``measure`` (:func:`pain_measure`), ``studies`` (the entering
        trials' labels) and ``comparators`` (the arm codes other than ``intervention`` that
        the entering trials compare with, in order of first appearance); None when no trial
        enters.

    Raises
    ------
    ValueError
        If ``arms.csv`` holds an arm code outside ``vocab.ARMS``.
    """
    from evidence_lib.review.labels import condition_subjects, review_labels

    arms = pain_network_arms(ds)
    if arms.empty:
        return None
    ids = list(dict.fromkeys(arms["study"]))
    src = ds.sources.set_index("source_id")
    subjects = {src.at[i, "subjects"] for i in ids if i in src.index and isinstance(src.at[i, "subjects"], str)}
    if len(subjects) == 1:
        who = subjects.pop()
    elif subjects and subjects <= condition_subjects(ds):
        who = review_labels(ds)["condition"]
    else:
        who = None
    return {"design": "meta_analysis", "subjects": who, "outcome": "pain", "term": "short",
            "measure": pain_measure(arms), "studies": tuple(dict.fromkeys(arms["study_label"])),
            "comparators": tuple(t for t in dict.fromkeys(arms["treatment"]) if t != "intervention")}


@per_dataset
def pain_network(ds, *, method: str = "REML"):
    """Fit the short-term pain network of the bundled trials.

    Parameters
    ----------
    ds : Dataset
        The data package.
    method : {"REML", "FE"}
        Passed to :func:`evidence_lib.meta.network_meta`.

    Returns
    -------
    NetworkResult
        Lower values = less pain; effects are each treatment against the reference.
    """
    from evidence_lib.meta import network_meta

    arms = pain_network_arms(ds)
    counts = arms.groupby("treatment").agg(k=("study", "nunique"), n=("n", "sum"))
    reference = counts.sort_values(["k", "n"], ascending=False).index[0]
    return network_meta(arms, measure=pain_measure(arms), reference=reference, method=method)


@dataclass(frozen=True)
class NetworkSection:
    """What a report section on the network needs: a title, plain words, tables and notes.

    ``tables`` maps a caption to a DataFrame (inclusion of trials, arms, effects against
    the reference, league table, ranking, inconsistency tests, node-splitting); estimates
    with their intervals are text cells in the report's number style (``'−8.6 [−11.1,
    −6.1]'``, :func:`evidence_lib._values.interval_text`). ``table_notes`` maps a caption to
    a sentence shown under that table (e.g. that a column with one value in every row, such
    as τ² = 0, is left out).
    """

    title: str
    summary: str
    tables: dict = field(default_factory=dict)
    notes: tuple = ()
    table_notes: dict = field(default_factory=dict)


#: Decimals of the differences and intervals the section prints (as the league table).
DECIMALS = 1


def _league(res, label):
    """The square league table in the report's number style: row against column, 'est [low, high]'."""
    import pandas as pd

    names = [label(t) for t in res.treatments]
    out = pd.DataFrame("", index=names, columns=names, dtype=object)
    for r in res.league().itertuples(index=False):
        out.loc[label(r.treatment), label(r.comparator)] = interval_text(r.estimate, r.ci_low, r.ci_high, DECIMALS)
    for n in names:
        out.loc[n, n] = n
    return out


def _node_split(split, label):
    """Node-splitting in readers' columns: one comparison per row, each estimate with its 95% CI.

    The standard errors and z are folded into the intervals and the p-value (each interval is
    the estimate ± 1.96 SE, as the engine's); τ² stays a column for :func:`_drop_constant`.
    """
    import pandas as pd

    def ci(r, name):
        e, se = getattr(r, name), getattr(r, f"{name}_se")
        return interval_text(e, e - _Z975 * se, e + _Z975 * se, DECIMALS)

    rows = [{"comparison": f"{label(r.treatment)} vs {label(r.comparator)}", "k_direct": r.k_direct,
             "direct_ci": ci(r, "direct"), "indirect_ci": ci(r, "indirect"), "difference_ci": ci(r, "difference"),
             "pvalue": r.pvalue, "tau2": r.tau2, "network_ci": ci(r, "network")} for r in split.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["comparison", "k_direct", "direct_ci", "indirect_ci", "difference_ci",
                                       "pvalue", "tau2", "network_ci"])


def _drop_constant(frame, column: str, words: str):
    """``frame`` without ``column`` when it holds one value in every row, and a note saying that value.

    Returns ``(frame, note)``; the note is ``''`` and the frame unchanged when the column
    varies, is absent, or the table is empty.
    """
    if column not in frame.columns or len(frame) == 0:
        return frame, ""
    values = frame[column].dropna().unique()
    if len(values) != 1 or frame[column].isna().any():
        return frame, ""
    value = float(values[0])
    return frame.drop(columns=column), f"{words} is {value:.3g} in every row, so it is not shown as a column."


def pain_amount(estimate: float, measure: str, *, decimals: int) -> str:
    """A pain difference as words with its unit after them: '8.6 points less pain (0–100 scale)'.

    Parameters
    ----------
    estimate : float
        The difference, negative = less pain with the first treatment.
    measure : {'MD', 'SMD'}
        The network's measure: points on 0-100 scales, or standard deviations.
    decimals : int
        Decimals shown.

    Returns
    -------
    str
        '8.6 points less pain (0–100 scale)' for an MD; '0.50 standard deviations less pain'
        otherwise.

    Examples
    --------
    >>> pain_amount(-8.62, "MD", decimals=1)
    '8.6 points less pain (0–100 scale)'
    """
    word = "less" if estimate < 0 else "more"
    size = decimal_text(abs(estimate), decimals)
    if measure == "MD":
        return f"{size} points {word} pain (0\u2013100 scale)"
    return f"{size} standard deviations {word} pain"


def reference_against_each(res, *, label=str):
    """The reference treatment against every other one, in the report's sign convention.

    A network result holds each treatment against the reference (treatment minus
    reference); the report shows the intervention against each comparator (intervention
    minus comparator, negative = less pain with the intervention), so the estimates are
    negated and the interval's ends swapped; the standard errors are unchanged.

    Parameters
    ----------
    res : evidence_lib.meta.network.result.NetworkResult
        A fitted network on a difference scale (MD or SMD).
    label : callable
        Treatment code -> readers' name.

    Returns
    -------
    pandas.DataFrame
        One row per treatment other than the reference: ``comparison`` ("acupuncture vs
        sham"), ``treatment``, ``estimate``, ``se``, ``ci_low``, ``ci_high``.
    """
    import pandas as pd

    ref = label(res.reference)
    rows = [{"comparison": f"{ref} vs {label(t)}", "treatment": label(t), "estimate": -r["estimate"],
             "se": r["se"], "ci_low": -r["ci_high"], "ci_high": -r["ci_low"]}
            for t, r in res.effects.iterrows() if t != res.reference]
    return pd.DataFrame(rows, columns=["comparison", "treatment", "estimate", "se", "ci_low", "ci_high"])


def network_section(ds, *, method: str = "REML") -> NetworkSection:
    """The pain network as a report section: tables as DataFrames and a short summary in plain words.

    Parameters
    ----------
    ds : Dataset
        The data package.
    method : {"REML", "FE"}
        Model for the network.

    Returns
    -------
    NetworkSection
        Differences are printed with :data:`DECIMALS` decimals and a true minus sign; the
        node-splitting table has one comparison per row, each estimate with its 95% CI
        (estimate ± 1.96 SE), and leaves out τ² when it is one value in every row (said in
        its table note).

    References
    ----------
    Dias S et al. (2010). Statistics in Medicine (node-splitting; as cited by
    :meth:`evidence_lib.meta.network.result.NetworkResult.node_split`).
    """
    arms = pain_network_arms(ds)
    inclusion = pain_network_inclusion(ds)
    res = pain_network(ds, method=method)
    names = network_labels(ds)

    def label(code):
        return names.get(code, treatment_label(code))

    eff = reference_against_each(res, label=label)
    ranking = res.ranking(small_values="good").reset_index()
    ranking["treatment"] = ranking["treatment"].map(label)
    dbt = res.design_by_treatment().reset_index()
    dbt["pvalue"] = [f"no test ({plural(int(d), 'degree of freedom', 'degrees of freedom')})" if p != p else p
                     for p, d in zip(dbt["pvalue"], dbt["df"])]  # a component with 0 df has no p-value
    split = res.node_split()
    ref = label(res.reference)
    lines = []
    for row in eff.itertuples():
        amount = pain_amount(row.estimate, res.measure, decimals=DECIMALS)
        lines.append(f"against {row.treatment}: {amount} "
                     f"with {ref} ({interval_text(row.estimate, row.ci_low, row.ci_high, DECIMALS)})")
    entered = inclusion[inclusion["reason"].str.startswith(INCLUDED)]["label"].tolist()
    out = inclusion[~inclusion["reason"].str.startswith(INCLUDED)]["label"].tolist()
    between = dbt.set_index("component").loc["between designs (FE)"]
    summary = (
        f"{len(entered)} of {len(inclusion)} trials with arm-level data have short-term pain numbers that can "
        f"enter one model ({', '.join(entered)})" + (f"; {', '.join(out)} cannot" if out else "")
        + f". {ref.capitalize()} at the first short-term visit (negative: less pain with {ref}), "
        + "; ".join(lines) + ". "
        + (f"Direct and indirect evidence could be compared for {plural(len(split), 'comparison')}. " if len(split)
           else "No comparison has both direct and indirect evidence outside a single multi-arm trial, so "
                "node-splitting is not possible. ")
        + (f"The design-by-treatment test has "
           f"{plural(int(between['df']), 'degree of freedom', 'degrees of freedom')} (Q = {decimal_text(between['q'], 2)},"
           f" p = {between['pvalue']:.2g})." if between["df"] > 0 else "The design-by-treatment test has no degrees "
                                                                        "of freedom."))
    kinds = {k: list(dict.fromkeys(arms.loc[arms["score"] == k, "study_label"])) for k in dict.fromkeys(arms["score"])}
    mixed = (" The arms' means are of different kinds (column 'Change from baseline or final value': "
             + "; ".join(f"{k}: {', '.join(v)}" for k, v in kinds.items())
             + "); a mean difference may combine them, a standardised mean difference may not."
             if len(kinds) > 1 else "")
    notes = (
        f"Measure: {MEASURE_LABELS.get(res.measure, res.measure).lower()} "
        f"({'every instrument is a 0–100 pain scale' if res.measure == 'MD' else 'instruments differ'}); "
        f"lower = less pain.{mixed}",
        "Mean used: each arm's mean on one direction, lower = less pain; changes from baseline reported as "
        "improvements (positive numbers) and scores on scales where higher is better are negated, so they differ "
        "in sign from the mean as reported.",
        "Each treatment pools the arms that the trials describe alike (e.g. two kinds of placebo procedure both "
        "counted as sham); whether they are one treatment is a judgment of transitivity.",
        f"Model: {MEASURE_LABELS.get(res.measure, res.measure)}, "
        f"{METHOD_LABELS.get(res.method, res.method)}; {plural(len(res.treatments), 'treatment')}, "
        f"{plural(len(res.studies), 'trial')}, {plural(len(res.data.y), 'contrast')}; τ² = {res.tau2:.2g}; "
        f"Q = {res.q:.2f} ({plural(int(res.q_df), 'degree of freedom', 'degrees of freedom')}, "
        f"p = {res.q_pvalue:.2g}).",
    )
    against = eff.assign(estimate_ci=[interval_text(r.estimate, r.ci_low, r.ci_high, DECIMALS)
                                      for r in eff.itertuples()])[["comparison", "estimate_ci", "se"]]
    arms_view, arms_note = arms_table(ds, arms, label=label)
    tau2 = "τ² (the between-trial variance)"
    dbt, dbt_note = _drop_constant(dbt, "tau2", tau2)
    split_table, split_note = _drop_constant(_node_split(split, label), "tau2", tau2)
    captions = {"against": f"{ref.capitalize()} against each treatment (negative: less pain with {ref})",
                "league": "League table (row against column; difference [95% CI]; negative: less pain with the "
                          "row's treatment)",
                "dbt": "Design-by-treatment interaction",
                "split": "Direct against indirect evidence (node-splitting; differences [95% CI]; negative: less "
                         "pain with the first-named treatment)"}
    tables = {
        "Trials and arms considered": inclusion_table(inclusion),
        "Arms in the network": arms_view,
        captions["against"]: against,
        captions["league"]: _league(res, label),
        "Ranking (P-scores; less pain is better)": ranking,
        captions["dbt"]: dbt,
        captions["split"]: split_table,
    }
    table_notes = {"Arms in the network": arms_note, captions["dbt"]: dbt_note,
                   captions["split"]: " ".join(x for x in (
                       "Each 95% CI is the estimate ± 1.96 standard errors; the p-value tests whether the direct "
                       "and indirect estimates differ." if len(split_table) else "", split_note) if x)}
    return NetworkSection(title="Network meta-analysis of short-term pain", summary=summary, tables=tables,
                          notes=notes, table_notes={k: v for k, v in table_notes.items() if v})
