"""The heterogeneity-prior tables of Turner et al. (2015) and Rhodes et al. (2015), as data.

Generated from the two secondary sources named below (values parsed from their source files, not
typed); every value agrees between the two.  Neither paper's table could be read on a stored page
(see :mod:`evidence_lib.meta.bayes_priors` for the pages searched), so each record says where it was
read.  Layout: one tuple per outcome type, one (parameter pair) per comparison type, in the column
order of the ``*_COMPARISONS`` tuple.
"""

#: Where the Turner values were read (bayesmeta 3.4, ``meanmat`` and ``sdmat``; its comment cites Table IV).
TURNER_READ_FROM = "https://github.com/cran/bayesmeta/blob/e7eaba2af611b8cace198c31ee107ef7bda58b55/R/bayesmeta.R#L1932-L1944"
#: The independent tabulation they were checked against (rnmamod, ``measure == "OR"`` branch).
TURNER_CHECKED_AGAINST = "https://github.com/LoukiaSpin/rnmamod/blob/f880ba3ab8658a54d54bff16c8026ebc95e95d6d/R/table.tau2.empirical.prior_function.R#L104-L116"
#: Where the Rhodes values were read (bayesmeta 3.4, ``locationmat`` and ``scalemat``; its comment cites Table 3).
RHODES_READ_FROM = "https://github.com/cran/bayesmeta/blob/e7eaba2af611b8cace198c31ee107ef7bda58b55/R/bayesmeta.R#L2046-L2069"
#: The independent tabulation they were checked against (rnmamod, ``area == "other"`` branch).
RHODES_CHECKED_AGAINST = "https://github.com/LoukiaSpin/rnmamod/blob/f880ba3ab8658a54d54bff16c8026ebc95e95d6d/R/table.tau2.empirical.prior_function.R#L329-L341"
#: The general (marginal) settings: bayesmeta https://github.com/cran/bayesmeta/blob/e7eaba2af611b8cace198c31ee107ef7bda58b55/R/bayesmeta.R#L2009-L2010 and #L2145-L2146;
#: rnmamod's "General healthcare setting" row agrees.
TURNER_GENERAL = (-2.56, 1.74)
RHODES_GENERAL = (-3.44, 2.59)

TURNER_COMPARISONS = (
    ("pharma-vs-placebo", "pharmacological vs placebo / control"),
    ("pharma-vs-pharma", "pharmacological vs pharmacological"),
    ("nonpharma-vs-placebo", "non-pharmacological vs placebo / control"),
    ("nonpharma-vs-pharma", "non-pharmacological vs pharmacological"),
    ("nonpharma-vs-nonpharma", "non-pharmacological vs non-pharmacological"),
)
#: (slug, outcome type, ((mean, sd) of log tau^2 per comparison type, in TURNER_COMPARISONS order))
TURNER_TABLE = (
    ("all-cause-mortality", "all-cause mortality",
     ((-3.95, 1.34), (-4.18, 1.41), (-4.17, 1.55), (-2.92, 1.02), (-3.50, 1.26))),
    ("obstetric", "obstetric outcomes",
     ((-3.52, 1.74), (-3.75, 1.79), (-3.74, 1.91), (-2.49, 1.50), (-3.08, 1.68))),
    ("cause-specific-mortality-morbidity", "cause-specific mortality / major morbidity event / composite",
     ((-3.71, 1.74), (-3.95, 1.79), (-3.93, 1.91), (-2.68, 1.51), (-3.27, 1.68))),
    ("resource-use", "resource use / hospital stay / process",
     ((-2.34, 1.74), (-2.58, 1.79), (-2.56, 1.91), (-1.31, 1.50), (-1.90, 1.68))),
    ("surgical-device", "surgical / device related success / failure",
     ((-2.14, 1.74), (-2.37, 1.79), (-2.36, 1.91), (-1.11, 1.50), (-1.69, 1.68))),
    ("withdrawals", "withdrawals / drop-outs",
     ((-2.99, 1.74), (-3.23, 1.79), (-3.21, 1.91), (-1.96, 1.51), (-2.55, 1.68))),
    ("internal-structure", "internal / structure-related outcomes",
     ((-2.71, 1.74), (-2.94, 1.79), (-2.93, 1.92), (-1.67, 1.51), (-2.26, 1.68))),
    ("general-physical-health", "general physical health indicators",
     ((-2.29, 1.53), (-2.53, 1.58), (-2.51, 1.72), (-1.26, 1.25), (-1.85, 1.46))),
    ("adverse-events", "adverse events",
     ((-1.87, 1.52), (-2.10, 1.58), (-2.10, 1.71), (-0.84, 1.24), (-1.43, 1.45))),
    ("infection", "infection / onset of new disease",
     ((-2.49, 1.52), (-2.73, 1.58), (-2.71, 1.71), (-1.46, 1.24), (-2.05, 1.45))),
    ("signs-symptoms", "signs / symptoms reflecting continuation / end of condition",
     ((-2.06, 1.51), (-2.29, 1.58), (-2.28, 1.71), (-1.03, 1.24), (-1.61, 1.45))),
    ("pain", "pain",
     ((-1.83, 1.52), (-2.06, 1.58), (-2.05, 1.71), (-0.80, 1.25), (-1.38, 1.45))),
    ("quality-of-life", "quality of life / functioning (dichotomized)",
     ((-2.54, 1.54), (-2.78, 1.60), (-2.77, 1.73), (-1.51, 1.27), (-2.10, 1.47))),
    ("mental-health", "mental health indicators",
     ((-2.12, 1.53), (-2.35, 1.60), (-2.34, 1.72), (-1.09, 1.27), (-1.67, 1.47))),
    ("biological-markers", "biological markers (dichotomized)",
     ((-1.77, 1.52), (-2.00, 1.58), (-1.99, 1.71), (-0.74, 1.24), (-1.33, 1.45))),
    ("subjective", "subjective outcomes (various)",
     ((-2.70, 1.52), (-2.93, 1.58), (-2.92, 1.71), (-1.67, 1.25), (-2.26, 1.45))),
)

