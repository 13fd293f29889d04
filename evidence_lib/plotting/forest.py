"""Forest plots at the level of RevMan / metafor.

:func:`forest_plot` draws one row per study (label, n, estimate and CI as text,
weight %, a square sized by weight), the pooled diamond, the prediction interval,
heterogeneity and overall-effect text, optional subgroups (each with its own diamond
and a test for subgroup differences), "favours" labels under the axis and a shaded
band for effects smaller than the clinically important difference.

Text columns are laid out from their measured widths (in points, with the figure's
renderer), so they never overlap or run off the figure when the function makes its own
figure. When an ``ax`` is passed in, the columns sit outside that Axes at fixed point
offsets; leave room for them (``layout="constrained"`` does this automatically).

``pooled`` (and each value of ``subgroup_results``) is any object with the attributes
``estimate, ci_low, ci_high, pi_low, pi_high, tau2, i2, q, q_df`` (or ``k``) and
``q_pvalue``, optionally ``statistic`` (with ``df``: finite for t, inf for z) and ``pvalue`` — e.g. the engine's
``evidence_lib.meta.MetaResult``. Values must be on the plotted scale (for ratios:
the natural scale, with ``log_scale=True``). ``i2`` is in percent (as metafor and the engine).
"""

from __future__ import annotations

import math

from evidence_lib._values import is_number

MINUS = "\u2212"
_Z975 = 1.959963984540054


# --------------------------------------------------------------------------- numbers

_isnum = is_number


def _fmt(x, d: int) -> str:
    if not _isnum(x):
        return ""
    s = f"{float(x):.{d}f}"
    if s.startswith("-"):
        s = s[1:] if float(s[1:]) == 0 else MINUS + s[1:]
    return s


def fmt_p(p) -> str:
    """A p-value as 'p = 0.03', 'p < 0.001'."""
    if not _isnum(p):
        return "p = n/a"
    p = float(p)
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def _decimals(values) -> int:
    vals = [abs(float(v)) for v in values if _isnum(v)]
    m = max(vals) if vals else 1.0
    return 2 if m < 10 else 1 if m < 100 else 0


def _attr(obj, *names, default=None):
    for n in names:
        if obj is None:
            return default
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        v = getattr(obj, n, None)
        if v is not None:
            return v
    return default


def _i2_percent(i2):
    if not _isnum(i2):
        return None
    return float(i2)          # percent, as metafor, the engine and pooled_results.i2


def heterogeneity_text(res, *, log_scale: bool = False) -> str:
    """'Heterogeneity: τ² = 0.04; Q = 12.3, df = 7 (p = 0.09); I² = 43%'."""
    tau2 = _attr(res, "tau2")
    q = _attr(res, "q")
    df = _attr(res, "q_df")
    if df is None and _isnum(_attr(res, "k")):
        df = int(_attr(res, "k")) - 1
    i2 = _i2_percent(_attr(res, "i2"))
    parts = []
    if _isnum(tau2):
        parts.append(f"\u03c4\u00b2 = {float(tau2):.{3 if float(tau2) < 0.1 else 2}f}")
    if _isnum(q):
        qs = f"Q = {float(q):.2f}"
        if _isnum(df):
            qs += f", df = {int(round(float(df)))}"
        qs += f" ({fmt_p(_attr(res, 'q_pvalue'))})"
        parts.append(qs)
    if i2 is not None:
        parts.append(f"I\u00b2 = {i2:.0f}%")
    return "Heterogeneity: " + "; ".join(parts) if parts else ""


def overall_effect_text(res, *, null: float = 0.0, log_scale: bool = False) -> str:
    """'Test for overall effect: z = 3.10 (p = 0.002)' (t for Hartung-Knapp results)."""
    stat = _attr(res, "statistic")
    p = _attr(res, "pvalue", "p")
    est, lo, hi = (_attr(res, n) for n in ("estimate", "ci_low", "ci_high"))
    if not _isnum(stat) and all(_isnum(v) for v in (est, lo, hi)) and hi > lo:
        f = math.log if log_scale else float
        try:
            se = (f(hi) - f(lo)) / (2 * _Z975)
            stat = (f(est) - f(null) if log_scale else est - null) / se
        except ValueError:
            stat = None
    if not _isnum(p) and _isnum(stat):
        p = math.erfc(abs(float(stat)) / math.sqrt(2))
    if not _isnum(stat):
        return ""
    df = _attr(res, "df")
    name = "t" if _isnum(df) and math.isfinite(float(df)) else "z"
    return f"Test for overall effect: {name} = {_fmt(stat, 2)} ({fmt_p(p)})"


