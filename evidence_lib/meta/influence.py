"""Case diagnostics of a random-effects meta-analysis (metafor ``influence.rma.uni``)."""

from __future__ import annotations

import numpy as np
from scipy import special as sp

from dataclasses import dataclass

from ._validate import _check_1d, _default_labels, _norm_method
from .pooling import pool
from .sensitivity import leave_one_out

__all__ = ["influence", "baujat", "BaujatResult"]


@dataclass(frozen=True, eq=False)
class BaujatResult:
    """Baujat diagnostics (metafor ``baujat``): per study, ``x`` (contribution to
    heterogeneity, (y_i - mu)^2 / (v_i + tau2)) and ``y`` (influence on the pooled
    estimate, (mu_(-i) - mu)^2 / Var(mu_(-i))), with ``labels``."""

    x: np.ndarray
    y: np.ndarray
    labels: tuple
    method: str

    def to_frame(self):
        """One row per study: label, x, y."""
        import pandas as pd

        return pd.DataFrame({"label": list(self.labels), "x": self.x, "y": self.y})


def baujat(yi, vi, *, method: str = "REML", ci: str = "wald", labels=None) -> BaujatResult:
    """Values of the Baujat plot: each study's contribution to heterogeneity and influence.

    ``x_i = (y_i - mu)^2 / (v_i + tau2)`` with the full fit's mu and tau2 (for
    FE: the study's contribution to Cochran's Q, which sums to Q), and
    ``y_i = (mu_(-i) - mu)^2 / Var(mu_(-i))`` with the fit without study i
    (tau2 re-estimated by ``method``; ``Var`` includes the Hartung-Knapp factor
    with ``ci="hksj"``), as metafor's ``baujat(rma(yi, vi, method=...))``.

    Parameters
    ----------
    yi, vi : array_like
        Estimates and sampling variances.
    method, ci : str
        As :func:`evidence_lib.meta.pool`.
    labels : sequence of str, optional
        Study labels (default "study 1", ...).

    Returns
    -------
    BaujatResult

    Raises
    ------
    ValueError
        Fewer than 2 studies, bad input.

    References
    ----------
    Baujat B, Mahe C, Pignon J-P, Hill C (2002) A graphical method for exploring
    heterogeneity in meta-analyses: application to a meta-analysis of 65 trials.
    Stat Med 21:2641-2652 (the x and y coordinates, sec. 2).
    """
    y, v, lab = _check_1d(yi, vi, labels)
    k = y.shape[0]
    if k < 2:
        raise ValueError(f"baujat needs at least 2 studies (got k = {k}); each fit without one study needs one")
    method = _norm_method(method)
    full = _quiet_pool(y, v, method, ci, 0.95)
    loo = leave_one_out(y, v, method=method, ci=ci)
    xs = (y - full.estimate) ** 2 / (v + full.tau2)
    ys = (np.asarray(loo.estimate) - full.estimate) ** 2 / np.asarray(loo.se) ** 2
    return BaujatResult(x=xs, y=ys, labels=tuple(_default_labels(k) if lab is None else lab), method=method)


def _sum_w_all(v, tau2_del, chunk=4096):
    """T_i = sum_j 1 / (v_j + tau2_del_i) over all studies j, in chunks (memory linear in k)."""
    out = np.empty(tau2_del.shape[0])
    for s in range(0, out.shape[0], chunk):
        t = tau2_del[s:s + chunk]
        out[s:s + chunk] = (1.0 / (v[None, :] + t[:, None])).sum(axis=1)
    return out


