"""Baujat plot: each study's contribution to heterogeneity against its influence on the
pooled estimate (values from ``evidence_lib.meta.baujat``).

References
----------
Baujat B, Mahe C, Pignon J-P, Hill C. A graphical method for exploring heterogeneity in
meta-analyses: application to a meta-analysis of 65 trials. Stat Med 2002;21:2641-2652.
"""

from __future__ import annotations

from evidence_lib.plotting._style import OKABE_ITO, _axes, no_data


def baujat_plot(x, y, labels=None, *, xlabel="Contribution to heterogeneity",
                ylabel="Influence on the pooled estimate", title=None, annotate=True, ax=None):
    """Scatter of the Baujat coordinates, one labelled point per study.

    Parameters
    ----------
    x, y : array_like
        Contribution to heterogeneity and influence on the pooled result per
        study (``BaujatResult.x`` / ``.y``).
    labels : sequence of str, optional
        Study labels written next to the points.
    xlabel, ylabel, title : str
        Axis labels and title (from the caller).
    annotate : bool
        Write the labels (default True).
    ax : Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import numpy as np

    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError(f"x and y must be 1-D arrays of the same length; got {xs.shape} and {ys.shape}")
    if labels is not None and len(labels) != xs.size:
        raise ValueError(f"labels has {len(labels)} entries but there are {xs.size} points; one label per study")
    ax = _axes(ax, (5.5, 4.6))
    if xs.size == 0:
        return no_data(ax, "No studies", detail="The Baujat plot needs at least two studies.")
    ax.scatter(xs, ys, s=28, color=OKABE_ITO[0], edgecolor="white", linewidth=0.5, zorder=3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, color="0.9", lw=0.6)
    if title:
        ax.set_title(title)
    if annotate and labels is not None:
        _place_labels(ax, xs, ys, [str(lab) for lab in labels])
    return ax


# label positions tried in turn (offset in points, horizontal alignment): right above, right
# below, left above, left below, then further above and below
_SPOTS = (((4, 3), "left"), ((4, -10), "left"), ((-4, 3), "right"), ((-4, -10), "right"),
          ((4, 12), "left"), ((-4, 12), "right"), ((4, -19), "left"), ((-4, -19), "right"))


def _place_labels(ax, xs, ys, labels):
    """Write each label beside its point where it overlaps no label already placed and
    stays inside the axes (the first such spot of ``_SPOTS``; else the first spot).  The
    labels are left out of the layout, so the positions measured here stay valid.  Points are labelled from the largest y down, so the most influential study keeps the
    preferred spot."""
    import numpy as np

    ax.figure.draw_without_rendering()  # settle the layout first: positions are measured in pixels
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed = []
    for i in np.argsort(-ys, kind="stable"):
        chosen = None
        for offset, ha in _SPOTS:
            text = ax.annotate(labels[i], (xs[i], ys[i]), xytext=offset, textcoords="offset points",
                               fontsize=8, color="0.2", ha=ha, in_layout=False)
            box = text.get_window_extent(renderer)
            inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1)
            if inside and not any(box.overlaps(other) for other in placed):
                chosen = text
                break
            text.remove()
        if chosen is None:
            offset, ha = _SPOTS[0]
            chosen = ax.annotate(labels[i], (xs[i], ys[i]), xytext=offset, textcoords="offset points",
                                 fontsize=8, color="0.2", ha=ha, in_layout=False)
        placed.append(chosen.get_window_extent(renderer))
