"""Property-based tests (hypothesis) and a coverage simulation for evidence_lib.meta."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import warnings

from evidence_lib.meta import NarrowHartungKnappWarning, pool, pool_many

METHODS = ["FE", "DL", "REML", "PM", "ML"]

finite_y = st.floats(min_value=-5, max_value=5, allow_nan=False, allow_infinity=False)
pos_v = st.floats(min_value=1e-3, max_value=5, allow_nan=False, allow_infinity=False)


@st.composite
def meta_data(draw, min_k=2, max_k=15):
    k = draw(st.integers(min_value=min_k, max_value=max_k))
    y = np.array(draw(st.lists(finite_y, min_size=k, max_size=k)))
    v = np.array(draw(st.lists(pos_v, min_size=k, max_size=k)))
    return y, v


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(meta_data(), st.sampled_from(METHODS), st.sampled_from(["wald", "hksj"]), st.randoms())
def test_permutation_invariance(data, method, ci, rnd):
    y, v = data
    perm = np.array(rnd.sample(range(len(y)), len(y)))
    try:
        a = pool(y, v, method=method, ci=ci)
    except ValueError as e:  # pool() refuses a 0-width Hartung-Knapp interval (identical estimates)
        assert ci == "hksj" and "identical estimates" in str(e)
        return
    b = pool(y[perm], v[perm], method=method, ci=ci)
    scale = 1 + abs(a.estimate)
    assert abs(a.estimate - b.estimate) <= 1e-8 * scale
    assert abs(a.tau2 - b.tau2) <= 1e-8 * (1 + a.tau2)
    assert abs(a.se - b.se) <= 1e-8 * (1 + a.se)
    np.testing.assert_allclose(a.weights[perm], b.weights, rtol=1e-7, atol=1e-9)


@SETTINGS
@given(meta_data(min_k=1), st.sampled_from(METHODS), st.sampled_from(["model", "q"]))
def test_tau2_nonnegative_i2_in_range_ci_contains_estimate(data, method, i2):
    y, v = data
    r = pool(y, v, method=method, i2=i2)
    assert r.tau2 >= 0
    assert 0 <= r.i2 <= 100
    assert r.h2 >= 0
    assert r.ci_low <= r.estimate <= r.ci_high
    assert r.pi_low <= r.ci_low + 1e-12 and r.pi_high >= r.ci_high - 1e-12
    assert abs(r.weights.sum() - 100) < 1e-9
    if len(y) >= 2 and method != "FE":
        lo, hi = r.tau2_ci
        assert 0 <= lo <= hi


@SETTINGS
@given(meta_data(min_k=3), st.sampled_from(["DL", "REML", "PM", "ML"]))
def test_fe_equals_re_when_tau2_zero(data, method):
    z, v = data
    # shrink the spread so that Q is (almost always) below k - 1: tau2 = 0
    y = 0.3 + 0.05 * np.tanh(z) * np.sqrt(v)
    r = pool(y, v, method=method)
    assume(r.tau2 == 0)
    f = pool(y, v, method="FE")
    assert r.estimate == pytest.approx(f.estimate, rel=1e-12, abs=1e-14)
    assert r.se == pytest.approx(f.se, rel=1e-12)


@SETTINGS
@given(meta_data(min_k=2, max_k=6), st.sampled_from(METHODS))
def test_homogeneous_data_gives_tau2_zero(data, method):
    _, v = data
    y = np.full(len(v), 0.42)
    r = pool(y, v, method=method)
    assert r.tau2 == 0
    assert r.estimate == pytest.approx(0.42)


@SETTINGS
@given(st.lists(meta_data(min_k=1, max_k=9), min_size=1, max_size=6), st.sampled_from(METHODS),
       st.sampled_from(["wald", "hksj"]))
def test_pool_many_equals_pool(rows, method, ci):
    K = max(len(y) for y, _ in rows)
    Y = np.full((len(rows), K), np.nan)
    V = np.full((len(rows), K), np.nan)
    for i, (y, v) in enumerate(rows):
        Y[i, : len(y)] = y
        V[i, : len(v)] = v
    b = pool_many(Y, V, method=method, ci=ci)
    for i, (y, v) in enumerate(rows):
        if ci == "hksj" and len(y) == 1:
            continue  # pool() refuses hksj with k = 1; the batch falls back to z as metafor
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NarrowHartungKnappWarning)
            try:
                r = pool(y, v, method=method, ci=ci)
            except ValueError as e:  # the batch keeps metafor's 0-width CI; pool() refuses
                assert ci == "hksj" and "identical estimates" in str(e) and b.se[i] == 0
                continue
        for f in ("estimate", "se", "tau2", "ci_low", "ci_high", "pi_low", "pi_high", "q", "i2",
                  "h2", "pvalue", "q_pvalue"):
            ours, ref = getattr(b, f)[i], getattr(r, f)
            if np.isnan(ref):  # e.g. 0/0 for identical estimates with hksj (se = 0), as metafor
                assert np.isnan(ours), (f, i, ours)
                continue
            assert abs(ours - ref) <= 1e-10 * max(1.0, abs(ref)), (f, i, ours, ref)
        np.testing.assert_allclose(b.weights[i, : len(y)], r.weights, rtol=1e-10, atol=1e-12)
        rr = b.row(i)
        assert rr.estimate == b.estimate[i] and rr.k == len(y)


def test_pool_many_tau2_ci_matches_pool():
    rng = np.random.default_rng(1)
    Y = rng.normal(0, 0.5, (20, 8))
    V = rng.uniform(0.01, 0.2, (20, 8))
    Y[3, 5:] = np.nan
    V[3, 5:] = np.nan
    b = pool_many(Y, V, method="REML")
    lo, hi = b.tau2_ci
    for i in (0, 3, 7):
        ok = ~np.isnan(Y[i])
        r = pool(Y[i, ok], V[i, ok], method="REML")
        assert lo[i] == pytest.approx(r.tau2_ci[0], rel=1e-9, abs=1e-12)
        assert hi[i] == pytest.approx(r.tau2_ci[1], rel=1e-9, abs=1e-12)


def _simulate(rng, n, mu, tau2, vlo, vhi):
    k = rng.integers(5, 11, size=n)
    K = 10
    V = rng.uniform(vlo, vhi, size=(n, K))
    Y = mu + rng.normal(0, np.sqrt(tau2), size=(n, K)) + rng.normal(0, np.sqrt(V))
    pad = np.arange(K)[None, :] >= k[:, None]
    Y[pad] = np.nan
    V[pad] = np.nan
    return Y, V


def test_simulation_coverage_hksj_vs_wald():
    """2,000 simulated meta-analyses (k = 5..10, tau2 = 0.2, v_i ~ U(0.02, 0.1),
    i.e. substantial heterogeneity): Hartung-Knapp covers mu at ~95 %, Wald
    under-covers.  Tolerance: 3 binomial SEs of the simulation.

    Note (checked with 20,000 replicates while writing this test): with very
    unequal within-study variances and moderate tau2 (tau2 = 0.1,
    v_i ~ U(0.01, 0.3)) the *untruncated* HK interval covers only ~93 %; the
    truncated version (``hksj_truncate=True``) covers >= 95 %.  The second
    part of this test checks the truncated interval there.
    """
    rng = np.random.default_rng(20240611)
    n, mu = 2000, 0.3
    se_sim = np.sqrt(0.95 * 0.05 / n)
    Y, V = _simulate(rng, n, mu, 0.2, 0.02, 0.1)
    hk = pool_many(Y, V, method="REML", ci="hksj")
    wald = pool_many(Y, V, method="REML", ci="wald")
    cov_hk = np.mean((hk.ci_low <= mu) & (mu <= hk.ci_high))
    cov_wald = np.mean((wald.ci_low <= mu) & (mu <= wald.ci_high))
    assert abs(cov_hk - 0.95) < 3 * se_sim, cov_hk
    assert cov_wald < 0.95 - 3 * se_sim, cov_wald
    Y, V = _simulate(rng, n, mu, 0.1, 0.01, 0.3)
    hkt = pool_many(Y, V, method="REML", ci="hksj", hksj_truncate=True)
    cov_hkt = np.mean((hkt.ci_low <= mu) & (mu <= hkt.ci_high))
    assert cov_hkt > 0.95 - 3 * se_sim, cov_hkt


# --------------------------------------------------------------------------- global maximum (issue #14)
def _profile_ll(y, v, t, reml):
    w = 1 / (v + t)
    mu = np.sum(w * y) / np.sum(w)
    out = -0.5 * np.sum(np.log(v + t)) - 0.5 * np.sum(w * (y - mu) ** 2)
    return out - 0.5 * np.log(np.sum(w)) if reml else out


wide_y = st.floats(min_value=-30, max_value=30, allow_nan=False, allow_infinity=False)
wide_v = st.floats(min_value=1e-3, max_value=100, allow_nan=False, allow_infinity=False)


@st.composite
def wide_data(draw):
    k = draw(st.integers(min_value=2, max_value=8))
    return (np.array(draw(st.lists(wide_y, min_size=k, max_size=k))),
            np.array(draw(st.lists(wide_v, min_size=k, max_size=k))))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=bool(os.environ.get("CI")))  # CI replays a fixed sample; locally every run searches anew
@example(data=(np.array([0., 0., 11., 10., 0., 0., 0., 1.]), np.array([1., 0.03125, 8., 12., 1., 1., 2., 1.])),
         method="REML")  # found by this test: a 6-point search grid missed the peak at 8.71 (fitted 0.118)
@given(wide_data(), st.sampled_from(["REML", "ML"]))
def test_tau2_is_the_global_maximum_of_the_profile_likelihood(data, method):
    """The returned tau2 beats every point of a fine grid (0 and 2,000 log-spaced points)."""
    y, v = data
    r = pool(y, v, method=method)
    grid = np.concatenate([[0.0], np.geomspace(1e-6, 4 * np.ptp(y) ** 2 + 4 * v.max() + 1, 2000)])
    best = max(_profile_ll(y, v, t, method == "REML") for t in grid)
    ours = _profile_ll(y, v, r.tau2, method == "REML")
    assert ours >= best - 1e-9 * max(1.0, abs(ours))
    rm = pool_many(y[None], v[None], method=method)
    assert abs(rm.tau2[0] - r.tau2) <= 1e-8 * (1 + r.tau2)


def test_regression_ml_boundary_beats_fisher_peak():
    """Issue #14: ML stopped at tau2 182.45 (estimate -0.897); metafor 3.8.1 gives tau2 0 and
    estimate 11.354 (log-likelihood higher by 1.6)."""
    r = pool([11.3569, -19.867], [0.01, 100], method="ML")
    assert r.tau2 == 0
    assert abs(r.estimate - 11.354) < 1e-3
    gain = _profile_ll(np.array([11.3569, -19.867]), np.array([0.01, 100]), 0.0, False) - \
        _profile_ll(np.array([11.3569, -19.867]), np.array([0.01, 100]), 182.45, False)
    assert 1.5 < gain < 1.7


def test_interior_peak_that_metafor_misses():
    """REML peaks at about 0.12 and 19 with tau2 = 0 lower than both: metafor's ll0check gives 0
    (logLik -16.06), Fisher scoring alone 19; the global maximum is the peak near 0.12."""
    y, v = np.array([0.0, 18, 0, 0, 0, 2]), np.array([1.0, 18, 1, 1, 1, 1])
    r = pool(y, v, method="REML")
    assert 0.05 < r.tau2 < 0.3
    for t in (0.0, 19.0):
        assert _profile_ll(y, v, r.tau2, True) > _profile_ll(y, v, t, True)
