"""Issue #14, part 2, against metafor 3.8.1: likelihood profile, Baujat coordinates, GOSH over all
subsets and exact permutation tests; properties of random GOSH subsets and permutations; the
proved unimodality bound; leave-one-out memory.

Reference values: tests/reference/metafor_engine3.json, written by
tests/reference/metafor_engine3.R (every case records its R call; R is not needed here).
Tolerance 1e-6 relative (1e-5 for REML-type iterations), absolute 1e-9 for zeros.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence_lib.meta import (
    NarrowHartungKnappWarning,
    baujat,
    gosh,
    leave_one_out,
    permutation_test,
    pool,
    profile,
)
from evidence_lib.meta import _likelihood as lik

REF = json.loads((Path(__file__).parents[1] / "reference" / "metafor_engine3.json").read_text())
CASES = REF["cases"]


def close(ours, ref, rtol=1e-6, atol=1e-9, what=""):
    ours = np.asarray(ours, dtype=float)
    ref = np.asarray([np.nan if x is None else x for x in np.atleast_1d(ref)], float).reshape(ours.shape)
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def cases_of(kind):
    return sorted(n for n, c in CASES.items() if c["kind"] == kind)


def test_reference_covers_every_function_and_method():
    assert {CASES[n]["input"]["method"] for n in cases_of("profile")} == {"REML", "ML"}
    assert {CASES[n]["input"]["method"] for n in cases_of("baujat")} == {"REML", "DL", "FE"}
    assert {CASES[n]["input"]["test"] for n in cases_of("baujat")} == {"z", "knha"}
    assert {CASES[n]["input"]["method"] for n in cases_of("gosh")} == {"DL", "FE", "REML", "PM"}
    for kind in ("permutest", "permutest_reg"):
        assert {CASES[n]["input"]["test"] for n in cases_of(kind)} == {"z", "knha"}


@pytest.mark.parametrize("name", cases_of("profile"))
def test_profile_loglik_matches_metafor(name):
    c = CASES[name]
    i, v = c["input"], c["values"]
    res = profile(i["yi"], i["vi"], method=i["method"], tau2=v["tau2"])
    fr = res.to_frame().set_index("tau2")
    close(fr.loc[np.asarray(v["tau2"]), "loglik"].to_numpy(), v["logLik"], rtol=1e-9, what=name)
    # the estimate is on the grid, marked, and no grid value beats it
    assert fr["is_max"].sum() == 1
    assert res.loglik_max >= res.loglik.max() - 1e-12 * abs(res.loglik_max)
    assert res.tau2_hat == pytest.approx(pool(i["yi"], i["vi"], method=i["method"]).tau2, rel=1e-12, abs=1e-15)


def test_profile_default_grid_and_errors():
    c = CASES["profile_bcg_REML"]["input"]
    res = profile(c["yi"], c["vi"], steps=30)
    assert res.tau2[0] == 0 and res.tau2.size == 31 and np.all(np.diff(res.tau2) > 0)
    with pytest.raises(ValueError, match="REML"):
        profile(c["yi"], c["vi"], method="DL")
    with pytest.raises(ValueError, match="tau2"):
        profile(c["yi"], c["vi"], tau2=[-1.0])


def test_profile_default_grid_shows_the_fall_when_tau2_is_zero():
    # four trials on a 0-100 scale that agree closely: tau2 = 0 and the upper Q-profile
    # limit is 0, so a fixed floor (metafor's 0.1) would show a flat line; the default grid
    # must reach the point where the log-likelihood has fallen DROP below its maximum,
    # and not go more than one doubling beyond it.
    from evidence_lib.meta import _likelihood as lik
    from evidence_lib.meta.profile import DROP

    y = np.array([-10.4, -11.0, -9.8, -10.0])
    v = np.array([66.1, 25.9, 23.4, 13.8])
    res = profile(y, v)
    assert res.tau2_hat == 0
    top = res.tau2[-1]
    assert res.loglik[-1] <= res.loglik_max - DROP
    half = lik.loglik(y[None], v[None], np.array([4]), np.array([top / 2]), True)[0]
    assert half > res.loglik_max - DROP


@pytest.mark.parametrize("name", cases_of("baujat"))
def test_baujat_matches_metafor(name):
    c = CASES[name]
    i, v = c["input"], c["values"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NarrowHartungKnappWarning)
        res = baujat(i["yi"], i["vi"], method=i["method"], ci="hksj" if i["test"] == "knha" else "wald")
    rtol = 1e-5 if i["method"] == "REML" else 1e-6
    close(res.x, v["x"], rtol=rtol, what=f"{name}: x")
    close(res.y, v["y"], rtol=rtol, what=f"{name}: y")
    if i["method"] == "FE":  # contributions to Q add up to Q
        assert res.x.sum() == pytest.approx(pool(i["yi"], i["vi"], method="FE").q, rel=1e-10)


@pytest.mark.parametrize("name", cases_of("gosh"))
def test_gosh_all_subsets_match_metafor(name):
    c = CASES[name]
    i, v = c["input"], c["values"]
    g = gosh(i["yi"], i["vi"], method=i["method"])
    assert g.exhaustive and g.mask.size == 2 ** len(i["yi"]) - 1
    pos = np.searchsorted(g.mask, np.asarray(v["mask"], dtype=np.int64))
    rtol = 1e-5 if i["method"] in ("REML", "PM") else 1e-6
    close(g.k_subset[pos], v["k"], what=name)
    # where metafor's fit failed (NA: Fisher scoring did not converge) we still have a value
    ok = np.array([x is not None for x in v["tau2"]])
    assert np.isfinite(g.tau2[pos]).all() and ok.mean() > 0.9
    for ours, ref in (("estimate", "estimate"), ("tau2", "tau2"), ("q", "QE"), ("i2", "I2"), ("h2", "H2")):
        close(getattr(g, ours)[pos][ok], np.asarray(v[ref], dtype=object)[ok].tolist(), rtol=rtol, atol=1e-8,
              what=f"{name}: {ref}")


def test_gosh_random_subsets_properties():
    c = CASES["gosh_bcg12_DL"]["input"]
    y, v = np.asarray(c["yi"]), np.asarray(c["vi"])
    a = gosh(y, v, method="DL", subsets=1000, seed=7)
    b = gosh(y, v, method="DL", subsets=1000, seed=7)
    d = gosh(y, v, method="DL", subsets=1000, seed=8)
    assert not a.exhaustive and a.mask.size == 1000
    np.testing.assert_array_equal(a.mask, b.mask)                # reproducible with a seed
    np.testing.assert_array_equal(a.estimate, b.estimate)
    assert not np.array_equal(a.mask, d.mask)
    assert np.unique(a.mask).size == 1000 and a.mask.min() >= 1 and a.mask.max() < 2 ** 12  # no repeats
    inc = a.include
    np.testing.assert_array_equal(inc.sum(axis=1), a.k_subset)  # sizes
    assert 4 < a.k_subset.mean() < 8                             # uniform subsets: mean size about k/2
    for j in (0, 17, 500, 999):                                  # each row is pool() on its subset
        r = pool(y[inc[j]], v[inc[j]], method="DL")
        assert a.estimate[j] == pytest.approx(r.estimate, rel=1e-9, abs=1e-12)
        assert a.tau2[j] == pytest.approx(r.tau2, rel=1e-9, abs=1e-12)
        assert a.q[j] == pytest.approx(r.q, rel=1e-9, abs=1e-9)
    # the exhaustive switch: all 2^k - 1 subsets once subsets >= 2^k - 1
    assert gosh(y[:5], v[:5], subsets=31).exhaustive and not gosh(y[:5], v[:5], subsets=30, seed=1).exhaustive
    r = gosh(y[:8], v[:8], method="REML", subsets=50, seed=3)
    j = 11
    assert r.tau2[j] == pytest.approx(pool(y[:8][r.include[j]], v[:8][r.include[j]], method="REML").tau2, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", cases_of("permutest") + cases_of("permutest_reg"))
def test_exact_permutation_tests_match_metafor(name):
    c = CASES[name]
    i, v = c["input"], c["values"]
    mods = {"x": i["x"]} if "x" in i else None
    ci = "hksj" if i["test"] == "knha" else "wald"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NarrowHartungKnappWarning)
        r = permutation_test(i["yi"], i["vi"], moderators=mods, method=i["method"], ci=ci, exact=True)
    assert r.exact and r.n_perm == v["n_perm"]
    rtol = 1e-5 if i["method"] == "REML" else 1e-6
    close(r.statistic, v["zval"], rtol=rtol, what=name)
    close(r.qm, v["QM"], rtol=rtol, what=name)
    if v["n_failed"] == 0:
        close(r.pvalue, v["pval"], rtol=1e-12, what=name)
        close(r.qm_pvalue, v["QMp"], rtol=1e-12, what=name)
    # metafor drops the permutations whose fit failed (Fisher scoring did not converge); we fit
    # them all: metafor's distribution is then part of ours, and on that part the p-values agree
    tol = 1.4901161193847656e-08
    qm = _sub_multiset(r.qm_perm, v["QM_perm_sorted"], v["n_failed"], name)
    assert np.mean(qm >= r.qm - tol) == pytest.approx(v["QMp"], abs=1e-12)
    for j, ref in enumerate(v["absz_perm_sorted"]):
        z = _sub_multiset(np.abs(r.statistic_perm[:, j]), ref, v["n_failed"], name)
        assert np.mean(z >= abs(r.statistic[j]) - tol) == pytest.approx(np.atleast_1d(v["pval"])[j], abs=1e-12)


def _sub_multiset(ours, ref_sorted, n_extra, what):
    """The values of ``ours`` matched one to one (rtol 1e-5) to metafor's sorted values; exactly
    ``n_extra`` of ours stay unmatched (the fits metafor lost)."""
    a = np.sort(np.asarray(ours, float))
    b = np.asarray(ref_sorted, float)
    keep, j = [], 0
    for x in a:
        if j < b.size and abs(x - b[j]) <= 1e-5 * max(1.0, abs(b[j])):
            keep.append(x)
            j += 1
    assert j == b.size and a.size - len(keep) == n_extra, what
    return np.array(keep)


def test_random_permutations_are_reproducible_and_close_to_exact():
    i = CASES["permutest_bcg8_DL_z"]["input"]
    exact = permutation_test(i["yi"], i["vi"], method="DL", exact=True)
    a = permutation_test(i["yi"], i["vi"], method="DL", exact=False, iterations=4000, seed=5)
    b = permutation_test(i["yi"], i["vi"], method="DL", exact=False, iterations=4000, seed=5)
    assert not a.exact and a.n_perm == 4000
    assert a.pvalue[0] == b.pvalue[0]
    assert abs(a.pvalue[0] - exact.pvalue[0]) < 4 * np.sqrt(exact.pvalue[0] * (1 - exact.pvalue[0]) / 4000) + 1e-3
    with pytest.raises(ValueError, match="iterations"):
        permutation_test(i["yi"], i["vi"], iterations=1)


@st.composite
def narrow_ratio_data(draw):
    k = draw(st.integers(2, 7))
    y = np.array(draw(st.lists(st.floats(-30, 30), min_size=k, max_size=k)))
    v0 = draw(st.floats(1e-3, 10))
    v = v0 * np.array(draw(st.lists(st.floats(1.0, 1.38), min_size=k, max_size=k)))
    return y, v


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(narrow_ratio_data(), st.sampled_from([True, False]))
def test_likelihood_has_one_peak_when_variances_differ_by_less_than_1387(data, reml):
    """The proved bound behind skipping the grid (evidence_lib.meta._likelihood.unimodal_from)."""
    y, v = data
    k = y.size
    assert lik.unimodal_from(v.min(), v.max()) == 0
    t = np.concatenate([[0.0], np.geomspace(1e-6, 4 * np.ptp(y) ** 2 + 4 * v.max() + 1, 3000)])
    ll = lik.loglik(np.broadcast_to(y, (t.size, k)), np.broadcast_to(v, (t.size, k)), np.full(t.size, k), t, reml)
    d = np.diff(ll)
    scale = 1e-10 * np.abs(ll).max()
    sgn = np.sign(np.where(np.abs(d) < scale, 0, d))
    sgn = sgn[sgn != 0]
    assert np.sum(np.diff(sgn) < 0) <= 1  # rises then falls at most once


def test_leave_one_out_keeps_memory_linear_in_k():
    rng = np.random.default_rng(2)
    y, v = rng.normal(size=300), rng.uniform(0.01, 0.3, 300)
    r = leave_one_out(y, v, method="REML")
    assert r.data == (None, None, None) and r.omit is not None
    assert "Y" not in r.__dict__  # nothing k x k until asked for
    for i in (0, 123, 299):
        p = pool(np.delete(y, i), np.delete(v, i), method="REML")
        assert r.tau2[i] == pytest.approx(p.tau2, rel=1e-9, abs=1e-13)
        assert r.estimate[i] == pytest.approx(p.estimate, rel=1e-9)
        np.testing.assert_allclose(r.row(i).weights, p.weights, rtol=1e-9)
        np.testing.assert_allclose(r.weights[i][np.arange(300) != i], p.weights, rtol=1e-9)
    assert np.isnan(r.Y[5, 5]) and r.Y.shape == (300, 300)


def test_profile_and_baujat_plots_return_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evidence_lib.plotting.influence import baujat_plot
    from evidence_lib.plotting.profile import profile_plot

    i = CASES["profile_bcg_REML"]["input"]
    pr = profile(i["yi"], i["vi"])
    ax = profile_plot(pr.tau2, pr.loglik, tau2_hat=pr.tau2_hat)
    assert ax.get_xlabel() and len(ax.lines) >= 2
    b = baujat(i["yi"], i["vi"], labels=[f"s{j}" for j in range(len(i["yi"]))])
    ax2 = baujat_plot(b.x, b.y, b.labels, xlabel="Contribution to Q", ylabel="Influence")
    assert len(ax2.texts) == len(i["yi"]) and ax2.get_ylabel() == "Influence"
    with pytest.raises(ValueError, match="labels"):
        baujat_plot(b.x, b.y, ["a"])
    plt.close("all")
