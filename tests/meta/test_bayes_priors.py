"""Heterogeneity priors: the log-t density on tau, and the Turner/Rhodes presets.

The posterior under a preset is checked against R in test_bayes.py (cases smd5_*, smd2_*, lor6_*
of tests/reference/bayes_reference.json); here: the densities are proper and consistent, the
preset table is complete, consistent with the reference cases and with the additive structure of
the published models, and a preset gives the same answer as its parameters typed out.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, stats

import evidence_lib as ev
from evidence_lib.meta import bayes_meta, bayes_meta_many
from evidence_lib.meta import _tau2_tables as tables
from evidence_lib.meta.bayes_priors import (PRESETS, heterogeneity_presets, log_prior_tau, log_prior_x,
                                            logt_cdf_x, logt_quantile_x, tau2_prior_preset)

REF = json.loads((Path(__file__).parents[1] / "reference" / "bayes_reference.json").read_text())["cases"]
PRIORS = [("logt_tau2", -3.02, 2.27, 5.0), ("logt_tau2", -3.44, 2.59, 5.0), ("logt_tau2", 1.0, 0.4, 2.5),
          ("lognormal_tau2", -2.05, 1.71), ("half_normal", 0.5), ("half_cauchy", 0.3)]


@pytest.mark.parametrize("prior", PRIORS)
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_prior_density_on_tau_integrates_to_one(prior):
    # on x = log(tau): p(tau) dtau = p(tau) tau dx; |x| > 700 holds < 1e-12 of any of these priors
    def on_x(x):
        return float(np.exp(log_prior_tau(np.array([math.exp(x)]), prior)[0] + x))

    cuts = [-700, -100, -30, -10, -3, 0, 3, 10, 30, 100, 700]
    total = sum(integrate.quad(on_x, a, b, limit=500, epsabs=1e-13)[0] for a, b in zip(cuts[:-1], cuts[1:]))
    assert total == pytest.approx(1.0, abs=1e-8)
    total_x = sum(integrate.quad(lambda x: float(np.exp(log_prior_x(np.array([x]), prior)[0])), a, b, limit=500,
                                 epsabs=1e-13)[0] for a, b in zip(cuts[:-1], cuts[1:]))
    assert total_x == pytest.approx(1.0, abs=1e-8)


def test_logt_density_is_the_t_law_of_log_tau2_transformed():
    """p(tau) = f_t((log tau^2 - loc)/scale) / scale * |d log tau^2 / d tau| = ... * 2 / tau (scipy's t)."""
    prior = ("logt_tau2", -3.02, 2.27, 5.0)
    tau = np.array([1e-4, 0.01, 0.1, 0.3, 1.0, 5.0])
    want = stats.t.pdf((np.log(tau ** 2) + 3.02) / 2.27, df=5) / 2.27 * 2 / tau
    assert np.exp(log_prior_tau(tau, prior)) == pytest.approx(want, rel=1e-12)
    x = np.log(0.2)
    assert float(logt_cdf_x(x, prior)) == pytest.approx(stats.t.cdf((2 * x + 3.02) / 2.27, df=5), rel=1e-12)
    assert float(logt_quantile_x(0.3, prior)) == pytest.approx((-3.02 + 2.27 * stats.t.ppf(0.3, 5)) / 2, rel=1e-12)
    # the prior median of tau^2 is exp(location)
    assert float(np.exp(2 * logt_quantile_x(0.5, prior))) == pytest.approx(math.exp(-3.02), rel=1e-12)


def test_presets_are_complete_and_unique():
    names = [p.name for p in PRESETS]
    assert len(names) == len(set(names)) == 1 + 16 * 5 + 1 + 8 * 3 - 1
    for p in PRESETS:
        assert p.read_from.startswith("https://github.com/cran/bayesmeta/blob/")
        assert p.checked_against.startswith("https://github.com/LoukiaSpin/rnmamod/blob/")
        assert tau2_prior_preset(p.name) == p.tau_prior
    frame = heterogeneity_presets()
    assert len(frame) == len(PRESETS) and set(frame.distribution) == {"lognormal_tau2", "logt_tau2"}
    assert ev.tau2_prior_preset("turner2015-general") == ("lognormal_tau2", -2.56, 1.74)


def _additive(table, n_cmp):
    """Each cell minus its row's first cell: constant down a column if the table is outcome + comparison."""
    out = []
    for j in range(1, n_cmp):
        diffs = [cells[j][0] - cells[0][0] for _, _, cells in table if cells[j] is not None]
        out.append(max(diffs) - min(diffs))
    return out


def test_preset_tables_follow_the_papers_additive_models():
    """Both papers model log tau^2 as outcome effect + comparison effect; printed to 2 decimals the
    column offsets vary by at most 0.02. A mistyped cell would break this; the one cell that does in
    both sources (Rhodes, mental health, non-pharmacological) is left out and says why."""
    assert max(_additive(tables.TURNER_TABLE, 5)) <= 0.02 + 1e-12
    assert max(_additive(tables.RHODES_TABLE, 3)) <= 0.02 + 1e-12
    assert set(tables.RHODES_LEFT_OUT) == {("mental-health", "nonpharma-any")}
    with pytest.raises(ValueError, match="unknown"):
        tau2_prior_preset("rhodes2015-mental-health-nonpharma-any")


@pytest.mark.parametrize("case", [c for c in REF if "preset" in REF[c]["input"]["tau_prior"]])
def test_reference_cases_use_the_presets_values(case):
    tp = REF[case]["input"]["tau_prior"]
    prior = tau2_prior_preset(tp["preset"])
    if tp["name"] == "logt_tau2":
        assert prior == ("logt_tau2", tp["location"], tp["scale"], tp["df"])
    else:
        assert prior == ("lognormal_tau2", tp["meanlog"], tp["sdlog"])


def test_a_preset_gives_the_same_answer_as_its_parameters():
    inp = REF["smd5_rhodes_painqol_nonpharma_flat"]["input"]
    name = inp["tau_prior"]["preset"]
    a = bayes_meta(inp["yi"], inp["vi"], tau_prior=("preset", name))
    b = bayes_meta(inp["yi"], inp["vi"], tau_prior=tau2_prior_preset(name))
    assert a.tau_prior == b.tau_prior == tau2_prior_preset(name)
    assert a.mu == b.mu and a.tau == b.tau


def test_logt_quadrature_converged_and_batch_agrees():
    inp = REF["smd5_rhodes_general_normal"]["input"]
    prior = tau2_prior_preset("rhodes2015-general")
    mu_prior = ("normal", 0.0, 1.0)
    a = bayes_meta(inp["yi"], inp["vi"], tau_prior=prior, mu_prior=mu_prior)
    b = bayes_meta(inp["yi"], inp["vi"], tau_prior=prior, mu_prior=mu_prior, n_nodes=2048)
    for par in ("mu", "tau", "pred"):
        for key in ("mean", "median", "sd", "ci_low", "ci_high"):
            assert getattr(getattr(a, par), key) == pytest.approx(getattr(getattr(b, par), key), abs=1e-9)
    many = bayes_meta_many([inp["yi"]] * 2, [inp["vi"]] * 2, tau_prior=prior, mu_prior=mu_prior, thresholds=(0.2,))
    assert many.mu_mean[1] == pytest.approx(a.mu.mean, abs=1e-8)
    assert many.tau_mean[1] == pytest.approx(a.tau.mean, abs=1e-7)
    assert many.prob_above[1, 0] == pytest.approx(a.prob_above(0.2), abs=1e-8)
    # the tau density for plotting spans 99.9% of the mass; the log-t prior's integrable spike at
    # tau = 0 (like 1 / (tau |log tau|^6)) is not resolved by the plotting grid, hence 1%
    assert np.trapezoid(a.tau_density, a.tau_grid) == pytest.approx(1.0, abs=1e-2)


def test_the_mixture_with_its_tail_node_is_a_probability_distribution():
    """Under a log-t prior the mass below the grid (closed form, at tau ~ 0) is one more node."""
    from evidence_lib.meta.bayes import _integrate, _mixture

    inp = REF["smd5_rhodes_painqol_nonpharma_flat"]["input"]
    prior = tau2_prior_preset(inp["tau_prior"]["preset"])
    nodes = _integrate(np.asarray([inp["yi"]]), np.asarray([inp["vi"]]), prior, None, 512)
    w, m, s2, tau = _mixture(nodes)
    assert w.shape[1] == nodes.weight.shape[1] + 1 and tau[0, -1] == 0.0
    assert 0.0 < float(nodes.tail[0]) < 1e-4
    assert float(w.sum()) == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("tau_prior, words", [
    (("preset", "turner2015-nonsense"), ["unknown", "turner2015-"]),
    (("preset",), ["preset", "one name"]),
    (("logt_tau2", -3.0, 0.0, 5.0), ["scale", "df", "positive"]),
    (("logt_tau2", -3.0, 2.0, -1.0), ["df", "positive"]),
    (("logt_tau2", -3.0, 2.0), ["3 parameter"]),
])
def test_bad_priors_name_the_argument_and_the_fix(tau_prior, words):
    with pytest.raises(ValueError) as err:
        bayes_meta([0.1, 0.3], [0.04, 0.05], tau_prior=tau_prior)
    for w in words:
        assert w in str(err.value)


def test_every_preset_says_it_is_unverified_against_the_paper():
    """No page showed the papers' tables: each preset must carry that status, in the table users browse."""
    from evidence_lib.meta.bayes_priors import PRESETS, heterogeneity_presets

    assert all("not seen" in p.status and "unverified" in p.status for p in PRESETS)
    assert set(heterogeneity_presets()["status"]) == {PRESETS[0].status}
