"""evidence_lib.meta.bayes against an independent numerical integration in R and the closed form.

Reference values: tests/reference/bayes_reference.json, written by tests/reference/bayes_reference.R
(base R's integrate() on the marginal posterior of tau; R is not needed here). Each case records
its R call. Tolerance: 1e-4 absolute (the brief) and, for finite values, 1e-6 relative.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import evidence_lib as ev
from evidence_lib.meta import bayes_meta, bayes_meta_many

REF = json.loads((Path(__file__).parents[1] / "reference" / "bayes_reference.json").read_text())["cases"]
ATOL = 1e-4
RTOL = 1e-6


def _priors(inp):
    tp = inp["tau_prior"]
    if tp["name"] == "logt_tau2":
        tau_prior = (tp["name"], tp["location"], tp["scale"], tp["df"])
    elif tp["name"] == "lognormal_tau2":
        tau_prior = (tp["name"], tp["meanlog"], tp["sdlog"])
    else:
        tau_prior = (tp["name"], tp["scale"])
    mp = inp.get("mu_prior")
    return tau_prior, (None if mp is None else ("normal", mp["mean"], mp["sd"]))


def _close(ours, ref, what):
    if math.isinf(ref):
        assert math.isinf(ours), f"{what}: R says infinite, ours {ours}"
        return
    assert abs(ours - ref) <= max(ATOL if "prob" in what else 0.0, RTOL * abs(ref), 1e-9), \
        f"{what}: ours {ours!r}, R {ref!r}"


@pytest.mark.parametrize("name", sorted(REF))
def test_agrees_with_r_integrate(name):
    case = REF[name]
    inp, vals = case["input"], case["values"]
    tau_prior, mu_prior = _priors(inp)
    res = bayes_meta(inp["yi"], inp["vi"], tau_prior=tau_prior, mu_prior=mu_prior)
    for par in ("mu", "tau", "pred"):
        for key, ref in vals[par].items():
            _close(getattr(getattr(res, par), key), ref, f"{name} {par}.{key}")
            assert abs(getattr(getattr(res, par), key) - ref) <= ATOL or math.isinf(ref)
    for i, t in enumerate(inp["thresholds"]):
        _close(res.prob_above(t), vals["prob_above"][i], f"{name} prob_above({t})")
        _close(res.prob_below(t), vals["prob_below"][i], f"{name} prob_below({t})")
        _close(res.pred_prob_above(t), vals["pred_prob_above"][i], f"{name} pred_prob_above({t})")


def test_reference_is_not_vacuous():
    """The R values discriminate: a different prior moves the answer by far more than the tolerance."""
    inp = REF["furlan_hn15_flat"]["input"]
    other = bayes_meta(inp["yi"], inp["vi"], tau_prior=("half_normal", 15.0), mu_prior=("normal", 0.0, 9.12))
    assert abs(other.mu.mean - REF["furlan_hn15_flat"]["values"]["mu"]["mean"]) > 100 * ATOL
    assert len(REF) >= 8


def test_narrow_tau_prior_gives_the_closed_form():
    """tau fixed by a very narrow prior: mu | y ~ N(muhat(tau0), 1/W(tau0)) exactly."""
    from scipy import stats

    y = np.array([-10.4, -11.0, -9.8, -10.0, -3.0])
    v = np.array([66.1, 25.9, 23.4, 13.8, 9.0])
    tau0 = 4.0
    res = bayes_meta(y, v, tau_prior=("lognormal_tau2", math.log(tau0 ** 2), 1e-7))
    w = 1 / (v + tau0 ** 2)
    mean, sd = (w * y).sum() / w.sum(), math.sqrt(1 / w.sum())
    assert res.mu.mean == pytest.approx(mean, abs=1e-6)
    assert res.mu.sd == pytest.approx(sd, abs=1e-6)
    assert res.mu.ci_low == pytest.approx(mean - stats.norm.ppf(0.975) * sd, abs=1e-6)
    assert res.prob_below(-10) == pytest.approx(stats.norm.cdf(-10, mean, sd), abs=1e-7)
    assert res.pred.sd == pytest.approx(math.sqrt(sd ** 2 + tau0 ** 2), abs=1e-5)
    assert res.tau.median == pytest.approx(tau0, rel=1e-6)
    # with a normal prior on mu, the closed form is the same with the prior as one more "study"
    res = bayes_meta(y, v, tau_prior=("lognormal_tau2", math.log(tau0 ** 2), 1e-7), mu_prior=("normal", 0.0, 5.0))
    w0 = np.append(w, 1 / 25.0)
    assert res.mu.mean == pytest.approx((w * y).sum() / w0.sum(), abs=1e-6)
    assert res.mu.sd == pytest.approx(math.sqrt(1 / w0.sum()), abs=1e-6)


def test_quadrature_has_converged_and_is_deterministic():
    inp = REF["synthetic20_hn10_flat"]["input"]
    a = bayes_meta(inp["yi"], inp["vi"], tau_prior=("half_normal", 10.0))
    b = bayes_meta(inp["yi"], inp["vi"], tau_prior=("half_normal", 10.0), n_nodes=2048)
    c = bayes_meta(inp["yi"], inp["vi"], tau_prior=("half_normal", 10.0))
    for par in ("mu", "tau", "pred"):
        for key in ("mean", "median", "sd", "ci_low", "ci_high"):
            assert getattr(getattr(a, par), key) == pytest.approx(getattr(getattr(b, par), key), abs=1e-9)
            assert getattr(getattr(a, par), key) == getattr(getattr(c, par), key)


def test_densities_integrate_to_one_and_match_the_summaries():
    inp = REF["furlan_hn15_flat"]["input"]
    res = bayes_meta(inp["yi"], inp["vi"], tau_prior=("half_normal", 15.0))
    for grid, dens in ((res.mu_grid, res.mu_density), (res.pred_grid, res.pred_density), (res.tau_grid, res.tau_density)):
        assert np.trapezoid(dens, grid) == pytest.approx(1.0, abs=2e-3)  # grids span 99.9%
    below_median = res.mu_grid <= res.mu.median
    # the grid starts at the 0.05% quantile, so the area left of the median is 0.4995
    # (up to the last node left of the median: short by less than one step's area)
    short = 0.4995 - np.trapezoid(res.mu_density[below_median], res.mu_grid[below_median])
    step = res.mu_grid[1] - res.mu_grid[0]
    assert -1e-3 <= short <= step * res.mu_density.max() + 1e-3
    assert res.prob_below(3.0) + res.prob_above(3.0) == pytest.approx(1.0, abs=1e-12)
    f = res.to_frame()
    assert list(f.index) == ["mu", "tau", "pred"]
    assert list(f.columns) == ["mean", "median", "sd", "ci_low", "ci_high"]


def test_exported_at_the_top_level():
    assert ev.bayes_meta is bayes_meta


def test_many_agrees_with_one_at_a_time():
    rng = np.random.default_rng(7)
    v = rng.uniform(2, 40, (25, 6))
    y = rng.normal(-8, np.sqrt(v + 16))
    many = bayes_meta_many(y, v, tau_prior=("half_cauchy", 5.0), mu_prior=("normal", 0, 20), thresholds=(-15, 0))
    for i in range(0, 25, 6):
        one = bayes_meta(y[i], v[i], tau_prior=("half_cauchy", 5.0), mu_prior=("normal", 0, 20))
        assert many.mu_mean[i] == pytest.approx(one.mu.mean, abs=1e-8)
        assert many.mu_ci_high[i] == pytest.approx(one.mu.ci_high, abs=1e-7)
        assert many.pred_ci_low[i] == pytest.approx(one.pred.ci_low, abs=1e-7)
        assert many.tau_mean[i] == pytest.approx(one.tau.mean, abs=1e-7)
        assert many.prob_below[i, 0] == pytest.approx(one.prob_below(-15), abs=1e-9)
        assert many.prob_above[i, 1] == pytest.approx(one.prob_above(0), abs=1e-9)
    f = many.to_frame()
    assert len(f) == 25 and "p_mu_below_-15" in f.columns


def test_heavy_tailed_moments_are_infinite_not_invented():
    res = bayes_meta([-2.0, -20.0], [9.0, 16.0], tau_prior=("half_cauchy", 10.0))
    assert math.isinf(res.tau.sd) and math.isinf(res.mu.sd) and math.isinf(res.pred.sd)
    assert math.isfinite(res.tau.ci_high) and math.isfinite(res.mu.mean)


@pytest.mark.parametrize("kwargs, words", [
    (dict(yi=[1.0, 2.0], vi=[1.0, 0.0], tau_prior=("half_normal", 1.0)), ["vi", "positive"]),
    (dict(yi=[1.0, 2.0], vi=[1.0, -1.0], tau_prior=("half_normal", 1.0)), ["vi", "se**2"]),
    (dict(yi=[1.0], vi=[1.0], tau_prior=("half_normal", 1.0)), ["mu_prior", "k = 1", "normal"]),
    (dict(yi=[1.0, 2.0], vi=[1.0, 1.0], tau_prior=("half_normal", 0.0)), ["scale", "positive"]),
    (dict(yi=[1.0, 2.0], vi=[1.0, 1.0], tau_prior=("half_cauchy", -2.0)), ["scale", "positive"]),
    (dict(yi=[1.0, 2.0], vi=[1.0, 1.0], tau_prior=("lognormal_tau2", -2.0, 0.0)), ["sdlog", "positive"]),
    (dict(yi=[1.0, 2.0], vi=[1.0, 1.0], tau_prior=("uniform", 1.0)), ["tau_prior", "uniform", "half_normal"]),
    (dict(yi=[1.0, 2.0], vi=[1.0, 1.0], tau_prior="half_normal"), ["tau_prior", "tuple"]),
    (dict(yi=[1.0, 2.0], vi=[1.0, 1.0], tau_prior=("half_normal", 1.0), mu_prior=("normal", 0, 0)), ["mu_prior", "sd"]),
    (dict(yi=[1.0, 2.0], vi=[1.0, 1.0], tau_prior=("half_normal", 1.0), mu_prior=("cauchy", 0, 1)), ["mu_prior", "normal"]),
])
def test_bad_input_names_the_argument_and_the_fix(kwargs, words):
    with pytest.raises(ValueError) as err:
        bayes_meta(**kwargs)
    for w in words:
        assert w in str(err.value)


def test_many_rejects_bad_shapes_and_variances():
    with pytest.raises(ValueError, match="2-D"):
        bayes_meta_many([1.0, 2.0], [1.0, 1.0], tau_prior=("half_normal", 1.0))
    with pytest.raises(ValueError, match="vi must be positive"):
        bayes_meta_many([[1.0, 2.0]], [[1.0, 0.0]], tau_prior=("half_normal", 1.0))
