"""One sign convention everywhere a reader sees an effect: negative = better with acupuncture.

Every expectation here is read from the data package's CSV files themselves (the row's printed
``estimate``/``ci_low``/``ci_high``, its ``favours`` and the scale direction written in its
``instrument``), never from the package's own output.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest

from evidence_lib.output.cards import evidence_rows, harmonised_cells
from evidence_lib.output.cells import sources_by_id
from evidence_lib.review.direction import harmonise
from evidence_lib.review.sof import summary_of_findings

DATA = Path(__file__).resolve().parents[2] / "data"
_NUM = r"[\u2212-]?\d+(?:\.\d+)?"


def _csv(table):
    with open(DATA / f"{table}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _f(s):
    return float(s) if s not in ("", None) else math.nan


def _num(s):
    return float(s.replace("\u2212", "-"))


#: The descriptor's reader terms (datapackage.json review.reader_terms), as a reader would replace them.
_TERMS = {"verum acupuncture": "acupuncture", "verum": "acupuncture"}


def _arms(comparison):
    """The first and second arm of "A vs B (remark)", read here independently of the package."""
    text = re.sub(r"\s*\([^()]*\)", "", comparison)
    if " vs " not in text:   # one arm's own change: the words name the intervention
        return "acupuncture", None
    first, second = (t.strip() for t in text.split(" vs ", 1))
    return re.sub(r"^verum acupuncture\b", "acupuncture", first), second


def test_direction_words_name_the_rows_first_arm():
    """H2: sham against conventional therapy is more responders with sham acupuncture, not with acupuncture."""
    row = next(r for r in _csv("effects") if r["effect_id"] == "haake2007-resp-shamvsconv-26w")
    assert row["comparison"].startswith("sham acupuncture vs conventional therapy")
    rec = {**row, **{k: float(row[k]) for k in ("estimate", "ci_low", "ci_high")}}
    cell, words, _ = harmonised_cells(rec, "acupuncture", reader_terms=_TERMS)
    assert words == "positive: more responders with sham acupuncture than with conventional therapy"
    assert cell == f"+{float(row['estimate']):.1f} [{float(row['ci_low']):.1f}, {float(row['ci_high']):.1f}]"
    placebo = next(r for r in _csv("pooled_results") if r["comparison"].startswith("placebo acupuncture vs"))
    rec = {**placebo, **{k: float(placebo[k]) for k in ("estimate", "ci_low", "ci_high")}}
    assert harmonised_cells(rec, "acupuncture", reader_terms=_TERMS)[1].endswith("with placebo acupuncture")


def _signed_rows():
    """(table, id, row) for every effects/pooled row with a difference, a sign-type direction and an estimate."""
    out = []
    for table, key in (("effects", "effect_id"), ("pooled_results", "analysis_id")):
        for r in _csv(table):
            if r["favours"] in ("negative", "positive") and r["estimate"] and r["measure"] not in ("RR", "OR"):
                out.append((table, r[key], r))
    return out


SIGNED = _signed_rows()


def test_the_data_has_rows_printed_on_both_conventions():
    """Otherwise the tests below could not tell a harmonised display from a copied one."""
    assert {r["favours"] for _, _, r in SIGNED} == {"negative", "positive"}
    assert sum(r["favours"] == "positive" for _, _, r in SIGNED) >= 5


@pytest.mark.parametrize("table, row_id, row", SIGNED, ids=[i for _, i, _ in SIGNED])
def test_card_estimate_is_negative_exactly_when_it_favours_acupuncture(table, row_id, row):
    """The card's number has the printed size, and its sign is negative iff the printed value favours acupuncture."""
    printed = _f(row["estimate"])
    benefit = printed if row["favours"] == "positive" else -printed
    rec = {k: (None if v == "" else v) for k, v in row.items()}
    for k in ("estimate", "ci_low", "ci_high"):
        rec[k] = None if rec[k] is None else float(rec[k])
    cell, words, published = harmonised_cells(rec, "acupuncture", reader_terms=_TERMS)
    shown = _num(re.match(r"\+?(" + _NUM + ")", cell).group(1))
    assert abs(shown) == pytest.approx(abs(printed))
    first, second = _arms(row["comparison"])
    if row["measure"] == "pp_difference":   # responders: natural scale, positive = more responders with the first arm
        assert row["outcome"] == "response"
        if printed != 0:
            assert (shown > 0) == (benefit > 0) and cell.startswith("+") == (shown > 0), (row_id, cell)
        assert words == f"positive: more responders with {first} than with {second}", words
        assert published == ""
        return
    if benefit != 0:
        assert (shown < 0) == (benefit > 0), (row_id, cell)
    assert words.startswith("negative: ") and words.endswith(f"with {first}"), words
    if row["favours"] == "positive":   # the source's own numbers stay visible for a fact-checker
        assert published.startswith("as published: ")
        nums = [_num(x) for x in re.findall(_NUM, published)]
        expect = [_f(row[k]) for k in ("estimate", "ci_low", "ci_high") if row[k]]
        assert nums[: len(expect)] == pytest.approx(expect)
        assert "positive = " in published
    else:
        assert published == ""


def test_card_intervals_keep_their_order_after_reversal():
    for _, row_id, row in SIGNED:
        if not (row["ci_low"] and row["ci_high"]):
            continue
        h = harmonise(_f(row["estimate"]), _f(row["ci_low"]), _f(row["ci_high"]), measure=row["measure"],
                      favours=row["favours"], outcome=row["outcome"], intervention="acupuncture")
        assert h.ci_low <= h.estimate <= h.ci_high, row_id
        assert sorted(map(abs, (h.ci_low, h.ci_high))) == pytest.approx(
            sorted(map(abs, (_f(row["ci_low"]), _f(row["ci_high"])))))


