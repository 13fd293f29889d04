"""Load and validate the bundled data package (or any copy of it).

>>> import evidence_lib as ev
>>> ds = ev.load()                      # doctest: +SKIP
>>> ds.claims.head()                    # doctest: +SKIP

Validation runs on every load and lists every problem at once in one
:class:`~evidence_lib.errors.DataValidationError`; nothing half-loaded is returned.
Schema-level checks (types, required values, vocabularies, patterns, keys) come from
``datapackage.json``; the checks below add what a schema cannot say (a quote must be
found at its offsets, a confidence interval must contain its estimate, ...).
"""

from __future__ import annotations

from evidence_lib.vocab import RATIO_MEASURES

import hashlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_lib.dataset import descriptor as dp
from evidence_lib.dataset.article import Article
from evidence_lib.errors import DataValidationError, Problem
from evidence_lib._values import is_missing, is_number
from evidence_lib.terms import term_for_weeks

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Tables loaded onto :class:`Dataset`, in the order of the descriptor.
TABLES = (
    "claims", "sources", "claim_sources", "effects", "arms", "trial_data", "pooled_results",
    "adverse_events", "protocols", "thresholds", "findings", "claim_evidence", "verification",
    "claim_frames", "summary_of_findings", "risk_of_bias", "grade", "scorecard",
)


def default_data_path() -> Path:
    """The data package this package works on by default.

    ``$EVIDENCE_DATA`` if set, else the bundled data package, installed with the library
    as ``evidence_lib.bundled_data`` (built from the repository's ``data/``; an editable
    install reads ``data/`` itself).

    Returns
    -------
    pathlib.Path
        The folder holding ``datapackage.json``.
    """
    env = os.environ.get("EVIDENCE_DATA")
    if env:
        return Path(env)
    import importlib.util

    spec = importlib.util.find_spec("evidence_lib.bundled_data")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parents[2] / "data"  # a source checkout not installed


@dataclass(frozen=True)
class Dataset:
    """A loaded, validated data package.

    Every table is a pandas DataFrame with the columns of its Table Schema (an absent
    optional table is an empty frame with those columns). ``warnings`` holds findings
    that are flagged but not fixed (e.g. a p-value that does not match its CI).
    """

    root: Path
    article: Article
    descriptor: dict
    claims: "pd.DataFrame"
    sources: "pd.DataFrame"
    claim_sources: "pd.DataFrame"
    effects: "pd.DataFrame"
    arms: "pd.DataFrame"
    trial_data: "pd.DataFrame"
    pooled_results: "pd.DataFrame"
    adverse_events: "pd.DataFrame"
    protocols: "pd.DataFrame"
    thresholds: "pd.DataFrame"
    findings: "pd.DataFrame"
    claim_evidence: "pd.DataFrame"
    verification: "pd.DataFrame"
    claim_frames: "pd.DataFrame"
    summary_of_findings: "pd.DataFrame"
    risk_of_bias: "pd.DataFrame"
    grade: "pd.DataFrame"
    scorecard: "pd.DataFrame"
    warnings: tuple[Problem, ...] = field(default=())

    def table(self, name: str) -> "pd.DataFrame":
        """A table by name (``ds.table('effects')``)."""
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; tables are: {', '.join(TABLES)}")
        return getattr(self, name)

    @property
    def tables(self) -> dict[str, "pd.DataFrame"]:
        """All tables by name."""
        return {name: getattr(self, name) for name in TABLES}

    def claim(self, claim_id: str):
        """One claim as a pandas Series; KeyError naming the known ids if absent."""
        hit = self.claims[self.claims["claim_id"] == claim_id]
        if hit.empty:
            raise KeyError(f"no claim {claim_id!r}; claims run from {self.claims['claim_id'].iloc[0]} "
                           f"to {self.claims['claim_id'].iloc[-1]}")
        return hit.iloc[0]

    def sources_for(self, claim_id: str) -> "pd.DataFrame":
        """The sources linked to a claim, with their role and note."""
        links = self.claim_sources[self.claim_sources["claim_id"] == claim_id]
        return links.merge(self.sources, on="source_id", how="left")

    def frames_for(self, claim_id: str) -> "pd.DataFrame":
        """The frames (propositions) of one claim, from ``claim_frames.csv``."""
        return self.claim_frames[self.claim_frames["claim_id"] == claim_id]

    def evidence_for(self, claim_id: str) -> dict[str, "pd.DataFrame"]:
        """Evidence rows a claim's verdict rests on, per table (only non-empty tables)."""
        links = self.claim_evidence[self.claim_evidence["claim_id"] == claim_id]
        out = {}
        for tname, grp in links.groupby("table", sort=False):
            t = self.table(tname)
            key = t.columns[0]
            rows = t[t[key].isin(grp["row_id"])].merge(
                grp[["row_id", "role", "note"]].rename(columns={"row_id": key, "note": "link_note"}),
                on=key, how="left")
            out[tname] = rows
        return out


