"""The Summary of Findings: rated rows, GRADE wording, one direction convention, counts from the rows."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import pytest

import evidence_lib as ev
from evidence_lib._values import is_missing
from evidence_lib.review.direction import BENEFIT_WORDS, direction, effect_text
from evidence_lib.review.sof import LEVELS, statement, summary_of_findings


@pytest.fixture(scope="module")
def sof(ds):
    return summary_of_findings(ds)


def test_every_row_is_rated_and_nothing_reads_as_a_question_mark(sof):
    assert len(sof) >= 10
    assert set(sof["certainty"]) <= set(LEVELS), sof[["sof_id", "certainty"]]
    for col in ("comparison", "effect", "direction", "statement", "clinical_importance", "downgrades"):
        assert not sof[col].astype(str).str.contains(r"\?|nan|None|np\.float", regex=True).any(), col


def test_the_table_covers_the_comparisons_the_article_makes(sof):
    assert {"sham", "no_treatment", "usual_care", "conventional_therapy"} <= {
        s.split("-pain")[0].split("-function")[0].split("-response")[0].replace("-", "_").replace("conventional",
                                                                                                 "conventional_therapy")
        for s in sof["sof_id"]}
    assert {"pain", "function"} <= set(sof["outcome"])
    assert len(set(sof["term"])) >= 3


# GRADEpro text as Mu 2020 printed it in Summary of findings 3 (the page read for pooled_results):
# "The MD was 10.26 points lower in the acupuncture groups (17.11 lower to 3.40 lower)" and
# "The MD was 9.78 points higher in the acupuncture groups (3.54 higher to 16.02 higher)".
def test_effect_text_reads_as_the_published_summary_of_findings():
    assert effect_text(-10.26, -17.11, -3.40, measure="MD", favours="negative", outcome="pain", digits=2) == \
        "MD 10.26 lower (17.11 lower to 3.40 lower)"
    # function scales run either way, so the words are better/worse; the numbers are the printed ones
    assert effect_text(9.78, 3.54, 16.02, measure="MD", favours="positive", outcome="function", digits=2) == \
        "MD 9.78 better (3.54 better to 16.02 better)"


def test_a_benefit_printed_as_a_positive_pain_smd_reads_as_lower_pain():
    """Manheimer 2005 printed +0.54 for less pain (positive = benefit): the text must not say 'higher'."""
    assert effect_text(0.54, 0.35, 0.73, measure="SMD", favours="positive", outcome="pain", digits=2) == \
        "SMD 0.54 lower (0.73 lower to 0.35 lower)"
    assert effect_text(-3.1, -6.4, 0.2, measure="MD", favours="negative", outcome="pain") == \
        "MD 3.1 lower (6.4 lower to 0.2 higher)"


@pytest.mark.parametrize("certainty, size, expected", [
    ("high", "important", "acupuncture reduces pain"),
    ("moderate", "important", "acupuncture probably reduces pain"),
    ("low", "important", "acupuncture may reduce pain"),
    ("low", "small", "acupuncture may reduce pain slightly"),
    ("moderate", "none", "acupuncture probably results in little to no difference in pain"),
    ("very_low", "important", "The evidence is very uncertain about the effect of acupuncture on pain"),
])
def test_statements_follow_grade_wording(certainty, size, expected):
    """Santesso et al. 2020: high 'reduces', moderate 'probably reduces', low 'may reduce', very low 'very uncertain'."""
    s = statement(certainty, size, intervention="acupuncture", comparator="sham", outcome="pain", term="short")
    assert expected in s


def _evidence_row(ds, row):
    ids = row["evidence_ids"].split(";")
    if row["evidence_table"] == "pooled_results":
        return ds.pooled_results.set_index("analysis_id").loc[ids[0]]
    if row["evidence_table"] == "effects":
        return ds.effects.set_index("effect_id").loc[ids[0]]
    return None


def test_every_displayed_effect_agrees_with_its_row(ds, sof):
    """Walk every SoF effect: the number shown is the row's |estimate| and the word matches the benefit's sign."""
    defs = ds.summary_of_findings.set_index("sof_id")
    for r in sof.itertuples(index=False):
        src = _evidence_row(ds, defs.loc[r.sof_id])
        if src is not None:
            assert r.estimate == src["estimate"] and r.favours == src["favours"]
        shown = float(re.search(r"\d+(\.\d+)?", r.effect.split(" ", 1)[1]).group())
        assert shown == pytest.approx(abs(r.estimate), abs=0.051)
        benefit = r.estimate if r.favours == "positive" else -r.estimate
        good = BENEFIT_WORDS[r.outcome][0]
        assert (f" {good}" in r.effect) == (benefit > 0), (r.sof_id, r.effect)
        assert direction(r.favours, r.outcome, intervention="x").has_direction
        if r.measure == "pp_difference":   # a responder difference keeps its natural scale (H1 of rr3)
            assert r.direction.startswith("+" if r.estimate > 0 else "\u2212"), r.direction
        else:
            assert r.direction.startswith("on the report's sign: "), r.direction


def test_participants_are_counted_from_the_rows(ds, sof):
    defs = ds.summary_of_findings.set_index("sof_id")
    arms = ds.arms.set_index("arm_id")
    for r in sof.itertuples(index=False):
        d = defs.loc[r.sof_id]
        if d["evidence_table"] == "arms":
            ids = d["evidence_ids"].split(";")
            assert r.participants == arms.loc[ids[0], "n"] + arms.loc[ids[1], "n"]
            assert r.studies == 1
        elif d["evidence_table"] == "pooled_results":
            p = _evidence_row(ds, d)
            assert r.studies == p["k"]
            if is_missing(p["n_participants"]):
                assert math.isnan(r.participants)
            else:
                assert r.participants == p["n_participants"]


def test_adopted_published_ratings_agree_with_ours(sof):
    rated = sof[sof["published_certainty"].notna()]
    assert len(rated) >= 2
    assert (rated["published_certainty"] == rated["certainty"]).all()


def test_a_removed_downgrade_changes_the_certainty(data_copy):
    names, rows = data_copy.rows("grade")
    i = next(i for i, r in enumerate(rows) if r["sof_id"] == "sham-pain-immediate" and r["judgment"] == "serious")
    before = summary_of_findings(ev.load(data_copy.root)).set_index("sof_id").loc["sham-pain-immediate", "certainty"]
    data_copy.edit("grade", i, judgment="no_concern")
    after = summary_of_findings(ev.load(data_copy.root)).set_index("sof_id").loc["sham-pain-immediate", "certainty"]
    assert LEVELS.index(after) == LEVELS.index(before) - 1


def test_a_row_without_judgments_is_shown_as_unrated(data_copy):
    names, rows = data_copy.rows("grade")
    data_copy.write("grade", names, [r for r in rows if r["sof_id"] != "sham-pain-immediate"])
    s = summary_of_findings(ev.load(data_copy.root)).set_index("sof_id")
    assert is_missing(s.loc["sham-pain-immediate", "certainty"])
    assert "very uncertain" in s.loc["sham-pain-immediate", "statement"]


@pytest.mark.parametrize("change, message", [
    (dict(claim_id="C13"), "exactly one of claim_id"),
    (dict(domain="imprecision"), "already has a imprecision judgment"),
])
def test_grade_rows_name_one_body_once_per_domain(data_copy, change, message):
    names, rows = data_copy.rows("grade")
    i = next(i for i, r in enumerate(rows) if r["sof_id"] == "sham-pain-immediate" and r["domain"] == "inconsistency")
    data_copy.edit("grade", i, **change)
    with pytest.raises(ev.DataValidationError, match=message):
        ev.load(data_copy.root)


def _check(root):
    return subprocess.run([sys.executable, "-m", "evidence_lib.cli", "--data", str(root), "check"],
                          capture_output=True, text=True)


def test_check_exits_0_on_the_bundled_data(data_copy):
    out = _check(data_copy.root)
    assert out.returncode == 0, out.stdout[-2000:]
    assert "0 open issue" in out.stdout


def test_check_exits_1_while_a_contradiction_lacks_a_reason(data_copy):
    names, rows = data_copy.rows("claims")
    i = next(i for i, r in enumerate(rows) if r["claim_id"] == "C02")
    data_copy.edit("claims", i, override_reason="")
    out = _check(data_copy.root)
    assert out.returncode == 1
    assert "C02" in out.stdout and "override_reason" in out.stdout


def test_bayesian_probabilities_for_rows_with_trial_data_and_an_mcid(sof):
    s = sof.set_index("sof_id")
    row = s.loc["sham-pain-immediate"]
    # the four Cochrane trials: any benefit is near-certain, a benefit of 15 points is not (MD -10.2, CI -15.0 to -5.4)
    assert row["p_benefit"] > 0.95 and row["p_important"] < 0.2
    assert "15 points" in row["bayes"] and "sceptical to enthusiastic" in row["bayes"]
    assert s.loc["sham-pain-short", "bayes"].startswith("not computed")  # an SMD has no MCID


def test_one_trial_rows_get_no_bayesian_probabilities(sof):
    """With k = 1 the random-effects probabilities are set by the tau prior, not the trial (rr4 finding 1).

    The sham row at the intermediate term (one trial, MD -3.1, 95% CI -6.4 to 0.2) used to read "of a
    benefit of at least 15 points 2-19%" although the trial's own CI excludes benefits above 6.4 points.
    """
    import math

    from evidence_lib.review.sof import ONE_TRIAL_BAYES

    one = sof[sof["studies"] == 1]
    assert {"sham-pain-intermediate", "conventional-pain-intermediate"} <= set(one["sof_id"])
    for r in one.itertuples():
        if r.bayes.startswith("not computed"):
            continue  # no MCID on this scale or no trial-level data: nothing would be shown anyway
        assert r.bayes == ONE_TRIAL_BAYES and "chance" not in r.bayes, r.sof_id
        assert math.isnan(r.p_benefit) and math.isnan(r.p_important), r.sof_id
    shown = sof[sof["bayes"].str.startswith("chance")]
    assert len(shown) and (shown["studies"] >= 2).all()


@pytest.mark.parametrize("ids, message", [
    ("no-such-row", "unknown pooled_results row 'no-such-row'"),
    ("a;b", "needs 1 id"),
])
def test_a_sof_row_must_name_existing_evidence(data_copy, ids, message):
    names, rows = data_copy.rows("summary_of_findings")
    data_copy.edit("summary_of_findings", 0, evidence_ids=ids)
    with pytest.raises(ev.DataValidationError, match=message):
        ev.load(data_copy.root)


def test_mean_differences_use_one_rounding_rule(sof):
    """rr4 finding 17: the SoF printed Furlan's MD as 10.21 (14.99 to 5.44), forest.png as -10.2 [-15.0, -5.4]."""
    s = sof.set_index("sof_id")
    assert s.loc["sham-pain-immediate", "effect"].startswith("MD 10.2 points less pain")
    assert "(15.0 less to 5.4 less)" in s.loc["sham-pain-immediate", "effect"]
    for r in sof[sof["measure"] == "MD"].itertuples():
        assert not re.search(r"\d\.\d\d", r.effect), r.effect


def test_clinical_importance_prints_the_effect_as_the_row_does(sof):
    """A mean difference is printed to one decimal in the effect column, so its clinical-importance
    words use the same decimals (they printed the source's 10.21 and 5.44 to 14.99 beside
    "10.2 (15.0 less to 5.4 less)"; fourth reader review, finding 17)."""
    md = sof[(sof["measure"] == "MD") & sof["clinical_importance"].str.contains(r"estimate \(", regex=True)]
    assert len(md) >= 2
    for text in md["clinical_importance"]:
        shown = re.findall(r"\((-?\d+(?:\.\d+)?)(?: to (-?\d+(?:\.\d+)?))?\)", text)
        numbers = [n for pair in shown for n in pair if n]
        assert numbers and all(len(n.split(".")[1]) == 1 for n in numbers), text


def test_bayesian_chances_never_round_to_certainty(sof):
    """'chance of any benefit 99-100%' overstated posteriors of 0.986-0.998 (fifth reader review):
    no printed chance is 100% or 0%."""
    texts = [t for t in sof["bayes"] if isinstance(t, str) and "chance of any benefit" in t]
    assert texts
    for t in texts:
        assert not re.search(r"(?<![\d.])(100|0)%", t) and not re.search(r"-(100|0)%", t), t
