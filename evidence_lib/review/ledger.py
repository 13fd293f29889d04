"""Views of the claim ledger: tables, counts and the article with claim spans marked.

These are the functions the notebooks and the command line share. They take a
:class:`~evidence_lib.dataset.loader.Dataset` and return pandas objects or strings; nothing here
draws (see :mod:`evidence_lib.plotting.verdicts`).
"""

from __future__ import annotations

import html
import textwrap

from evidence_lib._colour import text_colour_on
from evidence_lib._values import is_missing

from evidence_lib.vocab import (  # noqa: F401  (re-exported: the ledger views speak this vocabulary)
    CATEGORY_ORDER, CERTAINTY_ORDER, CERTAINTY_SYMBOLS, VERDICT_COLORS, VERDICT_LABELS, VERDICT_ORDER,
)
from evidence_lib.vocab import CERTAINTY_LABELS
from evidence_lib.vocab import ANALYSIS_ANCHORS, caveat_list


def ledger_table(ds, *, columns=("claim_id", "category", "verdict", "certainty", "quote")):
    """The claims as a compact table.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    columns : sequence of str
        Columns of ``claims.csv`` to show; must include ``claim_id``, which becomes the index.

    Returns
    -------
    pandas.DataFrame
        One row per claim, in file order, indexed by ``claim_id``.

    Raises
    ------
    KeyError
        If a name in ``columns`` is not a column of ``claims.csv``.
    """
    return ds.claims.loc[:, list(columns)].set_index("claim_id")


def verdict_counts(ds):
    """Claims per category and verdict (categories and verdicts in canonical order).

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.

    Returns
    -------
    pandas.DataFrame
        Counts of claims, one row per category that has claims (``CATEGORY_ORDER``) and one
        column per verdict (``VERDICT_ORDER``, zero columns kept).
    """
    import pandas as pd

    claims = ds.claims
    tab = pd.crosstab(pd.Categorical(claims["category"], CATEGORY_ORDER),
                      pd.Categorical(claims["verdict"], VERDICT_ORDER), dropna=False)
    tab.index.name, tab.columns.name = "category", "verdict"
    tab.index = tab.index.astype(str)
    tab.columns = tab.columns.astype(str)
    return tab.loc[[c for c in CATEGORY_ORDER if tab.loc[c].sum() > 0]]


def style_ledger(ds):
    """The ledger as a pandas Styler with verdict colours (for notebooks).

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.

    Returns
    -------
    pandas.io.formats.style.Styler
        :func:`ledger_table` with the verdict cells coloured by ``VERDICT_COLORS`` (text black or
        white, whichever has the higher WCAG contrast on the fill), verdicts and
        certainty shown in the report's words (``VERDICT_LABELS``, ``CERTAINTY_LABELS``), the
        headers spelled out and the quotes left-aligned and wrapped.
    """
    table = ledger_table(ds)

    def colour(v):
        c = VERDICT_COLORS.get(v)
        return f"background-color: {c}; color: {text_colour_on(c)}; font-weight: 600" if c else ""

    headers = {"claim_id": "Claim", "category": "Claim area", "verdict": "Verdict", "certainty": "Certainty (GRADE)",
               "quote": "Article's words"}
    table = table.rename_axis(headers["claim_id"])
    return (table.style.map(colour, subset=["verdict"])
            .format(lambda v: VERDICT_LABELS.get(v, v), subset=["verdict"])
            .format(lambda v: CERTAINTY_LABELS.get(v, v), subset=["certainty"])
            .format_index(lambda v: headers.get(v, v), axis=1)
            .set_properties(subset=["quote"], **{"text-align": "left", "white-space": "normal"})
            .set_table_styles([{"selector": "th", "props": "text-align: left"}]))


def highlight_article_html(ds, *, link_prefix: str = "#claim-") -> str:
    """The article as HTML with each claim span wrapped in a coloured, linked ``<mark>``.

    Paragraph breaks become ``<p>``; headings become ``<h3>``/``<h4>``; everything else is
    escaped. Claims are assumed not to overlap (the loader enforces it).

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package (its article and claims with character offsets).
    link_prefix : str
        Prefix of each mark's link target; the claim id is appended (``"#claim-C1"``).

    Returns
    -------
    str
        An HTML fragment (no ``<html>`` or ``<body>``).
    """
    text = ds.article.text
    heads = {h.start: h for h in ds.article.headings}
    claims = ds.claims.sort_values("start")
    marks = {int(r.start): r for r in claims.itertuples(index=False)}
    out, pos = [], 0
    paragraph: list[str] = []

    def flush():
        if paragraph:
            out.append("<p>" + "".join(paragraph) + "</p>")
            paragraph.clear()

    lines = text.split("\n")
    for line in lines:
        start, end = pos, pos + len(line)
        pos = end + 1
        if start in heads:
            flush()
            tag = "h3" if heads[start].level == 1 else "h4"
            out.append(f"<{tag}>{html.escape(line)}</{tag}>")
            continue
        chunks, cur = [], start
        for s in sorted(k for k in marks if start <= k < end):
            r = marks[s]
            chunks.append(html.escape(text[cur:s]))
            colour = VERDICT_COLORS.get(r.verdict, "#999")
            chunks.append(
                f'<mark class="claim v-{r.verdict}" style="border-bottom: 3px solid {colour}" '
                f'id="span-{r.claim_id}" title="{r.claim_id}: {VERDICT_LABELS.get(r.verdict, r.verdict)}">'
                f'<a href="{link_prefix}{r.claim_id}">{html.escape(text[s:int(r.end)])}</a>'
                f'<sup>{r.claim_id}</sup></mark>')
            cur = int(r.end)
        chunks.append(html.escape(text[cur:end]))
        paragraph.append("".join(chunks))
        flush()
    flush()
    return "\n".join(out)


