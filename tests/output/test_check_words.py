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


def test_the_population_caveat_says_what_the_mismatch_is(ds):
    """Reader review (C14/C26): results from another population speak to the claim only indirectly; the
    claim's own population among the other results shown is not offered as reassurance."""
    for cid in ("C14", "C26"):
        (pop,) = [c for c in _caveats(ds, cid)["caveats"] if c.startswith("The claim is about chronic low back pain")]
        assert pop.startswith("The claim is about chronic low back pain, but the results it rests on are in back "
                              "and neck pain (Vickers 2012): a different population from the one the claim names, "
                              "so they speak to it only indirectly."), pop
        assert "and some other results shown are in" not in pop, pop
        assert pop.endswith("Some other results shown are in chronic low back pain, but the claim does not rest "
                            "on them."), pop
    # every other result in the claimed population: 'the other results', not 'some'
    text = reader_sentence("population", "a claim about office workers; the evidence is in chronic low back pain "
                                         "(Purepong 2015); other results shown are in office workers")
    assert text == ("The claim is about office workers, but the results it rests on are in chronic low back pain "
                    "(Purepong 2015): a different population from the one the claim names, so they speak to it only "
                    "indirectly. The other results shown are in office workers, but the claim does not rest on them.")


def _caveat_blocks(page):
    """{claim id: (the verdict's label on the card, the items of its Caveats block, [] if none)}."""
    out = {}
    for card in _cards(page):
        cid = re.search(r'id="claim-(C\d+)"', card).group(1)
        label = visible_text(re.search(r'<span class="badge[^"]*".*?</span></span>', card, flags=re.S).group(0))
        block = re.search(r'<section class="card-checks">(.*?)</section>', card, flags=re.S)
        found = [] if block is None else re.findall(r'<p class="caveat">(.*?)</p>|<li>(.*?)</li>', block.group(1))
        items = [visible_text(one or many).strip() for one, many in found]
        out[cid] = (label.strip(), items)
    return out


def test_every_card_with_caveats_lists_them(ds, page):
    """Reader review: a verdict 'with caveats' comes with a Caveats block naming at least one, in words."""
    blocks = _caveat_blocks(page)
    with_caveats = {cid: items for cid, (label, items) in blocks.items() if "with caveats" in label}
    assert set(with_caveats) == set(ds.claims.loc[ds.claims["verdict"] == "supported_with_caveats", "claim_id"])
    assert {"C02", "C13", "C17", "C18", "C31", "C35"} <= set(with_caveats)  # the cards the review found without one
    for cid, items in with_caveats.items():
        assert items and all(len(t.split()) >= 5 and t.endswith(".") for t in items), (cid, items)
        for t in items:  # no claim or frame id, no code, no severity word
            assert not re.search(r"\bC\d{2}(?:\.\d+)?\b", t) and "_" not in t and not _check_codes(t), (cid, t)


def test_stated_caveats_are_not_repeated_in_the_why(ds, page):
    """Each caveat the reviewers state is written once: in the Caveats block, not again in the Why."""
    from evidence_lib.review.ledger import stated_caveats

    stated = {r["claim_id"]: stated_caveats(r) for r in ds.claims.to_dict("records")}
    assert sum(map(len, stated.values())) >= 6
    cards = {re.search(r'id="claim-(C\d+)"', c).group(1): c for c in _cards(page)}
    blocks = _caveat_blocks(page)
    for cid, caveats in stated.items():
        why = visible_text(re.search(r'<div class="rationale">(.*?)</div>', cards[cid], flags=re.S).group(1))
        items = blocks[cid][1]
        for t in caveats:
            assert t[:40] not in ds.claim(cid)["rationale"], (cid, t)
            assert t in items, (cid, t, items)
            assert t[:40] not in why, (cid, t)


def test_c14_caveats_do_not_call_its_own_basis_other_results(ds, page):
    """Reader review (C14): the claim rests on Vickers 2012, so Vickers 2012 is not among the 'other results'."""
    from evidence_lib.review.views import source_labels

    links = ds.claim_evidence
    basis = links[(links["claim_id"] == "C14") & (links["role"] == "supports")]
    effects = ds.effects.set_index("effect_id")
    labels = source_labels(ds)
    own = {labels[effects.at[r, "source_id"]] for r in basis.loc[basis["table"] == "effects", "row_id"]}
    assert own == {"Vickers 2012"}  # what the card's first caveat names as the basis
    items = _caveat_blocks(page)["C14"][1]
    clauses = [c for t in items for c in re.findall(r"other results shown[^;.]*", t)]
    assert clauses, items
    for clause in clauses:
        assert not any(label in clause for label in own), clause
    # the basis's own further comparison is still named, as the basis's
    assert any("Vickers 2012, the study they come from, also compares with no acupuncture" in t for t in items), items
