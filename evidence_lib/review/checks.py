"""Check each claim's frames against the evidence rows its verdict rests on.

A *frame* (``claim_frames.csv``) is one proposition a claim makes: intervention,
comparator class, outcome, time horizon, population, the kind of evidence that could
settle it and the size of effect asserted. A claim naming two comparators ("compared to
sham treatments and conventional care") has two frames, ``C14.1`` and ``C14.2``, each
checked on its own. The evidence rows are the ``claim_evidence.csv`` links (to effects,
pooled_results, adverse_events, protocols, thresholds and findings) joined to their
source in ``sources.csv``.

Which rows a frame is checked against: the rows with role ``supports``; if a claim has
none (e.g. an overstated claim whose rows only qualify it), every row except ``context``.
For each kind the frame is met if *at least one* of those rows fits; the finding names
the rows. The severity comes from those rows, but every linked row (any
role) is read for the message, so that a finding never says something of "the evidence"
that another row on the claim's card contradicts: a comparator finding names what the
other rows compare with (an analysis row compares with every comparator of its trials,
``evidence_rows(...)["comparators"]``), and "no study of" a group is said only when no
linked row at all is coded as that group. Kinds and severities (``ok`` < ``info`` < ``warning`` < ``mismatch``):

comparator
    :data:`COMPARATOR_FIT` gives the fit of an evidence comparator to the claimed one.
    A claim about conventional care, physiotherapy or medication resting only on sham or
    no-treatment controls is a mismatch, as is a claim about sham resting on usual-care or
    no-treatment controls (the two are often conflated). ``any``/``none`` frames need no
    particular comparator.
time_horizon
    Terms come from ``effects.term`` (or :func:`evidence_lib.terms.term_for_weeks` of
    ``timepoint_weeks``) and ``pooled_results.term``. A row at the claimed horizon is ok,
    only later rows are info, only earlier ones (a long-term claim on short-term effects)
    a mismatch. No term on the basis rows is info: the check did not run (timing given in
    words, e.g. "soon after a single treatment", cannot be read), which says nothing about
    the studies; other linked rows' terms are named.
population
    :func:`population_fit`: the subjects of the source (``findings.subjects`` for a
    finding; ``sources.subjects`` otherwise, narrowed to acute or chronic when the
    effect's ``population`` text says so) against the claimed population. The population
    groups come from the descriptor's ``review.condition`` and ``review.populations``: one
    subtype of the condition for another is a mismatch; studies of the condition for a
    specific group (e.g. athletes) are a mismatch; near or indirect samples for a claim
    about the condition are a warning.
subjects
    Animal or healthy-volunteer evidence (``sources.design`` animal/healthy_volunteer or
    subjects animals/healthy volunteers) for a claim needing patients: a mismatch when it
    is all the evidence, a warning when part of it; for ``healthy_volunteers_ok`` frames
    only animal evidence counts against.
outcome
    A claim about one outcome resting on rows of another (warning); a mechanism claim
    resting only on clinical effects, which cannot show a mechanism (warning).
clinical_relevance
    :mod:`evidence_lib.review.relevance` reads each effect and pooled result against
    ``thresholds.csv``; see :func:`_relevance_finding` for how the readings become a
    finding for the magnitude the frame claims.
frame / evidence
    Bookkeeping: a claim with no frame (mismatch), a frame that cannot be checked (info),
    a checkable frame with no evidence rows linked yet (info).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evidence_lib.review import relevance as rel
from evidence_lib.review.evidence_kinds import (  # noqa: F401  (evidence_rows, basis_rows: part of this module's API)
    HEALTHY_DESIGNS, NONHUMAN_DESIGNS, _str, basis_rows, evidence_rows, is_animal, is_healthy_volunteer,
    studied_populations,
)
from evidence_lib.terms import TERMS, term_for_weeks  # noqa: F401

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

SEVERITIES = ("ok", "info", "warning", "mismatch")
KINDS = ("frame", "evidence", "comparator", "time_horizon", "population", "subjects", "outcome",
         "clinical_relevance")
CLINICAL_OUTCOMES = ("pain", "function", "response", "quality_of_life", "global_improvement", "medication_use",
                     "adverse_events", "psychological", "other")
from evidence_lib.vocab import EVIDENCE_TABLES, OUTCOME_LABELS, RELEVANCE_LABELS  # noqa: E402,F401

_O, _I, _W, _M = SEVERITIES
#: COMPARATOR_FIT[claimed][evidence] -> severity. Missing pairs are mismatches.
COMPARATOR_FIT = {
    "sham": {"sham": _O},
    "no_treatment": {"no_treatment": _O, "usual_care": _I, "sham": _W, "conventional_therapy": _W},
    "usual_care": {"usual_care": _O, "conventional_therapy": _I, "no_treatment": _W},
    "conventional_therapy": {"conventional_therapy": _O, "usual_care": _I, "active_other": _W},
    "active_other": {"active_other": _O, "conventional_therapy": _I},
}
_COMPARATOR_WHY = {
    ("no_treatment", "usual_care"): "an add-on trial over usual care also compares with no added treatment",
    ("no_treatment", "sham"): "a sham comparison is not a comparison with no treatment",
    ("no_treatment", "conventional_therapy"): "a conventional-therapy arm is active treatment, not none",
    ("usual_care", "conventional_therapy"): "a conventional-therapy arm is close to, not the same as, usual care",
    ("usual_care", "no_treatment"): "a no-treatment control is not usual care",
    ("conventional_therapy", "usual_care"): "usual care may include conventional therapy but is not a head-to-head test",
    ("conventional_therapy", "active_other"): "the active control is not a conventional therapy",
    ("active_other", "conventional_therapy"): "a conventional-therapy control stands for an active alternative",
}


@dataclass(frozen=True)
class Finding:
    """One result of checking a claim.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    severity : str
        ``ok``, ``info``, ``warning`` or ``mismatch``.
    message : str
        What was found, in a sentence.
    rows : tuple of str
        The evidence rows concerned, as ``table:row_id``.
    frame_id : str or None
        The frame checked (None for claim-level findings).
    """

    kind: str
    severity: str
    message: str
    rows: tuple[str, ...] = ()
    frame_id: str | None = None


@dataclass(frozen=True)
class ClaimCheck:
    """Everything :func:`check` found for one claim.

    Attributes
    ----------
    claim_id : str
        The claim checked.
    frames : pandas.DataFrame
        The claim's rows of ``claim_frames.csv``.
    evidence : pandas.DataFrame
        The linked evidence rows (:func:`evidence_rows`).
    findings : tuple of Finding
        Every finding, in the order the checks ran.
    relevance : tuple of (str, Relevance)
        Clinical-relevance reading per effect or pooled-result row (``table:row_id``).
    """

    claim_id: str
    frames: "pd.DataFrame"
    evidence: "pd.DataFrame"
    findings: tuple[Finding, ...]
    relevance: tuple[tuple[str, rel.Relevance], ...] = field(default=())

    @property
    def worst(self) -> str:
        """The most severe finding's severity (``ok`` if there are none)."""
        return max((f.severity for f in self.findings), key=SEVERITIES.index, default="ok")

    def of_kind(self, kind: str) -> tuple[Finding, ...]:
        """The findings of one kind.

        Parameters
        ----------
        kind : str
            A finding kind.

        Returns
        -------
        tuple of Finding
            The findings of that kind, in order.
        """
        return tuple(f for f in self.findings if f.kind == kind)


