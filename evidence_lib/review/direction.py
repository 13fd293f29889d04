"""One direction convention: every displayed effect says in words which way is better.

Rows in the data package keep their estimates as the source printed them, and say with
``favours`` which sign favours the intervention (``negative``: lower values favour it, e.g.
a pain score; ``positive``: higher values favour it, e.g. a function score, or a pain
improvement reported as control minus intervention; ``ratio_lt1`` / ``ratio_gt1`` for
ratios; ``na`` when the row has no direction of benefit). This module is the one place
that turns that into words and into GRADEpro-style effect text; the Summary of Findings,
the claim cards, ``evidence review``, the report and the figure axes all call it.

GRADEpro writes a continuous effect as the difference in the intervention group,
e.g. "MD 10.3 lower (17.1 lower to 3.4 lower)" for a pain score. The words depend on the
outcome: for pain, "lower" means less pain; for function (whose scales run either way),
"better"/"worse"; for responders, "more"/"fewer". The numbers are re-oriented so that the
words are true, whatever sign convention the source used.

References
----------
Santesso N, Glenton C, Dahm P, et al. GRADE guidelines 26: informative statements to
communicate the findings of systematic reviews of interventions. J Clin Epidemiol
2020;119:126-135.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evidence_lib._values import is_number
from evidence_lib.vocab import NULL_VALUE, RATIO_MEASURES

#: For each outcome: the word for the intervention group doing better, the word for it doing
#: worse, and the noun a reader reads after it ("lower pain", "better function").
OUTCOME_WORDS = {
    "pain": ("lower", "higher", "pain"),
    "function": ("better", "worse", "function"),
    "response": ("more", "fewer", "responders"),
    "quality_of_life": ("better", "worse", "quality of life"),
    "global_improvement": ("more", "less", "global improvement"),
    "medication_use": ("less", "more", "medication use"),
    "adverse_events": ("fewer", "more", "adverse events"),
    "psychological": ("better", "worse", "psychological outcomes"),
    "other": ("better", "worse", "outcome"),
}
_DESCENDING = ("lower", "less", "fewer")
_SIGN = {"negative": -1.0, "ratio_lt1": -1.0, "positive": 1.0, "ratio_gt1": 1.0}


@dataclass(frozen=True)
class Direction:
    """Which way is better for one row, in words.

    Attributes
    ----------
    better : str
        The reader's words for a benefit of the intervention ("lower pain").
    worse : str
        The words for the opposite ("higher pain").
    axis : str
        An axis note for figures drawn on the row's own sign convention, e.g.
        "negative values: lower pain with yoga".
    has_direction : bool
        False when the row records no direction of benefit (``favours`` na).
    """

    better: str
    worse: str
    axis: str
    has_direction: bool


def direction(favours: str, outcome: str, *, intervention: str) -> Direction:
    """The direction of benefit of a row, in words.

    Parameters
    ----------
    favours : {'negative', 'positive', 'ratio_lt1', 'ratio_gt1', 'na'}
        Which sign of the row's estimate favours the intervention.
    outcome : str
        The row's outcome code (``pain``, ``function``, ...).
    intervention : str
        The intervention's name as readers see it (from the data package).

    Returns
    -------
    Direction

    Examples
    --------
    >>> direction("negative", "pain", intervention="yoga").axis
    'negative values: lower pain with yoga'
    """
    good, bad, noun = OUTCOME_WORDS.get(outcome, OUTCOME_WORDS["other"])
    better, worse = f"{good} {noun}", f"{bad} {noun}"
    if favours not in _SIGN:
        return Direction(better, worse, "no direction of benefit recorded", False)
    side = {"negative": "negative values", "positive": "positive values", "ratio_lt1": "ratios below 1",
            "ratio_gt1": "ratios above 1"}[favours]
    return Direction(better, worse, f"{side}: {better} with {intervention}", True)


def benefit_scale(estimate, ci_low, ci_high, *, measure: str, favours: str) -> tuple[float, float, float]:
    """An effect re-oriented so that positive values favour the intervention.

    Differences keep their units; ratios are returned on the ratio scale, inverted where
    ``ratio_lt1`` favours the intervention (so a benefit is above 1). Missing values stay NaN.

    Parameters
    ----------
    estimate, ci_low, ci_high : float or None
        As the source printed them.
    measure : str
        The row's measure.
    favours : str
        The row's ``favours``.

    Returns
    -------
    tuple of float
        (estimate, low, high) with low <= high.

    Raises
    ------
    ValueError
        If ``favours`` gives no direction (``na``).
    """
    if favours not in _SIGN:
        raise ValueError(f"favours={favours!r} gives no direction of benefit; record the direction in the data")
    vals = [float(v) if is_number(v) else math.nan for v in (estimate, ci_low, ci_high)]
    if _SIGN[favours] > 0:
        return vals[0], vals[1], vals[2]
    if measure in RATIO_MEASURES:
        inv = [1.0 / v if v and not math.isnan(v) else math.nan for v in vals]
        return inv[0], inv[2], inv[1]
    return -vals[0], -vals[2], -vals[1]


def _num(x: float, digits: int) -> str:
    return f"{abs(x):.{digits}f}"


def effect_text(estimate, ci_low, ci_high, *, measure: str, favours: str, outcome: str, digits: int = 1,
                unit: str = "") -> str:
    """GRADEpro-style text for an effect, with words that are true for the outcome.

    Parameters
    ----------
    estimate, ci_low, ci_high : float or None
        As the source printed them.
    measure, favours, outcome : str
        The row's measure, direction of benefit and outcome code.
    digits : int
        Decimals shown.
    unit : str
        Appended after the estimate's number, e.g. "points" or "per 100".

    Returns
    -------
    str
        E.g. "MD 10.3 lower (17.1 lower to 3.4 lower)" for a pain MD of -10.26 with
        favours negative; "SMD 0.54 lower (0.35 lower to 0.73 lower)" for a pain SMD
        printed as +0.54 with favours positive; the plain numbers with "(direction not
        recorded)" when ``favours`` is na.

    Examples
    --------
    >>> effect_text(-10.26, -17.11, -3.40, measure="MD", favours="negative", outcome="pain")
    'MD 10.3 lower (17.1 lower to 3.4 lower)'
    >>> effect_text(-3.1, -6.4, 0.2, measure="MD", favours="negative", outcome="pain")
    'MD 3.1 lower (6.4 lower to 0.2 higher)'
    """
    label = {"pp_difference": "difference", "ratio_of_means": "ratio of means"}.get(measure, measure)
    u = f" {unit}" if unit else ""
    if favours not in _SIGN or not is_number(estimate):
        parts = [f"{float(v):.{digits}f}" for v in (estimate, ci_low, ci_high) if is_number(v)]
        if not parts:
            return f"{label}: not reported"
        ci = f" ({parts[1]} to {parts[2]})" if len(parts) == 3 else ""
        return f"{label} {parts[0]}{u}{ci} (direction not recorded)"
    b, lo, hi = benefit_scale(estimate, ci_low, ci_high, measure=measure, favours=favours)
    good, bad, _ = OUTCOME_WORDS.get(outcome, OUTCOME_WORDS["other"])
    if measure in RATIO_MEASURES:
        ci = f" ({lo:.2f} to {hi:.2f})" if not (math.isnan(lo) or math.isnan(hi)) else ""
        return f"{label} {b:.2f}{ci}, above 1 favouring the intervention"
    null = NULL_VALUE.get(measure, 0.0)

    def word(v):
        return good if v > null else (bad if v < null else "no difference")

    def part(v):
        return "no difference" if v == null else f"{_num(v, digits)} {word(v)}"

    # GRADEpro lists the interval in the scale's own order: for a benefit worded "lower"
    # (pain), the larger benefit comes first ("17.1 lower to 3.4 lower").
    first, second = (hi, lo) if good in _DESCENDING else (lo, hi)
    ci = f" ({part(first)} to {part(second)})" if not (math.isnan(lo) or math.isnan(hi)) else ""
    return f"{label} {_num(b, digits)} {word(b)}{u}{ci}"
