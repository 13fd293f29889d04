"""Arm-level rows to the contrast-based data of a network meta-analysis.

Each study contributes the contrasts of its arms against one baseline arm (its first row
as given). Effect sizes and variances come from :mod:`evidence_lib.meta.effect_sizes`
(metafor's ``escalc``); the covariance of two contrasts of one study is the sampling
variance of the shared baseline arm, so the study's covariance matrix is ``A D A'`` with
``D`` the arm variances and ``A`` the contrast matrix: it, and so every result, does not
depend on which arm is the baseline.

Standardised mean differences need one more step (Gleser & Olkin 2009): every arm of a
study is standardised by one SD pooled over all its arms (``m = N - a`` degrees of
freedom, Hedges' exact correction ``c(m)``), and the covariance adds ``g_j g_k / (2 N)``,
the part due to the estimated SD. With two arms this is exactly ``escalc("SMD")`` (the
test-suite checks it); with more it keeps the baseline invariance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evidence_lib.meta import effect_sizes as es

BINARY = ("OR", "RR", "RD")
CONTINUOUS = ("MD", "SMD")
MEASURES = BINARY + CONTINUOUS


@dataclass(frozen=True, eq=False)
class NetworkData:
    """Contrasts of a network, stacked study by study (rows of one study are adjacent).

    ``y`` (K,), ``S`` (K, K) sampling covariance, ``X`` (K, T-1) contrast design with
    the reference's column left out, ``t1``/``t0`` treatment index of each contrast's
    arm and baseline, ``study_of`` study index of each row, ``arms`` the treatment
    indices of each study, ``n_arm`` participants per arm (NaN where not given).
    """

    measure: str
    treatments: tuple
    studies: tuple
    y: np.ndarray
    S: np.ndarray
    X: np.ndarray
    t1: np.ndarray
    t0: np.ndarray
    study_of: np.ndarray
    arms: tuple
    n_arm: tuple
    corrected: tuple

    @property
    def reference(self) -> str:
        """The reference treatment (the first of ``treatments``)."""
        return self.treatments[0]

    @property
    def designs(self) -> tuple:
        """Each study's design: the sorted tuple of its treatment indices."""
        return tuple(tuple(sorted(a)) for a in self.arms)


def _columns(df, names, measure):
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise ValueError(
            f"arms has no column {missing} needed for measure {measure!r}; columns are {list(df.columns)}. "
            "Rename the columns or pass study=/treatment= with their names")


def _numbers(df, col, study, treatment, *, positive=False, nonnegative=False):
    x = np.asarray(df[col].to_numpy(dtype=float, na_value=np.nan), dtype=float)
    bad = ~np.isfinite(x)
    if positive:
        bad |= x <= 0
    if nonnegative:
        bad |= x < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        need = "a positive number" if positive else "a non-negative number" if nonnegative else "a number"
        raise ValueError(
            f"arms[{col!r}] must be {need} in every row; study {study[i]!r}, treatment {treatment[i]!r} has "
            f"{x[i]!r}. Supply the value or drop the arm (and the study if it is left with one arm)")
    return x


def _connected_components(n_treat, arms):
    parent = list(range(n_treat))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in arms:
        for t in a[1:]:
            parent[find(t)] = find(a[0])
    roots = {}
    for t in range(n_treat):
        roots.setdefault(find(t), []).append(t)
    return list(roots.values())


