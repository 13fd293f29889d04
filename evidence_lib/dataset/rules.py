"""Rules a Table Schema cannot say: checks across cells, rows and tables of the package.

A quote must be found at its offsets, a confidence interval must contain its estimate,
a verification row must point at a cell that exists, and so on. :func:`check_rules` runs
them all; each check walks its table once (linear in the number of rows), and a check
that reads a table that could not be read whole (``broken``) is skipped, because the
reason that table is broken has already been reported and anything more would be a
knock-on error.
"""

from __future__ import annotations

import math

from evidence_lib._values import is_missing, is_number
from evidence_lib.dataset.article import Article
from evidence_lib.errors import Problem
from evidence_lib.terms import term_for_weeks
from evidence_lib.vocab import AE_ATTRIBUTIONS, ANALYSES, CAVEAT_SEPARATOR, EVIDENCE_TABLES, RATIO_MEASURES, caveat_list

#: Which tables each rule reads; a rule runs only when none of them is broken.
_RULES = (
    ("_check_claims", ("claims",), True),
    ("_check_claim_links", ("claims", "claim_sources"), False),
    ("_check_effects", ("effects",), False),
    ("_check_pooled", ("pooled_results",), False),
    ("_check_trial_data", ("trial_data",), False),
    ("_check_arms", ("arms",), False),
    ("_check_adverse_events", ("adverse_events",), False),
    ("_check_evidence_links", ("claim_evidence",), False),
    ("_check_sof_rows", ("summary_of_findings",), False),
    ("_check_verification_links", ("verification",), False),
    ("_check_verification_current", ("verification",), False),
    ("_check_claim_frames", ("claims", "claim_frames"), False),
    ("_check_grade", ("claims", "grade"), False),
    ("_check_scorecard", ("scorecard",), True),
)


def check_rules(tables: dict, article: Article | None, problems: list[Problem], warnings: list[Problem],
                broken: set[str] = frozenset()) -> None:
    """Run every cross-cell and cross-table rule of the package.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Every table of the package (an absent or broken one as an empty frame).
    article : Article or None
        The article, or None when it could not be read (rules that need it are skipped).
    problems : list of Problem
        Appended to: faults that make the package invalid.
    warnings : list of Problem
        Appended to: findings flagged but not fixed (a p-value that does not fit its CI,
        a number edited after its second reading).
    broken : set of str
        Tables that could not be read whole; rules reading them are skipped.

    Returns
    -------
    None
        Findings go to ``problems`` and ``warnings``.
    """
    for name, needs, needs_article in _RULES:
        if broken.intersection(needs) or (needs_article and article is None):
            continue
        fn = globals()[name]
        if needs_article:
            fn(tables, article, problems)
        else:
            fn(tables, problems, warnings, broken)


def _line(df, i):
    lines = df.attrs.get("lines") or []
    return lines[i] if i < len(lines) else None


_isnum = is_number


