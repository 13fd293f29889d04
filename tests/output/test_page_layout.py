"""M14: wide figures stay readable in the page: one full-size control, short captions, a scroll box.

The figure box never draws a figure so narrow that its smallest text falls below
``captions.MIN_TEXT_PX``; it scrolls sideways instead (with a cue shown by report.js). Each
figure has exactly one "Full size" control, and its caption is a short summary with the long
notes folded into a ``<details>``.
"""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from evidence_lib.output import captions, report

from tests.output.test_reader_words import visible_text

#: The page's column at a 390-px-wide phone: 390 px less 2 x 0.75rem of 15.5 px padding.
PHONE_COLUMN_PX = 390 - 2 * 0.75 * 15.5


@pytest.fixture(scope="module")
def page(ds):
    return report.report_html(ds)


def _figures(page):
    return re.findall(r'<figure id="figure-([\w-]+)" class="([^"]*)">(.*?)</figure>', page, flags=re.S)


def test_caption_parts():
    text = "First, e.g. a forest plot. Second sentence (k = 4). Third: the notes. Fourth."
    assert captions.caption_parts(text) == ("First, e.g. a forest plot. Second sentence (k = 4).",
                                            "Third: the notes. Fourth.")
    assert captions.caption_parts("One sentence only.") == ("One sentence only.", "")
    assert captions.caption_parts("A decimal 0.5 stays. B.", sentences=1) == ("A decimal 0.5 stays.", "B.")
    with pytest.raises(ValueError, match="sentences must be at least 1"):
        captions.caption_parts("x", sentences=0)


def test_caption_stops_before_a_panel_label():
    """M11 (reader review 3): the summary is never cut after a panel's "A."; the notes start with it."""
    text = ("Adverse-event rates in separate panels; each axis in one unit. A. Events attributed to acupuncture. "
            "Rates per 10,000 patients. B. Events in trial arms.")
    summary, notes = captions.caption_parts(text)
    assert summary == "Adverse-event rates in separate panels; each axis in one unit."
    assert notes.startswith("A. Events attributed") and "B. Events" in notes
    one, rest = captions.caption_parts("Rates. Each axis in one unit. A. Events. B. Others.")
    assert one == "Rates. Each axis in one unit." and rest == "A. Events. B. Others."


def test_the_safety_caption_ends_before_panel_a(page):
    (fig,) = [f for f in _figures(page) if f[0] == "safety-rates"]
    caption = re.search(r"<figcaption>(.*?)</figcaption>", fig[2], flags=re.S).group(1)
    summary = caption.split("<details", 1)[0]
    notes = re.search(r"<summary>Notes</summary><p>(.*?)</p>", caption, flags=re.S).group(1)
    assert summary.rstrip().endswith("one unit.") and not summary.rstrip().endswith(" A.")
    assert notes.startswith("A. ")


def test_min_width_keeps_the_smallest_text_readable():
    head = '<svg viewBox="0 0 900 300">'
    body = '<g transform="translate(1 2) scale(0.08 -0.08)"></g><g transform="scale(0.1 -0.1)"></g>'
    # 900 pt = 1200 px; the smallest text, 8 pt = 10.67 px, may shrink to 7 px: 1200 * 7 / 10.67
    assert captions.min_width_px(head, body) == 788
    assert captions.min_width_px(head, body, min_text_px=20) == 1200  # never wider than drawn
    assert captions.min_width_px("<svg>", body) is None and captions.min_width_px(head, "<g/>") is None


def test_one_full_size_control_per_figure_and_no_other_prompt(page):
    figs = _figures(page)
    assert len(figs) >= 10
    for name, _, body in figs:
        assert body.count('class="reset fig-open"') == 1, name
        words = re.sub(r"<svg\b.*?</svg>|<[^>]+>", " ", body, flags=re.S)  # text only (the button's aria-label aside)
        assert len(re.findall(r"full size", words, flags=re.I)) == 1, name
    js = (files("evidence_lib.output") / "static" / "report.js").read_text(encoding="utf-8")
    text = visible_text(page)
    assert "Select a figure" not in text and "Select the figure" not in js and "Open full size" not in js
    assert "createElement(\"button\")" not in js  # the button is in the page, not added per figure


