"""Claim checks, clinical relevance, GRADE suggestions and coherence on small constructed packages.

Each test builds its evidence in a copy of the bundled package (whose evidence tables are
empty) and asserts one kind of finding; each has a counterpart that removes the cause, so
that a rule that always (or never) fires fails a test.
"""

import csv
import json
import math
import subprocess
import sys
import types

import pytest
from hypothesis import given, strategies as st

import evidence_lib as ev
from evidence_lib.review import relevance as rel
from evidence_lib.output.text import format_checks
from evidence_lib.review.checks import check, check_all, population_fit
from evidence_lib.errors import DataValidationError
from evidence_lib.review.grading import coherence, coherence_for, computed_certainty, prediction_interval, suggest_grade

from tests.conftest import DATA

URL = "https://example.org/page"
RATIONALE = ("Constructed for a test: the rationale says what the evidence shows and where the claim goes "
             "beyond it, in two sentences.")


class Pkg:
    """A copy of the bundled package with helpers to add evidence rows."""

    def __init__(self, root):
        self.root = root
        desc = json.loads((root / "datapackage.json").read_text())
        self.fields = {r["name"]: [f["name"] for f in r["schema"]["fields"]]
                       for r in desc["resources"] if "schema" in r}
        # start from the bundled claims and frames but no judgments or evidence links, so that
        # each test's constructed rows are the only evidence the checks see
        for table in ("claim_evidence", "claim_sources", "thresholds", "grade"):
            if (root / f"{table}.csv").exists():
                self._write(table, [])
        # the second readings of the emptied thresholds go with them
        self._write("verification", [r for r in self._rows("verification") if r["table"] != "thresholds"])
        rows = self._rows("claims")
        for r in rows:
            r.update(verdict="not_checkable", certainty="none", rationale=RATIONALE)
        self._write("claims", rows)

    def _rows(self, table):
        path = self.root / f"{table}.csv"
        if not path.exists():
            return []
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    def _write(self, table, rows):
        with open(self.root / f"{table}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=self.fields[table], lineterminator="\n")
            w.writeheader()
            w.writerows(rows)

    def add(self, _table, **row):
        table = _table
        rows = self._rows(table)
        rows.append({k: ("" if v is None else str(v)) for k, v in row.items()})
        self._write(table, rows)
        return row

    def edit(self, table, key, value, **changes):
        rows = self._rows(table)
        for r in rows:
            if r[key] == value:
                r.update({k: str(v) for k, v in changes.items()})
        self._write(table, rows)

    def source(self, sid, design="rct", subjects="chronic low back pain"):
        return self.add("sources", source_id=sid, first_author="Doe J", year=2010, title=f"Trial {sid}",
                        design=design, subjects=subjects, url=URL, url_kind="publisher")

    def effect(self, eid, sid, *, comparator="sham", outcome="pain", instrument="VAS 0-100", weeks=8.0,
               measure="MD", est=-20.0, lo=-25.0, hi=-16.0, favours="negative", population="chronic low back pain",
               term=None):
        return self.add("effects", effect_id=eid, source_id=sid, population=population, comparison="acupuncture vs x",
                        comparator_class=comparator, outcome=outcome, instrument=instrument, timepoint_weeks=weeks,
                        term=term, measure=measure, estimate=est, ci_low=lo, ci_high=hi, favours=favours,
                        location="abstract", url=URL, status="verified")

    def link(self, cid, table, row_id, role="supports"):
        return self.add("claim_evidence", claim_id=cid, table=table, row_id=row_id, role=role)

    def threshold(self, tid="vas100", instrument="VAS 0-100", measure="MD", value=15, kind="mcid_between_group",
                  sid="mcid2008"):
        if not any(r["source_id"] == sid for r in self._rows("sources")):
            self.source(sid, design="other", subjects="low back pain")
        return self.add("thresholds", threshold_id=tid, instrument=instrument, measure=measure, value=value,
                        unit="points", kind=kind, source_id=sid, location="abstract", url=URL)

    def judge(self, cid, verdict, certainty, sid, override=None):
        self.edit("claims", "claim_id", cid, verdict=verdict, certainty=certainty, rationale=RATIONALE,
                  **({"override_reason": override} if override else {}))
        self.add("claim_sources", claim_id=cid, source_id=sid, role="cited" if cid in ("C13", "C14", "C16", "C17") else "supports")

    def load(self):
        return ev.load(self.root)


@pytest.fixture
def pkg(data_copy):
    return Pkg(data_copy.root)


def sev(chk, kind, frame=None):
    return {f.severity for f in chk.findings if f.kind == kind and (frame is None or f.frame_id == frame)}


# --- comparator -------------------------------------------------------------------------------


def test_conventional_care_claim_on_sham_and_no_treatment_controls(pkg):
    pkg.source("vick")
    pkg.effect("e-sham", "vick", comparator="sham")
    pkg.effect("e-none", "vick", comparator="no_treatment")
    pkg.link("C14", "effects", "e-sham")
    pkg.link("C14", "effects", "e-none")
    c = check(pkg.load(), "C14")
    assert sev(c, "comparator", "C14.1") == {"ok"}
    (f,) = [f for f in c.findings if f.kind == "comparator" and f.frame_id == "C14.2"]
    assert f.severity == "mismatch" and "no acupuncture / waiting list and sham acupuncture only" in f.message
    assert set(f.rows) == {"effects:e-sham", "effects:e-none"}


def test_conventional_care_claim_with_a_conventional_arm_is_ok(pkg):
    pkg.source("haake")
    pkg.effect("e-conv", "haake", comparator="conventional_therapy")
    pkg.effect("e-sham", "haake", comparator="sham")
    pkg.link("C14", "effects", "e-conv")
    pkg.link("C14", "effects", "e-sham")
    c = check(pkg.load(), "C14")
    assert sev(c, "comparator", "C14.1") == {"ok"} and sev(c, "comparator", "C14.2") == {"ok"}


def test_sham_claim_on_usual_care_is_a_conflation(pkg):
    pkg.source("witt")
    pkg.effect("e-uc", "witt", comparator="usual_care")
    pkg.link("C14", "effects", "e-uc")
    c = check(pkg.load(), "C14")
    (f,) = [f for f in c.findings if f.kind == "comparator" and f.frame_id == "C14.1"]
    assert f.severity == "mismatch" and "conflated" in f.message
    # usual care is close to, not the same as, conventional therapy: info, not a mismatch
    assert sev(c, "comparator", "C14.2") == {"info"}


# --- time horizon -----------------------------------------------------------------------------


def test_long_term_claim_on_short_term_effects(pkg):
    pkg.source("t1")
    pkg.effect("e8", "t1", weeks=8, comparator="sham")
    pkg.effect("e26", "t1", weeks=26, comparator="sham")
    pkg.link("C15", "effects", "e8")
    pkg.link("C15", "effects", "e26")
    c = check(pkg.load(), "C15")
    assert sev(c, "time_horizon", "C15.1") == {"ok"}  # the short-term half
    (f,) = [f for f in c.findings if f.kind == "time_horizon" and f.frame_id == "C15.2"]
    assert f.severity == "mismatch" and "short and intermediate" in f.message


def test_long_term_claim_with_a_one_year_effect_is_ok(pkg):
    pkg.source("t1")
    pkg.effect("e8", "t1", weeks=8)
    pkg.effect("e52", "t1", weeks=52)
    pkg.link("C15", "effects", "e8")
    pkg.link("C15", "effects", "e52")
    c = check(pkg.load(), "C15")
    assert sev(c, "time_horizon", "C15.2") == {"ok"}


def test_horizon_without_timepoints_cannot_be_checked(pkg):
    pkg.source("t1")
    pkg.effect("e", "t1", weeks=None)
    pkg.link("C15", "effects", "e")
    # Not a caveat for readers: the check cannot read timing given in words, so it says only
    # that it did not run (info), never that the studies are silent on timing.
    assert sev(check(pkg.load(), "C15"), "time_horizon", "C15.2") == {"info"}


# --- population and subjects ------------------------------------------------------------------


def test_athletes_claim_on_general_back_pain_trials(pkg):
    pkg.source("t1")
    pkg.effect("e", "t1")
    pkg.link("C27", "effects", "e")
    c = check(pkg.load(), "C27")
    f = [f for f in c.findings if f.kind == "population"]
    assert {x.severity for x in f} == {"mismatch"} and "no study of athletes" in f[0].message


def test_athletes_claim_on_a_study_of_athletes_is_ok(pkg):
    pkg.source("ath", subjects="athletes")
    pkg.effect("e", "ath", population="elite rowers with back pain")
    pkg.link("C27", "effects", "e")
    assert sev(check(pkg.load(), "C27"), "population") == {"ok"}


def test_acute_evidence_for_a_chronic_claim(pkg):
    pkg.source("rev", design="systematic_review", subjects="low back pain")
    pkg.effect("e", "rev", population="adults with acute low back pain")
    pkg.link("C13", "effects", "e")
    assert sev(check(pkg.load(), "C13"), "population") == {"mismatch"}


def test_mixed_chronic_pain_is_indirect_for_chronic_back_pain(pkg):
    pkg.source("vick", design="ipd_meta_analysis", subjects="mixed chronic pain")
    pkg.effect("e", "vick", population="chronic pain of several kinds")
    pkg.link("C13", "effects", "e")
    assert sev(check(pkg.load(), "C13"), "population") == {"warning"}


@pytest.mark.parametrize("claimed,subjects,expected", [
    ("chronic low back pain", "chronic low back pain", "ok"),
    ("chronic low back pain", "acute low back pain", "mismatch"),
    ("acute low back pain", "chronic low back pain", "mismatch"),
    ("low back pain", "acute low back pain", "ok"),
    ("post-surgical patients", "low back pain", "mismatch"),
    ("post-surgical patients", "post-surgical patients", "ok"),
    ("office workers", "chronic low back pain", "mismatch"),
])
def test_population_fit(claimed, subjects, expected):
    import json

    from tests.conftest import DATA

    review = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))["review"]
    assert population_fit(claimed, subjects, condition=review["condition"],
                          populations=review["populations"]) == expected


