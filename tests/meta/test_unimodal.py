"""The proof that a REML/ML estimate is the global maximum (evidence_lib.meta._unimodal),
checked against explicit matrix formulas and a brute-force scan of the likelihood (issue #14)."""

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


def _scan(y, v, reml, top):
    """The local maxima of the likelihood on 0 and 20,000 log-spaced points up to ``top``
    (tau2 values), and the grid's best point."""
    t = np.concatenate([[0.0], np.geomspace(1e-9 * v.min(), top, 20000)])
    ll = _loglik(y, v, t, reml)
    d = np.diff(ll)
    s = np.sign(np.where(np.abs(d) < 1e-11 * np.abs(ll).max(), 0.0, d))
    keep = np.flatnonzero(s != 0)
    s = s[keep]
    peaks = [t[keep[j] + 1] for j in np.flatnonzero((s[:-1] > 0) & (s[1:] < 0))]
    if s.size and s[0] < 0:
        peaks.insert(0, 0.0)
    return peaks, t[np.argmax(ll)]


def _certify(Y, V, reml):
    Yb, Vb, k = _core.as_batch(Y, V)
    T = _likelihood.unimodal_from(np.min(Vb, axis=1), np.max(Vb, axis=1))
    return _unimodal.fit(Yb, Vb, reml), T


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
    delta = (k + 16) * np.finfo(np.float64).eps
    s, q = np.empty(9), np.empty(6)
    for i in range(30):
        y = Y[i] - Y[i].mean()
        t = V[i].min() * np.array([0.0, 0.3, 2.0, 40.0])
        exact = _matrix_quantities(y, V[i], t, reml)
        for j, tj in enumerate(t):
            _unimodal._quantities(y, y * y, V[i], tj, reml, delta, s, q)
            err = np.abs(q[:4] - exact[:, j])
            assert np.all(err[[0, 2]] <= q[4]), i   # g and d within e_gd
            assert np.all(err[[1, 3]] <= q[5]), i   # p and c within e_pc
            np.testing.assert_allclose(q[:4], exact[:, j], rtol=1e-9)


@pytest.mark.parametrize("reml, n, k", [(True, 2000, 4), (False, 1500, 8)])
def test_the_certificate_accounts_for_every_peak(reml, n, k):
    """A brute-force scan of the likelihood: where the proof holds, there is one peak, or
    (``rival``) exactly two, one of them tau2 = 0 and the other inside the certificate's
    bracket; and the estimate is the scan's highest point.  (The sizes are chosen so that
    the sample holds likelihoods with several peaks.)"""
    rng = np.random.default_rng(20261130 + reml)
    Y = rng.uniform(-30, 30, (n, k)) * rng.choice([1.0, 0.1], (n, 1))
    V = np.exp(rng.uniform(np.log(1e-3), np.log(100), (n, k)))
    cert, T = _certify(Y, V, reml)
    tops = [max(20 * T[i], 10 * np.ptp(Y[i]) ** 2 + 10 * V[i].max()) for i in range(n)]
    scans = [_scan(Y[i], V[i], reml, tops[i]) for i in range(n)]
    npeaks = np.array([len(p) for p, _ in scans])
    assert (npeaks > 1).sum() >= 5                          # the sample has several-peak likelihoods
    assert np.all(npeaks[cert.proved & ~cert.rival] == 1)   # single-peak proofs hold
    assert cert.rival.sum() >= 5                            # and so does the other kind:
    for i in np.flatnonzero(cert.rival):
        peaks = scans[i][0]
        assert len(peaks) == 2 and peaks[0] == 0.0, i
        assert cert.lo[i] <= peaks[1] * (1 + 1e-3) and peaks[1] <= cert.hi[i] * (1 + 1e-3), i
    assert cert.proved.mean() > 0.9                         # most rows get a proof
    tau2 = pool_many(Y, V, method="REML" if reml else "ML").tau2
    best = np.array([_loglik(Y[i], V[i], np.array([scans[i][1]]), reml)[0] for i in range(n)])
    ours = np.array([_loglik(Y[i], V[i], np.array([tau2[i]]), reml)[0] for i in range(n)])
    assert np.all(ours >= best - 1e-9 * np.abs(best)), np.flatnonzero(ours < best - 1e-9 * np.abs(best))
    zero_won = cert.rival & (tau2 == 0)
    assert zero_won.any() and (cert.rival & (tau2 > 0)).any()  # both outcomes of the comparison occur


