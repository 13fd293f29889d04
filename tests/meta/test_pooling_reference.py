"""evidence_lib.meta / effect_sizes / bias against metafor reference values.

The reference values come from tests/reference/metafor_reference.json, written
by tests/reference/metafor_reference.R (R and metafor are NOT needed here).
Each case stores the exact R call.  Tolerance: 1e-6 relative (absolute 1e-9
for values that are 0 in metafor).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from evidence_lib.meta import (
    NarrowHartungKnappWarning,
    cumulative,
    egger_test,
    gosh,
    leave_one_out,
    pool,
    pool_mh,
    regression,
    subgroups,
    trim_and_fill,
)

REF_PATH = Path(__file__).parents[1] / "reference" / "metafor_reference.json"
REF = json.loads(REF_PATH.read_text())
CASES = REF["cases"]
DATA = REF["datasets"]
RTOL = 1e-6
ATOL = 1e-9


def close(ours, ref, rtol=RTOL, atol=ATOL, what=""):
    ours = np.asarray(ours, dtype=float)
    ref = np.asarray([np.nan if x is None else x for x in np.atleast_1d(ref)], dtype=float).reshape(ours.shape)
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def cases_of(kind):
    return sorted(n for n, c in CASES.items() if c["kind"] == kind)


def method_test(name):
    *_, m, t = name.split("_")
    return m, ("hksj" if t in ("knha", "adhoc") else "wald")


# --------------------------------------------------------------------------- coverage of the reference
def test_reference_metadata():
    assert REF["r_version"].startswith("R version")
    assert REF["metafor_version"]
    for name, c in CASES.items():
        assert c["call"], name
        assert c["values"], name


def test_reference_covers_every_public_method():
    """Coverage of the reference cannot silently shrink."""
    rma_cases = cases_of("rma")
    combos = {method_test(n) for n in rma_cases}
    for m in ("FE", "DL", "REML", "PM", "ML"):
        for ci in ("wald", "hksj"):
            assert (m, ci) in combos, (m, ci)
    for prefix in ("bcg", "normand_smd", "k1", "k2", "homog", "identical", "extreme"):
        assert any(n.startswith(prefix + "_") for n in rma_cases), prefix
    kinds = {c["kind"] for c in CASES.values()}
    assert {n.split("_")[0] for n in cases_of("trimfill")} >= {"trimfill", "trimfillR0"}
    for kind in ("escalc", "escalc_zero", "rma", "rma_adhoc", "rma_level", "loo", "cumul", "regression",
                 "subgroups", "mh", "regtest", "regtest_lm", "trimfill", "gosh"):
        assert kind in kinds, kind
    measures = {n.split("_")[-1] for n in cases_of("escalc")}
    assert {"RR", "OR", "RD", "SMD", "MD"} <= measures
    assert {n.split("_")[-1] for n in cases_of("mh")} == {"OR", "RR", "RD"}
    assert {n.rsplit("_", 1)[-1] for n in cases_of("gosh")} >= {"DL", "FE"}
    assert len(cases_of("regression")) >= 10
    assert len(CASES) >= 120


# --------------------------------------------------------------------------- rma
RMA_MAP = dict(estimate="estimate", se="se", zval="statistic", pval="pvalue", ci_lb="ci_low",
               ci_ub="ci_high", tau2="tau2", se_tau2="tau2_se", I2="i2", H2="h2", QE="q",
               QEp="q_pvalue", pi_lb="pi_low", pi_ub="pi_high")


def _check_rma(name, res, v):
    for rk, ok in RMA_MAP.items():
        if rk not in v:
            continue
        ref = v[rk]
        ours = getattr(res, ok)
        if ref is None:  # NA in metafor
            assert np.isnan(ours), (name, rk, ours)
            continue
        close(ours, ref, what=f"{name}: {rk}")
    assert res.k == v["k"]
    close(res.weights, v["weights"], what=f"{name}: weights")


def _loglik(y, v, tau2, reml):
    """(Restricted) log-likelihood up to constants, written out independently of the engine."""
    y, v = np.asarray(y, float), np.asarray(v, float)
    w = 1 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    out = -0.5 * np.sum(np.log(v + tau2)) - 0.5 * np.sum(w * (y - mu) ** 2)
    return out - 0.5 * np.log(np.sum(w)) if reml else out


#: metafor's Fisher scoring stops at tau2 = 0 here although the likelihood is far higher inside
#: (ML log-likelihood -1306.7 at 0, -12.9 at our 0.3996): we return the global maximum.
METAFOR_WORSE_PEAK = {"extreme_ML_z", "extreme_ML_knha"}


@pytest.mark.parametrize("name", sorted(METAFOR_WORSE_PEAK))
def test_where_metafor_stops_at_a_worse_peak_we_are_higher(name):
    c = CASES[name]
    m, ci = method_test(name)
    res = pool(c["input"]["yi"], c["input"]["vi"], method=m, ci=ci)
    y, v = c["input"]["yi"], c["input"]["vi"]
    assert _loglik(y, v, res.tau2, m == "REML") > _loglik(y, v, c["values"]["tau2"], m == "REML") + 100


@pytest.mark.parametrize("name", [n for n in cases_of("rma") if n not in METAFOR_WORSE_PEAK])
def test_rma(name):
    c = CASES[name]
    m, ci = method_test(name)
    if name.startswith("identical_") and ci == "hksj":
        # metafor returns a CI of zero width and p = 0 here; we refuse (issue #13)
        with pytest.raises(ValueError, match="identical estimates.*hksj_truncate=True"):
            pool(c["input"]["yi"], c["input"]["vi"], method=m, ci=ci)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NarrowHartungKnappWarning)
        res = pool(c["input"]["yi"], c["input"]["vi"], method=m, ci=ci)
    v = c["values"]
    _check_rma(name, res, v)
    if "tau2_ci_lb" in v:
        close(res.tau2_ci, [v["tau2_ci_lb"], v["tau2_ci_ub"]], what=f"{name}: Q-profile CI")
    if "pi_lb_riley" in v:
        r2 = pool(c["input"]["yi"], c["input"]["vi"], method=m, ci=ci, pi="t_k2")
        close([r2.pi_low, r2.pi_high], [v["pi_lb_riley"], v["pi_ub_riley"]], what=f"{name}: riley PI")


@pytest.mark.parametrize("name", cases_of("rma_level"))
def test_rma_other_level(name):
    c = CASES[name]
    m, ci = method_test(name)
    lv = c["input"]["level"]
    res = pool(c["input"]["yi"], c["input"]["vi"], method=m, ci=ci, level=lv)
    v = c["values"]
    _check_rma(name, res, v)
    close(res.tau2_ci, [v["tau2_ci_lb"], v["tau2_ci_ub"]], what=f"{name}: Q-profile CI")
    r2 = pool(c["input"]["yi"], c["input"]["vi"], method=m, ci=ci, level=lv, pi="t_k2")
    close([r2.pi_low, r2.pi_high], [v["pi_lb_riley"], v["pi_ub_riley"]], what=f"{name}: riley PI")


@pytest.mark.parametrize("prefix", ["bcg", "normand_smd", "homog", "extreme", "k2"])
@pytest.mark.parametrize("method", ["DL", "REML", "PM", "ML"])
def test_q_based_i2_equals_metafor_fe_i2(prefix, method):
    """Cochrane's I2 = max(0, (Q - df)/Q) is what metafor reports for FE models (same Q)."""
    fe = CASES[f"{prefix}_FE_z"]["values"]
    c = CASES[f"{prefix}_{method}_z"]
    res = pool(c["input"]["yi"], c["input"]["vi"], method=method, i2="q")
    close(res.i2, fe["I2"], what="I2 (Q-based)")
    close(res.h2, fe["H2"], what="H2 (Q-based)")


