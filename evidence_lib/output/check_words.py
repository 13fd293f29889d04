"""The automated claim checks in readers' words: caveats for readers, notes for reviewers.

:func:`evidence_lib.review.checks.check` writes one finding per check as a kind, a severity
and a terse message for reviewers ("population: a claim about low back pain; the evidence is
in mixed chronic pain"). The claim card shows none of those codes. It shows warnings and
mismatches as plain caveat sentences ("The claim is about low back pain, but the studies are
in mixed chronic pain."), and so the informational findings readers need (nothing could test
the claim; no study was found). The other informational findings are process notes for
reviewers: :func:`card_checks` returns them, but the page does not show them (reviewers see
them with ``evidence check``). Checks that passed are left out. The checks themselves are unchanged: only
their wording for the page is made here, once.
"""

from __future__ import annotations

import re

from evidence_lib.vocab import OUTCOME_LABELS

__all__ = ["READER_SEVERITIES", "NOTE_SEVERITIES", "READER_INFO_KINDS", "HIDDEN_SEVERITIES", "INDIRECT_POPULATION",
           "reader_sentence", "sentence_rule", "card_checks"]

#: Severities shown to every reader as a caveat sentence; ``error`` is a checker that failed to run,
#: which stays visible (a silent failure would read as "no caveats").
READER_SEVERITIES = ("warning", "mismatch", "fail", "failed", "error")
#: Severities kept as reviewers' notes (not shown on the page; ``evidence check`` prints them); a finding
#: with no severity (another checker's bare text) is shown, as nothing says it is only a process note.
NOTE_SEVERITIES = ("info",)
#: Kinds whose informational findings readers need (why nothing was checked; that no study was found):
#: shown as caveats like warnings, not kept with the reviewers' notes.
READER_INFO_KINDS = ("frame", "evidence")
#: Severities not shown at all: the check passed.
HIDDEN_SEVERITIES = ("ok", "pass", "passed")

#: Words for a time horizon code in a sentence ("The claim is about the short term").
_HORIZON = {"immediate": "the time just after treatment", "short": "the short term",
            "intermediate": "the intermediate term", "long": "the long term"}
#: What results in a population other than the claim's are worth to it, said once for every caveat that names one.
INDIRECT_POPULATION = "a different population from the one the claim names, so they speak to it only indirectly"
#: Words for the kinds of subjects that do not fit a claim about patients.
_SUBJECTS = {"animal": "animals", "animal or healthy-volunteer": "animals or healthy volunteers"}


def _horizons(text: str) -> str:
    parts = [p.strip() for p in re.split(r",| and ", text) if p.strip()]
    return " and ".join(_HORIZON.get(p, p) for p in parts)


def _outcomes(text: str) -> str:
    """The claim's outcomes in a sentence: the catch-all code's label becomes what it means here."""
    return text.replace(OUTCOME_LABELS["other"], "an outcome that no result shown measures")


def _listed(text: str) -> str:
    """'a, b, c' -> 'a, b and c' (the checker lists groups with commas)."""
    parts = [p.strip() for p in text.split(", ")]
    return text if len(parts) < 2 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _who(text: str) -> str:
    """A population as a sentence names it: 'general population' -> 'the general population'."""
    return "the " + text if text.endswith("population") and not text.startswith("the ") else text


def _drop_threshold(detail: str) -> str:
    """'the estimate (8.0) is smaller than the threshold; ...' -> 'the estimate (8.0) is smaller; ...'."""
    return re.sub(r" than the threshold\b", "", detail)


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


