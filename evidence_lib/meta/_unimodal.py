"""REML and ML estimation of tau2 with a proof, row by row, that the result is the global maximum.

Compiled with numba: each meta-analysis (a row of the core's padded batch) is fitted by
Fisher scoring and then proved, in one pass over its studies per point visited, to have no
higher peak elsewhere.  Rows without a proof are marked and searched on a likelihood grid by
:func:`evidence_lib.meta._likelihood.global_max`.  Batches of 64 or more rows are cut into
one block per core, each run by a Python thread around the compiled loop, which releases the
GIL (numba's own threading layers are avoided: GNU OpenMP terminates processes forked after
it ran).

Notation (intercept-only model; t = tau2, w_i = 1/(v_i + t), S_r = sum w_i^r,
P = W - w w'/S_1): g(t) = y'PPy, p(t) = y'PPPy; for REML d(t) = tr P and c(t) = tr PP,
for ML d(t) = S_1 and c(t) = S_2.  Twice the (RE)ML score is s = g - d and its derivative
is s' = c - 2p (Viechtbauer 2005, sec. 4).  Fisher scoring updates t by s/c; where s' < 0
inside the bracket of the root seen so far, the Newton step t - s/s' is taken instead
(quadratic convergence, same fixed point), and a step leaving the bracket is replaced by
bisection.  A step below 0 goes to 0 (metafor halves it until it is not, which tends to 0).

Facts the proof uses (the test-suite checks each on random data):

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

The cells cover [0, T], T being the bound of :func:`evidence_lib.meta._likelihood.unimodal_from`
above which every stationary point is a strict local maximum anyway (T = 0: the variances
differ by less than a factor 1.387 and the likelihood has one peak, no cells needed).  Their
ends are 0, T and the points Fisher scoring visited; a cell that passes no test is split
(at a third of its width in x = log(1 + t/v_min), on the side where the score is nearer 0)
until it does, up to ``_DEPTH`` times and ``_POINTS`` points per row.  Where every cell
passes A, B or C, every stationary point on [0, inf) is a strict local maximum, so there
is at most one, and Fisher scoring has found it (or tau2 = 0 where the score is <= 0
there).  Where some cells pass only D, the score is monotone or of one sign on every cell,
so its signs at the cells' ends list the local maxima: tau2 = 0 where the score is negative
there, one root per change from + to -, one above T where the score is positive at T.  A
point whose sign is unsure (within twice its rounding allowance of 0) may only lie between
two falling or two rising cells.  The row is proved when that leaves tau2 = 0, one
interior maximum, or both; Fisher scoring is rerun inside the interior maximum's bracket if
it ended elsewhere, and where both remain, the higher is kept (metafor's check of
tau2 = 0, here with a proof that there is no third peak).

Every comparison allows for rounding.  Each sum of positive terms is off by at most
delta = (k + 16) units of double precision relative (the sum v + t, its reciprocal, the
powers of w, the products and a summation of k terms in any order, as the compiled loops
reassociate them); a signed sum sum w^j y by at most delta A_j, A_j = sqrt(S_j sum w^j y^2)
(Cauchy-Schwarz).  With m = sqrt(sum w y^2 / S1) >= |mu| and |sum w^2 (y - mu)| <=
A_2 + m S_2, first-order propagation bounds the error of g by delta (sum w^2 y^2 + 6 m A_2
+ 5 m^2 S_2), of p by delta (sum w^3 y^2 + 6 m A_3 + 5 m^2 S_3 + 3 (A_2 + 3 m S_2)^2 / S1),
of d by 3 delta S1 and of c by 9 delta S2 (S_3/S_1 <= S_2).  The allowances are twice
these: e_gd covers g and d, e_pc covers p and c.  The estimates are centred by their plain
mean first (P annihilates constants, so nothing changes but the rounding).

References
----------
Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numba import njit

from ._likelihood import RHO
from ._units import exact_scale

_exact_scale = njit(cache=True)(exact_scale)

_U64 = float(np.finfo(np.float64).eps)
_TINY = 1e-30       # absolute allowance for underflow in the sums
_POINTS = 96        # most points per row in the proof
_DEPTH = 14         # most splits of one cell
_VISITS = 40        # most Fisher-scoring points kept for the proof
_PARALLEL_FROM = 64  # rows from which the batch is spread over the cores
_THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

# what the proof found, per row
UNPROVEN = 0        # no proof (or none attempted): the grid search decides
SINGLE = 1          # at most one stationary point, a maximum: Fisher scoring's result
AT_ZERO = 2         # the only maximum is tau2 = 0
INTERIOR = 3        # the only maximum is the root of the score in (lo, hi)
RIVAL = 4           # two maxima, tau2 = 0 and the root in (lo, hi): the higher was kept


@njit(cache=True, error_model="numpy", fastmath={"reassoc", "contract"})
def _sums(y, y2, v, t, s):
    """sum w^j, sum w^j y, sum w^j y^2 for j = 1, 2, 3 into ``s`` (w = 1/(v + t); padding
    has v = inf, so w = 0).  Reassociated (vectorised) sums: the allowances hold for any order."""
    S1 = s1y = s1y2 = S2 = s2y = s2y2 = S3 = s3y = s3y2 = 0.0
    for i in range(v.shape[0]):
        w = 1.0 / (v[i] + t)
        a = w * y[i]
        b = w * y2[i]
        S1 += w
        s1y += a
        s1y2 += b
        ww = w * w
        a *= w
        b *= w
        S2 += ww
        s2y += a
        s2y2 += b
        S3 += ww * w
        s3y += a * w
        s3y2 += b * w
    s[0] = S1
    s[1] = s1y
    s[2] = s1y2
    s[3] = S2
    s[4] = s2y
    s[5] = s2y2
    s[6] = S3
    s[7] = s3y
    s[8] = s3y2


@njit(cache=True, error_model="numpy")
def _quantities(y, y2, v, t, reml, delta, s, q, allowances=True):
    """g, p, d, c and (with ``allowances``) e_gd, e_pc at t into ``q`` (module docstring)."""
    _sums(y, y2, v, t, s)
    S1, s1y, s1y2, S2, s2y, s2y2, S3, s3y, s3y2 = s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]
    inv = 1.0 / S1
    mu = s1y * inv
    e = s2y - mu * S2
    q[0] = s2y2 - mu * (2 * s2y - mu * S2)
    q[1] = s3y2 - mu * (2 * s3y - mu * S3) - e * e * inv
    if reml:
        r = S2 * inv
        q[2] = S1 - r
        q[3] = S2 - 2 * S3 * inv + r * r
    else:
        q[2] = S1
        q[3] = S2
    if not allowances:
        return
    m2 = s1y2 * inv
    m1 = math.sqrt(m2)
    a2 = math.sqrt(S2 * s2y2)
    a3 = math.sqrt(S3 * s3y2)
    E = a2 + 3 * m1 * S2
    q[4] = 2 * delta * (s2y2 + 6 * m1 * a2 + 5 * m2 * S2 + 3 * S1) + _TINY
    q[5] = 2 * delta * (s3y2 + 6 * m1 * a3 + 5 * m2 * S3 + 3 * E * E * inv + 9 * S2) + _TINY


@njit(cache=True, error_model="numpy")
def _score(y, y2, v, t, reml, s):
    """Twice the (RE)ML score, g - d, at t."""
    _sums(y, y2, v, t, s)
    S1, s1y, S2, s2y, s2y2 = s[0], s[1], s[3], s[4], s[5]
    mu = s1y / S1
    g = s2y2 - mu * (2 * s2y - mu * S2)
    return g - (S1 - S2 / S1 if reml else S1)


@njit(cache=True, error_model="numpy")
def _fraction(num, den):
    """clip(num/den, 0, 1), with num/0 = +-inf and 0/0 = nan (nan: the bound's kink is unused)."""
    if den == 0.0:
        if num == 0.0 or num != num:
            return math.nan
        return 1.0 if (num > 0) == (math.copysign(1.0, den) > 0) else 0.0
    r = num / den
    return r if r != r else min(max(r, 0.0), 1.0)


@njit(cache=True, error_model="numpy")
def _cell_class(qa, qb, h):
    """Which test of the module docstring the cell [a, a + h] passes, from the quantities at
    its ends: 1 for A, B or C (no stationary point, or one maximum), 2 for D only (at most
    one, a minimum), 0 for none.  Each test is passed only with the rounding allowances of
    both ends on the side that makes it harder."""
    ga, pa, da, ca, ea, fa = qa[0], qa[1], qa[2], qa[3], qa[4], qa[5]
    gb, pb, db, cb, eb, fb = qb[0], qb[1], qb[2], qb[3], qb[4], qb[5]
    slack = 2 * (ea + eb) + 4 * h * (fa + fb)
    sa = ga - da
    sb = gb - db
    # A: score >= (tangents of the convex g) - (chord of the convex d), least at the tangents' kink
    low = min(sa, sb)
    x = sa - _fraction(gb - ga + 2 * pb * h, 2 * h * (pb - pa)) * (2 * pa * h + db - da)
    if x < low:
        low = x
    if low > slack:
        return 1
    # B: score <= (chord of g) - (tangents of d, slope -c), largest at the tangents' kink
    high = max(sa, sb)
    x = sa + _fraction(db - da + cb * h, h * (cb - ca)) * (gb - ga + ca * h)
    if x > high:
        high = x
    if high < -slack:
        return 1
    if 2 * (pb - fb) > ca + fa:       # C: s' <= c(a) - 2 p(b) < 0
        return 1
    if cb - fb > 2 * (pa + fa):       # D: s' >= c(b) - 2 p(a) > 0
        return 2
    return 0


@njit(cache=True, error_model="numpy")
def _climb(y, y2, v, reml, delta, t, lo, hi, tol, fisher_maxiter, bisect_maxiter, T, seen_t, seen_q, s, q):
    """Fisher scoring from t inside the bracket (lo, hi) of the score's root (score > 0 at lo
    when lo > 0, < 0 at hi); bisection of the score after ``fisher_maxiter`` steps.  The
    points visited in (0, T) are kept in ``seen_t``/``seen_q``.  Returns (tau2, kept)."""
    kept = 0
    lo_seen = lo > 0
    for _ in range(fisher_maxiter):
        # keep the point for the proof unless it is next to the last one kept
        keep = 0 < t < T and kept < seen_t.shape[0] and (kept == 0 or abs(t - seen_t[kept - 1]) > 1e-6 * t)
        _quantities(y, y2, v, t, reml, delta, s, q, keep)
        if keep:
            seen_t[kept] = t
            seen_q[kept, :] = q
            kept += 1
        score = q[0] - q[2]
        slope = q[3] - 2 * q[1]
        step = score / q[3]
        if not math.isfinite(step):
            step = 0.0
        if score > 0:
            lo = max(lo, t)
            lo_seen = True
        elif score < 0:
            hi = min(hi, t)
        new = 0.0 if t + step < 0 else t + step
        if slope < 0:
            newton = t - score / slope
            if math.isfinite(newton) and lo < newton < hi:
                new = newton
        # a bracket end is a point already visited: landing on it again cycles
        if math.isfinite(hi) and new != t and (new < lo or (new == lo and lo_seen) or new >= hi):
            new = 0.5 * (lo + hi)
        if abs(new - t) <= tol * max(1.0, new):
            return new, kept
        t = new
    # Fisher scoring oscillates (metafor stops with an error): bisection of the score
    if not math.isfinite(hi):
        hi = max(1.0, 2 * lo)
        for _ in range(200):
            if _score(y, y2, v, hi, reml, s) <= 0:
                break
            hi *= 4
    for _ in range(bisect_maxiter):
        mid = 0.5 * (lo + hi)
        if _score(y, y2, v, mid, reml, s) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= tol * max(1.0, hi):
            break
    return 0.5 * (lo + hi), kept


@njit(cache=True, error_model="numpy")
def _insert(pt, pq, pd, n, i, t, q, depth):
    for j in range(n, i, -1):
        pt[j] = pt[j - 1]
        pq[j, :] = pq[j - 1, :]
        pd[j] = pd[j - 1]
    pt[i] = t
    pq[i, :] = q
    pd[i] = depth


@njit(cache=True, error_model="numpy")
def _prove(y, y2, v, reml, delta, T, vmin, seen_t, seen_q, kept, s, q, pt, pq, pd, pc):
    """The proof of the module docstring for one row.  Returns (outcome, lo, hi): one of
    UNPROVEN, SINGLE, AT_ZERO, INTERIOR, RIVAL, and the interior maximum's bracket."""
    _quantities(y, y2, v, 0.0, reml, delta, s, q)
    pt[0] = 0.0
    pq[0, :] = q
    _quantities(y, y2, v, T, reml, delta, s, q)
    pt[1] = T
    pq[1, :] = q
    pd[0] = pd[1] = 0
    n = 2
    for r in range(kept):
        tr = seen_t[r]
        i = 1
        while pt[i] < tr:
            i += 1
        if pt[i] != tr and pt[i - 1] != tr:
            _insert(pt, pq, pd, n, i, tr, seen_q[r], 0)
            n += 1
    rising = False
    i = 0
    while i < n - 1:
        c = _cell_class(pq[i], pq[i + 1], pt[i + 1] - pt[i])
        if c == 0:
            if pd[i] >= _DEPTH or n >= pt.shape[0]:
                return UNPROVEN, math.nan, math.nan
            xa = math.log1p(pt[i] / vmin)
            xb = math.log1p(pt[i + 1] / vmin)
            near_a = abs(pq[i, 0] - pq[i, 2]) < abs(pq[i + 1, 0] - pq[i + 1, 2])
            tm = vmin * math.expm1(xa + (xb - xa) * (1.0 / 3.0 if near_a else 2.0 / 3.0))
            if not pt[i] < tm < pt[i + 1]:
                return UNPROVEN, math.nan, math.nan
            _quantities(y, y2, v, tm, reml, delta, s, q)
            pd[i] += 1
            _insert(pt, pq, pd, n, i + 1, tm, q, pd[i])
            n += 1
            continue
        rising |= c == 2
        pc[i] = c
        i += 1
    if not rising:
        return SINGLE, math.nan, math.nan
    # the local maxima from the signs of the score at every point
    found = 0
    lo = hi = math.nan
    prev = 0
    for j in range(n):
        sc = pq[j, 0] - pq[j, 2]
        e = 2 * pq[j, 4]
        sign = 1 if sc > e else (-1 if sc < -e else 0)
        if sign == 0:
            if j == 0 or j == n - 1 or pc[j - 1] != pc[j]:
                return UNPROVEN, math.nan, math.nan
            continue
        if prev > 0 and sign < 0:
            found += 1
            lo, hi = pt[j - 1], pt[j]
        prev = sign
    if prev > 0:
        found += 1
        lo, hi = pt[n - 1], math.inf
    at_zero = pq[0, 0] - pq[0, 2] < 0
    if found > 1:
        return UNPROVEN, math.nan, math.nan
    if found == 0:
        return AT_ZERO, math.nan, math.nan
    return (RIVAL if at_zero else INTERIOR), lo, hi


@njit(cache=True, error_model="numpy")
def _loglik_part(y, v, t, reml):
    """The (restricted) log-likelihood at t without its constant (y centred)."""
    S1 = s1y = s1y2 = L = 0.0
    for i in range(v.shape[0]):
        if v[i] < math.inf:
            vt = v[i] + t
            w = 1.0 / vt
            L += math.log(vt)
            S1 += w
            s1y += w * y[i]
            s1y2 += w * y[i] * y[i]
    ll = -0.5 * L - 0.5 * (s1y2 - s1y * s1y / S1)
    return ll - 0.5 * math.log(S1) if reml else ll


@njit(cache=True, error_model="numpy")
def _centre(yr, vr, y, y2, v):
    """One row in the units of its smallest variance (:mod:`evidence_lib.meta._units`):
    ``v`` = vr / c and ``y`` = (yr - mean) / sqrt(c) (0 in padding), ``y2`` = y^2, so that the
    fit's tolerances and sums do not depend on the data's units.
    Returns (k, c, min v, max v, Hedges' estimate), all but k in the new units."""
    k = 0
    total = sv = 0.0
    vmin, vmax = math.inf, 0.0
    for i in range(vr.shape[0]):
        if vr[i] < math.inf:
            k += 1
            total += yr[i]
            vmin = min(vmin, vr[i])
            vmax = max(vmax, vr[i])
    half, c = _exact_scale(vmin) if k else (1.0, 1.0)
    mean = total / max(k, 1)
    rss = 0.0
    for i in range(vr.shape[0]):
        if vr[i] < math.inf:
            d = (yr[i] - mean) * half
            v[i] = vr[i] * (half * half)
            sv += v[i]
        else:
            d = 0.0
            v[i] = math.inf
        y[i] = d
        y2[i] = d * d
        rss += d * d
    hedges = max(0.0, (rss - sv * (1 - 1 / k)) / (k - 1)) if k > 1 else 0.0
    return k, c, vmin / c, vmax / c, hedges


@njit(cache=True, error_model="numpy", nogil=True)
def _fit_block(Y, V, init, lo, hi, reml, tol, fisher_maxiter, bisect_maxiter, prove, tau2, outcome, blo, bhi, first, last):
    n, K = V.shape
    y, y2, v = np.empty(K), np.empty(K), np.empty(K)
    s, q = np.empty(9), np.empty(6)
    seen_t, seen_q = np.empty(_VISITS), np.empty((_VISITS, 6))
    pt, pq = np.empty(_POINTS), np.empty((_POINTS, 6))
    pd, pc = np.empty(_POINTS, np.int64), np.empty(_POINTS, np.int64)
    for r in range(first, last):
        k, c, vmin, vmax, hedges = _centre(Y[r], V[r], y, y2, v)
        blo[r] = bhi[r] = math.nan
        outcome[r] = SINGLE
        if k < 2:
            tau2[r] = 0.0
            continue
        delta = (k + 16) * _U64
        T = max(0.0, (vmax - RHO * vmin) / (RHO - 1)) if prove else 0.0
        start = init[r] / c if init[r] == init[r] else hedges
        t, kept = _climb(y, y2, v, reml, delta, start, lo[r] / c, hi[r] / c, tol, fisher_maxiter,
                         bisect_maxiter, T, seen_t, seen_q, s, q)
        if not prove:
            outcome[r] = UNPROVEN
        elif T > 0:
            found, a, b = _prove(y, y2, v, reml, delta, T, vmin, seen_t, seen_q, kept, s, q, pt, pq, pd, pc)
            outcome[r], blo[r], bhi[r] = found, a * c, b * c
            if found == AT_ZERO:
                t = 0.0
            elif found == INTERIOR or found == RIVAL:
                if not a < t < b:  # Fisher scoring ended elsewhere: climb the proved peak
                    t, _ = _climb(y, y2, v, reml, delta, 0.5 * (a + b) if b < math.inf else a, a, b,
                                  tol, fisher_maxiter, bisect_maxiter, 0.0, seen_t, seen_q, s, q)
                if found == RIVAL and _loglik_part(y, v, 0.0, reml) >= _loglik_part(y, v, t, reml):
                    t = 0.0
        tau2[r] = t * c


@njit(cache=True, error_model="numpy")
def _score_rows(Y, V, t, reml, out):
    n, K = V.shape
    y, y2, v, s = np.empty(K), np.empty(K), np.empty(K), np.empty(9)
    for r in range(n):
        c = _centre(Y[r], V[r], y, y2, v)[1]
        out[r] = _score(y, y2, v, t[r] / c, reml, s) / c


_POOL = []  # the worker threads, made on first use; a forked child starts without them


def _workers():
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=max(1, _THREADS - 1), thread_name_prefix="evidence-tau2"))
    return _POOL[0]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_POOL.clear)


