"""GRADE as data: downgrades suggested from the numbers, beside the stored judgments.

``grade.csv`` holds our judgment per claim and GRADE domain (optional; may be empty).
:func:`suggest_grade` computes what the numbers suggest for each domain,
:func:`computed_certainty` the certainty these suggestions imply, and :func:`coherence`
sets every claim's stored verdict and certainty against the checks of
:mod:`evidence_lib.review.checks`. A reviewer may depart from a suggestion: a written
``override_reason`` (in ``grade.csv`` for a domain, in ``claims.csv`` for a verdict or
certainty) marks the disagreement as overridden instead of reporting it.

Suggested judgments (``no_concern``, ``serious``, ``very_serious`` or ``not_assessed``),
computed over the rows a verdict rests on (:func:`evidence_lib.review.checks.basis_rows`;
pooled results where there are any, else single effects), the worst row deciding:

risk_of_bias
    Never computed: it needs a reading of each trial's methods. ``not_assessed``; the
    review's own certainty rating is quoted where ``pooled_results.certainty`` has one.
imprecision
    On the benefit scale with the MCID of :mod:`evidence_lib.review.relevance`: a CI crossing
    both the null and the MCID is very serious, crossing one of them serious, neither no
    concern; rows without a CI are not assessed. (The optimal information size is not
    computed.)
inconsistency
    For pooled results: I2 > 50% is serious; a 95% prediction interval (from the trials
    in ``trial_data.csv``, tau2 as published or DerSimonian-Laird) that crosses the null
    while the CI does not is serious; both, with I2 > 75%, very serious. Without a pooled
    result: single effects pointing both ways are serious; a single study is not assessed.
indirectness
    From :func:`evidence_lib.review.checks.check`: one kind of frame mismatch (comparator,
    time horizon, population, subjects, outcome) is serious, two or more very serious.
publication_bias
    Egger's regression test when a pooled analysis has at least 10 trials in
    ``trial_data.csv``, via ``evidence_lib.meta.egger_test(yi, vi)`` (imported lazily;
    p < 0.10 is serious). Fewer trials, no pooled analysis, or no engine: not assessed.

Start level: high when the rows rest on randomised evidence (sources of design rct,
meta_analysis, ipd_meta_analysis, systematic_review or cochrane_review; reviews are
assumed to pool trials); low otherwise (observational, cross-sectional and survey data;
animal and healthy-volunteer studies, which are in addition indirect for patients;
guidelines and narrative reviews, which are not primary evidence). Each serious
judgment lowers the certainty one level, each very serious two, down to very low.
"""

from __future__ import annotations

from evidence_lib.vocab import RATIO_MEASURES

import math

from evidence_lib._values import is_number
from evidence_lib.review.checks import SEVERITIES, basis_rows, check

DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
LEVELS = ("high", "moderate", "low", "very_low")
RCT_DESIGNS = {"rct", "meta_analysis", "ipd_meta_analysis", "systematic_review", "cochrane_review"}
DOWNGRADE = {"no_concern": 0, "serious": 1, "very_serious": 2, "not_assessed": 0}
INDIRECTNESS_KINDS = ("comparator", "time_horizon", "population", "subjects", "outcome")
I2_SERIOUS, I2_VERY_SERIOUS = 50.0, 75.0
EGGER_MIN_K, EGGER_ALPHA = 10, 0.10
_Z = 1.959963984540054
_RATIOS = RATIO_MEASURES
_WORST = ("not_assessed", "no_concern", "serious", "very_serious")


_isnum = is_number


def _worst(judgments):
    return max(judgments, key=_WORST.index, default="not_assessed")


