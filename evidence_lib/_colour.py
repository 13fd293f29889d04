"""Text colour on a coloured fill by WCAG contrast, shared by the figures and the notebook tables.

Kept in the base layer so that both :mod:`evidence_lib.plotting` (count labels inside bars and
bubbles) and :mod:`evidence_lib.review.ledger` (verdict cells of the notebook ledger) use one rule.
matplotlib, which parses the colour names, is imported only when a colour is first measured.
"""

from __future__ import annotations

#: Text colour for labels on light fills: black, the most contrast there is (a near-black such as
#: #1b1b1b gives only 4.45:1 on the vermillion #D55E00, under WCAG's 4.5:1).
DARK_TEXT = "#000000"


def relative_luminance(colour) -> float:
    """Relative luminance of an sRGB colour, as WCAG 2 defines it.

    Parameters
    ----------
    colour : str or tuple
        Any colour matplotlib understands (``"#56B4E9"``, ``"white"``, an RGB tuple).

    Returns
    -------
    float
        From 0 (black) to 1 (white).

    References
    ----------
    W3C, Web Content Accessibility Guidelines (WCAG) 2.1, definition of "relative luminance"
    (sRGB channels linearised, then weighted 0.2126 R + 0.7152 G + 0.0722 B).
    """
    from matplotlib.colors import to_rgb

    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a, b) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (none) to 21 (black on white).

    Parameters
    ----------
    a, b : str or tuple
        Colours matplotlib understands.

    Returns
    -------
    float
        (L1 + 0.05) / (L2 + 0.05), L1 the lighter relative luminance.

    References
    ----------
    W3C, WCAG 2.1, definition of "contrast ratio" and success criterion 1.4.3 (4.5:1 for text).
    """
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_on(fill, *, light="white", dark=DARK_TEXT) -> str:
    """The text colour, ``light`` or ``dark``, with the higher WCAG contrast on ``fill``.

    Parameters
    ----------
    fill : str or tuple
        The background colour the text sits on.
    light, dark : str
        The two candidate text colours.

    Returns
    -------
    str
        ``light`` or ``dark``.

    References
    ----------
    W3C, WCAG 2.1, success criterion 1.4.3 (contrast of text with its background).
    """
    return light if contrast_ratio(light, fill) >= contrast_ratio(dark, fill) else dark