def _check_claims(tables, article: Article, problems: list[Problem]) -> None:
    claims = tables["claims"]
    text = article.text
    f = "claims.csv"
    spans = []
    for i, row in enumerate(claims.itertuples(index=False)):
        line = _line(claims, i)
        s, e, q = row.start, row.end, row.quote
        if not (_isnum(s) and _isnum(e)) or q is None:
            continue
        s, e = int(s), int(e)
        if not (0 <= s < e <= len(text)):
            problems.append(Problem(f, line, "start", f"offsets {s}:{e} are outside the article (0:{len(text)})"))
            continue
        if text[s:e] != q:
            where = text.find(q)
            hint = f"; the quote is found at {where}:{where + len(q)}" if where >= 0 else "; the quote is not in the article at all"
            problems.append(Problem(f, line, "quote", f"the quote is not at its offsets {s}:{e}{hint}"))
            continue
        spans.append((s, e, row.claim_id, line))
        sec = article.section_at(s)
        if row.section is not None and row.section != sec:
            problems.append(Problem(f, line, "section", f"'{row.section}' is not the heading the quote sits under ('{sec}')"))
        sub = article.subsection_at(s)
        if (row.subsection or "") != sub:
            problems.append(Problem(f, line, "subsection", f"'{row.subsection or ''}' is not the subheading the quote sits under ('{sub}')"))
        if row.cited_as and row.cited_as not in q:
            problems.append(Problem(f, line, "cited_as", "cited_as must be words of the quote itself"))
        if row.verdict == "not_checkable" and row.certainty not in (None, "none"):
            problems.append(Problem(f, line, "certainty", "a not_checkable claim has certainty 'none'"))
        if row.verdict not in (None, "not_checkable") and row.certainty == "none":
            problems.append(Problem(f, line, "certainty", f"a claim judged '{row.verdict}' needs a GRADE certainty (high, moderate, low, very_low)"))
    spans.sort()
    for (s1, e1, c1, l1), (s2, e2, c2, l2) in zip(spans, spans[1:]):
        if s2 < e1:
            problems.append(Problem(f, l2, "start", f"claim {c2} overlaps claim {c1}"))
    ids = [r for r in claims["claim_id"] if r is not None]
    starts = [int(s) for s in claims["start"] if _isnum(s)]
    if len(ids) == len(starts) and ids != sorted(ids):
        problems.append(Problem(f, None, "claim_id", "claims are not listed in claim_id order"))
    if len(ids) == len(starts) and starts != sorted(starts):
        problems.append(Problem(f, None, "start", "claim ids must follow article order (C01 first)"))


def _check_claim_links(tables, problems: list[Problem], warnings, broken) -> None:
    claims, links = tables["claims"], tables["claim_sources"]
    linked = set(links["claim_id"])
    cited = set(links.loc[links["role"] == "cited", "claim_id"])
    for i, row in enumerate(claims.itertuples(index=False)):
        line = _line(claims, i)
        if row.verdict not in (None, "not_checkable") and row.claim_id not in linked:
            problems.append(Problem("claims.csv", line, "verdict",
                                    f"claim {row.claim_id} is judged '{row.verdict}' but has no source in claim_sources.csv"))
        if row.cited_as and row.claim_id not in cited and row.verdict != "not_checkable":
            problems.append(Problem("claims.csv", line, "cited_as",
                                    f"claim {row.claim_id} names a source ('{row.cited_as}') but no claim_sources row resolves it (role 'cited')"))
        if row.rationale is not None:
            n = row.rationale.count(". ") + 1
            if len(row.rationale) < 80:
                problems.append(Problem("claims.csv", line, "rationale", "rationale is too short to explain the verdict (2-5 sentences)"))
            elif n > 8:
                problems.append(Problem("claims.csv", line, "rationale", "rationale is longer than 5 sentences"))
        parts = caveat_list(getattr(row, "caveats", None))  # an optional column: older packages lack it
        if parts:
            if any(not p for p in parts):
                problems.append(Problem("claims.csv", line, "caveats",
                                        f"an empty caveat: separate caveats by '{CAVEAT_SEPARATOR}' with a sentence "
                                        f"on each side"))
            elif any(not p.endswith((".", "?", "!")) or not p[:1].isupper() for p in parts):
                problems.append(Problem("claims.csv", line, "caveats",
                                        "each caveat is a sentence: start it with a capital and end it with a full "
                                        "stop"))


def _ci_problems(df, fname, i, est, lo, hi, measure, problems):
    line = _line(df, i)
    if _isnum(lo) and _isnum(hi) and lo > hi:
        problems.append(Problem(fname, line, "ci_low", f"ci_low {lo} is above ci_high {hi}"))
    elif _isnum(est) and _isnum(lo) and est < lo:
        problems.append(Problem(fname, line, "estimate", f"estimate {est} is below ci_low {lo}"))
    elif _isnum(est) and _isnum(hi) and est > hi:
        problems.append(Problem(fname, line, "estimate", f"estimate {est} is above ci_high {hi}"))
    if measure in RATIO_MEASURES:
        for col, v in (("estimate", est), ("ci_low", lo), ("ci_high", hi)):
            if _isnum(v) and v <= 0:
                problems.append(Problem(fname, line, col, f"a {measure} must be positive, got {v}"))
    if measure == "proportion":
        for col, v in (("estimate", est), ("ci_low", lo), ("ci_high", hi)):
            if _isnum(v) and not 0 <= v <= 1:
                problems.append(Problem(fname, line, col, f"a proportion must lie in [0, 1], got {v}"))
    if measure == "percent":
        for col, v in (("estimate", est), ("ci_low", lo), ("ci_high", hi)):
            if _isnum(v) and not 0 <= v <= 100:
                problems.append(Problem(fname, line, col, f"a percentage must lie in [0, 100], got {v}"))


