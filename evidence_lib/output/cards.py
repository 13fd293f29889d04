"""What one claim card shows, as plain data: the claim, its checks, its evidence rows, its sources.

``templates/claim_card.html.j2`` turns these dicts into HTML; nothing here writes markup.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping

from evidence_lib._values import interval_text, printed_decimals
from evidence_lib.output.cells import cell_text, number_text, records, source_short, timepoint_text
from evidence_lib.output.check_words import card_checks
from evidence_lib.output.links import card_id, doi_url, pubmed_url, safe_url
from evidence_lib.output.rates import AE_PER_10000, ae_rate
from evidence_lib.output.summary import AE_LABELS, AE_UNITS
from evidence_lib.output.typeset import mark_sic
from evidence_lib.review.direction import harmonise
from evidence_lib.review.labels import comparison_arms, finding_topic, readers_words
from evidence_lib.review.ledger import stated_caveats
from evidence_lib.review.relevance import describe_threshold
from evidence_lib.review.sof import effect_participants, review_labels
from evidence_lib.vocab import (ANALYSIS_ANCHORS, MEASURE_LABELS, OUTCOME_LABELS, SOURCE_LINK_LABELS, TERM_WINDOWS,
                                label_from_source_id)

TABLE_TITLES = {"pooled_results": "Pooled results", "effects": "Effects", "adverse_events": "Adverse events",
                "thresholds": "Thresholds", "protocols": "Protocols", "findings": "Findings"}
DESIGN_NAMES = {"rct": "RCT", "meta_analysis": "meta-analysis", "ipd_meta_analysis": "IPD meta-analysis",
                "systematic_review": "systematic review", "cochrane_review": "Cochrane review",
                "guideline": "guideline", "observational": "observational", "animal": "animal study",
                "healthy_volunteer": "healthy volunteers", "narrative_review": "narrative review",
                "cross_sectional": "cross-sectional", "survey": "survey", "other": "other"}
#: The direction note of an adverse-event rate: one group's rate, so no sign convention applies.
AE_NO_DIRECTION = "an event rate among people treated, not a comparison: no direction applies"
_ROLE_ORDER = {"cited": 0, "supports": 1, "qualifies": 2, "contradicts": 3, "context": 4}


# --------------------------------------------------------------------------- checks

def _finding_parts(item) -> tuple[str, str]:
    """(status, message) of one check finding, whatever shape it comes in."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        item = dataclasses.asdict(item)
    elif hasattr(item, "_asdict"):
        item = item._asdict()
    if isinstance(item, Mapping):
        status = next((cell_text(item[k]) for k in ("status", "result", "level", "severity", "ok", "passed")
                       if k in item), "")
        if status in ("True", "False"):
            status = "pass" if status == "True" else "fail"
        msg = next((cell_text(item[k]) for k in ("message", "detail", "text", "description", "summary", "name")
                    if k in item), "")
        if not msg:
            msg = "; ".join(f"{k}: {cell_text(item[k])}" for k in sorted(item, key=str))
        return status, msg
    return "", cell_text(item)


def check_findings(ds, claim_id: str, check: Callable) -> list[dict]:
    """The automated checks of one claim as ``{"status", "css", "kind", "message"}`` dicts.

    Parameters
    ----------
    ds : Dataset
    claim_id : str
    check : callable
        ``check(ds, claim_id)`` (normally :func:`evidence_lib.review.checks.check`). It may
        return None, a string, one finding, an iterable of findings or an object with
        ``findings`` (a ``ClaimCheck``); a finding may be a mapping or dataclass
        (``status``/``message`` keys are used when present) or anything with a ``str``.

    Returns
    -------
    list of dict
        ``css`` is the status reduced to ``[a-z0-9_-]`` (``'info'`` when empty); ``kind`` is
        the finding's kind (``''`` when the checker gives none). A checker
        that raises gives one ``error`` finding naming the exception: the report still
        builds and the failure is visible.
    """
    try:
        res = check(ds, claim_id)
    except Exception as exc:  # shown on the card, not hidden
        items = [{"status": "error", "message": f"the check raised {type(exc).__name__}: {exc}"}]
    else:
        if res is None:
            items = []
        elif hasattr(res, "findings"):  # evidence_lib.review.checks.ClaimCheck
            items = [{"status": f.severity, "kind": f.kind, "message": f.message} for f in res.findings]
        elif isinstance(res, (str, bytes, Mapping)) or dataclasses.is_dataclass(res):
            items = [res]
        elif isinstance(res, Iterable):
            items = list(res)
        else:
            items = [res]
    out = []
    for it in items:
        status, msg = _finding_parts(it)
        kind = it.get("kind", "") if isinstance(it, Mapping) else ""
        out.append({"status": status, "css": re.sub(r"[^a-z0-9_-]", "", status.lower()) or "info", "kind": kind,
                    "message": msg})
    return out


