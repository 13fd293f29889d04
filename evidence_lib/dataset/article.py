"""The article under review: its text, title and heading structure.

Offsets everywhere in the package are Python ``str`` indices into the article text
read as UTF-8 (not byte offsets), so ``text[start:end] == quote``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

#: Top-level headings of the article, in order. A line is a heading when it is one of
#: these; numbered lines ("1. Stimulating the Nervous System") are subheadings.
_SUBHEADING = re.compile(r"^\d+\. [^.]{3,60}$")


@dataclass(frozen=True)
class Heading:
    """A heading line of the article with its character span."""

    text: str
    start: int
    end: int
    level: int  # 1 = section, 2 = numbered subsection


@dataclass(frozen=True)
class Article:
    """The article text and what is known about it.

    Attributes
    ----------
    text : str
        The full text, exactly as received (never edited).
    title : str
        The article's title as published.
    path : str
        Where the text was read from.
    headings : tuple of Heading
        Section and subsection headings, detected from the text's short lines.
    """

    text: str
    title: str
    path: str = ""
    headings: tuple[Heading, ...] = field(default=())

    @classmethod
    def from_file(cls, path: str | Path, title: str) -> "Article":
        """Read the article as UTF-8 without newline translation and find its headings.

        Parameters
        ----------
        path : str or Path
            The article's text file.
        title : str
            The article's title.

        Returns
        -------
        Article
            The text, its headings and its path.

        Raises
        ------
        UnicodeDecodeError
            If the file is not UTF-8.
        """
        raw = Path(path).read_bytes()
        return cls.from_text(raw.decode("utf-8"), title=title, path=str(path))

    @classmethod
    def from_text(cls, text: str, title: str, path: str = "") -> "Article":
        """Build an article from its text and find its headings.

        Parameters
        ----------
        text : str
            The article, exactly as received.
        title : str
            Its title as published.
        path : str, optional
            Where the text was read from.

        Returns
        -------
        Article
        """
        return cls(text=text, title=title, path=path, headings=tuple(find_headings(text)))

    def section_at(self, offset: int) -> str:
        """Return the level-1 heading under which ``offset`` lies ('' before the first).

        Parameters
        ----------
        offset : int
            Character offset into the text.

        Returns
        -------
        str
            The heading's text.
        """
        current = ""
        for h in self.headings:
            if h.start > offset:
                break
            if h.level == 1:
                current = h.text
        return current

    def subsection_at(self, offset: int) -> str:
        """Return the numbered subheading under which ``offset`` lies, if any.

        Parameters
        ----------
        offset : int
            Character offset into the text.

        Returns
        -------
        str
            The subheading's text, or "".
        """
        current = ""
        for h in self.headings:
            if h.start > offset:
                break
            current = h.text if h.level == 2 else ""
        return current

    def context(self, start: int, end: int, width: int = 120) -> tuple[str, str, str]:
        """Return (before, quote, after) with up to ``width`` characters of context each side.

        Parameters
        ----------
        start, end : int
            Character offsets of the quote.
        width : int
            Characters of context on each side.

        Returns
        -------
        tuple of str
            ``(before, quote, after)``.
        """
        before = self.text[max(0, start - width):start]
        after = self.text[end:end + width]
        return before, self.text[start:end], after


def find_headings(text: str) -> list[Heading]:
    """Detect headings: short lines without a closing full stop.

    A line counts as a heading when it is under 70 characters, does not end with ``.``
    or ``:``, and is not a bullet (``- ...``). Numbered lines such as
    ``"2. Reducing Inflammation"`` are level 2; the others level 1.

    Parameters
    ----------
    text : str
        The article's plain text.

    Returns
    -------
    list of Heading
        The headings in reading order, each with its text, start and end character
        offsets in ``text`` and level (1 or 2).

    Examples
    --------
    >>> [h.level for h in find_headings("Back pain\\n2. Heat\\nIt helps.\\n")]
    [1, 2]
    """
    headings = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        start, end = pos, pos + len(stripped)
        pos += len(line)
        if not stripped or len(stripped) >= 70 or stripped.startswith("- "):
            continue
        if stripped.endswith((".", ":", ",")):
            continue
        level = 2 if _SUBHEADING.match(stripped) else 1
        headings.append(Heading(stripped, start, end, level))
    return headings
