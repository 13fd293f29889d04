"""Evidence figures: effects over time, safety rates, session plans, evidence map.

Same conventions as :mod:`evidence_lib.plotting.verdicts`: ``f(data, *, column names..., ax=None)``
draws on ``ax`` (or a new figure) and returns the Axes; nothing here touches rcParams.
Every function copes with an empty table by drawing a clear "no data yet" panel
(:func:`no_data`). Each figure has a ``describe_*`` function returning one paragraph of
alt text generated from the same data (rounded numbers); notebooks print it, since nbval
compares text outputs, not images.
"""

from __future__ import annotations

import math
import re

from evidence_lib.plotting.forest import MINUS, _fmt, _isnum
from evidence_lib.vocab import label_from_source_id
from evidence_lib.vocab import CERTAINTY_ORDER, VERDICT_COLORS, VERDICT_LABELS, VERDICT_ORDER
from evidence_lib.terms import IMMEDIATE_MAX_WEEKS, LONG_MIN_WEEKS, SHORT_MAX_WEEKS

from evidence_lib.plotting._style import MARKERS, OKABE_ITO, _axes, no_data  # noqa: F401


def _num(x, d=1):
    return _fmt(x, d) if _isnum(x) else "n/a"


# --------------------------------------------------------------------------- effects over time

TERM_BANDS = (("immediate", 0.0, IMMEDIATE_MAX_WEEKS), ("short", IMMEDIATE_MAX_WEEKS, SHORT_MAX_WEEKS),
              ("intermediate", SHORT_MAX_WEEKS, LONG_MIN_WEEKS), ("long", LONG_MIN_WEEKS, math.inf))


