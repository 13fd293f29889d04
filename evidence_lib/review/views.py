"""Ready-made views of the data for each claim area: what the notebooks and the build show.

Each function takes a :class:`~evidence_lib.dataset.loader.Dataset` and returns a tidy DataFrame
(or a small result object). They hold the selection rules, so that a notebook cell is
one call and the CLI, the figures and the report show the same rows.
"""

from __future__ import annotations

from evidence_lib._values import author_surname, interval_text, is_missing
from evidence_lib.dataset.derived import per_dataset
from evidence_lib.review.labels import readers_words, review_labels

_Z975 = 1.959963984540054
REVIEW_DESIGNS = ("meta_analysis", "ipd_meta_analysis", "systematic_review", "cochrane_review")
INTERVENTION = "intervention"  # the intervention's arm code (vocab.INTERVENTION_ARM)


def _versus(ds, codes):
    """Comparator codes as "vs <name>" (the descriptor's words; an unnamed code stays as it is)."""
    from evidence_lib.review.labels import versus_labels

    v = versus_labels(ds)
    return codes.map(lambda c: v.get(c, c))


@per_dataset
def source_labels(ds) -> dict:
    """source_id -> 'Haake 2007' from the sources table (first author's surname, year).

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.

    Returns
    -------
    dict of str to str
        One label per ``sources`` row: the surname of ``first_author`` (:func:`evidence_lib._values.author_surname`; else the id),
        then the year when recorded.
    """
    out = {}
    for r in ds.sources.itertuples(index=False):
        name = author_surname(r.first_author) or r.source_id
        out[r.source_id] = name if is_missing(r.year) else f"{name} {int(r.year)}"
    return out


def _label(ds, source_id: str) -> str:
    return source_labels(ds).get(source_id, source_id)


def review_effects(ds, *, comparator_classes=None):
    """Pooled results from reviews and meta-analyses (the systematic-review evidence).

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    comparator_classes : sequence of str, optional
        Keep only these ``comparator_class`` codes; None keeps all.

    Returns
    -------
    pandas.DataFrame
        The ``effects`` rows with an estimate whose source is a review or meta-analysis,
        plus ``design``, ``label`` ("Manheimer 2005") and ``comparator_label``, sorted by
        comparator, measure and source.
    """
    e = ds.effects.merge(ds.sources[["source_id", "design"]], on="source_id", how="left")
    e = e[e["design"].isin(REVIEW_DESIGNS) & e["estimate"].notna()].copy()
    if comparator_classes is not None:
        e = e[e["comparator_class"].isin(comparator_classes)]
    e["label"] = [_label(ds, s) for s in e["source_id"]]
    e["comparator_label"] = _versus(ds, e["comparator_class"])
    return e.sort_values(["comparator_class", "measure", "source_id", "effect_id"]).reset_index(drop=True)


def trial_effects_over_time(ds, *, comparator_classes=("sham", "no_treatment", "usual_care", "conventional_therapy"),
                            measures=("MD", "pp_difference")):
    """Between-group effects from trials with a timepoint in weeks, for effect-over-time plots.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    comparator_classes, measures : sequence of str
        Keep RCT ``effects`` rows with these comparator codes and measures.

    Returns
    -------
    pandas.DataFrame
        The rows plus ``benefit``, ``benefit_low``, ``benefit_high`` (re-signed with the
        row's ``favours`` so that positive means better with acupuncture; units of the
        estimate) and ``series`` (trial, comparison and instrument), sorted by series and week.
    """
    e = ds.effects.merge(ds.sources[["source_id", "design"]], on="source_id", how="left")
    e = e[(e["design"] == "rct") & e["estimate"].notna() & e["timepoint_weeks"].notna()
          & e["comparator_class"].isin(comparator_classes) & e["measure"].isin(measures)].copy()
    sign = e["favours"].map({"negative": -1.0, "positive": 1.0}).fillna(1.0)
    e["benefit"] = e["estimate"] * sign
    lo, hi = e["ci_low"] * sign, e["ci_high"] * sign
    e["benefit_low"] = lo.where(sign > 0, hi)
    e["benefit_high"] = hi.where(sign > 0, lo)
    versus = _versus(ds, e["comparator_class"])
    e["series"] = [f"{_label(ds, s)} {v} ({i.split(' (')[0].split(':')[0]})"
                   for s, v, i in zip(e["source_id"], versus, e["instrument"])]
    return e.sort_values(["series", "timepoint_weeks"]).reset_index(drop=True)


