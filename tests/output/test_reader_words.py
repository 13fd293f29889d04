"""The report speaks readers' words: no code of the package's vocabularies, no data file name.

The page's visible text (and its aria-labels, which screen readers speak) is read with tags,
scripts, styles and SVG figures stripped. Any snake_case token fails, and so does the name of a
data file; the vocabularies (``evidence_lib.vocab``, the descriptor's enums and column names,
the findings' topic codes) are listed too, so that a failure names where a code came from.
Only :data:`ALLOWED` may appear, each with its reason.
"""

from __future__ import annotations

import html.parser
import json
import re

import pytest

from evidence_lib import vocab
from evidence_lib.output import report
from evidence_lib.output.reproduction import reproductions

from tests.conftest import DATA

#: Tokens a reader may see, and why.
ALLOWED = {
    "evidence_lib": "the software's name, credited in the page footer and in the data's review_author",
    "claimreview.jsonld": "an export file offered beside the page (named in 'About this review')",
    "references.json": "an export file offered beside the page",
    "references.bib": "an export file offered beside the page",
}
SNAKE = re.compile(r"(?<![\w/.#-])[a-z0-9]+(?:_[a-z0-9]+)+(?![\w/-])")
FILE_NAME = re.compile(r"(?<![\w/-])[\w-]+\.(?:csv|json|jsonld|bib|txt|py|j2)\b")
#: Placeholders that leak from code: a Python None after a dash, NaN, "(s)" plurals.
PLACEHOLDERS = re.compile(r"[—:]\s*None\b|\bnan\b|\bNaN\b|\w\(s\)")
#: Our own jargon and process notes, which readers must not meet anywhere, figures included:
#: the trial-jargon name of the acupuncture arm, and notes about our reading ("legend not
#: seen", "scale not named on the page", "truncated in store").
PROCESS_WORDS = re.compile(r"\bverum\b|legend not seen|not named on the page|\bin store\b|package's engine|"
                           r"\bnot seen\b|the package's\b|\bthis package\b|evidence_lib reviewers|"
                           r"no evidence row linked", re.IGNORECASE)
#: A hyphen-minus used as a minus sign: directly before a digit, not joining a range ("0-100").
HYPHEN_MINUS = re.compile(r"(?<![\w.\-])-(?=\d)")


