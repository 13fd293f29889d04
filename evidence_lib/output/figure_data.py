"""The data behind each figure of the build: rows, names, directions and thresholds.

Everything a reader sees in a figure is decided here, from the data package, through
the review layer's one rule for each question:

- which way is better: :func:`evidence_lib.review.direction.direction` and
  :func:`~evidence_lib.review.direction.benefit_scale` (rows keep the source's sign and say
  with ``favours`` which sign favours the intervention);
- which threshold a shaded band draws: :func:`evidence_lib.review.relevance.threshold_for`
  for the rows' measure and instrument, described in its words
  (:func:`~evidence_lib.review.relevance.describe_threshold`);
- the intervention's and comparators' names: the descriptor's ``review`` block
  (:func:`evidence_lib.review.sof.review_labels`, :func:`~evidence_lib.review.sof.comparator_label`);
- the kinds of evidence behind a claim: the claim checks' classification
  (:func:`evidence_lib.review.evidence_kinds.claim_evidence_kinds`).

The plotting layer then draws what it is given and knows nothing of the review.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace

from evidence_lib._values import is_missing
from evidence_lib._values import is_number as _isnum
from evidence_lib.dataset.derived import per_dataset
from evidence_lib.vocab import NO_DIRECTION, RATIO_MEASURES, TERM_LABELS

MEASURE_NAMES = {"MD": "Mean difference", "SMD": "Standardised mean difference", "RR": "Risk ratio",
                 "OR": "Odds ratio"}
#: Risk-of-bias domains (Cochrane RoB 1) in the order of the ``risk_of_bias`` schema, as readers see them.
ROB_DOMAIN_NAMES = {
    "sequence_generation": "random sequence generation", "allocation_concealment": "allocation concealment",
    "blinding_participants_personnel": "blinding of participants and personnel",
    "blinding_outcome_assessment": "blinding of outcome assessment",
    "incomplete_outcome_data": "incomplete outcome data", "selective_reporting": "selective reporting",
    "other_bias": "other bias"}
PI_LABEL = "95% prediction interval (t, k\u22122 df)"
#: The model of the re-pooled analyses: DerSimonian-Laird with a Wald interval is Review Manager's "IV, Random".
MODEL_LABEL = "IV, Random, 95% CI"


# --------------------------------------------------------------------------- names and directions

def names(ds) -> dict:
    """The review's words: ``intervention`` (e.g. "yoga"), ``Intervention`` and ``comparator(code)``.

    Every figure names a comparator by its short name (the descriptor's ``review.comparators_short``,
    falling back to ``review.comparators``), so that one comparator has one label in every figure.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    dict
        ``intervention`` and ``Intervention`` (str) and ``comparator`` (a function of a
        comparator code giving its readers' name).
    """
    from evidence_lib.review.labels import review_labels

    lab = review_labels(ds)
    short = lab["comparators_short"]
    return {"intervention": lab["intervention"], "Intervention": lab["intervention_label"],
            "comparator": lambda code: short.get(code, str(code).replace("_", " "))}


def favour_labels(ds, favours: str, comparator: str | None) -> tuple[str, str]:
    """("Favours yoga", "Favours usual care"), say, in the order of the axis (left, right).

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).
    favours : str
        The sign convention of the rows (``"negative"``, ``"ratio_lt1"``, ...: which side
        favours the intervention).
    comparator : str or None
        Comparator code; None for "the comparator".

    Returns
    -------
    tuple of str
        The left and the right label.
    """
    n = names(ds)
    other = f"Favours {n['comparator'](comparator)}" if comparator else "Favours the comparator"
    mine = f"Favours {n['intervention']}"
    return (mine, other) if favours in ("negative", "ratio_lt1") else (other, mine)


def axis_words(ds, favours: str, outcomes) -> str:
    """"negative values: lower pain or better function with <intervention>" for rows on one sign convention.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).
    favours : str
        The rows' sign convention.
    outcomes : sequence of str
        The rows' outcome domains (the first decides the words).

    Returns
    -------
    str
        The words, or "" when there are no outcomes.
    """
    from evidence_lib.review.direction import direction

    n = names(ds)
    outs = list(dict.fromkeys(o for o in outcomes if isinstance(o, str)))
    if not outs:
        return ""
    better = " or ".join(direction(favours, o, intervention=n["intervention"]).better for o in outs)
    return direction(favours, outs[0], intervention=n["intervention"]).axis.split(":")[0] + \
        f": {better} with {n['intervention']}"


@dataclass(frozen=True)
class Band:
    """The shaded band of a figure: its half-width on the plotted scale and its words."""

    value: float | None
    text: str
    missing: tuple = ()
    #: The threshold's ``kind`` in ``thresholds.csv`` ("" when no single threshold applies).
    kind: str = ""

    @property
    def style(self) -> str:
        """How forest plots draw the band: ``"hatched"`` for an effect-size convention, else ``"shaded"``."""
        return "hatched" if self.kind == "smd_convention" else "shaded"

    def note(self) -> str:
        """The band's words plus the rows it does not cover."""
        s = self.text
        if self.missing:
            s += ("; " if s else "") + "no threshold applies to " + ", ".join(self.missing)
        return s


