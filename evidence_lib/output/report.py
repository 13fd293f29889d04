"""The claim-review report (one self-contained HTML file) and the standard exports.

:func:`write_report` writes, into one folder (``reports/`` in ``evidence build``):

``claim-review.html``
    The article with every claim highlighted and linked to its card; one card per claim
    in article order (quote, verdict, GRADE certainty, rationale, automated checks,
    the evidence rows with their numbers and the sources with DOI / PubMed links); a
    Summary of Findings table; the article scorecard when the data has one; the figures
    inline as SVG. CSS, JavaScript, figures and the ClaimReview JSON-LD are embedded:
    the file makes no network request and opens from disk.
``claimreview.jsonld``
    One schema.org ``ClaimReview`` per claim (see :data:`RATING_VALUES`).
``references.json`` / ``references.bib``
    Every source as CSL-JSON and as BibTeX (keys = ``source_id``).

Everything is deterministic: no clock, no random ids, sorted iteration; the review date
comes from the data package descriptor (``"review_date"``). Rebuilding the same data
gives byte-identical files, each written atomically.

Verdict -> ClaimReview rating
-----------------------------
``reviewRating`` uses a 1-5 scale (``worstRating`` 1, ``bestRating`` 5) with the verdict
label as ``alternateName``: contradicted 1, unsupported 2, overstated 3, supported with
caveats 4, supported 5. A *not checkable* claim gets no ``ratingValue`` at all (a number
would pretend to a judgment we did not make); its rating carries only ``alternateName``
"Not checkable" (and the scale), which schema.org allows.
"""

from __future__ import annotations

from evidence_lib.vocab import NULL_VALUE

import dataclasses
import html
import json
import math

from evidence_lib._values import is_missing
import re
import sys
from decimal import Decimal
from collections.abc import Iterable, Mapping
from pathlib import Path

from evidence_lib._io import atomic_write_text
from evidence_lib.review.ledger import (CATEGORY_ORDER, CERTAINTY_SYMBOLS, VERDICT_COLORS, VERDICT_LABELS,
                     VERDICT_ORDER, highlight_article_html)

#: File names written by :func:`write_report`, in write order.
REPORT_FILES = ("claim-review.html", "claimreview.jsonld", "references.json", "references.bib")

#: schema.org ``ratingValue`` per verdict (1 worst ... 5 best); ``None``: no numeric rating.
RATING_VALUES = {
    "contradicted": 1,
    "unsupported": 2,
    "overstated": 3,
    "supported_with_caveats": 4,
    "supported": 5,
    "not_checkable": None,
}
BEST_RATING, WORST_RATING = 5, 1
DEFAULT_AUTHOR = "evidence_lib reviewers"

CERTAINTY_LABELS = {"high": "High", "moderate": "Moderate", "low": "Low", "very_low": "Very low", "none": "None"}

#: Summary of Findings rows: (label, comparator classes) x (label, terms in preference order).
SOF_COMPARATORS = (
    ("Acupuncture vs sham acupuncture", ("sham",)),
    ("Acupuncture vs no treatment or usual care", ("no_treatment", "usual_care")),
    ("Acupuncture vs conventional therapy", ("conventional_therapy",)),
)
SOF_TERMS = (
    ("Short term (up to 3 months)", ("short", "immediate")),
    ("Long term (12 months or more)", ("long", "intermediate")),
)
#: Study designs from the highest level of evidence to the lowest (selection order).
DESIGN_RANK = {
    "cochrane_review": 0, "ipd_meta_analysis": 1, "meta_analysis": 2, "systematic_review": 3,
    "guideline": 4, "rct": 5, "observational": 6, "cross_sectional": 7, "survey": 8,
    "narrative_review": 9, "healthy_volunteer": 10, "animal": 11, "other": 12,
}
#: Which sign favours acupuncture for pooled rows (pooled_results has no ``favours``
#: column): lower pain is better. Other outcomes are not assumed ("na").
POOLED_FAVOURS = {"pain": "negative"}
AE_LABELS = {
    "any": "Any adverse event", "serious": "Serious adverse events", "bleeding_haematoma": "Bleeding or haematoma",
    "needling_pain": "Pain at needling", "dizziness_fainting": "Dizziness or fainting", "pneumothorax": "Pneumothorax",
    "infection": "Infection", "nausea_vomiting": "Nausea or vomiting", "fatigue": "Fatigue",
    "pain_aggravation": "Aggravated pain", "other": "Other adverse events",
}
AE_UNITS = {"per_patient": "per patient", "per_treatment": "per treatment",
            "per_10000_patients": "per 10,000 patients", "per_10000_treatments": "per 10,000 treatments"}


# --------------------------------------------------------------------------- helpers

_null = is_missing


