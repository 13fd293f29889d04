"""The contrast-based network model: generalised least squares with one heterogeneity variance.

Model (Salanti 2012; Higgins & Whitehead 1996; metafor ``rma.mv`` with the contrast matrix
as moderators, ``random = ~ comp | study, rho = 1/2``)::

    y = X d + u + e,   e ~ N(0, S),   u ~ N(0, tau2 B)

``S`` is block diagonal (one block per study; off-diagonal the variance of the shared
arm), ``B`` has 1 on the diagonal and 1/2 between two contrasts of the same study (the
correlation implied by consistency when every comparison has the same tau2).

REML: Fisher scoring on tau2 (score ``(y'PBPy - tr PB) / 2``, information
``tr(PBPB) / 2``, Harville 1977), started at the moment estimate
``max(0, (Q - df) / tr(P_0 B))``, with step halving whenever the restricted
log-likelihood would fall, never below 0; converged when a step is below
``tol * max(v_min, tau2)`` (v_min the smallest within-study variance, so that the stop
does not depend on the units). ``V`` is inverted block by block and ``P B`` is formed from
row sums, so an iteration costs O(K^2 p), not O(K^3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOL = 1e-10
MAXITER = 200


@dataclass(frozen=True, eq=False)
class Blocks:
    """Where each study's rows are: ``starts`` and, per block size, a (n, m) row-index array."""

    study_of: np.ndarray
    starts: np.ndarray
    groups: tuple

    @classmethod
    def of(cls, study_of):
        """The blocks of a list of contrast rows, each row labelled with its study.

        Parameters
        ----------
        study_of : array_like of int, shape (K,)
            The study of each row; a study's rows are adjacent.

        Returns
        -------
        Blocks
            The study index of each row, the first row of each study and, per block size, the
            row indices of the studies of that size.
        """
        study_of = np.asarray(study_of)
        starts = np.flatnonzero(np.r_[True, study_of[1:] != study_of[:-1]])
        sizes = np.diff(np.r_[starts, len(study_of)])
        groups = tuple(starts[sizes == m][:, None] + np.arange(m)[None, :] for m in np.unique(sizes))
        dense = np.unique(study_of, return_inverse=True)[1]  # 0..n-1 in order of the blocks
        return cls(dense, starts, groups)

    def inverse(self, V):
        """Inverse and log-determinant of a block-diagonal matrix.

        Parameters
        ----------
        V : ndarray, shape (K, K)
            Block diagonal in the blocks of ``self``.

        Returns
        -------
        W : ndarray, shape (K, K)
            The inverse.
        logdet : float
            log det V.

        Raises
        ------
        ValueError
            If a block is not positive definite.
        """
        W = np.zeros_like(V)
        logdet = 0.0
        for idx in self.groups:
            ii, jj = idx[:, :, None], idx[:, None, :]
            blk = V[ii, jj]
            sign, ld = np.linalg.slogdet(blk)
            if np.any(sign <= 0):
                raise ValueError("a study's covariance matrix is not positive definite; check its variances")
            W[ii, jj] = np.linalg.inv(blk)
            logdet += float(ld.sum())
        return W, logdet

    def times_b(self, A):
        """``A @ B`` for the heterogeneity structure B (1 on the diagonal, 1/2 within a study).

        Parameters
        ----------
        A : ndarray, shape (m, K)
            Any matrix with K columns.

        Returns
        -------
        ndarray, shape (m, K)
            ``A @ B`` computed from row sums per study, without forming B.
        """
        sums = np.add.reduceat(A, self.starts, axis=1)
        return 0.5 * A + 0.5 * sums[:, self.study_of]

    def b_matrix(self, K):
        """The heterogeneity structure B itself: 1 on the diagonal, 1/2 between rows of one study.

        Parameters
        ----------
        K : int
            Number of rows.

        Returns
        -------
        ndarray, shape (K, K)
            B.
        """
        same = self.study_of[:, None] == self.study_of[None, :]
        return 0.5 * same + 0.5 * np.eye(K)


@dataclass(frozen=True, eq=False)
class Fit:
    """One fitted model: coefficients, their covariance, tau2 and the residual quadratic form."""

    beta: np.ndarray
    vcov: np.ndarray
    tau2: float
    q_resid: float   # y' P y at the fitted V (the generalised residual Q)
    loglik: float    # restricted log-likelihood (up to a constant) at tau2
    iterations: int
    converged: bool


def _state(y, S, X, blocks, tau2, B):
    V = S + tau2 * B if tau2 > 0 else S
    W, logdet = blocks.inverse(V)
    WX = W @ X
    XtWX = X.T @ WX
    sign, ld_x = np.linalg.slogdet(XtWX)
    M = np.linalg.inv(XtWX)
    beta = M @ (WX.T @ y)
    P = W - WX @ M @ WX.T
    Py = P @ y
    q = float(y @ Py)
    ll = -0.5 * (logdet + ld_x + q)
    return beta, M, P, Py, q, ll


