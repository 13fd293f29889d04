"""Meta-regression and subgroup analysis (mixed-effects models with moderators)."""

from __future__ import annotations

import numpy as np
from scipy import special as sp

from ._regression_fit import RegressionResult, fit_regression
from ._validate import _check_1d, _norm_method
from .pooling import pool
from .results import SubgroupResult


def _design(moderators, k, intercept=True):
    """Build X (k x p) and names from a 1-D array, 2-D array or mapping name -> values."""
    names: list[str] = []
    cols: list[np.ndarray] = []
    if moderators is None:
        pass
    elif isinstance(moderators, dict):
        for nm, col in moderators.items():
            c = np.asarray(col, dtype=float)
            if c.ndim != 1:
                raise ValueError(f"moderator {nm!r} must be one-dimensional")
            cols.append(c)
            names.append(str(nm))
    else:
        M = np.asarray(moderators, dtype=float)
        if M.ndim == 1:
            M = M[:, None]
        if M.ndim != 2:
            raise ValueError("X / moderators must be a 1-D or 2-D array or a dict of columns")
        for j in range(M.shape[1]):
            cols.append(M[:, j])
            names.append(f"x{j + 1}")
    for nm, c in zip(names, cols):
        if c.shape[0] != k:
            raise ValueError(f"moderator {nm!r} has {c.shape[0]} values but there are {k} studies")
        bad = np.flatnonzero(~np.isfinite(c))
        if bad.size:
            raise ValueError(f"moderator {nm!r} has a non-finite value at index {bad[0]}; drop the study or impute")
    if intercept:
        cols.insert(0, np.ones(k))
        names.insert(0, "intercept")
    if not cols:
        raise ValueError("the model has no coefficients; use intercept=True or give moderators")
    return np.column_stack(cols), names


def regression(yi, vi, *, moderators=None, method: str = "REML", ci: str = "wald",
               intercept: bool = True, level: float = 0.95, hksj_truncate: bool = False,
               X=None) -> RegressionResult:
    """Meta-regression (mixed-effects model; metafor ``rma(yi, vi, mods=...)``).

    Parameters
    ----------
    yi, vi : array_like
    moderators : 1-D array, 2-D array (k x m) or dict name -> 1-D array
        Moderator columns; an intercept is added unless ``intercept=False``.
        ``X`` (alias) may be given instead.
    method, ci, level, hksj_truncate : as :func:`pool`.

    Returns
    -------
    RegressionResult
        coef, se, statistic, pvalue, CIs, QM (omnibus test of the moderators, chi2
        or F with ``ci="hksj"``), QE (residual heterogeneity), residual tau2,
        I2, H2 and R2 (metafor's pseudo-R2, percent: proportional reduction of
        tau2 from the intercept-only model of the same method, clamped at 0).
        See :mod:`evidence_lib.meta._regression_fit` for the equations
        (Viechtbauer 2005; Knapp & Hartung 2003; Raudenbush 2009).

    Raises
    ------
    ValueError
        More coefficients than studies - 1, collinear moderators, bad input.

    References
    ----------
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
    Knapp G, Hartung J (2003). Improved tests for a random effects meta-regression with a
    single covariate. Statistics in Medicine 22(17), 2693-2710.
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3), 1-48.
    """
    y, v, _ = _check_1d(yi, vi)
    if X is not None:
        if moderators is not None:
            raise ValueError("give either moderators or X, not both")
        moderators = X
    Xm, names = _design(moderators, y.shape[0], intercept)
    return fit_regression(y, v, Xm, names, _norm_method(method), ci, level, hksj_truncate, intercept)



def subgroups(yi, vi, groups, *, method: str = "REML", ci: str = "wald", level: float = 0.95,
              pi: str = "z", i2: str = "model", hksj_truncate: bool = False) -> SubgroupResult:
    """Subgroup analysis: pooled result per group and tests for subgroup differences.

    Groups are sorted (as R sorts factor levels); the first is the reference
    level of the moderator model.  ``level``, ``pi``, ``i2``, ``hksj_truncate``:
    as :func:`evidence_lib.meta.pool` (keyword-only).  Both the metafor moderator test (QM) and the
    Cochrane Q-between (separate tau2 per group) are returned; they differ
    because the first assumes one tau2 common to all groups.

    Parameters
    ----------
    yi, vi : array_like
        Estimates and sampling variances, one per study.
    groups : array_like
        Group label of each study (no missing labels).
    method : str
        tau2 estimator, as in :func:`evidence_lib.meta.pool`.
    ci : {"wald", "hksj"}
        Interval within each group; a group of one study uses ``"wald"``.

    Returns
    -------
    SubgroupResult
        Per-group :class:`MetaResult`, the moderator test QM and Cochran's Q-between.

    Raises
    ------
    ValueError
        If ``groups`` has the wrong length or a missing label, or there are fewer than two
        groups; as :func:`evidence_lib.meta.pool` for the data and options.

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3), 1-48.
    Higgins JPT, Thomas J, Chandler J, et al. (eds) (2019). Cochrane Handbook for Systematic
    Reviews of Interventions, 2nd ed. Wiley.
    """
    y, v, _ = _check_1d(yi, vi)
    g = np.asarray(groups, dtype=object)
    if g.shape[0] != y.shape[0]:
        raise ValueError(f"groups has {g.shape[0]} entries but yi has {y.shape[0]}; one group per study")
    missing = [i for i, x in enumerate(g.tolist()) if x is None or (isinstance(x, float) and np.isnan(x))]
    if missing:
        raise ValueError(f"groups has a missing label (None/NaN) at index {missing[0]}; give every study a "
                         "group or drop the studies without one")
    levels = sorted(set(g.tolist()), key=lambda x: str(x))
    if len(levels) < 2:
        raise ValueError("subgroups needs at least 2 distinct groups")
    method = _norm_method(method)
    results = {}
    for lv in levels:
        sel = g == lv
        results[lv] = pool(y[sel], v[sel], method=method, ci=ci if sel.sum() > 1 else "wald", level=level, pi=pi,
                           i2=i2, hksj_truncate=hksj_truncate)
    X = np.column_stack([(g == lv).astype(float) for lv in levels[1:]])
    names = ["intercept"] + [f"group[{lv}]" for lv in levels[1:]]
    reg = fit_regression(y, v, np.column_stack([np.ones(y.shape[0]), X]), names, method, ci, level)
    est = np.array([r.estimate for r in results.values()])
    se = np.array([r.se for r in results.values()])
    w = 1 / se**2
    mbar = np.sum(w * est) / np.sum(w)
    qb = float(np.sum(w * (est - mbar) ** 2))
    dfb = len(levels) - 1
    return SubgroupResult(
        groups=tuple(levels), results=results, qm=reg.qm, qm_df=reg.qm_df, qm_pvalue=reg.qm_pvalue,
        tau2_common=reg.tau2, q_between=qb, q_between_df=dfb,
        q_between_pvalue=float(sp.chdtrc(dfb, qb)), method=method, regression=reg,
    )

