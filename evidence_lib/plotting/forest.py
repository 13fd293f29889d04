"""Forest plots at the level of Review Manager / metafor, with an optional risk-of-bias panel.

:func:`forest_plot` draws one row per study (label; each arm's mean, SD and total, or the
two n; the estimate and CI as text; weight %; a square sized by weight), the pooled
diamond, the prediction interval (only for k >= 3, labelled with how it was computed; the axis is set
from the confidence intervals, and a prediction interval running beyond it is cut there with
arrow heads, its numbers in the text column), the heterogeneity and overall-effect lines,
optional subgroups (each with its own diamond; a single-study subgroup gets no diamond, only a
line saying there is nothing to pool, so no second interval for the same study can disagree with
its row), the test for subgroup differences (or the caller's sentence saying why there is none),
"favours" labels under the axis, a shaded band for a threshold named by the caller (on every row,
or only on the rows it applies to), and notes; a risk-of-bias panel (robvis style) right of the numbers.

Text columns are laid out from their measured widths (in points), so they never overlap
when the function makes its own figure; with an ``ax`` passed in they sit outside it at fixed
point offsets (``layout="constrained"`` leaves room for them).

``pooled`` (and each value of ``subgroup_results``) is any object with the attributes
``estimate, ci_low, ci_high, pi_low, pi_high, tau2, i2, q, q_df`` (or ``k``) and
``q_pvalue``, optionally ``statistic`` (with ``df``: finite for t, inf for z) and ``pvalue`` — e.g. the engine's
``evidence_lib.meta.MetaResult``. Values must be on the plotted scale (for ratios:
the natural scale, with ``log_scale=True``). ``i2`` is in percent (as metafor and the engine).

References
----------
Higgins JPT, Thompson SG, Spiegelhalter DJ. A re-evaluation of random-effects
meta-analysis. J R Stat Soc A 2009;172:137-159 (prediction interval, eq. 12: t on k-2 df).
McGuinness LA, Higgins JPT. Risk-of-bias VISualization (robvis). Res Syn Meth 2021;12:55-61.
"""

from __future__ import annotations

import math

from evidence_lib.plotting._forest_marks import BAND_STYLES, clipped_interval, draw_band, legend_row, runs, width_pt
from evidence_lib.plotting._forest_marks import wrap_to_width
from evidence_lib.plotting._text import (  # noqa: F401  (re-exported for callers)
    MINUS, _Z975, _attr, _decimals, _fmt, _isnum, describe_forest, fmt_p, heterogeneity_text,
    overall_effect_text, subgroup_test_text,
)

ROW_PT = 15.0        # row height in points when the function makes its own figure
FONT = 9.0
PAD = 10.0           # points between text columns
COLORS = {"study": "#0072B2", "diamond": "#000000", "pi": "#D55E00", "band": "#E8E8E8"}
#: Traffic-light colours and symbols (robvis' "cochrane" palette; not seen: grey, no symbol).
ROB_STYLE = {"low": ("#02C100", "+"), "unclear": ("#E2DF07", "?"), "high": ("#BF0000", MINUS),
             "not_seen": ("#B0B0B0", "")}
ROB_NAMES = {"low": "low risk", "unclear": "unclear risk", "high": "high risk", "not_seen": "no judgment available"}
ROB_CELL = 13.0      # points per risk-of-bias column
ONE_STUDY = "One study: no pooling (the subtotal is the study's own estimate above)"
#: A missing group size in the n column (explain it in ``notes``).
NOT_GIVEN = "\u2013"


_width_pt = width_pt


