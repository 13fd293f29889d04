"""The report's network section shows its two figures, and claims resting on the network link to it.

Expected words and counts come from the data as the notebook 08-network and arms.csv state them
(GERAC = Haake 2007 and ART = Brinkhaus 2006 are the two trials with short-term arm-level pain
numbers; between them they compare acupuncture, sham, conventional therapy and a waiting list),
not from the report's own output.
"""

from __future__ import annotations

import re
from html import escape, unescape

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from evidence_lib.output import report  # noqa: E402
from evidence_lib.output.captions import caption_parts  # noqa: E402
from evidence_lib.output.figures import registry  # noqa: E402
from evidence_lib.output.typeset import typeset  # noqa: E402
from evidence_lib.vocab import ANALYSES, ARMS  # noqa: E402

NETWORK_FIGURES = ("network-graph", "network-forest")


@pytest.fixture(scope="module")
def html(ds):
    return report.report_html(ds)


def _section(html, sid):
    start = html.index(f'<section id="{sid}"')
    return html[start:html.index("</section>", start)]


def _card(html, cid):
    start = html.index(f'<article class="card" id="claim-{cid}"')
    return html[start:html.index("</article>", start)]


def _internal_words(ds):
    """Source ids, arm codes with an underscore or the bare code 'intervention', analysis ids."""
    ids = {str(s) for s in ds.sources["source_id"]} | set(ANALYSES)
    codes = {a for a in ARMS if "_" in a or a == "intervention"}
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in sorted(ids | codes, key=len, reverse=True))
                      + r")(?![\w-])")


def test_the_network_figures_are_registry_figures_shown_in_the_network_section(ds, html):
    specs = {s.name: s for s in registry()}
    net, figs = _section(html, "network"), _section(html, "figures")
    for name in NETWORK_FIGURES:
        spec = specs[name]
        assert spec.section == "network"
        alt = spec.describe(ds)
        assert f'<figure id="figure-{name}"' in net and f'<figure id="figure-{name}"' not in figs
        assert f'<desc id="fig-{name}-desc">{escape(typeset(alt))}</desc>' in net
        # the caption: a short summary, the rest of the description folded under "Notes"
        summary, notes = caption_parts(typeset(alt))
        title = spec.title(ds) if callable(spec.title) else spec.title     # the forest's title names the reference
        assert f"<figcaption><strong>{escape(title)}.</strong> {escape(summary)}" in net
        assert not notes or f"<summary>Notes</summary><p>{escape(notes)}</p>" in net
        fig = net[net.index(f'<figure id="figure-{name}"'):]
        assert "<svg" in fig[:fig.index("</figure>")] and 'role="img"' in fig[:fig.index("</figure>")]
    # the figures come before the tables, after the plain-words summary
    assert net.index("<figure") < net.index("<table")


def test_network_alt_texts_say_what_is_drawn_in_words(ds):
    specs = {s.name: s for s in registry()}
    graph, forest = specs["network-graph"].describe(ds), specs["network-forest"].describe(ds)
    assert "4 treatments from 2 randomised trials (Brinkhaus 2006, Haake 2007)" in graph
    assert "area proportional to the participants" in graph and "how many trials" in graph
    for name in _descriptor_names():
        assert name in graph and name in forest
    # M11: the code-derived words are gone; the review's own comparator words are used
    assert "no treatment" not in graph and "no treatment" not in forest
    assert "dashed outline: group size not reported" in graph
    assert "Negative values (left of zero) mean less pain with acupuncture" in forest and "95% CI" in forest


def _descriptor_names():
    """The intervention and the network's comparators as data/datapackage.json names them (review block)."""
    import json
    from pathlib import Path

    review = json.loads((Path(__file__).parents[2] / "data" / "datapackage.json").read_text(encoding="utf-8"))["review"]
    short = review["comparators_short"]
    return [review["intervention"], short["sham"], short["conventional_therapy"], short["no_treatment"]]


def test_network_figures_and_tables_use_the_descriptors_comparator_words(ds, html):
    """M11: every treatment name in the network's figures and tables is the review's word for it."""
    from matplotlib.text import Text

    from evidence_lib.plotting import style

    names = _descriptor_names()
    specs = {s.name: s for s in registry()}
    for name in NETWORK_FIGURES:
        with style():
            fig = specs[name].draw(ds)
            fig.canvas.draw()
        text = " ".join(t.get_text() for t in fig.findobj(Text)).replace("\n", " ")
        plt.close(fig)
        for word in names[1:]:
            assert word in text, (name, word, text)
        assert "no treatment" not in text and "GERAC" not in text
    net = report.network(ds)
    tables = {t["caption"]: t for t in net["tables"]}
    arms = tables["Arms in the network"]
    treatments = [r[arms["columns"].index("Treatment")] for r in arms["rows"]]
    assert {t.split(" (the trial: ")[0] for t in treatments} == set(names)
    assert "sham acupuncture (the trial: minimal acupuncture)" in treatments  # the trial's own word kept, second
    section = unescape(_section(html, "network"))
    assert "no treatment" not in section and "GERAC" not in section