def _best(pairs):
    """(severity, [keys at that severity]) of the best-fitting rows."""
    best = min((s for s, _ in pairs), key=SEVERITIES.index)
    return best, tuple(k for s, k in pairs if s == best)


def _keys(df) -> tuple[str, ...]:
    return tuple(df["key"])


def population_fit(claimed: str, subjects: str | None, *, condition: str = "", populations: dict | None = None) -> str:
    """Severity of evidence on ``subjects`` for a claim about ``claimed``.

    Parameters
    ----------
    claimed : str
        The population the claim is about (``claim_frames.population``).
    subjects : str or None
        Who the evidence row studied (None: not recorded).
    condition : str
        The reviewed condition (the descriptor's ``review.condition``), the broad population.
    populations : dict, optional
        The descriptor's ``review.populations``: ``subtypes`` (narrower forms of the condition),
        ``near`` (samples mostly with the condition), ``indirect`` (broader groups),
        ``tolerated`` (subtype -> indirect groups that are only a warning for it), ``treated``
        (people receiving the intervention for any reason), ``mixed`` (mixed samples) and
        ``specific_groups`` (groups no study of the condition speaks for).

    Returns
    -------
    str
        ``ok``, ``info``, ``warning`` or ``mismatch``.

    Parameters
    ----------
    claimed : str
        The population the claim is about, a population code of ``vocab.py``
        (``"chronic low back pain"``, ``"general population"``, ...).
    subjects : str or None
        The population the evidence was gathered in, same codes; None when unknown.

    Returns
    -------
    str
        One of ``'ok'``, ``'info'``, ``'warning'``, ``'mismatch'`` (from fitting to not
        fitting); ``'info'`` when ``subjects`` is None.

    Examples
    --------
    >>> pops = {"subtypes": ["chronic neck pain", "acute neck pain"], "specific_groups": ["athletes"]}
    >>> population_fit("chronic neck pain", "acute neck pain", condition="neck pain", populations=pops)
    'mismatch'
    >>> population_fit("athletes", "chronic neck pain", condition="neck pain", populations=pops)
    'mismatch'
    >>> population_fit("neck pain", "chronic neck pain", condition="neck pain", populations=pops)
    'ok'
    """
    pops = populations or {}
    subtypes = set(pops.get("subtypes", ()))
    whole = subtypes | ({condition} if condition else set())
    near, indirect = set(pops.get("near", ())), set(pops.get("indirect", ()))
    treated, mixed = set(pops.get("treated", ())), set(pops.get("mixed", ()))
    if subjects is None:
        return "info"
    if claimed == subjects:
        return "ok"
    if claimed == "general population":
        return "info"
    if claimed in set(pops.get("specific_groups", ())):
        return "mismatch"
    if claimed in treated:
        return "ok" if subjects in mixed | {"general population"} | whole else "info"
    if condition and claimed == condition:
        if subjects in whole:
            return "ok"
        return "info" if subjects in near else "warning"
    if claimed in subtypes:
        if subjects == condition:
            return "info"
        if subjects in whole:
            return "mismatch"
        if subjects in near:
            return "warning"
        if subjects in indirect:
            return "warning" if subjects in set(pops.get("tolerated", {}).get(claimed, ())) else "mismatch"
        return "warning" if subjects in treated | mixed else "mismatch"
    return "warning"


