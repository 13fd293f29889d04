"""Effects over time: one series per panel on a numeric week axis, or rates on a categorical one.

No point is moved sideways on a numeric time axis: :func:`effect_over_time` draws each
series at its true weeks (put series whose timepoints coincide in separate panels, as
the figure registry does), and :func:`rates_by_timepoint` puts timepoints on a
categorical axis, where groups may sit side by side within a timepoint. Each point can
carry its own timepoint label. Nothing here changes rcParams.
"""

from __future__ import annotations

import math

from evidence_lib.plotting._style import MARKERS, OKABE_ITO, _axes, no_data
from evidence_lib.plotting._text import _num
from evidence_lib.terms import IMMEDIATE_MAX_WEEKS, LONG_MIN_WEEKS, SHORT_MAX_WEEKS

TERM_BANDS = (("immediate", 0.0, IMMEDIATE_MAX_WEEKS), ("short", IMMEDIATE_MAX_WEEKS, SHORT_MAX_WEEKS),
              ("intermediate", SHORT_MAX_WEEKS, LONG_MIN_WEEKS), ("long", LONG_MIN_WEEKS, math.inf))
FONT = 9.0
#: Points from one row of band names to the next: a bracket clears the top of the name on the row below it.
ROW_PT = 16.0


def effect_over_time(data, *, weeks="timepoint_weeks", estimate="estimate", ci_low="ci_low", ci_high="ci_high",
                     group="group", point_label=None, threshold=None, threshold_label=None, null=0.0,
                     ylabel=None, xmax=None, ylim=None, term_names=True, color_index=0, ax=None):
    """Effects by weeks from randomisation, each group a line at its true weeks (no sideways shift).

    A point's label goes above or below it (neighbours alternate), but never across the
    null line: a label that would cross it goes to the point's other side.

    Parameters
    ----------
    data : DataFrame
        One row per timepoint (of one or more groups).
    weeks, estimate, ci_low, ci_high, group : str
        Column names.
    point_label : str, optional
        Column of text written beside each point (e.g. its timepoint, "52 wk").
    threshold : float, optional
        Half-width of a band null ± threshold that is shaded.
    threshold_label : str, optional
        What the band is (for the legend).
    null : float or None
        Value of no effect, drawn as a line; None draws none.
    ylabel : str, optional
        Axis label; say which way is better.
    xmax : float, optional
        Right end of the week axis (to share it between panels).
    ylim : (float, float), optional
        Limits of the effect axis (to share it between panels; set before the labels are placed).
    term_names : bool or dict
        Name every term band over the axes: True uses the term codes ("short term"), a dict
        maps each code of :data:`TERM_BANDS` to its words; False writes none. A name wider
        than its band goes on a row of its own above, over a bracket spanning the band.
    color_index : int
        First colour and marker of the Okabe-Ito cycle.
    ax : Axes, optional
        Axes to draw on; when None, a new figure and axes are made.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    import numpy as np

    ax = _axes(ax, (6.0, 3.2))
    df = data.dropna(subset=[weeks, estimate]) if len(data) else data
    if len(df) == 0:
        return no_data(ax, "No effects with timepoints yet",
                       detail="Effects by week appear once trial results are entered.")
    wmax = float(df[weeks].astype(float).max())
    xmax = xmax or max(wmax * 1.08, 14.0)
    ax.set_xlim(0, xmax)
    if ylim is not None:
        ax.set_ylim(*ylim)
    for _name, a, _b in TERM_BANDS:
        if 0 < a < xmax:
            ax.axvline(a, color="0.6", lw=0.8, ls=(0, (2, 2)), zorder=0.6)
    if term_names:
        term_band_names(ax, xmax, term_names if isinstance(term_names, dict) else None)
    if threshold:
        ax.axhspan(null - threshold, null + threshold, color="#E8E8E8", lw=0, zorder=0.5,
                   label=threshold_label or f"\u00b1{threshold:g}")
    if null is not None:
        ax.axhline(null, color="0.4", lw=0.8, zorder=1)
    for gi, g in enumerate(dict.fromkeys(df[group].tolist())):
        sub = df[df[group] == g].sort_values(weeks)
        x = sub[weeks].astype(float).to_numpy()
        yv = sub[estimate].astype(float).to_numpy()
        lo = sub[ci_low].astype(float).to_numpy() if ci_low in sub else np.full_like(yv, np.nan)
        hi = sub[ci_high].astype(float).to_numpy() if ci_high in sub else np.full_like(yv, np.nan)
        j = color_index + gi
        col = OKABE_ITO[j % len(OKABE_ITO)]
        ax.plot(x, yv, color=col, lw=1.3, marker=MARKERS[j % len(MARKERS)], ms=5, label=str(g), zorder=3)
        ok = ~(np.isnan(lo) | np.isnan(hi))
        ax.vlines(x[ok], lo[ok], hi[ok], color=col, lw=1.0, zorder=2)
        if point_label:
            # neighbouring labels alternate above and below their points so that close
            # timepoints (6 and 13 weeks on a two-year axis) do not write over each other;
            # a label that would cross the null line goes to the point's other side
            from evidence_lib.plotting._forest_marks import width_pt

            y0, y1 = ax.get_ylim()
            box = ax.get_window_extent()
            tall = 14.0 * abs(y1 - y0) / max(box.height * 72 / ax.figure.dpi, 1.0)
            pt_per_week = box.width * 72 / ax.figure.dpi / xmax
            ends = {True: -math.inf, False: -math.inf}    # where the last label on each side ends, in points
            for n, (xi, yi, s) in enumerate(zip(x, yv, sub[point_label])):
                above = n % 2 == 0
                if null is not None and (yi < null < yi + tall if above else yi - tall < null < yi):
                    above = not above
                start = xi * pt_per_week + 5
                lower = 10 if start < ends[above] + 3 else 0     # a label that would run into the last: a line further
                ends[above] = start + width_pt(ax.figure, [str(s)], size=FONT)
                ax.annotate(str(s), (xi, yi), xytext=(5, (3 + lower) if above else -(4 + lower)),
                            textcoords="offset points", fontsize=FONT, color="0.25", ha="left",
                            va="bottom" if above else "top")
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    return ax


def term_band_names(ax, xmax, names=None, *, outside_left: bool = False) -> int:
    """Name each term band of :data:`TERM_BANDS` over ``ax``, each name over a bracket spanning its band.

    A name that fits over its band sits centred just above the axes; one that does not goes
    on a row of its own above, starting at the band's left edge. A band that runs on past
    the axis end (the last, open-ended one) has an arrow at the axis end instead of a closing
    bar. With ``outside_left``, a leftmost band too narrow for its name (on a row of its own,
    its short bracket would sit against the start of the next band's name) is named to the
    left of the axis start, beside its bracket, on the row of the band to its right.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose x axis is in weeks from 0 to ``xmax``.
    xmax : float
        Right end of the week axis.
    names : dict, optional
        Term code -> words; default "<code> term".
    outside_left : bool, optional
        Name a narrow leftmost band left of the axis start. That name is left out of the
        layout (the axes keep their place; it takes the room over the y tick labels), so
        the caller keeps that room free.

    Returns
    -------
    int
        The rows of names drawn above the axes (so that a title can clear them).
    """
    from matplotlib.transforms import ScaledTranslation

    from evidence_lib.plotting._forest_marks import width_pt

    fig = ax.figure
    axes_pt = ax.get_window_extent().width * 72 / fig.dpi

    def lift(pt, dx_pt=0.0):
        return ax.get_xaxis_transform() + ScaledTranslation(dx_pt / 72, pt / 72, fig.dpi_scale_trans)

    def bracket(a, b, base, open_end):
        style = "]->, widthA=0.15, lengthA=0" if open_end else "|-|, widthA=0.15, widthB=0.15"
        ax.annotate("", xy=(b, 1), xytext=(a, 1), xycoords=lift(base), textcoords=lift(base), annotation_clip=False,
                    arrowprops=dict(arrowstyle=style, color="0.55", lw=0.7, shrinkA=0, shrinkB=0))

    rows = 1
    for code, a, b in reversed(TERM_BANDS):       # right to left: the leftmost narrow band's name on top
        if a >= xmax:
            continue
        open_end = b > xmax
        b = min(b, xmax)
        text = (names or {}).get(code, f"{code} term")
        if width_pt(fig, [text], size=FONT) + 4 <= (b - a) / xmax * axes_pt:
            bracket(a, b, 1.0, open_end)
            ax.text((a + b) / 2, 1, text, transform=lift(2.5), ha="center", va="bottom", fontsize=FONT, color="0.35")
            continue
        if outside_left and a <= 0 and rows > 1:   # leftmost and narrow: beside its bracket, left of the axis start
            base = ROW_PT * (rows - 1) + 1
            bracket(a, b, base, open_end)
            # out of the layout: the axes keep their place, and the name takes the room over the y tick labels
            ax.text(a, 1, text, transform=lift(base, -4.0), ha="right", va="center", fontsize=FONT, color="0.35",
                    in_layout=False)
            continue
        base = ROW_PT * rows + 1
        bracket(a, b, base, open_end)
        ax.text(a, 1, text, transform=lift(base + 1.5, 3.0), ha="left", va="bottom", fontsize=FONT, color="0.35")
        rows += 1
    return rows


def term_band_strip(ax, xmax, names=None, *, heading=None) -> int:
    """Turn ``ax`` into a strip that names the term bands for every panel below it.

    The strip shares the panels' week axis: a rule along its foot with a tick at each band
    edge (where the panels draw their dotted lines), and each band's name over a bracket
    spanning its stretch of the rule (:func:`term_band_names`); a first band too narrow for
    its name is named left of the axis start, over the panels' y tick labels, out of the
    layout: keep room for that name there (the panels' tick labels and a figure-level y label
    make it). Put it above the first panel, under the figure title, so that the names read as
    belonging to all the panels rather than to the first.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        A short axes over the panels, sharing their x axis (weeks from 0 to ``xmax``).
    xmax : float
        Right end of the week axis.
    names : dict, optional
        Term code -> words; default "<code> term".
    heading : str, optional
        Words written at the right end of the strip's top row (what the names are).

    Returns
    -------
    int
        The rows of names drawn above the rule.
    """
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.tick_params(axis="x", length=0, labelbottom=False)
    for side in ("left", "right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    ax.patch.set_visible(False)
    ax.axhline(0, color="0.6", lw=0.8)
    for _name, a, _b in TERM_BANDS:
        if 0 < a < xmax:
            ax.axvline(a, ymax=1.0, color="0.6", lw=0.8, ls=(0, (2, 2)))
    rows = term_band_names(ax, xmax, names, outside_left=True)
    if heading:
        from matplotlib.transforms import ScaledTranslation

        ax.text(1.0, 1.0, heading, transform=ax.transAxes + ScaledTranslation(0, (ROW_PT * (rows - 1) + 2.5) / 72,
                                                                              ax.figure.dpi_scale_trans),
                ha="right", va="bottom", fontsize=FONT, color="0.35", style="italic")
    return rows


def describe_effect_over_time(data, *, weeks="timepoint_weeks", estimate="estimate", group="group",
                              threshold=None, threshold_label=None, null=0.0) -> str:
    """Alt text for :func:`effect_over_time` (counts and ranges of what is drawn).

    Parameters
    ----------
    data, weeks, estimate, group, threshold, threshold_label, null
        As in :func:`effect_over_time`.

    Returns
    -------
    str
        Comparisons, timepoints by term, the range of estimates and, with a threshold, how
        many estimates lie inside the band.
    """
    from evidence_lib.terms import term_for_weeks

    df = data.dropna(subset=[weeks, estimate]) if len(data) else data
    if len(df) == 0:
        return "Effects over time: no effects with timepoints in the data yet."
    g = df[group].nunique()
    terms = df[weeks].astype(float).map(term_for_weeks).value_counts()
    tparts = ", ".join(f"{terms[t]} {t}-term" for t in ("immediate", "short", "intermediate", "long") if t in terms)
    s = (f"Effects of {g} comparisons at {len(df)} timepoints from {_num(df[weeks].min(), 0)} to "
         f"{_num(df[weeks].max(), 0)} weeks ({tparts}); estimates range from {_num(df[estimate].min(), 1)} "
         f"to {_num(df[estimate].max(), 1)}.")
    if threshold:
        inside = int((df[estimate].astype(float).sub(null).abs() < threshold).sum())
        s += (f" {inside} of {len(df)} estimates lie inside the shaded band ("
              f"{threshold_label or f'within {threshold:g} of no difference'}).")
    return s


def rates_by_timepoint(data, *, timepoint="timepoint", estimate="estimate", ci_low="ci_low", ci_high="ci_high",
                       group="group", order=None, ylabel=None, style_index=None, ax=None):
    """Rates per group at each timepoint, on a categorical timepoint axis (groups side by side).

    Parameters
    ----------
    data : DataFrame
        One row per group and timepoint.
    timepoint : str
        Column of timepoint labels (e.g. "6 weeks"); categories in order of first appearance
        unless ``order`` is given.
    estimate, ci_low, ci_high, group : str
        Column names.
    order : list, optional
        Timepoint labels in order.
    style_index : dict, optional
        Group -> index into the Okabe-Ito colours and the markers (so that a group keeps its
        look across figures); default: the groups' order.
    ylabel : str, optional
        Label of the vertical axis; None for none.
    ax : Axes, optional
        Axes to draw on; when None, a new figure and axes are made.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    import numpy as np

    ax = _axes(ax, (5.5, 3.4))
    if len(data) == 0:
        return no_data(ax, "No rates per arm yet")
    cats = list(order) if order is not None else list(dict.fromkeys(data[timepoint].tolist()))
    groups = list(dict.fromkeys(data[group].tolist()))
    width = 0.7 / max(len(groups), 1)
    for gi, g in enumerate(groups):
        sub = data[data[group] == g]
        x = np.array([cats.index(t) for t in sub[timepoint]], dtype=float) + (gi - (len(groups) - 1) / 2) * width
        y = sub[estimate].astype(float).to_numpy()
        lo = sub[ci_low].astype(float).to_numpy() if ci_low in sub else np.full_like(y, np.nan)
        hi = sub[ci_high].astype(float).to_numpy() if ci_high in sub else np.full_like(y, np.nan)
        j = (style_index or {}).get(g, gi)
        col = OKABE_ITO[j % len(OKABE_ITO)]
        ax.plot(x, y, ls="none", marker=MARKERS[j % len(MARKERS)], ms=7, color=col, label=str(g), zorder=3)
        ok = ~(np.isnan(lo) | np.isnan(hi))
        ax.vlines(x[ok], lo[ok], hi[ok], color=col, lw=1.2, zorder=2)
    ax.set_xticks(range(len(cats)), cats, fontsize=FONT)
    ax.set_xlim(-0.5, len(cats) - 0.5)
    ax.tick_params(labelsize=FONT)
    for k in range(len(cats) - 1):
        ax.axvline(k + 0.5, color="0.9", lw=0.8, zorder=0)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=FONT)
    return ax