def test_network_forest_keeps_the_reports_sign_convention(ds):
    """Acupuncture against each comparator, negative = less pain with acupuncture, as every other figure.

    The sign is checked against GERAC's own arm means (acupuncture lower than conventional
    therapy on a scale where higher is worse), not against the engine's output.
    """
    import re

    a = ds.arms
    arms = a[(a["source_id"] == "haake2007") & (a["outcome"] == "pain") & (a["timepoint_weeks"] == 6)]
    mean = dict(zip(arms["arm"], arms["mean"].astype(float)))
    direct = mean["intervention"] - mean["conventional_therapy"]
    assert direct < 0
    forest = {s.name: s for s in registry()}["network-forest"].describe(ds)
    m = re.search(r"against conventional therapy (\u2212?\d+\.\d) \(95% CI (\u2212?\d+\.\d) to (\u2212?\d+\.\d)\)",
                  forest)
    assert m, forest  # a true minus sign, as every number of the report
    est, lo, hi = (float(g.replace("\u2212", "-")) for g in m.groups())
    assert est < 0 and lo < est < hi
    assert abs(est - direct) < 1.0  # one trial informs it directly; the network moves it little


def test_no_internal_id_in_the_network_figures_or_their_text(ds, html):
    bad = _internal_words(ds)
    from matplotlib.text import Text

    from evidence_lib.plotting import style

    specs = {s.name: s for s in registry()}
    texts = []
    for name in NETWORK_FIGURES:
        with style():
            fig = specs[name].draw(ds)
            fig.canvas.draw()
        texts += [t.get_text() for t in fig.findobj(Text) if t.get_text()]
        plt.close(fig)
        texts.append(specs[name].describe(ds))
    assert len(texts) > 15
    for text in texts:
        assert not bad.search(text), (bad.search(text).group(0), text)
    net = _section(html, "network")
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", net, flags=re.S)
    assert len(captions) == 2
    for text in captions:
        assert not bad.search(unescape(text)), text


def test_axis_says_which_way_is_better(ds):
    from matplotlib.text import Text

    from evidence_lib.plotting import style

    spec = next(s for s in registry() if s.name == "network-forest")
    with style():
        fig = spec.draw(ds)
        fig.canvas.draw()
    xlabel = fig.axes[0].get_xlabel()
    texts = " ".join(t.get_text() for t in fig.findobj(Text))
    note = " ".join(t.get_text() for t in fig.texts if t is not fig._suptitle).replace("\n", " ")
    plt.close(fig)
    # L7: one label (the measure and which way round), the direction in a sentence of the note
    assert xlabel == "Difference in pain, points on 0\u2013100\n(acupuncture against each treatment)"
    assert note.startswith("Negative values (left of 0): less pain with acupuncture; positive: more pain with "
                           "acupuncture. Shaded:")
    assert "Difference [95% CI]" in texts


def test_svg_ids_are_unique_across_the_page(html):
    ids = re.findall(r'\bid="([^"]+)"', html)
    dup = sorted({i for i in ids if ids.count(i) > 1})
    assert not dup, dup[:10]
    assert any(i.startswith("fig-network-graph-") for i in ids)
    assert any(i.startswith("fig-network-forest-") for i in ids)


def test_bundled_claims_linked_to_the_network(ds):
    links = ds.claim_evidence[ds.claim_evidence["table"] == "analyses"]
    assert set(links["claim_id"]) == {"C14", "C17"}  # the sham / conventional-care claims
    assert set(links["row_id"]) == {"network-pain-short"}
    assert links["note"].str.len().min() > 80  # each says why the network bears on the claim


def test_a_claim_resting_on_the_network_links_to_its_section(html):
    assert '<section id="network"' in html
    for cid in ("C14", "C17"):
        card = _card(html, cid)
        assert 'href="#network"' in card, cid
        assert "Network meta-analysis of short-term pain (2 trials: Brinkhaus 2006, Haake 2007)" in card
        assert "negative: less pain with acupuncture" in card
    assert 'href="#network"' not in _card(html, "C13")  # not linked to the network


def test_evidence_review_names_the_analysis(ds):
    from evidence_lib.review.ledger import format_claim

    text = format_claim(ds, "C14")
    assert "Our analyses:" in text
    assert "[qualifies] Network meta-analysis of short-term pain; shown in the report" in text
    assert "network-pain-short" not in text  # the analysis by its title, not its internal id
    assert "claim-review.html#network" in text
    assert "Analyses computed" not in format_claim(ds, "C13")


def test_the_analysis_is_one_evidence_row_of_randomised_trials_of_the_condition(ds):
    from evidence_lib.review.evidence_kinds import evidence_rows

    ev = evidence_rows(ds, "C14")
    (row,) = ev[ev["table"] == "analyses"].to_dict("records")
    assert row["key"] == "analyses:network-pain-short" and row["role"] == "qualifies"
    assert (row["design"], row["subjects"], row["outcome"], row["term"]) == (
        "meta_analysis", "chronic low back pain", "pain", "short")
    assert row["k"] == 2 and row["measure"] == "MD"


