"""Evidence figures: session plans beside a reference plan, and an evidence map.

Same conventions as the other plot modules: ``f(data, *, column names..., ax=None)`` draws
on ``ax`` (or a new figure) and returns the Axes; nothing here touches rcParams. Every
function copes with an empty table by drawing a clear "no data yet" panel
(:func:`no_data`). Each figure has a ``describe_*`` function returning one paragraph of
alt text generated from the same data; notebooks print it, since nbval compares text
outputs, not images. No domain rule lives here: the rows and their labels (kinds of
evidence, the reference plan) come from the caller.
"""

from __future__ import annotations

import math
import re

from evidence_lib._colour import text_colour_on
from evidence_lib.plotting._style import MARKERS, OKABE_ITO, _axes, no_data  # noqa: F401
from evidence_lib.plotting._text import MINUS
from evidence_lib.vocab import CERTAINTY_ORDER, VERDICT_COLORS, VERDICT_LABELS, VERDICT_ORDER, label_from_source_id

CERTAINTY_LABELS = {"high": "High", "moderate": "Moderate", "low": "Low", "very_low": "Very low", "none": "Not rated"}


# --------------------------------------------------------------------------- session plans

def parse_range(v):
    """'10-15' -> (10.0, 15.0); '12' -> (12.0, 12.0); blank -> None.

    Parameters
    ----------
    v : str, float or None
        A number or a range as text (``"10-15"``, ``"10 to 15"``; a typographic minus is
        read as a hyphen). Only the first two numbers count.

    Returns
    -------
    tuple of float or None
        (low, high), or None when ``v`` is missing or holds no number.

    Examples
    --------
    >>> parse_range("10-15"), parse_range("12"), parse_range("")
    ((10.0, 15.0), (12.0, 12.0), None)
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    nums = re.findall(r"\d+(?:\.\d+)?", str(v).replace(MINUS, "-"))
    if not nums:
        return None
    vals = [float(x) for x in nums[:2]]
    return (min(vals), max(vals))


NOT_STATED = "not stated"


def _rng_text(r, unit="", *, ceiling=False):
    if r is None:
        return NOT_STATED
    a, b = r
    s = f"{a:g}" if a == b else f"{a:g}-{b:g}"
    return ("up to " if ceiling else "") + f"{s}{unit}"


def is_ceiling(v) -> bool:
    """Whether a number as text is a ceiling ("up to 10"), not a delivered amount.

    Parameters
    ----------
    v : str, float or None
        The text as the data give it.

    Returns
    -------
    bool
        True when the text begins with "up to" (any case).

    Examples
    --------
    >>> is_ceiling("up to 15"), is_ceiling("15"), is_ceiling(None)
    (True, False, False)
    """
    return isinstance(v, str) and v.strip().lower().startswith("up to")


def session_ticks(weeks, *, per_week=None, total=None, phases=None):
    """Where the sessions of a plan fall, in weeks from its start (one value per session).

    Parameters
    ----------
    weeks : float
        Length of the plan in weeks.
    per_week : float, optional
        Sessions a week, when the plan keeps one frequency.
    total : float, optional
        Sessions in all; never more ticks than this.
    phases : sequence of float, optional
        Sessions a week in successive phases ("2 then 1": ``(2, 1)``). With two phases and a
        total, the first phase lasts the weeks that make the total come out:
        ``a * w1 + b * (weeks - w1) = total``.

    Returns
    -------
    numpy.ndarray
        The middle of each session's slot, in weeks; empty when neither a frequency nor a
        total is given.

    Examples
    --------
    >>> session_ticks(7, phases=(2, 1), total=10).tolist()   # 2 a week for 3 weeks, then weekly
    [0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.5, 4.5, 5.5, 6.5]
    """
    import numpy as np

    if phases is not None and len(phases) == 2 and total and phases[0] != phases[1]:
        a, b = phases
        first = (total - b * weeks) / (a - b)
        if 0 <= first <= weeks:
            n1 = int(round(a * first))
            t1 = np.arange(n1) / a + 0.5 / a
            t2 = first + np.arange(int(round(total)) - n1) / b + 0.5 / b
            return np.concatenate([t1, t2])
    if per_week:
        t = np.arange(0, weeks - 1e-9, 1.0 / per_week) + 0.5 / per_week
        return t[:int(total)] if total else t
    if total:
        step = weeks / total
        return np.arange(int(round(total))) * step + step / 2
    return np.array([])


def _phases(v):
    """'2 then 1' -> (2.0, 1.0); anything without 'then' -> None."""
    if not isinstance(v, str) or "then" not in v.lower():
        return None
    nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", v)]
    return tuple(nums) if len(nums) >= 2 else None


def _plan_rows(df, reference_plan, arms, labels, plan_labels):
    """(label, weeks, sessions a week, sessions in all, minutes, is_reference, phases, total is a ceiling)
    per drawn row."""
    rows = []
    ap = reference_plan or {}
    if ap:
        rows.append((ap["label"], ap.get("weeks"), ap.get("sessions_per_week"), None, ap.get("minutes"), True,
                     None, False))
    dup = df["source_id"].duplicated(keep=False) if len(df) else []
    for j, (_, r) in enumerate(df.iterrows()):
        lab = (labels or {}).get(r["source_id"], label_from_source_id(r["source_id"]))
        if arms is None or len(arms) > 1:
            lab += f" ({r['arm']})"
        elif len(df) and dup.iloc[j] and "protocol_id" in df:
            own = str(r["protocol_id"])
            words = (plan_labels or {}).get(own)
            if not words:
                own = own[len(r["source_id"]):].strip("-_.") if own.startswith(str(r["source_id"])) else own
                words = own.replace("-", " ").replace("_", " ")[:18]
            lab += f" ({words})"
        rows.append((lab, parse_range(r.get("weeks")), parse_range(r.get("sessions_per_week")),
                     parse_range(r.get("sessions_total")), parse_range(r.get("minutes_per_session")), False,
                     _phases(r.get("sessions_per_week")), is_ceiling(r.get("sessions_total"))))
    return rows


def _shown_total(weeks, per_week, total):
    """The sessions a row's Sessions column shows: the stated total, else weeks x sessions a week."""
    if total is None and weeks and per_week:
        return (weeks[0] * per_week[0], weeks[1] * per_week[1])
    return total