def arm_smd_set(ds, *, control_arm: str = "sham", instruments=None, max_weeks: float = 13):
    """Per-trial SMDs (Hedges' g) computed from arm data, acupuncture versus ``control_arm``.

    Takes, per trial, the earliest timepoint after baseline up to ``max_weeks`` at which
    both arms report n, mean and SD, and computes g with metafor's escalc definition
    (:func:`evidence_lib.meta.effect_sizes.smd`). Signs are set so that negative favours
    acupuncture: scores where higher is better are flipped, using the instrument text
    ("higher = better") or an arm note that the values are improvements ("CHANGE from
    baseline ..., positive = improvement"). A note saying "not change" does not flip.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    control_arm : str
        Arm code of the control (``vocab.ARMS``, e.g. ``"sham"``).
    instruments : sequence of str, optional
        Keep instruments whose text contains one of these; None keeps every pain instrument.
    max_weeks : float
        Latest visit considered, in weeks after randomisation.

    Returns
    -------
    pandas.DataFrame
        label, source_id, instrument, timepoint_weeks, n_i, n_c, yi (g), vi, direction.

    References
    ----------
    Hedges LV (1981) Distribution theory for Glass's estimator of effect size and related
    estimators. J Educ Stat 6:107-128.
    """
    import pandas as pd

    from evidence_lib.meta.effect_sizes import smd

    arms = ds.arms.dropna(subset=["mean", "sd", "n", "timepoint_weeks"])
    arms = arms[arms["timepoint_weeks"] > 0]
    rows = []
    for (sid, instr), g in arms.groupby(["source_id", "instrument"], sort=True):
        if instruments is not None and not any(k in instr for k in instruments):
            continue
        if "pain" not in instr.lower() and "VAS" not in instr:
            continue
        for w in sorted(g["timepoint_weeks"].unique()):
            if w > max_weeks:
                break
            own = g[(g["arm"] == INTERVENTION) & (g["timepoint_weeks"] == w)]
            ctl = g[(g["arm"] == control_arm) & (g["timepoint_weeks"] == w)]
            if own.empty or ctl.empty:
                continue
            a, c = own.iloc[0], ctl.iloc[0]
            es = smd(a["mean"], a["sd"], int(a["n"]), c["mean"], c["sd"], int(c["n"]))
            yi, vi = float(es.yi[0]), float(es.vi[0])
            higher_better = _higher_is_better(instr) or _improvement_score(a["notes"])
            if higher_better:
                yi = -yi
            rows.append(dict(label=_label(ds, sid), source_id=sid, instrument=instr, timepoint_weeks=float(w),
                             n_i=int(a["n"]), n_c=int(c["n"]), yi=yi, vi=vi,
                             direction="flipped (higher = better)" if higher_better else "as reported (lower = better)"))
            break
    return pd.DataFrame(rows, columns=["label", "source_id", "instrument", "timepoint_weeks", "n_i", "n_c", "yi", "vi", "direction"])


def safety_table(ds):
    """Adverse-event rates with a readable label, per patient and per treatment, plus serious events per 10,000.

    Rates on a per-patient or per-treatment scale are proportions; the ``per_10000``
    column re-expresses every row per 10,000 for comparison. Rows without an estimate but
    with events and a denominator get the rate computed from the counts.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.

    Returns
    -------
    pandas.DataFrame
        ``adverse_events`` rows with a rate, plus ``rate``, ``rate_source``, ``per_10000``,
        ``per_10000_low``, ``per_10000_high``, ``denominator_kind`` and ``label``.
    """
    ae = ds.adverse_events.copy()
    scale = ae["unit"].map({"per_patient": 1.0, "per_treatment": 1.0, "per_10000_patients": 10000.0,
                            "per_10000_treatments": 10000.0})
    computed = ae["events"].astype("float") / ae["denominator"].astype("float") * scale
    ae["rate"] = ae["estimate"].fillna(computed)
    ae["rate_source"] = ["reported" if e == e else ("counts" if c == c else "") for e, c in zip(ae["estimate"], computed)]
    ae["per_10000"] = ae["rate"] * (10000.0 / scale)
    ae["per_10000_low"] = ae["ci_low"] * (10000.0 / scale)
    ae["per_10000_high"] = ae["ci_high"] * (10000.0 / scale)
    ae["denominator_kind"] = ae["unit"].str.contains("patient").map({True: "patients", False: "treatments"})
    names = ae["event"] if "event" in ae.columns else ae["ae_type"].str.replace("_", " ")
    ae["label"] = [f"{_label(ds, s)}: {t}" for s, t in zip(ae["source_id"], names)]
    return ae.dropna(subset=["rate"]).reset_index(drop=True)


