"""Event rates with intervals, one unit per panel (and per column): e.g. per 10,000 patients.

:func:`safety_rates` draws rates that all share one unit, given by the caller; a figure of
rates per patient and per treatment draws two panels. The axis is logarithmic when the
values span more than one decade; a zero rate sits at the left edge as an open marker, and an
interval whose lower limit is 0 ends there in an arrow head (the axis label says so).
The rate is printed right of each row in the same unit as the axis, with its 95% interval
where the row has one (two significant figures below 10). Nothing here
changes rcParams.
"""

from __future__ import annotations

from evidence_lib._values import rate_text
from evidence_lib.plotting._style import OKABE_ITO, _axes, no_data
from evidence_lib.plotting._text import _isnum

FONT = 9.0


def _rate(v) -> str:
    """A rate as the report prints it everywhere (:func:`evidence_lib._values.rate_text`); 'n/a' when missing."""
    return rate_text(v) if _isnum(v) else "n/a"


def _rate_ci(e, lo, hi) -> str:
    """The rate and, when both limits are known, its 95% interval with an en dash ("931 (510\u20131,462)")."""
    if _isnum(lo) and _isnum(hi):
        return f"{_rate(e)} ({_rate(lo)}\u2013{_rate(hi)})"
    return _rate(e)


def safety_rates(data, *, estimate="rate", ci_low="rate_low", ci_high="rate_high", label="label",
                 unit="per 10,000 patients", color=0, marker="o", ax=None):
    """Event rates of one unit with 95% intervals, one row each, the rate printed beside each row.

    Parameters
    ----------
    data : DataFrame
        One row per outcome; every rate in ``unit``.
    estimate, ci_low, ci_high, label : str
        Column names.
    unit : str
        The rates' unit, for the axis and the column heading ("per 10,000 patients").
    color : int
        Index of the Okabe-Ito colour.
    marker : str
        Matplotlib marker of the rate points.
    ax : Axes, optional
        Axes to draw on; when None, a new figure and axes are made.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    import numpy as np
    from matplotlib.ticker import FuncFormatter, NullLocator

    n = len(data)
    ax = _axes(ax, (6.0, 0.3 * max(n, 3) + 1.2))
    if n == 0:
        return no_data(ax, "No adverse-event data yet", detail=f"Rates {unit} appear here.")
    df = data.reset_index(drop=True)
    e = df[estimate].astype(float).to_numpy()
    lo = df[ci_low].astype(float).to_numpy() if ci_low in df else np.full(n, np.nan)
    hi = df[ci_high].astype(float).to_numpy() if ci_high in df else np.full(n, np.nan)
    vals = np.concatenate([e, lo, hi])
    pos = vals[np.isfinite(vals) & (vals > 0)]
    use_log = len(pos) > 0 and pos.max() / pos.min() > 10
    if use_log:
        ax.set_xscale("log")
        lo_lim, hi_lim = pos.min() / 3, pos.max() * 2.5
    else:
        top = np.nanmax(vals) if np.isfinite(vals).any() else 1
        lo_lim, hi_lim = 0, top * 1.15 if top > 0 else 1
    col = OKABE_ITO[color % len(OKABE_ITO)]
    cut = False                          # an interval whose lower limit of 0 lies off the log axis
    for i in range(n):
        zero = use_log and not (e[i] > 0)
        if _isnum(lo[i]) and _isnum(hi[i]) and hi[i] > 0:
            left = lo[i] if not use_log or lo[i] > 0 else lo_lim
            ax.plot([left, hi[i]], [i, i], color=col, lw=1.4, zorder=2, solid_capstyle="butt")
            if use_log and not lo[i] > 0 and not zero:     # an arrow head at the edge: it runs on to 0
                ax.plot([lo_lim], [i], marker="<", color=col, ms=6, zorder=3, ls="none", clip_on=False)
                cut = True
        ax.plot([lo_lim if zero else e[i]], [i], marker=marker, color=col, mfc="white" if zero else col, ms=6,
                zorder=3, ls="none", clip_on=False)
    ax.set_xlim(lo_lim, hi_lim)
    ax.set_yticks(range(n), [str(s) for s in df[label]], fontsize=FONT)
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(axis="y", length=0, pad=8)  # clear of a zero marker drawn on the left spine
    ax.tick_params(axis="x", labelsize=FONT)
    tt = ax.get_yaxis_transform()
    head = unit.capitalize() if unit[:1].islower() else unit
    ax.text(1.03, -0.7, head + (" (95% CI)" if (np.isfinite(lo) & np.isfinite(hi)).any() else ""), transform=tt, ha="left",
            va="bottom", fontsize=FONT, fontweight="bold", clip_on=False)
    for i in range(n):
        ax.text(1.03, i, _rate_ci(e[i], lo[i], hi[i]), transform=tt, ha="left", va="center", fontsize=FONT, clip_on=False)
    edge = (["open marker at the edge: zero events"] if use_log and (e <= 0).any() else []) + (
        ["arrow head at the edge: lower limit 0"] if cut else [])
    ax.set_xlabel(f"Events {unit}" + (f" ({'; '.join(['log scale', *edge])})" if use_log else ""), fontsize=FONT)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.10g}"))
    if use_log:
        ax.xaxis.set_minor_locator(NullLocator())
    ax.grid(axis="x", color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    return ax


def describe_safety_rates(data, *, estimate="rate", label="label", unit="per 10,000 patients") -> str:
    """Alt text for one panel of :func:`safety_rates`.

    Parameters
    ----------
    data, estimate, label
        As in :func:`safety_rates`.
    unit : str
        The panel's unit in words (``"per 10,000 patients"``).

    Returns
    -------
    str
        Every rate when there are at most 8, else the range and the three highest.
    """
    if len(data) == 0:
        return f"No rates {unit} in the data yet."
    s = f"{len(data)} rates {unit} with 95% intervals where known"
    if len(data) <= 8:
        return s + ": " + "; ".join(f"{r[label]}: {_rate(r[estimate])}" for _, r in data.iterrows()) + "."
    return (s + f", from {_rate(data[estimate].min())} to {_rate(data[estimate].max())}; highest: "
            + "; ".join(f"{r[label]}: {_rate(r[estimate])}" for _, r in data.nlargest(3, estimate).iterrows()) + ".")
