"""The proof of a single likelihood peak (evidence_lib.meta._unimodal), checked against
explicit matrix formulas and a brute-force scan of the likelihood (issue #14)."""

from __future__ import annotations

import numpy as np
import pytest

from evidence_lib.meta import _core, _likelihood, _unimodal, pool_many


def _matrix_quantities(y, v, t, reml):
    """g, p, d, c at each t from the P matrix itself (no sums, no shortcuts)."""
    out = []
    for tt in t:
        W = np.diag(1.0 / (v + tt))
        w = np.diag(W)
        P = W - np.outer(w, w) / w.sum()
        PP = P @ P
        g, p = y @ PP @ y, y @ PP @ P @ y
        d, c = (np.trace(P), np.trace(PP)) if reml else (w.sum(), (w * w).sum())
        out.append((g, p, d, c))
    return np.array(out).T


def _loglik(y, v, t, reml):
    W = 1.0 / (v[None, :] + t[:, None])
    S1 = W.sum(1)
    mu = (W * y).sum(1) / S1
    ll = -0.5 * np.log(v[None, :] + t[:, None]).sum(1) - 0.5 * (W * (y - mu[:, None]) ** 2).sum(1)
    return ll - 0.5 * np.log(S1) if reml else ll


def _peaks(y, v, reml, top):
    """Local maxima of the likelihood on 0 and 20,000 log-spaced points up to ``top``."""
    t = np.concatenate([[0.0], np.geomspace(1e-9 * v.min(), top, 20000)])
    ll = _loglik(y, v, t, reml)
    d = np.diff(ll)
    s = np.sign(np.where(np.abs(d) < 1e-11 * np.abs(ll).max(), 0.0, d))
    s = s[s != 0]
    return int(np.sum((s[:-1] > 0) & (s[1:] < 0)) + (s.size > 0 and s[0] < 0))


def _certify(Y, V, reml):
    Yb, Vb, k = _core.as_batch(Y, V)
    rows = _unimodal.prepare(Yb, Vb, k)
    T = _likelihood.unimodal_from(rows.vmin, np.max(Vb, axis=1))
    first = _unimodal.first_pass(rows, Vb, T, reml)
    return _unimodal.certify(rows, Vb, T, first, reml), T, first.start


@pytest.mark.parametrize("reml", [True, False])
def test_the_facts_the_proof_rests_on(reml):
    """g and d fall and are convex with slopes -2p and -c; p and c fall (module docstring)."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        k = int(rng.integers(2, 8))
        y, v = rng.normal(0, 3, k), np.exp(rng.uniform(-4, 3, k))
        t = np.geomspace(1e-3, 50, 400)
        g, p, d, c = _matrix_quantities(y, v, t, reml)
        for f in (g, p, d, c):
            assert np.all(np.diff(f) <= 1e-12 * np.abs(f[:-1]))
        for f in (g, d):  # convex: slopes between neighbours rise
            slope = np.diff(f) / np.diff(t)
            assert np.all(np.diff(slope) >= -1e-9 * np.abs(slope[:-1]).max())
        mid = np.sqrt(t[1:] * t[:-1])
        g_m, p_m, d_m, c_m = _matrix_quantities(y, v, mid, reml)
        np.testing.assert_allclose(np.diff(g) / np.diff(t), -2 * p_m, rtol=1e-3, atol=1e-12)
        np.testing.assert_allclose(np.diff(d) / np.diff(t), -c_m, rtol=1e-3, atol=1e-12)


@pytest.mark.parametrize("reml", [True, False])
def test_quantities_agree_with_the_matrix_formulas_within_their_allowances(reml):
    rng = np.random.default_rng(4)
    k = 12
    Y, V = rng.normal(0, 2, (30, k)), np.exp(rng.uniform(-5, 2, (30, k)))
    Yb, Vb, kk = _core.as_batch(Y, V)
    rows = _unimodal.prepare(Yb, Vb, kk)
    t = rows.vmin[:, None] * np.array([[0.0, 0.3, 2.0, 40.0]])
    for dtype, unit in ((np.float64, np.finfo(np.float64).eps), (np.float32, np.finfo(np.float32).eps)):
        q = _unimodal._quantities(_unimodal._sums(rows.Yc, rows.Yc2, Vb, t, dtype), reml,
                                  (k + 16) * unit)
        for i in range(30):
            exact = _matrix_quantities(rows.Yc[i], Vb[i], t[i], reml)
            err = np.abs(q[:4, i] - exact)
            assert np.all(err[[0, 2]] <= q[4, i]), (dtype, i)   # g and d within e_gd
            assert np.all(err[[1, 3]] <= q[5, i]), (dtype, i)   # p and c within e_pc
            if dtype == np.float64:
                np.testing.assert_allclose(q[:4, i], exact, rtol=1e-9)


@pytest.mark.parametrize("reml, n, k", [(True, 2000, 4), (False, 1500, 8)])
def test_every_certified_row_has_one_peak(reml, n, k):
    """A brute-force scan of the likelihood finds at most one peak wherever the proof holds
    (the sizes are chosen so that the sample holds likelihoods with several peaks)."""
    rng = np.random.default_rng(20261130 + reml)
    Y = rng.uniform(-30, 30, (n, k)) * rng.choice([1.0, 0.1], (n, 1))
    V = np.exp(rng.uniform(np.log(1e-3), np.log(100), (n, k)))
    ok, T, _ = _certify(Y, V, reml)
    peaks = np.array([_peaks(Y[i], V[i], reml, max(20 * T[i], 10 * np.ptp(Y[i]) ** 2 + 10 * V[i].max()))
                      for i in range(n)])
    assert (peaks > 1).sum() >= 5           # the sample holds likelihoods with several peaks
    assert not np.any(ok & (peaks > 1))     # none of them is certified
    assert ok.mean() > 0.7                  # and most rows get the proof


@pytest.mark.parametrize("y, v", [
    ([0.0, 18, 0, 0, 0, 2], [1.0, 18, 1, 1, 1, 1]),
    ([0.0, 0, 11, 10, 0, 0, 0, 1], [1.0, 0.03125, 8, 12, 1, 1, 2, 1]),
])
def test_known_two_peak_examples_are_not_certified(y, v):
    ok, _, _ = _certify(np.array([y]), np.array([v]), True)
    assert not ok[0]


def test_typical_data_is_certified():
    """k = 20, variances 0.01-0.3 (the benchmark's data): the proof holds for nearly every row."""
    rng = np.random.default_rng(11)
    V = rng.uniform(0.01, 0.3, (500, 20))
    Y = 0.3 + rng.normal(0, np.sqrt(0.1), V.shape) + rng.normal(0, np.sqrt(V))
    for reml in (True, False):
        assert _certify(Y, V, reml)[0].mean() > 0.97


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_proof_path_and_grid_search_give_the_same_tau2(method, monkeypatch):
    rng = np.random.default_rng(12)
    Y = rng.uniform(-10, 10, (400, 6))
    V = np.exp(rng.uniform(np.log(1e-2), np.log(50), (400, 6)))
    proved = pool_many(Y, V, method=method).tau2
    monkeypatch.setattr(_unimodal, "certify", lambda rows, V, *a, **kw: np.zeros(V.shape[0], bool))
    searched = pool_many(Y, V, method=method).tau2
    np.testing.assert_allclose(proved, searched, rtol=1e-8, atol=1e-10)