@dataclass(frozen=True)
class Fit:
    """REML or ML estimates of tau2 and what the proof found (:func:`fit`).

    Attributes
    ----------
    tau2 : ndarray, shape (n,)
        The estimate per row (0 for k = 1).
    outcome : ndarray of int8, shape (n,)
        UNPROVEN, SINGLE, AT_ZERO, INTERIOR or RIVAL (module constants).
    lo, hi : ndarray, shape (n,)
        On INTERIOR and RIVAL rows, the bracket of the interior maximum (score > 0 at ``lo``,
        < 0 at ``hi``; ``hi`` is inf where the score is still positive at T); NaN elsewhere.
    """

    tau2: np.ndarray
    outcome: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    @property
    def proved(self):
        """Rows whose estimate is proved to be the global maximum."""
        return self.outcome != UNPROVEN

    @property
    def rival(self):
        """Rows with two maxima, tau2 = 0 and one interior peak, of which the higher was kept."""
        return self.outcome == RIVAL


def fit(Y, V, reml, *, tol=1e-12, fisher_maxiter=100, bisect_maxiter=1000, tau2_init=None,
        bracket=None, prove=True):
    """REML or ML tau2 per row by Fisher scoring and, with ``prove``, the proof that it is
    the global maximum (module docstring).

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Estimates and sampling variances, one meta-analysis per row, padded as by
        :func:`evidence_lib.meta._core.as_batch` (y = 0, v = inf).
    reml : bool
        Restricted (True) or full (False) likelihood.
    tol : float
        A row stops when its Fisher-scoring step is below ``tol * max(c, tau2)``, c being the
        power of 4 nearest the row's smallest sampling variance (so that the stop does not
        depend on the data's units).
    fisher_maxiter : int
        Most Fisher-scoring steps before bisection takes over (metafor's ``maxiter``).
    bisect_maxiter : int
        Most bisection steps.
    tau2_init : array_like, optional
        Starting values per row (NaN: Hedges' estimator, metafor's start).
    bracket : tuple of array_like, optional
        Per row, a point where the score is positive (0 where unknown) and one where it is
        negative (inf where unknown); the iteration stays between them.
    prove : bool
        Attempt the proof; without it every row is UNPROVEN.

    Returns
    -------
    Fit

    References
    ----------
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
    """
    Y = np.ascontiguousarray(Y, dtype=float)
    V = np.ascontiguousarray(V, dtype=float)
    n = Y.shape[0]
    init = np.full(n, np.nan) if tau2_init is None else np.array(np.broadcast_to(tau2_init, (n,)), dtype=float)
    if bracket is None:
        lo, hi = np.zeros(n), np.full(n, np.inf)
    else:
        lo, hi = (np.array(np.broadcast_to(b, (n,)), dtype=float) for b in bracket)
    tau2, lo_out, hi_out = np.empty(n), np.empty(n), np.empty(n)
    outcome = np.empty(n, np.int8)
    args = (Y, V, init, lo, hi, bool(reml), float(tol), int(fisher_maxiter), int(bisect_maxiter),
            bool(prove), tau2, outcome, lo_out, hi_out)
    blocks = min(_THREADS, n // _PARALLEL_FROM) or 1
    ends = [n * b // blocks for b in range(blocks + 1)]
    # one block of rows per core: Python threads around the compiled loop, which releases the
    # GIL (no numba threading layer, so nothing breaks in processes forked after a fit);
    # each row's result is the same whatever its block
    others = [_workers().submit(_fit_block, *args, ends[b], ends[b + 1]) for b in range(1, blocks)]
    _fit_block(*args, ends[0], ends[1])
    for job in others:
        job.result()
    return Fit(tau2=tau2, outcome=outcome, lo=lo_out, hi=hi_out)


def score(Y, V, t, reml):
    """Twice the (RE)ML score, y'PPy - tr P (ML: y'PPy - S1), per row at tau2 = ``t``.

    Parameters
    ----------
    Y, V : ndarray, shape (n, K)
        Padded estimates and variances (y = 0, v = inf in padding).
    t : array_like, shape (n,)
        tau2 per row.
    reml : bool
        Restricted (True) or full (False) likelihood.

    Returns
    -------
    ndarray, shape (n,)

    References
    ----------
    Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics 30(3), 261-293.
    """
    Y = np.ascontiguousarray(Y, dtype=float)
    V = np.ascontiguousarray(V, dtype=float)
    out = np.empty(Y.shape[0])
    _score_rows(Y, V, np.array(np.broadcast_to(t, (Y.shape[0],)), dtype=float), bool(reml), out)
    return out