def prepare(arms, *, measure, reference=None, study="study", treatment="treatment") -> NetworkData:
    """Validate arm-level rows and turn them into contrasts with their covariance.

    Parameters
    ----------
    arms : pandas.DataFrame
        One row per study arm, with the study and treatment columns and, by measure,
        ``events`` and ``n`` (OR, RR, RD) or ``mean``, ``sd``, ``n`` (MD, SMD; MD may give
        ``mean`` and ``se``).
    measure : str
        One of :data:`MEASURES`.
    reference : str, optional
        Reference treatment; default the first treatment in sorted order.
    study, treatment : str
        Names of the study and treatment columns.

    Returns
    -------
    NetworkData
        Contrasts against each study's first arm, their block-diagonal covariance, the
        treatments (reference first) and studies.

    Raises
    ------
    ValueError
        Unknown measure, missing columns or values, a study with one arm, a treatment
        twice in one study, a disconnected network, an unknown reference.

    References
    ----------
    Gleser LJ, Olkin I (2009). Stochastically dependent effect sizes. In: The Handbook of
    Research Synthesis and Meta-Analysis, 2nd ed.
    """
    m = str(measure).upper()
    if m not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}; got {measure!r}")
    for name, col in (("study", study), ("treatment", treatment)):
        if col not in arms.columns:
            raise ValueError(f"{name}={col!r} is not a column of arms; columns are {list(arms.columns)}")
    if len(arms) == 0:
        raise ValueError("arms is empty; pass one row per study arm")
    if m in BINARY:
        _columns(arms, ("events", "n"), m)
    elif m == "MD" and "se" in arms.columns:
        _columns(arms, ("mean",), m)
    else:
        _columns(arms, ("mean", "sd", "n"), m)
    st = [str(s) for s in arms[study]]
    tr = [str(t) for t in arms[treatment]]
    for s, t in zip(st, tr):
        if s in ("nan", "None", "<NA>") or t in ("nan", "None", "<NA>"):
            raise ValueError(f"arms has a row with a missing study or treatment (study {s!r}, treatment {t!r}); "
                             "fill it in or drop the row")

    studies = list(dict.fromkeys(st))
    rows_of = {s: [] for s in studies}
    for i, s in enumerate(st):
        rows_of[s].append(i)
    for s, rows in rows_of.items():
        seen = {}
        for i in rows:
            if tr[i] in seen:
                raise ValueError(
                    f"study {s!r} has treatment {tr[i]!r} in two rows (duplicate arm); combine the two arms into "
                    "one (pool their numbers) or give them distinct treatment names")
            seen[tr[i]] = i
        if len(rows) < 2:
            raise ValueError(
                f"study {s!r} has one arm only ({tr[rows[0]]!r}); a network needs at least two arms per study. "
                "Drop the study or add its comparator arm")

    names = sorted(set(tr))
    if reference is None:
        reference = names[0]
    reference = str(reference)
    if reference not in names:
        raise ValueError(f"reference={reference!r} is not a treatment of the network; use one of {names}")
    treatments = tuple([reference] + [t for t in names if t != reference])
    index = {t: i for i, t in enumerate(treatments)}
    arm_sets = tuple(tuple(index[tr[i]] for i in rows_of[s]) for s in studies)
    comps = _connected_components(len(treatments), arm_sets)
    if len(comps) > 1:
        parts = []
        for c in comps:
            ts = sorted(treatments[t] for t in c)
            ss = [s for s, a in zip(studies, arm_sets) if a[0] in c]
            parts.append(f"{ts} (studies {ss})")
        raise ValueError(
            "the network is disconnected: no chain of studies links " + " and ".join(parts) +
            ". Analyse each part separately or add a study that links them")

    base_rows = np.array([rows_of[s][0] for s in studies for _ in rows_of[s][1:]], dtype=int)
    arm_rows = np.array([i for s in studies for i in rows_of[s][1:]], dtype=int)
    study_of = np.array([j for j, s in enumerate(studies) for _ in rows_of[s][1:]], dtype=int)
    n_all = (np.asarray(arms["n"].to_numpy(dtype=float, na_value=np.nan), float) if "n" in arms.columns
             else np.full(len(arms), np.nan))
    corrected = ()
    if m in BINARY:
        e = _numbers(arms, "events", st, tr, nonnegative=True)
        n = _numbers(arms, "n", st, tr, positive=True)
        over = np.flatnonzero(e > n)
        if over.size:
            i = int(over[0])
            raise ValueError(f"study {st[i]!r}, treatment {tr[i]!r}: events ({e[i]:g}) exceed n ({n[i]:g}); fix the counts")
        e, ne = e.copy(), n - e
        if m in ("OR", "RR"):
            zero_study = {st[i] for i in np.flatnonzero((e == 0) | (ne == 0))}
            sel = np.array([s in zero_study for s in st])
            e[sel] += 0.5
            ne[sel] += 0.5
            corrected = tuple(s for s in studies if s in zero_study)
        a, b, c, d = e[arm_rows], ne[arm_rows], e[base_rows], ne[base_rows]
        fn = {"OR": es.log_or, "RR": es.log_rr, "RD": es.rd}[m]
        y, v = fn(a, b, c, d)
        p0, n0 = c / (c + d), c + d
        cov0 = (1 / c + 1 / d if m == "OR" else 1 / c - 1 / n0 if m == "RR" else p0 * (1 - p0) / n0)
        extra = None
    elif m == "MD":
        mu = _numbers(arms, "mean", st, tr)
        var, sd, n = _md_arm_variances(arms, st, tr)
        y = mu[arm_rows] - mu[base_rows]
        v = var[arm_rows] + var[base_rows]
        both = np.isfinite(sd[arm_rows] * n[arm_rows] * sd[base_rows] * n[base_rows])
        if both.any():
            r1, r0 = arm_rows[both], base_rows[both]
            y[both], v[both] = es.md(mu[r1], sd[r1], n[r1], mu[r0], sd[r0], n[r0])
        cov0 = var[base_rows]
        extra = None
    else:
        mu = _numbers(arms, "mean", st, tr)
        sd = _numbers(arms, "sd", st, tr, nonnegative=True)
        n = _numbers(arms, "n", st, tr, positive=True)
        y, v, cov0, extra = _smd_contrasts(mu, sd, n, rows_of, studies)
    bad = np.flatnonzero(~(v > 0) | ~np.isfinite(v) | ~np.isfinite(y))
    if bad.size:
        j = int(bad[0])
        raise ValueError(
            f"study {studies[study_of[j]]!r}: the contrast {tr[arm_rows[j]]!r} vs {tr[base_rows[j]]!r} has no "
            f"positive finite variance (estimate {y[j]!r}, variance {v[j]!r}); check its counts or SDs, or drop it")

    same = study_of[:, None] == study_of[None, :]
    S = np.where(same, cov0[:, None], 0.0)
    if extra is not None:
        S = S + np.where(same, extra, 0.0)
    np.fill_diagonal(S, v)
    K, T = len(y), len(treatments)
    t1 = np.array([index[tr[i]] for i in arm_rows], dtype=int)
    t0 = np.array([index[tr[i]] for i in base_rows], dtype=int)
    X = np.zeros((K, T))
    X[np.arange(K), t1] += 1.0
    X[np.arange(K), t0] -= 1.0
    n_arm = tuple(tuple(float(n_all[i]) for i in rows_of[s]) for s in studies)
    return NetworkData(m, treatments, tuple(studies), np.asarray(y, float), S, X[:, 1:], t1, t0, study_of,
                       arm_sets, n_arm, corrected)


