"""The network's arms and trials as readers see them: no blank cell, what each mean is, where each SE comes from.

:func:`arms_table` and :func:`inclusion_table` turn the rows of
:func:`evidence_lib.review.network.pain_network_arms` and ``pain_network_inclusion`` into the
tables of the report's network section; :class:`Derivation` records how an arm's standard
error was derived from a trial's published difference, and :func:`score_kind` reads from an
arm's notes whether its mean is a change from baseline or a final value. Every number in the
words comes from the data package.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evidence_lib._values import decimal_text, is_missing

__all__ = ["Derivation", "score_kind", "arms_table", "inclusion_table", "MEAN_DECIMALS"]

#: Decimals of the arms' means and SDs in the arms table (points on a 0-100 scale).
MEAN_DECIMALS = 1


@dataclass(frozen=True)
class Derivation:
    """How an arm's standard error was derived from a trial's published difference.

    ``var(arm) = se(MD)^2 - sd_other^2 / n_other``, with ``se(MD) = (ci_high - ci_low) /
    (2 x 1.96)``, the published difference being the other arm against this one.
    """

    effect_id: str
    estimate: float
    ci_low: float
    ci_high: float
    se_difference: float
    other_arm: str
    other_label: str
    other_sd: float
    other_n: float

    @property
    def variance(self) -> float:
        """The arm's derived variance of its mean (may be <= 0, when the derivation fails)."""
        return self.se_difference ** 2 - self.other_sd ** 2 / self.other_n

    def to_frame(self):
        """One row with every field and the derived variance.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        from dataclasses import asdict

        return pd.DataFrame([{**asdict(self), "variance": self.variance}])


def score_kind(notes) -> str:
    """Whether an arm's mean is a change from baseline or a final (follow-up) value, from its notes.

    Parameters
    ----------
    notes : str or None
        The arm row's ``notes`` (``arms.csv``).

    Returns
    -------
    str
        ``"final value"`` when the notes say "not change" or "follow-up score";
        ``"change from baseline"`` when they say "change"; else ``"not stated"``.

    Examples
    --------
    >>> score_kind("Follow-up score (not change), mean +/- SD"), score_kind("CHANGE from baseline")
    ('final value', 'change from baseline')
    """
    text = "" if is_missing(notes) else str(notes).lower()
    if "not change" in text or "follow-up score" in text:
        return "final value"
    if "change" in text:
        return "change from baseline"
    return "not stated"


def _n_text(n) -> str:
    return f"{int(round(float(n))):,}"


def _se_basis(d: Derivation, *, other: str, sd, favours, trial_total, other_ns) -> str:
    """Readers' words for a standard error derived from a published difference (numbers from the data)."""
    def f2(v):
        return decimal_text(v, 2)

    sign = {"positive": f"; positive favours {other}", "negative": f"; negative favours {other}"}.get(favours, "")
    se = math.sqrt(d.variance)
    text = (f"is therefore derived from the trial's published difference between {other} and "
            f"this group ({decimal_text(d.estimate, 1)}, 95% CI {decimal_text(d.ci_low, 1)} to "
            f"{decimal_text(d.ci_high, 1)}{sign}). That interval's standard error, {f2(d.se_difference)}, squared, "
            f"less the {other} group's part ({decimal_text(d.other_sd, 1)}² / {_n_text(d.other_n)}), leaves "
            f"{f2(se)}² for this group's mean.")
    if is_missing(sd):
        return text
    implied = float(sd) ** 2 / d.variance
    text += (f" With this group's SD ({decimal_text(float(sd), 1)}), a standard error of {f2(se)} matches about "
             f"{_n_text(implied)} participants")
    if trial_total is not None and other_ns and trial_total > sum(other_ns):
        left = trial_total - sum(other_ns)
        simple = float(sd) / math.sqrt(left)
        more = se > simple
        text += (f"; the trial's {_n_text(trial_total)} less {' and '.join(_n_text(n) for n in other_ns)} in the "
                 f"other groups leaves {_n_text(left)}, for whom SD / √n would be {f2(simple)}, so this group "
                 f"gets {'less' if more else 'more'} weight than a group of {_n_text(left)} would")
    return text + "."


