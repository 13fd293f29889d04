"""The package's vocabulary, defined once: codes, their order, their words for readers, colours.

Every enumeration the data package declares (``datapackage.json``) and every label a
reader sees for one of its codes lives here; ``tests/test_vocab.py`` holds these against
the descriptor so that the two cannot drift apart. Nothing here imports anything heavy.
"""

from __future__ import annotations

import re

from evidence_lib.terms import IMMEDIATE_MAX_WEEKS as _IMMEDIATE_MAX_WEEKS
from evidence_lib.terms import LONG_MIN_WEEKS as _LONG_MIN_WEEKS
from evidence_lib.terms import SHORT_MAX_WEEKS as _SHORT_MAX_WEEKS

#: Verdicts from the most to the least favourable to the article, for ordering displays.
VERDICT_ORDER = ("supported", "supported_with_caveats", "overstated", "unsupported", "contradicted", "not_checkable")
VERDICT_LABELS = {
    "supported": "Supported",
    "supported_with_caveats": "Supported, with caveats",
    "overstated": "Overstated",
    "unsupported": "Unsupported",
    "contradicted": "Contradicted",
    "not_checkable": "Not checkable",
}
#: Colour-blind-safe verdict colours (Okabe-Ito based), used by every view.
VERDICT_COLORS = {
    "supported": "#009E73",
    "supported_with_caveats": "#56B4E9",
    "overstated": "#E69F00",
    "unsupported": "#D55E00",
    "contradicted": "#A6002A",
    "not_checkable": "#999999",
}
CATEGORY_ORDER = ("background", "mechanism", "efficacy", "duration", "comparison", "safety", "benefit", "protocol",
                  "population")

#: GRADE certainty, highest first; ``none`` is a claim that rests on no body of evidence.
CERTAINTY_ORDER = ("high", "moderate", "low", "very_low", "none")
CERTAINTY_LABELS = {"high": "High", "moderate": "Moderate", "low": "Low", "very_low": "Very low",
                    "none": "Not rated"}