def test_a_boundary_peak_beside_an_interior_one_is_certified_and_compared():
    """The issue's ML example (tau2 = 0 beats the interior peak, as metafor finds) and a
    benchmark row whose interior peak beats tau2 = 0: both certified, no grid search."""
    y, v = np.array([[11.3569, -19.867]]), np.array([[0.01, 100.0]])
    cert, T = _certify(y, v, False)
    assert cert.proved[0] and cert.rival[0]
    assert pool_many(y, v, method="ML").tau2[0] == 0.0
    scan_peaks, best = _scan(y[0], v[0], False, 1e5)
    assert len(scan_peaks) == 2 and best == 0.0
    # row 831 of the benchmark's simulated data (benchmarks/bench_meta.py), to 4 decimals: the
    # score is negative at 0, rises through a minimum near 0.005 and falls through a peak near 0.043
    y = np.array([[-0.0413, 0.6504, 0.4358, 0.1987, 0.327, 0.7515, 0.3754, -0.7205, 0.5811, -0.1153,
                   0.266, 0.8643, -0.5774, 0.9238, 0.8168, 0.0851, 1.3413, 0.4175, -0.6306, 0.2666]])
    v = np.array([[0.1968, 0.2659, 0.0879, 0.1891, 0.2293, 0.1085, 0.0108, 0.2238, 0.1399, 0.2741,
                   0.0728, 0.1087, 0.1839, 0.2068, 0.223, 0.2111, 0.137, 0.0826, 0.2736, 0.074]])
    cert, T = _certify(y, v, True)
    assert cert.proved[0] and cert.rival[0]
    scan_peaks, best = _scan(y[0], v[0], True, 10.0)
    assert len(scan_peaks) == 2 and scan_peaks[0] == 0.0
    tau2 = pool_many(y, v, method="REML").tau2[0]
    assert cert.lo[0] < tau2 < cert.hi[0]
    assert abs(tau2 - best) < 1e-3 * best                     # the 20,000-point grid's resolution


@pytest.mark.parametrize("y, v", [
    ([0.0, 18, 0, 0, 0, 2], [1.0, 18, 1, 1, 1, 1]),
    ([0.0, 0, 11, 10, 0, 0, 0, 1], [1.0, 0.03125, 8, 12, 1, 1, 2, 1]),
])
def test_known_two_peak_examples_are_not_certified(y, v):
    cert, _ = _certify(np.array([y]), np.array([v]), True)
    assert not cert.proved[0]


def test_typical_data_is_certified():
    """k = 20, variances 0.01-0.3 (the benchmark's data): the proof holds for nearly every row."""
    rng = np.random.default_rng(11)
    V = rng.uniform(0.01, 0.3, (500, 20))
    Y = 0.3 + rng.normal(0, np.sqrt(0.1), V.shape) + rng.normal(0, np.sqrt(V))
    for reml in (True, False):
        assert _certify(Y, V, reml)[0].proved.mean() > 0.97


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_proof_path_and_grid_search_give_the_same_tau2(method, monkeypatch):
    rng = np.random.default_rng(12)
    Y = rng.uniform(-10, 10, (400, 6))
    V = np.exp(rng.uniform(np.log(1e-2), np.log(50), (400, 6)))
    proved = pool_many(Y, V, method=method).tau2
    fit = _unimodal.fit
    monkeypatch.setattr(_unimodal, "fit", lambda *a, **kw: fit(*a, **{**kw, "prove": False}))
    searched = pool_many(Y, V, method=method).tau2
    np.testing.assert_allclose(proved, searched, rtol=1e-8, atol=1e-10)


def test_every_row_gets_the_same_estimate_in_any_batch():
    """Large batches are spread over the cores in blocks of rows: each row's estimate, and
    what the proof found, are those of the row fitted alone."""
    rng = np.random.default_rng(13)
    Y = rng.uniform(-5, 5, (300, 7)) * rng.choice([1.0, 0.1], (300, 1))
    V = np.exp(rng.uniform(np.log(1e-2), np.log(20), (300, 7)))
    for reml in (True, False):
        batch = _unimodal.fit(Y, V, reml)
        alone = [_unimodal.fit(Y[i:i + 1], V[i:i + 1], reml) for i in range(300)]
        assert np.array_equal(batch.tau2, [a.tau2[0] for a in alone])
        assert np.array_equal(batch.outcome, [a.outcome[0] for a in alone])


