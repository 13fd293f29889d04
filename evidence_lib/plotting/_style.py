"""The plotting layer's shared look: an opt-in style, colour-blind-safe colours, empty panels.

Nothing here changes matplotlib's rcParams at import; :func:`style` applies the package's
look inside a ``with`` block and restores the previous settings afterwards.
"""

from __future__ import annotations

import contextlib

#: Okabe-Ito colours (colour-blind safe) for series without a meaning of their own.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "<", ">", "h")

#: The package's opt-in look (used by ``evidence build``).
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "svg.fonttype": "path",
    "svg.hashsalt": "evidence_lib",
    "path.simplify": True,
}


@contextlib.contextmanager
def style():
    """Context manager applying the package's plot style (rcParams restored on exit)."""
    import matplotlib as mpl

    with mpl.rc_context(STYLE):
        yield


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def no_data(ax, message: str = "No data yet", *, detail: str | None = None):
    """Turn ``ax`` into a clear, empty "no data yet" panel and return it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel to clear (its ticks are removed and its frame dashed).
    message : str
        Bold text in the middle of the panel.
    detail : str, optional
        A smaller line under ``message``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(True)
        s.set_color("0.75")
        s.set_linestyle((0, (4, 3)))
    ax.text(0.5, 0.56, message, transform=ax.transAxes, ha="center", va="center", fontsize=12,
            color="0.35", fontweight="bold")
    if detail:
        ax.text(0.5, 0.40, detail, transform=ax.transAxes, ha="center", va="center", fontsize=9,
                color="0.45", wrap=True)
    return ax