def session_plan_timeline(protocols, *, reference_plan, arms=("intervention",), labels=None, plan_labels=None,
                          ax=None):
    """A reference treatment plan beside the plans trials tested.

    One row per plan: a bar from week 0 to the end of treatment (solid to the shortest,
    lighter to the longest stated length), ticks at the sessions a plan of that density
    implies (the reference plan: only its minimum course, at its lowest frequency, so that
    the ticks never show more sessions than the minimum), and the number of sessions and the minutes per session in two columns right of
    the axes ("not stated" where the plan does not say). A bar without ticks says why (its
    number of sessions is not stated). The reference plan comes first, in black and grey,
    with its maintenance phase drawn as open circles and an arrow running to the axis end (the
    maintenance has no stated end). A key under the axis names the bar parts and the circles.

    Parameters
    ----------
    protocols : DataFrame
        Rows with ``source_id``, ``arm``, ``weeks``, ``sessions_per_week``,
        ``sessions_total``, ``minutes_per_session`` (numbers or ranges as text) and
        optionally ``protocol_id``.
    reference_plan : dict or None
        The plan to compare with: ``label``, ``minutes``, ``sessions_per_week``, ``weeks``
        and optionally ``maintenance_every_weeks``, each a (low, high) pair.
    arms : tuple of str or None
        Arms to draw (None: all, each labelled with its arm).
    labels : dict, optional
        source_id -> label as readers see it.
    plan_labels : dict, optional
        protocol_id -> words that tell apart the plans of one source with several plans
        (shown in brackets after its label); without them the part of the ``protocol_id``
        after the ``source_id`` is shown.
    ax : Axes, optional
        Axes to draw on; when None, a new figure and axes are made.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    df = protocols
    if arms is not None and len(df):
        df = df[df["arm"].isin(arms)]
    df = df.reset_index(drop=True)
    n = len(df) + 1
    ax = _axes(ax, (7.8, 0.42 * n + 2.0))
    ap = reference_plan or {}
    rows = _plan_rows(df, reference_plan, arms, labels, plan_labels)
    maint = ap.get("maintenance_every_weeks")
    wmax = max([w[1] for _, w, *_ in rows if w] + [ap["weeks"][1] + (3 * maint[1] if maint else 0) if ap.get("weeks")
                                                   else 1])
    xmax = wmax * 1.05 + 0.5
    right = blended_transform_factory(ax.transAxes, ax.transData)

    def column(dx_pt):
        return right + ScaledTranslation(dx_pt / 72, 0, ax.figure.dpi_scale_trans)

    trial_colour, ranged = OKABE_ITO[0], False
    for i, (lab, wk, spw, tot, mins, is_reference, phases, ceiling) in enumerate(rows):
        col = "#000000" if is_reference else trial_colour
        if wk:
            ax.barh(i, wk[0], left=0, height=0.5, color=col, alpha=0.85, zorder=2)
            if wk[1] > wk[0]:
                ax.barh(i, wk[1] - wk[0], left=wk[0], height=0.5, color=col, alpha=0.35, zorder=2)
                ranged = ranged or not is_reference
            if is_reference and spw:       # the minimum course: its fewest sessions, none beyond it
                t = session_ticks(wk[0], per_week=spw[0])
            else:                          # one tick per stated session, at the stated pattern
                t = session_ticks(wk[1], per_week=spw[1] if spw else None, total=tot[1] if tot else None,
                                  phases=phases)
            if len(t):
                ax.plot(t, np.full_like(t, i), ls="none", marker="|", color="white", ms=7, mew=1.0, zorder=3)
            elif not (tot and tot[1] == 0):
                ax.text(wk[1] + 0.25, i, "sessions not stated", va="center", ha="left", fontsize=8.5, color="0.35",
                        style="italic")
        if not wk:
            ax.text(0.1, i, "weeks not stated", va="center", ha="left", fontsize=9, color="0.4", style="italic")
        if is_reference and maint and wk:
            t = np.arange(wk[1] + maint[0], xmax - 0.35 * maint[0], maint[0])
            ax.plot(t, np.full_like(t, i), ls="none", marker="o", mfc="white", mec=col, ms=5, zorder=3)
            if len(t):
                ax.annotate("", xy=(xmax, i), xytext=(t[-1] + 0.25, i), annotation_clip=False,
                            arrowprops=dict(arrowstyle="-|>", color=col, lw=0.9, shrinkA=0, shrinkB=0,
                                            mutation_scale=8))
            ax.annotate(f"then every {_rng_text(maint)} weeks, no end stated", (xmax, i), xytext=(0, 7),
                        textcoords="offset points", fontsize=9, color="0.3", va="bottom", ha="right")
        tot = _shown_total(wk, spw, tot)
        weight = "bold" if is_reference else "normal"
        ax.text(1, i, _rng_text(tot, ceiling=ceiling), transform=column(8), ha="left", va="center", fontsize=9, fontweight=weight,
                clip_on=False)
        ax.text(1, i, _rng_text(mins), transform=column(66), ha="left", va="center", fontsize=9,
                fontweight=weight, clip_on=False)
    for dx, head in ((8, "Sessions"), (66, "Minutes")):
        ax.text(1, -0.6, head, transform=column(dx), ha="left", va="bottom", fontsize=9, fontweight="bold",
                clip_on=False)
    ax.set_yticks(range(n), [r[0] for r in rows])
    for t in ax.get_yticklabels()[:1]:
        t.set_fontweight("bold")
    ax.set_ylim(n - 0.5, -0.7)
    ax.set_xlim(0, xmax)
    ax.tick_params(axis="y", length=0)
    ref = str(ap.get("label", ""))
    ref = ref[:1].lower() + ref[1:] if ref.startswith("The ") else ref
    ax.set_xlabel("Weeks of treatment\n(white ticks: one per session, at the stated frequency or spread evenly"
                  + (f";\nfor {ref}, its minimum course at its lowest frequency" if ap.get("weeks")
                     and ap.get("sessions_per_week") else "") + ")", fontsize=9)
    ax.tick_params(labelsize=9)
    ax.grid(axis="x", color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    key = []
    if ap.get("weeks"):
        key.append(Patch(color="#000000", alpha=0.85, lw=0, label=f"{ap['label']}: minimum course"))
        if ap["weeks"][1] > ap["weeks"][0]:
            key.append(Patch(color="#000000", alpha=0.35, lw=0, label=f"{ap['label']}: up to the maximum"))
        if maint:
            key.append(Line2D([], [], ls="none", marker="o", mfc="white", mec="#000000", ms=5,
                              label="Maintenance sessions, open-ended (the arrow: beyond the axis)"))
    if len(df):
        key.append(Patch(color=trial_colour, alpha=0.85, lw=0, label="Trial plan" + (", to its shortest length"
                                                                                    if ranged else "")))
        if ranged:
            key.append(Patch(color=trial_colour, alpha=0.35, lw=0, label="Trial plan, up to its longest length"))
    if key:
        ax.legend(handles=key, loc="upper left", ncols=1, fontsize=8.5, frameon=False, handlelength=1.6,
                  bbox_to_anchor=(0.02, 0), borderaxespad=0,
                  bbox_transform=blended_transform_factory(ax.figure.transFigure, ax.transAxes)
                  + ScaledTranslation(0, -60 / 72, ax.figure.dpi_scale_trans))
    if len(df) == 0:
        ax.text(0.98, 0.5 / n, "No trial protocols in the data yet", transform=ax.transAxes, ha="right",
                va="center", fontsize=9, color="0.4", style="italic")
    return ax


def describe_session_plan_timeline(protocols, *, reference_plan, arms=("intervention",)) -> str:
    """Alt text for :func:`session_plan_timeline`.

    Parameters
    ----------
    protocols, reference_plan, arms
        As in :func:`session_plan_timeline`.

    Returns
    -------
    str
        The reference plan in words, then the range of sessions, weeks and minutes per
        session across the trial protocols, read from the rows the figure draws, so that the
        words cannot contradict its bars and columns: the sessions of the plans that state a
        number (or whose weeks and sessions a week give one), apart from the plans that give
        only a ceiling ("up to 10 or 15 sessions") and those that state none, each with its
        count of plans; and how many plans do not state their weeks or minutes.

    Examples
    --------
    >>> import pandas as pd
    >>> plans = pd.DataFrame({"source_id": ["a", "b", "c"], "arm": "intervention",
    ...                       "sessions_total": ["12", "up to 10", None], "sessions_per_week": None,
    ...                       "weeks": ["6", "10", "9"], "minutes_per_session": ["30", None, None]})
    >>> describe_session_plan_timeline(plans, reference_plan=None)
    ' Beside it, 3 trial protocols: 12 sessions (1 plan), up to 10 sessions (1 plan), sessions not stated (1 plan); over 6-10 weeks; 30 minutes per session (not stated in 2 plans).'
    """
    ap = reference_plan or {}
    bits = [f"{_rng_text(ap['minutes'])} minutes per session" if ap.get("minutes") else "",
            (f"{_rng_text(ap['sessions_per_week'])} sessions a week" if ap.get("sessions_per_week") else "")
            + (f" for {_rng_text(ap['weeks'])} weeks" if ap.get("weeks") else ""),
            f"then maintenance every {_rng_text(ap['maintenance_every_weeks'])} weeks"
            if ap.get("maintenance_every_weeks") else ""]
    s = "" if not ap else f"{ap.get('label', 'The reference plan')}: " + ", ".join(b for b in bits if b) + "."
    df = protocols
    if arms is not None and len(df):
        df = df[df["arm"].isin(arms)]
    if len(df) == 0:
        return s + " No trial protocols are in the data yet."
    rows = _plan_rows(df.reset_index(drop=True), None, arms, None, None)   # what the figure draws, row by row
    totals = [(_shown_total(wk, spw, tot), ceiling) for _, wk, spw, tot, _, _, _, ceiling in rows]
    counted = [t for t, ceiling in totals if t and not ceiling]
    capped = [t for t, ceiling in totals if t and ceiling]
    unstated = len(rows) - len(counted) - len(capped)

    def plans(k):
        return f"{k} plan" if k == 1 else f"{k} plans"

    def span(rs, unit):
        lo, hi = min(r[0] for r in rs), max(r[1] for r in rs)
        return f"{lo:g} {unit}" if lo == hi else f"{lo:g}-{hi:g} {unit}"

    sessions = [(span(counted, "sessions"), len(counted)) if counted else None,
                ("up to " + " or ".join(f"{c:g}" for c in sorted({t[1] for t in capped})) + " sessions",
                 len(capped)) if capped else None,
                ("sessions not stated", unstated) if unstated else None]
    sessions = [part for part in sessions if part]

    def stated(index, unit):
        rs = [r[index] for r in rows if r[index]]
        if not rs:
            return f"{unit} not stated"
        missing = len(rows) - len(rs)
        return span(rs, unit) + (f" (not stated in {plans(missing)})" if missing else "")

    weeks, minutes = stated(1, "weeks"), stated(4, "minutes per session")
    if len(sessions) == 1 and "not stated" not in weeks + minutes + sessions[0][0]:   # every plan states all three
        return s + (f" Beside it, {len(df)} trial protocols: {sessions[0][0]} over {weeks}, "
                    f"{stated(4, 'minutes')} per session.")
    session_text = (sessions[0][0] if len(sessions) == 1
                    else ", ".join(f"{text} ({plans(k)})" for text, k in sessions))
    return s + f" Beside it, {len(df)} trial protocols: {session_text}; over {weeks}; {minutes}."


# --------------------------------------------------------------------------- evidence map


#: Size (points) and weight of the counts printed in the bubbles, and the bubbles' white edge.
COUNT_FONT = 9.0
BUBBLE_EDGE = 0.8
#: Points of bubble colour left between a count's ink and the bubble's white edge, at the ink's corners.
BUBBLE_MARGIN = 1.5
#: Diameter (points) of the bubble for the largest count.
BUBBLE_MAX = 21.0


def _ink_extent(text, fontprops):
    """(x0, y0, width, height) in points of the glyphs' ink, relative to the text's origin on its baseline."""
    from matplotlib.textpath import TextPath

    ext = TextPath((0, 0), text, prop=fontprops).get_extents()
    return ext.x0, ext.y0, ext.width, ext.height


def count_bubble_diameter(k, nmax, *, fontprops=None) -> float:
    """Marker diameter (points) of an evidence-map bubble holding the count ``k``.

    The smallest bubble holds its printed count: the corners of the digits' ink lie at least
    :data:`BUBBLE_MARGIN` points inside the coloured disk (the white edge excluded). Above that
    minimum the bubble's area grows linearly with the count, up to :data:`BUBBLE_MAX` points
    across for ``nmax``.

    Parameters
    ----------
    k : int
        The count printed in the bubble.
    nmax : int
        The largest count on the map.
    fontprops : matplotlib.font_manager.FontProperties, optional
        The count's font (default: bold, :data:`COUNT_FONT` points).

    Returns
    -------
    float
        The diameter in points, edge included (matplotlib's ``markersize``).
    """
    from matplotlib.font_manager import FontProperties

    fontprops = fontprops or FontProperties(size=COUNT_FONT, weight="bold")
    _x0, _y0, w, h = _ink_extent(str(k), fontprops)
    d_min = math.hypot(w, h) + 2 * BUBBLE_MARGIN + BUBBLE_EDGE
    d_max = max(BUBBLE_MAX, d_min)
    return math.sqrt(d_min ** 2 + (d_max ** 2 - d_min ** 2) * min(k / max(nmax, 1), 1.0))


def _bubble_offsets(diameters, gap=3.0):
    """Offsets (points) of the bubbles of one cell from its centre: one row, or two when more than three."""
    if not diameters:
        return []
    lines = [list(range(len(diameters)))] if len(diameters) <= 3 else [
        list(range((len(diameters) + 1) // 2)), list(range((len(diameters) + 1) // 2, len(diameters)))]
    step = max(diameters) / 2 + gap / 2
    out = [None] * len(diameters)
    for li, idx in enumerate(lines):
        dy = 0.0 if len(lines) == 1 else (step if li == 0 else -step)
        widths = [diameters[i] for i in idx]
        x = -(sum(widths) + gap * (len(widths) - 1)) / 2
        for i, w in zip(idx, widths):
            out[i] = (x + w / 2, dy)
            x += w + gap
    return out


def evidence_map(data, *, row="kind", column="certainty", hue="verdict", count="claim_id", row_order,
                 row_labels=None, column_order=CERTAINTY_ORDER, column_labels=None, hue_order=VERDICT_ORDER,
                 hue_colors=None, hue_labels=None, xlabel=None, legend_title="Verdict", ax=None):
    """A grid of counts: rows by ``row``, columns by ``column``, one bubble per ``hue`` in a cell.

    Each cell holds one bubble per hue value present, sized by the number of distinct
    ``count`` values (e.g. claims) and coloured by hue (default: the colour-blind-safe
    :data:`~evidence_lib.vocab.VERDICT_COLORS`), with the count printed inside. Every bubble is
    large enough to hold its count (:func:`count_bubble_diameter`); the bubbles of a cell sit
    side by side at fixed point spacing (in two lines when there are more than three).

    Parameters
    ----------
    data : DataFrame
        One row per item and row category (an item may sit in several rows).
    row, column, hue, count : str
        Column names.
    row_order : sequence
        Row categories, top to bottom (all are drawn, empty or not).
    row_labels, column_labels, hue_labels : dict, optional
        Category -> text as readers see it.
    column_order, hue_order : sequence
        Column and hue categories in order.
    hue_colors : dict, optional
        Hue category -> colour (default ``VERDICT_COLORS``).
    xlabel : str, optional
        Label under the columns; None for none.
    legend_title : str
        Title of the hue legend.
    ax : Axes, optional
        Axes to draw on; when None, a new figure and axes are made.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.lines import Line2D
    from matplotlib.transforms import ScaledTranslation

    ax = _axes(ax, (6.0, 4.8))
    if len(data) == 0:
        return no_data(ax, "No claims yet")
    colors = hue_colors or VERDICT_COLORS
    hlabels = hue_labels or VERDICT_LABELS
    clabels = column_labels or CERTAINTY_LABELS
    counts = data.groupby([row, column, hue])[count].nunique()
    nmax = max(int(counts.max()), 1)
    rows, cols = list(row_order), list(column_order)
    font = FontProperties(size=COUNT_FONT, weight="bold")
    dpi = ax.figure.dpi_scale_trans
    for ri, r in enumerate(rows):
        for ci, c in enumerate(cols):
            present = [(v, int(counts.get((r, c, v), 0))) for v in hue_order]
            present = [(v, k) for v, k in present if k]
            sizes = [count_bubble_diameter(k, nmax, fontprops=font) for _v, k in present]
            for (v, k), d, (dx, dy) in zip(present, sizes, _bubble_offsets(sizes)):
                at = ax.transData + ScaledTranslation(dx / 72, dy / 72, dpi)
                ax.plot([ci], [ri], ls="none", marker="o", ms=d, mfc=colors[v], mec="white", mew=BUBBLE_EDGE,
                        transform=at, zorder=3)
                x0, y0, w, h = _ink_extent(str(k), font)
                ax.text(ci, ri, str(k), ha="left", va="baseline", fontproperties=font, color=text_colour_on(colors[v]), zorder=4,
                        transform=ax.transData + ScaledTranslation((dx - x0 - w / 2) / 72, (dy - y0 - h / 2) / 72,
                                                                   dpi))
    ax.set_xticks(range(len(cols)), [clabels.get(c, str(c)) for c in cols], fontsize=9)
    ax.set_yticks(range(len(rows)), [(row_labels or {}).get(r, str(r)) for r in rows], fontsize=9)
    ax.set_xlim(-0.6, len(cols) - 0.4)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=9)
    ax.tick_params(length=0)
    for x in range(len(cols) - 1):
        ax.axvline(x + 0.5, color="0.9", lw=0.8, zorder=0)
    for y in range(len(rows) - 1):
        ax.axhline(y + 0.5, color="0.9", lw=0.8, zorder=0)
    present_v = [v for v in hue_order if v in set(data[hue])]
    ax.legend(handles=[Line2D([], [], ls="none", marker="o", ms=8, color=colors[v], label=hlabels[v])
                       for v in present_v],
              loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=3, fontsize=9, title=legend_title,
              title_fontsize=9)
    return ax


