"""Plotting layer: pure functions, data and labels in, ``Axes`` out (the seaborn convention).

Each ``f(data, *, column names..., ax=None)`` draws on ``ax`` (or a new figure) and returns
the Axes; each ``describe_f`` returns the alt text of the same drawing. No function here
knows the review's domain: every label arrives from the caller. Importing this package
changes no rcParams; :func:`style` applies the package's look inside a ``with`` block.
"""

from __future__ import annotations

from evidence_lib.plotting._style import MARKERS, OKABE_ITO, STYLE, no_data, style
from evidence_lib.plotting.evidence import (
    describe_evidence_map, describe_session_plan_timeline, evidence_map, session_plan_timeline,
)
from evidence_lib.plotting.forest import describe_forest, forest_plot
from evidence_lib.plotting.funnel import describe_funnel, funnel_plot
from evidence_lib.plotting.influence import baujat_plot
from evidence_lib.plotting.profile import profile_plot
from evidence_lib.plotting.safety import describe_safety_rates, safety_rates
from evidence_lib.plotting.timecourse import describe_effect_over_time, effect_over_time, rates_by_timepoint
from evidence_lib.plotting.verdicts import describe_verdict_overview, verdict_overview

__all__ = [
    "MARKERS", "OKABE_ITO", "STYLE", "describe_effect_over_time", "describe_evidence_map", "describe_forest",
    "describe_funnel", "describe_safety_rates", "describe_session_plan_timeline", "describe_verdict_overview",
    "effect_over_time", "evidence_map", "forest_plot", "funnel_plot", "no_data", "rates_by_timepoint",
    "safety_rates", "session_plan_timeline", "style", "verdict_overview",
]
