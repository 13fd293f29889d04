"""Inverse-variance pooling: one meta-analysis (:func:`pool`), many at once
(:func:`pool_many`), and a DataFrame front end (:func:`meta_frame`)."""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np

from . import _core as core
from ._validate import K1_NOTE, _check_1d, _norm_method
from .results import _FIELDS, BatchMetaResult, MetaResult, _batch_result


class NarrowHartungKnappWarning(UserWarning):
    """The untruncated Hartung-Knapp CI is narrower than the Wald CI (scale factor q < 1)."""


def _warn_narrow_hk(k, q_scale, method):
    warnings.warn(
        f"the Hartung-Knapp CI is narrower than the Wald CI (scale factor q = {q_scale:.6g} < 1, "
        f"k = {k}, method={method!r}); with few studies and little heterogeneity this interval is "
        "too narrow. Use hksj_truncate=True (the ad hoc correction q* = max(1, q); Roever, Knapp & "
        "Friede 2015) or ci='wald'",
        NarrowHartungKnappWarning, stacklevel=3)


def pool(yi, vi, *, method: str = "REML", ci: str = "wald", level: float = 0.95, pi: str = "z",
         i2: str = "model", labels: Sequence | None = None, hksj_truncate: bool = False,
         tol: float = 1e-12) -> MetaResult:
    """Inverse-variance meta-analysis of estimates ``yi`` with sampling variances ``vi``.

    Parameters
    ----------
    yi, vi : array_like
        Study estimates (log scale for ratios) and sampling variances (se**2).
    method : {"FE", "DL", "REML", "PM", "ML"}
        ``FE``: fixed (common) effect, tau2 = 0.  ``DL``: DerSimonian & Laird
        (1986) moment estimator, clamped at 0.  ``REML`` / ``ML``: restricted /
        full maximum likelihood by Fisher scoring (Viechtbauer 2005), never
        below 0, started at the best point of a likelihood grid (or Hedges'
        estimate, metafor's start) and checked for a higher peak elsewhere
        (the global maximum; metafor checks only tau2 = 0).
        ``PM``: Paule & Mandel (1982), the tau2 with generalised Q = k - 1 (0
        if Q(0) < k - 1).
    ci : {"wald", "hksj"}
        ``wald``: z test and normal CI, se = sqrt(1 / sum w).  ``hksj``:
        Hartung & Knapp (2001) / Sidik & Jonkman (2002): se^2 multiplied by
        q = sum w_i (y_i - mu)^2 / (k - 1), t distribution on k - 1 df, as
        metafor's ``test="knha"`` (q is *not* truncated at 1 unless
        ``hksj_truncate=True``, metafor's ``test="adhoc"``).  Needs k >= 2.
    level : float
        Confidence level for the CI and the prediction interval.
    pi : {"z", "t_k2"}
        Prediction interval mu +/- c sqrt(se^2 + tau2).  ``z`` (metafor's
        ``predict`` default): c is the normal quantile, or the t_{k-1}
        quantile with ``ci="hksj"``.  ``t_k2``: c = t_{k-2} quantile
        (Higgins, Thompson & Spiegelhalter 2009; metafor
        ``pi.type="riley"``; df floored at 1).
    i2 : {"model", "q"}
        ``model`` (metafor): I2 = 100 tau2 / (tau2 + s2), H2 = (tau2 + s2)/s2,
        with the typical within-study variance
        s2 = (k-1) sum w / ((sum w)^2 - sum w^2), w = 1/v (Higgins & Thompson
        2002, eq. 9).  ``q`` (Cochrane): I2 = max(0, 100 (Q - df)/Q) (clamped
        at 0), H2 = Q/df.  For ``method="FE"`` metafor uses the Q-based
        version, and so do we.
    labels : sequence of str, optional
        Study labels (default "study 1", ...).
    hksj_truncate : bool
        Use q* = max(1, q) as the Hartung-Knapp scale factor (the ad hoc
        correction, Roever, Knapp & Friede 2015; metafor ``test="adhoc"``).
        When to use it: with few studies (say k < 10) and little
        heterogeneity, q is often below 1 and the untruncated interval is
        narrower than even the fixed-effect Wald interval (e.g. 4 trials with
        tau2 = 0: five times narrower); the truncation keeps the HK interval
        at least as wide as Wald's.  ``pi="t_k2"`` (Higgins, Thompson &
        Spiegelhalter 2009) is the matching choice for the prediction interval
        when k is small, since it reflects the uncertainty in tau2.
    tol : float
        Convergence tolerance on tau2 (REML/ML/PM), relative for tau2 > 1.

    Returns
    -------
    MetaResult
        ``k = 1``: the single study is returned with tau2 = 0, Q = 0,
        p(Q) = 1, I2 = 0, H2 = 1 (as metafor) and a ``note``.

    Raises
    ------
    ValueError
        Mismatched lengths, non-finite estimates, non-positive or non-finite
        variances, unknown ``method``/``ci``/``pi``/``i2``, ``ci="hksj"`` with
        k = 1.

    Notes
    -----
    Clamping: DL and PM tau2 are clamped at 0, the Q-based I2 at 0.
    DerSimonian R, Laird N (1986) Control Clin Trials 7:177-188.
    Viechtbauer W (2005) J Educ Behav Stat 30:261-293.
    Paule RC, Mandel J (1982) J Res Natl Bur Stand 87:377-385.
    Hartung J, Knapp G (2001) Stat Med 20:3875-3889.
    Higgins JPT, Thompson SG (2002) Stat Med 21:1539-1558.
    Viechtbauer W (2007) Stat Med 26:37-52 (Q-profile CI, ``tau2_ci``).

    References
    ----------
    DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Controlled Clinical Trials 7(3), 177-188.
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293. (eqs. 9-12)
    Paule RC, Mandel J (1982). Consensus values and weighting factors. Journal of Research of
    the National Bureau of Standards 87(5), 377-385.
    Morris CN (1983). Parametric empirical Bayes inference: theory and applications. Journal of
    the American Statistical Association 78(381), 47-55.
    Sidik K, Jonkman JN (2005). Simple heterogeneity variance estimation for meta-analysis.
    Journal of the Royal Statistical Society, Series C 54(2), 367-384.
    Hedges LV, Olkin I (1985). Statistical Methods for Meta-Analysis. Academic Press.
    Hartung J, Knapp G (2001). Statistics in Medicine.
    Sidik K, Jonkman JN (2002). A simple confidence interval for meta-analysis. Statistics in
    Medicine 21(21), 3153-3159.
    Higgins JPT, Thompson SG, Spiegelhalter DJ (2009). Journal of the Royal Statistical Society,
    Series A.
    Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in
    meta-analysis. Statistics in Medicine 26(1), 37-52.
    """
    y, v, lab = _check_1d(yi, vi, labels)
    k = y.shape[0]
    method = _norm_method(method)
    if ci == "hksj" and k == 1:
        raise ValueError("ci='hksj' needs at least 2 studies (k = 1); use ci='wald'")
    out = core.fit(y[None], v[None], np.array([k]), method, ci, level, pi, i2, hksj_truncate, tol)
    if ci == "hksj" and not hksj_truncate and k > 1 and out["hk_scale"][0] == 0:
        raise ValueError("ci='hksj' with identical estimates (yi all equal): the Hartung-Knapp scale "
                         "factor is 0, giving a CI of zero width and p = 0; use ci='wald' or "
                         "hksj_truncate=True")
    if ci == "hksj" and not hksj_truncate and k > 1 and out["hk_scale"][0] < 1:
        _warn_narrow_hk(k, float(out["hk_scale"][0]), method)
    vals = {f: out[f][0] for f in _FIELDS}
    vals = {f: (int(x) if f == "k" else float(x)) for f, x in vals.items()}
    return MetaResult(**vals, method=method, ci_method=ci, weights=out["weights"][0], yi=y, vi=v,
                      labels=lab, level=level, pi_method=pi, i2_method=i2,
                      note=K1_NOTE if k == 1 else "")


