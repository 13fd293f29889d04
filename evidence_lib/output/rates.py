"""One rate per 10,000 for each adverse-event row, shared by the harms table, the cards and the figure.

An adverse-event row holds a printed rate (per patient, per treatment, or already per
10,000) or only its counts. :func:`ae_rate` puts it per 10,000 of its denominator once; where
the source printed no interval but gave its counts, the exact (Clopper-Pearson) 95% interval
is computed from them, so the harms table, the claim cards and ``safety-rates.png`` show the
same numbers, rounded by the one formatter :func:`evidence_lib._values.rate_text`.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence_lib._values import is_number, rate_text

#: Each unit -> (factor to events per 10,000 of its denominator, the denominator in words).
AE_PER_10000 = {"per_patient": (10000.0, "patients"), "per_10000_patients": (1.0, "patients"),
                "per_treatment": (10000.0, "treatments (sessions)"),
                "per_10000_treatments": (1.0, "treatments (sessions)")}


@dataclass(frozen=True)
class AeRate:
    """One adverse-event row's rate per 10,000 of its denominator.

    Attributes
    ----------
    rate, low, high : float
        The rate and its 95% interval per 10,000 (NaN where unknown).
    per : str
        The denominator in words ("patients", "treatments (sessions)").
    counted_interval : bool
        True when the interval was computed here from the row's counts.
    computed_rate : bool
        True when the rate itself was computed from the counts (the source printed none, or
        printed it without an interval, which then comes from the counts too).
    """

    rate: float
    low: float
    high: float
    per: str
    counted_interval: bool
    computed_rate: bool

    @property
    def unit(self) -> str:
        """'per 10,000 patients' or 'per 10,000 treatments (sessions)'."""
        return f"per 10,000 {self.per}"

    def text(self, *, ci_words: bool = False) -> str:
        """The rate and its interval as the figure prints them.

        Parameters
        ----------
        ci_words : bool, optional
            Write the interval in words ("95% CI 510 to 1,462") instead of with an en dash.

        Returns
        -------
        str
            '931 (510\u20131,462)'; the rate alone when the interval is unknown.
        """
        if self.low == self.low and self.high == self.high:
            inner = (f"95% CI {rate_text(self.low)} to {rate_text(self.high)}" if ci_words
                     else f"{rate_text(self.low)}\u2013{rate_text(self.high)}")
            return f"{rate_text(self.rate)} ({inner})"
        return rate_text(self.rate)

    def to_frame(self):
        """The rate as a one-row DataFrame.

        Returns
        -------
        pandas.DataFrame
            Columns ``rate``, ``low``, ``high``, ``per``, ``counted_interval``, ``computed_rate``.
        """
        import pandas as pd

        return pd.DataFrame([{"rate": self.rate, "low": self.low, "high": self.high, "per": self.per,
                              "counted_interval": self.counted_interval, "computed_rate": self.computed_rate}])


def exact_interval(events: int, total: int) -> tuple[float, float]:
    """The Clopper-Pearson 95% interval of a proportion events/total.

    Parameters
    ----------
    events, total : int
        The count of events and the denominator (``0 <= events <= total``, ``total > 0``).

    Returns
    -------
    (float, float)
        The interval as proportions.

    Raises
    ------
    ValueError
        If the counts are impossible.

    References
    ----------
    Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case
    of the binomial. Biometrika 1934;26:404-413 (the interval as beta quantiles).
    """
    from scipy.special import betaincinv

    if total <= 0 or not 0 <= events <= total:
        raise ValueError(f"exact_interval: need 0 <= events <= total and total > 0, got events={events}, "
                         f"total={total}; check the row's events and denominator")
    lo = float(betaincinv(events, total - events + 1, 0.025)) if events > 0 else 0.0
    hi = float(betaincinv(events + 1, total - events, 0.975)) if events < total else 1.0
    return lo, hi


def ae_rate(row) -> AeRate | None:
    """An adverse-event row's rate per 10,000 of its denominator, with its interval.

    The printed rate and interval are used when the source printed both. Where it printed no
    interval but the row has counts, the exact interval is computed from the counts, and so is
    the rate (events/denominator): a point and its interval come from the same numbers (a
    printed "2.2%" beside an interval from 4,963 / 229,230 = 216.5 per 10,000 put the point
    almost on the upper limit). With no counts, the printed rate stands alone.

    Parameters
    ----------
    row : mapping
        An ``adverse_events`` row (``unit``, ``estimate``, ``ci_low``, ``ci_high``, ``events``,
        ``denominator``).

    Returns
    -------
    AeRate or None
        None when the unit is not a rate or the row holds neither a rate nor counts with a
        denominator.

    References
    ----------
    Clopper CJ, Pearson ES. Biometrika 1934;26:404-413.
    """
    unit = row.get("unit")
    if unit not in AE_PER_10000:
        return None
    factor, per = AE_PER_10000[unit]
    ev, den = row.get("events"), row.get("denominator")
    counted = is_number(ev) and is_number(den) and float(den) > 0
    est, lo, hi = (float(row[k]) if is_number(row.get(k)) else float("nan") for k in ("estimate", "ci_low", "ci_high"))
    computed_rate = est != est
    if computed_rate:
        if not counted:
            return None
        est = float(ev) / float(den) * 10000.0
    else:
        est *= factor
    counted_interval = False
    if lo == lo and hi == hi:
        lo, hi = lo * factor, hi * factor
    elif counted:
        lo, hi = (v * 10000.0 for v in exact_interval(int(ev), int(den)))
        counted_interval = True
        if not computed_rate:  # the point from the same counts as its interval, not the printed rounded rate
            est, computed_rate = float(ev) / float(den) * 10000.0, True
    return AeRate(est, lo, hi, per, counted_interval, computed_rate)
