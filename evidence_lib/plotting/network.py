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

__all__ = ["network_graph", "describe_network_graph", "network_forest", "describe_network_forest", "circle_order",
           "circle_positions", "badge_points"]


def _label_of(labels, name):
    return str(labels.get(name, name)) if labels else str(name)


def _fmt_n(x):
    return "n not reported" if x is None or not math.isfinite(float(x)) else f"n = {int(round(float(x))):,}"


def _crossings(order, pairs) -> int:
    """Crossing chords when ``order`` is placed around a circle (convex position).

    Two chords with four distinct ends cross exactly when their ends alternate around the
    circle; chords sharing an end never cross.
    """
    at = {n: i for i, n in enumerate(order)}
    chords = [tuple(sorted((at[a], at[b]))) for a, b in pairs]
    count = 0
    for i, (a, b) in enumerate(chords):
        for c, d in chords[i + 1:]:
            if len({a, b, c, d}) == 4 and (a < c < b) != (a < d < b):
                count += 1
    return count


def circle_order(names, pairs, *, max_exhaustive: int = 9) -> list:
    """An order of the nodes around a circle with the fewest crossing edges.

    The first name stays first (at the top of the circle); every order of the others is
    tried, in the lexicographic order of their given positions, and the first with the
    fewest crossings is kept, so the result is deterministic. A network whose graph is
    outerplanar (e.g. a triangle, a square with one diagonal) gets an order with none.
    With more than ``max_exhaustive`` nodes the given order is improved by swapping
    pairs of nodes while that removes crossings (a local search: few crossings, not
    always the fewest).

    Parameters
    ----------
    names : sequence of str
        The nodes, in the order to prefer among equally good ones.
    pairs : iterable of (str, str)
        The edges.
    max_exhaustive : int
        Largest number of nodes for which every order is tried ((n - 1)! orders).

    Returns
    -------
    list of str
        ``names`` in their order around the circle (clockwise from the top).

    Raises
    ------
    ValueError
        If an edge names a node not in ``names``.

    Notes
    -----
    With the nodes on a circle, two straight edges with four distinct ends cross exactly
    when their ends alternate around the circle, so the number of crossings depends on the
    order of the nodes only and is counted without geometry.
    """
    import itertools

    names = [str(n) for n in names]
    pairs = [(str(a), str(b)) for a, b in pairs]
    unknown = sorted({x for p in pairs for x in p} - set(names))
    if unknown:
        raise ValueError(f"pairs: edges name nodes {unknown} that are not in names {names}; "
                         "pass every treatment of the edges as a node")
    if len(names) <= 3 or not pairs:
        return names
    if len(names) <= max_exhaustive:
        best, fewest = names, _crossings(names, pairs)
        for rest in itertools.permutations(names[1:]):
            if fewest == 0:
                break
            order = [names[0], *rest]
            k = _crossings(order, pairs)
            if k < fewest:
                best, fewest = order, k
        return best
    order, fewest = list(names), _crossings(names, pairs)
    improved = True
    while improved and fewest:
        improved = False
        for i, j in itertools.combinations(range(1, len(order)), 2):
            trial = list(order)
            trial[i], trial[j] = trial[j], trial[i]
            k = _crossings(trial, pairs)
            if k < fewest:
                order, fewest, improved = trial, k, True
    return order


def circle_positions(names, pairs) -> dict:
    """Node positions on the unit circle, in the order of :func:`circle_order`.

    Parameters
    ----------
    names : sequence of str
        The nodes (the first is placed at the top).
    pairs : iterable of (str, str)
        The edges.

    Returns
    -------
    dict
        Name -> (x, y), clockwise from the top.
    """
    order = circle_order(names, pairs)
    T = len(order)
    return {n: (math.cos(math.pi / 2 - 2 * math.pi * i / T), math.sin(math.pi / 2 - 2 * math.pi * i / T))
            for i, n in enumerate(order)}


def _segment_distance(p, a, b) -> float:
    """Distance from point ``p`` to the segment ``a``-``b``."""
    (px, py), (ax_, ay), (bx, by) = p, a, b
    dx, dy = bx - ax_, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - ax_) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax_ + t * dx), py - (ay + t * dy))


def badge_points(pos, pairs) -> list:
    """Where to print each edge's count: on its own edge, as far as possible from every other edge.

    Each badge sits on its edge at one of the fractions 0.5, 0.4, 0.6, 0.3, 0.7 of its
    length (the first that is farthest from the other edges and the badges already placed),
    so that it cannot be read as another edge's.

    Parameters
    ----------
    pos : dict
        Node -> (x, y).
    pairs : sequence of (str, str)
        The edges, in drawing order.

    Returns
    -------
    list of (float, float)
        One point per edge.
    """
    segments = [(pos[str(a)], pos[str(b)]) for a, b in pairs]
    placed = []
    for i, (p0, p1) in enumerate(segments):
        others = [s for j, s in enumerate(segments) if j != i]
        best, room = None, -1.0
        for t in (0.5, 0.4, 0.6, 0.3, 0.7):
            q = (p0[0] + t * (p1[0] - p0[0]), p0[1] + t * (p1[1] - p0[1]))
            d = min([_segment_distance(q, a, b) for a, b in others] + [math.dist(q, r) for r in placed]
                    + [math.inf])
            if d > room + 1e-9:
                best, room = q, d
        placed.append(best)
    return placed