def _s(v) -> str:
    """A cell as text ('' for missing)."""
    if _null(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _e(v) -> str:
    """A cell as escaped HTML text."""
    return html.escape(_s(v), quote=True)


def _num(v) -> str:
    """A number for display (as reported, no trailing zeros, a real minus sign)."""
    if _null(v):
        return ""
    s = format(Decimal(repr(float(v))), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s in ("-0", ""):
        s = "0"
    return s.replace("-", "\u2212") if s.startswith("-") else s


def _int(v):
    return None if _null(v) else int(v)


def _records(df, sort_by: Iterable[str] = ()) -> list[dict]:
    """Rows of a DataFrame as dicts with missing values as None (optionally sorted)."""
    if df is None or len(df) == 0:
        return []
    recs = [{k: (None if _null(v) else v) for k, v in r.items()} for r in df.to_dict("records")]
    keys = [k for k in sort_by if k in df.columns]
    if keys:
        recs.sort(key=lambda r: tuple(_sortable(r[k]) for k in keys))
    return recs


def _sortable(v):
    if v is None:
        return (1, "")
    if isinstance(v, (int, float)):
        return (0, float(v), "")
    return (0, math.inf, str(v))


def _claims(ds) -> list[dict]:
    return _records(ds.claims, ("start", "claim_id"))


def _sources_by_id(ds) -> dict[str, dict]:
    return {r["source_id"]: r for r in _records(ds.sources, ("source_id",))}


def review_date(ds) -> str | None:
    """The review date from the descriptor (``"review_date"``, ISO ``YYYY-MM-DD``), or None.

    Never the clock: a rebuild must not change the output.
    """
    d = ds.descriptor.get("review_date")
    if d is None:
        return None
    if not isinstance(d, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", d):
        raise ValueError(f"datapackage.json review_date must be YYYY-MM-DD, got {d!r}")
    return d


def review_author(ds) -> dict:
    """The reviewing organisation (descriptor ``"review_author"``: a name or a schema.org dict)."""
    a = ds.descriptor.get("review_author") or DEFAULT_AUTHOR
    if isinstance(a, Mapping):
        out = {"@type": "Organization"}
        out.update({k: a[k] for k in sorted(a)})
        return out
    return {"@type": "Organization", "name": str(a)}


def doi_url(doi) -> str | None:
    """``https://doi.org/<doi>`` for a bare DOI (None if missing)."""
    return f"https://doi.org/{doi}" if isinstance(doi, str) and doi else None


def pubmed_url(pmid) -> str | None:
    """``https://pubmed.ncbi.nlm.nih.gov/<pmid>/`` (None if missing)."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if _s(pmid) else None


def card_id(claim_id: str) -> str:
    """The HTML id of a claim's card (``claim-C01``)."""
    return f"claim-{claim_id}"


# --------------------------------------------------------------------------- ClaimReview

def claim_reviews(ds, *, page: str = "claim-review.html") -> list[dict]:
    """One schema.org ClaimReview per claim, in article order.

    ``url`` points at the claim's card: ``<report_url>#claim-Cxx`` when the descriptor
    gives an absolute ``"report_url"``, else relative to the report file (``page``).
    """
    base = ds.descriptor.get("report_url") or page
    date = review_date(ds)
    author = review_author(ds)
    art_meta = next((r for r in ds.descriptor.get("resources", []) if r.get("name") == "article"), {})
    appearance = {"@type": "CreativeWork", "name": ds.article.title}
    if art_meta.get("url"):
        appearance["url"] = art_meta["url"]
    out = []
    for c in _claims(ds):
        rating = {"@type": "Rating", "alternateName": VERDICT_LABELS.get(c["verdict"], c["verdict"]),
                  "bestRating": BEST_RATING, "worstRating": WORST_RATING}
        value = RATING_VALUES.get(c["verdict"])
        if value is not None:
            rating["ratingValue"] = value
        item = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "@id": f"{base}#{card_id(c['claim_id'])}",
            "url": f"{base}#{card_id(c['claim_id'])}",
            "claimReviewed": c["quote"],
            "reviewBody": c["rationale"] or "",
            "reviewRating": rating,
            "itemReviewed": {"@type": "Claim", "appearance": appearance},
            "author": author,
        }
        if date:
            item["datePublished"] = date
        out.append(item)
    return out


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _json_for_script(obj) -> str:
    """JSON safe inside <script>: no '</script>', no '<!--', no '&' surprises."""
    s = json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True)
    return s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


# --------------------------------------------------------------------------- bibliography

_INITIALS = re.compile(r"^(?P<family>.+?)\s+(?P<given>[A-Z][A-Za-z\-]{0,3})$")


def _author_parts(ds_row) -> dict:
    """CSL name: 'Haake M' -> family/given; an issuing body (or a guideline) -> literal."""
    name = _s(ds_row.get("first_author")).strip()
    m = _INITIALS.match(name)
    if ds_row.get("design") == "guideline" or not m:
        return {"literal": name}
    given = ". ".join(m["given"]) + "." if m["given"].isupper() else m["given"]
    return {"family": m["family"], "given": given}


def csl_items(ds) -> list[dict]:
    """The sources as CSL-JSON items (sorted by ``source_id``).

    Guidelines are ``report`` (the journal column is the publisher); everything else is
    ``article-journal``. Only the first author is recorded (the sources table has no
    more). PMID goes to the CSL ``PMID`` variable and to ``note``.
    """
    items = []
    for r in _records(ds.sources, ("source_id",)):
        guideline = r.get("design") == "guideline"
        it = {"id": r["source_id"], "type": "report" if guideline else "article-journal",
              "title": _s(r["title"]), "author": [_author_parts(r)]}
        if _s(r.get("year")):
            it["issued"] = {"date-parts": [[int(r["year"])]]}
        if r.get("journal"):
            it["publisher" if guideline else "container-title"] = _s(r["journal"])
        for src, dst in (("volume", "volume"), ("issue", "issue"), ("pages", "page")):
            if r.get(src):
                it[dst] = _s(r[src])
        if r.get("doi"):
            it["DOI"] = r["doi"]
        if _s(r.get("pmid")):
            it["PMID"] = _s(r["pmid"])
            it["note"] = f"PMID: {_s(r['pmid'])}"
        it["URL"] = doi_url(r.get("doi")) or _s(r["url"])
        items.append(it)
    return items


_BIB_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def bibtex_escape(text) -> str:
    """Escape TeX specials (``\\ { } & % $ # _ ^ ~``) so a field is literal text."""
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in _s(text))


def _bib_verbatim(text) -> str:
    """URL/DOI fields are read verbatim: only unbalanced braces could break them."""
    return _s(text).replace("{", "%7B").replace("}", "%7D")


def bibtex(ds) -> str:
    """The sources as BibTeX (one entry per source, key = ``source_id``, sorted)."""
    out = []
    for r in _records(ds.sources, ("source_id",)):
        guideline = r.get("design") == "guideline"
        a = _author_parts(r)
        if "literal" in a:
            author = "{" + bibtex_escape(a["literal"]) + "}"
        else:
            author = bibtex_escape(f"{a['family']}, {a['given']}") + " and others"
        fields = [("author", author), ("title", "{" + bibtex_escape(r["title"]) + "}")]
        if _s(r.get("year")):
            fields.append(("year", str(int(r["year"]))))
        if r.get("journal"):
            fields.append(("institution" if guideline else "journal", bibtex_escape(r["journal"])))
        for src, dst in (("volume", "volume"), ("issue", "number"), ("pages", "pages")):
            if r.get(src):
                fields.append((dst, bibtex_escape(r[src])))
        if r.get("doi"):
            fields.append(("doi", _bib_verbatim(r["doi"])))
        if _s(r.get("pmid")):
            fields.append(("pmid", _s(r["pmid"])))
            fields.append(("note", f"PMID: {_s(r['pmid'])}"))
        fields.append(("url", _bib_verbatim(doi_url(r.get("doi")) or r["url"])))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        out.append(f"@{'techreport' if guideline else 'article'}{{{r['source_id']},\n{body}\n}}\n")
    return "\n".join(out)


# --------------------------------------------------------------------------- Summary of Findings

def _rank(row: dict, table: str, sources: dict) -> tuple:
    src = sources.get(row.get("source_id"), {})
    n = row.get("n_participants") if table == "pooled_results" else (
        (row.get("n_intervention") or 0) + (row.get("n_control") or 0))
    return (0 if row.get("estimate") is not None else 1,
            0 if table == "pooled_results" else 1,
            DESIGN_RANK.get(src.get("design"), 99),
            0 if row.get("status") == "verified" else 1,
            -(int(n) if n else 0),
            -(int(src["year"]) if src.get("year") else 0),
            str(row.get("analysis_id") or row.get("effect_id")))


def select_sof_rows(ds, *, outcome: str = "pain") -> list[dict]:
    """Choose the evidence row behind each Summary-of-Findings cell. Documented rule:

    For each comparator group of :data:`SOF_COMPARATORS` and each time horizon of
    :data:`SOF_TERMS`, take the candidates with that comparator class and ``outcome``
    from ``pooled_results`` and ``effects``, in the first term of the horizon that has
    any (e.g. short before immediate), and keep the best by:

    0. rows with a numeric estimate before rows without one;
    1. pooled results before single effects;
    2. the source's design (:data:`DESIGN_RANK`: Cochrane, IPD meta-analysis,
       meta-analysis, systematic review, guideline, RCT, ...);
    3. verified before unverified;
    4. more participants, then the newer source, then the row id (a total order, so
       the choice is deterministic).

    Returns one dict per cell with keys ``comparison``, ``term_label``, ``terms``, ``outcome``, ``table``,
    ``row`` (None if no evidence) and ``source``.
    """
    sources = _sources_by_id(ds)
    pooled = [("pooled_results", r) for r in _records(ds.pooled_results, ("analysis_id",)) if r["outcome"] == outcome]
    effects = [("effects", r) for r in _records(ds.effects, ("effect_id",)) if r["outcome"] == outcome]
    out = []
    for comp_label, classes in SOF_COMPARATORS:
        for term_label, terms in SOF_TERMS:
            chosen = None
            for term in terms:
                cands = [(t, r) for t, r in pooled + effects if r["comparator_class"] in classes and r.get("term") == term]
                if cands:
                    chosen = min(cands, key=lambda tr: _rank(tr[1], tr[0], sources))
                    break
            out.append({"comparison": comp_label, "term_label": term_label, "outcome": outcome,
                        "terms": terms, "table": chosen[0] if chosen else None, "row": chosen[1] if chosen else None,
                        "source": sources.get(chosen[1]["source_id"]) if chosen else None})
    return out


