"""Pooling of 2x2 tables: Mantel-Haenszel (fixed effect)."""

from __future__ import annotations

import numpy as np
from scipy import special as sp

from . import effect_sizes as es
from ._validate import _as_float
from .results import MHResult


def _counts(ai, bi, ci, di):
    """The four count arrays, checked: equal lengths, non-negative and finite."""
    out = [_as_float(x, nm) for x, nm in zip((ai, bi, ci, di), ("ai", "bi", "ci", "di"))]
    idx = [x.index for x in (ai, bi, ci, di) if hasattr(x, "reindex")]
    if idx and not all(idx[0].equals(i) for i in idx[1:]):
        raise ValueError("ai, bi, ci and di are pandas Series with different indexes; pass them with one "
                         "index (or .to_numpy() to pair by position)")
    k = out[0].shape[0]
    for x, nm in zip(out[1:], ("bi", "ci", "di")):
        if x.shape != out[0].shape:
            raise ValueError(f"{nm} has {x.shape[0]} values but ai has {k}; one per study")
    for x, nm in zip(out, ("ai", "bi", "ci", "di")):
        bad = np.flatnonzero(~np.isfinite(x) | (x < 0))
        if bad.size:
            raise ValueError(f"{nm} must be non-negative counts; index {bad[0]} has {x[bad[0]]}")
    if k == 0:
        raise ValueError("ai is empty; at least one 2x2 table is needed")
    return out