def _trials(ds, analysis_id):
    """(yi, vi) of the trials of one pooled analysis that print an estimate and a CI."""
    td = ds.trial_data[ds.trial_data["analysis_id"] == analysis_id]
    yi, vi = [], []
    for r in td.itertuples(index=False):
        if not (_isnum(r.estimate) and _isnum(r.ci_low) and _isnum(r.ci_high)):
            continue
        e, lo, hi = float(r.estimate), float(r.ci_low), float(r.ci_high)
        if r.measure in _RATIOS:
            if min(e, lo, hi) <= 0:
                continue
            e, lo, hi = math.log(e), math.log(lo), math.log(hi)
        se = (hi - lo) / (2 * _Z)
        if se > 0:
            yi.append(e)
            vi.append(se * se)
    return yi, vi


def dersimonian_laird_tau2(yi, vi) -> float:
    """DerSimonian-Laird between-study variance (0 when fewer than 2 studies).

    The method-of-moments estimate from Cochran's Q with inverse-variance weights,
    truncated at zero.

    Parameters
    ----------
    yi : sequence of float
        Per-study effects, on an additive scale (log for ratios).
    vi : sequence of float
        Their sampling variances (> 0), same length and order as ``yi``.

    Returns
    -------
    float
        tau2, in squared units of ``yi``; 0.0 for fewer than 2 studies.

    References
    ----------
    DerSimonian R, Laird N (1986) Meta-analysis in clinical trials. Control Clin Trials
    7:177-188.

    Examples
    --------
    >>> dersimonian_laird_tau2([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    0.0
    """
    k = len(yi)
    if k < 2:
        return 0.0
    w = [1 / v for v in vi]
    sw = sum(w)
    mu = sum(wi * y for wi, y in zip(w, yi)) / sw
    q = sum(wi * (y - mu) ** 2 for wi, y in zip(w, yi))
    c = sw - sum(wi * wi for wi in w) / sw
    return max(0.0, (q - (k - 1)) / c) if c > 0 else 0.0


def prediction_interval(ds, pooled) -> tuple[float, float] | None:
    """95% prediction interval of a pooled result, on its analysis scale (log for ratios).

    Uses the pooled estimate and CI as published (its standard error taken as the CI
    width over 2 x 1.96), tau2 as published (else DerSimonian-Laird from the trials in
    ``trial_data.csv``) and a t distribution with k - 2 degrees of freedom, k being the
    trials in ``trial_data.csv`` that print an estimate and a CI.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package (its ``trial_data`` table supplies the trials).
    pooled : pandas.Series or mapping
        One ``pooled_results`` row: ``analysis_id``, ``measure``, ``estimate``, ``ci_low``,
        ``ci_high`` and ``tau2`` (may be missing).

    Returns
    -------
    tuple of float or None
        (low, high) on the analysis scale (log for ratio measures, else the units of the
        estimate); None when there are fewer than 3 trials or the row has no CI.

    References
    ----------
    Higgins JPT, Thompson SG, Spiegelhalter DJ (2009) A re-evaluation of random-effects
    meta-analysis. J R Stat Soc Ser A 172:137-159 (the prediction interval with k - 2
    degrees of freedom).
    """
    from scipy.special import stdtrit

    yi, vi = _trials(ds, pooled["analysis_id"])
    k = len(yi)
    if k < 3 or not (_isnum(pooled["ci_low"]) and _isnum(pooled["ci_high"])):
        return None
    e, lo, hi = float(pooled["estimate"]), float(pooled["ci_low"]), float(pooled["ci_high"])
    if pooled["measure"] in _RATIOS:
        e, lo, hi = math.log(e), math.log(lo), math.log(hi)
    se = (hi - lo) / (2 * _Z)
    tau2 = float(pooled["tau2"]) if _isnum(pooled.get("tau2")) else dersimonian_laird_tau2(yi, vi)
    half = float(stdtrit(k - 2, 0.975)) * math.sqrt(tau2 + se * se)
    return e - half, e + half


def _start_level(basis):
    designs = set(d for d in basis["design"] if d)
    if designs & RCT_DESIGNS:
        return "high", "randomised evidence (" + ", ".join(sorted(designs & RCT_DESIGNS)) + ") starts high"
    if not designs:
        return "low", "no source design recorded; starts low"
    why = "non-randomised evidence (" + ", ".join(sorted(designs)) + ") starts low"
    if designs & {"animal", "healthy_volunteer"}:
        why += "; animal and healthy-volunteer studies are also indirect for patients (see indirectness)"
    if designs & {"guideline", "narrative_review"}:
        why += "; guidelines and narrative reviews are not primary evidence"
    return "low", why


