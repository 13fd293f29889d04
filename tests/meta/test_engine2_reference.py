"""Issue #14 against metafor 3.8.1: estimators EB/SJ/HE/HS, the global maximum, MH without
double-zero studies, Peto, influence() and the I2/H2 CIs.

Reference values: tests/reference/metafor_engine2.json, written by
tests/reference/metafor_engine2.R (every case records its R call; R is not needed here).
Tolerance 1e-6 relative (1e-5 for iterative estimators), absolute 1e-9 for zeros.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from evidence_lib.meta import (
    NarrowHartungKnappWarning,
    influence,
    pool,
    pool_mh,
    pool_peto,
    regression,
)

REF = json.loads((Path(__file__).parents[1] / "reference" / "metafor_engine2.json").read_text())
CASES = REF["cases"]


def close(ours, ref, rtol=1e-6, atol=1e-9, what=""):
    ours = np.asarray(ours, dtype=float)
    ref = np.asarray([np.nan if x is None else x for x in np.atleast_1d(ref)], float).reshape(ours.shape)
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def cases_of(kind):
    return sorted(n for n, c in CASES.items() if c["kind"] == kind)


def _pool(*a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NarrowHartungKnappWarning)
        return pool(*a, **kw)


def test_reference_covers_every_estimator_and_function():
    est = {n.split("_")[-2] for n in cases_of("estimator")}
    assert est == {"EB", "SJ", "HE", "HS"}
    assert {n.split("_")[-1] for n in cases_of("estimator")} == {"z", "knha"}
    for kind in ("estimator_reg", "peak", "mh00", "peto", "influence", "confint"):
        assert cases_of(kind), kind
    assert {CASES[n]["input"]["measure"] for n in cases_of("mh00")} == {"OR", "RR", "RD"}


@pytest.mark.parametrize("name", cases_of("estimator"))
def test_estimators(name):
    c = CASES[name]
    *_, m, t = name.split("_")
    res = _pool(c["input"]["yi"], c["input"]["vi"], method=m, ci="hksj" if t == "knha" else "wald")
    v = c["values"]
    rtol = 1e-5 if m == "EB" else 1e-6  # EB is iterated in metafor
    for rk, ok in dict(estimate="estimate", se="se", zval="statistic", pval="pvalue", ci_lb="ci_low",
                       ci_ub="ci_high", tau2="tau2", se_tau2="tau2_se", I2="i2", H2="h2", QE="q").items():
        close(getattr(res, ok), v[rk], rtol=rtol, atol=1e-8, what=f"{name}: {rk}")


@pytest.mark.parametrize("name", cases_of("estimator_reg"))
def test_estimators_in_regression(name):
    c = CASES[name]
    m = name.split("_")[-1]
    res = regression(c["input"]["yi"], c["input"]["vi"], moderators={"ablat": c["input"]["ablat"]}, method=m)
    v = c["values"]
    rtol = 1e-5 if m == "EB" else 1e-6
    close(res.coef, v["beta"], rtol=rtol, what=name)
    close(res.se, v["se"], rtol=rtol, what=name)
    close(res.tau2, v["tau2"], rtol=rtol, what=name)
    close(res.tau2_se, v["se_tau2"], rtol=rtol, what=name)


def test_ml_peak_regression_issue_14():
    """Issue #14: we stopped at tau2 182.45 (estimate -0.897); metafor: tau2 0, estimate 11.354."""
    c = CASES["peak_ml_k2"]
    res = pool(c["input"]["yi"], c["input"]["vi"], method="ML")
    close(res.tau2, c["values"]["tau2"], atol=1e-12)
    close(res.estimate, c["values"]["estimate"])


@pytest.mark.parametrize("name", cases_of("mh00"))
def test_mh_double_zero(name):
    c = CASES[name]
    i = c["input"]
    res = pool_mh(i["ai"], i["bi"], i["ci"], i["di"], measure=i["measure"], drop00=i["drop00"])
    v = c["values"]
    for rk, ok in dict(estimate="estimate", se="se", QE="q", QEp="q_pvalue", I2="i2", H2="h2").items():
        close(getattr(res, ok), v[rk], what=f"{name}: {rk}")
    assert res.k == v["k"] and res.k_q == v["k_yi"] and res.q_df == v["k_yi"] - 1


def test_mh_double_zero_regression_issue_14():
    """Issue #14: RD Q was 62.3 on 4 df with the double-zero study kept; metafor: 3.21 on 3 df."""
    res = pool_mh([27, 0, 5, 61, 31], [35, 385, 13, 164, 136], [43, 0, 1, 80, 35], [47, 388, 9, 158, 145], measure="RD")
    assert res.q_df == 3 and abs(res.q - 3.2066279) < 1e-6


@pytest.mark.parametrize("name", cases_of("peto"))
def test_peto(name):
    c = CASES[name]
    i = c["input"]
    res = pool_peto(i["ai"], i["bi"], i["ci"], i["di"])
    v = c["values"]
    for rk, ok in dict(estimate="estimate", se="se", zval="statistic", pval="pvalue", ci_lb="ci_low",
                       ci_ub="ci_high", QE="q", QEp="q_pvalue", I2="i2", H2="h2").items():
        close(getattr(res, ok), v[rk], what=f"{name}: {rk}")