def test_patient_claim_resting_only_on_animal_findings(pkg):
    pkg.source("rat", design="animal", subjects="animals")
    pkg.add("findings", finding_id="f-rat", source_id="rat", topic="inflammation", subjects="animals",
            finding="Electroacupuncture lowered inflammatory markers in rats.", location="abstract", url=URL,
            status="verified")
    pkg.link("C07", "findings", "f-rat")
    c = check(pkg.load(), "C07")
    (f,) = c.of_kind("subjects")
    assert f.severity == "mismatch" and "only on animal or healthy-volunteer evidence" in f.message


def test_patient_claim_with_patient_findings_is_ok(pkg):
    pkg.source("pat", design="observational", subjects="chronic low back pain")
    pkg.add("findings", finding_id="f-pat", source_id="pat", topic="inflammation", subjects="chronic low back pain",
            finding="Markers measured in patients.", location="abstract", url=URL, status="verified")
    pkg.link("C07", "findings", "f-pat")
    assert sev(check(pkg.load(), "C07"), "subjects") == {"ok"}


def test_volunteer_physiology_is_fine_for_a_physiology_claim_but_animals_are_not(pkg):
    pkg.source("hv", design="healthy_volunteer", subjects="healthy volunteers")
    pkg.add("findings", finding_id="f-hv", source_id="hv", topic="endorphins", subjects="healthy volunteers",
            finding="Needling changed a marker in volunteers.", location="abstract", url=URL, status="verified")
    pkg.link("C05", "findings", "f-hv")
    assert sev(check(pkg.load(), "C05"), "subjects") == {"ok"}
    pkg.source("rat", design="animal", subjects="animals")
    pkg.add("findings", finding_id="f-rat", source_id="rat", topic="endorphins", subjects="animals",
            finding="Opioid release in rats.", location="abstract", url=URL, status="verified")
    pkg.link("C10", "findings", "f-rat")
    assert sev(check(pkg.load(), "C10"), "subjects") == {"mismatch"}


