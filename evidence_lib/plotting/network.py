"""Network meta-analysis figures: the network graph and a forest plot against one reference.

Data and labels in, Axes out. The functions know nothing of the treatments: names,
labels and axis titles arrive from the caller (e.g. ``NetworkResult.participants()``,
``.edges()`` and ``.effects``). Each has a ``describe_*`` twin that returns its alt text.
"""

from __future__ import annotations

import math

from evidence_lib._values import interval_text as _interval
from evidence_lib.plotting._forest_marks import draw_band
from evidence_lib.plotting._style import OKABE_ITO, _axes, no_data
from evidence_lib.plotting._text import _fmt
from evidence_lib.plotting.forest import COLORS

__all__ = ["network_graph", "describe_network_graph", "network_forest", "describe_network_forest"]


def _label_of(labels, name):
    return str(labels.get(name, name)) if labels else str(name)


def _fmt_n(x):
    return "n not reported" if x is None or not math.isfinite(float(x)) else f"n = {int(round(float(x))):,}"


def network_graph(nodes, edges, *, treatment: str = "treatment", participants: str = "participants",
                  edge_a: str = "treatment_a", edge_b: str = "treatment_b", n_studies: str = "n_studies",
                  labels: dict | None = None, title: str | None = None, max_node_size: float = 2600.0, ax=None):
    """Draw a treatment network: nodes sized by participants, edges by the number of studies.

    Nodes sit on a circle in the order given; node area is proportional to the number of
    participants (a node whose participants are not all known is drawn with a dashed
    outline, at the size of those known); edge width grows with the number of studies,
    which is also printed on the edge.

    Parameters
    ----------
    nodes : DataFrame
        One row per treatment, with columns ``treatment`` and ``participants`` (NaN allowed).
    edges : DataFrame
        One row per directly compared pair: ``edge_a``, ``edge_b``, ``n_studies``.
    treatment, participants, edge_a, edge_b, n_studies : str
        Column names.
    labels : dict, optional
        Display label for each treatment name.
    title : str, optional
        Axes title.
    max_node_size : float
        Marker area (points^2) of the largest node.
    ax : matplotlib Axes, optional
        Axes to draw on; when None, a new figure and axes are made.

    Returns
    -------
    matplotlib Axes
        The axes drawn on.
    """
    ax = _axes(ax, (6.4, 5.2))
    if nodes is None or len(nodes) == 0:
        return no_data(ax, "No network to draw")
    names = [str(t) for t in nodes[treatment]]
    size = [float(x) if x == x else float("nan") for x in nodes[participants].astype(float)]
    known = [s for s in size if math.isfinite(s)]
    top = max(known) if known else 1.0
    T = len(names)
    angles = [math.pi / 2 - 2 * math.pi * i / T for i in range(T)]
    pos = {n: (math.cos(a), math.sin(a)) for n, a in zip(names, angles)}
    kmax = max([int(k) for k in edges[n_studies]] or [1])
    for a, b, k in zip(edges[edge_a], edges[edge_b], edges[n_studies]):
        (x0, y0), (x1, y1) = pos[str(a)], pos[str(b)]
        ax.plot([x0, x1], [y0, y1], color="0.45", lw=1.5 + 4.5 * int(k) / kmax, zorder=1, solid_capstyle="round")
        xm, ym = x0 + 0.42 * (x1 - x0), y0 + 0.42 * (y1 - y0)
        ax.text(xm, ym, f"{int(k)}", ha="center", va="center", fontsize=8.5, zorder=3,
                bbox=dict(boxstyle="circle,pad=0.25", fc="white", ec="0.45", lw=0.8))
    for i, (n, s) in enumerate(zip(names, size)):
        x, y = pos[n]
        area = max_node_size * (s / top) if math.isfinite(s) and s > 0 else max_node_size * 0.08
        ax.scatter([x], [y], s=area, color=OKABE_ITO[i % len(OKABE_ITO)], edgecolor="black", zorder=2,
                   linewidths=1.0, linestyles="-" if math.isfinite(s) else "--")
        r = math.sqrt(area / math.pi) / 72 * 1.0  # marker radius in inches, for the label offset
        dx, dy = (x, y)
        off = 0.22 + r * 0.55
        ha = "center" if abs(dx) < 0.3 else ("left" if dx > 0 else "right")
        va = "bottom" if dy > 0.3 else ("top" if dy < -0.3 else "center")
        ax.text(x + off * dx, y + off * dy, f"{_label_of(labels, n)}\n{_fmt_n(s)}", ha=ha, va=va, fontsize=9,
                zorder=4, linespacing=1.15)
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-1.65, 1.65)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    ax.text(0.0, -0.02, "Node area: participants. Line width and number: studies comparing the two.",
            transform=ax.transAxes, fontsize=8, color="0.35", ha="left", va="top")
    return ax