def _codes(joined) -> list[str]:
    """'sham; no_treatment' -> ['sham', 'no_treatment'] (a row's ``comparators``)."""
    return [c.strip() for c in str(joined).split(";") if c.strip()]


def _comparator_fit(want: str, joined) -> str:
    """The best fit to a claimed comparator among a row's comparator classes."""
    fits = [COMPARATOR_FIT.get(want, {}).get(c, "mismatch") for c in _codes(joined)] or ["mismatch"]
    return min(fits, key=SEVERITIES.index)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _other_comparators(want, shown, basis, name, ds) -> str:
    """What the linked rows outside the basis compare with, in words ('' if nothing new).

    The severity stays with the basis rows (what the verdict rests on); this only keeps the
    message true of the whole card. Every linked row is read (any role): a caveat that the
    results a verdict rests on compare with sham only must not hide that another row shown on
    the card compares with the claimed comparator. Rows comparing only with what the basis rows
    already name are left out. An analysis "includes trials against" the fitting comparator; a
    study "compares with" its comparators, or, if the basis rows come from it, "also" does so.
    """
    from evidence_lib.review.views import source_labels

    labels = source_labels(ds)
    rest = shown[shown["comparators"].notna() & ~shown["key"].isin(set(basis["key"]))]
    named = {c for cs in basis["comparators"].dropna() for c in _codes(cs)}
    studies = set(basis.loc[basis["table"] != "analyses", "source_id"].dropna())
    fits = COMPARATOR_FIT.get(want, {})
    by_who: dict[tuple[str, bool, bool], list[str]] = {}
    for r in rest.itertuples(index=False):
        analysis = r.table == "analyses"
        who = (f"the {str(r.description or 'analysis').lower()}" if analysis
               else labels.get(r.source_id, r.source_id))
        codes = by_who.setdefault((who, analysis, not analysis and r.source_id in studies), [])
        codes += [c for c in _codes(r.comparators) if c not in codes]
    own, others = [], []
    which = "the study they come from" if len(studies) == 1 else "one of the studies they come from"
    for (who, analysis, same_study), codes in by_who.items():
        if set(codes) <= named:
            continue  # nothing the caveat has not already named
        good = [c for c in codes if fits.get(c) == "ok"]
        if analysis:
            others.append(f"{who} includes trials against {' and '.join(name(c) for c in good or codes)}")
        elif same_study:
            own.append(f"{who}, {which}, also compares with {' and '.join(name(c) for c in codes)}")
        else:
            others.append(f"{who} compares with {' and '.join(name(c) for c in codes)}")
    return "; ".join(own + (["of the other results shown, " + "; ".join(others)] if others else []))