def arms_table(ds, arms, *, label):
    """The network's arms for readers: no blank cell, the kind of each mean, where each SE comes from.

    Parameters
    ----------
    ds : Dataset
        The data package (``arms`` for each row's location, ``sources.n_participants``,
        ``effects.favours`` of a difference an SE was derived from).
    arms : pandas.DataFrame
        :func:`evidence_lib.review.network.pain_network_arms`.
    label : callable
        Arm code -> the treatment's name (:func:`evidence_lib.review.network.network_labels`).

    Returns
    -------
    tuple of (pandas.DataFrame, str)
        The table, one row per arm: study_label, network_treatment, trial_arm_name,
        instrument, timepoint_weeks, n (a number, or "not reported" and why), score
        (:func:`score_kind`), mean_as_reported, mean, sd (text, :data:`MEAN_DECIMALS`), se
        (text; SD/√n, or the derived SE) and se_basis; and a note explaining, with the
        numbers of the data, each derived standard error and the group size it implies
        (``''`` when none was derived).
    """
    import pandas as pd

    raw = ds.arms.set_index("arm_id")
    src = ds.sources.set_index("source_id")
    eff = ds.effects.set_index("effect_id")
    rows, notes = [], []
    for r in arms.itertuples(index=False):
        trial = arms[arms["study"] == r.study]
        total = src.at[r.study, "n_participants"] if r.study in src.index and "n_participants" in src.columns else None
        total = None if is_missing(total) else float(total)
        where = raw.at[r.arm_id, "location"] if r.arm_id in raw.index and "location" in raw.columns else ""
        where = "" if is_missing(where) else str(where).lower()
        missing_n = ""
        if is_missing(r.n):
            n = f"not reported{f' in the {where}' if where else ''} (see below)"
            missing_n = (f"the {where or 'source'} that gives this row's mean gives no size for this group"
                         + (f" (the trial had {_n_text(total)} participants)" if total is not None else "") + "; ")
        else:
            n = _n_text(r.n)
        d = r.derivation
        who = f"{r.study_label}, {label(r.treatment)}: "
        if isinstance(d, Derivation):
            se = math.sqrt(d.variance)
            favours = eff.at[d.effect_id, "favours"] if d.effect_id in eff.index and "favours" in eff.columns else None
            others = [float(x) for x in trial.loc[trial["arm_id"] != r.arm_id, "n"] if not is_missing(x)]
            notes.append(who + missing_n + "its standard error "
                         + _se_basis(d, other=label(d.other_arm), sd=r.sd, favours=favours, trial_total=total,
                                     other_ns=others))
            basis = f"derived from the published difference against {label(d.other_arm)} (see below)"
        else:
            if missing_n:
                notes.append(who + missing_n.rstrip("; ") + ".")
            se = float(r.sd) / math.sqrt(float(r.n))
            basis = "SD / √n"
        own = str(r.arm_label or "")
        name = label(r.treatment)
        treatment = name if not own or own.lower() == name.lower() else f"{name} (the trial: {own})"
        rows.append({"study_label": r.study_label, "network_treatment": treatment,
                     "instrument": str(r.instrument).split(" (")[0],
                     "timepoint_weeks": r.timepoint_weeks, "n": n, "score": r.score,
                     "mean_as_reported": decimal_text(float(r.mean_as_reported), MEAN_DECIMALS),
                     "mean": decimal_text(float(r.mean), MEAN_DECIMALS), "sd": decimal_text(float(r.sd), MEAN_DECIMALS),
                     "se": decimal_text(se, 2), "se_basis": basis})
    frame = pd.DataFrame(rows, columns=["study_label", "network_treatment", "instrument",
                                        "timepoint_weeks", "n", "score", "mean_as_reported", "mean", "sd", "se",
                                        "se_basis"])
    return frame, " ".join(notes)


def inclusion_table(inclusion):
    """The inclusion table for readers: every empty cell says 'none'.

    Parameters
    ----------
    inclusion : pandas.DataFrame
        :func:`evidence_lib.review.network.pain_network_inclusion`.

    Returns
    -------
    pandas.DataFrame
        The same rows as text-or-number cells, ``"none"`` where a trial has no visit, no
        arms entered or left out, or no pain weeks.
    """
    out = inclusion.astype(object).copy()
    for c in ("pain_weeks", "arms_entered", "arms_left_out"):
        out[c] = ["none" if is_missing(v) or v == "" else v for v in out[c]]
    out["visit"] = ["none" if is_missing(v) else v for v in out["visit"]]
    return out