def zone_text(row, description: str, measure: str) -> str:
    """What a band around no difference shows (it spans ± the threshold): differences smaller than it.

    Parameters
    ----------
    row : mapping
        The ``thresholds.csv`` row (``value``, ``unit``, ``kind``).
    description : str
        The threshold in words (:func:`~evidence_lib.review.relevance.describe_threshold`).
    measure : str
        The rows' measure; for a ratio measure the description is kept.

    Returns
    -------
    str
        E.g. "differences smaller than the minimal clinically important difference between groups (±15 points ...)".
    """
    from evidence_lib.vocab import THRESHOLD_BAND_PHRASES

    if measure in RATIO_MEASURES or not description.endswith(")") or "(" not in description:
        return description
    source = description[description.rindex("(") + 1:-1]
    unit = str(row.get("unit") or "").strip()
    unit = "" if unit.lower() == "nan" else " " + unit
    size = f"\u00b1{float(row['value']):g}{unit}"
    return THRESHOLD_BAND_PHRASES[str(row["kind"])].format(size=size, source=source)


def band_for(ds, measure: str, instruments, *, labels=None, factor: float = 1.0) -> Band:
    """The one threshold that applies to the rows (:func:`~evidence_lib.review.relevance.threshold_for`).

    Parameters
    ----------
    ds : Dataset
    measure : str
        The rows' measure.
    instruments : sequence
        Each row's instrument.
    labels : sequence, optional
        Each row's label, to name the rows no threshold applies to.
    factor : float
        Multiplies the threshold (e.g. 10 for a 0-10 threshold drawn on 0-100).

    Returns
    -------
    Band
        No value when no threshold, or more than one, applies to the rows.
    """
    from evidence_lib.review.relevance import threshold_for

    found, missing = {}, []
    for i, inst in enumerate(instruments):
        row, text = threshold_for(ds.thresholds, measure, None if is_missing(inst) else inst)
        if row is None:
            missing.append(str(labels[i]) if labels is not None else str(inst))
        else:
            found[str(row["threshold_id"])] = (float(row["value"]), zone_text(row, text, measure), str(row["kind"]))
    if len(found) != 1:
        why = "" if not found else "different thresholds apply to different rows: " + "; ".join(
            t for _, t, _ in found.values())
        return Band(None, why, tuple(dict.fromkeys(missing)))
    value, text, kind = next(iter(found.values()))
    if measure in RATIO_MEASURES:
        value = math.exp(abs(math.log(value)))
    return Band(value * factor, text, tuple(dict.fromkeys(missing)), kind)


def term_text(term, timepoint) -> str:
    """A timepoint as readers see it: the term's name, else the source's timepoint (before any aside).

    Parameters
    ----------
    term : str or None
        The term code (``"short"``, ...), or missing.
    timepoint : str or None
        The source's own timepoint text.

    Returns
    -------
    str
        The label; "timepoint not stated" when both are missing.
    """
    if isinstance(term, str) and term in TERM_LABELS:
        return TERM_LABELS[term]
    if isinstance(timepoint, str) and timepoint.strip():
        return timepoint.split(" (")[0].strip()
    return "timepoint not stated"


# --------------------------------------------------------------------------- the reproduced analysis

