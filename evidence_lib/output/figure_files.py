"""Deterministic, atomic saving of figures: PNG and SVG files, and SVG strings for inline use.

A figure saved twice from the same data gives the same bytes: no dates or software
versions in the metadata, SVG ids numbered by position, and one frozen, rounded layout
for every format (see :func:`_frozen_layout`). Files are written through temporary
files moved into place, so a failure leaves no half-written figure.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from evidence_lib._io import atomic_write_bytes


_SVG_ID = re.compile(r'(?<=id=")[a-z]+[0-9a-f]{10}(?=")')


def _stable_svg_ids(svg: str, prefix: str = "") -> str:
    """Renumber matplotlib's hashed SVG ids in order of first definition.

    matplotlib hashes a clip *path*'s id from the path object's memory address (a clip
    rectangle's from its coordinates), so two renderings of one figure in one process can
    differ in those ids alone. Numbering them by position makes the file depend only on
    what is drawn. ``prefix`` keeps the ids of several figures inlined in one page apart.
    """
    ids = list(dict.fromkeys(_SVG_ID.findall(svg)))
    if not ids:
        return svg
    table = {old: f"{prefix}{old[0]}{i:04d}" for i, old in enumerate(ids)}
    return re.sub(r"\b(" + "|".join(map(re.escape, ids)) + r")\b", lambda m: table[m.group(1)], svg)


#: Axes positions are rounded to this many decimals of the figure's width and height
#: (1e-6 of a 6-inch figure is 0.0004 pt: nothing a reader can see).
_POSITION_DECIMALS = 6


@contextlib.contextmanager
def _frozen_layout(fig):
    """Lay ``fig`` out once, round its axes positions and save with the layout engine off.

    The constrained-layout solver (kiwisolver) can return positions that differ in the
    last bits between two runs of one process, depending on where its objects sit in
    memory; printed to six decimals in an SVG, such a difference flips a digit now and
    then. Rounding the solved positions to :data:`_POSITION_DECIMALS` and removing the
    engine while saving makes every format depend only on what is drawn (and gives the
    PNG and the SVG one layout). The engine and each axes' ``in_layout`` flag are
    restored afterwards.

    The engine is removed (``set_layout_engine(None)`` with the rc layout switches off),
    not replaced by ``"none"``: ``"none"`` leaves a placeholder engine, and ``savefig``
    draws a figure that has any engine once without output before drawing it for real,
    so every format would be drawn twice.

    The layout is solved as a draw solves it (each axes' aspect applied, then the engine
    executed, :meth:`matplotlib.layout_engine.LayoutEngine.execute`) without the rest of
    that draw (``draw_without_rendering`` goes on to draw every artist, without output).
    """
    import matplotlib as mpl

    engine = fig.get_layout_engine()
    if engine is None:
        yield
        return
    for ax in fig.axes:
        ax.apply_aspect()
    engine.execute(fig)
    in_layout = [(ax, ax.get_in_layout()) for ax in fig.axes]
    for ax, _ in in_layout:
        bounds = ax.get_position(original=True).bounds
        ax.set_position([round(float(v), _POSITION_DECIMALS) for v in bounds])
    with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
    try:
        yield
    finally:
        fig.set_layout_engine(engine)
        for ax, flag in in_layout:
            ax.set_in_layout(flag)


def save_figure(fig, stem: str | Path, *, formats=("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``stem.png`` and ``stem.svg`` deterministically and atomically.

    Every format is rendered to memory first and only then written (each file through a
    temporary file renamed into place), so a failure while rendering leaves no file of
    this figure half-written and no temporary file behind. PNG: no ``Software`` text
    chunk (Agg writes no date); SVG: no ``Date``, fixed ``svg.hashsalt`` for the ids. Both
    formats share one frozen layout (see :func:`_frozen_layout`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    stem : str or Path
        Path without suffix; one file per format is written as ``stem.<format>``.
    formats : sequence of str
        Formats to write.

    Returns
    -------
    list of Path
        The files written.
    """
    with _frozen_layout(fig):
        blobs = _render_all(fig, stem, formats)
    return [atomic_write_bytes(path, data) for path, data in blobs]


def _render_all(fig, stem, formats):
    import matplotlib as mpl

    blobs = []
    for fmt in formats:
        buf = io.BytesIO()
        meta = {"Date": None} if fmt == "svg" else {"Software": None}
        if fmt == "pdf":
            meta = {"CreationDate": None, "ModDate": None}
        with mpl.rc_context({"svg.hashsalt": "evidence_lib", "svg.fonttype": "path"}):
            fig.savefig(buf, format=fmt, metadata=meta, dpi=150 if fmt == "png" else None)
        data = buf.getvalue()
        if fmt == "svg":
            data = _stable_svg_ids(data.decode("utf-8")).encode("utf-8")
        blobs.append((Path(f"{stem}.{fmt}"), data))
    return blobs


def svg_string(fig, *, id_prefix: str = "") -> str:
    """The figure as an SVG string for inline embedding (deterministic).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    id_prefix : str
        Prefix for the SVG's element ids, so that several figures can share one HTML page.

    Returns
    -------
    str
    """
    import matplotlib as mpl

    buf = io.StringIO()
    with _frozen_layout(fig), mpl.rc_context({"svg.hashsalt": "evidence_lib", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return _stable_svg_ids(buf.getvalue(), re.sub(r"[^a-zA-Z0-9]", "", id_prefix))