def load(path: str | os.PathLike | None = None) -> Dataset:
    """Load and validate a data package.

    Parameters
    ----------
    path : str or path-like, optional
        Folder holding ``datapackage.json``; default :func:`default_data_path`.

    Returns
    -------
    Dataset

    Raises
    ------
    DataValidationError
        With every problem found (file, line, column, message), if there are any.
    """
    root = Path(path) if path is not None else default_data_path()
    problems: list[Problem] = []
    warnings: list[Problem] = []
    descriptor = dp.read_descriptor(root, problems)
    if descriptor is None:
        raise DataValidationError(problems, str(root))
    res = dp.resources(descriptor)
    for name in TABLES:
        if name not in res:
            problems.append(Problem("datapackage.json", None, None, f"no resource named '{name}'"))
    if problems:
        raise DataValidationError(problems, str(root))

    article = _load_article(root, descriptor, problems)
    tables = {name: dp.read_table(root, res[name], problems) for name in TABLES}
    tables = {name: (df if df is not None else _empty(res[name])) for name, df in tables.items()}
    dp.check_foreign_keys(tables, res, problems)
    if article is not None:
        _check_claims(tables["claims"], article, problems)
    _check_claim_links(tables, problems)
    _check_effects(tables["effects"], problems, warnings)
    _check_ci_rows(tables["pooled_results"], problems, warnings)
    _check_trial_data(tables["trial_data"], problems)
    _check_arms(tables["arms"], problems)
    _check_adverse_events(tables["adverse_events"], problems)
    _check_evidence_links(tables, problems)
    _check_verification_current(tables, warnings)
    _check_claim_frames(tables, problems)
    _check_grade(tables, problems)
    if article is not None:
        _check_scorecard(tables["scorecard"], article, problems)
    if problems:
        raise DataValidationError(problems, str(root))
    return Dataset(root=root, article=article, descriptor=descriptor, warnings=tuple(warnings), **tables)


def _empty(res: dp.Resource):
    import pandas as pd

    df = pd.DataFrame({f.name: pd.Series(dtype="object") for f in res.fields})
    df.attrs["lines"] = []
    df.attrs["file"] = res.path
    return df


def _load_article(root: Path, descriptor: dict, problems: list[Problem]) -> Article | None:
    meta = next((r for r in descriptor.get("resources", []) if r.get("name") == "article"), None)
    if meta is None:
        problems.append(Problem("datapackage.json", None, None, "no 'article' resource"))
        return None
    path = root / meta["path"]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(meta["path"], None, None, "the article text is missing"))
        return None
    expected = meta.get("sha256")
    if expected and hashlib.sha256(raw).hexdigest() != expected:
        problems.append(Problem(meta["path"], None, None,
                                "the article differs from the text that was reviewed (sha256 mismatch); "
                                "the article must never be edited"))
    try:
        return Article.from_file(path, title=meta.get("title", ""))
    except UnicodeDecodeError as exc:
        problems.append(Problem(meta["path"], None, None, f"not UTF-8: {exc}"))
        return None


def _line(df, i):
    lines = df.attrs.get("lines") or []
    return lines[i] if i < len(lines) else None


_isnum = is_number


def _check_claims(claims, article: Article, problems: list[Problem]) -> None:
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


def _check_claim_links(tables, problems: list[Problem]) -> None:
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


def _check_ci_rows(df, problems, warnings, fname=None):
    fname = fname or df.attrs.get("file", "")
    for i, row in enumerate(df.itertuples(index=False)):
        _ci_problems(df, fname, i, row.estimate, row.ci_low, row.ci_high, row.measure, problems)


def _check_effects(df, problems, warnings):
    fname = "effects.csv"
    _check_ci_rows(df, problems, warnings, fname)
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


def _check_trial_data(df, problems):
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


def _check_arms(df, problems):
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


def _check_adverse_events(df, problems):
    fname = "adverse_events.csv"
    for i, row in enumerate(df.itertuples(index=False)):
        line = _line(df, i)
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