def _imprecision(rows, readings):
    out = []
    for key, r in readings:
        if key not in rows or math.isnan(r.ci_low) or math.isnan(r.ci_high):
            continue
        null = r.ci_low <= 0 <= r.ci_high
        mcid = r.threshold is not None and r.ci_low < r.threshold < r.ci_high
        j = "very_serious" if null and mcid else "serious" if (null or mcid) else "no_concern"
        what = (" and ".join(x for x, b in (("the null", null), ("the MCID", mcid)) if b) or "neither the null nor the MCID")
        out.append((j, f"{key}: the CI crosses {what}" + ("" if r.threshold is not None else " (no threshold)")))
    if not out:
        return "not_assessed", "no effect with a CI among the rows the verdict rests on"
    return _worst(j for j, _ in out), "; ".join(m for _, m in out)


def _inconsistency(ds, basis):
    pooled = basis[basis["table"] == "pooled_results"]
    if len(pooled):
        out = []
        for key, aid in zip(pooled["key"], pooled["row_id"]):
            p = ds.pooled_results[ds.pooled_results["analysis_id"] == aid].iloc[0]
            i2 = float(p["i2"]) if _isnum(p["i2"]) else None
            pi = prediction_interval(ds, p)
            lo, hi = float(p["ci_low"]) if _isnum(p["ci_low"]) else None, float(p["ci_high"]) if _isnum(p["ci_high"]) else None
            if p["measure"] in _RATIOS and lo and hi:
                lo, hi = math.log(lo), math.log(hi)
            ci_excl = lo is not None and hi is not None and not (lo <= 0 <= hi)
            pi_cross = pi is not None and pi[0] <= 0 <= pi[1] and ci_excl
            parts = []
            if i2 is not None:
                parts.append(f"I2 = {i2:g}%")
            if pi is not None:
                parts.append(f"95% PI {pi[0]:.3g} to {pi[1]:.3g}" + (" crosses the null" if pi_cross else ""))
            if i2 is None and pi is None:
                out.append(("not_assessed", f"{key}: no I2 and too few trials for a prediction interval"))
                continue
            high = i2 is not None and i2 > I2_SERIOUS
            j = ("very_serious" if high and pi_cross and i2 > I2_VERY_SERIOUS else
                 "serious" if high or pi_cross else "no_concern")
            out.append((j, f"{key}: " + ", ".join(parts)))
        return _worst(j for j, _ in out), "; ".join(m for _, m in out)
    eff = basis[(basis["table"] == "effects") & basis["estimate"].notna()]
    if eff["source_id"].nunique() < 2:
        return "not_assessed", "a single study (or none): consistency cannot be judged"
    signs = set()
    for r in eff.itertuples(index=False):
        e = float(r.estimate)
        if r.measure in _RATIOS:
            e = math.log(e) if e > 0 else 0.0
        if r.favours in ("negative", "ratio_lt1"):
            e = -e
        if r.favours in ("negative", "positive", "ratio_gt1", "ratio_lt1") and e != 0:
            signs.add(e > 0)
    if len(signs) == 2:
        return "serious", "single studies point in opposite directions"
    return "no_concern", f"{eff['source_id'].nunique()} studies point the same way (no pooled I2)"


def _indirectness(chk):
    bad = {}
    warn = set()
    for f in chk.findings:
        if f.kind in INDIRECTNESS_KINDS:
            if f.severity == "mismatch":
                bad.setdefault(f.kind, f.message)
            elif f.severity == "warning":
                warn.add(f.kind)
    if not chk.findings or all(f.kind in ("frame", "evidence") for f in chk.findings):
        return "not_assessed", "no evidence rows to compare with the claim's frames"
    if bad:
        j = "very_serious" if len(bad) >= 2 else "serious"
        return j, "frame mismatch: " + "; ".join(f"{k} ({m})" for k, m in bad.items())
    extra = f" (warnings on {', '.join(sorted(warn))})" if warn else ""
    return "no_concern", "the evidence fits the claim's frames" + extra