#: (kind, pattern over the message, sentence builder). The first rule whose kind and pattern
#: match writes the sentence; a message no rule knows falls back to itself as a sentence.
_RULES = (
    ("subjects", r"part of the evidence for a claim about (?P<who>.+) is (?P<what>.+) evidence",
     lambda m: f"Part of this evidence comes from studies in {_SUBJECTS.get(m['what'], m['what'])}, "
               f"not in {m['who']}"),
    ("subjects", r"a claim about (?P<who>.+) resting only on (?P<what>.+) evidence",
     lambda m: f"All of this evidence comes from studies in {_SUBJECTS.get(m['what'], m['what'])}; "
               f"none was in {m['who']}"),
    ("subjects", r"the evidence comes from human studies fitting (?P<who>.+)",
     lambda m: f"The evidence comes from studies in {m['who']}"),
    ("population", r"a claim about (?P<claim>.+), with evidence in (?P<ev>.+)",
     lambda m: f"The studies are in {_who(m['ev'])}, as the claim is"),
    ("population", r"a claim about (?P<claim>.+); the evidence is in (?P<ev>.+?); (?P<some>some )?other results "
                   r"shown are in (?P<also>.+)",
     lambda m: f"The claim is about {_who(m['claim'])}, but the results it rests on are in {_listed(m['ev'])}: "
               f"{INDIRECT_POPULATION}. {'Some' if m['some'] else 'The'} other results shown are in "
               f"{_who(m['also'])}, but the claim does not rest on them"),
    ("population", r"a claim about (?P<claim>.+); the evidence is in (?P<ev>.+?)(?: - no study of (?P<none>.+))?",
     lambda m: f"The claim is about {_who(m['claim'])}, but the studies are in {_listed(m['ev'])}"
               + (f"; none studied {m['none']}" if m["none"] else "")),
    ("comparator", r"the claim compares with (?P<want>.+), but no linked row records a comparator",
     lambda m: f"The claim compares with {m['want']}, but the studies shown do not record what they compared with"),
    ("comparator", r"the claim compares with .+",
     lambda m: m.group(0)),
    ("time_horizon", r"a (?P<h>\w+)-term claim; no linked row has a timepoint, so the horizon cannot be checked",
     lambda m: f"The studies shown do not say when the effect was measured, so whether they cover "
               f"{_HORIZON.get(m['h'], m['h'])}, as the claim does, cannot be checked"),
    ("time_horizon", r"an? (?P<h>\w+)-term claim; the horizon was not checked: the results it rests on give no "
                     r"timepoint in weeks(?: \(other results shown are (?P<t>.+)-term\))?",
     lambda m: f"Whether these results cover {_HORIZON.get(m['h'], m['h'])}, as the claim does, was not checked "
               f"automatically: the results the claim rests on give their timing in words, if at all, not in weeks"
               + (f" (other results shown cover {_horizons(m['t'])})" if m["t"] else "")),
    ("time_horizon", r"(?P<h>\w+)-term claim; the evidence is at later timepoints only \((?P<t>.+)\)",
     lambda m: f"The claim is about {_HORIZON.get(m['h'], m['h'])}; the evidence covers only later times "
               f"({_horizons(m['t'])})"),
    ("time_horizon", r"(?P<h>\w+)-term claim resting on (?P<t>.+)-term effects only",
     lambda m: f"The claim is about {_HORIZON.get(m['h'], m['h'])}, but the evidence covers only "
               f"{_horizons(m['t'])}"),
    ("time_horizon", r"(?P<h>\w+)-term claim with (?P=h)-term evidence",
     lambda m: f"The evidence covers {_HORIZON.get(m['h'], m['h'])}, as the claim does"),
    ("outcome", r"a mechanism claim resting only on clinical effects; (?P<why>.+)",
     lambda m: f"The claim is about how the treatment works, but the evidence shows only its clinical effects; "
               f"{m['why']}"),
    ("outcome", r"a claim also about (?P<want>.+); no linked row measures it \(the rows are on (?P<got>.+)\)",
     lambda m: f"The claim also covers {m['want']}; no result shown measures it"),
    ("outcome", r"a claim about (?P<want>.+); the rows are on (?P<got>.+)",
     lambda m: f"The claim is about {_outcomes(m['want'])}, but the results shown are on {_listed(m['got'])}"),
    ("clinical_relevance", r"statistically significant but smaller than the clinical threshold: (?P<d>.+), "
                           r"against the (?P<thr>.+)",
     lambda m: f"The difference is statistically clear but small against the {m['thr']}: {_drop_threshold(m['d'])}"),
    ("clinical_relevance", r"possibly important: (?P<d>.+), against the (?P<thr>.+)",
     lambda m: f"The difference may or may not matter to patients, judged against the {m['thr']}: "
               f"{_drop_threshold(m['d'])}"),
    ("clinical_relevance", r"clinically important: (?P<d>.+), against the (?P<thr>.+)",
     lambda m: f"The difference is large enough to matter, judged against the {m['thr']}: {_drop_threshold(m['d'])}"),
    ("clinical_relevance", r"relevance not judged: no direction of benefit is recorded.*",
     lambda m: "Whether the difference matters to patients is not judged: the source does not say which "
               "direction is better"),
    ("clinical_relevance", r"relevance not judged: no agreed clinical threshold for \S+ on (?P<scale>.+)",
     lambda m: f"Whether the difference matters to patients is not judged: there is no agreed threshold for "
               f"this measure, {m['scale']}"),
    ("clinical_relevance", r"relevance not judged: (?P<d>.+)",
     lambda m: f"Whether the difference matters to patients is not judged: {m['d']}"),
    ("clinical_relevance", r"a claim of comparability: the CI lies within the threshold either way \(equivalent\)",
     lambda m: "The confidence interval lies within the clinical threshold either way: the treatments are "
               "equivalent on this measure"),
    ("clinical_relevance", r"a claim of comparability, but the control did significantly better",
     lambda m: "The claim says the treatments are comparable, but the comparison treatment did significantly "
               "better"),
    ("clinical_relevance", r"a claim of comparability resting on a non-significant difference.*",
     lambda m: "The claim says the treatments are comparable, but finding no significant difference is not the "
               "same as finding them equal: the confidence interval does not rule out an important difference"),
    ("clinical_relevance", r"a claim of comparability; the intervention did significantly better in the results "
                           r"shown \(at least as effective\)",
     lambda m: "The claim says the treatments are comparable; in the results shown the treatment it is about did "
               "significantly better, so it is at least as effective"),
    ("clinical_relevance", r"a claimed benefit \(\w+\) with no significant effect in its favour: (?P<d>.+)",
     lambda m: f"The claim asserts a benefit, but no result shows a significant effect in its favour: {m['d']}"),
    ("frame", r"not checkable: (?P<why>.+)",
     lambda m: f"Nothing could test this claim: {m['why'][:1].lower() + m['why'][1:]}"),
    ("frame", r"no claim frame \(what the claim asserts\) is recorded",
     lambda m: "What the claim asserts has not yet been set out for checking"),
    ("evidence", r"no study result is linked to this claim",
     lambda m: "We found no study that measured this"),
)


