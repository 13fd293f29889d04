"""Input checks and shared helpers for the public meta-analysis functions."""

from __future__ import annotations

import numpy as np

from . import _core as core

K1_NOTE = "k = 1: the pooled estimate is the single study; heterogeneity is not estimable"


def _as_float(x, name):
    try:
        return np.atleast_1d(np.asarray(x, dtype=float))
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name} must be numbers; could not read it as floats ({e}); "
                         f"convert the column to numeric (e.g. pandas.to_numeric) first") from None


def _align(yi, vi, names=("yi", "vi")):
    """pandas Series with different indexes are aligned by index (not paired by position)."""
    if hasattr(yi, "reindex") and hasattr(vi, "reindex"):
        iy, iv = yi.index, vi.index
        if not iy.equals(iv):
            if len(iy) != len(iv) or set(iy) != set(iv) or not iy.is_unique:
                raise ValueError(f"{names[0]} and {names[1]} are pandas Series with different indexes; "
                                 "pass Series with the same index labels (or .to_numpy() to pair by position)")
            vi = vi.reindex(iy)
    return yi, vi


def _check_1d(yi, vi, labels=None):
    yi, vi = _align(yi, vi)
    y = _as_float(yi, "yi")
    v = _as_float(vi, "vi")
    if y.ndim != 1 or v.ndim != 1:
        raise ValueError(f"yi and vi must be one-dimensional; got shapes {y.shape} and {v.shape}")
    if y.shape[0] != v.shape[0]:
        raise ValueError(
            f"yi has {y.shape[0]} values but vi has {v.shape[0]}; pass one variance per estimate"
        )
    if y.shape[0] == 0:
        raise ValueError("yi is empty; at least one study is needed")
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise ValueError(f"yi has a non-finite value ({y[bad[0]]}) at index {bad[0]}; remove the study or fix the value")
    big = np.flatnonzero(np.abs(y) >= 1e150)
    if big.size:
        raise ValueError(f"yi has {y[big[0]]:.3g} at index {big[0]}: squares of estimates this large overflow; "
                         "rescale the estimates (e.g. other units) before pooling")
    bad = np.flatnonzero(~np.isfinite(v) | (v <= 0))
    if bad.size:
        raise ValueError(
            f"vi must be positive and finite; index {bad[0]} has {v[bad[0]]}. Pass sampling "
            "variances (se**2), not standard errors; drop studies without one"
        )
    tiny = np.flatnonzero((v < 1e-150) | (v > 1e150))
    if tiny.size:
        raise ValueError(f"vi has {v[tiny[0]]:.3g} at index {tiny[0]}: weights 1/vi of this size under- or "
                         "overflow; rescale the estimates and variances (other units)")
    if labels is None:
        lab = None  # generated on demand ("study 1", ...): no per-study Python work here
    else:
        lab = tuple(str(x) for x in labels)
        if len(lab) != y.shape[0]:
            raise ValueError(f"labels has {len(lab)} entries but yi has {y.shape[0]}; pass one label per study")
    return y, v, lab


def _default_labels(k, prefix="study "):
    return tuple(np.char.add(prefix, np.arange(1, k + 1).astype(str)).tolist())


def _norm_method(method):
    m = str(method).upper()
    if m in ("EE", "CE"):
        m = "FE"
    if m not in core.METHODS:
        raise ValueError(f"method must be one of {core.METHODS}; got {method!r}")
    return m

