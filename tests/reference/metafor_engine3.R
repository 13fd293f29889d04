# Reference values from metafor for issue #14, part 2: likelihood profile (logLik at fixed tau2),
# Baujat coordinates, GOSH over all subsets (the fast FE/DL path and the core path) and exact
# permutation tests (permutest).
# Run:  Rscript tests/reference/metafor_engine3.R   (from the repository root)
# Writes tests/reference/metafor_engine3.json; the test-suite reads only the JSON.
# House style as tests/reference/metafor_reference.R: every case records its exact R call.
suppressPackageStartupMessages(library(metafor))
source_lines <- readLines("tests/reference/metafor_reference.R")
eval(parse(text = source_lines[seq_len(grep("^cases <- list\\(\\)", source_lines) - 1)]))
cases <- list()
add_case <- function(name, call, values, input = NULL, kind = NULL) {
  cases[[name]] <<- list(kind = kind, call = call, input = input, values = values)
}
CTRL <- list(threshold = 1e-12, tol = 1e-12)
ctrl <- "control=list(threshold=1e-12, tol=1e-12)"

bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
norm <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat.normand1999)
sets <- list(bcg = list(yi = bcg$yi, vi = bcg$vi), normand_smd = list(yi = norm$yi, vi = norm$vi),
             twopeaks = list(yi = c(0, 18, 0, 0, 0, 2), vi = c(1, 18, 1, 1, 1, 1)))

## ---------------------------------------------------------------- profile: logLik at fixed tau2
grid <- c(0, 0.01, 0.05, 0.1, 0.3, 1, 3, 19)
for (nm in names(sets)) for (m in c("REML", "ML")) {
  d <- sets[[nm]]
  ll <- sapply(grid, function(t) c(logLik(rma(d$yi, d$vi, method = m, tau2 = t))))
  add_case(sprintf("profile_%s_%s", nm, m),
           sprintf("sapply(c(%s), function(t) logLik(rma(yi, vi, method=\"%s\", tau2=t)))", paste(grid, collapse = ", "), m),
           list(tau2 = arr(grid), logLik = arr(ll)),
           input = list(yi = arr(d$yi), vi = arr(d$vi), method = m), kind = "profile")
}

## ---------------------------------------------------------------- Baujat coordinates
for (nm in c("bcg", "normand_smd")) for (m in c("REML", "DL", "FE")) for (t in c("z", "knha")) {
  d <- sets[[nm]]
  res <- rma(d$yi, d$vi, method = m, test = t, control = CTRL)
  pdf(NULL); b <- baujat(res); invisible(dev.off())
  add_case(sprintf("baujat_%s_%s_%s", nm, m, t),
           sprintf("baujat(rma(yi, vi, method=\"%s\", test=\"%s\", %s))  # returns x, y invisibly", m, t, ctrl),
           list(x = arr(b$x), y = arr(b$y)),
           input = list(yi = arr(d$yi), vi = arr(d$vi), method = m, test = t), kind = "baujat")
}

## ---------------------------------------------------------------- GOSH, all subsets
gsets <- list(bcg12_DL = list(d = sets$bcg, n = 12, m = "DL"), bcg9_REML = list(d = sets$bcg, n = 9, m = "REML"),
              normand9_PM = list(d = sets$normand_smd, n = 9, m = "PM"), normand9_FE = list(d = sets$normand_smd, n = 9, m = "FE"))
for (nm in names(gsets)) {
  g0 <- gsets[[nm]]
  yi <- g0$d$yi[seq_len(g0$n)]; vi <- g0$d$vi[seq_len(g0$n)]
  res <- rma(yi, vi, method = g0$m, control = CTRL)
  g <- gosh(res, progbar = FALSE)
  mask <- as.vector(g$incl %*% 2^(0:(g0$n - 1)))
  add_case(paste0("gosh_", nm), sprintf("gosh(rma(yi[1:%d], vi[1:%d], method=\"%s\", %s), progbar=FALSE)", g0$n, g0$n, g0$m, ctrl),
           list(mask = arr(mask), k = arr(g$res$k), estimate = arr(g$res$estimate), tau2 = arr(g$res$tau2),
                QE = arr(g$res$QE), I2 = arr(g$res$I2), H2 = arr(g$res$H2)),
           input = list(yi = arr(yi), vi = arr(vi), method = g0$m), kind = "gosh")
}