def select_harms_rows(ds, *, types=("serious", "any")) -> list[dict]:
    """The adverse-event rate behind each harms row: per ``ae_type`` in ``types``, the row
    from the best design (:data:`DESIGN_RANK`), verified first, largest denominator, id."""
    sources = _sources_by_id(ds)
    out = []
    recs = _records(ds.adverse_events, ("ae_id",))
    for t in types:
        cands = [r for r in recs if r["ae_type"] == t]
        if not cands:
            continue
        best = min(cands, key=lambda r: (DESIGN_RANK.get(sources.get(r["source_id"], {}).get("design"), 99),
                                         0 if r.get("status") == "verified" else 1,
                                         -(r.get("denominator") or 0), r["ae_id"]))
        out.append({"ae_type": t, "row": best, "source": sources.get(best["source_id"])})
    return out


def _favours(row: dict, table: str) -> str:
    """Which sign favours acupuncture: the row's own ``favours`` (effects and pooled results
    both carry it); for a pooled row without one, the outcome's usual direction."""
    if row.get("favours"):
        return row["favours"]
    if table == "effects":
        return "na"
    return POOLED_FAVOURS.get(row.get("outcome"), "na")


def _effect_text(row: dict) -> str:
    if row.get("estimate") is None:
        p = row.get("p_value")
        return "no estimate printed" + (f" (p = {_num(p)})" if p is not None else "")
    s = f"{row['measure']} {_num(row['estimate'])}"
    if row.get("ci_low") is not None and row.get("ci_high") is not None:
        s += f" (95% CI {_num(row['ci_low'])} to {_num(row['ci_high'])})"
    return s


def plain_language(row: dict, table: str, outcome: str = "pain") -> str:
    """A GRADE-style plain-language statement from the estimate, its CI and certainty.

    The verb follows GRADE guidance (high: "reduces"; moderate: "probably reduces";
    low: "may reduce"; very low: "we are very uncertain whether ..."); the direction
    comes from whether the 95% CI excludes no effect on the side favouring acupuncture.
    """
    null = NULL_VALUE.get(row["measure"])
    lo, hi = row.get("ci_low"), row.get("ci_high")
    fav = _favours(row, table)
    cert = row.get("certainty") if table == "pooled_results" else None
    if null is None or lo is None or hi is None or fav == "na":
        direction = "unclear"
    elif lo <= null <= hi:
        direction = "none"
    else:
        above = lo > null
        good = {"negative": not above, "positive": above, "ratio_gt1": above, "ratio_lt1": not above}.get(fav)
        direction = "better" if good else "worse"
    if direction == "unclear":
        return f"Effect on {outcome}: {_effect_text(row)}; see the source for its direction."
    phrase = {"better": f"reduces {outcome}" if outcome == "pain" else f"improves {outcome}",
              "worse": f"worsens {outcome}",
              "none": f"makes little or no difference to {outcome}"}[direction]
    if table == "effects":
        verb = {"better": f"found that acupuncture {phrase}", "worse": f"found that acupuncture {phrase}",
                "none": f"found little or no difference in {outcome}"}[direction]
        return f"A single study (not GRADE-rated) {verb}."
    if cert == "high":
        return f"Acupuncture {phrase}."
    if cert == "moderate":
        return f"Acupuncture probably {phrase}."
    if cert == "low":
        return f"Acupuncture may {phrase.replace('reduces', 'reduce').replace('improves', 'improve').replace('worsens', 'worsen').replace('makes', 'make')}."
    if cert == "very_low":
        return f"We are very uncertain whether acupuncture {phrase}."
    return f"The pooled estimate suggests acupuncture {phrase} (certainty not rated)."


def _certainty_html(cert) -> str:
    if not cert:
        return '<span class="grade muted">Not GRADE-rated</span>'
    label = CERTAINTY_LABELS.get(cert, cert)
    sym = CERTAINTY_SYMBOLS.get(cert, "")
    return (f'<span class="grade" aria-label="GRADE certainty: {_e(label)}">'
            f'<span aria-hidden="true" class="grade-sym">{_e(sym)}</span> {_e(label)}</span>')


def _participants(row: dict, table: str) -> str:
    if table == "pooled_results":
        n, k = row.get("n_participants"), row.get("k")
        txt = f"{int(n):,}" if n else "?"
        return txt + (f" ({int(k)} {'study' if int(k) == 1 else 'studies'})" if k else "")
    n = (row.get("n_intervention") or 0) + (row.get("n_control") or 0)
    return (f"{int(n):,}" if n else "?") + " (1 study)"


def _source_short(src: dict | None) -> str:
    if not src:
        return ""
    return f"{_s(src.get('first_author'))} {_s(src.get('year'))}".strip()