def protocol_table(ds):
    """Acupuncture protocols of the trials (acupuncture arms), with a readable label.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.

    Returns
    -------
    pandas.DataFrame
        The ``protocols`` rows of acupuncture arms plus ``label``.
    """
    p = ds.protocols[ds.protocols["arm"] == INTERVENTION].copy()
    p["label"] = [_label(ds, s) for s in p["source_id"]]
    return p.reset_index(drop=True)


def claims_by_evidence_kind(ds, *, category=None):
    """For each claim, the kinds of subjects its linked sources studied.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    category : str, optional
        Keep only claims of this category (``vocab.CATEGORY_ORDER``); None keeps all.

    Returns
    -------
    pandas.DataFrame
        Indexed by claim_id: category, verdict, certainty and counts of linked sources
        (context links left out) in back-pain patients, other people, healthy volunteers
        and animals.
    """
    from evidence_lib.review.labels import condition_subjects, review_labels
    import pandas as pd

    links = ds.claim_sources[ds.claim_sources["role"] != "context"].merge(
        ds.sources[["source_id", "design", "subjects"]], on="source_id", how="left")

    cond = condition_subjects(ds)
    own = (review_labels(ds)["condition_label"].lower().replace(" ", "-") or "condition") + " patients"

    def kind(design, subjects):
        if design == "animal" or subjects == "animals":
            return "animals"
        if design == "healthy_volunteer" or subjects == "healthy volunteers":
            return "healthy volunteers"
        if subjects in cond:
            return own
        return "other people"

    links["kind"] = [kind(d, s) for d, s in zip(links["design"], links["subjects"])]
    tab = pd.crosstab(links["claim_id"], links["kind"])
    for k in (own, "other people", "healthy volunteers", "animals"):
        if k not in tab.columns:
            tab[k] = 0
    tab = tab[[own, "other people", "healthy volunteers", "animals"]]
    claims = ds.claims.set_index("claim_id")[["category", "verdict", "certainty"]]
    out = claims.join(tab, how="left").fillna(0)
    for k in tab.columns:
        out[k] = out[k].astype(int)
    if category is not None:
        out = out[out["category"] == category]
    return out


def _improvement_score(notes) -> bool:
    """True when an arm's notes say its values are improvements (change scores, positive = better)."""
    text = str(notes).lower()
    return "positive = improvement" in text or "decrease in" in text and "change from baseline" in text


def _higher_is_better(instrument: str) -> bool:
    text = str(instrument).lower()
    return "higher = better" in text or "higher = less pain" in text or "% of full function" in text


