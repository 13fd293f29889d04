"""Benchmark: a network meta-analysis of 100 studies and 6 treatments (a third three-arm), REML.

Times :func:`evidence_lib.network_meta` (best of 20 runs after a warm-up) and, when
``Rscript`` is on the PATH, metafor's ``rma.mv`` fitting the same contrasts (the model
only: building the contrasts and V is not timed; best of 20 runs), and writes
benchmarks/network_results.md. Target: <= 50 ms for the Python fit.

Run:  python benchmarks/bench_network.py
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evidence_lib import network_meta

HERE = Path(__file__).resolve().parent
R_CODE = r"""
suppressPackageStartupMessages(library(metafor))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = FALSE)
tr <- sort(unique(d$treatment))
rows <- list(); blocks <- list()
for (s in unique(d$study)) {
  a <- d[d$study == s, ]; m <- nrow(a)
  yi <- a$mean[-1] - a$mean[1]; v0 <- a$sd[1]^2 / a$n[1]
  V <- matrix(v0, m - 1, m - 1); diag(V) <- a$sd[-1]^2 / a$n[-1] + v0
  rows[[length(rows) + 1]] <- data.frame(study = s, t1 = a$treatment[-1], t0 = a$treatment[1], yi = yi)
  blocks[[length(blocks) + 1]] <- V
}
cd <- do.call(rbind, rows); cd$comp <- paste(cd$t1, cd$t0)
V <- as.matrix(bdiag(blocks))
X <- sapply(tr, function(t) (cd$t1 == t) - (cd$t0 == t))[, -1]
fit <- function() rma.mv(cd$yi, V, mods = X, intercept = FALSE, random = ~ comp | study, rho = 1/2, data = cd)
res <- fit()
times <- sapply(1:20, function(i) system.time(fit())[["elapsed"]])
cat(sprintf("%.6f %.10g %s\n", min(times), res$tau2, paste(sprintf("%.10g", res$beta), collapse = ",")))
"""


def simulated_network(n_studies=100, n_treat=6, seed=1):
    """100 studies, 6 treatments, every third study three-arm; arm means with a common SD of 2."""
    rng = np.random.default_rng(seed)
    effects = np.r_[0.0, rng.normal(0, 1, n_treat - 1)]
    rows = []
    for s in range(n_studies):
        k = 3 if s % 3 == 0 else 2
        ts = rng.choice(n_treat, size=k, replace=False)
        u = rng.normal(0, 0.3)
        for t in ts:
            n = int(rng.integers(20, 200))
            rows.append({"study": f"s{s}", "treatment": f"t{t}", "n": n, "sd": 2.0,
                         "mean": u + effects[t] + rng.normal(0, 0.3 / np.sqrt(2)) + rng.normal(0, 2 / np.sqrt(n))})
    return pd.DataFrame(rows)


def main():
    df = simulated_network()
    res = network_meta(df, measure="MD")
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        network_meta(df, measure="MD")
        times.append(time.perf_counter() - t0)
    py = min(times)
    lines = ["# Network meta-analysis benchmark", "",
             f"Network: {df['study'].nunique()} studies, {df['treatment'].nunique()} treatments, "
             f"{int((df.groupby('study').size() == 3).sum())} three-arm studies, {len(res.data.y)} contrasts; "
             "MD, REML.", "",
             f"Machine: {platform.machine()}, Python {sys.version.split()[0]} (2 shared cores).", "",
             "| implementation | best of 20 | tau2 |", "| --- | --- | --- |",
             f"| evidence_lib.network_meta (whole call: checks, contrasts, fit) | {py * 1000:.1f} ms | {res.tau2:.8f} |"]
    rscript = shutil.which("Rscript")
    if rscript:
        with tempfile.TemporaryDirectory() as tmp:
            csv, script = Path(tmp) / "net.csv", Path(tmp) / "bench.R"
            df.to_csv(csv, index=False)
            script.write_text(R_CODE)
            out = subprocess.run([rscript, str(script), str(csv)], capture_output=True, text=True, check=True).stdout
        r_time, r_tau2, r_beta = out.split()
        r_time = float(r_time)
        diff = np.max(np.abs(np.array([float(b) for b in r_beta.split(",")]) - res.coefficients))
        lines += [f"| metafor 3.8-1 rma.mv (model fit only, V prebuilt) | {r_time * 1000:.1f} ms | {float(r_tau2):.8f} |",
                  "", f"Ratio (rma.mv / evidence_lib): {r_time / py:.1f}x. Largest difference between the two sets "
                      f"of estimates: {diff:.1e}.", "",
                  "R's `system.time` resolves about 1 ms; the R time leaves out building the contrasts and V."]
    else:
        lines += ["", "Rscript was not found: metafor not timed."]
    lines += ["", "Target: <= 50 ms for the REML fit of this network.", ""]
    (HERE / "network_results.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