def describe_network_graph(nodes, edges, *, treatment: str = "treatment", participants: str = "participants",
                           edge_a: str = "treatment_a", edge_b: str = "treatment_b", n_studies: str = "n_studies",
                           labels: dict | None = None) -> str:
    """Alt text for :func:`network_graph` (same arguments, no drawing).

    Parameters
    ----------
    nodes, edges, treatment, participants, edge_a, edge_b, n_studies, labels
        As in :func:`network_graph`.

    Returns
    -------
    str
        The treatments with their participants, then each direct comparison with its
        number of studies.
    """
    if nodes is None or len(nodes) == 0:
        return "Network graph: no network to draw."
    parts = [f"{_label_of(labels, t)} ({_fmt_n(p)})" for t, p in zip(nodes[treatment], nodes[participants])]
    links = [f"{_label_of(labels, a)}-{_label_of(labels, b)} ({int(k)} {'study' if int(k) == 1 else 'studies'})"
             for a, b, k in zip(edges[edge_a], edges[edge_b], edges[n_studies])]
    return (f"Network graph of {len(parts)} treatments: " + ", ".join(parts) + ". Direct comparisons: "
            + (", ".join(links) if links else "none") + ".")


def network_forest(effects, *, reference: str, treatment: str = "treatment", estimate: str = "estimate",
                   ci_low: str = "ci_low", ci_high: str = "ci_high", labels: dict | None = None,
                   xlabel: str = "estimate", null: float = 0.0, log_scale: bool = False,
                   reference_first: bool = False, title: str | None = None, threshold: float | None = None,
                   threshold_style: str = "shaded", ax=None):
    """Forest plot of every treatment against one reference.

    Parameters
    ----------
    effects : DataFrame
        One row per treatment with ``treatment``, ``estimate``, ``ci_low``, ``ci_high``
        (the reference's row, if present, is left out).
    reference : str
        The reference treatment's name (its label appears in the axis title).
    treatment, estimate, ci_low, ci_high : str
        Column names.
    labels : dict, optional
        Display label for each treatment name.
    xlabel : str
        Axis label (the measure and its direction, from the caller).
    null : float
        Value of no difference (a vertical line).
    log_scale : bool
        Logarithmic x axis (for ratios given on their natural scale).
    reference_first : bool
        Draw the reference against each treatment instead (``effects`` unchanged: each
        estimate is negated, or inverted on a log scale, and the interval's ends swap), so
        that a figure can keep the sign convention of the rest of a report.
    title : str, optional
        Title above the plot; None for no title.
    threshold : float, optional
        Half-width of a band drawn around ``null`` (``null - threshold`` to
        ``null + threshold``; on a log scale ``null / threshold`` to ``null * threshold``),
        e.g. the differences smaller than a minimal clinically important difference; None for
        no band. The caller says in its note what the band is.
    threshold_style : {"shaded", "hatched"}
        How the band is drawn (as in :func:`evidence_lib.plotting.forest.forest_plot`).
    ax : matplotlib Axes, optional
        Axes to draw on; when None, a new figure and axes are made.

    Returns
    -------
    matplotlib Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If ``threshold`` is not a positive number (above 1 on a log scale) or
        ``threshold_style`` is not known.
    """
    if threshold is not None and not (threshold > (1.0 if log_scale else 0.0)):
        raise ValueError(f"threshold must be a positive half-width{' above 1 on a log scale' if log_scale else ''}, "
                         f"got {threshold!r}; pass None for no band")
    ax = _axes(ax, (6.4, 0.6 + 0.5 * max(len(effects), 2)))
    rows = effects[effects[treatment].astype(str) != str(reference)] if len(effects) else effects
    if rows is None or len(rows) == 0:
        return no_data(ax, "No treatment to compare")
    ys = list(range(len(rows)))[::-1]
    est, lo, hi = _oriented(rows, estimate, ci_low, ci_high, reference_first, log_scale)
    ax.hlines(ys, lo, hi, color="black", lw=1.4)
    ax.plot(est, ys, "s", color=OKABE_ITO[0], ms=7, zorder=3)
    ax.axvline(null, color="0.5", lw=1, ls="--", zorder=0)
    if threshold is not None:
        lo_b, hi_b = (null / threshold, null * threshold) if log_scale else (null - threshold, null + threshold)
        draw_band(ax, -0.7, len(rows) - 0.3, lo_b, hi_b, style=threshold_style, color=COLORS["band"], zorder=-1)
        left, right = ax.get_xlim()
        ax.set_xlim(min(left, lo_b), max(right, hi_b))
    ax.set_yticks(ys)
    ax.set_yticklabels([_label_of(labels, t) for t in rows[treatment]])
    if log_scale:
        ax.set_xscale("log")
    for y, e, l, h in zip(ys, est, lo, hi):
        ax.annotate(_interval(e, l, h, 1), xy=(1.0, y), xycoords=("axes fraction", "data"),
                    xytext=(6, 0), textcoords="offset points", va="center", fontsize=8.5)
    ref = _label_of(labels, reference)
    ax.set_xlabel(f"{xlabel}\n({ref} against each treatment)" if reference_first
                  else f"{xlabel}\n(each treatment against {ref})")
    ax.set_ylim(-0.7, len(rows) - 0.3)
    if title:
        ax.set_title(title)
    return ax


