"""M3: the claim cards show the automated checks in readers' words.

Passed checks are hidden; warnings and mismatches are plain caveat sentences, and so are the
informational findings readers need (nothing could test the claim; no study found); the other
informational findings are reviewers' process notes, not shown on the page (rr4 finding 5); no
kind code ("subjects:", "frame:") and no severity word ("OK", "INFO", "warning") reaches a reader.
"""

from __future__ import annotations

import re

import pytest

from evidence_lib.output import report
from evidence_lib.output.check_words import card_checks, reader_sentence, sentence_rule
from evidence_lib.review.checks import KINDS, check

from tests.output.test_reader_words import visible_text

#: A kind code followed by a colon, as the checker's messages were once shown ("time horizon: ...").
KIND_PREFIX = re.compile(r"\b(?:" + "|".join(k.replace("_", "[ _]") for k in KINDS) + r"):", re.IGNORECASE)


@pytest.fixture(scope="module")
def page(ds):
    return report.report_html(ds)


@pytest.fixture(scope="module")
def findings(ds):
    return [f for cid in ds.claims["claim_id"] for f in check(ds, cid).findings]


def _cards(page):
    return re.findall(r'<article class="card".*?</article>', page, flags=re.S)


def test_every_finding_of_the_bundled_review_has_its_own_wording(findings):
    """No finding falls back to the checker's own message: each is reworded by a rule."""
    assert len(findings) > 50
    unworded = sorted({(f.kind, f.message) for f in findings if sentence_rule(f.kind, f.message) is None})
    assert not unworded, unworded


def test_reader_sentences_have_no_codes(findings):
    for f in findings:
        text = reader_sentence(f.kind, f.message)
        assert text[0].isupper() and text.endswith("."), text
        assert not KIND_PREFIX.search(text), text
        assert "_" not in text and "linked row" not in text and "'na'" not in text, text


def test_the_scanners_find_what_they_should():
    """Negative controls: the old wording is caught, the new is not."""
    assert KIND_PREFIX.search("ok subjects: the evidence comes from human studies")
    assert KIND_PREFIX.search("info clinical relevance: possibly important")
    assert not KIND_PREFIX.search("The claim is about pain, but the results shown are on function.")
    old = '<section class="card-checks"><ul><li><span class="check-status s-ok">ok</span> frame: x</li></ul></section>'
    assert _check_codes(visible_text(old))


def _check_codes(text: str) -> list[str]:
    return KIND_PREFIX.findall(text) + re.findall(r"(?m)^(?:ok|info|warning|mismatch)$", text, flags=re.I)


def test_the_page_hides_passed_checks_and_shows_caveats_in_words(page, findings):
    cards = _cards(page)
    checks = "\n".join(c[c.index('<section class="card-checks">'):] for c in cards if "card-checks" in c)
    text = visible_text(checks)
    assert not _check_codes(text), _check_codes(text)[:5]
    assert "check-status" not in page and "Automated checks" not in page
    # a passed check's wording does not appear; a warning's does
    passed = [f for f in findings if f.severity == "ok"]
    assert passed and not any(reader_sentence(f.kind, f.message) in text for f in passed)
    assert "Part of this evidence comes from studies in animals or healthy volunteers" in text
    assert text.count("Caveats") >= 10


def test_readers_see_no_reviewer_notes_and_do_see_why_nothing_was_checked(page):
    """rr4 finding 5: no 'for reviewers' block; the reader-relevant info findings are caveats."""
    assert "for reviewers" not in page and "check-notes" not in page
    cards = {re.search(r'id="claim-(C\d+)"', c).group(1): c for c in _cards(page)}
    for cid, words in (("C03", "Nothing could test this claim"), ("C20", "Nothing could test this claim"),
                       ("C25", "We found no study that measured this")):
        section = cards[cid][cards[cid].index('<section class="card-checks">'):]
        assert "<h4>Caveats</h4>" in section and words in section, cid
    # a process note (C31: the timing check did not run) stays off the page
    assert "was not checked automatically" not in visible_text(page)


def test_card_checks_sorts_by_severity_and_drops_repeats():
    found = [{"status": "ok", "kind": "outcome", "message": "x"},
             {"status": "warning", "kind": "outcome", "message": "a claim about pain; the rows are on function"},
             {"status": "warning", "kind": "outcome", "message": "a claim about pain; the rows are on function"},
             {"status": "info", "kind": "evidence", "message": "no study result is linked to this claim"},
             {"status": "info", "kind": "time_horizon",
              "message": "an immediate-term claim; the horizon was not checked: the results it rests on give no "
                         "timepoint in weeks"}]
    out = card_checks(found)
    assert out["caveats"] == ["The claim is about pain, but the results shown are on function.",
                              "We found no study that measured this."]
    assert len(out["notes"]) == 1 and "was not checked automatically" in out["notes"][0] and out["hidden"] == 1


def test_the_catch_all_outcome_is_said_in_words():
    """M8: the catch-all outcome code's label ("other outcomes") never reaches a caveat as a category name."""
    found = [{"status": "warning", "kind": "outcome", "message": "a claim about pain, other outcomes; the rows are on pain"}]
    (caveat,) = card_checks(found)["caveats"]
    assert "other outcomes" not in caveat and "an outcome that no result shown measures" in caveat


def _caveats(ds, cid):
    from evidence_lib.output.cards import check_findings

    return card_checks(check_findings(ds, cid, check))


def test_a_result_on_another_outcome_of_the_same_claim_is_not_a_mismatch(ds):
    """rr4 finding 6 (C28, C30): the claim covers two outcomes; results on one are not 'the wrong outcome'."""
    c28 = " ".join(_caveats(ds, "C28")["caveats"])
    assert "The claim also covers function; no result shown measures it." in c28
    assert "The claim is about function" not in c28
    c30 = " ".join(_caveats(ds, "C30")["caveats"])
    assert "The claim also covers 'promoting healing'; no result shown measures it." in c30
    assert "an outcome that no result shown measures, but" not in c30


def test_a_comparability_claim_is_not_contradicted_by_a_result_in_its_favour(ds):
    """rr4 finding 6 (C17): 'effectiveness' is read as response; a better result is 'at least as effective'."""
    out = _caveats(ds, "C17")
    words = " ".join(out["caveats"] + out["notes"])
    assert "The claim is about pain" not in words and "but the evidence shows a difference" not in words
    assert any("at least as effective" in n for n in out["notes"])


def test_population_caveats_name_each_source_population(ds):
    """rr4 finding 6 (C14/C26): Vickers' back-and-neck subgroup is not 'mixed chronic pain'; sources are named."""
    for cid in ("C14", "C26"):
        (pop,) = [c for c in _caveats(ds, cid)["caveats"] if c.startswith("The claim is about chronic low back pain")]
        assert "back and neck pain (Vickers 2012)" in pop and "mixed chronic pain" not in pop, pop
        assert "some other results shown are in chronic low back pain" in pop, pop
