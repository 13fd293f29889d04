# Reference values from metafor for issue #14 (estimators EB/SJ/HE/HS, the likelihood's global
# maximum, double-zero studies in MH, Peto, influence, I2/H2 CIs).
# Run:  Rscript tests/reference/metafor_engine2.R   (from the repository root)
# Writes tests/reference/metafor_engine2.json; the test-suite reads only the JSON.
# House style as tests/reference/metafor_reference.R: every case records its exact R call.
suppressPackageStartupMessages(library(metafor))
source_lines <- readLines("tests/reference/metafor_reference.R")
# reuse the JSON writer of the first script (the lines up to "cases <- list()")
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
             homog = list(yi = c(0.10, 0.12, 0.08, 0.11, 0.09), vi = c(0.01, 0.02, 0.015, 0.03, 0.012)),
             k2 = list(yi = c(0.2, 0.9), vi = c(0.04, 0.09)))

## ---------------------------------------------------------------- estimators EB, SJ, HE, HS
for (nm in names(sets)) for (m in c("EB", "SJ", "HE", "HS")) for (t in c("z", "knha")) {
  d <- sets[[nm]]
  res <- rma(d$yi, d$vi, method = m, test = t, control = CTRL)
  add_case(sprintf("est_%s_%s_%s", nm, m, t), sprintf("rma(yi, vi, method=\"%s\", test=\"%s\", %s)", m, t, ctrl),
           list(estimate = c(res$beta), se = res$se, zval = res$zval, pval = res$pval, ci_lb = res$ci.lb, ci_ub = res$ci.ub,
                tau2 = res$tau2, se_tau2 = res$se.tau2, I2 = res$I2, H2 = res$H2, QE = res$QE, k = res$k),
           input = list(yi = arr(d$yi), vi = arr(d$vi)), kind = "estimator")
}
for (m in c("EB", "SJ", "HE", "HS")) {
  res <- rma(yi, vi, mods = ~ ablat, data = cbind(bcg, ablat = dat.bcg$ablat), method = m, control = CTRL)
  add_case(sprintf("estreg_bcg_ablat_%s", m), sprintf("rma(yi, vi, mods=~ablat, data=dat.bcg, method=\"%s\", %s)", m, ctrl),
           list(beta = arr(res$beta), se = arr(res$se), tau2 = res$tau2, se_tau2 = res$se.tau2),
           input = list(yi = arr(bcg$yi), vi = arr(bcg$vi), ablat = arr(dat.bcg$ablat)), kind = "estimator_reg")
}

## ---------------------------------------------------------------- the global maximum
y <- c(11.3569, -19.867); v <- c(0.01, 100)
res <- suppressWarnings(rma(y, v, method = "ML", control = CTRL))
add_case("peak_ml_k2", sprintf("rma(c(11.3569, -19.867), c(0.01, 100), method=\"ML\", %s)  # issue #14", ctrl),
         list(tau2 = res$tau2, estimate = c(res$beta), logLik = c(logLik(res))),
         input = list(yi = arr(y), vi = arr(v), method = "ML"), kind = "peak")

## ---------------------------------------------------------------- MH without double-zero studies, Peto
tab <- data.frame(ai = c(27, 0, 5, 61, 31), bi = c(35, 385, 13, 164, 136), ci = c(43, 0, 1, 80, 35), di = c(47, 388, 9, 158, 145))
for (ms in c("OR", "RR", "RD")) for (d00 in c(TRUE, FALSE)) {
  res <- suppressWarnings(rma.mh(measure = ms, ai = ai, bi = bi, ci = ci, di = di, data = tab, drop00 = d00))
  add_case(sprintf("mh00_%s_%s", ms, d00), sprintf("rma.mh(measure=\"%s\", ai=ai, bi=bi, ci=ci, di=di, data=tab, drop00=%s)  # issue #14 tables", ms, d00),
           list(estimate = c(res$beta), se = res$se, QE = res$QE, QEp = res$QEp, I2 = res$I2, H2 = res$H2, k = res$k, k_yi = res$k.yi),
           input = list(ai = arr(tab$ai), bi = arr(tab$bi), ci = arr(tab$ci), di = arr(tab$di), measure = ms, drop00 = d00), kind = "mh00")
}
peto_in <- list(tab = tab, bcg = data.frame(ai = dat.bcg$tpos, bi = dat.bcg$tneg, ci = dat.bcg$cpos, di = dat.bcg$cneg))
for (nm in names(peto_in)) {
  d <- peto_in[[nm]]
  res <- suppressWarnings(rma.peto(ai = d$ai, bi = d$bi, ci = d$ci, di = d$di))
  add_case(paste0("peto_", nm), "rma.peto(ai=ai, bi=bi, ci=ci, di=di)",
           list(estimate = c(res$beta), se = res$se, zval = res$zval, pval = res$pval, ci_lb = res$ci.lb, ci_ub = res$ci.ub,
                QE = res$QE, QEp = res$QEp, I2 = res$I2, H2 = res$H2, k = res$k),
           input = list(ai = arr(d$ai), bi = arr(d$bi), ci = arr(d$ci), di = arr(d$di)), kind = "peto")
}

## ---------------------------------------------------------------- influence and I2/H2 CIs
for (m in c("REML", "DL", "FE", "SJ")) for (t in c("z", "knha")) {
  res <- rma(bcg$yi, bcg$vi, method = m, test = t, control = CTRL)
  inf <- influence(res)
  add_case(sprintf("influence_bcg_%s_%s", m, t), sprintf("influence(rma(yi, vi, method=\"%s\", test=\"%s\", %s))", m, t, ctrl),
           list(rstudent = arr(inf$inf$rstudent), dffits = arr(inf$inf$dffits), cook_d = arr(inf$inf$cook.d),
                cov_r = arr(inf$inf$cov.r), tau2_del = arr(inf$inf$tau2.del), qe_del = arr(inf$inf$QE.del),
                hat = arr(inf$inf$hat), weight = arr(inf$inf$weight), dfbetas = arr(inf$dfbs$intrcpt),
                is_infl = arr(inf$is.infl)),
           input = list(yi = arr(bcg$yi), vi = arr(bcg$vi)), kind = "influence")
}
for (nm in c("bcg", "normand_smd")) for (m in c("REML", "DL", "PM")) {
  d <- sets[[nm]]
  res <- rma(d$yi, d$vi, method = m, control = CTRL)
  ci <- confint(res, control = list(tol = 1e-12))$random
  add_case(sprintf("confint_%s_%s", nm, m), sprintf("confint(rma(yi, vi, method=\"%s\", %s), control=list(tol=1e-12))$random", m, ctrl),
           list(I2_lb = ci["I^2(%)", "ci.lb"], I2_ub = ci["I^2(%)", "ci.ub"], H2_lb = ci["H^2", "ci.lb"], H2_ub = ci["H^2", "ci.ub"]),
           input = list(yi = arr(d$yi), vi = arr(d$vi)), kind = "confint")
}

out <- list(r_version = R.version.string, metafor_version = as.character(packageVersion("metafor")),
            generated = format(Sys.time(), "%Y-%m-%d"), cases = cases)
writeLines(to_json(out), "tests/reference/metafor_engine2.json")
cat("wrote", length(cases), "cases\n")
