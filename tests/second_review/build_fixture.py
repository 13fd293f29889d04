"""Write the synthetic second review (``tests/second_review/data/``): yoga for neck pain.

SYNTHETIC TEST DATA. Every name, number, DOI (10.9999/...), PMID (9000000x) and URL
(https://example.org/...) below is invented to test that the library reviews another
article with no code change; none describes a real study. The package starts from
``evidence_lib.dataset.scaffold.new_review`` (as ``evidence new`` does) and fills its tables.

Run ``python tests/second_review/build_fixture.py`` to rewrite the fixture.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

from evidence_lib.dataset.scaffold import new_review

HERE = Path(__file__).resolve().parent
OUT = HERE / "data"
URL = "https://example.org/synthetic"

ARTICLE = """Does yoga ease neck pain?

A synthetic article written for the evidence_lib test suite. It describes no real study.

What the trials say
Yoga reduces neck pain more than usual care within a few weeks. Gentle stretching classes also beat a sham routine of random movements.

How long it lasts
The benefit of yoga lasts for at least a year.

Safety
Yoga is completely safe and nobody gets hurt.

How often to practise
Practise for 60 minutes, twice a week, for 8 weeks.
"""

SOURCES = [
    dict(source_id="alder2031", first_author="Alder Q", year=2031, title="Synthetic trial one of yoga for neck pain",
         journal="Journal of Synthetic Trials", doi="10.9999/synth.2031.001", pmid="90000001", design="rct",
         subjects="neck pain", n_participants=120),
    dict(source_id="birch2032", first_author="Birch Z", year=2032, title="Synthetic trial two of yoga for neck pain",
         journal="Journal of Synthetic Trials", doi="10.9999/synth.2032.002", pmid="90000002", design="rct",
         subjects="neck pain", n_participants=90),
    dict(source_id="cedar2033", first_author="Cedar X", year=2033, title="Synthetic trial three, three arms",
         journal="Journal of Synthetic Trials", doi="10.9999/synth.2033.003", pmid="90000003", design="rct",
         subjects="neck pain", n_participants=150),
    dict(source_id="dogwood2034", first_author="Dogwood Y", year=2034, title="Synthetic meta-analysis of yoga trials",
         journal="Synthetic Reviews", doi="10.9999/synth.2034.004", pmid="90000004", design="meta_analysis",
         subjects="neck pain", n_participants=360),
    dict(source_id="elm2035", first_author="Elm W", year=2035, title="Synthetic survey of yoga class injuries",
         journal="Synthetic Safety", doi="10.9999/synth.2035.005", pmid="90000005", design="observational",
         subjects="general population", n_participants=5000),
]

PAIN = "NPS neck pain 0-100 (lower = better)"


def _write(name, rows, fields):
    with open(OUT / name, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in fields})


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    art = HERE / "article.txt"
    art.write_text(ARTICLE, encoding="utf-8", newline="\n")
    new_review(art, OUT, title="Does yoga ease neck pain?", intervention="yoga", condition="neck pain",
               url="https://example.org/synthetic/article", date=dt.date(2040, 1, 1))
    art.unlink()
    desc = json.loads((OUT / "datapackage.json").read_text(encoding="utf-8"))
    desc["description"] = ("SYNTHETIC TEST DATA for the evidence_lib test suite: an invented review of an invented "
                           "article; no row describes a real study. " + desc["description"])
    desc["review"]["comparators"] = {"sham": "sham movement routine", "usual_care": "usual care",
                                     "mixed": "mixed comparators"}
    desc["review"]["article_plan"] = {"label": "The article's plan", "minutes": [60, 60], "sessions_per_week": [2, 2],
                                      "weeks": [8, 8], "source": "article.txt, the quote of claim C05"}
    (OUT / "datapackage.json").write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    fields = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in desc["resources"] if "schema" in r}
    text = (OUT / "article.txt").read_text(encoding="utf-8")

    def claim(cid, quote, section, category, verdict, certainty, rationale):
        start = text.index(quote)
        return dict(claim_id=cid, start=start, end=start + len(quote), section=section, category=category,
                    verdict=verdict, certainty=certainty, rationale=rationale, quote=quote)

    claims = [
        claim("C01", "Yoga reduces neck pain more than usual care within a few weeks.", "What the trials say",
              "efficacy", "supported_with_caveats", "low",
              "Two synthetic trials found less pain with yoga than with usual care at 6 to 8 weeks; the difference is "
              "smaller than the threshold set for this test."),
        claim("C02", "Gentle stretching classes also beat a sham routine of random movements.", "What the trials say",
              "comparison", "overstated", "low",
              "The synthetic sham-controlled trial found a small difference whose interval includes no difference. "
              "One trial cannot show that the classes beat the sham routine."),
        claim("C03", "The benefit of yoga lasts for at least a year.", "How long it lasts", "duration",
              "unsupported", "very_low", "No synthetic trial followed patients beyond 26 weeks. "
              "At 26 weeks the difference from usual care was small and its interval included no difference."),
        claim("C04", "Yoga is completely safe and nobody gets hurt.", "Safety", "safety", "contradicted", "low",
              "The synthetic survey counted injuries in yoga classes: "
              "about 3 in 100 attendees reported one. Completely safe is therefore not what the data show."),
        claim("C05", "Practise for 60 minutes, twice a week, for 8 weeks.", "How often to practise", "protocol",
              "supported", "moderate", "The synthetic trials used 60-minute sessions twice a week for 8 weeks. "
              "That matches the plan of the article."),
    ]
    _write("claims.csv", claims, fields["claims"])
    _write("sources.csv", [dict(s, url=f"{URL}/{s['source_id']}", url_kind="publisher", location="abstract",
                                notes="Synthetic test source.") for s in SOURCES], fields["sources"])
    _write("claim_sources.csv", [
        dict(claim_id="C01", source_id="alder2031", role="supports"), dict(claim_id="C01", source_id="birch2032", role="supports"),
        dict(claim_id="C02", source_id="cedar2033", role="qualifies"), dict(claim_id="C03", source_id="alder2031", role="qualifies"),
        dict(claim_id="C04", source_id="elm2035", role="contradicts"), dict(claim_id="C05", source_id="alder2031", role="supports"),
    ], fields["claim_sources"])
    common = dict(location="Table 2", status="verified", notes="Synthetic.")
    eff = [
        dict(effect_id="alder2031-pain-uc-6w", source_id="alder2031", population="adults with chronic neck pain",
             comparison="yoga vs usual care", comparator_class="usual_care", outcome="pain", instrument=PAIN,
             timepoint="6 weeks", timepoint_weeks=6, term="short", measure="MD", estimate=-8.0, ci_low=-14.0,
             ci_high=-2.0, n_intervention=60, n_control=60, favours="negative"),
        dict(effect_id="alder2031-pain-uc-26w", source_id="alder2031", population="adults with chronic neck pain",
             comparison="yoga vs usual care", comparator_class="usual_care", outcome="pain", instrument=PAIN,
             timepoint="26 weeks", timepoint_weeks=26, term="intermediate", measure="MD", estimate=-4.0, ci_low=-10.0,
             ci_high=2.0, n_intervention=58, n_control=57, favours="negative"),
        dict(effect_id="birch2032-pain-uc-8w", source_id="birch2032", population="adults with neck pain",
             comparison="yoga vs usual care", comparator_class="usual_care", outcome="pain", instrument=PAIN,
             timepoint="8 weeks", timepoint_weeks=8, term="short", measure="MD", estimate=-6.0, ci_low=-13.0,
             ci_high=1.0, n_intervention=45, n_control=45, favours="negative"),
        dict(effect_id="cedar2033-pain-sham-8w", source_id="cedar2033", population="adults with neck pain",
             comparison="yoga vs sham movement routine", comparator_class="sham", outcome="pain", instrument=PAIN,
             timepoint="8 weeks", timepoint_weeks=8, term="short", measure="MD", estimate=-3.0, ci_low=-9.0,
             ci_high=3.0, n_intervention=50, n_control=50, favours="negative"),
    ]
    for arm, rates in (("yoga arm", (40.0, 45.0)), ("sham arm", (30.0, 33.0)), ("usual care arm", (20.0, 22.0))):
        for w, v in zip((8, 26), rates):
            eff.append(dict(effect_id=f"cedar2033-resp-{arm.split()[0]}-{w}w", source_id="cedar2033",
                            population="adults with neck pain", comparison=f"{arm} response rate",
                            comparator_class="none", outcome="response", instrument="30% less pain",
                            timepoint=f"{w} weeks", timepoint_weeks=w, term="short" if w <= 13 else "intermediate",
                            measure="percent", estimate=v, n_intervention=50, favours="na"))
    _write("effects.csv", [dict(common, url=f"{URL}/{e['source_id']}", **e) for e in eff], fields["effects"])
    arms = []
    for code, label, mean in (("intervention", "yoga classes", 38.0), ("usual_care", "usual care", 46.0)):
        for w, shift in ((6, 0.0), (26, 4.0)):
            arms.append(dict(arm_id=f"alder2031-{code}-{w}w", source_id="alder2031", arm=code, arm_label=label,
                             outcome="pain", instrument=PAIN, timepoint=f"{w} weeks", timepoint_weeks=w, n=60,
                             mean=mean + shift, sd=17.0))
    _write("arms.csv", [dict(common, url=f"{URL}/alder2031", **a) for a in arms], fields["arms"])
    td = [dict(analysis_id="dogwood2034-pain-uc", source_id="dogwood2034", study_label=lab, study_year=y, measure="MD",
               estimate=e, ci_low=lo, ci_high=hi, n_intervention=n, n_control=n, weight_percent=wt)
          for lab, y, e, lo, hi, n, wt in (("Alder 2031", 2031, -8.0, -14.0, -2.0, 60, 55.0),
                                           ("Birch 2032", 2032, -6.0, -13.0, 1.0, 45, 45.0))]
    _write("trial_data.csv", [dict(common, url=f"{URL}/dogwood2034", **r) for r in td], fields["trial_data"])
    smd = dict(common, analysis_id="dogwood2034-pain-uc-smd", source_id="dogwood2034",
               description="Pain, yoga vs usual care, short term, standardised", comparison="yoga vs usual care",
               comparator_class="usual_care", outcome="pain", timepoint="6-8 weeks", term="short", measure="SMD",
               instrument="pain scales", favours="negative", model="IV, Random", k=2, n_participants=210,
               estimate=-0.42, ci_low=-0.69, ci_high=-0.15, url=f"{URL}/dogwood2034")
    _write("pooled_results.csv", [smd, dict(
        common, analysis_id="dogwood2034-pain-uc", source_id="dogwood2034",
        description="Pain, yoga vs usual care, short term", comparison="yoga vs usual care",
        comparator_class="usual_care", outcome="pain", timepoint="6-8 weeks", term="short", measure="MD",
        instrument=PAIN, favours="negative", model="IV, Random", k=2, n_participants=210, estimate=-7.1,
        ci_low=-11.7, ci_high=-2.5, i2=0, url=f"{URL}/dogwood2034")], fields["pooled_results"])
    _write("adverse_events.csv", [dict(
        common, ae_id="elm2035-any", source_id="elm2035", population="yoga class attendees", setting="classes",
        ae_type="any", event="Any injury", attribution="attributed", events=150, denominator=5000, unit="per_patient", estimate=0.03,
        url=f"{URL}/elm2035")], fields["adverse_events"])
    _write("protocols.csv", [dict(
        common, protocol_id=f"{s}-yoga", source_id=s, arm="intervention", sessions_total=16, sessions_per_week=2,
        weeks=8, minutes_per_session=60, practitioner="yoga teachers", url=f"{URL}/{s}")
        for s in ("alder2031", "birch2032")], fields["protocols"])
    _write("thresholds.csv", [dict(
        threshold_id="alder2031-mcid", instrument=PAIN, applies_to="between-group differences", measure="MD",
        value=10, unit="points on 0-100", kind="mcid_between_group", source_id="alder2031", location="Methods",
        url=f"{URL}/alder2031", notes="Synthetic.")], fields["thresholds"])
    _write("findings.csv", [dict(
        finding_id="alder2031-follow-up", source_id="alder2031", topic="follow-up", subjects="neck pain",
        finding="Patients were followed for 26 weeks; no later visit.", location="Methods", url=f"{URL}/alder2031",
        status="verified")], fields["findings"])
    _write("claim_evidence.csv", [
        dict(claim_id="C01", table="pooled_results", row_id="dogwood2034-pain-uc", role="supports"),
        dict(claim_id="C01", table="effects", row_id="alder2031-pain-uc-6w", role="supports"),
        dict(claim_id="C02", table="effects", row_id="cedar2033-pain-sham-8w", role="qualifies"),
        dict(claim_id="C03", table="findings", row_id="alder2031-follow-up", role="qualifies"),
        dict(claim_id="C04", table="adverse_events", row_id="elm2035-any", role="contradicts"),
        dict(claim_id="C05", table="protocols", row_id="alder2031-yoga", role="supports"),
        dict(claim_id="C01", table="analyses", row_id="network-pain-short", role="context",
             note="The network of the synthetic trial arms with short-term pain (one trial enters)."),
    ], fields["claim_evidence"])
    frame = dict(intervention="yoga", population="neck pain", evidence_needed="patients_with_condition")
    _write("claim_frames.csv", [
        dict(frame, frame_id="C01.1", claim_id="C01", comparator_class="usual_care", outcome="pain",
             time_horizon="short", magnitude_claimed="any_benefit"),
        dict(frame, frame_id="C02.1", claim_id="C02", comparator_class="sham", outcome="pain", time_horizon="short",
             magnitude_claimed="superior"),
        dict(frame, frame_id="C03.1", claim_id="C03", comparator_class="any", outcome="pain", time_horizon="long",
             magnitude_claimed="any_benefit"),
        dict(frame, frame_id="C04.1", claim_id="C04", comparator_class="none", outcome="adverse_events",
             time_horizon="none", population="general population", evidence_needed="patients_any",
             magnitude_claimed="none"),
        dict(frame, frame_id="C05.1", claim_id="C05", comparator_class="none", outcome="none", time_horizon="none",
             evidence_needed="patients_any", magnitude_claimed="none"),
    ], fields["claim_frames"])
    _write("summary_of_findings.csv", [
        dict(sof_id="uc-pain-short", comparator_class="usual_care", outcome="pain", term="short",
             evidence_table="pooled_results", evidence_ids="dogwood2034-pain-uc",
             selection_reason="The only pooled estimate (synthetic)."),
        dict(sof_id="sham-pain-short", comparator_class="sham", outcome="pain", term="short", evidence_table="effects",
             evidence_ids="cedar2033-pain-sham-8w", selection_reason="The only sham-controlled trial (synthetic)."),
    ], fields["summary_of_findings"])
    grade = []
    for key, val in (("sof_id", "uc-pain-short"), ("sof_id", "sham-pain-short"), ("claim_id", "C01")):
        for dom in ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"):
            serious = dom in ("risk_of_bias", "imprecision")
            grade.append({key: val, "domain": dom, "judgment": "serious" if serious else "no_concern",
                          "reason": "Synthetic judgment for the test."})
    _write("grade.csv", grade, fields["grade"])
    _write("risk_of_bias.csv", [dict(study=lab, source_id=sid, assessed_by="dogwood2034", domain=d, judgment=j,
                                     support="Synthetic.", url=f"{URL}/dogwood2034", location="Figure 2")
                                for lab, sid in (("Alder 2031", "alder2031"), ("Birch 2032", "birch2032"))
                                for d, j in (("sequence_generation", "low"), ("allocation_concealment", "unclear"))],
           fields["risk_of_bias"])
    (OUT / "README.md").write_text(
        "# Synthetic second review (test data)\n\nSYNTHETIC TEST DATA: an invented article (\"Does yoga ease neck "
        "pain?\") and invented sources, effects, arms and judgments, written by `build_fixture.py` to test that "
        "evidence_lib reviews another article with no code change. Nothing here describes a real study; the DOIs "
        "(10.9999/...), PMIDs (9000000x) and URLs (example.org) are made up.\n", encoding="utf-8")


if __name__ == "__main__":
    main()
