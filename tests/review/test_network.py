"""The bundled trials' pain network (review/network.py) and its figures (plotting/network.py).

The selection is checked against the rows of data/arms.csv and data/effects.csv read
here directly; the fitted network is checked against a two-step computation by hand
(pairwise mean differences from the arm rows with escalc-style formulas).
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from evidence_lib.plotting import network as pn  # noqa: E402
from evidence_lib.review import network as rn  # noqa: E402


@pytest.fixture(scope="module")
def ds():
    import evidence_lib as ev

    return ev.load()


def test_arms_come_from_the_data(ds):
    arms = rn.pain_network_arms(ds)
    assert set(arms["study"]) == {"haake2007", "brinkhaus2006"}
    raw = ds.arms.set_index("arm_id")
    gerac = arms[arms["study"] == "haake2007"]
    assert set(gerac["timepoint_weeks"]) == {6.0}
    # GERAC reports follow-up CPGS scores, higher = worse: kept as they are
    assert not gerac["negated"].any()
    assert gerac.set_index("treatment").loc["sham", "mean"] == raw.loc["haake2007-cpgs-sham-6w", "mean"]
    # ART reports decreases (positive = improvement): negated
    art = arms[arms["study"] == "brinkhaus2006"].set_index("treatment")
    assert art["negated"].all()
    assert art.loc["intervention", "mean"] == -raw.loc["brinkhaus2006-pain-acu-8w", "mean"]
    assert set(arms["treatment"]) == {"intervention", "sham", "conventional_therapy", "no_treatment"}


def test_waiting_list_variance_is_derived_from_the_published_difference(ds):
    arms = rn.pain_network_arms(ds).set_index(["study", "treatment"])
    e = ds.effects.set_index("effect_id").loc["brinkhaus2006-pain-wl-8w"]
    acu = ds.arms.set_index("arm_id").loc["brinkhaus2006-pain-acu-8w"]
    se_md = (e["ci_high"] - e["ci_low"]) / (2 * 1.959963984540054)
    expected = math.sqrt(se_md**2 - acu["sd"] ** 2 / acu["n"])
    assert arms.loc[("brinkhaus2006", "no_treatment"), "se"] == pytest.approx(expected)
    assert "derived" in arms.loc[("brinkhaus2006", "no_treatment"), "origin"]


def test_inclusion_says_why_each_trial_is_out(ds):
    inc = rn.pain_network_inclusion(ds).set_index("source_id")
    assert inc.loc["witt2006", "reason"] == "no pain values per arm in the sources used"
    assert "SD not reported in the sources used" in inc.loc["kong2020", "arms_left_out"]
    assert inc.loc["cherkin2009", "reason"].startswith("no short-term visit")
    assert inc.loc["haake2007", "reason"] == "included"
    assert not inc["reason"].str.contains("recorded|enters").any()


def test_a_trial_with_no_arm_entered_has_all_arms_left_out(ds):
    """rr4 finding 10: 'Arms entered: none' beside 'Arms left out: none' said nothing was left out."""
    inc = rn.pain_network_inclusion(ds).set_index("source_id")
    for sid in ("cherkin2009", "thomas2006", "witt2006"):
        assert inc.loc[sid, "arms_entered"] == "" and inc.loc[sid, "arms_left_out"] == rn.ALL_ARMS, sid


def test_an_other_active_arm_is_named_by_the_trial(ds):
    """rr4 finding 10: 'another active treatment (therapeutic massage)' is the massage arm."""
    left = rn.pain_network_inclusion(ds).set_index("source_id").loc["cherkin2001", "arms_left_out"]
    assert "another active treatment" not in left and "therapeutic massage arm" in left


def test_network_matches_a_hand_computation(ds):
    """Under FE the conventional-therapy and waiting-list arms have no evidence but their own
    trial, so they take their contrasts exactly and the sham-vs-acupuncture estimate is the
    plain inverse-variance mean of the two trials' sham-minus-acupuncture differences."""
    res = rn.pain_network(ds, method="FE")
    assert res.measure == "MD" and res.reference == "intervention"
    a = ds.arms.set_index("arm_id")
    g_s, g_a = a.loc["haake2007-cpgs-sham-6w"], a.loc["haake2007-cpgs-verum-6w"]
    b_s, b_a = a.loc["brinkhaus2006-pain-min-8w"], a.loc["brinkhaus2006-pain-acu-8w"]
    y1, v1 = g_s["mean"] - g_a["mean"], g_s["sd"] ** 2 / g_s["n"] + g_a["sd"] ** 2 / g_a["n"]
    y2, v2 = -(b_s["mean"] - b_a["mean"]), b_s["sd"] ** 2 / b_s["n"] + b_a["sd"] ** 2 / b_a["n"]
    w1, w2 = 1 / v1, 1 / v2
    assert res.effects.loc["sham", "estimate"] == pytest.approx((w1 * y1 + w2 * y2) / (w1 + w2), rel=1e-10)
    assert res.effects.loc["sham", "se"] == pytest.approx(math.sqrt(1 / (w1 + w2)), rel=1e-10)