def pick_analysis(ds):
    """The pooled analysis the forest and funnel figures show, or None
    (:func:`evidence_lib.review.reproduce.main_analysis`).

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    object or None
        The analysis row (as :func:`evidence_lib.review.reproduce.main_analysis` gives it).
    """
    from evidence_lib.review.reproduce import main_analysis

    return main_analysis(ds)


def trial_effects(ds, analysis_id):
    """The trials of one analysis (:func:`evidence_lib.review.reproduce.trial_rows`) with each arm's
    mean and SD from ``trial_data``, ``y_pool`` on the pooling scale and the plotted values on
    the natural scale; and the measure.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).
    analysis_id : str
        The analysis whose trials are wanted.

    Returns
    -------
    rows : pandas.DataFrame
        One row per trial (``label``, ``yi``, ``vi``, ``ci_low``, ``ci_high``, arm means and
        SDs, ``y_pool``, ``source_id``).
    measure : str
        The analysis' measure.
    """
    import numpy as np

    from evidence_lib.review.reproduce import trial_rows

    rows = trial_rows(ds, analysis_id)
    measure = rows.attrs["measure"]
    td = ds.trial_data[ds.trial_data["analysis_id"] == analysis_id]
    arms = td.drop_duplicates("study_label").set_index("study_label")
    for col in ("mean_i", "sd_i", "mean_c", "sd_c"):
        rows[col] = [arms[col].get(lab) if lab in arms.index else None for lab in rows["label"]]
    rows = rows.assign(y_pool=rows["yi"], source_id=[arms["source_id"].get(lab) for lab in rows["label"]])
    if measure in RATIO_MEASURES:
        rows[["yi", "ci_low", "ci_high"]] = np.exp(rows[["yi", "ci_low", "ci_high"]])
    rows.attrs["measure"] = measure
    return rows, measure


def pool_trials(y_pool, vi, *, ratio=False):
    """Pool with :func:`evidence_lib.meta.pool`: DerSimonian-Laird, Wald (z) interval, t(k-2) prediction interval.

    DL with a Wald interval is Review Manager's "IV, Random", the model of the Cochrane
    analyses the figures re-draw, so that the diamond matches the published one. The
    prediction interval uses the t distribution on k - 2 df (Higgins, Thompson &
    Spiegelhalter 2009, eq. 12; Cochrane Handbook 10.10.4.3). Ratios come back
    exponentiated (natural scale) for plotting.

    Parameters
    ----------
    y_pool, vi : sequence of float
        Effects on the pooling scale (log scale for ratios) and their variances.
    ratio : bool
        Whether the measure is a ratio (results are exponentiated).

    Returns
    -------
    types.SimpleNamespace
        The result's statistics (estimate, CI, PI, tau2, I2, Q, k, z, p, weights).
    """
    from types import SimpleNamespace

    from evidence_lib.meta import pool

    res = pool(list(y_pool), list(vi), method="DL", ci="wald", pi="t_k2")
    keys = ("estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "q", "q_df", "q_pvalue",
            "k", "pvalue", "statistic", "ci_method", "method", "weights")
    d = {n: getattr(res, n) for n in keys}
    if ratio:
        for n in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
            d[n] = math.exp(d[n])
    return SimpleNamespace(**d)


def risk_of_bias_table(ds, labels, source_ids):
    """Judgments per study (rows: the given labels) and domain, from ``risk_of_bias``.

    A study is matched by its label (``risk_of_bias.study``) or its ``source_id``; a row
    with domain ``all`` fills every domain; a study with no row is ``not_seen``.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).
    labels : sequence of str
        Study labels, one row each.
    source_ids : sequence of str
        The source id of each label.

    Returns
    -------
    (DataFrame, list of str, str)
        The judgments, the domains in order, and a note naming who judged (or that none was seen).
    """
    import pandas as pd

    rob = ds.risk_of_bias
    domains = [d for d in ROB_DOMAIN_NAMES]
    out = pd.DataFrame("not_seen", index=list(labels), columns=domains)
    judged_by = set()
    for lab, sid in zip(labels, source_ids):
        hit = rob[(rob["study"] == lab) | ((rob["source_id"] == sid) & rob["source_id"].notna())] if len(rob) else rob
        for r in hit.itertuples(index=False):
            if r.domain == "all":
                out.loc[lab, :] = r.judgment
            elif r.domain in domains:
                out.loc[lab, r.domain] = r.judgment
                if not is_missing(r.assessed_by):
                    judged_by.add(r.assessed_by)
    from evidence_lib.review.views import source_labels

    sl = source_labels(ds)
    if judged_by:
        note = "Risk of bias as judged by " + ", ".join(sl.get(s, s) for s in sorted(judged_by)) + "."
    else:
        note = (f"Risk of bias: no published judgment of these {len(out)} trials was available to the reviewers, "
                "so no risk-of-bias columns are shown.")
    return out, domains, note


