"""Normal mixtures: the posterior of mu in :mod:`evidence_lib.meta.bayes` is one per row.

A row's mixture has weights ``w``, means ``m`` and standard deviations ``s`` (or variances
``var``), one component per node of the integration over tau.  Helpers for its distribution
function, tails, density, quantiles (Newton steps inside a shrinking bracket) and summary.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special


def _mix_cdf(q, w, m, s):
    return (w * special.ndtr((q[:, None] - m) / s)).sum(axis=1)


def _mix_sf(q, w, m, s):
    return (w * special.ndtr((m - q[:, None]) / s)).sum(axis=1)


def _mix_quantile(p, w, m, s, mean, sd):
    """Quantile p of each row's normal mixture: Newton steps kept inside a shrinking bracket.

    Rows are dropped from the iteration once converged (step below 1e-12 relative).
    """
    q = mean + sd * special.ndtri(p)
    lo = np.full_like(q, -np.inf)
    hi = np.full_like(q, np.inf)
    active = np.arange(len(q))
    root2pi = math.sqrt(2 * math.pi)
    for _ in range(200):
        qa, wa, ma, sa = q[active], w[active], m[active], s[active]
        z = (qa[:, None] - ma) / sa
        f = (wa * special.ndtr(z)).sum(axis=1) - p[active]
        dens = (wa * np.exp(-0.5 * z * z) / (sa * root2pi)).sum(axis=1)
        la = np.where(f < 0, qa, lo[active])
        ha = np.where(f > 0, qa, hi[active])
        lo[active], hi[active] = la, ha
        with np.errstate(divide="ignore", invalid="ignore"):
            nq = qa - f / dens
        outside = ~np.isfinite(nq) | (nq <= la) | (nq >= ha)
        # outside the bracket: halve towards the bracket's far end (or step by sd if still open)
        with np.errstate(invalid="ignore"):
            fallback = np.where(np.isfinite(la) & np.isfinite(ha), 0.5 * (la + ha),
                                np.where(f < 0, qa + sd[active], qa - sd[active]))
        nq = np.where(outside, fallback, nq)
        done = (np.abs(nq - qa) <= 1e-12 * (1 + np.abs(qa))) | (f == 0)
        q[active] = nq
        active = active[~done]
        if active.size == 0:
            break
    return q


def _mix_summary(w, m, var):
    s = np.sqrt(var)
    mean = (w * m).sum(axis=1)
    sd = np.sqrt(np.maximum((w * (var + m * m)).sum(axis=1) - mean ** 2, 0.0))
    qs = [_mix_quantile(np.full(len(w), p), w, m, s, mean, sd) for p in (0.5, 0.025, 0.975)]
    return mean, sd, qs


def _plot_grid(w, m, var, mean, sd, n=401):
    """An equally spaced grid from the 0.05% to the 99.95% quantile of a normal mixture."""
    s = np.sqrt(var)
    lo, hi = (_mix_quantile(np.array([p]), w, m, s, mean, sd)[0] for p in (0.0005, 0.9995))
    return np.linspace(lo, hi, n)


def _mix_pdf(grid, w, m, s):
    z = (grid[:, None] - m[None, :]) / s[None, :]
    return (w[None, :] * np.exp(-0.5 * z * z) / (s[None, :] * math.sqrt(2 * math.pi))).sum(axis=1)
