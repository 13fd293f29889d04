"""Benchmarks for the build (not a test; run by hand and commit the output).

    python benchmarks/bench_build.py [--out benchmarks/build_results.md] [--repeat 3]

Measures, each in a fresh interpreter so that nothing is cached in-process:

* ``import evidence_lib`` wall time (target < 0.3 s) and whether it imported matplotlib,
  numpy or pandas;
* ``evidence build`` wall time into a temporary folder (target < 10 s on 2 cores);
* each notebook's execution time with nbclient (kernel start, imports and work), against the
  floor named in issue #11: a notebook that imports pandas and matplotlib and draws one
  figure (target: 1.3x the floor); and, for information, a kernel that runs only the
  notebook's own import lines (the difference is the notebook's own work).

Targets are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("MPLBACKEND", "Agg")
    return env


def bench_import(repeat: int) -> dict:
    code = ("import time, sys; t = time.perf_counter(); import evidence_lib; dt = time.perf_counter() - t;"
            "import json; print(json.dumps({'s': dt, 'mods': {m: m in sys.modules for m in "
            "('matplotlib', 'numpy', 'pandas', 'scipy')}}))")
    runs = []
    for _ in range(repeat):
        out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, env=_env())
        runs.append(json.loads(out.stdout))
    # cold-process wall time too (interpreter start included), for reference
    t = time.perf_counter()
    subprocess.run([PY, "-c", "import evidence_lib"], check=True, env=_env())
    return {"best": min(r["s"] for r in runs), "runs": [r["s"] for r in runs], "mods": runs[-1]["mods"],
            "process": time.perf_counter() - t}


def bench_build(repeat: int) -> dict:
    times = []
    out_lines = ""
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            res = subprocess.run([PY, "-m", "evidence_lib.cli", "build", "--out", tmp], capture_output=True,
                                 text=True, env=_env(), cwd=ROOT)
            times.append(time.perf_counter() - t)
            out_lines = (res.stderr + res.stdout).strip()
            if res.returncode:
                return {"error": out_lines, "times": times}
    return {"best": min(times), "times": times, "log": out_lines}


def _import_lines(nb) -> str:
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for ln in cell.source.splitlines():
            if (re.match(r"^\s*(import|from)\s+\S+", ln) or ln.startswith("%matplotlib")) \
                    and not ln.startswith((" ", "\t")):
                lines.append(ln.strip())
    return "\n".join(dict.fromkeys(lines))


def _run(nb, cwd) -> float:
    from nbclient import NotebookClient

    t = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return time.perf_counter() - t


FLOOR_SOURCE = """\
%matplotlib inline
import pandas as pd
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.plot(pd.Series([1, 3, 2]))
plt.show()"""


def bench_floor(folder: Path) -> float:
    """Best of three runs of the floor notebook (pandas and matplotlib imported, one figure drawn)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])
    return min(_run(nb, folder) for _ in range(3))


def bench_notebooks(folder: Path) -> list[dict]:
    try:
        import nbformat
        import nbclient  # noqa: F401
    except ImportError as exc:
        return [{"error": f"nbclient/nbformat not installed: {exc}"}]
    os.environ["PYTHONPATH"] = _env()["PYTHONPATH"]
    os.environ.setdefault("MPLBACKEND", "Agg")
    out = []
    for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_import_lines(nb))])
        try:
            t_empty = min(_run(empty, path.parent) for _ in range(3))
            t_full = min(_run(nb, path.parent) for _ in range(3))
            out.append({"notebook": path.name, "full": t_full, "imports_only": t_empty,
                        "own_work": t_full - t_empty, "cells": sum(c.cell_type == "code" for c in nb.cells)})
        except Exception as exc:  # report, do not stop the benchmark
            out.append({"notebook": path.name, "error": f"{type(exc).__name__}: {exc}"[:300]})
    return out


TARGET = 1.3  # full notebook / floor notebook (issue #11)


def report(imp, bld, nbs, floor) -> str:
    ok = lambda cond: "yes" if cond else "NO"  # noqa: E731
    lines = ["# Build benchmarks", "",
             f"Generated by `benchmarks/bench_build.py` on {platform.python_implementation()} "
             f"{platform.python_version()}, {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}.",
             "Times are wall-clock seconds (best of the runs); targets are goals, not tests.", "",
             "## import evidence_lib", "",
             f"- in-process import time: {imp['best']:.3f} s (runs: {', '.join(f'{t:.3f}' for t in imp['runs'])}); "
             f"target < 0.3 s: {ok(imp['best'] < 0.3)}",
             f"- whole `python -c 'import evidence_lib'` process: {imp['process']:.2f} s",
             "- heavy modules imported by `import evidence_lib`: "
             + ", ".join(f"{m}: {'yes' if v else 'no'}" for m, v in imp["mods"].items()), "",
             "## evidence build", "",
             "On the data package as committed, into a temporary folder (every figure as PNG and SVG, and the "
             "report with its exports).", ""]
    if "error" in bld:
        lines += ["Build failed:", "", "```", bld["error"], "```"]
    else:
        lines += [f"- wall time: {bld['best']:.2f} s (runs: {', '.join(f'{t:.2f}' for t in bld['times'])}); "
                  f"target < 10 s: {ok(bld['best'] < 10)}", "", "```", bld["log"], "```"]
    lines += ["", "## Notebooks", "",
              "`full`: executing the notebook with nbclient (kernel start, imports and work). `floor`: the same for "
              "a notebook that imports pandas and matplotlib and draws one figure "
              f"({floor:.2f} s); target: full within {TARGET}x of the floor (issue #11). `imports only`: a fresh "
              "kernel running just the notebook's own import lines; `own work` = full - imports only. Best of 3 "
              "runs each.", "",
              f"| notebook | code cells | full (s) | imports only (s) | own work (s) | full / floor | "
              f"within {TARGET}x |",
              "|---|---|---|---|---|---|---|"]
    done = [r for r in nbs if "error" not in r]
    for r in nbs:
        if "error" in r:
            lines.append(f"| {r.get('notebook', '-')} | | error: {r['error']} | | | | |")
        else:
            ratio = r["full"] / floor
            lines.append(f"| {r['notebook']} | {r['cells']} | {r['full']:.2f} | {r['imports_only']:.2f} | "
                         f"{r['own_work']:.2f} | {ratio:.2f} | {ok(ratio <= TARGET)} |")
    if done:
        mean = sum(r["full"] for r in done) / len(done) / floor
        lines.append(f"| all {len(done)} (mean) | | | | | {mean:.2f} | {ok(mean <= TARGET)} |")
    if not nbs:
        lines.append("| (no notebooks) | | | | | | |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "build_results.md"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--notebooks", default=str(ROOT / "notebooks"))
    args = ap.parse_args(argv)
    imp = bench_import(args.repeat)
    bld = bench_build(args.repeat)
    nbs = bench_notebooks(Path(args.notebooks))
    # the floor needs nbclient too; without it the notebook rows already say so
    floor = float("nan") if nbs and "error" in nbs[0] and "not installed" in nbs[0]["error"] \
        else bench_floor(Path(args.notebooks))
    text = report(imp, bld, nbs, floor)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