RHODES_COMPARISONS = (
    ("pharma-vs-placebo", "pharmacological vs placebo / control"),
    ("pharma-vs-pharma", "pharmacological vs pharmacological"),
    ("nonpharma-any", "non-pharmacological (any)"),
)
#: (slug, outcome type, ((location, scale) of the t(5) law of log tau^2 per comparison type)), medical
#: areas other than respiratory and cancer.  None marks a cell left out (see RHODES_LEFT_OUT).
RHODES_TABLE = (
    ("obstetric", "obstetric outcome",
     ((-4.13, 2.34), (-4.40, 2.31), (-3.99, 2.11))),
    ("resource-use", "resource use and hospital stay / process",
     ((-2.55, 2.73), (-2.83, 2.70), (-2.41, 2.57))),
    ("internal-external-structure", "internal and external structure-related outcome",
     ((-2.43, 2.50), (-2.70, 2.46), (-2.29, 2.32))),
    ("physical-health-adverse-pain-qol", "general physical health and adverse event and pain and quality of life / functioning",
     ((-3.16, 2.50), (-3.44, 2.44), (-3.02, 2.27))),
    ("signs-symptoms-infection", "signs / symptoms reflecting continuation / end of condition and infection / onset of new acute / chronic disease",
     ((-3.00, 2.50), (-3.27, 2.47), (-2.86, 2.33))),
    ("mental-health", "mental health outcome",
     ((-2.99, 2.16), (-3.27, 2.14), None)),
    ("biological-marker", "biological marker",
     ((-3.41, 2.83), (-3.68, 2.78), (-3.27, 2.66))),
    ("subjective", "various subjectively measured outcomes",
     ((-2.76, 2.58), (-3.03, 2.59), (-2.62, 2.41))),
)
#: Cells not offered, with the reason.
RHODES_LEFT_OUT = {
    ("mental-health", "nonpharma-any"): (
        "both secondary sources show location -3.85, which breaks the additive structure every other "
        "row follows (non-pharmacological = pharmacological vs placebo/control + 0.14); the primary table could "
        "not be read to settle it"),
}
#: Degrees of freedom of the t law of log tau^2 in Rhodes et al. (bayesmeta's RhodesEtAlPrior documentation,
#: https://rdocumentation.org/packages/bayesmeta/versions/3.4/topics/RhodesEtAlPrior, "Details").
RHODES_DF = 5.0
