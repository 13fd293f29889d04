"""Reader review rr3: M10 (evidence map), M12 (C32 session length), M13 (pairwise vs network
trials), L4 (one title for review-estimates), L5 (network-forest title in the PNG), L6 (the
reproduction table keeps enough figures), L11 (effects-over-time bands named by weeks)."""

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from evidence_lib.output import figure_series as fs  # noqa: E402
from evidence_lib.output.figure_network import tau_caveat  # noqa: E402
from evidence_lib.output.figures import spec  # noqa: E402
from evidence_lib.output.reproduction import ours_decimals, reproductions  # noqa: E402
from evidence_lib.plotting import style  # noqa: E402
from evidence_lib.plotting.evidence import describe_evidence_map  # noqa: E402
from evidence_lib.vocab import TERM_LABELS, TERM_WEEK_LABELS  # noqa: E402
from tests.figure_helpers import figure_texts  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "data"


def test_claims_with_context_studies_only_are_not_called_unlinked(ds):
    tab, words = fs.map_inputs(ds)
    ctx = set(tab.loc[tab["kind"] == "context_only", "claim_id"])
    assert {"C03", "C20", "C25"} <= ctx
    assert "none" not in set(tab["kind"])
    for cid in ("C03", "C20", "C25"):
        roles = set(ds.claim_evidence.loc[ds.claim_evidence["claim_id"] == cid, "role"])
        assert roles == {"context"}
    text = describe_evidence_map(tab, row_order=words["row_order"], row_text=words["row_text"])
    assert "with not linked" not in text and "3 with context studies only" in text
    assert "Not linked" not in " ".join(words["row_labels"][k] for k in words["row_order"])


def test_c32_reason_agrees_with_the_longest_protocol_session(ds):
    with open(DATA / "protocols.csv", encoding="utf-8") as fh:
        minutes = {r["source_id"]: r["minutes_per_session"] for r in csv.DictReader(fh) if r["minutes_per_session"]}
    longest = max(minutes, key=lambda k: float(minutes[k]))
    reason = ds.claims.set_index("claim_id").at["C32", "rationale"]
    assert "left needles in for 20 to 30 minutes" not in reason
    assert f"{minutes[longest]} minutes" in reason and "Comachio 2020" in reason


def test_pairwise_sentence_names_the_trial_the_network_does_not_use(ds):
    text = tau_caveat(ds)
    assert "from 3 trials, including Kennedy 2008" in text
    assert "which the network does not use" in text


def test_review_estimates_caption_and_png_title_agree(ds):
    with style():
        fig = spec("review-estimates").draw(ds)
    assert spec("review-estimates").title in figure_texts(fig)


def test_network_forest_png_has_its_title(ds):
    with style():
        fig = spec("network-forest").draw(ds)
    assert fig._suptitle is not None
    assert fig._suptitle.get_text().replace("\n", " ") == spec("network-forest").title(ds)


def test_reproduction_table_keeps_four_significant_figures(ds):
    assert ours_decimals(0.03499) == 5
    rows = {r["statistic"]: r for rep in reproductions(ds) if not rep["error"] for r in rep["rows"]}
    q = next(v for k, v in rows.items() if k.startswith("Q"))
    assert q["ours"] == "0.03499"  # not "0.0350", which reads as rounding to 0.04


def test_effects_over_time_bands_are_named_by_weeks(ds):
    assert TERM_WEEK_LABELS["immediate"] == "up to 1 week"   # rr4 L15: bounds in words, no week in two bands
    with style():
        fig = spec("effects-over-time").draw(ds)
    texts = " ".join(figure_texts(fig))
    assert TERM_LABELS["immediate"] not in texts
    assert "up to 1 week" in texts