class _Visible(html.parser.HTMLParser):
    """Text a reader sees or hears: data outside head, script, style and svg, plus aria-labels."""

    SKIP = {"head", "script", "style", "svg", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1
        elif self.depth == 0:
            self.parts += [v for k, v in attrs if k == "aria-label" and v]

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth == 0:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


class _AllText(_Visible):
    """Every text a reader may meet: the visible text plus the figures' SVG text, titles and alt texts."""

    SKIP = {"head", "script", "style", "template"}

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        if self.depth == 0:
            self.parts += [v for k, v in attrs if k in ("alt", "title") and v]


def all_text(page: str) -> str:
    parser = _AllText()
    parser.feed(page)
    return "\n".join(parser.parts)


def _process_words(text: str) -> dict:
    found = {}
    for m in PROCESS_WORDS.finditer(text):
        found[m.group(0).lower()] = found.get(m.group(0).lower(), 0) + 1
    return found


def _leaks(text: str) -> dict:
    """Token -> count of every snake_case token, data file name and placeholder not allowed."""
    found = {}
    for pattern in (SNAKE, FILE_NAME, PLACEHOLDERS):
        for m in pattern.finditer(text):
            token = m.group(0)
            if token not in ALLOWED:
                found[token] = found.get(token, 0) + 1
    return found


def _vocabulary_codes(ds) -> set[str]:
    """Every snake_case code the package and its data define: vocab, descriptor enums and columns, topics."""
    codes = set()
    for name, value in vars(vocab).items():
        if not name.isupper():
            continue
        if isinstance(value, dict):
            value = value.keys()
        if isinstance(value, (tuple, frozenset, set, type({}.keys()))):
            codes |= {v for v in value if isinstance(v, str) and "_" in v}
    desc = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    for res in desc["resources"]:
        for f in res.get("schema", {}).get("fields", []):
            codes |= {f["name"]} if "_" in f["name"] else set()
            codes |= {v for v in f.get("constraints", {}).get("enum", []) if isinstance(v, str) and "_" in v}
    codes |= {t for t in ds.findings["topic"] if "_" in str(t)}
    return codes - set(ALLOWED)


def _data_file_names() -> set[str]:
    desc = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    return {res["path"] for res in desc["resources"]} | {"datapackage.json"}


@pytest.fixture(scope="module")
def page(ds):
    return report.report_html(ds)


def test_the_scanner_finds_what_it_should():
    """A negative control: codes, file names and placeholders in text are found; in markup they are not."""
    text = visible_text('<p>mechanism_blood_flow: see thresholds.csv; 3 comparison(s); Certainty — None</p>'
                        '<p aria-label="ci_low">x</p><svg><text>tau2_hidden</text></svg><script>var a_b = 1;</script>'
                        '<a href="#claim_x" data-verdict="not_checkable">Back</a>')
    assert _leaks(text) == {"mechanism_blood_flow": 1, "thresholds.csv": 1, "n(s)": 1, "— None": 1, "ci_low": 1}
    assert _leaks(visible_text("<p>Generated by evidence_lib; None of the trials; 3 comparisons.</p>")) == {}


def test_the_process_word_scanner_finds_what_it_should():
    """A negative control: jargon and process notes in text, SVG and alt text are found; in ids they are not."""
    page = ('<p>verum acupuncture vs sham</p><svg><text>Verum arm</text><desc>legend not seen</desc></svg>'
            '<img alt="scale not named on the page"><p>abstract truncated in store</p>'
            '<span data-row="haake2007-verum" id="x-verum">acupuncture</span>')
    assert _process_words(all_text(page)) == {"verum": 2, "legend not seen": 1, "not named on the page": 1,
                                              "in store": 1}
    assert _process_words(all_text("<p>acupuncture arm; stored in the data; a store of evidence</p>")) == {}
    assert HYPHEN_MINUS.findall("-8.6 (-11.1 to -6.1)") == ["-", "-", "-"]
    assert not HYPHEN_MINUS.findall("VAS 0-100; −8.6 [−11.1, −6.1]; well-known; 10-15 sessions")


def test_the_report_shows_no_jargon_and_no_process_note(page):
    found = _process_words(all_text(page))
    assert not found, f"our jargon or process notes shown to readers: {sorted(found.items())}"


def test_network_tables_use_the_true_minus(ds, page):
    """Every number of the network section's tables (and its words) has a true minus, as the rest of the page."""
    net = report.network(ds)
    cells = [v for t in net["tables"] for r in t["rows"] for v in r] + [net["summary"]]
    assert any("\u2212" in v for v in cells)  # the tables do hold negative numbers
    bad = [v for v in cells if HYPHEN_MINUS.search(v)]
    assert not bad, bad
    start = page.index('<section id="network"')
    section = page[start:page.index("</section>", start)]
    tables = re.findall(r"<table\b.*?</table>", section, flags=re.S)
    assert len(tables) == len(net["tables"])
    for table in tables:
        text = all_text(table)
        assert not HYPHEN_MINUS.search(text), HYPHEN_MINUS.search(text).string[:200]


def test_vocabularies_are_collected(ds):
    codes = _vocabulary_codes(ds)
    assert {"not_checkable", "no_treatment", "ci_low", "mechanism_blood_flow", "not_satisfactory",
            "criterion_id"} <= codes
    assert {"thresholds.csv", "claim_evidence.csv", "arms.csv"} <= _data_file_names()


def test_the_report_shows_no_code_and_no_data_file_name(ds, page):
    text = visible_text(page)
    assert len(text) > 50_000  # the whole page was read
    leaks = _leaks(text)
    assert not leaks, f"internal words shown to readers: {sorted(leaks.items())}"
    words = set(re.findall(r"[\w.-]+", text))
    assert not (_vocabulary_codes(ds) & words), sorted(_vocabulary_codes(ds) & words)
    assert not (_data_file_names() & words), sorted(_data_file_names() & words)


def test_reproduction_rows_are_labelled_in_words(ds):
    (rep,) = reproductions(ds)
    rows = {r["statistic"]: r for r in rep["rows"]}
    assert set(rows) <= set(vocab.STATISTIC_LABELS.values())
    # Furlan's Analysis 5.1 Subtotal pools 4 trials (the published k in pooled_results.csv)
    assert rows["Number of trials"]["published"] == "4" and rows["Number of trials"]["ours"] == "4"
    assert rep["method"] == "DerSimonian–Laird"
    assert not rep["summary"].startswith(rep["id"]) and rep["id"] not in rep["summary"]


def test_claims_without_a_rating_say_not_rated_and_why(ds, page):
    unrated = ds.claims[ds.claims["certainty"] == "none"]
    assert len(unrated)
    for cid, verdict in zip(unrated["claim_id"], unrated["verdict"]):
        start = page.index(f'id="claim-{cid}"')
        card = page[start:page.index("</article>", start)]
        reason = vocab.CERTAINTY_NOT_RATED_REASONS.get(verdict, vocab.CERTAINTY_NOT_RATED_REASONS[None])
        assert f"Not rated ({reason})" in card, cid


def test_network_tables_have_readers_headers_and_whole_weeks(ds):
    net = report.network(ds)
    tables = {t["caption"]: t for t in net["tables"]}
    arms = tables["Arms in the network"]
    assert "Week" in arms["columns"] and "timepoint weeks" not in arms["columns"]
    week = [r[arms["columns"].index("Week")] for r in arms["rows"]]
    assert set(week) == {"8", "6"}  # Brinkhaus 2006 at 8 weeks, Haake 2007 at 6 weeks (arms.csv)
    for t in net["tables"]:
        assert not any("_" in c for c in t["columns"]), t["columns"]
    assert "comparison(s)" not in net["summary"] and "degree(s)" not in net["summary"]


@pytest.mark.parametrize("count, words", [(1, "1 degree of freedom"), (2, "2 degrees of freedom"),
                                          (0, "0 degrees of freedom")])
def test_plural(count, words):
    assert vocab.plural(count, "degree of freedom", "degrees of freedom") == words


def test_column_label():
    assert report.column_label("k_direct") == "Trials (direct)"
    assert report.column_label("some_new_column") == "Some new column"
    assert report.column_label("conventional therapy") == "conventional therapy"  # a treatment's name as it is


def test_wide_tables_scroll_inside_their_box_with_a_cue():
    from importlib.resources import files

    css = (files("evidence_lib.output") / "static" / "report.css").read_text(encoding="utf-8")
    js = (files("evidence_lib.output") / "static" / "report.js").read_text(encoding="utf-8")
    rule = re.search(r"\.table-wrap, \.fig-scroll \{([^}]*)\}", css).group(1)
    assert "overflow-x: auto" in rule and "radial-gradient" in rule  # scrolls, with edge shadows as the cue
    assert "scroll-hint" in js and "fig-hint" in js  # the line above a wide table; the cue above a wide figure


def _outside_cards(page: str) -> str:
    """The page without its claim cards and Summary of findings (another part of the code writes those)."""
    page = re.sub(r'<article\b[^>]*id="claim-.*?</article>', "", page, flags=re.S)
    return re.sub(r'<section id="findings".*?</section>', "", page, flags=re.S)


def test_the_new_process_words_are_found():
    """A negative control for the words added to PROCESS_WORDS."""
    text = ("re-pooled with the package's meta-analysis engine; Analysis computed by this package; "
            "by evidence_lib reviewers; No evidence row linked")
    assert _process_words(text) == {"the package's": 1, "this package": 1, "evidence_lib reviewers": 1,
                                    "no evidence row linked": 1}
    assert _process_words("our re-analysis; by the review team; Not linked to any study") == {}


def test_the_whole_page_shows_no_process_words_and_no_hyphen_minus(page):
    """Cards, Summary of Findings, sections, captions and figures: no internal wording, and every
    minus sign is a true minus (ranges such as 0-100 are not minus signs)."""
    text = all_text(page)
    assert len(all_text(_outside_cards(page))) > 10_000
    found = _process_words(text)
    assert not found, sorted(found.items())
    bad = [text[max(0, m.start() - 40):m.end() + 20] for m in HYPHEN_MINUS.finditer(text)]
    assert not bad, bad
    assert "by the review team" in text


def test_the_reproduction_table_has_true_minus_and_the_signed_z(ds):
    """M4, M5: the table's numbers use the one formatter; z has the sign of the estimate (as forest.png)."""
    (rep,) = reproductions(ds)
    cells = [r[k] for r in rep["rows"] for k in ("published", "ours", "difference")]
    assert not [c for c in cells if HYPHEN_MINUS.search(c)], cells
    rows = {r["statistic"]: r for r in rep["rows"]}
    z = [r for s, r in rows.items() if s.startswith("z")][0]
    # Furlan Analysis 5.1: MD -10.21 favouring acupuncture, Review Manager prints Z = 4.20
    assert z["published"] == "\u22124.2" and z["ours"].startswith("\u22124.19")
    assert "z \u22124.20" in rep["summary"] and "z 4.20" not in rep["summary"]
    assert rows["Number of trials"]["difference"] == "0"


#: Reviewers' process notes and internal wording removed after the third reader review (M7, M8, M6, L9):
#: they must not come back anywhere a reader looks (cards, tables, captions, figures, footer).
REVIEW3_WORDS = re.compile(
    r"not visible|pages? we read|page read\b|secondary copy read|exact title was not|cut short|available to us|"
    r"key to its tags|did not see the trial|\bAnonymous\b|direction of benefit recorded|direction not recorded|"
    r"SD not recorded|per arm recorded|\benters\b|Adopted:|Generated by|about other outcomes|"
    r"No study result is linked|\?\.(?!\d)", re.IGNORECASE)


def test_the_review3_scanner_finds_what_it_should():
    """A negative control: each removed phrase is found; the reader words that replaced them are not."""
    bad = ("were not visible on the pages we read; PMC page read; secondary copy read; the exact title was not "
           "available; the abstract available to us was cut short; the key to its tags; Anonymous (2006); no "
           "direction of benefit recorded; SD not recorded; no pain values per arm recorded; enters; Adopted: ours; "
           "Generated by evidence_lib; The claim is about other outcomes; No study result is linked to this claim; "
           "electroacupuncture?.")
    assert len(REVIEW3_WORDS.findall(bad)) == 18
    good = ("The sources used do not give risk-of-bias judgments; PubMed · PMC · secondary copy; direction not "
            "applicable; SD not reported in the sources used; included; We agree with the review's rating; "
            "Built from the review's data package; We found no study that measured this; electroacupuncture? "
            "Acupunct Med; p = 0.03?")
    assert not REVIEW3_WORDS.findall(good)


def test_the_page_shows_none_of_the_review3_process_words(page):
    text = all_text(page)
    found = sorted({m.group(0) for m in REVIEW3_WORDS.finditer(text)})
    assert not found, [text[max(0, m.start() - 60):m.end() + 20] for m in REVIEW3_WORDS.finditer(text)][:10]


def test_every_evidence_row_names_its_source(page):
    """M6: a row's source line starts with a name (author and year, or journal/title and year), never with
    a bare year, a bare '(secondary copy)' or a bare ';'."""
    lines = re.findall(r'<span class="muted" data-row="[^"]*">(.*?)</span>(?=</td>)', page, flags=re.S)
    assert len(lines) > 100
    for line in lines:
        text = re.sub(r"<[^>]+>", "", line).strip()
        assert re.match(r"[^\W\d]|[\u201c\u2018]", text), text[:80]
        assert not re.match(r"\d{4}\b", text), text[:80]


def test_links_are_labelled_by_what_they_are_and_secondary_copies_say_so(ds, page):
    """M7: a source's page link is named by its kind; every secondary copy is marked as one."""
    from evidence_lib.output.cards import citation

    labels = set(vocab.SOURCE_LINK_LABELS.values())
    for r in ds.sources.to_dict("records"):
        if isinstance(r.get("url"), str) and r["url"].startswith("http"):
            links = citation(r)["links"]
            page_links = [link for link in links if link["href"] == r["url"]]
            if page_links:
                text = page_links[0]["text"]  # the DOI or PubMed link when the page is that one
                assert text == vocab.SOURCE_LINK_LABELS[r["url_kind"]] or text.startswith(("PubMed ", "doi:")), text
                if r["url_kind"] == "secondary":
                    assert text == "secondary copy", r["source_id"]
    assert ">secondary copy</a>" in page and labels >= {"PubMed", "PMC", "secondary copy"}


def test_every_threshold_source_has_its_full_reference_on_the_page(ds, page):
    """M15: the sources the thresholds are cited from (Thomas 2005, Tagliaferri 2024, ...) are listed in full."""
    import html

    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    ids = set(ds.thresholds["source_id"])
    assert {"thomas2005", "tagliaferri2024"} <= ids
    for sid in ids:
        title = ds.sources.set_index("source_id").loc[sid, "title"]
        assert title in text, sid
    start = page.index('id="threshold-sources"')
    assert "Longer term clinical and economic benefits" in page[start:start + 20_000]


def test_the_glossary_defines_the_review3_terms(page):
    """M14: trial acronyms, de qi and the interval methods the page uses are defined in "Words and abbreviations"."""
    start = page.index('<section id="glossary"')
    terms = re.findall(r"<dt>(.*?)</dt>", page[start:page.index("</section>", start)])
    import html

    terms = {html.unescape(t) for t in terms}
    assert {"GERAC", "ART", "ARC", "FHT", "de qi", "Wald interval", "t, k\u22122 df"} <= terms, terms
