"""Plot functions, the figure registry and the build: Axes contract, rcParams, alt text,
forest text layout, empty tables, deterministic and atomic output."""

import itertools
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from evidence_lib.plotting import evidence as pe  # noqa: E402
from evidence_lib.plotting import safety as psafe  # noqa: E402
from evidence_lib.plotting import timecourse as ptime  # noqa: E402
from evidence_lib.plotting import describe_forest, describe_funnel, forest_plot, funnel_plot  # noqa: E402
from evidence_lib.meta import pool  # noqa: E402

from tests import fixtures as fx  # noqa: E402


PLAN = {"label": "Reference plan", "minutes": (20, 30), "sessions_per_week": (1, 2), "weeks": (4, 6),
        "maintenance_every_weeks": (2, 4)}
KINDS = ("a", "b", "c")


def _rates():
    ae = fx.adverse_events()
    return ae.assign(rate=ae["estimate"] * 10000, rate_low=ae["ci_low"] * 10000, rate_high=ae["ci_high"] * 10000)


def _map_rows():
    claims, _links, _sources = fx.claims_links_sources()
    return claims.assign(kind=[KINDS[i % 3] for i in range(len(claims))])


def _calls():
    df = fx.trials(8)
    res = fx.result(df)
    return {
        "forest": lambda ax: forest_plot(df, n=("n_i", "n_c"), pooled=res, threshold=1.0, ax=ax),
        "funnel": lambda ax: funnel_plot(df, estimate="yi", se="se", pooled_estimate=res.estimate, ax=ax),
        "time": lambda ax: ptime.effect_over_time(fx.effects(), group="source_id", threshold=1.0, ax=ax),
        "rates": lambda ax: ptime.rates_by_timepoint(fx.effects().assign(tp=lambda d: d["timepoint"]),
                                                     timepoint="tp", group="source_id", ax=ax),
        "safety": lambda ax: psafe.safety_rates(_rates(), ax=ax),
        "plans": lambda ax: pe.session_plan_timeline(fx.protocols(), reference_plan=PLAN, ax=ax),
        "map": lambda ax: pe.evidence_map(_map_rows(), row_order=KINDS, ax=ax),
    }


@pytest.mark.parametrize("name", list(_calls()))
def test_returns_axes_and_uses_given_ax(name):
    call = _calls()[name]
    ax = call(None)
    assert isinstance(ax, Axes)
    fig, given = plt.subplots(figsize=(9, 6), layout="constrained")
    assert call(given) is given
    fig.canvas.draw()