def test_wide_figures_scroll_rather_than_shrink(ds, page):
    figs = {name: (cls, body) for name, cls, body in _figures(page)}
    for name in ("forest", "own-pooling"):
        assert "wide" in figs[name][0].split(), name
    for name in ("forest", "own-pooling", "safety-rates"):
        m = re.search(r'class="fig-scroll"[^>]*style="--fig-min: (\d+)px;', figs[name][1])
        assert m, name
        assert int(m.group(1)) > PHONE_COLUMN_PX, name  # on a phone it scrolls, its text stays >= 7 px
        assert 'class="scroll-hint fig-hint"' in figs[name][1]
    css = (files("evidence_lib.output") / "static" / "report.css").read_text(encoding="utf-8")
    assert "min-width: var(--fig-min" in css and re.search(r"\.figure\.wide svg \{[^}]*max-width: none", css)


def test_captions_are_short_and_the_notes_folded(page):
    long_notes = 0
    for name, _, body in _figures(page):
        cap = re.search(r"<figcaption>(.*?)</figcaption>", body, flags=re.S).group(1)
        shown = re.sub(r"<details.*?</details>", "", cap, flags=re.S)
        assert len(visible_text(shown)) < 700, (name, len(visible_text(shown)))
        long_notes += "<details class=\"fig-notes\">" in cap
    assert long_notes >= 8


# --------------------------------------------------------------------------- L8: the harms table's last column

def test_harms_what_it_means_says_more_than_the_rate(ds):
    from evidence_lib.output import summary

    rows = summary.harms_rows(ds)
    assert rows
    for h in rows:
        assert h["effect"] not in h["statement"], h  # the Rate column is not repeated
        assert re.match(r"About 1 in [\d,]+ ", h["statement"]), h["statement"]
        # the natural frequency agrees with the rate printed beside it ("1.0 per 10,000" -> 1 in 10,000)
        printed = float(re.match(r"[\d,.]+", h["effect"]).group().replace(",", ""))
        n = int(re.match(r"About 1 in ([\d,]+)", h["statement"]).group(1).replace(",", ""))
        assert n == float(f"{10000 / printed:.2g}"), (h["effect"], h["statement"])
    # Bäumler 2021's pooled rate of any event, 931 per 10,000, is about 1 patient in 11
    assert summary.one_in(931) == "about 1 in 11"
    # N follows the printed rate: 1.01 prints as "1.0 per 10,000", so 1 in 10,000 (not 10,000 / 1.01 = 9,901);
    # 0.0872 prints as "0.087": 10,000 / 0.087 = 114,943, two significant figures
    assert summary.one_in(1.01) == "about 1 in 10,000" and summary.one_in(0.0872) == "about 1 in 110,000"
    assert summary.one_in(4.76) == "about 1 in 2,100"  # prints "4.8": 10,000 / 4.8 = 2,083
    assert summary.one_in(0) == "none"
    with pytest.raises(ValueError, match="per_10000 must be between 0 and 10,000"):
        summary.one_in(-1)


# --------------------------------------------------------------------------- L10: explain only what occurs

def test_unverified_is_explained_only_when_a_row_carries_it(ds, page, report_ds):
    assert 'class="unverified-tag"' not in page and "by a second reader" not in page  # every bundled row verified
    other = report.report_html(report_ds, check=None)  # the small package marks C15's rows unverified
    assert '<tr class="unverified">' in other
    assert "have not yet been confirmed on the source page by a second reader" in other


# --------------------------------------------------------------------------- L1, L11, L13, M16: typography

