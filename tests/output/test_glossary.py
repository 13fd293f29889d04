"""M12: the page defines, once, every abbreviation and technical word it uses.

Definitions are data: the library's statistical terms in ``vocab.GLOSSARY``, the review's
own in the descriptor's ``review.glossary``. The test reads the page's words (without its
glossary) and fails on an abbreviation that is neither defined nor a proper name listed in
:data:`NAMES` with its reason.
"""

from __future__ import annotations

import re

import pytest

from evidence_lib import vocab
from evidence_lib.output import report
from evidence_lib.output.glossary import glossary_terms, page_text, term_pattern, used_terms
from evidence_lib.review.labels import review_labels

#: Capitalised tokens that are names, not abbreviations a reader needs spelt out, and why.
NAMES = {
    "PubMed": "the literature database, named on its links", "PMC": "PubMed Central, named on its links",
    "MEDLINE": "a database named by a source", "BMJ": "a journal's name", "JAMA": "a journal's name",
    "GERAC": "a trial's name", "ART": "a trial's name", "ARC": "a trial's name",
    "GRADEpro": "the software the Summary of findings imitates", "HealthNewsReview": "an organisation's name",
    "ClaimReview": "an export format's name", "CSL-JSON": "an export format's name",
    "BibTeX": "an export format's name", "MacPherson": "a surname", "DerSimonian": "a surname",
    "EurekAlert": "a news service's name", "UK": "a country", "US": "a country", "USA": "a country",
    "FHT": "an organisation's name, on a secondary report's link",
    "SL": "a guideline's own label for a recommendation, explained where it is quoted",
}
#: An abbreviation: two or more capitals (digits and hyphens allowed after), or a capital plus
#: superscript two; a plural "s" is allowed.
ABBREVIATION = re.compile(r"(?<![\w\-])([A-Z][A-Za-z]*[A-Z][A-Za-z0-9\-]*)(?![\w])")
#: A citation's author initials ("Furlan AD", "de Carvalho RC") and identifiers (DOIs, CD numbers).
INITIALS = re.compile(r"\b[A-Z][a-z\u00e0-\u00ff]+(?:-[A-Z][a-z]+)? [A-Z]{1,3}(?=\s*[(\d,;.])")
IDENTIFIERS = re.compile(r"doi:\S+|\b(?:CD|NG)\d+\b|\bPMC\d+\b")


@pytest.fixture(scope="module")
def page(ds):
    return report.report_html(ds)


def _abbreviations(text: str) -> set[str]:
    text = IDENTIFIERS.sub(" ", INITIALS.sub(" ", text))
    tokens = {m.group(1).rstrip("-") for m in ABBREVIATION.finditer(text)}
    return {t[:-1] if re.fullmatch(r"[A-Z]{2,}s", t) else t for t in tokens}  # a plural: RCTs, NSAIDs


def _defined(token: str, terms: dict) -> bool:
    """A term matches the token, or the token opens a term ("IV" of "IV, Random")."""
    return any(term_pattern(t).match(token) or t.split(",")[0] == token for t in terms)


def test_the_scanner_finds_what_it_should():
    """A negative control: abbreviations are found; initials, identifiers and ordinary words are not."""
    found = _abbreviations("Pooled SMD from 3 RCTs (Furlan AD 2005, CD001351; doi:10.1097/01.BRS.1); "
                           "SF-36 and IL-6 rose; de Carvalho RC (2018) said so. Acupuncture.")
    assert found == {"SMD", "RCT", "SF-36", "IL-6"}
    terms = {"RCT": "x", "SF-36": "y", "IL": "z"}
    assert {t for t in found if not _defined(t, terms)} == {"SMD"}


def test_every_abbreviation_on_the_page_is_defined_or_a_name(ds, page):
    text = page_text(page)
    assert len(text) > 50_000
    terms = glossary_terms(ds)
    missing = sorted(t for t in _abbreviations(text) - set(NAMES) if not _defined(t, terms))
    assert not missing, f"abbreviations used but not in the glossary: {missing}"


def test_the_glossary_shows_the_terms_the_page_uses(ds, page):
    section = page[page.index('<section id="glossary"'):]
    section = section[:section.index("</section>")]
    shown = re.findall(r"<dt>(.*?)</dt>", section)
    for term in ("LBP", "VAS", "CPGS", "HFAQ", "SF-36", "SD", "SMD", "MD", "CI", "GRADE", "IV, Random",
                 "FE", "RE", "node-splitting", "P-score", "\u03c4\u00b2", "I\u00b2", "prior"):
        assert term in shown, term
    assert '<a href="#glossary">' in page  # linked from the contents
    # only terms the rest of the page uses
    text = page_text(page)
    assert all(term_pattern(t.replace("&#39;", "'")).search(text) for t in shown)
    assert len(shown) < len(glossary_terms(ds)) or len(shown) == len(set(shown))


def test_each_term_is_defined_once(ds):
    review = review_labels(ds)["glossary"]
    assert review and not set(review) & set(vocab.GLOSSARY)  # the review does not redefine the library's terms
    assert all(d.strip() and not d.endswith(".") for d in {**vocab.GLOSSARY, **review}.values())


def test_used_terms_and_patterns():
    terms = {"CI": "c", "random effects": "r", "IL": "i", "prior": "p"}
    text = "a random-effects model; IL-6 rose; sceptical priors; CIA"
    assert [t["term"] for t in used_terms(text, terms)] == ["IL", "prior", "random effects"]
    assert not term_pattern("CI").search("CIA ci")