# --------------------------------------------------------------------------- evidence rows

#: Source designs whose effects pool several studies (a review's or meta-analysis' result, not one trial's).
POOLED_DESIGNS = frozenset({"meta_analysis", "ipd_meta_analysis", "systematic_review", "cochrane_review"})
#: The n cell's note on a pooled result whose number of trials the data do not hold.
POOLED_K_NOT_STATED = "pooled analysis; number of trials behind this estimate not given"


def participants(row: dict, table: str, *, pooled: bool = False, k: int | None = None,
                 source: dict | None = None) -> tuple[str, int | None]:
    """Participants as text and the number of studies behind an effects or pooled row.

    Parameters
    ----------
    row : dict
    table : {"effects", "pooled_results"}
    pooled : bool, optional
        An ``effects`` row whose source pools several studies (:data:`POOLED_DESIGNS`).
    k : int, optional
        For such a row, the number of trials from its ``pooled_results`` row
        (:func:`pooled_k`), when the data hold it.
    source : dict, optional
        The row's ``sources`` row: a single study's row without arm sizes then counts the
        whole trial, as the Summary of Findings does
        (:func:`evidence_lib.review.sof.effect_participants`).

    Returns
    -------
    (str, int or None)
        ``('1,758', 10)`` for a pooled row; ``('241 in the whole trial', 1)`` for a single study
        without arm sizes whose source gives its size, ``('not reported', 1)`` when neither does; ``(..., None)`` for a pooled result whose number of trials is not held.
    """
    if table == "pooled_results":
        n, k = row.get("n_participants"), row.get("k")
        return (f"{int(n):,}" if n else "not reported"), (int(k) if k else None)
    if pooled:
        n = (row.get("n_intervention") or 0) + (row.get("n_control") or 0)
        return (f"{int(n):,}" if n else "not reported"), (int(k) if k else None)
    n, whole = effect_participants(row, source)   # the count the Summary of Findings prints too
    text = "not reported" if n != n else f"{int(n):,}" + (" in the whole trial" if whole else "")
    return text, 1


def _same(a, b) -> bool:
    return a is not None and b is not None and a == a and b == b and abs(float(a) - float(b)) < 1e-9


def pooled_k(ds, row: dict) -> int | None:
    """The number of trials behind an ``effects`` row that repeats a ``pooled_results`` row.

    Parameters
    ----------
    ds : Dataset
    row : dict
        An ``effects`` row.

    Returns
    -------
    int or None
        ``k`` of the ``pooled_results`` row with the same source, measure, estimate and
        interval; None when there is none or it gives no ``k``.
    """
    pooled = ds.pooled_results
    for p in records(pooled[pooled["source_id"] == row.get("source_id")], sort_by=("analysis_id",)):
        if p.get("measure") == row.get("measure") and all(_same(p.get(c), row.get(c))
                                                         for c in ("estimate", "ci_low", "ci_high")):
            return int(p["k"]) if p.get("k") else None
    return None


def _n_cell(n: str, k: int | None, *, pooled: bool) -> str:
    """'1,054 (5 studies)', 'not reported (1 study)' or 'not reported (pooled analysis; number of trials behind this estimate not given)'."""
    if k:
        return f"{n} ({k} {'study' if k == 1 else 'studies'})"
    return f"{n} ({POOLED_K_NOT_STATED})" if pooled else n