def _publication_bias(ds, basis):
    pooled = basis[basis["table"] == "pooled_results"]
    if pooled.empty:
        return "not_assessed", "no pooled analysis among the rows"
    out = []
    for key, aid in zip(pooled["key"], pooled["row_id"]):
        yi, vi = _trials(ds, aid)
        if len(yi) < EGGER_MIN_K:
            p = ds.pooled_results[ds.pooled_results["analysis_id"] == aid].iloc[0]
            k = f"; the review pooled k = {int(p['k'])}" if _isnum(p["k"]) else ""
            out.append(("not_assessed", f"{key}: {len(yi)} trials with a CI in trial_data.csv "
                                        f"(Egger needs >= {EGGER_MIN_K}){k}"))
            continue
        from evidence_lib.meta import egger_test

        p = float(egger_test(yi, vi).pvalue)
        out.append(("serious" if p < EGGER_ALPHA else "no_concern", f"{key}: Egger's test p = {p:.3g} ({len(yi)} trials)"))
    return _worst(j for j, _ in out), "; ".join(m for _, m in out)


def _risk_of_bias(ds, basis):
    pooled = basis[basis["table"] == "pooled_results"]
    stated = []
    for aid in pooled["row_id"]:
        p = ds.pooled_results[ds.pooled_results["analysis_id"] == aid].iloc[0]
        if p.get("certainty"):
            stated.append(f"{aid}: the review rated certainty {p['certainty']}")
    return "not_assessed", "needs a reading of the trials' methods (not computed)" + (
        "; " + "; ".join(stated) if stated else "")


def suggest_grade(ds, claim_id: str, *, _check=None):
    """Suggested GRADE judgments for a claim, beside the stored ones.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    claim_id : str
        A ``claims.claim_id``.

    Returns
    -------
    pandas.DataFrame
        One row per domain: ``domain``, ``suggested`` (no_concern, serious, very_serious
        or not_assessed), ``reason``, ``stored`` (judgment in ``grade.csv`` or None),
        ``stored_reason``, ``override_reason``, ``agrees`` (True/False; None when either
        side is missing or not assessed). Rules in the module docstring.

    References
    ----------
    Guyatt GH, Oxman AD, Vist GE, et al. GRADE: an emerging consensus on rating quality of
    evidence and strength of recommendations. BMJ 2008;336:924-926 (the five domains).
    Egger M, Davey Smith G, Schneider M, Minder C (1997) BMJ 315:629-634 (the
    publication-bias test).
    """
    import pandas as pd

    chk = _check or check(ds, claim_id)
    basis = basis_rows(chk.evidence)
    pooled_keys = set(basis.loc[basis["table"] == "pooled_results", "key"])
    eff_keys = set(basis.loc[basis["table"] == "effects", "key"])
    rows = pooled_keys or eff_keys
    sugg = {
        "risk_of_bias": _risk_of_bias(ds, basis),
        "inconsistency": _inconsistency(ds, basis),
        "indirectness": _indirectness(chk),
        "imprecision": _imprecision(rows, chk.relevance),
        "publication_bias": _publication_bias(ds, basis),
    }
    stored = ds.grade[ds.grade["claim_id"] == claim_id].set_index("domain") if len(ds.grade) else None
    recs = []
    for d in DOMAINS:
        j, why = sugg[d]
        s = stored.loc[d] if stored is not None and d in stored.index else None
        sj = s["judgment"] if s is not None else None
        agrees = None if sj is None or j == "not_assessed" else (sj == j)
        recs.append({"domain": d, "suggested": j, "reason": why, "stored": sj,
                     "stored_reason": s["reason"] if s is not None else None,
                     "override_reason": (s["override_reason"] or None) if s is not None else None,
                     "agrees": agrees})
    return pd.DataFrame(recs)