def sentence_rule(kind: str, message: str) -> int | None:
    """The index of the rule in this module that words a check finding, or None if none does.

    Parameters
    ----------
    kind : str
        The finding's kind (:data:`evidence_lib.review.checks.KINDS`).
    message : str
        The finding's message, as the checker wrote it.

    Returns
    -------
    int or None
        None means :func:`reader_sentence` falls back to the message itself.
    """
    for i, (k, pattern, _) in enumerate(_RULES):
        if k == kind and re.fullmatch(pattern, message.strip(), flags=re.S):
            return i
    return None


def reader_sentence(kind: str, message: str) -> str:
    """One check finding as a plain sentence for readers: no kind code, no severity word.

    Parameters
    ----------
    kind : str
        The finding's kind (``population``, ``clinical_relevance``, ...); ``''`` if unknown.
    message : str
        The finding's message, as the checker wrote it.

    Returns
    -------
    str
        A sentence starting with a capital and ending with a full stop. A message no rule
        knows is returned as it is, made into a sentence.

    Examples
    --------
    >>> reader_sentence("outcome", "a claim about pain; the rows are on function")
    'The claim is about pain, but the results shown are on function.'
    """
    i = sentence_rule(kind, message)
    if i is None:
        return _sentence(message)
    _, pattern, words = _RULES[i]
    return _sentence(words(re.fullmatch(pattern, message.strip(), flags=re.S)))


def card_checks(findings: list[dict]) -> dict:
    """A claim card's checks split for the page: caveats for readers, notes for reviewers.

    Parameters
    ----------
    findings : list of dict
        ``{"status", "kind", "message"}`` per finding (see
        :func:`evidence_lib.output.cards.check_findings`).

    Returns
    -------
    dict
        ``caveats`` (sentences of :data:`READER_SEVERITIES` findings, of any severity not
        known here, and of informational findings of :data:`READER_INFO_KINDS`), ``notes``
        (sentences of the other :data:`NOTE_SEVERITIES` findings: process notes for reviewers,
        which the report page does not show; reviewers read them with ``evidence check``) and
        ``hidden`` (the number of passed checks left out). A sentence repeated by several
        frames of one claim is shown once.
    """
    caveats, notes, hidden = [], [], 0
    for f in findings:
        status = (f.get("status") or "").lower()
        if status in HIDDEN_SEVERITIES:
            hidden += 1
            continue
        text = reader_sentence(f.get("kind", ""), f.get("message", ""))
        for_readers = status not in NOTE_SEVERITIES or f.get("kind", "") in READER_INFO_KINDS
        target = caveats if for_readers else notes
        if text not in target:
            target.append(text)
    return {"caveats": caveats, "notes": notes, "hidden": hidden}