def test_manheimer_as_printed_is_shown_negative_with_the_printed_value_beside_it(ds):
    """C13 mixed Furlan's -10.21 (negative = less pain) with Manheimer's printed +0.69 (positive = less pain)."""
    man = {r["effect_id"]: r for r in _csv("effects")}["manheimer2005-clbp-noadd-short"]
    assert man["favours"] == "positive" and _f(man["estimate"]) > 0
    rows = {r["row_id"]: r for r in evidence_rows(ds, "C13", sources_by_id(ds), intervention="acupuncture")}
    shown = rows["manheimer2005-clbp-noadd-short"]
    assert _num(re.match(_NUM, shown["estimate"]).group()) == pytest.approx(-_f(man["estimate"]))
    assert "as published: " + man["estimate"] in shown["published"]
    directions = {r["direction"] for r in rows.values() if r["table_title"] in ("Effects", "Pooled results")}
    assert directions and all(d.startswith("negative: ") for d in directions), directions


def test_no_card_row_states_the_positive_convention_as_its_own(ds):
    srcs = sources_by_id(ds)
    for cid in ds.claims["claim_id"]:
        for r in evidence_rows(ds, cid, srcs, intervention="acupuncture"):
            assert not r["direction"].startswith("positive values"), (cid, r["row_id"], r["direction"])
            if r["table_title"] in ("Effects", "Pooled results", "Adverse events") and re.match(_NUM, r["estimate"]):
                assert r["direction"], (cid, r["row_id"])


# --------------------------------------------------------------------------- Summary of Findings

def _sof_source(sof_row):
    d = {r["sof_id"]: r for r in _csv("summary_of_findings")}[sof_row]
    first = d["evidence_ids"].split(";")[0].strip()
    if d["evidence_table"] == "effects":
        return {r["effect_id"]: r for r in _csv("effects")}[first]
    if d["evidence_table"] == "pooled_results":
        return {r["analysis_id"]: r for r in _csv("pooled_results")}[first]
    return None


def test_sf36_row_says_less_pain_not_lower():
    """Thomas 2006 printed +8.0 on SF-36 bodily pain, where higher = less pain: the row must read as a benefit."""
    import evidence_lib as ev

    sof = summary_of_findings(ev.load()).set_index("sof_id")
    row = sof.loc["usual-care-pain-long"]
    src = _sof_source("usual-care-pain-long")
    assert "higher = less pain" in src["instrument"] and src["favours"] == "positive"
    assert f"{_f(src['estimate']):.1f} points less pain with acupuncture" in row["effect"]
    assert not re.search(r"\b(lower|higher)\b", row["effect"]), row["effect"]
    assert "\u2212" + f"{_f(src['estimate']):.1f}" in row["direction"]
    assert f"published as {_f(src['estimate']):.1f}" in row["direction"]


def test_every_sof_effect_says_better_or_worse_with_acupuncture_from_the_rows_own_direction(ds):
    sof = summary_of_findings(ds)
    for r in sof.itertuples(index=False):
        src = _sof_source(r.sof_id)
        favours = src["favours"] if src is not None else r.favours
        if favours not in ("negative", "positive"):
            continue
        printed = _f(src["estimate"]) if src is not None else r.estimate
        benefit = printed if favours == "positive" else -printed
        good = {"pain": "less pain", "function": "better function", "response": "more responders"}[r.outcome]
        assert (good in r.effect) == (benefit > 0), (r.sof_id, r.effect)
        assert "with acupuncture" in r.effect
        assert not re.search(r"\b(lower|higher)\b", r.effect), r.effect
        if r.measure == "pp_difference":   # responders on their natural scale: + = more responders
            signed = _num(re.match(r"\+?(" + _NUM + ")", r.direction).group(1))
            assert (signed > 0) == (benefit > 0) and r.direction.startswith("+") == (signed > 0), r.direction
            assert "percentage points: more responders with acupuncture" in r.direction
            assert "report's sign" not in r.direction and "negative" not in r.direction
            continue
        signed = _num(re.search(r"sign: (" + _NUM + ")", r.direction).group(1))
        assert (signed < 0) == (benefit > 0), (r.sof_id, r.direction)
        assert ("sign reversed" in r.direction) == (favours == "positive"), r.direction


# --------------------------------------------------------------------------- effects over time

def test_effects_over_time_shows_thomas_re_signed_and_says_so(ds):
    from evidence_lib.output import figures
    from evidence_lib.output.figure_series import time_inputs

    rows, panels, _ = time_inputs(ds)
    printed = {r["effect_id"]: r for r in _csv("effects")}
    thomas = [printed["thomas2006-bp-12m"], printed["thomas2006-bp-24m"]]
    assert all(t["favours"] == "positive" and "higher = less pain" in t["instrument"] for t in thomas)
    panel = next(p for p in panels if p["group"].startswith("Thomas 2006"))
    assert panel["resigned"]
    sub = rows[rows["group"] == panel["group"]].sort_values("timepoint_weeks")
    assert list(sub["estimate"]) == pytest.approx([-_f(t["estimate"]) for t in thomas])
    assert list(sub["timepoint_weeks"]) == pytest.approx([_f(t["timepoint_weeks"]) for t in thomas])
    # a panel from a row printed with negative = less pain (or from arm data on a lower-is-better scale) is not re-signed
    assert any(not p["resigned"] for p in panels)
    alt = figures._time_describe(ds)
    assert "Thomas 2006 vs usual care \u00b7 SF-36 bodily pain 0-100" in alt
    said = alt.split("reported lower pain as positive", 1)[0].rsplit(".", 1)[-1]
    assert "Thomas 2006" in said and "negative = less pain" in alt, said
