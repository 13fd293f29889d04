"""Network meta-analysis: several treatments compared in one model from arm-level data.

metafor -> evidence_lib mapping
-------------------------------

=====================================================================  =========================================
metafor (R)                                                            evidence_lib
=====================================================================  =========================================
``rma.mv(yi, V, mods = ~ 0 + X, random = ~ comp | study, rho = 1/2)``  ``network_meta(arms, measure=...)``
(``V`` block diagonal, covariance = variance of the shared arm)          (``method="REML"``, the default)
``rma.mv(..., method = "FE")``                                         ``network_meta(..., method="FE")``
``rma.mv(..., mods = ~ 0 + X + Z, btt = <Z columns>)`` (Z: design)     ``result.design_by_treatment()``
``rma.mv(..., mods = ~ 0 + X + split)``                                ``result.node_split()``
=====================================================================  =========================================

``netmeta``'s P-scores (``netrank``) are ``result.ranking()``.
"""

from __future__ import annotations

import numpy as np
from scipy import special as sp

from . import _fit
from ._arms import MEASURES, NetworkData, prepare
from .result import NetworkResult

__all__ = ["network_meta", "NetworkResult", "NetworkData", "MEASURES"]


def network_meta(arms, *, measure: str, reference: str | None = None, method: str = "REML",
                 study: str = "study", treatment: str = "treatment", level: float = 0.95) -> NetworkResult:
    """Contrast-based network meta-analysis (consistency model) from arm-level rows.

    Each study's arms are compared with its first arm (its baseline); the covariance of
    two contrasts of a study is the variance of the shared baseline arm. Random effects
    have one variance tau2 for every comparison and correlation 1/2 between the random
    effects of contrasts within a study (the structure implied by consistency). The
    results do not depend on the order of the arms nor on which arm is a study's
    baseline (the test-suite checks both).

    Parameters
    ----------
    arms : DataFrame
        One row per study arm: the study and treatment columns and, for ``"OR"``, ``"RR"``,
        ``"RD"``, ``events`` and ``n``; for ``"MD"`` and ``"SMD"``, ``mean``, ``sd`` and
        ``n``. For ``"MD"`` an arm may give ``se`` (the standard error of its mean) instead
        of ``sd`` and ``n``. An optional ``n`` is used to count participants.
    measure : {"MD", "SMD", "OR", "RR", "RD"}
        Effect measure (metafor's ``escalc`` definitions; OR and RR on the log scale).
        OR and RR: 1/2 is added to every cell of every arm of a study that has a zero
        cell (no events or no non-events in an arm). SMD: Hedges' g with one SD pooled
        over all arms of a study (Gleser & Olkin 2009); equal to ``escalc("SMD")`` for
        two-arm studies.
    reference : str, optional
        Treatment every other one is compared with in ``effects`` (default: the first
        treatment name in sorted order). It does not change the fit.
    method : {"REML", "FE"}
        Random effects with tau2 by restricted maximum likelihood, or fixed effect.
    study, treatment : str
        Column names of the study and the treatment.
    level : float
        Confidence level of the intervals (default 0.95).

    Returns
    -------
    NetworkResult
        ``effects``, ``tau2``, ``q``/``q_df``, ``league()``, ``league_table()``,
        ``ranking()``, ``inconsistency()``, ``participants()``, ``edges()``, ``to_frame()``.

    Raises
    ------
    ValueError
        Unknown measure or method, a missing column or value, a study with one arm, a
        treatment twice in one study (duplicate arms), a disconnected network, or an
        unknown reference; the message names the study and the fix. A treatment that
        appears in one study only is allowed (its estimate rests on that study alone).

    Notes
    -----
    The model is ``y = X d + u + e`` with ``e ~ N(0, S)`` and ``u ~ N(0, tau2 B)``;
    ``B`` has 1 on its diagonal and 1/2 between contrasts of one study (Higgins &
    Whitehead 1996; Salanti 2012). ``q`` is the generalised Cochran's Q of the
    fixed-effect model, ``y'(S^-1 - S^-1 X (X'S^-1 X)^-1 X'S^-1) y`` on
    ``K - (T - 1)`` degrees of freedom (heterogeneity and inconsistency together).

    References
    ----------
    Higgins JPT, Whitehead A (1996). Borrowing strength from external trials in a
    meta-analysis. Stat Med 15:2733-2749.
    Salanti G (2012). Indirect and mixed-treatment comparison, network, or
    multiple-treatments meta-analysis. Res Synth Methods 3:80-97.
    Gleser LJ, Olkin I (2009). Stochastically dependent effect sizes. In: The Handbook
    of Research Synthesis and Meta-Analysis, 2nd ed.
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
    J Stat Softw 36(3).
    """
    m = str(method).upper()
    if m in ("EE", "CE"):
        m = "FE"
    if m not in ("REML", "FE"):
        raise ValueError(f"method must be 'REML' or 'FE'; got {method!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level!r}")
    data = prepare(arms, measure=measure, reference=reference, study=study, treatment=treatment)
    _fit.check_rank(data.X)
    f = _fit.fit(data.y, data.S, data.X, data.study_of, method=m)
    fe = f if m == "FE" else _fit.fit(data.y, data.S, data.X, data.study_of, method="FE")
    q_df = len(data.y) - data.X.shape[1]
    q_p = float(sp.chdtrc(q_df, max(fe.q_resid, 0.0))) if q_df > 0 else float("nan")
    note = ""
    if m == "REML" and q_df == 0:
        note = "no residual degrees of freedom: tau2 is not estimable and is set to 0"
    elif m == "REML" and not f.converged:
        note = "REML did not converge"
    if data.corrected:
        note = "; ".join(filter(None, [note, f"1/2 added to every cell of studies {list(data.corrected)}"]))
    return NetworkResult(data=data, method=m, coefficients=np.asarray(f.beta), vcov=np.asarray(f.vcov),
                         tau2=float(f.tau2), q=float(fe.q_resid), q_df=int(q_df), q_pvalue=q_p, level=float(level),
                         converged=bool(f.converged), note=note)