def summary_of_findings_html(ds) -> str:
    """The Summary of Findings table.

    If the Dataset carries a curated ``summary_of_findings`` table (columns
    ``outcome, comparison, effect, participants, certainty, statement``; optional
    ``source_id``) it is shown as is; otherwise the rows come from
    :func:`select_sof_rows` and :func:`select_harms_rows`.
    """
    curated = getattr(ds, "summary_of_findings", None)
    rows_html = []
    if curated is not None and len(curated):
        for r in _records(curated):
            rows_html.append(
                f"<tr><th scope=\"row\">{_e(r.get('comparison'))}<br><span class=\"muted\">{_e(r.get('outcome'))}</span></th>"
                f"<td>{_e(r.get('effect'))}</td><td>{_e(r.get('participants'))}</td>"
                f"<td>{_certainty_html(r.get('certainty'))}</td><td>{_e(r.get('statement'))}</td></tr>")
        note = "Curated by the reviewers."
    else:
        for cell in select_sof_rows(ds):
            head = (f"<th scope=\"row\">{_e(cell['comparison'])}<br>"
                    f"<span class=\"muted\">{_e(cell['term_label'])}; {_e(cell['outcome'])}</span></th>")
            r, t = cell["row"], cell["table"]
            if r is None:
                rows_html.append(f"<tr class=\"empty\">{head}<td colspan=\"4\">No evidence row in the data package yet.</td></tr>")
                continue
            src = cell["source"]
            when = _s(r.get("timepoint"))
            if r.get("term") and r["term"] != cell["terms"][0]:
                when += f" ({r['term']} term: no {cell['terms'][0]}-term result in the data)"
            unv = ' <span class="unverified-tag">unverified</span>' if r.get("status") != "verified" else ""
            label = _e(r.get("description") or r.get("comparison") or "")
            rows_html.append(
                f"<tr>{head}<td data-label=\"Effect\"><strong>{_e(_effect_text(r))}</strong>{unv}<br>"
                f"<span class=\"muted\">{label}; {_e(when)}; {_e(_source_short(src))}</span></td>"
                f"<td data-label=\"Participants\">{_e(_participants(r, t))}</td>"
                f"<td data-label=\"Certainty\">{_certainty_html(r.get('certainty') if t == 'pooled_results' else None)}</td>"
                f"<td data-label=\"What it means\">{_e(plain_language(r, t))}</td></tr>")
        for cell in select_harms_rows(ds):
            r, src = cell["row"], cell["source"]
            rate = f"{_num(r['estimate'])} {AE_UNITS.get(r['unit'], r['unit'])}" if r.get("estimate") is not None else ""
            if r.get("ci_low") is not None and r.get("ci_high") is not None:
                rate += f" (95% CI {_num(r['ci_low'])} to {_num(r['ci_high'])})"
            counts = f"{int(r['events']):,} events / {int(r['denominator']):,}" if r.get("events") is not None and r.get("denominator") else ""
            unv = ' <span class="unverified-tag">unverified</span>' if r.get("status") != "verified" else ""
            ae_label = AE_LABELS.get(cell["ae_type"], cell["ae_type"])
            statement = (f"{ae_label}: {rate} in this source (not a comparison with a control group)."
                         if rate else f"{ae_label}: see the source.")
            rows_html.append(
                f"<tr><th scope=\"row\">Harms<br><span class=\"muted\">{_e(ae_label)}</span></th>"
                f"<td data-label=\"Effect\"><strong>{_e(rate)}</strong>{unv}<br><span class=\"muted\">{_e(r.get('setting') or r.get('population'))}; "
                f"{_e(_source_short(src))}</span></td><td data-label=\"Events\">{_e(counts)}</td>"
                f"<td data-label=\"Certainty\">{_certainty_html(None)}</td>"
                f"<td data-label=\"What it means\">{_e(statement)}</td></tr>")
        note = ("Selected automatically: per comparison and time horizon, pooled results before single "
                "studies, then the highest level of evidence (Cochrane, meta-analysis, RCT), verified rows "
                "first, then the largest. Effects are as reported (MD on the reported scale; negative "
                "favours acupuncture for pain).")
    return (
        '<div class="table-wrap" role="region" aria-labelledby="sof-heading" tabindex="0">'
        '<table class="sof stack"><caption>Main outcomes of acupuncture for low back pain</caption>'
        '<thead><tr><th scope="col">Outcome</th><th scope="col">Effect (95% CI)</th>'
        '<th scope="col">Participants (studies)</th><th scope="col">Certainty (GRADE)</th>'
        '<th scope="col">What it means</th></tr></thead><tbody>\n' + "\n".join(rows_html) + "\n</tbody></table></div>"
        f'<p class="muted sof-note">{_e(note)}</p>')


# --------------------------------------------------------------------------- checks slot

def _checker():
    """``evidence_lib.review.checks.check`` if that module exists, else None (imported lazily)."""
    import importlib

    try:
        mod = importlib.import_module("evidence_lib.review.checks")
    except ModuleNotFoundError as exc:
        if exc.name in ("evidence_lib.review.checks",):
            return None
        raise
    return getattr(mod, "check", None)


