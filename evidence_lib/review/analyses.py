"""The analyses the package computes, which a claim can rest on like a row of a table.

A ``claim_evidence.csv`` row with ``table`` = ``analyses`` names one of
:data:`evidence_lib.vocab.ANALYSES` in ``row_id`` (the loader rejects any other id). For the
claim checks and the evidence map such a link is one evidence row whose design, subjects,
outcome and term are those of the analysis: :func:`analysis_basis` says what they are.
"""

from __future__ import annotations

from evidence_lib.vocab import ANALYSES, ANALYSIS_LABELS

__all__ = ["analysis_basis", "ANALYSES", "ANALYSIS_LABELS"]


def analysis_basis(ds, analysis_id: str) -> dict | None:
    """What an analysis rests on, as the fields of one evidence row.

    Parameters
    ----------
    ds : evidence_lib.dataset.loader.Dataset
        The loaded data package.
    analysis_id : str
        One of :data:`evidence_lib.vocab.ANALYSES`.

    Returns
    -------
    dict or None
        ``design`` (``"meta_analysis"``: a synthesis of randomised trials), ``subjects``
        (:func:`evidence_lib.review.network.pain_network_basis`), ``outcome``, ``term``,
        ``measure``, ``description`` (the analysis's title), ``studies`` (the trials it
        combines, as readers' labels), ``comparators`` (the comparator classes its trials
        compare with); None when no trial of the data enters the analysis
        (the link then stands for nothing, like a link to a missing row).

    Raises
    ------
    ValueError
        If ``analysis_id`` is not one of :data:`evidence_lib.vocab.ANALYSES` (the fix:
        use one of them; the loader already rejects other ids in ``claim_evidence.csv``).
    """
    if analysis_id not in ANALYSES:
        raise ValueError(f"analysis_id: unknown analysis {analysis_id!r}; the package computes "
                         f"{', '.join(ANALYSES)}. Use one of these")
    from evidence_lib.review.network import pain_network_basis

    basis = pain_network_basis(ds)
    if basis is None:
        return None
    return dict(basis, description=ANALYSIS_LABELS[analysis_id])
