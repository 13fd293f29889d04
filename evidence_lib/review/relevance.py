"""Clinical relevance: is a statistically significant effect also large enough to matter?

An effect is set against a threshold from ``thresholds.csv`` (a minimal clinically
important difference, MCID, or an effect-size convention); every threshold row carries
its own citation (``source_id``, ``location``, ``url``), and :func:`classify_row` passes
that citation on so a display can name where the number comes from. Nothing here
hard-codes a threshold value.

Rules, all on the *benefit scale* (positive = intervention better; see :func:`to_benefit`),
with the 95% CI [L, U], the estimate E, the null 0 and the threshold M > 0:

``favours_control``
    U < 0: the CI excludes the null on the side of the control.
``not_significant``
    L <= 0 <= U: the CI includes the null.
``clearly_above``
    L >= M: even the lower limit reaches the MCID.
``significant_but_below_mcid``
    L > 0 and E < M: significant, but the estimate is below the MCID (``whole_ci_below``
    says whether the upper limit is below it too, so that an important effect is ruled out).
``inconclusive``
    L > 0, E >= M > L: significant, the estimate reaches the MCID, the CI crosses it.
``no_ci``
    No CI reported: only the estimate can be compared (``estimate_above`` says how).
``no_threshold``
    No threshold in the table fits the measure and instrument.

Thresholds are matched as follows (:func:`find_threshold`): MD and mean_change on an
instrument use a ``mcid_between_group`` row of the same measure and instrument (compared
case- and space-insensitively, never across scale ranges: a 0-10 NRS threshold does not
apply to a 0-100 VAS), then a ``design_target`` row (a trial's powered-for difference,
named as such, never as an MCID), falling back to ``mcid_within_patient`` (flagged, since a
within-patient MCID overstates what a between-group difference must reach); SMDs use a
``mcid_between_group`` row on the SMD if there is one, else the ``smd_convention`` row
nearest to 0.5 (the Cochrane Back and Neck group reads SMD < 0.5 as a small effect;
the value used and its citation are always those of the table row). Ratio measures are
compared on the log scale. Where a reference SD is known, an SMD is also re-expressed in
scale points (:func:`smd_to_points`) and judged against the instrument's point MCID.
"""

from __future__ import annotations

from evidence_lib.vocab import RATIO_MEASURES, label_from_source_id

import math
import re
from dataclasses import dataclass

from evidence_lib._values import decimal_text, is_missing, printed_decimals
from evidence_lib.meta.effect_sizes import smd_to_points

DIFFERENCE_MEASURES = frozenset({"MD", "SMD", "RD", "pp_difference", "mean_change"})
#: The SMD convention used as the clinical threshold when several are tabulated.
SMD_CONVENTION_TARGET = 0.5
CLASSES = ("clearly_above", "inconclusive", "significant_but_below_mcid", "not_significant",
           "favours_control", "no_ci", "no_threshold")

@dataclass(frozen=True)
class Relevance:
    """The clinical-relevance reading of one effect.

    Attributes
    ----------
    category : str
        One of :data:`CLASSES`.
    estimate, ci_low, ci_high : float
        The effect on the benefit scale (log scale for ratios; NaN where missing).
    threshold : float or None
        The threshold on the same scale, or None.
    threshold_id : str or None
        The ``thresholds.csv`` row used (its ``source_id`` is the citation).
    whole_ci_below : bool
        For ``significant_but_below_mcid``: the upper limit too is below the threshold.
    message : str
        One sentence explaining the reading, naming the threshold and its source.
    """

    category: str
    estimate: float
    ci_low: float
    ci_high: float
    threshold: float | None
    threshold_id: str | None = None
    whole_ci_below: bool = False
    message: str = ""


_nan = is_missing