@pytest.mark.parametrize("name", cases_of("influence"))
def test_influence(name):
    c = CASES[name]
    *_, m, t = name.split("_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NarrowHartungKnappWarning)
        df = influence(c["input"]["yi"], c["input"]["vi"], method=m, ci="hksj" if t == "knha" else "wald")
    v = c["values"]
    rtol = 1e-5 if m == "REML" else 1e-6
    for col in ("rstudent", "dffits", "cook_d", "cov_r", "qe_del", "hat", "weight", "dfbetas"):
        close(df[col].to_numpy(), v[col], rtol=rtol, atol=1e-8, what=f"{name}: {col}")
    if m != "FE":
        close(df["tau2_del"].to_numpy(), v["tau2_del"], rtol=rtol, what=f"{name}: tau2_del")
    assert df["is_influential"].tolist() == v["is_infl"]


@pytest.mark.parametrize("name", cases_of("confint"))
def test_i2_h2_ci(name):
    c = CASES[name]
    m = name.split("_")[-1]
    res = pool(c["input"]["yi"], c["input"]["vi"], method=m)
    v = c["values"]
    close(res.i2_ci, [v["I2_lb"], v["I2_ub"]], rtol=1e-5, what=name)
    close(res.h2_ci, [v["H2_lb"], v["H2_ub"]], rtol=1e-5, what=name)


def test_narrow_hartung_knapp_warns_and_truncation_silences_it():
    """Four trials with tau2 = 0 (the reproduced Cochrane analysis's shape): HK q << 1."""
    y, v = [-10.0, -10.5, -9.8, -10.2], [40.0, 15.0, 13.0, 8.0]
    with pytest.warns(NarrowHartungKnappWarning, match="hksj_truncate=True"):
        r = pool(y, v, method="REML", ci="hksj")
    w = pool(y, v, method="REML", ci="wald")
    assert (r.ci_high - r.ci_low) < (w.ci_high - w.ci_low)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NarrowHartungKnappWarning)
        t = pool(y, v, method="REML", ci="hksj", hksj_truncate=True)
    assert (t.ci_high - t.ci_low) >= (w.ci_high - w.ci_low)


def test_refusals_issue_13():
    with pytest.raises(ValueError, match="no study has an event"):
        pool_mh([0, 0], [10, 12], [0, 0], [9, 11], measure="RD")
    with pytest.raises(ValueError, match="identical estimates"):
        pool([0.3, 0.3, 0.3], [0.1, 0.2, 0.3], ci="hksj")


def test_series_with_different_indexes_are_aligned_or_refused():
    pd = pytest.importorskip("pandas")
    y = pd.Series([0.1, 0.5, 0.9], index=["a", "b", "c"])
    v = pd.Series([0.3, 0.1, 0.2], index=["c", "a", "b"])
    aligned = pool(y, v, method="DL")
    by_label = pool([0.1, 0.5, 0.9], [0.1, 0.2, 0.3], method="DL")
    assert aligned.estimate == pytest.approx(by_label.estimate, rel=1e-12)
    with pytest.raises(ValueError, match="different indexes"):
        pool(y, pd.Series([0.1, 0.2, 0.3], index=["x", "y", "z"]))
    with pytest.raises(ValueError, match="different indexes"):
        pool_mh(pd.Series([1, 2], index=[0, 1]), pd.Series([3, 4], index=[1, 0]), [1, 2], [3, 4])


def test_cumulative_order_must_be_a_permutation():
    from evidence_lib.meta import cumulative

    y, v = [0.1, 0.2, 0.3, 0.4, 0.5], [0.1] * 5
    for bad in ([0, 1], [0, 0, 0, 1, 2], [0, 1, 2, 3, 7]):
        with pytest.raises(ValueError, match="order must be a permutation"):
            cumulative(y, v, order=bad)
    assert len(cumulative(y, v, order=[4, 3, 2, 1, 0])) == 5


def test_options_are_explicit_keywords():
    from evidence_lib.meta import cumulative, leave_one_out, subgroups

    y, v = [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.1, 0.2]
    for fn, args in ((leave_one_out, ()), (cumulative, ()), (subgroups, (["a", "a", "b", "b"],))):
        with pytest.raises(TypeError, match="levle"):
            fn(y, v, *args, levle=0.5)


def test_messages_name_the_argument():
    from evidence_lib.meta import subgroups

    with pytest.raises(ValueError, match="yi must be numbers"):
        pool(["x"], [0.1])
    with pytest.raises(ValueError, match="groups has a missing label.*index 1"):
        subgroups([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], ["a", np.nan, "b"])
    with pytest.raises(ValueError, match="yi has 1e"):
        pool([1e155, 0.0], [0.1, 0.1])
    with pytest.raises(ValueError, match="vi has 4.94e-324"):
        pool([0.1, 0.2], [5e-324, 0.1])