# --- clinical relevance -----------------------------------------------------------------------


@pytest.mark.parametrize("est,lo,hi,expected,below", [
    (6.0, 2.0, 10.0, "significant_but_below_mcid", True),
    (12.0, 2.0, 20.0, "significant_but_below_mcid", False),
    (20.0, 16.0, 24.0, "clearly_above", False),
    (18.0, 10.0, 26.0, "inconclusive", False),
    (4.0, -1.0, 9.0, "not_significant", False),
    (-6.0, -9.0, -2.0, "favours_control", False),
])
def test_classify(est, lo, hi, expected, below):
    assert rel.classify(est, lo, hi, 15.0) == (expected, below)


def test_direction_of_benefit():
    # a pain MD of -20 (-25 to -16) with lower better is a benefit of 20 (16 to 25)
    assert rel.to_benefit(-20, -25, -16, "MD", "negative") == (20, 16, 25)
    e, lo, hi = rel.to_benefit(0.5, 0.4, 0.8, "RR", "ratio_lt1")
    assert e == pytest.approx(-math.log(0.5)) and lo < e < hi
    with pytest.raises(ValueError):
        rel.to_benefit(1, 0, 2, "MD", "na")


finite = st.floats(-50, 50, allow_nan=False)


@given(finite, finite, finite, st.floats(0.5, 30))
def test_classification_is_mirror_symmetric(a, b, c, m):
    """Reporting acupuncture minus control (lower better) or control minus acupuncture
    (higher better) is the same result and must be classified the same."""
    est, lo, hi = sorted([a, b, c])[1], min(a, b, c), max(a, b, c)
    thr = rel.assess(est, lo, hi, "MD", "positive", _thr_df(m), "VAS 0-100")
    mirrored = rel.assess(-est, -hi, -lo, "MD", "negative", _thr_df(m), "VAS 0-100")
    assert thr.category == mirrored.category