#: Decimals for an estimate that was computed rather than copied from a source (see :func:`_interval`).
COMPUTED_DECIMALS = 2


def _interval(row: dict, *, plus: bool = False) -> str:
    """'−0.69 [−0.98, −0.40]': estimate and interval with one count of decimals, none of the printed digits lost.

    The decimals are the most any of the three values carries as reported
    (:func:`evidence_lib._values.printed_decimals`); a computed value with more digits than
    a source prints gets :data:`COMPUTED_DECIMALS`.
    """
    est, lo, hi = row.get("estimate"), row.get("ci_low"), row.get("ci_high")
    decimals = printed_decimals(est, lo, hi)
    return interval_text(est, lo, hi, COMPUTED_DECIMALS if decimals is None else decimals, plus=plus)


def _values_text(values, *, plus: bool = False) -> str:
    """'−0.69 [−0.98, −0.40]' from (estimate, low, high); a missing interval is left out.

    ``plus`` prints '+' before a positive estimate (a difference on its natural scale).
    """
    est, lo, hi = (None if v != v else v for v in values)  # NaN -> None
    return _interval({"estimate": est, "ci_low": lo, "ci_high": hi}, plus=plus)


def harmonised_cells(row: dict, intervention: str, *, reader_terms: dict | None = None) -> tuple[str, str, str]:
    """The estimate cell of an effects or pooled row on the report's one sign convention.

    Continuous differences are shown signed so that negative = better with the row's
    first-named arm; proportion differences of responders keep their natural scale, with a
    plus sign (:func:`evidence_lib.review.direction.harmonise`). The words name the row's own
    arms (:func:`evidence_lib.review.labels.comparison_arms`), so sham against conventional
    therapy reads "more responders with sham acupuncture". Where the sign was reversed from
    the source's, the value as the source printed it is kept as secondary text so that a
    reader can find it in the paper.

    Parameters
    ----------
    row : dict
        An ``effects`` or ``pooled_results`` row (``estimate``, ``ci_low``, ``ci_high``,
        ``measure``, ``favours``, ``outcome``, ``comparison``).
    intervention : str
        The intervention's name as readers see it (used when ``comparison`` names no two arms).
    reader_terms : dict or None
        ``review_labels(ds)["reader_terms"]``, to put the arms in readers' words.

    Returns
    -------
    (str, str, str)
        The estimate [CI] on the report's sign, the direction in words ("negative: less
        pain with acupuncture"; "positive: more responders with acupuncture than with
        conventional therapy"; "direction not applicable" (:data:`evidence_lib.vocab.NO_DIRECTION`);
        "" when the row has no
        estimate) and the published value with its own convention ("as published: 0.69
        [0.4, 0.98]; positive values: lower pain with acupuncture"), "" when not flipped.
    """
    if row.get("estimate") is None:
        return _interval(row), "", ""
    first, second = comparison_arms(row.get("comparison"), intervention=intervention, terms=reader_terms or {})
    h = harmonise(row.get("estimate"), row.get("ci_low"), row.get("ci_high"), measure=row.get("measure") or "",
                  favours=row.get("favours") or "na", outcome=row.get("outcome") or "other",
                  intervention=first, versus=second)
    published = f"as published: {_values_text(h.printed)}; {h.printed_words}" if h.flipped else ""
    return _values_text((h.estimate, h.ci_low, h.ci_high), plus=h.natural_scale), h.words, published


#: Protocol columns that are not the dose of a treatment (every other column of protocols.csv is shown as dose).
_PROTOCOL_NOT_DOSE = frozenset({"protocol_id", "source_id", "arm", "practitioner", "control_procedure", "location",
                                "url", "status", "notes"})