def to_benefit(estimate: float, ci_low: float | None, ci_high: float | None, measure: str,
               favours: str) -> tuple[float, float, float]:
    """Put an effect on the benefit scale: positive means the intervention is better, null 0.

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        As reported (ratios on their natural scale; CI limits may be NaN/None).
    measure : str
        Effect measure (ratios are logged).
    favours : {'negative', 'positive', 'ratio_gt1', 'ratio_lt1', 'na'}
        Which sign favours the intervention: ``negative`` (lower is better, e.g. a pain-score
        MD), ``positive``, ``ratio_gt1`` or ``ratio_lt1``.

    Returns
    -------
    tuple of float
        (estimate, low, high) on the benefit scale, low <= high; NaN where missing.

    Raises
    ------
    ValueError
        If ``favours`` is ``na`` (no direction: relevance cannot be judged).

    Examples
    --------
    >>> to_benefit(-10.0, -15.0, -5.0, "MD", "negative")
    (10.0, 5.0, 15.0)
    """
    vals = [math.nan if _nan(v) else float(v) for v in (estimate, ci_low, ci_high)]
    if measure in RATIO_MEASURES:
        vals = [math.log(v) if v > 0 else math.nan for v in vals]
    if favours in ("negative", "ratio_lt1"):
        sign = -1.0
    elif favours in ("positive", "ratio_gt1"):
        sign = 1.0
    else:
        raise ValueError(f"favours {favours!r} gives no direction of benefit")
    e, lo, hi = (sign * v for v in vals)
    if sign < 0:
        lo, hi = hi, lo
    return e, lo, hi


def classify(estimate: float, ci_low: float, ci_high: float, threshold: float | None) -> tuple[str, bool]:
    """Classify an effect already on the benefit scale (see the module docstring).

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        Benefit-scale effect and 95% CI (NaN for a missing limit).
    threshold : float or None
        Benefit-scale threshold (> 0), or None when no threshold applies.

    Returns
    -------
    (str, bool)
        The category and, for ``significant_but_below_mcid``, whether the whole CI is below.

    Examples
    --------
    >>> classify(6.0, 2.0, 10.0, 15.0)
    ('significant_but_below_mcid', True)
    >>> classify(20.0, 16.0, 24.0, 15.0)
    ('clearly_above', False)
    >>> classify(18.0, 10.0, 26.0, 15.0)
    ('inconclusive', False)
    >>> classify(4.0, -1.0, 9.0, 15.0)
    ('not_significant', False)
    """
    has_ci = not (math.isnan(ci_low) or math.isnan(ci_high))
    if has_ci and ci_high < 0:
        return "favours_control", False
    if has_ci and ci_low <= 0 <= ci_high:
        return "not_significant", False
    if threshold is None:
        return "no_threshold", False
    if not has_ci:
        return "no_ci", False
    if ci_low >= threshold:
        return "clearly_above", False
    if estimate < threshold:
        return "significant_but_below_mcid", bool(ci_high < threshold)
    return "inconclusive", False