#: GRADE certainty as the usual filled/empty circles.
CERTAINTY_SYMBOLS = {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very_low": "⊕◯◯◯", "none": "—"}

#: The five GRADE domains that can lower certainty, and the judgments a domain can take.
GRADE_DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
GRADE_DOMAIN_LABELS = {"risk_of_bias": "risk of bias", "inconsistency": "inconsistency",
                       "indirectness": "indirectness", "imprecision": "imprecision",
                       "publication_bias": "publication bias"}
GRADE_JUDGMENTS = ("no_concern", "serious", "very_serious")
GRADE_JUDGMENT_LABELS = {"no_concern": "no serious concern", "serious": "serious", "very_serious": "very serious",
                         "not_assessed": "not assessed"}

#: Effect measures as the data package names them.
MEASURES = ("MD", "SMD", "RR", "OR", "RD", "pp_difference", "proportion", "percent", "mean_change",
            "ratio_of_means", "HR", "other")
#: Measures pooled on the log scale. The engine also accepts the metafor names IRR and ROM.
RATIO_MEASURES = frozenset({"RR", "OR", "ratio_of_means", "HR"})
ENGINE_RATIO_MEASURES = frozenset(RATIO_MEASURES | {"HR", "IRR", "ROM"})
MEASURE_LABELS = {"MD": "mean difference", "SMD": "standardised mean difference", "RR": "risk ratio",
                  "OR": "odds ratio", "RD": "risk difference", "pp_difference": "difference in percentage points",
                  "proportion": "proportion", "percent": "percent", "mean_change": "mean change",
                  "ratio_of_means": "ratio of means", "HR": "hazard ratio", "other": "other measure"}
#: The value of "no difference" on each measure's natural scale.
NULL_VALUE = {"MD": 0.0, "SMD": 0.0, "RD": 0.0, "pp_difference": 0.0, "mean_change": 0.0,
              "RR": 1.0, "OR": 1.0, "ratio_of_means": 1.0, "HR": 1.0}

#: Which direction of an estimate favours the intervention (effects.favours).
FAVOURS = ("negative", "positive", "ratio_gt1", "ratio_lt1", "na")

COMPARATOR_CLASSES = ("sham", "no_treatment", "usual_care", "conventional_therapy", "active_other", "mixed", "none")
#: Arm codes: ``intervention`` is the reviewed intervention (its name is the descriptor's ``review.intervention``),
#: the others are the controls' comparator classes.
INTERVENTION_ARM = "intervention"
ARMS = ("intervention", "sham", "no_treatment", "usual_care", "conventional_therapy", "active_other")
OUTCOMES = ("pain", "function", "response", "quality_of_life", "global_improvement", "medication_use",
            "adverse_events", "psychological", "other")
OUTCOME_LABELS = {"pain": "pain", "function": "function", "response": "response to treatment",
                  "quality_of_life": "quality of life", "global_improvement": "global improvement",
                  "medication_use": "medication use", "adverse_events": "adverse events",
                  "psychological": "psychological outcomes", "other": "other outcomes"}
TERMS = ("immediate", "short", "intermediate", "long")
TERM_LABELS = {"immediate": "immediately after treatment", "short": "short term", "intermediate": "intermediate term",
               "long": "long term"}
#: The window of each horizon in weeks from randomisation (:mod:`evidence_lib.terms`), printed beside
#: the term wherever the report names one, since reviews use the same words for other windows (e.g.
#: counted from the end of treatment). "Immediately after treatment" names its own window.
TERM_WINDOWS = {
    "short": f"over {_IMMEDIATE_MAX_WEEKS:g} to {_SHORT_MAX_WEEKS:g} weeks after randomisation",
    "intermediate": f"over {_SHORT_MAX_WEEKS:g} to under {_LONG_MIN_WEEKS:g} weeks after randomisation",
    "long": f"{_LONG_MIN_WEEKS:g} weeks or more after randomisation",
}
#: The same horizons named by their weeks from randomisation (:mod:`evidence_lib.terms`), for
#: figures whose axis is weeks from randomisation: at week 1 no course of treatment has ended,
#: so "immediately after treatment" would misname the band there. The words follow the bounds of
#: :func:`evidence_lib.terms.term_for_weeks` (up to 1, up to 13, under 52, 52 on): no week is in two bands.
TERM_WEEK_LABELS = {
    "immediate": f"up to {_IMMEDIATE_MAX_WEEKS:g} week" + ("s" if _IMMEDIATE_MAX_WEEKS != 1 else ""),
    "short": f"over {_IMMEDIATE_MAX_WEEKS:g} to {_SHORT_MAX_WEEKS:g} weeks",
    "intermediate": f"over {_SHORT_MAX_WEEKS:g}, under {_LONG_MIN_WEEKS:g} weeks",
    "long": f"{_LONG_MIN_WEEKS:g} weeks or more",
}
THRESHOLD_KINDS = ("mcid_between_group", "mcid_within_patient", "responder_definition", "smd_convention",
                   "design_target")
#: What each kind of threshold is, in the words a reader should see beside a shaded band.
#: ``design_target``: the difference a trial's power calculation assumed (a design assumption,
#: never to be called a minimal clinically important difference).
THRESHOLD_KIND_LABELS = {
    "mcid_between_group": "minimal clinically important difference between groups",
    "mcid_within_patient": "minimal important change within a patient",
    "responder_definition": "responder definition",
    "smd_convention": "effect-size convention (not a clinically important difference)",
    "design_target": "difference the trial was designed to detect (a design target, not an established MCID)",
}
#: A threshold of each kind in a sentence: ``{size}`` is its value and unit ("10 points"),
#: ``{source}`` its source as readers see it ("Thomas 2005").
THRESHOLD_KIND_PHRASES = {
    "mcid_between_group": "minimal clinically important difference between groups of {size} ({source})",
    "mcid_within_patient": "minimal important change within a patient of {size} ({source})",
    "responder_definition": "responder definition of {size} ({source})",
    "smd_convention": "effect-size convention of {size} ({source}; a convention, not a clinically important difference)",
    "design_target": "difference of {size} the trial was designed to detect ({source}; a design target, not an "
                     "established MCID)",
}
#: A shaded band of differences smaller than a threshold: ``{size}`` is "±10 points", ``{source}``
#: the source with the kind's caveat when it has one ("Thomas 2005; a design target, not an
#: established MCID", from :data:`THRESHOLD_KIND_PHRASES`).
THRESHOLD_BAND_PHRASES = {
    "mcid_between_group": "differences smaller than the minimal clinically important difference between groups "
                          "({size}; {source})",
    "mcid_within_patient": "differences smaller than the minimal important change within a patient ({size}; {source})",
    "responder_definition": "differences smaller than the responder definition ({size}; {source})",
    "smd_convention": "differences smaller than the effect-size convention ({size}; {source})",
    "design_target": "differences smaller than the difference the trial was designed to detect ({size}; {source})",
}
#: Analyses the package computes from a data package's tables. A claim rests on one through a
#: ``claim_evidence.csv`` row with ``table`` = ``analyses`` and ``row_id`` = one of these ids.
#: ``network-pain-short``: the network meta-analysis of pain at the first short-term visit of every
#: randomised trial with arm-level pain data (``evidence_lib.review.network``).
ANALYSES = ("network-pain-short",)
ANALYSIS_LABELS = {"network-pain-short": "Network meta-analysis of short-term pain"}
#: The id of the report section (``claim-review.html#...``) that shows each analysis.
ANALYSIS_ANCHORS = {"network-pain-short": "network"}
#: What a ``claim_evidence.csv`` row can point at: a row of one of these tables, or an analysis.
EVIDENCE_TABLES = ("effects", "pooled_results", "adverse_events", "protocols", "thresholds", "findings", "analyses")
#: Which events an adverse-event count covers (``adverse_events.attribution``): only events the source
#: attributed to the intervention, every event in a group or trial arm whatever its cause, or not said.
AE_ATTRIBUTIONS = ("attributed", "all_cause", "not_stated")
AE_ATTRIBUTION_LABELS = {
    "attributed": "events attributed to the treatment by patients, practitioners or the authors",
    "all_cause": "all events in each trial arm, whatever the cause (arms without the treatment included)",
    "not_stated": "events whose link to treatment the source does not state",
}
SCORECARD_JUDGMENTS = ("satisfactory", "not_satisfactory", "not_applicable")
SCORECARD_JUDGMENT_LABELS = {"satisfactory": "Satisfactory", "not_satisfactory": "Not satisfactory",
                             "not_applicable": "Not applicable"}


def label_from_source_id(source_id: str) -> str:
    """A readable label from a source id when no sources table is at hand: 'smith2010' -> 'Smith 2010'.

    Prefer the sources table's author and year (``evidence_lib.review.views.source_labels``);
    this fallback only reformats the id.

    Parameters
    ----------
    source_id : str
        A source id of the form name + four-digit year + optional letter and suffix
        (``"haake2007"``, ``"van-tulder2005b"``).

    Returns
    -------
    str
        The name capitalised, then the year and any suffix; the id unchanged when it
        does not have that form.

    Examples
    --------
    >>> label_from_source_id("haake2007")
    'Haake 2007'
    """
    m = re.match(r"^([a-z\-]+?)[._-]?(\d{4})([a-z]?)(.*)$", str(source_id))
    if not m:
        return str(source_id)
    name = "-".join(p.capitalize() for p in m.group(1).split("-"))
    return f"{name} {m.group(2)}{m.group(3)}{(' ' + m.group(4).strip('._-')) if m.group(4) else ''}"


# --------------------------------------------------------------------------- words for report tables
#: Clinical-relevance readings (:data:`evidence_lib.review.relevance.CLASSES`) in readers' words.
RELEVANCE_LABELS = {
    "clearly_above": "clinically important",
    "inconclusive": "possibly important",
    "significant_but_below_mcid": "significant but below the clinical threshold",
    "not_significant": "not statistically significant",
    "favours_control": "favours the control",
    "no_ci": "no confidence interval",
    "no_threshold": "no agreed threshold for the scale",
}
#: Pooling estimators by their short codes, spelled out.
METHOD_LABELS = {"DL": "DerSimonian–Laird", "REML": "restricted maximum likelihood", "ML": "maximum likelihood",
                 "PM": "Paule–Mandel", "HS": "Hunter–Schmidt", "SJ": "Sidik–Jonkman", "FE": "fixed effect",
                 "EE": "equal effects"}
#: The statistics of a pooled result as a reproduction table labels its rows.
STATISTIC_LABELS = {"estimate": "Pooled estimate", "ci_low": "Lower 95% confidence limit",
                    "ci_high": "Upper 95% confidence limit", "tau2": "τ² (between-trial variance)",
                    "i2": "I² (%)", "q": "Q (heterogeneity)", "z": "z (test of no effect)", "k": "Number of trials"}
#: How several caveats of a claim are separated in one cell of ``claims.caveats`` (each cell holds one
#: line, and a caveat sentence may itself hold a semicolon).
CAVEAT_SEPARATOR = " | "


def caveat_list(cell) -> list[str]:
    """The caveats of one ``claims.caveats`` cell, in order, each stripped.

    Parameters
    ----------
    cell : str or None
        The cell as loaded (None or NaN when blank).

    Returns
    -------
    list of str
        ``[]`` for a blank cell; otherwise the parts between :data:`CAVEAT_SEPARATOR` (an
        empty part is kept as ``''``, so that validation can name it).

    Examples
    --------
    >>> caveat_list("Gains are small. | Benefits fade.")
    ['Gains are small.', 'Benefits fade.']
    """
    if cell is None or (isinstance(cell, float) and cell != cell) or not str(cell).strip():
        return []
    return [part.strip() for part in str(cell).split(CAVEAT_SEPARATOR.strip())]
#: Why a claim's certainty is not rated, by its verdict (``None``: any other verdict).
CERTAINTY_NOT_RATED_REASONS = {"not_checkable": "the claim cannot be tested against evidence",
                               None: "no body of evidence was rated for this claim"}
#: Column ids of the tables the report shows (network section, scorecard), in readers' words.
#: A column id without an entry is shown with spaces for underscores.
REPORT_COLUMN_LABELS = {
    # trials and arms of the network
    "label": "Trial", "pain_weeks": "Weeks with pain means per arm", "visit": "Visit used (week)",
    "arms_entered": "Arms entered", "arms_left_out": "Arms left out", "reason": "Reason",
    "study_label": "Trial", "arm_label": "Arm", "instrument": "Instrument", "timepoint_weeks": "Week",
    "n": "n", "mean": "Mean used (lower = less pain)", "sd": "SD", "se": "Standard error",
    "mean_as_reported": "Mean as reported", "network_treatment": "Treatment",
    "score": "Change from baseline or final value", "se_basis": "Where the standard error comes from",
    # effects against the reference, ranking, inconsistency
    "comparison": "Comparison", "treatment": "Treatment", "comparator": "Comparator",
    "estimate": "Difference", "ci_low": "Lower 95% limit", "ci_high": "Upper 95% limit",
    "estimate_ci": "Difference [95% CI]",
    "p_score": "P-score", "rank": "Rank", "component": "Component", "q": "Q", "df": "Degrees of freedom",
    "pvalue": "p-value", "tau2": "τ²",
    # node-splitting: each estimate with its interval in one cell
    "k_direct": "Trials (direct)", "direct_ci": "Direct", "indirect_ci": "Indirect",
    "difference_ci": "Direct − indirect", "network_ci": "Network",
    # scorecard
    "criterion": "Criterion", "judgment": "Judgment", "article_words": "Article words",
}
#: Report table columns shown as whole numbers (weeks, counts, ranks).
REPORT_WHOLE_NUMBER_COLUMNS = frozenset({"visit", "timepoint_weeks", "n", "rank", "df", "k_direct"})

#: The direction note of a number for which no better or worse direction applies (a share within one
#: group, a relative change): in readers' words, used by every table, card and figure.
NO_DIRECTION = "direction not applicable"

#: How the report labels a source's web page, by the sources table's ``url_kind``: what the link is.
#: A copy held by a third party says so ("secondary copy"), so provenance stays visible.
SOURCE_LINK_LABELS = {"publisher": "publisher", "pubmed": "PubMed", "pmc": "PMC", "repository": "repository record",
                      "secondary": "secondary copy"}

#: Statistical and evidence words a report may use, defined once for readers (term -> definition).
#: The report shows those its page uses, with the review's own terms (the descriptor's
#: ``review.glossary``), in its "Words and abbreviations" section.
GLOSSARY = {
    "CI": "confidence interval: the range of effects that fit the data (95% CI: at the 95% level); a narrow "
          "interval is a precise estimate, one that includes no difference leaves the direction open",
    "SD": "standard deviation: how widely individual values spread around their average",
    "SEM": "standard error of the mean: how precisely an average is estimated",
    "MD": "mean difference: the difference between two groups' average scores, in the units of the scale",
    "SMD": "standardised mean difference: a difference between groups expressed in standard deviations, so that "
           "trials that used different scales can be pooled",
    "RR": "risk ratio: how many times as often something happened in one group as in the other",
    "MCID": "minimal clinically important difference: the smallest difference between groups that patients "
            "would notice as worthwhile",
    "effect-size convention": "a rule of thumb for the size of a standardised difference, used where no "
                              "clinically important difference is agreed; it is not one",
    "GRADE": "the usual system for rating how certain a body of evidence is (high, moderate, low or very low), "
             "lowered for risk of bias, inconsistency, indirectness, imprecision or publication bias",
    "RCT": "randomised controlled trial: a study in which chance decides who gets which treatment",
    "IPD": "individual patient data: a meta-analysis that re-analyses every participant's data rather than each "
           "trial's summary",
    "meta-analysis": "a statistical pooling of the results of several studies into one estimate",
    "random effects": "a pooling model in which each trial has its own true effect, scattered around an average; "
                      "its interval allows for that scatter",
    "fixed effect": "a pooling model in which every trial estimates one and the same true effect; its interval "
                    "is narrower than a random-effects one when trials differ",
    "FE": "fixed effect (in the design-by-treatment table)",
    "RE": "random effects (in the design-by-treatment table)",
    "IV, Random": "how Review Manager labels inverse-variance random-effects pooling: each trial weighted by the "
                  "precision of its result, allowing for true differences between trials",
    "DerSimonian\u2013Laird": "the usual way of estimating, in a random-effects meta-analysis, how much the true "
                               "effects vary between trials",
    "\u03c4\u00b2": "tau-squared: the estimated variance of the true effects between trials; 0 means the trials "
                      "differ no more than chance would explain",
    "I\u00b2": "the share of the variation between trials' results that is beyond chance, in per cent",
    "prediction interval": "the range in which the true effect of a new trial like these is expected to lie; "
                           "wider than the confidence interval when trials differ",
    "ANCOVA": "analysis of covariance: a comparison of groups' final scores that allows for their scores at the "
              "start",
    "network meta-analysis": "a meta-analysis that compares several treatments at once, joining direct "
                             "comparisons with indirect ones through a shared comparator",
    "node-splitting": "a check in a network meta-analysis: for each pair of treatments, the direct evidence is "
                      "compared with the indirect evidence through other treatments",
    "P-score": "a ranking in a network meta-analysis, from 0 to 1: how certain it is, on average, that a "
               "treatment is better than the others",
    "prior": "in a Bayesian analysis, what is assumed about the effect before the trials are seen; a sceptical "
             "prior expects little or no benefit and an enthusiastic one expects a benefit, so the range of "
             "answers shows how much a conclusion depends on that assumption",
    "Wald interval": "a confidence interval built as the estimate plus or minus 1.96 standard errors (the normal "
                     "distribution); in a random-effects pooling it does not allow for the uncertainty in \u03c4\u00b2",
    "t, k\u22122 df": "how a prediction interval is computed: from the t distribution with k \u2212 2 degrees of "
                        "freedom, k being the number of trials, so that it is wide when there are few trials",
    "UI": "uncertainty interval: a range that plays the part of a confidence interval in modelled estimates",
}


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun in the right number: ``plural(1, "trial")`` -> ``'1 trial'``.

    Parameters
    ----------
    count : int
        How many.
    singular : str
        The noun for one.
    plural_form : str, optional
        The noun for several (default ``singular + "s"``).

    Returns
    -------
    str
        ``'<count> <noun>'``.

    Examples
    --------
    >>> plural(3, "comparison"), plural(1, "degree of freedom", "degrees of freedom")
    ('3 comparisons', '1 degree of freedom')
    """
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"