def _frame_findings(frame, basis: "pd.DataFrame", ds, shown: "pd.DataFrame | None" = None, *,
                    claim_outcomes=()) -> tuple[list[Finding], list]:
    from evidence_lib.review.labels import review_labels
    from evidence_lib.review.views import source_labels

    shown = basis if shown is None else shown

    fid = frame.frame_id
    out: list[Finding] = []
    readings: list = []
    labels = review_labels(ds)

    # comparator
    want = frame.comparator_class
    short = labels["comparators_short"]

    def name(code):
        return short.get(code, str(code).replace("_", " "))

    comp = basis[basis["comparators"].notna()]
    if want not in ("any", "none") and len(comp):
        pairs = []
        for r in comp.itertuples(index=False):
            pairs.append((_comparator_fit(want, r.comparators), r.key))
        sev, keys = _best(pairs)
        found = sorted({c for cs in comp["comparators"] for c in _codes(cs)})
        named = [name(c) for c in found]
        if sev == "ok":
            msg = f"the claim compares with {name(want)}; the evidence includes results against {name(want)}"
        elif sev == "mismatch":
            if want in ("conventional_therapy", "usual_care", "active_other") and set(found) <= {"sham", "no_treatment", "none"}:
                msg = (f"the claim compares with {name(want)}, but the results it rests on compare "
                       f"with {' and '.join(named)} only")
            elif want == "sham":
                msg = (f"the claim says 'sham', but the evidence is against {' and '.join(named)}: "
                       f"sham and usual-care / no-treatment comparisons are conflated")
            else:
                msg = f"the claim compares with {name(want)}; the evidence compares with {', '.join(named)}"
        else:
            why = "; ".join(sorted({_COMPARATOR_WHY[(want, c)] for c in found if (want, c) in _COMPARATOR_WHY}))
            msg = f"the claim compares with {name(want)}; the nearest evidence compares with {', '.join(named)} ({why})"
        if sev != "ok":
            other = _other_comparators(want, shown, basis, name, ds)
            if other:
                msg += f"; {other}"
        out.append(Finding("comparator", sev, msg, keys, fid))
    elif want not in ("any", "none") and len(basis):
        out.append(Finding("comparator", "warning",
                           f"the claim compares with {name(want)}, but no linked row records a comparator",
                           _keys(basis), fid))

    # time horizon
    h = frame.time_horizon
    if h in TERMS and len(basis):
        timed = basis[basis["term"].notna()]
        if timed.empty:
            # Timing given in words only (e.g. "soon after a single treatment") cannot be read
            # here: say that the check did not run, not that the studies are silent.
            elsewhere = shown[shown["term"].notna() & ~shown["key"].isin(set(basis["key"]))]
            terms = sorted(set(elsewhere["term"]), key={t: i for i, t in enumerate(TERMS)}.get)
            msg = f"{_article(h)} {h}-term claim; the horizon was not checked: the results it rests on give no timepoint in weeks"
            if terms:
                msg += f" (other results shown are {' and '.join(terms)}-term)"
            out.append(Finding("time_horizon", "info", msg, _keys(basis), fid))
        else:
            order = {t: i for i, t in enumerate(TERMS)}
            terms = sorted(set(timed["term"]), key=order.get)
            at = timed[timed["term"] == h]
            later = timed[timed["term"].map(order.get) > order[h]]
            if len(at):
                out.append(Finding("time_horizon", "ok", f"{h}-term claim with {h}-term evidence", _keys(at), fid))
            elif len(later):
                out.append(Finding("time_horizon", "info",
                                   f"{h}-term claim; the evidence is at later timepoints only ({', '.join(terms)})",
                                   _keys(later), fid))
            else:
                out.append(Finding("time_horizon", "mismatch",
                                   f"{h}-term claim resting on {' and '.join(terms)}-term effects only",
                                   _keys(timed), fid))

    # subjects
    need = frame.evidence_needed
    if need != "none" and len(basis):
        animal = basis[[is_animal(d, s) for d, s in zip(basis["design"], basis["subjects"])]]
        healthy = basis[[is_healthy_volunteer(d, s) for d, s in zip(basis["design"], basis["subjects"])]]
        bad = animal if need == "healthy_volunteers_ok" else basis[basis["key"].isin(set(animal["key"]) | set(healthy["key"]))]
        label = "animal" if need == "healthy_volunteers_ok" else "animal or healthy-volunteer"
        who = {"patients_with_condition": f"people with {labels['condition_label'].lower() or 'the condition'}",
               "patients_any": "patients", "healthy_volunteers_ok": "people"}[need]
        if len(bad) == len(basis):
            out.append(Finding("subjects", "mismatch",
                               f"a claim about {who} resting only on {label} evidence", _keys(bad), fid))
        elif len(bad):
            out.append(Finding("subjects", "warning",
                               f"part of the evidence for a claim about {who} is {label} evidence", _keys(bad), fid))
        else:
            out.append(Finding("subjects", "ok", f"the evidence comes from human studies fitting {who}", _keys(basis), fid))

        # population (human rows only)
        human = basis[~basis["key"].isin(set(animal["key"]) | set(healthy["key"]))]
        if len(human):
            pairs = [(population_fit(frame.population, r.subjects, condition=labels["condition"],
                                     populations=labels["populations"]), r.key) for r in human.itertuples(index=False)]
            sev, keys = _best(pairs)
            subj = studied_populations(human, source_labels(ds))
            if sev == "ok":
                msg = f"a claim about {frame.population}, with evidence in {frame.population}"
            else:
                msg = (f"a claim about {frame.population}; the evidence is in "
                       f"{', '.join(subj) if subj else 'unrecorded populations'}")
                # "no study of X" only when no linked row at all (any role) is coded as X.
                in_group = shown[shown["subjects"] == frame.population]
                if frame.population in set(labels["populations"].get("specific_groups", ())) and in_group.empty:
                    msg += f" - no study of {frame.population}"
                elif len(in_group):
                    some = "" if shown["key"].isin(set(in_group["key"]) | set(human["key"])).all() else "some "
                    msg += f"; {some}other results shown are in {frame.population}"
            out.append(Finding("population", sev, msg, keys, fid))

    # outcome
    o = frame.outcome
    if o in CLINICAL_OUTCOMES and len(basis):
        with_o = basis[basis["outcome"].notna()]
        if len(with_o) and not (with_o["outcome"] == o).any():
            on = ", ".join(sorted({OUTCOME_LABELS.get(x, x) for x in with_o["outcome"]}))
            if set(with_o["outcome"]) & (set(claim_outcomes) - {o}):  # the rows answer another part of the claim
                quoted = re.search(r"'([^']+)'", str(frame.note or "")) if o == "other" else None
                what = f"'{quoted[1]}'" if quoted else OUTCOME_LABELS.get(o, o)  # 'other': the claim's words
                msg = f"a claim also about {what}; no linked row measures it (the rows are on {on})"
            else:
                msg = f"a claim about {OUTCOME_LABELS.get(o, o)}; the rows are on {on}"
            out.append(Finding("outcome", "warning", msg, _keys(with_o), fid))
    elif o == "mechanism" and len(basis):
        clinical = basis["table"].isin(["effects", "pooled_results"])
        if clinical.all():
            out.append(Finding("outcome", "warning",
                               "a mechanism claim resting only on clinical effects; an effect on pain does not "
                               "show how it comes about", _keys(basis), fid))

    # clinical relevance
    if o in CLINICAL_OUTCOMES and frame.magnitude_claimed != "none" and len(basis):
        eff = _fitting_rows(frame, basis[basis["table"].isin(["effects", "pooled_results"]) & basis["estimate"].notna()])
        for r in eff.to_dict("records"):
            readings.append((r["key"], rel.classify_row(r, ds.thresholds)))
        if readings:
            out.append(_relevance_finding(frame, readings))
    return out, readings