def subgroup_test_text(test) -> str:
    """'Test for subgroup differences: Q = 3.20, df = 1 (p = 0.07)'."""
    q = _attr(test, "q", "qm", "Q")
    df = _attr(test, "df", "q_df")
    p = _attr(test, "pvalue", "q_pvalue", "p")
    if not _isnum(q):
        return ""
    s = f"Test for subgroup differences: Q = {float(q):.2f}"
    if _isnum(df):
        s += f", df = {int(round(float(df)))}"
    return s + f" ({fmt_p(p)})"


# --------------------------------------------------------------------------- drawing

ROW_PT = 15.0        # row height in points when the function makes its own figure
FONT = 8.5
PAD = 12.0           # points between text columns
COLORS = {"study": "#0072B2", "diamond": "#000000", "pi": "#D55E00", "band": "#E8E8E8"}


def _renderer(fig):
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if get else fig._get_renderer()


def _width_pt(fig, texts, *, bold=False, size=FONT) -> float:
    from matplotlib.font_manager import FontProperties

    r = _renderer(fig)
    fp = FontProperties(size=size, weight="bold" if bold else "normal")
    w = 0.0
    for t in texts:
        if t:
            w = max(w, r.get_text_width_height_descent(str(t), fp, ismath=False)[0])
    return w * 72.0 / fig.dpi


