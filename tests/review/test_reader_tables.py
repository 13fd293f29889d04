"""Tables in readers' words (evidence_lib.review.reader_tables) and the claim text of the ledger.

Effects are checked against the numbers as the sources printed them: Mu 2020 (Cochrane
CD013814), acupuncture vs usual care, pain immediately after: MD -10.26 (-17.11 to -3.40) on
0-100; Thomas 2006 (BMJ), SF-36 bodily pain at 24 months, 8.0 (2.8 to 13.2) higher = better
with acupuncture; Haake 2007 (GERAC), responders at 6 months, 47.6% vs 27.4%, difference 20.2
(13.4 to 26.7) percentage points.
"""

from __future__ import annotations

import pytest

import evidence_lib as ev
from evidence_lib._values import is_missing
from evidence_lib.review import ledger
from evidence_lib.review import reader_tables as rt
from evidence_lib.vocab import ARMS, CERTAINTY_ORDER, VERDICT_LABELS, VERDICT_ORDER


@pytest.fixture(scope="module")
def ds():
    return ev.load()


def _effects(ds, source_id, **match):
    e = ds.effects[ds.effects["source_id"] == source_id]
    for k, v in match.items():
        e = e[e[k] == v]
    return e


def test_effects_in_words_say_which_way_is_better_on_one_sign(ds):
    mu = rt.effects_in_words(ds, _effects(ds, "mu2020", outcome="pain", measure="MD")).iloc[0]
    assert mu["Source"] == "Mu 2020"
    assert mu["Effect"] == "MD 10.26 points less pain with acupuncture (17.11 less to 3.40 less)"
    assert mu["Signed value"].startswith("on the report's sign: \u221210.26 (\u221217.11 to \u22123.40)")

    # printed as a positive SF-36 difference (higher = better): reversed to the report's sign, and said so
    thomas = rt.effects_in_words(ds, _effects(ds, "thomas2006", timepoint="24 months")).iloc[0]
    assert "8.0 points less pain" in thomas["Effect"] and "(13.2 less to 2.8 less)" in thomas["Effect"]
    assert "\u22128.0 (\u221213.2 to \u22122.8)" in thomas["Signed value"]
    assert "sign reversed: published as 8.0 (2.8 to 13.2)" in thomas["Signed value"]

    # responders keep their natural scale: more responders with acupuncture than with conventional therapy
    haake = rt.effects_in_words(ds, _effects(ds, "haake2007", measure="pp_difference"))
    first = haake[haake["Comparison"].str.startswith("acupuncture vs conventional")].iloc[0]
    assert first["Signed value"] == ("+20.2 (13.4 to 26.7) percentage points: more responders with acupuncture "
                                     "than with conventional therapy")
    assert "pp_difference" not in haake.to_string() and "verum" not in haake.to_string()


def test_effects_in_words_needs_the_effects_columns(ds):
    with pytest.raises(ValueError, match="favours"):
        rt.effects_in_words(ds, ds.effects.drop(columns="favours"))


def test_readers_table_replaces_codes_and_headers(ds):
    t = rt.readers_table(ds.thresholds, ds, columns=["threshold_id", "kind", "source_id", "value"])
    text = t.to_string()
    assert "mcid_between_group" not in text and "minimal clinically important difference between groups" in text
    assert "Mu 2020" in text and list(t.columns)[1:] == ["Kind of threshold", "Source", "Value"]
    arms = ds.arms[["arm"]].drop_duplicates()
    words = rt.readers_table(arms, ds)["Arm"].tolist()
    assert words and not set(words) & set(ARMS)  # every arm by the review's name for it
    shown = rt.readers_table(ds.thresholds.assign(estimate=1.0), ds, columns=["estimate"],
                             headers={"estimate": "Responders (%)"})
    assert list(shown.columns) == ["Responders (%)"]
    with pytest.raises(ValueError, match="not columns"):
        rt.readers_table(ds.thresholds, ds, columns=["no_such_column"])


def test_verdict_and_kind_tables_use_the_report_labels(ds):
    counts = rt.verdict_count_table(ds)
    assert list(counts.columns) == [VERDICT_LABELS[v] for v in VERDICT_ORDER]
    assert int(counts.to_numpy().sum()) == len(ds.claims)
    kinds = rt.evidence_kind_table(ds, category="mechanism")
    text = kinds.to_string()
    assert not any(code in text for code in ("very_low", "not_checkable", "claim_id"))
    assert "Very low" in text and "category" not in text.lower()
    with pytest.raises(ValueError, match="claim area"):
        rt.evidence_kind_table(ds, category="mechanisms")


def test_claim_text_has_no_codes_ids_or_nd(ds):
    text = ledger.format_claim(ds, "C14")
    assert "network-pain-short" not in text
    # the Cochrane review's year is blank in sources.csv (furlan-cd001351): none printed
    assert is_missing(ds.sources.set_index("source_id").loc["furlan-cd001351", "year"])
    text = ledger.format_claim(ds, "C13")
    assert "(n.d.)" not in text and "Furlan AD. Acupuncture and dry-needling for low back pain" in text
    # the caveats the reviewers state follow the rationale, one per item, before the sources
    stated = ledger.stated_caveats(ds.claim("C13"))
    assert len(stated) >= 2 and text.index("  Caveats:") < text.index("  Sources:")
    assert all(" ".join(t.split()) in " ".join(text.split()) for t in stated)
    assert "Caveats:" not in ledger.format_claim(ds, "C14")  # C14 states none: its caveats come from the checks
    very_low = ds.claims[ds.claims["certainty"] == "very_low"]["claim_id"].iloc[0]
    assert "Certainty: \u2295\u25ef\u25ef\u25ef very low (GRADE)" in ledger.format_claim(ds, very_low)
    assert not any(code in ledger.format_ledger(ds) for code in CERTAINTY_ORDER if "_" in code)


def test_row_blocks_wrap_and_never_cut(ds):
    comp = ds.effects[ds.effects["comparator_class"].isin(["usual_care", "conventional_therapy", "active_other"])]
    table = rt.effects_in_words(ds, comp[comp["estimate"].notna()])
    text = rt.row_blocks(table, heading=["Source", "Comparison"], width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    flat = " ".join(text.split())
    for effect in table["Effect"]:
        assert " ".join(effect.split()) in flat  # every effect whole, however long
    with pytest.raises(ValueError, match="heading"):
        rt.row_blocks(table, heading=["Nope"])


def test_ledger_verdict_cells_are_readable(ds):
    """Verdict cells of the notebook ledger: text and fill at least 4.5:1 (WCAG 2.1, 1.4.3);
    white on the light fills gave 2.3:1 (fourth reader review, finding 13)."""
    from evidence_lib._colour import contrast_ratio

    styler = ledger.style_ledger(ds)
    styler._compute()
    cells = [dict(props) for props in styler.ctx.values()]
    coloured = [c for c in cells if "background-color" in c]
    assert len(coloured) == len(ds.claims)
    for c in coloured:
        assert contrast_ratio(c["color"], c["background-color"]) >= 4.5, c


def test_notebook_tables_show_no_column_codes(ds):
    """The ledger's index is headed 'Claim', not 'claim_id'; priors print in words, not as tuples
    (fifth reader review, finding 7)."""
    from evidence_lib.review import bayes as rb

    html = ledger.style_ledger(ds).to_html()
    assert "claim_id" not in html and ">Claim<" in html
    for prior in rb.default_priors(15.0):
        text = prior.describe()
        assert "(" not in text and "_" not in text and "half-normal, scale 15" in text, text
