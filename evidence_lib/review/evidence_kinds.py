"""The kind of evidence a row gives, by its subjects and design: one rule for the checks and the map.

The claim checks (:mod:`evidence_lib.review.checks`, "subjects") flag animal and
healthy-volunteer evidence behind a claim about patients; the evidence map
(:func:`evidence_lib.review.views.claim_evidence_kinds`) puts each claim in the rows of
the kinds of evidence it rests on. Both classify a row with :func:`evidence_kind`, so a
claim the checks flag for animal evidence shows in the map's "Animals" row.
"""

from __future__ import annotations

NONHUMAN_DESIGNS = frozenset({"animal"})
HEALTHY_DESIGNS = frozenset({"healthy_volunteer"})
#: Subjects counted as back pain for the map (back-and-neck samples included: mostly back pain).
BACK_PAIN_SUBJECTS = frozenset({"chronic low back pain", "acute low back pain", "low back pain", "back and neck pain"})
#: Designs that are randomised trials or syntheses of them.
TRIAL_DESIGNS = frozenset({"rct", "meta_analysis", "ipd_meta_analysis", "systematic_review", "cochrane_review"})

#: Kinds, strongest first; "none": a claim with no evidence row.
EVIDENCE_KINDS = ("back_pain_trials", "back_pain_other", "other_patients", "healthy_volunteers", "animals", "none")
EVIDENCE_KIND_LABELS = {
    "back_pain_trials": "Back pain: RCTs,\nmeta-analyses",
    "back_pain_other": "Back pain:\nother designs",
    "other_patients": "Other patients\nor people",
    "healthy_volunteers": "Healthy\nvolunteers",
    "animals": "Animals",
    "none": "No evidence\nrow linked",
}
EVIDENCE_KIND_TEXT = {
    "back_pain_trials": "back-pain trials or meta-analyses", "back_pain_other": "other back-pain studies",
    "other_patients": "other patients or people", "healthy_volunteers": "healthy volunteers",
    "animals": "animals", "none": "no evidence row linked"}


def is_animal(design, subjects) -> bool:
    """True for evidence from animals (design ``animal`` or subjects ``animals``)."""
    return design in NONHUMAN_DESIGNS or subjects == "animals"


def is_healthy_volunteer(design, subjects) -> bool:
    """True for evidence from healthy volunteers (design ``healthy_volunteer`` or those subjects)."""
    return design in HEALTHY_DESIGNS or subjects == "healthy volunteers"


def evidence_kind(design, subjects) -> str:
    """The kind of evidence of one row (one of :data:`EVIDENCE_KINDS` except ``none``).

    Parameters
    ----------
    design : str or None
        ``sources.design``.
    subjects : str or None
        The row's subjects (``sources.subjects``, or ``findings.subjects`` for a finding).

    Returns
    -------
    str

    Examples
    --------
    >>> evidence_kind("animal", "rats")
    'animals'
    >>> evidence_kind("rct", "chronic low back pain")
    'back_pain_trials'
    """
    if is_animal(design, subjects):
        return "animals"
    if is_healthy_volunteer(design, subjects):
        return "healthy_volunteers"
    if subjects in BACK_PAIN_SUBJECTS:
        return "back_pain_trials" if design in TRIAL_DESIGNS else "back_pain_other"
    return "other_patients"