@per_dataset
def forest_inputs(ds):
    """Everything the forest figure of the reproduced analysis draws, or None.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    dict or None
        The analysis id, trials, measure, pooled result, analysis row, importance band and
        risk-of-bias table; None when the package has no analysis to draw.
    """
    aid = pick_analysis(ds)
    if aid is None:
        return None
    tr, measure = trial_effects(ds, aid)
    ratio = measure in RATIO_MEASURES
    res = pool_trials(tr["y_pool"], tr["vi"], ratio=ratio)
    tr = tr.assign(weight=[float(w) for w in res.weights])
    row = ds.pooled_results[ds.pooled_results["analysis_id"] == aid].iloc[0]
    n = names(ds)
    from evidence_lib.review.views import source_labels

    band = band_for(ds, measure, [row.get("instrument")])
    rob, domains, rob_note = risk_of_bias_table(ds, list(tr["label"]), list(tr["source_id"]))
    tr = tr.assign(label=[_trial_label(ds, lab) for lab in tr["label"]])
    rob.index = list(tr["label"])
    favours = row.get("favours") if isinstance(row.get("favours"), str) else "na"
    has_arms = tr[["mean_i", "sd_i", "mean_c", "sd_c", "n_i", "n_c"]].notna().all().all()
    comp = n["comparator"](row["comparator_class"])
    inst = row.get("instrument") if isinstance(row.get("instrument"), str) else "scale not stated"
    return dict(
        analysis_id=aid, trials=tr, measure=measure, ratio=ratio, pooled=res, row=row, band=band,
        rob=rob, rob_domains=domains, rob_note=rob_note, has_arms=has_arms,
        arm_names=(n["Intervention"], comp[:1].upper() + comp[1:]),
        favours=favour_labels(ds, favours, row["comparator_class"]),
        axis_note=(f"{MEASURE_NAMES.get(measure, measure)} in {inst}; "
                   + axis_words(ds, favours, [row["outcome"]]) if favours != "na" else NO_DIRECTION),
        source=source_labels(ds).get(row["source_id"], "the review"),
        description=str(row.get("description") or aid))


def _trial_label(ds, label: str) -> str:
    """A review's study label ("Leibing 2002") as the sources table names that trial, when it holds it.

    A trial is matched by its first author's surname and, where the sources table records one,
    its year; so a trial is labelled the same in every figure, and a year the sources table
    does not record is not shown.
    """
    import pandas as pd

    from evidence_lib.review.views import source_labels

    words = str(label).replace(",", " ").split()
    year = next((w[:4] for w in words[1:] if w[:4].isdigit()), None)
    src = ds.sources
    first = src["first_author"].fillna("").astype(str).str.split(" ").str[0].str.rstrip(",")
    years = pd.to_numeric(src["year"], errors="coerce")
    hit = src[(first == (words[0] if words else "")) & (years.isna() | (years == (float(year) if year else -1.0)))]
    return source_labels(ds).get(hit["source_id"].iloc[0], label) if len(hit) == 1 else label


# --------------------------------------------------------------------------- own pooling

