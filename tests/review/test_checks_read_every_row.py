"""The claim checks read every linked row, so no caveat contradicts the card's own evidence.

Cases from the bundled data (reader review rr3, H3): C28 (all three studies are after back
surgery), C14 (the card also shows Vickers 2012 against no acupuncture and the network with
conventional therapy) and C31 (MacPherson 2005 gives its timing in words).
"""

import pytest

from evidence_lib.dataset.loader import load
from evidence_lib.output.check_words import card_checks
from evidence_lib.review.checks import check
from evidence_lib.review.evidence_kinds import evidence_rows


@pytest.fixture(scope="module")
def ds():
    return load()


def _caveats(ds, cid):
    c = check(ds, cid)
    return card_checks([{"status": f.severity, "kind": f.kind, "message": f.message} for f in c.findings])


def test_c28_post_surgical_studies_are_not_called_another_population(ds):
    ev = evidence_rows(ds, "C28")
    assert set(ev["source_id"]) == {"cho2015", "heo2018", "shin2022"}
    assert set(ev["subjects"]) == {"post-surgical patients"}
    pop = [f for f in check(ds, "C28").findings if f.kind == "population"]
    assert pop and {f.severity for f in pop} == {"ok"}
    text = " ".join(_caveats(ds, "C28")["caveats"] + _caveats(ds, "C28")["notes"])
    assert "none studied" not in text and "acupuncture patients" not in text


def test_c14_comparator_caveat_names_the_other_comparisons_on_the_card(ds):
    found = [f for f in check(ds, "C14").findings if f.kind == "comparator" and f.frame_id == "C14.2"]
    assert len(found) == 1
    msg = found[0].message
    # the verdict rests on the sham row: still a mismatch, but the message is true of the card
    assert found[0].severity == "mismatch"
    assert "compares with sham acupuncture only" not in msg
    # Vickers 2012 is what the verdict rests on: named as such, not as one of the other results
    assert "Vickers 2012, the study they come from, also compares with no acupuncture" in msg
    assert "of the other results shown, Vickers 2012" not in msg
    assert "network meta-analysis of short-term pain includes trials against conventional therapy" in msg
    caveats = " ".join(_caveats(ds, "C14")["caveats"])
    assert "the evidence it rests on compares with sham acupuncture only" not in caveats
    assert "conventional therapy" in caveats


def test_analysis_rows_carry_their_trials_comparators(ds):
    ev = evidence_rows(ds, "C14").set_index("key")
    comps = set(ev.at["analyses:network-pain-short", "comparators"].split("; "))
    assert {"sham", "conventional_therapy"} <= comps
    assert ev.at["effects:vickers2012-bnp-noacu", "comparators"] == "no_treatment"


def test_c31_timing_in_words_is_not_called_missing(ds):
    ev = evidence_rows(ds, "C31")
    assert "adverse_events:macpherson2005-negative-local" in set(ev["key"])
    horizon = [f for f in check(ds, "C31").findings if f.kind == "time_horizon"]
    assert horizon and {f.severity for f in horizon} == {"info"}
    out = _caveats(ds, "C31")
    assert not any("when the effect was measured" in s for s in out["caveats"] + out["notes"])
    assert not any("not checked" in s for s in out["caveats"])  # a note for reviewers, not a caveat
    assert any("not checked automatically" in s for s in out["notes"])
