"""Result objects of the meta-analysis engine: one frozen dataclass per kind of analysis.

Every result carries its inputs and offers ``to_frame()`` (and ``summary()`` where one
line makes sense); the statistics vocabulary is metafor's (``estimate``, ``se``,
``statistic``, ``pvalue``, ``ci_low``/``ci_high``, ``tau2``, ``i2``, ``h2``, ``q``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import special as sp

from . import _core as core
from ._regression_fit import RegressionResult
from ._validate import K1_NOTE, _default_labels

_FIELDS = (
    "estimate", "se", "statistic", "pvalue", "ci_low", "ci_high", "pi_low", "pi_high",
    "tau2", "tau2_se", "i2", "h2", "q", "q_df", "q_pvalue", "k", "df",
)



# --------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class MetaResult:
    """One pooled meta-analysis (inverse-variance, fixed or random effects).

    Attributes follow metafor's ``rma.uni`` object: ``estimate`` (beta),
    ``se``, ``statistic`` (zval), ``pvalue``, ``ci_low``/``ci_high``,
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
    statistic: float
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
        """The study labels given, or ``study 1``, ``study 2``, ... when none were."""
        return self.labels if self.labels is not None else _default_labels(self.k)

    @property
    def tau(self) -> float:
        """The heterogeneity standard deviation, sqrt(tau2)."""
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

    def _typical_v(self) -> float:
        w = 1 / self.vi
        return (self.k - 1) * w.sum() / (w.sum() ** 2 - (w * w).sum())

    @cached_property
    def i2_ci(self) -> tuple:
        """(low, high) CI for I2 in percent, from the Q-profile limits of tau2.

        As metafor's ``confint(res)$random["I^2(%)", ]``: I2 = 100 tau2 / (tau2 + s2)
        at each tau2 limit, s2 the typical within-study variance (Higgins &
        Thompson 2002, eq. 9).  (nan, nan) for FE or k = 1.

        References
        ----------
        Viechtbauer W (2007) Stat Med 26:37-52.
        """
        lo, hi = self.tau2_ci
        if np.isnan(lo):
            return (np.nan, np.nan)
        s2 = self._typical_v()
        return (100 * lo / (lo + s2), 100 * hi / (hi + s2))

    @cached_property
    def h2_ci(self) -> tuple:
        """(low, high) CI for H2 = (tau2 + s2) / s2 at the Q-profile limits of tau2 (metafor ``confint``)."""
        lo, hi = self.tau2_ci
        if np.isnan(lo):
            return (np.nan, np.nan)
        s2 = self._typical_v()
        return (1 + lo / s2, 1 + hi / s2)

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
        """One line of text: estimate, interval, p-value, tau2, I2 and Q (and the note, if any).

        Returns
        -------
        str
            The line.
        """
        lv = int(round(self.level * 100))
        s = (f"{self.method} (k={self.k}): {self.estimate:.4f} [{lv}% CI {self.ci_low:.4f}, "
             f"{self.ci_high:.4f}], p={self.pvalue:.3g}; tau2={self.tau2:.4f}, I2={self.i2:.1f}%, "
             f"Q={self.q:.2f} (df={self.q_df:g}, p={self.q_pvalue:.3g})")
        return s + (f"; {self.note}" if self.note else "")


