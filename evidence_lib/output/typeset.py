"""The report's typography, applied as its text is written into the page (never to the data).

- A range of numbers takes an en dash: "0-100" -> "0–100", "4-12 sessions" -> "4–12 sessions";
  dates ("2026-11-25"), identifiers and links are left alone.
- "At least" and "at most" take their signs: ">=33%" -> "≥33%".
- Words quoted from the article are shown exactly as written (:class:`Verbatim`), and the
  article's own slips that the review lists (the descriptor's ``review.article_sic``) are
  marked "[sic]" where they occur (:func:`mark_sic`).
"""

from __future__ import annotations

import re

__all__ = ["Verbatim", "typeset", "mark_sic"]

#: A range of two plain numbers joined by a hyphen, not part of a date, code or longer chain.
_RANGE = re.compile(r"(?<![\w.\-/:\u2212])(\d+(?:[.,]\d+)?%?)-(\d+(?:[.,]\d+)?)(?![\w\-/]|\.\d)")
_AT_LEAST = re.compile(r">=(?=\s?\d)")
_AT_MOST = re.compile(r"<=(?=\s?\d)")
#: Text that is an address, not prose: left exactly as it is.
_ADDRESS = re.compile(r"^(?:https?:|doi:|mailto:|#|/|\.\.?/)|^\S*/\S*$")


class Verbatim(str):
    """Text quoted exactly as written (the article's words): :func:`typeset` leaves it alone."""

    __slots__ = ()


def typeset(value):
    """The report's typography for one value written into the page.

    Parameters
    ----------
    value : object
        Anything a template writes. Only plain ``str`` is changed: a :class:`Verbatim`
        quotation, markup (``markupsafe.Markup``, e.g. the figures' SVG and the JSON-LD),
        an address (URL, DOI, fragment) and non-text values are returned as they are.

    Returns
    -------
    object
        The value, with en dashes in number ranges and ``≥``/``≤`` for ``>=``/``<=``.

    Examples
    --------
    >>> typeset("VAS 0-100; responder: >=33%; reviewed 2026-11-25")
    'VAS 0–100; responder: ≥33%; reviewed 2026-11-25'
    """
    if type(value) is not str or _ADDRESS.match(value):
        return value
    text = _RANGE.sub("\\1\u2013\\2", value)
    return _AT_MOST.sub("\u2264", _AT_LEAST.sub("\u2265", text))


def mark_sic(text: str, sic: list[str] | tuple[str, ...]) -> Verbatim:
    """The article's words as written, with its listed slips marked "[sic]".

    Parameters
    ----------
    text : str
        Words quoted from the article.
    sic : sequence of str
        The descriptor's ``review.article_sic``: each entry is a phrase of the article with
        ``[sic]`` written after the slip ("regular it [sic] sessions"). Wherever the phrase
        without the mark occurs in ``text``, the mark is inserted.

    Returns
    -------
    Verbatim
        The text with the marks, exempt from :func:`typeset`.

    Raises
    ------
    ValueError
        If an entry carries no ``[sic]`` mark.

    Examples
    --------
    >>> str(mark_sic("through regular it sessions.", ["regular it [sic] sessions"]))
    'through regular it [sic] sessions.'
    """
    for entry in sic:
        if "[sic]" not in entry:
            raise ValueError(f"mark_sic: each entry of sic must contain '[sic]' after the slip, got {entry!r}; "
                             "write e.g. 'regular it [sic] sessions'")
        plain = re.sub(r"\s*\[sic\]", "", entry)
        text = re.sub(rf"(?<!\w){re.escape(plain)}(?!\w)", lambda m, e=entry: e, text)
    return Verbatim(text)