def _lower(start: str, n: int) -> str:
    return LEVELS[min(len(LEVELS) - 1, LEVELS.index(start) + n)]


def computed_certainty(ds, claim_id: str, *, _check=None, _grade=None) -> dict:
    """Certainty implied by the start level minus the suggested (and the stored) downgrades.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    claim_id : str
        A ``claims.claim_id``.

    Returns
    -------
    dict
        ``start``, ``start_reason``, ``downgrades`` (levels, from the suggestions),
        ``certainty`` (None when no evidence is linked; ``none`` when the claim cannot be
        checked), ``stored_certainty`` (start minus the downgrades in ``grade.csv``, None
        if it holds no row for the claim) and ``explanation``.

    References
    ----------
    Guyatt GH, Oxman AD, Vist GE, et al. GRADE: an emerging consensus on rating quality of
    evidence and strength of recommendations. BMJ 2008;336:924-926 (start level from the
    study design, lowered one level per serious concern).
    """
    chk = _check or check(ds, claim_id)
    frames = chk.frames
    if len(frames) and (frames["evidence_needed"] == "none").all():
        return {"start": None, "start_reason": "", "downgrades": 0, "certainty": "none", "stored_certainty": None,
                "explanation": "not checkable"}
    basis = basis_rows(chk.evidence)
    if basis.empty:
        return {"start": None, "start_reason": "", "downgrades": 0, "certainty": None, "stored_certainty": None,
                "explanation": "no evidence rows linked"}
    g = _grade if _grade is not None else suggest_grade(ds, claim_id, _check=chk)
    start, why = _start_level(basis)
    n = sum(DOWNGRADE[j] for j in g["suggested"])
    stored = g[g["stored"].notna()]
    stored_cert = _lower(start, sum(DOWNGRADE[j] for j in stored["stored"])) if len(stored) else None
    down = ", ".join(f"{r.domain} {r.suggested}" for r in g.itertuples() if DOWNGRADE[r.suggested])
    return {"start": start, "start_reason": why, "downgrades": n, "certainty": _lower(start, n),
            "stored_certainty": stored_cert,
            "explanation": f"{why}; " + (f"down {n} for {down}" if n else "no downgrade suggested")}


ISSUE_COLUMNS = ["claim_id", "verdict", "certainty", "issue", "severity", "message", "overridden", "override_reason"]
_SUPPORTING = ("supported", "supported_with_caveats")