def arm_difference(ds, arm_id: str, control_arm_id: str) -> dict:
    """The mean difference between two arms of one trial, from their arm rows (``arms.csv``).

    The difference ``arm - control`` and its 95% CI come from
    :func:`evidence_lib.meta.effect_sizes.md` (metafor's ``escalc(measure="MD")``, Wald CI).
    ``favours`` says which sign favours the first arm, from the instrument's direction
    ("higher = better" scales favour it when positive).

    Parameters
    ----------
    ds : Dataset
    arm_id, control_arm_id : str
        ``arm_id`` values of the two rows (same trial, instrument and timepoint).

    Returns
    -------
    dict
        label, source_id, instrument, comparison, timepoint_weeks, term, n_i, n_c, mean_i, mean_c,
        estimate, ci_low, ci_high, favours, benefit, benefit_low, benefit_high.

    Raises
    ------
    KeyError
        If an arm id is not in ``arms.csv``.
    ValueError
        If the two rows are not of one trial, instrument and timepoint, or lack n, mean or SD.
    """
    import math

    from evidence_lib.meta.effect_sizes import md
    from evidence_lib.terms import term_for_weeks

    arms = ds.arms.set_index("arm_id")
    for a in (arm_id, control_arm_id):
        if a not in arms.index:
            raise KeyError(f"arms.csv has no arm_id {a!r}")
    x, c = arms.loc[arm_id], arms.loc[control_arm_id]
    for col in ("source_id", "instrument", "timepoint_weeks"):
        if x[col] != c[col]:
            raise ValueError(f"arms {arm_id!r} and {control_arm_id!r} differ in {col} ({x[col]!r} vs {c[col]!r}); "
                             f"compare arms of one trial, instrument and timepoint")
    es = md(x["mean"], x["sd"], int(x["n"]), c["mean"], c["sd"], int(c["n"]))
    yi, se = float(es.yi[0]), math.sqrt(float(es.vi[0]))
    lo, hi = yi - _Z975 * se, yi + _Z975 * se
    up = _higher_is_better(x["instrument"])
    s = 1.0 if up else -1.0
    w = float(x["timepoint_weeks"])
    return dict(label=_label(ds, x["source_id"]), source_id=x["source_id"], instrument=x["instrument"],
                comparison=readers_words(f"{x['arm_label']} vs {c['arm_label']}", review_labels(ds)["reader_terms"]),
                timepoint_weeks=w,
                term=term_for_weeks(w), n_i=int(x["n"]), n_c=int(c["n"]),
                mean_i=float(x["mean"]), mean_c=float(c["mean"]), estimate=yi, ci_low=lo, ci_high=hi,
                favours="positive" if up else "negative", benefit=s * yi,
                benefit_low=min(s * lo, s * hi), benefit_high=max(s * lo, s * hi))


def arm_differences(ds, source_id: str, *, instrument: str, control_arm: str, arm: str = INTERVENTION):
    """Mean differences between two arms of one trial at every timepoint, computed from arm data.

    For each timepoint after baseline at which both arms report n, mean and SD on the
    instrument (matched by substring), the difference ``arm - control_arm`` and its
    95% CI come from :func:`evidence_lib.meta.effect_sizes.md` (metafor's ``escalc(measure="MD")``).
    ``favours`` says which sign favours acupuncture (from the instrument: "higher = better"
    scales favour it when positive); ``benefit`` re-expresses the difference so that
    positive always means better with acupuncture.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    source_id : str
        The trial.
    instrument : str
        Text the arm rows' instrument must contain.
    control_arm, arm : str
        Arm codes (``vocab.ARMS``) of the control and the compared arm.

    Returns
    -------
    DataFrame
        label, source_id, instrument, comparison, timepoint_weeks, term, n_i, n_c, mean_i,
        mean_c, estimate, ci_low, ci_high, favours, benefit, benefit_low, benefit_high.
    """
    import pandas as pd

    a = ds.arms[(ds.arms["source_id"] == source_id) & ds.arms["instrument"].astype(str).str.contains(instrument, regex=False)]
    a = a.dropna(subset=["mean", "sd", "n", "timepoint_weeks"])
    a = a[a["timepoint_weeks"] > 0]
    cols = ["label", "source_id", "instrument", "comparison", "timepoint_weeks", "term", "n_i", "n_c", "mean_i", "mean_c",
            "estimate", "ci_low", "ci_high", "favours", "benefit", "benefit_low", "benefit_high"]
    rows = []
    for w in sorted(a["timepoint_weeks"].unique()):
        x, c = a[(a["arm"] == arm) & (a["timepoint_weeks"] == w)], a[(a["arm"] == control_arm) & (a["timepoint_weeks"] == w)]
        if x.empty or c.empty:
            continue
        rows.append(arm_difference(ds, x.iloc[0]["arm_id"], c.iloc[0]["arm_id"]))
    return pd.DataFrame(rows, columns=cols)



