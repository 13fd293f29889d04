"""The claim-review report and its exports: files, determinism, escaping, JSON-LD, CSL, BibTeX."""

import html
import html.parser
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
from markupsafe import escape

import evidence_lib as ev
from evidence_lib.output import exports, report, summary
from evidence_lib.output.captions import caption_parts
from evidence_lib.output.links import safe_url
from evidence_lib.output.typeset import mark_sic, typeset
from evidence_lib.review.labels import review_labels
from evidence_lib.review.ledger import VERDICT_LABELS

from tests.conftest import EVIL, REPORT_VERDICTS


@pytest.fixture
def written(report_ds, tmp_path):
    out = tmp_path / "reports"
    paths = report.write_report(report_ds, out, progress=False)
    return report_ds, out, paths


class _Collect(html.parser.HTMLParser):
    """Ids, in-page hrefs, script blocks and element counts of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.hrefs, self.scripts, self.cards, self.srcs = [], [], [], [], []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and a.get("href", "").startswith("#"):
            self.hrefs.append(a["href"][1:])
        if tag == "article" and "card" in (a.get("class") or "").split():
            self.cards.append(a["id"])
        for k in ("src", "srcset"):
            if k in a:
                self.srcs.append(a[k])
        if tag == "link":
            self.srcs.append(a.get("href"))
        if tag == "script":
            self._in_script = [a.get("type", ""), ""]

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script[1] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            self.scripts.append(tuple(self._in_script))
            self._in_script = None


def _card(page, cid):
    """One claim card's HTML in a page."""
    start = page.index(f'<article class="card" id="claim-{cid}"')
    return page[start:page.index("</article>", start)]


def _parse(path):
    p = _Collect()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_write_report_writes_the_files(written):
    ds, out, paths = written
    assert [p.name for p in paths] == list(report.REPORT_FILES)
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert all(p.parent == out for p in paths)
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_progress_lines_go_to_the_stream(report_ds, tmp_path):
    buf = io.StringIO()
    report.write_report(report_ds, tmp_path / "r", progress=True, stream=buf)
    lines = buf.getvalue().splitlines()
    assert len(lines) == len(report.REPORT_FILES)
    assert lines[0].endswith("r/claim-review.html")