def _p_from_ci(est, lo, hi, measure) -> float | None:
    """Two-sided Wald p-value implied by a symmetric 95% CI (log scale for ratios)."""
    if not (_isnum(est) and _isnum(lo) and _isnum(hi)) or hi <= lo:
        return None
    if measure in RATIO_MEASURES:
        if min(est, lo, hi) <= 0:
            return None
        est, lo, hi = math.log(est), math.log(lo), math.log(hi)
    se = (hi - lo) / (2 * 1.959963984540054)
    return math.erfc(abs(est) / se / math.sqrt(2))


def _check_ci_rows(df, problems, fname):
    for i, row in enumerate(df.itertuples(index=False)):
        _ci_problems(df, fname, i, row.estimate, row.ci_low, row.ci_high, row.measure, problems)


def _check_pooled(tables, problems, warnings, broken):
    _check_ci_rows(tables["pooled_results"], problems, "pooled_results.csv")


def _check_effects(tables, problems, warnings, broken):
    df = tables["effects"]
    fname = "effects.csv"
    _check_ci_rows(df, problems, fname)
    for i, row in enumerate(df.itertuples(index=False)):
        line = _line(df, i)
        if _isnum(row.timepoint_weeks) and row.term is not None:
            expected = term_for_weeks(float(row.timepoint_weeks))
            if expected != row.term:
                problems.append(Problem(fname, line, "term",
                                        f"'{row.term}' does not match {row.timepoint_weeks:g} weeks (the cut-offs give '{expected}')"))
        if not _isnum(row.estimate) and not row.notes:
            problems.append(Problem(fname, line, "estimate",
                                    "no estimate: say in notes what the source gives instead (a p-value, words)"))
        p = row.p_value
        if _isnum(p) and row.measure in ("MD", "SMD", "RD", "RR", "OR", "pp_difference", "ratio_of_means"):
            implied = _p_from_ci(row.estimate, row.ci_low, row.ci_high, row.measure)
            if implied is not None and ((p < 0.05) != (implied < 0.05)) and abs(p - 0.05) > 0.005 and abs(implied - 0.05) > 0.005:
                warnings.append(Problem(fname, line, "p_value",
                                        f"reported p = {p:g} but the 95% CI implies p = {implied:.3g} (flagged, not changed)"))


def _check_trial_data(tables, problems, warnings, broken):
    df = tables["trial_data"]
    fname = "trial_data.csv"
    for i, row in enumerate(df.itertuples(index=False)):
        line = _line(df, i)
        _ci_problems(df, fname, i, row.estimate, row.ci_low, row.ci_high, row.measure, problems)
        has_effect = _isnum(row.estimate)
        has_arms = all(_isnum(v) for v in (row.mean_i, row.sd_i, row.mean_c, row.sd_c)) and _isnum(row.n_intervention) and _isnum(row.n_control)
        if not (has_effect or has_arms):
            problems.append(Problem(fname, line, "estimate", "needs either an estimate (with CI) or both arms' mean, sd and n"))
        for col in ("sd_i", "sd_c"):
            v = getattr(row, col)
            if _isnum(v) and v <= 0:
                problems.append(Problem(fname, line, col, f"a standard deviation must be > 0, got {v}"))