def no_number_cells(row: dict) -> tuple[str, str]:
    """(measure, estimate) cells of an effects row whose source printed no estimate.

    Parameters
    ----------
    row : dict
        An ``effects`` or ``pooled_results`` row with an empty ``estimate``.

    Returns
    -------
    (str, str)
        With a P value: ("P value only", "no significant difference (P = 0.61); no estimate
        given in the source"), significance read at the conventional 0.05; without one:
        (the measure's label, or "result in words only" for "other"; "no number given in the
        source").
    """
    p = row.get("p_value")
    if p is not None and p == p:
        verdict = "no significant difference" if float(p) >= 0.05 else "a significant difference"
        return "P value only", f"{verdict} (P = {number_text(p)}); no estimate given in the source"
    measure = row.get("measure")
    label = "result in words only" if measure in (None, "other") else MEASURE_LABELS.get(measure, measure)
    return label, "no number given in the source"


def _ae_columns(r: dict, words: dict | None) -> tuple[str, str, str, str, str, str]:
    """(what, measure, rate [CI], timepoint, comparator, n) of an adverse-event row, as the harms table shows it.

    The event is named as in ``safety-rates.png`` (the row's ``event``, else the type's label);
    the rate is per 10,000 of its denominator with the same interval and rounding as the harms
    table and the figure (:func:`evidence_lib.output.rates.ae_rate`); a rate has no comparator,
    so that column stays empty (the setting goes with the source line); the n column gives
    the counts in words.
    """
    ae_labels = {**AE_LABELS, **(words or {}).get("adverse_event_labels", {})}
    what = cell_text(r.get("event")) or ae_labels.get(r.get("ae_type"), r.get("ae_type"))
    found = ae_rate(r)
    per = AE_PER_10000.get(r.get("unit"), (None, AE_UNITS.get(r.get("unit"), cell_text(r.get("unit")))))[1]
    measure = f"per 10,000 {per}" if r.get("unit") in AE_PER_10000 else per
    rate = "" if found is None else found.text()
    if r.get("events") is not None and r.get("denominator"):
        n = f"{int(r['events']):,} {'event' if int(r['events']) == 1 else 'events'} in {int(r['denominator']):,} {per}"
    elif r.get("events") is not None:
        n = f"{int(r['events']):,} {'event' if int(r['events']) == 1 else 'events'} (denominator not given)"
    elif r.get("denominator"):
        n = f"{int(r['denominator']):,} {per}"
    else:
        n = "not reported"
    return what, measure, rate, "", "", n


def _row_columns(table: str, r: dict, words: dict | None = None) -> tuple[str, str, str, str, str, str]:
    """(what, measure, estimate [CI], timepoint, comparator, n) of one evidence row.

    Effects and pooled rows give the estimate on the report's sign convention
    (:func:`harmonised_cells`, with ``words["intervention"]``).
    """
    if table in ("effects", "pooled_results"):
        what = r.get("description") or f"{OUTCOME_LABELS.get(r.get('outcome'), r.get('outcome'))}: {r.get('instrument')}"
        pooled = table == "pooled_results" or (words or {}).get("pooled_source", False)
        n, k = participants(r, table, pooled=pooled, k=(words or {}).get("pooled_k"),
                            source=(words or {}).get("source"))
        n = _n_cell(n, k, pooled=pooled)
        tp = timepoint_text(r.get("timepoint"), r.get("term"))
        measure = MEASURE_LABELS.get(r.get("measure"), r.get("measure"))
        est = harmonised_cells(r, (words or {}).get("intervention", "the intervention"),
                               reader_terms=(words or {}).get("reader_terms"))[0]
        if not est:   # the source gave no number: say what it gave, never an empty cell
            measure, est = no_number_cells(r)
        return what, measure, est, tp, r.get("comparison") or r.get("comparator_class"), n
    if table == "adverse_events":
        return _ae_columns(r, words)
    if table == "thresholds":
        what = describe_threshold(r, source_label=label_from_source_id(r.get("source_id")))
        return (f"{what}, for {r.get('instrument')}", MEASURE_LABELS.get(r.get("measure"), r.get("measure")),
                f"{number_text(r.get('value'))} {cell_text(r.get('unit'))}".strip(), "", "", "")
    if table == "protocols":
        words = words or {}
        bits = [f"{k.replace('_', ' ')} {cell_text(r.get(k))}" for k in words.get("protocol_columns", ()) if r.get(k)]
        arm = r.get("arm")
        arm = words.get("intervention", arm) if arm == "intervention" else words.get("comparators_short", {}).get(arm, arm)
        return f"Protocol ({arm}): " + ", ".join(bits), "", "", "", r.get("control_procedure") or "", ""
    topic = finding_topic(cell_text(r.get("topic")), (words or {}).get("finding_topics", {}))
    return f"{topic}: {cell_text(r.get('finding'))}", "", "", "", "", ""  # findings