def test_a_large_meta_analysis_is_proved_and_agrees_with_the_grid_search(monkeypatch):
    """k = 5,000 (the binned grid search's range): proved, and the same estimate as Fisher
    scoring followed by the grid search."""
    rng = np.random.default_rng(14)
    v = rng.uniform(0.01, 0.3, 5000)
    y = 0.3 + rng.normal(0, np.sqrt(0.1), 5000) + rng.normal(0, np.sqrt(v))
    assert _unimodal.fit(y[None], v[None], True).proved[0]
    proved = pool_many(y[None], v[None], method="REML").tau2[0]
    fit = _unimodal.fit
    monkeypatch.setattr(_unimodal, "fit", lambda *a, **kw: fit(*a, **{**kw, "prove": False}))
    searched = pool_many(y[None], v[None], method="REML").tau2[0]
    assert abs(proved - searched) <= 1e-10 * searched


@pytest.mark.parametrize("method", ["REML", "ML"])
@pytest.mark.parametrize("scale", [1e-60, 1e-10, 1e-3, 1e10, 1e60])
def test_the_estimate_does_not_depend_on_the_units(method, scale):
    """Estimates in other units (y times s, v times s^2) give tau2 times s^2 and the same
    result otherwise.  The stop of Fisher scoring used to be absolute below tau2 = 1, so
    with variances near 1e-20 it stopped at the start (tau2 off by half), and sums of
    w^3 y^2 overflowed near 1e-120."""
    rng = np.random.default_rng(15)
    Y = rng.normal(0, 1, (40, 8)) * rng.choice([0.2, 1.0, 4.0], (40, 1))
    V = rng.uniform(0.05, 2, (40, 8))
    base = pool_many(Y, V, method=method)
    scaled = pool_many(Y * scale, V * scale**2, method=method)
    np.testing.assert_allclose(scaled.tau2 / scale**2, base.tau2, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(scaled.estimate / scale, base.estimate, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(scaled.se / scale, base.se, rtol=1e-9)


@pytest.mark.parametrize("scale", [1e-60, 1e-10, 1e10, 1e60])
def test_meta_regression_and_q_profile_do_not_depend_on_the_units(scale):
    """The same for meta-regression (every estimator) and the Q-profile CIs (whose solver
    stopped on an absolute step below tau2 = 1; larger units are not compared there, as
    metafor's search cap max(100, 10 tau2) is absolute)."""
    from evidence_lib.meta import pool, regression
    rng = np.random.default_rng(5)
    y, v, x = rng.normal(0, 1, 10), rng.uniform(0.05, 2, 10), rng.normal(0, 1, 10)
    for method in ("DL", "REML", "ML", "PM", "EB", "SJ", "HE", "HS"):
        a = regression(y, v, moderators=x, method=method)
        b = regression(y * scale, v * scale**2, moderators=x, method=method)
        np.testing.assert_allclose(b.tau2 / scale**2, a.tau2, rtol=1e-8, atol=1e-300, err_msg=method)
        np.testing.assert_allclose(b.coef / scale, a.coef, rtol=1e-8, err_msg=method)
    # metafor caps the CI search at max(100, 10 tau2) (absolute), so only smaller units compare
    for method in ("DL", "REML", "ML", "PM") if scale < 1 else ():
        a, b = pool(y, v, method=method), pool(y * scale, v * scale**2, method=method)
        np.testing.assert_allclose(np.array(b.tau2_ci) / scale**2, a.tau2_ci, rtol=1e-7, err_msg=method)
        np.testing.assert_allclose(b.i2_ci, a.i2_ci, rtol=1e-7, err_msg=method)


def _fit_in_child(args):
    Y, V = args
    return pool_many(Y, V, method="REML").tau2


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork()")
def test_a_process_forked_after_a_fit_can_fit():
    """Batches are spread over the cores by Python threads around the compiled loop, not by a
    threading layer that refuses to run in a forked child (GNU OpenMP terminates it): a
    multiprocessing pool forked after a large fit gets the parent's results."""
    import multiprocessing

    rng = np.random.default_rng(17)
    Y, V = rng.normal(0, 1, (300, 6)), rng.uniform(0.05, 2, (300, 6))
    parent = pool_many(Y, V, method="REML").tau2
    with multiprocessing.get_context("fork").Pool(2) as workers:
        children = workers.map_async(_fit_in_child, [(Y, V)] * 2).get(timeout=120)
    for tau2 in children:
        np.testing.assert_array_equal(tau2, parent)
