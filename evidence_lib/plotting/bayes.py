"""Posterior densities of a mean effect with the clinically important region shaded.

Pure plot functions: curves and labels in, Axes out. Nothing here knows the review's domain.
"""

from __future__ import annotations

from evidence_lib._values import chance_text
from evidence_lib.plotting._style import OKABE_ITO, _axes


def posterior_density(curves, *, threshold: float, threshold_label: str, xlabel: str,
                      better_label: str = "better →", probability_label: str = "P(beyond threshold)",
                      title: str | None = None, ax=None):
    """Posterior densities of a mean benefit, the region beyond a threshold shaded and labelled.

    Parameters
    ----------
    curves : mapping
        Curve name -> (grid, density, probability beyond the threshold); positive = better.
    threshold : float
        The threshold (e.g. an MCID) on the same scale.
    threshold_label : str
        What the threshold is, e.g. ``"clinically important: ≥ 15 points (MCID, source)"``.
    xlabel : str
        The axis label, saying which way is better.
    better_label : str, optional
        Which way is better, a second line under the axis label (e.g. ``"better for A →"``).
    probability_label : str, optional
        How the legend names each curve's probability beyond the threshold (printed by
        :func:`evidence_lib._values.chance_text`: ``'8%'``, ``'99.2%'``, never ``'100%'``).
    title : str, optional
        Title above the plot; None for no title.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; when None, a new figure and axes are made.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If ``curves`` is empty.
    """
    import numpy as np

    if not curves:
        raise ValueError("curves is empty; pass at least one name -> (grid, density, probability)")
    ax = _axes(ax, (7.5, 4.8))
    lo = min(float(np.min(g)) for g, _, _ in curves.values())
    hi = max(float(np.max(g)) for g, _, _ in curves.values())
    hi = max(hi, threshold * 1.15)
    top = max(float(np.max(d)) for _, d, _ in curves.values())
    ax.axvspan(threshold, hi, color="#009E73", alpha=0.12, lw=0)
    ax.axvline(threshold, color="#009E73", lw=1.2)
    ax.axvline(0.0, color="0.4", lw=0.9, ls="--")
    ax.text(threshold, top * 1.17, " " + threshold_label, color="#006B4F", fontsize=8.5, ha="left", va="top",
            wrap=True)
    ax.text(0.0, top * 1.17, "no difference ", color="0.35", fontsize=8.5, ha="right", va="top")
    for i, (name, (grid, dens, p)) in enumerate(curves.items()):
        ax.plot(grid, dens, color=OKABE_ITO[i % len(OKABE_ITO)], lw=1.8,
                label=f"{name}: {probability_label} {chance_text(p)}")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0, top * 1.22)
    ax.set_xlabel(f"{xlabel}\n{better_label}" if better_label else xlabel)
    ax.set_ylabel("posterior density")
    ax.set_yticks([])
    # below the axis label, where no curve or label can be hidden by it
    ax.legend(loc="upper left", fontsize=8.5, bbox_to_anchor=(0.0, -0.2), ncol=1)
    if title:
        ax.set_title(title)
    return ax


def describe_posterior_density(curves, *, threshold: float, threshold_label: str) -> str:
    """Alt text of :func:`posterior_density`: one sentence per curve.

    Parameters
    ----------
    curves, threshold, threshold_label
        As in :func:`posterior_density`.

    Returns
    -------
    str
    """
    import numpy as np

    parts = [f"Posterior densities of the mean benefit; shaded: at or beyond {threshold:g} ({threshold_label})."]
    for name, (grid, dens, p) in curves.items():
        peak = float(grid[int(np.argmax(dens))])
        parts.append(f"{name}: peak at {peak:.1f}, probability beyond the threshold {100 * p:.1f}%.")
    return " ".join(parts)