@pytest.mark.parametrize("name", list(_calls()))
def test_does_not_change_rcparams(name):
    before = dict(matplotlib.rcParams)
    _calls()[name](None)
    after = dict(matplotlib.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()


def test_import_leaves_rcparams_and_matplotlib_alone():
    code = ("import sys, evidence_lib.output.figures, evidence_lib.plotting.forest, evidence_lib.plotting.evidence, evidence_lib.plotting.verdicts;"
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    code = ("import matplotlib as m; b = dict(m.rcParams); import evidence_lib.plotting.evidence, evidence_lib.plotting.forest,"
            " evidence_lib.output.figures; print(b == dict(m.rcParams))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


@pytest.mark.parametrize("name,data", [
    ("funnel", None), ("time", None), ("safety", None), ("plans", None), ("map", None)])
def test_empty_tables_draw_a_no_data_panel(name, data):
    empty = {
        "funnel": lambda: funnel_plot(fx.trials(3).iloc[0:0], estimate="yi", se="se"),
        "time": lambda: ptime.effect_over_time(fx.effects().iloc[0:0]),
        "safety": lambda: psafe.safety_rates(_rates().iloc[0:0]),
        "plans": lambda: pe.session_plan_timeline(fx.protocols().iloc[0:0], reference_plan=PLAN),
        "map": lambda: pe.evidence_map(_map_rows().iloc[0:0], row_order=KINDS),
    }[name]
    ax = empty()
    ax.figure.canvas.draw()
    texts = " ".join(t.get_text() for t in ax.texts).lower()
    assert "no " in texts


# --------------------------------------------------------------------------- alt text

def test_describe_counts():
    df = fx.trials(8)
    res = fx.result(df)
    s = describe_forest(df, pooled=res, threshold=1.0)
    assert "8 trials" in s and "prediction interval" in s
    t = ptime.describe_effect_over_time(fx.effects(), group="source_id")
    assert "9 timepoints" in t and "4 comparisons" in t
    assert "5 rates per 10,000 patients" in psafe.describe_safety_rates(_rates())
    assert "5 trial protocols" in pe.describe_session_plan_timeline(fx.protocols(), reference_plan=PLAN)
    assert "10-12 sessions" in pe.describe_session_plan_timeline(fx.protocols(), reference_plan=PLAN)
    rows = pd.concat([_map_rows(), _map_rows().iloc[:2].assign(kind="c")])
    m = pe.describe_evidence_map(rows, row_order=KINDS + ("d",), row_text={"d": "nothing"})
    assert "14 claims" in m and "2 claims rest on more than one kind" in m and "Empty rows: nothing" in m
    assert "14 studies" in describe_funnel(fx.trials(14), estimate="yi", se="se")
    assert "no " in psafe.describe_safety_rates(_rates().iloc[0:0]).lower()


def test_prediction_interval_only_from_three_studies():
    df = fx.trials(2)
    res = pool(df["yi"], df["se"] ** 2, method="DL", pi="t_k2")
    assert "prediction interval" not in describe_forest(df, pooled=res)
    ax = forest_plot(df, pooled=res)
    assert not any("prediction" in t.get_text() for t in ax.texts)
    df3 = fx.trials(3)
    res3 = pool(df3["yi"], df3["se"] ** 2, method="DL", pi="t_k2")
    ax = forest_plot(df3, pooled=res3, prediction_label="95% prediction interval (t, k-2 df)")
    assert any(t.get_text() == "95% prediction interval (t, k-2 df)" for t in ax.texts)


def test_single_study_subgroup_is_not_pooled():
    from matplotlib.patches import Polygon

    from evidence_lib.plotting.forest import ONE_STUDY

    df = fx.trials(3, groups=["A", "B", "B"])
    subs = {g: pool(d["yi"], d["se"] ** 2, method="DL") for g, d in df.groupby("group")}
    ax = forest_plot(df, group="group", subgroup_results=subs, subgroup_test="No test: a shared arm.")
    texts = [t.get_text() for t in ax.texts]
    assert ONE_STUDY in texts and sum(t.startswith("Subtotal") for t in texts) == 1
    assert sum(isinstance(p, Polygon) for p in ax.patches) == 1          # group B's diamond only
    assert not any("df = 0" in t for t in texts)
    assert "No test: a shared arm." in texts + [a.get_text() for a in ax.texts]


def test_funnel_caveat_below_ten_studies():
    ax = funnel_plot(fx.trials(4), estimate="yi", se="se")
    assert ax.get_title(loc="left").startswith("4 studies: too few to judge asymmetry (10 or more are needed)")
    assert "too few to judge asymmetry" in describe_funnel(fx.trials(4), estimate="yi", se="se")
    ax = funnel_plot(fx.trials(12), estimate="yi", se="se")
    assert ax.get_title(loc="left") == ""


def test_risk_of_bias_panel_draws_every_judgment():
    df = fx.trials(3)
    rob = pd.DataFrame({"d1": ["low", "high", "not_seen"], "d2": ["unclear", "low", "not_seen"]},
                       index=list(df["label"]))
    ax = forest_plot(df, risk_of_bias=rob, rob_domain_names=["first", "second"])
    texts = [t.get_text() for t in ax.texts]
    assert "Risk of bias" in texts and "+" in texts and "?" in texts and "\u2212" in texts
    anns = [a.get_text() for a in ax.texts if a.get_text() in ("no judgment available", "low risk")]
    assert {"no judgment available", "low risk"} <= set(anns)


# --------------------------------------------------------------------------- forest layout

def _text_boxes(fig):
    r = fig.canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        items = list(ax.texts) + list(ax.get_xticklabels()) + [ax.xaxis.label, ax.title]
        for t in items:
            if t.get_visible() and t.get_text():
                boxes.append((t.get_text(), t.get_window_extent(r)))
    return boxes


LONG = "Sator-Katzenschlager 2004 (EA)"      # 30 characters


@pytest.mark.parametrize("k,groups,n_cols", [(2, None, True), (8, None, True), (25, None, False),
                                              (12, ["Sham control", "Usual care", "No treatment"], True)])
def test_forest_text_never_overlaps_or_clips(k, groups, n_cols):
    df = fx.trials(k, groups=groups)
    df.loc[0, "label"] = LONG
    assert len(LONG) == 30
    subs = {g: fx.result(d) for g, d in df.groupby("group")} if groups else None
    ax = forest_plot(df, n=("n_i", "n_c") if n_cols else None, group="group" if groups else None,
                     pooled=fx.result(df), subgroup_results=subs,
                     subgroup_test={"q": 3.2, "df": 2, "pvalue": 0.2} if groups else None, threshold=1.0,
                     xlabel="Mean difference, 0-10 scale")
    fig = ax.figure
    fig.canvas.draw()
    boxes = _text_boxes(fig)
    W, H = fig.bbox.width, fig.bbox.height
    for text, b in boxes:
        assert b.x0 >= -0.5 and b.y0 >= -0.5 and b.x1 <= W + 0.5 and b.y1 <= H + 0.5, f"clipped: {text!r} {b}"
    for (t1, b1), (t2, b2) in itertools.combinations(boxes, 2):
        assert not b1.overlaps(b2), f"{t1!r} overlaps {t2!r}"
    shown = {t for t, _ in boxes}
    assert LONG in shown and any(t.startswith("Heterogeneity") for t in shown)
    assert any(t.startswith("Test for overall effect") for t in shown)
    if groups:
        assert any(t.startswith("Test for subgroup differences") for t in shown)
        assert sum(t.startswith("Subtotal") for t, _ in boxes) == 3


def test_forest_log_scale_and_ax_given():
    df = fx.trials(6)
    import numpy as np

    for c in ("yi", "ci_low", "ci_high"):
        df[c] = np.exp(df[c] / 3)
    fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
    out = forest_plot(df, pooled=None, log_scale=True, null=1.0, threshold=1.25, ax=ax)
    assert out is ax and ax.get_xscale() == "log"
    fig.canvas.draw()


def test_the_figures_dl_pooling_matches_hand_computation():
    # two studies, equal variance: tau2 from Q; estimate is the plain mean
    from evidence_lib.output.figures import pool_trials

    r = pool([0.0, 1.0], [0.1, 0.1], method="DL")
    assert pool_trials([0.0, 1.0], [0.1, 0.1]).estimate == pytest.approx(0.5)
    q = 2 * (0.5 ** 2) / 0.1
    c = 20 - 200 / 20
    tau2 = (q - 1) / c
    assert r.estimate == pytest.approx(0.5)
    assert r.tau2 == pytest.approx(tau2)
    assert r.se == pytest.approx((2 / (0.1 + tau2)) ** -0.5)
    assert r.i2 == pytest.approx((q - 1) / q * 100)
    assert sum(r.weights) == pytest.approx(100)


# --------------------------------------------------------------------------- registry and build

def test_registry_draws_empty_and_filled(ds):
    from evidence_lib.output.figures import registry

    filled = fx.filled_dataset(ds)
    for spec in registry():
        for data in (ds, filled):
            fig = spec.draw(data)
            fig.canvas.draw()
            plt.close(fig)
            text = spec.describe(data)
            assert isinstance(text, str) and len(text) > 20
    from evidence_lib.output.figures import _forest_describe

    assert "8 trials" in _forest_describe(filled)


def _build(out, monkeypatch, ds):
    import io

    from evidence_lib.output import build as b
    from evidence_lib.dataset import loader as data

    monkeypatch.setattr(data, "load", lambda path=None: ds)
    stream = io.StringIO()
    res = b.build(None, out, stream=stream)
    return res, stream.getvalue()


def test_build_is_byte_for_byte_deterministic(tmp_path, monkeypatch, ds):
    filled = fx.filled_dataset(ds)
    r1, log = _build(tmp_path / "a", monkeypatch, filled)
    r2, _ = _build(tmp_path / "b", monkeypatch, filled)
    figs = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.suffix in (".png", ".svg"))
    assert len(figs) >= 14
    for rel in figs:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    lines = [ln for ln in log.splitlines() if re.match(r"\[\d+/\d+\] figures/", ln)]
    from evidence_lib.output.figures import registry

    n = len(registry())
    assert n >= 9
    assert len(lines) == n
    assert re.fullmatch(rf"\[1/{n}\] figures/verdicts-by-category\.png, \.svg  \(\d+\.\d s\)", lines[0])
    svg = (tmp_path / "a" / "figures" / "forest.svg").read_text()
    assert "<dc:date>" not in svg
    png = (tmp_path / "a" / "figures" / "forest.png").read_bytes()
    assert b"Software" not in png and b"tIME" not in png


def test_failure_while_drawing_leaves_no_partial_files(tmp_path, monkeypatch, ds):
    from evidence_lib.output import figures

    good, _ = _build(tmp_path / "out", monkeypatch, ds)
    first = {p.name: p.read_bytes() for p in (tmp_path / "out" / "figures").iterdir()
             if p.name.startswith("verdicts-by-category")}
    specs = figures.registry()

    def boom(_ds):
        fig, ax = plt.subplots()
        ax.plot([1, 2])
        raise RuntimeError("drawing failed")

    broken = [specs[0], figures.FigureSpec("broken", "Broken", boom, lambda d: "")] + specs[1:]
    monkeypatch.setattr(figures, "registry", lambda: broken)
    before = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    for out in (tmp_path / "out", tmp_path / "fresh"):
        with pytest.raises(RuntimeError, match="drawing failed"):
            _build(out, monkeypatch, ds)
    # whole or not at all: the folder that held a build holds exactly that build, the fresh one nothing
    after = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert after == before and first
    for name, data in first.items():
        assert (tmp_path / "out" / "figures" / name).read_bytes() == data
    assert not (tmp_path / "fresh" / "figures").exists()
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == []


def test_failure_while_saving_writes_neither_format(tmp_path):
    from evidence_lib.output.figures import save_figure

    fig, ax = plt.subplots()
    ax.plot([1, 2])
    with pytest.raises(Exception):
        save_figure(fig, tmp_path / "x", formats=("png", "no-such-format"))
    assert list(tmp_path.iterdir()) == []


def test_forest_figure_pools_with_the_engine_as_review_manager(ds):
    from evidence_lib.output import figure_data as fd
    from evidence_lib.output.figures import _forest_describe, _forest_figure

    filled = fx.filled_dataset(ds)
    f = fd.forest_inputs(filled)
    tr, res = f["trials"], f["pooled"]
    ref = pool(tr["y_pool"].to_numpy(), tr["vi"].to_numpy(), method="DL", ci="wald", pi="t_k2")
    assert res.estimate == pytest.approx(ref.estimate) and res.ci_low == pytest.approx(ref.ci_low)
    assert res.pi_low == pytest.approx(ref.pi_low) and res.method == "DL" and res.ci_method == "wald"
    assert "DerSimonian-Laird, Wald interval" in _forest_describe(filled)
    _forest_figure(filled).canvas.draw()




# --------------------------------------------------------------------------- what a reader sees

def _internal_ids(ds):
    ids = set(ds.sources["source_id"]) | set(ds.thresholds["threshold_id"]) | set(ds.pooled_results["analysis_id"])
    if "sof_id" in ds.summary_of_findings.columns:
        ids |= set(ds.summary_of_findings["sof_id"])
    return {str(i) for i in ids if isinstance(i, str) and i}


BAD = [re.compile(p) for p in (r"np\.float", r"\bnan\b", r"\bNone\b", r"favours 'na'", r"\ba immediate\b",
                               r"\d\.\d{4} [+-]\d\.\d{4}")]


def test_no_internal_ids_or_reprs_in_any_figure_or_alt_text(ds):
    """Every text artist of every figure of the build, and every alt text: no ids, no reprs."""
    from matplotlib.text import Text

    from evidence_lib.output.figures import registry
    from evidence_lib.plotting import style

    ids = _internal_ids(ds)
    id_re = re.compile(r"(?<![\w-])(" + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
                       + r")(?![\w-])")
    seen = 0
    for spec in registry():
        with style():
            fig = spec.draw(ds)
            fig.canvas.draw()
        texts = [t.get_text() for t in fig.findobj(Text) if t.get_text()]
        plt.close(fig)
        texts.append(spec.describe(ds))
        for text in texts:
            seen += 1
            hit = id_re.search(text)
            assert hit is None, f"{spec.name}: internal id {hit.group(0)!r} in {text!r}"
            for bad in BAD:
                assert not bad.search(text), f"{spec.name}: {bad.pattern!r} in {text!r}"
    assert seen > 200


def test_every_axis_says_which_way_is_better(ds):
    from evidence_lib.output.figures import registry

    for spec in registry():
        if spec.name in ("forest", "own-pooling", "review-estimates", "funnel", "effects-over-time"):
            assert "negative values: " in spec.describe(ds) and " with acupuncture" in spec.describe(ds), spec.name
    assert "higher is better" in next(s for s in registry() if s.name == "three-arm-responders").describe(ds)


def test_bands_use_the_one_threshold_policy(ds):
    from evidence_lib.output import figure_data as fd
    from evidence_lib.review.relevance import threshold_for

    from evidence_lib.output.figure_series import reviews_inputs

    p, words = reviews_inputs(ds)
    row, text = threshold_for(ds.thresholds, "SMD", p["instrument"].iloc[0])
    assert words["band"].value == pytest.approx(float(row["value"]))
    assert "a convention, not a clinically important difference" in words["band"].text
    f = fd.forest_inputs(ds)
    row, text = threshold_for(ds.thresholds, "MD", f["row"]["instrument"])
    assert f["band"].value == pytest.approx(float(row["value"])) and f["band"].text == fd.zone_text(row, text, "MD")
    assert f["band"].text.startswith("differences smaller than the ")


def test_own_pooling_shows_no_subgroup_test_with_a_shared_arm(ds):
    from evidence_lib.output import figure_data as fd

    o = fd.own_inputs(ds)
    assert o["shared"] and isinstance(o["test"], str) and "Handbook 23.3.4" in o["test"]
    assert o["n_trials"] == o["trials"]["source_id"].nunique()
    for g, r in o["results"].items():
        assert sum(o["trials"].loc[o["trials"]["group"] == g, "weight"]) == pytest.approx(100)


def test_evidence_map_rows_follow_the_checks(ds):
    from evidence_lib.review.checks import check_all
    from evidence_lib.review.evidence_kinds import claim_evidence_kinds

    checks = check_all(ds)
    flagged = set(checks[(checks["kind"] == "subjects") & (checks["severity"] != "ok")]["claim_id"])
    kinds = claim_evidence_kinds(ds)
    mapped = set(kinds[kinds["kind"].isin(["animals", "healthy_volunteers"])]["claim_id"])
    assert flagged and flagged == mapped


def test_effects_over_time_keeps_each_point_at_its_week(ds):
    from evidence_lib.output.figures import _time_figure

    fig = _time_figure(ds)
    from evidence_lib.output.figure_series import time_inputs

    e, _, _ = time_inputs(ds)
    xs = sorted(x for ax in fig.axes for line in ax.lines if line.get_marker() not in (None, "None", "")
                for x in line.get_xdata())
    assert xs == sorted(e["timepoint_weeks"].astype(float))


def test_saving_freezes_one_rounded_layout_and_restores_the_engine(tmp_path, ds):
    """The constrained-layout solver's last bits vary with memory layout; saving rounds them away."""
    from evidence_lib.output.figures import registry, save_figure

    spec = next(s for s in registry() if s.name == "effects-over-time")
    fig = spec.draw(fx.filled_dataset(ds))
    engine = fig.get_layout_engine()
    save_figure(fig, tmp_path / "x")
    for ax in fig.axes:
        for v in ax.get_position(original=True).bounds:
            assert abs(v * 1e6 - round(v * 1e6)) < 1e-6
        assert ax.get_in_layout()
    assert fig.get_layout_engine() is engine
    plt.close(fig)


def test_saving_draws_each_format_once(tmp_path, ds):
    """One full draw per file: savefig draws a figure with any layout engine (even matplotlib's
    placeholder for ``"none"``) once without output first, and the frozen layout needs no full draw."""
    from evidence_lib.output.figures import registry, save_figure

    spec = next(s for s in registry() if s.name == "effects-over-time")
    fig = spec.draw(ds)
    assert fig.get_layout_engine() is not None
    draws = []
    real = fig.draw

    def counted(renderer):
        draws.append(type(renderer).__name__)
        return real(renderer)

    fig.draw = counted
    save_figure(fig, tmp_path / "x")
    assert sorted(draws) == ["MixedModeRenderer", "RendererAgg"]   # the SVG, then the PNG renderer
    plt.close(fig)


def test_build_draws_each_figure_once(tmp_path, monkeypatch, ds):
    """The report inlines the SVG the build just wrote; drawing every figure twice doubled the build time."""
    import dataclasses

    from evidence_lib.output import figures

    calls = {}
    real = figures.registry()

    def counted(spec):
        def draw(d):
            calls[spec.name] = calls.get(spec.name, 0) + 1
            return spec.draw(d)
        return dataclasses.replace(spec, draw=draw)

    monkeypatch.setattr(figures, "registry", lambda: [counted(s) for s in real])
    _build(tmp_path / "out", monkeypatch, ds)
    assert calls == {s.name: 1 for s in real}
    html = (tmp_path / "out" / "reports" / "claim-review.html").read_text()
    assert all(f'id="figure-{s.name}"' in html for s in real if s.section == "figures")
