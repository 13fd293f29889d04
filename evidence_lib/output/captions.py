"""How a figure sits in the page: a short caption with its notes folded away, and a width below
which the figure scrolls sideways instead of shrinking its text out of reach.

A figure's description (its registry ``describe``) is written for screen readers and runs to
many sentences; the caption shows its first sentences and keeps the rest in a collapsed
"Notes" block. A wide figure (a forest plot with its columns) scaled into a phone's column
would print its words at two or three pixels; instead the page never draws a figure so small
that its smallest text falls below :data:`MIN_TEXT_PX` and lets the figure's box scroll.
"""

from __future__ import annotations

import math
import re

__all__ = ["MIN_TEXT_PX", "COLUMN_PX", "caption_parts", "smallest_font_pt", "natural_width_px", "min_width_px"]

#: The smallest text a figure may show in the page, in CSS pixels (about 5.3 pt).
MIN_TEXT_PX = 7.0
#: The width of the page's figure column in CSS pixels (``.figure svg { max-width: 48rem }``).
COLUMN_PX = 768
#: CSS pixels per point (96 px per inch, 72 pt per inch).
_PX_PER_PT = 96 / 72
#: Words ending in a full stop that do not end a sentence.
_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "et al.", "approx.", "cf.", "Fig.", "No.")
#: A lone capital letter and full stop (a panel label "A." or an initial) begins what follows; it ends
#: no sentence.
_PANEL_LABEL = re.compile(r"(?:^|\s)[A-Z]\.$")


def caption_parts(text: str, *, sentences: int = 2) -> tuple[str, str]:
    """A figure description split into a short caption and the notes that follow it.

    Parameters
    ----------
    text : str
        The figure's description.
    sentences : int, optional
        How many sentences the caption keeps (at least 1).

    Returns
    -------
    (str, str)
        The first ``sentences`` sentences, and the rest (``''`` when there is no rest).
        A sentence ends at ``.``, ``!`` or ``?`` followed by a space and a capital letter,
        a digit or an opening bracket, except after the abbreviations in ``_ABBREVIATIONS``
        and after a lone capital letter (a panel label such as ``"A."``, which opens the
        notes rather than ending the caption): the caption stops before the first panel
        label that follows its first sentence.

    Raises
    ------
    ValueError
        If ``sentences`` is below 1.
    """
    if sentences < 1:
        raise ValueError(f"caption_parts: sentences must be at least 1, got {sentences}; pass 1 or more")
    text = " ".join(text.split())
    cuts = [m.end() for m in re.finditer(r"[.!?](?=\s+[A-Z0-9(\u2212])", text)
            if not text[:m.end()].endswith(_ABBREVIATIONS) and not _PANEL_LABEL.search(text[:m.end()])]
    # a panel's notes ("A. Events ...") after the first sentence start the notes, whatever the count
    panels = [m.start(1) for m in re.finditer(r"(?<=[.!?]\s)([A-Z])\.\s", text) if cuts and m.start(1) > cuts[0]]
    if panels and (len(cuts) < sentences or panels[0] < cuts[sentences - 1]):
        cut = panels[0]
    elif len(cuts) < sentences:
        return text, ""
    else:
        cut = cuts[sentences - 1]
    return text[:cut].strip(), text[cut:].strip()


def smallest_font_pt(svg: str) -> float | None:
    """The smallest font size drawn in a matplotlib SVG whose text is glyph paths.

    Parameters
    ----------
    svg : str
        SVG written by matplotlib with ``svg.fonttype: path``: each text is a group scaled by
        ``fontsize / 100`` (``transform="... scale(0.09 -0.09)"``).

    Returns
    -------
    float or None
        The smallest font size in points, or None if the SVG draws no text that way.
    """
    sizes = [float(s) * 100 for s in re.findall(r"scale\(([0-9.]+) -[0-9.]+\)", svg)]
    sizes = [s for s in sizes if s > 0]
    return min(sizes) if sizes else None


def natural_width_px(svg_open: str) -> float | None:
    """A figure's width at its drawn size, in CSS pixels, from its ``viewBox`` (in points).

    Parameters
    ----------
    svg_open : str
        The SVG's opening tag.

    Returns
    -------
    float or None
        None if the tag has no ``viewBox``.
    """
    m = re.search(r'viewBox="[-0-9.]+\s+[-0-9.]+\s+([0-9.]+)\s+[0-9.]+"', svg_open)
    return float(m.group(1)) * _PX_PER_PT if m else None


def min_width_px(svg_open: str, svg_body: str, *, min_text_px: float = MIN_TEXT_PX) -> int | None:
    """The narrowest a figure may be drawn so that its smallest text is at least ``min_text_px``.

    Parameters
    ----------
    svg_open, svg_body : str
        The SVG's opening tag and the rest of it.
    min_text_px : float, optional
        The smallest text allowed, in CSS pixels.

    Returns
    -------
    int or None
        Pixels, never more than the figure's natural width (a figure is not enlarged for
        this); None when the SVG gives no width or draws no text.
    """
    width, font = natural_width_px(svg_open), smallest_font_pt(svg_body)
    if width is None or font is None:
        return None
    scale = min(1.0, min_text_px / (font * _PX_PER_PT))
    return int(math.ceil(width * scale))