def size_text(category: str, estimate: float, ci_low: float, ci_high: float, threshold: float | None, *,
              threshold_text: str = "threshold", whole_ci_below: bool = False,
              numbers: bool = True, decimals: int | None = None) -> str:
    """How large an effect is beside its threshold, in words of size that hold whatever the sign.

    The one wording of a clinical-importance reading (the Summary of Findings and the claim
    checks both use it). Effects are compared by size, never as "above" or "below", since on
    the report's sign convention a benefit is negative: "the estimate (0.54) is larger than the
    effect-size convention of 0.5 SD units; the CI (0.35 to 0.73) includes smaller effects".

    Parameters
    ----------
    category : str
        One of :data:`CLASSES` (from :func:`classify`).
    estimate, ci_low, ci_high : float
        The effect on the benefit scale (:func:`to_benefit`); for the categories worded here
        all are positive, so they are sizes.
    threshold : float or None
        The threshold on the same scale.
    threshold_text : str, optional
        The threshold as readers see it (:func:`describe_threshold`), e.g. "minimal clinically
        important difference between groups of 15 points on 0-100 scale (Mu 2020)"; it follows
        "the", so the default reads "the threshold".
    whole_ci_below : bool, optional
        For ``significant_but_below_mcid``: the whole CI is smaller than the threshold.
    numbers : bool, optional
        False for ratio measures (the benefit scale is logged): the words leave the numbers out.
    decimals : int, optional
        Decimals of the numbers, where the caller prints the same effect with a fixed number
        beside these words (the Summary of Findings: one for mean differences); None: as below.

    Returns
    -------
    str
        "" for the categories without a size reading (``not_significant``,
        ``favours_control``, ``no_threshold``). The numbers are printed with the decimals
        they were reported with (:func:`evidence_lib._values.printed_decimals`; 2 for
        computed values below 1, else 1). Where the whole CI is smaller than the threshold
        but its favourable end rounds to it, the text says the CI reaches the threshold at
        its favourable end.

    Examples
    --------
    >>> size_text("inconclusive", 0.54, 0.35, 0.73, 0.5, threshold_text="0.5 SD convention")
    'the estimate (0.54) is larger than the 0.5 SD convention; the CI (0.35 to 0.73) includes smaller effects'
    """
    if category not in ("clearly_above", "inconclusive", "significant_but_below_mcid", "no_ci"):
        return ""
    if numbers:
        if decimals is None:
            decimals = printed_decimals(estimate, ci_low, ci_high)
        if decimals is None:
            decimals = 2 if threshold is not None and threshold < 1 else 1
        est = f"the estimate ({decimal_text(estimate, decimals)})"
        ci = f"the CI ({decimal_text(ci_low, decimals)} to {decimal_text(ci_high, decimals)})"
        whole = f"the whole CI ({decimal_text(ci_low, decimals)} to {decimal_text(ci_high, decimals)})"
    else:
        est, ci, whole, decimals = "the estimate", "the CI", "the whole CI", 6
    if category == "no_ci":
        bigger = estimate >= threshold
        return f"no CI: {est} is {'at least as large as' if bigger else 'smaller than'} the {threshold_text}"
    if category == "clearly_above":
        return f"{est} and {whole} are larger than the {threshold_text}"
    if category == "inconclusive":
        return f"{est} is larger than the {threshold_text}; {ci} includes smaller effects"
    if not whole_ci_below:
        return f"{est} is smaller than the {threshold_text}; {ci} includes effects at least as large"
    if round(ci_high, decimals) >= threshold:
        return f"{est} is smaller than the {threshold_text}; {ci} reaches it at its favourable end"
    return f"{est} and {whole} are smaller than the {threshold_text}"


def _norm(s) -> str:
    return re.sub(r"[\s_]+", " ", str(s or "")).strip().lower()


def _applies(row, inst: str) -> bool:
    """A threshold applies to an instrument named as its own ``instrument`` or, in
    ``applies_to`` (';'-separated), as a name the instrument's text starts with."""
    if _norm(row["instrument"]) == inst:
        return True
    aliases = row.get("applies_to")
    if _nan(aliases) or not aliases:
        return False
    return any(inst == a or inst.startswith(a) for a in (_norm(x) for x in str(aliases).split(";")) if a)


def find_threshold(thresholds, measure: str, instrument: str | None):
    """The thresholds row that applies to an effect, or None (rules in the module docstring).

    Parameters
    ----------
    thresholds : pandas.DataFrame
        The ``thresholds`` table.
    measure : str
        The effect's measure.
    instrument : str or None
        The effect's instrument (pooled results have none).

    Returns
    -------
    pandas.Series or None
    """
    if thresholds is None or thresholds.empty:
        return None
    t = thresholds
    inst = _norm(instrument)
    same_measure = t[t["measure"] == measure]
    hits = [_applies(r, inst) for r in same_measure.to_dict("records")] if inst else []
    same_inst = same_measure.loc[[bool(h) for h in hits]] if any(hits) else same_measure.iloc[0:0]
    for kind in ("mcid_between_group", "design_target", "mcid_within_patient"):
        hit = same_inst[same_inst["kind"] == kind]
        if not hit.empty:
            return hit.iloc[0]
    if measure == "SMD":
        between = same_measure[same_measure["kind"] == "mcid_between_group"]
        if not between.empty:
            return between.iloc[0]
        conv = same_measure[same_measure["kind"] == "smd_convention"]
        if not conv.empty:
            return conv.iloc[int((conv["value"] - SMD_CONVENTION_TARGET).abs().to_numpy().argmin())]
    return None