def responder_rates(ds, source_id: str):
    """Per-arm responder percentages of one trial over time (the ``percent`` rows of effects).

    The arm is read from the row's comparison ("verum acupuncture arm response rate"), in
    readers' words (:func:`evidence_lib.review.labels.readers_words`: "acupuncture").

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    source_id : str
        The trial.

    Returns
    -------
    pandas.DataFrame
        label, arm, timepoint_weeks, term, estimate, ci_low, ci_high (percent), n, location.
    """
    e = ds.effects[(ds.effects["source_id"] == source_id) & (ds.effects["outcome"] == "response")
                   & (ds.effects["measure"] == "percent") & ds.effects["estimate"].notna()].copy()
    terms = review_labels(ds)["reader_terms"]
    e["arm"] = [readers_words(str(c).split(" arm")[0].split(":")[0], terms) for c in e["comparison"]]
    e["label"] = _label(ds, source_id)
    e = e.rename(columns={"n_intervention": "n"})
    cols = ["label", "arm", "timepoint_weeks", "term", "estimate", "ci_low", "ci_high", "n", "location"]
    return e.sort_values(["arm", "timepoint_weeks"])[cols].reset_index(drop=True)


def pooled_summary(ds, *, measure: str | None = None, outcome: str | None = None, intervention_only: bool = True):
    """Published pooled estimates (``pooled_results``) with signs harmonised.

    ``benefit_estimate`` (and its CI) puts every row on one convention: negative favours
    acupuncture (the convention of most rows; rows whose ``favours`` is ``positive`` are
    flipped). With ``acupuncture_only`` (default) rows that do not test acupuncture
    (Madsen's placebo-versus-no-acupuncture contrast) are left out. Adds ``label`` ("Manheimer 2005, k=7"), ``comparator_label`` and a
    ``summary`` string.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    measure, outcome : str, optional
        Keep only rows of this measure / outcome code; None keeps all.
    acupuncture_only : bool
        Leave out rows whose comparison starts with "placebo" or "sham".

    Returns
    -------
    pandas.DataFrame
        The ``pooled_results`` rows plus the columns above, sorted by comparator and outcome.
    """
    p = ds.pooled_results.copy()
    if intervention_only and "comparison" in p.columns:
        p = p[~p["comparison"].astype(str).str.lower().str.startswith(("placebo", "sham"))]
    if measure is not None:
        p = p[p["measure"] == measure]
    if outcome is not None:
        p = p[p["outcome"] == outcome]
    favours = p["favours"] if "favours" in p.columns else p["measure"].map(lambda _: "negative")
    sign = favours.map({"positive": -1.0}).fillna(1.0)
    p["benefit_estimate"] = p["estimate"] * sign
    lo, hi = p["ci_low"] * sign, p["ci_high"] * sign
    p["benefit_ci_low"] = lo.where(sign > 0, hi)
    p["benefit_ci_high"] = hi.where(sign > 0, lo)
    p["label"] = [f"{_label(ds, s)}" + ("" if is_missing(k) else f", k={int(k)}")
                  for s, k in zip(p["source_id"], p["k"])]
    p["comparator_label"] = _versus(ds, p["comparator_class"])
    p["summary"] = [f"{m} {interval_text(e, l, h, 2)}"
                    for m, e, l, h in zip(p["measure"], p["estimate"], p["ci_low"], p["ci_high"])]
    return p.sort_values(["comparator_class", "outcome", "source_id", "analysis_id"]).reset_index(drop=True)