def test_rebuild_is_byte_identical(report_ds, tmp_path):
    a = report.write_report(report_ds, tmp_path / "a", progress=False)
    b = report.write_report(report_ds, tmp_path / "b", progress=False)
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    # and again over the same folder
    again = report.write_report(report_ds, tmp_path / "a", progress=False)
    for pa, pb in zip(again, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_every_claim_has_a_card_in_article_order(written):
    ds, out, _ = written
    page = _parse(out / "claim-review.html")
    expected = [f"claim-{c}" for c in ds.claims.sort_values("start")["claim_id"]]
    assert page.cards == expected
    assert len(page.cards) == len(ds.claims)


def test_in_page_links_resolve_and_ids_are_unique(written):
    _, out, _ = written
    page = _parse(out / "claim-review.html")
    dupes = sorted({i for i in page.ids if page.ids.count(i) > 1})
    assert not dupes
    missing = sorted(set(page.hrefs) - set(page.ids))
    assert not missing
    # each claim span links to its card and each card back to its span
    text = (out / "claim-review.html").read_text(encoding="utf-8")
    assert 'href="#claim-C13"' in text and 'href="#span-C13"' in text


def test_self_contained(written):
    _, out, _ = written
    text = (out / "claim-review.html").read_text(encoding="utf-8")
    page = _parse(out / "claim-review.html")
    assert page.srcs == []  # no <img src>, <script src>, <link href>
    assert "<style>" in text and "<svg" in text
    # links to sources (<a href>) are fine; nothing may be *loaded* from the network
    assert not re.search(r"""src=["']?(https?:)?//""", text)
    assert not re.search(r"""<link[^>]*href=["']?(https?:)?//""", text)
    assert "@import" not in text and "url(http" not in text


def test_figures_inline_with_alt_text_and_caption(written):
    ds, out, _ = written
    text = (out / "claim-review.html").read_text(encoding="utf-8")
    from evidence_lib.output.figures import registry

    for spec in registry():
        alt = spec.describe(ds)
        title = spec.title(ds) if callable(spec.title) else spec.title     # a title may name the review's words
        assert f'<figure id="figure-{spec.name}"' in text
        assert f'<title id="fig-{spec.name}-title">{escape(title)}</title>' in text
        assert f'<desc id="fig-{spec.name}-desc">' in text
        assert 'role="img"' in text
        summary_words, notes = caption_parts(typeset(alt))  # a short caption; the rest folded under "Notes"
        assert f"<figcaption><strong>{escape(title)}.</strong> {escape(summary_words)}" in text
        assert not notes or f"<summary>Notes</summary><p>{escape(notes)}</p>" in text
    assert "<?xml" not in text and "<!DOCTYPE svg" not in text


def test_alt_text_argument_is_used(report_ds, tmp_path):
    (p, *_) = report.write_report(report_ds, tmp_path, progress=False,
                                  alt_text={"verdicts-by-category": "Given alt & text"})
    assert "Given alt &amp; text" in p.read_text(encoding="utf-8")


def test_malicious_strings_are_escaped(written):
    _, out, _ = written
    text = (out / "claim-review.html").read_text(encoding="utf-8")
    assert EVIL not in text
    assert html_escaped(EVIL) in text  # shown, as text
    page = _parse(out / "claim-review.html")
    # only our own two scripts: the JSON-LD and the filter code
    assert sorted(t for t, _ in page.scripts) == ["", "application/ld+json"]
    assert "alert(1)" not in dict(page.scripts)[""]


def html_escaped(s):
    import html

    return html.escape(s)


def test_jsonld_one_claimreview_per_claim_with_the_rating_mapping(written):
    ds, out, _ = written
    data = json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))
    assert len(data) == len(ds.claims)
    by_url = {d["url"].split("#")[1]: d for d in data}
    for c in ds.claims.itertuples():
        d = by_url[f"claim-{c.claim_id}"]
        assert d["@context"] == "https://schema.org" and d["@type"] == "ClaimReview"
        assert d["claimReviewed"] == c.quote
        r = d["reviewRating"]
        assert r["alternateName"] == VERDICT_LABELS[c.verdict]
        assert (r["bestRating"], r["worstRating"]) == (5, 1)
        if c.verdict == "not_checkable":
            assert "ratingValue" not in r
        else:
            assert r["ratingValue"] == exports.RATING_VALUES[c.verdict]
        assert d["itemReviewed"] == {"@type": "Claim",
                                     "appearance": {"@type": "CreativeWork", "name": ds.article.title}}
        assert d["author"] == {"@type": "Organization", "name": "evidence_lib reviewers"}
        assert d["datePublished"] == ds.descriptor["review_date"]
    assert exports.RATING_VALUES == {"contradicted": 1, "unsupported": 2, "overstated": 3,
                                    "supported_with_caveats": 4, "supported": 5, "not_checkable": None}
    seen = {by_url[f"claim-{c}"]["reviewRating"].get("ratingValue") for c in REPORT_VERDICTS}
    assert seen == {1, 2, 3, 4, 5}
    # the review's text is the rationale and then the caveats the reviewers state (C13's, in the fixture)
    assert by_url["claim-C13"]["reviewBody"] == (ds.claim("C13")["rationale"] + " Constructed caveat for C13, standing "
                                                 "in for the reviewers' words. A second one <em>x</em>.")
    assert by_url["claim-C15"]["reviewBody"] == ds.claim("C15")["rationale"]


def test_jsonld_is_embedded_and_parses(written):
    _, out, _ = written
    page = _parse(out / "claim-review.html")
    (ld,) = [body for t, body in page.scripts if t == "application/ld+json"]
    assert json.loads(ld) == json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))


def test_review_date_comes_from_the_descriptor_only(report_ds):
    assert exports.review_date(report_ds) == report_ds.descriptor["review_date"]
    bad = SimpleNamespace(descriptor={"review_date": "25/11/2026"})
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        exports.review_date(bad)
    assert exports.review_date(SimpleNamespace(descriptor={})) is None


