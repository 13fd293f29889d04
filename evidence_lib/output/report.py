"""The claim-review report: one self-contained HTML page and the standard exports.

:func:`write_report` writes, into one folder (``reports/`` in ``evidence build``):

``claim-review.html``
    The article with every claim highlighted and linked to its card; one card per claim
    in article order (collapsed to its verdict line until opened: quote, verdict, GRADE
    certainty, rationale, automated checks, the evidence rows with their numbers and the
    sources with DOI / PubMed links); a Summary of Findings table; the article scorecard
    when the data has one; the figures inline as SVG. CSS, JavaScript, figures and the
    ClaimReview JSON-LD are embedded: the file makes no network request and opens from disk.
``claimreview.jsonld``, ``references.json``, ``references.bib``
    See :mod:`evidence_lib.output.exports`.

How the page is made: the functions here collect the page's content from the Dataset as
plain dicts and lists (no HTML); jinja2 templates in ``output/templates/`` turn it into
HTML with autoescaping on and ``StrictUndefined`` (a missing value fails the build);
``output/static/report.css`` and ``report.js`` are inlined by the page template. The only
markup made in Python is the figures' SVG (marked safe in :func:`figures`).

Everything is deterministic: no clock, no random ids, sorted iteration; the review date
comes from the data package descriptor (``"review_date"``). Rebuilding the same data gives
byte-identical files, each written atomically.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import jinja2
from markupsafe import Markup

from evidence_lib._io import atomic_write_text
from evidence_lib._values import decimal_text
from evidence_lib.output.captions import COLUMN_PX, caption_parts, min_width_px, natural_width_px
from evidence_lib.output.cards import claim_card, threshold_references
from evidence_lib.output.cells import cell_text, records, sources_by_id
from evidence_lib.output.exports import (DEFAULT_AUTHOR, RATING_VALUES, bibtex, claim_reviews, csl_items, json_text,
                                         review_author, review_date)
from evidence_lib.output.glossary import glossary_terms, page_text, used_terms
from evidence_lib.output.links import card_id
from evidence_lib.output.summary import summary_of_findings
from evidence_lib.output.typeset import mark_sic, typeset
from evidence_lib.review.checks import check as check_claim
from evidence_lib.review.labels import review_labels
from evidence_lib.review.ledger import (CATEGORY_ORDER, CERTAINTY_SYMBOLS, VERDICT_COLORS, VERDICT_LABELS,
                                        VERDICT_ORDER)
from evidence_lib.output.reproduction import reproductions
from evidence_lib.vocab import (CERTAINTY_LABELS, CERTAINTY_NOT_RATED_REASONS, REPORT_COLUMN_LABELS,
                                REPORT_WHOLE_NUMBER_COLUMNS, SCORECARD_JUDGMENT_LABELS)

#: File names written by :func:`write_report`, in write order.
REPORT_FILES = ("claim-review.html", "claimreview.jsonld", "references.json", "references.bib")
_PACKAGE_DIR = Path(__file__).resolve().parent


def environment() -> jinja2.Environment:
    """The jinja2 environment of the report's templates.

    Returns
    -------
    jinja2.Environment
        Templates (``templates/``) and static files (``static/``) load from the
        ``evidence_lib.output`` package folder; autoescaping is on for every template;
        an undefined value raises (``StrictUndefined``); ``tojson`` keeps non-ASCII text
        and sorts keys; every value written passes through
        :func:`evidence_lib.output.typeset.typeset` (en dashes in ranges, ``≥``). The verdict
        and certainty vocabularies are globals.
    """
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_PACKAGE_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, finalize=typeset)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.globals.update(VERDICT_LABELS=VERDICT_LABELS, VERDICT_COLORS=VERDICT_COLORS,
                       CERTAINTY_LABELS=CERTAINTY_LABELS, CERTAINTY_SYMBOLS=CERTAINTY_SYMBOLS,
                       CERTAINTY_NOT_RATED_REASONS=CERTAINTY_NOT_RATED_REASONS)
    return env


def render(template: str, **context) -> str:
    """Render one template of ``output/templates/`` (a page or a partial).

    Parameters
    ----------
    template : str
        File name inside ``templates/``, e.g. ``"summary_of_findings.html.j2"``.
    **context
        The template's variables (every one it uses must be given).

    Returns
    -------
    str
        The HTML.

    Raises
    ------
    jinja2.UndefinedError
        If the template uses a variable that ``context`` does not give.
    """
    return environment().get_template(f"templates/{template}").render(**context)


# --------------------------------------------------------------------------- parts of the page

#: How the article's plain text marks a list item; the page draws such lines as a list.
LIST_MARKER = "- "


def article_blocks(ds) -> list[dict]:
    """The article as blocks: headings and paragraphs whose parts are text or a claim span.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    list of dict
        ``{"tag": "h3" | "h4", "text"}`` for a heading (level 1 -> h3), ``{"tag": "li",
        "parts": [...]}`` for a line that starts with :data:`LIST_MARKER` (the marker is left
        out: the page draws it as a list's bullet), ``{"tag": "p", "parts": [...]}`` for each
        other line; a part is ``{"text", "claim": None}`` or
        ``{"text", "claim": {"id", "verdict", "card"}}`` for a claim's words (``card``: its card's id). Claims do not overlap
        (the loader enforces it). Texts are the article's words as written
        (:class:`~evidence_lib.output.typeset.Verbatim`), its listed slips marked "[sic]".
    """
    text = ds.article.text
    sic = review_labels(ds)["article_sic"]
    heads = {h.start: h for h in ds.article.headings}
    marks = {int(r["start"]): r for r in records(ds.claims, sort_by=("start",))}
    out, pos = [], 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if start in heads:
            out.append({"tag": "h3" if heads[start].level == 1 else "h4", "text": mark_sic(line, sic)})
            continue
        item = line.startswith(LIST_MARKER)  # a list item: the marker becomes the list's bullet
        parts, cur = [], start + (len(LIST_MARKER) if item else 0)
        for s in sorted(k for k in marks if start <= k < end):
            r = marks[s]
            parts.append({"text": mark_sic(text[cur:max(s, cur)], sic), "claim": None})
            parts.append({"text": mark_sic(text[max(s, cur):int(r["end"])], sic),
                          "claim": {"id": r["claim_id"], "verdict": r["verdict"], "card": card_id(r["claim_id"])}})
            cur = int(r["end"])
        parts.append({"text": mark_sic(text[cur:end], sic), "claim": None})
        out.append({"tag": "li" if item else "p", "parts": parts})
    return out


def _inline_svg(svg: str, name: str) -> tuple[str, str]:
    """A matplotlib SVG made inline-ready, split after its opening tag: no XML prolog or
    comments, ids prefixed (several figures share a page), no fixed size, ARIA naming it."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    p = f"fig-{name}"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{p}-{m[1]}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{p}-{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{p}-{m[1]}"', svg)
    end = svg.index(">") + 1
    open_tag = re.sub(r'\s(width|height)="[^"]*"', "", svg[:end])
    open_tag = open_tag[:-1] + (f' role="img" aria-labelledby="{p}-title {p}-desc" class="figure-svg"'
                                f' preserveAspectRatio="xMidYMid meet">')
    return open_tag, svg[end:].strip()


