"""Permutation tests for the pooled effect and for meta-regression moderators (metafor ``permutest``)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import _core as core
from ._regression_fit import fit_regression
from ._validate import _check_1d, _norm_method
from .regression import _design

__all__ = ["PermutationResult", "permutation_test"]

COMPTOL = float(np.finfo(float).eps) ** 0.5  # metafor's control comptol


@dataclass(frozen=True, eq=False)
class PermutationResult:
    """Permutation p-values next to the observed model's statistics.

    ``names``, ``coef``, ``statistic`` (observed z, or t with ``ci="hksj"``),
    ``pvalue`` (permutation p-value of each coefficient, two-sided, |stat|),
    ``qm`` and ``qm_pvalue`` (omnibus test of the moderators, or of the pooled
    effect without moderators), ``n_perm`` (permutations evaluated, the
    observed one included), ``exact`` (all permutations) and ``seed``;
    ``statistic_perm`` (n_perm, p) and ``qm_perm`` hold the permutation
    distribution.
    """

    names: tuple
    coef: np.ndarray
    statistic: np.ndarray
    pvalue: np.ndarray
    qm: float
    qm_pvalue: float
    n_perm: int
    exact: bool
    method: str
    seed: int | None = None
    statistic_perm: np.ndarray | None = field(default=None, repr=False)
    qm_perm: np.ndarray | None = field(default=None, repr=False)

    def to_frame(self):
        """One row per coefficient: coef, statistic, permutation p-value."""
        import pandas as pd

        return pd.DataFrame({"coef": self.coef, "statistic": self.statistic, "pvalue": self.pvalue},
                            index=list(self.names))


def _multiset_perms(labels):
    """All distinct orderings of ``labels`` (ints), lexicographic (Knuth's algorithm L)."""
    a = sorted(labels)
    n = len(a)
    while True:
        yield list(a)
        j = n - 2
        while j >= 0 and a[j] >= a[j + 1]:
            j -= 1
        if j < 0:
            return
        m = n - 1
        while a[m] <= a[j]:
            m -= 1
        a[j], a[m] = a[m], a[j]
        a[j + 1:] = reversed(a[j + 1:])


def _pvalues(stat_perm, stat_obs, qm_perm, qm_obs, tol):
    p = np.mean(np.abs(stat_perm) >= np.abs(stat_obs) - tol, axis=0)
    return np.minimum(p, 1.0), float(np.mean(qm_perm >= qm_obs - tol))


def permutation_test(yi, vi, *, moderators=None, method: str = "REML", ci: str = "wald",
                     intercept: bool = True, exact: bool | None = None, iterations: int = 1000,
                     seed=None, tol: float = COMPTOL) -> PermutationResult:
    """Permutation test of the pooled effect or of meta-regression coefficients.

    Without moderators the signs of the estimates are flipped (the null
    hypothesis mu = 0 makes y_i and -y_i equally likely); with moderators the
    rows of the moderator matrix are permuted against (y_i, v_i).  Each
    permutation is refitted with ``method``; the p-value of a coefficient is
    the share of permutations with |statistic| >= the observed |statistic|
    (minus ``tol``), and that of the omnibus test the share with QM >= the
    observed QM, as metafor's ``permutest``.  Exact (all 2^k sign vectors, or
    all distinct orderings of the moderator rows) when ``exact=True`` or when
    there are no more than ``iterations`` of them; otherwise ``iterations``
    random permutations, the first being the observed data (metafor's
    convention).

    Parameters
    ----------
    yi, vi : array_like
        Estimates and sampling variances.
    moderators : array_like or dict, optional
        As :func:`evidence_lib.meta.regression` (None: the pooled effect).
    method, ci : str
        As :func:`evidence_lib.meta.pool` / :func:`evidence_lib.meta.regression`.
    intercept : bool
        Add an intercept to the moderators (as :func:`evidence_lib.meta.regression`).
    exact : bool, optional
        Force the exact test (None: exact when feasible within ``iterations``).
    iterations : int
        Number of random permutations (metafor's ``iter``, default 1000).
    seed : int or numpy.random.Generator, optional
        Random permutations are reproducible with a seed.
    tol : float
        Tolerance of the comparisons (metafor's ``comptol``, sqrt of machine epsilon).

    Returns
    -------
    PermutationResult

    Raises
    ------
    ValueError
        Fewer than 2 studies, ``iterations`` < 2, an exact test with more than
        10^6 permutations, bad input.

    References
    ----------
    Follmann DA, Proschan MA (1999) Valid inference in random effects
    meta-analysis. Biometrics 55:732-737 (the sign-flipping test of the mean).
    Higgins JPT, Thompson SG (2004) Controlling the risk of spurious findings
    from meta-regression. Stat Med 23:1663-1682 (permutation of the covariate, sec. 4).
    """
    y, v, _ = _check_1d(yi, vi)
    k = y.shape[0]
    if k < 2:
        raise ValueError(f"a permutation test needs at least 2 studies; got k = {k}")
    iterations = int(iterations)
    if iterations < 2:
        raise ValueError(f"iterations must be at least 2; got {iterations}")
    method = _norm_method(method)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    seed_out = seed if isinstance(seed, (int, np.integer)) else None
    if moderators is None:
        return _sign_flip(y, v, method, ci, exact, iterations, rng, tol, seed_out)
    X, names = _design(moderators, k, intercept)
    return _row_perm(y, v, X, names, method, ci, exact, iterations, rng, tol, seed_out, intercept)


def _fit_rows(Y, v, method, ci):
    V = np.broadcast_to(v, Y.shape)
    out = core.fit(Y, np.ascontiguousarray(V), np.full(Y.shape[0], Y.shape[1]), method, ci)
    return out["estimate"], out["statistic"]


def _sign_flip(y, v, method, ci, exact, iterations, rng, tol, seed):
    k = y.shape[0]
    n_exact = 2 ** k
    use_exact = bool(exact) or (exact is None and n_exact <= iterations)
    if use_exact:
        if n_exact > 1_000_000:
            raise ValueError(f"an exact sign-flip test needs 2^{k} fits; use exact=False (random permutations)")
        masks = np.arange(n_exact, dtype=np.int64)
        signs = 1.0 - 2.0 * ((masks[:, None] >> np.arange(k)) & 1)
    else:
        signs = rng.choice([-1.0, 1.0], size=(iterations, k))
        signs[0] = 1.0  # the observed data
    est_obs, stat_obs = _fit_rows(y[None], v, method, ci)
    est, stat = [], []
    for s in range(0, signs.shape[0], 1 << 16):
        e, t = _fit_rows(signs[s:s + (1 << 16)] * y, v, method, ci)
        est.append(e)
        stat.append(t)
    stat = np.concatenate(stat)
    p, qp = _pvalues(stat, stat_obs[0], stat ** 2, stat_obs[0] ** 2, tol)
    return PermutationResult(names=("intercept",), coef=est_obs, statistic=stat_obs, pvalue=np.atleast_1d(p),
                             qm=float(stat_obs[0] ** 2), qm_pvalue=qp, n_perm=int(signs.shape[0]),
                             exact=use_exact, method=method, seed=seed, statistic_perm=stat[:, None],
                             qm_perm=stat ** 2)


def _row_perm(y, v, X, names, method, ci, exact, iterations, rng, tol, seed, intercept):
    k = y.shape[0]
    _, lab = np.unique(X, axis=0, return_inverse=True)
    lab = lab.ravel()
    counts = np.bincount(lab)
    n_exact = math.factorial(k) // math.prod(math.factorial(c) for c in counts)
    use_exact = bool(exact) or (exact is None and n_exact <= iterations)
    if use_exact and n_exact > 1_000_000:
        raise ValueError(f"an exact permutation test needs {n_exact} fits; use exact=False (random permutations)")
    rows = {g: np.flatnonzero(lab == g) for g in range(counts.size)}
    first = np.array([rows[g][0] for g in range(counts.size)])

    def fit(Xp):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fit_regression(y, v, Xp, names, method, ci, intercept=intercept)
        return r

    obs = fit(X)
    if use_exact:
        perms = (X[first[np.array(p)]] for p in _multiset_perms(lab.tolist()))
        n = n_exact
    else:
        perms = (X if i == 0 else X[rng.permutation(k)] for i in range(iterations))
        n = iterations
    stat = np.empty((n, X.shape[1]))
    qm = np.empty(n)
    for i, Xp in enumerate(perms):
        r = fit(Xp)
        stat[i], qm[i] = r.statistic, r.qm
    p, qp = _pvalues(stat, obs.statistic, qm, obs.qm, tol)
    return PermutationResult(names=tuple(obs.names), coef=obs.coef, statistic=obs.statistic, pvalue=p,
                             qm=float(obs.qm), qm_pvalue=qp, n_perm=n, exact=use_exact, method=method,
                             seed=seed, statistic_perm=stat, qm_perm=qm)