def influence(yi, vi, *, method: str = "REML", ci: str = "wald", labels=None, level: float = 0.95):
    """Influence diagnostics for every study (metafor ``influence(rma(yi, vi, method=...))``).

    With the full fit (mu, tau2, Var(mu) = vb, weights w_i = 1/(v_i + tau2)) and
    the fit without study i (mu_(-i), tau2_(-i), vb_(-i), QE_(-i) and, with
    ``ci="hksj"``, its Hartung-Knapp factor s2w_(-i); 1 otherwise):

    * ``rstudent`` = (y_i - mu_(-i)) / sqrt(s2w_(-i) (v_i + tau2_(-i)) + vb_(-i))
    * ``hat`` = w_i / sum w; ``weight`` = 100 hat (percent)
    * ``dffits`` = (mu - mu_(-i)) / sqrt(s2w_(-i) hat_i (tau2_(-i) + v_i))
    * ``cook_d`` = (mu - mu_(-i))^2 / vb; ``cov_r`` = vb_(-i) / vb
    * ``dfbetas`` = (mu - mu_(-i)) / sqrt(s2w_(-i) / sum_j 1/(v_j + tau2_(-i)))
    * ``tau2_del``, ``qe_del``: tau2 and Cochran's Q without study i
    * ``is_influential``: metafor's rule, |dffits| > 3 sqrt(1/(k-1)) or
      P(chi2_1 <= cook_d) > 0.5 or hat > 3/k or |dfbetas| > 1.

    Parameters
    ----------
    yi, vi : array_like
        Estimates and sampling variances.
    method, ci : str
        As :func:`evidence_lib.meta.pool`.
    labels : sequence of str, optional
        Study labels (the DataFrame's index).
    level : float
        Confidence level of the underlying fits.

    Returns
    -------
    pandas.DataFrame
        One row per study with the columns above.

    Raises
    ------
    ValueError
        Fewer than 3 studies (a fit without one study needs 2), bad input.

    References
    ----------
    Viechtbauer W, Cheung MW-L (2010) Outlier and influence diagnostics for
    meta-analysis. Res Synth Methods 1:112-125 (eqs. 9-14).
    """
    import pandas as pd

    y, v, lab = _check_1d(yi, vi, labels)
    k = y.shape[0]
    if k < 3:
        raise ValueError(f"influence needs at least 3 studies (got k = {k}); each fit without one study needs 2")
    method = _norm_method(method)
    if ci == "wald":
        full = pool(y, v, method=method, ci=ci, level=level, hksj_truncate=False)
    else:
        full = _quiet_pool(y, v, method, ci, level)
    loo = leave_one_out(y, v, method=method, ci=ci, level=level)
    tau2_del = np.asarray(loo.tau2, float)
    mu_del = np.asarray(loo.estimate, float)
    vb_del = np.asarray(loo.se, float) ** 2
    if ci == "hksj":
        T = _sum_w_all(v, tau2_del)
        s1_del = T - 1.0 / (v + tau2_del)
    else:  # Var(mu_(-i)) = 1 / sum_{j != i} w_j
        s1_del = 1.0 / vb_del
        T = s1_del + 1.0 / (v + tau2_del)
    s2w = vb_del * s1_del if ci == "hksj" else np.ones(k)
    hat = full.weights / 100
    vb = full.se**2
    dmu = full.estimate - mu_del
    resid = y - mu_del
    resid = np.where(np.abs(resid) < 100 * np.finfo(float).eps, 0.0, resid)
    rstudent = resid / np.sqrt(v * s2w + vb_del + tau2_del * s2w)
    dffits = dmu / np.sqrt(s2w * hat * (tau2_del + v))
    cook = dmu**2 / vb
    dfbetas = dmu / np.sqrt(s2w / T)
    infl = ((np.abs(dffits) > 3 * np.sqrt(1 / (k - 1))) | (sp.chdtr(1, cook) > 0.5)
            | (hat > 3 / k) | (np.abs(dfbetas) > 1))
    return pd.DataFrame({
        "rstudent": rstudent, "dffits": dffits, "cook_d": cook, "cov_r": vb_del / vb,
        "tau2_del": tau2_del, "qe_del": np.asarray(loo.q, float), "hat": hat,
        "weight": full.weights, "dfbetas": dfbetas, "is_influential": infl,
    }, index=pd.Index(list(_default_labels(k) if lab is None else lab), name="study"))


def _quiet_pool(y, v, method, ci, level):
    import warnings

    from .pooling import NarrowHartungKnappWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NarrowHartungKnappWarning)
        return pool(y, v, method=method, ci=ci, level=level)
