import csv
import shutil
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every pyplot figure a test left open, so that figures do not pile up across tests.

    Looks pyplot up instead of importing it: a test that never drew pays nothing and does not
    load matplotlib (each figure test module chooses the Agg backend itself)."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


@pytest.fixture(scope="session")
def ds():
    import evidence_lib as ev

    return ev.load()


class DataCopy:
    """A writable copy of the bundled data package, with helpers to break it."""

    def __init__(self, root: Path):
        self.root = root

    def rows(self, table):
        with open(self.root / f"{table}.csv", newline="", encoding="utf-8") as fh:
            r = csv.DictReader(fh)
            return r.fieldnames, list(r)

    def write(self, table, fieldnames, rows):
        with open(self.root / f"{table}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fieldnames, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)

    def edit(self, table, index, **changes):
        """Change cells of data row ``index`` (0-based; file line index + 2)."""
        names, rows = self.rows(table)
        rows[index].update(changes)
        self.write(table, names, rows)

    def drop_column(self, table, column):
        names, rows = self.rows(table)
        names = [n for n in names if n != column]
        self.write(table, names, [{k: v for k, v in r.items() if k != column} for r in rows])

    def append(self, table, **row):
        names, rows = self.rows(table)
        rows.append({n: row.get(n, "") for n in names})
        self.write(table, names, rows)


@pytest.fixture
def data_copy(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    return DataCopy(root)


EVIL = "<script>alert(1)</script>"

#: Verdicts given to a few claims of the report fixture (the rest stay not_checkable).
REPORT_VERDICTS = {
    "C03": ("contradicted", "low", "cochrane2020", "contradicts"),
    "C13": ("supported_with_caveats", "moderate", "cochrane2020", "cited"),
    "C15": ("overstated", "low", "haake2007", "qualifies"),
    "C18": ("unsupported", "very_low", "haake2007", "context"),
    "C21": ("supported", "moderate", "witt2009", "supports"),
    "C37": ("supported", "low", "nice2016", "supports"),
}


def _schema_fields(root, table):
    import json

    desc = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in desc["resources"] if r["name"] == table)
    return [f["name"] for f in res["schema"]["fields"]]


def _append_rows(copy: DataCopy, table, rows):
    path = copy.root / f"{table}.csv"
    if path.exists():
        names, old = copy.rows(table)
    else:
        names, old = _schema_fields(copy.root, table), []
    key = ("claim_id", "source_id") if table == "claim_sources" else (names[0],)
    new_keys = {tuple(r.get(k, "") for k in key) for r in rows}
    old = [r for r in old if tuple(r.get(k, "") for k in key) not in new_keys]  # the fixture's row replaces the bundled one
    copy.write(table, names, old + [{n: r.get(n, "") for n in names} for r in rows])


def make_report_package(copy: DataCopy) -> Path:
    """Turn a copy of the bundled package into a small but complete one for report tests:
    four sources (one guideline with TeX specials and an HTML injection in its title),
    six judged claims (one of each verdict, one rationale carrying a script tag; only C13 states
    caveats, two, one carrying markup), pooled
    results, effects (one unverified), adverse events and claim_evidence links.
    Constructed test data: the numbers are plausible, not quoted from the papers, and the DOIs
    and PMIDs of haake2007 and witt2009 are synthetic (10.9999/..., 9000000x) so that no
    unread identifier looks real."""
    _append_rows(copy, "sources", [
        dict(source_id="cochrane2020", first_author="Mu J", year="2020",
             title="Acupuncture for chronic nonspecific low back pain", journal="Cochrane Database Syst Rev",
             volume="12", issue="12", pages="CD013814", doi="10.1002/14651858.CD013814", pmid="33306198",
             design="cochrane_review", subjects="chronic low back pain", n_participants="2960",
             url="https://pubmed.ncbi.nlm.nih.gov/90000003/", url_kind="pubmed", location="abstract"),
        dict(source_id="haake2007", first_author="Haake M", year="2007",
             title="German Acupuncture Trials (GERAC) for chronic low back pain", journal="Arch Intern Med",
             volume="167", issue="17", pages="1892-1898", doi="10.9999/test.haake.2007", pmid="90000001",
             design="rct", subjects="chronic low back pain", n_participants="1162",
             url="https://pubmed.ncbi.nlm.nih.gov/90000001/", url_kind="pubmed", location="abstract"),
        dict(source_id="nice2016", first_author="National Institute for Health and Care Excellence", year="2016",
             title="Low back pain {and} sciatica in over 16s & 50% of _others_ $x^2$ ~ #1 \\ " + EVIL,
             journal="NICE", design="guideline", subjects="low back pain",
             url="https://www.nice.org.uk/guidance/ng59", url_kind="publisher", location="recommendations 1.2.8"),
        dict(source_id="witt2009", first_author="Witt CM", year="2009",
             title="Safety of acupuncture: results of a prospective observational study", journal="Forsch Komplementmed",
             volume="16", issue="2", pages="91-97", doi="10.9999/test.witt.2009", pmid="90000002",
             design="observational", subjects="acupuncture patients", n_participants="229230",
             url="https://pubmed.ncbi.nlm.nih.gov/90000002/", url_kind="pubmed", location="abstract"),
    ])
    names, claims = copy.rows("claims")
    for row in claims:
        if row["claim_id"] in REPORT_VERDICTS:
            verdict, cert, _, _ = REPORT_VERDICTS[row["claim_id"]]
            row["verdict"], row["certainty"] = verdict, cert
            row["rationale"] = (f"Constructed rationale for {row['claim_id']}: the linked evidence was read and "
                                f"judged {verdict}. It stands in for the reviewers' text in tests.")
        # only C13 ('with caveats' here) states caveats: the bundled claims' own would mix into the checks' tests
        row["caveats"] = ("Constructed caveat for C13, standing in for the reviewers' words. | A second one <em>x</em>."
                          if row["claim_id"] == "C13" else "")
    claims[2]["rationale"] += " " + EVIL
    copy.write("claims", names, claims)
    _append_rows(copy, "claim_sources", [
        dict(claim_id=c, source_id=s, role=role, note=f"test link for {c}")
        for c, (_, _, s, role) in sorted(REPORT_VERDICTS.items())
    ] + [dict(claim_id="C13", source_id="haake2007", role="supports", note="a second source")])
    _append_rows(copy, "pooled_results", [
        dict(analysis_id="pr-sham-short", source_id="cochrane2020", description="Pain intensity, acupuncture vs sham",
             comparison="acupuncture vs sham acupuncture", comparator_class="sham", outcome="pain",
             timepoint="immediately after treatment", term="short", measure="MD", favours="negative", model="random effects", k="10",
             n_participants="1758", estimate="-9.22", ci_low="-13.82", ci_high="-4.61", certainty="low",
             location="summary of findings 1", url="https://pubmed.ncbi.nlm.nih.gov/90000003/", status="verified"),
        dict(analysis_id="pr-uc-short", source_id="cochrane2020", description="Pain intensity, acupuncture vs usual care",
             comparison="acupuncture vs usual care", comparator_class="usual_care", outcome="pain",
             timepoint="immediately after treatment", term="short", measure="MD", favours="negative", k="5", n_participants="1054",
             estimate="-10.26", ci_low="-17.11", ci_high="-3.40", certainty="moderate",
             location="summary of findings 2", url="https://pubmed.ncbi.nlm.nih.gov/90000003/", status="unverified"),
    ])
    _append_rows(copy, "effects", [
        dict(effect_id="eff-gerac-resp", source_id="haake2007", population="chronic low back pain",
             comparison="verum acupuncture vs sham acupuncture", comparator_class="sham", outcome="response",
             instrument="responder (33% pain or 12% function)", timepoint="6 months", timepoint_weeks="26",
             term="intermediate", measure="RR", estimate="1.04", ci_low="0.89", ci_high="1.21",
             n_intervention="387", n_control="387", favours="ratio_gt1", location="Table 2",
             url="https://pubmed.ncbi.nlm.nih.gov/90000001/", status="verified"),
        dict(effect_id="eff-gerac-conv", source_id="haake2007", population="chronic low back pain",
             comparison="verum acupuncture vs conventional therapy", comparator_class="conventional_therapy",
             outcome="pain", instrument="VAS 0-100", timepoint="6 months", timepoint_weeks="26",
             term="intermediate", measure="MD", estimate="-8.0", ci_low="-12.5", ci_high="-3.5",
             n_intervention="387", n_control="388", favours="negative", location="Table 3",
             url="https://pubmed.ncbi.nlm.nih.gov/90000001/", status="unverified"),
    ])
    _append_rows(copy, "adverse_events", [
        dict(ae_id="ae-witt-any", source_id="witt2009", population="patients treated with acupuncture",
             setting="German physicians", ae_type="any", event="Any adverse effect", attribution="attributed", events="19726", denominator="229230", unit="per_patient",
             estimate="0.086", location="abstract", url="https://pubmed.ncbi.nlm.nih.gov/90000002/", status="verified"),
        dict(ae_id="ae-witt-serious", source_id="witt2009", population="patients treated with acupuncture",
             setting="German physicians", ae_type="pneumothorax", event="Pneumothorax", attribution="attributed", events="2", denominator="229230", unit="per_patient",
             estimate="0.0000087", location="abstract", url="https://pubmed.ncbi.nlm.nih.gov/90000002/", status="unverified"),
    ])
    _append_rows(copy, "claim_evidence", [
        dict(claim_id="C03", table="pooled_results", row_id="pr-sham-short", role="contradicts", note="small effect vs sham"),
        dict(claim_id="C13", table="pooled_results", row_id="pr-sham-short", role="supports"),
        dict(claim_id="C13", table="pooled_results", row_id="pr-uc-short", role="supports"),
        dict(claim_id="C15", table="effects", row_id="eff-gerac-conv", role="qualifies"),
        dict(claim_id="C18", table="effects", row_id="eff-gerac-resp", role="context"),
        dict(claim_id="C21", table="adverse_events", row_id="ae-witt-any", role="supports"),
        dict(claim_id="C21", table="adverse_events", row_id="ae-witt-serious", role="supports"),
    ])
    return copy.root


@pytest.fixture
def report_ds(data_copy):
    """A loaded, validated small data package with sources, verdicts and evidence."""
    import evidence_lib as ev

    return ev.load(make_report_package(data_copy))
