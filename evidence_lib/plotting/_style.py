"""The plotting layer's shared look: an opt-in style, colour-blind-safe colours, empty panels.

Nothing here changes matplotlib's rcParams at import; :func:`style` applies the package's
look inside a ``with`` block and restores the previous settings afterwards.
"""

from __future__ import annotations

import contextlib

#: Okabe-Ito colours (colour-blind safe) for series without a meaning of their own.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "<", ">", "h")

#: The package's opt-in look (used by ``evidence build``).
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "svg.fonttype": "path",
    "svg.hashsalt": "evidence_lib",
    "path.simplify": True,
}


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


@contextlib.contextmanager
def style():
    """Context manager applying the package's plot style (rcParams restored on exit)."""
    import matplotlib as mpl

    with mpl.rc_context(STYLE):
        yield


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def no_data(ax, message: str = "No data yet", *, detail: str | None = None):
    """Turn ``ax`` into a clear, empty "no data yet" panel and return it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel to clear (its ticks are removed and its frame dashed).
    message : str
        Bold text in the middle of the panel.
    detail : str, optional
        A smaller line under ``message``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(True)
        s.set_color("0.75")
        s.set_linestyle((0, (4, 3)))
    ax.text(0.5, 0.56, message, transform=ax.transAxes, ha="center", va="center", fontsize=12,
            color="0.35", fontweight="bold")
    if detail:
        ax.text(0.5, 0.40, detail, transform=ax.transAxes, ha="center", va="center", fontsize=9,
                color="0.45", wrap=True)
    return ax

