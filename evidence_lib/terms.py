"""Time horizons: when an effect counts as immediate, short, intermediate or long term.

One rule for the whole package, built from two published conventions:

- immediate: up to 1 week. The Cochrane review of acupuncture for chronic non-specific
  low back pain (Mu et al. 2020, CD013814, Summary of findings 3: "< 7 days after the
  end of the sessions") calls this "immediately after"; its "short term" runs from
  8 days to 3 months.
- short: over 1 week up to 13 weeks (3 months), as in Mu et al. 2020.
- intermediate: over 13 weeks and under 52 weeks.
- long: 52 weeks (12 months) or more, as in the AHRQ review (Skelly et al. 2020,
  Comparative Effectiveness Review 227, Review methods), whose long term is 12 months
  or more.

Both reviews count from the end of treatment; our ``timepoint_weeks`` count from
randomisation (what trials report), so for courses of 5-13 weeks our boundaries fall
up to one course earlier. The rule is stated in ``datapackage.json`` under ``terms``
and applied by :func:`term_for_weeks`; the loader rejects a ``term`` that disagrees
with ``timepoint_weeks``.
"""

from __future__ import annotations

import math

#: Upper bounds (inclusive) in weeks from randomisation for each term; long term is
#: anything at or beyond 52 weeks.
IMMEDIATE_MAX_WEEKS = 1.0
SHORT_MAX_WEEKS = 13.0
LONG_MIN_WEEKS = 52.0

TERMS = ("immediate", "short", "intermediate", "long")


def term_for_weeks(weeks: float | None) -> str | None:
    """Classify a timepoint given in weeks from randomisation.

    Parameters
    ----------
    weeks : float or None
        Weeks from randomisation; None or NaN gives None.

    Returns
    -------
    str or None
        ``"immediate"`` (<= 1), ``"short"`` (<= 13), ``"intermediate"`` (< 52) or
        ``"long"`` (>= 52).

    Examples
    --------
    >>> term_for_weeks(8), term_for_weeks(26), term_for_weeks(104)
    ('short', 'intermediate', 'long')
    """
    if weeks is None or (isinstance(weeks, float) and math.isnan(weeks)):
        return None
    if weeks < 0:
        raise ValueError(f"weeks must be >= 0, got {weeks}")
    if weeks <= IMMEDIATE_MAX_WEEKS:
        return "immediate"
    if weeks <= SHORT_MAX_WEEKS:
        return "short"
    if weeks < LONG_MIN_WEEKS:
        return "intermediate"
    return "long"
