"""The main job: regenerate every figure (and the report) from the data package."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: file paths and each figure's alt text."""

    files: tuple[Path, ...]
    alt_text: dict
    seconds: float


def build(data_path=None, out_dir: str | Path = ".", *, progress: bool = True, stream=None) -> BuildResult:
    """Write every figure to ``out_dir/figures`` and the report to ``out_dir/reports``.

    Parameters
    ----------
    data_path : path, optional
        Data package folder (default: the bundled one).
    out_dir : path
        Folder receiving ``figures/`` (and ``reports/``).
    progress : bool
        Print one line per output as it is written.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from evidence_lib.dataset.loader import load
    from evidence_lib.output.figures import registry, save_figure
    from evidence_lib.plotting import style

    stream = stream or sys.stderr
    t0 = time.perf_counter()
    ds = load(data_path)
    out = Path(out_dir)
    fig_dir = out / "figures"
    specs = registry()
    files, alt = [], {}
    for i, spec in enumerate(specs, 1):
        t1 = time.perf_counter()
        with style():
            fig = spec.draw(ds)
            try:
                paths = save_figure(fig, fig_dir / spec.name)
            finally:
                plt.close(fig)
        alt[spec.name] = spec.describe(ds)
        files.extend(paths)
        if progress:
            exts = ", ".join(("." if j else "") + p.name.split(".", 1)[1] if j else f"figures/{p.name}"
                             for j, p in enumerate(paths))
            print(f"[{i}/{len(specs)}] {exts}  ({time.perf_counter() - t1:.1f} s)", file=stream, flush=True)
    from evidence_lib.output.report import write_report

    files.extend(write_report(ds, out / "reports", alt_text=alt, progress=progress, stream=stream))
    return BuildResult(tuple(files), alt, time.perf_counter() - t0)
