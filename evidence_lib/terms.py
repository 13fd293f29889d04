"""Time horizons: when an effect counts as immediate, short, intermediate or long term.

The cut-offs follow the convention of the Cochrane review of acupuncture for chronic
non-specific low back pain (Mu et al. 2020), which follows the Cochrane Back and Neck
group: immediate (up to 1 week after the end of treatment), short term (up to 3
months), intermediate (3 to 12 months) and long term (12 months or more). We count
weeks from randomisation, which for trials of 4-12 weeks of treatment shifts the
boundaries by at most the treatment length; the data package states the rule in
``datapackage.json`` under ``terms`` and :func:`term_for_weeks` applies it.
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