def pool_many(Y, V, *, method: str = "REML", ci: str = "wald", level: float = 0.95, pi: str = "z",
              i2: str = "model", labels: Sequence | None = None, hksj_truncate: bool = False,
              tol: float = 1e-12) -> BatchMetaResult:
    """Many meta-analyses at once (vectorised over rows).

    ``Y``, ``V``: arrays of shape (n_analyses, max_k); NaN (in both) pads
    analyses with fewer studies.  Same options and estimators as :func:`pool`
    (every row gives the same result as ``pool`` on that row, to ~1e-12).
    Rows with k = 1 are the single study (with ``ci="hksj"`` they fall back to
    the z test, as metafor does).

    Parameters
    ----------
    Y, V : array_like, shape (n_analyses, max_k)
        Estimates and sampling variances, NaN-padded.
    method, ci, level, pi, i2, hksj_truncate, tol
        As in :func:`pool`.
    labels : sequence, optional
        One label per analysis (row).

    Returns
    -------
    BatchMetaResult
        One row per analysis.

    Raises
    ------
    ValueError
        As :func:`pool`, and if ``labels`` does not have one entry per row or ``Y`` and ``V``
        differ in shape or NaN pattern.

    References
    ----------
    DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Controlled Clinical Trials 7(3), 177-188.
    Hartung J, Knapp G (2001). Statistics in Medicine.
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3), 1-48.
    """
    Yp, Vp, k = core.as_batch(Y, V)
    method = _norm_method(method)
    out = core.fit(Yp, Vp, k, method, ci, level, pi, i2, hksj_truncate, tol)
    Yn = np.asarray(Y, dtype=float).reshape(Yp.shape)
    Vn = np.asarray(V, dtype=float).reshape(Vp.shape)
    if labels is not None and len(labels) != Yp.shape[0]:
        raise ValueError(f"labels has {len(labels)} entries but there are {Yp.shape[0]} analyses")
    return _batch_result(out, method, ci, Yn, Vn, labels or (), level, pi, i2)



def meta_frame(df, *, yi: str = "yi", vi: str = "vi", label: str | None = None, method: str = "REML",
               ci: str = "wald", level: float = 0.95, pi: str = "z", i2: str = "model",
               hksj_truncate: bool = False, tol: float = 1e-12) -> MetaResult:
    """:func:`pool` on DataFrame columns ``yi``, ``vi`` (and ``label`` for study labels).

    Parameters
    ----------
    df : pandas.DataFrame
    yi, vi, label : str
        Column names of the estimates, variances and (optional) study labels.
    method, ci, level, pi, i2, hksj_truncate, tol
        As :func:`pool`.

    Returns
    -------
    MetaResult

    Raises
    ------
    ValueError
        A named column is missing, bad input.

    References
    ----------
    As :func:`pool`; Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3), 1-48.
    """
    for arg, col in (("yi", yi), ("vi", vi)) + ((("label", label),) if label else ()):
        if col not in df.columns:
            raise ValueError(f"{arg}={col!r} is not a column of the DataFrame; columns: {list(df.columns)}")
    labels = df[label].astype(str).tolist() if label else None
    return pool(df[yi].to_numpy(dtype=float), df[vi].to_numpy(dtype=float), method=method, ci=ci,
                labels=labels, level=level, pi=pi, i2=i2, hksj_truncate=hksj_truncate, tol=tol)
