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
from evidence_lib.vocab import NO_DIRECTION, NULL_VALUE, RATIO_MEASURES

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
        return Direction(better, worse, NO_DIRECTION, False)
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
        return f"{label} {parts[0]}{u}{ci} ({NO_DIRECTION})"
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


# --------------------------------------------------------------------------- the report's one sign convention

#: What a negative value means on the report's convention (negative = better with the
#: intervention), per outcome, for continuous outcomes (pain, function, ...). Proportion
#: differences do not follow this rule: see :data:`NATURAL_SCALE_EVENTS`.
NEGATIVE_MEANS = {
    "pain": "less pain",
    "function": "better function",
    "response": "more responders",
    "quality_of_life": "better quality of life",
    "global_improvement": "fewer patients without improvement",
    "medication_use": "less medication use",
    "adverse_events": "fewer adverse events",
    "psychological": "better psychological outcomes",
    "other": "a better outcome",
}


@dataclass(frozen=True)
class Harmonised:
    """One effect on the report's sign convention, with the source's own values beside it.

    Attributes
    ----------
    estimate, ci_low, ci_high : float
        The effect as the report shows it: intervention against comparator, signed so
        that negative = better with the intervention (differences); ratios stay as printed. NaN where
        missing; ``ci_low <= ci_high``.
    printed : tuple of float
        (estimate, ci_low, ci_high) as the source printed them.
    flipped : bool
        True when the sign was reversed from the source's (``favours`` positive).
    words : str
        The direction in words, e.g. "negative: less pain with acupuncture"; for ratios
        "ratios above 1: more responders with acupuncture (ratio as published)"; "no
        direction of benefit recorded" when ``favours`` is na.
    printed_words : str
        The source's own convention, e.g. "positive = lower pain with acupuncture".
    has_direction : bool
        False when ``favours`` is na.
    is_ratio : bool
        True for ratio measures or ratio conventions (kept on the source's scale).
    natural_scale : bool
        True for a proportion difference (:data:`PROPORTION_DIFFERENCES`) of an outcome in
        :data:`NATURAL_SCALE_EVENTS`: first-named arm minus the second, positive = more of the
        event with the first arm ("+20.2: more responders"), never the negative = better rule.
    """

    estimate: float
    ci_low: float
    ci_high: float
    printed: tuple
    flipped: bool
    words: str
    printed_words: str
    has_direction: bool
    is_ratio: bool
    natural_scale: bool = False


#: Differences of two proportions (percentage points, risk difference): shown on their natural
#: scale, first-named arm minus the second, so that a positive value is more of the event.
PROPORTION_DIFFERENCES = frozenset({"pp_difference", "RD"})
#: For each outcome counted as a proportion: the words for more of the event ("more responders")
#: and whether more of it is a benefit (True: ``favours`` positive means the source printed the
#: natural sign; False: ``favours`` negative does).
NATURAL_SCALE_EVENTS = {
    "response": ("more responders", True),
    "global_improvement": ("more patients improved", True),
    "adverse_events": ("more patients with adverse events", False),
}


