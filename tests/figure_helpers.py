"""Drawing a registered figure as the build does, and reading its words, for the figure tests."""

from __future__ import annotations


def draw_registered(ds, name):
    """The registry figure ``name`` drawn on ``ds`` in the build's style, laid out (canvas drawn)."""
    from evidence_lib.output.figures import spec
    from evidence_lib.plotting import style

    with style():
        fig = spec(name).draw(ds)
        fig.canvas.draw()
    return fig


def figure_texts(fig):
    """Every non-empty text of a figure (titles, labels, ticks, notes, legend entries)."""
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]