def stated_caveats(claim) -> list[str]:
    """The caveats the reviewers state for a claim's verdict (``claims.caveats``), in order.

    Parameters
    ----------
    claim : mapping
        A row of the claims table (a dict or a pandas Series); a package without the
        ``caveats`` column states none.

    Returns
    -------
    list of str
        One sentence per caveat (:func:`evidence_lib.vocab.caveat_list`), blanks left out;
        ``[]`` when none is stated. The automated checks' caveats are not included.
    """
    return [c for c in caveat_list(claim.get("caveats")) if c]


def format_claim(ds, claim_id: str, *, width: int = 100) -> str:
    """One claim for the terminal: quote in context, verdict, certainty, rationale, caveats, sources.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    claim_id : str
        A ``claims.claim_id``.
    width : int
        Line width in characters for wrapped text.

    Returns
    -------
    str
        Several lines joined by ``\\n``: verdict and certainty in the report's words, sources
        without a year where none is recorded (as in the report), analyses by their title.

    Raises
    ------
    KeyError
        If ``claim_id`` is not in the claims table (raised by ``Dataset.claim``).
    """
    c = ds.claim(claim_id)
    before, quote, after = ds.article.context(int(c.start), int(c.end), width=90)
    before = " ".join(before.split())
    after = " ".join(after.split())
    wrap = lambda s, ind="  ": textwrap.fill(s, width=width, initial_indent=ind, subsequent_indent=ind)
    lines = [f"{c.claim_id}  [{c.category}]  {c.section}" + (f" / {c.subsection}" if c.subsection else "")]
    lines.append("")
    lines.append(wrap(f"…{before[-90:]} »{quote}« {after[:90]}…"))
    lines.append("")
    lines.append(f"  Verdict:   {VERDICT_LABELS.get(c.verdict, c.verdict)}")
    certainty = CERTAINTY_LABELS.get(c.certainty, str(c.certainty)).lower()
    lines.append(f"  Certainty: {CERTAINTY_SYMBOLS.get(c.certainty, '')} {certainty} (GRADE)")
    if c.cited_as:
        lines.append(f"  Cited as:  “{c.cited_as}”")
    lines.append("")
    lines.append(wrap(c.rationale or ""))
    caveats = stated_caveats(c)
    if caveats:
        lines.append("")
        lines.append("  Caveats:")
        lines += [textwrap.fill(t, width=width, initial_indent="    - ", subsequent_indent="      ") for t in caveats]
    src = ds.sources_for(claim_id)
    if len(src):
        lines.append("")
        lines.append("  Sources:")
        for r in src.itertuples(index=False):
            # a blank year is left out, as the report's reference list does (no "n.d.")
            year = "" if is_missing(r.year) else f" ({int(r.year)})"
            author = "" if is_missing(r.first_author) else r.first_author
            journal = "" if is_missing(r.journal) else r.journal
            ref = f"{author}{year}. {r.title}. {journal}".strip()
            link = f"https://doi.org/{r.doi}" if isinstance(r.doi, str) and r.doi else r.url
            lines.append(wrap(f"[{r.role}] {ref} {link}", "    "))
    analyses = ds.evidence_for(claim_id).get("analyses")
    if analyses is not None and len(analyses):
        lines.append("")
        lines.append("  Our analyses:")
        for r in analyses.itertuples(index=False):
            anchor = ANALYSIS_ANCHORS.get(r.analysis_id)
            where = f"; shown in the report at claim-review.html#{anchor}" if anchor else ""
            lines.append(textwrap.fill(f"[{r.role}] {r.title}{where}", width=width,
                                       initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False))
            if not is_missing(r.link_note):
                lines.append(wrap(str(r.link_note), "      "))
    return "\n".join(lines)


def format_ledger(ds, *, width: int = 100) -> str:
    """The whole ledger as a fixed-width table for the terminal.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    width : int
        Line width in characters; quotes are cut with an ellipsis to fit (at least 20
        characters of quote are kept).

    Returns
    -------
    str
        A header, one line per claim and a closing line of counts per verdict.
    """
    head = f"{'id':<4} {'category':<11} {'verdict':<24} {'certainty':<9} quote"
    qw = max(20, width - len(head) + len("quote"))
    rows = [head, "-" * min(width, len(head) + qw - 5)]
    for r in ds.claims.itertuples(index=False):
        q = r.quote if len(r.quote) <= qw else r.quote[: qw - 1] + "…"
        certainty = CERTAINTY_LABELS.get(r.certainty, str(r.certainty)).lower()
        rows.append(f"{r.claim_id:<4} {r.category:<11} {VERDICT_LABELS.get(r.verdict, r.verdict):<24} {certainty:<9} {q}")
    counts = ds.claims["verdict"].value_counts()
    rows.append("")
    rows.append(textwrap.fill("; ".join(f"{VERDICT_LABELS[v]}: {counts[v]}" for v in VERDICT_ORDER if v in counts),
                              width=width))
    return "\n".join(rows)
