"""Meta-analysis: the public API the notebooks call.

Inverse-variance pooling (fixed and random effects), Mantel-Haenszel pooling,
many meta-analyses at once, sensitivity analyses (leave-one-out, cumulative,
GOSH), subgroups, meta-regression and (re-exported from
:mod:`evidence_lib.bias`) small-study bias tests.  The reference
implementation is R's metafor (Viechtbauer 2010); the test-suite compares
against values written by ``tests/reference/metafor_reference.R``.

Module layout: :mod:`evidence_lib.effect_sizes` (escalc), this module
(public pooling API and result types), :mod:`evidence_lib.meta_core`
(vectorised estimators over many analyses), :mod:`evidence_lib.meta_regression`
(moderators), :mod:`evidence_lib.bias` (Egger, trim-and-fill).
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
``rma(yi, vi, method="FE"|"DL"|"PM"|"ML")``            ``pool(yi, vi, method="FE"|"DL"|"PM"|"ML")``
``rma(yi, vi, method="REML", test="knha")``            ``pool(yi, vi, method="REML", ci="hksj")``
``rma(yi, vi, test="adhoc")``                          ``pool(yi, vi, ci="hksj", hksj_truncate=True)``
``rma(..., level=90)``                                 ``pool(..., level=0.90)``
``predict(res)$pi.lb, $pi.ub``                         ``res.pi_low, res.pi_high`` (``pi="z"``, default)
``predict(res, pi.type="riley")``                      ``pool(..., pi="t_k2")`` (t on k-2 df, Higgins 2009)
``confint(res)$random["tau^2", ]``                     ``res.tau2_ci`` (Q-profile, Viechtbauer 2007)
``res$I2``, ``res$H2``                                 ``res.i2``, ``res.h2`` (``i2="model"``); ``i2="q"``: Cochrane
``res$QE, res$QEp``                                    ``res.q, res.q_pvalue``
``weights(res)``                                       ``res.weights`` (percent)
``rma.mh(measure="OR"|"RR"|"RD", ai, bi, ci, di)``     ``pool_mh(ai, bi, ci, di, measure=...)``
``leave1out(res)``                                     ``leave_one_out(yi, vi, method=..., ci=...)``
``cumul(res)``                                         ``cumulative(yi, vi, ...)`` (in the given order)
``rma(yi, vi, mods=~x)``                               ``regression(yi, vi, {"x": x})``
``rma(yi, vi, mods=~factor(g))`` (QM)                  ``subgroups(yi, vi, g).qm`` (+ ``.q_between``, Cochrane)
``regtest(res)`` / ``regtest(res, model="lm")``        ``egger_test(yi, vi, model="rma"|"lm")``
``trimfill(res)``                                      ``trim_and_fill(yi, vi, method=...)``
``gosh(res)``                                          ``gosh(yi, vi, method=...)``
``control=list(threshold=, tol=)``                     ``tol=`` (default 1e-12, tighter than metafor's 1e-5)
=====================================================  ==========================================================

Clamping (said once, applies everywhere): tau2 from DL and PM is clamped at
0 (DL: max(0, .); PM: 0 when Q(0) < k - 1); REML/ML Fisher scoring never
steps below 0; the Q-based I2 is clamped at 0.  The model-based I2 is >= 0 by
construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Sequence

import numpy as np
from scipy import special as sp

from . import meta_core as core
from .meta_regression import RegressionResult, fit_regression

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
]

K1_NOTE = "k = 1: the pooled estimate is the single study; heterogeneity is not estimable"

_FIELDS = (
    "estimate", "se", "z_or_t", "pvalue", "ci_low", "ci_high", "pi_low", "pi_high",
    "tau2", "tau2_se", "i2", "h2", "q", "q_df", "q_pvalue", "k", "df",
)


# --------------------------------------------------------------------------- validation
def _check_1d(yi, vi, labels=None):
    y = np.atleast_1d(np.asarray(yi, dtype=float))
    v = np.atleast_1d(np.asarray(vi, dtype=float))
    if y.ndim != 1 or v.ndim != 1:
        raise ValueError(f"yi and vi must be one-dimensional; got shapes {y.shape} and {v.shape}")
    if y.shape[0] != v.shape[0]:
        raise ValueError(
            f"yi has {y.shape[0]} values but vi has {v.shape[0]}; pass one variance per estimate"
        )
    if y.shape[0] == 0:
        raise ValueError("yi is empty; at least one study is needed")
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise ValueError(f"yi has a non-finite value ({y[bad[0]]}) at index {bad[0]}; remove the study or fix the value")
    bad = np.flatnonzero(~np.isfinite(v) | (v <= 0))
    if bad.size:
        raise ValueError(
            f"vi must be positive and finite; index {bad[0]} has {v[bad[0]]}. Pass sampling "
            "variances (se**2), not standard errors; drop studies without one"
        )
    if labels is None:
        lab = None  # generated on demand ("study 1", ...): no per-study Python work here
    else:
        lab = tuple(str(x) for x in labels)
        if len(lab) != y.shape[0]:
            raise ValueError(f"labels has {len(lab)} entries but yi has {y.shape[0]}; pass one label per study")
    return y, v, lab


def _default_labels(k, prefix="study "):
    return tuple(np.char.add(prefix, np.arange(1, k + 1).astype(str)).tolist())


# --------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class MetaResult:
    """One pooled meta-analysis (inverse-variance, fixed or random effects).

    Attributes follow metafor's ``rma.uni`` object: ``estimate`` (beta),
    ``se``, ``z_or_t`` (zval), ``pvalue``, ``ci_low``/``ci_high``,
    ``pi_low``/``pi_high`` (``predict``), ``tau2``, ``tau2_se`` (se.tau2; NaN
    for FE and k = 1), ``i2``/``h2`` (percent / ratio), ``q``/``q_df``/
    ``q_pvalue`` (QE test with fixed-effect weights), ``k``, ``df`` (t degrees
    of freedom; inf for z), ``weights`` (percent), ``yi``, ``vi``, ``labels``.
    ``tau2_ci`` (Q-profile, computed on first access) is a (low, high) tuple.
    ``labels`` is None when none were given; ``study_labels`` then gives
    "study 1", "study 2", ...
    """

    estimate: float
    se: float
    z_or_t: float
    pvalue: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    tau2: float
    tau2_se: float
    i2: float
    h2: float
    q: float
    q_df: float
    q_pvalue: float
    k: int
    df: float
    method: str
    ci_method: str
    weights: np.ndarray
    yi: np.ndarray
    vi: np.ndarray
    labels: tuple | None = None
    level: float = 0.95
    pi_method: str = "z"
    i2_method: str = "model"
    note: str = ""

    @property
    def study_labels(self) -> tuple:
        return self.labels if self.labels is not None else _default_labels(self.k)

    @property
    def tau(self) -> float:
        return float(np.sqrt(self.tau2))

    @cached_property
    def tau2_ci(self) -> tuple:
        """Q-profile CI for tau2 (Viechtbauer 2007); (nan, nan) for FE or k = 1.

        Capped at max(100, 10 tau2) like metafor's ``confint``."""
        if self.k < 2 or self.method == "FE":
            return (np.nan, np.nan)
        lb, ub = core.qprofile_ci(self.yi[None], self.vi[None], np.array([self.k]),
                                  np.array([self.tau2]), self.level)
        return (float(lb[0]), float(ub[0]))

    def to_frame(self):
        """One row per study (label, yi, vi, ci_low, ci_high, weight_percent) and a pooled row."""
        import pandas as pd

        z = sp.ndtri(0.5 + self.level / 2)
        se = np.sqrt(self.vi)
        df = pd.DataFrame({
            "label": list(self.study_labels), "yi": self.yi, "vi": self.vi,
            "ci_low": self.yi - z * se, "ci_high": self.yi + z * se,
            "weight_percent": self.weights,
        })
        pooled = pd.DataFrame({
            "label": [f"pooled ({self.method}{', HKSJ' if self.ci_method == 'hksj' else ''})"],
            "yi": [self.estimate], "vi": [self.se**2], "ci_low": [self.ci_low],
            "ci_high": [self.ci_high], "weight_percent": [100.0],
        })
        return pd.concat([df, pooled], ignore_index=True)

    def summary(self) -> str:
        lv = int(round(self.level * 100))
        s = (f"{self.method} (k={self.k}): {self.estimate:.4f} [{lv}% CI {self.ci_low:.4f}, "
             f"{self.ci_high:.4f}], p={self.pvalue:.3g}; tau2={self.tau2:.4f}, I2={self.i2:.1f}%, "
             f"Q={self.q:.2f} (df={self.q_df:g}, p={self.q_pvalue:.3g})")
        return s + (f"; {self.note}" if self.note else "")


