"""Plot functions, in the seaborn style.

Each function takes data (a DataFrame or a :class:`~evidence_lib.dataset.loader.Dataset`) plus
column names, keyword-only options and an optional ``ax``; it draws on that Axes (or a
new figure) and returns the Axes. Importing this module does not change matplotlib's
rcParams; use :func:`style` as a context manager for the package's look.
"""

from __future__ import annotations

from evidence_lib._colour import text_colour_on
from evidence_lib.plotting._style import _axes
from evidence_lib.vocab import CATEGORY_ORDER, VERDICT_COLORS, VERDICT_LABELS, VERDICT_ORDER

def verdict_overview(data, *, category: str = "category", verdict: str = "verdict",
                     ax=None, title: str | None = "Verdicts by claim category"):
    """Horizontal stacked bars: how many claims of each category got each verdict.

    Parameters
    ----------
    data : DataFrame or Dataset
        Claims (one row per claim); a Dataset's ``claims`` table is used.
    category, verdict : str
        Column names.
    ax : matplotlib Axes, optional
        Axes to draw on; when None, a new figure and axes are made.
    title : str or None
        Title above the plot; None for no title.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    import pandas as pd

    claims = getattr(data, "claims", data)
    if len(claims) == 0:
        from evidence_lib.plotting._style import no_data

        ax = _axes(ax, (7.5, 3.2))
        return no_data(ax, "No claims yet", detail="The bars appear once claims.csv has rows.")
    tab = pd.crosstab(claims[category], claims[verdict])
    cats = [c for c in CATEGORY_ORDER if c in tab.index] + [c for c in tab.index if c not in CATEGORY_ORDER]
    verdicts = [v for v in VERDICT_ORDER if v in tab.columns]
    tab = tab.reindex(index=cats[::-1], columns=verdicts, fill_value=0)
    ax = _axes(ax, (7.5, 0.42 * len(cats) + 1.6))
    left = pd.Series(0, index=tab.index)
    for v in verdicts:
        vals = tab[v]
        bars = ax.barh(tab.index, vals, left=left, color=VERDICT_COLORS[v], label=VERDICT_LABELS[v],
                       edgecolor="white", linewidth=0.8, height=0.7)
        for rect, n in zip(bars, vals):
            if n:
                ax.text(rect.get_x() + rect.get_width() / 2, rect.get_y() + rect.get_height() / 2, str(n),
                        ha="center", va="center", color=text_colour_on(VERDICT_COLORS[v]), fontsize=9,
                        fontweight="bold")
        left = left + vals
    ax.set_xlabel("Number of claims")
    ax.set_xlim(0, max(1, int(left.max())) + 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22 if len(cats) > 4 else -0.35),
              ncols=min(3, len(verdicts)), fontsize=8.5, handlelength=1.2)
    if title:
        ax.set_title(title)
    return ax


def describe_verdict_overview(data, *, category: str = "category", verdict: str = "verdict") -> str:
    """Alt text for :func:`verdict_overview`, generated from the same data.

    Parameters
    ----------
    data, category, verdict
        As in :func:`verdict_overview`.

    Returns
    -------
    str
        Claims per category, then claims per verdict.
    """
    claims = getattr(data, "claims", data)
    n = len(claims)
    if n == 0:
        return "Verdicts by claim category: no claims in the data package yet."
    counts = claims[verdict].value_counts()
    parts = [f"{counts[v]} {VERDICT_LABELS[v].lower()}" for v in VERDICT_ORDER if v in counts]
    cats = claims[category].value_counts()
    top = ", ".join(f"{c} ({cats[c]})" for c in CATEGORY_ORDER if c in cats)
    return (f"Stacked horizontal bars of the article's {n} claims by category: {top}. "
            f"Across all categories the verdicts are: {', '.join(parts)}.")
