"""The review's own words, read from the descriptor's ``review`` block.

Library code holds no intervention, condition or comparator name: every word a reader sees
for them comes from here (and so from ``datapackage.json``). This module imports nothing
of the package but the base layer, so every review module may use it.
"""

from __future__ import annotations

import re

from evidence_lib._values import is_missing

__all__ = ["review_labels", "comparator_label", "arm_label", "versus_labels", "condition_subjects", "finding_topic",
           "readers_words"]


def review_labels(ds) -> dict:
    """The review's own words from the descriptor: intervention, condition, comparator names.

    Parameters
    ----------
    ds : Dataset
        A loaded data package; its descriptor's ``review`` block is read.

    Returns
    -------
    dict
        ``intervention``, ``intervention_label``, ``condition``, ``condition_label`` (a short
        capitalised name, default the condition capitalised), ``comparators`` (comparator code ->
        name; codes without a name fall back to the code with underscores as spaces),
        ``comparators_short`` (short names for tables, default the names),
        ``populations`` (the claim checks' population groups, see
        :func:`evidence_lib.review.checks.population_fit`) and ``adverse_event_labels``
        (event code -> words, for the review's own event codes), ``finding_topics`` (a
        findings ``topic`` code -> words; see :func:`finding_topic`), ``reader_terms``
        (trial jargon in the sources' wording -> readers' words; see :func:`readers_words`),
        ``glossary`` (the review's abbreviations and jargon -> a definition for readers),
        ``article_sic`` (article phrases with ``[sic]`` after the article's own slips)
        and ``protocol_labels`` (a ``protocol_id`` -> words telling apart the plans of a
        source with several plans).
    """
    meta = ds.descriptor.get("review", {}) or {}
    condition = meta.get("condition", "")
    return {"intervention": meta.get("intervention", "the intervention"),
            "intervention_label": meta.get("intervention_label", meta.get("intervention", "The intervention")),
            "condition": condition,
            "condition_label": meta.get("condition_label", condition[:1].upper() + condition[1:]),
            "comparators": dict(meta.get("comparators", {})),
            "comparators_short": {**dict(meta.get("comparators", {})), **dict(meta.get("comparators_short", {}))},
            "populations": dict(meta.get("populations", {})),
            "adverse_event_labels": dict(meta.get("adverse_event_labels", {})),
            "finding_topics": dict(meta.get("finding_topics", {})),
            "reader_terms": dict(meta.get("reader_terms", {})),
            "glossary": dict(meta.get("glossary", {})),
            "article_sic": tuple(meta.get("article_sic", ())),
            "protocol_labels": dict(meta.get("protocol_labels", {}))}


def readers_words(text, terms: dict) -> str:
    """Text kept in a source's own wording (an arm's name, a comparison), in readers' words.

    The data keep what a paper printed ("verum acupuncture"); readers see the review's plain
    words for its jargon ("acupuncture"), from the descriptor's ``review.reader_terms``. This
    is the one place where that replacement is made.

    Parameters
    ----------
    text : str or None
        The recorded text (a missing value gives ``''``).
    terms : dict
        ``review_labels(ds)["reader_terms"]``: jargon -> words. Whole words only, longest
        term first, case-insensitive; a term written with a capital at the start of a
        sentence is replaced by the words with a capital.

    Returns
    -------
    str

    Examples
    --------
    >>> readers_words("verum acupuncture vs sham acupuncture", {"verum acupuncture": "acupuncture"})
    'acupuncture vs sham acupuncture'
    """
    if is_missing(text):
        return ""
    text = str(text)
    if not terms:
        return text
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
                         + r")(?![\w-])", flags=re.IGNORECASE)
    lower = {t.lower(): w for t, w in terms.items()}

    def swap(m):
        words = lower[m.group(0).lower()]
        return words[:1].upper() + words[1:] if m.group(0)[:1].isupper() else words

    return pattern.sub(swap, text)


