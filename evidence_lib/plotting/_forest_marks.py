"""Marks of the forest plot that need more than one line of matplotlib: an interval cut at
the axis limits (with arrow heads where it runs on) and a band shaded on chosen rows only.

Nothing here knows what the rows are; the forest plotter passes positions and values.
"""

from __future__ import annotations

import textwrap


def width_pt(fig, texts, *, bold=False, size=9.0) -> float:
    """The widest of ``texts`` in points, measured with the figure's renderer.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure whose renderer and dpi measure the text.
    texts : iterable of str
        Texts (empty ones are skipped).
    bold : bool
        Measure in bold.
    size : float
        Font size in points.

    Returns
    -------
    float
        Width in points (0 for no text).
    """
    from matplotlib.font_manager import FontProperties

    get = getattr(fig.canvas, "get_renderer", None)
    r = get() if get else fig._get_renderer()
    fp = FontProperties(size=size, weight="bold" if bold else "normal")
    w = 0.0
    for t in texts:
        if t:
            w = max(w, r.get_text_width_height_descent(str(t), fp, ismath=False)[0])
    return w * 72.0 / fig.dpi


def wrap_to_width(fig, text, width, *, size=9.0, balanced=True) -> list[str]:
    """Wrap ``text`` into lines no wider than ``width`` points as measured (not estimated per character).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure that will draw the lines.
    text : str
        One paragraph.
    width : float
        The widest a line may be, in points.
    size : float
        Font size in points.
    balanced : bool
        Even out the lines' lengths (no word left alone on the last line); False fills each
        line to ``width``, so that paragraphs set one under another share one right edge.

    Returns
    -------
    list of str
        The lines: as few as fit.
    """
    chars = max(20, int(width / (0.5 * size)))
    lines = textwrap.wrap(text, chars)
    while chars > 20 and width_pt(fig, lines, size=size) > width:
        chars -= 3
        lines = textwrap.wrap(text, chars)
    if not balanced:
        return lines
    for even in range(-(-len(text) // max(len(lines), 1)), chars):
        shorter = textwrap.wrap(text, even)
        if len(shorter) == len(lines):
            return shorter
    return lines


def runs(flags) -> list[tuple[int, int]]:
    """Maximal runs of consecutive true positions, as (first, last) pairs.

    Parameters
    ----------
    flags : sequence of bool
        One flag per row.

    Returns
    -------
    list of (int, int)
        Inclusive row ranges, in order.
    """
    out, start = [], None
    for i, f in enumerate(list(flags) + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def clipped_interval(ax, low, high, y, *, color, lw=1.6, cap=0.2, zorder=2):
    """Draw [low, high] on row ``y`` within the axis limits: an end inside gets a cap, an end
    beyond the limits is cut there and gets an arrow head (the numbers belong in a text column).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose x limits are already set.
    low, high : float
        The interval, on the plotted scale.
    y : float
        The row (data coordinate).
    color : str
        Line colour.
    lw : float
        Line width in points.
    cap : float
        Half-height of an end cap in row units.
    zorder : float
        Drawing order.

    Returns
    -------
    tuple of bool
        Whether the low and the high end were cut at the axis.
    """
    x0, x1 = sorted(ax.get_xlim())
    cut_lo, cut_hi = low < x0, high > x1
    a, b = max(low, x0), min(high, x1)
    kw = dict(color=color, lw=lw, zorder=zorder)
    ax.plot([a, b], [y, y], **kw)
    for end, cut, head in ((a, cut_lo, "<"), (b, cut_hi, ">")):
        if cut:
            ax.plot([end], [y], marker=head, color=color, ms=7, mew=0, zorder=zorder, clip_on=False, ls="none")
        else:
            ax.plot([end, end], [y - cap, y + cap], **kw)
    return cut_lo, cut_hi


#: How a forest plot's band is drawn, and the words that introduce it under the figure: a
#: clinically important difference is shaded; an effect-size convention is hatched with dotted edges.
BAND_STYLES = {"shaded": "Shaded: ", "hatched": "Hatched band with dotted edges: "}


def draw_band(ax, y0, y1, lo, hi, *, style, color, zorder=0):
    """Draw the band [lo, hi] from row ``y0`` to row ``y1`` in one of :data:`BAND_STYLES`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The forest's axes.
    y0, y1 : float
        Top and bottom of the band (data coordinates).
    lo, hi : float
        The band's ends on the plotted scale.
    style : str
        ``"shaded"`` (a grey fill) or ``"hatched"`` (diagonal hatching and dotted edges).
    color : str
        Fill colour of a shaded band.
    zorder : float
        Drawing order.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        If ``style`` is not one of :data:`BAND_STYLES`.
    """
    if style not in BAND_STYLES:
        raise ValueError(f"threshold_style must be one of {', '.join(map(repr, BAND_STYLES))}, got {style!r}")
    if style == "shaded":
        ax.fill_betweenx([y0, y1], lo, hi, color=color, lw=0, zorder=zorder)
        return
    ax.fill_betweenx([y0, y1], lo, hi, facecolor="none", edgecolor="0.72", hatch="////", lw=0, zorder=zorder)
    for x in (lo, hi):
        ax.plot([x, x], [y0, y1], color="0.45", lw=0.9, ls=":", zorder=zorder)


def legend_row(ax, fig, items, *, x, y, size=8.5):
    """A one-line key of round markers (with an optional white symbol) and names, under an Axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The Axes the key is placed under (offsets are from its lower-left corner).
    fig : matplotlib.figure.Figure
        The figure (its renderer measures the names).
    items : sequence of (str, str, str)
        ``(colour, symbol, name)`` per entry; an empty symbol draws a plain marker.
    x, y : float
        Offset of the first marker from the Axes' lower-left corner, in points.
    size : float
        Font size of the names in points.

    Returns
    -------
    None
    """
    from matplotlib import transforms as mtrans

    for col, sym, name in items:
        ax.plot([0], [0], transform=ax.transAxes + mtrans.ScaledTranslation((x + 5) / 72, y / 72,
                                                                           fig.dpi_scale_trans),
                marker="o", ms=9, color=col, clip_on=False, ls="none")
        if sym:
            ax.annotate(sym, (0, 0), xycoords="axes fraction", xytext=(x + 5, y), textcoords="offset points",
                        ha="center", va="center", color="white", fontsize=size - 0.5, fontweight="bold",
                        annotation_clip=False)
        ax.annotate(name, (0, 0), xycoords="axes fraction", xytext=(x + 13, y), textcoords="offset points",
                    ha="left", va="center", fontsize=size, annotation_clip=False)
        x += 22 + width_pt(fig, [name], size=size)
