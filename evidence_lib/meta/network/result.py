"""The result of a network meta-analysis: effects, league table, ranking, inconsistency."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import special as sp

from . import _fit
from ._arms import NetworkData

RATIO = ("OR", "RR")


def _z(level):
    return float(sp.ndtri(0.5 + level / 2))


def _p_two_sided(z):
    return float(sp.erfc(abs(z) / np.sqrt(2)))


@dataclass(frozen=True, eq=False)
class NetworkResult:
    """A fitted contrast-based consistency model (see :func:`network_meta`).

    Attributes
    ----------
    data : NetworkData
        The contrasts, their covariance and the design the model was fitted to.
    method : str
        ``"REML"`` or ``"FE"``.
    coefficients, vcov : ndarray
        Every treatment but the reference against the reference, on the analysis scale
        (log scale for OR and RR), and their covariance.
    tau2 : float
        Between-study variance of every comparison (0 for FE).
    q, q_df, q_pvalue : float
        Generalised Cochran's Q of the fixed-effect model (heterogeneity and
        inconsistency together) on ``K - (T - 1)`` degrees of freedom.
    level : float
        Confidence level of every interval.
    converged : bool
        Whether REML's scoring converged (always True for FE).
    """

    data: NetworkData
    method: str
    coefficients: np.ndarray
    vcov: np.ndarray
    tau2: float
    q: float
    q_df: int
    q_pvalue: float
    level: float
    converged: bool
    note: str = ""

    # ------------------------------------------------------------------ basics
    @property
    def measure(self) -> str:
        """The effect measure of the contrasts."""
        return self.data.measure

    @property
    def treatments(self) -> tuple:
        """The treatments, reference first."""
        return self.data.treatments

    @property
    def reference(self) -> str:
        """The reference treatment (effects are against it)."""
        return self.data.reference

    @property
    def studies(self) -> tuple:
        """The study identifiers, in order of first appearance."""
        return self.data.studies

    def _full(self):
        T = len(self.treatments)
        d = np.r_[0.0, self.coefficients]
        C = np.zeros((T, T))
        C[1:, 1:] = self.vcov
        return d, C

    def _pair(self, i, j):
        d, C = self._full()
        est = d[i] - d[j]
        var = C[i, i] + C[j, j] - 2 * C[i, j]
        return est, float(np.sqrt(max(var, 0.0)))

    def _row(self, est, se):
        z = _z(self.level)
        row = {"estimate": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se}
        if self.measure in RATIO:
            row.update(ratio=np.exp(est), ratio_low=np.exp(est - z * se), ratio_high=np.exp(est + z * se))
        return row

    @cached_property
    def effects(self):
        """Every treatment against the reference: estimate, se, ci_low, ci_high (the reference row is 0).

        For OR and RR the columns are on the log scale and ``ratio``, ``ratio_low``,
        ``ratio_high`` give the natural scale.
        """
        import pandas as pd

        ref = 0
        rows = []
        for i, t in enumerate(self.treatments):
            est, se = self._pair(i, ref)
            rows.append({"treatment": t, **self._row(est, se)})
        return pd.DataFrame(rows).set_index("treatment")

    def league(self):
        """Every ordered pair: ``treatment`` against ``comparator`` (estimate, se, ci, z, p).

        Returns
        -------
        DataFrame
            One row per ordered pair of distinct treatments (``T (T - 1)`` rows).
        """
        import pandas as pd

        rows = []
        for i, a in enumerate(self.treatments):
            for j, b in enumerate(self.treatments):
                if i == j:
                    continue
                est, se = self._pair(i, j)
                z = est / se if se > 0 else np.nan
                rows.append({"treatment": a, "comparator": b, **self._row(est, se), "z": z,
                             "pvalue": _p_two_sided(z) if np.isfinite(z) else np.nan})
        return pd.DataFrame(rows)

    def league_table(self, *, decimals: int = 2, order=None):
        """The square league table: the cell in row A, column B is A against B, "est (low to high)".

        Parameters
        ----------
        decimals : int
            Decimals printed.
        order : sequence of str, optional
            Treatment order of rows and columns (default: the result's order).

        Returns
        -------
        pandas.DataFrame
            Rows and columns are treatments; the diagonal holds the treatment's name.
        """
        import pandas as pd

        order = list(order) if order is not None else list(self.treatments)
        unknown = sorted(set(order) - set(self.treatments))
        if unknown:
            raise ValueError(f"order names unknown treatments {unknown}; use names from {list(self.treatments)}")
        pos = {t: i for i, t in enumerate(self.treatments)}
        ratio = self.measure in RATIO
        out = pd.DataFrame("", index=order, columns=order, dtype=object)
        for a in order:
            for b in order:
                if a == b:
                    out.loc[a, b] = a
                    continue
                r = self._row(*self._pair(pos[a], pos[b]))
                e, lo, hi = ((r["ratio"], r["ratio_low"], r["ratio_high"]) if ratio
                             else (r["estimate"], r["ci_low"], r["ci_high"]))
                out.loc[a, b] = f"{e:.{decimals}f} ({lo:.{decimals}f} to {hi:.{decimals}f})"
        return out

    def ranking(self, *, small_values: str = "good"):
        """P-scores (Ruecker & Schwarzer 2015): the mean certainty that a treatment beats each other one.

        ``P_i = (1 / (T - 1)) sum_{j != i} Phi((d_j - d_i) / se_ij)`` when small values are
        good (``Phi((d_i - d_j) / se_ij)`` when they are bad); the frequentist analogue of
        SUCRA. P-scores sum to T / 2.

        Parameters
        ----------
        small_values : {"good", "bad"}
            Whether a lower estimate is better (e.g. less pain, fewer events) or worse.

        Returns
        -------
        DataFrame
            treatment (index), p_score, rank (1 = best), sorted best first.

        References
        ----------
        Ruecker G, Schwarzer G (2015). Ranking treatments in frequentist network
        meta-analysis works without resampling methods. BMC Med Res Methodol 15:58.
        """
        import pandas as pd

        if small_values not in ("good", "bad"):
            raise ValueError(f"small_values must be 'good' or 'bad'; got {small_values!r}")
        T = len(self.treatments)
        sign = 1.0 if small_values == "good" else -1.0
        scores = []
        for i in range(T):
            total = 0.0
            for j in range(T):
                if i != j:
                    est, se = self._pair(j, i)   # d_j - d_i
                    total += float(sp.ndtr(sign * est / se)) if se > 0 else 0.5
            scores.append(total / (T - 1))
        df = pd.DataFrame({"treatment": self.treatments, "p_score": scores}).set_index("treatment")
        df = df.sort_values("p_score", ascending=False, kind="stable")
        df["rank"] = np.arange(1, T + 1)
        return df

    # ------------------------------------------------------------------ inconsistency
    def design_by_treatment(self):
        """Design-by-treatment interaction test (Higgins et al. 2012; Krahn et al. 2013 decomposition).

        Fits the full design-by-treatment interaction model (each design its own
        parameters) and compares it with the consistency model on the same covariance:
        under fixed effect, ``Q_between = Q_total - Q_within``; under random effects the
        Wald statistic of the interaction terms with tau2 estimated by REML in the
        interaction model (what ``rma.mv`` gives with design-specific moderators and
        ``btt`` on them).

        Returns
        -------
        DataFrame
            rows ``total``, ``within designs``, ``between designs (FE)``,
            ``between designs (RE)``; columns q, df, pvalue, tau2.
        """
        import pandas as pd

        d = self.data
        Z = _fit.design_by_treatment_matrix(d)
        df_b = Z.shape[1] - d.X.shape[1]
        fe_cons = _fit.fit(d.y, d.S, d.X, d.study_of, method="FE")
        fe_inc = _fit.fit(d.y, d.S, Z, d.study_of, method="FE")
        rows = [("total", fe_cons.q_resid, len(d.y) - d.X.shape[1], 0.0),
                ("within designs", fe_inc.q_resid, len(d.y) - Z.shape[1], 0.0),
                ("between designs (FE)", fe_cons.q_resid - fe_inc.q_resid, df_b, 0.0)]
        if df_b > 0:
            inc = _fit.fit(d.y, d.S, Z, d.study_of, method="REML")
            cons_at = _fit.fit(d.y, d.S, d.X, d.study_of, tau2=inc.tau2)
            inc_at = _fit.fit(d.y, d.S, Z, d.study_of, tau2=inc.tau2)
            rows.append(("between designs (RE)", cons_at.q_resid - inc_at.q_resid, df_b, inc.tau2))
        else:
            rows.append(("between designs (RE)", np.nan, 0, np.nan))
        # Q >= 0 by definition; a difference of equal quadratic forms can come out as -1e-15
        rows = [(c, max(q, 0.0) if np.isfinite(q) else q, k, t) for c, q, k, t in rows]
        out = pd.DataFrame(rows, columns=["component", "q", "df", "tau2"]).set_index("component")
        out["pvalue"] = [float(sp.chdtrc(k, max(q, 0.0))) if k > 0 and np.isfinite(q) else np.nan
                         for q, k in zip(out["q"], out["df"])]
        return out[["q", "df", "pvalue", "tau2"]]

    def node_split(self):
        """Direct against indirect evidence for every comparison that has both (node-splitting).

        For comparison (A, B), with A before B in alphabetical order (so that the choice
        does not depend on the reference), the model gets one more parameter delta carried
        by arm B in every study that has both A and B (Dias et al. 2010's node-splitting;
        for multi-arm studies the split belongs to one arm, and which arm carries it can
        change the result, as van Valkenhoef et al. 2016 discuss): ``direct = d_AB + delta``
        (the A-B studies), ``indirect = d_AB`` (the rest of the network, which may include
        the other arms of a multi-arm A-B study), ``difference = delta``. tau2 is
        re-estimated in each split model (REML) or 0 (FE). A comparison is listed only when
        delta is identifiable, i.e. when evidence outside the A-B contrasts links A and B.
        With a single loop, every listed split gives the same test as the design-by-treatment
        interaction.

        Returns
        -------
        DataFrame
            treatment (B), comparator (A), k_direct, direct, direct_se, indirect,
            indirect_se, difference, difference_se, z, pvalue, tau2, network (the
            consistency estimate of B vs A).
        """
        import pandas as pd

        d = self.data
        T, p = len(self.treatments), d.X.shape[1]
        rows = []
        by_name = sorted(range(T), key=lambda i: self.treatments[i])
        for ia, a in enumerate(by_name):
            for b in by_name[ia + 1:]:
                k_dir = sum(1 for arms in d.arms if a in arms and b in arms)
                if k_dir == 0:
                    continue
                s = _fit.split_column(d, a, b)
                Xs = np.column_stack([d.X, s])
                if np.linalg.matrix_rank(Xs) <= p:
                    continue
                f = _fit.fit(d.y, d.S, Xs, d.study_of, method=self.method)
                c = np.zeros(p + 1)
                if b > 0:
                    c[b - 1] += 1.0
                if a > 0:
                    c[a - 1] -= 1.0
                ind, ind_se = float(c @ f.beta), float(np.sqrt(c @ f.vcov @ c))
                c_dir = c.copy()
                c_dir[p] = 1.0
                dr, dr_se = float(c_dir @ f.beta), float(np.sqrt(c_dir @ f.vcov @ c_dir))
                delta, delta_se = float(f.beta[p]), float(np.sqrt(f.vcov[p, p]))
                net, net_se = self._pair(b, a)
                z = delta / delta_se
                rows.append({"treatment": self.treatments[b], "comparator": self.treatments[a], "k_direct": k_dir,
                             "direct": dr, "direct_se": dr_se, "indirect": ind, "indirect_se": ind_se,
                             "difference": delta, "difference_se": delta_se, "z": z, "pvalue": _p_two_sided(z),
                             "tau2": f.tau2, "network": net, "network_se": net_se})
        cols = ["treatment", "comparator", "k_direct", "direct", "direct_se", "indirect", "indirect_se",
                "difference", "difference_se", "z", "pvalue", "tau2", "network", "network_se"]
        return pd.DataFrame(rows, columns=cols)

    def inconsistency(self):
        """Both inconsistency assessments: ``{"design_by_treatment": DataFrame, "node_split": DataFrame}``."""
        return {"design_by_treatment": self.design_by_treatment(), "node_split": self.node_split()}

    # ------------------------------------------------------------------ network description
    def participants(self):
        """Participants and studies per treatment (NaN participants where an arm's n is not given).

        Returns
        -------
        DataFrame
            treatment (index), n_studies, participants, n_missing (arms without n).
        """
        import pandas as pd

        d = self.data
        rows = []
        for i, t in enumerate(self.treatments):
            ns = [n for arms, narm in zip(d.arms, d.n_arm) for tt, n in zip(arms, narm) if tt == i]
            known = [n for n in ns if np.isfinite(n)]
            rows.append({"treatment": t, "n_studies": len(ns), "participants": float(sum(known)) if known else np.nan,
                         "n_missing": len(ns) - len(known)})
        return pd.DataFrame(rows).set_index("treatment")

    def edges(self):
        """Direct comparisons: one row per pair of treatments compared in at least one study.

        Returns
        -------
        DataFrame
            treatment_a, treatment_b, n_studies, studies (tuple of study names).
        """
        import pandas as pd

        d = self.data
        pairs = {}
        for s, arms in zip(d.studies, d.arms):
            for i in range(len(arms)):
                for j in range(i + 1, len(arms)):
                    a, b = sorted((arms[i], arms[j]))
                    pairs.setdefault((a, b), []).append(s)
        rows = [{"treatment_a": self.treatments[a], "treatment_b": self.treatments[b], "n_studies": len(ss),
                 "studies": tuple(ss)} for (a, b), ss in sorted(pairs.items())]
        return pd.DataFrame(rows, columns=["treatment_a", "treatment_b", "n_studies", "studies"])

    def to_frame(self):
        """The effects against the reference with the model's settings as columns."""
        df = self.effects.reset_index()
        df.insert(1, "reference", self.reference)
        df["measure"] = self.measure
        df["method"] = self.method
        df["tau2"] = self.tau2
        return df

    def summary(self) -> str:
        """One line: the model, its size, tau2 and Q."""
        return (f"network meta-analysis ({self.measure}, {self.method}): {len(self.treatments)} treatments, "
                f"{len(self.studies)} studies, {len(self.data.y)} contrasts; tau2={self.tau2:.4g}; "
                f"Q={self.q:.2f} (df={self.q_df}, p={self.q_pvalue:.3g})" + (f"; {self.note}" if self.note else ""))