def _check_evidence_links(tables, problems):
    links = tables["claim_evidence"]
    keys = {}
    for name in ("effects", "pooled_results", "adverse_events", "protocols", "thresholds", "findings"):
        df = tables[name]
        keys[name] = set(df[df.columns[0]])
    for i, row in enumerate(links.itertuples(index=False)):
        if row.table in keys and row.row_id not in keys[row.table]:
            problems.append(Problem("claim_evidence.csv", _line(links, i), "row_id",
                                    f"unknown {row.table} row '{row.row_id}'"))
    ver = tables["verification"]
    for i, row in enumerate(ver.itertuples(index=False)):
        t = tables.get(row.table)
        if t is None:
            problems.append(Problem("verification.csv", _line(ver, i), "table", f"unknown table '{row.table}'"))
            continue
        if row.row_id not in set(t[t.columns[0]].astype(str)) and row.table != "trial_data":
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


def _check_verification_current(tables, warnings):
    """Flag (don't fix) verification rows whose first_value is no longer the value in the data.

    A number edited after its second reading has not been checked; the warning names the
    verification line and the cell, so the second reading can be redone.
    """
    ver = tables["verification"]
    index = {}
    for name in ver["table"].unique() if len(ver) else ():
        t = tables.get(name)
        if t is None or len(t) == 0:
            continue
        if name == "trial_data":
            keys = t["analysis_id"].astype(str) + "|" + t["study_label"].astype(str)
        else:
            keys = t[t.columns[0]].astype(str)
        index[name] = (t, dict(zip(keys, range(len(t)))))
    for i, row in enumerate(ver.itertuples(index=False)):
        if row.table not in index or is_missing(row.first_value):
            continue
        t, pos = index[row.table]
        j = pos.get(str(row.row_id))
        if j is None or row.column not in t.columns:
            continue
        current = t[row.column].iloc[j]
        if not _same_value(row.first_value, current):
            warnings.append(Problem("verification.csv", _line(ver, i), "first_value",
                                    f"{row.table} {row.row_id} [{row.column}] is now {current!r}, but the second "
                                    f"reading checked {row.first_value!r}: read it again"))


def _check_claim_frames(tables, problems):
    """Every claim has a frame; frame ids belong to their claim; 'none' frames are consistent.

    A frame with ``evidence_needed`` none marks the claim (or that part of it) as not
    checkable; a claim cannot be both wholly uncheckable and checkable, so a claim whose
    frames mix none with other values is reported, as is a claim with no frame at all.
    """
    frames, claims = tables["claim_frames"], tables["claims"]
    fname = "claim_frames.csv"
    by_claim: dict[str, list[str]] = {}
    for i, row in enumerate(frames.itertuples(index=False)):
        line = _line(frames, i)
        if row.frame_id and row.claim_id and not row.frame_id.startswith(row.claim_id + "."):
            problems.append(Problem(fname, line, "frame_id",
                                    f"frame '{row.frame_id}' does not belong to claim {row.claim_id} "
                                    f"(frame ids are the claim id, a dot and a number)"))
        if row.claim_id:
            by_claim.setdefault(row.claim_id, []).append(row.evidence_needed)
        if row.evidence_needed == "none" and row.magnitude_claimed not in (None, "none"):
            problems.append(Problem(fname, line, "magnitude_claimed",
                                    "a frame that is not checkable (evidence_needed none) claims no magnitude; use 'none'"))
    for cid, needs in by_claim.items():
        if "none" in needs and any(n != "none" for n in needs):
            first = next(i for i, r in enumerate(frames.itertuples(index=False)) if r.claim_id == cid)
            problems.append(Problem(fname, _line(frames, first), "evidence_needed",
                                    f"claim {cid} mixes frames that cannot be checked (none) with frames that can; "
                                    f"drop the 'none' frame and say in its note what is not checkable"))
    if len(frames) or len(claims):
        for i, row in enumerate(claims.itertuples(index=False)):
            if row.claim_id and row.claim_id not in by_claim:
                problems.append(Problem(fname, None, "claim_id",
                                        f"claim {row.claim_id} has no frame (every claim needs at least one; "
                                        f"evidence_needed none if it cannot be checked)"))


def _check_grade(tables, problems):
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


def _check_scorecard(df, article: Article, problems):
    """The article words a scorecard judgment rests on must be the article's own."""
    for i, row in enumerate(df.itertuples(index=False)):
        if row.article_words and row.article_words not in article.text:
            problems.append(Problem("scorecard.csv", _line(df, i), "article_words",
                                    "these words are not in the article (quote it verbatim)"))