def _check_arms(tables, problems, warnings, broken):
    df = tables["arms"]
    fname = "arms.csv"
    for i, row in enumerate(df.itertuples(index=False)):
        line = _line(df, i)
        cont = _isnum(row.mean) or _isnum(row.sd)
        binary = _isnum(row.events) or _isnum(row.total)
        if not cont and not binary:
            problems.append(Problem(fname, line, "mean", "an arm needs a mean (with sd) or events and total"))
        if _isnum(row.sd) and row.sd <= 0:
            problems.append(Problem(fname, line, "sd", f"a standard deviation must be > 0, got {row.sd}"))
        if _isnum(row.events) and not _isnum(row.total):
            problems.append(Problem(fname, line, "total", "events without a total"))
        if _isnum(row.events) and _isnum(row.total) and row.events > row.total:
            problems.append(Problem(fname, line, "events", f"events {row.events} exceed the total {row.total}"))


def _check_adverse_events(tables, problems, warnings, broken):
    df = tables["adverse_events"]
    fname = "adverse_events.csv"
    for i, row in enumerate(df.itertuples(index=False)):
        line = _line(df, i)
        attribution = getattr(row, "attribution", None)
        if is_missing(attribution) or attribution not in AE_ATTRIBUTIONS:
            problems.append(Problem(fname, line, "attribution",
                                    f"{attribution!r} does not say which events the count covers; write one of "
                                    f"{', '.join(AE_ATTRIBUTIONS)} (attributed to the intervention, every event "
                                    f"whatever the cause, or not stated by the source)"))
        if _isnum(row.events) and _isnum(row.denominator) and row.events > row.denominator:
            problems.append(Problem(fname, line, "events", f"events {row.events} exceed the denominator {row.denominator}"))
        scale = {"per_patient": 1, "per_treatment": 1, "per_10000_patients": 10000, "per_10000_treatments": 10000}.get(row.unit)
        if scale == 1:
            for col in ("estimate", "ci_low", "ci_high"):
                v = getattr(row, col)
                if _isnum(v) and v > 1:
                    problems.append(Problem(fname, line, col, f"a rate per {row.unit.split('_')[1]} is a proportion in [0, 1], got {v}"))
        if _isnum(row.ci_low) and _isnum(row.ci_high) and row.ci_low > row.ci_high:
            problems.append(Problem(fname, line, "ci_low", f"ci_low {row.ci_low} is above ci_high {row.ci_high}"))
        elif _isnum(row.estimate) and _isnum(row.ci_low) and _isnum(row.ci_high) and not row.ci_low <= row.estimate <= row.ci_high:
            problems.append(Problem(fname, line, "estimate", f"estimate {row.estimate} lies outside its CI [{row.ci_low}, {row.ci_high}]"))
        if scale and _isnum(row.events) and _isnum(row.denominator) and _isnum(row.estimate):
            implied = row.events / row.denominator * scale
            # consistent to the rounding of the printed value: half a unit in the last printed digit
            digits = _decimals(row.estimate)
            tol = 0.5 * 10 ** (-digits) + 1e-12
            if abs(implied - row.estimate) > max(tol, 1e-9):
                problems.append(Problem(fname, line, "estimate",
                                        f"{row.events}/{row.denominator} gives {implied:.6g} on this unit, not {row.estimate:g}"))


def _decimals(x: float) -> int:
    s = repr(float(x))
    if "e" in s:
        mant, exp = s.split("e")
        d = len(mant.split(".")[1]) if "." in mant else 0
        return max(0, d - int(exp))
    return len(s.split(".")[1].rstrip("0")) if "." in s else 0


def _check_evidence_links(tables, problems, warnings, broken):
    """Every link names a row that exists, or (``table`` = ``analyses``) an analysis the package computes."""
    links = tables["claim_evidence"]
    keys = {}
    for name in EVIDENCE_TABLES:
        if name == "analyses":
            continue
        df = tables[name]
        keys[name] = set(df[df.columns[0]])
    for i, row in enumerate(links.itertuples(index=False)):
        if row.table == "analyses" and row.row_id not in ANALYSES:
            problems.append(Problem("claim_evidence.csv", _line(links, i), "row_id",
                                    f"unknown analysis '{row.row_id}'; with table 'analyses' the row_id names an "
                                    f"analysis the package computes: {', '.join(ANALYSES)}. Use one of these, or "
                                    "link a row of a data table instead"))
        elif row.table in keys and row.table not in broken and row.row_id not in keys[row.table]:
            problems.append(Problem("claim_evidence.csv", _line(links, i), "row_id",
                                    f"unknown {row.table} row '{row.row_id}'"))