def describe_network_forest(effects, *, reference: str, treatment: str = "treatment", estimate: str = "estimate",
                            ci_low: str = "ci_low", ci_high: str = "ci_high", labels: dict | None = None,
                            xlabel: str = "estimate", log_scale: bool = False,
                            reference_first: bool = False) -> str:
    """Alt text for :func:`network_forest` (same arguments, no drawing).

    Parameters
    ----------
    effects, reference, treatment, estimate, ci_low, ci_high, labels, xlabel, log_scale, reference_first
        As in :func:`network_forest`.

    Returns
    -------
    str
        Each treatment's estimate and 95% CI against ``reference``.
    """
    rows = effects[effects[treatment].astype(str) != str(reference)] if len(effects) else effects
    if rows is None or len(rows) == 0:
        return "Forest plot: no treatment to compare."
    est, lo, hi = _oriented(rows, estimate, ci_low, ci_high, reference_first, log_scale)
    ref = _label_of(labels, reference)
    if reference_first:
        parts = [f"against {_label_of(labels, t)} {_fmt(e, 1)} (95% CI {_fmt(l, 1)} to {_fmt(h, 1)})"
                 for t, e, l, h in zip(rows[treatment], est, lo, hi)]
        return f"Forest plot of {ref} against {len(parts)} treatments, {xlabel}: " + "; ".join(parts) + "."
    parts = [f"{_label_of(labels, t)} {_fmt(e, 1)} (95% CI {_fmt(l, 1)} to {_fmt(h, 1)})"
             for t, e, l, h in zip(rows[treatment], est, lo, hi)]
    return f"Forest plot of {len(parts)} treatments against {ref}, {xlabel}: " + "; ".join(parts) + "."


def _oriented(rows, estimate, ci_low, ci_high, reference_first, log_scale):
    """Estimates and CI ends as floats, turned to 'reference against treatment' when asked."""
    est, lo, hi = (rows[c].astype(float).to_numpy() for c in (estimate, ci_low, ci_high))
    if not reference_first:
        return est, lo, hi
    if log_scale:
        return 1.0 / est, 1.0 / hi, 1.0 / lo
    return -est, -hi, -lo