def test_typeset_ranges_signs_and_what_it_leaves_alone():
    from evidence_lib.output.typeset import Verbatim, typeset

    assert typeset("VAS 0-100; 4-12 sessions; 99-100%; 1.5-2.5") == "VAS 0\u2013100; 4\u201312 sessions; 99\u2013100%; 1.5\u20132.5"
    assert typeset("responder: >=33% or >=12%") == "responder: \u226533% or \u226512%"
    for kept in ("reviewed 2026-11-25", "SF-36 and IL-6", "1-month prevalence", "doi:10.1016/S0140-6736(18)30480-X",
                 "https://example.org/a-1-2", "\u22125-3"):
        assert typeset(kept) == kept, kept
    quote = Verbatim("1-2 sessions per week")
    assert typeset(quote) is quote  # the article's words stay as written


def test_the_page_uses_en_dashes_but_quotes_the_article_as_written(ds, page):
    text = visible_text(page)
    assert "0\u2013100" in text and "\u226533%" in text and ">=33" not in text
    hyphen_ranges = re.findall(r"(?<![\w.\-/:])\d+-\d+(?![\w\-/])", text)
    article = ds.article.text
    # every remaining hyphenated range is the article's own wording (quoted verbatim) or inside a DOI
    dois = " ".join(re.findall(r"doi:\S+", text))
    assert all(r in article or r in dois for r in hyphen_ranges), [r for r in hyphen_ranges if r not in article]


def test_the_responder_row_reads_as_a_sentence(ds, page):
    from evidence_lib.output.summary import sof_rows

    effects = [r["effect"] for r in sof_rows(ds)]
    assert all(e[:1].isupper() for e in effects), effects
    start = page.index('<section id="findings"')
    section = page[start:page.index("</section>", start)]
    assert "Difference 20.2 more responders" in section and "\u226533%" in section


def test_the_article_slips_are_marked_sic(ds, page):
    from evidence_lib.output.typeset import mark_sic

    text = visible_text(page)
    for phrase in ("regular it [sic] sessions", "giving This [sic] try", "Its [sic] provides"):
        assert phrase in text, phrase
    assert "regular it sessions" not in text
    assert str(mark_sic("a b c", ["b [sic] c"])) == "a b [sic] c"
    with pytest.raises(ValueError, match=r"must contain '\[sic\]'"):
        mark_sic("a b", ["b"])


def test_references_without_a_year_print_none(page):
    assert "(n.d.)" not in page
    assert "Ostelo RW. Interpreting Change Scores" in visible_text(page)  # no year on the page read: none printed


def test_narrative_evidence_rows_span_every_column(page):
    """L7 (reader review 3): a row with no numbers spans all the table's columns, so its rule runs full width."""
    tables = re.findall(r'<table class="evidence stack">(.*?)</table>', page, flags=re.S)
    assert tables
    narrative = 0
    for t in tables:
        width = len(re.findall(r"<th scope=\"col\"", t))
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", t.split("</thead>", 1)[1], flags=re.S):
            cells = re.findall(r"<td\b([^>]*)>", row)
            spans = [int(m.group(1)) if (m := re.search(r'colspan="(\d+)"', c)) else 1 for c in cells]
            assert sum(spans) == width, row[:120]
            narrative += len(cells) == 1
    assert narrative > 0


def test_the_articles_lists_are_drawn_as_lists(ds, page):
    """L8: lines the article marks with "- " are list items on the page, with no literal "- " left."""
    start = page.index('<div class="article-text">')
    article = page[start:page.index("</section>", start)]
    items = [line for line in ds.article.text.split("\n") if line.startswith("- ")]
    assert len(items) >= 2
    assert len(re.findall(r"<li>", article)) == len(items) and "<ul class=\"article-list\">" in article
    assert not re.search(r"<(?:p|li)>- ", article)


def test_a_trivial_figure_overflow_shows_no_scroll_cue():
    """L12: a figure only a few pixels wider than its box is fitted to it; the cue is for real overflow."""
    from importlib.resources import files

    js = (files("evidence_lib.output") / "static" / "report.js").read_text(encoding="utf-8")
    assert re.search(r"TRIVIAL_OVERFLOW_PX = 24;", js)
    assert re.search(r"over < TRIVIAL_OVERFLOW_PX\) \{\s*svg\.style\.minWidth = \"0\"", js)
    assert "cue.hidden = !(w.clientWidth > 0 && over > 1)" in js
