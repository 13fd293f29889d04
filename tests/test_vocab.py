"""The vocabulary in evidence_lib.vocab is the descriptor's: every enum, and a label for every code."""

from __future__ import annotations

import json
import math

import pytest

from evidence_lib import vocab
from evidence_lib.meta.effect_sizes import from_ci

from tests.conftest import DATA

DESCRIPTOR = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))


def _enum(table, field):
    res = next(r for r in DESCRIPTOR["resources"] if r["name"] == table)
    f = next(f for f in res["schema"]["fields"] if f["name"] == field)
    return tuple(f["constraints"]["enum"])


@pytest.mark.parametrize("table, field, ours", [
    ("claims", "verdict", vocab.VERDICT_ORDER),
    ("claims", "category", vocab.CATEGORY_ORDER),
    ("claims", "certainty", vocab.CERTAINTY_ORDER),
    ("effects", "measure", vocab.MEASURES),
    ("effects", "favours", vocab.FAVOURS),
    ("effects", "comparator_class", vocab.COMPARATOR_CLASSES),
    ("effects", "outcome", vocab.OUTCOMES),
    ("effects", "term", vocab.TERMS),
    ("arms", "arm", vocab.ARMS),
    ("thresholds", "kind", vocab.THRESHOLD_KINDS),
    ("grade", "domain", vocab.GRADE_DOMAINS),
    ("grade", "judgment", vocab.GRADE_JUDGMENTS),
    ("scorecard", "judgment", vocab.SCORECARD_JUDGMENTS),
    ("claim_evidence", "table", vocab.EVIDENCE_TABLES),
    ("adverse_events", "attribution", vocab.AE_ATTRIBUTIONS),
])
def test_vocabulary_matches_the_descriptor(table, field, ours):
    assert set(_enum(table, field)) == set(ours)


@pytest.mark.parametrize("codes, labels", [
    (vocab.VERDICT_ORDER, vocab.VERDICT_LABELS), (vocab.VERDICT_ORDER, vocab.VERDICT_COLORS),
    (vocab.CERTAINTY_ORDER, vocab.CERTAINTY_LABELS), (vocab.CERTAINTY_ORDER, vocab.CERTAINTY_SYMBOLS),
    (vocab.MEASURES, vocab.MEASURE_LABELS), (vocab.OUTCOMES, vocab.OUTCOME_LABELS), (vocab.TERMS, vocab.TERM_LABELS),
    (vocab.THRESHOLD_KINDS, vocab.THRESHOLD_KIND_LABELS), (vocab.GRADE_DOMAINS, vocab.GRADE_DOMAIN_LABELS),
    (vocab.SCORECARD_JUDGMENTS, vocab.SCORECARD_JUDGMENT_LABELS),
    (vocab.ANALYSES, vocab.ANALYSIS_LABELS), (vocab.ANALYSES, vocab.ANALYSIS_ANCHORS),
    (vocab.AE_ATTRIBUTIONS, vocab.AE_ATTRIBUTION_LABELS),
])
def test_every_code_has_a_label(codes, labels):
    assert set(codes) <= set(labels)


def test_ratio_measures_are_measures():
    assert vocab.RATIO_MEASURES <= set(vocab.MEASURES)


@pytest.mark.parametrize("measure", sorted(vocab.RATIO_MEASURES))
def test_every_ratio_measure_goes_to_the_log_scale(measure):
    """The data package's name for a ratio works in the engine (it once returned 1.5 for ratio_of_means)."""
    es = from_ci([1.5], [1.2], [1.9], measure=measure)
    assert es.yi[0] == pytest.approx(math.log(1.5))
