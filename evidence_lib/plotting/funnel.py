"""Contour-enhanced funnel plot (Peters et al. 2008) and its alt text.

With fewer than ``min_k_asymmetry`` studies (10, Cochrane Handbook chapter 13; Sterne et al.
2011) the figure's title and its alt text say that asymmetry cannot be judged and that no
asymmetry test is reported. Studies can be labelled beside their points.

References
----------
Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L. Contour-enhanced meta-analysis funnel
plots help distinguish publication bias from other causes of asymmetry. J Clin Epidemiol
2008;61:991-996.
Sterne JAC, Sutton AJ, Ioannidis JPA, et al. Recommendations for examining and interpreting
funnel plot asymmetry in meta-analyses of randomised controlled trials. BMJ 2011;343:d4002.
"""

from __future__ import annotations

from evidence_lib.plotting._style import OKABE_ITO, _axes, no_data
from evidence_lib.plotting._text import _Z975, _isnum, _num, wrap_balanced

MIN_K_ASYMMETRY = 10


def asymmetry_caveat(k: int, *, min_k: int = MIN_K_ASYMMETRY) -> str:
    """The caveat printed on a funnel plot of fewer than ``min_k`` studies ("" otherwise).

    Parameters
    ----------
    k : int
        Studies drawn.
    min_k : int
        Fewest studies for which funnel asymmetry can be judged (10; Sterne et al. 2011;
        Cochrane Handbook, chapter 13).

    Returns
    -------
    str
        E.g. "4 studies: too few to judge asymmetry (10 or more are needed)".

    References
    ----------
    Sterne JAC, Sutton AJ, Ioannidis JPA, et al. BMJ 2011;343:d4002 (tests for funnel-plot
    asymmetry only with at least 10 studies).
    """
    if k >= min_k:
        return ""
    return f"{k} {'study' if k == 1 else 'studies'}: too few to judge asymmetry ({min_k} or more are needed)"


#: The second line under the caveat: why, and that no test is shown.
CAVEAT_REASON = ("Cochrane Handbook, chapter 13: with fewer studies neither the plot's shape nor an asymmetry "
                 "test such as Egger's can be interpreted, so no test is reported.")


def _label_positions(y, s, pooled, *, gap, bottom):
    """Label heights (data units) per point: each label on the side away from the pooled line, nudged apart."""
    import numpy as np

    side = np.where(y < pooled, -1, 1) if pooled is not None else np.ones(len(y), dtype=int)
    at = np.array(s, dtype=float)
    for sd in (-1, 1):
        idx = [int(i) for i in np.argsort(s, kind="stable") if side[i] == sd]
        for a, b in zip(idx, idx[1:]):                  # downwards: each label at least ``gap`` below the last
            at[b] = max(at[b], at[a] + gap)
        if idx:                                          # upwards: back inside the axis
            at[idx[-1]] = min(at[idx[-1]], bottom)
            for a, b in zip(reversed(idx[:-1]), reversed(idx[1:])):
                at[a] = min(at[a], at[b] - gap)
    return side, at