def _thr_df(value, instrument="VAS 0-100", measure="MD", kind="mcid_between_group"):
    import pandas as pd

    return pd.DataFrame([{"threshold_id": "t", "instrument": instrument, "measure": measure, "value": value,
                          "unit": "points", "kind": kind, "source_id": "s"}])


def test_thresholds_do_not_cross_scale_ranges():
    import pandas as pd

    t = pd.concat([_thr_df(1.5, "NRS 0-10"), _thr_df(0.2, "SMD", "SMD", "smd_convention"),
                   _thr_df(0.5, "SMD", "SMD", "smd_convention"), _thr_df(0.8, "SMD", "SMD", "smd_convention")])
    t["threshold_id"] = ["nrs", "small", "moderate", "large"]
    assert rel.find_threshold(t, "MD", "VAS 0-100") is None
    assert rel.find_threshold(t, "MD", "nrs  0-10")["threshold_id"] == "nrs"
    assert rel.find_threshold(t, "SMD", None)["threshold_id"] == "moderate"


def test_smd_re_expressed_in_points():
    assert rel.smd_to_points(-0.3, 20.0) == pytest.approx(-6.0)
    with pytest.raises(ValueError):
        rel.smd_to_points(0.3, 0.0)
    import pandas as pd

    t = pd.concat([_thr_df(15.0, "VAS 0-100"), _thr_df(0.5, "SMD", "SMD", "smd_convention")])
    # SMD -0.6 (-0.9 to -0.45): above the 0.5 SD convention is not clear (CI crosses it) ...
    assert rel.assess(-0.6, -0.9, -0.45, "SMD", "negative", t, "VAS 0-100").category == "inconclusive"
    # ... but with an SD of 20 points it is 12 (9 to 18) points: below a 15-point MCID
    r = rel.assess(-0.6, -0.9, -0.45, "SMD", "negative", t, "VAS 0-100", reference_sd=20.0)
    assert r.category == "significant_but_below_mcid" and "re-expressed" in r.message


def test_significant_effect_below_the_mcid_is_flagged(pkg):
    pkg.threshold()
    pkg.source("t1")
    pkg.effect("small", "t1", est=-6, lo=-9, hi=-3)
    pkg.link("C14", "effects", "small")
    c = check(pkg.load(), "C14")
    (f,) = [f for f in c.of_kind("clinical_relevance") if f.frame_id == "C14.1"]
    assert f.severity == "warning" and "smaller than the clinical threshold" in f.message
    assert "minimal clinically important difference between groups of 15 points" in f.message
    assert "vas100" not in f.message  # readers see the threshold in words, never its internal id
    assert dict(c.relevance)["effects:small"].whole_ci_below


def test_effect_clearly_above_the_mcid_is_ok(pkg):
    pkg.threshold()
    pkg.source("t1")
    pkg.effect("big", "t1", est=-25, lo=-30, hi=-18)
    pkg.link("C14", "effects", "big")
    assert sev(check(pkg.load(), "C14"), "clinical_relevance", "C14.1") == {"ok"}


def test_benefit_claim_on_a_non_significant_effect(pkg):
    pkg.threshold()
    pkg.source("t1")
    pkg.effect("null", "t1", est=-3, lo=-8, hi=2)
    pkg.link("C14", "effects", "null")
    assert sev(check(pkg.load(), "C14"), "clinical_relevance", "C14.1") == {"mismatch"}