@pytest.mark.parametrize("name", cases_of("rma_adhoc"))
def test_rma_hksj_truncated(name):
    c = CASES[name]
    m = name.split("_")[1]
    res = pool(c["input"]["yi"], c["input"]["vi"], method=m, ci="hksj", hksj_truncate=True)
    _check_rma(name, res, c["values"])


def test_k1_matches_metafor_and_has_note():
    v = CASES["k1_REML_z"]["values"]
    res = pool([0.5], [0.1])
    assert res.k == 1 and res.tau2 == 0 and res.q == 0 and res.q_pvalue == 1
    assert res.i2 == v["I2"] and res.h2 == v["H2"]
    assert "k = 1" in res.note and "not estimable" in res.note
    with pytest.raises(ValueError, match="hksj"):
        pool([0.5], [0.1], ci="hksj")


# --------------------------------------------------------------------------- loo / cumulative
SERIES_MAP = dict(estimate="estimate", se="se", zval="statistic", pval="pvalue", ci_lb="ci_low",
                  ci_ub="ci_high", Q="q", Qp="q_pvalue", tau2="tau2", I2="i2", H2="h2")


@pytest.mark.parametrize("name", cases_of("loo") + cases_of("cumul"))
def test_loo_and_cumulative(name):
    c = CASES[name]
    m, ci = method_test(name)
    fn = leave_one_out if c["kind"] == "loo" else cumulative
    res = fn(c["input"]["yi"], c["input"]["vi"], method=m, ci=ci)
    for rk, ok in SERIES_MAP.items():
        if c["values"][rk] is None:  # metafor omits tau2 for FE models
            assert rk == "tau2" and m == "FE" and np.all(res.tau2 == 0)
            continue
        close(getattr(res, ok), c["values"][rk], what=f"{name}: {rk}")