def test_csl_json(written):
    ds, out, _ = written
    items = json.loads((out / "references.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == sorted(ds.sources["source_id"])
    by = {i["id"]: i for i in items}
    assert by["haake2007"]["type"] == "article-journal"
    assert by["haake2007"]["author"] == [{"family": "Haake", "given": "M."}]
    assert by["witt2009"]["author"] == [{"family": "Witt", "given": "C. M."}]
    assert by["haake2007"]["DOI"] == "10.9999/test.haake.2007"
    assert by["haake2007"]["PMID"] == "90000001" and "PMID: 90000001" in by["haake2007"]["note"]
    assert by["haake2007"]["URL"] == "https://doi.org/10.9999/test.haake.2007"
    assert by["haake2007"]["issued"] == {"date-parts": [[2007]]}
    assert by["nice2016"]["type"] == "report"
    assert by["nice2016"]["author"] == [{"literal": "National Institute for Health and Care Excellence"}]
    assert by["nice2016"]["publisher"] == "NICE"


def test_bibtex_one_entry_per_source_with_escaping(written):
    ds, out, _ = written
    bib = (out / "references.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@(\w+)\{([^,]+),$", bib, flags=re.M)
    assert sorted(k for _, k in keys) == sorted(ds.sources["source_id"])
    assert dict((k, t) for t, k in keys)["nice2016"] == "techreport"
    assert "doi = {10.9999/test.haake.2007}" in bib and "pmid = {90000001}" in bib
    nice = bib[bib.index("@techreport{nice2016"):]
    nice = nice[: nice.index("\n}\n")]
    assert r"\{and\}" in nice and r"\&" in nice and r"50\%" in nice and r"\_others\_" in nice
    assert r"\$x\^{}2\$" in nice and r"\~{}" in nice and r"\#1" in nice and r"\textbackslash{}" in nice
    # braces balance in every entry
    for entry in bib.split("\n@"):
        depth = 0
        for m in re.finditer(r"(?<!\\)[{}]", entry):
            depth += 1 if m.group() == "{" else -1
            assert depth >= 0
        assert depth == 0


def test_bibtex_escape():
    assert exports.bibtex_escape("a_b & {c} 10% $ # ^ ~ \\") == (
        r"a\_b \& \{c\} 10\% \$ \# \^{} \~{} \textbackslash{}")


def test_harms_rows_choose_the_best_design(report_ds):
    harms = summary.select_harms_rows(report_ds)
    # the best "serious" and "any" rates: the bundled meta-analysis of prospective studies outranks single studies
    assert [h["row"]["ae_id"] for h in harms] == ["baumler2021-sae-patients", "baumler2021-any-patients"]


def test_unverified_rows_are_marked(written):
    _, out, _ = written
    text = (out / "claim-review.html").read_text(encoding="utf-8")
    card = text[text.index('id="claim-C15"'):]
    card = card[: card.index("</article>")]
    assert '<tr class="unverified">' in card and ">unverified</span>" in card


def test_sources_are_linked(written):
    _, out, _ = written
    text = (out / "claim-review.html").read_text(encoding="utf-8")
    card = text[text.index('id="claim-C13"'):]
    card = card[: card.index("</article>")]
    assert 'href="https://doi.org/10.1002/14651858.CD013814"' in card
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/33306198/"' in card
    assert "1,758 (10 studies)" in card and "\u22129.22 [\u221213.82, \u22124.61]" in card


def test_checks_on_every_card_and_a_failing_checker_is_shown(report_ds):
    text = report.report_html(report_ds, check=None)
    # without a checker only the caveats the reviewers state remain: C13's, the one claim of the fixture with any
    assert text.count('<section class="card-checks">') == 1
    c13 = _card(text, "C13")
    assert '<section class="card-checks">' in c13 and "Constructed caveat for C13" in c13

    def check(ds, claim_id):
        if claim_id == "C01":
            raise RuntimeError("boom")
        if claim_id == "C02":
            return None
        return [{"status": "fail", "message": f"{claim_id} <b>numbers</b>"}, "plain finding"]

    text = report.report_html(report_ds, check=check)
    # C02's checker found nothing: no section; every other card has a caveat
    assert text.count('<section class="card-checks">') == len(report_ds.claims) - 1
    assert "C13 &lt;b&gt;numbers&lt;/b&gt;." in text and "Plain finding." in text
    assert "The check raised RuntimeError: boom." in text  # a checker that failed stays visible (rr4 finding 5)
    # the stated caveats come first, escaped, then the checks' own, in one list
    section = re.search(r'<section class="card-checks">.*?</section>', _card(text, "C13"), flags=re.S).group(0)
    items = re.findall(r"<li>(.*?)</li>", section)
    assert items == ["Constructed caveat for C13, standing in for the reviewers&#39; words.",
                     "A second one &lt;em&gt;x&lt;/em&gt;.", "C13 &lt;b&gt;numbers&lt;/b&gt;.", "Plain finding."], items
    # by default the project's own checker runs (imported directly, no fallback)
    assert report.report_html(report_ds).count('<section class="card-checks">') > 0


def test_scorecard_rendered_only_when_present(report_ds):
    import pandas as pd

    assert report.scorecard(SimpleNamespace()) is None  # a dataset without a scorecard table
    sc = pd.DataFrame({"criterion": ["Costs", "Harms"], "rating": ["not satisfactory", "satisfactory"],
                       "comment": ["No price <given>", "Mentions bruising"]})
    out = report.render("scorecard.html.j2", scorecard=report.scorecard(SimpleNamespace(scorecard=sc)))
    assert 'id="scorecard"' in out and "No price &lt;given&gt;" in out and "<th scope=\"row\">Harms</th>" in out


def test_bundled_placeholder_data_builds(ds, tmp_path):
    paths = report.write_report(ds, tmp_path, progress=False)
    data = json.loads(paths[1].read_text(encoding="utf-8"))
    assert len(data) == len(ds.claims)
    assert len(json.loads(paths[2].read_text(encoding="utf-8"))) == len(ds.sources)


def test_build_writes_the_report(data_copy, tmp_path):
    from evidence_lib.output.build import build
    from tests.conftest import make_report_package

    res = build(make_report_package(data_copy), tmp_path / "out", progress=False)
    names = {p.relative_to(tmp_path / "out").as_posix() for p in res.files}
    assert {f"reports/{n}" for n in report.REPORT_FILES} <= names


# --------------------------------------------------------------------------- templates

def test_templates_autoescape_and_fail_on_a_missing_value():
    env = report.environment()
    assert env.autoescape is True and env.undefined is jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        report.render("scorecard.html.j2")  # no scorecard given: a loud failure, not an empty table


def test_static_css_and_js_are_inlined_verbatim(written):
    _, out, _ = written
    text = (out / "claim-review.html").read_text(encoding="utf-8")
    static = Path(report.__file__).parent / "static"
    css, js = (static / "report.css").read_text(encoding="utf-8"), (static / "report.js").read_text(encoding="utf-8")
    assert f"<style>\n{css}" in text and f"<script>\n{js}</script>" in text


def test_no_html_in_the_python_modules():
    """Pages and fragments live in templates; Python builds data (figures' SVG aside)."""
    folder = Path(report.__file__).parent
    for name in ("report.py", "cards.py", "summary.py", "exports.py", "links.py", "cells.py"):
        src = (folder / name).read_text(encoding="utf-8")
        assert not re.search(r"""["']<(p|tr|td|th|li|ul|span|a|div|section|article|table|strong|br)[ >]""", src), name
        assert "html.escape" not in src, name


def test_claim_cards_are_collapsed_with_the_verdict_in_the_summary(written):
    ds, out, _ = written
    text = (out / "claim-review.html").read_text(encoding="utf-8")
    for c in ds.claims.itertuples():
        card = text[text.index(f'id="claim-{c.claim_id}"'):]
        card = card[: card.index("</article>")]
        assert "<details" in card and "<details open" not in card
        head = card[card.index("<summary>"): card.index("</summary>")]
        sic = review_labels(ds)["article_sic"]  # the article's own slips, marked [sic]
        assert VERDICT_LABELS[c.verdict] in head and str(escape(mark_sic(c.quote, sic))) in head


# --------------------------------------------------------------------------- URLs (issue #13)

@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "  javascript:alert(1)", "\tjavascript:alert(1)\n",
    "java\tscript:alert(1)", "java\nscript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", " VBScript:msgbox(1) ", "//evil.example/x",
    "https:evil", "http:/x", "ftp://example.org/x", "file:///etc/passwd", "", None, 42,
])
def test_safe_url_drops_every_other_scheme(url):
    assert safe_url(url) is None