def network_graph(nodes, edges, *, treatment: str = "treatment", participants: str = "participants",
                  edge_a: str = "treatment_a", edge_b: str = "treatment_b", n_studies: str = "n_studies",
                  labels: dict | None = None, colors: dict | None = None, title: str | None = None,
                  unknown_size_note: str = "dashed outline: group size not reported",
                  max_node_size: float = 2600.0, label_width: int = 18, ax=None):
    """Draw a treatment network: nodes sized by participants, edges by the number of studies.

    Nodes sit on a circle in an order with the fewest crossing edges
    (:func:`circle_order`; none when the network allows it), the first node at the top;
    node area is proportional to the number of participants (a node whose participants
    are not known is drawn small with a dashed outline, explained in the figure's note);
    edge width grows with the number of studies, which is also printed on the edge, away
    from every other edge (:func:`badge_points`).

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
    colors : dict, optional
        Fill colour for each treatment name (default: the Okabe-Ito colours in node order).
    title : str, optional
        Axes title.
    unknown_size_note : str
        Added to the note under the graph when a node's participants are not known.
    max_node_size : float
        Marker area (points^2) of the largest node.
    label_width : int
        Node labels are wrapped at this many characters.
    ax : matplotlib Axes, optional
        Axes to draw on; when None, a new figure and axes are made.

    Returns
    -------
    matplotlib Axes
        The axes drawn on.
    """
    import textwrap

    ax = _axes(ax, (6.4, 5.2))
    if nodes is None or len(nodes) == 0:
        return no_data(ax, "No network to draw")
    names = [str(t) for t in nodes[treatment]]
    size = [float(x) if x == x else float("nan") for x in nodes[participants].astype(float)]
    known = [s for s in size if math.isfinite(s)]
    top = max(known) if known else 1.0
    pairs = list(zip(edges[edge_a].astype(str), edges[edge_b].astype(str)))
    pos = circle_positions(names, pairs)
    kmax = max([int(k) for k in edges[n_studies]] or [1])
    for (a, b), k, (xm, ym) in zip(pairs, edges[n_studies], badge_points(pos, pairs)):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.plot([x0, x1], [y0, y1], color="0.45", lw=1.5 + 4.5 * int(k) / kmax, zorder=1, solid_capstyle="round")
        ax.text(xm, ym, f"{int(k)}", ha="center", va="center", fontsize=8.5, zorder=3,
                bbox=dict(boxstyle="circle,pad=0.25", fc="white", ec="0.45", lw=0.8))
    for i, (n, s) in enumerate(zip(names, size)):
        x, y = pos[n]
        area = max_node_size * (s / top) if math.isfinite(s) and s > 0 else max_node_size * 0.08
        fill = (colors or {}).get(n, OKABE_ITO[i % len(OKABE_ITO)])
        ax.scatter([x], [y], s=area, color=fill, edgecolor="black", zorder=2,
                   linewidths=1.0, linestyles="-" if math.isfinite(s) else "--")
        r = math.sqrt(area / math.pi) / 72 * 1.0  # marker radius in inches, for the label offset
        off = 0.22 + r * 0.55
        ha = "center" if abs(x) < 0.3 else ("left" if x > 0 else "right")
        va = "bottom" if y > 0.3 else ("top" if y < -0.3 else "center")
        name = "\n".join(textwrap.wrap(_label_of(labels, n), label_width, break_on_hyphens=False))
        ax.text(x + off * x, y + off * y, f"{name}\n{_fmt_n(s)}", ha=ha, va=va, fontsize=9,
                zorder=4, linespacing=1.15, multialignment={"left": "left", "right": "right"}.get(ha, "center"))
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-1.65, 1.65)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    note = "Node area: participants. Line width and number: studies comparing the two."
    if any(not math.isfinite(s) for s in size) and unknown_size_note:
        note += f" {unknown_size_note[:1].upper()}{unknown_size_note[1:]}."
    ax.text(0.0, -0.02, note, transform=ax.transAxes, fontsize=8, color="0.35", ha="left", va="top", wrap=True)
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
    links = [f"{_label_of(labels, a)} vs {_label_of(labels, b)} ({int(k)} {'study' if int(k) == 1 else 'studies'})"
             for a, b, k in zip(edges[edge_a], edges[edge_b], edges[n_studies])]
    return (f"Network graph of {len(parts)} treatments: " + ", ".join(parts) + ". Direct comparisons: "
            + (", ".join(links) if links else "none") + ".")


def network_forest(effects, *, reference: str, treatment: str = "treatment", estimate: str = "estimate",
                   ci_low: str = "ci_low", ci_high: str = "ci_high", labels: dict | None = None,
                   xlabel: str = "estimate", null: float = 0.0, log_scale: bool = False,
                   reference_first: bool = False, title: str | None = None, threshold: float | None = None,
                   threshold_style: str = "shaded", label_width: int = 20, ax=None):
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
        that a figure can keep the sign convention of the rest of a report; each row then
        reads "vs <treatment>".
    title : str, optional
        Title above the plot; None for no title.
    threshold : float, optional
        Half-width of a band drawn around ``null`` (``null - threshold`` to
        ``null + threshold``; on a log scale ``null / threshold`` to ``null * threshold``),
        e.g. the differences smaller than a minimal clinically important difference; None for
        no band. The caller says in its note what the band is.
    threshold_style : {"shaded", "hatched"}
        How the band is drawn (as in :func:`evidence_lib.plotting.forest.forest_plot`).
    label_width : int
        Treatment labels longer than this many characters are wrapped onto two or more lines.
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
    import textwrap

    ax.set_yticklabels(["\n".join(textwrap.wrap(("vs " if reference_first else "") + _label_of(labels, t),
                                                 label_width, break_on_hyphens=False)) for t in rows[treatment]])
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