def effect_over_time(data, *, weeks="timepoint_weeks", estimate="estimate", ci_low="ci_low",
                     ci_high="ci_high", group="source_id", threshold=None, null=0.0,
                     ylabel="Effect (acupuncture minus control)", labels=None, legend="right", ax=None):
    """Effects by timepoint, one line per trial (or comparison), with term bands.

    Parameters
    ----------
    data : DataFrame
        Rows of ``effects`` (one outcome and measure at a time).
    weeks, estimate, ci_low, ci_high, group : str
        Column names; ``group`` separates the lines (trial or comparison).
    threshold : float, optional
        Clinically important difference; a band null ± threshold is shaded.
    null : float or None
        Value of no effect, drawn as a line; None draws none (e.g. for arm-level rates).
    labels : dict, optional
        Group value -> legend label (default: :func:`evidence_lib.vocab.label_from_source_id`).
    legend : {"right", "below"}
        Where the legend goes: beside the axes, or under them in two columns (for many
        or long labels, so that the plot keeps its width).
    ax : Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import numpy as np

    ax = _axes(ax, (7.5, 4.2))
    df = data.dropna(subset=[weeks, estimate]) if len(data) else data
    if len(df) == 0:
        return no_data(ax, "No effects with timepoints yet",
                       detail="Effects by week appear once trial results are entered.")
    wmax = float(df[weeks].astype(float).max())
    xmax = max(wmax * 1.08, 14.0)
    # term boundaries as dotted lines, term names at the top
    for name, a, b in TERM_BANDS:
        if a >= xmax:
            break
        b = min(b, xmax)
        if a > 0:
            ax.axvline(a, color="0.6", lw=0.8, ls=(0, (2, 2)), zorder=0.6)
        if (b - a) / xmax < 0.08:      # too narrow to name (the immediate term: week 0-1)
            continue
        ax.text((a + b) / 2, 1.01, f"{name} term", transform=ax.get_xaxis_transform(), ha="center",
                va="bottom", fontsize=8, color="0.35")
    if threshold:
        ax.axhspan(null - threshold, null + threshold, color="#E8E8E8", lw=0, zorder=0.5,
                   label=f"Smaller than the clinically\nimportant difference (\u00b1{threshold:g})")
    if null is not None:
        ax.axhline(null, color="0.4", lw=0.8, zorder=1)
    groups = list(dict.fromkeys(df[group].tolist()))
    dodge = 0.012 * xmax
    for gi, g in enumerate(groups):
        sub = df[df[group] == g].sort_values(weeks)
        x = sub[weeks].astype(float).to_numpy() + (gi - (len(groups) - 1) / 2) * dodge
        yv = sub[estimate].astype(float).to_numpy()
        lo = sub[ci_low].astype(float).to_numpy() if ci_low in sub else np.full_like(yv, np.nan)
        hi = sub[ci_high].astype(float).to_numpy() if ci_high in sub else np.full_like(yv, np.nan)
        col = OKABE_ITO[gi % len(OKABE_ITO)]
        lab = (labels or {}).get(g, label_from_source_id(g))
        ax.plot(x, yv, color=col, lw=1.3, marker=MARKERS[gi % len(MARKERS)], ms=5, label=lab, zorder=3)
        ok = ~(np.isnan(lo) | np.isnan(hi))
        ax.vlines(x[ok], lo[ok], hi[ok], color=col, lw=1.0, zorder=2)
    ax.set_xlim(0, xmax)
    ax.set_xlabel("Weeks from randomisation (dotted: term cut-offs at 1, 13 and 52 weeks)")
    ax.set_ylabel(ylabel)
    if legend == "below":
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2, fontsize=8, handlelength=1.8,
                  frameon=False)
    else:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, handlelength=1.8)
    return ax


def describe_effect_over_time(data, *, weeks="timepoint_weeks", estimate="estimate", group="source_id",
                              threshold=None, null=0.0) -> str:
    """Alt text for :func:`effect_over_time`."""
    from evidence_lib.terms import term_for_weeks

    df = data.dropna(subset=[weeks, estimate]) if len(data) else data
    if len(df) == 0:
        return "Effects over time: no effects with timepoints in the data yet."
    g = df[group].nunique()
    terms = df[weeks].astype(float).map(term_for_weeks).value_counts()
    tparts = ", ".join(f"{terms[t]} {t}-term" for t in ("immediate", "short", "intermediate", "long") if t in terms)
    s = (f"Effects of {g} trials or comparisons at {len(df)} timepoints from {_num(df[weeks].min(), 0)} to "
         f"{_num(df[weeks].max(), 0)} weeks ({tparts}); estimates range from {_num(df[estimate].min(), 2)} "
         f"to {_num(df[estimate].max(), 2)}.")
    if threshold:
        inside = int((df[estimate].astype(float).sub(null).abs() < threshold).sum())
        s += f" {inside} of {len(df)} estimates are smaller than the clinically important difference of {threshold:g}."
    return s


# --------------------------------------------------------------------------- safety

UNIT_LABELS = {"per_patient": "of patients", "per_treatment": "of treatments",
               "per_10000_patients": "per 10,000 patients", "per_10000_treatments": "per 10,000 treatments"}
_SCALE = {"per_patient": 10000, "per_treatment": 10000, "per_10000_patients": 1, "per_10000_treatments": 1}


def _rate_text(v, unit):
    if not _isnum(v):
        return "n/a"
    if unit in ("per_patient", "per_treatment"):
        pct = 100 * float(v)
        if 0 < pct < 0.01:
            return f"{float(v) * 10000:.2g} per 10,000"
        return (f"{pct:.1f}%" if pct >= 1 else f"{pct:.2f}%" if pct >= 0.01 else f"{pct:.3g}%")
    return f"{float(v):.2g}" if float(v) < 10 else f"{float(v):.0f}"


def safety_rates(data, *, estimate="estimate", ci_low="ci_low", ci_high="ci_high", label="label",
                 unit="unit", ax=None):
    """Adverse-event rates with intervals on one per-10,000 scale.

    Rates per patient / per treatment (proportions) and per 10,000 are all put on the
    "per 10,000" scale so they can share an axis; the axis is logarithmic when the
    values span more than one decade. Circles: per patient; squares: per treatment.
    The rate in its own unit is printed beside each row.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import numpy as np

    n = len(data)
    ax = _axes(ax, (7.5, 0.36 * max(n, 3) + 1.4))
    if n == 0:
        return no_data(ax, "No adverse-event data yet",
                       detail="Rates per patient, per treatment and serious events per 10,000 appear here.")
    df = data.reset_index(drop=True)
    sc = df[unit].map(_SCALE).astype(float).to_numpy()
    e = df[estimate].astype(float).to_numpy() * sc
    lo = df[ci_low].astype(float).to_numpy() * sc if ci_low in df else np.full(n, np.nan)
    hi = df[ci_high].astype(float).to_numpy() * sc if ci_high in df else np.full(n, np.nan)
    vals = np.concatenate([e, lo, hi])
    pos = vals[np.isfinite(vals) & (vals > 0)]
    use_log = len(pos) > 0 and pos.max() / pos.min() > 10
    ys = np.arange(n)
    if use_log:
        ax.set_xscale("log")
        lo_lim, hi_lim = pos.min() / 3, pos.max() * 2.5
    else:
        top = np.nanmax(vals) if np.isfinite(vals).any() else 1
        lo_lim, hi_lim = 0, top * 1.15 if top > 0 else 1
    for i in range(n):
        u = df[unit].iloc[i]
        col = OKABE_ITO[0] if "patient" in u else OKABE_ITO[5]
        mk = "o" if "patient" in u else "s"
        zero = use_log and not (e[i] > 0)      # a zero rate has no place on a log axis: open marker at the edge
        if _isnum(lo[i]) and _isnum(hi[i]) and hi[i] > 0:
            l = lo[i] if not use_log or lo[i] > 0 else lo_lim
            ax.plot([l, hi[i]], [i, i], color=col, lw=1.4, zorder=2, solid_capstyle="butt")
        x = lo_lim if zero else e[i]
        ax.plot([x], [i], marker=mk, color=col, mfc="white" if zero else col, ms=6, zorder=3, ls="none",
                clip_on=False)
    ax.set_xlim(lo_lim, hi_lim)
    ax.set_yticks(ys, [str(s) for s in df[label]])
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    # the rate in its own unit, in a column right of the axes
    ax.text(1.02, 1.0, "Rate (own unit)", transform=ax.transAxes, ha="left", va="bottom", fontsize=8.5,
            fontweight="bold")
    tt = ax.get_yaxis_transform()
    for i in range(n):
        u = df[unit].iloc[i]
        r = _rate_text(df[estimate].iloc[i], u)
        s = f"{r} {UNIT_LABELS.get(u, u).replace('of ', '') if 'per 10,000' in r else UNIT_LABELS.get(u, u)}"
        ax.text(1.02, i, s, transform=tt, ha="left", va="center", fontsize=8.5, clip_on=False)
    ax.set_xlabel("Events per 10,000 (log scale)" if use_log else "Events per 10,000")
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.10g}"))
    if use_log:                        # decades only: unlabelled minor ticks add clutter (and drawing time)
        from matplotlib.ticker import NullLocator

        ax.xaxis.set_minor_locator(NullLocator())
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", color=OKABE_ITO[0], label="per patient"),
               Line2D([], [], marker="s", color=OKABE_ITO[5], label="per treatment")]
    if use_log and (e <= 0).any():
        handles.append(Line2D([], [], marker="o", ls="none", mfc="white", color="0.3", label="zero events (at the edge)"))
    from matplotlib.transforms import ScaledTranslation

    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=3, fontsize=8,
              bbox_transform=ax.transAxes + ScaledTranslation(0, -30 / 72, ax.figure.dpi_scale_trans))
    ax.grid(axis="x", color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    return ax


def describe_safety_rates(data, *, estimate="estimate", label="label", unit="unit") -> str:
    """Alt text for :func:`safety_rates`."""
    if len(data) == 0:
        return "Adverse-event rates: no adverse-event data yet."
    npat = int(data[unit].astype(str).str.contains("patient").sum())
    head = (f"Adverse-event rates for {len(data)} outcomes ({npat} per patient, {len(data) - npat} per treatment), "
            f"drawn on one per-10,000 scale with 95% intervals where known. ")
    if len(data) <= 8:
        parts = [f"{r[label]}: {_rate_text(r[estimate], r[unit])} {UNIT_LABELS.get(r[unit], r[unit])}"
                 for _, r in data.iterrows()]
        return head + "; ".join(parts) + "."
    parts = []
    for u in UNIT_LABELS:
        sub = data[data[unit] == u]
        if len(sub):
            parts.append(f"{len(sub)} rates {u.replace('_10000_', ' 10,000 ').replace('_', ' ')}, from "
                         f"{_rate_text(sub[estimate].min(), u)} to {_rate_text(sub[estimate].max(), u)}")
    return head + "; ".join(parts) + "."


# --------------------------------------------------------------------------- session plans

#: The article's plan (its own words: 20-30 minutes per session, 1-2 sessions a week for
#: 4-6 weeks, then maintenance every 2-4 weeks).
ARTICLE_PLAN = {"label": "The article's plan", "minutes": (20, 30), "sessions_per_week": (1, 2),
                "weeks": (4, 6), "maintenance_every_weeks": (2, 4)}


def parse_range(v):
    """'10-15' -> (10.0, 15.0); '12' -> (12.0, 12.0); blank -> None."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    nums = re.findall(r"\d+(?:\.\d+)?", str(v).replace(MINUS, "-"))
    if not nums:
        return None
    vals = [float(x) for x in nums[:2]]
    return (min(vals), max(vals))


def _rng_text(r, unit=""):
    if r is None:
        return "n/s" + unit
    a, b = r
    s = f"{a:g}" if a == b else f"{a:g}-{b:g}"
    return f"{s}{unit}"


def session_plan_timeline(protocols, *, article_plan=ARTICLE_PLAN, arms=("acupuncture",), labels=None, ax=None):
    """The article's treatment plan beside the plans trials tested.

    One row per plan: a bar from week 0 to the end of treatment (solid to the shortest,
    lighter to the longest stated length), ticks at the sessions a plan of that density
    implies, and the sessions / minutes as text right of the axes. The article's plan
    comes first, with its maintenance phase drawn as open circles.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import numpy as np

    df = protocols
    if arms is not None and len(df):
        df = df[df["arm"].isin(arms)]
    df = df.reset_index(drop=True)
    n = len(df) + 1
    ax = _axes(ax, (7.8, 0.42 * n + 1.5))
    rows = []
    ap = article_plan
    rows.append((ap["label"], ap.get("weeks"), ap.get("sessions_per_week"), None, ap.get("minutes"), True))
    dup = df["source_id"].duplicated(keep=False) if len(df) else []
    for j, (_, r) in enumerate(df.iterrows()):
        lab = (labels or {}).get(r["source_id"], label_from_source_id(r["source_id"]))
        if arms is None or len(arms) > 1:
            lab += f" ({r['arm']})"
        elif len(df) and dup.iloc[j] and "protocol_id" in df:
            own = str(r["protocol_id"])
            own = own[len(r["source_id"]):].strip("-_.") if own.startswith(str(r["source_id"])) else own
            lab += f" ({own.replace('-', ' ')[:18]})"
        rows.append((lab, parse_range(r.get("weeks")), parse_range(r.get("sessions_per_week")),
                     parse_range(r.get("sessions_total")), parse_range(r.get("minutes_per_session")), False))
    maint = ap.get("maintenance_every_weeks")
    wmax = max([w[1] for _, w, *_ in rows if w] + [ap["weeks"][1] + (3 * maint[1] if maint else 0)])
    xmax = wmax * 1.05 + 0.5
    for i, (lab, wk, spw, tot, mins, is_article) in enumerate(rows):
        col = "#000000" if is_article else OKABE_ITO[0]
        if wk:
            ax.barh(i, wk[0], left=0, height=0.5, color=col, alpha=0.85, zorder=2)
            if wk[1] > wk[0]:
                ax.barh(i, wk[1] - wk[0], left=wk[0], height=0.5, color=col, alpha=0.35, zorder=2)
            step = 1.0 / spw[1] if spw else (wk[1] / tot[1] if tot and tot[1] else None)
            if step:
                t = np.arange(0, wk[1] - 1e-9, step)
                ax.plot(t + step / 2, np.full_like(t, i), ls="none", marker="|", color="white", ms=7, mew=1.0, zorder=3)
        if not wk:
            ax.text(0.1, i, "weeks not stated", va="center", ha="left", fontsize=8, color="0.4", style="italic")
        if is_article and maint and wk:
            t = np.arange(wk[1] + maint[0], xmax, maint[0])
            ax.plot(t, np.full_like(t, i), ls="none", marker="o", mfc="white", mec=col, ms=5, zorder=3)
            ax.annotate(f"then every {_rng_text(maint)} weeks", (wk[1] + maint[0], i), xytext=(0, 7),
                        textcoords="offset points", fontsize=7.5, color="0.3", va="bottom")
        if tot is None and wk and spw:
            tot = (wk[0] * spw[0], wk[1] * spw[1])
        txt = f"{_rng_text(tot)} sessions, {_rng_text(mins, ' min')}"
        ax.text(1.02, i, txt, transform=ax.get_yaxis_transform(), ha="left", va="center", fontsize=8.5,
                fontweight="bold" if is_article else "normal", clip_on=False)
    ax.text(1.02, -0.6, "Sessions, minutes each (n/s: not stated)", transform=ax.get_yaxis_transform(), ha="left",
            va="bottom", fontsize=8.5, fontweight="bold", clip_on=False)
    ax.set_yticks(range(n), [r[0] for r in rows])
    for t in ax.get_yticklabels()[:1]:
        t.set_fontweight("bold")
    ax.set_ylim(n - 0.5, -0.7)
    ax.set_xlim(0, xmax)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("Weeks of treatment (ticks: sessions, at the highest stated frequency)")
    ax.grid(axis="x", color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    if len(df) == 0:
        ax.text(0.98, 0.5 / n, "No trial protocols in the data yet", transform=ax.transAxes, ha="right",
                va="center", fontsize=9, color="0.4", style="italic")
    return ax


def describe_session_plan_timeline(protocols, *, article_plan=ARTICLE_PLAN, arms=("acupuncture",)) -> str:
    """Alt text for :func:`session_plan_timeline`."""
    ap = article_plan
    s = (f"The article's plan: {_rng_text(ap['minutes'])} minutes per session, {_rng_text(ap['sessions_per_week'])} "
         f"sessions a week for {_rng_text(ap['weeks'])} weeks, then maintenance every "
         f"{_rng_text(ap['maintenance_every_weeks'])} weeks.")
    df = protocols
    if arms is not None and len(df):
        df = df[df["arm"].isin(arms)]
    if len(df) == 0:
        return s + " No trial protocols are in the data yet."
    tots = [parse_range(v) for v in df["sessions_total"]]
    wks = [parse_range(v) for v in df["weeks"]]
    mins = [parse_range(v) for v in df["minutes_per_session"]]

    def span(rs, unit):
        rs = [r for r in rs if r]
        return f"{min(r[0] for r in rs):g}-{max(r[1] for r in rs):g} {unit}" if rs else f"unknown {unit}"

    return s + (f" Beside it, {len(df)} trial protocols: {span(tots, 'sessions')} over {span(wks, 'weeks')}, "
                f"{span(mins, 'minutes')} per session.")


# --------------------------------------------------------------------------- evidence map

EVIDENCE_KINDS = ("back_pain_trials", "back_pain_other", "other_patients", "healthy_volunteers", "animals", "none")
EVIDENCE_KIND_LABELS = {
    "back_pain_trials": "Back pain: RCTs,\nmeta-analyses",
    "back_pain_other": "Back pain:\nother designs",
    "other_patients": "Other patients\nor people",
    "healthy_volunteers": "Healthy volunteers",
    "animals": "Animals",
    "none": "No linked source",
}
_KIND_TEXT = {"back_pain_trials": "from back-pain trials or meta-analyses",
              "back_pain_other": "from other back-pain studies", "other_patients": "from other patients or people",
              "healthy_volunteers": "from healthy volunteers", "animals": "from animals", "none": "with no linked source"}
_BACK = {"chronic low back pain", "acute low back pain", "low back pain", "back and neck pain"}
_TRIAL_DESIGNS = {"rct", "meta_analysis", "ipd_meta_analysis", "systematic_review", "cochrane_review"}
CERTAINTY_LABELS = {"high": "High", "moderate": "Moderate", "low": "Low", "very_low": "Very low", "none": "None"}


def source_kind(design, subjects) -> str:
    """Kind of evidence a source gives (one of :data:`EVIDENCE_KINDS` except 'none')."""
    if design == "animal" or subjects == "animals":
        return "animals"
    if design == "healthy_volunteer" or subjects == "healthy volunteers":
        return "healthy_volunteers"
    if subjects in _BACK:
        return "back_pain_trials" if design in _TRIAL_DESIGNS else "back_pain_other"
    return "other_patients"


def claim_evidence_kinds(claims, links, sources, *, roles=("cited", "supports", "qualifies", "contradicts")):
    """Each claim's strongest kind of linked evidence (a DataFrame: claim_id, kind, verdict, certainty)."""
    import pandas as pd

    rank = {k: i for i, k in enumerate(EVIDENCE_KINDS)}
    lk = links[links["role"].isin(roles)] if len(links) else links
    merged = lk.merge(sources[["source_id", "design", "subjects"]], on="source_id", how="left") if len(lk) else None
    best = {}
    if merged is not None:
        for r in merged.itertuples(index=False):
            k = source_kind(r.design, r.subjects)
            if r.claim_id not in best or rank[k] < rank[best[r.claim_id]]:
                best[r.claim_id] = k
    out = pd.DataFrame({"claim_id": claims["claim_id"].tolist(),
                        "kind": [best.get(c, "none") for c in claims["claim_id"]],
                        "verdict": claims["verdict"].tolist(), "certainty": claims["certainty"].tolist()})
    return out


def evidence_map(claims, links, sources, *, ax=None):
    """Claims by the kind of evidence behind them (rows) and GRADE certainty (columns).

    Each cell holds one bubble per verdict present, sized by the number of claims and
    coloured by verdict (colour-blind-safe :data:`~evidence_lib.vocab.VERDICT_COLORS`),
    with the count printed inside.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7.8, 4.8))
    if len(claims) == 0:
        return no_data(ax, "No claims yet")
    tab = claim_evidence_kinds(claims, links, sources)
    counts = tab.groupby(["kind", "certainty", "verdict"]).size()
    nmax = max(int(counts.max()), 1)
    for kind in EVIDENCE_KINDS:
        for cert in CERTAINTY_ORDER:
            present = [(v, int(counts.get((kind, cert, v), 0))) for v in VERDICT_ORDER]
            present = [(v, c) for v, c in present if c]
            m = len(present)
            gap = min(0.3, 0.92 / max(m, 1))          # up to six verdicts fit in one cell
            for j, (v, c) in enumerate(present):
                x = CERTAINTY_ORDER.index(cert) + (j - (m - 1) / 2) * gap
                y = EVIDENCE_KINDS.index(kind)
                size = (70 + 230 * (c / nmax)) * min(1.0, (gap / 0.3) ** 2)
                ax.scatter([x], [y], s=size, color=VERDICT_COLORS[v], edgecolor="white", linewidth=0.8, zorder=3)
                ax.text(x, y, str(c), ha="center", va="center", fontsize=8, color="white", fontweight="bold", zorder=4)
    ax.set_xticks(range(len(CERTAINTY_ORDER)), [CERTAINTY_LABELS[c] for c in CERTAINTY_ORDER])
    ax.set_yticks(range(len(EVIDENCE_KINDS)), [EVIDENCE_KIND_LABELS[k] for k in EVIDENCE_KINDS], fontsize=8.5)
    ax.set_xlim(-0.6, len(CERTAINTY_ORDER) - 0.4)
    ax.set_ylim(len(EVIDENCE_KINDS) - 0.5, -0.5)
    ax.set_xlabel("GRADE certainty of the evidence behind the verdict")
    ax.tick_params(length=0)
    for x in range(len(CERTAINTY_ORDER) - 1):
        ax.axvline(x + 0.5, color="0.9", lw=0.8, zorder=0)
    for y in range(len(EVIDENCE_KINDS) - 1):
        ax.axhline(y + 0.5, color="0.9", lw=0.8, zorder=0)
    from matplotlib.lines import Line2D

    present_v = [v for v in VERDICT_ORDER if v in set(tab["verdict"])]
    ax.legend(handles=[Line2D([], [], ls="none", marker="o", ms=8, color=VERDICT_COLORS[v], label=VERDICT_LABELS[v])
                       for v in present_v],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8.5, title="Verdict", title_fontsize=8.5)
    return ax


def describe_evidence_map(claims, links, sources) -> str:
    """Alt text for :func:`evidence_map`."""
    if len(claims) == 0:
        return "Evidence map: no claims yet."
    tab = claim_evidence_kinds(claims, links, sources)
    kinds = tab["kind"].value_counts()
    kp = ", ".join(f"{kinds[k]} {_KIND_TEXT[k]}"
                   for k in EVIDENCE_KINDS if k in kinds)
    cert = tab["certainty"].value_counts()
    cp = ", ".join(f"{cert[c]} {CERTAINTY_LABELS[c].lower()}" for c in CERTAINTY_ORDER if c in cert)
    return (f"Grid of the article's {len(tab)} claims by the strongest kind of evidence linked to each "
            f"({kp}) against GRADE certainty ({cp}); bubbles are coloured by verdict and sized by the number "
            f"of claims.")