def test_section_for_the_report(ds):
    s = rn.network_section(ds)
    assert "Brinkhaus 2006" in s.summary and "Haake 2007" in s.summary
    assert "Witt 2006" in s.summary
    assert all(hasattr(t, "columns") for t in s.tables.values())
    assert any("League" in k for k in s.tables)


def test_figures_and_alt_text(ds):
    res = rn.pain_network(ds)
    nodes, edges = res.participants().reset_index(), res.edges()
    labels = {"intervention": "drug A", "sham": "dummy", "no_treatment": "nothing", "conventional_therapy": "drug B"}
    ax = pn.network_graph(nodes, edges, labels=labels)
    assert len(ax.collections) == len(nodes)
    txt = pn.describe_network_graph(nodes, edges, labels=labels)
    assert "nothing (n not reported)" in txt and "drug A vs dummy (2 studies)" in txt
    eff = res.effects.reset_index()
    ax = pn.network_forest(eff, reference=res.reference, labels=labels, xlabel="MD")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["drug B", "nothing", "dummy"]
    assert "against drug A" in pn.describe_network_forest(eff, reference=res.reference, labels=labels)
    empty = pn.network_forest(eff[eff.treatment == res.reference], reference=res.reference)
    assert not empty.get_xticks().size
    import matplotlib.pyplot as plt

    plt.close("all")


# --- M17: the network graph's layout ------------------------------------------------------------------------------