def test_comparable_claim_needs_equivalence_not_just_no_difference(pkg):
    pkg.threshold()
    pkg.source("t1", subjects="low back pain")
    pkg.effect("wide", "t1", comparator="conventional_therapy", est=-2, lo=-20, hi=16, population="low back pain")
    pkg.link("C17", "effects", "wide")
    assert sev(check(pkg.load(), "C17"), "clinical_relevance") == {"warning"}
    pkg.effect("narrow", "t1", comparator="conventional_therapy", est=-1, lo=-6, hi=4, population="low back pain")
    pkg.link("C17", "effects", "narrow")
    assert sev(check(pkg.load(), "C17"), "clinical_relevance") == {"ok"}


# --- GRADE ------------------------------------------------------------------------------------


def _pooled(pkg, aid, sid, *, est=-0.5, lo=-0.7, hi=-0.3, i2=None, tau2=None, k=None, certainty=None):
    pkg.add("pooled_results", analysis_id=aid, source_id=sid, description="pain, acupuncture vs sham",
            comparator_class="sham", outcome="pain", term="short", measure="SMD", favours="negative", k=k, estimate=est, ci_low=lo,
            ci_high=hi, i2=i2, tau2=tau2, certainty=certainty, location="Analysis 1.1", url=URL, status="verified")


def _trials(pkg, aid, sid, effects):
    for i, (e, lo, hi) in enumerate(effects):
        pkg.add("trial_data", analysis_id=aid, source_id=sid, study_label=f"Trial {i} 20{i:02d}", measure="SMD",
                estimate=e, ci_low=lo, ci_high=hi, location="Figure 2", url=URL, status="verified")


def grade_of(ds, cid):
    return suggest_grade(ds, cid).set_index("domain")


def test_imprecision_from_the_ci(pkg):
    pkg.threshold(tid="smd", instrument="SMD", measure="SMD", value=0.5, kind="smd_convention")
    pkg.source("rev", design="cochrane_review")
    _pooled(pkg, "precise", "rev", est=-0.9, lo=-1.1, hi=-0.7)
    _pooled(pkg, "crosses-mcid", "rev", est=-0.6, lo=-0.8, hi=-0.3)
    _pooled(pkg, "crosses-both", "rev", est=-0.4, lo=-0.9, hi=0.1)
    pkg.link("C13", "pooled_results", "precise")
    pkg.link("C26", "pooled_results", "crosses-mcid")
    pkg.link("C37", "pooled_results", "crosses-both")
    ds = pkg.load()
    assert grade_of(ds, "C13").loc["imprecision", "suggested"] == "no_concern"
    assert grade_of(ds, "C26").loc["imprecision", "suggested"] == "serious"
    assert grade_of(ds, "C37").loc["imprecision", "suggested"] == "very_serious"


def test_inconsistency_from_i2_and_prediction_interval(pkg):
    pkg.source("rev", design="cochrane_review")
    _pooled(pkg, "homog", "rev", i2=10)
    _pooled(pkg, "heterog", "rev", i2=70)
    _pooled(pkg, "spread", "rev", est=-0.5, lo=-0.8, hi=-0.2, i2=40)
    _trials(pkg, "spread", "rev", [(-1.5, -1.9, -1.1), (0.4, 0.0, 0.8), (-0.4, -0.8, 0.0), (-0.6, -1.0, -0.2)])
    pkg.link("C13", "pooled_results", "homog")
    pkg.link("C26", "pooled_results", "heterog")
    pkg.link("C37", "pooled_results", "spread")
    ds = pkg.load()
    assert grade_of(ds, "C13").loc["inconsistency", "suggested"] == "no_concern"
    assert grade_of(ds, "C26").loc["inconsistency", "suggested"] == "serious"
    g = grade_of(ds, "C37").loc["inconsistency"]
    assert g["suggested"] == "serious" and "PI" in g["reason"] and "crosses the null" in g["reason"]
    pi = prediction_interval(ds, ds.pooled_results.set_index("analysis_id").loc["spread"].rename(
        {"name": "analysis_id"}).to_dict() | {"analysis_id": "spread"})
    assert pi[0] < -0.5 < pi[1] and pi[1] > 0


def test_indirectness_from_frame_mismatches(pkg):
    pkg.source("vick")
    pkg.effect("e", "vick", comparator="sham")
    pkg.link("C14", "effects", "e")
    pkg.link("C13", "effects", "e")
    ds = pkg.load()
    assert grade_of(ds, "C14").loc["indirectness", "suggested"] == "serious"  # C14.2: conventional care
    assert grade_of(ds, "C13").loc["indirectness", "suggested"] == "no_concern"