def _location(table: str, r: dict) -> str:
    """Where in the source the row was read; an adverse-event row adds its setting or design."""
    where = cell_text(r.get("location"))
    if table == "adverse_events":
        setting = cell_text(r.get("setting") or r.get("population"))
        return f"{where} ({setting})" if setting and where else where or setting
    return where


def evidence_rows(ds, claim_id: str, sources: dict, *, intervention: str = "the intervention") -> list[dict]:
    """The evidence rows linked to a claim in ``claim_evidence``, one dict per table row.

    Parameters
    ----------
    ds : Dataset
    claim_id : str
    sources : dict
        ``{source_id: row}`` (:func:`evidence_lib.output.cells.sources_by_id`).

    Returns
    -------
    list of dict
        Text values under ``role``, ``what``, ``link_note``, ``table_title``, ``row_id``,
        ``source``, ``location``, ``measure``, ``estimate``, ``timepoint``,
        ``comparator``, ``n``, ``status``, ``direction`` (which way is better, in words;
        for an adverse-event rate :data:`AE_NO_DIRECTION`;
        effects and pooled estimates are on the report's sign, negative = better with the
        intervention: :func:`harmonised_cells`), ``published`` (the value as the source
        printed it where the sign was reversed, else "");
        ``source_url`` (http(s) or None), ``secondary`` (the link is a secondary copy) and
        ``unverified`` (bool), ``anchor`` (the report section of an analysis, else None).
        ``what`` and ``comparator``, kept in the source's wording in the data, are in readers'
        words (:func:`evidence_lib.review.labels.readers_words`). Tables in :data:`TABLE_TITLES` order, rows by id; links to analyses last
        (:func:`analysis_row`).
    """
    ev = ds.evidence_for(claim_id)
    words = dict(review_labels(ds))
    words["protocol_columns"] = [c for c in ds.protocols.columns if c not in _PROTOCOL_NOT_DOSE]
    order = list(TABLE_TITLES)
    out = []
    for table in sorted(ev, key=lambda t: (order.index(t) if t in order else 99, t)):
        if table == "analyses":
            out += [analysis_row(ds, r) for r in records(ev[table], sort_by=("analysis_id",))]
            continue
        key = ds.table(table).columns[0]
        for r in records(ev[table], sort_by=(key,)):
            extra = {"intervention": intervention}
            if table == "effects":
                pooled = sources.get(r.get("source_id"), {}).get("design") in POOLED_DESIGNS
                extra |= {"pooled_source": pooled, "pooled_k": pooled_k(ds, r) if pooled else None,
                          "source": sources.get(r.get("source_id"))}
            what, measure, est, tp, comp, n = _row_columns(table, r, words | extra)
            direction, published = "", ""
            if table in ("effects", "pooled_results"):
                direction, published = harmonised_cells(r, intervention, reader_terms=words["reader_terms"])[1:]
            elif table == "adverse_events" and est:
                direction = AE_NO_DIRECTION
            out.append({
                "role": cell_text(r.get("role")), "what": readers_words(cell_text(what), words["reader_terms"]),
                "link_note": cell_text(r.get("link_note")),
                "table_title": TABLE_TITLES.get(table, table), "row_id": cell_text(r.get(key)),
                "source": source_short(sources.get(r.get("source_id"))), "source_url": safe_url(r.get("url")),
                "location": _location(table, r), "measure": cell_text(measure), "estimate": cell_text(est),
                "timepoint": cell_text(tp), "comparator": readers_words(cell_text(comp), words["reader_terms"]),
                "n": cell_text(n),
                "status": cell_text(r.get("status")), "unverified": r.get("status") == "unverified",
                "direction": direction, "published": published,
                "secondary": sources.get(r.get("source_id"), {}).get("url_kind") == "secondary",
                "anchor": None, "anchor_text": "",
            })
    return out


