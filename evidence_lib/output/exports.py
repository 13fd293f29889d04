"""The report's machine-readable exports: schema.org ClaimReview (JSON-LD), CSL-JSON and BibTeX.

Verdict -> ClaimReview rating
-----------------------------
``reviewRating`` uses a 1-5 scale (``worstRating`` 1, ``bestRating`` 5) with the verdict
label as ``alternateName``: contradicted 1, unsupported 2, overstated 3, supported with
caveats 4, supported 5. A *not checkable* claim gets no ``ratingValue`` at all (a number
would pretend to a judgment we did not make); its rating carries only ``alternateName``
"Not checkable" (and the scale), which schema.org allows.

Every URL written here passes :func:`evidence_lib.output.links.safe_url`; one that fails
is left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from evidence_lib.output.cells import cell_text, records
from evidence_lib.output.links import card_id, doi_url, safe_url
from evidence_lib.review.ledger import VERDICT_LABELS, stated_caveats

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


def review_date(ds) -> str | None:
    """The review date from the descriptor (``"review_date"``), never the clock.

    Parameters
    ----------
    ds : Dataset
        Anything with a ``descriptor`` mapping.

    Returns
    -------
    str or None
        ISO ``YYYY-MM-DD``, or None when the descriptor has no date.

    Raises
    ------
    ValueError
        If ``review_date`` is present but not ``YYYY-MM-DD``.
    """
    d = ds.descriptor.get("review_date")
    if d is None:
        return None
    if not isinstance(d, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", d):
        raise ValueError(f"datapackage.json review_date must be YYYY-MM-DD, got {d!r}")
    return d


def review_author(ds) -> dict:
    """The reviewing organisation as a schema.org ``Organization``.

    Parameters
    ----------
    ds : Dataset
        Its descriptor's ``"review_author"`` is a name or a schema.org dict (keys sorted
        into the result); absent, :data:`DEFAULT_AUTHOR`.

    Returns
    -------
    dict
    """
    a = ds.descriptor.get("review_author") or DEFAULT_AUTHOR
    if isinstance(a, Mapping):
        out = {"@type": "Organization"}
        out.update({k: a[k] for k in sorted(a)})
        return out
    return {"@type": "Organization", "name": str(a)}


def claim_reviews(ds, *, page: str = "claim-review.html") -> list[dict]:
    """One schema.org ClaimReview per claim, in article order.

    Parameters
    ----------
    ds : Dataset
    page : str
        The report's file name, the base of each review's ``url`` unless the descriptor
        gives an http(s) ``"report_url"``.

    Returns
    -------
    list of dict
        ``url`` and ``@id`` point at the claim's card (``<base>#claim-Cxx``); ``reviewBody`` is
        the rationale followed by the caveats the reviewers state (``claims.caveats``). The article's
        ``url`` (descriptor resource ``article``) is kept only if it passes
        :func:`~evidence_lib.output.links.safe_url`; so is ``report_url``.
    """
    base = safe_url(ds.descriptor.get("report_url")) or page
    date = review_date(ds)
    author = review_author(ds)
    art_meta = next((r for r in ds.descriptor.get("resources", []) if r.get("name") == "article"), {})
    appearance = {"@type": "CreativeWork", "name": ds.article.title}
    article_url = safe_url(art_meta.get("url"))
    if article_url:
        appearance["url"] = article_url
    out = []
    for c in records(ds.claims, sort_by=("start", "claim_id")):
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
            "reviewBody": " ".join([c["rationale"] or ""] + stated_caveats(c)).strip(),
            "reviewRating": rating,
            "itemReviewed": {"@type": "Claim", "appearance": appearance},
            "author": author,
        }
        if date:
            item["datePublished"] = date
        out.append(item)
    return out


def json_text(obj) -> str:
    """``obj`` as the exports write JSON: UTF-8 text, keys sorted, indent 2, final newline.

    Parameters
    ----------
    obj : JSON-serialisable object

    Returns
    -------
    str
    """
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --------------------------------------------------------------------------- bibliography

_INITIALS = re.compile(r"^(?P<family>.+?)\s+(?P<given>[A-Z][A-Za-z\-]{0,3})$")


def _author_parts(row: dict) -> dict:
    """CSL name: 'Smith J' -> family/given; an issuing body (or a guideline) -> literal."""
    name = cell_text(row.get("first_author")).strip()
    m = _INITIALS.match(name)
    if row.get("design") == "guideline" or not m:
        return {"literal": name}
    given = ". ".join(m["given"]) + "." if m["given"].isupper() else m["given"]
    return {"family": m["family"], "given": given}


def source_url(row: dict) -> str | None:
    """The link for a source: its DOI's URL, else its ``url`` if http(s).

    Parameters
    ----------
    row : dict
        A row of the sources table.

    Returns
    -------
    str or None
    """
    return doi_url(row.get("doi")) or safe_url(row.get("url"))


def csl_items(ds) -> list[dict]:
    """The sources as CSL-JSON items, sorted by ``source_id``.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    list of dict
        Guidelines are ``report`` (the journal column is the publisher); everything else
        is ``article-journal``. Only the first author is recorded (the sources table has
        no more). PMID goes to the CSL ``PMID`` variable and to ``note``; ``URL`` is
        :func:`source_url` (left out when there is none).
    """
    items = []
    for r in records(ds.sources, sort_by=("source_id",)):
        guideline = r.get("design") == "guideline"
        it = {"id": r["source_id"], "type": "report" if guideline else "article-journal",
              "title": cell_text(r["title"]), "author": [_author_parts(r)]}
        if cell_text(r.get("year")):
            it["issued"] = {"date-parts": [[int(r["year"])]]}
        if r.get("journal"):
            it["publisher" if guideline else "container-title"] = cell_text(r["journal"])
        for src, dst in (("volume", "volume"), ("issue", "issue"), ("pages", "page")):
            if r.get(src):
                it[dst] = cell_text(r[src])
        if r.get("doi"):
            it["DOI"] = r["doi"]
        if cell_text(r.get("pmid")):
            it["PMID"] = cell_text(r["pmid"])
            it["note"] = f"PMID: {cell_text(r['pmid'])}"
        url = source_url(r)
        if url:
            it["URL"] = url
        items.append(it)
    return items


_BIB_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def bibtex_escape(text) -> str:
    """Escape TeX specials so a BibTeX field is literal text.

    Parameters
    ----------
    text : object
        A cell (missing gives ``''``).

    Returns
    -------
    str
        ``\\ { } & % $ # _ ^ ~`` replaced by their TeX spellings.
    """
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in cell_text(text))


def _bib_verbatim(text) -> str:
    """URL/DOI fields are read verbatim: only unbalanced braces could break them."""
    return cell_text(text).replace("{", "%7B").replace("}", "%7D")


def bibtex(ds) -> str:
    """The sources as BibTeX: one entry per source, key = ``source_id``, sorted.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    str
        Guidelines are ``@techreport`` (journal -> ``institution``), the rest ``@article``.
    """
    out = []
    for r in records(ds.sources, sort_by=("source_id",)):
        guideline = r.get("design") == "guideline"
        a = _author_parts(r)
        if "literal" in a:
            author = "{" + bibtex_escape(a["literal"]) + "}"
        else:
            author = bibtex_escape(f"{a['family']}, {a['given']}") + " and others"
        fields = [("author", author), ("title", "{" + bibtex_escape(r["title"]) + "}")]
        if cell_text(r.get("year")):
            fields.append(("year", str(int(r["year"]))))
        if r.get("journal"):
            fields.append(("institution" if guideline else "journal", bibtex_escape(r["journal"])))
        for src, dst in (("volume", "volume"), ("issue", "number"), ("pages", "pages")):
            if r.get(src):
                fields.append((dst, bibtex_escape(r[src])))
        if r.get("doi"):
            fields.append(("doi", _bib_verbatim(r["doi"])))
        if cell_text(r.get("pmid")):
            fields.append(("pmid", cell_text(r["pmid"])))
            fields.append(("note", f"PMID: {cell_text(r['pmid'])}"))
        url = source_url(r)
        if url:
            fields.append(("url", _bib_verbatim(url)))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        out.append(f"@{'techreport' if guideline else 'article'}{{{r['source_id']},\n{body}\n}}\n")
    return "\n".join(out)