def figures(ds, *, alt_text: Mapping | None = None, section: str = "figures",
            svgs: Mapping | None = None) -> list[dict]:
    """The figures of :func:`evidence_lib.output.figures.registry` for one report section, drawn as SVG.

    Parameters
    ----------
    ds : Dataset
    alt_text : mapping, optional
        Figure name -> alt text; figures not in it get their registry ``describe(ds)``.
    section : str
        Only the figures whose ``FigureSpec.section`` is this (``"figures"``: the figures
        section; ``"network"``: the network section).
    svgs : mapping, optional
        Figure name -> the SVG text already written by ``evidence build`` for it; those
        figures are not drawn again (one rendering per figure), the others are.

    Returns
    -------
    list of dict
        ``name``, ``title``, ``alt`` (text), ``caption`` and ``notes`` (the alt text split by
        :func:`evidence_lib.output.captions.caption_parts`), ``min_width`` (CSS pixels below
        which the figure scrolls instead of shrinking, :func:`~evidence_lib.output.captions.min_width_px`),
        ``natural_width`` (its drawn width in CSS pixels; at phone widths the page shows it no narrower),
        ``wide`` (wider than the page's figure column at its drawn size) and ``svg_open``/``svg_body``: the SVG split
        after its opening tag, marked safe here because it is markup matplotlib wrote
        from our own data (every text drawn is a glyph path, ``svg.fonttype: path``), not
        text to escape; the template puts the escaped title and description between them.
    """
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "svg", "pdf"):
        matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from evidence_lib.output.figures import registry, svg_string
    from evidence_lib.plotting import style

    out = []
    for spec in registry():
        if spec.section != section:
            continue
        svg = (svgs or {}).get(spec.name)
        if svg is None:
            with style():
                fig = spec.draw(ds)
                try:
                    svg = svg_string(fig)
                finally:
                    plt.close(fig)
        svg_open, svg_body = _inline_svg(svg, spec.name)
        alt = (alt_text or {}).get(spec.name) or spec.describe(ds)
        caption, notes = caption_parts(alt)
        natural = natural_width_px(svg_open)
        title = spec.title(ds) if callable(spec.title) else spec.title    # a title may name the review's words
        out.append({"name": spec.name, "title": title, "alt": alt, "caption": caption, "notes": notes,
                    "min_width": min_width_px(svg_open, svg_body),
                    "natural_width": None if natural is None else int(-(-natural // 1)),
                    "wide": natural is not None and natural > COLUMN_PX,
                    # The one place the report marks markup safe: matplotlib's SVG (see the docstring).
                    "svg_open": Markup(svg_open), "svg_body": Markup(svg_body)})
    return out


def scorecard(ds) -> dict | None:
    """The HealthNewsReview-style scorecard, or None if the Dataset has no ``scorecard`` rows.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    dict or None
        ``{"headers": [...], "rows": [[...], ...]}``: the columns in table order without
        the id columns (``..._id``), headed in readers' words
        (:data:`evidence_lib.vocab.REPORT_COLUMN_LABELS`); rows in table order, every cell
        as text, judgments in words (:data:`evidence_lib.vocab.SCORECARD_JUDGMENT_LABELS`);
        the first cell of a row is its header.
    """
    sc = getattr(ds, "scorecard", None)
    if sc is None or not hasattr(sc, "columns") or len(sc) == 0:
        return None
    cols = [c for c in sc.columns if not str(c).endswith("_id")]

    def cell(col, value):
        value = cell_text(value)
        return SCORECARD_JUDGMENT_LABELS.get(value, value) if col == "judgment" else value

    return {"headers": [column_label(c) for c in cols],
            "rows": [[cell(c, r.get(c)) for c in cols] for r in records(sc)]}


def column_label(column) -> str:
    """A report table's column id in readers' words.

    Parameters
    ----------
    column : object
        A column name (``"k_direct"``, ``"mean_as_reported"``, or a treatment's name).

    Returns
    -------
    str
        Its entry in :data:`evidence_lib.vocab.REPORT_COLUMN_LABELS`; else the name with
        spaces for underscores, capitalised when it had underscores.
    """
    name = str(column)
    if name in REPORT_COLUMN_LABELS:
        return REPORT_COLUMN_LABELS[name]
    return name.replace("_", " ").capitalize() if "_" in name else name


#: A table cell that is a number or an estimate with its interval ("−8.6 [−11.1, −6.1]").
_NUMBER_CELL = re.compile(r"^[\u2212]?\d[\d.,]*( \[[\u2212]?\d[\d.]*, [\u2212]?\d[\d.]*\])?$")


def network(ds, *, alt_text: Mapping | None = None, svgs: Mapping | None = None) -> dict | None:
    """The network meta-analysis section: plain words, its two figures, tables as text cells, notes.

    Parameters
    ----------
    ds : Dataset
    alt_text : mapping, optional
        Figure name -> alt text (see :func:`figures`).

    Returns
    -------
    dict or None
        ``title``, ``summary``, ``figures`` (:func:`figures` of the ``network`` section: the
        network graph and the forest against the reference), ``tables`` (each ``caption``,
        ``columns``, ``rows`` of text, numbers by :func:`evidence_lib._values.decimal_text`,
        ``num``, per cell whether it is a number or an interval (kept on one line), and
        ``note``, a sentence under the table or ``''``) and ``notes``; None when the data hold no connected
        network (the page then says so).
    """
    from evidence_lib.review.network import network_section, treatment_label

    if len(ds.arms) == 0:
        return None
    try:
        sec = network_section(ds)
    except ValueError:  # the data hold no connected network (e.g. a review without arm-level data)
        return None

    intervention = review_labels(ds)["intervention"]
    codes = set(ds.arms["arm"]) if "arm" in ds.arms.columns else set()

    def text(v, column=""):
        if isinstance(v, float):  # the package's one number formatter: fixed decimals, a true minus
            return decimal_text(v, 0 if column in REPORT_WHOLE_NUMBER_COLUMNS else 2)
        if isinstance(v, str) and v in codes:  # a treatment code: readers see its name
            return treatment_label(v, intervention=intervention)
        return cell_text(v)

    tables = []
    for caption, df in sec.tables.items():
        import pandas as pd

        frame = df if isinstance(df.index, pd.RangeIndex) else df.rename_axis(df.index.name or "").reset_index()
        hidden = {"arm", "study", "negated", "origin"} | ({"treatment"} if "arm_label" in frame.columns else set())
        frame = frame[[c for c in frame.columns if not str(c).endswith("_id") and str(c) not in hidden]]
        cols = [column_label(c) for c in frame.columns]
        rows = [[text(v, str(c)) for v, c in zip(r, frame.columns)] for r in frame.itertuples(index=False, name=None)]
        num = [[bool(_NUMBER_CELL.match(v)) for v in r] for r in rows]
        tables.append({"caption": caption, "columns": cols, "rows": rows, "num": num,
                       "note": sec.table_notes.get(caption, "")})
    from evidence_lib.output.figure_network import tau_caveat

    summary = " ".join(x for x in (sec.summary, tau_caveat(ds)) if x)
    return {"title": sec.title, "summary": summary, "figures": figures(ds, alt_text=alt_text, section="network", svgs=svgs),
            "tables": tables, "notes": list(sec.notes)}


def filter_groups(claims: list[dict]) -> list[dict]:
    """The filter buttons over the claim cards: one group per verdict and per category.

    Parameters
    ----------
    claims : list of dict
        Rows of the claims table.

    Returns
    -------
    list of dict
        ``{"kind", "legend", "options": [{"value", "label", "count"}]}``; values in the
        vocabulary's order, unknown ones after it, sorted.
    """
    groups = []
    for kind, legend, order, labels in (("verdict", "Verdict", VERDICT_ORDER, VERDICT_LABELS),
                                        ("category", "Category", CATEGORY_ORDER,
                                         {c: c.capitalize() for c in CATEGORY_ORDER})):
        counts = {}
        for c in claims:
            counts[c[kind]] = counts.get(c[kind], 0) + 1
        values = [v for v in order if v in counts] + sorted(v for v in counts if v not in order)
        groups.append({"kind": kind, "legend": legend,
                       "options": [{"value": v, "label": labels.get(v, v), "count": counts[v]} for v in values]})
    return groups


def page_context(ds, *, alt_text: Mapping | None = None, reviews: list[dict] | None = None,
                 check: Callable | None = check_claim, svgs: Mapping | None = None) -> dict:
    """Everything the report page shows, as plain data for ``templates/page.html.j2``.

    Parameters
    ----------
    ds : Dataset
    alt_text : mapping, optional
        Figure name -> alt text (see :func:`figures`).
    reviews : list of dict, optional
        The ClaimReview items to embed (default :func:`~evidence_lib.output.exports.claim_reviews`).
    check : callable or None
        The claim checker shown on each card (default
        :func:`evidence_lib.review.checks.check`); None leaves the checks out.
    svgs : mapping, optional
        Figure name -> SVG text already rendered (see :func:`figures`).

    Returns
    -------
    dict
    """
    claims = records(ds.claims, sort_by=("start", "claim_id"))
    sources = sources_by_id(ds)
    counts = {}
    for c in claims:
        counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    card = scorecard(ds)
    toc = [("summary", "Summary"), ("findings", "Summary of findings"), ("figures", "Figures"),
           ("reproduction", "Reproduction"), ("network", "Network"), ("article", "The article"), ("claims", "Claims")]
    if card:
        toc.append(("scorecard", "Scorecard"))
    toc.append(("about", "About this review"))
    rating_doc = "; ".join(f"{VERDICT_LABELS[v]} {RATING_VALUES[v] if RATING_VALUES[v] is not None else '(no number)'}"
                           for v in reversed(VERDICT_ORDER[:-1])) + "; Not checkable: no numeric rating"
    return {
        "title": ds.article.title, "n_claims": len(claims), "n_sources": len(ds.sources),
        "date": review_date(ds), "author": _byline(review_author(ds).get("name", DEFAULT_AUTHOR)),
        "version": cell_text(ds.descriptor.get("version", "")),
        "verdict_colours": [(v, VERDICT_COLORS[v]) for v in VERDICT_ORDER],
        "reviews": claim_reviews(ds) if reviews is None else reviews,
        "toc": toc, "counts": [(v, counts[v]) for v in VERDICT_ORDER if v in counts],
        "sof": (sof := summary_of_findings(ds)), "figures": figures(ds, alt_text=alt_text, svgs=svgs), "reproductions": reproductions(ds),
        "network": network(ds, alt_text=alt_text, svgs=svgs), "article": article_blocks(ds), "filters": filter_groups(claims),
        "cards": (cards := [claim_card(ds, c, sources, check=check) for c in claims]),
        "any_unverified": (any(r.get("unverified") for c in cards for r in c["evidence"])
                           or any(h.get("unverified") for h in sof["harms"])),
        "scorecard": card, "rating_doc": rating_doc, "threshold_references": threshold_references(ds),
        "empty_tables": [name.replace("_", " ") for name, t in ds.tables.items() if len(t) == 0],
    }


#: The byline when the data name no review author (the software's default author name).
DEFAULT_BYLINE = "the review team"


def _byline(name: str) -> str:
    """The author named under the title: the data's review author, or "the review team"."""
    return DEFAULT_BYLINE if name == DEFAULT_AUTHOR else name


def report_html(ds, *, alt_text: Mapping | None = None, reviews: list[dict] | None = None,
                check: Callable | None = check_claim, svgs: Mapping | None = None) -> str:
    """The whole claim-review page as one self-contained HTML string.

    The page ends with "Words and abbreviations": every term of
    :func:`evidence_lib.output.glossary.glossary_terms` that the rest of the page uses.

    Parameters
    ----------
    ds : Dataset
    alt_text, reviews, check, svgs
        See :func:`page_context`.

    Returns
    -------
    str
    """
    context = page_context(ds, alt_text=alt_text, reviews=reviews, check=check, svgs=svgs)
    # The glossary lists the terms the page uses: read them from the page drawn without it.
    words = used_terms(page_text(render("page.html.j2", **context, glossary=[])), glossary_terms(ds))
    if words:
        context["toc"] = context["toc"][:-1] + [("glossary", "Words and abbreviations")] + context["toc"][-1:]
    return render("page.html.j2", **context, glossary=words)


def write_report(ds, out_dir, *, alt_text=None, svgs=None, progress: bool = True, stream=None) -> list[Path]:
    """Write the claim-review report and its exports into ``out_dir``.

    Parameters
    ----------
    ds : Dataset
    out_dir : path
        Folder receiving ``claim-review.html``, ``claimreview.jsonld``,
        ``references.json`` and ``references.bib`` (created if needed).
    alt_text : mapping, optional
        Figure name -> alt text (as computed by ``evidence build``); figures not in it
        get their registry ``describe(ds)``.
    svgs : mapping, optional
        Figure name -> the SVG text ``evidence build`` wrote (inlined without drawing again).
    progress : bool
        Print one line per file written.
    stream : file, optional
        Where progress goes (default stderr).

    Returns
    -------
    list of Path
        The files written, in :data:`REPORT_FILES` order.
    """
    stream = stream or sys.stderr
    out = Path(out_dir)
    reviews = claim_reviews(ds)
    contents = {
        "claim-review.html": report_html(ds, alt_text=alt_text, reviews=reviews, svgs=svgs),
        "claimreview.jsonld": json_text(reviews),
        "references.json": json_text(csl_items(ds)),
        "references.bib": bibtex(ds),
    }
    paths = []
    for i, name in enumerate(REPORT_FILES, 1):
        paths.append(atomic_write_text(out / name, contents[name]))
        if progress:
            print(f"[report {i}/{len(REPORT_FILES)}] {out.name}/{name}", file=stream, flush=True)
    return paths
