"""Meta-analysis: the public API the notebooks call.

Inverse-variance pooling (fixed and random effects), Mantel-Haenszel pooling,
many meta-analyses at once, sensitivity analyses (leave-one-out, cumulative,
GOSH), subgroups, meta-regression and (re-exported from
:mod:`evidence_lib.meta.bias`) small-study bias tests.  The reference
implementation is R's metafor (Viechtbauer 2010); the test-suite compares
against values written by ``tests/reference/metafor_reference.R``.

Module layout: :mod:`evidence_lib.meta.effect_sizes` (escalc), this module
(public pooling API and result types), :mod:`evidence_lib.meta._core`
(vectorised estimators over many analyses), :mod:`evidence_lib.meta._regression_fit`
(moderators), :mod:`evidence_lib.meta.bias` (Egger, trim-and-fill).
``import evidence_lib.meta`` needs only numpy and scipy; pandas is imported
inside ``to_frame`` / ``meta_frame``.

metafor -> evidence_lib mapping
-------------------------------

=====================================================  ==========================================================
metafor (R)                                            evidence_lib
=====================================================  ==========================================================
``escalc("SMD", m1i, sd1i, n1i, m2i, sd2i, n2i)``      ``effect_sizes.smd(m1i, sd1i, n1i, m2i, sd2i, n2i)``
``escalc("MD", ...)``                                  ``effect_sizes.md(...)``
``escalc("RR"|"OR"|"RD", ai, bi, ci, di)``             ``effect_sizes.log_rr|log_or|rd(ai, bi, ci, di, add=None)``
  (default ``add=1/2, to="only0"``)                      (no correction unless ``add=0.5``; zero cell -> ValueError)
``rma(yi, vi, method="REML")``                         ``pool(yi, vi, method="REML")``
``rma(yi, vi, method="FE"|"DL"|"PM"|"ML")``            ``pool(yi, vi, method="FE"|"DL"|"PM"|"ML")`` (REML/ML: global maximum)
``rma(yi, vi, method="REML", test="knha")``            ``pool(yi, vi, method="REML", ci="hksj")``
``rma(yi, vi, test="adhoc")``                          ``pool(yi, vi, ci="hksj", hksj_truncate=True)``
``rma(..., level=90)``                                 ``pool(..., level=0.90)``
``predict(res)$pi.lb, $pi.ub``                         ``res.pi_low, res.pi_high`` (``pi="z"``, default)
``predict(res, pi.type="riley")``                      ``pool(..., pi="t_k2")`` (t on k-2 df, Higgins 2009)
``confint(res)$random["tau^2", ]``                     ``res.tau2_ci`` (Q-profile, Viechtbauer 2007)
``res$I2``, ``res$H2``                                 ``res.i2``, ``res.h2`` (``i2="model"``); ``i2="q"``: Cochrane
``res$QE, res$QEp``                                    ``res.q, res.q_pvalue``
``weights(res)``                                       ``res.weights`` (percent)
``rma.mh(measure="OR"|"RR"|"RD", ai, bi, ci, di)``     ``pool_mh(ai, bi, ci, di, measure=...)`` (Q without double-zero studies)
``rma.peto(ai, bi, ci, di)``                           ``pool_peto(ai, bi, ci, di)``
``influence(res)``                                     ``influence(yi, vi, method=...)`` (DataFrame)
``confint(res)$random[c("I^2(%)", "H^2"), ]``          ``res.i2_ci``, ``res.h2_ci``
``rma(yi, vi, method="EB"|"SJ"|"HE"|"HS")``            ``pool(yi, vi, method="EB"|"SJ"|"HE"|"HS")``
``leave1out(res)``                                     ``leave_one_out(yi, vi, method=..., ci=...)``
``cumul(res)``                                         ``cumulative(yi, vi, ...)`` (in the given order)
``rma(yi, vi, mods=~x)``                               ``regression(yi, vi, moderators={"x": x})``
``rma(yi, vi, mods=~factor(g))`` (QM)                  ``subgroups(yi, vi, g).qm`` (+ ``.q_between``, Cochrane)
``regtest(res)`` / ``regtest(res, model="lm")``        ``egger_test(yi, vi, model="rma"|"lm")``
``trimfill(res)``                                      ``trim_and_fill(yi, vi, method=...)``
``gosh(res)`` / ``gosh(res, subsets=N)``              ``gosh(yi, vi, method=..., subsets=N, seed=S)`` (random: no repeats)
``profile(res)``, ``logLik(rma(..., tau2=t))``         ``profile(yi, vi, method=..., tau2=grid)``
``baujat(res)``                                        ``baujat(yi, vi, method=...)`` (values; plot: ``plotting.influence``)
``permutest(res, exact=, iter=)``                      ``permutation_test(yi, vi, moderators=mods, exact=, iterations=, seed=)``
``control=list(threshold=, tol=)``                     ``tol=`` (default 1e-12, tighter than metafor's 1e-5)
=====================================================  ==========================================================

Clamping (said once, applies everywhere): tau2 from DL and PM is clamped at
0 (DL: max(0, .); PM: 0 when Q(0) < k - 1); REML/ML Fisher scoring never
steps below 0; the Q-based I2 is clamped at 0.  The model-based I2 is >= 0 by
construction.
"""


from __future__ import annotations

from .bayes import BayesMetaResult, bayes_meta, bayes_meta_many
from .bayes_priors import heterogeneity_presets, tau2_prior_preset
from .bias import EggerResult, TrimFillResult, egger_test, trim_and_fill
from .binary import pool_mh, pool_peto
from .gosh import gosh
from .influence import BaujatResult, baujat, influence
from .network import NetworkResult, network_meta
from .pooling import NarrowHartungKnappWarning, meta_frame, pool, pool_many
from .regression import regression, subgroups
from .permutation import PermutationResult, permutation_test
from .profile import ProfileResult, profile
from .results import BatchMetaResult, GoshResult, MetaResult, MHResult, RegressionResult, SubgroupResult
from .sensitivity import cumulative, leave_one_out

__all__ = [
    "MetaResult",
    "BatchMetaResult",
    "MHResult",
    "SubgroupResult",
    "GoshResult",
    "RegressionResult",
    "pool",
    "pool_many",
    "pool_mh",
    "pool_peto",
    "influence",
    "baujat",
    "BaujatResult",
    "profile",
    "ProfileResult",
    "permutation_test",
    "PermutationResult",
    "NarrowHartungKnappWarning",
    "leave_one_out",
    "cumulative",
    "subgroups",
    "regression",
    "gosh",
    "meta_frame",
    "egger_test",
    "trim_and_fill",
    "EggerResult",
    "TrimFillResult",
    "network_meta",
    "NetworkResult",
    "bayes_meta",
    "bayes_meta_many",
    "BayesMetaResult",
    "tau2_prior_preset",
    "heterogeneity_presets",
]