def harmonise(estimate, ci_low, ci_high, *, measure: str, favours: str, outcome: str,
              intervention: str, versus: str | None = None) -> Harmonised:
    """An effect put on the report's one sign convention, with its direction in words.

    Continuous differences (MD, SMD, changes) are shown as the
    intervention against the comparator, signed so that negative = better with the
    intervention (a difference on a scale where lower is better is intervention minus
    comparator as printed; one on a higher-is-better scale is re-signed): a row whose
    ``favours`` is ``positive`` (higher values favour the intervention, e.g. SF-36
    bodily pain, a function score, or a pain improvement printed as control minus
    intervention) has its sign reversed and its interval swapped. Ratios (``ratio_gt1`` /
    ``ratio_lt1`` or a ratio measure) have no sign; they stay as printed and the words say
    which side is better. Rows with ``favours`` na keep their values and say so.

    Proportion differences (percentage points, risk differences) of an outcome counted as
    events (:data:`NATURAL_SCALE_EVENTS`: responders, patients improved, patients with
    adverse events) keep their natural scale instead: the first-named arm minus the second,
    positive = more of the event with the first arm, as a reader reads a responder figure
    ("higher: more responders"); a source that printed the other order is re-signed.

    Parameters
    ----------
    estimate, ci_low, ci_high : float or None
        As the source printed them.
    measure : str
        The row's measure.
    favours : str
        Which sign favours the intervention (``negative``, ``positive``, ``ratio_lt1``,
        ``ratio_gt1``, ``na``).
    outcome : str
        The row's outcome code.
    intervention : str
        The name, as readers see it, of the row's first-named arm: the reviewed intervention,
        or the arm the row puts first ("sham acupuncture" in sham against conventional
        therapy; :func:`evidence_lib.review.labels.comparison_arms`).
    versus : str or None
        The second-named arm as readers see it; when given, the words of a natural-scale
        row name both arms ("more responders with sham acupuncture than with conventional
        therapy").

    Returns
    -------
    Harmonised

    References
    ----------
    Higgins JPT, Li T, Deeks JJ (editors). Chapter 6: Choosing effect measures and computing
    estimates of effect. In: Cochrane Handbook for Systematic Reviews of Interventions
    version 6.4 (updated August 2023); read at
    https://training-noproxy.cochrane.org/de/handbook/archive/v6.4/chapter-06 (difference
    and ratio measures; results converted to a consistent format).

    Examples
    --------
    >>> h = harmonise(0.69, 0.40, 0.98, measure="SMD", favours="positive", outcome="pain",
    ...               intervention="acupuncture")
    >>> (h.estimate, h.ci_low, h.ci_high, h.flipped)
    (-0.69, -0.98, -0.4, True)
    >>> h.words
    'negative: less pain with acupuncture'
    >>> h = harmonise(16.8, 10.1, 23.4, measure="pp_difference", favours="positive", outcome="response",
    ...               intervention="sham acupuncture", versus="conventional therapy")
    >>> (h.estimate, h.ci_low, h.ci_high, h.natural_scale)
    (16.8, 10.1, 23.4, True)
    >>> h.words
    'positive: more responders with sham acupuncture than with conventional therapy'
    """
    printed = tuple(float(v) if is_number(v) else math.nan for v in (estimate, ci_low, ci_high))
    d = direction(favours, outcome, intervention=intervention)
    if not d.has_direction:
        return Harmonised(*printed, printed=printed, flipped=False, words=NO_DIRECTION,
                          printed_words=d.axis, has_direction=False, is_ratio=measure in RATIO_MEASURES)
    if measure in RATIO_MEASURES or favours in ("ratio_gt1", "ratio_lt1"):
        return Harmonised(*printed, printed=printed, flipped=False, words=f"{d.axis} (ratio as published)",
                          printed_words=d.axis, has_direction=True, is_ratio=True)
    printed_words = d.axis.replace(" values:", " =", 1)
    natural = measure in PROPORTION_DIFFERENCES and outcome in NATURAL_SCALE_EVENTS
    if natural:
        more, more_is_benefit = NATURAL_SCALE_EVENTS[outcome]
        flip = favours != ("positive" if more_is_benefit else "negative")
        words = f"positive: {more} with {intervention}" + (f" than with {versus}" if versus else "")
    else:
        flip = favours == "positive"
        words = f"negative: {NEGATIVE_MEANS.get(outcome, NEGATIVE_MEANS['other'])} with {intervention}"
    est, lo, hi = (-printed[0], -printed[2], -printed[1]) if flip else printed
    return Harmonised(est + 0.0, lo + 0.0, hi + 0.0, printed=printed, flipped=flip, words=words,
                      printed_words=printed_words, has_direction=True, is_ratio=False, natural_scale=natural)


#: Words for the intervention doing better / worse, with the outcome named, for effect text that
#: cannot be misread on a scale running either way ("8.0 points less pain", never "8.0 lower").
BENEFIT_WORDS = {
    "pain": ("less pain", "more pain"),
    "function": ("better function", "worse function"),
    "response": ("more responders", "fewer responders"),
    "quality_of_life": ("better quality of life", "worse quality of life"),
    "global_improvement": ("more global improvement", "less global improvement"),
    "medication_use": ("less medication use", "more medication use"),
    "adverse_events": ("fewer adverse events", "more adverse events"),
    "psychological": ("better psychological outcomes", "worse psychological outcomes"),
    "other": ("a better outcome", "a worse outcome"),
}


def _signed(x: float, digits: int) -> str:
    s = f"{x:.{digits}f}"
    return "\u2212" + s[1:] if s.startswith("-") and float(s) != 0 else s.lstrip("-")