@per_dataset
def own_inputs(ds):
    """The package's own pooling of trial pain MDs on 0-100 scales by comparator, or None.

    One visit per trial and comparator: the first visit up to 13 weeks after randomisation
    that has a confidence interval (:func:`evidence_lib.review.views.pain_md_set`); each row
    says its instrument, that week and the visits it was chosen from. DerSimonian-Laird
    within each comparator (as Review Manager), prediction intervals for k >= 3 (t on k - 2
    df; the axis is set from the confidence intervals and a wider prediction interval is cut
    at it, its limits printed). A comparator with one trial is not pooled: its result is the
    trial's own printed estimate and CI (a variance recovered from a printed CI that is not
    symmetric would give a re-derived interval that disagrees with the trial's row). A trial in
    two comparisons shares an arm between them (here, its intervention arm), so the
    comparisons are not independent: no test for subgroup differences is shown then
    (Cochrane Handbook 23.3.4), and the figure says so.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).

    Returns
    -------
    dict or None
        The trials (with ``instrument_short``, ``visit`` and ``in_band`` columns), one result
        per comparator, the subgroup test (or why none), notes, the importance band and its
        words (``band_note``), the axis limits (``xlim``); None when no trial has a usable pain MD.
    """
    import pandas as pd

    from evidence_lib.review.relevance import threshold_for
    from evidence_lib.review.views import pain_differences, pain_md_set, source_labels

    t = pain_md_set(ds)
    if len(t) < 2 or t["comparator_class"].nunique() < 2:
        return None
    n = names(ds)
    sl = source_labels(ds)
    every = pain_differences(ds)
    every = every[every["ci_low"].notna() & every["ci_high"].notna()]
    visits = [sorted(set(every.loc[(every["source_id"] == s) & (every["comparator_class"] == c), "timepoint_weeks"]))
              for s, c in zip(t["source_id"], t["comparator_class"])]
    t = t.assign(group=["vs " + n["comparator"](c) for c in t["comparator_class"]],
                 instrument_short=[inst.split(" (")[0].replace(" 0-100", "") for inst in t["instrument"]],
                 visit=[f"{w:g} (" + ("only visit" if len(v) == 1 else "first of " + ", ".join(f"{x:g}" for x in v))
                        + ")" for w, v in zip(t["timepoint_weeks"], visits)],
                 in_band=[threshold_for(ds.thresholds, "MD", inst)[0] is not None for inst in t["instrument"]])
    results, weights = {}, []
    for g, sub in t.groupby("group", sort=False):
        if len(sub) == 1:                   # nothing to pool: the trial's printed estimate and CI stand
            r = sub.iloc[0]
            results[g] = SimpleNamespace(estimate=float(r["yi"]), ci_low=float(r["ci_low"]),
                                         ci_high=float(r["ci_high"]), k=1, pooled=False)
            weights.append((sub.index[0], 100.0))
            continue
        res = pool_trials(sub["yi"], sub["vi"])
        results[g] = res
        weights += list(zip(sub.index, res.weights))
    t["weight"] = pd.Series(dict(weights))
    shared = sorted(s for s, k in t.groupby("source_id")["group"].nunique().items() if k > 1)
    notes = [_visit_note(t, visits, sl)]
    if shared:
        who = ", ".join(sl.get(s, s) for s in shared)
        test = (f"No test for subgroup differences: {who} {'is' if len(shared) == 1 else 'are'} in more than one "
                f"comparison, sharing an arm, so the comparisons are not independent (Cochrane Handbook 23.3.4).")
    else:
        test = None
    mixed = [g for g, sub in t.groupby("group", sort=False) if sub["instrument_short"].nunique() > 1]
    if mixed:
        insts = ", ".join(dict.fromkeys(t.loc[t["group"].isin(mixed), "instrument_short"]))
        notes.append(f"One mean difference across different 0-100 instruments ({insts}) assumes that a point means "
                     "the same on each, and worst pain is not average pain; the Cochrane Handbook (5.1, 9.2.3.2) "
                     "uses the standardised mean difference when studies measure one outcome in different ways. "
                     "Read " + " and ".join(f"the subtotal {g}" for g in mixed) + " as a rough guide.")
    notes += _n_notes(ds, t, sl)
    notes.append("Weights are within each comparison (DerSimonian-Laird); no total is pooled across comparisons.")
    band = band_for(ds, "MD", list(t["instrument"]), labels=[sl.get(s, s) for s in t["source_id"]])
    xlim = _own_xlim(t, results, band.value)
    notes += _cut_pi_notes(results, xlim)
    test_stats = None
    if not shared:
        from evidence_lib.meta import subgroups

        sg = subgroups(t["yi"], t["vi"], t["group"], method="DL")
        test_stats = {"q": sg.q_between, "df": sg.q_between_df, "pvalue": sg.q_between_pvalue}
    return dict(trials=t.reset_index(drop=True), results=results, test=test or test_stats, shared=shared,
                notes=notes, band=band, band_note=_band_note(t, band, sl), xlim=xlim,
                axis_note="Mean difference, points on 0-100 scales; " + axis_words(ds, "negative", ["pain"]),
                favours=favour_labels(ds, "negative", None), n_trials=t["source_id"].nunique())