def comparison_arms(comparison, *, intervention: str, terms: dict) -> tuple[str, str | None]:
    """The two arms a row's ``comparison`` names, first and second, in readers' words.

    A row's estimate is the first-named arm against the second ("sham acupuncture vs
    conventional therapy"), so the words saying which way is better must name that first
    arm, which is not always the reviewed intervention.

    Parameters
    ----------
    comparison : str or None
        The row's ``comparison`` as recorded ("verum acupuncture vs conventional therapy
        (drugs, physiotherapy, exercise)").
    intervention : str
        The reviewed intervention's name, used when the text names no two arms.
    terms : dict
        ``review_labels(ds)["reader_terms"]`` (:func:`readers_words`).

    Returns
    -------
    (str, str or None)
        The first and second arm, remarks in brackets left out; ``(intervention, None)``
        when the text does not read "A vs B".

    Examples
    --------
    >>> comparison_arms("verum acupuncture vs conventional therapy (drugs, exercise)",
    ...                 intervention="acupuncture", terms={"verum acupuncture": "acupuncture"})
    ('acupuncture', 'conventional therapy')
    >>> comparison_arms("sham acupuncture vs conventional therapy", intervention="acupuncture", terms={})
    ('sham acupuncture', 'conventional therapy')
    """
    text = re.sub(r"\s*\([^()]*\)", "", readers_words(comparison, terms)).strip()
    first, sep, second = text.partition(" vs ")
    if not sep or not first.strip() or not second.strip() or ":" in text:
        return intervention, None
    return first.strip(), second.strip()


def finding_topic(topic, topics: dict) -> str:
    """A findings ``topic`` as readers see it (from the descriptor's ``review.finding_topics``).

    Parameters
    ----------
    topic : str
        The ``findings.topic`` value: a code (``mechanism_blood_flow``) or already words.
    topics : dict
        ``review_labels(ds)["finding_topics"]``: code -> words.

    Returns
    -------
    str
        The review's words for the code; otherwise the value with spaces for underscores
        and its first letter capitalised (``''`` for an empty topic).
    """
    text = topics.get(topic) or str(topic or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def comparator_label(ds, code: str) -> str:
    """A comparator code as readers see it (from the descriptor's ``review.comparators``).

    Parameters
    ----------
    ds : Dataset
    code : str
        A comparator class code (``sham``, ``usual_care``, ...).

    Returns
    -------
    str
        The review's name for it; a code the descriptor does not name, with spaces for underscores.
    """
    return review_labels(ds)["comparators"].get(code, str(code).replace("_", " "))


def arm_label(ds, code: str) -> str:
    """An arm code as readers see it: the intervention's name for ``intervention``, else the comparator's name.

    Parameters
    ----------
    ds : Dataset
    code : str
        An ``arms.arm`` / ``protocols.arm`` code (:data:`evidence_lib.vocab.ARMS`).

    Returns
    -------
    str
    """
    if code == "intervention":
        return review_labels(ds)["intervention"]
    return comparator_label(ds, code)


def versus_labels(ds) -> dict:
    """Comparator code -> "vs <short name>" for tables ("none" -> "single arm").

    Parameters
    ----------
    ds : Dataset

    Returns
    -------
    dict
        One entry per comparator code of the descriptor's ``review.comparators`` /
        ``comparators_short``, plus ``none``.
    """
    short = review_labels(ds)["comparators_short"]
    return {**{code: f"vs {name}" for code, name in short.items()}, "none": "single arm"}


def condition_subjects(ds) -> frozenset:
    """The subjects counted as the reviewed condition: the condition, its subtypes and near samples.

    Parameters
    ----------
    ds : Dataset
        Its descriptor's ``review.condition`` and ``review.populations`` (``subtypes``, ``near``).

    Returns
    -------
    frozenset of str
    """
    lab = review_labels(ds)
    pops = lab["populations"]
    return frozenset({lab["condition"]} | set(pops.get("subtypes", ())) | set(pops.get("near", ()))) - {""}