@dataclass(frozen=True, eq=False)
class BatchMetaResult:
    """Many meta-analyses: every field is an array with one entry per analysis (row).

    ``weights`` is (n, K) in percent (0 where padded).  ``row(i)`` gives a
    :class:`MetaResult`.  ``tau2_ci`` is computed on first access.
    """

    estimate: np.ndarray
    se: np.ndarray
    z_or_t: np.ndarray
    pvalue: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    pi_low: np.ndarray
    pi_high: np.ndarray
    tau2: np.ndarray
    tau2_se: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    q: np.ndarray
    q_df: np.ndarray
    q_pvalue: np.ndarray
    k: np.ndarray
    df: np.ndarray
    weights: np.ndarray
    method: str
    ci_method: str
    Y: np.ndarray = field(repr=False)
    V: np.ndarray = field(repr=False)
    labels: tuple = ()
    level: float = 0.95
    pi_method: str = "z"
    i2_method: str = "model"

    def __len__(self) -> int:
        return self.estimate.shape[0]

    @cached_property
    def tau2_ci(self) -> tuple:
        """(low, high) arrays of Q-profile CIs for tau2 (NaN for FE / k = 1)."""
        Yp = np.where(np.isnan(self.Y), 0.0, self.Y)
        Vp = np.where(np.isnan(self.V), np.inf, self.V)
        lb, ub = core.qprofile_ci(Yp, Vp, self.k, self.tau2, self.level)
        if self.method == "FE":
            lb = np.full_like(lb, np.nan)
            ub = np.full_like(ub, np.nan)
        return lb, ub

    def row(self, i: int) -> MetaResult:
        ok = ~np.isnan(self.Y[i])
        vals = {f: getattr(self, f)[i] for f in _FIELDS}
        vals = {f: (int(x) if f == "k" else float(x)) for f, x in vals.items()}
        yi, vi = self.Y[i][ok], self.V[i][ok]
        return MetaResult(
            **vals, method=self.method, ci_method=self.ci_method, weights=self.weights[i][ok],
            yi=yi, vi=vi, labels=None,
            level=self.level, pi_method=self.pi_method, i2_method=self.i2_method,
            note=K1_NOTE if vals["k"] == 1 else "",
        )

    def to_frame(self):
        """One row per analysis with the scalar fields (and labels if any)."""
        import pandas as pd

        d = {f: getattr(self, f) for f in _FIELDS}
        df = pd.DataFrame(d)
        if self.labels:
            df.insert(0, "label", list(self.labels))
        return df


