"""A proof, row by row, that the (restricted) likelihood of tau2 has a single peak (numpy only).

Fisher scoring finds *a* root of the score.  Where the likelihood may have several peaks,
:mod:`evidence_lib.meta._likelihood` searches a 25-point grid for a higher one, and a peak
narrower than a grid cell can still hide from it.  Most meta-analyses can instead be
*shown* to have one peak, and then no search is needed.  This module gives that proof
from a few evaluations of quantities whose monotonicity and convexity in tau2 are known.

Notation (intercept-only model; t = tau2, w_i = 1/(v_i + t), S_r = sum w_i^r,
P = W - w w'/S_1): g(t) = y'PPy, p(t) = y'PPPy; for REML d(t) = tr P and c(t) = tr PP,
for ML d(t) = S_1 and c(t) = S_2.  Twice the (RE)ML score is s = g - d and its derivative
is s' = c - 2p (Viechtbauer 2005, sec. 4).

Facts used (the test-suite checks each on random data):

1. dP/dt = -PP.  Hence g' = -2p <= 0 and g'' = 6 y'P^4y >= 0 (g falls and is convex);
   p' = -3 y'P^4y <= 0; (tr P)' = -tr PP <= 0 and (tr P)'' = 2 tr PPP >= 0; (tr PP)' =
   -2 tr PPP <= 0; S_1' = -S_2, S_1'' = 2 S_3 >= 0; S_2 falls.  So g and d fall and are
   convex, with known slopes -2p and -c; p and c fall.
2. On a cell [a, b]:
   A. s > 0 throughout if the lower bound (largest tangent of g) - (chord of d) is > 0;
      it is piecewise linear, so its least value is at a, at b or where the tangents at
      a and b cross.
   B. s < 0 throughout if the upper bound (chord of g) - (largest tangent of d) is < 0,
      checked the same way.
   C. s' < 0 throughout if 2 p(b) > c(a), since p(t) >= p(b) and c(t) <= c(a).
   D. s' > 0 throughout if c(b) > 2 p(a), since c(t) >= c(b) and p(t) <= p(a).
   A cell passing A or B holds no stationary point; one passing C holds at most one,
   a strict local maximum; one passing D at most one, a strict local minimum.

A row is certified when every cell of [0, T] passes A, B, C or D, T being the bound of
:func:`evidence_lib.meta._likelihood.unimodal_from` above which every stationary point is
a strict local maximum anyway, and the maxima this leaves are tau2 = 0 and at most one
root of the score.  Without D cells every stationary point on [0, inf) is a strict local
maximum, so there is at most one (two would enclose a minimum): if the score at 0 is
<= 0 the maximum is tau2 = 0, otherwise it is the one root of the score, which Fisher
scoring (kept inside a bracket) finds.  With D cells the score is monotone or of one sign
on every cell, so its signs at the cells' ends list the local maxima: tau2 = 0 where the
score is negative there, one root per change from + to -, one above T where the score is
positive at T.  When that is tau2 = 0 and one root, both are compared (as metafor's check
of tau2 = 0 does, here with the proof that there is no third).  Cells that pass no test
are split, up to ``depth`` times; rows left with such a cell, or with two interior maxima,
are not certified and get the grid search.  Every comparison allows for the rounding of
the sums (single precision in the first pass where that is safe; :func:`_quantities`).

References
----------
Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


_U64 = float(np.finfo(np.float64).eps)
_U32 = float(np.finfo(np.float32).eps)
_TINY = 1e-30  # absolute allowance for single-precision underflow in the sums
_SINGLE_K = 64  # single precision for the first pass up to this many studies
_CELLS = 1 << 15  # work-space cap per block of rows (cells of the (rows, points, studies) array)


def _sums(Yc, Yc2, V, T, dtype):
    """Sums over studies at each (row, point), computed in ``dtype``: (9, n, G) float64 with
    sum w^j, sum w^j y, sum w^j y^2 for j = 1, 2, 3 (w = 1/(v + t))."""
    n, K = Yc.shape
    G = T.shape[1]
    M = np.empty((n, K, 3), dtype)
    M[..., 0] = 1.0
    M[..., 1] = Yc
    M[..., 2] = Yc2
    if dtype != np.float64:
        V, T = V.astype(dtype), T.astype(dtype)
    out = np.empty((n, G, 9), dtype)
    rows = max(1, _CELLS * (8 // np.dtype(dtype).itemsize) // (K * G))
    W = np.empty((min(rows, n), G, K), dtype)
    Wj = np.empty_like(W)
    for s in range(0, n, rows):
        sl = slice(s, min(n, s + rows))
        m = sl.stop - s
        w, wj = W[:m], Wj[:m]
        np.add(V[sl, None, :], T[sl, :, None], out=w)
        np.reciprocal(w, out=w)
        np.matmul(w, M[sl], out=out[sl, :, 0:3])
        np.multiply(w, w, out=wj)
        np.matmul(wj, M[sl], out=out[sl, :, 3:6])
        wj *= w
        np.matmul(wj, M[sl], out=out[sl, :, 6:9])
    return np.moveaxis(out, 2, 0).astype(np.float64)


def _quantities(m, reml, delta):
    """g = y'PPy, p = y'PPPy, d, c (REML: tr P, tr PP; ML: S1, S2) and two rounding
    allowances, from the sums ``m`` of :func:`_sums`: rows g, p, d, c, e_gd, e_pc.

    ``delta`` bounds the relative error of each sum of positive terms: (K + 16) units of
    the precision used covers the conversion of v, t and y, the sum v + t, its reciprocal,
    the powers of w, the products and a summation of K terms.  A signed sum sum w^j y is
    then off by at most delta A_j, A_j = sqrt(S_j sum w^j y^2) >= sum w^j |y|
    (Cauchy-Schwarz).  With m = sqrt(sum w y^2 / S1) >= |mu| (mu's error <= 2 delta m)
    and |sum w^2 (y - mu)| <= A_2 + m S_2, first-order propagation through the formulas
    below bounds the error of g by delta (sum w^2 y^2 + 6 m A_2 + 5 m^2 S_2), of p by
    delta (sum w^3 y^2 + 6 m A_3 + 5 m^2 S_3 + 3 (A_2 + 3 m S_2)^2 / S1), of d by
    3 delta S1 and of c by 9 delta S2 (S_3/S_1 <= S_2).  The allowances are twice these:
    e_gd covers g and d, e_pc covers p and c; both add 1e-30 for single-precision
    underflow.
    """
    S1, s1y, s1y2, S2, s2y, s2y2, S3, s3y, s3y2 = m
    out = np.empty((6,) + m.shape[1:])
    mu = s1y / S1
    e = s2y - mu * S2                     # sum w^2 (y - mu)
    out[0] = s2y2 - mu * (2 * s2y - mu * S2)
    out[1] = s3y2 - mu * (2 * s3y - mu * S3) - e * e / S1
    if reml:
        r = S2 / S1
        out[2] = S1 - r
        out[3] = S2 - 2 * S3 / S1 + r * r
    else:
        out[2], out[3] = S1, S2
    m2 = s1y2 / S1
    m1 = np.sqrt(m2)
    A2, A3 = np.sqrt(S2 * s2y2), np.sqrt(S3 * s3y2)
    E = A2 + 3 * m1 * S2
    out[4] = 2 * delta * (s2y2 + 6 * m1 * A2 + 5 * m2 * S2 + 3 * S1) + _TINY
    out[5] = 2 * delta * (s3y2 + 6 * m1 * A3 + 5 * m2 * S3 + 3 * E * E / S1 + 9 * S2) + _TINY
    return out


def _cell_class(a, b, h):
    """Which test of the module docstring each cell [t_a, t_a + h] passes: 1 where A, B or
    C holds (no stationary point, or at most one and it is a maximum), 2 where only D holds
    (at most one, a minimum), 0 where none does.

    ``a`` and ``b`` hold the rows of :func:`_quantities` at the cells' ends.  Each test
    is passed only with the rounding allowances of both ends on the side that makes it
    harder (the bounds between the ends are exact consequences of convexity).
    """
    ga, pa, da, ca, ea, fa = a
    gb, pb, db, cb, eb, fb = b
    slack = 2 * (ea + eb) + 4 * h * (fa + fb)
    sa, sb = ga - da, gb - db                       # the score (times 2) at the ends
    with np.errstate(divide="ignore", invalid="ignore"):
        # score >= (tangents of the convex g) - (chord of the convex d): least at the tangents' kink
        u = np.clip((gb - ga + 2 * pb * h) / (2 * h * (pb - pa)), 0.0, 1.0)
        low = np.fmin(np.minimum(sa, sb), sa - u * (2 * pa * h + db - da))
        # score <= (chord of g) - (tangents of d, slope -c): largest at the tangents' kink
        v = np.clip((db - da + cb * h) / (h * (cb - ca)), 0.0, 1.0)
        high = np.fmax(np.maximum(sa, sb), sa + v * (gb - ga + ca * h))
    ok = low > slack                  # A: score > 0 throughout
    ok |= high < -slack               # B: score < 0 throughout
    ok |= 2 * (pb - fb) > ca + fa     # C: score falls throughout (s' <= c(a) - 2 p(b))
    rise = cb - fb > 2 * (pa + fa)    # D: score rises throughout (s' >= c(b) - 2 p(a))
    return np.where(ok, 1, np.where(rise, 2, 0)).astype(np.int8)


@dataclass(frozen=True)
class Rows:
    """Per-row data the certificate uses (:func:`prepare`).

    Attributes
    ----------
    Yc, Yc2 : ndarray, shape (n, K)
        Estimates centred by their plain mean (0 in padding), and their squares.
    ymax2 : ndarray, shape (n,)
        max (y - mean y)^2.
    vmin, vmax : ndarray, shape (n,)
        Smallest and largest sampling variance.
    """

    Yc: np.ndarray
    Yc2: np.ndarray
    ymax2: np.ndarray
    vmin: np.ndarray
    vmax: np.ndarray


@dataclass(frozen=True)
class FirstPass:
    """The quantities at the first points of each row (:func:`first_pass`).

    Attributes
    ----------
    t : ndarray, shape (n, points)
        The points, increasing from 0 to T.
    q : ndarray, shape (6, n, points)
        The rows of :func:`_quantities` there.
    start : ndarray, shape (n,)
        A start for Fisher scoring: 0 where the score at 0 is <= 0, T where it is still
        positive at T, else the root of a cubic interpolant of the score on the first
        cell where it changes sign.
    single : bool
        Whether the sums were computed in single precision.
    """

    t: np.ndarray
    q: np.ndarray
    start: np.ndarray
    single: bool


def prepare(Y, V, k):
    """Per-row data the certificate uses: centred y, its square, max (y - mean)^2, min and max v.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    k : ndarray of int, shape (n,)
        Number of studies per row.

    Returns
    -------
    Rows
    """
    K = Y.shape[1]
    fin = np.isfinite(V)
    Yc = Y - ((Y @ np.ones(K)) / np.asarray(k, float))[:, None]
    Vt = np.ascontiguousarray(V.T)
    if not fin.all():
        Yc = np.where(fin, Yc, 0.0)
        Vt = np.where(np.isfinite(Vt), Vt, np.nan)
    Yc2 = Yc * Yc
    return Rows(Yc=Yc, Yc2=Yc2, ymax2=np.fmax.reduce(np.ascontiguousarray(Yc2.T)),
                vmin=np.fmin.reduce(Vt), vmax=np.fmax.reduce(Vt))


def first_pass(rows, V, T, reml, *, points=13):
    """The quantities at ``points`` points from 0 to T, even in x = log(1 + t/v_min), and
    a start for Fisher scoring.

    Single precision where that is safe (K <= 64 and every value far from the float32
    limits); its rounding is in the allowances of :func:`_quantities`.

    Parameters
    ----------
    rows : Rows
        From :func:`prepare`.
    V : ndarray, shape (n, K)
        Padded variances.
    T : ndarray, shape (n,)
        Per row, the bound of :func:`evidence_lib.meta._likelihood.unimodal_from` (> 0).
    reml : bool
        Restricted (True) or full (False) likelihood.
    points : int
        Points per row (at least 2: 0 and T).

    Returns
    -------
    FirstPass
    """
    K = V.shape[1]
    vmin = rows.vmin
    x = np.linspace(0.0, 1.0, points)[None, :] * np.log1p(T / vmin)[:, None]
    t = vmin[:, None] * np.expm1(x)
    t[:, -1] = T
    single = bool(K <= _SINGLE_K and vmin.min() >= 1e-6 and (rows.vmax + T).max() <= 1e12
                  and rows.ymax2.max() <= 1e12)
    dtype, delta = (np.float32, (K + 16) * _U32) if single else (np.float64, (K + 16) * _U64)
    q = _quantities(_sums(rows.Yc, rows.Yc2, V, t, dtype), reml, delta)
    return FirstPass(t=t, q=q, start=_start(q, t, T, vmin), single=single)


@dataclass(frozen=True)
class Certificate:
    """Where the proof holds (:func:`certify`) and what it leaves to compare.

    Attributes
    ----------
    ok : ndarray of bool, shape (n,)
        The maximum is tau2 = 0 or the one root of the score with a sign change from + to
        -, and ``rival`` says whether both have to be compared.
    rival : ndarray of bool, shape (n,)
        Rows with exactly two local maxima: tau2 = 0 (the score is negative there) and one
        root of the score in ``(lo, hi)``; the higher of the two is the maximum.
    lo, hi : ndarray, shape (n,)
        On ``rival`` rows, a bracket of the interior maximum (score > 0 at ``lo``, < 0 at
        ``hi``; ``hi`` is inf where the score is still positive at T); NaN elsewhere.
    """

    ok: np.ndarray
    rival: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def certify(rows, V, T, first, reml, *, split=3, depth=2):
    """Rows whose likelihood provably has at most one interior peak, and where tau2 = 0
    competes with it.

    The cells are the gaps between each row's first-pass points (increasing, from 0 to
    T); a cell that passes no test of the module docstring is split evenly in
    x = log(1 + t/v_min) into ``split`` cells, up to ``depth`` times.  Where every cell
    passes A, B or C, every stationary point on [0, inf) is a strict local maximum, so
    there is at most one.  Where some cells pass only D (the score rises there: at most
    one stationary point in the cell, a minimum), the score is monotone or of one sign on
    every cell, so its sign at the cells' ends (outside their rounding allowances) shows
    every local maximum: tau2 = 0 if the score is negative there, one per change of sign
    from + to -, and one above T if the score is positive at T.  Such a row is certified
    when that leaves tau2 = 0 and at most one other maximum (``rival``).

    Parameters
    ----------
    rows : Rows
        From :func:`prepare`.
    V : ndarray, shape (n, K)
        Padded variances.
    T : ndarray, shape (n,)
        Per row, the bound of :func:`evidence_lib.meta._likelihood.unimodal_from` (> 0).
    first : FirstPass
        From :func:`first_pass`.
    reml : bool
        Restricted (True) or full (False) likelihood.
    split : int
        Cells each open cell is split into, per level.
    depth : int
        Most levels of splitting.

    Returns
    -------
    Certificate

    References
    ----------
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
    """
    n, K = V.shape
    vmin, Yc, Yc2, t, q = rows.vmin, rows.Yc, rows.Yc2, first.t, first.q
    cls = _cell_class(q[:, :, :-1], q[:, :, 1:], t[:, 1:] - t[:, :-1])
    rising = (cls == 2).any(axis=1)
    r, c = np.nonzero(cls == 0)
    ta, tb = t[r, c], t[r, c + 1]
    qa, qb = q[:, r, c], q[:, r, c + 1]
    ok = np.ones(n, bool)
    f = np.linspace(0.0, 1.0, split + 1)
    d64 = (K + 16) * _U64
    extra = []  # (row, t, score, allowance) at the split points
    for level in range(depth + 1):
        if not r.size:
            break
        if level == depth:
            ok[r] = False
            break
        vr = vmin[r]
        xa, xb = np.log1p(ta / vr), np.log1p(tb / vr)
        ts = vr[:, None] * np.expm1(xa[:, None] + (xb - xa)[:, None] * f[None, :])
        ts[:, 0], ts[:, -1] = ta, tb
        qs = np.empty((6,) + ts.shape)
        qs[:, :, 0], qs[:, :, -1] = qa, qb
        # inner points in double precision; the ends too on the first split if the first
        # pass was single precision (its wider allowances would stay with the end cells)
        inner = slice(1, -1) if level or not first.single else slice(None)
        qs[:, :, inner] = _quantities(_sums(Yc[r], Yc2[r], V[r], ts[:, inner], np.float64), reml, d64)
        sub = _cell_class(qs[:, :, :-1], qs[:, :, 1:], ts[:, 1:] - ts[:, :-1])
        rising[r[(sub == 2).any(axis=1)]] = True
        extra.append((np.repeat(r, split - 1), ts[:, 1:-1].ravel(),
                      (qs[0, :, 1:-1] - qs[2, :, 1:-1]).ravel(), qs[4, :, 1:-1].ravel()))
        r2, c2 = np.nonzero(sub == 0)
        r, ta, tb = r[r2], ts[r2, c2], ts[r2, c2 + 1]
        qa, qb = qs[:, r2, c2], qs[:, r2, c2 + 1]
    rival = np.zeros(n, bool)
    lo, hi = np.full(n, np.nan), np.full(n, np.nan)
    for i in np.flatnonzero(ok & rising):
        ti, si, ei = t[i].copy(), q[0, i] - q[2, i], q[4, i].copy()
        for row, te, se, ee in extra:
            mine = row == i
            ti, si, ei = np.append(ti, te[mine]), np.append(si, se[mine]), np.append(ei, ee[mine])
        unsure = np.abs(si) <= 2 * ei
        if unsure.any() and first.single:  # again in double precision (smaller allowances)
            qd = _quantities(_sums(Yc[i:i + 1], Yc2[i:i + 1], V[i:i + 1], ti[None, unsure], np.float64),
                             reml, d64)
            si[unsure], ei[unsure] = qd[0, 0] - qd[2, 0], qd[4, 0]
        ok[i], rival[i], lo[i], hi[i] = _maxima(ti, si, ei)
    return Certificate(ok=ok, rival=rival, lo=lo, hi=hi)


def _maxima(t, s, e):
    """For a row with rising cells: (certified, rival, lo, hi) from the score ``s`` (with
    allowance ``e``) at all its points ``t`` (see :func:`certify`).  A sign within twice its
    allowance of 0 is unknown, and the row is then not certified."""
    order = np.argsort(t, kind="stable")
    t, s, e = t[order], s[order], e[order]
    sign = np.where(s > 2 * e, 1, np.where(s < -2 * e, -1, 0))
    if (sign == 0).any():
        return False, False, np.nan, np.nan
    falls = np.flatnonzero((sign[:-1] > 0) & (sign[1:] < 0))   # + to -: a maximum in between
    inner = [(t[j], t[j + 1]) for j in falls] + ([(t[-1], np.inf)] if sign[-1] > 0 else [])
    at_zero = sign[0] < 0
    if len(inner) > 1 or (len(inner) == 1 and not at_zero):
        # one interior maximum and no boundary one is the single-peak case, which the
        # start of first_pass already brackets; two interior maxima are left to the grid
        return len(inner) == 1, False, np.nan, np.nan
    if not inner:
        return True, False, np.nan, np.nan
    return True, True, inner[0][0], inner[0][1]


def _start(q, t, T, vmin):
    """Fisher scoring's start from the first pass (see :func:`first_pass`): the root of the
    cubic Hermite interpolant of the score, in x = log(1 + t/v_min), on the first cell where
    the score changes sign (values and slopes at both ends are known; a few Newton steps on
    the cubic, kept in the cell)."""
    n, G = t.shape
    score = q[0] - q[2]
    slope = q[3] - 2 * q[1]  # d score / dt (both times 2)
    pos = score > 0
    j = np.clip(np.argmin(pos, axis=1), 1, G - 1)  # first point with score <= 0
    ar = np.arange(n)
    ia, ib = (ar, j - 1), (ar, j)
    xa, xb = np.log1p(t[ia] / vmin), np.log1p(t[ib] / vmin)
    h = xb - xa
    sa, sb = score[ia], score[ib]
    ma, mb = slope[ia] * (vmin + t[ia]) * h, slope[ib] * (vmin + t[ib]) * h  # d score / du, u in [0, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.clip(sa / (sa - sb), 0.0, 1.0)
        u = np.where(np.isfinite(u), u, 0.5)
        for _ in range(4):
            u2, u3 = u * u, u * u * u
            f = (2 * u3 - 3 * u2 + 1) * sa + (u3 - 2 * u2 + u) * ma + (3 * u2 - 2 * u3) * sb + (u3 - u2) * mb
            df = 6 * (u2 - u) * (sa - sb) + (3 * u2 - 4 * u + 1) * ma + (3 * u2 - 2 * u) * mb
            u = np.clip(np.where(df < 0, u - f / df, u), 0.0, 1.0)
    guess = vmin * np.expm1(xa + u * h)
    return np.where(~pos[:, 0], 0.0, np.where(pos.all(axis=1), T, guess))