@per_dataset
def pain_differences(ds):
    """Every trial's pain mean differences on one 0-100 scale, at every visit, negative favouring acupuncture.

    From the RCT rows of ``effects`` (MD on a pain instrument with a stated 0-100 or 0-10
    range; 0-10 values are multiplied by 10; put on the report's sign with
    :func:`evidence_lib.review.direction.harmonise`, so a row printed with positive = less
    pain, e.g. SF-36 bodily pain, is re-signed), and, for a trial
    and comparator that no such row covers, from the trial's arm data on a 0-100 scale
    (:func:`arm_differences`, e.g. GERAC's CPGS pain score at 6, 13 and 26 weeks).

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.

    Returns
    -------
    DataFrame
        label, source_id, comparator_class, comparator_label, instrument, timepoint_weeks,
        yi, ci_low, ci_high (CI may be missing), n_i, n_c, origin (``effects: <id>`` or
        ``arms``), resigned (True where the sign was reversed from the source's: its
        positive values meant less pain) and source_convention (the source's own
        convention in words, e.g. "positive = lower pain with acupuncture").
    """
    import pandas as pd

    from evidence_lib.review.direction import direction, harmonise
    from evidence_lib.review.labels import review_labels

    intervention = review_labels(ds)["intervention"]

    cols = ["label", "source_id", "comparator_class", "instrument", "timepoint_weeks", "yi", "ci_low", "ci_high",
            "n_i", "n_c", "origin", "resigned", "source_convention"]
    e = ds.effects.merge(ds.sources[["source_id", "design"]], on="source_id", how="left")
    e = e[(e["design"] == "rct") & (e["outcome"] == "pain") & (e["measure"] == "MD") & e["estimate"].notna()
          & e["timepoint_weeks"].notna() & e["favours"].isin(["negative", "positive"])]
    rows = []
    for r in e.sort_values("effect_id").itertuples(index=False):
        inst = str(r.instrument)
        factor = 1.0 if "0-100" in inst else 10.0 if "0-10" in inst else None
        if factor is None:                      # no stated range: cannot share the 0-100 scale
            continue
        h = harmonise(r.estimate, r.ci_low, r.ci_high, measure="MD", favours=r.favours, outcome="pain",
                      intervention=intervention)
        rows.append(dict(label=_label(ds, r.source_id), source_id=r.source_id, comparator_class=r.comparator_class,
                         instrument=inst, timepoint_weeks=float(r.timepoint_weeks), yi=factor * h.estimate,
                         ci_low=factor * h.ci_low, ci_high=factor * h.ci_high, n_i=r.n_intervention,
                         n_c=r.n_control, origin=f"effects: {r.effect_id}", resigned=h.flipped,
                         source_convention=h.printed_words))
    have = {(r["source_id"], r["comparator_class"]) for r in rows}
    arms = ds.arms[(ds.arms["outcome"] == "pain") & ds.arms["sd"].notna()
                   & ds.arms["instrument"].astype(str).str.contains("0-100", regex=False)]
    controls = sorted(set(arms["arm"]) - {INTERVENTION})
    for sid in sorted(arms["source_id"].unique()):
        for comp in controls:
            if (sid, comp) in have:
                continue
            for instrument in sorted(arms.loc[arms["source_id"] == sid, "instrument"].unique()):
                d = arm_differences(ds, sid, instrument=instrument, control_arm=comp)
                for r in d.itertuples(index=False):
                    rows.append(dict(label=r.label, source_id=sid, comparator_class=comp, instrument=instrument,
                                     timepoint_weeks=r.timepoint_weeks, yi=-r.benefit, ci_low=-r.benefit_high,
                                     ci_high=-r.benefit_low, n_i=r.n_i, n_c=r.n_c, origin="arms",
                                     resigned=r.favours == "positive",
                                     source_convention=direction(r.favours, "pain", intervention=intervention)
                                     .axis.replace(" values:", " =", 1)))
                if len(d):
                    break
    out = pd.DataFrame(rows, columns=cols)
    out["comparator_label"] = _versus(ds, out["comparator_class"])
    return out.sort_values(["source_id", "comparator_class", "timepoint_weeks", "origin"]).reset_index(drop=True)


def pain_md_set(ds, *, max_weeks: float = 13, comparator_classes=("sham", "no_treatment", "usual_care")):
    """Per-trial pain mean differences on a 0-100 scale at the first visit up to ``max_weeks``.

    One row per trial and comparator class from :func:`pain_differences` (with a CI), for
    the package's own pooling (not a published analysis). ``vi`` is recovered from the CI
    (normal approximation).

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    max_weeks : float
        Latest visit taken, in weeks after randomisation.
    comparator_classes : sequence of str
        Comparator codes kept.

    Returns
    -------
    DataFrame
        label, source_id, comparator_class, comparator_label, instrument, timepoint_weeks,
        yi, ci_low, ci_high, vi, n_i, n_c, origin.
    """
    p = pain_differences(ds)
    p = p[p["comparator_class"].isin(comparator_classes) & (p["timepoint_weeks"] <= max_weeks)
          & p["ci_low"].notna() & p["ci_high"].notna()]
    out = p.sort_values("timepoint_weeks", kind="stable").groupby(["source_id", "comparator_class"], sort=True).head(1)
    out = out.assign(vi=((out["ci_high"] - out["ci_low"]) / (2 * _Z975)) ** 2)
    return out.sort_values(["comparator_class", "label"]).reset_index(drop=True)