def test_publication_bias_needs_ten_trials(pkg, monkeypatch):
    pkg.source("rev", design="cochrane_review")
    _pooled(pkg, "few", "rev")
    _pooled(pkg, "many", "rev")
    _trials(pkg, "few", "rev", [(-0.5, -0.9, -0.1)] * 5)
    _trials(pkg, "many", "rev", [(-0.5 - 0.05 * i, -0.9 - 0.1 * i, -0.1) for i in range(12)])
    pkg.link("C13", "pooled_results", "few")
    pkg.link("C26", "pooled_results", "many")
    ds = pkg.load()
    assert "Egger needs >= 10" in grade_of(ds, "C13").loc["publication_bias", "reason"]
    seen = {}

    def egger_test(yi, vi):
        seen["k"] = len(yi)
        return types.SimpleNamespace(pvalue=0.01)

    monkeypatch.setitem(sys.modules, "evidence_lib.meta", types.SimpleNamespace(egger_test=egger_test))
    g = grade_of(ds, "C26").loc["publication_bias"]
    assert g["suggested"] == "serious" and seen["k"] == 12


def test_start_level_and_computed_certainty(pkg):
    pkg.source("rct1")
    pkg.effect("e", "rct1", comparator="sham", est=-6, lo=-20, hi=2)  # crosses null and MCID
    pkg.threshold()
    pkg.link("C13", "effects", "e")
    pkg.source("rat", design="animal", subjects="animals")
    pkg.add("findings", finding_id="f", source_id="rat", topic="t", subjects="animals", finding="x",
            location="abstract", url=URL, status="verified")
    pkg.link("C05", "findings", "f")
    ds = pkg.load()
    cc = computed_certainty(ds, "C13")
    assert cc["start"] == "high" and cc["certainty"] == "low" and "imprecision very_serious" in cc["explanation"]
    cc = computed_certainty(ds, "C05")
    assert cc["start"] == "low" and "animal" in cc["start_reason"] and cc["certainty"] == "very_low"
    assert computed_certainty(ds, "C03")["certainty"] == "none"


# --- coherence --------------------------------------------------------------------------------


def test_supported_high_on_animal_evidence_only(pkg):
    pkg.source("rat", design="animal", subjects="animals")
    pkg.add("findings", finding_id="f", source_id="rat", topic="inflammation", subjects="animals", finding="x",
            location="abstract", url=URL, status="verified")
    pkg.link("C07", "findings", "f")
    pkg.judge("C07", "supported", "high", "rat")
    coh = coherence(pkg.load())
    issues = set(coh.loc[coh["claim_id"] == "C07", "issue"])
    assert {"subjects", "certainty_on_nonpatient_evidence", "certainty_above_computed"} <= issues


def test_supported_below_the_mcid(pkg):
    pkg.threshold()
    pkg.source("t1")
    pkg.effect("small", "t1", est=-6, lo=-9, hi=-3)
    pkg.link("C13", "effects", "small")
    pkg.judge("C13", "supported", "moderate", "t1")
    coh = coherence_for(pkg.load(), "C13")
    assert (coh["issue"] == "below_mcid").any() and set(coh.loc[coh["issue"] == "below_mcid", "severity"]) == {"mismatch"}


def test_supported_with_caveats_below_the_mcid_is_not_an_issue(pkg):
    pkg.threshold()
    pkg.source("t1")
    pkg.effect("small", "t1", est=-6, lo=-9, hi=-3)
    pkg.link("C13", "effects", "small")
    pkg.judge("C13", "supported_with_caveats", "high", "t1")
    coh = coherence_for(pkg.load(), "C13")
    assert not (coh["issue"] == "below_mcid").any()
    assert coh.empty or set(coh["severity"]) <= {"info"}


def test_supported_long_term_with_short_term_rows_only(pkg):
    pkg.source("t1", subjects="low back pain")
    pkg.effect("e8", "t1", weeks=8, population="low back pain")
    pkg.link("C15", "effects", "e8")
    pkg.judge("C15", "supported", "high", "t1")
    coh = coherence_for(pkg.load(), "C15")
    assert set(coh.loc[coh["issue"] == "time_horizon", "severity"]) == {"mismatch"}