def pool_mh(ai, bi, ci, di, *, measure: str = "OR", level: float = 0.95, add_q: float = 0.5,
            drop00: bool = True) -> MHResult:
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

    Parameters
    ----------
    ai, bi, ci, di : array_like
        Counts of the 2x2 tables (one entry per study).
    measure : {"OR", "RR", "RD"}
    level : float
        Confidence level of the CI.
    add_q : float
        Continuity correction of the study outcomes used for Q only.
    drop00 : bool
        Leave studies with no events (or only events) in both arms out of Q,
        I2 and H2 (default, metafor's ``drop00=TRUE`` and RevMan): such a
        study carries no information on a relative effect, and its corrected
        outcome would inflate Q.  ``df = k.yi - 1`` counts the studies kept.
        The pooled MH estimate uses every study either way.

    Returns
    -------
    MHResult
        ``k`` counts every table; ``k_q`` the studies in Q (``q_df = k_q - 1``).

    Raises
    ------
    ValueError
        Unequal lengths, negative or non-finite counts, an MH estimate that is
        0 or infinite, a risk difference without any event in any study.

    References
    ----------
    Mantel N, Haenszel W (1959) J Natl Cancer Inst 22:719-748.
    Robins J, Breslow N, Greenland S (1986) Biometrics 42:311-323.
    Greenland S, Robins JM (1985) Biometrics 41:55-68.
    """
    m = str(measure).upper()
    if m not in ("OR", "RR", "RD"):
        raise ValueError(f"measure must be 'OR', 'RR' or 'RD'; got {measure!r}")
    a, b, c, d = _counts(ai, bi, ci, di)
    k = a.shape[0]
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
        if a.sum() == 0 and c.sum() == 0:
            raise ValueError("ai and ci are all 0: no study has an event, so the MH risk difference "
                             "and its variance are 0/0; report the absence of events instead of pooling")
        den = np.sum(n1 * n2 / N)
        est = np.sum(a * n2 / N - c * n1 / N) / den
        se = np.sqrt((est * np.sum(c * (n1 / N) ** 2 - a * (n2 / N) ** 2 + (n1 / N) * (n2 / N) * (n2 - n1) / 2)
                      + np.sum(a * (n2 - c) / N + c * (n1 - a) / N) / 2) / den**2)
    z = est / se
    crit = sp.ndtri(0.5 + level / 2)
    keep = np.ones(k, bool)
    if drop00:
        keep = ~(((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
    kq = int(keep.sum())
    if kq:
        eff = es.escalc(m, ai=a[keep], bi=b[keep], ci=c[keep], di=d[keep], add=add_q, to="only0")
        yi, vi = eff.yi, eff.vi
    else:
        yi, vi = np.zeros(0), np.zeros(0)
    if kq > 1:
        q = max(0.0, float(np.sum((yi - est) ** 2 / vi)))
        qp = float(sp.chdtrc(kq - 1, q))
        i2 = max(0.0, 100 * (q - (kq - 1)) / q) if q > 0 else 0.0
        h2 = q / (kq - 1)
    else:
        q, qp, i2, h2 = 0.0, 1.0, 0.0, 1.0
    return MHResult(est, se, z, float(2 * sp.ndtr(-abs(z))), est - crit * se, est + crit * se,
                    q, max(kq - 1, 0), qp, i2, h2, k, m, yi, vi, k_q=kq)



def pool_peto(ai, bi, ci, di, *, level: float = 0.95, drop00: bool = True) -> MHResult:
    """Peto's one-step log odds ratio (metafor ``rma.peto``).

    Per study O_i - E_i with E_i = n1_i m_i / N_i (m_i: events in both arms)
    and hypergeometric variance V_i = m_i (N_i - m_i) n1_i n2_i / (N_i^2 (N_i - 1));
    log OR = sum(O - E) / sum V, se = 1 / sqrt(sum V).  Q = sum (O - E)^2 / V
    - (sum(O - E))^2 / sum V over the studies with V_i > 0 (double-zero and
    double-all studies have V_i = 0 and are left out with ``drop00=True``).

    Parameters
    ----------
    ai, bi, ci, di : array_like
        Events / non-events in the treatment arm, events / non-events in the control arm.
    level : float
        Confidence level.
    drop00 : bool
        Leave studies without information (V_i = 0) out of Q and its df.

    Returns
    -------
    MHResult
        ``measure = "PETO"``; ``estimate`` is the log odds ratio; ``yi``, ``vi``
        are the per-study Peto log odds ratios (O - E)/V and variances 1/V.

    Raises
    ------
    ValueError
        Unequal lengths, negative counts, or no study with events and non-events.

    References
    ----------
    Yusuf S, Peto R, Lewis J, Collins R, Sleight P (1985) Prog Cardiovasc Dis 27:335-371.
    """
    a, b, c, d = _counts(ai, bi, ci, di)
    n1, n2 = a + b, c + d
    N = n1 + n2
    m = a + c
    E = n1 * m / N
    with np.errstate(invalid="ignore", divide="ignore"):
        Vi = np.where(N > 1, m * (N - m) * n1 * n2 / (N**2 * (N - 1)), 0.0)
    OE = a - E
    sv = Vi.sum()
    if sv <= 0:
        raise ValueError("no study has both events and non-events (every Peto variance is 0); "
                         "the Peto odds ratio is not estimable")
    est = OE.sum() / sv
    se = 1 / np.sqrt(sv)
    z = est / se
    crit = sp.ndtri(0.5 + level / 2)
    keep = Vi > 0 if drop00 else np.ones(a.shape[0], bool)
    kq = int(keep.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        yi = OE[keep] / Vi[keep]
        vi = 1 / Vi[keep]
        q = float(np.sum(OE[keep] ** 2 / Vi[keep]) - OE[keep].sum() ** 2 / Vi[keep].sum())
    if kq > 1:
        q = max(0.0, q)
        qp = float(sp.chdtrc(kq - 1, q))
        i2 = max(0.0, 100 * (q - (kq - 1)) / q) if q > 0 else 0.0
        h2 = q / (kq - 1)
    else:
        q, qp, i2, h2 = 0.0, 1.0, 0.0, 1.0
    return MHResult(float(est), float(se), float(z), float(2 * sp.ndtr(-abs(z))), est - crit * se,
                    est + crit * se, q, max(kq - 1, 0), qp, i2, h2, a.shape[0], "PETO", yi, vi, k_q=kq)