## ---------------------------------------------------------------- exact permutation tests
# n_failed: permutations whose rma() fit failed (metafor drops them, na.rm = TRUE); the sorted
# distributions of the successful fits are kept so that the test can match them
permvals <- function(res, p) {
  ok <- !is.na(p$QM.perm)
  zp <- as.matrix(p$zval.perm)
  list(zval = arr(res$zval), pval = arr(p$pval), QM = res$QM, QMp = p$QMp, n_perm = length(p$QM.perm),
       n_failed = sum(!ok), QM_perm_sorted = arr(sort(p$QM.perm[ok])),
       absz_perm_sorted = lapply(seq_len(ncol(zp)), function(j) arr(sort(abs(zp[ok, j])))))
}
for (m in c("REML", "DL")) for (t in c("z", "knha")) {
  yi <- sets$bcg$yi[1:8]; vi <- sets$bcg$vi[1:8]
  res <- rma(yi, vi, method = m, test = t, control = CTRL)
  p <- permutest(res, exact = TRUE, progbar = FALSE, retpermdist = TRUE)
  add_case(sprintf("permutest_bcg8_%s_%s", m, t),
           sprintf("permutest(rma(yi[1:8], vi[1:8], method=\"%s\", test=\"%s\", %s), exact=TRUE)", m, t, ctrl),
           permvals(res, p),
           input = list(yi = arr(yi), vi = arr(vi), method = m, test = t), kind = "permutest")
}
ab <- dat.bcg$ablat
for (m in c("REML", "DL")) for (t in c("z", "knha")) {
  yi <- sets$bcg$yi[1:7]; vi <- sets$bcg$vi[1:7]; x <- ab[1:7]
  res <- rma(yi, vi, mods = ~ x, method = m, test = t, control = CTRL)
  p <- permutest(res, exact = TRUE, progbar = FALSE, retpermdist = TRUE)
  add_case(sprintf("permutest_bcg7_ablat_%s_%s", m, t),
           sprintf("permutest(rma(yi[1:7], vi[1:7], mods=~ablat[1:7], method=\"%s\", test=\"%s\", %s), exact=TRUE)", m, t, ctrl),
           permvals(res, p),
           input = list(yi = arr(yi), vi = arr(vi), x = arr(x), method = m, test = t), kind = "permutest_reg")
}
# a moderator with ties (distinct orderings only: 7!/(3!2!2!) = 210)
xt <- c(1, 1, 1, 2, 2, 3, 3)
res <- rma(sets$bcg$yi[1:7], sets$bcg$vi[1:7], mods = ~ xt, method = "REML", control = CTRL)
p <- permutest(res, exact = TRUE, progbar = FALSE, retpermdist = TRUE)
add_case("permutest_bcg7_ties_REML_z",
         sprintf("permutest(rma(yi[1:7], vi[1:7], mods=~c(1,1,1,2,2,3,3), method=\"REML\", %s), exact=TRUE)", ctrl),
         permvals(res, p),
         input = list(yi = arr(sets$bcg$yi[1:7]), vi = arr(sets$bcg$vi[1:7]), x = arr(xt), method = "REML", test = "z"),
         kind = "permutest_reg")

out <- list(r_version = R.version.string, metafor_version = as.character(packageVersion("metafor")),
            generated = format(Sys.time(), "%Y-%m-%d"), cases = cases)
writeLines(to_json(out), "tests/reference/metafor_engine3.json")
cat("wrote", length(cases), "cases\n")
