"""Text summaries of the checks over all claims (for ``evidence check``)."""

from __future__ import annotations

import textwrap

from .checking import SEVERITIES, check_all
from .grading import coherence, open_issues


def format_check_summary(ds, *, width: int = 100, show_all: bool = False) -> str:
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
    str
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
    return "\n".join(lines)
