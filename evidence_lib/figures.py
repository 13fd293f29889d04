"""The figure registry of ``evidence build`` and deterministic, atomic saving.

A figure is a :class:`FigureSpec`: a name, a function that draws it from a Dataset and
a function that writes its alt text from the same data. :func:`save_figure` writes PNG
and SVG with no dates or random ids in their metadata (so rebuilding the same data gives
byte-identical files), each through a temporary file moved into place.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ._io import atomic_write_bytes


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the build: ``draw(ds) -> Figure`` and ``describe(ds) -> str``."""

    name: str
    title: str
    draw: Callable
    describe: Callable


def save_figure(fig, stem: str | Path, *, formats=("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``stem.png`` and ``stem.svg`` deterministically and atomically."""
    import matplotlib as mpl

    paths = []
    for fmt in formats:
        buf = io.BytesIO()
        meta = {"Date": None} if fmt == "svg" else {"Software": None}
        if fmt == "pdf":
            meta = {"CreationDate": None, "ModDate": None}
        with mpl.rc_context({"svg.hashsalt": "evidence_lib", "svg.fonttype": "path"}):
            fig.savefig(buf, format=fmt, metadata=meta, dpi=150 if fmt == "png" else None)
        paths.append(atomic_write_bytes(Path(f"{stem}.{fmt}"), buf.getvalue()))
    return paths


def svg_string(fig) -> str:
    """The figure as an SVG string for inline embedding (deterministic)."""
    import matplotlib as mpl

    buf = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": "evidence_lib", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def _ledger_figure(ds):
    import matplotlib.pyplot as plt

    from .plots import verdict_overview

    fig, ax = plt.subplots(figsize=(7.5, 4.6), layout="constrained")
    verdict_overview(ds, ax=ax)
    return fig


def _ledger_describe(ds):
    from .plots import describe_verdict_overview

    return describe_verdict_overview(ds)


def registry() -> list[FigureSpec]:
    """All figures ``evidence build`` writes, in report order."""
    specs = [FigureSpec("verdicts-by-category", "Verdicts by claim category", _ledger_figure, _ledger_describe)]
    return specs