def _fitting_rows(frame, rows):
    """The rows that fit a frame's comparator (ok or info) and outcome, if any do; else all.

    Relevance is read on the comparison the frame makes: for "compared to sham", the
    sham-controlled effects, not a larger no-treatment effect linked to the same claim.
    """
    if frame.comparator_class not in ("any", "none") and len(rows):
        fit = rows["comparator_class"].map(
            lambda c: COMPARATOR_FIT.get(frame.comparator_class, {}).get(c, "mismatch") in ("ok", "info"))
        if fit.any():
            rows = rows[fit]
    if frame.outcome in CLINICAL_OUTCOMES and len(rows) and (rows["outcome"] == frame.outcome).any():
        rows = rows[rows["outcome"] == frame.outcome]
    return rows


def _relevance_finding(frame, readings) -> Finding:
    """Turn per-row relevance readings into one finding for the magnitude a frame claims.

    Benefit claims (any_benefit, significant, superior, clinically_important): ok if any
    row is ``clearly_above``; info if the best is ``inconclusive``; if the best is
    ``significant_but_below_mcid``, a mismatch for a clinically_important claim and a
    warning otherwise (significant, but not shown to matter); a mismatch if no row is
    significant in favour of the intervention. ``comparable`` claims: ok if a row's CI lies
    within plus/minus the threshold (equivalence), warning if the rows are merely not
    significant (no difference found is not equivalence), mismatch if a row favours the
    control, info if a row's CI lies wholly in favour of the intervention (at least as effective:
    no threshold is needed to say so). Rows without a threshold or CI give info.
    """
    cats = {k: r.category for k, r in readings}
    keys = tuple(cats)
    fid = frame.frame_id
    if frame.magnitude_claimed == "comparable":
        equiv = [k for k, r in readings if r.threshold is not None and r.category in ("not_significant",)
                 and -r.threshold < r.ci_low and r.ci_high < r.threshold]
        if equiv:
            return Finding("clinical_relevance", "ok", "a claim of comparability: the CI lies within the threshold "
                           "either way (equivalent)", tuple(equiv), fid)
        if "favours_control" in cats.values():
            return Finding("clinical_relevance", "mismatch", "a claim of comparability, but the control did "
                           "significantly better", tuple(k for k, c in cats.items() if c == "favours_control"), fid)
        if "not_significant" in cats.values():
            return Finding("clinical_relevance", "warning", "a claim of comparability resting on a non-significant "
                           "difference whose CI does not exclude an important difference (no difference found is "
                           "not equivalence)", keys, fid)
        better = tuple(k for k, r in readings if r.ci_low == r.ci_low and r.ci_low > 0)  # CI wholly in favour
        if better:
            return Finding("clinical_relevance", "info", "a claim of comparability; the intervention did "
                           "significantly better in the results shown (at least as effective)", better, fid)
        return Finding("clinical_relevance", "info", "relevance not judged: " + ", ".join(
            sorted({RELEVANCE_LABELS.get(c, c) for c in cats.values()})), keys, fid)
    rank = ["clearly_above", "inconclusive", "significant_but_below_mcid", "no_ci", "no_threshold",
            "not_significant", "favours_control"]
    best = min(cats.values(), key=rank.index)
    at = tuple(k for k, c in cats.items() if c == best)
    msg_of = dict(readings)[at[0]].message
    if best == "clearly_above":
        return Finding("clinical_relevance", "ok", f"clinically important: {msg_of}", at, fid)
    if best == "inconclusive":
        return Finding("clinical_relevance", "info", f"possibly important: {msg_of}", at, fid)
    if best == "significant_but_below_mcid":
        sev = "mismatch" if frame.magnitude_claimed == "clinically_important" else "warning"
        return Finding("clinical_relevance", sev, f"statistically significant but smaller than the clinical threshold: {msg_of}", at, fid)
    if best in ("no_ci", "no_threshold"):
        return Finding("clinical_relevance", "info", f"relevance not judged: {msg_of}", at, fid)
    return Finding("clinical_relevance", "mismatch",
                   f"a claimed benefit ({frame.magnitude_claimed}) with no significant effect in its favour: {msg_of}",
                   at, fid)