def forest_plot(data, *, estimate="yi", ci_low="ci_low", ci_high="ci_high", label="label",
                weight="weight", n=None, group=None, pooled=None, subgroup_results=None,
                subgroup_test=None, threshold=None,
                favours=("Favours acupuncture", "Favours control"), null=0.0, log_scale=False,
                xlabel=None, label_heading="Study", ax=None):
    """Forest plot: one row per study, pooled diamond, prediction interval, statistics.

    Parameters
    ----------
    data : DataFrame
        One row per study.
    estimate, ci_low, ci_high, label : str
        Column names (ratios on their natural scale with ``log_scale=True``).
    weight : str or None
        Column of weights (percent, or anything proportional); shown as "Weight" and
        used for square sizes. If absent, squares are sized by 1/se² from the CI and
        no weight column is shown.
    n : str, (str, str) or None
        Total n column, or (n acupuncture, n control) columns shown as "n₁/n₀".
    group : str or None
        Subgroup column; studies are listed by group in order of first appearance.
    pooled : object or None
        Overall result (see the module docstring for attributes).
    subgroup_results : dict or None
        Group value -> result object, for the subgroup diamonds.
    subgroup_test : object or dict or None
        ``q``, ``df``, ``pvalue`` of the test for subgroup differences.
    threshold : float or None
        Clinically important difference; a band null ± threshold (null ×/÷ threshold
        on a log scale) is shaded.
    favours : (str, str)
        Labels under the axis, left and right of the null line.
    null : float
        Value of no effect (1.0 for ratios).
    log_scale : bool
    xlabel : str or None
        Heading over the plot column (e.g. "Mean difference, 0-10 scale").
    label_heading : str
        Heading of the label column ("Study"; "Review" for a plot of published pooled estimates).
    ax : Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib import transforms as mtrans
    from matplotlib.patches import Polygon

    df = data.reset_index(drop=True)
    est = df[estimate].astype(float).to_numpy()
    lo = df[ci_low].astype(float).to_numpy()
    hi = df[ci_high].astype(float).to_numpy()
    labels = df[label].astype(str).tolist()
    ntrans = np.log if log_scale else (lambda a: np.asarray(a, dtype=float))

    # weights: given, else inverse variance from the CI
    if weight is not None and weight in df.columns and df[weight].notna().any():
        w = df[weight].astype(float).fillna(0).to_numpy()
        show_w = True
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            se = (ntrans(hi) - ntrans(lo)) / (2 * _Z975)
            w = np.where(np.isfinite(se) & (se > 0), 1 / se ** 2, np.nan)
        w = np.nan_to_num(w, nan=np.nanmin(w) if np.isfinite(w).any() else 1.0)
        show_w = False
    wsum = w.sum() if w.sum() > 0 else 1.0
    wpct = 100 * w / wsum

    if isinstance(n, (tuple, list)):
        n_text = [f"{_fmt(a, 0)}/{_fmt(b, 0)}" if _isnum(a) and _isnum(b) else ""
                  for a, b in zip(df[n[0]], df[n[1]])]
        n_head = "n (acu/ctl)"
    elif n is not None:
        n_text = [_fmt(v, 0) for v in df[n]]
        n_head = "n"
    else:
        n_text, n_head = None, None

    allvals = list(est) + list(lo) + list(hi)
    for r in [pooled] + list((subgroup_results or {}).values()):
        allvals += [_attr(r, "estimate"), _attr(r, "ci_low"), _attr(r, "ci_high")]
    d = _decimals(allvals)

    # a figure space (digit-wide) before non-negative estimates keeps the column's digits aligned
    pad_sign = any(_isnum(v) and float(v) < 0 for v in allvals)

    def ci_text(e, l, h):
        if not _isnum(e):
            return ""
        lead = "\u2007" if pad_sign and not _fmt(e, d).startswith(MINUS) else ""
        if _isnum(l) and _isnum(h):
            return f"{lead}{_fmt(e, d)} [{_fmt(l, d)}, {_fmt(h, d)}]"
        return lead + _fmt(e, d)

    # ---- the rows, top to bottom: (kind, payload)
    rows = [("header", None)]
    groups = [None]
    if group is not None:
        groups = list(dict.fromkeys(df[group].tolist()))
    for g in groups:
        idx = list(range(len(df))) if g is None else [i for i in range(len(df)) if df[group].iloc[i] == g]
        if g is not None:
            rows.append(("group", str(g)))
        rows += [("study", i) for i in idx]
        sr = (subgroup_results or {}).get(g) if g is not None else None
        if sr is not None:
            rows.append(("diamond", (f"Subtotal ({str(g)})", sr, sum(wpct[i] for i in idx), len(idx))))
            het = heterogeneity_text(sr, log_scale=log_scale)
            if het:
                rows.append(("note", het))
            ov = overall_effect_text(sr, null=null, log_scale=log_scale)
            if ov:
                rows.append(("note", ov))
        if g is not None and g != groups[-1]:
            rows.append(("blank", None))
    if pooled is not None:
        if group is not None:
            rows.append(("blank", None))
        rows.append(("diamond", (f"Total ({len(df)} studies)", pooled, 100.0, len(df))))
        if _isnum(_attr(pooled, "pi_low")) and _isnum(_attr(pooled, "pi_high")):
            rows.append(("pi", pooled))
        for t in (heterogeneity_text(pooled, log_scale=log_scale),
                  overall_effect_text(pooled, null=null, log_scale=log_scale)):
            if t:
                rows.append(("note", t))
    if subgroup_test is not None:
        t = subgroup_test_text(subgroup_test)
        if t:
            rows.append(("note", t))
    nrows = len(rows)

    # ---- text of each column
    col_label, col_n, col_ci, col_w, notes = [], [], [], [], []
    bold_label, bold_ci, bold_w = [], [], []       # diamond rows are set in bold
    for kind, p in rows:
        if kind == "study":
            col_label.append(labels[p])
            col_n.append(n_text[p] if n_text else "")
            col_ci.append(ci_text(est[p], lo[p], hi[p]))
            col_w.append(f"{wpct[p]:.1f}%" if show_w else "")
        elif kind == "diamond":
            name, r, wp, _k = p
            bold_label.append(name)
            bold_ci.append(ci_text(_attr(r, "estimate"), _attr(r, "ci_low"), _attr(r, "ci_high")))
            bold_w.append(f"{wp:.1f}%" if show_w else "")
        elif kind == "pi":
            col_label.append("95% prediction interval")
            col_ci.append(f"[{_fmt(_attr(p, 'pi_low'), d)}, {_fmt(_attr(p, 'pi_high'), d)}]")
        elif kind == "note":
            notes.append(p)
    head_label, head_ci, head_w = label_heading, "Estimate [95% CI]", "Weight"

    own = ax is None
    if own:
        fig = plt.figure(figsize=(8, 4))
    else:
        fig = ax.figure
    wl = max(_width_pt(fig, col_label), _width_pt(fig, [head_label] + bold_label, bold=True),
             _width_pt(fig, [r[1] for r in rows if r[0] == "group"], bold=True))
    wn = max(_width_pt(fig, col_n), _width_pt(fig, [n_head], bold=True)) if n_text else 0.0
    wc = max(_width_pt(fig, col_ci), _width_pt(fig, [head_ci] + bold_ci, bold=True))
    ww = max(_width_pt(fig, col_w), _width_pt(fig, [head_w] + bold_w, bold=True)) if show_w else 0.0
    wnote = _width_pt(fig, notes, size=FONT - 0.5)
    left_w = wl + PAD + (wn + PAD if n_text else 0.0) + PAD       # points left of the axes
    right_w = PAD + wc + (PAD + ww if show_w else 0.0) + 4        # points right of the axes
    x_label = -left_w
    x_n = -PAD
    x_ci = PAD
    x_w = PAD + wc + PAD + ww

    if own:
        plot_w = max(170.0, wnote - left_w + 6)                 # a note may run under the plot column
        top, bottom = 10.0, 58.0 + (12.0 if threshold else 0.0)
        W = left_w + plot_w + right_w + 12
        H = nrows * ROW_PT + top + bottom
        fig.set_size_inches(W / 72, H / 72)
        ax = fig.add_axes(((left_w + 6) / W, bottom / H, plot_w / W, nrows * ROW_PT / H))

    # ---- x range
    xs = [v for v in allvals if _isnum(v)] + [null]
    for r in [pooled] + list((subgroup_results or {}).values()):
        xs += [v for v in (_attr(r, "pi_low"), _attr(r, "pi_high")) if _isnum(v)]
    if threshold:
        band = (null / threshold, null * threshold) if log_scale and threshold > 1 else \
               (null * threshold, null / threshold) if log_scale else (null - threshold, null + threshold)
        xs += list(band)
    xs = [x for x in xs if not log_scale or x > 0]
    xmin, xmax = (min(xs), max(xs)) if xs else (null - 1, null + 1)
    if log_scale:
        ax.set_xscale("log")
        span = math.log(xmax) - math.log(xmin) or 1.0
        ax.set_xlim(math.exp(math.log(xmin) - 0.05 * span), math.exp(math.log(xmax) + 0.05 * span))
    else:
        span = (xmax - xmin) or 1.0
        ax.set_xlim(xmin - 0.05 * span, xmax + 0.05 * span)
    ax.set_ylim(nrows - 0.5, -0.5)
    ax.set_yticks([])
    for s in ("left", "right", "top"):
        ax.spines[s].set_visible(False)
    ax.tick_params(axis="x", labelsize=FONT)

    # ---- text transforms: x in points from the Axes' left / right edge, y in data
    def tr(dx_pt):
        base = mtrans.blended_transform_factory(ax.transAxes, ax.transData)
        return base + mtrans.ScaledTranslation(dx_pt / 72, 0, fig.dpi_scale_trans)

    def put(side, x0, dx, y, s, **kw):
        ax.text(x0, y, s, transform=tr(dx), va="center", fontsize=kw.pop("fontsize", FONT),
                clip_on=False, **kw)

    # band and null line (the null line spans study and diamond rows only)
    last_plot_row = max([i for i, (k, _) in enumerate(rows) if k in ("study", "diamond", "pi")], default=0)
    if threshold:
        ax.fill_betweenx([0.5, last_plot_row + 0.5], band[0], band[1], color=COLORS["band"], lw=0, zorder=0)
    ax.plot([null, null], [0.5, last_plot_row + 0.5], color="0.35", lw=0.8, zorder=1)

    wmax = max(wpct.max(), 1e-9) if len(wpct) else 1.0
    for i, (kind, p) in enumerate(rows):
        if kind == "header":
            put("l", 0, x_label, i, head_label, ha="left", fontweight="bold")
            if n_text:
                put("l", 0, x_n, i, n_head, ha="right", fontweight="bold")
            put("r", 1, x_ci, i, head_ci, ha="left", fontweight="bold")
            if show_w:
                put("r", 1, x_w, i, head_w, ha="right", fontweight="bold")
            if xlabel:
                ax.text(0.5, i, xlabel, transform=mtrans.blended_transform_factory(ax.transAxes, ax.transData),
                        ha="center", va="center", fontsize=FONT, fontweight="bold", clip_on=False)
        elif kind == "group":
            put("l", 0, x_label, i, p, ha="left", fontweight="bold", fontstyle="italic")
        elif kind == "study":
            put("l", 0, x_label, i, labels[p], ha="left")
            if n_text:
                put("l", 0, x_n, i, n_text[p], ha="right")
            put("r", 1, x_ci, i, ci_text(est[p], lo[p], hi[p]), ha="left")
            if show_w:
                put("r", 1, x_w, i, f"{wpct[p]:.1f}%", ha="right")
            if _isnum(lo[p]) and _isnum(hi[p]):
                ax.plot([lo[p], hi[p]], [i, i], color="0.15", lw=1.0, zorder=2, solid_capstyle="butt")
            if _isnum(est[p]):
                size = 12 + 88 * math.sqrt(wpct[p] / wmax)
                ax.scatter([est[p]], [i], marker="s", s=size, color=COLORS["study"], zorder=3, linewidths=0)
        elif kind == "diamond":
            name, r, wp, _k = p
            e, l, h = _attr(r, "estimate"), _attr(r, "ci_low"), _attr(r, "ci_high")
            put("l", 0, x_label, i, name, ha="left", fontweight="bold")
            put("r", 1, x_ci, i, ci_text(e, l, h), ha="left", fontweight="bold")
            if show_w:
                put("r", 1, x_w, i, f"{wp:.1f}%", ha="right", fontweight="bold")
            if all(_isnum(v) for v in (e, l, h)):
                ax.add_patch(Polygon([(l, i), (e, i - 0.36), (h, i), (e, i + 0.36)], closed=True,
                                     facecolor=COLORS["diamond"], edgecolor=COLORS["diamond"], zorder=3))
        elif kind == "pi":
            pl, ph = _attr(p, "pi_low"), _attr(p, "pi_high")
            put("l", 0, x_label, i, "95% prediction interval", ha="left", fontstyle="italic")
            put("r", 1, x_ci, i, f"[{_fmt(pl, d)}, {_fmt(ph, d)}]", ha="left", fontstyle="italic")
            ax.plot([pl, ph], [i, i], color=COLORS["pi"], lw=1.6, zorder=2)
            ax.plot([pl, pl], [i - 0.2, i + 0.2], color=COLORS["pi"], lw=1.6, zorder=2)
            ax.plot([ph, ph], [i - 0.2, i + 0.2], color=COLORS["pi"], lw=1.6, zorder=2)
        elif kind == "note":
            put("l", 0, x_label, i, p, ha="left", fontsize=FONT - 0.5, color="0.2",
                bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none"))

    # favours labels under the tick labels, either side of the null line
    fl, fr = favours if favours else ("", "")
    xt = mtrans.blended_transform_factory(ax.transData, ax.transAxes)
    arrow = "\u2190 "
    if fl:
        ax.annotate(arrow + fl, (null, 0), xycoords=xt, xytext=(-4, -24), textcoords="offset points",
                    ha="right", va="top", fontsize=FONT, annotation_clip=False)
    if fr:
        ax.annotate(fr + " \u2192", (null, 0), xycoords=xt, xytext=(4, -24), textcoords="offset points",
                    ha="left", va="top", fontsize=FONT, annotation_clip=False)
    if threshold:
        thr = f"{threshold:g}"
        ax.annotate(f"Shaded: smaller than the clinically important difference ({'×/÷' if log_scale else '±'}{thr})",
                    (0.5, 0), xycoords="axes fraction", xytext=(0, -40), textcoords="offset points",
                    ha="center", va="top", fontsize=FONT - 1, color="0.3", annotation_clip=False)
    return ax


def describe_forest(data, *, estimate="yi", ci_low="ci_low", ci_high="ci_high", label="label",
                    pooled=None, threshold=None, null=0.0, what="trials") -> str:
    """One-paragraph alt text for :func:`forest_plot`, from the same data (rounded)."""
    df = data
    k = len(df)
    if k == 0:
        return f"Forest plot: no {what} in the data yet."
    est = df[estimate].astype(float)
    d = _decimals(list(est) + list(df[ci_low]) + list(df[ci_high]))
    lo_excl = int(((df[ci_high].astype(float) < null) | (df[ci_low].astype(float) > null)).sum())
    s = (f"Forest plot of {k} {what}; estimates range from {_fmt(est.min(), d)} to {_fmt(est.max(), d)}, "
         f"and {lo_excl} of {k} confidence intervals exclude the null value {null:g}.")
    if pooled is not None:
        e, l, h = (_attr(pooled, n) for n in ("estimate", "ci_low", "ci_high"))
        s += f" The pooled estimate is {_fmt(e, d)} (95% CI {_fmt(l, d)} to {_fmt(h, d)})"
        pl, ph = _attr(pooled, "pi_low"), _attr(pooled, "pi_high")
        if _isnum(pl) and _isnum(ph):
            s += f", with a 95% prediction interval of {_fmt(pl, d)} to {_fmt(ph, d)}"
        i2 = _i2_percent(_attr(pooled, "i2"))
        if i2 is not None:
            s += f"; I\u00b2 is {i2:.0f}%"
        s += "."
    if threshold:
        s += f" The shaded band marks effects smaller than the clinically important difference of {threshold:g}."
    return s
