# metafor timings for the benchmark rows added with issue #14 (part 2): sampled GOSH (k = 30),
# GOSH over all subsets (k = 20) and influence diagnostics (k = 1000).
# Called by benchmarks/bench_meta.py with the path of a JSON file holding the same simulated
# data as our rows; prints one JSON line.  metafor fits one rma() per subset / per left-out
# study, so the rows are extrapolated from a part of the work (the per-fit cost does not
# depend on how many fits are made):
#   (e) gosh(rma(ye, ve, method="DL"), subsets=n_gosh) x 1e6 / n_gosh
#   (f) gosh(rma(yf, vf, method="DL"), subsets=n_gosh) x 1048575 / n_gosh
#       (random subsets of the same k; gosh's cost per subset is the same either way)
#   (g) influence(rma(yb, vb, method="REML")): mean of n_loo fits rma(yb[-i], vb[-i]) x 1000
#       (influence.rma.uni refits the model without each study; the diagnostics on top are cheap)
suppressPackageStartupMessages(library(metafor))
d <- jsonlite::fromJSON(commandArgs(TRUE)[1])
n_gosh <- d$n_gosh
n_loo <- d$n_loo
el <- function(expr) { t <- proc.time()[["elapsed"]]; force(expr); proc.time()[["elapsed"]] - t }
out <- list()
re <- rma(d$ye, d$ve, method = "DL")
out$e <- el(gosh(re, subsets = n_gosh, progbar = FALSE)) * 1e6 / n_gosh
rf <- rma(d$yf, d$vf, method = "DL")
out$f <- el(gosh(rf, subsets = n_gosh, progbar = FALSE)) * 1048575 / n_gosh
k <- length(d$yb)
out$g <- el(for (i in seq_len(n_loo)) try(rma(d$yb[-i], d$vb[-i], method = "REML"), silent = TRUE)) / n_loo * k
out$n_gosh <- n_gosh
out$n_loo <- n_loo
out$version <- as.character(packageVersion("metafor"))
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA))