# --------------------------------------------------------------------------- regression / subgroups
@pytest.mark.parametrize("name", cases_of("regression"))
def test_regression(name):
    c = CASES[name]
    m, ci = method_test(name)
    X = {k: v for k, v in c["input"]["X"].items() if k != "intrcpt"}
    res = regression(c["input"]["yi"], c["input"]["vi"], moderators=X, method=m, ci=ci)
    v = c["values"]
    close(res.coef, v["beta"], what=name)
    close(res.se, v["se"], what=name)
    close(res.statistic, v["zval"], what=name)
    close(res.pvalue, v["pval"], what=name)
    close(res.ci_low, v["ci_lb"], what=name)
    close(res.ci_high, v["ci_ub"], what=name)
    close(res.qm, v["QM"], what=name + " QM")
    close(res.qm_pvalue, v["QMp"], what=name + " QMp")
    assert res.qm_df[0] == v["QMdf"][0]
    close(res.qe, v["QE"], what=name + " QE")
    close(res.qe_pvalue, v["QEp"], what=name + " QEp")
    close(res.tau2, v["tau2"], what=name + " tau2")
    if v["se_tau2"] is not None:
        close(res.tau2_se, v["se_tau2"], what=name + " se_tau2")
    close(res.i2, v["I2"], what=name + " I2")
    close(res.h2, v["H2"], what=name + " H2")
    if v["R2"] is not None:
        close(res.r2, v["R2"], what=name + " R2")


@pytest.mark.parametrize("name", cases_of("subgroups"))
def test_subgroups(name):
    c = CASES[name]
    m = name.split("_")[-1]
    res = subgroups(c["input"]["yi"], c["input"]["vi"], c["input"]["groups"], method=m)
    v = c["values"]
    assert list(res.groups) == v["groups"]
    close(res.qm, v["QM"], what="QM")
    close(res.qm_pvalue, v["QMp"], what="QMp")
    close(res.tau2_common, v["tau2_mods"], what="tau2 (moderator model)")
    close([r.estimate for r in res.results.values()], v["group_estimate"])
    close([r.se for r in res.results.values()], v["group_se"])
    close([r.tau2 for r in res.results.values()], v["group_tau2"])
    close(res.q_between, v["Qb"], what="Q between")
    close(res.q_between_pvalue, v["Qb_p"], what="Q between p")


# --------------------------------------------------------------------------- Mantel-Haenszel
@pytest.mark.parametrize("name", cases_of("mh"))
def test_mantel_haenszel(name):
    c = CASES[name]
    measure = name.split("_")[-1]
    d = DATA["bcg"]
    res = pool_mh(d["tpos"], d["tneg"], d["cpos"], d["cneg"], measure=measure)
    v = c["values"]
    for rk, ok in dict(estimate="estimate", se="se", zval="statistic", pval="pvalue", ci_lb="ci_low",
                       ci_ub="ci_high", QE="q", QEp="q_pvalue", I2="i2", H2="h2").items():
        close(getattr(res, ok), v[rk], what=f"{name}: {rk}")


# --------------------------------------------------------------------------- bias
@pytest.mark.parametrize("name", cases_of("regtest"))
def test_egger_rma(name):
    c = CASES[name]
    m = name.split("_")[-1]
    ci = "hksj" if c["input"].get("test") == "knha" else "wald"
    res = egger_test(c["input"]["yi"], c["input"]["vi"], model="rma", method=m, ci=ci)
    v = c["values"]
    if ci == "hksj":
        assert res.df == v["dfs"]
    close(res.statistic, v["zval"], what="zval")
    close(res.pvalue, v["pval"], what="pval")
    close(res.slope, v["slope"], what="slope")
    close(res.slope_se, v["slope_se"], what="slope se")
    close(res.limit_estimate, v["est"], what="limit estimate")
    close([res.ci_low, res.ci_high], [v["ci_lb"], v["ci_ub"]], what="limit CI")


@pytest.mark.parametrize("name", cases_of("regtest_lm"))
def test_egger_lm(name):
    c = CASES[name]
    res = egger_test(c["input"]["yi"], c["input"]["vi"], model="lm")
    v = c["values"]
    close(res.statistic, v["zval"], what="t")
    close(res.pvalue, v["pval"], what="p")
    assert res.df == v["dfs"]
    close(res.slope, v["slope"], what="slope")
    close(res.limit_estimate, v["est"], what="est")
    close([res.ci_low, res.ci_high], [v["ci_lb"], v["ci_ub"]], what="ci")