@pytest.mark.parametrize("url, kept", [
    ("https://doi.org/10.1/x", "https://doi.org/10.1/x"),
    ("HTTPS://Example.org/a?b=1#c", "HTTPS://Example.org/a?b=1#c"),
    ("  http://example.org/x\n", "http://example.org/x"),
])
def test_safe_url_keeps_http_and_https(url, kept):
    assert safe_url(url) == kept


def test_report_links_only_http_urls_whatever_the_descriptor_says(data_copy, tmp_path):
    """Issue #13: without the descriptor's url pattern, javascript: and data: URLs must not become links."""
    from tests.conftest import make_report_package

    root = make_report_package(data_copy)
    desc = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    bad = ["javascript:alert(1)", "JavaScript:alert(2)", "data:text/html,<b>x</b>", "vbscript:msgbox(1)"]
    desc["report_url"] = "javascript:alert('report')"
    tables = []
    for res in desc["resources"]:
        if res["name"] == "article":
            res["url"] = "JAVASCRIPT:alert('article')"
        for field in res.get("schema", {}).get("fields", []):
            if field["name"] == "url":
                field.get("constraints", {}).pop("pattern", None)
                tables.append(res["name"])
    (root / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    for table in tables:
        names, rows = data_copy.rows(table)
        for i, row in enumerate(rows):
            row["url"] = bad[i % len(bad)]
            if table == "sources":
                row["doi"] = row["pmid"] = ""  # so the source page's url is the only link candidate
        data_copy.write(table, names, rows)
    ds = ev.load(root)
    out = tmp_path / "r"
    report.write_report(ds, out, progress=False)
    text = (out / "claim-review.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', text)
    assert hrefs
    offending = [h for h in hrefs if not (h.startswith(("#", "http://", "https://"))
                                          or h in report.REPORT_FILES)]
    assert offending == []
    assert "source page" in text  # the link's text is still shown, without a link
    for name in ("claimreview.jsonld", "references.json", "references.bib"):
        body = (out / name).read_text(encoding="utf-8").lower()
        assert "javascript" not in body and "vbscript" not in body and "data:text" not in body, name
    reviews = json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))
    assert all(r["url"].startswith("claim-review.html#claim-") for r in reviews)
    assert all("url" not in r["itemReviewed"]["appearance"] for r in reviews)
    (ld,) = [body for t, body in _parse(out / "claim-review.html").scripts if t == "application/ld+json"]
    assert "javascript" not in ld.lower()