def effect_in_words(estimate, ci_low, ci_high, *, measure: str, favours: str, outcome: str, intervention: str,
                    digits: int = 1, versus: str | None = None) -> tuple[str, str]:
    """An effect as text that says better or worse with the intervention, and its signed values.

    The first text names the outcome with the size, so that it reads the same on any
    scale ("MD 8.0 points less pain with acupuncture (13.2 less to 2.8 less)"), whatever
    sign the source used; the second gives the value on the report's sign convention
    (:func:`harmonise`: negative = better with the intervention) and, where that reversed
    the source's sign, the value as printed. A proportion difference of events (responders)
    is given on its natural scale instead, with a plus sign and the arms in words
    ("+20.2 (13.4 to 26.7) percentage points: more responders with acupuncture";
    :func:`harmonise`). Intervals in words run in the scale's own order,
    as GRADEpro lists them (:func:`effect_text`): from the lower end to the higher on the
    quantity the words name ("13.2 less to 2.8 less" pain; "13.4 more to 26.7 more" responders).

    Parameters
    ----------
    estimate, ci_low, ci_high : float or None
        As the source printed them.
    measure, favours, outcome : str
        The row's measure, direction of benefit and outcome code.
    intervention : str
        The intervention's name as readers see it (the row's first-named arm).
    digits : int
        Decimals shown.
    versus : str or None
        The second-named arm, named in the words of a natural-scale row when given.

    Returns
    -------
    (str, str)
        The effect and the signed values. Ratios and rows without a direction
        (``favours`` na) fall back to :func:`effect_text` and the words of :func:`harmonise`.

    References
    ----------
    Santesso N, Glenton C, Dahm P, et al. GRADE guidelines 26: informative statements to
    communicate the findings of systematic reviews of interventions. J Clin Epidemiol
    2020;119:126-135 (effects stated as the difference in the intervention group).

    Examples
    --------
    >>> effect_in_words(8.0, 2.8, 13.2, measure="MD", favours="positive", outcome="pain",
    ...                 intervention="acupuncture")[0]
    'MD 8.0 points less pain with acupuncture (13.2 less to 2.8 less)'
    >>> effect_in_words(-3.1, -6.4, 0.2, measure="MD", favours="negative", outcome="pain",
    ...                 intervention="acupuncture")[0]
    'MD 3.1 points less pain with acupuncture (6.4 less to 0.2 more)'
    >>> effect_in_words(20.2, 13.4, 26.7, measure="pp_difference", favours="positive", outcome="response",
    ...                 intervention="acupuncture")[1]
    '+20.2 (13.4 to 26.7) percentage points: more responders with acupuncture'
    """
    h = harmonise(estimate, ci_low, ci_high, measure=measure, favours=favours, outcome=outcome,
                  intervention=intervention, versus=versus)
    if h.is_ratio or not h.has_direction or math.isnan(h.estimate):
        return (effect_text(estimate, ci_low, ci_high, measure=measure, favours=favours, outcome=outcome,
                            digits=digits), h.words)
    label = {"pp_difference": "difference", "ratio_of_means": "ratio of means"}.get(measure, measure)
    before, after = {"MD": ("points ", ""), "pp_difference": ("", " per 100")}.get(measure, ("", ""))
    good, bad = BENEFIT_WORDS.get(outcome, BENEFIT_WORDS["other"])
    # the words below read values on the negative = better rule; a natural-scale row whose event
    # is a benefit (responders) is read through its mirror image
    mirror = h.natural_scale and NATURAL_SCALE_EVENTS[outcome][1]
    est, lo, hi = (-h.estimate, -h.ci_high, -h.ci_low) if mirror else (h.estimate, h.ci_low, h.ci_high)

    def part(v):  # a value on the report's sign: negative = better
        if round(v, digits) == 0:
            return "no difference"
        return f"{abs(v):.{digits}f} {(good if v < 0 else bad).split()[0]}"

    size = "no difference" if round(est, digits) == 0 else \
        f"{abs(est):.{digits}f} {before}{good if est < 0 else bad}{after} with {intervention}"
    has_ci = not (math.isnan(lo) or math.isnan(hi))
    # the quantity the words name rises with the report's sign when the benefit is worded "less"/"fewer"
    # (pain) and falls with it when worded "more"/"better" (responders, function)
    first, second = (lo, hi) if good.split()[0] in _DESCENDING else (hi, lo)
    effect = f"{label} {size}" + (f" ({part(first)} to {part(second)})" if has_ci else "")
    ci = f" ({_signed(h.ci_low, digits)} to {_signed(h.ci_high, digits)})" if has_ci else ""
    if h.natural_scale:
        unit = " percentage points" if measure == "pp_difference" else ""
        plus = "+" if round(h.estimate, digits) > 0 else ""
        signed = f"{plus}{_signed(h.estimate, digits)}{ci}{unit}: {h.words.removeprefix('positive: ')}"
    else:
        signed = f"on the report's sign: {_signed(h.estimate, digits)}{ci}, {h.words}"
    if h.flipped:
        p = h.printed
        pci = f" ({_signed(p[1], digits)} to {_signed(p[2], digits)})" if has_ci else ""
        signed += f"; sign reversed: published as {_signed(p[0], digits)}{pci}, {h.printed_words}"
    return effect, signed