class _ForestPlotter:
    """Rows, columns and drawing of one forest plot (see :func:`forest_plot`)."""

    def __init__(self, data, *, estimate, ci_low, ci_high, label, weight, n, arms, arm_names, group, pooled,
                 subgroup_results, subgroup_test, threshold, threshold_label, favours, null, log_scale, xlabel,
                 model, label_heading, prediction_label, min_k_prediction, risk_of_bias, rob_domains, notes,
                 axis_note=None, threshold_rows=None, xlim=None, text_columns=None, threshold_style="shaded"):
        import numpy as np

        self.df = df = data.reset_index(drop=True)
        self.est = df[estimate].astype(float).to_numpy()
        self.lo = df[ci_low].astype(float).to_numpy()
        self.hi = df[ci_high].astype(float).to_numpy()
        self.labels = df[label].astype(str).tolist()
        self.group, self.pooled, self.subs = group, pooled, subgroup_results or {}
        self.subgroup_test, self.threshold, self.threshold_label = subgroup_test, threshold, threshold_label
        if threshold_style not in BAND_STYLES:
            raise ValueError(f"threshold_style must be one of {', '.join(map(repr, BAND_STYLES))}, "
                             f"got {threshold_style!r}")
        self.threshold_style = threshold_style
        self.favours, self.null, self.log_scale, self.xlabel = favours, null, log_scale, xlabel
        self.model, self.label_heading = model, label_heading
        self.prediction_label, self.min_k_prediction = prediction_label, min_k_prediction
        self.notes = [s for s in (notes or ()) if s]
        self.axis_note, self.xlim = axis_note, xlim
        self.in_band = [True] * len(df) if threshold_rows is None else [bool(v) for v in df[threshold_rows]]
        self.members = {}           # row -> the studies a diamond or prediction row summarises
        self._weights(weight, np)
        self._columns(n, arms, arm_names, text_columns or ())
        self._rob(risk_of_bias, rob_domains)
        vals = list(self.est) + list(self.lo) + list(self.hi)
        for r in [pooled] + list(self.subs.values()):
            vals += [_attr(r, "estimate"), _attr(r, "ci_low"), _attr(r, "ci_high")]
        self.allvals = vals
        self.d = _decimals(vals)
        self.pad_sign = any(_isnum(v) and float(v) < 0 for v in vals)
        self._rows()

    # ------------------------------------------------------------------ data
    def _weights(self, weight, np):
        df = self.df
        if weight is not None and weight in df.columns and df[weight].notna().any():
            w = df[weight].astype(float).fillna(0).to_numpy()
            self.show_w = True
        else:
            ntrans = np.log if self.log_scale else (lambda a: np.asarray(a, dtype=float))
            with np.errstate(divide="ignore", invalid="ignore"):
                se = (ntrans(self.hi) - ntrans(self.lo)) / (2 * _Z975)
                w = np.where(np.isfinite(se) & (se > 0), 1 / se ** 2, np.nan)
            w = np.nan_to_num(w, nan=np.nanmin(w) if np.isfinite(w).any() else 1.0)
            self.show_w = False
        self.w_raw = w
        # given weights are shown as given (percent; e.g. within each subgroup); others are normalised
        self.wpct = w if self.show_w else 100 * w / (w.sum() if w.sum() > 0 else 1.0)
        self.wmax = max(float(self.wpct.max()), 1e-9) if len(w) else 1.0

    def _columns(self, n, arms, arm_names, text_columns):
        """Left text columns after the label: (key, heading, span heading, texts by study)."""
        df = self.df
        cols = [(f"text:{c}", head, None, ["" if v is None or v != v else str(v) for v in df[c]])
                for head, c in text_columns]
        if arms is not None:
            names = arm_names or ("Intervention", "Control")
            for side, (m, s, t) in zip(names, arms):
                cols.append((f"{side}:mean", "Mean", side, [_fmt(v, 1) for v in df[m]]))
                cols.append((f"{side}:sd", "SD", side, [_fmt(v, 1) for v in df[s]]))
                cols.append((f"{side}:n", "Total", side, [_fmt(v, 0) for v in df[t]]))
        elif isinstance(n, (tuple, list)):
            names = arm_names or ("intervention", "control")
            cols.append(("n", f"n ({names[0]} / {names[1]})", None,
                         [f"{_fmt(a, 0) or NOT_GIVEN} / {_fmt(b, 0) or NOT_GIVEN}" for a, b in zip(df[n[0]], df[n[1]])]))
        elif n is not None:
            cols.append(("n", "n", None, [_fmt(v, 0) or NOT_GIVEN for v in df[n]]))
        self.left_cols = cols

    def _rob(self, rob, domains):
        self.rob, self.rob_domains = None, None
        if rob is None:
            return
        self.rob_domains = list(domains) if domains else list(rob.columns)
        self.rob = [[str(rob.loc[lab, d]) if lab in rob.index else "not_seen" for d in self.rob_domains]
                    for lab in self.labels]
        if all(j not in ROB_STYLE or j == "not_seen" for row in self.rob for j in row):
            self.rob, self.rob_domains = None, None     # nothing judged: no panel of grey dots (say so in notes)

    def ci_text(self, e, lo, hi):
        if not _isnum(e):
            return ""
        lead = "\u2007" if self.pad_sign and not _fmt(e, self.d).startswith(MINUS) else ""
        if _isnum(lo) and _isnum(hi):
            return f"{lead}{_fmt(e, self.d)} [{_fmt(lo, self.d)}, {_fmt(hi, self.d)}]"
        return lead + _fmt(e, self.d)

    def _has_pi(self, r):
        k = _attr(r, "k")
        return (_isnum(_attr(r, "pi_low")) and _isnum(_attr(r, "pi_high")) and _isnum(k)
                and int(k) >= self.min_k_prediction)

    def _rows(self):
        df, g = self.df, self.group
        rows = [("header", None)]
        if any(c[2] for c in self.left_cols) or (self.model and self.xlabel) or self.rob is not None:
            rows.insert(0, ("span", None))
        groups = list(dict.fromkeys(df[g].tolist())) if g is not None else [None]
        for gv in groups:
            idx = list(range(len(df))) if gv is None else [i for i in range(len(df)) if df[g].iloc[i] == gv]
            if gv is not None:
                rows.append(("group", str(gv)))
            rows += [("study", i) for i in idx]
            sr = self.subs.get(gv) if gv is not None else None
            if sr is not None and len(idx) == 1:           # nothing to pool: the study's row is the result
                rows.append(("note", ONE_STUDY))
            elif sr is not None:
                self.members[len(rows)] = self.members[len(rows) + 1] = idx
                rows.append(("diamond", (f"Subtotal ({len(idx)} {'study' if len(idx) == 1 else 'studies'})", sr,
                                         sum(self.wpct[i] for i in idx))))
                if self._has_pi(sr):
                    rows.append(("pi", sr))
                for t in (heterogeneity_text(sr), overall_effect_text(sr, null=self.null, log_scale=self.log_scale)):
                    if t:
                        rows.append(("note", t))
            if gv is not None and gv != groups[-1]:
                rows.append(("blank", None))
        if self.pooled is not None:
            if g is not None:
                rows.append(("blank", None))
            self.members[len(rows)] = self.members[len(rows) + 1] = list(range(len(df)))
            rows.append(("diamond", (f"Total ({len(df)} studies)", self.pooled, 100.0)))
            if self._has_pi(self.pooled):
                rows.append(("pi", self.pooled))
            for t in (heterogeneity_text(self.pooled),
                      overall_effect_text(self.pooled, null=self.null, log_scale=self.log_scale)):
                if t:
                    rows.append(("note", t))
        if isinstance(self.subgroup_test, str):        # a sentence (why no test): under the figure, wrapped
            self.notes.insert(0, self.subgroup_test)
        elif self.subgroup_test is not None:
            t = subgroup_test_text(self.subgroup_test)
            if t:
                rows.append(("note", t))
        self.rows = rows

    # ------------------------------------------------------------------ layout
    def _cells(self):
        """Text of every cell: {column key: [(row, text, bold)]}."""
        cells = {"label": [], "ci": [], "w": []}
        for key, *_ in self.left_cols:
            cells[key] = []
        for i, (kind, p) in enumerate(self.rows):
            if kind == "header":
                cells["label"].append((i, self.label_heading, True))
                for key, head, _span, _t in self.left_cols:
                    cells[key].append((i, head, True))
                cells["ci"].append((i, "Estimate [95% CI]", True))
                if self.show_w:
                    cells["w"].append((i, "Weight", True))
            elif kind == "study":
                cells["label"].append((i, self.labels[p], False))
                for key, _h, _s, texts in self.left_cols:
                    cells[key].append((i, texts[p], False))
                cells["ci"].append((i, self.ci_text(self.est[p], self.lo[p], self.hi[p]), False))
                if self.show_w:
                    cells["w"].append((i, f"{self.wpct[p]:.1f}%", False))
            elif kind == "diamond":
                name, r, wp = p
                cells["label"].append((i, name, True))
                cells["ci"].append((i, self.ci_text(*(_attr(r, n) for n in ("estimate", "ci_low", "ci_high"))), True))
                if self.show_w:
                    cells["w"].append((i, f"{wp:.1f}%", True))
            elif kind == "pi":
                cells["label"].append((i, self.prediction_label, False))
                cells["ci"].append((i, f"[{_fmt(_attr(p, 'pi_low'), self.d)}, {_fmt(_attr(p, 'pi_high'), self.d)}]",
                                    False))
            elif kind == "group":
                cells["label"].append((i, p, True))
        return cells

    def layout(self, fig):
        cells = self._cells()

        def width(key):
            items = cells.get(key, [])
            return max(_width_pt(fig, [t for _, t, b in items if not b]),
                       _width_pt(fig, [t for _, t, b in items if b], bold=True), 0.0)

        self.cells = cells
        self.x = {}
        x = 0.0
        for key in ["label"] + [c[0] for c in self.left_cols]:
            w = width(key)
            self.x[key] = (x, w)
            x += w + PAD
        spans = {}
        for key, _h, span, _t in self.left_cols:
            if span:
                a, w = self.x[key]
                s0, s1 = spans.get(span, (a, a + w))
                spans[span] = (min(s0, a), max(s1, a + w))
        for span, (a, b) in spans.items():       # a span heading wider than its columns widens the last one
            need = _width_pt(fig, [span], bold=True) - (b - a)
            if need > 0:
                last = [c[0] for c in self.left_cols if c[2] == span][-1]
                xa, w = self.x[last]
                self.x[last] = (xa, w + need)
                shift = need
                after = False
                for key in [c[0] for c in self.left_cols]:
                    if after:
                        xa2, w2 = self.x[key]
                        self.x[key] = (xa2 + shift, w2)
                    after = after or key == last
                x += need
                spans[span] = (a, b + need)
        self.spans = spans
        self.left_w = x + PAD
        wc, ww = width("ci"), width("w") if self.show_w else 0.0
        self.x_ci = PAD
        self.x_w = PAD + wc + PAD + ww
        right = PAD + wc + (PAD + ww if self.show_w else 0.0)
        self.x_rob = right + PAD
        if self.rob is not None:
            right = self.x_rob + max(ROB_CELL * len(self.rob_domains), _width_pt(fig, ["Risk of bias"], bold=True))
        self.right_w = right + 4
        self.note_w = _width_pt(fig, [p for k, p in self.rows if k == "note"], size=FONT - 0.5)

    def bottom_lines(self, total_w_pt):
        band = BAND_STYLES[self.threshold_style] + (self.threshold_label or "")
        paras = [self.axis_note] + ([band] if self.threshold else []) + self.notes
        if self.rob is not None:
            paras.append("Risk of bias: " + "; ".join(f"{k + 1}: {d}" for k, d in enumerate(self.rob_domain_names)))
        return [ln for s in paras if s for ln in wrap_to_width(self.fig, s, total_w_pt - 8, size=FONT - 0.5, balanced=False)]

    # ------------------------------------------------------------------ drawing
    def _tail_notes(self, fig):
        """How many note rows close the table and fit left of the axis (drawn under it, not inside it)."""
        k = len(self.rows) - max(i for i, (kind, _) in enumerate(self.rows) if kind != "note") - 1
        fits = _width_pt(fig, [p for _, p in self.rows[len(self.rows) - k:]], size=FONT - 0.5) <= self.left_w - 3 * PAD
        return k if fits else 0

    def plot(self, ax, rob_domain_names=None, title=None):
        import matplotlib.pyplot as plt
        from matplotlib import transforms as mtrans

        self.rob_domain_names = rob_domain_names or (self.rob_domains or [])
        own = ax is None
        fig = self.fig = plt.figure(figsize=(8, 4)) if own else ax.figure
        self.layout(fig)
        nrows = len(self.rows)
        self.tail = 0
        if own:
            head_w = _width_pt(fig, [self.xlabel, self.model], bold=True) + 8
            plot_w = max(150.0, self.note_w - self.left_w + 6, head_w)
            W = max(self.left_w + plot_w + self.right_w + 12, _width_pt(fig, [title], bold=True, size=FONT + 1.5) + 12)
            lines = self.bottom_lines(W)
            self.tail = self._tail_notes(fig)
            key = 14.0 if self.rob is not None else 0.0
            top = 8.0 + (22.0 if title else 0.0)
            bottom = max(44.0, self.tail * ROW_PT + 18.0) + 11.0 * len(lines) + key
            H = (nrows - self.tail) * ROW_PT + top + bottom
            fig.set_size_inches(W / 72, H / 72)
            ax = fig.add_axes(((self.left_w + 6) / W, bottom / H, plot_w / W, (nrows - self.tail) * ROW_PT / H))
            if title:
                fig.text(6 / W, 1 - 6 / H, title, ha="left", va="top", fontsize=FONT + 1.5, fontweight="bold")
        else:
            lines = self.bottom_lines(self.left_w + self.right_w + 300)
        self.ax = ax
        self._axis(nrows - self.tail)

        def tr(dx_pt):
            base = mtrans.blended_transform_factory(ax.transAxes, ax.transData)
            return base + mtrans.ScaledTranslation(dx_pt / 72, 0, fig.dpi_scale_trans)

        self.tr = tr
        self._band_and_null()
        for i, (kind, p) in enumerate(self.rows):
            getattr(self, f"_draw_{kind}")(i, p)
        self._texts()
        self._bottom(lines)
        return ax

    def _axis(self, nrows):
        ax = self.ax
        xs = [v for v in self.allvals if _isnum(v)] + [self.null]      # prediction intervals are cut at the axis
        if self.xlim is not None:
            xs = list(self.xlim)
        elif self.threshold:
            xs += list(self._band())
        xs = [float(x) for x in xs if _isnum(x) and (not self.log_scale or x > 0)]
        xmin, xmax = (min(xs), max(xs)) if xs else (self.null - 1, self.null + 1)
        if self.xlim is not None:
            ax.set_xscale("log" if self.log_scale else "linear")
            ax.set_xlim(xmin, xmax)
        elif self.log_scale:
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

    def _band(self):
        t, null = self.threshold, self.null
        if self.log_scale:
            return (null / t, null * t) if t > 1 else (null * t, null / t)
        return (null - t, null + t)

    def _band_and_null(self):
        plotted = [i for i, (k, _) in enumerate(self.rows) if k in ("study", "diamond", "pi")]
        first, last = (min(plotted), max(plotted)) if plotted else (0, 0)
        if self.threshold:
            lo, hi = self._band()
            flags = [(k == "study" and self.in_band[p]) or (i in self.members and all(
                self.in_band[j] for j in self.members[i])) for i, (k, p) in enumerate(self.rows)]
            for a, b in runs(flags) if not all(self.in_band) else [(first, last)]:
                draw_band(self.ax, a - 0.5, b + 0.5, lo, hi, style=self.threshold_style, color=COLORS["band"])
        self.ax.plot([self.null, self.null], [first - 0.5, last + 0.5], color="0.35", lw=0.8, zorder=1)

    def _put(self, dx, y, s, **kw):
        self.ax.text(0, y, s, transform=self.tr(dx), va="center", fontsize=kw.pop("fontsize", FONT),
                     clip_on=False, **kw)

    def _put_right(self, dx, y, s, **kw):
        self.ax.text(1, y, s, transform=self.tr(dx), va="center", fontsize=kw.pop("fontsize", FONT),
                     clip_on=False, **kw)

    def _texts(self):
        """Label and left columns (left of the axes), CI and weight (right of it)."""
        from matplotlib.transforms import blended_transform_factory

        style = {"header": dict(fontweight="bold"), "group": dict(fontweight="bold", fontstyle="italic"),
                 "diamond": dict(fontweight="bold"), "pi": dict(fontstyle="italic")}
        kinds = [k for k, _ in self.rows]
        for key, items in self.cells.items():
            for i, text, _bold in items:
                kw = style.get(kinds[i], {})
                if key == "label":
                    self._put(-self.left_w, i, text, ha="left", **kw)
                elif key == "ci":
                    self._put_right(self.x_ci, i, text, ha="left", **kw)
                elif key == "w":
                    self._put_right(self.x_w, i, text, ha="right", **kw)
                else:
                    a, w = self.x[key]
                    self._put(-self.left_w + a + w, i, text, ha="right", **kw)
        if any(k == "span" for k in kinds):
            for span, (a, b) in self.spans.items():
                self._put(-self.left_w + (a + b) / 2, 0, span, ha="center", fontweight="bold")
        hrow = kinds.index("header")
        heads = [(hrow - 1, self.xlabel), (hrow, self.model)] if self.xlabel and self.model else \
            [(hrow, self.xlabel or self.model)]
        for row, head in heads:
            if head:
                self.ax.text(0.5, row, head, ha="center", va="center", fontsize=FONT, fontweight="bold",
                             clip_on=False, transform=blended_transform_factory(self.ax.transAxes, self.ax.transData))
        if self.rob is not None:
            if "span" in kinds:
                self._put_right(self.x_rob + ROB_CELL * len(self.rob_domains) / 2, kinds.index("span"),
                                "Risk of bias", ha="center", fontweight="bold")
            for j in range(len(self.rob_domains)):
                self._put_right(self.x_rob + ROB_CELL * (j + 0.5), hrow, str(j + 1), ha="center",
                                fontweight="bold")

    def _draw_nothing(self, i, p):
        """Rows of text only (spanning heading, header, group name, blank)."""
    _draw_span = _draw_header = _draw_group = _draw_blank = _draw_nothing

    def _draw_study(self, i, p):
        ax = self.ax
        lo, hi, e = self.lo[p], self.hi[p], self.est[p]
        if _isnum(lo) and _isnum(hi):
            ax.plot([lo, hi], [i, i], color="0.15", lw=1.0, zorder=2, solid_capstyle="butt")
        if _isnum(e):
            size = 12 + 88 * math.sqrt(self.wpct[p] / self.wmax)
            ax.scatter([e], [i], marker="s", s=size, color=COLORS["study"], zorder=3, linewidths=0)
        if self.rob is not None:
            for j, judgment in enumerate(self.rob[p]):
                col, sym = ROB_STYLE.get(judgment, ROB_STYLE["not_seen"])
                ax.plot([1], [i], transform=self.tr(self.x_rob + ROB_CELL * (j + 0.5)), marker="o", ms=9.5,
                        color=col, mec="white", mew=0.5, clip_on=False, ls="none", zorder=4)
                if sym:
                    self._put_right(self.x_rob + ROB_CELL * (j + 0.5), i, sym, ha="center", color="white",
                                    fontweight="bold", fontsize=FONT - 0.5, zorder=5)

    def _draw_diamond(self, i, p):
        from matplotlib.patches import Polygon

        _name, r, _wp = p
        e, lo, hi = _attr(r, "estimate"), _attr(r, "ci_low"), _attr(r, "ci_high")
        if all(_isnum(v) for v in (e, lo, hi)):
            self.ax.add_patch(Polygon([(lo, i), (e, i - 0.36), (hi, i), (e, i + 0.36)], closed=True,
                                      facecolor=COLORS["diamond"], edgecolor=COLORS["diamond"], zorder=3))

    def _draw_pi(self, i, p):
        clipped_interval(self.ax, float(_attr(p, "pi_low")), float(_attr(p, "pi_high")), i, color=COLORS["pi"])

    def _draw_note(self, i, p):
        self._put(-self.left_w, i, p, ha="left", fontsize=FONT - 0.5, color="0.2",
                  bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none"))

    def _bottom(self, lines):
        from matplotlib import transforms as mtrans

        ax = self.ax
        fl, fr = self.favours if self.favours else ("", "")
        xt = mtrans.blended_transform_factory(ax.transData, ax.transAxes)
        if fl:
            ax.annotate("\u2190 " + fl, (self.null, 0), xycoords=xt, xytext=(-4, -24), textcoords="offset points",
                        ha="right", va="top", fontsize=FONT, annotation_clip=False)
        if fr:
            ax.annotate(fr + " \u2192", (self.null, 0), xycoords=xt, xytext=(4, -24), textcoords="offset points",
                        ha="left", va="top", fontsize=FONT, annotation_clip=False)
        y0 = -max(40.0, self.tail * ROW_PT + 14.0)
        if self.rob is not None:           # a key of the judgments drawn, no others
            used = {j for row in self.rob for j in row}
            legend_row(ax, self.fig, [(ROB_STYLE[k][0], ROB_STYLE[k][1], ROB_NAMES[k]) for k in ROB_STYLE if k in used],
                       x=-self.left_w, y=y0 - 6, size=FONT - 0.5)
            y0 -= 14.0
        for j, line in enumerate(lines):
            ax.annotate(line, (0, 0), xycoords="axes fraction", xytext=(-self.left_w, y0 - 11.0 * j),
                        textcoords="offset points", ha="left", va="top", fontsize=FONT - 0.5, color="0.25",
                        annotation_clip=False)


def forest_plot(data, *, estimate="yi", ci_low="ci_low", ci_high="ci_high", label="label",
                weight="weight", n=None, arms=None, arm_names=None, group=None, pooled=None,
                subgroup_results=None, subgroup_test=None, threshold=None, threshold_label=None,
                favours=("Favours intervention", "Favours control"), null=0.0, log_scale=False,
                xlabel=None, model=None, label_heading="Study", prediction_label="95% prediction interval",
                min_k_prediction=3, risk_of_bias=None, rob_domains=None, rob_domain_names=None, notes=(),
                axis_note=None, threshold_rows=None, xlim=None, text_columns=None, threshold_style="shaded",
                title=None, ax=None):
    """Forest plot: one row per study, pooled diamond, prediction interval, statistics.

    Parameters
    ----------
    data : DataFrame
        One row per study.
    estimate, ci_low, ci_high, label : str
        Column names (ratios on their natural scale with ``log_scale=True``).
    weight : str or None
        Column of weights in percent, shown as given (they may sum to 100 within each
        subgroup) under "Weight" and used for square sizes. If absent, squares are sized by 1/se² from the CI and
        no weight column is shown.
    n : str, (str, str) or None
        Total n column, or (n intervention, n control) columns shown as "n₁ / n₀"; a
        missing n is shown as an en dash ("146 / –"; explain it in ``notes``).
    arms : ((str, str, str), (str, str, str)) or None
        (mean, SD, total) columns of each arm, shown as Review Manager does (replaces ``n``).
    arm_names : (str, str) or None
        The two arms' names as readers see them (column headings).
    text_columns : sequence of (str, str) or None
        Further text columns right of the label, as (heading, column name) pairs.
    group : str or None
        Subgroup column; studies are listed by group in order of first appearance.
    pooled : object or None
        Overall result (see the module docstring for attributes).
    subgroup_results : dict or None
        Group value -> result object, for the subgroup diamonds.
    subgroup_test : object, dict, str or None
        ``q``, ``df``, ``pvalue`` of the test for subgroup differences, or a sentence to
        print in its place (e.g. why no test is shown).
    threshold : float or None
        Half-width of a band null ± threshold (null ×/÷ threshold on a log scale) that is shaded.
    threshold_label : str or None
        What the band is, in the caller's words (prefixed "Shaded: " or, hatched, "Hatched band
        with dotted edges: ").
    threshold_style : str
        ``"shaded"`` (a grey fill: a clinically important difference) or ``"hatched"`` (diagonal
        hatching with dotted edges: a convention such as ±0.5 SD, never to be read as one).
    threshold_rows : str or None
        Column of booleans: the band is shaded only on the rows of studies where it is true
        (and on a diamond whose studies are all true). None shades every row.
    favours : (str, str)
        Labels under the axis, left and right of the null line.
    null : float
        Value of no effect (1.0 for ratios).
    log_scale : bool
        Draw the axis on a log scale (for ratio measures given on their natural scale).
    xlabel : str or None
        Heading over the plot column (e.g. "Mean difference, 0-10 scale").
    model : str or None
        The model, printed under the heading (e.g. "IV, Random, 95% CI").
    label_heading : str
        Heading of the label column.
    prediction_label : str
        Label of the prediction-interval row (say how it was computed).
    min_k_prediction : int
        Prediction intervals are drawn only for results of at least this many studies
        (3: the t distribution on k - 2 df needs k >= 3; Higgins et al. 2009).
    risk_of_bias : DataFrame or None
        Judgments (``low``, ``unclear``, ``high``, ``not_seen``) indexed by the values of
        ``label``, one column per domain; drawn as a traffic-light panel, keyed with the judgments
        it shows. Studies missing from the index are drawn as not seen. When nothing is judged
        (every cell ``not_seen``) no panel is drawn: say so in ``notes``.
    rob_domains : list of str or None
        Domain columns in order (default: all columns).
    rob_domain_names : list of str or None
        Readers' names of the domains, listed under the figure against their numbers.
    notes : sequence of str
        Sentences printed under the figure.
    axis_note : str or None
        What the axis measures and which way is better, printed first under the axis
        (e.g. "Mean difference, points on 0-100; negative values: lower pain with the intervention").
    xlim : (float, float) or None
        Axis limits on the plotted scale; None sets them from the studies' and pooled
        confidence intervals, the null and the band. Prediction intervals never widen the
        axis: an end beyond it is cut with an arrow head (the numbers stay in the text column).
    title : str or None
        A title over the figure (only when the function makes its own figure).
    ax : Axes, optional
        Axes to draw on; when None, a new figure and axes are made. Then the notes that close
        the table (heterogeneity, overall effect) sit under the axis when they fit left of it.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If ``threshold_style`` is neither ``"shaded"`` nor ``"hatched"``.

    References
    ----------
    Higgins JPT, Thompson SG, Spiegelhalter DJ. J R Stat Soc A 2009;172:137-159, eq. 12.
    Cochrane Handbook for Systematic Reviews of Interventions, version 6.4, section 10.10.4.3.
    """
    plotter = _ForestPlotter(
        data, estimate=estimate, ci_low=ci_low, ci_high=ci_high, label=label, weight=weight, n=n, arms=arms,
        arm_names=arm_names, group=group, pooled=pooled, subgroup_results=subgroup_results,
        subgroup_test=subgroup_test, threshold=threshold, threshold_label=threshold_label, favours=favours,
        null=null, log_scale=log_scale, xlabel=xlabel, model=model, label_heading=label_heading,
        prediction_label=prediction_label, min_k_prediction=min_k_prediction, risk_of_bias=risk_of_bias,
        rob_domains=rob_domains, notes=notes, axis_note=axis_note, threshold_rows=threshold_rows, xlim=xlim,
        text_columns=text_columns, threshold_style=threshold_style)
    return plotter.plot(ax, rob_domain_names=rob_domain_names, title=title)