def test_certainty_stated_above_computed_and_override(pkg):
    pkg.threshold()
    pkg.source("t1")
    pkg.effect("e", "t1", comparator="sham", est=-20, lo=-30, hi=-10)  # crosses the MCID: serious
    pkg.link("C13", "effects", "e")
    pkg.judge("C13", "supported_with_caveats", "high", "t1")
    coh = coherence_for(pkg.load(), "C13")
    (row,) = coh[coh["issue"] == "certainty_above_computed"].itertuples()
    assert row.severity == "mismatch" and not row.overridden and "computed 'moderate'" in row.message
    pkg.edit("claims", "claim_id", "C13", override_reason="The review's GRADE rated imprecision no concern "
                                                          "with a larger information size than this row shows.")
    coh = coherence_for(pkg.load(), "C13")
    (row,) = coh[coh["issue"] == "certainty_above_computed"].itertuples()
    assert row.overridden and "information size" in row.override_reason
    assert ev.load(pkg.root) is not None


def test_stored_grade_disagreement_is_reported_unless_overridden(pkg):
    pkg.threshold()
    pkg.source("t1")
    pkg.effect("e", "t1", comparator="sham", est=-20, lo=-30, hi=-10)
    pkg.link("C13", "effects", "e")
    pkg.judge("C13", "supported_with_caveats", "moderate", "t1")
    pkg.add("grade", claim_id="C13", domain="imprecision", judgment="no_concern", reason="Narrow enough.")
    coh = coherence_for(pkg.load(), "C13")
    (row,) = coh[coh["issue"] == "grade_imprecision"].itertuples()
    assert not row.overridden and "suggest serious" in row.message
    assert (coh["issue"] == "certainty_vs_grade_table").any()  # no downgrade stored: high, not moderate
    pkg.edit("grade", "claim_id", "C13", override_reason="Several trials agree; the MCID crossing is marginal.")
    coh = coherence_for(pkg.load(), "C13")
    assert coh.loc[coh["issue"] == "grade_imprecision", "overridden"].all()


def test_coherent_claim_has_no_open_issue(pkg):
    pkg.threshold()
    pkg.source("t1")
    pkg.effect("e", "t1", comparator="sham", est=-25, lo=-30, hi=-18, weeks=8)
    pkg.link("C13", "effects", "e")
    pkg.judge("C13", "supported", "high", "t1")
    coh = coherence_for(pkg.load(), "C13")
    assert coh.empty, coh.to_string()


# --- data and validation ----------------------------------------------------------------------


def test_every_bundled_claim_has_a_frame(ds):
    assert set(ds.claim_frames["claim_id"]) == set(ds.claims["claim_id"])
    assert set(ds.frames_for("C14")["comparator_class"]) == {"sham", "conventional_therapy"}
    assert set(ds.frames_for("C15")["time_horizon"]) == {"short", "long"}
    assert (ds.frames_for("C03")["evidence_needed"] == "none").all()


def test_scorecard_has_the_ten_criteria(ds):
    assert len(ds.scorecard) == 10 and ds.scorecard["criterion_id"].is_unique
    assert set(ds.scorecard["judgment"]) <= {"satisfactory", "not_satisfactory", "not_applicable"}


def _problems(root):
    with pytest.raises(DataValidationError) as exc:
        ev.load(root)
    return exc.value.problems


def test_claim_without_frame_and_misnamed_frame(pkg):
    rows = [r for r in pkg._rows("claim_frames") if r["claim_id"] != "C05"]
    rows[0]["frame_id"] = "C02.1"  # belongs to C01
    pkg._write("claim_frames", rows)
    probs = _problems(pkg.root)
    assert any(p.file == "claim_frames.csv" and "claim C05 has no frame" in p.message for p in probs)
    assert any(p.file == "claim_frames.csv" and p.line == 2 and p.column == "frame_id" for p in probs)


def test_frame_vocabulary_and_mixed_none(pkg):
    pkg.edit("claim_frames", "frame_id", "C14.1", comparator_class="placebo")
    pkg.edit("claim_frames", "frame_id", "C15.2", evidence_needed="none", magnitude_claimed="none")
    probs = _problems(pkg.root)
    assert any(p.column == "comparator_class" and "'placebo' is not one of" in p.message for p in probs)
    assert any(p.column == "evidence_needed" and "C15 mixes" in p.message for p in probs)


def test_scorecard_words_must_be_the_articles(pkg):
    pkg.edit("scorecard", "criterion_id", "costs", article_words="acupuncture is cheap")
    (p,) = [p for p in _problems(pkg.root) if p.file == "scorecard.csv"]
    assert p.line == 2 and p.column == "article_words"