def _n_notes(ds, t, sl) -> list:
    """What the n column counts, and what its dash means (never a derived group size)."""
    from_means = list(dict.fromkeys(sl.get(s, s) for s, o in zip(t["source_id"], t["origin"]) if o == "arms"))
    s = "n: group sizes as the sources report them"
    if from_means:
        s += f"; for rows computed from group means ({', '.join(from_means)}), the participants analysed at that visit"
    missing = t[t["n_i"].isna() | t["n_c"].isna()]
    if len(missing):
        src = ds.sources.set_index("source_id")["n_participants"]
        whole = [f"{sl.get(x, x)} {int(src.get(x))}" for x in dict.fromkeys(missing["source_id"]) if _isnum(src.get(x))]
        return [s + ".", "Dash (\u2013) in the n column: group size not reported in the sources we used"
                + (f" (whole trial, as reported: {', '.join(whole)})." if whole else ".")]
    return [s + "."]


def _visit_note(t, visits, sl) -> str:
    """The timepoint rule in words, naming the later visits left out."""
    later = [f"{sl.get(s, s)} {g}: weeks " + ", ".join(f"{x:g}" for x in v if x > w)
             for s, g, w, v in zip(t["source_id"], t["group"], t["timepoint_weeks"], visits) if max(v) > w]
    return ("Week: each trial's first visit up to 13 weeks after randomisation that has a confidence interval (its "
            "first short-term visit), one visit per trial and comparison; in brackets, the weeks with data."
            + (" Later visits not pooled here: " + "; ".join(later) + "." if later else ""))


def _band_note(t, band, sl) -> str:
    """What the shaded band is and which rows it is drawn on."""
    if band.value is None:
        return band.note()
    out = t[~t["in_band"]]
    if not len(out):
        return band.text
    who = ", ".join(dict.fromkeys(f"{i} ({sl.get(s, s)})" for i, s in zip(out["instrument_short"], out["source_id"])))
    groups = [g for g, sub in t.groupby("group", sort=False) if len(sub) > 1 and not sub["in_band"].all()]
    sub = " and ".join(f"the subtotal {g}" for g in groups)
    return (f"{band.text}, drawn only on the rows it applies to: there is no threshold for {who}, so "
            + ("that row is" if len(out) == 1 else "those rows are") + " not shaded"
            + (f", nor {sub}, which includes {'it' if len(out) == 1 else 'them'}" if groups else ""))


def _own_xlim(t, results, band) -> tuple:
    """Axis limits from the trials' and pooled CIs, the null and the band, out to the next multiple of 10."""
    vals = list(t["ci_low"]) + list(t["ci_high"]) + [0.0] + ([-band, band] if band else [])
    vals += [v for r in results.values() for v in (r.ci_low, r.ci_high)]
    return (10 * math.floor(min(vals) / 10 - 0.05), 10 * math.ceil(max(vals) / 10 + 0.05))


def _cut_pi_notes(results, xlim) -> list:
    """A sentence for each prediction interval that runs beyond the axis."""
    out = []
    for g, r in results.items():
        lo, hi = getattr(r, "pi_low", None), getattr(r, "pi_high", None)
        if getattr(r, "k", 0) >= 3 and _isnum(lo) and _isnum(hi) and (lo < xlim[0] or hi > xlim[1]):
            out.append(f"Prediction interval {g}: with {r.k} trials it uses t on {r.k - 2} df and runs beyond "
                       "the axis (arrow heads); its limits are printed on the right. So few trials say little "
                       "about where a new trial's effect would fall.")
    return out
