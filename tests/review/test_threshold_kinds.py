"""A trial's design target is never called a minimal clinically important difference (rr3 H4),
and each Summary of Findings row names the evidence it rests on (rr3 M1).

Thomas 2005 (the York HTA report) powered the trial to detect 10 points on SF-36 bodily pain;
thresholds.csv says so in its notes, and its kind is ``design_target``.
"""

import pytest

from evidence_lib.dataset.loader import load
from evidence_lib.output.figure_data import band_for
from evidence_lib.output.summary import sof_rows
from evidence_lib.review import relevance as rel
from evidence_lib.review.checks import check
from evidence_lib.vocab import THRESHOLD_BAND_PHRASES, THRESHOLD_KIND_LABELS, THRESHOLD_KIND_PHRASES, THRESHOLD_KINDS

MCID_WORDS = "minimal clinically important difference"


@pytest.fixture(scope="module")
def ds():
    return load()


def test_every_kind_has_its_words_once():
    assert set(THRESHOLD_KIND_LABELS) == set(THRESHOLD_KIND_PHRASES) == set(THRESHOLD_BAND_PHRASES) == set(THRESHOLD_KINDS)
    for kind in ("design_target", "smd_convention", "mcid_within_patient"):
        assert MCID_WORDS not in THRESHOLD_KIND_PHRASES[kind] + THRESHOLD_BAND_PHRASES[kind]


def test_the_york_power_target_is_a_design_target(ds):
    row = ds.thresholds.set_index("threshold_id").loc["thomas2005-power-sf36bp"]
    assert "design assumption" in row["notes"]
    assert row["kind"] == "design_target"
    trow, text = rel.threshold_for(ds.thresholds, "MD", "SF-36 bodily pain 0-100")
    assert trow["threshold_id"] == "thomas2005-power-sf36bp"
    assert MCID_WORDS not in text
    assert "difference of 10 points the trial was designed to detect" in text and "not an established MCID" in text


def test_no_design_target_is_called_an_mcid_in_sof_cards_or_bands(ds):
    rows = [r for r in sof_rows(ds) if "Thomas 2005" in r["importance"]]
    assert rows, "the usual-care long-term row is judged against the York target"
    for r in rows:
        assert MCID_WORDS not in r["importance"] and "designed to detect" in r["importance"]
    for cid in ("C15", "C24"):
        msgs = [f.message for f in check(ds, cid).findings if "Thomas 2005" in f.message]
        assert msgs
        assert not any(MCID_WORDS in m for m in msgs)
    band = band_for(ds, "MD", ["SF-36 bodily pain 0-100"])
    assert "designed to detect" in band.text and MCID_WORDS not in band.text


def test_every_sof_row_names_its_source(ds):
    rows = sof_rows(ds)
    assert all(r["source"] for r in rows)
    by_effect = {r["effect"].split(" (")[0]: r["source"] for r in rows}
    assert any(s.startswith("review: Manheimer 2005") for s in by_effect.values())
    assert any(s.startswith("trial: Thomas 2006") for s in by_effect.values())
    assert any(s.startswith("review: Furlan") and "Analysis 5.1" in s for s in by_effect.values())
