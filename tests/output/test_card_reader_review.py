"""Claim cards and the Summary of Findings as a reader sees them (reader review items H1, H3, H4, M1, M3, M6, M18).

Truth comes from the data package's own CSV files read here with the csv module (the number of
trials a review pooled, the digits a source printed), never from the package's output.
"""

import csv
import re
from pathlib import Path

import pytest

from evidence_lib._values import printed_decimals
from evidence_lib.output import cards, cells, report, summary
from evidence_lib.output.cells import sources_by_id
from evidence_lib.review import relevance as rel
from evidence_lib.review.direction import effect_in_words
from evidence_lib.review.sof import summary_of_findings

DATA = Path(__file__).resolve().parents[2] / "data"
NUMBER = r"[\u2212-]?\d+(?:\.\d+)?"


def _csv(table):
    with open(DATA / f"{table}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def all_cards(ds):
    sources = sources_by_id(ds)
    return [cards.claim_card(ds, c, sources, check=None) for c in ds.claims.to_dict("records")]


def _rows(all_cards):
    return [r for c in all_cards for r in c["evidence"]]


# --------------------------------------------------------------------------- H1: pooled results are not "1 study"

def test_no_pooled_result_reads_as_one_study(ds, all_cards):
    design = {r["source_id"]: r["design"] for r in _csv("sources")}
    effects = {r["effect_id"]: r for r in _csv("effects")}
    pooled_rows = [r for r in _rows(all_cards) if r["row_id"] in effects
                   and design[effects[r["row_id"]]["source_id"]] in cards.POOLED_DESIGNS]
    assert len(pooled_rows) >= 10
    for r in pooled_rows:
        assert "1 study" not in r["n"], (r["row_id"], r["n"])
        assert "studies)" in r["n"] or cards.POOLED_K_NOT_STATED in r["n"], (r["row_id"], r["n"])


def test_a_pooled_result_gives_the_number_of_trials_the_review_pooled(all_cards):
    """Manheimer 2005 pooled 8 trials against no added treatment (pooled_results.csv, k)."""
    k = {r["analysis_id"]: r["k"] for r in _csv("pooled_results")}
    assert k["manheimer2005-notx-pain-short"] == "8"
    row = next(r for r in _rows(all_cards) if r["row_id"] == "manheimer2005-clbp-noadd-short")
    assert row["n"].endswith("(8 studies)")
    vickers = next(r for r in _rows(all_cards) if r["row_id"] == "vickers2012-bnp-sham")
    assert not next(r for r in _csv("pooled_results") if r["analysis_id"] == "vickers2012-backneck-sham")["k"]
    assert vickers["n"] == f"not reported ({cards.POOLED_K_NOT_STATED})"


def test_a_single_trial_is_still_one_study(all_cards):
    row = next(r for r in _rows(all_cards) if r["row_id"] == "witt2006-hfaq-3m")
    assert row["n"] == "3,093 (1 study)"


# --------------------------------------------------------------------------- H3: size, not above/below

def test_clinical_importance_is_worded_by_size(ds):
    sof = summary_of_findings(ds)
    judged = sof[sof["clinical_importance"].str.contains("estimate")]
    assert len(judged) >= 5
    for text in sof["clinical_importance"]:
        assert not re.search(r"\b(above|below)\b", text), text


def test_size_words_for_a_negative_smd_against_the_convention():
    # Manheimer 2005, sham: printed as 0.54 (0.35 to 0.73) with positive = less pain
    e, lo, hi = rel.to_benefit(0.54, 0.35, 0.73, "SMD", "positive")
    cat, below = rel.classify(e, lo, hi, 0.5)
    text = rel.size_text(cat, e, lo, hi, 0.5, threshold_text="0.5 SD convention", whole_ci_below=below)
    assert text == ("the estimate (0.54) is larger than the 0.5 SD convention; "
                    "the CI (0.35 to 0.73) includes smaller effects")


def test_a_ci_whose_favourable_end_prints_as_the_mcid_reaches_it():
    e, lo, hi = rel.to_benefit(-10.2138, -14.999987, -5.4276, "MD", "negative")  # computed, not printed
    cat, below = rel.classify(e, lo, hi, 15.0)
    assert (cat, below) == ("significant_but_below_mcid", True)
    text = rel.size_text(cat, e, lo, hi, 15.0, threshold_text="15-point MCID", whole_ci_below=below)
    assert text == "the estimate (10.2) is smaller than the 15-point MCID; the CI (5.4 to 15.0) reaches it at its favourable end"


def test_check_messages_on_the_cards_say_larger_or_smaller(ds):
    from evidence_lib.review.checks import check

    messages = [f.message for cid in ds.claims["claim_id"] for f in check(ds, cid).findings
                if f.kind == "clinical_relevance"]
    assert any("smaller than" in m or "larger than" in m for m in messages)
    for m in messages:
        assert not re.search(r"\b(above|below) (the|it)\b", m), m


# --------------------------------------------------------------------------- H4: responder words and order

def _natural(number, word):
    return float(number) * (1 if word in ("more", "better") else -1)


def test_interval_words_run_in_ascending_order(ds):
    sof = summary_of_findings(ds)
    checked = 0
    for effect in sof["effect"]:
        m = re.search(rf"\(({NUMBER}) (\w+) to ({NUMBER}) (\w+)\)", effect)
        if m and m.group(2) in ("more", "less", "fewer", "better", "worse"):
            assert _natural(m.group(1), m.group(2)) <= _natural(m.group(3), m.group(4)), effect
            checked += 1
    assert checked >= 8


def test_the_responder_row_says_more_responders_smaller_end_first(ds):
    haake = next(r for r in _csv("effects") if r["effect_id"] == "haake2007-resp-conv-26w")
    effect, signed = effect_in_words(float(haake["estimate"]), float(haake["ci_low"]), float(haake["ci_high"]),
                                     measure=haake["measure"], favours=haake["favours"], outcome="response",
                                     intervention="acupuncture")
    lo, hi = sorted(abs(float(haake[c])) for c in ("ci_low", "ci_high"))
    assert f"({lo:.1f} more to {hi:.1f} more)" in effect
    assert signed == f"+{float(haake['estimate']):.1f} ({lo:.1f} to {hi:.1f}) percentage points: " \
                     "more responders with acupuncture", signed
    row = summary_of_findings(ds).set_index("sof_id").loc["conventional-response-intermediate"]
    assert "more responders with acupuncture" in row["direction"]


# --------------------------------------------------------------------------- M18: timepoint

def test_the_timepoint_does_not_repeat_its_term(all_cards):
    for r in _rows(all_cards):
        tp = r["timepoint"]
        m = re.search(r"\((\w+) term\)$", tp)
        if m:
            assert m.group(1) + " term" not in tp[:m.start()].replace("-", " "), tp
    # rr4 finding 8: the window beside the term; a source's own use of the words is marked as the source's
    assert cells.timepoint_text("short term", "short") == "short term: over 1 to 13 weeks after randomisation"
    assert cells.timepoint_text("first short-term visit", "short") == "as the source defines it: first short-term visit"
    assert cells.timepoint_text("8 weeks", "short") == "8 weeks (short term: over 1 to 13 weeks after randomisation)"


# --------------------------------------------------------------------------- M6: one count of decimals per interval

def _decimals(s):
    return len(s.split(".")[1]) if "." in s else 0


def test_every_card_interval_has_one_count_of_decimals(all_cards):
    n = 0
    for r in _rows(all_cards):
        m = re.fullmatch(rf"({NUMBER}) \[({NUMBER}), ({NUMBER})\]", r["estimate"])
        if m:
            assert len({_decimals(g) for g in m.groups()}) == 1, r["estimate"]
            n += 1
    assert n >= 30


def test_no_printed_digit_is_lost_and_trailing_zeros_are_kept(all_cards):
    effects = {r["effect_id"]: r for r in _csv("effects")}
    row = next(r for r in _rows(all_cards) if r["row_id"] == "manheimer2005-clbp-noadd-short")
    assert row["estimate"] == "\u22120.69 [\u22120.98, \u22120.40]"
    for r in _rows(all_cards):
        src = effects.get(r["row_id"])
        if not src or not src["ci_low"] or not src["estimate"]:
            continue
        printed = max(_decimals(src[c]) for c in ("estimate", "ci_low", "ci_high"))
        shown = _decimals(r["estimate"].split(" ")[0])
        assert shown >= printed, (r["row_id"], r["estimate"])
    assert printed_decimals(-8, -13.2, -2.8) == 1


# --------------------------------------------------------------------------- M1 and M3: readers' words, no table names

def test_cards_and_sof_use_readers_words(all_cards):
    text = " ".join(str(v) for c in all_cards for r in c["evidence"] for v in r.values())
    text += " ".join(s["note"] for c in all_cards for s in c["sources"])
    for phrase in ("this package", "by the package", "data package"):
        assert phrase not in text
    assert "data package" not in summary.SOF_NOTE and "threshold we use for this scale" in summary.SOF_NOTE


def test_evidence_table_has_no_status_column_or_table_names(all_cards):
    card = next(c for c in all_cards if len(c["evidence"]) >= 3)
    html = report.render("evidence_table.html.j2", card=card)
    assert "Status" not in html and "verified-tag" not in html
    for title in cards.TABLE_TITLES.values():
        assert f"{title};" not in html
    unverified = dict(card, evidence=[dict(card["evidence"][0], unverified=True, status="unverified")])
    assert "unverified-tag" in report.render("evidence_table.html.j2", card=unverified)