def analysis_row(ds, link: dict) -> dict:
    """One evidence row of a claim card for a link to an analysis the package computes.

    Parameters
    ----------
    ds : Dataset
    link : dict
        A row of ``ds.evidence_for(claim_id)["analyses"]``: ``analysis_id``, ``title``,
        ``role``, ``link_note``.

    Returns
    -------
    dict
        The keys of :func:`evidence_rows`; ``anchor`` is the id of the report section that
        shows the analysis (:data:`evidence_lib.vocab.ANALYSIS_ANCHORS`), ``table_title``
        says it is computed here, and the estimate cell gives each treatment against the
        network's reference in readers' names (empty when no network can be fitted).
    """
    from evidence_lib.output.figure_network import network_inputs
    from evidence_lib.review.network import reference_against_each

    aid = link["analysis_id"]
    n = network_inputs(ds)
    what, measure, est, n_text, direction, comparator = cell_text(link.get("title")), "", "", "", "", ""
    if n is not None:
        res, ref = n["result"], n["reference"]
        k = len(n["studies"])
        what += f" ({k} {'trial' if k == 1 else 'trials'}: {', '.join(n['studies'])})"
        measure = MEASURE_LABELS.get(res.measure, res.measure) + (" (points on 0-100)" if res.measure == "MD" else "")
        eff = reference_against_each(res, label=lambda t: n["labels"][t])
        est = "; ".join(f"vs {r.treatment} {interval_text(r.estimate, r.ci_low, r.ci_high, 1)}"
                        for r in eff.itertuples())
        direction = f"{ref} against each; negative: less pain with {ref}"
        comparator = f"{ref} against every other treatment"
        total = n["nodes"]["participants"].sum(min_count=1)
        n_text = (f"{int(total):,}" if total == total else "not reported") + f" ({k} {'study' if k == 1 else 'studies'})"
    return {"role": cell_text(link.get("role")), "what": what, "link_note": cell_text(link.get("link_note")),
            "table_title": "Our analysis", "row_id": aid, "source": "", "source_url": None,
            "location": "", "measure": measure, "estimate": est, "timepoint": f"first short-term visit ({TERM_WINDOWS['short']})",
            "comparator": comparator, "n": n_text, "status": "computed", "unverified": False,
            "direction": direction, "published": "", "secondary": False, "anchor": ANALYSIS_ANCHORS.get(aid),
            "anchor_text": f"see the {ANALYSIS_ANCHORS.get(aid, '')} section of this report"}


# --------------------------------------------------------------------------- sources

def citation(source: dict) -> dict:
    """A source's citation parts and its links.

    Parameters
    ----------
    source : dict
        A row of the sources table.

    Returns
    -------
    dict
        Text values ``author`` (``''`` when the data name none: the reference then opens
        with its title, never with a placeholder author), ``year`` (``''`` when the data
        hold none: the page then prints no year rather than "n.d."), ``title``,
        ``title_end`` (the full stop after the title, ``''`` when the title already ends in
        ``.``, ``?`` or ``!``), ``journal``, ``volume``, ``issue``, ``pages``; ``links``: a list of ``{"text", "href"}`` (DOI and PubMed, else the
        source page), ``href`` None when the URL is not http(s) so the text is shown
        without a link.
    """
    links = []
    if source.get("doi"):
        links.append({"text": f"doi:{cell_text(source['doi'])}", "href": doi_url(source["doi"])})
    if cell_text(source.get("pmid")):
        links.append({"text": f"PubMed {cell_text(source['pmid'])}", "href": pubmed_url(source["pmid"])})
    if source.get("url"):
        text = SOURCE_LINK_LABELS.get(source.get("url_kind") or "secondary", SOURCE_LINK_LABELS["secondary"])
        if not any(link["href"] == safe_url(source["url"]) for link in links):
            links.append({"text": text, "href": safe_url(source["url"])})
    parts = {k: cell_text(source.get(k)) for k in ("year", "title", "journal", "volume", "issue", "pages")}
    title_end = "" if parts["title"].endswith((".", "?", "!")) else "."
    return parts | {"author": cell_text(source.get("first_author")), "title_end": title_end, "links": links}


