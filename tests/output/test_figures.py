"""Plot functions, the figure registry and the build: Axes contract, rcParams, alt text,
forest text layout, empty tables, deterministic and atomic output."""

import itertools
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from evidence_lib.plotting import evidence as pe  # noqa: E402
from evidence_lib.plotting import describe_forest, describe_funnel, forest_plot, funnel_plot  # noqa: E402
from evidence_lib.meta import pool  # noqa: E402

from tests import fixtures as fx  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _calls():
    df = fx.trials(8)
    res = fx.result(df)
    return {
        "forest": lambda ax: forest_plot(df, n=("n_i", "n_c"), pooled=res, threshold=1.0, ax=ax),
        "funnel": lambda ax: funnel_plot(df, estimate="yi", se="se", pooled_estimate=res.estimate, ax=ax),
        "time": lambda ax: pe.effect_over_time(fx.effects(), threshold=1.0, ax=ax),
        "safety": lambda ax: pe.safety_rates(fx.adverse_events(), ax=ax),
        "plans": lambda ax: pe.session_plan_timeline(fx.protocols(), ax=ax),
        "map": lambda ax: pe.evidence_map(*fx.claims_links_sources(), ax=ax),
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
        "time": lambda: pe.effect_over_time(fx.effects().iloc[0:0]),
        "safety": lambda: pe.safety_rates(fx.adverse_events().iloc[0:0]),
        "plans": lambda: pe.session_plan_timeline(fx.protocols().iloc[0:0]),
        "map": lambda: pe.evidence_map(*(t.iloc[0:0] for t in fx.claims_links_sources())),
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
    assert "9 timepoints" in pe.describe_effect_over_time(fx.effects()) and "4 trials" in pe.describe_effect_over_time(fx.effects())
    assert "5 outcomes" in pe.describe_safety_rates(fx.adverse_events())
    assert "3 per patient, 2 per treatment" in pe.describe_safety_rates(fx.adverse_events())
    assert "5 trial protocols" in pe.describe_session_plan_timeline(fx.protocols())
    assert "10-12 sessions" in pe.describe_session_plan_timeline(fx.protocols())
    m = pe.describe_evidence_map(*fx.claims_links_sources())
    assert "14 claims" in m and "2 with no linked source" in m and "2 from animals" in m
    assert "14 studies" in describe_funnel(fx.trials(14), estimate="yi", se="se")
    assert "no " in pe.describe_safety_rates(fx.adverse_events().iloc[0:0]).lower()


def test_evidence_kind_takes_the_strongest_source():
    claims, links, sources = fx.claims_links_sources()
    kinds = pe.claim_evidence_kinds(claims, links, sources).set_index("claim_id")["kind"]
    assert kinds["C14"] == "back_pain_other"      # witt2009 (back pain, observational) beats mixed chronic pain
    assert kinds["C06"] == "none"
    assert kinds["C08"] == "animals"


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
        assert sum(t.startswith("Subtotal") for t in shown) == 3


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
    from evidence_lib.output.figures import _forest_describe, _forest_inputs

    filled = fx.filled_dataset(ds)
    aid, tr, measure, ratio, res, row = _forest_inputs(filled)
    ref = pool(tr["y_pool"].to_numpy(), tr["vi"].to_numpy(), method="DL", ci="wald")
    assert res.estimate == pytest.approx(ref.estimate) and res.ci_low == pytest.approx(ref.ci_low)
    assert res.method == "DL" and res.ci_method == "wald"
    assert "DerSimonian-Laird, Wald interval" in _forest_describe(filled)
    fig = __import__("evidence_lib.output.figures", fromlist=["x"])._forest_figure(filled)
    fig.canvas.draw()