def test_evidence_map_and_checks_treat_a_network_only_claim_as_condition_trials(data_copy):
    """A claim resting only on the analysis lands in the trials-of-the-condition row of the map."""
    import evidence_lib as ev
    from evidence_lib.review.checks import check
    from evidence_lib.review.evidence_kinds import claim_evidence_kinds

    names, rows = data_copy.rows("claim_evidence")
    rows = [r for r in rows if r["claim_id"] != "C17"]
    rows.append(dict(claim_id="C17", table="analyses", row_id="network-pain-short", role="supports", note="test"))
    data_copy.write("claim_evidence", names, rows)
    ds = ev.load(data_copy.root)
    kinds = claim_evidence_kinds(ds)
    assert list(kinds.loc[kinds["claim_id"] == "C17", "kind"]) == ["condition_trials"]
    found = {f.kind: f for f in check(ds, "C17").findings}
    assert found["subjects"].severity == "ok" and found["subjects"].rows == ("analyses:network-pain-short",)
    # the analysis carries its trials' comparators (conventional therapy among them), so the claim's
    # comparison is covered (the third reader review's H3)
    assert found["comparator"].severity == "ok"


def test_unknown_analysis_id_in_code_is_a_clear_error(ds):
    from evidence_lib.review.analyses import analysis_basis

    with pytest.raises(ValueError, match=r"analysis_id: unknown analysis 'nope'.*network-pain-short"):
        analysis_basis(ds, "nope")


def test_build_writes_the_network_figures(tmp_path):
    from evidence_lib.output.figures import save_figure, spec
    from evidence_lib.plotting import style

    import evidence_lib as ev

    ds = ev.load()
    for name in NETWORK_FIGURES:
        with style():
            fig = spec(name).draw(ds)
        paths = save_figure(fig, tmp_path / name)
        plt.close(fig)
        assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.stat().st_size > 5000 for p in paths)


def test_the_network_says_why_its_interval_is_narrow(ds):
    """H2: τ² estimated at 0 from 2 trials is said in the section, the figure note and its alt text,
    with numbers from the fitted results (network REML and the pairwise DerSimonian-Laird pooling)."""
    from evidence_lib.output import figure_data as fd
    from evidence_lib.output import figure_network as fn
    from evidence_lib.review.network import pain_network

    res = pain_network(ds)
    assert res.tau2 == 0 and len(res.studies) == 2  # Brinkhaus 2006 and Haake 2007 (arms.csv)
    caveat = fn.tau_caveat(ds)
    assert "estimated at 0 from only 2 trials (1 degree of freedom" in caveat and "fixed-effect" in caveat
    sham = fd.own_inputs(ds)["results"]["vs sham acupuncture"]
    assert f"{sham.ci_low:.1f} to {sham.ci_high:.1f}".replace("-", "\u2212") in caveat
    assert "Pairwise random-effects pooling gives a wider interval" in caveat
    assert caveat in report.network(ds)["summary"]
    assert caveat in fn.forest_describe(ds)


def test_the_caveat_follows_the_fit(ds, monkeypatch):
    """With τ² above 0 there is no caveat (the sentence is not hard-coded)."""
    from dataclasses import replace

    from evidence_lib.output import figure_network as fn

    n = fn.network_inputs(ds)
    monkeypatch.setattr(fn, "network_inputs", lambda _ds: {**n, "result": replace(n["result"], tau2=4.0)})
    assert fn.tau_caveat(ds) == ""


def test_the_network_forest_draws_the_mcid_band(ds):
    """The 15-point band (Mu 2020 row of thresholds.csv) is drawn from −15 to +15, as on the other 0-100 figures."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    from evidence_lib.output import figure_network as fn

    fig = fn.forest_figure(ds)
    ax = fig.axes[0]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1
    xs = bands[0].get_paths()[0].vertices[:, 0]
    assert (round(xs.min(), 6), round(xs.max(), 6)) == (-15.0, 15.0)
    notes = " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
    assert "Shaded: differences smaller than the minimal clinically important difference" in notes
    assert "\u00b115 points" in notes and "fixed-effect" in notes
    plt.close(fig)


def test_band_notes_describe_a_zone_not_a_threshold(ds):
    """M7: a band spans ± the threshold, so its words are 'differences smaller than ...'."""
    from evidence_lib.output import figure_data as fd

    band = fd.band_for(ds, "MD", ["VAS 0-100"])
    assert band.value == 15
    assert band.text.startswith("differences smaller than the minimal clinically important difference")
    assert "(\u00b115 points on 0-100 scale; Mu 2020)" in band.text and "between groups of 15" not in band.text


def test_network_tables_in_the_page_have_no_blank_cell(html):
    """M15: an empty cell says why it is empty ('not reported …', 'none'), it is never blank."""
    net = _section(html, "network")
    cells = re.findall(r"<td\b[^>]*>(.*?)</td>", net, flags=re.S)
    assert len(cells) > 60
    assert all(unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells)
    assert "Change from baseline or final value" in net and "Where the standard error comes from" in net
    assert "matches about" in unescape(net)  # the derived SE's note is printed under its table
