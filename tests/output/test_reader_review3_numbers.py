"""Numbers a reader compares across the page agree (reader review 3: M2, M3, M4, M5, M9, L3, L10).

Expected values come from the data package's CSV files read here with the csv module, and
exact binomial intervals from scipy.stats.binomtest (not the package's own beta quantiles).
"""

import csv
import re
from pathlib import Path

import pytest

from evidence_lib.output import cards, summary
from evidence_lib.output.cells import sources_by_id
from evidence_lib.review.sof import summary_of_findings

DATA = Path(__file__).resolve().parents[2] / "data"


def _csv(table):
    with open(DATA / f"{table}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _two_figures(v: float) -> str:
    """Two significant figures below 10 (zeros kept), whole numbers with separators from 10 up: written here anew."""
    if v == 0:
        return "0"
    if v >= 9.95:
        return f"{round(v):,}"
    from decimal import Decimal

    d = Decimal(repr(v))
    exp = d.adjusted()
    q = Decimal(1).scaleb(exp - 1)
    return str(d.quantize(q))


@pytest.fixture(scope="module")
def rows(ds):
    sources = sources_by_id(ds)
    out = {}
    for c in ds.claims.to_dict("records"):
        for r in cards.claim_card(ds, c, sources, check=None)["evidence"]:
            out.setdefault(r["row_id"], r)
    return out


def _ae(ae_id):
    return next(r for r in _csv("adverse_events") if r["ae_id"] == ae_id)


# --------------------------------------------------------------------------- M9 and L3: harms in one unit, one rounding

def test_card_harm_rows_are_per_10000_with_the_figures_event_names(rows):
    """M9: 'per patient 0.017' for Witt 2009 pain becomes 'Pain', per 10,000 patients, 170."""
    shown = [r for r in rows.values() if r["table_title"] == "Adverse events"]
    assert len(shown) >= 5
    for r in shown:
        src = _ae(r["row_id"])
        assert r["what"] == src["event"], r
        assert r["measure"].startswith("per 10,000 "), r
        assert r["comparator"] == "", r          # a rate has no comparator; never the study design
        if src["setting"]:
            assert src["setting"] in r["location"]
        if src["estimate"] and src["unit"] == "per_patient":
            counted = src["events"] and src["denominator"] and not src["ci_low"]  # rate and CI from the counts
            point = float(src["events"]) / float(src["denominator"]) if counted else float(src["estimate"])
            assert r["estimate"].split(" ")[0] == _two_figures(point * 10000), r
    pain = rows["witt2009-pain"]
    assert (pain["what"], pain["estimate"]) == ("Pain", "170")


def test_a_count_without_a_printed_rate_is_a_rate_with_its_exact_interval():
    """M5: Witt 2009 pneumothorax, 2 in 229,230 patients: the rate goes in the estimate column, the counts in words."""
    from scipy.stats import binomtest

    src = _ae("witt2009-pneumothorax")
    x, n = int(src["events"]), int(src["denominator"])
    ci = binomtest(x, n).proportion_ci(confidence_level=0.95, method="exact")
    expect = f"{_two_figures(x / n * 1e4)} ({_two_figures(ci.low * 1e4)}\u2013{_two_figures(ci.high * 1e4)})"
    row = cards._ae_columns({k: (float(v) if k in ("events", "denominator") and v else (v or None))
                             for k, v in src.items()}, {})
    assert row[2] == expect
    assert row[5] == f"{x} events in {n:,} patients"


def test_harms_table_and_figure_print_the_same_rate_and_interval(ds):
    """L3: one formatter and one interval: the table's numbers are the figure's numbers for every shared row."""
    from evidence_lib.output.figure_series import ae_inputs
    from evidence_lib.plotting.safety import _rate_ci

    fig = {r.ae_id: _rate_ci(r.rate, r.rate_low, r.rate_high) for r in ae_inputs(ds).itertuples()}
    checked = 0
    for cell in summary.select_harms_rows(ds):
        for r in (cell["row"], (cell["counted"] or {}).get("row")):
            if r is None or r["ae_id"] not in fig:
                continue
            table = summary._harms_row({"ae_type": cell["ae_type"], "row": r, "source": None, "counted": None})["effect"]
            bare = re.sub(r" per 10,000 \w+(?: \(sessions\))?", "", table).replace("95% CI", "")
            nums_table = re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", bare)
            nums_fig = re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", fig[r["ae_id"]])
            assert nums_table == nums_fig, (table, fig[r["ae_id"]])
            checked += 1
    assert checked >= 2
    sae = next(r for r in _csv("adverse_events") if r["ae_id"] == "baumler2021-sae-patients")
    assert fig["baumler2021-sae-patients"] == (f"{_two_figures(float(sae['estimate']))} ({_two_figures(float(sae['ci_low']))}"
                                               f"\u2013{_two_figures(float(sae['ci_high']))})")


def test_a_printed_rate_without_interval_gets_the_exact_interval_from_its_counts_in_the_table(ds):
    """L3: Witt 2009 'any' (860 per 10,000) had no CI in the table but one in the figure.

    rr4 finding 14: the point comes from the same counts as the interval (19,726 / 229,230).
    """
    from scipy.stats import binomtest

    src = _ae("witt2009-any")
    assert src["ci_low"] == "" and src["events"] and src["denominator"]
    rec = {k: (float(v) if k in ("events", "denominator", "estimate") and v else (v or None)) for k, v in src.items()}
    text = summary._harms_row({"ae_type": "any", "row": rec, "source": None, "counted": None})["effect"]
    ci = binomtest(int(src["events"]), int(src["denominator"])).proportion_ci(method="exact")
    x, n = int(src["events"]), int(src["denominator"])
    assert text.startswith(f"{_two_figures(x / n * 1e4)} per 10,000 patients (95% CI "
                           f"{_two_figures(ci.low * 1e4)} to {_two_figures(ci.high * 1e4)}")


# --------------------------------------------------------------------------- M5: no empty estimate cells

def test_no_effect_row_has_an_empty_estimate_or_an_unnamed_hazard_ratio(rows):
    for r in rows.values():
        if r["table_title"] in ("Effects", "Pooled results"):
            assert r["estimate"].strip(), r["row_id"]
    hr = next(r for r in _csv("effects") if "hazard ratio" in r["instrument"])
    assert rows[hr["effect_id"]]["measure"] == "hazard ratio"
    p_only = next(r for r in _csv("effects") if not r["estimate"] and r["p_value"] and r["effect_id"] in rows)
    cell = rows[p_only["effect_id"]]["estimate"]
    assert f"P = {float(p_only['p_value']):g}" in cell
    assert ("no significant difference" in cell) == (float(p_only["p_value"]) >= 0.05)


# --------------------------------------------------------------------------- M3, M4: participants and trials

def test_card_participants_match_the_summary_of_findings(ds, rows):
    """M3: Thomas 2006 at 24 months had 241 in the SoF and 'not reported' in the cards."""
    sof = summary_of_findings(ds)
    defs = {r["sof_id"]: r for r in _csv("summary_of_findings")}
    checked = 0
    for r in sof.itertuples():
        d = defs[r.sof_id]
        if d["evidence_table"] != "effects" or d["evidence_ids"] not in rows or r.participants != r.participants:
            continue
        assert rows[d["evidence_ids"]]["n"].startswith(f"{int(r.participants):,}"), (r.sof_id, rows[d["evidence_ids"]])
        checked += 1
    assert checked >= 2
    thomas = next(s for s in _csv("sources") if s["source_id"] == "thomas2006")
    assert rows["thomas2006-bp-24m"]["n"] == f"{int(thomas['n_participants'])} in the whole trial (1 study)"


def test_vickers_no_acupuncture_row_gives_its_trials_and_the_sham_row_says_it_is_not_given(rows):
    """M4: k comes from pooled_results (filled from Table 1 with its page), never 'not stated/recorded'."""
    pooled = {p["analysis_id"]: p for p in _csv("pooled_results")}
    k = int(pooled["vickers2012-backneck-noacu"]["k"])
    assert "PMC3658605/table/T1" in pooled["vickers2012-backneck-noacu"]["notes"]
    assert rows["vickers2012-bnp-noacu"]["n"].endswith(f"({k} studies)")
    assert rows["vickers2012-bnp-sham"]["n"].endswith("number of trials behind this estimate not given)")
    assert not any("not stated" in r["n"] or "not recorded" in r["n"] for r in rows.values())


# --------------------------------------------------------------------------- M2: the responder caption's arm sizes

def test_responder_caption_gives_both_printed_sizes_of_an_arm(ds):
    from evidence_lib.output.figures import _responder_describe

    text = _responder_describe(ds)
    arms = [a for a in _csv("arms") if a["source_id"] == "haake2007" and a["outcome"] == "response"]
    conv = next(a for a in arms if a["arm"] == "conventional_therapy")
    eff = next(e for e in _csv("effects") if e["effect_id"] == "haake2007-resp-arm-conv-26w")
    assert conv["n"] != eff["n_intervention"]    # the paper prints two sizes for this arm
    assert f"conventional therapy n = {eff['n_intervention']} ({conv['n']} per the source's {conv['location']})" in text


# --------------------------------------------------------------------------- L10

def test_network_text_puts_the_scale_after_the_words(ds):
    from evidence_lib.output.figure_network import forest_describe
    from evidence_lib.review.network import pain_amount

    assert pain_amount(-8.62, "MD", decimals=1) == "8.6 points less pain (0\u2013100 scale)"
    text = forest_describe(ds)
    assert "points less pain (0\u2013100 scale)" in text or "points more pain (0\u2013100 scale)" in text
    assert "on 0\u2013100 less" not in text and "on 0\u2013100 more" not in text


def test_a_rate_and_its_counted_interval_come_from_the_same_counts(ds):
    """rr4 finding 14: Witt 2009 'needing treatment' printed 2.2% (220) beside an exact CI from 4,963 / 229,230
    (211-223): the point sat almost on the upper limit. Table, cards and figure share ae_rate."""
    from scipy.stats import binomtest

    from evidence_lib.output.rates import ae_rate

    src = _ae("witt2009-needing-treatment")
    x, n = int(src["events"]), int(src["denominator"])
    rec = {k: (float(v) if k in ("events", "denominator", "estimate") and v else (v or None)) for k, v in src.items()}
    found = ae_rate(rec)
    ci = binomtest(x, n).proportion_ci(method="exact")
    assert found.rate == pytest.approx(x / n * 1e4) and found.computed_rate and found.counted_interval
    assert found.text() == f"{_two_figures(x / n * 1e4)} ({_two_figures(ci.low * 1e4)}\u2013{_two_figures(ci.high * 1e4)})"
    assert found.text().startswith("217 ")


def test_tables_and_figures_name_a_source_the_same_way(ds):
    """rr4 finding 21: the harms table said 'Bäumler P 2021', safety-rates.png 'Bäumler 2021'."""
    from evidence_lib.output.cells import source_short
    from evidence_lib.review.views import source_labels

    labels = source_labels(ds)
    for src in ds.sources.to_dict("records"):
        if isinstance(src["first_author"], str) and src["first_author"].strip():
            assert source_short(src) == labels[src["source_id"]], src["source_id"]
    harms = " ".join(h["detail"] for h in summary.harms_rows(ds))
    assert "Bäumler 2021" in harms and "Bäumler P 2021" not in harms and "Witt CM" not in harms
    assert labels["decarvalho2018"] == "de Carvalho 2018"  # a two-word surname, not "de 2018"


def test_every_term_is_printed_with_its_window(ds):
    """rr4 finding 8: 'intermediate term' meant 26 weeks from randomisation in the SoF and 6 to <12 months
    after the end of treatment in a review's rows; the window is printed beside the term."""
    from evidence_lib.output.cells import timepoint_text

    sof = {r["term"] for r in summary.sof_rows(ds)}
    assert timepoint_text("6 months", "intermediate") == \
        "6 months (intermediate term: over 13 to under 52 weeks after randomisation)"
    skelly = timepoint_text("intermediate term (6 to <12 months after end of treatment)", "intermediate")
    assert skelly.startswith("as the source defines it: ")
    # SoF rows give the source's timepoint with the term's window beside it (rr5 finding 5: a
    # review's '<3 months' is not this report's window)
    assert "<3 months (short term: over 1 to 13 weeks after randomisation)" in sof
    assert any(t.startswith("26 weeks (intermediate term: ") for t in sof)
    assert all("after randomisation" in t for t in sof if t.endswith(" term") or " term (" in t), sof