def _segments_cross(p1, p2, q1, q2) -> bool:
    """Whether two straight segments cross at a point inside both (shared ends do not count): orientation test."""
    def orient(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return 0 if abs(v) < 1e-12 else (1 if v > 0 else -1)

    if {p1, p2} & {q1, q2}:
        return False
    return orient(p1, p2, q1) * orient(p1, p2, q2) < 0 and orient(q1, q2, p1) * orient(q1, q2, p2) < 0


def _geometric_crossings(pos, pairs) -> int:
    segs = [(pos[a], pos[b]) for a, b in pairs]
    return sum(_segments_cross(*segs[i], *segs[j]) for i in range(len(segs)) for j in range(i + 1, len(segs)))


def test_bundled_network_is_drawn_without_crossing_edges(ds):
    """The old order on the circle (acupuncture, conventional therapy, no treatment, sham) crossed two edges."""
    res = rn.pain_network(ds)
    nodes, edges = res.participants().reset_index(), res.edges()
    names = [str(t) for t in nodes["treatment"]]
    pairs = list(zip(edges["treatment_a"], edges["treatment_b"]))
    T = len(names)
    old = {n: (math.cos(math.pi / 2 - 2 * math.pi * i / T), math.sin(math.pi / 2 - 2 * math.pi * i / T))
           for i, n in enumerate(names)}
    assert _geometric_crossings(old, pairs) == 1  # the drawing the review found
    pos = pn.circle_positions(names, pairs)
    assert _geometric_crossings(pos, pairs) == 0
    assert pos[names[0]] == pytest.approx((0.0, 1.0))  # the first node stays at the top
    # and the drawn lines are those positions
    ax = pn.network_graph(nodes, edges)
    drawn = [tuple(map(tuple, np.column_stack(line.get_data()))) for line in ax.lines]
    assert _geometric_crossings({i: p for s in drawn for i, p in enumerate(s)} and
                                {f"{k}{j}": p for k, s in enumerate(drawn) for j, p in enumerate(s)},
                                [(f"{k}0", f"{k}1") for k in range(len(drawn))]) == 0
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("names, pairs, fewest", [
    # a pentagon with two chords from one node (outerplanar), given in an order that crosses
    (list("ABCDE"), [("A", "C"), ("C", "B"), ("B", "E"), ("E", "D"), ("D", "A"), ("A", "B"), ("A", "E")], 0),
    # a star with a rim edge between non-neighbours of the given order
    (list("ABCDE"), [("A", "B"), ("A", "C"), ("A", "D"), ("A", "E"), ("B", "D"), ("C", "E")], 0),
    # K4 cannot be drawn on a circle without one crossing
    (list("ABCD"), [(a, b) for i, a in enumerate("ABCD") for b in "ABCD"[i + 1:]], 1),
])
def test_circle_layout_of_small_synthetic_networks(names, pairs, fewest):
    T = len(names)
    given = {n: (math.cos(math.pi / 2 - 2 * math.pi * i / T), math.sin(math.pi / 2 - 2 * math.pi * i / T))
             for i, n in enumerate(names)}
    pos = pn.circle_positions(names, pairs)
    assert _geometric_crossings(pos, pairs) == fewest
    if fewest == 0:
        assert _geometric_crossings(given, pairs) > 0  # the test is not trivially passed by the given order
    assert pn.circle_order(names, pairs) == pn.circle_order(names, pairs)  # deterministic


def test_circle_order_names_unknown_nodes():
    with pytest.raises(ValueError, match=r"pairs: edges name nodes \['Z'\]"):
        pn.circle_order(["A", "B"], [("A", "Z")])


def test_edge_badges_sit_on_their_own_edge_away_from_the_others(ds):
    res = rn.pain_network(ds)
    edges = res.edges()
    pairs = list(zip(edges["treatment_a"], edges["treatment_b"]))
    pos = pn.circle_positions(list(res.treatments), pairs)
    pts = pn.badge_points(pos, pairs)

    def dist(p, a, b):
        a, b, p = np.asarray(a), np.asarray(b), np.asarray(p)
        t = np.clip(np.dot(p - a, b - a) / np.dot(b - a, b - a), 0, 1)
        return float(np.linalg.norm(p - (a + t * (b - a))))

    for i, (p, (a, b)) in enumerate(zip(pts, pairs)):
        assert dist(p, pos[a], pos[b]) < 1e-9  # on its own edge
        others = [dist(p, pos[c], pos[d]) for j, (c, d) in enumerate(pairs) if j != i]
        assert min(others) > 0.3  # well clear of every other edge (unit circle)
    # the badges drawn are these points
    ax = pn.network_graph(res.participants().reset_index(), edges)
    badges = [t.get_position() for t in ax.texts if t.get_bbox_patch() is not None]
    assert sorted(badges) == sorted(pts)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_dashed_outline_is_explained_in_the_figures_own_note(ds):
    res = rn.pain_network(ds)
    nodes = res.participants().reset_index()
    assert nodes["participants"].isna().any()  # Brinkhaus 2006's waiting-list size is not in arms.csv
    ax = pn.network_graph(nodes, res.edges())
    note = " ".join(t.get_text() for t in ax.texts)
    assert "Dashed outline: group size not reported." in note
    full = nodes.fillna({"participants": 10.0})
    ax = pn.network_graph(full, res.edges())
    assert "Dashed outline" not in " ".join(t.get_text() for t in ax.texts)  # only when a size is missing
    import matplotlib.pyplot as plt

    plt.close("all")


# --- M15: the arms table -------------------------------------------------------------------------------------------

def test_arms_table_has_no_blank_cell_and_says_what_each_mean_is(ds):
    s = rn.network_section(ds)
    arms = s.tables["Arms in the network"]
    assert not arms.isna().any().any()
    assert all(str(v).strip() for v in arms.to_numpy().ravel())
    raw = ds.arms.set_index("arm_id")
    # the kind of each mean, from the data rows' notes
    assert "CHANGE from baseline" in raw.loc["brinkhaus2006-pain-wl-8w", "notes"]
    assert "Follow-up score (not change)" in raw.loc["haake2007-cpgs-sham-6w", "notes"]
    kind = dict(zip(zip(arms["study_label"], arms["network_treatment"]), arms["score"]))
    assert {v for (t, _), v in kind.items() if t == "Brinkhaus 2006"} == {"change from baseline"}
    assert {v for (t, _), v in kind.items() if t == "Haake 2007"} == {"final value"}
    # the waiting-list arm has no n in arms.csv: the cell says so and why
    wl = arms[(arms["study_label"] == "Brinkhaus 2006") & arms["network_treatment"].str.endswith("waiting list)")]
    wl = wl.iloc[0]
    assert pd.isna(raw.loc["brinkhaus2006-pain-wl-8w", "n"])  # no group size in the data
    assert raw.loc["brinkhaus2006-pain-wl-8w", "location"] == "Abstract"
    assert wl["n"] == "not reported in the abstract (see below)"
    total = int(ds.sources.set_index("source_id").loc["brinkhaus2006", "n_participants"])
    note = s.table_notes["Arms in the network"]
    assert "the abstract that gives this row's mean gives no size for this group" in note
    assert f"(the trial had {total} participants)" in note
    assert "derived" in wl["se_basis"] and set(arms["se_basis"]) - {wl["se_basis"]} == {"SD / √n"}
    # no blank cell in the inclusion table either
    inc = s.tables["Trials and arms considered"]
    assert all(str(v).strip() for v in inc.to_numpy().ravel())


def test_the_derived_standard_error_is_explained_with_numbers_from_the_data(ds):
    """SE 3.25 with SD 22 implies n of about 46, fewer than the 79 the other groups leave of 298: said plainly."""
    s = rn.network_section(ds)
    note = s.table_notes["Arms in the network"]
    a = ds.arms.set_index("arm_id")
    acu, wl = a.loc["brinkhaus2006-pain-acu-8w"], a.loc["brinkhaus2006-pain-wl-8w"]
    sham = a.loc["brinkhaus2006-pain-min-8w"]
    e = ds.effects.set_index("effect_id").loc["brinkhaus2006-pain-wl-8w"]
    se_md = (e["ci_high"] - e["ci_low"]) / (2 * 1.959963984540054)
    var = se_md ** 2 - acu["sd"] ** 2 / acu["n"]
    implied = wl["sd"] ** 2 / var
    total = ds.sources.set_index("source_id").loc["brinkhaus2006", "n_participants"]
    left = int(total - acu["n"] - sham["n"])
    assert f"a standard error of {math.sqrt(var):.2f} matches about {round(implied)} participants" in note
    assert f"leaves {left}" in note and f"SD / √n would be {wl['sd'] / math.sqrt(left):.2f}" in note
    assert "less weight" in note  # the derived SE is larger than SD/√79
    assert f"{e['estimate']:.1f}, 95% CI {e['ci_low']:.1f} to {e['ci_high']:.1f}" in note
    arms = s.tables["Arms in the network"]
    assert f"{math.sqrt(var):.2f}" in set(arms["se"])


def test_section_tables_say_the_direction_in_words(ds):
    s = rn.network_section(ds)
    caps = list(s.tables)
    assert any("negative: less pain with the row's treatment" in c for c in caps if c.startswith("League"))
    assert any("negative: less pain with the first-named treatment" in c for c in caps if c.startswith("Direct"))
    assert any("negative: less pain with acupuncture" in c for c in caps if c.startswith("Acupuncture against"))
    assert "−" in s.summary and "-2.6" not in s.summary  # a true minus


def test_score_kind():
    assert rn.score_kind("Follow-up score (not change), mean +/- SD") == "final value"
    assert rn.score_kind("CHANGE from baseline (mean decrease in mm)") == "change from baseline"
    assert rn.score_kind(None) == rn.score_kind("mean (SD)") == "not stated"


def test_the_weeks_column_says_it_counts_arm_means_only(ds):
    """rr4 finding 10: Thomas 2006 shows 52 here but 104 weeks in the SoF (a difference, not arm means)."""
    from evidence_lib.vocab import REPORT_COLUMN_LABELS

    inc = rn.pain_network_inclusion(ds).set_index("source_id")
    assert "104" not in inc.loc["thomas2006", "pain_weeks"]
    assert "per arm" in REPORT_COLUMN_LABELS["pain_weeks"]