def _check_sof_rows(tables, problems, warnings, broken):
    """Every Summary-of-Findings row names evidence rows that exist (two arms of one trial for arms)."""
    sof = tables["summary_of_findings"]
    for i, row in enumerate(sof.itertuples(index=False)):
        if row.evidence_table in broken or row.evidence_table not in tables:
            continue
        df = tables[row.evidence_table]
        known = set(df[df.columns[0]])
        ids = [x.strip() for x in str(row.evidence_ids).split(";") if x.strip()]
        want = 2 if row.evidence_table == "arms" else 1
        if len(ids) != want:
            problems.append(Problem("summary_of_findings.csv", _line(sof, i), "evidence_ids",
                                    f"{row.evidence_table} needs {want} id{'s' if want > 1 else ''} "
                                    f"({'intervention arm;control arm' if want > 1 else 'one row'}), got {len(ids)}"))
            continue
        for x in ids:
            if x not in known:
                problems.append(Problem("summary_of_findings.csv", _line(sof, i), "evidence_ids",
                                        f"unknown {row.evidence_table} row '{x}'"))


def _check_verification_links(tables, problems, warnings, broken):
    """Every verification row names a table, a row and a column that exist (one pass, set look-ups)."""
    ver = tables["verification"]
    keys: dict[str, set[str]] = {}
    for i, row in enumerate(ver.itertuples(index=False)):
        t = tables.get(row.table)
        if t is None:
            problems.append(Problem("verification.csv", _line(ver, i), "table", f"unknown table '{row.table}'"))
            continue
        if row.table in broken:
            continue
        if row.table not in keys:
            keys[row.table] = set(t[t.columns[0]].astype(str))
        if row.row_id not in keys[row.table] and row.table != "trial_data":
            problems.append(Problem("verification.csv", _line(ver, i), "row_id", f"unknown {row.table} row '{row.row_id}'"))
        elif row.column not in t.columns:
            problems.append(Problem("verification.csv", _line(ver, i), "column", f"{row.table} has no column '{row.column}'"))


def _same_value(recorded, current) -> bool:
    """Whether a verification's ``first_value`` is still the data's value (numbers compared as numbers)."""
    if is_missing(current):
        return is_missing(recorded) or str(recorded).strip() == ""
    try:
        return abs(float(recorded) - float(current)) <= 1e-9 * max(1.0, abs(float(current)))
    except (TypeError, ValueError):
        return str(recorded).strip() == str(current).strip()


def _check_verification_current(tables, problems, warnings, broken):
    """Flag (don't fix) verification rows whose first_value is no longer the value in the data.

    A number edited after its second reading has not been checked; the warning names the
    verification line and the cell, so the second reading can be redone.
    """
    ver = tables["verification"]
    index = {}
    for name in ver["table"].unique() if len(ver) else ():
        t = tables.get(name)
        if t is None or len(t) == 0 or name in broken:
            continue
        if name == "trial_data":
            keys = t["analysis_id"].astype(str) + "|" + t["study_label"].astype(str)
        else:
            keys = t[t.columns[0]].astype(str)
        index[name] = (t, dict(zip(keys, range(len(t)))))
    columns = {}  # (table, column) -> the column as a list (one pandas lookup per column, not per row)
    for i, row in enumerate(ver.itertuples(index=False)):
        if row.table not in index or is_missing(row.first_value):
            continue
        t, pos = index[row.table]
        j = pos.get(str(row.row_id))
        if j is None or row.column not in t.columns:
            continue
        key = (row.table, row.column)
        if key not in columns:
            columns[key] = t[row.column].tolist()
        current = columns[key][j]
        if not _same_value(row.first_value, current):
            warnings.append(Problem("verification.csv", _line(ver, i), "first_value",
                                    f"{row.table} {row.row_id} [{row.column}] is now {current!r}, but the second "
                                    f"reading checked {row.first_value!r}: read it again"))