def claim_sources(ds, claim_id: str) -> list[dict]:
    """The sources linked to a claim: role, citation, design and the link's note.

    Parameters
    ----------
    ds : Dataset
    claim_id : str

    Returns
    -------
    list of dict
        Keys ``role``, ``citation`` (:func:`citation`), ``design`` (readable), ``note``;
        ordered cited, supports, qualifies, contradicts, context, then by ``source_id``.
    """
    rows = records(ds.sources_for(claim_id), sort_by=("source_id",))
    rows.sort(key=lambda r: (_ROLE_ORDER.get(r.get("role"), 9), r["source_id"]))
    return [{"role": cell_text(r.get("role")), "citation": citation(r),
             "design": cell_text(DESIGN_NAMES.get(r.get("design"), r.get("design"))), "note": cell_text(r.get("note"))}
            for r in rows]


def threshold_references(ds) -> list[dict]:
    """The full references of the sources the thresholds come from, for the page's list.

    The Summary of Findings, the caveats and the figures cite a threshold by its source's
    author and year ("Thomas 2005"); this list gives each such source in full, so that every
    threshold source the page cites can be found on it.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    list of dict
        One :func:`citation` per source of the thresholds table, ordered by author, year and
        ``source_id``; ``[]`` when the table is empty.
    """
    sources = {r["source_id"]: r for r in records(ds.sources)}
    ids = sorted({s for s in ds.thresholds["source_id"].dropna() if s in sources}) if len(ds.thresholds) else []
    rows = sorted((sources[s] for s in ids),
                  key=lambda r: (cell_text(r.get("first_author")), cell_text(r.get("year")), r["source_id"]))
    return [citation(r) for r in rows]


# --------------------------------------------------------------------------- the card

def claim_card(ds, claim: dict, sources: dict, *, check: Callable | None) -> dict:
    """Everything one claim card shows.

    Parameters
    ----------
    ds : Dataset
    claim : dict
        A row of the claims table.
    sources : dict
        ``{source_id: row}``.
    check : callable or None
        The claim checker (see :func:`check_findings`); None leaves the checks out.

    Returns
    -------
    dict
        ``id`` (the card's HTML id), ``claim_id``, ``verdict``, ``category``, ``quote`` (the
        article's words as written, its listed slips marked "[sic]"),
        ``section``, ``subsection``, ``cited_as``, ``certainty`` (a GRADE code or None),
        ``rationale``, ``checks`` (list or None), ``check_words`` (the checks as the page
        shows them, :func:`evidence_lib.output.check_words.card_checks`, or None),
        ``caveats`` (the Caveats block: the caveats the reviewers state for the verdict,
        :func:`evidence_lib.review.ledger.stated_caveats`, then the checks' caveats, each
        sentence once), ``evidence`` (:func:`evidence_rows`) and ``sources``
        (:func:`claim_sources`).
    """
    cid = claim["claim_id"]
    checks = None if check is None else check_findings(ds, cid, check)
    check_words = None if checks is None else card_checks(checks)
    caveats = stated_caveats(claim)
    caveats += [t for t in (check_words or {}).get("caveats", []) if t not in caveats]
    sic = review_labels(ds)["article_sic"]
    return {
        "id": card_id(cid), "claim_id": cid, "verdict": claim["verdict"], "category": claim["category"],
        "quote": mark_sic(cell_text(claim["quote"]), sic), "section": cell_text(claim.get("section")),
        "subsection": cell_text(claim.get("subsection")), "cited_as": mark_sic(cell_text(claim.get("cited_as")), sic),
        "certainty": claim.get("certainty") or None, "rationale": cell_text(claim.get("rationale")),
        "checks": checks, "check_words": check_words, "caveats": caveats,
        "evidence": evidence_rows(ds, cid, sources, intervention=review_labels(ds)["intervention"]),
        "sources": claim_sources(ds, cid),
    }
