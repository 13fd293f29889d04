"""Terminal text: the checks of one claim (``evidence review``) and of all claims (``evidence check``)."""

from __future__ import annotations

import textwrap

from evidence_lib.review.checks import SEVERITIES, check, check_all
from evidence_lib.review.grading import coherence, coherence_for, computed_certainty, open_issues, suggest_grade


def format_check_summary(ds, *, width: int = 100, show_all: bool = False) -> tuple[str, int]:
    """Findings and coherence issues over every claim, as text fitting ``width`` columns.

    Parameters
    ----------
    ds : Dataset
    width : int
        Maximum line length.
    show_all : bool
        Also list ``ok`` and ``info`` findings (by default only warnings and mismatches).

    Returns
    -------
    (str, int)
        The text, and the number of open coherence issues (contradictions between a stored
        verdict or certainty and the computed one that have no written reason).
    """
    width = max(60, width)
    findings = check_all(ds)
    coh = coherence(ds)
    lines = [f"Checks over {len(ds.claims)} claims ({len(ds.claim_frames)} frames, "
             f"{len(ds.claim_evidence)} evidence links)"]

    def wrap(text, indent="  ", sub="      "):
        lines.extend(textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=sub,
                                   break_on_hyphens=False) or [""])

    counts = findings.groupby("severity").size().to_dict() if len(findings) else {}
    wrap("findings: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES), indent="")
    shown = findings if show_all else findings[findings["severity"].isin(["warning", "mismatch"])]
    if len(shown):
        lines.append("")
        lines.append("Findings" + ("" if show_all else " (warnings and mismatches)"))
        for r in shown.itertuples(index=False):
            wrap(f"{r.frame_id or r.claim_id} {r.severity.upper()} {r.kind}: {r.message}")
    open_ = open_issues(coh)
    lines.append("")
    lines.append(f"Coherence of verdicts and certainty: {len(open_)} open issue(s), "
                 f"{int(coh['overridden'].astype(bool).sum()) if len(coh) else 0} overridden")
    rows = coh if show_all else open_
    for r in rows.itertuples(index=False):
        tag = f" [overridden: {r.override_reason}]" if r.overridden else ""
        wrap(f"{r.claim_id} {r.severity.upper()} {r.issue}: {r.message}{tag}")
    if len(open_):
        lines.append("")
        lines.append("Each open issue needs a fix in the data or a written override_reason (claims.csv for a "
                     "verdict or certainty, grade.csv for a GRADE domain).")
    return "\n".join(lines), len(open_)


def format_sof(ds, *, width: int = 100) -> str:
    """The Summary of Findings as terminal text, one block per row (``evidence sof``).

    Parameters
    ----------
    ds : Dataset
    width : int
        Maximum line length (at least 60).

    Returns
    -------
    str
    """
    from evidence_lib.review.sof import certainty_text, summary_of_findings
    from evidence_lib.vocab import OUTCOME_LABELS, TERM_LABELS

    width = max(60, width)
    sof = summary_of_findings(ds)
    lines = [f"Summary of Findings ({len(sof)} rows)", "=" * min(width, 40)]

    def wrap(text, indent="  ", sub="    "):
        lines.extend(textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=sub,
                                   break_on_hyphens=False) or [""])

    for r in sof.itertuples(index=False):
        lines.append("")
        wrap(f"{r.comparison}: {OUTCOME_LABELS.get(r.outcome, r.outcome)}, {TERM_LABELS.get(r.term, r.term)}",
             indent="", sub="  ")
        wrap(f"Effect: {r.effect} ({r.direction}); {r.instrument}")
        n = "not reported" if r.participants != r.participants else f"{r.participants:,.0f}"
        k = "not reported" if r.studies != r.studies else f"{r.studies:.0f}"
        wrap(f"Participants: {n}; studies: {k}")
        wrap(f"Certainty: {certainty_text(r.certainty)}; {r.downgrades}")
        if isinstance(r.published_certainty, str) and r.published_certainty:
            wrap(f"Printed by the review: {r.published_certainty}. {r.published_note}")
        wrap(f"Clinical importance: {r.clinical_importance}")
        wrap(r.statement)
    return "\n".join(lines)


def format_checks(ds, claim_id: str, *, width: int = 100) -> str:
    """A claim's frames, findings, relevance readings, GRADE domains and coherence, as text.

    Used by ``evidence review CLAIM_ID``; every line fits in ``width`` columns.

    Parameters
    ----------
    ds : Dataset
        The loaded review data package (:func:`evidence_lib.dataset.load`).
    claim_id : str
        The claim.
    width : int
        Line width in columns.

    Returns
    -------
    str
        The text, lines joined by newlines.
    """
    width = max(60, width)
    c = check(ds, claim_id)
    lines: list[str] = []

    def head(t):
        lines.extend(["", t, "-" * min(width, len(t))])

    def wrap(text, indent="  ", sub="    "):
        lines.extend(textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=sub,
                                   break_long_words=True, break_on_hyphens=False) or [indent.rstrip()])

    lines.append(f"Checks for {claim_id}")
    lines.append("=" * min(width, len(lines[-1])))
    head("Frames")
    for f in c.frames.itertuples(index=False):
        wrap(f"{f.frame_id}: {f.intervention} vs {f.comparator_class}; outcome {f.outcome}; "
             f"horizon {f.time_horizon}; population {f.population}; evidence needed {f.evidence_needed}; "
             f"magnitude {f.magnitude_claimed}.")
        if f.note:
            wrap(f.note, indent="    ", sub="    ")
    head("Findings")
    mark = {"ok": "ok  ", "info": "info", "warning": "WARN", "mismatch": "MISM"}
    if not c.findings:
        wrap("none")
    for f in c.findings:
        where = f"{f.frame_id} " if f.frame_id else ""
        wrap(f"[{mark[f.severity]}] {where}{f.kind}: {f.message}", indent="  ", sub="         ")
        if f.rows:
            wrap("rows: " + ", ".join(f.rows), indent="         ", sub="         ")
    if c.relevance:
        head("Clinical relevance")
        for key, r in c.relevance:
            wrap(f"{key}: {r.category} - {r.message}", sub="    ")
    head("GRADE (suggested from the numbers vs stored in grade.csv)")
    g = suggest_grade(ds, claim_id)
    for r in g.itertuples(index=False):
        stored = r.stored or "-"
        flag = "" if r.agrees is not False else ("  (overridden)" if r.override_reason else "  <- disagrees")
        wrap(f"{r.domain:<17} suggested {r.suggested:<12} stored {stored:<12}{flag}", sub="    ")
        wrap(r.reason, indent="    ", sub="    ")
    cc = computed_certainty(ds, claim_id)
    wrap(f"certainty: computed {cc['certainty'] or '-'} ({cc['explanation']}); "
         f"stated {ds.claim(claim_id)['certainty']}.")
    head("Coherence of verdict and certainty")
    coh = coherence_for(ds, claim_id)
    if coh.empty:
        wrap("no incoherence found")
    for r in coh.itertuples(index=False):
        tag = " (overridden: " + r.override_reason + ")" if r.overridden else ""
        wrap(f"[{mark.get(r.severity, r.severity)}] {r.issue}: {r.message}{tag}", sub="         ")
    return "\n".join(lines)