def _md_arm_variances(arms, st, tr):
    """Variance of each arm's mean: sd^2 / n where both are given, else se^2 (column ``se``)."""
    def col(name):
        if name not in arms.columns:
            return np.full(len(arms), np.nan)
        return np.asarray(arms[name].to_numpy(dtype=float, na_value=np.nan), float)

    sd, n, se = col("sd"), col("n"), col("se")
    var = np.where(np.isfinite(sd) & np.isfinite(n) & (n > 0), sd**2 / np.where(n > 0, n, 1.0), se**2)
    bad = np.flatnonzero(~np.isfinite(var) | (var <= 0) & ~((sd == 0) & (n > 0)))
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"study {st[i]!r}, treatment {tr[i]!r}: the arm needs sd and n (or se, the standard error of its mean) "
            f"for measure 'MD'; got sd={sd[i]!r}, n={n[i]!r}, se={se[i]!r}. Supply them or drop the arm")
    return var, sd, n


def _smd_contrasts(mu, sd, n, rows_of, studies):
    ys, vs, cov0, extra_blocks = [], [], [], []
    for s in studies:
        r = np.asarray(rows_of[s])
        N, a = n[r].sum(), len(r)
        df = N - a
        if df <= 1:
            raise ValueError(f"study {s!r}: too few participants for the SMD (N = {N:g} over {a} arms); drop it")
        sp = np.sqrt(((n[r] - 1) * sd[r] ** 2).sum() / df)
        if not sp > 0:
            raise ValueError(f"study {s!r}: pooled SD is 0; the SMD is undefined. Drop the study or use MD")
        g = es.hedges_correction(df) * (mu[r[1:]] - mu[r[0]]) / sp
        ys.append(g)
        vs.append(1 / n[r[1:]] + 1 / n[r[0]] + g**2 / (2 * N))
        cov0.append(np.full(a - 1, 1 / n[r[0]]))
        extra_blocks.append(np.outer(g, g) / (2 * N))
    K = sum(len(g) for g in ys)
    extra = np.zeros((K, K))
    i = 0
    for blk in extra_blocks:
        k = blk.shape[0]
        extra[i:i + k, i:i + k] = blk
        i += k
    return np.concatenate(ys), np.concatenate(vs), np.concatenate(cov0), extra