@dataclass(frozen=True, eq=False)
class BatchMetaResult:
    """Many meta-analyses: every field is an array with one entry per analysis (row).

    ``Y``, ``V`` (NaN-padded inputs) and ``weights`` ((n, K) in percent, 0
    where padded) are arrays; a leave-one-out result keeps only ``yi``/``vi``
    once (``omit``) and builds them on first access, so that its memory is
    linear in k.  ``row(i)`` gives a :class:`MetaResult`.  ``tau2_ci`` is
    computed on first access.
    """

    estimate: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
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
    method: str
    ci_method: str
    labels: tuple = ()
    level: float = 0.95
    pi_method: str = "z"
    i2_method: str = "model"
    data: tuple = field(default=(None, None, None), repr=False)  # (Y, V, weights) when stored
    omit: tuple | None = field(default=None, repr=False)  # (yi, vi): row i omits study i

    def __len__(self) -> int:
        return self.estimate.shape[0]

    def _row_yv(self, i: int):
        """Row i's studies (no padding)."""
        if self.omit is not None:
            y, v = self.omit
            keep = np.arange(y.shape[0]) != i
            return y[keep], v[keep], keep
        ok = ~np.isnan(self.data[0][i])
        return self.data[0][i][ok], self.data[1][i][ok], ok

    def _omit_matrix(self, x):
        M = np.broadcast_to(x, (x.shape[0], x.shape[0])).copy()
        np.fill_diagonal(M, np.nan)
        return M

    @cached_property
    def Y(self) -> np.ndarray:
        """(n, K) estimates, NaN where padded (built on first access for leave-one-out)."""
        return self.data[0] if self.omit is None else self._omit_matrix(self.omit[0])

    @cached_property
    def V(self) -> np.ndarray:
        """(n, K) variances, NaN where padded."""
        return self.data[1] if self.omit is None else self._omit_matrix(self.omit[1])

    @cached_property
    def weights(self) -> np.ndarray:
        """(n, K) weights in percent, 0 where padded."""
        if self.omit is None:
            return self.data[2]
        v = self.omit[1]
        W = 1.0 / (v[None, :] + self.tau2[:, None])
        np.fill_diagonal(W, 0.0)
        return 100 * W / W.sum(axis=1, keepdims=True)

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
        """One analysis of the batch as a :class:`MetaResult`.

        Parameters
        ----------
        i : int
            Row index.

        Returns
        -------
        MetaResult
            The fit of row ``i``, with its weights and data (padding dropped).
        """
        yi, vi, ok = self._row_yv(i)
        vals = {f: getattr(self, f)[i] for f in _FIELDS}
        vals = {f: (int(x) if f == "k" else float(x)) for f, x in vals.items()}
        if self.omit is None:
            w = self.data[2][i][ok]
        else:
            wi = 1.0 / (vi + self.tau2[i])
            w = 100 * wi / wi.sum()
        return MetaResult(
            **vals, method=self.method, ci_method=self.ci_method, weights=w,
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


def _batch_result(out, method, ci, Y, V, labels=(), level=0.95, pi="z", i2="model", omit=None):
    return BatchMetaResult(
        **{f: out[f] for f in _FIELDS}, method=method, ci_method=ci,
        labels=tuple(labels), level=level, pi_method=pi, i2_method=i2,
        data=(Y, V, out.get("weights")), omit=omit,
    )



@dataclass(frozen=True, eq=False)
class GoshResult:
    """GOSH (Olkin, Dahabreh & Trikalinos 2012): a fit for every non-empty subset
    (``exhaustive``) or for distinct random subsets (drawn with ``seed``).

    ``mask[j]`` is the subset as a bit mask (bit i = study i included);
    ``include`` is the boolean (n_subsets, k) matrix.  Subsets are ordered by
    mask (all subsets: 1, 2, ..., 2^k - 1, metafor's order before it sorts by k)."""

    mask: np.ndarray
    k_subset: np.ndarray
    estimate: np.ndarray
    tau2: np.ndarray
    q: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    method: str
    k: int
    exhaustive: bool = True
    seed: int | None = None

    @property
    def include(self) -> np.ndarray:
        """Boolean matrix (subsets x k): which studies each subset contains (bit i of ``mask``)."""
        return ((self.mask[:, None] >> np.arange(self.k)) & 1).astype(bool)

    def to_frame(self):
        """One row per fitted subset.

        Returns
        -------
        pandas.DataFrame
            ``mask``, ``k``, ``estimate``, ``tau2``, ``q``, ``i2``, ``h2``.
        """
        import pandas as pd

        return pd.DataFrame({"mask": self.mask, "k": self.k_subset, "estimate": self.estimate,
                             "tau2": self.tau2, "q": self.q, "i2": self.i2, "h2": self.h2})



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
        """One row per group.

        Returns
        -------
        pandas.DataFrame
            ``group``, ``k``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``tau2``, ``i2``, ``note``.
        """
        import pandas as pd

        rows = [{"group": g, "k": r.k, "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low,
                 "ci_high": r.ci_high, "tau2": r.tau2, "i2": r.i2, "note": r.note}
                for g, r in self.results.items()]
        return pd.DataFrame(rows)



@dataclass(frozen=True, eq=False)
class MHResult:
    """Mantel-Haenszel pooled result (metafor ``rma.mh``); ``estimate`` on the log
    scale for OR/RR; ``statistic`` is the z statistic (``df`` = inf).  ``q``,
    ``i2``, ``h2``: Cochran's Q around the MH estimate with inverse-variance
    weights of the escalc outcomes (as metafor), over the ``k_q`` studies kept
    (double-zero studies left out unless ``drop00=False``); ``yi``/``vi``
    are those studies' outcomes."""

    estimate: float
    se: float
    statistic: float
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
    k_q: int = 0
    df: float = float("inf")

    def to_frame(self):
        """One row with the pooled statistics."""
        import pandas as pd

        return pd.DataFrame([{f: getattr(self, f) for f in (
            "measure", "estimate", "se", "statistic", "pvalue", "ci_low", "ci_high", "q", "q_df",
            "q_pvalue", "i2", "h2", "k", "k_q")}])

    @property
    def exp_estimate(self):
        """(estimate, ci_low, ci_high) back-transformed for OR / RR."""
        return tuple(np.exp([self.estimate, self.ci_low, self.ci_high]))