def test_grade_rows_only_for_judged_claims(pkg):
    pkg.add("grade", claim_id="C03", domain="imprecision", judgment="serious", reason="x")
    pkg.add("grade", claim_id="C99", domain="imprecision", judgment="serious", reason="x")
    probs = _problems(pkg.root)
    assert any(p.file == "grade.csv" and p.line == 2 and "not_checkable" in p.message for p in probs)
    assert any(p.file == "grade.csv" and "unknown claim_id 'C99'" in p.message for p in probs)


# --- display and command line -----------------------------------------------------------------


def test_format_checks_fits_100_columns(pkg):
    pkg.threshold()
    pkg.source("vick", subjects="mixed chronic pain")
    pkg.effect("a-very-long-effect-identifier-for-wrapping", "vick", est=-6, lo=-9, hi=-3)
    pkg.link("C14", "effects", "a-very-long-effect-identifier-for-wrapping")
    ds = pkg.load()
    out = format_checks(ds, "C14", width=100)
    assert max(map(len, out.splitlines())) <= 100
    flat = " ".join(out.split())  # wrapped lines joined again
    for part in ("C14.1", "C14.2", "comparator", "smaller than the clinical threshold", "imprecision", "Coherence"):
        assert part in flat
    for cid in ds.claims["claim_id"]:
        assert max(map(len, format_checks(ds, cid, width=80).splitlines())) <= 80


def test_check_all_has_one_row_per_finding(pkg):
    pkg.source("t1")
    pkg.effect("e", "t1", comparator="sham")
    pkg.link("C14", "effects", "e")
    ds = pkg.load()
    df = check_all(ds)
    assert list(df.columns) == ["claim_id", "frame_id", "kind", "severity", "message", "rows"]
    assert len(df) == sum(len(check(ds, c).findings) for c in ds.claims["claim_id"])
    assert ((df["claim_id"] == "C14") & (df["severity"] == "mismatch") & (df["kind"] == "comparator")).any()


def test_cli_check(pkg):
    pkg.source("t1")
    pkg.effect("e", "t1", comparator="sham")
    pkg.link("C14", "effects", "e")
    out = subprocess.run([sys.executable, "-m", "evidence_lib.cli", "--data", str(pkg.root), "check", "--width", "100"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr  # findings are not failures
    assert "C14.2 MISMATCH comparator" in out.stdout
    assert max(map(len, out.stdout.splitlines())) <= 100
    pkg.edit("claim_frames", "frame_id", "C14.1", outcome="happiness")
    bad = subprocess.run([sys.executable, "-m", "evidence_lib.cli", "--data", str(pkg.root), "check"],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "claim_frames.csv" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_review_shows_checks():
    out = subprocess.run([sys.executable, "-m", "evidence_lib.cli", "--data", str(DATA), "review", "C14",
                          "--width", "100"], capture_output=True, text=True, check=True).stdout
    assert "Checks for C14" in out and "GRADE" in out


def test_effect_population_words_narrow_a_mixed_review(pkg):
    pkg.source("rev", design="systematic_review", subjects="low back pain")
    pkg.effect("e", "rev", population="low back pain of any duration")
    pkg.link("C13", "effects", "e")
    assert sev(check(pkg.load(), "C13"), "population") == {"info"}  # any duration: indirect for chronic
    pkg.edit("effects", "effect_id", "e", population="chronic low back pain, 12 weeks or more")
    assert sev(check(pkg.load(), "C13"), "population") == {"ok"}


def test_relevance_is_read_on_the_frames_own_comparison(pkg):
    pkg.threshold()
    pkg.source("t1")
    pkg.effect("sham-small", "t1", comparator="sham", est=-6, lo=-9, hi=-3)
    pkg.effect("none-big", "t1", comparator="no_treatment", est=-25, lo=-30, hi=-20)
    pkg.link("C14", "effects", "sham-small")
    pkg.link("C14", "effects", "none-big")
    c = check(pkg.load(), "C14")
    (f,) = [f for f in c.of_kind("clinical_relevance") if f.frame_id == "C14.1"]
    assert f.severity == "warning" and f.rows == ("effects:sham-small",)


@pytest.mark.parametrize("module", ["evidence_lib.review.relevance", "evidence_lib.review.checks", "evidence_lib.review.grading"])
def test_docstring_examples(module):
    import doctest
    import importlib

    res = doctest.testmod(importlib.import_module(module))
    assert res.failed == 0 and res.attempted > 0