# --------------------------------------------------------------------------- in a browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

_PROBE = """<script>
window.addEventListener("load", function () {
  var res = {};
  function openIds() {
    return Array.prototype.slice.call(document.querySelectorAll(".card details[open]"))
      .map(function (d) { return d.closest(".card").id; });
  }
  function shownIds() {
    return Array.prototype.slice.call(document.querySelectorAll(".card"))
      .filter(function (c) { return !c.hidden; }).map(function (c) { return c.id; });
  }
  res.initialOpen = openIds();
  res.filtersShown = !document.getElementById("filters").hidden;
  document.querySelector('button.filter[data-filter="verdict"][data-value="contradicted"]').click();
  res.afterFilter = shownIds();
  res.status = document.getElementById("filter-status").textContent;
  document.querySelector("#span-C13 a").click();  // a link from the article to a hidden card
  res.afterLink = { shown: shownIds().length, open: openIds() };
  var fig = document.querySelector("button.fig-open");
  if (fig) { fig.click(); }
  res.viewerOpen = document.getElementById("figure-viewer").open;
  res.viewerHasSvg = !!document.querySelector("#figure-viewer svg");
  var pre = document.createElement("pre");
  pre.id = "probe-result";
  pre.textContent = JSON.stringify(res);
  document.body.appendChild(pre);
});
</script></body>"""


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (.ci/run installs it)")
def test_in_chromium_cards_open_from_links_and_filters_work(written, tmp_path):
    ds, out, _ = written
    page = tmp_path / "probe.html"
    page.write_text((out / "claim-review.html").read_text(encoding="utf-8").replace("</body>", _PROBE),
                    encoding="utf-8")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           "--virtual-time-budget=5000", "--dump-dom", page.as_uri() + "#claim-C21"]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    m = re.search(r'<pre id="probe-result">(.*?)</pre>', dom, re.S)
    assert m, "the probe did not run: " + dom[-500:]
    res = json.loads(html.unescape(m.group(1)))
    contradicted = [f"claim-{c}" for c in ds.claims.sort_values("start").query("verdict == 'contradicted'")["claim_id"]]
    assert res["initialOpen"] == ["claim-C21"]  # the URL's #claim-C21 opened that card, and only it
    assert res["filtersShown"]
    assert res["afterFilter"] == contradicted
    assert res["status"] == f"Showing {len(contradicted)} of {len(ds.claims)} claims."
    assert res["afterLink"] == {"shown": len(ds.claims), "open": ["claim-C13", "claim-C21"]}
    assert res["viewerOpen"] and res["viewerHasSvg"]


