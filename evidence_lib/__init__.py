"""evidence_lib: a health article's claims beside what the studies behind them found.

>>> import evidence_lib as ev
>>> ds = ev.load()          # the bundled data package, validated   # doctest: +SKIP

Importing the package is light: pandas, numpy and matplotlib are imported only when a
function that needs them is called (attributes below are resolved lazily).
"""

from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "load": ("evidence_lib.dataset.loader", "load"),
    "Dataset": ("evidence_lib.dataset.loader", "Dataset"),
    "default_data_path": ("evidence_lib.dataset.loader", "default_data_path"),
    "DataValidationError": ("evidence_lib.errors", "DataValidationError"),
    "Problem": ("evidence_lib.errors", "Problem"),
    "term_for_weeks": ("evidence_lib.terms", "term_for_weeks"),
    "check": ("evidence_lib.review.checks", "check"),
    "check_all": ("evidence_lib.review.checks", "check_all"),
    "format_checks": ("evidence_lib.output.text", "format_checks"),
    "suggest_grade": ("evidence_lib.review.grading", "suggest_grade"),
    "coherence": ("evidence_lib.review.grading", "coherence"),
    "summary_of_findings": ("evidence_lib.review.sof", "summary_of_findings"),
    "network_meta": ("evidence_lib.meta.network", "network_meta"),
    "bayes_meta": ("evidence_lib.meta.bayes", "bayes_meta"),
    "tau2_prior_preset": ("evidence_lib.meta.bayes_priors", "tau2_prior_preset"),
    "heterogeneity_presets": ("evidence_lib.meta.bayes_priors", "heterogeneity_presets"),
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'evidence_lib' has no attribute {name!r}")


def __dir__():
    return __all__
