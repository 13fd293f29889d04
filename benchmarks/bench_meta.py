"""Benchmarks of evidence_lib.meta against statsmodels, PyMARE and metafor.

Run from the repository root:

    PYTHONPATH=. python benchmarks/bench_meta.py [--quick] [--no-r]

Writes benchmarks/results.md.  Not part of the test-suite (timings depend on
the machine).  Every tool gets the same simulated data (fixed seed).  Peers
that lack a method are run with the closest one and the table says so;
peers that are not installed (or R/metafor) are skipped with a note.

Tasks
  (a) 1000 REML meta-analyses of k = 20 (batched)            target < 3 ms
  (b) leave-one-out at k = 1000 with REML                     target < 0.3 s
  (c) GOSH: all 32,767 subsets of a k = 15 set with DL        target < 0.1 s
  (d) one REML fit at k = 10,000                              target < 0.5 ms
  (e) GOSH: 1,000,000 random subsets of a k = 30 set with DL  target < 0.5 s
  (f) GOSH: all 1,048,575 subsets of a k = 20 set with DL     target < 1 s
  (g) influence diagnostics at k = 1000 with REML             target < 0.1 s
metafor's times for (e)-(g) come from benchmarks/bench_meta_metafor_new.R (extrapolated from
part of the fits; see that script).  statsmodels and PyMARE have no GOSH or influence function.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence_lib.meta import gosh, influence, leave_one_out, pool, pool_many  # noqa: E402

SEED = 20240611


def simulate(rng, n, k, mu=0.3, tau2=0.1):
    V = rng.uniform(0.01, 0.3, size=(n, k))
    Y = mu + rng.normal(0, np.sqrt(tau2), size=(n, k)) + rng.normal(0, np.sqrt(V))
    return Y, V


def make_data():
    rng = np.random.default_rng(SEED)
    a = simulate(rng, 1000, 20)
    b = tuple(x[0] for x in simulate(rng, 1, 1000))
    c = tuple(x[0] for x in simulate(rng, 1, 15))
    d = tuple(x[0] for x in simulate(rng, 1, 10000))
    e = tuple(x[0] for x in simulate(rng, 1, 30))
    f = tuple(x[0] for x in simulate(rng, 1, 20))
    return dict(a=a, b=b, c=c, d=d, e=e, f=f)


def timeit(fn, min_time=0.5, max_reps=200, min_reps=3):
    """Minimum of repeated wall-clock timings (after one warm-up call).

    The minimum (as ``timeit`` recommends) is the least disturbed by other
    processes on a shared machine; single-run peers are reported as measured."""
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or (time.perf_counter() - start < min_time and len(times) < max_reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.min(times)), len(times)


# --------------------------------------------------------------------------- ours
def bench_ours(D, quick=False):
    """Our times; the REML and ML kernels (numba) spread batches of 64+ rows over the cores
    (one Python thread per core around the compiled loop), so (a), (b) and (g) are also timed
    on one thread (``_one_thread``)."""
    from evidence_lib.meta import _unimodal

    Ya, Va = D["a"]
    yb, vb = D["b"]
    yc, vc = D["c"]
    yd, vd = D["d"]
    mt = 0.2 if quick else 1.0
    threads = _unimodal._THREADS
    _unimodal._THREADS = 1
    one = {"a": timeit(lambda: pool_many(Ya, Va, method="REML"), mt)[0],
           "b": timeit(lambda: leave_one_out(yb, vb, method="REML"), mt, max_reps=20)[0],
           "g": timeit(lambda: influence(yb, vb, method="REML"), mt, max_reps=20)[0]}
    _unimodal._THREADS = threads
    return {"_one_thread": one, "_threads": threads,
        "a": timeit(lambda: pool_many(Ya, Va, method="REML"), mt),
        "b": timeit(lambda: leave_one_out(yb, vb, method="REML"), mt, max_reps=20),
        "c": timeit(lambda: gosh(yc, vc, method="DL"), mt, max_reps=50),
        "d": timeit(lambda: pool(yd, vd, method="REML"), mt, max_reps=2000),
        "e": timeit(lambda: gosh(*D["e"], method="DL", subsets=1_000_000, seed=SEED), mt, max_reps=10),
        "f": timeit(lambda: gosh(*D["f"], method="DL", subsets=2 ** 20), mt, max_reps=10),
        "g": timeit(lambda: influence(yb, vb, method="REML"), mt, max_reps=20),
    }


# --------------------------------------------------------------------------- statsmodels
def bench_statsmodels(D, quick=False):
    try:
        from statsmodels.stats.meta_analysis import combine_effects
    except Exception as e:  # pragma: no cover
        return {"_note": f"statsmodels not available ({e})"}
    Ya, Va = D["a"]
    yb, vb = D["b"]
    yc, vc = D["c"]
    yd, vd = D["d"]
    out = {"_note": "statsmodels has no REML: Paule-Mandel ('iterated') is timed for (a), (b), (d); "
                    "DL ('chi2') for (c); one combine_effects call per analysis (no batching)"}

    def a():
        for i in range(Ya.shape[0]):
            combine_effects(Ya[i], Va[i], method_re="iterated")

    def b():
        for i in range(yb.shape[0]):
            m = np.arange(yb.shape[0]) != i
            combine_effects(yb[m], vb[m], method_re="iterated")

    k = yc.shape[0]
    masks = np.arange(1, 1 << k)
    inc = ((masks[:, None] >> np.arange(k)) & 1).astype(bool)
    n_c = inc.shape[0] if not quick else 2000

    def c():
        import warnings

        with warnings.catch_warnings():  # k = 1 subsets: statsmodels divides by k - 1 = 0
            warnings.simplefilter("ignore", RuntimeWarning)
            for row in inc[:n_c]:
                combine_effects(yc[row], vc[row], method_re="chi2")

    out["a"] = timeit(a, 0.1, max_reps=3, min_reps=1)
    out["b"] = timeit(b, 0.1, max_reps=3, min_reps=1)
    t, n = timeit(c, 0.1, max_reps=1, min_reps=1)
    if n_c < inc.shape[0]:
        t = t * inc.shape[0] / n_c
        out["_note_c"] = f"(c) extrapolated from {n_c} subsets"
    out["c"] = (t, n)
    out["d"] = timeit(lambda: combine_effects(yd, vd, method_re="iterated"), 0.3, max_reps=50)
    # agreement check for (d): PM vs ours
    r = combine_effects(yd, vd, method_re="iterated")
    ours = pool(yd, vd, method="PM")
    out["_check"] = f"PM at k=10,000: statsmodels tau2 {r.tau2:.8g} vs ours {ours.tau2:.8g}"
    return out


# --------------------------------------------------------------------------- PyMARE
def bench_pymare(D, quick=False):
    try:
        from pymare import estimators
    except Exception as e:  # pragma: no cover
        return {"_note": f"PyMARE not available ({e})"}
    Ya, Va = D["a"]
    yb, vb = D["b"]
    yd, vd = D["d"]
    out = {"_note": "PyMARE VarianceBasedLikelihoodEstimator(method='REML'), datasets in parallel "
                    "(columns); (c) not run: PyMARE batches need the same k in every dataset"}

    def fit(Y, V):
        est = estimators.VarianceBasedLikelihoodEstimator(method="REML")
        est.fit(y=Y, v=V, X=np.ones((Y.shape[0], 1)))
        return est

    out["a"] = timeit(lambda: fit(Ya.T, Va.T), 0.3, max_reps=20)
    k = yb.shape[0]
    keep = ~np.eye(k, dtype=bool)
    Yb = np.stack([yb[keep[i]] for i in range(k)], axis=1)
    Vb = np.stack([vb[keep[i]] for i in range(k)], axis=1)
    out["b"] = timeit(lambda: fit(Yb, Vb), 0.1, max_reps=3, min_reps=1)
    out["d"] = timeit(lambda: fit(yd[:, None], vd[:, None]), 0.3, max_reps=50)
    est = fit(Ya.T, Va.T)
    ours = pool_many(Ya, Va, method="REML")
    out["_check"] = ("max |tau2 difference| to ours over the 1000 analyses of (a): "
                     f"{np.max(np.abs(est.params_['tau2'].ravel() - ours.tau2)):.2g}")
    return out


# --------------------------------------------------------------------------- metafor
R_SCRIPT = r"""
suppressPackageStartupMessages(library(metafor))
d <- jsonlite::fromJSON(commandArgs(TRUE)[1])
out <- list()
tm <- function(expr, reps = 1) { t <- proc.time()[["elapsed"]]; for (i in seq_len(reps)) eval.parent(substitute(expr)); (proc.time()[["elapsed"]] - t) / reps }
Ya <- d$Ya; Va <- d$Va
na <- nrow(Ya)
nfail <- 0
out$a <- tm(for (i in seq_len(na)) {
  r <- try(rma(Ya[i, ], Va[i, ], method = "REML"), silent = TRUE)
  if (inherits(r, "try-error")) nfail <- nfail + 1
})
out$a_failed <- nfail
yb <- d$yb; vb <- d$vb
nfit <- d$loo_fits
out$b_per_fit <- tm(for (i in seq_len(nfit)) try(rma(yb[-i], vb[-i], method = "REML"), silent = TRUE)) / nfit
yc <- d$yc; vc <- d$vc
out$c <- tm(gosh(rma(yc, vc, method = "DL"), progbar = FALSE))
out$version <- as.character(packageVersion("metafor"))
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA))
"""


def bench_metafor(D, quick=False, timeout=900):
    rs = shutil.which("Rscript")
    if rs is None:
        return {"_note": "Rscript not found: metafor not timed"}
    ok = subprocess.run([rs, "-e", "library(metafor); library(jsonlite)"], capture_output=True)
    if ok.returncode != 0:
        return {"_note": "R found but metafor/jsonlite not installed: metafor not timed"}
    Ya, Va = D["a"]
    yb, vb = D["b"]
    yc, vc = D["c"]
    loo_fits = 5 if quick else 20
    payload = dict(Ya=Ya.tolist(), Va=Va.tolist(), yb=yb.tolist(), vb=vb.tolist(), yc=yc.tolist(),
                   vc=vc.tolist(), loo_fits=loo_fits)
    with tempfile.TemporaryDirectory() as td:
        dj = Path(td) / "data.json"
        dj.write_text(json.dumps(payload))
        sc = Path(td) / "bench.R"
        sc.write_text(R_SCRIPT)
        try:
            res = subprocess.run([rs, str(sc), str(dj)], capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"_note": f"metafor timing exceeded {timeout} s; skipped"}
    if res.returncode != 0:
        return {"_note": "metafor run failed: " + res.stderr[-300:]}
    r = json.loads(res.stdout.strip().splitlines()[-1])
    k = yb.shape[0]
    new = _metafor_new_rows(rs, D, quick, timeout)
    return new | {
        "_note": (f"metafor {r['version']} rma()/gosh() with default settings, one rma() per analysis; "
                  f"(b) extrapolated: mean of {loo_fits} leave-one-out fits x {k}; "
                  "(d) not run: rma.uni forms k x k matrices (800 MB each at k = 10,000); "
                  f"in (a), {r['a_failed']} of 1000 rma() fits stopped with an error (Fisher scoring "
                  "did not converge; we finish those rows by bisection of the REML score)"),
        "a": (r["a"], 1),
        "b": (r["b_per_fit"] * k, 1),
        "c": (r["c"], 1),
    }


def _metafor_new_rows(rs, D, quick, timeout):
    """metafor times for (e)-(g) from benchmarks/bench_meta_metafor_new.R (extrapolated)."""
    n_gosh, n_loo = (2000, 2) if quick else (20000, 5)
    payload = dict(ye=D["e"][0].tolist(), ve=D["e"][1].tolist(), yf=D["f"][0].tolist(), vf=D["f"][1].tolist(),
                   yb=D["b"][0].tolist(), vb=D["b"][1].tolist(), n_gosh=n_gosh, n_loo=n_loo)
    with tempfile.TemporaryDirectory() as td:
        dj = Path(td) / "data.json"
        dj.write_text(json.dumps(payload))
        try:
            res = subprocess.run([rs, str(ROOT / "benchmarks" / "bench_meta_metafor_new.R"), str(dj)],
                                 capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"_note_new": f"metafor (e)-(g) exceeded {timeout} s; skipped"}
    if res.returncode != 0:
        return {"_note_new": "metafor (e)-(g) failed: " + res.stderr[-300:]}
    r = json.loads(res.stdout.strip().splitlines()[-1])
    return {"e": (r["e"], 1), "f": (r["f"], 1), "g": (r["g"], 1),
            "_note_new": (f"(e), (f) extrapolated from gosh(..., subsets={r['n_gosh']}) (one rma() per subset); "
                          f"(g) extrapolated: mean of {r['n_loo']} fits without one study x 1000 "
                          "(influence(rma) at k = 1000 refits the model 1000 times)")}


# --------------------------------------------------------------------------- report
TASKS = {
    "a": ("(a) 1000 REML meta-analyses, k = 20", 3e-3),
    "b": ("(b) leave-one-out, k = 1000, REML", 0.3),
    "c": ("(c) GOSH, k = 15 (32,767 subsets), DL", 0.1),
    "d": ("(d) one REML fit, k = 10,000", 0.5e-3),
    "e": ("(e) GOSH, k = 30, 10^6 random subsets, DL", 0.5),
    "f": ("(f) GOSH, k = 20 (all 1,048,575 subsets), DL", 1.0),
    "g": ("(g) influence diagnostics, k = 1000, REML", 0.1),
}


def fmt(t):
    if t is None:
        return "-"
    if t < 1e-3:
        return f"{t * 1e6:.0f} µs"
    if t < 1:
        return f"{t * 1e3:.2f} ms"
    return f"{t:.2f} s"


def numba_version():
    import numba

    return numba.__version__


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    import scipy

    return dict(nproc=os.cpu_count(), cpu=cpu, python=platform.python_version(), numpy=np.__version__,
                scipy=scipy.__version__, load=load,
                openblas_coretype=os.environ.get("OPENBLAS_CORETYPE", "(unset)"))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="shorter timings, extrapolated peers")
    ap.add_argument("--no-r", action="store_true", help="skip metafor")
    ap.add_argument("--no-statsmodels", action="store_true", help="skip statsmodels (slow GOSH loop)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results.md"))
    args = ap.parse_args(argv)
    D = make_data()
    results = {"ours": bench_ours(D, args.quick)}
    print("ours:", {k: fmt(v[0]) for k, v in results["ours"].items() if not k.startswith("_")}, flush=True)
    results["statsmodels"] = ({"_note": "skipped (--no-statsmodels)"} if args.no_statsmodels
                              else bench_statsmodels(D, args.quick))
    print("statsmodels done", flush=True)
    results["PyMARE"] = bench_pymare(D, args.quick)
    print("PyMARE done", flush=True)
    results["metafor"] = {"_note": "skipped (--no-r)"} if args.no_r else bench_metafor(D, args.quick)
    print("metafor done", flush=True)
    m = machine()
    peers = ["statsmodels", "PyMARE", "metafor"]
    lines = ["# evidence_lib.meta benchmarks", "",
             "Generated by `benchmarks/bench_meta.py` (same simulated data for every tool, seed "
             f"{SEED}; times are the minimum of repeated wall-clock runs after a warm-up; peers' times "
             "for slow tasks are single runs). Ratio = peer time / our time (> 1: we are faster).", "",
             f"Machine: {m['nproc']} CPUs, {m['cpu']}; Python {m['python']}, numpy {m['numpy']}, "
             f"scipy {m['scipy']}; OPENBLAS_CORETYPE={m['openblas_coretype']}; load average at the "
             f"end of the run {tuple(round(x, 2) for x in m['load']) if m['load'] else 'n/a'} "
             "(the machine is shared: timings are noisy).", "",
             "| task | target | ours | " + " | ".join(f"{p} | ratio" for p in peers) + " |",
             "|---|---|---|" + "---|---|" * len(peers)]
    for key, (label, target) in TASKS.items():
        ours = results["ours"][key][0]
        row = [label, fmt(target), fmt(ours) + (" ✓" if ours < target else " ✗ (over target)")]
        for p in peers:
            v = results[p].get(key)
            if v is None:
                row += ["-", "-"]
            else:
                row += [fmt(v[0]), f"{v[0] / ours:.1f}x"]
        lines.append("| " + " | ".join(row) + " |")
    one = results["ours"]["_one_thread"]
    lines += ["", "Notes:", "",
              f"- ours: numba {numba_version()}; REML/ML batches of 64 or more rows run on all "
              f"{results['ours']['_threads']} cores (one thread per block of rows). On one thread: "
              + ", ".join(f"({k}) {fmt(v)}" for k, v in one.items()) + "."]
    for p in peers:
        for nk in ("_note", "_note_c", "_note_new", "_check"):
            if nk in results[p]:
                lines.append(f"- {p}: {results[p][nk]}")
    lines.append("")
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