def _batch_result(out, method, ci, Y, V, labels=(), level=0.95, pi="z", i2="model"):
    return BatchMetaResult(
        **{f: out[f] for f in _FIELDS}, weights=out["weights"], method=method, ci_method=ci,
        Y=Y, V=V, labels=tuple(labels), level=level, pi_method=pi, i2_method=i2,
    )


# --------------------------------------------------------------------------- pool
def pool(yi, vi, method: str = "REML", ci: str = "wald", *, level: float = 0.95, pi: str = "z",
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
        full maximum likelihood by Fisher scoring (Viechtbauer 2005), with
        metafor's starting value (Hedges) and step-halving; never below 0.
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
        Use max(1, q) as the Hartung-Knapp scale factor.
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
    """
    y, v, lab = _check_1d(yi, vi, labels)
    k = y.shape[0]
    method = _norm_method(method)
    if ci == "hksj" and k == 1:
        raise ValueError("ci='hksj' needs at least 2 studies (k = 1); use ci='wald'")
    out = core.fit(y[None], v[None], np.array([k]), method, ci, level, pi, i2, hksj_truncate, tol)
    vals = {f: out[f][0] for f in _FIELDS}
    vals = {f: (int(x) if f == "k" else float(x)) for f, x in vals.items()}
    return MetaResult(**vals, method=method, ci_method=ci, weights=out["weights"][0], yi=y, vi=v,
                      labels=lab, level=level, pi_method=pi, i2_method=i2,
                      note=K1_NOTE if k == 1 else "")


def _norm_method(method):
    m = str(method).upper()
    if m in ("EE", "CE"):
        m = "FE"
    if m not in core.METHODS:
        raise ValueError(f"method must be one of {core.METHODS}; got {method!r}")
    return m


def pool_many(Y, V, method: str = "REML", ci: str = "wald", *, level: float = 0.95, pi: str = "z",
              i2: str = "model", labels: Sequence | None = None, hksj_truncate: bool = False,
              tol: float = 1e-12) -> BatchMetaResult:
    """Many meta-analyses at once (vectorised over rows).

    ``Y``, ``V``: arrays of shape (n_analyses, max_k); NaN (in both) pads
    analyses with fewer studies.  Same options and estimators as :func:`pool`
    (every row gives the same result as ``pool`` on that row, to ~1e-12).
    Rows with k = 1 are the single study (with ``ci="hksj"`` they fall back to
    the z test, as metafor does).
    """
    Yp, Vp, k = core.as_batch(Y, V)
    method = _norm_method(method)
    out = core.fit(Yp, Vp, k, method, ci, level, pi, i2, hksj_truncate, tol)
    Yn = np.asarray(Y, dtype=float).reshape(Yp.shape)
    Vn = np.asarray(V, dtype=float).reshape(Vp.shape)
    if labels is not None and len(labels) != Yp.shape[0]:
        raise ValueError(f"labels has {len(labels)} entries but there are {Yp.shape[0]} analyses")
    return _batch_result(out, method, ci, Yn, Vn, labels or (), level, pi, i2)


# --------------------------------------------------------------------------- sensitivity
def leave_one_out(yi, vi, method: str = "REML", ci: str = "wald", *, labels=None, **kw) -> BatchMetaResult:
    """Leave-one-out analysis (metafor ``leave1out``): row i omits study i.

    All k fits are done at once with the batched core (row i has study i
    padded out).  ``labels`` of the result name the omitted study.  Needs k >= 2.
    """
    y, v, lab = _check_1d(yi, vi, labels)
    k = y.shape[0]
    if k < 2:
        raise ValueError("leave_one_out needs at least 2 studies")
    Y = np.broadcast_to(y, (k, k)).copy()
    V = np.broadcast_to(v, (k, k)).copy()
    np.fill_diagonal(Y, 0.0)
    np.fill_diagonal(V, np.inf)
    kk = np.full(k, k - 1)
    method = _norm_method(method)
    out = core.fit(Y, V, kk, method, ci, kw.get("level", 0.95), kw.get("pi", "z"),
                   kw.get("i2", "model"), kw.get("hksj_truncate", False), kw.get("tol", 1e-12))
    np.fill_diagonal(Y, np.nan)
    np.fill_diagonal(V, np.nan)
    lab = _default_labels(k) if lab is None else lab
    return _batch_result(out, method, ci, Y, V, tuple(np.char.add("omitting ", np.array(lab, dtype=str)).tolist()),
                         kw.get("level", 0.95), kw.get("pi", "z"), kw.get("i2", "model"))


def cumulative(yi, vi, method: str = "REML", ci: str = "wald", *, labels=None, order=None,
               **kw) -> BatchMetaResult:
    """Cumulative meta-analysis (metafor ``cumul``): row j pools studies 1..j.

    Studies are added in the given order (or ``order``, an index array, e.g.
    ``np.argsort(year)``).  Row 0 has k = 1 (the first study; with
    ``ci="hksj"`` it uses z, as metafor).  ``labels`` name the added study.
    """
    y, v, lab = _check_1d(yi, vi, labels)
    if order is not None:
        order = np.asarray(order)
        y, v = y[order], v[order]
        lab = None if lab is None else tuple(np.array(lab, dtype=object)[order].tolist())
    k = y.shape[0]
    tri = np.tril(np.ones((k, k), bool))
    Y = np.where(tri, y, 0.0)
    V = np.where(tri, v, np.inf)
    kk = np.arange(1, k + 1)
    method = _norm_method(method)
    out = core.fit(Y, V, kk, method, ci, kw.get("level", 0.95), kw.get("pi", "z"),
                   kw.get("i2", "model"), kw.get("hksj_truncate", False), kw.get("tol", 1e-12))
    return _batch_result(out, method, ci, np.where(tri, y, np.nan), np.where(tri, v, np.nan),
                         tuple(np.char.add("+ ", np.array(_default_labels(k) if lab is None else lab,
                                                         dtype=str)).tolist()),
                         kw.get("level", 0.95), kw.get("pi", "z"),
                         kw.get("i2", "model"))


@dataclass(frozen=True, eq=False)
class GoshResult:
    """GOSH (Olkin, Dahabreh & Trikalinos 2012): a fit for every non-empty subset.

    ``mask[j]`` is the subset as a bit mask (bit i = study i included);
    ``include`` is the boolean (n_subsets, k) matrix.  Subsets are ordered as
    metafor's ``gosh`` (mask = 1, 2, ..., 2^k - 1)."""

    mask: np.ndarray
    k_subset: np.ndarray
    estimate: np.ndarray
    tau2: np.ndarray
    q: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    method: str
    k: int

    @property
    def include(self) -> np.ndarray:
        return ((self.mask[:, None] >> np.arange(self.k)) & 1).astype(bool)

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({"mask": self.mask, "k": self.k_subset, "estimate": self.estimate,
                             "tau2": self.tau2, "q": self.q, "i2": self.i2, "h2": self.h2})


def gosh(yi, vi, method: str = "DL", *, chunk: int = 1 << 16) -> GoshResult:
    """Fit all 2^k - 1 subsets (k <= 20), vectorised in chunks of rows.

    Uses the batched core (each subset is a row; excluded studies padded
    out).  ``method`` any of FE, DL, REML, PM, ML (FE and DL are fast).
    Subsets with one study have tau2 = 0, Q = 0, I2 = 0, H2 = 1.

    I2/H2 follow metafor's ``gosh``: for FE and DL they are Q-based,
    I2 = max(0, 100 (Q - df)/Q), H2 = Q/df (for DL this equals the
    model-based I2 whenever tau2 > 0, but H2 = Q/df < 1 when tau2 is clamped
    at 0, where :func:`pool` reports H2 = 1); for REML/ML/PM model-based.
    """
    y, v, _ = _check_1d(yi, vi)
    k = y.shape[0]
    if k > 20:
        raise ValueError(f"gosh enumerates 2^k - 1 subsets; k = {k} > 20 is too many (sample subsets instead)")
    method = _norm_method(method)
    n = (1 << k) - 1
    masks = np.arange(1, n + 1, dtype=np.int64)
    bits = np.arange(k)
    res = {f: np.empty(n) for f in ("estimate", "tau2", "q", "i2", "h2")}
    ks = np.empty(n, dtype=np.int64)
    for s in range(0, n, chunk):
        m = masks[s:s + chunk]
        inc = ((m[:, None] >> bits) & 1).astype(bool)
        Y = np.where(inc, y, 0.0)
        V = np.where(inc, v, np.inf)
        kk = inc.sum(axis=1)
        fe = core.fe_stats(Y, V, kk)
        tau2, _ = core.estimate_tau2(Y, V, kk, method, fe)
        W = 1.0 / (V + tau2[:, None])
        S1 = W.sum(axis=1)
        est = np.einsum("ij,ij->i", W, Y) / S1
        one = kk == 1
        dfq = (kk - 1).astype(float)
        Q = np.where(one, 0.0, fe["Q"])
        with np.errstate(divide="ignore", invalid="ignore"):
            if method in ("FE", "DL"):  # metafor's gosh fast path: Q-based I2/H2
                i2 = np.maximum(0.0, 100 * (Q - dfq) / Q)
                i2 = np.where(np.isnan(i2), 0.0, i2)
                h2 = Q / dfq
            else:
                vt = dfq / fe["trP"]
                i2 = np.where(tau2 == 0, 0.0, 100 * tau2 / (vt + tau2))
                h2 = np.where(tau2 == 0, 1.0, tau2 / vt + 1)
        i2 = np.where(one, 0.0, i2)
        h2 = np.where(one, 1.0, h2)
        sl = slice(s, s + m.shape[0])
        res["estimate"][sl], res["tau2"][sl], res["q"][sl] = est, tau2, Q
        res["i2"][sl], res["h2"][sl] = i2, h2
        ks[sl] = kk
    return GoshResult(mask=masks, k_subset=ks, method=method, k=k, **res)


# --------------------------------------------------------------------------- subgroups / regression
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


def regression(yi, vi, moderators=None, method: str = "REML", ci: str = "wald", *,
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
        coef, se, z_or_t, pvalue, CIs, QM (omnibus test of the moderators, chi2
        or F with ``ci="hksj"``), QE (residual heterogeneity), residual tau2,
        I2, H2 and R2 (metafor's pseudo-R2, percent: proportional reduction of
        tau2 from the intercept-only model of the same method, clamped at 0).
        See :mod:`evidence_lib.meta_regression` for the equations
        (Viechtbauer 2005; Knapp & Hartung 2003; Raudenbush 2009).

    Raises
    ------
    ValueError
        More coefficients than studies - 1, collinear moderators, bad input.
    """
    y, v, _ = _check_1d(yi, vi)
    if X is not None:
        if moderators is not None:
            raise ValueError("give either moderators or X, not both")
        moderators = X
    Xm, names = _design(moderators, y.shape[0], intercept)
    return fit_regression(y, v, Xm, names, _norm_method(method), ci, level, hksj_truncate, intercept)


@dataclass(frozen=True, eq=False)
class SubgroupResult:
    """Per-group pooled results and two tests for subgroup differences.

    ``qm``/``qm_df``/``qm_pvalue``: metafor's approach - a mixed-effects model
    with the group as a categorical moderator (one common tau2), omnibus test of
    the group coefficients (chi2 on G-1 df; F with ``ci="hksj"``).
    ``q_between``/``q_between_df``/``q_between_pvalue``: Cochrane's (RevMan)
    approach - separate random-effects fits per group, then Q between =
    sum_g (mu_g - mu_bar)^2 / se_g^2 with the fixed-effect mean mu_bar of the
    group estimates, chi2 on G-1 df (Borenstein et al. 2009, ch. 19).
    """

    groups: tuple
    results: dict
    qm: float
    qm_df: tuple
    qm_pvalue: float
    tau2_common: float
    q_between: float
    q_between_df: int
    q_between_pvalue: float
    method: str
    regression: RegressionResult

    def to_frame(self):
        import pandas as pd

        rows = [{"group": g, "k": r.k, "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low,
                 "ci_high": r.ci_high, "tau2": r.tau2, "i2": r.i2, "note": r.note}
                for g, r in self.results.items()]
        return pd.DataFrame(rows)


def subgroups(yi, vi, groups, method: str = "REML", ci: str = "wald", *, level: float = 0.95,
              **kw) -> SubgroupResult:
    """Subgroup analysis: pooled result per group and tests for subgroup differences.

    Groups are sorted (as R sorts factor levels); the first is the reference
    level of the moderator model.  Both the metafor moderator test (QM) and the
    Cochrane Q-between (separate tau2 per group) are returned; they differ
    because the first assumes one tau2 common to all groups.
    """
    y, v, _ = _check_1d(yi, vi)
    g = np.asarray(groups, dtype=object)
    if g.shape[0] != y.shape[0]:
        raise ValueError(f"groups has {g.shape[0]} entries but yi has {y.shape[0]}; one group per study")
    levels = sorted(set(g.tolist()), key=lambda x: str(x))
    if len(levels) < 2:
        raise ValueError("subgroups needs at least 2 distinct groups")
    method = _norm_method(method)
    results = {}
    for lv in levels:
        sel = g == lv
        results[lv] = pool(y[sel], v[sel], method, ci if sel.sum() > 1 else "wald", level=level, **kw)
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


# --------------------------------------------------------------------------- Mantel-Haenszel
@dataclass(frozen=True, eq=False)
class MHResult:
    """Mantel-Haenszel pooled result (metafor ``rma.mh``); ``estimate`` on the log
    scale for OR/RR.  ``q``, ``i2``, ``h2``: Cochran's Q around the MH estimate
    with inverse-variance weights of the escalc outcomes (as metafor)."""

    estimate: float
    se: float
    z: float
    pvalue: float
    ci_low: float
    ci_high: float
    q: float
    q_df: int
    q_pvalue: float
    i2: float
    h2: float
    k: int
    measure: str
    yi: np.ndarray
    vi: np.ndarray

    @property
    def exp_estimate(self):
        """(estimate, ci_low, ci_high) back-transformed for OR / RR."""
        return tuple(np.exp([self.estimate, self.ci_low, self.ci_high]))


def pool_mh(ai, bi, ci, di, measure: str = "OR", *, level: float = 0.95, add_q: float = 0.5) -> MHResult:
    """Mantel-Haenszel fixed-effect pooling of 2x2 tables (metafor ``rma.mh``).

    ``ai, bi``: events / non-events in the treatment group, ``ci, di``: control.

    * OR: sum(a d / N) / sum(b c / N); variance of the log by Robins, Breslow
      & Greenland (1986).
    * RR: sum(a n2 / N) / sum(c n1 / N); Greenland & Robins (1985) variance.
    * RD: sum((a n2 - c n1)/N) / sum(n1 n2 / N); Greenland & Robins (1985) /
      Sato variance as in metafor.

    No continuity correction enters the MH estimate (metafor ``add[2] = 0``).
    Cochran's Q uses the study outcomes from escalc with ``add_q`` (default
    1/2, to="only0", as metafor's ``add[1]``), Q = sum (y_i - b)^2 / v_i
    around the MH estimate b; I2 = max(0, 100 (Q - df)/Q), H2 = Q/df.
    """
    from . import effect_sizes as es

    m = str(measure).upper()
    if m not in ("OR", "RR", "RD"):
        raise ValueError(f"measure must be 'OR', 'RR' or 'RD'; got {measure!r}")
    a = np.asarray(ai, float)
    b = np.asarray(bi, float)
    c = np.asarray(ci, float)
    d = np.asarray(di, float)
    k = a.shape[0]
    for x, nm in ((b, "bi"), (c, "ci"), (d, "di")):
        if x.shape != a.shape:
            raise ValueError(f"{nm} has {x.shape[0]} values but ai has {k}; one per study")
    for x, nm in ((a, "ai"), (b, "bi"), (c, "ci"), (d, "di")):
        bad = np.flatnonzero(~np.isfinite(x) | (x < 0))
        if bad.size:
            raise ValueError(f"{nm} must be non-negative counts; index {bad[0]} has {x[bad[0]]}")
    n1, n2 = a + b, c + d
    N = n1 + n2
    if m == "OR":
        R_i, S_i = a * d / N, b * c / N
        R, S = R_i.sum(), S_i.sum()
        if R == 0 or S == 0:
            raise ValueError("the MH odds ratio is 0 or infinite (all a*d or all b*c are 0)")
        P_i, Q_i = (a + d) / N, (b + c) / N
        est = np.log(R / S)
        se = np.sqrt(0.5 * (np.sum(P_i * R_i) / R**2 + np.sum(P_i * S_i + Q_i * R_i) / (R * S)
                            + np.sum(Q_i * S_i) / S**2))
    elif m == "RR":
        R, S = np.sum(a * n2 / N), np.sum(c * n1 / N)
        if R == 0 or S == 0:
            raise ValueError("the MH risk ratio is 0 or infinite (no events in one arm of every study)")
        est = np.log(R / S)
        se = np.sqrt(np.sum(n1 / N * n2 / N * (a + c) - a / N * c) / (R * S))
    else:
        den = np.sum(n1 * n2 / N)
        est = np.sum(a * n2 / N - c * n1 / N) / den
        se = np.sqrt((est * np.sum(c * (n1 / N) ** 2 - a * (n2 / N) ** 2 + (n1 / N) * (n2 / N) * (n2 - n1) / 2)
                      + np.sum(a * (n2 - c) / N + c * (n1 - a) / N) / 2) / den**2)
    z = est / se
    crit = sp.ndtri(0.5 + level / 2)
    eff = es.escalc(m, ai=a, bi=b, ci=c, di=d, add=add_q, to="only0")
    yi, vi = eff.yi, eff.vi
    if k > 1:
        q = max(0.0, float(np.sum((yi - est) ** 2 / vi)))
        qp = float(sp.chdtrc(k - 1, q))
        i2 = max(0.0, 100 * (q - (k - 1)) / q) if q > 0 else 0.0
        h2 = q / (k - 1)
    else:
        q, qp, i2, h2 = 0.0, 1.0, 0.0, 1.0
    return MHResult(est, se, z, float(2 * sp.ndtr(-abs(z))), est - crit * se, est + crit * se,
                    q, k - 1, qp, i2, h2, k, m, yi, vi)


# --------------------------------------------------------------------------- DataFrame
def meta_frame(df, yi: str = "yi", vi: str = "vi", label: str | None = None, method: str = "REML",
               ci: str = "wald", **kw) -> MetaResult:
    """:func:`pool` on DataFrame columns ``yi``, ``vi`` (and ``label`` for study labels)."""
    for arg, col in (("yi", yi), ("vi", vi)) + ((("label", label),) if label else ()):
        if col not in df.columns:
            raise ValueError(f"{arg}={col!r} is not a column of the DataFrame; columns: {list(df.columns)}")
    labels = df[label].astype(str).tolist() if label else None
    return pool(df[yi].to_numpy(dtype=float), df[vi].to_numpy(dtype=float), method, ci,
                labels=labels, **kw)


from .bias import EggerResult, TrimFillResult, egger_test, trim_and_fill  # noqa: E402
