"""Safety figure and harms table keep events attributed to the treatment apart from all-cause trial events.

References are the data package's own counts read with the csv module (hand computation:
events / denominator x 10,000) and R's ``binom.test`` intervals (tests/reference/safety_reference.R).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from evidence_lib.output import figure_series as fs
from evidence_lib.output import summary

from tests.conftest import DATA
from tests.faults._faults import edit_descriptor, problems_of, resource

REF = json.loads((Path(__file__).resolve().parents[1] / "reference" / "safety_reference.json").read_text())


def _csv_rows():
    with open(DATA / "adverse_events.csv", newline="", encoding="utf-8") as fh:
        return {r["ae_id"]: r for r in csv.DictReader(fh)}


def test_no_panel_mixes_attributed_and_all_cause_counts(ds):
    """The old figure drew Haake's all-cause arm rates on the axis of the cohorts' attributed rates."""
    rows = _csv_rows()
    panels = fs.safety_panels(ds)
    for title, rates, unit, frame in panels:
        kinds = {rows[a]["attribution"] for a in frame["ae_id"]}
        assert len(kinds) == 1, (title, kinds)
    by_id = {a: (t, r) for t, r, _u, f in panels for a in f["ae_id"]}
    all_cause = [a for a, r in rows.items() if r["attribution"] == "all_cause"]
    assert all_cause, "the bundled data hold the trial's all-cause serious events"
    for a in all_cause:
        title, rates = by_id[a]
        assert "whatever the cause" in title and "randomised to the arm" in rates
    attributed_panels = {t for t, _r, _u, f in panels if rows[f["ae_id"].iloc[0]]["attribution"] == "attributed"}
    assert all("attributed to acupuncture" in t for t in attributed_panels)


def test_all_cause_arm_rates_are_the_counts_over_the_arm(ds):
    rows = _csv_rows()
    got = fs.ae_inputs(ds).set_index("ae_id")
    for a, r in rows.items():
        if r["attribution"] != "all_cause":
            continue
        assert got.loc[a, "rate"] == pytest.approx(int(r["events"]) / int(r["denominator"]) * 10000)
    ref = REF["haake2007-sae-conv"]
    assert got.loc["haake2007-sae-conv", "rate_low"] == pytest.approx(ref["ci_low"] * 10000, rel=1e-9)
    assert got.loc["haake2007-sae-conv", "rate_high"] == pytest.approx(ref["ci_high"] * 10000, rel=1e-9)


def test_labels_never_put_the_year_on_a_line_of_its_own(ds):
    """'Tiredness or drowsiness (MacPherson\\n2005)' was wrapped mid-citation."""
    labels = list(fs.ae_inputs(ds)["label"])
    assert labels
    for lab in labels:
        for cite in re.findall(r"\(([^()]*\d{4})\)", lab.replace("\n", "\u2424")):
            assert "\u2424" not in cite, lab
        assert not any(re.fullmatch(r"\d{4}\)?", line.strip()) for line in lab.split("\n")), lab


def test_harms_rows_state_every_rate_per_10000_with_the_denominator(ds):
    """The old table said '1.01 per 10,000 patients' next to '0.0931 per patient' with no events."""
    harms = summary.harms_rows(ds)
    assert harms
    for h in harms:
        assert re.search(r" per 10,000 (patients|treatments \(sessions\))", h["effect"]), h["effect"]
        assert "per patient" not in h["effect"] and "per treatment" not in h["effect"]
        assert h["participants"], h


def test_pooled_any_event_rate_is_the_printed_proportion_times_10000(ds):
    rows = _csv_rows()
    sel = {c["ae_type"]: c for c in summary.select_harms_rows(ds)}
    r = rows[sel["any"]["row"]["ae_id"]]
    assert r["unit"] == "per_patient"
    want = [round(float(r[k]) * 10000, 6) for k in ("estimate", "ci_low", "ci_high")]
    text = next(h["effect"] for h in summary.harms_rows(ds) if h["outcome"] == "Any adverse event")
    got = [float(v.replace(",", "")) for v in re.findall(r"[\d,]+(?:\.\d+)?", text) if v.strip(",")]
    assert got[0] == pytest.approx(want[0]) and got[-2:] == pytest.approx(want[1:])


def test_events_column_holds_the_counts_of_the_largest_counted_study(ds):
    rows = _csv_rows()
    serious = [r for r in rows.values() if r["ae_type"] == "serious" and r["attribution"] == "attributed"
               and r["events"] and r["denominator"] and r["unit"] in ("per_patient", "per_10000_patients")]
    biggest = max(serious, key=lambda r: int(r["denominator"]))
    harms = [h for h in summary.harms_rows(ds) if h["outcome"] == "Serious adverse events"]
    counted = [h for h in harms if h["participants"].startswith(f"{int(biggest['events']):,} in")]
    assert len(counted) == 1
    assert counted[0]["participants"] == f"{int(biggest['events']):,} in {int(biggest['denominator']):,} patients"
    ref = REF[biggest["ae_id"]]
    x, n = ref["events"], ref["denominator"]
    assert (x, n) == (int(biggest["events"]), int(biggest["denominator"]))
    expected = (f"{x / n * 10000:.2g} per 10,000 patients (95% CI {ref['ci_low'] * 10000:.2g} to "
                f"{ref['ci_high'] * 10000:.2g}, exact, from the counts)")
    assert counted[0]["effect"] == expected


def test_a_blank_attribution_is_one_problem_naming_the_column(data_copy):
    names, rows = data_copy.rows("adverse_events")
    rows[0]["attribution"] = ""
    data_copy.write("adverse_events", names, rows)
    probs = [p for p in problems_of(data_copy.root) if p.file == "adverse_events.csv"]
    assert probs and all(p.column == "attribution" and p.line == 2 for p in probs)


def test_an_unknown_attribution_is_caught_even_without_the_descriptor_enum(data_copy):
    names, rows = data_copy.rows("adverse_events")
    rows[2]["attribution"] = "causal"
    data_copy.write("adverse_events", names, rows)
    edit_descriptor(data_copy.root, lambda d: next(f for f in resource(d, "adverse_events")["schema"]["fields"]
                                                   if f["name"] == "attribution")["constraints"].pop("enum"))
    (p,) = [p for p in problems_of(data_copy.root) if p.file == "adverse_events.csv"]
    assert (p.line, p.column) == (4, "attribution") and "attributed, all_cause, not_stated" in p.message