def funnel_plot(data, *, estimate="yi", se=None, sampling_variance=None, pooled_estimate=None,
                contours=(0.90, 0.95, 0.99), null=0.0, xlabel="Effect estimate", label=None,
                min_k_asymmetry=MIN_K_ASYMMETRY, max_labels=15, ax=None):
    """Contour-enhanced funnel plot (Peters et al. 2008).

    The axis is wide enough for every study, the widest contour and the pooled estimate's
    pseudo 95% confidence lines down to the largest standard error. With fewer than
    ``min_k_asymmetry`` studies the title says that asymmetry cannot be judged and that no
    asymmetry test is reported.

    Parameters
    ----------
    data : DataFrame
        One row per study.
    estimate : str
        Column of estimates (log scale for ratios).
    se, sampling_variance : str
        Column of standard errors, or of sampling variances (one of the two).
    pooled_estimate : float, optional
        Draws the pooled estimate and its pseudo 95% confidence funnel.
    contours : tuple of float
        Confidence levels whose two-sided significance boundaries around ``null`` are
        drawn as shaded regions (default p = 0.10, 0.05, 0.01).
    null : float
        Value of no effect.
    xlabel : str
        Axis label; say which way is better.
    label : str, optional
        Column of study labels, printed beside the points (on the side away from the pooled
        line, nudged apart) when there are at most ``max_labels`` studies.
    min_k_asymmetry : int
        Below this many studies a caveat is printed in the figure (:func:`asymmetry_caveat`).
    max_labels : int
        Most studies that are labelled.
    ax : Axes, optional
        Axes to draw on; when None, a new figure and axes are made.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    TypeError
        If neither ``se`` nor ``sampling_variance`` is given.

    References
    ----------
    Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L. J Clin Epidemiol 2008;61:991-996.
    Sterne JAC, Sutton AJ, Ioannidis JPA, et al. BMJ 2011;343:d4002.
    """
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from scipy.special import ndtri

    ax = _axes(ax, (5.5, 4.6))
    if data is None or len(data) == 0:
        return no_data(ax, "No trial data yet", detail="The funnel plot appears once trial results are entered.")
    y = data[estimate].astype(float).to_numpy()
    if se is not None:
        s = data[se].astype(float).to_numpy()
    elif sampling_variance is not None:
        s = np.sqrt(data[sampling_variance].astype(float).to_numpy())
    else:
        raise TypeError("funnel_plot needs se= or sampling_variance=")
    pooled = float(pooled_estimate) if pooled_estimate is not None and _isnum(pooled_estimate) else None
    smax = float(np.nanmax(s)) * 1.08 if len(s) else 1.0
    grid = np.linspace(0, smax, 50)
    levels = sorted(contours)
    zs = [float(ndtri(0.5 + lv / 2)) for lv in levels]
    shades = ["0.93", "0.82", "0.70", "0.60"]
    reach = [float(np.nanmax(np.abs(y - null))), zs[-1] * smax]
    if pooled is not None:
        reach.append(abs(pooled - null) + _Z975 * smax)
    xext = max(reach) * 1.06
    handles = []
    # region beyond the widest contour is the most significant; each band between two levels
    bounds = zs + [None]
    for i, lv in enumerate(levels):
        z_in = zs[i]
        z_out = bounds[i + 1]
        outer = grid * z_out if z_out is not None else np.full_like(grid, xext)
        col = shades[i % len(shades)]
        for sign in (-1, 1):
            ax.fill_betweenx(grid, null + sign * z_in * grid, null + sign * outer, color=col, lw=0, zorder=0)
        p_hi = 1 - lv
        p_lo = 1 - levels[i + 1] if i + 1 < len(levels) else None
        lab = f"{p_lo:g} < p < {p_hi:g}" if p_lo is not None else f"p < {p_hi:g}"
        handles.append(Patch(color=col, label=lab))
    ax.axvline(null, color="0.4", lw=0.8, zorder=1)
    if pooled is not None:
        ax.plot(pooled - _Z975 * grid, grid, color="0.2", lw=0.9, ls="--", zorder=2)
        ax.plot(pooled + _Z975 * grid, grid, color="0.2", lw=0.9, ls="--", zorder=2)
        ax.axvline(pooled, color="0.2", lw=0.9, zorder=2)
        handles.append(Line2D([], [], color="0.2", ls="--", lw=0.9, label="Pooled estimate, pseudo 95% CI"))
    ax.scatter(y, s, s=28, color=OKABE_ITO[0], edgecolor="white", linewidth=0.6, zorder=3)
    ax.set_ylim(smax, 0)
    ax.set_xlim(null - xext, null + xext)
    if label is not None and 0 < len(y) <= max_labels:
        _label_points(ax, y, s, data[label].astype(str).tolist(), pooled, smax)
    ax.set_ylabel("Standard error", fontsize=9)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.tick_params(labelsize=9)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, fontsize=9,
              title="Significance of a single study", title_fontsize=9)
    caveat = asymmetry_caveat(len(y), min_k=min_k_asymmetry)
    if caveat:
        ax.set_title(caveat + "\n" + wrap_balanced(CAVEAT_REASON, 80), fontsize=9, loc="left", color="0.2",
                     fontweight="normal")
    return ax


def _label_points(ax, y, s, names, pooled, smax):
    """Study labels beside the points, on the side away from the pooled line, nudged apart (thin leaders)."""
    from matplotlib.transforms import ScaledTranslation

    fig = ax.figure
    height_pt = ax.get_position().height * fig.get_figheight() * 72 * 0.8    # the layout may shrink the axes
    gap = 11.5 * smax / max(height_pt, 1.0)
    side, at = _label_positions(y, s, pooled, gap=gap, bottom=smax - gap / 2)
    for yi, si, name, sd, ti in zip(y, s, names, side, at):
        offset = ScaledTranslation(7 * sd / 72, 0, fig.dpi_scale_trans)
        ax.annotate(name, (yi, si), xytext=(yi, ti), textcoords=ax.transData + offset, fontsize=8.5,
                    ha="left" if sd > 0 else "right", va="center", zorder=4,
                    bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.75),
                    arrowprops=None if abs(ti - si) < 1e-9 else dict(arrowstyle="-", lw=0.5, color="0.3",
                                                                      shrinkA=0, shrinkB=3))


def describe_funnel(data, *, estimate="yi", se=None, sampling_variance=None, pooled_estimate=None,
                    null=0.0, min_k_asymmetry=MIN_K_ASYMMETRY) -> str:
    """Alt text for :func:`funnel_plot`, with the caveat for fewer than ``min_k_asymmetry`` studies.

    Parameters
    ----------
    data, estimate, se, sampling_variance, pooled_estimate, null, min_k_asymmetry
        As in :func:`funnel_plot` (give ``se`` or ``sampling_variance``).

    Returns
    -------
    str
        Number of studies, range of standard errors, how many lie where p < 0.05 (two-sided,
        against ``null``), how many lie either side of the pooled estimate, and, below
        ``min_k_asymmetry`` studies, that asymmetry cannot be judged and no test is reported.
    """
    if data is None or len(data) == 0:
        return "Funnel plot: no trial data yet."
    import numpy as np

    y = data[estimate].astype(float).to_numpy()
    s = data[se].astype(float).to_numpy() if se else np.sqrt(data[sampling_variance].astype(float).to_numpy())
    z = np.abs(y - null) / s
    n05 = int((z > 1.959964).sum())
    k = len(y)
    txt = (f"Contour-enhanced funnel plot of {k} studies, standard error on the vertical axis "
           f"({_num(np.nanmin(s), 2)} to {_num(np.nanmax(s), 2)}); {n05} of {k} studies lie in the region "
           f"where p < 0.05.")
    if pooled_estimate is not None:
        left = int((y < pooled_estimate).sum())
        txt += (f" The pooled estimate is {_num(pooled_estimate, 2)}; {left} studies lie left of it and "
                f"{k - left} right of it.")
    caveat = asymmetry_caveat(k, min_k=min_k_asymmetry)
    return txt + (f" {caveat}; no asymmetry test is reported (Cochrane Handbook, chapter 13)." if caveat else "")
