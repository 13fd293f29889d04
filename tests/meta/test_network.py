"""evidence_lib.meta.network against metafor's rma.mv, and its invariances and input checks.

Reference values: tests/reference/metafor_network.json, written by
tests/reference/metafor_network.R (R is not needed here); every case records its R call.
Tolerances: 1e-6 (FE) and 1e-5 (REML), relative, with a small absolute floor for values
that are 0.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evidence_lib
from evidence_lib.meta import effect_sizes as es
from evidence_lib.meta import network_meta
from evidence_lib.meta.network import _arms

REF = json.loads((Path(__file__).parents[1] / "reference" / "metafor_network.json").read_text())
CASES = REF["cases"]


def dataset(name):
    return pd.DataFrame(REF["datasets"][name])


def tol(method):
    return (1e-6, 1e-9) if method == "FE" else (1e-5, 1e-7)


def close(ours, ref, method, what):
    rtol, atol = tol(method)
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(ref, float), rtol=rtol, atol=atol, err_msg=what)


def fit_case(c, **kw):
    return network_meta(dataset(c["dataset"]), measure=c["measure"], reference=c["reference"], method=c["method"],
                        **kw)


def test_reference_file_is_complete():
    assert REF["metafor_version"] == "3.8.1" or REF["metafor_version"].startswith("3.8")
    kinds = {(c["measure"], c["method"]) for c in CASES.values()}
    assert {("OR", "REML"), ("OR", "FE"), ("MD", "REML"), ("MD", "FE"), ("SMD", "REML")} <= kinds
    for name, c in CASES.items():
        assert "rma.mv(" in c["call"], name


@pytest.mark.parametrize("name", sorted(CASES))
def test_effects_tau2_q_against_rma_mv(name):
    c = CASES[name]
    v = c["values"]
    r = fit_case(c)
    close(r.data.y, v["yi"], "FE", f"{name}: contrasts yi")
    close(np.diag(r.data.S), v["vi"], "FE", f"{name}: contrasts vi")
    assert list(r.treatments[1:]) == v["treatments"]
    close(r.coefficients, v["estimate"], c["method"], f"{name}: estimates")
    close(np.sqrt(np.diag(r.vcov)), v["se"], c["method"], f"{name}: se")
    close(r.vcov.ravel(), v["vcov"], c["method"], f"{name}: vcov")
    close(r.tau2, v["tau2"], c["method"], f"{name}: tau2")
    close(r.q, v["QE"], "FE", f"{name}: Q")
    assert r.q_df == v["QEdf"]
    eff = r.effects
    assert eff.loc[c["reference"], "estimate"] == 0 and eff.loc[c["reference"], "se"] == 0
    close(eff["estimate"].to_numpy()[1:], v["estimate"], c["method"], f"{name}: effects")


@pytest.mark.parametrize("name", sorted(CASES))
def test_pscores_against_r(name):
    c = CASES[name]
    r = fit_case(c)
    got = r.ranking(small_values=c["small_values"])["p_score"].reindex(list(r.treatments)).to_numpy()
    close(got, c["values"]["pscore"], c["method"], f"{name}: P-scores")
    assert got.sum() == pytest.approx(len(r.treatments) / 2)


@pytest.mark.parametrize("name", sorted(CASES))
def test_design_by_treatment_against_rma_mv(name):
    c = CASES[name]
    ref = c["values"]["dbt"]
    t = fit_case(c).design_by_treatment()
    close(t.loc["total", "q"], ref["Q_total"], "FE", "Q total")
    close(t.loc["within designs", "q"], ref["Q_within"], "FE", "Q within designs")
    close(t.loc["between designs (FE)", "q"], ref["Q_between_fe"], "FE", "Q between designs, FE")
    assert t.loc["between designs (FE)", "df"] == ref["df"]
    if c["method"] == "REML":
        close(t.loc["between designs (RE)", "tau2"], ref["tau2_re"], "REML", "tau2 of the interaction model")
        close(t.loc["between designs (RE)", "q"], ref["Q_between_re"], "REML", "Q between designs, RE")


@pytest.mark.parametrize("name", sorted(CASES))
def test_node_split_against_rma_mv(name):
    c = CASES[name]
    ref = pd.DataFrame(c["values"]["node_split"])
    ours = fit_case(c).node_split()
    assert len(ours) == len(ref) > 0
    m = ours.merge(ref, on=["treatment", "comparator"], suffixes=("", "_r"))
    assert len(m) == len(ref)
    for col in ("direct", "direct_se", "indirect", "indirect_se", "difference", "difference_se", "pvalue", "tau2"):
        close(m[col], m[col + "_r"], c["method"], f"{name}: node split {col}")


# --------------------------------------------------------------------------- invariances
def _shuffled(df, seed, *, rotate_baseline):
    rng = np.random.default_rng(seed)
    parts = []
    for s in rng.permutation(df["study"].unique()):
        g = df[df["study"] == s]
        order = rng.permutation(len(g))
        if rotate_baseline and len(g) > 1:
            order = np.roll(np.arange(len(g)), 1 + rng.integers(len(g) - 1))
        parts.append(g.iloc[order])
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("measure,data_name", [("OR", "hasselblad1998"), ("RR", "hasselblad1998"),
                                                ("RD", "hasselblad1998"), ("MD", "senn2013"),
                                                ("SMD", "senn2013")])
@pytest.mark.parametrize("method", ["REML", "FE"])
def test_order_of_arms_and_choice_of_baseline_do_not_matter(measure, data_name, method):
    df = dataset(data_name)
    base = network_meta(df, measure=measure, method=method)
    for seed in range(3):
        for rotate in (False, True):
            other = network_meta(_shuffled(df, seed, rotate_baseline=rotate), measure=measure, method=method)
            assert other.treatments == base.treatments
            np.testing.assert_allclose(other.coefficients, base.coefficients, rtol=1e-8, atol=1e-10)
            np.testing.assert_allclose(other.vcov, base.vcov, rtol=1e-8, atol=1e-12)
            assert other.tau2 == pytest.approx(base.tau2, rel=1e-7, abs=1e-12)
            assert other.q == pytest.approx(base.q, rel=1e-9)
            ns_a, ns_b = base.node_split(), other.node_split()
            np.testing.assert_allclose(ns_a["difference"], ns_b["difference"], rtol=1e-6, atol=1e-9)
            dbt_a, dbt_b = base.design_by_treatment(), other.design_by_treatment()
            np.testing.assert_allclose(dbt_a["q"], dbt_b["q"], rtol=1e-6, atol=1e-9)


def test_reference_changes_only_the_presentation():
    df = dataset("hasselblad1998")
    a = network_meta(df, measure="OR", reference="no_contact")
    b = network_meta(df, measure="OR", reference="self_help")
    assert a.tau2 == pytest.approx(b.tau2, rel=1e-8)
    la, lb = a.league().set_index(["treatment", "comparator"]), b.league().set_index(["treatment", "comparator"])
    np.testing.assert_allclose(la.loc[lb.index, "estimate"], lb["estimate"], rtol=1e-8, atol=1e-12)
    assert b.effects.loc["self_help", "estimate"] == 0
    sa = a.node_split().set_index(["treatment", "comparator"])
    sb = b.node_split().set_index(["treatment", "comparator"])
    np.testing.assert_allclose(sa.loc[sb.index, "difference"], sb["difference"], rtol=1e-6, atol=1e-9)


def test_two_arm_smd_is_escalc_smd():
    df = pd.DataFrame({"study": ["s", "s"], "treatment": ["b", "a"], "mean": [1.0, 2.5], "sd": [2.0, 2.2],
                       "n": [20, 25]})
    d = _arms.prepare(df, measure="SMD")
    ref = es.smd(2.5, 2.2, 25, 1.0, 2.0, 20)
    assert d.y[0] == pytest.approx(ref.yi[0], rel=1e-12)
    assert d.S[0, 0] == pytest.approx(ref.vi[0], rel=1e-12)


def test_two_study_pairwise_network_equals_pairwise_fe():
    from evidence_lib.meta import pool

    df = dataset("senn2013")
    sub = df[df["treatment"].isin(["metformin", "placebo"])]
    sub = sub[sub.groupby("study")["treatment"].transform("nunique") == 2]
    r = network_meta(sub, measure="MD", reference="placebo", method="FE")
    y, v = [], []
    for s, g in sub.groupby("study", sort=False):
        t, c = g[g.treatment == "metformin"].iloc[0], g[g.treatment == "placebo"].iloc[0]
        e = es.md(t["mean"], t["sd"], t["n"], c["mean"], c["sd"], c["n"])
        y.append(e.yi[0])
        v.append(e.vi[0])
    p = pool(y, v, method="FE")
    assert r.coefficients[0] == pytest.approx(p.estimate, rel=1e-10)
    assert np.sqrt(r.vcov[0, 0]) == pytest.approx(p.se, rel=1e-10)


def test_league_and_frames():
    r = network_meta(dataset("hasselblad1998"), measure="OR", reference="no_contact")
    lg = r.league()
    assert len(lg) == 4 * 3
    one = lg[(lg.treatment == "self_help") & (lg.comparator == "ind_counseling")].iloc[0]
    back = lg[(lg.treatment == "ind_counseling") & (lg.comparator == "self_help")].iloc[0]
    assert one.estimate == pytest.approx(-back.estimate) and one.se == pytest.approx(back.se)
    table = r.league_table()
    assert table.shape == (4, 4) and table.loc["no_contact", "no_contact"] == "no_contact"
    f = r.to_frame()
    assert {"treatment", "reference", "estimate", "se", "ci_low", "ci_high", "ratio", "tau2"} <= set(f.columns)
    assert r.edges()["n_studies"].sum() == sum(len(a) * (len(a) - 1) // 2 for a in r.data.arms)
    assert r.participants().loc["no_contact", "n_studies"] == 19
    assert "OR, REML" in r.summary()


# --------------------------------------------------------------------------- bad input
def _tiny():
    return pd.DataFrame({"study": ["s1", "s1", "s2", "s2"], "treatment": ["a", "b", "b", "c"],
                         "mean": [1.0, 2.0, 2.0, 3.0], "sd": [1.0, 1.0, 1.0, 1.2], "n": [10, 10, 12, 12]})


def test_disconnected_network_names_the_parts():
    df = pd.concat([_tiny(), pd.DataFrame({"study": ["s3", "s3"], "treatment": ["x", "y"], "mean": [1.0, 1.5],
                                           "sd": [1.0, 1.0], "n": [9, 9]})])
    with pytest.raises(ValueError, match=r"disconnected.*'x', 'y'.*s3.*add a study"):
        network_meta(df, measure="MD")


def test_one_arm_study():
    df = pd.concat([_tiny(), pd.DataFrame({"study": ["lonely"], "treatment": ["a"], "mean": [1.0], "sd": [1.0],
                                           "n": [9]})])
    with pytest.raises(ValueError, match="study 'lonely' has one arm only.*Drop the study"):
        network_meta(df, measure="MD")


def test_duplicate_arm():
    df = pd.concat([_tiny(), pd.DataFrame({"study": ["s1"], "treatment": ["b"], "mean": [1.0], "sd": [1.0],
                                           "n": [9]})])
    with pytest.raises(ValueError, match="study 's1' has treatment 'b' in two rows.*combine"):
        network_meta(df, measure="MD")


def test_unknown_reference_and_measure_and_method():
    with pytest.raises(ValueError, match=r"reference='z' is not a treatment.*\['a', 'b', 'c'\]"):
        network_meta(_tiny(), measure="MD", reference="z")
    with pytest.raises(ValueError, match="measure must be one of"):
        network_meta(_tiny(), measure="HR")
    with pytest.raises(ValueError, match="method must be 'REML' or 'FE'"):
        network_meta(_tiny(), measure="MD", method="DL")


def test_missing_column_and_value():
    with pytest.raises(ValueError, match=r"no column \['events'\]"):
        network_meta(_tiny(), measure="OR")
    df = _tiny()
    df.loc[2, "sd"] = np.nan
    with pytest.raises(ValueError, match="study 's2', treatment 'b'"):
        network_meta(df, measure="SMD")


def test_treatment_in_one_study_only_is_allowed():
    r = network_meta(_tiny(), measure="MD", reference="a", method="FE")
    # c is in s2 only: its estimate is the chain a->b (s1) then b->c (s2)
    va, vb = 1 / 10 + 1 / 10, 1 / 12 + 1.44 / 12
    assert r.effects.loc["c", "estimate"] == pytest.approx(1.0 + 1.0)
    assert r.effects.loc["c", "se"] == pytest.approx(np.sqrt(va + vb))
    assert r.node_split().empty          # no loop: nothing to split
    assert r.design_by_treatment().loc["between designs (FE)", "df"] == 0


def test_zero_cells_get_one_half_in_every_arm_of_the_study():
    df = pd.DataFrame({"study": ["s1"] * 3 + ["s2"] * 2, "treatment": ["a", "b", "c", "a", "b"],
                       "events": [0, 5, 3, 4, 6], "n": [20, 20, 20, 30, 30]})
    r = network_meta(df, measure="OR", method="FE", reference="a")
    d = r.data
    assert d.corrected == ("s1",)
    assert d.y[0] == pytest.approx(np.log((5.5 / 15.5) / (0.5 / 20.5)))
    assert d.S[0, 1] == pytest.approx(1 / 0.5 + 1 / 20.5)   # the shared arm's variance
    assert "1/2 added" in r.note


def test_md_arm_may_give_se_instead_of_sd_and_n():
    df = _tiny()
    se_version = df.assign(se=df["sd"] / np.sqrt(df["n"]))
    se_version.loc[3, ["sd", "n"]] = np.nan
    a = network_meta(df, measure="MD", method="FE")
    b = network_meta(se_version, measure="MD", method="FE")
    np.testing.assert_allclose(a.coefficients, b.coefficients)
    np.testing.assert_allclose(a.vcov, b.vcov)
    assert np.isnan(b.participants().loc["c", "participants"])


def test_top_level_lazy_export():
    assert evidence_lib.network_meta is network_meta
    assert "network_meta" in dir(evidence_lib)


# --------------------------------------------------------------------------- speed
def simulated_network(n_studies=100, n_treat=6, seed=1):
    """100 studies, 6 treatments, a third of them three-arm; arm means with a common SD."""
    rng = np.random.default_rng(seed)
    effects = np.r_[0.0, rng.normal(0, 1, n_treat - 1)]
    rows = []
    for s in range(n_studies):
        k = 3 if s % 3 == 0 else 2
        ts = rng.choice(n_treat, size=k, replace=False)
        u = rng.normal(0, 0.3)
        for t in ts:
            n = int(rng.integers(20, 200))
            rows.append({"study": f"s{s}", "treatment": f"t{t}", "n": n, "sd": 2.0,
                         "mean": u + effects[t] + rng.normal(0, 0.3 / np.sqrt(2)) + rng.normal(0, 2 / np.sqrt(n))})
    return pd.DataFrame(rows)


def test_reml_fit_of_100_studies_is_fast():
    df = simulated_network()
    network_meta(df, measure="MD")  # warm-up
    best = min(_timed(lambda: network_meta(df, measure="MD")) for _ in range(5))
    assert best < 0.05 * 3, f"{best * 1000:.1f} ms (target 50 ms on an idle machine; 3x slack for a shared one)"


def _timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


@pytest.mark.parametrize("scale", [1e-12, 1e-4, 1e6])
def test_results_do_not_depend_on_the_units(scale):
    """Means and SDs in other units (times s) give effects times s and tau2 times s^2.  The
    REML stop used to be an absolute step below tau2 = 1, so with small units it stopped at
    the moment estimate."""
    c = next(c for c in CASES.values() if c["measure"] == "MD" and c["method"] == "REML")
    arms = dataset(c["dataset"])
    cols = [col for col in ("mean", "sd", "se") if col in arms]
    scaled = arms.assign(**{col: arms[col] * scale for col in cols})
    a = network_meta(arms, measure="MD", reference=c["reference"])
    b = network_meta(scaled, measure="MD", reference=c["reference"])
    assert a.tau2 > 0
    np.testing.assert_allclose(b.tau2 / scale**2, a.tau2, rtol=1e-9)
    np.testing.assert_allclose(b.coefficients / scale, a.coefficients, rtol=1e-9)