def _finding_parts(item) -> tuple[str, str]:
    """(status, message) of one check finding, whatever shape it comes in."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        item = dataclasses.asdict(item)
    elif hasattr(item, "_asdict"):
        item = item._asdict()
    if isinstance(item, Mapping):
        status = next((_s(item[k]) for k in ("status", "result", "level", "severity", "ok", "passed") if k in item), "")
        if status in ("True", "False"):
            status = "pass" if status == "True" else "fail"
        msg = next((_s(item[k]) for k in ("message", "detail", "text", "description", "summary", "name") if k in item), "")
        if not msg:
            msg = "; ".join(f"{k}: {_s(item[k])}" for k in sorted(item, key=str))
        return status, msg
    return "", _s(item)


def checks_html(ds, claim_id: str, check=None) -> str:
    """The automated checks of one claim as a list (empty string if there is no checker).

    ``check(ds, claim_id)`` may return None, a string, one finding or an iterable of
    findings; a finding may be a mapping or dataclass (``status``/``message`` keys are
    used when present) or anything with a ``str``. A checker that raises is shown as a
    failed check, not hidden.
    """
    if check is None:
        return ""
    try:
        res = check(ds, claim_id)
    except Exception as exc:  # the report still builds; the failure is visible
        items = [{"status": "error", "message": f"the check raised {type(exc).__name__}: {exc}"}]
    else:
        if res is None:
            items = []
        elif hasattr(res, "findings"):  # evidence_lib.review.checks.ClaimCheck
            items = [{"status": f.severity, "message": f"{f.kind.replace('_', ' ')}: {f.message}"} for f in res.findings]
        elif isinstance(res, (str, bytes, Mapping)) or dataclasses.is_dataclass(res):
            items = [res]
        elif isinstance(res, Iterable):
            items = list(res)
        else:
            items = [res]
    lis = []
    for it in items:
        status, msg = _finding_parts(it)
        cls = re.sub(r"[^a-z0-9_-]", "", status.lower()) or "info"
        tag = f'<span class="check-status s-{cls}">{_e(status)}</span> ' if status else ""
        lis.append(f"<li>{tag}{_e(msg)}</li>")
    body = "<ul class=\"checks\">" + "".join(lis) + "</ul>" if lis else "<p class=\"muted\">No findings.</p>"
    return f'<section class="card-checks"><h4>Automated checks</h4>{body}</section>'


# --------------------------------------------------------------------------- claim cards

def _interval(row: dict) -> str:
    s = _num(row.get("estimate"))
    if row.get("ci_low") is not None and row.get("ci_high") is not None:
        s += f" [{_num(row['ci_low'])}, {_num(row['ci_high'])}]"
    return s


def _status_cell(row: dict) -> str:
    if row.get("status") == "unverified":
        return '<span class="unverified-tag" title="Not yet seen on the source page by a second reader">unverified</span>'
    return f'<span class="verified-tag">{_e(row.get("status") or "")}</span>'


def _evidence_rows(table: str, rows: list[dict], sources: dict) -> list[tuple[str, str, str, str, str, str, str, str]]:
    """(kind, what, measure, estimate [CI], timepoint, comparator, n, status/role) per row."""
    out = []
    for r in rows:
        src = _source_short(sources.get(r.get("source_id")))
        if table in ("effects", "pooled_results"):
            what = r.get("description") or f"{r.get('outcome')}: {r.get('instrument')}"
            n = _participants(r, table)
            comp = r.get("comparison") or r.get("comparator_class")
            tp = r.get("timepoint") or ""
            if r.get("term"):
                tp = f"{tp} ({r['term']} term)" if tp else f"{r['term']} term"
            out.append((r, what, src, r.get("measure"), _interval(r), tp, comp, n))
        elif table == "adverse_events":
            what = AE_LABELS.get(r.get("ae_type"), r.get("ae_type"))
            n = f"{int(r['events']):,} / {int(r['denominator']):,}" if r.get("events") is not None and r.get("denominator") else ""
            out.append((r, what, src, AE_UNITS.get(r.get("unit"), r.get("unit")), _interval(r), "",
                        r.get("setting") or r.get("population") or "", n))
        elif table == "thresholds":
            out.append((r, f"{r.get('kind')}: {r.get('instrument')}", src, r.get("measure"),
                        f"{_num(r.get('value'))} {_s(r.get('unit'))}".strip(), "", "", ""))
        elif table == "protocols":
            bits = [f"{k.replace('_', ' ')} {_s(r.get(k))}" for k in
                    ("sessions_total", "sessions_per_week", "weeks", "minutes_per_session", "needles") if r.get(k)]
            out.append((r, f"Protocol ({r.get('arm')}): " + ", ".join(bits), src, "", "", "",
                        r.get("control_procedure") or "", ""))
        else:  # findings
            out.append((r, f"{_s(r.get('topic'))}: {_s(r.get('finding'))}", src, "", "", "", "", ""))
    return out


TABLE_TITLES = {"pooled_results": "Pooled results", "effects": "Effects", "adverse_events": "Adverse events",
                "thresholds": "Thresholds", "protocols": "Protocols", "findings": "Findings"}


def evidence_html(ds, claim_id: str, sources: dict) -> str:
    """The evidence rows linked to a claim in ``claim_evidence``, as one table."""
    ev = ds.evidence_for(claim_id)
    body = []
    for table in sorted(ev, key=lambda t: (list(TABLE_TITLES).index(t) if t in TABLE_TITLES else 99, t)):
        key = ds.table(table).columns[0]
        rows = _records(ev[table], (key,))
        for (r, what, src, measure, est, tp, comp, n) in _evidence_rows(table, rows, sources):
            cls = ' class="unverified"' if r.get("status") == "unverified" else ""
            note = f'<br><span class="muted">{_e(r.get("link_note"))}</span>' if r.get("link_note") else ""
            link = r.get("url")
            src_html = (f'<a href="{_e(link)}">{_e(src)}</a>' if link else _e(src))
            body.append(
                f"<tr{cls}><td data-label=\"Evidence\"><span class=\"role role-{_e(r.get('role'))}\">{_e(r.get('role'))}</span> "
                f"{_e(what)}{note}<br><span class=\"muted\">{_e(TABLE_TITLES.get(table, table))} "
                f"{_e(r.get(key))}; {src_html}; {_e(r.get('location'))}</span></td>"
                f"<td data-label=\"Measure\">{_e(measure)}</td><td data-label=\"Estimate [95% CI]\" class=\"num\">{_e(est)}</td>"
                f"<td data-label=\"Timepoint\">{_e(tp)}</td><td data-label=\"Comparator\">{_e(comp)}</td>"
                f"<td data-label=\"n\" class=\"num\">{_e(n)}</td><td data-label=\"Status\">{_status_cell(r)}</td></tr>")
    if not body:
        return '<section class="card-evidence"><h4>Evidence</h4><p class="muted">No evidence rows linked yet.</p></section>'
    return ('<section class="card-evidence"><h4>Evidence</h4>'
            f'<div class="table-wrap" role="region" aria-label="Evidence for {claim_id}" tabindex="0">'
            '<table class="evidence stack"><thead><tr><th scope="col">Evidence</th><th scope="col">Measure</th>'
            '<th scope="col">Estimate [95% CI]</th><th scope="col">Timepoint</th><th scope="col">Comparator</th>'
            '<th scope="col">n</th><th scope="col">Status</th></tr></thead><tbody>'
            + "".join(body) + "</tbody></table></div></section>")


def _citation_html(s: dict) -> str:
    parts = [f"{_e(s.get('first_author'))} ({_e(s.get('year'))}). {_e(s.get('title'))}."]
    if s.get("journal"):
        j = f" <i>{_e(s.get('journal'))}</i>"
        if s.get("volume"):
            j += f" {_e(s.get('volume'))}"
            if s.get("issue"):
                j += f"({_e(s.get('issue'))})"
        if s.get("pages"):
            j += f":{_e(s.get('pages'))}"
        parts.append(j + ".")
    links = []
    if s.get("doi"):
        links.append(f'<a href="{_e(doi_url(s["doi"]))}">doi:{_e(s["doi"])}</a>')
    if _s(s.get("pmid")):
        links.append(f'<a href="{_e(pubmed_url(s["pmid"]))}">PubMed {_e(s["pmid"])}</a>')
    if not links and s.get("url"):
        links.append(f'<a href="{_e(s["url"])}">source page</a>')
    if links:
        parts.append(" " + " · ".join(links))
    return "".join(parts)


def sources_html(ds, claim_id: str) -> str:
    """The sources linked to a claim (role, citation, DOI and PubMed links)."""
    role_order = {"cited": 0, "supports": 1, "qualifies": 2, "contradicts": 3, "context": 4}
    rows = _records(ds.sources_for(claim_id), ("source_id",))
    rows.sort(key=lambda r: (role_order.get(r.get("role"), 9), r["source_id"]))
    if not rows:
        return '<section class="card-sources"><h4>Sources</h4><p class="muted">No sources linked yet.</p></section>'
    lis = []
    for r in rows:
        note = f'<br><span class="muted">{_e(r.get("note"))}</span>' if r.get("note") else ""
        lis.append(f'<li><span class="role role-{_e(r.get("role"))}">{_e(r.get("role"))}</span> '
                   f'{_citation_html(r)} <span class="muted">[{_e(_DESIGN_NAMES.get(r.get("design"), r.get("design")))}]</span>{note}</li>')
    return f'<section class="card-sources"><h4>Sources</h4><ul class="sources">{"".join(lis)}</ul></section>'


_DESIGN_NAMES = {"rct": "RCT", "meta_analysis": "meta-analysis", "ipd_meta_analysis": "IPD meta-analysis",
                 "systematic_review": "systematic review", "cochrane_review": "Cochrane review",
                 "guideline": "guideline", "observational": "observational", "animal": "animal study",
                 "healthy_volunteer": "healthy volunteers", "narrative_review": "narrative review",
                 "cross_sectional": "cross-sectional", "survey": "survey", "other": "other"}


def verdict_badge(verdict: str) -> str:
    colour = VERDICT_COLORS.get(verdict, "#999999")
    return (f'<span class="badge v-{_e(verdict)}" style="--vc: {colour}">'
            f'<span class="dot" aria-hidden="true"></span>{_e(VERDICT_LABELS.get(verdict, verdict))}</span>')


def claim_card_html(ds, claim: dict, sources: dict, check=None) -> str:
    """One claim's card (``<article id="claim-Cxx">``)."""
    cid = claim["claim_id"]
    where = _e(claim.get("section")) + (f" › {_e(claim['subsection'])}" if claim.get("subsection") else "")
    cited = (f'<p class="cited">Cited by the article as: “{_e(claim["cited_as"])}”</p>' if claim.get("cited_as") else "")
    return (
        f'<article class="card" id="{card_id(cid)}" data-verdict="{_e(claim["verdict"])}" '
        f'data-category="{_e(claim["category"])}" aria-labelledby="{card_id(cid)}-h" tabindex="-1">\n'
        f'<header><h3 id="{card_id(cid)}-h"><span class="cid">{_e(cid)}</span> '
        f'<span class="cat">{_e(claim["category"])}</span></h3>{verdict_badge(claim["verdict"])}</header>\n'
        f'<blockquote><p>{_e(claim["quote"])}</p></blockquote>\n'
        f'<p class="meta"><a href="#span-{_e(cid)}">In the article</a>: {where}</p>{cited}\n'
        f'<p class="certainty">Certainty of the evidence: {_certainty_html(claim.get("certainty"))}</p>\n'
        f'<div class="rationale"><h4>Why</h4><p>{_e(claim.get("rationale"))}</p></div>\n'
        f'{checks_html(ds, cid, check)}{evidence_html(ds, cid, sources)}{sources_html(ds, cid)}\n'
        f'<p class="back"><a href="#span-{_e(cid)}">Back to {_e(cid)} in the article</a></p>\n'
        f'</article>')