def describe_threshold(row, *, source_label: str) -> str:
    """A threshold in words that say what kind of threshold it is (the one MCID policy's wording).

    Effect-size conventions (Cohen's 0.2/0.5/0.8 and the like) are named as conventions,
    never as clinically important differences; a within-patient MCID is named as such; a
    trial's design target (the difference its power calculation assumed) is named as that
    (:data:`evidence_lib.vocab.THRESHOLD_KIND_PHRASES`).

    Parameters
    ----------
    row : mapping
        A ``thresholds.csv`` row (``value``, ``unit``, ``kind``, ``instrument``).
    source_label : str
        The source as readers see it ("Mu 2020").

    Returns
    -------
    str

    Examples
    --------
    >>> describe_threshold({"value": 15.0, "unit": "points on 0-100 scale", "kind": "mcid_between_group",
    ...                     "instrument": "pain intensity 0-100"}, source_label="Mu 2020")
    'minimal clinically important difference between groups of 15 points on 0-100 scale (Mu 2020)'
    >>> describe_threshold({"value": 10.0, "unit": "points", "kind": "design_target",
    ...                     "instrument": "SF-36 bodily pain 0-100"}, source_label="Thomas 2005")
    'difference of 10 points the trial was designed to detect (Thomas 2005; a design target, not an established MCID)'
    """
    from evidence_lib.vocab import THRESHOLD_KIND_PHRASES

    value = f"{float(row['value']):g}"
    unit = f" {row['unit']}" if not _nan(row.get("unit")) and row.get("unit") else ""
    return THRESHOLD_KIND_PHRASES[row["kind"]].format(size=f"{value}{unit}", source=source_label)


def threshold_for(thresholds, measure: str, instrument: str | None):
    """The one threshold policy: which ``thresholds.csv`` row judges an effect, and its words.

    Every part of the package that reads an effect against a threshold (the claim checks,
    the Summary of Findings, the figures' shaded bands) calls this function, so the same
    instrument is always judged against the same row. Matching rules are in
    :func:`find_threshold` and the module docstring.

    Parameters
    ----------
    thresholds : pandas.DataFrame
        The ``thresholds`` table.
    measure : str
        The effect's measure.
    instrument : str or None
        The effect's instrument.

    Returns
    -------
    tuple (pandas.Series or None, str)
        The row (None when no threshold applies) and its description
        (:func:`describe_threshold`; "" when none applies).
    """
    row = find_threshold(thresholds, measure, instrument)
    if row is None:
        return None, ""
    return row, describe_threshold(row, source_label=label_from_source_id(row["source_id"]))


def threshold_on_benefit_scale(value: float, measure: str) -> float:
    """A (positive, absolute) threshold on the benefit scale: log for ratio measures.

    Parameters
    ----------
    value : float
        The threshold as tabulated in ``thresholds.csv`` (a ratio on its natural scale for
        ratio measures, else in the measure's units).
    measure : str
        Effect measure; ratio measures (``vocab.RATIO_MEASURES``) are logged.

    Returns
    -------
    float
        ``abs(log(value))`` for a ratio measure (NaN when ``value`` is not positive), else
        ``abs(value)``.

    Examples
    --------
    >>> threshold_on_benefit_scale(-10, "MD")
    10.0
    """
    if measure in RATIO_MEASURES:
        return abs(math.log(value)) if value > 0 else math.nan
    return abs(float(value))