def check(ds, claim_id: str) -> ClaimCheck:
    """Check one claim's frames against its linked evidence.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    claim_id : str
        A ``claims.claim_id``.

    Returns
    -------
    ClaimCheck
        The claim's frames, linked evidence, findings and relevance readings.

    Raises
    ------
    KeyError
        If the claim does not exist.
    """
    ds.claim(claim_id)
    frames = ds.claim_frames[ds.claim_frames["claim_id"] == claim_id]
    ev = evidence_rows(ds, claim_id)
    basis = basis_rows(ev)
    findings: list[Finding] = []
    readings: list = []
    if frames.empty:
        findings.append(Finding("frame", "mismatch", "no claim frame (what the claim asserts) is recorded"))
    for frame in frames.itertuples(index=False):
        if frame.evidence_needed == "none":
            findings.append(Finding("frame", "info", f"not checkable: {frame.note or 'no evidence could settle it'}",
                                    (), frame.frame_id))
            continue
        if basis.empty:
            findings.append(Finding("evidence", "info", "no study result is linked to this claim",
                                    (), frame.frame_id))
            continue
        f, r = _frame_findings(frame, basis, ds, ev, claim_outcomes=tuple(frames["outcome"]))
        findings += f
        readings += [x for x in r if x[0] not in {k for k, _ in readings}]
    return ClaimCheck(claim_id, frames, ev, tuple(findings), tuple(readings))


def check_all(ds) -> "pd.DataFrame":
    """Every finding for every claim, one row each.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package; every row of its ``claims`` table is checked with
        :func:`check`.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id``, ``frame_id``, ``kind``, ``severity``, ``message``, ``rows``
        (``table:row_id`` joined by ``; ``), in claim order.
    """
    import pandas as pd

    recs = []
    for cid in ds.claims["claim_id"]:
        for f in check(ds, cid).findings:
            recs.append({"claim_id": cid, "frame_id": f.frame_id, "kind": f.kind, "severity": f.severity,
                         "message": f.message, "rows": "; ".join(f.rows)})
    return pd.DataFrame(recs, columns=["claim_id", "frame_id", "kind", "severity", "message", "rows"])