def _check_claim_frames(tables, problems, warnings, broken):
    """Every claim has a frame; frame ids belong to their claim; 'none' frames are consistent.

    A frame with ``evidence_needed`` none marks the claim (or that part of it) as not
    checkable; a claim cannot be both wholly uncheckable and checkable, so a claim whose
    frames mix none with other values is reported, as is a claim with no frame at all.
    """
    frames, claims = tables["claim_frames"], tables["claims"]
    fname = "claim_frames.csv"
    by_claim: dict[str, list[str]] = {}
    first_line: dict[str, int | None] = {}
    for i, row in enumerate(frames.itertuples(index=False)):
        line = _line(frames, i)
        if row.frame_id and row.claim_id and not row.frame_id.startswith(row.claim_id + "."):
            problems.append(Problem(fname, line, "frame_id",
                                    f"frame '{row.frame_id}' does not belong to claim {row.claim_id} "
                                    f"(frame ids are the claim id, a dot and a number)"))
        if row.claim_id:
            by_claim.setdefault(row.claim_id, []).append(row.evidence_needed)
            first_line.setdefault(row.claim_id, line)
        if row.evidence_needed == "none" and row.magnitude_claimed not in (None, "none"):
            problems.append(Problem(fname, line, "magnitude_claimed",
                                    "a frame that is not checkable (evidence_needed none) claims no magnitude; use 'none'"))
    for cid, needs in by_claim.items():
        if "none" in needs and any(n != "none" for n in needs):
            problems.append(Problem(fname, first_line[cid], "evidence_needed",
                                    f"claim {cid} mixes frames that cannot be checked (none) with frames that can; "
                                    f"drop the 'none' frame and say in its note what is not checkable"))
    if len(frames) or len(claims):
        for i, row in enumerate(claims.itertuples(index=False)):
            if row.claim_id and row.claim_id not in by_claim:
                problems.append(Problem(fname, None, "claim_id",
                                        f"claim {row.claim_id} has no frame (every claim needs at least one; "
                                        f"evidence_needed none if it cannot be checked)"))


def _check_grade(tables, problems, warnings, broken):
    """GRADE rows name exactly one body of evidence (a judged claim or a SoF row), once per domain."""
    grade, claims = tables["grade"], tables["claims"]
    verdict = dict(zip(claims["claim_id"], claims["verdict"]))
    seen = {}
    for i, row in enumerate(grade.itertuples(index=False)):
        line = _line(grade, i)
        has_claim, has_sof = not is_missing(row.claim_id), not is_missing(row.sof_id)
        if has_claim == has_sof:
            problems.append(Problem("grade.csv", line, "claim_id",
                                    "give exactly one of claim_id (a claim's evidence) and sof_id (a Summary-of-"
                                    "Findings row)"))
            continue
        if has_claim and verdict.get(row.claim_id) == "not_checkable":
            problems.append(Problem("grade.csv", line, "claim_id",
                                    f"claim {row.claim_id} is not_checkable; it has no body of evidence to grade"))
        key = (row.claim_id if has_claim else row.sof_id, row.domain)
        if key in seen:
            problems.append(Problem("grade.csv", line, "domain",
                                    f"{key[0]} already has a {row.domain} judgment on line {seen[key]}; keep one"))
        else:
            seen[key] = line


def _check_scorecard(tables, article: Article, problems):
    """The article words a scorecard judgment rests on must be the article's own."""
    df = tables["scorecard"]
    for i, row in enumerate(df.itertuples(index=False)):
        if row.article_words and row.article_words not in article.text:
            problems.append(Problem("scorecard.csv", _line(df, i), "article_words",
                                    "these words are not in the article (quote it verbatim)"))