def assess(estimate, ci_low, ci_high, measure: str, favours: str, thresholds, instrument: str | None = None,
           *, reference_sd: float | None = None) -> Relevance:
    """Read one effect against the thresholds table.

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        As reported.
    measure, favours : str
        As in ``effects.csv`` (``favours`` na gives ``no_threshold`` with an explanation).
    thresholds : pandas.DataFrame
        The ``thresholds`` table.
    instrument : str, optional
        The effect's instrument.
    reference_sd : float, optional
        For an SMD: a typical SD of ``instrument``; the SMD is then re-expressed in points
        (:func:`smd_to_points`) and judged against the instrument's point threshold when
        the table has one.

    Returns
    -------
    Relevance
    """
    if favours not in ("negative", "positive", "ratio_gt1", "ratio_lt1"):
        return Relevance("no_threshold", math.nan, math.nan, math.nan, None,
                         message="no direction of benefit is recorded (favours 'na'); relevance not judged")
    e, lo, hi = to_benefit(estimate, ci_low, ci_high, measure, favours)
    row = None
    unit_note = ""
    if measure == "SMD" and reference_sd and instrument:
        point_row = find_threshold(thresholds, "MD", instrument)
        if point_row is not None:
            e, lo, hi = (float(smd_to_points(v, reference_sd)) if not math.isnan(v) else v for v in (e, lo, hi))
            row, measure = point_row, "MD"
            unit_note = f" (SMD re-expressed in {instrument} points with a reference SD of {reference_sd:g})"
    if row is None:
        row = find_threshold(thresholds, measure, instrument)
    if row is None:
        cat, _ = classify(e, lo, hi, None)
        what = f"{measure} on {instrument}" if instrument else measure
        msg = ("the CI includes the null" if cat == "not_significant" else
               "the CI excludes the null in favour of the control" if cat == "favours_control" else
               f"no agreed clinical threshold for {what}")
        return Relevance(cat, e, lo, hi, None, message=msg)
    m = threshold_on_benefit_scale(row["value"], measure)
    cat, below = classify(e, lo, hi, m)
    cite = "against the " + describe_threshold(row, source_label=label_from_source_id(row["source_id"]))
    if row["kind"] == "mcid_within_patient":
        cite += ", larger than a between-group difference needs to be"
    text = {
        "not_significant": "the CI includes the null",
        "favours_control": "the CI excludes the null in favour of the control",
    }.get(cat) or size_text(
        cat, e, lo, hi, m, whole_ci_below=below, numbers=measure not in RATIO_MEASURES)
    return Relevance(cat, e, lo, hi, m, str(row["threshold_id"]), below, f"{text}{unit_note}, {cite}")


def classify_row(row, thresholds, *, reference_sd: float | None = None) -> Relevance:
    """:func:`assess` for one ``effects`` or ``pooled_results`` row (a Series).

    Both tables carry ``favours`` and ``instrument``. For a row without ``favours`` (an
    older package) the direction is taken as ``negative`` for pain outcomes on MD/SMD (pain
    scales score worse pain higher, and reviews report intervention minus control), and
    unknown otherwise (relevance not judged); without ``instrument``, the instrument is the
    longest tabulated threshold instrument named in the row's ``description``, if any.

    Parameters
    ----------
    row : pandas.Series or mapping
        One row of ``effects`` or ``pooled_results`` (``estimate``, ``ci_low``, ``ci_high``,
        ``measure``; ``favours``, ``instrument``, ``outcome``, ``description`` if present).
    thresholds : pandas.DataFrame or None
        The ``thresholds`` table.
    reference_sd : float, optional
        For an SMD: a typical SD of the instrument, passed to :func:`assess`.

    Returns
    -------
    Relevance
        As :func:`assess`.
    """
    get = row.get
    favours = get("favours")
    if not favours:
        favours = "negative" if get("outcome") == "pain" and get("measure") in ("MD", "SMD") else "na"
    instrument = get("instrument")
    if not instrument and thresholds is not None and not thresholds.empty:
        desc = _norm(get("description"))
        names = sorted({_norm(i) for i in thresholds["instrument"] if _norm(i) and _norm(i) in desc}, key=len)
        instrument = names[-1] if names else None
    return assess(get("estimate"), get("ci_low"), get("ci_high"), get("measure"), favours, thresholds,
                  instrument, reference_sd=reference_sd)
