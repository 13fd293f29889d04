"""A second review with no code change (#17): nothing of the bundled review leaks into another's outputs.

The fixture (``tests/second_review/data``, written by ``build_fixture.py``) is SYNTHETIC TEST DATA:
yoga for neck pain, invented sources with 10.9999/... DOIs and 9000000x PMIDs.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA

FIXTURE = Path(__file__).resolve().parent / "data"
TEXT_SUFFIXES = (".svg", ".html", ".json", ".jsonld", ".bib", ".txt", ".csv", ".md")


def _bundled_words() -> tuple[set[str], set[str]]:
    """The bundled review's source ids and first-author surnames (from data/sources.csv)."""
    with open(DATA / "sources.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    ids = {r["source_id"] for r in rows}
    surnames = set()
    for r in rows:
        parts = r["first_author"].split()
        # "Haake M" -> Haake; "de Vet HC" -> "de Vet"; an issuing body keeps its words
        while len(parts) > 1 and re.fullmatch(r"[A-Z]{1,4}\.?", parts[-1]):
            parts.pop()
        if parts:
            surnames.add(" ".join(parts).rstrip(","))
    return ids, surnames


def _leaks(text: str, ids: set[str], surnames: set[str]) -> list[str]:
    found = [w for w in ("acupunct", "sham acupuncture") if w in text.lower()]
    for w in ids | surnames:
        if re.search(r"(?<![A-Za-z0-9])" + re.escape(w) + r"(?![A-Za-z0-9])", text):
            found.append(w)
    return found


def _run(args, cwd):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("EVIDENCE_DATA", None)
    return subprocess.run([sys.executable, "-m", "evidence_lib.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_words_list_is_not_empty_and_the_search_can_fail():
    ids, surnames = _bundled_words()
    assert len(ids) > 50 and "Haake" in surnames
    assert _leaks("as Haake et al. showed", ids, surnames) == ["Haake"]
    assert _leaks("Acupuncture helps", ids, surnames) == ["acupunct"]
    assert _leaks("change the linejoin", ids, surnames) == []


def test_fixture_is_valid_and_marked_synthetic():
    from evidence_lib.dataset.loader import load

    ds = load(FIXTURE)
    assert "SYNTHETIC TEST DATA" in ds.descriptor["description"]
    assert "SYNTHETIC TEST DATA" in (FIXTURE / "README.md").read_text(encoding="utf-8")
    assert all(str(d).startswith("10.9999/") for d in ds.sources["doi"])
    assert all(re.fullmatch(r"9000000\d", str(p)) for p in ds.sources["pmid"])
    for c in ds.claims.itertuples():
        assert ds.article.text[c.start:c.end] == c.quote


def test_a_second_review_can_rest_a_claim_on_the_network_analysis():
    """The vocabulary value 'analyses' works in another review: its own network, its own words."""
    import matplotlib

    matplotlib.use("Agg")
    from evidence_lib.dataset.loader import load
    from evidence_lib.output.report import report_html
    from evidence_lib.review.ledger import format_claim

    ds = load(FIXTURE)
    html = report_html(ds)
    card = html[html.index('id="claim-C01"'):]
    card = card[:card.index("</article>")]
    assert 'href="#network"' in card and "(1 trial: Alder 2031)" in card
    assert "usual care" in card and "yoga" in card
    assert "claim-review.html#network" in format_claim(ds, "C01")


def test_fixture_build_has_every_output_and_nothing_of_the_bundled_review(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from evidence_lib.output.build import build
    from evidence_lib.output.figures import registry

    res = build(FIXTURE, tmp_path, progress=False)
    names = {p.name for p in res.files}
    for spec in registry():
        assert {f"{spec.name}.png", f"{spec.name}.svg"} <= names, spec.name
        assert "yet." not in res.alt_text[spec.name], (spec.name, res.alt_text[spec.name])  # drawn from data
    for report in ("claim-review.html", "claimreview.jsonld", "references.bib", "references.json"):
        assert report in names
    ids, surnames = _bundled_words()
    checked = 0
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            assert _leaks(path.read_text(encoding="utf-8"), ids, surnames) == [], path
            checked += 1
    assert checked >= 15
    for name, alt in res.alt_text.items():
        assert _leaks(alt, ids, surnames) == [], name
    html = (tmp_path / "reports" / "claim-review.html").read_text(encoding="utf-8")
    assert "yoga" in html and "Alder 2031" in html


def test_bundled_build_would_be_caught(tmp_path):
    """The same search finds the bundled review in its own report (the test above can fail)."""
    from evidence_lib.dataset.loader import load
    from evidence_lib.output.report import report_html

    ids, surnames = _bundled_words()
    assert _leaks(report_html(load(DATA), alt_text={}, check=None), ids, surnames)


def test_evidence_new_then_validate_check_build(tmp_path):
    article = tmp_path / "article.txt"
    raw = "Does tai chi help knee pain?\r\n\r\nSome words about tai chi \u2013 and knees.\n".encode("utf-8")
    article.write_bytes(raw)
    out = tmp_path / "review"
    r = _run(["new", str(article), "--out", str(out), "--intervention", "tai chi", "--condition", "knee pain",
              "--url", "https://example.org/tai-chi"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (out / "article.txt").read_bytes() == raw
    desc = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["review"]["intervention"] == "tai chi" and desc["review"]["condition"] == "knee pain"
    art = next(x for x in desc["resources"] if x["name"] == "article")
    assert art["title"] == "Does tai chi help knee pain?" and art["url"] == "https://example.org/tai-chi"
    bundled = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    assert [x["name"] for x in desc["resources"]] == [x["name"] for x in bundled["resources"]]
    for res in desc["resources"]:
        if "schema" in res:
            header = (out / res["path"]).read_text(encoding="utf-8").splitlines()
            assert header == [",".join(f["name"] for f in res["schema"]["fields"])]
    ids, surnames = _bundled_words()
    assert _leaks((out / "datapackage.json").read_text(encoding="utf-8"), ids, surnames) == []

    for args, cwd in ((["--data", str(out), "validate"], tmp_path), (["validate"], out), (["check"], out),
                      (["build", "--out", str(tmp_path / "built"), "--quiet"], out)):
        r = _run(args, cwd)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr, r.stderr
    assert "every table is empty yet" in _run(["validate"], out).stdout
    html = (tmp_path / "built" / "reports" / "claim-review.html").read_text(encoding="utf-8")
    assert "Still empty in the data package" in html and "claims, sources" in html
    assert (tmp_path / "built" / "build-manifest.json").exists()
    for path in (tmp_path / "built").rglob("*"):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            assert _leaks(path.read_text(encoding="utf-8"), ids, surnames) == [], path


def test_every_figure_says_no_data_in_one_line_on_an_empty_review(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evidence_lib.dataset.loader import load
    from evidence_lib.dataset.scaffold import new_review
    from evidence_lib.output.figures import registry

    article = tmp_path / "a.txt"
    article.write_text("A title\n\nText.\n", encoding="utf-8")
    ds = load(new_review(article, tmp_path / "pkg", title="A title", intervention="x", condition="y"))
    for spec in registry():
        plt.close(spec.draw(ds))
        alt = spec.describe(ds)
        assert "\n" not in alt and alt.rstrip().endswith("yet."), (spec.name, alt)


def test_new_refuses_a_folder_with_a_package_and_bad_options(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("T\n", encoding="utf-8")
    r = _run(["new", str(article), "--out", str(DATA)], cwd=tmp_path)
    assert r.returncode == 2 and "already holds a datapackage.json" in r.stderr
    r = _run(["new", str(article), "--out", str(tmp_path / "x"), "--url", "ftp://x"], cwd=tmp_path)
    assert r.returncode == 2 and "url must be an http(s) address" in r.stderr
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe bad")
    r = _run(["new", str(tmp_path / "b.txt"), "--out", str(tmp_path / "y"), "--title", "T"], cwd=tmp_path)
    assert r.returncode == 2 and "not UTF-8" in r.stderr