def coherence_for(ds, claim_id: str):
    """:func:`coherence` for one claim.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    claim_id : str
        A ``claims.claim_id``.

    Returns
    -------
    pandas.DataFrame
        The claim's issues, columns as :func:`coherence` (empty when there are none).
    """
    import pandas as pd

    claim = ds.claim(claim_id)
    verdict, cert = claim["verdict"], claim["certainty"]
    override = claim.get("override_reason") or None
    chk = check(ds, claim_id)
    g = suggest_grade(ds, claim_id, _check=chk)
    cc = computed_certainty(ds, claim_id, _check=chk, _grade=g)
    issues = []

    def add(issue, sev, msg, ovr=override):
        issues.append({"claim_id": claim_id, "verdict": verdict, "certainty": cert, "issue": issue, "severity": sev,
                       "message": msg, "overridden": bool(ovr), "override_reason": ovr})

    checkable = not (len(chk.frames) and (chk.frames["evidence_needed"] == "none").all())
    if verdict != "not_checkable" and not checkable:
        add("verdict_on_uncheckable", "warning", f"judged '{verdict}' but every frame says the claim cannot be checked")
    if verdict != "not_checkable" and checkable and chk.evidence.empty:
        add("no_evidence", "warning", f"judged '{verdict}' but no evidence rows are linked in claim_evidence.csv")
    if verdict == "not_checkable" and checkable and not chk.evidence.empty:
        add("evidence_unused", "info", "not_checkable, yet the frames are checkable and evidence rows are linked")

    if verdict in _SUPPORTING:
        sev = "mismatch" if verdict == "supported" else "info"
        for f in chk.findings:
            if f.severity != "mismatch" or f.kind not in INDIRECTNESS_KINDS + ("clinical_relevance",):
                continue
            if f.kind == "clinical_relevance" and "smaller than the clinical threshold" in f.message:
                add("below_mcid", sev, f"verdict '{verdict}' but the effect is smaller than the clinical threshold ({f.frame_id}: {f.message})")
            else:
                add(f.kind, sev, f"verdict '{verdict}' despite a {f.kind.replace('_', ' ')} mismatch "
                                 f"({f.frame_id}: {f.message})")
        for f in chk.of_kind("clinical_relevance"):
            if verdict == "supported" and f.severity == "warning" and "smaller than the clinical threshold" in f.message:
                add("below_mcid", "mismatch", f"verdict 'supported' but the effect is smaller than the clinical threshold "
                                              f"({f.frame_id}: {f.message})")
    if cert in ("high", "moderate") and any(f.kind == "subjects" and f.severity == "mismatch" for f in chk.findings):
        add("certainty_on_nonpatient_evidence", "mismatch",
            f"certainty '{cert}' but the only evidence is from animals or healthy volunteers")

    comp = cc["certainty"]
    if comp in LEVELS and cert in LEVELS:
        if LEVELS.index(cert) < LEVELS.index(comp):
            add("certainty_above_computed", "mismatch",
                f"certainty stated '{cert}', computed '{comp}' ({cc['explanation']})")
        elif LEVELS.index(cert) > LEVELS.index(comp):
            add("certainty_below_computed", "info",
                f"certainty stated '{cert}', computed '{comp}' (a stricter stored judgment, e.g. risk of bias, "
                f"may explain it)")
    sc = cc.get("stored_certainty")
    if sc and cert in LEVELS and sc != cert:
        add("certainty_vs_grade_table", "warning",
            f"certainty stated '{cert}', but the judgments in grade.csv imply '{sc}' (start {cc['start']})")
    for r in g.itertuples(index=False):
        if r.agrees is False:
            add(f"grade_{r.domain}", "warning",
                f"{r.domain}: grade.csv says {r.stored}, the numbers suggest {r.suggested} ({r.reason})",
                r.override_reason)
    return pd.DataFrame(issues, columns=ISSUE_COLUMNS)


def coherence(ds):
    """Every claim's stored verdict and certainty checked against the computed checks.

    Reports (``issue``): a supporting verdict despite a frame mismatch (comparator, time
    horizon, population, subjects, outcome) or an effect below the MCID or no significant
    effect (a mismatch for ``supported``, info for ``supported_with_caveats``, whose caveat
    should say it); high or moderate certainty on animal or healthy-volunteer evidence
    only; certainty stated above (mismatch) or below (info) the computed one; certainty
    not matching the judgments stored in ``grade.csv``; each stored GRADE judgment that
    disagrees with the suggestion; a judged claim with no linked evidence or no checkable
    frame. A written ``override_reason`` (claims.csv for claim-level issues, grade.csv
    for a domain) sets ``overridden`` instead of leaving the issue open.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package; every row of ``claims`` is checked.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id``, ``verdict``, ``certainty``, ``issue``, ``severity``,
        ``message``, ``overridden``, ``override_reason``.
    """
    import pandas as pd

    parts = [coherence_for(ds, cid) for cid in ds.claims["claim_id"]]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def open_issues(coh):
    """The coherence issues that are warnings or mismatches and not overridden.

    Parameters
    ----------
    coh : pandas.DataFrame
        A frame of :func:`coherence` (``severity`` and ``overridden`` columns are needed).

    Returns
    -------
    pandas.DataFrame
        The rows of ``coh`` with severity ``warning`` or ``mismatch`` and ``overridden``
        false, index kept.
    """
    keep = coh["severity"].isin(SEVERITIES[2:]) & ~coh["overridden"].astype(bool)
    return coh[keep]