def describe_evidence_map(data, *, row="kind", column="certainty", count="claim_id", row_order, row_text=None,
                          column_order=CERTAINTY_ORDER, column_labels=None, item="claims") -> str:
    """Alt text for :func:`evidence_map`: items per row and per column, and how many sit in several rows.

    Parameters
    ----------
    data, row, column, count, row_order, column_order, column_labels
        As in :func:`evidence_map`.
    row_text : dict, optional
        Row category -> words used inside a sentence (default: the category code).
    item : str
        Plural noun for what ``count`` counts (``"claims"``).

    Returns
    -------
    str
    """
    if len(data) == 0:
        return f"Evidence map: no {item} yet."
    n = data[count].nunique()
    per_row = data.groupby(row)[count].nunique()
    kp = ", ".join(f"{per_row[k]} with {(row_text or {}).get(k, k)}" for k in row_order if k in per_row)
    once = data.drop_duplicates(count)
    cert = once[column].value_counts()
    clabels = column_labels or CERTAINTY_LABELS
    cp = ", ".join(f"{cert[c]} {clabels.get(c, c).lower()}" for c in column_order if c in cert)
    multi = int((data.groupby(count)[row].nunique() > 1).sum())
    empty = [(row_text or {}).get(k, k) for k in row_order if k not in per_row]
    s = (f"Grid of {n} {item} by the kinds of evidence each rests on ({kp}) against GRADE certainty ({cp}); "
         f"{multi} {item} rest on more than one kind and appear in each of their rows. Bubbles are coloured by "
         f"verdict and sized by the number of {item}.")
    if empty:
        s += f" Empty rows: {', '.join(empty)}."
    return s