def test_every_displayed_effect_says_which_way_is_better(ds):
    """Walk every effect and pooled row a claim card shows: its direction words follow the row's favours."""
    from evidence_lib.output import cards
    from evidence_lib.output.cells import sources_by_id

    sources = sources_by_id(ds)
    nouns = {"pain": "pain", "function": "function", "response": "responders"}
    # one sign for differences (negative = better with acupuncture, the published value kept where
    # reversed); ratios keep their printed side
    side = {"negative": "negative: ", "positive": "negative: ", "ratio_gt1": "ratios above 1",
            "ratio_lt1": "ratios below 1"}
    seen = 0
    for cid in ds.claims["claim_id"]:
        shown = [r for r in cards.evidence_rows(ds, cid, sources, intervention="acupuncture")
                 if r["table_title"] in ("Effects", "Pooled results") and r["estimate"]]
        rows = {**ds.effects.set_index("effect_id").to_dict("index"),
                **ds.pooled_results.set_index("analysis_id").to_dict("index")}
        for r in shown:
            src = rows[r["row_id"]]
            fav = src["favours"]
            if src["estimate"] != src["estimate"]:   # no number: the cell says what the source gave, no direction
                assert r["direction"] == "" and "source" in r["estimate"], (cid, r["row_id"])
            elif src["measure"] == "pp_difference":   # responders keep their natural scale (reader review 3, H1)
                assert r["direction"].startswith("positive: more responders with "), r["direction"]
                assert r["estimate"].startswith("+") == (src["estimate"] > 0) and not r["published"]
            elif fav in side:
                assert r["direction"].startswith(side[fav]), (cid, r["row_id"], r["direction"])
                if src["outcome"] in nouns:   # the words name the row's own first arm (reader review 3, H2)
                    assert nouns[src["outcome"]] in r["direction"] and "acupuncture" in r["direction"]
                assert bool(r["published"]) == (fav == "positive"), (cid, r["row_id"], r["published"])
            else:
                assert r["direction"] == "direction not applicable", (cid, r["row_id"])
            seen += 1
    assert seen > 30


def test_the_report_shows_the_network(ds):
    from evidence_lib.output.report import network

    sec = network(ds)
    assert sec is not None and sec["title"].startswith("Network meta-analysis")
    captions = [t["caption"] for t in sec["tables"]]
    assert any(c.startswith("League table") for c in captions) and any(c.startswith("Ranking") for c in captions)
    cells = " ".join(" ".join(r) for t in sec["tables"] for r in t["rows"])
    assert "brinkhaus2006" not in cells and "haake2007" not in cells  # readers see labels, not ids
    html_out = report.render("network.html.j2", network=sec)
    assert "League table" in html_out and "<table" in html_out
