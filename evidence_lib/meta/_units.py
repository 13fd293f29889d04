"""The exact change of units the tau2 solvers work in (no numpy, so the compiled kernels use it too).

A meta-analysis in other units (estimates times s, variances times s^2) has tau2 times s^2
and otherwise the same results.  Solvers whose stopping rules or sums are not invariant
under that change (an absolute tolerance, a sum of w^3 y^2 that can overflow) first move
each analysis to the units of its smallest variance: variances divided by c and estimates by
sqrt(c), c a power of 4, so that both divisions are exact in binary floating point.
"""

from __future__ import annotations

import math


def exact_scale(vmin):
    """The power of 4 nearest ``vmin``, as (1/sqrt(c), c).

    Parameters
    ----------
    vmin : float
        The smallest sampling variance (positive and finite).

    Returns
    -------
    half, c : float
        Multiply estimates by ``half`` and variances by ``half**2``; multiply a tau2 found in
        the new units by ``c`` (= 1/half**2) to return to the old ones.

    Examples
    --------
    >>> exact_scale(0.01)
    (8.0, 0.015625)
    """
    half = 0.5 ** round(0.5 * math.log2(vmin))
    return half, 1.0 / (half * half)