# --------------------------------------------------------------------------- figures and scorecard

def _inline_svg(svg: str, name: str, title: str, alt: str) -> str:
    """A matplotlib SVG made inline-ready: no XML prolog, ids prefixed (several figures share a
    page), scalable, with <title>/<desc> and ARIA naming it."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    p = f"fig-{name}"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{p}-{m[1]}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{p}-{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{p}-{m[1]}"', svg)
    open_tag_end = svg.index(">") + 1
    open_tag = svg[:open_tag_end]
    open_tag = re.sub(r'\s(width|height)="[^"]*"', "", open_tag)
    open_tag = open_tag[:-1] + (f' role="img" aria-labelledby="{p}-title {p}-desc" class="figure-svg"'
                                f' preserveAspectRatio="xMidYMid meet">')
    return (open_tag + f'<title id="{p}-title">{_e(title)}</title><desc id="{p}-desc">{_e(alt)}</desc>'
            + svg[open_tag_end:].strip())


def figures_html(ds, alt_text: Mapping | None = None) -> str:
    """Every figure of :func:`evidence_lib.output.figures.registry`, inline SVG with caption."""
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "svg", "pdf"):
        matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from evidence_lib.output.figures import registry, svg_string
    from evidence_lib.plotting import style

    out = []
    for spec in registry():
        with style():
            fig = spec.draw(ds)
            try:
                svg = svg_string(fig)
            finally:
                plt.close(fig)
        alt = (alt_text or {}).get(spec.name) or spec.describe(ds)
        out.append(f'<figure id="figure-{_e(spec.name)}" class="figure">{_inline_svg(svg, spec.name, spec.title, alt)}'
                   f'<figcaption><strong>{_e(spec.title)}.</strong> {_e(alt)}</figcaption></figure>')
    return "\n".join(out)


def scorecard_html(ds) -> str:
    """The HealthNewsReview-style scorecard if the Dataset has a ``scorecard`` table, else ''.

    Columns are shown as they come (snake_case headers made readable), rows in table order.
    """
    sc = getattr(ds, "scorecard", None)
    if sc is None or not hasattr(sc, "columns") or len(sc) == 0:
        return ""
    cols = list(sc.columns)
    head = "".join(f'<th scope="col">{_e(c.replace("_", " ").capitalize())}</th>' for c in cols)
    rows = []
    for r in _records(sc):
        cells = [f'<th scope="row">{_e(r.get(cols[0]))}</th>'] + [f"<td>{_e(r.get(c))}</td>" for c in cols[1:]]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ('<section id="scorecard" aria-labelledby="scorecard-heading"><h2 id="scorecard-heading">Article scorecard</h2>'
            '<p>How the article does on the HealthNewsReview.org criteria for reporting on treatments.</p>'
            '<div class="table-wrap" role="region" aria-labelledby="scorecard-heading" tabindex="0">'
            f'<table class="scorecard"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div></section>')


# --------------------------------------------------------------------------- page

_CSS = """
:root { --fg: #1b1b1b; --muted: #4a4a4a; --bg: #ffffff; --line: #c9c9c9; --soft: #f4f4f2;
  --link: #0b4f9c; --focus: #1a5fb4; --warn-bg: #fff1d6; --warn-fg: #6b3d00; }
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: var(--bg); font: 16px/1.55 system-ui, -apple-system,
  "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; overflow-wrap: break-word; }
a { color: var(--link); text-underline-offset: 2px; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
.skip { position: absolute; left: 0.5rem; top: -4rem; z-index: 10; background: var(--fg); color: #fff;
  padding: 0.5rem 1rem; border-radius: 0 0 6px 6px; text-decoration: none; font-weight: 600; }
.skip:focus { top: 0; }
.wrap { max-width: 62rem; margin: 0 auto; padding: 0 1rem; }
header.site { background: var(--soft); border-bottom: 1px solid var(--line); padding: 1.25rem 0 0.75rem; }
header.site h1 { margin: 0 0 0.25rem; font-size: clamp(1.4rem, 4vw, 2rem); line-height: 1.2; }
header.site p { margin: 0.25rem 0; color: var(--muted); }
nav.toc ul { list-style: none; padding: 0; margin: 0.5rem 0 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
h2 { font-size: 1.45rem; margin: 2.25rem 0 0.75rem; line-height: 1.25; }
h3 { font-size: 1.1rem; }
h4 { font-size: 0.95rem; margin: 1rem 0 0.35rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); }
section[id], article[id], mark[id], figure[id] { scroll-margin-top: 1rem; }
.muted { color: var(--muted); font-size: 0.92em; }
.counts { display: flex; flex-wrap: wrap; gap: 0.5rem; padding: 0; list-style: none; }
.badge { display: inline-flex; align-items: center; gap: 0.4em; border: 2px solid var(--vc); border-radius: 999px;
  padding: 0.1em 0.65em; background: #fff; color: var(--fg); font-weight: 600; font-size: 0.9rem; white-space: nowrap; }
.badge .dot { width: 0.75em; height: 0.75em; border-radius: 50%; background: var(--vc); flex: none; }
.grade-sym { letter-spacing: 0.05em; }
.article-text { line-height: 1.85; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 1.25rem; }
.article-text h3 { margin: 1.25rem 0 0.5rem; }
.article-text h4 { text-transform: none; letter-spacing: 0; color: var(--fg); font-size: 1rem; }
mark.claim { background: #fffbe6; color: var(--fg); padding: 0 0.1em; border-radius: 2px; }
mark.claim a { color: inherit; text-decoration: none; }
mark.claim a:hover, mark.claim a:focus-visible { text-decoration: underline; }
mark.claim sup { font-size: 0.7em; font-weight: 700; color: var(--muted); margin-left: 0.15em; }
mark.claim:target { outline: 3px solid var(--focus); }
.filters { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 1rem 0.75rem; margin-bottom: 1rem; background: var(--soft); }
.filters fieldset { border: 0; padding: 0; margin: 0.5rem 0; }
.filters legend { font-weight: 700; padding: 0; margin-bottom: 0.25rem; }
.filters .opts { display: flex; flex-wrap: wrap; gap: 0.4rem; }
button.filter, button.reset { font: inherit; font-size: 0.9rem; color: var(--fg); background: #fff; border: 2px solid #767676;
  border-radius: 6px; padding: 0.3rem 0.7rem; cursor: pointer; min-height: 2.25rem; }
button.filter[aria-pressed="true"] { background: var(--fg); border-color: var(--fg); color: #fff; }
button.filter[aria-pressed="true"]::before { content: "\\2713\\00a0"; }
button.reset { border-style: dashed; }
#filter-status { margin: 0.5rem 0 0; font-weight: 600; }
.card { border: 1px solid var(--line); border-left: 8px solid var(--vc, #999); border-radius: 6px; padding: 0.75rem 1.25rem 0.5rem;
  margin: 0 0 1.25rem; background: #fff; }
.card:target { box-shadow: 0 0 0 3px var(--focus); }
.card header { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem; }
.card h3 { margin: 0; }
.card .cid { font-variant-numeric: tabular-nums; }
.card .cat { font-weight: 400; color: var(--muted); font-size: 0.9rem; margin-left: 0.35rem; text-transform: capitalize; }
.card blockquote { margin: 0.75rem 0; padding: 0.25rem 0 0.25rem 1rem; border-left: 4px solid var(--line); font-size: 1.05rem; font-style: italic; }
.card blockquote p { margin: 0; }
.card .meta, .card .cited, .card .certainty { margin: 0.3rem 0; }
.card .back { text-align: right; font-size: 0.9rem; margin: 0.75rem 0 0.25rem; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
caption { text-align: left; caption-side: top; font-weight: 600; color: var(--muted); font-size: 0.85rem; padding-top: 0.4rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.4rem 0.5rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--fg); }
table.evidence td:first-child { min-width: 13rem; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.unverified td { background: var(--warn-bg); }
.unverified-tag { display: inline-block; border: 1px dashed var(--warn-fg); color: var(--warn-fg); background: var(--warn-bg);
  border-radius: 4px; padding: 0 0.35em; font-size: 0.8rem; font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em; }
.verified-tag { color: var(--muted); font-size: 0.85rem; }
.role { display: inline-block; font-size: 0.75rem; font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em;
  border-radius: 3px; padding: 0 0.3em; background: #e8e8e8; color: var(--fg); }
.role-contradicts { background: #f6d5cf; } .role-supports { background: #d3efe5; } .role-qualifies { background: #dcecf8; }
ul.sources, ul.checks { padding-left: 1.1rem; }
ul.sources li, ul.checks li { margin: 0.3rem 0; }
.check-status { font-weight: 700; text-transform: uppercase; font-size: 0.78rem; border-radius: 3px; padding: 0 0.3em; background: #e8e8e8; }
.check-status.s-fail, .check-status.s-error, .check-status.s-failed { background: #f6d5cf; }
.check-status.s-pass, .check-status.s-ok, .check-status.s-passed { background: #d3efe5; }
.figure { margin: 1rem 0; }
.figure svg { display: block; width: 100%; height: auto; max-width: 48rem; }
figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 0.4rem; }
footer { border-top: 1px solid var(--line); margin-top: 2rem; padding: 1rem 0 2rem; color: var(--muted); font-size: 0.9rem; }
@media (max-width: 40rem) {
  body { font-size: 15.5px; }
  .wrap { padding: 0 0.75rem; }
  .card { padding: 0.6rem 0.75rem 0.4rem; border-left-width: 6px; }
  .article-text { padding: 0.25rem 0.75rem; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack, table.stack tbody, table.stack tr, table.stack td, table.stack th { display: block; width: 100%; }
  table.stack tr { border-bottom: 2px solid var(--line); padding: 0.3rem 0; }
  table.stack td, table.stack th { border: 0; padding: 0.15rem 0.25rem; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; font-weight: 700; color: var(--muted); }
  table.stack td:empty { display: none; }
  table.stack caption { display: block; }
  td.num { white-space: normal; }
  table.evidence td:first-child { min-width: 0; }
}
@media print {
  body { font-size: 10.5pt; }
  .skip, .filters, nav.toc, .card .back { display: none !important; }
  .card, .card[hidden] { display: block !important; break-inside: avoid; page-break-inside: avoid; border-left-width: 4pt; }
  figure, tr, blockquote { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  a { color: #000; }
  a[href^="http"]::after { content: " <" attr(href) ">"; font-size: 0.85em; overflow-wrap: anywhere; color: #333; }
  .table-wrap { overflow: visible; }
  header.site { background: none; }
}
"""

_JS = """
(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card[data-verdict]"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button.filter"));
  var status = document.getElementById("filter-status");
  var panel = document.getElementById("filters");
  if (!panel) { return; }
  function apply() {
    var sel = { verdict: [], category: [] };
    buttons.forEach(function (b) {
      if (b.getAttribute("aria-pressed") === "true") { sel[b.getAttribute("data-filter")].push(b.getAttribute("data-value")); }
    });
    var shown = 0;
    cards.forEach(function (c) {
      var ok = (sel.verdict.length === 0 || sel.verdict.indexOf(c.getAttribute("data-verdict")) >= 0) &&
               (sel.category.length === 0 || sel.category.indexOf(c.getAttribute("data-category")) >= 0);
      c.hidden = !ok;
      if (ok) { shown += 1; }
    });
    status.textContent = "Showing " + shown + " of " + cards.length + " claims.";
  }
  function reset() {
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    apply();
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
      apply();
    });
  });
  document.getElementById("filter-reset").addEventListener("click", reset);
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.hidden) { reset(); el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", reveal);
  panel.hidden = false;
  apply();
})();
"""


def _filters_html(claims: list[dict]) -> str:
    def group(kind, legend, order, labels):
        counts = {}
        for c in claims:
            counts[c[kind]] = counts.get(c[kind], 0) + 1
        values = [v for v in order if v in counts] + sorted(v for v in counts if v not in order)
        btns = "".join(
            f'<button type="button" class="filter" data-filter="{kind}" data-value="{_e(v)}" aria-pressed="false">'
            f'{_e(labels.get(v, v))} <span class="n">({counts[v]})</span></button>' for v in values)
        return f'<fieldset><legend>{legend}</legend><div class="opts">{btns}</div></fieldset>'

    cats = {c: c.capitalize() for c in CATEGORY_ORDER}
    return ('<div id="filters" class="filters" hidden>'
            '<p class="muted">Press buttons to show only those claims; none pressed shows all.</p>'
            + group("verdict", "Verdict", VERDICT_ORDER, VERDICT_LABELS)
            + group("category", "Category", CATEGORY_ORDER, cats)
            + '<button type="button" class="reset" id="filter-reset">Show all claims</button>'
            '<p id="filter-status" role="status" aria-live="polite"></p></div>')


def _verdict_css() -> str:
    return "\n".join(f'.card[data-verdict="{v}"] {{ --vc: {VERDICT_COLORS[v]}; }}' for v in VERDICT_ORDER)


def reproduction_html(ds) -> str:
    """Each published analysis re-pooled from its trial rows: published vs ours, statistic by statistic."""
    from evidence_lib.review.reproduce import reproduce, reproducible_analyses

    ids = reproducible_analyses(ds) if len(ds.trial_data) else []
    if not ids:
        return '<p class="muted">No published analysis has its per-trial data in the data package yet.</p>'
    parts = []
    pr = ds.pooled_results.set_index("analysis_id")
    for aid in ids:
        try:
            rep = reproduce(ds, aid)
        except (ValueError, KeyError) as exc:
            parts.append(f'<p class="muted">{_e(aid)}: not re-pooled ({_e(exc)}).</p>')
            continue
        row = pr.loc[aid]
        src = _sources_by_id(ds).get(row["source_id"])
        where = ", ".join(x for x in (_s(_source_short(src)), _s(row.get("location"))) if x)
        link = f' (<a href="{_e(row.get("url"))}">page read</a>)' if _s(row.get("url")) else ""
        head = (f'<h3>{_e(row.get("description", aid))}</h3><p>{_e(where)}{link}. Re-pooled with {_e(rep.method)} '
                f'(Review Manager&#8217;s &#8220;IV, Random&#8221;) from {rep.ours.k} trials.</p>')
        trs = "".join(
            f'<tr><th scope="row">{_e(r.statistic)}</th><td>{r.published:g}</td><td>{r.ours:.4f}</td>'
            f'<td>{r.difference:+.4f}</td><td>{"yes" if r.agrees_to_rounding else "<strong>no</strong>"}</td></tr>'
            for r in rep.to_frame().itertuples(index=False))
        table = (f'<div class="table-wrap" role="region" aria-label="Reproduction of {_e(aid)}" tabindex="0"><table class="repro"><caption>Published and re-pooled statistics</caption>'
                 '<thead><tr><th scope="col">Statistic</th><th scope="col">Published</th><th scope="col">Ours</th>'
                 '<th scope="col">Difference</th><th scope="col">Same to printed rounding</th></tr></thead>'
                 f'<tbody>{trs}</tbody></table></div>')
        parts.append(f'<div class="reproduction">{head}{table}<p>{_e(rep.summary())}</p></div>')
    return "\n".join(parts)


def report_html(ds, *, alt_text: Mapping | None = None, reviews: list[dict] | None = None) -> str:
    """The whole claim-review page as one self-contained HTML string."""
    claims = _claims(ds)
    sources = _sources_by_id(ds)
    check = _checker()
    reviews = claim_reviews(ds) if reviews is None else reviews
    title = ds.article.title
    date = review_date(ds)
    author = review_author(ds).get("name", DEFAULT_AUTHOR)
    counts = {}
    for c in claims:
        counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    count_items = "".join(f"<li>{verdict_badge(v)} <span>{counts[v]}</span></li>" for v in VERDICT_ORDER if v in counts)
    figs = figures_html(ds, alt_text)
    score = scorecard_html(ds)
    cards = "\n".join(claim_card_html(ds, c, sources, check) for c in claims)
    toc = [("summary", "Summary"), ("findings", "Summary of findings"), ("figures", "Figures"),
           ("reproduction", "Reproduction"), ("article", "The article"), ("claims", "Claims")]
    if score:
        toc.append(("scorecard", "Scorecard"))
    toc.append(("about", "About this review"))
    toc_html = "".join(f'<li><a href="#{i}">{_e(t)}</a></li>' for i, t in toc)
    rating_doc = "; ".join(f"{VERDICT_LABELS[v]} {RATING_VALUES[v] if RATING_VALUES[v] is not None else '(no number)'}"
                           for v in reversed(VERDICT_ORDER[:-1])) + "; Not checkable: no numeric rating"
    reviewed = f"Reviewed {_e(date)} by {_e(author)}." if date else f"Reviewed by {_e(author)}."
    n_src = len(ds.sources)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Claim review: {_e(title)}</title>
<meta name="description" content="The {len(claims)} claims of the article &#8220;{_e(title)}&#8221; set beside the evidence.">
<style>{_CSS}{_verdict_css()}
</style>
<script type="application/ld+json">
{_json_for_script(reviews)}
</script>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="site"><div class="wrap">
<h1>Claim review: &#8220;{_e(title)}&#8221;</h1>
<p>{len(claims)} claims checked against {n_src} sources. {reviewed}</p>
<nav class="toc" aria-label="Contents"><ul>{toc_html}</ul></nav>
</div></header>
<main id="main" class="wrap" tabindex="-1">
<section id="summary" aria-labelledby="summary-heading"><h2 id="summary-heading">Summary</h2>
<p>Verdicts over the article's {len(claims)} claims:</p>
<ul class="counts">{count_items}</ul>
</section>
<section id="findings" aria-labelledby="sof-heading"><h2 id="sof-heading">Summary of findings</h2>
{summary_of_findings_html(ds)}
</section>
<section id="figures" aria-labelledby="figures-heading"><h2 id="figures-heading">Figures</h2>
{figs}
</section>
<section id="reproduction" aria-labelledby="reproduction-heading"><h2 id="reproduction-heading">A published estimate, reproduced</h2>
{reproduction_html(ds)}
</section>
<section id="article" aria-labelledby="article-heading"><h2 id="article-heading">The article, with its claims marked</h2>
<p class="muted">Each marked passage links to its claim card; the coloured underline shows the verdict.</p>
<div class="article-text">
{highlight_article_html(ds, link_prefix="#claim-")}
</div>
</section>
<section id="claims" aria-labelledby="claims-heading"><h2 id="claims-heading">Claims</h2>
{_filters_html(claims)}
<div class="cards">
{cards}
</div>
</section>
{score}
<section id="about" aria-labelledby="about-heading"><h2 id="about-heading">About this review</h2>
<p>Verdicts and GRADE certainty are the reviewers' judgments from the sources linked on each card. Rows marked
<span class="unverified-tag">unverified</span> have not yet been confirmed on the source page by a second reader.</p>
<p>Machine-readable exports beside this file: <a href="claimreview.jsonld">claimreview.jsonld</a> (schema.org ClaimReview;
rating 1 to 5: {_e(rating_doc)}), <a href="references.json">references.json</a> (CSL-JSON) and
<a href="references.bib">references.bib</a> (BibTeX).</p>
</section>
</main>
<footer><div class="wrap">Generated by evidence_lib from data package version {_e(ds.descriptor.get("version", ""))}.
This page works offline: it loads nothing from the network.</div></footer>
<script>{_JS}</script>
</body>
</html>
"""


def write_report(ds, out_dir, *, alt_text=None, progress: bool = True, stream=None) -> list[Path]:
    """Write the claim-review report and its exports into ``out_dir``.

    Parameters
    ----------
    ds : Dataset
    out_dir : path
        Folder receiving ``claim-review.html``, ``claimreview.jsonld``,
        ``references.json`` and ``references.bib`` (created if needed).
    alt_text : mapping, optional
        Figure name -> alt text (as computed by ``evidence build``); figures not in it
        get their registry ``describe(ds)``.
    progress : bool
        Print one line per file written.
    stream : file, optional
        Where progress goes (default stderr).

    Returns
    -------
    list of Path
        The files written, in :data:`REPORT_FILES` order.
    """
    stream = stream or sys.stderr
    out = Path(out_dir)
    reviews = claim_reviews(ds)
    contents = {
        "claim-review.html": report_html(ds, alt_text=alt_text, reviews=reviews),
        "claimreview.jsonld": _json(reviews),
        "references.json": _json(csl_items(ds)),
        "references.bib": bibtex(ds),
    }
    paths = []
    for i, name in enumerate(REPORT_FILES, 1):
        paths.append(atomic_write_text(out / name, contents[name]))
        if progress:
            print(f"[report {i}/{len(REPORT_FILES)}] {out.name}/{name}", file=stream, flush=True)
    return paths