@pytest.mark.parametrize("name", cases_of("trimfill"))
def test_trim_and_fill(name):
    c = CASES[name]
    parts = name.split("_")
    m = parts[2] if len(parts) > 3 and parts[-1] == "right" else parts[-1]
    if name == "trimfill_asym_FE_right":
        m = "FE"
    res = trim_and_fill(c["input"]["yi"], c["input"]["vi"], method=m, side=c["input"].get("side"),
                        estimator=c["input"].get("estimator", "L0"))
    v = c["values"]
    assert res.k0 == v["k0"], (res.k0, v["k0"])
    assert res.side == v["side"]
    adj = res.adjusted
    close(adj.estimate, v["estimate"], what="estimate")
    close(adj.se, v["se"], what="se")
    close([adj.ci_low, adj.ci_high], [v["ci_lb"], v["ci_ub"]], what="ci")
    close(adj.tau2, v["tau2"], what="tau2")
    if res.k0 > 0:
        fill = np.array(v["fill"], bool)
        close(np.sort(res.filled_yi), np.sort(np.array(v["yi"])[fill]), what="filled yi")


@pytest.mark.parametrize("name", cases_of("gosh"))
def test_gosh(name):
    c = CASES[name]
    m = name.split("_")[-1]
    res = gosh(c["input"]["yi"], c["input"]["vi"], method=m)
    v = c["values"]
    ref_mask = np.array(v["mask"], dtype=np.int64)
    assert len(ref_mask) == len(res.mask) == 2 ** len(c["input"]["yi"]) - 1
    idx = ref_mask - 1  # our subsets are ordered by mask 1..2^k-1
    assert np.array_equal(res.mask[idx], ref_mask)
    for rk, ok in dict(estimate="estimate", tau2="tau2", QE="q", I2="i2", H2="h2").items():
        close(getattr(res, ok)[idx], v[rk], what=f"{name}: {rk}")


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "args,kw,match",
    [
        (([0.1, 0.2], [0.1]), {}, "yi has 2 values but vi has 1"),
        (([0.1, 0.2], [0.1, 0.0]), {}, "vi must be positive.*index 1"),
        (([0.1, 0.2], [0.1, -1.0]), {}, "index 1"),
        (([0.1, 0.2], [0.1, np.inf]), {}, "index 1"),
        (([0.1, np.nan], [0.1, 0.1]), {}, "yi has a non-finite value.*index 1"),
        (([0.1, 0.2], [0.1, 0.1]), {"method": "XX"}, "method must be one of"),
        (([0.1, 0.2], [0.1, 0.1]), {"ci": "knha"}, "ci must be one of"),
        (([0.1, 0.2], [0.1, 0.1]), {"pi": "t"}, "pi must be one of"),
        (([0.1, 0.2], [0.1, 0.1]), {"i2": "x"}, "i2 must be one of"),
        (([0.1], [0.1]), {"ci": "hksj"}, "at least 2 studies"),
    ],
)
def test_pool_bad_input(args, kw, match):
    with pytest.raises(ValueError, match=match):
        pool(*args, **kw)


def test_other_bad_input():
    with pytest.raises(ValueError, match="at least 3 studies"):
        egger_test([0.1, 0.2], [0.1, 0.1])
    with pytest.raises(ValueError, match="more studies than coefficients"):
        regression([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], moderators={"a": [1, 2, 3], "b": [0, 1, 5]})
    with pytest.raises(ValueError, match="moderator 'a' has 2 values"):
        regression([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], moderators={"a": [1, 2]})
    with pytest.raises(ValueError, match="at most 62 studies"):  # k > 20: random subsets (issue #14)
        gosh(np.zeros(63), np.ones(63))
    with pytest.raises(ValueError, match="subsets must be a positive"):
        gosh(np.zeros(5), np.ones(5), subsets=0)
    with pytest.raises(ValueError, match="bi has"):
        pool_mh([1, 2], [3], [1, 2], [3, 4])
    from evidence_lib.meta import pool_many

    with pytest.raises(ValueError, match="row 0, column 1 is NaN in only one"):
        pool_many([[0.1, np.nan]], [[0.1, 0.1]])
    with pytest.raises(ValueError, match="row 1, study 0"):
        pool_many([[0.1, 0.2], [0.1, 0.2]], [[0.1, 0.1], [0.0, 0.1]])


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, evidence_lib.meta; "
            "print('pandas' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(Path(__file__).parents[1]))
    assert out.stdout.split() == ["False", "False"]


def test_to_frame_and_meta_frame():
    pd = pytest.importorskip("pandas")
    from evidence_lib.meta import meta_frame

    c = CASES["bcg_REML_z"]
    df = pd.DataFrame({"yi": c["input"]["yi"], "vi": c["input"]["vi"], "who": DATA["bcg"]["author"]})
    res = meta_frame(df, label="who")
    fr = res.to_frame()
    assert len(fr) == 14 and fr["label"].iloc[0] == "Aronson"
    assert fr["weight_percent"].iloc[:-1].sum() == pytest.approx(100)
    close(fr["yi"].iloc[-1], c["values"]["estimate"])
