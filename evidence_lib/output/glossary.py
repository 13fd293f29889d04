"""The report's "Words and abbreviations": each term the page uses, defined once.

The definitions live in data, not here: the library's statistical terms in
:data:`evidence_lib.vocab.GLOSSARY`, the review's own abbreviations and jargon in the
descriptor's ``review.glossary`` (read by :func:`evidence_lib.review.labels.review_labels`).
This module only picks the terms a page's text uses and puts them in reading order.
"""

from __future__ import annotations

import html.parser
import re

from evidence_lib.review.labels import review_labels
from evidence_lib.vocab import GLOSSARY

__all__ = ["glossary_terms", "page_text", "term_pattern", "used_terms"]


def glossary_terms(ds) -> dict[str, str]:
    """Every term the report may define: the library's, then the review's (which win on a clash).

    Parameters
    ----------
    ds : Dataset
        A loaded data package (its descriptor's ``review.glossary`` is read).

    Returns
    -------
    dict
        Term -> definition.
    """
    return {**GLOSSARY, **review_labels(ds)["glossary"]}


def term_pattern(term: str) -> re.Pattern:
    """How a term is found in text: whole word, a plural ``s`` allowed, space, hyphen and en dash alike.

    Parameters
    ----------
    term : str
        A glossary term ("CI", "random effects", "P-score", "IL").

    Returns
    -------
    re.Pattern
        Case-sensitive for an abbreviation (a term with two or more capitals), else not. A
        term may be followed by a hyphen ("IL-6", "GRADE-rated") but not by a letter or digit.
    """
    words = [re.escape(w) for w in re.split("[ \\-\u2013]", term)]
    body = "[ \\-\u2013]".join(words)
    flags = 0 if sum(c.isupper() for c in term) >= 2 else re.IGNORECASE
    return re.compile(rf"(?<![\w\-]){body}s?(?![^\W_])", flags)


class _Text(html.parser.HTMLParser):
    """The text of a page outside head, script, style, svg and the glossary itself."""

    SKIP = {"head", "script", "style", "svg", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.parts, self.in_glossary = 0, [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.in_glossary:
            self.in_glossary += tag == "section"
        elif tag == "section" and attrs.get("id") == "glossary":
            self.in_glossary = 1
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.depth -= 1
        if self.in_glossary and tag == "section":
            self.in_glossary -= 1

    def handle_data(self, data):
        if self.depth == 0 and not self.in_glossary:
            self.parts.append(data)


def page_text(page: str) -> str:
    """The words a reader sees on a page, without its glossary section (``<section id="glossary">``).

    Parameters
    ----------
    page : str
        HTML.

    Returns
    -------
    str
    """
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


def used_terms(text: str, terms: dict[str, str]) -> list[dict]:
    """The terms a text uses, in alphabetical order (case and symbols aside).

    Parameters
    ----------
    text : str
        The page's words (:func:`page_text`).
    terms : dict
        Term -> definition (:func:`glossary_terms`).

    Returns
    -------
    list of dict
        ``{"term", "definition"}`` per term found by :func:`term_pattern`.
    """
    found = [t for t in terms if term_pattern(t).search(text)]
    order = sorted(found, key=lambda t: (re.sub(r"[^a-z0-9]", "", t.lower()) or t, t))
    return [{"term": t, "definition": terms[t]} for t in order]
