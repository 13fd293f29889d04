"""The report's reproduction section: each published analysis re-pooled from its trials, published
statistic beside ours, in readers' words."""

from __future__ import annotations

from evidence_lib._values import decimal_text
from evidence_lib.output.cells import cell_text, number_text, source_short, sources_by_id
from evidence_lib.output.links import safe_url
from evidence_lib.review.reproduce import reproduce, reproducible_analyses
from evidence_lib.vocab import METHOD_LABELS, SOURCE_LINK_LABELS, STATISTIC_LABELS, plural

__all__ = ["reproductions", "ours_decimals", "reproduction_sentence"]


def reproductions(ds) -> list[dict]:
    """Each published analysis re-pooled from its trial rows: published vs ours.

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    list of dict
        Per analysis ``id``, ``error`` (text, or None when the re-pooling ran), and when it
        ran ``title``, ``where``, ``url`` (http(s) or None), ``url_label`` (what the link
        is: :data:`evidence_lib.vocab.SOURCE_LINK_LABELS`), ``method``, ``k``, ``summary``
        and ``rows``: ``statistic``, ``published``, ``ours``, ``difference`` (text) and
        ``agrees`` (bool) per statistic.
    """
    ids = reproducible_analyses(ds) if len(ds.trial_data) else []
    out = []
    pooled = ds.pooled_results.set_index("analysis_id")
    sources = sources_by_id(ds)
    for aid in ids:
        try:
            rep = reproduce(ds, aid)
        except (ValueError, KeyError) as exc:
            out.append({"id": aid, "error": str(exc)})
            continue
        row = pooled.loc[aid]
        where = ", ".join(x for x in (source_short(sources.get(row["source_id"])), cell_text(row.get("location"))) if x)
        out.append({
            "id": aid, "error": None, "title": cell_text(row.get("description")) or aid, "where": where,
            "url": safe_url(row.get("url")),
            "url_label": SOURCE_LINK_LABELS.get(sources.get(row["source_id"], {}).get("url_kind") or "secondary",
                                                SOURCE_LINK_LABELS["secondary"]),
            "method": METHOD_LABELS.get(rep.method, rep.method), "k": rep.ours.k,
            "summary": reproduction_sentence(rep),
            "rows": [{"statistic": STATISTIC_LABELS.get(r.statistic, r.statistic), "published": number_text(r.published),
                      "ours": decimal_text(r.ours, 0 if r.statistic == "k" else ours_decimals(r.ours)),
                      "difference": _difference_text(r.difference,
                                                     0 if r.statistic == "k" else ours_decimals(r.ours)),
                      "agrees": bool(r.agrees_to_rounding)}
                     for r in rep.to_frame().itertuples(index=False)],
        })
    return out


def ours_decimals(value: float, *, minimum: int = 4, significant: int = 4) -> int:
    """Decimals to print a re-computed statistic with: at least ``minimum``, and enough for ``significant`` figures.

    At 4 decimals a Q of 0.03499 prints as "0.0350", which reads as if it rounded to 0.04;
    with 4 significant figures it prints as "0.03499".

    Parameters
    ----------
    value : float
        The value to print.
    minimum : int
        The fewest decimals.
    significant : int
        The significant figures the value must keep.

    Returns
    -------
    int

    Examples
    --------
    >>> ours_decimals(0.03499), ours_decimals(-9.38), ours_decimals(0.0)
    (5, 4, 4)
    """
    import math

    if not isinstance(value, (int, float)) or not math.isfinite(value) or value == 0:
        return minimum
    return max(minimum, significant - 1 - math.floor(math.log10(abs(value))))


def _difference_text(value: float, decimals: int) -> str:
    """A signed difference with a true minus ("+0.0012", "−0.0038"); an exact zero is "0"."""
    if round(value, decimals) == 0:
        return "0"
    return ("+" if value > 0 else "") + decimal_text(value, decimals)


def reproduction_sentence(rep) -> str:
    """One reproduction in readers' words: the published result, ours, and whether they agree.

    Parameters
    ----------
    rep : evidence_lib.review.reproduce.Reproduction

    Returns
    -------
    str
        Published and re-pooled estimate with their 95% CIs, rounded as published, then
        τ², I², Q with its degrees of freedom and z; the statistics not reproduced to their
        printed rounding are named in words (:data:`evidence_lib.vocab.STATISTIC_LABELS`).
    """
    f = rep.to_frame().set_index("statistic")
    d = int(f.loc["estimate", "printed_decimals"]) if "estimate" in f.index else 2
    pub, o = rep.published, rep.ours

    def ci(est, lo, hi):
        return f"{number_text(round(est, d))} (95% CI {number_text(round(lo, d))} to {number_text(round(hi, d))})"

    s = (f"Published: {ci(pub['estimate'], pub.get('ci_low', float('nan')), pub.get('ci_high', float('nan')))}. "
         f"Re-pooled here from {o.k} trials with the {METHOD_LABELS.get(rep.method, rep.method)} method: "
         f"{ci(o.estimate, o.ci_low, o.ci_high)}; τ² {o.tau2:.2f}, I² {o.i2:.0f}%, Q {o.q:.2f} on "
         f"{plural(int(o.q_df), 'degree of freedom', 'degrees of freedom')}, z {decimal_text(o.statistic, 2)}. ")
    off = f[~f["agrees_to_rounding"]]
    if off.empty:
        return s + "Every published statistic is reproduced to its printed rounding."
    return s + "Not reproduced to the printed rounding: " + ", ".join(
        f"{STATISTIC_LABELS.get(k, k)} (published {number_text(r.published)}, ours {number_text(float(format(r.ours, '.4g')))})"
        for k, r in off.iterrows()) + "."