def check_rank(X, what="the network"):
    """Raise if a design matrix is not of full column rank.

    Parameters
    ----------
    X : ndarray, shape (K, p)
        Design matrix.
    what : str
        What the design belongs to, for the message.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        If the rank of ``X`` is below its number of columns (a treatment is not linked to the
        reference).
    """
    if X.shape[1] and np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError(f"the design of {what} is not of full rank; a treatment is not linked to the reference")


def fit(y, S, X, study_of, *, method="REML", tau2=None, tol=TOL, maxiter=MAXITER) -> Fit:
    """Fit the network model by fixed effect (tau2 = 0), with a given tau2, or with tau2 by REML.

    Parameters
    ----------
    y : ndarray, shape (K,)
        Contrasts (one row per non-reference arm of each study).
    S : ndarray, shape (K, K)
        Their within-study covariance (block diagonal).
    X : ndarray, shape (K, p)
        Design: the basic parameters each contrast measures.
    study_of : array_like of int, shape (K,)
        The study of each row.
    method : {"REML", "FE"}
        How tau2 is obtained when ``tau2`` is not given.
    tau2 : float, optional
        Use this heterogeneity variance instead of estimating it.
    tol : float
        Convergence: a Fisher-scoring step below ``tol * max(v_min, tau2)``, v_min the
        smallest within-study variance (so that the stop does not depend on the units).
    maxiter : int
        Most Fisher-scoring iterations.

    Returns
    -------
    Fit
        Coefficients, their covariance, tau2, the residual quadratic form, the restricted
        log-likelihood, the number of iterations and whether REML converged.

    References
    ----------
    Higgins JPT, Whitehead A (1996). Borrowing strength from external trials in a
    meta-analysis. Statistics in Medicine 15, 2733-2749.
    Salanti G (2012). Indirect and mixed-treatment comparison, network, or multiple-treatments
    meta-analysis. Research Synthesis Methods 3, 80-97.
    """
    blocks = Blocks.of(study_of)
    K, p = X.shape
    B = blocks.b_matrix(K)
    if method == "FE" or tau2 is not None:
        t = 0.0 if tau2 is None else float(tau2)
        beta, M, _, _, q, ll = _state(y, S, X, blocks, t, B)
        return Fit(beta, M, t, q, ll, 0, True)
    if K - p <= 0:  # no residual information: tau2 is not estimable
        beta, M, _, _, q, ll = _state(y, S, X, blocks, 0.0, B)
        return Fit(beta, M, 0.0, q, ll, 0, False)
    beta, M, P, Py, q, ll = _state(y, S, X, blocks, 0.0, B)
    v_min = float(np.min(np.diag(S)))  # the stop's scale: results do not depend on the units
    tr0 = float(np.trace(blocks.times_b(P)))
    t = max(0.0, (q - (K - p)) / tr0) if tr0 > 0 else 0.0
    beta, M, P, Py, q, ll = _state(y, S, X, blocks, t, B)
    converged = False
    it = 0
    for it in range(1, maxiter + 1):
        PB = blocks.times_b(P)
        BPy = blocks.times_b(Py[None, :])[0]
        score = 0.5 * (float(Py @ BPy) - float(np.trace(PB)))
        info = 0.5 * float(np.sum(PB * PB.T))
        step = score / info if info > 0 else 0.0
        if t + step < 0:
            step = -t
        if abs(step) <= tol * max(v_min, t):
            converged = True
            break
        for _ in range(60):
            new = _state(y, S, X, blocks, t + step, B)
            if new[5] >= ll - 1e-14 * max(1.0, abs(ll)):
                break
            step /= 2
        t = t + step
        beta, M, P, Py, q, ll = new
    return Fit(beta, M, float(t), q, ll, it, converged)


def design_by_treatment_matrix(data) -> np.ndarray:
    """Parameters
    ----------
    data : NetworkData
        The prepared network (:func:`evidence_lib.meta.network._arms.prepare`).

    Returns
    -------
    ndarray, shape (K, n_params)
        One column per (design, non-first treatment) pair.

    References
    ----------
    Higgins JPT et al. (2012). Research Synthesis Methods.
    """
    designs = data.designs
    cols = {}
    for d in sorted(set(designs)):
        for t in d[1:]:
            cols[(d, t)] = len(cols)
    Z = np.zeros((len(data.y), len(cols)))
    for r in range(len(data.y)):
        d = designs[data.study_of[r]]
        if data.t1[r] != d[0]:
            Z[r, cols[(d, data.t1[r])]] += 1.0
        if data.t0[r] != d[0]:
            Z[r, cols[(d, data.t0[r])]] -= 1.0
    return Z


def split_column(data, a: int, b: int) -> np.ndarray:
    """Parameters
    ----------
    data : NetworkData
        The prepared network.
    a, b : int
        Treatment indices of the comparison to split.

    Returns
    -------
    ndarray, shape (K,)
        The extra column of the node-splitting model.

    References
    ----------
    Dias S et al. (2010). Statistics in Medicine.
    """
    has = np.array([a in arms and b in arms for arms in data.arms])
    col = (data.t1 == b).astype(float) - (data.t0 == b).astype(float)
    return np.where(has[data.study_of], col, 0.0)
